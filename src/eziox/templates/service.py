"""What templates are: list and find them, decide who may use them, resolve a page's design.

No database access: applying a template is an account change (`eziox.accounts.service`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from eziox.billing.entitlements import ENTITLEMENTS, TIER_NAMES, Entitlements, entitlements
from eziox.errors import Forbidden, NotFound, ValidationFailed
from eziox.templates.catalog import catalog
from eziox.templates.schemas import CATEGORIES, Category, DesignOverrides, Template, Theme

log = logging.getLogger("eziox.templates")


def parse_category(value: str) -> Category:
    """A category name in any letter case; unknown → ValidationFailed naming the known ones."""
    for category in CATEGORIES:
        if category.lower() == value.strip().lower():
            return category
    known = ", ".join(CATEGORIES)
    raise ValidationFailed.field("category", f"unknown category '{value}' (known: {known})")


def list_templates(category: str | None = None) -> list[Template]:
    """Every built-in template in catalog order, optionally of one category."""
    templates = catalog().templates
    if category is None:
        return list(templates)
    wanted = parse_category(category)
    return [template for template in templates if template.category == wanted]


def get_template(template_id: str) -> Template:
    template = catalog().find(template_id)
    if template is None:
        raise NotFound(f"No template with id '{template_id}'.")
    return template


def _tiers_with(feature: Callable[[Entitlements], bool]) -> str:
    names = [TIER_NAMES[tier] for tier, rights in ENTITLEMENTS.items() if feature(rights)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def ensure_template_allowed(template: Template, tier: str) -> None:
    """Refuse a premium template on a tier without premium templates (403 naming the tiers)."""
    if template.premium and not entitlements(tier).premium_templates:
        tiers = _tiers_with(lambda rights: rights.premium_templates)
        raise Forbidden(f"The '{template.name}' template is part of {tiers}.")


def ensure_design_allowed(tier: str) -> None:
    """Refuse design overrides on a tier without them (403 naming the tiers)."""
    if not entitlements(tier).design_overrides:
        tiers = _tiers_with(lambda rights: rights.design_overrides)
        raise Forbidden(f"Custom designs (design overrides) are part of {tiers}.")


def stored_design(design: DesignOverrides | None) -> dict[str, Any] | None:
    """The overrides as stored on the account: only the tokens given; nothing given → None."""
    if design is None:
        return None
    stored = {k: v for k, v in design.model_dump(exclude_none=True).items() if v != {}}
    return stored or None


def merge_design(theme: Theme, design: Mapping[str, Any]) -> Theme:
    """``theme`` with ``design``'s tokens on top (validated again: it came from a user)."""
    merged = theme.model_dump()
    for key, value in design.items():
        merged[key] = {**merged[key], **value} if isinstance(value, Mapping) else value
    return Theme.model_validate(merged)


def effective_theme(theme_id: str, design: Mapping[str, Any] | None, tier: str) -> Theme:
    """The design a bio page shows: the account's template and overrides, as its tier allows.

    Unknown ids fall back to the default template; after a downgrade a premium template or
    overrides stay stored (and come back on upgrade) but the page shows what the tier includes.
    """
    rights = entitlements(tier)
    template = catalog().find(theme_id) or catalog().default
    if template.premium and not rights.premium_templates:
        template = catalog().default
    if not design or not rights.design_overrides:
        return template.theme
    try:
        return merge_design(template.theme, design)
    except (ValidationError, KeyError, TypeError):
        log.warning("ignoring invalid stored design overrides for theme %s", theme_id)
        return template.theme
