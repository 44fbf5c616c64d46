//! Lambda and STS through aws-sdk-rust: a Python function created from a
//! zip and invoked, and strict authentication that accepts the temporary
//! keys STS issued, for us and for a function's own calls.

use std::io::Write as _;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, LogType, Runtime};

use crate::common::{Server, sdk_client};

const ROLE: &str = "arn:aws:iam::000000000000:role/fn";

const APP: &str = r#"
import boto3
def handler(event, context):
    if event.get("fail"):
        raise RuntimeError("asked to fail")
    s3 = boto3.client("s3")
    s3.put_object(Bucket=event["bucket"], Key="k", Body=b"v")
    return {"caller": boto3.client("sts").get_caller_identity()["Arn"], "n": event["n"] + 1}
"#;

fn zip_of(name: &str, text: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
    w.write_all(text.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

/// Whether the python3 functions run with has boto3 (tests/run puts the
/// clients' venv first on PATH).
fn python_has_boto3() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import boto3"])
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test]
async fn strict_mode_accepts_sts_keys_and_functions_run_with_them() {
    if !python_has_boto3() {
        eprintln!("skipped: python3 has no boto3 (run through tests/run, which puts its venv on PATH)");
        return;
    }
    let s = Server::start_with(&["--ephemeral", "--auth", "strict", "--keys", "AKIDADMIN:adminsecret"]);
    let sts = sdk_client!(aws_sdk_sts, s, "AKIDADMIN", "adminsecret");
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some("arn:aws:iam::000000000000:root"));
    let assumed = sts
        .assume_role()
        .role_arn(ROLE)
        .role_session_name("ci")
        .send()
        .await
        .unwrap();
    let c = assumed.credentials().unwrap();
    assert!(c.access_key_id().starts_with("ASIA"), "{}", c.access_key_id());
    let temp = sdk_client!(
        aws_sdk_sts,
        s,
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned())
    );
    let who = temp.get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some("arn:aws:sts::000000000000:assumed-role/fn/ci"));
    let s3 = crate::common::client_with(&s.endpoint, c.access_key_id(), c.secret_access_key(), true);
    s3.create_bucket().bucket("strict").send().await.unwrap();
    let wrong = crate::common::client_with(&s.endpoint, c.access_key_id(), "not-the-secret", true);
    assert!(wrong.list_buckets().send().await.is_err());

    let lambda = sdk_client!(aws_sdk_lambda, s, "AKIDADMIN", "adminsecret");
    let created = lambda
        .create_function()
        .function_name("writer")
        .runtime(Runtime::Python311)
        .role(ROLE)
        .handler("app.handler")
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_of("app.py", APP)))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.state().map(|s| s.as_str()), Some("Pending"));
    let out = lambda
        .invoke()
        .function_name("writer")
        .payload(Blob::new(r#"{"bucket": "strict", "n": 41}"#))
        .log_type(LogType::Tail)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 200);
    assert_eq!(out.function_error(), None);
    let answer: serde_json::Value = serde_json::from_slice(out.payload().unwrap().as_ref()).unwrap();
    // The function signed its S3 and STS calls with its role's temporary keys.
    assert_eq!(
        answer,
        serde_json::json!({"caller": "arn:aws:sts::000000000000:assumed-role/fn/lakestack-lambda", "n": 42})
    );
    let head = s3.head_object().bucket("strict").key("k").send().await.unwrap();
    assert_eq!(head.content_length(), Some(1));

    let failed = lambda
        .invoke()
        .function_name("writer")
        .payload(Blob::new(r#"{"fail": true}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.function_error(), Some("Unhandled"));
    let e: serde_json::Value = serde_json::from_slice(failed.payload().unwrap().as_ref()).unwrap();
    assert_eq!(
        (e["errorType"].as_str(), e["errorMessage"].as_str()),
        (Some("RuntimeError"), Some("asked to fail"))
    );
}
