"""Schemathesis against a live server: the OpenAPI document describes exactly what it does.

1. A key with every permission: all of schemathesis' checks (server errors, status codes,
   content types, response schemas and headers, positive and negative data, methods,
   auth…) over every /v1 operation, in every phase — examples, coverage, fuzzing and the
   stateful phase, which follows the document's OpenAPI links (create a link → read it →
   update it → its analytics → delete it; then use-after-free checks).
2. For each permission, a key holding every *other* one: each operation that needs it
   answers 403 FORBIDDEN naming it (tests/process/schemathesis_hooks.py), never a 500, and
   no other operation refuses the key for it.

`make test` runs a bounded number of examples; `make fuzz` (EZIOX_FUZZ_EXAMPLES=300) many
more and insists on at least 2,000 cases.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from eziox.auth.scopes import Permission
from eziox.config import Settings
from tests.process.servers import eziox_env, http_client, provision, running

MAX_EXAMPLES = int(os.environ.get("EZIOX_FUZZ_EXAMPLES", "25"))
FUZZING = "EZIOX_FUZZ_EXAMPLES" in os.environ  # `make fuzz`
# Per missing permission: a few examples in `make test`, a tenth of the full run in `make fuzz`
# (which adds the coverage phase: every boundary and negative value of each parameter).
MISSING_EXAMPLES = max(2, MAX_EXAMPLES // 10)
MISSING_PHASES = "examples,coverage,fuzzing" if FUZZING else "examples,fuzzing"
FUZZ_MINIMUM = 2000  # cases over both tests when EZIOX_FUZZ_EXAMPLES is set (`make fuzz`)
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Checks that hold for a key lacking a permission; the positive-data ones expect a 2xx.
REFUSAL_CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance,refused_without_permission"
)
CASES: list[int] = []


@dataclass(frozen=True)
class Run:
    code: int
    output: str
    generated: int

    def summary(self) -> str:
        return self.output[-6000:]

    @property
    def verdict(self) -> str:
        """The last line, e.g. "=== No issues found in 9s ===" or "=== 1 warning in 9s ==="."""
        lines = [line for line in self.output.splitlines() if line.startswith("=")]
        return lines[-1] if lines else ""

    def assert_clean(self) -> None:
        assert self.code == 0, self.summary()
        assert self.verdict, self.summary()
        assert "failure" not in self.verdict, self.summary()
        assert "error" not in self.verdict, self.summary()
        for line in self.output.splitlines():
            if "⚠️" in line:
                print(f"  schemathesis warning: {line.strip()}")


async def run_schemathesis(
    url: str, key: str, max_examples: int, *extra: str, missing: str | None = None
) -> Run:
    env = {
        "NO_COLOR": "1",
        "PATH": "/usr/bin:/bin",
        "HOME": str(Path.home()),
        "PYTHONPATH": str(ROOT),
        "SCHEMATHESIS_HOOKS": "tests.process.schemathesis_hooks",
    }
    if missing:
        env["EZIOX_FUZZ_MISSING"] = missing
    process = await asyncio.create_subprocess_exec(
        # --url: the document's `servers` name the configured public URL, not this process.
        SCHEMATHESIS, "--config-file", str(CONFIG), "run", f"{url}/openapi.json", "--url", url,
        "--header", f"Authorization: Bearer {key}",
        "--max-examples", str(max_examples),
        "--workers", "1",
        *extra,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=900)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = output.decode("utf-8", "replace")
    found = re.search(r"(\d+) generated", text)
    return Run(int(process.returncode or 0), text, int(found.group(1)) if found else 0)


@pytest.mark.slow
async def test_live_server_conforms_to_its_openapi_document(settings: Settings) -> None:
    who = await provision(settings, f"st{secrets.token_hex(4)}", tier="creator")
    async with running((eziox_env(settings), ())) as (server,):
        run = await run_schemathesis(
            server.url, who.keys[0][1], MAX_EXAMPLES, "--checks", "all",
            "--phases", "examples,coverage,fuzzing,stateful",
        )  # fmt: skip
    print(f"schemathesis, full key: {run.generated} cases")
    CASES.append(run.generated)
    run.assert_clean()
    assert run.generated >= 500, run.summary()
    assert re.search(r"✅ Stateful", run.output), run.summary()


def _operations_needing(schema: dict[str, object], permission: str) -> list[str]:
    ids = []
    for path, operations in schema["paths"].items():  # type: ignore[attr-defined]
        for operation in operations.values():
            scopes = {s for r in operation.get("security", ()) for v in r.values() for s in v}
            if path.startswith("/v1") and permission in scopes:
                ids.append(operation["operationId"])
    return ids


@pytest.mark.slow
async def test_keys_lacking_each_permission_are_refused_everywhere_it_is_needed(
    settings: Settings,
) -> None:
    owners = {
        p: await provision(
            settings,
            f"np{secrets.token_hex(4)}",
            tier="creator",
            permissions=",".join(q for q in Permission if q != p),
        )
        for p in Permission
    }
    async with running((eziox_env(settings), ())) as (server,):
        async with http_client(server.url) as client:
            schema = (await client.get("/openapi.json")).json()
        gate = asyncio.Semaphore(3)

        async def without(permission: Permission) -> tuple[Permission, Run]:
            filters = [
                arg
                for op in _operations_needing(schema, permission)
                for arg in ("--include-operation-id", op)
            ]
            assert filters, f"no operation needs {permission}"
            async with gate:
                return permission, await run_schemathesis(
                    server.url, owners[permission].keys[0][1], MISSING_EXAMPLES,
                    "--checks", REFUSAL_CHECKS, "--phases", MISSING_PHASES, "--warnings", "off",
                    *filters, missing=permission.value,
                )  # fmt: skip

        runs = await asyncio.gather(*(without(p) for p in Permission))
    total = sum(run.generated for _, run in runs)
    print(f"schemathesis, keys lacking one permission: {total} cases")
    CASES.append(total)
    for permission, run in runs:
        print(f"  without {permission}: {run.generated} cases")
        run.assert_clean()
        assert run.generated > 0, run.summary()
    if FUZZING and len(CASES) == 2:
        assert sum(CASES) >= FUZZ_MINIMUM, CASES
