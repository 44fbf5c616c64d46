"""boto3 as people use it against lakestack."""

import base64
import hashlib
import io
import urllib.error
import urllib.request
import zlib

import pytest
from botocore.exceptions import ClientError

from test_awscli import pattern


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def code(exc):
    return exc.value.response["Error"]["Code"]


def test_upload_file_with_default_checksums(s3, tmp_path):
    s3.create_bucket(Bucket="b3-bucket")
    data = pattern(1024 * 1024, 2)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    s3.upload_file(str(path), "b3-bucket", "f.bin")
    head = s3.head_object(Bucket="b3-bucket", Key="f.bin", ChecksumMode="ENABLED")
    # boto3 >= 1.36 sends a CRC32 with every upload; S3 stores it and returns it.
    assert head["ChecksumCRC32"] == crc32_b64(data)
    assert head["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    got = s3.get_object(Bucket="b3-bucket", Key="f.bin")["Body"].read()
    assert got == data


def test_upload_fileobj_multipart_with_checksums(s3):
    from boto3.s3.transfer import TransferConfig

    s3.create_bucket(Bucket="mp-bucket")
    data = pattern(12 * 1024 * 1024 + 5, 3)
    cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_fileobj(io.BytesIO(data), "mp-bucket", "big", Config=cfg)
    head = s3.head_object(Bucket="mp-bucket", Key="big", ChecksumMode="ENABLED")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"')
    buf = io.BytesIO()
    s3.download_fileobj("mp-bucket", "big", buf)
    assert buf.getvalue() == data


def test_ranged_gets(s3):
    s3.create_bucket(Bucket="rng-bucket")
    data = bytes(range(256)) * 4
    s3.put_object(Bucket="rng-bucket", Key="r", Body=data)
    r = s3.get_object(Bucket="rng-bucket", Key="r", Range="bytes=10-19")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert r["ContentRange"] == "bytes 10-19/1024"
    assert r["Body"].read() == data[10:20]
    r = s3.get_object(Bucket="rng-bucket", Key="r", Range="bytes=-4")
    assert r["Body"].read() == data[-4:]
    r = s3.get_object(Bucket="rng-bucket", Key="r", Range="bytes=1020-")
    assert r["Body"].read() == data[1020:]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="rng-bucket", Key="r", Range="bytes=5000-")
    assert code(e) == "InvalidRange"


def test_versioning(s3):
    s3.create_bucket(Bucket="ver-bucket")
    s3.put_bucket_versioning(Bucket="ver-bucket", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="ver-bucket", Key="k", Body=b"1")["VersionId"]
    v2 = s3.put_object(Bucket="ver-bucket", Key="k", Body=b"2")["VersionId"]
    assert s3.get_object(Bucket="ver-bucket", Key="k", VersionId=v1)["Body"].read() == b"1"
    d = s3.delete_object(Bucket="ver-bucket", Key="k")
    assert d["DeleteMarker"] is True
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="ver-bucket", Key="k")
    assert code(e) == "NoSuchKey"
    vs = s3.list_object_versions(Bucket="ver-bucket")
    assert [v["VersionId"] for v in vs["Versions"]] == [v2, v1]
    assert vs["DeleteMarkers"][0]["IsLatest"] is True


def test_error_codes(s3):
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket="nope-bucket")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    s3.create_bucket(Bucket="err-bucket")
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="err-bucket")
    assert code(e) == "BucketAlreadyOwnedByYou"
    s3.put_object(Bucket="err-bucket", Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket="err-bucket")
    assert code(e) == "BucketNotEmpty"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="err-bucket", Key="k", Body=b"y", IfNoneMatch="*")
    assert code(e) == "PreconditionFailed"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="err-bucket", Key="bad", Body=b"data", ContentMD5="1B2M2Y8AsgTpgAmY7PhCfg==")
    assert code(e) == "BadDigest"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="err-bucket", Key="bad", Body=b"data", ChecksumCRC32="AAAAAA==")
    assert code(e) == "BadDigest"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="err-bucket", Key="k", IfMatch='"0000"')
    assert code(e) == "PreconditionFailed"
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket="err-bucket", Key="k", UploadId="nope")
    assert code(e) == "NoSuchUpload"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="err-bucket")["Contents"]]
    assert keys == ["k"]


