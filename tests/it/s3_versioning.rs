use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};

use crate::common::{Server, body, code, status};

async fn versioned() -> (Server, aws_sdk_s3::Client) {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("ver").send().await.unwrap();
    assert_eq!(
        c.get_bucket_versioning().bucket("ver").send().await.unwrap().status(),
        None
    );
    c.put_bucket_versioning()
        .bucket("ver")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.get_bucket_versioning().bucket("ver").send().await.unwrap().status(),
        Some(&BucketVersioningStatus::Enabled)
    );
    (s, c)
}

#[tokio::test]
async fn versions_delete_markers_and_restore() {
    let (_s, c) = versioned().await;
    let v1 = c
        .put_object()
        .bucket("ver")
        .key("k")
        .body(b"one".to_vec().into())
        .send()
        .await
        .unwrap();
    let v2 = c
        .put_object()
        .bucket("ver")
        .key("k")
        .body(b"two".to_vec().into())
        .send()
        .await
        .unwrap();
    let id1 = v1.version_id().unwrap().to_owned();
    let id2 = v2.version_id().unwrap().to_owned();
    assert_ne!(id1, id2);
    assert_eq!(
        body(c.get_object().bucket("ver").key("k").send().await.unwrap()).await,
        b"two"
    );
    assert_eq!(
        body(
            c.get_object()
                .bucket("ver")
                .key("k")
                .version_id(&id1)
                .send()
                .await
                .unwrap()
        )
        .await,
        b"one"
    );

    let del = c.delete_object().bucket("ver").key("k").send().await.unwrap();
    assert_eq!(del.delete_marker(), Some(true));
    let marker = del.version_id().unwrap().to_owned();
    let e = c.get_object().bucket("ver").key("k").send().await.unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");
    let raw = e.raw_response().unwrap();
    assert_eq!(raw.headers().get("x-amz-delete-marker"), Some("true"));
    let e = c
        .get_object()
        .bucket("ver")
        .key("k")
        .version_id(&marker)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 405);
    assert!(
        c.list_objects_v2()
            .bucket("ver")
            .send()
            .await
            .unwrap()
            .contents()
            .is_empty()
    );

    let vs = c.list_object_versions().bucket("ver").send().await.unwrap();
    let ids: Vec<(&str, bool)> = vs
        .versions()
        .iter()
        .map(|v| (v.version_id().unwrap(), v.is_latest().unwrap()))
        .collect();
    assert_eq!(ids, [(id2.as_str(), false), (id1.as_str(), false)]);
    assert_eq!(vs.delete_markers()[0].version_id(), Some(marker.as_str()));
    assert_eq!(vs.delete_markers()[0].is_latest(), Some(true));

    // Removing the marker brings the object back.
    c.delete_object()
        .bucket("ver")
        .key("k")
        .version_id(&marker)
        .send()
        .await
        .unwrap();
    assert_eq!(
        body(c.get_object().bucket("ver").key("k").send().await.unwrap()).await,
        b"two"
    );
    // Removing a version for good.
    c.delete_object()
        .bucket("ver")
        .key("k")
        .version_id(&id2)
        .send()
        .await
        .unwrap();
    assert_eq!(
        body(c.get_object().bucket("ver").key("k").send().await.unwrap()).await,
        b"one"
    );
    let e = c
        .get_object()
        .bucket("ver")
        .key("k")
        .version_id(&id2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchVersion");
    let e = c
        .get_object()
        .bucket("ver")
        .key("k")
        .version_id("bad version!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidArgument");
}

#[tokio::test]
async fn version_listing_pages() {
    let (_s, c) = versioned().await;
    for i in 0..3 {
        for k in ["a", "b"] {
            c.put_object()
                .bucket("ver")
                .key(k)
                .body(vec![i].into())
                .send()
                .await
                .unwrap();
        }
    }
    let mut seen = Vec::new();
    let (mut km, mut vm) = (None, None);
    loop {
        let out = c
            .list_object_versions()
            .bucket("ver")
            .max_keys(4)
            .set_key_marker(km.clone())
            .set_version_id_marker(vm.clone())
            .send()
            .await
            .unwrap();
        seen.extend(
            out.versions()
                .iter()
                .map(|v| (v.key().unwrap().to_owned(), v.is_latest().unwrap())),
        );
        if out.is_truncated() != Some(true) {
            break;
        }
        km = out.next_key_marker().map(str::to_owned);
        vm = out.next_version_id_marker().map(str::to_owned);
    }
    let want: Vec<(String, bool)> = [
        ("a", true),
        ("a", false),
        ("a", false),
        ("b", true),
        ("b", false),
        ("b", false),
    ]
    .iter()
    .map(|(k, l)| ((*k).to_owned(), *l))
    .collect();
    assert_eq!(seen, want);
}

