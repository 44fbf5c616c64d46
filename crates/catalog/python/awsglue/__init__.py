# The part of AWS Glue's `awsglue` library that needs no Spark, as lakestack
# gives it to the job scripts it runs: `awsglue.utils.getResolvedOptions`.
