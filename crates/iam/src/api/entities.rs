//! Roles, users, groups and instance profiles on the wire; their inline
//! policies, tags and memberships.

use lakestack_aws_protocol::validation::Violation;
use lakestack_aws_protocol::{Output, ServiceError};
use serde_json::{Map, Value, json};

use super::dto::{GroupOut, Members, ProfileOut, RoleOut, TagWire, UserOut, tags_in};
use super::{IAM_SPEC as SPEC, cut, finish, internal, listing, one, prefix};
use crate::entities::name_member;
use crate::error::IamError;
use crate::model::{Entity, Kind, key_of};
use crate::policy::{self, Purpose};
use crate::service::Iam;

type Answer = Result<Output, ServiceError>;

/// The member naming the entity an operation is about.
fn name_of(kind: Kind, m: &Members) -> Result<String, ServiceError> {
    let v = match kind {
        Kind::Role => m.role_name.clone(),
        Kind::User => m.user_name.clone(),
        Kind::Group => m.group_name.clone(),
        Kind::InstanceProfile => m.instance_profile_name.clone(),
    };
    SPEC.required(v, name_member(kind))
}

/// An entity as its kind's Get answers it.
fn shown(iam: &Iam, e: &Entity) -> Answer {
    match e.kind {
        Kind::Role => one("Role", RoleOut::full(e)),
        Kind::User => one("User", UserOut::full(e)),
        Kind::Group => one("Group", GroupOut::from(e)),
        Kind::InstanceProfile => one("InstanceProfile", ProfileOut::new(e, &iam.members(e))),
    }
}

fn max_session(v: Option<i64>) -> Result<i64, ServiceError> {
    match v {
        None => Ok(3600),
        Some(d) if !(3600..=43_200).contains(&d) => {
            Err(SPEC.violation(Violation::range("maxSessionDuration", d, 3600, 43_200)))
        }
        Some(d) => Ok(d),
    }
}

/// A trust policy: its structure, then the trust policy quota. `member`
/// is how validation messages name it (CreateRole's
/// `assumeRolePolicyDocument`, UpdateAssumeRolePolicy's `policyDocument`).
fn check_trust(doc: &str, member: &str) -> Result<(), IamError> {
    policy::check(doc, member, Purpose::Trust)?;
    if policy::size(doc) > policy::TRUST_POLICY_QUOTA {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for ACLSizePerRole: {}",
            policy::TRUST_POLICY_QUOTA
        )));
    }
    Ok(())
}

pub fn create_role(iam: &Iam, m: Members) -> Answer {
    let name = name_of(Kind::Role, &m)?;
    let trust = SPEC.required(m.assume_role_policy_document, "assumeRolePolicyDocument")?;
    check_trust(&trust, "assumeRolePolicyDocument")?;
    crate::checks::description(m.description.as_deref())?;
    let max = max_session(m.max_session_duration)?;
    if let Some(b) = &m.permissions_boundary {
        iam.get_policy(b)?;
    }
    let e = iam.create_entity(Kind::Role, &name, m.path.as_deref(), tags_in(m.tags), |e| {
        e.trust = Some(trust);
        e.description = m.description;
        e.max_session = Some(max);
        e.boundary = m.permissions_boundary;
    })?;
    let mut role = RoleOut::full(&e);
    role.role_last_used = None;
    one("Role", role)
}

pub fn create_user(iam: &Iam, m: Members) -> Answer {
    let name = name_of(Kind::User, &m)?;
    if let Some(b) = &m.permissions_boundary {
        iam.get_policy(b)?;
    }
    let e = iam.create_entity(Kind::User, &name, m.path.as_deref(), tags_in(m.tags), |e| {
        e.boundary = m.permissions_boundary;
    })?;
    one("User", UserOut::full(&e))
}

pub fn create_group(iam: &Iam, m: Members) -> Answer {
    let name = name_of(Kind::Group, &m)?;
    let e = iam.create_entity(Kind::Group, &name, m.path.as_deref(), Vec::new(), |_| {})?;
    one("Group", GroupOut::from(&e))
}

pub fn create_profile(iam: &Iam, m: Members) -> Answer {
    let name = name_of(Kind::InstanceProfile, &m)?;
    let e = iam.create_entity(Kind::InstanceProfile, &name, m.path.as_deref(), tags_in(m.tags), |_| {})?;
    shown(iam, &e)
}

