//! An [`ObjectStore`] over the engine, so the catalog and query crates read and
//! write objects in-process, with the same atomicity as the S3 API.
//!
//! Paths are `bucket/key`. The empty path lists buckets as common prefixes.
//!
//! Keys are exact: a path names one key and a listed path names the key it
//! was listed for. `Path` cannot hold an empty segment, so a key such as
//! `t//x.csv`, `t/` or `/t` has no path: listings skip it (with a warning)
//! rather than hand out `t/x.csv`, which names another key. Every other
//! segment (`.`, `..`, `%`, control characters, ...) is percent-encoded by
//! `PathPart` and decoded back to the raw key by [`raw`].

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt, stream};
use object_store::path::{Path, PathPart};
use object_store::{
    Attribute, Attributes, CopyMode, CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, PutMode, PutMultipartOptions, PutOptions, PutPayload, PutResult, UploadPart,
};
use tokio::sync::Mutex;

use crate::model::{CompletePart, ListQuery, ObjectMeta as S3Meta, ObjectVersion, WriteCondition};
use crate::{Storage, StorageError};

const STORE: &str = "lakestack";

/// Ranged reads up to this size are read whole in one blocking call.
const RANGE_IN_ONE_READ: u64 = 64 << 20;

/// The engine seen as an [`ObjectStore`]; cheap to clone.
#[derive(Clone)]
pub struct StorageObjectStore {
    storage: Arc<Storage>,
}

impl StorageObjectStore {
    pub(crate) fn new(storage: Arc<Storage>) -> Self {
        Self { storage }
    }
}

impl fmt::Debug for StorageObjectStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StorageObjectStore")
    }
}

impl fmt::Display for StorageObjectStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("lakestack storage")
    }
}

/// The `bucket/key` a path names. `Path` percent-encodes characters such as
/// `%`, `[` or `~` in its parts (and [`location`] builds paths that way), so the
/// raw key is the decoded form. A path whose decoded bytes are not UTF-8 names
/// no key (rather than a lossy one that could be another key).
fn raw(path: &Path) -> object_store::Result<String> {
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(path.as_ref()).collect();
    String::from_utf8(bytes).map_err(|_| object_store::Error::NotFound {
        path: path.to_string(),
        source: "the path's percent-decoded form is not UTF-8, so it names no S3 key".into(),
    })
}

/// The path naming exactly `bucket/key`, or None when `Path` cannot hold the
/// key (an empty segment), in which case the key is left out with a warning.
fn location(bucket: &str, key: &str) -> Option<Path> {
    let mut parts = Vec::with_capacity(4);
    parts.push(PathPart::from(bucket));
    for seg in key.split('/') {
        if seg.is_empty() {
            tracing::warn!(
                bucket,
                key,
                "key has an empty path segment, which object_store paths cannot hold; left out of the listing"
            );
            return None;
        }
        parts.push(PathPart::from(seg));
    }
    let p = Path::from_iter(parts);
    // The path must name this very key and no other.
    if raw(&p).ok().as_deref() != Some(&format!("{bucket}/{key}")) {
        tracing::warn!(
            bucket,
            key,
            "key has no exact object_store path; left out of the listing"
        );
        return None;
    }
    Some(p)
}

fn split(path: &Path) -> object_store::Result<(String, String)> {
    let s = raw(path)?;
    match s.split_once('/') {
        Some((b, k)) if !b.is_empty() && !k.is_empty() => Ok((b.to_owned(), k.to_owned())),
        _ => Err(object_store::Error::NotFound {
            path: s.clone(),
            source: "path names no object".into(),
        }),
    }
}

