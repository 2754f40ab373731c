"""French formatting for the templates (``fmt.date(d)``, ``fmt.number(x)``...)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
_MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def _parse(value: object) -> date | datetime | None:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                return None
    return None


def date_fr(value: object) -> str:
    """``12 mars 2027`` (dates and date-times; Paris time)."""
    parsed = _parse(value)
    if parsed is None:
        return "—"
    if isinstance(parsed, datetime):
        parsed = (parsed.astimezone(PARIS) if parsed.tzinfo else parsed).date()
    return f"{parsed.day} {_MONTHS[parsed.month - 1]} {parsed.year}"


def datetime_fr(value: object) -> str:
    """``12 mars 2027 à 14 h 05`` (Paris time)."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return date_fr(value)
    local = parsed.astimezone(PARIS) if parsed.tzinfo else parsed
    return f"{date_fr(local)} à {local.hour} h {local.minute:02d}"


def number(value: object, digits: int = 0) -> str:
    """``1 234,5`` (French separators); ``—`` for nothing."""
    if value is None or value == "":
        return "—"
    try:
        x = float(str(value))
    except ValueError:
        return str(value)
    text = f"{x:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def percent(value: object, digits: int = 0) -> str:
    """``42 %`` from 42 (not 0.42)."""
    return "—" if value is None else f"{number(value, digits)}\u00a0%"
