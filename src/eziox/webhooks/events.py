"""The event types an endpoint can subscribe to."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    LINK_CREATED = "link.created"
    LINK_UPDATED = "link.updated"
    LINK_DELETED = "link.deleted"
    PROFILE_UPDATED = "profile.updated"
    TEMPLATE_APPLIED = "template.applied"
    # Opt-in: one event per counted click, for accounts that stream clicks elsewhere.
    LINK_CLICKED = "link.clicked"
    # Sent only by "send test event", to that one endpoint.
    PING = "webhook.test"


SUBSCRIBABLE: tuple[EventType, ...] = tuple(t for t in EventType if t is not EventType.PING)
