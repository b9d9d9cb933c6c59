"""The bio page as HTML: built from one snapshot, rendered once per version for visitors."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from eziox.kit.time import utcnow
from eziox.links.schemas import LinkStatus
from eziox.links.views import status_of
from eziox.pages.cache import NEVER
from eziox.pages.repository import PageSnapshot
from eziox.templates.service import effective_theme
from eziox.web.render import render_page, security_headers
from eziox.web.socials import social_icons

HTML = b"text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class PageLink:
    href: str
    title: str
    description: str | None
    thumbnail: str | None
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class PageSection:
    """Links under one heading (``title`` None: the ungrouped links, shown first)."""

    title: str | None
    links: list[PageLink]


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A bio page as sent to visitors who are not signed in: bytes, ETag and headers."""

    account_id: str
    version: int
    expires: float  # wall-clock time of the next scheduled link change (NEVER: none)
    body: bytes
    etag: bytes
    headers: list[tuple[bytes, bytes]]


def render_bio(
    snapshot: PageSnapshot,
    public_url: str,
    follow: dict[str, Any] | None,
    domain: str | None = None,
) -> tuple[bytes, str]:
    """The page's HTML and the CSP hash of its inline theme; on a custom ``domain`` it is that
    domain's home page, and its links to the rest of the site are absolute."""
    account, now = snapshot.account, utcnow()
    live = [
        r for r in snapshot.links
        if status_of(True, r.starts_at, r.ends_at, now) is LinkStatus.ACTIVE
    ]  # fmt: skip
    links = [PageLink(f"/l/{r.id}", r.title, r.description, r.thumbnail, r.sensitive) for r in live]
    display_name = account.name or account.username
    html, style_hash = render_page(
        "bio.html",
        theme=effective_theme(account.theme, account.design, account.tier),
        account=account,
        links=links,
        sections=_sections(live, links, snapshot.groups),
        socials=social_icons(account.socials),
        stats={"followers": snapshot.followers, "following": snapshot.following},
        display_name=display_name,
        description=(account.bio or f"Links of {display_name} on Eziox")[:200],
        canonical=canonical_url(public_url, account.username, snapshot.domain),
        site_url=public_url.rstrip("/") if domain else "",
        follow=follow,
    )
    return html.encode(), style_hash


def canonical_url(public_url: str, username: str, domain: str | None = None) -> str:
    """Where the page lives: on its custom domain (with the site's scheme), else the site."""
    if domain:
        return f"{urlsplit(public_url).scheme or 'https'}://{domain}/"
    return f"{public_url.rstrip('/')}/{username}"


def rendered_for_visitors(
    snapshot: PageSnapshot, public_url: str, domain: str | None = None
) -> RenderedPage:
    body, style_hash = render_bio(snapshot, public_url, {"signed_in": False}, domain)
    headers = [
        (b"content-type", HTML),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in security_headers(style_hash).items()),
    ]
    etag = etag_of(body).encode()
    account = snapshot.account
    return RenderedPage(account.id, account.page_version, expires_of(snapshot), body, etag, headers)


def etag_of(body: bytes) -> str:
    """A strong ETag of the page's bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _sections(rows: list[Any], links: list[PageLink], groups: Any) -> list[PageSection]:
    """Ungrouped links first, then each group that has live links, in group order."""
    by_group: dict[str | None, list[PageLink]] = {}
    for row, link in zip(rows, links, strict=True):
        by_group.setdefault(row.group_id, []).append(link)
    sections = [PageSection(None, by_group[None])] if None in by_group else []
    sections += [PageSection(g.title, by_group[g.id]) for g in groups if g.id in by_group]
    return sections


def expires_of(snapshot: PageSnapshot) -> float:
    """When the next scheduled link appears or disappears (NEVER: nothing scheduled)."""
    now = utcnow()
    links = snapshot.links
    moments = [m for r in links for m in (r.starts_at, r.ends_at) if m is not None and m > now]
    return min(moments).timestamp() if moments else NEVER


def cache_control(expires: float, now: float, cdn_ttl: int) -> bytes:
    """Browsers revalidate every time; a CDN may keep the page, never past its next change."""
    value = "public, max-age=0, must-revalidate"
    if cdn_ttl:
        ttl = cdn_ttl if expires == NEVER else min(cdn_ttl, max(1, math.ceil(expires - now)))
        value += f", s-maxage={ttl}"
    return value.encode()
