"""WCAG AA contrast for every template, from the sRGB relative-luminance formula (WCAG 2.x)."""

from __future__ import annotations

import pytest

from eziox.templates.catalog import catalog
from eziox.templates.schemas import Template
from eziox.web.themes import backdrop_colors

AA_TEXT = 4.5
AA_NON_TEXT = 3.0  # WCAG 1.4.11: focus rings, outlines, the avatar initial's disc

TEMPLATES = catalog().templates


def relative_luminance(color: str) -> float:
    def linear(channel: str) -> float:
        c = int(channel, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#595959", "#ffffff") == pytest.approx(7.0, abs=0.01)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_text_is_aa_on_every_backdrop(template: Template) -> None:
    colors = template.theme.colors
    pairs = {
        "text/background": (colors.text, colors.background),
        "text/surface": (colors.text, colors.surface),
        "muted/surface": (colors.muted, colors.surface),
        "muted/background": (colors.muted, colors.background),
        "accentText/accent": (colors.accentText, colors.accent),
    }
    # Gradient and pattern backgrounds tint the background; text must stay legible there too.
    for backdrop in backdrop_colors(template.theme):
        pairs[f"text/{backdrop}"] = (colors.text, backdrop)
        pairs[f"muted/{backdrop}"] = (colors.muted, backdrop)
    low = {name: round(contrast(*pair), 2) for name, pair in pairs.items()}
    assert {name: ratio for name, ratio in low.items() if ratio < AA_TEXT} == {}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_accent_is_visible_against_background_and_surface(template: Template) -> None:
    colors = template.theme.colors
    assert contrast(colors.accent, colors.background) >= AA_NON_TEXT
    assert contrast(colors.accent, colors.surface) >= AA_NON_TEXT
