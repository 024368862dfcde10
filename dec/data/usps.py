"""USPS: 9,298 16x16 handwritten digits, from the libsvm files (or a torchvision download)."""

from __future__ import annotations

import bz2

import numpy as np

from .common import DataIntegrityError, files_or_download


def load_usps(data_dir, download):
    """USPS, 9,298 16x16 digits, from the libsvm files ``usps.bz2`` and ``usps.t.bz2``."""
    from sklearn.datasets import load_svmlight_file

    folder = data_dir / "usps"
    names = ("usps.bz2", "usps.t.bz2")

    def fetch():
        import torchvision

        for train in (True, False):
            torchvision.datasets.USPS(root=str(folder), train=train, download=True)

    files_or_download("usps", folder, names, "libsvm format, as published", fetch, download)
    Xs, ys = [], []
    for n in names:
        try:
            with bz2.open(folder / n) as f:
                Xi, yi = load_svmlight_file(f, n_features=256)
        except (OSError, EOFError, ValueError) as e:
            raise DataIntegrityError(f"cannot read {folder / n}: {e}; replace the file.") from e
        Xs.append(Xi.toarray())
        ys.append(yi)
    X = (np.concatenate(Xs).astype(np.float32) + 1.0) / 2.0  # published in [-1, 1]
    y = np.concatenate(ys).astype(np.int64) - 1  # published as 1..10
    if X.shape != (9298, 256):
        raise DataIntegrityError(f"usps in {folder}: expected 9298 x 256, found {X.shape}")
    return X, y, (16, 16), str(folder)
