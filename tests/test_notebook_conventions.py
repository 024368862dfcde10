"""Conventions every chapter keeps (read from the committed text form, nothing executed):
a pinned install cell for Colab/Binder, a papermill parameters cell checked right after it,
and exercise/solution cells that the student-copy tool can strip."""

import re
import sys
from pathlib import Path

import pytest

import dec

jupytext = pytest.importorskip("jupytext")  # installed by `make install-book` (CI)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("*.md"))
sys.path.insert(0, str(ROOT / "tools"))


def tags(cell):
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_install_cell_pins_this_release_and_parameters_are_checked(path):
    cells = [c for c in jupytext.read(path).cells if c.cell_type == "code"]
    install = [c for c in cells if "install" in tags(c)]
    assert len(install) == 1
    src = install[0].source
    assert re.search(rf'DEC_BOOK_VERSION = "{re.escape(dec.__version__)}"', src), "pin the current version"
    assert "@v{DEC_BOOK_VERSION}" in src and "@main" not in src and "HEAD" not in src
    i = next(i for i, c in enumerate(cells) if "parameters" in tags(c))
    assert cells.index(install[0]) < i
    assert "check_parameters(" in cells[i + 1].source  # bad papermill values fail at once


def test_student_copy_removes_solutions_only(tmp_path):
    import nbformat
    from student_copy import PLACEHOLDER, main

    assert main(["--out", str(tmp_path)]) == 0
    solutions = 0
    for path in CHAPTERS:
        original = jupytext.read(path)
        student = nbformat.read(tmp_path / f"{path.stem}.ipynb", as_version=4)
        removed = [c.source for c in original.cells if "solution" in tags(c)]
        solutions += len(removed)
        assert len(student.cells) == len(original.cells)
        assert sum(c.source == PLACEHOLDER for c in student.cells) == len(removed)
        text = "\n".join(c.source for c in student.cells)
        assert all(src not in text for src in removed)
        assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert solutions >= 2  # chapters 2 and 3 have exercises
    assert main([str(tmp_path / "missing.md")]) == 2
