"""The package as a user gets it: a wheel built from a clean clone of this repository,
installed into a fresh venv, holds every file of the package and serves every asset its
pages reference (and the guides /api-docs links to), with nothing fetched at run time.

The clone is of HEAD: in CI the tree is a clean clone of main, so this checks what is
committed; locally, uncommitted changes are not in the wheel (commit them to check them).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from tests import backends
from tests.dashboard.browser import sign_up
from tests.process.servers import Server, free_port, http_client

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# Bounds of each step (clone, build, install): generous, only a hang reaches them.
STEP_TIMEOUT = 300.0
TABS = ("profile", "links", "api", "webhooks", "analytics", "templates", "settings")
VENDORED = (
    "/static/vendor/swagger-ui/swagger-ui-bundle.js",
    "/static/vendor/swagger-ui/swagger-ui.css",
    "/static/vendor/uplot/uPlot.iife.min.js",
    "/static/vendor/uplot/uPlot.min.css",
)
CONTENT_TYPES = {
    ".css": ("text/css",),
    ".js": ("text/javascript", "application/javascript"),
    ".svg": ("image/svg+xml",),
    ".png": ("image/png",),
}


def _clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything pointing at this checkout or its config."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("EZIOX_") and k not in drop}
    env.update(extra)
    return env


async def _run(*args: str | Path, cwd: Path | None = None) -> str:
    """Run one command off the event loop; fail with its output unless it succeeds."""
    command = [str(a) for a in args]
    done = await asyncio.to_thread(
        subprocess.run,
        command,
        cwd=cwd,
        env=_clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    assert done.returncode == 0, (
        f"{' '.join(command)} → exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if backends.selected() != "sqlite":
        pytest.skip(
            "PostgreSQL pass: the package is the same on both backends and its server runs on "
            "its own SQLite data dir; this test runs in the SQLite pass of `make test`"
        )
    return tmp_path_factory.mktemp("package")


@pytest.fixture(scope="module")
async def clone(workdir: Path) -> Path:
    """A clean clone of the repository the tests run from: only what is committed."""
    await _run("git", "clone", "--quiet", ROOT, workdir / "src")
    return workdir / "src"


@pytest.fixture(scope="module")
async def wheel(clone: Path, workdir: Path) -> Path:
    # Build isolation gets the build-system's setuptools (pip's cache makes it quick).
    await _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", workdir / "dist", clone)
    (built,) = (workdir / "dist").glob("eziox-*.whl")
    return built


@pytest.fixture(scope="module")
async def venv(wheel: Path, workdir: Path) -> Path:
    """A fresh venv with the wheel and its dependencies (from the registry or pip's cache)."""
    await _run(sys.executable, "-m", "venv", workdir / "venv")
    python = workdir / "venv" / "bin" / "python"
    await _run(python, "-m", "pip", "install", "--quiet", wheel)
    where = await _run(python, "-c", "import eziox; print(eziox.__file__)", cwd=workdir)
    assert where.startswith(str(workdir / "venv")), f"eziox imported from {where}"
    return workdir / "venv"


async def test_the_wheel_holds_every_committed_file_of_the_package(
    clone: Path, wheel: Path
) -> None:
    tracked = [
        clone / name for name in (await _run("git", "ls-files", "src/eziox", cwd=clone)).split()
    ]
    # A committed link to a folder (web/guides → docs/) ships that folder's files.
    files = [p for path in tracked for p in (sorted(path.iterdir()) if path.is_dir() else [path])]
    expected = {str(path.relative_to(clone / "src")) for path in files}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert expected - names == set(), "committed under src/eziox but not in the wheel"
    vendored = [f"eziox/web{url}" for url in VENDORED]
    licences = [f"eziox/web/static/vendor/{d}/LICENSE" for d in ("uplot", "swagger-ui")]
    assert set(vendored + licences) <= names
    assert "eziox/web/static/icons/LICENSE.md" in names
    assert "eziox/web/guides/quickstart.md" in names


class _Assets(HTMLParser):
    """The /static URLs of a page's stylesheets, scripts and images, and the guides it links."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: set[str] = set()
        self.guides: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"link": "href", "script": "src", "img": "src", "a": "href"}.get(tag)
        for name, value in attrs:
            if name != wanted or not value:
                continue
            if tag != "a" and value.startswith("/static/"):
                self.urls.add(value)
            elif tag == "a" and value.startswith("/docs/"):
                self.guides.add(value)


async def _read(http: httpx.AsyncClient, path: str) -> _Assets:
    page = await http.get(path)
    assert page.status_code == 200, f"{path}: {page.status_code}"
    parser = _Assets()
    parser.feed(page.text)
    return parser


@contextlib.asynccontextmanager
async def _serving(venv: Path, data_dir: Path) -> AsyncIterator[Server]:
    """`eziox serve` from the venv on its own SQLite data dir; always stopped afterwards."""
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    log = data_dir / "serve.log"
    env = _clean_env(EZIOX_DATA_DIR=str(data_dir), EZIOX_LOG_LEVEL="warning", PYTHONUNBUFFERED="1")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(venv / "bin" / "eziox"), *args],
            cwd=data_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log, args)
    try:
        await server.wait_ready()
        yield server
    except BaseException:
        print(f"--- log of eziox {' '.join(args)} ---\n{server.log()[-20_000:]}")
        raise
    finally:
        await server.stop()


async def test_a_server_installed_from_the_wheel_serves_every_asset_its_pages_reference(
    venv: Path, workdir: Path
) -> None:
    data_dir = workdir / "data"
    data_dir.mkdir()
    async with _serving(venv, data_dir) as server, http_client(server.url) as http:
        pages = [await _read(http, path) for path in ("/", "/sign-in", "/sign-up", "/api-docs")]
        user = await sign_up(http, "packaged")
        pages += [await _read(http, f"/profile?tab={tab}") for tab in TABS]
        pages.append(await _read(http, f"/{user.username}"))
        urls = set().union(*(page.urls for page in pages))
        assert set(VENDORED) <= urls, "the pages no longer reference what this test expects"
        guides = set().union(*(page.guides for page in pages))
        assert "/docs/quickstart.md" in guides
        for guide in sorted(guides):
            response = await http.get(guide)
            assert response.status_code == 200, f"{guide}: {response.status_code}"
            assert response.headers["content-type"].startswith("text/markdown"), guide
            assert response.text.startswith("# "), guide
        for url in sorted(urls):
            response = await http.get(url)
            assert response.status_code == 200, f"{url}: {response.status_code}"
            assert response.content, f"{url}: empty"
            kinds = CONTENT_TYPES[Path(url).suffix]
            assert response.headers["content-type"].startswith(kinds), (url, response.headers)
