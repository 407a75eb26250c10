#!/usr/bin/env bash
# For the device machine (PyTorch and a GPU, no Java): the PyTorch StyleGAN2 peer at a paper preset on the
# GPU — G forward at batch 32 and 64, one G+D training step (without and with R1) at batch 32 — then the
# effective rates these give with bench/scaling/flops.py's arithmetic (bench/scaling/gpu_rates.py). A few
# minutes on one H100/H200. Results go to $OUT (or --out DIR): gpu-calibration.txt (harness lines) and
# rates.md; back on the development machine, `bench/scaling/gpu_rates.py gpu-calibration.txt --update
# docs/SCALING.md` puts the measured rates into docs/SCALING.md.
# Usage: bench/gpu-calibration.sh [--preset paper256] [--iters 10] [--device cuda] [--out DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset=paper256; iters=10; device=cuda; out="${OUT:-$root/bench/work/gpu-calibration}"
source "$root/bench/lib.sh"
bench_options "[--preset NAME] [--iters N] [--device cuda|cpu] [--out DIR]" \
  --preset=preset --iters=iters --device=device --out=out -- "$@"
python="${PYTHON:-$(command -v python3)}"
mkdir -p "$out"
results="$out/gpu-calibration.txt"
: > "$results"
"$python" -c "import torch; print('# torch', torch.__version__, 'cuda', torch.version.cuda, \
  torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU')" | tee -a "$results"
peer() { "$python" "$root/bench/peer/stylegan2_peer.py" --preset "$preset" --device "$device" --warmup 3 \
  --iters "$iters" "$@" | tee -a "$results"; }
peer --batch 32 --forward-only
peer --batch 64 --forward-only
peer --batch 32
"$python" "$root/bench/scaling/gpu_rates.py" "$results" > "$out/rates.md"
cat "$out/rates.md"
