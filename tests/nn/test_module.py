"""nn.Module, containers and state_dict: against torch.nn (key names, repr, round-trips)."""

from collections import OrderedDict

import numpy as np
import pytest
import torch

from glassml import nn
from glassml.autograd import Parameter, Tensor, tensor, zeros


def _torch_mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(5, 7),
        torch.nn.BatchNorm1d(7),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.3),
        torch.nn.Linear(7, 3),
    ).double()


def _glass_mlp():
    return nn.Sequential(
        nn.Linear(5, 7), nn.BatchNorm1d(7), nn.ReLU(), nn.Dropout(0.3), nn.Linear(7, 3)
    ).double()


class Net(nn.Module):
    def __init__(self, lib):
        super().__init__()
        self.features = lib.Sequential(lib.Conv2d(2, 4, 3), lib.BatchNorm2d(4), lib.ReLU())
        self.layers = lib.ModuleList([lib.Linear(4, 6), lib.Linear(6, 2)])
        self.heads = lib.ModuleDict({"cls": lib.Linear(2, 3), "reg": lib.Linear(2, 1)})
        self.norm = lib.LayerNorm(6)


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        lib = torch.nn
        self.features = lib.Sequential(lib.Conv2d(2, 4, 3), lib.BatchNorm2d(4), lib.ReLU())
        self.layers = lib.ModuleList([lib.Linear(4, 6), lib.Linear(6, 2)])
        self.heads = lib.ModuleDict({"cls": lib.Linear(2, 3), "reg": lib.Linear(2, 1)})
        self.norm = lib.LayerNorm(6)


def test_state_dict_keys_shapes_and_dtypes_equal_torch():
    ours, ref = Net(nn).state_dict(), TorchNet().state_dict()
    assert list(ours) == list(ref)
    for key in ref:
        assert tuple(ours[key].shape) == tuple(ref[key].shape), key
        assert str(ours[key].dtype) == str(ref[key].dtype).removeprefix("torch."), key


def test_named_parameters_buffers_modules_match_torch():
    ours, ref = Net(nn), TorchNet()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in ref.named_children()]
    assert nn.count_parameters(ours) == sum(p.numel() for p in ref.parameters())


def test_repr_matches_torch():
    assert repr(Net(nn)) == repr(TorchNet()).replace("TorchNet", "Net")
    assert repr(_glass_mlp()) == repr(_torch_mlp())


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_state_dict_round_trip_glassml_to_torch_and_back(mode):
    rng = np.random.default_rng(0)
    ours, ref = _glass_mlp(), _torch_mlp()
    x = rng.standard_normal((6, 5))
    ours.train()(tensor(x))  # move running statistics away from their defaults
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )
    getattr(ours, mode)(), getattr(ref, mode)()
    ours[3].p = ref[3].p = 0.0  # deterministic comparison in train mode
    out = ours(tensor(x)).numpy()
    np.testing.assert_allclose(out, ref(torch.from_numpy(x)).detach().numpy(), rtol=1e-10)
    # and back: torch -> glassml (fresh model)
    back = _glass_mlp()
    back.load_state_dict(ref.state_dict())
    getattr(back, mode)()
    back[3].p = 0.0
    for key, value in ref.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[key].numpy(), value.numpy())


def test_tied_weights_appear_once_in_parameters_but_in_state_dict_twice():
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    b.weight = a.weight
    model = nn.Sequential(a, b)
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "1.bias"]
    assert len(list(model.parameters())) == 3
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert nn.count_parameters(model) == 9 + 3 + 3


def test_registration_order_and_reassignment():
    m = nn.Module()
    m.b = Parameter(np.zeros(2))
    m.a = nn.Linear(2, 2)
    m.register_buffer("stat", zeros(2))
    m.register_buffer("tmp", zeros(1), persistent=False)
    assert [n for n, _ in m.named_parameters()] == ["b", "a.weight", "a.bias"]
    assert list(m.state_dict()) == ["b", "stat", "a.weight", "a.bias"]
    assert [n for n, _ in m.named_buffers()] == ["stat", "tmp"]
    m.a = None
    assert [n for n, _ in m.named_parameters()] == ["b"]
    with pytest.raises(TypeError, match="buffer 'stat'"):
        m.stat = 3.0
    with pytest.raises(TypeError, match="parameter 'b'"):
        m.b = np.zeros(2)
    m.plain = 5
    assert m.plain == 5 and "plain" not in m.state_dict()
    del m.b
    assert not list(m.parameters())
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        _ = m.missing


def test_setattr_before_init_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.w = Parameter(np.zeros(1))

    with pytest.raises(AttributeError, match="super"):
        Bad()


def test_register_name_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", zeros(1))
    with pytest.raises(TypeError, match="Tensor or None"):
        m.register_buffer("x", np.zeros(1))
    with pytest.raises(TypeError, match="Parameter or None"):
        m.register_parameter("w", zeros(1))
    with pytest.raises(TypeError, match="not a Module"):
        m.add_module("sub", 3)


