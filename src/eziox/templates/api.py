"""The /v1/templates routes (thin: validate, call the service, serialize once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import TypeAdapter
from starlette.responses import Response

from eziox.accounts.service import apply_template as apply_to_account
from eziox.accounts.views import Profile, show_profile
from eziox.auth.guard import TemplatesApply, TemplatesRead
from eziox.deps import DbSession
from eziox.kit.responses import JSONBytes
from eziox.openapi import error_responses
from eziox.templates import service
from eziox.templates.schemas import CATEGORIES, Template, TemplateList

router = APIRouter(prefix="/v1/templates", tags=["Templates"])


_LIST = TypeAdapter(TemplateList)
_ONE = TypeAdapter(Template)
_CATEGORY_HELP = "Only templates of this category (any letter case): " + ", ".join(CATEGORIES)


@router.get("", response_model=TemplateList, responses=error_responses(401, 403, 422, 429))
async def list_templates(
    _: TemplatesRead,
    category: Annotated[
        str | None,
        Query(
            max_length=40, description=_CATEGORY_HELP, json_schema_extra={"enum": list(CATEGORIES)}
        ),
    ] = None,
) -> Response:
    """Every built-in template, optionally of one category; `total` counts the matches."""
    templates = service.list_templates(category)
    return JSONBytes(_LIST.dump_json(TemplateList(templates=templates, total=len(templates))))


@router.get(
    "/{template_id}", response_model=Template, responses=error_responses(401, 403, 404, 429)
)
async def get_template(_: TemplatesRead, template_id: str) -> Response:
    """One template; preview it at `/templates/{id}/preview`."""
    return JSONBytes(_ONE.dump_json(service.get_template(template_id)))


@router.post(
    "/{template_id}/apply",
    response_model=Profile,
    responses=error_responses(401, 403, 404, 429),
)
async def apply_template(
    principal: TemplatesApply, session: DbSession, template_id: str
) -> Response:
    """Use this template on your bio page: sets `theme`, clears `design`, never touches links.

    Premium templates need a tier that includes them (403 `FORBIDDEN` otherwise, naming them).
    """
    account = await apply_to_account(session, principal.account_id, template_id)
    return JSONBytes(await show_profile(session, account))
