"""A real HTTP receiver in a thread: records every request and answers as a test plans."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
from standardwebhooks.webhooks import Webhook


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(self.body)
        return parsed

    def verify(self, secret: str) -> dict[str, Any]:
        """Verify the signature with the standardwebhooks library; the parsed payload."""
        verified: dict[str, Any] = Webhook(secret).verify(self.body, self.headers)
        return verified


@dataclass(frozen=True)
class Reply:
    status: int = 200
    delay: float = 0.0
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 overflows when two workers post a batch each at once on a
    # busy machine: the kernel drops the extra connection attempts, the sender's connect
    # retries after a second and runs past the tests' 1 s timeout, and the delivery is
    # retried later instead of arriving now.
    request_queue_size = 128


class Receiver:
    """`plan(path, Reply, …)` queues answers for a path; afterwards, and elsewhere, 200 ok."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._plans: dict[str, list[Reply]] = defaultdict(list)
        self._lock = threading.Lock()
        self.default = Reply()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                reply = receiver._take(self.path)
                if reply.delay:
                    time.sleep(reply.delay)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver._record(Received(self.path, headers, body))
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the sender gave up (timeout test)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def plan(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._plans[path].extend(replies)

    def _take(self, path: str) -> Reply:
        with self._lock:
            queue = self._plans.get(path)
            return queue.pop(0) if queue else self.default

    def _record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)
