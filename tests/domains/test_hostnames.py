"""What a custom domain's hostname may be: each refusal names what is wrong."""

from __future__ import annotations

import pytest

from eziox.domains.hostnames import check_not_ours, normalize
from eziox.errors import Conflict, ValidationFailed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("links.example.com", "links.example.com"),
        ("  Links.Example.COM. ", "links.example.com"),
        ("example.com", "example.com"),  # an apex domain is a registered name
        ("bücher.example.de", "xn--bcher-kva.example.de"),
        ("a-b.c-d.example.org", "a-b.c-d.example.org"),
        ("me.github.io", "me.github.io"),  # under a private suffix: a name of its own
    ],
)
def test_names_are_normalized(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("", "must not be empty"),
        ("https://links.example.com", "bare hostname"),
        ("links.example.com/me", "bare hostname"),
        ("links.example.com:8443", "bare hostname"),
        ("me@example.com", "bare hostname"),
        ("203.0.113.7", "not an IP address"),
        ("::1", "not an IP address"),
        ("[2001:db8::1]", "not an IP address"),
        ("localhost", "full domain name"),
        ("example.123", "full domain name"),
        ("com", "full domain name"),
        ("-links.example.com", "not a valid domain name"),
        ("links-.example.com", "not a valid domain name"),
        ("links..example.com", "not a valid domain name"),
        ("under_score.example.com", "not a valid domain name"),
        ("x" * 64 + ".example.com", "not a valid domain name"),
        (".".join(["a" * 60] * 5), "not a valid domain name"),
        # 247 characters: _eziox.<it> would be longer than a DNS name may be.
        (".".join(["a" * 60] * 4) + ".abc", "at most 246 characters"),
    ],
)
def test_bad_names_are_refused_with_the_reason(raw: str, said: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        normalize(raw)
    assert said in refused.value.message
    assert refused.value.details[0]["field"] == "hostname"


@pytest.mark.parametrize("name", ["co.uk", "github.io", "msk.ru"])
def test_public_suffixes_are_well_formed_but_refused(name: str) -> None:
    with pytest.raises(Conflict, match="is a public suffix, shared by many owners"):
        normalize(name)


@pytest.mark.parametrize("name", ["eziox.example", "links.eziox.example"])
def test_the_servers_own_names_are_not_custom_domains(name: str) -> None:
    with pytest.raises(Conflict, match="own address"):
        check_not_ours(name, "https://eziox.example")


def test_a_name_merely_ending_like_the_servers_is_fine() -> None:
    check_not_ours("myeziox.example", "https://eziox.example")
