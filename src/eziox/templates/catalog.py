"""The built-in template catalog: one JSON file per template in ``catalog/``, validated once.

The files are the one source of truth. ``catalog()`` loads and validates them on first use
(``create_app`` calls it at start-up), so a broken file stops the server with one message
naming the file and the problem instead of failing on some later request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from eziox.templates.schemas import CATEGORIES, Template

CATALOG_DIR = Path(__file__).with_name("catalog")
DEFAULT_TEMPLATE = "eziox-default"


class CatalogError(RuntimeError):
    """The template catalog cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Catalog:
    templates: tuple[Template, ...]

    @functools.cached_property
    def _by_id(self) -> dict[str, Template]:
        return {template.id: template for template in self.templates}

    def find(self, template_id: str) -> Template | None:
        return self._by_id.get(template_id)

    @property
    def default(self) -> Template:
        return self._by_id[DEFAULT_TEMPLATE]


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    value = first.get("input")
    got = f" (got {value!r})" if isinstance(value, str | int | float) and where else ""
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where + ': ' if where else ''}{first['msg']}{got}{more}"


def load_template(path: Path) -> Template:
    """Read and validate one template file; any problem → CatalogError naming the file."""
    try:
        template = Template.model_validate_json(path.read_bytes(), strict=True)
    except ValidationError as exc:
        raise CatalogError(f"template catalog: {path}: {_problem(exc)}") from None
    except OSError as exc:
        raise CatalogError(f"template catalog: {path}: cannot be read ({exc})") from None
    if template.id != path.stem:
        raise CatalogError(
            f"template catalog: {path}: id '{template.id}' must match the file name ('{path.stem}')"
        )
    return template


def _order(template: Template) -> tuple[int, bool, str]:
    return CATEGORIES.index(template.category), template.premium, template.name.lower()


def load_catalog(directory: Path) -> Catalog:
    """Load every ``*.json`` template in ``directory``, ordered by category, then name."""
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise CatalogError(f"template catalog: no *.json template files in {directory}")
    catalog = Catalog(tuple(sorted((load_template(p) for p in paths), key=_order)))
    if catalog.find(DEFAULT_TEMPLATE) is None:
        raise CatalogError(
            f"template catalog: {directory / (DEFAULT_TEMPLATE + '.json')} is missing;"
            " the default theme must be a catalog template"
        )
    return catalog


@functools.cache
def catalog() -> Catalog:
    """The built-in catalog, loaded and validated once per process."""
    return load_catalog(CATALOG_DIR)
