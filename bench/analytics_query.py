"""GET /v1/analytics?period=1y latency over a large seeded data set (default 10,000,000 events).

Seeds one account with `eziox dev seed-analytics`, starts the server, and times sequential
requests of the 1-year series and a breakdown, against the bare-Starlette floor's latency.
The last line is the headline p95. `--postgres` runs it on PostgreSQL + Redis instead.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from harness import PYTHON, free_port, process
from run import UVICORN, forget_redis_prefix, mode_env, prepare, psql, seed


def timed(client: httpx.Client, url: str, rounds: int) -> list[float]:
    client.get(url).raise_for_status()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        client.get(url).raise_for_status()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def floor_latency(rounds: int) -> list[float]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    args = [PYTHON, "-m", "uvicorn", "floor_app:app", "--port", str(port), *UVICORN]
    with process(args, env, f"http://127.0.0.1:{port}/floor"), httpx.Client() as client:
        return timed(client, f"http://127.0.0.1:{port}/floor", rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--postgres", action="store_true")
    options = parser.parse_args()
    base = floor_latency(options.rounds)
    with tempfile.TemporaryDirectory() as data_dir:
        database = f"eziox_bench_{secrets.token_hex(4)}" if options.postgres else None
        prefix = f"eziox-bench-{secrets.token_hex(4)}"
        if database:
            psql(f'CREATE DATABASE "{database}"')
        try:
            env = mode_env(data_dir, database, prefix)
            env["EZIOX_RATE_LIMIT_WINDOW"] = "3600"
            username, key = prepare(env)
            seed(env, username, options.events)
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            with (
                process(
                    [PYTHON, "-m", "eziox", "serve", "--port", str(port)],
                    env,
                    f"{base_url}/healthz",
                ),
                httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as client,
            ):
                series = timed(client, f"{base_url}/v1/analytics?period=1y", options.rounds)
                tz = timed(
                    client, f"{base_url}/v1/analytics?period=1y&tz=America/New_York", options.rounds
                )
                top = timed(client, f"{base_url}/v1/analytics/referrers?period=1y", options.rounds)
        finally:
            if database:
                psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                forget_redis_prefix(prefix)
    mode = "postgres" if options.postgres else "sqlite"
    for name, samples in [("floor (bare Starlette)", base)]:
        print(f"{name:<31} p50 {statistics.median(samples):6.2f} ms  p95 {p95(samples):6.2f} ms")
    for name, samples in [
        ("1y series (UTC)", series),
        ("1y series (New York)", tz),
        ("1y referrers", top),
    ]:
        print(f"{name:<31} p50 {statistics.median(samples):6.2f} ms  p95 {p95(samples):6.2f} ms")
    print(
        f"GET /v1/analytics?period=1y ({mode}, {options.events:,} events) "
        f"p95: {p95(series):.2f} ms (goal < 20 ms)"
    )


if __name__ == "__main__":
    main()
