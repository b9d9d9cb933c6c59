"""Plain text as users type it: any character except C0/C1 control codes (tab, CR, LF allowed).

PostgreSQL refuses NUL in text columns and nothing good comes of the other control codes in a
title or bio, so the API refuses them with a 422 at the edge. The patterns are ECMA-262 and Rust
regex compatible, so the published OpenAPI schema and the server accept exactly the same set.

Names and titles — one line that stands for an account, a link or a group — also have to show
something, and must not reorder what is shown around them: text made only of invisible
characters, and explicit bidi overrides or isolates, are refused there (not stripped on
display: the API hands the same text to other clients, which could not strip it for us).
"""

from __future__ import annotations

import re

from pydantic import StringConstraints

from eziox.kit.urls import HOSTNAME_PATTERN

_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Besides whitespace, what shows nothing by itself: format characters (Cf: soft hyphen,
# zero-width space and joiners, LRM/RLM/ALM, word joiner, BOM…) and the blank fillers and
# selectors (combining grapheme joiner, Hangul fillers, braille blank, variation selectors).
# Basic Multilingual Plane only, as \uXXXX: ECMA-262 (no `u` flag), Rust's regex (pydantic)
# and Python's re (schemathesis) must read the published pattern alike.
_INVISIBLE = (
    r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u2064"
    r"\u206a-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
)
# Explicit direction embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI
# PDI): they reorder the characters after them, so a name can show as someone else's.
# The marks LRM, RLM and ALM only nudge neighbouring punctuation, and stay allowed.
_BIDI = r"\u202a-\u202e\u2066-\u2069"
_VISIBLE = rf"[^\s{_CONTROL}{_BIDI}{_INVISIBLE}]"
_SHOWN = rf"[^{_CONTROL}{_BIDI}]"

# Any length (limits come separately), no control characters.
PLAIN_PATTERN = rf"^[^{_CONTROL}]*$"
# A title: invisible characters may lead, then a visible one; no whitespace at either end; no
# control characters or bidi overrides.
TRIMMED_PATTERN = rf"^[{_INVISIBLE}]*{_VISIBLE}(?:{_SHOWN}*[^\s{_CONTROL}{_BIDI}])?$"
# A display name: empty, or at least one visible character; no control characters or bidi
# overrides (surrounding spaces are the caller's to trim).
NAME_PATTERN = rf"^(?:{_SHOWN}*{_VISIBLE}{_SHOWN}*)?$"

_CONTROL_RE = re.compile(rf"[{_CONTROL}]")
_NAME_RE = re.compile(NAME_PATTERN)
_BLANK_RE = re.compile(rf"[\s{_INVISIBLE}{_BIDI}]*")


def plain(max_length: int, min_length: int = 0) -> StringConstraints:
    """Constraints for ``Annotated[str, plain(n)]``: at most n characters, no control codes."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=PLAIN_PATTERN)


def trimmed(max_length: int) -> StringConstraints:
    """Constraints for a title: trimmed, something visible, no control codes or overrides."""
    return StringConstraints(min_length=1, max_length=max_length, pattern=TRIMMED_PATTERN)


def shown_name(max_length: int) -> StringConstraints:
    """Constraints for a display name: empty or something visible, no control codes or
    overrides."""
    return StringConstraints(max_length=max_length, pattern=NAME_PATTERN)


def plain_schema(max_length: int) -> dict[str, object]:
    return {"type": "string", "maxLength": max_length, "pattern": PLAIN_PATTERN}


def trimmed_schema(max_length: int) -> dict[str, object]:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": TRIMMED_PATTERN}


def shown_name_schema(max_length: int) -> dict[str, object]:
    return {"type": "string", "maxLength": max_length, "pattern": NAME_PATTERN}


# What a 422 says when one of these patterns does not match (instead of the regex itself).
PATTERN_MESSAGES = {
    PLAIN_PATTERN: "must not contain control characters",
    TRIMMED_PATTERN: "must show something (not only spaces or invisible characters), not start "
    "or end with spaces, and hold no control codes or text-direction overrides",
    NAME_PATTERN: "must show something (not only spaces or invisible characters) and hold no "
    "control codes or text-direction overrides",
    HOSTNAME_PATTERN: "must be a domain name such as links.example.com: letters, digits and "
    "inner hyphens, international names in their xn-- form, no scheme, port or path",
}


def has_control(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None


def is_shown_name(text: str) -> bool:
    """Whether ``text`` passes NAME_PATTERN (for names that do not come through a schema)."""
    return _NAME_RE.fullmatch(text) is not None


def renders_empty(text: str) -> bool:
    """Whether the text shows nothing: only whitespace and the invisible characters above."""
    return _BLANK_RE.fullmatch(text) is not None
