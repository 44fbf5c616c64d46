//! The Lambda service: its store, its packages, its warm processes, and
//! the logic of every operation below the wire.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use lakestack_aws_protocol::{Arn, Clock};

use crate::code::CodeStore;
use crate::error::{LambdaError, Result};
use crate::host::Host;
use crate::invoke::{self, Ran};
use crate::logs::LogWriter;
use crate::model::{Alias, Function, LATEST};
use crate::runtime::instance::Launch;
use crate::runtime::pool::Pool;
use crate::runtime::{self, Interpreters};
use crate::store::Store;

/// What the service is opened with.
#[derive(Clone)]
pub struct Settings {
    pub region: String,
    pub account_id: String,
    /// `<data>/lambda`: the SQLite file, packages, extracted code.
    pub dir: PathBuf,
    pub clock: Clock,
    pub interpreters: Arc<Interpreters>,
    /// Processes one function version may run at once, when it has no
    /// reserved concurrency: a laptop is not a fleet.
    pub max_processes: usize,
    /// How long an idle process is kept warm. Measured on the wall clock:
    /// it is about the machine's memory, not about the time a pipeline sees.
    pub idle_timeout: Duration,
}

/// How long a pool's processes are started with the same credentials: the
/// role's session lasts an hour, and a pool this old is replaced by one with
/// new credentials (its busy processes finish first).
const CREDENTIALS_RENEWED: Duration = Duration::from_secs(45 * 60);

pub struct Lambda {
    pub(crate) settings: Settings,
    pub(crate) store: Store,
    pub(crate) code: CodeStore,
    pub(crate) host: Arc<dyn Host>,
    pub(crate) objects: Arc<dyn object_store::ObjectStore>,
    pools: Mutex<HashMap<(String, String), Arc<Pool>>>,
    /// Held while a pool is made, so two first invocations make one.
    making_pool: tokio::sync::Mutex<()>,
    /// Reserved concurrency is the function's, across its versions.
    reserved_slots: Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>,
    writer: OnceLock<LogWriter>,
    /// Asynchronous invocations running at once (asynq).
    pub(crate) async_slots: tokio::sync::Semaphore,
    /// The pollers of enabled event source mappings.
    pub(crate) pollers: crate::mappings::Pollers,
}

/// Asynchronous invocations that hold their payload and a process at once.
const ASYNC_SLOTS: usize = 32;

/// What an in-process invocation answers, as Invoke's response carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoked {
    pub status_code: u16,
    pub payload: Bytes,
    pub function_error: Option<&'static str>,
    pub executed_version: String,
    pub request_id: String,
}

/// A function name as callers may give it: a name, a partial ARN
/// (`123456789012:function:name`) or a full one, each with an optional
/// `:qualifier`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub qualifier: Option<String>,
}

impl Lambda {
    pub fn open(
        settings: Settings,
        host: Arc<dyn Host>,
        objects: Arc<dyn object_store::ObjectStore>,
    ) -> Result<Arc<Self>> {
        let store = Store::open(&settings.dir.join("lambda.sqlite"))?;
        Ok(Self::with_store(settings, store, host, objects))
    }

    pub fn in_memory(
        settings: Settings,
        host: Arc<dyn Host>,
        objects: Arc<dyn object_store::ObjectStore>,
    ) -> Result<Arc<Self>> {
        Ok(Self::with_store(settings, Store::in_memory()?, host, objects))
    }

    fn with_store(
        settings: Settings,
        store: Store,
        host: Arc<dyn Host>,
        objects: Arc<dyn object_store::ObjectStore>,
    ) -> Arc<Self> {
        let code = CodeStore::new(&settings.dir);
        Arc::new(Self {
            settings,
            store,
            code,
            host,
            objects,
            pools: Mutex::new(HashMap::new()),
            making_pool: tokio::sync::Mutex::new(()),
            reserved_slots: Mutex::new(HashMap::new()),
            writer: OnceLock::new(),
            async_slots: tokio::sync::Semaphore::new(ASYNC_SLOTS),
            pollers: crate::mappings::Pollers::default(),
        })
    }

    /// Starts what runs in the background: the reaper of idle processes,
    /// the asynchronous invocations left queued by the last run, and the
    /// pollers of enabled event source mappings.
    pub fn start(self: &Arc<Self>) -> Result<()> {
        let me = Arc::downgrade(self);
        let idle = self.settings.idle_timeout;
        tokio::spawn(async move {
            let tick = (idle / 4).clamp(Duration::from_millis(100), Duration::from_secs(30));
            loop {
                tokio::time::sleep(tick).await;
                let Some(me) = me.upgrade() else { break };
                me.reap(idle);
            }
        });
        crate::asynq::resume(self)?;
        crate::mappings::resume(self)
    }

