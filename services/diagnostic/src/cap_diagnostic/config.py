"""Settings of the diagnostic service (env prefix ``DIAGNOSTIC_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cap_shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    """Diagnostic service settings; defaults are the standalone topology's."""

    model_config = SettingsConfigDict(
        env_prefix="DIAGNOSTIC_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    service_name: str = "diagnostic"
    database_url: str = "sqlite+aiosqlite:///var/diagnostic.db"
    port: int = 8001
    #: Days before a progress action's due date when a reminder (action.due_soon.v1) goes out.
    action_reminder_days: int = Field(default=7, ge=1, le=90)
