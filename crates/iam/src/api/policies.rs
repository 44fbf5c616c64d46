//! Managed policies, their versions, attachments and permissions
//! boundaries on the wire.

use lakestack_aws_protocol::validation::Violation;
use lakestack_aws_protocol::{Output, ServiceError};
use serde_json::{Map, Value, json};

use super::dto::{AttachedOut, Members, PolicyOut, VersionOut, tags_in};
use super::{IAM_SPEC as SPEC, cut, finish, listing, one, prefix};
use crate::managed::Scope;
use crate::model::{Kind, key_of};
use crate::service::Iam;

type Answer = Result<Output, ServiceError>;

fn arn(m: &Members) -> Result<String, ServiceError> {
    SPEC.required(m.policy_arn.clone(), "policyArn")
}

fn entity_name(kind: Kind, m: &Members) -> Result<String, ServiceError> {
    let (v, member) = match kind {
        Kind::Role => (m.role_name.clone(), "roleName"),
        Kind::User => (m.user_name.clone(), "userName"),
        _ => (m.group_name.clone(), "groupName"),
    };
    SPEC.required(v, member)
}

pub fn create(iam: &Iam, m: Members) -> Answer {
    let name = SPEC.required(m.policy_name, "policyName")?;
    let doc = SPEC.required(m.policy_document, "policyDocument")?;
    let v = iam.create_policy(
        &name,
        m.path.as_deref(),
        &doc,
        m.description.as_deref(),
        tags_in(m.tags),
    )?;
    let mut out = PolicyOut::full(&v);
    // CreatePolicy's answer has no description (GetPolicy's has).
    out.description = None;
    one("Policy", out)
}

pub fn get(iam: &Iam, m: Members) -> Answer {
    one("Policy", PolicyOut::full(&iam.get_policy(&arn(&m)?)?))
}

pub fn delete(iam: &Iam, m: Members) -> Answer {
    iam.delete_policy(&arn(&m)?)?;
    Ok(Output::empty_members())
}

pub fn list(iam: &Iam, m: Members) -> Answer {
    let scope = match m.scope.as_deref() {
        None | Some("All") => Scope::All,
        Some("AWS") => Scope::Aws,
        Some("Local") => Scope::Local,
        Some(other) => return Err(SPEC.violation(Violation::one_of("scope", other, &["All", "AWS", "Local"]))),
    };
    let prefix = prefix(m.path_prefix.as_deref())?;
    let items = iam.list_policies(scope, m.only_attached.unwrap_or(false), &prefix);
    listing(
        &SPEC,
        "Policies",
        items,
        |v| format!("{}\u{0}{}", key_of(&v.policy.name), v.policy.arn),
        PolicyOut::listed,
        m.marker.as_deref(),
        m.max_items,
    )
}

pub fn create_version(iam: &Iam, m: Members) -> Answer {
    let arn = arn(&m)?;
    let doc = SPEC.required(m.policy_document, "policyDocument")?;
    let default = m.set_as_default.unwrap_or(false);
    let v = iam.create_policy_version(&arn, &doc, default)?;
    one("PolicyVersion", VersionOut::new(&v, default, false))
}

pub fn get_version(iam: &Iam, m: Members) -> Answer {
    let arn = arn(&m)?;
    let id = SPEC.required(m.version_id, "versionId")?;
    let (v, default) = iam.get_policy_version(&arn, &id)?;
    one("PolicyVersion", VersionOut::new(&v, default, true))
}

/// The number of `vN`, for keys that sort newest first.
fn newest_first(id: &str) -> String {
    let n: u64 = id
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    format!("{:020}", u64::MAX - n)
}

pub fn list_versions(iam: &Iam, m: Members) -> Answer {
    let (versions, default) = iam.list_policy_versions(&arn(&m)?)?;
    listing(
        &SPEC,
        "Versions",
        versions,
        |v| newest_first(&v.id),
        |v| VersionOut::new(v, v.id == default, false),
        m.marker.as_deref(),
        m.max_items,
    )
}

pub fn delete_version(iam: &Iam, m: Members) -> Answer {
    let arn = arn(&m)?;
    let id = SPEC.required(m.version_id, "versionId")?;
    iam.delete_policy_version(&arn, &id)?;
    Ok(Output::empty_members())
}

pub fn set_default(iam: &Iam, m: Members) -> Answer {
    let arn = arn(&m)?;
    let id = SPEC.required(m.version_id, "versionId")?;
    iam.set_default_policy_version(&arn, &id)?;
    Ok(Output::empty_members())
}

pub fn attach(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = entity_name(kind, &m)?;
    iam.attach(kind, &name, &arn(&m)?)?;
    Ok(Output::empty_members())
}

pub fn detach(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = entity_name(kind, &m)?;
    iam.detach(kind, &name, &arn(&m)?)?;
    Ok(Output::empty_members())
}

pub fn attached(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = entity_name(kind, &m)?;
    let prefix = prefix(m.path_prefix.as_deref())?;
    let mut items = iam.attached(kind, &name, &prefix)?;
    items.sort_by(|a, b| (key_of(&a.0), &a.1).cmp(&(key_of(&b.0), &b.1)));
    listing(
        &SPEC,
        "AttachedPolicies",
        items,
        |(n, a)| format!("{}\u{0}{a}", key_of(n)),
        |(n, a)| AttachedOut {
            policy_name: n.clone(),
            policy_arn: a.clone(),
        },
        m.marker.as_deref(),
        m.max_items,
    )
}

pub fn entities_for(iam: &Iam, m: Members) -> Answer {
    let arn = arn(&m)?;
    let prefix = prefix(m.path_prefix.as_deref())?;
    let filter = match m.entity_filter.as_deref() {
        None => None,
        Some(f @ ("User" | "Role" | "Group")) => Some(f.to_owned()),
        Some(f @ ("LocalManagedPolicy" | "AWSManagedPolicy")) => Some(f.to_owned()),
        Some(other) => {
            return Err(SPEC.violation(Violation::one_of(
                "entityFilter",
                other,
                &["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"],
            )));
        }
    };
    let mut items = iam.entities_for_policy(&arn, &prefix)?;
    items.retain(|e| {
        filter.as_deref().is_none_or(|f| match e.kind {
            Kind::Role => f == "Role",
            Kind::User => f == "User",
            Kind::Group => f == "Group",
            Kind::InstanceProfile => false,
        })
    });
    let key = |e: &crate::model::Entity| format!("{}\u{0}{}", e.kind.word(), key_of(&e.name));
    items.sort_by_key(key);
    let (page, next) = cut(&SPEC, items, key, m.marker.as_deref(), m.max_items)?;
    let pick = |kind: Kind, name: &str, id: &str| -> Value {
        Value::Array(
            page.iter()
                .filter(|e| e.kind == kind)
                .map(|e| json!({ name: e.name, id: e.id }))
                .collect(),
        )
    };
    let mut out = Map::new();
    out.insert("PolicyGroups".into(), pick(Kind::Group, "GroupName", "GroupId"));
    out.insert("PolicyUsers".into(), pick(Kind::User, "UserName", "UserId"));
    out.insert("PolicyRoles".into(), pick(Kind::Role, "RoleName", "RoleId"));
    finish(out, next)
}

pub fn put_boundary(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = entity_name(kind, &m)?;
    let arn = SPEC.required(m.permissions_boundary, "permissionsBoundary")?;
    iam.set_boundary(kind, &name, Some(&arn))?;
    Ok(Output::empty_members())
}

pub fn delete_boundary(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = entity_name(kind, &m)?;
    iam.set_boundary(kind, &name, None)?;
    Ok(Output::empty_members())
}
