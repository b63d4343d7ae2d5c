"""The staff lists against a seeded database: each filter's time and the plan PostgreSQL chose.

    python -m bench.seed_tickets --tickets 1000000 --database-url URL --create
    python -m bench.search_queries --database-url URL [--runs 40]

Each case is asked `runs` times (after a warm-up) of intake's own routes, in process over
ASGI with the caller's token: p50/p95 are of the whole answer (auth, validation, the
probes, SQL, item views, JSON). Then EXPLAIN (ANALYZE, BUFFERS) of the statement the route
ran gives the plan and its indexes. Prints a Markdown table; the rows go to bench/results.
"""

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from bench.common import percentile
from services.core.auth import Principal, Role, issue_token
from services.core.http import create_service_app
from services.core.settings import Settings
from services.core.testing import running
from services.intake import queues, search
from services.intake.desk_api import router as desk_router
from services.intake.search_schemas import TicketQuery

SECRET = "bench-secret-for-the-console-queries-0123"
TOWN = "532622100"  # 江那镇
RESULTS = Path(__file__).parent / "results" / "search_queries.json"


def people(samples: dict) -> dict[str, Principal]:
    return {
        "admin": Principal("admin", Role.admin),
        "county": Principal("center-532622", Role.dispatcher, "cc-532622", "532622"),
        "prefecture": Principal("center-532600", Role.dispatcher, "cc-532600", "532600"),
        "supervisor": Principal("supervisor-532601", Role.supervisor, None, "532601"),
        "town": Principal("handler-town", Role.handler, samples["town_unit"], "532622"),
        "department": Principal("handler-dept", Role.handler, samples["busy_unit"], "532601"),
        "agent": Principal("agent-532627", Role.agent, "cc-532627", "532627"),
        "new unit": Principal("handler-new", Role.handler, "532622-newly-founded", "532622"),
    }


def cases(samples: dict) -> list[tuple[str, str, dict]]:
    """(who, label, query parameters): every filter alone, the sorts, deep pages, combinations."""
    week = (datetime.now(UTC) - timedelta(days=60)).date()
    single = [
        ("county", "no filter", {}),
        ("admin", "no filter", {}),
        ("prefecture", "no filter", {}),
        ("town", "no filter", {}),
        ("department", "no filter", {}),
        ("new unit", "no filter", {}),
        ("new unit", "sort=created_asc", {"sort": "created_asc"}),
        ("county", "status=in_progress", {"status": ["in_progress"]}),
        ("county", "status=closed", {"status": ["closed"]}),
        ("county", "status=rejected,expired", {"status": ["rejected", "expired"]}),
        ("admin", "status=center_audit", {"status": ["center_audit"]}),
        ("county", "category=municipal (parent)", {"category": "municipal"}),
        ("county", "category=public_security.fraud", {"category": "public_security.fraud"}),
        ("admin", "category=public_security.fraud", {"category": "public_security.fraud"}),
        ("admin", "unit=<busy department>", {"unit": samples["busy_unit"]}),
        ("admin", "region=532627", {"region": "532627"}),
        ("county", "town=532622101", {"town": "532622101"}),
        ("admin", "town=532601001", {"town": "532601001"}),
        ("county", "urgency=urgent", {"urgency": "urgent"}),
        ("county", "channel=sms", {"channel": "sms"}),
        ("county", "type=suggestion", {"type": "suggestion"}),
        ("county", "created 7 days, 2 months ago", {"created_from": week, "created_to": week + timedelta(days=6)}),
        ("admin", "created one day", {"created_from": week, "created_to": week}),
        ("county", "sla=overdue", {"sla": "overdue"}),
        ("county", "sla=warning", {"sla": "warning"}),
        ("admin", "sla=normal", {"sla": "normal"}),
        ("admin", "phone", {"phone": samples["phone"]}),
        ("admin", "q=<ticket number>", {"q": samples["number"]}),
        ("admin", "q=噪音噪声 (common)", {"q": "噪音噪声"}),
        ("county", "q=团结路103号 (rare)", {"q": "团结路103号"}),
        ("admin", "q=不存在的内容 (none)", {"q": "不存在的内容"}),
        ("town", "q=<its own number>", {"q": samples["town_number"]}),
        ("county", "sort=created_asc", {"sort": "created_asc"}),
        ("county", "sort=updated_desc", {"sort": "updated_desc"}),
        ("county", "sort=due_asc", {"sort": "due_asc"}),
        ("admin", "sort=due_asc", {"sort": "due_asc"}),
        ("department", "sort=due_asc", {"sort": "due_asc"}),
        ("county", "limit=100", {"limit": 100}),
        ("admin", "unit=<no such unit>", {"unit": "532622-nobody"}),
        ("admin", "sla=normal&sort=created_asc", {"sla": "normal", "sort": "created_asc"}),
        ("county", "urgency=urgent&sort=created_asc", {"urgency": "urgent", "sort": "created_asc"}),
        ("admin", "q=噪音噪声&sort=created_asc", {"q": "噪音噪声", "sort": "created_asc"}),
        ("department", "status=in_progress&sort=updated_desc", {"status": ["in_progress"], "sort": "updated_desc"}),
        ("county", "status=in_progress&category=municipal&sort=due_asc",
         {"status": ["in_progress"], "category": "municipal", "sort": "due_asc"}),
    ]
    queue_cases = [(who, f"queue={key}", {"queue": key})
                   for who, role in (("county", Role.dispatcher), ("town", Role.handler),
                                     ("supervisor", Role.supervisor), ("agent", Role.agent))
                   for key in queues.DASHBOARDS[role]]
    return single + queue_cases


