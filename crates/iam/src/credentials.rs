//! Credentials: IAM users' access keys, STS's temporary credentials, and
//! who a key acts as. Temporary credentials are persisted and expire on the
//! service's clock; expired ones are kept a day (so that using one answers
//! ExpiredToken rather than passing as an unknown key) and then dropped.

use lakestack_aws_protocol::Arn;
use lakestack_aws_protocol::validation::{Shown, Violation};

use crate::checks;
use crate::error::{IamError, Result};
use crate::ids;
use crate::model::{AccessKey, Identity, KeyStatus, Kind, Session, Tag, key_of};
use crate::policy::{self, Purpose};
use crate::service::{Iam, State};

/// Access keys one user may have.
pub const MAX_KEYS_PER_USER: usize = 2;
/// How long expired temporary credentials are remembered.
const EXPIRED_KEPT_MS: i64 = 24 * 3600 * 1000;
/// Live temporary credentials kept at once: AWS has no such quota, but
/// the server must not hold whatever a loop of AssumeRole asks for.
const MAX_SESSIONS: usize = 100_000;
/// Session policies and tags are measured against this packed size.
const PACKED_QUOTA: usize = 2048;

/// What AssumeRole and AssumeRoleWithWebIdentity ask for.
#[derive(Debug, Clone, Default)]
pub struct AssumeRoleRequest {
    pub role_arn: String,
    pub session_name: String,
    pub duration_seconds: Option<i64>,
    pub policy: Option<String>,
    pub tags: Vec<Tag>,
    pub external_id: Option<String>,
}

/// Temporary credentials for a role.
#[derive(Debug, Clone)]
pub struct Assumed {
    pub session: Session,
    /// `<RoleId>:<session name>`.
    pub assumed_role_id: String,
    /// Present when a session policy or tags were passed.
    pub packed_policy_size: Option<u32>,
}

fn session_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

fn key_not_found(id: &str) -> IamError {
    IamError::NoSuchEntity(format!("The Access Key with id {id} cannot be found."))
}

impl Iam {
    fn root(&self) -> Identity {
        let account = self.account().to_owned();
        Identity {
            arn: format!("arn:aws:iam::{account}:root"),
            user_id: account.clone(),
            account,
        }
    }

    /// Who a request signed with `access_key_id` acts as: the user owning
    /// an IAM key, the session of a temporary key, and the account root for
    /// any other key (permissive mode's `test`) or none.
    pub fn caller(&self, access_key_id: Option<&str>) -> Result<Identity> {
        let Some(id) = access_key_id else {
            return Ok(self.root());
        };
        let st = self.state();
        if let Some(s) = st.sessions.get(id) {
            if self.now_ms() >= s.expires_ms {
                return Err(IamError::ExpiredToken(
                    "The security token included in the request is expired".into(),
                ));
            }
            return Ok(s.identity.clone());
        }
        if let Some(k) = st.keys.get(id) {
            if k.status == KeyStatus::Inactive {
                return Err(IamError::InvalidClientTokenId(
                    "The security token included in the request is invalid.".into(),
                ));
            }
            if let Some(u) = st.of(Kind::User).get(&key_of(&k.user_name)) {
                return Ok(Identity {
                    arn: u.arn.clone(),
                    user_id: u.id.clone(),
                    account: self.account().to_owned(),
                });
            }
        }
        Ok(self.root())
    }

    /// The IAM user a key belongs to, for operations whose UserName
    /// defaults to the caller.
    pub fn user_of_key(&self, access_key_id: Option<&str>) -> Option<String> {
        let st = self.state();
        st.keys.get(access_key_id?).map(|k| k.user_name.clone())
    }

