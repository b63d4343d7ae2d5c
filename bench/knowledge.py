"""Routing's public reads at scale: knowledge search, classify's hints, hot topics, nearby.

`python -m bench.knowledge --items 20000 --tickets 300000` seeds a scratch database with the
demo directory and its 45 answers, adds ITEMS answers recombined from their sentences (so
every word is common: harder than a real knowledge base) and TICKETS tickets over 砚山县 in
two years, then times each query as routing runs it (one transaction each, sequentially).
Figures go to bench/results/knowledge.json.
"""

import argparse
import asyncio
import json
import random
import time
from pathlib import Path

from sqlalchemy import text

from bench.common import percentile, scratch
from services.core.db import Database
from services.routing import knowledge_store, public_store
from services.routing.seed import KNOWLEDGE, seed

QUESTIONS = ["补办社保卡", "我想提取公积金", "孩子上小学怎么报名", "异地就医备案", "被拖欠工资怎么办",
             "身份证丢了", "低保申请条件", "驾驶证到期换证", "预付卡跑路", "新生儿上户口"]
RESULTS = Path(__file__).with_name("results") / "knowledge.json"
TICKETS = text("""
INSERT INTO routing.tickets (id, number, region_code, category, urgency, ticket_type, lat, lng,
                             title, content, status, created_at)
SELECT gen_random_uuid(), 'KB-' || g, '532622',
       (ARRAY['municipal.noise', 'sanitation.garbage', 'infrastructure.road', 'market.food'])[1 + g % 4],
       'normal', 'complaint', 23.2 + random() * 0.7, 103.8 + random() * 0.8, '标题' || g, '内容',
       CASE WHEN g % 3 = 0 THEN 'closed' ELSE 'open' END, now() - random() * interval '730 days'
FROM generate_series(1, :n) g""")


async def _answers(db: Database, count: int, rnd: random.Random) -> None:
    seeds = json.loads(KNOWLEDGE.read_text(encoding="utf-8"))
    for start in range(0, count, 500):
        async with db.transaction() as session:
            for _ in range(min(500, count - start)):
                a, b = rnd.sample(seeds, 2)
                sentences = (a["body"] + b["body"]).split("。")
                rnd.shuffle(sentences)
                await knowledge_store.create(session, {
                    "title": a["title"][:8] + b["title"][-8:], "body": "。".join(sentences),
                    "category": a["category"], "keywords": a["keywords"][:2],
                    "region": rnd.choice([None, "532622", "532601"])})


async def _timed(db: Database, query, n: int) -> dict:
    took = []
    for i in range(n):
        start = time.perf_counter()
        async with db.transaction() as session:
            await query(session, i)
        took.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(percentile(took, 50), 1), "p95_ms": round(percentile(took, 95), 1)}


def _point(rnd: random.Random) -> dict:
    return {"lat": 23.2 + rnd.random() * 0.7, "lng": 103.8 + rnd.random() * 0.8}


async def run(items: int, tickets: int) -> dict:
    """Seed, add the answers and tickets, time every query; the figures."""
    rnd = random.Random(1)
    async with scratch("kbbench") as settings:
        db = Database(settings.database_url, pool_size=2)
        async with db.transaction() as session:
            await seed(session, settings)
        start = time.perf_counter()
        await _answers(db, items, rnd)
        indexed = time.perf_counter() - start
        async with db.transaction() as session:
            await session.execute(TICKETS, {"n": tickets})
        async with db.transaction() as session:
            await session.execute(text("ANALYZE routing.tickets"))
            await session.execute(text("ANALYZE routing.knowledge"))
        figures = {"answers": items + 45, "tickets": tickets,
                   "index_ms_per_answer": round(indexed * 1000 / max(items, 1), 2)}
        figures["search"] = await _timed(db, lambda s, i: knowledge_store.search(
            s, q=QUESTIONS[i % 10], region="532622"), 200)
        figures["classify_hints"] = await _timed(db, lambda s, i: knowledge_store.search(
            s, q=QUESTIONS[i % 10] + "，请问需要什么材料，去哪里办理", limit=3, in_titles=True), 200)
        figures["hot_categories"] = await _timed(
            db, lambda s, i: public_store.hot_categories(s, region="532622"), 50)
        figures["hot_answers"] = await _timed(db, lambda s, i: knowledge_store.hot(s, region="532622"), 50)
        for radius in (500, 5000):
            figures[f"nearby_{radius}m"] = await _timed(db, lambda s, i, r=radius: public_store.nearby(
                s, **_point(rnd), radius=r), 100)
        await db.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--tickets", type=int, default=300_000)
    args = parser.parse_args()
    figures = asyncio.run(run(args.items, args.tickets))
    RESULTS.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
