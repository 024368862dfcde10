"""Every knob of the pipeline in one place, as plain data.

Named profiles:

* ``paper`` -- the protocol of Xie et al. (2016) and the authors' code: greedy layer-wise
  denoising pretraining (50,000 iterations per layer, dropout 0.2), 100,000 iterations of
  end-to-end fine-tuning, SGD lr 0.1 / 10 every 20,000 iterations with momentum 0.9, k-means
  with 20 restarts, DEC with SGD lr 0.01, momentum 0.9, update interval 160, tol 0.1 %.
* ``quick`` -- no layer-wise stage: end-to-end pretraining with Adam on randomly shifted and
  rotated images (affine augmentation), 3,000 iterations, then the same clustering stage as the
  paper (eq. 1-5, P over the whole dataset, tol stopping) (lectures, CI).
* ``quick-10k`` -- the same pretrained for 250 passes over the data, at most 10,000 iterations.
* ``dec-da``, ``idec``, ``convdec-da`` -- quick's pretraining (at most 250 passes over the data)
  with a successor's clustering stage: DEC-DA's augmented minibatches (Guo et al. 2018), IDEC's
  kept decoder (Guo et al. 2017), and ConvDEC-DA (ConvDEC's convolutional autoencoder with
  DEC-DA's clustering stage). Images only, except ``idec``.
* ``dec-da-5k`` -- ``dec-da`` pretrained longer: at most 5,000 iterations (and 250 passes).
* ``convdec-da-20k`` -- ``convdec-da`` pretrained as long as its authors do on MNIST-test: at most
  20,000 iterations and 500 passes; its clustering stage waits 40 target updates on a plateau.
* ``convdec-da-20k-2starts`` -- the same with two clustering runs, from two k-means starts; the
  one ending at the lower KL(P || Q) is kept.
* ``convdec-da-16k-2starts`` -- the same sized for 20 minutes a run on MNIST-test on 2 CPU cores
  with bfloat16 units: 16,000 pretraining iterations, a plateau of 20 target updates, bfloat16
  forward passes in both stages.
* ``dec-keras`` -- after the recipe of DEC's Keras port on MNIST and Fashion-MNIST (no Keras
  needed): ``paper-e2e`` with SGD at learning rate 1 for 300 passes over the data (at most 82,200
  iterations) from weights uniform in +-1/sqrt(fan_in), on pixels in [0, 1]; the best setting
  measured on Fashion-MNIST, and hours a model on one CPU core. Its steps are half the port's
  (this library's loss is half the mean squared error, the port's the whole).
* ``default`` (the estimator's and the CLI's) -- the same as ``dec-da-5k``: measured to reach ACC
  0.90 on MNIST-test within 5 minutes on a 2-core CPU.

The measured accuracies and times, with their machines and seeds, are in one place: the profile
table of README.md, with the records behind it in benchmarks/README.md.

``paper-e2e`` keeps the paper's clustering stage and schedule but replaces the layer-wise stage
by end-to-end pretraining (the protocol of most later ports), so both can be compared.

Every field can be overridden: ``Config.from_profile("quick", update_interval=40)``. The
dataclass defaults are the ``paper`` profile.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

PRETRAIN_PROTOCOLS = ("layerwise", "end-to-end")
ARCHITECTURES = ("mlp", "conv")
OPTIMIZERS = ("sgd", "adam")
INPUT_SCALINGS = ("unit-power", "none")
INITS = ("normal", "xavier", "kaiming", "fan-in-uniform")
AUGMENTS = ("none", "affine")
DEC_ORDERS = ("shuffle", "fixed")
PRECISIONS = ("fp32", "tf32", "bf16")
COMPILE_MODES = ("none", "default", "reduce-overhead")


def _clustering(default):
    """A field of the clustering stage only: it cannot change the pretrained autoencoder."""
    return field(default=default, metadata={"stage": "clustering"})


def _shared(default):
    """A field that both stages use (numerics, augmentation ranges): it is in the autoencoder's
    key, but a network pretrained with another value can still be clustered with this one."""
    return field(default=default, metadata={"stage": "both"})


@dataclass
class Config:
    # --- network: input dim comes from the data; these are the layers after it --------------
    dims: tuple = (500, 500, 2000, 10)  # d-500-500-2000-10, the last is the embedding
    # "mlp": the paper's fully connected network (dims) | "conv": ConvDEC's convolutional
    # autoencoder (Guo et al. 2017; image inputs only), embedding of dims[-1] features
    arch: str = "mlp"
    init: str = "normal"  # "normal": N(0, init_std^2) as in the paper | "xavier" | "kaiming"
    #   | "fan-in-uniform": U(+-1/sqrt(fan_in)), the Keras DEC port's MNIST and Fashion-MNIST runs
    init_std: float = 0.01  # only for init="normal"; biases are always 0
    input_scaling: str = "unit-power"  # "unit-power": one global factor so mean (1/d)||x||^2 = 1

    # --- autoencoder pretraining --------------------------------------------------------------
    pretrain: str = "layerwise"  # "layerwise" (greedy SDAE, then fine-tune) | "end-to-end"
    layer_iters: int = 50_000  # iterations per layer pair in the greedy stage
    finetune_iters: int = 100_000  # iterations of end-to-end training of the deep autoencoder
    # > 0: at most this many passes over the data, so that the budget follows the data size:
    # finetune_iters becomes min(finetune_iters, ceil(finetune_epochs * n / ae_batch_size)) for n
    # samples (Config.for_samples; the estimator applies it). 0 = finetune_iters whatever the data
    finetune_epochs: float = 0.0
    dropout: float = 0.2  # denoising corruption in the greedy stage
    finetune_dropout: float = 0.0  # denoising in the end-to-end stage: dropout on its input, the
    #                                clean input as target (0 = the paper: fine-tuning without dropout)
    ae_batch_size: int = 256
    ae_optimizer: str = "sgd"  # "sgd" | "adam"
    ae_lr: float = 0.1
    ae_momentum: float = 0.9  # sgd only
    ae_lr_step: int = 20_000  # divide the lr by 10 every ae_lr_step iterations; 0 = constant
    ae_weight_decay: float = 0.0
    augment: str = "none"  # "none" | "affine": random shifts/rotations of image inputs (not in the paper)
    augment_shift: float = _shared(0.1)  # max shift, as a fraction of the image side
    augment_rotate: float = _shared(10.0)  # max rotation, degrees

    # --- cluster centres ------------------------------------------------------------------------
    kmeans_n_init: int = _clustering(20)  # k-means restarts on the embedding, best inertia kept
    # Starts of the clustering stage (not in any paper; (0,) = the paper's one start): one DEC run
    # per entry, each from k-means on every input's embedding averaged with those of that many
    # random affine copies of it (augment_shift, augment_rotate; image inputs; 0 = the clean
    # embedding). With several entries the run ending at the lowest KL(P || Q), DEC's objective, is
    # kept, as k-means keeps its lowest inertia: near-tied k-means solutions can merge two classes,
    # and the averaged embedding moves k-means off such a tie (benchmarks/README.md)
    kmeans_views: tuple = _clustering((0,))

    # --- DEC stage (eq. 1-5) --------------------------------------------------------------------
    alpha: float = _clustering(1.0)  # degrees of freedom of the Student's t kernel (eq. 1)
    dec_optimizer: str = _clustering("sgd")  # "sgd" (the paper: SGD with dec_momentum) | "adam" (ConvDEC-DA)
    dec_lr: float = _clustering(0.01)
    dec_momentum: float = _clustering(0.9)  # SGD only
    dec_batch_size: int = _clustering(256)
    # minibatch order: "shuffle" = a fresh permutation every pass, a last partial batch dropped |
    # "fixed" = the data's own order every pass, the last batch shorter (DEC's Keras port)
    dec_order: str = _clustering("shuffle")
    update_interval: int = _clustering(160)  # recompute P over the WHOLE dataset every this many iterations
    tol: float = _clustering(0.001)  # stop when fewer than tol * n points change cluster between updates
    max_iter: int = _clustering(100_000)  # hard cap on DEC iterations
    # also stop when the fraction of labels changed has not reached a new minimum for this many
    # target updates (a plateau: with dec_augment it hovers near tol); 0 = off, tol only (the paper)
    dec_patience: int = _clustering(0)
    update_encoder: bool = _clustering(True)  # False: "DEC w/o backprop" (Table 2): only the centres move

    # --- successors of DEC in the clustering stage (not in the paper; the defaults are DEC) -----
    # "affine": each minibatch's Q on a fresh random shift/rotation of its images (augment_shift,
    # augment_rotate), P still from the clean whole dataset (DEC-DA, Guo et al. 2018)
    dec_augment: str = _clustering("none")
    kl_weight: float = _clustering(1.0)  # weight of KL(P || Q) in the clustering loss (IDEC: gamma)
    # weight of the autoencoder's reconstruction loss in the clustering stage; > 0 keeps the
    # decoder and trains it with the encoder (IDEC, Guo et al. 2017); 0 = DEC, no decoder
    recon_weight: float = _clustering(0.0)

    # --- numerics and speed (they matter on a GPU; see dec.utils.autocast) ----------------------
    precision: str = _shared("fp32")  # "fp32" | "tf32": TF32 matmuls (CUDA) | "bf16": autocast forward passes
    compile: str = _shared("none")  # "none" | "default" | "reduce-overhead" (CUDA graphs): torch.compile

    profile: str = field(default="custom", compare=False, metadata={"stage": "name"})

    # ------------------------------------------------------------------------------------------
    def __post_init__(self):
        self.dims = tuple(int(d) for d in self.dims)
        views = self.kmeans_views
        self.kmeans_views = tuple(views) if isinstance(views, (tuple, list)) else (views,)
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` naming the bad field and what it accepts."""

        def bad(name, value, want):
            raise ValueError(f"config field {name!r} = {value!r} is invalid: expected {want}")

        if len(self.dims) < 1 or any(d < 1 for d in self.dims):
            bad("dims", self.dims, "a non-empty tuple of positive layer sizes, e.g. (500, 500, 2000, 10)")
        if self.pretrain not in PRETRAIN_PROTOCOLS:
            bad("pretrain", self.pretrain, f"one of {PRETRAIN_PROTOCOLS}")
        if self.arch not in ARCHITECTURES:
            bad("arch", self.arch, f"one of {ARCHITECTURES}")
        if self.arch == "conv" and self.pretrain == "layerwise" and self.layer_iters > 0:
            bad(
                "pretrain",
                self.pretrain,
                "'end-to-end' with arch='conv' (the greedy stage trains fully "
                "connected layer pairs; set pretrain='end-to-end')",
            )
        for name in ("ae_optimizer", "dec_optimizer"):
            if getattr(self, name) not in OPTIMIZERS:
                bad(name, getattr(self, name), f"one of {OPTIMIZERS}")
        if self.init not in INITS:
            bad("init", self.init, f"one of {INITS}")
        if self.dec_order not in DEC_ORDERS:
            bad("dec_order", self.dec_order, f"one of {DEC_ORDERS}")
        for name in ("augment", "dec_augment"):
            if getattr(self, name) not in AUGMENTS:
                bad(name, getattr(self, name), f"one of {AUGMENTS}")
        if not self.kl_weight > 0:
            bad("kl_weight", self.kl_weight, "a number > 0 (the clustering loss must be in the objective)")
        if not self.recon_weight >= 0:
            bad("recon_weight", self.recon_weight, "a number >= 0 (0: DEC; > 0: IDEC)")
        if not self.update_encoder and (self.recon_weight > 0 or self.dec_augment != "none"):
            bad(
                "update_encoder",
                self.update_encoder,
                "True when recon_weight > 0 or dec_augment is set "
                "(with a frozen encoder neither the reconstruction nor the augmented inputs can act)",
            )
        if not 0 <= self.augment_shift < 1 or self.augment_rotate < 0:
            bad(
                "augment_shift/augment_rotate",
                (self.augment_shift, self.augment_rotate),
                "a shift fraction in [0, 1) and a rotation >= 0 degrees",
            )
        if self.precision not in PRECISIONS:
            bad("precision", self.precision, f"one of {PRECISIONS}")
        if self.compile not in COMPILE_MODES:
            bad("compile", self.compile, f"one of {COMPILE_MODES}")
        if self.input_scaling not in INPUT_SCALINGS:
            bad("input_scaling", self.input_scaling, f"one of {INPUT_SCALINGS}")
        if not self.finetune_epochs >= 0:
            bad(
                "finetune_epochs", self.finetune_epochs, "a number >= 0 (0: finetune_iters whatever the data)"
            )
        if not self.kmeans_views or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in self.kmeans_views
        ):
            bad("kmeans_views", self.kmeans_views, "one integer >= 0 or several, e.g. (0,) or (0, 4)")
        for name in ("layer_iters", "finetune_iters", "ae_lr_step", "dec_patience"):
            if getattr(self, name) < 0:
                bad(name, getattr(self, name), "an integer >= 0")
        for name in ("ae_batch_size", "dec_batch_size", "update_interval", "max_iter", "kmeans_n_init"):
            if getattr(self, name) < 1:
                bad(name, getattr(self, name), "an integer >= 1")
        for name in ("init_std", "ae_lr", "dec_lr", "alpha"):
            if not getattr(self, name) > 0:
                bad(name, getattr(self, name), "a number > 0")
        if not isinstance(self.update_encoder, bool):
            bad("update_encoder", self.update_encoder, "True or False")
        for name in ("dropout", "finetune_dropout"):
            if not 0 <= getattr(self, name) < 1:
                bad(name, getattr(self, name), "a probability in [0, 1)")
        if not 0 <= self.tol <= 1:
            bad("tol", self.tol, "a fraction in [0, 1]")
        for name in ("ae_momentum", "dec_momentum", "ae_weight_decay"):
            if getattr(self, name) < 0:
                bad(name, getattr(self, name), "a number >= 0")

    @classmethod
    def from_profile(cls, profile: str = "default", **overrides) -> "Config":
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(
                f"unknown config field(s) {unknown}; known fields: {sorted(known - {'profile'})}"
            )
        values = {**PROFILES[profile], **overrides, "profile": profile}
        return cls(**values)

    def for_samples(self, n_samples: int) -> "Config":
        """This configuration for ``n_samples`` samples: with ``finetune_epochs`` > 0, the
        end-to-end iterations capped at that many passes over the data (at least one iteration)."""
        if self.finetune_epochs <= 0:
            return self
        per_epoch = math.ceil(n_samples / self.ae_batch_size)
        iters = max(1, math.ceil(self.finetune_epochs * per_epoch))
        return dataclasses.replace(self, finetune_iters=min(self.finetune_iters, iters))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["dims"], d["kmeans_views"] = list(self.dims), list(self.kmeans_views)
        return d

    @classmethod
    def pretrain_fields(cls) -> tuple:
        """The fields that can change the pretrained autoencoder: every field except those of
        the clustering stage (and the profile's name). A field added later counts unless it is
        declared a clustering field, so a cache key can never silently leave it out."""
        return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("stage") in (None, "both"))

    @classmethod
    def network_fields(cls) -> tuple:
        """The pretraining fields that belong to the network alone (not those both stages use):
        what an estimator clustering with another's pretrained network (``fit_from``) takes over."""
        return tuple(f.name for f in dataclasses.fields(cls) if "stage" not in f.metadata)

    def pretrain_dict(self) -> dict:
        """The values of :meth:`pretrain_fields`, e.g. for the key of a cached autoencoder."""
        d = self.to_dict()
        return {name: d[name] for name in self.pretrain_fields()}


