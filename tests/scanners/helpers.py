"""Small vulnerable repositories, fake tools and a network guard for the scanner tests."""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path

from tests.helpers import NETWORK_GUARD

# Built from pieces so that no scanner flags this test file itself.
AWS_KEY_ID = "AKIA" + "Z7QX3VYD2LKMN4PW"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzQ4trLk9Pq"
ALLOWED_KEY_ID = "AKIA" + "Q7QX3VYD2LKMN4PZ"
PRIVATE_KEY_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6" + "ffAt0gun"
PRIVATE_KEY = (
    "-----BEGIN RSA "
    + "PRIVATE KEY-----\n"
    + PRIVATE_KEY_BODY
    + "\n-----END RSA PRIVATE KEY-----\n"
)
SECRET_VALUES = (AWS_KEY_ID, AWS_SECRET, ALLOWED_KEY_ID, PRIVATE_KEY_BODY)

DOCKERFILE = """\
FROM ubuntu:latest
USER root
RUN apt-get update && apt-get install -y curl
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.25
          securityContext:
            privileged: true
"""
BUCKET = """\
resource "aws_s3_bucket" "data" {
  bucket = "my-data"
  acl    = "public-read"
}
"""
WORKFLOW = """\
name: triage
on:
  issues:
    types: [opened]
permissions: read-all
jobs:
  echo:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.issue.title }}"
"""
# Registry and git module sources: checkov must not try to download either.
MODULES = """\
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
module "shared" {
  source = "git::https://github.com/example/shared.git?ref=v1.0.0"
}
"""
SKIPPED_BUCKET = """\
resource "aws_s3_bucket" "open" {
  # checkov:skip=CKV_AWS_20:public website assets
  bucket = "site"
  acl    = "public-read"
}
"""
CREDS = f"""\
# deployment settings
AWS_ACCESS_KEY_ID={AWS_KEY_ID}
AWS_SECRET_ACCESS_KEY={AWS_SECRET}
EXAMPLE_KEY_ID={ALLOWED_KEY_ID}  # pragma: allowlist secret
"""
BROKEN_TF = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  acl = \n'
BROKEN_YAML = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n spec: [\n  - a: b\n"
BROKEN_DOCKERFILE = "{{{ not a dockerfile\nRUN echo hi\n"

IAC_FILES: Mapping[str, str] = {
    "Dockerfile": DOCKERFILE,
    "deploy/web.yaml": DEPLOYMENT,
    "infra/main.tf": BUCKET,
    "infra/site.tf": SKIPPED_BUCKET,
    "infra/network.tf": MODULES,
    ".github/workflows/triage.yml": WORKFLOW,
}
BROKEN_FILES: Mapping[str, str] = {
    "broken/main.tf": BROKEN_TF,
    "broken/pod.yaml": BROKEN_YAML,
    "broken/app.Dockerfile": BROKEN_DOCKERFILE,
}
SECRET_FILES: Mapping[str, str] = {
    "config/creds.env": CREDS,
    "keys/deploy.pem": PRIVATE_KEY,
}

# Loaded by every Python process that has its folder on PYTHONPATH: records and refuses
# any attempt to reach the network (Unix sockets stay allowed).
SITECUSTOMIZE = NETWORK_GUARD


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write files (repo-relative path -> content) under root and return root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def shifted(files: Mapping[str, str], count: int = 3) -> dict[str, str]:
    """Return the files with unrelated comment lines inserted at the top."""
    header = "".join(f"# unrelated note {i}\n" for i in range(count))
    return {rel: header + text for rel, text in files.items()}


def fake_tool(folder: Path, name: str, body: str) -> str:
    """Write an executable shell script and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


CRASH = 'echo "Traceback: something broke inside the tool" >&2\nexit 2'
GARBAGE = 'echo "this is not json at all"\nexit 0'
SLEEPER = "exec sleep 30"
