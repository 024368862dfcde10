"""Interruption: checkpoints, SIGKILL + --resume, Ctrl-C, and what a checkpoint refuses.

The end-to-end tests run the CLI in a subprocess on `digits` with a small configuration
(layer-wise pretraining with dropout, fine-tuning, DEC), kill it inside a chosen stage, resume
it, and require the same labels and centres as an uninterrupted run (CPU, one thread, same seed).
"""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from dec import DEC, load_dataset
from dec import checkpoint as ckpt_module

SETTINGS = [
    "--set",
    "dims=(32,32,64,10)",
    "--set",
    "pretrain='layerwise'",
    "--set",
    "layer_iters=120",
    "--set",
    "finetune_iters=240",
    "--set",
    "ae_optimizer='adam'",
    "--set",
    "ae_lr=0.001",
    "--set",
    "augment='none'",
    "--set",
    "max_iter=300",
    "--set",
    "update_interval=20",
    "--set",
    "tol=0.0",
    "--set",
    "kmeans_n_init=2",
]


def command(out, *extra):
    return [
        sys.executable,
        "-m",
        "dec",
        "train",
        "--dataset",
        "digits",
        "--offline",
        "--quiet",
        "--threads",
        "1",
        "--seed",
        "3",
        "--checkpoint-every",
        "20",
        "--out",
        str(out),
        *SETTINGS,
        *extra,
    ]


def env():
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def result(out):
    blob = torch.load(out / "model.pt", weights_only=True)
    return blob["attributes"]["labels_"].numpy(), blob["model"]["centers"].numpy()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    subprocess.run(command(out), check=True, env=env(), capture_output=True, timeout=300)
    return result(out)


def stage_of(path):
    """The stage a checkpoint is inside of (None when it is between stages or unreadable)."""
    try:
        cur = torch.load(path, weights_only=True)["current"]
    except Exception:  # not written yet
        return None
    return cur and cur["stage"]


