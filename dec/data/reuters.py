"""REUTERS-10K (paper section 4.1): the authors' file when present, else RCV1-v2 through
scikit-learn's ``fetch_rcv1``. It does not ship offline here; the loader reads what a user has."""

from __future__ import annotations

import numpy as np

from .common import DataIntegrityError, DatasetNotFoundError

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


def load_reuters_10k(data_dir, download):
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
            "dataset 'reuters-10k' not found offline. Either put the authors' reutersidf10k.npy in "
            f"{folder}, "
            f"or scikit-learn's RCV1-v2 cache (fetch_rcv1(data_home='{folder}') on a machine with network, "
            f"then copy {folder}/RCV1) there. ({type(e).__name__}: {e})"
        ) from e
    X, y = reuters_from_rcv1(rcv1.data, rcv1.target, rcv1.target_names)
    return X, y, None, f"scikit-learn fetch_rcv1:{folder}"
