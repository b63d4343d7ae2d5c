"""Keyword classifier for complaint text: jieba segmentation plus weighted catalog keywords."""

import logging
import math
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

import jieba

from services.routing.catalog import CATEGORIES

CONFIDENT = 0.6
"""Below this confidence the ticket goes to the manual dispatch queue."""

EVIDENCE_SCALE = 3.0
"""Score at which evidence reaches 1 - 1/e: one strong keyword alone."""


@dataclass(frozen=True)
class Suggestion:
    """A suggested category for a text, with its keyword score and confidence in [0, 1]."""

    category_code: str
    score: int
    confidence: float


@dataclass(frozen=True)
class _Model:
    tokenizer: jieba.Tokenizer
    index: dict[str, tuple[tuple[str, int], ...]]


_model_lock = threading.Lock()
_loaded: _Model | None = None


def _build() -> _Model:
    jieba.setLogLevel(logging.WARNING)
    # A private tokenizer, so the words we add never change segmentation elsewhere.
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    index: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for cat in CATEGORIES.values():
        for word, weight in cat.keywords:
            index[word].append((cat.code, weight))
            if len(word) > 1:
                tokenizer.add_word(word)
    return _Model(tokenizer, {word: tuple(hits) for word, hits in index.items()})


def _model() -> _Model:
    global _loaded
    with _model_lock:
        if _loaded is None:
            _loaded = _build()
        return _loaded


def warm_up() -> None:
    """Load the jieba dictionary and the keyword index now rather than on the first text."""
    _model()


def _keywords_in(text: str) -> set[str]:
    """The catalog keywords in the text, leaving out those only seen inside a longer one."""
    model = _model()
    # Every keyword is in the dictionary, so HMM new-word guessing only costs time.
    tokens = model.tokenizer.tokenize(text, mode="search", HMM=False)
    spans = [(start, end, word) for word, start, end in tokens if word in model.index]
    # Search mode also yields the parts of a long word; 采石场 must not count 石场 again.
    return {word for start, end, word in spans
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in spans)}


def words(text: str) -> list[str]:
    """The words of a text as the classifier's tokenizer cuts them."""
    return _model().tokenizer.lcut(unicodedata.normalize("NFKC", text), HMM=False)


def keyword_hits(text: str) -> dict[str, int]:
    """Score per category code: each distinct keyword in the text counts its weight once."""
    index = _model().index
    scores: dict[str, int] = defaultdict(int)
    for word in _keywords_in(unicodedata.normalize("NFKC", text)):
        for code, weight in index[word]:
            scores[code] += weight
    return dict(scores)


def _families(scores: dict[str, int]) -> list[tuple[str, int]]:
    """One (code, score) per top-level category with the family's total score.

    The family is labelled with its best sub-category when that has at least as much
    evidence as the parent's own keywords, so 城管 + 噪音 says `municipal.noise`.
    """
    totals: dict[str, int] = defaultdict(int)
    label: dict[str, tuple[int, str]] = {}
    for code, score in scores.items():
        top = CATEGORIES[code].top
        totals[top] += score
        if code != top and (score, code) > label.get(top, (0, "")):
            label[top] = (score, code)
    return [(_label(top, scores.get(top, 0), label.get(top)), total)
            for top, total in totals.items()]


def _label(top: str, own: int, child: tuple[int, str] | None) -> str:
    return child[1] if child and child[0] >= own else top


def confidence(score: float, rival: float) -> float:
    """Confidence of a candidate with `score` against the best other candidate's `rival`.

    evidence = 1 - exp(-score / EVIDENCE_SCALE) grows with absolute keyword weight;
    margin = 1 - 0.5 * min(1, rival / score) is 1 alone, 0.5 at a tie or when behind.
    confidence = evidence * margin, so a lone strong keyword scores 0.63, a tie never
    passes 0.5, and a runner-up always stays below CONFIDENT.
    """
    if score <= 0:
        return 0.0
    evidence = 1 - math.exp(-score / EVIDENCE_SCALE)
    return evidence * (1 - 0.5 * min(1.0, rival / score))


def classify(text: str, top: int = 3) -> list[Suggestion]:
    """Up to `top` category suggestions for a complaint text, best first; [] without evidence."""
    ranked = sorted(_families(keyword_hits(text)), key=lambda item: (-item[1], item[0]))
    scores = [score for _, score in ranked] + [0, 0]
    suggestions = []
    for i, (code, score) in enumerate(ranked[:top]):
        rival = scores[1] if i == 0 else scores[0]
        suggestions.append(Suggestion(code, score, round(confidence(score, rival), 3)))
    return suggestions
