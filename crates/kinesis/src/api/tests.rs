//! The API through the kit, as a client calls it (in-process, no HTTP).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lakestack_aws_protocol::{Clock, ServiceSettings, invoke};
use serde_json::{Value, json};

use super::KinesisApi;
use crate::service::Kinesis;

struct Fixture {
    api: KinesisApi,
    clock: Clock,
    _dir: tempfile::TempDir,
}

fn open_in(dir: &std::path::Path, clock: &Clock) -> Arc<Kinesis> {
    Kinesis::open(ServiceSettings {
        dir: Some(dir.to_path_buf()),
        clock: clock.clone(),
        ..Default::default()
    })
    .unwrap()
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::default();
    Fixture {
        api: KinesisApi::new(open_in(dir.path(), &clock)),
        clock,
        _dir: dir,
    }
}

impl Fixture {
    async fn call(&self, op: &str, input: Value) -> Value {
        invoke(&self.api, op, &input)
            .await
            .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message))
    }

    async fn fail(&self, op: &str, input: Value) -> (String, String) {
        let e = invoke(&self.api, op, &input).await.expect_err(op);
        (e.code.into_owned(), e.message)
    }

    async fn put(&self, stream: &str, key: &str, data: &str) -> Value {
        self.call(
            "PutRecord",
            json!({"StreamName": stream, "PartitionKey": key, "Data": STANDARD.encode(data)}),
        )
        .await
    }

    async fn iterator(&self, stream: &str, shard: &str, kind: &str, extra: Value) -> String {
        let mut input = json!({"StreamName": stream, "ShardId": shard, "ShardIteratorType": kind});
        if let (Some(m), Some(e)) = (input.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        self.call("GetShardIterator", input).await["ShardIterator"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The data of the records an iterator reads, and the answer.
    async fn read(&self, it: &str) -> (Vec<String>, Value) {
        let out = self.call("GetRecords", json!({"ShardIterator": it})).await;
        let data = out["Records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| String::from_utf8(STANDARD.decode(r["Data"].as_str().unwrap()).unwrap()).unwrap())
            .collect();
        (data, out)
    }
}

#[tokio::test]
async fn streams_split_the_hash_key_space_as_aws_does() {
    let f = fixture();
    f.call("CreateStream", json!({"StreamName": "s", "ShardCount": 4}))
        .await;
    let d = f.call("DescribeStream", json!({"StreamName": "s"})).await;
    let d = &d["StreamDescription"];
    assert_eq!(d["StreamStatus"], "ACTIVE");
    assert_eq!(d["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/s");
    assert_eq!(d["RetentionPeriodHours"], 24);
    assert_eq!(d["StreamModeDetails"], json!({"StreamMode": "PROVISIONED"}));
    let shards = d["Shards"].as_array().unwrap();
    assert_eq!(shards.len(), 4);
    assert_eq!(shards[0]["ShardId"], "shardId-000000000000");
    assert_eq!(
        shards[0]["HashKeyRange"],
        json!({"StartingHashKey": "0", "EndingHashKey": "85070591730234615865843651857942052863"})
    );
    assert_eq!(
        shards[3]["HashKeyRange"]["EndingHashKey"],
        "340282366920938463463374607431768211455"
    );
    assert!(shards[0]["SequenceNumberRange"].get("EndingSequenceNumber").is_none());
    let (code, msg) = f
        .fail("CreateStream", json!({"StreamName": "s", "ShardCount": 1}))
        .await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceInUseException",
            "Stream s under account 000000000000 already exists."
        )
    );
    let (code, msg) = f.fail("DescribeStream", json!({"StreamName": "nope"})).await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceNotFoundException",
            "Stream nope under account 000000000000 not found."
        )
    );
    let (code, msg) = f
        .fail("CreateStream", json!({"StreamName": "a b", "ShardCount": 1}))
        .await;
    assert_eq!(code, "ValidationException");
    assert_eq!(
        msg,
        "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    );
    f.call(
        "CreateStream",
        json!({"StreamName": "od", "StreamModeDetails": {"StreamMode": "ON_DEMAND"}}),
    )
    .await;
    let sum = f.call("DescribeStreamSummary", json!({"StreamName": "od"})).await;
    assert_eq!(sum["StreamDescriptionSummary"]["OpenShardCount"], 4);
    let l = f.call("ListStreams", json!({"Limit": 1})).await;
    assert_eq!(l["StreamNames"], json!(["od"]));
    assert_eq!(l["HasMoreStreams"], true);
    let l2 = f.call("ListStreams", json!({"NextToken": l["NextToken"]})).await;
    assert_eq!(l2["StreamNames"], json!(["s"]));
    assert_eq!(l2["HasMoreStreams"], false);
}

#[tokio::test]
async fn records_keep_their_order_per_shard_and_iterators_start_where_asked() {
    let f = fixture();
    f.call("CreateStream", json!({"StreamName": "s", "ShardCount": 2}))
        .await;
    let mut seqs = Vec::new();
    for i in 0..5 {
        let r = f.put("s", "same-key", &format!("r{i}")).await;
        seqs.push(r["SequenceNumber"].as_str().unwrap().to_owned());
        assert_eq!(r["EncryptionType"], "NONE");
    }
    // MD5("same-key") decides the shard; every record lands there, in order.
    let shard = f.put("s", "same-key", "r5").await["ShardId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(seqs.windows(2).all(|w| w[0].len() == 56 && w[0] < w[1]));
    let it = f.iterator("s", &shard, "TRIM_HORIZON", json!({})).await;
    let (data, out) = f.read(&it).await;
    assert_eq!(data, ["r0", "r1", "r2", "r3", "r4", "r5"]);
    assert_eq!(out["MillisBehindLatest"], 0);
    assert_eq!(out["Records"][0]["PartitionKey"], "same-key");
    assert_eq!(out["Records"][0]["SequenceNumber"], seqs[0].as_str());
    // The next iterator continues after the last record.
    let next = out["NextShardIterator"].as_str().unwrap().to_owned();
    f.put("s", "same-key", "r6").await;
    assert_eq!(f.read(&next).await.0, ["r6"]);
    let at = f
        .iterator(
            "s",
            &shard,
            "AT_SEQUENCE_NUMBER",
            json!({"StartingSequenceNumber": seqs[2]}),
        )
        .await;
    assert_eq!(f.read(&at).await.0[..2], ["r2", "r3"]);
    let after = f
        .iterator(
            "s",
            &shard,
            "AFTER_SEQUENCE_NUMBER",
            json!({"StartingSequenceNumber": seqs[2]}),
        )
        .await;
    assert_eq!(f.read(&after).await.0[0], "r3");
    let latest = f.iterator("s", &shard, "LATEST", json!({})).await;
    assert!(f.read(&latest).await.0.is_empty());
    f.put("s", "same-key", "r7").await;
    assert_eq!(f.read(&latest).await.0, ["r7"]);
    // GetRecords' Limit.
    let it = f.iterator("s", &shard, "TRIM_HORIZON", json!({})).await;
    let out = f.call("GetRecords", json!({"ShardIterator": it, "Limit": 2})).await;
    assert_eq!(out["Records"].as_array().unwrap().len(), 2);
    assert!(out["MillisBehindLatest"].as_i64().unwrap() >= 0);
    // A sequence number of another shard is refused, naming both.
    let other = if shard == "shardId-000000000000" {
        "shardId-000000000001"
    } else {
        "shardId-000000000000"
    };
    let (code, msg) = f
        .fail(
            "GetShardIterator",
            json!({"StreamName": "s", "ShardId": other, "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": seqs[0]}),
        )
        .await;
    assert_eq!(code, "InvalidArgumentException");
    assert_eq!(
        msg,
        format!(
            "Invalid StartingSequenceNumber. It encodes {shard}, while it was used in a call to a shard with {other}"
        )
    );
    let (code, msg) = f
        .fail(
            "GetShardIterator",
            json!({"StreamName": "s", "ShardId": "shardId-000000000009", "ShardIteratorType": "LATEST"}),
        )
        .await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "ResourceNotFoundException",
            "Shard shardId-000000000009 in stream s under account 000000000000 does not exist"
        )
    );
    let (code, msg) = f.fail("GetRecords", json!({"ShardIterator": "bogus"})).await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("InvalidArgumentException", "Invalid ShardIterator.")
    );
}

