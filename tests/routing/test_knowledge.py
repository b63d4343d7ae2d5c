"""The knowledge base: admins keep it, anyone searches it in Chinese, agents see its answers."""

import asyncio
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import update

from services.core.auth import Role
from services.routing import knowledge_store
from services.routing.models import knowledge
from tests.routing.flow import bearer, uid

PROBLEM = "application/problem+json"


def admin(settings) -> dict:
    return bearer(settings, Role.admin, region="532600")


def item(**overrides) -> dict:
    return {"title": f"养蜂技术培训报名 {uid()}", "body": "每年春季在县农业农村局组织培训，报名请携带身份证。",
            "category": "policy", "region": None, "keywords": ["培训"], **overrides}


async def create(routing, settings, **overrides) -> dict:
    response = await routing.post("/v1/knowledge", json=item(**overrides), headers=admin(settings))
    assert response.status_code == 201, response.text
    return response.json()


async def test_an_admin_adds_changes_and_removes_an_answer(settings, routing):
    created = await create(routing, settings, keywords=["培训", "培训", "蜜蜂"])
    url = f"/v1/knowledge/{created['id']}"

    changed = await routing.patch(url, json={"title": "中蜂养殖技术培训", "region": "532622"},
                                  headers=admin(settings))
    read = await routing.get(url, headers=admin(settings))
    found = await routing.get("/v1/public/knowledge", params={"q": "中蜂养殖"})
    removed = await routing.delete(url, headers=admin(settings))
    gone = await routing.get(f"/v1/public/knowledge/{created['id']}")

    assert created["category_name"] == "政策咨询" and created["keywords"] == ["培训", "蜜蜂"]
    assert changed.status_code == 200 and read.json()["title"] == "中蜂养殖技术培训"
    assert read.json()["region"] == "532622" and read.json()["body"] == created["body"]
    assert found.json()["items"][0]["id"] == created["id"]
    assert removed.status_code == 204
    assert gone.status_code == 404 and gone.headers["content-type"] == PROBLEM
    assert gone.json()["detail"] == "知识条目不存在或已删除"


@pytest.mark.parametrize(("role", "status"), [
    (Role.dispatcher, 403), (Role.agent, 403), (Role.handler, 403), (Role.citizen, 403),
    (Role.channel, 403), (None, 401),
])
async def test_only_admins_edit_the_knowledge_base(settings, routing, role, status):
    headers = bearer(settings, role, unit="cc-532622", region="532622") if role else {}
    existing = await create(routing, settings)

    attempts = [await routing.post("/v1/knowledge", json=item(), headers=headers),
                await routing.get("/v1/knowledge", headers=headers),
                await routing.patch(f"/v1/knowledge/{existing['id']}", json={"title": "改掉"},
                                    headers=headers),
                await routing.delete(f"/v1/knowledge/{existing['id']}", headers=headers)]

    assert [a.status_code for a in attempts] == [status] * 4
    assert all(a.headers["content-type"] == PROBLEM for a in attempts)
    still = await routing.get(f"/v1/knowledge/{existing['id']}", headers=admin(settings))
    assert still.json()["title"] == existing["title"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"category": "nowhere"}, "category", "分类不存在或已停用"),
    ({"region": "999999"}, "region", "地区不在本平台的行政区划内"),
    ({"region": "5326"}, "region", None),
    ({"title": "问"}, "title", None),
    ({"body": "太短"}, "body", None),
    ({"keywords": ["a,b"]}, "keywords.0", None),
    ({"owner": "me"}, "owner", None),
])
async def test_a_bad_answer_is_refused_with_the_field_named(settings, routing, change, field,
                                                            message):
    body = item(**change)

    response = await routing.post("/v1/knowledge", json=body, headers=admin(settings))
    listed = await routing.get("/v1/knowledge", params={"q": body["title"]}, headers=admin(settings))

    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in errors and (message is None or errors[field] == message)
    assert body["title"] not in [i["title"] for i in listed.json()["items"]]


async def test_a_change_is_checked_like_a_new_answer(settings, routing):
    created = await create(routing, settings)

    response = await routing.patch(f"/v1/knowledge/{created['id']}", json={"category": "nowhere"},
                                   headers=admin(settings))
    missing = await routing.patch("/v1/knowledge/00000000-0000-0000-0000-000000000000",
                                  json={"title": "没有这一条"}, headers=admin(settings))

    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "category"
    assert missing.status_code == 404


