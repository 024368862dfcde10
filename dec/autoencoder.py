"""The stacked (denoising) autoencoder that initialises DEC (paper section 3.2).

Network d-500-500-2000-10: ReLU everywhere except the embedding layer and the reconstruction
layer, which are linear. Two pretraining protocols:

* ``layerwise`` (the paper): each encoder/decoder pair is trained greedily as a denoising
  autoencoder on the previous layer's output, then the deep autoencoder is fine-tuned end to end
  without dropout;
* ``end-to-end`` (later ports): only the second stage, from the random initialisation.

The loss is the least-squares loss of the authors' code (MXNet's ``LinearRegressionOutput``, whose
gradient is ``(y - x) / d`` per sample): ``0.5 * ||y - x||^2 / d``, averaged over the minibatch, so
that the paper's learning rate 0.1 means what it meant there. (Summing over the d features instead
makes lr 0.1 diverge at once on MNIST: d = 784 times larger steps.)
"""

from __future__ import annotations

import math
import time

import torch
from torch import nn
from torch.nn import functional as F

from .checkpoint import NoCheckpoint, set_rng_state
from .config import Config
from .utils import autocast, fused, in_chunks, maybe_compile, minibatches, progress


class StackedAutoencoder(nn.Module):
    def __init__(self, input_dim: int, dims=(500, 500, 2000, 10), init: str = "normal",
                 init_std: float = 0.01):
        super().__init__()
        sizes = [int(input_dim), *map(int, dims)]
        n = len(sizes) - 1
        enc, dec = [], []
        for i in range(n):  # encoder: d -> ... -> embedding, ReLU except after the last layer
            enc.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < n - 1:
                enc.append(nn.ReLU())
        for i in reversed(range(n)):  # decoder mirrors it, ReLU except on the reconstruction
            dec.append(nn.Linear(sizes[i + 1], sizes[i]))
            if i > 0:
                dec.append(nn.ReLU())
        self.encoder = nn.Sequential(*enc)
        self.decoder = nn.Sequential(*dec)
        self.sizes = sizes
        for m in self.modules():
            if isinstance(m, nn.Linear):
                if init == "normal":  # the paper: N(0, 0.01^2), fine for shallow layer-wise pairs
                    nn.init.normal_(m.weight, std=init_std)
                elif init == "xavier":  # Glorot uniform, as the Keras ports
                    nn.init.xavier_uniform_(m.weight)
                elif init == "kaiming":  # He normal, fan-in, for ReLU
                    nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                else:
                    raise ValueError(f"unknown init {init!r}; use 'normal', 'xavier' or 'kaiming'")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def layer_pairs(self):
        """[(encoder Linear i, the decoder Linear that inverts it)], from the input upwards."""
        enc = [m for m in self.encoder if isinstance(m, nn.Linear)]
        dec = [m for m in self.decoder if isinstance(m, nn.Linear)][::-1]
        return list(zip(enc, dec))


def reconstruction_loss(y, x):
    """Least-squares loss of the authors' code: 0.5 ||y - x||^2 / d per sample, batch mean."""
    return 0.5 * (y - x).pow(2).mean()


def random_affine(x, image_shape, max_shift=0.1, max_rotate=10.0):
    """Randomly shift (up to ``max_shift`` of the side) and rotate (up to ``max_rotate``
    degrees) each flattened image in the batch ``x``; empty borders are filled with 0."""
    n, (h, w) = x.shape[0], image_shape
    angle = (torch.rand(n, device=x.device) * 2 - 1) * math.radians(max_rotate)
    shift = (torch.rand(n, 2, device=x.device) * 2 - 1) * 2 * max_shift  # grid coords span 2
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    return F.grid_sample(x.view(n, 1, h, w), affine_grid(theta, h, w), align_corners=False).view(n, -1)


