"""dec: Deep Embedded Clustering (Xie, Girshick & Farhadi, ICML 2016) in a few readable modules.

Data flows one way: ``data`` -> ``pretrain`` (``models``, ``augment``) -> k-means centres ->
``clustering`` (DEC loop, eq. 1-5) -> ``metrics`` / ``results``; ``store`` and ``checkpoint``
serve the stages. ``estimator.DEC`` is the scikit-learn front end to it all.
"""

from ._version import __version__, code_fingerprint
from .clustering import DECModel, kl_divergence, soft_assignment, target_distribution
from .config import PROFILES, Config
from .data import Dataset, available_datasets, default_cache_dir, load_dataset
from .estimator import DEC
from .metrics import ari, cluster_acc, evaluate, nmi
from .models import StackedAutoencoder, build_autoencoder

__all__ = [
    "DEC",
    "Config",
    "PROFILES",
    "Dataset",
    "DECModel",
    "StackedAutoencoder",
    "build_autoencoder",
    "load_dataset",
    "available_datasets",
    "default_cache_dir",
    "soft_assignment",
    "target_distribution",
    "kl_divergence",
    "cluster_acc",
    "nmi",
    "ari",
    "evaluate",
    "code_fingerprint",
    "__version__",
]
