"""Athena through boto3 and aws-cli: queries that really run on DataFusion
over crawled tables, with exact rows, column types, pruning visible in
DataScannedInBytes, results stored in S3 as Athena stores them, paging,
cancellation and the errors Athena answers with."""

import datetime
import io
import json
import time

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from conftest import client

OUT = "s3://lake/results/"


@pytest.fixture
def athena(server):
    return client("athena", server)


@pytest.fixture
def lake(s3, glue):
    s3.create_bucket(Bucket="lake")
    glue.create_database(DatabaseInput={"Name": "shop"})
    for day in (1, 2, 3):
        t = pa.table(
            {
                "order_id": pa.array([day * 10 + i for i in range(4)], pa.int64()),
                "customer": ["ann", "bob", None, "dan"],
                "amount": pa.array([1.5, 2.25, 1e10, -0.5], pa.float64()),
                "qty": pa.array([1, 2, 3, 4], pa.int32()),
                "placed": [datetime.datetime(2024, 1, day, 9, 30, 0, 123000)] * 4,
                "tags": [["a", "b"], [], None, ["c"]],
            }
        )
        buf = io.BytesIO()
        pq.write_table(t, buf)
        s3.put_object(Bucket="lake", Key=f"orders/dt=2024-01-0{day}/part-0.parquet", Body=buf.getvalue())
    s3.put_object(Bucket="lake", Key="customers/c.csv", Body=b"name,city,vip\nann,Oslo,true\nbob,Rome,false\n")
    lines = [{"sku": "x1", "price": 9.5, "dims": {"w": 1, "h": 2}}, {"sku": "x2", "price": 3.0, "dims": {"w": 3, "h": 4}}]
    s3.put_object(Bucket="lake", Key="products/p.json", Body="\n".join(json.dumps(x) for x in lines).encode())
    glue.create_crawler(
        Name="shop",
        Role="arn:aws:iam::000000000000:role/glue",
        DatabaseName="shop",
        Targets={"S3Targets": [{"Path": f"s3://lake/{p}/"} for p in ("orders", "customers", "products")]},
    )
    glue.start_crawler(Name="shop")
    deadline = time.time() + 30
    while glue.get_crawler(Name="shop")["Crawler"]["State"] != "READY":
        assert time.time() < deadline
        time.sleep(0.05)
    return s3


