"""Training: fit a model on what dispatchers decided, judge it on the held-out slice, and
activate it only when it beats the model (or, before any, the keywords) now in use."""

import asyncio
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.db import Database
from services.core.runtime import every
from services.routing import learned, model_store
from services.routing.catalog import CATEGORIES
from services.routing.classifier import classify
from services.routing.model_store import Example
from services.routing.models import categories, classifier_models, training_examples

log = structlog.get_logger()

TRAIN_EVERY = timedelta(days=1)
CHECK_SECONDS = 3600.0
"""Each replica looks hourly whether a day has passed; the advisory lock lets one train."""
MIN_EXAMPLES, MIN_HOLDOUT = 30, 10
_LOCK = "routing.classifier.training"


class NotEnoughExamples(ValueError):
    """Too few labelled examples (or categories) to fit and judge a model."""


@dataclass(frozen=True)
class Outcome:
    """What one training did: the version stored, whether it is now active, and its scores."""

    version: int
    activated: bool
    scores: dict


def _top(code: str | None) -> str | None:
    return code.split(".")[0] if code else None


def measure(predicted: list[tuple[str, float]], held: list[Example], threshold: float) -> dict:
    """Exact and top-level accuracy, and the share and precision of answers at the threshold."""
    n = len(held)
    right = [p == e.category for (p, _), e in zip(predicted, held, strict=True)]
    auto = [ok for (_, confidence), ok in zip(predicted, right, strict=True)
            if confidence >= threshold]
    return {"accuracy": sum(right) / n,
            "top_accuracy": sum(_top(p) == _top(e.category)
                                for (p, _), e in zip(predicted, held, strict=True)) / n,
            "threshold": threshold, "auto_rate": len(auto) / n,
            "auto_precision": sum(auto) / len(auto) if auto else None}


def keyword_predictions(texts: list[str]) -> list[tuple[str | None, float]]:
    """The keyword classifier's best category and confidence per text."""
    found = [classify(text, top=1) for text in texts]
    return [(s[0].category_code, s[0].confidence) if s else (None, 0.0) for s in found]


@dataclass
class Trained:
    """What one fit gives: the model that was judged and the one that serves.

    `judge` never saw the held-out slice, so its scores are honest and later models can be
    compared with it on that slice. `serving` is fitted again on every example, the slice
    included (a fifth more text), and carries the judge's threshold.
    """

    judge: learned.TextModel
    serving: learned.TextModel
    scores: dict


def fit_and_score(examples: list[Example]) -> Trained:
    """See `_fit_and_score`; each text is cut into words once for all five fits."""
    with learned.remembering():
        return _fit_and_score(examples)


def _fit_and_score(examples: list[Example]) -> Trained:
    """Fit on the training part, calibrate the threshold, score on the held-out slice, then
    fit the serving model on everything.

    The threshold is calibrated on answers the judge never learned from: cross-validated
    answers over the training part and the judge's answers on the held-out slice.
    """
    fitting = [e for e in examples if not e.holdout]
    held = [e for e in examples if e.holdout]
    if len(fitting) < MIN_EXAMPLES or len(held) < MIN_HOLDOUT \
            or len({e.category for e in fitting}) < 2:
        raise NotEnoughExamples(f"{len(fitting)} training and {len(held)} held-out examples; "
                                f"need {MIN_EXAMPLES} and {MIN_HOLDOUT} in 2+ categories")
    texts, labels = [e.text for e in fitting], [e.category for e in fitting]
    judge = learned.fit(texts, labels)
    on_held = learned.predictions(judge, [e.text for e in held])
    scored = [(c, p == label) for (p, c), label in zip(learned.out_of_fold(texts, labels), labels,
                                                        strict=True)]
    scored += [(c, p == e.category) for (p, c), e in zip(on_held, held, strict=True)]
    judge.threshold = learned.calibrate(scored)
    serving = learned.fit([e.text for e in examples], [e.category for e in examples])
    serving.threshold = judge.threshold
    return Trained(judge, serving, {**measure(on_held, held, judge.threshold),
                                    "examples": len(fitting), "holdout": len(held)})


async def _baseline(session: AsyncSession, held: list[Example]) -> tuple[str, float]:
    """The accuracy to beat on today's held-out slice: the active model's judge, else the
    keywords'."""
    current = await model_store.active_judge(session)
    texts = [e.text for e in held]
    if current is None:
        name, predicted = "keywords", await asyncio.to_thread(keyword_predictions, texts)
    else:
        version = (await model_store.active_version(session))["version"]
        name, predicted = f"v{version}", await asyncio.to_thread(learned.predictions, current, texts)
    return name, sum(p == e.category for (p, _), e in zip(predicted, held, strict=True)) / len(held)


async def _known_categories(session: AsyncSession) -> set[str]:
    return set(await session.scalars(select(categories.c.code).where(categories.c.active)))


async def train(session: AsyncSession, *, trigger: str) -> Outcome | None:
    """Fit, judge and maybe activate a model; None when another replica is training now."""
    if not await session.scalar(select(func.pg_try_advisory_xact_lock(func.hashtext(_LOCK)))):
        return None
    found = await model_store.examples(session, await _known_categories(session))
    trained = await asyncio.to_thread(fit_and_score, found)
    baseline, to_beat = await _baseline(session, [e for e in found if e.holdout])
    better = trained.scores["accuracy"] > to_beat
    scores = {**trained.scores, "baseline": baseline, "baseline_accuracy": to_beat}
    version = await model_store.save_version(session, scores, trigger=trigger,
                                             trained=trained if better else None)
    log.info("routing.classifier_trained", version=version, activated=better,
             accuracy=round(scores["accuracy"], 3), baseline=baseline,
             baseline_accuracy=round(to_beat, 3), threshold=round(trained.judge.threshold, 3))
    return Outcome(version, better, scores)


async def _due(session: AsyncSession) -> bool:
    """A day since the last training, and dispatchers have labelled something since."""
    last = await session.scalar(select(func.max(classifier_models.c.trained_at)))
    if last is None:
        return True
    newer = await session.scalar(select(func.count()).select_from(training_examples)
                                 .where(training_examples.c.labelled_at > last))
    now = await session.scalar(select(func.now()))
    return bool(newer) and now - last >= TRAIN_EVERY


async def train_if_due(database: Database) -> Outcome | None:
    """The daily loop's step: train when due; one replica at a time (advisory lock)."""
    async with database.transaction() as session:
        if not await _due(session):
            return None
        try:
            return await train(session, trigger="daily")
        except NotEnoughExamples as exc:
            log.info("routing.classifier_not_trained", reason=str(exc))
            return None


async def daily(database: Database) -> None:
    """The training loop of every replica: first look an interval after start, then hourly."""
    await asyncio.sleep(CHECK_SECONDS)
    await every(CHECK_SECONDS, lambda: train_if_due(database), "routing.classifier_training")


def read_corpus(path: Path) -> list[dict]:
    """Labelled texts from a JSON-lines file ({"category", "text"} per line); checks categories."""
    rows = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("category") not in CATEGORIES or not str(row.get("text", "")).strip():
            raise ValueError(f"{path}:{n}: unknown category or empty text")
        rows.append(row)
    return rows


async def import_corpus(session: AsyncSession, rows: list[dict]) -> int:
    """Add corpus texts as labelled examples (source `corpus`); importing again changes nothing."""
    for row in rows:
        await model_store.record(session, key=model_store.corpus_key(row["text"]),
                                 text=row["text"], category=row["category"], source="corpus")
    return len(rows)
