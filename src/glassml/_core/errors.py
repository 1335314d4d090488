"""Exceptions and warnings shared by every glassml module."""


class NotFittedError(ValueError, AttributeError):
    """Raised when a method that needs a fitted estimator is called before ``fit``.

    Subclasses both ``ValueError`` and ``AttributeError``, like scikit-learn's, so code written
    against either library handles it the same way.
    """


def not_fitted_error(message: str) -> NotFittedError:
    """Build a :class:`NotFittedError`; interoperable with scikit-learn when it is loaded.

    When scikit-learn has already been imported by the user (never by us), the exception also
    subclasses ``sklearn.exceptions.NotFittedError``, so scikit-learn code that catches its own
    class (its estimator checks, ``Pipeline``) recognises ours. ``except NotFittedError`` with
    glassml's class works in every case.
    """
    import sys

    sk_exceptions = sys.modules.get("sklearn.exceptions")
    if sk_exceptions is None:
        return NotFittedError(message)
    cls = _INTEROP.get("cls")
    if cls is None:
        cls = type("NotFittedError", (NotFittedError, sk_exceptions.NotFittedError), {})
        cls.__module__ = __name__
        _INTEROP["cls"] = cls
    return cls(message)


_INTEROP: dict = {}


class DataConversionWarning(UserWarning):
    """Input data was converted in a way the user may not expect (e.g. a column-vector y)."""


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped before meeting its tolerance."""


class DatasetNotInstalledError(FileNotFoundError):
    """An offline data or weight package is missing; the message names the install command."""
