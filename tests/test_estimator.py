import json
import warnings

import numpy as np
import pytest
import torch
from conftest import TINY
from sklearn.cluster import KMeans

from dec import DEC, cluster_acc
from dec.config import Config

# Good enough to beat k-means on raw pixels of `digits` (~0.79): affine augmentation in
# pretraining matters here (without it DEC reached 0.67-0.77 over seeds and sizes; with it
# 0.815 / 0.816 / 0.845 for seeds 0 / 1 / 2 at commit 538da6d, one thread).
SMALL = {
    "dims": (256, 256, 512, 10),
    "finetune_iters": 2000,
    "ae_batch_size": 128,
    "dec_batch_size": 128,
    "update_interval": 20,
    "kmeans_n_init": 5,
    "augment": "affine",
    "augment_shift": 0.1,
    "augment_rotate": 5.0,
    "dec_augment": "none",  # the paper's clustering stage: its history and tol stop are checked below
    "dec_patience": 0,
}


@pytest.fixture(scope="module")
def fitted(digits):
    return DEC(10, config=SMALL, random_state=1, image_shape=(8, 8)).fit(digits.X, digits.y)


def test_dec_beats_kmeans_on_raw_pixels(digits, fitted):
    raw = KMeans(10, n_init=10, random_state=0).fit_predict(digits.X)
    acc_raw, acc_dec = cluster_acc(digits.y, raw), cluster_acc(digits.y, fitted.labels_)
    assert acc_dec > acc_raw + 0.01, (acc_dec, acc_raw)
    assert fitted.converged_ and fitted.n_iter_ % 20 == 0
    # history: one entry per target update, with the monitoring metrics
    assert [h["iter"] for h in fitted.history_] == list(range(0, fitted.n_iter_ + 1, 20))
    assert fitted.history_[-1]["changed"] < 0.001
    assert fitted.history_[-1]["acc"] == pytest.approx(acc_dec)


def test_fitted_attributes_and_predictions(digits, fitted):
    X = digits.X
    assert fitted.labels_.shape == (len(X),) and fitted.cluster_centers_.shape == (10, 10)
    assert fitted.transform(X[:7]).shape == (7, 10)
    q = fitted.predict_proba(X[:7])
    np.testing.assert_allclose(q.sum(1), 1, rtol=1e-5)
    np.testing.assert_array_equal(fitted.predict(X), fitted.labels_)
    assert set(fitted.times_) == {"pretrain", "kmeans", "dec"}
    with pytest.raises(ValueError, match="X has 3 features, but DEC is expecting 64"):
        fitted.predict(X[:, :3])


