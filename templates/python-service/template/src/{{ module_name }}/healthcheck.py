"""Container health probe: exit 0 when GET /healthz answers 200 (slim images have no curl)."""

from __future__ import annotations

import sys
import urllib.request

from .app import port_from_env


def main() -> int:
    """Probe the local service and return a process exit code."""
    url = f"http://127.0.0.1:{port_from_env()}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - fixed http URL
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
