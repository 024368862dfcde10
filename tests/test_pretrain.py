import torch
from torch.nn import functional as F

from dec.augment import affine_grid, random_affine
from dec.config import Config
from dec.models import StackedAutoencoder
from dec.pretrain import pretrain, reconstruction_loss
from dec.utils import seed_everything


def test_shapes_and_layer_pairs():
    ae = StackedAutoencoder(784)
    x = torch.randn(3, 784)
    assert ae.encoder(x).shape == (3, 10)
    assert ae(x).shape == (3, 784)
    sizes = [(e.in_features, e.out_features, d.in_features, d.out_features) for e, d in ae.layer_pairs()]
    assert sizes == [(784, 500, 500, 784), (500, 500, 500, 500), (500, 2000, 2000, 500), (2000, 10, 10, 2000)]


def test_embedding_and_reconstruction_are_linear():
    ae = StackedAutoencoder(20, (16, 8, 4))
    assert not isinstance(ae.encoder[-1], torch.nn.ReLU) and isinstance(ae.encoder[-2], torch.nn.ReLU)
    assert not isinstance(ae.decoder[-1], torch.nn.ReLU) and isinstance(ae.decoder[-2], torch.nn.ReLU)
    # linear outputs can be negative
    torch.manual_seed(0)
    assert (ae.encoder(torch.randn(100, 20)) < 0).any()


def test_paper_init_statistics():
    torch.manual_seed(0)
    ae = StackedAutoencoder(784)
    w = ae.encoder[0].weight
    assert abs(w.std().item() - 0.01) < 5e-4 and abs(w.mean().item()) < 5e-4
    assert all((m.bias == 0).all() for m in ae.modules() if isinstance(m, torch.nn.Linear))


def test_reconstruction_loss_is_half_mean_squared_error():
    x, y = torch.zeros(4, 3), torch.ones(4, 3)
    y[0] = 3.0  # per-sample errors 0.5*(9*3)/3 = 4.5 and 0.5 for the other three
    assert reconstruction_loss(y, x).item() == (4.5 + 3 * 0.5) / 4


def _tiny_cfg(**kw):
    return Config(dims=(16, 8, 3), **{"ae_batch_size": 32, "ae_lr_step": 0, **kw})


def test_layerwise_and_end_to_end_reduce_loss():
    g = seed_everything(0)
    X = torch.randn(256, 12) @ torch.randn(12, 20)  # data on a 12-dim subspace
    X = X / X.pow(2).mean().sqrt()
    for cfg in (
        _tiny_cfg(pretrain="layerwise", layer_iters=150, finetune_iters=300, ae_lr=0.1),
        _tiny_cfg(pretrain="end-to-end", init="xavier", finetune_iters=300, ae_optimizer="adam", ae_lr=3e-3),
    ):
        ae = StackedAutoencoder(20, cfg.dims, cfg.init, cfg.init_std)
        before = reconstruction_loss(ae(X), X).item()
        hist = pretrain(ae, X, cfg, g, verbose=False)
        after = reconstruction_loss(ae(X), X).item()
        assert after < 0.7 * before, (cfg.pretrain, before, after)
        assert ("layer1" in hist) == (cfg.pretrain == "layerwise")
        stages = [f"layer{i + 1}" for i in range(len(cfg.dims))] if cfg.pretrain == "layerwise" else []
        times = hist["stage_times"]
        assert list(times) == [*stages, "finetune"]  # every stage timed, in order
        assert [t["iters"] for t in times.values()] == [150] * len(stages) + [300]
        assert all(t["seconds"] > t["first_s"] > 0 for t in times.values())
        assert not ae.training


def test_affine_grid_matches_torch():
    g = torch.Generator().manual_seed(0)
    theta = torch.randn(5, 2, 3, generator=g)
    for h, w in [(28, 28), (8, 8), (6, 9)]:
        torch.testing.assert_close(
            affine_grid(theta, h, w),
            F.affine_grid(theta, (5, 1, h, w), align_corners=False),
            atol=1e-6,
            rtol=1e-6,
        )


def test_random_affine_keeps_shape_and_identity_at_zero():
    x = torch.rand(5, 64)
    torch.testing.assert_close(random_affine(x, (8, 8), 0.0, 0.0), x, atol=1e-5, rtol=0)
    y = random_affine(x, (8, 8), 0.2, 15.0)
    assert y.shape == x.shape and not torch.allclose(x, y)


def test_divergence_is_reported_at_once():
    import pytest

    g = seed_everything(0)
    X = torch.randn(64, 20) * 1e3
    cfg = _tiny_cfg(pretrain="end-to-end", init="xavier", finetune_iters=10_000, ae_lr=1e3)
    ae = StackedAutoencoder(20, cfg.dims, cfg.init, cfg.init_std)
    with pytest.raises(FloatingPointError, match="NaN/inf at iteration 100;"):
        pretrain(ae, X, cfg, g, verbose=False)


def test_finetune_dropout_is_a_denoising_autoencoder():
    """finetune_dropout=p: the network sees its input with dropout p, the loss compares its
    output with the clean input; p=0 (the paper's fine-tuning) feeds the clean input."""
    clean = torch.full((32, 20), 3.0)  # every row the same, so the minibatch is known
    for p in (0.0, 0.5):
        cfg = _tiny_cfg(
            pretrain="end-to-end",
            init="xavier",
            finetune_iters=1,
            ae_optimizer="adam",
            ae_lr=1e-3,
            finetune_dropout=p,
        )
        ae = StackedAutoencoder(20, cfg.dims, cfg.init)
        seen = []
        ae.register_forward_hook(
            lambda m, inp, out, seen=seen: seen.append((inp[0].clone(), out.detach().clone()))
        )
        hist = pretrain(ae, clean, cfg, seed_everything(0), verbose=False)
        x, y = seen[0]
        loss = hist["finetune"][0][1]
        assert abs(loss - reconstruction_loss(y, clean).item()) < 1e-6
        if p == 0:
            assert torch.equal(x, clean)
        else:  # about half dropped, the rest scaled by 1/(1-p)
            assert 0.35 < (x == 0).float().mean() < 0.65
            assert torch.equal(x[x != 0], torch.full_like(x[x != 0], 6.0))
            assert abs(loss - reconstruction_loss(y, x).item()) > 1e-3
