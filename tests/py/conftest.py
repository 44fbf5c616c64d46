"""Fixtures: a real lakestack binary per test on an ephemeral port, and clients for it."""

import json
import os
import subprocess
import time

import boto3
import pytest
from botocore.config import Config

BIN = os.environ.get("LAKESTACK_BIN", "target/debug/lakestack")


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [BIN, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.proc.stdout.readline()
        url = next(w for w in line.split() if w.startswith("http://"))
        self.port = int(url.rsplit(":", 1)[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def stop(self):
        # SIGTERM: an --ephemeral server removes its temporary state on the way out.
        self.proc.terminate()
        self.proc.wait()


@pytest.fixture
def server():
    s = Server("--ephemeral")
    yield s
    s.stop()


def client(service, server):
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def s3(server):
    return client("s3", server)


@pytest.fixture
def aws(server, tmp_path):
    """Runs aws-cli against the server; returns the CompletedProcess."""
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
    )

    def run(*args, check=True):
        p = subprocess.run(["aws", *args], env=env, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p

    return run


@pytest.fixture
def glue(server):
    return client("glue", server)


@pytest.fixture
def fast():
    """A server whose Step Functions waits are instant (--wait-time-scale 0)."""
    s = Server("--ephemeral", "--wait-time-scale", "0")
    yield s
    s.stop()


def finish(sfn, arn, input=None, name=None):
    """Starts an execution and polls it to its end; answers DescribeExecution."""
    args = {"stateMachineArn": arn, "input": json.dumps(input or {})}
    if name:
        args["name"] = name
    execution = sfn.start_execution(**args)["executionArn"]
    deadline = time.time() + 60
    while True:
        d = sfn.describe_execution(executionArn=execution)
        if d["status"] != "RUNNING":
            return d
        assert time.time() < deadline, d
        time.sleep(0.02)
