# Sourced by the bench scripts: the build, dermsynth's JVM with the project's flags and its default MKL
# mode, and the ratio of two harness outputs (the PyTorch peer scripts). Needs $root.

# Builds the jars (offline-safe when they are current).
bench_build() {
  (cd "$root" && mvn -B -q -DskipTests package)
}

# Sets opens (Spark's JVM flags, from the pom) and cp (the bench jar and its classpath), and exports MKL's
# reproducible mode as bin/dermsynth does (an empty value leaves MKL's default).
bench_env() {
  opens=$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$root/pom.xml")
  cp="$root/bench/target/dermsynth-bench-0.1.0-SNAPSHOT.jar:$(cat "$root/bench/target/classpath.txt")"
  export MKL_CBWR="${MKL_CBWR-AUTO}" MKL_DYNAMIC="${MKL_DYNAMIC-FALSE}"
}

# Runs a bench class with a 4 GB heap in that environment, harness lines only on stdout.
bench_java() {
  bench_env
  echo "# dermsynth (DJL $(ls "$HOME/.m2/repository/ai/djl/api/" | tail -1), libtorch 2.7.1), MKL_CBWR=$MKL_CBWR" >&2
  # shellcheck disable=SC2086
  java $opens -Xmx4g -cp "$cp" "io.dermsynth.bench.$1" "${@:2}" 2>/dev/null
}

# bench_ratio DJL.txt PEER.txt NAME...: peer median / dermsynth median for each named measurement,
# i.e. dermsynth's throughput relative to the peer's.
bench_ratio() {
  local djl="$1" peer="$2"
  shift 2
  echo "# ratios dermsynth / PyTorch (throughput, from the medians)"
  for name in "$@"; do
    awk -v name="$name" '$1 == name { for (i = 2; i <= NF; i++) { split($i, kv, "=");
        if (kv[1] == "median_s") t[FILENAME] = kv[2] } }
      END { printf "%s %.3f\n", name, t[ARGV[2]] / t[ARGV[1]] }' "$djl" "$peer"
  done
}
