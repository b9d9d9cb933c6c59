"""The Links tab: links with their group, schedule and sensitive flag, groups, CSV import and
the JSON export download, through the same services as /v1/links, /v1/groups and /v1/export."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from eziox.deps import app_state
from eziox.errors import ValidationFailed
from eziox.groups.schemas import GroupCreate, GroupUpdate
from eziox.groups.service import create_group, delete_group, list_groups, update_group
from eziox.kit.responses import JSONBytes
from eziox.links.schemas import LinkCreate, LinkUpdate
from eziox.links.service import create_link, delete_link, list_links, update_link
from eziox.portability.service import export_account
from eziox.web.dashboard.forms import form_action, optional_text, validated
from eziox.web.dashboard.page import sign_in_first, tab_view
from eziox.web.sessions import SignedIn, current_user

router = APIRouter(prefix="/profile", include_in_schema=False)
TAB = "links"
MAX_CSV_ROWS = 500

NOTICES = {
    "welcome": "Welcome! Add your first links below.",
    "link-added": "Link added.",
    "link-updated": "Link updated.",
    "link-deleted": "Link deleted.",
    "group-added": "Group added.",
    "group-updated": "Group updated.",
    "group-deleted": "Group deleted. Its links are still on your page, ungrouped.",
    "links-imported": "Links imported.",
}


async def links_and_groups(session: AsyncSession, account_id: str) -> dict[str, Any]:
    """Every link of the account (shown or not) and its groups, as the forms list them."""
    links = await _all_links(session, account_id)
    groups = await list_groups(session, account_id)
    return {
        "links": links,
        "groups": [{"id": g.id, "title": g.title, "order": g.position} for g in groups],
    }


async def _all_links(session: AsyncSession, account_id: str) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = []
    while True:
        page = await list_links(session, account_id, limit=100, offset=len(links), active=None)
        links.extend(page.links)
        if len(links) >= page.total or not page.links:
            return links


@tab_view(TAB, NOTICES)
async def links_tab(request: Request, user: SignedIn) -> dict[str, Any]:
    async with app_state(request).db.session() as session:
        return await links_and_groups(session, user.account.id)


@form_action(router, "/links", tab=TAB)
async def add_link(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
    data = validated(
        LinkCreate,
        {
            "title": form.get("title", "").strip(),
            "url": form.get("url", "").strip(),
            "description": optional_text(form.get("description")),
            **_link_extras(form),
        },
    )
    await create_link(session, user.account.id, data)
    return "link-added"


@form_action(router, "/links/{link_id}", tab=TAB)
async def edit_link(
    session: AsyncSession, user: SignedIn, form: dict[str, str], link_id: str
) -> str:
    fields: dict[str, Any] = {}
    if "title" in form:
        fields = {
            "title": form["title"].strip(),
            "url": form.get("url", "").strip(),
            "description": optional_text(form.get("description")),
            **_link_extras(form),
        }
    if "toggle" in form:
        fields["isActive"] = form["toggle"] == "on"
    if "order" in form:
        fields["order"] = _whole_number(form["order"])
    await update_link(session, user.account.id, link_id, validated(LinkUpdate, fields))
    return "link-updated"


def _link_extras(form: dict[str, str]) -> dict[str, Any]:
    """Group, schedule (datetime-local inputs, read as UTC) and sensitive from a link form."""
    extras: dict[str, Any] = {}
    if "group" in form:
        extras["groupId"] = optional_text(form["group"])
    for name, field in (("starts_at", "startsAt"), ("ends_at", "endsAt")):
        if name in form:
            value = optional_text(form[name])
            if value and len(value) in (16, 19):  # a browser's 2026-01-01T12:00[:30]
                value += ":00Z" if len(value) == 16 else "Z"
            extras[field] = value
    if "sensitive_shown" in form:
        extras["sensitive"] = form.get("sensitive") == "on"
    return extras


def _whole_number(order: str) -> int:
    """A position typed in an order field."""
    if not order.isdigit():
        raise ValidationFailed.field("order", "must be a whole number")
    return int(order)


@form_action(router, "/links/{link_id}/delete", tab=TAB)
async def remove_link(
    session: AsyncSession, user: SignedIn, form: dict[str, str], link_id: str
) -> str:
    await delete_link(session, user.account.id, link_id)
    return "link-deleted"


@form_action(router, "/groups", tab=TAB)
async def add_group(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
    data = validated(GroupCreate, {"title": form.get("group_title", "").strip()})
    await create_group(session, user.account.id, data)
    return "group-added"


@form_action(router, "/groups/{group_id}", tab=TAB)
async def edit_group(
    session: AsyncSession, user: SignedIn, form: dict[str, str], group_id: str
) -> str:
    fields: dict[str, Any] = {}
    if "group_title" in form:
        fields["title"] = form["group_title"].strip()
    if "order" in form:
        fields["order"] = _whole_number(form["order"])
    await update_group(session, user.account.id, group_id, validated(GroupUpdate, fields))
    return "group-updated"


@form_action(router, "/groups/{group_id}/delete", tab=TAB)
async def remove_group(
    session: AsyncSession, user: SignedIn, form: dict[str, str], group_id: str
) -> str:
    await delete_group(session, user.account.id, group_id)
    return "group-deleted"


def csv_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, {title, url}) per data row; a first row `title,url` is a header."""
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if number == 1 and [c.strip().lower() for c in row[:2]] == ["title", "url"]:
            continue
        cells = [cell.strip() for cell in row]
        rows.append((number, {"title": cells[0], "url": cells[1] if len(cells) > 1 else ""}))
    return rows


@form_action(router, "/links-import", tab=TAB, uploads=True)
async def import_csv(
    session: AsyncSession, user: SignedIn, form: dict[str, str], request: Request
) -> str:
    """Add links from CSV (title,url): all rows or, when any row is wrong, none of them."""
    text = form.get("csv", "")
    upload = (await request.form()).get("file")
    if upload is not None and not isinstance(upload, str):
        raw = await upload.read(1_000_001)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed.field("file", "must be a UTF-8 CSV file") from None
    rows = csv_rows(text)
    if not rows:
        raise ValidationFailed.field("csv", "has no rows: one `title,url` per line")
    if len(rows) > MAX_CSV_ROWS:
        raise ValidationFailed.field("csv", f"has more than {MAX_CSV_ROWS} rows")
    valid, errors = [], []
    for number, row in rows:
        try:
            valid.append(validated(LinkCreate, row))
        except ValidationFailed as exc:
            for detail in exc.details:
                errors.append((number, f"{detail['field']} {detail['message']}"))
    if errors:
        raise ValidationFailed(
            "No links were imported: fix these lines and try again.",
            details=[{"field": f"csv:{n}", "message": f"Line {n}: {m}"} for n, m in errors],
        )
    for data in valid:
        await create_link(session, user.account.id, data)
    return "links-imported"


@router.get("/export.json")
async def download_export(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return sign_in_first(request)
    async with app_state(request).db.session() as session:
        document = await export_account(session, user.account.id)
    filename = f"eziox-{user.account.username}.json"
    return JSONBytes(
        document,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