async def sample(connection: asyncpg.Connection) -> dict:
    """Real values to filter on: a busy department, a town, a phone, ticket numbers."""
    busy = await connection.fetchval(
        "SELECT lead_unit FROM intake.tickets WHERE region_code = '532601' AND lead_unit LIKE '%-%'"
        " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    row = await connection.fetchrow("SELECT number, contact_phone FROM intake.tickets ORDER BY id LIMIT 1")
    own = await connection.fetchval("SELECT number FROM intake.tickets WHERE lead_unit = $1 LIMIT 1", TOWN)
    return {"busy_unit": busy, "town_unit": TOWN, "phone": row["contact_phone"], "number": row["number"],
            "town_number": own}


class Asker:
    """The desk routes of an intake app on the seeded database (no consumers, no loops)."""

    def __init__(self, client, app, connection: asyncpg.Connection, runs: int):
        self.client, self.db, self.connection, self.runs = client, app.state.db, connection, runs

    async def timed(self, path: str, principal: Principal, params: dict) -> tuple[list[float], dict]:
        headers, durations, body = _headers(principal), [], {}
        for run in range(self.runs + 3):
            started = time.perf_counter()
            response = await self.client.get(path, params=params, headers=headers)
            if run >= 3:
                durations.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            body = response.json()
        return durations, body

    async def search(self, principal: Principal, params: dict, **labels) -> dict:
        """Times of GET /v1/search/tickets, then the plan of the statement it ran."""
        durations, _ = await self.timed("/v1/search/tickets", principal, _wire(params))
        query = TicketQuery.model_validate(params)
        async with self.db.transaction() as session:
            fenced = await search.fence_needed(session, principal, query, SECRET)
        plan = await explain(self.connection, search.statement(principal, query, SECRET, fenced=fenced))
        return {**labels, "p50": percentile(durations, 50), "p95": percentile(durations, 95),
                "fenced": fenced, **plan}

    async def dashboard(self, principal: Principal, **labels) -> dict:
        durations, _ = await self.timed("/v1/dashboard", principal, {})
        statement = queues.counts(principal, queues.DASHBOARDS[principal.role])
        return {**labels, "p50": percentile(durations, 50), "p95": percentile(durations, 95),
                **await explain(self.connection, statement)}

    async def cursor_after(self, principal: Principal, params: dict, pages: int) -> str:
        """The `next` of the page number `pages`, reached page by page."""
        cursor = None
        for _ in range(pages):
            response = await self.client.get("/v1/search/tickets", headers=_headers(principal),
                                             params=_wire({**params, **({"after": cursor} if cursor else {})}))
            cursor = response.json()["next"]
        return cursor


def _headers(principal: Principal) -> dict:
    return {"Authorization": f"Bearer {issue_token(principal, SECRET, 3600)}"}


def _wire(params: dict) -> dict:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in params.items()}


async def explain(connection: asyncpg.Connection, statement) -> dict:
    """EXPLAIN ANALYZE of a statement as asyncpg would run it: time, indexes, top node."""
    compiled = statement.compile(dialect=asyncpg_dialect(), compile_kwargs={"render_postcompile": True})
    params = [compiled.params[name] for name in compiled.positiontup]
    [row] = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + str(compiled), *params)
    plan = json.loads(row[0])[0]
    return {"ms": plan["Execution Time"], "indexes": sorted(set(_indexes(plan["Plan"]))),
            "nodes": _shape(plan["Plan"])}


def _indexes(node: dict):
    if "Index Name" in node:
        yield node["Index Name"]
    for child in node.get("Plans", ()):
        yield from _indexes(child)


def _shape(node: dict, depth: int = 0) -> str:
    name = node["Node Type"] + (f" {node['Index Name']}" if "Index Name" in node else "")
    rows = f" ({node.get('Actual Rows', '?')} rows)"
    below = [_shape(child, depth + 1) for child in node.get("Plans", ()) if depth < 3]
    return name + rows + ("  ← " + "; ".join(below) if below else "")


async def main(database_url: str, runs: int) -> None:
    settings = Settings().model_copy(update={"database_url": database_url, "jwt_secret": SECRET,
                                             "log_level": "WARNING", "db_pool_size": 2})
    app = create_service_app(name="intake-bench", settings=settings, routers=[desk_router])
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    samples = await sample(connection)
    who = people(samples)
    async with running(app) as client:
        ask = Asker(client, app, connection, runs)
        rows = [await ask.search(who[person], params, who=person, case=label)
                for person, label, params in cases(samples)]
        for sort in ("created_desc", "due_asc"):
            cursor = await ask.cursor_after(who["county"], {"sort": sort}, 49)
            rows.append(await ask.search(who["county"], {"sort": sort, "after": cursor}, who="county",
                                         case=f"page 50 ({sort})"))
        for person in ("county", "admin", "town", "department", "supervisor", "agent"):
            rows.append(await ask.dashboard(who[person], who=person, case="dashboard"))
    await connection.close()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    print("| who | case | p50 ms | p95 ms | SQL ms | fenced | indexes |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['who']} | {r['case']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['ms']:.1f} | "
              f"{'yes' if r.get('fenced') else ''} | {', '.join(r['indexes']) or 'none'} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.runs))
