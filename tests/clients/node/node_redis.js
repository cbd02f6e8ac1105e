'use strict';
// node-redis v4 (`redis@4`) against a server on 127.0.0.1:PORT, as the workshops use it:
// strings and expiry, MULTI/EXEC and WATCH, pub/sub with duplicate() subscriber clients and
// pattern subscriptions feeding server-sent events, hashes of JSON tasks, a job queue on lists
// with BLPOP workers, a leaderboard on a sorted set. Every result is asserted exactly.
//
//   node node_redis.js PORT        (run by tests/clients/test_node.py)

const { createClient, commandOptions } = require('redis');
const {
  assert, sleep, portFromArgv, runSections, waitFor, startSseServer, sseClient,
} = require('./common');

const port = portFromArgv();
const clients = [];

// hGetAll and friends return objects without a prototype; compare them as plain objects.
const plain = (obj) => ({ ...obj });

async function connect() {
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false } });
  client.on('error', (err) => console.error(`client error: ${err}`));
  await client.connect();
  clients.push(client);
  return client;
}

async function duplicate(client) {
  const dup = client.duplicate();
  dup.on('error', (err) => console.error(`duplicate error: ${err}`));
  await dup.connect();
  clients.push(dup);
  return dup;
}

let client;

async function setup() {
  client = await connect();
  assert.equal(await client.ping(), 'PONG');
  assert.equal(await client.flushAll(), 'OK');
}

async function stringsAndExpiry() {
  assert.equal(await client.set('greeting', 'hello'), 'OK');
  assert.equal(await client.get('greeting'), 'hello');
  assert.equal(await client.append('greeting', ', world'), 12);
  assert.equal(await client.get('greeting'), 'hello, world');
  assert.equal(await client.get('missing'), null);
  assert.equal(await client.incr('visits'), 1);
  assert.equal(await client.incrBy('visits', 41), 42);
  assert.equal(await client.decr('visits'), 41);
  assert.equal(await client.incrByFloat('ratio', '0.1'), '0.1');
  assert.equal(await client.incrByFloat('ratio', '0.2'), '0.3');
  assert.equal(await client.mSet({ a: '1', b: '2' }), 'OK');
  assert.deepEqual(await client.mGet(['a', 'missing', 'b']), ['1', null, '2']);
  assert.equal(await client.set('a', 'x', { NX: true }), null);
  assert.equal(await client.set('a', 'y', { XX: true, GET: true }), '1');
  assert.equal(await client.exists(['a', 'b', 'missing']), 2);
  assert.equal(await client.del(['a', 'b', 'missing']), 2);
  assert.equal(await client.type('greeting'), 'string');

  // SET EX / TTL, EXPIRE / PERSIST, SETEX, a key that expires while we wait.
  assert.equal(await client.set('session:42', 'alice', { EX: 100 }), 'OK');
  assert.equal(await client.ttl('session:42'), 100);
  const pttl = await client.pTTL('session:42');
  assert.ok(pttl > 99000 && pttl <= 100000, `PTTL ${pttl}`);
  assert.equal(await client.ttl('greeting'), -1);
  assert.equal(await client.ttl('missing'), -2);
  assert.equal(await client.expire('greeting', 50), true);
  assert.equal(await client.ttl('greeting'), 50);
  assert.equal(await client.persist('greeting'), true);
  assert.equal(await client.ttl('greeting'), -1);
  assert.equal(await client.setEx('otp', 300, '123456'), 'OK');
  assert.equal(await client.ttl('otp'), 300);
  assert.equal(await client.set('flash', 'gone soon', { PX: 150 }), 'OK');
  assert.equal(await client.get('flash'), 'gone soon');
  await sleep(400);
  assert.equal(await client.get('flash'), null);
  assert.equal(await client.exists('flash'), 0);
  assert.equal(await client.ttl('flash'), -2);
  // SET with KEEPTTL keeps the expiry; a plain SET clears it.
  assert.equal(await client.set('session:42', 'bob', { KEEPTTL: true }), 'OK');
  assert.equal(await client.ttl('session:42'), 100);
  assert.equal(await client.set('session:42', 'carol'), 'OK');
  assert.equal(await client.ttl('session:42'), -1);
}

