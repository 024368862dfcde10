"""Command line: ``python -m dec`` or ``dec``.

dec datasets                         which datasets exist and which are found offline
dec config --profile paper           print a profile's settings
dec train --dataset digits           pretrain + k-means + DEC, write a record and a model
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import sys
import time
from pathlib import Path

EPILOG = """\
examples:
  dec train                                   # default profile (dec-da-5k) on the built-in 'digits' data
  dec train --dataset mnist-test --data-dir ../shared/data --seed 1
  dec train --dataset mnist --profile paper --device cuda
  dec train --set update_interval=40 --set ae_lr=0.0005   # override any config field
  dec config --profile quick                  # list every field you can --set
  dec train --dataset mnist --resume          # continue after Ctrl-C or a killed job
  dec train --seed 1 --pretrained runs/digits-default-seed1/model.pt --set dec_patience=40
                                              # clustering again, no pretraining

The data directory holds the raw files in one folder per dataset, e.g.
<data-dir>/mnist-test/t10k-images-idx3-ubyte.gz (set it with --data-dir or $DEC_DATA_DIR).
"""


def parse_overrides(items) -> dict:
    """['update_interval=40', 'dims=500,500,2000,10'] -> {'update_interval': 40, 'dims': (500, ...)}."""
    from .config import Config

    fields = {f.name for f in dataclasses.fields(Config)}
    out = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--set expects FIELD=VALUE, got {item!r}")
        if key not in fields:
            raise ValueError(f"unknown config field {key!r}; run 'dec config' to list the fields")
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        out[key] = value
    return out


def _cmd_datasets(args):
    from .data import REGISTRY, DatasetNotFoundError, default_data_dir, load_dataset

    root = args.data_dir or default_data_dir()
    print(f"data directory: {root}")
    for name, (_, _, desc) in REGISTRY.items():
        try:
            ds = load_dataset(name, data_dir=args.data_dir, download=False)
            status = f"found: {len(ds.X)} samples ({ds.source})"
        except DatasetNotFoundError:
            status = "not found offline"
        except Exception as e:  # corrupt files: say so, but keep listing
            status = f"ERROR: {e}"
        print(f"  {name:<14} {desc}\n  {'':<14} -> {status}")


def _cmd_config(args):
    from .config import Config

    cfg = Config.from_profile(args.profile, **parse_overrides(args.overrides))
    print(json.dumps(cfg.to_dict(), indent=2))


def _pretrained(path: Path, out: Path):
    """Refuse, before anything is loaded, a ``--pretrained`` that could not do what the user meant:
    a missing file, or an output folder that would overwrite the run it comes from."""
    if not path.is_file():
        raise FileNotFoundError(
            f"--pretrained {path}: no such file (give the model.pt of a finished dec train run)"
        )
    if out.resolve() == path.parent.resolve():
        raise ValueError(
            f"--out {out} is the folder of {path}: writing there would overwrite the run it starts from; "
            "choose another --out"
        )


def _check_network(path: Path, pretrained, wanted, overrides: dict, profile: str):
    """The network is the saved one's: refuse a ``--set`` of a pretraining field to another value
    (it could not take effect), and say where the profile's pretraining differs from the network's."""
    from .config import Config

    differ = [n for n in Config.network_fields() if getattr(wanted, n) != getattr(pretrained.config_, n)]
    refused = [f"{n}={getattr(pretrained.config_, n)!r}" for n in differ if n in overrides]
    if refused:
        raise ValueError(
            f"{path} was pretrained with {', '.join(refused)}: --pretrained keeps its network, so --set "
            "cannot change those; drop them, or train without --pretrained"
        )
    if differ:
        print(
            f"note: {path} was pretrained with other settings than profile {profile}'s "
            f"({', '.join(differ)}); the record keeps the network's",
            file=sys.stderr,
        )


def _cmd_train(args):
    import torch

    from .data import load_dataset
    from .estimator import DEC
    from .results import file_stem, provenance, write_record
    from .store import state_digest

    overrides = parse_overrides(args.overrides)
    if args.threads:
        torch.set_num_threads(args.threads)
    tail = ""
    if args.pretrained:  # a run's folder stands for its model; the settings tried name the output
        if Path(args.pretrained).is_dir():
            args.pretrained = str(Path(args.pretrained) / "model.pt")
        tail = "-" + file_stem("pretrained", *(f"{k}={v}" for k, v in overrides.items()))
    out = Path(args.out or f"runs/{args.dataset}-{args.profile}-seed{args.seed}{tail}")
    if args.pretrained:  # before the data are loaded: a wrong path fails at once
        _pretrained(Path(args.pretrained), out)
    t = time.perf_counter()
    ds = load_dataset(args.dataset, data_dir=args.data_dir, download=not args.offline)
    load_s = time.perf_counter() - t
    k = args.n_clusters or ds.n_classes
    checkpoint = Path(args.checkpoint) if args.checkpoint else out / "checkpoint.pt"
    est = DEC(
        k,
        profile=args.profile,
        config=overrides or None,
        random_state=args.seed,
        device=args.device,
        image_shape=ds.image_shape,
        cache_dir=args.cache_dir,
        verbose=not args.quiet,
        checkpoint=checkpoint,
        checkpoint_every=args.checkpoint_every,
    )
    wanted = est.resolved_config(len(ds.X))  # fail on bad settings before any training
    if args.pretrained:
        try:
            pretrained = DEC.load(args.pretrained, device=args.device)
        except ValueError:
            raise
        except Exception as e:  # not a torch file at all, or truncated
            raise ValueError(f"--pretrained {args.pretrained}: not a model saved by dec ({e})") from e
        _check_network(Path(args.pretrained), pretrained, wanted, overrides, args.profile)
    print(f"{ds}\nprofile {args.profile}, seed {args.seed}, k={k}, device {est.device}")
    if args.resume:
        print(
            f"resuming from {checkpoint}"
            if checkpoint.is_file()
            else f"no checkpoint at {checkpoint} yet: starting from the beginning"
        )
    elif checkpoint.is_file():
        print(
            f"note: starting afresh; this overwrites the checkpoint of an earlier run at {checkpoint} "
            "(add --resume to continue that run instead)",
            file=sys.stderr,
        )
    t = time.perf_counter()
    try:
        if args.pretrained:
            est.fit_from(pretrained, ds.X, ds.y, resume=args.resume)
        else:
            est.fit(ds.X, ds.y, resume=args.resume)
    except KeyboardInterrupt:
        if checkpoint.is_file():
            print(
                f"\ninterrupted: checkpoint saved to {checkpoint}; continue with the same command "
                "plus --resume",
                file=sys.stderr,
            )
        raise
    total = time.perf_counter() - t
    m = est.evaluate(ds.y)
    record = {
        "experiment": "dec",
        "dataset": args.dataset,
        "n_samples": len(ds.X),
        "n_clusters": k,
        "profile": args.profile,
        "seed": args.seed,
        "overrides": overrides,
        "metrics": m,
        "times_s": {"load": load_s, **est.times_, "total": total},
        # iterations and wall seconds of each pretraining stage trained in this process
        "stage_times": {} if args.pretrained else est.pretrain_history_.get("stage_times", {}),
        "dec_iters": est.n_iter_,
        # one entry per clustering run (config kmeans_views); the one with the lowest final kl is kept
        "starts": est.starts_,
        "converged": est.converged_,
        "ae_cache_hit": est.ae_cache_hit_,
        "resumed": est.resumed_,  # then times_s covers only this process's part of the run
        # the network came from this earlier run (times_s then has no pretraining)
        "pretrained_from": str(args.pretrained) if args.pretrained else None,
        # SHA-256 of the pretrained network's weights: the same in the run that trained it and in
        # every --pretrained run on it, wherever their files lie
        "autoencoder_digest": state_digest(est.autoencoder_),
        "config": est.config_.to_dict(),
        "provenance": provenance(est.device_),
        "history": est.history_,
    }
    write_record(record, out / "record.json")
    est.save(out / "model.pt")
    print(
        f"DEC        acc {m['acc']:.4f}  nmi {m['nmi']:.4f}  ari {m['ari']:.4f}  "
        f"({est.n_iter_} iterations, converged={est.converged_})"
    )
    print(f"AE+k-means acc {m['kmeans_acc']:.4f}  nmi {m['kmeans_nmi']:.4f}  ari {m['kmeans_ari']:.4f}")
    print("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in record["times_s"].items()))
    print(f"wrote {out / 'record.json'} and {out / 'model.pt'}")


def build_parser():
    from .config import PROFILES
    from .data import REGISTRY

    p = argparse.ArgumentParser(
        prog="dec",
        description="Deep Embedded Clustering (Xie et al., 2016).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("datasets", help="list datasets and whether they are found offline")
    d.add_argument("--data-dir", help="folder with one subfolder per dataset (default $DEC_DATA_DIR)")
    d.set_defaults(func=_cmd_datasets)

    c = sub.add_parser("config", help="print the settings of a profile (every field can be --set)")
    c.add_argument("--profile", default="default", choices=sorted(PROFILES))
    c.add_argument("--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE")
    c.set_defaults(func=_cmd_config)

    t = sub.add_parser(
        "train",
        help="pretrain, initialise with k-means, run DEC, report metrics",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument(
        "--dataset",
        default="digits",
        choices=list(REGISTRY),
        help="which data to cluster (default: digits, built in)",
    )
    t.add_argument(
        "--profile",
        default="default",
        choices=sorted(PROFILES),
        help="default: the estimator's (= dec-da-5k: DEC with augmented minibatches); quick: the paper's "
        "clustering stage; paper: the paper's protocol (hours on a CPU); measured accuracy and "
        "time of each: README.md",
    )
    t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    t.add_argument("--n-clusters", type=int, default=None, help="k (default: number of classes)")
    t.add_argument("--device", default="auto", help="auto (GPU if present), cpu, cuda, cuda:N")
    t.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch CPU threads; use 1 per process when running several at once",
    )
    t.add_argument("--data-dir", default=None, help="folder with one subfolder per dataset ($DEC_DATA_DIR)")
    t.add_argument("--offline", action="store_true", help="never try to download")
    t.add_argument("--cache-dir", default=None, help="reuse pretrained autoencoders from this folder")
    t.add_argument(
        "--out",
        default=None,
        help="output folder (default runs/DATASET-PROFILE-seedN; with --pretrained, -pretrained and "
        "the --set values are added)",
    )
    t.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a config field, repeatable (see 'dec config')",
    )
    t.add_argument("--quiet", action="store_true", help="no progress bars")
    t.add_argument(
        "--checkpoint",
        default=None,
        help="checkpoint file (default OUT/checkpoint.pt), written every --checkpoint-every "
        "iterations, after each stage and on Ctrl-C",
    )
    t.add_argument(
        "--checkpoint-every",
        type=int,
        default=500,
        metavar="N",
        help="iterations between checkpoints (default 500)",
    )
    t.add_argument(
        "--pretrained",
        default=None,
        metavar="MODEL",
        help="skip pretraining: cluster again from the network of MODEL (a run's model.pt), e.g. with "
        "other clustering settings (--set dec_patience=80); the same --seed, device and --threads start "
        "k-means where that run's did (default --out runs/DATASET-PROFILE-seedN-pretrained[-FIELD=VALUE...])",
    )
    t.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run from its checkpoint (same settings required)",
    )
    t.set_defaults(func=_cmd_train)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (ValueError, FileNotFoundError) as e:  # bad input: a clear message, no traceback
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