def test_save_and_load_roundtrip(digits, fitted, tmp_path):
    """The whole fitted estimator comes back: every method and every fitted attribute."""
    X, y = digits.X, digits.y
    fitted.save(tmp_path / "m.pt")
    loaded = DEC.load(tmp_path / "m.pt", device="cpu")
    np.testing.assert_array_equal(loaded.predict(X), fitted.labels_)
    for method in ("predict", "predict_proba", "transform", "transform_pretrained"):
        np.testing.assert_array_equal(
            getattr(loaded, method)(X[:50]), getattr(fitted, method)(X[:50]), err_msg=method
        )
    assert loaded.evaluate(y) == fitted.evaluate(y)
    assert loaded.score(X[:100]) == fitted.score(X[:100])
    for name in ("labels_", "kmeans_labels_", "init_centers_", "cluster_centers_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(fitted, name), err_msg=name)
    for name in ("history_", "pretrain_history_"):  # as text: the first loss of the history is NaN
        assert json.dumps(getattr(loaded, name)) == json.dumps(getattr(fitted, name)), name
    for name in (
        "n_iter_",
        "converged_",
        "times_",
        "scale_",
        "seed_",
        "n_features_in_",
        "ae_cache_hit_",
        "dec_cache_hit_",
        "resumed_",
    ):
        assert getattr(loaded, name) == getattr(fitted, name), name
    assert loaded.config_ == fitted.config_ and loaded.get_params() == {
        **fitted.get_params(),
        "device": "cpu",
        "cache_dir": None,
        "checkpoint": None,
    }
    assert type(loaded.autoencoder_) is type(fitted.autoencoder_)


def test_fit_leaves_the_global_random_state_as_it_found_it(digits):
    import random

    random.seed(123)
    np.random.seed(123)
    torch.manual_seed(123)
    before = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    a = DEC(5, config=TINY, random_state=4).fit(digits.X[:200])
    assert random.getstate() == before[0]
    np.testing.assert_array_equal(np.random.get_state()[1], before[1])
    assert torch.equal(torch.get_rng_state(), before[2])
    torch.manual_seed(999)  # another global state: the same seed still gives the same fit
    b = DEC(5, config=TINY, random_state=4).fit(digits.X[:200])
    np.testing.assert_array_equal(a.labels_, b.labels_)


def test_same_seed_same_labels_and_cache(digits, tmp_path):
    X = digits.X[:400]
    a = DEC(5, config=TINY, random_state=3, cache_dir=tmp_path).fit(X)
    b = DEC(5, config=TINY, random_state=3, cache_dir=tmp_path).fit(X)
    assert not a.ae_cache_hit_ and b.ae_cache_hit_
    assert not a.dec_cache_hit_ and b.dec_cache_hit_
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))  # the cached weights, not only labels
    assert (a.n_iter_, a.converged_) == (b.n_iter_, b.converged_)
    assert [(h["iter"], h["changed"], h["sizes"]) for h in a.history_] == [
        (h["iter"], h["changed"], h["sizes"]) for h in b.history_
    ]
    c = DEC(5, config=TINY, random_state=3).fit(X)  # no cache: the same computation
    np.testing.assert_array_equal(a.labels_, c.labels_)
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_)
    assert list(tmp_path.glob("ae-*.pt")) and list(tmp_path.glob("dec-*.pt"))


def test_dec_cache_key_covers_labels_k_and_config(digits, tmp_path):
    X, y = digits.X[:300], digits.y[:300]
    DEC(4, config=TINY, random_state=1, cache_dir=tmp_path).fit(X)
    with_y = DEC(4, config=TINY, random_state=1, cache_dir=tmp_path).fit(X, y)
    assert with_y.ae_cache_hit_ and not with_y.dec_cache_hit_  # history must gain the metrics
    assert "acc" in with_y.history_[-1]
    other_k = DEC(5, config=TINY, random_state=1, cache_dir=tmp_path).fit(X, y)
    assert not other_k.dec_cache_hit_ and other_k.cluster_centers_.shape[0] == 5
    other_cfg = DEC(4, config={**TINY, "update_interval": 7}, random_state=1, cache_dir=tmp_path).fit(X, y)
    assert other_cfg.ae_cache_hit_ and not other_cfg.dec_cache_hit_


def test_fit_predict_equals_labels(digits):
    est = DEC(4, config=TINY, random_state=0)
    labels = est.fit_predict(digits.X[:300])
    np.testing.assert_array_equal(labels, est.labels_)


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        DEC().predict(np.zeros((2, 2)))


def test_empty_cluster_warning(digits):
    # 30 clusters on 40 identical-ish points: some end up empty, and the user is told
    X = np.repeat(digits.X[:2], 20, axis=0)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        est = DEC(30, config=TINY, random_state=0).fit(X)
    sizes = np.bincount(est.labels_, minlength=30).tolist()
    assert (np.array(sizes) == 0).any()
    assert any(f"{sizes.count(0)} empty and" in str(x.message) and str(sizes) in str(x.message) for x in w)
    assert est.history_[-1]["sizes"] == sizes  # sizes are also in the history, per target update


def test_augmentation_without_image_shape_is_skipped_with_a_warning():
    with pytest.warns(RuntimeWarning, match="skipped: pass image_shape"):
        DEC(2, config={**TINY, "augment": "affine"}, random_state=0).fit(np.random.rand(30, 4))


def test_dec_without_backprop_moves_only_the_centres(digits):
    X = digits.X[:300]
    est = DEC(4, config={**TINY, "update_encoder": False}, random_state=0).fit(X)
    pretrained = est.autoencoder_.encoder.state_dict()
    for name, value in est.model_.encoder.state_dict().items():
        torch.testing.assert_close(value, pretrained[name], rtol=0, atol=0)
    assert not np.allclose(est.cluster_centers_, est.init_centers_)