PAPER = {}  # the dataclass defaults are the paper's protocol

PROFILES: dict[str, dict] = {
    "paper": PAPER,
    # With SGD, N(0, 0.01) cannot start a deep network end to end (the signal vanishes and the
    # loss stays on a plateau), hence Glorot. (Adam does leave the plateau: benchmarks/README.md.)
    "paper-e2e": {**PAPER, "pretrain": "end-to-end", "init": "xavier"},
    # Not the paper's pretraining: end to end with Adam, Glorot init and random shifts/rotations
    # of the inputs (affine augmentation), which lifts DEC's accuracy on MNIST-test well above
    # the same schedule without augmentation (benchmarks/README.md). The clustering stage is the paper's.
    "quick": {
        "pretrain": "end-to-end",
        "init": "xavier",
        "augment": "affine",
        "finetune_iters": 3_000,
        "ae_optimizer": "adam",
        "ae_lr": 1e-3,
        "ae_lr_step": 0,
        "kmeans_n_init": 10,
        "update_interval": 140,
        "max_iter": 20_000,
    },
}
# quick's recipe pretrained 250 passes over the data, at most 10,000 iterations: the estimator's
# default until DEC-DA was measured (10,000 chosen over 3,000 and 20,000 by accuracy over 10 seeds
# on MNIST-test; benchmarks/README.md).
PROFILES["quick-10k"] = {**PROFILES["quick"], "finetune_iters": 10_000, "finetune_epochs": 250}
# Successors of DEC (not in the paper), each on quick's pretraining (at most 250 passes over small
# data) so that a model costs minutes on a CPU; set finetune_iters to pretrain longer. With
# augmentation in the clustering stage the fraction of changed labels hovers near tol, hence the
# plateau rule (dec_patience).
_SUCCESSOR = {**PROFILES["quick"], "finetune_epochs": 250}
_DA = {"dec_augment": "affine", "dec_patience": 10}
PROFILES["dec-da"] = {**_SUCCESSOR, **_DA}  # DEC-DA: Q on augmented minibatches
# dec-da pretrained longer, sized so that a whole run on MNIST-test fits in 5 minutes on 2 CPU cores
# (README.md, "Profiles"); on small data the 250 passes bind first, as for dec-da.
PROFILES["dec-da-5k"] = {**PROFILES["dec-da"], "finetune_iters": 5_000}
# IDEC: mean squared error + gamma KL, gamma 0.1 (the library's reconstruction loss is half the mean
# squared error, hence weight 2), with the IDEC paper's learning rate 0.1: gamma * 0.1 gives the KL term
# the step of DEC's 0.01 (at 0.01 IDEC fell below DEC from the same network; benchmarks/README.md).
PROFILES["idec"] = {**_SUCCESSOR, "recon_weight": 2.0, "kl_weight": 0.1, "dec_lr": 0.1}
# ConvDEC-DA: ConvDEC's network with DEC-DA's clustering stage. Its authors train that stage with Adam
# (dec_optimizer="adam", dec_lr=1e-3); here that gave lower accuracy than the paper's SGD on the seeds
# measured (benchmarks/README.md), so the profile keeps SGD.
PROFILES["convdec-da"] = {**_SUCCESSOR, **_DA, "arch": "conv", "dims": (10,)}
# convdec-da pretrained as its authors do on MNIST-test: 500 passes over the data (20,000 iterations of
# 256 images there; the 20,000 cap binds first on larger data). Most of an hour a model on one CPU core.
# Its clustering stage stops on a plateau of 40 target updates instead of 10: its authors have no plateau
# rule (tol or 20,000 iterations), and with 10 a run stopped while its accuracy was still rising
# (benchmarks/README.md).
PROFILES["convdec-da-20k"] = {
    **PROFILES["convdec-da"],
    "finetune_iters": 20_000,
    "finetune_epochs": 500,
    "dec_patience": 40,
}
# convdec-da-20k with two clustering runs: from k-means on the clean embedding and on the embedding
# averaged over 4 augmented copies of each image, keeping the one that ends at the lower KL(P || Q).
# Twice the clustering stage's time; it spares the runs whose k-means start merges two digits
# (benchmarks/README.md).
PROFILES["convdec-da-20k-2starts"] = {**PROFILES["convdec-da-20k"], "kmeans_views": (0, 4)}
# convdec-da-20k-2starts sized to fit 20 minutes a run on mnist-test on 2 CPU cores (README.md,
# "Profiles"): 16,000 pretraining iterations, a plateau of 20 target updates, and bfloat16 forward
# passes, which are fast only on hardware with bfloat16 arithmetic (else set precision="fp32").
PROFILES["convdec-da-16k-2starts"] = {
    **PROFILES["convdec-da-20k-2starts"],
    "finetune_iters": 16_000,
    "dec_patience": 20,
    "precision": "bf16",
}
# The recipe of DEC's Keras port (XifengGuo/DEC-keras, run_exp.py) for MNIST and Fashion-MNIST:
# paper-e2e pretrained with SGD at learning rate 1 (momentum 0.9, constant) for 300 passes over the
# data (82,200 iterations of 256 images on 70,000: the cap) from weights uniform in +-1/sqrt(fan_in)
# and zero biases, on pixels in [0, 1]; then the paper's clustering stage, update interval 140, at
# most 20,000 iterations. Two differences remain: the port minimises the mean squared error, this
# library half of it, so learning rate 1 here makes the port's steps at 0.5 (ae_lr=2 would match the
# port: on Fashion-MNIST it lifted AE + k-means but not DEC, benchmarks/README.md); and the port's
# clustering stage walks the data in a fixed order (dec_order="fixed" does so; on Fashion-MNIST it
# changed DEC no more than the seed-to-seed noise, benchmarks/README.md, so the profile shuffles).
# On Fashion-MNIST its embedding clusters best of all the settings measured, in float32 (bfloat16
# ended lower on both seeds tried): README.md, "Profiles".
PROFILES["dec-keras"] = {
    **PROFILES["paper-e2e"],
    "init": "fan-in-uniform",
    "input_scaling": "none",
    "ae_lr": 1.0,
    "ae_lr_step": 0,
    "finetune_iters": 82_200,
    "finetune_epochs": 300,
    "update_interval": 140,
    "max_iter": 20_000,
}
# The estimator's and the CLI's default: dec-da-5k, chosen by measured accuracy within a time budget
# on a 2-core CPU (README.md, "Profiles"). Last, so that matching_profile names such a run "dec-da-5k".
PROFILES["default"] = dict(PROFILES["dec-da-5k"])


