"""Real task (issue 8): DCGAN and DDPM produce samples that our own digit classifier recognises
as digits, with a Fréchet distance on its features far below that of noise images (MS-29, GN-03,
GN-14..GN-17).

* 8x8 digits (the experiments' quick mode): DCGAN at image_size 8 and the MLP-denoiser DDPM,
  judged by an MLP classifier;
* 28x28 MNIST: the MNIST judge (LeNet-5 trained on the 60,000 training images) reaches >= 98.5%
  test accuracy. The MNIST runs (DCGAN 2 epochs on 60,000 images, U-Net DDPM) are the full mode
  of the ``dcgan_ddpm_digits`` experiment (glassml.experiments._generative_mnist).
"""

import math

import numpy as np
import pytest

from glassml.experiments._generative_common import (
    DigitJudge,
    digits,
    noise_baselines,
    train_dcgan_digits,
    train_ddpm_digits,
)
from glassml.experiments._mnist_judge import MNISTJudge


@pytest.fixture(scope="module")
def data():
    X, y, tr, te = digits()
    judge = DigitJudge(X[tr], y[tr])
    acc = (judge.proba(X[te]).argmax(1) == y[te]).mean()
    assert acc > 0.93  # the judge itself recognises real test digits
    base = noise_baselines(judge, X[te], 396)
    assert base["frechet_real"] < 0.1 * base["frechet_uniform"]
    return X, tr, te, judge, base


def _check(report, base):
    assert report["frechet"] < base["frechet_uniform"] / 4, report
    assert report["frechet"] < base["frechet_gaussian"] / 4, report
    # even below independent pixels with the data's per-pixel mean and std
    assert report["frechet"] < base["frechet_pixel_gaussian"], report
    assert report["class_entropy"] > 0.85 * math.log(10), report  # all classes produced
    assert report["mean_max_prob"] > 0.6, report


@pytest.mark.slow
def test_dcgan_generates_recognisable_digits(data):
    X, tr, te, judge, base = data
    trainer = train_dcgan_digits(X[tr], epochs=15, seed=0)
    samples = trainer.sample(500).reshape(500, 64)
    assert np.abs(samples).max() <= 1.0  # tanh output
    report = judge.report(samples, X[te])
    print("DCGAN", report, base)
    _check(report, base)


@pytest.mark.slow
def test_ddpm_generates_recognisable_digits(data):
    X, tr, te, judge, base = data
    ddpm = train_ddpm_digits(X[tr], epochs=60, seed=0)
    assert ddpm.history[-1] < 0.5 * ddpm.history[0]
    # the full ancestral sampler (T = 1000 steps, sigma_t^2 = beta_t)
    samples = ddpm.sample(500, (64,), generator=np.random.default_rng(1), progress=False)
    report = judge.report(samples, X[te])
    print("DDPM", report, base)
    _check(report, base)


# ----------------------------------------------------------------------------- 28x28 MNIST
@pytest.fixture(scope="module")
def mnist_judge(tmp_path_factory):
    mp = pytest.MonkeyPatch()  # cache the weights in a temporary folder, not the user's
    mp.setenv("GLASSML_CACHE_DIR", str(tmp_path_factory.mktemp("judge_cache")))
    judge = MNISTJudge(progress=False)
    yield judge
    mp.undo()


@pytest.mark.slow
def test_mnist_judge_reaches_98_5_percent(mnist_judge):
    print("MNIST judge test accuracy", mnist_judge.test_accuracy)
    assert mnist_judge.test_accuracy >= 0.985
