//! Streams a request body into a blob while computing its MD5 and checksum,
//! then checks both against what the client declared. Nothing is committed
//! here: a body that fails a check is dropped with its blob.

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use http::HeaderMap;
use lakestack_storage::{FinishedBlob, Storage, StoredChecksum};
use s3s::dto::StreamingBlob;
use s3s::{S3Error, S3ErrorCode, S3Result};

use crate::checksum::{self, Algo, Requested};
use crate::error::{internal, s3_error};

/// Trailing headers of an aws-chunked body decoded at our edge (permissive
/// auth), filled in when the body has been read to its end.
#[derive(Clone, Default, Debug)]
pub struct EdgeTrailers(pub Arc<Mutex<Option<HeaderMap>>>);

/// Where a request's trailers can be found once its body is consumed.
pub(crate) struct Trailers {
    s3s: Option<s3s::TrailingHeaders>,
    edge: Option<EdgeTrailers>,
}

impl Trailers {
    pub(crate) fn of<T>(req: &s3s::S3Request<T>) -> Self {
        Self {
            s3s: req.trailing_headers.clone(),
            edge: req.extensions.get::<EdgeTrailers>().cloned(),
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        if let Some(t) = &self.s3s
            && let Some(v) = t
                .read(|h| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned))
                .flatten()
        {
            return Some(v);
        }
        let edge = self.edge.as_ref()?;
        let guard = edge.0.lock().ok()?;
        guard
            .as_ref()?
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

pub(crate) struct Ingested {
    pub blob: FinishedBlob,
    /// The checksum to store (see [`IngestSpec::store`]).
    pub checksum: StoredChecksum,
    /// The checksum the client asked for, when it is not the stored one.
    pub requested: Option<StoredChecksum>,
}

pub(crate) struct IngestSpec<'a> {
    pub content_md5: Option<&'a str>,
    pub content_length: Option<i64>,
    pub requested: Option<Requested>,
    /// The algorithm to store; by default the requested one, else S3's CRC64NVME.
    /// A multipart part is stored with its upload's algorithm whatever the client sends.
    pub store: Option<Algo>,
    /// The body becomes a whole object (not a part), so a small one may stay inline.
    pub whole_object: bool,
    pub trailers: Trailers,
}

pub(crate) fn decode_content_md5(v: &str) -> S3Result<[u8; 16]> {
    checksum::b64_decode(v)
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
        .ok_or_else(|| {
            S3Error::with_message(
                S3ErrorCode::InvalidDigest,
                "The Content-MD5 you specified was not valid.",
            )
        })
}

pub(crate) async fn ingest(storage: &Storage, body: Option<StreamingBlob>, spec: IngestSpec<'_>) -> S3Result<Ingested> {
    let want_md5 = spec.content_md5.map(decode_content_md5).transpose()?;
    let req_algo = spec.requested.as_ref().map(|r| r.algo);
    let algo = spec.store.or(req_algo).unwrap_or(Algo::Crc64Nvme);
    let mut hasher = algo.hasher();
    let mut req_hasher = req_algo.filter(|a| *a != algo).map(Algo::hasher);
    let mut writer = storage.begin_write().await.map_err(s3_error)?;
    if let Some(mut body) = body {
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(body_error)?;
            hasher.update(&chunk);
            if let Some(h) = req_hasher.as_mut() {
                h.update(&chunk);
            }
            writer.write(&chunk).await.map_err(s3_error)?;
        }
    }
    if let Some(len) = spec.content_length
        && u64::try_from(len).ok() != Some(writer.size())
    {
        return Err(S3Error::with_message(
            S3ErrorCode::IncompleteBody,
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        ));
    }
    let digest = hasher.finish();
    let req_digest = req_hasher.map(checksum::Hasher::finish);
    if let Some(req) = &spec.requested {
        let computed = req_digest.as_ref().unwrap_or(&digest);
        let declared = match &req.value {
            Some(v) => Some(v.clone()),
            None => match spec.trailers.get(req.algo.header()) {
                Some(v) => Some(req.algo.decode(&v)?),
                None => None,
            },
        };
        if let Some(declared) = declared
            && declared != *computed
        {
            return Err(checksum::mismatch(req.algo));
        }
    }
    let blob = if spec.whole_object {
        writer.finish_small().await
    } else {
        writer.finish().await
    }
    .map_err(s3_error)?;
    if let Some(want) = want_md5
        && want != blob.md5
    {
        storage.discard(blob);
        return Err(S3Error::with_message(
            S3ErrorCode::BadDigest,
            "The Content-MD5 you specified did not match what we received.",
        ));
    }
    Ok(Ingested {
        checksum: checksum::stored(algo, &digest, "FULL_OBJECT"),
        requested: req_algo
            .zip(req_digest)
            .map(|(a, d)| checksum::stored(a, &d, "FULL_OBJECT")),
        blob,
    })
}

/// Copies bytes `[start, end)` of a stored version into a new blob, hashing
/// them with `algo` on the way (CopyObject, UploadPartCopy).
pub(crate) async fn copy_range(
    storage: &Storage,
    src: &lakestack_storage::ObjectVersion,
    start: u64,
    end: u64,
    algo: Algo,
    whole_object: bool,
) -> S3Result<(FinishedBlob, Vec<u8>)> {
    let mut hasher = algo.hasher();
    let mut body = storage.read(src, start, end).await.map_err(s3_error)?;
    let mut w = storage.begin_write().await.map_err(s3_error)?;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(internal)?;
        hasher.update(&chunk);
        w.write(&chunk).await.map_err(s3_error)?;
    }
    let blob = if whole_object {
        w.finish_small().await
    } else {
        w.finish().await
    }
    .map_err(s3_error)?;
    Ok((blob, hasher.finish()))
}

/// A body that could not be read: a client that went away, or an aws-chunked
/// stream that failed its signature or framing.
fn body_error(e: s3s::StdError) -> S3Error {
    if let Some(s3) = e.downcast_ref::<S3Error>() {
        return S3Error::with_message(s3.code().clone(), s3.message().unwrap_or_default().to_owned());
    }
    // s3s's aws-chunked error type is private, and ours lives in `chunked`:
    // both are told apart by what they say.
    let msg = e.to_string();
    let lower = msg.to_ascii_lowercase();
    if msg.starts_with("MalformedTrailerError") {
        let mut e = S3Error::with_message(
            S3ErrorCode::Custom("MalformedTrailerError".into()),
            "The request contained trailing data that was not well-formed or did not conform to our published schema.",
        );
        e.set_status_code(http::StatusCode::BAD_REQUEST);
        return e;
    }
    if lower.contains("signaturemismatch") || lower.contains("signature") {
        return S3Error::with_message(
            S3ErrorCode::SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        );
    }
    if lower.contains("incomplete") || lower.contains("length") {
        return S3Error::with_message(
            S3ErrorCode::IncompleteBody,
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        );
    }
    if lower.contains("format")
        || lower.contains("malformed")
        || lower.contains("too large")
        || lower.contains("toolarge")
        || lower.contains("toomany")
    {
        return S3Error::with_message(
            S3ErrorCode::InvalidRequest,
            format!("The aws-chunked body is malformed: {msg}"),
        );
    }
    tracing::debug!(error = %msg, "request body failed");
    internal(msg)
}
