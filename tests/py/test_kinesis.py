"""Kinesis Data Streams through boto3 and aws-cli: records in order per
shard with AWS's sequence numbers, every iterator type, resharding with
parents closed and children read after them, the Java SDKs' CBOR encoding,
a Lambda event source mapping reading a stream (bisecting a failing batch),
and acknowledged records surviving `kill -9`."""

import json
import os
import signal
import time
import urllib.request

import cbor2
import pytest
from botocore.exceptions import ClientError

from conftest import Server, client
from test_lambda import ROLE, package

ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/{}"


def read_all(kin, stream, shard, kind="TRIM_HORIZON", **kw):
    it = kin.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType=kind, **kw)["ShardIterator"]
    out = []
    while it:
        r = kin.get_records(ShardIterator=it)
        out += r["Records"]
        if not r["Records"]:
            break
        it = r.get("NextShardIterator")
    return out


def test_records_in_order_per_shard_and_iterator_types(server):
    kin = client("kinesis", server)
    kin.create_stream(StreamName="clicks", ShardCount=4)
    kin.get_waiter("stream_exists").wait(StreamName="clicks", WaiterConfig={"Delay": 0.1})
    shards = kin.list_shards(StreamName="clicks")["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-00000000000{i}" for i in range(4)]
    assert shards[1]["HashKeyRange"] == {
        "StartingHashKey": "85070591730234615865843651857942052864",
        "EndingHashKey": "170141183460469231731687303715884105727",
    }
    put = kin.put_records(
        StreamName="clicks",
        Records=[{"PartitionKey": f"user-{i % 7}", "Data": json.dumps({"i": i}).encode()} for i in range(100)],
    )
    assert put["FailedRecordCount"] == 0
    by_shard = {}
    for i, r in enumerate(put["Records"]):
        assert len(r["SequenceNumber"]) == 56
        by_shard.setdefault(r["ShardId"], []).append((r["SequenceNumber"], i))
    total = 0
    for shard, placed in by_shard.items():
        got = read_all(kin, "clicks", shard)
        # Exactly the records put there, in the order put, with their sequence numbers.
        assert [(r["SequenceNumber"], json.loads(r["Data"])["i"]) for r in got] == placed
        assert all(int(a["SequenceNumber"]) < int(b["SequenceNumber"]) for a, b in zip(got, got[1:]))
        total += len(got)
    assert total == 100
    # The same partition key always lands on the same shard.
    one = kin.put_record(StreamName="clicks", PartitionKey="user-3", Data=b"x")
    two = kin.put_record(StreamName="clicks", PartitionKey="user-3", Data=b"y")
    assert one["ShardId"] == two["ShardId"]
    shard = one["ShardId"]
    after = read_all(kin, "clicks", shard, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=one["SequenceNumber"])
    assert [r["Data"] for r in after] == [b"y"]
    at = read_all(kin, "clicks", shard, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=one["SequenceNumber"])
    assert [r["Data"] for r in at] == [b"x", b"y"]
    latest = kin.get_shard_iterator(StreamName="clicks", ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    assert kin.get_records(ShardIterator=latest)["Records"] == []
    stamp = kin.get_records(ShardIterator=kin.get_shard_iterator(
        StreamName="clicks", ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=two["SequenceNumber"])["ShardIterator"])["Records"][0]["ApproximateArrivalTimestamp"]
    at_time = read_all(kin, "clicks", shard, "AT_TIMESTAMP", Timestamp=stamp)
    assert at_time[0]["SequenceNumber"] == two["SequenceNumber"]
    with pytest.raises(ClientError) as e:
        kin.get_shard_iterator(StreamName="clicks", ShardId=shard, ShardIteratorType="AT_TIMESTAMP")
    assert e.value.response["Error"]["Code"] == "InvalidArgumentException"
    with pytest.raises(ClientError) as e:
        kin.put_record(StreamName="nope", PartitionKey="k", Data=b"x")
    assert e.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Stream nope under account 000000000000 not found.",
    }


