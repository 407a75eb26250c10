#!/usr/bin/env python3
"""Inception-v3 weights → safetensors with the names dermsynth reads (gan.quality_inception).

dermsynth's InceptionV3 takes torchvision's Inception3 state-dict keys (Conv2d_1a_3x3.conv.weight,
Conv2d_1a_3x3.bn.running_var, ..., fc.weight) and tells the two networks apart by fc's rows:
  fid          pytorch-fid's FID network (the TensorFlow FID Inception, pt_inception-2015-12-05): FID and
               KID then equal pytorch-fid's and the published numbers' feature space. 1008 classes.
  torchvision  torchvision's ImageNet Inception-v3 (IMAGENET1K_V1). 1000 classes.
Run it where torch, safetensors and (for fid) pytorch-fid are installed: it downloads the weights, or reads
a checkpoint you have with --from FILE.pth. The auxiliary classifier and BN counters are dropped. Then
  dermsynth train-gan --set gan.quality_inception=FILE.safetensors

Usage: python3 tools/inception_to_safetensors.py fid|torchvision OUT.safetensors [--from FILE.pth]
"""
import argparse

import torch
from safetensors.torch import save_file


def main():
    p = argparse.ArgumentParser()
    p.add_argument("network", choices=["fid", "torchvision"])
    p.add_argument("out")
    p.add_argument("--from", dest="source", help="a state dict (.pth) instead of downloading")
    a = p.parse_args()
    if a.source:
        state = torch.load(a.source, map_location="cpu")
    elif a.network == "fid":
        from pytorch_fid.inception import fid_inception_v3
        state = fid_inception_v3().state_dict()
    else:
        from torchvision.models import Inception_V3_Weights, inception_v3
        state = inception_v3(weights=Inception_V3_Weights.IMAGENET1K_V1).state_dict()
    state = {k: v.float().contiguous() for k, v in state.items()
             if not k.endswith("num_batches_tracked") and not k.startswith("AuxLogits.")}
    rows = state["fc.weight"].shape[0]
    want = 1008 if a.network == "fid" else 1000
    if rows != want:
        raise SystemExit(f"fc.weight has {rows} rows; the {a.network} network has {want}")
    save_file(state, a.out)
    print(f"wrote {len(state)} tensors to {a.out}")


if __name__ == "__main__":
    main()
