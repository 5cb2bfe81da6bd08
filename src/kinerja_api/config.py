import ipaddress
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Runtime configuration, read from `KINERJA_*` environment variables (and `.env`)."""

    model_config = SettingsConfigDict(env_prefix="KINERJA_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str | None = None
    # Role the application assumes on every connection; it must not bypass row-level security.
    db_app_role: str = "kinerja_app"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    data_dir: str = ".data"

    # Access tokens are HS256 JWTs; several keys may be configured at once for rotation.
    jwt_keys: dict[str, SecretStr] = Field(default_factory=lambda: {"dev-1": SecretStr(DEV_SECRET)})
    jwt_active_kid: str = "dev-1"
    jwt_issuer: str = "kinerja-api"
    jwt_audience: str = "kinerja-api"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=3600)
    # Signs pagination cursors so that clients cannot forge or tamper with them.
    cursor_secret: SecretStr = SecretStr(DEV_SECRET)

    docs_enabled: bool = True
    log_level: str = "INFO"
    access_log: bool = True
    idempotency_ttl_hours: int = 24
    public_body_limit_bytes: int = 16 * 1024
    # Addresses or networks of the reverse proxies whose X-Forwarded-For names the client
    # (comma-separated in KINERJA_TRUSTED_PROXIES). Empty: the socket's peer is the client,
    # so no request can pick its own address (and rate-limit bucket) with a header.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    body_limit_bytes: int = 1024 * 1024
    # Bulk imports: the largest file `POST /api/v1/imports` takes (its own body limit), and how
    # many staged rows a worker checks and writes per transaction.
    import_max_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    import_batch_rows: int = Field(default=10_000, ge=1, le=1_000_000)
    # Citizen feedback: fixed-window limits on the public endpoints, per client address and per
    # service unit, and how long an identical submission from the same address is refused.
    public_rate_window_seconds: int = Field(default=600, ge=1)
    public_rate_limit_per_address: int = Field(default=30, ge=1)
    public_rate_limit_per_unit: int = Field(default=600, ge=1)
    public_duplicate_window_seconds: int = Field(default=180, ge=0)
    complaint_due_working_days: int = Field(default=5, ge=1, le=60)
    complaint_reopen_days: int = Field(default=14, ge=0, le=365)
    # Days after a rating is locked (counted in the region's calendar) within which the rated
    # employee may object to it (keberatan).
    evaluation_objection_days: int = Field(default=14, ge=1, le=365)
    # Sync: tombstones (what left a list) are kept this long, then purged; a client whose last
    # sync is older does a full read (410 sync-window-expired).
    sync_tombstone_retention_days: int = Field(default=90, ge=1, le=3650)
    # Export jobs: a ready file is kept this long, then its chunks are purged (status expired).
    export_retention_hours: int = Field(default=72, ge=1, le=24 * 90)
    # Server-sent event streams: heartbeat interval, events a subscriber may fall behind before
    # it is disconnected (it resumes with Last-Event-ID), and how long one send may block.
    stream_ping_seconds: float = Field(default=15.0, gt=0)
    stream_queue_size: int = Field(default=256, ge=1, le=100_000)
    stream_send_timeout_seconds: float = Field(default=10.0, gt=0)
    # Jobs one worker process runs at once: webhook deliveries wait on receivers, so a slow
    # receiver must not hold the only slot.
    worker_concurrency: int = Field(default=16, ge=1, le=256)
    # Webhooks. Signing secrets are stored encrypted with a key derived from this one.
    webhook_secret_key: SecretStr = SecretStr(DEV_SECRET)
    # Hosts (comma-separated) whose addresses are not checked: a receiver on the loopback or a
    # private network that the operator vouches for. Empty in production unless deliberate.
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    webhook_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    webhook_read_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # How much of a receiver's answer is read and kept with the attempt.
    webhook_response_cap_bytes: int = Field(default=4096, ge=0, le=65536)
    # An event is retried this long after its first attempt, then marked failed.
    webhook_retry_hours: float = Field(default=24.0, gt=0, le=24 * 7)
    # A subscription whose every attempt has failed for this long is disabled.
    webhook_disable_after_days: float = Field(default=3.0, gt=0, le=90)
    # After a rotation the previous secret still signs (a second `v1=`) this long.
    webhook_secret_grace_hours: float = Field(default=24.0, ge=0, le=24 * 30)
    # Job workers: how often each tells the queue it is alive, and after how long without word
    # its running jobs count as stalled and are handed to another worker.
    job_heartbeat_seconds: float = Field(default=10.0, gt=0)
    job_stalled_seconds: float = Field(default=30.0, gt=0)

    @field_validator("trusted_proxies", "webhook_allowed_hosts", mode="before")
    @classmethod
    def _split_lists(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _proxies_are_addresses(cls, value: list[str]) -> list[str]:
        for proxy in value:
            ipaddress.ip_network(proxy)  # a ValueError names the bad entry
        return value

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> "Settings":
        if self.env != "production":
            return self
        secrets = {f"jwt_keys[{kid}]": key for kid, key in self.jwt_keys.items()}
        secrets["cursor_secret"] = self.cursor_secret
        secrets["webhook_secret_key"] = self.webhook_secret_key
        for name, secret in secrets.items():
            value = secret.get_secret_value()
            if value == DEV_SECRET or len(value) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"{name} must be set to a random secret of at least {MIN_SECRET_LENGTH} "
                    "characters in production"
                )
        if self.jwt_active_kid not in self.jwt_keys:
            raise ValueError("jwt_active_kid must name one of jwt_keys")
        if not self.database_url:
            raise ValueError("database_url is required in production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
