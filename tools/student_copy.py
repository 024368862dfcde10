"""Exercise versions of the chapters: every cell tagged ``solution`` is replaced by an empty
exercise cell (tagged ``exercise``); outputs are dropped. Reads the committed text form
(notebooks/*.md), writes .ipynb files.

    python tools/student_copy.py --out _build/student          # all chapters
    python tools/student_copy.py notebooks/02-soft-assignment.md --out handout/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = (
    "# Exercise: write this cell yourself (the text above says what it must do),\n"
    "# then run the cells below: they check your version against the library.\n"
)


def student_version(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``nb`` without solutions, and how many solution cells were removed."""
    out = nbformat.from_dict(nb)
    cells, removed = [], 0
    for cell in out.cells:
        if "solution" in cell.metadata.get("tags", []):
            removed += 1
            cells.append(nbformat.v4.new_code_cell(PLACEHOLDER, metadata={"tags": ["exercise"]}))
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
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
    for path in paths:
        nb, removed = student_version(jupytext.read(path))
        nbformat.validate(nb)
        target = out_dir / f"{path.stem}.ipynb"
        nbformat.write(nb, target)
        print(f"{target}: {removed} solution cell(s) removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
