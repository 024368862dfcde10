"""Bad input is refused with an error that names the problem and the fix, before any training.

One table, every entry point a user meets: the estimator, the data loaders, the notebooks'
parameter check, the CLI and checkpoints. While the table runs, pretraining and the DEC loop
are replaced by functions that fail the test if reached: each error must come first.
"""

import gzip

import numpy as np
import pytest
import torch
from conftest import TINY

import dec.estimator
from dec import DEC, load_dataset
from dec.book import check_parameters
from dec.checkpoint import CheckpointMismatchError
from dec.cli import main as cli_main
from dec.data import DataIntegrityError, DatasetNotFoundError, read_idx

PRETRAIN, TRAIN_DEC = dec.estimator.pretrain, dec.estimator.train_dec

rng = np.random.RandomState(0)
X20 = rng.rand(20, 4).astype(np.float32)


def fit(X=X20, y=None, **params):
    params = {"n_clusters": 2, **params, "config": {**TINY, **params.get("config", {})}}
    return lambda tmp: DEC(**params).fit(X, y)


def idx(tmp, name, payload: bytes, compress=True):
    path = tmp / name
    if compress:
        with gzip.open(path, "wb") as f:
            f.write(payload)
    else:
        path.write_bytes(payload)
    return path


GOOD_IDX = bytes([0, 0, 8, 1]) + (4).to_bytes(4, "big") + bytes([1, 2, 3, 4])


def cut_gzip(tmp):
    p = idx(tmp, "cut.gz", GOOD_IDX * 50)
    p.write_bytes(p.read_bytes()[:-12])  # an interrupted download
    return read_idx(p)


def other_checkpoint(tmp):
    DEC(2, config=TINY, random_state=0, checkpoint=tmp / "c.pt").pretrain(X20)  # writes it
    DEC(2, config={**TINY, "dec_lr": 0.5}, random_state=0, checkpoint=tmp / "c.pt").fit(X20, resume=True)


def old_checkpoint(tmp):
    DEC(2, config=TINY, random_state=0, checkpoint=tmp / "c.pt").pretrain(X20)
    blob = torch.load(tmp / "c.pt", weights_only=True)
    torch.save({**blob, "version": "0.0.1"}, tmp / "c.pt")
    DEC(2, config=TINY, random_state=0, checkpoint=tmp / "c.pt").fit(X20, resume=True)


def fitted(tmp):
    with pytest.MonkeyPatch.context() as mp:  # this one needs training: undo the table's guard
        mp.setattr(dec.estimator, "pretrain", PRETRAIN)
        mp.setattr(dec.estimator, "train_dec", TRAIN_DEC)
        return DEC(2, config=TINY, random_state=0).fit(X20)


def edited(tmp, **changes):
    fitted(tmp).save(tmp / "m.pt")
    blob = torch.load(tmp / "m.pt", weights_only=True)
    torch.save({**blob, **changes}, tmp / "m.pt")
    return tmp / "m.pt"


def cli(*args):
    def run(tmp):
        if cli_main(["train", "--quiet", "--out", str(tmp / "run"), *args]) == 2:
            raise ValueError("exit status 2")

    return run


