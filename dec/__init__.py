"""dec: Deep Embedded Clustering (Xie, Girshick & Farhadi, ICML 2016) in a few readable modules.

Data flows one way: ``data`` -> ``autoencoder`` (pretraining) -> k-means centres ->
``clustering`` (DEC loop, eq. 1-5) -> ``metrics`` / ``results``. ``estimator.DEC`` wraps it all.
"""

__version__ = "0.1.0"

from .clustering import DECModel, kl_divergence, soft_assignment, target_distribution  # noqa: E402
from .config import PROFILES, Config, check_parameters  # noqa: E402
from .data import Dataset, available_datasets, default_cache_dir, load_dataset  # noqa: E402
from .estimator import DEC  # noqa: E402
from .metrics import ari, cluster_acc, evaluate, nmi  # noqa: E402
from .autoencoder import StackedAutoencoder  # noqa: E402

__all__ = [
    "DEC", "Config", "PROFILES", "Dataset", "DECModel", "StackedAutoencoder", "load_dataset",
    "available_datasets", "default_cache_dir", "check_parameters", "soft_assignment", "target_distribution", "kl_divergence",
    "cluster_acc", "nmi", "ari", "evaluate", "__version__",
]
