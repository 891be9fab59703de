"""Keep one issue "Exception review YYYY-MM" current with the monthly exception review.

Found by its label `pavedroad-review` and its exact title (every state, every page), created
once a month and updated after; a closed one is updated, not reopened: closing it is how the
platform team says the month's review is done.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from pavedroad.deliver import targets
from pavedroad.deliver.platform import connect, parse_platform
from pavedroad.deliver.tickets import display_key
from pavedroad.errors import UserError

LABEL = "pavedroad-review"
LIMITS = {"github": 65_536, "gitlab": 1_000_000, "jira": 32_767}


def title_for(day: dt.date) -> str:
    """Return the issue title of the month `day` falls in."""
    return f"Exception review {day:%Y-%m}"


def post_review(
    body: str,
    fmt: str,
    *,
    day: dt.date,
    platform: str | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """Create or update the month's review issue; return what was done, for the user."""
    if fmt != "markdown":
        raise UserError(f"--post-issue: posts Markdown; pass --format markdown (not {fmt})")
    conn = connect(parse_platform(platform), os.environ if env is None else env)
    title = title_for(day)
    try:
        tracker = targets.tracker(conn)
        text = _fit(body, LIMITS[conn.platform])
        same = [t for t in tracker.list(LABEL) if t.title == title]
        if not same:
            made = tracker.create(title, text, (LABEL,))
            return f"created issue {display_key(made.key)} {title!r}"
        issue = next((t for t in same if t.is_open), same[0])
        if issue.body.strip() == text.strip():
            return f"issue {display_key(issue.key)} {title!r} is already current"
        tracker.update(issue, title, text)
        return f"updated issue {display_key(issue.key)} {title!r}"
    finally:
        conn.client.close()


def _fit(body: str, limit: int) -> str:
    notice = "\n\n_…truncated; run `paved exceptions review --format markdown` for all of it._"
    if len(body) <= limit - 64:
        return body
    keep = body[: limit - 64 - len(notice)]
    return keep[: keep.rfind("\n")] + notice
