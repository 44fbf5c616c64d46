//! Multipart uploads: create, upload (and copy) parts, complete, abort, list.

use lakestack_storage::{CompletePart, ObjectMeta, StoredChecksum, UploadListQuery, WriteCondition};
use s3s::dto::*;
use s3s::{S3Error, S3ErrorCode, S3Request, S3Response, S3Result};

use crate::S3Api;
use crate::checksum::{self, Algo};
use crate::conv::{self, set_checksum};
use crate::error::{invalid_argument, s3_error};
use crate::ingest::{IngestSpec, Trailers, ingest};

fn check_part_number(n: i32) -> S3Result<()> {
    if (1..=10_000).contains(&n) {
        Ok(())
    } else {
        Err(invalid_argument(
            "Part number must be an integer between 1 and 10000, inclusive",
        ))
    }
}

/// The algorithm every part of an upload is hashed with: the one named at
/// creation, else S3's default CRC64NVME.
fn upload_algo(up: &lakestack_storage::UploadInfo) -> Algo {
    up.checksum_algorithm
        .as_deref()
        .and_then(Algo::parse)
        .unwrap_or(Algo::Crc64Nvme)
}

fn is_full_object(up: &lakestack_storage::UploadInfo) -> bool {
    match up.checksum_type.as_deref() {
        Some(t) => t.eq_ignore_ascii_case("FULL_OBJECT"),
        // Without an explicit algorithm S3 keeps a full-object CRC64NVME.
        None => up.checksum_algorithm.is_none() || upload_algo(up) == Algo::Crc64Nvme,
    }
}

fn owner_initiator(api: &S3Api) -> Initiator {
    let o = api.owner();
    Initiator {
        display_name: o.display_name,
        id: o.id,
    }
}

