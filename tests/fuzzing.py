"""What every service's fuzz test shares: the checks on an answer, an administrator's headers,
the service served alone, and the edge values a few generated examples rarely reach."""

from contextlib import asynccontextmanager
from urllib.parse import quote

import httpx
import pytest

from bench.common import free_port, scratch, services_running
from services.core.auth import Principal, Role, issue_token
from services.core.problems import PROBLEM

ADMIN = Principal("fuzz-admin", Role.admin)
# Values a few examples rarely reach: NUL, past a column, past bigint, the ends of the calendar.
EDGES = {
    "string": ["a\x00b", "字" * 5000],
    "integer": [2**63, -(2**63) - 1],
    "number": [1e308],
    "date": ["0001-01-01", "9999-12-31"],
    "date-time": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"],
}


def refusals_are_problems(ctx, response, case):
    """A 4xx says what went wrong as application/problem+json (a schemathesis check, passed
    per call, not registered for every schema of the run)."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0].split(";")[0]
        if content_type != PROBLEM:
            raise AssertionError(f"{response.status_code} answered as {content_type!r}")


def refusals_are_explained(ctx, response, case):
    """As `refusals_are_problems`, and the problem has a detail for the caller."""
    refusals_are_problems(ctx, response, case)
    if 400 <= response.status_code < 500:
        assert response.json().get("detail") is not None


def bearer(secret: str, principal: Principal = ADMIN) -> dict:
    return {"Authorization": f"Bearer {issue_token(principal, secret, 3600)}"}


@asynccontextmanager
async def served_alone(service: str, env: dict | None = None):
    """The service as its own process on a fresh database: its base URL and its settings."""
    port = free_port()
    async with scratch(f"fuzz_{service}") as settings:
        async with services_running(settings, {service: port}, env or {}):
            yield f"http://127.0.0.1:{port}", settings


def _kind(parameter: dict) -> str | None:
    variants = parameter["schema"].get("anyOf", [parameter["schema"]])
    variant = next((v for v in variants if v.get("type") != "null"), {})
    return variant.get("format") or variant.get("type")


def edge_cases(document: dict) -> list:
    """One case per (operation, parameter, edge value of the parameter's kind)."""
    return [pytest.param(method.upper(), path, parameter, value,
                         id=f"{method.upper()} {path} {parameter['name']}={value!r:.16}")
            for path, operations in document["paths"].items()
            for method, operation in operations.items()
            for parameter in operation.get("parameters", [])
            for value in EDGES.get(_kind(parameter), ())]


async def ask_edge(served, method: str, path: str, parameter: dict, value, valid: dict):
    """Send one edge value (the other path parameters at `valid` values); the answer."""
    base_url, headers = served
    params, filled = {}, dict(valid)
    if parameter["in"] == "path":
        filled[parameter["name"]] = quote(str(value), safe="")
    else:
        params[parameter["name"]] = value
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        return await client.request(method, path.format(**filled), params=params)


async def ask(served, method: str, path: str, body) -> httpx.Response:
    base_url, headers = served
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        return await client.request(method, path, json=body)
