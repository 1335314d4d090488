"""Neural networks inside saved estimators: config.json + model.safetensors (torch keys)."""

import numpy as np
import pytest
import torch
from safetensors.torch import load_file as torch_load_file

from glassml import nn
from glassml.autograd import tensor
from glassml.datasets import load_digits
from glassml.io import load_estimator, load_network, save_estimator, save_network
from glassml.models import MLPClassifier


def _fitted_mlp():
    X, y = load_digits(return_X_y=True)
    X = X[:300] / 16.0
    y = y[:300]
    return MLPClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=0).fit(X, y), X


@pytest.mark.filterwarnings("ignore::glassml._core.ConvergenceWarning")
def test_mlp_classifier_network_is_saved_as_config_and_safetensors(tmp_path):
    model, X = _fitted_mlp()
    save_estimator(model, tmp_path / "m")
    net_dir = tmp_path / "m" / "network_0"
    assert sorted(p.name for p in net_dir.iterdir()) == ["config.json", "model.safetensors"]
    # the weights load into the equivalent torch network under the same keys
    ref = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    ref = ref.double()  # MLPClassifier trains in float64
    ref.load_state_dict(torch_load_file(net_dir / "model.safetensors"))
    logits_ref = ref(torch.from_numpy(X)).detach().numpy()
    loaded = load_estimator(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    expected = np.exp(logits_ref - logits_ref.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=1e-6, atol=1e-9)


@pytest.mark.filterwarnings("ignore::glassml._core.ConvergenceWarning")
def test_tampered_weights_are_detected(tmp_path):
    model, _ = _fitted_mlp()
    save_estimator(model, tmp_path / "m")
    weights = tmp_path / "m" / "network_0" / "model.safetensors"
    raw = bytearray(weights.read_bytes())
    raw[-1] ^= 0xFF
    weights.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_estimator(tmp_path / "m")


def _tied():
    """A glassml network with a tied weight and a non-persistent buffer."""
    net = nn.Sequential(nn.Embedding(7, 4), nn.Linear(4, 7, bias=False))
    net[1].weight = net[0].weight  # weight tying
    net.register_buffer("scale", tensor([2.0]), persistent=False)
    return net


def test_network_roundtrip_keeps_ties_and_non_persistent_buffers(tmp_path):
    net = _tied()
    digests = save_network(net, tmp_path / "net")
    loaded = load_network(tmp_path / "net", digests)
    assert type(loaded) is nn.Sequential
    assert loaded[1].weight is loaded[0].weight
    np.testing.assert_array_equal(loaded[0].weight.data, net[0].weight.data)
    np.testing.assert_array_equal(loaded.scale.data, [2.0])
    assert sorted(loaded.state_dict()) == sorted(net.state_dict())


def test_missing_files_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a saved glassml network"):
        load_network(tmp_path)
