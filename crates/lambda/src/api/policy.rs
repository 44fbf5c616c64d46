//! A function's resource-based policy: AddPermission, GetPolicy,
//! RemovePermission. Statements are stored as AWS writes them and not
//! enforced (any caller may invoke any function), so deploy scripts that
//! grant S3 or EventBridge the right to invoke a function succeed.

use http::StatusCode;
use lakestack_aws_protocol::validation::{Shown, Violation};
use lakestack_aws_protocol::{Call, Output, ServiceError};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{SPEC, target};
use crate::error::LambdaError;
use crate::service::Lambda;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AddPermissionRequest {
    statement_id: Option<String>,
    action: Option<String>,
    principal: Option<String>,
    source_arn: Option<String>,
    source_account: Option<String>,
    #[serde(rename = "PrincipalOrgID")]
    principal_org_id: Option<String>,
    event_source_token: Option<String>,
    function_url_auth_type: Option<String>,
    revision_id: Option<String>,
}

/// The policy kept per qualifier (`""` for the unqualified function).
#[derive(Debug, Default, Clone, serde::Serialize, Deserialize)]
struct Policy {
    statements: Vec<Value>,
    revision_id: String,
}

const KIND: &str = "policy";
/// AWS's limit on a function's policy document.
const POLICY_LIMIT: usize = 20_480;

fn principal(p: &str) -> Value {
    if p == "*" {
        Value::String("*".into())
    } else if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        json!({"AWS": format!("arn:aws:iam::{p}:root")})
    } else if p.starts_with("arn:") {
        json!({"AWS": p})
    } else {
        json!({"Service": p})
    }
}

fn document(statements: &[Value]) -> Value {
    json!({"Version": "2012-10-17", "Id": "default", "Statement": statements})
}

fn not_found() -> ServiceError {
    LambdaError::NotFound("The resource you requested does not exist.".into()).into()
}

pub fn add(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    let f = s.resolve(&t)?;
    let req: AddPermissionRequest = call.input()?;
    let sid = SPEC.required(req.statement_id, "statementId")?;
    let sid_ok =
        !sid.is_empty() && sid.len() <= 100 && sid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !sid_ok {
        return Err(SPEC.violation(Violation::pattern("statementId", Shown::Value(sid), "([a-zA-Z0-9-_]+)")));
    }
    let action = SPEC.required(req.action, "action")?;
    let who = SPEC.required(req.principal, "principal")?;
    let q = t.qualifier.clone().unwrap_or_default();
    let mut policy: Policy = s.store.setting(&t.name, &q, KIND)?.unwrap_or_default();
    if let Some(r) = &req.revision_id
        && !policy.revision_id.is_empty()
        && *r != policy.revision_id
    {
        return Err(LambdaError::PreconditionFailed(
            "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id".into(),
        )
        .into());
    }
    if policy.statements.iter().any(|st| st["Sid"] == sid.as_str()) {
        return Err(LambdaError::Conflict(format!(
            "The statement id ({sid}) provided already exists. Please choose another statement id and retry."
        ))
        .into());
    }
    let resource = match &t.qualifier {
        Some(q) => s.qualified_arn(&f.name, q),
        None => s.function_arn(&f.name),
    };
    let mut condition = Map::new();
    let mut add = |op: &str, key: &str, value: Option<String>| {
        if let Some(v) = value {
            let entry = condition.entry(op.to_owned()).or_insert_with(|| json!({}));
            entry[key] = Value::String(v);
        }
    };
    add("StringEquals", "AWS:SourceAccount", req.source_account);
    add("StringEquals", "aws:PrincipalOrgID", req.principal_org_id);
    add("StringEquals", "lambda:EventSourceToken", req.event_source_token);
    add("StringEquals", "lambda:FunctionUrlAuthType", req.function_url_auth_type);
    add("ArnLike", "AWS:SourceArn", req.source_arn);
    let mut statement = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal(&who),
        "Action": action,
        "Resource": resource,
    });
    if !condition.is_empty() {
        statement["Condition"] = Value::Object(condition);
    }
    policy.statements.push(statement.clone());
    if document(&policy.statements).to_string().len() > POLICY_LIMIT {
        return Err(LambdaError::invalid("The final policy size is bigger than the limit.").into());
    }
    policy.revision_id = uuid::Uuid::new_v4().to_string();
    s.store.put_setting(&t.name, &q, KIND, &policy)?;
    Ok(Output::members(json!({"Statement": statement.to_string()})).with_status(StatusCode::CREATED))
}

pub fn get(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.resolve(&t)?;
    let q = t.qualifier.unwrap_or_default();
    let policy: Policy = s
        .store
        .setting(&t.name, &q, KIND)?
        .filter(|p: &Policy| !p.statements.is_empty())
        .ok_or_else(not_found)?;
    Ok(Output::members(json!({
        "Policy": document(&policy.statements).to_string(),
        "RevisionId": policy.revision_id,
    })))
}

pub fn remove(s: &Lambda, call: &Call) -> Result<Output, ServiceError> {
    let t = target(s, call)?;
    s.resolve(&t)?;
    let sid = call.label("StatementId").unwrap_or_default();
    let q = t.qualifier.unwrap_or_default();
    let mut policy: Policy = s.store.setting(&t.name, &q, KIND)?.ok_or_else(not_found)?;
    let before = policy.statements.len();
    policy.statements.retain(|st| st["Sid"] != sid);
    if policy.statements.len() == before {
        return Err(LambdaError::NotFound(format!("Statement {sid} is not found in resource policy.")).into());
    }
    policy.revision_id = uuid::Uuid::new_v4().to_string();
    s.store.put_setting(&t.name, &q, KIND, &policy)?;
    Ok(Output::no_content())
}
