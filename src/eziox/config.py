"""Settings, read once from the environment (prefix ``EZIOX_``); bad values fail fast."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, FilePath, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE_NAME = "eziox-secret.key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EZIOX_", extra="ignore", frozen=True)

    data_dir: Path = Field(default=Path("."), description="Where the SQLite file and secret live")
    database_url: str = ""
    redis_url: str | None = None
    redis_prefix: str = Field(default="eziox", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    secret_key: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    db_pool_size: int = Field(default=10, ge=1, le=200)

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    body_timeout: float = Field(
        default=30.0, gt=0, le=600, description="Seconds a client may take to send a body"
    )
    auth_failure_limit: int = Field(default=30, ge=1, description="Failed API auths per IP")
    auth_failure_window: int = Field(default=600, ge=1, description="Seconds")
    sign_up_limit: int = Field(default=10, ge=1, description="Sign-up attempts per IP per hour")
    rate_limit_window: int = Field(default=3600, ge=1, description="Seconds; the SPEC says 1 h")
    key_cache_size: int = Field(default=10_000, ge=0)
    usage_flush_interval: float = Field(
        default=10.0, gt=0, le=300, description="Seconds between writes of API key usage counts"
    )
    last_used_interval: int = Field(
        default=60, ge=0, description="Seconds between last-used writes"
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per line (request id, route, status…)"
    )
    metrics_token: str | None = Field(
        default=None, description="When set, /metrics wants `Authorization: Bearer <token>`"
    )
    country_header: str | None = Field(
        default=None,
        description="Trusted proxy header with the visitor's country, e.g. CF-IPCountry",
    )
    page_cdn_ttl: int = Field(default=0, ge=0, le=3600, description="s-maxage on bio pages")
    page_cache_size: int = Field(
        default=2000, ge=1, description="Rendered bio pages kept in memory per process"
    )
    rollup_interval: float = Field(default=1.0, gt=0, le=60)

    webhook_allow_http: bool = Field(default=False, description="Allow http:// endpoints (dev)")
    webhook_allow_private: bool = Field(
        default=False, description="Allow endpoints on private, loopback or link-local addresses"
    )
    webhook_worker: bool = Field(
        default=True, description="Run the delivery worker inside `eziox serve`"
    )
    webhook_poll_interval: float = Field(default=1.0, gt=0, le=60)
    webhook_timeout: float = Field(default=10.0, gt=0, le=60, description="Seconds per attempt")
    webhook_lease: float = Field(
        default=60.0, gt=0, le=3600, description="Seconds a claimed batch stays claimed"
    )
    webhook_batch_size: int = Field(default=20, ge=1, le=500)

    smtp_url: str | None = Field(
        default=None,
        description="smtp://, smtp+starttls:// or smtps://[user:password@]host[:port]; "
        "unset: every mail is written to the log instead",
    )
    smtp_ca_file: FilePath | None = Field(
        default=None,
        description="PEM file of the CAs that may sign the SMTP server's certificate "
        "(default: the system's)",
    )
    mail_from: str | None = Field(
        default=None, description="From header; default Eziox <no-reply@HOST of the public URL>"
    )
    mail_worker: bool = Field(default=True, description="Run the mail worker inside `serve`")
    mail_poll_interval: float = Field(default=1.0, gt=0, le=60)
    mail_timeout: float = Field(default=30.0, gt=0, le=300, description="Seconds per attempt")
    mail_lease: float = Field(
        default=300.0, gt=0, le=3600, description="Seconds a claimed batch stays claimed"
    )
    mail_batch_size: int = Field(default=10, ge=1, le=200)
    mail_max_attempts: int = Field(default=8, ge=1, le=50)

    dns_nameservers: str | None = Field(
        default=None,
        description="Resolvers for custom-domain checks, e.g. 127.0.0.1:5353,9.9.9.9 "
        "(default: the system's)",
    )
    dns_timeout: float = Field(default=5.0, gt=0, le=60, description="Seconds per DNS check")

    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_webhook_tolerance: int = Field(default=300, ge=1, le=3600)
    stripe_price_pro: str | None = None
    stripe_price_creator: str | None = None
    stripe_price_lifetime: str | None = None
    stripe_api_base: str | None = Field(default=None, description="Only for tests and proxies")

    @property
    def stripe_prices(self) -> dict[str, str]:
        """Configured Stripe price id -> tier."""
        pairs = {
            self.stripe_price_pro: "pro",
            self.stripe_price_creator: "creator",
            self.stripe_price_lifetime: "lifetime",
        }
        return {price: tier for price, tier in pairs.items() if price}

    @property
    def billing_enabled(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_prices)

    @model_validator(mode="after")
    def _check_webhook_lease(self) -> Settings:
        if self.webhook_lease <= self.webhook_timeout:
            raise ValueError("EZIOX_WEBHOOK_LEASE must be longer than EZIOX_WEBHOOK_TIMEOUT")
        return self

    @model_validator(mode="after")
    def _check_mail_lease(self) -> Settings:
        if self.mail_lease <= self.mail_timeout:
            raise ValueError("EZIOX_MAIL_LEASE must be longer than EZIOX_MAIL_TIMEOUT")
        return self

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        parse_smtp_url(value)  # raises ValueError saying what is wrong
        return value.strip()

    @property
    def smtp(self) -> SmtpTarget | None:
        """Where mail goes; None: mail is written to the log."""
        return parse_smtp_url(self.smtp_url) if self.smtp_url else None

    @property
    def sender(self) -> str:
        """The From header of every mail."""
        if self.mail_from:
            return self.mail_from
        host = urlsplit(self.public_url).hostname or "localhost"
        if not any(c.isalpha() for c in host):  # an IP address is no mail domain
            host = "localhost"
        return f"Eziox <no-reply@{host}>"

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "EZIOX_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return value

    @field_validator("dns_nameservers")
    @classmethod
    def _check_dns_nameservers(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        for server in value.split(","):
            parse_nameserver(server)  # raises ValueError naming the bad entry
        return value

    @property
    def nameservers(self) -> list[tuple[str, int]]:
        """EZIOX_DNS_NAMESERVERS as (address, port) pairs; empty: use the system's."""
        return [parse_nameserver(s) for s in (self.dns_nameservers or "").split(",") if s]

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value == "":
            return None
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("EZIOX_REDIS_URL must start with redis://, rediss:// or unix://")
        return value

    @property
    def db_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'eziox.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @cached_property
    def secret(self) -> str:
        """The server secret: from the environment, else generated once into the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_FILE_NAME
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{SECRET_FILE_NAME}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            # link() is atomic and refuses to overwrite: concurrent workers agree on one secret.
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text().strip()


def parse_nameserver(entry: str) -> tuple[str, int]:
    """``"127.0.0.1:5353"``, ``"9.9.9.9"`` or ``"[::1]:53"`` as (address, port)."""
    text = entry.strip()
    host, port = text, "53"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        raise ValueError(
            f"EZIOX_DNS_NAMESERVERS: {entry!r} is not an IP address with an optional :port"
        ) from None
    if not 0 < number < 65536:
        raise ValueError(f"EZIOX_DNS_NAMESERVERS: port {number} in {entry!r} is out of range")
    return host, number


Security = Literal["plain", "starttls", "tls"]
SMTP_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}
_SMTP_FORMS = "smtp://host:port, smtp+starttls://host:port or smtps://host:port"


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    security: Security
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    """EZIOX_SMTP_URL as a target; ValueError says what is wrong (never the password)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SMTP_SCHEMES:
        raise ValueError(f"EZIOX_SMTP_URL must look like {_SMTP_FORMS} (optionally user:password@)")
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"EZIOX_SMTP_URL needs a host and nothing after it: {_SMTP_FORMS}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("EZIOX_SMTP_URL: the port must be a number from 1 to 65535") from None
    security, default_port = SMTP_SCHEMES[parts.scheme]
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return SmtpTarget(security, parts.hostname, port or default_port, user, password)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]
