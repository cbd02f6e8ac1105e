'use strict';
// node-redis v5 (`redis5`, an alias of redis@5) client-side caching against a server on
// 127.0.0.1:PORT: a RESP3 client with `clientSideCache` serves repeated reads from its own
// cache and drops an entry when the server's CLIENT TRACKING invalidation comes (another
// client's write, a key's expiry, FLUSHALL). The server's own GET count (INFO commandstats)
// shows which reads reached it.
//
//   node node_redis_csc.js PORT        (run by tests/clients/test_node.py)

const { createClient, BasicClientSideCache } = require('redis5');
const { assert, sleep, portFromArgv, runSections, waitFor } = require('./common');

const port = portFromArgv();
const clients = [];
const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
let reader;
let writer;

async function connect(options = {}) {
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, ...options });
  client.on('error', (err) => console.error(`client error: ${err}`));
  await client.connect();
  clients.push(client);
  return client;
}

// How many GETs the server has run (INFO commandstats), read through the writer.
async function serverGets() {
  const info = await writer.info('commandstats');
  const m = /cmdstat_get:calls=(\d+)/.exec(info);
  return m ? Number(m[1]) : 0;
}

// Reads `key` through the caching client until it returns `want` (the invalidation travels
// on its own; the client drops the entry when it arrives).
async function readUntil(key, want, what) {
  await waitFor(async () => (await reader.get(key)) === want, what);
}

runSections('node-redis v5 client-side caching', [
  ['connect: RESP3 with a client-side cache turns tracking on', async () => {
    writer = await connect();
    reader = await connect({ RESP: 3, clientSideCache: cache });
    await writer.flushAll();
    const info = await writer.clientList();
    assert.ok(info.some((c) => c.flags.includes('t')), 'a client has tracking on (flag t)');
  }],
  ['repeated reads are served from the cache', async () => {
    await writer.set('csc:k', 'v1');
    const before = await serverGets();
    assert.equal(await reader.get('csc:k'), 'v1');
    assert.equal(await reader.get('csc:k'), 'v1');
    assert.equal(await reader.get('csc:k'), 'v1');
    assert.equal(await serverGets(), before + 1, 'one GET reached the server');
    assert.ok(cache.stats().hitCount >= 2);
  }],
  ['another client\'s write invalidates the entry', async () => {
    await writer.set('csc:k', 'v2');
    await readUntil('csc:k', 'v2', 'the new value after the invalidation');
    const before = await serverGets();
    assert.equal(await reader.get('csc:k'), 'v2');
    assert.equal(await serverGets(), before, 'cached again after the new read');
  }],
  ['a hash read is cached and invalidated the same way', async () => {
    await writer.hSet('csc:h', { a: '1' });
    assert.deepEqual({ ...(await reader.hGetAll('csc:h')) }, { a: '1' });
    await writer.hSet('csc:h', { b: '2' });
    await waitFor(async () => Object.keys(await reader.hGetAll('csc:h')).length === 2, 'the new field');
  }],
  ['a key that expires on the server is invalidated', async () => {
    await writer.set('csc:e', 'soon', { PX: 100 });
    assert.equal(await reader.get('csc:e'), 'soon');
    await sleep(150);
    await readUntil('csc:e', null, 'the expiry\'s invalidation');
  }],
  ['FLUSHALL invalidates every entry', async () => {
    await writer.set('csc:a', '1');
    await writer.set('csc:b', '2');
    assert.equal(await reader.get('csc:a'), '1');
    assert.equal(await reader.get('csc:b'), '2');
    await writer.flushAll();
    await readUntil('csc:a', null, 'csc:a gone');
    assert.equal(await reader.get('csc:b'), null);
  }],
  ['the client\'s own write invalidates its entry', async () => {
    await writer.set('csc:own', 'x');
    assert.equal(await reader.get('csc:own'), 'x');
    await reader.set('csc:own', 'y');
    await readUntil('csc:own', 'y', 'its own new value');
  }],
], {
  cleanup: async () => {
    for (const c of clients) await c.quit();
  },
});
