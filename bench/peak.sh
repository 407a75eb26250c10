#!/usr/bin/env bash
# This CPU's attainable fp32 rate through libtorch (bench/RESULTS.md's share-of-peak table): a 2048² matrix
# product and a 3×3 convolution, forward and training, at 1 and 2 threads — dermsynth's libtorch (DJL, the
# kernels its convolution check chose) and Debian's PyTorch with and without oneDNN, one after the other.
# Usage: bench/peak.sh [iters 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
iters="${1:-5}"
source "$root/bench/lib.sh"
bench_build
echo "# dermsynth's libtorch (DJL)"
bench_java PeakBench 2 "$iters" | grep -E "gflops|^# convolution"
echo "# PyTorch eager, oneDNN on"
/usr/bin/python3 "$root/bench/peer/peak.py" --iters "$iters" | grep gflops
echo "# PyTorch eager, oneDNN off"
/usr/bin/python3 "$root/bench/peer/peak.py" --mkldnn off --iters "$iters" | grep gflops
