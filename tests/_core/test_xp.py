import numpy as np
import pytest

from glassml._core.xp import get_backend, get_namespace, set_backend, to_numpy, xp


def test_numpy_backend_by_default():
    assert get_backend() == "numpy"
    assert xp.zeros(3).dtype == np.float64
    assert get_namespace(np.ones(2)) is np
    np.testing.assert_array_equal(to_numpy(np.arange(3)), [0, 1, 2])


def test_unknown_backend_is_rejected():
    with pytest.raises(ValueError, match="name: expected 'numpy' or 'cupy', got 'jax'"):
        set_backend("jax")
