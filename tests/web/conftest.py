"""Public-page tests make many accounts; none of them ever signs in with its password."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _hash_the_shared_password_once(one_hash_for_the_shared_password: None) -> None:
    """Every test here, with tests/conftest.py's one hash for the factories' password."""
