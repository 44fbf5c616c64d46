//! STS: its spec, operations and handlers. Every key resolves to an
//! identity ([`Iam::caller`]); temporary credentials come from the store.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Call, DEFAULT, Output, Protocol, Service, ServiceError, ServiceSpec};
use serde::Serialize;
use serde_json::Value;

use super::dto::{Members, tags_in, ts};
use super::{members, signing_key};
use crate::credentials::{AssumeRoleRequest, Assumed};
use crate::error::IamError;
use crate::model::Session;
use crate::service::Iam;

lakestack_aws_protocol::operations! {
    /// The STS operations lakestack implements.
    pub enum StsOp {
        GetCallerIdentity,
        AssumeRole,
        AssumeRoleWithWebIdentity,
        GetSessionToken,
        GetAccessKeyInfo,
    }
}

/// STS: awsQuery, signing name `sts`.
pub static STS_SPEC: ServiceSpec = ServiceSpec {
    name: "sts",
    title: "STS",
    signing_name: "sts",
    protocols: &[Protocol::AwsQuery],
    xml_namespace: Some("https://sts.amazonaws.com/doc/2011-06-15/"),
    invalid_input_code: "ValidationError",
    violation_code: "ValidationError",
    body_limit: 1 << 20,
    ..DEFAULT
};

/// Serves STS.
#[derive(Clone)]
pub struct StsApi {
    iam: Arc<Iam>,
}

impl StsApi {
    pub fn new(iam: Arc<Iam>) -> Self {
        Self { iam }
    }
}

#[async_trait]
impl Service for StsApi {
    fn spec(&self) -> &'static ServiceSpec {
        &STS_SPEC
    }

    async fn call(&self, call: Call) -> Result<Output, ServiceError> {
        let op = call.operation::<StsOp>()?;
        let key = signing_key(&call);
        let m = members(&call)?;
        let s = &*self.iam;
        match op {
            StsOp::GetCallerIdentity => caller_identity(s, key.as_deref()),
            StsOp::AssumeRole => assume_role(s, m),
            StsOp::AssumeRoleWithWebIdentity => assume_role_with_web_identity(s, m),
            StsOp::GetSessionToken => session_token(s, m, key.as_deref()),
            StsOp::GetAccessKeyInfo => access_key_info(s, m),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

impl From<&Session> for Credentials {
    fn from(s: &Session) -> Self {
        Self {
            access_key_id: s.id.clone(),
            secret_access_key: s.secret.clone(),
            session_token: s.token.clone(),
            expiration: ts(s.expires_ms),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AssumedRoleUser {
    assumed_role_id: String,
    arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleResult {
    credentials: Credentials,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject_from_web_identity_token: Option<String>,
    assumed_role_user: AssumedRoleUser,
    #[serde(skip_serializing_if = "Option::is_none")]
    packed_policy_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audience: Option<String>,
}

impl AssumeRoleResult {
    fn of(a: &Assumed) -> Self {
        Self {
            credentials: Credentials::from(&a.session),
            subject_from_web_identity_token: None,
            assumed_role_user: AssumedRoleUser {
                assumed_role_id: a.assumed_role_id.clone(),
                arn: a.session.identity.arn.clone(),
            },
            packed_policy_size: a.packed_policy_size,
            provider: None,
            audience: None,
        }
    }
}

fn caller_identity(iam: &Iam, key: Option<&str>) -> Result<Output, ServiceError> {
    let who = iam.caller(key)?;
    Output::of(&serde_json::json!({"UserId": who.user_id, "Account": who.account, "Arn": who.arn}))
}

fn request(m: Members) -> Result<AssumeRoleRequest, ServiceError> {
    Ok(AssumeRoleRequest {
        role_arn: STS_SPEC.required(m.role_arn, "roleArn")?,
        session_name: STS_SPEC.required(m.role_session_name, "roleSessionName")?,
        duration_seconds: m.duration_seconds,
        policy: m.policy,
        tags: tags_in(m.tags),
        external_id: m.external_id,
    })
}

fn assume_role(iam: &Iam, m: Members) -> Result<Output, ServiceError> {
    let a = iam.assume_role(&request(m)?)?;
    Output::of(&AssumeRoleResult::of(&a))
}

/// The claims of a JWT, read without verifying its signature.
fn claims(token: &str) -> Option<serde_json::Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bytes = engine.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn assume_role_with_web_identity(iam: &Iam, m: Members) -> Result<Output, ServiceError> {
    let token = STS_SPEC.required(m.web_identity_token.clone(), "webIdentityToken")?;
    let n = token.chars().count();
    if !(4..=20_000).contains(&n) {
        return Err(STS_SPEC.violation(Violation::len_between("webIdentityToken", Shown::Hidden, 4, 20_000)));
    }
    let claims = claims(&token)
        .ok_or_else(|| IamError::InvalidIdentityToken("Couldn't parse the web identity token.".into()))?;
    let text = |k: &str| match claims.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(items)) => items.first().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    let provider = m.provider_id.clone().or_else(|| text("iss"));
    let mut req = request(m)?;
    // Web identity sessions take no tags or external id from the request.
    req.tags.clear();
    req.external_id = None;
    let a = iam.assume_role(&req)?;
    let mut out = AssumeRoleResult::of(&a);
    out.subject_from_web_identity_token = text("sub");
    out.provider = provider;
    out.audience = text("aud");
    Output::of(&out)
}

fn session_token(iam: &Iam, m: Members, key: Option<&str>) -> Result<Output, ServiceError> {
    let who = iam.caller(key)?;
    let s = iam.session_token(&who, m.duration_seconds)?;
    Output::of(&serde_json::json!({ "Credentials": Credentials::from(&s) }))
}

fn access_key_info(iam: &Iam, m: Members) -> Result<Output, ServiceError> {
    let id = STS_SPEC.required(m.access_key_id, "accessKeyId")?;
    let n = id.chars().count();
    if !(16..=128).contains(&n) {
        return Err(STS_SPEC.violation(Violation::len_between("accessKeyId", Shown::Value(id), 16, 128)));
    }
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(STS_SPEC.violation(Violation::pattern("accessKeyId", Shown::Value(id), "[\\w]*")));
    }
    Output::of(&serde_json::json!({ "Account": iam.account() }))
}
