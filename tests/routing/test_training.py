"""Training from the corpus and from dispatchers, activation, and auto-dispatch by the model."""

import asyncio
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from services.core.auth import Principal, Role
from services.routing import learned, model_store, rule_store, service, training
from services.routing.classifier import CONFIDENT, words
from services.routing.classifier_api import classifier_state
from services.routing.models import classifier_models, training_examples
from tests.routing.corpus.load import HELDOUT, TRAIN, rows
from tests.routing.flow import assigned, bearer, submit

# Not the vague text of test_dispatch: dispatchers filed that one under 市政管理, and the
# model, trained after them, has learned it.
VAGUE = "我想反映个事情，就是那个，哎呀我也说不清楚，你们看着办吧"


def routing_train(settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "services.cli", "routing-train", *args],
                          env=env, capture_output=True, text=True, timeout=110)


@pytest.fixture(scope="module")
async def trained(settings, db):
    """The fresh-install bootstrap: `routing-train --corpus` on the corpus's train part."""
    done = await asyncio.to_thread(routing_train, settings, "--corpus", str(TRAIN))
    yield done
    async with db.transaction() as session:  # the other routing tests expect the keywords
        await session.execute(delete(classifier_models))
        await session.execute(delete(training_examples))


@pytest.fixture
def center(settings):
    return bearer(settings, Role.dispatcher, unit="cc-532622", region="532622",
                  subject="center-532622")


async def active(db) -> dict | None:
    async with db.transaction() as session:
        return await model_store.active_version(session)


async def test_routing_train_bootstraps_a_model_from_the_corpus(trained, db):
    assert trained.returncode == 0, trained.stderr
    assert "activated" in trained.stdout and "v" in trained.stdout
    version = await active(db)
    assert version["trigger"] == "corpus" and version["baseline"] == "keywords"
    assert version["accuracy"] > version["baseline_accuracy"]
    assert 0 < version["threshold"] < 1 and version["auto_precision"] >= 0.95
    async with db.transaction() as session:
        sources = dict((await session.execute(
            select(training_examples.c.source, func.count()).group_by(training_examples.c.source)
        )).all())
    # Beside the corpus, what the dispatchers of the other routing tests decided.
    assert sources["corpus"] == len(rows(TRAIN))
    assert version["examples"] + version["holdout"] == sum(sources.values())


async def test_the_served_model_also_learned_the_held_out_slice(trained, db):
    async with db.transaction() as session:
        served = await model_store.active_model(session)
        judge = await model_store.active_judge(session)
        held = (await session.scalars(select(training_examples.c.text)
                                      .where(training_examples.c.holdout))).all()

    def vocabulary(model: learned.TextModel) -> set[str]:
        return set(model.pipeline.named_steps["features"].transformer_list[1][1].vocabulary_)

    only_held = {word for text_ in held for word in words(text_)} - vocabulary(judge)
    assert only_held and only_held <= vocabulary(served)
    assert served.threshold == judge.threshold


async def test_a_model_fitted_with_other_word_vectors_leaves_routing_to_the_keywords(trained, db):
    stale = learned.fit(["家里停水了", "水龙头没得水", "路灯不亮", "路灯坏了"],
                        ["infrastructure.water"] * 2 + ["municipal.streetlight"] * 2)
    stale.pipeline.named_steps["features"].transformer_list[-1][1].source_ = "other==0"

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with db.transaction() as session:
            await session.execute(update(classifier_models).values(status="retired")
                                  .where(classifier_models.c.status == "active"))
            await session.execute(insert(classifier_models).values(
                status="active", trigger="cli", examples=4, holdout=0, accuracy=1, top_accuracy=1,
                baseline="keywords", baseline_accuracy=0, threshold=0.5, auto_rate=1,
                model=learned.dumps(stale)))
            assert await model_store.active_model(session) is None
            assert await service.threshold(session) == CONFIDENT
            assert await model_store.active_judge(session) is None  # the keywords are to beat
            state = await classifier_state(session, Principal("admin", Role.admin), days=30)
            assert state["source"] == "keywords" and state["threshold"] == CONFIDENT
            raise Undo
    async with db.transaction() as session:
        assert await model_store.active_model(session) is not None  # the real one again