    fn reap(&self, idle: Duration) {
        let pools: Vec<Arc<Pool>> = self
            .pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        for p in pools {
            p.reap(idle);
        }
    }

    pub(crate) fn writer(&self) -> &LogWriter {
        self.writer.get_or_init(|| LogWriter::start(Arc::clone(&self.host)))
    }

    pub fn region(&self) -> &str {
        &self.settings.region
    }

    pub fn account(&self) -> &str {
        &self.settings.account_id
    }

    pub fn clock(&self) -> &Clock {
        &self.settings.clock
    }

    pub fn function_arn(&self, name: &str) -> String {
        Arn::new(
            "lambda",
            &self.settings.region,
            &self.settings.account_id,
            format!("function:{name}"),
        )
        .to_string()
    }

    pub fn qualified_arn(&self, name: &str, qualifier: &str) -> String {
        format!("{}:{qualifier}", self.function_arn(name))
    }

    /// Reads a FunctionName member and an optional Qualifier into a target;
    /// a qualifier in both places must agree.
    pub fn target(&self, function_name: &str, qualifier: Option<&str>) -> Result<Target> {
        let (name, from_name) = split_function_name(function_name)
            .ok_or_else(|| LambdaError::invalid(format!("Invalid function name: {function_name}")))?;
        let qualifier = match (from_name, qualifier) {
            (Some(a), Some(b)) if a != b => {
                return Err(LambdaError::invalid(
                    "The derived qualifier from the function name does not match the specified qualifier.",
                ));
            }
            (a, b) => a.or(b.map(str::to_owned)),
        };
        Ok(Target { name, qualifier })
    }

    /// The ARN a target names: qualified if it has a qualifier.
    pub fn arn_of(&self, t: &Target) -> String {
        match &t.qualifier {
            Some(q) => self.qualified_arn(&t.name, q),
            None => self.function_arn(&t.name),
        }
    }

    pub(crate) fn not_found(&self, t: &Target) -> LambdaError {
        LambdaError::NotFound(format!("Function not found: {}", self.arn_of(t)))
    }

    /// The version record a target names: `$LATEST`, a number, or an
    /// alias's version.
    pub fn resolve(&self, t: &Target) -> Result<Function> {
        self.resolve_with(t, |a| a.version.clone())
    }

    /// The version an invocation of a target runs: a weighted alias picks
    /// one of its two versions by their weights.
    pub fn resolve_for_invoke(&self, t: &Target) -> Result<Function> {
        self.resolve_with(t, pick_version)
    }

    fn resolve_with(&self, t: &Target, alias_version: fn(&Alias) -> String) -> Result<Function> {
        let version = match t.qualifier.as_deref() {
            None | Some(LATEST) => LATEST.to_owned(),
            Some(q) if q.bytes().all(|b| b.is_ascii_digit()) => q.to_owned(),
            Some(q) => {
                let alias = self.store.alias(&t.name, q)?.ok_or_else(|| self.not_found(t))?;
                alias_version(&alias)
            }
        };
        self.store.function(&t.name, &version)?.ok_or_else(|| self.not_found(t))
    }

    pub fn latest(&self, name: &str) -> Result<Function> {
        self.store.function(name, LATEST)?.ok_or_else(|| {
            self.not_found(&Target {
                name: name.to_owned(),
                qualifier: None,
            })
        })
    }

    /// Reserved concurrency, if the function has it.
    pub fn reserved(&self, name: &str) -> Result<Option<u32>> {
        self.store.setting(name, "", "concurrency")
    }

    /// Invokes a function by name as another service does (Step Functions'
    /// `lambda:invoke`): `Event` queues it, anything else runs it now.
    pub async fn invoke_named(
        self: &Arc<Self>,
        function_name: &str,
        qualifier: Option<&str>,
        payload: Bytes,
        event: bool,
    ) -> Result<Invoked> {
        let t = self.target(function_name, qualifier)?;
        let f = self.resolve_for_invoke(&t)?;
        let request_id = uuid::Uuid::new_v4().to_string();
        let invoked_arn = self.arn_of(&t);
        if event {
            let q = crate::asynq::Queued::new(self, &t, request_id.clone(), &payload);
            crate::asynq::enqueue(self, &q)?;
            return Ok(Invoked {
                status_code: 202,
                payload: Bytes::new(),
                function_error: None,
                executed_version: f.version,
                request_id,
            });
        }
        let r = self
            .invoke(
                &f,
                invoke::Request {
                    request_id: request_id.clone(),
                    payload,
                    client_context: None,
                    invoked_arn,
                },
            )
            .await?;
        Ok(Invoked {
            status_code: 200,
            payload: r.payload,
            function_error: r.function_error,
            executed_version: r.executed_version,
            request_id,
        })
    }

