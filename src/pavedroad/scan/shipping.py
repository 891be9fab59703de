"""Which git-ignored files a Dockerfile would copy into an image: those ship, so they are gated.

A Dockerfile's build context is not written down anywhere Paved Road can read, so both likely
contexts count: the Dockerfile's own folder and the repository root. A path ships when a
`COPY`/`ADD` source of the context (`.`, a folder holding it, the file itself, or a glob with
Docker's one-segment `*` semantics) covers it and the context's `.dockerignore` does not exclude
it. `COPY --from=...` copies from another image and `ADD` of a URL from the network, never from
the context, so neither ships a local file.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

import pathspec

_COPY = ("COPY", "ADD")


def shipped(
    base: Path,
    dockerfiles: Iterable[str],
    ignored: Iterable[str],
    files_in: Callable[[str], Iterable[str]],
) -> tuple[str, ...]:
    """Return the ignored files some Dockerfile would copy; files_in lists an ignored folder."""
    sources: dict[str, list[str]] = {}
    for rel in dockerfiles:
        found = list(copy_sources(_read(base / rel)))
        for context in {PurePosixPath(rel).parent.as_posix(), "."}:
            sources.setdefault(context, []).extend(found)
    contexts = [(ctx, found, _dockerignore(base, ctx)) for ctx, found in sources.items() if found]
    if not contexts:
        return ()
    out = {
        path
        for path in _expand(ignored, files_in)
        if any(_ships(ctx, found, spec, path) for ctx, found, spec in contexts)
    }
    return tuple(sorted(out))


def copy_sources(text: str) -> Iterator[str]:
    """Yield the context paths a Dockerfile's COPY/ADD instructions read."""
    for instruction in _instructions(text):
        words = instruction.split(None, 1)
        if len(words) < 2 or words[0].upper() not in _COPY:
            continue
        args = _arguments(words[1])
        if any(a.startswith("--from") for a in args):
            continue
        paths = [a for a in args if not a.startswith("--")]
        yield from (p for p in paths[:-1] if "://" not in p)


def _instructions(text: str) -> Iterator[str]:
    """Yield instructions with backslash continuations joined and comments dropped."""
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        yield current + line
        current = ""
    if current:
        yield current


def _arguments(rest: str) -> list[str]:
    """Split COPY/ADD arguments in shell form or JSON (exec) form."""
    rest = rest.strip()
    if rest.startswith("["):
        try:
            parsed = json.loads(rest)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [str(p) for p in parsed]
    try:
        return shlex.split(rest)
    except ValueError:
        return rest.split()


def _expand(ignored: Iterable[str], files_in: Callable[[str], Iterable[str]]) -> Iterator[str]:
    """Yield ignored files; ignored folders (git lists them once, with '/') are listed."""
    for entry in ignored:
        if entry.endswith("/"):
            yield from files_in(entry.rstrip("/"))
        else:
            yield entry


def _ships(context: str, sources: list[str], spec: pathspec.GitIgnoreSpec, path: str) -> bool:
    """Return True when path lies in context, a source covers it and .dockerignore keeps it."""
    rel = path if context == "." else _inside(path, context)
    if rel is None or not any(_covers(s, rel) for s in sources):
        return False
    return not spec.match_file(rel)


def _inside(path: str, context: str) -> str | None:
    prefix = context.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def _covers(source: str, rel: str) -> bool:
    """Return True when a COPY source (file, folder or glob) includes rel."""
    pattern = [p for p in PurePosixPath(source.lstrip("/")).parts if p != "."]
    if not pattern:
        return True  # `.` or `/`: the whole context
    parts = PurePosixPath(rel).parts
    if len(parts) < len(pattern):
        return False
    return all(fnmatchcase(part, pat) for part, pat in zip(parts, pattern, strict=False))


def _dockerignore(base: Path, context: str) -> pathspec.GitIgnoreSpec:
    """Read the context's .dockerignore, anchored at the context root as Docker reads it."""
    folder = base / context
    lines = _read(folder / ".dockerignore").splitlines()
    anchored = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        body = line.lstrip("!").lstrip("/")
        anchored.append(("!" if negate else "") + "/" + body)
    return pathspec.GitIgnoreSpec.from_lines(anchored)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
