"""Writes core/src/main/resources/io/dermsynth/core/gan/input_grad.pt: a TorchScript module whose forward
returns d(sum(out))/dx with create_graph=True, i.e. torch.autograd.grad for DJL, which has no public
higher-order gradient without a leak (see docs/ARCHITECTURE.md, "R1"). Run once with Debian python3-torch;
the file is committed. Python is not needed at run time.
"""
import pathlib

import torch


class InputGrad(torch.nn.Module):
    def forward(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        grads = torch.autograd.grad([out.sum()], [x], create_graph=True)
        g = grads[0]
        assert g is not None
        return g


if __name__ == "__main__":
    target = pathlib.Path(__file__).resolve().parents[1] / "core/src/main/resources/io/dermsynth/core/gan/input_grad.pt"
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.jit.save(torch.jit.script(InputGrad()), str(target))
    print(target, target.stat().st_size, "bytes")
