"""GET /{username}/qr.svg and /qr.png: the bio page's address as a QR code."""

from __future__ import annotations

import struct

import httpx

from tests.factories import Caller


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
