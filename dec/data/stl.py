"""STL-10 as the paper uses it: HOG + colour-map features of its 13,000 labelled images, from the
binary release (or a torchvision download). It does not ship offline here."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..store import atomic_write
from .common import DataIntegrityError, files_or_download


def stl_features(images: np.ndarray) -> np.ndarray:
    """The paper's STL-10 input: HOG of the grey image concatenated with an 8x8 colour map.

    ``images``: (n, 96, 96, 3) uint8. HOG (scikit-image): 9 orientations, 16x16-pixel cells,
    2x2-cell blocks, L2-Hys -- the paper does not give its HOG settings, these are ours -- 900
    values; the colour map is the mean colour of each 12x12 block, 192 values. All in [0, 1].
    """
    try:
        from skimage.color import rgb2gray
        from skimage.feature import hog
    except ImportError as e:
        raise ImportError(
            "the STL-10 HOG features need scikit-image: pip install 'dec-book[features]'"
        ) from e
    n = len(images)
    colour = images.reshape(n, 8, 12, 8, 12, 3).mean(axis=(2, 4)).reshape(n, -1) / 255.0
    grads = [
        hog(
            rgb2gray(img),
            orientations=9,
            pixels_per_cell=(16, 16),
            cells_per_block=(2, 2),
            block_norm="L2-Hys",
        )
        for img in images
    ]
    return np.concatenate([np.stack(grads), colour], axis=1).astype(np.float32)


def _read_stl_split(folder: Path, split: str):
    xs, ys = folder / f"{split}_X.bin", folder / f"{split}_y.bin"
    raw = np.fromfile(xs, dtype=np.uint8)
    if raw.size % (3 * 96 * 96):
        raise DataIntegrityError(
            f"{xs}: size {raw.size} is not a whole number of 3x96x96 images; replace the file"
        )
    images = raw.reshape(-1, 3, 96, 96).transpose(0, 3, 2, 1)  # stored channel-major, column-major
    labels = np.fromfile(ys, dtype=np.uint8).astype(np.int64) - 1  # published as 1..10
    if len(labels) != len(images):
        raise DataIntegrityError(f"{folder}: {len(images)} images but {len(labels)} labels in {split}")
    return images, labels


def load_stl_hog(data_dir, download):
    """STL-10's 13,000 labelled images (train + test) as HOG + colour-map features; the features
    are computed once and kept next to the binaries (``stl-hog-features.npz``)."""
    root = data_dir / "stl10"
    folder = root / "stl10_binary"  # torchvision's layout
    names = [f"{s}_{k}.bin" for s in ("train", "test") for k in ("X", "y")]

    def fetch():
        import torchvision

        torchvision.datasets.STL10(root=str(root), split="train", download=True)

    files_or_download(
        "stl-hog", folder, names, "the STL-10 binary release, stl10_binary.tar.gz", fetch, download
    )
    cache = folder / "stl-hog-features.npz"
    if cache.is_file():
        with np.load(cache) as f:
            return f["X"], f["y"], None, str(cache)
    parts = [_read_stl_split(folder, s) for s in ("train", "test")]
    X = stl_features(np.concatenate([p[0] for p in parts]))
    y = np.concatenate([p[1] for p in parts])
    atomic_write(cache, lambda f: np.savez(f, X=X, y=y))
    return X, y, None, str(folder)
