use crate::common::Server;

async fn seeded(keys: &[&str]) -> (Server, aws_sdk_s3::Client) {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("lst").send().await.unwrap();
    for k in keys {
        c.put_object()
            .bucket("lst")
            .key(*k)
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    (s, c)
}

fn keys(out: &aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output) -> Vec<String> {
    out.contents().iter().map(|o| o.key().unwrap().to_owned()).collect()
}

fn prefixes(out: &aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output) -> Vec<String> {
    out.common_prefixes()
        .iter()
        .map(|p| p.prefix().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn v2_delimiter_prefix_and_byte_order() {
    let (_s, c) = seeded(&["b/2", "a/1", "a/2", "a/sub/3", "c", "Z", "é", "a-"]).await;
    let out = c.list_objects_v2().bucket("lst").send().await.unwrap();
    // UTF-8 byte order: uppercase before lowercase, multibyte last.
    assert_eq!(keys(&out), ["Z", "a-", "a/1", "a/2", "a/sub/3", "b/2", "c", "é"]);
    assert_eq!(out.key_count(), Some(8));

    let out = c.list_objects_v2().bucket("lst").delimiter("/").send().await.unwrap();
    assert_eq!(keys(&out), ["Z", "a-", "c", "é"]);
    assert_eq!(prefixes(&out), ["a/", "b/"]);
    assert_eq!(out.key_count(), Some(6));

    let out = c
        .list_objects_v2()
        .bucket("lst")
        .prefix("a/")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(keys(&out), ["a/1", "a/2"]);
    assert_eq!(prefixes(&out), ["a/sub/"]);

    let out = c
        .list_objects_v2()
        .bucket("lst")
        .start_after("a/2")
        .send()
        .await
        .unwrap();
    assert_eq!(keys(&out), ["a/sub/3", "b/2", "c", "é"]);
}

#[tokio::test]
async fn v2_pagination_with_continuation_tokens() {
    let names: Vec<String> = (0..25).map(|i| format!("p/{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (_s, c) = seeded(&refs).await;
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let out = c
            .list_objects_v2()
            .bucket("lst")
            .max_keys(10)
            .set_continuation_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        seen.extend(keys(&out));
        if out.is_truncated() != Some(true) {
            assert_eq!(out.next_continuation_token(), None);
            break;
        }
        token = out.next_continuation_token().map(str::to_owned);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, names);
}

#[tokio::test]
async fn v2_pagination_over_common_prefixes() {
    let (_s, c) = seeded(&["a/1", "a/2", "b/1", "c/1", "c/2", "d"]).await;
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let out = c
            .list_objects_v2()
            .bucket("lst")
            .delimiter("/")
            .max_keys(2)
            .set_continuation_token(token)
            .send()
            .await
            .unwrap();
        all.extend(prefixes(&out));
        all.extend(keys(&out));
        if out.is_truncated() != Some(true) {
            break;
        }
        token = out.next_continuation_token().map(str::to_owned);
    }
    assert_eq!(all, ["a/", "b/", "c/", "d"]);
}

#[tokio::test]
async fn v1_marker_and_url_encoding() {
    let (s, c) = seeded(&["x/a b", "x/c+d", "y"]).await;
    let out = c.list_objects().bucket("lst").max_keys(1).send().await.unwrap();
    assert_eq!(out.contents()[0].key(), Some("x/a b"));
    assert_eq!(out.is_truncated(), Some(true));
    let out = c.list_objects().bucket("lst").marker("x/a b").send().await.unwrap();
    let ks: Vec<&str> = out.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(ks, ["x/c+d", "y"]);
    assert!(out.contents()[0].owner().is_some());
    let out = c
        .list_objects()
        .bucket("lst")
        .delimiter("/")
        .max_keys(1)
        .send()
        .await
        .unwrap();
    assert_eq!(out.next_marker(), Some("x/"));

    let xml = reqwest::get(format!("{}/lst?list-type=2&encoding-type=url", s.endpoint))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(xml.contains("<Key>x/a+b</Key>"), "{xml}");
    assert!(xml.contains("<Key>x/c%2Bd</Key>"), "{xml}");
    assert!(xml.contains("<EncodingType>url</EncodingType>"), "{xml}");
}

#[tokio::test]
async fn fetch_owner_and_max_keys_zero() {
    let (_s, c) = seeded(&["k"]).await;
    let out = c.list_objects_v2().bucket("lst").send().await.unwrap();
    assert!(out.contents()[0].owner().is_none());
    let out = c
        .list_objects_v2()
        .bucket("lst")
        .fetch_owner(true)
        .send()
        .await
        .unwrap();
    assert!(out.contents()[0].owner().and_then(|o| o.id()).is_some());
    let out = c.list_objects_v2().bucket("lst").max_keys(0).send().await.unwrap();
    assert!(out.contents().is_empty());
}

/// Any Unicode key is accepted, NUL and CR included. A listing carries it
/// percent-encoded when asked (`encoding-type=url`), and when not asked a page
/// holding a key XML 1.0 cannot carry is url-encoded anyway, saying so in
/// `EncodingType`: the document stays well-formed.
#[tokio::test]
async fn keys_xml_cannot_carry_keep_listings_well_formed() {
    let (s, c) = seeded(&["a\u{0}b", "c\rd", "plain & <ok>"]).await;
    let got = c.get_object().bucket("lst").key("a\u{0}b").send().await.unwrap();
    assert_eq!(crate::common::body(got).await, b"x");

    let out = c
        .list_objects_v2()
        .bucket("lst")
        .encoding_type(aws_sdk_s3::types::EncodingType::Url)
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = out.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["a%00b", "c%0Dd", "plain+%26+%3Cok%3E"]);

    for query in ["list-type=2", "list-type=2&encoding-type=url", "", "versions"] {
        let r = reqwest::get(format!("{}/lst?{query}", s.endpoint)).await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{query}");
        let xml = r.text().await.unwrap();
        assert!(
            !xml.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n')),
            "{query}: {xml:?}"
        );
        assert!(xml.contains("<Key>a%00b</Key>"), "{query}: {xml}");
        assert!(xml.contains("<Key>c%0Dd</Key>"), "{query}: {xml}");
        assert!(xml.contains("<Key>plain+%26+%3Cok%3E</Key>"), "{query}: {xml}");
        assert!(xml.contains("<EncodingType>url</EncodingType>"), "{query}: {xml}");
    }

    // A page without such keys is plain text, as S3 sends it.
    let r = reqwest::get(format!("{}/lst?list-type=2&prefix=plain", s.endpoint))
        .await
        .unwrap();
    let xml = r.text().await.unwrap();
    assert!(xml.contains("<Key>plain &amp; &lt;ok&gt;</Key>"), "{xml}");
    assert!(!xml.contains("EncodingType"), "{xml}");
}
