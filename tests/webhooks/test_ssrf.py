"""The address guard used when an endpoint is saved and before every attempt."""

from __future__ import annotations

import pytest

from eziox.webhooks import ssrf

STRICT = ssrf.Policy()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/x", "loopback"),
        ("https://[::1]/x", "loopback"),
        ("https://localhost/x", "loopback"),  # a name that resolves to loopback
        ("https://localhost:8443/x", "loopback"),
        ("https://10.0.0.1/x", "private"),
        ("https://172.16.5.4/x", "private"),
        ("https://[fd00::1]/x", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[fe80::1]/x", "link-local"),
        ("https://[::ffff:127.0.0.1]/x", "loopback"),  # IPv4-mapped IPv6
        ("https://224.0.0.1/x", "multicast"),
        ("https://0.0.0.0/x", "unspecified"),
        ("https://100.64.0.1/x", "non-public"),  # carrier-grade NAT
        ("http://93.184.216.34/x", "must use https"),
        ("ftp://93.184.216.34/x", "absolute https URL"),
    ],
)
async def test_refused(url: str, reason: str) -> None:
    with pytest.raises(ssrf.Refused, match=reason):
        await ssrf.destination(url, STRICT)


async def test_public_addresses_pass_and_keep_the_port() -> None:
    target = await ssrf.destination("https://93.184.216.34:8443/hook", STRICT)
    assert (target.host, target.port, str(target.address)) == (
        "93.184.216.34",
        8443,
        "93.184.216.34",
    )


async def test_settings_can_allow_local_development() -> None:
    relaxed = ssrf.Policy(allow_http=True, allow_private=True)
    target = await ssrf.destination("http://localhost:8000/hook", relaxed)
    assert target.address.is_loopback
    assert target.port == 8000
