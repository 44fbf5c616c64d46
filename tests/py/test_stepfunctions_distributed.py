"""The distributed Map through boto3, over lakestack's own S3: items read by
ItemReader from a CSV object or a listing, ItemSelector and ItemBatcher,
child executions, results exported by ResultWriter (manifest.json and
SUCCEEDED_0.json as AWS lays them out), and the tolerated failure threshold."""

import json

import pytest

from conftest import client, finish

ROLE = "arn:aws:iam::000000000000:role/sf"


def kinds(sfn, execution):
    return [e["type"] for e in sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]]


def distributed(processor_states, start, **fields):
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": start,
                    "States": processor_states,
                },
                "End": True,
                **fields,
            }
        },
    }


def test_csv_items_in_batches_exported_by_result_writer(fast):
    sfn, s3 = client("stepfunctions", fast), client("s3", fast)
    s3.create_bucket(Bucket="input")
    s3.create_bucket(Bucket="output")
    s3.put_object(Bucket="input", Key="orders.csv", Body=b"id,amount\n1,10\n2,25\n3,7\n4,40\n5,3\n")
    definition = distributed(
        {
            "Sum": {
                "Type": "Pass",
                "Parameters": {
                    "n.$": "States.ArrayLength($.Items)",
                    "currency.$": "$.BatchInput.currency",
                    "ids.$": "$.Items[*].id",
                    "amounts.$": "$.Items[*].amount",
                },
                "End": True,
            }
        },
        "Sum",
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            "Parameters": {"Bucket": "input", "Key.$": "$.key"},
        },
        ItemSelector={"id.$": "$$.Map.Item.Value.id", "amount.$": "States.StringToJson($$.Map.Item.Value.amount)"},
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"currency": "EUR"}},
        ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "output", "Prefix": "runs"}},
    )
    arn = sfn.create_state_machine(name="orders", definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    done = finish(sfn, arn, {"key": "orders.csv"})
    assert done["status"] == "SUCCEEDED", done
    output = json.loads(done["output"])
    map_run = output["MapRunArn"]
    run_id = map_run.rsplit(":", 1)[1]
    assert map_run == f"arn:aws:states:us-east-1:000000000000:mapRun:orders/Each:{run_id}"
    assert output["ResultWriterDetails"] == {"Bucket": "output", "Key": f"runs/{run_id}/manifest.json"}
    assert kinds(sfn, done["executionArn"]) == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]

    described = sfn.describe_map_run(mapRunArn=map_run)
    assert (described["executionArn"], described["status"]) == (done["executionArn"], "SUCCEEDED")
    def counts(n):
        return {"pending": 0, "running": 0, "succeeded": n, "failed": 0, "timedOut": 0, "aborted": 0, "total": n,
                "resultsWritten": n, "failuresNotRedrivable": 0, "pendingRedrive": 0}

    # Five items in three batches: three child executions.
    assert described["itemCounts"] == counts(5) and described["executionCounts"] == counts(3)
    assert (described["maxConcurrency"], described["toleratedFailureCount"]) == (0, 0)
    assert described["stopDate"] >= described["startDate"]
    [listed] = sfn.list_map_runs(executionArn=done["executionArn"])["mapRuns"]
    assert (listed["mapRunArn"], listed["stateMachineArn"]) == (map_run, arn + "/Each")
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_map_run(mapRunArn=map_run + "x")

    manifest = json.loads(s3.get_object(Bucket="output", Key=f"runs/{run_id}/manifest.json")["Body"].read())
    assert manifest["DestinationBucket"] == "output" and manifest["MapRunArn"] == map_run
    assert manifest["ResultFiles"]["FAILED"] == [] and manifest["ResultFiles"]["PENDING"] == []
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    assert succeeded["Key"] == f"runs/{run_id}/SUCCEEDED_0.json"
    body = s3.get_object(Bucket="output", Key=succeeded["Key"])["Body"].read()
    assert succeeded["Size"] == len(body)
    records = json.loads(body)
    assert [json.loads(r["Output"]) for r in records] == [
        {"n": 2, "currency": "EUR", "ids": ["1", "2"], "amounts": [10, 25]},
        {"n": 2, "currency": "EUR", "ids": ["3", "4"], "amounts": [7, 40]},
        {"n": 1, "currency": "EUR", "ids": ["5"], "amounts": [3]},
    ]
    assert json.loads(records[0]["Input"]) == {
        "BatchInput": {"currency": "EUR"},
        "Items": [{"id": "1", "amount": 10}, {"id": "2", "amount": 25}],
    }
    for r in records:
        assert r["Status"] == "SUCCEEDED"
        assert r["StateMachineArn"] == arn + "/Each"
        assert r["ExecutionArn"].startswith("arn:aws:states:us-east-1:000000000000:execution:orders/Each:")