pub fn get(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let e = iam.get_entity(kind, &name_of(kind, &m)?)?;
    shown(iam, &e)
}

pub fn get_profile(iam: &Iam, m: Members) -> Answer {
    get(iam, Kind::InstanceProfile, m)
}

/// GetUser: without UserName, the user whose key signed the request; the
/// account root is answered as IAM answers it for root credentials.
pub fn get_user(iam: &Iam, m: Members, key: Option<&str>) -> Answer {
    if m.user_name.is_some() {
        return get(iam, Kind::User, m);
    }
    if let Some(user) = iam.user_of_key(key) {
        return shown(iam, &iam.get_entity(Kind::User, &user)?);
    }
    let who = iam.caller(key)?;
    if !who.arn.ends_with(":root") {
        return Err(IamError::Validation("Must specify userName when calling with non-User credentials".into()).into());
    }
    one(
        "User",
        json!({"UserId": who.user_id, "Arn": who.arn, "CreateDate": super::dto::ts(0)}),
    )
}

pub fn get_group(iam: &Iam, m: Members) -> Answer {
    let g = iam.get_entity(Kind::Group, &name_of(Kind::Group, &m)?)?;
    let mut users = iam.members(&g);
    users.sort_by_key(|u| key_of(&u.name));
    let (page, next) = cut(&SPEC, users, |u| key_of(&u.name), m.marker.as_deref(), m.max_items)?;
    let mut out = Map::new();
    out.insert(
        "Group".into(),
        serde_json::to_value(GroupOut::from(&g)).map_err(internal)?,
    );
    let users: Vec<UserOut> = page.iter().map(UserOut::listed).collect();
    out.insert("Users".into(), serde_json::to_value(users).map_err(internal)?);
    finish(out, next)
}

pub fn delete(iam: &Iam, kind: Kind, m: Members) -> Answer {
    iam.delete_entity(kind, &name_of(kind, &m)?)?;
    Ok(Output::empty_members())
}

fn listed(iam: &Iam, e: &Entity) -> Value {
    let v = match e.kind {
        Kind::Role => serde_json::to_value(RoleOut::listed(e)),
        Kind::User => serde_json::to_value(UserOut::listed(e)),
        Kind::Group => serde_json::to_value(GroupOut::from(e)),
        Kind::InstanceProfile => serde_json::to_value(ProfileOut::new(e, &iam.members(e))),
    };
    v.unwrap_or(Value::Null)
}

fn list_member(kind: Kind) -> &'static str {
    match kind {
        Kind::Role => "Roles",
        Kind::User => "Users",
        Kind::Group => "Groups",
        Kind::InstanceProfile => "InstanceProfiles",
    }
}

pub fn list(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let prefix = prefix(m.path_prefix.as_deref())?;
    let items = iam.list_entities(kind, &prefix);
    listing(
        &SPEC,
        list_member(kind),
        items,
        |e| key_of(&e.name),
        |e| listed(iam, e),
        m.marker.as_deref(),
        m.max_items,
    )
}

pub fn update_role(iam: &Iam, m: Members) -> Answer {
    let name = name_of(Kind::Role, &m)?;
    crate::checks::description(m.description.as_deref())?;
    let max = m.max_session_duration.map(|d| max_session(Some(d))).transpose()?;
    iam.update_entity(Kind::Role, &name, |e| {
        if let Some(d) = m.description {
            e.description = Some(d);
        }
        if max.is_some() {
            e.max_session = max;
        }
        Ok(())
    })?;
    Ok(Output::empty_members())
}

pub fn update_trust(iam: &Iam, m: Members) -> Answer {
    let name = name_of(Kind::Role, &m)?;
    let doc = SPEC.required(m.policy_document, "policyDocument")?;
    check_trust(&doc, "policyDocument")?;
    iam.update_entity(Kind::Role, &name, |e| {
        e.trust = Some(doc);
        Ok(())
    })?;
    Ok(Output::empty_members())
}

pub fn update_description(iam: &Iam, m: Members) -> Answer {
    let name = name_of(Kind::Role, &m)?;
    let d = SPEC.required(m.description, "description")?;
    crate::checks::description(Some(&d))?;
    let e = iam.update_entity(Kind::Role, &name, |e| {
        e.description = Some(d);
        Ok(())
    })?;
    one("Role", RoleOut::full(&e))
}

