"""Point Kubernetes findings at the field that fails, not at the object's first line.

checkov reports a Kubernetes check at the whole object (`file_line_range` spans the document)
but names the keys it evaluated (`check_result.evaluated_keys`, e.g.
`spec/template/spec/containers/[0]/securityContext/privileged`). The deepest of those keys found
in the file gives the line where the fix goes: the `privileged: true` line, or the container
that lacks a setting. When nothing below the object's top level can be found, the object's own
range stays.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

K8S_PREFIXES = ("CKV_K8S_", "CKV2_K8S_")
_MIN_DEPTH = 2  # `spec` alone says no more than the object's first line


def field_lines(
    path: Path, rule_id: str, result: Mapping[str, Any], object_range: tuple[int, int]
) -> tuple[int, int]:
    """Return the 1-based line range of the failing field, or the object's range."""
    if not rule_id.startswith(K8S_PREFIXES) or path.suffix not in (".yaml", ".yml"):
        return object_range
    keys = (result.get("check_result") or {}).get("evaluated_keys") or []
    document = _document_at(path, object_range[0])
    if document is None:
        return object_range
    best = max((_locate(document, str(key)) for key in keys), default=(0, 0))
    depth, line = best
    return (line, line) if depth >= _MIN_DEPTH else object_range


def _document_at(path: Path, start_line: int) -> Any:
    """Return the YAML document of the file that starts at or before start_line (1-based)."""
    documents = _documents(str(path), *_stamp(path))
    chosen = None
    for first_line, document in documents:
        if first_line <= start_line:
            chosen = document
    return chosen


def _stamp(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1)
    return (info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _documents(path: str, _size: int, _mtime: int) -> tuple[tuple[int, Any], ...]:
    """Load every document with its first line; nothing when the file does not parse.

    The scan refused alias bombs and deep nesting before checkov ran (yaml_guard), and the
    round-trip loader builds only plain maps and lists, so loading here is safe.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
        loaded = list(YAML(typ="rt").load_all(text))
    except (OSError, UnicodeDecodeError, YAMLError, ValueError):
        return ()
    return tuple((_first_line(doc), doc) for doc in loaded if isinstance(doc, Mapping))


def _first_line(document: Any) -> int:
    position = getattr(document, "lc", None)
    return int(position.line) + 1 if position is not None else 1


def _locate(document: Any, key: str) -> tuple[int, int]:
    """Walk a `a/b/[0]/c` key path; return (depth reached, 1-based line of that node)."""
    node, depth, line = document, 0, 0
    for part in (p for p in key.split("/") if p):
        found = _child(node, part)
        if found is None:
            break
        node, line = found
        depth += 1
    return depth, line


def _child(node: Any, part: str) -> tuple[Any, int] | None:
    """Return the child named by one path part and its 1-based line, or None."""
    if part.startswith("[") and part.endswith("]") and isinstance(node, Sequence):
        index = part[1:-1]
        if not index.isdigit() or int(index) >= len(node) or not hasattr(node, "lc"):
            return None
        return node[int(index)], int(node.lc.item(int(index))[0]) + 1
    if isinstance(node, Mapping) and part in node and hasattr(node, "lc"):
        return node[part], int(node.lc.key(part)[0]) + 1
    return None
