"""Benchmark the fleet aggregation: ingest many repositories' gate results, then report.

    python bench/metrics_bench.py [--repositories 2000] [--nights 3] [--prs 2] [--db URL]

Writes synthetic `pavedroad/gate/v1` reports (bench/metrics_synth.py: per repository, nightly
full runs whose findings get fixed over time, and PRs that block then go green) into a temp
folder, then times, each as a child process as CI would run them: `paved metrics ingest FOLDER`
into a fresh SQLite store (or --db), the same ingest again (idempotent: nothing added), and
`paved metrics report` as text, JSON and HTML. Prints one Markdown table; exits 1 when the
first ingest plus the reports exceed the 30 s target or a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import metrics_synth as synth  # noqa: E402 - the bench folder is not a package

TARGET_S = 30.0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    args = _arguments(argv)
    with tempfile.TemporaryDirectory(prefix="paved-metrics-bench-") as scratch:
        root = Path(scratch)
        reports = write_reports(root / "results", args.repositories, args.nights, args.prs)
        db = args.db or f"sqlite:///{root / 'metrics.db'}"
        rows, ok = measure_all(root, db, reports)
    print(
        f"{reports} reports from {args.repositories} repositories "
        f"({args.nights} nightly runs, {args.prs} PRs of two runs each)\n"
    )
    print("| step | seconds | note |\n|---|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.2f} | {note} |")
    total = sum(seconds for name, seconds, _ in rows if name != "ingest again")
    verdict = "within" if total <= TARGET_S else "OVER"
    print(f"\ningest + reports: {total:.2f} s ({verdict} the {TARGET_S:.0f} s target)")
    return 0 if ok and total <= TARGET_S else 1


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=2000)
    parser.add_argument("--nights", type=int, default=3)
    parser.add_argument("--prs", type=int, default=2)
    parser.add_argument("--db", help="store URL (default: a fresh SQLite file)")
    return parser.parse_args(argv)


def write_reports(folder: Path, repositories: int, nights: int, prs: int) -> int:
    """Write the synthetic reports, one folder per repository (as the fleet's artifacts are)."""
    count = 0
    for doc in synth.fleet(repositories, nights=nights, prs=prs):
        where = folder / str(doc["repository"]).replace("/", "__")
        where.mkdir(parents=True, exist_ok=True)
        (where / f"gate-{count}.json").write_text(synth.dumps(doc), encoding="utf-8")
        count += 1
    return count


def paved(*args: str) -> tuple[float, str]:
    """Run `paved ARGS` as a child process; return its wall time and stdout."""
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pavedroad", *args], capture_output=True, text=True, env=env
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"paved {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return elapsed, done.stdout


def measure_all(root: Path, db: str, reports: int) -> tuple[list[tuple[str, float, str]], bool]:
    """Time ingest (twice) and the three report formats; check what they say."""
    rows: list[tuple[str, float, str]] = []
    seconds, out = paved("metrics", "ingest", str(root / "results"), "--db", db)
    ok = out.startswith(f"ingested {reports} report(s)")
    rows.append(("ingest", seconds, f"{reports / seconds:.0f} reports/s; {out.strip()}"))
    seconds, out = paved("metrics", "ingest", str(root / "results"), "--db", db)
    ok = ok and out.startswith("ingested 0 report(s)")
    rows.append(("ingest again", seconds, out.strip()))
    for fmt in ("text", "json", "html"):
        target = root / f"metrics.{fmt}"
        seconds, _ = paved("metrics", "report", "--db", db, "-f", fmt, "-o", str(target))
        size = target.stat().st_size
        rows.append((f"report {fmt}", seconds, f"{size / 1024:.0f} KB"))
    data = json.loads((root / "metrics.json").read_text(encoding="utf-8"))
    ok = ok and data["overall"]["friction"]["runs"] == reports
    return rows, ok


if __name__ == "__main__":
    sys.exit(main())
