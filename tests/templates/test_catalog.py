"""The catalog: its files validate, it is big and varied enough, a broken file stops start-up."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eziox.app import create_app
from eziox.cli import app as cli
from eziox.config import Settings
from eziox.templates import catalog as catalog_module
from eziox.templates.catalog import CATALOG_DIR, CatalogError, catalog, load_catalog
from eziox.templates.schemas import CATEGORIES, Template
from eziox.web.themes import FONT_STACKS


def test_every_file_validates_strictly_and_is_named_by_its_id() -> None:
    paths = sorted(CATALOG_DIR.glob("*.json"))
    assert len(paths) == len(catalog().templates)
    for path in paths:
        template = Template.model_validate_json(path.read_bytes(), strict=True)
        assert template.id == path.stem


def test_at_least_30_templates_and_3_per_category() -> None:
    templates = catalog().templates
    assert len(templates) >= 30
    per_category = Counter(t.category for t in templates)
    assert set(per_category) == set(CATEGORIES)
    assert min(per_category.values()) >= 3, per_category


def test_premium_category_is_premium_and_free_ones_exist_elsewhere() -> None:
    templates = catalog().templates
    assert all(t.premium for t in templates if t.category == "Premium")
    for category in CATEGORIES:
        if category != "Premium":
            assert any(not t.premium for t in templates if t.category == category), category


def test_looks_are_distinct() -> None:
    templates = catalog().templates
    palettes = Counter(t.theme.colors for t in templates)
    assert max(palettes.values()) == 1, "two templates share all their colors"
    names = Counter(t.name for t in templates)
    assert max(names.values()) == 1
    themes = Counter(t.theme for t in templates)
    assert max(themes.values()) == 1


def test_default_theme_is_a_general_template() -> None:
    default = catalog().find("eziox-default")
    assert default is not None
    assert default.category == "General"
    assert not default.premium
    assert catalog().default == default


def test_every_font_name_has_a_system_stack() -> None:
    used = {t.theme.fonts.display for t in catalog().templates}
    used |= {t.theme.fonts.body for t in catalog().templates}
    assert used <= set(FONT_STACKS)
    for stack in FONT_STACKS.values():
        assert "url(" not in stack
        assert stack.rstrip().endswith(("sans-serif", "serif", "monospace", "cursive"))


# --- broken catalogs -------------------------------------------------------------------------


def _good() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CATALOG_DIR / "eziox-default.json").read_text())
    return data


def _write(directory: Path, name: str, data: dict[str, Any] | str) -> Path:
    path = directory / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    """A copy of the real catalog, for a test to break one file of."""
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, target)
    return target


def _broken_color() -> dict[str, Any]:
    data = _good()
    data["id"] = "sunset"
    data["theme"]["colors"]["accent"] = "orange"
    return data


def _unknown_field() -> dict[str, Any]:
    data = _good()
    data["id"] = "sunset"
    data["theme"]["sparkle"] = True
    return data


def _bad_enum() -> dict[str, Any]:
    data = _good()
    data["id"] = "sunset"
    data["theme"]["cardStyle"] = "shiny"
    return data


def _string_flag() -> dict[str, Any]:
    data = _good()
    data["id"] = "sunset"
    data["premium"] = "yes"
    return data


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"id": "sunset",', "Invalid JSON"),
        (_broken_color(), "theme.colors.accent"),
        (_unknown_field(), "theme.sparkle"),
        (_bad_enum(), "theme.cardStyle"),
        (_string_flag(), "premium"),
        ({**_good(), "id": "dawn"}, "must match the file name"),
    ],
)
def test_a_broken_file_is_named_with_its_problem(
    broken_dir: Path, content: dict[str, Any] | str, problem: str
) -> None:
    path = _write(broken_dir, "sunset.json", content)
    with pytest.raises(CatalogError) as caught:
        load_catalog(broken_dir)
    message = str(caught.value)
    assert str(path) in message
    assert problem in message
    assert "\n" not in message


def test_missing_default_and_empty_directory(tmp_path: Path, broken_dir: Path) -> None:
    (broken_dir / "eziox-default.json").unlink()
    with pytest.raises(CatalogError, match=r"eziox-default\.json is missing"):
        load_catalog(broken_dir)
    with pytest.raises(CatalogError, match=r"no \*\.json template files"):
        load_catalog(tmp_path / "nothing-here")


@pytest.fixture
def broken_catalog(broken_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the process-wide catalog at a directory with a broken file, then restore it."""
    path = _write(broken_dir, "sunset.json", _broken_color())
    monkeypatch.setattr(catalog_module, "CATALOG_DIR", broken_dir)
    catalog.cache_clear()
    yield path
    monkeypatch.undo()
    catalog.cache_clear()


def test_create_app_refuses_a_broken_catalog(broken_catalog: Path, settings: Settings) -> None:
    with pytest.raises(CatalogError, match=r"theme\.colors\.accent"):
        create_app(settings, migrate_on_start=False)


def test_serve_stops_with_one_clear_message(
    broken_catalog: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EZIOX_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["serve", "--port", "9"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: template catalog: ")
    assert str(broken_catalog) in lines[0]
    assert "theme.colors.accent" in lines[0]
