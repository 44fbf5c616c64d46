//! The IAM and STS edge as the kit calls it: exact answers as transcripts
//! in `tests/wire/` (see `lakestack_aws_protocol::transcript`; `BLESS=1`
//! rewrites them), the XML IAM and STS write, and callers told apart by the
//! key that signed the request.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderValue, Request};
use lakestack_aws_protocol::transcript::{self, Volatile};
use lakestack_aws_protocol::{Call, Output, Service, ServiceError, ServiceSpec, serve};
use serde_json::{Value, json};

use super::{IAM_SPEC, IamApi, StsApi, StsOp};
use crate::{Iam, Settings};

fn iam() -> Arc<Iam> {
    Arc::new(Iam::open(Settings::default()).unwrap())
}

/// IAM and STS over one store, as transcripts need: STS's operations by
/// their names, everything else IAM's.
struct Both {
    iam: IamApi,
    sts: StsApi,
}

#[async_trait]
impl Service for Both {
    fn spec(&self) -> &'static ServiceSpec {
        &IAM_SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        if call.operation.parse::<StsOp>().is_ok() {
            self.sts.call(call).await
        } else {
            self.iam.call(call).await
        }
    }
}

fn both() -> Both {
    let iam = iam();
    Both {
        iam: IamApi::new(iam.clone()),
        sts: StsApi::new(iam),
    }
}

#[tokio::test]
async fn wire_transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wire");
    let volatile = Volatile {
        hidden: &[
            "CreateDate",
            "UpdateDate",
            "Expiration",
            "SessionToken",
            "SecretAccessKey",
            "UserId",
        ],
        numbered: &[
            "RoleId",
            "GroupId",
            "PolicyId",
            "InstanceProfileId",
            "AccessKeyId",
            "AssumedRoleId",
            "Marker",
        ],
    };
    if let Err(report) = transcript::check_dir(&dir, volatile, both).await {
        panic!("{report}");
    }
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// A form POSTed through the kit as a client sends it, signed (in form
/// only: permissive) with `key`; answers the status and the XML.
async fn post(service: &dyn Service, form: &str, key: Option<&str>) -> (u16, String) {
    let mut req = Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(http_body_util::Full::new(Bytes::from(form.to_owned())))
        .unwrap();
    if let Some(k) = key {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential={k}/20260101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=00",
            service.spec().signing_name
        );
        req.headers_mut()
            .insert("authorization", HeaderValue::from_str(&auth).unwrap());
    }
    let (_, resp) = serve(service, lakestack_aws_protocol::Protocol::AwsQuery, req, None).await;
    (resp.status().as_u16(), String::from_utf8(resp.body().to_vec()).unwrap())
}

fn between<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .map(|i| i + open.len())
        .unwrap_or_else(|| panic!("no {tag} in {xml}"));
    let end = xml[start..].find(&format!("</{tag}>")).unwrap() + start;
    &xml[start..end]
}

fn enc(s: &str) -> String {
    crate::policy::url_encode(s)
}

#[tokio::test]
async fn iam_answers_xml_with_encoded_documents_and_members() {
    let iam = IamApi::new(iam());
    let (status, xml) = post(
        &iam,
        &format!(
            "Action=CreateRole&Version=2010-05-08&RoleName=app&Path=%2Fsvc%2F&AssumeRolePolicyDocument={}&Tags.member.1.Key=env&Tags.member.1.Value=dev",
            enc(TRUST)
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><CreateRoleResult><Role><Path>/svc/</Path><RoleName>app</RoleName><RoleId>AROA"
    ), "{xml}");
    assert_eq!(between(&xml, "Arn"), "arn:aws:iam::000000000000:role/svc/app");
    assert_eq!(between(&xml, "AssumeRolePolicyDocument"), enc(TRUST));
    assert!(
        xml.contains("<Tags><member><Key>env</Key><Value>dev</Value></member></Tags>"),
        "{xml}"
    );
    assert!(
        xml.contains("</CreateRoleResult><ResponseMetadata><RequestId>"),
        "{xml}"
    );
    let created = between(&xml, "CreateDate");
    assert_eq!(created.len(), 20, "{created}");
    assert!(created.ends_with('Z'));

    let (status, xml) = post(&iam, "Action=GetRole&RoleName=nope", None).await;
    assert_eq!(status, 404);
    assert!(xml.contains(
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name nope cannot be found.</Message></Error>"
    ), "{xml}");

    let (status, xml) = post(&iam, "Action=ListRoles&MaxItems=1", None).await;
    assert_eq!(status, 200);
    assert!(xml.contains("<Roles><member><Path>/svc/</Path>"), "{xml}");
    assert!(xml.contains("<IsTruncated>false</IsTruncated>"), "{xml}");

    let (status, xml) = post(&iam, "Action=DeleteRole&RoleName=app", None).await;
    assert_eq!(status, 200);
    assert!(!xml.contains("DeleteRoleResult"), "{xml}");
    let (status, xml) = post(&iam, "Action=NoSuchAction", None).await;
    assert_eq!(status, 501, "{xml}");
}

