#!/usr/bin/env bash
# Any dermsynth command on YARN in cluster mode (HADOOP_CONF_DIR must point at the cluster). GPUs need
# YARN's GPU resource plugin (yarn.io/gpu); Spark maps spark.executor.resource.gpu.* onto it.
# Usage: deploy/spark-submit/yarn.sh COMMAND [ARGS...]
# Env: QUEUE (default), NUM_EXECUTORS (4), EXECUTOR_CORES (4), EXECUTOR_MEMORY (8g), EXECUTOR_GPUS (0).
set -euo pipefail
source "$(dirname "$0")/common.sh"
: "${HADOOP_CONF_DIR:?set HADOOP_CONF_DIR to the cluster configuration}"
# The NodeManagers run the discovery script from the container's working directory: ship it there.
if (( EXECUTOR_GPUS > 0 )); then
  GPU_CONF=(--files "${GPU_DISCOVERY_SCRIPT:-$root/deploy/gpu/getGpusResources.sh}"
    --conf "spark.executor.resource.gpu.amount=$EXECUTOR_GPUS"
    --conf spark.executor.resource.gpu.discoveryScript=./getGpusResources.sh)
fi
exec "${SUBMIT[@]}" --master yarn --deploy-mode cluster --queue "${QUEUE:-default}" \
  --num-executors "${NUM_EXECUTORS:-4}" --executor-cores "${EXECUTOR_CORES:-4}" \
  --executor-memory "${EXECUTOR_MEMORY:-8g}" --driver-memory "${DRIVER_MEMORY:-8g}" \
  --conf spark.yarn.maxAppAttempts=1 \
  --conf spark.executorEnv.MALLOC_ARENA_MAX=2 --conf spark.yarn.appMasterEnv.MALLOC_ARENA_MAX=2 \
  --conf spark.yarn.appMasterEnv.MKL_CBWR=AUTO --conf spark.yarn.appMasterEnv.MKL_DYNAMIC=FALSE \
  "${GPU_CONF[@]}" "$APP_JAR" "$@"
