'use strict';
// Helpers shared by node_redis.js and ioredis.js (Node >= 18, standard library only).
const assert = require('node:assert/strict');
const http = require('node:http');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function portFromArgv() {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0) {
    console.error(`usage: node ${process.argv[1]} PORT`);
    process.exit(2);
  }
  return port;
}

// Runs the named sections in order; exits 0 when all pass, 1 on the first failure. A watchdog
// fails the script if anything hangs (a reply that never comes, a message never delivered).
async function runSections(name, sections, { watchdogMs = 120000, cleanup = async () => {} } = {}) {
  const watchdog = setTimeout(() => {
    console.error(`FAIL: ${name}: watchdog: still running after ${watchdogMs} ms`);
    process.exit(1);
  }, watchdogMs);
  watchdog.unref();
  let current = '(setup)';
  try {
    for (const [section, fn] of sections) {
      current = section;
      const start = Date.now();
      await fn();
      console.log(`ok   ${name}: ${section} (${Date.now() - start} ms)`);
    }
    current = '(cleanup)';
    await cleanup();
  } catch (err) {
    console.error(`FAIL: ${name}: ${current}`);
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
  }
  console.log(`PASS ${name}: ${sections.length} sections`);
  process.exit(0);
}

// Waits until `pred()` holds (polling), or fails with `what`.
async function waitFor(pred, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

// A tiny server-sent-events relay, as in the workshops: GET /events subscribes (through
// `subscribe(onMessage)`, which resolves once the subscription is active and returns an async
// unsubscribe function) and forwards every message as an SSE event named after its channel.
function startSseServer(subscribe) {
  const server = http.createServer(async (req, res) => {
    if (req.url !== '/events') {
      res.writeHead(404).end();
      return;
    }
    let id = 0;
    const unsubscribe = await subscribe((channel, message) => {
      id += 1;
      res.write(`id: ${id}\nevent: ${channel}\ndata: ${message}\n\n`);
    });
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
    });
    res.write(': subscribed\n\n');  // headers and a comment: the client knows it is live
    req.on('close', () => {
      unsubscribe().catch(() => {});
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// An SSE client: connects to the relay, resolves `ready` once the stream is live, and collects
// events ({id, event, data}) until `count` have arrived (`done`), then closes the connection.
function sseClient(port, count) {
  let onReady;
  let onDone;
  let onError;
  const ready = new Promise((resolve) => { onReady = resolve; });
  const done = new Promise((resolve, reject) => { onDone = resolve; onError = reject; });
  const events = [];
  const req = http.get({ host: '127.0.0.1', port, path: '/events' }, (res) => {
    try {
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/event-stream');
    } catch (err) {
      onError(err);
      return;
    }
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) {
          onReady();
          continue;
        }
        const ev = {};
        for (const line of block.split('\n')) {
          const colon = line.indexOf(': ');
          ev[line.slice(0, colon)] = line.slice(colon + 2);
        }
        events.push(ev);
        if (events.length === count) {
          req.destroy();
          onDone(events);
        }
      }
    });
  });
  req.on('error', (err) => {
    if (events.length < count) onError(err);
  });
  return { ready, done, events };
}

module.exports = { assert, sleep, portFromArgv, runSections, waitFor, startSseServer, sseClient };
