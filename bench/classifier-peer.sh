#!/usr/bin/env bash
# DenseNet training throughput, dermsynth (DJL) against a PyTorch eager peer of the same network and
# epoch (bench/peer/densenet_peer.py), same machine, same threads, one after the other; then the ratio
# and each side's self time per operator over one more epoch (libtorch's profiler).
# Usage: bench/classifier-peer.sh [preset small|densenet121] [size 64] [batch 32] [train 256] [val 64] [iters 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-small}"; size="${2:-64}"; batch="${3:-32}"; train="${4:-256}"; val="${5:-64}"; iters="${6:-5}"
out="$(mktemp -d)"
(cd "$root" && mvn -B -q -DskipTests package)
opens=$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$root/pom.xml")
echo "# dermsynth (DJL $(ls "$HOME/.m2/repository/ai/djl/api/" | tail -1), libtorch 2.7.1), MKL_CBWR=${MKL_CBWR-AUTO}"
# shellcheck disable=SC2086
MKL_CBWR="${MKL_CBWR-AUTO}" MKL_DYNAMIC="${MKL_DYNAMIC-FALSE}" java $opens -Xmx4g \
  -cp "$root/bench/target/dermsynth-bench-0.1.0-SNAPSHOT.jar:$(cat "$root/bench/target/classpath.txt")" \
  io.dermsynth.bench.ClassifierBench "$preset" "$size" "$batch" "$train" "$val" 3 "$iters" "$out/djl.json" 2>/dev/null \
  | grep -E "^densenet_epoch" | tee "$out/djl.txt"
echo "# PyTorch eager peer (bench/peer/densenet_peer.py)"
/usr/bin/python3 "$root/bench/peer/densenet_peer.py" --preset "$preset" --size "$size" --batch "$batch" \
  --train "$train" --val "$val" --threads "$(nproc)" --warmup 3 --iters "$iters" --profile "$out/peer.json" | tee "$out/peer.txt"
awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "median_s") t[FILENAME] = kv[2] } }
  END { printf "# ratio dermsynth / PyTorch (throughput, from the medians)\ndensenet_epoch %.3f\n", t[ARGV[2]] / t[ARGV[1]] }' \
  "$out/djl.txt" "$out/peer.txt"
echo "# self time per operator, one epoch (bench/peer/optable.py)"
/usr/bin/python3 "$root/bench/peer/optable.py" "$out/djl.json" "$out/peer.json" --top 20
