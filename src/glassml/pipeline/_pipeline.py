"""Pipeline: chain transformers and a final estimator so that every step is fitted on the
training data only (inventory DP-14; claim CL-042).

Example
-------
>>> import numpy as np
>>> from glassml.preprocessing import StandardScaler, PolynomialFeatures
>>> pipe = make_pipeline(StandardScaler(), PolynomialFeatures(degree=2))
>>> pipe.fit_transform(np.array([[0.0], [2.0]])).tolist()
[[1.0, -1.0, 1.0], [1.0, 1.0, 1.0]]
"""

from __future__ import annotations

from copy import deepcopy

from .._core import NotFittedError, check_is_fitted
from ..preprocessing._utils import available_if
from ._base import Bunch, _BaseComposition, _is_skip, _name_estimators


def _final_has(attr):
    def check(self):
        final = self._final_estimator
        if _is_skip(final):
            return attr in ("transform", "fit_transform", "inverse_transform")
        return hasattr(final, attr)

    return check


class Pipeline(_BaseComposition):
    """A sequence of transformers ending in any estimator, used as one estimator.

        fit:      X_1 = T_1.fit_transform(X_0), ..., X_k = T_k.fit_transform(X_{k-1});
                  final.fit(X_k, y)
        predict:  final.predict(T_k(...T_1(X)))

    Because ``fit`` fits every step on the data it is given, cross-validating a pipeline fits
    the preprocessing on each training fold only -- no information from the validation fold
    leaks into the scaler, imputer or feature selector (inventory DP-14, claim CL-042).
    Inventory: DP-14. A step may be ``"passthrough"`` or ``None`` (skipped). Parameters of steps are reached as
    ``step__param`` in ``get_params``/``set_params`` (and in grid searches). Indexing with an int
    or name returns a step, with a slice a sub-pipeline.

    Parameters
    ----------
    steps : list of (name, estimator) tuples
    memory : None (caching is not supported)
    verbose : bool, default=False
        Print the time taken by each step.

    Example
    -------
    >>> from glassml.preprocessing import StandardScaler, MinMaxScaler
    >>> pipe = Pipeline([("std", StandardScaler()), ("mm", MinMaxScaler())])
    >>> pipe.fit_transform([[1.0], [3.0]]).ravel().tolist()
    [0.0, 1.0]
    """

    def __init__(self, steps, *, memory=None, verbose=False):
        self.steps = steps
        self.memory = memory
        self.verbose = verbose

    # ------------------------------------------------------------------ params
    def get_params(self, deep=True):
        """Parameters, with each step as ``name`` and its parameters as ``name__param``."""
        return self._get_composite_params("steps", deep=deep)

    def set_params(self, **params):
        """Set parameters; ``name`` replaces a step, ``name__param`` reaches into it."""
        return self._set_composite_params("steps", **params)

    # ------------------------------------------------------------------ structure
    def _validate_steps(self):
        if not isinstance(self.steps, list | tuple) or not self.steps:
            raise ValueError(
                f"steps: expected a non-empty list of (name, estimator), got {self.steps!r}."
            )
        for step in self.steps:
            if not isinstance(step, tuple | list) or len(step) != 2:
                raise TypeError(
                    f"steps: each step must be a (name, estimator) tuple, got {step!r}."
                )
        names, estimators = zip(*self.steps, strict=True)
        self._validate_names(list(names))
        if self.memory is not None:
            raise ValueError("memory: caching of transformers is not supported; use memory=None.")
        for name, t in zip(names[:-1], estimators[:-1], strict=True):
            if _is_skip(t):
                continue
            if not (hasattr(t, "fit") or hasattr(t, "fit_transform")) or not hasattr(
                t, "transform"
            ):
                raise TypeError(
                    "All intermediate steps should be transformers and implement fit and "
                    f"transform or be the string 'passthrough'. '{name}': {t!r} (type "
                    f"{type(t).__name__}) doesn't."
                )
        last = estimators[-1]
        if not _is_skip(last) and not hasattr(last, "fit"):
            raise TypeError(
                "Last step of Pipeline should implement fit or be the string 'passthrough'. "
                f"'{names[-1]}': {last!r} (type {type(last).__name__}) doesn't."
            )

    def _iter(self, with_final=True, filter_passthrough=True):
        stop = len(self.steps) if with_final else len(self.steps) - 1
        for idx, (name, trans) in enumerate(self.steps[:stop]):
            if not filter_passthrough or not _is_skip(trans):
                yield idx, name, trans

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, ind):
        """int or name -> that step's estimator; slice -> a Pipeline of those steps."""
        if isinstance(ind, slice):
            if ind.step not in (1, None):
                raise ValueError("Pipeline slicing only supports a step of 1")
            return type(self)(self.steps[ind], memory=self.memory, verbose=self.verbose)
        if isinstance(ind, str):
            return self.named_steps[ind]
        _, est = self.steps[ind]
        return est

    @property
    def named_steps(self):
        """The steps as a Bunch: ``pipe.named_steps.scaler``."""
        return Bunch(self.steps)

    @property
    def _final_estimator(self):
        try:
            est = self.steps[-1][1]
        except (TypeError, IndexError):
            return None
        return "passthrough" if est is None else est

    @property
    def _estimator_type(self):
        return getattr(self._final_estimator, "_estimator_type", None)

    @property
    def classes_(self):
        """Classes of the final classifier."""
        return self.steps[-1][1].classes_

    @property
    def n_features_in_(self):
        """Number of features seen by the first step."""
        return self.steps[0][1].n_features_in_

    @property
    def feature_names_in_(self):
        """Feature names seen by the first step."""
        return self.steps[0][1].feature_names_in_

    def __sklearn_is_fitted__(self):
        for _, est in reversed(self.steps):
            if not _is_skip(est):
                try:
                    check_is_fitted(est)
                    return True
                except NotFittedError:
                    return False
        return True

    # ------------------------------------------------------------------ fitting
    def _split_params(self, params: dict) -> dict:
        per_step = {name: {} for name, _ in self.steps}
        for key, value in params.items():
            if "__" not in key:
                raise ValueError(
                    f"Pipeline.fit does not accept the {key} parameter. You can pass parameters "
                    "to specific steps of your pipeline using the stepname__parameter format, "
                    "e.g. `Pipeline.fit(X, y, logisticregression__sample_weight=sample_weight)`."
                )
            step, param = key.split("__", 1)
            if step not in per_step:
                raise ValueError(f"Pipeline.fit: unknown step {step!r} in parameter {key!r}.")
            per_step[step][param] = value
        return per_step

    def _log(self, idx, name, seconds):
        if self.verbose:
            print(
                f"[Pipeline] ({idx + 1} of {len(self.steps)}) Processing {name}, total={seconds:.1f}s"
            )

    def _fit_transformers(self, X, y, per_step):
        import time

        Xt = X
        for idx, name, trans in self._iter(with_final=False, filter_passthrough=False):
            if _is_skip(trans):
                continue
            start = time.perf_counter()
            params = per_step.get(name, {})
            if hasattr(trans, "fit_transform"):
                Xt = trans.fit_transform(Xt, y, **params)
            else:
                Xt = trans.fit(Xt, y, **params).transform(Xt)
            self._log(idx, name, time.perf_counter() - start)
        return Xt

    def fit(self, X, y=None, **params):
        """Fit every transformer in turn, then the final estimator; returns self."""
        self._validate_steps()
        per_step = self._split_params(params)
        Xt = self._fit_transformers(X, y, per_step)
        final = self._final_estimator
        if not _is_skip(final) and final != "passthrough":
            final.fit(Xt, y, **per_step[self.steps[-1][0]])
        return self

    def _transform_to_final(self, X):
        Xt = X
        for _, _, trans in self._iter(with_final=False):
            Xt = trans.transform(Xt)
        return Xt

    @available_if(_final_has("fit_transform"))
    def fit_transform(self, X, y=None, **params):
        """Fit the pipeline and return the output of the last transformer."""
        self._validate_steps()
        per_step = self._split_params(params)
        Xt = self._fit_transformers(X, y, per_step)
        final = self._final_estimator
        if final == "passthrough":
            return Xt
        last_params = per_step[self.steps[-1][0]]
        if hasattr(final, "fit_transform"):
            return final.fit_transform(Xt, y, **last_params)
        return final.fit(Xt, y, **last_params).transform(Xt)

    @available_if(_final_has("predict"))
    def predict(self, X, **params):
        """Transform X through the steps, then ``final.predict``."""
        return self._final_estimator.predict(self._transform_to_final(X), **params)

    @available_if(_final_has("fit_predict"))
    def fit_predict(self, X, y=None, **params):
        """Fit the transformers, then ``final.fit_predict``."""
        self._validate_steps()
        per_step = self._split_params(params)
        Xt = self._fit_transformers(X, y, per_step)
        return self._final_estimator.fit_predict(Xt, y, **per_step[self.steps[-1][0]])

    @available_if(_final_has("predict_proba"))
    def predict_proba(self, X, **params):
        """Transform X, then ``final.predict_proba``."""
        return self._final_estimator.predict_proba(self._transform_to_final(X), **params)

    @available_if(_final_has("predict_log_proba"))
    def predict_log_proba(self, X, **params):
        """Transform X, then ``final.predict_log_proba``."""
        return self._final_estimator.predict_log_proba(self._transform_to_final(X), **params)

    @available_if(_final_has("decision_function"))
    def decision_function(self, X):
        """Transform X, then ``final.decision_function``."""
        return self._final_estimator.decision_function(self._transform_to_final(X))

    @available_if(_final_has("score_samples"))
    def score_samples(self, X):
        """Transform X, then ``final.score_samples``."""
        return self._final_estimator.score_samples(self._transform_to_final(X))

    @available_if(_final_has("score"))
    def score(self, X, y=None, sample_weight=None, **params):
        """Transform X, then ``final.score`` (e.g. accuracy or R^2)."""
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        return self._final_estimator.score(self._transform_to_final(X), y, **params)

    @available_if(_final_has("transform"))
    def transform(self, X):
        """Apply every transformer (the final one too)."""
        Xt = X
        for _, _, trans in self._iter():
            Xt = trans.transform(Xt)
        return Xt

    @available_if(lambda self: all(hasattr(t, "inverse_transform") for _, _, t in self._iter()))
    def inverse_transform(self, X):
        """Apply ``inverse_transform`` of every step in reverse order."""
        Xt = X
        for _, _, trans in reversed(list(self._iter())):
            Xt = trans.inverse_transform(Xt)
        return Xt

    def get_feature_names_out(self, input_features=None):
        """Feature names after the last transformer."""
        names = input_features
        for _, name, trans in self._iter():
            if not hasattr(trans, "get_feature_names_out"):
                raise AttributeError(
                    f"Estimator {name} does not provide get_feature_names_out. Did you mean to "
                    "call pipeline[:-1].get_feature_names_out()?"
                )
            names = trans.get_feature_names_out(names)
        return names

    # ------------------------------------------------------------------ tags
    def __sklearn_tags__(self):
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        tags.transformer_tags = None
        try:
            real = [s for _, s in self.steps if not _is_skip(s)]
            if real:
                tags.input_tags.pairwise = (
                    get_tags(self.steps[0][1]).input_tags.pairwise
                    if not _is_skip(self.steps[0][1])
                    else False
                )
                tags.input_tags.allow_nan = all(get_tags(s).input_tags.allow_nan for s in real)
                tags.input_tags.string = get_tags(real[0]).input_tags.string
            last = self.steps[-1][1]
            if not _is_skip(last):
                last_tags = get_tags(last)
                tags.estimator_type = last_tags.estimator_type
                tags.target_tags.multi_output = last_tags.target_tags.multi_output
                tags.target_tags.required = last_tags.target_tags.required
                tags.classifier_tags = deepcopy(last_tags.classifier_tags)
                tags.regressor_tags = deepcopy(last_tags.regressor_tags)
                tags.transformer_tags = deepcopy(last_tags.transformer_tags)
        except (ValueError, AttributeError, TypeError, IndexError):
            pass
        return tags


def make_pipeline(*steps, memory=None, verbose=False):
    """A :class:`Pipeline` whose step names are the lower-cased class names (Inventory: DP-14).

    >>> from glassml.preprocessing import StandardScaler
    >>> make_pipeline(StandardScaler()).steps[0][0]
    'standardscaler'
    """
    return Pipeline(_name_estimators(steps), memory=memory, verbose=verbose)
