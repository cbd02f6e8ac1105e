#!/usr/bin/env python3
"""(b) redis-py (Debian's python3-redis) against cachet-server: strings, expiry, pub/sub with
pattern subscriptions across connections (and so across I/O threads), MULTI/EXEC pipelines,
a WATCH conflict, RESP3 where the installed redis-py supports it."""

import threading
import time

import harness
from harness import check, expect_eq

try:
    import redis
except ImportError:
    print("SKIP: the redis module is missing (Debian: apt-get install python3-redis)")
    raise SystemExit(harness.SKIP)


def strings(r):
    r.flushall()
    check(r.set("greeting", "hello") is True, "SET")
    expect_eq(r.get("greeting"), b"hello", "GET")
    expect_eq(r.append("greeting", " world"), 11, "APPEND")
    expect_eq(r.getrange("greeting", 0, 4), b"hello", "GETRANGE")
    expect_eq(r.strlen("greeting"), 11, "STRLEN")
    expect_eq(r.incr("hits"), 1, "INCR")
    expect_eq(r.incrby("hits", 41), 42, "INCRBY")
    expect_eq(r.decrby("hits", 2), 40, "DECRBY")
    expect_eq(r.incrbyfloat("pi", 3.14), 3.14, "INCRBYFLOAT")
    check(r.mset({"a": "1", "b": "2", "c": "3"}) is True, "MSET")
    expect_eq(r.mget(["a", "b", "nope", "c"]), [b"1", b"2", None, b"3"], "MGET")
    check(r.setnx("a", "x") is False, "SETNX on an existing key")
    expect_eq(r.getset("a", "9"), b"1", "GETSET")
    expect_eq(r.exists("a", "b", "nope"), 2, "EXISTS")
    expect_eq(r.delete("a", "b", "nope"), 2, "DEL")
    expect_eq(r.type("c"), b"string", "TYPE")
    check(r.rename("c", "c2") is True, "RENAME")
    expect_eq(r.get("c2"), b"3", "GET after RENAME")
    blob = bytes(range(256)) * 4096  # 1 MiB of every byte value: binary safe, many reads
    r.set("blob", blob)
    expect_eq(r.get("blob"), blob, "a 1 MiB binary value round trip")
    try:
        r.incr("greeting")
        harness.fail("INCR on a non-integer did not raise")
    except redis.ResponseError as e:
        expect_eq(str(e), "value is not an integer or out of range", "INCR error text")


def wait_until(pred, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.01)
    return pred()


def expiry(r):
    r.set("session", "alice", ex=100)
    ttl = r.ttl("session")
    check(98 <= ttl <= 100, "TTL after SET EX 100: %r" % ttl)
    r.set("short", "x", px=150)
    check(0 < r.pttl("short") <= 150, "PTTL after SET PX 150")
    check(wait_until(lambda: r.get("short") is None), "key with PX 150 did not expire")
    expect_eq(r.ttl("short"), -2, "TTL of an expired key")
    r.set("p", "1")
    check(r.expire("p", 1000) is True, "EXPIRE")
    check(r.persist("p") is True, "PERSIST")
    expect_eq(r.ttl("p"), -1, "TTL after PERSIST")
    check(r.pexpire("p", 100) is True, "PEXPIRE")
    check(wait_until(lambda: r.exists("p") == 0), "key with PEXPIRE 100 did not expire")
    # Active expiry: a key nobody reads is reclaimed (DBSIZE drops without a lookup).
    r.flushdb()
    for i in range(50):
        r.set("volatile:%d" % i, "v", px=100)
    r.set("stays", "v")
    check(wait_until(lambda: r.dbsize() == 1, 5.0), "active expiry left %d keys" % r.dbsize())
    # EXPIREAT in the past deletes.
    r.set("past", "1")
    check(r.expireat("past", 1) is True, "EXPIREAT in the past")
    expect_eq(r.exists("past"), 0, "key after EXPIREAT in the past")


