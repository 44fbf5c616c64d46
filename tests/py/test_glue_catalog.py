"""The Glue Data Catalog API through boto3 and aws-cli: databases, tables and
their versions, partitions and the GetPartitions expression language, tags,
classifiers and the errors AWS answers with."""

import json

import pytest
from botocore.exceptions import ClientError

PARQUET_SD = {
    "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string", "Comment": "who"}],
    "Location": "s3://lake/orders/",
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
}


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as e:
        call(*args, **kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def test_databases_crud_and_paging(glue):
    for name in ["sales", "Marketing", "ops"]:
        glue.create_database(DatabaseInput={"Name": name, "Description": f"{name} data", "Parameters": {"k": "v"}})
    db = glue.get_database(Name="MARKETING")["Database"]
    assert db["Name"] == "marketing"  # Glue stores names lower-cased
    assert db["Description"] == "Marketing data"
    assert db["Parameters"] == {"k": "v"}
    assert db["CatalogId"] == "000000000000"
    assert db["CreateTime"].year >= 2024

    first = glue.get_databases(MaxResults=2)
    assert [d["Name"] for d in first["DatabaseList"]] == ["marketing", "ops"]
    rest = glue.get_databases(MaxResults=2, NextToken=first["NextToken"])
    assert [d["Name"] for d in rest["DatabaseList"]] == ["sales"]
    assert "NextToken" not in rest

    assert error_of(glue.create_database, DatabaseInput={"Name": "sales"}) == (
        "AlreadyExistsException",
        "Database already exists.",
    )
    assert error_of(glue.get_database, Name="nope") == ("EntityNotFoundException", "Database nope not found.")
    glue.update_database(Name="ops", DatabaseInput={"Name": "ops", "Description": "changed"})
    assert glue.get_database(Name="ops")["Database"]["Description"] == "changed"

    glue.create_table(DatabaseName="ops", TableInput={"Name": "t", "StorageDescriptor": PARQUET_SD})
    glue.delete_database(Name="ops")
    assert error_of(glue.get_table, DatabaseName="ops", Name="t")[0] == "EntityNotFoundException"
    assert error_of(glue.delete_database, Name="ops")[0] == "EntityNotFoundException"


def test_tables_versions_and_optimistic_updates(glue):
    glue.create_database(DatabaseInput={"Name": "shop"})
    glue.create_table(
        DatabaseName="shop",
        TableInput={
            "Name": "Orders",
            "TableType": "EXTERNAL_TABLE",
            "StorageDescriptor": PARQUET_SD,
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            "Parameters": {"classification": "parquet"},
        },
    )
    t = glue.get_table(DatabaseName="shop", Name="orders")["Table"]
    assert t["Name"] == "orders"
    assert t["DatabaseName"] == "shop"
    assert t["VersionId"] == "0"
    assert t["StorageDescriptor"]["Columns"] == PARQUET_SD["Columns"]
    assert t["StorageDescriptor"]["SerdeInfo"] == PARQUET_SD["SerdeInfo"]
    assert t["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    assert t["TableType"] == "EXTERNAL_TABLE"
    assert t["Parameters"] == {"classification": "parquet"}

    sd2 = dict(PARQUET_SD, Columns=PARQUET_SD["Columns"] + [{"Name": "total", "Type": "decimal(10,2)"}])
    glue.update_table(DatabaseName="shop", TableInput={"Name": "orders", "StorageDescriptor": sd2}, VersionId="0")
    t = glue.get_table(DatabaseName="shop", Name="orders")["Table"]
    assert t["VersionId"] == "1"
    assert [c["Name"] for c in t["StorageDescriptor"]["Columns"]] == ["id", "name", "total"]
    code, msg = error_of(
        glue.update_table, DatabaseName="shop", TableInput={"Name": "orders", "StorageDescriptor": sd2}, VersionId="0"
    )
    assert (code, msg) == ("ConcurrentModificationException", "Update table failed due to concurrent modifications.")

    versions = glue.get_table_versions(DatabaseName="shop", TableName="orders")["TableVersions"]
    assert [v["VersionId"] for v in versions] == ["1", "0"]
    old = glue.get_table_version(DatabaseName="shop", TableName="orders", VersionId="0")["TableVersion"]
    assert len(old["Table"]["StorageDescriptor"]["Columns"]) == 2
    glue.update_table(DatabaseName="shop", TableInput={"Name": "orders", "StorageDescriptor": sd2}, SkipArchive=True)
    versions = glue.get_table_versions(DatabaseName="shop", TableName="orders")["TableVersions"]
    assert [v["VersionId"] for v in versions] == ["2", "0"]
    glue.delete_table_version(DatabaseName="shop", TableName="orders", VersionId="0")
    assert error_of(glue.get_table_version, DatabaseName="shop", TableName="orders", VersionId="0")[0] == (
        "EntityNotFoundException"
    )
    assert error_of(glue.delete_table_version, DatabaseName="shop", TableName="orders", VersionId="2")[0] == (
        "InvalidInputException"
    )

    for name in ["events_raw", "events_clean", "users"]:
        glue.create_table(DatabaseName="shop", TableInput={"Name": name, "StorageDescriptor": PARQUET_SD})
    names = [t["Name"] for t in glue.get_tables(DatabaseName="shop", Expression="events.*")["TableList"]]
    assert names == ["events_clean", "events_raw"]
    names = [t["Name"] for t in glue.get_tables(DatabaseName="shop", Expression="*s")["TableList"]]
    assert names == ["orders", "users"]
    pages = glue.get_paginator("get_tables").paginate(DatabaseName="shop", PaginationConfig={"PageSize": 2})
    assert [t["Name"] for p in pages for t in p["TableList"]] == ["events_clean", "events_raw", "orders", "users"]

    found = glue.search_tables(SearchText="total")["TableList"]
    assert [t["Name"] for t in found] == ["orders"]
    found = glue.search_tables(Filters=[{"Key": "DatabaseName", "Value": "shop"}], MaxResults=10)["TableList"]
    assert len(found) == 4

    assert error_of(glue.create_table, DatabaseName="shop", TableInput={"Name": "users"}) == (
        "AlreadyExistsException",
        "Table already exists.",
    )
    assert error_of(glue.create_table, DatabaseName="nodb", TableInput={"Name": "x"}) == (
        "EntityNotFoundException",
        "Database nodb not found.",
    )
    errors = glue.batch_delete_table(DatabaseName="shop", TablesToDelete=["users", "ghost"])["Errors"]
    assert [(e["TableName"], e["ErrorDetail"]["ErrorCode"]) for e in errors] == [("ghost", "EntityNotFoundException")]
    assert error_of(glue.get_table, DatabaseName="shop", Name="users") == (
        "EntityNotFoundException",
        "Table users not found.",
    )


def make_partitioned_table(glue, n_years=15, n_months=12, n_days=28, regions=("eu", "us")):
    glue.create_database(DatabaseInput={"Name": "lake"})
    glue.create_table(
        DatabaseName="lake",
        TableInput={
            "Name": "events",
            "StorageDescriptor": PARQUET_SD,
            "PartitionKeys": [
                {"Name": "region", "Type": "string"},
                {"Name": "year", "Type": "int"},
                {"Name": "month", "Type": "int"},
                {"Name": "day", "Type": "string"},
            ],
        },
    )
    batch = []
    values = [
        [r, str(2015 + y), str(m), f"{d:02d}"]
        for r in regions
        for y in range(n_years)
        for m in range(1, n_months + 1)
        for d in range(1, n_days + 1)
    ]
    for v in values:
        loc = "s3://lake/events/region={}/year={}/month={}/day={}/".format(*v)
        batch.append({"Values": v, "StorageDescriptor": dict(PARQUET_SD, Location=loc)})
        if len(batch) == 100:
            assert glue.batch_create_partition(DatabaseName="lake", TableName="events", PartitionInputList=batch)[
                "Errors"
            ] == []
            batch = []
    if batch:
        glue.batch_create_partition(DatabaseName="lake", TableName="events", PartitionInputList=batch)
    return values


def all_partitions(glue, **kwargs):
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName="lake", TableName="events", **kwargs)
    return [p["Values"] for page in pages for p in page["Partitions"]]


def test_partition_expressions_over_ten_thousand_partitions(glue):
    values = make_partitioned_table(glue)
    assert len(values) == 10080
    assert len(all_partitions(glue)) == 10080

    def count(expr):
        return len(all_partitions(glue, Expression=expr))

    assert count("region = 'eu' AND year = 2020 AND month = 3 AND day = '15'") == 1
    # year is an int key: 2015..2024 compare as numbers, not as text
    assert count("year > 2022") == 2 * 7 * 12 * 28
    assert count("year BETWEEN 2016 AND 2017 AND region <> 'us'") == 2 * 12 * 28
    assert count("month IN (1, 12) AND year = 2024") == 2 * 2 * 28
    assert count("day LIKE '1_' AND month = 1 AND year = 2015 AND region = 'eu'") == 10
    assert count("NOT (region = 'eu') AND (year = 2015 OR year = 2016) AND month <= 2") == 2 * 2 * 28
    assert count("month > 9") == 2 * 15 * 3 * 28  # 10, 11, 12: numeric order
    assert count("day >= '28'") == 2 * 15 * 12

    one = glue.get_partitions(
        DatabaseName="lake", TableName="events", Expression="year = 2020 AND month = 3 AND day = '15' AND region = 'us'"
    )["Partitions"][0]
    assert one["Values"] == ["us", "2020", "3", "15"]
    assert one["StorageDescriptor"]["Location"] == "s3://lake/events/region=us/year=2020/month=3/day=15/"
    assert one["DatabaseName"] == "lake" and one["TableName"] == "events"
    slim = glue.get_partitions(
        DatabaseName="lake", TableName="events", Expression="year = 2020 AND month = 3 AND day = '15'",
        ExcludeColumnSchema=True,
    )["Partitions"]
    assert len(slim) == 2 and all("Columns" not in p["StorageDescriptor"] for p in slim)

    segments = [
        all_partitions(glue, Segment={"SegmentNumber": i, "TotalSegments": 4}) for i in range(4)
    ]
    assert sum(len(s) for s in segments) == 10080
    assert len({tuple(v) for s in segments for v in s}) == 10080

    code, msg = error_of(glue.get_partitions, DatabaseName="lake", TableName="events", Expression="nokey = 1")
    assert code == "InvalidInputException"
    assert "nokey" in msg
    code, _ = error_of(glue.get_partitions, DatabaseName="lake", TableName="events", Expression="year = = 1")
    assert code == "InvalidInputException"


def test_partition_crud_and_batch_errors(glue):
    make_partitioned_table(glue, n_years=1, n_months=1, n_days=2, regions=("eu",))
    key = ["eu", "2015", "1", "01"]
    p = glue.get_partition(DatabaseName="lake", TableName="events", PartitionValues=key)["Partition"]
    assert p["Values"] == key
    errors = glue.batch_create_partition(
        DatabaseName="lake",
        TableName="events",
        PartitionInputList=[{"Values": key}, {"Values": ["eu", "2015", "1", "03"]}, {"Values": ["too", "few"]}],
    )["Errors"]
    assert [(e["PartitionValues"], e["ErrorDetail"]["ErrorCode"]) for e in errors] == [
        (key, "AlreadyExistsException"),
        (["too", "few"], "InvalidInputException"),
    ]
    assert len(all_partitions(glue)) == 3
    assert error_of(glue.create_partition, DatabaseName="lake", TableName="events", PartitionInput={"Values": key})[
        0
    ] == "AlreadyExistsException"

    glue.update_partition(
        DatabaseName="lake",
        TableName="events",
        PartitionValueList=key,
        PartitionInput={"Values": key, "Parameters": {"note": "fixed"}},
    )
    assert glue.get_partition(DatabaseName="lake", TableName="events", PartitionValues=key)["Partition"][
        "Parameters"
    ] == {"note": "fixed"}
    got = glue.batch_get_partition(
        DatabaseName="lake",
        TableName="events",
        PartitionsToGet=[{"Values": key}, {"Values": ["eu", "2099", "1", "01"]}],
    )
    assert [p["Values"] for p in got["Partitions"]] == [key]
    errors = glue.batch_delete_partition(
        DatabaseName="lake",
        TableName="events",
        PartitionsToDelete=[{"Values": key}, {"Values": ["eu", "2099", "1", "01"]}],
    )["Errors"]
    assert [e["ErrorDetail"]["ErrorCode"] for e in errors] == ["EntityNotFoundException"]
    assert error_of(glue.get_partition, DatabaseName="lake", TableName="events", PartitionValues=key)[0] == (
        "EntityNotFoundException"
    )
    assert len(all_partitions(glue)) == 2


def test_tags_classifiers_and_unsupported_operations(glue):
    glue.create_database(DatabaseInput={"Name": "tagged"}, Tags={"team": "data"})
    arn = "arn:aws:glue:us-east-1:000000000000:database/tagged"
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"team": "data"}
    glue.tag_resource(ResourceArn=arn, TagsToAdd={"env": "dev"})
    glue.untag_resource(ResourceArn=arn, TagsToRemove=["team"])
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"env": "dev"}
    # Names in ARNs are case-insensitive, as the names themselves.
    glue.tag_resource(ResourceArn="arn:aws:glue:us-east-1:000000000000:database/TAGGED", TagsToAdd={"x": "1"})
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"env": "dev", "x": "1"}
    code, _ = error_of(glue.get_tags, ResourceArn="arn:aws:glue:us-east-1:000000000000:database/ghost")
    assert code == "EntityNotFoundException"

    glue.create_classifier(
        CsvClassifier={"Name": "pipes", "Delimiter": "|", "QuoteSymbol": '"', "ContainsHeader": "PRESENT"}
    )
    glue.create_classifier(JsonClassifier={"Name": "records", "JsonPath": "$.records[*]"})
    c = glue.get_classifier(Name="pipes")["Classifier"]["CsvClassifier"]
    assert (c["Delimiter"], c["ContainsHeader"], c["Version"]) == ("|", "PRESENT", 1)
    assert [list(c.values())[0]["Name"] for c in glue.get_classifiers()["Classifiers"]] == ["pipes", "records"]
    # An update names only what changes.
    glue.update_classifier(CsvClassifier={"Name": "pipes", "Delimiter": ";"})
    c = glue.get_classifier(Name="pipes")["Classifier"]["CsvClassifier"]
    assert (c["Delimiter"], c["ContainsHeader"], c["QuoteSymbol"], c["Version"]) == (";", "PRESENT", '"', 2)
    assert error_of(glue.create_classifier, JsonClassifier={"Name": "records", "JsonPath": "$"})[0] == (
        "AlreadyExistsException"
    )
    assert error_of(glue.create_classifier, CsvClassifier={"Name": "bad", "Delimiter": "||"})[0] == (
        "InvalidInputException"
    )
    glue.delete_classifier(Name="pipes")
    assert error_of(glue.get_classifier, Name="pipes")[0] == "EntityNotFoundException"

    code, msg = error_of(glue.get_dev_endpoints)
    assert code == "NotImplemented"
    assert "GetDevEndpoints" in msg


