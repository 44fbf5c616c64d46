use crate::common::{Server, code, status, xml_code};

#[tokio::test]
async fn error_bodies_carry_request_ids() {
    let s = Server::start();
    let r = reqwest::get(format!("{}/missing-bucket/key", s.endpoint))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let rid = r
        .headers()
        .get("x-amz-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(r.headers().get("x-amz-id-2").is_some());
    let body = r.text().await.unwrap();
    assert_eq!(xml_code(&body), "NoSuchBucket");
    assert!(body.contains("<Resource>/missing-bucket/key</Resource>"), "{body}");
    assert!(body.contains(&format!("<RequestId>{rid}</RequestId>")), "{body}");
}

#[tokio::test]
async fn missing_keys_and_uploads() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("err").send().await.unwrap();
    let e = c.get_object().bucket("err").key("nope").send().await.unwrap_err();
    assert_eq!((code(&e).as_str(), status(&e)), ("NoSuchKey", 404));
    let e = c.head_object().bucket("err").key("nope").send().await.unwrap_err();
    assert_eq!(status(&e), 404);
    let e = c
        .list_parts()
        .bucket("err")
        .key("k")
        .upload_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchUpload");
    let e = c.list_objects_v2().bucket("nob").send().await.unwrap_err();
    assert_eq!(code(&e), "NoSuchBucket");
    let e = c
        .put_object()
        .bucket("nob")
        .key("k")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "NoSuchBucket");
}

#[tokio::test]
async fn malformed_authorization_is_refused_even_when_permissive() {
    let s = Server::start();
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/", s.endpoint))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=broken, SignedHeaders=host, Signature=abc",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(xml_code(&r.text().await.unwrap()), "AuthorizationHeaderMalformed");
    let r = http
        .get(format!("{}/", s.endpoint))
        .header("authorization", "Bearer token")
        .send()
        .await
        .unwrap();
    assert_eq!(xml_code(&r.text().await.unwrap()), "InvalidArgument");
}

#[tokio::test]
async fn delete_objects_needs_an_integrity_header() {
    let s = Server::start();
    s.client().create_bucket().bucket("err").send().await.unwrap();
    let body = "<Delete><Object><Key>a</Key></Object></Delete>";
    let r = reqwest::Client::new()
        .post(format!("{}/err?delete", s.endpoint))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(xml_code(&r.text().await.unwrap()), "InvalidRequest");
    let r = reqwest::Client::new()
        .post(format!("{}/err?delete", s.endpoint))
        .header("x-amz-checksum-crc32", "AAAAAA==")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn presigned_urls() {
    use aws_sdk_s3::presigning::PresigningConfig;
    use std::time::{Duration, SystemTime};
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("pre").send().await.unwrap();
    let put = c
        .put_object()
        .bucket("pre")
        .key("doc.txt")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
        .await
        .unwrap();
    let r = reqwest::Client::new()
        .put(put.uri())
        .body("presigned body")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let get = c
        .get_object()
        .bucket("pre")
        .key("doc.txt")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).unwrap())
        .await
        .unwrap();
    let r = reqwest::get(get.uri()).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), "presigned body");

    let old = PresigningConfig::builder()
        .start_time(SystemTime::now() - Duration::from_secs(3600))
        .expires_in(Duration::from_secs(60))
        .build()
        .unwrap();
    let get = c
        .get_object()
        .bucket("pre")
        .key("doc.txt")
        .presigned(old)
        .await
        .unwrap();
    let r = reqwest::get(get.uri()).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let body = r.text().await.unwrap();
    assert_eq!(xml_code(&body), "AccessDenied");
    assert!(body.contains("Request has expired"), "{body}");
}

