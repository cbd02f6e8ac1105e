'use strict';
// ioredis v5 against a server on 127.0.0.1:PORT, as the workshops use it: strings and expiry,
// MULTI/EXEC, pipelines and WATCH, pub/sub on second connections with psubscribe/'pmessage'
// feeding server-sent events, hashes of JSON tasks, a job queue on lists with BLPOP workers, a
// leaderboard on a sorted set, a rate limiter as a Lua script (defineCommand). Every result is
// asserted exactly.
//
//   node ioredis.js PORT        (run by tests/clients/test_node.py)

const Redis = require('ioredis');
const {
  assert, sleep, portFromArgv, runSections, waitFor, startSseServer, sseClient,
} = require('./common');

const port = portFromArgv();
const connections = [];

async function connect() {
  const conn = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,  // a lost connection fails the test instead of reconnecting
  });
  conn.on('error', (err) => console.error(`ioredis error: ${err}`));
  await conn.connect();
  connections.push(conn);
  return conn;
}

let redis;

async function setup() {
  redis = await connect();
  assert.equal(await redis.ping(), 'PONG');
  assert.equal(await redis.flushall(), 'OK');
}

async function stringsAndExpiry() {
  assert.equal(await redis.set('greeting', 'hello'), 'OK');
  assert.equal(await redis.get('greeting'), 'hello');
  assert.equal(await redis.append('greeting', ', world'), 12);
  assert.equal(await redis.getrange('greeting', 0, 4), 'hello');
  assert.equal(await redis.strlen('greeting'), 12);
  assert.equal(await redis.get('missing'), null);
  assert.equal(await redis.incr('visits'), 1);
  assert.equal(await redis.incrby('visits', 41), 42);
  assert.equal(await redis.decrby('visits', 2), 40);
  assert.equal(await redis.incrbyfloat('ratio', 1.5), '1.5');
  assert.equal(await redis.mset({ a: '1', b: '2' }), 'OK');
  assert.deepEqual(await redis.mget('a', 'missing', 'b'), ['1', null, '2']);
  assert.equal(await redis.setnx('a', 'x'), 0);
  assert.equal(await redis.getset('a', '9'), '1');
  assert.equal(await redis.getdel('a'), '9');
  assert.equal(await redis.exists('a', 'b', 'missing'), 1);
  assert.deepEqual(await redis.keys('gre*'), ['greeting']);
  const buf = Buffer.from([0, 1, 2, 255, 13, 10]);
  assert.equal(await redis.set('binary', buf), 'OK');
  assert.deepEqual(await redis.getBuffer('binary'), buf);

  // SET EX / TTL and friends; a key that expires while we wait.
  assert.equal(await redis.set('session:42', 'alice', 'EX', 100), 'OK');
  assert.equal(await redis.ttl('session:42'), 100);
  assert.equal(await redis.ttl('greeting'), -1);
  assert.equal(await redis.ttl('missing'), -2);
  assert.equal(await redis.expire('greeting', 50), 1);
  assert.equal(await redis.ttl('greeting'), 50);
  assert.equal(await redis.persist('greeting'), 1);
  assert.equal(await redis.persist('greeting'), 0);
  assert.equal(await redis.setex('otp', 300, '123456'), 'OK');
  assert.equal(await redis.ttl('otp'), 300);
  assert.equal(await redis.set('session:43', 'bob', 'EX', 100, 'NX'), 'OK');
  assert.equal(await redis.set('session:43', 'eve', 'EX', 100, 'NX'), null);
  assert.equal(await redis.set('flash', 'gone soon', 'PX', 150), 'OK');
  assert.equal(await redis.exists('flash'), 1);
  await sleep(400);
  assert.equal(await redis.get('flash'), null);
  assert.equal(await redis.ttl('flash'), -2);
  assert.equal(await redis.getex('session:43', 'EX', 200), 'bob');
  assert.equal(await redis.ttl('session:43'), 200);
  assert.equal(await redis.getex('session:43', 'PERSIST'), 'bob');
  assert.equal(await redis.ttl('session:43'), -1);
}