#[tokio::test]
async fn put_records_places_each_record_and_checks_the_batch() {
    let f = fixture();
    f.call("CreateStream", json!({"StreamName": "s", "ShardCount": 4}))
        .await;
    let records: Vec<Value> = (0..10)
        .map(|i| json!({"PartitionKey": format!("k{i}"), "Data": STANDARD.encode(format!("d{i}"))}))
        .collect();
    let out = f
        .call("PutRecords", json!({"StreamName": "s", "Records": records}))
        .await;
    assert_eq!(out["FailedRecordCount"], 0);
    assert_eq!(out["Records"].as_array().unwrap().len(), 10);
    // Explicit hash keys pick the shard: the last shard's range starts here.
    let out = f
        .call(
            "PutRecords",
            json!({"StreamName": "s", "Records": [
                {"PartitionKey": "x", "ExplicitHashKey": "0", "Data": "AA=="},
                {"PartitionKey": "x", "ExplicitHashKey": "255211775190703847597530955573826158592", "Data": "AA=="}
            ]}),
        )
        .await;
    assert_eq!(out["Records"][0]["ShardId"], "shardId-000000000000");
    assert_eq!(out["Records"][1]["ShardId"], "shardId-000000000003");
    let too_many: Vec<Value> = (0..501).map(|_| json!({"PartitionKey": "k", "Data": "AA=="})).collect();
    let (code, msg) = f
        .fail("PutRecords", json!({"StreamName": "s", "Records": too_many}))
        .await;
    assert_eq!(code, "ValidationException");
    assert!(
        msg.contains("'records' failed to satisfy constraint: Member must have length less than or equal to 500"),
        "{msg}"
    );
    let big = STANDARD.encode(vec![0u8; 1 << 20]);
    let (code, msg) = f
        .fail(
            "PutRecord",
            json!({"StreamName": "s", "PartitionKey": "k", "Data": big}),
        )
        .await;
    assert_eq!(code, "ValidationException");
    assert!(
        msg.contains("at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576"),
        "{msg}"
    );
    let (code, _) = f
        .fail(
            "PutRecord",
            json!({"StreamName": "s", "PartitionKey": "", "Data": "AA=="}),
        )
        .await;
    assert_eq!(code, "ValidationException");
    let (code, msg) = f
        .fail(
            "PutRecord",
            json!({"StreamName": "s", "PartitionKey": "k", "ExplicitHashKey": "340282366920938463463374607431768211456", "Data": "AA=="}),
        )
        .await;
    assert_eq!(code, "InvalidArgumentException");
    assert!(msg.starts_with("Invalid ExplicitHashKey."), "{msg}");
}

