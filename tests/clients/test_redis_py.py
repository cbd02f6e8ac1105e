#!/usr/bin/env python3
"""redis-py (Debian's python3-redis, run by /usr/bin/python3) over every data type, as an
application uses it: strings, keys and expiry, lists (with BLPOP and BLMOVE served by another
connection), hashes, sets, sorted sets (every ZRANGE form), a MULTI/EXEC pipeline, WATCH with a
conflicting write from another client (WatchError), the workshops' Flask cache-aside app
(a real Flask app driven through its test client), counting hits, and Lua scripts (Script
objects, Lock, a sliding-window rate limiter). Every result is asserted
exactly.

    test_redis_py.py /path/to/cachet-server
    test_redis_py.py --redis [/path/to/redis-server]     # the same against a real Redis

Skipped (exit 77) when the redis or flask module is missing (Debian: apt-get install
python3-redis python3-flask).
"""

import functools
import json
import sys
import threading
import time
import warnings

import clients_harness
from clients_harness import check, expect_eq, fail

warnings.simplefilter("ignore", DeprecationWarning)  # HMSET is a deprecated command we test

try:
    import redis
    import flask
except ImportError as e:
    print("SKIP: %s (Debian: apt-get install python3-redis python3-flask)" % e)
    sys.exit(clients_harness.SKIP)

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def expect_error(fn, message, what):
    try:
        fn()
    except redis.ResponseError as e:
        expect_eq(str(e), message, what + " (error text)")
        return
    fail("%s: no error (wanted %r)" % (what, message))


def wait_blocked(r, n):
    """Waits until INFO clients reports n blocked clients (a command is blocked server-side)."""
    deadline = time.time() + 10
    while r.info("clients")["blocked_clients"] != n:
        check(time.time() < deadline, "INFO clients never reported %d blocked client(s)" % n)
        time.sleep(0.005)


class Later:
    """Runs fn() on a thread (a client blocked on its own connection); .result() joins it."""

    def __init__(self, fn):
        self.value = None
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self.thread.start()

    def _run(self, fn):
        try:
            self.value = fn()
        except Exception as e:  # noqa: BLE001 - reported by result()
            self.error = e

    def result(self, timeout=10):
        self.thread.join(timeout)
        check(not self.thread.is_alive(), "a blocked command did not return within %g s" % timeout)
        if self.error is not None:
            fail("the blocked command raised %r" % self.error)
        return self.value


def strings(r, rb):
    check(r.set("greeting", "hello") is True, "SET")
    expect_eq(r.get("greeting"), "hello", "GET")
    expect_eq(r.get("missing"), None, "GET of a missing key")
    expect_eq(r.append("greeting", " world"), 11, "APPEND")
    expect_eq(r.getrange("greeting", -5, -1), "world", "GETRANGE")
    expect_eq(r.setrange("greeting", 0, "J"), 11, "SETRANGE")
    expect_eq(r.get("greeting"), "Jello world", "GET after SETRANGE")
    expect_eq(r.strlen("greeting"), 11, "STRLEN")
    expect_eq(r.incr("n"), 1, "INCR")
    expect_eq(r.incrby("n", -11), -10, "INCRBY")
    expect_eq(r.decr("n"), -11, "DECR")
    expect_eq(r.incrbyfloat("f", "10.5"), 10.5, "INCRBYFLOAT")
    expect_eq(r.incrbyfloat("f", "0.1"), 10.6, "INCRBYFLOAT")
    expect_eq(r.get("f"), "10.6", "INCRBYFLOAT's text")
    check(r.mset({"a": "1", "b": "2"}) is True, "MSET")
    check(r.msetnx({"b": "x", "c": "3"}) is False, "MSETNX with an existing key")
    expect_eq(r.mget("a", "b", "c"), ["1", "2", None], "MGET")
    check(r.setnx("a", "x") is False, "SETNX")
    expect_eq(r.getset("a", "10"), "1", "GETSET")
    expect_eq(r.set("a", "11", get=True), "10", "SET GET")
    expect_eq(r.getdel("a"), "11", "GETDEL")
    expect_eq(r.getdel("a"), None, "GETDEL of a missing key")
    blob = bytes(range(256)) * 64
    check(rb.set(b"bin\x00key", blob) is True, "SET binary")
    expect_eq(rb.get(b"bin\x00key"), blob, "GET binary")
    expect_eq(rb.strlen(b"bin\x00key"), len(blob), "STRLEN binary")
    expect_error(lambda: r.incr("greeting"), "value is not an integer or out of range", "INCR text")
    expect_error(lambda: r.incrbyfloat("greeting", 1), "value is not a valid float",
                 "INCRBYFLOAT text")


