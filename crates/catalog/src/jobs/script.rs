//! A run's script: read from `Command.ScriptLocation` through the catalog's
//! object store, and checked for what cannot run here (Spark).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::{ObjectStore, ObjectStoreExt as _};

use crate::crawl::parse_s3_path;

/// The largest script a run fetches.
const MAX_SCRIPT_BYTES: u64 = 64 << 20;

/// Copies the script at `location` (`s3://bucket/key`) into `dir`, under its
/// own file name as Glue runs it; answers its path and text.
pub async fn fetch(
    objects: &Arc<dyn ObjectStore>,
    location: Option<&str>,
    dir: &Path,
) -> Result<(PathBuf, String), String> {
    let Some(location) = location.filter(|l| !l.is_empty()) else {
        return Err("The job has no Command.ScriptLocation: there is no script to run.".into());
    };
    let Some((bucket, key)) = parse_s3_path(location).filter(|(_, k)| !k.is_empty()) else {
        return Err(format!(
            "Invalid script location {location}: it must be s3://bucket/key"
        ));
    };
    let path = object_store::path::Path::from(format!("{bucket}/{key}"));
    // A script is read whole: an object of any size must not be.
    let bytes = match objects.get(&path).await {
        // The size of what is read, not of what `head` saw: it may have been replaced.
        Ok(got) if got.meta.size > MAX_SCRIPT_BYTES => {
            return Err(format!(
                "The script {location} is {} bytes; lakestack runs scripts of at most {MAX_SCRIPT_BYTES} bytes",
                got.meta.size
            ));
        }
        Ok(got) => got.bytes().await,
        Err(e) => Err(e),
    }
    .map_err(|e| match e {
        object_store::Error::NotFound { .. } => format!("Script {location} does not exist."),
        e => format!("Could not read the script {location}: {e}"),
    })?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let name = key
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .unwrap_or("script.py");
    let file = dir.join(name);
    tokio::fs::write(&file, &bytes)
        .await
        .map_err(|e| format!("Could not write the script to {}: {e}", file.display()))?;
    Ok((file, text))
}

/// The Spark module a script imports, if any: `pyspark`, or an `awsglue`
/// module other than `utils` (they drive Spark: `awsglue.context`,
/// `awsglue.job`, `awsglue.dynamicframe`...).
pub fn spark_import(script: &str) -> Option<String> {
    script.lines().find_map(|line| {
        let line = line.trim_start();
        let modules = if let Some(rest) = line.strip_prefix("import ") {
            rest.split(',')
                .map(|m| m.split_whitespace().next().unwrap_or(""))
                .collect::<Vec<_>>()
        } else if let Some(rest) = line.strip_prefix("from ") {
            vec![rest.split_whitespace().next().unwrap_or("")]
        } else {
            return None;
        };
        modules.into_iter().find_map(|m| {
            let top = m.split('.').next().unwrap_or("");
            let spark = top == "pyspark" || (top == "awsglue" && m != "awsglue" && m != "awsglue.utils");
            spark.then(|| m.to_owned())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_imports() {
        assert_eq!(
            spark_import("import sys\nfrom awsglue.utils import getResolvedOptions\n"),
            None
        );
        assert_eq!(
            spark_import("import sys\nfrom pyspark.context import SparkContext\n").as_deref(),
            Some("pyspark.context")
        );
        assert_eq!(spark_import("import os, pyspark\n").as_deref(), Some("pyspark"));
        assert_eq!(
            spark_import("    from awsglue.context import GlueContext").as_deref(),
            Some("awsglue.context")
        );
        assert_eq!(spark_import("# from pyspark import x\nimport pysparkling\n"), None);
    }
}
