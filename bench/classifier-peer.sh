#!/usr/bin/env bash
# DenseNet training throughput, dermsynth (DJL) against a PyTorch eager peer of the same network and
# epoch (bench/peer/densenet_peer.py) and against torchvision's own DenseNet of the same preset (--impl
# torchvision, with and without oneDNN), same machine, same threads, one after the other; then the ratios and each side's self
# time per operator over one more epoch (libtorch's profiler). Installs Debian's python3-torch and
# python3-torchvision when missing.
# Usage: bench/classifier-peer.sh [preset small|densenet121] [size 64] [batch 32] [train 256] [val 64] [iters 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-small}"; size="${2:-64}"; batch="${3:-32}"; train="${4:-256}"; val="${5:-64}"; iters="${6:-5}"
out="$(mktemp -d)"
source "$root/bench/lib.sh"
if ! /usr/bin/python3 -c "import torchvision" 2> /dev/null; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-torch \
    python3-torchvision >&2
fi
bench_build
bench_java ClassifierBench "$preset" "$size" "$batch" "$train" "$val" 3 "$iters" "$out/djl.json" \
  | grep -E "^densenet_epoch" | tee "$out/djl.txt"
echo "# PyTorch eager peer (bench/peer/densenet_peer.py)"
/usr/bin/python3 "$root/bench/peer/densenet_peer.py" --preset "$preset" --size "$size" --batch "$batch" \
  --train "$train" --val "$val" --threads "$(nproc)" --warmup 3 --iters "$iters" --profile "$out/peer.json" \
  | tee "$out/peer.txt"
echo "# torchvision's DenseNet (--impl torchvision)"
/usr/bin/python3 "$root/bench/peer/densenet_peer.py" --impl torchvision --preset "$preset" --size "$size" \
  --batch "$batch" --train "$train" --val "$val" --threads "$(nproc)" --warmup 3 --iters "$iters" \
  | sed 's/^densenet_epoch_torchvision/densenet_epoch/' | tee "$out/torchvision.txt"
# The same with libtorch's own convolutions (no oneDNN): what dermsynth runs on where its convolution
# check turned oneDNN off (bench/RESULTS.md, "Wrong convolutions on one CPU"), so the framework around the
# kernels is compared on equal kernels.
echo "# torchvision's DenseNet without oneDNN (--mkldnn off)"
/usr/bin/python3 "$root/bench/peer/densenet_peer.py" --impl torchvision --mkldnn off --preset "$preset" --size "$size" \
  --batch "$batch" --train "$train" --val "$val" --threads "$(nproc)" --warmup 3 --iters "$iters" \
  | sed 's/^densenet_epoch_torchvision_no_mkldnn/densenet_epoch/' | tee "$out/torchvision-no-mkldnn.txt"
bench_ratio "$out/djl.txt" "$out/peer.txt" densenet_epoch
echo "# ratio dermsynth / torchvision"
bench_ratio "$out/djl.txt" "$out/torchvision.txt" densenet_epoch
echo "# ratio dermsynth / torchvision without oneDNN"
bench_ratio "$out/djl.txt" "$out/torchvision-no-mkldnn.txt" densenet_epoch
echo "# self time per operator, one epoch (bench/peer/optable.py)"
/usr/bin/python3 "$root/bench/peer/optable.py" "$out/djl.json" "$out/peer.json" --top 20
