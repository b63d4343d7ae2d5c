"""docs/reliability.md, written by the fault suite from what its tests measured."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
HEAD = """# Reliability: what the fault suite measured

Written by `make test-faults` (part of `make test`) on its last run, {when}; each row is one
test of `tests/faults/`. Reports flow through intake's HTTP API while the fault happens;
afterwards the test waits until every accepted report is assigned by routing, timed by sla and
texted by notify, then counts. *Lost* counts accepted reports missing any of those; *doubled*
counts reports assigned, timed or texted more than once (or, for the broker cut at the front
door, published more than once). *Recovery* is the time from the end of the fault until the
last report was fully handled. Refused reports were answered 503 with `Retry-After`, never 500.

| fault | sent | accepted | refused (503) | lost | doubled | recovery |
|---|---:|---:|---:|---:|---:|---:|
"""
TAIL = """
How each fault is made: a TCP proxy of the suite's own between a process and PostgreSQL or
RabbitMQ (`tests/faults/proxy.py`) drops every connection and refuses new ones; SIGKILL
is sent by the test, or by the process itself at a failpoint (`FAILPOINTS=consumer.after_effect=kill@N`,
`services/core/failpoints.py`: after the effect is committed, before the ack). Poison
messages and dead letters: `tests/core/test_consumer.py` (bounded retries, then `<queue>.dead`,
listed and replayed) and `tests/faults/test_consumers.py` (a live service).
"""


@dataclass
class Row:
    fault: str
    sent: int
    accepted: int
    lost: int
    doubled: int
    recovery_s: float | None = None

    def line(self) -> str:
        recovery = f"{self.recovery_s:.1f} s" if self.recovery_s is not None else "–"
        return (f"| {self.fault} | {self.sent} | {self.accepted} | {self.sent - self.accepted} | "
                f"{self.lost} | {self.doubled} | {recovery} |")


def write(rows: list[Row]) -> None:
    """Replace docs/reliability.md with these rows (in the order the tests ran)."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    DOC.write_text(HEAD.format(when=when) + "\n".join(r.line() for r in rows) + "\n" + TAIL,
                   encoding="utf-8")
