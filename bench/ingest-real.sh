#!/usr/bin/env bash
# Ingest throughput on the real HAM10000 images in ../shared (not part of the tests).
# Usage: bench/ingest-real.sh [N=2000] [SIZE=128] [RUNS=5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DERMSYNTH_HAM10000:-$root/../shared/data/ham10000-200x150}"
n="${1:-2000}"; size="${2:-128}"; runs="${3:-5}"
(cd "$root" && mvn -B -q -DskipTests package)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
opens=$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$root/pom.xml")
# shellcheck disable=SC2086
/usr/bin/time -v java $opens -Xmx4g -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
  -cp "$root/bench/target/dermsynth-bench-0.1.0-SNAPSHOT.jar:$(cat "$root/bench/target/classpath.txt")" \
  io.dermsynth.bench.IngestBench "$data" "$n" "$size" "$runs" "$work" 2> >(grep -E "Maximum resident|Elapsed|ERROR|Exception" >&2)
