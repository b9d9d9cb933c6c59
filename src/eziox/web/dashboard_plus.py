"""Dashboard actions for groups, schedules, socials, CSV import and the export download.

Same forms-and-services pattern as `eziox.web.dashboard` (whose helpers it uses): each action
runs in one transaction and re-renders the tab with errors, or redirects with a notice.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from eziox.accounts.schemas import ProfileUpdate
from eziox.accounts.service import update_profile
from eziox.deps import app_state
from eziox.errors import ValidationFailed
from eziox.groups.schemas import GroupCreate, GroupUpdate
from eziox.groups.service import create_group, delete_group, update_group
from eziox.kit.responses import JSONBytes
from eziox.links.schemas import LinkCreate
from eziox.links.service import create_link
from eziox.portability.service import export_account
from eziox.web.dashboard import _act, _sign_in_first, _validated
from eziox.web.links_plus_tab import SOCIAL_ROWS
from eziox.web.sessions import SignedIn, current_user

router = APIRouter(prefix="/profile", include_in_schema=False)

MAX_CSV_ROWS = 500


@router.get("/export.json")
async def download_export(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return _sign_in_first(request)
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


@router.post("/groups")
async def add_group(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        data = _validated(GroupCreate, {"title": form.get("group_title", "").strip()})
        await create_group(session, user.account.id, data)
        return "group-added"

    return await _act(request, "links", action)


@router.post("/groups/{group_id}")
async def edit_group(request: Request, group_id: str) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        fields: dict[str, Any] = {}
        if "group_title" in form:
            fields["title"] = form["group_title"].strip()
        if "order" in form:
            if not form["order"].isdigit():
                raise ValidationFailed.field("order", "must be a whole number")
            fields["order"] = int(form["order"])
        await update_group(session, user.account.id, group_id, _validated(GroupUpdate, fields))
        return "group-updated"

    return await _act(request, "links", action)


@router.post("/groups/{group_id}/delete")
async def remove_group(request: Request, group_id: str) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        await delete_group(session, user.account.id, group_id)
        return "group-deleted"

    return await _act(request, "links", action)


@router.post("/socials")
async def save_socials(request: Request) -> Response:
    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
        entries = []
        for index in range(SOCIAL_ROWS * 3):
            value = form.get(f"social_value_{index}", "").strip()
            if value:
                entries.append(
                    {"platform": form.get(f"social_platform_{index}", ""), "value": value}
                )
        update = _validated(ProfileUpdate, {"socials": entries})
        await update_profile(session, user.account.id, update)
        return "socials-saved"

    return await _act(request, "profile", action)


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


@router.post("/links-import")
async def import_csv(request: Request) -> Response:
    """Add links from CSV (title,url): all rows or, when any row is wrong, none of them."""

    async def action(session: AsyncSession, user: SignedIn, form: dict[str, str]) -> str:
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
                valid.append(_validated(LinkCreate, row))
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

    try:
        return await _act(request, "links", action)
    finally:
        await (await request.form()).close()  # an uploaded file's temporary file
