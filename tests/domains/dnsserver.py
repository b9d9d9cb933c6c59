"""A real DNS server on a loopback port (dnslib), holding the TXT records a test sets."""

from __future__ import annotations

from typing import Any

from dnslib import QTYPE, RCODE, RR, TXT, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class Zone(BaseResolver):  # type: ignore[misc]
    """Answers TXT questions from ``records``; every other name does not exist."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        values = self.records.get(name)
        if values is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in values:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=0))
        return reply


class LocalDns:
    def __init__(self) -> None:
        self.zone = Zone()
        quiet = DNSLogger(logf=lambda _line: None)
        self._server = DNSServer(self.zone, address="127.0.0.1", port=0, logger=quiet)

    @property
    def address(self) -> str:
        host, port = self._server.server.server_address
        return f"{host}:{port}"

    def start(self) -> None:
        self._server.start_thread()

    def stop(self) -> None:
        self._server.stop()
        self._server.server.server_close()

    def set_txt(self, name: str, *values: str) -> None:
        self.zone.records[name.lower()] = list(values)

    def clear(self, name: str) -> None:
        self.zone.records.pop(name.lower(), None)