def test_fit_from_reuses_the_pretrained_network(digits, tmp_path):
    X, y = digits.X[:300], digits.y[:300]
    base = DEC(5, config=TINY, random_state=2).fit(X)
    labels_before = base.labels_.copy()
    same = DEC(5, config=TINY, random_state=2).fit_from(base, X)  # fit = pretrain + fit_from
    np.testing.assert_array_equal(same.labels_, base.labels_)
    np.testing.assert_array_equal(same.kmeans_labels_, base.kmeans_labels_)
    sub = DEC(3, config=TINY, random_state=2, cache_dir=tmp_path).fit_from(base, X[:120], y[:120])
    assert sub.autoencoder_ is base.autoencoder_ and sub.scale_ == base.scale_
    assert (
        sub.labels_.shape == (120,)
        and sub.cluster_centers_.shape == (3, TINY["dims"][-1])
        and "acc" in sub.history_[-1]
    )
    np.testing.assert_array_equal(base.labels_, labels_before)  # the pretrained model is untouched
    again = DEC(3, config=TINY, random_state=2, cache_dir=tmp_path).fit_from(base, X[:120], y[:120])
    assert again.dec_cache_hit_ and not sub.dec_cache_hit_
    np.testing.assert_array_equal(again.labels_, sub.labels_)


def test_fit_from_describes_the_network_it_used_and_saves(digits, tmp_path):
    base = DEC(3, config=TINY, random_state=0).pretrain(digits.X[:150])
    other = DEC(4, config={**TINY, "dims": (16, 2), "update_interval": 5}, random_state=0)
    other.fit_from(base, digits.X[:150])
    assert other.config_.dims == base.config_.dims and other.config_.update_interval == 5
    other.save(tmp_path / "m.pt")  # the saved configuration rebuilds the network it holds
    np.testing.assert_array_equal(
        DEC.load(tmp_path / "m.pt", device="cpu").predict(digits.X[:150]), other.labels_
    )


def test_fit_from_refuses_unfitted_or_mismatched_input(digits):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        DEC(3, config=TINY).fit_from(DEC(3), digits.X[:50])
    base = DEC(3, config=TINY, random_state=0).pretrain(digits.X[:100])
    with pytest.raises(ValueError, match="features"):
        DEC(3, config=TINY).fit_from(base, digits.X[:50, :10])


def test_bf16_precision_runs_end_to_end_and_is_recorded():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(30, 6) + 4, rng.randn(30, 6) - 4]).astype(np.float32)
    tiny = {
        "dims": (8, 2),
        "finetune_iters": 30,
        "ae_batch_size": 16,
        "dec_batch_size": 16,
        "update_interval": 10,
        "max_iter": 30,
        "kmeans_n_init": 2,
        "augment": "none",
        "precision": "bf16",
    }
    est = DEC(2, config=tiny, random_state=0, device="cpu").fit(X)
    assert est.config_.precision == "bf16"
    assert np.isfinite(est.cluster_centers_).all()
    assert set(est.labels_[:30]).isdisjoint(est.labels_[30:])  # two blobs far apart: split exactly
    # inference runs in the training precision (bf16 products), returned as float32
    xt = torch.as_tensor(X * est.scale_)
    with torch.no_grad():
        q32 = est.model_(xt).numpy()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            q16 = est.model_(xt).float().numpy()
    assert not np.array_equal(q16, q32)
    np.testing.assert_array_equal(est.predict_proba(X), q16)
    np.testing.assert_array_equal(est.predict(X), est.labels_)
    assert est.transform_pretrained(X).dtype == np.float32
    assert est.transform(X).dtype == np.float32


