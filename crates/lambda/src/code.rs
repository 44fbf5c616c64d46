//! Deployment packages and layer archives on disk. A zip is kept as sent,
//! named by its SHA-256 (`code/<hex>.zip`), and extracted once, on the
//! first invocation that needs it, into `tasks/<hex>/` (a function's
//! `LAMBDA_TASK_ROOT`); a function's layers are extracted in order into
//! `opt/<hash of their digests>/`, its `/opt`. Every archive is untrusted: no
//! entry may land outside its directory, symlinks may not point out of it,
//! and the bytes written are capped at AWS's unzipped limit.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::{LambdaError, Result};
use crate::model::Code;

/// AWS's limit on a function's unzipped code and layers together.
pub const UNZIPPED_LIMIT: u64 = 262_144_000;
/// Entries in one archive; far above any real package, low enough that a
/// crafted central directory cannot make us create millions of files.
pub const MAX_ENTRIES: usize = 200_000;

#[derive(Debug, Clone)]
pub struct CodeStore {
    dir: PathBuf,
}

impl CodeStore {
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_owned() }
    }

    /// Checks that `zip` is an archive Lambda could unzip within its limit,
    /// and keeps it. The answer names it for `CodeSha256` and `CodeSize`.
    pub fn put(&self, zip: &[u8]) -> Result<Code> {
        let tmp_dir = self.dir.join("tmp");
        std::fs::create_dir_all(&tmp_dir)?;
        let tmp = tmp_dir.join(uuid::Uuid::new_v4().simple().to_string());
        std::fs::write(&tmp, zip)?;
        self.adopt(&tmp, Sha256::digest(zip).into(), zip.len() as u64)
    }

    /// A file for [`adopt`](Self::adopt) to be streamed into.
    pub fn staging_file(&self) -> Result<PathBuf> {
        let tmp_dir = self.dir.join("tmp");
        std::fs::create_dir_all(&tmp_dir)?;
        Ok(tmp_dir.join(uuid::Uuid::new_v4().simple().to_string()))
    }

    /// Keeps a zip written to a staging file (whose SHA-256 and size the
    /// writer computed as it streamed), once it is checked; the staging
    /// file is gone either way.
    pub fn adopt(&self, staged: &Path, digest: [u8; 32], size: u64) -> Result<Code> {
        let checked = std::fs::File::open(staged)
            .map_err(LambdaError::from)
            .and_then(|f| inspect(std::io::BufReader::new(f)));
        let unzipped = match checked {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(staged);
                return Err(e);
            }
        };
        if unzipped > UNZIPPED_LIMIT {
            let _ = std::fs::remove_file(staged);
            return Err(LambdaError::invalid(format!(
                "Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes"
            )));
        }
        let code = Code {
            key: hex::encode(digest),
            sha256: base64::engine::general_purpose::STANDARD.encode(digest),
            size,
        };
        let path = self.zip_path(&code);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(staged, &path)?;
        Ok(code)
    }

    pub fn zip_path(&self, code: &Code) -> PathBuf {
        self.dir.join("code").join(format!("{}.zip", code.key))
    }

    /// Where a stored zip is, by its hex SHA-256, for GetFunction's
    /// download location; any other name is none of ours.
    pub fn stored(&self, key: &str) -> Option<PathBuf> {
        let hex = key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
        let path = self.dir.join("code").join(format!("{key}.zip"));
        (hex && path.is_file()).then_some(path)
    }

    /// The directory `code` is extracted in, extracting it if need be.
    pub fn task_root(&self, code: &Code) -> Result<PathBuf> {
        let target = self.dir.join("tasks").join(&code.key);
        if !target.exists() {
            let zip = std::fs::read(self.zip_path(code))?;
            self.extract_into_new(&target, &[&zip])?;
        }
        Ok(target)
    }

    /// The directory a function's layers are merged in (its `/opt`), later
    /// layers over earlier ones as AWS applies them; `None` without layers.
    pub fn opt_dir(&self, layers: &[Code]) -> Result<Option<PathBuf>> {
        if layers.is_empty() {
            return Ok(None);
        }
        let mut h = Sha256::new();
        for l in layers {
            h.update(l.key.as_bytes());
        }
        let target = self.dir.join("opt").join(hex::encode(h.finalize()));
        if !target.exists() {
            let zips = layers
                .iter()
                .map(|l| std::fs::read(self.zip_path(l)))
                .collect::<std::io::Result<Vec<_>>>()?;
            let refs: Vec<&[u8]> = zips.iter().map(Vec::as_slice).collect();
            self.extract_into_new(&target, &refs)?;
        }
        Ok(Some(target))
    }

    /// Extracts into a fresh directory beside the target, then renames it
    /// into place, so a half-extracted tree is never used; a racing
    /// extraction of the same archive leaves one of the two.
    fn extract_into_new(&self, target: &Path, zips: &[&[u8]]) -> Result<()> {
        let tmp = self.dir.join("tmp").join(uuid::Uuid::new_v4().simple().to_string());
        std::fs::create_dir_all(&tmp)?;
        let mut budget = UNZIPPED_LIMIT;
        let result = zips.iter().try_for_each(|zip| extract(zip, &tmp, &mut budget));
        if let Err(e) = result {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::rename(&tmp, target).is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
            if !target.exists() {
                return Err(LambdaError::Internal(format!("could not place {}", target.display())));
            }
        }
        Ok(())
    }
}

