"""Outgoing webhooks signed per Standard Webhooks, written to a transactional outbox."""

from eziox.webhooks.outbox import emit

__all__ = ["emit"]
