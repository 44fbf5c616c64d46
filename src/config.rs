//! Command-line flags and `LAKESTACK_*` environment variables.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Auth {
    /// Accept any credentials (malformed Authorization headers are still refused).
    Permissive,
    /// Verify SigV4 against the configured key pairs.
    Strict,
}

/// lakestack: a local, offline emulator of the AWS data-lake stack on one port.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "LAKESTACK_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, env = "LAKESTACK_PORT", default_value_t = 4566)]
    pub port: u16,
    /// Where state persists.
    #[arg(long, env = "LAKESTACK_DATA_DIR", default_value = ".lakestack")]
    pub data_dir: PathBuf,
    /// Keep state in a temporary directory removed at exit (for CI).
    #[arg(long, env = "LAKESTACK_EPHEMERAL")]
    pub ephemeral: bool,
    /// The region the emulated services report.
    #[arg(long, env = "LAKESTACK_REGION", default_value = "us-east-1")]
    pub region: String,
    /// The account id in ARNs and owners.
    #[arg(long, env = "LAKESTACK_ACCOUNT_ID", default_value = "000000000000")]
    pub account_id: String,
    /// How requests are authenticated.
    #[arg(long, env = "LAKESTACK_AUTH", value_enum, default_value_t = Auth::Permissive)]
    pub auth: Auth,
    /// Access key pairs for `--auth strict`, as `AKID:SECRET`, comma-separated.
    #[arg(long, env = "LAKESTACK_KEYS", value_delimiter = ',')]
    pub keys: Vec<String>,
    /// Multiplies every wait the services keep (Step Functions' Wait states,
    /// retry intervals and timeouts, Lambda's retries, SQS's timeouts,
    /// EventBridge's retries): 0 makes them instant, as WAIT_TIME_SCALE does in
    /// the AWS local tool. Calendar time (schedules) is not scaled: advance it
    /// with `POST /_lakestack/clock` (docs/clock.md).
    #[arg(long, env = "LAKESTACK_WAIT_TIME_SCALE", default_value_t = 1.0)]
    pub wait_time_scale: f64,
    /// Starts the server's calendar at this time (RFC 3339, `2026-01-01T00:00:00Z`)
    /// instead of now, so that tests see the same dates and schedules on every run.
    #[arg(long, env = "LAKESTACK_CLOCK_START", value_parser = parse_time)]
    pub clock_start: Option<chrono::DateTime<chrono::Utc>>,
    /// The largest PutEvents entry EventBridge accepts, in bytes: AWS's
    /// current limit (1 MiB) unless set lower (`262144`, the old limit).
    #[arg(long, env = "LAKESTACK_EVENTS_MAX_ENTRY_BYTES", default_value_t = lakestack_events::service::DEFAULT_MAX_ENTRY_BYTES)]
    pub events_max_entry_bytes: usize,
    /// A Step Functions mock configuration (the AWS local tool's
    /// MockConfigFile.json): StartExecution on `<state machine ARN>#<test
    /// case>` answers its Task states with the mocked responses.
    #[arg(long, env = "SFN_MOCK_CONFIG")]
    pub mock_config: Option<PathBuf>,
    /// Memory Athena queries may hold at once in sorts, joins and
    /// aggregations, across all running queries (`512MiB`, `4GiB`, bytes);
    /// past it a query ends FAILED. Default: a quarter of the machine's RAM.
    #[arg(long, env = "LAKESTACK_QUERY_MEMORY", value_parser = parse_bytes)]
    pub query_memory: Option<usize>,
    /// How long one Athena query may run before it ends FAILED (`90s`, `30m`,
    /// `1h`, or seconds). Default: 30m, Athena's own DML timeout.
    #[arg(long, env = "LAKESTACK_QUERY_TIMEOUT", value_parser = parse_duration)]
    pub query_timeout: Option<std::time::Duration>,
    /// The interpreter a Lambda runtime runs with, as `RUNTIME=PATH`
    /// (`python3.12=/opt/py312/bin/python3`), comma-separated; a runtime not
    /// named runs with `python3.x`/`python3` or `node` from PATH.
    #[arg(
        long = "lambda-interpreter",
        env = "LAKESTACK_LAMBDA_INTERPRETERS",
        value_delimiter = ','
    )]
    pub lambda_interpreters: Vec<String>,
    /// Processes one Lambda function version may run at once (its
    /// concurrency, unless it has reserved concurrency).
    #[arg(long, env = "LAKESTACK_LAMBDA_MAX_PROCESSES", default_value_t = 8)]
    pub lambda_max_processes: usize,
    /// How long an idle function process is kept warm (`90s`, `5m`).
    #[arg(long, env = "LAKESTACK_LAMBDA_IDLE_TIMEOUT", value_parser = parse_duration, default_value = "5m")]
    pub lambda_idle_timeout: std::time::Duration,
    /// Extra base domains for virtual-hosted-style S3 (`bucket.<domain>`).
    #[arg(long = "s3-host", env = "LAKESTACK_S3_HOSTS", value_delimiter = ',')]
    pub s3_hosts: Vec<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Runs the whole stack once, offline, on a fresh data directory: uploads a
    /// small generated data lake, crawls it, and runs a Step Functions pipeline
    /// (crawl, poll, Athena CTAS, query, publish to S3), printing each step.
    Demo(DemoArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Keep the demo's state here (a new or empty directory) to explore it
    /// after with `lakestack --data-dir DIR`; by default a temporary
    /// directory is used and removed.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// `4GiB`, `512MiB`, `64KiB`, `1G`, or a plain count of bytes.
fn parse_bytes(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let n: usize = n.parse().map_err(|_| format!("{s:?} is not a size such as 4GiB"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(format!("{s:?} is not a size such as 4GiB")),
    };
    n.checked_mul(1 << shift).ok_or_else(|| format!("{s:?} is too large"))
}

/// An RFC 3339 time (`2026-01-01T00:00:00Z`).
fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 time such as 2026-01-01T00:00:00Z: {e}"))
}

/// `90s`, `30m`, `1h`, `500ms`, or a plain count of seconds.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let n: u64 = n.parse().map_err(|_| format!("{s:?} is not a duration such as 30m"))?;
    let ms = match unit.trim() {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        _ => return Err(format!("{s:?} is not a duration such as 30m")),
    };
    let ms = n.checked_mul(ms).ok_or_else(|| format!("{s:?} is too long"))?;
    if ms == 0 {
        return Err("the timeout must be longer than zero".into());
    }
    Ok(std::time::Duration::from_millis(ms))
}

