"""Recent answers to an account's hottest /v1 reads, replayed while they are still exact.

`GET /v1/links` is what integrations poll. Its answer depends on the account's links (every
change to them bumps the account's page version, see `eziox.pages.changes`) and on click
counts and schedules (which move without a version bump). So an answer is replayed only
while all of these hold:

- the account's page version is the one the answer was built at (a commit here drops what
  this process knows at once; another instance's commit shows within `REVALIDATE_AFTER`);
- no click of the account was committed by this process since;
- it is younger than `REVALIDATE_AFTER` (clicks counted by other instances, schedules).

Each answer is stored with its `ETag` (hashed once, when stored): replays carry it, and
`eziox.conditional` (outside this layer) answers 304 from it without hashing again.

It runs inside the API gate: every replay is authenticated, counted against the account's
rate limit and carries its headers, like any other answer. Only a query string the route
itself answered with 200 is ever replayed, so validation errors are never cached.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eziox.analytics.recorder import Recorder
from eziox.auth.gate import PRINCIPAL
from eziox.auth.principal import Principal
from eziox.auth.scopes import Permission
from eziox.conditional import etag_of
from eziox.pages.cache import REVALIDATE_AFTER, PageVersions

# Path -> the permission its route declares (the route still checks it on every miss).
REPLAYED = {"/v1/links": Permission.LINKS_READ}


@dataclass(frozen=True, slots=True)
class _Answer:
    version: int | None
    clicks: int
    built: float
    headers: list[tuple[bytes, bytes]]
    body: bytes
    route: Any  # the route that answered: metrics and the access line name replays by it


class ApiReadCache:
    def __init__(
        self, app: ASGIApp, *, versions: PageVersions, recorder: Recorder, size: int
    ) -> None:
        self.app = app
        self.versions = versions
        self.size = size
        self._answers: dict[tuple[str, str, bytes], _Answer] = {}
        self._clicks: dict[str, int] = {}  # per account: moves when its clicks commit here
        self._building: dict[
            tuple[tuple[str, str, bytes], int, int], asyncio.Future[_Answer | None]
        ] = {}
        recorder.on_clicks = self.clicked

    def clicked(self, account_ids: set[str]) -> None:
        for account_id in account_ids:
            self._clicks[account_id] = self._clicks.get(account_id, 0) + 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = _replayable(scope)
        if principal is None:
            await self.app(scope, receive, send)
            return
        account_id = principal.account_id
        key = (account_id, scope["path"], scope["query_string"])
        version = await self.versions.current(account_id)
        clicks = self._clicks.get(account_id, 0)
        answer = self._answers.get(key)
        if answer is None or not self._exact(answer, version, clicks):
            # One request builds the answer; the others asking the same meanwhile (as of the
            # same local state) wait for it instead of all reaching the database at once.
            flight = (key, self.versions.epoch, clicks)
            leader = self._building.get(flight)
            if leader is None:
                await self._build(flight, version, scope, receive, send)
                return
            answer = await asyncio.shield(leader)
            if answer is None:  # not a replayable answer (an error, say): ask the route
                await self.app(scope, receive, send)
                return
        scope["route"] = answer.route
        await send({"type": "http.response.start", "status": 200, "headers": answer.headers})
        await send({"type": "http.response.body", "body": answer.body})

    async def _build(
        self,
        flight: tuple[tuple[str, str, bytes], int, int],
        version: int | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        key, epoch, clicks = flight
        done: asyncio.Future[_Answer | None] = asyncio.get_running_loop().create_future()
        self._building[flight] = done
        answer = None
        try:
            built, kept = time.time(), _Kept(send)
            await self.app(scope, receive, kept.send)
            if kept.complete:
                answer = _Answer(
                    version, clicks, built, kept.headers, kept.body, scope.get("route")
                )
                if epoch == self.versions.epoch and clicks == self._clicks.get(key[0], 0):
                    self._keep(key, answer)
        finally:
            del self._building[flight]
            done.set_result(answer)

    def _exact(self, answer: _Answer, version: int | None, clicks: int) -> bool:
        age = time.time() - answer.built
        return answer.version == version and answer.clicks == clicks and 0 <= age < REVALIDATE_AFTER

    def _keep(self, key: tuple[str, str, bytes], answer: _Answer) -> None:
        self._answers.pop(key, None)  # re-inserted last: the oldest entries go first
        self._answers[key] = answer
        if len(self._answers) > self.size:
            del self._answers[next(iter(self._answers))]


def _replayable(scope: Scope) -> Principal | None:
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    permission = REPLAYED.get(scope["path"])
    principal: Principal | None = scope.get("state", {}).get(PRINCIPAL)
    if permission is None or principal is None or permission not in principal.permissions:
        return None
    return principal


class _Kept:
    """Keeps a copy of a plain 200 answer, tagged once with its ETag, and passes it on.

    The 200's start waits for the whole body (one message for these JSON answers) so that
    the tag goes out with it: replays carry the stored tag and are never hashed again.
    """

    def __init__(self, send: Send) -> None:
        self._send = send
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""
        self.complete = False
        self._ok = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._ok = message["status"] == 200
            self.headers = list(message.get("headers", []))
            if self._ok:
                return
        elif message["type"] == "http.response.body" and self._ok:
            self.body += message.get("body", b"")
            if message.get("more_body", False):
                return
            self.complete = True
            self.headers.append((b"etag", etag_of(self.body)))
            await self._send(
                {"type": "http.response.start", "status": 200, "headers": self.headers}
            )
            message = {"type": "http.response.body", "body": self.body}
        await self._send(message)
