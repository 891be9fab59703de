'use strict';

// Container health check: exit 0 when GET /healthz answers 200 within 2 s, else 1.
// Runs with the image's own node binary, so the runtime image needs no shell or curl.

const http = require('node:http');
const { portFromEnv } = require('./config');

function check() {
  let port;
  try {
    port = portFromEnv();
  } catch {
    return process.exit(1);
  }
  const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2_000 }, (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => process.exit(1));
}

check();
