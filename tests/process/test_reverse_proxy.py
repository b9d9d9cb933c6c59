"""Eziox behind the real Caddy (Debian's package), configured with the shipped deploy/Caddyfile.

The Caddyfile the test runs is the shipped one with only what a test on loopback must change
(`render_caddyfile`): the site's name, the upstream port, Caddy's own ports and storage, and
certificates from Caddy's local CA instead of Let's Encrypt. Clients reach Caddy from
different loopback addresses (127.0.0.2, 127.0.0.3), so Eziox's per-address limits are
checked against real, different peers of Caddy, never against a header the test made up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from eziox.config import Settings
from tests import backends
from tests.domains.dnsserver import LocalDns
from tests.process.servers import (
    START_TIMEOUT,
    STOP_TIMEOUT,
    Server,
    avoid_window_edge,
    eziox_env,
    free_port,
    run_eziox,
    running,
    until,
)

pytestmark = pytest.mark.slow

SHIPPED = Path(__file__).resolve().parents[2] / "deploy" / "Caddyfile"
SHIPPED_SITE = "eziox.example.com"
SHIPPED_UPSTREAM = "127.0.0.1:8000"
SITE = "eziox.localhost"  # `localhost` names get certificates from Caddy's local CA
CLIENT_A, CLIENT_B = "127.0.0.2", "127.0.0.3"
FAILURE_LIMIT = 3
FAILURE_WINDOW = 86_400  # one window for the whole test (avoid_window_edge keeps it so)
BAD_KEY = {"Authorization": "Bearer ezx_" + "A" * 32}
PASSWORD = "correct horse battery"


def caddy_binary() -> str:
    found = shutil.which("caddy")
    if found is None:
        pytest.fail(
            "caddy is not installed: `make test` installs it (apt-get install caddy)",
            pytrace=False,
        )
    return found


def render_caddyfile(upstream_port: int, http_port: int, https_port: int) -> str:
    """The shipped Caddyfile, changed only where a test on loopback must differ: the site's
    name and the upstream port, plus global options for Caddy's ports, a loopback bind,
    certificates from its local CA (`local_certs`: `tls internal` for every site, the
    on-demand one included) not installed into the system's trust store, and no admin API."""
    text = SHIPPED.read_text()
    assert text.count(f"{SHIPPED_SITE} {{") == 1, "deploy/Caddyfile has one block of its site"
    assert re.search(r"^\{$", text, re.MULTILINE), "deploy/Caddyfile has a global options block"
    for_tests = (
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n\tdefault_bind 127.0.0.1\n"
        "\tlocal_certs\n\tskip_install_trust\n\tadmin off\n"
    )
    text = re.sub(r"^\{$\n", "{\n" + for_tests, text, count=1, flags=re.MULTILINE)
    text = text.replace(SHIPPED_UPSTREAM, f"127.0.0.1:{upstream_port}")
    return text.replace(f"{SHIPPED_SITE} {{", f"{SITE} {{")


class LoopbackTransport(httpx.AsyncHTTPTransport):
    """Connects to 127.0.0.1 whatever name a URL has, as this machine's DNS record would; the
    name still goes out as the Host header and the TLS server name, and the certificate is
    checked against it."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        extensions = dict(request.extensions)
        if request.url.scheme == "https":
            extensions["sni_hostname"] = request.url.host
        inner = httpx.Request(
            request.method,
            request.url.copy_with(host="127.0.0.1"),
            headers=request.headers,  # with the Host header the client built from the URL
            stream=request.stream,
            extensions=extensions,
        )
        return await super().handle_async_request(inner)


@dataclass
class Caddy:
    process: subprocess.Popen[bytes]
    http_port: int
    https_port: int
    home: Path
    log_path: Path

    @property
    def root_certificate(self) -> Path:
        """Caddy's local CA, in the storage of this Caddy ($XDG_DATA_HOME/caddy)."""
        return self.home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def client(self, name: str = SITE, source: str = CLIENT_A) -> httpx.AsyncClient:
        """A client of https://name/ (and http://name/) connecting from ``source``."""
        context = ssl.create_default_context(cafile=str(self.root_certificate))
        transport = LoopbackTransport(verify=context, local_address=source, retries=3)
        return httpx.AsyncClient(
            base_url=f"https://{name}:{self.https_port}", transport=transport, timeout=30.0
        )

    async def wait_ready(self) -> None:
        """Until Caddy answers https://SITE/healthz from Eziox with a certificate of its CA."""

        def alive() -> bool:
            assert self.process.poll() is None, f"caddy exited early:\n{self.log()}"
            return self.root_certificate.exists()

        await until(alive, "caddy's local CA", START_TIMEOUT)

        async def answers() -> bool:
            alive()
            async with self.client() as client:
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

        await until(answers, "caddy serving https://SITE/healthz", START_TIMEOUT)

    async def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(self.process.wait, STOP_TIMEOUT)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextlib.asynccontextmanager
