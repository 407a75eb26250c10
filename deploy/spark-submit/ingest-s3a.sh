#!/usr/bin/env bash
# Tables on S3 (or any S3 API server). Credentials come from the environment
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) through Hadoop's provider chain, never from a file here.
# Usage: deploy/spark-submit/ingest-s3a.sh MASTER DATA_DIR s3a://bucket/prefix [ENDPOINT]
set -euo pipefail
source "$(dirname "$0")/common.sh"
endpoint_conf=()
if [[ -n "${4:-}" ]]; then
  endpoint_conf=(--conf "spark.hadoop.fs.s3a.endpoint=$4" --conf spark.hadoop.fs.s3a.path.style.access=true)
fi
"$SPARK_HOME/bin/spark-submit" --master "$1" \
  --packages "$DELTA_PACKAGES,org.apache.hadoop:hadoop-aws:3.4.1" \
  --properties-file "$root/conf/spark-defaults.conf" \
  --conf spark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider \
  "${endpoint_conf[@]}" \
  --class io.dermsynth.jobs.Main "$APP_JAR" \
  ingest --data "$2" --set "warehouse=$3"
