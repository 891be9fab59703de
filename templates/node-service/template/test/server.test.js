'use strict';

// Runs the real entry point and health check as child processes, as the container does.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { once } = require('node:events');
const { describe, it } = require('node:test');

const ROOT = path.join(__dirname, '..');

function node(script, env) {
  return spawn(process.execPath, [path.join(ROOT, 'src', script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function exitCode(child) {
  const [code] = await once(child, 'exit');
  return code;
}

function firstLine(child) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end !== -1) resolve(JSON.parse(buffered.slice(0, end)));
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before logging`)));
  });
}

describe('server.js and healthcheck.js', () => {
  it('starts, passes its health check, and stops cleanly on SIGTERM', async () => {
    const server = node('server.js', { PORT: '0', HOST: '127.0.0.1' });
    try {
      const started = await firstLine(server);
      assert.equal(started.msg, 'listening');
      assert.ok(started.port > 0);

      const healthy = node('healthcheck.js', { PORT: String(started.port) });
      assert.equal(await exitCode(healthy), 0);
    } finally {
      server.kill('SIGTERM');
    }
    assert.equal(await exitCode(server), 0);
  });

  it('health check fails when nothing listens', async () => {
    // Port 1 is privileged and never used by this service in tests.
    const check = node('healthcheck.js', { PORT: '1' });
    assert.equal(await exitCode(check), 1);
  });

  it('refuses an invalid PORT with exit code 2', async () => {
    const server = node('server.js', { PORT: 'eighty' });
    assert.equal(await exitCode(server), 2);
  });
});
