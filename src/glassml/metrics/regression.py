"""Regression metrics: errors (MSE, RMSE, MAE, MAPE, median AE, max error, Huber, pinball),
explained variance and R² (plain and adjusted), and the Tweedie family of deviances.

Inventory: MS-12 … MS-18. Every function takes (n,) or (n, n_outputs) targets, optional
``sample_weight`` and ``multioutput`` ("raw_values", "uniform_average" or a weight vector).
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from ._checks import as_float_1d, check_same_length, check_weights, warn_undefined

__all__ = [
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "median_absolute_error",
    "max_error",
    "mean_squared_log_error",
    "root_mean_squared_log_error",
    "huber_loss",
    "mean_pinball_loss",
    "r2_score",
    "adjusted_r2_score",
    "explained_variance_score",
    "mean_tweedie_deviance",
    "mean_poisson_deviance",
    "mean_gamma_deviance",
]


def _targets(y_true, y_pred, sample_weight=None, multioutput="uniform_average"):
    """Validated (n, m) float arrays, weights and the multioutput option."""
    yt = as_float_1d(y_true, "y_true", allow_2d=True)
    yp = as_float_1d(y_pred, "y_pred", allow_2d=True)
    check_same_length(("y_true", yt), ("y_pred", yp))
    if yt.shape[0] == 0:
        raise ValueError("y_true: expected at least one sample, got an empty array.")
    yt = yt.reshape(yt.shape[0], -1)
    yp = yp.reshape(yp.shape[0], -1)
    if yt.shape[1] != yp.shape[1]:
        raise ValueError(
            f"y_true and y_pred have different number of output ({yt.shape[1]}!={yp.shape[1]})."
        )
    w = check_weights(sample_weight, yt.shape[0])
    if isinstance(multioutput, str):
        if multioutput not in ("raw_values", "uniform_average", "variance_weighted"):
            raise ValueError(
                "multioutput: expected 'raw_values', 'uniform_average', 'variance_weighted' or "
                f"an array of weights, got {multioutput!r}."
            )
    else:
        multioutput = np.asarray(multioutput, dtype=np.float64)
        if multioutput.shape != (yt.shape[1],):
            raise ValueError(
                f"multioutput: expected {yt.shape[1]} weights (one per output), got shape "
                f"{multioutput.shape}."
            )
    return yt, yp, w, multioutput


def _combine(per_output, multioutput):
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return per_output
        return float(np.mean(per_output))
    return float(np.average(per_output, weights=multioutput))


def _column_mean(values, w):
    """Weighted column mean of an (n, m) array."""
    if w is None:
        return values.mean(axis=0)
    return (w @ values) / w.sum()


def mean_squared_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """MSE = (1/n) Σ (y_i − ŷ_i)². Inventory: MS-12.

    >>> mean_squared_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.375
    """
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    return _combine(_column_mean((yt - yp) ** 2, w), mo)


def root_mean_squared_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """RMSE = √MSE (per output, then averaged). Inventory: MS-13.

    >>> round(root_mean_squared_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]), 4)
    0.6124
    """
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    return _combine(np.sqrt(_column_mean((yt - yp) ** 2, w)), mo)


def mean_absolute_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """MAE = (1/n) Σ |y_i − ŷ_i|. Inventory: MS-14.

    >>> mean_absolute_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.5
    """
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    return _combine(_column_mean(np.abs(yt - yp), w), mo)


def mean_absolute_percentage_error(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    """MAPE = (1/n) Σ |y_i − ŷ_i| / max(|y_i|, ε), as a fraction (multiply by 100 for %).

    Inventory: MS-17. The curriculum writes (100/n)Σ|(y−ŷ)/y|; like scikit-learn we return
    the fraction and guard y = 0 with ε = float64 machine epsilon (so a zero target gives a
    huge, not an infinite, error).

    >>> round(mean_absolute_percentage_error([1.0, 2.0], [1.1, 1.8]), 6)
    0.1
    """
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    eps = np.finfo(np.float64).eps
    return _combine(_column_mean(np.abs(yp - yt) / np.maximum(np.abs(yt), eps), w), mo)


def median_absolute_error(y_true, y_pred, *, multioutput="uniform_average"):
    """Median of |y_i − ŷ_i|: robust to outliers.

    >>> median_absolute_error([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    0.5
    """
    yt, yp, _, mo = _targets(y_true, y_pred, None, multioutput)
    return _combine(np.median(np.abs(yp - yt), axis=0), mo)


def max_error(y_true, y_pred):
    """Largest absolute residual max_i |y_i − ŷ_i| (single output).

    >>> max_error([3.0, 2.0, 7.0, 1.0], [4.0, 2.0, 7.0, 1.0])
    1.0
    """
    yt, yp, _, _ = _targets(y_true, y_pred)
    if yt.shape[1] != 1:
        raise ValueError("y_true: max_error supports a single output only.")
    return float(np.max(np.abs(yt - yp)))


def mean_squared_log_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """MSLE = (1/n) Σ (log(1+y_i) − log(1+ŷ_i))², for targets > −1.

    >>> round(mean_squared_log_error([3.0, 5.0], [2.5, 5.0]), 6)
    0.008915
    """
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    if (yt <= -1).any() or (yp <= -1).any():
        raise ValueError(
            "y_true/y_pred: Mean Squared Logarithmic Error cannot be used when targets "
            "contain values less than or equal to -1."
        )
    return _combine(_column_mean((np.log1p(yt) - np.log1p(yp)) ** 2, w), mo)


def root_mean_squared_log_error(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    """RMSLE = √MSLE (per output).

    >>> round(root_mean_squared_log_error([3.0, 5.0], [2.5, 5.0]), 6)
    0.094421
    """
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    if (yt <= -1).any() or (yp <= -1).any():
        raise ValueError(
            "y_true/y_pred: Root Mean Squared Logarithmic Error cannot be used when targets "
            "contain values less than or equal to -1."
        )
    return _combine(np.sqrt(_column_mean((np.log1p(yt) - np.log1p(yp)) ** 2, w)), mo)


def huber_loss(y_true, y_pred, *, delta=1.0, sample_weight=None, multioutput="uniform_average"):
    """Mean Huber loss: ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond (r = y − ŷ). Inventory: MS-18.

    Quadratic near zero like MSE, linear in the tails like MAE — so outliers weigh less
    (equals ``torch.nn.functional.huber_loss`` with the same δ).

    >>> huber_loss([0.0, 0.0], [0.5, 3.0])
    1.3125
    """
    if not isinstance(delta, int | float) or isinstance(delta, bool) or not delta > 0:
        raise ValueError(f"delta: expected a positive number, got {delta!r}.")
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    r = np.abs(yt - yp)
    loss = np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))
    return _combine(_column_mean(loss, w), mo)


def mean_pinball_loss(
    y_true, y_pred, *, sample_weight=None, alpha=0.5, multioutput="uniform_average"
):
    """Quantile (pinball) loss: α·max(r, 0) + (1 − α)·max(−r, 0) with r = y − ŷ.

    >>> mean_pinball_loss([1.0, 2.0, 3.0], [0.0, 2.0, 3.0], alpha=0.1)
    0.03333333333333333
    """
    if not isinstance(alpha, int | float) or not 0 <= alpha <= 1:
        raise ValueError(f"alpha: expected a number in [0, 1], got {alpha!r}.")
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    r = yt - yp
    loss = np.where(r >= 0, alpha * r, (alpha - 1) * r)
    return _combine(_column_mean(loss, w), mo)


def _assemble_ratio_scores(numerator, denominator, multioutput, force_finite):
    """1 − num/den per output; with ``force_finite`` 0/0 → 1 and x/0 → 0 (scikit-learn)."""
    nonzero_den = denominator != 0
    if force_finite:
        nonzero_num = numerator != 0
        scores = np.ones(numerator.shape[0])
        valid = nonzero_den & nonzero_num
        scores[valid] = 1.0 - numerator[valid] / denominator[valid]
        scores[nonzero_num & ~nonzero_den] = 0.0
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1.0 - numerator / denominator
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return scores
        if multioutput == "variance_weighted" and np.any(nonzero_den):
            return float(np.average(scores, weights=denominator))
        return float(np.mean(scores))
    return float(np.average(scores, weights=multioutput))


def r2_score(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average",
             force_finite=True):  # fmt: skip
    """Coefficient of determination R² = 1 − SS_res/SS_tot, in (−∞, 1]. Inventory: MS-15.

    SS_res = Σ w(y − ŷ)², SS_tot = Σ w(y − ȳ)². A constant target gives 1 for a perfect
    prediction and 0 otherwise (``force_finite``), NaN/−inf without it. "variance_weighted"
    averages the outputs weighted by SS_tot.

    >>> round(r2_score([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]), 4)
    0.9486
    """
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    if yt.shape[0] < 2:
        warn_undefined("R^2 score is not well-defined with less than two samples.")
        return np.nan
    weights = np.ones(yt.shape[0]) if w is None else w
    ss_res = weights @ (yt - yp) ** 2  # (m,)
    ss_tot = weights @ (yt - _column_mean(yt, w)) ** 2  # (m,)
    return _assemble_ratio_scores(ss_res, ss_tot, mo, force_finite)


def adjusted_r2_score(y_true, y_pred, *, n_features, sample_weight=None):
    """Adjusted R² = 1 − (1 − R²)(n − 1)/(n − p − 1), penalising the number of features p.

    Inventory: MS-16. Needs n > p + 1.

    >>> round(adjusted_r2_score([3.0, -0.5, 2.0, 7.0, 4.0], [2.5, 0.0, 2.0, 8.0, 4.5],
    ...                         n_features=2), 4)
    0.8841
    """
    n = as_float_1d(y_true, "y_true").shape[0]
    if not isinstance(n_features, int | np.integer) or n_features < 0:
        raise ValueError(f"n_features: expected a non-negative integer, got {n_features!r}.")
    if n - n_features - 1 <= 0:
        raise ValueError(
            f"n_features: adjusted R² needs n_samples > n_features + 1, got n_samples={n} and "
            f"n_features={n_features}."
        )
    r2 = r2_score(y_true, y_pred, sample_weight=sample_weight)
    return float(1.0 - (1.0 - r2) * (n - 1) / (n - n_features - 1))


def explained_variance_score(y_true, y_pred, *, sample_weight=None,
                             multioutput="uniform_average", force_finite=True):  # fmt: skip
    """Explained variance = 1 − Var(y − ŷ)/Var(y) (ignores a constant bias, unlike R²).

    >>> round(explained_variance_score([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]), 4)
    0.9572
    """
    yt, yp, w, mo = _targets(y_true, y_pred, sample_weight, multioutput)
    resid = yt - yp
    num = _column_mean((resid - _column_mean(resid, w)) ** 2, w)
    den = _column_mean((yt - _column_mean(yt, w)) ** 2, w)
    return _assemble_ratio_scores(num, den, mo, force_finite)


def mean_tweedie_deviance(y_true, y_pred, *, sample_weight=None, power=0.0):
    """Mean Tweedie deviance with variance power p (0 normal, 1 Poisson, 2 gamma).

    d(y, μ) = 2[ max(y,0)^{2−p}/((1−p)(2−p)) − y μ^{1−p}/(1−p) + μ^{2−p}/(2−p) ], with the
    limits (y−μ)² at p=0, 2(y log(y/μ) − y + μ) at p=1 and 2(log(μ/y) + y/μ − 1) at p=2.

    >>> round(mean_tweedie_deviance([2.0, 0.0, 1.0, 4.0], [0.5, 0.5, 2.0, 2.0], power=1), 4)
    1.426
    """
    yt, yp, w, _ = _targets(y_true, y_pred, sample_weight)
    if yt.shape[1] != 1:
        raise ValueError("y_true: the Tweedie deviance supports a single output only.")
    yt, yp = yt.ravel(), yp.ravel()
    p = float(power)
    if 0 < p < 1:
        raise ValueError(f"power: Tweedie deviance is only defined for power <= 0 and power >= 1, "
                         f"got {power!r}.")  # fmt: skip
    if p < 0 and (yp <= 0).any():
        raise ValueError("y_pred: must be strictly positive for power < 0.")
    if 1 <= p < 2 and ((yt < 0).any() or (yp <= 0).any()):
        raise ValueError("y_true/y_pred: need y_true >= 0 and y_pred > 0 for 1 <= power < 2.")
    if p >= 2 and ((yt <= 0).any() or (yp <= 0).any()):
        raise ValueError("y_true/y_pred: need y_true > 0 and y_pred > 0 for power >= 2.")
    if p == 0:
        dev = (yt - yp) ** 2
    elif p == 1:
        dev = 2 * (xlogy(yt, yt / yp) - yt + yp)
    elif p == 2:
        dev = 2 * (np.log(yp / yt) + yt / yp - 1)
    else:
        dev = 2 * (
            np.power(np.maximum(yt, 0), 2 - p) / ((1 - p) * (2 - p))
            - yt * np.power(yp, 1 - p) / (1 - p)
            + np.power(yp, 2 - p) / (2 - p)
        )
    return float(np.average(dev, weights=w))


def mean_poisson_deviance(y_true, y_pred, *, sample_weight=None):
    """Mean Poisson deviance (Tweedie power 1), for counts.

    >>> round(mean_poisson_deviance([2.0, 0.0, 1.0, 4.0], [0.5, 0.5, 2.0, 2.0]), 4)
    1.426
    """
    return mean_tweedie_deviance(y_true, y_pred, sample_weight=sample_weight, power=1)


def mean_gamma_deviance(y_true, y_pred, *, sample_weight=None):
    """Mean gamma deviance (Tweedie power 2), for positive skewed targets.

    >>> round(mean_gamma_deviance([2.0, 0.5, 1.0, 4.0], [0.5, 0.5, 2.0, 2.0]), 4)
    1.0569
    """
    return mean_tweedie_deviance(y_true, y_pred, sample_weight=sample_weight, power=2)