    /// Invokes a version synchronously.
    pub async fn invoke(&self, f: &Function, req: invoke::Request) -> Result<invoke::Response> {
        let pool = self.pool(f).await?;
        match invoke::run(&pool, f, self.writer(), req).await {
            Ran::Done(r) => Ok(r),
            Ran::Throttled => Err(LambdaError::TooManyRequests("Rate Exceeded.".into())),
        }
    }

    /// The pool of processes for a version as it is configured now.
    async fn pool(&self, f: &Function) -> Result<Arc<Pool>> {
        let key = (f.name.clone(), f.version.clone());
        let current = || {
            self.pools
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&key)
                .filter(|p| p.revision == f.revision_id && p.created.elapsed() < CREDENTIALS_RENEWED)
                .cloned()
        };
        if let Some(p) = current() {
            return Ok(p);
        }
        let _making = self.making_pool.lock().await;
        if let Some(p) = current() {
            return Ok(p);
        }
        let launch = self.launch(f).await?;
        let pool = match self.reserved(&f.name)? {
            Some(n) => {
                let slots = Arc::clone(
                    self.reserved_slots
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .entry(f.name.clone())
                        .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(n as usize))),
                );
                Pool::new(launch, f.revision_id.clone(), slots, true)
            }
            None => {
                let slots = Arc::new(tokio::sync::Semaphore::new(self.settings.max_processes.max(1)));
                Pool::new(launch, f.revision_id.clone(), slots, false)
            }
        };
        let mut pools = self.pools.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = pools.insert(key, Arc::clone(&pool)) {
            old.stop_idle();
        }
        Ok(pool)
    }

    /// Drops the warm processes of a function (it changed or was deleted).
    pub(crate) fn forget_processes(&self, name: &str) {
        self.reserved_slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name);
        let mut pools = self.pools.lock().unwrap_or_else(PoisonError::into_inner);
        pools.retain(|(n, _), p| {
            if n == name {
                p.stop_idle();
            }
            n != name
        });
    }

    /// How a version's processes start. A program that cannot be found is
    /// not an error here: the invocation reports it as AWS reports a
    /// runtime that cannot start.
    async fn launch(&self, f: &Function) -> Result<Launch> {
        // Extracting hundreds of MB is file work: off the async workers.
        let (code, package) = (self.code.clone(), f.code.clone());
        let layers: Vec<_> = f.layers.iter().map(|l| l.code.clone()).collect();
        let (task_root, opt) = tokio::task::spawn_blocking(move || {
            Ok::<_, LambdaError>((code.task_root(&package)?, code.opt_dir(&layers)?))
        })
        .await
        .map_err(LambdaError::internal)??;
        // Finding an interpreter may run it once: off the async workers.
        let (runtime, root, layers_dir) = (f.runtime.clone(), task_root.clone(), opt.clone());
        let (interpreters, clients) = (
            Arc::clone(&self.settings.interpreters),
            self.settings.dir.join("runtime"),
        );
        let program = tokio::task::spawn_blocking(move || {
            runtime::program(&runtime, &root, layers_dir.as_deref(), &interpreters, &clients)
        })
        .await
        .map_err(LambdaError::internal)?;
        let mut env = self.environment(f, &task_root, opt.as_deref());
        let creds = self.host.credentials(&f.role).await;
        env.push(("AWS_ACCESS_KEY_ID".into(), creds.access_key_id));
        env.push(("AWS_SECRET_ACCESS_KEY".into(), creds.secret_access_key));
        if let Some(token) = creds.session_token {
            env.push(("AWS_SESSION_TOKEN".into(), token));
        }
        Ok(Launch {
            env,
            program,
            task_root,
            log_group: f.log_group.as_str().into(),
            version: f.version.clone(),
            tmp_root: self.settings.dir.join("sandbox"),
        })
    }

    /// AWS's environment for a function, then the function's own variables.
    fn environment(
        &self,
        f: &Function,
        task_root: &std::path::Path,
        opt: Option<&std::path::Path>,
    ) -> Vec<(String, String)> {
        let path_of = |p: &std::path::Path| p.display().to_string();
        let opt_join = |sub: &str| opt.map(|o| path_of(&o.join(sub)));
        let mut path = opt_join("bin").into_iter().collect::<Vec<_>>();
        path.push(std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into()));
        let py = f.runtime.strip_prefix("python").unwrap_or("3");
        let mut env: Vec<(String, String)> = vec![
            ("AWS_LAMBDA_FUNCTION_NAME".into(), f.name.clone()),
            ("AWS_LAMBDA_FUNCTION_VERSION".into(), f.version.clone()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(), f.memory_size.to_string()),
            ("AWS_LAMBDA_LOG_GROUP_NAME".into(), f.log_group.clone()),
            ("AWS_LAMBDA_INITIALIZATION_TYPE".into(), "on-demand".into()),
            ("AWS_EXECUTION_ENV".into(), format!("AWS_Lambda_{}", f.runtime)),
            ("AWS_REGION".into(), self.settings.region.clone()),
            ("AWS_DEFAULT_REGION".into(), self.settings.region.clone()),
            ("_HANDLER".into(), f.handler.clone()),
            ("LAMBDA_TASK_ROOT".into(), path_of(task_root)),
            ("LAMBDA_RUNTIME_DIR".into(), path_of(&self.settings.dir.join("runtime"))),
            ("TZ".into(), ":UTC".into()),
            ("LANG".into(), "en_US.UTF-8".into()),
            ("PATH".into(), path.join(":")),
            ("AWS_ENDPOINT_URL".into(), self.host.endpoint()),
        ];
        if let Some(lib) = opt_join("lib") {
            env.push(("LD_LIBRARY_PATH".into(), lib));
        }
        let python_path: Vec<String> = [
            Some(path_of(task_root)),
            opt_join(&format!("python/lib/python{py}/site-packages")),
            opt_join("python"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if f.runtime.starts_with("python") {
            env.push(("PYTHONPATH".into(), python_path.join(":")));
        }
        if f.runtime.starts_with("nodejs") {
            let node: Vec<String> = [
                opt_join("nodejs/node_modules"),
                Some(path_of(&task_root.join("node_modules"))),
            ]
            .into_iter()
            .flatten()
            .collect();
            env.push(("NODE_PATH".into(), node.join(":")));
        }
        for (k, v) in &f.environment {
            let v = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            env.retain(|(key, _)| key != k);
            env.push((k.clone(), v));
        }
        env
    }

    /// Where a stored package is, for GetFunction's download location.
    pub fn package(&self, key: &str) -> Option<PathBuf> {
        self.code.stored(key)
    }
}

