#!/usr/bin/env bash
# Spark GPU discovery script (spark.{driver,executor,worker}.resource.gpu.discoveryScript): prints the
# GPUs this node (or container) can use as CUDA ordinals, which is what dermsynth's tasks pass to libtorch.
# Spark's own example does the same; this one honours CUDA_VISIBLE_DEVICES, which containers often set.
set -euo pipefail
if [[ -n "${CUDA_VISIBLE_DEVICES:-}" ]]; then
  n=$(tr ',' '\n' <<<"$CUDA_VISIBLE_DEVICES" | grep -c .)
else
  n=$(nvidia-smi --query-gpu=index --format=csv,noheader | grep -c .)
fi
addresses=$(seq -s '","' 0 $((n - 1)))
echo "{\"name\": \"gpu\", \"addresses\": [\"$addresses\"]}"
