"""API shapes of the mail log."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

EmailStatus = Literal["pending", "sending", "sent", "failed"]


class EmailPublic(BaseModel):
    """One line of the mail log."""

    id: str
    user_id: str
    to_address: str
    kind: str
    event_type: str | None
    event_id: str | None
    subject: str | None
    status: str
    attempts: int
    last_error: str | None
    message_id: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
