"""Run the cells of the access matrix against the running services and judge each answer."""

import importlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from services.core.problems import PROBLEM
from services.core.settings import Settings
from tests.security.policy import POLICY, ROLES, SERVICES, expected
from tests.security.requests import path_values, request_kwargs

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
OPEN311_TYPES = {"text/xml", "application/json"}
REFUSED = {"401", "403", "404"}
WRITES_ON_TICKETS = ("{number}", "{ticket}")


@cache
def operations() -> list[tuple[str, str, str]]:
    """Every (service, method, path) of the five OpenAPI documents."""
    found = []
    for service in SERVICES:
        app = importlib.import_module(f"services.{service}.app").create_app(Settings())
        for path, methods in app.openapi()["paths"].items():
            found += [(service, method.upper(), path) for method in methods]
    return found


@dataclass
class Cell:
    service: str
    method: str
    path: str
    role: str
    outcome: str
    status: int | None = None
    problems: list[str] = field(default_factory=list)


def plan() -> list[Cell]:
    """Every cell in the order it may run: reads first; then per write its refusals, then
    the callers it lets through; deletes last, so nothing a later cell needs is gone."""
    def order(key):
        service, method, path = key
        return ({"GET": 0, "DELETE": 2}.get(method, 1), service, path, method)

    cells = []
    for key in sorted(POLICY, key=order):
        outcomes = expected(POLICY[key])
        roles = sorted(ROLES, key=lambda role: outcomes[role] not in REFUSED)
        cells += [Cell(*key, role, outcomes[role]) for role in roles]
    return cells


def batches(cells: list[Cell]) -> list[list[Cell]]:
    """The plan cut into what may run at once: the reads of an operation, its refusals (they
    change nothing); each allowed write alone, in the order of the roles, so a second writer
    of the same ticket always meets what the first left (and the table stays the same)."""
    cut: list[list[Cell]] = []
    for cell in cells:
        key = _batch_key(cell)
        if not cut or _batch_key(cut[-1][0]) != key:
            cut.append([])
        cut[-1].append(cell)
    return cut


def _batch_key(cell: Cell) -> tuple:
    return (cell.service, cell.method, cell.path, cell.outcome in REFUSED,
            cell.role if cell.method != "GET" and cell.outcome not in REFUSED else None)


def fresh_ticket_needed(cell: Cell) -> bool:
    """An allowed write on a ticket gets a ticket of its own, so citizen A's stays as it was."""
    return (cell.method != "GET" and cell.outcome not in REFUSED
            and any(name in cell.path for name in WRITES_ON_TICKETS))


async def run(world, cell: Cell, ticket: str | None = None) -> None:
    """Send the cell's request as its role and record what went wrong, if anything."""
    url = cell.path.format(**path_values(world, cell.service, cell.path, ticket=ticket))
    kwargs = await request_kwargs(world, cell.service, cell.method, cell.path, cell.role)
    response = await world.call(cell.service, cell.method, url, cell.role, **kwargs)
    cell.status = response.status_code
    cell.problems = judge(cell, response, world)


def judge(cell: Cell, response, world) -> list[str]:
    """What is wrong with an answer for this cell's outcome (nothing: an empty list)."""
    status, text = response.status_code, response.text
    if status >= 500:
        return [f"{status}: {text[:200]}"]
    if cell.outcome == "public":
        if not 200 <= status < 300:
            return [f"expected a public 2xx, got {status}: {text[:200]}"]
        return [f"shows {value!r} to anyone" for value in world.personal if value in text]
    if cell.outcome == "ok":
        if str(status) in REFUSED or (cell.method == "GET" and not 200 <= status < 300):
            return [f"expected ok, got {status}: {text[:200]}"]
        return []
    if cell.outcome == "sees":
        if not 200 <= status < 300 or world.values["number"] not in text:
            return [f"expected the ticket in a 2xx, got {status}: {text[:200]}"]
        return []
    if cell.outcome == "blind" and not 200 <= status < 300:
        return [f"expected a 2xx showing nothing, got {status}: {text[:200]}"]
    if cell.outcome in REFUSED and str(status) != cell.outcome:
        return [f"expected {cell.outcome}, got {status}: {text[:200]}"]
    found = [f"leaks {secret!r}" for secret in world.secrets if secret in text]
    # Open311 answers its refusals in its own format (errors/error, XML or JSON).
    refusal_types = OPEN311_TYPES if cell.path.startswith("/open311/") else {PROBLEM}
    if cell.outcome in REFUSED and response.headers.get("content-type", "").split(";")[0] not in refusal_types:
        found.append(f"{status} answered as {response.headers.get('content-type')!r}")
    return found


def write_doc(cells: list[Cell]) -> None:
    """docs/security.md: every operation a row, every role a column, the status each got."""
    by_key: dict = {}
    for cell in cells:
        by_key.setdefault((cell.service, cell.method, cell.path), {})[cell.role] = cell
    lines = [
        "# Who may call what: the access matrix",
        "",
        "Generated by `tests/security/test_matrix.py` from the five services' OpenAPI documents",
        "and its policy table (`tests/security/policy.py`), run against the real services: each",
        "cell is the HTTP status that role got. `*` after a status: the answer showed citizen A's",
        "ticket; `·`: a 2xx that showed nothing of it (a list or statistics of the caller's own",
        "jurisdiction, where `*` marks who does see the ticket in the same list); `°`: public,",
        "and no personal data in it. No refusal (401, 403, 404) shows the ticket's number, its",
        "photo's id, the citizen's phone or name, or its messages. Writes that pass the access",
        "check were sent on a ticket of their own. A cell marked ✗ broke the policy.",
        "",
        "Roles: " + "; ".join(f"`{key}` {label}" for key, label in ROLES.items()) + ".",
        "",
        "| service | operation | " + " | ".join(f"`{role}`" for role in ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for (service, method, path), row in sorted(by_key.items(), key=lambda item: (
            list(SERVICES).index(item[0][0]), item[0][2], item[0][1])):
        lines.append(f"| {service} | `{method} {path}` | "
                     + " | ".join(_shown(row[role]) for role in ROLES) + " |")
    DOC.write_text("\n".join(lines) + "\n")


def _shown(cell: Cell) -> str:
    mark = {"sees": "*", "blind": "·", "public": "°"}.get(cell.outcome, "")
    return f"{cell.status}{mark}" + (f" ✗ ({cell.outcome})" if cell.problems else "")
