"""Where webhooks may be sent: public addresses only, unless the settings allow more.

Checked when an endpoint is saved and again before every attempt (DNS may have changed:
rebinding). The attempt then connects to the address that was checked, not to a new lookup.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESOLVE_TIMEOUT = 5.0


class Refused(Exception):
    """The URL may not receive webhooks; the message says why (shown to the owner)."""


class Unresolvable(Refused):
    """The host has no address (now): refused at delivery, accepted when saving."""


class NotPublic(Refused):
    """The host resolves to a loopback, private, link-local or otherwise non-public address."""


@dataclass(frozen=True, slots=True)
class Policy:
    allow_http: bool = False
    allow_private: bool = False


@dataclass(frozen=True, slots=True)
class Destination:
    scheme: str
    host: str
    port: int
    address: IPAddress


def refusal_reason(address: IPAddress) -> str | None:
    """What kind of non-public address this is ("loopback", "private", …), or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return refusal_reason(address.ipv4_mapped)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def check_scheme(url: str, policy: Policy) -> tuple[str, str, int]:
    """The scheme, host and port of ``url``; refuse plain http unless the policy allows it."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"https", "http"} or not parts.hostname:
        raise Refused("must be an absolute https URL")
    if scheme == "http" and not policy.allow_http:
        raise Refused("must use https (plain http is switched off on this server)")
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, parts.hostname, port


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT
        )
    except (OSError, TimeoutError):
        raise Unresolvable(f"the host {host} does not resolve") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def destination(url: str, policy: Policy) -> Destination:
    """Resolve ``url``'s host and check every address it has; refuse with the reason."""
    scheme, host, port = check_scheme(url, policy)
    addresses = await resolve(host, port)
    if not addresses:
        raise Unresolvable(f"the host {host} does not resolve")
    if not policy.allow_private:
        for address in addresses:
            reason = refusal_reason(address)
            if reason is not None:
                where = "is" if host == str(address) else f"resolves to {address},"
                article = "an" if reason[0] in "aeiou" else "a"
                raise NotPublic(
                    f"{host} {where} {article} {reason} address; webhooks go to public hosts only"
                )
    return Destination(scheme, host, port, addresses[0])
