//! One suite for every `ObjectStore` we rely on: it runs against object_store's
//! own in-memory store (proving the suite's expectations) and against the
//! lakestack engine's view, which later crates read and write through.

use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use lakestack_storage::Storage;
use object_store::path::Path;
use object_store::{
    GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, WriteMultipart,
};

async fn suite(store: &dyn ObjectStore) {
    let p = |s: &str| Path::from(format!("suite/{s}"));

    // put / get / head
    store
        .put(&p("a/one.txt"), PutPayload::from_static(b"hello world"))
        .await
        .unwrap();
    let got = store.get(&p("a/one.txt")).await.unwrap();
    assert_eq!(got.meta.size, 11);
    assert_eq!(got.bytes().await.unwrap(), Bytes::from_static(b"hello world"));
    assert_eq!(store.head(&p("a/one.txt")).await.unwrap().size, 11);

    // ranges
    let r = store.get_range(&p("a/one.txt"), 6..11).await.unwrap();
    assert_eq!(r, Bytes::from_static(b"world"));
    let opts = GetOptions {
        range: Some(GetRange::Suffix(5)),
        ..Default::default()
    };
    let r = store
        .get_opts(&p("a/one.txt"), opts)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(r, Bytes::from_static(b"world"));
    let ranges = store.get_ranges(&p("a/one.txt"), &[0..5, 6..11]).await.unwrap();
    assert_eq!(ranges, vec![Bytes::from_static(b"hello"), Bytes::from_static(b"world")]);

    // ranges of an object kept in a blob file rather than inline
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    store.put(&p("b/big.bin"), PutPayload::from(big.clone())).await.unwrap();
    let ranges = store
        .get_ranges(&p("b/big.bin"), &[0..10, 1_000_000..2_500_000, 2_999_990..3_000_000])
        .await
        .unwrap();
    assert_eq!(ranges[0], &big[..10]);
    assert_eq!(ranges[1], &big[1_000_000..2_500_000]);
    assert_eq!(ranges[2], &big[2_999_990..]);
    let r = store.get_range(&p("b/big.bin"), 5..2_000_005).await.unwrap();
    assert_eq!(r, &big[5..2_000_005]);
    assert!(
        store
            .get_ranges(&p("b/big.bin"), &[3_000_001..3_000_005, 0..1])
            .await
            .is_err()
    );
    store.delete(&p("b/big.bin")).await.unwrap();

    // not found
    let e = store.get(&p("a/missing")).await.unwrap_err();
    assert!(matches!(e, object_store::Error::NotFound { .. }), "{e:?}");

    // create-only puts
    let create = PutOptions {
        mode: PutMode::Create,
        ..Default::default()
    };
    let e = store
        .put_opts(&p("a/one.txt"), PutPayload::from_static(b"x"), create.clone())
        .await
        .unwrap_err();
    assert!(matches!(e, object_store::Error::AlreadyExists { .. }), "{e:?}");
    store
        .put_opts(&p("a/two.txt"), PutPayload::from_static(b"2"), create)
        .await
        .unwrap();

    // listing, recursive and with a delimiter
    store
        .put(&p("a/b/three.txt"), PutPayload::from_static(b"3"))
        .await
        .unwrap();
    store.put(&p("c.txt"), PutPayload::from_static(b"c")).await.unwrap();
    let mut all: Vec<String> = store
        .list(Some(&Path::from("suite")))
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .unwrap();
    all.sort();
    assert_eq!(
        all,
        [
            "suite/a/b/three.txt",
            "suite/a/one.txt",
            "suite/a/two.txt",
            "suite/c.txt"
        ]
    );
    let l = store.list_with_delimiter(Some(&Path::from("suite/a"))).await.unwrap();
    let objs: Vec<String> = l.objects.iter().map(|m| m.location.to_string()).collect();
    let dirs: Vec<String> = l.common_prefixes.iter().map(ToString::to_string).collect();
    assert_eq!(objs, ["suite/a/one.txt", "suite/a/two.txt"]);
    assert_eq!(dirs, ["suite/a/b"]);

    // copy and delete
    store.copy(&p("a/one.txt"), &p("copy.txt")).await.unwrap();
    assert_eq!(
        store.get(&p("copy.txt")).await.unwrap().bytes().await.unwrap(),
        Bytes::from_static(b"hello world")
    );
    store.delete(&p("copy.txt")).await.unwrap();
    assert!(matches!(
        store.head(&p("copy.txt")).await.unwrap_err(),
        object_store::Error::NotFound { .. }
    ));

    // multipart: 5 MiB parts and a short tail
    let upload = store.put_multipart(&p("big.bin")).await.unwrap();
    let mut w = WriteMultipart::new_with_chunk_size(upload, 5 * 1024 * 1024);
    let data: Vec<u8> = (0..11 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    for chunk in data.chunks(1024 * 1024) {
        w.write(chunk);
    }
    w.finish().await.unwrap();
    let got = store.get(&p("big.bin")).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.len(), data.len());
    assert!(got == data);
}

