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
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes((shared_data / "mnist-test" / "t10k-labels-idx1-ubyte.gz").read_bytes())
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

    monkeypatch.setitem(sys.modules, "torchvision", types.SimpleNamespace(datasets=types.SimpleNamespace(MNIST=MNIST)))


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
