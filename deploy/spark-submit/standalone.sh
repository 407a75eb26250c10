#!/usr/bin/env bash
# Any dermsynth command on a Spark standalone cluster (client mode: the driver runs here). Inputs and the
# warehouse must be reachable from every executor: a shared file system or a Hadoop URI (s3a://, hdfs://).
# Usage: deploy/spark-submit/standalone.sh spark://HOST:7077 COMMAND [ARGS...]
# Env: EXECUTOR_CORES (4), EXECUTOR_MEMORY (8g), TOTAL_CORES (all), EXECUTOR_GPUS (0; 1 for invert/augment
# on GPU Workers started with spark.worker.resource.gpu.amount and the discovery script).
set -euo pipefail
source "$(dirname "$0")/common.sh"
master="$1"
shift
extra=()
[[ -n "${TOTAL_CORES:-}" ]] && extra+=(--conf "spark.cores.max=$TOTAL_CORES")
exec "${SUBMIT[@]}" --master "$master" --deploy-mode client \
  --conf "spark.executor.cores=${EXECUTOR_CORES:-4}" --conf "spark.executor.memory=${EXECUTOR_MEMORY:-8g}" \
  "${extra[@]}" "${GPU_CONF[@]}" "$APP_JAR" "$@"
