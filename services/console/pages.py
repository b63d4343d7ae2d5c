"""Rendering: one template environment, whole pages or htmx fragments, static files by hash."""

import hashlib
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from services.console import formatting
from services.console.names import Directory
from services.console.session import ROLE_NAMES, csrf_token

HERE = Path(__file__).parent
STATIC = HERE / "static"
VENDOR_FILES = ("vendor/htmx.min.js",)
YEAR = 365 * 24 * 3600


class MissingVendorFiles(RuntimeError):
    """npm's files were not installed: `make install` copies them into static/vendor."""


def static_hashes(static: Path = STATIC, vendor: tuple[str, ...] = VENDOR_FILES) -> dict[str, str]:
    """Each static file's content hash, so its URL changes whenever its bytes do."""
    missing = [name for name in vendor if not (static / name).exists()]
    if missing:
        raise MissingVendorFiles(f"missing {', '.join(missing)}: run `make install` (npm ci)")
    return {str(path.relative_to(static)): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in static.rglob("*") if path.is_file()}


class CachedStatic(StaticFiles):
    """Static files, cached for a year: their URLs carry their content hash."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response


def options(choices, selected=None) -> Markup:
    """`<option>`s for (value, text) pairs or units (dicts with code and name), one selected.

    Written in Python, not a template loop: a list page has a few hundred of them, and
    rendering them was most of its cost (make bench-console).
    """
    chosen = set(selected) if isinstance(selected, list) else {selected}
    parts = []
    for choice in choices:
        value, text = (choice["code"], choice["name"]) if isinstance(choice, dict) else choice
        mark = " selected" if value in chosen else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(text)}</option>')
    return Markup("".join(parts))


def make_templates(directory: Directory, hashes: dict[str, str]) -> Jinja2Templates:
    """The template environment with every filter and the hashed static URL helper."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.autoescape = True
    env.auto_reload = False  # templates ship with the code: a new version is a new process
    formatting.install(env)
    env.filters.update(unit=directory.unit_name, category=directory.category_name,
                       region=directory.region_name, place=directory.place)
    env.globals["static"] = lambda name: f"/static/{name}?v={hashes.get(name, '0')}"
    env.globals["role_names"] = ROLE_NAMES
    env.globals["countdown"] = formatting.countdown
    env.globals["options"] = options
    env.globals["clock_left"] = formatting.clock_left
    return templates


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def go_to(request: Request, target: str) -> Response:
    """A redirect after a form or to the login page; htmx is told to go there in full."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """A template with what every page needs: the person, the CSRF token, the calendar."""
    templates: Jinja2Templates = request.app.state.templates
    context.setdefault("person", getattr(request.state, "person", None))
    context["csrf"] = csrf_token(request)
    context["calendar"] = request.app.state.calendar.calendar
    context["path"] = request.url.path
    return templates.TemplateResponse(request, template, context, status_code=status_code)
