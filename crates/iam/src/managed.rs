//! Managed policies: customer policies stored with their versions (at most
//! five, one the default), AWS managed policies recognised by their ARN
//! (`arn:aws:iam::aws:policy/...`) since lakestack does not have AWS's
//! list, and attachments to roles, users and groups.

use crate::checks;
use crate::error::{IamError, Result};
use crate::ids;
use crate::model::{Entity, Kind, ManagedPolicy, PolicyVersion, Tag, key_of};
use crate::policy::{self, Purpose};
use crate::service::{Iam, State};

/// Versions a managed policy keeps.
pub const MAX_VERSIONS: usize = 5;
/// Customer managed policies in the account (the default quota).
pub const MAX_POLICIES: usize = 1500;
/// Managed policies attached to one role, user or group (the default quota).
pub const MAX_ATTACHED: usize = 10;

const AWS_MANAGED: &str = "arn:aws:iam::aws:policy/";

/// ListPolicies' Scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Aws,
    Local,
}

/// A managed policy as GetPolicy answers it.
#[derive(Debug, Clone)]
pub struct PolicyView {
    pub policy: ManagedPolicy,
    pub attachments: usize,
    pub boundary_uses: usize,
}

fn no_such_policy(arn: &str) -> IamError {
    IamError::NoSuchEntity(format!("Policy {arn} does not exist or is not attachable."))
}

fn is_aws_managed(arn: &str) -> bool {
    arn.strip_prefix(AWS_MANAGED).is_some_and(|rest| {
        let name = rest.rsplit('/').next().unwrap_or_default();
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    })
}

/// An AWS managed policy as we can describe it from its ARN alone.
fn aws_managed(arn: &str) -> ManagedPolicy {
    let rest = arn.strip_prefix(AWS_MANAGED).unwrap_or(arn);
    let (path, name) = match rest.rsplit_once('/') {
        Some((p, n)) => (format!("/{p}/"), n),
        None => ("/".to_owned(), rest),
    };
    ManagedPolicy {
        name: name.to_owned(),
        path,
        id: ids::stable_id("ANPA", arn),
        arn: arn.to_owned(),
        description: None,
        created_ms: 0,
        updated_ms: 0,
        default_version: "v1".into(),
        versions: Vec::new(),
        next_version: 2,
        tags: Vec::new(),
    }
}

/// A policy ARN as the model constrains it (20..=2048 characters).
pub fn check_arn(arn: &str) -> Result<()> {
    let n = arn.chars().count();
    if !(20..=2048).contains(&n) {
        return Err(IamError::violation(
            lakestack_aws_protocol::validation::Violation::len_between(
                "policyArn",
                lakestack_aws_protocol::validation::Shown::Value(arn.into()),
                20,
                2048,
            ),
        ));
    }
    if !arn.starts_with("arn:") || arn.split(':').count() < 6 {
        return Err(IamError::InvalidInput(format!("ARN {arn} is not valid.")));
    }
    Ok(())
}

fn check_version_id(v: &str) -> Result<()> {
    let ok = v
        .strip_prefix('v')
        .and_then(|n| n.split('.').next())
        .is_some_and(|n| !n.is_empty() && !n.starts_with('0') && n.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(IamError::violation(
            lakestack_aws_protocol::validation::Violation::pattern(
                "versionId",
                lakestack_aws_protocol::validation::Shown::Value(v.into()),
                "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
            ),
        ))
    }
}

impl State {
    fn holders(&self) -> impl Iterator<Item = &Entity> {
        [Kind::Role, Kind::User, Kind::Group]
            .into_iter()
            .flat_map(|k| self.of(k).values())
    }

    fn attachments(&self, arn: &str) -> usize {
        self.holders().filter(|e| e.attached.iter().any(|a| a == arn)).count()
    }

    fn boundary_uses(&self, arn: &str) -> usize {
        self.holders().filter(|e| e.boundary.as_deref() == Some(arn)).count()
    }
}

impl Iam {
    pub fn create_policy(
        &self,
        name: &str,
        path: Option<&str>,
        document: &str,
        description: Option<&str>,
        tags: Vec<Tag>,
    ) -> Result<PolicyView> {
        checks::name("policyName", name, 128)?;
        let path = checks::path("path", path)?;
        checks::description(description)?;
        checks::tags(&tags)?;
        check_managed_document(document)?;
        let mut st = self.state();
        if st.policies.values().any(|p| key_of(&p.name) == key_of(name)) {
            return Err(IamError::EntityAlreadyExists(format!(
                "A policy called {name} already exists. Duplicate names are not allowed."
            )));
        }
        if st.policies.len() >= MAX_POLICIES {
            return Err(IamError::LimitExceeded(format!(
                "Cannot exceed quota for PoliciesPerAccount: {MAX_POLICIES}"
            )));
        }
        let now = self.now_ms();
        let p = ManagedPolicy {
            name: name.to_owned(),
            arn: format!("arn:aws:iam::{}:policy{path}{name}", self.account()),
            path,
            id: ids::unique_id("ANPA"),
            description: description.map(str::to_owned),
            created_ms: now,
            updated_ms: now,
            default_version: "v1".into(),
            versions: vec![PolicyVersion {
                id: "v1".into(),
                document: document.to_owned(),
                created_ms: now,
            }],
            next_version: 2,
            tags,
        };
        self.save_policy(&mut st, p.clone())?;
        Ok(PolicyView {
            policy: p,
            attachments: 0,
            boundary_uses: 0,
        })
    }

