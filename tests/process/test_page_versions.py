"""Two instances: a change made through one shows on the other's cached page within a second.

Each instance keeps rendered pages, link targets and recent GET /v1/links answers in memory.
A commit on the instance that made a change drops them there at once; the other instance
re-reads the account's page version at most every `REVALIDATE_AFTER` seconds, so any request
it starts that long after the change must show it, whatever the machine's load.
"""

from __future__ import annotations

import secrets
import time

import httpx
import pytest

from eziox.config import Settings
from eziox.pages.cache import REVALIDATE_AFTER
from tests.process.conftest import SharedStore
from tests.process.servers import (
    eziox_env,
    http_client,
    make_link,
    provision,
    running,
    until,
)

pytestmark = pytest.mark.slow

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


async def shown_after(http: httpx.AsyncClient, path: str, changed_at: float) -> httpx.Response:
    """The answer to a request started once the other instance must know of the change."""
    await until(lambda: time.monotonic() - changed_at > REVALIDATE_AFTER, "revalidation due")
    return await http.get(path, headers={"User-Agent": BROWSER})


async def test_a_change_on_one_instance_shows_on_the_other_within_a_second(
    settings: Settings, shared_store: SharedStore
) -> None:
    owner = await provision(settings, f"pv_{secrets.token_hex(4)}", tier="creator")
    link = await make_link(settings, owner.account_id, "https://example.com/before")
    env = eziox_env(
        settings, EZIOX_REDIS_URL=shared_store.redis_url, EZIOX_REDIS_PREFIX=shared_store.prefix
    )
    auth = {"Authorization": f"Bearer {owner.keys[0][1]}"}
    page = f"/{owner.username}"
    async with (
        running((env, ()), (env, ())) as [writer, reader],
        http_client(writer.url) as on_writer,
        http_client(reader.url) as on_reader,
    ):
        for _ in range(2):  # the reader now answers from its caches
            assert "Renamed on the writer" not in (await on_reader.get(page)).text
            redirect = await on_reader.get(f"/l/{link}", headers={"User-Agent": BROWSER})
            assert redirect.headers["location"] == "https://example.com/before"
            listed = await on_reader.get("/v1/links", headers=auth)
            assert listed.json()["links"][0]["title"] == "target"

        profile = {"name": "Renamed on the writer"}
        assert (await on_writer.patch("/v1/profile", json=profile, headers=auth)).is_success
        changes = {"url": "https://example.com/after", "title": "Retitled"}
        assert (await on_writer.patch(f"/v1/links/{link}", json=changes, headers=auth)).is_success
        changed_at = time.monotonic()
        assert "Renamed on the writer" in (await on_writer.get(page)).text  # at once, there

        assert "Renamed on the writer" in (await shown_after(on_reader, page, changed_at)).text
        moved = await shown_after(on_reader, f"/l/{link}", changed_at)
        assert moved.headers["location"] == "https://example.com/after"
        listed = await on_reader.get("/v1/links", headers=auth)
        assert listed.json()["links"][0]["title"] == "Retitled"

        # A click answered by the writer shows in the reader's link list within the bound too.
        assert (await on_writer.get(f"/l/{link}", headers={"User-Agent": BROWSER})).is_redirect
        clicked_at = time.monotonic()
        await until(lambda: time.monotonic() - clicked_at > REVALIDATE_AFTER, "revalidation due")
        clicks = (await on_reader.get("/v1/links", headers=auth)).json()["links"][0]["clicks"]
        assert clicks == 4  # three answered by the reader, one by the writer
