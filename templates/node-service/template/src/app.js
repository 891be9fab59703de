'use strict';

const http = require('node:http');

// Every response is JSON that no browser should sniff, cache or frame.
const BASE_HEADERS = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
});

function send(req, res, status, body) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, 'content-length': Buffer.byteLength(payload) });
  res.end(req.method === 'HEAD' ? undefined : payload);
}

/** Return the request handler: GET / (name, description), GET /healthz, 404 otherwise. */
function createApp({ name, description }) {
  const info = Object.freeze({ name, description });
  return function handle(req, res) {
    // Only the path matters; the query string is ignored and never echoed back.
    const path = (req.url || '/').split('?', 1)[0];
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && path === '/healthz') {
      send(req, res, 200, { status: 'ok' });
    } else if (read && path === '/') {
      send(req, res, 200, info);
    } else {
      send(req, res, 404, { error: 'not found' });
    }
  };
}

/** Return an http.Server for the app with bounded timeouts (slow clients cannot pin it). */
function createServer(info) {
  const server = http.createServer(createApp(info));
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 50;
  return server;
}

module.exports = { createApp, createServer };
