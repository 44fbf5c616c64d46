//! How a function's code runs: as a local process per concurrent
//! invocation ([`instance`]), kept warm in a [`pool`] per version, talking
//! to lakestack over the Lambda Runtime API ([`api`]). `provided.*`
//! functions run their zip's `bootstrap`; `python3.*` and `nodejs*` run a
//! small runtime client of ours ([`bootstrap`]) with an interpreter found on
//! the machine.

pub mod api;
pub mod instance;
pub mod output;
pub mod pool;

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The runtime clients lakestack ships, written under the data directory
/// on first use.
pub mod bootstrap {
    pub const PYTHON: &str = include_str!("bootstrap/python.py");
    pub const NODE: &str = include_str!("bootstrap/node.mjs");
}

/// Interpreters named on the command line, by runtime (`python3.12` →
/// `/opt/py312/bin/python3`); anything not named is looked up on PATH,
/// and a candidate found there is run once, asked where its executable
/// really is: version managers put shims on PATH (for versions that may not
/// be installed), and a shim costs every cold start a script's run.
#[derive(Debug, Default)]
pub struct Interpreters {
    named: HashMap<String, PathBuf>,
    probed: Mutex<HashMap<String, Option<PathBuf>>>,
}

impl Interpreters {
    pub fn new(named: HashMap<String, PathBuf>) -> Self {
        Self {
            named,
            probed: Mutex::new(HashMap::new()),
        }
    }

    /// The interpreter for `runtime`: the one named for it, else the first
    /// of `candidates` on PATH that runs.
    fn find(&self, runtime: &str, candidates: &[&str]) -> Option<PathBuf> {
        if let Some(p) = self.named.get(runtime) {
            return Some(p.clone());
        }
        candidates.iter().find_map(|c| {
            let mut probed = self.probed.lock().unwrap_or_else(PoisonError::into_inner);
            probed
                .entry((*c).to_owned())
                .or_insert_with(|| on_path(c).and_then(|p| executable_of(&p)))
                .clone()
        })
    }
}

/// The interpreter `program` really runs, as it reports it (Python's
/// `sys.executable`, Node's `process.execPath`); `None` if it does not run.
fn executable_of(program: &Path) -> Option<PathBuf> {
    let node = program
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("node"));
    let args: [&str; 2] = if node {
        ["-p", "process.execPath"]
    } else {
        ["-c", "import sys; print(sys.executable)"]
    };
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let reported = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    Some(if is_executable(&reported) {
        reported
    } else {
        program.to_owned()
    })
}

/// The program a runtime starts, and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub path: PathBuf,
    pub args: Vec<OsString>,
}

/// Why a function's process cannot be started: the message of the
/// invocation's `Runtime.InvalidEntrypoint` error.
pub type NoProgram = String;

/// Which program runs a function of `runtime` whose code is in
/// `task_root` and layers in `opt`; `clients` is where our runtime
/// clients are written.
pub fn program(
    runtime: &str,
    task_root: &Path,
    opt: Option<&Path>,
    interpreters: &Interpreters,
    clients: &Path,
) -> Result<Program, NoProgram> {
    if runtime.starts_with("provided") {
        let candidates = std::iter::once(task_root.join("bootstrap")).chain(opt.map(|o| o.join("bootstrap")));
        for c in candidates {
            if c.is_file() {
                return Ok(Program {
                    path: c,
                    args: Vec::new(),
                });
            }
        }
        return Err("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]".into());
    }
    let (client, text, fallbacks): (&str, &str, &[&str]) = if runtime.starts_with("python3") {
        ("python.py", bootstrap::PYTHON, &["python3"])
    } else if runtime.starts_with("nodejs") {
        ("node.mjs", bootstrap::NODE, &["node"])
    } else {
        return Err(format!(
            "lakestack cannot run the {runtime} runtime: functions run here with provided.*, python3.x or nodejs* runtimes"
        ));
    };
    let candidates: Vec<&str> = std::iter::once(runtime).chain(fallbacks.iter().copied()).collect();
    let interpreter = interpreters.find(runtime, &candidates).ok_or_else(|| {
            format!(
            "lakestack could not start the {runtime} runtime: neither {} is on PATH (name one with --lambda-interpreter {runtime}=/path/to/{})",
            candidates.join(" nor "),
            fallbacks[0]
        )
    })?;
    let path = clients.join(client);
    write_client(&path, text).map_err(|e| format!("lakestack could not write its runtime client: {e}"))?;
    Ok(Program {
        path: interpreter,
        args: vec![path.into_os_string()],
    })
}

/// Writes a runtime client unless it is already there as this build has it.
fn write_client(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// The first executable named `name` on the server's PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// The environment variables Lambda reserves: a function may not set them.
pub const RESERVED: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_by_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let task = dir.path().join("task");
        std::fs::create_dir_all(&task).unwrap();
        let none = Interpreters::default();
        let e = program("provided.al2023", &task, None, &none, dir.path()).unwrap_err();
        assert_eq!(
            e,
            "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
        );
        std::fs::write(task.join("bootstrap"), "#!/bin/sh\n").unwrap();
        assert_eq!(
            program("provided.al2", &task, None, &none, dir.path()).unwrap().path,
            task.join("bootstrap")
        );
        let e = program("java21", &task, None, &none, dir.path()).unwrap_err();
        assert!(e.contains("cannot run the java21 runtime"), "{e}");
        let named = Interpreters::new(HashMap::from([("python3.99".to_owned(), PathBuf::from("/x/py"))]));
        let p = program("python3.99", &task, None, &named, &dir.path().join("clients")).unwrap();
        assert_eq!(p.path, PathBuf::from("/x/py"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("clients/python.py")).unwrap(),
            bootstrap::PYTHON
        );
        // A name on PATH that does not run is passed over; one that does
        // names its real executable.
        assert_eq!(executable_of(Path::new("/nonexistent/python3")), None);
        if let Some(p) = on_path("python3") {
            assert!(executable_of(&p).is_some_and(|e| is_executable(&e)));
        }
    }
}
