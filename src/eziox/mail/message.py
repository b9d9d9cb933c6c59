"""Mail bodies from Jinja templates (text, and HTML autoescaped) and the MIME message."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("eziox.mail", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(name: str, subject: str, **context: Any) -> Rendered:
    """``name``.txt and ``name``.html rendered with ``context`` (and the subject)."""
    env = _environment()
    values = {"subject": subject, **context}
    text = env.get_template(f"{name}.txt").render(values)
    html = env.get_template(f"{name}.html").render(values)
    return Rendered(subject, text, html)


def build_message(sender: str, to: str, rendered: Rendered) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML as the richer part."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = rendered.subject
    domain = sender.rpartition("@")[2].rstrip(">").strip() or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