async function transactions() {
  // MULTI/EXEC through the client's API: queued commands, replies in order.
  const replies = await client.multi()
    .set('counter', '10')
    .incr('counter')
    .incrBy('counter', 5)
    .get('counter')
    .expire('counter', 60)
    .ttl('counter')
    .exec();
  assert.deepEqual(replies, ['OK', 11, 16, '16', true, 60]);

  // A command that fails at run time does not abort the others; node-redis rejects with a
  // MultiErrorReply that carries every reply.
  await assert.rejects(client.multi().set('s', 'text').incr('s').get('s').exec(), (err) => {
    assert.equal(err.constructor.name, 'MultiErrorReply');
    assert.deepEqual(err.errorIndexes, [1]);
    assert.equal(err.replies.length, 3);
    assert.equal(err.replies[0], 'OK');
    assert.equal(err.replies[1].message, 'ERR value is not an integer or out of range');
    assert.equal(err.replies[2], 'text');
    return true;
  });
  // A queuing error (wrong arity) aborts the whole transaction: EXECABORT.
  await assert.rejects(client.multi().set('s', 'changed').addCommand(['GET']).exec(),
    (err) => err.message.startsWith('EXECABORT Transaction discarded because of previous errors'));
  assert.equal(await client.get('s'), 'text');

  // WATCH on an isolated connection; a write from another connection aborts EXEC.
  const other = await duplicate(client);
  await client.set('balance', '100');
  await assert.rejects(
    client.executeIsolated(async (iso) => {
      assert.equal(await iso.watch('balance'), 'OK');
      const balance = Number(await iso.get('balance'));
      assert.equal(await other.set('balance', '0'), 'OK');  // the conflicting write
      return iso.multi().set('balance', String(balance - 30)).exec();
    }),
    (err) => err.constructor.name === 'WatchError'
      && err.message === 'One (or more) of the watched keys has been changed',
  );
  assert.equal(await client.get('balance'), '0');
  // Without a conflict the same transaction commits.
  const committed = await client.executeIsolated(async (iso) => {
    await iso.watch('balance');
    const balance = Number(await iso.get('balance'));
    return iso.multi().set('balance', String(balance + 30)).get('balance').exec();
  });
  assert.deepEqual(committed, ['OK', '30']);
  // A pipeline (no MULTI) of mixed commands.
  const piped = await client.multi().set('p', '1').incr('p').execAsPipeline();
  assert.deepEqual(piped, ['OK', 2]);
}

