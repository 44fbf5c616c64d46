//! PutObject, GetObject, HeadObject, DeleteObject(s), CopyObject and object tagging.

use lakestack_storage::{ObjectMeta, ObjectVersion, StorageError, WriteCondition};
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

use crate::S3Api;
use crate::checksum::{self, Algo};
use crate::conv::{self, set_checksum};
use crate::error::{invalid_argument, s3_error};
use crate::ingest::{IngestSpec, Trailers, ingest};

/// S3's answer for a missing key whose current version is a delete marker.
fn not_found(e: StorageError, asked_version: bool) -> S3Error {
    match e {
        StorageError::DeleteMarker {
            version_id,
            last_modified_ms,
            ..
        } => {
            let mut err = if asked_version {
                S3Error::with_message(
                    S3ErrorCode::MethodNotAllowed,
                    "The specified method is not allowed against this resource.",
                )
            } else {
                S3Error::with_message(S3ErrorCode::NoSuchKey, "The specified key does not exist.")
            };
            let mut h = http::HeaderMap::new();
            h.insert("x-amz-delete-marker", http::HeaderValue::from_static("true"));
            if let Ok(v) = http::HeaderValue::from_str(&version_id) {
                h.insert("x-amz-version-id", v);
            }
            if let Ok(v) = http::HeaderValue::from_str(&conv::http_date(&conv::timestamp(last_modified_ms))) {
                h.insert("last-modified", v);
            }
            err.set_headers(h);
            err
        }
        other => s3_error(other),
    }
}

fn invalid_part_number() -> S3Error {
    let mut e = S3Error::with_message(
        S3ErrorCode::Custom("InvalidPartNumber".into()),
        "The requested partnumber is not satisfiable",
    );
    e.set_status_code(http::StatusCode::RANGE_NOT_SATISFIABLE);
    e
}

fn check_version_id(v: Option<&str>) -> S3Result<()> {
    match v {
        Some("") => Err(invalid_argument("Version id cannot be the empty string")),
        Some(v)
            if v != "null"
                && (v.len() > 1024 || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-+=/".contains(&b))) =>
        {
            Err(invalid_argument("Invalid version id specified"))
        }
        _ => Ok(()),
    }
}

/// HTTP conditional-request rules as S3 applies them to GET and HEAD.
fn check_read_conditions(
    v: &ObjectVersion,
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
    if_unmodified_since: Option<&Timestamp>,
) -> S3Result<()> {
    // Last-Modified is compared at one-second resolution, as the header carries it.
    let lm = v.last_modified_ms / 1000;
    let precondition = || {
        S3Error::with_message(
            S3ErrorCode::PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold",
        )
    };
    let not_modified = || {
        let mut e = S3Error::new(S3ErrorCode::NotModified);
        let mut h = http::HeaderMap::new();
        if let Ok(val) = http::HeaderValue::from_str(&v.etag) {
            h.insert("etag", val);
        }
        e.set_headers(h);
        e
    };
    match if_match {
        Some(c) if !conv::etag_matches(c, &v.etag) => return Err(precondition()),
        Some(_) => {}
        None => {
            if let Some(t) = if_unmodified_since
                && lm > conv::ms_of(t) / 1000
            {
                return Err(precondition());
            }
        }
    }
    match if_none_match {
        Some(c) if conv::etag_matches(c, &v.etag) => return Err(not_modified()),
        Some(_) => {}
        None => {
            if let Some(t) = if_modified_since
                && lm <= conv::ms_of(t) / 1000
            {
                return Err(not_modified());
            }
        }
    }
    Ok(())
}

/// Resolves `Range` or `partNumber` to a byte range and the part count header.
fn resolve_range(
    v: &ObjectVersion,
    range: Option<&Range>,
    part_number: Option<i32>,
) -> S3Result<Option<std::ops::Range<u64>>> {
    if let Some(n) = part_number {
        if range.is_some() {
            return Err(invalid_argument(
                "Cannot specify both Range header and partNumber query parameter",
            ));
        }
        if !(1..=10000).contains(&n) {
            return Err(invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive",
            ));
        }
        if v.parts.is_empty() {
            return if n == 1 { Ok(None) } else { Err(invalid_part_number()) };
        }
        let idx = usize::try_from(n - 1).unwrap_or(usize::MAX);
        let Some(part) = v.parts.get(idx) else {
            return Err(invalid_part_number());
        };
        let start: u64 = v.parts[..idx].iter().map(|p| p.size).sum();
        return Ok(Some(start..start + part.size));
    }
    match range {
        None => Ok(None),
        Some(r) => r.check(v.size).map(Some).map_err(|_| {
            let mut e = S3Error::with_message(S3ErrorCode::InvalidRange, "The requested range is not satisfiable");
            let mut h = http::HeaderMap::new();
            if let Ok(val) = http::HeaderValue::from_str(&format!("bytes */{}", v.size)) {
                h.insert("content-range", val);
            }
            e.set_headers(h);
            e
        }),
    }
}

