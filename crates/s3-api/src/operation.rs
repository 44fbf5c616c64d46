//! Names the S3 operation a request line asks for, for the one-line request
//! log. s3s resolves the same routes to dispatch, but it hands the resolved
//! name only to its `S3Access` hook, which it calls only when an auth
//! provider is configured, so never in permissive mode: the log keeps this
//! view of the routes itself.

use http::Method;

/// Subresources that name bucket-level operations, with the verbs S3 accepts.
const BUCKET_SUBRESOURCES: &[(&str, &str, &str, &str)] = &[
    // (query key, GET, PUT, DELETE)
    ("versioning", "GetBucketVersioning", "PutBucketVersioning", ""),
    ("tagging", "GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging"),
    ("cors", "GetBucketCors", "PutBucketCors", "DeleteBucketCors"),
    (
        "notification",
        "GetBucketNotificationConfiguration",
        "PutBucketNotificationConfiguration",
        "",
    ),
    ("location", "GetBucketLocation", "", ""),
    ("versions", "ListObjectVersions", "", ""),
    ("uploads", "ListMultipartUploads", "", ""),
    ("policy", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
    (
        "lifecycle",
        "GetBucketLifecycleConfiguration",
        "PutBucketLifecycleConfiguration",
        "DeleteBucketLifecycle",
    ),
    ("acl", "GetBucketAcl", "PutBucketAcl", ""),
    (
        "encryption",
        "GetBucketEncryption",
        "PutBucketEncryption",
        "DeleteBucketEncryption",
    ),
    ("website", "GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite"),
];

/// The operation named by a request; `bucket`/`key` say what the path (or
/// virtual host) addressed.
pub fn operation_name(method: &Method, bucket: bool, key: bool, query: &str, copy_source: bool) -> &'static str {
    let has = |k: &str| query.split('&').any(|p| p.split('=').next() == Some(k));
    if !bucket {
        return if *method == Method::GET {
            "ListBuckets"
        } else {
            "Unknown"
        };
    }
    if key {
        return match *method {
            Method::GET if has("tagging") => "GetObjectTagging",
            Method::GET if has("uploadId") => "ListParts",
            Method::GET if has("attributes") => "GetObjectAttributes",
            Method::GET => "GetObject",
            Method::HEAD => "HeadObject",
            Method::PUT if has("tagging") => "PutObjectTagging",
            Method::PUT if has("uploadId") && copy_source => "UploadPartCopy",
            Method::PUT if has("uploadId") => "UploadPart",
            Method::PUT if copy_source => "CopyObject",
            Method::PUT => "PutObject",
            Method::POST if has("uploads") => "CreateMultipartUpload",
            Method::POST if has("uploadId") => "CompleteMultipartUpload",
            Method::POST if has("restore") => "RestoreObject",
            Method::POST if has("select") => "SelectObjectContent",
            Method::DELETE if has("tagging") => "DeleteObjectTagging",
            Method::DELETE if has("uploadId") => "AbortMultipartUpload",
            Method::DELETE => "DeleteObject",
            Method::OPTIONS => "PreflightRequest",
            _ => "Unknown",
        };
    }
    for (sub, get, put, delete) in BUCKET_SUBRESOURCES {
        if has(sub) {
            let name = match *method {
                Method::GET => *get,
                Method::PUT => *put,
                Method::DELETE => *delete,
                _ => "",
            };
            return if name.is_empty() { "Unknown" } else { name };
        }
    }
    match *method {
        Method::GET if has("list-type") => "ListObjectsV2",
        Method::GET => "ListObjects",
        Method::HEAD => "HeadBucket",
        Method::PUT => "CreateBucket",
        Method::DELETE => "DeleteBucket",
        Method::POST if has("delete") => "DeleteObjects",
        Method::POST => "PostObject",
        Method::OPTIONS => "PreflightRequest",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Request lines as AWS's API reference shows them.
    #[test]
    fn aws_doc_request_lines() {
        let cases: &[(Method, bool, bool, &str, bool, &str)] = &[
            (Method::GET, false, false, "", false, "ListBuckets"),
            (Method::PUT, true, false, "", false, "CreateBucket"),
            (Method::GET, true, false, "list-type=2&prefix=a", false, "ListObjectsV2"),
            (Method::GET, true, false, "marker=a", false, "ListObjects"),
            (Method::GET, true, false, "versions", false, "ListObjectVersions"),
            (Method::GET, true, false, "uploads", false, "ListMultipartUploads"),
            (Method::PUT, true, false, "versioning", false, "PutBucketVersioning"),
            (Method::POST, true, false, "delete", false, "DeleteObjects"),
            (Method::PUT, true, true, "", false, "PutObject"),
            (Method::PUT, true, true, "", true, "CopyObject"),
            (Method::PUT, true, true, "partNumber=1&uploadId=x", false, "UploadPart"),
            (
                Method::PUT,
                true,
                true,
                "partNumber=1&uploadId=x",
                true,
                "UploadPartCopy",
            ),
            (Method::POST, true, true, "uploads", false, "CreateMultipartUpload"),
            (Method::POST, true, true, "uploadId=x", false, "CompleteMultipartUpload"),
            (Method::DELETE, true, true, "uploadId=x", false, "AbortMultipartUpload"),
            (Method::GET, true, true, "uploadId=x", false, "ListParts"),
            (Method::GET, true, true, "versionId=3", false, "GetObject"),
            (Method::DELETE, true, false, "cors", false, "DeleteBucketCors"),
        ];
        for (m, b, k, q, c, want) in cases {
            assert_eq!(operation_name(m, *b, *k, q, *c), *want, "{m} {q}");
        }
    }
}
