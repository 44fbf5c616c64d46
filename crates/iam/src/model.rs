//! What IAM and STS keep, as stored (a JSON body per record). Wire shapes
//! are in `api::dto`; these know nothing of the protocol.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// The four kinds of named IAM entities, which share names, paths, ids,
/// ARNs and (but for instance profiles) policies and tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    Role,
    User,
    Group,
    InstanceProfile,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Role, Kind::User, Kind::Group, Kind::InstanceProfile];

    /// The resource type in its ARN, and the record kind in the store.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::User => "user",
            Kind::Group => "group",
            Kind::InstanceProfile => "instance-profile",
        }
    }

    pub fn id_prefix(self) -> &'static str {
        match self {
            Kind::Role => "AROA",
            Kind::User => "AIDA",
            Kind::Group => "AGPA",
            Kind::InstanceProfile => "AIPA",
        }
    }

    /// How IAM's messages name it ("The role with name x cannot be found.").
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::User => "user",
            Kind::Group => "group",
            Kind::InstanceProfile => "Instance Profile",
        }
    }

    /// The largest name (roles and users 64, groups and profiles 128).
    pub fn max_name(self) -> usize {
        match self {
            Kind::Role | Kind::User => 64,
            Kind::Group | Kind::InstanceProfile => 128,
        }
    }

    /// IAM's default account quota on entities of the kind, and its name
    /// in the LimitExceeded message. It also bounds what a client can make
    /// the server hold.
    pub fn account_quota(self) -> (&'static str, usize) {
        match self {
            Kind::Role => ("RolesPerAccount", 1000),
            Kind::User => ("UsersPerAccount", 5000),
            Kind::Group => ("GroupsPerAccount", 300),
            Kind::InstanceProfile => ("InstanceProfilesPerAccount", 1000),
        }
    }

    /// Aggregate inline policy quota, in non-white-space characters.
    pub fn inline_quota(self) -> usize {
        match self {
            Kind::Role => 10_240,
            Kind::User => 2_048,
            Kind::Group | Kind::InstanceProfile => 5_120,
        }
    }
}

/// A role, user, group or instance profile. Members that only one kind has
/// stay empty on the others.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entity {
    pub kind: Kind,
    pub name: String,
    pub path: String,
    pub id: String,
    pub arn: String,
    pub created_ms: i64,
    /// Inline policies by name, documents as sent.
    #[serde(default)]
    pub inline: BTreeMap<String, String>,
    /// Attached managed policies' ARNs, in the order attached.
    #[serde(default)]
    pub attached: Vec<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub description: Option<String>,
    /// A role's trust policy, as sent.
    #[serde(default)]
    pub trust: Option<String>,
    #[serde(default)]
    pub max_session: Option<i64>,
    #[serde(default)]
    pub boundary: Option<String>,
    /// A group's users, an instance profile's roles (lower-cased names).
    #[serde(default)]
    pub members: Vec<String>,
}

/// Names are unique regardless of case: `ADMINS` and `admins` are one group.
pub fn key_of(name: &str) -> String {
    name.to_ascii_lowercase()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub id: String,
    pub document: String,
    pub created_ms: i64,
}

/// A customer managed policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub path: String,
    pub id: String,
    pub arn: String,
    pub description: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub default_version: String,
    pub versions: Vec<PolicyVersion>,
    /// The number the next version gets (`v<n>`); never reused.
    pub next_version: u32,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    Inactive,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        }
    }
}

/// An IAM user's long-term access key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessKey {
    pub id: String,
    /// The owner's name as created (its key is `key_of(user_name)`).
    pub user_name: String,
    pub secret: String,
    pub status: KeyStatus,
    pub created_ms: i64,
    /// Creation order, which keys made in the same millisecond share a
    /// time but not this.
    #[serde(default)]
    pub seq: u64,
}

/// Who a set of credentials acts as, as GetCallerIdentity answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub arn: String,
    pub user_id: String,
    pub account: String,
}

/// Temporary credentials issued by STS.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub secret: String,
    pub token: String,
    pub expires_ms: i64,
    pub identity: Identity,
}