    fn find_policy<'a>(&self, st: &'a State, arn: &str) -> Result<&'a ManagedPolicy> {
        st.policies.get(arn).ok_or_else(|| no_such_policy(arn))
    }

    /// A customer policy, or an AWS managed one described from its ARN.
    pub fn get_policy(&self, arn: &str) -> Result<PolicyView> {
        check_arn(arn)?;
        let st = self.state();
        let policy = match st.policies.get(arn) {
            Some(p) => p.clone(),
            None if is_aws_managed(arn) => aws_managed(arn),
            None => return Err(no_such_policy(arn)),
        };
        Ok(PolicyView {
            attachments: st.attachments(arn),
            boundary_uses: st.boundary_uses(arn),
            policy,
        })
    }

    pub fn delete_policy(&self, arn: &str) -> Result<()> {
        check_arn(arn)?;
        let mut st = self.state();
        let p = self.find_policy(&st, arn)?;
        if st.attachments(arn) > 0 {
            return Err(IamError::DeleteConflict(
                "Cannot delete a policy attached to entities.".into(),
            ));
        }
        if p.versions.len() > 1 {
            return Err(IamError::DeleteConflict(
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."
                    .into(),
            ));
        }
        self.remove_policy(&mut st, arn)
    }

    /// ListPolicies: customer policies and the AWS managed ones attached
    /// somewhere (the only ones we know of), ordered by name.
    pub fn list_policies(&self, scope: Scope, only_attached: bool, prefix: &str) -> Vec<PolicyView> {
        let st = self.state();
        let mut out: Vec<PolicyView> = Vec::new();
        if scope != Scope::Aws {
            out.extend(st.policies.values().map(|p| PolicyView {
                attachments: st.attachments(&p.arn),
                boundary_uses: st.boundary_uses(&p.arn),
                policy: p.clone(),
            }));
        }
        if scope != Scope::Local {
            let mut arns: Vec<&String> = st
                .holders()
                .flat_map(|e| e.attached.iter())
                .filter(|a| is_aws_managed(a))
                .collect();
            arns.sort();
            arns.dedup();
            out.extend(arns.into_iter().map(|a| PolicyView {
                attachments: st.attachments(a),
                boundary_uses: st.boundary_uses(a),
                policy: aws_managed(a),
            }));
        }
        out.retain(|v| v.policy.path.starts_with(prefix) && (!only_attached || v.attachments > 0));
        out.sort_by(|a, b| (key_of(&a.policy.name), &a.policy.arn).cmp(&(key_of(&b.policy.name), &b.policy.arn)));
        out
    }

    pub fn create_policy_version(&self, arn: &str, document: &str, set_default: bool) -> Result<PolicyVersion> {
        check_arn(arn)?;
        check_managed_document(document)?;
        let mut st = self.state();
        let mut p = self.find_policy(&st, arn)?.clone();
        if p.versions.len() >= MAX_VERSIONS {
            return Err(IamError::LimitExceeded(format!(
                "A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version."
            )));
        }
        let now = self.now_ms();
        let v = PolicyVersion {
            id: format!("v{}", p.next_version),
            document: document.to_owned(),
            created_ms: now,
        };
        p.next_version += 1;
        p.versions.push(v.clone());
        if set_default {
            p.default_version.clone_from(&v.id);
        }
        p.updated_ms = now;
        self.save_policy(&mut st, p)?;
        Ok(v)
    }

    /// A version and whether it is the default.
    pub fn get_policy_version(&self, arn: &str, version: &str) -> Result<(PolicyVersion, bool)> {
        check_arn(arn)?;
        check_version_id(version)?;
        let st = self.state();
        let p = self.find_policy(&st, arn)?;
        let v = p.versions.iter().find(|v| v.id == version).cloned().ok_or_else(|| {
            IamError::NoSuchEntity(format!(
                "Policy {arn} version {version} does not exist or is not attachable."
            ))
        })?;
        Ok((v, p.default_version == version))
    }

    /// Versions, newest first, as IAM lists them, with the default's id.
    pub fn list_policy_versions(&self, arn: &str) -> Result<(Vec<PolicyVersion>, String)> {
        check_arn(arn)?;
        let st = self.state();
        let p = self.find_policy(&st, arn)?;
        let mut vs = p.versions.clone();
        vs.reverse();
        Ok((vs, p.default_version.clone()))
    }

    pub fn delete_policy_version(&self, arn: &str, version: &str) -> Result<()> {
        check_arn(arn)?;
        check_version_id(version)?;
        let mut st = self.state();
        let mut p = self.find_policy(&st, arn)?.clone();
        if p.default_version == version {
            return Err(IamError::DeleteConflict(
                "Cannot delete the default version of a policy.".into(),
            ));
        }
        let before = p.versions.len();
        p.versions.retain(|v| v.id != version);
        if p.versions.len() == before {
            return Err(IamError::NoSuchEntity(format!(
                "Policy {arn} version {version} does not exist or is not attachable."
            )));
        }
        self.save_policy(&mut st, p)
    }

    pub fn set_default_policy_version(&self, arn: &str, version: &str) -> Result<()> {
        check_arn(arn)?;
        check_version_id(version)?;
        let mut st = self.state();
        let mut p = self.find_policy(&st, arn)?.clone();
        if !p.versions.iter().any(|v| v.id == version) {
            return Err(IamError::NoSuchEntity(format!(
                "Policy {arn} version {version} does not exist or is not attachable."
            )));
        }
        version.clone_into(&mut p.default_version);
        p.updated_ms = self.now_ms();
        self.save_policy(&mut st, p)
    }

    pub fn attach(&self, kind: Kind, name: &str, arn: &str) -> Result<()> {
        check_arn(arn)?;
        let mut st = self.state();
        let mut e = self.find(&st, kind, name)?.clone();
        if !st.policies.contains_key(arn) && !is_aws_managed(arn) {
            return Err(no_such_policy(arn));
        }
        if e.attached.iter().any(|a| a == arn) {
            return Ok(());
        }
        if e.attached.len() >= MAX_ATTACHED {
            let which = match kind {
                Kind::Role => "PoliciesPerRole",
                Kind::User => "PoliciesPerUser",
                _ => "PoliciesPerGroup",
            };
            return Err(IamError::LimitExceeded(format!(
                "Cannot exceed quota for {which}: {MAX_ATTACHED}"
            )));
        }
        e.attached.push(arn.to_owned());
        self.save_entity(&mut st, e)
    }

    pub fn detach(&self, kind: Kind, name: &str, arn: &str) -> Result<()> {
        check_arn(arn)?;
        let mut st = self.state();
        let mut e = self.find(&st, kind, name)?.clone();
        let before = e.attached.len();
        e.attached.retain(|a| a != arn);
        if e.attached.len() == before {
            return Err(IamError::NoSuchEntity(format!("Policy {arn} was not found.")));
        }
        self.save_entity(&mut st, e)
    }

    /// The policies attached to an entity, as (name, ARN), in attach order.
    pub fn attached(&self, kind: Kind, name: &str, prefix: &str) -> Result<Vec<(String, String)>> {
        let st = self.state();
        let e = self.find(&st, kind, name)?;
        Ok(e.attached
            .iter()
            .map(|arn| {
                let p = st.policies.get(arn).cloned().unwrap_or_else(|| aws_managed(arn));
                (p.path, p.name, arn.clone())
            })
            .filter(|(path, _, _)| path.starts_with(prefix))
            .map(|(_, n, a)| (n, a))
            .collect())
    }

    /// The roles, users and groups a policy is attached to.
    pub fn entities_for_policy(&self, arn: &str, prefix: &str) -> Result<Vec<Entity>> {
        check_arn(arn)?;
        let st = self.state();
        if !st.policies.contains_key(arn) && !is_aws_managed(arn) {
            return Err(no_such_policy(arn));
        }
        Ok(st
            .holders()
            .filter(|e| e.path.starts_with(prefix) && e.attached.iter().any(|a| a == arn))
            .cloned()
            .collect())
    }

    /// PutRolePermissionsBoundary / PutUserPermissionsBoundary: the policy
    /// must exist as for attaching.
    pub fn set_boundary(&self, kind: Kind, name: &str, arn: Option<&str>) -> Result<()> {
        if let Some(arn) = arn {
            check_arn(arn)?;
            let st = self.state();
            if !st.policies.contains_key(arn) && !is_aws_managed(arn) {
                return Err(no_such_policy(arn));
            }
        }
        self.update_entity(kind, name, |e| {
            e.boundary = arn.map(str::to_owned);
            Ok(())
        })?;
        Ok(())
    }
}

fn check_managed_document(document: &str) -> Result<()> {
    policy::check(document, "policyDocument", Purpose::Identity)?;
    if policy::size(document) > policy::MANAGED_POLICY_QUOTA {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for PolicySize: {}",
            policy::MANAGED_POLICY_QUOTA
        )));
    }
    Ok(())
}
