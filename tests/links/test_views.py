"""The link view builds what the `Link` model declares for OpenAPI: same keys, same order."""

from __future__ import annotations

from datetime import UTC, datetime

from eziox.links.views import Link, LinkList, link_list_view, link_view
from eziox.models import Link as LinkRow


def test_the_view_has_the_models_fields_in_order() -> None:
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC)
    row = LinkRow(
        id="lnk_1",
        account_id="usr_1",
        title="Site",
        url="https://example.com",
        description=None,
        thumbnail=None,
        is_active=True,
        position=0,
        group_id=None,
        starts_at=None,
        ends_at=None,
        sensitive=False,
        created_at=moment,
        updated_at=moment,
    )
    shown = link_view(row, clicks=3, now=moment)

    assert list(shown) == list(Link.model_fields)
    assert Link.model_validate(shown).model_dump(mode="json") == shown


def test_the_list_view_has_the_list_models_fields_in_order() -> None:
    shown = link_list_view([], 0)

    assert list(shown) == list(LinkList.model_fields)
