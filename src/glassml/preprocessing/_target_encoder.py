"""Target (mean) encoding with empirical-Bayes smoothing and out-of-fold cross fitting."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._core import (
    BaseEstimator,
    TransformerMixin,
    check_in,
    check_is_fitted,
    column_or_1d,
    type_of_target,
)
from ._categories import (
    categorical_columns,
    check_given_categories,
    column_categories,
    encode_column,
)
from ._utils import input_feature_names


def _legacy_rng(random_state):
    """A generator with a ``shuffle`` method; ints use ``RandomState`` so that folds are the
    same as scikit-learn's ``KFold``/``StratifiedKFold`` with that seed."""
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.RandomState(random_state)
    if isinstance(random_state, np.random.RandomState | np.random.Generator):
        return random_state
    raise ValueError(f"random_state: expected None, an int or a generator, got {random_state!r}.")


def kfold_test_folds(n_samples: int, n_splits: int, *, shuffle: bool, random_state):
    """Test indices of each of ``n_splits`` contiguous (optionally shuffled) folds (K-fold)."""
    indices = np.arange(n_samples)
    if shuffle:
        _legacy_rng(random_state).shuffle(indices)
    sizes = np.full(n_splits, n_samples // n_splits, dtype=np.int64)
    sizes[: n_samples % n_splits] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return [indices[bounds[k] : bounds[k + 1]] for k in range(n_splits)]


def stratified_test_folds(y, n_splits: int, *, shuffle: bool, random_state):
    """Test indices of stratified folds: each class spread evenly over the folds.

    Classes are dealt to folds round-robin over the sorted labels, then (with ``shuffle``) the
    fold labels within each class are permuted -- the same assignment as scikit-learn's
    ``StratifiedKFold`` for the same integer seed.
    """
    rng = _legacy_rng(random_state)
    _, first_idx, inverse = np.unique(y, return_index=True, return_inverse=True)
    _, class_perm = np.unique(first_idx, return_inverse=True)  # classes by first appearance
    y_encoded = class_perm[inverse]  # (n,)
    n_classes = len(first_idx)
    counts = np.bincount(y_encoded)
    if np.all(n_splits > counts):
        raise ValueError(
            f"cv: n_splits={n_splits} cannot be greater than the number of members in each class."
        )
    if n_splits > counts.min():
        warnings.warn(
            f"The least populated class in y has only {counts.min()} members, which is less "
            f"than n_splits={n_splits}.",
            UserWarning,
            stacklevel=3,
        )
    y_order = np.sort(y_encoded)
    allocation = np.asarray(
        [np.bincount(y_order[i::n_splits], minlength=n_classes) for i in range(n_splits)]
    )  # (n_splits, n_classes)
    test_folds = np.empty(len(y_encoded), dtype=np.int64)
    for k in range(n_classes):
        folds_for_class = np.arange(n_splits).repeat(allocation[:, k])
        if shuffle:
            rng.shuffle(folds_for_class)
        test_folds[y_encoded == k] = folds_for_class
    return [np.flatnonzero(test_folds == f) for f in range(n_splits)]


def fit_encoding(codes, y, n_categories, smooth, y_mean):
    """Encoding of each category of one feature.

    Float ``smooth`` m (Micci-Barreca eq. 7):  enc_c = (sum_{i in c} y_i + m * ybar) / (n_c + m)
    ``smooth="auto"`` (empirical Bayes, eqs. 5-6):
        lambda_c = n_c s^2 / (n_c s^2 + sigma_c^2),   enc_c = lambda_c ybar_c + (1 - lambda_c) ybar
    with s^2 the target variance and sigma_c^2 the within-category variance. Categories with no
    training rows get the global mean.
    """
    counts = np.bincount(codes, minlength=n_categories).astype(np.float64)  # (k,)
    sums = np.bincount(codes, weights=y, minlength=n_categories)  # (k,)
    with np.errstate(invalid="ignore", divide="ignore"):
        if smooth == "auto":
            y_variance = np.var(y)
            means = sums / counts
            diff = y - means[codes]  # (n,)
            ssd = np.bincount(codes, weights=diff * diff, minlength=n_categories)
            lam = y_variance * counts / (y_variance * counts + ssd / counts)
            enc = lam * means + (1 - lam) * y_mean
            return np.where(np.isnan(lam), y_mean, enc)
        enc = (sums + smooth * y_mean) / (counts + smooth)
        return np.where(counts + smooth == 0, y_mean, enc)


class TargetEncoder(TransformerMixin, BaseEstimator):
    """Replace each category by a smoothed mean of the target over that category.

    Inventory: DP-05. For a binary target the encoding is the smoothed share of positives; for
    a multiclass target one column per (feature, class), one-vs-rest. ``fit_transform`` uses
    *cross fitting*: the rows of each of ``cv`` folds are encoded with statistics of the other
    folds only, so a row's own target never leaks into its feature (claim CL-040), while
    ``fit(X, y).transform(X)`` uses encodings learnt on all rows (meant for new data).

    Parameters
    ----------
    categories : "auto" or list of array-like
    target_type : {"auto", "continuous", "binary", "multiclass"}
    smooth : "auto" or float >= 0
        Shrinkage toward the global target mean (see :func:`fit_encoding`).
    cv : int >= 2 or a splitter with ``split(X, y)``, default=5
        Folds for cross fitting (stratified for classification targets).
    shuffle : bool, default=True
    random_state : None, int or generator
        Seeds the fold shuffle (an int gives the same folds as scikit-learn).

    Attributes
    ----------
    encodings_ : list of ndarray, target_mean_, categories_, target_type_, classes_

    Example
    -------
    >>> X = [["a"], ["a"], ["b"], ["b"]]
    >>> enc = TargetEncoder(smooth=0.0, target_type="continuous")
    >>> enc.fit(X, [1.0, 3.0, 10.0, 20.0]).transform([["a"], ["b"]]).ravel()
    array([ 2., 15.])
    """

    def __init__(
        self,
        *,
        categories="auto",
        target_type="auto",
        smooth="auto",
        cv=5,
        shuffle=True,
        random_state=None,
    ):
        self.categories = categories
        self.target_type = target_type
        self.smooth = smooth
        self.cv = cv
        self.shuffle = shuffle
        self.random_state = random_state

    def _check_params(self):
        check_in(self.target_type, "target_type", ("auto", "continuous", "binary", "multiclass"))
        if self.smooth != "auto":
            if (
                not isinstance(self.smooth, numbers.Real)
                or isinstance(self.smooth, bool)
                or self.smooth < 0
            ):
                raise ValueError(f"smooth: expected 'auto' or a float >= 0, got {self.smooth!r}.")
        if not hasattr(self.cv, "split"):
            if (
                not isinstance(self.cv, numbers.Integral)
                or isinstance(self.cv, bool)
                or self.cv < 2
            ):
                raise ValueError(f"cv: expected an int >= 2 or a splitter, got {self.cv!r}.")

    def _fit_all(self, X, y):
        """Categories, target coding and encodings on all rows; returns codes for reuse."""
        self._check_params()
        if y is None:
            raise ValueError("TargetEncoder requires y to be passed, but the target y is None.")
        columns = categorical_columns(self, X, reset=True)
        y = column_or_1d(y, name="y")
        if y.shape[0] != columns[0].shape[0]:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"X: {columns[0].shape[0]}, y: {y.shape[0]}."
            )
        if self.target_type == "auto":
            kind = type_of_target(y)
            if kind not in ("binary", "multiclass", "continuous"):
                raise ValueError(
                    f"Unknown label type: Target type was inferred to be {kind!r}. Only "
                    "('binary', 'multiclass', 'continuous') are supported."
                )
            self.target_type_ = kind
        else:
            self.target_type_ = self.target_type
        if self.target_type_ == "continuous":
            y_num = np.asarray(y, dtype=np.float64)
            if not np.isfinite(y_num).all():
                raise ValueError("y: Input y contains NaN or infinity.")
            self.classes_ = None
        else:
            self.classes_, y_codes = np.unique(y, return_inverse=True)
            if self.target_type_ == "binary":
                y_num = y_codes.astype(np.float64)
            else:  # one-vs-rest indicator columns, (n, K)
                y_num = (y_codes[:, None] == np.arange(len(self.classes_))).astype(np.float64)
        self.target_mean_ = np.mean(y_num, axis=0)
        self.categories_, codes, known = [], [], []
        for j, col in enumerate(columns):
            if self.categories == "auto":
                cats = column_categories(col, j)
            else:
                cats = check_given_categories(self.categories[j], col, j)
            c, k = encode_column(col, cats)
            self.categories_.append(cats)
            codes.append(c)
            known.append(k)
        codes = np.stack(codes, axis=1)  # (n, p)
        known = np.stack(known, axis=1)
        self.encodings_ = self._encodings(codes, known, y_num, self.target_mean_)
        return codes, known, y_num, y

    def _encodings(self, codes, known, y_num, y_mean):
        """List of per-category encodings, feature-major (feature j, then class k)."""
        out = []
        targets = [y_num] if y_num.ndim == 1 else [y_num[:, k] for k in range(y_num.shape[1])]
        means = [y_mean] if y_num.ndim == 1 else list(y_mean)
        for j, cats in enumerate(self.categories_):
            rows = known[:, j]
            for t, m in zip(targets, means, strict=True):
                out.append(fit_encoding(codes[rows, j], t[rows], len(cats), self.smooth, m))
        return out

    def _apply(self, codes, known, encodings, y_mean, out, rows):
        n_classes = 1 if self.target_type_ != "multiclass" else len(self.classes_)
        means = np.atleast_1d(y_mean)
        for e_idx, enc in enumerate(encodings):
            j, k = divmod(e_idx, n_classes)
            col = enc[codes[rows, j]]
            col[~known[rows, j]] = means[k]
            out[rows, e_idx] = col

    def fit(self, X, y):
        """Learn encodings on all rows (use ``fit_transform`` on training data instead)."""
        self._fit_all(X, y)
        return self

    def fit_transform(self, X, y):
        """Fit on all rows, and return the out-of-fold (cross-fitted) encoding of X."""
        codes, known, y_num, y_raw = self._fit_all(X, y)
        n = codes.shape[0]
        n_out = len(self.encodings_)
        out = np.empty((n, n_out), dtype=np.float64)
        if hasattr(self.cv, "split"):
            test_folds = [test for _, test in self.cv.split(np.empty((n, 1)), y_raw)]
        elif self.target_type_ == "continuous":
            test_folds = kfold_test_folds(
                n, self.cv, shuffle=self.shuffle, random_state=self.random_state
            )
        else:
            test_folds = stratified_test_folds(
                y_raw, self.cv, shuffle=self.shuffle, random_state=self.random_state
            )
        for test in test_folds:
            train = np.ones(n, dtype=bool)
            train[test] = False
            y_train = y_num[train]
            y_train_mean = np.mean(y_train, axis=0)
            enc = self._encodings(codes[train], known[train], y_train, y_train_mean)
            self._apply(codes, known, enc, y_train_mean, out, test)
        return out

    def transform(self, X):
        """Encode with the full-data encodings; unknown categories get ``target_mean_``."""
        columns = categorical_columns(self, X, reset=False)
        codes, known = zip(
            *(encode_column(c, cats) for c, cats in zip(columns, self.categories_, strict=True)),
            strict=True,
        )
        codes, known = np.stack(codes, axis=1), np.stack(known, axis=1)
        out = np.empty((codes.shape[0], len(self.encodings_)), dtype=np.float64)
        self._apply(codes, known, self.encodings_, self.target_mean_, out, slice(None))
        return out

    def get_feature_names_out(self, input_features=None):
        """Input names; for multiclass "<feature>_<class>" per class."""
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        if self.target_type_ == "multiclass":
            return np.asarray([f"{f}_{c}" for f in names for c in self.classes_], dtype=object)
        return names

    def _glassml_tags(self):
        return {"allow_nan": True, "string_input": True, "categorical": True, "requires_y": True}
