//! Domain types of the object engine. They know nothing of HTTP or XML.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The version id S3 gives objects written while versioning is off or suspended.
pub const NULL_VERSION: &str = "null";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioning {
    /// Never enabled: no `VersioningConfiguration` status at all.
    Unversioned,
    Enabled,
    Suspended,
}

impl Versioning {
    pub(crate) fn from_db(s: Option<&str>) -> Self {
        match s {
            Some("Enabled") => Self::Enabled,
            Some("Suspended") => Self::Suspended,
            _ => Self::Unversioned,
        }
    }

    pub(crate) fn to_db(self) -> Option<&'static str> {
        match self {
            Self::Unversioned => None,
            Self::Enabled => Some("Enabled"),
            Self::Suspended => Some("Suspended"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct BucketInfo {
    pub name: String,
    pub region: String,
    pub created_ms: i64,
    pub versioning: Versioning,
}

/// A checksum the client sent or asked for, stored with the object as S3 does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredChecksum {
    /// `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1` or `SHA256`.
    pub algorithm: String,
    /// Base64 of the digest; for composite checksums without the `-N` suffix.
    pub value: String,
    /// `FULL_OBJECT` or `COMPOSITE`.
    pub kind: String,
}

/// Per-part facts kept on a completed multipart object, for `partNumber` reads
/// and `GetObjectAttributes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    pub part_number: i32,
    pub size: u64,
    pub etag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<StoredChecksum>,
}

/// The HTTP-ish metadata S3 keeps with an object: it is part of the domain
/// because S3 echoes it back byte for byte.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_disposition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<String>,
    /// The `Expires` header exactly as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<StoredChecksum>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

/// One version of one key, as committed.
#[derive(Debug, Clone)]
pub struct ObjectVersion {
    pub bucket: String,
    pub key: String,
    pub version_id: String,
    pub is_latest: bool,
    pub is_delete_marker: bool,
    pub size: u64,
    /// Quoted, as S3 sends it: `"<hex md5>"` or `"<hex>-N"`.
    pub etag: String,
    pub last_modified_ms: i64,
    pub meta: ObjectMeta,
    /// Empty for a single-PUT object.
    pub parts: Vec<PartInfo>,
    pub(crate) segments: Vec<Segment>,
    /// The body, when it is kept in the row (small single-PUT objects) and was loaded.
    pub(crate) inline: Option<bytes::Bytes>,
    /// Whether the body lives in the row rather than in blob files.
    pub(crate) is_inline: bool,
    pub(crate) row_id: i64,
}

/// A contiguous piece of an object's body: a blob file, whole.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Segment {
    pub blob: String,
    pub size: u64,
}

/// Conditions that must hold at the moment a write commits.
#[derive(Debug, Clone, Default)]
pub struct WriteCondition {
    /// `If-None-Match: *`: fail if the key has a current version.
    pub if_none_match_any: bool,
    /// `If-Match: <etag>`: fail unless the current version has this ETag.
    pub if_match: Option<String>,
}

/// What a delete did.
#[derive(Debug, Clone, Default)]
pub struct DeleteOutcome {
    /// Set when a delete marker was created, or a delete marker was removed.
    pub delete_marker: bool,
    pub version_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// Return keys strictly after this one.
    pub after: Option<String>,
    pub max_keys: usize,
}

#[derive(Debug, Clone, Default)]
pub struct ListPage {
    pub objects: Vec<ObjectVersion>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    /// The last key or common prefix returned, to continue after.
    pub next_after: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct VersionListQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub key_marker: Option<String>,
    pub version_id_marker: Option<String>,
    pub max_keys: usize,
}

#[derive(Debug, Clone, Default)]
pub struct VersionListPage {
    pub versions: Vec<ObjectVersion>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    pub next_key_marker: Option<String>,
    pub next_version_id_marker: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UploadInfo {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub initiated_ms: i64,
    pub meta: ObjectMeta,
    /// The checksum algorithm named at CreateMultipartUpload, if any.
    pub checksum_algorithm: Option<String>,
    pub checksum_type: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UploadedPart {
    pub part_number: i32,
    pub size: u64,
    pub etag: String,
    pub last_modified_ms: i64,
    pub checksum: Option<StoredChecksum>,
    pub(crate) blob: String,
}

#[derive(Debug, Clone)]
pub struct CompletePart {
    pub part_number: i32,
    pub etag: String,
}

#[derive(Debug, Clone, Default)]
pub struct UploadListQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub key_marker: Option<String>,
    pub upload_id_marker: Option<String>,
    pub max_uploads: usize,
}

#[derive(Debug, Clone, Default)]
pub struct UploadListPage {
    pub uploads: Vec<UploadInfo>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    pub next_key_marker: Option<String>,
    pub next_upload_id_marker: Option<String>,
}

/// Something that happened to an object, for the in-process event bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectEvent {
    Created {
        bucket: String,
        key: String,
        size: u64,
        etag: String,
        version_id: Option<String>,
        how: &'static str,
    },
    Removed {
        bucket: String,
        key: String,
        version_id: Option<String>,
        delete_marker: bool,
    },
}
