"""Open311 GeoReport v2 answers in XML and JSON (the Spark convention), and its errors.

XML is built with the standard library's ElementTree: every list is an element holding
one element per item (`services/service`, `errors/error`), a null is an empty element.
JSON is the same data: a list is an array, a null is null.
"""

import re
from xml.etree import ElementTree

import orjson
from fastapi import Request
from fastapi.responses import Response

XML, JSON = "xml", "json"
FORMATS = (XML, JSON)
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# The element each item of a list is called by, as the spec names them.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error",
         "attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
# Characters XML 1.0 cannot carry at all; stored text never should hold them, but an answer
# must stay well-formed whatever the database holds.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """An Open311 error: HTTP 400, 403 or 404 and `errors/error{code,description}`."""

    def __init__(self, status: int, description: str, headers: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.headers = status, description, headers or {}


def response_format(request: Request) -> str:
    """The format the route's path ends in (`/services.xml` → xml)."""
    return request.scope["route"].path.rpartition(".")[2]


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _element(name: str, value) -> ElementTree.Element:
    element = ElementTree.Element(name)
    # Concrete types, not the Mapping/Sequence ABCs: their checks were most of a long list's time.
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list | tuple):
        for item in value:
            element.append(_element(ITEMS[name], item))
    elif value is not None:
        element.text = _text(value)
    return element


def to_xml(root: str, value) -> bytes:
    """The document: the declaration, then `value` as the element `root`."""
    body = ElementTree.tostring(_element(root, value), encoding="unicode")
    return (DECLARATION + body).encode()


def answer(fmt: str, root: str, value, status: int = 200) -> Response:
    """`value` (a list of items or one object) as XML under `root`, or as JSON."""
    content = to_xml(root, value) if fmt == XML else orjson.dumps(value)
    return Response(content, status_code=status, media_type=CONTENT_TYPES[fmt])


def error_answer(fmt: str, error: Open311Error) -> Response:
    """An Open311 error in the format asked for (XML when the format is unknown)."""
    body = [{"code": error.status, "description": error.description}]
    response = answer(fmt if fmt in FORMATS else XML, "errors", body, status=error.status)
    response.headers.update(error.headers)
    return response


async def on_open311_error(request: Request, error: Open311Error) -> Response:
    """The app's handler for Open311Error: the route's own format."""
    route = request.scope.get("route")
    fmt = response_format(request) if route is not None else XML
    return error_answer(fmt, error)
