#!/usr/bin/env bash
# Spark on Kubernetes starts driver and executor pods with "driver ..." / "executor ..." arguments and
# expects the image's entrypoint to turn them into JVMs: Spark's own kubernetes entrypoint does that.
# Anything else runs as a dermsynth command on a local master (e.g. `docker run IMAGE sql "SELECT 1"`).
set -euo pipefail
case "${1:-}" in
  driver|executor)
    exec /opt/spark/kubernetes/dockerfiles/spark/entrypoint.sh "$@" ;;
  *)
    exec /opt/spark/bin/spark-submit --master "local[*]" --properties-file /opt/dermsynth/conf/spark-dermsynth.conf \
      --load-spark-defaults --class io.dermsynth.jobs.Main /opt/dermsynth/dermsynth-jobs-app.jar "$@" ;;
esac
