"""Glue crawlers through boto3 and aws-cli: real files uploaded to S3, crawled,
and the exact tables, columns, types, partitions, SerDes and parameters
checked, as AWS Glue writes them."""

import datetime
import decimal
import gzip
import io
import json
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from conftest import client

ROLE = "arn:aws:iam::000000000000:role/service-role/AWSGlueServiceRole-test"
PARQUET_SERDE = {
    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    "Parameters": {"serialization.format": "1"},
}

EVENTS_SCHEMA = pa.schema(
    [
        ("Event_ID", pa.string()),
        ("event_time", pa.timestamp("us")),
        ("device_id", pa.int32()),
        ("small", pa.int16()),
        ("revenue", pa.float64()),
        ("ratio", pa.float32()),
        ("is_bot", pa.bool_()),
        ("amount", pa.decimal128(10, 2)),
        ("day_date", pa.date32()),
        ("raw", pa.binary()),
        ("props", pa.struct([("browser", pa.string()), ("screen_width", pa.int32())])),
        ("tags", pa.list_(pa.string())),
        ("attrs", pa.map_(pa.string(), pa.int64())),
    ]
)

EVENTS_COLUMNS = [
    {"Name": "event_id", "Type": "string"},
    {"Name": "event_time", "Type": "timestamp"},
    {"Name": "device_id", "Type": "int"},
    {"Name": "small", "Type": "smallint"},
    {"Name": "revenue", "Type": "double"},
    {"Name": "ratio", "Type": "float"},
    {"Name": "is_bot", "Type": "boolean"},
    {"Name": "amount", "Type": "decimal(10,2)"},
    {"Name": "day_date", "Type": "date"},
    {"Name": "raw", "Type": "binary"},
    {"Name": "props", "Type": "struct<browser:string,screen_width:int>"},
    {"Name": "tags", "Type": "array<string>"},
    {"Name": "attrs", "Type": "map<string,bigint>"},
]


def parquet_bytes(rows, schema=EVENTS_SCHEMA):
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), buf, compression="snappy")
    return buf.getvalue()


def event_rows(n, day=1):
    return [
        {
            "Event_ID": f"e{day}-{i}",
            "event_time": datetime.datetime(2024, 1, day, 12, 0, i % 60),
            "device_id": i,
            "small": i % 7,
            "revenue": i * 1.5,
            "ratio": 0.5,
            "is_bot": i % 2 == 0,
            "amount": decimal.Decimal("12.34"),
            "day_date": datetime.date(2024, 1, day),
            "raw": b"\x00\x01",
            "props": {"browser": "Chrome", "screen_width": 1280},
            "tags": ["promo"],
            "attrs": [("a", 1)],
        }
        for i in range(n)
    ]


def wait_ready(glue, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        c = glue.get_crawler(Name=name)["Crawler"]
        if c["State"] == "READY" and "LastCrawl" in c:
            return c
        time.sleep(0.05)
    raise AssertionError(f"crawler {name} did not finish")


def crawl(glue, name):
    glue.start_crawler(Name=name)
    return wait_ready(glue, name)


def partitions(glue, db, table):
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=db, TableName=table)
    return sorted((p for page in pages for p in page["Partitions"]), key=lambda p: p["Values"])


@pytest.fixture
def lake(s3, glue):
    s3.create_bucket(Bucket="lake")
    glue.create_database(DatabaseInput={"Name": "lake"})
    return s3


