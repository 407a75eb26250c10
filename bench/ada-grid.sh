#!/usr/bin/env bash
# ADA's bgc pipeline on real lesions (not part of the tests): bench/ada-grid/ops.png (the images, then each op
# alone at p = 1), bench/ada-grid/bgc.png (the images, then bgc at p = 0.2, 0.5, 0.8, 1), and the pipeline's
# forward + backward time at p = 0.5, 16 images, 32–256 px. Usage: bench/ada-grid.sh [images per row]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DERMSYNTH_HAM10000:-$root/../shared/data/ham10000-200x150}"
source "$root/bench/lib.sh"
bench_build
bench_java AdaBench "$data" "$root/bench/ada-grid" "${1:-8}"
