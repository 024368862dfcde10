"""The clustering stage of DEC (paper section 3.1): equations (1)-(3) and the training loop.

Read next to the paper: ``soft_assignment`` is eq. (1), ``kl_divergence`` eq. (2),
``target_distribution`` eq. (3). The gradients (4)-(5) are what autograd computes from these
(P is a constant); the tests check that against the closed forms.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from .checkpoint import NoCheckpoint
from .config import Config
from .pretrain import reconstruction_loss
from .utils import Minibatches, autocast, fused, in_chunks, maybe_compile, progress


def soft_assignment(z: torch.Tensor, centers: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Eq. (1): q_ij proportional to (1 + ||z_i - mu_j||^2 / alpha)^(-(alpha + 1) / 2).

    Normalised with a softmax over the logarithm of the kernel, so rows sum to one and stay
    finite even when every centre is far away (the kernel itself would underflow to 0/0).
    """
    dist2 = (z.unsqueeze(1) - centers.unsqueeze(0)).pow(2).sum(dim=2)
    log_kernel = -(alpha + 1.0) / 2.0 * torch.log1p(dist2 / alpha)
    return torch.softmax(log_kernel, dim=1)


def target_distribution(q: torch.Tensor) -> torch.Tensor:
    """Eq. (3): p_ij = (q_ij^2 / f_j) / sum_j' (q_ij'^2 / f_j'), with f_j = sum_i q_ij."""
    weight = q.pow(2) / q.sum(dim=0)
    return weight / weight.sum(dim=1, keepdim=True)


