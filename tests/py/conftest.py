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


def cli(program, server, tmp_path, *flags):
    """Runs an aws-cli against the server; returns the CompletedProcess."""
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        AWS_PAGER="",
    )

    def run(*args, check=True):
        p = subprocess.run([program, *flags, *args], env=env, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p

    return run


@pytest.fixture
def aws(server, tmp_path):
    """aws-cli v1 from the venv (PyPI's awscli)."""
    return cli("aws", server, tmp_path)


# AWS CLI v2 is not on PyPI; Debian packages it (`apt-get install awscli`), which .ci/run does.
AWS2 = "/usr/bin/aws"


@pytest.fixture
def aws2(server, tmp_path):
    """AWS CLI v2 (commands v1 lacks, such as `aws logs tail`)."""
    version = subprocess.run([AWS2, "--version"], capture_output=True, text=True) if os.path.exists(AWS2) else None
    if version is None or not version.stdout.startswith("aws-cli/2"):
        pytest.skip("AWS CLI v2 is not installed at /usr/bin/aws (Debian's awscli package)")
    # Debian's v2 predates AWS_ENDPOINT_URL: the flag says it.
    return cli(AWS2, server, tmp_path, "--endpoint-url", server.endpoint)


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