def affine_grid(theta, h, w):
    """``F.affine_grid(theta, (n, 1, h, w), align_corners=False)`` as one matrix product: the
    (n, 2, 3) transforms times the h*w pixel centres in homogeneous coordinates. torch's version
    runs n tiny batched products; with this one the augmentation of 256 MNIST images takes 1.1
    instead of 3.8 ms on the 2-core CPU (2 threads; benchmarks/README.md), 8 s of quick's 3,000
    pretraining iterations."""
    n = theta.shape[0]
    ys = (torch.arange(h, device=theta.device) * 2 + 1) / h - 1  # pixel centres in [-1, 1]
    xs = (torch.arange(w, device=theta.device) * 2 + 1) / w - 1
    centres = torch.stack([xs.repeat(h), ys.repeat_interleave(w), torch.ones(h * w, device=theta.device)], 1)
    return (theta.reshape(n * 2, 3) @ centres.T).view(n, 2, h, w).permute(0, 2, 3, 1)


def _augmenter(cfg: Config, image_shape):
    if cfg.augment == "none":
        return None
    if image_shape is None:
        raise ValueError("augment='affine' needs the image shape of the inputs (image_shape=(h, w))")
    return lambda x: random_affine(x, image_shape, cfg.augment_shift, cfg.augment_rotate)


def _optimizer(params, cfg: Config):
    if cfg.ae_optimizer == "adam":
        opt = torch.optim.Adam(params, lr=cfg.ae_lr, weight_decay=cfg.ae_weight_decay, **fused(params[0].device))
    else:
        opt = torch.optim.SGD(params, lr=cfg.ae_lr, momentum=cfg.ae_momentum,
                              weight_decay=cfg.ae_weight_decay, **fused(params[0].device))
    step = cfg.ae_lr_step if cfg.ae_lr_step > 0 else 10**12
    return opt, torch.optim.lr_scheduler.StepLR(opt, step_size=step, gamma=0.1)