async def test_importing_the_corpus_again_adds_nothing_and_keeps_the_model(trained, settings, db):
    before = await active(db)

    again = await asyncio.to_thread(routing_train, settings, "--corpus", str(TRAIN))

    assert again.returncode == 0, again.stderr
    assert "not activated" in again.stdout
    assert (await active(db))["version"] == before["version"]
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(training_examples)
                                    .where(training_examples.c.source == "corpus")) \
            == len(rows(TRAIN))
        latest = (await model_store.versions(session, 1))[0]
        stored = await session.scalar(select(classifier_models.c.model)
                                      .where(classifier_models.c.version == latest["version"]))
    assert latest["status"] == "rejected" and stored is None


async def test_a_worse_model_is_not_activated(trained, db):
    before = await active(db)
    noisy = [{"key": f"noise:{i}", "text": r["text"] + "。", "category": "other",
              "source": "dispatch", "holdout": False} for i, r in enumerate(rows(TRAIN)[::3])]
    async with db.transaction() as session:  # a dispatcher who files a third of it under 其他
        await session.execute(insert(training_examples), noisy)
    try:
        async with db.transaction() as session:
            outcome = await training.train(session, trigger="cli")
        assert not outcome.activated
        assert outcome.scores["accuracy"] < outcome.scores["baseline_accuracy"]
        assert outcome.scores["baseline"] == f"v{before['version']}"
        assert (await active(db))["version"] == before["version"]
    finally:
        async with db.transaction() as session:
            await session.execute(delete(training_examples)
                                  .where(training_examples.c.key.like("noise:%")))


async def test_one_replica_trains_at_a_time(trained, db):
    async with db.transaction() as holder:
        await holder.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                             {"k": "routing.classifier.training"})
        async with db.transaction() as session:
            assert await training.train(session, trigger="daily") is None


async def test_the_daily_step_waits_for_a_day_and_for_new_labels(trained, db):
    assert await training.train_if_due(db) is None  # trained minutes ago


async def test_a_confident_ticket_is_dispatched_by_the_model(trained, routing, intake, events, db):
    async with db.transaction() as session:
        model = await model_store.active_model(session)
        text_, category = await _confident_text(session, model)

    ticket = await submit(intake, text_)

    [first] = await events.collect(assigned(ticket["number"]))
    assert first["data"]["reason"] == "auto" and first["data"]["category"] == category
    assert first["data"]["unit_code"] != "cc-532622"


async def _confident_text(session, model: learned.TextModel) -> tuple[str, str]:
    """A held-out text the model names rightly, above its threshold, with a rule in 砚山."""
    for row in rows(HELDOUT):
        [(code, confidence)] = learned.predictions(model, [row["text"]])
        if code == row["category"] and confidence >= model.threshold + 0.05 \
                and await rule_store.match(session, code, "532622", "532622100"):
            return row["text"], code
    raise AssertionError("no confident held-out text")


async def test_an_unsure_ticket_waits_for_a_dispatcher_with_three_suggestions(
        trained, routing, intake, events, db):
    async with db.transaction() as session:
        model = await model_store.active_model(session)
    assert model.suggest(VAGUE, top=1)[0].confidence < model.threshold

    ticket = await submit(intake, VAGUE)

    [queued] = await events.collect(assigned(ticket["number"]))
    assert queued["data"]["unit_code"] == "cc-532622"
    assert queued["data"]["reason"] == "manual_queue"
    assert len(queued["data"]["suggestions"]) == 3
    assert all(s["confidence"] < model.threshold for s in queued["data"]["suggestions"])