macro_rules! fill_object_headers {
    ($out:ident, $v:expr, $checksum_mode:expr, $whole:expr) => {{
        let v: &ObjectVersion = $v;
        $out.accept_ranges = Some("bytes".into());
        $out.e_tag = Some(conv::etag(&v.etag));
        $out.last_modified = Some(conv::timestamp(v.last_modified_ms));
        $out.metadata = conv::metadata(&v.meta);
        $out.content_type = Some(
            v.meta
                .content_type
                .clone()
                .unwrap_or_else(|| "binary/octet-stream".to_owned())
                .into(),
        );
        $out.content_encoding = v.meta.content_encoding.clone();
        $out.content_disposition = v.meta.content_disposition.clone();
        $out.content_language = v.meta.content_language.clone();
        $out.cache_control = v.meta.cache_control.clone();
        $out.expires = v.meta.expires.as_deref().and_then(conv::parse_http_date);
        $out.version_id = conv::version_id(v);
        if !v.parts.is_empty() {
            $out.parts_count = Some(v.parts.len() as i32);
        }
        if $checksum_mode && $whole {
            set_checksum!($out, v.meta.checksum.as_ref(), v.parts.len());
            $out.checksum_type = v.meta.checksum.as_ref().map(|c| ChecksumType::from(c.kind.clone()));
        }
        if let Some(sc) = &v.meta.storage_class
            && sc != "STANDARD"
        {
            $out.storage_class = Some(StorageClass::from(sc.clone()));
        }
    }};
}

fn checksum_enabled(mode: Option<&ChecksumMode>) -> bool {
    mode.is_some_and(|m| m.as_str().eq_ignore_ascii_case("ENABLED"))
}

fn apply_overrides<T>(out: &mut GetObjectOutput, req: &S3Request<T>, input: &GetObjectInput) {
    let _ = req;
    if let Some(v) = &input.response_content_type {
        out.content_type = Some(v.clone());
    }
    if let Some(v) = &input.response_content_disposition {
        out.content_disposition = Some(v.clone());
    }
    if let Some(v) = &input.response_content_encoding {
        out.content_encoding = Some(v.clone());
    }
    if let Some(v) = &input.response_content_language {
        out.content_language = Some(v.clone());
    }
    if let Some(v) = &input.response_cache_control {
        out.cache_control = Some(v.clone());
    }
    if let Some(v) = &input.response_expires {
        out.expires = Some(v.clone());
    }
}

pub(crate) fn meta_from_put(input: &PutObjectInput) -> S3Result<ObjectMeta> {
    Ok(ObjectMeta {
        content_type: input.content_type.as_ref().map(ToString::to_string),
        content_encoding: conv::content_encoding(input.content_encoding.as_deref()),
        content_disposition: input.content_disposition.clone(),
        content_language: input.content_language.clone(),
        cache_control: input.cache_control.clone(),
        expires: input.expires.as_ref().map(conv::http_date),
        user: conv::user_metadata(input.metadata.clone()),
        checksum: None,
        tags: match &input.tagging {
            Some(t) => conv::parse_tagging_header(t)?,
            None => Vec::new(),
        },
        storage_class: input.storage_class.as_ref().map(|s| s.as_str().to_owned()),
    })
}

