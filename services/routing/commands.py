"""Routing's commands for `python -m services.cli`: department queues, directory announcements,
the classifier's training, the knowledge base's loading and reindexing."""

import asyncio
import json
from pathlib import Path

import typer

from services.core.db import Database
from services.core.settings import Settings, get_settings
from services.routing import knowledge_store, training
from services.routing.departments import UnknownUnit, declare_dept_queue
from services.routing.directory_store import announce_all
from services.routing.seed import KNOWLEDGE, load_knowledge


def register(app: typer.Typer) -> None:
    """Add routing's commands to the platform CLI."""

    @app.command("dept-queue")
    def dept_queue(unit: str = typer.Argument(help="unit code, e.g. 532622-police")) -> None:
        """Declare dept.<unit>, bound to ticket.assigned.<unit> and sla.*.<unit>."""
        try:
            spec = asyncio.run(declare_dept_queue(get_settings(), unit))
        except UnknownUnit as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        typer.echo(f"queue {spec.name} <- {', '.join(spec.bindings)} (dead letters: {spec.dead_queue})")
        typer.echo(f"example consumer: python -m services.routing.dept_consumer {unit}")

    @app.command("announce-directory")
    def announce_directory() -> None:
        """Announce every unit and category again (intake and sla learn their names from it)."""
        counts = asyncio.run(_announce(get_settings()))
        typer.echo(f"staged {counts['units']} unit.upserted and {counts['categories']} "
                   "category.upserted; routing's relay publishes them")

    @app.command("knowledge-load")
    def knowledge_load(path: Path = typer.Argument(KNOWLEDGE, help="a JSON list of answers: "
                                                   "title, body, category, region, keywords")) -> None:
        """Add or update answers from a file (by title: loading again changes nothing)."""
        items = json.loads(path.read_text(encoding="utf-8"))
        count = asyncio.run(_in_transaction(get_settings(), lambda s: load_knowledge(s, items)))
        typer.echo(f"loaded {count} answers")

    @app.command("knowledge-reindex")
    def knowledge_reindex() -> None:
        """Cut every answer's words again, after a change of routing's jieba dictionary."""
        count = asyncio.run(_in_transaction(get_settings(), knowledge_store.reindex))
        typer.echo(f"reindexed {count} answers")

    @app.command("routing-train")
    def routing_train(corpus: Path | None = typer.Option(
            None, exists=True, dir_okay=False,
            help="JSON lines of {category, text} to add as labelled examples first "
                 "(a fresh install: tests/routing/corpus/train.jsonl)")) -> None:
        """Train the routing classifier on labelled examples; activate it only if it is better."""
        try:
            rows = training.read_corpus(corpus) if corpus else []
            outcome = asyncio.run(_train(get_settings(), rows))
        except (ValueError, training.NotEnoughExamples) as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        if outcome is None:
            typer.echo("another replica is training now; nothing done", err=True)
            raise typer.Exit(1)
        typer.echo(describe(outcome))


def describe(outcome: training.Outcome) -> str:
    """One line on a training: the version, whether it is active, its held-out scores."""
    s = outcome.scores
    auto = f"{s['auto_rate']:.0%} at {s['auto_precision']:.1%} right" \
        if s["auto_precision"] is not None else "none"
    verdict = "activated" if outcome.activated else "not activated (not better)"
    return (f"model v{outcome.version} {verdict}: held-out accuracy {s['accuracy']:.1%} "
            f"(top level {s['top_accuracy']:.1%}) vs {s['baseline']} "
            f"{s['baseline_accuracy']:.1%}; judged after {s['examples']} training, {s['holdout']} held "
            f"out, serves fitted on all {s['examples'] + s['holdout']}; "
            f"auto-dispatch threshold {s['threshold']:.2f}, auto-dispatched {auto}")


async def _train(settings: Settings, rows: list[dict]) -> training.Outcome | None:
    database = Database(settings.database_url, pool_size=1, name="routing")
    try:
        async with database.transaction() as session:
            await training.import_corpus(session, rows)
        async with database.transaction() as session:
            return await training.train(session, trigger="corpus" if rows else "cli")
    finally:
        await database.dispose()


async def _announce(settings: Settings) -> dict:
    return await _in_transaction(settings, announce_all)


async def _in_transaction(settings: Settings, work):
    database = Database(settings.database_url, pool_size=1, name="routing")
    try:
        async with database.transaction() as session:
            return await work(session)
    finally:
        await database.dispose()
