"""The library's version, and a fingerprint of its code for cache keys.

A version number changes rarely; the code that computes a cached result changes with every
commit that touches the arithmetic. Every cache key therefore includes :func:`code_fingerprint`,
a hash of the package's source files, so that a result computed by other code is never reused.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__version__ = "0.2.0"


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 (first 16 hex digits) of every ``.py`` file of the installed ``dec`` package, by
    relative path and content. Any edit of the library's source gives another fingerprint."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
