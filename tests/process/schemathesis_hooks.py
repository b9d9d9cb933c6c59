"""Schemathesis checks of our own, loaded with SCHEMATHESIS_HOOKS (see test_openapi_conformance).

`refused_without_permission`: when the key lacks EZIOX_FUZZ_MISSING, every operation whose
OpenAPI `security` scopes name that permission must answer 403 FORBIDDEN naming it (or a
refusal the gate makes before it looks at permissions: 401 when the coverage phase sends no
or a broken key, 413/415 for bodies it will not read; and 422 for a body that is not JSON
at all, which FastAPI refuses while reading it, before dependencies run; and 404/422 for
control codes in the path or query, which the outermost middleware refuses first; and the
422/409 of a malformed or reused `Idempotency-Key`, refused before routing), and every
other operation must never answer 403 for it.

`iana-time-zone`, the format of the analytics `tz` parameter: drawn from the IANA zone names
(the server accepts each of them, tests/test_openapi.py checks), so positive data is a zone
the server knows; a format schemathesis does not know would be any string.
"""

from __future__ import annotations

import os
import re
import uuid
from typing import Any
from zoneinfo import available_timezones

import schemathesis
from hypothesis import strategies as st

BEFORE_ROUTING = {401, 413, 415}
_CONTROL = re.compile(r"%(?:[01][0-9a-fA-F]|7[fF])|[\x00-\x1f\x7f]")

schemathesis.openapi.format(
    "iana-time-zone", st.sampled_from(sorted(available_timezones() - {"Factory", "localtime"}))
)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    phase = getattr(getattr(case, "meta", None), "phase", None)
    if getattr(phase, "name", None) != "stateful" or not case.headers:
        return
    for name in list(case.headers):
        if name.lower() == "idempotency-key":
            case.headers[name] = str(uuid.uuid4())


def _scopes(definition: Any) -> set[str]:
    scopes: set[str] = set()
    for requirement in definition.get("security") or ():
        for names in requirement.values():
            scopes.update(names)
    return scopes


def _idempotency_refusal(response: Any) -> bool:
    if response.status_code not in (409, 422):
        return False
    return "Idempotency-Key" in response.text


def _not_json(response: Any) -> bool:
    if response.status_code != 422:
        return False
    details = response.json()["error"].get("details") or []
    return bool(details) and all("not valid JSON" in d["message"] for d in details)


@schemathesis.check
def refused_without_permission(ctx: Any, response: Any, case: Any) -> bool | None:
    missing = os.environ.get("EZIOX_FUZZ_MISSING")
    if not missing or not case.path.startswith("/v1"):
        return None
    if case.method.upper() != case.operation.method.upper():
        return None  # the coverage phase's unexpected methods: 405, checked elsewhere
    needed = missing in _scopes(case.operation.definition.raw)
    status = response.status_code
    if needed:
        if status in BEFORE_ROUTING or _not_json(response) or _idempotency_refusal(response):
            return None
        if status in (404, 422) and _CONTROL.search(str(response.request.url)):
            return None
        if status != 403:
            raise AssertionError(f"{case.operation.label} without {missing}: {status}, not 403")
        error = response.json()["error"]
        if error["code"] != "FORBIDDEN" or missing not in error["message"]:
            raise AssertionError(f"403 without the envelope naming {missing}: {error}")
    elif status == 403 and missing in response.text:
        raise AssertionError(f"{case.operation.label} does not need {missing} but refused it")
    return None
