"""/api-docs: Swagger UI served locally, and every guide it links to exists."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.test_errors import assert_envelope


async def test_api_docs_page_uses_local_assets_and_links_live_guides(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/api-docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert all(not s.startswith(("http:", "https:", "//")) for s in sources), sources
    for asset in (s for s in sources if s.startswith("/static/")):
        assert (await client.get(asset)).status_code == 200, asset
    guides = [s for s in sources if s.startswith("/docs/")]
    assert "/docs/sdk-and-cli.md" in guides
    assert len(guides) >= 7
    for guide in guides:
        response = await client.get(guide)
        assert response.status_code == 200, guide
        assert response.headers["content-type"].startswith("text/markdown")
        assert response.text.startswith("# ")


@pytest.mark.parametrize("name", ["nothing.md", "..%2Fpyproject.toml", "README", "%2e%2e.md"])
async def test_unknown_guides_are_404(client: httpx.AsyncClient, name: str) -> None:
    assert_envelope(await client.get(f"/docs/{name}"), 404, "NOT_FOUND")