def test_awscli_glue(aws):
    aws("glue", "create-database", "--database-input", json.dumps({"Name": "cli_db", "Description": "from cli"}))
    out = json.loads(aws("glue", "get-database", "--name", "cli_db").stdout)
    assert out["Database"]["Name"] == "cli_db"
    assert out["Database"]["Description"] == "from cli"
    aws(
        "glue",
        "create-table",
        "--database-name",
        "cli_db",
        "--table-input",
        json.dumps({"Name": "t1", "StorageDescriptor": PARQUET_SD, "PartitionKeys": [{"Name": "dt", "Type": "date"}]}),
    )
    aws(
        "glue",
        "batch-create-partition",
        "--database-name",
        "cli_db",
        "--table-name",
        "t1",
        "--partition-input-list",
        json.dumps([{"Values": [f"2024-01-{d:02d}"]} for d in range(1, 11)]),
    )
    out = json.loads(
        aws(
            "glue",
            "get-partitions",
            "--database-name",
            "cli_db",
            "--table-name",
            "t1",
            "--expression",
            "dt BETWEEN '2024-01-03' AND '2024-01-05'",
        ).stdout
    )
    assert sorted(p["Values"][0] for p in out["Partitions"]) == ["2024-01-03", "2024-01-04", "2024-01-05"]
    p = aws("glue", "get-table", "--database-name", "cli_db", "--name", "missing", check=False)
    assert p.returncode != 0
    assert "EntityNotFoundException" in p.stderr
