"""Small statistics over lists of numbers: a summary with mean and percentiles, a histogram."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Time-to-fix histogram buckets, in days: [low, high).
FIX_BUCKETS: tuple[tuple[float, float, str], ...] = (
    (0, 1, "< 1 d"),
    (1, 3, "1-3 d"),
    (3, 7, "3-7 d"),
    (7, 14, "7-14 d"),
    (14, 30, "14-30 d"),
    (30, 90, "30-90 d"),
    (90, math.inf, ">= 90 d"),
)


@dataclass(frozen=True)
class Summary:
    """How many values, their mean and percentiles (None when there are none)."""

    count: int
    mean: float | None
    p50: float | None
    p90: float | None
    p95: float | None


def percentile(ordered: Sequence[float], q: float) -> float:
    """Return the q-th percentile (0..100) of sorted values, interpolating linearly."""
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(values: Sequence[float]) -> Summary:
    """Return the summary of values, rounded to two decimals."""
    if not values:
        return Summary(0, None, None, None, None)
    ordered = sorted(values)
    return Summary(
        count=len(ordered),
        mean=round(sum(ordered) / len(ordered), 2),
        p50=round(percentile(ordered, 50), 2),
        p90=round(percentile(ordered, 90), 2),
        p95=round(percentile(ordered, 95), 2),
    )


def histogram(values: Sequence[float]) -> tuple[tuple[str, int], ...]:
    """Count values (days) per FIX_BUCKETS bucket."""
    counts = [0] * len(FIX_BUCKETS)
    for value in values:
        for index, (low, high, _) in enumerate(FIX_BUCKETS):
            if low <= value < high:
                counts[index] += 1
                break
    return tuple((label, n) for (_, _, label), n in zip(FIX_BUCKETS, counts, strict=True))


def rate(part: int, whole: int) -> float | None:
    """Return part / whole rounded to three decimals, None when whole is 0."""
    return round(part / whole, 3) if whole else None
