//! A run's script as a local process: started in its own process group with
//! the environment [`JobSettings`](super::JobSettings) gives, its output
//! pumped to the logs, and ended by its own exit, by its timeout or by
//! BatchStopJobRun, whichever comes first; ending it ends what it started.

use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

use lakestack_aws_protocol::Clock;
use tokio::process::Command;
use tokio::sync::watch;

use super::output::{self, Sink};

/// What to start.
pub struct Launch {
    pub python: String,
    pub script: PathBuf,
    pub dir: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// How the process ended.
pub enum Ended {
    Exited(ExitStatus),
    TimedOut,
    Stopped,
}

/// The process's end and the last lines of its stderr.
pub struct Outcome {
    pub ended: Ended,
    pub stderr_tail: Vec<String>,
}

/// Runs `launch` to its end. `started` is called once the process runs (the
/// run is RUNNING from then on); an `Err` is a process that could not start.
pub async fn run(
    launch: Launch,
    timeout: Option<Duration>,
    clock: &Clock,
    mut stop: watch::Receiver<bool>,
    stdout: Sink,
    stderr: Sink,
    started: impl FnOnce(),
) -> Result<Outcome, String> {
    let mut cmd = Command::new(&launch.python);
    cmd.arg(&launch.script)
        .args(&launch.args)
        .current_dir(&launch.dir)
        .env_clear()
        .envs(launch.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        // Its own process group, so that a timeout or a stop ends what the
        // script started too.
        .process_group(0)
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("lakestack could not start {}: {e}", launch.python))?;
    let group = child.id();
    let out = child.stdout.take().map(|r| tokio::spawn(output::pump(r, stdout)));
    let err = child.stderr.take().map(|r| tokio::spawn(output::pump(r, stderr)));

    // The script's own work runs in real time, whatever the clock's scale:
    // its timeout does too (a scale of 0 would otherwise end every run at
    // once), and an advance of the clock still counts as time run.
    let mut timer = Box::pin(async move {
        match timeout {
            Some(d) => clock.sleep_scaled(d, d).await,
            None => std::future::pending().await,
        }
    });
    // Polled once now, so that an advance made as soon as the run says it is
    // RUNNING already counts.
    let expired = futures::poll!(timer.as_mut()).is_ready();
    started();
    let ended = if expired {
        Ended::TimedOut
    } else {
        tokio::select! {
            status = child.wait() => match status {
                Ok(s) => Ended::Exited(s),
                Err(e) => {
                    kill_group(group);
                    return Err(format!("lakestack lost the job's process: {e}"));
                }
            },
            () = &mut timer => Ended::TimedOut,
            () = stop_requested(&mut stop) => Ended::Stopped,
        }
    };
    // Whatever the script left running goes with it, as with Glue's container.
    kill_group(group);
    if !matches!(ended, Ended::Exited(_)) {
        let _ = child.wait().await;
    }
    // A process that left the group (a new session) may still hold the pipes
    // open: the output is waited for a while, then given up, so the run ends.
    if let Some(out) = out {
        let abort = out.abort_handle();
        if tokio::time::timeout(PIPE_GRACE, out).await.is_err() {
            abort.abort();
        }
    }
    let stderr_tail = match err {
        Some(err) => {
            let abort = err.abort_handle();
            match tokio::time::timeout(PIPE_GRACE, err).await {
                Ok(tail) => tail.unwrap_or_default(),
                Err(_) => {
                    abort.abort();
                    Vec::new()
                }
            }
        }
        None => Vec::new(),
    };
    Ok(Outcome { ended, stderr_tail })
}

/// How long a run's output is read after its process has ended.
const PIPE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Resolves once a stop is asked for (never, if the asker is gone).
pub async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

/// SIGKILL to a process group; one already gone is no error.
fn kill_group(group: Option<u32>) {
    if let Some(pid) = group.and_then(|g| rustix::process::Pid::from_raw(g as i32)) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}
