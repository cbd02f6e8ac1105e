#!/usr/bin/env python3
"""A real redis-server follows cachet-server as its replica: `redis-server --replicaof` loads
cachet's RDB snapshot, then applies the replication stream (writes, SELECT, MULTI/EXEC, DEL of
expired keys, SPOP as SREM, pops that served blocked clients, PUBLISH), continues after a
dropped link with a partial resync, and acknowledges offsets for WAIT. Also `redis-cli --rdb`,
SAVE and LASTSAVE, whose files redis-check-rdb accepts and redis-server loads.
Needs redis-server, redis-cli, redis-check-rdb and the redis module (else skipped, 77)."""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import harness
from harness import check, expect_eq, keyspace

try:
    import redis
except ImportError:
    print("python3-redis is not installed: skipped")
    sys.exit(77)




class RedisServer:
    """A real redis-server on 127.0.0.1, optionally a replica of `master_port`."""

    def __init__(self, workdir, master_port=None, dbfilename="dump.rdb"):
        self.port = harness.free_ports()[0]
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", workdir, "--dbfilename", dbfilename]
        if master_port:
            cmd += ["--replicaof", "127.0.0.1", str(master_port)]
        self.log = open(os.path.join(workdir, "redis-%d.log" % self.port), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        self.client = redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True,
                                   encoding_errors="backslashreplace")
        wait_for(lambda: self.ping(), 20, "redis-server to start")

    def ping(self):
        try:
            return self.client.ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()


def wait_for(cond, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.05)
    harness.fail("timed out waiting for " + what)




def expect_same(got, want, what):
    """Fails listing only the keys that differ (the whole keyspace is too long to read)."""
    if got == want:
        return
    diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
    harness.fail("%s: %d keys differ (key: (got, want)): %r" % (what, len(diff), dict(list(diff.items())[:5])))


def in_sync(master, replica):
    """True when the replica has applied the whole stream the master produced."""
    mi = master.info("replication")
    ri = replica.info("replication")
    return ri.get("master_link_status") == "up" and ri.get("slave_repl_offset") == mi["master_repl_offset"]


def fill(c):
    c.mset({"s1": "v1", "n": 10, "bin": b"\x00\xff\r\n"})
    c.set("ttl", "x", ex=1000)
    c.rpush("list", *["e%d" % i for i in range(100)])
    c.sadd("set", *range(50))
    c.hset("hash", mapping={"f%d" % i: "v%d" % i for i in range(40)})
    c.zadd("zset", {"m%d" % i: i * 1.5 for i in range(30)})
    c.zadd("zinf", {"lo": float("-inf"), "hi": float("inf")})
    c.pfadd("hll", *range(100))
    c.execute_command("SELECT", 3)
    c.set("in-db-3", "yes")
    c.execute_command("SELECT", 0)


