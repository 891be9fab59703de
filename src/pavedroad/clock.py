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
