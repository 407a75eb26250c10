#!/usr/bin/env python3
"""PyTorch eager peer of dermsynth's DenseNet classifier training, for bench/RESULTS.md.

DenseNet-BC (Huang et al. 2017, torchvision's layout): 7×7/2 stem conv, BN, ReLU, 3×3/2 max pool; dense
blocks of BN-ReLU-1×1 conv (bn_size·k) - BN-ReLU-3×3 conv (k) whose outputs are concatenated;
transitions BN-ReLU-1×1 conv (×θ) - 2×2 average pool; BN-ReLU, global average pool, linear. One epoch as
io.dermsynth.bench.ClassifierBench runs it: N training images drawn with class-balancing weights, in
minibatches (forward, cross-entropy weighted per sample, backward, Adam with L2 weight decay), then an
eval-mode forward over the validation images. Each timed run is one epoch; prints the median, min, max.
--impl torchvision trains torchvision's own DenseNet instead (torchvision.models.densenet121, or
torchvision.models.DenseNet with the small preset's growth, blocks and stem; its transitions halve the
channels, θ = 0.5 as here), the implementation users compare with.

  /usr/bin/python3 bench/peer/densenet_peer.py --preset small --size 64 --batch 32 --train 256 --val 64
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import report  # noqa: E402

PRESETS = {"small": (12, (4, 8, 6), 24, 4, 0.5), "densenet121": (32, (6, 12, 24, 16), 64, 4, 0.5)}


class DenseLayer(torch.nn.Module):
    def __init__(self, cin, k, bn_size):
        super().__init__()
        self.norm1, self.conv1 = torch.nn.BatchNorm2d(cin), torch.nn.Conv2d(cin, bn_size * k, 1, bias=False)
        self.norm2 = torch.nn.BatchNorm2d(bn_size * k)
        self.conv2 = torch.nn.Conv2d(bn_size * k, k, 3, padding=1, bias=False)

    def forward(self, x):
        y = self.conv1(F.relu(self.norm1(x)))
        return torch.cat([x, self.conv2(F.relu(self.norm2(y)))], 1)


class DenseNet(torch.nn.Module):
    def __init__(self, k, blocks, init, bn_size, theta, classes):
        super().__init__()
        layers = [torch.nn.Conv2d(3, init, 7, 2, 3, bias=False), torch.nn.BatchNorm2d(init), torch.nn.ReLU(),
                  torch.nn.MaxPool2d(3, 2, 1)]
        c = init
        for i, n in enumerate(blocks):
            for _ in range(n):
                layers.append(DenseLayer(c, k, bn_size))
                c += k
            if i < len(blocks) - 1:
                out = int(c * theta)
                layers += [torch.nn.BatchNorm2d(c), torch.nn.ReLU(), torch.nn.Conv2d(c, out, 1, bias=False),
                           torch.nn.AvgPool2d(2, 2)]
                c = out
        layers += [torch.nn.BatchNorm2d(c), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()]
        self.features = torch.nn.Sequential(*layers)
        self.classifier = torch.nn.Linear(c, classes)

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--train", type=int, default=256)
    ap.add_argument("--val", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--profile", default=None, help="Chrome trace of one more epoch")
    ap.add_argument("--impl", default="peer", choices=["peer", "torchvision"])
    ap.add_argument("--mkldnn", default="on", choices=["on", "off"],
                    help="off: libtorch's own im2col + GEMM convolutions, the kernels dermsynth runs on where its "
                         "convolution check turns oneDNN off")
    a = ap.parse_args()
    torch.backends.mkldnn.enabled = a.mkldnn == "on"
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    classes = 7
    if a.impl == "torchvision":
        import torchvision
        k, blocks, init, bn_size, _ = PRESETS[a.preset]
        net = torchvision.models.DenseNet(growth_rate=k, block_config=blocks, num_init_features=init,
                                          bn_size=bn_size, num_classes=classes)
    else:
        net = DenseNet(*PRESETS[a.preset], classes)
    print(f"# {a.impl}: {sum(p.numel() for p in net.parameters()):,} parameters, torch {torch.__version__}",
          file=sys.stderr)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-4)
    xs, ys = torch.rand(a.train, 3, a.size, a.size), torch.arange(a.train) % classes
    xv = torch.rand(a.val, 3, a.size, a.size)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    counts = torch.bincount(ys, minlength=classes).float()
    draw_weights = (1 / counts)[ys]

    def epoch():
        net.train()
        order = torch.multinomial(draw_weights, a.train, replacement=True)
        for s in range(0, a.train, a.batch):
            idx = order[s:s + a.batch]
            x, y = (xs[idx] - mean) / std, ys[idx]
            w = torch.ones(len(idx))
            loss = (F.cross_entropy(net(x), y, reduction="none") * w).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss.item()
        net.eval()
        with torch.no_grad():
            for s in range(0, a.val, max(16, a.batch)):
                F.softmax(net((xv[s:s + max(16, a.batch)] - mean) / std), 1).argmax(1).tolist()

    name = "densenet_epoch" if a.impl == "peer" else "densenet_epoch_torchvision"
    report(name + ("" if a.mkldnn == "on" else "_no_mkldnn"), f"{a.preset}@{a.size}px/{a.train}img", a.batch,
           a.train + a.val, epoch, a.warmup, a.iters)
    if a.profile:
        with torch.autograd.profiler.profile(record_shapes=True) as prof:
            epoch()
        prof.export_chrome_trace(a.profile)


if __name__ == "__main__":
    main()
