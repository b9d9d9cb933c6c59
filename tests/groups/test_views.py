"""The group view builds what the `Group` model declares for OpenAPI: same keys, same order."""

from __future__ import annotations

from datetime import UTC, datetime

from eziox.groups.views import Group, GroupList, group_list_view, group_view
from eziox.models import LinkGroup


def test_the_view_has_the_models_fields_in_order() -> None:
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC)
    group = LinkGroup(
        id="grp_1",
        account_id="usr_1",
        title="Music",
        position=0,
        created_at=moment,
        updated_at=moment,
    )
    shown = group_view(group)

    assert list(shown) == list(Group.model_fields)
    assert Group.model_validate(shown).model_dump(mode="json") == shown


def test_the_list_view_has_the_list_models_fields_in_order() -> None:
    shown = group_list_view([])

    assert list(shown) == list(GroupList.model_fields)
