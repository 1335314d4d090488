"""GGUF reader against llama.cpp's own Python package (``gguf``: GGUFReader, quants).

Bit-for-bit dequantisation on synthetic files of every supported type and on the SmolLM2 file
(all small tensors and a few large ones fully, the first rows of every other one).
"""

import gguf  # (test-only reference; installed by make test)
import numpy as np
import pytest

from glassml.io.gguf import GGUFError, GGUFFile, dequantize

Q = gguf.GGMLQuantizationType


def _bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def _write(path, tensors, metadata=None, alignment=None):
    """A GGUF file written by llama.cpp's writer: tensors = {name: (float array, qtype)}."""
    w = gguf.GGUFWriter(str(path), "llama")
    if alignment is not None:
        w.add_custom_alignment(alignment)
    for key, (kind, value) in (metadata or {}).items():
        getattr(w, f"add_{kind}")(key, value)
    for name, (values, qtype) in tensors.items():
        if qtype in (Q.F32, Q.F16):
            w.add_tensor(name, values.astype(np.float32 if qtype == Q.F32 else np.float16))
        else:
            raw = gguf.quants.quantize(values, qtype)
            w.add_tensor(name, raw, raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    rng = np.random.default_rng(0)
    tensors = {
        f"w.{q.name}": ((rng.standard_normal((6, 64)) * 3).astype(np.float32), q)
        for q in (Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q8_0, Q.F16, Q.F32, Q.BF16)
    }
    tensors["vec"] = (rng.standard_normal(7).astype(np.float32), Q.F32)
    tensors["cube"] = (rng.standard_normal((2, 3, 32)).astype(np.float32), Q.Q4_1)
    metadata = {
        "t.u8": ("uint8", 200),
        "t.i8": ("int8", -5),
        "t.u16": ("uint16", 60000),
        "t.i16": ("int16", -30000),
        "t.u32": ("uint32", 4_000_000_000),
        "t.i32": ("int32", -2_000_000_000),
        "t.u64": ("uint64", 2**63 + 5),
        "t.i64": ("int64", -(2**62)),
        "t.f32": ("float32", 0.1),
        "t.f64": ("float64", 0.1),
        "t.bool": ("bool", True),
        "t.str": ("string", "héllo ✓"),
        "t.ints": ("array", [1, 2, 3]),
        "t.strs": ("array", ["a", "", "ünï"]),
        "t.floats": ("array", [0.5, -1.5]),
    }
    path = _write(tmp_path_factory.mktemp("gguf") / "synthetic.gguf", tensors, metadata, 64)
    return path, tensors


def test_synthetic_metadata_matches_reader(synthetic):
    path, _ = synthetic
    ours, ref = GGUFFile(path), gguf.GGUFReader(path)
    assert ours.version == 3 and ours.alignment == 64
    assert list(ours.metadata) == [k for k in ref.fields if not k.startswith("GGUF.")]
    for key, field in ref.fields.items():
        if key.startswith("GGUF."):
            continue
        expected = field.contents()
        got = ours.metadata[key]
        if isinstance(got, np.ndarray):
            np.testing.assert_array_equal(got, np.asarray(expected, dtype=got.dtype))
        elif isinstance(expected, float):
            assert got == pytest.approx(expected, rel=1e-7), key
        else:
            assert got == expected, key
    assert ours.metadata["t.u64"] == 2**63 + 5 and ours.metadata["t.strs"] == ["a", "", "ünï"]
    assert ours.data_offset % 64 == 0


def test_synthetic_tensors_bit_identical(synthetic):
    path, tensors = synthetic
    ours, ref = GGUFFile(path), gguf.GGUFReader(path)
    assert set(ours.tensors) == set(tensors)
    for rt in ref.tensors:
        info = ours.tensors[rt.name]
        assert info.dims == tuple(int(d) for d in rt.shape)
        assert info.shape == tensors[rt.name][0].shape  # NumPy order = reversed GGUF dims
        assert info.type_name == rt.tensor_type.name
        expected = gguf.quants.dequantize(rt.data, rt.tensor_type).astype(np.float32)
        got = ours.tensor(rt.name)
        assert got.dtype == np.float32
        assert _bits_equal(got, expected.reshape(info.shape)), rt.name
        # and close to the values that were quantised (Q4 error <= one step of the block)
        np.testing.assert_allclose(got, tensors[rt.name][0], atol=1.5)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # gguf.quants on inf/NaN scales
@pytest.mark.parametrize("qtype", [Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q8_0, Q.F16, Q.BF16])
def test_random_blocks_bit_identical(qtype):
    """Arbitrary bytes (any scales, incl. inf/NaN halves) decode exactly like gguf.quants."""
    rng = np.random.default_rng(int(qtype))
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    n_blocks = 257
    raw = rng.integers(0, 256, (n_blocks, size), dtype=np.uint8)
    expected = gguf.quants.dequantize(raw, qtype).reshape(-1)
    got = dequantize(raw.reshape(-1), int(qtype), n_blocks * block)
    assert _bits_equal(got, expected.astype(np.float32))


def test_q4_1_and_q8_0_layout_by_hand():
    """Q4_1: x = q d + m, low nibbles are elements 0-15; Q8_0: x = q d (int8)."""
    d, m = np.float16(0.5), np.float16(-2.0)
    nibbles = np.arange(16, dtype=np.uint8) | (np.uint8(15) << 4)  # lo = 0..15, hi = 15
    block = np.concatenate([[d], [m]]).view(np.uint8).tolist() + nibbles.tolist()
    x = dequantize(np.array(block, np.uint8), 3, 32)
    np.testing.assert_array_equal(x[:16], np.arange(16) * 0.5 - 2.0)
    np.testing.assert_array_equal(x[16:], np.full(16, 15 * 0.5 - 2.0))
    q = np.arange(-16, 16, dtype=np.int8)
    block8 = np.concatenate([np.array([0.25], np.float16).view(np.uint8), q.view(np.uint8)])
    np.testing.assert_array_equal(dequantize(block8, 8, 32), q * 0.25)


# ---------------------------------------------------------------------- malformed files
def test_bad_magic(tmp_path):
    p = tmp_path / "x.gguf"
    p.write_bytes(b"GGML" + bytes(60))
    with pytest.raises(GGUFError, match="not a GGUF file.*magic"):
        GGUFFile(p)


def test_empty_and_missing(tmp_path):
    p = tmp_path / "empty.gguf"
    p.write_bytes(b"")
    with pytest.raises(GGUFError, match="empty"):
        GGUFFile(p)
    with pytest.raises(FileNotFoundError, match="not a file"):
        GGUFFile(tmp_path / "nope.gguf")


def test_unsupported_version(tmp_path):
    p = tmp_path / "v9.gguf"
    p.write_bytes(b"GGUF" + (9).to_bytes(4, "little") + bytes(16))
    with pytest.raises(GGUFError, match="version 9 is not supported"):
        GGUFFile(p)


@pytest.mark.parametrize("cut", [10, 40, 300, -100])
def test_truncated(synthetic, tmp_path, cut):
    path, _ = synthetic
    data = path.read_bytes()
    p = tmp_path / "cut.gguf"
    p.write_bytes(data[:cut])
    with pytest.raises(GGUFError, match="truncated|corrupt"):
        GGUFFile(p)


def test_unsupported_type_and_unknown_tensor(tmp_path, synthetic):
    with pytest.raises(NotImplementedError, match="Q4_K is not supported"):
        dequantize(np.zeros(144, np.uint8), 12, 256)
    with pytest.raises(KeyError, match="no tensor named 'nope'"):
        GGUFFile(synthetic[0]).tensor("nope")


# ---------------------------------------------------------------------- the SmolLM2 file
@pytest.fixture(scope="module")
def smollm2():
    from glassml.datasets import smollm2_file

    path = smollm2_file()
    return GGUFFile(path), gguf.GGUFReader(path)


@pytest.mark.slow
def test_smollm2_file_matches_reader(smollm2):
    """Real task: every metadata value and tensor info; every tensor's values bit-identical
    (small ones and three large ones fully, the first two rows of all others)."""
    ours, ref = smollm2
    assert ours.version == 3 and len(ours.tensors) == 272
    for key, field in ref.fields.items():
        if key.startswith("GGUF."):
            continue
        got, expected = ours.metadata[key], field.contents()
        if isinstance(got, np.ndarray):
            np.testing.assert_array_equal(got, expected)
        elif isinstance(expected, float):
            assert got == pytest.approx(expected, rel=1e-7)
        else:
            assert got == expected, key
    assert ours.metadata["tokenizer.ggml.tokens"][1] == "<|im_start|>"
    full = {"token_embd.weight", "blk.0.ffn_down.weight", "blk.29.attn_q.weight"}
    for rt in ref.tensors:
        info = ours.tensors[rt.name]
        assert (
            info.dims == tuple(int(d) for d in rt.shape) and info.type_name == rt.tensor_type.name
        )
        if rt.n_elements <= 4096 or rt.name in full:
            expected = gguf.quants.dequantize(rt.data, rt.tensor_type).reshape(info.shape)
            assert _bits_equal(ours.tensor(rt.name), expected), rt.name
        else:  # first two rows: rt.data is (rows, bytes per row)
            expected = gguf.quants.dequantize(rt.data[:2], rt.tensor_type)
            assert _bits_equal(ours.tensor(rt.name)[:2], expected), rt.name
    counts = {}
    for info in ours.tensors.values():
        counts[info.type_name] = counts.get(info.type_name, 0) + 1
    assert counts == {"Q4_1": 210, "Q8_0": 1, "F32": 61}
    assert ours.tensor("blk.0.attn_k.weight").shape == (192, 576)  # (out, in)
