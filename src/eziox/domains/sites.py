"""Which account a request's Host belongs to: the lookup in front of every public request.

Most requests name the instance itself (its public URL's host, an IP address, localhost):
those are told apart from the raw header without any lookup. Any other host is looked up
once and remembered, a verified domain with its account's page version (so verifying or
deleting it, which bumps that version, shows here as for any page change), an unknown host
for `REVALIDATE_AFTER` seconds, or until a local commit changes any page.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from urllib.parse import urlsplit

from starlette.types import Scope

from eziox.db import Database
from eziox.domains.repository import DomainSite, domain_site
from eziox.pages.cache import REVALIDATE_AFTER, PageVersions, VersionedCache


def request_host(scope: Scope) -> bytes:
    """The Host header as sent (b"" when missing)."""
    value: bytes
    for name, value in scope["headers"]:
        if name == b"host":
            return value
    return b""


class DomainSites:
    """Verified custom domains by hostname, for the public pages."""

    def __init__(self, db: Database, versions: PageVersions, public_url: str, size: int) -> None:
        self.db = db
        self.versions = versions
        own = urlsplit(public_url)
        self._own_name = (own.hostname or "").lower()
        self._own = {own.netloc.lower().encode(), self._own_name.encode()}
        self._sites: VersionedCache[str, DomainSite] = VersionedCache(versions, self._load, size)
        self._unknown: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._size = size
        self._names: dict[bytes, str | None] = {}

    def foreign(self, host: bytes) -> str | None:
        """The hostname to look up, or None for the instance's own names (no lookup)."""
        try:
            return self._names[host]
        except KeyError:
            pass
        if len(self._names) >= self._size:
            self._names.clear()  # a flood of made-up names costs a parse each, nothing more
        name = self._names[host] = self._parse(host)
        return name

    def _parse(self, host: bytes) -> str | None:
        if host in self._own or not host:
            return None
        name = host.decode("latin-1").lower()
        if name.startswith("["):
            return None  # an IPv6 literal
        name = name.rpartition(":")[0] if ":" in name else name
        name = name.removesuffix(".")
        if not name or name.replace(".", "").isdigit() or name == "localhost":
            return None  # an IPv4 address, or this machine
        if name.endswith(".localhost") or name == self._own_name:
            return None
        return name

    async def get(self, hostname: str) -> DomainSite | None:
        unknown = self._unknown.get(hostname)
        if unknown is not None:
            seen, epoch = unknown
            if epoch == self.versions.epoch and time.monotonic() - seen < REVALIDATE_AFTER:
                return None
        epoch, checked = self.versions.epoch, time.monotonic()
        site = await self._sites.get(hostname)
        if site is None:
            self._unknown[hostname] = (checked, epoch)
            self._unknown.move_to_end(hostname)
            if len(self._unknown) > self._size:
                self._unknown.popitem(last=False)
        else:
            self._unknown.pop(hostname, None)
        return site

    async def _load(self, hostname: str) -> DomainSite | None:
        async with self.db.session() as session:
            return await domain_site(session, hostname)
