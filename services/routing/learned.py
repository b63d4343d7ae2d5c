"""The statistical classifier: character n-grams, words, catalog keywords and pretrained word
vectors into a linear SVM.

It learns from labelled complaint texts (dispatchers' decisions, the bootstrap corpus); the
keyword classifier (classifier.py) stays the cold-start fallback and one of its features. The
word vectors (word_vectors.py) carry what the labelled texts cannot: that 窨井 is near 井盖
and 停水 near 没得水 though no dispatcher ever labelled the one word.
"""

import io
import math
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property

import joblib
import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_union
from sklearn.svm import LinearSVC

from services.routing import word_vectors
from services.routing.catalog import CATEGORIES
from services.routing.classifier import Suggestion, keyword_hits, words

TARGET_PRECISION = 0.95
"""Auto-dispatched tickets must carry the right category at least this often."""

KEYWORD_WEIGHT = 0.2
"""How loud the catalog keywords speak beside the n-grams (chosen by cross-validation on train.jsonl)."""

VECTOR_WEIGHT = 2.0
"""How loud the mean word vector speaks (chosen by cross-validation on train.jsonl)."""

SOFTMAX_SCALE = 4.0
"""Turns SVM margins into confidences in [0, 1]; the threshold is calibrated on these."""

NEVER = 1.01
"""Threshold of a model that may not dispatch on its own: no confidence reaches it."""

CONFIDENCE_Z = 1.0
"""Calibration asks the precision of the lower end of a ~68 % Wilson interval."""


_memo: ContextVar[dict | None] = ContextVar("routing.learned.memo", default=None)


@contextmanager
def remembering():
    """Within: each text is cut into words and scanned for keywords once, however many fits
    (the judge, the calibration folds, the served model) and features look at it. Only the
    training thread remembers; classifying elsewhere meanwhile is untouched."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _remembered(kind: str, work, text: str):
    memo = _memo.get()
    if memo is None:
        return work(text)
    key = (kind, text)
    if key not in memo:
        memo[key] = work(text)
    return memo[key]


def tokens(text: str) -> list[str]:
    """The text's words as the keyword classifier cuts them (classifier.words)."""
    return _remembered("words", words, text)


def _hits(text: str) -> dict[str, int]:
    return _remembered("keywords", keyword_hits, text)


class KeywordFeatures(BaseEstimator, TransformerMixin):
    """log(1 + keyword score) per catalog category, as the keyword classifier counts them."""

    def __init__(self, weight: float = KEYWORD_WEIGHT):
        self.weight = weight

    def fit(self, texts, labels=None):
        """Fix the category order."""
        self.codes_ = list(CATEGORIES)
        return self

    def transform(self, texts):
        """One row of keyword evidence per text."""
        rows = np.zeros((len(texts), len(self.codes_)))
        index = {code: i for i, code in enumerate(self.codes_)}
        for r, text in enumerate(texts):
            for code, score in _hits(text).items():
                if code in index:
                    rows[r, index[code]] = math.log1p(score)
        return sparse.csr_matrix(rows * self.weight)


class IncompatibleModel(ValueError):
    """A stored model was fitted against other word vectors than the installed ones."""


class WordVectors(BaseEstimator, TransformerMixin):
    """The mean of a text's word vectors, each word weighted by its idf, unit length × weight.

    Rare words say more about the category than 我 or 那个; a word no training text had gets
    the highest idf, since it is rarer still.
    """

    def __init__(self, weight: float = VECTOR_WEIGHT):
        self.weight = weight

    def fit(self, texts, labels=None):
        """Learn the words' idf from the training texts; note which table the model uses."""
        counts = TfidfVectorizer(tokenizer=tokens, token_pattern=None, lowercase=False).fit(texts)
        self.idf_ = dict(zip(counts.get_feature_names_out(), counts.idf_.tolist(), strict=True))
        self.unseen_idf_ = float(counts.idf_.max())
        self.source_ = word_vectors.SOURCE
        return self

    def vector(self, text: str) -> np.ndarray:
        """The text's weighted mean vector (zeros when no word is known)."""
        table = word_vectors.table()
        total = np.zeros(table.dimensions, dtype=np.float64)
        for word in tokens(text):
            vector = table.of(word)
            if vector is not None:
                total += self.idf_.get(word, self.unseen_idf_) * vector
        norm = np.linalg.norm(total)
        return total / norm if norm else total

    def transform(self, texts):
        """One row of `weight`-scaled vector per text."""
        return sparse.csr_matrix(np.vstack([self.vector(text) for text in texts]) * self.weight)


def _pipeline() -> Pipeline:
    features = make_union(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(tokenizer=tokens, token_pattern=None, lowercase=False, sublinear_tf=True),
        KeywordFeatures(),
        WordVectors(),
    )
    return Pipeline([("features", features), ("svm", LinearSVC(C=1.0, random_state=0))])


