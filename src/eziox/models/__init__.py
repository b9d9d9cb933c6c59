"""SQLAlchemy models, one table per module. Models never import domain packages."""

from eziox.models.account import Account
from eziox.models.api_key import ApiKey
from eziox.models.base import Base
from eziox.models.link import Link

__all__ = ["Account", "ApiKey", "Base", "Link"]
