"""Settings of the notifications service (env prefix ``NOTIFICATIONS_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from cap_shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    """Notifications service settings; defaults are the standalone topology's."""

    model_config = SettingsConfigDict(
        env_prefix="NOTIFICATIONS_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    service_name: str = "notifications"
    database_url: str = "sqlite+aiosqlite:///var/notifications.db"
    port: int = 8004
