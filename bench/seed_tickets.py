"""Two years of a prefecture's tickets, made in set-based SQL for the query plans of
docs/console-queries.md.

    python -m bench.seed_tickets --tickets 1000000 --database-url postgresql+asyncpg://root@127.0.0.1/hotline_1m --create

The 8 counties of 文山州 with their towns and units (services/routing/directory.py; the
county departments it lists for 文山市 and 砚山县 are given to every county, coded the same
way), the categories of services/routing/catalog.py, channels, types and urgency in the
shares of a real county, most tickets closed, the recent ones open with their deadlines
(some past them), a few entries of 流程跟踪 per ticket, and pending 退件/延期 requests.
Every batch is one INSERT ... SELECT over generate_series; nothing loops per ticket.
"""

import argparse
import asyncio
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import asyncpg

from services.core.demo_directory import COUNTIES, DEPARTMENTS, TOWNS, department_code
from services.core.migrate import upgrade
from services.routing.catalog import CATEGORIES

# Shares of the prefecture's tickets, roughly by population.
COUNTY_SHARES = {"532601": .24, "532622": .17, "532623": .07, "532624": .08, "532625": .10,
                 "532626": .11, "532627": .15, "532628": .08}
CHANNELS = (("hotline", .45), ("miniprogram", .25), ("wechat", .14), ("web", .08), ("sms", .05),
            ("app", .03))
TYPES = (("complaint", .45), ("help", .25), ("consult", .15), ("report", .10), ("suggestion", .05))
STREETS = ("振兴街", "团结路", "文化路", "建设路", "人民路", "新华街", "滨河路", "学府路", "环城路",
           "农贸市场", "汽车客运站", "中心幼儿园", "老菜市场", "阳光小区", "村委会")
TAILS = ("请相关部门尽快处理。", "多次反映一直没有解决。", "严重影响周边群众生活。", "希望尽快给个答复。",
         "请派人到现场查看。")


def _cumulative(shares) -> list[float]:
    starts, total = [], 0.0
    for _, share in shares:
        starts.append(total)
        total += share
    return starts


def lookup_rows() -> dict[str, list[tuple]]:
    """The places, units and categories tickets are drawn from."""
    names, towns, units, regions = dict(COUNTIES), {}, {}, []
    for code, name in TOWNS:
        towns.setdefault(code[:6], []).append((code, name))
    for region in names:
        units[region] = [code for code, _ in towns[region]] + [
            department_code(region, kind) for kind, _ in DEPARTMENTS]
    for start, (region, share) in zip(_cumulative(COUNTY_SHARES.items()), COUNTY_SHARES.items(),
                                      strict=True):
        regions.append((region, names[region], start, start + share, len(towns[region]), len(units[region])))
    regions[-1] = (*regions[-1][:3], 2.0, *regions[-1][4:])  # no draw falls past the last county
    return {
        "seed_regions": regions,
        "seed_towns": [(r, i, c, n) for r in towns for i, (c, n) in enumerate(towns[r], start=1)],
        "seed_units": [(r, i, c) for r in units for i, c in enumerate(units[r], start=1)],
        "seed_categories": [(i, c.code, _phrase(c)) for i, c in enumerate(CATEGORIES.values(), start=1)],
    }


def _phrase(category) -> str:
    strong = [word for word, weight in category.keywords if weight == 3][:2]
    return "".join(strong) + "问题" if strong else category.name + "问题"


LOOKUPS = """
CREATE TEMP TABLE seed_regions (code text, name text, lo float8, hi float8, towns int, units int);
CREATE TEMP TABLE seed_towns (region_code text, idx int, code text, name text);
CREATE TEMP TABLE seed_units (region_code text, idx int, code text);
CREATE TEMP TABLE seed_categories (idx int, code text, phrase text);
"""

HANDLED = "('assigned', 'in_progress', 'leader_review', 'center_audit', 'resolved', 'closed')"
RUNNING = "('assigned', 'in_progress', 'leader_review', 'center_audit')"

