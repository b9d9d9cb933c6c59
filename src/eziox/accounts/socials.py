"""Social profiles on the bio page: a fixed set of platforms, each value checked strictly.

Each platform has one published pattern for its value (a handle, an invite code, an email
address or an https URL) and one way to build the profile URL from it, so the OpenAPI
document, the server and the bio page agree on exactly what is accepted and where it leads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from eziox.kit.urls import EMAIL_PATTERN, HTTPS_URL_PATTERN, MAX_URL_LENGTH

MAX_SOCIALS = 20


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"
    X = "x"
    TWITCH = "twitch"
    GITHUB = "github"
    LINKEDIN = "linkedin"
    DISCORD = "discord"
    SPOTIFY = "spotify"
    BLUESKY = "bluesky"
    THREADS = "threads"
    FACEBOOK = "facebook"
    TELEGRAM = "telegram"
    REDDIT = "reddit"
    EMAIL = "email"
    WEBSITE = "website"


@dataclass(frozen=True, slots=True)
class PlatformRule:
    label: str
    pattern: str
    max_length: int
    url: str  # the profile URL, "{}" replaced by the value
    hint: str


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})+"

RULES: dict[Platform, PlatformRule] = {
    Platform.INSTAGRAM: PlatformRule(
        "Instagram", r"^[A-Za-z0-9._]{1,30}$", 30, "https://www.instagram.com/{}/", "username"
    ),
    Platform.TIKTOK: PlatformRule(
        "TikTok", r"^[A-Za-z0-9._]{2,24}$", 24, "https://www.tiktok.com/@{}", "username"
    ),
    Platform.YOUTUBE: PlatformRule(
        "YouTube", r"^[A-Za-z0-9._-]{3,30}$", 30, "https://www.youtube.com/@{}", "handle"
    ),
    Platform.X: PlatformRule("X", r"^[A-Za-z0-9_]{1,15}$", 15, "https://x.com/{}", "username"),
    Platform.TWITCH: PlatformRule(
        "Twitch", r"^[A-Za-z0-9_]{4,25}$", 25, "https://www.twitch.tv/{}", "username"
    ),
    Platform.GITHUB: PlatformRule(
        "GitHub", r"^[A-Za-z0-9](?:-?[A-Za-z0-9])*$", 39, "https://github.com/{}", "username"
    ),
    Platform.LINKEDIN: PlatformRule(
        "LinkedIn", r"^[A-Za-z0-9-]{3,100}$", 100, "https://www.linkedin.com/in/{}", "profile id"
    ),
    Platform.DISCORD: PlatformRule(
        "Discord", r"^[A-Za-z0-9-]{2,32}$", 32, "https://discord.gg/{}", "invite code"
    ),
    Platform.SPOTIFY: PlatformRule(
        "Spotify", r"^[A-Za-z0-9._-]{1,64}$", 64, "https://open.spotify.com/user/{}", "user id"
    ),
    Platform.BLUESKY: PlatformRule(
        "Bluesky", rf"^{_HOST}$", 253, "https://bsky.app/profile/{}", "handle (a domain)"
    ),
    Platform.THREADS: PlatformRule(
        "Threads", r"^[A-Za-z0-9._]{1,30}$", 30, "https://www.threads.net/@{}", "username"
    ),
    Platform.FACEBOOK: PlatformRule(
        "Facebook", r"^[A-Za-z0-9.]{5,50}$", 50, "https://www.facebook.com/{}", "username"
    ),
    Platform.TELEGRAM: PlatformRule(
        "Telegram", r"^[A-Za-z0-9_]{5,32}$", 32, "https://t.me/{}", "username"
    ),
    Platform.REDDIT: PlatformRule(
        "Reddit", r"^[A-Za-z0-9_-]{3,20}$", 20, "https://www.reddit.com/user/{}", "username"
    ),
    Platform.EMAIL: PlatformRule("Email", EMAIL_PATTERN, 254, "mailto:{}", "email address"),
    Platform.WEBSITE: PlatformRule(
        "Website", HTTPS_URL_PATTERN, MAX_URL_LENGTH, "{}", "https:// URL"
    ),
}

_COMPILED = {platform: re.compile(rule.pattern) for platform, rule in RULES.items()}


def _variant(platform: Platform) -> type[BaseModel]:
    rule = RULES[platform]
    value = Annotated[
        str,
        Field(
            min_length=1,
            max_length=rule.max_length,
            pattern=rule.pattern,
            description=f"{rule.label} {rule.hint}",
        ),
    ]
    name = "Social" + rule.label.replace(" ", "")
    tag: Any = Literal[platform.value]  # a runtime Literal: one model per platform
    return create_model(
        name,
        __config__=ConfigDict(extra="forbid", strict=True),
        platform=(tag, ...),
        value=(value, ...),
    )


_VARIANTS = tuple(_variant(platform) for platform in Platform)

# One entry as a request sends it: the platform picks the rule its value must meet.
SocialInput = Annotated[Union[_VARIANTS], Field(discriminator="platform")]  # type: ignore[valid-type]  # noqa: UP007
SocialList = Annotated[list[SocialInput], Field(max_length=MAX_SOCIALS)]


class Social(BaseModel):
    """A social profile as the API shows it, with the URL it leads to."""

    platform: Platform
    value: str
    url: str


def check(platform: str, value: str) -> str:
    """The value if it is valid for the platform; ValueError otherwise (dashboard forms)."""
    try:
        known = Platform(platform)
    except ValueError:
        raise ValueError(f"unknown platform '{platform}'") from None
    rule = RULES[known]
    if len(value) > rule.max_length or not _COMPILED[known].fullmatch(value):
        raise ValueError(f"is not a valid {rule.label} {rule.hint}")
    return value


def stored(entries: list[Any] | None) -> list[dict[str, str]] | None:
    """Validated request entries as stored on the account (None when empty)."""
    if not entries:
        return None
    return [{"platform": str(entry.platform), "value": entry.value} for entry in entries]


def shown(entries: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """Stored entries as the API shows them (each with its URL), skipping unknown platforms."""
    result = []
    for entry in entries or []:
        try:
            platform = Platform(entry["platform"])
        except (KeyError, ValueError):
            continue
        url = RULES[platform].url.format(entry["value"])
        result.append({"platform": platform.value, "value": entry["value"], "url": url})
    return result