def test_idec_and_augmented_clustering_stage_fit_save_and_load(digits, tmp_path, monkeypatch):
    """recon_weight > 0 keeps the decoder in the clustering stage (IDEC); dec_augment="affine"
    augments each minibatch, never the whole dataset P is computed on (DEC-DA)."""
    import dec.augment

    X = digits.X[:300]
    plain = DEC(5, config=TINY, random_state=0, image_shape=(8, 8)).fit(X)
    idec = DEC(5, config={**TINY, "kl_weight": 0.1, "recon_weight": 1.0}, random_state=0, image_shape=(8, 8))
    idec.fit(X)
    assert hasattr(idec.model_, "decoder") and not hasattr(plain.model_, "decoder")
    assert not torch.equal(idec.model_.decoder[0].weight, idec.autoencoder_.decoder[0].weight)
    idec.save(tmp_path / "idec.pt")
    loaded = DEC.load(tmp_path / "idec.pt", device="cpu")
    torch.testing.assert_close(loaded.model_.decoder[0].weight, idec.model_.decoder[0].weight, rtol=0, atol=0)
    np.testing.assert_array_equal(loaded.predict(X), idec.labels_)

    sizes, original = [], dec.augment.random_affine
    monkeypatch.setattr(dec.augment, "random_affine", lambda x, *a: sizes.append(len(x)) or original(x, *a))
    da = DEC(5, config={**TINY, "dec_augment": "affine"}, random_state=0, image_shape=(8, 8)).fit(X)
    assert sizes and set(sizes) == {TINY["dec_batch_size"]} and len(sizes) == da.n_iter_
    assert not np.array_equal(da.labels_, plain.labels_)
    with pytest.warns(RuntimeWarning, match="dec_augment='affine' skipped"):
        tabular = DEC(5, config={**TINY, "dec_augment": "affine"}, random_state=0).fit(X)
    assert tabular.config_.dec_augment == "none"


