"""Start servers, drive them with wrk, parse what it prints. Every process is always stopped."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def process(
    args: list[str], env: dict[str, str], ready_url: str | None
) -> Iterator[subprocess.Popen[bytes]]:
    # The server logs every request (its default): into a file that nobody has to drain.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
    )
    try:
        if ready_url:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"{args} exited: {log.read().decode()[-2000:]}")
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(ready_url, timeout=1).status_code < 500:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{args} not ready")
                time.sleep(0.1)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(
    url: str,
    headers: dict[str, str],
    seconds: int,
    connections: int = 32,
    keys: list[str] | None = None,
) -> Load:
    """``keys``: send each request with the next of these API keys (rotate_keys.lua)."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    env = dict(os.environ)
    if keys:
        args += ["-s", str(Path(__file__).with_name("rotate_keys.lua"))]
        env["EZIOX_BENCH_KEYS"] = ",".join(keys)
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(rps, p50, p99, int(errors.group(1)) if errors else 0)


def measure(
    url: str, headers: dict[str, str], seconds: int, keys: list[str] | None = None
) -> Load:
    wrk(url, headers, 2, keys=keys)  # warm-up, discarded
    return wrk(url, headers, seconds, keys=keys)
