"""Build the benchmark corpus: every catalog scenario rendered and replicated, some vulnerable."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Mapping
from pathlib import Path

from pavedroad.catalog import model as catalog
from pavedroad.catalog.questions import load_config, resolve_answers
from pavedroad.scan.workspace import collect
from pavedroad.scanners.checkov import select_files

# Built from pieces so that no scanner flags this file itself.
AWS_KEY_ID = "AKIA" + "Z7QX3VYD2LKMN4PW"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzQ4trLk9Pq"
PRIVATE_KEY = (
    "-----BEGIN RSA "
    + "PRIVATE KEY-----\n"
    + "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6"
    + "ffAt0gun\n-----END RSA PRIVATE KEY-----\n"
)
VULNERABLE: Mapping[str, str] = {
    "Dockerfile": """\
        FROM ubuntu:latest
        USER root
        ADD http://example.com/app.tar.gz /opt/app/
        RUN apt-get update && apt-get install -y curl
        """,
    "deploy/deployment.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: legacy
        spec:
          selector:
            matchLabels: {app: legacy}
          template:
            metadata:
              labels: {app: legacy}
            spec:
              containers:
                - name: legacy
                  image: nginx:1.25
                  securityContext:
                    privileged: true
        """,
    "infra/bucket.tf": """\
        resource "aws_s3_bucket" "public" {
          bucket = "legacy-public-data"
          acl    = "public-read"
        }
        """,
    ".github/workflows/triage.yml": """\
        name: triage
        on:
          issues:
            types: [opened]
        jobs:
          echo:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ github.event.issue.title }}"
        """,
    "config/creds.env": f"AWS_ACCESS_KEY_ID={AWS_KEY_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\n",
    "keys/deploy.pem": PRIVATE_KEY,
}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def render_scenarios(dest: Path) -> list[Path]:
    """Render every scenario of every catalog template once; return the folders."""
    import copier  # only the corpus needs it

    folders = []
    for template in catalog.load().templates:
        config = load_config(template.directory)
        for name, given in template.scenarios.items():
            out = dest / f"{template.id}-{name}"
            answers = resolve_answers(config, given)
            copier.run_copy(
                str(template.directory),
                out,
                data=answers,
                defaults=True,
                unsafe=False,
                skip_tasks=True,
                quiet=True,
            )
            folders.append(out)
    return folders


def build(root: Path, services: int, vulnerable_every: int = 5) -> Path:
    """Write `services` rendered services under root (every Nth with vulnerable copies), in git."""
    scenarios = render_scenarios(root / ".scenarios")
    for i in range(services):
        source = scenarios[i % len(scenarios)]
        dest = root / "services" / f"{i:03d}-{source.name}"
        shutil.copytree(source, dest)
        if i % vulnerable_every == 0:
            write_vulnerable(dest / "legacy")
    shutil.rmtree(root / ".scenarios")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "benchmark corpus")
    return root


def write_vulnerable(folder: Path) -> None:
    """Write the deliberately vulnerable files into folder."""
    for rel, body in VULNERABLE.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")


def git(root: Path, *args: str) -> None:
    """Run git in root with a fixed identity (the corpus is committed once)."""
    subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
    )


def describe(root: Path) -> dict[str, int]:
    """Count the corpus: all files, IaC/Dockerfile/YAML files, Dockerfiles, services."""
    files = collect(root).files
    return {
        "services": len(list((root / "services").iterdir())),
        "files": len(files),
        "iac_docker_yaml": len(select_files(files)),
        "dockerfiles": len(dockerfiles(root)),
    }


def dockerfiles(root: Path) -> list[str]:
    """Return every Dockerfile of the corpus, repo-relative."""
    from pavedroad.scanners.own_rules import is_dockerfile

    return [f for f in collect(root).files if is_dockerfile(f)]