def keys_and_expiry(r):
    r.set("k1", "v")
    r.set("k2", "v")
    r.rpush("klist", "x")
    expect_eq(r.exists("k1", "k2", "k1", "nope"), 3, "EXISTS counts repeats")
    expect_eq(r.type("k1"), "string", "TYPE string")
    expect_eq(r.type("klist"), "list", "TYPE list")
    expect_eq(r.type("nope"), "none", "TYPE none")
    expect_eq(sorted(r.keys("k*")), ["k1", "k2", "klist"], "KEYS")
    expect_eq(sorted(r.scan_iter(match="k?", count=2)), ["k1", "k2"], "SCAN MATCH")
    check(r.rename("k2", "k3") is True, "RENAME")
    check(r.renamenx("k3", "k1") is False, "RENAMENX onto an existing key")
    expect_eq(r.unlink("k3", "nope"), 1, "UNLINK")
    expect_eq(r.delete("klist"), 1, "DEL")

    check(r.set("s", "v", ex=100) is True, "SET EX")
    expect_eq(r.ttl("s"), 100, "TTL after SET EX 100")
    pttl = r.pttl("s")
    check(99000 < pttl <= 100000, "PTTL after SET EX 100: %d" % pttl)
    expect_eq(r.ttl("k1"), -1, "TTL of a key without expiry")
    expect_eq(r.ttl("nope"), -2, "TTL of a missing key")
    check(r.expire("k1", 50) is True, "EXPIRE")
    check(r.expire("k1", 40, gt=True) is False, "EXPIRE GT with a smaller TTL")
    check(r.expire("k1", 60, gt=True) is True, "EXPIRE GT with a larger TTL")
    check(r.expire("k1", 70, nx=True) is False, "EXPIRE NX on a volatile key")
    expect_eq(r.ttl("k1"), 60, "TTL after EXPIRE GT")
    check(r.pexpire("k1", 30000) is True, "PEXPIRE")
    expect_eq(r.ttl("k1"), 30, "TTL after PEXPIRE")
    check(r.expireat("k1", int(time.time()) + 1000) is True, "EXPIREAT")
    check(990 <= r.ttl("k1") <= 1000, "TTL after EXPIREAT")
    check(r.persist("k1") is True, "PERSIST")
    check(r.persist("k1") is False, "PERSIST without expiry")
    check(r.expire("nope", 10) is False, "EXPIRE of a missing key")
    check(r.setex("sx", 20, "v") is True, "SETEX")
    expect_eq(r.ttl("sx"), 20, "TTL after SETEX")
    check(r.psetex("flash", 120, "v") is True, "PSETEX")
    expect_eq(r.getex("sx", ex=500), "v", "GETEX EX")
    expect_eq(r.ttl("sx"), 500, "TTL after GETEX EX")
    expect_eq(r.getex("sx", persist=True), "v", "GETEX PERSIST")
    expect_eq(r.ttl("sx"), -1, "TTL after GETEX PERSIST")
    check(r.set("s", "w", keepttl=True) is True, "SET KEEPTTL")
    expect_eq(r.ttl("s"), 100, "TTL after SET KEEPTTL")
    time.sleep(0.35)
    expect_eq(r.get("flash"), None, "a key past its PX expiry")
    expect_eq(r.exists("flash"), 0, "EXISTS of an expired key")
    # Expiry applies to every type.
    r.hset("hexp", "f", "v")
    r.pexpire("hexp", 100)
    r.sadd("sexp", "m")
    r.pexpire("sexp", 100)
    time.sleep(0.3)
    expect_eq(r.exists("hexp", "sexp"), 0, "expired hash and set")
    expect_eq(r.dbsize(), 3, "DBSIZE")  # s, k1, sx


