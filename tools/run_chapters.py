"""Convert the chapters (Jupytext MyST text) to .ipynb and execute them with papermill.

    python tools/run_chapters.py --jobs 2 -p dataset mnist-test -p data_dir ../shared/data

The first chapter runs alone with the free cores as threads (``dec.utils.choose_threads``: all
cores on an idle machine, fewer when other work keeps some busy; it pretrains the autoencoder that
the others load from the cache); the rest run ``--jobs`` at a time with one torch thread each (two
processes with two threads each on a 2-core machine run many times slower). The thread count is passed
as the ``threads`` parameter, so nbval re-executes with the same. Text -> ipynb only, never back.
Prints the wall time of every chapter and writes it as a record under ``--times-dir`` (``make
record`` files it in the ledger; each chapter's opening box reads it from there). The cell that
papermill injects with this run's parameters (local paths) is tagged ``remove-cell``, so the book
does not show it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(src: Path, out_dir: Path, params: list[tuple[str, str]], threads: int) -> tuple[str, float, str]:
    ipynb = ROOT / "_build" / "ipynb" / f"{src.stem}.ipynb"
    ipynb.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([BIN / "jupytext", "--quiet", "--to", "ipynb", "-o", ipynb, src], check=True)
    args = [BIN / "papermill", "--no-progress-bar", "--log-level", "WARNING", ipynb, out_dir / ipynb.name]
    for key, value in [*params, ("threads", str(threads))]:
        args += ["-p", key, value]
    t = time.perf_counter()
    r = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if r.returncode == 0:
        hide_injected_parameters(out_dir / ipynb.name)
    return src.stem, seconds, (r.stdout + r.stderr) if r.returncode else ""


def hide_injected_parameters(path: Path) -> None:
    """Tag papermill's injected-parameters cell ``remove-cell``: it shows the builder's local paths."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    nbformat.write(nb, path)


def time_record(chapter: str, seconds: float, params: dict, threads: int, jobs: int) -> dict:
    """The ledger's record of one chapter's measured run time, with the setting it ran at."""
    import torch

    from dec.results import provenance
    from dec.utils import resolve_device

    device = resolve_device(params.get("device", "auto"))
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else None
    return {
        "experiment": "chapter-time",
        "chapter": chapter,
        "params": {k: params[k] for k in ("profile", "dataset", "seed", "device") if k in params},
        "threads": threads,
        "jobs": jobs,
        "metrics": {"seconds": round(seconds, 1)},
        "machine": {"cpus": len(os.sched_getaffinity(0)), "gpu": gpu},
        # the chapter's own thread count, not this process's
        "provenance": {**provenance(device), "torch_threads": threads},
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "-p",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="papermill parameter, repeatable",
    )
    ap.add_argument("--jobs", type=int, default=2, help="chapters executed at once after the first")
    ap.add_argument("--out", default=str(ROOT / "book" / "chapters"))
    ap.add_argument(
        "--times-dir",
        default=str(ROOT / "_build" / "results" / "chapter-times"),
        help="where each chapter's measured run time is written (a record per chapter)",
    )
    ap.add_argument("chapters", nargs="*", help="default: notebooks/*.md")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chapters = [Path(c) for c in args.chapters] or sorted((ROOT / "notebooks").glob("*.md"))
    params = [tuple(p) for p in args.p if p[0] != "threads"]
    t0, failed = time.perf_counter(), []

    times_dir = Path(args.times_dir)

    def report(result, threads):
        name, seconds, log = result
        print(f"executed {name:<24} {seconds:6.1f} s{'  FAILED' if log else ''}", flush=True)
        if log:
            failed.append(name)
            print(log[-4000:], file=sys.stderr)
            return
        from dec.results import write_record

        jobs = 1 if name == chapters[0].stem else args.jobs
        write_record(time_record(name, seconds, dict(params), threads, jobs), times_dir / f"{name}.json")

    from dec.utils import choose_threads

    first = choose_threads()
    print(f"{chapters[0].stem}: {first} torch thread(s); then {args.jobs} at a time", flush=True)
    report(run(chapters[0], out, params, threads=first), first)
    threads = 1 if args.jobs > 1 else choose_threads()
    with ThreadPoolExecutor(args.jobs) as pool:
        for result in pool.map(lambda c: run(c, out, params, threads), chapters[1:]):
            report(result, threads)
    print(f"all chapters: {time.perf_counter() - t0:.1f} s ({dict(params)})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
