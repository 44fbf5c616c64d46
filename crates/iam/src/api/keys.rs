//! Access keys on the wire.

use lakestack_aws_protocol::validation::Violation;
use lakestack_aws_protocol::{Output, ServiceError};
use serde_json::json;

use super::dto::{KeyOut, Members};
use super::{IAM_SPEC as SPEC, listing, one};
use crate::error::IamError;
use crate::model::KeyStatus;
use crate::service::Iam;

type Answer = Result<Output, ServiceError>;

/// UserName, or the user whose key signed the request, as IAM defaults it.
fn user(iam: &Iam, m: &Members, key: Option<&str>) -> Result<String, ServiceError> {
    if let Some(u) = &m.user_name {
        return Ok(u.clone());
    }
    iam.user_of_key(key).ok_or_else(|| {
        IamError::Validation("Must specify userName when calling with non-User credentials".into()).into()
    })
}

fn key_id(m: &Members) -> Result<String, ServiceError> {
    let id = SPEC.required(m.access_key_id.clone(), "accessKeyId")?;
    let n = id.chars().count();
    if !(16..=128).contains(&n) {
        return Err(SPEC.violation(Violation::len_between(
            "accessKeyId",
            lakestack_aws_protocol::validation::Shown::Value(id),
            16,
            128,
        )));
    }
    Ok(id)
}

pub fn create(iam: &Iam, m: Members, key: Option<&str>) -> Answer {
    let user = user(iam, &m, key)?;
    let k = iam.create_access_key(&user)?;
    one("AccessKey", KeyOut::new(&k, true))
}

pub fn list(iam: &Iam, m: Members, key: Option<&str>) -> Answer {
    let user = user(iam, &m, key)?;
    let keys = iam.list_access_keys(&user)?;
    let mut out = listing(
        &SPEC,
        "AccessKeyMetadata",
        keys,
        |k| format!("{:020}", k.seq),
        |k| KeyOut::new(k, false),
        m.marker.as_deref(),
        m.max_items,
    )?;
    if let lakestack_aws_protocol::protocol::OutputBody::Members(serde_json::Value::Object(o)) = &mut out.body {
        o.insert("UserName".into(), serde_json::Value::String(user));
    }
    Ok(out)
}

pub fn delete(iam: &Iam, m: Members) -> Answer {
    let id = key_id(&m)?;
    iam.delete_access_key(m.user_name.as_deref(), &id)?;
    Ok(Output::empty_members())
}

pub fn update(iam: &Iam, m: Members) -> Answer {
    let id = key_id(&m)?;
    let status = match SPEC.required(m.status, "status")?.as_str() {
        "Active" => KeyStatus::Active,
        "Inactive" => KeyStatus::Inactive,
        other => return Err(SPEC.violation(Violation::one_of("status", other, &["Active", "Inactive", "Expired"]))),
    };
    iam.update_access_key(m.user_name.as_deref(), &id, status)?;
    Ok(Output::empty_members())
}

/// lakestack does not record when a key was used: IAM's answer for a key
/// never used.
pub fn last_used(iam: &Iam, m: Members) -> Answer {
    let id = key_id(&m)?;
    let user = iam.access_key_owner(&id)?;
    Output::of(&json!({
        "UserName": user,
        "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}
    }))
}
