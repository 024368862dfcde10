"""Datasets: a small registry, an IDX reader, an offline data directory, checked contents.

``load_dataset(name)`` returns a :class:`Dataset` with ``X`` as float32 in [0, 1] (one row per
sample) and integer labels ``y``. Sources are tried in order:

1. the data directory: argument ``data_dir``, else ``$DEC_DATA_DIR``, else ``~/.cache/dec-book/data``
   (files as published, ``.gz`` or uncompressed, in ``<data_dir>/<name>/``);
2. system-wide copies (Debian's ``dataset-fashion-mnist`` in /usr/share/datasets/fashion-mnist);
3. a torchvision download into the data directory, when ``download=True`` and the network allows.

What is read is validated (magic numbers, shapes, label range, sample counts) and, where the
published content is known, checked against the SHA-256 of the decompressed file.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_VAR = "DEC_DATA_DIR"

# SHA-256 of the *decompressed* IDX files (gzip bytes differ between mirrors; content doesn't).
SHA256 = {
    "mnist/train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "mnist/train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "mnist/t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "mnist/t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    "fashion-mnist/train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "fashion-mnist/train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "fashion-mnist/t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "fashion-mnist/t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


class DatasetNotFoundError(FileNotFoundError):
    """The dataset is neither in the data directory nor downloadable here."""


class DataIntegrityError(ValueError):
    """A data file was found but its content is not what it should be."""


@dataclass
class Dataset:
    name: str
    X: np.ndarray  # (n, d) float32 in [0, 1]
    y: np.ndarray  # (n,) int64
    image_shape: tuple | None  # e.g. (28, 28), for plotting and augmentation; None: not images
    source: str  # where it was read from

    @property
    def n_classes(self) -> int:
        return int(len(np.unique(self.y)))

    def require_images(self, what: str) -> None:
        """Raise a clear error when ``what`` (e.g. "Figure 3") needs images and this dataset has
        feature vectors (REUTERS, STL-10 HOG)."""
        if self.image_shape is None:
            raise ValueError(f"{what} shows images, and dataset {self.name!r} holds feature vectors; "
                             f"use an image dataset ({', '.join(n for n in REGISTRY if n not in ('reuters-10k', 'stl-hog'))})")

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, n={len(self.X)}, d={self.X.shape[1]}, "
                f"classes={self.n_classes}, image_shape={self.image_shape}, source={self.source!r})")


def default_data_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or Path.home() / ".cache" / "dec-book" / "data")


def default_cache_dir() -> Path:
    """Where pretrained autoencoders are cached: ``$DEC_CACHE_DIR`` or ~/.cache/dec-book/models."""
    return Path(os.environ.get("DEC_CACHE_DIR") or Path.home() / ".cache" / "dec-book" / "models")


# --------------------------------------------------------------------------------------------
# IDX reader (the MNIST file format): big-endian magic (0, 0, dtype code, ndim), then ndim
# big-endian uint32 sizes, then the data.
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError) as e:  # gzip raises these on truncated or corrupt files
        raise DataIntegrityError(f"cannot read {path}: {e}. The file is corrupt or truncated; "
                                 "delete it and copy or download it again.") from e


def parse_idx(raw: bytes, where: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an IDX file into a numpy array."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DataIntegrityError(f"{where} is not an IDX file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise DataIntegrityError(f"{where} holds {len(raw)} bytes but its header {shape} needs "
                                 f"{expected}: the file is truncated or corrupt; replace it.")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def read_idx(path, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (``.gz`` or not); check the decompressed content's SHA-256 if given."""
    path = Path(path)
    raw = _read_bytes(path)
    if sha256 is not None:
        got = hashlib.sha256(raw).hexdigest()
        if got != sha256:
            raise DataIntegrityError(f"checksum mismatch for {path}: SHA-256 of the content is {got}, "
                                     f"expected {sha256}. The file is corrupt or not the published "
                                     "one; delete it and copy or download it again.")
    return parse_idx(raw, str(path))


