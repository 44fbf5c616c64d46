use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};

use crate::common::{Server, code, sdk_client, status};

#[tokio::test]
async fn bucket_lifecycle() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("alpha").send().await.unwrap();
    c.create_bucket()
        .bucket("beta")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let names: Vec<String> = c
        .list_buckets()
        .send()
        .await
        .unwrap()
        .buckets()
        .iter()
        .map(|b| b.name().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);

    // us-east-1 answers an empty LocationConstraint element, as S3 does.
    let loc = c.get_bucket_location().bucket("alpha").send().await.unwrap();
    assert_eq!(loc.location_constraint().map_or("", |c| c.as_str()), "");
    let loc = c.get_bucket_location().bucket("beta").send().await.unwrap();
    assert_eq!(loc.location_constraint(), Some(&BucketLocationConstraint::EuWest1));

    let head = c.head_bucket().bucket("beta").send().await.unwrap();
    assert_eq!(head.bucket_region(), Some("eu-west-1"));

    let e = c.create_bucket().bucket("alpha").send().await.unwrap_err();
    assert_eq!(code(&e), "BucketAlreadyOwnedByYou");
    assert_eq!(status(&e), 409);

    c.put_object()
        .bucket("alpha")
        .key("k")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let e = c.delete_bucket().bucket("alpha").send().await.unwrap_err();
    assert_eq!(code(&e), "BucketNotEmpty");
    assert_eq!(status(&e), 409);

    c.delete_object().bucket("alpha").key("k").send().await.unwrap();
    c.delete_bucket().bucket("alpha").send().await.unwrap();
    let e = c.head_bucket().bucket("alpha").send().await.unwrap_err();
    assert_eq!(status(&e), 404);
    let e = c.delete_bucket().bucket("alpha").send().await.unwrap_err();
    assert_eq!(code(&e), "NoSuchBucket");
}

#[tokio::test]
async fn invalid_bucket_names_are_refused() {
    let s = Server::start();
    let http = reqwest::Client::new();
    for name in [
        "ab",
        "UPPER",
        "has_underscore",
        "-leading",
        "trailing-",
        "a..b",
        "192.168.1.1",
    ] {
        let r = http.put(format!("{}/{name}", s.endpoint)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 400, "{name}");
        let body = r.text().await.unwrap();
        assert!(body.contains("<Code>InvalidBucketName</Code>"), "{name}: {body}");
    }
    let c = s.client();
    assert!(c.list_buckets().send().await.unwrap().buckets().is_empty());
}

#[tokio::test]
async fn location_constraint_us_east_1_is_invalid() {
    let s = Server::start();
    let c = s.client();
    let e = c
        .create_bucket()
        .bucket("gamma")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from("us-east-1"))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "InvalidLocationConstraint");
}

