"""Our safetensors reader/writer against the reference `safetensors` package."""

import numpy as np
import pytest
import safetensors.numpy as st_ref

from glassml.io import load_file, read_metadata, save_bytes, save_file
from glassml.io.safetensors import load_bytes

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.int8, np.uint8, np.bool_]


def _tensors(rng):
    out = {f"t_{np.dtype(d).name}": (rng.standard_normal((3, 4)) * 10).astype(d) for d in DTYPES}
    out["empty"] = np.zeros((0, 5), np.float32)
    out["scalar"] = np.array(3.5)
    out["non_contiguous"] = rng.standard_normal((4, 6))[:, ::2]
    return out


def test_our_file_reads_in_reference_and_back(tmp_path):
    tensors = _tensors(np.random.default_rng(0))
    path = tmp_path / "ours.safetensors"
    save_file(tensors, path, metadata={"k": "v"})
    ref = st_ref.load_file(str(path))
    assert set(ref) == set(tensors)
    for k, v in tensors.items():
        np.testing.assert_array_equal(ref[k], v)
    assert read_metadata(path) == {"k": "v"}


def test_reference_file_reads_in_ours(tmp_path):
    tensors = _tensors(np.random.default_rng(1))
    tensors.pop("non_contiguous")
    path = tmp_path / "ref.safetensors"
    st_ref.save_file(tensors, str(path), metadata={"a": "b"})
    ours = load_file(path)
    for k, v in tensors.items():
        np.testing.assert_array_equal(ours[k], v)
        assert ours[k].dtype == v.dtype
    assert read_metadata(path) == {"a": "b"}


def test_minilm_weights_match_reference():
    from glassml.datasets import minilm_files

    path = minilm_files().weights
    ours, ref = load_file(path), st_ref.load_file(str(path))
    assert len(ours) == len(ref) == 104  # 103 float32 weights + int64 position_ids
    for k in ref:
        np.testing.assert_array_equal(ours[k], ref[k])


@pytest.mark.parametrize(
    "blob, match",
    [
        (b"abc", "shorter than 8 bytes"),
        ((10**12).to_bytes(8, "little") + b"{}", "corrupted safetensors header"),
        ((2).to_bytes(8, "little") + b"[]", "not a JSON object"),
    ],
)
def test_corrupted_files_give_clear_errors(blob, match):
    with pytest.raises(ValueError, match=match):
        load_bytes(blob)


def test_inconsistent_offsets_are_rejected():
    blob = bytearray(save_bytes({"w": np.ones(4, np.float32)}))
    with pytest.raises(ValueError, match="inconsistent offsets"):
        load_bytes(bytes(blob[:-4]))


def test_unsupported_dtype_and_bad_metadata():
    with pytest.raises(TypeError, match="cannot be stored"):
        save_bytes({"c": np.ones(2, np.complex64)})
    with pytest.raises(TypeError, match="metadata: expected a dict of str -> str"):
        save_bytes({"w": np.ones(2)}, metadata={"a": 1})