async function transactions() {
  // MULTI/EXEC: ioredis returns [error, reply] pairs.
  assert.deepEqual(await redis.multi()
    .set('counter', '10')
    .incr('counter')
    .incrby('counter', 5)
    .get('counter')
    .expire('counter', 60)
    .ttl('counter')
    .exec(), [[null, 'OK'], [null, 11], [null, 16], [null, '16'], [null, 1], [null, 60]]);
  // A run-time error inside the transaction is reported in its slot; the rest ran.
  const mixed = await redis.multi().set('s', 'text').incr('s').get('s').exec();
  assert.equal(mixed.length, 3);
  assert.deepEqual(mixed[0], [null, 'OK']);
  assert.equal(mixed[1][0].message, 'ERR value is not an integer or out of range');
  assert.deepEqual(mixed[2], [null, 'text']);
  // A queuing error aborts the transaction: EXEC fails with EXECABORT.
  await assert.rejects(redis.multi().set('s', 'changed').call('GET').exec(),
    (err) => err.message.startsWith('EXECABORT Transaction discarded because of previous errors'));
  assert.equal(await redis.get('s'), 'text');
  // MULTI/DISCARD by hand.
  assert.equal(await redis.multi({ pipeline: false }), 'OK');
  assert.equal(await redis.set('s', 'discarded'), 'QUEUED');
  assert.equal(await redis.discard(), 'OK');
  assert.equal(await redis.get('s'), 'text');
  // A pipeline without MULTI.
  assert.deepEqual(await redis.pipeline().set('p', '1').incr('p').del('p').exec(),
    [[null, 'OK'], [null, 2], [null, 1]]);

  // WATCH: a conflicting write from another connection makes EXEC return null.
  const other = await connect();
  assert.equal(await redis.set('balance', '100'), 'OK');
  assert.equal(await redis.watch('balance'), 'OK');
  const balance = Number(await redis.get('balance'));
  assert.equal(await other.incrby('balance', 5), 105);
  assert.equal(await redis.multi().set('balance', String(balance - 30)).exec(), null);
  assert.equal(await redis.get('balance'), '105');
  // No conflict: the transaction commits.
  assert.equal(await redis.watch('balance'), 'OK');
  assert.deepEqual(await redis.multi().decrby('balance', 30).exec(), [[null, 75]]);
  // UNWATCH forgets the watched keys.
  assert.equal(await redis.watch('balance'), 'OK');
  assert.equal(await redis.unwatch(), 'OK');
  assert.equal(await other.set('balance', '1'), 'OK');
  assert.deepEqual(await redis.multi().get('balance').exec(), [[null, '1']]);
}

async function pubsub() {
  // A second connection subscribes to a channel and a pattern ('message' and 'pmessage').
  const sub = await connect();
  const sub2 = await connect();
  const got = [];
  const got2 = [];
  sub.on('message', (channel, message) => got.push(['message', channel, message]));
  sub.on('pmessage', (pattern, channel, message) => {
    got.push(['pmessage', pattern, channel, message]);
  });
  sub2.on('pmessage', (pattern, channel, message) => got2.push([pattern, channel, message]));
  assert.equal(await sub.subscribe('news', 'alerts'), 2);
  assert.equal(await sub.psubscribe('tasks:*'), 3);
  assert.equal(await sub2.psubscribe('tasks:*', 'news*'), 2);
  // A subscribed connection only takes (P)SUBSCRIBE-family commands and PING.
  await assert.rejects(sub.get('greeting'),
    /Connection in subscriber mode, only subscriber commands may be used/);

  assert.deepEqual(await redis.pubsub('NUMSUB', 'news', 'tasks:1'), ['news', 1, 'tasks:1', 0]);
  assert.equal(await redis.pubsub('NUMPAT'), 2);  // distinct patterns: tasks:* and news*
  assert.deepEqual((await redis.pubsub('CHANNELS')).sort(), ['alerts', 'news']);
  assert.equal(await redis.publish('news', 'first'), 2);  // sub on the channel, sub2 on news*
  assert.equal(await redis.publish('tasks:1', 'created'), 2);  // tasks:* on both
  assert.equal(await redis.publish('alerts', 'fire'), 1);
  assert.equal(await redis.publish('nobody', 'x'), 0);
  await waitFor(() => got.length === 3 && got2.length === 2, 'the published messages');
  assert.deepEqual(got, [
    ['message', 'news', 'first'],
    ['pmessage', 'tasks:*', 'tasks:1', 'created'],
    ['message', 'alerts', 'fire'],
  ]);
  assert.deepEqual(got2, [['news*', 'news', 'first'], ['tasks:*', 'tasks:1', 'created']]);

  assert.equal(await sub.punsubscribe('tasks:*'), 2);
  assert.equal(await sub.unsubscribe('news', 'alerts'), 0);
  assert.equal(await redis.publish('tasks:2', 'x'), 1);
  await waitFor(() => got2.length === 3, 'the message to sub2');
  await sleep(50);
  assert.equal(got.length, 3);
  // Back in normal mode.
  assert.equal(await sub.get('greeting'), 'hello, world');
  await sub2.punsubscribe();
  assert.equal(await redis.pubsub('NUMPAT'), 0);
}

