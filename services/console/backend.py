"""The five services' HTTP APIs, called with the logged-in person's own token."""

from dataclasses import dataclass, field

import httpx
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


class Backend:
    """One pooled HTTP client per service, shared by every request of the process."""

    def __init__(self, urls: dict[str, str], timeout: float):
        self.clients = {name: httpx.AsyncClient(base_url=url, timeout=timeout)
                        for name, url in urls.items()}

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    def as_person(self, token: str | None) -> "Api":
        return Api(self, token)


class Api:
    """Calls on behalf of one person: their token, their rights."""

    def __init__(self, backend: Backend, token: str | None):
        self.backend, self.token = backend, token

    async def call(self, service: str, method: str, path: str, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = await self.backend.clients[service].request(method, path, headers=headers,
                                                                   **kwargs)
        except httpx.HTTPError as failure:
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

    async def put(self, service: str, path: str, **kwargs):
        return _json(await self.call(service, "PUT", path, **kwargs))

    async def delete(self, service: str, path: str, **kwargs):
        return _json(await self.call(service, "DELETE", path, **kwargs))


def _json(response: httpx.Response):
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        raise ApiError(response.status_code, problem if isinstance(problem, dict) else {})
    if response.status_code == 204 or not response.content:
        return None
    return response.json()
