"""nn.save / nn.load: config.json + model.safetensors, readable by torch's safetensors loader."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file as torch_load_file
from safetensors.torch import save_file as torch_save_file

from glassml import nn
from glassml.autograd import tensor


def _model():
    return nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))


def _torch_model():
    return torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Linear(6, 2)
    )


def test_save_writes_config_and_torch_loadable_safetensors(tmp_path):
    model = _model()
    model(tensor(np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)))
    nn.save(model, tmp_path, {"hidden": 6})
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["config"] == {"hidden": 6} and config["class"].endswith(":Sequential")
    state = torch_load_file(str(tmp_path / "model.safetensors"))
    ref = _torch_model()
    ref.load_state_dict(state)  # strict: same keys and shapes as torch's own model
    ref.eval(), model.eval()
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(
        model(tensor(x)).numpy(), ref(torch.from_numpy(x)).detach(), rtol=1e-5, atol=1e-6
    )


def test_load_torch_written_file_into_glassml(tmp_path):
    ref = _torch_model().eval()
    torch_save_file(ref.state_dict(), str(tmp_path / "model.safetensors"))
    model = nn.load(tmp_path, _model()).eval()
    x = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(
        model(tensor(x)).numpy(), ref(torch.from_numpy(x)).detach(), rtol=1e-5, atol=1e-6
    )


def test_round_trip_rebuilds_from_config(tmp_path):
    layer = nn.Linear(3, 2, bias=False)
    nn.save(layer, tmp_path, {"in_features": 3, "out_features": 2, "bias": False})
    loaded = nn.load(tmp_path)
    assert isinstance(loaded, nn.Linear) and loaded.bias is None
    np.testing.assert_array_equal(loaded.weight.numpy(), layer.weight.numpy())
    assert nn.load_config(tmp_path)["config"]["in_features"] == 3


def test_save_load_errors(tmp_path):
    with pytest.raises(TypeError, match="glassml.nn.Module"):
        nn.save(object(), tmp_path)
    with pytest.raises(TypeError, match="JSON-serialisable"):
        nn.save(nn.Linear(1, 1), tmp_path / "a", {"x": object()})
    with pytest.raises(FileNotFoundError, match="model.safetensors"):
        nn.load(tmp_path / "missing")
    nn.save(nn.Linear(2, 2), tmp_path / "b")
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        nn.load(tmp_path / "b", nn.Linear(3, 2))
    (tmp_path / "b" / "config.json").write_text(json.dumps({"class": "os:system", "config": {}}))
    with pytest.raises(ValueError, match="not a glassml class"):
        nn.load(tmp_path / "b")


def test_batchnorm_round_trip_keeps_zero_dim_buffers(tmp_path):
    from glassml import nn as gnn

    model = gnn.Sequential(gnn.Conv2d(1, 2, 3), gnn.BatchNorm2d(2))
    assert model[1].num_batches_tracked.data.shape == ()
    gnn.save(model, tmp_path / "bn")
    loaded = gnn.load(tmp_path / "bn", gnn.Sequential(gnn.Conv2d(1, 2, 3), gnn.BatchNorm2d(2)))
    assert loaded[1].num_batches_tracked.data.shape == ()
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(loaded.state_dict()[key].data, value.data)