def matching_profile(config: dict, n_samples: int | None = None) -> str | None:
    """The first named profile whose settings are exactly ``config`` (a :meth:`Config.to_dict`, e.g.
    from a result record), or None. A field the record lacks was added to the library after it was
    written, so the run had that field's dataclass default (the behaviour before the field
    existed); ``finetune_epochs`` is the exception: the record's ``finetune_iters`` already says how
    long it pretrained. With ``n_samples``, each profile is resolved for that many samples
    (:meth:`Config.for_samples`) and ``finetune_epochs`` is not compared either. ``default`` is an
    alias of ``dec-da-5k`` and comes last, so a run of it is named ``dec-da-5k`` (or ``dec-da``
    on data small enough that both resolve to the same pretraining)."""
    if not config:
        return None
    given = {k: v for k, v in config.items() if k != "profile"}
    if n_samples is not None:
        given.pop("finetune_epochs", None)
    missing = {f.name: f.default for f in dataclasses.fields(Config) if f.name not in config}
    missing.pop("profile", None)
    missing.pop("finetune_epochs", None)
    given.update({k: list(v) if isinstance(v, tuple) else v for k, v in missing.items()})
    if not isinstance(given["kmeans_views"], list):  # one start, written as a number
        given["kmeans_views"] = [given["kmeans_views"]]
    for name in PROFILES:
        cfg = Config.from_profile(name)
        full = (cfg if n_samples is None else cfg.for_samples(n_samples)).to_dict()
        if all(full.get(k) == v for k, v in given.items()):
            return name
    return None
