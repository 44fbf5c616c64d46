//! The `awsglue` package scripts import (`from awsglue.utils import
//! getResolvedOptions`): its files are part of the binary and written under
//! the work directory, which runs put on `PYTHONPATH`.

use std::path::{Path, PathBuf};

const FILES: [(&str, &str); 2] = [
    ("__init__.py", include_str!("../../python/awsglue/__init__.py")),
    ("utils.py", include_str!("../../python/awsglue/utils.py")),
];

/// Writes the package under `dir/python/awsglue` and answers the directory
/// to put on `PYTHONPATH`. Each file is written aside and renamed into
/// place, so a run starting meanwhile never imports half a file.
pub fn install(dir: &Path) -> std::io::Result<PathBuf> {
    let root = dir.join("python");
    let package = root.join("awsglue");
    std::fs::create_dir_all(&package)?;
    for (name, text) in FILES {
        let path = package.join(name);
        if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
            continue;
        }
        let aside = package.join(format!(".{name}.{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&aside, text)?;
        std::fs::rename(&aside, &path)?;
    }
    Ok(root)
}
