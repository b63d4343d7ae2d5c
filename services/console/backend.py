"""The five services' HTTP APIs, called with the logged-in person's own token."""

from dataclasses import dataclass, field

import aiohttp
import orjson
import structlog

log = structlog.get_logger()


@dataclass
class ApiError(Exception):
    """A service refused or failed a call; `problem` is its problem+json body."""

    status: int
    problem: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The service's own Chinese explanation."""
        return self.problem.get("detail") or self.problem.get("title") or "操作未成功"

    def field_errors(self, *, full_path: bool = False) -> dict[str, str]:
        """422 messages by field: the last part of its path (`contact.phone` → `phone`)."""
        found = {}
        for error in self.problem.get("errors") or []:
            path = str(error.get("field") or "")
            found.setdefault(path if full_path else path.split(".")[-1],
                             error.get("message") or "格式不正确")
        return found


class LoginRequired(Exception):
    """The token is missing, expired or refused: the person must log in again."""


class ServiceDown(Exception):
    """A service did not answer (or answered 5xx): the page says so, nothing is lost."""

    def __init__(self, service: str):
        super().__init__(service)
        self.service = service


@dataclass(frozen=True)
class Answer:
    """A service's answer, read whole (they are small: JSON or one printable page)."""

    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return orjson.loads(self.content)


class Backend:
    """One pooled aiohttp session for the services, shared by every request of the process.

    aiohttp rather than httpx: under a page's three or four calls, httpx's per-request
    work was the console's largest cost (make bench-console).
    """

    def __init__(self, urls: dict[str, str], timeout: float):
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:  # made inside the running loop, on first use
            self._session = aiohttp.ClientSession(
                timeout=self.timeout, json_serialize=lambda v: orjson.dumps(v).decode(),
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=60))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def fetch(self, service: str, method: str, path: str, *, headers=None, params=None,
                    json=None, files=None, timeout: float | None = None) -> Answer:
        """One call; aiohttp's errors (and a timeout) pass through to the caller."""
        data = None
        if files:
            data = aiohttp.FormData()
            for name, (filename, content, content_type) in files.items():
                data.add_field(name, content, filename=filename, content_type=content_type)
        kwargs = {"timeout": aiohttp.ClientTimeout(total=timeout)} if timeout else {}
        async with self.session.request(method, self.urls[service] + path, headers=headers,
                                        params=_pairs(params), json=json, data=data,
                                        **kwargs) as response:
            return Answer(response.status, await response.read())

    def as_person(self, token: str | None) -> "Api":
        return Api(self, token)


def _pairs(params: dict | None) -> list[tuple[str, str]] | None:
    """Query parameters as pairs: a list value repeats its name (status=a&status=b)."""
    if not params:
        return None
    pairs = []
    for name, value in params.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, str(value if one is None else one)))
    return pairs


class Api:
    """Calls on behalf of one person: their token, their rights."""

    def __init__(self, backend: Backend, token: str | None):
        self.backend, self.token = backend, token

    async def call(self, service: str, method: str, path: str, **kwargs) -> Answer:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = await self.backend.fetch(service, method, path, headers=headers, **kwargs)
        except (aiohttp.ClientError, TimeoutError) as failure:
            log.warning("console.backend_unreachable", service=service, error=type(failure).__name__)
            raise ServiceDown(service) from None
        if response.status_code == 401:
            raise LoginRequired()
        if response.status_code >= 500:
            log.warning("console.backend_failed", service=service, status=response.status_code)
            raise ServiceDown(service)
        return response

    async def get(self, service: str, path: str, **kwargs):
        """The JSON of a GET; ApiError for a refusal."""
        return _json(await self.call(service, "GET", path, **kwargs))

    async def post(self, service: str, path: str, **kwargs):
        """The JSON of a POST; ApiError for a refusal."""
        return _json(await self.call(service, "POST", path, **kwargs))

    async def patch(self, service: str, path: str, **kwargs):
        """The JSON of a PATCH; ApiError for a refusal."""
        return _json(await self.call(service, "PATCH", path, **kwargs))

    async def delete(self, service: str, path: str, **kwargs):
        return _json(await self.call(service, "DELETE", path, **kwargs))


def _json(response: Answer):
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        raise ApiError(response.status_code, problem if isinstance(problem, dict) else {})
    if response.status_code == 204 or not response.content:
        return None
    return response.json()