def test_resharding_closes_parents_and_readers_follow(server):
    kin = client("kinesis", server)
    kin.create_stream(StreamName="s", ShardCount=2)
    kin.put_record(StreamName="s", PartitionKey="a", Data=b"before")
    out = kin.update_shard_count(StreamName="s", TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    assert (out["CurrentShardCount"], out["TargetShardCount"], out["StreamARN"]) == (2, 4, ARN.format("s"))
    shards = kin.list_shards(StreamName="s")["Shards"]
    closed = [s for s in shards if "EndingSequenceNumber" in s["SequenceNumberRange"]]
    open_ = kin.list_shards(StreamName="s", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert (len(closed), len(open_)) == (2, 4)
    assert {s["ParentShardId"] for s in open_} == {"shardId-000000000000", "shardId-000000000001"}
    assert kin.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["OpenShardCount"] == 4
    after = kin.put_record(StreamName="s", PartitionKey="a", Data=b"after")
    assert after["ShardId"] in {s["ShardId"] for s in open_}
    # The parent still serves what it held, then ends with its children named.
    parent = next(s["ShardId"] for s in closed if any(s["ShardId"] == o["ParentShardId"] and o["ShardId"] == after["ShardId"] for o in open_))
    it = kin.get_shard_iterator(StreamName="s", ShardId=parent, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    r = kin.get_records(ShardIterator=it)
    assert [x["Data"] for x in r["Records"]] == [b"before"]
    assert "NextShardIterator" not in r
    assert after["ShardId"] in [c["ShardId"] for c in r["ChildShards"]]
    kin.merge_shards(StreamName="s", ShardToMerge=open_[0]["ShardId"], AdjacentShardToMerge=open_[1]["ShardId"])
    merged = kin.list_shards(StreamName="s")["Shards"][-1]
    assert (merged["ParentShardId"], merged["AdjacentParentShardId"]) == (open_[0]["ShardId"], open_[1]["ShardId"])
    with pytest.raises(ClientError) as e:
        kin.merge_shards(StreamName="s", ShardToMerge=open_[3]["ShardId"], AdjacentShardToMerge=merged["ShardId"])
    assert e.value.response["Error"]["Code"] == "InvalidArgumentException"


def cbor_call(server, op, body):
    req = urllib.request.Request(
        server.endpoint + "/",
        data=cbor2.dumps(body),
        headers={
            "Content-Type": "application/x-amz-cbor-1.1",
            "X-Amz-Target": f"Kinesis_20131202.{op}",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(req) as resp:
            assert resp.headers["Content-Type"].startswith("application/x-amz-cbor-1.1")
            return resp.status, cbor2.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, cbor2.loads(e.read())


def test_the_java_sdks_cbor_encoding(server):
    status, _ = cbor_call(server, "CreateStream", {"StreamName": "java", "ShardCount": 1})
    assert status == 200
    status, put = cbor_call(server, "PutRecord", {"StreamName": "java", "PartitionKey": "k", "Data": b"\x00\x01binary\xff"})
    assert status == 200 and put["ShardId"] == "shardId-000000000000"
    _, it = cbor_call(server, "GetShardIterator", {"StreamName": "java", "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"})
    _, got = cbor_call(server, "GetRecords", {"ShardIterator": it["ShardIterator"]})
    rec = got["Records"][0]
    # Blobs are CBOR byte strings and timestamps tag-1 epoch times, as the Java SDK reads them.
    assert rec["Data"] == b"\x00\x01binary\xff"
    assert rec["SequenceNumber"] == put["SequenceNumber"]
    assert hasattr(rec["ApproximateArrivalTimestamp"], "timestamp")
    # The same record read by boto3 (JSON) carries the same bytes.
    kin = client("kinesis", server)
    assert read_all(kin, "java", "shardId-000000000000")[0]["Data"] == b"\x00\x01binary\xff"
    status, err = cbor_call(server, "DescribeStream", {"StreamName": "missing"})
    assert status == 400 and err["__type"] == "ResourceNotFoundException"


def test_the_cli_puts_and_reads(server, aws):
    kin = client("kinesis", server)
    kin.create_stream(StreamName="cli", ShardCount=1)
    # aws-cli v1 sends a blob argument's text as its bytes (v2 would read base64).
    put = aws("kinesis", "put-record", "--stream-name", "cli", "--partition-key", "k", "--data", "from the cli")
    assert json.loads(put.stdout)["ShardId"] == "shardId-000000000000"
    listed = json.loads(aws("kinesis", "list-streams").stdout)
    assert listed["StreamNames"] == ["cli"]
    assert read_all(kin, "cli", "shardId-000000000000")[0]["Data"] == b"from the cli"


FUNCTION = '''
import base64, json, boto3
def handler(event, context):
    s3 = boto3.client("s3")
    datas = [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]
    if "poison" in datas and len(datas) > 1:
        raise ValueError("a poisoned batch")
    for r, d in zip(event["Records"], datas):
        s3.put_object(Bucket="sink", Key=d, Body=json.dumps(r).encode())
'''


@pytest.fixture
def scaled_server():
    s = Server("--ephemeral", "--wait-time-scale", "0.01")
    yield s
    s.stop()


def test_a_function_reads_a_stream_through_a_mapping(scaled_server):
    kin, lam, s3 = (client(n, scaled_server) for n in ["kinesis", "lambda", "s3"])
    s3.create_bucket(Bucket="sink")
    kin.create_stream(StreamName="feed", ShardCount=2)
    lam.create_function(FunctionName="reader", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": package({"app.py": (FUNCTION, 0o644)})})
    lam.get_waiter("function_active_v2").wait(FunctionName="reader", WaiterConfig={"Delay": 0.1})
    kin.put_records(StreamName="feed", Records=[{"PartitionKey": "p", "Data": f"r{i}".encode()} for i in range(5)])
    # "poison" fails every batch it is in with others: bisection isolates it.
    kin.put_record(StreamName="feed", PartitionKey="p", Data=b"poison")
    kin.put_records(StreamName="feed", Records=[{"PartitionKey": "p", "Data": f"s{i}".encode()} for i in range(3)])
    m = lam.create_event_source_mapping(EventSourceArn=ARN.format("feed"), FunctionName="reader",
                                        StartingPosition="TRIM_HORIZON", BatchSize=10, BisectBatchOnFunctionError=True)
    assert m["StartingPosition"] == "TRIM_HORIZON"
    want = {f"r{i}" for i in range(5)} | {"poison"} | {f"s{i}" for i in range(3)}
    deadline = time.time() + 60
    while True:
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket="sink").get("Contents", [])}
        if keys >= want:
            break
        assert time.time() < deadline, sorted(want - keys)
        time.sleep(0.1)
    rec = json.loads(s3.get_object(Bucket="sink", Key="r0")["Body"].read())
    assert rec["eventSource"] == "aws:kinesis"
    assert rec["eventName"] == "aws:kinesis:record"
    assert rec["eventSourceARN"] == ARN.format("feed")
    assert rec["kinesis"]["partitionKey"] == "p"
    assert rec["eventID"] == f"shardId-00000000000{0 if rec['eventID'].startswith('shardId-000000000000') else 1}:{rec['kinesis']['sequenceNumber']}"


def test_acknowledged_records_survive_kill(tmp_path):
    data = tmp_path / "data"
    s = Server("--data-dir", str(data))
    kin = client("kinesis", s)
    kin.create_stream(StreamName="durable", ShardCount=1)
    acked = []
    for i in range(0, 200, 50):
        put = kin.put_records(StreamName="durable", Records=[{"PartitionKey": "k", "Data": f"{j}".encode()} for j in range(i, i + 50)])
        acked += [r["SequenceNumber"] for r in put["Records"]]
    os.kill(s.proc.pid, signal.SIGKILL)
    s.proc.wait()
    s = Server("--data-dir", str(data))
    try:
        kin = client("kinesis", s)
        got = read_all(kin, "durable", "shardId-000000000000")
        assert [r["SequenceNumber"] for r in got] == acked
        assert [r["Data"] for r in got] == [f"{j}".encode() for j in range(200)]
    finally:
        s.stop()
