//! Lambda deployment packages: any bytes as a zip, kept and extracted
//! under a scratch directory; nothing may land outside it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|zip: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let root = dir.path().join("lambda");
    let store = lakestack_lambda::code::CodeStore::new(&root);
    if let Ok(code) = store.put(zip) {
        let _ = store.task_root(&code);
    }
    // Everything written is under `root`.
    let entries = std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0);
    assert!(entries <= 1, "the package wrote beside its directory");
});
