//! The state of IAM and STS: everything in memory, written through to the
//! SQLite file record by record (the file is read once, at open), and an
//! index of every access key's secret for strict SigV4, which asks for one
//! on every signed request.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};

use crate::error::Result;
use crate::model::{AccessKey, Entity, KeyStatus, Kind, ManagedPolicy, Session};
use crate::store::Store;

/// How the binary opens IAM and STS (`iam.sqlite` in `dir`); expiry of
/// temporary credentials is judged on `clock.now()`.
pub type Settings = lakestack_aws_protocol::ServiceSettings;

/// What strict SigV4 needs to verify a request signed with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySecret {
    pub secret_access_key: String,
    /// Temporary credentials only: the token the request must carry.
    pub session_token: Option<String>,
}

/// One key in the secrets index.
#[derive(Debug, Clone)]
struct Indexed {
    secret: KeySecret,
    expires_ms: Option<i64>,
    active: bool,
}

#[derive(Default)]
pub(crate) struct State {
    entities: [BTreeMap<String, Entity>; 4],
    pub policies: BTreeMap<String, ManagedPolicy>,
    pub keys: BTreeMap<String, AccessKey>,
    pub sessions: BTreeMap<String, Session>,
}

fn slot(kind: Kind) -> usize {
    match kind {
        Kind::Role => 0,
        Kind::User => 1,
        Kind::Group => 2,
        Kind::InstanceProfile => 3,
    }
}

impl State {
    /// The entities of a kind, by lower-cased name.
    pub fn of(&self, kind: Kind) -> &BTreeMap<String, Entity> {
        &self.entities[slot(kind)]
    }

    fn of_mut(&mut self, kind: Kind) -> &mut BTreeMap<String, Entity> {
        &mut self.entities[slot(kind)]
    }
}

/// IAM and STS over one account.
pub struct Iam {
    pub(crate) settings: Settings,
    store: Store,
    state: Mutex<State>,
    index: RwLock<HashMap<String, Indexed>>,
}

const POLICY: &str = "policy";
const ACCESS_KEY: &str = "access-key";
const SESSION: &str = "session";

impl Iam {
    /// Opens (or creates) `<dir>/iam.sqlite`, or an in-memory store when
    /// `settings.dir` is `None`.
    pub fn open(settings: Settings) -> Result<Self> {
        let store = match &settings.dir {
            Some(dir) => Store::open(&dir.join("iam.sqlite"))?,
            None => Store::in_memory()?,
        };
        let mut state = State::default();
        for kind in Kind::ALL {
            *state.of_mut(kind) = store.load(kind.word())?.into_iter().collect();
        }
        state.policies = store.load(POLICY)?.into_iter().collect();
        state.keys = store.load(ACCESS_KEY)?.into_iter().collect();
        state.sessions = store.load(SESSION)?.into_iter().collect();
        let iam = Self {
            settings,
            store,
            state: Mutex::new(State::default()),
            index: RwLock::new(HashMap::new()),
        };
        for k in state.keys.values() {
            iam.index_key(k);
        }
        for s in state.sessions.values() {
            iam.index_session(s);
        }
        *iam.state() = state;
        Ok(iam)
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn account(&self) -> &str {
        &self.settings.account_id
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.settings.clock.now().timestamp_millis()
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The secret of an access key, for strict SigV4: `None` for a key we
    /// did not issue, an Inactive IAM key, or expired temporary credentials.
    pub fn secret_for(&self, access_key_id: &str) -> Option<KeySecret> {
        self.secret_at(access_key_id, self.now_ms())
    }

    pub(crate) fn secret_at(&self, access_key_id: &str, now_ms: i64) -> Option<KeySecret> {
        let index = self.index.read().unwrap_or_else(PoisonError::into_inner);
        let entry = index.get(access_key_id)?;
        let live = entry.active && entry.expires_ms.is_none_or(|at| now_ms < at);
        live.then(|| entry.secret.clone())
    }

    fn index_key(&self, k: &AccessKey) {
        let entry = Indexed {
            secret: KeySecret {
                secret_access_key: k.secret.clone(),
                session_token: None,
            },
            expires_ms: None,
            active: k.status == KeyStatus::Active,
        };
        self.index
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(k.id.clone(), entry);
    }

    fn index_session(&self, s: &Session) {
        let entry = Indexed {
            secret: KeySecret {
                secret_access_key: s.secret.clone(),
                session_token: Some(s.token.clone()),
            },
            expires_ms: Some(s.expires_ms),
            active: true,
        };
        self.index
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(s.id.clone(), entry);
    }

    fn unindex(&self, id: &str) {
        self.index.write().unwrap_or_else(PoisonError::into_inner).remove(id);
    }

    // Writes: the file first, then memory, so that memory never holds what
    // the file lost.

    pub(crate) fn save_entity(&self, st: &mut State, e: Entity) -> Result<()> {
        let key = crate::model::key_of(&e.name);
        self.store.put(e.kind.word(), &key, &e)?;
        st.of_mut(e.kind).insert(key, e);
        Ok(())
    }

    pub(crate) fn remove_entity(&self, st: &mut State, kind: Kind, key: &str) -> Result<()> {
        self.store.delete(kind.word(), key)?;
        st.of_mut(kind).remove(key);
        Ok(())
    }

    pub(crate) fn save_policy(&self, st: &mut State, p: ManagedPolicy) -> Result<()> {
        self.store.put(POLICY, &p.arn, &p)?;
        st.policies.insert(p.arn.clone(), p);
        Ok(())
    }

    pub(crate) fn remove_policy(&self, st: &mut State, arn: &str) -> Result<()> {
        self.store.delete(POLICY, arn)?;
        st.policies.remove(arn);
        Ok(())
    }

    pub(crate) fn save_key(&self, st: &mut State, k: AccessKey) -> Result<()> {
        self.store.put(ACCESS_KEY, &k.id, &k)?;
        self.index_key(&k);
        st.keys.insert(k.id.clone(), k);
        Ok(())
    }

    pub(crate) fn remove_key(&self, st: &mut State, id: &str) -> Result<()> {
        self.store.delete(ACCESS_KEY, id)?;
        self.unindex(id);
        st.keys.remove(id);
        Ok(())
    }

    pub(crate) fn save_session(&self, st: &mut State, s: Session) -> Result<()> {
        self.store.put(SESSION, &s.id, &s)?;
        self.index_session(&s);
        st.sessions.insert(s.id.clone(), s);
        Ok(())
    }

    pub(crate) fn remove_session(&self, st: &mut State, id: &str) -> Result<()> {
        self.store.delete(SESSION, id)?;
        self.unindex(id);
        st.sessions.remove(id);
        Ok(())
    }
}
