"""One attempt at one mail: over SMTP with aiosmtplib, or into the log when SMTP is off."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from eziox.config import SmtpTarget

log = logging.getLogger("eziox.mail")


@dataclass(frozen=True, slots=True)
class Outcome:
    error: str | None = None
    permanent: bool = False  # the server refused for good (5xx): retrying cannot help

    @property
    def ok(self) -> bool:
        return self.error is None


def _permanent(exc: aiosmtplib.SMTPException) -> bool:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in exc.recipients)
    return isinstance(exc, aiosmtplib.SMTPResponseException) and 500 <= exc.code < 600


async def send_smtp(
    target: SmtpTarget, message: EmailMessage, timeout: float, ca_file: Path | None = None
) -> Outcome:
    """Hand ``message`` to the SMTP server; the connection lasts this one mail. A TLS
    server's certificate is always verified (against ``ca_file``, else the system's CAs)."""
    try:
        await aiosmtplib.send(
            message,
            hostname=target.host,
            port=target.port,
            username=target.username,
            password=target.password,
            use_tls=target.security == "tls",
            start_tls=target.security == "starttls",
            timeout=timeout,
            validate_certs=True,
            cert_bundle=str(ca_file) if ca_file else None,
        )
    except aiosmtplib.SMTPException as exc:
        reason = str(exc) or exc.__class__.__name__
        return Outcome(f"SMTP: {reason}"[:500], permanent=_permanent(exc))
    except OSError as exc:
        return Outcome(f"SMTP connection failed: {exc}"[:500])
    return Outcome()


def write_to_log(message: EmailMessage) -> Outcome:
    """No SMTP server: the whole mail (headers and text) goes to the log, so an operator of
    a one-machine install can still pass a reset link on."""
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    log.warning(
        "mail not sent (EZIOX_SMTP_URL is not set); here it is in full:\n"
        "From: %s\nTo: %s\nSubject: %s\n\n%s",
        message["From"],
        message["To"],
        message["Subject"],
        text,
    )
    return Outcome()