async def caddy_in_front(
    home: Path, upstream_port: int, http_port: int, https_port: int
) -> AsyncIterator[Caddy]:
    """Our own Caddy (its config, CA and state all under ``home``), always stopped after."""
    binary = caddy_binary()
    config = home / "Caddyfile"
    config.write_text(render_caddyfile(upstream_port, http_port, https_port))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    log_path = home / "caddy.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [binary, "run", "--config", str(config), "--adapter", "caddyfile"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    caddy = Caddy(process, http_port, https_port, home, log_path)
    try:
        await caddy.wait_ready()
        yield caddy
    except BaseException:
        print(f"--- log of caddy ---\n{caddy.log()[-20_000:]}")
        raise
    finally:
        await caddy.stop()


@pytest.fixture
async def limiter_prefix(settings: Settings) -> AsyncIterator[str]:
    """A Redis prefix of the test's own (PostgreSQL runs): failures counted elsewhere in the
    run must not reach this test's low failure limit."""
    prefix = f"{settings.redis_prefix}-proxy-{secrets.token_hex(4)}"
    try:
        yield prefix
    finally:
        if settings.redis_url:
            await backends.clear_redis_prefix(prefix)


async def test_eziox_behind_caddy(settings: Settings, limiter_prefix: str, tmp_path: Path) -> None:
    caddy_binary()  # fail first, with how to install it
    http_port, https_port = free_port(), free_port()
    env = eziox_env(
        settings,
        EZIOX_PUBLIC_URL=f"https://{SITE}:{https_port}",
        EZIOX_REDIS_PREFIX=limiter_prefix,
        EZIOX_AUTH_FAILURE_LIMIT=str(FAILURE_LIMIT),
        EZIOX_AUTH_FAILURE_WINDOW=str(FAILURE_WINDOW),
        EZIOX_LOG_LEVEL="info",  # the access lines show Caddy's on-demand TLS questions
    )
    serve = ("--forwarded-allow-ips", "127.0.0.1")  # as deploy/eziox.service runs it
    dns = LocalDns()  # what a custom domain's TXT record says, to the server only
    dns.start()
    env["EZIOX_DNS_NAMESERVERS"] = dns.address
    try:
        async with (
            running((env, serve)) as (server,),
            caddy_in_front(tmp_path, server.port, http_port, https_port) as caddy,
        ):
            username = await _sign_up_over_https(caddy)
            key = await _page_and_api_over_https(caddy, env, username)
            await _limits_count_the_address_caddy_saw(caddy)
            await _http_redirects_to_https(caddy, username)
            await _no_certificate_for_unknown_names(caddy, server)
            await _a_verified_domain_gets_a_certificate(caddy, env, dns, username, key, server)
    finally:
        dns.stop()


async def _sign_up_over_https(caddy: Caddy) -> str:
    """The sign-up form over https: both cookies it sets are Secure, and the session works."""
    username = f"proxy_{secrets.token_hex(4)}"
    async with caddy.client() as client:
        form = await client.get("/sign-up")
        assert form.status_code == 200
        assert _attributes(_set_cookie(form, "eziox_csrf")) >= {"secure", "httponly"}
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        fields = {"username": username, "email": f"{username}@example.com"}
        signed_up = await client.post(
            "/sign-up", data={**fields, "password": PASSWORD, "csrf_token": token[1]}
        )
        assert signed_up.status_code == 303, signed_up.text
        session_cookie = _set_cookie(signed_up, "eziox_session")
        assert _attributes(session_cookie) >= {"secure", "httponly", "samesite=lax"}
        dashboard = await client.get("/profile")  # the Secure cookie comes back over https
        assert dashboard.status_code == 200
        assert username in dashboard.text
    return username