# --------------------------------------------------------------------------------------------
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
        raise DataIntegrityError(f"{family} {split} in {paths[0].parent}: expected {n} images of 28x28 and "
                                 f"{n} labels, found {images.shape} and {labels.shape}")
    return images, labels, str(paths[0].parent)


def _torchvision_split(family: str, cls_name: str, root: Path, train: bool):
    """Download with torchvision (which checks each archive's MD5 and writes the raw files to
    <root>/<cls_name>/raw), then read those files through our own checks: the SHA-256 of the
    content, shapes and counts. A partial or corrupt download is therefore refused, never used."""
    import torchvision  # optional: pip install 'dec-book[download]'

    getattr(torchvision.datasets, cls_name)(root=str(root), train=train, download=True)
    got = _idx_pair(family, "train" if train else "test", [root / cls_name / "raw"])
    if got is None:
        raise DataIntegrityError(f"torchvision reported a complete download of {cls_name} but the raw IDX "
                                 f"files are not in {root / cls_name / 'raw'}; delete that folder and retry")
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
    msg = (f"dataset {family!r} not found offline. Put these files (.gz or uncompressed) in "
           f"{data_dir / family}: {', '.join(files)}; or point ${ENV_VAR} / --data-dir at a folder "
           f"holding a '{family}' subfolder with them. Looked in: {', '.join(map(str, folders))}.")
    if error is not None:
        msg += f" The download failed too: {type(error).__name__}: {error}"
    return msg


def _load_digits(data_dir, download):
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data / 16.0).astype(np.float32), d.target.astype(np.int64), (8, 8), "scikit-learn load_digits"


def _load_mnist(data_dir, download):
    return _mnist_like("mnist", "MNIST", ("train", "test"), data_dir, download)


def _load_mnist_test(data_dir, download):
    return _mnist_like("mnist", "MNIST", ("test",), data_dir, download)


def _load_fashion(data_dir, download):
    return _mnist_like("fashion-mnist", "FashionMNIST", ("train", "test"), data_dir, download,
                       extra_folders=[Path("/usr/share/datasets/fashion-mnist")])


def _files_or_download(name, folder: Path, names, what: str, fetch, download: bool) -> None:
    """Make sure the files ``names`` are in ``folder``: fetched with ``fetch()`` (torchvision)
    when missing and ``download`` allows it; otherwise an error says which files to put where."""
    def missing():
        return not all((folder / n).is_file() for n in names)

    hint = f"dataset {name!r} not found offline: put {', '.join(names)} ({what}) in {folder}"
    if download and missing():
        try:
            fetch()
        except Exception as e:  # no torchvision, no network: many error types
            raise DatasetNotFoundError(f"{hint}. The download failed too: {type(e).__name__}: {e}") from e
    if missing():
        raise DatasetNotFoundError(f"{hint}, or set ${ENV_VAR}.")


def _load_usps(data_dir, download):
    """USPS, 9,298 16x16 digits, from the libsvm files ``usps.bz2`` and ``usps.t.bz2``."""
    from sklearn.datasets import load_svmlight_file

    folder = data_dir / "usps"
    names = ("usps.bz2", "usps.t.bz2")

    def fetch():
        import torchvision

        for train in (True, False):
            torchvision.datasets.USPS(root=str(folder), train=train, download=True)

    _files_or_download("usps", folder, names, "libsvm format, as published", fetch, download)
    Xs, ys = [], []
    for n in names:
        try:
            with bz2.open(folder / n) as f:
                Xi, yi = load_svmlight_file(f, n_features=256)
        except (OSError, EOFError, ValueError) as e:
            raise DataIntegrityError(f"cannot read {folder / n}: {e}; replace the file.") from e
        Xs.append(Xi.toarray())
        ys.append(yi)
    X = (np.concatenate(Xs).astype(np.float32) + 1.0) / 2.0  # published in [-1, 1]
    y = np.concatenate(ys).astype(np.int64) - 1  # published as 1..10
    if X.shape != (9298, 256):
        raise DataIntegrityError(f"usps in {folder}: expected 9298 x 256, found {X.shape}")
    return X, y, (16, 16), str(folder)


