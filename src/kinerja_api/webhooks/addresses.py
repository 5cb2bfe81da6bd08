"""Where a webhook may be sent (server-side request forgery): a receiver's URL and the
addresses its host resolves to.

A URL is https in production (http also when developing or testing), names a host, and carries
no credentials. Its host must resolve to public addresses only: loopback, private, link-local,
multicast, unspecified, reserved and cloud-metadata addresses are refused (IPv4 inside IPv6
forms is unwrapped first), at creation and again at every delivery, which then connects to the
address it checked, so a DNS answer that changes in between cannot redirect it. Hosts the
operator names in `webhook_allowed_hosts` are not checked (a receiver on the loopback in
tests, an intranet system the operator vouches for)."""

import asyncio
import ipaddress
import socket
from collections.abc import Collection
from dataclasses import dataclass

import httpx

from kinerja_api.core.i18n import Msg

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
CLOUD_METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
MAX_URL_LENGTH = 2000


class AddressRefused(Exception):  # noqa: N818 - a refusal, not a failure of ours
    """A URL or an address a webhook may not be sent to; `reason` says why, in both
    languages."""

    def __init__(self, reason: Msg, **params: object) -> None:
        super().__init__(reason.en.format(**params))
        self.reason = reason
        self.params = params


_SCHEME = Msg(
    "Alamat harus https (http hanya di luar produksi).",
    "The URL must be https (http only outside production).",
)
_NO_HOST = Msg("Alamat tidak menyebut host.", "The URL names no host.")
_CREDENTIALS = Msg(
    "Alamat tidak boleh memuat nama pengguna atau kata sandi.",
    "The URL must not carry a user name or password.",
)
_FRAGMENT = Msg("Alamat tidak boleh memuat fragmen (#).", "The URL must not carry a fragment (#).")
_MALFORMED = Msg("Alamat tidak dapat dibaca.", "The URL cannot be read.")
_UNRESOLVED = Msg(
    "Host {host} tidak dapat di-resolve.", "The host {host} does not resolve to any address."
)
_REFUSED = Msg(
    "Host {host} mengarah ke alamat {kind} ({address}); webhook hanya dikirim ke alamat publik.",
    "The host {host} resolves to a {kind} address ({address}); webhooks go to public addresses "
    "only.",
)
_RESOLVE_TIMEOUT = Msg(
    "Host {host} tidak selesai di-resolve tepat waktu.",
    "The host {host} did not resolve in time.",
)


@dataclass(frozen=True, slots=True)
class Target:
    """A receiver's URL, read: scheme, host as written (for the Host header and TLS), port."""

    url: httpx.URL
    host: str
    port: int


def parse(url: str, *, allow_http: bool) -> Target:
    """The URL as a target, or `AddressRefused` when its form alone is not acceptable."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise AddressRefused(_MALFORMED) from exc
    if parsed.scheme not in (("https", "http") if allow_http else ("https",)):
        raise AddressRefused(_SCHEME)
    if not parsed.host:
        raise AddressRefused(_NO_HOST)
    if parsed.userinfo:
        raise AddressRefused(_CREDENTIALS)
    if parsed.fragment:
        raise AddressRefused(_FRAGMENT)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return Target(parsed, parsed.host.lower(), port)


def kind_of(address: IPAddress) -> str | None:
    """Why a delivery may not go to `address` (its class), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or _teredo_client(address)
        if embedded is not None:
            return kind_of(embedded)
    checks: tuple[tuple[str, bool], ...] = (
        ("cloud metadata", address in CLOUD_METADATA),
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    return next((kind for kind, refused in checks if refused), None)


def _teredo_client(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    teredo = address.teredo
    return teredo[1] if teredo else None


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """The addresses `host` resolves to, in the resolver's order. Tests replace this function
    to make a host resolve elsewhere."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


async def checked_address(
    target: Target, *, allowed_hosts: Collection[str], resolve_seconds: float
) -> IPAddress:
    """The address to connect to: the first the host resolves to, once every address it
    resolves to has been found public (or the host is allowed)."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(target.host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            async with asyncio.timeout(resolve_seconds):
                addresses = await resolve_host(target.host, target.port)
        except TimeoutError as exc:
            raise AddressRefused(_RESOLVE_TIMEOUT, host=target.host) from exc
        except OSError as exc:
            raise AddressRefused(_UNRESOLVED, host=target.host) from exc
    if not addresses:
        raise AddressRefused(_UNRESOLVED, host=target.host)
    if target.host not in {host.lower() for host in allowed_hosts}:
        for address in addresses:
            kind = kind_of(address)
            if kind is not None:
                raise AddressRefused(_REFUSED, host=target.host, kind=kind, address=address)
    return addresses[0]
