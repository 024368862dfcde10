"""Result records: one JSON file per run, with the provenance needed to trust it later."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import subprocess
from pathlib import Path


def git_commit(cwd=None) -> str | None:
    """The commit of the working tree (with '+dirty' when it has uncommitted changes), if any;
    where there is no git repository (a copy of the tree on another machine), ``$DEC_GIT_COMMIT``."""
    if os.environ.get("DEC_GIT_COMMIT"):
        return os.environ["DEC_GIT_COMMIT"]
    try:

        def run(*a):
            return subprocess.run(
                ["git", *a],
                cwd=cwd,
                capture_output=True,
                text=True,  # noqa: E731
                timeout=10,
                check=True,
            ).stdout.strip()

        commit = run("rev-parse", "HEAD")
        return commit + ("+dirty" if run("status", "--porcelain", "--untracked-files=no") else "")
    except (OSError, subprocess.SubprocessError):
        return None


def cpu_model() -> str | None:
    """The processor's name (Linux: ``model name`` in /proc/cpuinfo; elsewhere what ``platform``
    knows), so that records from two machines with the same number of cores can be told apart."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def provenance(device=None) -> dict:
    import numpy
    import scipy
    import sklearn
    import torch

    from ._version import __version__, code_fingerprint

    info = {
        "timestamp": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(Path(__file__).resolve().parent),
        "host": platform.node(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "torch_threads": torch.get_num_threads(),
        "device": str(device) if device is not None else None,
        "code_fingerprint": code_fingerprint(),
        "versions": {
            "dec": __version__,
            "python": platform.python_version(),
            "torch": torch.__version__,
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
            "cuda": torch.version.cuda,
        },
    }
    if device is not None and str(device).startswith("cuda"):
        info["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return info


def write_record(record: dict, path) -> Path:
    """Write ``record`` as JSON atomically (temp file + rename)."""
    from .store import atomic_write_text

    return atomic_write_text(json.dumps(record, indent=2, sort_keys=False, default=_jsonable) + "\n", path)


def file_stem(*parts) -> str:
    """``parts`` joined with "-", each run of characters that are unsafe in a file name made "_"."""
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", "-".join(str(p) for p in parts))


def record_name(record: dict, *suffix) -> str:
    """The file name of a run's benchmark record: dataset, profile, the overridden settings (so that
    variants of a profile do not overwrite each other), seed, then ``suffix`` (what else keeps two
    records apart: ``"pretrained"`` for a run on an earlier run's network, a process id) and the
    run's timestamp (so that a later run never replaces an earlier one, and recording the same run
    again does)."""
    settings = [f"{k}={v}" for k, v in sorted((record.get("overrides") or {}).items())]
    stamp = record["provenance"]["timestamp"].replace(":", "")
    parts = [record["dataset"], record["profile"], *settings, f"seed{record['seed']}", *suffix, stamp]
    return file_stem(*parts) + ".json"


def write_run(folder, experiment: str, key: dict, metrics: dict, device=None, **extra) -> Path:
    """One ledger record for one run: the ``experiment``, the ``key`` fields that identify the
    run (dataset, profile, method, setting, seed, ...), its ``metrics``, ``extra`` fields and the
    provenance. The file is named after experiment and key, so rerunning the same run replaces
    its record instead of adding a second one."""
    record = {"experiment": experiment, **key, "metrics": metrics, **extra, "provenance": provenance(device)}
    return write_record(record, Path(folder) / f"{file_stem(experiment, *key.values())}.json")


def read_records(*folders) -> list[dict]:
    """Every JSON record under the given folders (those that exist), in folder order. A chapter
    reads the committed ledger and its own run's folder together; :func:`latest_per_key` then
    keeps the newest record of each run."""
    return [
        json.loads(p.read_text())
        for folder in folders
        if Path(folder).is_dir()
        for p in sorted(Path(folder).glob("**/*.json"))
    ]


def _jsonable(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def latest_per_key(records: list[dict], key) -> list[dict]:
    """One record per ``key(record)``: the most recent (by provenance timestamp). Rerunning an
    experiment with the same settings replaces its earlier result instead of counting twice."""
    best = {}
    for rec in records:
        k = key(rec)
        if k not in best or rec["provenance"]["timestamp"] >= best[k]["provenance"]["timestamp"]:
            best[k] = rec
    return list(best.values())


def spread(values) -> dict:
    """mean, sd (n-1; 0 for one value), min, max and n of a list of numbers."""
    import statistics

    values = list(values)
    return {
        "mean": statistics.mean(values),
        "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }
