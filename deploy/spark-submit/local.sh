#!/usr/bin/env bash
# Any dermsynth command with spark-submit on this machine.
# Usage: deploy/spark-submit/local.sh COMMAND [ARGS...]
#   e.g. deploy/spark-submit/local.sh ingest --data ../shared/data/ham10000-200x150 --set warehouse=/data/wh
set -euo pipefail
source "$(dirname "$0")/common.sh"
exec "${SUBMIT[@]}" --master "local[${LOCAL_CORES:-*}]" --driver-memory "${DRIVER_MEMORY:-8g}" "$APP_JAR" "$@"
