#!/usr/bin/env bash
# StyleGAN2 throughput, dermsynth (DJL) against a PyTorch eager peer of the same architecture and step,
# same machine, same threads, one after the other: G forward, the training step, the step with R1, and
# lazy R1's average (15 plain steps + 1 with R1); then the ratios and each side's self time per operator
# over two training steps (libtorch's profiler). Usage: bench/gan-peer.sh [preset] [batch] [iters] [forward]
# ("forward": G forward only, e.g. at batch 64 where a training step takes minutes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-small64}"; batch="${2:-16}"; iters="${3:-7}"; only="${4:-}"
threads="$(nproc)"
out="$(mktemp -d)"
source "$root/bench/lib.sh"
bench_build
bench_java GanBench "$preset" "$batch" 2 "$iters" "$([[ -n "$only" ]] && echo forward-only || echo "$out/djl.json")" \
  | grep -E "^(g_forward|train_step)" | tee "$out/djl.txt"
echo "# PyTorch eager peer (bench/peer/stylegan2_peer.py)"
/usr/bin/python3 "$root/bench/peer/stylegan2_peer.py" --preset "$preset" --batch "$batch" --threads "$threads" \
  --iters "$iters" ${only:+--forward-only} --profile "$out/peer.json" | tee "$out/peer.txt"
# The peer again on libtorch's own convolutions (no oneDNN): dermsynth's kernels where its convolution check
# turned oneDNN off (bench/RESULTS.md, "Wrong convolutions on one CPU"); PEER_NO_MKLDNN=0 skips it.
if [[ ${PEER_NO_MKLDNN:-1} == 1 ]]; then
  echo "# PyTorch eager peer without oneDNN (--mkldnn off)"
  /usr/bin/python3 "$root/bench/peer/stylegan2_peer.py" --preset "$preset" --batch "$batch" --threads "$threads" \
    --iters "$iters" ${only:+--forward-only} --mkldnn off | tee "$out/peer-no-mkldnn.txt"
  echo "# ratios against the peer without oneDNN"
  # shellcheck disable=SC2046
  bench_ratio "$out/djl.txt" "$out/peer-no-mkldnn.txt" g_forward $([[ -n "$only" ]] || echo train_step train_step_r1)
fi
if [[ -n "$only" ]]; then
  bench_ratio "$out/djl.txt" "$out/peer.txt" g_forward
  exit 0
fi
bench_ratio "$out/djl.txt" "$out/peer.txt" g_forward train_step train_step_r1
awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "median_s") t[FILENAME, $1] = kv[2] } }
  END {
    lazy_d = (15 * t[ARGV[1], "train_step"] + t[ARGV[1], "train_step_r1"]) / 16
    lazy_p = (15 * t[ARGV[2], "train_step"] + t[ARGV[2], "train_step_r1"]) / 16
    printf "train_step_lazy_r1 %.3f (DJL %.3f s, PyTorch %.3f s per step)\n", lazy_p / lazy_d, lazy_d, lazy_p
  }' "$out/djl.txt" "$out/peer.txt"
echo "# self time per operator, two training steps (bench/peer/optable.py)"
/usr/bin/python3 "$root/bench/peer/optable.py" "$out/djl.json" "$out/peer.json" --top 20
echo "# traces in $out"
