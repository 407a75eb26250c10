#!/usr/bin/env bash
# Any dermsynth command with spark-submit on this machine.
# Usage: deploy/spark-submit/local.sh COMMAND [ARGS...]
#   e.g. deploy/spark-submit/local.sh ingest --data ../shared/data/ham10000-200x150 --set warehouse=/data/wh
set -euo pipefail
source "$(dirname "$0")/common.sh"
# This machine's settings (conf/spark-local.conf) as --conf: they are for one machine only.
local_conf=()
while read -r key value; do
  [[ -z "$key" || "$key" == \#* ]] || local_conf+=(--conf "$key=$value")
done < "$root/conf/spark-local.conf"
exec "${SUBMIT[@]}" --master "local[${LOCAL_CORES:-*}]" --driver-memory "${DRIVER_MEMORY:-8g}" "${local_conf[@]}" \
  "$APP_JAR" "$@"