def test_train_eval_apply_requires_grad_zero_grad():
    model = _glass_mlp()
    assert model.training and model[1].training
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="boolean"):
        model.train("yes")
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "Sequential"]
    out = model(tensor(np.random.default_rng(1).standard_normal((4, 5))))
    (out * out).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(float(np.abs(p.grad.numpy()).sum()) == 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_to_dtype_casts_floating_params_and_buffers_only():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert model[0].weight.dtype == np.float32
    weight = model[0].weight
    model.double()
    assert model[0].weight is weight and weight.dtype == np.float64
    assert model[1].running_mean.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64
    model.to("float32")
    assert weight.dtype == np.float32
    model.to(np.float64)
    assert model[1].running_var.dtype == np.float64
    with pytest.raises(TypeError, match="floating"):
        model.to(np.int32)


def test_load_state_dict_errors_list_keys():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    state = model.state_dict()
    missing = OrderedDict((k, v) for k, v in state.items() if k != "1.bias")
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "1.bias"'):
        model.load_state_dict(missing)
    extra = OrderedDict(state)
    extra["2.weight"] = zeros(1)
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "2.weight"'):
        model.load_state_dict(extra)
    bad = OrderedDict(state)
    bad["0.weight"] = zeros(4, 2)
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.weight: .*\(4, 2\).*\(3, 2\)"):
        model.load_state_dict(bad)
    with pytest.raises(RuntimeError, match="size mismatch"):
        model.load_state_dict(bad, strict=False)  # shape errors raise even when not strict
    result = model.load_state_dict(extra, strict=False)
    assert result.missing_keys == [] and result.unexpected_keys == ["2.weight"]
    result = model.load_state_dict(missing, strict=False)
    assert result.missing_keys == ["1.bias"]
    with pytest.raises(TypeError, match="mapping"):
        model.load_state_dict([1, 2])


def test_load_state_dict_copies_in_place_and_casts():
    model = nn.Linear(2, 2)
    weight = model.weight
    values = np.arange(4.0).reshape(2, 2)  # float64 -> cast to float32 parameter
    model.load_state_dict({"weight": values, "bias": np.zeros(2)})
    assert model.weight is weight and weight.dtype == np.float32
    np.testing.assert_array_equal(weight.numpy(), values)
    values[0, 0] = 99.0
    assert weight.numpy()[0, 0] == 0.0  # copied, not aliased


def test_forward_hooks_and_pre_hooks():
    layer = nn.Linear(2, 2)
    calls = []
    h1 = layer.register_forward_pre_hook(lambda m, args: (args[0] * 0.0,))
    h2 = layer.register_forward_hook(lambda m, args, out: calls.append(out.shape))
    out = layer(tensor(np.ones((3, 2))).float())
    np.testing.assert_allclose(out.numpy(), np.broadcast_to(layer.bias.numpy(), (3, 2)))
    assert calls == [(3, 2)]
    h1.remove(), h2.remove()
    layer(tensor(np.ones((3, 2))).float())
    assert calls == [(3, 2)]


def test_sequential_indexing_slicing_append_insert_delete():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    ref = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert repr(seq[1:]) == repr(ref[1:])
    seq.append(nn.Sigmoid()), ref.append(torch.nn.Sigmoid())
    seq.insert(1, nn.Tanh()), ref.insert(1, torch.nn.Tanh())
    assert repr(seq) == repr(ref)
    del seq[1], ref[1]
    assert repr(seq) == repr(ref)
    assert list(seq.state_dict()) == list(ref.state_dict())
    with pytest.raises(IndexError, match="out of range"):
        seq[10]
    seq[1] = nn.Tanh()
    assert isinstance(seq[1], nn.Tanh) and len(seq) == 4
    with pytest.raises(TypeError, match="not a Module subclass"):
        seq[0] = 3
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]


def test_modulelist_moduledict_parameterlist():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.Linear(1, 2)).extend([nn.ReLU()])
    assert len(ml) == 3 and list(ml.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    md = nn.ModuleDict({"b": nn.Linear(1, 1)})
    md["a"] = nn.Linear(1, 1)
    assert list(md.keys()) == ["b", "a"] and "a" in md
    pl = nn.ParameterList([np.zeros(2), Parameter(np.ones(3))])
    ref = torch.nn.ParameterList([torch.zeros(2), torch.ones(3)])
    assert list(pl.state_dict()) == list(ref.state_dict())
    with pytest.raises(NotImplementedError):
        ml(tensor([1.0]))


def test_flatten_unflatten_identity_match_torch():
    x = np.random.default_rng(2).standard_normal((2, 3, 4, 5))
    for ours, ref in [
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Flatten(0, 2), torch.nn.Flatten(0, 2)),
        (nn.Identity(3, k=1), torch.nn.Identity(3, k=1)),
    ]:
        np.testing.assert_array_equal(ours(tensor(x)).numpy(), ref(torch.from_numpy(x)).numpy())
        assert repr(ours) == repr(ref)
    y = np.random.default_rng(3).standard_normal((2, 60))
    got = nn.Unflatten(1, (3, 4, 5))(tensor(y)).numpy()
    np.testing.assert_array_equal(got, torch.nn.Unflatten(1, (3, 4, 5))(torch.from_numpy(y)))


def test_get_submodule_and_parameter():
    net = Net(nn)
    assert net.get_submodule("features.0") is net.features[0]
    assert net.get_parameter("heads.cls.bias") is net.heads["cls"].bias
    with pytest.raises(AttributeError, match="no submodule"):
        net.get_submodule("nothing")


def test_state_dict_values_are_detached_views():
    layer = nn.Linear(2, 2)
    sd = layer.state_dict()
    assert isinstance(sd["weight"], Tensor) and not sd["weight"].requires_grad
    assert np.shares_memory(sd["weight"].numpy(), layer.weight.numpy())
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight
