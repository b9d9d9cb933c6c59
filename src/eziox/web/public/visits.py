"""Count a view or click: what the request says of its visitor, handed to the recorder."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import Scope

from eziox.analytics.recorder import Visit
from eziox.request_context import is_head
from eziox.state import AppState


class VisitCounter:
    def __init__(self, state: AppState) -> None:
        self.recorder = state.recorder
        header = state.settings.country_header
        self.country_header = header.lower().encode("latin-1") if header else None
        self.own_host = urlsplit(state.settings.public_url).hostname

    def visit_of(self, scope: Scope) -> Visit:
        agent = referer = country = None
        for name, value in scope["headers"]:
            if name == b"user-agent":
                agent = value
            elif name == b"referer":
                referer = value
            elif name == self.country_header:
                country = value
        client = scope.get("client")
        return Visit(
            ip=client[0] if client else "",
            user_agent=agent.decode("latin-1") if agent else "",
            referer=referer.decode("latin-1") if referer else None,
            country_header=country.decode("latin-1") if country else None,
            own_host=self.own_host,
        )

    async def count(self, scope: Scope, account_id: str, link_id: str | None, kind: int) -> None:
        """Record the event durably before the response (HEAD counts nothing)."""
        if not is_head(scope):
            await self.recorder.record(account_id, link_id, kind, self.visit_of(scope))
