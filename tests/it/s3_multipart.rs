use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};

use crate::common::{Server, body, code, md5_hex, pattern};

const MIB: usize = 1024 * 1024;

fn part(n: i32, etag: &str) -> CompletedPart {
    CompletedPart::builder().part_number(n).e_tag(etag).build()
}

#[tokio::test]
async fn upload_complete_and_read_parts() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let up = c
        .create_multipart_upload()
        .bucket("mpu")
        .key("big")
        .content_type("video/mp4")
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let chunks = [pattern(5 * MIB, 1), pattern(5 * MIB, 2), pattern(123, 3)];
    let mut etags = Vec::new();
    for (i, ch) in chunks.iter().enumerate() {
        let out = c
            .upload_part()
            .bucket("mpu")
            .key("big")
            .upload_id(id)
            .part_number(i as i32 + 1)
            .body(ch.clone().into())
            .send()
            .await
            .unwrap();
        assert_eq!(out.e_tag(), Some(format!("\"{}\"", md5_hex(ch)).as_str()));
        etags.push(out.e_tag().unwrap().to_owned());
    }
    let parts = c
        .list_parts()
        .bucket("mpu")
        .key("big")
        .upload_id(id)
        .send()
        .await
        .unwrap();
    let sizes: Vec<i64> = parts.parts().iter().map(|p| p.size().unwrap()).collect();
    assert_eq!(sizes, [5 * MIB as i64, 5 * MIB as i64, 123]);
    let uploads = c.list_multipart_uploads().bucket("mpu").send().await.unwrap();
    assert_eq!(uploads.uploads()[0].upload_id(), Some(id));

    let done = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("big")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(part(1, &etags[0]))
                .parts(part(2, &etags[1]))
                .parts(part(3, &etags[2]))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut concat = Vec::new();
    for e in &etags {
        concat.extend(hex::decode(e.trim_matches('"')).unwrap());
    }
    let want = format!("\"{}-3\"", md5_hex(&concat));
    assert_eq!(done.e_tag(), Some(want.as_str()));

    let got = c.get_object().bucket("mpu").key("big").send().await.unwrap();
    assert_eq!(got.content_type(), Some("video/mp4"));
    assert_eq!(got.e_tag(), Some(want.as_str()));
    assert_eq!(got.content_length(), Some(10 * MIB as i64 + 123));
    let all = body(got).await;
    assert_eq!(&all[..5 * MIB], &chunks[0][..]);
    assert_eq!(&all[10 * MIB..], &chunks[2][..]);

    // Without a named algorithm S3 keeps a full-object CRC64NVME, combined from the parts.
    let head = c
        .head_object()
        .bucket("mpu")
        .key("big")
        .checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    let crc = crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Nvme, &all);
    assert_eq!(
        head.checksum_crc64_nvme(),
        Some(base64_encode(&crc.to_be_bytes()).as_str())
    );
    assert_eq!(head.checksum_type(), Some(&aws_sdk_s3::types::ChecksumType::FullObject));

    let p2 = c
        .get_object()
        .bucket("mpu")
        .key("big")
        .part_number(2)
        .send()
        .await
        .unwrap();
    assert_eq!(p2.parts_count(), Some(3));
    assert_eq!(
        p2.content_range(),
        Some(format!("bytes {}-{}/{}", 5 * MIB, 10 * MIB - 1, 10 * MIB + 123).as_str())
    );
    assert_eq!(body(p2).await, chunks[1]);
    let e = c
        .get_object()
        .bucket("mpu")
        .key("big")
        .part_number(4)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidPartNumber");

    // A cross-part range read.
    let r = c
        .get_object()
        .bucket("mpu")
        .key("big")
        .range(format!("bytes={}-{}", 5 * MIB - 2, 5 * MIB + 1))
        .send()
        .await
        .unwrap();
    assert_eq!(body(r).await, [&chunks[0][5 * MIB - 2..], &chunks[1][..2]].concat());

    let uploads = c.list_multipart_uploads().bucket("mpu").send().await.unwrap();
    assert!(uploads.uploads().is_empty());
}

#[tokio::test]
async fn complete_rules() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let id = c
        .create_multipart_upload()
        .bucket("mpu")
        .key("k")
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_owned();
    let small = c
        .upload_part()
        .bucket("mpu")
        .key("k")
        .upload_id(&id)
        .part_number(1)
        .body(b"small".to_vec().into())
        .send()
        .await
        .unwrap();
    let second = c
        .upload_part()
        .bucket("mpu")
        .key("k")
        .upload_id(&id)
        .part_number(2)
        .body(b"tail".to_vec().into())
        .send()
        .await
        .unwrap();
    let e1 = small.e_tag().unwrap();
    let e2 = second.e_tag().unwrap();
    let complete = |parts: Vec<CompletedPart>| {
        c.complete_multipart_upload()
            .bucket("mpu")
            .key("k")
            .upload_id(&id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .send()
    };
    assert_eq!(
        code(&complete(vec![part(2, e2), part(1, e1)]).await.unwrap_err()),
        "InvalidPartOrder"
    );
    assert_eq!(
        code(&complete(vec![part(1, "\"0000\"")]).await.unwrap_err()),
        "InvalidPart"
    );
    assert_eq!(
        code(&complete(vec![part(1, e1), part(3, e2)]).await.unwrap_err()),
        "InvalidPart"
    );
    assert_eq!(
        code(&complete(vec![part(1, e1), part(2, e2)]).await.unwrap_err()),
        "EntityTooSmall"
    );
    // A single small part is fine: only non-last parts have a floor.
    complete(vec![part(1, e1)]).await.unwrap();
    assert_eq!(
        body(c.get_object().bucket("mpu").key("k").send().await.unwrap()).await,
        b"small"
    );
    let e = c
        .abort_multipart_upload()
        .bucket("mpu")
        .key("k")
        .upload_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
}

