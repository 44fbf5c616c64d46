use crate::common::{Server, sdk_client};

#[tokio::test]
async fn health_endpoints() {
    let s = Server::start();
    for path in ["/_lakestack/health", "/_localstack/health"] {
        let r = reqwest::get(format!("{}{path}", s.endpoint)).await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(v["services"]["s3"], "running");
        assert_eq!(v["services"]["glue"], "running");
        assert_eq!(v["services"]["athena"], "running");
        assert_eq!(v["services"]["stepfunctions"], "running");
        for service in ["lambda", "logs", "iam", "sts"] {
            assert_eq!(v["services"][service], "running", "{service}");
        }
    }
}

/// A fresh data directory serves S3 alone until Glue, Athena or Step
/// Functions is first called; then all three come up, and a later start
/// opens them at once because their state exists.
#[tokio::test]
async fn the_lake_opens_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let lake = ["glue", "athena", "stepfunctions"];
    let present = || lake.iter().filter(|d| dir.path().join(d).exists()).count();
    {
        let s = Server::start_in(dir.path());
        s.client().create_bucket().bucket("first").send().await.unwrap();
        assert_eq!(present(), 0, "S3 alone opened nothing else");
        let states: aws_sdk_sfn::Client = sdk_client!(aws_sdk_sfn, s);
        let listed = states.list_state_machines().send().await.unwrap();
        assert!(listed.state_machines().is_empty());
        assert_eq!(present(), 3);
        let glue: aws_sdk_glue::Client = sdk_client!(aws_sdk_glue, s);
        glue.create_database()
            .database_input(
                aws_sdk_glue::types::DatabaseInput::builder()
                    .name("kept")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let s = Server::start_in(dir.path());
    let glue: aws_sdk_glue::Client = sdk_client!(aws_sdk_glue, s);
    let got = glue.get_database().name("kept").send().await.unwrap();
    assert_eq!(got.database().unwrap().name(), "kept");
}

#[tokio::test]
async fn unimplemented_services_answer_errors_naming_them() {
    let s = Server::start();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/", s.endpoint))
        .header("x-amz-target", "DynamoDB_20120810.PutItem")
        .header("content-type", "application/x-amz-json-1.0")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 501);
    assert_eq!(r.headers().get("x-amzn-errortype").unwrap(), "NotImplemented");
    let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(v["__type"], "NotImplemented");
    assert_eq!(
        v["message"],
        "lakestack does not implement the dynamodb service yet (operation PutItem)"
    );

    let r = http
        .post(format!("{}/", s.endpoint))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/cloudformation/aws4_request, SignedHeaders=host, Signature=00",
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Action=ListStacks&Version=2010-05-15")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 501);
    let body = r.text().await.unwrap();
    assert!(body.contains("<Code>NotImplemented</Code>"), "{body}");
    assert!(
        body.contains("cloudformation service yet (operation ListStacks)"),
        "{body}"
    );

    // An S3 operation we do not implement names itself.
    let c = s.client();
    c.create_bucket().bucket("xyz").send().await.unwrap();
    let e = c.get_bucket_website().bucket("xyz").send().await.unwrap_err();
    assert_eq!(crate::common::code(&e), "NotImplemented");
}

/// Under strict auth the body of a JSON request is part of its signature: a
/// captured request replayed with another body is refused, whether or not it
/// carries (signed or not) an `x-amz-content-sha256` naming the original body.
#[tokio::test]
async fn strict_auth_binds_the_json_body() {
    use aws_sigv4::http_request::{PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    use sha2::Digest;
    use std::time::SystemTime;

    let s = Server::start_with(&["--ephemeral", "--auth", "strict", "--keys", "AKIDGLUE:glue-secret"]);
    let identity = aws_credential_types::Credentials::new("AKIDGLUE", "glue-secret", None, None, "test").into();
    let host = format!("127.0.0.1:{}", s.port);
    let original = r#"{"DatabaseInput":{"Name":"signed"}}"#;
    let forged = r#"{"DatabaseInput":{"Name":"forged"}}"#;
    let original_sha = hex::encode(sha2::Sha256::digest(original.as_bytes()));
    let headers = [
        ("host", host.as_str()),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "AWSGlue.CreateDatabase"),
    ];
    // Signs `original` once, as a client would; `sha_header` also signs an
    // `x-amz-content-sha256` (as the S3 signer does).
    let signed_headers = |sha_header: bool| {
        let mut settings = SigningSettings::default();
        if sha_header {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("glue")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .unwrap();
        let url = format!("{}/", s.endpoint);
        let signable = SignableRequest::new(
            "POST",
            url.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(original.as_bytes()),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params.into()).unwrap().into_parts();
        let mut out: Vec<(String, String)> = headers[1..]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        out.extend(instructions.headers().map(|(k, v)| (k.to_owned(), v.to_owned())));
        out
    };
    let send = |headers: Vec<(String, String)>, body: &'static str| {
        let mut req = reqwest::Client::new().post(format!("{}/", s.endpoint));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.body(body).send()
    };

    let with_sha = signed_headers(true);
    assert!(
        with_sha
            .iter()
            .any(|(k, v)| k == "x-amz-content-sha256" && *v == original_sha)
    );
    let mut unsigned_sha = signed_headers(false);
    assert!(!unsigned_sha.iter().any(|(k, _)| k == "x-amz-content-sha256"));
    unsigned_sha.push(("x-amz-content-sha256".to_owned(), original_sha.clone()));
    for replay in [&with_sha, &unsigned_sha, &signed_headers(false)] {
        let r = send(replay.clone(), forged).await.unwrap();
        assert_eq!(r.status().as_u16(), 403);
        assert_eq!(r.headers()["x-amzn-errortype"], "InvalidSignatureException");
        let v: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert_eq!(v["__type"], "InvalidSignatureException");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .starts_with("The request signature we calculated does not match the signature you provided."),
            "{v}"
        );
    }
    // The request as signed goes through, with or without the header.
    let r = send(with_sha, original).await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
    let r = send(unsigned_sha, original).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.headers()["x-amzn-errortype"], "AlreadyExistsException");

    let g: aws_sdk_glue::Client = sdk_client!(aws_sdk_glue, s, "AKIDGLUE", "glue-secret");
    let dbs = g.get_databases().send().await.unwrap();
    let names: Vec<&str> = dbs.database_list().iter().map(|d| d.name()).collect();
    assert_eq!(names, ["signed"]);
}