/// Keys with characters `Path` percent-encodes (`%`, `[`, `~`, ...) are found
/// again through the paths a listing returns, and name the raw S3 key.
#[tokio::test]
async fn escaped_characters_name_the_raw_key() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Storage::open(dir.path()).unwrap());
    storage.create_bucket("esc", "us-east-1").await.unwrap();
    let view = storage.object_store();
    let key = "ts=2024-01-01 10%3A00/part[1]~x.csv";
    view.put(&Path::from(format!("esc/{key}")), PutPayload::from_static(b"data"))
        .await
        .unwrap();
    assert_eq!(storage.head("esc", key, None).unwrap().size, 4);
    let listed: Vec<_> = view.list(Some(&Path::from("esc"))).try_collect().await.unwrap();
    assert_eq!(listed.len(), 1);
    let got = view.get(&listed[0].location).await.unwrap().bytes().await.unwrap();
    assert_eq!(got, Bytes::from_static(b"data"));
    let under: Vec<_> = view
        .list(Some(&Path::from("esc/ts=2024-01-01 10%3A00")))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(under.len(), 1);
}

async fn put_raw(storage: &Storage, bucket: &str, key: &str, body: &[u8]) {
    let mut w = storage.begin_write().await.unwrap();
    w.write(body).await.unwrap();
    let blob = w.finish().await.unwrap();
    storage
        .commit_put(
            bucket,
            key,
            blob,
            lakestack_storage::ObjectMeta::default(),
            &lakestack_storage::WriteCondition::default(),
            "Put",
        )
        .await
        .unwrap();
}

/// Keys that differ only by empty or dot segments are never merged: each
/// listed path reads back its own key, and a key `Path` cannot hold (an empty
/// segment) is left out rather than listed under another key's name.
#[tokio::test]
async fn keys_differing_by_empty_segments_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Storage::open(dir.path()).unwrap());
    storage.create_bucket("ex", "us-east-1").await.unwrap();
    for (key, body) in [
        ("t/x.csv", "single"),
        ("t//x.csv", "double"),
        ("t/", "marker"),
        ("t/./y.csv", "dot"),
        ("t/%2E/y.csv", "percent"),
        ("t/../y.csv", "dotdot"),
        ("t/a\0b.csv", "nul"),
    ] {
        put_raw(&storage, "ex", key, body.as_bytes()).await;
    }
    let view = storage.object_store();
    let listed: Vec<_> = view.list(Some(&Path::from("ex/t"))).try_collect().await.unwrap();
    let mut got = Vec::new();
    for m in &listed {
        let body = view.get(&m.location).await.unwrap().bytes().await.unwrap();
        got.push((m.location.to_string(), String::from_utf8(body.to_vec()).unwrap()));
    }
    assert_eq!(
        got,
        [
            ("ex/t/%252E/y.csv".to_owned(), "percent".to_owned()),
            ("ex/t/%2E%2E/y.csv".to_owned(), "dotdot".to_owned()),
            ("ex/t/%2E/y.csv".to_owned(), "dot".to_owned()),
            ("ex/t/a%00b.csv".to_owned(), "nul".to_owned()),
            ("ex/t/x.csv".to_owned(), "single".to_owned()),
        ]
    );
    // The path of `t/x.csv` reads `t/x.csv`, never `t//x.csv`.
    let one = view.get(&Path::from("ex/t/x.csv")).await.unwrap();
    assert_eq!(one.bytes().await.unwrap(), Bytes::from_static(b"single"));

    let l = view.list_with_delimiter(Some(&Path::from("ex/t"))).await.unwrap();
    let dirs: Vec<String> = l.common_prefixes.iter().map(ToString::to_string).collect();
    // `t//` (the prefix of `t//x.csv`) has no path; `t/` itself is not a directory.
    assert_eq!(dirs, ["ex/t/%252E", "ex/t/%2E%2E", "ex/t/%2E"]);
    let objs: Vec<String> = l.objects.iter().map(|m| m.location.to_string()).collect();
    assert_eq!(objs, ["ex/t/a%00b.csv", "ex/t/x.csv"]);
}

