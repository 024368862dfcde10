"""The numbers the paper reports (Xie, Girshick & Farhadi, 2016), to print beside ours.

Typed in once, here, from the paper (see ../shared/docs/paper-notes.md); every other number in
the book is computed. ACC in %. ``None``: the paper has no such entry.
"""

# Table 2: ACC (%) on pixels / raw features, best of 9 hyper-parameter settings per method.
TABLE2 = {
    "mnist": {"k-means": 53.49, "LDMGI": 84.09, "SEC": 80.37, "DEC w/o backprop": 79.82, "DEC": 84.30},
    "stl-hog": {"k-means": 28.39, "LDMGI": 33.08, "SEC": 30.75, "DEC w/o backprop": 34.06, "DEC": 35.90},
    "reuters-10k": {"k-means": 52.42, "LDMGI": 43.84, "SEC": 60.08, "DEC w/o backprop": 70.05, "DEC": 72.17},
}

# Table 3: methods on autoencoder features, ACC (%).
TABLE3 = {"mnist": {"AE + k-means": 81.84}, "reuters-10k": {"AE + k-means": 66.59}}

# Table 4: imbalanced MNIST, ACC (%) for r_min = 0.1, 0.3, 0.5, 0.7, 0.9.
TABLE4_RMIN = (0.1, 0.3, 0.5, 0.7, 0.9)
TABLE4 = {
    "k-means": (47.14, 49.93, 53.65, 54.16, 54.39),
    "AE + k-means": (66.82, 74.91, 77.93, 80.04, 81.31),
    "DEC": (70.10, 80.92, 82.68, 84.69, 85.41),
}


def paper_value(table: dict, dataset: str, method: str):
    """The paper's number for ``method`` on ``dataset`` (MNIST-test is compared with MNIST)."""
    key = {"mnist-test": "mnist"}.get(dataset, dataset)
    return table.get(key, {}).get(method)
