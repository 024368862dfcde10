"""Record one finished ``dec train`` run (for example a model of the paper protocol made by
``benchmarks/paper_protocol.sh``) in the committed ledger: an explicit recording step, like
``tools/record_results.py`` for chapter runs.

The record gains, when asked, what the paper's Table 2 shows beside DEC for the same pretrained
network: DEC without backprop (``--wo-backprop``: the encoder frozen, only the centres move,
same seed; computed here from the run's ``model.pt``, or read from the run folder's
``wo_backprop.json`` where it was computed apart, e.g. with the older library a run used); and,
when the run folder has the CPU log of ``paper_protocol.sh`` (``cpu.log``), the CPU seconds per
stage (``benchmarks/stage_times.py``). ``--beside`` says in words what else ran on the machine (a
record's seconds mean little without it).

    python tools/record_run.py runs/mnist-test-paper-seed0 --wo-backprop \\
        --beside "paper-e2e on the other core" --dst results/benchmarks/cpu-intel
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def wo_backprop(run: Path, record: dict, data_dir) -> dict:
    """DEC without backprop on the run's pretrained network: k-means again (same seed), then DEC
    with ``update_encoder=False``; its metrics, iterations and seconds."""
    import dec

    ds = dec.load_dataset(record["dataset"], data_dir=data_dir, download=False)
    pretrained = dec.DEC.load(run / "model.pt", device="cpu")
    frozen = dec.DEC(
        record["n_clusters"],
        profile=record["profile"],
        config={**record["overrides"], "update_encoder": False},
        random_state=record["seed"],
        device="cpu",
        image_shape=ds.image_shape,
    )
    t = time.perf_counter()
    frozen.fit_from(pretrained, ds.X, ds.y)
    m = frozen.evaluate(ds.y)
    return {  # kmeans_acc: the k-means it started from, the run's own (same network and seed)
        "metrics": {k: m[k] for k in ("acc", "nmi", "ari", "kmeans_acc")},
        "dec_iters": frozen.n_iter_,
        "converged": frozen.converged_,
        "seconds": time.perf_counter() - t,
    }


def machine(record: dict) -> str:
    """The machine in words: the GPU's name, or this CPU's model (read here: record the run on the
    machine that made it), its cores and the run's torch threads."""
    prov = record["provenance"]
    if prov.get("gpu"):
        return prov["gpu"]
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").is_file() else []
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "CPU")
    threads = prov.get("torch_threads")
    return f"{model}, {prov.get('cpu_count')} cores, {threads} torch thread{'s' if threads != 1 else ''}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="the run's folder (dec train --out): record.json, model.pt, cpu.log")
    ap.add_argument("--dst", default=str(ROOT / "results" / "benchmarks"), help="ledger folder to write to")
    ap.add_argument("--wo-backprop", action="store_true", help="add DEC without backprop (Table 2)")
    ap.add_argument("--beside", default="", help="what else ran on the machine meanwhile, in words")
    ap.add_argument("--data-dir", default=None, help="data for --wo-backprop (default $DEC_DATA_DIR)")
    args = ap.parse_args(argv)
    run = Path(args.run)
    if not (run / "record.json").is_file():
        print(
            f"{run}/record.json not found: the run has not finished (rerun its command to resume)",
            file=sys.stderr,
        )
        return 1
    record = json.loads((run / "record.json").read_text())
    record["machine"] = machine(record)
    if args.beside:
        record["ran_beside"] = args.beside
    if (run / "cpu.log").is_file():
        import stage_times

        samples = stage_times.parse((run / "cpu.log").read_text().splitlines(), record["profile"])
        record["stage_cpu"] = stage_times.stage_times(samples)
    if args.wo_backprop and (run / "wo_backprop.json").is_file():  # computed apart (an older run)
        record["dec_wo_backprop"] = json.loads((run / "wo_backprop.json").read_text())
    elif args.wo_backprop:
        record["dec_wo_backprop"] = wo_backprop(run, record, args.data_dir)
        print(f"DEC w/o backprop: ACC {record['dec_wo_backprop']['metrics']['acc']:.4f}")
    from dec.results import record_name, write_record

    name = record_name(record, *(["pretrained"] if record.get("pretrained_from") else []))
    target = write_record(record, Path(args.dst) / name)
    m = record["metrics"]
    print(f"wrote {target}: DEC ACC {m['acc']:.4f}, AE + k-means {m['kmeans_acc']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
