#!/usr/bin/env python3
"""A HAM10000-layout subset for scaled-down real-data runs: every lesion whose md5(lesion_id) mod N = 0, all
of its images, metadata csv filtered to them and the image files copied (ingest refuses files that resolve
outside the dataset folder, so links would be quarantined). Deterministic: the same N gives the same lesions.

  /usr/bin/python3 bench/subset.py DATA_DIR OUT_DIR N
"""
import csv
import hashlib
import os
import shutil
import sys
from collections import Counter


def main(src, dst, every):
    meta = next(f for f in os.listdir(src) if f.endswith(".csv"))
    with open(os.path.join(src, meta), newline="") as f:
        rows = list(csv.DictReader(f))
    images = os.path.join(src, "images")
    present = {os.path.splitext(f)[0]: f for f in os.listdir(images)}
    keep = [r for r in rows if r["image_id"] in present
            and int(hashlib.md5(r["lesion_id"].encode()).hexdigest(), 16) % every == 0]
    os.makedirs(os.path.join(dst, "images"), exist_ok=True)
    with open(os.path.join(dst, meta), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(keep)
    for r in keep:
        name = present[r["image_id"]]
        shutil.copyfile(os.path.join(images, name), os.path.join(dst, "images", name))
    print(f"# subset 1 in {every}: {len(keep)} images of {len(present)}, by class "
          + ", ".join(f"{k} {v}" for k, v in Counter(r["dx"] for r in keep).most_common()))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
