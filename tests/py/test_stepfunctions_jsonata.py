"""Step Functions JSONata and variables through boto3: every execution case
kept as data in crates/stepfn/tests/runtime (its README), except those that
call the Rust tests' fake service, run against the server with exact
outputs, errors, causes, event types and assigned variables."""

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
