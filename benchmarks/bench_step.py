"""Benchmark: autoencoder training steps per architecture, precision and ``torch.compile`` mode.

Runs the library's own training loop (``dec.pretrain.fit_reconstruction``: minibatch 256, Adam, no
augmentation) on random inputs of MNIST's shape (10,000 x 784) held on the device, for each
setting: one untimed call (warm-up; it includes compilation, whose time is printed), then
``--repeats`` timed calls of ``--steps`` steps each (the GPU is synchronised before and after).
Prints ms per step, images/s and the achieved rate against the FLOPs of one step, next to
this device's matrix-multiply rate in float32, TF32 and bfloat16, measured in the same run.

    python benchmarks/bench_step.py --device cuda --precision fp32,tf32,bf16 --compile none,default
    python benchmarks/bench_step.py --device cpu --precision fp32 --arch mlp,conv   # ConvDEC's cost

``--arch conv`` times ConvDEC's convolutional autoencoder (``config.arch``) on 28 x 28 images;
its FLOPs are counted by ``torch.utils.flop_counter`` (the fully connected network's by formula).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time

import torch
from bench_mnist_test import ae_flops_per_sample

from dec.config import COMPILE_MODES, PRECISIONS, Config
from dec.models import build_autoencoder
from dec.pretrain import fit_reconstruction
from dec.results import provenance
from dec.utils import matmul_precision, resolve_device


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_tflops(device, precision, n=4096, repeats=10) -> float:
    """Best rate of an n x n x n product: float32 ('fp32'), TF32 ('tf32') or bfloat16 ('bf16')."""
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    a, b = (torch.randn(n, n, device=device, dtype=dtype) for _ in range(2))
    with matmul_precision(precision):
        a @ b
        best = float("inf")
        for _ in range(repeats):
            sync(device)
            t = time.perf_counter()
            a @ b
            sync(device)
            best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e12


def step_flops(ae, cfg, d, device) -> float:
    """FLOPs of one training step (forward and backward of a minibatch)."""
    if cfg.arch == "mlp":
        return ae_flops_per_sample(ae) * cfg.ae_batch_size
    from torch.utils.flop_counter import FlopCounterMode

    x = torch.rand(cfg.ae_batch_size, d, device=device)
    with FlopCounterMode(display=False) as counter:
        ((ae(x) - x) ** 2).mean().backward()
    ae.zero_grad(set_to_none=True)
    return counter.get_total_flops()


def time_steps(device, precision, compile_mode, steps, repeats, n=10_000, d=784, arch="mlp"):
    cfg = dataclasses.replace(
        Config.from_profile("quick"), augment="none", precision=precision, compile=compile_mode, arch=arch
    )
    torch.manual_seed(0)
    X = torch.rand(n, d, device=device)
    ae = build_autoencoder(cfg, d, (28, 28)).to(device)
    gen = torch.Generator().manual_seed(0)

    def run(k):
        sync(device)
        t = time.perf_counter()
        with matmul_precision(precision):
            fit_reconstruction(ae, list(ae.parameters()), X, k, cfg, gen, "bench", verbose=False, log_every=k)
        sync(device)
        return time.perf_counter() - t

    first = run(steps)  # warm-up, compilation included
    times = [run(steps) for _ in range(repeats)]
    per_step = min(times) / steps
    flops = step_flops(ae, cfg, d, device)
    return {
        "arch": arch,
        "precision": precision,
        "compile": compile_mode,
        "steps": steps,
        "first_call_s": first,
        "timed_s": times,
        "ms_per_step": per_step * 1e3,
        "images_per_s": cfg.ae_batch_size / per_step,
        "achieved_tflops": flops / per_step / 1e12,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--precision", default="fp32,tf32,bf16")
    ap.add_argument("--compile", default="none")
    ap.add_argument("--arch", default="mlp", help="mlp, conv or both (comma-separated)")
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--matmul-n", type=int, default=4096, help="side of the square matmul that sets the rates"
    )
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)
    for name in ("steps", "repeats", "matmul_n"):
        if getattr(args, name) < 1:
            raise SystemExit(
                f"--{name.replace('_', '-')}: expected a positive integer, got {getattr(args, name)}"
            )
    device = resolve_device(args.device)
    precisions, modes, archs = args.precision.split(","), args.compile.split(","), args.arch.split(",")
    for a in archs:
        if a not in ("mlp", "conv"):
            raise SystemExit(f"--arch: {a!r} is not one of ('mlp', 'conv')")
    for p in precisions:
        if p not in PRECISIONS:
            raise SystemExit(f"--precision: {p!r} is not one of {PRECISIONS}")
    for m in modes:
        if m not in COMPILE_MODES:
            raise SystemExit(f"--compile: {m!r} is not one of {COMPILE_MODES}")
    out = {"experiment": "step-time", "provenance": provenance(device), "matmul_tflops": {}, "steps": []}
    for p in precisions:
        out["matmul_tflops"][p] = matmul_tflops(device, p, args.matmul_n)
        print(f"matmul {args.matmul_n}^3 {p}: {out['matmul_tflops'][p]:.1f} TFLOP/s", flush=True)
    for a, m, p in ((a, m, p) for a in archs for m in modes for p in precisions):
        try:
            r = time_steps(device, p, m, args.steps, args.repeats, arch=a)
        except Exception as e:  # a compile mode that fails here is reported, not fatal
            print(f"{a} {p:>5} compile={m}: FAILED {type(e).__name__}: {str(e)[:300]}", flush=True)
            out["steps"].append(
                {"arch": a, "precision": p, "compile": m, "error": f"{type(e).__name__}: {e}"[:1000]}
            )
            continue
        r["bound_fraction"] = r["achieved_tflops"] / out["matmul_tflops"][p]
        out["steps"].append(r)
        print(
            f"{a:<4} {p:>5} compile={m:<15} {r['ms_per_step']:.3f} ms/step  "
            f"{r['images_per_s']:,.0f} images/s  "
            f"{r['achieved_tflops']:.2f} TFLOP/s = {100 * r['bound_fraction']:.1f} % "
            f"of the {p} matmul rate  "
            f"(first call {r['first_call_s']:.1f} s)",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
