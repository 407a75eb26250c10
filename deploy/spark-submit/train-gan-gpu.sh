#!/usr/bin/env bash
# StyleGAN2 at a paper preset on a GPU driver (train-gan runs on the driver; executors are not used).
# The driver needs libtorch's CUDA natives on its classpath or DJL's download (see docs/ARCHITECTURE.md,
# "libtorch natives"); snapshots go to the warehouse (s3a:// works, credentials from the environment).
# Rerun with the same RUN_DIR to continue from its newest snapshot.
# Usage: deploy/spark-submit/train-gan-gpu.sh MASTER WAREHOUSE RUN_DIR [PRESET=paper256] [KIMG=25000]
set -euo pipefail
source "$(dirname "$0")/common.sh"
"$SPARK_HOME/bin/spark-submit" --master "$1" --deploy-mode client \
  --packages "$DELTA_PACKAGES,org.apache.hadoop:hadoop-aws:3.4.1" \
  --properties-file "$root/conf/spark-defaults.conf" \
  --conf spark.driver.resource.gpu.amount=1 --driver-memory 16g \
  --conf spark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider \
  --class io.dermsynth.jobs.Main "$APP_JAR" \
  train-gan --resume "$3" --set "warehouse=$2" --set "gan.preset=${4:-paper256}" \
  --set "gan.kimg=${5:-25000}" --set gan.device=gpu --set gan.progress=false
