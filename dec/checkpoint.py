"""Checkpoints: stop a long run (Ctrl-C, a killed job, a closed laptop) and resume it exactly.

A checkpoint is one file, rewritten atomically (temporary file + rename, so a kill never leaves
half a file under the real name) every ``every`` iterations, at the end of each stage and on
Ctrl-C. It holds everything the rest of the run depends on: weights, optimiser and learning-rate
schedule, the minibatch order, the random generators, and for DEC the target distribution P. A
resumed run on the same device and thread count therefore repeats the computation of an
uninterrupted one bit for bit (tested with SIGKILL in ``tests/test_checkpoint.py``).

Stages, in order: ``layer1`` ... ``layerN`` (layer-wise pretraining), ``finetune``, ``kmeans``,
``dec``. A stage is *done* (its results are stored, it is skipped on resume) or *current* (its
mid-stage state is stored, it continues from there).

The file records the library version and a hash of everything that defines the run
(configuration, data, seed, number of clusters, image shape, device type); resuming with
anything different is refused with a message that says what to do. Files are read with
``torch.load(weights_only=True)``: no code runs when a checkpoint is opened.

A training loop talks to its checkpoint through one :class:`Loop` (``ckpt.loop(stage, ...)``):
``restore`` at the start, ``step`` once per iteration, ``finish`` at the end. That is all the
bookkeeping a loop carries, so it reads like the paper.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path

import torch

from ._version import __version__
from .store import atomic_save, run_key

__all__ = [
    "Checkpoint",
    "CheckpointMismatchError",
    "Loop",
    "NoCheckpoint",
    "rng_state",
    "run_key",
    "set_rng_state",
]


def rng_state(generator: torch.Generator | None) -> dict:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    if generator is not None:
        state["generator"] = generator.get_state()
    return state


def set_rng_state(state: dict, generator: torch.Generator | None):
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    if generator is not None and "generator" in state:
        generator.set_state(state["generator"])


class CheckpointMismatchError(ValueError):
    """The checkpoint belongs to another run (configuration, data, seed, pretrained network or library
    version)."""


class Checkpoint:
    """Periodic, atomic checkpoints of one run, and what a resumed run needs from them.
    ``path=None``: no checkpoint (the same interface, nothing is written): :data:`NoCheckpoint`."""

    def __init__(self, path=None, key: str | None = None, every: int = 500, resume: bool = False):
        self.path, self.key, self.every = (None if path is None else Path(path)), key, int(every)
        self.blob = {
            "version": __version__,
            "key": key,
            "done": {},
            "current": None,
            "rng": None,
            "weights": None,
        }
        self.resumed = False
        self._rng_pending = False  # a resumed run restores the generators once, where it continues
        self._stop = False
        if resume and self.path is not None and self.path.is_file():
            blob = torch.load(self.path, map_location="cpu", weights_only=True)
            if blob.get("version") != __version__:
                raise CheckpointMismatchError(
                    f"checkpoint {self.path} was written by dec {blob.get('version')}, this is dec "
                    f"{__version__}: it cannot be resumed exactly. Delete it (or run without --resume)."
                )
            if blob.get("key") != key:
                raise CheckpointMismatchError(
                    f"checkpoint {self.path} belongs to another run (different configuration, data, seed, "
                    "number of clusters, device or pretrained network); resume with the same settings, or "
                    "delete it / choose another checkpoint path to start afresh."
                )
            self.blob, self.resumed, self._rng_pending = blob, True, True

    # -- what a stage finds on resume --------------------------------------------------------
    def done(self, stage: str):
        """The stored result of a finished stage, or None."""
        return self.blob["done"].get(stage)

    def current(self, stage: str):
        """The mid-stage state of ``stage`` if the run stopped inside it, else None. The caller
        restores everything from it, the random generators (``state["rng"]``) included."""
        cur = self.blob["current"]
        if cur is not None and cur["stage"] == stage:
            self._rng_pending = False
            return cur
        return None

    def weights(self):
        """The latest saved weights of the run's model (dict of state dicts), or None."""
        return self.blob["weights"]

    def restore_rng(self, generator):
        """At the first stage that starts from scratch after a resume: continue the random
        streams where the interrupted run had them."""
        if self._rng_pending and self.blob["rng"] is not None:
            set_rng_state(self.blob["rng"], generator)
        self._rng_pending = False

    def loop(self, stage: str, generator, weights_fn=None, continues_streams=True, **stateful) -> "Loop":
        """The bookkeeping of one training loop: ``stateful`` objects (optimiser, schedule,
        minibatch stream, model: anything with ``state_dict``/``load_state_dict``) are saved and
        restored with the loop; ``weights_fn()`` gives the run's weights to save beside them.
        ``continues_streams=False``: a loop that seeds its generators afresh (the DEC stage), so
        that starting it after a resume must not continue the earlier stages' random streams."""
        return Loop(self, stage, generator, weights_fn, stateful, continues_streams)

    # -- writing ---------------------------------------------------------------------------
    def _write(self):
        if self.path is not None:
            atomic_save(self.blob, self.path)

    def step(self, stage: str, it: int, state_fn, weights_fn, generator):
        """Call once per finished iteration: saves every ``every`` iterations and, after a
        Ctrl-C, saves and raises KeyboardInterrupt (the loop stops between two iterations)."""
        if self.path is None or (it % self.every and not self._stop):
            return
        rng = rng_state(generator)
        self.blob["current"] = {"stage": stage, "iter": it, "rng": rng, **state_fn()}
        self.blob["weights"], self.blob["rng"] = (weights_fn() if weights_fn else None), rng
        self._write()
        if self._stop:
            raise KeyboardInterrupt(f"interrupted; checkpoint saved to {self.path}")

    def finish(self, stage: str, result, weights=None, generator=None):
        if self.path is None:
            return
        self.blob["done"][stage] = result
        self.blob["current"] = None
        if weights is not None:
            self.blob["weights"] = weights
        self.blob["rng"] = rng_state(generator)
        self._write()

    @contextlib.contextmanager
    def guard(self):
        """While training: Ctrl-C (SIGINT) asks the loop to stop at the end of the iteration,
        after writing a checkpoint, instead of interrupting it half-way. Without a checkpoint
        file, or off the main thread, Ctrl-C interrupts at once."""
        if self.path is None or threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum, frame):
            if self._stop:  # a second Ctrl-C: stop now
                raise KeyboardInterrupt
            self._stop = True

        previous = signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


