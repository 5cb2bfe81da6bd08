"""One POST to a receiver, and what came of it.

The receiver's host is resolved and checked again at every attempt (`addresses`), and the
request goes to the address that was checked: the URL's host is replaced by that address, while
the `Host` header and TLS (SNI and the certificate check, httpx's `sni_hostname` extension)
keep the name. Redirects are not followed, connecting and reading have their own timeouts and
the whole attempt a deadline, and no more of the answer is read than is kept."""

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache

import httpx

from kinerja_api.config import Settings
from kinerja_api.core.schemas import UNSTORABLE_TEXT
from kinerja_api.webhooks.addresses import AddressRefused, Target, checked_address, parse

MAX_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Outcome:
    succeeded: bool
    http_status: int | None
    latency_ms: int
    response_body: str | None
    error: str | None


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    # Loading the certificate store takes longer than a delivery: once per process.
    return httpx.create_ssl_context()


@asynccontextmanager
async def http_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client for one subscription's deliveries (one receiver: its connections are reused
    across them). No proxies from the environment, no redirects."""
    timeout = httpx.Timeout(
        connect=settings.webhook_connect_timeout_seconds,
        read=settings.webhook_read_timeout_seconds,
        write=settings.webhook_read_timeout_seconds,
        pool=settings.webhook_connect_timeout_seconds,
    )
    async with httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, trust_env=False, verify=_tls()
    ) as client:
        yield client


def _storable(text: str) -> str:
    return UNSTORABLE_TEXT.sub("\ufffd", text)


def _cut(text: str) -> str:
    return _storable(text)[:MAX_ERROR_LENGTH]


def _failure(
    started: float, error: str, status: int | None = None, body: str | None = None
) -> Outcome:
    return Outcome(False, status, _elapsed_ms(started), body, _cut(error))


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


async def _read_capped(response: httpx.Response, cap: int) -> str:
    kept = bytearray()
    async for chunk in response.aiter_bytes():
        kept += chunk[: cap - len(kept)]
        if len(kept) >= cap:
            break
    return _storable(bytes(kept).decode("utf-8", errors="replace"))


def _request_to(target: Target, address: str) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """The URL with the checked address in place of the host, the Host header, and the TLS
    name: the receiver sees the request as if sent to its name."""
    url = target.url.copy_with(host=address)
    headers = {"Host": target.url.netloc.decode("ascii")}
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    return url, headers, extensions


async def post(
    client: httpx.AsyncClient,
    settings: Settings,
    url: str,
    body: bytes,
    headers: dict[str, str],
) -> Outcome:
    """POSTs `body` to the receiver at `url`; never raises for what the receiver does."""
    started = time.monotonic()
    try:
        target = parse(url, allow_http=settings.env != "production")
        address = await checked_address(
            target,
            allowed_hosts=settings.webhook_allowed_hosts,
            resolve_seconds=settings.webhook_connect_timeout_seconds,
        )
    except AddressRefused as refused:
        return _failure(started, "refused: " + refused.reason.en.format(**refused.params))
    request_url, host, extensions = _request_to(target, str(address))
    deadline = settings.webhook_connect_timeout_seconds + settings.webhook_read_timeout_seconds
    try:
        async with asyncio.timeout(deadline):
            async with client.stream(
                "POST",
                request_url,
                content=body,
                headers={**headers, **host, "Content-Type": "application/json"},
                extensions=extensions,
            ) as response:
                answer = await _read_capped(response, settings.webhook_response_cap_bytes)
    except httpx.ConnectTimeout:
        return _failure(started, f"connect timeout: no connection to {address} in time")
    except httpx.TimeoutException:
        return _failure(started, "read timeout: the receiver did not answer in time")
    except TimeoutError:
        return _failure(started, f"no complete answer within {deadline:g} s")
    except httpx.HTTPError as exc:
        return _failure(started, f"{type(exc).__name__}: {exc}")
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(True, status, _elapsed_ms(started), answer, None)
    if response.is_redirect:
        return _failure(started, "redirects are not followed", status, answer)
    return _failure(started, f"the receiver answered {status}", status, answer)
