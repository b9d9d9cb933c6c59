"""The one DNS question custom domains ask: the TXT records at ``_eziox.<hostname>``."""

from __future__ import annotations

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver

from eziox.errors import ServiceUnavailable


def resolver(nameservers: list[tuple[str, int]], timeout: float) -> dns.asyncresolver.Resolver:
    """The system's resolver, or the given servers (EZIOX_DNS_NAMESERVERS) only."""
    if nameservers:
        chosen = dns.asyncresolver.Resolver(configure=False)
        chosen.nameservers = [dns.nameserver.Do53Nameserver(a, p) for a, p in nameservers]
    else:
        chosen = dns.asyncresolver.Resolver()
    chosen.lifetime = timeout
    chosen.cache = None  # a record just set must be seen on the next check
    return chosen


async def txt_values(name: str, nameservers: list[tuple[str, int]], timeout: float) -> list[str]:
    """Every TXT string at ``name`` (none: the name or its TXT records do not exist).

    A resolver that does not answer is 503 (try again later), not "found nothing".
    """
    try:
        answer = await resolver(nameservers, timeout).resolve(name, "TXT", search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException:  # timeouts, no server answering, a broken reply
        raise ServiceUnavailable(
            f"The DNS lookup of {name} did not get an answer; try again in a minute.",
            retry_after=60,
        ) from None
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