def run(athena, sql, wait=True, **kwargs):
    qid = athena.start_query_execution(
        QueryString=sql,
        QueryExecutionContext={"Database": "shop"},
        ResultConfiguration={"OutputLocation": OUT},
        **kwargs,
    )["QueryExecutionId"]
    if not wait:
        return qid, None
    deadline = time.time() + 60
    while True:
        e = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if e["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return qid, e
        assert time.time() < deadline, e
        time.sleep(0.02)


def rows(athena, qid, **kwargs):
    r = athena.get_query_results(QueryExecutionId=qid, **kwargs)
    return [[d.get("VarCharValue") for d in row["Data"]] for row in r["ResultSet"]["Rows"]], r


def test_select_over_crawled_parquet_with_exact_rows_and_types(lake, athena):
    qid, e = run(athena, "SELECT order_id, customer, amount, qty, placed, tags, dt FROM orders WHERE dt = '2024-01-02' ORDER BY order_id")
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    assert e["StatementType"] == "DML"
    assert e["ResultConfiguration"]["OutputLocation"] == f"{OUT}{qid}.csv"
    assert e["QueryExecutionContext"] == {"Database": "shop", "Catalog": "awsdatacatalog"}
    assert e["EngineVersion"]["EffectiveEngineVersion"] == "Athena engine version 3"
    data, r = rows(athena, qid)
    assert data == [
        ["order_id", "customer", "amount", "qty", "placed", "tags", "dt"],
        ["20", "ann", "1.5", "1", "2024-01-02 09:30:00.123", "[a, b]", "2024-01-02"],
        ["21", "bob", "2.25", "2", "2024-01-02 09:30:00.123", "[]", "2024-01-02"],
        ["22", None, "1.0E10", "3", "2024-01-02 09:30:00.123", None, "2024-01-02"],
        ["23", "dan", "-0.5", "4", "2024-01-02 09:30:00.123", "[c]", "2024-01-02"],
    ]
    info = r["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in info] == [
        ("order_id", "bigint"),
        ("customer", "varchar"),
        ("amount", "double"),
        ("qty", "integer"),
        ("placed", "timestamp"),
        ("tags", "array"),
        ("dt", "varchar"),
    ]
    assert info[0]["Precision"] == 19 and info[1]["Precision"] == 2147483647
    assert "NextToken" not in r
    # The result is where Athena writes it, in Athena's CSV.
    body = lake.get_object(Bucket="lake", Key=f"results/{qid}.csv")["Body"].read().decode()
    assert body.splitlines()[:2] == [
        '"order_id","customer","amount","qty","placed","tags","dt"',
        '"20","ann","1.5","1","2024-01-02 09:30:00.123","[a, b]","2024-01-02"',
    ]
    assert body.splitlines()[3] == '"22",,"1.0E10","3","2024-01-02 09:30:00.123",,"2024-01-02"'
    # Beside it, Athena's protobuf metadata: the query id, then a message per column.
    meta = lake.get_object(Bucket="lake", Key=f"results/{qid}.csv.metadata")["Body"].read()
    assert meta.startswith(b"\x0a" + bytes([len(qid)]) + qid.encode())
    first = b"\x0a\x04hive\x22\x08order_id\x2a\x08order_id\x32\x06bigint\x38\x13\x48\x03"
    assert meta[2 + len(qid) :].startswith(b"\x22" + bytes([len(first)]) + first)
    assert meta.count(b"\x0a\x04hive") == 7


def test_partition_pruning_shows_in_data_scanned(lake, athena):
    _, all_days = run(athena, "SELECT sum(qty) AS total FROM orders")
    qid, one_day = run(athena, "SELECT sum(qty) AS total FROM orders WHERE dt = '2024-01-03'")
    scanned_all = all_days["Statistics"]["DataScannedInBytes"]
    scanned_one = one_day["Statistics"]["DataScannedInBytes"]
    assert scanned_all > 0 and scanned_one > 0
    assert scanned_one * 3 <= scanned_all + 3, (scanned_one, scanned_all)
    assert rows(athena, qid)[0] == [["total"], ["10"]]
    _, none = run(athena, "SELECT count(*) FROM orders WHERE dt = '2030-01-01'")
    assert none["Statistics"]["DataScannedInBytes"] == 0


def test_csv_json_joins_and_unaliased_columns(lake, athena):
    qid, e = run(
        athena,
        "SELECT c.city, count(*), sum(o.amount) AS spent FROM orders o JOIN customers c ON o.customer = c.name "
        "WHERE c.vip GROUP BY c.city",
    )
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    data, r = rows(athena, qid)
    assert data == [["city", "_col1", "spent"], ["Oslo", "3", "4.5"]]
    assert [c["Type"] for c in r["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]] == ["varchar", "bigint", "double"]
    qid, e = run(athena, "SELECT sku, price, dims.w AS w, dims FROM products ORDER BY sku")
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    assert rows(athena, qid)[0] == [["sku", "price", "w", "dims"], ["x1", "9.5", "1", "{w=1, h=2}"], ["x2", "3.0", "3", "{w=3, h=4}"]]


def test_errors_are_athena_shaped(lake, athena):
    _, e = run(athena, "SELECT nope FROM orders")
    assert e["Status"]["State"] == "FAILED"
    assert e["Status"]["StateChangeReason"] == "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved"
    assert e["Status"]["AthenaError"]["ErrorCategory"] == 2
    _, e = run(athena, "SELECT * FROM\n  missing")
    assert e["Status"]["StateChangeReason"] == "TABLE_NOT_FOUND: line 2:3: Table 'awsdatacatalog.shop.missing' does not exist"
    # Athena parses the statement before queueing it: StartQueryExecution itself refuses it.
    with pytest.raises(ClientError) as err:
        run(athena, "SELECT 1,\n  FROM")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert err.value.response["Error"]["Message"].startswith("line 2:7: ")
    qid, _ = run(athena, "SELECT nope FROM orders")
    with pytest.raises(ClientError) as err:
        athena.get_query_results(QueryExecutionId=qid)
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    with pytest.raises(ClientError) as err:
        athena.get_query_execution(QueryExecutionId="00000000-0000-0000-0000-000000000000")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    with pytest.raises(ClientError) as err:
        athena.start_query_execution(QueryString="SELECT 1")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "output location" in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        athena.create_data_catalog(Name="other", Type="HIVE")
    assert err.value.response["Error"]["Code"] == "NotImplemented"
    assert "CreateDataCatalog" in err.value.response["Error"]["Message"]


def test_paging_a_five_thousand_row_result(lake, athena):
    qid, e = run(athena, "SELECT value AS n, value * 2 AS twice FROM generate_series(1, 5000) ORDER BY n")
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    pages = []
    token = None
    while True:
        kwargs = {"MaxResults": 1000}
        if token:
            kwargs["NextToken"] = token
        data, r = rows(athena, qid, **kwargs)
        pages.append(data)
        token = r.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [1000, 1000, 1000, 1000, 1000, 1]
    flat = [row for p in pages for row in p]
    assert flat[0] == ["n", "twice"]
    assert flat[1] == ["1", "2"] and flat[-1] == ["5000", "10000"]
    assert [int(r[0]) for r in flat[1:]] == list(range(1, 5001))
    paginated = athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid)
    assert sum(len(p["ResultSet"]["Rows"]) for p in paginated) == 5001


def test_stop_a_long_query_idempotency_parameters_and_listing(lake, athena):
    qid, _ = run(athena, "SELECT count(*) FROM generate_series(1, 20000000000) a WHERE a.value % 7 = 3", wait=False)
    time.sleep(0.3)
    athena.stop_query_execution(QueryExecutionId=qid)
    e = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
    assert e["Status"]["State"] == "CANCELLED"
    time.sleep(0.3)
    assert athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"] == "CANCELLED"

    first, _ = run(athena, "SELECT 1", ClientRequestToken="token-0000000000000000000000000001")
    again, _ = run(athena, "SELECT 1", ClientRequestToken="token-0000000000000000000000000001")
    assert first == again

    pq_id, e = run(athena, "SELECT order_id FROM orders WHERE dt = ? AND qty > ? ORDER BY order_id", ExecutionParameters=["'2024-01-01'", "2"])
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    assert rows(athena, pq_id)[0] == [["order_id"], ["12"], ["13"]]

    ids = athena.list_query_executions()["QueryExecutionIds"]
    assert ids[0] == pq_id and qid in ids
    got = athena.batch_get_query_execution(QueryExecutionIds=[qid, pq_id, "missing"])
    assert {q["QueryExecutionId"] for q in got["QueryExecutions"]} == {qid, pq_id}
    assert [u["QueryExecutionId"] for u in got["UnprocessedQueryExecutionIds"]] == ["missing"]


def test_metadata_operations(lake, athena):
    assert [c["CatalogName"] for c in athena.list_data_catalogs()["DataCatalogsSummary"]] == ["AwsDataCatalog"]
    assert [d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]] == ["shop"]
    t = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="shop", TableName="orders")["TableMetadata"]
    assert [c["Name"] for c in t["Columns"]] == ["order_id", "customer", "amount", "qty", "placed", "tags"]
    assert t["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    assert t["Parameters"]["location"] == "s3://lake/orders/"
    names = [m["Name"] for m in athena.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="shop")["TableMetadataList"]]
    assert names == ["customers", "orders", "products"]
    with pytest.raises(ClientError) as err:
        athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="shop", TableName="nope")
    assert err.value.response["Error"]["Code"] == "MetadataException"
    assert athena.get_work_group(WorkGroup="primary")["WorkGroup"]["State"] == "ENABLED"


