//! Object bodies as files named by an internal id, never by the key, so no key
//! can escape the data directory or collide with another.
//!
//! A blob is written under `tmp/`, then renamed into `blobs/`; only then may a
//! metadata row point at it. A crash can leave files in `tmp/` or unreferenced
//! files in `blobs/`: [`Blobs::sweep`] removes both.

use std::collections::HashSet;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bytes::Bytes;
use futures::{Stream, StreamExt, stream};
use md5::{Digest, Md5};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::error::Result;

#[derive(Debug)]
pub(crate) struct Blobs {
    blobs: PathBuf,
    tmp: PathBuf,
}

impl Blobs {
    pub(crate) fn open(root: &Path) -> Result<Self> {
        let blobs = root.join("blobs");
        let tmp = root.join("tmp");
        std::fs::create_dir_all(&tmp)?;
        // The fan-out directories are made once so that writes never pay for a mkdir.
        if !blobs.join("ff").is_dir() {
            for i in 0..=255u8 {
                std::fs::create_dir_all(blobs.join(format!("{i:02x}")))?;
            }
        }
        Ok(Self { blobs, tmp })
    }

    pub(crate) fn path(&self, id: &str) -> PathBuf {
        self.blobs.join(&id[..2]).join(id)
    }

    pub(crate) async fn create(&self) -> Result<BlobWriter> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let tmp_path = self.tmp.join(&id);
        let file = tokio::fs::File::create(&tmp_path).await?;
        Ok(BlobWriter {
            final_path: self.path(&id),
            id,
            tmp_path: Some(tmp_path),
            file: Some(tokio::io::BufWriter::with_capacity(256 * 1024, file)),
            md5: Md5::new(),
            size: 0,
        })
    }

    /// Best effort: a blob that cannot be removed now is swept at the next start.
    pub(crate) fn remove(&self, ids: &[String]) {
        for id in ids {
            if let Err(e) = std::fs::remove_file(self.path(id))
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(blob = %id, error = %e, "could not remove blob");
            }
        }
    }

    /// Removes interrupted writes and blobs no row refers to. Only files older
    /// than `started` are candidates, so writes in flight in this process are safe.
    pub(crate) fn sweep(&self, referenced: &HashSet<String>, started: SystemTime) -> Result<usize> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.tmp)? {
            let entry = entry?;
            if is_older(&entry, started) {
                let _ = std::fs::remove_file(entry.path());
                removed += 1;
            }
        }
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

    /// Opens every segment up front: once open, a concurrent overwrite that
    /// unlinks a blob cannot cut a read short.
    pub(crate) async fn open_segments(&self, segments: &[(String, u64)]) -> Result<Vec<(tokio::fs::File, u64)>> {
        let mut files = Vec::with_capacity(segments.len());
        for (id, size) in segments {
            files.push((tokio::fs::File::open(self.path(id)).await?, *size));
        }
        Ok(files)
    }
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
#[derive(Debug)]
pub struct BlobWriter {
    id: String,
    tmp_path: Option<PathBuf>,
    final_path: PathBuf,
    file: Option<tokio::io::BufWriter<tokio::fs::File>>,
    md5: Md5,
    size: u64,
}

/// A body that is complete and in place, but not yet referenced by any object.
#[derive(Debug)]
pub struct FinishedBlob {
    pub(crate) id: String,
    pub size: u64,
    pub md5: [u8; 16],
}

impl BlobWriter {
    pub async fn write(&mut self, data: &[u8]) -> Result<()> {
        self.md5.update(data);
        self.size += data.len() as u64;
        if let Some(f) = self.file.as_mut() {
            f.write_all(data).await?;
        }
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub async fn finish(mut self) -> Result<FinishedBlob> {
        if let Some(mut f) = self.file.take() {
            // No fsync: the promise is surviving a killed process, which the
            // page cache already keeps; power-loss durability would cost every PUT.
            f.flush().await?;
        }
        let tmp = self.tmp_path.take().expect("finish is called once");
        if let Err(e) = tokio::fs::rename(&tmp, &self.final_path).await {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        let md5 = std::mem::take(&mut self.md5).finalize();
        Ok(FinishedBlob {
            id: std::mem::take(&mut self.id),
            size: self.size,
            md5: md5.into(),
        })
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp_path.take() {
            let _ = std::fs::remove_file(tmp);
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
