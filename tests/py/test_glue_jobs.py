"""Glue Python shell jobs run for real through boto3: a job that reads CSV
from S3 with boto3 and writes Parquet with pyarrow, run by Step Functions'
`glue:startJobRun.sync` (the JobRun as the result, a failed run as
States.TaskFailed); its output in CloudWatch Logs; a failed run's `Glue Job
State Change` event routed by EventBridge to an SNS topic and on to a queue."""

import io
import json
import time

import pyarrow.parquet as pq
import pytest

from conftest import client
from test_s3_notifications import drain, queue
from test_stepfunctions import ROLE, machine

ACCOUNT = "000000000000"

MERGE = b'''
import io, sys
import boto3
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
from awsglue.utils import getResolvedOptions

args = getResolvedOptions(sys.argv, ["JOB_NAME", "bucket", "source", "target"])
s3 = boto3.client("s3")
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=args["bucket"], Prefix=args["source"])["Contents"]]
tables = [pcsv.read_csv(io.BytesIO(s3.get_object(Bucket=args["bucket"], Key=k)["Body"].read())) for k in sorted(keys)]
merged = pa.concat_tables(tables)
out = io.BytesIO()
pq.write_table(merged, out)
s3.put_object(Bucket=args["bucket"], Key=args["target"], Body=out.getvalue())
print(f"merged {len(keys)} files, {merged.num_rows} rows")
'''

FAILS = b'''
import sys
from awsglue.utils import getResolvedOptions
args = getResolvedOptions(sys.argv, ["JOB_NAME"])
raise ValueError("bad input for " + args["JOB_NAME"])
'''


def job(glue, s3, name, script, **kw):
    s3.put_object(Bucket="scripts", Key=f"{name}.py", Body=script)
    glue.create_job(
        Name=name,
        Role=ROLE,
        Command={"Name": "pythonshell", "ScriptLocation": f"s3://scripts/{name}.py", "PythonVersion": "3.9"},
        MaxCapacity=0.0625,
        **kw,
    )


def test_python_shell_job_merges_csv_into_parquet_through_step_functions(server, s3):
    glue, sfn, logs = client("glue", server), client("stepfunctions", server), client("logs", server)
    s3.create_bucket(Bucket="scripts")
    s3.create_bucket(Bucket="lake")
    s3.put_object(Bucket="lake", Key="raw/a.csv", Body=b"who,n\na,1\nb,2\n")
    s3.put_object(Bucket="lake", Key="raw/b.csv", Body=b"who,n\nc,3\n")
    job(glue, s3, "merge", MERGE, DefaultArguments={"--bucket": "lake", "--target": "curated/all.parquet"})
    assert glue.get_job(JobName="merge")["Job"]["Command"]["Name"] == "pythonshell"
    arn = machine(
        sfn,
        "merge",
        {
            "StartAt": "Merge",
            "States": {
                "Merge": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::glue:startJobRun.sync",
                    "Parameters": {"JobName": "merge", "Arguments": {"--source": "raw/"}},
                    "End": True,
                }
            },
        },
    )
    d = sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=arn)["executionArn"])
    deadline = time.time() + 60
    while d["status"] == "RUNNING":
        assert time.time() < deadline
        time.sleep(0.05)
        d = sfn.describe_execution(executionArn=d["executionArn"])
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    run = json.loads(d["output"])
    assert run["JobName"] == "merge"
    assert run["JobRunState"] == "SUCCEEDED"
    assert run["Id"].startswith("jr_")
    assert run["Arguments"] == {"--source": "raw/"}
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket="lake", Key="curated/all.parquet")["Body"].read()))
    assert table.to_pydict() == {"who": ["a", "b", "c"], "n": [1, 2, 3]}
    lines = [e["message"] for e in logs.get_log_events(logGroupName="/aws-glue/python-jobs/output", logStreamName=run["Id"], startFromHead=True)["events"]]
    assert "merged 2 files, 3 rows" in lines
    runs = glue.get_job_runs(JobName="merge")["JobRuns"]
    assert [r["Id"] for r in runs] == [run["Id"]]


def test_failed_job_fails_the_task_and_its_event_reaches_a_topic(server, s3):
    glue, sfn, events, sns, sqs = (client(n, server) for n in ["glue", "stepfunctions", "events", "sns", "sqs"])
    s3.create_bucket(Bucket="scripts")
    job(glue, s3, "fragile", FAILS)
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    url, qarn = queue(sqs, "alerts")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn, Attributes={"RawMessageDelivery": "true"})
    events.put_rule(
        Name="job-failed",
        EventPattern=json.dumps({"source": ["aws.glue"], "detail-type": ["Glue Job State Change"], "detail": {"state": ["FAILED", "TIMEOUT"]}}),
    )
    events.put_targets(Rule="job-failed", Targets=[{"Id": "alerts", "Arn": topic}])
    arn = machine(
        sfn,
        "fragile",
        {"StartAt": "Run", "States": {"Run": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "Parameters": {"JobName": "fragile"}, "End": True}}},
    )
    d = sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=arn)["executionArn"])
    deadline = time.time() + 60
    while d["status"] == "RUNNING":
        assert time.time() < deadline
        time.sleep(0.05)
        d = sfn.describe_execution(executionArn=d["executionArn"])
    assert d["status"] == "FAILED"
    assert d["error"] == "States.TaskFailed"
    cause = json.loads(d["cause"])
    assert cause["JobRunState"] == "FAILED"
    assert cause["ErrorMessage"] == "ValueError: bad input for fragile"
    (event,) = drain(sqs, url, 1)
    assert event["source"] == "aws.glue"
    assert event["detail-type"] == "Glue Job State Change"
    assert event["resources"] == []
    assert event["detail"] == {
        "jobName": "fragile",
        "severity": "ERROR",
        "state": "FAILED",
        "jobRunId": cause["Id"],
        "message": "ValueError: bad input for fragile",
    }
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.start_job_run(JobName="nope")
