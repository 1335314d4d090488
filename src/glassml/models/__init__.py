"""glassml.models: architectures built on ``glassml.nn``.

Inventory: NL (architectures), DL models.
"""

from .gpt import GPT, GPTConfig
from .gpt_train import CharTokenizer, generate_text, prepare_shakespeare, train_gpt
from .mlp import MLP, MLPClassifier, MLPRegressor

__all__ = [
    "MLP",
    "MLPClassifier",
    "MLPRegressor",
    # GPT (TR-12, TR-13)
    "GPT",
    "GPTConfig",
    "CharTokenizer",
    "generate_text",
    "prepare_shakespeare",
    "train_gpt",
]
