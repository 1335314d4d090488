"""FlatIndex: exact top-k equal to a brute-force sort and to FAISS's flat indexes (TR-19)."""

import faiss
import numpy as np
import pytest

from glassml.retrieval import FlatIndex, load_index


def _brute(base, queries, k, metric):
    """Reference: full scores in float64, full stable sort."""
    b, q = base.astype(np.float64), queries.astype(np.float64)
    if metric == "cosine":
        b = b / np.linalg.norm(b, axis=1, keepdims=True)
        q = q / np.linalg.norm(q, axis=1, keepdims=True)
    if metric == "l2":
        s = ((q[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        order = np.argsort(s, axis=1, kind="stable")
    else:
        s = q @ b.T
        order = np.argsort(-s, axis=1, kind="stable")
    order = order[:, :k]
    return np.take_along_axis(s, order, axis=1), order


@pytest.mark.parametrize("metric", ["ip", "l2", "cosine"])
@pytest.mark.parametrize("k", [1, 5, 17])
def test_matches_brute_force(metric, k):
    rng = np.random.default_rng(k)
    base = rng.standard_normal((500, 24)).astype(np.float32)
    queries = rng.standard_normal((37, 24)).astype(np.float32)
    D, I = FlatIndex(24, metric).add(base).search(queries, k)
    D_ref, I_ref = _brute(base, queries, k, metric)
    np.testing.assert_array_equal(I, I_ref)
    np.testing.assert_allclose(D, D_ref, rtol=1e-4, atol=1e-4)
    assert D.dtype == np.float32 and I.dtype == np.int64


@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_matches_faiss(metric):
    rng = np.random.default_rng(0)
    base = rng.standard_normal((3000, 64)).astype(np.float32)
    queries = rng.standard_normal((50, 64)).astype(np.float32)
    ref = faiss.IndexFlatIP(64) if metric == "ip" else faiss.IndexFlatL2(64)
    ref.add(base)
    D_ref, I_ref = ref.search(queries, 10)
    D, I = FlatIndex(64, metric).add(base).search(queries, 10)
    np.testing.assert_array_equal(I, I_ref)
    np.testing.assert_allclose(D, D_ref, rtol=1e-4, atol=1e-3)


def test_cosine_equals_ip_on_normalised_and_l2_ranking():
    # CL-201: on unit vectors cosine == inner product, and L2 ranks like cosine
    rng = np.random.default_rng(1)
    base = rng.standard_normal((400, 16)).astype(np.float32)
    unit = base / np.linalg.norm(base, axis=1, keepdims=True)
    q = rng.standard_normal((20, 16)).astype(np.float32)
    q_unit = q / np.linalg.norm(q, axis=1, keepdims=True)
    _, I_cos = FlatIndex(16, "cosine").add(base).search(q, 8)
    _, I_ip = FlatIndex(16, "ip").add(unit).search(q_unit, 8)
    _, I_l2 = FlatIndex(16, "l2").add(unit).search(q_unit, 8)
    np.testing.assert_array_equal(I_cos, I_ip)
    np.testing.assert_array_equal(I_cos, I_l2)


def test_user_ids_blocks_and_padding():
    rng = np.random.default_rng(2)
    base = rng.standard_normal((50, 8)).astype(np.float32)
    ids = np.arange(1000, 1050)
    index = FlatIndex(8, "l2", max_block_bytes=4 * 50 * 3)  # 3 queries per block
    index.add(base[:20], ids=ids[:20]).add(base[20:], ids=ids[20:])
    q = rng.standard_normal((10, 8)).astype(np.float32)
    _, I_ref = _brute(base, q, 5, "l2")
    _, I = index.search(q, 5)
    np.testing.assert_array_equal(I, ids[I_ref])
    D, I = index.search(q, 60)  # more than stored: padded like FAISS
    assert (I[:, 50:] == -1).all() and np.isinf(D[:, 50:]).all()
    assert (I[:, :50] >= 1000).all()
    empty_D, empty_I = FlatIndex(8).search(q, 3)
    assert (empty_I == -1).all() and (empty_D == -np.inf).all()


def test_save_load_roundtrip(tmp_path):
    rng = np.random.default_rng(3)
    base = rng.standard_normal((100, 12)).astype(np.float32)
    index = FlatIndex(12, "cosine").add(base, ids=np.arange(100) * 7)
    path = index.save(tmp_path / "flat.safetensors")
    loaded = load_index(path)
    assert isinstance(loaded, FlatIndex) and loaded.metric == "cosine" and len(loaded) == 100
    q = rng.standard_normal((5, 12))
    for a, b in zip(index.search(q, 4), loaded.search(q, 4), strict=True):
        np.testing.assert_array_equal(a, b)


def test_bad_input_messages(tmp_path):
    with pytest.raises(ValueError, match="dim"):
        FlatIndex(0)
    with pytest.raises(ValueError, match="metric"):
        FlatIndex(4, "manhattan")
    index = FlatIndex(4)
    with pytest.raises(ValueError, match="dimension 4"):
        index.add(np.ones((3, 5)))
    with pytest.raises(ValueError, match="NaN"):
        index.add(np.full((1, 4), np.nan))
    with pytest.raises(TypeError, match="numeric"):
        index.add(np.array([["a"] * 4]))
    with pytest.raises(ValueError, match="ids"):
        index.add(np.ones((2, 4)), ids=[1, 2, 3])
    index.add(np.ones((2, 4)))
    with pytest.raises(ValueError, match="k"):
        index.search(np.ones(4), k=0)
    with pytest.raises(FileNotFoundError, match="no index file"):
        load_index(tmp_path / "missing.safetensors")
    bogus = tmp_path / "bogus.safetensors"
    from glassml.io import safetensors

    safetensors.save_file({"x": np.zeros(2)}, bogus, metadata={"format": "other"})
    with pytest.raises(ValueError, match="not a glassml vector index"):
        load_index(bogus)