async function serverSentEvents() {
  // An http server relays a pattern subscription (one ioredis connection per request) to the
  // browser as server-sent events; an http client in this script receives them.
  const sse = await startSseServer(async (onMessage) => {
    const sub = await connect();
    sub.on('pmessage', (pattern, channel, message) => onMessage(channel, message));
    await sub.psubscribe('events:*');
    return async () => {
      await sub.punsubscribe('events:*');
      await sub.quit();
    };
  });
  try {
    const browser = sseClient(sse.address().port, 3);
    await browser.ready;
    assert.equal(await redis.publish('events:task', JSON.stringify({ id: 7, status: 'open' })), 1);
    assert.equal(await redis.publish('unrelated', 'skip me'), 0);
    assert.equal(await redis.publish('events:task', JSON.stringify({ id: 7, status: 'done' })), 1);
    assert.equal(await redis.publish('events:chat', 'multi\\nline? no: one line'), 1);
    const events = await browser.done;
    assert.deepEqual(events, [
      { id: '1', event: 'events:task', data: '{"id":7,"status":"open"}' },
      { id: '2', event: 'events:task', data: '{"id":7,"status":"done"}' },
      { id: '3', event: 'events:chat', data: 'multi\\nline? no: one line' },
    ]);
    await waitFor(async () => (await redis.pubsub('NUMPAT')) === 0, 'the relay to unsubscribe');
    assert.equal(await redis.publish('events:task', 'late'), 0);
  } finally {
    await new Promise((resolve) => { sse.close(resolve); });
  }
}

async function jsonTasks() {
  const tasks = [
    { id: 1, title: 'Write docs', tags: ['docs'], done: false, estimate: 1.5 },
    { id: 2, title: 'Fix "quotes" & ünïcode ✓', tags: [], done: true, estimate: 0 },
    { id: 3, title: 'Ship', tags: ['release', 'v1'], done: false, owner: null },
  ];
  for (const t of tasks) {
    const fields = { title: t.title, done: String(t.done), json: JSON.stringify(t) };
    assert.equal(await redis.hset(`task:${t.id}`, fields), 3);
  }
  for (const t of tasks) {
    const h = await redis.hgetall(`task:${t.id}`);
    assert.deepEqual({ ...h }, { title: t.title, done: String(t.done), json: JSON.stringify(t) });
    assert.deepEqual(JSON.parse(h.json), t);
  }
  assert.deepEqual({ ...(await redis.hgetall('task:404')) }, {});
  // All tasks in one hash: field = id, value = JSON (HSET with field/value arguments).
  const pairs = tasks.flatMap((t) => [String(t.id), JSON.stringify(t)]);
  assert.equal(await redis.hset('tasks', ...pairs), 3);
  const all = await redis.hgetall('tasks');
  assert.deepEqual(Object.keys(all).sort(), ['1', '2', '3']);
  assert.deepEqual(Object.values(all).map((v) => JSON.parse(v)).sort((a, b) => a.id - b.id), tasks);
  const updated = { ...tasks[2], owner: 'carol' };
  assert.equal(await redis.hset('tasks', '3', JSON.stringify(updated)), 0);
  assert.deepEqual(JSON.parse(await redis.hget('tasks', '3')), updated);
  assert.equal(await redis.hsetnx('tasks', '4', '{"id":4}'), 1);
  assert.equal(await redis.hsetnx('tasks', '4', '{}'), 0);
  assert.equal(await redis.hmset('task:1', 'priority', 'high', 'owner', 'alice'), 'OK');
  assert.deepEqual(await redis.hmget('task:1', 'priority', 'owner', 'nope'),
    ['high', 'alice', null]);
  assert.equal(await redis.hdel('tasks', '2', '4', 'nope'), 2);
  assert.equal(await redis.hlen('tasks'), 2);
  assert.deepEqual((await redis.hvals('tasks')).map((v) => JSON.parse(v).id).sort(), [1, 3]);
  assert.equal(await redis.hincrby('task:1', 'views', 10), 10);
  assert.equal(await redis.hincrbyfloat('task:1', 'spent', 0.5), '0.5');
  assert.equal(await redis.hexists('task:1', 'views'), 1);
  // hashes in a transaction
  assert.deepEqual(await redis.multi()
    .hset('task:9', 'title', 'in a tx')
    .hget('task:9', 'title')
    .hlen('task:9')
    .exec(),
    [[null, 1], [null, 'in a tx'], [null, 1]]);
}

