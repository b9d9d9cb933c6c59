"""Screenshot template previews at phone and desktop width, to look at them.

Needs Playwright for Python (``.venv/bin/pip install playwright``) and Debian's Chromium
(``apt-get install -y chromium``); it never downloads a browser (no ``playwright install``).

    .venv/bin/python scripts/screenshots.py                      # five diverse templates
    .venv/bin/python scripts/screenshots.py sakura terminal --out /tmp/shots

Starts ``eziox serve`` on a free port with a throw-away data directory, saves
``{out}/{id}-{width}x{height}.png`` for each template at 390x844 and 1280x800 (full page),
and always stops the server. The default output directory, ``screenshots/``, is git-ignored.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEFAULT_IDS = ["eziox-default", "neon-arcade", "sakura", "terminal", "velvet"]
VIEWPORTS = [(390, 844), (1280, 800)]
START_TIMEOUT = 45.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"eziox serve exited early:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/healthz", timeout=2.0).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"eziox serve not ready in {START_TIMEOUT} s:\n{log.read_text()}")


@contextlib.contextmanager
def eziox_server() -> Iterator[tuple[str, dict[str, str]]]:
    """`eziox serve` on a free loopback port with its own SQLite data dir; stopped on exit.

    Yields the base URL and the environment the server runs with (for CLI calls against it).
    """
    with tempfile.TemporaryDirectory(prefix="eziox-shots-") as data_dir:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("EZIOX_")}
        env.update(EZIOX_DATA_DIR=data_dir, EZIOX_LOG_LEVEL="warning")
        log = Path(data_dir) / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "eziox",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(process, url, log)
            yield url, env
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group; SIGKILL it if it is still there after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def take(url: str, ids: list[str], out: Path, full_page: bool, hover: bool) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width, height in VIEWPORTS:
                page = browser.new_page(viewport={"width": width, "height": height})
                for template_id in ids:
                    response = page.goto(f"{url}/templates/{template_id}/preview")
                    if response is None or response.status != 200:
                        status = response.status if response else "no response"
                        raise SystemExit(f"{template_id}: preview answered {status}")
                    if hover:  # show the first button's hover effect
                        page.hover(".link")
                        page.wait_for_timeout(300)
                    path = out / f"{template_id}-{width}x{height}.png"
                    page.screenshot(path=str(path), full_page=full_page)
                    saved.append(path)
                page.close()
        finally:
            browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", default=DEFAULT_IDS, help="template ids")
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="output directory")
    parser.add_argument("--viewport-only", action="store_true", help="no full-page capture")
    parser.add_argument("--hover", action="store_true", help="hover the first link first")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium")
    with eziox_server() as (url, _):
        for path in take(url, args.ids, args.out, not args.viewport_only, args.hover):
            print(path)


if __name__ == "__main__":
    main()