/// Splits `name`, `name:qualifier`, `acct:function:name[:q]` and
/// `arn:aws:lambda:region:acct:function:name[:q]`.
pub fn split_function_name(s: &str) -> Option<(String, Option<String>)> {
    let parts: Vec<&str> = s.split(':').collect();
    let (name, q) = match parts.as_slice() {
        [name] => (*name, None),
        [name, q] => (*name, Some(*q)),
        [_, "function", name] => (*name, None),
        [_, "function", name, q] => (*name, Some(*q)),
        ["arn", _, "lambda", _, _, "function", name] => (*name, None),
        ["arn", _, "lambda", _, _, "function", name, q] => (*name, Some(*q)),
        _ => return None,
    };
    let ok = |s: &str| {
        !s.is_empty() && s.len() <= 140 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let q_ok = |s: &str| {
        s == LATEST
            || (!s.is_empty()
                && s.len() <= 128
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    };
    (ok(name) && q.is_none_or(q_ok)).then(|| (name.to_owned(), q.map(str::to_owned)))
}

/// The version an alias sends this invocation to.
fn pick_version(alias: &Alias) -> String {
    let mut roll: f64 = rand::random();
    for (version, weight) in &alias.additional_weights {
        let w = weight.as_f64().unwrap_or(0.0);
        if roll < w {
            return version.clone();
        }
        roll -= w;
    }
    alias.version.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_in_every_form() {
        assert_eq!(split_function_name("f"), Some(("f".into(), None)));
        assert_eq!(split_function_name("f:prod"), Some(("f".into(), Some("prod".into()))));
        assert_eq!(split_function_name("123456789012:function:f"), Some(("f".into(), None)));
        assert_eq!(
            split_function_name("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"),
            Some(("f".into(), Some("$LATEST".into())))
        );
        assert_eq!(split_function_name("a/b"), None);
        assert_eq!(split_function_name(""), None);
        assert_eq!(split_function_name("a:b:c:d:e"), None);
    }
}
