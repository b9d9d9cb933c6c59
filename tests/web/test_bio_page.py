"""GET /{username}: the public bio page as visitors, crawlers and the owner's analytics see it."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from eziox.analytics.rollup import roll_up_all
from tests.factories import Caller, make_caller, state_of
from tests.groups.factories import new_group
from tests.links.factories import new_link
from tests.web.visits import (
    BOTS,
    CHROME,
    GOOGLEBOT,
    IPHONE,
    Counts,
    Page,
    add_link,
    assert_not_found_page,
    browse,
    counts,
    events_stored,
)

SCRIPT = "<script>alert(1)</script>"
IMG_ONERROR = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
# The tags the bio page is made of: anything else in the output came from user input.
PAGE_TAGS = {
    "html", "head", "meta", "title", "link", "style", "body", "a", "div", "header", "img",
    "h1", "p", "span", "main", "nav", "ul", "li", "footer", "form", "input", "button",
}  # fmt: skip


@pytest.fixture
async def other_ip(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A visitor from another address than the `client` fixture's 203.0.113.7."""
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def page_of(caller: Caller, agent: str | None = CHROME, **headers: str) -> httpx.Response:
    response = await browse(caller.http, f"/{caller.account.username}", agent, **headers)
    assert response.status_code == 200, response.text
    return response


async def set_profile(caller: Caller, **fields: object) -> None:
    response = await caller.patch("/v1/profile", json=fields)
    assert response.status_code == 200, response.text


