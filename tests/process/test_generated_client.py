"""The document works for a generator as a new user runs it: `openapi-python-client generate`
with its default configuration prints nothing but what it generated (no warning), and the
client it wrote creates, lists, updates and deletes a link on a live server.

The client is generated into the test's tmp directory (never committed) and imported from
there; it needs only httpx and attrs, which the dev extra already brings.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from eziox.config import Settings
from tests.process.servers import eziox_env, http_client, provision, running

GENERATOR = str(Path(sys.executable).with_name("openapi-python-client"))
PACKAGE = "eziox_api_client"  # from the document's title, "Eziox API"
OPERATIONS = ("create_link", "list_links", "get_link", "update_link", "delete_link")


async def generate(document: bytes, into: Path) -> Path:
    """Run the generator on ``document`` in ``into``; returns the project it wrote."""
    (into / "openapi.json").write_bytes(document)
    # Its post hooks run `ruff` from PATH: this environment's.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    process = await asyncio.create_subprocess_exec(
        GENERATOR, "generate", "--path", "openapi.json",
        cwd=into, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    text = output.decode("utf-8", "replace")
    project = into / "eziox-api-client"
    assert process.returncode == 0, text
    # Anything else it prints is a warning about the document (or a failed post hook).
    assert text.splitlines() == [f"Generating {project}"], text
    return project


@pytest.fixture
def forget_generated() -> Iterator[None]:
    """The generated package's modules leave sys.modules after the test."""
    yield
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def load(project: Path, monkeypatch: pytest.MonkeyPatch, *modules: str) -> list[ModuleType]:
    """Import ``modules`` of the generated package from ``project``."""
    monkeypatch.syspath_prepend(str(project))
    return [importlib.import_module(f"{PACKAGE}{module}") for module in modules]


@pytest.mark.slow
async def test_a_generated_client_creates_lists_updates_and_deletes_a_link(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    forget_generated: None,
) -> None:
    who = await provision(settings, f"gc{secrets.token_hex(4)}")
    async with running((eziox_env(settings), ())) as (server,):
        async with http_client(server.url) as client:
            document = (await client.get("/openapi.json")).content
        project = await generate(document, tmp_path)
        package, models, *_ = load(
            project, monkeypatch, "", ".models",
            *(f".api.links.{name}" for name in OPERATIONS),
        )  # fmt: skip
        links = sys.modules[f"{PACKAGE}.api.links"]

        api = package.AuthenticatedClient(base_url=server.url, token=who.keys[0][1])
        async with api:
            body = models.LinkCreate(title="Generated", url="https://example.com/generated")
            created = await links.create_link.asyncio(client=api, body=body)
            assert isinstance(created, models.Link), created
            assert (created.title, created.is_active, created.order) == ("Generated", True, 0)

            page = await links.list_links.asyncio(client=api, limit=100)
            assert isinstance(page, models.LinkList), page
            assert [link.id for link in page.links] == [created.id]
            assert page.total == 1

            change = models.LinkUpdate(title="Renamed", is_active=False)
            updated = await links.update_link.asyncio(created.id, client=api, body=change)
            assert isinstance(updated, models.Link), updated
            assert (updated.id, updated.title, updated.is_active) == (created.id, "Renamed", False)

            deleted = await links.delete_link.asyncio_detailed(created.id, client=api)
            assert deleted.status_code == 204
            gone = await links.get_link.asyncio(created.id, client=api)
            assert isinstance(gone, models.ErrorEnvelope), gone
            assert gone.error.code == "NOT_FOUND"