def test_hive_partitioned_parquet(lake, glue):
    s3 = lake
    sizes = {}
    layout = {
        "events/year=2024/month=01/day=01/part-00000.snappy.parquet": event_rows(5, 1),
        "events/year=2024/month=01/day=02/part-00000.snappy.parquet": event_rows(3, 2),
        "events/year=2024/month=01/day=02/part-00001.snappy.parquet": event_rows(2, 2),
        "events/year=2024/month=02/day=01/part-00000.snappy.parquet": event_rows(4, 1),
    }
    for key, rows in layout.items():
        body = parquet_bytes(rows)
        sizes[key] = len(body)
        s3.put_object(Bucket="lake", Key=key, Body=body)
    # Spark's bookkeeping objects are not data.
    s3.put_object(Bucket="lake", Key="events/_SUCCESS", Body=b"")
    s3.put_object(Bucket="lake", Key="events/year=2024/month=01/day=01/.part-00000.crc", Body=b"crc")

    glue.create_crawler(
        Name="events",
        Role=ROLE,
        DatabaseName="lake",
        Targets={"S3Targets": [{"Path": "s3://lake/events/"}]},
        TablePrefix="raw_",
    )
    c = glue.get_crawler(Name="events")["Crawler"]
    assert c["State"] == "READY"
    assert c["Targets"]["S3Targets"] == [{"Path": "s3://lake/events/"}]
    assert c["SchemaChangePolicy"] == {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "DEPRECATE_IN_DATABASE"}
    assert c["RecrawlPolicy"] == {"RecrawlBehavior": "CRAWL_EVERYTHING"}

    c = crawl(glue, "events")
    assert c["LastCrawl"]["Status"] == "SUCCEEDED"
    assert c["LastCrawl"]["LogGroup"] == "/aws-glue/crawlers"
    assert c["LastCrawl"]["LogStream"] == "events"

    assert [t["Name"] for t in glue.get_tables(DatabaseName="lake")["TableList"]] == ["raw_events"]
    t = glue.get_table(DatabaseName="lake", Name="raw_events")["Table"]
    sd = t["StorageDescriptor"]
    assert sd["Columns"] == EVENTS_COLUMNS
    assert sd["Location"] == "s3://lake/events/"
    assert sd["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert sd["OutputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    assert sd["SerdeInfo"] == PARQUET_SERDE
    assert sd["Compressed"] is False
    assert sd["NumberOfBuckets"] == -1
    assert t["PartitionKeys"] == [
        {"Name": "year", "Type": "string"},
        {"Name": "month", "Type": "string"},
        {"Name": "day", "Type": "string"},
    ]
    assert t["TableType"] == "EXTERNAL_TABLE"
    assert t["Parameters"] == {
        "CrawlerSchemaDeserializerVersion": "1.0",
        "CrawlerSchemaSerializerVersion": "1.0",
        "UPDATED_BY_CRAWLER": "events",
        "averageRecordSize": str(sum(sizes.values()) // 14),
        "classification": "parquet",
        "compressionType": "none",
        "objectCount": "4",
        "recordCount": "14",
        "sizeKey": str(sum(sizes.values())),
        "typeOfData": "file",
    }
    parts = partitions(glue, "lake", "raw_events")
    assert [p["Values"] for p in parts] == [["2024", "01", "01"], ["2024", "01", "02"], ["2024", "02", "01"]]
    assert [p["StorageDescriptor"]["Location"] for p in parts] == [
        "s3://lake/events/year=2024/month=01/day=01/",
        "s3://lake/events/year=2024/month=01/day=02/",
        "s3://lake/events/year=2024/month=02/day=01/",
    ]
    assert parts[1]["Parameters"]["recordCount"] == "5"
    assert parts[1]["Parameters"]["objectCount"] == "2"
    assert parts[1]["StorageDescriptor"]["Columns"] == EVENTS_COLUMNS
    assert parts[1]["StorageDescriptor"]["SerdeInfo"] == PARQUET_SERDE

    metrics = glue.get_crawler_metrics(CrawlerNameList=["events"])["CrawlerMetricsList"]
    assert metrics[0]["CrawlerName"] == "events"
    assert metrics[0]["TablesCreated"] == 1
    crawls = glue.list_crawls(CrawlerName="events")["Crawls"]
    assert len(crawls) == 1 and crawls[0]["State"] == "COMPLETED"
    summary = json.loads(crawls[0]["Summary"])
    assert summary["TABLE"]["ADD"]["Count"] == 1
    assert summary["PARTITION"]["ADD"]["Count"] == 3

    # Re-crawl with nothing new changes nothing.
    crawl(glue, "events")
    assert glue.get_table(DatabaseName="lake", Name="raw_events")["Table"]["VersionId"] == "0"

    # Schema evolution: a new partition whose files add a column.
    wider = pa.schema(list(EVENTS_SCHEMA) + [pa.field("experiment_id", pa.string())])
    rows = [dict(r, experiment_id="x1") for r in event_rows(6, 3)]
    s3.put_object(
        Bucket="lake",
        Key="events/year=2024/month=02/day=03/part-00000.snappy.parquet",
        Body=parquet_bytes(rows, wider),
    )
    c = crawl(glue, "events")
    assert c["LastCrawl"]["Status"] == "SUCCEEDED"
    t = glue.get_table(DatabaseName="lake", Name="raw_events")["Table"]
    assert t["VersionId"] == "1"
    assert t["StorageDescriptor"]["Columns"] == EVENTS_COLUMNS + [{"Name": "experiment_id", "Type": "string"}]
    assert t["Parameters"]["recordCount"] == "20"
    assert len(partitions(glue, "lake", "raw_events")) == 4
    versions = glue.get_table_versions(DatabaseName="lake", TableName="raw_events")["TableVersions"]
    assert [v["VersionId"] for v in versions] == ["1", "0"]
    assert glue.get_crawler_metrics(CrawlerNameList=["events"])["CrawlerMetricsList"][0]["TablesUpdated"] == 1

    # Deleted data: with DELETE_FROM_DATABASE the vanished partition goes too.
    s3.delete_object(Bucket="lake", Key="events/year=2024/month=02/day=03/part-00000.snappy.parquet")
    glue.update_crawler(
        Name="events",
        SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "DELETE_FROM_DATABASE"},
    )
    crawl(glue, "events")
    assert len(partitions(glue, "lake", "raw_events")) == 3


def test_text_formats_csv_tsv_json_gzip_and_nested(lake, glue):
    s3 = lake
    s3.put_object(
        Bucket="lake",
        Key="raw/sales_csv/part-0.csv",
        Body=b"id,name,price,active\n1,apple,1.25,true\n2,pear,0.5,false\n3,plum,2,true\n",
    )
    s3.put_object(
        Bucket="lake",
        Key="raw/logs_tsv/2024-01-01.tsv",
        Body=b"1\tGET /index.html\t0.25\n2\tPOST /api\t1.5\n3\tGET /about\t0.75\n",
    )
    s3.put_object(
        Bucket="lake",
        Key="raw/quoted/q.csv",
        Body=b'"id","city","note"\n"1","Paris","a, b"\n"2","Oslo","c"\n',
    )
    lines = "".join(json.dumps({"id": i, "user": f"u{i}", "score": i / 2}) + "\n" for i in range(50))
    s3.put_object(Bucket="lake", Key="raw/scores_json/day=01/scores.json.gz", Body=gzip.compress(lines.encode()))
    nested = [
        {"id": 1, "user": {"name": "ann", "age": 30}, "tags": ["a", "b"], "items": [{"sku": "x", "qty": 2}]},
        {"id": 2, "user": {"name": "bob", "age": 41}, "tags": [], "items": [{"sku": "y", "qty": 1}], "note": None},
    ]
    s3.put_object(
        Bucket="lake", Key="raw/orders_nested/o.json", Body="\n".join(json.dumps(r) for r in nested).encode()
    )
    glue.create_crawler(
        Name="raw",
        Role=ROLE,
        DatabaseName="lake",
        Targets={
            "S3Targets": [
                {"Path": "s3://lake/raw/sales_csv/"},
                {"Path": "s3://lake/raw/logs_tsv"},
                {"Path": "s3://lake/raw/quoted/"},
                {"Path": "s3://lake/raw/scores_json/"},
                {"Path": "s3://lake/raw/orders_nested/"},
            ]
        },
    )
    assert crawl(glue, "raw")["LastCrawl"]["Status"] == "SUCCEEDED"
    names = [t["Name"] for t in glue.get_tables(DatabaseName="lake")["TableList"]]
    assert names == ["logs_tsv", "orders_nested", "quoted", "sales_csv", "scores_json"]

    t = glue.get_table(DatabaseName="lake", Name="sales_csv")["Table"]
    sd = t["StorageDescriptor"]
    assert sd["Columns"] == [
        {"Name": "id", "Type": "bigint"},
        {"Name": "name", "Type": "string"},
        {"Name": "price", "Type": "double"},
        {"Name": "active", "Type": "boolean"},
    ]
    assert sd["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert sd["OutputFormat"] == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    assert sd["SerdeInfo"] == {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "Parameters": {"field.delim": ","},
    }
    p = t["Parameters"]
    assert (p["classification"], p["delimiter"], p["skip.header.line.count"], p["areColumnsQuoted"]) == (
        "csv",
        ",",
        "1",
        "false",
    )
    assert (p["recordCount"], p["objectCount"], p["compressionType"], p["columnsOrdered"]) == ("3", "1", "none", "true")
    assert t["PartitionKeys"] == []

    t = glue.get_table(DatabaseName="lake", Name="logs_tsv")["Table"]
    assert t["StorageDescriptor"]["Columns"] == [
        {"Name": "col0", "Type": "bigint"},
        {"Name": "col1", "Type": "string"},
        {"Name": "col2", "Type": "double"},
    ]
    assert t["StorageDescriptor"]["SerdeInfo"]["Parameters"] == {"field.delim": "\t"}
    assert "skip.header.line.count" not in t["Parameters"]
    assert t["Parameters"]["delimiter"] == "\t"

    t = glue.get_table(DatabaseName="lake", Name="quoted")["Table"]
    assert t["StorageDescriptor"]["SerdeInfo"] == {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
        "Parameters": {"quoteChar": '"', "separatorChar": ","},
    }
    assert [c["Name"] for c in t["StorageDescriptor"]["Columns"]] == ["id", "city", "note"]
    assert t["Parameters"]["areColumnsQuoted"] == "true"

    t = glue.get_table(DatabaseName="lake", Name="scores_json")["Table"]
    sd = t["StorageDescriptor"]
    assert sd["Columns"] == [
        {"Name": "id", "Type": "int"},
        {"Name": "user", "Type": "string"},
        {"Name": "score", "Type": "double"},
    ]
    assert sd["SerdeInfo"] == {
        "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
        "Parameters": {"paths": "id,score,user"},
    }
    assert sd["Compressed"] is True
    assert (t["Parameters"]["classification"], t["Parameters"]["compressionType"]) == ("json", "gzip")
    assert t["Parameters"]["recordCount"] == "50"
    assert t["PartitionKeys"] == [{"Name": "day", "Type": "string"}]
    assert [p["Values"] for p in partitions(glue, "lake", "scores_json")] == [["01"]]

    t = glue.get_table(DatabaseName="lake", Name="orders_nested")["Table"]
    assert t["StorageDescriptor"]["Columns"] == [
        {"Name": "id", "Type": "int"},
        {"Name": "user", "Type": "struct<name:string,age:int>"},
        {"Name": "tags", "Type": "array<string>"},
        {"Name": "items", "Type": "array<struct<sku:string,qty:int>>"},
        {"Name": "note", "Type": "string"},
    ]


def test_corrupt_files_are_skipped_and_the_crawl_completes(lake, glue):
    s3 = lake
    s3.put_object(Bucket="lake", Key="t/dt=1/a.parquet", Body=parquet_bytes(event_rows(2)))
    s3.put_object(Bucket="lake", Key="t/dt=2/a.parquet", Body=parquet_bytes(event_rows(3)))
    s3.put_object(Bucket="lake", Key="t/dt=2/broken.parquet", Body=b"PAR1" + b"\x07" * 100 + b"\x10\x00\x00\x00PAR1")
    s3.put_object(Bucket="lake", Key="t/dt=3/binary.bin", Body=bytes(range(256)) * 4)
    glue.create_crawler(Name="c", Role=ROLE, DatabaseName="lake", Targets={"S3Targets": [{"Path": "s3://lake/t/"}]})
    c = crawl(glue, "c")
    assert c["LastCrawl"]["Status"] == "SUCCEEDED"
    t = glue.get_table(DatabaseName="lake", Name="t")["Table"]
    assert t["Parameters"]["objectCount"] == "2"
    assert t["Parameters"]["recordCount"] == "5"
    assert [p["Values"] for p in partitions(glue, "lake", "t")] == [["1"], ["2"]]
    summary = json.loads(glue.list_crawls(CrawlerName="c")["Crawls"][0]["Summary"])
    assert summary["FILES"] == {"SCANNED": 2, "SKIPPED": 2}


def test_dissimilar_folders_become_separate_tables_and_exclusions_apply(lake, glue):
    s3 = lake
    other = pa.schema([("sku", pa.string()), ("qty", pa.int64())])
    s3.put_object(Bucket="lake", Key="all/events/p=1/a.parquet", Body=parquet_bytes(event_rows(1)))
    s3.put_object(Bucket="lake", Key="all/stock/p=1/a.parquet", Body=parquet_bytes([{"sku": "a", "qty": 1}], other))
    s3.put_object(Bucket="lake", Key="all/stock/p=2/a.parquet", Body=parquet_bytes([{"sku": "b", "qty": 2}], other))
    s3.put_object(Bucket="lake", Key="all/stock/p=3/skip.parquet", Body=parquet_bytes([{"sku": "c", "qty": 3}], other))
    glue.create_crawler(
        Name="all",
        Role=ROLE,
        DatabaseName="lake",
        Targets={"S3Targets": [{"Path": "s3://lake/all/", "Exclusions": ["**/skip.parquet"]}]},
    )
    crawl(glue, "all")
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="lake")["TableList"]}
    assert sorted(tables) == ["events", "stock"]
    assert tables["stock"]["StorageDescriptor"]["Location"] == "s3://lake/all/stock/"
    assert tables["stock"]["StorageDescriptor"]["Columns"] == [
        {"Name": "sku", "Type": "string"},
        {"Name": "qty", "Type": "bigint"},
    ]
    assert [p["Values"] for p in partitions(glue, "lake", "stock")] == [["1"], ["2"]]


