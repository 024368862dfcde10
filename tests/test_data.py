import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from dec import data
from dec.data import DataIntegrityError, DatasetNotFoundError, load_dataset, parse_idx, read_idx


def idx_bytes(arr: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    return header + arr.astype(np.uint8).tobytes()


def test_digits_is_embedded_and_valid(digits):
    assert digits.X.shape == (1797, 64) and digits.X.dtype == np.float32
    assert 0 <= digits.X.min() and digits.X.max() <= 1
    assert digits.n_classes == 10 and digits.image_shape == (8, 8)


def test_idx_roundtrip_gz_and_plain(tmp_path):
    arr = np.arange(2 * 3 * 4).reshape(2, 3, 4) % 256
    (tmp_path / "a-idx3-ubyte").write_bytes(idx_bytes(arr))
    with gzip.open(tmp_path / "b-idx3-ubyte.gz", "wb") as f:
        f.write(idx_bytes(arr))
    np.testing.assert_array_equal(read_idx(tmp_path / "a-idx3-ubyte"), arr)
    np.testing.assert_array_equal(read_idx(tmp_path / "b-idx3-ubyte.gz"), arr)


def test_idx_rejects_bad_magic_and_truncation(tmp_path):
    good = idx_bytes(np.zeros((4, 2, 2)))
    with pytest.raises(DataIntegrityError, match="magic"):
        parse_idx(b"\x01\x02" + good[2:])
    with pytest.raises(DataIntegrityError, match="truncated"):
        parse_idx(good[:-3])
    p = tmp_path / "t.gz"
    with gzip.open(p, "wb") as f:
        f.write(good)
    p.write_bytes(p.read_bytes()[:-10])  # a cut-off download
    with pytest.raises(DataIntegrityError, match="corrupt or truncated"):
        read_idx(p)


def test_checksum_mismatch(tmp_path):
    raw = idx_bytes(np.zeros((2, 2)))
    (tmp_path / "x").write_bytes(raw)
    read_idx(tmp_path / "x", hashlib.sha256(raw).hexdigest())
    with pytest.raises(DataIntegrityError, match="checksum mismatch"):
        read_idx(tmp_path / "x", "0" * 64)


def test_missing_dataset_says_which_files_where(tmp_path):
    with pytest.raises(DatasetNotFoundError) as e:
        load_dataset("mnist", data_dir=tmp_path, download=False)
    msg = str(e.value)
    assert "train-images-idx3-ubyte.gz" in msg and str(tmp_path / "mnist") in msg and "DEC_DATA_DIR" in msg


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="unknown dataset 'mnits'.*digits"):
        load_dataset("mnits")


def test_data_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    assert data.default_data_dir() == tmp_path


