"""Pretraining the autoencoder that initialises DEC (paper section 3.2).

Two protocols:

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
from torch.nn import functional as F

from .augment import make_augmenter
from .checkpoint import NoCheckpoint
from .config import Config
from .models import StackedAutoencoder
from .utils import Minibatches, autocast, fused, in_chunks, maybe_compile, progress


def reconstruction_loss(y, x):
    """Least-squares loss of the authors' code: 0.5 ||y - x||^2 / d per sample, batch mean."""
    return 0.5 * (y - x).pow(2).mean()


def _optimizer(params, cfg: Config):
    if cfg.ae_optimizer == "adam":
        opt = torch.optim.Adam(
            params, lr=cfg.ae_lr, weight_decay=cfg.ae_weight_decay, **fused(params[0].device)
        )
    else:
        opt = torch.optim.SGD(
            params,
            lr=cfg.ae_lr,
            momentum=cfg.ae_momentum,
            weight_decay=cfg.ae_weight_decay,
            **fused(params[0].device),
        )
    step = cfg.ae_lr_step if cfg.ae_lr_step > 0 else 10**12
    return opt, torch.optim.lr_scheduler.StepLR(opt, step_size=step, gamma=0.1)


def fit_reconstruction(
    model_fn,
    params,
    X,
    n_iters,
    cfg,
    generator,
    desc="autoencoder",
    verbose=False,
    augment=None,
    log_every=100,
    ckpt=None,
    stage="finetune",
    weights_fn=None,
    corrupt=None,
    timings=None,
):
    """Minimise reconstruction_loss(model_fn(x), x) over ``params`` for ``n_iters`` minibatch
    iterations (x augmented first when ``augment`` is given: the autoencoder reconstructs what
    it sees; with ``corrupt``, model_fn sees corrupt(x) and reconstructs x: a denoising
    autoencoder). Returns the loss history, [(iteration, mean loss since the last entry)].

    With a :class:`dec.checkpoint.Checkpoint` ``ckpt``, the stage is skipped when it is done,
    continued where it stopped, and saved every ``ckpt.every`` iterations and on Ctrl-C.
    With a dict ``timings``, ``timings[stage]`` gets the iterations trained in this call, their
    wall seconds, and those of the first of them (``first_s``: with ``cfg.compile`` it includes
    compiling), so the stage's steady rate; nothing for a stage that was done already."""
    opt, sched = _optimizer(params, cfg)
    batches = Minibatches(len(X), cfg.ae_batch_size, generator, X.device)
    loop = (ckpt or NoCheckpoint()).loop(stage, generator, weights_fn, opt=opt, sched=sched, batches=batches)
    if (done := loop.done()) is not None:
        return done
    saved = loop.restore(iter=0, losses=[], running=0.0)
    losses = [tuple(x) for x in saved["losses"]]
    running = torch.full((), saved["running"], device=X.device)
    forward = maybe_compile(model_fn, cfg.compile)
    t0 = time.perf_counter()
    with progress(n_iters, desc, verbose, initial=saved["iter"]) as bar, loop.guard():
        for it in range(saved["iter"] + 1, n_iters + 1):
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
                    raise FloatingPointError(
                        f"{desc}: the reconstruction loss became NaN/inf at iteration "
                        f"{it}; lower the learning rate (ae_lr={cfg.ae_lr}) or check "
                        "the input scaling"
                    )
                bar.set_postfix(loss=f"{losses[-1][1]:.4g}")
            bar.update(1)
            if it == saved["iter"] + 1:  # the first step: with cfg.compile, it includes compiling
                first_s = time.perf_counter() - t0
            loop.step(it, losses=losses, running=running)
    if timings is not None:  # the last logged loss was read back: the device has finished the work
        n = n_iters - saved["iter"]
        timings[stage] = {"iters": n, "seconds": time.perf_counter() - t0, "first_s": first_s if n else 0.0}
    loop.finish(losses, weights_fn() if weights_fn else None)
    return losses