#[tokio::test]
async fn a_split_closes_its_parent_and_readers_move_to_the_children() {
    let f = fixture();
    f.call("CreateStream", json!({"StreamName": "s", "ShardCount": 1}))
        .await;
    f.put("s", "k", "before").await;
    let it = f.iterator("s", "shardId-000000000000", "TRIM_HORIZON", json!({})).await;
    f.call(
        "SplitShard",
        json!({"StreamName": "s", "ShardToSplit": "shardId-000000000000", "NewStartingHashKey": "170141183460469231731687303715884105728"}),
    )
    .await;
    let shards = f.call("ListShards", json!({"StreamName": "s"})).await;
    let shards = shards["Shards"].as_array().unwrap();
    assert_eq!(shards.len(), 3);
    assert!(shards[0]["SequenceNumberRange"]["EndingSequenceNumber"].is_string());
    assert_eq!(shards[1]["ParentShardId"], "shardId-000000000000");
    assert_eq!(
        shards[1]["HashKeyRange"]["EndingHashKey"],
        "170141183460469231731687303715884105727"
    );
    assert_eq!(
        shards[2]["HashKeyRange"]["StartingHashKey"],
        "170141183460469231731687303715884105728"
    );
    // The closed parent is read to its end: no next iterator, its children named.
    let (data, end) = f.read(&it).await;
    assert_eq!(data, ["before"]);
    assert!(end.get("NextShardIterator").is_none(), "{end}");
    assert_eq!(end["ChildShards"].as_array().unwrap().len(), 2);
    assert_eq!(end["ChildShards"][0]["ParentShards"], json!(["shardId-000000000000"]));
    // New records go to the children.
    let r = f.put("s", "k", "after").await;
    assert_ne!(r["ShardId"], "shardId-000000000000");
    let open = f
        .call(
            "ListShards",
            json!({"StreamName": "s", "ShardFilter": {"Type": "AT_LATEST"}}),
        )
        .await;
    assert_eq!(open["Shards"].as_array().unwrap().len(), 2);
    // Merge the two children back into one.
    f.call(
        "MergeShards",
        json!({"StreamName": "s", "ShardToMerge": "shardId-000000000001", "AdjacentShardToMerge": "shardId-000000000002"}),
    )
    .await;
    let all = f.call("ListShards", json!({"StreamName": "s"})).await;
    let last = &all["Shards"][3];
    assert_eq!(last["ParentShardId"], "shardId-000000000001");
    assert_eq!(last["AdjacentParentShardId"], "shardId-000000000002");
    assert_eq!(
        last["HashKeyRange"],
        json!({"StartingHashKey": "0", "EndingHashKey": "340282366920938463463374607431768211455"})
    );
    let (code, msg) = f
        .fail(
            "MergeShards",
            json!({"StreamName": "s", "ShardToMerge": "shardId-000000000001", "AdjacentShardToMerge": "shardId-000000000003"}),
        )
        .await;
    assert_eq!(code, "ResourceInUseException", "{msg}");
}

