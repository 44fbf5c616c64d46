# A Python shell job that succeeds: it reads its arguments as Glue scripts do,
# prints to stdout and stderr, and shows the environment it was given.
import os
import sys

from awsglue.utils import getResolvedOptions

args = getResolvedOptions(sys.argv, ["JOB_NAME", "day"])
print("hello from", args["JOB_NAME"])
print("day=" + args["day"])
print("run=" + str(args["JOB_RUN_ID"]))
print("region=" + os.environ.get("AWS_REGION", ""))
print("endpoint=" + os.environ.get("AWS_ENDPOINT_URL", "<none>"))
print("a warning", file=sys.stderr)
