"""Property tests for URL validation: the published pattern and the server accept one set."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eziox.kit.urls import (
    HTTP_URL_PATTERN,
    LINK_URL_PATTERN,
    MAX_URL_LENGTH,
    validate_image_url,
    validate_link_url,
)

SCHEMES = ["http://", "https://", "HTTPS://", "mailto:", "tel:", "javascript:", "data:", "ftp://"]
DANGEROUS = ["javascript:", "JavaScript:", "data:", "DATA:", "vbscript:", "file:"]


def accepts(validate: object, url: str) -> bool:
    assert callable(validate)
    try:
        validate(url)
    except ValueError:
        return False
    return True


# Strings near the boundary: a scheme, then URL-ish characters (including the forbidden ones).
near_urls = st.builds(
    lambda scheme, rest: scheme + rest,
    st.sampled_from(SCHEMES),
    st.text(alphabet=st.sampled_from("ab.-:/?#@%[]<> \"'\\\t\n\x00é1+xn"), max_size=40),
)
anything = st.one_of(near_urls, st.text(max_size=60))


@given(anything)
def test_server_and_published_pattern_agree(url: str) -> None:
    for pattern, validate in (
        (LINK_URL_PATTERN, validate_link_url),
        (HTTP_URL_PATTERN, validate_image_url),
    ):
        # JSON Schema patterns are ECMA-262 searches; the ^...$ anchors make them whole-string
        # matches (Python's `$` would also match before a final newline: fullmatch does not).
        expected = re.fullmatch(pattern, url) is not None and len(url) <= MAX_URL_LENGTH
        assert accepts(validate, url) == expected, (pattern, url)


@given(st.from_regex(HTTP_URL_PATTERN, fullmatch=True))
def test_accepted_web_urls_are_http_with_a_dotted_host(url: str) -> None:
    if len(url) > MAX_URL_LENGTH:
        return
    assert accepts(validate_link_url, url)
    assert accepts(validate_image_url, url)
    parts = urlsplit(url)
    assert parts.scheme.lower() in {"http", "https"}
    assert parts.hostname
    assert "." in parts.hostname
    assert parts.username is None
    assert parts.password is None
    assert not set(url) & set(' "<>\\\t\r\n\x00')


@given(st.from_regex(LINK_URL_PATTERN, fullmatch=True))
def test_accepted_link_urls_have_an_allowed_scheme(url: str) -> None:
    if len(url) > MAX_URL_LENGTH:
        return
    assert accepts(validate_link_url, url)
    assert url.lower().startswith(("http://", "https://", "mailto:", "tel:"))


@given(st.sampled_from(DANGEROUS), st.text(max_size=60), st.sampled_from(["", " ", "\t", "\n"]))
def test_script_and_data_urls_are_never_accepted(scheme: str, rest: str, lead: str) -> None:
    for url in (scheme + rest, lead + scheme + rest, scheme + "//example.com/" + rest):
        assert not accepts(validate_link_url, url)
        assert not accepts(validate_image_url, url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://example.com\n",
        "https://user:pw@example.com/",
        "https://localhost/",
        "https://exa mple.com/",
        "https://example.com:0/",
        "https://example.com:65536/",
        "//example.com/",
        "https://" + "a" * 2048 + ".com",
    ],
)
def test_known_bad_urls_are_refused(url: str) -> None:
    assert not accepts(validate_link_url, url)