fn to_os_error(path: &str, e: StorageError) -> object_store::Error {
    match e {
        StorageError::NoSuchBucket(_)
        | StorageError::NoSuchKey { .. }
        | StorageError::NoSuchVersion { .. }
        | StorageError::DeleteMarker { .. }
        | StorageError::NoSuchUpload(_) => object_store::Error::NotFound {
            path: path.to_owned(),
            source: Box::new(e),
        },
        StorageError::PreconditionFailed => object_store::Error::Precondition {
            path: path.to_owned(),
            source: Box::new(e),
        },
        other => object_store::Error::Generic {
            store: STORE,
            source: Box::new(other),
        },
    }
}

fn utc(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// The listing entry of `v`, None when its key has no exact path.
fn meta_of(v: &ObjectVersion) -> Option<ObjectMeta> {
    Some(meta_at(v, location(&v.bucket, &v.key)?))
}

fn meta_at(v: &ObjectVersion, location: Path) -> ObjectMeta {
    ObjectMeta {
        location,
        last_modified: utc(v.last_modified_ms),
        size: v.size,
        e_tag: Some(v.etag.clone()),
        version: (v.version_id != crate::NULL_VERSION).then(|| v.version_id.clone()),
    }
}

fn put_condition(path: &str, mode: &PutMode) -> object_store::Result<WriteCondition> {
    Ok(match mode {
        PutMode::Overwrite => WriteCondition::default(),
        PutMode::Create => WriteCondition {
            if_none_match_any: true,
            if_match: None,
        },
        PutMode::Update(v) => WriteCondition {
            if_none_match_any: false,
            if_match: Some(v.e_tag.clone().ok_or_else(|| object_store::Error::Generic {
                store: STORE,
                source: format!("conditional update of {path} needs an ETag").into(),
            })?),
        },
    })
}

/// The S3 metadata that object_store `Attributes` stand for.
fn s3_meta(attributes: &Attributes) -> S3Meta {
    let mut m = S3Meta::default();
    for (k, v) in attributes {
        let v = v.as_ref().to_owned();
        match k {
            Attribute::ContentDisposition => m.content_disposition = Some(v),
            Attribute::ContentEncoding => m.content_encoding = Some(v),
            Attribute::ContentLanguage => m.content_language = Some(v),
            Attribute::ContentType => m.content_type = Some(v),
            Attribute::CacheControl => m.cache_control = Some(v),
            Attribute::StorageClass => m.storage_class = Some(v),
            Attribute::Metadata(name) => {
                m.user.insert(name.to_string(), v);
            }
            // Attributes object_store may add later have no S3 metadata yet.
            _ => {}
        }
    }
    m
}

/// An object's S3 metadata as object_store `Attributes`.
fn attributes_of(m: &S3Meta) -> Attributes {
    let mut out = Attributes::new();
    for (k, v) in [
        (Attribute::ContentDisposition, &m.content_disposition),
        (Attribute::ContentEncoding, &m.content_encoding),
        (Attribute::ContentLanguage, &m.content_language),
        (Attribute::ContentType, &m.content_type),
        (Attribute::CacheControl, &m.cache_control),
        (Attribute::StorageClass, &m.storage_class),
    ] {
        if let Some(v) = v {
            out.insert(k, v.clone().into());
        }
    }
    for (k, v) in &m.user {
        out.insert(Attribute::Metadata(k.clone().into()), v.clone().into());
    }
    out
}

impl StorageObjectStore {
    /// `small`: the body becomes a whole object, so a small one may stay inline.
    async fn write_blob(&self, payload: &PutPayload, small: bool) -> object_store::Result<crate::FinishedBlob> {
        let os = |e| object_store::Error::Generic {
            store: STORE,
            source: Box::new(e),
        };
        let mut w = self.storage.begin_write().await.map_err(os)?;
        for chunk in payload.iter() {
            w.write(chunk).await.map_err(os)?;
        }
        if small {
            w.finish_small().await.map_err(os)
        } else {
            w.finish().await.map_err(os)
        }
    }
}

#[async_trait]
impl ObjectStore for StorageObjectStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        let (bucket, key) = split(location)?;
        let cond = put_condition(location.as_ref(), &opts.mode)?;
        let blob = self.write_blob(&payload, true).await?;
        let v = self
            .storage
            .commit_put(&bucket, &key, blob, s3_meta(&opts.attributes), &cond, "Put")
            .await
            .map_err(|e| match (e, &opts.mode) {
                (StorageError::PreconditionFailed, PutMode::Create) => object_store::Error::AlreadyExists {
                    path: location.to_string(),
                    source: "object exists".into(),
                },
                // S3 answers 404 to a conditional update of a missing key;
                // object_store's contract (and its S3 client) make that a
                // failed precondition.
                (e @ StorageError::NoSuchKey { .. }, PutMode::Update(_)) => object_store::Error::Precondition {
                    path: location.to_string(),
                    source: Box::new(e),
                },
                (e, _) => to_os_error(location.as_ref(), e),
            })?;
        Ok(PutResult {
            e_tag: Some(v.etag),
            version: (v.version_id != crate::NULL_VERSION).then_some(v.version_id),
        })
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        let (bucket, key) = split(location)?;
        let meta = s3_meta(&opts.attributes);
        let up = self
            .storage
            .create_upload(&bucket, &key, &meta, None, None)
            .await
            .map_err(|e| to_os_error(location.as_ref(), e))?;
        Ok(Box::new(Upload {
            store: self.clone(),
            bucket,
            key,
            upload_id: up.upload_id,
            meta,
            next_part: 0,
            etags: Arc::new(Mutex::new(Vec::new())),
        }))
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> object_store::Result<GetResult> {
        let (bucket, key) = split(location)?;
        let path = location.to_string();
        let v = self
            .storage
            .head(&bucket, &key, options.version.as_deref())
            .map_err(|e| to_os_error(&path, e))?;
        let meta = meta_at(&v, location.clone());
        options.check_preconditions(&meta)?;
        let range = match &options.range {
            Some(r) => r.as_range(v.size).map_err(|e| object_store::Error::Generic {
                store: STORE,
                source: Box::new(e),
            })?,
            None => 0..v.size,
        };
        let body: BoxStream<'static, object_store::Result<Bytes>> = if options.head {
            stream::empty().boxed()
        } else if options.range.is_some() && range.end - range.start <= RANGE_IN_ONE_READ {
            // A ranged read (a Parquet footer or column chunk) ends up in one
            // buffer anyway: read it in one go rather than as a chunked stream.
            let mut read = self
                .storage
                .read_ranges(&v, vec![range.clone()])
                .await
                .map_err(|e| to_os_error(&path, e))?;
            stream::iter(read.pop().map(Ok)).boxed()
        } else {
            self.storage
                .read(&v, range.start, range.end)
                .await
                .map_err(|e| to_os_error(&path, e))?
                .map_err(|e| object_store::Error::Generic {
                    store: STORE,
                    source: Box::new(e),
                })
                .boxed()
        };
        Ok(GetResult {
            payload: GetResultPayload::Stream(body),
            meta,
            range,
            attributes: attributes_of(&v.meta),
        })
    }

    async fn get_ranges(&self, location: &Path, ranges: &[std::ops::Range<u64>]) -> object_store::Result<Vec<Bytes>> {
        let (bucket, key) = split(location)?;
        let path = location.to_string();
        let v = self
            .storage
            .head(&bucket, &key, None)
            .map_err(|e| to_os_error(&path, e))?;
        let mut checked = Vec::with_capacity(ranges.len());
        for r in ranges {
            if r.start > r.end || r.start >= v.size && r.end > r.start {
                return Err(object_store::Error::Generic {
                    store: STORE,
                    source: format!("range {}..{} is outside {path} ({} bytes)", r.start, r.end, v.size).into(),
                });
            }
            checked.push(r.start..r.end.min(v.size));
        }
        self.storage
            .read_ranges(&v, checked)
            .await
            .map_err(|e| to_os_error(&path, e))
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        let storage = Arc::clone(&self.storage);
        locations
            .then(move |p| {
                let storage = Arc::clone(&storage);
                async move {
                    let p = p?;
                    let (bucket, key) = split(&p)?;
                    storage
                        .delete(&bucket, &key, None)
                        .await
                        .map_err(|e| to_os_error(p.as_ref(), e))?;
                    Ok(p)
                }
            })
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        let storage = Arc::clone(&self.storage);
        let prefix = match prefix.map(raw).transpose() {
            Ok(p) => p.unwrap_or_default(),
            Err(e) => return stream::once(async move { Err(e) }).boxed(),
        };
        let (buckets, key_prefix) = match prefix.split_once('/') {
            Some((b, k)) => (vec![b.to_owned()], format!("{k}/")),
            None if prefix.is_empty() => match storage.list_buckets() {
                Ok(bs) => (bs.into_iter().map(|b| b.name).collect(), String::new()),
                Err(e) => return stream::once(async move { Err(to_os_error("", e)) }).boxed(),
            },
            None => (vec![prefix.clone()], String::new()),
        };
        // Page through each bucket lazily, a thousand keys at a time.
        stream::iter(buckets)
            .flat_map(move |bucket| {
                let storage = Arc::clone(&storage);
                let key_prefix = key_prefix.clone();
                stream::try_unfold(Some(None::<String>), move |state| {
                    let storage = Arc::clone(&storage);
                    let bucket = bucket.clone();
                    let key_prefix = key_prefix.clone();
                    async move {
                        let Some(after) = state else { return Ok(None) };
                        let q = ListQuery {
                            prefix: key_prefix,
                            delimiter: None,
                            after,
                            max_keys: 1000,
                        };
                        let page = match storage.list(&bucket, &q) {
                            Ok(p) => p,
                            Err(StorageError::NoSuchBucket(_)) => return Ok(None),
                            Err(e) => return Err(to_os_error(&bucket, e)),
                        };
                        let next = page.is_truncated.then_some(page.next_after);
                        let metas: Vec<object_store::Result<ObjectMeta>> =
                            page.objects.iter().filter_map(meta_of).map(Ok).collect();
                        Ok(Some((stream::iter(metas), next)))
                    }
                })
                .try_flatten()
            })
            .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        let prefix = prefix.map(raw).transpose()?.unwrap_or_default();
        if prefix.is_empty() {
            let buckets = self.storage.list_buckets().map_err(|e| to_os_error("", e))?;
            return Ok(ListResult {
                common_prefixes: buckets.into_iter().map(|b| Path::from(b.name)).collect(),
                objects: Vec::new(),
            });
        }
        let (bucket, key_prefix) = match prefix.split_once('/') {
            Some((b, k)) => (b.to_owned(), format!("{k}/")),
            None => (prefix.clone(), String::new()),
        };
        let mut out = ListResult {
            common_prefixes: Vec::new(),
            objects: Vec::new(),
        };
        let mut after = None;
        loop {
            let q = ListQuery {
                prefix: key_prefix.clone(),
                delimiter: Some("/".into()),
                after,
                max_keys: 1000,
            };
            let page = match self.storage.list(&bucket, &q) {
                Ok(p) => p,
                Err(StorageError::NoSuchBucket(_)) => return Ok(out),
                Err(e) => return Err(to_os_error(&prefix, e)),
            };
            out.objects.extend(page.objects.iter().filter_map(meta_of));
            // `t//` (under `t/`) has no path: trimming every `/` would make it `t`.
            out.common_prefixes.extend(
                page.common_prefixes
                    .iter()
                    .filter_map(|cp| location(&bucket, cp.strip_suffix('/').unwrap_or(cp))),
            );
            if !page.is_truncated {
                return Ok(out);
            }
            after = page.next_after;
        }
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> object_store::Result<()> {
        let (fb, fk) = split(from)?;
        let (tb, tk) = split(to)?;
        let src = self
            .storage
            .head(&fb, &fk, None)
            .map_err(|e| to_os_error(from.as_ref(), e))?;
        let mut body = self
            .storage
            .read(&src, 0, src.size)
            .await
            .map_err(|e| to_os_error(from.as_ref(), e))?;
        let os = |e| object_store::Error::Generic {
            store: STORE,
            source: Box::new(e),
        };
        let mut w = self.storage.begin_write().await.map_err(os)?;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| object_store::Error::Generic {
                store: STORE,
                source: Box::new(e),
            })?;
            w.write(&chunk).await.map_err(os)?;
        }
        let blob = w.finish_small().await.map_err(os)?;
        let cond = match options.mode {
            CopyMode::Overwrite => WriteCondition::default(),
            CopyMode::Create => WriteCondition {
                if_none_match_any: true,
                if_match: None,
            },
        };
        self.storage
            .commit_put(&tb, &tk, blob, src.meta.clone(), &cond, "Copy")
            .await
            .map_err(|e| match e {
                StorageError::PreconditionFailed => object_store::Error::AlreadyExists {
                    path: to.to_string(),
                    source: "object exists".into(),
                },
                e => to_os_error(to.as_ref(), e),
            })?;
        Ok(())
    }
}

