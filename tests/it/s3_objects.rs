use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, MetadataDirective, Tag, Tagging};

use crate::common::{Server, body, code, md5_hex, pattern, status};

async fn setup() -> (Server, aws_sdk_s3::Client) {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("bkt").send().await.unwrap();
    (s, c)
}

#[tokio::test]
async fn put_get_round_trip_with_metadata() {
    let (_s, c) = setup().await;
    let data = pattern(100_000, 7);
    let put = c
        .put_object()
        .bucket("bkt")
        .key("dir/obj.bin")
        .body(data.clone().into())
        .content_type("application/x-test")
        .content_encoding("identity")
        .content_disposition("attachment; filename=\"o.bin\"")
        .content_language("en")
        .cache_control("max-age=60")
        .expires(aws_smithy_types::DateTime::from_secs(1_900_000_000))
        .metadata("Color", "blue")
        .metadata("size", "L")
        .send()
        .await
        .unwrap();
    assert_eq!(put.e_tag(), Some(format!("\"{}\"", md5_hex(&data)).as_str()));

    let got = c.get_object().bucket("bkt").key("dir/obj.bin").send().await.unwrap();
    assert_eq!(got.content_length(), Some(100_000));
    assert_eq!(got.content_type(), Some("application/x-test"));
    assert_eq!(got.content_encoding(), Some("identity"));
    assert_eq!(got.content_disposition(), Some("attachment; filename=\"o.bin\""));
    assert_eq!(got.content_language(), Some("en"));
    assert_eq!(got.cache_control(), Some("max-age=60"));
    assert_eq!(got.expires_string(), Some("Sun, 17 Mar 2030 17:46:40 GMT"));
    assert_eq!(got.e_tag(), put.e_tag());
    let meta = got.metadata().unwrap();
    assert_eq!(meta.get("color").map(String::as_str), Some("blue"));
    assert_eq!(meta.get("size").map(String::as_str), Some("L"));
    assert_eq!(body(got).await, data);

    let head = c.head_object().bucket("bkt").key("dir/obj.bin").send().await.unwrap();
    assert_eq!(head.content_length(), Some(100_000));
    assert_eq!(head.e_tag(), put.e_tag());

    // Unicode, dots and doubled slashes are keys like any other.
    for key in ["ünï/cødé ✓.txt", "../escape", "a//b", "trailing/", "with?query&chars=1"] {
        c.put_object()
            .bucket("bkt")
            .key(key)
            .body(key.as_bytes().to_vec().into())
            .send()
            .await
            .unwrap();
        let got = c.get_object().bucket("bkt").key(key).send().await.unwrap();
        assert_eq!(body(got).await, key.as_bytes(), "{key}");
    }
    let long = "k".repeat(1024);
    c.put_object()
        .bucket("bkt")
        .key(&long)
        .body(b"1".to_vec().into())
        .send()
        .await
        .unwrap();
    assert_eq!(
        body(c.get_object().bucket("bkt").key(&long).send().await.unwrap()).await,
        b"1"
    );
}

#[tokio::test]
async fn default_content_type_and_empty_objects() {
    let (_s, c) = setup().await;
    c.put_object()
        .bucket("bkt")
        .key("empty")
        .body(Vec::new().into())
        .send()
        .await
        .unwrap();
    let got = c.get_object().bucket("bkt").key("empty").send().await.unwrap();
    assert_eq!(got.content_length(), Some(0));
    assert_eq!(got.e_tag(), Some("\"d41d8cd98f00b204e9800998ecf8427e\""));
    assert_eq!(body(got).await, b"");
}

