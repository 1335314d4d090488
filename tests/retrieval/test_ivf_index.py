"""IVFIndex: k-means inverted file; recall measured against exact search and FAISS's IVF."""

import faiss
import numpy as np
import pytest

from glassml.retrieval import FlatIndex, IVFIndex, load_index


def _recall(I, I_true):
    return np.mean([len(set(a) & set(b)) / len(b) for a, b in zip(I, I_true, strict=True)])


def _clustered(rng, n, d, n_clusters=50, spread=0.3):
    centers = rng.standard_normal((n_clusters, d)).astype(np.float32)
    return (centers[rng.integers(0, n_clusters, n)] + spread * rng.standard_normal((n, d))).astype(
        np.float32
    )


@pytest.mark.parametrize("metric", ["l2", "ip", "cosine"])
def test_all_lists_probed_is_exact(metric):
    rng = np.random.default_rng(0)
    base = rng.standard_normal((1500, 16)).astype(np.float32)
    q = rng.standard_normal((40, 16)).astype(np.float32)
    index = IVFIndex(16, metric, nlist=30, nprobe=30).add(base)
    D, I = index.search(q, 7)
    D_ref, I_ref = FlatIndex(16, metric).add(base).search(q, 7)
    np.testing.assert_array_equal(I, I_ref)
    np.testing.assert_allclose(D, D_ref, rtol=1e-5, atol=1e-4)


def test_recall_curve_predicts_search_recall():
    rng = np.random.default_rng(1)
    data = _clustered(rng, 5100, 32)
    base, q = data[:5000], data[5000:]
    index = IVFIndex(32, nlist=70).add(base)
    _, I_true = FlatIndex(32, "l2").add(base).search(q, 10)
    curve = index.recall_curve(q, k=10)
    assert np.all(np.diff(curve) >= 0) and curve[-1] == pytest.approx(1.0)
    for nprobe in (1, 3, 10):
        _, I = index.search(q, 10, nprobe=nprobe)
        assert _recall(I, I_true) == pytest.approx(curve[nprobe - 1], abs=1e-9)


def test_default_settings_recall_on_clustered_data_is_high_and_cheap():
    rng = np.random.default_rng(3)
    data = _clustered(rng, 20_200, 64, n_clusters=100)
    base, q = data[:20_000], data[20_000:]
    index = IVFIndex(64).add(base)
    _, I_true = FlatIndex(64, "l2").add(base).search(q, 10)
    _, I = index.search(q, 10)
    assert _recall(I, I_true) >= 0.95
    assert index.effective_nprobe() < len(index.centroids) / 4  # a real saving


@pytest.mark.slow
def test_default_recall_at_10_on_100k_random_384d():
    # the acceptance test: 100k isotropic Gaussian vectors, 384-d, default settings
    rng = np.random.default_rng(0)
    base = rng.standard_normal((100_000, 384), dtype=np.float32)
    q = rng.standard_normal((200, 384), dtype=np.float32)
    index = IVFIndex(384).add(base)
    _, I = index.search(q, 10)
    _, I_true = FlatIndex(384, "l2").add(base).search(q, 10)
    assert _recall(I, I_true) >= 0.95


def test_recall_close_to_faiss_ivf_at_equal_settings():
    rng = np.random.default_rng(5)
    data = _clustered(rng, 8150, 32, n_clusters=40, spread=0.6)
    base, q = data[:8000], data[8000:]
    _, I_true = FlatIndex(32, "l2").add(base).search(q, 10)
    quantizer = faiss.IndexFlatL2(32)
    ref = faiss.IndexIVFFlat(quantizer, 32, 64)
    ref.train(base)
    ref.add(base)
    ours = IVFIndex(32, nlist=64).add(base)
    for nprobe in (2, 8):
        ref.nprobe = nprobe
        r_ref = _recall(ref.search(q, 10)[1], I_true)
        r_ours = _recall(ours.search(q, 10, nprobe=nprobe)[1], I_true)
        assert abs(r_ours - r_ref) < 0.08, (nprobe, r_ours, r_ref)


def test_incremental_add_ids_and_save_load(tmp_path):
    rng = np.random.default_rng(7)
    base = _clustered(rng, 3000, 16, n_clusters=20)
    index = IVFIndex(16, "cosine", nlist=25, random_state=1)
    index.train(base).add(base[:1000], ids=np.arange(1000) + 10_000).add(base[1000:])
    assert len(index) == 3000
    q = base[[5, 1500]]
    _, I = index.search(q, 1, nprobe=25)
    assert I.ravel().tolist() == [10_005, 1500]
    nprobe = index.effective_nprobe()
    loaded = load_index(index.save(tmp_path / "ivf.safetensors"))
    assert isinstance(loaded, IVFIndex) and loaded.effective_nprobe() == nprobe
    for a, b in zip(index.search(q, 5), loaded.search(q, 5), strict=True):
        np.testing.assert_array_equal(a, b)


def test_bad_input_messages():
    with pytest.raises(ValueError, match="nlist"):
        IVFIndex(4, nlist=0)
    with pytest.raises(ValueError, match="target_recall"):
        IVFIndex(4, target_recall=1.5)
    with pytest.raises(RuntimeError, match="before search"):
        IVFIndex(4).search(np.ones(4), 1)
    with pytest.raises(ValueError, match="training vectors"):
        IVFIndex(4, nlist=10).train(np.ones((3, 4)))
    with pytest.raises(RuntimeError, match="nothing to save"):
        IVFIndex(4).save("x.safetensors")