impl Config {
    /// Athena's limits: the flags where given, else [`QueryLimits::default`].
    pub fn query_limits(&self) -> lakestack_query::QueryLimits {
        let default = lakestack_query::QueryLimits::default();
        lakestack_query::QueryLimits {
            memory: self.query_memory.unwrap_or(default.memory),
            timeout: self.query_timeout.unwrap_or(default.timeout),
        }
    }

    /// `--lambda-interpreter` entries by runtime.
    pub fn lambda_interpreters(&self) -> anyhow::Result<std::collections::HashMap<String, PathBuf>> {
        self.lambda_interpreters
            .iter()
            .map(|e| {
                e.split_once('=')
                    .filter(|(r, p)| !r.is_empty() && !p.is_empty())
                    .map(|(r, p)| (r.to_owned(), PathBuf::from(p)))
                    .ok_or_else(|| anyhow::anyhow!("--lambda-interpreter entries must be RUNTIME=PATH, got {e:?}"))
            })
            .collect()
    }

    pub fn key_pairs(&self) -> anyhow::Result<Vec<(String, String)>> {
        self.keys
            .iter()
            .map(|k| {
                k.split_once(':')
                    .map(|(a, s)| (a.to_owned(), s.to_owned()))
                    .ok_or_else(|| anyhow::anyhow!("--keys entries must be AKID:SECRET, got {k:?}"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_bytes("4GiB"), Ok(4 << 30));
        assert_eq!(parse_bytes("512m"), Ok(512 << 20));
        assert_eq!(parse_bytes("1000"), Ok(1000));
        assert!(parse_bytes("4 parsecs").is_err());
        assert_eq!(parse_duration("90s"), Ok(std::time::Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(std::time::Duration::from_secs(1800)));
        assert_eq!(parse_duration("250ms"), Ok(std::time::Duration::from_millis(250)));
        assert_eq!(parse_duration("7"), Ok(std::time::Duration::from_secs(7)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("1 fortnight").is_err());
    }
}
