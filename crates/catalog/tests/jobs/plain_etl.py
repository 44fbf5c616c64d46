# A Glue ETL script that needs no Spark: lakestack runs it as a Python script.
import sys

from awsglue.utils import getResolvedOptions

args = getResolvedOptions(sys.argv, ["JOB_NAME"])
print("plain etl", args["JOB_NAME"])
