"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, in its own thread."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """What the server accepted; ``refuse`` answers for the first DATA of each recipient."""

    refuse_first: str | None = None  # e.g. "451 4.3.0 try again later"
    refuse_always: str | None = None  # e.g. "550 5.1.1 no such user"
    messages: list[EmailMessage] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        to = ",".join(envelope.rcpt_tos)
        with self._lock:
            if self.refuse_always:
                self.refused.append(to)
                return self.refuse_always
            if self.refuse_first and to not in self.refused:
                self.refused.append(to)
                return self.refuse_first
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    async def wait_for(self, address: str, timeout: float = 30.0) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while not self.to(address):
            assert time.monotonic() < deadline, f"no mail to {address} arrived"
            await asyncio.sleep(0.05)
        return self.to(address)[0]


@contextmanager
def smtp_server(port: int, inbox: Inbox | None = None, **options: Any) -> Iterator[Inbox]:
    """Serve SMTP on 127.0.0.1:``port`` until the block ends (``options``: TLS contexts)."""
    inbox = inbox or Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies of a multipart/alternative message."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()