def _set_cookie(response: httpx.Response, name: str) -> str:
    [found] = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    return found


def _attributes(set_cookie: str) -> set[str]:
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


async def _page_and_api_over_https(caddy: Caddy, env: dict[str, str], username: str) -> str:
    created = await run_eziox(
        env, "keys", "create", "--user", username, "--name", "proxy", "--json"
    )
    assert created.returncode == 0, str(created)
    auth = {"Authorization": f"Bearer {created.json()['key']}"}
    async with caddy.client() as client:
        page = await client.get(f"/{username}")
        assert page.status_code == 200
        assert username in page.text
        profile = await client.get("/v1/profile", headers=auth)
        assert profile.status_code == 200, profile.text
        assert profile.json()["username"] == username
    return str(created.json()["key"])


async def _limits_count_the_address_caddy_saw(caddy: Caddy) -> None:
    """Failed authentications are counted per client address: the one Caddy forwarded in
    X-Forwarded-For, not Caddy's own 127.0.0.1 and not an X-Forwarded-For the client sent."""
    await avoid_window_edge(FAILURE_WINDOW)
    async with caddy.client(source=CLIENT_A) as a, caddy.client(source=CLIENT_B) as b:
        statuses = [(await a.get("/v1/profile", headers=BAD_KEY)).status_code for _ in range(4)]
        assert statuses == [401] * FAILURE_LIMIT + [429]
        # Caddy is the edge: it replaces what the client claims with the address it saw.
        spoofed = await a.get("/v1/profile", headers={**BAD_KEY, "X-Forwarded-For": "192.0.2.1"})
        assert spoofed.status_code == 429
        other = await b.get("/v1/profile", headers=BAD_KEY)
        assert other.status_code == 401, "another client has a budget of its own"


async def _http_redirects_to_https(caddy: Caddy, username: str) -> None:
    async with caddy.client() as client:
        plain = await client.get(f"http://{SITE}:{caddy.http_port}/{username}?from=qr")
    assert plain.status_code in {301, 308}
    # Caddy 2.6 leaves a non-default https port out of the redirect; in production it is 443.
    path = f"/{username}?from=qr"
    https = {f"https://{SITE}{path}", f"https://{SITE}:{caddy.https_port}{path}"}
    assert plain.headers["location"] in https


async def _no_certificate_for_unknown_names(caddy: Caddy, server: Server) -> None:
    """On-demand TLS asks Eziox's /tls/allowed first; a name it does not answer 200 for
    (every name, until the custom-domains feature verifies some) gets no certificate."""
    async with caddy.client("unverified.example") as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("/")
    await until(lambda: "GET /tls/allowed 404" in server.log(), "Eziox asked about the name")


async def _a_verified_domain_gets_a_certificate(
    caddy: Caddy, env: dict[str, str], dns: LocalDns, username: str, key: str, server: Server
) -> None:
    """Once a custom domain is verified, Caddy's on-demand TLS is allowed a certificate for
    it, and the domain serves the account's page over https."""
    hostname = f"links-{secrets.token_hex(4)}.example.org"
    upgraded = await run_eziox(env, "users", "set-tier", username, "pro")
    assert upgraded.returncode == 0, str(upgraded)
    auth = {"Authorization": f"Bearer {key}"}
    async with caddy.client() as client:
        added = await client.post("/v1/domains", headers=auth, json={"hostname": hostname})
        assert added.status_code == 201, added.text
        record = added.json()["verification"]
        dns.set_txt(record["name"], record["value"])
        verified = await client.post(f"/v1/domains/{added.json()['id']}/verify", headers=auth)
        assert verified.status_code == 200, verified.text
    async with caddy.client(hostname) as client:
        page = await client.get("/")  # the TLS handshake itself makes Caddy ask and issue
    assert page.status_code == 200
    assert f"@{username}" in page.text
    assert f'<link rel="canonical" href="https://{hostname}/">' in page.text
    await until(lambda: "GET /tls/allowed 200" in server.log(), "Eziox allowed the domain")