def pubsub(port):
    sub_client = redis.Redis(host="127.0.0.1", port=port)
    pub_client = redis.Redis(host="127.0.0.1", port=port)
    ps = sub_client.pubsub()
    ps.psubscribe("news.*", "h?llo")
    ps.subscribe("plain")
    confirmations = [ps.get_message(timeout=5) for _ in range(3)]
    expect_eq([(m["type"], m["channel"]) for m in confirmations],
              [("psubscribe", b"news.*"), ("psubscribe", b"h?llo"), ("subscribe", b"plain")],
              "subscription confirmations")
    expect_eq(pub_client.pubsub_numpat(), 2, "PUBSUB NUMPAT")
    expect_eq(pub_client.pubsub_numsub("plain"), [(b"plain", 1)], "PUBSUB NUMSUB")
    expect_eq(pub_client.publish("news.sport", "goal"), 1, "PUBLISH to a pattern subscriber")
    expect_eq(pub_client.publish("hello", "world"), 1, "PUBLISH matching h?llo")
    expect_eq(pub_client.publish("plain", "text"), 1, "PUBLISH to a channel subscriber")
    expect_eq(pub_client.publish("nobody", "x"), 0, "PUBLISH without subscribers")
    got = []
    deadline = time.time() + 5
    while len(got) < 3 and time.time() < deadline:
        m = ps.get_message(timeout=1)
        if m:
            got.append(m)
    expect_eq([(m["type"], m["pattern"], m["channel"], m["data"]) for m in got],
              [("pmessage", b"news.*", b"news.sport", b"goal"),
               ("pmessage", b"h?llo", b"hello", b"world"),
               ("message", None, b"plain", b"text")], "messages received")
    # Many publishers at once (threads, so several I/O threads post to the subscriber's).
    n_threads, per_thread = 4, 250

    def publish_many(t):
        c = redis.Redis(host="127.0.0.1", port=port)
        for i in range(per_thread):
            c.publish("news.t%d" % t, "%d" % i)
        c.close()

    threads = [threading.Thread(target=publish_many, args=(t,)) for t in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = {}
    deadline = time.time() + 10
    while sum(counts.values()) < n_threads * per_thread and time.time() < deadline:
        m = ps.get_message(timeout=1)
        if m and m["type"] == "pmessage":
            ch = m["channel"].decode()
            expect_eq(int(m["data"]), counts.get(ch, 0), "message order on " + ch)
            counts[ch] = counts.get(ch, 0) + 1
    expect_eq(counts, {"news.t%d" % t: per_thread for t in range(n_threads)}, "messages per channel")
    ps.punsubscribe("news.*")
    m = ps.get_message(timeout=5)
    expect_eq((m["type"], m["channel"]), ("punsubscribe", b"news.*"), "PUNSUBSCRIBE confirmation")
    expect_eq(pub_client.publish("news.x", "y"), 0, "PUBLISH after PUNSUBSCRIBE")
    ps.close()
    sub_client.close()
    pub_client.close()


def transactions(r, port):
    r.flushall()
    pipe = r.pipeline(transaction=True)
    pipe.set("t:a", "1").incr("t:a").get("t:a").incrby("t:b", 5)
    expect_eq(pipe.execute(), [True, 2, b"2", 5], "MULTI/EXEC results")
    # A command that fails at run time inside EXEC fails alone.
    pipe = r.pipeline(transaction=True)
    pipe.set("t:s", "x").incr("t:s").get("t:s")
    res = pipe.execute(raise_on_error=False)
    check(res[0] is True and isinstance(res[1], redis.ResponseError) and res[2] == b"x",
          "EXEC with a failing command: %r" % (res,))
    # WATCH: another connection changes the key between WATCH and EXEC -> WatchError.
    other = redis.Redis(host="127.0.0.1", port=port)
    r.set("balance", "100")
    with r.pipeline() as pipe:
        pipe.watch("balance")
        current = int(pipe.get("balance"))
        other.incrby("balance", 50)
        pipe.multi()
        pipe.set("balance", current - 10)
        try:
            pipe.execute()
            harness.fail("EXEC after a WATCHed key changed did not abort")
        except redis.WatchError:
            pass
    expect_eq(r.get("balance"), b"150", "balance after the aborted transaction")
    # Without interference the same transaction commits.
    with r.pipeline() as pipe:
        pipe.watch("balance")
        current = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", current - 10)
        expect_eq(pipe.execute(), [True], "EXEC of an undisturbed WATCH")
    expect_eq(r.get("balance"), b"140", "balance after the committed transaction")
    # A non-transactional pipeline (plain pipelining) of 1000 commands.
    pipe = r.pipeline(transaction=False)
    for i in range(1000):
        pipe.set("pl:%d" % i, i)
    for i in range(1000):
        pipe.get("pl:%d" % i)
    res = pipe.execute()
    expect_eq(res[1000:], [str(i).encode() for i in range(1000)], "pipelined GETs")
    other.close()


def resp3(port):
    try:
        r3 = redis.Redis(host="127.0.0.1", port=port, protocol=3)
    except TypeError:
        return  # this redis-py predates RESP3 support
    r3.set("r3", "v")
    expect_eq(r3.get("r3"), b"v", "GET over RESP3")
    r3.close()


def main():
    srv = harness.Server(harness.binary_from_argv(), "--io-threads", "2")
    r = redis.Redis(host="127.0.0.1", port=srv.port)
    check(r.ping() is True, "PING")
    strings(r)
    expiry(r)
    pubsub(srv.port)
    transactions(r, srv.port)
    resp3(srv.port)
    info = r.info()
    check(info["connected_clients"] >= 1 and "keyspace_hits" in info, "INFO through redis-py")
    r.close()
    srv.kill()
    print("ok")


if __name__ == "__main__":
    main()
