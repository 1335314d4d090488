"""The helpers behind the generative experiments: judge scores (MS-29), the MNIST judge and its
weight cache, MNIST in [-1, 1], noise baselines and the MNIST DCGAN / U-Net DDPM trainers."""

import math

import numpy as np
import pytest

from glassml.datasets import load_mnist
from glassml.experiments._generative_common import judge_report, noise_baselines
from glassml.experiments._generative_mnist import train_dcgan_mnist, train_ddpm_mnist
from glassml.experiments._mnist_judge import MNISTJudge, judge_cache_dir, mnist_images
from glassml.metrics.generative import frechet_distance_from_features


def test_judge_report_scores_follow_their_formulas():
    rng = np.random.default_rng(0)
    # confident and balanced: every class 10 times, probability 1
    proba = np.eye(10)[np.repeat(np.arange(10), 10)]
    feats, ref = rng.normal(size=(100, 3)), rng.normal(size=(80, 3))
    r = judge_report(proba, feats, ref)
    assert r["mean_max_prob"] == pytest.approx(1.0)
    assert r["class_entropy"] == pytest.approx(math.log(10))
    assert r["inception_score"] == pytest.approx(10.0, rel=1e-6)
    assert r["class_histogram"] == [0.1] * 10
    assert r["frechet"] == pytest.approx(frechet_distance_from_features(feats, ref))
    # uninformative: uniform probabilities -> max-prob 1/K, IS 1
    flat = judge_report(np.full((50, 10), 0.1), feats[:50], ref)
    assert flat["mean_max_prob"] == pytest.approx(0.1)
    assert flat["inception_score"] == pytest.approx(1.0)
    # collapsed onto one class: entropy 0
    one = judge_report(np.eye(10)[np.zeros(30, int)], feats[:30], ref)
    assert one["class_entropy"] == 0.0


def test_mnist_images_scaling_and_downsampling():
    X, y = mnist_images("test")
    raw = load_mnist(return_X_y=True)[2]
    assert X.shape == (10000, 1, 28, 28) and X.dtype == np.float32 and y.shape == (10000,)
    np.testing.assert_allclose(X[:5, 0], raw[:5] / 255.0 * 2 - 1, atol=1e-6)
    X14, y14 = mnist_images("test", size=14)
    assert X14.shape == (10000, 1, 14, 14)
    np.testing.assert_array_equal(y14, y)
    # 2x2 average pooling, by hand on one block
    assert X14[3, 0, 5, 6] == pytest.approx(X[3, 0, 10:12, 12:14].mean(), abs=1e-6)
    with pytest.raises(ValueError, match="split"):
        mnist_images("validation")
    with pytest.raises(ValueError, match="size"):
        mnist_images("test", size=7)


@pytest.fixture(scope="module")
def small_judge(tmp_path_factory):
    """A judge trained on 5,000 images for two epochs (fast), cached in a temporary folder."""
    mp = pytest.MonkeyPatch()
    cache = tmp_path_factory.mktemp("cache")
    mp.setenv("GLASSML_CACHE_DIR", str(cache))
    judge = MNISTJudge(epochs=2, n_train=5000, seed=0)
    yield judge, cache, mp
    mp.undo()


def test_mnist_judge_scores_real_digits_far_better_than_noise(small_judge):
    judge, _, _ = small_judge
    assert not judge.from_cache
    assert judge.test_accuracy > 0.85  # 5,000 images, two epochs
    X, y = mnist_images("test")
    p = judge.proba(X[:500])
    assert p.shape == (500, 10)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-9)
    assert judge.features(X[:7]).shape == (7, 84)
    # the same images given flat, as (N, 28, 28) or (N, 1, 28, 28) score the same
    p20 = judge.proba(X[:20])
    np.testing.assert_array_equal(judge.proba(X[:20].reshape(20, 784)), p20)
    np.testing.assert_array_equal(judge.proba(X[:20, 0]), p20)
    np.testing.assert_allclose(p20, p[:20], rtol=1e-4, atol=1e-7)  # batch-size round-off
    base = noise_baselines(judge, X[:2000], 500)
    assert base["frechet_real"] < 0.1 * base["frechet_uniform"], base
    assert base["frechet_real"] < base["frechet_pixel_gaussian"], base
    real = judge.report(X[2000:2500], X[:2000])
    assert real["mean_max_prob"] > 0.8 and real["class_entropy"] > 0.95 * math.log(10), real


def test_mnist_judge_weights_are_cached_with_nn_save(small_judge):
    judge, cache, _ = small_judge
    entries = list((cache / "judges").iterdir())
    assert len(entries) == 1 and entries[0].name.startswith("mnist_lenet5_")
    assert sorted(p.name for p in entries[0].iterdir()) == ["config.json", "model.safetensors"]
    assert judge_cache_dir() == cache / "judges"
    again = MNISTJudge(epochs=2, n_train=5000, seed=0)  # same config: loaded, not trained
    assert again.from_cache
    X, _ = mnist_images("test")
    np.testing.assert_array_equal(again.proba(X[:50]), judge.proba(X[:50]))
    assert again.test_accuracy == judge.test_accuracy


def test_mnist_judge_bad_inputs(small_judge):
    judge, _, _ = small_judge
    with pytest.raises(ValueError, match="epochs"):
        MNISTJudge(epochs=0)
    with pytest.raises(ValueError, match="n_train"):
        MNISTJudge(n_train=70000)
    with pytest.raises(ValueError, match="max_lr"):
        MNISTJudge(max_lr=-1.0)
    with pytest.raises(ValueError, match=r"samples: expected images of shape \(N, 784\)"):
        judge.report(np.zeros((4, 8, 8)), np.zeros((4, 784)))
    with pytest.raises(ValueError, match="X: expected images"):
        judge.proba(np.zeros(784))


def test_mnist_trainers_shapes_and_bad_inputs():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (16, 1, 28, 28)).astype(np.float32)
    gan = train_dcgan_mnist(X, epochs=1, nz=4, ngf=4, ndf=4, batch_size=8)
    assert len(gan.history["g_loss"]) == 2
    s = gan.sample(3)
    assert s.shape == (3, 1, 28, 28) and np.abs(s).max() <= 1.0
    with pytest.raises(ValueError, match=r"X: expected MNIST images of shape \(N, 1, 28, 28\)"):
        train_dcgan_mnist(X[:, :, :14, :14])
    X14 = X[:, :, ::2, ::2]
    ddpm = train_ddpm_mnist(X14, steps=3, batch_size=8, base_channels=8, timesteps=20)
    assert len(ddpm.history) == 3 and all(np.isfinite(ddpm.history))
    out = ddpm.sample(2, (1, 14, 14), generator=rng, progress=False)
    assert out.shape == (2, 1, 14, 14) and np.isfinite(out).all()
    with pytest.raises(ValueError, match=r"X: expected images of shape \(N, 1, S, S\)"):
        train_ddpm_mnist(X14[:, 0])
