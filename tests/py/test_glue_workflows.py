"""Glue triggers and workflows through boto3: a nightly schedule, fired by
advancing the server's clock, starts a workflow whose triggers chain a
crawler, a Python shell job that writes Parquet, and a crawler on its output;
and an S3 upload, through an EventBridge rule, starts a workflow's EVENT
trigger."""

import json
import time

import pytest

from conftest import Server, client
from test_eventbridge import clock
from test_glue_jobs import MERGE, job
from test_stepfunctions import ROLE


@pytest.fixture
def evening():
    s = Server("--ephemeral", "--clock-start", "2026-12-07T20:00:00Z")
    yield s
    s.stop()


def finished_run(glue, workflow, timeout=60):
    deadline = time.time() + timeout
    while True:
        runs = glue.get_workflow_runs(Name=workflow)["Runs"]
        if runs and runs[0]["Status"] not in ("RUNNING", "STOPPING"):
            return runs[0]
        assert time.time() < deadline, runs
        time.sleep(0.05)


def test_nightly_workflow_crawls_converts_and_crawls_again(evening):
    s3, glue = client("s3", evening), client("glue", evening)
    for b in ["lake", "scripts"]:
        s3.create_bucket(Bucket=b)
    s3.put_object(Bucket="lake", Key="raw/day=1/a.csv", Body=b"who,n\na,1\nb,2\n")
    s3.put_object(Bucket="lake", Key="raw/day=2/b.csv", Body=b"who,n\nc,3\n")
    glue.create_database(DatabaseInput={"Name": "lake"})
    glue.create_crawler(Name="raw", Role=ROLE, DatabaseName="lake", Targets={"S3Targets": [{"Path": "s3://lake/raw/"}]})
    glue.create_crawler(Name="curated", Role=ROLE, DatabaseName="lake", Targets={"S3Targets": [{"Path": "s3://lake/curated/"}]})
    job(glue, s3, "to-parquet", MERGE, DefaultArguments={"--bucket": "lake", "--source": "raw/", "--target": "curated/all.parquet"})
    glue.create_workflow(Name="nightly")
    glue.create_trigger(
        Name="at-two", WorkflowName="nightly", Type="SCHEDULED", Schedule="cron(0 2 * * ? *)",
        Actions=[{"CrawlerName": "raw"}], StartOnCreation=True,
    )
    glue.create_trigger(
        Name="after-raw", WorkflowName="nightly", Type="CONDITIONAL", StartOnCreation=True,
        Predicate={"Conditions": [{"LogicalOperator": "EQUALS", "CrawlerName": "raw", "CrawlState": "SUCCEEDED"}]},
        Actions=[{"JobName": "to-parquet"}],
    )
    glue.create_trigger(
        Name="after-job", WorkflowName="nightly", Type="CONDITIONAL", StartOnCreation=True,
        Predicate={"Conditions": [{"LogicalOperator": "EQUALS", "JobName": "to-parquet", "State": "SUCCEEDED"}]},
        Actions=[{"CrawlerName": "curated"}],
    )
    assert glue.get_workflow_runs(Name="nightly")["Runs"] == []
    clock(evening, to="2026-12-08T02:00:00Z")
    run = finished_run(glue, "nightly")
    assert run["Status"] == "COMPLETED", run
    stats = run["Statistics"]
    assert (stats["TotalActions"], stats["SucceededActions"], stats["FailedActions"]) == (3, 3, 0)
    graph = glue.get_workflow_run(Name="nightly", RunId=run["WorkflowRunId"], IncludeGraph=True)["Run"]["Graph"]
    assert sorted((n["Type"], n["Name"]) for n in graph["Nodes"]) == [
        ("CRAWLER", "curated"), ("CRAWLER", "raw"), ("JOB", "to-parquet"),
        ("TRIGGER", "after-job"), ("TRIGGER", "after-raw"), ("TRIGGER", "at-two"),
    ]
    (job_run,) = glue.get_job_runs(JobName="to-parquet")["JobRuns"]
    assert (job_run["JobRunState"], job_run["TriggerName"]) == ("SUCCEEDED", "after-raw")
    table = glue.get_table(DatabaseName="lake", Name="curated")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["who", "n"]
    assert table["Parameters"]["classification"] == "parquet"


def test_an_upload_starts_a_workflow_through_its_event_trigger(server, s3):
    glue, events = client("glue", server), client("events", server)
    s3.create_bucket(Bucket="scripts")
    s3.create_bucket(Bucket="landing")
    s3.put_bucket_notification_configuration(Bucket="landing", NotificationConfiguration={"EventBridgeConfiguration": {}})
    job(glue, s3, "ingest", b"import sys\nfrom awsglue.utils import getResolvedOptions\nprint(getResolvedOptions(sys.argv, ['WORKFLOW_RUN_ID'])['WORKFLOW_RUN_ID'])\n")
    glue.create_workflow(Name="on-upload")
    glue.create_trigger(
        Name="upload", WorkflowName="on-upload", Type="EVENT", EventBatchingCondition={"BatchSize": 1}, StartOnCreation=True,
        Actions=[{"JobName": "ingest"}],
    )
    arn = "arn:aws:glue:us-east-1:000000000000:workflow/on-upload"
    events.put_rule(Name="to-glue", EventPattern=json.dumps({"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"bucket": {"name": ["landing"]}}}))
    events.put_targets(Rule="to-glue", Targets=[{"Id": "wf", "Arn": arn, "RoleArn": ROLE}])
    s3.put_object(Bucket="landing", Key="in/file.csv", Body=b"x\n1\n")
    run = finished_run(glue, "on-upload")
    assert run["Status"] == "COMPLETED", run
    assert run["Statistics"]["SucceededActions"] == 1
    props = glue.get_workflow_run_properties(Name="on-upload", RunId=run["WorkflowRunId"])["RunProperties"]
    assert "aws:eventIds" in props