#[tokio::test]
async fn update_shard_count_reaches_an_even_layout_with_at_most_two_parents() {
    let f = fixture();
    f.call("CreateStream", json!({"StreamName": "s", "ShardCount": 5}))
        .await;
    let out = f
        .call(
            "UpdateShardCount",
            json!({"StreamName": "s", "TargetShardCount": 3, "ScalingType": "UNIFORM_SCALING"}),
        )
        .await;
    assert_eq!(
        (out["CurrentShardCount"].as_u64(), out["TargetShardCount"].as_u64()),
        (Some(5), Some(3))
    );
    let open = f
        .call(
            "ListShards",
            json!({"StreamName": "s", "ShardFilter": {"Type": "AT_LATEST"}}),
        )
        .await;
    let ranges: Vec<(String, String)> = open["Shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["HashKeyRange"]["StartingHashKey"].as_str().unwrap().to_owned(),
                s["HashKeyRange"]["EndingHashKey"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut ranges = ranges;
    ranges.sort_by_key(|(s, _)| s.parse::<u128>().unwrap());
    let want: Vec<(String, String)> = crate::hash::even_ranges(3)
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(ranges, want);
    let (code, _) = f
        .fail(
            "UpdateShardCount",
            json!({"StreamName": "s", "TargetShardCount": 7, "ScalingType": "UNIFORM_SCALING"}),
        )
        .await;
    assert_eq!(code, "LimitExceededException");
}

#[tokio::test(start_paused = true)]
async fn iterators_expire_and_records_expire_on_the_servers_clock() {
    let f = fixture();
    f.call("CreateStream", json!({"StreamName": "s", "ShardCount": 1}))
        .await;
    f.put("s", "k", "old").await;
    let it = f.iterator("s", "shardId-000000000000", "TRIM_HORIZON", json!({})).await;
    f.clock.advance(Duration::from_secs(301));
    let (code, msg) = f.fail("GetRecords", json!({"ShardIterator": it})).await;
    assert_eq!(code, "ExpiredIteratorException");
    assert!(
        msg.starts_with("Iterator expired. The iterator was created at time "),
        "{msg}"
    );
    // A day later the record is past retention: never served again.
    f.clock.advance(Duration::from_secs(24 * 3600));
    f.put("s", "k", "new").await;
    let it = f.iterator("s", "shardId-000000000000", "TRIM_HORIZON", json!({})).await;
    assert_eq!(f.read(&it).await.0, ["new"]);
    // AT_TIMESTAMP starts at the first record that arrived then or later.
    let now = f.clock.now_ms() as f64 / 1000.0;
    f.clock.advance(Duration::from_secs(5));
    f.put("s", "k", "later").await;
    let at = f
        .iterator(
            "s",
            "shardId-000000000000",
            "AT_TIMESTAMP",
            json!({"Timestamp": now + 1.0}),
        )
        .await;
    assert_eq!(f.read(&at).await.0, ["later"]);
    f.call(
        "IncreaseStreamRetentionPeriod",
        json!({"StreamName": "s", "RetentionPeriodHours": 48}),
    )
    .await;
    let (code, msg) = f
        .fail(
            "IncreaseStreamRetentionPeriod",
            json!({"StreamName": "s", "RetentionPeriodHours": 30}),
        )
        .await;
    assert_eq!(code, "InvalidArgumentException");
    assert_eq!(
        msg,
        "Requested retention period (30 hours) for stream s can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API."
    );
}

#[tokio::test]
async fn records_and_shards_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::default();
    let seq = {
        let f = Fixture {
            api: KinesisApi::new(open_in(dir.path(), &clock)),
            clock: clock.clone(),
            _dir: tempfile::tempdir().unwrap(),
        };
        f.call("CreateStream", json!({"StreamName": "s", "ShardCount": 1}))
            .await;
        f.put("s", "k", "one").await;
        f.put("s", "k", "two").await["SequenceNumber"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let f = Fixture {
        api: KinesisApi::new(open_in(dir.path(), &clock)),
        clock,
        _dir: dir,
    };
    let it = f.iterator("s", "shardId-000000000000", "TRIM_HORIZON", json!({})).await;
    assert_eq!(f.read(&it).await.0, ["one", "two"]);
    // Places continue after the last one written.
    let three = f.put("s", "k", "three").await["SequenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(three > seq);
}

#[tokio::test]
async fn a_reader_keeps_its_place_and_reads_parents_before_children() {
    use crate::readers::Start;
    let f = fixture();
    let k = f.api.service();
    f.call("CreateStream", json!({"StreamName": "s", "ShardCount": 1}))
        .await;
    f.put("s", "k", "a").await;
    f.call(
        "SplitShard",
        json!({"StreamName": "s", "ShardToSplit": "shardId-000000000000", "NewStartingHashKey": "170141183460469231731687303715884105728"}),
    )
    .await;
    f.put("s", "k", "b").await;
    let first = k.read_batch("m", "s", &Start::TrimHorizon, 10).await.unwrap().unwrap();
    assert_eq!(first.shard_id, "shardId-000000000000");
    assert_eq!(first.records[0].data, b"a");
    // Not committed: the same batch again.
    let again = k.read_batch("m", "s", &Start::TrimHorizon, 10).await.unwrap().unwrap();
    assert_eq!(again.records[0].data, b"a");
    k.commit("m", first.shard_key, first.next).await.unwrap();
    let second = k.read_batch("m", "s", &Start::TrimHorizon, 10).await.unwrap().unwrap();
    assert_eq!(second.records[0].data, b"b");
    k.commit("m", second.shard_key, second.next).await.unwrap();
    assert!(k.read_batch("m", "s", &Start::TrimHorizon, 10).await.unwrap().is_none());
    // A reader starting at LATEST sees only what comes after it began.
    assert!(k.read_batch("late", "s", &Start::Latest, 10).await.unwrap().is_none());
    f.put("s", "k", "c").await;
    let late = k.read_batch("late", "s", &Start::Latest, 10).await.unwrap().unwrap();
    assert_eq!(late.records.len(), 1);
    assert_eq!(late.records[0].data, b"c");
}

#[tokio::test]
async fn tags_consumers_and_the_rest() {
    let f = fixture();
    f.call(
        "CreateStream",
        json!({"StreamName": "s", "ShardCount": 1, "Tags": {"a": "1"}}),
    )
    .await;
    f.call("AddTagsToStream", json!({"StreamName": "s", "Tags": {"b": "2"}}))
        .await;
    let t = f
        .call("ListTagsForStream", json!({"StreamName": "s", "Limit": 1}))
        .await;
    assert_eq!(t, json!({"Tags": [{"Key": "a", "Value": "1"}], "HasMoreTags": true}));
    f.call("RemoveTagsFromStream", json!({"StreamName": "s", "TagKeys": ["a"]}))
        .await;
    let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
    let t = f.call("ListTagsForResource", json!({"ResourceARN": arn})).await;
    assert_eq!(t, json!({"Tags": [{"Key": "b", "Value": "2"}]}));
    let c = f
        .call(
            "RegisterStreamConsumer",
            json!({"StreamARN": arn, "ConsumerName": "c1"}),
        )
        .await;
    assert_eq!(c["Consumer"]["ConsumerStatus"], "ACTIVE");
    let carn = c["Consumer"]["ConsumerARN"].as_str().unwrap().to_owned();
    assert!(carn.starts_with(&format!("{arn}/consumer/c1:")));
    let d = f.call("DescribeStreamConsumer", json!({"ConsumerARN": carn})).await;
    assert_eq!(d["ConsumerDescription"]["StreamARN"], arn);
    let (code, _) = f.fail("DeleteStream", json!({"StreamName": "s"})).await;
    assert_eq!(code, "ResourceInUseException");
    f.call("DeregisterStreamConsumer", json!({"ConsumerARN": carn})).await;
    let m = f
        .call(
            "EnableEnhancedMonitoring",
            json!({"StreamName": "s", "ShardLevelMetrics": ["IncomingBytes"]}),
        )
        .await;
    assert_eq!(m["DesiredShardLevelMetrics"], json!(["IncomingBytes"]));
    f.call(
        "StartStreamEncryption",
        json!({"StreamName": "s", "EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}),
    )
    .await;
    assert_eq!(f.put("s", "k", "x").await["EncryptionType"], "KMS");
    let l = f.call("DescribeLimits", json!({})).await;
    assert_eq!(l["OpenShardCount"], 1);
    let (code, msg) = f.fail("SubscribeToShard", json!({})).await;
    assert_eq!(code, "NotImplemented");
    assert!(msg.contains("SubscribeToShard"));
    f.call("DeleteStream", json!({"StreamARN": arn})).await;
    let (code, _) = f.fail("DescribeStreamSummary", json!({"StreamName": "s"})).await;
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn an_empty_closed_shard_ends_at_once_and_unknown_places_are_refused() {
    let f = fixture();
    f.call("CreateStream", json!({"StreamName": "s", "ShardCount": 2}))
        .await;
    f.call(
        "MergeShards",
        json!({"StreamName": "s", "ShardToMerge": "shardId-000000000000", "AdjacentShardToMerge": "shardId-000000000001"}),
    )
    .await;
    let it = f.iterator("s", "shardId-000000000000", "TRIM_HORIZON", json!({})).await;
    let (data, out) = f.read(&it).await;
    assert!(data.is_empty());
    assert!(out.get("NextShardIterator").is_none(), "{out}");
    assert_eq!(out["ChildShards"][0]["ShardId"], "shardId-000000000002");
    // A sequence number of this shard that was never given out.
    let put = f.put("s", "k", "x").await;
    let seq = put["SequenceNumber"].as_str().unwrap();
    let (key, place) = crate::seq::parse(seq).unwrap();
    let (code, _) = f
        .fail(
            "GetShardIterator",
            json!({"StreamName": "s", "ShardId": "shardId-000000000002", "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                   "StartingSequenceNumber": crate::seq::format(key, place + 5)}),
        )
        .await;
    assert_eq!(code, "InvalidArgumentException");
    let (code, _) = f
        .fail(
            "GetShardIterator",
            json!({"StreamName": "s", "ShardId": "shardId-000000000002", "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                   "StartingSequenceNumber": crate::seq::format(key, u64::MAX)}),
        )
        .await;
    assert_eq!(code, "InvalidArgumentException");
}
