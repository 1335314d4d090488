"""Multi-input / multi-output and multi-task networks (inventory NL-03, NL-04, NL-05).

* :class:`ImageTextNet` — the functional two-input, two-output graph of the notes: an image
  branch (conv -> ReLU -> global average pool) and a token branch (embedding -> global average
  pool over time), merged by concatenation or addition, a shared Dense layer, then a
  classification head (logits) and a regression head (linear).
* :class:`MultiOutputLoss` — per-output losses combined with ``loss_weights``:
  L = sum_k w_k L_k(output_k, target_k)  (Keras' ``loss`` / ``loss_weights`` dictionaries).
* :class:`SharedBackboneMultiTask` — hard parameter sharing: one backbone, one head per task.
* :class:`CrossStitchUnit` / :class:`CrossStitchMLP` — soft sharing (Misra et al. 2016): after
  each layer the task streams are mixed by a learned matrix, x~_i = sum_j alpha_ij x_j.
* :class:`UncertaintyWeightedLoss` — homoscedastic-uncertainty weighting (Kendall et al. 2018):
  L = sum_i 1/(2 sigma_i^2) L_i + log sigma_i, with s_i = log sigma_i learned:
  L = sum_i 0.5 exp(-2 s_i) L_i + s_i. (The notes name the idea without the formula; this is the
  regression form of the paper.)

Inventory: NL-03, NL-04, NL-05, NL-07, CL-150, CL-151.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import randn, tensor
>>> net = ImageTextNet(image_channels=3, vocab_size=50, num_classes=4)
>>> logits, value = net(randn(2, 3, 16, 16), tensor(np.zeros((2, 7), dtype=np.int64)))
>>> logits.shape, value.shape
((2, 4), (2, 1))
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml import nn
from glassml.autograd import Parameter, Tensor, cat, stack
from glassml.autograd.fused import cross_entropy, mse_loss

__all__ = [
    "ImageTextNet",
    "MultiOutputLoss",
    "SharedBackboneMultiTask",
    "CrossStitchUnit",
    "CrossStitchMLP",
    "UncertaintyWeightedLoss",
]


def _positive_int(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


class ImageTextNet(nn.Module):
    """Two inputs (image, token ids) -> two outputs (class logits, a regression value) (NL-03).

        image branch:  h_img = GAP(ReLU(conv3x3(image)))            -> linear -> (N, D)
        text branch:   h_txt = mean_t embedding(tokens)              -> linear -> (N, D)
        merge:         concat [h_img; h_txt] (N, 2D)  or  add h_img + h_txt (N, D)
        shared:        z = ReLU(W z_merge + b)                       (N, hidden)
        heads:         logits = W_c z + b_c (N, K),   value = W_r z + b_r (N, 1)

    Parameters
    ----------
    image_channels : int, default 3
    vocab_size : int, default 5000 (the notes' input_dim)
    embed_dim : int, default 64 (the notes' output_dim)
    num_classes : int, default 10
    conv_channels : int, default 16
    branch_dim : int, default 32 (D)
    hidden : int, default 128 (the shared Dense(128))
    merge : "concat" (default) or "add"
    dtype, generator : parameter dtype (float32 default) and the numpy Generator for the init

    Example
    -------
    >>> ImageTextNet(merge="add").shared.in_features
    32
    """

    def __init__(
        self,
        image_channels: int = 3,
        vocab_size: int = 5000,
        embed_dim: int = 64,
        num_classes: int = 10,
        conv_channels: int = 16,
        branch_dim: int = 32,
        hidden: int = 128,
        merge: str = "concat",
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "ImageTextNet"
        if merge not in ("concat", "add"):
            raise ValueError(f"{owner}: merge must be 'concat' or 'add', got {merge!r}")
        self.merge = merge
        self.image_channels = _positive_int(image_channels, "image_channels", owner)
        kw = {"dtype": dtype, "generator": generator}
        c = _positive_int(conv_channels, "conv_channels", owner)
        d = _positive_int(branch_dim, "branch_dim", owner)
        h = _positive_int(hidden, "hidden", owner)
        self.image_conv = nn.Conv2d(image_channels, c, 3, padding=1, **kw)
        self.image_proj = nn.Linear(c, d, **kw)
        self.embedding = nn.Embedding(
            _positive_int(vocab_size, "vocab_size", owner),
            _positive_int(embed_dim, "embed_dim", owner),
            **kw,
        )
        self.text_proj = nn.Linear(embed_dim, d, **kw)
        self.shared = nn.Linear(2 * d if merge == "concat" else d, h, **kw)
        self.classifier = nn.Linear(h, _positive_int(num_classes, "num_classes", owner), **kw)
        self.regressor = nn.Linear(h, 1, **kw)

    def forward(self, image, tokens):
        if (
            not isinstance(image, Tensor)
            or image.ndim != 4
            or image.shape[1] != self.image_channels
        ):
            raise ValueError(
                f"ImageTextNet: expected image of shape (N, {self.image_channels}, H, W), "
                f"got {getattr(image, 'shape', None)}"
            )
        if not isinstance(tokens, Tensor) or tokens.ndim != 2 or tokens.shape[0] != image.shape[0]:
            raise ValueError(
                f"ImageTextNet: expected tokens of shape ({image.shape[0]}, T) matching the image "
                f"batch, got {getattr(tokens, 'shape', None)}"
            )
        h_img = self.image_conv(image).relu().mean(dim=(2, 3))  # (N, C): global average pool
        h_img = self.image_proj(h_img)  # (N, D)
        h_txt = self.text_proj(self.embedding(tokens).mean(dim=1))  # (N, D): GAP over time
        merged = cat([h_img, h_txt], dim=1) if self.merge == "concat" else h_img + h_txt
        z = self.shared(merged).relu()  # (N, hidden)
        return self.classifier(z), self.regressor(z)  # (N, K), (N, 1)


_LOSSES = {"cross_entropy": cross_entropy, "mse": mse_loss}


class MultiOutputLoss:
    """L = sum_k w_k L_k(output_k, target_k) over named outputs (NL-03, CL-151).

    Parameters
    ----------
    losses : dict name -> callable(output, target) or "cross_entropy" / "mse"
    loss_weights : dict name -> float, optional (default 1 for every output)

    Calling it with dicts (or sequences in the order of ``losses``) of outputs and targets
    returns ``(total, parts)`` where parts maps each name to its unweighted loss.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> crit = MultiOutputLoss({"a": "mse", "b": "mse"}, {"a": 1.0, "b": 0.5})
    >>> total, parts = crit([tensor([1.0]), tensor([2.0])], [tensor([0.0]), tensor([0.0])])
    >>> float(total.item())
    3.0
    """

    def __init__(self, losses: dict, loss_weights: dict | None = None):
        if not isinstance(losses, dict) or not losses:
            raise ValueError(f"MultiOutputLoss: losses must be a non-empty dict, got {losses!r}")
        self.losses = {}
        for name, fn in losses.items():
            if isinstance(fn, str):
                if fn not in _LOSSES:
                    raise ValueError(
                        f"MultiOutputLoss: unknown loss {fn!r} for output {name!r}; "
                        f"expected one of {sorted(_LOSSES)} or a callable"
                    )
                fn = _LOSSES[fn]
            elif not callable(fn):
                raise ValueError(f"MultiOutputLoss: loss for {name!r} must be callable, got {fn!r}")
            self.losses[name] = fn
        loss_weights = dict(loss_weights or {})
        unknown = set(loss_weights) - set(self.losses)
        if unknown:
            raise ValueError(
                f"MultiOutputLoss: loss_weights names {sorted(unknown)} are not outputs "
                f"{list(self.losses)}"
            )
        self.loss_weights = {k: float(loss_weights.get(k, 1.0)) for k in self.losses}

    def _as_dict(self, values, what):
        if isinstance(values, dict):
            missing = set(self.losses) - set(values)
            if missing:
                raise ValueError(f"MultiOutputLoss: {what} missing for outputs {sorted(missing)}")
            return values
        values = list(values)
        if len(values) != len(self.losses):
            raise ValueError(
                f"MultiOutputLoss: expected {len(self.losses)} {what}, got {len(values)}"
            )
        return dict(zip(self.losses, values, strict=True))

    def __call__(self, outputs, targets):
        outputs, targets = self._as_dict(outputs, "outputs"), self._as_dict(targets, "targets")
        parts = {k: fn(outputs[k], targets[k]) for k, fn in self.losses.items()}
        total = None
        for k, part in parts.items():
            term = part * self.loss_weights[k]
            total = term if total is None else total + term
        return total, parts


class SharedBackboneMultiTask(nn.Module):
    """Hard parameter sharing (NL-04): z = backbone(x), output_t = head_t(z) for every task t.

    Parameters
    ----------
    backbone : Module
    heads : dict task name -> Module

    ``forward`` returns a dict task -> output. Key names: ``backbone.*``, ``heads.<task>.*``.

    Example
    -------
    >>> from glassml import nn
    >>> from glassml.autograd import randn
    >>> m = SharedBackboneMultiTask(nn.Linear(3, 8), {"a": nn.Linear(8, 1), "b": nn.Linear(8, 2)})
    >>> {k: v.shape for k, v in m(randn(4, 3)).items()}
    {'a': (4, 1), 'b': (4, 2)}
    """

    def __init__(self, backbone, heads: dict):
        super().__init__()
        if not isinstance(backbone, nn.Module):
            raise ValueError(
                f"SharedBackboneMultiTask: backbone must be a Module, got {type(backbone).__name__}"
            )
        if not isinstance(heads, dict) or not heads:
            raise ValueError("SharedBackboneMultiTask: heads must be a non-empty dict of Modules")
        self.backbone = backbone
        self.heads = nn.ModuleDict(heads)

    def forward(self, x):
        z = self.backbone(x)  # shared representation
        return {name: head(z) for name, head in self.heads.items()}


class CrossStitchUnit(nn.Module):
    """Cross-stitch unit (NL-04): x~_i = sum_j alpha_ij x_j for T task streams of equal shape.

    ``alpha`` (T, T) is learned, initialised to ``self_weight`` on the diagonal and
    (1 - self_weight) / (T - 1) off it (rows sum to 1; self_weight=1 means separate networks).

    Example
    -------
    >>> from glassml.autograd import ones, zeros
    >>> a, b = CrossStitchUnit(2, self_weight=0.75)(ones(1, 2), zeros(1, 2))
    >>> a.numpy().tolist(), b.numpy().tolist()
    ([[0.75, 0.75]], [[0.25, 0.25]])
    """

    def __init__(self, num_tasks: int = 2, self_weight: float = 0.9, *, dtype=None):
        super().__init__()
        t = _positive_int(num_tasks, "num_tasks", "CrossStitchUnit")
        if t < 2:
            raise ValueError(f"CrossStitchUnit: num_tasks must be >= 2, got {num_tasks}")
        if not 0.0 <= self_weight <= 1.0:
            raise ValueError(f"CrossStitchUnit: self_weight must be in [0, 1], got {self_weight}")
        alpha = np.full((t, t), (1.0 - self_weight) / (t - 1))
        np.fill_diagonal(alpha, self_weight)
        self.alpha = Parameter(alpha.astype(np.dtype(dtype or np.float32)))
        self.num_tasks = t

    def forward(self, *streams):
        if len(streams) != self.num_tasks:
            raise ValueError(
                f"CrossStitchUnit: expected {self.num_tasks} task streams, got {len(streams)}"
            )
        shape = streams[0].shape
        if any(s.shape != shape for s in streams):
            raise ValueError(
                f"CrossStitchUnit: all streams must have one shape, got {[s.shape for s in streams]}"
            )
        x = stack(list(streams), dim=0)  # (T, *shape)
        flat = x.reshape(self.num_tasks, -1)  # (T, M)
        mixed = (self.alpha @ flat).reshape(self.num_tasks, *shape)  # (T, *shape)
        return tuple(mixed[i] for i in range(self.num_tasks))


class CrossStitchMLP(nn.Module):
    """T task-specific MLP towers with a cross-stitch unit after every hidden layer (NL-04).

        h_t^(l) = ReLU(W_t^(l) x~_t^(l-1) + b_t^(l)),   x~^(l) = CrossStitch_l(h^(l))
        output_t = head_t(x~_t^(L))

    Parameters
    ----------
    in_features : int
    hidden_sizes : sequence of int
    out_features : sequence of int — output size of each task head (its length is T)
    self_weight : float, default 0.9 — initial diagonal of every cross-stitch matrix
    dtype, generator : see :class:`ImageTextNet`

    Key names: towers.<t>.<l>.weight, stitches.<l>.alpha, heads.<t>.weight.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> [o.shape for o in CrossStitchMLP(3, [8, 8], [1, 2])(randn(5, 3))]
    [(5, 1), (5, 2)]
    """

    def __init__(
        self,
        in_features: int,
        hidden_sizes,
        out_features,
        self_weight: float = 0.9,
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "CrossStitchMLP"
        hidden_sizes = [_positive_int(h, "hidden_sizes", owner) for h in hidden_sizes]
        out_features = [_positive_int(o, "out_features", owner) for o in out_features]
        if not hidden_sizes or len(out_features) < 2:
            raise ValueError(
                f"{owner}: need at least one hidden layer and two tasks, got hidden_sizes="
                f"{hidden_sizes}, out_features={out_features}"
            )
        kw = {"dtype": dtype, "generator": generator}
        t = len(out_features)
        sizes = [_positive_int(in_features, "in_features", owner), *hidden_sizes]
        self.towers = nn.ModuleList(
            [
                nn.ModuleList(
                    [nn.Linear(a, b, **kw) for a, b in zip(sizes, sizes[1:], strict=False)]
                )
                for _ in range(t)
            ]
        )
        self.stitches = nn.ModuleList(
            [CrossStitchUnit(t, self_weight, dtype=dtype) for _ in hidden_sizes]
        )
        self.heads = nn.ModuleList([nn.Linear(sizes[-1], o, **kw) for o in out_features])

    def forward(self, x):
        streams = [x] * len(self.heads)
        for layer, stitch in enumerate(self.stitches):
            hidden = [tower[layer](s).relu() for tower, s in zip(self.towers, streams, strict=True)]
            streams = stitch(*hidden)  # mix the task streams
        return [head(s) for head, s in zip(self.heads, streams, strict=True)]


class UncertaintyWeightedLoss(nn.Module):
    """Learned task weighting by homoscedastic uncertainty (NL-05, Kendall et al. 2018):

        L = sum_i 1/(2 sigma_i^2) L_i + log sigma_i = sum_i 0.5 exp(-2 s_i) L_i + s_i,
        s_i = log sigma_i (parameter ``log_sigma``, initialised to 0: every weight 1/2)

    At the optimum in s_i, sigma_i^2 = L_i: noisier tasks get smaller weights, and the
    log sigma_i term stops the trivial solution sigma -> infinity.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> crit = UncertaintyWeightedLoss(2)
    >>> float(crit([tensor(2.0), tensor(4.0)]).item())  # 0.5 * 2 + 0.5 * 4
    3.0
    """

    def __init__(self, num_tasks: int, *, dtype=None):
        super().__init__()
        self.num_tasks = _positive_int(num_tasks, "num_tasks", "UncertaintyWeightedLoss")
        self.log_sigma = Parameter(np.zeros(self.num_tasks, dtype=np.dtype(dtype or np.float32)))

    def weights(self) -> np.ndarray:
        """The current task weights 1/(2 sigma_i^2) (a NumPy array)."""
        return 0.5 * np.exp(-2.0 * self.log_sigma.data)

    def forward(self, losses):
        losses = list(losses)
        if len(losses) != self.num_tasks:
            raise ValueError(
                f"UncertaintyWeightedLoss: expected {self.num_tasks} task losses, got {len(losses)}"
            )
        task_losses = stack([loss.reshape(()) for loss in losses])  # (T,)
        precision = (self.log_sigma * -2.0).exp() * 0.5  # 1 / (2 sigma^2)
        return (precision * task_losses + self.log_sigma).sum()
