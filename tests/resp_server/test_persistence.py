#!/usr/bin/env python3
"""RDB files both ways: cachet-server loads dir/dbfilename at start (its own SAVE, so data
survives a restart, TTLs included; and a real redis-server's dump.rdb, with Redis 7's compact
encodings: listpacks, quicklists, intsets, LZF-compressed and integer-encoded strings); RESTORE
reads Redis's DUMP payloads; a corrupt file stops the start with a clear error.
Needs redis-server and the redis module (else skipped, 77)."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import harness
from harness import check, expect_eq, keyspace

try:
    import redis
except ImportError:
    print("python3-redis is not installed: skipped")
    sys.exit(77)






def fill(c):
    """Values that exercise every encoding Redis 7.0 writes."""
    c.set("int", 12345)
    c.set("neg", -7)
    c.set("big-int", 2 ** 40)
    c.set("text", "hello")
    c.set("lzf", "abc" * 100)  # compressible: LZF in Redis's RDB
    c.set("ttl", "v", ex=5000)
    c.rpush("small-list", "a", 1, -200, 70000, 2 ** 33, "x" * 70)
    c.rpush("big-list", *["item-%d" % i for i in range(2000)])
    c.sadd("intset", 1, 2, 3, -4, 40000, 2 ** 35)
    c.sadd("strset", *["m%d" % i for i in range(300)])
    c.hset("small-hash", mapping={"f1": "v1", "n": 42, "neg": -5000})
    c.hset("big-hash", mapping={"f%d" % i: "v%d" % i for i in range(1000)})
    c.zadd("small-zset", {"a": 1, "b": 2.5, "c": -3, "d": 1e20})
    c.zadd("big-zset", {"m%d" % i: i / 3 for i in range(500)})
    c.execute_command("SELECT", 1)
    c.set("db1", "one")
    c.execute_command("SELECT", 0)


def main():
    harness.require_tool("redis-server")
    binary = harness.binary_from_argv()
    work = tempfile.mkdtemp(prefix="cachet-persistence-")
    try:
        # -- Redis's dump.rdb, loaded by cachet-server at start
        redis_dir = os.path.join(work, "redis")
        os.mkdir(redis_dir)
        rport = harness.free_ports()[0]
        rproc = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", redis_dir],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            r = redis.Redis(host="127.0.0.1", port=rport, decode_responses=True)
            deadline = time.time() + 20
            while True:
                try:
                    r.ping()
                    break
                except redis.exceptions.ConnectionError:
                    check(time.time() < deadline, "redis-server did not start")
                    time.sleep(0.05)
            fill(r)
            want = keyspace(r, (0, 1))
            rb = redis.Redis(host="127.0.0.1", port=rport)
            dumps = {k: rb.dump(k) for k in ("int", "lzf", "small-list", "big-list", "intset", "strset",
                                              "small-hash", "big-hash", "small-zset", "big-zset")}
            check(r.save(), "SAVE on redis-server")
        finally:
            rproc.kill()
            rproc.wait()
        srv = harness.Server(binary, "--dir", redis_dir)
        c = redis.Redis(host="127.0.0.1", port=srv.port, decode_responses=True)
        expect_eq(keyspace(c, (0, 1)), want, "cachet-server after loading redis-server's dump.rdb")
        check(4000 < c.pttl("ttl") <= 5000 * 1000, "the TTL survived: %r" % c.pttl("ttl"))
        check("DB loaded from disk" in srv.log_text(), "the load is logged")

        # -- RESTORE of Redis's DUMP payloads
        cb = redis.Redis(host="127.0.0.1", port=srv.port)
        for k, payload in dumps.items():
            expect_eq(cb.restore(k + ":copy", 0, payload), b"OK", "RESTORE of Redis's %s" % k)
        for k in dumps:
            expect_eq(keyspace(c, (0, 1))[(0, k + ":copy")][:2], want[(0, k)][:2], "%s restored from Redis's DUMP" % k)
        try:
            cb.restore("int", 0, dumps["int"])
            harness.fail("RESTORE onto an existing key answered")
        except redis.exceptions.ResponseError as e:
            expect_eq(str(e), "BUSYKEY Target key name already exists.", "BUSYKEY")
        bad = bytearray(dumps["small-list"])
        bad[3] ^= 0xff
        try:
            cb.restore("bad", 0, bytes(bad))
            harness.fail("RESTORE of a corrupt payload answered")
        except redis.exceptions.ResponseError as e:
            expect_eq(str(e), "DUMP payload version or checksum are wrong", "a corrupt payload")

        # -- cachet's own SAVE survives a restart
        c.set("after", "restart", px=600000)
        check(c.save(), "SAVE on cachet-server")
        before = keyspace(c, (0, 1))
        srv.kill()
        srv = harness.Server(binary, "--dir", redis_dir)
        c = redis.Redis(host="127.0.0.1", port=srv.port, decode_responses=True)
        expect_eq(keyspace(c, (0, 1)), before, "cachet-server after a restart")
        srv.kill()

        # -- a corrupt file stops the start
        with open(os.path.join(redis_dir, "dump.rdb"), "r+b") as f:
            f.seek(40)
            f.write(b"\xff\xff\xff\xff")
        bad_srv = harness.Server(binary, "--dir", redis_dir, expect_exit=True)
        expect_eq(bad_srv.wait(), 1, "exit status with a corrupt dump.rdb")
        check("Can't load the RDB file" in bad_srv.log_text(), "the error is logged: " + bad_srv.log_text())
        bad_srv.kill()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("persistence: ok")


if __name__ == "__main__":
    main()
