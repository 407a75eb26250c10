# Shared by the spark-submit examples: the application jar, the project's Spark settings, and the
# GPU scheduling settings. Source it; it sets APP_JAR, SUBMIT (an array: spark-submit with the common
# options) and GPU_CONF (an array, empty unless EXECUTOR_GPUS > 0).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP_JAR="${APP_JAR:-$root/jobs/target/dermsynth-jobs-0.1.0-SNAPSHOT-app.jar}"
if [[ "$APP_JAR" != local://* && ! -f "$APP_JAR" ]]; then
  (cd "$root" && mvn -B -q -DskipTests package)
fi
if [[ -z "${SPARK_HOME:-}" || ! -x "$SPARK_HOME/bin/spark-submit" ]]; then
  echo "set SPARK_HOME to a Spark 4.0.x (Scala 2.13) distribution" >&2
  exit 2
fi
# Delta and s3a are not part of a plain Spark distribution: spark-submit fetches them (~/.ivy2).
# Set DERMSYNTH_PACKAGES="" where the distribution or image has them already.
PACKAGES="${DERMSYNTH_PACKAGES-io.delta:delta-spark_2.13:4.0.1,org.apache.hadoop:hadoop-aws:3.4.1}"
# The driver in client mode (local, standalone) is this process's child: MKL's reproducible mode for it,
# as bin/dermsynth sets it; executors get it from conf/spark-dermsynth.conf.
export MKL_CBWR="${MKL_CBWR-AUTO}" MKL_DYNAMIC="${MKL_DYNAMIC-FALSE}" CUBLAS_WORKSPACE_CONFIG="${CUBLAS_WORKSPACE_CONFIG-:4096:8}"
# dermsynth's Spark settings, and the cluster's own spark-defaults.conf for every other key: without
# --load-spark-defaults, Spark 4 reads a --properties-file instead of the cluster's defaults.
SUBMIT=("$SPARK_HOME/bin/spark-submit" --properties-file "$root/conf/spark-dermsynth.conf" --load-spark-defaults
  --class io.dermsynth.jobs.Main)
[[ -n "$PACKAGES" ]] && SUBMIT+=(--packages "$PACKAGES")
# libtorch is not in the application jar (docs/OPERATIONS.md, "libtorch"): by default the CPU natives
# Maven fetched for the build go along with --jars. Set DERMSYNTH_NATIVE_JARS="" where the cluster or
# image brings its own (a GPU image: PYTORCH_LIBRARY_PATH to a CUDA libtorch 2.7.1, and the jni jar).
m2="${HOME}/.m2/repository/ai/djl/pytorch"
NATIVE_JARS="${DERMSYNTH_NATIVE_JARS-$m2/pytorch-jni/2.7.1-0.36.0/pytorch-jni-2.7.1-0.36.0.jar,$m2/pytorch-native-cpu/2.7.1/pytorch-native-cpu-2.7.1-linux-x86_64.jar}"
[[ -n "$NATIVE_JARS" ]] && SUBMIT+=(--jars "$NATIVE_JARS")
# Tables on S3: credentials come from the environment or the node's role through s3a's default
# provider chain, never from a file here. S3A_ENDPOINT for an S3 API server other than AWS.
if [[ -n "${S3A_ENDPOINT:-}" ]]; then
  SUBMIT+=(--conf "spark.hadoop.fs.s3a.endpoint=$S3A_ENDPOINT" --conf spark.hadoop.fs.s3a.path.style.access=true)
fi
# EXECUTOR_GPUS per executor. No task GPU amount for every stage: the model stages (invert; augment's edit
# and score) ask one GPU per task by their own stage-level ResourceProfile (spark.task_gpus = auto), and
# put their model on the address Spark assigned; every other stage (ingest's decoding, joins, Delta
# writes) runs without waiting for a GPU. The Workers/NodeManagers/pods run the discovery script (YARN:
# shipped with --files, yarn.sh).
EXECUTOR_GPUS="${EXECUTOR_GPUS:-0}"
GPU_CONF=()
if (( EXECUTOR_GPUS > 0 )); then
  GPU_CONF=(--conf "spark.executor.resource.gpu.amount=$EXECUTOR_GPUS"
    --conf "spark.executor.resource.gpu.discoveryScript=${GPU_DISCOVERY_SCRIPT:-$root/deploy/gpu/getGpusResources.sh}")
fi
