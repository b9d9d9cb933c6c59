"""Design tokens → CSS custom properties: the one place a theme becomes CSS.

Themes come from the template catalog (eziox.templates), merged with an account's overrides.
Every token is a validated ``#rrggbb`` colour or an enum value, and every CSS fragment below
is ours, so nothing a user typed can break out of the page's inline ``<style>``.
"""

from __future__ import annotations

import functools

from eziox.templates.catalog import catalog
from eziox.templates.schemas import Theme

# Named font stacks built from fonts the visitor's system already has: no downloads, no CDN.
FONT_STACKS: dict[str, str] = {
    "system": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    "neo-grotesque": "Inter, Roboto, 'Helvetica Neue', 'Arial Nova', 'Nimbus Sans', Arial, "
    "sans-serif",
    "humanist": "Seravek, 'Gill Sans Nova', Ubuntu, Calibri, 'DejaVu Sans', source-sans-pro, "
    "sans-serif",
    "geometric": "Avenir, Montserrat, Corbel, 'URW Gothic', source-sans-pro, sans-serif",
    "rounded": "ui-rounded, 'SF Pro Rounded', 'Hiragino Maru Gothic ProN', Quicksand, Comfortaa, "
    "Manjari, 'Arial Rounded MT', 'Arial Rounded MT Bold', Calibri, system-ui, sans-serif",
    "industrial": "Bahnschrift, 'DIN Alternate', 'Franklin Gothic Medium', 'Nimbus Sans Narrow', "
    "sans-serif-condensed, sans-serif",
    "transitional": "Charter, 'Bitstream Charter', 'Sitka Text', Cambria, serif",
    "old-style": "'Iowan Old Style', 'Palatino Linotype', 'URW Palladio L', P052, serif",
    "didone": "Didot, 'Bodoni MT', 'Noto Serif Display', 'URW Palladio L', P052, Sylfaen, serif",
    "slab": "Rockwell, 'Rockwell Nova', 'Roboto Slab', 'DejaVu Serif', 'Sitka Small', serif",
    "mono": "ui-monospace, 'Cascadia Code', 'Source Code Pro', Menlo, Consolas, "
    "'DejaVu Sans Mono', monospace",
    "handwritten": "'Segoe Print', 'Bradley Hand', Chilanka, TSCu_Comic, casual, cursive",
}

# A pill is a radius larger than a one- or two-line button is tall, not 999px: taller buttons
# (long titles on a phone) get round corners instead of turning into ellipses.
RADII = {"sharp": "2px", "rounded": "14px", "pill": "2.5rem"}
GRADIENT_ACCENT = 0.18  # how much accent the far end of a gradient background takes
PATTERN_ACCENT = 0.15  # how much accent the dots of a pattern background take


def theme_tokens(theme_id: str) -> Theme:
    """A catalog template's theme; an unknown id gets the default template's."""
    found = catalog().find(theme_id) or catalog().default
    return found.theme


def mix(color: str, other: str, amount: float) -> str:
    """``color`` moved ``amount`` (0..1) towards ``other``, as CSS ``color-mix(in srgb)`` does."""
    channels = (
        round(int(color[i : i + 2], 16) * (1 - amount) + int(other[i : i + 2], 16) * amount)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def _luminance(color: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(color[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def backdrop_colors(theme: Theme) -> tuple[str, ...]:
    """Every colour text is drawn on: background, surface and the background's own tints."""
    colors = theme.colors
    tints = {
        "solid": (),
        "gradient": (mix(colors.background, colors.accent, GRADIENT_ACCENT),),
        "pattern": (mix(colors.background, colors.accent, PATTERN_ACCENT),),
    }[theme.background]
    return colors.background, colors.surface, *tints


def _page_background(theme: Theme) -> str:
    colors = theme.colors
    if theme.background == "gradient":
        end = mix(colors.background, colors.accent, GRADIENT_ACCENT)
        return f"linear-gradient(165deg,{colors.background} 30%,{end})"
    if theme.background == "pattern":
        dot = mix(colors.background, colors.accent, PATTERN_ACCENT)
        return f"radial-gradient({dot} 2px,transparent 2.5px) 0 0/22px 22px,{colors.background}"
    return colors.background


def _card(theme: Theme) -> dict[str, str]:
    colors = theme.colors
    edge = mix(colors.surface, colors.text, 0.12)
    if theme.cardStyle == "glass":
        return {
            "--card-bg": colors.surface + "c7",  # ~78% opaque
            "--card-border": mix(colors.surface, colors.text, 0.22),
            "--card-shadow": "0 8px 24px rgb(0 0 0 / .18)",
            "--card-blur": "blur(10px)",
        }
    if theme.cardStyle == "outline":
        return {
            "--card-bg": "transparent",
            "--card-border": colors.accent,
            "--card-shadow": "none",
            "--card-blur": "none",
        }
    return {
        "--card-bg": colors.surface,
        "--card-border": edge,
        "--card-shadow": "0 1px 3px rgb(0 0 0 / .12)",
        "--card-blur": "none",
    }


def _hover(theme: Theme) -> dict[str, str]:
    accent = theme.colors.accent
    hover = {
        "--hover-transform": "none",
        "--hover-shadow": "var(--card-shadow)",
        "--hover-bg": "var(--card-bg)",
        "--hover-fg": "var(--text)",
        "--hover-muted": "var(--muted)",
        "--hover-border": accent,
    }
    if theme.buttonHover == "lift":
        hover["--hover-transform"] = "translateY(-3px)"
        hover["--hover-shadow"] = "0 10px 22px rgb(0 0 0 / .22)"
    elif theme.buttonHover == "glow":
        hover["--hover-shadow"] = f"0 0 0 1px {accent},0 0 22px {accent}99"
    elif theme.buttonHover == "fill":
        hover.update({"--hover-bg": accent, "--hover-fg": "var(--accent-text)"})
        hover["--hover-muted"] = "var(--accent-text)"
    elif theme.buttonHover == "scale":
        hover["--hover-transform"] = "scale(1.03)"
    else:  # border: a thicker accent frame, nothing moves
        hover["--hover-shadow"] = f"inset 0 0 0 2px {accent}"
    return hover


@functools.lru_cache(maxsize=256)  # themes are frozen (hashable); bio pages ask for few of them
def css_variables(theme: Theme) -> str:
    """The ``:root { --… }`` block the bio page's stylesheet reads (see static/bio.css)."""
    colors = theme.colors
    dark = _luminance(colors.background) < 0.2
    pairs = {
        "color-scheme": "dark" if dark else "light",
        "--bg": colors.background,
        "--surface": colors.surface,
        "--text": colors.text,
        "--muted": colors.muted,
        "--accent": colors.accent,
        "--accent-text": colors.accentText,
        "--font-display": FONT_STACKS[theme.fonts.display],
        "--font-body": FONT_STACKS[theme.fonts.body],
        "--radius": RADII[theme.borderRadius],
        "--pad-x": "1.75rem" if theme.borderRadius == "pill" else "1.25rem",
        "--avatar-radius": "6px" if theme.borderRadius == "sharp" else "50%",
        "--page-bg": _page_background(theme),
        **_card(theme),
        **_hover(theme),
    }
    body = "".join(f"{name}:{value};" for name, value in pairs.items())
    if "<" in body:  # unreachable with validated tokens; the page inlines this in <style>
        raise ValueError("a theme token would end the page's <style> element")
    return f":root{{{body}}}"