#[tokio::test]
async fn ranged_reads() {
    let (s, c) = setup().await;
    let data = pattern(1000, 3);
    c.put_object()
        .bucket("bkt")
        .key("r")
        .body(data.clone().into())
        .send()
        .await
        .unwrap();
    for (range, from, to) in [
        ("bytes=0-9", 0, 10),
        ("bytes=990-", 990, 1000),
        ("bytes=-5", 995, 1000),
        ("bytes=500-5000", 500, 1000),
    ] {
        let got = c.get_object().bucket("bkt").key("r").range(range).send().await.unwrap();
        assert_eq!(
            got.content_range(),
            Some(format!("bytes {}-{}/1000", from, to - 1).as_str()),
            "{range}"
        );
        assert_eq!(got.content_length(), Some((to - from) as i64));
        assert_eq!(body(got).await, &data[from..to], "{range}");
    }
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/bkt/r", s.endpoint))
        .header("range", "bytes=0-0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 206);
    let e = c
        .get_object()
        .bucket("bkt")
        .key("r")
        .range("bytes=1000-1001")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidRange");
    assert_eq!(status(&e), 416);
}

#[tokio::test]
async fn conditional_reads() {
    let (s, c) = setup().await;
    let put = c
        .put_object()
        .bucket("bkt")
        .key("c")
        .body(b"abc".to_vec().into())
        .send()
        .await
        .unwrap();
    let etag = put.e_tag().unwrap().to_owned();
    let http = reqwest::Client::new();
    let url = format!("{}/bkt/c", s.endpoint);

    let r = http.get(&url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 304);
    assert_eq!(r.headers().get("etag").unwrap().to_str().unwrap(), etag);
    let r = http.get(&url).header("if-match", "\"nope\"").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 412);
    assert!(r.text().await.unwrap().contains("<Code>PreconditionFailed</Code>"));
    let r = http.get(&url).header("if-match", &etag).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);

    let future = "Fri, 01 Jan 2100 00:00:00 GMT";
    let past = "Sat, 01 Jan 2000 00:00:00 GMT";
    let r = http.get(&url).header("if-modified-since", future).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 304);
    let r = http.get(&url).header("if-modified-since", past).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = http.get(&url).header("if-unmodified-since", past).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 412);
    // If-Match wins over a failing If-Unmodified-Since, as RFC 7232 and S3 say.
    let r = http
        .get(&url)
        .header("if-match", &etag)
        .header("if-unmodified-since", past)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn response_overrides() {
    let (_s, c) = setup().await;
    c.put_object()
        .bucket("bkt")
        .key("o")
        .body(b"x".to_vec().into())
        .content_type("text/plain")
        .send()
        .await
        .unwrap();
    let got = c
        .get_object()
        .bucket("bkt")
        .key("o")
        .response_content_type("application/json")
        .response_content_disposition("inline")
        .response_cache_control("no-cache")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("application/json"));
    assert_eq!(got.content_disposition(), Some("inline"));
    assert_eq!(got.cache_control(), Some("no-cache"));
}

#[tokio::test]
async fn conditional_writes() {
    let (_s, c) = setup().await;
    c.put_object()
        .bucket("bkt")
        .key("once")
        .body(b"1".to_vec().into())
        .if_none_match("*")
        .send()
        .await
        .unwrap();
    let e = c
        .put_object()
        .bucket("bkt")
        .key("once")
        .body(b"2".to_vec().into())
        .if_none_match("*")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "PreconditionFailed");
    assert_eq!(status(&e), 412);
    assert_eq!(
        body(c.get_object().bucket("bkt").key("once").send().await.unwrap()).await,
        b"1"
    );
}

