"""Prefixed, opaque, URL-safe identifiers (``usr_…``, ``lnk_…``, ``key_…``)."""

from __future__ import annotations

from eziox.kit.base62 import random_string

ID_BODY_LENGTH = 20  # ~119 bits of randomness


def new_id(prefix: str) -> str:
    return f"{prefix}_{random_string(ID_BODY_LENGTH)}"


def new_user_id() -> str:
    return new_id("usr")


def new_link_id() -> str:
    return new_id("lnk")


def new_key_id() -> str:
    return new_id("key")
