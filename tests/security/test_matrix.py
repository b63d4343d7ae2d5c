"""Every endpoint × every role: the policy table holds against the running services, nothing
leaks from a refusal, and docs/security.md is written from what really answered."""

import asyncio

import pytest

from tests.security.matrix import batches, fresh_ticket_needed, operations, plan, run, write_doc
from tests.security.policy import OUTCOMES, POLICY, expected


def test_every_operation_has_a_row_in_the_policy():
    missing = [f"{service} {method} {path}" for service, method, path in operations()
               if (service, method, path) not in POLICY]
    assert not missing, "no row in tests/security/policy.py for:\n" + "\n".join(missing)


def test_every_row_of_the_policy_is_an_operation_with_an_outcome_per_role():
    stale = [key for key in POLICY if key not in operations()]
    assert not stale, f"rows for operations no OpenAPI document has: {stale}"
    for row in POLICY.values():
        assert set(expected(row).values()) <= OUTCOMES, row


@pytest.mark.timeout(600)
async def test_each_role_gets_what_the_policy_says_and_nothing_leaks(world):
    cells = plan()
    writes = sorted({(c.service, c.method, c.path) for c in cells if fresh_ticket_needed(c)})
    fresh = dict(zip(writes, await world.fresh_tickets(len(writes)), strict=True))
    for batch in batches(cells):  # the refusals of an operation at once, then its allowed
        await asyncio.gather(*(run(world, cell, fresh.get((cell.service, cell.method, cell.path))
                                   if fresh_ticket_needed(cell) else None) for cell in batch))
    write_doc(cells)
    broken = [f"{c.service} {c.method} {c.path} as {c.role}: {'; '.join(c.problems)}"
              for c in cells if c.problems]
    assert not broken, f"{len(broken)} of {len(cells)} cells break the policy:\n" + "\n".join(broken)
