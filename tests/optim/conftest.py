import pytest

from ._helpers import float64_scalars


@pytest.fixture(autouse=True)
def _torch_float64_scalars():
    with float64_scalars():
        yield
