"""SQLAlchemy models, one table (or one family of tables) per module.

Models never import domain packages.
"""

from eziox.models.account import Account
from eziox.models.api_key import ApiKey
from eziox.models.base import Base
from eziox.models.billing import BillingCustomer, StripeEvent
from eziox.models.domain import Domain
from eziox.models.event import CLICK, EVENTS, VIEW, Event, EventBatch, EventInbox
from eziox.models.follow import Follow
from eziox.models.idempotency_key import IdempotencyKey
from eziox.models.key_usage import KeyUsage
from eziox.models.link import Link, LinkGroup
from eziox.models.mail import OutgoingMail
from eziox.models.password_reset import PasswordReset
from eziox.models.stats import (
    ACCOUNT_ROW,
    Counter,
    DailyDimension,
    DailyVisitor,
    HourlyStat,
    VisitorSalt,
)
from eziox.models.web_session import WebSession
from eziox.models.webhook import WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "ACCOUNT_ROW",
    "CLICK",
    "EVENTS",
    "VIEW",
    "Account",
    "ApiKey",
    "Base",
    "BillingCustomer",
    "Counter",
    "DailyDimension",
    "DailyVisitor",
    "Domain",
    "Event",
    "EventBatch",
    "EventInbox",
    "Follow",
    "HourlyStat",
    "IdempotencyKey",
    "KeyUsage",
    "Link",
    "LinkGroup",
    "OutgoingMail",
    "PasswordReset",
    "StripeEvent",
    "VisitorSalt",
    "WebSession",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