// INFO clients' blocked_clients: a test waits for a worker to block before it pushes, so the
// order in which workers blocked (and are served) is deterministic.
async function waitBlocked(n) {
  await waitFor(async () => {
    const m = /\r?\nblocked_clients:(\d+)/.exec(await redis.info('clients'));
    return m !== null && Number(m[1]) === n;
  }, `${n} blocked client(s) in INFO clients`);
}

async function jobQueue() {
  const producer = redis;
  const worker = await connect();  // BLPOP blocks its connection: the worker has its own

  const processed = [];
  const work = (async () => {
    for (;;) {
      const job = await worker.blpop('jobs', 1);
      if (job === null) return;  // nothing for a second
      assert.equal(job[0], 'jobs');
      processed.push(JSON.parse(job[1]));
    }
  })();
  await waitBlocked(1);
  const jobs = [1, 2, 3, 4, 5].map((n) => ({ n, task: `send email ${n}` }));
  assert.equal(await producer.rpush('jobs', JSON.stringify(jobs[0]), JSON.stringify(jobs[1])), 2);
  await waitFor(() => processed.length === 2, 'the first two jobs');
  assert.equal(await producer.rpush('jobs', ...jobs.slice(2).map((j) => JSON.stringify(j))), 3);
  const emptyFrom = Date.now();
  await work;
  const waited = Date.now() - emptyFrom;
  assert.deepEqual(processed, jobs);
  assert.ok(waited >= 900, `BLPOP on an empty queue gave null after ${waited} ms (timeout 1 s)`);
  assert.equal(await producer.llen('jobs'), 0);

  // Workers blocked on the same queue are served in the order they blocked (BRPOP too).
  const worker2 = await connect();
  const first = worker.brpop('jobs', 5);
  await waitBlocked(1);
  const second = worker2.blpop('jobs', 5);
  await waitBlocked(2);
  assert.equal(await producer.lpush('jobs', 'a', 'b'), 2);  // list: b a
  assert.deepEqual(await first, ['jobs', 'a']);   // BRPOP takes the tail
  assert.deepEqual(await second, ['jobs', 'b']);
  assert.equal(await worker.blpop('jobs', 0.2), null);

  // BLMOVE / BRPOPLPUSH into a processing list.
  assert.equal(await producer.rpush('q', 'j1', 'j2', 'j3'), 3);
  assert.equal(await worker.blmove('q', 'processing', 'LEFT', 'RIGHT', 1), 'j1');
  assert.equal(await worker.brpoplpush('q', 'processing', 1), 'j3');
  assert.deepEqual(await producer.lrange('processing', 0, -1), ['j3', 'j1']);
  assert.equal(await producer.lrem('processing', 0, 'j1'), 1);
  assert.equal(await producer.lmove('q', 'processing', 'RIGHT', 'RIGHT'), 'j2');
  assert.deepEqual(await producer.lrange('processing', 0, -1), ['j3', 'j2']);
  assert.equal(await producer.lpos('processing', 'j2'), 1);
  assert.equal(await producer.linsert('processing', 'BEFORE', 'j2', 'j2.5'), 3);
  assert.equal(await producer.lset('processing', 0, 'J3'), 'OK');
  assert.deepEqual(await producer.lrange('processing', 0, -1), ['J3', 'j2.5', 'j2']);
  assert.deepEqual(await producer.lpop('processing', 5), ['J3', 'j2.5', 'j2']);
  assert.equal(await producer.exists('processing'), 0);
}