def lists(r, r2):
    expect_eq(r.rpush("l", "b", "c"), 2, "RPUSH")
    expect_eq(r.lpush("l", "a"), 3, "LPUSH")
    expect_eq(r.lpushx("nolist", "x"), 0, "LPUSHX of a missing key")
    expect_eq(r.rpushx("l", "d"), 4, "RPUSHX")
    expect_eq(r.lrange("l", 0, -1), ["a", "b", "c", "d"], "LRANGE")
    expect_eq(r.lrange("l", -2, 100), ["c", "d"], "LRANGE out of range")
    expect_eq(r.lrange("l", 5, 10), [], "LRANGE past the end")
    expect_eq(r.llen("l"), 4, "LLEN")
    expect_eq(r.lindex("l", -1), "d", "LINDEX -1")
    expect_eq(r.lindex("l", 10), None, "LINDEX out of range")
    check(r.lset("l", 1, "B") is True, "LSET")
    expect_error(lambda: r.lset("l", 10, "x"), "index out of range", "LSET out of range")
    expect_eq(r.linsert("l", "after", "B", "b2"), 5, "LINSERT AFTER")
    expect_eq(r.linsert("l", "before", "zzz", "x"), -1, "LINSERT without the pivot")
    expect_eq(r.lrange("l", 0, -1), ["a", "B", "b2", "c", "d"], "LRANGE after LINSERT")
    r.rpush("l", "a", "a")
    expect_eq(r.lpos("l", "a"), 0, "LPOS")
    expect_eq(r.lpos("l", "a", rank=-1), 6, "LPOS RANK -1")
    expect_eq(r.lpos("l", "a", count=0), [0, 5, 6], "LPOS COUNT 0")
    expect_eq(r.lpos("l", "a", count=2, rank=2), [5, 6], "LPOS RANK 2 COUNT 2")
    expect_eq(r.lpos("l", "nope"), None, "LPOS of a missing element")
    expect_eq(r.lrem("l", -1, "a"), 1, "LREM -1")
    expect_eq(r.lrem("l", 0, "a"), 2, "LREM 0")
    check(r.ltrim("l", 1, -2) is True, "LTRIM")
    expect_eq(r.lrange("l", 0, -1), ["b2", "c"], "LRANGE after LTRIM")
    expect_eq(r.lpop("l"), "b2", "LPOP")
    expect_eq(r.rpop("l"), "c", "RPOP")
    expect_eq(r.exists("l"), 0, "an emptied list is deleted")
    expect_eq(r.lpop("l"), None, "LPOP of a missing list")
    r.rpush("l", *"abcde")
    expect_eq(r.lpop("l", 2), ["a", "b"], "LPOP count")
    expect_eq(r.rpop("l", 10), ["e", "d", "c"], "RPOP count")
    r.rpush("src", "1", "2", "3")
    expect_eq(r.lmove("src", "dst", "LEFT", "RIGHT"), "1", "LMOVE")
    expect_eq(r.rpoplpush("src", "dst"), "3", "RPOPLPUSH")
    expect_eq(r.lmove("src", "src", "LEFT", "RIGHT"), "2", "LMOVE rotate")
    expect_eq(r.lrange("dst", 0, -1), ["3", "1"], "LRANGE dst")
    expect_eq(r.lmpop(2, "nope", "dst", direction="RIGHT", count=5), ["dst", ["1", "3"]], "LMPOP")
    expect_eq(r.lmpop(1, "nope", direction="LEFT"), None, "LMPOP of missing lists")
    r.set("str", "x")
    expect_error(lambda: r.lpush("str", "x"), WRONGTYPE, "LPUSH on a string")

    # BLPOP: a client blocked on its own connection is served by a push from another client.
    blocked = Later(lambda: r2.blpop(["q1", "q2"], timeout=5))
    wait_blocked(r, 1)
    expect_eq(r.rpush("q2", "job1", "job2"), 2, "RPUSH to the blocked key")
    expect_eq(blocked.result(), ("q2", "job1"), "BLPOP served by a push")
    expect_eq(r.lrange("q2", 0, -1), ["job2"], "the rest of the queue")
    expect_eq(r2.blpop(["q1", "q2"], timeout=1), ("q2", "job2"), "BLPOP of a non-empty list")
    t0 = time.time()
    expect_eq(r2.blpop("q1", timeout=0.3), None, "BLPOP timeout")
    check(time.time() - t0 >= 0.25, "BLPOP returned before its timeout")
    blocked = Later(lambda: r2.brpop("q1", timeout=5))
    wait_blocked(r, 1)
    r.lpush("q1", "x", "y")
    expect_eq(blocked.result(), ("q1", "x"), "BRPOP")
    r.delete("q1")
    # BLMOVE: blocked until the source gets an element.
    blocked = Later(lambda: r2.blmove("inbox", "work", 5, "LEFT", "RIGHT"))
    wait_blocked(r, 1)
    expect_eq(r.rpush("inbox", "m1", "m2"), 2, "RPUSH to the BLMOVE source")
    expect_eq(blocked.result(), "m1", "BLMOVE served by a push")
    expect_eq(r.lrange("work", 0, -1), ["m1"], "BLMOVE destination")
    expect_eq(r2.blmove("inbox", "work", 1, "RIGHT", "LEFT"), "m2", "BLMOVE of a non-empty list")
    expect_eq(r.lrange("work", 0, -1), ["m2", "m1"], "BLMOVE destination, head")
    expect_eq(r2.blmove("inbox", "work", 0.2, "LEFT", "LEFT"), None, "BLMOVE timeout")
    expect_eq(r2.brpoplpush("work", "inbox", 1), "m1", "BRPOPLPUSH")
    expect_eq(r2.blmpop(1, 2, "nope", "work", direction="LEFT", count=3), ["work", ["m2"]],
              "BLMPOP")


def hashes(r):
    expect_eq(r.hset("user:1", mapping={"name": "Ada", "lang": "en", "visits": "1"}), 3, "HSET")
    expect_eq(r.hset("user:1", "lang", "fr"), 0, "HSET of an existing field")
    expect_eq(r.hset("user:1", "city", "Paris", mapping={"zip": "75001"}), 2, "HSET key+mapping")
    expect_eq(r.hgetall("user:1"), {"name": "Ada", "lang": "fr", "visits": "1", "city": "Paris",
                                    "zip": "75001"}, "HGETALL")
    expect_eq(r.hgetall("nope"), {}, "HGETALL of a missing key")
    expect_eq(r.hget("user:1", "name"), "Ada", "HGET")
    expect_eq(r.hget("user:1", "nope"), None, "HGET of a missing field")
    expect_eq(r.hmget("user:1", ["name", "nope", "zip"]), ["Ada", None, "75001"], "HMGET")
    check(r.hmset("user:2", {"name": "Bob"}) is True, "HMSET")
    expect_eq(r.hsetnx("user:2", "name", "X"), 0, "HSETNX of an existing field")
    expect_eq(r.hsetnx("user:2", "age", "30"), 1, "HSETNX of a new field")
    check(r.hexists("user:1", "city") is True, "HEXISTS")
    check(r.hexists("user:1", "nope") is False, "HEXISTS of a missing field")
    expect_eq(r.hlen("user:1"), 5, "HLEN")
    expect_eq(sorted(r.hkeys("user:1")), ["city", "lang", "name", "visits", "zip"], "HKEYS")
    expect_eq(sorted(r.hvals("user:2")), ["30", "Bob"], "HVALS")
    expect_eq(r.hincrby("user:1", "visits", 41), 42, "HINCRBY")
    expect_eq(r.hincrbyfloat("user:1", "score", 2.5), 2.5, "HINCRBYFLOAT of a new field")
    expect_eq(r.hincrbyfloat("user:1", "score", "1e3"), 1002.5, "HINCRBYFLOAT")
    expect_eq(r.hget("user:1", "score"), "1002.5", "HINCRBYFLOAT's text")
    expect_error(lambda: r.hincrby("user:1", "name", 1), "hash value is not an integer",
                 "HINCRBY of text")
    expect_eq(r.hstrlen("user:1", "city"), 5, "HSTRLEN")
    expect_eq(r.hdel("user:1", "city", "zip", "nope"), 2, "HDEL")
    fields = {"name", "lang", "visits", "score"}
    check(r.hrandfield("user:1") in fields, "HRANDFIELD")
    expect_eq(sorted(r.hrandfield("user:1", 10)), sorted(fields), "HRANDFIELD count > size")
    many = r.hrandfield("user:1", -7)
    check(len(many) == 7 and set(many) <= fields, "HRANDFIELD -7: %r" % many)
    pairs = r.hrandfield("user:2", 2, withvalues=True)
    expect_eq(dict(zip(pairs[::2], pairs[1::2])), {"name": "Bob", "age": "30"},
              "HRANDFIELD WITHVALUES")
    big = {"f%d" % i: "v%d" % i for i in range(300)}
    r.hset("big", mapping=big)
    expect_eq(dict(r.hscan_iter("big", count=17)), big, "HSCAN over 300 fields")
    expect_eq(dict(r.hscan_iter("big", match="f1?")), {"f%d" % i: "v%d" % i for i in range(10, 20)},
              "HSCAN MATCH")
    expect_eq(r.hdel("user:2", "name", "age"), 2, "HDEL of every field")
    expect_eq(r.exists("user:2"), 0, "an emptied hash is deleted")
    r.set("str", "x")
    expect_error(lambda: r.hget("str", "f"), WRONGTYPE, "HGET on a string")


