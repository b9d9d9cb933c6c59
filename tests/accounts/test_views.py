"""The profile view builds what the `Profile` model declares for OpenAPI: same keys, same
order (the nested stats too)."""

from __future__ import annotations

from datetime import UTC, datetime

from eziox.accounts.views import Profile, ProfileStats, profile_view
from eziox.models import Account
from tests.factories import Caller


def test_the_view_has_the_models_fields_in_order() -> None:
    account = Account(
        id="usr_1",
        username="ada",
        email="ada@example.com",
        password_hash="x",
        tier="free",
        name="Ada",
        bio="Hi",
        avatar=None,
        banner=None,
        theme="eziox-default",
        design=None,
        socials=[{"platform": "github", "value": "ada"}],
        created_at=datetime(2026, 1, 1, 12, tzinfo=UTC),
    )
    shown = profile_view(account, {"views": 1, "followers": 2, "following": 3}, links=4)

    assert list(shown) == list(Profile.model_fields)
    assert Profile.model_validate(shown).model_dump(mode="json") == shown


async def test_the_stats_have_the_models_fields_in_order(caller: Caller) -> None:
    shown = (await caller.get("/v1/profile")).json()

    assert list(shown["stats"]) == list(ProfileStats.model_fields)
