//! ListObjects (v1), ListObjectsV2 and ListObjectVersions.

use lakestack_compat::percent::{self, AsciiSet, NON_ALPHANUMERIC};
use lakestack_storage::{ListQuery, VersionListQuery};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result};

use crate::S3Api;
use crate::checksum;
use crate::conv;
use crate::error::{invalid_argument, s3_error};

/// What `encoding-type=url` escapes: all but letters, digits and `-_.~/`.
const URL_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `encoding-type=url`: S3 percent-encodes keys as form values (space as `+`).
fn encode(s: &str, url: bool) -> String {
    if url {
        percent::form_encode(s, URL_ESCAPED)
    } else {
        s.to_owned()
    }
}

/// Whether XML 1.0 cannot carry `s` as text: the C0 controls other than tab
/// and newline, U+FFFE and U+FFFF are not XML 1.0 characters even as
/// character references, and a raw CR is read back as LF.
fn xml_unsafe(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{0}'..='\u{8}' | '\u{B}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}'))
}

/// Whether a page is sent url-encoded: when the client asked, or when one of
/// its keys (or echoed prefixes and markers) could not be carried as XML 1.0
/// text. S3 then writes an ill-formed document that XML parsers reject; we
/// answer as if `encoding-type=url` had been sent, and `<EncodingType>`
/// says so (see docs/s3.md).
fn page_encoding<'a>(
    requested: Option<&EncodingType>,
    texts: impl IntoIterator<Item = &'a str>,
) -> S3Result<(bool, Option<EncodingType>)> {
    if url_encoding(requested)? {
        return Ok((true, requested.cloned()));
    }
    if texts.into_iter().any(xml_unsafe) {
        return Ok((true, Some(EncodingType::from_static(EncodingType::URL))));
    }
    Ok((false, None))
}

fn url_encoding(e: Option<&EncodingType>) -> S3Result<bool> {
    match e.map(EncodingType::as_str) {
        None => Ok(false),
        Some("url") => Ok(true),
        Some(_) => Err(invalid_argument("Invalid Encoding Method specified in Request")),
    }
}

fn max_keys(m: Option<i32>) -> S3Result<usize> {
    match m {
        None => Ok(1000),
        Some(n) if n < 0 => Err(invalid_argument("max-keys cannot be negative")),
        Some(n) => Ok((n as usize).min(1000)),
    }
}

fn object_entry(v: &lakestack_storage::ObjectVersion, owner: Option<Owner>, url: bool) -> Object {
    Object {
        key: Some(encode(&v.key, url)),
        e_tag: Some(conv::etag(&v.etag)),
        last_modified: Some(conv::timestamp(v.last_modified_ms)),
        size: Some(v.size as i64),
        storage_class: Some(ObjectStorageClass::from(
            v.meta.storage_class.clone().unwrap_or_else(|| "STANDARD".into()),
        )),
        owner,
        checksum_algorithm: v
            .meta
            .checksum
            .as_ref()
            .and_then(|c| checksum::Algo::parse(&c.algorithm))
            .map(|a| vec![ChecksumAlgorithm::from(a.name().to_owned())]),
        checksum_type: v.meta.checksum.as_ref().map(|c| ChecksumType::from(c.kind.clone())),
        restore_status: None,
    }
}

fn prefixes(cps: Vec<String>, url: bool) -> Option<Vec<CommonPrefix>> {
    (!cps.is_empty()).then(|| {
        cps.into_iter()
            .map(|p| CommonPrefix {
                prefix: Some(encode(&p, url)),
            })
            .collect()
    })
}

fn token_encode(s: &str) -> String {
    checksum::b64(s.as_bytes())
}

fn token_decode(s: &str) -> S3Result<String> {
    checksum::b64_decode(s)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| invalid_argument("The continuation token provided is incorrect"))
}

