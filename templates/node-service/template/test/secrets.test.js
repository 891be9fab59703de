'use strict';

// The secrets helper reads real files, refuses values in the environment and names the fix.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, it } = require('node:test');

const { SecretError, fileVariable, readSecret } = require('../src/secrets');

describe('readSecret', () => {
  let dir;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-test-'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the file named by NAME_FILE, without the trailing newline', () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 's3cr3t-value\n');
    assert.equal(readSecret('api-token', { API_TOKEN_FILE: file }), 's3cr3t-value');
  });

  it('falls back to the mounted directory', () => {
    fs.writeFileSync(path.join(dir, 'db-password'), 'pw');
    assert.equal(readSecret('db-password', { SECRETS_DIR: dir }), 'pw');
  });

  it('refuses a value in the environment without repeating it', () => {
    assert.throws(
      () => readSecret('api-token', { API_TOKEN: 'example-leaked-value' }),
      (err) => err instanceof SecretError && /API_TOKEN_FILE/.test(err.message) && !err.message.includes('example-leaked-value'),
    );
  });

  it('reports unset, missing and empty secrets', () => {
    assert.throws(() => readSecret('api-token', {}), /API_TOKEN_FILE is not set/);
    assert.throws(() => readSecret('missing', { SECRETS_DIR: dir }), /cannot read .* ENOENT/);
    fs.writeFileSync(path.join(dir, 'empty'), '\n');
    assert.throws(() => readSecret('empty', { SECRETS_DIR: dir }), /is empty/);
  });

  it('keeps names inside the directory', () => {
    for (const name of ['../etc/passwd', 'API', 'a/b', '']) {
      assert.throws(() => readSecret(name, { SECRETS_DIR: dir }), /lowercase/);
    }
  });

  it('names the variable after the secret', () => {
    assert.equal(fileVariable('db-password'), 'DB_PASSWORD_FILE');
  });
});
