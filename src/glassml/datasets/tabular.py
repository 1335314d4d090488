"""The classic small tabular datasets, bundled as CSV and read with NumPy.

iris (150x4, 3 classes), wine (178x13, 3 classes), breast cancer (569x30, 2 classes),
diabetes (442x10, regression) and digits (1797 8x8 images, 10 classes). Each loader returns a
:class:`Bunch` with ``data``, ``target``, ``feature_names``, ``target_names`` (classification),
``DESCR`` and ``frame=None``; ``return_X_y=True`` returns ``(X, y)`` instead.

Example
-------
>>> from glassml.datasets import load_iris
>>> X, y = load_iris(return_X_y=True)
>>> X.shape, y.shape
((150, 4), (150,))
"""

from __future__ import annotations

import gzip

import numpy as np

from ._base import DATA_DIR, Bunch, verify_checksum

__all__ = ["load_iris", "load_wine", "load_breast_cancer", "load_diabetes", "load_digits"]

_SHA256 = {
    "iris.csv": "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
    "wine_data.csv": "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede",
    "breast_cancer.csv": "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed",
    "digits.csv.gz": "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
    "diabetes_data_raw.csv.gz": "7fc0ded571454b1982210d3bb43f0aca44eae01a0b8654a3b24022bdb6b38009",
    "diabetes_target.csv.gz": "8e53f65eb811df43c206f3534bb3af0e5fed213bc37ed6ba36310157d6023803",
}

_IRIS_FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
_WINE_FEATURES = [
    "alcohol",
    "malic_acid",
    "ash",
    "alcalinity_of_ash",
    "magnesium",
    "total_phenols",
    "flavanoids",
    "nonflavanoid_phenols",
    "proanthocyanins",
    "color_intensity",
    "hue",
    "od280/od315_of_diluted_wines",
    "proline",
]
_CANCER_BASE = [
    "radius",
    "texture",
    "perimeter",
    "area",
    "smoothness",
    "compactness",
    "concavity",
    "concave points",
    "symmetry",
    "fractal dimension",
]
_CANCER_FEATURES = (
    [f"mean {f}" for f in _CANCER_BASE]
    + [f"{f} error" for f in _CANCER_BASE]
    + [f"worst {f}" for f in _CANCER_BASE]
)
_DIABETES_FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def _path(name: str):
    return verify_checksum(DATA_DIR / name, _SHA256[name])


def _load_labelled_csv(name: str):
    path = _path(name)
    with open(path) as f:
        header = f.readline().strip().split(",")
    n_samples, n_features = int(header[0]), int(header[1])
    target_names = np.array(header[2:])
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    data = table[:, :n_features]
    target = table[:, n_features].astype(np.int64)
    assert data.shape == (n_samples, n_features)
    return data, target, target_names


def _finish(data, target, feature_names, descr, target_names=None, return_X_y=False, **extra):
    if return_X_y:
        return data, target
    bunch = Bunch(
        data=data,
        target=target,
        feature_names=list(feature_names),
        DESCR=descr,
        frame=None,
        **extra,
    )
    if target_names is not None:
        bunch["target_names"] = target_names
    return bunch


def load_iris(*, return_X_y: bool = False):
    """Fisher's iris: 150 flowers, 4 measurements in cm, 3 species (50 each)."""
    X, y, names = _load_labelled_csv("iris.csv")
    return _finish(X, y, _IRIS_FEATURES, "Iris plants (UCI), 150x4, 3 classes.", names, return_X_y)


def load_wine(*, return_X_y: bool = False):
    """Wine recognition: 178 wines, 13 chemical measurements, 3 cultivars."""
    X, y, names = _load_labelled_csv("wine_data.csv")
    return _finish(
        X, y, _WINE_FEATURES, "Wine recognition (UCI), 178x13, 3 classes.", names, return_X_y
    )


def load_breast_cancer(*, return_X_y: bool = False):
    """Breast Cancer Wisconsin (Diagnostic): 569 tumours, 30 features, malignant(0)/benign(1)."""
    X, y, names = _load_labelled_csv("breast_cancer.csv")
    return _finish(
        X,
        y,
        _CANCER_FEATURES,
        "Breast Cancer Wisconsin Diagnostic (UCI), 569x30, 0=malignant 1=benign.",
        names,
        return_X_y,
    )


def load_diabetes(*, return_X_y: bool = False, scaled: bool = True):
    """Diabetes progression: 442 patients, 10 baseline variables, a one-year progression target.

    With ``scaled=True`` (default) each column is centred and divided by ``std * sqrt(n)``
    (population std), so every column has unit Euclidean norm — the layout of the LARS paper's
    data as scikit-learn distributes it. ``scaled=False`` gives the raw clinical values.
    """
    with gzip.open(_path("diabetes_data_raw.csv.gz"), "rt") as f:
        X = np.loadtxt(f)
    with gzip.open(_path("diabetes_target.csv.gz"), "rt") as f:
        y = np.loadtxt(f)
    if scaled:
        X = X - X.mean(axis=0)
        X = X / X.std(axis=0)
        X = X / np.sqrt(X.shape[0])
    return _finish(
        X,
        y,
        _DIABETES_FEATURES,
        "Diabetes (Efron et al. 2004), 442x10, regression.",
        None,
        return_X_y,
    )


def load_digits(*, n_class: int = 10, return_X_y: bool = False):
    """8x8 handwritten digits (the UCI optdigits test set): 1797 images, grey levels 0..16.

    ``data`` is (n, 64) float64, ``images`` is (n, 8, 8); ``n_class`` keeps digits 0..n_class-1.
    """
    if not (isinstance(n_class, int) and 1 <= n_class <= 10):
        raise ValueError(f"n_class: expected an int in [1, 10], got {n_class!r}.")
    with gzip.open(_path("digits.csv.gz"), "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    X, y = table[:, :64], table[:, 64].astype(np.int64)
    keep = y < n_class
    X, y = X[keep], y[keep]
    feature_names = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    return _finish(
        X,
        y,
        feature_names,
        "Optical digits (UCI), 8x8 images, grey levels 0..16.",
        np.arange(n_class),
        return_X_y,
        images=X.reshape(-1, 8, 8),
    )
