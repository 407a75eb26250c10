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

# bench_options USAGE SPEC... -- "$@": the scripts' one option parser. A SPEC is --name=var (sets var from
# "--name V" or "--name=V"), --name=var! (a flag: var=1) or --name=var+ (repeatable: appends "--name V" to
# the array var, as --set is passed on to dermsynth). Anything else stops the script with USAGE, exit 2.
bench_options() {
  local usage="$1" spec key var
  shift
  local -A specs=()
  while [[ $1 != -- ]]; do
    specs[${1%%=*}]="${1#*=}"
    shift
  done
  shift
  while [[ $# -gt 0 ]]; do
    key="${1%%=*}"
    spec="${specs[$key]-}"
    if [[ -z $spec ]]; then
      echo "unknown option $1; usage: $0 $usage" >&2
      exit 2
    fi
    if [[ $spec == *! ]]; then
      printf -v "${spec%!}" 1
      shift
      continue
    fi
    local value
    if [[ $1 == *=* ]]; then value="${1#*=}"; shift; else value="${2?$key needs a value}"; shift 2; fi
    if [[ $spec == *+ ]]; then
      var="${spec%+}"
      eval "$var+=(\"\$key\" \"\$value\")"
    else
      printf -v "$spec" '%s' "$value"
    fi
  done
}
