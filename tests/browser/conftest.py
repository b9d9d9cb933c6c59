"""Fixtures for the browser tests: one real server and one Chromium for the package."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from eziox.config import Settings
from tests.browser.harness import Web
from tests.process.servers import eziox_env, running


@pytest.fixture(scope="package")
async def web(settings: Settings) -> AsyncIterator[Web]:
    """`eziox serve` on a free port against the run's database, and a lazily started browser.

    Both are always stopped, whatever the tests did.
    """
    async with running((eziox_env(settings), ())) as [server]:
        harness = Web(server)
        try:
            yield harness
        finally:
            await harness.close()
