"""Step Functions JSONata and variables through boto3: every execution case
kept as data in crates/stepfn/tests/runtime (its README), except those that
call the Rust tests' fake service, run against the server with exact
outputs, errors, causes, event types and assigned variables; and the
data-lake pipeline written in JSONata, through the real S3, Glue, Athena
and nested-execution integrations, with their result shapes."""

import json
import pathlib

import pytest

from conftest import client, finish
from test_stepfunctions import ROLE

CASES = pathlib.Path(__file__).resolve().parents[2] / "crates/stepfn/tests/runtime"
TOPICS = ["jsonata", "variables"]


def cases():
    for topic in TOPICS:
        for f in sorted((CASES / topic).glob("*.json")):
            yield pytest.param(json.loads(f.read_text()), id=f"{topic}/{f.stem}")


@pytest.mark.parametrize("case", list(cases()))
def test_case(fast, case):
    sfn = client("stepfunctions", fast)
    arn = sfn.create_state_machine(name="m", definition=json.dumps(case["definition"]), roleArn=ROLE)["stateMachineArn"]
    d = finish(sfn, arn, case["input"])
    if "output" in case:
        assert d["status"] == "SUCCEEDED", d
        assert json.loads(d["output"]) == case["output"]
    if "error" in case:
        assert d["status"] == "FAILED", d
        assert d["error"] == case["error"]
    if "cause" in case:
        assert d["cause"] == case["cause"]
    events = sfn.get_execution_history(executionArn=d["executionArn"], maxResults=1000)["events"]
    if "events" in case:
        assert [e["type"] for e in events] == case["events"]
    if "assigned" in case:
        got = [e["stateExitedEventDetails"]["assignedVariables"] for e in events if "assignedVariables" in e.get("stateExitedEventDetails", {})]
        assert got == case["assigned"]
    failed = [e for e in events if e["type"] == "EvaluationFailed"]
    for e in failed:
        details = e["evaluationFailedEventDetails"]
        assert details["error"] == "States.QueryEvaluationError"
        assert details["cause"] == d.get("cause", details["cause"])
        assert details["state"] and details["location"]


def test_test_state_runs_jsonata_with_variables(fast):
    from test_stepfunctions import sync_client

    sfn = sync_client(fast)
    pass_state = {
        "QueryLanguage": "JSONata",
        "Type": "Pass",
        "Assign": {"total": "{% $sum($states.input.items) + $bias %}"},
        "Output": {"n": "{% $count($states.input.items) %}", "bias": "{% $bias %}"},
        "Next": "After",
    }
    r = sfn.test_state(
        definition=json.dumps(pass_state),
        input=json.dumps({"items": [1, 2, 3]}),
        variables=json.dumps({"bias": 10}),
        inspectionLevel="TRACE",
    )
    assert r["status"] == "SUCCEEDED"
    assert json.loads(r["output"]) == {"n": 3, "bias": 10}
    assert r["nextState"] == "After"
    assert json.loads(r["inspectionData"]["input"]) == {"items": [1, 2, 3]}
    assert json.loads(r["inspectionData"]["variables"]) == {"bias": 10, "total": 16}

    task = {
        "QueryLanguage": "JSONata",
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
        "Catch": [{"ErrorEquals": ["States.ALL"], "Output": {"failed": "{% $states.errorOutput.Error %}"}, "Assign": {"why": "{% $states.errorOutput.Cause %}"}, "Next": "Handle"}],
        "End": True,
    }
    r = sfn.test_state(
        definition=json.dumps(task),
        input=json.dumps({"k": 1}),
        mock={"errorOutput": {"error": "Lambda.Unknown", "cause": "boom"}},
        inspectionLevel="DEBUG",
    )
    assert r["status"] == "CAUGHT_ERROR"
    assert json.loads(r["output"]) == {"failed": "Lambda.Unknown"}
    assert r["nextState"] == "Handle"
    assert json.loads(r["inspectionData"]["afterArguments"]) == {"FunctionName": "f", "Payload": {"k": 1}}
    assert r["inspectionData"]["errorDetails"] == {"catchIndex": 0}
    assert json.loads(r["inspectionData"]["variables"]) == {"why": "boom"}

    choice = {
        "QueryLanguage": "JSONata",
        "Type": "Choice",
        "Choices": [{"Condition": "{% $states.input.n > $limit %}", "Next": "Big"}],
        "Default": "Small",
    }
    r = sfn.test_state(definition=json.dumps(choice), input=json.dumps({"n": 5}), variables=json.dumps({"limit": 3}))
    assert (r["status"], r["nextState"], json.loads(r["output"])) == ("SUCCEEDED", "Big", {"n": 5})