async def breakdown(app: FastAPI, caller: Caller, name: str) -> dict[str | None, int]:
    """value -> views of one breakdown, identical before and after roll-up."""

    async def read() -> dict[str | None, int]:
        response = await caller.get(f"/v1/analytics/{name}", params={"period": "7d"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == sum(item["views"] for item in body["items"])
        return {item["value"]: item["views"] for item in body["items"]}

    before = await read()
    await roll_up_all(state_of(app).db)
    assert await read() == before
    return before


# --- what the page shows -------------------------------------------------------------------


async def test_page_is_semantic_html_with_social_meta(app: FastAPI, caller: Caller) -> None:
    await set_profile(
        caller,
        name="Ada Lovelace",
        bio="Mathematician & first programmer",
        avatar="https://cdn.example.com/ada.png",
    )
    await add_link(caller, "Notes")
    response = await page_of(caller)
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response.text)

    assert page.one("html").attrs.get("lang")
    assert page.one("main")
    assert page.one("header")
    assert page.one("nav").attrs.get("aria-label")
    assert page.one("h1").words == "Ada Lovelace"
    assert "Ada Lovelace" in page.one("title").words
    assert page.one("p", "bio-text").words == "Mathematician & first programmer"
    avatar = page.one("img", "avatar")
    assert avatar.attrs["src"] == "https://cdn.example.com/ada.png"
    assert "Ada Lovelace" in (avatar.attrs.get("alt") or "")
    assert all(img.attrs.get("alt") is not None for img in page.all("img"))

    username = caller.account.username
    canonical = f"{state_of(app).settings.public_url.rstrip('/')}/{username}"
    assert page.link_rel("canonical") == [canonical]
    assert page.meta("og:title") == "Ada Lovelace"
    assert page.meta("og:description") == "Mathematician & first programmer"
    assert page.meta("og:url") == canonical
    assert page.meta("og:type") == "profile"
    assert page.meta("og:image") == "https://cdn.example.com/ada.png"
    assert page.meta("twitter:card") in {"summary", "summary_large_image"}
    assert page.meta("twitter:title") == "Ada Lovelace"
    assert page.meta("twitter:description") == "Mathematician & first programmer"
    assert page.meta("robots") is None  # a real page is indexable

    # No JavaScript at all: the page works (links are plain anchors) without it.
    assert not page.all("script")
    assert "<script" not in response.text.lower()
    assert page.bio_links()[0][1] == "Notes"


async def test_new_account_page_falls_back_to_username(caller: Caller) -> None:
    page = Page((await page_of(caller)).text)
    username = caller.account.username
    assert page.one("h1").words == username
    assert page.meta("og:description") == f"Links of {username} on Eziox"
    assert not page.all("img")  # no avatar: an initial, hidden from screen readers
    assert page.one("div", "avatar-initial").attrs.get("aria-hidden") == "true"
    assert page.one("main").words == "No links yet."
    assert page.bio_links() == []


async def test_only_active_links_in_their_order_through_the_redirect(caller: Caller) -> None:
    urls = {name: f"https://{name}.example.org/page?ref=bio" for name in ("one", "two", "three")}
    ids = {name: await add_link(caller, name.title(), url) for name, url in urls.items()}
    hidden = await add_link(caller, "Hidden draft", "https://hidden.example.org/")
    await add_link(caller, "Old", description="an old link")  # deactivated below
    listed = (await caller.get("/v1/links")).json()["links"]
    old = next(link["id"] for link in listed if link["title"] == "Old")

    assert (await caller.patch(f"/v1/links/{hidden}", json={"isActive": False})).is_success
    assert (await caller.patch(f"/v1/links/{old}", json={"isActive": False})).is_success
    assert (await caller.patch(f"/v1/links/{ids['three']}", json={"order": 0})).is_success
    assert (
        await caller.patch(f"/v1/links/{ids['one']}", json={"description": "the first one"})
    ).is_success
    thumbnail = {"thumbnail": "https://cdn.example.com/t.png"}
    assert (await caller.patch(f"/v1/links/{ids['two']}", json=thumbnail)).is_success

    response = await page_of(caller)
    page = Page(response.text)
    assert page.bio_links() == [
        (f"/l/{ids['three']}", "Three"),
        (f"/l/{ids['one']}", "One the first one"),
        (f"/l/{ids['two']}", "Two"),
    ]
    for value in page.attribute_values():  # the stored URLs never reach the page's markup
        assert "example.org" not in value
    assert hidden not in response.text
    assert old not in response.text
    assert "Hidden draft" not in response.text
    assert "an old link" not in response.text
    thumb = page.one("img", "thumb")  # decorative: the title next to it says it all
    assert thumb.attrs["src"] == "https://cdn.example.com/t.png"
    assert thumb.attrs.get("alt") == ""

    # Reactivated, it comes back in its place.
    assert (await caller.patch(f"/v1/links/{hidden}", json={"isActive": True})).is_success
    hrefs = [href for href, _ in Page((await page_of(caller)).text).bio_links()]
    assert hrefs == [f"/l/{ids['three']}", f"/l/{ids['one']}", f"/l/{ids['two']}", f"/l/{hidden}"]


async def test_shared_url_variants_reach_the_page(app: FastAPI, caller: Caller) -> None:
    username = caller.account.username
    slash = await browse(caller.http, f"/{username}/")
    assert slash.status_code in (301, 307, 308)
    assert slash.headers["location"].endswith(f"/{username}")
    tagged = await browse(caller.http, f"/{username}?utm_source=instagram&fbclid=abc")
    assert tagged.status_code == 200
    canonical = Page(tagged.text).link_rel("canonical")
    assert canonical == [f"{state_of(app).settings.public_url.rstrip('/')}/{username}"]
    assert await counts(app, caller) == Counts(1, 0, 1)  # the redirect itself is no view


# --- headers -------------------------------------------------------------------------------


def csp_of(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    directives = [part.split() for part in policy.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.parametrize("found", [True, False])
async def test_security_headers(app: FastAPI, client: httpx.AsyncClient, found: bool) -> None:
    path = "/nobody-by-this-name"
    if found:
        path = f"/{(await make_caller(app, client)).account.username}"
    response = await browse(client, path)
    assert response.status_code == (200 if found else 404)
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    csp = csp_of(response)
    assert csp["default-src"] == ["'none'"]
    assert "script-src" not in csp  # so default-src 'none' forbids every script
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert response.headers["x-frame-options"] == "DENY"

    # The one inline <style> (the theme) is allowed by its hash, so the page is styled.
    style = Page(response.text).one("style").text
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp["style-src"]
    assert "'self'" in csp["style-src"]  # /static/bio.css
    stylesheet = await client.get("/static/bio.css")
    assert stylesheet.status_code == 200
    assert stylesheet.headers["content-type"].startswith("text/css")


# --- escaping ------------------------------------------------------------------------------


async def test_markup_typed_by_the_owner_is_shown_as_text(caller: Caller) -> None:
    await set_profile(caller, name=SCRIPT, bio=IMG_ONERROR)
    await add_link(caller, TEMPLATE, description=SCRIPT)
    await add_link(caller, IMG_ONERROR, description=TEMPLATE)
    response = await page_of(caller)
    html = response.text
    page = Page(html)

    # Nothing the owner typed became markup: only the page's own tags, no handlers, no scripts.
    assert {element.tag for element in page.elements} <= PAGE_TAGS
    assert "<script" not in html.lower()
    assert "<img src=x" not in html
    for element in page.elements:
        assert not any(name.startswith("on") for name in element.attrs), element
    assert all(img.attrs.get("src") != "x" for img in page.all("img"))

    # ...and it reads exactly as typed, escaped in the source.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert page.one("h1").words == SCRIPT
    assert page.one("p", "bio-text").words == IMG_ONERROR
    assert page.meta("og:title") == SCRIPT
    assert page.meta("og:description") == IMG_ONERROR
    assert page.one("nav").attrs["aria-label"] == f"Links of {SCRIPT}"
    assert [text for _, text in page.bio_links()] == [
        f"{TEMPLATE} {SCRIPT}",
        f"{IMG_ONERROR} {TEMPLATE}",
    ]
    assert "49" not in page.one("main").text  # not evaluated as a template either


SCRIPT_URLS = [
    ("/v1/links", "url", "javascript:alert(1)"),
    ("/v1/links", "url", "JAVASCRIPT:alert(document.cookie)"),
    ("/v1/links", "url", "data:text/html,<script>alert(1)</script>"),
    ("/v1/links", "url", 'https://example.com/" onmouseover="alert(1)'),
    ("/v1/links", "thumbnail", "javascript:alert(1)"),
    ("/v1/profile", "avatar", "javascript:alert(1)"),
    ("/v1/profile", "avatar", 'https://cdn.example.com/a.png" onerror="alert(1)'),
    ("/v1/profile", "banner", "javascript:alert(1)"),
]


async def test_script_urls_are_refused_and_never_reach_the_page(caller: Caller) -> None:
    for path, field, value in SCRIPT_URLS:
        if path == "/v1/links":
            body = {"title": "x", "url": "https://example.com", field: value}
            response = await caller.post(path, json=body)
        else:
            response = await caller.patch(path, json={field: value})
        assert response.status_code == 422, (field, value, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert [detail["field"] for detail in error["details"]] == [field]
    assert (await caller.get("/v1/links")).json()["total"] == 0
    html = (await page_of(caller)).text
    assert "javascript:" not in html.lower()
    assert "onerror" not in html
    assert not Page(html).all("img")


# --- caching -------------------------------------------------------------------------------


async def test_etag_revalidation_and_change(app: FastAPI, caller: Caller) -> None:
    first = await page_of(caller)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    cache_control = [part.strip() for part in first.headers["cache-control"].split(",")]
    assert "public" in cache_control
    assert "max-age=0" in cache_control

    # Visits don't change the page, so a repeat visit can revalidate it.
    again = await page_of(caller)
    assert again.headers["etag"] == etag
    assert again.content == first.content

    revalidated = await browse(caller.http, f"/{caller.account.username}", if_none_match=etag)
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == etag
    assert "public" in revalidated.headers["cache-control"]
    assert (await counts(app, caller)).views == 3  # the 304 is a real visitor's view

    for header in (f'"stale", {etag}', f"W/{etag}"):
        response = await browse(caller.http, f"/{caller.account.username}", if_none_match=header)
        assert response.status_code == 304, header

    await set_profile(caller, bio="Now with a bio")
    changed = await browse(caller.http, f"/{caller.account.username}", if_none_match=etag)
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert Page(changed.text).one("p", "bio-text").words == "Now with a bio"

    await add_link(caller, "New link")  # a link change is a new page too
    assert (await page_of(caller)).headers["etag"] != changed.headers["etag"]
    assert (await counts(app, caller)).views == 7


# --- pages that don't exist ----------------------------------------------------------------


async def test_unknown_username_is_a_helpful_404(app: FastAPI, caller: Caller) -> None:
    stored = await events_stored(app)
    name = f"nobody-{secrets.token_hex(4)}"
    page = assert_not_found_page(await browse(caller.http, f"/{name}"))
    assert f"@{name}" in page.one("p", "bio-text").words
    # Usernames are lower case: another spelling of a real one is not its page.
    assert_not_found_page(await browse(caller.http, f"/{caller.account.username.upper()}"))
    assert await events_stored(app) == stored
    assert await counts(app, caller) == Counts(0, 0, 0)


@pytest.mark.parametrize(
    "path",
    [
        "/admin",
        "/api",
        "/static",
        "/settings",
        "/www",
        "/UPPER",
        "/a",
        "/ab",
        "/with.dot",
        "/" + "x" * 31,
        "/semi%3Bcolon",
        "/%3Cscript%3E",
    ],
)
async def test_reserved_and_invalid_names_are_a_404_page(
    app: FastAPI, client: httpx.AsyncClient, path: str
) -> None:
    stored = await events_stored(app)
    page = assert_not_found_page(await browse(client, path))
    assert "<script" not in page.one("main").text
    assert await events_stored(app) == stored


async def test_profile_path_is_the_dashboard_not_a_bio_page(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    stored = await events_stored(app)
    response = await browse(client, "/profile")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
    assert await events_stored(app) == stored


# --- counting ------------------------------------------------------------------------------


async def test_each_browser_visit_counts_one_view_with_no_lag(app: FastAPI, caller: Caller) -> None:
    assert await counts(app, caller) == Counts(0, 0, 0)
    await page_of(caller)
    assert await counts(app, caller) == Counts(1, 0, 1)
    for agent in (CHROME, IPHONE, CHROME):
        await page_of(caller, agent)
    assert await counts(app, caller) == Counts(4, 0, 2)
    response = await caller.get("/v1/analytics", params={"period": "7d", "metric": "views"})
    assert sum(point["views"] for point in response.json()["daily"]) == 4


async def test_bots_get_the_page_but_are_not_counted(app: FastAPI, caller: Caller) -> None:
    await add_link(caller, "Visible to crawlers")
    for agent in [*BOTS, *BOTS]:
        page = Page((await page_of(caller, agent)).text)
        assert page.bio_links()[0][1] == "Visible to crawlers", agent
        assert page.meta("og:title") == caller.account.username
    assert await counts(app, caller) == Counts(0, 0, 0)
    for name in ("devices", "browsers", "referrers"):
        assert await breakdown(app, caller, name) == {}
    # ...while a browser's visit right after is counted.
    await page_of(caller, CHROME)
    assert await counts(app, caller) == Counts(1, 0, 1)


async def test_head_counts_nothing(app: FastAPI, caller: Caller) -> None:
    """Answered (see test_head_answers_like_get) or refused, a HEAD is never a view or click."""
    link = await add_link(caller, "Site", "https://site.example/")
    for path in (f"/{caller.account.username}", f"/l/{link}"):
        for agent in (CHROME, IPHONE):
            response = await browse(caller.http, path, agent, method="HEAD")
            assert response.status_code in (200, 302, 405), (path, response.status_code)
            if response.status_code == 302:
                assert response.headers["location"] == "https://site.example/"
    assert await events_stored(app, caller.account.id) == 0
    assert await counts(app, caller) == Counts(0, 0, 0)


async def test_head_answers_like_get(app: FastAPI, caller: Caller) -> None:
    """Link checkers and uptime monitors send HEAD; RFC 9110 says a GET resource answers it."""
    link = await add_link(caller, "Site", "https://site.example/")
    etag = (await page_of(caller, GOOGLEBOT)).headers["etag"]
    stored = await events_stored(app, caller.account.id)
    response = await browse(caller.http, f"/{caller.account.username}", method="HEAD")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["etag"] == etag
    assert response.content == b""
    redirect = await browse(caller.http, f"/l/{link}", method="HEAD")
    assert redirect.status_code == 302
    assert redirect.headers["location"] == "https://site.example/"
    assert await events_stored(app, caller.account.id) == stored
    assert await counts(app, caller) == Counts(0, 0, 0)


async def test_unique_visitors_by_address_and_browser(
    app: FastAPI, caller: Caller, other_ip: httpx.AsyncClient
) -> None:
    await page_of(caller, CHROME)
    await page_of(caller, CHROME)
    assert await counts(app, caller) == Counts(2, 0, 1)
    await page_of(caller, IPHONE)  # same address, another browser
    assert await counts(app, caller) == Counts(3, 0, 2)
    response = await browse(other_ip, f"/{caller.account.username}", CHROME)
    assert response.status_code == 200  # same browser, another address
    assert await counts(app, caller) == Counts(4, 0, 3)
    await browse(other_ip, f"/{caller.account.username}", CHROME)
    assert await counts(app, caller) == Counts(5, 0, 3)


async def test_referrer_domain(app: FastAPI, caller: Caller) -> None:
    await page_of(caller, referer="https://www.instagram.com/p/abc?igshid=secret")
    await page_of(caller, referer="https://l.instagram.com/?u=x")
    await page_of(caller)  # typed in: direct
    own = state_of(app).settings.public_url
    await page_of(caller, referer=f"{own}/someone-else")  # from another Eziox page: direct
    await page_of(caller, referer="not a url")
    referrers = await breakdown(app, caller, "referrers")
    assert referrers == {"instagram.com": 1, "l.instagram.com": 1, None: 3}


async def test_device_browser_and_os(app: FastAPI, caller: Caller) -> None:
    await page_of(caller, IPHONE)
    await page_of(caller, IPHONE)
    await page_of(caller, CHROME)
    assert await breakdown(app, caller, "devices") == {"mobile": 2, "desktop": 1}
    assert await breakdown(app, caller, "browsers") == {"Mobile Safari": 2, "Chrome": 1}
    assert await breakdown(app, caller, "os") == {"iOS": 2, "Windows": 1}
    countries = await breakdown(app, caller, "countries")
    assert sum(countries.values()) == 3


async def test_views_stay_with_their_own_account(app: FastAPI, caller: Caller) -> None:
    other = await make_caller(app, caller.http)
    for _ in range(3):
        await page_of(caller, IPHONE, referer="https://www.instagram.com/")
    await page_of(other)
    assert await counts(app, caller) == Counts(3, 0, 1)
    assert await counts(app, other) == Counts(1, 0, 1)
    assert await breakdown(app, other, "referrers") == {None: 1}
    assert await breakdown(app, other, "devices") == {"desktop": 1}
    assert await breakdown(app, caller, "devices") == {"mobile": 3}


async def test_groups_render_as_headings_in_order(app: FastAPI, client: httpx.AsyncClient) -> None:
    caller = await make_caller(app, client)
    videos = await new_group(caller, "Videos")
    music = await new_group(caller, "Music & more")
    await new_group(caller, "Empty")
    await new_link(caller, "Song", groupId=music["id"])
    await new_link(caller, "Site")
    await new_link(caller, "Clip", groupId=videos["id"])
    await caller.patch(f"/v1/groups/{music['id']}", json={"order": 0})
    response = await client.get(f"/{caller.account.username}", headers={"User-Agent": CHROME})
    html = response.text
    assert "<h2" in html
    assert "Empty" not in html
    order = [html.index(text) for text in ("Site", "Music &amp; more", "Song", "Videos", "Clip")]
    assert order == sorted(order)
