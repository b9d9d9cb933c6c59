"""The wheel carries every file the server reads: each data file under src/eziox (templates,
static assets, the vendored front-end libraries once `make install` fetched them, migrations,
catalog entries) is matched by a `package-data` pattern of pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import eziox

SOURCE = Path(eziox.__file__).parent
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _data_files() -> set[str]:
    found = {path.relative_to(SOURCE) for path in SOURCE.rglob("*") if path.is_file()}
    return {
        path.as_posix()
        for path in found
        if path.suffix not in {".py", ".pyc"}
        and not any(part.startswith((".", "__pycache__")) for part in path.parts)
    }


def test_every_data_file_is_in_package_data() -> None:
    patterns = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["package-data"]["eziox"]
    packaged = {
        path.relative_to(SOURCE).as_posix()
        for pattern in patterns
        for path in SOURCE.glob(pattern)
        if path.is_file()
    }
    assert _data_files() - packaged == set()
