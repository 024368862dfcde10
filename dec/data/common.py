"""What every dataset loader shares: the errors, the data directory, and "these files, or a
download, or a message saying which files to put where"."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "DEC_DATA_DIR"


class DatasetNotFoundError(FileNotFoundError):
    """The dataset is neither in the data directory nor downloadable here."""


class DataIntegrityError(ValueError):
    """A data file was found but its content is not what it should be."""


def default_data_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or Path.home() / ".cache" / "dec-book" / "data")


def default_cache_dir() -> Path:
    """Where results are cached (pretrained autoencoders, DEC runs, the chapters' baselines):
    ``$DEC_CACHE_DIR`` or ~/.cache/dec-book/models."""
    return Path(os.environ.get("DEC_CACHE_DIR") or Path.home() / ".cache" / "dec-book" / "models")


def files_or_download(name, folder: Path, names, what: str, fetch, download: bool) -> None:
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
