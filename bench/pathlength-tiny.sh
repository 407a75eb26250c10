#!/usr/bin/env bash
# Path-length regularisation run for real (not part of the tests): ingest ../shared, train the tiny32 preset
# on the train split with NVlabs' path-length setting (gan.pl_weight = 2, lazily every 4 minibatches; off in
# the CPU presets), print each tick's losses with the path-length penalty, and leave curves.png (the losses
# panel has the penalty) in $work/run. Running it again resumes from the newest snapshot.
# Usage: bench/pathlength-tiny.sh [--kimg 3] [--work DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${DERMSYNTH_HAM10000:-$root/../shared/data/ham10000-200x150}"
kimg=3; work="$root/bench/work/pathlength-tiny"
source "$root/bench/lib.sh"
bench_options "[--kimg N] [--work DIR]" --kimg=kimg --work=work -- "$@"
mkdir -p "$work"
sets=(--set "warehouse=$work/warehouse" --set gan.preset=tiny32 --set gan.pl_weight=2 --set gan.kimg="$kimg"
      --set gan.tick_kimg=0.256 --set gan.snapshot_ticks=4 --set gan.quality=false --set gan.progress=false)
ds="$root/bin/dermsynth"
if [[ ! -d "$work/warehouse/images" ]]; then
  "$ds" ingest --data "$data" "${sets[@]}" | tail -n 3
fi
/usr/bin/time -v "$ds" train-gan "${sets[@]}" --resume "$work/run" 2> "$work/train.stderr" > /dev/null
grep -E "Elapsed|Maximum resident" "$work/train.stderr" || true
echo "# tick kimg s/kimg lossG lossD r1 pl (metrics.jsonl)"
/usr/bin/python3 - "$work/run/metrics.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    print(o["tick"], f'{o["kimg"]:.3f}', f'{o["secPerKimg"]:.1f}',
          *(f'{o[k]:.4f}' if isinstance(o.get(k), (int, float)) else str(o.get(k)) for k in ("lossG", "lossD", "r1", "pl")))
PY
echo "# curves: $work/run/curves.png"
