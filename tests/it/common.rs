use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use aws_sdk_s3::Client;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    pub endpoint: String,
    pub port: u16,
}

impl Server {
    pub fn start() -> Self {
        Self::start_with(&["--ephemeral"])
    }

    pub fn start_in(dir: &Path) -> Self {
        Self::start_with(&["--data-dir", dir.to_str().unwrap()])
    }

    pub fn start_with(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lakestack"))
            .args(["--port", "0"])
            .args(args)
            .env("RUST_LOG", "warn,s3s=off")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start lakestack");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read ready line");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("ready line names the address");
        let port = url.rsplit(':').next().unwrap().parse().unwrap();
        Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
        }
    }

    pub fn client(&self) -> Client {
        client_with(&self.endpoint, "test", "test", true)
    }

    /// `kill -9`: no chance to flush or clean up.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    /// SIGTERM, so an `--ephemeral` server removes its temporary state.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

pub fn client_with(endpoint: &str, ak: &str, sk: &str, path_style: bool) -> Client {
    let http = aws_smithy_http_client::Builder::new().build_http();
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(ak, sk, None, None, "static"))
        .force_path_style(path_style)
        .http_client(http)
        .build();
    Client::from_conf(conf)
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("lakestack-it-").tempdir().unwrap()
}

#[allow(dead_code)]
pub fn path(p: &Path) -> PathBuf {
    p.to_owned()
}

/// Deterministic bytes, so a round trip can be checked without keeping a copy.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).rotate_left(u32::from(seed % 31)) as u8 ^ seed)
        .collect()
}

pub fn md5_hex(b: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(b))
}

/// The S3 error code of an SDK error, whatever the operation.
pub fn code<E, R>(e: &aws_sdk_s3::error::SdkError<E, R>) -> String
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    e.as_service_error()
        .and_then(|s| s.code())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{e:?}"))
}

pub fn status<E>(e: &aws_sdk_s3::error::SdkError<E, aws_smithy_runtime_api::http::Response>) -> u16 {
    e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0)
}

pub async fn body(out: aws_sdk_s3::operation::get_object::GetObjectOutput) -> Vec<u8> {
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

/// A client of the aws-sdk crate `$sdk` (aws_sdk_glue, aws_sdk_athena, ...)
/// for the server, with static test credentials and plain HTTP.
macro_rules! sdk_client {
    ($sdk:ident, $server:expr) => {
        sdk_client!($sdk, $server, "test", "test")
    };
    ($sdk:ident, $server:expr, $ak:expr, $sk:expr) => {
        sdk_client!($sdk, $server, $ak, $sk, None)
    };
    ($sdk:ident, $server:expr, $ak:expr, $sk:expr, $token:expr) => {{
        let conf = $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .region($sdk::config::Region::new("us-east-1"))
            .endpoint_url(&$server.endpoint)
            .credentials_provider($sdk::config::Credentials::new($ak, $sk, $token, None, "static"))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        $sdk::Client::from_conf(conf)
    }};
}
pub(crate) use sdk_client;

/// The `<Code>` of an S3 XML error body, or "" when it has none.
pub fn xml_code(body: &str) -> &str {
    body.split("<Code>")
        .nth(1)
        .and_then(|s| s.split("</Code>").next())
        .unwrap_or("")
}
