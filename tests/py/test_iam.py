"""IAM and STS through boto3 and aws-cli: roles with their trust policies,
managed and inline policies, users and access keys, and the identity behind
plain, IAM-issued and temporary credentials."""

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import client

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
READ_LAKE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}],
}
ACCOUNT = "000000000000"


@pytest.fixture
def iam(server):
    return client("iam", server)


@pytest.fixture
def sts(server):
    return client("sts", server)


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as e:
        call(*args, **kwargs)
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def sts_with(server, creds):
    return boto3.client(
        "sts",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"),
        config=Config(retries={"max_attempts": 1}),
    )


def test_role_round_trips_its_trust_policy(iam):
    created = iam.create_role(
        RoleName="app-role",
        Path="/svc/",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Description="runs the app",
        MaxSessionDuration=7200,
        Tags=[{"Key": "env", "Value": "dev"}],
    )["Role"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/svc/app-role"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21

    role = iam.get_role(RoleName="app-role")["Role"]
    # botocore URL-decodes and parses the document IAM returns encoded.
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["Description"] == "runs the app"
    assert role["MaxSessionDuration"] == 7200
    assert role["Tags"] == [{"Key": "env", "Value": "dev"}]
    assert role["CreateDate"].year >= 2024

    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/svc/")["Roles"]] == ["app-role"]
    assert error_of(iam.create_role, RoleName="APP-ROLE", AssumeRolePolicyDocument=json.dumps(TRUST)) == (
        "EntityAlreadyExists",
        "Role with name APP-ROLE already exists.",
    )
    assert error_of(iam.get_role, RoleName="nope") == (
        "NoSuchEntity",
        "The role with name nope cannot be found.",
    )


def test_policies_attach_and_list(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    arn = iam.create_policy(PolicyName="read-lake", PolicyDocument=json.dumps(READ_LAKE))["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/read-lake"
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    attached = iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"]
    assert sorted(p["PolicyName"] for p in attached) == ["AWSLambdaBasicExecutionRole", "read-lake"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == READ_LAKE
    assert version["IsDefaultVersion"] is True

    iam.put_role_policy(RoleName="r", PolicyName="inline", PolicyDocument=json.dumps(READ_LAKE))
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == ["inline"]
    assert iam.get_role_policy(RoleName="r", PolicyName="inline")["PolicyDocument"] == READ_LAKE

    assert error_of(iam.delete_role, RoleName="r")[0] == "DeleteConflict"
    assert error_of(iam.delete_policy, PolicyArn=arn)[0] == "DeleteConflict"
    iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    iam.detach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    iam.delete_role_policy(RoleName="r", PolicyName="inline")
    iam.delete_role(RoleName="r")
    iam.delete_policy(PolicyArn=arn)

    code, _ = error_of(iam.create_policy, PolicyName="bad", PolicyDocument="{not json")
    assert code == "MalformedPolicyDocument"


def test_plain_keys_are_the_account_root(sts):
    who = sts.get_caller_identity()
    assert (who["Account"], who["Arn"], who["UserId"]) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT)


def test_user_keys_and_assumed_roles_have_their_own_identity(server, iam, sts):
    user = iam.create_user(UserName="alice")["User"]
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40
    listed = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]]
    assert "SecretAccessKey" not in listed[0]

    as_alice = sts_with(server, key).get_caller_identity()
    assert as_alice["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert as_alice["UserId"] == user["UserId"]

    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="job-1", DurationSeconds=900)
    creds = assumed["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/job-1"
    assert assumed["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:job-1"

    as_role = sts_with(server, creds).get_caller_identity()
    assert as_role["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/job-1"
    assert as_role["UserId"] == f"{role['RoleId']}:job-1"

    code, message = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="job-1", DurationSeconds=7200)
    assert (code, message) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    code, _ = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="has space")
    assert code == "ValidationError"


def test_awscli_round_trip(aws, tmp_path):
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(TRUST))
    aws("iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", f"file://{trust}")
    role = json.loads(aws("iam", "get-role", "--role-name", "cli-role").stdout)["Role"]
    assert role["AssumeRolePolicyDocument"] == TRUST
    aws("iam", "attach-role-policy", "--role-name", "cli-role", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    attached = json.loads(aws("iam", "list-attached-role-policies", "--role-name", "cli-role").stdout)
    assert attached["AttachedPolicies"] == [
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    ]
    who = json.loads(aws("sts", "get-caller-identity").stdout)
    assert who["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    missing = aws("iam", "get-role", "--role-name", "nope", check=False)
    assert missing.returncode != 0 and "NoSuchEntity" in missing.stderr


def test_awswrangler_reads_a_query_without_an_output_location(server, glue):
    """awswrangler asks STS who it is to name its default results bucket."""
    import awswrangler as wr

    for service in ("s3", "athena", "sts", "glue"):
        setattr(wr.config, f"{service}_endpoint_url", server.endpoint)
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    glue.create_database(DatabaseInput={"Name": "lake"})
    df = wr.athena.read_sql_query(
        "SELECT 1 AS n, 'a' AS s", database="lake", ctas_approach=False, boto3_session=session
    )
    assert df.to_dict("records") == [{"n": 1, "s": "a"}]
    buckets = [b["Name"] for b in client("s3", server).list_buckets()["Buckets"]]
    assert buckets == [f"aws-athena-query-results-{ACCOUNT}-us-east-1"]


def test_access_keys_iam_creates_sign_requests_in_strict_mode():
    from conftest import Server

    s = Server("--ephemeral", "--auth", "strict", "--keys", "AKIDADMIN:adminsecret")
    try:
        def with_keys(service, ak, sk):
            return boto3.client(service, endpoint_url=s.endpoint, region_name="us-east-1", aws_access_key_id=ak,
                                aws_secret_access_key=sk, config=Config(retries={"max_attempts": 1}))

        admin = with_keys("iam", "AKIDADMIN", "adminsecret")
        admin.create_user(UserName="ci")
        key = admin.create_access_key(UserName="ci")["AccessKey"]
        s3 = with_keys("s3", key["AccessKeyId"], key["SecretAccessKey"])
        s3.create_bucket(Bucket="made-by-ci")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["made-by-ci"]
        me = with_keys("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
        assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ci"
        admin.update_access_key(UserName="ci", AccessKeyId=key["AccessKeyId"], Status="Inactive")
        with pytest.raises(ClientError) as e:
            s3.list_buckets()
        assert e.value.response["Error"]["Code"] == "InvalidAccessKeyId"
        with pytest.raises(ClientError):
            with_keys("s3", "AKIDNOBODY", "x").list_buckets()
    finally:
        s.stop()
