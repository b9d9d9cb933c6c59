"""Plain text as users type it: any character except C0/C1 control codes (tab, CR, LF allowed).

PostgreSQL refuses NUL in text columns and nothing good comes of the other control codes in a
title or bio, so the API refuses them with a 422 at the edge. The patterns are ECMA-262 and Rust
regex compatible, so the published OpenAPI schema and the server accept exactly the same set.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import StringConstraints

_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"

# Any length (limits come separately), no control characters.
PLAIN_PATTERN = rf"^[^{_CONTROL}]*$"
# Non-empty, no control characters, no whitespace at either end.
TRIMMED_PATTERN = rf"^[^\s{_CONTROL}](?:[^{_CONTROL}]*[^\s{_CONTROL}])?$"

_CONTROL_RE = re.compile(rf"[{_CONTROL}]")


def plain(max_length: int, min_length: int = 0) -> StringConstraints:
    """Constraints for ``Annotated[str, plain(n)]``: at most n characters, no control codes."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=PLAIN_PATTERN)


def trimmed(max_length: int) -> StringConstraints:
    """Constraints for a non-blank single value such as a title: trimmed, no control codes."""
    return StringConstraints(min_length=1, max_length=max_length, pattern=TRIMMED_PATTERN)


def plain_schema(max_length: int) -> dict[str, object]:
    return {"type": "string", "maxLength": max_length, "pattern": PLAIN_PATTERN}


def trimmed_schema(max_length: int) -> dict[str, object]:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": TRIMMED_PATTERN}


# What a 422 says when one of these patterns does not match (instead of the regex itself).
PATTERN_MESSAGES = {
    PLAIN_PATTERN: "must not contain control characters",
    TRIMMED_PATTERN: "must not be blank, start or end with spaces, or hold control codes",
}


def has_control(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None


def renders_empty(text: str) -> bool:
    """Whether the text shows nothing: only whitespace and invisible format characters (Cf:
    zero-width spaces and joiners, bidi marks, soft hyphens)."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)