async def test_a_dispatchers_category_becomes_a_training_example(
        trained, routing, intake, events, db, center):
    ticket = await submit(intake, "小区门口垃圾三天没人拉了，臭得很，联系电话13812345678")
    await events.collect(assigned(ticket["number"]))

    first = await routing.post(f"/v1/tickets/{ticket['number']}/dispatch", headers=center,
                               json={"lead": "532622-urban", "category": "sanitation.garbage"})
    moved = await routing.post(f"/v1/tickets/{ticket['number']}/dispatch", headers=center,
                               json={"lead": "532622-urban", "category": "municipal.property"})

    assert first.status_code == moved.status_code == 200, moved.text
    async with db.transaction() as session:
        found = (await session.execute(select(training_examples).where(
            training_examples.c.ticket_id == uuid.UUID(ticket["id"])))).mappings().all()
    assert [(r["category"], r["source"], r["labelled_by"]) for r in found] == [
        ("municipal.property", "transfer", "center-532622")]
    assert "13812345678" not in found[0]["text"] and "垃圾三天没人拉了" in found[0]["text"]


async def test_a_transfer_without_a_new_category_teaches_nothing(
        trained, routing, intake, events, db, center):
    ticket = await submit(intake, "这家餐馆的凉菜吃了拉肚子", category="market.food")
    await events.collect(assigned(ticket["number"]))

    moved = await routing.post(f"/v1/tickets/{ticket['number']}/dispatch", headers=center,
                               json={"lead": "532622-health"})

    assert moved.status_code == 200, moved.text
    async with db.transaction() as session:
        assert not await session.scalar(select(func.count()).select_from(training_examples)
                                        .where(training_examples.c.ticket_id
                                               == uuid.UUID(ticket["id"])))


async def test_staff_see_the_active_classifier(trained, routing, settings, db):
    response = await routing.get("/v1/classifier",
                                 headers=bearer(settings, Role.supervisor, region="532622"))

    assert response.status_code == 200, response.text
    body = response.json()
    version = await active(db)
    assert body["source"] == "model" and body["active"]["version"] == version["version"]
    assert body["threshold"] == pytest.approx(version["threshold"])
    assert body["active"]["accuracy"] == pytest.approx(version["accuracy"])
    assert body["labelled_examples"] >= len(rows(TRAIN))
    share = body["auto_dispatched"]
    assert share["days"] == 30 and share["tickets"] >= share["auto_dispatched"]
    assert share["share"] == (share["auto_dispatched"] / share["tickets"] if share["tickets"]
                              else None)
    assert {v["status"] for v in body["versions"]} >= {"active", "rejected"}


@pytest.mark.parametrize("role", [Role.citizen, Role.channel])
async def test_citizens_and_channels_may_not_see_the_classifier(routing, settings, role):
    response = await routing.get("/v1/classifier", headers=bearer(settings, role))

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_corpus_with_an_unknown_category_is_refused_whole(settings, db, tmp_path):
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text('{"category": "municipal.noise", "text": "楼上半夜蹦迪"}\n'
                      '{"category": "weather", "text": "今天好热"}\n', "utf-8")

    refused = await asyncio.to_thread(routing_train, settings, "--corpus", str(corpus))

    assert refused.returncode == 2 and "bad.jsonl:2" in refused.stderr
    async with db.transaction() as session:
        assert not await session.scalar(select(func.count()).select_from(training_examples)
                                        .where(training_examples.c.text == "楼上半夜蹦迪"))


async def test_each_county_sees_its_own_auto_dispatch_share(trained, routing, intake, events,
                                                           settings):
    async def share(**claims) -> dict:
        response = await routing.get("/v1/classifier", headers=bearer(settings, **claims))
        assert response.status_code == 200, response.text
        return response.json()["auto_dispatched"]

    here_before = await share(role=Role.supervisor, region="532622")
    elsewhere_before = await share(role=Role.supervisor, region="532623")

    ticket = await submit(intake, "江那镇建设路的路灯坏了一个星期，晚上黑得很")  # in 532622
    await events.collect(assigned(ticket["number"]))

    here = await share(role=Role.supervisor, region="532622")
    elsewhere = await share(role=Role.supervisor, region="532623")
    prefecture = await share(role=Role.supervisor, region="532600")
    everywhere = await share(role=Role.admin)
    assert here["tickets"] >= here_before["tickets"] + 1
    assert elsewhere["tickets"] == elsewhere_before["tickets"]
    assert everywhere["tickets"] >= prefecture["tickets"] >= here["tickets"] + elsewhere["tickets"]
