"""Firehose through boto3: gzip JSON under AWS's default layout, flushed
when the server's clock passes the buffer interval; a Lambda transformer
that drops and rewrites records; and the end to end a data lake is built
on: producers put records on a Kinesis stream, Firehose reads it and writes
Parquet partitioned by a record field (jq), a crawler catalogs it, and
Athena counts exactly the records that were put. A delivery that fails is
logged to CloudWatch Logs as AWS logs it and tried again until it lands."""

import base64
import datetime
import gzip
import io
import json
import re
import time

import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from conftest import Server, client
from test_eventbridge import clock
from test_lambda import ROLE, package

FIREHOSE_ROLE = "arn:aws:iam::000000000000:role/firehose"


def objects(s3, bucket, prefix, want, server, timeout=30):
    """The keys under a prefix once there are `want` of them, advancing the
    clock past the buffer interval while waiting (a record read from a
    Kinesis stream arrives when Firehose reads it)."""
    deadline = time.time() + timeout
    while True:
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))
        if len(keys) >= want:
            return keys
        assert time.time() < deadline, keys
        clock(server, advanceSeconds=61)
        time.sleep(0.1)


def test_gzip_json_lands_under_the_default_layout(server, s3):
    fh = client("firehose", server)
    s3.create_bucket(Bucket="raw")
    fh.create_delivery_stream(
        DeliveryStreamName="clicks",
        ExtendedS3DestinationConfiguration={
            "RoleARN": FIREHOSE_ROLE,
            "BucketARN": "arn:aws:s3:::raw",
            "CompressionFormat": "GZIP",
            "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 60},
        },
    )
    desc = fh.describe_delivery_stream(DeliveryStreamName="clicks")["DeliveryStreamDescription"]
    assert desc["DeliveryStreamStatus"] == "ACTIVE"
    assert desc["Destinations"][0]["ExtendedS3DestinationDescription"]["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 60}
    now = datetime.datetime.now(datetime.timezone.utc)
    put = fh.put_record_batch(DeliveryStreamName="clicks", Records=[{"Data": json.dumps({"n": i}).encode() + b"\n"} for i in range(10)])
    assert put["FailedPutCount"] == 0 and len(put["RequestResponses"]) == 10
    one = fh.put_record(DeliveryStreamName="clicks", Record={"Data": b'{"n": 10}\n'})
    assert one["RecordId"] and one["Encrypted"] is False
    # Nothing is written before the interval passes.
    time.sleep(0.3)
    assert "Contents" not in s3.list_objects_v2(Bucket="raw")
    keys = objects(s3, "raw", "", 1, server)
    assert len(keys) == 1
    key = keys[0]
    assert key.startswith(now.strftime("%Y/%m/%d/%H/") + "clicks-1-" + now.strftime("%Y-%m-%d-%H-")), key
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\d\d/clicks-1-\d{4}(-\d\d){5}-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\.gz", key), key
    body = gzip.decompress(s3.get_object(Bucket="raw", Key=key)["Body"].read()).decode()
    assert [json.loads(line)["n"] for line in body.splitlines()] == list(range(11))
    assert fh.list_delivery_streams()["DeliveryStreamNames"] == ["clicks"]
    with pytest.raises(ClientError) as e:
        fh.put_record(DeliveryStreamName="nope", Record={"Data": b"x"})
    assert e.value.response["Error"] == {"Code": "ResourceNotFoundException", "Message": "Firehose nope under account 000000000000 not found."}


TRANSFORMER = '''
import base64, json
def handler(event, context):
    out = []
    for r in event["records"]:
        doc = json.loads(base64.b64decode(r["data"]))
        if doc.get("skip"):
            out.append({"recordId": r["recordId"], "result": "Dropped", "data": r["data"]})
            continue
        doc["name"] = doc["name"].upper()
        out.append({"recordId": r["recordId"], "result": "Ok",
                    "data": base64.b64encode((json.dumps(doc) + "\\n").encode()).decode()})
    return {"records": out}
'''


def test_a_lambda_transformer_drops_and_rewrites_records(server, s3):
    fh, lam = client("firehose", server), client("lambda", server)
    s3.create_bucket(Bucket="out")
    lam.create_function(FunctionName="upper", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": package({"app.py": (TRANSFORMER, 0o644)})})
    lam.get_waiter("function_active_v2").wait(FunctionName="upper", WaiterConfig={"Delay": 0.1})
    arn = lam.get_function(FunctionName="upper")["Configuration"]["FunctionArn"]
    fh.create_delivery_stream(
        DeliveryStreamName="people",
        ExtendedS3DestinationConfiguration={
            "RoleARN": FIREHOSE_ROLE,
            "BucketARN": "arn:aws:s3:::out",
            "Prefix": "people/",
            "ErrorOutputPrefix": "failed/",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
            "ProcessingConfiguration": {"Enabled": True, "Processors": [
                {"Type": "Lambda", "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": arn}]}]},
        },
    )
    fh.put_record_batch(DeliveryStreamName="people", Records=[
        {"Data": json.dumps({"name": "ada"}).encode()},
        {"Data": json.dumps({"name": "bob", "skip": True}).encode()},
        {"Data": json.dumps({"name": "cy"}).encode()},
    ])
    keys = objects(s3, "out", "people/", 1, server)
    body = s3.get_object(Bucket="out", Key=keys[0])["Body"].read().decode()
    assert [json.loads(line) for line in body.splitlines()] == [{"name": "ADA"}, {"name": "CY"}]


