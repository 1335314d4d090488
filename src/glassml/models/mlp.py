"""Multi-layer perceptrons: an ``nn.Module`` and scikit-learn-style estimators.

MLP (NL-01..NL-04)::

    h₀ = x;   h_k = dropout(φ(BN(W_k h_{k−1} + b_k)))   for each hidden layer;   out = W_L h_{L−1} + b_L

``MLP`` is a :class:`~glassml.nn.Sequential`, so its ``state_dict`` keys ("0.weight",
"0.bias", ...) are those of the equivalent ``torch.nn.Sequential``.

``MLPClassifier`` / ``MLPRegressor`` train it with Adam or SGD (Nesterov momentum 0.9) on
mini-batches, minimising (like scikit-learn's estimators)::

    L = data loss (softmax cross-entropy / ½·squared error) + α/(2·B) Σ_k ‖W_k‖²_F

with early stopping on a held-out validation fraction or on the training loss plateau
(``tol``, ``n_iter_no_change``); ``loss_curve_`` records the mean loss of each epoch.

Inventory: NL-01, NL-02, NL-03, OP-09, OP-22, RG-06, CL-096, CL-097.

Example
-------
>>> import numpy as np
>>> X = np.random.default_rng(0).normal(size=(100, 2)); y = (X[:, 0] * X[:, 1] > 0).astype(int)
>>> clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0).fit(X, y)
>>> clf.predict_proba(X[:2]).shape
(2, 2)
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from glassml import nn
from glassml._core import (
    BaseEstimator,
    ClassifierMixin,
    ConvergenceWarning,
    RegressorMixin,
    check_classification_targets,
    check_in,
    check_random_state,
    check_scalar,
)
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import cross_entropy, mse_loss
from glassml.optim import SGD, Adam

__all__ = ["MLP", "MLPClassifier", "MLPRegressor"]

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


class MLP(nn.Sequential):
    """A fully connected network: Linear -> [BatchNorm1d] -> activation -> [Dropout], repeated.

    Parameters
    ----------
    in_features : int
    hidden_sizes : sequence of int
    out_features : int
    activation : str ("relu", "tanh", "logistic", "gelu", "identity") or Module class
    dropout : float, default 0 — dropout probability after each hidden activation
    batch_norm : bool, default False — BatchNorm1d after each hidden Linear
    dtype : dtype, default float32
    generator : numpy Generator, optional — draws the initial weights

    Example
    -------
    >>> model = MLP(784, [256, 256], 10)
    >>> [k for k in model.state_dict()][:2]
    ['0.weight', '0.bias']
    """

    def __init__(
        self,
        in_features: int,
        hidden_sizes=(),
        out_features: int = 1,
        activation="relu",
        dropout: float = 0.0,
        batch_norm: bool = False,
        dtype=None,
        generator=None,
    ):
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(
                    f"MLP: activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}"
                )
            act = _ACTIVATIONS[activation]
        else:
            act = activation
        hidden_sizes = [int(h) for h in hidden_sizes]
        if any(h <= 0 for h in hidden_sizes):
            raise ValueError(f"MLP: hidden sizes must be positive, got {hidden_sizes}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout}")
        layers = []
        width = in_features
        for h in hidden_sizes:
            layers.append(nn.Linear(width, h, dtype=dtype, generator=generator))
            if batch_norm:
                layers.append(nn.BatchNorm1d(h, dtype=dtype))
            layers.append(act())
            if dropout > 0:
                layers.append(nn.Dropout(dropout, generator=generator))
            width = h
        layers.append(nn.Linear(width, out_features, dtype=dtype, generator=generator))
        super().__init__(*layers)


class _BaseMLP(BaseEstimator):
    def __init__(
        self,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        momentum=0.9,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.momentum = momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change

    # --------------------------------------------------------------- hooks for subclasses
    def _data_loss(self, out, target):  # pragma: no cover - abstract
        raise NotImplementedError

    def _val_score(self, X, y) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_params(self, n_samples: int) -> int:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = (sizes,)
        sizes = tuple(sizes)
        if any(not isinstance(h, numbers.Integral) or h <= 0 for h in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes}.")
        self._hidden = sizes
        check_in(self.activation, "activation", ("relu", "tanh", "logistic", "identity"))
        check_in(self.solver, "solver", ("adam", "sgd"))
        check_scalar(self.alpha, "alpha", numbers.Real, min_val=0.0)
        check_scalar(
            self.learning_rate_init,
            "learning_rate_init",
            numbers.Real,
            min_val=0.0,
            include_boundaries="neither",
        )
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", numbers.Real, min_val=0.0)
        check_scalar(self.momentum, "momentum", numbers.Real, min_val=0.0, max_val=1.0)
        check_scalar(
            self.validation_fraction,
            "validation_fraction",
            numbers.Real,
            min_val=0.0,
            max_val=1.0,
            include_boundaries="left",
        )
        check_scalar(self.n_iter_no_change, "n_iter_no_change", numbers.Integral, min_val=1)
        if self.batch_size == "auto":
            return min(200, n_samples)
        check_scalar(self.batch_size, "batch_size", numbers.Integral, min_val=1)
        return min(int(self.batch_size), n_samples)

    def _fit_network(self, X: np.ndarray, T: np.ndarray, n_out: int):
        """Train the network on X (n, d) float64 and targets T; sets the fitted attributes."""
        n, d = X.shape
        batch = self._check_params(n)
        rng = check_random_state(self.random_state)
        X_val = T_val = None
        if self.early_stopping:
            n_val = max(1, int(round(self.validation_fraction * n)))
            if n - n_val < 1:
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} leaves no training data"
                )
            perm = rng.permutation(n)
            X_val, T_val = X[perm[:n_val]], T[perm[:n_val]]
            X, T = X[perm[n_val:]], T[perm[n_val:]]
            n = len(X)
            batch = min(batch, n)
        self.model_ = MLP(
            d, self._hidden, n_out, activation=self.activation, dtype=np.float64, generator=rng
        )
        weights = [m.weight for m in self.model_ if isinstance(m, nn.Linear)]
        params = list(self.model_.parameters())
        if self.solver == "adam":
            opt = Adam(params, lr=self.learning_rate_init)
        else:
            opt = SGD(
                params,
                lr=self.learning_rate_init,
                momentum=self.momentum,
                nesterov=self.momentum > 0,
            )
        self.loss_curve_ = []
        self.validation_scores_ = [] if self.early_stopping else None
        best_loss, best_score, no_improve = np.inf, -np.inf, 0
        best_state = None
        self.n_iter_ = 0
        for _ in range(self.max_iter):
            order = rng.permutation(n) if self.shuffle else np.arange(n)
            total = 0.0
            for start in range(0, n, batch):
                idx = order[start : start + batch]
                xb = Tensor(X[idx])  # (b, d)
                out = self.model_(xb)  # (b, n_out)
                loss = self._data_loss(out, T[idx])
                if self.alpha > 0:
                    penalty = sum((w * w).sum() for w in weights)
                    loss = loss + penalty * (0.5 * self.alpha / len(idx))
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.data) * len(idx)
            epoch_loss = total / n
            self.n_iter_ += 1
            self.loss_curve_.append(epoch_loss)
            if not np.isfinite(epoch_loss):
                raise ValueError(
                    "Solver produced non-finite parameter weights. The input data may contain "
                    "large values and need to be preprocessed."
                )
            if self.early_stopping:
                score = self._val_score(X_val, T_val)
                self.validation_scores_.append(score)
                if score < best_score + self.tol:
                    no_improve += 1
                else:
                    no_improve = 0
                if score > best_score:
                    best_score = score
                    best_state = {k: v.data.copy() for k, v in self.model_.state_dict().items()}
            else:
                if epoch_loss > best_loss - self.tol:
                    no_improve += 1
                else:
                    no_improve = 0
                best_loss = min(best_loss, epoch_loss)
            if no_improve > self.n_iter_no_change:
                break
        else:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )
        if self.early_stopping and best_state is not None:
            self.model_.load_state_dict(best_state)
            self.best_validation_score_ = best_score
        else:
            self.best_loss_ = best_loss
        self.loss_ = self.loss_curve_[-1]
        self.coefs_ = [w.data.T.copy() for w in weights]  # sklearn layout (in, out)
        self.intercepts_ = [m.bias.data.copy() for m in self.model_ if isinstance(m, nn.Linear)]
        self.n_layers_ = len(self._hidden) + 2
        self.n_outputs_ = n_out
        return self

    def _forward(self, X: np.ndarray) -> np.ndarray:
        self.model_.eval()
        with no_grad():
            return self.model_(Tensor(np.asarray(X, dtype=np.float64))).data


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier (softmax output, cross-entropy loss).

    Parameters follow scikit-learn's ``MLPClassifier``: hidden_layer_sizes, activation
    ("relu", "tanh", "logistic", "identity"), solver ("adam", "sgd"), alpha (L2), batch_size,
    learning_rate_init, max_iter, shuffle, random_state, tol, momentum, early_stopping,
    validation_fraction, n_iter_no_change.

    Attributes: classes_, loss_curve_, n_iter_, coefs_, intercepts_, model_ (the MLP Module).

    Example
    -------
    >>> import numpy as np
    >>> X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]] * 25)
    >>> y = np.array([0, 1, 1, 0] * 25)                       # XOR needs the hidden layer
    >>> MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05, max_iter=500,
    ...               random_state=0).fit(X, y).score(X, y)
    1.0
    """

    def fit(self, X, y):
        X, y = self._validate_data(X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"MLPClassifier needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {self.classes_[0]!r}"
            )
        return self._fit_network(X, y_idx.astype(np.int64), len(self.classes_))

    def _data_loss(self, out, target):
        return cross_entropy(out, Tensor(target))

    def _val_score(self, X, y) -> float:
        return float(np.mean(self._forward(X).argmax(axis=1) == y))

    def predict_proba(self, X):
        """Softmax of the network output, shape (n_samples, n_classes)."""
        X = self._validate_data(X, reset=False, dtype=np.float64)
        z = self._forward(X)  # (n, K)
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        return p

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        proba = self.predict_proba(X)  # (n, K); checks fitted first
        return self.classes_[proba.argmax(axis=1)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor (identity output, squared-error loss ½·mean (ŷ − y)²).

    Same parameters as :class:`MLPClassifier`. ``y`` may be 1-d or 2-d (multi-output).

    Example
    -------
    >>> import numpy as np
    >>> X = np.linspace(-1, 1, 200)[:, None]; y = X[:, 0] ** 2
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=500,
    ...                    random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    def fit(self, X, y):
        X, y = self._validate_data(X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        self._y_1d = y.ndim == 1
        Y = y.reshape(len(y), -1)
        return self._fit_network(X, Y, Y.shape[1])

    def _data_loss(self, out, target):
        # ½ mean over samples of the summed squared error (scikit-learn's squared_loss)
        return mse_loss(out, Tensor(target)) * (0.5 * target.shape[1])

    def _val_score(self, X, y) -> float:
        pred = self._forward(X)
        ss_res = ((y - pred) ** 2).sum()
        ss_tot = ((y - y.mean(axis=0)) ** 2).sum()
        return float(1 - ss_res / ss_tot) if ss_tot > 0 else 0.0

    def predict(self, X):
        X = self._validate_data(X, reset=False, dtype=np.float64)
        out = self._forward(X)
        return out.ravel() if self._y_1d else out

    def _glassml_tags(self) -> dict:
        return {"multi_output": True}
