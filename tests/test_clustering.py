"""Equations (1)-(5) of the paper against the library."""

import numpy as np
import pytest
import torch

from dec.clustering import kl_divergence, soft_assignment, target_distribution

torch.set_default_dtype(torch.float32)


def rand(*shape, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64) * scale


def test_soft_assignment_matches_eq1_written_out():
    z, mu = rand(7, 3), rand(4, 3, seed=1)
    for alpha in (1.0, 0.5, 3.0):
        kernel = (1 + ((z[:, None, :] - mu[None]) ** 2).sum(-1) / alpha) ** (-(alpha + 1) / 2)
        expected = kernel / kernel.sum(1, keepdim=True)
        torch.testing.assert_close(soft_assignment(z, mu, alpha), expected)


def test_soft_assignment_rows_sum_to_one_and_finite_far_away():
    z, mu = rand(50, 10, scale=1e6), rand(10, 10, seed=1)
    q = soft_assignment(z.float(), mu.float())
    assert torch.isfinite(q).all()
    torch.testing.assert_close(q.sum(1), torch.ones(50))
    # identical points and centres: uniform-free, still finite and normalised
    same = torch.zeros(5, 10)
    q = soft_assignment(same, torch.zeros(3, 10))
    torch.testing.assert_close(q, torch.full((5, 3), 1 / 3))


def test_closest_centre_gets_highest_q():
    mu = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
    q = soft_assignment(torch.tensor([[1.0, 0.0], [9.0, 0.0]]), mu)
    assert q.argmax(1).tolist() == [0, 1]


def test_target_distribution_properties():
    q = torch.softmax(rand(100, 5) * 2, dim=1)
    p = target_distribution(q)
    torch.testing.assert_close(p.sum(1), torch.ones(100, dtype=p.dtype))
    assert (p >= 0).all()
    # eq. (3) written out
    f = q.sum(0)
    w = q**2 / f
    torch.testing.assert_close(p, w / w.sum(1, keepdim=True))
    # sharper than q: the winning cluster's probability grows for confident points
    confident = q.max(1).values > 0.6
    assert (p.max(1).values[confident] >= q.max(1).values[confident] - 1e-12).float().mean() > 0.9


def test_target_distribution_normalises_cluster_frequency():
    # Two clusters; cluster 0 is 9x more frequent. For a point split 50/50 in q, p prefers the
    # smaller cluster because p_ij is divided by f_j.
    q = torch.tensor([[0.9, 0.1]] * 9 + [[0.1, 0.9]] + [[0.5, 0.5]], dtype=torch.float64)
    p = target_distribution(q)
    assert p[-1, 1] > p[-1, 0]


def test_kl_is_zero_for_equal_and_positive_otherwise():
    q = torch.softmax(rand(20, 4), 1)
    assert kl_divergence(q, q).abs() < 1e-12
    assert kl_divergence(target_distribution(q), q) > 0
    # p with zeros is fine (0 log 0 = 0)
    p = torch.zeros_like(q)
    p[:, 0] = 1
    assert torch.isfinite(kl_divergence(p, q))


@pytest.mark.parametrize("alpha", [1.0, 2.0])
def test_kl_gradients_equal_eq4_and_eq5(alpha):
    n, k, d = 30, 5, 4
    z = rand(n, d, seed=2).requires_grad_()
    mu = rand(k, d, seed=3).requires_grad_()
    q = soft_assignment(z, mu, alpha)
    p = target_distribution(q).detach()  # P is a constant
    loss = kl_divergence(p, q) * n  # the paper's L sums over i
    gz, gmu = torch.autograd.grad(loss, (z, mu))
    with torch.no_grad():
        diff = z[:, None, :] - mu[None]  # z_i - mu_j, (n, k, d)
        inv = 1 / (1 + (diff**2).sum(-1) / alpha)  # (1 + ||z_i - mu_j||^2 / alpha)^-1
        coef = (alpha + 1) / alpha * inv * (p - q)  # (n, k)
        eq4 = (coef[..., None] * diff).sum(1)  # dL/dz_i
        eq5 = -(coef[..., None] * diff).sum(0)  # dL/dmu_j
    torch.testing.assert_close(gz, eq4)
    torch.testing.assert_close(gmu, eq5)


