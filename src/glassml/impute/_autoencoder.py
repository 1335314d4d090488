"""Autoencoder imputation: a denoising autoencoder learns to reconstruct the observed entries;
the missing ones are filled from its reconstruction."""

from __future__ import annotations

import numbers

import numpy as np

from .._core import (
    BaseEstimator,
    TransformerMixin,
    check_in,
    check_random_state,
    check_scalar,
)


class AutoencoderImputer(TransformerMixin, BaseEstimator):
    """Fill missing values with the reconstruction of a denoising autoencoder.

    Fit: standardise each column with its observed mean and standard deviation,
    z_ij = (x_ij - mu_j) / s_j, fill the gaps with 0 (the column mean, ``initial_strategy``)
    and train f = decoder∘encoder (Linear/ReLU layers ``d -> hidden_sizes -> d``) with Adam on
    the masked reconstruction loss

        L = sum_ij m_ij (f(z~)_ij - z_ij)^2 / sum_ij m_ij,
        z~_ij = 0 if u_ij < mask_ratio else z_ij,  u_ij ~ U(0, 1) drawn afresh per batch,

    where m_ij = 1 on observed entries: the network is scored only where the truth is known,
    and the random input masking (denoising) teaches it to predict an entry from the others.
    Transform: x_ij <- mu_j + s_j f(z)_ij on the missing entries; observed entries are kept.
    Inventory: DP-13 (×ref GN-19).

    Parameters
    ----------
    hidden_sizes : tuple of int, default (32,)
        Widths of the hidden layers (ReLU after each).
    max_epochs : int >= 1, default 200
    learning_rate : float > 0, default 1e-2
    batch_size : int >= 1, default 64
    mask_ratio : float in [0, 1), default 0.2
        Probability that an input entry is zeroed during training.
    random_state : None, int or numpy Generator
        Seeds the weights, the batch order and the input masks.
    initial_strategy : {"mean"}, default "mean"
        First fill of the gaps (the column mean, 0 after standardising).

    Attributes
    ----------
    mean_, scale_ : ndarray (n_features,)
        Observed column means and standard deviations (1 where the deviation is 0 / undefined).
    model_ : glassml.nn.Sequential
    loss_curve_ : list of float (mean training loss per epoch)
    n_features_in_ : int

    Example
    -------
    >>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 6.0], [np.nan, 8.0]])
    >>> imp = AutoencoderImputer(max_epochs=20, random_state=0).fit(X)
    >>> np.isnan(imp.transform(X)).any()
    np.False_
    """

    def __init__(
        self,
        *,
        hidden_sizes=(32,),
        max_epochs=200,
        learning_rate=1e-2,
        batch_size=64,
        mask_ratio=0.2,
        random_state=None,
        initial_strategy="mean",
    ):
        self.hidden_sizes = hidden_sizes
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.mask_ratio = mask_ratio
        self.random_state = random_state
        self.initial_strategy = initial_strategy

    def _glassml_tags(self):
        return {"allow_nan": True}

    def _check_params(self) -> tuple[int, ...]:
        check_scalar(self.max_epochs, "max_epochs", numbers.Integral, min_val=1)
        check_scalar(
            self.learning_rate,
            "learning_rate",
            numbers.Real,
            min_val=0.0,
            include_boundaries="neither",
        )
        check_scalar(self.batch_size, "batch_size", numbers.Integral, min_val=1)
        check_scalar(
            self.mask_ratio,
            "mask_ratio",
            numbers.Real,
            min_val=0.0,
            max_val=1.0,
            include_boundaries="left",
        )
        check_in(self.initial_strategy, "initial_strategy", ("mean",))
        sizes = self.hidden_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        try:
            sizes = tuple(sizes)
        except TypeError:
            sizes = None
        if (
            sizes is None
            or len(sizes) == 0
            or not all(isinstance(h, numbers.Integral) and not isinstance(h, bool) for h in sizes)
            or min(sizes) < 1
        ):
            raise ValueError(
                "hidden_sizes: expected a non-empty tuple of positive ints, "
                f"got {self.hidden_sizes!r}."
            )
        return tuple(int(h) for h in sizes)

    def _standardise(self, X: np.ndarray, missing: np.ndarray) -> np.ndarray:
        """z = (x - mu) / s with the gaps set to 0 (the column mean), (n, d)."""
        Z = (X - self.mean_) / self.scale_  # (n, d)
        Z[missing] = 0.0
        return Z

    def _build(self, n_features: int, hidden: tuple[int, ...], rng):
        from .. import nn

        widths = (n_features, *hidden, n_features)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            layers.append(nn.Linear(n_in, n_out, dtype=np.float64, generator=rng))
            if i < len(widths) - 2:
                layers.append(nn.ReLU())
        return nn.Sequential(*layers)

    def fit(self, X, y=None):
        """Learn the column statistics and train the autoencoder on the observed entries."""
        from ..autograd import tensor
        from ..optim import Adam

        hidden = self._check_params()
        X = self._validate_data(X, dtype=np.float64, allow_nan=True)
        rng = check_random_state(self.random_state)
        missing = np.isnan(X)  # (n, d)
        observed = (~missing).astype(np.float64)  # (n, d) the loss weights m_ij
        n_obs = observed.sum(axis=0)  # (d,)
        safe_count = np.maximum(n_obs, 1.0)
        X0 = np.where(missing, 0.0, X)  # (n, d)
        mean = X0.sum(axis=0) / safe_count  # (d,)
        var = (((X0 - mean) * observed) ** 2).sum(axis=0) / safe_count  # (d,)
        scale = np.sqrt(var)
        scale[~(scale > np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean)))] = 1.0
        self.mean_, self.scale_ = mean, scale
        Z = self._standardise(X, missing)  # (n, d)

        model = self._build(X.shape[1], hidden, rng)
        optimizer = Adam(model.parameters(), lr=float(self.learning_rate))
        n_samples, batch = X.shape[0], int(self.batch_size)
        self.loss_curve_ = []
        for _ in range(int(self.max_epochs)):
            order = rng.permutation(n_samples)
            epoch_loss = 0.0
            for start in range(0, n_samples, batch):
                rows = order[start : start + batch]
                target, weight = Z[rows], observed[rows]  # (b, d)
                n_weight = weight.sum()
                if n_weight == 0:
                    continue
                keep = rng.random(target.shape) >= self.mask_ratio  # (b, d) denoising mask
                reconstruction = model(tensor(target * keep))  # (b, d)
                residual = reconstruction - tensor(target)
                loss = (residual * residual * tensor(weight / n_weight)).sum()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                epoch_loss += float(loss.item()) * len(rows)
            self.loss_curve_.append(epoch_loss / n_samples)
        self.model_ = model
        return self

    def transform(self, X):
        """Replace the missing entries with the autoencoder's reconstruction (original units)."""
        from ..autograd import no_grad, tensor

        X = self._validate_data(X, reset=False, dtype=np.float64, allow_nan=True)
        missing = np.isnan(X)  # (n, d)
        X_out = X.copy()
        if not missing.any():
            return X_out
        Z = self._standardise(X, missing)  # (n, d)
        with no_grad():
            reconstruction = np.asarray(self.model_(tensor(Z)).numpy())  # (n, d)
        filled = self.mean_ + self.scale_ * reconstruction  # (n, d) back to original units
        X_out[missing] = filled[missing]
        return X_out
