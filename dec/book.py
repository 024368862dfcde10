"""Helpers for the chapters only (the library never imports this module): the figure style,
the paper's own numbers to print beside ours, and the check of a chapter's parameters.

Nothing here runs at import time: call :func:`use_style` explicitly.
"""

from __future__ import annotations

import numpy as np

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def class_cmap(n: int = 10):
    """A colour map for up to 10 classes or clusters that stays distinguishable with common
    colour-vision deficiencies: matplotlib's ``tableau-colorblind10`` colours (Okabe-Ito has 8)."""
    import matplotlib.style
    from matplotlib.colors import ListedColormap

    colors = matplotlib.style.library["tableau-colorblind10"]["axes.prop_cycle"].by_key()["color"]
    if n > len(colors):
        raise ValueError(f"class_cmap has {len(colors)} distinguishable colours, {n} requested")
    return ListedColormap(colors[:n], name=f"colorblind{n}")


def use_style(preset: str = "book") -> None:
    """Apply the book's matplotlib style; ``preset="instructor"`` uses larger fonts for slides."""
    import matplotlib as mpl
    from cycler import cycler

    sizes = {"book": 10, "instructor": 15}
    if preset not in sizes:
        raise ValueError(f"unknown style preset {preset!r}; use one of {sorted(sizes)}")
    size = sizes[preset]
    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=PALETTE),
            "font.size": size,
            "axes.titlesize": size + 1,
            "axes.labelsize": size,
            "legend.fontsize": size - 1,
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "image.cmap": "gray_r",
        }
    )


def provenance(dataset: str, profile: str, seed) -> str:
    """The line every figure and table carries: which data, profile and seed produced it."""
    return f"dataset {dataset}, profile {profile}, seed {seed}"


