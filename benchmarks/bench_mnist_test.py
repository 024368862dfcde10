"""Benchmark: the DEC pipeline on a dataset (default: MNIST test set), per seed.

Prints ACC / NMI / ARI of DEC and of AE + k-means, wall time per phase, DEC iterations and
peak RSS; writes one JSON record per seed (``--record-dir``, default results/benchmarks).
Run with the data directory pointing at the IDX files, e.g.

    DEC_DATA_DIR=../shared/data python benchmarks/bench_mnist_test.py --profile quick --seeds 0
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

import torch

from dec import DEC, load_dataset
from dec.cli import parse_overrides
from dec.results import provenance, write_record


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="mnist-test")
    ap.add_argument("--profile", default="quick")
    ap.add_argument("--seeds", default="0", help="comma list or range a-b (inclusive), e.g. 0-9")
    ap.add_argument("--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--record-dir", default="results/benchmarks")
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--progress", action="store_true")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if "-" in args.seeds:
        a, b = map(int, args.seeds.split("-"))
        seeds = list(range(a, b + 1))
    else:
        seeds = [int(s) for s in args.seeds.split(",")]
    overrides = parse_overrides(args.overrides)
    t = time.perf_counter()
    ds = load_dataset(args.dataset, data_dir=args.data_dir, download=False)
    load_s = time.perf_counter() - t
    print(f"{ds}  (loaded in {load_s:.1f} s; torch threads {torch.get_num_threads()})", flush=True)
    rows = []
    for seed in seeds:
        t = time.perf_counter()
        est = DEC(ds.n_classes, profile=args.profile, config=overrides or None, random_state=seed,
                  device=args.device, image_shape=ds.image_shape, verbose=args.progress).fit(ds.X, ds.y)
        total = time.perf_counter() - t
        m = est.evaluate(ds.y)
        rows.append(m)
        times = " ".join(f"{k} {v:.1f}s" for k, v in est.times_.items())
        print(f"seed {seed}: DEC acc {m['acc']:.4f} nmi {m['nmi']:.4f} ari {m['ari']:.4f} | "
              f"AE+k-means acc {m['kmeans_acc']:.4f} nmi {m['kmeans_nmi']:.4f} | "
              f"{times} total {total:.1f}s | DEC iters {est.n_iter_} converged {est.converged_}", flush=True)
        if not args.no_record:
            rec = {"experiment": "benchmark", "dataset": args.dataset, "n_samples": len(ds.X),
                   "profile": args.profile, "seed": seed, "overrides": overrides, "metrics": m,
                   "times_s": {**est.times_, "total": total, "load": load_s}, "dec_iters": est.n_iter_,
                   "converged": est.converged_, "config": est.config_.to_dict(),
                   "provenance": provenance(est.device_), "history": est.history_}
            name = f"{args.dataset}-{args.profile}-seed{seed}-{rec['provenance']['timestamp']}.json"
            write_record(rec, f"{args.record_dir}/{name.replace(':', '')}")
    for key in ("acc", "nmi", "kmeans_acc"):
        vals = [r[key] for r in rows]
        sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
        print(f"{key:>10}: mean {statistics.mean(vals):.4f} sd {sd:.4f} min {min(vals):.4f} max {max(vals):.4f} "
              f"over seeds {seeds}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
