"""MNIST (the paper's main dataset; also its 10,000-image test set) and Fashion-MNIST: IDX files
from the data directory (or, for Fashion-MNIST, Debian's ``dataset-fashion-mnist`` package), or a
torchvision download read back through the same checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import ENV_VAR, DataIntegrityError, DatasetNotFoundError
from .idx import read_idx

# SHA-256 of the *decompressed* IDX files (gzip bytes differ between mirrors; content doesn't).
SHA256 = {
    "mnist/train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "mnist/train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "mnist/t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "mnist/t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    "fashion-mnist/train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",  # noqa: E501 (a hash)
    "fashion-mnist/train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",  # noqa: E501 (a hash)
    "fashion-mnist/t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",  # noqa: E501 (a hash)
    "fashion-mnist/t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",  # noqa: E501 (a hash)
}


def _find(folders, stem: str) -> Path | None:
    for folder in folders:
        for name in (stem + ".gz", stem):
            p = Path(folder) / name
            if p.is_file():
                return p
    return None


def _idx_pair(family: str, split: str, folders) -> tuple[np.ndarray, np.ndarray, str] | None:
    prefix = "train" if split == "train" else "t10k"
    stems = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
    paths = [_find(folders, s) for s in stems]
    if None in paths:
        return None
    images = read_idx(paths[0], SHA256.get(f"{family}/{stems[0]}"))
    labels = read_idx(paths[1], SHA256.get(f"{family}/{stems[1]}"))
    n = 60_000 if split == "train" else 10_000
    if images.shape != (n, 28, 28) or labels.shape != (n,):
        raise DataIntegrityError(
            f"{family} {split} in {paths[0].parent}: expected {n} images of 28x28 and "
            f"{n} labels, found {images.shape} and {labels.shape}"
        )
    return images, labels, str(paths[0].parent)


def _torchvision_split(family: str, cls_name: str, root: Path, train: bool):
    """Download with torchvision (which checks each archive's MD5 and writes the raw files to
    <root>/<cls_name>/raw), then read those files through our own checks: the SHA-256 of the
    content, shapes and counts. A partial or corrupt download is therefore refused, never used."""
    import torchvision  # optional: pip install 'dec-book[download]'

    getattr(torchvision.datasets, cls_name)(root=str(root), train=train, download=True)
    got = _idx_pair(family, "train" if train else "test", [root / cls_name / "raw"])
    if got is None:
        raise DataIntegrityError(
            f"torchvision reported a complete download of {cls_name} but the raw IDX "
            f"files are not in {root / cls_name / 'raw'}; delete that folder and retry"
        )
    return got[0], got[1], f"torchvision:{root}"


def _mnist_like(family: str, tv_class: str, splits, data_dir: Path, download: bool, extra_folders=()):
    folders = [data_dir / family, data_dir / tv_class / "raw", *extra_folders]
    if family == "mnist":
        folders.insert(1, data_dir / "mnist-test")
    parts, sources = [], []
    for split in splits:
        got = _idx_pair(family, split, folders)
        if got is None and download:
            try:
                got = _torchvision_split(family, tv_class, data_dir, train=(split == "train"))
            except DataIntegrityError:
                raise
            except Exception as e:  # no torchvision, no network: many error types
                raise DatasetNotFoundError(_missing_message(family, splits, data_dir, folders, e)) from e
        if got is None:
            raise DatasetNotFoundError(_missing_message(family, splits, data_dir, folders))
        parts.append(got[:2])
        sources.append(got[2])
    X = np.concatenate([p[0] for p in parts]).reshape(-1, 784).astype(np.float32) / 255.0
    y = np.concatenate([p[1] for p in parts]).astype(np.int64)
    return X, y, (28, 28), ";".join(sorted(set(sources)))


def _missing_message(family, splits, data_dir, folders, error=None) -> str:
    prefixes = ["train" if s == "train" else "t10k" for s in splits]
    files = [f"{p}-{k}-idx{n}-ubyte.gz" for p in prefixes for k, n in (("images", 3), ("labels", 1))]
    msg = (
        f"dataset {family!r} not found offline. Put these files (.gz or uncompressed) in "
        f"{data_dir / family}: {', '.join(files)}; or point ${ENV_VAR} / --data-dir at a folder "
        f"holding a '{family}' subfolder with them. Looked in: {', '.join(map(str, folders))}."
    )
    if error is not None:
        msg += f" The download failed too: {type(error).__name__}: {error}"
    return msg


def load_mnist(data_dir, download):
    return _mnist_like("mnist", "MNIST", ("train", "test"), data_dir, download)


def load_mnist_test(data_dir, download):
    return _mnist_like("mnist", "MNIST", ("test",), data_dir, download)


def load_fashion_mnist(data_dir, download):
    return _mnist_like(
        "fashion-mnist",
        "FashionMNIST",
        ("train", "test"),
        data_dir,
        download,
        extra_folders=[Path("/usr/share/datasets/fashion-mnist")],
    )
