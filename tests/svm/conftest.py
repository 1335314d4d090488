"""Shared small datasets for the SVM oracle tests."""

import numpy as np
import pytest


def _datasets():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((70, 4))
    y_binary = (X[:, 0] + X[:, 1] ** 2 > 0.8).astype(int)
    y_three = np.digitize(X[:, 0] + 0.5 * X[:, 2], [-0.5, 0.5])
    rng = np.random.default_rng(1)
    X4 = rng.standard_normal((90, 3)) + np.repeat(np.eye(3) * 1.5, 30, axis=0)
    X4 = np.vstack([X4, rng.standard_normal((30, 3)) - 1.2])
    y_four = np.repeat(np.array(["d", "a", "c", "b"]), 30)  # string labels, not sorted
    return {
        "binary": (X, y_binary),
        "three": (X, y_three),
        "four_strings": (X4, y_four),
    }


DATASETS = _datasets()


@pytest.fixture(params=sorted(DATASETS))
def classification(request):
    return DATASETS[request.param]