def sets(r):
    expect_eq(r.sadd("s1", "a", "b", "c", "a"), 3, "SADD")
    expect_eq(r.sadd("s1", "c", "d"), 1, "SADD with an existing member")
    expect_eq(r.smembers("s1"), {"a", "b", "c", "d"}, "SMEMBERS")
    expect_eq(r.smembers("nope"), set(), "SMEMBERS of a missing key")
    check(r.sismember("s1", "a") is True, "SISMEMBER")
    check(r.sismember("s1", "z") is False, "SISMEMBER of a non-member")
    expect_eq(r.smismember("s1", ["a", "z", "d"]), [True, False, True], "SMISMEMBER")
    expect_eq(r.scard("s1"), 4, "SCARD")
    expect_eq(r.srem("s1", "d", "z"), 1, "SREM")
    r.sadd("s2", "b", "c", "e")
    r.sadd("s3", "c", "f")
    expect_eq(r.sinter("s1", "s2"), {"b", "c"}, "SINTER")
    expect_eq(r.sinter("s1", "s2", "s3"), {"c"}, "SINTER of three")
    expect_eq(r.sinter("s1", "nope"), set(), "SINTER with a missing key")
    expect_eq(r.sintercard(2, ["s1", "s2"]), 2, "SINTERCARD")
    expect_eq(r.sintercard(2, ["s1", "s2"], limit=1), 1, "SINTERCARD LIMIT")
    expect_eq(r.sunion("s1", "s3"), {"a", "b", "c", "f"}, "SUNION")
    expect_eq(r.sdiff("s1", "s2"), {"a"}, "SDIFF")
    expect_eq(r.sdiff("s1", "s2", "s3"), {"a"}, "SDIFF of three")
    expect_eq(r.sinterstore("dst", ["s1", "s2"]), 2, "SINTERSTORE")
    expect_eq(r.smembers("dst"), {"b", "c"}, "SINTERSTORE's result")
    expect_eq(r.sunionstore("dst", ["s2", "s3"]), 4, "SUNIONSTORE")
    expect_eq(r.smembers("dst"), {"b", "c", "e", "f"}, "SUNIONSTORE's result")
    expect_eq(r.sdiffstore("dst", ["s1", "s1"]), 0, "SDIFFSTORE of an empty result")
    expect_eq(r.exists("dst"), 0, "SDIFFSTORE of an empty result deletes the destination")
    check(r.smove("s1", "s3", "a") is True, "SMOVE")
    check(r.smove("s1", "s3", "zzz") is False, "SMOVE of a non-member")
    expect_eq(r.smembers("s3"), {"a", "c", "f"}, "SMOVE destination")
    check(r.srandmember("s3") in {"a", "c", "f"}, "SRANDMEMBER")
    expect_eq(sorted(r.srandmember("s3", 5)), ["a", "c", "f"], "SRANDMEMBER count > size")
    many = r.srandmember("s3", -6)
    check(len(many) == 6 and set(many) <= {"a", "c", "f"}, "SRANDMEMBER -6: %r" % many)
    popped = r.spop("s3")
    check(popped in {"a", "c", "f"}, "SPOP")
    expect_eq(sorted(r.spop("s3", 5) + [popped]), ["a", "c", "f"], "SPOP count > size")
    expect_eq(r.exists("s3"), 0, "an emptied set is deleted")
    expect_eq(r.spop("s3"), None, "SPOP of a missing key")
    members = {"m%d" % i for i in range(500)} | {"n%d" % i for i in range(5)}
    r.sadd("big", *members)
    expect_eq(set(r.sscan_iter("big", count=50)), members, "SSCAN over 505 members")
    expect_eq(set(r.sscan_iter("big", match="n*")), {"n%d" % i for i in range(5)}, "SSCAN MATCH")
    expect_eq(r.sadd("nums", "3", "-1", "10"), 3, "SADD of integers")
    expect_eq(r.smembers("nums"), {"3", "-1", "10"}, "SMEMBERS of an integer set")
    r.set("str", "x")
    expect_error(lambda: r.sadd("str", "x"), WRONGTYPE, "SADD on a string")