class _Scorer:
    """The fitted pipeline's arithmetic for one text, without scikit-learn's per-call overhead.

    Same numbers as `Pipeline.decision_function` (tests/routing/test_learned.py checks it):
    sublinear tf times idf, l2-normalised per vectorizer, keyword evidence, the word vector,
    then the SVM. Models stored before the word vectors simply lack that part.
    """

    def __init__(self, pipeline: Pipeline):
        union, svm = pipeline.named_steps["features"], pipeline.named_steps["svm"]
        self.vectorizers, self.others, offset = [], [], 0
        for _, step in union.transformer_list:
            if isinstance(step, TfidfVectorizer):
                self.vectorizers.append((step.build_analyzer(), step.vocabulary_, step.idf_, offset))
                offset += len(step.vocabulary_)
            elif isinstance(step, WordVectors):
                self.vectors = (step, offset)
                offset += word_vectors.table().dimensions
            else:
                self.others.append((step, offset))
                offset += len(step.codes_)
        self.coef, self.intercept = svm.coef_, svm.intercept_

    def margins(self, text: str) -> np.ndarray:
        """The SVM's margin per class for one text."""
        columns, values = [], []
        for analyze, vocabulary, idf, offset in self.vectorizers:
            counts = Counter(term for term in analyze(text) if term in vocabulary)
            index = np.fromiter((vocabulary[t] for t in counts), dtype=np.int64, count=len(counts))
            weights = (1 + np.log(np.fromiter(counts.values(), dtype=float))) * idf[index]
            norm = np.linalg.norm(weights)
            columns.append(index + offset)
            values.append(weights / norm if norm else weights)
        for step, offset in self.others:
            evidence = step.transform([text]).tocoo()
            columns.append(evidence.col.astype(np.int64) + offset)
            values.append(evidence.data)
        cols, vals = np.concatenate(columns), np.concatenate(values)
        margins = self.coef[:, cols] @ vals + self.intercept
        if hasattr(self, "vectors"):
            step, offset = self.vectors
            width = word_vectors.table().dimensions
            margins = margins + self.coef[:, offset:offset + width] @ (step.vector(text) * step.weight)
        return np.concatenate([-margins, margins]) if len(margins) == 1 else margins


def _confidences(margins: np.ndarray) -> np.ndarray:
    scaled = np.exp(SOFTMAX_SCALE * (margins - margins.max(axis=-1, keepdims=True)))
    return scaled / scaled.sum(axis=-1, keepdims=True)


@dataclass
class TextModel:
    """A fitted pipeline and the confidence from which its answer may dispatch alone."""

    pipeline: Pipeline
    threshold: float = NEVER

    @cached_property
    def _scorer(self) -> _Scorer:
        return _Scorer(self.pipeline)

    def __getstate__(self) -> dict:
        return {"pipeline": self.pipeline, "threshold": self.threshold}

    @property
    def classes(self) -> list[str]:
        """The categories this model knows."""
        return [str(code) for code in self.pipeline.classes_]

    def confidences(self, text: str) -> np.ndarray:
        """Confidence per class (in `classes` order) for one text."""
        return _confidences(self._scorer.margins(text))

    def suggest(self, text: str, top: int = 3) -> list[Suggestion]:
        """Up to `top` categories for a text, best first, with confidences."""
        if not text.strip():
            return []
        confidences, classes = self.confidences(text), self.classes
        hits = keyword_hits(text)
        return [Suggestion(classes[i], hits.get(classes[i], 0), round(float(confidences[i]), 3))
                for i in np.argsort(-confidences)[:top]]


def fit(texts: list[str], labels: list[str]) -> TextModel:
    """A model fitted on labelled texts (threshold not yet calibrated)."""
    return TextModel(_pipeline().fit(texts, labels))


def predictions(model: TextModel, texts: list[str]) -> list[tuple[str, float]]:
    """The best category and its confidence for each text."""
    classes, found = model.classes, []
    for text in texts:
        confidences = model.confidences(text)
        best = int(confidences.argmax())
        found.append((classes[best], float(confidences[best])))
    return found


def out_of_fold(texts: list[str], labels: list[str], folds: int = 3) -> list[tuple[str, float]]:
    """Predictions for each training text from a model that did not see it."""
    counts = np.unique(labels, return_counts=True)[1]
    folds = min(folds, int(counts.min()))
    if folds < 2:
        return []
    found: list[tuple[str, float] | None] = [None] * len(texts)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    for fit_rows, test_rows in splitter.split(texts, labels):
        fold = fit([texts[i] for i in fit_rows], [labels[i] for i in fit_rows])
        for i, pair in zip(test_rows, predictions(fold, [texts[i] for i in test_rows]), strict=True):
            found[i] = pair
    return [pair for pair in found if pair is not None]


def wilson_lower(right: int, n: int, z: float = CONFIDENCE_Z) -> float:
    """Lower end of the Wilson interval for a share of `right` out of `n`."""
    if n == 0:
        return 0.0
    share, z2 = right / n, z * z
    centre = share + z2 / (2 * n)
    spread = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    return (centre - spread) / (1 + z2 / n)


def calibrate(scored: list[tuple[float, bool]], target: float = TARGET_PRECISION) -> float:
    """The lowest confidence above which answers are right at least `target` of the time.

    `scored` holds (confidence, right) for texts the model did not learn from. The share
    right must hold at the lower end of its Wilson interval, so a few lucky answers do not
    open auto-dispatch; NEVER when no cut-off qualifies.
    """
    ranked = sorted(scored, key=lambda pair: -pair[0])
    threshold, right = NEVER, 0
    for n, (confidence, correct) in enumerate(ranked, start=1):
        right += correct
        last_of_tie = n == len(ranked) or ranked[n][0] < confidence
        if last_of_tie and wilson_lower(right, n) >= target:
            threshold = confidence
    return threshold


def dumps(model: TextModel) -> bytes:
    """The model as bytes for the database."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def loads(data: bytes) -> TextModel:
    """A model back from its bytes (only ever bytes this service wrote itself).

    Raises IncompatibleModel when it was fitted against other word vectors than ours.
    """
    model = joblib.load(io.BytesIO(data))
    for _, step in model.pipeline.named_steps["features"].transformer_list:
        if isinstance(step, WordVectors) and step.source_ != word_vectors.SOURCE:
            raise IncompatibleModel(f"fitted with {step.source_}, installed {word_vectors.SOURCE}")
    return model
