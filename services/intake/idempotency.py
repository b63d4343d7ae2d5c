"""Idempotency-Key: a retry with the same key and body gets the first answer."""

import hashlib

import orjson
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.problems import Problem
from services.intake.models import idempotency_keys as keys


def body_hash(body: dict) -> str:
    """A stable hash of a parsed body (key order and whitespace do not matter)."""
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def claim(session: AsyncSession, caller: str, key: str, request_hash: str) -> dict | None:
    """Reserve the key in this transaction; the stored answer if it was used before."""
    inserted = await session.execute(
        insert(keys)
        .values(caller=caller, key=key, request_hash=request_hash)
        .on_conflict_do_nothing()
        .returning(keys.c.key)
    )
    if inserted.first() is not None:
        return None
    # The insert waited for the first request's transaction, so its answer is committed.
    row = (
        await session.execute(select(keys).where(keys.c.caller == caller, keys.c.key == key))
    ).mappings().one()
    if row["request_hash"] != request_hash:
        raise Problem(409, "幂等键冲突", "同一 Idempotency-Key 已用于内容不同的请求")
    return {"status": row["status_code"], "body": row["response"]}


async def remember(session: AsyncSession, caller: str, key: str, status: int, body: dict) -> None:
    """Store the answer given under the key, in the same transaction as the effect."""
    await session.execute(
        update(keys)
        .where(keys.c.caller == caller, keys.c.key == key)
        .values(status_code=status, response=body)
    )
