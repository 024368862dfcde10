"""The IDX file format (MNIST, Fashion-MNIST): big-endian magic (0, 0, dtype code, ndim), then
ndim big-endian uint32 sizes, then the data. Read from ``.gz`` or uncompressed files, with an
optional SHA-256 check of the decompressed content."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np

from .common import DataIntegrityError

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError) as e:  # gzip raises these on truncated or corrupt files
        raise DataIntegrityError(
            f"cannot read {path}: {e}. The file is corrupt or truncated; "
            "delete it and copy or download it again."
        ) from e


def parse_idx(raw: bytes, where: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an IDX file into a numpy array."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DataIntegrityError(f"{where} is not an IDX file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise DataIntegrityError(
            f"{where} holds {len(raw)} bytes but its header {shape} needs "
            f"{expected}: the file is truncated or corrupt; replace it."
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def read_idx(path, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (``.gz`` or not); check the decompressed content's SHA-256 if given."""
    path = Path(path)
    raw = read_bytes(path)
    if sha256 is not None:
        got = hashlib.sha256(raw).hexdigest()
        if got != sha256:
            raise DataIntegrityError(
                f"checksum mismatch for {path}: SHA-256 of the content is {got}, "
                f"expected {sha256}. The file is corrupt or not the published "
                "one; delete it and copy or download it again."
            )
    return parse_idx(raw, str(path))
