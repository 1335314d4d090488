"""glassml generate / embed / search / ask — end to end through ``glassml.cli.main``."""

import numpy as np
import pytest

from glassml.cli import main
from glassml.models import GPT, CharTokenizer, GPTConfig


@pytest.fixture
def notes(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "geo.txt").write_text(
        "The capital of Zorbania is Quelt. Quelt lies on the river Ostra.", encoding="utf-8"
    )
    (folder / "music.md").write_text(
        "Mira Holt invented the glass harp in 1901. It is played with wet fingers.",
        encoding="utf-8",
    )
    (folder / "food.txt").write_text("Bread is baked from flour, water and yeast.", "utf-8")
    return folder


def test_generate_from_a_gpt_checkpoint(tmp_path, capsys):
    tok = CharTokenizer().fit("abc ")
    model = GPT(GPTConfig(vocab_size=tok.vocab_size, block_size=8, n_layer=1, n_head=1, n_embd=8))
    model.save(tmp_path / "ckpt", tok)
    assert (
        main(["generate", "ab", "--checkpoint", str(tmp_path / "ckpt"), "--max-new-tokens", "5"])
        == 0
    )
    out = capsys.readouterr().out.strip()
    assert out.startswith("ab") and len(out) == 7 and set(out) <= set("abc ")


def test_embed_writes_unit_vectors(tmp_path, capsys):
    out = tmp_path / "e.npy"
    assert main(["embed", "A cat sat.", "A dog ran.", "--out", str(out)]) == 0
    vectors = np.load(out)
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert "2 x 384" in capsys.readouterr().out


def test_search_ranks_by_meaning_and_caches_the_index(notes, tmp_path, capsys):
    index = tmp_path / "idx"
    assert (
        main(["search", str(notes), "Who made the glass harp?", "-k", "2", "--index", str(index)])
        == 0
    )
    first = capsys.readouterr().out
    assert first.splitlines()[0].endswith("music.md#0")
    assert (index / "chunks.json").exists() and (index / "index.safetensors").exists()
    assert (
        main(["search", str(notes), "Which city is the capital?", "-k", "1", "--index", str(index)])
        == 0
    )
    assert "geo.txt#0" in capsys.readouterr().out


def test_errors_exit_2_with_a_message(tmp_path, capsys):
    assert main(["search", str(tmp_path / "missing"), "x"]) == 2
    assert "not a directory" in capsys.readouterr().err
    assert main(["embed"]) == 2
    assert "give sentences" in capsys.readouterr().err


@pytest.mark.slow
def test_ask_and_generate_with_smollm2(notes, capsys):
    assert main(["ask", str(notes), "What is the capital of Zorbania?", "-k", "1",
                 "--max-new-tokens", "16"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Quelt" in out.split("Sources:")[0]
    assert "[1] geo.txt#0" in out
    assert main(["generate", "The capital of France is", "--raw", "--max-new-tokens", "3"]) == 0
    assert "Paris" in capsys.readouterr().out