    pub fn create_access_key(&self, user: &str) -> Result<AccessKey> {
        let mut st = self.state();
        let user_name = self.find(&st, Kind::User, user)?.name.clone();
        let owned = st
            .keys
            .values()
            .filter(|k| key_of(&k.user_name) == key_of(user))
            .count();
        if owned >= MAX_KEYS_PER_USER {
            return Err(IamError::LimitExceeded(format!(
                "Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}"
            )));
        }
        let k = AccessKey {
            id: ids::access_key_id("AKIA"),
            user_name,
            secret: ids::secret_access_key(),
            status: KeyStatus::Active,
            created_ms: self.now_ms(),
            seq: st.keys.values().map(|k| k.seq).max().unwrap_or(0) + 1,
        };
        self.save_key(&mut st, k.clone())?;
        Ok(k)
    }

    pub fn list_access_keys(&self, user: &str) -> Result<Vec<AccessKey>> {
        let st = self.state();
        self.find(&st, Kind::User, user)?;
        let mut keys: Vec<AccessKey> = st
            .keys
            .values()
            .filter(|k| key_of(&k.user_name) == key_of(user))
            .cloned()
            .collect();
        keys.sort_by_key(|k| k.seq);
        Ok(keys)
    }

    /// The key `id`, which must belong to `user` when one is named.
    fn owned_key(&self, st: &State, user: Option<&str>, id: &str) -> Result<AccessKey> {
        if let Some(u) = user {
            self.find(st, Kind::User, u)?;
        }
        st.keys
            .get(id)
            .filter(|k| user.is_none_or(|u| key_of(u) == key_of(&k.user_name)))
            .cloned()
            .ok_or_else(|| key_not_found(id))
    }

    pub fn delete_access_key(&self, user: Option<&str>, id: &str) -> Result<()> {
        let mut st = self.state();
        self.owned_key(&st, user, id)?;
        self.remove_key(&mut st, id)
    }

    pub fn update_access_key(&self, user: Option<&str>, id: &str, status: KeyStatus) -> Result<()> {
        let mut st = self.state();
        let mut k = self.owned_key(&st, user, id)?;
        k.status = status;
        self.save_key(&mut st, k)
    }

    /// The owner of a key, for GetAccessKeyLastUsed.
    pub fn access_key_owner(&self, id: &str) -> Result<String> {
        let st = self.state();
        st.keys
            .get(id)
            .map(|k| k.user_name.clone())
            .ok_or_else(|| key_not_found(id))
    }

    /// AssumeRole: a role our IAM holds lends its RoleId and its
    /// MaxSessionDuration; any other well-formed role ARN is assumed too,
    /// with a RoleId derived from the ARN (see docs/iam.md).
    pub fn assume_role(&self, req: &AssumeRoleRequest) -> Result<Assumed> {
        let n = req.role_arn.chars().count();
        if !(20..=2048).contains(&n) {
            return Err(IamError::violation(Violation::len_between(
                "roleArn",
                Shown::Value(req.role_arn.clone()),
                20,
                2048,
            )));
        }
        let arn = Arn::parse(&req.role_arn)
            .filter(|a| a.service == "iam" && a.resource.starts_with("role/"))
            .ok_or_else(|| IamError::Validation(format!("{} is invalid", req.role_arn)))?;
        let role_name = arn.resource.rsplit('/').next().unwrap_or_default().to_owned();
        if role_name.is_empty() {
            return Err(IamError::Validation(format!("{} is invalid", req.role_arn)));
        }
        let s = &req.session_name;
        let sn = s.chars().count();
        if !(2..=64).contains(&sn) {
            return Err(IamError::violation(Violation::len_between(
                "roleSessionName",
                Shown::Value(s.clone()),
                2,
                64,
            )));
        }
        if !s.chars().all(session_name_char) {
            return Err(IamError::violation(Violation::pattern(
                "roleSessionName",
                Shown::Value(s.clone()),
                "[\\w+=,.@-]*",
            )));
        }
        let duration = duration(req.duration_seconds, 3600, 43_200)?;
        if let Some(x) = &req.external_id {
            let n = x.chars().count();
            if !(2..=1224).contains(&n) {
                return Err(IamError::violation(Violation::len_between(
                    "externalId",
                    Shown::Value(x.clone()),
                    2,
                    1224,
                )));
            }
            if !x.chars().all(|c| session_name_char(c) || c == ':' || c == '/') {
                return Err(IamError::violation(Violation::pattern(
                    "externalId",
                    Shown::Value(x.clone()),
                    "[\\w+=,.@:\\/-]*",
                )));
            }
        }
        let packed = packed_size(req.policy.as_deref(), &req.tags)?;
        let mut st = self.state();
        let role = (arn.account == self.account())
            .then(|| st.of(Kind::Role).get(&key_of(&role_name)))
            .flatten()
            .filter(|r| r.arn == req.role_arn);
        let role_id = match role {
            Some(r) => {
                if duration > r.max_session.unwrap_or(3600) {
                    return Err(IamError::Validation(
                        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.".into(),
                    ));
                }
                r.id.clone()
            }
            None => ids::stable_id("AROA", &req.role_arn),
        };
        let identity = Identity {
            arn: format!("arn:aws:sts::{}:assumed-role/{role_name}/{s}", arn.account),
            user_id: format!("{role_id}:{s}"),
            account: arn.account,
        };
        let session = self.issue(&mut st, identity, duration)?;
        Ok(Assumed {
            session,
            assumed_role_id: format!("{role_id}:{s}"),
            packed_policy_size: packed,
        })
    }

