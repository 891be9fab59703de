"""Read secrets from mounted files: NAME_FILE names the file, never the value itself.

A secret in an environment variable leaks into crash dumps, `ps e`, child processes and
debug pages; a read-only file mounted from the secret store does not.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

# The directory the manifests mount the secrets into (one file per secret).
DIRECTORY_VARIABLE = "SECRETS_DIR"
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62})")


class SecretError(LookupError):
    """A secret could not be read; the message names the variable and the fix, never a value."""


def file_variable(name: str) -> str:
    """Return the environment variable that points at the secret's file: api-token -> API_TOKEN_FILE."""
    return name.upper().replace("-", "_") + "_FILE"


def secret_path(name: str, environ: Mapping[str, str] | None = None) -> Path:
    """Return the file holding the secret: $NAME_FILE, else $SECRETS_DIR/<name>."""
    if not _NAME.fullmatch(name):
        raise SecretError(f"secret name {name!r} must be lowercase letters, digits and hyphens")
    env = os.environ if environ is None else environ
    variable = file_variable(name)
    if env.get(variable):
        return Path(env[variable])
    if env.get(DIRECTORY_VARIABLE):
        return Path(env[DIRECTORY_VARIABLE]) / name
    raise SecretError(
        f"{variable} is not set; point it at the file that holds the secret {name!r}"
        f" (or set {DIRECTORY_VARIABLE} to the directory the secrets are mounted in)"
    )


def read_secret(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Return the secret's value from its file, without the trailing newline an editor adds."""
    env = os.environ if environ is None else environ
    plain = file_variable(name).removesuffix("_FILE")
    if env.get(plain):
        raise SecretError(
            f"{plain} holds a secret value in the environment; mount it as a file and set"
            f" {plain}_FILE to its path instead"
        )
    path = secret_path(name, env)
    try:
        value = path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as error:
        raise SecretError(f"secret {name!r}: cannot read {path}: {error.strerror}") from None
    if not value:
        raise SecretError(f"secret {name!r}: {path} is empty")
    return value