async def test_the_seed_answers_a_question_asked_in_other_words(routing):
    response = await routing.get("/v1/public/knowledge", params={"q": "补办社保卡"})
    fund = await routing.get("/v1/public/knowledge", params={"q": "我想提取公积金"})

    best = response.json()["items"][0]
    assert best["title"] == "社保卡丢失或损坏后如何补办" and "补办社保卡" not in best["title"]
    assert best["category"] == "policy.social_insurance" and best["category_name"] == "社保业务"
    assert best["summary"].startswith("社保卡丢失后") and len(best["summary"]) <= 81
    assert fund.json()["items"][0]["title"] == "住房公积金提取条件有哪些，怎么办理"


async def test_a_title_hit_ranks_above_a_keyword_hit_above_a_body_hit(settings, routing):
    word = f"zh{uid()}"  # one word nothing else carries
    body = await create(routing, settings, title=f"农业技术培训 {uid()}",
                        body=f"培训内容包括{word} 养殖和果树管理。", keywords=[])
    keyword = await create(routing, settings, title=f"特色农业扶持 {uid()}", keywords=[word])
    title = await create(routing, settings, title=f"{word} 养殖培训报名")

    response = await routing.get("/v1/public/knowledge", params={"q": f"{word}怎么办"})

    ids = [i["id"] for i in response.json()["items"]]
    assert ids[:3] == [title["id"], keyword["id"], body["id"]]
    assert response.json()["total"] >= 3


async def test_search_filters_by_category_and_region(settings, routing):
    word = f"zh{uid()}"
    here = await create(routing, settings, title=f"{word} 砚山", region="532622",
                        category="policy.household")
    everywhere = await create(routing, settings, title=f"{word} 全州", category="policy")

    async def ids(**params):
        found = await routing.get("/v1/public/knowledge", params={"q": word, **params})
        return {i["id"] for i in found.json()["items"]}

    assert await ids(region="532622") == {here["id"], everywhere["id"]}
    assert await ids(region="532623") == {everywhere["id"]}
    assert await ids(region="532600") == {here["id"], everywhere["id"]}
    assert await ids(category="policy") == {here["id"], everywhere["id"]}
    assert await ids(category="policy.household") == {here["id"]}


async def test_public_search_without_words_lists_the_newest_and_refuses_bad_input(routing):
    newest = await routing.get("/v1/public/knowledge", params={"limit": 5})
    only_stop_words = await routing.get("/v1/public/knowledge", params={"q": "怎么 如何 的"})
    too_long = await routing.get("/v1/public/knowledge", params={"q": "字" * 101})
    nul = await routing.get("/v1/public/knowledge", params={"q": "社保\x00卡"})
    bad_id = await routing.get("/v1/public/knowledge/not-an-id")

    assert len(newest.json()["items"]) == 5 and newest.json()["total"] >= 45
    assert only_stop_words.json() == {"items": [], "total": 0}
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "q"
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "q"
    assert bad_id.status_code == 422 and bad_id.headers["content-type"] == PROBLEM


async def test_classify_adds_the_best_answers_for_the_callers_words(settings, routing):
    agent = bearer(settings, Role.agent, unit="cc-532622", region="532622")

    response = await routing.post("/v1/classify", headers=agent, json={
        "text": "我的社保卡丢了，想问一下怎么补办", "region_code": "532622"})

    answer = response.json()
    assert response.status_code == 200
    assert {"suggestions", "confident", "threshold"} <= answer.keys()
    assert 1 <= len(answer["knowledge"]) <= 3
    assert answer["knowledge"][0]["title"] == "社保卡丢失或损坏后如何补办"
    assert answer["knowledge"][0]["summary"] and "12333" in answer["knowledge"][0]["body"]


async def test_answers_are_loaded_from_a_file_and_reindexed(settings, db, routing, tmp_path):
    word = f"zh{uid()}"
    path = tmp_path / "answers.json"
    path.write_text(json.dumps([item(title=f"{word} 从文件导入")], ensure_ascii=False))

    load = await asyncio.to_thread(subprocess.run, [
        sys.executable, "-m", "services.cli", "knowledge-load", str(path)],
        env={**os.environ, "DATABASE_URL": settings.database_url}, capture_output=True, text=True)
    async with db.transaction() as session:
        await session.execute(update(knowledge).where(knowledge.c.title == f"{word} 从文件导入")
                              .values(search=""))
    lost = await routing.get("/v1/public/knowledge", params={"q": word})
    async with db.transaction() as session:
        reindexed = await knowledge_store.reindex(session)
    found = await routing.get("/v1/public/knowledge", params={"q": word})

    assert load.returncode == 0 and "loaded 1 answers" in load.stdout, load.stderr
    assert lost.json()["items"] == [] and reindexed >= 46
    assert [i["title"] for i in found.json()["items"]] == [f"{word} 从文件导入"]
