"""The one settings object, from PARS_* environment variables; fails fast on bad values."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.db.database import DatabaseUrl

#: `pars serve`'s default address: the public URL of a process that was not told another.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARS_", extra="ignore")

    database_url: str = "sqlite:///var/pars.sqlite"
    kafka_bootstrap: str | None = None
    secret_key: str | None = None
    mail: str = "file:var/mail"
    # The largest request body any route reads, in MB (PARS_MAX_UPLOAD_MB): counted on the bytes received.
    max_upload_mb: int = 256
    # Token lifetimes in days: provider and board tokens (used by systems), and every other role.
    system_token_days: int = 365
    token_days: int = 30
    # Where people and boards reach PARS: every mailed link is built from it, never from a request's
    # Host header (which a client chooses). Unset: the address `pars serve` was started on.
    public_url: str | None = None
    # The key that signs the CME Passport's credentials (a P-256 private key in PEM); unset: generated once
    # into issuer_key_dir/signing.pem. Retired keys' public halves stay in issuer_key_dir (adapters/credentials/keys.py).
    issuer_key: str | None = None
    issuer_key_dir: str = "var/issuer_keys"
    # Webhooks (adapters/webhooks/transport.py): private, loopback and link-local targets and plain http:// are
    # refused unless allowed (tests, a private network); retries back off from `first` seconds, doubling up to
    # `longest`, and a delivery is given up after `retry_for` seconds of failures (24 h); each call's timeout.
    webhook_allow_private: bool = False
    webhook_allow_http: bool = False
    webhook_retry_first: float = 30.0
    webhook_retry_longest: float = 3600.0
    webhook_retry_for: float = 86400.0
    webhook_timeout: float = 10.0
    webhook_workers: int = 8
    # One sender per database: the running one holds a lease it renews; another takes over after this long.
    webhook_lease: float = 15.0
    # Tests only: cheap Argon2 parameters (PARS_FAST_PASSWORD_HASHING=1), never in production.
    fast_password_hashing: bool = False

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        DatabaseUrl(value)
        return value

    @field_validator("system_token_days", "token_days")
    @classmethod
    def _days(cls, value: int) -> int:
        if not 1 <= value <= 3650:
            raise ValueError(f"PARS_SYSTEM_TOKEN_DAYS and PARS_TOKEN_DAYS must be 1 to 3650 days (got {value})")
        return value

    @field_validator("mail")
    @classmethod
    def _mail(cls, value: str) -> str:
        if not value.startswith(("file:", "smtp://")):
            raise ValueError(f"PARS_MAIL must be file:DIR or smtp://host:port (got {value!r})")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value.strip())
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.query
            or parts.fragment
            or "@" in parts.netloc
        ):
            raise ValueError(f"PARS_PUBLIC_URL must be http(s)://HOST[:PORT][/PATH] (got {value!r})")
        return value.strip().rstrip("/")

    @field_validator("kafka_bootstrap")
    @classmethod
    def _kafka(cls, value: str | None) -> str | None:
        if value and ":" not in value:
            raise ValueError(f"PARS_KAFKA_BOOTSTRAP must be host:port (got {value!r})")
        return value or None

    @field_validator(
        "webhook_retry_first", "webhook_retry_longest", "webhook_retry_for", "webhook_timeout", "webhook_lease"
    )
    @classmethod
    def _webhook_seconds(cls, value: float) -> float:
        if not 0 < value <= 30 * 86400:
            raise ValueError(
                f"PARS_WEBHOOK_RETRY_*, PARS_WEBHOOK_TIMEOUT and PARS_WEBHOOK_LEASE are seconds, above 0 (got {value})"
            )
        return value

    @field_validator("webhook_workers")
    @classmethod
    def _webhook_workers(cls, value: int) -> int:
        if not 1 <= value <= 256:
            raise ValueError(f"PARS_WEBHOOK_WORKERS must be 1 to 256 (got {value})")
        return value

    @field_validator("max_upload_mb")
    @classmethod
    def _max_upload(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"PARS_MAX_UPLOAD_MB must be a whole number of megabytes, at least 1 (got {value})")
        return value

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def public_base(self) -> str:
        """The address every outside link starts with (no trailing slash)."""
        return self.public_url or DEFAULT_PUBLIC_URL

    @property
    def db_url(self) -> DatabaseUrl:
        return DatabaseUrl(self.database_url)

    def signing_key(self) -> str:
        """PARS_SECRET_KEY, else a key generated once and kept in var/secret_key."""
        if self.secret_key:
            return self.secret_key
        path = Path("var/secret_key")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip()
