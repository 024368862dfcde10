"""Clustering metrics: unsupervised accuracy (Hungarian match), NMI, ARI."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix


def _labels(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {len(y_true)} vs {len(y_pred)}")
    if y_true.size == 0:
        raise ValueError("cannot score an empty labelling")
    return y_true, y_pred


def cluster_acc(y_true, y_pred) -> float:
    """ACC = max over one-to-one maps m of (1/n) sum_i 1{y_i = m(c_i)}.

    The best map is found by the Hungarian algorithm on the contingency table. With more
    clusters than classes the surplus clusters match no class (their points count as wrong);
    with fewer, some classes go unmatched. Labels may be any hashable values.
    """
    y_true, y_pred = _labels(y_true, y_pred)
    counts = contingency_matrix(y_true, y_pred)  # classes x clusters
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / y_true.size)


def nmi(y_true, y_pred) -> float:
    """NMI = I(y; c) / ((H(y) + H(c)) / 2), the paper's normalisation (arithmetic mean)."""
    return float(normalized_mutual_info_score(*_labels(y_true, y_pred), average_method="arithmetic"))


def ari(y_true, y_pred) -> float:
    return float(adjusted_rand_score(*_labels(y_true, y_pred)))


def evaluate(y_true, y_pred) -> dict:
    """All three metrics in a dict: {"acc", "nmi", "ari"}."""
    return {"acc": cluster_acc(y_true, y_pred), "nmi": nmi(y_true, y_pred), "ari": ari(y_true, y_pred)}
