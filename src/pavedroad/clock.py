"""Today's date, injectable: PAVED_TODAY=YYYY-MM-DD fixes it (tests, reproducible reports)."""

from __future__ import annotations

import datetime as dt
import os

from pavedroad.errors import UserError


def today() -> dt.date:
    """Return today's date, or the date in PAVED_TODAY when set."""
    fixed = os.environ.get("PAVED_TODAY")
    if not fixed:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(fixed)
    except ValueError:
        raise UserError(f"PAVED_TODAY={fixed!r}: not a date; use YYYY-MM-DD") from None


def now() -> dt.datetime:
    """Return the current time in UTC, or the instant in PAVED_NOW (ISO 8601) when set."""
    fixed = os.environ.get("PAVED_NOW")
    if not fixed:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        parsed = dt.datetime.fromisoformat(fixed)
    except ValueError:
        raise UserError(
            f"PAVED_NOW={fixed!r}: not a time; use ISO 8601, e.g. 2026-01-15T09:30:00Z"
        ) from None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
