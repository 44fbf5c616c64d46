//! Decoding `aws-chunked` bodies at our edge, for permissive auth, where s3s
//! cannot (it decodes them only while verifying a signature it would need the
//! client's secret for). Chunk signatures are not checked here; framing,
//! lengths and trailers are.

use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt};
use http::{HeaderMap, HeaderName, HeaderValue};
use s3s::StdError;

use crate::ingest::EdgeTrailers;

const MAX_LINE: usize = 16 * 1024;
/// Bounds on the trailer section, as s3s sets them for the bodies it decodes:
/// a `HeaderMap` panics past 32,768 entries, and trailers are a few checksums.
const MAX_TRAILERS: usize = 100;
const MAX_TRAILER_BYTES: usize = 16 * 1024;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ChunkError {
    #[error("incomplete body: the aws-chunked stream ended early")]
    Incomplete,
    #[error("malformed aws-chunked framing: {0}")]
    Malformed(&'static str),
    #[error("decoded length {got} does not match x-amz-decoded-content-length {want}")]
    Length { got: u64, want: u64 },
    /// Its text names S3's code, which `ingest::body_error` answers with.
    #[error("MalformedTrailerError: {0}")]
    Trailers(&'static str),
    #[error("{0}")]
    Body(StdError),
}

struct Decoder<S> {
    body: S,
    buf: BytesMut,
    left: u64,
    need_crlf: bool,
    done: bool,
    total: u64,
    expected: Option<u64>,
    trailers: EdgeTrailers,
}

impl<S> Decoder<S>
where
    S: Stream<Item = Result<Bytes, StdError>> + Unpin,
{
    async fn fill(&mut self) -> Result<(), ChunkError> {
        match self.body.next().await {
            Some(Ok(b)) => {
                self.buf.extend_from_slice(&b);
                Ok(())
            }
            Some(Err(e)) => Err(ChunkError::Body(e)),
            None => Err(ChunkError::Incomplete),
        }
    }

    async fn line(&mut self) -> Result<Bytes, ChunkError> {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf.split_to(pos).freeze();
                self.buf.advance(2);
                return Ok(line);
            }
            if self.buf.len() > MAX_LINE {
                return Err(ChunkError::Malformed("line too long"));
            }
            self.fill().await?;
        }
    }

    async fn next_data(&mut self) -> Result<Option<Bytes>, ChunkError> {
        loop {
            if self.done {
                return Ok(None);
            }
            if self.left > 0 {
                if self.buf.is_empty() {
                    self.fill().await?;
                }
                let n = (self.left as usize).min(self.buf.len());
                self.left -= n as u64;
                self.total += n as u64;
                if self.left == 0 {
                    self.need_crlf = true;
                }
                return Ok(Some(self.buf.split_to(n).freeze()));
            }
            if self.need_crlf {
                while self.buf.len() < 2 {
                    self.fill().await?;
                }
                if &self.buf[..2] != b"\r\n" {
                    return Err(ChunkError::Malformed("chunk not followed by CRLF"));
                }
                self.buf.advance(2);
                self.need_crlf = false;
            }
            let line = self.line().await?;
            let size_part = line.split(|b| *b == b';').next().unwrap_or_default();
            let size = std::str::from_utf8(size_part)
                .ok()
                .and_then(|s| u64::from_str_radix(s.trim(), 16).ok())
                .ok_or(ChunkError::Malformed("bad chunk size"))?;
            if size > 0 {
                self.left = size;
                continue;
            }
            // The last chunk: trailers follow, each `name:value`, then an empty line.
            let mut headers = HeaderMap::new();
            let (mut count, mut bytes) = (0usize, 0usize);
            loop {
                let line = match self.line().await {
                    Ok(l) => l,
                    // Some clients end the stream right after the final chunk's trailers.
                    Err(ChunkError::Incomplete) if self.buf.is_empty() => break,
                    Err(e) => return Err(e),
                };
                if line.is_empty() {
                    break;
                }
                count += 1;
                bytes += line.len() + 2;
                if count > MAX_TRAILERS {
                    return Err(ChunkError::Trailers("more than 100 trailers"));
                }
                if bytes > MAX_TRAILER_BYTES {
                    return Err(ChunkError::Trailers("trailers larger than 16 KiB"));
                }
                let text = std::str::from_utf8(&line).map_err(|_| ChunkError::Malformed("trailer is not text"))?;
                let (name, value) = text
                    .split_once(':')
                    .ok_or(ChunkError::Malformed("trailer without colon"))?;
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.trim().as_bytes()),
                    HeaderValue::from_str(value.trim()),
                ) {
                    headers.append(n, v);
                }
            }
            if let Ok(mut slot) = self.trailers.0.lock() {
                *slot = Some(headers);
            }
            self.done = true;
            if let Some(want) = self.expected
                && want != self.total
            {
                return Err(ChunkError::Length { got: self.total, want });
            }
            return Ok(None);
        }
    }
}

