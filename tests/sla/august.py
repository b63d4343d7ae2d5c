"""A hand-computed August: five tickets of two units in 富宁县 (532628), fed as real envelopes.

Per unit (see each ticket's comment):
  U1: response 2 of 3 in time; completion 3 of 4 in time (T3 twice); evaluated T1 T2 T3:
      2 resolved, 2 satisfied, 1 unsatisfied; overdue T2; reopened T3.
  U2: response 2 of 2 (T4 returned: not counted); completion 2 of 2 (T5 extended);
      evaluated T3 T5: 2 resolved, 1 satisfied, 1 basically; returned T4; extended T5.
Created: 3 × 噪音扰民, 1 × 占道经营, 1 × 违章建筑; four in 新华镇, one without a town.
"""

from tests.sla.flow import Ticket, announce_category, announce_unit, at, unit_code

REGION = "532628"
AUGUST = {"region": REGION, "from": "2026-08-01", "to": "2026-08-31"}


async def evaluate(ticket, when, resolved, satisfaction):
    await ticket.send("ticket.evaluated", when, resolved=resolved, satisfaction=satisfaction,
                      comment=None, auto=False)


async def resolve(ticket, unit, when):
    await ticket.send("ticket.resolved", when, unit_code=unit, result="已办结", evidence_media_ids=[])


async def announce_names(app) -> None:
    """The names routing's seed announces for what August's reports print."""
    for code, name in (("municipal.noise", "噪音扰民"), ("municipal.road_occupation", "占道经营"),
                       ("municipal.illegal_building", "违章建筑")):
        await announce_category(app, code, name)
    await announce_unit(app, REGION, "富宁县", kind="county", region=REGION, parent="532600")
    await announce_unit(app, "532628100", "富宁县新华镇", kind="town", region=REGION, parent=REGION)


async def feed_august(app) -> tuple[str, str]:
    """Announce the names, feed the five tickets; returns the two unit codes."""
    await announce_names(app)
    u1, u2 = unit_code("u1"), unit_code("u2")
    t1, t2, t3, t4, t5 = (Ticket(app, region=REGION) for _ in range(5))
    await t1.created(at(2026, 8, 3, 8), town="532628100")
    await t1.assign(u1, at(2026, 8, 3, 9))
    await t1.send("ticket.signed", at(2026, 8, 3, 9, 30), unit_code=u1)  # in time
    await resolve(t1, u1, at(2026, 8, 5, 15))  # due 08-10 09:00: in time
    await evaluate(t1, at(2026, 8, 6, 10), True, "satisfied")

    await t2.created(at(2026, 8, 3, 9), category="municipal.road_occupation", town="532628100")
    await t2.assign(u1, at(2026, 8, 3, 10))
    await t2.send("ticket.signed", at(2026, 8, 4, 12), unit_code=u1)  # due 08-04 10:00: late
    await resolve(t2, u1, at(2026, 8, 12, 10))  # due 08-10 10:00: late
    await evaluate(t2, at(2026, 8, 12, 12), False, "unsatisfied")

    await t3.created(at(2026, 8, 4, 8), town="532628100")
    await t3.assign(u1, at(2026, 8, 4, 9), correlation_id="t3")
    await t3.assign(u2, at(2026, 8, 4, 9), role="responsible", correlation_id="t3")
    await t3.send("ticket.signed", at(2026, 8, 4, 10), unit_code=u1)
    await t3.send("ticket.signed", at(2026, 8, 4, 11), unit_code=u2)
    await resolve(t3, u1, at(2026, 8, 6, 10))  # both units in time
    await evaluate(t3, at(2026, 8, 6, 12), False, "unsatisfied")  # replaced by the later one
    await t3.send("ticket.reopened", at(2026, 8, 6, 12, 1), reason="不满意", times=1, unit_codes=[u1])
    await resolve(t3, u1, at(2026, 8, 10, 10))  # second cycle due 08-13: in time
    await evaluate(t3, at(2026, 8, 10, 12), True, "satisfied")

    await t4.created(at(2026, 8, 5, 8), category="municipal.illegal_building", town="532628100")
    await t4.assign(u2, at(2026, 8, 5, 9))
    await t4.send("ticket.returned", at(2026, 8, 5, 11), unit_code=u2, reason="非本单位职责")

    await t5.created(at(2026, 8, 6, 8), town=None)
    await t5.assign(u2, at(2026, 8, 6, 9))
    await t5.send("ticket.signed", at(2026, 8, 6, 9, 10), unit_code=u2)
    await t5.send("ticket.extended", at(2026, 8, 10, 9), unit_code=u2,
                  new_deadline="2026-08-20T10:00:00Z")
    await resolve(t5, u2, at(2026, 8, 18, 10))  # after 08-13 09:00 but before the extension
    await evaluate(t5, at(2026, 8, 18, 12), True, "basically_satisfied")
    return u1, u2
