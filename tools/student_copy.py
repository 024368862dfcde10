"""Exercise versions of the chapters, without their solutions. A chapter's exercises are
``{exercise}`` directives (sphinx-exercise); each solution is either a ``{solution}`` directive
(worked on paper: one Markdown cell) or the cells between ``{solution-start}`` and
``{solution-end}`` (worked in code). In the copy, solution Markdown is dropped, solution code
becomes an empty exercise cell (tagged ``exercise``), and outputs are dropped. Code cells tagged
``solution`` elsewhere are emptied the same way. Reads the committed text form (notebooks/*.md),
writes .ipynb files.

    python tools/student_copy.py --out _build/student          # all chapters
    python tools/student_copy.py notebooks/02-soft-assignment.md --out handout/
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = (
    "# Exercise: write this cell yourself (the exercise above says what it must do),\n"
    "# then run the cells below: they check your version where the chapter can.\n"
)
OPENING = re.compile(r"^(`{3,}|:{3,})\{(solution|solution-start|solution-end)\}")


def _strip_markdown(source: str, gated: bool) -> tuple[str, bool, int]:
    """Drop the solution directives from a Markdown cell, and everything inside a gated solution.
    Returns the text left, whether a gated solution is still open, and how many solutions began."""
    kept, began, lines, i = [], 0, source.split("\n"), 0
    while i < len(lines):
        m = OPENING.match(lines[i])
        if m:  # a directive: skip it up to its closing fence
            fence, kind = m.group(1), m.group(2)
            i += 1
            while i < len(lines) and lines[i].strip() != fence:
                i += 1
            i += 1
            began += kind != "solution-end"
            gated = {"solution-start": True, "solution-end": False}.get(kind, gated)
            continue
        if not gated:
            kept.append(lines[i])
        i += 1
    return "\n".join(kept).strip("\n"), gated, began


def student_version(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``nb`` without solutions, and how many solutions were removed."""
    out = nbformat.from_dict(nb)
    cells, removed, gated = [], 0, False
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source, gated, began = _strip_markdown(cell.source, gated)
            removed += began
            if cell.source.strip():
                cells.append(cell)
            continue
        if cell.cell_type == "code" and (gated or "solution" in cell.metadata.get("tags", [])):
            removed += not gated
            cells.append(nbformat.v4.new_code_cell(PLACEHOLDER, metadata={"tags": ["exercise"]}))
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    if gated:
        raise ValueError("a {solution-start} without its {solution-end}")
    out.cells = cells
    return out, removed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", help="chapters in text form (default: notebooks/*.md)")
    ap.add_argument("--out", default=str(ROOT / "_build" / "student"))
    args = ap.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.md"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in paths:
        nb, removed = student_version(jupytext.read(path))
        nbformat.validate(nb)
        target = out_dir / f"{path.stem}.ipynb"
        nbformat.write(nb, target)
        print(f"{target}: {removed} solution(s) removed")
        total += removed
    print(f"{total} solutions removed from {len(paths)} chapter(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
