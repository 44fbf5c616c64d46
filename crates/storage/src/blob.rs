//! Object bodies as files named by an internal id, never by the key, so no key
//! can escape the data directory or collide with another.
//!
//! A blob is written straight to its final place under `blobs/`: nothing
//! refers to it until a metadata row is committed, so a half-written blob is
//! never visible. A crash can leave unreferenced files behind;
//! [`Blobs::sweep`] removes them.

use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bytes::Bytes;
use futures::{Stream, StreamExt, stream};
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::error::Result;

/// Bodies up to this size are written (and read) in one blocking call;
/// larger ones are written in pieces of this size.
const WRITE_BUFFER: usize = 1024 * 1024;

/// Single-PUT bodies up to this size are kept in the metadata row itself:
/// creating a file costs a small object more than everything else it does
/// (inode allocation dominates a 4 KiB PUT on ext4).
pub(crate) const INLINE_MAX: usize = 16 * 1024;

/// Bodies up to this size are written and read on the calling thread: a few
/// microseconds of page-cache I/O cost less than a hop to the blocking pool.
const INLINE_IO: usize = 64 * 1024;

/// How long an unreferenced blob lives on: a reader that looked a version up
/// just before an overwrite committed can still open its files.
const GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Removes blobs that no row refers to any more, after [`GRACE`]. Cheap to
/// clone; once every handle is gone, what is still queued is removed at once.
#[derive(Debug, Clone)]
pub(crate) struct Gc {
    blobs: PathBuf,
    queue: std::sync::mpsc::Sender<(PathBuf, std::time::Instant)>,
}

impl Gc {
    fn start(blobs: PathBuf) -> std::io::Result<Self> {
        let (queue, rx) = std::sync::mpsc::channel::<(PathBuf, std::time::Instant)>();
        std::thread::Builder::new()
            .name("lakestack-blob-gc".into())
            .spawn(move || {
                loop {
                    match rx.recv() {
                        Ok((path, due)) => {
                            let now = std::time::Instant::now();
                            if due > now {
                                std::thread::sleep(due - now);
                            }
                            unlink(&path);
                        }
                        Err(_) => return,
                    }
                }
            })?;
        Ok(Self { blobs, queue })
    }

    pub(crate) fn path(&self, id: &str) -> PathBuf {
        self.blobs.join(&id[..2]).join(id)
    }

    /// Best effort: a blob that cannot be removed now is swept at the next start.
    pub(crate) fn remove(&self, ids: &[String]) {
        let due = std::time::Instant::now() + GRACE;
        for id in ids.iter().filter(|id| id.len() > 2) {
            if let Err(std::sync::mpsc::SendError((path, _))) = self.queue.send((self.path(id), due)) {
                unlink(&path);
            }
        }
    }
}

fn unlink(path: &Path) {
    if let Err(e) = std::fs::remove_file(path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(blob = %path.display(), error = %e, "could not remove blob");
    }
}

#[derive(Debug)]
pub(crate) struct Blobs {
    blobs: PathBuf,
    gc: Gc,
}

fn join_error(e: tokio::task::JoinError) -> std::io::Error {
    std::io::Error::other(e)
}

impl Blobs {
    pub(crate) fn open(root: &Path) -> Result<Self> {
        let blobs = root.join("blobs");
        std::fs::create_dir_all(&blobs)?;
        Ok(Self {
            gc: Gc::start(blobs.clone())?,
            blobs,
        })
    }

    pub(crate) fn gc(&self) -> Gc {
        self.gc.clone()
    }

    pub(crate) fn path(&self, id: &str) -> PathBuf {
        self.blobs.join(&id[..2]).join(id)
    }

    pub(crate) fn create(&self) -> BlobWriter {
        let id = uuid::Uuid::new_v4().simple().to_string();
        BlobWriter {
            path: self.path(&id),
            id,
            buf: Vec::new(),
            idle: None,
            in_flight: None,
            spare: None,
            size: 0,
            touched: false,
            done: false,
        }
    }