#[tokio::test]
async fn callers_are_told_apart_by_the_key_that_signed() {
    let store = iam();
    let iam = IamApi::new(store.clone());
    let sts = StsApi::new(store.clone());
    let (_, xml) = post(&sts, "Action=GetCallerIdentity&Version=2011-06-15", Some("test")).await;
    assert!(xml.contains(
        "<GetCallerIdentityResult><UserId>000000000000</UserId><Account>000000000000</Account><Arn>arn:aws:iam::000000000000:root</Arn></GetCallerIdentityResult>"
    ), "{xml}");

    post(&iam, "Action=CreateUser&UserName=alice", None).await;
    let (_, xml) = post(&iam, "Action=CreateAccessKey&UserName=alice", None).await;
    let akid = between(&xml, "AccessKeyId").to_owned();
    let secret = between(&xml, "SecretAccessKey").to_owned();
    assert!(akid.starts_with("AKIA") && akid.len() == 20, "{akid}");
    assert_eq!(secret.len(), 40);
    let (_, xml) = post(&sts, "Action=GetCallerIdentity", Some(&akid)).await;
    assert_eq!(between(&xml, "Arn"), "arn:aws:iam::000000000000:user/alice");
    assert!(between(&xml, "UserId").starts_with("AIDA"));
    // The user's own key names the user for CreateAccessKey and GetUser.
    let (_, xml) = post(&iam, "Action=GetUser", Some(&akid)).await;
    assert_eq!(between(&xml, "UserName"), "alice");

    post(
        &iam,
        &format!(
            "Action=CreateRole&RoleName=worker&AssumeRolePolicyDocument={}",
            enc(TRUST)
        ),
        None,
    )
    .await;
    let (status, xml) = post(
        &sts,
        "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fworker&RoleSessionName=s1&DurationSeconds=900",
        Some(&akid),
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    let temp = between(&xml, "AccessKeyId").to_owned();
    assert!(temp.starts_with("ASIA") && temp.len() == 20, "{temp}");
    assert_eq!(between(&xml, "Arn"), "arn:aws:sts::000000000000:assumed-role/worker/s1");
    let role_id = between(&xml, "AssumedRoleId").to_owned();
    let (_, xml) = post(&sts, "Action=GetCallerIdentity", Some(&temp)).await;
    assert_eq!(between(&xml, "Arn"), "arn:aws:sts::000000000000:assumed-role/worker/s1");
    assert_eq!(between(&xml, "UserId"), role_id);
    assert!(role_id.starts_with("AROA") && role_id.ends_with(":s1"));

    // Strict SigV4's view of the same keys.
    let s = store.secret_for(&temp).unwrap();
    assert!(s.session_token.is_some());
    assert_eq!(store.secret_for(&akid).unwrap().secret_access_key, secret);
    assert_eq!(store.secret_for("test"), None);
    let (status, _) = post(
        &iam,
        &format!("Action=UpdateAccessKey&UserName=alice&AccessKeyId={akid}&Status=Inactive"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(store.secret_for(&akid), None);
    let (status, xml) = post(&sts, "Action=GetCallerIdentity", Some(&akid)).await;
    assert_eq!(status, 403, "{xml}");
    assert!(xml.contains("<Code>InvalidClientTokenId</Code>"));
}

#[tokio::test]
async fn presigned_requests_name_their_key_in_the_query() {
    let store = iam();
    let sts = StsApi::new(store.clone());
    let a = store
        .assume_role(&crate::AssumeRoleRequest {
            role_arn: "arn:aws:iam::123456789012:role/elsewhere".into(),
            session_name: "x1".into(),
            ..Default::default()
        })
        .unwrap();
    let uri = format!(
        "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Credential={}%2F20260101%2Fus-east-1%2Fsts%2Faws4_request",
        a.session.id
    );
    let req = Request::get(uri).body(http_body_util::Full::new(Bytes::new())).unwrap();
    let (_, resp) = serve(&sts, lakestack_aws_protocol::Protocol::AwsQuery, req, None).await;
    let xml = String::from_utf8(resp.body().to_vec()).unwrap();
    assert_eq!(between(&xml, "Account"), "123456789012", "{xml}");
    assert_eq!(
        between(&xml, "Arn"),
        "arn:aws:sts::123456789012:assumed-role/elsewhere/x1"
    );
}

#[test]
fn temporary_credentials_expire_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        dir: Some(dir.path().to_owned()),
        ..Settings::default()
    };
    let (id, expires, key) = {
        let iam = Iam::open(settings.clone()).unwrap();
        iam.create_entity(crate::model::Kind::User, "bob", None, Vec::new(), |_| {})
            .unwrap();
        let key = iam.create_access_key("bob").unwrap();
        let who = iam.caller(Some(&key.id)).unwrap();
        let s = iam.session_token(&who, Some(900)).unwrap();
        (s.id, s.expires_ms, key)
    };
    let iam = Iam::open(settings).unwrap();
    assert!(iam.secret_at(&id, expires - 1).is_some());
    assert_eq!(iam.secret_at(&id, expires), None);
    assert_eq!(iam.secret_for(&key.id).unwrap().secret_access_key, key.secret);
    assert_eq!(
        iam.caller(Some(&id)).unwrap().arn,
        "arn:aws:iam::000000000000:user/bob",
        "GetSessionToken keeps the caller's identity"
    );
    assert_eq!(iam.get_entity(crate::model::Kind::User, "BOB").unwrap().name, "bob");
}

#[tokio::test]
async fn web_identity_tokens_are_read_unverified() {
    let both = both();
    let claims = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        br#"{"sub":"user-1","aud":["client-a"],"iss":"https://issuer.example"}"#,
    );
    let out = lakestack_aws_protocol::invoke(
        &both,
        "AssumeRoleWithWebIdentity",
        &json!({
            "RoleArn": "arn:aws:iam::000000000000:role/web",
            "RoleSessionName": "w1",
            "WebIdentityToken": format!("eyJhbGciOiJub25lIn0.{claims}.sig"),
        }),
    )
    .await
    .unwrap();
    assert_eq!(out["SubjectFromWebIdentityToken"], "user-1");
    assert_eq!(out["Audience"], "client-a");
    assert_eq!(out["Provider"], "https://issuer.example");
    let err = lakestack_aws_protocol::invoke(
        &both,
        "AssumeRoleWithWebIdentity",
        &json!({"RoleArn": "arn:aws:iam::000000000000:role/web", "RoleSessionName": "w1", "WebIdentityToken": "not-a-jwt"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, "InvalidIdentityToken");
    let _: Value = out;
}

#[tokio::test]
async fn quotas_and_hostile_input_are_refused_without_panics() {
    let both = both();
    let call = |op: &'static str, input: Value| {
        let both = &both;
        async move { lakestack_aws_protocol::invoke(both, op, &input).await }
    };
    // A trust policy over its 2048-character quota (white space not counted).
    let padding = format!("\"{}\"", "x".repeat(2100));
    let big_trust = TRUST.replace("\"sts:AssumeRole\"", &format!("[\"sts:AssumeRole\", {padding}]"));
    let e = call(
        "CreateRole",
        json!({"RoleName": "r", "AssumeRolePolicyDocument": big_trust}),
    )
    .await
    .unwrap_err();
    assert_eq!((e.code.as_ref(), e.status.as_u16()), ("LimitExceeded", 409), "{e}");
    assert_eq!(e.message, "Cannot exceed quota for ACLSizePerRole: 2048");

    call(
        "CreateRole",
        json!({"RoleName": "r", "AssumeRolePolicyDocument": TRUST}),
    )
    .await
    .unwrap();
    let doc = |n: usize| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::{}"}}]}}"#,
            "b".repeat(n)
        )
    };
    call(
        "PutRolePolicy",
        json!({"RoleName": "r", "PolicyName": "a", "PolicyDocument": doc(6000)}),
    )
    .await
    .unwrap();
    let e = call(
        "PutRolePolicy",
        json!({"RoleName": "r", "PolicyName": "b", "PolicyDocument": doc(5000)}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.message, "Maximum policy size of 10240 bytes exceeded for role r");
    let e = call("CreatePolicy", json!({"PolicyName": "p", "PolicyDocument": doc(7000)}))
        .await
        .unwrap_err();
    assert_eq!(e.message, "Cannot exceed quota for PolicySize: 6144");
    let e = call(
        "CreatePolicy",
        json!({"PolicyName": "p", "PolicyDocument": "x".repeat(200_000)}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, "ValidationError");
    assert!(e.message.len() < 1000, "the document is not echoed whole");

    for name in ["", "é", "a/b", &"n".repeat(65)] {
        let e = call("CreateUser", json!({"UserName": name})).await.unwrap_err();
        assert_eq!(e.code, "ValidationError", "{name:?}: {e}");
    }
    let tags: Vec<Value> = (0..51).map(|i| json!({"Key": format!("k{i}"), "Value": ""})).collect();
    let e = call("CreateUser", json!({"UserName": "t", "Tags": tags}))
        .await
        .unwrap_err();
    assert_eq!(e.code, "ValidationError");
    for input in [
        json!({"RoleName": ["x"]}),
        json!({"RoleName": {"a": 1}}),
        json!({"MaxItems": 1e300}),
        json!({"MaxItems": "99999999999999999999"}),
        json!({"Tags": [{"Value": "no key"}]}),
    ] {
        // Members of the wrong form are refused before any handler runs.
        let e = call("ListRoles", input).await.unwrap_err();
        assert_eq!(e.code, "ValidationError");
    }
    let e = call("ListRoles", json!({"MaxItems": 5000})).await.unwrap_err();
    assert_eq!(
        e.message,
        "1 validation error detected: Value '5000' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"
    );
}
