"""The social icon row of the bio page: inline SVG paths from the locally served icon set.

Icons are inlined (not <img>) so they take the theme's text colour; the page's CSP needs
nothing extra for that. The same files are served under /static/icons/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from markupsafe import Markup, escape

from eziox.accounts.socials import RULES, Platform, shown

_PATH = re.compile(r'<path(?: fill-rule="evenodd")? d="([^"<>]+)"\s*/>')


@dataclass(frozen=True, slots=True)
class SocialIcon:
    label: str
    url: str
    svg: Markup


@cache
def icon_svg(platform: Platform) -> Markup:
    """The platform's icon as an inline, decorative SVG (the link carries the name)."""
    text = (files("eziox.web") / "static" / "icons" / f"{platform.value}.svg").read_text()
    match = _PATH.search(text)
    assert match is not None, f"icon {platform.value}.svg has no single <path>"
    rule = ' fill-rule="evenodd"' if "evenodd" in match.group(0) else ""
    return Markup(
        '<svg class="social-icon" viewBox="0 0 24 24" width="24" height="24" '
        f'fill="currentColor" aria-hidden="true" focusable="false"><path{rule} '
        f'd="{escape(match.group(1))}"/></svg>'
    )


def social_icons(entries: list[dict[str, str]] | None) -> list[SocialIcon]:
    """The account's socials as icon links, in the order the owner gave them."""
    icons = []
    for entry in shown(entries):
        platform = Platform(entry["platform"])
        rule = RULES[platform]
        label = f"{rule.label}: {entry['value']}"
        icons.append(SocialIcon(label, entry["url"], icon_svg(platform)))
    return icons
