#!/usr/bin/env bash
# e4e + HyperStyle inversion throughput, dermsynth (DJL) against a PyTorch eager peer of the same
# networks (bench/peer/inversion_peer.py), same machine, same threads, one after the other; then the
# ratio. Usage: bench/inversion-peer.sh [preset small64] [batch 16] [refinement iterations 5] [iters 7]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-small64}"; batch="${2:-16}"; refine="${3:-5}"; iters="${4:-7}"
out="$(mktemp -d)"
source "$root/bench/lib.sh"
bench_build
bench_java InversionBench "$preset" "$batch" "$refine" 2 "$iters" | grep -E "^(inversion|params)" | tee "$out/djl.txt"
echo "# PyTorch eager peer (bench/peer/inversion_peer.py)"
/usr/bin/python3 "$root/bench/peer/inversion_peer.py" --preset "$preset" --batch "$batch" --iters-refine "$refine" \
  --threads "$(nproc)" --iters "$iters" | tee "$out/peer.txt"
bench_ratio "$out/djl.txt" "$out/peer.txt" inversion_hyperstyle