def test_delete_objects_with_crc_and_quiet(s3):
    s3.create_bucket(Bucket="del-bucket")
    for k in ["a", "b", "c"]:
        s3.put_object(Bucket="del-bucket", Key=k, Body=b"x")
    # boto3 >= 1.36 sends a CRC32 instead of Content-MD5 here.
    out = s3.delete_objects(Bucket="del-bucket", Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["a", "b"]
    out = s3.delete_objects(Bucket="del-bucket", Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in out
    assert s3.list_objects_v2(Bucket="del-bucket")["KeyCount"] == 0


def test_presigned_put_and_expiry(s3):
    s3.create_bucket(Bucket="ps-bucket")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "ps-bucket", "Key": "up.txt"}, ExpiresIn=60)
    req = urllib.request.Request(url, data=b"via presigned put", method="PUT")
    with urllib.request.urlopen(req) as r:
        assert r.status == 200
    assert s3.get_object(Bucket="ps-bucket", Key="up.txt")["Body"].read() == b"via presigned put"
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "ps-bucket", "Key": "up.txt"}, ExpiresIn=1)
    import time

    time.sleep(2.1)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url)
    assert e.value.code == 403
    assert b"Request has expired" in e.value.read()


def test_copy_and_metadata(s3):
    s3.create_bucket(Bucket="cp-bucket")
    s3.put_object(Bucket="cp-bucket", Key="src", Body=b"payload", Metadata={"owner": "me"}, ContentType="text/plain")
    s3.copy_object(Bucket="cp-bucket", Key="dst", CopySource={"Bucket": "cp-bucket", "Key": "src"})
    h = s3.head_object(Bucket="cp-bucket", Key="dst")
    assert h["Metadata"] == {"owner": "me"}
    assert h["ContentType"] == "text/plain"
    s3.copy_object(
        Bucket="cp-bucket",
        Key="src",
        CopySource={"Bucket": "cp-bucket", "Key": "src"},
        MetadataDirective="REPLACE",
        Metadata={"owner": "you"},
    )
    assert s3.head_object(Bucket="cp-bucket", Key="src")["Metadata"] == {"owner": "you"}


def multipart_form(fields, file_name, file_bytes):
    boundary = "----lakestackformboundary"
    out = bytearray()
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    out += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    out += file_bytes + f"\r\n--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def test_browser_post_upload_with_policy(s3):
    s3.create_bucket(Bucket="post-bucket")
    post = s3.generate_presigned_post(
        "post-bucket",
        "uploads/${filename}",
        Fields={"success_action_status": "201"},
        Conditions=[["starts-with", "$key", "uploads/"], {"success_action_status": "201"}, ["content-length-range", 1, 1024]],
        ExpiresIn=60,
    )
    body, ctype = multipart_form(post["fields"], "hello.txt", b"posted from a browser")
    req = urllib.request.Request(post["url"], data=body, method="POST", headers={"Content-Type": ctype})
    with urllib.request.urlopen(req) as r:
        assert r.status == 201
        assert b"<Key>uploads/hello.txt</Key>" in r.read()
    got = s3.get_object(Bucket="post-bucket", Key="uploads/hello.txt")["Body"].read()
    assert got == b"posted from a browser"

    # The policy is enforced: a file over content-length-range is refused.
    body, ctype = multipart_form(post["fields"], "big.txt", b"x" * 2048)
    req = urllib.request.Request(post["url"], data=body, method="POST", headers={"Content-Type": ctype})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    assert e.value.code == 400
    assert b"EntityTooLarge" in e.value.read()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="post-bucket")["Contents"]]
    assert keys == ["uploads/hello.txt"]


@pytest.fixture
def strict_server():
    from conftest import Server

    s = Server("--ephemeral", "--auth", "strict", "--keys", "AKIDLAKE:s3cr3t")
    yield s
    s.stop()


def _sigv2(string_to_sign):
    import hmac

    return base64.b64encode(hmac.new(b"s3cr3t", string_to_sign.encode(), hashlib.sha1).digest()).decode()


def _error(req):
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req)
    body = e.value.read().decode()
    return e.value.code, body.split("<Code>")[1].split("</Code>")[0], body