def test_mnist_test_from_shared_data(shared_data):
    ds = load_dataset("mnist-test", data_dir=shared_data, download=False)
    assert ds.X.shape == (10000, 784) and ds.y.shape == (10000,)
    assert ds.image_shape == (28, 28) and ds.n_classes == 10
    assert np.bincount(ds.y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert ds.X.max() == 1.0 and ds.X.min() == 0.0


def test_corrupted_copy_of_real_file_fails_checksum(shared_data, tmp_path):
    folder = tmp_path / "mnist-test"
    folder.mkdir()
    raw = gzip.open(shared_data / "mnist-test" / "t10k-images-idx3-ubyte.gz").read()
    raw = raw[:1000] + bytes([raw[1000] ^ 0xFF]) + raw[1001:]  # one flipped pixel
    (folder / "t10k-images-idx3-ubyte").write_bytes(raw)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(
        (shared_data / "mnist-test" / "t10k-labels-idx1-ubyte.gz").read_bytes()
    )
    with pytest.raises(DataIntegrityError, match="checksum mismatch"):
        load_dataset("mnist-test", data_dir=tmp_path, download=False)


def fake_torchvision(monkeypatch, write_raw):
    """A stand-in for torchvision.datasets.MNIST whose 'download' writes what write_raw writes."""
    import sys
    import types

    class MNIST:
        def __init__(self, root, train, download):
            raw = Path(root) / "MNIST" / "raw"
            raw.mkdir(parents=True, exist_ok=True)
            write_raw(raw)

    monkeypatch.setitem(
        sys.modules, "torchvision", types.SimpleNamespace(datasets=types.SimpleNamespace(MNIST=MNIST))
    )


def test_partial_download_is_not_mistaken_for_a_complete_one(monkeypatch, tmp_path, shared_data):
    src = shared_data / "mnist-test"

    def write_cut(raw):  # the labels arrive whole, the images stop half-way
        (raw / "t10k-labels-idx1-ubyte.gz").write_bytes((src / "t10k-labels-idx1-ubyte.gz").read_bytes())
        data = (src / "t10k-images-idx3-ubyte.gz").read_bytes()
        (raw / "t10k-images-idx3-ubyte.gz").write_bytes(data[: len(data) // 2])

    fake_torchvision(monkeypatch, write_cut)
    with pytest.raises(DataIntegrityError, match="corrupt or truncated"):
        load_dataset("mnist-test", data_dir=tmp_path / "d", download=True)


def test_downloaded_files_are_read_through_the_checksums(monkeypatch, tmp_path, shared_data):
    src = shared_data / "mnist-test"

    def write_whole(raw):
        for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
            (raw / name).write_bytes((src / name).read_bytes())

    fake_torchvision(monkeypatch, write_whole)
    ds = load_dataset("mnist-test", data_dir=tmp_path / "d", download=True)
    assert ds.X.shape == (10_000, 784) and "torchvision" in ds.source


# --- REUTERS-10K and STL-10 HOG: the loaders on small synthetic files of the published formats ---
def fake_rcv1(n=60, vocab=30, seed=0):
    import scipy.sparse as sp

    rng = np.random.RandomState(seed)
    names = np.array(["C15", "CCAT", "E11", "ECAT", "GCAT", "M14", "MCAT"])
    target = np.zeros((n, len(names)), dtype=int)
    for i in range(n):  # one root each, except every 7th document (two roots: dropped)
        target[i, rng.choice([1, 3, 4, 6], size=2 if i % 7 == 0 else 1, replace=False)] = 1
    data = sp.csr_matrix(rng.rand(n, vocab) * (rng.rand(n, vocab) < np.linspace(0.9, 0.05, vocab)))
    return data, sp.csr_matrix(target), names


def test_reuters_preprocessing_follows_the_paper():
    from dec.data import reuters_from_rcv1

    data, target, names = fake_rcv1()
    X, y = reuters_from_rcv1(data, target, names, n_terms=10, n_docs=40, seed=1234)
    assert X.shape == (40, 10) and X.dtype == np.float32 and set(y) <= {0, 1, 2, 3}
    np.testing.assert_allclose(np.linalg.norm(X, axis=1)[np.abs(X).sum(1) > 0], 1, rtol=1e-5)
    single = np.flatnonzero(target[:, [1, 4, 6, 3]].toarray().sum(1) == 1)  # CCAT GCAT MCAT ECAT
    docs = single[np.random.RandomState(1234).permutation(len(single))[:40]]
    roots = target[docs][:, [1, 4, 6, 3]].toarray()
    np.testing.assert_array_equal(y, roots.argmax(1))  # label = the one root, in the paper's order
    df = np.asarray((data[single] > 0).sum(0)).ravel()  # document frequency among the kept documents
    terms = np.sort(np.argsort(-df, kind="stable")[:10])
    expected = data[docs][:, terms].toarray()
    expected /= np.maximum(np.linalg.norm(expected, axis=1, keepdims=True), 1e-30)
    np.testing.assert_allclose(X, expected, rtol=1e-5)
    X2, y2 = reuters_from_rcv1(data, target, names, n_terms=10, n_docs=40, seed=1234)
    np.testing.assert_array_equal(X, X2)  # a fixed subset


def test_reuters_10k_loads_through_fetch_rcv1_or_the_authors_file(tmp_path, monkeypatch):
    import sklearn.datasets
    from sklearn.utils import Bunch

    data, target, names = fake_rcv1(n=14000, vocab=2100)
    calls = []

    def fake_fetch(data_home, download_if_missing):
        calls.append((data_home, download_if_missing))
        return Bunch(data=data, target=target, target_names=names)

    monkeypatch.setattr(sklearn.datasets, "fetch_rcv1", fake_fetch)
    ds = load_dataset("reuters-10k", data_dir=tmp_path, download=False)
    assert ds.X.shape == (10000, 2000) and ds.n_classes == 4 and ds.image_shape is None
    assert calls == [(str(tmp_path / "reuters-10k"), False)]
    # The authors' make_reuters.py output (tf-idf times sqrt(2000)) is used first when present.
    folder = tmp_path / "reuters-10k"
    folder.mkdir(exist_ok=True)
    rng = np.random.RandomState(0)
    np.save(
        folder / "reutersidf10k.npy", {"data": rng.rand(50, 20) * np.sqrt(20), "label": rng.randint(0, 4, 50)}
    )
    ds = load_dataset("reuters-10k", data_dir=tmp_path, download=False)
    assert ds.X.shape == (50, 20) and ds.X.max() <= 1 and len(calls) == 1


def test_reuters_10k_missing_says_what_to_put_where(tmp_path, monkeypatch):
    import sklearn.datasets

    def no_cache(data_home, download_if_missing):
        raise OSError("Data not found and `download_if_missing` is False")

    monkeypatch.setattr(sklearn.datasets, "fetch_rcv1", no_cache)
    with pytest.raises(DatasetNotFoundError, match="reutersidf10k.npy"):
        load_dataset("reuters-10k", data_dir=tmp_path, download=False)


def write_fake_stl(folder, n_train=4, n_test=3, seed=0):
    rng = np.random.RandomState(seed)
    folder.mkdir(parents=True)
    images = {}
    for split, n in (("train", n_train), ("test", n_test)):
        hwc = rng.randint(0, 256, size=(n, 96, 96, 3), dtype=np.uint8)
        hwc[:, :48, :, 0] = 255  # top half red: checks the image orientation below
        hwc[:, :48, :, 1:] = 0
        hwc.transpose(0, 3, 2, 1).tofile(folder / f"{split}_X.bin")  # the binary release's layout
        (rng.randint(1, 11, size=n).astype(np.uint8)).tofile(folder / f"{split}_y.bin")
        images[split] = hwc
    return images


def test_stl_hog_features_from_the_binary_release(tmp_path, monkeypatch):
    pytest.importorskip("skimage")
    import dec.data

    write_fake_stl(tmp_path / "stl10" / "stl10_binary")
    ds = load_dataset("stl-hog", data_dir=tmp_path, download=False)
    assert ds.X.shape == (7, 900 + 192) and ds.image_shape is None
    assert 0 <= ds.X.min() and ds.X.max() <= 1 and set(ds.y) <= set(range(10))
    colour = ds.X[:, 900:].reshape(7, 8, 8, 3)
    np.testing.assert_allclose(colour[:, :4, :, 0], 1.0)  # the red top half is at the top
    np.testing.assert_allclose(colour[:, :4, :, 1:], 0.0)
    assert (tmp_path / "stl10" / "stl10_binary" / "stl-hog-features.npz").is_file()
    monkeypatch.setattr(
        dec.data.stl, "stl_features", lambda images: pytest.fail("features not read from the cache")
    )
    again = load_dataset("stl-hog", data_dir=tmp_path, download=False)
    np.testing.assert_array_equal(again.X, ds.X)


def test_stl_hog_missing_or_truncated(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="train_X.bin"):
        load_dataset("stl-hog", data_dir=tmp_path, download=False)
    folder = tmp_path / "stl10" / "stl10_binary"
    write_fake_stl(folder)
    with open(folder / "train_X.bin", "ab") as f:
        f.write(b"\0" * 10)
    with pytest.raises(DataIntegrityError, match="whole number"):
        load_dataset("stl-hog", data_dir=tmp_path, download=False)


def test_feature_datasets_are_refused_where_images_are_needed():
    ds = data.Dataset("stl-hog", np.zeros((3, 4), np.float32), np.zeros(3, np.int64), None, "test")
    with pytest.raises(ValueError, match="Figure 3 shows images.*mnist-test"):
        ds.require_images("Figure 3")
    load_dataset("digits").require_images("Figure 3")  # images: no error
