'use strict';

// Read secrets from mounted files: NAME_FILE names the file, never the value itself.
// A secret in an environment variable leaks into crash reports, child processes and
// `ps e`; a read-only file mounted from the secret store does not.

const fs = require('node:fs');
const path = require('node:path');

// The directory the manifests mount the secrets into (one file per secret).
const DIRECTORY_VARIABLE = 'SECRETS_DIR';
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

class SecretError extends Error {}

/** Return the variable that points at the secret's file: api-token -> API_TOKEN_FILE. */
function fileVariable(name) {
  return `${name.toUpperCase().replaceAll('-', '_')}_FILE`;
}

/** Return the file holding the secret: $NAME_FILE, else $SECRETS_DIR/<name>. */
function secretPath(name, env = process.env) {
  if (!NAME.test(name)) {
    throw new SecretError(`secret name ${JSON.stringify(name)} must be lowercase letters, digits and hyphens`);
  }
  const variable = fileVariable(name);
  if (env[variable]) return env[variable];
  if (env[DIRECTORY_VARIABLE]) return path.join(env[DIRECTORY_VARIABLE], name);
  throw new SecretError(
    `${variable} is not set; point it at the file that holds the secret ${JSON.stringify(name)}` +
      ` (or set ${DIRECTORY_VARIABLE} to the directory the secrets are mounted in)`,
  );
}

/** Return the secret's value from its file, without the trailing newline an editor adds. */
function readSecret(name, env = process.env) {
  const plain = fileVariable(name).slice(0, -'_FILE'.length);
  if (plain && env[plain]) {
    throw new SecretError(
      `${plain} holds a secret value in the environment; mount it as a file and set ${plain}_FILE to its path instead`,
    );
  }
  const file = secretPath(name, env);
  let value;
  try {
    value = fs.readFileSync(file, 'utf8').replace(/[\r\n]+$/, '');
  } catch (err) {
    throw new SecretError(`secret ${JSON.stringify(name)}: cannot read ${file}: ${err.code}`);
  }
  if (!value) throw new SecretError(`secret ${JSON.stringify(name)}: ${file} is empty`);
  return value;
}

module.exports = { DIRECTORY_VARIABLE, SecretError, fileVariable, readSecret, secretPath };
