"""Rendering for the H5 pages: one template environment, static files by hash, the shared context."""

import re
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.console import pages as console_pages
from services.console.h5.public import names
from services.console.h5.session import csrf_token
from services.core import pages as shared
from services.core import vocabulary as words

HERE = Path(__file__).parent
STATIC = HERE / "static"
# A unit code inside a timeline text (退回 532622101 重新办理) is shown by its name.
UNIT_CODE = re.compile(r"(?<!\d)\d{9}(?:\d{3})?(?!\d)")
VENDOR_FILES = ("vendor/htmx.min.js", "vendor/leaflet/leaflet.js")
# Status → the colour of its tag: waiting, working, done, stopped.
STATUS_TONES = {"submitted": "wait", "pending_info": "warn", "accepted": "work", "assigned": "work",
                "in_progress": "work", "leader_review": "work", "center_audit": "work",
                "resolved": "done", "closed": "done", "expired": "stop", "rejected": "stop",
                "merged": "stop"}


def static_hashes() -> dict[str, str]:
    """Each static file's content hash (the console's rule, on the H5's own files)."""
    return console_pages.static_hashes(STATIC, VENDOR_FILES)


def make_templates(hashes: dict[str, str]) -> Jinja2Templates:
    """The template environment with the shared filters and the hashed static URL helper."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.autoescape = True
    env.auto_reload = False
    env.filters.update(beijing=shared.beijing, beijing_date=shared.beijing_date,
                       ticket_type=shared.labels(words.TICKET_TYPES),
                       step=shared.labels(words.TIMELINE_ACTIONS),
                       actor=shared.labels(words.ACTOR_ROLES),
                       tone=lambda status: STATUS_TONES.get(status, "work"))
    env.globals["static"] = lambda name: f"/m/static/{name}?v={hashes.get(name, '0')}"
    return templates


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """A template with what every page needs: the citizen, the CSRF token, names for codes."""
    templates: Jinja2Templates = request.app.state.templates
    config = getattr(request.state, "config", None)
    known = names(config)
    context.setdefault("citizen", getattr(request.state, "citizen", None))
    context.setdefault("config", config)
    context["name_of"] = lambda code, empty="—", unknown=None: (
        known.get(code, code if unknown is None else unknown) if code else empty)
    context["with_names"] = lambda text: UNIT_CODE.sub(lambda m: known.get(m[0], m[0]), text or "")
    context["csrf"] = csrf_token(request)
    context["path"] = request.url.path
    context["hotline"] = request.app.state.settings.h5_hotline
    return templates.TemplateResponse(request, template, context, status_code=status_code)
