"""Links-plus tests make many accounts; none of them ever signs in with its password."""

from __future__ import annotations

import functools

import pytest

from eziox.accounts import rules

_hash_once = functools.cache(rules.hash_password)


@pytest.fixture(autouse=True)
def _hash_the_shared_password_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 is slow by design; every factory account has the same password."""
    monkeypatch.setattr(rules, "hash_password", _hash_once)
