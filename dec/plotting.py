"""Figure helpers. Nothing here runs at import time: call :func:`use_style` explicitly."""

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
    mpl.rcParams.update({"axes.prop_cycle": cycler(color=PALETTE), "font.size": size,
                         "axes.titlesize": size + 1, "axes.labelsize": size, "legend.fontsize": size - 1,
                         "figure.dpi": 100, "savefig.dpi": 150, "axes.spines.top": False,
                         "axes.spines.right": False, "image.cmap": "gray_r"})


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
        canvas[r * (h + 1): r * (h + 1) + h, c * (w + 1): c * (w + 1) + w] = img.reshape(h, w)
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
