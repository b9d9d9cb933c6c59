"""Telling the instance's own names from hostnames to look up, from the raw Host header."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.factories import state_of


@pytest.mark.parametrize(
    ("host", "looked_up"),
    [
        (b"links.example.com", "links.example.com"),
        (b"LINKS.Example.com.:443", "links.example.com"),
        (b"links.example.com:8443", "links.example.com"),
        (b"eziox.example", None),  # the public URL's host
        (b"eziox.example:443", None),
        (b"203.0.113.7", None),
        (b"203.0.113.7:8000", None),
        (b"[2001:db8::1]:8000", None),
        (b"localhost:8000", None),
        (b"app.localhost", None),
        (b"", None),
    ],
)
def test_own_names_and_addresses_are_never_looked_up(
    domain_app: FastAPI, host: bytes, looked_up: str | None
) -> None:
    sites = domain_app.public.caches.sites  # type: ignore[attr-defined]
    assert sites.foreign(host) == looked_up
    assert sites.foreign(host) == looked_up  # and the same once remembered
    assert state_of(domain_app).settings.public_url == "https://eziox.example"
