"""Athena views through boto3: CREATE VIEW stores the view in Glue the way
Athena does (a VIRTUAL_VIEW whose ViewOriginalText carries the Presto view
JSON), queries read through it with partition pruning, and Trino SQL runs
inside it."""

import base64
import json

from conftest import client
from test_athena_ddl import ok, run

import pytest


@pytest.fixture
def athena(server):
    return client("athena", server)


def test_view_lifecycle(s3, glue, athena):
    s3.create_bucket(Bucket="lake")
    glue.create_database(DatabaseInput={"Name": "default"})
    for day, body in [("2024-01-01", '{"id": 1, "tags": ["a", "b"], "p": "{\\"u\\": 7}"}\n'), ("2024-01-02", '{"id": 2, "tags": ["c"], "p": "{}"}\n')]:
        s3.put_object(Bucket="lake", Key=f"ev/dt={day}/part-0.json", Body=body.encode())
    ok(
        athena,
        """CREATE EXTERNAL TABLE ev (id bigint, tags array<string>, p string)
           PARTITIONED BY (dt string)
           ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
           LOCATION 's3://lake/ev/'""",
    )
    ok(athena, "MSCK REPAIR TABLE ev")

    sql = "SELECT id, dt, t, json_extract_scalar(p, '$.u') AS u, cardinality(tags) FROM ev CROSS JOIN UNNEST(tags) AS x(t)"
    rows, e = ok(athena, f"CREATE VIEW tagged AS {sql}")
    assert rows == [] and e["StatementType"] == "DDL"

    t = glue.get_table(DatabaseName="default", Name="tagged")["Table"]
    assert t["TableType"] == "VIRTUAL_VIEW"
    assert t["Parameters"] == {"comment": "Presto View", "presto_view": "true"}
    assert t["ViewExpandedText"] == "/* Presto View */"
    text = t["ViewOriginalText"]
    assert text.startswith("/* Presto View: ") and text.endswith(" */")
    view = json.loads(base64.b64decode(text[len("/* Presto View: "):-3]))
    assert view["originalSql"] == sql
    assert view["catalog"] == "awsdatacatalog" and view["schema"] == "default"
    assert view["columns"] == [
        {"name": "id", "type": "bigint"},
        {"name": "dt", "type": "varchar"},
        {"name": "t", "type": "varchar"},
        {"name": "u", "type": "varchar"},
        {"name": "_col4", "type": "bigint"},
    ]
    assert [(c["Name"], c["Type"]) for c in t["StorageDescriptor"]["Columns"]] == [
        ("id", "bigint"), ("dt", "string"), ("t", "string"), ("u", "string"), ("_col4", "bigint"),
    ]

    rows, e = ok(athena, "SELECT id, t, u, _col4 FROM tagged WHERE dt = '2024-01-01' ORDER BY t")
    assert rows == [["id", "t", "u", "_col4"], ["1", "a", "7", "2"], ["1", "b", "7", "2"]]
    scanned_one = e["Statistics"]["DataScannedInBytes"]
    _, e = ok(athena, "SELECT count(*) FROM tagged")
    assert 0 < scanned_one < e["Statistics"]["DataScannedInBytes"]

    rows, _ = ok(athena, "SHOW VIEWS")
    assert rows == [["tagged"]]
    rows, _ = ok(athena, "SHOW CREATE VIEW tagged")
    assert rows == [["CREATE VIEW awsdatacatalog.default.tagged AS"], [sql]]
    rows, _ = ok(athena, "DESCRIBE tagged")
    assert rows[0] == ["id", "bigint", ""]

    _, e = run(athena, f"CREATE VIEW tagged AS {sql}")
    assert e["Status"]["State"] == "FAILED"
    assert e["Status"]["StateChangeReason"] == "ALREADY_EXISTS: line 1:1: View already exists: 'awsdatacatalog.default.tagged'"
    ok(athena, "CREATE OR REPLACE VIEW tagged AS SELECT id FROM ev WHERE id > 1")
    rows, _ = ok(athena, "SELECT * FROM tagged")
    assert rows == [["id"], ["2"]]
    assert glue.get_table(DatabaseName="default", Name="tagged")["Table"]["VersionId"] == "1"

    _, e = run(athena, "CREATE VIEW broken AS SELECT nope FROM ev")
    assert e["Status"]["State"] == "FAILED"
    assert e["Status"]["StateChangeReason"] == "COLUMN_NOT_FOUND: line 1:30: Column 'nope' cannot be resolved"
    assert "broken" not in [t["Name"] for t in glue.get_tables(DatabaseName="default")["TableList"]]

    ok(athena, "DROP VIEW tagged")
    _, e = run(athena, "DROP VIEW tagged")
    assert e["Status"]["StateChangeReason"] == "TABLE_NOT_FOUND: line 1:1: View 'awsdatacatalog.default.tagged' does not exist"
    ok(athena, "DROP VIEW IF EXISTS tagged")
    _, e = run(athena, "SELECT * FROM tagged")
    assert e["Status"]["StateChangeReason"] == "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.default.tagged' does not exist"
