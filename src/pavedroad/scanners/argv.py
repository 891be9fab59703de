"""Keep command lines under the operating system's limit, whatever the number of files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# Linux allows 2 MiB for arguments and environment together (ARG_MAX); a quarter of that
# leaves room for a large environment and for the tool's own options.
BUDGET = 512 * 1024


def size(args: Iterable[str]) -> int:
    """Return the bytes these arguments take in the kernel's argument area."""
    return sum(len(a.encode("utf-8", errors="surrogateescape")) + 1 for a in args)


def batches(
    items: Iterable[str], budget: int | None = None, per_item: int = 0
) -> Iterator[list[str]]:
    """Yield consecutive lists of items whose size (plus per_item bytes each) fits the budget."""
    budget = BUDGET if budget is None else budget
    batch: list[str] = []
    used = 0
    for item in items:
        cost = size([item]) + per_item
        if batch and used + cost > budget:
            yield batch
            batch, used = [], 0
        batch.append(item)
        used += cost
    if batch:
        yield batch
