"""Settings of the labelling service (env prefix ``LABELLING_``)."""

from __future__ import annotations

from pydantic import Field
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
    #: A completed CAP diagnostic this recent makes a structure eligible to apply.
    eligibility_window_months: int = Field(default=24, ge=1, le=120)
