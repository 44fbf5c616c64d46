//! Adapting our `Send` streams to the `Send + Sync` byte streams s3s wants.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use s3s::StdError;
use s3s::stream::{ByteStream, RemainingLength};

type Inner = Pin<Box<dyn Stream<Item = Result<Bytes, StdError>> + Send + 'static>>;

/// A byte stream with an optional exact length, so responses carry
/// Content-Length instead of chunked encoding.
pub struct SyncByteStream {
    inner: sync_wrapper::SyncWrapper<Inner>,
    remaining: Option<u64>,
}

impl SyncByteStream {
    pub fn new<S, E>(stream: S, len: Option<u64>) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<StdError> + 'static,
    {
        use futures::TryStreamExt;
        let inner: Inner = Box::pin(stream.map_err(Into::into));
        Self {
            inner: sync_wrapper::SyncWrapper::new(inner),
            remaining: len,
        }
    }
}

impl Stream for SyncByteStream {
    type Item = Result<Bytes, StdError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let p = self.inner.get_mut().as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(b))) = &p
            && let Some(r) = self.remaining.as_mut()
        {
            *r = r.saturating_sub(b.len() as u64);
        }
        p
    }
}

impl ByteStream for SyncByteStream {
    fn remaining_length(&self) -> RemainingLength {
        match self.remaining {
            Some(n) => RemainingLength::new_exact(n as usize),
            None => RemainingLength::unknown(),
        }
    }
}