fn unzip_error() -> LambdaError {
    LambdaError::invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
}

/// Reads an archive's directory: its declared unzipped size, and whether
/// every entry has a name it may be extracted under.
fn inspect<R: Read + std::io::Seek>(zip: R) -> Result<u64> {
    let mut archive = zip::ZipArchive::new(zip).map_err(|_| unzip_error())?;
    if archive.len() > MAX_ENTRIES {
        return Err(LambdaError::invalid(format!(
            "The archive has more than {MAX_ENTRIES} entries"
        )));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|_| unzip_error())?;
        relative_path(&entry)?;
        total = total.saturating_add(entry.size());
    }
    Ok(total)
}

/// The entry's path inside its directory: only plain components, so it can
/// neither climb out nor be absolute.
fn relative_path<R: Read>(entry: &zip::read::ZipFile<'_, R>) -> Result<PathBuf> {
    let name = entry.enclosed_name().ok_or_else(unzip_error)?;
    let mut out = PathBuf::new();
    for c in name.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return Err(unzip_error()),
        }
    }
    Ok(out)
}

/// Extracts one archive into `root`, spending at most `budget` bytes. Files
/// first; symlinks last, and only those whose target stays inside: no file
/// is ever written through a link.
fn extract(zip: &[u8], root: &Path, budget: &mut u64) -> Result<()> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|_| unzip_error())?;
    if archive.len() > MAX_ENTRIES {
        return Err(unzip_error());
    }
    let mut links = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| unzip_error())?;
        let rel = relative_path(&entry)?;
        if rel.as_os_str().is_empty() {
            continue;
        }
        let path = root.join(&rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if entry.is_symlink() {
            let mut target = String::new();
            (&mut entry)
                .take(4096)
                .read_to_string(&mut target)
                .map_err(|_| unzip_error())?;
            links.push((path, target));
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // A later layer replaces an earlier one's file, as on AWS; a link an
        // earlier archive made is removed, not written through.
        if std::fs::symlink_metadata(&path).is_ok() {
            std::fs::remove_file(&path)?;
        }
        let mut out = std::fs::File::create(&path)?;
        let written = std::io::copy(&mut (&mut entry).take(*budget + 1), &mut out).map_err(|_| unzip_error())?;
        if written > *budget {
            return Err(LambdaError::invalid(format!(
                "Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes"
            )));
        }
        *budget -= written;
        set_mode(&out, entry.unix_mode())?;
    }
    for (path, target) in links {
        let t = Path::new(&target);
        let inside = !t.is_absolute()
            && t.components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !inside {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let _ = std::fs::remove_file(&path);
        symlink(t, &path)?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: Option<u32>) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    // Only the permission bits, and never set-id or sticky ones.
    let mode = mode.map_or(0o644, |m| m & 0o777) | 0o400;
    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_: &std::fs::File, _: Option<u32>) -> Result<()> {
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> Result<()> {
    Ok(std::os::unix::fs::symlink(target, link)?)
}

#[cfg(not(unix))]
fn symlink(_: &Path, _: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write as _;

    use super::*;
    use zip::write::SimpleFileOptions;

    /// A zip of `(name, contents, mode)` entries; a contents starting with
    /// `->` makes a symlink to the rest.
    pub fn zip_of(entries: &[(&str, &str, u32)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, body, mode) in entries {
            let opts = SimpleFileOptions::default().unix_permissions(*mode);
            if let Some(target) = body.strip_prefix("->") {
                w.add_symlink(*name, target, opts).unwrap();
            } else {
                w.start_file(*name, opts).unwrap();
                w.write_all(body.as_bytes()).unwrap();
            }
        }
        w.finish().unwrap().into_inner()
    }

    /// A zip whose one entry has exactly this name: the writer would
    /// clean it, so a placeholder of the same length is patched in place.
    fn raw_name(name: &str) -> Vec<u8> {
        let placeholder: String = "q".repeat(name.len());
        let mut zip = zip_of(&[(placeholder.as_str(), "x", 0o644)]);
        let mut i = 0;
        while let Some(at) = zip[i..].windows(name.len()).position(|w| w == placeholder.as_bytes()) {
            zip[i + at..i + at + name.len()].copy_from_slice(name.as_bytes());
            i += at + name.len();
        }
        zip
    }

    #[test]
    fn packages_are_named_by_their_digest_and_extracted_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = CodeStore::new(dir.path());
        let zip = zip_of(&[("bootstrap", "#!/bin/sh\n", 0o755), ("lib/a.txt", "a", 0o644)]);
        let code = store.put(&zip).unwrap();
        assert_eq!(code.size, zip.len() as u64);
        assert_eq!(code.key.len(), 64);
        let root = store.task_root(&code).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("lib/a.txt")).unwrap(), "a");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(root.join("bootstrap")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o755);
        }
        assert_eq!(store.task_root(&code).unwrap(), root);
    }

    #[test]
    fn archives_cannot_write_outside_their_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = CodeStore::new(&dir.path().join("lambda"));
        for bad in [raw_name("../escape.txt"), raw_name("a/../../escape.txt")] {
            let r = store.put(&bad);
            assert!(matches!(r, Err(LambdaError::InvalidParameter(_))), "{r:?}");
        }
        assert!(store.put(b"not a zip").is_err());
        // An absolute name is read as relative to the package, inside it.
        let abs = store.put(&raw_name("/abs.txt")).unwrap();
        assert!(store.task_root(&abs).unwrap().join("abs.txt").is_file());
        // A link out of the tree is dropped; a file after it is written in the tree.
        let zip = zip_of(&[
            ("out", "->/etc", 0o777),
            ("up", "->..", 0o777),
            ("in", "->lib", 0o777),
            ("lib/x", "1", 0o644),
        ]);
        let code = store.put(&zip).unwrap();
        let root = store.task_root(&code).unwrap();
        assert!(std::fs::symlink_metadata(root.join("out")).is_err());
        assert!(std::fs::symlink_metadata(root.join("up")).is_err());
        assert_eq!(std::fs::read_to_string(root.join("in/x")).unwrap(), "1");
        assert!(!dir.path().join("escape.txt").exists());
    }

    #[test]
    fn layers_merge_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = CodeStore::new(dir.path());
        let a = store
            .put(&zip_of(&[("python/m.py", "a", 0o644), ("bin/t", "a", 0o755)]))
            .unwrap();
        let b = store.put(&zip_of(&[("python/m.py", "b", 0o644)])).unwrap();
        let opt = store.opt_dir(&[a, b]).unwrap().unwrap();
        assert_eq!(std::fs::read_to_string(opt.join("python/m.py")).unwrap(), "b");
        assert_eq!(std::fs::read_to_string(opt.join("bin/t")).unwrap(), "a");
        assert_eq!(store.opt_dir(&[]).unwrap(), None);
    }
}