def test_test_state_reads_and_assigns_variables_in_jsonpath(fast):
    from test_stepfunctions import sync_client

    sfn = sync_client(fast)
    pass_state = {
        "Type": "Pass",
        "Parameters": {"sum.$": "States.MathAdd($.n, $bias)", "who.$": "$user.name"},
        "Assign": {"last.$": "$.sum", "seen.$": "$user.name"},
        "ResultPath": "$.out",
        "Next": "After",
    }
    r = sfn.test_state(
        definition=json.dumps(pass_state),
        input=json.dumps({"n": 2}),
        variables=json.dumps({"bias": 40, "user": {"name": "ana"}}),
        inspectionLevel="DEBUG",
    )
    assert r["status"] == "SUCCEEDED", r
    assert json.loads(r["output"]) == {"n": 2, "out": {"sum": 42, "who": "ana"}}
    assert json.loads(r["inspectionData"]["afterParameters"]) == {"sum": 42, "who": "ana"}
    assert json.loads(r["inspectionData"]["variables"]) == {"bias": 40, "user": {"name": "ana"}, "last": 42, "seen": "ana"}

    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName.$": "$fn", "Payload.$": "$"},
        "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"why.$": "$.Cause"}, "ResultPath": "$.error", "Next": "Handle"}],
        "End": True,
    }
    r = sfn.test_state(
        definition=json.dumps(task),
        input=json.dumps({"k": 1}),
        variables=json.dumps({"fn": "f"}),
        mock={"errorOutput": {"error": "Lambda.Unknown", "cause": "boom"}},
        inspectionLevel="DEBUG",
    )
    assert r["status"] == "CAUGHT_ERROR", r
    assert json.loads(r["inspectionData"]["afterParameters"]) == {"FunctionName": "f", "Payload": {"k": 1}}
    assert json.loads(r["output"]) == {"k": 1, "error": {"Error": "Lambda.Unknown", "Cause": "boom"}}
    assert json.loads(r["inspectionData"]["variables"]) == {"fn": "f", "why": "boom"}


def test_pipeline_in_jsonata_through_real_integrations(fast):
    from test_stepfunctions import seed_events

    sfn = client("stepfunctions", fast)
    s3 = seed_events(fast)
    child = sfn.create_state_machine(
        name="label",
        roleArn=ROLE,
        definition=json.dumps({
            "QueryLanguage": "JSONata",
            "StartAt": "Label",
            "States": {"Label": {"Type": "Pass", "Output": {"label": "{% $uppercase($states.input.who) & '=' & $states.input.total %}"}, "End": True}},
        }),
    )["stateMachineArn"]
    results = "s3://lake/athena/"
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Crawl",
        "States": {
            "Crawl": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler", "Arguments": {"Name": "{% $states.input.crawler %}"},
                      "Assign": {"crawler": "{% $states.input.crawler %}", "polls": 0}, "Output": {}, "Next": "Poll"},
            "Poll": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getCrawler", "Arguments": {"Name": "{% $crawler %}"},
                     "Assign": {"polls": "{% $polls + 1 %}"}, "Output": {"state": "{% $states.result.Crawler.State %}"}, "Next": "Ready?"},
            "Ready?": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.state = 'READY' %}", "Next": "Query"}], "Default": "Later"},
            "Later": {"Type": "Wait", "Seconds": 30, "Next": "Poll"},
            "Query": {
                "Type": "Task",
                "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                "Arguments": {"QueryString": "SELECT who, sum(n) AS total FROM lake.events GROUP BY who ORDER BY who", "ResultConfiguration": {"OutputLocation": results}},
                "Assign": {"queryId": "{% $states.result.QueryExecution.QueryExecutionId %}", "state": "{% $states.result.QueryExecution.Status.State %}"},
                "Next": "Rows",
            },
            "Rows": {
                "Type": "Task",
                "Resource": "arn:aws:states:::athena:getQueryResults",
                "Arguments": {"QueryExecutionId": "{% $queryId %}"},
                "Output": "{% $states.result.ResultSet.Rows[[1..100]].{'who': Data[0].VarCharValue, 'total': $number(Data[1].VarCharValue)} %}",
                "Next": "Label each",
            },
            "Label each": {
                "Type": "Map",
                "Items": "{% $states.input %}",
                "ItemProcessor": {"StartAt": "Child", "States": {"Child": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Arguments": {"StateMachineArn": child, "Input": "{% $states.input %}"},
                    "Output": "{% $states.result.Output.label %}",
                    "End": True,
                }}},
                "Next": "Save",
            },
            "Save": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Arguments": {"Bucket": "lake", "Key": "{% 'reports/' & $queryId & '.json' %}", "Body": "{% $string($states.input) %}", "ContentType": "application/json"},
                "Output": {"labels": "{% $states.input %}", "etag": "{% $exists($states.result.ETag) %}", "state": "{% $state %}", "polled": "{% $polls >= 1 %}"},
                "End": True,
            },
        },
    }
    arn = sfn.create_state_machine(name="lake-jsonata", roleArn=ROLE, definition=json.dumps(definition))["stateMachineArn"]
    d = finish(sfn, arn, {"crawler": "raw"})
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    assert json.loads(d["output"]) == {"labels": ["A=8", "B=4"], "etag": True, "state": "SUCCEEDED", "polled": True}
    events = sfn.get_execution_history(executionArn=d["executionArn"], maxResults=1000)["events"]
    query = next(e for e in events if e.get("stateExitedEventDetails", {}).get("name") == "Query")
    query_id = json.loads(query["stateExitedEventDetails"]["assignedVariables"]["queryId"])
    saved = s3.get_object(Bucket="lake", Key=f"reports/{query_id}.json")["Body"].read()
    assert json.loads(saved) == ["A=8", "B=4"]
