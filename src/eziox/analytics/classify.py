"""What a request tells us about its visitor: bot or not, device, browser, OS, referrer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from crawlerdetect import CrawlerDetect
from ua_parser import parse

_crawlers = CrawlerDetect()
_MOBILE_OS = {"iOS", "Android", "Windows Phone", "KaiOS", "BlackBerry OS", "Tizen"}
_TABLET_MARKERS = ("iPad", "Tablet", "Kindle", "Silk/", "PlayBook")


@dataclass(frozen=True, slots=True)
class Agent:
    is_bot: bool
    device: str  # desktop, mobile, tablet, bot, other
    browser: str
    os: str


@lru_cache(maxsize=4096)
def classify_agent(user_agent: str) -> Agent:
    """Classify a User-Agent (cached: most traffic repeats a few hundred strings)."""
    if not user_agent.strip() or _crawlers.isCrawler(user_agent):
        return Agent(True, "bot", "Bot", "Other")
    parsed = parse(user_agent)
    browser = parsed.user_agent.family if parsed.user_agent else "Other"
    os_name = parsed.os.family if parsed.os else "Other"
    device_family = parsed.device.family if parsed.device else ""
    if device_family == "Spider":
        return Agent(True, "bot", browser, os_name)
    return Agent(False, _device(user_agent, os_name), browser[:32], os_name[:32])


def _device(user_agent: str, os_name: str) -> str:
    if any(marker in user_agent for marker in _TABLET_MARKERS):
        return "tablet"
    if os_name == "Android" and "Mobile" not in user_agent:
        return "tablet"
    if os_name in _MOBILE_OS or "Mobi" in user_agent:
        return "mobile"
    if os_name in {"Windows", "Mac OS X", "macOS", "Linux", "Ubuntu", "Chrome OS", "Fedora"}:
        return "desktop"
    return "other"


def referrer_domain(referer: str | None, own_host: str | None) -> str | None:
    """The referring site's host without ``www.``; None for direct visits and our own pages."""
    if not referer:
        return None
    try:
        host = (urlsplit(referer.strip()).hostname or "").lower()
    except ValueError:
        return None
    if not host or (own_host and host == own_host.lower()):
        return None
    return host.removeprefix("www.")[:255]
