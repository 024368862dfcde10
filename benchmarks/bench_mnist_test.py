"""Benchmark: the DEC pipeline on a dataset (default: MNIST test set), per seed.

Prints ACC / NMI / ARI of DEC and of AE + k-means, the final pretraining loss (label-free), wall
time per phase, DEC iterations and peak RSS; writes one JSON record per seed (``--record-dir``,
default results/benchmarks), then mean / sd / min / max over the seeds. ``--flop-check`` first
times autoencoder epochs of the run's configuration against the floating-point bound measured on
this machine in the same run, with the page faults per step and the time the epoch's matrix
products take alone at their shapes and back to back (see ``flop_check``).
Run with the data directory pointing at the IDX files, e.g.

    DEC_DATA_DIR=../shared/data python benchmarks/bench_mnist_test.py --profile quick --seeds 0
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import sys
import time

import torch

from dec import DEC, load_dataset
from dec.cli import parse_overrides
from dec.config import Config
from dec.models import StackedAutoencoder
from dec.pretrain import fit_reconstruction
from dec.results import provenance, record_name, write_record
from dec.utils import choose_threads


def parse_seeds(text: str) -> list[int]:
    """'0-9' -> [0..9]; '0,3,5' -> [0, 3, 5]."""
    try:
        if "-" in text:
            a, b = (int(t) for t in text.split("-"))
            seeds = list(range(a, b + 1))
        else:
            seeds = [int(t) for t in text.split(",")]
    except ValueError:
        raise SystemExit(f"--seeds: expected a range like 0-9 or a list like 0,3,5; got {text!r}") from None
    if not seeds:
        raise SystemExit(f"--seeds {text!r} is an empty range")
    return seeds


def final_pretrain_loss(history: dict) -> float:
    """Mean reconstruction loss of the last logged pretraining iterations (end to end, else the
    last layer-wise pair): a label-free figure of how well the autoencoder trained."""
    stage = history.get("finetune") or [v for k, v in history.items() if k.startswith("layer")][-1]
    return float(stage[-1][1])


def stage_rates(stage_times: dict) -> str:
    """'layer1 812.3 (first step 0.1 s), ...': iterations per second of each pretraining stage trained
    in this process (``pretrain_history_["stage_times"]``), after its first step, whose seconds
    (they include compiling with ``compile``) are given apart."""
    return ", ".join(
        f"{name} {(t['iters'] - 1) / (t['seconds'] - t['first_s']):.1f} (first step {t['first_s']:.1f} s)"
        for name, t in stage_times.items()
        if t["iters"] > 1
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux: ru_maxrss in KiB), so in a run of
    several seeds the figure of a seed includes the seeds before it and the flop check."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_time_s(fn, repeats: int) -> float:
    """Shortest of ``repeats`` timed calls of ``fn``, after one untimed warm-up call."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def matmul_gflops(n=2048, repeats=5) -> float:
    """Best float32 matrix-multiply rate of this machine at the current thread count."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    return 2 * n**3 / best_time_s(lambda: a @ b, repeats) / 1e9


def ae_flops_per_sample(ae: StackedAutoencoder) -> int:
    """Multiply-adds of one forward + backward pass, counted per Linear layer (in x out):
    forward 2*in*out, weight gradient 2*in*out, input gradient 2*in*out (not for the first layer,
    whose input needs no gradient). Biases and activations are negligible."""
    layers = [m for m in ae.modules() if isinstance(m, torch.nn.Linear)]
    return (
        sum(6 * m.in_features * m.out_features for m in layers)
        - 2 * layers[0].in_features * layers[0].out_features
    )


def step_products(ae: StackedAutoencoder, batch_size: int) -> list:
    """The matrix products of one training step, in order (per Linear layer: forward, weight
    gradient and, but for the first layer, input gradient), as calls on random operands."""
    products = []
    for i, m in enumerate(m for m in ae.modules() if isinstance(m, torch.nn.Linear)):
        x, g = torch.randn(batch_size, m.in_features), torch.randn(batch_size, m.out_features)
        w, b = m.weight.detach(), m.bias.detach()
        products += [lambda x=x, w=w, b=b: torch.addmm(b, x, w.t()), lambda g=g, x=x: g.t() @ x]
        products += [lambda g=g, w=w: g @ w] if i else []
    return products


def products_alone_s(products: list, repeats=20) -> float:
    """The ``products`` of one step, each timed alone at its own shape (best of ``repeats``), summed:
    the time of a step that did nothing but its products, at the best speed the BLAS reaches at
    these shapes."""
    return sum(best_time_s(product, repeats) for product in products)


def products_in_sequence_s(products: list, n_steps: int, repeats=3) -> float:
    """The ``products`` of ``n_steps`` steps run back to back, as in an epoch but with nothing else
    (best of ``repeats``, like the epoch): the part of the bound's gap that no training loop can
    close; the epoch's time beyond it is the loop's (activations, loss, optimiser, gather)."""

    def steps():
        for _ in range(n_steps):
            for product in products:
                product()

    return best_time_s(steps, repeats)


def flop_check(X, cfg: Config | None = None, epochs=3):
    """Time plain autoencoder epochs over X with the library's own training loop and the run's
    configuration ``cfg`` (default: quick; its optimiser, batch size and ``compile``, but no
    augmentation and float32, the precision of the bound), on the CPU, and compare with the bound
    FLOPs / matmul rate. The first epoch (warm-up, and compilation with ``compile``) is not timed.
    Returns a dict of the figures."""
    cfg = dataclasses.replace(cfg or Config.from_profile("quick"), augment="none", precision="fp32")
    ae = StackedAutoencoder(X.shape[1], cfg.dims, cfg.init)
    X = X / X.pow(2).mean().sqrt()
    n_batches = len(X) // cfg.ae_batch_size
    gen = torch.Generator().manual_seed(0)

    def epoch():
        fit_reconstruction(ae, list(ae.parameters()), X, n_batches, cfg, gen, "epoch", verbose=False)

    epoch()  # warm-up
    gflops = matmul_gflops()
    times, faults = [], resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(epochs):
        t = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - t)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / (epochs * n_batches)
    batch_size = cfg.ae_batch_size
    gflops = max(gflops, matmul_gflops())  # the rate before and after the epochs: the higher, stricter bound
    flops = ae_flops_per_sample(ae) * n_batches * batch_size
    bound = flops / (gflops * 1e9)
    products = step_products(ae, batch_size)
    alone = products_alone_s(products) * n_batches
    sequence = products_in_sequence_s(products, n_batches)
    out = {
        "epoch_s": min(times),
        "epoch_s_all": times,
        "mflop_per_sample": ae_flops_per_sample(ae) / 1e6,
        "matmul_gflops": gflops,
        "bound_s": bound,
        "ratio": min(times) / bound,
        "products_alone_s": alone,
        "products_alone_ratio": alone / bound,
        "products_in_sequence_s": sequence,
        "products_in_sequence_ratio": sequence / bound,
        "samples_per_epoch": n_batches * batch_size,
        "threads": torch.get_num_threads(),
        "compile": cfg.compile,
        "page_faults_per_step": faults,
    }
    compiled = f", compile={cfg.compile}" if cfg.compile != "none" else ""
    print(
        f"autoencoder epoch ({out['samples_per_epoch']} samples{compiled}, "
        f"{out['mflop_per_sample']:.1f} MFLOP/sample fwd+bwd): {out['epoch_s']:.2f} s (best of {epochs}); "
        f"matmul {gflops:.1f} GFLOP/s -> bound "
        f"{bound:.2f} s; ratio {out['ratio']:.2f} (target <= 1.3); {faults:.0f} page faults per step; "
        f"the epoch's matrix products alone, each timed at its shape: {alone:.2f} s = "
        f"{alone / bound:.2f} x the "
        f"bound; all of them back to back: {sequence:.2f} s = {sequence / bound:.2f} x the bound",
        flush=True,
    )
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="mnist-test")
    ap.add_argument("--profile", default="default")
    ap.add_argument("--seeds", default="0", help="comma list or range a-b (inclusive), e.g. 0-9")
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE")
    ap.add_argument(
        "--threads",
        default="auto",
        help="torch CPU threads; 'auto' = the cores not busy right now, see dec.utils.choose_threads",
    )
    ap.add_argument("--device", default="auto")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--record-dir", default="results/benchmarks")
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument(
        "--flop-check", action="store_true", help="time autoencoder epochs vs. the FLOP bound first"
    )
    args = ap.parse_args(argv)
    if args.threads == "auto":
        threads = choose_threads()
    elif args.threads.isdigit() and int(args.threads) > 0:
        threads = int(args.threads)
    else:
        raise SystemExit(f"--threads: expected 'auto' or a positive integer, got {args.threads!r}")
    torch.set_num_threads(threads)
    seeds = parse_seeds(args.seeds)
    try:  # a bad profile or --set fails here, in one line, before the data is loaded
        overrides = parse_overrides(args.overrides)
        cfg = Config.from_profile(args.profile, **overrides)
    except ValueError as e:
        raise SystemExit(f"bench_mnist_test.py: {e}") from None
    t = time.perf_counter()
    ds = load_dataset(args.dataset, data_dir=args.data_dir, download=False)
    load_s = time.perf_counter() - t
    print(f"{ds}  (loaded in {load_s:.1f} s; torch threads {torch.get_num_threads()})", flush=True)
    flops = flop_check(torch.as_tensor(ds.X), cfg) if args.flop_check else None
    rows, phase_times = [], []
    for seed in seeds:
        t = time.perf_counter()
        est = DEC(
            ds.n_classes,
            profile=args.profile,
            config=overrides or None,
            random_state=seed,
            device=args.device,
            image_shape=ds.image_shape,
            verbose=args.progress,
        ).fit(ds.X, ds.y)
        total = time.perf_counter() - t
        m = est.evaluate(ds.y)
        rows.append(m)
        phase_times.append({**est.times_, "total": total})
        times = " ".join(f"{k} {v:.1f}s" for k, v in est.times_.items())
        ae_loss = final_pretrain_loss(est.pretrain_history_)
        rss = peak_rss_mib()
        print(
            f"seed {seed}: DEC acc {m['acc']:.4f} nmi {m['nmi']:.4f} ari {m['ari']:.4f} | "
            f"AE+k-means acc {m['kmeans_acc']:.4f} nmi {m['kmeans_nmi']:.4f} | AE loss {ae_loss:.5f} | "
            f"{times} total {total:.1f}s | DEC iters {est.n_iter_} converged {est.converged_} | "
            f"peak RSS {rss:.0f} MiB",
            flush=True,
        )
        if rates := stage_rates(est.pretrain_history_.get("stage_times", {})):
            print(f"seed {seed}: pretraining it/s per stage: {rates}", flush=True)
        if not args.no_record:
            rec = {
                "experiment": "benchmark",
                "dataset": args.dataset,
                "n_samples": len(ds.X),
                "profile": args.profile,
                "seed": seed,
                "overrides": overrides,
                "metrics": m,
                "times_s": {**est.times_, "total": total, "load": load_s},
                "stage_times": est.pretrain_history_.get("stage_times", {}),  # per pretraining stage
                "dec_iters": est.n_iter_,
                "converged": est.converged_,
                "starts": est.starts_,  # each clustering run (config kmeans_views); the lowest kl kept
                "pretrain_loss": ae_loss,
                "config": est.config_.to_dict(),
                "threads": torch.get_num_threads(),
                "flop_check": flops,
                "peak_rss_mib": rss,
                "provenance": provenance(est.device_),
                "history": est.history_,
            }
            # the process id in the name: two runs ending in the same second (parallel lanes) must
            # not overwrite each other's record
            write_record(rec, f"{args.record_dir}/{record_name(rec, os.getpid())}")
    for key in ("acc", "nmi", "ari", "kmeans_acc", "kmeans_nmi"):
        vals = [r[key] for r in rows]
        sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
        print(
            f"{key:>10}: mean {statistics.mean(vals):.4f} sd {sd:.4f} "
            f"min {min(vals):.4f} max {max(vals):.4f} "
            f"over seeds {seeds}"
        )
    for key in phase_times[0]:
        vals = [t[key] for t in phase_times]
        print(f"{key + ' s':>10}: mean {statistics.mean(vals):.1f} min {min(vals):.1f} max {max(vals):.1f}")
    print(f"peak RSS {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
