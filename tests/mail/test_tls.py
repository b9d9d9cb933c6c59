"""STARTTLS and SMTPS against aiosmtpd with a certificate made here (self-signed, for
127.0.0.1): trusted through EZIOX_SMTP_CA_FILE the mail arrives; untrusted, it is not sent."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI

from eziox.config import Settings
from eziox.mail.worker import MailWorker
from eziox.models import OutgoingMail
from eziox.models.mail import MAIL_PENDING, MAIL_SENT
from tests.factories import state_of
from tests.mail.smtp import parts, smtp_server
from tests.mail.test_worker import address, queue
from tests.process.servers import free_port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eziox test smtp")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def tls_worker(app: FastAPI, settings: Settings, url: str, ca_file: Path | None) -> MailWorker:
    changed = settings.model_copy(
        update={"smtp_url": url, "smtp_ca_file": ca_file, "mail_timeout": 5.0}
    )
    return MailWorker(state_of(app).db, changed)


async def status_of(app: FastAPI, mail_id: str) -> tuple[str, str | None]:
    async with state_of(app).db.session() as session:
        mail = await session.get(OutgoingMail, mail_id)
    assert mail is not None
    return mail.status, mail.error


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
async def test_tls_with_a_trusted_certificate(
    app: FastAPI, settings: Settings, certificate: tuple[Path, Path], scheme: str
) -> None:
    to, port = address(), free_port()
    mail_id = await queue(app, to)
    context = server_context(certificate)
    server = (
        {"tls_context": context, "require_starttls": True}
        if scheme == "smtp+starttls"
        else {"ssl_context": context}
    )
    with smtp_server(port, **server) as inbox:
        await tls_worker(
            app, settings, f"{scheme}://127.0.0.1:{port}", certificate[0]
        ).run_until_idle()
    [message] = inbox.to(to)
    assert "reset-password" in parts(message)[0]
    assert (await status_of(app, mail_id)) == (MAIL_SENT, None)


async def test_an_untrusted_certificate_is_refused(
    app: FastAPI, settings: Settings, certificate: tuple[Path, Path]
) -> None:
    to, port = address(), free_port()
    mail_id = await queue(app, to)
    with smtp_server(port, ssl_context=server_context(certificate)) as inbox:
        await tls_worker(app, settings, f"smtps://127.0.0.1:{port}", None).run_until_idle()
    assert inbox.to(to) == []
    status, error = await status_of(app, mail_id)
    assert status == MAIL_PENDING  # retried later: the operator may fix the trust store
    assert error is not None
    assert "certificate" in error.lower()
