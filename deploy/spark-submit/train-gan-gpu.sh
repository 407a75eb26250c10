#!/usr/bin/env bash
# StyleGAN2 at a paper preset on a GPU driver (train-gan runs on the driver; executors are not used), in
# client mode on the GPU host this runs on. Snapshots go to the run folder (s3a:// works, credentials from
# the environment). Killed or out of time: run the same command again — it continues from the newest
# complete snapshot in RUN_DIR.
# Usage: deploy/spark-submit/train-gan-gpu.sh MASTER WAREHOUSE RUN_DIR [PRESET=stylegan2] [KIMG=25000]
set -euo pipefail
source "$(dirname "$0")/common.sh"
exec "${SUBMIT[@]}" --master "$1" --deploy-mode client --driver-memory "${DRIVER_MEMORY:-32g}" \
  --conf spark.driver.resource.gpu.amount=1 \
  --conf "spark.driver.resource.gpu.discoveryScript=${GPU_DISCOVERY_SCRIPT:-$root/deploy/gpu/getGpusResources.sh}" \
  "$APP_JAR" train-gan --resume "$3" --set "warehouse=$2" --set "gan.preset=${4:-stylegan2}" \
  --set "gan.kimg=${5:-25000}" --set gan.device=gpu --set gan.progress=false