#[derive(Debug)]
struct Upload {
    store: StorageObjectStore,
    bucket: String,
    key: String,
    upload_id: String,
    /// What an upload without parts commits as its object's metadata.
    meta: S3Meta,
    next_part: i32,
    etags: Arc<Mutex<Vec<(i32, String)>>>,
}

#[async_trait]
impl MultipartUpload for Upload {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        self.next_part += 1;
        let part_number = self.next_part;
        let store = self.store.clone();
        let (bucket, key, upload_id) = (self.bucket.clone(), self.key.clone(), self.upload_id.clone());
        let etags = Arc::clone(&self.etags);
        Box::pin(async move {
            let blob = store.write_blob(&data, false).await?;
            let part = store
                .storage
                .commit_part(&bucket, &key, &upload_id, part_number, blob, None)
                .await
                .map_err(|e| to_os_error(&key, e))?;
            etags.lock().await.push((part_number, part.etag));
            Ok(())
        })
    }

    async fn complete(&mut self) -> object_store::Result<PutResult> {
        let mut parts = self.etags.lock().await.clone();
        parts.sort_by_key(|(n, _)| *n);
        let parts: Vec<CompletePart> = parts
            .into_iter()
            .map(|(part_number, etag)| CompletePart { part_number, etag })
            .collect();
        if parts.is_empty() {
            // An upload with no data is an empty object, as object_store's other backends do it.
            let blob = self.store.write_blob(&PutPayload::default(), true).await?;
            let _ = self
                .store
                .storage
                .abort_upload(&self.bucket, &self.key, &self.upload_id)
                .await;
            let v = self
                .store
                .storage
                .commit_put(
                    &self.bucket,
                    &self.key,
                    blob,
                    self.meta.clone(),
                    &WriteCondition::default(),
                    "Put",
                )
                .await
                .map_err(|e| to_os_error(&self.key, e))?;
            return Ok(PutResult {
                e_tag: Some(v.etag),
                version: None,
            });
        }
        let v = self
            .store
            .storage
            .complete_upload(
                &self.bucket,
                &self.key,
                &self.upload_id,
                &parts,
                &WriteCondition::default(),
                |_, _| Ok(None),
            )
            .await
            .map_err(|e| to_os_error(&self.key, e))?;
        Ok(PutResult {
            e_tag: Some(v.etag),
            version: (v.version_id != crate::NULL_VERSION).then_some(v.version_id),
        })
    }

    async fn abort(&mut self) -> object_store::Result<()> {
        self.store
            .storage
            .abort_upload(&self.bucket, &self.key, &self.upload_id)
            .await
            .map_err(|e| to_os_error(&self.key, e))
    }
}