#[tokio::test]
async fn suspended_versioning_writes_null_versions() {
    let (_s, c) = versioned().await;
    let v1 = c
        .put_object()
        .bucket("ver")
        .key("k")
        .body(b"kept".to_vec().into())
        .send()
        .await
        .unwrap();
    c.put_bucket_versioning()
        .bucket("ver")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Suspended)
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("ver")
        .key("k")
        .body(b"null1".to_vec().into())
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("ver")
        .key("k")
        .body(b"null2".to_vec().into())
        .send()
        .await
        .unwrap();
    let vs = c.list_object_versions().bucket("ver").send().await.unwrap();
    let ids: Vec<&str> = vs.versions().iter().map(|v| v.version_id().unwrap()).collect();
    assert_eq!(ids, ["null", v1.version_id().unwrap()]);
    assert_eq!(
        body(c.get_object().bucket("ver").key("k").send().await.unwrap()).await,
        b"null2"
    );
}

/// boto3's `object_versions.delete()` deletes each page before asking for the
/// next, so the version-id marker names a version that is gone by then.
#[tokio::test]
async fn paging_versions_while_deleting_them() {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    let (_s, c) = versioned().await;
    for i in 0..5u8 {
        c.put_object()
            .bucket("ver")
            .key("k")
            .body(vec![i].into())
            .send()
            .await
            .unwrap();
    }
    let (mut km, mut vm) = (None, None);
    let mut deleted = 0;
    loop {
        let out = c
            .list_object_versions()
            .bucket("ver")
            .max_keys(2)
            .set_key_marker(km.clone())
            .set_version_id_marker(vm.clone())
            .send()
            .await
            .unwrap();
        let ids: Vec<ObjectIdentifier> = out
            .versions()
            .iter()
            .map(|v| {
                ObjectIdentifier::builder()
                    .key(v.key().unwrap())
                    .version_id(v.version_id().unwrap())
                    .build()
                    .unwrap()
            })
            .collect();
        deleted += ids.len();
        if !ids.is_empty() {
            c.delete_objects()
                .bucket("ver")
                .delete(Delete::builder().set_objects(Some(ids)).build().unwrap())
                .send()
                .await
                .unwrap();
        }
        if out.is_truncated() != Some(true) {
            break;
        }
        km = out.next_key_marker().map(str::to_owned);
        vm = out.next_version_id_marker().map(str::to_owned);
    }
    assert_eq!(deleted, 5);
    c.delete_bucket().bucket("ver").send().await.unwrap();
}

/// A version-id marker is client text: one whose 12th byte falls inside a
/// multi-byte character once panicked the listing and dropped the connection.
#[tokio::test]
async fn non_ascii_version_id_marker_is_answered() {
    let (_s, c) = versioned().await;
    for body in ["one", "two"] {
        c.put_object()
            .bucket("ver")
            .key("k")
            .body(body.as_bytes().to_vec().into())
            .send()
            .await
            .unwrap();
    }
    c.put_object()
        .bucket("ver")
        .key("m")
        .body(b"m".to_vec().into())
        .send()
        .await
        .unwrap();
    let marker = format!("{}é{}", "a".repeat(11), "9".repeat(19));
    assert_eq!(marker.len(), 32);
    let out = c
        .list_object_versions()
        .bucket("ver")
        .key_marker("k")
        .version_id_marker(&marker)
        .send()
        .await
        .unwrap();
    // An unknown version marker resumes after its key.
    let keys: Vec<&str> = out.versions().iter().filter_map(|v| v.key()).collect();
    assert_eq!(keys, ["m"]);
    assert_eq!(out.version_id_marker(), Some(marker.as_str()));
    assert_eq!(out.is_truncated(), Some(false));
}
