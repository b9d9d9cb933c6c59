"""Prometheus metrics, served at /metrics.

Request counts and latencies by route template (never the raw path: bounded label values)
and status, rate-limit rejections, analytics events written. With several uvicorn workers
(`eziox serve --workers N`) the workers write to files in PROMETHEUS_MULTIPROC_DIR, which
`eziox serve` creates empty at start, and /metrics adds every worker's values up; with one
worker the values live in the process.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from eziox.ops import MULTIPROC_ENV

UNMATCHED = "(unmatched)"

REQUESTS = Counter(
    "eziox_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "eziox_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RATE_LIMITED = Counter(
    "eziox_rate_limit_rejections_total",
    "Requests refused with 429",
    ["reason"],  # account (hourly budget) or auth_failures (per-IP lockout)
)
EVENTS = Counter("eziox_analytics_events_total", "Views and clicks written", ["kind"])
CONTENT_TYPE = CONTENT_TYPE_LATEST


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# (method, route, status) -> the two children; bounded: routes are templates, methods known.
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request (a few microseconds: the labelled children are cached)."""
    key = (method if method in _METHODS else "OTHER", route, status)
    children = _children.get(key)
    if children is None:
        labels = (key[0], route, str(status))
        children = _children[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
    children[0].inc()
    children[1].observe(seconds)


def render() -> bytes:
    """The exposition text: every worker's values when several share a directory."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()
