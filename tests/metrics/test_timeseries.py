"""MASE and sMAPE (MS-26, MS-27) from their definitions and scikit-learn's MAE."""

import numpy as np
import pytest
import sklearn.metrics as skm

import glassml.metrics as gm


@pytest.mark.parametrize("m", [1, 4])
def test_mase(m):
    rng = np.random.default_rng(0)
    train = np.cumsum(rng.normal(size=60))
    y = train[-1] + np.cumsum(rng.normal(size=12))
    yp = y + rng.normal(0, 0.5, 12)
    scale = skm.mean_absolute_error(train[m:], train[:-m])  # in-sample naive forecast MAE
    assert gm.mase(y, yp, y_train=train, m=m) == pytest.approx(
        skm.mean_absolute_error(y, yp) / scale, rel=1e-12
    )
    naive = np.full(12, train[-1])  # the last-value forecast scores about 1 on a random walk
    assert 0.0 < gm.mase(y, naive, y_train=train) < 10.0


def test_smape():
    y = np.array([100.0, 0.0, 50.0, -20.0])
    yp = np.array([110.0, 0.0, 40.0, -10.0])
    terms = [2 * 10 / 210, 0.0, 2 * 10 / 90, 2 * 10 / 30]
    assert gm.smape(y, yp) == pytest.approx(np.mean(terms), rel=1e-12)
    assert gm.smape(y, yp, percent=True) == pytest.approx(100 * np.mean(terms), rel=1e-12)
    assert gm.smape(y, -y) == pytest.approx(1.5)  # opposite signs: 2 per term, 0 for the zeros
    assert gm.smape(yp, y) == pytest.approx(gm.smape(y, yp))  # symmetric in its arguments


def test_bad_inputs():
    with pytest.raises(ValueError, match="m=3"):
        gm.mase([1.0], [1.0], y_train=[1.0, 2.0, 3.0], m=3)
    with pytest.raises(ValueError, match="scale 0"):
        gm.mase([1.0], [2.0], y_train=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gm.smape([1.0, 2.0], [1.0])
