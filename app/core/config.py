"""Settings from `APOLOGISMOS_*` environment variables or a `.env` file."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APOLOGISMOS_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./apologismos.db"
    secret_key: str = DEV_SECRET
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Login throttling: this many failures for one username (or one client address) within the
    # window refuse further attempts with 429 until the window has passed.
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # How long `apologismos serve` keeps an idle client connection open. Longer than what a
    # client or a reverse proxy waits before it reuses an idle connection (nginx 60-75 s, cloud
    # load balancers 60 s, httpx 5 s): with uvicorn's 5 s, the server closes a connection at the
    # moment the client sends its next request on it, and that request fails.
    keep_alive_seconds: int = Field(default=75, ge=1, le=3600)
    # Uploaded workbooks: the file itself, what it may inflate to, rows per sheet, and the
    # memory of the child process that parses it.
    max_upload_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_inflated_bytes: int = Field(default=200 * 1024 * 1024, ge=1024 * 1024)
    max_rows: int = Field(default=50_000, ge=10)
    parser_memory_mb: int = Field(default=1024, ge=128)
    cors_origins: list[str] = []
    # argon2 parameters; the defaults follow OWASP's recommendation for argon2id.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=1024)
    sql_echo: bool = False
    # Deadlines are days in the municipality's time zone: "late" is judged there.
    timezone: str = "Europe/Athens"

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.environment != "development" and self.secret_key == DEV_SECRET:
            raise ValueError(
                "APOLOGISMOS_SECRET_KEY must be set outside development "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if len(self.secret_key) < 32:
            raise ValueError("APOLOGISMOS_SECRET_KEY must be at least 32 characters long")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
