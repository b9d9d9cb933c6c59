"""EZIOX_SMTP_URL and EZIOX_MAIL_FROM: parsed at start, with a clear error when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from eziox.config import SmtpTarget, load_settings


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://127.0.0.1:2525", SmtpTarget("plain", "127.0.0.1", 2525)),
        ("smtp://mail.example.com", SmtpTarget("plain", "mail.example.com", 25)),
        ("smtp+starttls://mail.example.com", SmtpTarget("starttls", "mail.example.com", 587)),
        (
            "smtps://me%40example.com:p%3Ass@mail.example.com:4650",
            SmtpTarget("tls", "mail.example.com", 4650, "me@example.com", "p:ss"),
        ),
    ],
)
def test_smtp_urls(url: str, target: SmtpTarget) -> None:
    assert load_settings(smtp_url=url).smtp == target


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.com", "must look like smtp://host:port"),
        ("smtp://", "needs a host"),
        ("smtp://mail.example.com/path", "needs a host and nothing after it"),
        ("smtp://mail.example.com:99999", "port must be a number"),
        ("smtp://u:secret-word@mail.example.com:x", "port must be a number"),
    ],
)
def test_bad_smtp_urls_are_refused_at_start(url: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        load_settings(smtp_url=url)
    assert says in str(caught.value)
    assert "secret-word" not in str(caught.value).replace(url, "")


def test_no_smtp_url_means_mail_goes_to_the_log() -> None:
    assert load_settings(smtp_url="").smtp is None
    assert load_settings().smtp is None


def test_the_sender_defaults_to_the_public_host() -> None:
    assert load_settings(public_url="https://bio.example.org").sender == (
        "Eziox <no-reply@bio.example.org>"
    )
    assert load_settings(public_url="http://127.0.0.1:8000").sender == (
        "Eziox <no-reply@localhost>"
    )
    assert load_settings(mail_from="Me <me@example.org>").sender == "Me <me@example.org>"


def test_the_ca_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        load_settings(smtp_ca_file=tmp_path / "missing.pem")
    assert "smtp_ca_file" in str(caught.value)
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert load_settings(smtp_ca_file=bundle).smtp_ca_file == bundle
