#!/usr/bin/env bash
# Any dermsynth command on Kubernetes with spark-submit in cluster mode, using the image of
# deploy/docker/Dockerfile (jar at /opt/dermsynth, Delta and s3a in /opt/spark/jars). For scheduled runs
# prefer the Spark Operator resources in deploy/kubernetes/.
# Usage: deploy/spark-submit/kubernetes.sh k8s://https://API-SERVER:443 IMAGE COMMAND [ARGS...]
# Env: NAMESPACE (dermsynth), SERVICE_ACCOUNT (dermsynth-spark), EXECUTORS (2), EXECUTOR_GPUS (0).
set -euo pipefail
# The image has Delta, s3a and libtorch, and the jar: nothing to fetch or build here.
DERMSYNTH_PACKAGES="${DERMSYNTH_PACKAGES-}"
DERMSYNTH_NATIVE_JARS="${DERMSYNTH_NATIVE_JARS-}"
APP_JAR="${APP_JAR:-local:///opt/dermsynth/dermsynth-jobs-app.jar}"
source "$(dirname "$0")/common.sh"
master="$1"
image="$2"
shift 2
gpu=()
if (( EXECUTOR_GPUS > 0 )); then
  gpu=(--conf "spark.executor.resource.gpu.amount=$EXECUTOR_GPUS"
    --conf spark.executor.resource.gpu.vendor=nvidia.com
    --conf spark.executor.resource.gpu.discoveryScript=/opt/dermsynth/getGpusResources.sh)
fi
exec "${SUBMIT[@]}" --master "$master" --deploy-mode cluster --name dermsynth \
  --conf "spark.kubernetes.namespace=${NAMESPACE:-dermsynth}" \
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${SERVICE_ACCOUNT:-dermsynth-spark}" \
  --conf "spark.kubernetes.container.image=$image" --conf "spark.executor.instances=${EXECUTORS:-2}" \
  --conf spark.executorEnv.MALLOC_ARENA_MAX=2 \
  --conf spark.kubernetes.driverEnv.MKL_CBWR=AUTO --conf spark.kubernetes.driverEnv.MKL_DYNAMIC=FALSE \
  "${gpu[@]}" "$APP_JAR" "$@"
