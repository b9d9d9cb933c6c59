"""The floor every benchmark is compared with: bare Starlette answering constant JSON bytes
shaped like a page of 20 links, served by the same uvicorn settings as Eziox."""

from __future__ import annotations

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

LINK = {
    "id": "lnk_00000000000000000000",
    "title": "A link",
    "url": "https://example.com/",
    "description": None,
    "thumbnail": None,
    "clicks": 0,
    "isActive": True,
    "order": 0,
    "createdAt": "2026-01-01T12:00:00Z",
    "updatedAt": "2026-01-01T12:00:00Z",
}
BODY = orjson.dumps({"links": [{**LINK, "order": i} for i in range(20)], "total": 20})


async def floor(_: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/floor", floor)])
