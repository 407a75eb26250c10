#!/usr/bin/env bash
# spark-submit to a standalone cluster; the data folder must be readable by every executor (shared
# file system) or be a Hadoop URI the executors can open.
# Usage: deploy/spark-submit/ingest-standalone.sh spark://HOST:7077 DATA_DIR WAREHOUSE
set -euo pipefail
source "$(dirname "$0")/common.sh"
"$SPARK_HOME/bin/spark-submit" --master "$1" --deploy-mode client \
  --packages "$DELTA_PACKAGES" \
  --properties-file "$root/conf/spark-defaults.conf" \
  --conf spark.executor.cores=4 --conf spark.executor.memory=8g \
  --class io.dermsynth.jobs.Main "$APP_JAR" \
  ingest --data "$2" --set "warehouse=$3"
