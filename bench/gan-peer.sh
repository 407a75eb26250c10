#!/usr/bin/env bash
# StyleGAN2 throughput, dermsynth (DJL) against a PyTorch eager peer of the same architecture, same
# machine, same threads: G forward and one G+D training step. Usage: bench/gan-peer.sh [preset] [batch]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-small64}"; batch="${2:-16}"
(cd "$root" && mvn -B -q -DskipTests package)
opens=$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$root/pom.xml")
echo "# dermsynth (DJL $(ls "$HOME/.m2/repository/ai/djl/api/" | tail -1), libtorch 2.7.1)"
# shellcheck disable=SC2086
java $opens -Xmx4g -cp "$root/bench/target/dermsynth-bench-0.1.0-SNAPSHOT.jar:$(cat "$root/bench/target/classpath.txt")" \
  io.dermsynth.bench.GanBench "$preset" "$batch" 2 8 2>/dev/null | grep -E "^(g_forward|train_step)"
echo "# PyTorch eager peer (bench/peer/stylegan2_peer.py)"
/usr/bin/python3 "$root/bench/peer/stylegan2_peer.py" --preset "$preset" --batch "$batch" --threads "$(nproc)"
