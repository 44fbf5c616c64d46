//! Kinesis through aws-sdk-rust: a stream created and listed, records put
//! in a batch and read back in order with their sequence numbers, a split
//! shard's children listed with their parent.

use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::{PutRecordsRequestEntry, ShardFilter, ShardFilterType, ShardIteratorType};

use crate::common::{Server, sdk_client};

#[tokio::test]
async fn streams_through_the_rust_sdk() {
    let s = Server::start_with(&["--ephemeral"]);
    let kin = sdk_client!(aws_sdk_kinesis, s);
    kin.create_stream()
        .stream_name("rust")
        .shard_count(1)
        .send()
        .await
        .unwrap();
    let names = kin.list_streams().send().await.unwrap().stream_names;
    assert_eq!(names, ["rust"]);
    let entries: Vec<PutRecordsRequestEntry> = (0..20)
        .map(|i| {
            PutRecordsRequestEntry::builder()
                .partition_key(format!("k{i}"))
                .data(Blob::new(format!("record {i}")))
                .build()
                .unwrap()
        })
        .collect();
    let put = kin
        .put_records()
        .stream_name("rust")
        .set_records(Some(entries))
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_record_count, Some(0));
    let seqs: Vec<String> = put.records.iter().map(|r| r.sequence_number.clone().unwrap()).collect();
    let it = kin
        .get_shard_iterator()
        .stream_name("rust")
        .shard_id("shardId-000000000000")
        .shard_iterator_type(ShardIteratorType::TrimHorizon)
        .send()
        .await
        .unwrap()
        .shard_iterator
        .unwrap();
    let got = kin.get_records().shard_iterator(it).send().await.unwrap();
    let data: Vec<String> = got
        .records
        .iter()
        .map(|r| String::from_utf8(r.data.as_ref().to_vec()).unwrap())
        .collect();
    assert_eq!(data, (0..20).map(|i| format!("record {i}")).collect::<Vec<_>>());
    assert_eq!(
        got.records
            .iter()
            .map(|r| r.sequence_number.clone())
            .collect::<Vec<_>>(),
        seqs
    );
    assert_eq!(got.millis_behind_latest, Some(0));
    assert!(got.records[0].approximate_arrival_timestamp.is_some());

    kin.split_shard()
        .stream_name("rust")
        .shard_to_split("shardId-000000000000")
        .new_starting_hash_key("170141183460469231731687303715884105728")
        .send()
        .await
        .unwrap();
    let open = kin
        .list_shards()
        .stream_name("rust")
        .shard_filter(
            ShardFilter::builder()
                .r#type(ShardFilterType::AtLatest)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .shards
        .unwrap();
    assert_eq!(
        open.iter()
            .map(|s| (s.shard_id.as_str(), s.parent_shard_id.as_deref()))
            .collect::<Vec<_>>(),
        [
            ("shardId-000000000001", Some("shardId-000000000000")),
            ("shardId-000000000002", Some("shardId-000000000000"))
        ]
    );
    let err = kin.describe_stream().stream_name("nope").send().await.unwrap_err();
    assert!(err.into_service_error().is_resource_not_found_exception());
}
