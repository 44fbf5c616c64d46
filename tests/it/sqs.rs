//! SQS and SNS through aws-sdk-rust (awsJson 1.0 for SQS, awsQuery for
//! SNS), under strict authentication: a queue's messages with attributes and
//! the MD5s the SDK reads, FIFO order, a topic fanning out to a queue in
//! SNS's envelope, and an S3 PUT whose event record reaches the queue.

use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName};

use crate::common::{Server, client_with, sdk_client};

const KEYS: [&str; 5] = ["--ephemeral", "--auth", "strict", "--keys", "AKIDSQS:sqssecret"];

#[tokio::test]
async fn messages_fifo_topics_and_s3_events_through_the_rust_sdk() {
    let s = Server::start_with(&KEYS);
    let sqs = sdk_client!(aws_sdk_sqs, s, "AKIDSQS", "sqssecret");
    let url = sqs
        .create_queue()
        .queue_name("rust")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    assert_eq!(url, format!("http://127.0.0.1:{}/000000000000/rust", s.port));
    let sent = sqs
        .send_message()
        .queue_url(&url)
        .message_body("hello")
        .message_attributes(
            "n",
            MessageAttributeValue::builder()
                .data_type("Number")
                .string_value("7")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(sent.md5_of_message_body(), Some("5d41402abc4b2a76b9719d911017c592"));
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap();
    let m = &got.messages()[0];
    assert_eq!(m.body(), Some("hello"));
    assert_eq!(m.message_id(), sent.message_id());
    assert_eq!(m.md5_of_message_attributes(), sent.md5_of_message_attributes());
    assert_eq!(m.message_attributes().unwrap()["n"].string_value(), Some("7"));
    assert_eq!(
        m.attributes().unwrap()[&MessageSystemAttributeName::ApproximateReceiveCount],
        "1"
    );
    sqs.delete_message()
        .queue_url(&url)
        .receipt_handle(m.receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    let missing = sqs.get_queue_url().queue_name("nope").send().await.unwrap_err();
    assert!(missing.into_service_error().is_queue_does_not_exist());

    // FIFO: one group's messages in order.
    let fifo = sqs
        .create_queue()
        .queue_name("rust.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::ContentBasedDeduplication, "true")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    for i in 0..3 {
        sqs.send_message()
            .queue_url(&fifo)
            .message_body(format!("f{i}"))
            .message_group_id("g")
            .send()
            .await
            .unwrap();
    }
    let got = sqs
        .receive_message()
        .queue_url(&fifo)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let bodies: Vec<_> = got.messages().iter().filter_map(|m| m.body()).collect();
    assert_eq!(bodies, ["f0", "f1", "f2"]);

    // SNS (awsQuery) → SQS, in the envelope.
    let sns = sdk_client!(aws_sdk_sns, s, "AKIDSQS", "sqssecret");
    let topic = sns.create_topic().name("rust").send().await.unwrap().topic_arn.unwrap();
    let arn = "arn:aws:sqs:us-east-1:000000000000:rust";
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(arn)
        .send()
        .await
        .unwrap();
    let published = sns.publish().topic_arn(&topic).message("via sns").send().await.unwrap();
    let m = receive_one(&sqs, &url).await;
    let envelope: serde_json::Value = serde_json::from_str(&m).unwrap();
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["Message"], "via sns");
    assert_eq!(envelope["MessageId"].as_str(), published.message_id());

    // S3 → SQS: the test event, then the PUT's record.
    let s3 = client_with(&s.endpoint, "AKIDSQS", "sqssecret", true);
    s3.create_bucket().bucket("events").send().await.unwrap();
    let config = aws_sdk_s3::types::NotificationConfiguration::builder()
        .queue_configurations(
            aws_sdk_s3::types::QueueConfiguration::builder()
                .queue_arn(arn)
                .events(aws_sdk_s3::types::Event::from("s3:ObjectCreated:*"))
                .build()
                .unwrap(),
        )
        .build();
    s3.put_bucket_notification_configuration()
        .bucket("events")
        .notification_configuration(config)
        .send()
        .await
        .unwrap();
    let test_event: serde_json::Value = serde_json::from_str(&receive_one(&sqs, &url).await).unwrap();
    assert_eq!(test_event["Event"], "s3:TestEvent");
    s3.put_object()
        .bucket("events")
        .key("a.txt")
        .body(b"abc".to_vec().into())
        .send()
        .await
        .unwrap();
    let record: serde_json::Value = serde_json::from_str(&receive_one(&sqs, &url).await).unwrap();
    let r = &record["Records"][0];
    assert_eq!(r["eventName"], "ObjectCreated:Put");
    assert_eq!(r["s3"]["object"]["key"], "a.txt");
    assert_eq!(r["s3"]["object"]["size"], 3);
}

/// The body of the next message, deleted once read.
async fn receive_one(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    let got = sqs
        .receive_message()
        .queue_url(url)
        .wait_time_seconds(10)
        .send()
        .await
        .unwrap();
    let m = got.messages().first().expect("a message within the wait");
    sqs.delete_message()
        .queue_url(url)
        .receipt_handle(m.receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    m.body().unwrap().to_owned()
}