@pytest.mark.parametrize("scale", [1.0, 1e3, 1e6])
def test_loss_and_gradients_stay_finite_far_away_and_with_duplicates(scale):
    # float32 as in training: points spread at `scale`, one centre far from every point (a
    # vanishing cluster), and duplicated points sitting exactly on a centre.
    z = torch.cat([rand(40, 10, seed=4).float() * scale, torch.zeros(5, 10)]).requires_grad_()
    mu = torch.cat(
        [rand(3, 10, seed=5).float() * scale, torch.zeros(1, 10), torch.full((1, 10), 1e6)]
    ).requires_grad_()
    q = soft_assignment(z, mu)
    p = target_distribution(q.detach())
    loss = kl_divergence(p, q)
    gz, gmu = torch.autograd.grad(loss, (z, mu))
    for t in (q, p, loss, gz, gmu):
        assert torch.isfinite(t).all()
    torch.testing.assert_close(p.sum(1), torch.ones(45))


def test_train_dec_callback_sees_every_target_update_and_changes_nothing():
    from torch import nn

    from dec.clustering import DECModel, train_dec
    from dec.config import Config
    from dec.utils import seed_everything

    X = rand(200, 6, seed=3).float()
    cfg = Config.from_profile("quick", dec_batch_size=32, update_interval=5, max_iter=40, tol=0.0)

    def run(callback):
        torch.manual_seed(0)
        model = DECModel(nn.Linear(6, 3), X[:4, :3].clone(), cfg.alpha)
        return model, train_dec(model, X, cfg, seed_everything(0), verbose=False, callback=callback)

    seen = []
    model, (labels, history, n_iter, _) = run(
        lambda entry, m: seen.append((entry["iter"], m.training, m.encoder(X[:2]).clone()))
    )
    assert [s[0] for s in seen] == [h["iter"] for h in history] == list(range(0, 41, 5))
    assert not any(s[1] for s in seen)  # eval mode during the callback
    assert not torch.equal(seen[0][2], seen[-1][2])  # the encoder moved between updates
    _, (labels2, *_) = run(None)
    assert (labels == labels2).all()  # the callback did not change the run


def test_dec_without_backprop_equals_dec_on_the_fixed_embedding():
    """update_encoder=False computes the embedding once; that must be the same run as DEC whose
    "encoder" is the identity on that embedding (only the centres are parameters then)."""
    from torch import nn

    from dec.clustering import DECModel, train_dec
    from dec.config import Config
    from dec.utils import seed_everything

    torch.manual_seed(0)
    X = rand(300, 8, seed=5).float()
    encoder = nn.Sequential(nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3))
    centers = rand(4, 3, seed=6).float()
    cfg = Config.from_profile("quick", dec_batch_size=32, update_interval=7, max_iter=60, tol=0.0)
    frozen = DECModel(encoder, centers, 1.0)
    out = train_dec(
        frozen, X, Config(**{**cfg.to_dict(), "update_encoder": False}), seed_everything(1), verbose=False
    )
    with torch.no_grad():
        Z = encoder(X)
    ref = DECModel(nn.Identity(), centers, 1.0)
    out_ref = train_dec(ref, Z, cfg, seed_everything(1), verbose=False)
    assert (out[0] == out_ref[0]).all() and out[2] == out_ref[2]
    torch.testing.assert_close(frozen.centers, ref.centers)
    assert not torch.allclose(frozen.centers, centers)  # the centres did move


