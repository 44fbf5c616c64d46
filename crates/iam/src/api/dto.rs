//! Wire types. awsQuery forms carry every value as text, so numbers and
//! booleans are read from strings as well as from JSON (in-process calls),
//! and an empty list arrives as an empty string. Requests share one struct
//! of IAM's members (IAM names a member the same in every operation that
//! has it); each handler takes the ones its operation has. Responses are
//! typed per entity, with IAM's member names and order.

use lakestack_aws_protocol::form;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::PolicyView;
use crate::model::{AccessKey, Entity, ManagedPolicy, PolicyVersion, Tag};
use crate::policy::url_encode;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TagWire {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

impl From<TagWire> for Tag {
    fn from(t: TagWire) -> Self {
        Tag {
            key: t.key,
            value: t.value,
        }
    }
}

impl From<&Tag> for TagWire {
    fn from(t: &Tag) -> Self {
        TagWire {
            key: t.key.clone(),
            value: t.value.clone(),
        }
    }
}

pub fn tags_in(tags: Vec<TagWire>) -> Vec<Tag> {
    tags.into_iter().map(Tag::from).collect()
}

fn tags_out(tags: &[Tag]) -> Vec<TagWire> {
    tags.iter().map(TagWire::from).collect()
}

/// The members of IAM's and STS's requests.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Members {
    pub role_name: Option<String>,
    pub user_name: Option<String>,
    pub group_name: Option<String>,
    pub instance_profile_name: Option<String>,
    pub new_user_name: Option<String>,
    pub new_group_name: Option<String>,
    pub new_path: Option<String>,
    pub path: Option<String>,
    pub path_prefix: Option<String>,
    pub description: Option<String>,
    pub assume_role_policy_document: Option<String>,
    #[serde(deserialize_with = "form::int")]
    pub max_session_duration: Option<i64>,
    pub permissions_boundary: Option<String>,
    pub policy_arn: Option<String>,
    pub policy_name: Option<String>,
    pub policy_document: Option<String>,
    pub version_id: Option<String>,
    #[serde(deserialize_with = "form::flag")]
    pub set_as_default: Option<bool>,
    pub scope: Option<String>,
    #[serde(deserialize_with = "form::flag")]
    pub only_attached: Option<bool>,
    pub entity_filter: Option<String>,
    pub access_key_id: Option<String>,
    pub status: Option<String>,
    #[serde(deserialize_with = "form::list")]
    pub tags: Vec<TagWire>,
    #[serde(deserialize_with = "form::list")]
    pub tag_keys: Vec<String>,
    pub marker: Option<String>,
    #[serde(deserialize_with = "form::int")]
    pub max_items: Option<i64>,
    // STS
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    #[serde(deserialize_with = "form::int")]
    pub duration_seconds: Option<i64>,
    pub policy: Option<String>,
    pub external_id: Option<String>,
    pub web_identity_token: Option<String>,
    pub provider_id: Option<String>,
}

