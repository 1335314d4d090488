"""Safe model files: safetensors with NumPy, classical estimators as JSON + safetensors, and a
GGUF reader (llama.cpp weights, dequantised with NumPy).

Nothing here uses pickle: loading a model file never runs code from the file.
"""

from .estimator_io import load_estimator, load_network, save_estimator, save_network
from .gguf import GGUFError, GGUFFile
from .safetensors import load_bytes, load_file, read_metadata, save_bytes, save_file

__all__ = [
    "load_bytes",
    "load_file",
    "read_metadata",
    "save_bytes",
    "save_file",
    "load_estimator",
    "save_estimator",
    "load_network",
    "save_network",
    "GGUFError",
    "GGUFFile",
]
