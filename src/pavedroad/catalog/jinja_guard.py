"""Keep template Jinja away from this machine: no environment, no file system, bounded work.

copier (and Paved Road's own evaluation of copier.yml) loads jinja2-ansible-filters, whose
path filters read the caller's environment and file system. A template is the catalog
owners' code running on a developer's machine, so those filters raise instead.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from jinja2.exceptions import SecurityError

if TYPE_CHECKING:
    from jinja2 import Environment

# name -> what it would expose; each raises a render error naming it.
BLOCKED_FILTERS = {
    "expandvars": "reads this machine's environment variables",
    "expanduser": "reads this machine's home folder",
    "realpath": "reads this machine's file system",
    "relpath": "reads this machine's working folder",
    "fileglob": "lists this machine's file system",
}
E = TypeVar("E", bound="Environment")
RENDER_SECONDS = 300  # a real template renders in well under a second


class RenderTimeout(SecurityError):
    """A template ran longer than RENDER_SECONDS (an endless or huge loop)."""


def _blocked(name: str, why: str) -> Any:
    def refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise SecurityError(
            f"the Jinja filter {name!r} is disabled: it {why}; templates must render "
            "the same on every machine, so use the answers instead"
        )

    return refuse


def harden(env: E) -> E:
    """Replace the filters that reach outside the template with ones that refuse."""
    for name, why in BLOCKED_FILTERS.items():
        env.filters[name] = _blocked(name, why)
    return env


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Raise RenderTimeout in this (main) thread when the block runs longer than seconds."""
    limit = RENDER_SECONDS if seconds is None else seconds
    busy = signal.getitimer(signal.ITIMER_REAL)[0] > 0  # someone else owns the timer
    if busy or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> NoReturn:
        raise RenderTimeout(
            f"rendering took longer than {limit:g} s (an endless or huge loop?); "
            "bound the template's loops"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_copier(operation: str, **settings: Any) -> None:
    """Run copier's `run_<operation>` with the hardened environment and no user settings."""
    from functools import cached_property

    from copier._main import Worker
    from copier._settings import SettingsModel

    class _HardenedWorker(Worker):
        @cached_property
        def jinja_env(self) -> Any:
            return harden(super().jinja_env)

    # copier's user settings file may hold defaults and trust; neither belongs in a render.
    with _HardenedWorker(settings=SettingsModel(), **settings) as worker:
        getattr(worker, f"run_{operation}")()