impl S3Api {
    pub(crate) async fn do_create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let input = &req.input;
        let algo = input
            .checksum_algorithm
            .as_ref()
            .map(|a| {
                Algo::parse(a.as_str()).ok_or_else(|| invalid_argument("Checksum algorithm provided is unsupported."))
            })
            .transpose()?;
        let ctype = input.checksum_type.as_ref().map(|t| t.as_str().to_ascii_uppercase());
        if let (Some(t), Some(a)) = (&ctype, algo) {
            let ok = match t.as_str() {
                "FULL_OBJECT" => a.is_crc(),
                "COMPOSITE" => a != Algo::Crc64Nvme,
                _ => false,
            };
            if !ok {
                return Err(S3Error::with_message(
                    S3ErrorCode::InvalidRequest,
                    format!(
                        "The {} checksum type cannot be used with the {} checksum algorithm.",
                        t,
                        a.name()
                    ),
                ));
            }
        }
        let meta = ObjectMeta {
            content_type: input.content_type.as_ref().map(ToString::to_string),
            content_encoding: conv::content_encoding(input.content_encoding.as_deref()),
            content_disposition: input.content_disposition.clone(),
            content_language: input.content_language.clone(),
            cache_control: input.cache_control.clone(),
            expires: input.expires.as_ref().map(conv::http_date),
            user: conv::user_metadata(input.metadata.clone()),
            checksum: None,
            tags: input
                .tagging
                .as_deref()
                .map(conv::parse_tagging_header)
                .transpose()?
                .unwrap_or_default(),
            storage_class: input.storage_class.as_ref().map(|s| s.as_str().to_owned()),
        };
        let ctype = ctype.or_else(|| {
            algo.map(|a| {
                if a == Algo::Crc64Nvme {
                    "FULL_OBJECT".into()
                } else {
                    "COMPOSITE".into()
                }
            })
        });
        let up = self
            .storage
            .create_upload(&input.bucket, &input.key, &meta, algo.map(Algo::name), ctype.as_deref())
            .await
            .map_err(s3_error)?;
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(input.bucket.clone()),
            key: Some(input.key.clone()),
            upload_id: Some(up.upload_id),
            checksum_algorithm: algo.map(|a| ChecksumAlgorithm::from(a.name().to_owned())),
            checksum_type: up.checksum_type.map(ChecksumType::from),
            ..Default::default()
        }))
    }

    pub(crate) async fn do_upload_part(
        &self,
        mut req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let trailers = Trailers::of(&req);
        let input = &mut req.input;
        check_part_number(input.part_number)?;
        let up = self
            .storage
            .upload(&input.bucket, &input.key, &input.upload_id)
            .map_err(s3_error)?;
        let requested = checksum::requested(
            &req.headers,
            input.checksum_algorithm.as_ref().map(ChecksumAlgorithm::as_str),
        )?;
        let algo = upload_algo(&up);
        if let Some(r) = &requested
            && up.checksum_algorithm.is_some()
            && r.algo != algo
        {
            return Err(S3Error::with_message(
                S3ErrorCode::InvalidRequest,
                format!(
                    "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                    algo.name().to_lowercase(),
                    r.algo.name().to_lowercase()
                ),
            ));
        }
        let echo = requested.is_some();
        let content_length = req.headers.get(http::header::CONTENT_LENGTH).and(input.content_length);
        let got = ingest(
            &self.storage,
            input.body.take(),
            IngestSpec {
                content_md5: input.content_md5.as_deref(),
                content_length,
                requested,
                store: Some(algo),
                whole_object: false,
                trailers,
            },
        )
        .await?;
        let part = self
            .storage
            .commit_part(
                &input.bucket,
                &input.key,
                &input.upload_id,
                input.part_number,
                got.blob,
                Some(got.checksum.clone()),
            )
            .await
            .map_err(s3_error)?;
        let mut out = UploadPartOutput {
            e_tag: Some(conv::etag(&part.etag)),
            ..Default::default()
        };
        if echo || up.checksum_algorithm.is_some() {
            set_checksum!(out, Some(got.requested.as_ref().unwrap_or(&got.checksum)), 0);
        }
        Ok(S3Response::new(out))
    }

    pub(crate) async fn do_upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        let input = &req.input;
        check_part_number(input.part_number)?;
        let up = self
            .storage
            .upload(&input.bucket, &input.key, &input.upload_id)
            .map_err(s3_error)?;
        let CopySource::Bucket {
            bucket: sb,
            key: sk,
            version_id: sv,
        } = &input.copy_source
        else {
            return Err(S3Error::with_message(
                S3ErrorCode::NotImplemented,
                "UploadPartCopy from an access point is not implemented",
            ));
        };
        let src = self.storage.head(sb, sk, sv.as_deref()).map_err(|e| match e {
            lakestack_storage::StorageError::DeleteMarker { .. } => {
                S3Error::with_message(S3ErrorCode::NoSuchKey, "The specified key does not exist.")
            }
            e => s3_error(e),
        })?;
        crate::objects::copy_conditions(
            &src,
            input.copy_source_if_match.as_ref(),
            input.copy_source_if_none_match.as_ref(),
            input.copy_source_if_modified_since.as_ref(),
            input.copy_source_if_unmodified_since.as_ref(),
        )?;
        let (start, end) = match &input.copy_source_range {
            None => (0, src.size),
            Some(r) => parse_copy_range(r, src.size)?,
        };
        let algo = upload_algo(&up);
        let (blob, digest) = crate::ingest::copy_range(&self.storage, &src, start, end, algo, false).await?;
        let cs = checksum::stored(algo, &digest, "FULL_OBJECT");
        let part = self
            .storage
            .commit_part(
                &input.bucket,
                &input.key,
                &input.upload_id,
                input.part_number,
                blob,
                Some(cs.clone()),
            )
            .await
            .map_err(s3_error)?;
        let mut result = CopyPartResult {
            e_tag: Some(conv::etag(&part.etag)),
            last_modified: Some(conv::timestamp(part.last_modified_ms)),
            ..Default::default()
        };
        if up.checksum_algorithm.is_some() {
            set_checksum!(result, Some(&cs), 0);
        }
        Ok(S3Response::new(UploadPartCopyOutput {
            copy_part_result: Some(result),
            copy_source_version_id: conv::version_id(&src),
            ..Default::default()
        }))
    }

    pub(crate) async fn do_complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let input = &req.input;
        let parts = input.multipart_upload.as_ref().and_then(|m| m.parts.as_ref());
        let Some(parts) = parts.filter(|p| !p.is_empty()) else {
            return Err(S3Error::with_message(
                S3ErrorCode::MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema",
            ));
        };
        let mut requested = Vec::with_capacity(parts.len());
        for p in parts {
            let (Some(n), Some(e)) = (p.part_number, p.e_tag.as_ref()) else {
                return Err(S3Error::with_message(
                    S3ErrorCode::MalformedXML,
                    "The XML you provided was not well-formed or did not validate against our published schema",
                ));
            };
            requested.push(CompletePart {
                part_number: n,
                etag: e.value().to_owned(),
            });
        }
        let declared = checksum::requested(&req.headers, None)?;
        let cond = WriteCondition {
            if_none_match_any: matches!(input.if_none_match, Some(ETagCondition::Any)),
            if_match: input.if_match.as_ref().map(|c| match c {
                ETagCondition::Any => "*".to_owned(),
                ETagCondition::ETag(e) => e.value().to_owned(),
            }),
        };
        let part_checksums: Vec<Option<(Algo, String)>> = parts
            .iter()
            .map(|p| {
                let mut v = None;
                for (algo, val) in [
                    (Algo::Crc32, &p.checksum_crc32),
                    (Algo::Crc32c, &p.checksum_crc32c),
                    (Algo::Crc64Nvme, &p.checksum_crc64nvme),
                    (Algo::Sha1, &p.checksum_sha1),
                    (Algo::Sha256, &p.checksum_sha256),
                ] {
                    if let Some(val) = val {
                        v = Some((algo, val.clone()));
                    }
                }
                v
            })
            .collect();
        let mpu_size = input.mpu_object_size;
        let v = self
            .storage
            .complete_upload(
                &input.bucket,
                &input.key,
                &input.upload_id,
                &requested,
                &cond,
                move |up, chosen| {
                    let algo = upload_algo(up);
                    let mut digests = Vec::with_capacity(chosen.len());
                    for (i, p) in chosen.iter().enumerate() {
                        let stored: Option<&StoredChecksum> =
                            p.checksum.as_ref().filter(|c| c.algorithm == algo.name());
                        // A part checksum in another algorithm was checked at UploadPart.
                        if let Some(Some((a, val))) = part_checksums.get(i)
                            && *a == algo
                            && stored.is_none_or(|s| &s.value != val)
                        {
                            return Err(lakestack_storage::StorageError::InvalidPart(p.part_number));
                        }
                        match stored.and_then(|s| checksum::b64_decode(&s.value)) {
                            Some(d) => digests.push((d, p.size)),
                            None => return Ok(None),
                        }
                    }
                    Ok(checksum::combine_parts(algo, is_full_object(up), &digests))
                },
            )
            .await
            .map_err(|e| match e {
                lakestack_storage::StorageError::InvalidPart(0) => S3Error::with_message(
                    S3ErrorCode::MalformedXML,
                    "The XML you provided was not well-formed or did not validate against our published schema",
                ),
                e => s3_error(e),
            })?;
        if let Some(size) = mpu_size
            && size != v.size as i64
        {
            tracing::warn!(
                declared = size,
                actual = v.size,
                "x-amz-mp-object-size differs from the completed object"
            );
        }
        if let (Some(d), Some(c)) = (&declared, &v.meta.checksum)
            && let Some(val) = &d.value
            && checksum::b64(val) != c.value
        {
            tracing::warn!("declared multipart checksum differs from the computed one");
        }
        let mut out = CompleteMultipartUploadOutput {
            bucket: Some(input.bucket.clone()),
            key: Some(input.key.clone()),
            e_tag: Some(conv::etag(&v.etag)),
            location: Some(format!("/{}/{}", input.bucket, input.key)),
            version_id: conv::version_id(&v),
            ..Default::default()
        };
        set_checksum!(out, v.meta.checksum.as_ref(), v.parts.len());
        out.checksum_type = v.meta.checksum.as_ref().map(|c| ChecksumType::from(c.kind.clone()));
        Ok(S3Response::new(out))
    }

    pub(crate) async fn do_abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let input = &req.input;
        self.storage
            .abort_upload(&input.bucket, &input.key, &input.upload_id)
            .await
            .map_err(s3_error)?;
        let mut r = S3Response::new(AbortMultipartUploadOutput::default());
        r.status = Some(http::StatusCode::NO_CONTENT);
        Ok(r)
    }

    pub(crate) async fn do_list_parts(&self, req: S3Request<ListPartsInput>) -> S3Result<S3Response<ListPartsOutput>> {
        let input = &req.input;
        let (up, parts) = self
            .storage
            .list_parts(&input.bucket, &input.key, &input.upload_id)
            .map_err(s3_error)?;
        let marker = input.part_number_marker.unwrap_or(0);
        let max = input.max_parts.map_or(1000, |m| m.clamp(0, 1000) as usize);
        let after: Vec<_> = parts.into_iter().filter(|p| p.part_number > marker).collect();
        let truncated = after.len() > max;
        let page: Vec<_> = after.into_iter().take(max).collect();
        let show = up.checksum_algorithm.is_some();
        let out_parts: Vec<Part> = page
            .iter()
            .map(|p| {
                let mut part = Part {
                    e_tag: Some(conv::etag(&p.etag)),
                    last_modified: Some(conv::timestamp(p.last_modified_ms)),
                    part_number: Some(p.part_number),
                    size: Some(p.size as i64),
                    ..Default::default()
                };
                if show {
                    set_checksum!(part, p.checksum.as_ref(), 0);
                }
                part
            })
            .collect();
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(input.bucket.clone()),
            key: Some(input.key.clone()),
            upload_id: Some(input.upload_id.clone()),
            part_number_marker: Some(marker),
            next_part_number_marker: page.last().map(|p| p.part_number),
            max_parts: Some(max as i32),
            is_truncated: Some(truncated),
            parts: Some(out_parts),
            initiator: Some(owner_initiator(self)),
            owner: Some(self.owner()),
            storage_class: Some(StorageClass::from(
                up.meta.storage_class.clone().unwrap_or_else(|| "STANDARD".into()),
            )),
            checksum_algorithm: up.checksum_algorithm.clone().map(ChecksumAlgorithm::from),
            checksum_type: up.checksum_type.map(ChecksumType::from),
            ..Default::default()
        }))
    }

    pub(crate) async fn do_list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let input = &req.input;
        let q = UploadListQuery {
            prefix: input.prefix.clone().unwrap_or_default(),
            delimiter: input.delimiter.clone(),
            key_marker: input.key_marker.clone().filter(|k| !k.is_empty()),
            upload_id_marker: input.upload_id_marker.clone().filter(|k| !k.is_empty()),
            max_uploads: input.max_uploads.map_or(1000, |m| m.clamp(0, 1000) as usize),
        };
        let page = self.storage.list_uploads(&input.bucket, &q).map_err(s3_error)?;
        let uploads: Vec<MultipartUpload> = page
            .uploads
            .iter()
            .map(|u| MultipartUpload {
                key: Some(u.key.clone()),
                upload_id: Some(u.upload_id.clone()),
                initiated: Some(conv::timestamp(u.initiated_ms)),
                initiator: Some(owner_initiator(self)),
                owner: Some(self.owner()),
                storage_class: Some(StorageClass::from(
                    u.meta.storage_class.clone().unwrap_or_else(|| "STANDARD".into()),
                )),
                checksum_algorithm: u.checksum_algorithm.clone().map(ChecksumAlgorithm::from),
                checksum_type: u.checksum_type.clone().map(ChecksumType::from),
            })
            .collect();
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket.clone()),
            common_prefixes: (!page.common_prefixes.is_empty()).then(|| {
                page.common_prefixes
                    .into_iter()
                    .map(|p| CommonPrefix { prefix: Some(p) })
                    .collect()
            }),
            delimiter: input.delimiter.clone(),
            encoding_type: input.encoding_type.clone(),
            is_truncated: Some(page.is_truncated),
            key_marker: Some(input.key_marker.clone().unwrap_or_default()),
            max_uploads: Some(q.max_uploads as i32),
            next_key_marker: page.next_key_marker,
            next_upload_id_marker: page.next_upload_id_marker,
            prefix: input.prefix.clone(),
            upload_id_marker: Some(input.upload_id_marker.clone().unwrap_or_default()),
            uploads: Some(uploads),
            request_charged: None,
        }))
    }
}

/// `bytes=first-last` of `x-amz-copy-source-range`, inclusive.
fn parse_copy_range(r: &str, size: u64) -> S3Result<(u64, u64)> {
    let bad = || {
        invalid_argument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
        )
    };
    let spec = r.strip_prefix("bytes=").ok_or_else(bad)?;
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    let first: u64 = a.trim().parse().map_err(|_| bad())?;
    let last: u64 = b.trim().parse().map_err(|_| bad())?;
    if first > last {
        return Err(bad());
    }
    if last >= size {
        return Err(S3Error::with_message(
            S3ErrorCode::InvalidRange,
            "The requested range is not satisfiable",
        ));
    }
    Ok((first, last + 1))
}