async function pubsub() {
  // Two duplicate() subscribers: one on a channel and a pattern, one on the channel only.
  const sub1 = await duplicate(client);
  const sub2 = await duplicate(client);
  const got1 = [];
  const got2 = [];
  await sub1.subscribe('news', (message, channel) => got1.push(['message', channel, message]));
  await sub1.pSubscribe('tasks:*', (message, channel) => got1.push(['pmessage', channel, message]));
  await sub2.subscribe('news', (message, channel) => got2.push(['message', channel, message]));

  assert.deepEqual(plain(await client.pubSubNumSub(['news', 'tasks:created', 'nobody'])),
    { news: 2, 'tasks:created': 0, nobody: 0 });
  assert.equal(await client.pubSubNumPat(), 1);
  assert.deepEqual(await client.pubSubChannels('new*'), ['news']);

  assert.equal(await client.publish('news', 'first'), 2);
  assert.equal(await client.publish('tasks:created', JSON.stringify({ id: 1 })), 1);
  assert.equal(await client.publish('tasks:done', '1'), 1);
  assert.equal(await client.publish('other', 'nobody listens'), 0);
  assert.equal(await client.publish('news', 'second'), 2);
  await waitFor(() => got1.length === 4 && got2.length === 2, 'the published messages');
  assert.deepEqual(got1, [
    ['message', 'news', 'first'],
    ['pmessage', 'tasks:created', '{"id":1}'],
    ['pmessage', 'tasks:done', '1'],
    ['message', 'news', 'second'],
  ]);
  assert.deepEqual(got2, [['message', 'news', 'first'], ['message', 'news', 'second']]);

  await sub1.unsubscribe('news');
  await sub1.pUnsubscribe('tasks:*');
  assert.equal(await client.publish('news', 'third'), 1);
  assert.equal(await client.publish('tasks:created', 'x'), 0);
  await waitFor(() => got2.length === 3, 'the third message');
  assert.deepEqual(got2[2], ['message', 'news', 'third']);
  await sleep(50);
  assert.equal(got1.length, 4);
  assert.equal(await client.pubSubNumPat(), 0);
  // An unsubscribed duplicate is a normal client again.
  assert.equal(await sub1.set('after-pubsub', 'yes'), 'OK');
  await sub2.unsubscribe();
  assert.equal(await client.publish('news', 'fourth'), 0);
}

