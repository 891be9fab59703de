'use strict';

// Entry point: start the HTTP server and stop cleanly on SIGTERM/SIGINT.

const { createServer } = require('./app');
const { hostFromEnv, portFromEnv } = require('./config');
const { name, description } = require('../package.json');

function log(level, msg, fields = {}) {
  process.stdout.write(`${JSON.stringify({ level, msg, service: name, ...fields })}\n`);
}

function main() {
  let port;
  try {
    port = portFromEnv();
  } catch (err) {
    log('error', err.message);
    process.exitCode = 2;
    return;
  }
  const server = createServer({ name, description });
  server.listen(port, hostFromEnv(), () => {
    log('info', 'listening', { port: server.address().port });
  });
  const stop = (signal) => {
    log('info', 'stopping', { signal });
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    // Requests still running after 10 s are cut off rather than blocking the shutdown.
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