def test_custom_csv_classifier_names_the_header(lake, glue):
    s3 = lake
    # All strings: the built-in classifier cannot tell a header from data.
    s3.put_object(Bucket="lake", Key="people/p.csv", Body=b"first;last\nann;lee\nbob;ray\n")
    glue.create_classifier(CsvClassifier={"Name": "semi", "Delimiter": ";", "ContainsHeader": "PRESENT"})
    glue.create_crawler(
        Name="people",
        Role=ROLE,
        DatabaseName="lake",
        Classifiers=["semi"],
        Targets={"S3Targets": [{"Path": "s3://lake/people/"}]},
    )
    crawl(glue, "people")
    t = glue.get_table(DatabaseName="lake", Name="people")["Table"]
    assert t["StorageDescriptor"]["Columns"] == [{"Name": "first", "Type": "string"}, {"Name": "last", "Type": "string"}]
    assert t["Parameters"]["skip.header.line.count"] == "1"
    assert t["Parameters"]["delimiter"] == ";"


def error_code(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"]


def test_crawler_lifecycle_errors_and_schedules(lake, glue):
    s3 = lake
    for i in range(400):
        s3.put_object(Bucket="lake", Key=f"many/part={i % 20}/f{i}.csv", Body=b"a,b\n1,x\n2,y\n")
    glue.create_crawler(
        Name="many",
        Role=ROLE,
        DatabaseName="lake",
        Targets={"S3Targets": [{"Path": "s3://lake/many/"}]},
        Schedule="cron(0 12 * * ? *)",
        Tags={"team": "data"},
    )
    c = glue.get_crawler(Name="many")["Crawler"]
    assert c["Schedule"] == {"ScheduleExpression": "cron(0 12 * * ? *)", "State": "SCHEDULED"}
    assert error_code(glue.start_crawler_schedule, CrawlerName="many") == "SchedulerRunningException"
    glue.stop_crawler_schedule(CrawlerName="many")
    assert glue.get_crawler(Name="many")["Crawler"]["Schedule"]["State"] == "NOT_SCHEDULED"
    glue.start_crawler_schedule(CrawlerName="many")
    glue.update_crawler_schedule(CrawlerName="many", Schedule="cron(15 6 ? * MON-FRI *)")
    assert glue.get_crawler(Name="many")["Crawler"]["Schedule"]["ScheduleExpression"] == "cron(15 6 ? * MON-FRI *)"
    assert error_code(glue.update_crawler_schedule, CrawlerName="many", Schedule="cron(* * * * * *)") == (
        "InvalidInputException"
    )
    assert glue.get_tags(ResourceArn="arn:aws:glue:us-east-1:000000000000:crawler/many")["Tags"] == {"team": "data"}

    assert error_code(glue.stop_crawler, Name="many") == "CrawlerNotRunningException"
    glue.start_crawler(Name="many")
    assert error_code(glue.start_crawler, Name="many") == "CrawlerRunningException"
    assert error_code(glue.update_crawler, Name="many", TablePrefix="x_") == "CrawlerRunningException"
    c = wait_ready(glue, "many")
    assert c["LastCrawl"]["Status"] == "SUCCEEDED"
    assert len(partitions(glue, "lake", "many")) == 20

    glue.start_crawler(Name="many")
    glue.stop_crawler(Name="many")
    c = wait_ready(glue, "many")
    assert c["LastCrawl"]["Status"] == "CANCELLED"
    assert [k["State"] for k in glue.list_crawls(CrawlerName="many")["Crawls"]] == ["STOPPED", "COMPLETED"]

    assert error_code(glue.start_crawler, Name="ghost") == "EntityNotFoundException"
    assert error_code(
        glue.create_crawler, Name="many", Role=ROLE, Targets={"S3Targets": [{"Path": "s3://lake/x/"}]}
    ) == "AlreadyExistsException"
    assert error_code(
        glue.create_crawler, Name="bad", Role=ROLE, Targets={"S3Targets": [{"Path": "s3://lake/x/"}]}, Schedule="daily"
    ) == "InvalidInputException"
    assert error_code(
        glue.create_crawler,
        Name="bad",
        Role=ROLE,
        Targets={"S3Targets": [{"Path": "s3://lake/x/"}]},
        RecrawlPolicy={"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"},
    ) == "InvalidInputException"

    glue.create_crawler(Name="nodb", Role=ROLE, DatabaseName="missing", Targets={"S3Targets": [{"Path": "s3://lake/many/"}]})
    c = crawl(glue, "nodb")
    assert c["LastCrawl"]["Status"] == "FAILED"
    assert c["LastCrawl"]["ErrorMessage"] == "Database missing not found."

    assert glue.list_crawlers()["CrawlerNames"] == ["many", "nodb"]
    assert glue.list_crawlers(Tags={"team": "data"})["CrawlerNames"] == ["many"]
    assert [c["Name"] for c in glue.get_crawlers(MaxResults=1)["Crawlers"]] == ["many"]
    glue.delete_crawler(Name="nodb")
    assert error_code(glue.get_crawler, Name="nodb") == "EntityNotFoundException"


def test_crawl_new_folders_only(lake, glue):
    s3 = lake
    s3.put_object(Bucket="lake", Key="inc/dt=1/a.csv", Body=b"id,v\n1,2.5\n2,3.5\n")
    glue.create_crawler(
        Name="inc",
        Role=ROLE,
        DatabaseName="lake",
        Targets={"S3Targets": [{"Path": "s3://lake/inc/"}]},
        RecrawlPolicy={"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"},
        SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
    )
    crawl(glue, "inc")
    s3.put_object(Bucket="lake", Key="inc/dt=1/b.csv", Body=b"id,v,extra\n3,1.0,x\n4,2.0,y\n")
    s3.put_object(Bucket="lake", Key="inc/dt=2/a.csv", Body=b"id,v\n5,2.5\n6,3.5\n")
    crawl(glue, "inc")
    assert [p["Values"] for p in partitions(glue, "lake", "inc")] == [["1"], ["2"]]
    t = glue.get_table(DatabaseName="lake", Name="inc")["Table"]
    assert [c["Name"] for c in t["StorageDescriptor"]["Columns"]] == ["id", "v"]
    assert t["VersionId"] == "0"


def test_awscli_crawler(lake, aws):
    lake.put_object(Bucket="lake", Key="cli/x.csv", Body=b"a,b\n1,2\n3,4\n")
    aws(
        "glue",
        "create-crawler",
        "--name",
        "cli",
        "--role",
        ROLE,
        "--database-name",
        "lake",
        "--targets",
        json.dumps({"S3Targets": [{"Path": "s3://lake/cli/"}]}),
    )
    aws("glue", "start-crawler", "--name", "cli")
    deadline = time.time() + 30
    while True:
        c = json.loads(aws("glue", "get-crawler", "--name", "cli").stdout)["Crawler"]
        if c["State"] == "READY" and "LastCrawl" in c:
            break
        assert time.time() < deadline
        time.sleep(0.1)
    assert c["LastCrawl"]["Status"] == "SUCCEEDED"
    t = json.loads(aws("glue", "get-table", "--database-name", "lake", "--name", "cli").stdout)["Table"]
    assert t["StorageDescriptor"]["Columns"] == [{"Name": "a", "Type": "bigint"}, {"Name": "b", "Type": "bigint"}]


def test_unnamed_folders_bzip2_and_log_only_policy(lake, glue):
    import bz2

    s3 = lake
    for month in ["01", "02"]:
        body = bz2.compress(f"id,amount\n1,{month}.5\n2,3.25\n3,4\n".encode())
        s3.put_object(Bucket="lake", Key=f"logs/2024/{month}/part-0.csv.bz2", Body=body)
    glue.create_crawler(
        Name="logs",
        Role=ROLE,
        DatabaseName="lake",
        Targets={"S3Targets": [{"Path": "s3://lake/logs/"}]},
        SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
    )
    crawl(glue, "logs")
    t = glue.get_table(DatabaseName="lake", Name="logs")["Table"]
    assert t["PartitionKeys"] == [{"Name": "partition_0", "Type": "string"}, {"Name": "partition_1", "Type": "string"}]
    assert t["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "bigint"}, {"Name": "amount", "Type": "double"}]
    assert t["StorageDescriptor"]["Compressed"] is True
    assert (t["Parameters"]["compressionType"], t["Parameters"]["recordCount"]) == ("bzip2", "6")
    parts = partitions(glue, "lake", "logs")
    assert [p["Values"] for p in parts] == [["2024", "01"], ["2024", "02"]]
    assert parts[0]["StorageDescriptor"]["Location"] == "s3://lake/logs/2024/01/"

    # LOG: a new column is noticed but the table stays as it was.
    body = bz2.compress(b"id,amount,note\n4,1.5,x\n5,2.5,y\n")
    s3.put_object(Bucket="lake", Key="logs/2024/02/part-1.csv.bz2", Body=body)
    s3.delete_object(Bucket="lake", Key="logs/2024/01/part-0.csv.bz2")
    crawl(glue, "logs")
    t = glue.get_table(DatabaseName="lake", Name="logs")["Table"]
    assert t["VersionId"] == "0"
    assert [c["Name"] for c in t["StorageDescriptor"]["Columns"]] == ["id", "amount"]
    assert len(partitions(glue, "lake", "logs")) == 2


def test_a_crawl_writes_its_lines_to_cloudwatch_logs(lake, glue, server):
    lake.put_object(Bucket="lake", Key="sales/year=2024/part-0.parquet", Body=parquet_bytes(event_rows(2)))
    lake.put_object(Bucket="lake", Key="sales/year=2025/part-0.parquet", Body=parquet_bytes(event_rows(3)))
    glue.create_crawler(Name="sales", Role=ROLE, DatabaseName="lake", Targets={"S3Targets": [{"Path": "s3://lake/sales/"}]})
    last = crawl(glue, "sales")["LastCrawl"]
    assert (last["LogGroup"], last["LogStream"]) == ("/aws-glue/crawlers", "sales")
    logs = client("logs", server)
    deadline = time.time() + 10
    while True:
        try:
            events = logs.get_log_events(logGroupName="/aws-glue/crawlers", logStreamName="sales", startFromHead=True)["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        if events or time.time() > deadline:
            break
        time.sleep(0.05)
    prefix = f"[{last['MessagePrefix']}] "
    assert [e["message"] for e in events] == [
        prefix + "BENCHMARK : Running Start Crawl for Crawler sales",
        prefix + "INFO : Listed 2 objects under s3://lake/sales/",
        prefix + "INFO : Created table sales in database lake",
        prefix + "INFO : Created partitions with values [[2024], [2025]] for table sales in database lake",
        prefix + "BENCHMARK : Finished writing to Catalog",
        prefix + "BENCHMARK : Crawler has finished running and is in state READY",
    ]
