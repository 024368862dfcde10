"""Caches that cannot go stale: keys follow the configuration and the library's code; an entry
computed by other code is recomputed, with a message. Atomic writes leave no partial files."""

import dataclasses
import warnings

import numpy as np
import pytest
import torch
from conftest import TINY

import dec.store
from dec import DEC
from dec.config import Config
from dec.store import Cache, atomic_save


def ae_entry(cfg: Config, tmp_path):
    return Cache(tmp_path).entry("ae", config=cfg.pretrain_dict(), data="d", seed=0)


def test_every_field_but_the_clustering_ones_keys_the_autoencoder(tmp_path):
    base = Config.from_profile("quick")
    clustering = {
        "kmeans_n_init",
        "kmeans_views",
        "alpha",
        "dec_lr",
        "dec_optimizer",
        "dec_momentum",
        "dec_batch_size",
        "dec_order",
        "update_interval",
        "tol",
        "max_iter",
        "dec_patience",
        "update_encoder",
        "dec_augment",
        "kl_weight",
        "recon_weight",
    }
    assert set(Config.pretrain_fields()) == {f.name for f in dataclasses.fields(Config)} - clustering - {
        "profile"
    }
    changes = {
        "dims": (20, 10),
        "arch": "conv",
        "init": "normal",
        "init_std": 0.02,
        "input_scaling": "none",
        "pretrain": "layerwise",
        "layer_iters": 7,
        "finetune_iters": 7,
        "finetune_epochs": 3.0,
        "dropout": 0.1,
        "finetune_dropout": 0.1,
        "ae_batch_size": 7,
        "ae_optimizer": "sgd",
        "ae_lr": 0.5,
        "ae_momentum": 0.5,
        "ae_lr_step": 7,
        "ae_weight_decay": 0.1,
        "augment": "none",
        "augment_shift": 0.2,
        "augment_rotate": 5.0,
        "precision": "bf16",
        "compile": "default",
    }
    assert set(changes) == set(Config.pretrain_fields())  # a new field must be added here too
    key = ae_entry(base, tmp_path).path
    for name, value in changes.items():
        assert ae_entry(dataclasses.replace(base, **{name: value}), tmp_path).path != key, name
    for name in clustering:
        special = {
            "update_encoder": not base.update_encoder,
            "dec_augment": "affine",
            "recon_weight": 1.0,
            "dec_patience": 3,
            "dec_optimizer": "adam",
            "dec_order": "fixed",
            "kmeans_views": (0, 4),
        }
        value = special.get(name, getattr(base, name) * 2)
        assert ae_entry(dataclasses.replace(base, **{name: value}), tmp_path).path == key, name


def test_a_field_added_later_enters_the_key_unless_declared_a_clustering_field():
    @dataclasses.dataclass
    class Extended(Config):
        new_pretraining_knob: int = 0
        new_clustering_knob: int = dataclasses.field(default=0, metadata={"stage": "clustering"})

    assert "new_pretraining_knob" in Extended.pretrain_fields()
    assert "new_clustering_knob" not in Extended.pretrain_fields()


def test_the_code_fingerprint_is_part_of_every_key(tmp_path, monkeypatch):
    entry = Cache(tmp_path).entry("ae", config={"a": 1})
    entry.save({"x": torch.ones(2)})
    assert Cache(tmp_path).entry("ae", config={"a": 1}).load()["x"].sum() == 2
    monkeypatch.setattr(dec.store, "code_fingerprint", lambda: "other-code")
    other = Cache(tmp_path).entry("ae", config={"a": 1})
    assert other.path == entry.path and other.key != entry.key  # same place, other key
    with pytest.warns(RuntimeWarning, match="computed by other library code"):
        assert other.load() is None


def test_an_entry_written_by_other_code_is_retrained_with_a_message(digits, tmp_path, monkeypatch):
    X = digits.X[:200]
    first = DEC(4, config=TINY, random_state=0, cache_dir=tmp_path).fit(X)
    again = DEC(4, config=TINY, random_state=0, cache_dir=tmp_path).fit(X)
    assert not first.ae_cache_hit_ and again.ae_cache_hit_ and again.dec_cache_hit_
    monkeypatch.setattr(dec.store, "code_fingerprint", lambda: "edited-library")
    with pytest.warns(RuntimeWarning, match="computed by other library code") as caught:
        edited = DEC(4, config=TINY, random_state=0, cache_dir=tmp_path).fit(X)
    assert {"autoencoder" if "cached ae" in str(w.message) else "dec" for w in caught} == {
        "autoencoder",
        "dec",
    }
    assert not edited.ae_cache_hit_ and not edited.dec_cache_hit_
    np.testing.assert_array_equal(edited.labels_, first.labels_)  # recomputed, same arithmetic
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the recomputed entries replaced the old
        assert DEC(4, config=TINY, random_state=0, cache_dir=tmp_path).fit(X).ae_cache_hit_


def test_atomic_save_leaves_no_temporary_file(tmp_path):
    atomic_save({"a": torch.zeros(3)}, tmp_path / "sub" / "f.pt")
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["f.pt"]


def test_a_failed_write_leaves_neither_file_nor_temporary(tmp_path):
    from dec.store import atomic_write

    def fail(f):
        f.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "f.bin", fail)
    assert list(tmp_path.iterdir()) == []


def test_the_autoencoder_key_includes_the_shape_of_the_data(digits, tmp_path):
    X = np.ascontiguousarray(digits.X[:200])
    a = DEC(3, config=TINY, random_state=0, cache_dir=tmp_path).fit(X)
    b = DEC(3, config=TINY, random_state=0, cache_dir=tmp_path).fit(X.reshape(400, 32))  # same bytes
    assert not a.ae_cache_hit_ and not b.ae_cache_hit_ and b.n_features_in_ == 32
