"""aws-cli as people use it against lakestack."""

import hashlib
import urllib.request


def pattern(n, seed):
    # Deterministic, incompressible-looking bytes.
    out = bytearray()
    block = hashlib.sha256(bytes([seed])).digest()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:n])


def test_cp_40_mib_multipart_round_trip(aws, s3, tmp_path):
    aws("s3", "mb", "s3://cli-bucket")
    src = tmp_path / "big.bin"
    data = pattern(40 * 1024 * 1024, 1)
    src.write_bytes(data)
    aws("s3", "cp", str(src), "s3://cli-bucket/data/big.bin")
    head = s3.head_object(Bucket="cli-bucket", Key="data/big.bin")
    assert head["ContentLength"] == len(data)
    # aws-cli uploads 8 MiB parts: a multipart ETag with 5 parts.
    assert head["ETag"].endswith('-5"')
    dst = tmp_path / "back.bin"
    aws("s3", "cp", "s3://cli-bucket/data/big.bin", str(dst))
    assert dst.read_bytes() == data


def test_sync_up_and_down(aws, tmp_path):
    aws("s3", "mb", "s3://sync-bucket")
    up = tmp_path / "up"
    (up / "nested" / "deeper").mkdir(parents=True)
    files = {
        "a.txt": b"alpha",
        "nested/b.csv": b"id,v\n1,2\n",
        "nested/deeper/c.json": b'{"x": 1}',
        "empty": b"",
    }
    for name, body in files.items():
        (up / name).write_bytes(body)
    out = aws("s3", "sync", str(up), "s3://sync-bucket/prefix").stdout
    assert out.count("upload:") == 4
    # A second sync has nothing to do.
    assert "upload:" not in aws("s3", "sync", str(up), "s3://sync-bucket/prefix").stdout
    listing = aws("s3", "ls", "--recursive", "s3://sync-bucket/prefix/").stdout
    keys = sorted(line.split()[-1] for line in listing.splitlines())
    assert keys == sorted(f"prefix/{k}" for k in files)
    down = tmp_path / "down"
    aws("s3", "sync", "s3://sync-bucket/prefix", str(down))
    for name, body in files.items():
        assert (down / name).read_bytes() == body
    aws("s3", "rm", "--recursive", "s3://sync-bucket/prefix")
    assert aws("s3", "ls", "--recursive", "s3://sync-bucket/").stdout == ""
    aws("s3", "rb", "s3://sync-bucket")


def test_ls_prefixes(aws, tmp_path):
    aws("s3", "mb", "s3://ls-bucket")
    body = tmp_path / "body"
    body.write_bytes(b"x")
    for key in ["year=2024/month=01/a.parquet", "year=2024/month=02/b.parquet", "top.txt"]:
        aws("s3api", "put-object", "--bucket", "ls-bucket", "--key", key, "--body", str(body))
    out = aws("s3", "ls", "s3://ls-bucket/").stdout
    assert "PRE year=2024/" in out
    assert "top.txt" in out
    out = aws("s3", "ls", "s3://ls-bucket/year=2024/").stdout.split()
    assert "month=01/" in out and "month=02/" in out


def test_presign_then_plain_http_get(aws, s3):
    s3.create_bucket(Bucket="pre-bucket")
    s3.put_object(Bucket="pre-bucket", Key="doc.txt", Body=b"shared via url")
    url = aws("s3", "presign", "s3://pre-bucket/doc.txt", "--expires-in", "60").stdout.strip()
    with urllib.request.urlopen(url) as r:
        assert r.status == 200
        assert r.read() == b"shared via url"


def test_s3api_errors(aws):
    aws("s3", "mb", "s3://err-bucket")
    p = aws("s3api", "get-object", "--bucket", "err-bucket", "--key", "missing", "/dev/null", check=False)
    assert p.returncode != 0
    assert "NoSuchKey" in p.stderr
    p = aws("s3", "mb", "s3://err-bucket", check=False)
    assert p.returncode != 0
    assert "BucketAlreadyOwnedByYou" in p.stderr
    p = aws("s3api", "create-bucket", "--bucket", "Bad_Name", check=False)
    assert "InvalidBucketName" in p.stderr


def test_stepfunctions_from_the_cli(aws, tmp_path):
    import json
    import time

    definition = tmp_path / "machine.json"
    definition.write_text(
        json.dumps(
            {
                "StartAt": "Greet",
                "States": {
                    "Greet": {"Type": "Pass", "Parameters": {"msg.$": "States.Format('hi {}', $.who)"}, "End": True}
                },
            }
        )
    )
    created = json.loads(
        aws(
            "stepfunctions", "create-state-machine", "--name", "greeter",
            "--definition", f"file://{definition}", "--role-arn", "arn:aws:iam::000000000000:role/sf",
        ).stdout
    )
    arn = created["stateMachineArn"]
    assert arn == "arn:aws:states:us-east-1:000000000000:stateMachine:greeter"
    started = json.loads(
        aws("stepfunctions", "start-execution", "--state-machine-arn", arn, "--name", "run-1", "--input", '{"who": "cli"}').stdout
    )
    assert started["executionArn"] == "arn:aws:states:us-east-1:000000000000:execution:greeter:run-1"
    deadline = time.time() + 30
    while True:
        d = json.loads(aws("stepfunctions", "describe-execution", "--execution-arn", started["executionArn"]).stdout)
        if d["status"] != "RUNNING" or time.time() > deadline:
            break
        time.sleep(0.05)
    assert (d["status"], json.loads(d["output"])) == ("SUCCEEDED", {"msg": "hi cli"})
    history = json.loads(
        aws("stepfunctions", "get-execution-history", "--execution-arn", started["executionArn"]).stdout
    )
    assert [e["type"] for e in history["events"]] == [
        "ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded",
    ]
    bad = aws("stepfunctions", "describe-execution", "--execution-arn", started["executionArn"] + "x", check=False)
    # aws-cli v1 (the one the test venv pins) exits 255 on a service error.
    assert bad.returncode == 255 and "ExecutionDoesNotExist" in bad.stderr
