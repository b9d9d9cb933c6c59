"""QR codes of the bio page, and the warning page before a sensitive link."""

from __future__ import annotations

import struct

import httpx
from fastapi import FastAPI

from eziox.analytics.rollup import roll_up_all
from tests.factories import Caller, make_caller, state_of
from tests.links_plus.test_groups import new_link

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    assert body[12:16] == b"IHDR"
    width, height = struct.unpack(">II", body[16:24])
    return width, height


async def test_qr_svg_and_png(caller: Caller, client: httpx.AsyncClient) -> None:
    username = caller.account.username
    svg = await client.get(f"/{username}/qr.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text
    assert "<script" not in svg.text
    png = await client.get(f"/{username}/qr.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    small, big = (
        await client.get(f"/{username}/qr.png?size=1"),
        await client.get(f"/{username}/qr.png?size=40"),
    )
    small_width, _ = png_size(small.content)
    big_width, big_height = png_size(big.content)
    assert big_width == big_height == small_width * 40
    assert png_size(png.content)[0] == small_width * 8  # the default scale


async def test_qr_bad_input(caller: Caller, client: httpx.AsyncClient) -> None:
    username = caller.account.username
    for size in ("0", "41", "-1", "abc", "2.5", "", "\u0661"):
        response = await client.get(f"/{username}/qr.svg", params={"size": size})
        assert response.status_code == 422, size
        assert "text/html" in response.headers["content-type"]
    assert (await client.get("/nobody-here-zz/qr.svg")).status_code == 404
    assert (await client.get("/api/qr.png")).status_code == 404  # reserved name


async def click_count(app: FastAPI, caller: Caller, link_id: str) -> int:
    await roll_up_all(state_of(app).db)
    return int((await caller.get(f"/v1/links/{link_id}")).json()["clicks"])


async def test_sensitive_link_shows_a_warning_then_redirects(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client)
    link = await new_link(caller, "Spicy", sensitive=True)
    assert link["sensitive"] is True
    warning = await client.get(f"/l/{link['id']}", headers={"User-Agent": CHROME})
    assert warning.status_code == 200
    assert "This link may contain sensitive content — continue?" in warning.text
    assert f'href="/l/{link["id"]}?continue=1"' in warning.text
    assert "https://example.com/Spicy" not in warning.text  # the target is not revealed
    assert warning.headers["Cache-Control"] == "no-store"
    assert await click_count(app, caller, str(link["id"])) == 0  # the warning counts nothing
    go = await client.get(f"/l/{link['id']}?continue=1", headers={"User-Agent": CHROME})
    assert go.status_code == 302
    assert go.headers["location"] == "https://example.com/Spicy"
    assert await click_count(app, caller, str(link["id"])) == 1
    bio = await client.get(f"/{caller.account.username}", headers={"User-Agent": CHROME})
    assert "Sensitive content" in bio.text


async def test_continue_never_goes_anywhere_but_the_stored_url(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    caller = await make_caller(app, client)
    link = await new_link(caller, "Spicy", sensitive=True)
    evil = await client.get(
        f"/l/{link['id']}?continue=1&url=https://evil.example&next=https://evil.example",
        headers={"User-Agent": CHROME},
    )
    assert evil.headers["location"] == "https://example.com/Spicy"
    plain = await new_link(caller, "Plain")
    direct = await client.get(f"/l/{plain['id']}", headers={"User-Agent": CHROME})
    assert direct.status_code == 302  # not sensitive: no warning
    off = await caller.patch(f"/v1/links/{link['id']}", json={"sensitive": False})
    assert off.json()["sensitive"] is False
    assert (await client.get(f"/l/{link['id']}", headers={"User-Agent": CHROME})).status_code == 302