def kl_divergence(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Eq. (2): KL(P || Q) = sum_i sum_j p_ij log(p_ij / q_ij), averaged over the rows (samples).

    Terms with p_ij = 0 contribute 0; q is floored at the smallest float to keep log finite.
    """
    log_q = torch.log(q.clamp_min(torch.finfo(q.dtype).tiny))
    return (torch.xlogy(p, p) - p * log_q).sum() / p.shape[0]


class DECModel(nn.Module):
    """The encoder f_theta and the cluster centres mu_j, trained together (both are parameters).
    With a ``decoder`` (IDEC: the clustering stage keeps reconstructing), it is trained too."""

    def __init__(self, encoder: nn.Module, centers: torch.Tensor, alpha: float = 1.0, decoder=None):
        super().__init__()
        self.encoder = encoder
        self.centers = nn.Parameter(centers.detach().clone())
        self.alpha = float(alpha)
        if decoder is not None:  # only then a submodule: DEC's state dict stays as it was
            self.decoder = decoder

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return soft_assignment(self.encoder(x), self.centers, self.alpha)


def plateaued(history, patience: int) -> bool:
    """Whether the fraction of labels changed (``history`` entries after the first) has reached no
    new minimum in the last ``patience`` target updates; always False for ``patience`` 0. Read
    from the history alone, so a resumed run decides exactly as an uninterrupted one."""
    changes = [e["changed"] for e in history[1:]]
    if patience < 1 or len(changes) <= patience:
        return False
    return min(changes[-patience:]) >= min(changes[:-patience])


def should_stop(history, tol: float, patience: int) -> bool:
    """Whether the clustering stage stops at the last entry of ``history``: fewer than ``tol`` of
    the labels changed since the previous target update (the paper's rule), or that fraction has
    :func:`plateaued`. Never at the first update, which has nothing to compare with. Read from the
    history alone, so a recorded run can be cut where another rule would have stopped it."""
    return len(history) >= 2 and (history[-1]["changed"] < tol or plateaued(history, patience))


def train_dec(
    model: DECModel,
    X: torch.Tensor,
    cfg: Config,
    generator,
    y=None,
    verbose=True,
    metrics_fn=None,
    ckpt=None,
    callback=None,
    transform=None,
    extra_loss=None,
    stage="dec",
):
    """Optimise KL(P || Q) with SGD (or Adam: ``cfg.dec_optimizer``); P is recomputed over the
    whole dataset every ``cfg.update_interval`` iterations; stop (:func:`should_stop`) when fewer
    than ``cfg.tol`` of the points change cluster between two consecutive updates, or, with
    ``cfg.dec_patience`` > 0, when that fraction has reached no new minimum for ``dec_patience``
    updates (:func:`plateaued`), or at ``cfg.max_iter``.

    Returns ``(labels, history, n_iter, converged)``. ``history`` holds one entry per target
    update: iteration, mean training loss since the last update, fraction of labels changed,
    cluster sizes, and -- when true labels ``y`` and ``metrics_fn(y, labels) -> dict`` are
    given -- metrics. The labels are only reported, never used for training. With a
    :class:`dec.checkpoint.Checkpoint` the loop saves every ``ckpt.every`` iterations and on
    Ctrl-C, and continues from a saved state. ``callback(entry, model)``, when given, is called
    after each target update (the model in eval mode), e.g. to keep embeddings for a figure; it
    must not change the model.

    The minibatch loss is ``cfg.kl_weight`` * KL(P || Q) plus, when ``cfg.recon_weight`` > 0,
    ``cfg.recon_weight`` times the reconstruction loss of ``model.decoder`` (IDEC; the model must
    have been built with the decoder). The defaults (1 and 0) are the paper's DEC.

    Extension points (both None in the paper's DEC, which then runs unchanged): ``transform(x)``
    is applied to each minibatch before the encoder (e.g. a fresh random augmentation, DEC-DA; P
    stays computed on the clean data), and ``extra_loss(x)`` is a term added to each minibatch's
    loss, computed on the (transformed) minibatch. ``stage`` names the loop in the checkpoint, so
    that several runs of it (from several starts) each resume where they were.
    """
    idec = cfg.recon_weight > 0
    if idec and getattr(model, "decoder", None) is None:
        raise ValueError(
            f"recon_weight={cfg.recon_weight} (IDEC) needs the decoder: build the model as "
            "DECModel(encoder, centers, alpha, decoder=autoencoder.decoder)"
        )
    frozen = not cfg.update_encoder  # "DEC w/o backprop" (Table 2): only the centres move
    if frozen:
        model.encoder.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    if cfg.dec_optimizer == "adam":  # ConvDEC-DA's choice
        opt = torch.optim.Adam(params, lr=cfg.dec_lr, **fused(X.device))
    else:  # the paper's
        opt = torch.optim.SGD(params, lr=cfg.dec_lr, momentum=cfg.dec_momentum, **fused(X.device))
    batches = Minibatches(len(X), cfg.dec_batch_size, generator, X.device, shuffle=cfg.dec_order == "shuffle")
    ckpt = ckpt or NoCheckpoint()
    loop = ckpt.loop(
        stage, generator, ckpt.weights, continues_streams=False, model=model, opt=opt, batches=batches
    )
    if (done := loop.done()) is not None:
        model.load_state_dict(done["model"])
        return done["labels"].numpy(), done["history"], done["iter"], done["converged"]
    saved = loop.restore(iter=0, history=[], p=None, prev=None, running=0.0)
    history, it, converged = saved["history"], saved["iter"], False
    p, prev = (None if v is None else v.to(X.device) for v in (saved["p"], saved["prev"]))
    running = torch.full((), saved["running"], device=X.device)
    if frozen:
        Z = in_chunks(model.encoder, X)  # the embedding is fixed, so it is computed once
    step_model = maybe_compile(model, cfg.compile)  # the training step (compiled when asked)

    def assign_all():
        """Eq. (1) for the whole dataset."""
        with autocast(X.device, cfg.precision):
            q = soft_assignment(Z, model.centers, model.alpha) if frozen else in_chunks(model, X)
        return q.float()

    t0 = time.perf_counter() - (history[-1]["time_s"] if history else 0.0)
    with (
        progress(cfg.max_iter, "DEC" if stage == "dec" else f"DEC ({stage})", verbose, initial=it) as bar,
        loop.guard(),
    ):
        while True:
            if it % cfg.update_interval == 0 or it == cfg.max_iter:
                model.eval()
                with torch.no_grad():
                    q = assign_all()
                p = target_distribution(q)  # held fixed until the next update
                labels = q.argmax(dim=1)
                changed = 1.0 if prev is None else float((labels != prev).float().mean())
                since = it - history[-1]["iter"] if history else 0
                entry = {
                    "iter": it,
                    "changed": changed,
                    "time_s": time.perf_counter() - t0,
                    "loss": float(running) / since if since else float("nan"),
                    "sizes": torch.bincount(labels, minlength=q.shape[1]).tolist(),
                }
                if y is not None and metrics_fn is not None:
                    entry.update(metrics_fn(y, labels.cpu().numpy()))
                history.append(entry)
                if callback is not None:
                    with torch.no_grad():
                        callback(entry, model)
                bar.set_postfix(
                    changed=f"{changed:.4f}", **{k: f"{entry[k]:.3f}" for k in ("acc", "nmi") if k in entry}
                )
                running.zero_()
                if not torch.isfinite(q).all():
                    raise FloatingPointError(
                        f"soft assignments became NaN/inf at iteration {it}; lower dec_lr (now {cfg.dec_lr})"
                    )
                if should_stop(history, cfg.tol, cfg.dec_patience):
                    converged = True
                    break
                if it >= cfg.max_iter:
                    break
                prev = labels
                model.train()
            idx = next(batches)
            x = X[idx] if transform is None else transform(X[idx])
            with autocast(X.device, cfg.precision):  # eq. (1) on the minibatch
                if frozen:
                    q = soft_assignment(Z[idx], model.centers, model.alpha)
                elif idec:  # the embedding serves both terms
                    z = model.encoder(x)
                    q = soft_assignment(z, model.centers, model.alpha)
                    recon = reconstruction_loss(model.decoder(z), x)
                else:
                    q = step_model(x)
            loss = kl_divergence(p[idx], q.float())  # eq. (2), P held fixed
            if cfg.kl_weight != 1:
                loss = cfg.kl_weight * loss
            if idec:
                loss = loss + cfg.recon_weight * recon.float()
            if extra_loss is not None:
                loss = loss + extra_loss(x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += loss.detach()
            it += 1
            bar.update(1)
            loop.step(it, history=history, p=p, prev=prev, running=running)
    model.eval()
    loop.finish(
        {
            "model": model.state_dict(),
            "labels": labels.cpu(),
            "history": history,
            "iter": it,
            "converged": converged,
        }
    )
    return labels.cpu().numpy(), history, it, converged
