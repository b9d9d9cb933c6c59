"""/static in the source tree: every URL the pages reference is a file we ship, and the
vendored front-end assets are the pinned versions, each with its licence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import eziox

SOURCE = Path(eziox.__file__).parent
STATIC = SOURCE / "web" / "static"
VENDOR = STATIC / "vendor"
ROOT = SOURCE.parents[1]
# A /static URL as pages write it: in an attribute or string ("/static/…") or a CSS url(…).
_STATIC_URL = re.compile(r"""["'(](/static/[^"'()\s?#]+)""")


def _static_urls() -> dict[str, set[Path]]:
    """Each /static URL in the templates, the web package's code and the static files."""
    found: dict[str, set[Path]] = {}
    for pattern in ("web/templates/**/*.html", "**/*.py", "web/static/*.js", "web/static/*.css"):
        for path in SOURCE.glob(pattern):
            for url in _STATIC_URL.findall(path.read_text(encoding="utf-8")):
                found.setdefault(url, set()).add(path.relative_to(SOURCE))
    return found


def test_every_static_url_the_pages_reference_is_a_file_in_the_package() -> None:
    urls = _static_urls()
    for expected in (
        "/static/app.css",
        "/static/bio.css",
        "/static/dashboard.js",
        "/static/vendor/uplot/uPlot.iife.min.js",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
    ):
        assert expected in urls, f"{expected} is no longer referenced: is the scan still right?"
    missing = {
        url: sorted(map(str, where))
        for url, where in urls.items()
        if not (STATIC / url.removeprefix("/static/")).is_file()
    }
    assert not missing, f"referenced but not in src/eziox/web/static: {missing}"


def _makefile_pins() -> dict[str, str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return dict(re.findall(r"^(UPLOT|SWAGGER_UI) := (\S+)$", text, re.MULTILINE))


@pytest.mark.parametrize(
    ("folder", "package", "pin", "licence"),
    [
        ("uplot", "uplot", "UPLOT", "MIT"),
        ("swagger-ui", "swagger-ui-dist", "SWAGGER_UI", "Apache-2.0"),
    ],
)
def test_vendored_assets_are_the_pinned_versions_with_their_licences(
    folder: str, package: str, pin: str, licence: str
) -> None:
    version = _makefile_pins()[pin]
    row = f"| `{folder}/` | `{package}` | {version} | {licence} "
    assert row in (VENDOR / "README.md").read_text(encoding="utf-8"), (
        f"vendor/README.md names {package} {version} ({licence}), as the Makefile pins"
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{package} {version}" in readme, f"README's third-party assets name {package} {version}"
    assert (VENDOR / folder / "LICENSE").stat().st_size > 0


def test_the_uplot_file_is_the_pinned_release() -> None:
    banner = (VENDOR / "uplot" / "uPlot.iife.min.js").read_text(encoding="utf-8")[:200]
    assert f"(v{_makefile_pins()['UPLOT']})" in banner
