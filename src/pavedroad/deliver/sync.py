"""`paved tickets sync`: read the gate's JSON report, plan the issue changes, make them."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from pavedroad.deliver import artifact, codeowners, targets, tickets
from pavedroad.deliver.platform import connect, parse_platform
from pavedroad.deliver.tickets import Context, GroupBy
from pavedroad.errors import UserError


def parse_group_by(value: str) -> GroupBy:
    """Check a --group-by value."""
    for name in tickets.GROUPINGS:
        if value == name:
            return name
    raise UserError(f"--group-by {value!r}: use one of {', '.join(tickets.GROUPINGS)}")


def sync_from(
    gate_json: Path,
    *,
    apply: bool,
    group_by: str = "finding",
    platform: str | None = None,
    root: Path = Path(),
    say: Callable[[str], None],
    env: Mapping[str, str] | None = None,
) -> tickets.Plan:
    """Plan (and with `apply`, make) the issue changes the gate result calls for."""
    grouping = parse_group_by(group_by)
    result = artifact.load(gate_json)
    conn = connect(parse_platform(platform), os.environ if env is None else env)
    context = Context(result.stage, codeowners.load(root), artifact.command_name(gate_json))
    try:
        tracker = targets.tracker(conn)
        existing = tracker.list(tickets.LABEL)
        full = artifact.full_scope(result)
        plan = tickets.plan(result, existing, context, group_by=grouping, full_scope=full)
        where = f"{conn.platform} {conn.project}"
        if not apply:
            for line in tickets.render_plan(plan, where):
                say(line)
            return plan
        say(f"Syncing issues in {where} ({'full' if full else 'incremental'} scope):")
        tickets.apply(plan, tracker, context, lambda line: say(f"  {line}"))
        say(tickets.totals(plan, done=True))
        return plan
    finally:
        conn.client.close()
