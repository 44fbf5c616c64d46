//! One process running a function's code: AWS's execution environment.
//! It gets its own Runtime API listener, its output goes to its own log
//! stream (`YYYY/MM/DD/[<version>]<id>`), and it serves one invocation at
//! a time until it is stopped, crashes or times out.

use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use tokio::sync::oneshot;

use super::Program;
use super::api::{self, Invocation, Outcome, Shared};
use super::output::Output;
use crate::logs::LogWriter;

/// Everything about starting a process that is the same for every
/// instance of one function version.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The program, or why there is none (the invocation's error message).
    pub program: Result<Program, super::NoProgram>,
    pub task_root: PathBuf,
    /// The function's environment, less the per-instance variables.
    pub env: Vec<(String, String)>,
    pub log_group: Arc<str>,
    pub version: String,
    /// Each instance's `TMPDIR` is a directory of its own under this.
    pub tmp_root: PathBuf,
}

pub struct Instance {
    pub id: String,
    pub log_stream: Arc<str>,
    pub log_group: Arc<str>,
    pub started: Instant,
    pid: Option<u32>,
    shared: Arc<Shared>,
    pub output: Output,
    exited: Arc<AtomicBool>,
    /// Dropping it stops the process.
    stop: Mutex<Option<oneshot::Sender<()>>>,
    server: tokio::task::JoinHandle<()>,
    tmp: PathBuf,
    /// Whether it has served an invocation: the first one reports the init.
    pub warm: AtomicBool,
    pub idle_since: Mutex<Instant>,
}

impl Instance {
    /// Starts a process; the error is the message of the invocation's
    /// `Runtime.InvalidEntrypoint` error.
    pub async fn start(launch: &Launch, writer: LogWriter) -> Result<Arc<Self>, String> {
        let started = Instant::now();
        let program = launch.program.as_ref().map_err(Clone::clone)?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let log_stream: Arc<str> = format!("{}/[{}]{id}", chrono::Utc::now().format("%Y/%m/%d"), launch.version).into();
        let shared = Shared::new();
        let (addr, server) = api::serve(Arc::clone(&shared))
            .await
            .map_err(|e| format!("lakestack could not open a Runtime API listener: {e}"))?;
        let tmp = launch.tmp_root.join(&id);
        let spawned = spawn(launch, program, &addr.to_string(), &log_stream, &tmp);
        let (child, pipe) = match spawned {
            Ok(x) => x,
            Err(e) => {
                server.abort();
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        let pid = child.id();
        let output = Output::start(pipe, writer, Arc::clone(&launch.log_group), Arc::clone(&log_stream));
        let exited = Arc::new(AtomicBool::new(false));
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(watch(child, stopped, Arc::clone(&shared), Arc::clone(&exited)));
        Ok(Arc::new(Self {
            id,
            log_stream,
            log_group: Arc::clone(&launch.log_group),
            started,
            pid,
            shared,
            output,
            exited,
            stop: Mutex::new(Some(stop)),
            server,
            tmp,
            warm: AtomicBool::new(false),
            idle_since: Mutex::new(Instant::now()),
        }))
    }

    /// Hands an invocation to the process; if it is gone, the invocation
    /// ends as its exit did.
    pub fn send(&self, inv: Invocation) {
        self.shared.dispatch(inv);
    }

    /// How the process ended, if it has.
    pub fn ended(&self) -> Option<Outcome> {
        self.shared.closed()
    }

    pub fn alive(&self) -> bool {
        !self.exited.load(Ordering::SeqCst)
    }

    /// When the process first asked for an event.
    pub fn ready_at(&self) -> Option<Instant> {
        self.shared.ready_at()
    }

    /// Stops the process (a timeout, an init error, an idle instance).
    pub fn stop(&self) {
        self.stop.lock().unwrap_or_else(PoisonError::into_inner).take();
    }

    /// The most memory the process has used, in MB (`VmHWM`), as REPORT
    /// lines give it.
    pub fn max_memory_mb(&self) -> u64 {
        let Some(pid) = self.pid else { return 0 };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb.div_ceil(1024))
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop();
        self.server.abort();
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

fn spawn(
    launch: &Launch,
    program: &Program,
    api: &str,
    log_stream: &str,
    tmp: &std::path::Path,
) -> Result<(tokio::process::Child, tokio::net::unix::pipe::Receiver), String> {
    std::fs::create_dir_all(tmp).map_err(|e| format!("lakestack could not create {}: {e}", tmp.display()))?;
    let (reader, writer) = std::io::pipe().map_err(|e| format!("lakestack could not open a pipe: {e}"))?;
    let writer2 = writer
        .try_clone()
        .map_err(|e| format!("lakestack could not open a pipe: {e}"))?;
    let mut cmd = tokio::process::Command::new(&program.path);
    cmd.args(&program.args)
        .current_dir(&launch.task_root)
        .env_clear()
        .envs(launch.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("AWS_LAMBDA_RUNTIME_API", api)
        .env("AWS_LAMBDA_LOG_STREAM_NAME", log_stream)
        .env("TMPDIR", tmp)
        .stdin(std::process::Stdio::null())
        .stdout(writer)
        .stderr(writer2)
        // Its own process group, so stopping it stops what it started too
        // (a shell bootstrap's program, a handler's subprocesses).
        .process_group(0)
        .kill_on_drop(true);
    let child = cmd.spawn().map_err(|e| {
        let what: OsString = program.path.clone().into_os_string();
        format!("lakestack could not start {}: {e}", what.to_string_lossy())
    })?;
    // Our copies of the write end close with the command, so the pipe ends
    // when the process (and whatever it started) has closed its own.
    drop(cmd);
    let pipe = tokio::net::unix::pipe::Receiver::from_owned_fd(OwnedFd::from(reader))
        .map_err(|e| format!("lakestack could not read the process's output: {e}"))?;
    Ok((child, pipe))
}

/// Waits for the process to end (or to be told to stop it), then ends its
/// invocations as AWS reports a runtime that exited.
async fn watch(
    mut child: tokio::process::Child,
    stopped: oneshot::Receiver<()>,
    shared: Arc<Shared>,
    exited: Arc<AtomicBool>,
) {
    let group = child.id();
    let status = tokio::select! {
        s = child.wait() => s,
        _ = stopped => {
            kill_group(group);
            let _ = child.start_kill();
            child.wait().await
        }
    };
    // Whatever the process left running goes with it, as with AWS's sandbox.
    kill_group(group);
    exited.store(true, Ordering::SeqCst);
    let how = match status {
        Ok(s) => describe(s),
        Err(e) => Some(e.to_string()),
    };
    shared.fail_all(Outcome::Exited(how));
}

/// SIGKILL to a process group; one already gone is no error.
fn kill_group(group: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = group.and_then(|g| rustix::process::Pid::from_raw(g as i32)) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = group;
}

/// An exit status as Lambda words it: `exit status 1`, `signal: killed`;
/// `None` for a clean exit, which Lambda reports as giving no reason.
fn describe(s: std::process::ExitStatus) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(sig) = s.signal() {
            let name = match sig {
                9 => "killed".to_owned(),
                15 => "terminated".to_owned(),
                11 => "segmentation fault".to_owned(),
                6 => "aborted".to_owned(),
                n => n.to_string(),
            };
            return Some(format!("signal: {name}"));
        }
    }
    match s.code() {
        Some(0) => None,
        code => Some(format!("exit status {}", code.unwrap_or(-1))),
    }
}