def main():
    for tool in ("redis-server", "redis-cli", "redis-check-rdb"):
        harness.require_tool(tool)
    work = tempfile.mkdtemp(prefix="cachet-replication-")
    srv = harness.Server(harness.binary_from_argv(), "--io-threads", "2", "--dir", work)
    replicas = []
    try:
        m = redis.Redis(host="127.0.0.1", port=srv.port)  # bytes: values may be binary
        md = redis.Redis(host="127.0.0.1", port=srv.port, decode_responses=True,
                                   encoding_errors="backslashreplace")
        fill(m)

        # -- full sync: the snapshot
        rep = RedisServer(work, master_port=srv.port)
        replicas.append(rep)
        wait_for(lambda: in_sync(md, rep.client), 30, "the replica's first sync")
        expect_same(keyspace(rep.client), keyspace(md), "the replica after its full sync")
        expect_eq(md.execute_command("ROLE")[2][0][1], str(rep.port), "ROLE lists the replica's port")
        info = md.info("replication")
        expect_eq(info["connected_slaves"], 1, "INFO replication connected_slaves")
        expect_eq(info["slave0"]["port"], rep.port, "INFO replication slave0 port")
        check(md.execute_command("CLIENT", "LIST", "TYPE", "replica").count("flags=S") == 1,
              "CLIENT LIST TYPE replica shows the replica with flag S")

        # -- the stream: writes of every family, other databases, transactions
        m.set("s1", "v2")
        m.incrby("n", 5)
        m.lpop("list")
        m.rpoplpush("list", "list2")
        m.srem("set", 1, 2)
        popped = m.spop("set", 3)  # random: the replica must get the same members removed
        check(len(popped) == 3, "SPOP 3")
        m.spop("set")
        m.hincrby("hash", "count", 7)
        m.hdel("hash", "f0")
        m.zincrby("zset", 2.25, "m3")
        m.zpopmin("zset")
        m.expire("s1", 500)
        m.persist("ttl")
        m.rename("s1", "s1-renamed")
        m.delete("bin")
        m.append("appended", "abc")
        m.incrbyfloat("float", "1.1")
        m.pfadd("hll", "x", "y")
        m.copy("hash", "hash-copy")
        pipe = m.pipeline(transaction=True)
        pipe.set("tx1", "a").incr("tx2").lpush("txlist", "z")
        pipe.execute()
        m.execute_command("SELECT", 5)  # this connection now writes database 5
        m.set("db5", "five")
        m.execute_command("SELECT", 0)
        m.execute_command("SWAPDB", 3, 4)
        m.execute_command("MOVE", "n", 7)
        # Random writes from several connections at once: the stream must list them in the
        # order they ran (each key's final value must match).
        def writer(seed):
            r = random.Random(seed)
            c = redis.Redis(host="127.0.0.1", port=srv.port)
            for _ in range(300):
                k = "race:%d" % r.randrange(10)
                op = r.randrange(4)
                if op == 0:
                    c.set(k, r.randrange(1000))
                elif op == 1:
                    try:
                        c.incr(k)
                    except redis.exceptions.ResponseError:
                        pass
                elif op == 2:
                    c.delete(k)
                else:
                    c.append(k, "x")
        threads = [threading.Thread(target=writer, args=(s,)) for s in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wait_for(lambda: in_sync(md, rep.client), 30, "the replica to catch up with the writes")
        expect_same(keyspace(rep.client), keyspace(md), "the replica after the stream")
        # Relative TTLs reach the replica as absolute times: the same expiry instant.
        m.set("ex", "v", ex=300)
        m.setex("setex", 400, "v")
        m.pexpire("s1-renamed", 123456)
        m.getex("tx1", px=99999)
        wait_for(lambda: in_sync(md, rep.client), 30, "the replica to catch up with the TTLs")
        for key in ("ex", "setex", "s1-renamed", "tx1", "ttl"):
            expect_eq(rep.client.execute_command("PEXPIRETIME", key),
                      md.execute_command("PEXPIRETIME", key), "PEXPIRETIME %s on the replica" % key)

        # -- expiry and blocked clients
        m.set("short", "v", px=150)
        got = {}

        def blocked_pop():
            got["blpop"] = redis.Redis(host="127.0.0.1", port=srv.port).blpop("queue", 10)
            got["bzpopmin"] = redis.Redis(host="127.0.0.1", port=srv.port).bzpopmin("zq", 10)

        t = threading.Thread(target=blocked_pop)
        t.start()
        wait_for(lambda: md.info("clients")["blocked_clients"] == 1, 10, "BLPOP to block")
        m.rpush("queue", "first", "second")
        wait_for(lambda: md.info("clients")["blocked_clients"] == 1 and "blpop" in got, 10,
                 "BZPOPMIN to block")
        m.zadd("zq", {"a": 1, "b": 2})
        t.join()
        expect_eq(got["blpop"], (b"queue", b"first"), "BLPOP served by the push")
        expect_eq(got["bzpopmin"], (b"zq", b"a", 1.0), "BZPOPMIN served by the push")
        time.sleep(0.3)  # "short" has expired: active expiry reclaims it and feeds a DEL
        wait_for(lambda: md.dbsize() == rep.client.dbsize(), 10, "the expired key's DEL to arrive")
        wait_for(lambda: in_sync(md, rep.client), 30, "the replica to catch up")
        expect_same(keyspace(rep.client), keyspace(md), "the replica after expiry and blocked pops")
        expect_eq(rep.client.lrange("queue", 0, -1), ["second"], "the queue on the replica")

        # -- PUBLISH reaches the replica's subscribers
        sub = rep.client.pubsub()
        sub.subscribe("news")
        wait_for(lambda: sub.get_message(timeout=0.1) is not None, 10, "the subscription")
        m.publish("news", "hello")
        msg = None
        deadline = time.time() + 10
        while msg is None and time.time() < deadline:
            msg = sub.get_message(timeout=0.2)
        check(msg is not None and msg["data"] == "hello", "PUBLISH on the replica: %r" % (msg,))
        sub.close()

        # -- WAIT: the replica acknowledges this connection's last write
        m.set("acked", "1")
        expect_eq(m.execute_command("WAIT", 1, 5000), 1, "WAIT 1 after a write")
        expect_eq(m.execute_command("WAIT", 2, 200), 1, "WAIT 2 with one replica: 1 at the timeout")

        # -- a dropped link continues from the backlog (partial resync)
        expect_eq(md.execute_command("CLIENT", "KILL", "TYPE", "replica"), 1, "CLIENT KILL TYPE replica")
        m.set("while-away", "x")
        wait_for(lambda: in_sync(md, rep.client), 30, "the replica to reconnect")
        log = open(rep.log.name).read()
        check("Successful partial resynchronization" in log, "partial resync in the replica's log")
        expect_same(keyspace(rep.client), keyspace(md), "the replica after the partial resync")

        # -- a second replica joins a running stream
        rep2 = RedisServer(work, master_port=srv.port)
        replicas.append(rep2)
        m.set("for-both", "y")
        wait_for(lambda: in_sync(md, rep2.client) and in_sync(md, rep.client), 30, "both replicas")
        expect_same(keyspace(rep2.client), keyspace(md), "the second replica")
        expect_eq(md.info("replication")["connected_slaves"], 2, "two replicas")

        # -- redis-cli --rdb, SAVE, LASTSAVE: files real Redis loads
        rdb = os.path.join(work, "cli.rdb")
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(srv.port), "--rdb", rdb],
                       check=True, capture_output=True, timeout=60)
        r = subprocess.run(["redis-check-rdb", rdb], capture_output=True, text=True, timeout=60)
        check(r.returncode == 0 and "RDB looks OK" in r.stdout, "redis-check-rdb: " + r.stdout)
        before = md.lastsave()
        time.sleep(1.1)
        expect_eq(md.save(), True, "SAVE")
        check(md.lastsave() > before, "LASTSAVE moved")
        check(os.path.exists(os.path.join(work, "dump.rdb")), "SAVE wrote dir/dbfilename")
        # redis-py turns the reply, "Background saving started", into True.
        check(md.execute_command("BGSAVE") in (True, "Background saving started"), "BGSAVE")
        loaded = RedisServer(work, dbfilename="dump.rdb")
        replicas.append(loaded)
        expect_same(keyspace(loaded.client), keyspace(md), "redis-server loading cachet's dump.rdb")

        # DUMP payloads RESTORE in Redis
        for key in ("list", "hash", "set", "zset", "appended"):
            payload = m.dump(key)
            loaded.client.delete(key)
            check(loaded.client.restore(key, 0, payload), "RESTORE of %s in Redis" % key)
        expect_same(keyspace(loaded.client), keyspace(md), "Redis after RESTORE of cachet's DUMPs")
    finally:
        for r in replicas:
            r.stop()
        srv.kill()
        shutil.rmtree(work, ignore_errors=True)
    print("replication: ok")


if __name__ == "__main__":
    main()
