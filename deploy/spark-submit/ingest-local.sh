#!/usr/bin/env bash
# spark-submit on this machine (needs SPARK_HOME of Spark 4.0.x, Scala 2.13).
# Usage: deploy/spark-submit/ingest-local.sh DATA_DIR [WAREHOUSE]
set -euo pipefail
source "$(dirname "$0")/common.sh"
"$SPARK_HOME/bin/spark-submit" --master 'local[*]' \
  --packages "$DELTA_PACKAGES" \
  --properties-file "$root/conf/spark-defaults.conf" \
  --class io.dermsynth.jobs.Main "$APP_JAR" \
  ingest --data "$1" --set "warehouse=${2:-dermsynth-warehouse}"