impl S3Api {
    pub(crate) async fn do_list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        let input = &req.input;
        url_encoding(input.encoding_type.as_ref())?;
        let q = ListQuery {
            prefix: input.prefix.clone().unwrap_or_default(),
            delimiter: input.delimiter.clone().filter(|d| !d.is_empty()),
            after: input.marker.clone().filter(|m| !m.is_empty()),
            max_keys: max_keys(input.max_keys)?,
        };
        let page = self.storage.list(&input.bucket, &q).map_err(s3_error)?;
        let (url, encoding_type) = page_encoding(
            input.encoding_type.as_ref(),
            [
                q.prefix.as_str(),
                input.marker.as_deref().unwrap_or_default(),
                input.delimiter.as_deref().unwrap_or_default(),
            ]
            .into_iter()
            .chain(page.next_after.as_deref())
            .chain(page.objects.iter().map(|v| v.key.as_str()))
            .chain(page.common_prefixes.iter().map(String::as_str)),
        )?;
        let owner = self.owner();
        Ok(S3Response::new(ListObjectsOutput {
            name: Some(input.bucket.clone()),
            prefix: Some(encode(&q.prefix, url)),
            marker: Some(encode(input.marker.as_deref().unwrap_or_default(), url)),
            max_keys: Some(q.max_keys as i32),
            is_truncated: Some(page.is_truncated),
            // S3 sends NextMarker only when a delimiter was given.
            next_marker: if page.is_truncated && q.delimiter.is_some() {
                page.next_after.as_deref().map(|s| encode(s, url))
            } else {
                None
            },
            contents: (!page.objects.is_empty()).then(|| {
                page.objects
                    .iter()
                    .map(|v| object_entry(v, Some(owner.clone()), url))
                    .collect()
            }),
            common_prefixes: prefixes(page.common_prefixes, url),
            delimiter: input.delimiter.as_deref().map(|d| encode(d, url)),
            encoding_type,
            request_charged: None,
        }))
    }

    pub(crate) async fn do_list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = &req.input;
        url_encoding(input.encoding_type.as_ref())?;
        let after = match &input.continuation_token {
            Some(t) => Some(token_decode(t)?),
            None => input.start_after.clone().filter(|s| !s.is_empty()),
        };
        let q = ListQuery {
            prefix: input.prefix.clone().unwrap_or_default(),
            delimiter: input.delimiter.clone().filter(|d| !d.is_empty()),
            after,
            max_keys: max_keys(input.max_keys)?,
        };
        let page = self.storage.list(&input.bucket, &q).map_err(s3_error)?;
        let (url, encoding_type) = page_encoding(
            input.encoding_type.as_ref(),
            [
                q.prefix.as_str(),
                input.start_after.as_deref().unwrap_or_default(),
                input.delimiter.as_deref().unwrap_or_default(),
            ]
            .into_iter()
            .chain(page.objects.iter().map(|v| v.key.as_str()))
            .chain(page.common_prefixes.iter().map(String::as_str)),
        )?;
        let owner = input.fetch_owner.unwrap_or(false).then(|| self.owner());
        let key_count = (page.objects.len() + page.common_prefixes.len()) as i32;
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(input.bucket.clone()),
            prefix: Some(encode(&q.prefix, url)),
            max_keys: Some(q.max_keys as i32),
            key_count: Some(key_count),
            continuation_token: input.continuation_token.clone(),
            is_truncated: Some(page.is_truncated),
            next_continuation_token: if page.is_truncated {
                page.next_after.as_deref().map(token_encode)
            } else {
                None
            },
            contents: (!page.objects.is_empty()).then(|| {
                page.objects
                    .iter()
                    .map(|v| object_entry(v, owner.clone(), url))
                    .collect()
            }),
            common_prefixes: prefixes(page.common_prefixes, url),
            delimiter: input.delimiter.as_deref().map(|d| encode(d, url)),
            encoding_type,
            start_after: input.start_after.as_deref().map(|s| encode(s, url)),
            request_charged: None,
        }))
    }

    pub(crate) async fn do_list_object_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        let input = &req.input;
        url_encoding(input.encoding_type.as_ref())?;
        // A version id is never url-encoded, and none of ours holds such characters.
        if input.version_id_marker.as_deref().is_some_and(xml_unsafe) {
            return Err(invalid_argument("Invalid version id specified"));
        }
        if input.version_id_marker.as_deref().is_some_and(|v| !v.is_empty()) && input.key_marker.is_none() {
            return Err(invalid_argument(
                "A version-id marker cannot be specified without a key marker.",
            ));
        }
        let q = VersionListQuery {
            prefix: input.prefix.clone().unwrap_or_default(),
            delimiter: input.delimiter.clone().filter(|d| !d.is_empty()),
            key_marker: input.key_marker.clone().filter(|k| !k.is_empty()),
            version_id_marker: input.version_id_marker.clone(),
            max_keys: max_keys(input.max_keys)?,
        };
        let page = self.storage.list_versions(&input.bucket, &q).map_err(s3_error)?;
        let (url, encoding_type) = page_encoding(
            input.encoding_type.as_ref(),
            [
                q.prefix.as_str(),
                input.key_marker.as_deref().unwrap_or_default(),
                input.delimiter.as_deref().unwrap_or_default(),
            ]
            .into_iter()
            .chain(page.next_key_marker.as_deref())
            .chain(page.versions.iter().map(|v| v.key.as_str()))
            .chain(page.common_prefixes.iter().map(String::as_str)),
        )?;
        let owner = self.owner();
        let mut versions = Vec::new();
        let mut markers = Vec::new();
        for v in &page.versions {
            if v.is_delete_marker {
                markers.push(DeleteMarkerEntry {
                    is_latest: Some(v.is_latest),
                    key: Some(encode(&v.key, url)),
                    last_modified: Some(conv::timestamp(v.last_modified_ms)),
                    owner: Some(owner.clone()),
                    version_id: Some(v.version_id.clone()),
                });
            } else {
                let o = object_entry(v, Some(owner.clone()), url);
                versions.push(ObjectVersion {
                    checksum_algorithm: o.checksum_algorithm,
                    checksum_type: o.checksum_type,
                    e_tag: o.e_tag,
                    is_latest: Some(v.is_latest),
                    key: o.key,
                    last_modified: o.last_modified,
                    owner: o.owner,
                    restore_status: None,
                    size: o.size,
                    storage_class: Some(ObjectVersionStorageClass::from_static(
                        ObjectVersionStorageClass::STANDARD,
                    )),
                    version_id: Some(v.version_id.clone()),
                });
            }
        }
        Ok(S3Response::new(ListObjectVersionsOutput {
            common_prefixes: prefixes(page.common_prefixes, url),
            delete_markers: (!markers.is_empty()).then_some(markers),
            delimiter: input.delimiter.as_deref().map(|d| encode(d, url)),
            encoding_type,
            is_truncated: Some(page.is_truncated),
            key_marker: Some(input.key_marker.as_deref().map(|k| encode(k, url)).unwrap_or_default()),
            max_keys: Some(q.max_keys as i32),
            name: Some(input.bucket.clone()),
            next_key_marker: page.next_key_marker.as_deref().map(|k| encode(k, url)),
            next_version_id_marker: page.next_version_id_marker,
            prefix: Some(encode(&q.prefix, url)),
            request_charged: None,
            version_id_marker: Some(input.version_id_marker.clone().unwrap_or_default()),
            versions: (!versions.is_empty()).then_some(versions),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::{encode, xml_unsafe};

    #[test]
    fn xml_unsafe_characters() {
        assert!(xml_unsafe("a\u{0}b"));
        assert!(xml_unsafe("a\rb"));
        assert!(xml_unsafe("\u{1F}"));
        assert!(xml_unsafe("\u{FFFF}"));
        assert!(!xml_unsafe("tab\tand\nnewline & <ü>"));
    }

    #[test]
    fn url_encoding_matches_s3() {
        assert_eq!(encode("a b/ü+c", true), "a+b/%C3%BC%2Bc");
        assert_eq!(encode("a b", false), "a b");
    }
}