#[tokio::test]
async fn in_memory_store_passes_the_suite() {
    suite(&object_store::memory::InMemory::new()).await;
}

#[tokio::test]
async fn lakestack_store_passes_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Storage::open(dir.path()).unwrap());
    storage.create_bucket("suite", "us-east-1").await.unwrap();
    suite(&storage.object_store()).await;
}

#[tokio::test]
async fn writes_through_the_view_emit_events() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(Storage::open(dir.path()).unwrap());
    storage.create_bucket("ev", "us-east-1").await.unwrap();
    let mut rx = storage.subscribe();
    let store = storage.object_store();
    store
        .put(&Path::from("ev/k"), PutPayload::from_static(b"abc"))
        .await
        .unwrap();
    store.delete(&Path::from("ev/k")).await.unwrap();
    match rx.recv().await.unwrap() {
        lakestack_storage::ObjectEvent::Created { bucket, key, size, .. } => {
            assert_eq!((bucket.as_str(), key.as_str(), size), ("ev", "k", 3));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        rx.recv().await.unwrap(),
        lakestack_storage::ObjectEvent::Removed { .. }
    ));
}

/// object_store's own conformance suite (`object_store::integration`, behind
/// its `integration` feature) against the view. The suite writes at the
/// store's root and deletes everything there, so it runs under a bucket of
/// its own, through a `PrefixStore`: its paths become `conformance/<path>`.
mod conformance {
    use std::sync::Arc;

    use lakestack_storage::{Storage, StorageObjectStore};
    use object_store::integration;
    use object_store::prefix::PrefixStore;

    struct Fixture {
        _dir: tempfile::TempDir,
        _storage: Arc<Storage>,
        store: PrefixStore<StorageObjectStore>,
    }

    async fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let storage = Arc::new(Storage::open(dir.path()).unwrap());
        storage.create_bucket("conformance", "us-east-1").await.unwrap();
        let store = PrefixStore::new(storage.object_store(), "conformance");
        Fixture {
            _dir: dir,
            _storage: storage,
            store,
        }
    }

    /// Skipped: the view names raw S3 keys by percent-decoding paths (see
    /// `store.rs` and `escaped_characters_name_the_raw_key` above), while the
    /// suite takes a path's encoded form as its identity. So the suite's
    /// `Path::from_iter(["a", "b/c", "foo.file"])` (`a/b%2Fc/foo.file`)
    /// writes the key `a/b/c/foo.file` and lists back as that path, and its
    /// `%48%45%4C%4C%4F` prefix names the key `HELLO`, reachable by the decoded
    /// path too. Not a small fix: it is the view's key-to-path mapping.
    #[tokio::test]
    #[ignore = "the view percent-decodes paths into raw S3 keys; the suite wants encoded paths kept as-is"]
    async fn put_get_delete_list() {
        integration::put_get_delete_list(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn list_with_offset_exclusivity() {
        integration::list_with_offset_exclusivity(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn get_opts() {
        integration::get_opts(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn put_opts() {
        // PutMode::Update is S3's conditional write on the ETag, which the view supports.
        integration::put_opts(&fixture().await.store, true).await;
    }

    #[tokio::test]
    async fn put_get_attributes() {
        integration::put_get_attributes(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn list_uses_directories_correctly() {
        integration::list_uses_directories_correctly(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn list_with_delimiter() {
        integration::list_with_delimiter(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn get_nonexistent_object() {
        let f = fixture().await;
        let err = integration::get_nonexistent_object(&f.store, None).await.unwrap_err();
        assert!(matches!(err, object_store::Error::NotFound { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn rename_and_copy() {
        integration::rename_and_copy(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn copy_if_not_exists() {
        integration::copy_if_not_exists(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn copy_rename_nonexistent_object() {
        integration::copy_rename_nonexistent_object(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn stream_get() {
        integration::stream_get(&fixture().await.store).await;
    }

    #[tokio::test]
    async fn multipart_race_condition() {
        // As in S3, the upload completed last wins.
        integration::multipart_race_condition(&fixture().await.store, true).await;
    }

    #[tokio::test]
    async fn multipart_out_of_order() {
        integration::multipart_out_of_order(&fixture().await.store).await;
    }

    // Not applicable: `integration::multipart` needs a `MultipartStore` and
    // `integration::list_paginated` a `PaginatedListStore`, traits the view
    // does not implement (the S3 API serves those operations itself).
}
