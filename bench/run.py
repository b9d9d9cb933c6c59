"""`make bench`: Eziox's hot paths against a bare-Starlette floor measured in the same run.

Measures, on the embedded SQLite default and on PostgreSQL + Redis:
GET /v1/links (auth + rate limit + database, 20 links), GET /{username} (bio page, counts a
view), GET /l/{id} (redirect, counts a click) and GET /v1/analytics?period=1y over a year of
seeded events (--events, default 1,000,000), with wrk -t2 -c32. The server runs with its
defaults (access log on, hourly rate limits): GET /v1/links rotates through the keys of
--accounts Creator accounts so that the limiter counts every request without refusing one.
Each path's ratio is against the floor measured just before it. The last line is the
headline: page, redirect and /v1/links as ratios of the floor, for each mode.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import redis

from harness import PYTHON, Load, free_port, measure, process

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
UVICORN = ["--loop", "auto", "--http", "auto", "--log-level", "warning"]


def eziox(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "-m", "eziox", *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def seed(env: dict[str, str], username: str, events: int) -> None:
    """A year of analytics for ``username``, rolled up as the live worker would."""
    if events:
        started = time.perf_counter()
        subprocess.run(  # its progress bar shows on the terminal
            [
                PYTHON,
                "-m",
                "eziox",
                "dev",
                "seed-analytics",
                "--username",
                username,
                "--events",
                str(events),
                "--days",
                "365",
                "--seed",
                "1",
            ],
            env=env,
            check=True,
        )
        print(f"  seeded {events:,} events in {time.perf_counter() - started:.0f} s", flush=True)


def prepare(env: dict[str, str], accounts: int) -> tuple[str, list[str]]:
    """Migrate, then Creator accounts with a key each: (the first's username, their keys)."""
    eziox(env, "migrate")
    made = subprocess.run(
        [PYTHON, str(Path(__file__).with_name("provision.py")), str(accounts)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    provisioned = json.loads(made.stdout)
    return provisioned["username"], provisioned["keys"]


@contextlib.contextmanager
def floor_server(seconds: int) -> Iterator[Callable[[], Load]]:
    """The bare-Starlette floor, kept running: each call measures it once more."""
    port = free_port()
    args = [PYTHON, "-m", "uvicorn", "floor_app:app", "--port", str(port), *UVICORN]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    url = f"http://127.0.0.1:{port}/floor"
    with process(args, env, url):
        yield lambda: measure(url, {}, seconds)


def eziox_loads(
    env: dict[str, str], seconds: int, events: int, accounts: int, floor: Callable[[], Load]
) -> dict[str, tuple[Load, Load]]:
    """Each path's load, with the floor measured just before it (the shared VM's speed
    drifts over minutes: a ratio against a floor measured minutes apart drifts with it)."""
    username, keys = prepare(env, accounts)
    seed(env, username, events)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {keys[0]}"}
    with process([PYTHON, "-m", "eziox", "serve", "--port", str(port)], env, f"{base}/healthz"):
        for key in keys:  # every account has the same 20 links
            for i in range(20):
                httpx.post(
                    f"{base}/v1/links",
                    headers={"Authorization": f"Bearer {key}"},
                    json={"title": f"Link {i}", "url": f"https://example.com/{i}"},
                ).raise_for_status()
        link = httpx.get(f"{base}/v1/links?limit=1", headers=auth).json()["links"][0]["id"]
        loads: dict[str, tuple[Load, Load]] = {}
        for endpoint, url, headers, rotate in (
            ("GET /v1/links", f"{base}/v1/links", {}, keys),
            ("GET /{username}", f"{base}/{username}", {"User-Agent": BROWSER}, None),
            ("GET /l/{id}", f"{base}/l/{link}", {"User-Agent": BROWSER}, None),
        ):
            baseline = floor()
            loads[endpoint] = (measure(url, headers, seconds, keys=rotate), baseline)
        caught_up(env)
        baseline = floor()
        analytics = measure(f"{base}/v1/analytics?period=1y", auth, seconds)
        loads["GET analytics 1y"] = (analytics, baseline)
        return loads


def caught_up(env: dict[str, str]) -> None:
    """Wait until the roll-up has emptied the event inbox, so that the analytics figure
    measures queries rather than a backlog; say how long that took."""
    started = time.perf_counter()
    while inbox_rows(env) and time.perf_counter() - started < 300:
        time.sleep(0.2)
    print(f"  roll-up caught up {time.perf_counter() - started:.1f} s after the load", flush=True)


def inbox_rows(env: dict[str, str]) -> int:
    url = env.get("EZIOX_DATABASE_URL")
    if url:
        database = url.rsplit("/", 1)[1]
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc",
             "SELECT count(*) FROM event_inbox"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return int(out.strip())
    with sqlite3.connect(Path(env["EZIOX_DATA_DIR"]) / "eziox.db") as connection:
        return int(connection.execute("SELECT count(*) FROM event_inbox").fetchone()[0])


def mode_env(data_dir: str, postgres_db: str | None, prefix: str) -> dict[str, str]:
    # The server's own defaults: only where its data lives and, for PostgreSQL, its services.
    env = {k: v for k, v in os.environ.items() if not k.startswith("EZIOX_")}
    env.update(EZIOX_DATA_DIR=data_dir)
    if postgres_db:
        env.update(
            EZIOX_DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:5432/{postgres_db}",
            EZIOX_REDIS_URL="redis://127.0.0.1:6379/0",
            EZIOX_REDIS_PREFIX=prefix,
        )
    return env


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)


def run_mode(
    name: str, seconds: int, events: int, accounts: int, floor: Callable[[], Load]
) -> dict[str, tuple[Load, Load]]:
    with tempfile.TemporaryDirectory() as data_dir:
        if name == "sqlite":
            return eziox_loads(mode_env(data_dir, None, ""), seconds, events, accounts, floor)
        database = f"eziox_bench_{secrets.token_hex(4)}"
        prefix = f"eziox-bench-{database}"
        psql(f'CREATE DATABASE "{database}"')
        try:
            env = mode_env(data_dir, database, prefix)
            return eziox_loads(env, seconds, events, accounts, floor)
        finally:
            psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            forget_redis_prefix(prefix)


def forget_redis_prefix(prefix: str) -> None:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--modes", default="sqlite,postgres")
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="analytics events seeded over a year"
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=40,
        help="Creator accounts whose keys GET /v1/links rotates through (10,000 requests/h each)",
    )
    options = parser.parse_args()
    modes = options.modes.split(",")
    print(f"{'mode':<9} {'endpoint':<17} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'floor':>8} {'ratio':>6}")  # fmt: skip
    results: dict[tuple[str, str], tuple[Load, Load]] = {}
    with floor_server(options.seconds) as floor:
        for mode in modes:
            loads = run_mode(mode, options.seconds, options.events, options.accounts, floor)
            for endpoint, (load, baseline) in loads.items():
                results[(mode, endpoint)] = (load, baseline)
                flag = f"  ({load.errors} errors!)" if load.errors else ""
                print(
                    f"{mode:<9} {endpoint:<17} {load.rps:>8.0f} {load.p50_ms:>8.2f} "
                    f"{load.p99_ms:>8.2f} {baseline.rps:>8.0f} {load.rps / baseline.rps:>6.2f}"
                    f"{flag}",
                    flush=True,
                )
    if any(load.errors for load, _ in results.values()):
        sys.exit("some requests failed: the figures above are not valid")
    headline = []
    for mode in modes:
        ratios = ", ".join(
            f"{name} {results[(mode, endpoint)][0].rps / results[(mode, endpoint)][1].rps:.2f}x"
            for name, endpoint in (
                ("page", "GET /{username}"),
                ("redirect", "GET /l/{id}"),
                ("/v1/links", "GET /v1/links"),
            )
        )
        headline.append(f"{mode}: {ratios}")
    print("vs bare Starlette (floor measured before each path): " + "; ".join(headline))


if __name__ == "__main__":
    main()