class NoCheckpoint(Checkpoint):
    """A checkpoint that writes nothing and resumes nothing: runs without a checkpoint path."""

    def __init__(self):
        super().__init__(None)


class Loop:
    """One training loop's view of the checkpoint (see :meth:`Checkpoint.loop`).

    ``restore(**defaults)`` returns the loop's plain values (iteration, histories, running sums)
    as saved, having restored the stateful objects and the random generators, or ``defaults``
    when the loop starts afresh; ``step(it, **values)`` saves them when it is time (tensors are
    copied to the CPU, lists copied, only then); ``finish(result)`` marks the stage done."""

    def __init__(
        self, ckpt: Checkpoint, stage: str, generator, weights_fn, stateful: dict, continues_streams=True
    ):
        self.ckpt, self.stage, self.generator = ckpt, stage, generator
        self.weights_fn, self.stateful, self.continues_streams = weights_fn, stateful, continues_streams

    def done(self):
        """The stored result of this stage when it finished before, else None."""
        return self.ckpt.done(self.stage)

    def restore(self, **defaults) -> dict:
        cur = self.ckpt.current(self.stage)
        if cur is None:
            if self.continues_streams:
                self.ckpt.restore_rng(self.generator)
            return defaults
        for name, obj in self.stateful.items():
            obj.load_state_dict(cur[name])
        set_rng_state(cur["rng"], self.generator)
        return {name: cur[name] for name in defaults}

    def step(self, it: int, **values):
        def state():
            out = {name: obj.state_dict() for name, obj in self.stateful.items()}
            for name, v in values.items():
                if isinstance(v, torch.Tensor):
                    v = float(v) if v.dim() == 0 else v.detach().cpu()
                out[name] = list(v) if isinstance(v, list) else v
            return out

        self.ckpt.step(self.stage, it, state, self.weights_fn, self.generator)

    def finish(self, result, weights=None):
        self.ckpt.finish(self.stage, result, weights, self.generator)

    def guard(self):
        return self.ckpt.guard()