# --------------------------------------------------------------------------------------------
# The paper's two non-image datasets. Neither ships offline here; the loaders read what a user has.
REUTERS_ROOTS = ("CCAT", "GCAT", "MCAT", "ECAT")


def reuters_from_rcv1(data, target, target_names, n_terms=2000, n_docs=10_000, seed=1234):
    """REUTERS as in the paper (section 4.1), from RCV1-v2 as scikit-learn's ``fetch_rcv1`` gives it.

    Keep the documents labelled with exactly one of the four root categories CCAT, GCAT, MCAT,
    ECAT (label = which one); keep the ``n_terms`` terms with the highest document frequency
    among them; draw ``n_docs`` documents with a permutation seeded by ``seed`` (the authors' code:
    1234, first 10,000; ``n_docs=None`` keeps all); rows l2-normalised. Differences from the
    paper: RCV1-v2's vectors are log-tf-idf over the full vocabulary (Lewis et al., 2004), so the
    idf weights come from all terms, and the paper's extra factor sqrt(2000) is left to the
    estimator's input scaling (which removes any global factor).
    """
    names = list(target_names)
    missing = [r for r in REUTERS_ROOTS if r not in names]
    if missing:
        raise DataIntegrityError(f"RCV1 topics lack the root categories {missing}")
    roots = target[:, [names.index(r) for r in REUTERS_ROOTS]]
    roots = roots.toarray() if hasattr(roots, "toarray") else np.asarray(roots)
    single = np.flatnonzero(roots.sum(axis=1) == 1)
    docs, labels = data[single], roots[single].argmax(axis=1)
    df = np.asarray((docs > 0).sum(axis=0)).ravel()
    terms = np.sort(np.argsort(-df, kind="stable")[:n_terms])
    order = np.random.RandomState(seed).permutation(len(single))
    keep = order if n_docs is None else order[:n_docs]
    X = docs[keep][:, terms]
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    X = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
    return X.astype(np.float32), labels[keep].astype(np.int64)


def _load_reuters_10k(data_dir, download):
    """REUTERS-10K: the authors' ``reutersidf10k.npy`` when present, else RCV1-v2 via scikit-learn."""
    folder = data_dir / "reuters-10k"
    authors = folder / "reutersidf10k.npy"
    if authors.is_file():  # written by the authors' make_reuters.py: a pickled {'data', 'label'} dict
        blob = np.load(authors, allow_pickle=True).item()  # a pickle: only load files you made or trust
        X = np.asarray(blob["data"], dtype=np.float64)
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        X = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
        return X.astype(np.float32), np.asarray(blob["label"]).astype(np.int64).ravel(), None, str(authors)
    from sklearn.datasets import fetch_rcv1

    try:
        rcv1 = fetch_rcv1(data_home=str(folder), download_if_missing=download)
    except OSError as e:  # not cached and no download (or no network)
        raise DatasetNotFoundError(
            f"dataset 'reuters-10k' not found offline. Either put the authors' reutersidf10k.npy in {folder}, "
            f"or scikit-learn's RCV1-v2 cache (fetch_rcv1(data_home='{folder}') on a machine with network, "
            f"then copy {folder}/RCV1) there. ({type(e).__name__}: {e})") from e
    X, y = reuters_from_rcv1(rcv1.data, rcv1.target, rcv1.target_names)
    return X, y, None, f"scikit-learn fetch_rcv1:{folder}"


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
        raise ImportError("the STL-10 HOG features need scikit-image: pip install 'dec-book[features]'") from e
    n = len(images)
    colour = images.reshape(n, 8, 12, 8, 12, 3).mean(axis=(2, 4)).reshape(n, -1) / 255.0
    grads = [hog(rgb2gray(img), orientations=9, pixels_per_cell=(16, 16), cells_per_block=(2, 2),
                 block_norm="L2-Hys") for img in images]
    return np.concatenate([np.stack(grads), colour], axis=1).astype(np.float32)