/// What GET and HEAD share: which version, under which conditions, which bytes.
struct ReadRequest<'a> {
    bucket: &'a str,
    key: &'a str,
    version_id: Option<&'a str>,
    if_match: Option<&'a ETagCondition>,
    if_none_match: Option<&'a ETagCondition>,
    if_modified_since: Option<&'a Timestamp>,
    if_unmodified_since: Option<&'a Timestamp>,
    range: Option<&'a Range>,
    part_number: Option<i32>,
}

/// GetObjectInput and HeadObjectInput share these fields, field for field.
macro_rules! read_request {
    ($input:expr) => {
        ReadRequest {
            bucket: &$input.bucket,
            key: &$input.key,
            version_id: $input.version_id.as_deref(),
            if_match: $input.if_match.as_ref(),
            if_none_match: $input.if_none_match.as_ref(),
            if_modified_since: $input.if_modified_since.as_ref(),
            if_unmodified_since: $input.if_unmodified_since.as_ref(),
            range: $input.range.as_ref(),
            part_number: $input.part_number,
        }
    };
}

impl S3Api {
    fn resolve_read(&self, r: ReadRequest<'_>) -> S3Result<(ObjectVersion, Option<std::ops::Range<u64>>)> {
        check_version_id(r.version_id)?;
        let v = self
            .storage
            .head(r.bucket, r.key, r.version_id)
            .map_err(|e| not_found(e, r.version_id.is_some()))?;
        check_read_conditions(
            &v,
            r.if_match,
            r.if_none_match,
            r.if_modified_since,
            r.if_unmodified_since,
        )?;
        let range = resolve_range(&v, r.range, r.part_number)?;
        Ok((v, range))
    }

    pub(crate) async fn do_put_object(
        &self,
        mut req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let trailers = Trailers::of(&req);
        // s3s serves a browser form upload (POST) through this operation too;
        // its event is `ObjectCreated:Post`.
        let how = if req.method == http::Method::POST {
            "Post"
        } else {
            "Put"
        };
        let input = &mut req.input;
        let mut meta = meta_from_put(input)?;
        let requested = checksum::requested(
            &req.headers,
            input.checksum_algorithm.as_ref().map(ChecksumAlgorithm::as_str),
        )?;
        let cond = WriteCondition {
            if_none_match_any: match &input.if_none_match {
                Some(ETagCondition::Any) => true,
                Some(_) => {
                    return Err(S3Error::with_message(
                        S3ErrorCode::NotImplemented,
                        "A header you provided implies functionality that is not implemented: If-None-Match only accepts '*'",
                    ));
                }
                None => false,
            },
            if_match: input.if_match.as_ref().map(|c| match c {
                ETagCondition::Any => "*".to_owned(),
                ETagCondition::ETag(e) => e.value().to_owned(),
            }),
        };
        // Fail fast before reading the body when the bucket is missing.
        self.storage.bucket(&input.bucket).map_err(s3_error)?;
        let content_length = req.headers.get(http::header::CONTENT_LENGTH).and(input.content_length);
        let explicit = requested.is_some();
        let got = ingest(
            &self.storage,
            input.body.take(),
            IngestSpec {
                content_md5: input.content_md5.as_deref(),
                content_length,
                requested,
                store: None,
                whole_object: true,
                trailers,
            },
        )
        .await?;
        meta.checksum = Some(got.checksum.clone());
        let v = self
            .storage
            .commit_put(&input.bucket, &input.key, got.blob, meta, &cond, how)
            .await
            .map_err(s3_error)?;
        let mut out = PutObjectOutput {
            e_tag: Some(conv::etag(&v.etag)),
            version_id: conv::version_id(&v),
            ..Default::default()
        };
        if explicit || req.headers.contains_key("x-amz-sdk-checksum-algorithm") {
            set_checksum!(out, Some(&got.checksum), 0);
            out.checksum_type = Some(ChecksumType::from_static(ChecksumType::FULL_OBJECT));
        }
        Ok(S3Response::new(out))
    }