    /// GetSessionToken: the caller's own identity for a while.
    pub fn session_token(&self, caller: &Identity, duration_seconds: Option<i64>) -> Result<Session> {
        let duration = duration(duration_seconds, 43_200, 129_600)?;
        let mut st = self.state();
        self.issue(&mut st, caller.clone(), duration)
    }

    fn issue(&self, st: &mut State, identity: Identity, duration_s: i64) -> Result<Session> {
        let now = self.now_ms();
        let stale: Vec<String> = st
            .sessions
            .values()
            .filter(|s| s.expires_ms + EXPIRED_KEPT_MS < now)
            .map(|s| s.id.clone())
            .collect();
        for id in stale {
            self.remove_session(st, &id)?;
        }
        if st.sessions.len() >= MAX_SESSIONS {
            return Err(IamError::LimitExceeded(format!(
                "lakestack keeps at most {MAX_SESSIONS} temporary credentials at once"
            )));
        }
        let s = Session {
            id: ids::access_key_id("ASIA"),
            secret: ids::secret_access_key(),
            token: ids::session_token(),
            expires_ms: now + duration_s * 1000,
            identity,
        };
        self.save_session(st, s.clone())?;
        Ok(s)
    }
}

/// DurationSeconds within 900..=`max`, `default` when absent.
fn duration(given: Option<i64>, default: i64, max: i64) -> Result<i64> {
    match given {
        None => Ok(default),
        Some(d) if d < 900 => Err(IamError::violation(Violation::at_least("durationSeconds", d, 900))),
        Some(d) if d > max => Err(IamError::violation(Violation::at_most("durationSeconds", d, max))),
        Some(d) => Ok(d),
    }
}

/// The session policy and tags as a percentage of the packed quota. AWS
/// compresses them first; we measure them as sent, which errs large.
fn packed_size(policy: Option<&str>, tags: &[Tag]) -> Result<Option<u32>> {
    if let Some(p) = policy {
        let n = p.chars().count();
        if !(1..=2048).contains(&n) {
            return Err(IamError::violation(Violation::len_between(
                "policy",
                Shown::Value(p.chars().take(256).collect()),
                1,
                2048,
            )));
        }
        policy::check(p, "policy", Purpose::Identity)?;
    }
    checks::tags(tags)?;
    if policy.is_none() && tags.is_empty() {
        return Ok(None);
    }
    let bytes = policy.map_or(0, policy::size) + tags.iter().map(|t| t.key.len() + t.value.len()).sum::<usize>();
    let pct = (bytes * 100).div_ceil(PACKED_QUOTA);
    if pct > 100 {
        return Err(IamError::PackedPolicyTooLarge(
            "The request was rejected because the total packed size of the session policies and session tags combined was too large."
                .into(),
        ));
    }
    Ok(Some(pct as u32))
}