/// Decodes `body`; trailers land in `trailers` once the stream has ended.
pub(crate) fn decode<S>(
    body: S,
    expected: Option<u64>,
    trailers: EdgeTrailers,
) -> impl Stream<Item = Result<Bytes, ChunkError>> + Send + 'static
where
    S: Stream<Item = Result<Bytes, StdError>> + Unpin + Send + 'static,
{
    let dec = Decoder {
        body,
        buf: BytesMut::new(),
        left: 0,
        need_crlf: false,
        done: false,
        total: 0,
        expected,
        trailers,
    };
    futures::stream::try_unfold(dec, |mut dec| async move {
        let item = dec.next_data().await?;
        Ok(item.map(|b| (b, dec)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(input: &[&'static [u8]], expected: Option<u64>) -> (Result<Vec<u8>, String>, Option<HeaderMap>) {
        let parts: Vec<Result<Bytes, StdError>> = input.iter().map(|b| Ok(Bytes::from_static(b))).collect();
        let t = EdgeTrailers::default();
        let s = decode(futures::stream::iter(parts), expected, t.clone());
        let out: Result<Vec<Bytes>, ChunkError> = futures::TryStreamExt::try_collect(s).await;
        let trailers = t.0.lock().unwrap().clone();
        (out.map(|v| v.concat()).map_err(|e| e.to_string()), trailers)
    }

    #[tokio::test]
    async fn decodes_signed_chunks_split_anywhere() {
        let (out, _) = run(
            &[
                b"5;chunk-signature=abc\r\nhel",
                b"lo\r\n0;chunk-signature=def\r\n",
                b"\r\n",
            ],
            Some(5),
        )
        .await;
        assert_eq!(out.unwrap(), b"hello");
    }

    #[tokio::test]
    async fn reads_unsigned_trailer() {
        let (out, trailers) = run(&[b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n"], Some(3)).await;
        assert_eq!(out.unwrap(), b"abc");
        assert_eq!(trailers.unwrap().get("x-amz-checksum-crc32").unwrap(), "NSRBwg==");
    }

    #[tokio::test]
    async fn short_stream_is_incomplete() {
        let (out, _) = run(&[b"5\r\nab"], None).await;
        assert!(out.unwrap_err().contains("incomplete"));
    }

    #[tokio::test]
    async fn trailer_count_and_size_are_bounded() {
        // 40,000 trailers once overflowed the HeaderMap, which panics.
        let mut body = b"3\r\nabc\r\n0\r\n".to_vec();
        for i in 0..40_000 {
            body.extend_from_slice(format!("x-t{i}:v\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        let body: &'static [u8] = Box::leak(body.into_boxed_slice());
        let (out, _) = run(&[body], Some(3)).await;
        assert_eq!(out.unwrap_err(), "MalformedTrailerError: more than 100 trailers");
        let mut big = b"3\r\nabc\r\n0\r\n".to_vec();
        for _ in 0..3 {
            big.extend_from_slice(format!("x-big:{}\r\n", "v".repeat(8000)).as_bytes());
        }
        big.extend_from_slice(b"\r\n");
        let big: &'static [u8] = Box::leak(big.into_boxed_slice());
        let (out, _) = run(&[big], Some(3)).await;
        assert_eq!(out.unwrap_err(), "MalformedTrailerError: trailers larger than 16 KiB");
    }

    #[tokio::test]
    async fn wrong_decoded_length_is_refused() {
        let (out, _) = run(&[b"3\r\nabc\r\n0\r\n\r\n"], Some(4)).await;
        assert!(out.unwrap_err().contains("does not match"));
    }
}