def test_kmeans_views_cluster_the_mean_embedding_of_augmented_copies(digits, monkeypatch):
    """kmeans_views=(2,): k-means runs on (z(x) + z(a1(x)) + z(a2(x))) / 3, the copies drawn from
    the seed, so that fit and fit_from start DEC from the same centres; (0,) clusters the clean
    embedding."""
    import dec.estimator
    from dec.augment import random_affine

    seen = []

    class Spy(KMeans):
        def fit(self, z, *args, **kwargs):
            seen.append(z.copy())
            return super().fit(z, *args, **kwargs)

    monkeypatch.setattr(dec.estimator, "KMeans", Spy)
    X = digits.X[:300]
    config = {**TINY, "kmeans_views": 2, "augment": "none", "dec_augment": "none"}
    pre = DEC(5, config={**config, "kmeans_views": 0}, random_state=3, image_shape=(8, 8)).pretrain(X)
    clean = seen.pop()
    np.testing.assert_array_equal(clean, pre.transform_pretrained(X))
    views = DEC(5, config=config, random_state=3, image_shape=(8, 8)).fit_from(pre, X)
    assert views.config_.kmeans_views == (2,)
    encoder, Xt = pre.autoencoder_.encoder, torch.as_tensor(X, dtype=torch.float32) * pre.scale_
    with torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(3)
        z = torch.as_tensor(clean)
        shift, rotate = views.config_.augment_shift, views.config_.augment_rotate
        for _ in range(2):
            z = z + encoder(random_affine(Xt, (8, 8), shift, rotate))
    np.testing.assert_allclose(seen.pop(), (z / 3).numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(views.init_centers_, pre.init_centers_)
    again = DEC(5, config=config, random_state=3, image_shape=(8, 8)).fit(X)  # pretrains again, same seed
    np.testing.assert_array_equal(again.init_centers_, views.init_centers_)
    with pytest.warns(RuntimeWarning, match=r"kmeans_views=\(2,\) skipped"):
        tabular = DEC(5, config=config, random_state=3).fit_from(pre, X)
    assert tabular.config_.kmeans_views == (0,)


def test_several_kmeans_starts_keep_the_run_with_the_lowest_final_kl(digits):
    """kmeans_views=(0, 2): DEC from both starts, each exactly the run that one start alone gives,
    and the one ending at the lower KL(P || Q) is kept, with the k-means start it came from."""
    from dec.clustering import kl_divergence, target_distribution

    X, y = digits.X[:300], digits.y[:300]
    config = {**TINY, "augment": "none", "dec_augment": "none"}
    pre = DEC(5, config=config, random_state=3, image_shape=(8, 8)).pretrain(X)
    single = [
        DEC(5, config={**config, "kmeans_views": v}, random_state=3, image_shape=(8, 8)).fit_from(pre, X, y)
        for v in (0, 2)
    ]
    both = DEC(5, config={**config, "kmeans_views": (0, 2)}, random_state=3, image_shape=(8, 8))
    both.fit_from(pre, X, y)
    assert [s["kmeans_views"] for s in both.starts_] == [0, 2]
    for start, one in zip(both.starts_, single, strict=True):
        assert start == one.starts_[0] and start["n_iter"] == one.n_iter_ and "acc" in start
        q = torch.as_tensor(one.predict_proba(X), dtype=torch.float64)
        assert start["kl"] == pytest.approx(float(kl_divergence(target_distribution(q), q)), rel=1e-9)
    assert single[0].starts_[0]["kl"] != single[1].starts_[0]["kl"]
    kept = single[int(np.argmin([s["kl"] for s in both.starts_]))]
    np.testing.assert_array_equal(both.labels_, kept.labels_)
    np.testing.assert_array_equal(both.kmeans_labels_, kept.kmeans_labels_)
    np.testing.assert_array_equal(both.cluster_centers_, kept.cluster_centers_)
    same = ("iter", "changed", "sizes", "acc")
    assert [[e[k] for k in same] for e in both.history_] == [[e[k] for k in same] for e in kept.history_]


def test_convolutional_autoencoder_fits_saves_and_loads(digits, tmp_path):
    from dec.models import ConvAutoencoder

    X = digits.X[:300]
    conv = DEC(5, config={**TINY, "arch": "conv", "dims": (6,)}, random_state=0, image_shape=(8, 8)).fit(X)
    assert isinstance(conv.autoencoder_, ConvAutoencoder)
    assert conv.transform(X).shape == (300, 6)
    conv.save(tmp_path / "conv.pt")
    loaded = DEC.load(tmp_path / "conv.pt", device="cpu")
    assert isinstance(loaded.autoencoder_, ConvAutoencoder)
    np.testing.assert_array_equal(loaded.predict(X), conv.labels_)
    with pytest.raises(ValueError, match="needs image inputs"):
        DEC(5, config={**TINY, "arch": "conv"}, random_state=0).fit(X)


def test_fit_from_takes_the_network_but_keeps_its_own_shared_settings(digits):
    base = DEC(3, config=TINY, random_state=0).pretrain(digits.X[:150])
    other = DEC(
        3, config={**TINY, "dims": (16, 2), "augment_shift": 0.2, "precision": "tf32"}, random_state=0
    )
    other.fit_from(base, digits.X[:150])
    assert other.config_.dims == base.config_.dims  # the network is the pretrained one
    assert other.config_.augment_shift == 0.2 and other.config_.precision == "tf32"  # both stages' fields


def test_finetune_epochs_make_the_budget_follow_the_data(digits):
    """With finetune_epochs, the end-to-end iterations are that many passes over the data, capped
    by finetune_iters: small data gets a small budget; finetune_epochs=0 leaves finetune_iters."""
    cfg = Config.from_profile("quick", finetune_iters=10_000, finetune_epochs=250)
    assert cfg.for_samples(1797).finetune_iters == 250 * 8  # ceil(1797 / 256) = 8 minibatches a pass
    assert cfg.for_samples(10_000).finetune_iters == 10_000  # 40 a pass: exactly the cap
    assert cfg.for_samples(70_000).finetune_iters == 10_000  # capped
    assert cfg.for_samples(3).finetune_iters == 250
    plain = Config.from_profile("quick")
    assert plain.for_samples(1797) is plain
    with pytest.raises(ValueError, match="finetune_epochs"):
        Config.from_profile("quick", finetune_epochs=-1)
    est = DEC(10, config={**TINY, "finetune_iters": 500, "finetune_epochs": 2}, random_state=0)
    # TINY's minibatches of 16: ceil(1797 / 16) = 113 a pass
    assert (
        est.resolved_config(len(digits.X)).finetune_iters == 226
        and est.resolved_config().finetune_iters == 500
    )
    est.fit(digits.X)
    assert est.config_.finetune_iters == 226 and est.config_.finetune_epochs == 2
    assert est.pretrain_history_["stage_times"]["finetune"]["iters"] == 226


@pytest.mark.parametrize(
    "profile, change",
    [
        ("dec-da", {"dec_augment": "affine", "dec_patience": 10}),
        ("default", {"dec_augment": "affine", "dec_patience": 10, "finetune_iters": 5_000}),
        ("idec", {"recon_weight": 2.0, "kl_weight": 0.1, "dec_lr": 0.1}),
        ("convdec-da", {"dec_augment": "affine", "dec_patience": 10, "arch": "conv", "dims": (10,)}),
        (
            "convdec-da-20k",
            {"dec_augment": "affine", "dec_patience": 40, "arch": "conv", "dims": (10,)}
            | {"finetune_iters": 20_000, "finetune_epochs": 500},
        ),
        (
            "convdec-da-20k-2starts",
            {"dec_augment": "affine", "dec_patience": 40, "arch": "conv", "dims": (10,)}
            | {"finetune_iters": 20_000, "finetune_epochs": 500, "kmeans_views": (0, 4)},
        ),
        (
            "convdec-da-16k-2starts",
            {"dec_augment": "affine", "dec_patience": 20, "arch": "conv", "dims": (10,)}
            | {"finetune_iters": 16_000, "finetune_epochs": 500, "kmeans_views": (0, 4), "precision": "bf16"},
        ),
    ],
)
def test_successor_profiles_are_quick_plus_their_change_and_fit(digits, profile, change):
    named, quick = Config.from_profile(profile).to_dict(), Config.from_profile("quick").to_dict()
    changed = {k: named[k] for k in named if named[k] != quick[k] and k != "profile"}
    # every successor keeps quick's pretraining, at most 250 passes over the data (default: and at
    # most 5,000 iterations instead of 3,000; convdec-da-20k: 500 passes, at most 20,000 iterations,
    # and a plateau of 40 target updates; -2starts: and two clustering runs; convdec-da-16k-2starts:
    # 16,000 iterations, a plateau of 20, bfloat16)
    assert changed == {
        "finetune_epochs": 250,
        **{k: (list(v) if isinstance(v, tuple) else v) for k, v in change.items()},
    }
    X = digits.X[:200]
    tiny = {k: v for k, v in TINY.items() if k not in ("dec_augment", "dec_patience")}  # the profile's
    tiny["dims"] = (6,) if change.get("arch") == "conv" else TINY["dims"]
    fitted = DEC(4, profile=profile, config=tiny, random_state=0, image_shape=(8, 8)).fit(X)
    assert fitted.config_.dec_augment == named["dec_augment"] and fitted.labels_.shape == (200,)


def test_dec_keras_is_the_keras_ports_recipe_and_fits(digits):
    """What DEC-keras's run_exp.py does on MNIST / Fashion-MNIST, field by field (inherited ones
    included); the two known differences (half the port's step, minibatches in a shuffled order)
    are documented in the profile's comment, not tested."""
    cfg = Config.from_profile("dec-keras")
    pretraining = (cfg.pretrain, cfg.init, cfg.input_scaling, cfg.ae_optimizer, cfg.ae_momentum)
    assert pretraining == ("end-to-end", "fan-in-uniform", "none", "sgd", 0.9) and cfg.ae_lr_step == 0
    assert (cfg.ae_lr, cfg.ae_batch_size, cfg.augment, cfg.finetune_dropout) == (1.0, 256, "none", 0.0)
    clustering = (cfg.kmeans_n_init, cfg.dec_optimizer, cfg.dec_lr, cfg.dec_momentum, cfg.dec_batch_size)
    assert clustering == (20, "sgd", 0.01, 0.9, 256)
    stopping = (cfg.update_interval, cfg.tol, cfg.max_iter, cfg.dec_patience)
    assert stopping == (140, 1e-3, 20_000, 0) and (cfg.dec_augment, cfg.recon_weight) == ("none", 0)
    # 300 passes of 256 images: exactly the cap on 70,000 samples, fewer on smaller data
    assert [cfg.for_samples(n).finetune_iters for n in (70_000, 10_000, 1_797)] == [82_200, 12_000, 2_400]
    fitted = DEC(4, profile="dec-keras", config=TINY, random_state=0).fit(digits.X[:200])
    assert fitted.config_.init == "fan-in-uniform" and fitted.labels_.shape == (200,)