# (case, call(tmp_path), exception, message that must appear)
CASES = [
    ("NaN in X", fit(np.array([[0.0, np.nan], [1, 2], [3, 4]])), ValueError, "NaN"),
    ("inf in X", fit(np.array([[0.0, np.inf], [1, 2], [3, 4]])), ValueError, "infinity"),
    ("1-D X", fit(np.zeros(10)), ValueError, "Expected 2D array"),
    ("3-D X", fit(np.zeros((4, 2, 2))), ValueError, "dim 3"),
    ("empty X", fit(np.zeros((0, 4))), ValueError, "0 sample"),
    ("no features", fit(np.zeros((5, 0))), ValueError, "0 feature"),
    ("one sample", fit(np.zeros((1, 4))), ValueError, "1 sample"),
    ("non-numeric X", fit(np.array([["a", "b"], ["c", "d"]])), ValueError, "convert|could not"),
    ("n_clusters < 2", fit(n_clusters=1), ValueError, "at least 2 clusters"),
    ("n_clusters > n_samples", fit(X20[:5], n_clusters=6), ValueError, "larger than the number of samples"),
    ("n_clusters not an int", fit(n_clusters=2.5), ValueError, "must be an integer"),
    ("y of the wrong length", fit(y=np.zeros(3)), ValueError, "one label per sample"),
    ("unknown profile", fit(profile="fast"), ValueError, "unknown profile 'fast'"),
    ("unknown config field", fit(config={"update_intervall": 5}), ValueError, "unknown config field"),
    ("config not a dict", lambda tmp: DEC(2, config=[("tol", 1)]).fit(X20), ValueError, "must be a dict"),
    ("tol out of range", fit(config={"tol": 2}), ValueError, "'tol' = 2 is invalid"),
    (
        "clustering-stage augmentation unknown",
        fit(config={"dec_augment": "flip"}),
        ValueError,
        "'dec_augment'",
    ),
    ("unknown minibatch order", fit(config={"dec_order": "random"}), ValueError, "'dec_order'"),
    ("KL weight 0", fit(config={"kl_weight": 0}), ValueError, "'kl_weight' = 0 is invalid"),
    ("k-means views < 0", fit(config={"kmeans_views": -1}), ValueError, r"'kmeans_views' = \(-1,\) is"),
    (
        "IDEC with a frozen encoder",
        fit(config={"recon_weight": 1.0, "update_encoder": False}),
        ValueError,
        "'update_encoder' = False is invalid",
    ),
    ("negative reconstruction weight", fit(config={"recon_weight": -1}), ValueError, "'recon_weight' = -1"),
    (
        "unknown clustering optimizer",
        fit(config={"dec_optimizer": "rmsprop"}),
        ValueError,
        "'dec_optimizer' = 'rmsprop' is invalid",
    ),
    ("unknown pretraining protocol", fit(config={"pretrain": "greedy"}), ValueError, "'pretrain'"),
    ("dims with a zero width", fit(config={"dims": (8, 0)}), ValueError, "'dims'"),
    (
        "unknown precision",
        fit(config={"precision": "fp16"}),
        ValueError,
        "'precision' = 'fp16' is invalid.*bf16",
    ),
    ("unknown compile mode", fit(config={"compile": "max"}), ValueError, "'compile' = 'max' is invalid"),
    (
        "image_shape vs features",
        fit(rng.rand(20, 5), config={"augment": "affine"}, image_shape=(2, 2)),
        ValueError,
        "does not match 5 features",
    ),
    ("unknown device", fit(device="tpu"), ValueError, "unknown device|not supported"),
    ("checkpoint_every = 0", fit(checkpoint_every=0), ValueError, "checkpoint_every must be a positive"),
    (
        "resume without a checkpoint path",
        lambda tmp: DEC(2, config=TINY).fit(X20, resume=True),
        ValueError,
        "needs the checkpoint path",
    ),
    ("checkpoint of another run", other_checkpoint, CheckpointMismatchError, "belongs to another run"),
    ("checkpoint of another version", old_checkpoint, CheckpointMismatchError, "written by dec 0.0.1"),
    (
        "predict with another number of features",
        lambda tmp: fitted(tmp).predict(X20[:, :3]),
        ValueError,
        "X has 3 features, but DEC is expecting 4",
    ),
    (
        "saved model of another version",
        lambda tmp: DEC.load(edited(tmp, version="0.0.1")),
        ValueError,
        "saved by dec 0.0.1",
    ),
    (
        "saved model with an edited configuration",
        lambda tmp: DEC.load(edited(tmp, config_hash="x")),
        ValueError,
        "does not match its hash",
    ),
    ("unknown dataset", lambda tmp: load_dataset("mnits"), ValueError, "unknown dataset 'mnits'"),
    (
        "dataset files missing",
        lambda tmp: load_dataset("mnist-test", data_dir=tmp, download=False),
        DatasetNotFoundError,
        "t10k-images-idx3-ubyte.gz",
    ),
    (
        "truncated IDX file",
        lambda tmp: read_idx(idx(tmp, "t", GOOD_IDX[:-1], compress=False)),
        DataIntegrityError,
        "truncated",
    ),
    (
        "IDX with a bad magic number",
        lambda tmp: read_idx(idx(tmp, "m.gz", b"\x01" + GOOD_IDX[1:])),
        DataIntegrityError,
        "magic",
    ),
    ("cut-off gzip download", cut_gzip, DataIntegrityError, "corrupt or truncated"),
    (
        "checksum mismatch",
        lambda tmp: read_idx(idx(tmp, "c.gz", GOOD_IDX), sha256="0" * 64),
        DataIntegrityError,
        "checksum mismatch",
    ),
    (
        "notebook parameter: profile",
        lambda tmp: check_parameters("fast", "digits", 0),
        ValueError,
        "parameter profile='fast' is invalid",
    ),
    (
        "notebook parameter: dataset",
        lambda tmp: check_parameters("quick", "mnits", 0),
        ValueError,
        "parameter dataset='mnits' is invalid",
    ),
    (
        "notebook parameter: seed",
        lambda tmp: check_parameters("quick", "digits", -1),
        ValueError,
        "parameter seed=-1 is invalid",
    ),
    (
        "notebook parameter: threads",
        lambda tmp: check_parameters("quick", "digits", 0, threads=0),
        ValueError,
        "parameter threads=0 is invalid",
    ),
    ("CLI --set typo", cli("--set", "update_intervall=5"), ValueError, "exit status 2"),
    ("CLI --checkpoint-every 0", cli("--checkpoint-every", "0"), ValueError, "exit status 2"),
]
if not torch.cuda.is_available():
    CASES.append(("CUDA requested without a GPU", fit(device="cuda"), ValueError, "CUDA is not available"))


@pytest.fixture
def no_training(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("training started before the bad input was detected")

    monkeypatch.setattr(dec.estimator, "train_dec", boom)
    yield monkeypatch


def test_the_table_is_long_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case, call, error, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_a_clear_message(case, call, error, message, no_training, tmp_path):
    if "checkpoint of" not in case:  # those two need pretraining to write the checkpoint
        no_training.setattr(dec.estimator, "pretrain", lambda *a, **k: pytest.fail("pretraining started"))
    with pytest.raises(error, match=message):
        call(tmp_path)
