"""Endpoint secrets: ``whsec_`` + base64 random bytes (Standard Webhooks), encrypted at rest.

Signing needs the raw secret, so it cannot be stored as a digest like API keys are. It is
encrypted with Fernet under a key derived from the server secret (EZIOX_SECRET_KEY or the
generated secret file): a database dump alone does not reveal it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets as random

from cryptography.fernet import Fernet

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(random.token_bytes(SECRET_BYTES)).decode()


class SecretBox:
    """Encrypts and decrypts endpoint secrets with a key derived from the server secret."""

    def __init__(self, server_secret: str) -> None:
        digest = hashlib.sha256(b"eziox webhook secrets\x00" + server_secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()
