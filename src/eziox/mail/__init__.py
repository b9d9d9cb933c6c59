"""Outgoing mail: a durable outbox written with the change that causes a mail, and a worker
that sends it over SMTP (or, with no SMTP configured, writes it to the log)."""

from eziox.mail.outbox import queue_mail

__all__ = ["queue_mail"]