def test_awscli_athena(lake, aws):
    qid = json.loads(
        aws(
            "athena",
            "start-query-execution",
            "--query-string",
            "SELECT customer, qty FROM orders WHERE dt = '2024-01-01' AND qty < 3 ORDER BY qty",
            "--query-execution-context",
            "Database=shop",
            "--result-configuration",
            f"OutputLocation={OUT}",
        ).stdout
    )["QueryExecutionId"]
    deadline = time.time() + 30
    while True:
        e = json.loads(aws("athena", "get-query-execution", "--query-execution-id", qid).stdout)["QueryExecution"]
        if e["Status"]["State"] not in ("QUEUED", "RUNNING"):
            break
        assert time.time() < deadline
        time.sleep(0.1)
    assert e["Status"]["State"] == "SUCCEEDED"
    out = json.loads(aws("athena", "get-query-results", "--query-execution-id", qid).stdout)
    assert [[d.get("VarCharValue") for d in r["Data"]] for r in out["ResultSet"]["Rows"]] == [
        ["customer", "qty"],
        ["ann", "1"],
        ["bob", "2"],
    ]


def test_workgroups_named_queries_and_prepared_statements(lake, athena):
    athena.create_work_group(
        Name="etl",
        Description="nightly",
        Configuration={"ResultConfiguration": {"OutputLocation": "s3://lake/etl-results/"}},
    )
    wg = athena.get_work_group(WorkGroup="etl")["WorkGroup"]
    assert (wg["State"], wg["Description"]) == ("ENABLED", "nightly")
    assert wg["Configuration"]["ResultConfiguration"]["OutputLocation"] == "s3://lake/etl-results/"
    assert [w["Name"] for w in athena.list_work_groups()["WorkGroups"]] == ["etl", "primary"]
    # The work group's output location applies when the request has none.
    qid = athena.start_query_execution(
        QueryString="SELECT 42 AS answer", WorkGroup="etl", QueryExecutionContext={"Database": "shop"}
    )["QueryExecutionId"]
    e = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
    assert e["ResultConfiguration"]["OutputLocation"] == f"s3://lake/etl-results/{qid}.csv"
    assert e["WorkGroup"] == "etl"
    assert qid in athena.list_query_executions(WorkGroup="etl")["QueryExecutionIds"]
    # Enforced configuration wins over the request's.
    athena.update_work_group(WorkGroup="etl", ConfigurationUpdates={"EnforceWorkGroupConfiguration": True})
    qid = athena.start_query_execution(
        QueryString="SELECT 1", WorkGroup="etl", ResultConfiguration={"OutputLocation": "s3://lake/mine/"}
    )["QueryExecutionId"]
    assert athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["ResultConfiguration"][
        "OutputLocation"
    ].startswith("s3://lake/etl-results/")
    athena.update_work_group(WorkGroup="etl", State="DISABLED")
    with pytest.raises(ClientError) as err:
        athena.start_query_execution(QueryString="SELECT 1", WorkGroup="etl")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    with pytest.raises(ClientError) as err:
        athena.get_work_group(WorkGroup="nope")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    with pytest.raises(ClientError):
        athena.delete_work_group(WorkGroup="primary")
    athena.delete_work_group(WorkGroup="etl")

    nq = athena.create_named_query(Name="big orders", Database="shop", QueryString="SELECT * FROM orders WHERE qty > 2")[
        "NamedQueryId"
    ]
    got = athena.get_named_query(NamedQueryId=nq)["NamedQuery"]
    assert (got["Name"], got["Database"], got["WorkGroup"]) == ("big orders", "shop", "primary")
    assert athena.list_named_queries()["NamedQueryIds"] == [nq]
    batch = athena.batch_get_named_query(NamedQueryIds=[nq, "missing"])
    assert [q["NamedQueryId"] for q in batch["NamedQueries"]] == [nq]
    assert [q["NamedQueryId"] for q in batch["UnprocessedNamedQueryIds"]] == ["missing"]
    athena.delete_named_query(NamedQueryId=nq)
    assert athena.list_named_queries()["NamedQueryIds"] == []

    athena.create_prepared_statement(
        StatementName="by_day", WorkGroup="primary", QueryStatement="SELECT order_id FROM orders WHERE dt = ? AND qty >= ? ORDER BY order_id"
    )
    assert athena.get_prepared_statement(StatementName="by_day", WorkGroup="primary")["PreparedStatement"][
        "QueryStatement"
    ].startswith("SELECT order_id")
    qid, e = run(athena, "EXECUTE by_day USING '2024-01-03', 3")
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    assert rows(athena, qid)[0] == [["order_id"], ["32"], ["33"]]
    qid, e = run(athena, "EXECUTE by_day", ExecutionParameters=["'2024-01-02'", "4"])
    assert rows(athena, qid)[0] == [["order_id"], ["23"]]
    assert [p["StatementName"] for p in athena.list_prepared_statements(WorkGroup="primary")["PreparedStatements"]] == ["by_day"]
    with pytest.raises(ClientError) as err:
        athena.create_prepared_statement(StatementName="by_day", WorkGroup="primary", QueryStatement="SELECT 1")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    athena.delete_prepared_statement(StatementName="by_day", WorkGroup="primary")
    with pytest.raises(ClientError) as err:
        athena.get_prepared_statement(StatementName="by_day", WorkGroup="primary")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_awswrangler_reads_a_query_through_ctas_and_its_data_manifest(server):
    """With ctas_approach=True awswrangler runs a CTAS, then reads the Parquet files the
    data manifest lists (Statistics.DataManifestLocation), then drops the table."""
    import awswrangler as wr

    for service in ("s3", "athena", "sts", "glue"):
        setattr(wr.config, f"{service}_endpoint_url", server.endpoint)
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    client("glue", server).create_database(DatabaseInput={"Name": "lake"})
    client("s3", server).create_bucket(Bucket="wr-results")
    df = wr.athena.read_sql_query(
        "SELECT n, CAST(n * 1.5 AS double) AS x, 'r' || CAST(n AS varchar) AS s FROM (VALUES 1, 2, 3) AS t(n)",
        database="lake",
        ctas_approach=True,
        s3_output="s3://wr-results/athena/",
        boto3_session=session,
    )
    assert df.sort_values("n").to_dict("records") == [
        {"n": 1, "x": 1.5, "s": "r1"},
        {"n": 2, "x": 3.0, "s": "r2"},
        {"n": 3, "x": 4.5, "s": "r3"},
    ]
    # The temporary table is gone again.
    assert client("glue", server).get_tables(DatabaseName="lake")["TableList"] == []


