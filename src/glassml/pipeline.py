"""Pipelines: chain transformers and a final estimator so that every step is fitted on the
training data only (inventory DP-14; claim CL-042), and FeatureUnion to concatenate the outputs
of several transformers side by side.

Example
-------
>>> import numpy as np
>>> from glassml.preprocessing import StandardScaler, PolynomialFeatures
>>> pipe = make_pipeline(StandardScaler(), PolynomialFeatures(degree=2))
>>> pipe.fit_transform(np.array([[0.0], [2.0]])).tolist()
[[1.0, -1.0, 1.0], [1.0, 1.0, 1.0]]
"""

from __future__ import annotations

from collections import Counter
from copy import deepcopy

import numpy as np
from joblib import Parallel, delayed

from ._core import BaseEstimator, NotFittedError, TransformerMixin, check_array, check_is_fitted
from .preprocessing._utils import available_if

__all__ = ["Pipeline", "make_pipeline", "FeatureUnion", "make_union", "Bunch"]

_SKIP = ("passthrough", None)


class Bunch(dict):
    """A dict whose keys are also attributes (``pipe.named_steps.scaler``). Inventory: DP-14.

    >>> Bunch(a=1).a
    1
    """

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    def __dir__(self):
        return list(self.keys())


def _is_skip(est) -> bool:
    return est is None or (isinstance(est, str) and est == "passthrough")


class _BaseComposition(BaseEstimator):
    """get_params/set_params over a list of (name, estimator, ...) tuples held in ``attr``."""

    def _get_composite_params(self, attr: str, deep: bool) -> dict:
        out = super().get_params(deep=False)
        if not deep:
            return out
        items = getattr(self, attr)
        try:
            pairs = [(t[0], t[1]) for t in items]
        except (TypeError, IndexError):
            return out
        for name, est in pairs:
            out[name] = est
            if hasattr(est, "get_params") and not isinstance(est, type):
                for key, value in est.get_params(deep=True).items():
                    out[f"{name}__{key}"] = value
        for key, value in super().get_params(deep=False).items():
            if hasattr(value, "get_params") and not isinstance(value, type):
                for sub, v in value.get_params(deep=True).items():
                    out[f"{key}__{sub}"] = v
        return out

    def _set_composite_params(self, attr: str, **params):
        if attr in params:
            setattr(self, attr, params.pop(attr))
        try:
            names = [t[0] for t in getattr(self, attr)]
        except (TypeError, IndexError, KeyError):
            names = []
        for key in list(params):
            if "__" not in key and key in names:
                self._replace_estimator(attr, key, params.pop(key))
        BaseEstimator.set_params(self, **params)
        return self

    def _replace_estimator(self, attr, name, new_val):
        new_items = list(getattr(self, attr))
        for i, item in enumerate(new_items):
            if item[0] == name:
                new_items[i] = (name, new_val) + tuple(item[2:])
                break
        setattr(self, attr, new_items)

    def _validate_names(self, names):
        if len(set(names)) != len(names):
            dupes = sorted(k for k, c in Counter(names).items() if c > 1)
            raise ValueError(f"Names provided are not unique: {dupes!r}")
        own = set(self._get_param_names())
        clash = sorted(set(names) & own)
        if clash:
            raise ValueError(f"Estimator names conflict with constructor arguments: {clash!r}")
        bad = [n for n in names if not isinstance(n, str) or "__" in n]
        if bad:
            raise ValueError(f"Estimator names must be strings without '__', got {bad!r}")


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


def _name_estimators(estimators):
    """Lower-case class names as step names, numbered when repeated."""
    names = [est if isinstance(est, str) else type(est).__name__.lower() for est in estimators]
    counts = Counter(names)
    for name, c in list(counts.items()):
        if c == 1:
            del counts[name]
    for i in reversed(range(len(estimators))):
        name = names[i]
        if name in counts:
            names[i] = f"{name}-{counts[name]}"
            counts[name] -= 1
    return list(zip(names, estimators, strict=True))


