"""Random affine augmentation of image inputs: small shifts and rotations (not in the paper).

Used by pretraining (the autoencoder reconstructs what it sees) and available to the clustering
stage. Images travel as flattened rows; ``image_shape`` says how to fold them. Everything runs
on the inputs' device, drawing from torch's random generator.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F


def random_affine(x, image_shape, max_shift=0.1, max_rotate=10.0):
    """Randomly shift (up to ``max_shift`` of the side) and rotate (up to ``max_rotate``
    degrees) each flattened image in the batch ``x``; empty borders are filled with 0."""
    n, (h, w) = x.shape[0], image_shape
    angle = (torch.rand(n, device=x.device) * 2 - 1) * math.radians(max_rotate)
    shift = (torch.rand(n, 2, device=x.device) * 2 - 1) * 2 * max_shift  # grid coords span 2
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    )
    return F.grid_sample(x.view(n, 1, h, w), affine_grid(theta, h, w), align_corners=False).view(n, -1)


def affine_grid(theta, h, w):
    """``F.affine_grid(theta, (n, 1, h, w), align_corners=False)`` as one matrix product: the
    (n, 2, 3) transforms times the h*w pixel centres in homogeneous coordinates. torch's version
    runs n tiny batched products, which is several times slower on a CPU (benchmarks/README.md)."""
    n = theta.shape[0]
    ys = (torch.arange(h, device=theta.device) * 2 + 1) / h - 1  # pixel centres in [-1, 1]
    xs = (torch.arange(w, device=theta.device) * 2 + 1) / w - 1
    centres = torch.stack([xs.repeat(h), ys.repeat_interleave(w), torch.ones(h * w, device=theta.device)], 1)
    return (theta.reshape(n * 2, 3) @ centres.T).view(n, 2, h, w).permute(0, 2, 3, 1)


def make_augmenter(cfg, image_shape, stage="pretrain"):
    """The augmentation configured for a ``stage`` ("pretrain": ``cfg.augment``, "clustering":
    ``cfg.dec_augment``) as a function of a minibatch, or None where it is ``"none"``.
    ``image_shape`` is required for ``"affine"``; both stages use the same ranges."""
    kind = cfg.augment if stage == "pretrain" else cfg.dec_augment
    if kind == "none":
        return None
    if image_shape is None:
        raise ValueError(f"{kind!r} augmentation needs the image shape of the inputs (image_shape=(h, w))")
    return lambda x: random_affine(x, image_shape, cfg.augment_shift, cfg.augment_rotate)