#[tokio::test]
async fn bucket_tagging_cors_and_notifications() {
    use aws_sdk_s3::types::{
        CorsConfiguration, CorsRule, Event, NotificationConfiguration, QueueConfiguration, Tag, Tagging,
    };
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("conf").send().await.unwrap();

    let e = c.get_bucket_tagging().bucket("conf").send().await.unwrap_err();
    assert_eq!(code(&e), "NoSuchTagSet");
    c.put_bucket_tagging()
        .bucket("conf")
        .tagging(
            Tagging::builder()
                .tag_set(Tag::builder().key("team").value("data").build().unwrap())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let t = c.get_bucket_tagging().bucket("conf").send().await.unwrap();
    assert_eq!(t.tag_set()[0].key(), "team");
    assert_eq!(t.tag_set()[0].value(), "data");
    c.delete_bucket_tagging().bucket("conf").send().await.unwrap();
    assert_eq!(
        code(&c.get_bucket_tagging().bucket("conf").send().await.unwrap_err()),
        "NoSuchTagSet"
    );

    let e = c.get_bucket_cors().bucket("conf").send().await.unwrap_err();
    assert_eq!(code(&e), "NoSuchCORSConfiguration");
    c.put_bucket_cors()
        .bucket("conf")
        .cors_configuration(
            CorsConfiguration::builder()
                .cors_rules(
                    CorsRule::builder()
                        .allowed_methods("GET")
                        .allowed_methods("PUT")
                        .allowed_origins("https://example.com")
                        .max_age_seconds(600)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let cors = c.get_bucket_cors().bucket("conf").send().await.unwrap();
    let rule = &cors.cors_rules()[0];
    assert_eq!(rule.allowed_methods(), ["GET", "PUT"]);
    assert_eq!(rule.allowed_origins(), ["https://example.com"]);
    assert_eq!(rule.max_age_seconds(), Some(600));

    let n = c
        .get_bucket_notification_configuration()
        .bucket("conf")
        .send()
        .await
        .unwrap();
    assert!(n.queue_configurations().is_empty());
    // A configuration must name a queue that exists.
    let sqs = sdk_client!(aws_sdk_sqs, s);
    sqs.create_queue().queue_name("events").send().await.unwrap();
    c.put_bucket_notification_configuration()
        .bucket("conf")
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(
                    QueueConfiguration::builder()
                        .id("q1")
                        .queue_arn("arn:aws:sqs:us-east-1:000000000000:events")
                        .events(Event::S3ObjectCreated)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let n = c
        .get_bucket_notification_configuration()
        .bucket("conf")
        .send()
        .await
        .unwrap();
    let q = &n.queue_configurations()[0];
    assert_eq!(q.id(), Some("q1"));
    assert_eq!(q.queue_arn(), "arn:aws:sqs:us-east-1:000000000000:events");
    assert_eq!(q.events(), [Event::S3ObjectCreated]);
}

#[tokio::test]
async fn cors_preflight_and_response_headers() {
    use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("web").send().await.unwrap();
    c.put_object()
        .bucket("web")
        .key("page.html")
        .body(b"<p>hi</p>".to_vec().into())
        .send()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let preflight = |origin: &'static str, method: &'static str, headers: Option<&'static str>| {
        let mut r = http
            .request(reqwest::Method::OPTIONS, format!("{}/web/page.html", s.endpoint))
            .header("origin", origin)
            .header("access-control-request-method", method);
        if let Some(h) = headers {
            r = r.header("access-control-request-headers", h);
        }
        r.send()
    };
    // No configuration yet: forbidden, as S3 answers.
    let r = preflight("https://app.example.com", "GET", None).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("CORS is not enabled for this bucket"));

    c.put_bucket_cors()
        .bucket("web")
        .cors_configuration(
            CorsConfiguration::builder()
                .cors_rules(
                    CorsRule::builder()
                        .allowed_origins("https://*.example.com")
                        .allowed_methods("GET")
                        .allowed_methods("PUT")
                        .allowed_headers("content-type")
                        .allowed_headers("x-amz-*")
                        .expose_headers("ETag")
                        .max_age_seconds(300)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let r = preflight("https://app.example.com", "PUT", Some("Content-Type, X-Amz-Date"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "https://app.example.com");
    assert_eq!(h["access-control-allow-methods"], "GET, PUT");
    assert_eq!(h["access-control-allow-headers"], "content-type, x-amz-date");
    assert_eq!(h["access-control-expose-headers"], "ETag");
    assert_eq!(h["access-control-max-age"], "300");
    assert_eq!(h["access-control-allow-credentials"], "true");

    let r = preflight("https://evil.test", "GET", None).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = preflight("https://app.example.com", "DELETE", None).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = preflight("https://app.example.com", "GET", Some("x-custom"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = http
        .request(reqwest::Method::OPTIONS, format!("{}/web/page.html", s.endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    // An actual request from an allowed origin carries the headers; others do not.
    let r = http
        .get(format!("{}/web/page.html", s.endpoint))
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "https://app.example.com");
    let r = http
        .get(format!("{}/web/page.html", s.endpoint))
        .header("origin", "https://evil.test")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
}
