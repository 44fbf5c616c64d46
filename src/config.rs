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
    /// Multiplies every Step Functions wait (Wait states, retry intervals,
    /// timeouts): 0 makes them instant, as WAIT_TIME_SCALE does in the AWS
    /// local tool.
    #[arg(long, env = "LAKESTACK_WAIT_TIME_SCALE", default_value_t = 1.0)]
    pub wait_time_scale: f64,
    /// A Step Functions mock configuration (the AWS local tool's
    /// MockConfigFile.json): StartExecution on `<state machine ARN>#<test
    /// case>` answers its Task states with the mocked responses.
    #[arg(long, env = "SFN_MOCK_CONFIG")]
    pub mock_config: Option<PathBuf>,
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

impl Config {
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
