"""Templates in force: an administrator's edit from the database, else the shipped default."""

import re

import structlog
from jinja2 import TemplateError
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.core.cache import Cached
from services.core.problems import field_error
from services.notify.context import SAMPLE
from services.notify.models import templates
from services.notify.templates import (
    DEFAULT_TEMPLATES,
    SmsTemplate,
    WechatTemplate,
    render_value,
)

log = structlog.get_logger()
Template = SmsTemplate | WechatTemplate
Key = tuple[str, str, str]


def to_body(template: Template) -> dict:
    """The JSON form of a template, as stored and as the API shows it."""
    if isinstance(template, SmsTemplate):
        return {"code": template.code, "body": template.body, "params": dict(template.params)}
    return {"template_id": template.template_id, "page": template.page, "data": dict(template.data)}


def from_body(channel: str, body: dict) -> Template:
    """A template from its JSON form."""
    if channel == "sms":
        return SmsTemplate(body["code"], body["body"], dict(body["params"]))
    return WechatTemplate(body["template_id"], body["page"], dict(body["data"]))


def check(template: Template) -> None:
    """422 naming the field whose Jinja does not compile or uses a name events do not fill."""
    if isinstance(template, SmsTemplate):
        sources = {f"params.{name}": source for name, source in template.params.items()}
    else:
        sources = {"page": template.page, **{f"data.{k}": v for k, v in template.data.items()}}
    for field, source in sources.items():
        if "{%" in source or re.search(r"\d{7,}", source):
            raise field_error(field, "只允许 {{ … }} 表达式，不允许 {% … %} 语句或过大的数字")
        try:
            render_value(source, SAMPLE)
        except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
            raise field_error(field, f"模板无法渲染：{exc}") from None


async def effective(session: AsyncSession, key: Key) -> Template | None:
    """The template to render for (kind, audience, channel), or None when there is none."""
    body = (await _edited.get(session)).get(key)
    if body is None:
        return DEFAULT_TEMPLATES.get(key)
    try:
        return from_body(key[2], body)
    except (KeyError, TypeError, ValueError):
        log.error("notify.template_unreadable", template="/".join(key))
        return DEFAULT_TEMPLATES.get(key)


async def _read_edited(session: AsyncSession) -> dict[Key, dict]:
    rows = await session.execute(select(templates.c.kind, templates.c.audience,
                                        templates.c.channel, templates.c.body))
    return {(kind, audience, channel): body for kind, audience, channel, body in rows}


# Read on every message rendered; an edit here applies at once, on other replicas within 10 s.
_edited = Cached(_read_edited)


async def overrides(session: AsyncSession) -> dict[Key, dict]:
    """Every edited template with who edited it and when."""
    rows = (await session.execute(select(templates))).mappings()
    return {(r["kind"], r["audience"], r["channel"]): dict(r) for r in rows}


async def save(session: AsyncSession, key: Key, template: Template, *, by: str) -> None:
    """Store an administrator's version of a template (checked first)."""
    check(template)
    _edited.changed(session)
    values = {
        "kind": key[0],
        "audience": key[1],
        "channel": key[2],
        "body": to_body(template),
        "updated_by": by,
    }
    statement = insert(templates).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[templates.c.kind, templates.c.audience, templates.c.channel],
            set_={
                "body": statement.excluded.body,
                "updated_by": statement.excluded.updated_by,
                "updated_at": func.now(),
            },
        )
    )


async def reset(session: AsyncSession, key: Key) -> None:
    """Go back to the shipped default."""
    _edited.changed(session)
    await session.execute(
        delete(templates).where(
            templates.c.kind == key[0],
            templates.c.audience == key[1],
            templates.c.channel == key[2],
        )
    )