# $1 run tag, $2 now, $3 days, $4/$5 first/last number, $6 categories, $7/$8 channels and
# their cumulative shares, $9/$10 types and theirs, $11 streets, $12 tails.
BATCH = f"""
WITH drawn AS (
  SELECT g, md5($1 || g)::uuid AS id, $2::timestamptz - random() * $3 * interval '1 day' AS created_at,
         random() AS r_status, random() AS r_region, random() AS r_town, random() AS r_unit,
         random() AS r_cat, random() AS r_channel, random() AS r_type, random() AS r_flag,
         random() AS r_text, random() AS r_eval, random() AS r_took
  FROM generate_series($4::bigint, $5::bigint) AS g
), placed AS (
  SELECT d.*, reg.code AS region_code, reg.name AS county, town.code AS town_code,
         town.name AS town_name, unit.code AS unit_code, cat.code AS category, cat.phrase,
         d.r_flag < 0.07 AS urgent, $2::timestamptz - d.created_at AS age,
         d.created_at + interval '12 minutes' AS assigned_at,
         ($11::text[])[1 + floor(d.r_text * cardinality($11::text[]))::int] AS street
  FROM drawn d
  JOIN seed_regions reg ON d.r_region >= reg.lo AND d.r_region < reg.hi
  JOIN seed_towns town ON town.region_code = reg.code AND town.idx = 1 + floor(d.r_town * reg.towns)::int
  JOIN seed_units unit ON unit.region_code = reg.code AND unit.idx = 1 + floor(d.r_unit * reg.units)::int
  JOIN seed_categories cat ON cat.idx = 1 + floor(d.r_cat * $6)::int
), aged AS (
  SELECT p.*, CASE
    WHEN age < interval '1 day' THEN CASE WHEN r_status < .12 THEN 'submitted' WHEN r_status < .14 THEN 'accepted'
      WHEN r_status < .17 THEN 'pending_info' WHEN r_status < .47 THEN 'assigned'
      WHEN r_status < .92 THEN 'in_progress' WHEN r_status < .96 THEN 'rejected' ELSE 'merged' END
    WHEN age < interval '7 days' THEN CASE WHEN r_status < .01 THEN 'submitted' WHEN r_status < .03 THEN 'pending_info'
      WHEN r_status < .06 THEN 'assigned' WHEN r_status < .42 THEN 'in_progress'
      WHEN r_status < .48 THEN 'leader_review' WHEN r_status < .54 THEN 'center_audit'
      WHEN r_status < .70 THEN 'resolved' WHEN r_status < .93 THEN 'closed'
      WHEN r_status < .96 THEN 'rejected' WHEN r_status < .98 THEN 'expired' ELSE 'merged' END
    WHEN age < interval '15 days' THEN CASE WHEN r_status < .02 THEN 'in_progress'
      WHEN r_status < .03 THEN 'leader_review' WHEN r_status < .04 THEN 'center_audit'
      WHEN r_status < .12 THEN 'resolved' WHEN r_status < .93 THEN 'closed'
      WHEN r_status < .96 THEN 'rejected' WHEN r_status < .98 THEN 'expired' ELSE 'merged' END
    ELSE CASE WHEN r_status < .0002 THEN 'in_progress' WHEN r_status < .92 THEN 'closed'
      WHEN r_status < .96 THEN 'rejected' WHEN r_status < .98 THEN 'expired' ELSE 'merged' END
  END AS status,
  CASE WHEN r_flag < 0.07 THEN interval '3 days' ELSE interval '7 days' END AS span
  FROM placed p
), shaped AS (
  SELECT a.*, status IN {HANDLED} AS handled, status IN {RUNNING} AS running,
         r_took > .9 AND unit_code <> town_code AS shared,
         CASE WHEN status IN ('resolved', 'closed') THEN assigned_at + r_took * span * 0.9 END AS resolved_at,
         format('%s%s%s号附近%s，已经%s天了，%s', town_name, street, 1 + g % 199, phrase, 1 + g % 30,
                ($12::text[])[1 + (g % cardinality($12::text[]))::int]) AS content
  FROM aged a
), inserted AS (
  INSERT INTO intake.tickets (
    id, number, channel, type, category, urgency, title, content, status, region_code, town_code,
    address, lat, lng, contact_name, contact_phone, owner_phone, anonymous, public, submitted_by,
    lead_unit, unit_roles, units, assigned_at, resolved_at, reopen_count, overdue, supervised,
    evaluation, response_due, completion_due, warn_at, warned, dispatch_unit, rework, created_at,
    updated_at)
  SELECT id, 'WS' || to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(g::text, 7, '0'),
    ($7::text[])[width_bucket(r_channel, $8::float8[])], ($9::text[])[width_bucket(r_type, $10::float8[])],
    category, CASE WHEN urgent THEN 'urgent' ELSE 'normal' END, left(split_part(content, '，', 1), 30),
    content, status, region_code, town_code, county || town_name || street || (1 + g % 199) || '号',
    23.0 + r_town * 1.4, 103.6 + r_unit * 2.0,
    substr('王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗', 1 + (g % 20)::int, 1) || CASE WHEN g % 2 = 0 THEN '先生' ELSE '女士' END,
    '13' || lpad(((g * 7919) % 400000 * 2477)::text, 9, '0'), '13' || lpad(((g * 7919) % 400000 * 2477)::text, 9, '0'),
    r_eval < .08, r_eval > .4,
    CASE WHEN r_channel < .45 THEN 'agent-' || region_code ELSE 'channel:' || region_code END,
    CASE WHEN handled THEN unit_code END,
    CASE WHEN NOT handled THEN '{{}}'::jsonb WHEN shared THEN jsonb_build_object(unit_code, 'lead', town_code, 'cooperating')
         ELSE jsonb_build_object(unit_code, 'lead') END,
    CASE WHEN NOT handled THEN '{{}}'::text[] WHEN shared THEN ARRAY[unit_code, town_code] ELSE ARRAY[unit_code] END,
    CASE WHEN handled THEN assigned_at END, resolved_at,
    CASE WHEN status = 'closed' AND r_flag > .97 OR status = 'in_progress' AND r_flag > .95 THEN 1 ELSE 0 END,
    running AND assigned_at + span < $2, handled AND r_took > .98 AND r_flag > .5,
    CASE WHEN status = 'closed' THEN jsonb_build_object('resolved', r_eval > .05, 'auto', r_took < .4,
           'satisfaction', CASE WHEN r_eval < .85 THEN 'satisfied' WHEN r_eval < .96 THEN 'basically_satisfied' ELSE 'unsatisfied' END)
         WHEN status = 'in_progress' AND r_flag > .95 THEN '{{"resolved": false, "satisfaction": "unsatisfied"}}'::jsonb END,
    CASE WHEN status = 'assigned' THEN assigned_at + CASE WHEN urgent THEN interval '1 hour' ELSE interval '24 hours' END END,
    CASE WHEN running THEN assigned_at + span END,
    CASE WHEN status = 'assigned' THEN assigned_at + CASE WHEN urgent THEN interval '45 minutes' ELSE interval '18 hours' END
         WHEN running THEN assigned_at + span * 0.75 END,
    running AND assigned_at + span * 0.75 < $2,
    CASE WHEN status IN ('submitted', 'accepted') AND r_flag < .5 THEN 'cc-' || region_code END,
    status = 'in_progress' AND r_flag > .92,
    created_at,
    CASE WHEN status = 'closed' THEN resolved_at + interval '2 days' * r_took
         WHEN status IN ('rejected', 'merged') THEN created_at + interval '2 hours'
         WHEN status = 'expired' THEN created_at + interval '10 days'
         ELSE created_at + ($2::timestamptz - created_at) * r_took END
  FROM shaped
  RETURNING id, status, created_at, assigned_at, resolved_at, updated_at, lead_unit
)
INSERT INTO intake.timeline (ticket_id, at, action, status, actor_role, actor_unit, text)
SELECT i.id, step.at, step.action, step.status, step.role, step.unit, step.text
FROM inserted i CROSS JOIN LATERAL (VALUES
  ('submit', i.created_at, 'submitted', 'channel', NULL, '提交诉求', true),
  ('assign', i.assigned_at, 'assigned', 'system', NULL, '派单至 ' || i.lead_unit, i.lead_unit IS NOT NULL),
  ('sign', i.assigned_at + interval '2 hours', 'in_progress', 'handler', i.lead_unit, '承办单位已签收',
   i.lead_unit IS NOT NULL AND i.status <> 'assigned'),
  ('accept_completion', i.resolved_at, 'resolved', 'dispatcher', NULL, '指挥中心审核通过', i.resolved_at IS NOT NULL),
  ('close', i.updated_at, i.status, 'system', NULL, '办结归档', i.status IN ('closed', 'rejected', 'expired', 'merged'))
) AS step(action, at, status, role, unit, text, present)
WHERE step.present
"""

