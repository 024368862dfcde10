"""Datasets: a small registry, an offline data directory, checked contents.

``load_dataset(name)`` returns a :class:`Dataset` with ``X`` as float32 in [0, 1] (one row per
sample) and integer labels ``y``. Sources are tried in order:

1. the data directory: argument ``data_dir``, else ``$DEC_DATA_DIR``, else ``~/.cache/dec-book/data``
   (files as published, ``.gz`` or uncompressed, in ``<data_dir>/<name>/``);
2. system-wide copies (Debian's ``dataset-fashion-mnist`` in /usr/share/datasets/fashion-mnist);
3. a torchvision download into the data directory, when ``download=True`` and the network allows.

What is read is validated (magic numbers, shapes, label range, sample counts) and, where the
published content is known, checked against the SHA-256 of the decompressed file.

One module per dataset family (``digits``, ``mnist``, ``usps``, ``reuters``, ``stl``), the IDX
reader in ``idx``, what the loaders share in ``common``; this module holds the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .common import ENV_VAR, DataIntegrityError, DatasetNotFoundError, default_cache_dir, default_data_dir
from .digits import load_digits
from .idx import parse_idx, read_idx
from .mnist import load_fashion_mnist, load_mnist, load_mnist_test
from .reuters import load_reuters_10k, reuters_from_rcv1
from .stl import load_stl_hog, stl_features
from .usps import load_usps

__all__ = [
    "Dataset",
    "DataIntegrityError",
    "DatasetNotFoundError",
    "ENV_VAR",
    "REGISTRY",
    "available_datasets",
    "default_cache_dir",
    "default_data_dir",
    "load_dataset",
    "parse_idx",
    "read_idx",
    "reuters_from_rcv1",
    "stl_features",
]


FEATURE_DATASETS = ("reuters-10k", "stl-hog")  # feature vectors, not images


@dataclass
class Dataset:
    name: str
    X: np.ndarray  # (n, d) float32 in [0, 1]
    y: np.ndarray  # (n,) int64
    image_shape: tuple | None  # e.g. (28, 28), for plotting and augmentation; None: not images
    source: str  # where it was read from

    @property
    def n_classes(self) -> int:
        return int(len(np.unique(self.y)))

    def require_images(self, what: str) -> None:
        """Raise a clear error when ``what`` (e.g. "Figure 3") needs images and this dataset has
        feature vectors (REUTERS, STL-10 HOG)."""
        if self.image_shape is None:
            raise ValueError(
                f"{what} shows images, and dataset {self.name!r} holds feature vectors; "
                f"use an image dataset ({', '.join(n for n in REGISTRY if n not in FEATURE_DATASETS)})"
            )

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}, n={len(self.X)}, d={self.X.shape[1]}, "
            f"classes={self.n_classes}, image_shape={self.image_shape}, source={self.source!r})"
        )


# name -> (loader, number of classes, one-line description)
REGISTRY = {
    "digits": (load_digits, 10, "scikit-learn's 1,797 8x8 digits; always available offline (default)"),
    "mnist": (load_mnist, 10, "MNIST, all 70,000 28x28 images (train + test), as in the paper"),
    "mnist-test": (load_mnist_test, 10, "MNIST test set, 10,000 images; a standard clustering benchmark"),
    "fashion-mnist": (load_fashion_mnist, 10, "Fashion-MNIST, all 70,000 28x28 images"),
    "usps": (load_usps, 10, "USPS, 9,298 16x16 digits (train + test)"),
    "reuters-10k": (
        load_reuters_10k,
        4,
        "REUTERS-10K: 10,000 RCV1 news stories, tf-idf of 2,000 terms, 4 topics",
    ),
    "stl-hog": (load_stl_hog, 10, "STL-10's 13,000 labelled images as HOG + 8x8 colour-map features"),
}


def available_datasets() -> list[str]:
    return list(REGISTRY)


def load_dataset(name: str = "digits", data_dir=None, download: bool = True) -> Dataset:
    """Load a registered dataset as float32 rows in [0, 1] with integer labels."""
    if name not in REGISTRY:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(REGISTRY)}")
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    loader, n_classes, _ = REGISTRY[name]
    X, y, shape, source = loader(data_dir, download)
    _check(name, X, y, n_classes, shape)
    return Dataset(name, np.ascontiguousarray(X), y, shape, source)


def _check(name, X, y, n_classes, shape):
    if X.ndim != 2 or X.shape[0] != y.shape[0] or (shape is not None and X.shape[1] != int(np.prod(shape))):
        raise DataIntegrityError(f"{name}: inconsistent shapes X {X.shape}, y {y.shape}, image {shape}")
    if not np.isfinite(X).all() or X.min() < 0 or X.max() > 1:
        raise DataIntegrityError(f"{name}: pixel values outside [0, 1] or not finite")
    if y.min() < 0 or y.max() >= n_classes:
        raise DataIntegrityError(f"{name}: labels outside 0..{n_classes - 1} (found {y.min()}..{y.max()})")