def _read_stl_split(folder: Path, split: str):
    xs, ys = folder / f"{split}_X.bin", folder / f"{split}_y.bin"
    raw = np.fromfile(xs, dtype=np.uint8)
    if raw.size % (3 * 96 * 96):
        raise DataIntegrityError(f"{xs}: size {raw.size} is not a whole number of 3x96x96 images; replace the file")
    images = raw.reshape(-1, 3, 96, 96).transpose(0, 3, 2, 1)  # stored channel-major, column-major
    labels = np.fromfile(ys, dtype=np.uint8).astype(np.int64) - 1  # published as 1..10
    if len(labels) != len(images):
        raise DataIntegrityError(f"{folder}: {len(images)} images but {len(labels)} labels in {split}")
    return images, labels


def _load_stl_hog(data_dir, download):
    """STL-10's 13,000 labelled images (train + test) as HOG + colour-map features; the features
    are computed once and kept next to the binaries (``stl-hog-features.npz``)."""
    root = data_dir / "stl10"
    folder = root / "stl10_binary"  # torchvision's layout
    names = [f"{s}_{k}.bin" for s in ("train", "test") for k in ("X", "y")]

    def fetch():
        import torchvision

        torchvision.datasets.STL10(root=str(root), split="train", download=True)

    _files_or_download("stl-hog", folder, names, "the STL-10 binary release, stl10_binary.tar.gz", fetch, download)
    cache = folder / "stl-hog-features.npz"
    if cache.is_file():
        with np.load(cache) as f:
            return f["X"], f["y"], None, str(cache)
    parts = [_read_stl_split(folder, s) for s in ("train", "test")]
    X = stl_features(np.concatenate([p[0] for p in parts]))
    y = np.concatenate([p[1] for p in parts])
    tmp = folder / f"stl-hog-features.{os.getpid()}.tmp.npz"
    np.savez(tmp, X=X, y=y)
    tmp.replace(cache)
    return X, y, None, str(folder)


# name -> (loader, number of classes, one-line description)
REGISTRY = {
    "digits": (_load_digits, 10, "scikit-learn's 1,797 8x8 digits; always available offline (default)"),
    "mnist": (_load_mnist, 10, "MNIST, all 70,000 28x28 images (train + test), as in the paper"),
    "mnist-test": (_load_mnist_test, 10, "MNIST test set, 10,000 images; a standard clustering benchmark"),
    "fashion-mnist": (_load_fashion, 10, "Fashion-MNIST, all 70,000 28x28 images"),
    "usps": (_load_usps, 10, "USPS, 9,298 16x16 digits (train + test)"),
    "reuters-10k": (_load_reuters_10k, 4, "REUTERS-10K: 10,000 RCV1 news stories, tf-idf of 2,000 terms, 4 topics"),
    "stl-hog": (_load_stl_hog, 10, "STL-10's 13,000 labelled images as HOG + 8x8 colour-map features"),
}


def available_datasets() -> list[str]:
    return list(REGISTRY)


def load_dataset(name: str = "digits", data_dir=None, download: bool = True) -> Dataset:
    """Load a registered dataset as float32 rows in [0, 1] with integer labels."""
    if name not in REGISTRY:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(REGISTRY)}")
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    loader, n_classes, _ = REGISTRY[name]
    X, y, shape, source = loader(data_dir, download)
    _check(name, X, y, n_classes, shape)
    return Dataset(name, np.ascontiguousarray(X), y, shape, source)


def _check(name, X, y, n_classes, shape):
    if X.ndim != 2 or X.shape[0] != y.shape[0] or (shape is not None and X.shape[1] != int(np.prod(shape))):
        raise DataIntegrityError(f"{name}: inconsistent shapes X {X.shape}, y {y.shape}, image {shape}")
    if not np.isfinite(X).all() or X.min() < 0 or X.max() > 1:
        raise DataIntegrityError(f"{name}: pixel values outside [0, 1] or not finite")
    if y.min() < 0 or y.max() >= n_classes:
        raise DataIntegrityError(f"{name}: labels outside 0..{n_classes - 1} (found {y.min()}..{y.max()})")
