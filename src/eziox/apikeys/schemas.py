"""The wire shape of `GET /v1/usage`, for the OpenAPI document (`eziox.apikeys.report`
builds the answers; tests/apikeys/test_usage.py validates them against these)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

_DAY: dict[str, JsonValue] = {
    "date": "2026-01-30",
    "requests": 412,
    "limited": 0,
    "notModified": 37,
    "peakHourShare": 0.061,
}

_EXAMPLE: dict[str, JsonValue] = {
    "days": 1,
    "timezone": "UTC",
    "from": "2026-01-30",
    "to": "2026-01-30",
    "requests": 412,
    "budget": {
        "limit": 1000,
        "used": 58,
        "remaining": 942,
        "share": 0.058,
        "resetsAt": "2026-01-30T15:00:00Z",
    },
    "keys": [
        {
            "id": "key_123",
            "name": "Zapier",
            "key": "ezx_3kF9…a1b2",
            "status": "active",
            "requests": 412,
            "limited": 0,
            "notModified": 37,
            "currentHour": {"requests": 58, "budgetShare": 0.052},
            "peakHourShare": 0.061,
            "daily": [_DAY],
        }
    ],
}


class UsageDay(BaseModel):
    date: str = Field(description="The day (YYYY-MM-DD) in the time zone asked for")
    requests: int = Field(description="Authenticated requests made with the key")
    limited: int = Field(description="Of those, answered 429 (over the hourly limit)")
    notModified: int = Field(description="Of those, answered 304: free, outside the budget")
    peakHourShare: float = Field(
        description="The day's busiest hour: this key's requests counted against the "
        "account's hourly limit, as a share of it (0.25 = a quarter)"
    )


class UsageHour(BaseModel):
    requests: int
    budgetShare: float = Field(description="Share of the hourly limit this key used this hour")


class KeyUsage(BaseModel):
    id: str
    name: str
    key: str = Field(description="The masked key, as in the dashboard")
    status: Literal["active", "expired", "revoked"]
    requests: int = Field(description="Requests over the whole period")
    limited: int
    notModified: int
    currentHour: UsageHour
    peakHourShare: float = Field(description="The busiest hour of the period, as a share")
    daily: list[UsageDay] = Field(description="One entry per day, oldest first, zero-filled")


class Budget(BaseModel):
    limit: int = Field(description="Requests per hour for the account's tier")
    used: int = Field(description="Requests counted in the current window, all keys together")
    remaining: int
    share: float = Field(description="used / limit")
    resetsAt: str = Field(description="When the current window ends (RFC 3339, UTC)")


class Usage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})

    days: int
    timezone: str
    from_: str = Field(alias="from", description="First day of the period")
    to: str = Field(description="Last day of the period (today)")
    requests: int = Field(description="Requests over the period, all keys together")
    budget: Budget
    keys: list[KeyUsage] = Field(
        description="Keys that are active, expired, or revoked but used in the period; oldest first"
    )
