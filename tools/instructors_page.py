"""Write the book's "For instructors" page: a 45-minute plan for each derivation chapter (01-06),
built from the executed chapters of this build. For every section of a chapter it gives the time
its cells took (papermill's per-cell durations), and says whether to run it live or before class.
Nothing on the page is typed: the times are this build's, on the machine that built it.

    python tools/instructors_page.py --out book/instructors.md
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DERIVATION = ("01", "02", "03", "04", "05", "06")
LIVE_S = 20.0  # a section whose cells take longer is run before class (the caches keep its result)
LECTURE_MIN = 45


def sections(nb: dict) -> tuple[str, list[tuple[str, float, int]]]:
    """The chapter's title and, per ``##`` section, (heading, seconds of its code cells, cells)."""
    title, out, current = "", [], ("Opening", 0.0, 0)
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for line in src.splitlines():
                if line.startswith("# ") and not title:
                    title = line[2:].strip()
                elif line.startswith("## "):
                    out.append(current)
                    current = (line[3:].strip(), 0.0, 0)
            continue
        tags = cell["metadata"].get("tags", [])
        if "injected-parameters" in tags:
            continue
        seconds = cell["metadata"].get("papermill", {}).get("duration") or 0.0
        current = (current[0], current[1] + seconds, current[2] + 1)
    out.append(current)
    return title, [s for s in out if s[2] or s[0] not in ("Opening",)]


def minutes_for(headings: list[str]) -> list[int]:
    """A suggested split of the lecture: 5 minutes to open, 3 for the summary, 10 for exercises,
    the rest shared equally by the chapter's sections."""
    fixed = {"Opening": 5, "Summary": 3, "Exercises": 10}
    rest = [h for h in headings if h not in fixed]
    share = (LECTURE_MIN - sum(fixed[h] for h in headings if h in fixed)) // max(1, len(rest))
    return [fixed.get(h, share) for h in headings]


def plan(folder: Path) -> list[str]:
    lines = [
        "# For instructors",
        "",
        f"Each derivation chapter fits a {LECTURE_MIN}-minute lecture. Open it in Jupyter with the",
        "`instructor` style (`-p style instructor`: larger type) and present it as slides with",
        "[RISE](https://rise.readthedocs.io) or `jupyterlab-rise`: every section starts a slide.",
        "Below, each section's cells are timed as they ran in the build of this book",
        f"({os.cpu_count()}-core machine, parameters on the {{doc}}`status` page). Sections under",
        f"{int(LIVE_S)} s run live; longer ones should be run before class, after which the",
        "library's caches make them instant (the chapters share one pretrained autoencoder).",
        "",
    ]
    for path in sorted(folder.glob("*.ipynb")):
        if path.name[:2] not in DERIVATION:
            continue
        nb = json.loads(path.read_text())
        title, secs = sections(nb)
        total = sum(s for _, s, _ in secs)
        lines += [f"## {title}", "", f"{{doc}}`chapters/{path.stem}`: {total:.0f} s of computation.", ""]
        lines += ["| section | suggested minutes | cells | seconds | in class |", "|---|---|---|---|---|"]
        for (heading, seconds, n), minutes in zip(secs, minutes_for([h for h, _, _ in secs]), strict=True):
            how = "run live" if seconds <= LIVE_S else "run before class, show the result"
            lines.append(f"| {heading.replace('|', '/')} | {minutes} | {n} | {seconds:.1f} | {how} |")
        live = sum(s for _, s, _ in secs if s <= LIVE_S)
        lines += [
            "",
            f"Live computation in class: {live:.0f} s of the {LECTURE_MIN} minutes; the rest is "
            "derivation at the board and the exercises at the end of the chapter.",
            "",
        ]
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chapters", default=str(ROOT / "book" / "chapters"), help="executed chapters")
    ap.add_argument("--out", default=str(ROOT / "book" / "instructors.md"))
    args = ap.parse_args(argv)
    folder = Path(args.chapters)
    if not any(folder.glob("*.ipynb")):
        print(f"error: no executed chapters in {folder}: run `make notebooks` first", file=sys.stderr)
        return 2
    Path(args.out).write_text("\n".join(plan(folder)) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
