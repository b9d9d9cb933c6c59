"""Theme tokens → CSS custom properties for the bio page.

The template catalog replaces this small built-in set; the page only needs tokens.
"""

from __future__ import annotations

from typing import Any

DEFAULT_THEME = "eziox-default"

BUILT_IN: dict[str, dict[str, Any]] = {
    DEFAULT_THEME: {
        "colors": {
            "background": "#f5f3ff",
            "surface": "#ffffff",
            "text": "#1e1b4b",
            "muted": "#4c4a6b",
            "accent": "#5b21b6",
            "accentText": "#ffffff",
        },
        "fonts": {
            "display": "ui-rounded, 'SF Pro Rounded', system-ui, sans-serif",
            "body": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        },
        "cardStyle": "solid",
        "borderRadius": "rounded",
        "background": "solid",
    },
}

RADII = {"sharp": "2px", "rounded": "14px", "pill": "999px"}


def theme_tokens(theme_id: str) -> dict[str, Any]:
    return BUILT_IN.get(theme_id) or BUILT_IN[DEFAULT_THEME]


def css_variables(tokens: dict[str, Any]) -> str:
    """The `:root { --… }` block; values come from our own catalog, never from users."""
    colors = tokens["colors"]
    fonts = tokens["fonts"]
    pairs = {
        "--bg": colors["background"],
        "--surface": colors["surface"],
        "--text": colors["text"],
        "--muted": colors["muted"],
        "--accent": colors["accent"],
        "--accent-text": colors["accentText"],
        "--font-display": fonts["display"],
        "--font-body": fonts["body"],
        "--radius": RADII.get(tokens.get("borderRadius", "rounded"), RADII["rounded"]),
    }
    body = "".join(f"{name}:{value};" for name, value in pairs.items())
    return f":root{{{body}}}"