/// IAM's timestamps: ISO 8601 to the second.
pub fn ts(ms: i64) -> String {
    let full = lakestack_aws_protocol::timestamp::iso8601(ms);
    match full.get(..19) {
        Some(head) if full.len() == 24 => format!("{head}Z"),
        _ => full,
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    pub permissions_boundary_type: &'static str,
    pub permissions_boundary_arn: String,
}

fn boundary(e: &Entity) -> Option<Boundary> {
    e.boundary.as_ref().map(|arn| Boundary {
        permissions_boundary_type: "Policy",
        permissions_boundary_arn: arn.clone(),
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleOut {
    pub path: String,
    pub role_name: String,
    pub role_id: String,
    pub arn: String,
    pub create_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assume_role_policy_document: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Boundary>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagWire>,
    /// GetRole answers an empty RoleLastUsed: lakestack does not track use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_last_used: Option<Value>,
}

impl RoleOut {
    /// A role as GetRole and CreateRole answer it.
    pub fn full(e: &Entity) -> Self {
        Self {
            path: e.path.clone(),
            role_name: e.name.clone(),
            role_id: e.id.clone(),
            arn: e.arn.clone(),
            create_date: ts(e.created_ms),
            assume_role_policy_document: e.trust.as_deref().map(url_encode),
            description: e.description.clone(),
            max_session_duration: e.max_session,
            permissions_boundary: boundary(e),
            tags: tags_out(&e.tags),
            role_last_used: Some(Value::Object(Default::default())),
        }
    }

    /// A role as ListRoles answers it: no tags, boundary or last use.
    pub fn listed(e: &Entity) -> Self {
        Self {
            tags: Vec::new(),
            permissions_boundary: None,
            role_last_used: None,
            ..Self::full(e)
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserOut {
    pub path: String,
    pub user_name: String,
    pub user_id: String,
    pub arn: String,
    pub create_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Boundary>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagWire>,
}

impl UserOut {
    pub fn full(e: &Entity) -> Self {
        Self {
            path: e.path.clone(),
            user_name: e.name.clone(),
            user_id: e.id.clone(),
            arn: e.arn.clone(),
            create_date: ts(e.created_ms),
            permissions_boundary: boundary(e),
            tags: tags_out(&e.tags),
        }
    }

    pub fn listed(e: &Entity) -> Self {
        Self {
            permissions_boundary: None,
            tags: Vec::new(),
            ..Self::full(e)
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupOut {
    pub path: String,
    pub group_name: String,
    pub group_id: String,
    pub arn: String,
    pub create_date: String,
}

impl From<&Entity> for GroupOut {
    fn from(e: &Entity) -> Self {
        Self {
            path: e.path.clone(),
            group_name: e.name.clone(),
            group_id: e.id.clone(),
            arn: e.arn.clone(),
            create_date: ts(e.created_ms),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProfileOut {
    pub path: String,
    pub instance_profile_name: String,
    pub instance_profile_id: String,
    pub arn: String,
    pub create_date: String,
    pub roles: Vec<RoleOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagWire>,
}

impl ProfileOut {
    pub fn new(e: &Entity, roles: &[Entity]) -> Self {
        Self {
            path: e.path.clone(),
            instance_profile_name: e.name.clone(),
            instance_profile_id: e.id.clone(),
            arn: e.arn.clone(),
            create_date: ts(e.created_ms),
            roles: roles.iter().map(RoleOut::listed).collect(),
            tags: tags_out(&e.tags),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyOut {
    pub policy_name: String,
    pub policy_id: String,
    pub arn: String,
    pub path: String,
    pub default_version_id: String,
    pub attachment_count: usize,
    pub permissions_boundary_usage_count: usize,
    pub is_attachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub create_date: String,
    pub update_date: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagWire>,
}

impl PolicyOut {
    pub fn full(v: &PolicyView) -> Self {
        let p: &ManagedPolicy = &v.policy;
        Self {
            policy_name: p.name.clone(),
            policy_id: p.id.clone(),
            arn: p.arn.clone(),
            path: p.path.clone(),
            default_version_id: p.default_version.clone(),
            attachment_count: v.attachments,
            permissions_boundary_usage_count: v.boundary_uses,
            is_attachable: true,
            description: p.description.clone(),
            create_date: ts(p.created_ms),
            update_date: ts(p.updated_ms),
            tags: tags_out(&p.tags),
        }
    }

    /// ListPolicies leaves out descriptions and tags.
    pub fn listed(v: &PolicyView) -> Self {
        Self {
            description: None,
            tags: Vec::new(),
            ..Self::full(v)
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    pub version_id: String,
    pub is_default_version: bool,
    pub create_date: String,
}

impl VersionOut {
    pub fn new(v: &PolicyVersion, is_default: bool, with_document: bool) -> Self {
        Self {
            document: with_document.then(|| url_encode(&v.document)),
            version_id: v.id.clone(),
            is_default_version: is_default,
            create_date: ts(v.created_ms),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedOut {
    pub policy_name: String,
    pub policy_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyOut {
    pub user_name: String,
    pub access_key_id: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_access_key: Option<String>,
    pub create_date: String,
}

impl KeyOut {
    /// CreateAccessKey is the only answer that carries the secret.
    pub fn new(k: &AccessKey, with_secret: bool) -> Self {
        Self {
            user_name: k.user_name.clone(),
            access_key_id: k.id.clone(),
            status: k.status.as_str(),
            secret_access_key: with_secret.then(|| k.secret.clone()),
            create_date: ts(k.created_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forms_read_numbers_flags_and_lists_from_text() {
        let m: Members = serde_json::from_value(json!({
            "MaxItems": "5", "OnlyAttached": "true", "Tags": "", "TagKeys": ["a"], "DurationSeconds": 900
        }))
        .unwrap();
        assert_eq!(m.max_items, Some(5));
        assert_eq!(m.only_attached, Some(true));
        assert!(m.tags.is_empty());
        assert_eq!(m.tag_keys, ["a"]);
        assert_eq!(m.duration_seconds, Some(900));
        assert!(serde_json::from_value::<Members>(json!({"MaxItems": "x"})).is_err());
        assert_eq!(ts(1_700_000_000_123), "2023-11-14T22:13:20Z");
    }
}
