"""Step Functions test cases from a mock configuration (the AWS local tool's
MockConfigFile.json, given by --mock-config): StartExecution on
`<state machine ARN>#<test case>` answers the named Task states with mocked
responses, invocation by invocation (retries count), while the states the
test case leaves alone call the real services."""

import json
import subprocess

import pytest

from conftest import BIN, Server, client, finish

ROLE = "arn:aws:iam::000000000000:role/sf"
ORDER = {"id": "o-7"}

MOCKS = {
    "StateMachines": {
        "orders": {
            "TestCases": {
                "HappyPath": {"Enrich": "EnrichOk", "Notify": "NotifyOk"},
                "RetryPath": {"Enrich": "EnrichFlaky", "Notify": "NotifyOk"},
                "FailPath": {"Enrich": "EnrichBroken"},
                "ShortPath": {"Enrich": "EnrichOnceThenNothing"},
            }
        },
        "orders-jsonata": {
            "TestCases": {
                "HappyPath": {"Enrich": "EnrichOk", "Notify": "NotifyOk"},
                "RetryPath": {"Enrich": "EnrichFlaky", "Notify": "NotifyOk"},
                "FailPath": {"Enrich": "EnrichBroken"},
            }
        },
    },
    "MockedResponses": {
        "EnrichOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"tier": "gold"}}}},
        "EnrichFlaky": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded."}},
            "2": {"Return": {"StatusCode": 200, "Payload": {"tier": "silver"}}},
        },
        "EnrichBroken": {"0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "boom"}}},
        "EnrichOnceThenNothing": {
            "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded."}}
        },
        "NotifyOk": {"0": {"Return": {"MessageId": "m-1"}}},
    },
}

DEFINITION = {
    "StartAt": "Enrich",
    "States": {
        "Enrich": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "enrich", "Payload.$": "$"},
            "ResultSelector": {"tier.$": "$.Payload.tier"},
            "ResultPath": "$.enriched",
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 5, "MaxAttempts": 3}],
            "Next": "Store",
        },
        # Not in any test case: a real S3 call.
        "Store": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
            "Parameters": {"Bucket": "output", "Key.$": "States.Format('{}.json', $.id)", "Body.$": "$.enriched"},
            "ResultPath": None,
            "Next": "Notify",
        },
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:000000000000:orders", "Message.$": "$.id"},
            "ResultSelector": {"id.$": "$.MessageId"},
            "ResultPath": "$.notified",
            "End": True,
        },
    },
}


# The same machine in JSONata: the mocked responses are `$states.result`.
JSONATA_DEFINITION = {
    "QueryLanguage": "JSONata",
    "StartAt": "Enrich",
    "States": {
        "Enrich": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "enrich", "Payload": "{% $states.input %}"},
            "Assign": {"tier": "{% $states.result.Payload.tier %}"},
            "Output": "{% $states.input %}",
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 5, "MaxAttempts": 3}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Output": {"failed": "{% $states.errorOutput.Error %}", "why": "{% $states.errorOutput.Cause %}"}, "Next": "Failed"}],
            "Next": "Store",
        },
        "Store": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
            "Arguments": {"Bucket": "output", "Key": "{% $states.input.id & '.json' %}", "Body": {"tier": "{% $tier %}"}},
            "Output": "{% $states.input %}",
            "Next": "Notify",
        },
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Arguments": {"TopicArn": "arn:aws:sns:us-east-1:000000000000:orders", "Message": "{% $states.input.id %}"},
            "Output": {"id": "{% $states.input.id %}", "tier": "{% $tier %}", "message": "{% $states.result.MessageId %}"},
            "End": True,
        },
        "Failed": {"Type": "Fail", "Error": "{% $states.input.failed %}", "Cause": "{% $states.input.why %}"},
    },
}


@pytest.fixture
def mocked(tmp_path):
    config = tmp_path / "MockConfigFile.json"
    config.write_text(json.dumps(MOCKS))
    s = Server("--ephemeral", "--wait-time-scale", "0", "--mock-config", str(config))
    yield s
    s.stop()


def task_events(sfn, execution):
    events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    return [e["type"] for e in events if e["type"].startswith("Task") and e["type"] != "TaskStateEntered"]


def test_test_cases_answer_with_their_mocked_responses(mocked):
    sfn, s3 = client("stepfunctions", mocked), client("s3", mocked)
    s3.create_bucket(Bucket="output")
    arn = sfn.create_state_machine(name="orders", definition=json.dumps(DEFINITION), roleArn=ROLE)["stateMachineArn"]

    happy = finish(sfn, arn + "#HappyPath", ORDER)
    assert happy["status"] == "SUCCEEDED", happy
    assert happy["stateMachineArn"] == arn
    assert json.loads(happy["output"]) == {"id": "o-7", "enriched": {"tier": "gold"}, "notified": {"id": "m-1"}}
    # The state no test case names really ran.
    assert json.loads(s3.get_object(Bucket="output", Key="o-7.json")["Body"].read()) == {"tier": "gold"}

    # Retries count as invocations: two throws, then the third answer.
    retry = finish(sfn, arn + "#RetryPath", ORDER)
    assert retry["status"] == "SUCCEEDED", retry
    assert json.loads(retry["output"])["enriched"] == {"tier": "silver"}
    assert task_events(sfn, retry["executionArn"]) == [
        "TaskScheduled", "TaskStarted", "TaskFailed",
        "TaskScheduled", "TaskStarted", "TaskFailed",
        "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
        "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
        "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
    ]

    failed = finish(sfn, arn + "#FailPath", ORDER)
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Lambda.ServiceException", "boom")

    # A retry past the listed invocations has no response: the execution fails.
    short = finish(sfn, arn + "#ShortPath", ORDER)
    assert short["status"] == "FAILED"
    assert short["error"] == "States.Runtime"

    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=arn + "#NoSuchCase")

    # Without a test case every Task calls its service: the function does not exist here.
    real = finish(sfn, arn, ORDER)
    assert (real["status"], real["error"]) == ("FAILED", "Lambda.ResourceNotFoundException")
    assert real["cause"].startswith("Function not found: arn:aws:lambda:us-east-1:")


def test_a_malformed_mock_configuration_stops_the_server_at_start(tmp_path):
    config = tmp_path / "MockConfigFile.json"
    config.write_text(json.dumps({"StateMachines": {}, "MockedResponses": {"R": {"2-1": {"Return": 1}}}}))
    done = subprocess.run(
        [BIN, "--ephemeral", "--port", "0", "--mock-config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert '"2-1"' in done.stderr and "MockConfigFile.json" in done.stderr


def test_test_cases_answer_jsonata_states(mocked):
    sfn, s3 = client("stepfunctions", mocked), client("s3", mocked)
    s3.create_bucket(Bucket="output")
    arn = sfn.create_state_machine(name="orders-jsonata", definition=json.dumps(JSONATA_DEFINITION), roleArn=ROLE)["stateMachineArn"]

    happy = finish(sfn, arn + "#HappyPath", ORDER)
    assert happy["status"] == "SUCCEEDED", happy
    assert json.loads(happy["output"]) == {"id": "o-7", "tier": "gold", "message": "m-1"}
    assert json.loads(s3.get_object(Bucket="output", Key="o-7.json")["Body"].read()) == {"tier": "gold"}

    retry = finish(sfn, arn + "#RetryPath", ORDER)
    assert json.loads(retry["output"]) == {"id": "o-7", "tier": "silver", "message": "m-1"}

    failed = finish(sfn, arn + "#FailPath", ORDER)
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Lambda.ServiceException", "boom")
