"""What the library keeps on disk: atomic writes, content hashes, and the result caches.

* :func:`atomic_write` (and :func:`atomic_save`, :func:`atomic_write_text`): a temporary file in
  the same folder, then a rename, so a killed process never leaves half a file under the real
  name (the temporary name carries the process id: parallel chapters may write the same entry);
* :func:`digest` / :func:`state_digest` / :func:`run_key`: SHA-256 of arrays, of a network's
  weights, and of any JSON-able description of a run;
* :class:`Cache`: a folder of results keyed by what computed them. Every key includes
  :func:`dec._version.code_fingerprint`, so an entry written by other code (an older or edited
  library) is never reused: it is recomputed, with a warning that says why.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np
import torch

from ._version import code_fingerprint


def _tmp(path: Path) -> Path:
    return path.with_name(f"{path.name}.{os.getpid()}.tmp")


def atomic_write(path, write) -> Path:
    """Create ``path`` atomically: ``write(f)`` fills a binary file object opened on a temporary
    file in the same folder, which is then renamed to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(path)
    try:
        with open(tmp, "wb") as f:
            write(f)
        tmp.replace(path)
    except BaseException:  # an error or Ctrl-C while writing: leave no temporary file behind
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_save(obj, path) -> Path:
    """``torch.save(obj)`` to ``path`` atomically."""
    return atomic_write(path, lambda f: torch.save(obj, f))


def atomic_write_text(text: str, path) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda f: f.write(text.encode()))


def digest(array) -> str:
    """SHA-256 of an array's values (hex): numpy arrays and tensors alike, by their bytes."""
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().numpy()
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def state_digest(module: torch.nn.Module) -> str:
    """SHA-256 of a network's weights (names and values), e.g. to key what was computed from it."""
    h = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        h.update(name.encode() + tensor.detach().cpu().numpy().tobytes())
    return h.hexdigest()


def run_key(**parts) -> str:
    """A short hash of a JSON-able description of a run (configuration, data digest, seed, ...)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]


class Cache:
    """Results of expensive stages in a folder, one file per entry.

    An entry's file is named after the ``kind`` and a hash of ``parts`` (what the result
    depends on: configuration, data, seed, ...); the file stores the full key, which adds the
    library's code fingerprint. :meth:`load` returns the stored payload only when the full key
    matches; an entry at the same place written by other code is reported and treated as
    missing, and the next :meth:`save` replaces it."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def entry(self, kind: str, **parts) -> "CacheEntry":
        name = f"{kind}-{run_key(**parts)}"
        return CacheEntry(self.folder / f"{name}.pt", run_key(code=code_fingerprint(), **parts), kind)


class CacheEntry:
    def __init__(self, path: Path, key: str, kind: str):
        self.path, self.key, self.kind = path, key, kind

    def load(self, device="cpu"):
        """The cached payload, or None when there is none or it was computed by other code."""
        if not self.path.is_file():
            return None
        blob = torch.load(self.path, map_location=device, weights_only=True)
        if blob.get("key") != self.key:
            warnings.warn(
                f"cached {self.kind} result {self.path} was computed by other library code "
                f"(dec {blob.get('version')}, code {blob.get('code')}; this is code "
                f"{code_fingerprint()}): computing it again",
                RuntimeWarning,
                stacklevel=3,
            )
            return None
        return blob["payload"]

    def save(self, payload) -> Path:
        from ._version import __version__

        return atomic_save(
            {"key": self.key, "version": __version__, "code": code_fingerprint(), "payload": payload},
            self.path,
        )
