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


def markdown(path):
    return "\n".join(c.source for c in jupytext.read(path).cells if c.cell_type == "markdown")


EXERCISE = re.compile(r"^```\{exercise\} (Derive|Predict, then run|Extend): .+\n:label: (\S+)", re.M)
SOLUTION = re.compile(r"^```\{solution(?:-start)?\} (\S+)\n:class: dropdown", re.M)


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_anatomy(path):
    """Opening box, summary, and at least three exercises of at least two kinds, each with a
    solution hidden in a dropdown (chapter-anatomy: what every chapter of the book keeps)."""
    text = markdown(path)
    box = re.search(r"```\{admonition\} In this chapter\n(.*?)\n```", text, re.S)
    assert box, "an opening box titled 'In this chapter'"
    for part in (
        "**You will be able to**",
        "**Assumes**",
        "**Runs in** {glue:md}`run_time`",
        "**Data** {glue:md}`data_note`",
    ):
        assert part in box.group(1), f"the opening box says {part}"
    assert text.index("In this chapter") < text.index("## "), "the box opens the chapter"
    code = "\n".join(c.source for c in jupytext.read(path).cells if c.cell_type == "code")
    assert f'glue("run_time", run_time("{path.stem}"))' in code, "the run time is read from the ledger"
    assert re.search(r'glue\("data_note", data_note\(\w+\)\)', code), "the box names the data"
    assert re.search(r"^style = \"book\"", code, re.M) and "use_style(style)" in code

    summary = re.search(r"^## Summary\n(.*?)^## ", text, re.S | re.M)
    assert summary, "a Summary section before the Exercises"
    bullets = re.findall(r"^- ", summary.group(1), re.M)
    assert 3 <= len(bullets) <= 5, f"3-5 summary points, found {len(bullets)}"
    assert text.rstrip().endswith("```") and "## Exercises" in text

    exercises = EXERCISE.findall(text)
    labels = [label for _, label in exercises]
    assert len(exercises) >= 3, f"at least 3 exercises, found {len(exercises)}"
    assert len({kind for kind, _ in exercises}) >= 2, "exercises of at least two kinds"
    assert len(set(labels)) == len(labels), "labels are unique"
    assert all(label.startswith(f"ex-{path.stem[:2]}-") for label in labels), "labels name the chapter"
    assert sorted(SOLUTION.findall(text)) == sorted(labels), "one hidden solution per exercise"
    assert text.count("{solution-start}") == text.count("{solution-end}")


def test_exercises_in_the_book():
    kinds = [kind for path in CHAPTERS for kind, _ in EXERCISE.findall(markdown(path))]
    assert len(kinds) >= 40, f"at least 40 exercises in the book, found {len(kinds)}"
    assert {"Derive", "Predict, then run", "Extend"} <= set(kinds)


def test_student_copy_removes_every_solution(tmp_path, capsys):
    import nbformat
    from student_copy import PLACEHOLDER, main

    assert main(["--out", str(tmp_path)]) == 0
    removed_total = int(re.search(r"^(\d+) solutions removed", capsys.readouterr().out, re.M).group(1))
    for path in CHAPTERS:
        original = jupytext.read(path)
        student = nbformat.read(tmp_path / f"{path.stem}.ipynb", as_version=4)
        text = "\n".join(c.source for c in student.cells)
        assert "{solution" not in text, "no solution text left"
        solution_code = [c.source for c in original.cells if "solution" in tags(c)]
        assert solution_code and all(src not in text for src in solution_code)
        assert sum(c.source == PLACEHOLDER for c in student.cells) == len(solution_code)
        assert len(EXERCISE.findall(text)) == len(EXERCISE.findall(markdown(path))), "exercises kept"
        assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert removed_total >= 40
    assert main([str(tmp_path / "missing.md")]) == 2


@pytest.mark.parametrize("path", [p for p in CHAPTERS if p.stem[:2] <= "06"], ids=lambda p: p.stem)
def test_derivation_chapters_are_slides(path):
    """Every section of a derivation chapter starts a slide (RISE / jupyterlab-rise)."""
    heads = [c for c in jupytext.read(path).cells if c.cell_type == "markdown" and "\n## " in "\n" + c.source]
    assert heads and all(c.source.startswith("## ") for c in heads), "each section heading opens its cell"
    assert all(c.metadata.get("slideshow", {}).get("slide_type") == "slide" for c in heads)


def test_instructors_page_times_each_section(tmp_path):
    import nbformat
    from instructors_page import main

    nb = nbformat.v4.new_notebook()
    timed = [("## Fast", 1.5), ("## Slow", 95.0)]
    nb.cells.append(nbformat.v4.new_markdown_cell("# A derivation"))
    for heading, seconds in timed:
        nb.cells.append(nbformat.v4.new_markdown_cell(heading))
        nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"papermill": {"duration": seconds}}))
    nbformat.write(nb, tmp_path / "02-x.ipynb")
    nbformat.write(nb, tmp_path / "09-not-a-derivation.ipynb")
    out = tmp_path / "instructors.md"
    assert main(["--chapters", str(tmp_path), "--out", str(out)]) == 0
    text = out.read_text()
    assert "## A derivation" in text and text.count("## A derivation") == 1
    assert "| Fast | 22 | 1 | 1.5 | run live |" in text
    assert "| Slow | 22 | 1 | 95.0 | run before class, show the result |" in text
    assert main(["--chapters", str(tmp_path / "none"), "--out", str(out)]) == 2


def test_main_falls_back_to_digits_only_without_mnist(monkeypatch, capsys):
    import pick_dataset

    monkeypatch.setattr(dec, "load_dataset", lambda *a, **k: None)
    assert pick_dataset.pick("/data") == "mnist-test"

    def missing(*a, **k):
        raise FileNotFoundError("no IDX files and no network")

    monkeypatch.setattr(dec, "load_dataset", missing)
    assert pick_dataset.pick("/data") == "digits"
    assert "the paper's numbers need MNIST" in capsys.readouterr().err
