#!/usr/bin/env python3
"""torchvision's ImageNet DenseNet-121 → safetensors with the names dermsynth reads.

dermsynth's DenseNet uses torchvision's state-dict keys unchanged (features.conv0.weight, ...,
features.denseblockB.denselayerL.convK.weight, features.norm5.running_var, classifier.weight), so
the conversion only drops the num_batches_tracked counters. Run it where torch, torchvision and
safetensors are installed (it downloads the weights), then train with
  dermsynth train-classifier --set classifier.preset=densenet121 --set classifier.pretrained=FILE
which takes every tensor but the 1000-class classifier.

Usage: python3 tools/densenet121_imagenet_to_safetensors.py densenet121-imagenet.safetensors
"""
import sys

from safetensors.torch import save_file
from torchvision.models import DenseNet121_Weights, densenet121

model = densenet121(weights=DenseNet121_Weights.IMAGENET1K_V1)
state = {k: v.contiguous() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
save_file(state, sys.argv[1])
print(f"wrote {len(state)} tensors to {sys.argv[1]}")