def _fit(model_fn, params, X, n_iters, cfg, generator, desc, verbose, augment=None, log_every=100,
         ckpt=None, stage="finetune", weights_fn=None, corrupt=None):
    """Minimise reconstruction_loss(model_fn(x), x) for n_iters minibatch iterations
    (x augmented first when ``augment`` is given: the autoencoder reconstructs what it sees;
    with ``corrupt``, model_fn sees corrupt(x) and reconstructs x: a denoising autoencoder).

    With a :class:`dec.checkpoint.Checkpoint` ``ckpt``, the stage is skipped when it is done,
    continued where it stopped, and saved every ``ckpt.every`` iterations and on Ctrl-C."""
    ckpt = ckpt or NoCheckpoint()
    if (done := ckpt.done(stage)) is not None:
        return done
    opt, sched = _optimizer(params, cfg)
    forward = maybe_compile(model_fn, cfg.compile)
    batches = minibatches(len(X), cfg.ae_batch_size, generator, X.device)
    losses, running, start = [], torch.zeros((), device=X.device), 1
    if (cur := ckpt.current(stage)) is not None:  # resume inside this stage
        opt.load_state_dict(cur["opt"])
        sched.load_state_dict(cur["sched"])
        batches.load_state_dict(cur["batches"])
        set_rng_state(cur["rng"], generator)
        losses, start = [tuple(x) for x in cur["losses"]], cur["iter"] + 1
        running.fill_(cur["running"])
    else:
        ckpt.restore_rng(generator)

    def state():
        return {"opt": opt.state_dict(), "sched": sched.state_dict(), "batches": batches.state_dict(),
                "losses": list(losses), "running": float(running)}

    with progress(n_iters, desc, verbose, initial=start - 1) as bar, ckpt.guard():
        for it in range(start, n_iters + 1):
            x = X[next(batches)]
            if augment is not None:
                x = augment(x)
            with autocast(X.device, cfg.precision):
                loss = reconstruction_loss(forward(x if corrupt is None else corrupt(x)), x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            running += loss.detach()
            if it % log_every == 0 or it == n_iters:  # one host sync per log_every iterations
                k = log_every if it % log_every == 0 else it % log_every
                losses.append((it, float(running) / k))
                running.zero_()
                if not math.isfinite(losses[-1][1]):  # fail at once, not after the whole schedule
                    raise FloatingPointError(f"{desc}: the reconstruction loss became NaN/inf at iteration "
                                             f"{it}; lower the learning rate (ae_lr={cfg.ae_lr}) or check "
                                             "the input scaling")
                bar.set_postfix(loss=f"{losses[-1][1]:.4g}")
            bar.update(1)
            ckpt.step(stage, it, state, weights_fn, generator)
    ckpt.finish(stage, losses, weights_fn() if weights_fn else None, generator)
    return losses


def pretrain_layerwise(ae: StackedAutoencoder, X, cfg: Config, generator, verbose=True, image_shape=None,
                       ckpt=None):
    """Greedy layer-wise denoising pretraining (paper section 3.2, authors' code).

    Pair i: x~ = Dropout(x) (not for the first layer); h = g1(W1 x~ + b1); h~ = Dropout(h);
    y = g2(W2 h~ + b2). g1 is linear for the embedding layer, g2 for the reconstruction of x.
    """
    pairs = ae.layer_pairs()
    history, h = {}, X
    for i, (enc, dec) in enumerate(pairs):
        last = i == len(pairs) - 1
        g1 = (lambda t: t) if last else F.relu
        g2 = F.relu if i > 0 else (lambda t: t)
        p = cfg.dropout

        def pair(x, enc=enc, dec=dec, g1=g1, g2=g2, first=(i == 0)):
            if not first:
                x = F.dropout(x, p, training=True)
            return g2(dec(F.dropout(g1(enc(x)), p, training=True)))

        params = [*enc.parameters(), *dec.parameters()]
        history[f"layer{i + 1}"] = _fit(pair, params, h, cfg.layer_iters, cfg, generator,
                                        f"layer {i + 1}/{len(pairs)}", verbose,
                                        augment=_augmenter(cfg, image_shape) if i == 0 else None,
                                        ckpt=ckpt, stage=f"layer{i + 1}", weights_fn=ae.state_dict)
        h = in_chunks(lambda t, enc=enc, g1=g1: g1(enc(t)), h)  # input of the next pair
    return history


def pretrain_end_to_end(ae: StackedAutoencoder, X, cfg: Config, generator, verbose=True, image_shape=None,
                        ckpt=None):
    """Train the whole deep autoencoder on reconstruction: without dropout as in the paper, or,
    with ``cfg.finetune_dropout`` = p > 0, as a denoising autoencoder (dropout p on its input)."""
    p = cfg.finetune_dropout
    corrupt = (lambda x: F.dropout(x, p, training=True)) if p > 0 else None
    return {"finetune": _fit(ae, list(ae.parameters()), X, cfg.finetune_iters, cfg, generator,
                             "autoencoder", verbose, augment=_augmenter(cfg, image_shape),
                             ckpt=ckpt, stage="finetune", weights_fn=ae.state_dict, corrupt=corrupt)}


def pretrain(ae: StackedAutoencoder, X, cfg: Config, generator, verbose=True, image_shape=None,
             ckpt=None) -> dict:
    """Run the configured protocol; return the loss history and the time of each stage.

    With a checkpoint ``ckpt`` that is being resumed, the autoencoder's weights are taken from it
    and finished stages are skipped (see :mod:`dec.checkpoint`)."""
    if ckpt is not None and ckpt.weights() is not None:
        ae.load_state_dict(ckpt.weights())
    ae.train()
    out, t0 = {}, time.perf_counter()
    if cfg.pretrain == "layerwise" and cfg.layer_iters > 0:
        out.update(pretrain_layerwise(ae, X, cfg, generator, verbose, image_shape, ckpt))
    t1 = time.perf_counter()
    if cfg.finetune_iters > 0:
        out.update(pretrain_end_to_end(ae, X, cfg, generator, verbose, image_shape, ckpt))
    t2 = time.perf_counter()
    ae.eval()
    out["time_layerwise_s"], out["time_finetune_s"] = t1 - t0, t2 - t1
    return out
