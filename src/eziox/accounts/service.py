"""What accounts do: sign up, show and edit the profile, change tier, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from eziox.accounts import passwords, rules, socials
from eziox.accounts.repository import AccountRepository
from eziox.accounts.schemas import ProfileUpdate
from eziox.accounts.views import show_profile
from eziox.billing.entitlements import Tier, parse_tier
from eziox.db import mark_keys_changed
from eziox.errors import Conflict, NotFound, ValidationFailed
from eziox.kit.ids import new_user_id
from eziox.kit.text import NAME_PATTERN, PATTERN_MESSAGES, has_control, is_shown_name
from eziox.models import Account
from eziox.templates import service as templates
from eziox.webhooks import emit
from eziox.webhooks.events import EventType

_NOT_NULL = ("name", "bio", "theme")


def _validated(field: str, check: Any, value: str) -> str:
    try:
        return str(check(value))
    except ValueError as exc:
        raise ValidationFailed.field(field, str(exc)) from None


async def _hashed(field: str, password: str) -> str:
    try:
        return await passwords.hash_password(password)
    except ValueError as exc:
        raise ValidationFailed.field(field, str(exc)) from None


async def create_account(
    session: AsyncSession,
    *,
    username: str,
    email: str,
    password: str,
    tier: str = Tier.FREE,
    name: str = "",
) -> Account:
    """Create an account; bad input → ValidationFailed, a taken username/email → Conflict."""
    username = _validated("username", rules.normalize_username, username)
    email = _validated("email", rules.normalize_email, email)
    tier = _validated("tier", parse_tier, tier)
    name = name.strip()
    if len(name) > 100 or not is_shown_name(name):
        raise ValidationFailed.field(
            "name", f"must be at most 100 characters; {PATTERN_MESSAGES[NAME_PATTERN]}"
        )
    # Hashed before the first query: on SQLite the write turn is not held meanwhile.
    password_hash = await _hashed("password", password)
    repository = AccountRepository(session)
    username_taken, email_taken = await repository.taken(username, email)
    if username_taken:
        raise Conflict(f"The username '{username}' is already taken.")
    if email_taken:
        raise Conflict("An account with this email already exists.")
    account = Account(
        id=new_user_id(),
        username=username,
        email=email,
        password_hash=password_hash,
        tier=tier,
        name=name or username,
    )
    await repository.add(account)
    return account


async def get_account(session: AsyncSession, account_id: str) -> Account:
    account = await AccountRepository(session).get(account_id)
    if account is None:
        raise NotFound("Account not found.")
    return account


async def find_by_username(session: AsyncSession, username: str) -> Account:
    account = await AccountRepository(session).by_username(username.strip().lower())
    if account is None:
        raise NotFound(f"No account named '{username}'.")
    return account


async def update_profile(session: AsyncSession, account_id: str, update: ProfileUpdate) -> Account:
    """Apply the fields present in ``update``; premium themes and designs need a paid tier."""
    for field in _NOT_NULL:
        if field in update.model_fields_set and getattr(update, field) is None:
            raise ValidationFailed.field(field, "must not be null")
    account = await AccountRepository(session).get(account_id, lock=True)
    if account is None:
        raise NotFound("Account not found.")
    for field, value in _changes(update, account.tier).items():
        setattr(account, field, value)
    await session.flush()
    await emit(
        session, account_id, EventType.PROFILE_UPDATED, lambda: show_profile(session, account)
    )
    return account


async def apply_template(session: AsyncSession, account_id: str, template_id: str) -> Account:
    """Set the profile's theme to the template and clear its design overrides; links untouched.

    Overrides are cleared so that the page looks exactly like the template's preview; keeping
    them would silently repaint the new template with the old one's colours. Re-add overrides
    with PATCH /v1/profile.
    """
    template = templates.get_template(template_id)
    account = await AccountRepository(session).get(account_id, lock=True)
    if account is None:
        raise NotFound("Account not found.")
    templates.ensure_template_allowed(template, account.tier)
    account.theme = template.id
    account.design = None
    await session.flush()
    await emit(
        session, account_id, EventType.TEMPLATE_APPLIED, lambda: show_profile(session, account)
    )
    return account


def _changes(update: ProfileUpdate, tier: str) -> dict[str, Any]:
    """The fields to set; a premium theme or design overrides need a tier that includes them."""
    changes = {field: getattr(update, field) for field in update.model_fields_set}
    if "theme" in changes:
        templates.ensure_template_allowed(templates.get_template(changes["theme"]), tier)
    if "socials" in changes:
        changes["socials"] = socials.stored(changes["socials"])
    if "design" in changes:
        changes["design"] = templates.stored_design(changes["design"])
        if changes["design"] is not None:
            templates.ensure_design_allowed(tier)
    return changes


async def find_login(session: AsyncSession, login: str) -> Account | None:
    """The account whose username or email is ``login`` (what a sign-in form names)."""
    login = login.strip().lower()
    return None if has_control(login) else await AccountRepository(session).by_login(login)


async def password_matches(account: Account | None, password: str) -> bool:
    """Whether ``password`` is the account's; no account costs the same time and fails."""
    return await passwords.verify_password(account.password_hash if account else None, password)


async def authenticate(session: AsyncSession, login: str, password: str) -> Account | None:
    """The account whose username or email is ``login`` and whose password matches."""
    account = await find_login(session, login)
    return account if await password_matches(account, password) else None


async def _check_current_password(account: Account, password: str, field: str) -> None:
    if not await passwords.verify_password(account.password_hash, password):
        raise ValidationFailed.field(field, "is not your current password")


async def change_email(
    session: AsyncSession, account_id: str, email: str, password: str
) -> Account:
    """Change the sign-in email; it takes the current password, so that a borrowed or stolen
    session alone cannot move the account's address to someone else."""
    account = await get_account(session, account_id)
    # Checked first: without the password, nobody learns whether an address is taken either.
    await _check_current_password(account, password, "password")
    email = _validated("email", rules.normalize_email, email)
    if email != account.email:
        _, taken = await AccountRepository(session).taken("", email)
        if taken:
            raise Conflict("An account with this email already exists.")
        account.email = email
        await session.flush()
    return account


async def change_password(
    session: AsyncSession, account_id: str, current: str, new: str
) -> Account:
    """Change the password after checking the current one (the caller ends other sessions)."""
    account = await get_account(session, account_id)
    await _check_current_password(account, current, "current_password")
    account.password_hash = await _hashed("new_password", new)
    await session.flush()
    return account


async def set_tier(session: AsyncSession, username: str, tier: str) -> Account:
    """Change an account's tier; every process sees the new limits on its next request."""
    new_tier = _validated("tier", parse_tier, tier)
    account = await find_by_username(session, username)
    account.tier = new_tier
    await session.flush()
    mark_keys_changed(session)
    return account


async def delete_account(session: AsyncSession, account_id: str) -> None:
    """Delete the account and every row it owns; its keys stop working at once."""
    if not await AccountRepository(session).delete(account_id):
        raise NotFound("Account not found.")
    mark_keys_changed(session)
