"""Reports: turn a gate result into the formats developers and CI systems read."""

from __future__ import annotations

from pavedroad.gate.result import GateResult
from pavedroad.reports.github import GithubReporter
from pavedroad.reports.gitlab import GitlabReporter
from pavedroad.reports.interface import Reporter
from pavedroad.reports.json import JsonReporter
from pavedroad.reports.junit import JunitReporter
from pavedroad.reports.markdown import MarkdownReporter
from pavedroad.reports.sarif import SarifReporter
from pavedroad.reports.text import TextReporter

REPORTERS: dict[str, Reporter] = {
    "sarif": SarifReporter(),
    "sarif-upload": SarifReporter(
        name="sarif-upload", default_filename="pavedroad-upload.sarif", include_excepted=False
    ),
    "junit": JunitReporter(),
    "markdown": MarkdownReporter(),
    "json": JsonReporter(),
    "github": GithubReporter(),
    "gitlab": GitlabReporter(),
    "text": TextReporter(),
}
FORMATS: tuple[str, ...] = tuple(REPORTERS)

__all__ = ["FORMATS", "REPORTERS", "Reporter", "render"]


def render(name: str, result: GateResult) -> str:
    """Render the result in the named format; raise KeyError for an unknown name."""
    try:
        reporter = REPORTERS[name]
    except KeyError:
        raise KeyError(
            f"unknown report format {name!r}; use one of: {', '.join(FORMATS)}"
        ) from None
    return reporter.render(result)
