"""GET /templates/{id}/preview: every template renders its tokens, under a strict CSP."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest
from fastapi import FastAPI

from eziox.templates.catalog import catalog
from eziox.templates.schemas import Template
from eziox.web.themes import FONT_STACKS, css_variables

TEMPLATES = catalog().templates
STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def style_of(html: str) -> str:
    found = STYLE.findall(html)
    assert len(found) == 1
    return str(found[0])


def expected_variables(template: Template) -> dict[str, str]:
    colors = template.theme.colors
    return {
        "--bg": colors.background,
        "--surface": colors.surface,
        "--text": colors.text,
        "--muted": colors.muted,
        "--accent": colors.accent,
        "--accent-text": colors.accentText,
        "--font-display": FONT_STACKS[template.theme.fonts.display],
        "--font-body": FONT_STACKS[template.theme.fonts.body],
    }


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
async def test_every_template_preview_renders_its_variables(
    client: httpx.AsyncClient, template: Template
) -> None:
    response = await client.get(f"/templates/{template.id}/preview")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    style = style_of(response.text)
    assert style == css_variables(template.theme)
    for name, value in expected_variables(template).items():
        assert f"{name}:{value};" in style
    assert f"Preview of the {template.name} template" in response.text
    assert '<meta name="robots" content="noindex">' in response.text


async def test_the_inline_style_is_allowed_by_its_hash_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/templates/neon-arcade/preview")
    digest = hashlib.sha256(style_of(response.text).encode()).digest()
    policy = response.headers["content-security-policy"]
    assert f"'sha256-{base64.b64encode(digest).decode()}'" in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'none'" in policy
    assert "&#39;" not in style_of(response.text)  # not HTML-escaped inside <style>


async def test_no_third_party_assets(client: httpx.AsyncClient) -> None:
    page = (await client.get("/templates/gold-leaf/preview")).text
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', page) == ["/static/bio.css"]
    assert re.findall(r'src="([^"]+)"', page) == []  # the demo has no avatar or banner
    assert "<script" not in page
    css = (await client.get("/static/bio.css")).text
    assert "@import" not in css
    assert "url(" not in css
    assert "url(" not in style_of(page)


async def test_unknown_template_is_the_html_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/templates/no-such-thing/preview")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no-such-thing" in response.text


async def test_preview_counts_nothing_and_needs_no_account(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.get("/templates/sakura/preview")
    assert response.status_code == 200
    assert "/l/" not in response.text  # demo links go nowhere and count nothing
    assert (await client.get("/rileyquinn")).status_code == 404  # the demo is not an account