def test_trino_types_functions_and_errors_through_boto3(s3, athena):
    s3.create_bucket(Bucket="lake")
    qid, e = run(
        athena,
        "SELECT 1 AS one, TRY(10 / 0) AS tried, TIMESTAMP '2024-01-01 12:00:00' AT TIME ZONE 'Asia/Tokyo' AS tokyo,"
        " json_query('{\"a\": [1, 2]}', 'lax $.a[*]' WITH ARRAY WRAPPER) AS q, IPADDRESS '2001:0db8::0001' AS ip,"
        " 'hello' = ANY (VALUES 'hello', 'world') AS found",
    )
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    got, r = rows(athena, qid)
    assert got == [
        ["one", "tried", "tokyo", "q", "ip", "found"],
        ["1", None, "2024-01-01 21:00:00.000 Asia/Tokyo", "[1,2]", "2001:db8::1", "true"],
    ]
    types = [c["Type"] for c in r["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
    assert types == ["integer", "integer", "timestamp with time zone", "varchar", "varchar", "boolean"]

    # avg of a decimal keeps its type, rounded half up.
    qid, e = run(athena, "SELECT avg(x) FROM (VALUES CAST(1.00 AS decimal(5,2)), CAST(2.01 AS decimal(5,2))) AS t(x)")
    got, r = rows(athena, qid)
    assert got == [["_col0"], ["1.51"]]
    info = r["ResultSet"]["ResultSetMetadata"]["ColumnInfo"][0]
    assert (info["Type"], info["Precision"], info["Scale"]) == ("decimal", 5, 2)

    # Data errors fail the query with Trino's error names and Athena's data-error type.
    _, e = run(athena, "SELECT 1 / (x - 1) FROM (VALUES 1) AS t(x)")
    assert e["Status"]["State"] == "FAILED"
    assert e["Status"]["StateChangeReason"] == "DIVISION_BY_ZERO: Division by zero"
    assert (e["Status"]["AthenaError"]["ErrorCategory"], e["Status"]["AthenaError"]["ErrorType"]) == (2, 1001)

    qid, e = run(athena, "EXPLAIN (TYPE VALIDATE) SELECT 1")
    assert rows(athena, qid)[0] == [["Valid"], ["true"]]
    with pytest.raises(ClientError) as err:
        run(athena, "EXPLAIN (TYPE IO) SELECT 1")
    assert err.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "engine version 2" in err.value.response["Error"]["Message"]
