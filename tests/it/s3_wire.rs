//! Request framings the SDKs use that are easiest to pin down byte for byte:
//! aws-chunked bodies with trailers, signed chunk framing, Expect: 100-continue.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{Server, body, xml_code};

async fn setup() -> (Server, aws_sdk_s3::Client) {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("wire").send().await.unwrap();
    (s, c)
}

fn chunked_put(
    s: &Server,
    key: &str,
    sha: &'static str,
    body: &str,
    trailer: Option<&'static str>,
) -> reqwest::RequestBuilder {
    let mut r = reqwest::Client::new()
        .put(format!("{}/wire/{key}", s.endpoint))
        .header("x-amz-content-sha256", sha)
        .header("content-encoding", "aws-chunked")
        .header("x-amz-decoded-content-length", "11")
        .body(body.to_owned());
    if let Some(t) = trailer {
        r = r.header("x-amz-trailer", t);
    }
    r
}

#[tokio::test]
async fn unsigned_payload_trailer_checksum() {
    let (s, c) = setup().await;
    let r = chunked_put(
        &s,
        "t1",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
        Some("x-amz-checksum-crc32"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["x-amz-checksum-crc32"], "DUoRhQ==");
    let got = c
        .get_object()
        .bucket("wire")
        .key("t1")
        .checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(got.checksum_crc32(), Some("DUoRhQ=="));
    // aws-chunked is framing, not the object's encoding.
    assert_eq!(got.content_encoding(), None);
    assert_eq!(body(got).await, b"hello world");

    let r = chunked_put(
        &s,
        "t2",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n",
        Some("x-amz-checksum-crc32"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("<Code>BadDigest</Code>"));
    let e = c.head_object().bucket("wire").key("t2").send().await.unwrap_err();
    assert_eq!(crate::common::status(&e), 404);
}

#[tokio::test]
async fn signed_chunk_framing_in_permissive_mode() {
    let (s, c) = setup().await;
    let sig = "0".repeat(64);
    let framed = format!("b;chunk-signature={sig}\r\nhello world\r\n0;chunk-signature={sig}\r\n\r\n");
    let r = chunked_put(&s, "signed", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", &framed, None)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        body(c.get_object().bucket("wire").key("signed").send().await.unwrap()).await,
        b"hello world"
    );

    // A body shorter than x-amz-decoded-content-length is incomplete and leaves nothing.
    let r = chunked_put(
        &s,
        "short",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "5\r\nhello\r\n0\r\n\r\n",
        None,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let e = c.head_object().bucket("wire").key("short").send().await.unwrap_err();
    assert_eq!(crate::common::status(&e), 404);
}

#[tokio::test]
async fn expect_100_continue() {
    let (s, c) = setup().await;
    let mut sock = tokio::net::TcpStream::connect(("127.0.0.1", s.port)).await.unwrap();
    let head = format!(
        "PUT /wire/expect HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
        s.port
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 1024];
    let n = sock.read(&mut buf).await.unwrap();
    let interim = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(interim.starts_with("HTTP/1.1 100 Continue"), "{interim}");
    sock.write_all(b"later").await.unwrap();
    let mut resp = String::new();
    while !resp.contains("\r\n\r\n") {
        let n = sock.read(&mut buf).await.unwrap();
        assert!(n > 0);
        resp.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert_eq!(
        body(c.get_object().bucket("wire").key("expect").send().await.unwrap()).await,
        b"later"
    );
}

/// botocore misreads the connection after an empty-bodied `Expect: 100-continue`
/// request answered without a 100, so lakestack closes that connection.
#[tokio::test]
async fn empty_body_with_expect_closes_the_connection() {
    let (s, c) = setup().await;
    let mut sock = tokio::net::TcpStream::connect(("127.0.0.1", s.port)).await.unwrap();
    let head = format!(
        "PUT /wire/empty HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nExpect: 100-continue\r\n\r\n",
        s.port
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let mut resp = Vec::new();
    sock.read_to_end(&mut resp).await.unwrap();
    let text = String::from_utf8_lossy(&resp).to_ascii_lowercase();
    assert!(text.starts_with("http/1.1 200"), "{text}");
    assert!(text.contains("connection: close"), "{text}");
    let got = c.head_object().bucket("wire").key("empty").send().await.unwrap();
    assert_eq!(got.content_length(), Some(0));
}

/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` under strict auth: every chunk carries a
/// signature chained from the request's; a wrong one is refused.
#[tokio::test]
async fn strict_auth_verifies_chunk_signatures() {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    use std::time::SystemTime;

    let s = Server::start_with(&["--ephemeral", "--auth", "strict", "--keys", "AKIDLAKE:s3cr3t"]);
    let c = crate::common::client_with(&s.endpoint, "AKIDLAKE", "s3cr3t", true);
    c.create_bucket().bucket("chunks").send().await.unwrap();

    let identity = aws_credential_types::Credentials::new("AKIDLAKE", "s3cr3t", None, None, "test").into();
    let now = SystemTime::now();
    let make_params = || {
        v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("s3")
            .time(now)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
    };
    let params = make_params();
    let put = |key: &str, tamper: bool| {
        let url = format!("{}/chunks/{key}", s.endpoint);
        let host = format!("127.0.0.1:{}", s.port);
        let data = bytes::Bytes::from_static(b"hello world");
        let sig = "0".repeat(64);
        let encoded_len = format!("b;chunk-signature={sig}\r\nhello world\r\n0;chunk-signature={sig}\r\n\r\n")
            .len()
            .to_string();
        let headers = [
            ("host", host.as_str()),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "11"),
            ("content-length", encoded_len.as_str()),
        ];
        let signable = SignableRequest::new(
            "PUT",
            url.as_str(),
            headers.iter().copied(),
            SignableBody::Precomputed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD".into()),
        )
        .unwrap();
        let (instructions, seed) = sign(signable, &make_params().into()).unwrap().into_parts();
        let first = v4::sign_chunk(&data, &seed, &params).unwrap().signature().to_owned();
        let last = v4::sign_chunk(&bytes::Bytes::new(), &first, &params)
            .unwrap()
            .signature()
            .to_owned();
        let first = if tamper {
            format!("{}{}", if first.starts_with('0') { "1" } else { "0" }, &first[1..])
        } else {
            first
        };
        let body = format!("b;chunk-signature={first}\r\nhello world\r\n0;chunk-signature={last}\r\n\r\n");
        let mut req = reqwest::Client::new().put(&url);
        for (k, v) in headers.iter().filter(|(k, _)| *k != "host") {
            req = req.header(*k, *v);
        }
        for (k, v) in instructions.headers() {
            req = req.header(k, v);
        }
        req.body(body).send()
    };
    let r = put("good", false).await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        body(c.get_object().bucket("chunks").key("good").send().await.unwrap()).await,
        b"hello world"
    );

    let r = put("bad", true).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("<Code>SignatureDoesNotMatch</Code>"));
    let e = c.head_object().bucket("chunks").key("bad").send().await.unwrap_err();
    assert_eq!(crate::common::status(&e), 404);
}

/// Sends `head` and `body` on a fresh connection without finishing the body the
/// head may declare, and reads one response: its status line and body text. A
/// server that waits for the rest of the body fails the test at the timeout.
async fn answer_before_the_body(port: u16, head: &str, body: &[u8]) -> (u16, String) {
    let mut sock = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    sock.write_all(head.as_bytes()).await.unwrap();
    sock.write_all(body).await.unwrap();
    let read = async {
        let mut resp = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = sock.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            resp.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&resp);
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().to_owned())
                    })
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if resp.len() >= end + 4 + len {
                    break;
                }
            }
        }
        resp
    };
    let resp = tokio::time::timeout(std::time::Duration::from_secs(30), read)
        .await
        .expect("the server answered without waiting for the declared body");
    let text = String::from_utf8_lossy(&resp).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A PUT or UploadPart declaring more than 5 GiB is refused from its headers.
#[tokio::test]
async fn puts_over_five_gib_are_entity_too_large() {
    let (s, c) = setup().await;
    let over = (5u64 << 30) + 1;
    let head = format!(
        "PUT /wire/huge HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {over}\r\n\r\n",
        s.port
    );
    let (status, body) = answer_before_the_body(s.port, &head, b"just a little").await;
    assert_eq!((status, xml_code(&body)), (400, "EntityTooLarge"), "{body}");
    assert!(
        body.contains("<Message>Your proposed upload exceeds the maximum allowed size</Message>"),
        "{body}"
    );

    // aws-chunked: the decoded length is the object's.
    let head = format!(
        "PUT /wire/huge HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 100\r\nContent-Encoding: aws-chunked\r\n\
         x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nx-amz-decoded-content-length: {over}\r\n\r\n",
        s.port
    );
    let (status, body) = answer_before_the_body(s.port, &head, b"10\r\n").await;
    assert_eq!((status, xml_code(&body)), (400, "EntityTooLarge"), "{body}");

    let up = c
        .create_multipart_upload()
        .bucket("wire")
        .key("huge")
        .send()
        .await
        .unwrap();
    let head = format!(
        "PUT /wire/huge?partNumber=1&uploadId={} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {over}\r\n\r\n",
        up.upload_id().unwrap(),
        s.port
    );
    let (status, body) = answer_before_the_body(s.port, &head, b"part").await;
    assert_eq!((status, xml_code(&body)), (400, "EntityTooLarge"), "{body}");

    // Exactly 5 GiB is within the limit: the server waits for that body.
    let e = c.head_object().bucket("wire").key("huge").send().await.unwrap_err();
    assert_eq!(crate::common::status(&e), 404);
}

/// 40,000 trailers once overflowed a header map, panicking the connection.
#[tokio::test]
async fn too_many_trailers_are_malformed() {
    let (s, c) = setup().await;
    let mut body = "b\r\nhello world\r\n0\r\n".to_owned();
    for i in 0..40_000 {
        body.push_str(&format!("x-t{i}:v\r\n"));
    }
    body.push_str("\r\n");
    let r = chunked_put(&s, "trailers", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", &body, None)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let text = r.text().await.unwrap();
    assert_eq!(xml_code(&text), "MalformedTrailerError", "{text}");
    assert!(
        text.contains(
            "<Message>The request contained trailing data that was not well-formed or did not conform to our published schema.</Message>"
        ),
        "{text}"
    );
    let e = c.head_object().bucket("wire").key("trailers").send().await.unwrap_err();
    assert_eq!(crate::common::status(&e), 404);
}

fn form(fields: &[(&str, &str)], boundary: &str) -> String {
    let mut out = String::new();
    for (k, v) in fields {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    out.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    ));
    out
}

/// Under strict auth an unsigned browser POST is refused from its fields,
/// before its (here 256 MiB) file is read.
#[tokio::test]
async fn strict_auth_refuses_unsigned_posts_before_the_file() {
    let s = Server::start_with(&["--ephemeral", "--auth", "strict", "--keys", "AKIDLAKE:s3cr3t"]);
    let c = crate::common::client_with(&s.endpoint, "AKIDLAKE", "s3cr3t", true);
    c.create_bucket().bucket("posts").send().await.unwrap();
    let fields = form(&[("key", "anon.bin")], "XB");
    let declared = fields.len() + (256 << 20) + "\r\n--XB--\r\n".len();
    let head = format!(
        "POST /posts HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: multipart/form-data; boundary=XB\r\nContent-Length: {declared}\r\n\r\n",
        s.port
    );
    let mut body = fields.into_bytes();
    body.extend_from_slice(&[b'x'; 1024]);
    let (status, text) = answer_before_the_body(s.port, &head, &body).await;
    assert_eq!((status, xml_code(&text)), (403, "AccessDenied"), "{text}");
    let e = c
        .head_object()
        .bucket("posts")
        .key("anon.bin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(crate::common::status(&e), 404);
}

/// s3s holds a POST's file in memory, so files are capped at 64 MiB.
#[tokio::test]
async fn browser_post_files_over_the_cap_are_entity_too_large() {
    let (s, c) = setup().await;
    let cap = 64usize << 20;
    for (size, want) in [(cap + 1, 400u16), (1024, 204)] {
        let mut body = form(&[("key", "posted.bin")], "XB").into_bytes();
        body.extend(std::iter::repeat_n(b'y', size));
        body.extend_from_slice(b"\r\n--XB--\r\n");
        let r = reqwest::Client::new()
            .post(format!("{}/wire", s.endpoint))
            .header("content-type", "multipart/form-data; boundary=XB")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), want, "{size}");
        let text = r.text().await.unwrap();
        if want == 400 {
            assert_eq!(xml_code(&text), "EntityTooLarge", "{text}");
            let e = c
                .head_object()
                .bucket("wire")
                .key("posted.bin")
                .send()
                .await
                .unwrap_err();
            assert_eq!(crate::common::status(&e), 404);
        }
    }
    let got = c.head_object().bucket("wire").key("posted.bin").send().await.unwrap();
    assert_eq!(got.content_length(), Some(1024));
}