async function serverSentEvents() {
  // An http server relays a pattern subscription (on its own duplicate() client per request)
  // to the browser as server-sent events; an http client in this script receives them.
  const subscribers = [];
  const sse = await startSseServer(async (onMessage) => {
    const sub = await duplicate(client);
    subscribers.push(sub);
    await sub.pSubscribe('events:*', (message, channel) => onMessage(channel, message));
    return async () => {
      await sub.pUnsubscribe('events:*');
      await sub.quit();
    };
  });
  try {
    const browser = sseClient(sse.address().port, 3);
    await browser.ready;
    assert.equal(await client.publish('events:task', JSON.stringify({ id: 7, status: 'open' })), 1);
    assert.equal(await client.publish('unrelated', 'skip me'), 0);
    assert.equal(await client.publish('events:task', JSON.stringify({ id: 7, status: 'done' })), 1);
    assert.equal(await client.publish('events:chat', 'hello, browser'), 1);
    const events = await browser.done;
    assert.deepEqual(events, [
      { id: '1', event: 'events:task', data: '{"id":7,"status":"open"}' },
      { id: '2', event: 'events:task', data: '{"id":7,"status":"done"}' },
      { id: '3', event: 'events:chat', data: 'hello, browser' },
    ]);
    // The browser went away: the relay unsubscribes and nobody receives the next event.
    await waitFor(async () => (await client.pubSubNumPat()) === 0, 'the relay to unsubscribe');
    assert.equal(await client.publish('events:task', 'late'), 0);
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
  // One hash per task, with a field holding JSON.
  for (const t of tasks) {
    const fields = { title: t.title, done: String(t.done), json: JSON.stringify(t) };
    assert.equal(await client.hSet(`task:${t.id}`, fields), 3);
  }
  for (const t of tasks) {
    const h = plain(await client.hGetAll(`task:${t.id}`));
    assert.deepEqual(h, { title: t.title, done: String(t.done), json: JSON.stringify(t) });
    assert.deepEqual(JSON.parse(h.json), t);
  }
  assert.deepEqual(plain(await client.hGetAll('task:404')), {});
  // One hash of all tasks: field = id, value = JSON.
  const byId = Object.fromEntries(tasks.map((t) => [t.id, JSON.stringify(t)]));
  assert.equal(await client.hSet('tasks', byId), 3);
  const all = plain(await client.hGetAll('tasks'));
  assert.deepEqual(Object.keys(all).sort(), ['1', '2', '3']);
  assert.deepEqual(Object.values(all).map((v) => JSON.parse(v)).sort((a, b) => a.id - b.id), tasks);
  // Update one task: HSET of an existing field returns 0 (no new field).
  const updated = { ...tasks[0], done: true };
  assert.equal(await client.hSet('tasks', '1', JSON.stringify(updated)), 0);
  assert.deepEqual(JSON.parse(await client.hGet('tasks', '1')), updated);
  assert.equal(await client.hSetNX('tasks', '1', '{}'), false);
  assert.equal(await client.hExists('tasks', '2'), true);
  assert.equal(await client.hDel('tasks', ['2', 'nope']), 1);
  assert.equal(await client.hExists('tasks', '2'), false);
  assert.equal(await client.hLen('tasks'), 2);
  assert.deepEqual((await client.hKeys('tasks')).sort(), ['1', '3']);
  assert.deepEqual(await client.hmGet('tasks', ['3', '2']), [JSON.stringify(tasks[2]), null]);
  assert.equal(await client.hIncrBy('task:1', 'views', 3), 3);
  assert.equal(await client.hIncrBy('task:1', 'views', -1), 2);
  assert.equal(await client.hIncrByFloat('task:1', 'spent', '0.25'), '0.25');
  assert.equal(await client.hStrLen('task:1', 'title'), 'Write docs'.length);
  // A set of open task ids next to the hashes.
  assert.equal(await client.sAdd('tasks:open', ['1', '3']), 2);
  assert.equal(await client.sIsMember('tasks:open', '3'), true);
  assert.equal(await client.sMove('tasks:open', 'tasks:closed', '1'), true);
  assert.deepEqual((await client.sMembers('tasks:open')).sort(), ['3']);
  assert.deepEqual(await client.sMembers('tasks:closed'), ['1']);
  assert.equal(await client.sCard('tasks:open'), 1);
}

// INFO clients' blocked_clients: a test waits for a worker to block before it pushes, so the
// order in which workers blocked (and are served) is deterministic.
async function waitBlocked(n) {
  await waitFor(async () => {
    const m = /\r?\nblocked_clients:(\d+)/.exec(await client.info('clients'));
    return m !== null && Number(m[1]) === n;
  }, `${n} blocked client(s) in INFO clients`);
}

async function jobQueue() {
  const producer = client;
  const worker = await duplicate(client);  // a blocked BLPOP needs its own connection

  // A worker blocked in BLPOP gets the jobs another connection pushes, in order.
  const processed = [];
  const work = (async () => {
    for (;;) {
      const job = await worker.blPop('jobs', 1);
      if (job === null) return;  // the queue stayed empty for a second
      assert.equal(job.key, 'jobs');
      processed.push(JSON.parse(job.element));
    }
  })();
  await waitBlocked(1);
  assert.equal(processed.length, 0);
  const jobs = [1, 2, 3, 4].map((n) => ({ n, task: `resize image ${n}` }));
  assert.equal(await producer.rPush('jobs', JSON.stringify(jobs[0])), 1);
  await waitFor(() => processed.length === 1, 'the first job');
  assert.equal(await producer.rPush('jobs', jobs.slice(1).map((j) => JSON.stringify(j))), 3);
  const emptyFrom = Date.now();
  await work;
  const waited = Date.now() - emptyFrom;
  assert.deepEqual(processed, jobs);
  assert.ok(waited >= 900, `BLPOP on an empty queue gave null after ${waited} ms (timeout 1 s)`);
  assert.equal(await producer.lLen('jobs'), 0);

  // BLPOP with a fractional timeout on an empty queue returns null.
  const t0 = Date.now();
  assert.equal(await worker.blPop('jobs', 0.3), null);
  assert.ok(Date.now() - t0 >= 250, 'BLPOP 0.3 returned too early');

  // Two workers blocked on the same queue are served in the order they blocked.
  const worker2 = await duplicate(client);
  const first = worker.blPop(['jobs:urgent', 'jobs'], 5);
  await waitBlocked(1);
  const second = worker2.blPop(['jobs', 'jobs:urgent'], 5);
  await waitBlocked(2);
  assert.equal(await producer.lPush('jobs', 'a'), 1);
  assert.deepEqual(plain(await first), { key: 'jobs', element: 'a' });
  assert.equal(await producer.rPush('jobs:urgent', ['b', 'c']), 2);
  assert.deepEqual(plain(await second), { key: 'jobs:urgent', element: 'b' });
  assert.deepEqual(await producer.lRange('jobs:urgent', 0, -1), ['c']);
  // With jobs waiting, BLPOP returns at once, from the first non-empty key it names.
  assert.deepEqual(plain(await worker.blPop(['jobs', 'jobs:urgent'], 1)),
    { key: 'jobs:urgent', element: 'c' });

  // The reliable-queue pattern: BLMOVE into a processing list, LREM to acknowledge.
  assert.equal(await producer.rPush('q', ['j1', 'j2']), 2);
  assert.equal(await worker.blMove('q', 'processing', 'LEFT', 'RIGHT', 1), 'j1');
  assert.deepEqual(await producer.lRange('processing', 0, -1), ['j1']);
  assert.equal(await producer.lRem('processing', 1, 'j1'), 1);
  const moving = worker.blMove('empty', 'processing', 'RIGHT', 'LEFT', 5);
  await waitBlocked(1);
  assert.equal(await producer.lPush('empty', ['x', 'y']), 2);  // y is at the head, x the tail
  assert.equal(await moving, 'x');
  assert.deepEqual(await producer.lRange('processing', 0, -1), ['x']);
  assert.deepEqual(await producer.lRange('empty', 0, -1), ['y']);
  assert.equal(await worker.blMove('nothing', 'processing', 'LEFT', 'LEFT', 0.2), null);
  // An isolated blocking command on the shared client (node-redis' commandOptions).
  const isolated = client.blPop(commandOptions({ isolated: true }), 'later', 5);
  await waitBlocked(1);
  assert.equal(await producer.rPush('later', 'z'), 1);
  assert.deepEqual(plain(await isolated), { key: 'later', element: 'z' });
  // Non-blocking list commands around a queue.
  assert.equal(await producer.rPush('log', ['a', 'b', 'c', 'd', 'e']), 5);
  assert.equal(await producer.lTrim('log', -3, -1), 'OK');
  assert.deepEqual(await producer.lRange('log', 0, -1), ['c', 'd', 'e']);
  assert.equal(await producer.lIndex('log', -1), 'e');
  assert.deepEqual(await producer.rPopCount('log', 2), ['e', 'd']);
  assert.equal(await producer.lPop('log'), 'c');
  assert.equal(await producer.exists('log'), 0);
}

async function leaderboard() {
  const lb = 'leaderboard';
  assert.equal(await client.zAdd(lb, [
    { score: 100, value: 'alice' },
    { score: 80, value: 'bob' },
    { score: 120, value: 'carol' },
    { score: 95, value: 'dave' },
  ]), 4);
  assert.equal(await client.zIncrBy(lb, 50, 'bob'), 130);
  assert.equal(await client.zIncrBy(lb, 7, 'erin'), 7);  // a new player
  assert.equal(await client.zIncrBy(lb, 2.5, 'dave'), 97.5);
  // ZREVRANGE ... WITHSCORES, as sent by hand and through the client's API.
  assert.deepEqual(await client.sendCommand(['ZREVRANGE', lb, '0', '2', 'WITHSCORES']),
    ['bob', '130', 'carol', '120', 'alice', '100']);
  assert.deepEqual(await client.zRangeWithScores(lb, 0, -1, { REV: true }), [
    { value: 'bob', score: 130 },
    { value: 'carol', score: 120 },
    { value: 'alice', score: 100 },
    { value: 'dave', score: 97.5 },
    { value: 'erin', score: 7 },
  ]);
  assert.deepEqual(await client.zRange(lb, 0, 1), ['erin', 'dave']);
  assert.equal(await client.zRank(lb, 'alice'), 2);
  assert.equal(await client.zRevRank(lb, 'alice'), 2);
  assert.equal(await client.zRevRank(lb, 'bob'), 0);
  assert.equal(await client.zRank(lb, 'nobody'), null);
  assert.equal(await client.zScore(lb, 'dave'), 97.5);
  assert.equal(await client.zScore(lb, 'nobody'), null);
  assert.equal(await client.zCard(lb), 5);
  assert.equal(await client.zCount(lb, 97.5, '+inf'), 4);
  assert.equal(await client.zCount(lb, '(97.5', 120), 2);
  assert.deepEqual(await client.zRange(lb, 100, 130, { BY: 'SCORE' }), ['alice', 'carol', 'bob']);
  const limit = { offset: 1, count: 2 };
  const byScoreRev = { BY: 'SCORE', REV: true, LIMIT: limit };
  assert.deepEqual(await client.zRange(lb, '+inf', '-inf', byScoreRev),
    ['carol', 'alice']);
  // GT only raises a score; CH counts changed members.
  const raise = [{ score: 90, value: 'alice' }, { score: 125, value: 'carol' }];
  assert.equal(await client.zAdd(lb, raise, { GT: true, CH: true }), 1);
  assert.equal(await client.zScore(lb, 'alice'), 100);
  assert.equal(await client.zScore(lb, 'carol'), 125);
  // Scores print as Redis prints doubles.
  assert.equal(await client.zAdd('scores', [{ score: 0.1, value: 'x' }]), 1);
  assert.equal(await client.sendCommand(['ZINCRBY', 'scores', '0.2', 'x']), '0.30000000000000004');
  assert.equal(await client.sendCommand(['ZADD', 'scores', '1e21', 'big']), 1);
  assert.deepEqual(await client.sendCommand(['ZRANGE', 'scores', '0', '-1', 'WITHSCORES']),
    ['x', '0.30000000000000004', 'big', '1e+21']);
  assert.equal(await client.sendCommand(['ZADD', 'scores', '-inf', 'floor']), 1);
  assert.equal(await client.sendCommand(['ZSCORE', 'scores', 'floor']), '-inf');
  // Top players, then remove the last one.
  assert.deepEqual(await client.zPopMin(lb), { value: 'erin', score: 7 });
  assert.equal(await client.zRem(lb, ['dave', 'nobody']), 1);
  assert.deepEqual(await client.zRange(lb, 0, -1, { REV: true }), ['bob', 'carol', 'alice']);
  // A weekly board that expires.
  assert.equal(await client.zAdd('leaderboard:week', [{ score: 1, value: 'alice' }]), 1);
  assert.equal(await client.expire('leaderboard:week', 7 * 24 * 3600), true);
  assert.equal(await client.ttl('leaderboard:week'), 604800);
  assert.equal(await client.type('leaderboard:week'), 'zset');
}

async function wrongType() {
  await assert.rejects(client.lPush('greeting', 'x'),
    { message: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
  await assert.rejects(client.hGet('jobs:none', 'f').then(() => client.hGet('leaderboard', 'f')),
    { message: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
}

async function cleanup() {
  for (const c of clients.reverse()) {
    if (c.isOpen) await c.quit();
  }
}

runSections('node-redis', [
  ['connect', setup],
  ['strings and expiry (SET EX, TTL)', stringsAndExpiry],
  ['MULTI/EXEC and WATCH', transactions],
  ['pub/sub: duplicate() subscribers, patterns', pubsub],
  ['pub/sub feeding server-sent events', serverSentEvents],
  ['HSET/HGETALL of JSON tasks', jsonTasks],
  ['job queue: BLPOP workers, BLMOVE', jobQueue],
  ['leaderboard: ZADD/ZINCRBY/ZREVRANGE WITHSCORES/ZRANK', leaderboard],
  ['WRONGTYPE', wrongType],
], { cleanup });
