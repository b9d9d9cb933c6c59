"""Helpers for the public-page tests: browser visits, a tiny DOM, counts as the API reports them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from eziox.analytics.rollup import roll_up_all
from eziox.models import Event, EventInbox
from tests.factories import Caller, state_of

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
CURL = "curl/8.4.0"
BOTS = [GOOGLEBOT, CURL, None]  # None: httpx's own "python-httpx/x.y" agent


async def browse(
    client: httpx.AsyncClient,
    path: str,
    agent: str | None = CHROME,
    method: str = "GET",
    **headers: str,
) -> httpx.Response:
    """One request as a visitor makes it (a None agent keeps httpx's default User-Agent)."""
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    if agent is not None:
        sent["User-Agent"] = agent
    return await client.request(method, path, headers=sent)


async def add_link(caller: Caller, title: str, url: str | None = None, **fields: object) -> str:
    body = {"title": title, "url": url or "https://example.com/link", **fields}
    response = await caller.post("/v1/links", json=body)
    assert response.status_code == 201, response.text
    link_id: str = response.json()["id"]
    return link_id


def today() -> str:
    return datetime.now(UTC).date().isoformat()


@dataclass(frozen=True)
class Counts:
    views: int
    clicks: int
    uniques: int


async def _account_counts(caller: Caller) -> Counts:
    profile = await caller.get("/v1/profile")
    assert profile.status_code == 200, profile.text
    body = (await caller.get("/v1/analytics", params={"period": "7d"})).json()
    summary, last_day = body["summary"], body["daily"][-1]
    assert last_day["date"] == today()
    # Every place the API reports the account's views agrees, and so do the clicks.
    assert profile.json()["stats"]["views"] == summary["views"] == last_day["views"]
    assert summary["clicks"] == last_day["clicks"]
    return Counts(summary["views"], summary["clicks"], summary["uniqueVisitors"])


async def counts(app: FastAPI, caller: Caller) -> Counts:
    """The account's counts, identical before and after every pending event is rolled up."""
    before = await _account_counts(caller)
    await roll_up_all(state_of(app).db)
    after = await _account_counts(caller)
    assert after == before, "the answer changed when the pending events were rolled up"
    return after


async def _link_clicks(caller: Caller, link_id: str) -> int:
    one = await caller.get(f"/v1/links/{link_id}")
    assert one.status_code == 200, one.text
    listed = (await caller.get("/v1/links", params={"limit": 100})).json()["links"]
    in_list = next(link["clicks"] for link in listed if link["id"] == link_id)
    series = (await caller.get(f"/v1/analytics/links/{link_id}", params={"period": "7d"})).json()
    assert series["daily"][-1]["date"] == today()
    clicks: int = one.json()["clicks"]
    assert clicks == in_list == series["summary"]["clicks"] == series["daily"][-1]["clicks"]
    return clicks


async def link_clicks(app: FastAPI, caller: Caller, link_id: str) -> int:
    """A link's clicks: the link, the list, and its analytics agree, before and after roll-up."""
    before = await _link_clicks(caller, link_id)
    await roll_up_all(state_of(app).db)
    after = await _link_clicks(caller, link_id)
    assert after == before, "the answer changed when the pending events were rolled up"
    return after


async def events_stored(app: FastAPI, account_id: str | None = None) -> int:
    """Every event ever recorded (bots included; pending and rolled up), for one account or all."""
    total = 0
    async with state_of(app).db.session() as session:
        for model in (EventInbox, Event):
            query = select(func.count()).select_from(model)
            if account_id is not None:
                query = query.where(model.account_id == account_id)
            total += await session.scalar(query) or 0
    return total


VOID = {"meta", "link", "img", "input", "br", "hr", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    classes: list[str] = field(default_factory=list)

    @property
    def words(self) -> str:
        return " ".join(self.text.split())


class Page(HTMLParser):
    """A flat list of the elements of an HTML page with their decoded attributes and text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), classes=(dict(attrs).get("class") or "").split())
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(
            Element(tag, dict(attrs), classes=(dict(attrs).get("class") or "").split())
        )

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def all(self, tag: str, cls: str | None = None) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and (cls is None or cls in e.classes)]

    def one(self, tag: str, cls: str | None = None) -> Element:
        found = self.all(tag, cls)
        assert len(found) == 1, f"expected one <{tag}>, found {len(found)}"
        return found[0]

    def meta(self, key: str) -> str | None:
        """The content of <meta property=key> or <meta name=key> (None when absent)."""
        for element in self.all("meta"):
            if key in (element.attrs.get("property"), element.attrs.get("name")):
                return element.attrs.get("content")
        return None

    def link_rel(self, rel: str) -> list[str | None]:
        return [e.attrs.get("href") for e in self.all("link") if e.attrs.get("rel") == rel]

    def bio_links(self) -> list[tuple[str | None, str]]:
        """(href, visible text) of each link button, top to bottom."""
        return [(a.attrs.get("href"), a.words) for a in self.all("a", "link")]

    def attribute_values(self) -> list[str]:
        return [value or "" for e in self.elements for value in e.attrs.values()]


def assert_not_found_page(response: httpx.Response) -> Page:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
    page = Page(response.text)
    assert page.meta("robots") == "noindex"
    assert page.one("h1").words == "Page not found"
    assert page.one("html").attrs.get("lang")
    assert page.one("main")
    assert [a.attrs["href"] for a in page.all("a")] == ["/"]  # a way back
    assert not page.all("script")
    return page
