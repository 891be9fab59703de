"""Any number of files can be gated: file lists never overflow a command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.scanners.helpers import write_tree

from pavedroad.scanners import argv, checkov
from pavedroad.scanners.checkov import CheckovScanner
from pavedroad.scanners.hadolint import HadolintScanner
from pavedroad.scanners.interface import ScanTarget

BUCKET = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  acl = "public-read-write"\n}\n'
# Three folder names of ~240 characters: 3,000 Dockerfiles then need ~2.3 MB of paths,
# more than Linux's 2 MiB ARG_MAX for a whole command line.
DEEP = "/".join(c * 240 for c in "xyz")
MANY = 3_000


def test_batches_respect_the_budget_and_keep_order() -> None:
    items = [f"file-{i:03}" for i in range(100)]  # 9 bytes each with the NUL
    got = list(argv.batches(items, budget=95))
    assert [len(b) for b in got] == [10] * 10
    assert [i for b in got for i in b] == items
    assert list(argv.batches(["x" * 500], budget=10)) == [["x" * 500]]  # never dropped
    assert list(argv.batches([])) == []


def test_small_lists_stay_file_arguments(tmp_path: Path) -> None:
    args = checkov.command("checkov", Path("/repo"), ["a.tf", "b/Dockerfile"], tmp_path / "l")
    assert args[-4:] == ["--file", "/repo/a.tf", "--file", "/repo/b/Dockerfile"]
    assert not (tmp_path / "l").exists()


def test_long_lists_go_through_a_checkov_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(argv, "BUDGET", 100)
    files = [f"dir/{i}.tf" for i in range(20)] + ['odd "name"\n.tf']
    listing = tmp_path / "files.yaml"
    args = checkov.command("checkov", Path("/repo"), files, listing)
    assert args[-2:] == ["--config-file", str(listing)] and "--file" not in args
    assert json.loads(listing.read_text(encoding="utf-8")) == {
        "file": [f"/repo/{f}" for f in files]
    }


def test_hadolint_in_batches_reports_what_one_run_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        f"svc{i}/Dockerfile": "FROM ubuntu:latest\nRUN apt-get install -y curl\n" for i in range(6)
    }
    repo = write_tree(tmp_path, files)
    target = ScanTarget(repo, tuple(sorted(files)))
    whole = HadolintScanner().scan(target)
    monkeypatch.setattr(argv, "BUDGET", 40)  # two Dockerfiles per run
    assert HadolintScanner().scan(target) == whole
    assert {f.path for f in whole} == set(files)


@pytest.mark.slow
def test_thousands_of_files_over_arg_max_are_scanned_by_real_tools(tmp_path: Path) -> None:
    files = {f"d{i:04}/{DEEP}/Dockerfile": "FROM ubuntu:latest\n" for i in range(MANY)}
    files["infra/main.tf"] = BUCKET
    repo = write_tree(tmp_path / "r", files)
    assert argv.size(str(repo / f) for f in files) > 2 * 1024 * 1024  # too long for one line
    target = ScanTarget(repo, tuple(sorted(files)))
    found = CheckovScanner().scan(target)
    assert ("infra/main.tf", "CKV_AWS_57") in {(f.path, f.rule_id) for f in found}
    assert len({f.path for f in found if f.rule_id == "CKV_DOCKER_7"}) == MANY
    assert not [f for f in found if f.rule_id == "PAVED_PARSE_ERROR"]
    linted = HadolintScanner().scan(target)
    assert len({f.path for f in linted if f.rule_id == "DL3007"}) == MANY