#[tokio::test]
async fn checksums_are_validated_stored_and_returned() {
    let (s, c) = setup().await;
    for algo in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32C,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ] {
        let key = format!("ck-{}", algo.as_str());
        let put = c
            .put_object()
            .bucket("bkt")
            .key(&key)
            .body(b"hello world".to_vec().into())
            .checksum_algorithm(algo.clone())
            .send()
            .await
            .unwrap();
        let head = c
            .head_object()
            .bucket("bkt")
            .key(&key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        let (sent, stored) = match algo {
            ChecksumAlgorithm::Crc32 => (put.checksum_crc32(), head.checksum_crc32()),
            ChecksumAlgorithm::Crc32C => (put.checksum_crc32_c(), head.checksum_crc32_c()),
            ChecksumAlgorithm::Crc64Nvme => (put.checksum_crc64_nvme(), head.checksum_crc64_nvme()),
            ChecksumAlgorithm::Sha1 => (put.checksum_sha1(), head.checksum_sha1()),
            _ => (put.checksum_sha256(), head.checksum_sha256()),
        };
        let expected = match algo {
            ChecksumAlgorithm::Crc32 => "DUoRhQ==",
            ChecksumAlgorithm::Crc32C => "yZRlqg==",
            ChecksumAlgorithm::Crc64Nvme => "jSnVw/bqjr4=",
            ChecksumAlgorithm::Sha1 => "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
            _ => "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
        };
        assert_eq!(sent, Some(expected), "{algo:?} echoed");
        assert_eq!(stored, Some(expected), "{algo:?} stored");
    }
    // A wrong checksum header is refused and nothing is stored.
    let http = reqwest::Client::new();
    let r = http
        .put(format!("{}/bkt/bad", s.endpoint))
        .header("x-amz-checksum-crc32", "AAAAAA==")
        .body("hello world")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("<Code>BadDigest</Code>"));
    let e = c.head_object().bucket("bkt").key("bad").send().await.unwrap_err();
    assert_eq!(status(&e), 404);
    // A bad Content-MD5 too.
    let r = http
        .put(format!("{}/bkt/bad", s.endpoint))
        .header("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")
        .body("hello world")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("<Code>BadDigest</Code>"));
    let r = http
        .put(format!("{}/bkt/bad", s.endpoint))
        .header("content-md5", "not-base64")
        .body("x")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("<Code>InvalidDigest</Code>"));
    let e = c.head_object().bucket("bkt").key("bad").send().await.unwrap_err();
    assert_eq!(status(&e), 404);
    // Two checksum headers at once.
    let r = http
        .put(format!("{}/bkt/bad", s.endpoint))
        .header("x-amz-checksum-crc32", "DUoRhQ==")
        .header("x-amz-checksum-sha1", "Kq5sNclPz7QV2+lfQIuc6R7oRu0=")
        .body("hello world")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("<Code>InvalidRequest</Code>"));
}

#[tokio::test]
async fn chunked_transfer_without_content_length() {
    let (s, c) = setup().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(b"hello ".to_vec()), Ok(b"chunked".to_vec())];
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let r = reqwest::Client::new()
        .put(format!("{}/bkt/chunky", s.endpoint))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(body_of(&c, "chunky").await, b"hello chunked");
}

async fn body_of(c: &aws_sdk_s3::Client, key: &str) -> Vec<u8> {
    body(c.get_object().bucket("bkt").key(key).send().await.unwrap()).await
}

#[tokio::test]
async fn copy_object_directives_and_conditions() {
    let (_s, c) = setup().await;
    let put = c
        .put_object()
        .bucket("bkt")
        .key("src")
        .body(b"payload".to_vec().into())
        .content_type("text/plain")
        .metadata("a", "1")
        .send()
        .await
        .unwrap();
    c.copy_object()
        .bucket("bkt")
        .key("copy1")
        .copy_source("bkt/src")
        .send()
        .await
        .unwrap();
    let h = c.head_object().bucket("bkt").key("copy1").send().await.unwrap();
    assert_eq!(h.content_type(), Some("text/plain"));
    assert_eq!(h.metadata().unwrap().get("a").map(String::as_str), Some("1"));
    assert_eq!(h.e_tag(), put.e_tag());

    c.copy_object()
        .bucket("bkt")
        .key("copy2")
        .copy_source("bkt/src")
        .metadata_directive(MetadataDirective::Replace)
        .content_type("application/octet-stream")
        .metadata("b", "2")
        .send()
        .await
        .unwrap();
    let h = c.head_object().bucket("bkt").key("copy2").send().await.unwrap();
    assert_eq!(h.content_type(), Some("application/octet-stream"));
    assert_eq!(h.metadata().unwrap().get("a"), None);
    assert_eq!(h.metadata().unwrap().get("b").map(String::as_str), Some("2"));

    let e = c
        .copy_object()
        .bucket("bkt")
        .key("src")
        .copy_source("bkt/src")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidRequest");
    c.copy_object()
        .bucket("bkt")
        .key("src")
        .copy_source("bkt/src")
        .metadata_directive(MetadataDirective::Replace)
        .metadata("c", "3")
        .send()
        .await
        .unwrap();
    let h = c.head_object().bucket("bkt").key("src").send().await.unwrap();
    assert_eq!(h.metadata().unwrap().get("c").map(String::as_str), Some("3"));
    assert_eq!(body_of(&c, "src").await, b"payload");

    let e = c
        .copy_object()
        .bucket("bkt")
        .key("copy3")
        .copy_source("bkt/src")
        .copy_source_if_match("\"0000\"")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "PreconditionFailed");
    let e = c
        .copy_object()
        .bucket("bkt")
        .key("copy3")
        .copy_source("bkt/src")
        .copy_source_if_none_match(put.e_tag().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "PreconditionFailed");
    let e = c
        .copy_object()
        .bucket("bkt")
        .key("copy3")
        .copy_source("bkt/missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");
}