async function leaderboard() {
  const lb = 'leaderboard';
  assert.equal(await redis.zadd(lb, 100, 'alice', 80, 'bob', 120, 'carol', 95, 'dave'), 4);
  assert.equal(await redis.zincrby(lb, 50, 'bob'), '130');
  assert.equal(await redis.zincrby(lb, 2.5, 'dave'), '97.5');
  assert.equal(await redis.zincrby(lb, -1000, 'erin'), '-1000');
  assert.deepEqual(await redis.zrevrange(lb, 0, -1, 'WITHSCORES'),
    ['bob', '130', 'carol', '120', 'alice', '100', 'dave', '97.5', 'erin', '-1000']);
  assert.deepEqual(await redis.zrevrange(lb, 0, 2), ['bob', 'carol', 'alice']);
  assert.deepEqual(await redis.zrange(lb, 0, 0, 'WITHSCORES'), ['erin', '-1000']);
  assert.equal(await redis.zrank(lb, 'alice'), 2);
  assert.equal(await redis.zrank(lb, 'erin'), 0);
  assert.equal(await redis.zrevrank(lb, 'bob'), 0);
  assert.equal(await redis.zrank(lb, 'nobody'), null);
  assert.equal(await redis.zscore(lb, 'dave'), '97.5');
  assert.deepEqual(await redis.zmscore(lb, 'alice', 'nobody'), ['100', null]);
  assert.equal(await redis.zcard(lb), 5);
  assert.equal(await redis.zcount(lb, '-inf', '(100'), 2);
  assert.deepEqual(await redis.zrangebyscore(lb, 90, '+inf', 'WITHSCORES', 'LIMIT', 0, 2),
    ['dave', '97.5', 'alice', '100']);
  assert.deepEqual(await redis.zrevrangebyscore(lb, '+inf', 100), ['bob', 'carol', 'alice']);
  assert.equal(await redis.zadd(lb, 'XX', 'CH', 121, 'carol', 1, 'zed'), 1);
  assert.equal(await redis.zadd(lb, 'NX', 1, 'zed', 1, 'carol'), 1);
  assert.equal(await redis.zadd(lb, 'INCR', 4, 'zed'), '5');
  assert.deepEqual(await redis.zpopmax(lb), ['bob', '130']);
  assert.equal(await redis.zrem(lb, 'zed', 'erin'), 2);
  assert.equal(await redis.zremrangebyscore(lb, '-inf', 97.5), 1);
  assert.deepEqual(await redis.zrevrange(lb, 0, -1, 'WITHSCORES'),
    ['carol', '121', 'alice', '100']);
  // Exact double formatting.
  assert.equal(await redis.zadd('scores', 0.1, 'x'), 1);
  assert.equal(await redis.zincrby('scores', 0.2, 'x'), '0.30000000000000004');
  assert.equal(await redis.zadd('scores', '+inf', 'top', '1e-7', 'tiny'), 2);
  assert.deepEqual(await redis.zrange('scores', 0, -1, 'WITHSCORES'),
    ['tiny', '9.9999999999999995e-08', 'x', '0.30000000000000004', 'top', 'inf']);
  // A weekly board that expires, in a transaction.
  assert.deepEqual(await redis.multi()
    .zadd('leaderboard:week', 10, 'alice')
    .expire('leaderboard:week', 604800)
    .ttl('leaderboard:week')
    .exec(), [[null, 1], [null, 1], [null, 604800]]);
}

async function wrongType() {
  await assert.rejects(redis.lpush('greeting', 'x'),
    { message: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
  await assert.rejects(redis.zadd('tasks', 1, 'x'),
    { message: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
}

// A fixed-window rate limiter as middleware writes it: INCR, and EXPIRE on the first hit.
const RATE_LIMIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

async function luaScripts() {
  redis.defineCommand('hit', { numberOfKeys: 1, lua: RATE_LIMIT });
  await redis.script('FLUSH');
  const first = await redis.hit('rl:ip:1', 60000);  // EVALSHA, NOSCRIPT, then EVAL
  assert.equal(first[0], 1);
  assert.ok(first[1] > 59000 && first[1] <= 60000, `PTTL ${first[1]}`);
  const burst = await redis.pipeline().hit('rl:ip:1', 60000).hit('rl:ip:1', 60000).exec();
  assert.deepEqual(burst.map(([err, [n]]) => [err, n]), [[null, 2], [null, 3]]);
  assert.equal(await redis.eval("return redis.call('GET', KEYS[1])", 1, 'rl:ip:1'), '3');
  assert.deepEqual(await redis.eval("return {1, 'two', {ok='OK'}, false}", 0), [1, 'two', 'OK', null]);
  await assert.rejects(redis.eval("return redis.call('LPUSH', KEYS[1], 'x')", 1, 'greeting'), {
    message: 'WRONGTYPE Operation against a key holding the wrong kind of value script: '
      + 'c0f4e07d13acc8c1c810243d737b96cf873d836e, on @user_script:1.',
  });
}

async function cleanup() {
  for (const c of connections.reverse()) {
    if (c.status === 'ready') await c.quit();
  }
}

runSections('ioredis', [
  ['connect', setup],
  ['strings and expiry (SET EX, TTL)', stringsAndExpiry],
  ['MULTI/EXEC, pipelines, WATCH', transactions],
  ['pub/sub: psubscribe and pmessage on second connections', pubsub],
  ['pub/sub feeding server-sent events', serverSentEvents],
  ['HSET/HGETALL of JSON tasks', jsonTasks],
  ['job queue: BLPOP/BRPOP workers, BLMOVE', jobQueue],
  ['leaderboard: ZADD/ZINCRBY/ZREVRANGE WITHSCORES/ZRANK', leaderboard],
  ['WRONGTYPE', wrongType],
  ['Lua: defineCommand rate limiter, EVAL conversions and errors', luaScripts],
], { cleanup });