def sorted_sets(r, r2):
    expect_eq(r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4}), 4, "ZADD")
    expect_eq(r.zadd("z", {"a": 1, "e": 5}), 1, "ZADD with an existing member")
    expect_eq(r.zadd("z", {"a": 10, "f": 6}, xx=True), 0, "ZADD XX")
    expect_eq(r.zscore("z", "a"), 10.0, "ZSCORE after ZADD XX")
    expect_eq(r.zadd("z", {"a": 1, "g": 7}, nx=True), 1, "ZADD NX")
    expect_eq(r.zadd("z", {"a": 5, "b": 9}, gt=True, ch=True), 1, "ZADD GT CH")
    expect_eq(r.zadd("z", {"a": 1, "b": 1}, lt=True, ch=True), 2, "ZADD LT CH")
    expect_eq(r.zadd("z", {"b": 2, "a": 1}, ch=True), 1, "ZADD CH")
    expect_eq(r.zadd("z", {"g": 0.5}, incr=True), 7.5, "ZADD INCR")
    expect_eq(r.zadd("z", {"g": 1}, incr=True, nx=True), None, "ZADD NX INCR of an existing member")
    expect_eq(r.zincrby("z", -0.5, "g"), 7.0, "ZINCRBY")
    expect_eq(r.zincrby("z", 2, "new"), 2.0, "ZINCRBY of a new member")
    expect_eq(r.zrem("z", "new", "nope"), 1, "ZREM")
    # z: a=1 b=2 c=3 d=4 e=5 g=7
    expect_eq(r.zcard("z"), 6, "ZCARD")
    expect_eq(r.zmscore("z", ["a", "nope", "g"]), [1.0, None, 7.0], "ZMSCORE")
    expect_eq(r.zrank("z", "c"), 2, "ZRANK")
    expect_eq(r.zrevrank("z", "c"), 3, "ZREVRANK")
    expect_eq(r.zrank("z", "nope"), None, "ZRANK of a non-member")
    expect_eq(r.zrange("z", 0, -1), ["a", "b", "c", "d", "e", "g"], "ZRANGE")
    expect_eq(r.zrange("z", 0, 1, withscores=True), [("a", 1.0), ("b", 2.0)], "ZRANGE WITHSCORES")
    expect_eq(r.zrange("z", 0, 1, desc=True), ["g", "e"], "ZRANGE REV")
    expect_eq(r.zrange("z", 2, 5, byscore=True), ["b", "c", "d", "e"], "ZRANGE BYSCORE")
    expect_eq(r.zrange("z", "(2", "+inf", byscore=True, offset=1, num=2), ["d", "e"],
              "ZRANGE BYSCORE LIMIT")
    expect_eq(r.zrange("z", 5, "(2", byscore=True, desc=True, withscores=True),
              [("e", 5.0), ("d", 4.0), ("c", 3.0)], "ZRANGE BYSCORE REV WITHSCORES")
    expect_eq(r.zrevrange("z", 0, 2, withscores=True), [("g", 7.0), ("e", 5.0), ("d", 4.0)],
              "ZREVRANGE WITHSCORES")
    expect_eq(r.zrangebyscore("z", "-inf", "(3"), ["a", "b"], "ZRANGEBYSCORE")
    expect_eq(r.zrangebyscore("z", 1, 10, start=1, num=2, withscores=True),
              [("b", 2.0), ("c", 3.0)], "ZRANGEBYSCORE LIMIT WITHSCORES")
    expect_eq(r.zrevrangebyscore("z", "+inf", 5), ["g", "e"], "ZREVRANGEBYSCORE")
    expect_eq(r.zcount("z", "(1", 5), 4, "ZCOUNT")
    expect_eq(r.zrangestore("zdst", "z", 0, 2), 3, "ZRANGESTORE")
    expect_eq(r.zrange("zdst", 0, -1, withscores=True), [("a", 1.0), ("b", 2.0), ("c", 3.0)],
              "ZRANGESTORE's result")
    expect_eq(r.zrangestore("zdst", "z", 4, 100, byscore=True), 3, "ZRANGESTORE BYSCORE")
    # Lexicographic ranges on equal scores.
    r.zadd("lex", {m: 0 for m in ["apple", "banana", "cherry", "date", "elder"]})
    expect_eq(r.zrangebylex("lex", "[b", "(d"), ["banana", "cherry"], "ZRANGEBYLEX")
    expect_eq(r.zrangebylex("lex", "-", "+", start=1, num=2), ["banana", "cherry"],
              "ZRANGEBYLEX LIMIT")
    expect_eq(r.zrevrangebylex("lex", "+", "[cherry"), ["elder", "date", "cherry"],
              "ZREVRANGEBYLEX")
    expect_eq(r.zrange("lex", "[c", "+", bylex=True), ["cherry", "date", "elder"], "ZRANGE BYLEX")
    expect_eq(r.zrange("lex", "+", "(b", bylex=True, desc=True, offset=0, num=2),
              ["elder", "date"], "ZRANGE BYLEX REV LIMIT")
    expect_eq(r.zlexcount("lex", "(apple", "[date"), 3, "ZLEXCOUNT")
    expect_eq(r.zremrangebylex("lex", "-", "(c"), 2, "ZREMRANGEBYLEX")
    expect_eq(r.zrange("lex", 0, -1), ["cherry", "date", "elder"], "after ZREMRANGEBYLEX")
    expect_error(lambda: r.zrangebylex("lex", "b", "c"), "min or max not valid string range item",
                 "ZRANGEBYLEX without [ or (")
    expect_eq(r.zremrangebyrank("z", 0, 0), 1, "ZREMRANGEBYRANK")
    expect_eq(r.zremrangebyscore("z", 6, "+inf"), 1, "ZREMRANGEBYSCORE")
    expect_eq(r.zrange("z", 0, -1, withscores=True),
              [("b", 2.0), ("c", 3.0), ("d", 4.0), ("e", 5.0)], "after ZREMRANGEBY*")
    expect_eq(r.zpopmin("z"), [("b", 2.0)], "ZPOPMIN")
    expect_eq(r.zpopmax("z", 2), [("e", 5.0), ("d", 4.0)], "ZPOPMAX count")
    check(r.zrandmember("z") == "c", "ZRANDMEMBER of a one-member set")
    expect_eq(r.execute_command("ZRANDMEMBER", "z", -3, "WITHSCORES"),
              ["c", "3", "c", "3", "c", "3"], "ZRANDMEMBER -3 WITHSCORES")
    # Set operations with weights and aggregates.
    r.zadd("za", {"x": 1, "y": 2, "z": 3})
    r.zadd("zb", {"y": 10, "z": 20, "w": 30})
    expect_eq(r.zunionstore("zu", {"za": 2, "zb": 1}), 4, "ZUNIONSTORE WEIGHTS")
    expect_eq(r.zrange("zu", 0, -1, withscores=True),
              [("x", 2.0), ("y", 14.0), ("z", 26.0), ("w", 30.0)], "ZUNIONSTORE's result")
    expect_eq(r.zinterstore("zi", ["za", "zb"], aggregate="MAX"), 2, "ZINTERSTORE AGGREGATE MAX")
    expect_eq(r.zrange("zi", 0, -1, withscores=True), [("y", 10.0), ("z", 20.0)],
              "ZINTERSTORE's result")
    expect_eq(r.zunion(["za", "zb"], aggregate="MIN", withscores=True),
              [("x", 1.0), ("y", 2.0), ("z", 3.0), ("w", 30.0)], "ZUNION AGGREGATE MIN")
    expect_eq(r.zinter(["za", "zb"]), ["y", "z"], "ZINTER")
    expect_eq(r.zdiff(["zb", "za"]), ["w"], "ZDIFF")
    # (raw: redis-py versions differ in how they parse these WITHSCORES replies)
    expect_eq(r.execute_command("ZDIFF", 2, "zb", "za", "WITHSCORES"), ["w", "30"],
              "ZDIFF WITHSCORES")
    expect_eq(r.zmpop(2, ["nope", "zb"], max=True, count=2), ["zb", [["w", "30"], ["z", "20"]]],
              "ZMPOP MAX COUNT 2")
    # Scores as Redis prints them.
    r.zadd("scores", {"tiny": 1e-7, "third": 1 / 3, "big": 1e21, "int": 42, "neg": float("-inf")})
    raw = r.execute_command("ZRANGE", "scores", 0, -1, "WITHSCORES")
    expect_eq(raw, ["neg", "-inf", "tiny", "9.9999999999999995e-08", "third", "0.33333333333333331",
                    "int", "42", "big", "1e+21"], "score formatting")
    expect_error(lambda: r.zincrby("scores", float("inf"), "neg"),
                 "resulting score is not a number (NaN)", "ZINCRBY -inf + inf")
    expect_error(lambda: r.zadd("scores", {"x": "nan"}), "value is not a valid float", "ZADD nan")
    big = {"m%d" % i: i for i in range(300)}
    r.zadd("bigz", big)
    expect_eq(dict(r.zscan_iter("bigz", count=30, score_cast_func=int)), big, "ZSCAN over 300")
    # BZPOPMIN / BZPOPMAX served by another connection.
    blocked = Later(lambda: r2.bzpopmin(["nozset", "ready"], timeout=5))
    wait_blocked(r, 1)
    expect_eq(r.zadd("ready", {"p": 3, "q": 1}), 2, "ZADD to the blocked key")
    expect_eq(blocked.result(), ("ready", "q", 1.0), "BZPOPMIN served by a ZADD")
    expect_eq(r2.bzpopmax("ready", timeout=1), ("ready", "p", 3.0), "BZPOPMAX")
    expect_eq(r2.bzpopmax("ready", timeout=0.2), None, "BZPOPMAX timeout")
    r.set("str", "x")
    expect_error(lambda: r.zadd("str", {"x": 1}), WRONGTYPE, "ZADD on a string")


