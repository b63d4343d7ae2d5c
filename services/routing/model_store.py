"""Labelled examples and classifier versions in the database, and the active model in memory."""

import asyncio
import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing import learned
from services.routing.models import classifier_models, training_examples

if TYPE_CHECKING:
    from services.routing.training import Trained

log = structlog.get_logger()

HOLDOUT_SHARE = 5
"""One example in this many (by a hash of its key) is held out from every model's training."""

# Phone numbers, ID and account numbers say nothing about the category: they stay out.
_LONG_NUMBER = re.compile(r"\d[\d\- ]{6,}\d[Xx]?")


@dataclass(frozen=True)
class Example:
    """A complaint text and the category a person gave it."""

    text: str
    category: str
    holdout: bool


def example_text(text: str) -> str:
    """The text as stored for training: long numbers (phones, IDs) masked."""
    return _LONG_NUMBER.sub("＃", text).strip()


def is_holdout(key: str) -> bool:
    """Whether the example with this key belongs to the held-out slice (stable forever)."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % HOLDOUT_SHARE == 0


def corpus_key(text: str) -> str:
    """The key of a corpus text: the same text is one example however often it is imported."""
    return "text:" + hashlib.sha1(text.encode()).hexdigest()


async def record(session: AsyncSession, *, key: str, text: str, category: str, source: str,
                 ticket_id: uuid.UUID | None = None, by: str | None = None) -> None:
    """Keep a labelled example; a ticket labelled again keeps only its latest category."""
    row = {"key": key, "ticket_id": ticket_id, "text": example_text(text), "category": category,
           "source": source, "labelled_by": by, "holdout": is_holdout(key)}
    statement = insert(training_examples).values(**row)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[training_examples.c.key],
        set_={"category": statement.excluded.category, "source": statement.excluded.source,
              "labelled_by": statement.excluded.labelled_by, "labelled_at": func.now()}))


async def record_ticket(session: AsyncSession, ticket: dict, category: str, *, source: str,
                        by: str | None) -> None:
    """A dispatcher categorised a ticket (派单, 改派 with another category): a training example."""
    await record(session, key=f"ticket:{ticket['id']}", ticket_id=ticket["id"],
                 text=f"{ticket['title']}。{ticket['content']}", category=category,
                 source=source, by=by)


async def examples(session: AsyncSession, known: set[str]) -> list[Example]:
    """Every labelled example whose category is still active."""
    rows = await session.execute(select(training_examples.c.text, training_examples.c.category,
                                        training_examples.c.holdout)
                                 .order_by(training_examples.c.id))
    return [Example(*row) for row in rows if row.category in known]


async def save_version(session: AsyncSession, scores: dict, *, trigger: str,
                       trained: "Trained | None") -> int:
    """Store a trained model's scores; with its models it becomes the active version."""
    values = {**scores, "trigger": trigger,
              "status": "active" if trained is not None else "rejected",
              "model": learned.dumps(trained.serving) if trained is not None else None,
              "judge": learned.dumps(trained.judge) if trained is not None else None}
    if trained is not None:
        await session.execute(update(classifier_models)
                              .where(classifier_models.c.status == "active")
                              .values(status="retired"))
    return await session.scalar(insert(classifier_models).values(**values)
                                .returning(classifier_models.c.version))


async def active_version(session: AsyncSession) -> dict | None:
    """The active model's row without its bytes; None before any model was activated."""
    columns = [c for c in classifier_models.c if c.name != "model"]
    row = (await session.execute(select(*columns)
                                 .where(classifier_models.c.status == "active"))).first()
    return dict(row._mapping) if row else None


async def versions(session: AsyncSession, limit: int = 10) -> list[dict]:
    """The latest trained versions, newest first, without their bytes."""
    columns = [c for c in classifier_models.c if c.name != "model"]
    rows = await session.execute(select(*columns).order_by(classifier_models.c.version.desc())
                                 .limit(limit))
    return [dict(row._mapping) for row in rows]


_loaded: tuple[int, learned.TextModel | None] | None = None
_load_lock = asyncio.Lock()


async def active_model(session: AsyncSession) -> learned.TextModel | None:
    """The active model, loaded once per version; None means the keyword classifier decides.

    One indexed lookup per call, so every replica follows an activation at once. A model
    fitted against other word vectors than the installed ones (the pin was changed) is not
    used: the keywords decide until `routing-train` fits a new one.
    """
    global _loaded
    version = await session.scalar(select(classifier_models.c.version)
                                   .where(classifier_models.c.status == "active"))
    if version is None:
        return None
    if _loaded is None or _loaded[0] != version:
        async with _load_lock:
            if _loaded is None or _loaded[0] != version:
                data = await session.scalar(select(classifier_models.c.model)
                                            .where(classifier_models.c.version == version))
                try:
                    model = await asyncio.to_thread(_ready, data)
                except learned.IncompatibleModel as exc:
                    log.error("routing.classifier_incompatible", version=version, reason=str(exc))
                    model = None
                _loaded = (version, model)
    return _loaded[1]


async def active_judge(session: AsyncSession) -> learned.TextModel | None:
    """The active version's judge, the model that never saw the held-out slice (before
    migration 0004 the served model was that model); None before any activation, or when
    the active version cannot be used (then the keywords route, and are what to beat)."""
    row = (await session.execute(select(classifier_models.c.judge, classifier_models.c.model)
                                 .where(classifier_models.c.status == "active"))).first()
    if row is None:
        return None
    try:
        return await asyncio.to_thread(learned.loads, row.judge or row.model)
    except learned.IncompatibleModel:
        return None


def _ready(data: bytes) -> learned.TextModel:
    model = learned.loads(data)
    model.suggest("预热")  # builds the fast scorer and jieba's tables off the event loop
    return model