def test_train_dec_extension_points_transform_and_extra_loss():
    """``transform`` reaches each minibatch (not the target P), ``extra_loss`` is added to the
    minibatch loss; with neither the loop is the paper's (identity transform, zero extra term:
    the same labels and centres bit for bit)."""
    from torch import nn

    from dec.clustering import DECModel, train_dec
    from dec.config import Config
    from dec.utils import seed_everything

    X = rand(200, 6, seed=7).float()
    cfg = Config.from_profile("quick", dec_batch_size=32, update_interval=5, max_iter=30, tol=0.0)

    def run(hooks=lambda model: {}):
        torch.manual_seed(0)
        model = DECModel(nn.Linear(6, 3), X[:4, :3].clone(), cfg.alpha)
        return model, train_dec(model, X, cfg, seed_everything(0), verbose=False, **hooks(model))

    plain, (labels, history, *_) = run()
    seen = []
    same, (labels_same, *_) = run(
        lambda m: {"transform": lambda x: seen.append(x.shape) or x, "extra_loss": lambda x: x.sum() * 0}
    )
    assert seen == [(32, 6)] * 30  # one minibatch per iteration, never the whole dataset
    assert np.array_equal(labels, labels_same) and torch.equal(plain.centers, same.centers)
    pulled, (_, history_pulled, *_) = run(lambda m: {"extra_loss": lambda x: 10.0 * (m.centers**2).sum()})
    assert pulled.centers.norm() < plain.centers.norm()  # the extra term was minimised too
    assert history_pulled[-1]["loss"] > history[-1]["loss"]  # and counted in the reported loss


@pytest.mark.parametrize("gamma", [0.1, 1.0])
def test_idec_loss_gradient_is_gamma_times_eq4_plus_the_reconstruction_term(gamma):
    """IDEC (Guo et al. 2017): L = gamma * KL(P || Q) + L_r with L_r = 0.5 ||W z + b - x||^2 / d per
    point (the library's reconstruction loss, a batch mean). For a linear decoder the extra term of
    dL/dz_i is W^T (W z_i + b - x_i) / (n d): autograd must agree with the sum written out."""
    from dec.pretrain import reconstruction_loss

    n, k, d_z, d = 30, 4, 3, 7
    z = rand(n, d_z, seed=8).requires_grad_()
    mu = rand(k, d_z, seed=9)
    x = rand(n, d, seed=10)
    decoder = torch.nn.Linear(d_z, d).double()
    q = soft_assignment(z, mu)
    p = target_distribution(q).detach()
    loss = gamma * kl_divergence(p, q) + reconstruction_loss(decoder(z), x)
    (gz,) = torch.autograd.grad(loss, (z,))
    with torch.no_grad():
        diff = z[:, None, :] - mu[None]
        coef = 2.0 / (1 + (diff**2).sum(-1)) * (p - q)  # eq. (4) with alpha = 1
        eq4 = (coef[..., None] * diff).sum(1) / n  # kl_divergence averages over the n points
        W, b = decoder.weight, decoder.bias
        recon = (z @ W.T + b - x) @ W / (n * d)
    torch.testing.assert_close(gz, gamma * eq4 + recon)


def test_train_dec_fixed_order_takes_no_randomness_from_the_generator():
    """``dec_order="fixed"`` walks the rows in their order (DEC's Keras port): two generators give
    the same run; the default, a fresh permutation every pass, depends on the generator."""
    from torch import nn

    from dec.clustering import DECModel, train_dec
    from dec.config import Config
    from dec.utils import seed_everything

    X = rand(100, 6, seed=7).float()

    def run(order, seed):
        cfg = Config.from_profile("quick", dec_batch_size=32, update_interval=5, max_iter=20, tol=0.0)
        cfg.dec_order = order
        torch.manual_seed(0)
        model = DECModel(nn.Linear(6, 3), X[:4, :3].clone(), cfg.alpha)
        train_dec(model, X, cfg, seed_everything(seed), verbose=False)
        return model.centers.detach()

    assert torch.equal(run("fixed", 0), run("fixed", 1))
    assert not torch.equal(run("shuffle", 0), run("shuffle", 1))


