"""``DEC``: the scikit-learn style front end to the whole pipeline.

    scale inputs -> pretrain the autoencoder -> k-means on the embedding -> DEC loop

The stages live in their own modules (:mod:`dec.pretrain`, :mod:`dec.clustering`); this one
validates inputs, wires the stages to the caches (:mod:`dec.store`) and checkpoints
(:mod:`dec.checkpoint`), and saves and loads the fitted estimator.

>>> from dec import DEC, load_dataset
>>> ds = load_dataset("digits")
>>> model = DEC(n_clusters=10, random_state=0).fit(ds.X)         # doctest: +SKIP
>>> model.labels_, model.predict(ds.X[:5]), model.transform(ds.X).shape  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from ._version import __version__
from .augment import make_augmenter, random_affine
from .checkpoint import Checkpoint, NoCheckpoint
from .clustering import DECModel, kl_divergence, target_distribution, train_dec
from .config import Config
from .metrics import evaluate
from .models import build_autoencoder
from .pretrain import pretrain
from .store import Cache, atomic_save, digest, run_key, state_digest
from .utils import autocast, in_chunks, local_random_state, matmul_precision, resolve_device

# What a saved estimator keeps besides its weights (see save/load).
_SAVED_ATTRIBUTES = (
    "n_features_in_",
    "feature_names_in_",
    "scale_",
    "seed_",
    "labels_",
    "kmeans_labels_",
    "init_centers_",
    "starts_",
    "history_",
    "pretrain_history_",
    "n_iter_",
    "converged_",
    "times_",
    "ae_cache_hit_",
    "dec_cache_hit_",
    "resumed_",
)


def input_scale(X: np.ndarray, method: str) -> float:
    """One global factor for the inputs: ``"unit-power"`` makes the mean of (1/d)||x||^2 exactly
    1 (the paper's criterion); ``"none"`` is 1."""
    if method == "none":
        return 1.0
    power = float(np.mean(X.astype(np.float64) ** 2))
    return float(1.0 / np.sqrt(power)) if power > 0 else 1.0


class DEC(ClusterMixin, TransformerMixin, BaseEstimator):
    """Deep Embedded Clustering (Xie, Girshick & Farhadi, 2016).

    Parameters
    ----------
    n_clusters : int, default 10
        Number of clusters k (>= 2 and <= the number of samples).
    profile : str, default "default"
        Named set of hyper-parameters, one of :data:`dec.config.PROFILES` ("default" is "dec-da-5k":
        quick's pretraining for at most 5,000 iterations and 250 passes over the data, then DEC's
        clustering stage on randomly shifted and rotated minibatches; "paper" is the paper's
        protocol; all are listed in :mod:`dec.config`, their measured accuracies and times in
        README.md). ``config_`` holds the resolved values.
    config : dict, optional
        Overrides of individual :class:`dec.config.Config` fields, e.g. ``{"update_interval": 40}``.
    random_state : int, RandomState or None
        Seeds the weight initialisation, minibatch order, augmentation and k-means. The fit
        draws from its own generators: the caller's global random state is left as it was.
    device : str, default "auto"
        "auto" (CUDA when present), "cpu", "cuda" or "cuda:N".
    image_shape : (h, w), optional
        Shape of each row as an image. Needed by the affine augmentation of the ``quick`` and
        ``default`` profiles (both stages) and by ``arch="conv"``; without it augmentation is
        skipped (with a warning).
    cache_dir : str or Path, optional
        Folder for pretrained autoencoders and DEC results, keyed by configuration, seed, data,
        the library's code (and, for the DEC stage, k and the labels passed to ``fit``); a later
        fit with the same key loads the stored result instead of computing it again
        (``ae_cache_hit_``, ``dec_cache_hit_``). An entry computed by other library code is
        computed again, with a warning. The thread count is not part of the key.
    verbose : bool, default False
        Show progress bars.
    checkpoint : str or Path, optional
        File for checkpoints of this run: written atomically every ``checkpoint_every``
        iterations, at the end of each stage and on Ctrl-C. ``fit(X, resume=True)`` continues
        from it (same data and settings required; see :mod:`dec.checkpoint`).
    checkpoint_every : int, default 500
        Iterations between two checkpoints (pretraining and DEC alike).

    Attributes
    ----------
    labels_ : ndarray (n,)
        Cluster of each training point after DEC.
    cluster_centers_ : ndarray (k, embedding dim)
        The centres mu_j in the embedding.
    n_iter_, converged_ : int, bool
        DEC iterations run; whether the ``tol`` criterion stopped them (else ``max_iter``).
    kmeans_labels_, init_centers_ : ndarray
        k-means on the pretrained embedding: the "AE + k-means" baseline and DEC's start (with
        several ``config.kmeans_views``, the start of the clustering run that was kept).
    starts_ : list of dict
        One entry per clustering run (``config.kmeans_views``): its ``kmeans_views``, the final
        ``kl`` (KL(P || Q) on the clean data), ``n_iter``, ``converged`` and the last history
        entry's metrics when ``y`` was given. The run with the lowest ``kl`` is the one kept.
    history_ : list of dict
        One entry per target update (iteration, changed fraction, loss, cluster sizes, metrics
        when ``y`` was given); its ``time_s`` are those of the run that trained it.
    pretrain_history_ : dict
        Reconstruction loss per pretraining stage, and the time of each stage.
    autoencoder_ : torch.nn.Module
        The pretrained autoencoder (``transform_pretrained`` uses its encoder).
    model_ : DECModel
        The trained encoder and centres (``predict``, ``transform``).
    times_ : dict
        Seconds per phase spent by this process (small on a cache hit).
    ae_cache_hit_, dec_cache_hit_, resumed_ : bool
        What came from ``cache_dir``; whether fit continued from a checkpoint.
    scale_, seed_, config_, device_ :
        Input factor, the seed used, the resolved :class:`Config`, the torch device.
    """

    def __init__(
        self,
        n_clusters=10,
        profile="default",
        config=None,
        random_state=None,
        device="auto",
        image_shape=None,
        cache_dir=None,
        verbose=False,
        checkpoint=None,
        checkpoint_every=500,
    ):
        self.n_clusters = n_clusters
        self.profile = profile
        self.config = config
        self.random_state = random_state
        self.device = device
        self.image_shape = image_shape
        self.cache_dir = cache_dir
        self.verbose = verbose
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every

    # -- parameters and inputs ----------------------------------------------------------------
    def resolved_config(self, n_samples: int | None = None) -> Config:
        """Check the parameters (against ``n_samples`` when given) and return the
        :class:`Config` a fit would use. Raises ``ValueError`` saying what is wrong."""
        k = self.n_clusters
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise ValueError(f"n_clusters must be an integer, got {k!r}")
        if k < 2:
            raise ValueError(f"n_clusters={k} but DEC needs at least 2 clusters")
        if n_samples is not None and k > n_samples:
            raise ValueError(
                f"n_clusters={k} is larger than the number of samples ({n_samples}); "
                "use fewer clusters or more data"
            )
        if self.config is not None and not isinstance(self.config, dict):
            raise ValueError(
                f"config must be a dict of Config field overrides, got {type(self.config).__name__}"
            )
        every = self.checkpoint_every
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"checkpoint_every must be a positive integer (iterations), got {every!r}")
        if self.checkpoint is not None and not isinstance(self.checkpoint, (str, Path)):
            raise ValueError(f"checkpoint must be a file path, got {type(self.checkpoint).__name__}")
        cfg = Config.from_profile(self.profile, **(self.config or {}))
        return cfg if n_samples is None else cfg.for_samples(n_samples)

    def _seed(self) -> int:
        if isinstance(self.random_state, (int, np.integer)) and not isinstance(self.random_state, bool):
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(2**31 - 1))

    def _check_X(self, X, reset):
        """2-D, numeric, finite, at least 2 samples to fit; same number of features to predict
        (scikit-learn's messages, which name the problem)."""
        return validate_data(self, X, reset=reset, dtype=np.float32, ensure_min_samples=2 if reset else 1)

    def _check_y(self, X, y):
        if y is None:
            return None
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must have one label per sample: got shape {y.shape} for {len(X)} samples")
        return y

    def _augmentation(self, d, cfg, fields=("augment", "kmeans_views", "dec_augment")):
        """``(cfg, image_shape)``: the (h, w) that the augmentation ``fields`` need, or None.
        Without ``image_shape`` (tabular data) augmentation is skipped with a warning rather than
        guessed, and the returned configuration says so: it records what really runs."""
        off = {name: (0,) if name == "kmeans_views" else "none" for name in fields}
        wanted = [name for name in fields if getattr(cfg, name) != off[name]]
        if not wanted:
            return cfg, None
        if self.image_shape is None:
            what = ", ".join(f"{name}={getattr(cfg, name)!r}" for name in wanted)
            warnings.warn(
                f"{what} skipped: pass image_shape=(h, w) when the rows are images "
                f"(or set {', '.join(f'{name}={off[name]!r}' for name in wanted)} in config to silence this)",
                RuntimeWarning,
                stacklevel=4,
            )
            return dataclasses.replace(cfg, **{name: off[name] for name in wanted}), None
        return cfg, self._network_shape(d)

    def _network_shape(self, d):
        """``image_shape`` as (h, w), checked against ``d`` features per row, or None: what the
        augmentation and a convolutional network need."""
        if self.image_shape is None:
            return None
        shape = tuple(int(s) for s in self.image_shape)
        if len(shape) != 2 or shape[0] * shape[1] != d:
            raise ValueError(f"image_shape={self.image_shape} does not match {d} features per sample")
        return shape

    def _to_device(self, X):
        return torch.as_tensor(X, dtype=torch.float32, device=self.device_) * self.scale_

    def _sync(self):
        """Wait for the GPU, so that the phase times are the work's, not the launches'."""
        if self.device_.type == "cuda":
            torch.cuda.synchronize(self.device_)

    def _cache_entry(self, kind, **parts):
        return None if self.cache_dir is None else Cache(self.cache_dir).entry(kind, **parts)

    # -- the stages ----------------------------------------------------------------------------
    def pretrain(self, X, y=None, resume=False):
        """Stages 1-2 only: input scaling, autoencoder pretraining, k-means on the embedding.

        Sets ``autoencoder_``, ``kmeans_labels_`` ("AE + k-means") and ``init_centers_``.
        :meth:`fit` calls it, then runs the DEC stage from there.
        """
        X = self._check_X(X, reset=True)
        cfg = self.resolved_config(len(X))
        self._check_resume(resume)
        self.device_, self.seed_ = resolve_device(self.device), self._seed()
        self.scale_ = input_scale(X, cfg.input_scaling)
        cfg, image_shape = self._augmentation(X.shape[1], cfg)  # checked before any training
        self.config_ = cfg
        self._ckpt = self._open_checkpoint(X, image_shape, resume)
        self.resumed_ = self._ckpt.resumed
        Xt = self._to_device(X)
        t = time.perf_counter()
        with local_random_state(self.seed_, self.device_) as generator, matmul_precision(cfg.precision):
            ae = build_autoencoder(cfg, X.shape[1], self._network_shape(X.shape[1])).to(self.device_)
            entry = self._cache_entry(
                "ae",
                config=cfg.pretrain_dict(),
                data=digest(Xt),
                shape=tuple(Xt.shape),
                seed=self.seed_,
                image_shape=image_shape,
                device=self.device_.type,
            )
            cached = entry.load(self.device_) if entry else None
            if cached is not None:
                ae.load_state_dict(cached["state_dict"])
                ae.eval()
                self.pretrain_history_ = cached["history"]
            else:
                self.pretrain_history_ = pretrain(
                    ae, Xt, cfg, generator, verbose=self.verbose, image_shape=image_shape, ckpt=self._ckpt
                )
                if entry:
                    entry.save({"state_dict": ae.state_dict(), "history": self.pretrain_history_})
            self.ae_cache_hit_ = cached is not None
            self._sync()
            self.autoencoder_ = ae
            self.times_ = {"pretrain": time.perf_counter() - t}
            self._kmeans(Xt)
        return self

    def _kmeans(self, Xt):
        """2. Centres: k-means with restarts on the embedding (the "AE + k-means" baseline), once
        per entry of ``config.kmeans_views``; the first is ``kmeans_labels_`` until DEC chooses."""
        t = time.perf_counter()
        if (done := self._ckpt.done("kmeans")) is not None:
            labels, centers = done["labels"].numpy(), done["centers"].numpy()
        else:
            clean = self._infer(self.autoencoder_.encoder, Xt)  # computed once, shared by every start
            runs = [
                KMeans(self.n_clusters, n_init=self.config_.kmeans_n_init, random_state=self.seed_).fit(
                    self._kmeans_embedding(Xt, views, clean)
                )
                for views in self.config_.kmeans_views
            ]
            labels = np.stack([km.labels_ for km in runs])
            centers = np.stack([km.cluster_centers_ for km in runs]).astype(np.float32)
            self._ckpt.finish(
                "kmeans",
                {"labels": torch.as_tensor(labels), "centers": torch.as_tensor(centers)},
                self.autoencoder_.state_dict(),
            )
        self._starts = list(zip(labels, centers, strict=True))
        self.kmeans_labels_, self.init_centers_ = self._starts[0]
        self.times_["kmeans"] = time.perf_counter() - t

    def _kmeans_embedding(self, Xt, views, clean):
        """What k-means clusters: ``clean``, the pretrained embedding (``transform_pretrained``),
        or with ``views`` > 0 its mean over each input and that many random affine copies, drawn
        from the seed (so the same whether this follows pretraining or not)."""
        if not views:
            return clean
        encoder, shape, cfg = self.autoencoder_.encoder, self._network_shape(Xt.shape[1]), self.config_

        def copy_of(x):  # the copy in float32, as in training; only the encoder in config.precision
            with torch.autocast(x.device.type, enabled=False):
                x = random_affine(x, shape, cfg.augment_shift, cfg.augment_rotate)
            return encoder(x)

        z = clean.copy()
        with local_random_state(self.seed_, self.device_):
            for _ in range(views):
                z += self._infer(copy_of, Xt)
        return z / (views + 1)

    def _check_resume(self, resume):
        """Refuse resume=True without the checkpoint path, before any work starts."""
        if resume and self.checkpoint is None:
            raise ValueError(
                "resume=True needs the checkpoint path the interrupted run used: "
                "DEC(..., checkpoint='path/to/checkpoint.pt')"
            )

    def _open_checkpoint(self, X, image_shape, resume, **extra):
        """The run's checkpoint, keyed by everything that defines the run (and ``extra``: what
        else does, such as the network :meth:`fit_from` starts from)."""
        if self.checkpoint is None:
            return NoCheckpoint()
        key = run_key(
            **extra,
            config=self.config_.to_dict(),
            data=digest(X),
            shape=X.shape,
            n_clusters=int(self.n_clusters),
            seed=self.seed_,
            image_shape=image_shape,
            device=self.device_.type,
            scale=self.scale_,
        )
        return Checkpoint(self.checkpoint, key, every=int(self.checkpoint_every), resume=resume)

    def fit(self, X, y=None, resume=False):
        """Pretrain, initialise centres with k-means, run DEC. ``y`` is only used to report
        metrics in ``history_`` (never for training). ``resume=True`` continues an interrupted
        run from ``checkpoint`` (a missing file starts from scratch)."""
        X = self._check_X(X, reset=True)
        y = self._check_y(X, y)
        self.pretrain(X, resume=resume)
        return self._fit_dec(X, y)

    def fit_from(self, pretrained, X, y=None, resume=False):
        """Stages 2-3 only, on ``X``, with the autoencoder (and input scale) of ``pretrained``,
        a DEC that was fitted or pretrained before: k-means on the embedding, then DEC, with
        this estimator's ``n_clusters``, ``config`` (its clustering fields) and seed. For
        experiments that cluster the data a network was pretrained on with another k (Figure 6),
        a subset of it (Table 4) or other clustering settings, without pretraining again; with
        the seed the network was fitted with, k-means starts where that fit's did.
        ``pretrained`` is not changed. With ``checkpoint``, the clustering stage is checkpointed
        and ``resume=True`` continues it, as in :meth:`fit`."""
        check_is_fitted(pretrained, "autoencoder_")
        self._check_resume(resume)
        X = self._check_X(X, reset=True)
        if X.shape[1] != pretrained.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features but the pretrained autoencoder takes "
                f"{pretrained.n_features_in_}"
            )
        y = self._check_y(X, y)
        # The network is pretrained's, so config_ takes its pretraining fields (and stays true).
        network = {name: getattr(pretrained.config_, name) for name in Config.network_fields()}
        cfg = dataclasses.replace(self.resolved_config(len(X)), **network)
        self.config_, image_shape = self._augmentation(
            X.shape[1], cfg, fields=("kmeans_views", "dec_augment")
        )
        self.device_, self.scale_, self.seed_ = pretrained.device_, pretrained.scale_, self._seed()
        self.autoencoder_ = pretrained.autoencoder_
        self.pretrain_history_, self.ae_cache_hit_ = pretrained.pretrain_history_, pretrained.ae_cache_hit_
        self._ckpt = self._open_checkpoint(X, image_shape, resume, pretrained=state_digest(self.autoencoder_))
        self.resumed_, self.times_ = self._ckpt.resumed, {"pretrain": 0.0}
        with matmul_precision(self.config_.precision):
            self._kmeans(self._to_device(X))
        return self._fit_dec(X, y)

    def _fit_dec(self, X, y):
        """3. DEC: encoder and centres trained together on KL(P || Q), once from each k-means start
        (``config.kmeans_views``), keeping the run that ends at the lowest KL(P || Q). The encoder
        is a copy, so autoencoder_ stays the pretrained one. Each run is seeded afresh, so that the
        result does not depend on whether the autoencoder came from the cache, nor a run on the
        other starts."""
        cfg, Xt = self.config_, self._to_device(X)
        t = time.perf_counter()
        image_shape = self._augmentation(X.shape[1], cfg, fields=("dec_augment",))[1]
        transform = make_augmenter(cfg, image_shape, stage="clustering")
        entry = self._cache_entry(
            "dec",
            config=cfg.to_dict(),
            n_clusters=int(self.n_clusters),
            autoencoder=state_digest(self.autoencoder_),
            scale=self.scale_,
            data=digest(X),
            shape=X.shape,
            seed=self.seed_,
            y=None if y is None else digest(y),
            device=self.device_.type,
            image_shape=None if self.image_shape is None else [int(v) for v in self.image_shape],
        )
        cached = entry.load(self.device_) if entry else None
        if cached is not None:
            kept, self.starts_ = cached["start"], cached["starts"]
            self.model_ = self._dec_model(self.autoencoder_, torch.as_tensor(self._starts[kept][1]))
            self.model_.load_state_dict(cached["model"])
            self.model_.to(self.device_).eval()
            self.labels_, self.history_ = cached["labels"].numpy(), cached["history"]
            self.n_iter_, self.converged_ = cached["n_iter"], cached["converged"]
        else:
            runs = [self._train_from(i, Xt, y, transform) for i in range(len(self._starts))]
            self.starts_ = [summary for *_, summary in runs]
            kl = [s["kl"] if math.isfinite(s["kl"]) else math.inf for s in self.starts_]
            kept = min(range(len(runs)), key=kl.__getitem__)
            self.model_, self.labels_, self.history_, self.n_iter_, self.converged_, _ = runs[kept]
            if entry:
                entry.save(
                    {
                        "model": self.model_.state_dict(),
                        "labels": torch.as_tensor(self.labels_),
                        "history": self.history_,
                        "n_iter": self.n_iter_,
                        "converged": self.converged_,
                        "starts": self.starts_,
                        "start": kept,
                    }
                )
        self.kmeans_labels_, self.init_centers_ = self._starts[kept]
        self.dec_cache_hit_ = cached is not None
        self.times_["dec"] = time.perf_counter() - t
        self.cluster_centers_ = self.model_.centers.detach().cpu().numpy()
        self._warn_empty_clusters()
        del self._ckpt
        return self

    def _train_from(self, i, Xt, y, transform):
        """One clustering run, from the ``i``-th k-means start (checkpointed as its own stage),
        and its summary for ``starts_``: the final KL(P || Q) on the clean data decides which
        run is kept."""
        cfg = self.config_
        model = self._dec_model(self.autoencoder_, torch.as_tensor(self._starts[i][1], device=self.device_))
        with local_random_state(self.seed_, self.device_) as generator, matmul_precision(cfg.precision):
            labels, history, n_iter, converged = train_dec(
                model,
                Xt,
                cfg,
                generator,
                y=y,
                verbose=self.verbose,
                metrics_fn=evaluate if y is not None else None,
                ckpt=self._ckpt,
                transform=transform,
                stage="dec" if i == 0 else f"dec-{i}",
            )
        q = torch.as_tensor(self._infer(model, Xt), dtype=torch.float64)
        summary = {
            "kmeans_views": int(cfg.kmeans_views[i]),
            "kl": float(kl_divergence(target_distribution(q), q)),
            "n_iter": int(n_iter),
            "converged": bool(converged),
            **{k: history[-1][k] for k in ("acc", "nmi", "ari") if history and k in history[-1]},
        }
        return model, labels, history, n_iter, converged, summary

    def _dec_model(self, autoencoder, centers):
        """The clustering stage's network: a copy of the encoder (and, for IDEC, of the decoder),
        so that ``autoencoder_`` stays the pretrained one."""
        decoder = copy.deepcopy(autoencoder.decoder) if self.config_.recon_weight > 0 else None
        return DECModel(copy.deepcopy(autoencoder.encoder), centers, self.config_.alpha, decoder=decoder)

    def _warn_empty_clusters(self):
        """Empty clusters, or clusters under 1 % of an even share (n / k / 100), are reported
        with all the sizes: DEC can starve a cluster, and the user should know."""
        sizes = np.bincount(self.labels_, minlength=self.n_clusters)
        small = sizes < len(self.labels_) / self.n_clusters / 100
        if small.any():
            warnings.warn(
                f"DEC ended with {int((sizes == 0).sum())} empty and {int((small & (sizes > 0)).sum())} "
                f"vanishing cluster(s) (< 1 % of an even share); cluster sizes: {sizes.tolist()}. "
                "Try another seed, a smaller update_interval or fewer clusters.",
                RuntimeWarning,
                stacklevel=3,
            )

    # -- using the fitted model -----------------------------------------------------------------
    def _infer(self, module, Xt):
        """``module`` on the scaled, on-device inputs ``Xt`` (in chunks), as a float32 array, in
        the precision the model was trained in (``config.precision``: TF32 products, or bfloat16
        autocast), so that ``predict`` on the training data gives ``labels_``."""
        with matmul_precision(self.config_.precision), autocast(self.device_, self.config_.precision):
            return in_chunks(module, Xt).float().cpu().numpy()

    def predict_proba(self, X):
        """Soft assignments q (eq. 1) of new points to the learned clusters."""
        check_is_fitted(self, "model_")
        X = self._check_X(X, reset=False)
        return self._infer(self.model_, self._to_device(X))

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)

    def transform(self, X):
        """The embedding z = f_theta(x) of the trained DEC encoder."""
        check_is_fitted(self, "model_")
        X = self._check_X(X, reset=False)
        return self._infer(self.model_.encoder, self._to_device(X))

    def transform_pretrained(self, X):
        """The embedding of the *pretrained* autoencoder (before DEC), where "AE + k-means" and
        the other baselines of Table 3 cluster."""
        check_is_fitted(self, "autoencoder_")
        X = self._check_X(X, reset=False)
        return self._infer(self.autoencoder_.encoder, self._to_device(X))

    def fit_predict(self, X, y=None):
        return self.fit(X, y).labels_

    def score(self, X, y=None):
        """Negative KL(P || Q) on X, with P from X's own soft assignments (higher is better)."""
        q = torch.as_tensor(self.predict_proba(X))
        return -float(kl_divergence(target_distribution(q), q))

    def evaluate(self, y_true) -> dict:
        """ACC / NMI / ARI of ``labels_`` and of the AE + k-means initialisation."""
        check_is_fitted(self, "labels_")
        out = evaluate(y_true, self.labels_)
        out.update({f"kmeans_{k}": v for k, v in evaluate(y_true, self.kmeans_labels_).items()})
        return out

    # -- saving and loading -------------------------------------------------------------------
    def save(self, path):
        """Write the whole fitted estimator (both networks, centres, labels, histories,
        configuration) for :meth:`load`."""
        check_is_fitted(self, "model_")
        attrs = {}
        for name in _SAVED_ATTRIBUTES:
            if not hasattr(self, name):  # e.g. feature_names_in_: only after a fit on a DataFrame
                continue
            value = getattr(self, name)
            if name == "feature_names_in_":
                value = [str(v) for v in value]  # strings, which weights_only loading reads
            attrs[name] = torch.as_tensor(value) if isinstance(value, np.ndarray) else value
        config = self.config_.to_dict()
        blob = {
            "version": __version__,
            "config": config,
            "config_hash": run_key(**config),
            "params": {k: v for k, v in self.get_params().items() if k not in ("cache_dir", "checkpoint")},
            "autoencoder": self.autoencoder_.state_dict(),
            "model": self.model_.state_dict(),
            "attributes": attrs,
        }
        atomic_save(blob, path)

    @classmethod
    def load(cls, path, device="auto"):
        """Read an estimator written by :meth:`save` (``weights_only``: no code runs); the
        networks are rebuilt by :func:`dec.models.build_autoencoder`. A file written by another
        version of dec, or whose configuration does not match its hash, is refused."""
        blob = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(blob, dict) or "attributes" not in blob:
            raise ValueError(
                f"{path} is not a model written by DEC.save (give a run's model.pt, not its checkpoint)"
            )
        if blob.get("version") != __version__:
            raise ValueError(
                f"{path} was saved by dec {blob.get('version')}; this is dec {__version__}. "
                f"Load it with that version, or fit the model again."
            )
        if blob.get("config_hash") != run_key(**blob["config"]):
            raise ValueError(
                f"{path}: the stored configuration does not match its hash (the file was "
                "edited or damaged); fit the model again."
            )
        est = cls(**{**blob["params"], "device": device})
        for name, value in blob["attributes"].items():
            if name == "feature_names_in_":
                value = np.asarray(value, dtype=object)
            setattr(est, name, value.numpy() if isinstance(value, torch.Tensor) else value)
        est.config_, est.device_ = Config(**blob["config"]), resolve_device(device)
        image_shape = None if est.image_shape is None else tuple(est.image_shape)
        ae = build_autoencoder(est.config_, est.n_features_in_, image_shape)
        ae.load_state_dict(blob["autoencoder"])
        est.autoencoder_ = ae.to(est.device_).eval()
        centers = torch.zeros(est.n_clusters, est.config_.dims[-1])
        est.model_ = est._dec_model(ae, centers)
        est.model_.load_state_dict(blob["model"])
        est.model_.to(est.device_).eval()
        est.cluster_centers_ = est.model_.centers.detach().cpu().numpy()
        return est
