"""Athena DDL through boto3: tables created by SQL land in the Glue catalog
as Athena registers them, partitions come from MSCK REPAIR TABLE and ALTER
TABLE ADD PARTITION, and SHOW / DESCRIBE answer text rows without a header."""

import json
import time

import pytest

from conftest import client

OUT = "s3://lake/ddl-results/"


@pytest.fixture
def athena(server):
    return client("athena", server)


def run(athena, sql, db="default"):
    qid = athena.start_query_execution(
        QueryString=sql,
        QueryExecutionContext={"Database": db},
        ResultConfiguration={"OutputLocation": OUT},
    )["QueryExecutionId"]
    deadline = time.time() + 60
    while True:
        e = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if e["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return qid, e
        assert time.time() < deadline
        time.sleep(0.02)


def ok(athena, sql, db="default"):
    qid, e = run(athena, sql, db)
    assert e["Status"]["State"] == "SUCCEEDED", (sql, e["Status"])
    r = athena.get_query_results(QueryExecutionId=qid)
    return [[d.get("VarCharValue") for d in row["Data"]] for row in r["ResultSet"]["Rows"]], e


def test_create_repair_query_describe_drop(s3, glue, athena):
    s3.create_bucket(Bucket="lake")
    glue.create_database(DatabaseInput={"Name": "default"})
    for day, body in [("2024-01-01", "id,item,price\n1,apple,1.5\n2,pear,\\N\n"), ("2024-01-02", "id,item,price\n3,plum,2\n")]:
        s3.put_object(Bucket="lake", Key=f"sales/dt={day}/part-0.csv", Body=body.encode())
    s3.put_object(Bucket="lake", Key="elsewhere/feb.csv", Body=b"id,item,price\n9,kiwi,0.25\n")

    rows, e = ok(athena, "CREATE DATABASE IF NOT EXISTS analytics COMMENT 'made by sql'")
    assert rows == [] and e["StatementType"] == "DDL"
    assert e["ResultConfiguration"]["OutputLocation"].endswith(".txt")
    assert glue.get_database(Name="analytics")["Database"]["Description"] == "made by sql"
    rows, e = ok(athena, "SHOW DATABASES")
    assert rows == [["analytics"], ["default"]]
    assert e["StatementType"] == "UTILITY"

    ok(
        athena,
        """CREATE EXTERNAL TABLE analytics.sales (
             id bigint COMMENT 'order id',
             item string,
             price double)
           PARTITIONED BY (dt string)
           ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
           LOCATION 's3://lake/sales/'
           TBLPROPERTIES ('skip.header.line.count'='1')""",
    )
    t = glue.get_table(DatabaseName="analytics", Name="sales")["Table"]
    sd = t["StorageDescriptor"]
    assert sd["Columns"] == [
        {"Name": "id", "Type": "bigint", "Comment": "order id"},
        {"Name": "item", "Type": "string"},
        {"Name": "price", "Type": "double"},
    ]
    assert sd["SerdeInfo"] == {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        "Parameters": {"field.delim": ",", "serialization.format": ","},
    }
    assert sd["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert t["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    assert t["TableType"] == "EXTERNAL_TABLE"
    assert t["Parameters"] == {"EXTERNAL": "TRUE", "skip.header.line.count": "1"}

    # As in Athena, data is invisible until its partitions are registered.
    rows, _ = ok(athena, "SELECT count(*) AS n FROM sales", db="analytics")
    assert rows == [["n"], ["0"]]
    rows, e = ok(athena, "MSCK REPAIR TABLE analytics.sales")
    assert rows == [
        # The .txt output is tab-separated, so the first line reads as three fields.
        ["Partitions not in metastore:", "sales:dt=2024-01-01", "sales:dt=2024-01-02"],
        ["Repair: Added partition to metastore sales:dt=2024-01-01"],
        ["Repair: Added partition to metastore sales:dt=2024-01-02"],
    ]
    rows, _ = ok(athena, "MSCK REPAIR TABLE analytics.sales")
    assert rows == []
    ok(athena, "ALTER TABLE analytics.sales ADD IF NOT EXISTS PARTITION (dt='2024-02-01') LOCATION 's3://lake/elsewhere/'")
    rows, _ = ok(athena, "SELECT id, item, price, dt FROM analytics.sales ORDER BY id")
    assert rows == [
        ["id", "item", "price", "dt"],
        ["1", "apple", "1.5", "2024-01-01"],
        ["2", "pear", None, "2024-01-01"],
        ["3", "plum", "2.0", "2024-01-02"],
        ["9", "kiwi", "0.25", "2024-02-01"],
    ]
    rows, _ = ok(athena, "SHOW PARTITIONS analytics.sales")
    assert rows == [["dt=2024-01-01"], ["dt=2024-01-02"], ["dt=2024-02-01"]]
    rows, _ = ok(athena, "SHOW TABLES IN analytics")
    assert rows == [["sales"]]
    rows, _ = ok(athena, "SHOW COLUMNS IN sales", db="analytics")
    assert rows == [["id"], ["item"], ["price"], ["dt"]]
    rows, _ = ok(athena, "DESCRIBE analytics.sales")
    assert rows[:4] == [["id", "bigint", "order id"], ["item", "string", ""], ["price", "double", ""], ["dt", "string", ""]]
    assert ["# Partition Information", "", ""] in rows
    rows, _ = ok(athena, "SHOW CREATE TABLE analytics.sales")
    assert rows[0] == ["CREATE EXTERNAL TABLE `analytics`.`sales`("]
    assert ["  's3://lake/sales/'"] in rows

    ok(athena, "ALTER TABLE analytics.sales DROP PARTITION (dt='2024-02-01')")
    rows, _ = ok(athena, "SELECT count(*) FROM analytics.sales")
    assert rows == [["_col0"], ["3"]]

    _, e = run(athena, "CREATE EXTERNAL TABLE analytics.sales (a int) LOCATION 's3://lake/x/'")
    assert e["Status"]["StateChangeReason"] == "FAILED: AlreadyExistsException: Table analytics.sales already exists"
    _, e = run(athena, "CREATE EXTERNAL TABLE nodb.t (a int) LOCATION 's3://lake/x/'")
    assert e["Status"]["StateChangeReason"] == "FAILED: SemanticException [Error 10072]: Database does not exist: nodb"
    _, e = run(athena, "CREATE EXTERNAL TABLE t (a int)\nLOCATON 's3://lake/x/'")
    assert e["Status"]["StateChangeReason"].startswith("SYNTAX_ERROR: line 2:1: mismatched input 'LOCATON'")
    _, e = run(athena, "DROP DATABASE analytics")
    assert "is not empty" in e["Status"]["StateChangeReason"]

    ok(athena, "DROP TABLE analytics.sales")
    with pytest.raises(Exception):
        glue.get_table(DatabaseName="analytics", Name="sales")
    _, e = run(athena, "DROP TABLE analytics.sales")
    assert e["Status"]["StateChangeReason"] == "FAILED: SemanticException [Error 10001]: Table not found analytics.sales"
    ok(athena, "DROP TABLE IF EXISTS analytics.sales")
    ok(athena, "DROP DATABASE analytics CASCADE")
    assert glue.get_databases()["DatabaseList"][0]["Name"] == "default"


def test_json_serde_and_parquet_tables_by_ddl(s3, glue, athena):
    s3.create_bucket(Bucket="lake")
    glue.create_database(DatabaseInput={"Name": "default"})
    lines = [{"id": 1, "user": {"name": "ann"}, "tags": ["a"]}, {"id": 2, "user": {"name": "bob"}, "tags": []}]
    s3.put_object(Bucket="lake", Key="events/e.json", Body="\n".join(json.dumps(x) for x in lines).encode())
    ok(
        athena,
        """CREATE EXTERNAL TABLE events (id int, `user` struct<name:string>, tags array<string>)
           ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
           LOCATION 's3://lake/events/'""",
    )
    rows, _ = ok(athena, 'SELECT id, "user".name AS who, cardinality(tags) AS n FROM events ORDER BY id')
    assert rows == [["id", "who", "n"], ["1", "ann", "1"], ["2", "bob", "0"]]
    t = glue.get_table(DatabaseName="default", Name="events")["Table"]
    assert t["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert t["StorageDescriptor"]["Columns"][1] == {"Name": "user", "Type": "struct<name:string>"}


def test_ctas_and_insert_into(s3, glue, athena):
    s3.create_bucket(Bucket="lake")
    glue.create_database(DatabaseInput={"Name": "default"})
    s3.put_object(Bucket="lake", Key="raw/r.csv", Body=b"id,region,amount\n1,eu,1.5\n2,us,2.5\n3,eu,4\n")
    ok(
        athena,
        "CREATE EXTERNAL TABLE raw (id bigint, region string, amount double) "
        "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://lake/raw/' "
        "TBLPROPERTIES ('skip.header.line.count'='1')",
    )
    qid, e = run(
        athena,
        "CREATE TABLE summary WITH (format = 'PARQUET', external_location = 's3://lake/summary/', "
        "partitioned_by = ARRAY['region']) AS SELECT count(*) AS orders, sum(amount) AS total, region FROM raw GROUP BY region",
    )
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    assert e["StatementType"] == "DDL"
    r = athena.get_query_results(QueryExecutionId=qid)
    assert r["UpdateCount"] == 2 and r["ResultSet"]["Rows"] == []
    t = glue.get_table(DatabaseName="default", Name="summary")["Table"]
    assert t["StorageDescriptor"]["Columns"] == [{"Name": "orders", "Type": "bigint"}, {"Name": "total", "Type": "double"}]
    assert t["PartitionKeys"] == [{"Name": "region", "Type": "string"}]
    assert t["StorageDescriptor"]["Location"] == "s3://lake/summary/"
    assert t["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    parts = glue.get_partitions(DatabaseName="default", TableName="summary")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == ["eu", "us"]
    rows, _ = ok(athena, "SELECT region, orders, total FROM summary ORDER BY region")
    assert rows == [["region", "orders", "total"], ["eu", "2", "5.5"], ["us", "1", "2.5"]]

    qid, e = run(athena, "INSERT INTO summary SELECT 7, 70.0, 'ap'")
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    assert e["StatementType"] == "DML"
    assert athena.get_query_results(QueryExecutionId=qid)["UpdateCount"] == 1
    rows, _ = ok(athena, "SELECT region, orders FROM summary ORDER BY region")
    assert rows == [["region", "orders"], ["ap", "7"], ["eu", "2"], ["us", "1"]]

    # The default location is under the output location, as in Athena.
    qid, e = run(athena, "CREATE TABLE copy WITH (format = 'JSON') AS SELECT id, region FROM raw WHERE amount > 2")
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    loc = glue.get_table(DatabaseName="default", Name="copy")["Table"]["StorageDescriptor"]["Location"]
    assert loc == f"{OUT}tables/{qid}/"
    rows, _ = ok(athena, "SELECT id, region FROM copy ORDER BY id")
    assert rows == [["id", "region"], ["2", "us"], ["3", "eu"]]

    _, e = run(athena, "CREATE TABLE copy AS SELECT 1 AS a")
    assert e["Status"]["StateChangeReason"] == "TABLE_ALREADY_EXISTS: Table awsdatacatalog.default.copy already exists"
    _, e = run(athena, "CREATE TABLE again WITH (external_location = 's3://lake/summary/') AS SELECT 1 AS a")
    assert e["Status"]["StateChangeReason"].startswith("HIVE_PATH_ALREADY_EXISTS")
    _, e = run(athena, "CREATE TABLE empty WITH (external_location = 's3://lake/empty/') AS SELECT * FROM raw WITH NO DATA")
    assert e["Status"]["State"] == "SUCCEEDED", e["Status"]
    rows, _ = ok(athena, "SELECT count(*) AS n FROM empty")
    assert rows == [["n"], ["0"]]