def transactions(r, r2):
    # MULTI/EXEC pipeline: replies in order.
    pipe = r.pipeline(transaction=True)
    pipe.set("acct:1", 100).incrby("acct:1", 50).rpush("tx:list", "a", "b").hset("tx:h", "f", "v")
    pipe.sadd("tx:s", "m").zadd("tx:z", {"m": 1}).get("acct:1").expire("acct:1", 30).ttl("acct:1")
    expect_eq(pipe.execute(), [True, 150, 2, 1, 1, 1, "150", True, 30], "MULTI/EXEC pipeline")
    # A command failing at run time leaves the others done.
    pipe = r.pipeline(transaction=True)
    pipe.set("t", "text").incr("t").get("t")
    res = pipe.execute(raise_on_error=False)
    expect_eq(res[0], True, "SET in MULTI")
    check(isinstance(res[1], redis.ResponseError), "INCR of text in MULTI: %r" % (res[1],))
    expect_eq(str(res[1]), "value is not an integer or out of range", "INCR error in MULTI")
    expect_eq(res[2], "text", "GET in MULTI")
    # A queuing error: EXECABORT, nothing done.
    pipe = r.pipeline(transaction=True)
    pipe.set("t", "changed").execute_command("SET", "only-a-key")
    try:
        pipe.execute()
        fail("EXEC after a queuing error did not raise")
    except redis.ResponseError as e:
        check(str(e).startswith("Command # 2 (SET only-a-key) of pipeline caused error: "
                                "wrong number of arguments for 'set' command"),
              "queuing error: %s" % e)
    expect_eq(r.get("t"), "text", "EXECABORT changed nothing")

    # WATCH, then a conflicting write from another client: WatchError.
    r.set("stock", 10)
    with r.pipeline() as pipe:
        pipe.watch("stock")
        stock = int(pipe.get("stock"))
        r2.decr("stock")  # another client buys one
        pipe.multi()
        pipe.set("stock", stock - 1)
        try:
            pipe.execute()
            fail("EXEC after a conflicting write did not raise WatchError")
        except redis.WatchError:
            pass
    expect_eq(r.get("stock"), "9", "the conflicting write stands")
    # Conflicts on other types abort too (a list, a hash, a zset).
    for key, write in [("tx:list", lambda: r2.rpush("tx:list", "c")),
                       ("tx:h", lambda: r2.hset("tx:h", "g", "w")),
                       ("tx:z", lambda: r2.zincrby("tx:z", 1, "m"))]:
        with r.pipeline() as pipe:
            pipe.watch(key)
            write()
            pipe.multi()
            pipe.set("never", "1")
            try:
                pipe.execute()
                fail("WATCH %s: EXEC did not raise WatchError" % key)
            except redis.WatchError:
                pass
    expect_eq(r.exists("never"), 0, "aborted transactions wrote nothing")
    # r.transaction() retries after a WatchError: the first attempt conflicts, the second commits.
    attempts = []

    def buy(pipe):
        stock = int(pipe.get("stock"))
        attempts.append(stock)
        if len(attempts) == 1:
            r2.decr("stock")
        pipe.multi()
        pipe.set("stock", stock - 1)

    expect_eq(r.transaction(buy, "stock"), [True], "transaction() result")
    expect_eq(attempts, [9, 8], "transaction() retried once after the conflict")
    expect_eq(r.get("stock"), "7", "stock after the retried transaction")
    # A pipeline without MULTI.
    pipe = r.pipeline(transaction=False)
    for i in range(100):
        pipe.rpush("plist", i)
    pipe.lrange("plist", 0, 2)
    expect_eq(pipe.execute()[-2:], [100, ["0", "1", "2"]], "a 101-command pipeline")