REQUESTS = """
INSERT INTO intake.requests (ticket_id, kind, unit_code, reason, requested_deadline, at)
SELECT id, CASE WHEN status = 'assigned' THEN 'return' ELSE 'extension' END, lead_unit,
       CASE WHEN status = 'assigned' THEN '不属于本单位职责范围' ELSE '需协调多个部门，申请延期办结' END,
       CASE WHEN status = 'in_progress' THEN completion_due + interval '7 days' END, updated_at
FROM intake.tickets
WHERE status IN ('assigned', 'in_progress') AND random() < 0.05
"""


async def seed(database_url: str, count: int, *, batch: int = 50_000, days: float = 730,
               now: datetime | None = None, tag: str = "seed-", report=print) -> dict:
    """Fill intake.tickets (and timeline, requests) with `count` tickets; seconds taken per step."""
    await asyncio.to_thread(upgrade, "intake", database_url)
    now, taken = now or datetime.now(UTC), {}
    connection = await asyncpg.connect(_plain(database_url))
    try:
        started = time.monotonic()
        await connection.execute("SELECT setseed(0.42)")
        await connection.execute(LOOKUPS)
        for table, rows in lookup_rows().items():
            await connection.copy_records_to_table(table, records=rows)
        categories = len(CATEGORIES)
        params = ([c for c, _ in CHANNELS], _cumulative(CHANNELS), [t for t, _ in TYPES], _cumulative(TYPES),
                  list(STREETS), list(TAILS))
        for first in range(1, count + 1, batch):
            last = min(first + batch - 1, count)
            await connection.execute(BATCH, tag, now, days, first, last, categories, *params)
            report(f"tickets {last}/{count} ({time.monotonic() - started:.0f} s)")
        taken["tickets"] = time.monotonic() - started
        await connection.execute(REQUESTS)
        await connection.execute(HOUSEKEPT, now)
        await connection.execute("VACUUM (ANALYZE) intake.tickets")
        await connection.execute("VACUUM (ANALYZE) intake.timeline")
        await connection.execute("VACUUM (ANALYZE) intake.requests")
        taken["total"] = time.monotonic() - started
    finally:
        await connection.close()
    return taken


# What intake's housekeeping would have done by `now`: no resolved ticket waits past its 7 days
# of evaluation, no 待完善 past its 10 days. Left undone, a service started on the data
# spends the benchmark closing them (and routing complaining of tickets it never saw).
HOUSEKEPT = """
UPDATE intake.tickets SET status = CASE status WHEN 'resolved' THEN 'closed' ELSE 'expired' END
WHERE (status = 'resolved' AND resolved_at < $1::timestamptz - interval '7 days')
   OR (status = 'pending_info' AND pending_info_since < $1::timestamptz - interval '10 days')
"""


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _create(database_url: str) -> None:
    parts = urlsplit(_plain(database_url))
    admin = await asyncpg.connect(parts._replace(path="/postgres").geturl())
    try:
        await admin.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--days", type=float, default=730)
    parser.add_argument("--create", action="store_true", help="create the database first")
    args = parser.parse_args()
    if args.create:
        asyncio.run(_create(args.database_url))
    taken = asyncio.run(seed(args.database_url, args.tickets, batch=args.batch, days=args.days))
    print({step: f"{seconds:.0f} s" for step, seconds in taken.items()})


if __name__ == "__main__":
    main()