def test_kinesis_to_partitioned_parquet_to_athena(server, s3):
    kin, fh, glue, athena = (client(n, server) for n in ["kinesis", "firehose", "glue", "athena"])
    s3.create_bucket(Bucket="lake")
    kin.create_stream(StreamName="orders", ShardCount=2)
    stream_arn = kin.describe_stream_summary(StreamName="orders")["StreamDescriptionSummary"]["StreamARN"]
    glue.create_database(DatabaseInput={"Name": "shop"})
    # The schema the conversion writes with: the partition column comes from
    # the prefix, so it is not among the data columns (as in a Hive table).
    glue.create_table(DatabaseName="shop", TableInput={
        "Name": "orders_schema",
        "StorageDescriptor": {"Columns": [
            {"Name": "order_id", "Type": "bigint"},
            {"Name": "amount", "Type": "double"}, {"Name": "placed", "Type": "timestamp"}],
            "Location": "s3://lake/unused/"},
    })
    fh.create_delivery_stream(
        DeliveryStreamName="orders-to-lake",
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": FIREHOSE_ROLE},
        ExtendedS3DestinationConfiguration={
            "RoleARN": FIREHOSE_ROLE,
            "BucketARN": "arn:aws:s3:::lake",
            "Prefix": "orders/customer=!{partitionKeyFromQuery:customer}/",
            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
            "DynamicPartitioningConfiguration": {"Enabled": True},
            "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "MetadataExtraction", "Parameters": [
                {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{customer: .customer}"},
                {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]},
            "DataFormatConversionConfiguration": {
                "Enabled": True,
                "SchemaConfiguration": {"DatabaseName": "shop", "TableName": "orders_schema", "RoleARN": FIREHOSE_ROLE},
                "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
                "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {"Compression": "SNAPPY"}}},
            },
        },
    )
    customers = ["ann", "bob", "cy"]
    records = [{"order_id": i, "customer": customers[i % 3], "amount": i * 1.5, "placed": "2026-12-07 10:00:00"} for i in range(90)]
    for start in range(0, 90, 30):
        kin.put_records(StreamName="orders", Records=[
            {"PartitionKey": str(r["order_id"]), "Data": json.dumps(r).encode()} for r in records[start:start + 30]])
    keys = objects(s3, "lake", "orders/", 3, server)
    # Shards are read one after another, so a flush may come between them:
    # wait until every record is in some object.
    deadline = time.time() + 30
    while sum(pq.read_metadata(io.BytesIO(s3.get_object(Bucket="lake", Key=k)["Body"].read())).num_rows for k in keys) < 90:
        assert time.time() < deadline, keys
        clock(server, advanceSeconds=61)
        time.sleep(0.1)
        keys = objects(s3, "lake", "orders/", 3, server)
    assert sorted({k.split("/")[1] for k in keys}) == ["customer=ann", "customer=bob", "customer=cy"]
    assert all(k.endswith(".parquet") for k in keys), keys
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket="lake", Key=keys[0])["Body"].read()))
    assert table.schema.names == ["order_id", "amount", "placed"]
    glue.create_crawler(Name="orders", Role="arn:aws:iam::000000000000:role/glue", DatabaseName="shop",
                        Targets={"S3Targets": [{"Path": "s3://lake/orders/"}]})
    glue.start_crawler(Name="orders")
    deadline = time.time() + 30
    while glue.get_crawler(Name="orders")["Crawler"]["State"] != "READY" or "LastCrawl" not in glue.get_crawler(Name="orders")["Crawler"]:
        assert time.time() < deadline
        time.sleep(0.05)
    qid = athena.start_query_execution(
        QueryString="SELECT customer, count(*), sum(order_id) FROM orders GROUP BY customer ORDER BY customer",
        QueryExecutionContext={"Database": "shop"},
        ResultConfiguration={"OutputLocation": "s3://lake/athena/"},
    )["QueryExecutionId"]
    deadline = time.time() + 60
    while (state := athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"])["State"] not in ("SUCCEEDED", "FAILED"):
        assert time.time() < deadline
        time.sleep(0.05)
    assert state["State"] == "SUCCEEDED", state
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    got = [[d.get("VarCharValue") for d in r["Data"]] for r in rows[1:]]
    want = [[c, "30", str(sum(r["order_id"] for r in records if r["customer"] == c))] for c in customers]
    assert got == want


def test_a_missing_bucket_is_logged_and_delivery_resumes_once_it_exists():
    # Scaled waits: the 60-second interval and the retry backoff pass in
    # fractions of a second.
    server = Server("--ephemeral", "--wait-time-scale", "0.01")
    try:
        fh, logs, s3 = client("firehose", server), client("logs", server), client("s3", server)
        group = "/aws/kinesisfirehose/late"
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="DestinationDelivery")
        fh.create_delivery_stream(
            DeliveryStreamName="late",
            ExtendedS3DestinationConfiguration={
                "RoleARN": FIREHOSE_ROLE,
                "BucketARN": "arn:aws:s3:::late-bucket",
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
                "CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": group, "LogStreamName": "DestinationDelivery"},
            },
        )
        fh.put_record(DeliveryStreamName="late", Record={"Data": b"kept until the bucket exists\n"})
        deadline = time.time() + 20
        while not (events := logs.get_log_events(logGroupName=group, logStreamName="DestinationDelivery")["events"]):
            assert time.time() < deadline, "no delivery error was logged"
            time.sleep(0.05)
        assert json.loads(events[0]["message"]) == {
            "deliveryStreamARN": "arn:aws:firehose:us-east-1:000000000000:deliverystream/late",
            "destination": "arn:aws:s3:::late-bucket",
            "deliveryStreamVersionId": 1,
            "message": "The specified bucket does not exist",
            "errorCode": "S3.NoSuchBucket",
        }
        s3.create_bucket(Bucket="late-bucket")
        deadline = time.time() + 20
        while not (listed := s3.list_objects_v2(Bucket="late-bucket").get("Contents")):
            assert time.time() < deadline, "the record was not delivered once the bucket existed"
            time.sleep(0.05)
        assert len(listed) == 1
        assert s3.get_object(Bucket="late-bucket", Key=listed[0]["Key"])["Body"].read() == b"kept until the bucket exists\n"
    finally:
        server.stop()