    pub(crate) async fn do_get_object(&self, req: S3Request<GetObjectInput>) -> S3Result<S3Response<GetObjectOutput>> {
        let input = &req.input;
        let (v, range) = self.resolve_read(read_request!(input))?;
        let whole = range.is_none()
            || range
                .as_ref()
                .is_some_and(|r| r.start == 0 && r.end == v.size && input.part_number.is_none());
        let (start, end) = range.clone().map_or((0, v.size), |r| (r.start, r.end));
        let body = self.storage.read(&v, start, end).await.map_err(s3_error)?;
        let mut out = GetObjectOutput::default();
        fill_object_headers!(out, &v, checksum_enabled(input.checksum_mode.as_ref()), whole);
        out.tag_count = (!v.meta.tags.is_empty()).then_some(v.meta.tags.len() as i32);
        apply_overrides(&mut out, &req, input);
        out.content_length = Some((end - start) as i64);
        out.body = Some(StreamingBlob::new(crate::stream::SyncByteStream::new(
            body,
            Some(end - start),
        )));
        let mut resp = S3Response::new(out);
        if let Some(r) = range {
            resp.output.content_range = Some(format!("bytes {}-{}/{}", r.start, r.end.saturating_sub(1), v.size));
            resp.status = Some(http::StatusCode::PARTIAL_CONTENT);
        }
        Ok(resp)
    }

