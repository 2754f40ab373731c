"""FastAPI dependencies of the audit service's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cap_audit.config import Settings


def settings_of(request: Request) -> Settings:
    """The settings of the runtime serving this request (injected in tests, never re-read)."""
    settings = request.app.state.runtime.settings
    assert isinstance(settings, Settings)
    return settings


SettingsDep = Annotated[Settings, Depends(settings_of)]
