"""Settings of the labelling service (env prefix ``LABELLING_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cap_labelling.rules import LifecycleRules, Notices
from cap_shared.contracts.schemes import SchemeSettings
from cap_shared.settings import BaseServiceSettings


class Settings(SchemeSettings, BaseServiceSettings):
    """Labelling service settings; defaults are the standalone topology's."""

    model_config = SettingsConfigDict(
        env_prefix="LABELLING_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    service_name: str = "labelling"
    database_url: str = "sqlite+aiosqlite:///var/labelling.db"
    port: int = 8003
    #: A completed CAP diagnostic this recent makes a structure eligible to apply.
    eligibility_window_months: int = Field(default=24, ge=1, le=120)
    #: When people are told ahead of an expiry or a surveillance (JSON to override).
    notices: Notices = Field(default_factory=Notices)
    #: Group rule: ``all_members`` — one member failing means the group is not recognised;
    #: ``exclude_failing`` — the failing members are left out of the recognition.
    group_rule: Literal["all_members", "exclude_failing"] = "all_members"
    #: How long registry answers may be cached (by the gateway and by browsers), in seconds.
    registry_max_age_s: int = Field(default=60, ge=0, le=3600)

    @property
    def lifecycle(self) -> LifecycleRules:
        """The schemes' parameters (``CAP_SCHEME_PARAMETERS_DIR``) and the notice days."""
        return LifecycleRules(self.all_scheme_parameters(), self.notices)