#[tokio::test]
async fn abort_and_upload_part_copy() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let src = pattern(6 * MIB, 5);
    c.put_object()
        .bucket("mpu")
        .key("src")
        .body(src.clone().into())
        .send()
        .await
        .unwrap();

    let id = c
        .create_multipart_upload()
        .bucket("mpu")
        .key("gone")
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_owned();
    c.upload_part()
        .bucket("mpu")
        .key("gone")
        .upload_id(&id)
        .part_number(1)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    c.abort_multipart_upload()
        .bucket("mpu")
        .key("gone")
        .upload_id(&id)
        .send()
        .await
        .unwrap();
    let e = c
        .list_parts()
        .bucket("mpu")
        .key("gone")
        .upload_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");

    let id = c
        .create_multipart_upload()
        .bucket("mpu")
        .key("copy")
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_owned();
    let p1 = c
        .upload_part_copy()
        .bucket("mpu")
        .key("copy")
        .upload_id(&id)
        .part_number(1)
        .copy_source("mpu/src")
        .copy_source_range(format!("bytes=0-{}", 5 * MIB - 1))
        .send()
        .await
        .unwrap();
    let p2 = c
        .upload_part_copy()
        .bucket("mpu")
        .key("copy")
        .upload_id(&id)
        .part_number(2)
        .copy_source("mpu/src")
        .copy_source_range(format!("bytes={}-{}", 5 * MIB, 6 * MIB - 1))
        .send()
        .await
        .unwrap();
    let e = c
        .upload_part_copy()
        .bucket("mpu")
        .key("copy")
        .upload_id(&id)
        .part_number(3)
        .copy_source("mpu/src")
        .copy_source_range(format!("bytes=0-{}", 7 * MIB))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidRange");
    c.complete_multipart_upload()
        .bucket("mpu")
        .key("copy")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(part(1, p1.copy_part_result().unwrap().e_tag().unwrap()))
                .parts(part(2, p2.copy_part_result().unwrap().e_tag().unwrap()))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        body(c.get_object().bucket("mpu").key("copy").send().await.unwrap()).await,
        src
    );
}

#[tokio::test]
async fn composite_checksums() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let up = c
        .create_multipart_upload()
        .bucket("mpu")
        .key("ck")
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let a = pattern(5 * MIB, 1);
    let b = b"end".to_vec();
    let pa = c
        .upload_part()
        .bucket("mpu")
        .key("ck")
        .upload_id(id)
        .part_number(1)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .body(a.clone().into())
        .send()
        .await
        .unwrap();
    let pb = c
        .upload_part()
        .bucket("mpu")
        .key("ck")
        .upload_id(id)
        .part_number(2)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .body(b.clone().into())
        .send()
        .await
        .unwrap();
    let done = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("ck")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(pa.e_tag().unwrap())
                        .checksum_sha256(pa.checksum_sha256().unwrap())
                        .build(),
                )
                .parts(
                    CompletedPart::builder()
                        .part_number(2)
                        .e_tag(pb.e_tag().unwrap())
                        .checksum_sha256(pb.checksum_sha256().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    use sha2::Digest;
    let da = sha2::Sha256::digest(&a);
    let db = sha2::Sha256::digest(&b);
    let mut both = da.to_vec();
    both.extend_from_slice(&db);
    let composite = format!("{}-2", base64_encode(&sha2::Sha256::digest(&both)));
    assert_eq!(done.checksum_sha256(), Some(composite.as_str()));
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test]
async fn list_multipart_uploads_pages() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let mut ids = Vec::new();
    for key in ["a/1", "a/2", "b", "b", "b", "c/1"] {
        let id = c
            .create_multipart_upload()
            .bucket("mpu")
            .key(key)
            .send()
            .await
            .unwrap()
            .upload_id()
            .unwrap()
            .to_owned();
        ids.push((key.to_owned(), id));
    }
    // One at a time: every upload once, keys in order, uploads of a key by initiation.
    let mut seen = Vec::new();
    let (mut km, mut um) = (None, None);
    loop {
        let out = c
            .list_multipart_uploads()
            .bucket("mpu")
            .max_uploads(1)
            .set_key_marker(km.clone())
            .set_upload_id_marker(um.clone())
            .send()
            .await
            .unwrap();
        seen.extend(
            out.uploads()
                .iter()
                .map(|u| (u.key().unwrap().to_owned(), u.upload_id().unwrap().to_owned())),
        );
        if out.is_truncated() != Some(true) {
            break;
        }
        km = out.next_key_marker().map(str::to_owned);
        um = out.next_upload_id_marker().map(str::to_owned);
    }
    assert_eq!(seen, ids);

    // With a delimiter: prefixes once each, across pages.
    let mut entries = Vec::new();
    let (mut km, mut um) = (None, None);
    loop {
        let out = c
            .list_multipart_uploads()
            .bucket("mpu")
            .delimiter("/")
            .max_uploads(1)
            .set_key_marker(km.clone())
            .set_upload_id_marker(um.clone())
            .send()
            .await
            .unwrap();
        entries.extend(out.common_prefixes().iter().map(|p| p.prefix().unwrap().to_owned()));
        entries.extend(out.uploads().iter().map(|u| u.key().unwrap().to_owned()));
        if out.is_truncated() != Some(true) {
            break;
        }
        km = out.next_key_marker().map(str::to_owned);
        um = out.next_upload_id_marker().map(str::to_owned);
    }
    assert_eq!(entries, ["a/", "b", "b", "b", "c/"]);
}
