# A Python shell job a workflow runs: it reads the workflow's name and run id
# that Glue passes to jobs of a workflow run, the two a script gives
# GetWorkflowRunProperties.
import sys

from awsglue.utils import getResolvedOptions

args = getResolvedOptions(sys.argv, ["JOB_NAME", "WORKFLOW_NAME", "WORKFLOW_RUN_ID"])
print("workflow=" + args["WORKFLOW_NAME"])
print("run=" + args["WORKFLOW_RUN_ID"])