#[tokio::test]
async fn strict_auth_verifies_signatures() {
    let s = Server::start_with(&["--ephemeral", "--auth", "strict", "--keys", "AKIDLAKE:s3cr3t"]);
    let good = crate::common::client_with(&s.endpoint, "AKIDLAKE", "s3cr3t", true);
    good.create_bucket().bucket("sec").send().await.unwrap();
    good.put_object()
        .bucket("sec")
        .key("k")
        .body(b"signed chunks".to_vec().into())
        .send()
        .await
        .unwrap();
    let got = good.get_object().bucket("sec").key("k").send().await.unwrap();
    assert_eq!(crate::common::body(got).await, b"signed chunks");

    let wrong_secret = crate::common::client_with(&s.endpoint, "AKIDLAKE", "nope", true);
    let e = wrong_secret.list_buckets().send().await.unwrap_err();
    assert_eq!(code(&e), "SignatureDoesNotMatch");
    let unknown = crate::common::client_with(&s.endpoint, "AKIDOTHER", "s3cr3t", true);
    let e = unknown.list_buckets().send().await.unwrap_err();
    assert_eq!(code(&e), "InvalidAccessKeyId");
    let r = reqwest::get(format!("{}/sec/k", s.endpoint)).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(xml_code(&r.text().await.unwrap()), "AccessDenied");
}

#[tokio::test]
async fn virtual_hosted_style_addressing() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("vhost").send().await.unwrap();
    let http = reqwest::Client::new();
    for host in [
        format!("vhost.localhost:{}", s.port),
        format!("vhost.s3.localhost:{}", s.port),
        format!("vhost.s3.us-east-1.localhost.localstack.cloud:{}", s.port),
    ] {
        let r = http
            .put(format!("{}/obj", s.endpoint))
            .header("host", &host)
            .body("vhost")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{host}");
        let r = http
            .get(format!("{}/obj", s.endpoint))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.text().await.unwrap(), "vhost", "{host}");
    }
    let got = c.get_object().bucket("vhost").key("obj").send().await.unwrap();
    assert_eq!(crate::common::body(got).await, b"vhost");
}

#[tokio::test]
async fn strict_auth_presigned_urls() {
    use aws_sdk_s3::presigning::PresigningConfig;
    use std::time::{Duration, SystemTime};
    let s = Server::start_with(&["--ephemeral", "--auth", "strict", "--keys", "AKIDLAKE:s3cr3t"]);
    let c = crate::common::client_with(&s.endpoint, "AKIDLAKE", "s3cr3t", true);
    c.create_bucket().bucket("psec").send().await.unwrap();
    c.put_object()
        .bucket("psec")
        .key("k")
        .body(b"signed".to_vec().into())
        .send()
        .await
        .unwrap();
    let cfg = || PresigningConfig::expires_in(Duration::from_secs(60)).unwrap();
    let url = c
        .get_object()
        .bucket("psec")
        .key("k")
        .presigned(cfg())
        .await
        .unwrap()
        .uri()
        .to_owned();
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), "signed");

    // A tampered signature, a foreign key, an expired URL.
    let sig_at = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let mut tampered = url.clone();
    let flipped = if &url[sig_at..=sig_at] == "0" { "1" } else { "0" };
    tampered.replace_range(sig_at..=sig_at, flipped);
    let r = reqwest::get(&tampered).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(xml_code(&r.text().await.unwrap()), "SignatureDoesNotMatch");

    let other = crate::common::client_with(&s.endpoint, "AKIDOTHER", "s3cr3t", true);
    let url = other
        .get_object()
        .bucket("psec")
        .key("k")
        .presigned(cfg())
        .await
        .unwrap()
        .uri()
        .to_owned();
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(xml_code(&r.text().await.unwrap()), "InvalidAccessKeyId");

    let old = PresigningConfig::builder()
        .start_time(SystemTime::now() - Duration::from_secs(3600))
        .expires_in(Duration::from_secs(60))
        .build()
        .unwrap();
    let url = c
        .get_object()
        .bucket("psec")
        .key("k")
        .presigned(old)
        .await
        .unwrap()
        .uri()
        .to_owned();
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let body = r.text().await.unwrap();
    assert_eq!(xml_code(&body), "AccessDenied");
    assert!(body.contains("Request has expired"), "{body}");
}

#[tokio::test]
async fn presigned_dates_far_in_the_future_do_not_crash() {
    let s = Server::start();
    s.client().create_bucket().bucket("far").send().await.unwrap();
    let url = format!(
        "{}/far/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=99991231T235959Z&X-Amz-Expires=604800&X-Amz-Signature=00",
        s.endpoint
    );
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(xml_code(&r.text().await.unwrap()), "NoSuchKey");
}
