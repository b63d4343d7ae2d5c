"""The sender loop: claims due messages (SKIP LOCKED), sends them, retries or gives up."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
import structlog
from prometheus_client import Counter
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.aio import stopping
from services.core.db import Database
from services.core.outbox import Outbox
from services.notify import messages as store
from services.notify import policy
from services.notify.events import NotifyFailed, NotifySent
from services.notify.models import messages
from services.notify.providers import (
    ProviderError,
    SendResult,
    SmsMessage,
    SmsProvider,
    TransientProviderError,
    WechatMessage,
    WechatProvider,
)
from services.notify.settings import NotifySettings

log = structlog.get_logger()
OUTCOMES = Counter(
    "hotline_notify_messages_total", "Message attempts by outcome", ["channel", "outcome"]
)
Clock = Callable[[], datetime]
_DUE = ("queued", "deferred", "sending")
SCRUBBED = "******"
RECORD_RETRY_DELAYS = (0.1, 0.5, 2.0, 5.0)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Sender:
    """Sends what is due through the providers; any number of replicas may run one each."""

    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        *,
        sms: SmsProvider,
        wechat: WechatProvider,
        settings: NotifySettings,
        clock: Clock = utc_now,
        http_client: httpx.AsyncClient | None = None,
    ):
        self.db, self.outbox = db, outbox
        self._client = http_client
        self.sms, self.wechat = sms, wechat
        self.settings = settings
        self.clock = clock
        self._slots = asyncio.Semaphore(settings.notify_concurrency)

    async def run(self) -> None:
        """Send until cancelled: at once when messages were queued here, else every poll."""
        try:
            while True:
                await self._round()
        finally:
            if self._client is not None:
                await self._client.aclose()

    async def _round(self) -> None:
        try:
            while await self.run_once() >= self.settings.notify_batch:
                pass
        except Exception:  # database away: the messages wait, the loop goes on
            if stopping():
                raise
            log.exception("notify.sender_failed")
        try:
            await asyncio.wait_for(store.work_ready.wait(), self.settings.notify_poll_seconds)
        except TimeoutError:
            pass
        store.work_ready.clear()

    def wake(self) -> None:
        """Look for due messages now (after the clock moved, in tests and tools)."""
        store.work_ready.set()

    async def run_once(self) -> int:
        """Claim one batch, send it, record what went; returns how many were claimed."""
        claimed = await self.claim()
        delivered = await asyncio.gather(*(self._deliver(row) for row in claimed))
        sent = [outcome for outcome in delivered if outcome is not None]
        if sent:
            await self._record_sent(sent)
        return len(claimed)

    async def claim(self) -> list:
        """Due messages this sender now owns; the others are deferred, expired or left alone."""
        now = self.clock()
        async with self.db.transaction() as session:
            rows = (
                await session.execute(
                    select(messages)
                    .where(
                        messages.c.status.in_(_DUE),
                        or_(
                            messages.c.next_attempt_at.is_(None), messages.c.next_attempt_at <= now
                        ),
                    )
                    .order_by(messages.c.next_attempt_at.asc().nullsfirst(), messages.c.created_at)
                    .limit(self.settings.notify_batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            recent = await policy.recent_sms(
                session, (row.recipient for row in rows if policy.limit_applies(row)), now
            )
            mine = []
            for row in rows:
                if row.expires_at is not None and row.expires_at <= now:
                    await self._give_up(session, row, "expired", "验证码已过期，未发送")
                elif (hold := self._hold(row, now, recent)) is not None:
                    await _set(session, row.id, status="deferred", next_attempt_at=hold)
                    OUTCOMES.labels(row.channel, "deferred").inc()
                    log.info("notify.deferred", message_id=str(row.id), until=hold.isoformat())
                else:
                    mine.append(row)
            if mine:
                lease = now + timedelta(seconds=self.settings.notify_lease_seconds)
                await session.execute(
                    update(messages)
                    .where(messages.c.id.in_([row.id for row in mine]))
                    .values(status="sending", attempts=messages.c.attempts + 1, claimed_at=now,
                            next_attempt_at=lease)
                )
        return mine

    def _hold(self, row, now: datetime, recent: dict[str, list[datetime]]) -> datetime | None:
        s = self.settings
        if policy.quiet_applies(row):
            until = policy.quiet_until(
                now, start_hour=s.notify_quiet_start_hour, end_hour=s.notify_quiet_end_hour
            )
            if until is not None:
                return until
        if policy.limit_applies(row):
            return policy.free_at(recent[row.recipient], now, s.notify_phone_hourly_limit)
        return None

    async def _deliver(self, row) -> tuple | None:
        """Send one message: (row, what to record) when it went; a failure is recorded here."""
        async with self._slots:
            try:
                result = await self._send(row)
            except ProviderError as error:
                await self._failed(row, error)
            except Exception as exc:  # a bug or an unforeseen answer: retry rather than lose it
                log.exception("notify.send_crashed", message_id=str(row.id))
                await self._failed(row, TransientProviderError("notify", "crash", repr(exc)[:200]))
            else:
                return row, self._sent_values(row, result)
        return None

    async def _send(self, row) -> SendResult:
        if row.channel == "sms":
            return await self.sms.send(
                SmsMessage(
                    row.recipient,
                    row.provider_template,
                    row.params,
                    self.settings.sms_sign_name,
                    row.text,
                )
            )
        template_id = self.settings.wechat_template_ids.get(
            row.provider_template, row.provider_template
        )
        return await self.wechat.send(
            WechatMessage(row.recipient, template_id, row.params, row.page)
        )

    def _sent_values(self, row, result: SendResult) -> dict:
        return {
            "status": "sent",
            "sent_at": self.clock(),
            "provider": self.sms.name if row.channel == "sms" else self.wechat.name,
            "provider_message_id": result.provider_message_id,
        }

    async def _record_sent(self, sent: list[tuple]) -> None:
        """Record a round's sent messages in one transaction and announce each."""

        async def record(session: AsyncSession) -> None:
            finished = await _finish_sent(session, sent)
            for row, _ in sent:
                if row.id in finished and row.priority == "code":
                    await _set(session, row.id, **_scrubbed(row))
            await self.outbox.stage_all(session, [
                (NotifySent(**store.event_data(row)), row.ticket_id) for row, _ in sent if row.id in finished])

        await self._record(record)
        for row, values in sent:
            OUTCOMES.labels(row.channel, "sent").inc()
            log.info(
                "notify.sent",
                message_id=str(row.id),
                channel=row.channel,
                provider=values["provider"],
                recipient=store.masked(row.channel, row.recipient),
            )

    async def _failed(self, row, error: ProviderError) -> None:
        attempts = row.attempts + 1
        log.warning(
            "notify.send_failed",
            message_id=str(row.id),
            provider=error.provider,
            code=error.code,
            attempt=attempts,
            transient=isinstance(error, TransientProviderError),
        )
        retry_at = self._retry_at(row, attempts, error)

        async def record(session: AsyncSession) -> None:
            if retry_at is not None:
                await _finish(
                    session,
                    row,
                    status="queued",
                    next_attempt_at=retry_at,
                    error_code=error.code,
                    error_text=error.message[:500],
                )
            elif await _finish(
                session, row, status="failed", error_code=error.code, error_text=error.message[:500]
            ):
                await self._give_up(session, row, error.code, error.message, mark=False)

        await self._record(record)
        if retry_at is not None:
            OUTCOMES.labels(row.channel, "retry").inc()

    async def _record(self, write: Callable[[AsyncSession], Awaitable[None]]) -> None:
        """Record an outcome; retried, because an unrecorded send is sent again after the lease."""
        for delay in RECORD_RETRY_DELAYS:
            try:
                async with self.db.transaction() as session:
                    await write(session)
                return
            except (SQLAlchemyError, OSError) as exc:
                log.warning("notify.record_failed", error=str(exc)[:200], retry_in=delay)
                await asyncio.sleep(delay)
        async with self.db.transaction() as session:
            await write(session)

    def _retry_at(self, row, attempts: int, error: ProviderError) -> datetime | None:
        s = self.settings
        if not isinstance(error, TransientProviderError) or attempts >= s.notify_max_attempts:
            return None
        base = 1.0 if row.priority == "code" else s.notify_retry_base_seconds
        retry_at = self.clock() + timedelta(
            seconds=min(base * 2 ** (attempts - 1), s.notify_retry_max_seconds)
        )
        return None if row.expires_at is not None and retry_at >= row.expires_at else retry_at

    async def _give_up(
        self, session: AsyncSession, row, code: str, text: str, *, mark: bool = True
    ) -> None:
        """No further tries: WeChat falls back to SMS, anything else is reported as failed."""
        if row.channel == "wechat" and await store.add_fallback(
            session, row, sign_name=self.settings.sms_sign_name
        ):
            OUTCOMES.labels(row.channel, "fallback").inc()
            await _set(session, row.id, status="fallback", error_code=code, error_text=text[:500])
            return
        OUTCOMES.labels(row.channel, "failed").inc()
        if mark:
            await _set(session, row.id, status="failed", error_code=code, error_text=text[:500])
        if row.priority == "code":
            await _set(session, row.id, **_scrubbed(row))
        await self.outbox.stage(
            session,
            NotifyFailed(**store.event_data(row), error_code=code, error=text[:200]),
            ticket_id=row.ticket_id,
        )