    pub(crate) async fn do_head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let input = &req.input;
        let (v, range) = self.resolve_read(read_request!(input))?;
        let mut out = HeadObjectOutput::default();
        fill_object_headers!(out, &v, checksum_enabled(input.checksum_mode.as_ref()), range.is_none());
        let (start, end) = range.clone().map_or((0, v.size), |r| (r.start, r.end));
        out.content_length = Some((end - start) as i64);
        let mut resp = S3Response::new(out);
        if let Some(r) = range {
            resp.output.content_range = Some(format!("bytes {}-{}/{}", r.start, r.end.saturating_sub(1), v.size));
            resp.status = Some(http::StatusCode::PARTIAL_CONTENT);
        }
        Ok(resp)
    }

    pub(crate) async fn do_delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let input = &req.input;
        check_version_id(input.version_id.as_deref())?;
        if input.if_match.is_some() {
            let cur = self.storage.head(&input.bucket, &input.key, None);
            match (cur, &input.if_match) {
                (Ok(v), Some(c)) if !conv::etag_matches(c, &v.etag) => {
                    return Err(S3Error::with_message(
                        S3ErrorCode::PreconditionFailed,
                        "At least one of the pre-conditions you specified did not hold",
                    ));
                }
                (Err(StorageError::NoSuchKey { .. } | StorageError::DeleteMarker { .. }), _) => {
                    return Err(S3Error::with_message(
                        S3ErrorCode::NoSuchKey,
                        "The specified key does not exist.",
                    ));
                }
                (Err(e), _) => return Err(s3_error(e)),
                _ => {}
            }
        }
        let outcome = self
            .storage
            .delete(&input.bucket, &input.key, input.version_id.as_deref())
            .await
            .map_err(s3_error)?;
        let out = DeleteObjectOutput {
            delete_marker: outcome.delete_marker.then_some(true),
            version_id: outcome.version_id,
            ..Default::default()
        };
        let mut resp = S3Response::new(out);
        resp.status = Some(http::StatusCode::NO_CONTENT);
        Ok(resp)
    }

    pub(crate) async fn do_delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let input = &req.input;
        // S3 insists on an integrity check for this call: Content-MD5 or any x-amz-checksum-*.
        let has_md5 = req.headers.contains_key("content-md5");
        let has_checksum = checksum::ALL.iter().any(|a| req.headers.contains_key(a.header()))
            || req.headers.contains_key("x-amz-sdk-checksum-algorithm")
            || req.headers.contains_key("x-amz-trailer");
        if !has_md5 && !has_checksum {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidRequest,
                "Missing required header for this request: Content-MD5 OR x-amz-checksum-*",
            ));
        }
        if input.delete.objects.len() > 1000 {
            return Err(S3Error::with_message(
                S3ErrorCode::MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema",
            ));
        }
        self.storage.bucket(&input.bucket).map_err(s3_error)?;
        let quiet = input.delete.quiet.unwrap_or(false);
        let mut deleted = Vec::new();
        let mut errors = Vec::new();
        for obj in &input.delete.objects {
            if let Err(e) = check_version_id(obj.version_id.as_deref()) {
                errors.push(Error {
                    code: Some(e.code().as_str().to_owned()),
                    key: Some(obj.key.clone()),
                    message: e.message().map(str::to_owned),
                    version_id: obj.version_id.clone(),
                });
                continue;
            }
            match self
                .storage
                .delete(&input.bucket, &obj.key, obj.version_id.as_deref())
                .await
            {
                Ok(o) => {
                    if !quiet {
                        deleted.push(DeletedObject {
                            key: Some(obj.key.clone()),
                            version_id: obj.version_id.clone(),
                            delete_marker: o.delete_marker.then_some(true),
                            // Set both when a marker was created and when one was deleted by id.
                            delete_marker_version_id: o.delete_marker.then(|| o.version_id.clone()).flatten(),
                        });
                    }
                }
                Err(e) => {
                    let e = s3_error(e);
                    errors.push(Error {
                        code: Some(e.code().as_str().to_owned()),
                        key: Some(obj.key.clone()),
                        message: e.message().map(str::to_owned),
                        version_id: obj.version_id.clone(),
                    });
                }
            }
        }
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted: (!deleted.is_empty()).then_some(deleted),
            errors: (!errors.is_empty()).then_some(errors),
            ..Default::default()
        }))
    }

    pub(crate) async fn do_copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let input = &req.input;
        let CopySource::Bucket {
            bucket: src_bucket,
            key: src_key,
            version_id: src_version,
        } = &input.copy_source
        else {
            return Err(S3Error::with_message(
                S3ErrorCode::NotImplemented,
                "CopyObject from an access point is not implemented",
            ));
        };
        check_version_id(src_version.as_deref())?;
        let src = self
            .storage
            .head(src_bucket, src_key, src_version.as_deref())
            .map_err(|e| match e {
                StorageError::DeleteMarker { .. } if src_version.is_some() => S3Error::with_message(
                    S3ErrorCode::InvalidRequest,
                    "The source of a copy request may not specifically refer to a delete marker by version id.",
                ),
                e => not_found(e, false),
            })?;
        copy_source_conditions(&src, input)?;
        let replace = input
            .metadata_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == MetadataDirective::REPLACE);
        if let Some(d) = &input.metadata_directive
            && d.as_str() != MetadataDirective::REPLACE
            && d.as_str() != MetadataDirective::COPY
        {
            return Err(invalid_argument("Unknown metadata directive."));
        }
        let same = src_bucket.as_ref() == input.bucket && src_key.as_ref() == input.key && src_version.is_none();
        if same && !replace && input.storage_class.is_none() && input.tagging_directive.is_none() {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidRequest,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
            ));
        }
        let mut meta = if replace {
            ObjectMeta {
                content_type: input.content_type.as_ref().map(ToString::to_string),
                content_encoding: input.content_encoding.clone(),
                content_disposition: input.content_disposition.clone(),
                content_language: input.content_language.clone(),
                cache_control: input.cache_control.clone(),
                expires: input.expires.as_ref().map(conv::http_date),
                user: conv::user_metadata(input.metadata.clone()),
                ..Default::default()
            }
        } else {
            src.meta.clone()
        };
        meta.tags = match input.tagging_directive.as_ref().map(TaggingDirective::as_str) {
            Some("REPLACE") => input
                .tagging
                .as_deref()
                .map(conv::parse_tagging_header)
                .transpose()?
                .unwrap_or_default(),
            _ => src.meta.tags.clone(),
        };
        meta.storage_class = input
            .storage_class
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .or(src.meta.storage_class.clone());
        let algo = input.checksum_algorithm.as_ref().and_then(|a| Algo::parse(a.as_str()));
        let algo = algo
            .or_else(|| src.meta.checksum.as_ref().and_then(|c| Algo::parse(&c.algorithm)))
            .unwrap_or(Algo::Crc64Nvme);
        let (blob, digest) = crate::ingest::copy_range(&self.storage, &src, 0, src.size, algo, true).await?;
        meta.checksum = Some(checksum::stored(algo, &digest, "FULL_OBJECT"));
        let v = self
            .storage
            .commit_put(
                &input.bucket,
                &input.key,
                blob,
                meta,
                &WriteCondition::default(),
                "Copy",
            )
            .await
            .map_err(s3_error)?;
        let mut result = CopyObjectResult {
            e_tag: Some(conv::etag(&v.etag)),
            last_modified: Some(conv::timestamp(v.last_modified_ms)),
            ..Default::default()
        };
        if input.checksum_algorithm.is_some() {
            set_checksum!(result, v.meta.checksum.as_ref(), 0);
        }
        Ok(S3Response::new(CopyObjectOutput {
            copy_object_result: Some(result),
            version_id: conv::version_id(&v),
            copy_source_version_id: conv::version_id(&src),
            ..Default::default()
        }))
    }

    pub(crate) async fn do_get_object_tagging(
        &self,
        req: S3Request<GetObjectTaggingInput>,
    ) -> S3Result<S3Response<GetObjectTaggingOutput>> {
        let input = &req.input;
        check_version_id(input.version_id.as_deref())?;
        let v = self
            .storage
            .head(&input.bucket, &input.key, input.version_id.as_deref())
            .map_err(|e| not_found(e, input.version_id.is_some()))?;
        Ok(S3Response::new(GetObjectTaggingOutput {
            tag_set: v
                .meta
                .tags
                .iter()
                .map(|(k, v)| Tag {
                    key: Some(k.clone()),
                    value: Some(v.clone()),
                })
                .collect(),
            version_id: conv::version_id(&v),
        }))
    }

    pub(crate) async fn do_put_object_tagging(
        &self,
        req: S3Request<PutObjectTaggingInput>,
    ) -> S3Result<S3Response<PutObjectTaggingOutput>> {
        let input = req.input;
        check_version_id(input.version_id.as_deref())?;
        let tags: Vec<(String, String)> = input
            .tagging
            .tag_set
            .into_iter()
            .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
            .collect();
        conv::check_tags(&tags)?;
        let vid = self
            .storage
            .set_tags(
                &input.bucket,
                &input.key,
                input.version_id.as_deref(),
                tags,
                "ObjectTagging:Put",
            )
            .await
            .map_err(|e| not_found(e, input.version_id.is_some()))?;
        Ok(S3Response::new(PutObjectTaggingOutput {
            version_id: (vid != "null").then_some(vid),
        }))
    }

    pub(crate) async fn do_delete_object_tagging(
        &self,
        req: S3Request<DeleteObjectTaggingInput>,
    ) -> S3Result<S3Response<DeleteObjectTaggingOutput>> {
        let input = req.input;
        check_version_id(input.version_id.as_deref())?;
        let vid = self
            .storage
            .set_tags(
                &input.bucket,
                &input.key,
                input.version_id.as_deref(),
                Vec::new(),
                "ObjectTagging:Delete",
            )
            .await
            .map_err(|e| not_found(e, input.version_id.is_some()))?;
        let mut resp = S3Response::new(DeleteObjectTaggingOutput {
            version_id: (vid != "null").then_some(vid),
        });
        resp.status = Some(http::StatusCode::NO_CONTENT);
        Ok(resp)
    }
}

fn copy_source_conditions(src: &ObjectVersion, input: &CopyObjectInput) -> S3Result<()> {
    copy_conditions(
        src,
        input.copy_source_if_match.as_ref(),
        input.copy_source_if_none_match.as_ref(),
        input.copy_source_if_modified_since.as_ref(),
        input.copy_source_if_unmodified_since.as_ref(),
    )
}

/// `x-amz-copy-source-if-*`: unlike GET, every failure is a 412.
pub(crate) fn copy_conditions(
    src: &ObjectVersion,
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
    if_unmodified_since: Option<&Timestamp>,
) -> S3Result<()> {
    match check_read_conditions(src, if_match, if_none_match, if_modified_since, if_unmodified_since) {
        Err(e) if *e.code() == S3ErrorCode::NotModified => Err(S3Error::with_message(
            S3ErrorCode::PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold",
        )),
        other => other,
    }
}
