"""scikit-learn's 1,797 8x8 digits: always available offline (the default dataset)."""

from __future__ import annotations

import numpy as np


def load_digits(data_dir, download):
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data / 16.0).astype(np.float32), d.target.astype(np.int64), (8, 8), "scikit-learn load_digits"