def make_pipeline(*steps, memory=None, verbose=False):
    """A :class:`Pipeline` whose step names are the lower-cased class names (Inventory: DP-14).

    >>> from glassml.preprocessing import StandardScaler
    >>> make_pipeline(StandardScaler()).steps[0][0]
    'standardscaler'
    """
    return Pipeline(_name_estimators(steps), memory=memory, verbose=verbose)


def _fit_transform_one(transformer, X, y, weight, params):
    if hasattr(transformer, "fit_transform"):
        res = transformer.fit_transform(X, y, **params)
    else:
        res = transformer.fit(X, y, **params).transform(X)
    return (res if weight is None else res * weight), transformer


def _as_2d_dense(Xs, name):
    if hasattr(Xs, "toarray"):
        Xs = Xs.toarray()
    if hasattr(Xs, "to_numpy"):
        Xs = Xs.to_numpy()
    Xs = np.asarray(Xs)
    if Xs.ndim != 2:
        raise ValueError(
            f"The output of the '{name}' transformer should be 2D (numpy array, scipy sparse "
            f"array, dataframe), got an array of shape {Xs.shape}."
        )
    return Xs


class FeatureUnion(TransformerMixin, _BaseComposition):
    """Apply several transformers to the same X and concatenate their outputs column-wise.

        X -> [T_1(X) | T_2(X) | ... ]   (each optionally multiplied by a weight)

    Inventory: DP-14 (composition of transformers). Transformers are fitted in parallel with
    ``joblib.Parallel(n_jobs)`` (no backend hard-coded). A transformer may be "drop" or
    "passthrough". Output names are "<name>__<feature>".

    Parameters
    ----------
    transformer_list : list of (name, transformer)
    n_jobs : int or None
    transformer_weights : dict name -> float, optional
    verbose : bool
    verbose_feature_names_out : bool, default=True

    Example
    -------
    >>> from glassml.preprocessing import StandardScaler, MinMaxScaler
    >>> FeatureUnion([("s", StandardScaler()), ("m", MinMaxScaler())]).fit_transform(
    ...     [[0.0], [2.0]]).tolist()
    [[-1.0, 0.0], [1.0, 1.0]]
    """

    def __init__(
        self,
        transformer_list,
        *,
        n_jobs=None,
        transformer_weights=None,
        verbose=False,
        verbose_feature_names_out=True,
    ):
        self.transformer_list = transformer_list
        self.n_jobs = n_jobs
        self.transformer_weights = transformer_weights
        self.verbose = verbose
        self.verbose_feature_names_out = verbose_feature_names_out

    def get_params(self, deep=True):
        """Parameters, with each transformer as ``name`` and ``name__param``."""
        return self._get_composite_params("transformer_list", deep=deep)

    def set_params(self, **params):
        """Set parameters; ``name`` replaces a transformer."""
        return self._set_composite_params("transformer_list", **params)

    @property
    def named_transformers(self):
        """The transformers as a Bunch."""
        return Bunch((t[0], t[1]) for t in self.transformer_list)

    def _validate(self):
        if not isinstance(self.transformer_list, list | tuple) or not self.transformer_list:
            raise ValueError(
                "transformer_list: expected a non-empty list of (name, transformer), got "
                f"{self.transformer_list!r}."
            )
        names = [t[0] for t in self.transformer_list]
        self._validate_names(names)
        for name, t in self.transformer_list:
            if isinstance(t, str) and t in ("drop", "passthrough"):
                continue
            if not (hasattr(t, "fit") or hasattr(t, "fit_transform")) or not hasattr(
                t, "transform"
            ):
                raise TypeError(
                    "All estimators should implement fit and transform. "
                    f"'{name}': {t!r} (type {type(t).__name__}) doesn't."
                )
        weights = self.transformer_weights or {}
        unknown = sorted(set(weights) - set(names))
        if unknown:
            raise ValueError(
                f"transformer_weights: Attempting to weight transformer {unknown[0]!r}, but it "
                f"is not present in transformer_list."
            )

    def _active(self):
        from .preprocessing import FunctionTransformer

        weights = self.transformer_weights or {}
        for name, t in self.transformer_list:
            if isinstance(t, str) and t == "drop":
                continue
            if isinstance(t, str) and t == "passthrough":
                t = FunctionTransformer(feature_names_out="one-to-one")
            yield name, t, weights.get(name)

    def fit(self, X, y=None, **params):
        """Fit every transformer."""
        self.fit_transform(X, y, **params)
        return self

    def fit_transform(self, X, y=None, **params):
        """Fit all transformers, transform X with each and concatenate."""
        self._validate()
        self._check_feature_names(X, reset=True)
        if not hasattr(X, "shape"):
            X = check_array(X, dtype=None, allow_nan=True, estimator="FeatureUnion")
        active = list(self._active())
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_transform_one)(t, X, y, w, params) for _, t, w in active
        )
        fitted = {name: tr for (name, _, _), (_, tr) in zip(active, results, strict=True)}
        if any(
            fitted[name] is not t
            for name, t in self.transformer_list
            if name in fitted and not isinstance(t, str)
        ):  # process backends return fitted copies
            self.transformer_list = [
                (name, t if isinstance(t, str) else fitted.get(name, t))
                for name, t in self.transformer_list
            ]
        self._fitted_active = [(name, fitted[name], w) for name, _, w in active]
        shape = getattr(X, "shape", None)
        self.n_features_in_ = shape[1] if shape is not None and len(shape) == 2 else len(X[0])
        outs = [
            _as_2d_dense(Xs, name) for (name, _, _), (Xs, _) in zip(active, results, strict=True)
        ]
        n = shape[0] if shape is not None else len(X)
        return np.hstack(outs) if outs else np.zeros((n, 0))

    def transform(self, X):
        """Transform X with every fitted transformer and concatenate."""
        check_is_fitted(self, "_fitted_active")
        self._check_feature_names(X, reset=False)
        if not hasattr(X, "shape"):
            X = check_array(X, dtype=None, allow_nan=True, estimator="FeatureUnion")
        shape = getattr(X, "shape", None)
        if shape is not None and len(shape) == 2 and shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {shape[1]} features, but FeatureUnion is expecting "
                f"{self.n_features_in_} features as input."
            )
        outs = []
        for name, t, w in self._fitted_active:
            Xs = _as_2d_dense(t.transform(X), name)
            outs.append(Xs if w is None else Xs * w)
        n = shape[0] if shape is not None else len(X)
        return np.hstack(outs) if outs else np.zeros((n, 0))

    def __sklearn_is_fitted__(self):
        return hasattr(self, "_fitted_active")

    def get_feature_names_out(self, input_features=None):
        """ "<name>__<feature>" for every output column."""
        check_is_fitted(self, "_fitted_active")
        out = []
        for name, t, _ in self._fitted_active:
            if not hasattr(t, "get_feature_names_out"):
                raise AttributeError(
                    f"Transformer {name} (type {type(t).__name__}) does not provide "
                    "get_feature_names_out."
                )
            names = t.get_feature_names_out(input_features)
            out.extend(f"{name}__{f}" if self.verbose_feature_names_out else f for f in names)
        if not self.verbose_feature_names_out and len(set(out)) != len(out):
            raise ValueError(
                f"Output feature names: {sorted(k for k, c in Counter(out).items() if c > 1)} "
                "are not unique. Please set verbose_feature_names_out=True to add prefixes to "
                "feature names"
            )
        return np.asarray(out, dtype=object)

    def __sklearn_tags__(self):
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        try:
            real = [t for _, t in self.transformer_list if not isinstance(t, str)]
            tags.input_tags.allow_nan = all(get_tags(t).input_tags.allow_nan for t in real)
        except (ValueError, AttributeError, TypeError):
            pass
        return tags


def make_union(*transformers, n_jobs=None, verbose=False):
    """A :class:`FeatureUnion` named after the transformers' classes (Inventory: DP-14).

    >>> from glassml.preprocessing import StandardScaler
    >>> [name for name, _ in make_union(StandardScaler()).transformer_list]
    ['standardscaler']
    """
    return FeatureUnion(_name_estimators(transformers), n_jobs=n_jobs, verbose=verbose)
