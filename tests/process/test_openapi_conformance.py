"""Schemathesis against a live server: the OpenAPI document describes exactly what it does.

All of schemathesis' checks (server errors, status codes, content types, response schemas
and headers, positive and negative data, methods, auth…) over every /v1 operation, with a
bounded number of examples so that it fits in `make test`; `make fuzz` runs many more.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sys
from pathlib import Path

import pytest

from eziox.config import Settings
from tests.process.servers import eziox_env, provision, running

MAX_EXAMPLES = int(os.environ.get("EZIOX_FUZZ_EXAMPLES", "25"))
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))


async def run_schemathesis(url: str, key: str, max_examples: int) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        SCHEMATHESIS,
        "run",
        f"{url}/openapi.json",
        "--header",
        f"Authorization: Bearer {key}",
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=600)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return int(process.returncode or 0), output.decode("utf-8", "replace")


@pytest.mark.slow
async def test_live_server_conforms_to_its_openapi_document(settings: Settings) -> None:
    who = await provision(settings, f"st{secrets.token_hex(4)}", tier="creator")
    async with running((eziox_env(settings), ())) as (server,):
        code, text = await run_schemathesis(server.url, who.keys[0][1], MAX_EXAMPLES)
    cases = re.search(r"(\d+) generated, (\d+) passed", text)
    print(f"schemathesis: {cases.group(0) if cases else 'no summary'}")
    assert code == 0, text[-6000:]
    assert cases is not None, text[-2000:]
    assert int(cases.group(1)) >= 500, cases.group(0)
    assert "No issues found" in text
