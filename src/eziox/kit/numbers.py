"""Whole numbers as JSON means them, for request models: 3.0 is the integer 3 (as JSON
Schema says); booleans and 3.5 are not."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema


def whole_number(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


# A position in a list, optional (omitted or null: unchanged); one past the end puts it last.
Position = Annotated[
    Annotated[int, BeforeValidator(whole_number), Field(ge=0, strict=False)] | None,
    WithJsonSchema({"type": "integer", "minimum": 0, "description": "Past the end: last"}),
]
