"""The SDK's shared core without a server: requests, error mapping, retry decisions.

A stand-in transport answers (httpx.MockTransport) and sleeping is recorded, not done, so
every retry path is checked exactly and fast; the same paths against a real server are in
test_retries.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from eziox import __version__
from eziox.client import AsyncEziox, Eziox, EzioxError, _async, _core, _sync

KEY = "ezx_" + "A" * 32
LINK = {
    "id": "lnk_1",
    "title": "T",
    "url": "https://example.com",
    "description": None,
    "thumbnail": None,
    "clicks": 3,
    "isActive": True,
    "order": 0,
    "createdAt": "2026-01-01T12:00:00Z",
    "updatedAt": "2026-01-01T12:00:00Z",
}
Handler = Callable[[httpx.Request], httpx.Response]


def envelope(status: int, code: str, message: str, **extra: Any) -> httpx.Response:
    headers = {"X-Request-Id": "req_test"}
    if "retryAfter" in extra:
        headers["Retry-After"] = str(extra["retryAfter"])
    body = {"error": {"code": code, "message": message, **extra}}
    return httpx.Response(status, json=body, headers=headers)


def scripted(*answers: httpx.Response) -> tuple[Handler, list[httpx.Request]]:
    """A handler giving these answers in turn, and the requests it saw."""
    seen: list[httpx.Request] = []
    queue: Iterator[httpx.Response] = iter(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return next(queue)

    return handler, seen


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []

    async def async_sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(_sync, "time", SimpleNamespace(sleep=waited.append))
    monkeypatch.setattr(_async, "asyncio", SimpleNamespace(sleep=async_sleep))
    return waited


def client(handler: Handler, **options: Any) -> Eziox:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return Eziox(KEY, base_url="http://api.test/", http_client=http, **options)


def test_requests_carry_key_agent_and_wire_names() -> None:
    handler, seen = scripted(httpx.Response(200, json=LINK))
    client(handler).links.update("../profile", is_active=False, description=None, order=2)
    request = seen[0]
    assert request.method == "PATCH"
    assert request.url.raw_path == b"/v1/links/..%2Fprofile"  # one segment, never another route
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["user-agent"] == f"eziox-python/{__version__}"
    assert json.loads(request.content) == {"isActive": False, "description": None, "order": 2}


def test_list_query_and_page_walk() -> None:
    pages = [
        {"links": [LINK, LINK], "total": 5},
        {"links": [LINK, LINK], "total": 5},
        {"links": [LINK], "total": 5},
    ]
    handler, seen = scripted(*(httpx.Response(200, json=page) for page in pages))
    assert len(list(client(handler).iter_links(active=False, page_size=2))) == 5
    assert [dict(r.url.params) for r in seen] == [
        {"limit": "2", "offset": str(offset), "active": "false"} for offset in (0, 2, 4)
    ]


def test_models_keep_unknown_fields_and_parse_types() -> None:
    handler, _ = scripted(httpx.Response(200, json={**LINK, "shortCode": "abc"}))
    link = client(handler).links.get("lnk_1")
    assert link.is_active is True
    assert link.created_at is not None
    assert link.created_at.tzinfo is not None
    assert link.model_extra == {"shortCode": "abc"}
    assert link.model_dump(by_alias=True, mode="json")["shortCode"] == "abc"


def test_error_envelope_is_mapped() -> None:
    details = [{"field": "url", "message": "must be an absolute http(s) URL"}]
    handler, _ = scripted(envelope(422, "VALIDATION_ERROR", "Invalid request.", details=details))
    with pytest.raises(EzioxError) as caught:
        client(handler).links.create("T", "javascript:x")
    error = caught.value
    assert (error.code, error.status, error.request_id) == ("VALIDATION_ERROR", 422, "req_test")
    assert error.details[0].field == "url"
    assert str(error) == "VALIDATION_ERROR: Invalid request."


def test_bodies_without_the_envelope_fall_back_sensibly() -> None:
    handler, _ = scripted(
        httpx.Response(502, text="<html>bad gateway</html>", headers={"Content-Type": "text/html"}),
        httpx.Response(418, text="short and stout", headers={"Content-Type": "text/plain"}),
        httpx.Response(200, text="not json"),
    )
    eziox = client(handler, max_retries=0)
    with pytest.raises(EzioxError) as caught:
        eziox.profile.get()
    assert (caught.value.code, caught.value.status) == ("BAD_GATEWAY", 502)
    assert caught.value.message == "HTTP 502 Bad Gateway"
    with pytest.raises(EzioxError) as caught:
        eziox.profile.get()
    assert caught.value.code == "BAD_REQUEST"
    assert "short and stout" in caught.value.message
    with pytest.raises(EzioxError) as caught:
        eziox.profile.get()
    assert (caught.value.code, caught.value.status) == ("INVALID_RESPONSE", 200)


def test_429_waits_retry_after_then_succeeds(sleeps: list[float]) -> None:
    headers = {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "999",
        "X-RateLimit-Reset": "9",
    }
    handler, seen = scripted(
        envelope(429, "RATE_LIMIT_EXCEEDED", "Too many requests.", retryAfter=3),
        httpx.Response(201, json=LINK, headers=headers),
    )
    eziox = client(handler)
    assert eziox.links.create("T", "https://example.com").id == "lnk_1"
    assert sleeps == [3.0]
    assert len(seen) == 2  # a 429 was refused before anything happened: POST is resent too
    assert eziox.rate_limit is not None
    assert eziox.rate_limit.remaining == 999


def test_429_gives_up_after_max_retries(sleeps: list[float]) -> None:
    refusals = [envelope(429, "RATE_LIMIT_EXCEEDED", "Slow down.", retryAfter=1)] * 3
    handler, seen = scripted(*refusals)
    with pytest.raises(EzioxError) as caught:
        client(handler, max_retries=2).profile.get()
    assert (caught.value.status, caught.value.retry_after) == (429, 1)
    assert sleeps == [1.0, 1.0]
    assert len(seen) == 3


def test_429_longer_than_max_retry_wait_raises_at_once(sleeps: list[float]) -> None:
    handler, seen = scripted(envelope(429, "RATE_LIMIT_EXCEEDED", "Later.", retryAfter=1800))
    with pytest.raises(EzioxError) as caught:
        client(handler, max_retry_wait=60).profile.get()
    assert caught.value.retry_after == 1800
    assert (sleeps, len(seen)) == ([], 1)


def test_429_without_retry_after_backs_off(sleeps: list[float]) -> None:
    handler, _ = scripted(httpx.Response(429), httpx.Response(200, json=LINK))
    client(handler).links.get("lnk_1")
    assert sleeps == [_core.BACKOFF_BASE]


def test_503_is_retried_only_for_safe_requests(sleeps: list[float]) -> None:
    unavailable = envelope(503, "SERVICE_UNAVAILABLE", "Retry shortly.", retryAfter=1)
    handler, seen = scripted(unavailable, httpx.Response(200, json=LINK))
    client(handler).links.get("lnk_1")
    assert (len(seen), sleeps) == (2, [1.0])
    handler, seen = scripted(unavailable)
    with pytest.raises(EzioxError):
        client(handler).links.update("lnk_1", title="T")
    assert len(seen) == 1


def test_every_post_sends_one_idempotency_key_and_reuses_it_on_retries(
    sleeps: list[float],
) -> None:
    unavailable = envelope(503, "SERVICE_UNAVAILABLE", "Retry shortly.", retryAfter=1)
    limited = envelope(429, "RATE_LIMIT_EXCEEDED", "Too many requests.", retryAfter=2)
    handler, seen = scripted(unavailable, limited, httpx.Response(201, json=LINK))
    eziox = client(handler)
    eziox.links.create("T", "https://example.com")
    keys = {request.headers["idempotency-key"] for request in seen}
    assert (len(seen), sleeps, len(keys)) == (3, [1.0, 2.0], 1)
    assert uuid.UUID(keys.pop()).version == 4
    handler, again = scripted(httpx.Response(201, json=LINK))
    eziox = client(handler)
    eziox.links.create("T", "https://example.com")  # the same call once more: a new key
    assert again[0].headers["idempotency-key"] != seen[0].headers["idempotency-key"]
    handler, reads = scripted(httpx.Response(200, json=LINK))
    client(handler).links.get("lnk_1")
    assert "idempotency-key" not in reads[0].headers


async def test_async_client_shares_the_retry_rules(sleeps: list[float]) -> None:
    handler, seen = scripted(
        envelope(429, "RATE_LIMIT_EXCEEDED", "Too many requests.", retryAfter=2),
        httpx.Response(200, json={"links": [LINK], "total": 1}),
    )
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncEziox(KEY, base_url="http://api.test", http_client=http) as eziox:
        assert [link.id async for link in eziox.iter_links()] == ["lnk_1"]
    await http.aclose()
    assert (sleeps, len(seen)) == ([2.0], 2)


def test_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EZIOX_API_KEY", raising=False)
    monkeypatch.delenv("EZIOX_BASE_URL", raising=False)
    with pytest.raises(EzioxError) as caught:
        Eziox()
    assert caught.value.code == "MISSING_API_KEY"
    assert "EZIOX_API_KEY" in caught.value.message
    monkeypatch.setenv("EZIOX_API_KEY", KEY)
    with Eziox() as eziox:
        assert eziox.base_url == "http://127.0.0.1:8000"
        assert KEY not in repr(eziox)
        assert KEY not in repr(eziox._engine.config)
    monkeypatch.setenv("EZIOX_BASE_URL", "https://links.example.com/")
    with Eziox() as eziox:
        assert eziox.base_url == "https://links.example.com"
    with pytest.raises(EzioxError) as caught:
        Eziox(base_url="links.example.com")
    assert caught.value.code == "INVALID_BASE_URL"


def test_a_redirect_names_where_to_go() -> None:
    moved = httpx.Response(301, headers={"Location": "https://api.test/v1/profile"})
    handler, _ = scripted(moved)
    with pytest.raises(EzioxError) as caught:
        client(handler).profile.get()
    assert (caught.value.code, caught.value.status) == ("UNEXPECTED_REDIRECT", 301)
    assert "https://api.test/v1/profile" in caught.value.message


@pytest.mark.parametrize("key", ["ezx_abc\u200bdef", "ezx_abc def", "ezx_ab\tcd", "ezx_é"])
def test_a_key_with_impossible_characters_is_refused_at_once(key: str) -> None:
    with pytest.raises(EzioxError) as caught:
        Eziox(key)
    assert caught.value.code == "INVALID_API_KEY"