#[tokio::test]
async fn delete_objects_quiet_and_errors() {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    let (_s, c) = setup().await;
    for k in ["d1", "d2", "d3"] {
        c.put_object()
            .bucket("bkt")
            .key(k)
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let ids = |keys: &[&str]| {
        Delete::builder().set_objects(Some(
            keys.iter()
                .map(|k| ObjectIdentifier::builder().key(*k).build().unwrap())
                .collect(),
        ))
    };
    let out = c
        .delete_objects()
        .bucket("bkt")
        .delete(ids(&["d1", "nope"]).build().unwrap())
        .send()
        .await
        .unwrap();
    let mut deleted: Vec<&str> = out.deleted().iter().filter_map(|d| d.key()).collect();
    deleted.sort_unstable();
    assert_eq!(deleted, ["d1", "nope"]);
    let out = c
        .delete_objects()
        .bucket("bkt")
        .delete(ids(&["d2"]).quiet(true).build().unwrap())
        .send()
        .await
        .unwrap();
    assert!(out.deleted().is_empty());
    let bad = Delete::builder()
        .objects(ObjectIdentifier::builder().key("d3").version_id("").build().unwrap())
        .build()
        .unwrap();
    let out = c.delete_objects().bucket("bkt").delete(bad).send().await.unwrap();
    assert_eq!(out.errors()[0].code(), Some("InvalidArgument"));
    assert_eq!(out.errors()[0].key(), Some("d3"));
    let left: Vec<String> = c
        .list_objects_v2()
        .bucket("bkt")
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .map(|o| o.key().unwrap().to_owned())
        .collect();
    assert_eq!(left, ["d3"]);
}

#[tokio::test]
async fn object_tagging() {
    let (_s, c) = setup().await;
    c.put_object()
        .bucket("bkt")
        .key("t")
        .body(b"x".to_vec().into())
        .tagging("k1=v1&k2=v%202")
        .send()
        .await
        .unwrap();
    let got = c.get_object().bucket("bkt").key("t").send().await.unwrap();
    assert_eq!(got.tag_count(), Some(2));
    let tags = c.get_object_tagging().bucket("bkt").key("t").send().await.unwrap();
    let pairs: Vec<(&str, &str)> = tags.tag_set().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(pairs, [("k1", "v1"), ("k2", "v 2")]);
    c.put_object_tagging()
        .bucket("bkt")
        .key("t")
        .tagging(
            Tagging::builder()
                .tag_set(Tag::builder().key("x").value("y").build().unwrap())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let tags = c.get_object_tagging().bucket("bkt").key("t").send().await.unwrap();
    assert_eq!(tags.tag_set().len(), 1);
    c.delete_object_tagging().bucket("bkt").key("t").send().await.unwrap();
    assert!(
        c.get_object_tagging()
            .bucket("bkt")
            .key("t")
            .send()
            .await
            .unwrap()
            .tag_set()
            .is_empty()
    );
    let e = c
        .get_object_tagging()
        .bucket("bkt")
        .key("none")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchKey");
}

#[tokio::test]
async fn streaming_body_from_sdk_bytestream() {
    let (_s, c) = setup().await;
    let data = pattern(3 * 1024 * 1024 + 17, 9);
    let tmp = crate::common::temp_dir();
    let path = tmp.path().join("f.bin");
    std::fs::write(&path, &data).unwrap();
    c.put_object()
        .bucket("bkt")
        .key("file")
        .body(ByteStream::from_path(&path).await.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(&c, "file").await, data);
}