def pretrain_layerwise(
    ae: StackedAutoencoder, X, cfg: Config, generator, verbose=True, image_shape=None, ckpt=None
):
    """Greedy layer-wise denoising pretraining (paper section 3.2, authors' code).

    Pair i: x~ = Dropout(x) (not for the first layer); h = g1(W1 x~ + b1); h~ = Dropout(h);
    y = g2(W2 h~ + b2). g1 is linear for the embedding layer, g2 for the reconstruction of x.
    """
    pairs = ae.layer_pairs()
    history, h = {"stage_times": {}}, X
    for i, (enc, dec) in enumerate(pairs):
        last = i == len(pairs) - 1
        g1 = (lambda t: t) if last else F.relu
        g2 = F.relu if i > 0 else (lambda t: t)
        p = cfg.dropout

        def pair(x, enc=enc, dec=dec, g1=g1, g2=g2, first=(i == 0), p=p):
            if not first:
                x = F.dropout(x, p, training=True)
            return g2(dec(F.dropout(g1(enc(x)), p, training=True)))

        params = [*enc.parameters(), *dec.parameters()]
        history[f"layer{i + 1}"] = fit_reconstruction(
            pair,
            params,
            h,
            cfg.layer_iters,
            cfg,
            generator,
            f"layer {i + 1}/{len(pairs)}",
            verbose,
            augment=make_augmenter(cfg, image_shape) if i == 0 else None,
            ckpt=ckpt,
            stage=f"layer{i + 1}",
            weights_fn=ae.state_dict,
            timings=history["stage_times"],
        )
        h = in_chunks(lambda t, enc=enc, g1=g1: g1(enc(t)), h)  # input of the next pair
    return history


def pretrain_end_to_end(
    ae: StackedAutoencoder, X, cfg: Config, generator, verbose=True, image_shape=None, ckpt=None
):
    """Train the whole deep autoencoder on reconstruction: without dropout as in the paper, or,
    with ``cfg.finetune_dropout`` = p > 0, as a denoising autoencoder (dropout p on its input)."""
    p = cfg.finetune_dropout
    corrupt = (lambda x: F.dropout(x, p, training=True)) if p > 0 else None
    timings = {}
    return {
        "stage_times": timings,
        "finetune": fit_reconstruction(
            ae,
            list(ae.parameters()),
            X,
            cfg.finetune_iters,
            cfg,
            generator,
            "autoencoder",
            verbose,
            augment=make_augmenter(cfg, image_shape),
            ckpt=ckpt,
            stage="finetune",
            weights_fn=ae.state_dict,
            corrupt=corrupt,
            timings=timings,
        ),
    }


def pretrain(
    ae: StackedAutoencoder, X, cfg: Config, generator, verbose=True, image_shape=None, ckpt=None
) -> dict:
    """Run the configured protocol; return the loss history and the time of each stage
    (``stage_times``: iterations and wall seconds of each layer pair and of the fine-tuning trained
    in this process, so a stage's rate, e.g. to compare ``compile`` modes per stage on a GPU).

    With a checkpoint ``ckpt`` that is being resumed, the autoencoder's weights are taken from it
    and finished stages are skipped (see :mod:`dec.checkpoint`)."""
    if ckpt is not None and ckpt.weights() is not None:
        ae.load_state_dict(ckpt.weights())
    ae.train()
    out, t0 = {}, time.perf_counter()
    out["stage_times"] = {}
    if cfg.pretrain == "layerwise" and cfg.layer_iters > 0:
        layers = pretrain_layerwise(ae, X, cfg, generator, verbose, image_shape, ckpt)
        out["stage_times"].update(layers.pop("stage_times"))
        out.update(layers)
    t1 = time.perf_counter()
    if cfg.finetune_iters > 0:
        finetune = pretrain_end_to_end(ae, X, cfg, generator, verbose, image_shape, ckpt)
        out["stage_times"].update(finetune.pop("stage_times"))
        out.update(finetune)
    t2 = time.perf_counter()
    ae.eval()
    out["time_layerwise_s"], out["time_finetune_s"] = t1 - t0, t2 - t1
    return out
