"""Sign-up rules: usernames, emails, passwords (argon2id)."""

from __future__ import annotations

import re
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from eziox.kit.text import renders_empty

USERNAME_PATTERN = re.compile(r"^[a-z0-9_-]{3,30}$")
_EMAIL_CHAR = r"[^@\s\x00-\x1f\x7f]"  # no whitespace, no control codes
EMAIL_PATTERN = re.compile(rf"^{_EMAIL_CHAR}{{1,64}}@{_EMAIL_CHAR}+\.{_EMAIL_CHAR}+$")
MIN_PASSWORD_LENGTH = 8

# Paths the app serves or may serve at the top level, and names that invite impersonation.
# Spelled with "-": `is_reserved` reads "_" as "-", so `api_docs` is as reserved as `api-docs`.
RESERVED_USERNAMES = frozenset(
    """
    about account accounts admin administrator api api-docs app assets auth billing blog
    contact dashboard docs eziox favicon-ico forgot-password health healthz help home l
    login logout me metrics new null openapi password-reset pricing privacy profile readyz
    register reset-password root settings sign-in sign-out sign-up signin signout signup
    static status support system templates terms undefined user users v1 v2 webhooks www
    """.split()
)

_hasher = PasswordHasher()
_COMMON = frozenset(
    (Path(__file__).with_name("common_passwords.txt")).read_text().split()
)  # argon2id with the library's current recommended parameters


def normalize_username(raw: str) -> str:
    username = raw.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise ValueError("username must be 3-30 characters of a-z, 0-9, _ and -")
    if is_reserved(username):
        raise ValueError(f"username '{username}' is reserved")
    return username


def is_reserved(username: str) -> bool:
    """Reserved, also in a lookalike spelling with "_" for "-" (`sign_in` for `sign-in`)."""
    return username.replace("_", "-") in RESERVED_USERNAMES


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise ValueError("email must be a valid email address")
    return email


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def check_password(password: str) -> None:
    """Length and a check against the most common passwords; ValueError says which.

    Any Unicode is welcome, but not a password that is only spaces (or invisible characters):
    eight spaces are eight characters, and about the first thing a guesser tries.
    """
    if password and renders_empty(password):
        raise ValueError("password must not be only spaces or invisible characters")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise ValueError("password must be at most 1024 characters")
    if password.lower() in _COMMON:
        raise ValueError("this password is one of the most common ones; choose another")


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False