def cache_aside(r):
    """The workshops' Flask cache-aside app: a view decorated to GET the page from the cache
    first and, on a miss, compute it (the slow database query) and SET it with EX. Driven
    through Flask's test client, so it runs Flask's routing and JSON without a web server."""
    stats = {"hits": 0, "misses": 0, "computed": []}
    app = flask.Flask("cache_aside")

    def cached(ttl):
        def wrap(fn):
            @functools.wraps(fn)
            def view(**kwargs):
                key = "cache:%s:%s" % (flask.request.path, fn.__name__)
                hit = r.get(key)
                if hit is not None:
                    stats["hits"] += 1
                    return flask.Response(hit, mimetype="application/json",
                                          headers={"X-Cache": "hit"})
                stats["misses"] += 1
                body = json.dumps(fn(**kwargs))
                check(r.set(key, body, ex=ttl) is True, "cache SET EX")
                return flask.Response(body, mimetype="application/json",
                                      headers={"X-Cache": "miss"})
            return view
        return wrap

    @app.route("/products/<int:product_id>")
    @cached(ttl=60)
    def product(product_id):
        stats["computed"].append(product_id)
        return {"id": product_id, "name": "product %d" % product_id, "price": 9.99 * product_id}

    client = app.test_client()

    def get(pid, cache):
        resp = client.get("/products/%d" % pid)
        expect_eq(resp.status_code, 200, "GET /products/%d status" % pid)
        expect_eq(resp.headers["X-Cache"], cache, "GET /products/%d X-Cache" % pid)
        expect_eq(resp.get_json(), {"id": pid, "name": "product %d" % pid, "price": 9.99 * pid},
                  "GET /products/%d body" % pid)

    for pid, cache in [(1, "miss"), (2, "miss"), (1, "hit"), (1, "hit"), (3, "miss"),
                       (2, "hit"), (1, "hit")]:
        get(pid, cache)
    expect_eq(client.get("/products/x").status_code, 404, "a route that does not match")
    expect_eq((stats["hits"], stats["misses"]), (4, 3), "hits and misses")
    expect_eq(stats["computed"], [1, 2, 3], "computed once per product")
    key1, key2, key3 = ("cache:/products/%d:product" % i for i in (1, 2, 3))
    expect_eq(r.ttl(key1), 60, "the cached page's TTL")
    expect_eq(json.loads(r.get(key2))["name"], "product 2", "the cached JSON")
    # Invalidation: DEL, and the next request misses.
    expect_eq(r.delete(key1), 1, "invalidate")
    get(1, "miss")
    expect_eq((stats["hits"], stats["misses"], stats["computed"]), (4, 4, [1, 2, 3, 1]),
              "after invalidation")
    # Expiry: the entry times out and is computed again.
    check(r.pexpire(key3, 100) is True, "PEXPIRE the cached page")
    time.sleep(0.3)
    get(3, "miss")
    get(3, "hit")
    expect_eq((stats["hits"], stats["misses"], stats["computed"]), (5, 5, [1, 2, 3, 1, 3]),
              "after expiry")
    expect_eq(sorted(r.keys("cache:*")), [key1, key2, key3], "cached keys")