def test_train_dec_idec_trains_the_decoder_and_needs_it():
    from torch import nn

    from dec.clustering import DECModel, train_dec
    from dec.config import Config
    from dec.utils import seed_everything

    X = rand(120, 6, seed=11).float()
    cfg = Config.from_profile(
        "quick", dec_batch_size=32, update_interval=5, max_iter=20, tol=0.0, kl_weight=0.1, recon_weight=1.0
    )
    torch.manual_seed(0)
    encoder, decoder = nn.Linear(6, 3), nn.Linear(3, 6)
    with pytest.raises(ValueError, match="needs the decoder"):
        train_dec(DECModel(encoder, X[:4, :3].clone()), X, cfg, seed_everything(0), verbose=False)
    before = decoder.weight.detach().clone()
    model = DECModel(encoder, X[:4, :3].clone(), decoder=decoder)
    labels, history, n_iter, _ = train_dec(model, X, cfg, seed_everything(0), verbose=False)
    assert n_iter == 20 and not torch.equal(model.decoder.weight, before)
    assert "decoder.weight" in model.state_dict()
    assert "decoder.weight" not in DECModel(encoder, X[:4, :3].clone()).state_dict()  # DEC unchanged


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_train_dec_takes_steps_of_the_chosen_optimizer(optimizer):
    """Adam's first step moves every coordinate with a gradient by the learning rate (m / sqrt(v) is
    its sign); SGD's moves it by the learning rate times the gradient, which differs per coordinate."""
    from torch import nn

    from dec.clustering import DECModel, train_dec
    from dec.config import Config
    from dec.utils import seed_everything

    X = rand(64, 5, seed=3).float()
    lr = 1e-3
    cfg = Config.from_profile(
        "quick", dec_optimizer=optimizer, dec_lr=lr, dec_batch_size=64, update_interval=1, max_iter=1, tol=0.0
    )
    torch.manual_seed(0)
    centers = X[:3, :2].clone()
    model = DECModel(nn.Linear(5, 2), centers)
    train_dec(model, X, cfg, seed_everything(0), verbose=False)
    step = (model.centers.detach() - centers).abs()
    assert step.min() > 0
    if optimizer == "adam":
        torch.testing.assert_close(step, torch.full_like(step, lr), rtol=1e-3, atol=0)
    else:
        assert step.max() / step.min() > 1.5  # proportional to the gradient, not uniform


def test_plateau_rule_reads_the_history():
    from dec.clustering import plateaued

    def hist(*changes):
        return [{"changed": 1.0}] + [{"changed": c} for c in changes]

    assert not plateaued(hist(0.5, 0.4, 0.3, 0.35), 0)  # off
    assert not plateaued(hist(0.5, 0.4), 2)  # too short to tell
    assert not plateaued(hist(0.5, 0.4, 0.3, 0.35), 2)  # 0.3 was a new minimum one update ago
    assert plateaued(hist(0.5, 0.3, 0.4, 0.35), 2)  # no new minimum in the last two
    assert plateaued(hist(0.5, 0.3, 0.3), 1)  # equal is no progress


def test_stop_rule_is_tol_or_plateau_never_at_the_first_update():
    from dec.clustering import should_stop

    first = [{"changed": 1.0}]
    assert not should_stop(first, 2.0, 0)  # nothing to compare with yet
    assert should_stop(first + [{"changed": 0.0009}], 0.001, 0)  # the paper's tol
    assert not should_stop(first + [{"changed": 0.001}], 0.001, 0)  # tol is strict
    flat = first + [{"changed": c} for c in (0.5, 0.3, 0.4, 0.35)]
    assert should_stop(flat, 0.0, 2) and not should_stop(flat, 0.0, 0)  # the plateau alone
    early = first + [{"changed": c} for c in (0.3, 0.4, 0.35)]
    assert should_stop(early, 0.0, 2)  # the first change counts as the minimum to beat


def test_patience_stops_a_run_that_tol_would_not(digits):
    from conftest import TINY

    from dec import DEC

    X = digits.X[:300]
    config = {**TINY, "tol": 0.0, "max_iter": 400}
    plain = DEC(5, config=config, random_state=0).fit(X)
    patient = DEC(5, config={**config, "dec_patience": 2}, random_state=0).fit(X)
    assert not plain.converged_ and plain.n_iter_ == 400
    assert patient.converged_ and patient.n_iter_ < 400
    np.testing.assert_array_equal(  # the same run up to where the rule stopped it
        [e["changed"] for e in patient.history_],
        [e["changed"] for e in plain.history_[: len(patient.history_)]],
    )