def test_strict_auth_bounds_sigv2_and_presigned_lifetimes(strict_server):
    import email.utils
    import time
    import urllib.parse

    from botocore.config import Config
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=strict_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDLAKE",
        aws_secret_access_key="s3cr3t",
        config=Config(retries={"max_attempts": 1}, signature_version="s3v4"),
    )
    s3.create_bucket(Bucket="sig-v2")
    s3.put_object(Bucket="sig-v2", Key="k", Body=b"signed")
    url = f"{strict_server.endpoint}/sig-v2/k"

    # Header-signed SigV2 (HMAC-SHA1): today's date passes, one from 2019 is refused.
    def header_signed(date, amz_date=None):
        headers = {"Date": date}
        if amz_date:
            headers["x-amz-date"] = amz_date
            sts = f"GET\n\n\n\nx-amz-date:{amz_date}\n/sig-v2/k"
        else:
            sts = f"GET\n\n\n{date}\n/sig-v2/k"
        headers["Authorization"] = f"AWS AKIDLAKE:{_sigv2(sts)}"
        return urllib.request.Request(url, headers=headers)

    now = email.utils.formatdate(usegmt=True)
    with urllib.request.urlopen(header_signed(now)) as r:
        assert r.read() == b"signed"
    old = "Tue, 01 Jan 2019 00:00:00 GMT"
    status, err, body = _error(header_signed(old))
    assert (status, err) == (403, "RequestTimeTooSkewed")
    assert "<Message>The difference between the request time and the current time is too large.</Message>" in body
    # x-amz-date is the signed date when present: an old one is refused too.
    status, err, _ = _error(header_signed(now, amz_date=old))
    assert (status, err) == (403, "RequestTimeTooSkewed")

    # SigV2 presigned URLs: within Expires they work, past it they are refused.
    def presigned_v2(expires):
        sig = urllib.parse.quote(_sigv2(f"GET\n\n\n{expires}\n/sig-v2/k"), safe="")
        return f"{url}?AWSAccessKeyId=AKIDLAKE&Expires={expires}&Signature={sig}"

    with urllib.request.urlopen(presigned_v2(int(time.time()) + 60)) as r:
        assert r.read() == b"signed"
    status, err, body = _error(presigned_v2(int(time.time()) - 60))
    assert (status, err) == (403, "AccessDenied")
    assert "<Message>Request has expired</Message>" in body

    # SigV4 presigned URLs may live a week at most, as in permissive mode.
    week = s3.generate_presigned_url("get_object", Params={"Bucket": "sig-v2", "Key": "k"}, ExpiresIn=604800)
    with urllib.request.urlopen(week) as r:
        assert r.read() == b"signed"
    eight_days = s3.generate_presigned_url("get_object", Params={"Bucket": "sig-v2", "Key": "k"}, ExpiresIn=8 * 86400)
    status, err, body = _error(eight_days)
    assert (status, err) == (400, "AuthorizationQueryParametersError")
    assert (
        "<Message>X-Amz-Expires must be less than a week (in seconds) that is, "
        "the given X-Amz-Expires must be less than 604800 seconds</Message>"
    ) in body


def test_keys_xml_cannot_carry_are_listed_well_formed(s3, server):
    import xml.etree.ElementTree as ET

    s3.create_bucket(Bucket="ctl-bucket")
    keys = ["a\x00b", "c\rd", "e\x1ff", "plain & <ok>"]
    for k in keys:
        s3.put_object(Bucket="ctl-bucket", Key=k, Body=b"x")
    assert s3.get_object(Bucket="ctl-bucket", Key="a\x00b")["Body"].read() == b"x"
    # boto3 asks for encoding-type=url and decodes what it gets.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="ctl-bucket")["Contents"]] == keys
    assert [o["Key"] for o in s3.list_objects(Bucket="ctl-bucket")["Contents"]] == keys
    assert [v["Key"] for v in s3.list_object_versions(Bucket="ctl-bucket")["Versions"]] == keys
    # Without encoding-type the page is url-encoded anyway, and says so.
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    for query in ["list-type=2", "", "versions"]:
        with urllib.request.urlopen(f"{server.endpoint}/ctl-bucket?{query}") as r:
            root = ET.fromstring(r.read())
        got = [k.text for k in root.iter(f"{ns}Key")]
        assert got == ["a%00b", "c%0Dd", "e%1Ff", "plain+%26+%3Cok%3E"], query
        assert root.find(f"{ns}EncodingType").text == "url", query