/// UpdateUser and UpdateGroup: a new name and/or path.
pub fn rename(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = name_of(kind, &m)?;
    let new_name = if kind == Kind::User {
        m.new_user_name
    } else {
        m.new_group_name
    };
    iam.rename_entity(kind, &name, new_name.as_deref(), m.new_path.as_deref())?;
    Ok(Output::empty_members())
}

pub fn tag(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = name_of(kind, &m)?;
    iam.tag_entity(kind, &name, tags_in(m.tags))?;
    Ok(Output::empty_members())
}

pub fn untag(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = name_of(kind, &m)?;
    if m.tag_keys.len() > crate::checks::MAX_TAGS {
        return Err(SPEC.violation(Violation::new(
            "tagKeys",
            lakestack_aws_protocol::validation::Shown::Hidden,
            "Member must have length less than or equal to 50",
        )));
    }
    iam.untag_entity(kind, &name, &m.tag_keys)?;
    Ok(Output::empty_members())
}

pub fn list_tags(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let e = iam.get_entity(kind, &name_of(kind, &m)?)?;
    let tags: Vec<TagWire> = e.tags.iter().map(TagWire::from).collect();
    // Tags are listed in the order they were added; the marker is an index.
    let indexed: Vec<(usize, TagWire)> = tags.into_iter().enumerate().collect();
    listing(
        &SPEC,
        "Tags",
        indexed,
        |(i, _)| format!("{i:05}"),
        |(_, t)| t.clone(),
        m.marker.as_deref(),
        m.max_items,
    )
}

pub fn put_inline(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = name_of(kind, &m)?;
    let policy_name = SPEC.required(m.policy_name, "policyName")?;
    let doc = SPEC.required(m.policy_document, "policyDocument")?;
    iam.put_inline(kind, &name, &policy_name, &doc)?;
    Ok(Output::empty_members())
}

pub fn get_inline(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = name_of(kind, &m)?;
    let policy_name = SPEC.required(m.policy_name, "policyName")?;
    let (e, doc) = iam.get_inline(kind, &name, &policy_name)?;
    let owner = match kind {
        Kind::Role => "RoleName",
        Kind::User => "UserName",
        _ => "GroupName",
    };
    let mut out = Map::new();
    out.insert(owner.into(), Value::String(e.name));
    out.insert("PolicyName".into(), Value::String(policy_name));
    out.insert("PolicyDocument".into(), Value::String(policy::url_encode(&doc)));
    Ok(Output::members(Value::Object(out)))
}

pub fn delete_inline(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let name = name_of(kind, &m)?;
    let policy_name = SPEC.required(m.policy_name, "policyName")?;
    iam.delete_inline(kind, &name, &policy_name)?;
    Ok(Output::empty_members())
}

pub fn list_inline(iam: &Iam, kind: Kind, m: Members) -> Answer {
    let e = iam.get_entity(kind, &name_of(kind, &m)?)?;
    let names: Vec<String> = e.inline.keys().cloned().collect();
    listing(
        &SPEC,
        "PolicyNames",
        names,
        Clone::clone,
        Clone::clone,
        m.marker.as_deref(),
        m.max_items,
    )
}

/// AddUserToGroup, AddRoleToInstanceProfile.
pub fn add_member(iam: &Iam, holder: Kind, m: Members) -> Answer {
    let h = name_of(holder, &m)?;
    let member = if holder == Kind::Group {
        name_of(Kind::User, &m)?
    } else {
        name_of(Kind::Role, &m)?
    };
    iam.add_member(holder, &h, &member)?;
    Ok(Output::empty_members())
}

pub fn remove_member(iam: &Iam, holder: Kind, m: Members) -> Answer {
    let h = name_of(holder, &m)?;
    let member = if holder == Kind::Group {
        name_of(Kind::User, &m)?
    } else {
        name_of(Kind::Role, &m)?
    };
    iam.remove_member(holder, &h, &member)?;
    Ok(Output::empty_members())
}

/// ListGroupsForUser, ListInstanceProfilesForRole.
pub fn holders(iam: &Iam, holder: Kind, m: Members) -> Answer {
    let member_kind = if holder == Kind::Group { Kind::User } else { Kind::Role };
    let member = name_of(member_kind, &m)?;
    let items = iam.holders_of(holder, member_kind, &member)?;
    listing(
        &SPEC,
        list_member(holder),
        items,
        |e| key_of(&e.name),
        |e| listed(iam, e),
        m.marker.as_deref(),
        m.max_items,
    )
}
