"""Small helpers shared by the training loops: devices, seeds, minibatch indices, progress."""

from __future__ import annotations

import contextlib
import math
import os
import random
import time

import numpy as np
import torch


def resolve_device(device="auto") -> torch.device:
    """``"auto"`` -> CUDA when present, else CPU; anything else must be a valid torch device."""
    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str):
        raise ValueError(f"device must be a string like 'auto', 'cpu', 'cuda' or 'cuda:1'; got {device!r}")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError as e:
        raise ValueError(f"unknown device {device!r}: use 'auto', 'cpu', 'cuda' or 'cuda:N'") from e
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but CUDA is not available here; use 'auto' or 'cpu'")
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device type {dev.type!r} is not supported; use 'auto', 'cpu' or 'cuda'")
    return dev


def busy_cores(interval: float = 0.5) -> float:
    """How many cores other processes keep busy *now*: CPU time not idle over ``interval``
    seconds (/proc/stat), in cores. Falls back to the 1-minute load average where there is no
    /proc (which lags: it still counts work that ended up to a minute ago)."""

    def snapshot():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total0, idle0 = snapshot()
        time.sleep(interval)
        total1, idle1 = snapshot()
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    total = total1 - total0
    return (1 - (idle1 - idle0) / total) * (os.cpu_count() or 1) if total > 0 else 0.0


def choose_threads() -> int:
    """How many torch CPU threads to use: the cores this process may run on, minus the cores
    other processes keep busy right now (:func:`busy_cores`, half a core or more counts as one),
    at least 1.

    Why: on a 2-core machine two torch threads while the other core is busy run many times
    slower than one thread (the threads wait on each other at every matmul; benchmarks/README.md).
    One thread per process is the safe choice when several jobs share the machine; all cores only
    when they are idle.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    busy = math.ceil(busy_cores() - 0.5)
    return max(1, cores - max(0, busy))


def fused(device) -> dict:
    """``{"fused": True}`` where torch has fused optimiser kernels (CPU, CUDA): one kernel for the
    whole update instead of several per tensor, which matters on a small CPU (benchmarks/README.md)."""
    return {"fused": True} if torch.device(device).type in ("cpu", "cuda") else {}


def autocast(device, precision: str):
    """Context for the *forward* passes (and losses) of training: with ``precision="bf16"``
    matrix products run in bfloat16 (torch autocast; softmax, log and reductions stay float32),
    otherwise nothing changes. Backward passes run outside it, as torch recommends."""
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=precision == "bf16")


@contextlib.contextmanager
def matmul_precision(precision: str):
    """Float32 matrix products in TensorFloat-32 on CUDA (``precision="tf32"``, torch's "high")
    or in full float32 ("highest", the default otherwise) for the duration of the block; the
    previous process-wide setting is restored afterwards. CPU matmuls are float32 either way."""
    old = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("high" if precision == "tf32" else "highest")
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(old)


def maybe_compile(fn, mode: str = "none"):
    """``fn`` itself (mode "none"), or ``torch.compile(fn)`` with inductor's default mode
    ("default": fused kernels) or "reduce-overhead" (also CUDA graphs: one launch per step).
    Compilation happens on the first call and takes tens of seconds; it pays off on long runs."""
    if mode == "none":
        return fn
    return torch.compile(fn, mode=None if mode == "default" else mode)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's, numpy's and torch's *global* generators; return a torch generator for
    minibatch order. For scripts and chapters that call the low-level functions; the estimator
    uses :func:`local_random_state` and leaves the global generators alone."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    g = torch.Generator()
    g.manual_seed(seed)
    return g


@contextlib.contextmanager
def local_random_state(seed: int, device="cpu"):
    """Seed torch for the duration of the block only, and yield a torch generator (seeded too)
    for minibatch order. Torch's global generators (the CPU's, and the CUDA devices' when
    ``device`` is CUDA) are restored afterwards, so a fit leaves the caller's random state as it
    found it (scikit-learn's convention) while the weight initialisation, dropout and
    augmentation inside still draw reproducibly from the seed. Python's and numpy's global
    generators are not used by the library at all."""
    device = torch.device(device)
    cuda = device.type == "cuda"
    with torch.random.fork_rng(devices=list(range(torch.cuda.device_count())) if cuda else []):
        if cuda:
            torch.manual_seed(seed)  # the CPU's and every CUDA device's generator
        else:
            torch.default_generator.manual_seed(seed)  # the CPU's only: CUDA's stays the caller's
        generator = torch.Generator()
        generator.manual_seed(seed)
        yield generator


class Minibatches:
    """Endless stream of index tensors: a fresh permutation of 0..n-1 every epoch (the last
    partial batch dropped), or with ``shuffle=False`` the rows in their own order every epoch,
    the last batch shorter when ``batch_size`` does not divide ``n`` and never empty (DEC's Keras
    port walks its clustering stage so, but for an empty batch where ``batch_size`` divides ``n``).

    The data itself stays one tensor on the device; only indices move (the permutation is made
    on the CPU generator once per epoch and kept on the device). ``state_dict`` /
    ``load_state_dict`` capture the position, so a resumed run draws the same batches.
    """

    def __init__(self, n: int, batch_size: int, generator: torch.Generator, device, shuffle: bool = True):
        self.n, self.batch_size = n, min(batch_size, n)
        self.generator, self.device, self.shuffle = generator, device, shuffle
        self.perm, self.pos = None, 0

    def __iter__(self):
        return self

    def __next__(self) -> torch.Tensor:
        if not self.shuffle:  # no generator drawn from
            if self.pos >= self.n:
                self.pos = 0
            idx = torch.arange(self.pos, min(self.pos + self.batch_size, self.n), device=self.device)
            self.pos += self.batch_size
            return idx
        if self.perm is None or self.pos + self.batch_size > self.n:
            self.perm = torch.randperm(self.n, generator=self.generator).to(self.device)
            self.pos = 0
        idx = self.perm[self.pos : self.pos + self.batch_size]
        self.pos += self.batch_size
        return idx

    def state_dict(self) -> dict:
        return {"perm": None if self.perm is None else self.perm.cpu(), "pos": self.pos}

    def load_state_dict(self, state: dict):
        perm = state["perm"]
        self.perm = None if perm is None else perm.to(self.device)
        self.pos = state["pos"]


@torch.no_grad()
def in_chunks(fn, X: torch.Tensor, chunk: int = 8192) -> torch.Tensor:
    """Apply ``fn`` to the rows of ``X`` chunk by chunk (bounded memory), without gradients."""
    return torch.cat([fn(X[i : i + chunk]) for i in range(0, len(X), chunk)])


def progress(total: int, desc: str, enabled: bool, initial: int = 0):
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        desc=desc,
        disable=not enabled,
        leave=False,
        dynamic_ncols=True,
        mininterval=0.5,
        initial=initial,
    )
