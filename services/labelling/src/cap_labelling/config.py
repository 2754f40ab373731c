"""Settings of the labelling service (env prefix ``LABELLING_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from cap_shared.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    """Labelling service settings; defaults are the standalone topology's."""

    model_config = SettingsConfigDict(
        env_prefix="LABELLING_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    service_name: str = "labelling"
    database_url: str = "sqlite+aiosqlite:///var/labelling.db"
    port: int = 8003
