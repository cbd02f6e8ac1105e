'use strict';
// ioredis v5's Cluster client against cachet-servers in cluster mode (a static topology): it
// discovers the nodes with CLUSTER SLOTS, routes each key to the node serving its slot, follows
// -MOVED, and runs multi-key commands on keys sharing a {hash tag}.
//
//   node ioredis_cluster.js PORT [PORT...]      (run by tests/resp_server/test_cluster.py)

const Redis = require('ioredis');
const { assert, runSections } = require('./common');

const ports = process.argv.slice(2).map(Number);
if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0)) {
  console.error(`usage: node ${process.argv[1]} PORT [PORT...]`);
  process.exit(2);
}

let cluster;

async function setup() {
  cluster = new Redis.Cluster([{ host: '127.0.0.1', port: ports[0] }], {
    redisOptions: { maxRetriesPerRequest: 0 },
    clusterRetryStrategy: () => null,
  });
  cluster.on('error', (err) => console.error(`ioredis cluster error: ${err}`));
  assert.equal(await cluster.ping(), 'PONG');
  assert.equal(cluster.nodes('master').length, ports.length);
}

async function keysAcrossNodes() {
  for (let i = 0; i < 200; i++) assert.equal(await cluster.set(`session:${i}`, `user-${i}`, 'EX', 600), 'OK');
  for (let i = 0; i < 200; i++) assert.equal(await cluster.get(`session:${i}`), `user-${i}`);
  // Each node holds some of them, and together exactly all.
  const sizes = await Promise.all(cluster.nodes('master').map((n) => n.dbsize()));
  assert.equal(sizes.reduce((a, b) => a + b, 0), 200);
  assert.ok(sizes.every((n) => n > 0), `keys on every node: ${sizes}`);
}

async function hashTags() {
  await cluster.rpush('{jobs}:pending', 'a', 'b', 'c');
  assert.equal(await cluster.lmove('{jobs}:pending', '{jobs}:running', 'LEFT', 'RIGHT'), 'a');
  const results = await cluster.multi().incr('{jobs}:count').incr('{jobs}:count').exec();
  assert.deepEqual(results, [[null, 1], [null, 2]]);
  await cluster.zadd('{board}:scores', 10, 'ann', 30, 'bob', 20, 'cid');
  assert.deepEqual(await cluster.zrevrange('{board}:scores', 0, 1), ['bob', 'cid']);
}

async function crossSlot() {
  await assert.rejects(cluster.mget('session:1', 'session:2'), /CROSSSLOT|same slot/);
}

runSections('ioredis cluster', [
  ['setup', setup],
  ['keys across nodes', keysAcrossNodes],
  ['hash tags', hashTags],
  ['cross slot', crossSlot],
], { cleanup: async () => { if (cluster) cluster.disconnect(); } });
