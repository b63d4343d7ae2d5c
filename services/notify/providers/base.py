"""What every provider shares: the messages, the result, the two failure kinds, HTTP plumbing."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

# Seconds, monotonic in production; tests pass a function they can move forward.
Clock = Callable[[], float]


@dataclass(frozen=True)
class SmsMessage:
    """One SMS to one phone: a provider template code plus its parameters."""

    phone: str
    template_code: str
    params: Mapping[str, str]
    sign_name: str
    # The fully rendered text; providers send only code + params, but the console
    # provider and the messages table want what the citizen actually reads.
    text: str = ""


@dataclass(frozen=True)
class WechatMessage:
    """One mini-program subscribe message to one openid."""

    openid: str
    template_id: str
    data: Mapping[str, str]
    page: str | None = None


@dataclass(frozen=True)
class SendResult:
    """The provider accepted the message; its id lets us match delivery receipts."""

    provider_message_id: str | None


class ProviderError(Exception):
    """A provider refused or failed to take a message."""

    def __init__(self, provider: str, code: str, message: str = "") -> None:
        super().__init__(f"{provider}: {code} {message}".strip())
        self.provider = provider
        self.code = code
        self.message = message


class TransientProviderError(ProviderError):
    """Worth retrying later: timeouts, rate limits, provider-side 5xx and system errors."""


class PermanentProviderError(ProviderError):
    """Retrying cannot help: bad number, template or signature, wrong credentials."""


class SmsProvider(Protocol):
    """Anything that can send an SMS."""

    name: str

    async def send(self, msg: SmsMessage) -> SendResult:
        """Hand the message to the provider or raise a ProviderError."""
        ...


class WechatProvider(Protocol):
    """Anything that can send a WeChat subscribe message."""

    name: str

    async def send(self, msg: WechatMessage) -> SendResult:
        """Hand the message to WeChat or raise a ProviderError."""
        ...


@dataclass(frozen=True)
class ErrorCodes:
    """Which provider codes are transient; every other non-success code is permanent."""

    transient: frozenset[Any] = frozenset()
    transient_prefixes: tuple[str, ...] = ()
    # Codes under a transient prefix that are really caller bugs.
    permanent: frozenset[Any] = field(default_factory=frozenset)

    def is_transient(self, code: Any) -> bool:
        """True when the same request may succeed if sent again later."""
        if code in self.permanent:
            return False
        if code in self.transient:
            return True
        return isinstance(code, str) and code.startswith(self.transient_prefixes)

    def error(self, provider: str, code: Any, message: str) -> ProviderError:
        """The exception for a provider's error code."""
        kind = TransientProviderError if self.is_transient(code) else PermanentProviderError
        return kind(provider, str(code), message)


def default_http_client(timeout: float = 10.0) -> httpx.AsyncClient:
    """A shared client with bounded connect/read times, for one process to reuse."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )


async def request(
    client: httpx.AsyncClient, provider: str, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """Send one request; timeouts, network errors, 429 and 5xx become transient errors."""
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise TransientProviderError(provider, "timeout", type(exc).__name__) from exc
    except httpx.TransportError as exc:
        raise TransientProviderError(provider, "network", f"{type(exc).__name__}: {exc}") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientProviderError(provider, f"HTTP_{response.status_code}", response.text[:200])
    return response


def read_json(provider: str, response: httpx.Response) -> dict:
    """The JSON body, or a permanent error when a 4xx came back as something else."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise PermanentProviderError(provider, f"HTTP_{response.status_code}", response.text[:200])
    return body
