# Shared by the spark-submit examples: the application jar and the project's Spark settings.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP_JAR="${APP_JAR:-$root/jobs/target/dermsynth-jobs-0.1.0-SNAPSHOT-app.jar}"
if [[ ! -f "$APP_JAR" ]]; then
  (cd "$root" && mvn -B -q -DskipTests package)
fi
# Delta is not part of a plain Spark distribution: ask spark-submit to add it (cached in ~/.ivy2).
DELTA_PACKAGES="io.delta:delta-spark_2.13:4.0.1"