    /// Removes blobs no row refers to: interrupted writes, and removals a crash
    /// cut short. Only files older than `started` are candidates, so writes in
    /// flight in this process are safe.
    pub(crate) fn sweep(&self, referenced: &HashSet<String>, started: SystemTime) -> Result<usize> {
        let mut removed = 0;
        for dir in std::fs::read_dir(&self.blobs)? {
            let dir = dir?;
            if !dir.file_type()?.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(dir.path())? {
                let entry = entry?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if !referenced.contains(name.as_ref()) && is_older(&entry, started) {
                    let _ = std::fs::remove_file(entry.path());
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Reads `[start, end)` of small bodies in one blocking call; larger ones
    /// are streamed. Either way every file is open before this returns, so a
    /// concurrent overwrite that unlinks a blob cannot cut a read short.
    pub(crate) async fn read(&self, segments: &[(String, u64)], start: u64, end: u64) -> Result<crate::BodyStream> {
        let paths: Vec<(PathBuf, u64)> = segments.iter().map(|(id, size)| (self.path(id), *size)).collect();
        if end - start <= INLINE_IO as u64 {
            let bytes = read_small(&paths, start, end)?;
            return Ok(Box::pin(stream::once(async move { Ok(bytes) })));
        }
        if end - start <= WRITE_BUFFER as u64 {
            let bytes = tokio::task::spawn_blocking(move || read_small(&paths, start, end))
                .await
                .map_err(join_error)??;
            return Ok(Box::pin(stream::once(async move { Ok(bytes) })));
        }
        let mut files = Vec::with_capacity(paths.len());
        for (path, size) in paths {
            files.push((tokio::fs::File::open(path).await?, size));
        }
        Ok(Box::pin(read_range(files, start, end)))
    }
    /// Reads each of `ranges` in one blocking call, as a Parquet reader asks
    /// for a row group's column chunks: one task, no chunked copies.
    pub(crate) async fn read_ranges(
        &self,
        segments: &[(String, u64)],
        ranges: Vec<std::ops::Range<u64>>,
    ) -> Result<Vec<Bytes>> {
        let paths: Vec<(PathBuf, u64)> = segments.iter().map(|(id, size)| (self.path(id), *size)).collect();
        let read = move || -> std::io::Result<Vec<Bytes>> {
            ranges.iter().map(|r| read_small(&paths, r.start, r.end)).collect()
        };
        Ok(tokio::task::spawn_blocking(read).await.map_err(join_error)??)
    }
}

/// Creates a blob file, making its fan-out directory on first use (lazily, so
/// a fresh data directory starts without 256 mkdirs).
fn create_file(path: &Path) -> std::io::Result<std::fs::File> {
    match std::fs::File::create(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::File::create(path)
        }
        other => other,
    }
}

fn read_small(paths: &[(PathBuf, u64)], start: u64, end: u64) -> std::io::Result<Bytes> {
    let mut out = Vec::with_capacity((end - start) as usize);
    let mut offset = 0u64;
    for (path, size) in paths {
        let (seg_start, seg_end) = (offset, offset + size);
        offset = seg_end;
        if seg_end <= start || seg_start >= end {
            continue;
        }
        let from = start.max(seg_start) - seg_start;
        let to = end.min(seg_end) - seg_start;
        let mut f = std::fs::File::open(path)?;
        if from > 0 {
            f.seek(SeekFrom::Start(from))?;
        }
        let before = out.len();
        f.take(to - from).read_to_end(&mut out)?;
        if (out.len() - before) as u64 != to - from {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "blob shorter than recorded",
            ));
        }
    }
    Ok(Bytes::from(out))
}

fn is_older(entry: &std::fs::DirEntry, started: SystemTime) -> bool {
    entry
        .metadata()
        .and_then(|m| m.modified())
        .map(|m| m < started)
        .unwrap_or(false)
}

/// A body being written. Dropping it before [`BlobWriter::finish`] removes the
/// partial file, so an interrupted upload leaves nothing behind.
///
/// Bytes are gathered into 1 MiB buffers; each full buffer is hashed (MD5, for
/// the ETag) on one blocking thread and written on another while the next one
/// fills, so the network, the checksum the caller computes, MD5 and the write
/// all overlap: a single stream is then bound by MD5 alone, which cannot be
/// split across cores.
#[derive(Debug)]
pub struct BlobWriter {
    id: String,
    path: PathBuf,
    /// Bytes not yet handed to the file.
    buf: Vec<u8>,
    /// The file and hash state, when no buffer is in flight.
    idle: Option<(Option<std::fs::File>, Md5)>,
    in_flight: Option<InFlight>,
    /// The last buffer written, reused for the next one.
    spare: Option<Vec<u8>>,
    size: u64,
    /// Set before the file is first created, so a failed write still cleans up.
    touched: bool,
    done: bool,
}

/// One buffer on its way to the file and into the hash.
#[derive(Debug)]
struct InFlight {
    write: tokio::task::JoinHandle<std::io::Result<std::fs::File>>,
    hash: tokio::task::JoinHandle<Md5>,
    /// Shared with both tasks; back to a spare once they are done.
    buf: std::sync::Arc<Vec<u8>>,
}

/// A body that is complete and in place, but not yet referenced by any object.
#[derive(Debug)]
pub struct FinishedBlob {
    /// The blob file's id; empty for an inline body.
    pub(crate) id: String,
    pub size: u64,
    pub md5: [u8; 16],
    /// A small body kept in the metadata row instead of a file.
    pub(crate) inline: Option<Bytes>,
    /// Until a commit takes the blob, dropping it removes its file.
    pub(crate) guard: Option<PathBuf>,
}

impl FinishedBlob {
    /// Hands the file over to whoever commits it (or schedules its removal).
    pub(crate) fn disarm(&mut self) -> String {
        self.guard = None;
        self.id.clone()
    }
}

impl Drop for FinishedBlob {
    fn drop(&mut self) {
        if let Some(p) = self.guard.take() {
            unlink(&p);
        }
    }
}

impl BlobWriter {
    pub async fn write(&mut self, data: &[u8]) -> Result<()> {
        self.size += data.len() as u64;
        self.buf.extend_from_slice(data);
        if self.buf.len() >= WRITE_BUFFER {
            self.flush().await?;
        }
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    async fn settle(&mut self) -> Result<()> {
        let Some(f) = self.in_flight.as_mut() else {
            return Ok(());
        };
        // Awaited in place: if this future is dropped meanwhile (the client
        // went away), `Drop` still finds the write and waits for it before
        // removing the file it may create.
        let written = (&mut f.write).await;
        let InFlight { hash, buf, .. } = self.in_flight.take().expect("in flight");
        let file = written.map_err(join_error)??;
        let md5 = hash.await.map_err(join_error)?;
        self.idle = Some((Some(file), md5));
        if let Ok(mut buf) = std::sync::Arc::try_unwrap(buf) {
            buf.clear();
            self.spare = Some(buf);
        }
        Ok(())
    }

    /// Waits for the previous buffer, then sends this one off to be hashed and written.
    async fn flush(&mut self) -> Result<()> {
        self.settle().await?;
        let next = self.spare.take().unwrap_or_else(|| Vec::with_capacity(WRITE_BUFFER));
        let buf = std::sync::Arc::new(std::mem::replace(&mut self.buf, next));
        let (file, mut md5) = self.idle.take().unwrap_or_else(|| (None, Md5::new()));
        self.touched = true;
        let path = self.path.clone();
        let hashed = std::sync::Arc::clone(&buf);
        let written = std::sync::Arc::clone(&buf);
        self.in_flight = Some(InFlight {
            hash: tokio::task::spawn_blocking(move || {
                md5.update(&*hashed);
                md5
            }),
            write: tokio::task::spawn_blocking(move || {
                let mut f = match file {
                    Some(f) => f,
                    None => create_file(&path)?,
                };
                f.write_all(&written)?;
                Ok(f)
            }),
            buf,
        });
        Ok(())
    }

    pub async fn finish(mut self) -> Result<FinishedBlob> {
        // No fsync: the promise is surviving a killed process, which the page
        // cache already keeps; power-loss durability would cost every PUT.
        let never_written = self.in_flight.is_none() && self.idle.as_ref().is_none_or(|(f, _)| f.is_none());
        if never_written && self.buf.len() <= INLINE_IO {
            // A small body costs less to write here than the hop to a blocking thread.
            let mut md5 = Md5::new();
            md5.update(&self.buf);
            self.touched = true;
            create_file(&self.path)?.write_all(&self.buf)?;
            self.done = true;
            return Ok(FinishedBlob {
                id: std::mem::take(&mut self.id),
                size: self.size,
                md5: md5.finalize().into(),
                inline: None,
                guard: Some(self.path.clone()),
            });
        }
        if !self.buf.is_empty() || never_written {
            self.flush().await?;
        }
        self.settle().await?;
        let (_, md5) = self.idle.take().expect("settled");
        self.done = true;
        Ok(FinishedBlob {
            id: std::mem::take(&mut self.id),
            size: self.size,
            md5: md5.finalize().into(),
            inline: None,
            guard: Some(self.path.clone()),
        })
    }

    /// Like [`BlobWriter::finish`], but a body of at most 16 KiB comes back
    /// inline, with no file: for bodies that become a whole object (not parts).
    pub async fn finish_small(mut self) -> Result<FinishedBlob> {
        let never_written = self.in_flight.is_none() && self.idle.is_none();
        if never_written && self.buf.len() <= INLINE_MAX {
            let mut md5 = Md5::new();
            md5.update(&self.buf);
            self.done = true;
            let body = Bytes::from(std::mem::take(&mut self.buf));
            return Ok(FinishedBlob {
                id: String::new(),
                size: self.size,
                md5: md5.finalize().into(),
                inline: Some(body),
                guard: None,
            });
        }
        self.finish().await
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if self.done || !self.touched {
            // Finished, or nothing reached the disk yet (the file is made at the first flush).
            return;
        }
        let _ = std::fs::remove_file(&self.path);
        // A buffer still in flight may create the file after the line above:
        // remove it again once that write is over.
        if let (Some(f), Ok(rt)) = (self.in_flight.take(), tokio::runtime::Handle::try_current()) {
            let path = self.path.clone();
            rt.spawn(async move {
                let _ = f.write.await;
                let _ = std::fs::remove_file(path);
            });
        }
    }
}

const READ_CHUNK: usize = 256 * 1024;

/// Streams `[start, end)` of the concatenation of `files`.
pub(crate) fn read_range(
    files: Vec<(tokio::fs::File, u64)>,
    start: u64,
    end: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    // Work out, per segment, which bytes of it fall inside the range.
    let mut pieces = Vec::new();
    let mut offset = 0u64;
    for (file, size) in files {
        let seg_start = offset;
        let seg_end = offset + size;
        offset = seg_end;
        if seg_end <= start || seg_start >= end {
            continue;
        }
        let from = start.max(seg_start) - seg_start;
        let to = end.min(seg_end) - seg_start;
        pieces.push((file, from, to - from));
    }
    stream::iter(pieces).flat_map(|(file, from, len)| read_piece(file, from, len))
}

fn read_piece(file: tokio::fs::File, from: u64, len: u64) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
    struct St {
        file: tokio::fs::File,
        seek: Option<u64>,
        left: u64,
    }
    stream::try_unfold(
        St {
            file,
            seek: Some(from),
            left: len,
        },
        |mut st| async move {
            if st.left == 0 {
                return Ok(None);
            }
            if let Some(pos) = st.seek.take()
                && pos > 0
            {
                st.file.seek(SeekFrom::Start(pos)).await?;
            }
            let want = st.left.min(READ_CHUNK as u64) as usize;
            let mut buf = vec![0u8; want];
            let mut filled = 0;
            while filled < want {
                let n = st.file.read(&mut buf[filled..]).await?;
                if n == 0 {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "blob shorter than recorded",
                    ));
                }
                filled += n;
            }
            st.left -= want as u64;
            Ok(Some((Bytes::from(buf), st)))
        },
    )
}
