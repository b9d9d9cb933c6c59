"""The one table of what each tier includes. Every tier-dependent feature reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from eziox.errors import Forbidden


class Tier(StrEnum):
    FREE = "free"
    PRO = "pro"
    CREATOR = "creator"
    LIFETIME = "lifetime"


@dataclass(frozen=True, slots=True)
class Entitlements:
    hourly_api_limit: int
    active_api_keys: int
    raw_analytics_days: int | None  # None: kept forever
    premium_templates: bool
    design_overrides: bool
    webhook_endpoints: int
    custom_domains: int


ENTITLEMENTS: dict[Tier, Entitlements] = {
    Tier.FREE: Entitlements(1_000, 2, 30, False, False, 0, 0),
    Tier.PRO: Entitlements(5_000, 5, None, True, True, 3, 1),
    Tier.CREATOR: Entitlements(10_000, 10, None, True, True, 10, 5),
    Tier.LIFETIME: Entitlements(10_000, 10, None, True, True, 10, 5),
}

TIER_NAMES = {
    Tier.FREE: "Free",
    Tier.PRO: "Pro",
    Tier.CREATOR: "Creator",
    Tier.LIFETIME: "Lifetime",
}


def entitlements(tier: str) -> Entitlements:
    return ENTITLEMENTS[Tier(tier)]


def parse_tier(value: str) -> Tier:
    try:
        return Tier(value.strip().lower())
    except ValueError:
        known = ", ".join(t.value for t in Tier)
        raise ValueError(f"unknown tier {value!r} (known: {known})") from None


def cheapest_tier_with(predicate: Callable[[Entitlements], bool]) -> Tier | None:
    """The first tier, in price order, whose entitlements satisfy ``predicate``."""
    return next((tier for tier in Tier if predicate(ENTITLEMENTS[tier])), None)


def refuse_beyond_allowance(
    tier: str, used: int, allowance: Callable[[Entitlements], int], feature: str, unit: str
) -> None:
    """403 once ``used`` reaches the tier's ``allowance``, naming the first tier with more.

    ``feature`` names the feature ("Webhooks"), ``unit`` one of what is counted
    ("webhook endpoint(s)").
    """
    allowed = allowance(entitlements(tier))
    if used < allowed:
        return
    better = cheapest_tier_with(lambda rights: allowance(rights) > used)
    plan = TIER_NAMES[Tier(tier)]
    if allowed == 0:
        message = f"{feature} are not part of the {plan} plan"
    else:
        message = f"Your {plan} plan includes {allowed} {unit}, all in use"
    if better is not None:
        message += f"; {TIER_NAMES[better]} includes {allowance(entitlements(better))}"
    raise Forbidden(message + ".")