def _scrubbed(row) -> dict:
    """A login code must not outlive its sending in our tables."""
    if row.priority != "code":
        return {}
    code = row.context.get("code") or SCRUBBED
    return {
        "text": row.text.replace(code, SCRUBBED),
        "params": dict.fromkeys(row.params, SCRUBBED),
        "context": {},
    }


async def _set(session: AsyncSession, message_id, **values) -> None:
    await session.execute(update(messages).where(messages.c.id == message_id).values(**values))


async def _finish_sent(session: AsyncSession, sent: list[tuple]) -> set:
    """Mark a round's sent messages in one statement; the ids whose claim was still ours."""
    done = sa.values(sa.Column("id", sa.Uuid), sa.Column("attempts", sa.Integer),
                     sa.Column("sent_at", sa.DateTime(timezone=True)), sa.Column("provider", sa.String),
                     sa.Column("provider_message_id", sa.String), name="done").data(
        [(row.id, row.attempts, v["sent_at"], v["provider"], v["provider_message_id"]) for row, v in sent])
    result = await session.execute(
        update(messages)
        .where(messages.c.id == done.c.id, messages.c.status == "sending",
               messages.c.attempts == done.c.attempts + 1)  # see _finish
        .values(status="sent", sent_at=done.c.sent_at, provider=done.c.provider,
                provider_message_id=done.c.provider_message_id, error_code=None, error_text=None)
        .returning(messages.c.id)
    )
    return set(result.scalars())


async def _finish(session: AsyncSession, row, **values) -> bool:
    # Only while this sender still owns the claim: a lease taken over elsewhere is not ours.
    result = await session.execute(
        update(messages)
        .where(
            messages.c.id == row.id,
            messages.c.status == "sending",
            messages.c.attempts == row.attempts + 1,
        )
        .values(**values)
    )
    return result.rowcount == 1