def test_listed_objects_and_the_tolerated_failure_threshold(fast):
    sfn, s3 = client("stepfunctions", fast), client("s3", fast)
    s3.create_bucket(Bucket="input")
    for key, body in [("logs/a.txt", b"1"), ("logs/b.txt", b"22"), ("logs/c.txt", b"333"), ("other/d.txt", b"4")]:
        s3.put_object(Bucket="input", Key=key, Body=body)
    states = {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.Size", "NumericEquals": 2, "Next": "Reject"}],
            "Default": "Accept",
        },
        "Reject": {"Type": "Fail", "Error": "Odd", "Cause": "size 2"},
        "Accept": {"Type": "Pass", "Parameters": {"key.$": "$.Key", "size.$": "$.Size"}, "End": True},
    }
    reader = {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "input", "Prefix": "logs/"}}
    tolerant = sfn.create_state_machine(
        name="tolerant",
        definition=json.dumps(distributed(states, "Check", ItemReader=reader, ToleratedFailureCount=1)),
        roleArn=ROLE,
    )["stateMachineArn"]
    done = finish(sfn, tolerant)
    assert done["status"] == "SUCCEEDED", done
    out = json.loads(done["output"])
    assert out[0] == {"key": "logs/a.txt", "size": 1}
    assert out[2] == {"key": "logs/c.txt", "size": 3}
    assert (out[1]["Status"], out[1]["Error"], out[1]["Cause"]) == ("FAILED", "Odd", "size 2")
    assert json.loads(out[1]["Input"])["Key"] == "logs/b.txt"

    strict = sfn.create_state_machine(
        name="strict",
        definition=json.dumps(distributed(states, "Check", ItemReader=reader, MaxConcurrency=1)),
        roleArn=ROLE,
    )["stateMachineArn"]
    failed = finish(sfn, strict)
    assert (failed["status"], failed["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    [strict_run] = sfn.list_map_runs(executionArn=failed["executionArn"])["mapRuns"]
    run = sfn.describe_map_run(mapRunArn=strict_run["mapRunArn"])
    # One at a time: a, then b fails and the threshold (0) is passed; c never starts.
    assert run["status"] == "FAILED"
    assert {k: run["itemCounts"][k] for k in ("succeeded", "failed", "pending", "total")} == {
        "succeeded": 1, "failed": 1, "pending": 1, "total": 3,
    }
    assert kinds(sfn, failed["executionArn"]) == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapRunStarted",
        "MapRunFailed",
        "ExecutionFailed",
    ]


def test_a_missing_item_reader_object_fails_the_state(fast):
    sfn, s3 = client("stepfunctions", fast), client("s3", fast)
    s3.create_bucket(Bucket="input")
    definition = distributed(
        {"P": {"Type": "Pass", "End": True}},
        "P",
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "input", "Key": "missing.json"},
        },
    )
    arn = sfn.create_state_machine(name="missing", definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    done = finish(sfn, arn)
    assert (done["status"], done["error"]) == ("FAILED", "States.ItemReaderFailed")