def image_grid(ax, images: np.ndarray, image_shape, ncols: int, title: str | None = None):
    """Draw flattened images as one mosaic on ``ax`` (rows of ``ncols``)."""
    h, w = image_shape
    n = len(images)
    nrows = max(1, -(-n // ncols))
    canvas = np.ones((nrows * (h + 1) - 1, ncols * (w + 1) - 1)) * np.nan
    for i, img in enumerate(images):
        r, c = divmod(i, ncols)
        canvas[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = img.reshape(h, w)
    ax.imshow(canvas, cmap="gray_r", interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def save_figure(fig, name: str, folder) -> list:
    """Save ``fig`` as ``<folder>/<name>.png`` and ``.svg`` (named after the paper's figure,
    e.g. "figure3"); return the paths."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.{ext}" for ext in ("png", "svg")]
    for path in paths:
        fig.savefig(path, bbox_inches="tight")
    return paths


# --- the paper's numbers ----------------------------------------------------------------------
# Typed in once, here, from the paper (see ../shared/docs/paper-notes.md); every other number in
# the book is computed. ACC in %. ``None``: the paper has no such entry.
# Table 2: ACC (%) on pixels / raw features, best of 9 hyper-parameter settings per method.
TABLE2 = {
    "mnist": {"k-means": 53.49, "LDMGI": 84.09, "SEC": 80.37, "DEC w/o backprop": 79.82, "DEC": 84.30},
    "stl-hog": {"k-means": 28.39, "LDMGI": 33.08, "SEC": 30.75, "DEC w/o backprop": 34.06, "DEC": 35.90},
    "reuters-10k": {"k-means": 52.42, "LDMGI": 43.84, "SEC": 60.08, "DEC w/o backprop": 70.05, "DEC": 72.17},
}

# Table 3: methods on autoencoder features, ACC (%).
TABLE3 = {"mnist": {"AE + k-means": 81.84}, "reuters-10k": {"AE + k-means": 66.59}}

# Table 4: imbalanced MNIST, ACC (%) for r_min = 0.1, 0.3, 0.5, 0.7, 0.9.
TABLE4_RMIN = (0.1, 0.3, 0.5, 0.7, 0.9)
TABLE4 = {
    "k-means": (47.14, 49.93, 53.65, 54.16, 54.39),
    "AE + k-means": (66.82, 74.91, 77.93, 80.04, 81.31),
    "DEC": (70.10, 80.92, 82.68, 84.69, 85.41),
}


def paper_value(table: dict, dataset: str, method: str):
    """The paper's number for ``method`` on ``dataset`` (MNIST-test is compared with MNIST)."""
    key = {"mnist-test": "mnist"}.get(dataset, dataset)
    return table.get(key, {}).get(method)


def check_parameters(profile: str, dataset: str, seed, device: str = "auto", **positive_ints) -> None:
    """Validate the parameters of a notebook or script before any work starts.

    ``positive_ints`` are experiment knobs that must be integers >= 1 (e.g. ``n_seeds=3``).
    Raises ``ValueError`` naming the parameter, its value and what is accepted.
    """
    from .config import PROFILES
    from .data import REGISTRY
    from .utils import resolve_device

    if profile not in PROFILES:
        raise ValueError(f"parameter profile={profile!r} is invalid: choose one of {sorted(PROFILES)}")
    if dataset not in REGISTRY:
        raise ValueError(f"parameter dataset={dataset!r} is invalid: choose one of {sorted(REGISTRY)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"parameter seed={seed!r} is invalid: use an integer >= 0")
    resolve_device(device)
    for name, value in positive_ints.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"parameter {name}={value!r} is invalid: use an integer >= 1")


def cached(kind: str, compute, **parts):
    """``compute()``'s result, computed once per key and then read from the library's cache folder
    (``$DEC_CACHE_DIR``, :func:`dec.default_cache_dir`), as the estimator caches its stages: a
    chapter run again (nbval re-executes every chapter) reuses it. ``parts`` say what the result
    depends on (settings, digests of the inputs); the library's code fingerprint is added, so a
    result computed by other code is computed again. The result must be a dict of tensors, lists
    and numbers (it is stored with ``torch.save`` and read with ``weights_only=True``)."""
    from .data import default_cache_dir
    from .store import Cache

    entry = Cache(default_cache_dir()).entry(kind, **parts)
    result = entry.load()
    if result is None:
        result = compute()
        entry.save(result)
    return result


def cached_labels(kind: str, fit, **parts):
    """``fit()`` -> cluster labels (a baseline such as k-means on pixels), computed once per key
    as :func:`cached` does; returns the labels and the seconds the computation took when it ran
    (so a record written from a cached result keeps the real cost). ``parts`` must name the method
    and its settings as well as the data: the key knows nothing else about ``fit``."""
    import time

    import torch

    def compute():
        t = time.perf_counter()
        labels = np.asarray(fit())
        return {"labels": torch.as_tensor(labels), "seconds": time.perf_counter() - t}

    out = cached(kind, compute, **parts)
    return out["labels"].numpy(), out["seconds"]


def chapter_times_dir():
    """Where the book's ledger keeps the measured run time of each chapter (``results/chapter-times``
    of a source checkout; ``None`` for an installed package, which has no ledger)."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "results" / "chapter-times"
    return folder if folder.is_dir() else None


def run_time(chapter: str, folder=None) -> str:
    """One sentence for a chapter's opening box: how long the chapter took to execute when the
    book was last recorded (``tools/run_chapters.py`` measures it, ``make record`` files it), with
    the setting it ran at. Read from the ledger, never typed, so it cannot go stale silently."""
    import json
    from pathlib import Path

    folder = Path(folder) if folder is not None else chapter_times_dir()
    path = folder / f"{chapter}.json" if folder is not None else None
    if path is None or not path.is_file():
        return "not measured yet for this copy of the book (run the chapters, then `make record`)"
    rec = json.loads(path.read_text())
    seconds = rec["metrics"]["seconds"]
    took = f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"
    m, p = rec["machine"], rec["params"]
    where = f"an {m['gpu']} GPU" if m.get("gpu") else f"a {m['cpus']}-core CPU"
    return (
        f"{took} on {where} ({p['profile']} profile, {p['dataset']}, {rec['threads']} torch "
        f"thread(s), {rec['jobs']} chapter(s) at a time), as last recorded"
    )


def data_note(dataset: str) -> str:
    """The opening box's line on the data a chapter ran on; on the built-in ``digits`` it says that
    the paper's MNIST numbers need MNIST, so a reader of a digits build knows why columns are blank."""
    if dataset == "digits":
        return (
            "the built-in `digits` images (8 x 8 pixels), not MNIST: the columns with the paper's "
            "MNIST numbers stay blank, and the text's remarks about MNIST do not apply. Rerun with "
            "`-p dataset mnist-test` (or `mnist`) to compare with the paper."
        )
    return f"`{dataset}`."


def glue(name: str, value) -> None:
    """Make ``value`` available to the chapter's text as ``{glue:md}`name``` when the book is built
    (MyST-NB); a no-op where MyST-NB is not installed (Colab, a plain Jupyter)."""
    try:
        from myst_nb import glue as _glue
    except ImportError:
        return
    from IPython.display import Markdown

    _glue(name, Markdown(str(value)), display=False)


def benchmark_runs(folder, profiles) -> dict:
    """The ledger's run records of the named ``profiles`` -- one per run, from
    ``benchmarks/bench_mnist_test.py``, or a ``dec train`` run recorded with ``tools/record_run.py``
    (resumable, or clustering again from an earlier run's network) -- as {(profile, dataset,
    machine): {seed: record}}, sorted by the order of ``profiles``, then dataset and machine. A
    record's profile is the one its configuration matches (:func:`dec.config.matching_profile`); a
    later record of a seed replaces an earlier one. ``machine`` is the GPU's name, or "<cores>-core
    CPU (<model>), <n> thread(s)" (runs on different machines take different times, so the chapters
    keep them apart; records written before the CPU model was recorded say only "<cores>-core
    CPU"). Time a run with :func:`whole_run_seconds`, not its ``times_s``: those of a resumed
    ``dec train`` run cover only its last process."""
    from .config import matching_profile
    from .results import read_records

    profiles = list(profiles)
    runs: dict = {}
    records = [r for r in read_records(folder) if r.get("experiment") in ("benchmark", "dec")]
    for r in sorted(records, key=lambda r: r["provenance"]["timestamp"]):
        name = matching_profile(r.get("config", {}), r.get("n_samples"))
        if name in profiles:
            pv = r["provenance"]
            n = r.get("threads") or pv.get("torch_threads")
            model = (pv.get("cpu_model") or "").replace("(R)", "").replace("(TM)", "").strip()
            cpu = f"{pv.get('cpu_count')}-core CPU" + (f" ({model})" if model else "")
            machine = pv.get("gpu") or f"{cpu}, {n} thread{'s' * (n != 1)}"
            runs.setdefault((name, r["dataset"], machine), {})[r["seed"]] = r
    return dict(sorted(runs.items(), key=lambda kv: (profiles.index(kv[0][0]), kv[0][1:])))


def whole_run_seconds(record: dict) -> float | None:
    """The wall seconds of a benchmark record's whole pipeline, or None where its ``times_s`` do not
    cover it: a ``dec train`` run that was resumed (only its last process is timed), found its
    autoencoder in the cache, or clustered with an earlier run's network (``pretrained_from``)."""
    if record.get("resumed") or record.get("ae_cache_hit") or record.get("pretrained_from"):
        return None
    return record["times_s"]["total"]


def machine_with_most_seeds(runs: dict, profiles, dataset: str) -> str | None:
    """The machine of :func:`benchmark_runs` ``runs`` on which every one of ``profiles`` has runs on
    ``dataset``, with the most seeds for the profile that has fewest there (ties: the first machine
    in order); None if no machine has them all. Numbers from one machine compare; times from two
    machines do not."""
    profiles = list(profiles)
    machines = {m for (p, d, m) in runs if d == dataset and p == profiles[0]}
    shared = [m for m in sorted(machines) if all((p, dataset, m) in runs for p in profiles)]
    return max(shared, key=lambda m: min(len(runs[(p, dataset, m)]) for p in profiles), default=None)