def interrupt(out, stage, sig, *extra):
    """Start a run (with ``extra`` arguments), wait until its checkpoint is inside ``stage``, send ``sig``."""
    proc = subprocess.Popen(
        command(out, *extra), env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 240
    while stage_of(out / "checkpoint.pt") != stage:
        assert proc.poll() is None, f"the run ended before reaching {stage}: {proc.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    return proc.returncode, stderr


@pytest.mark.parametrize("stage", ["layer2", "dec"])
def test_sigkill_then_resume_gives_the_same_labels(stage, uninterrupted, tmp_path):
    code, _ = interrupt(tmp_path, stage, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert not (tmp_path / "model.pt").exists()
    # Atomic writes: the kill may land while a checkpoint is being written, leaving a partial
    # checkpoint.pt.<pid>.tmp (nothing can clean up after a SIGKILL); the real file is always complete.
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=True)["key"]  # loads: complete
    done = subprocess.run(
        command(tmp_path, "--resume"), env=env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "resuming from" in done.stdout
    labels, centers = result(tmp_path)
    np.testing.assert_array_equal(labels, uninterrupted[0])
    np.testing.assert_array_equal(centers, uninterrupted[1])


STARTS = ["--set", "kmeans_views=(0,2)"]  # two clustering runs, each its own checkpoint stage


def test_sigkill_in_the_second_clustering_run_then_resume(tmp_path_factory, tmp_path):
    """With two k-means starts, a run killed inside the second clustering run resumes it, keeps
    the finished first one, and ends as the uninterrupted run does."""
    whole = tmp_path_factory.mktemp("two-starts")
    subprocess.run(command(whole, *STARTS), check=True, env=env(), capture_output=True, timeout=300)
    code, _ = interrupt(tmp_path, "dec-1", signal.SIGKILL, *STARTS)
    assert code == -signal.SIGKILL
    done = subprocess.run(
        command(tmp_path, *STARTS, "--resume"), env=env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    for got, want in zip(result(tmp_path), result(whole), strict=True):
        np.testing.assert_array_equal(got, want)
    starts = [json.loads((d / "record.json").read_text())["starts"] for d in (tmp_path, whole)]
    assert [s["kmeans_views"] for s in starts[0]] == [0, 2]
    assert [(s["kl"], s["n_iter"]) for s in starts[0]] == [(s["kl"], s["n_iter"]) for s in starts[1]]


def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(uninterrupted, tmp_path):
    code, stderr = interrupt(tmp_path, "finetune", signal.SIGINT)
    assert code == 130
    assert "checkpoint saved to" in stderr and "--resume" in stderr
    assert "Traceback" not in stderr
    # Saved between two iterations of fine-tuning (or, when the signal raced the end of the
    # stage, the checkpoint written when it finished): either way a complete file to resume from.
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=True)["done"].get("layer4") is not None
    done = subprocess.run(
        command(tmp_path, "--resume"), env=env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    np.testing.assert_array_equal(result(tmp_path)[0], uninterrupted[0])


# -- in-process: every stage, and the checkpoint's contents ----------------------------------
CFG = {
    "dims": (16, 16, 32, 10),
    "pretrain": "layerwise",
    "layer_iters": 40,
    "finetune_iters": 60,
    "ae_optimizer": "adam",
    "ae_lr": 1e-3,
    "augment": "affine",
    "max_iter": 120,
    "update_interval": 20,
    "tol": 0.0,
    "kmeans_n_init": 2,
}


class Stop(Exception):
    pass


@pytest.fixture(scope="module")
def digits_small():
    return load_dataset("digits").X[:600]


@pytest.mark.parametrize(
    "stage, at", [("layer1", 30), ("layer4", 10), ("finetune", 50), ("dec", 40), ("dec", 110)]
)
def test_resume_inside_every_stage_is_exact(stage, at, digits_small, tmp_path, monkeypatch):
    def est():
        return DEC(
            10,
            config=CFG,
            random_state=0,
            image_shape=(8, 8),
            checkpoint=tmp_path / "c.pt",
            checkpoint_every=10,
        )

    reference = DEC(10, config=CFG, random_state=0, image_shape=(8, 8)).fit(digits_small)
    original = ckpt_module.Checkpoint.step

    def step(self, name, it, *args):
        original(self, name, it, *args)
        if (name, it) == (stage, at):
            raise Stop

    monkeypatch.setattr(ckpt_module.Checkpoint, "step", step)
    with pytest.raises(Stop):
        est().fit(digits_small)
    monkeypatch.setattr(ckpt_module.Checkpoint, "step", original)
    resumed = est().fit(digits_small, resume=True)
    assert resumed.resumed_
    np.testing.assert_array_equal(resumed.labels_, reference.labels_)
    np.testing.assert_array_equal(resumed.cluster_centers_, reference.cluster_centers_)
    assert [h["iter"] for h in resumed.history_] == [h["iter"] for h in reference.history_]


@pytest.mark.filterwarnings("ignore:DEC ended with")
def test_fit_from_resumes_its_clustering_stage_exactly(digits_small, tmp_path, monkeypatch):
    """fit_from (dec train --pretrained) checkpoints k-means and DEC like fit; the checkpoint is
    tied to the network it started from."""
    base = DEC(10, config=CFG, random_state=0, image_shape=(8, 8)).fit(digits_small)

    def est(**kw):
        return DEC(10, config=CFG, random_state=0, image_shape=(8, 8), checkpoint=tmp_path / "c.pt", **kw)

    original = ckpt_module.Checkpoint.step

    def step(self, name, it, *args):
        original(self, name, it, *args)
        if (name, it) == ("dec", 60):
            raise Stop

    monkeypatch.setattr(ckpt_module.Checkpoint, "step", step)
    with pytest.raises(Stop):
        est(checkpoint_every=10).fit_from(base, digits_small)
    monkeypatch.setattr(ckpt_module.Checkpoint, "step", original)
    resumed = est(checkpoint_every=10).fit_from(base, digits_small, resume=True)
    assert resumed.resumed_ and resumed.times_["pretrain"] == 0.0
    np.testing.assert_array_equal(resumed.labels_, base.labels_)  # same network and seed: same run
    np.testing.assert_array_equal(resumed.cluster_centers_, base.cluster_centers_)
    other = DEC(10, config=CFG, random_state=1, image_shape=(8, 8)).fit(digits_small)
    with pytest.raises(ckpt_module.CheckpointMismatchError):
        est().fit_from(other, digits_small, resume=True)  # another network: not this checkpoint's run
    with pytest.raises(ValueError, match="needs the checkpoint path"):
        DEC(10, config=CFG).fit_from(base, digits_small, resume=True)


def test_finished_checkpoint_loads_safely_and_resume_returns_the_result(digits_small, tmp_path):
    path = tmp_path / "c.pt"
    a = DEC(10, config=CFG, random_state=1, image_shape=(8, 8), checkpoint=path).fit(digits_small)
    blob = torch.load(path, weights_only=True)  # no pickled code inside
    assert blob["version"] and blob["key"] and blob["current"] is None
    assert list(blob["done"]) == ["layer1", "layer2", "layer3", "layer4", "finetune", "kmeans", "dec"]
    b = DEC(10, config=CFG, random_state=1, image_shape=(8, 8), checkpoint=path).fit(
        digits_small, resume=True
    )
    np.testing.assert_array_equal(a.labels_, b.labels_)


def test_resume_with_no_checkpoint_file_starts_from_scratch(digits_small, tmp_path):
    a = DEC(10, config=CFG, random_state=2, image_shape=(8, 8), checkpoint=tmp_path / "new.pt")
    a.fit(digits_small, resume=True)
    assert not a.resumed_ and (tmp_path / "new.pt").is_file()


def test_resume_after_kmeans_starts_the_dec_stage_from_its_own_seed(digits_small, tmp_path):
    """Killed after k-means, before the DEC stage's first checkpoint: the resumed DEC stage must
    start as the uninterrupted one does (seeded afresh), not continue the random streams that the
    earlier stages left in the checkpoint."""
    path = tmp_path / "c.pt"
    reference = DEC(10, config=CFG, random_state=0, image_shape=(8, 8)).fit(digits_small)
    DEC(10, config=CFG, random_state=0, image_shape=(8, 8), checkpoint=path).fit(digits_small)
    blob = torch.load(path, weights_only=True)
    del blob["done"]["dec"]  # as if killed right after k-means; the generators saved are not fresh
    blob["current"] = None
    torch.save(blob, path)
    resumed = DEC(10, config=CFG, random_state=0, image_shape=(8, 8), checkpoint=path)
    resumed.fit(digits_small, resume=True)
    assert resumed.resumed_
    np.testing.assert_array_equal(resumed.labels_, reference.labels_)
