"""JSON responses serialized once with orjson (the hot paths avoid jsonable_encoder)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class JSONBytes(JSONResponse):
    """A JSON response serialized with orjson (a JSONResponse, so OpenAPI shows its model)."""

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return orjson.dumps(content)
