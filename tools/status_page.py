"""Write the book's status page (as QuantEcon's): how each chapter was executed, with what,
and the provenance of every record in the results ledger.

Sources, never typed in by hand: papermill's metadata in the executed chapters
(book/chapters/*.ipynb: start time, duration, parameters), the environment that runs this script
(the same one `make book` executed the chapters in), and results/**/*.json.

    python tools/status_page.py --out book/status.md
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def chapter_rows(folder: Path) -> list[str]:
    import torch

    from dec.utils import resolve_device

    rows = []
    for nb_path in sorted(folder.glob("*.ipynb")):
        meta = json.loads(nb_path.read_text())["metadata"].get("papermill", {})
        params = meta.get("parameters", {})
        device = params.get("device", "auto")
        try:
            resolved = str(resolve_device(device))
        except ValueError:
            resolved = f"{device} (not available here)"
        threads = params.get("threads") or torch.get_num_threads()
        status = "failed" if meta.get("exception") else "ok"
        duration = meta.get("duration")
        rows.append(
            f"| {nb_path.stem} | {status} | {duration:.0f} s | {(meta.get('start_time') or '')[:19]} | "
            f"{params.get('dataset', '?')} | {params.get('profile', '?')} | {params.get('seed', '?')} | "
            f"{resolved} | {threads} |"
            if duration is not None
            else f"| {nb_path.stem} | not executed by papermill | | | | | | | |"
        )
    return rows


def environment() -> list[str]:
    import matplotlib
    import numpy
    import scipy
    import sklearn
    import torch

    import dec
    from dec.results import git_commit

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return [
        f"- dec {dec.__version__}, commit `{git_commit(ROOT)}`",
        f"- Python {sys.version.split()[0]}, torch {torch.__version__} (built for CUDA {torch.version.cuda}; "
        f"GPU available: {gpu}), numpy {numpy.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, matplotlib {matplotlib.__version__}",
        f"- CPU cores {__import__('os').cpu_count()}, torch threads by default {torch.get_num_threads()}",
    ]


def ledger_rows(folder: Path) -> tuple[list[str], list[str]]:
    groups, files = defaultdict(list), []
    for path in sorted(folder.glob("**/*.json")):
        rec = json.loads(path.read_text())
        prov, m = rec.get("provenance", {}), rec.get("metrics", {})
        setting = {k: rec[k] for k in ("features", "update_interval", "r_min", "k", "max_iter") if k in rec}
        key = (
            rec.get("experiment"),
            rec.get("dataset"),
            rec.get("profile"),
            rec.get("method") or "DEC",
            ", ".join(f"{k} {v}" for k, v in {**setting, **(rec.get("overrides") or {})}.items()),
            (prov.get("git_commit") or "?")[:7],
            f"{prov.get('device')}, {prov.get('torch_threads')} thr.",
        )
        if "metrics" in rec and "seed" in rec:  # (step-time measurements are listed, not grouped)
            groups[key].append(rec)
        versions = prov.get("versions", {})
        files.append(
            f"| `{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}` | {rec.get('seed')} | "
            f"{m.get('acc', float('nan')):.4f} | "
            f"`{(prov.get('git_commit') or '?')[:12]}` | {prov.get('timestamp', '?')} | "
            f"{prov.get('device')}{' (' + prov['gpu'] + ')' if prov.get('gpu') else ''}, "
            f"{prov.get('torch_threads')} threads | torch {versions.get('torch')}, "
            f"scikit-learn {versions.get('scikit-learn')} |"
        )
    summary = []
    for (exp, ds, profile, method, setting, commit, device), recs in sorted(
        groups.items(), key=lambda kv: [str(k) for k in kv[0]]
    ):
        accs = [r["metrics"]["acc"] for r in recs if "acc" in r.get("metrics", {})]
        spread = (
            f"{statistics.mean(accs):.4f} ± {statistics.stdev(accs):.4f} [{min(accs):.4f}, {max(accs):.4f}]"
            if len(accs) > 1
            else f"{accs[0]:.4f}"
            if accs
            else ""
        )
        summary.append(
            f"| {exp} | {ds} | {profile} | {method} | {setting} | `{commit}` | "
            f"{device} | {sorted(r['seed'] for r in recs)} | {spread} |"
        )
    return summary, files


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chapters", default=str(ROOT / "book" / "chapters"))
    ap.add_argument("--results", default=str(ROOT / "results"))
    ap.add_argument("--out", default=str(ROOT / "book" / "status.md"))
    args = ap.parse_args(argv)
    chapters = chapter_rows(Path(args.chapters))
    summary, files = ledger_rows(Path(args.results))
    text = "\n".join(
        [
            "# Status of this build",
            "",
            "Generated by `tools/status_page.py` when the book was built; nothing on this page is typed "
            "in by hand.",
            "",
            "## Chapters",
            "",
            "How each chapter was executed (papermill, before the book was built). Device as resolved on "
            "the machine that built the book.",
            "",
            "| chapter | status | time | started (UTC) | dataset | profile | seed | device | torch threads |",
            "|---|---|---|---|---|---|---|---|---|",
            *(chapters or ["| (no executed chapters found) | | | | | | | | |"]),
            "",
            "## Environment",
            "",
            *environment(),
            "",
            "## Results ledger",
            "",
            "Records committed under `results/` (one JSON file per run), grouped by experiment, method "
            "and setting. ACC is the method's clustering accuracy; mean ± sd [min, max] over the seeds "
            "listed.",
            "",
            "| experiment | dataset | profile | method | setting | commit | device | seeds | ACC |",
            "|---|---|---|---|---|---|---|---|---|",
            *(summary or ["| (no records) | | | | | | | | |"]),
            "",
            "Provenance of each record:",
            "",
            "| file | seed | ACC | commit | time | device | versions |",
            "|---|---|---|---|---|---|---|",
            *(files or ["| (no records) | | | | | | |"]),
            "",
        ]
    )
    Path(args.out).write_text(text)
    print(f"wrote {args.out}: {len(chapters)} chapters, {len(files)} ledger records")


if __name__ == "__main__":
    main()
