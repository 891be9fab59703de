'use strict';

// Starts the real HTTP server on an ephemeral loopback port and makes real requests.

const assert = require('node:assert/strict');
const http = require('node:http');
const { after, before, describe, it } = require('node:test');

const { createServer } = require('../src/app');
const { portFromEnv } = require('../src/config');
const pkg = require('../package.json');

function request(port, method, path) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP service', () => {
  let server;
  let port;

  before(async () => {
    server = createServer({ name: pkg.name, description: pkg.description });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  });

  after(() => new Promise((resolve) => server.close(resolve)));

  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    const res = await request(port, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { status: 'ok' });
    assert.match(res.headers['content-type'], /^application\/json/);
  });

  it('GET / answers the name and description from package.json', async () => {
    const res = await request(port, 'GET', '/');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { name: pkg.name, description: pkg.description });
  });

  it('ignores the query string', async () => {
    const res = await request(port, 'GET', '/healthz?probe=1');
    assert.equal(res.status, 200);
  });

  it('HEAD /healthz answers 200 with no body', async () => {
    const res = await request(port, 'HEAD', '/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });

  for (const [method, path] of [['GET', '/nope'], ['GET', '/healthz/'], ['POST', '/'], ['DELETE', '/healthz']]) {
    it(`${method} ${path} answers 404`, async () => {
      const res = await request(port, method, path);
      assert.equal(res.status, 404);
      assert.deepEqual(JSON.parse(res.text), { error: 'not found' });
    });
  }

  it('sends hardening headers', async () => {
    const res = await request(port, 'GET', '/');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-frame-options'], 'DENY');
  });
});

describe('configuration', () => {
  it('reads PORT, defaulting to the template port', () => {
    assert.equal(portFromEnv({ PORT: '9090' }), 9090);
    assert.equal(portFromEnv({}), require('../src/config').DEFAULT_PORT);
  });

  for (const bad of ['http', '-1', '65536', '80 ', '1e3']) {
    it(`rejects PORT=${JSON.stringify(bad)}`, () => {
      assert.throws(() => portFromEnv({ PORT: bad }), /not a TCP port/);
    });
  }
});