RATE_LIMIT = """
-- Sliding-window rate limiter: KEYS[1] a sorted set of request times (ms); ARGV: now, window, limit.
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  return {0, redis.call('ZCARD', KEYS[1])}
end
redis.call('ZADD', KEYS[1], now, now .. '-' .. redis.call('INCR', KEYS[1] .. ':seq'))
redis.call('PEXPIRE', KEYS[1], window)
return {1, redis.call('ZCARD', KEYS[1])}
"""


def scripting(r, r2):
    """Lua scripts as applications run them: redis-py's Script objects (EVALSHA, then SCRIPT
    LOAD on NOSCRIPT), its Lock (whose release and extend are scripts), a sliding-window rate
    limiter, and a script's error."""
    if r.execute_command("COMMAND", "INFO", "EVAL") == [None]:
        print("note: this server has no EVAL (built without Lua): scripting section skipped")
        return
    incr_by = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    expect_eq(r.script_exists(incr_by.sha), [False], "not loaded yet")
    expect_eq(incr_by(keys=["n"], args=[5]), 5, "Script() loads itself on NOSCRIPT")
    expect_eq(incr_by(keys=["n"], args=[2]), 7, "then EVALSHA")
    expect_eq(r.script_exists(incr_by.sha), [True], "loaded")
    expect_eq(r.eval("return {KEYS[1], ARGV[1], 3, {ok='fine'}}", 1, "k", "a"), ["k", "a", 3, "fine"],
              "EVAL conversions")
    expect_error(lambda: r.eval("return redis.call('LPUSH', 'n', 'x')", 0),
                 "WRONGTYPE Operation against a key holding the wrong kind of value script: "
                 "e628b33ec7f11d984acfb9fe4e07095b23726da0, on @user_script:1.", "a failing command")
    expect_eq(r.eval_ro("return redis.call('GET', KEYS[1])", 1, "n"), "7", "EVAL_RO")

    lock = r.lock("resource", timeout=5, blocking_timeout=0.2)
    check(lock.acquire(), "Lock.acquire")
    other = r2.lock("resource", timeout=5, blocking_timeout=0.2)
    check(not other.acquire(), "a second Lock waits, then gives up")
    check(lock.extend(10), "Lock.extend (a script)")
    check(r.pttl("resource") > 10000, "extended TTL")
    lock.release()  # a script: deletes only if the token matches
    check(other.acquire(), "acquired after release")
    r.set("resource", "someone-else")  # the lock lost (its TTL ran out, another took it)
    try:
        other.release()
        fail("releasing a lock held by another token succeeded")
    except redis.exceptions.LockNotOwnedError:
        pass
    expect_eq(r.get("resource"), "someone-else", "the release script left another's lock alone")

    limiter = r.register_script(RATE_LIMIT)
    results = [limiter(keys=["rl:user1"], args=[1000 + i, 1000, 3])[0] for i in range(5)]
    expect_eq(results, [1, 1, 1, 0, 0], "three requests per window, then refused")
    expect_eq(limiter(keys=["rl:user1"], args=[2500, 1000, 3]), [1, 1], "a new window")
    check(r.pttl("rl:user1") > 0, "the limiter's key expires")
    r.script_flush()
    expect_eq(r.script_exists(incr_by.sha), [False], "SCRIPT FLUSH")
    expect_eq(incr_by(keys=["n"], args=[1]), 8, "reloaded after FLUSH")


def main():
    args = clients_harness.arg_parser(__doc__.splitlines()[0]).parse_args()
    server = clients_harness.start_server(args)
    r = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True, socket_timeout=30)
    r2 = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True, socket_timeout=30)
    rb = redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=30)
    check(r.ping() is True, "PING")
    sections = [("strings", lambda: strings(r, rb)),
                ("keys and expiry", lambda: keys_and_expiry(r)),
                ("lists, BLPOP, BLMOVE", lambda: lists(r, r2)),
                ("hashes", lambda: hashes(r)),
                ("sets", lambda: sets(r)),
                ("sorted sets, ZRANGE forms", lambda: sorted_sets(r, r2)),
                ("MULTI/EXEC pipeline, WATCH", lambda: transactions(r, r2)),
                ("cache-aside", lambda: cache_aside(r)),
                ("Lua scripts, Lock, rate limiter", lambda: scripting(r, r2))]
    for name, fn in sections:
        check(r.flushall() is True, "FLUSHALL")
        start = time.time()
        try:
            fn()
        except redis.RedisError as e:
            fail("redis-py: %s: %s: %s" % (name, type(e).__name__, e))
        print("ok   redis-py: %s (%.0f ms)" % (name, (time.time() - start) * 1000), flush=True)
    for c in (r, r2, rb):
        c.close()
    server.kill()
    print("PASS: redis-py against %s" % server.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
