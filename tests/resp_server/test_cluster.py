#!/usr/bin/env python3
"""Three cachet-servers form a cluster over a static topology (Redis's nodes.conf format, one
file for all): cluster clients shard keys over them unchanged. redis-py's RedisCluster
discovers the nodes (CLUSTER SLOTS) and spreads keys, MGET across slots included; redis-cli -c
follows -MOVED; ioredis's Cluster (tests/clients/node/ioredis_cluster.js, when installed) too;
each key lives only on the node serving its slot; CROSSSLOT, CLUSTER INFO / NODES / SHARDS. Also a one-node cluster without a topology file.
Needs redis-cli and the redis module (else skipped, 77)."""

import os
import shutil
import subprocess
import sys
import tempfile

import harness
from harness import check, expect_eq

try:
    import redis
    from redis.cluster import RedisCluster, ClusterNode
except ImportError:
    print("python3-redis with RedisCluster is not installed: skipped")
    sys.exit(77)




def main():
    harness.require_tool("redis-cli")
    binary = harness.binary_from_argv()
    work = tempfile.mkdtemp(prefix="cachet-cluster-")
    ports = harness.free_ports(3)
    ids = [("%x" % (i + 1)) * 40 for i in range(3)]
    ranges = ["0-5460", "5461-10922", "10923-16383"]
    conf = os.path.join(work, "cluster.conf")
    with open(conf, "w") as f:
        for i in range(3):
            # No @cport: the bus port is not used (nothing is gossiped).
            f.write("%s 127.0.0.1:%d master - 0 0 %d connected %s\n" % (ids[i], ports[i], i + 1, ranges[i]))
    servers = []
    try:
        for p in ports:
            # harness.Server picks a free port itself; the topology needs fixed ones.
            servers.append(harness.Server(binary, "--io-threads", "2", "--port", str(p), "--cluster-enabled", "yes",
                                          "--cluster-config-file", conf))
        for i, s in enumerate(servers):
            expect_eq(s.port, ports[i], "server %d's port" % i)
        plain = [redis.Redis(host="127.0.0.1", port=p, decode_responses=True) for p in ports]
        expect_eq(plain[0].execute_command("CLUSTER", "MYID"), ids[0], "CLUSTER MYID")
        info = plain[1].execute_command("CLUSTER", "INFO")
        check("cluster_state:ok" in info and "cluster_known_nodes:3" in info, "CLUSTER INFO: %r" % info)

        rc = RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", ports[0])], decode_responses=True)
        keys = ["user:%d" % i for i in range(300)]
        for k in keys:
            rc.set(k, k.upper())
        for k in keys:
            expect_eq(rc.get(k), k.upper(), "GET %s through RedisCluster" % k)
        expect_eq(rc.mget_nonatomic(keys[:50]), [k.upper() for k in keys[:50]], "MGET across slots (split by the client)")
        counts = [p.dbsize() for p in plain]
        expect_eq(sum(counts), len(keys), "every key stored once")
        check(all(c > 50 for c in counts), "keys spread over the three nodes: %r" % counts)
        # Each key is on the node serving its slot, and only there.
        for k in keys[:60]:
            slot = plain[0].execute_command("CLUSTER", "KEYSLOT", k)
            owner = 0 if slot <= 5460 else 1 if slot <= 10922 else 2
            expect_eq(plain[owner].get(k), k.upper(), "%s on its owner" % k)
            other = (owner + 1) % 3
            try:
                plain[other].get(k)
                harness.fail("GET %s on a node that does not serve it answered" % k)
            except redis.exceptions.ResponseError as e:
                expect_eq(str(e), "MOVED %d 127.0.0.1:%d" % (slot, ports[owner]), "the redirect")
        # Hash tags keep related keys together, so multi-key commands work.
        rc.rpush("{queue}:jobs", "a", "b")
        expect_eq(rc.lmove("{queue}:jobs", "{queue}:done", "LEFT", "RIGHT"), "a", "LMOVE within a hash tag")
        try:
            plain[0].execute_command("MSET", "a", "1", "b", "2")
            harness.fail("MSET across slots answered")
        except redis.exceptions.ResponseError as e:
            expect_eq(str(e), "CROSSSLOT Keys in request don't hash to the same slot", "CROSSSLOT")

        # redis-cli -c follows MOVED wherever it starts.
        out = subprocess.run(["redis-cli", "-c", "-p", str(ports[0]), "SET", "foo", "from-cli"],
                             capture_output=True, text=True, timeout=30)
        expect_eq(out.stdout.strip(), "OK", "redis-cli -c SET foo")
        out = subprocess.run(["redis-cli", "-c", "-p", str(ports[2]), "GET", "foo"],
                             capture_output=True, text=True, timeout=30)
        expect_eq(out.stdout.strip(), "from-cli", "redis-cli -c GET foo from another node")
        nodes = plain[2].execute_command("CLUSTER", "NODES")
        check(nodes.count("connected") == 3 and "myself,master" in nodes, "CLUSTER NODES: %r" % nodes)
        rc.close()

        # ioredis's Cluster client (when node and the npm packages are installed).
        node = shutil.which("node") or shutil.which("nodejs")
        node_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "node")
        if node and os.path.isfile(os.path.join(node_dir, "node_modules", "ioredis", "package.json")):
            for p in plain:
                p.flushall()
            r = subprocess.run([node, "ioredis_cluster.js"] + [str(p) for p in ports], cwd=node_dir,
                               timeout=120, preexec_fn=harness._die_with_parent)
            expect_eq(r.returncode, 0, "ioredis_cluster.js's exit status")
        else:
            print("note: node or ioredis not installed: the ioredis Cluster part is skipped")
    finally:
        for s in servers:
            s.kill()

    # A topology that does not name this server stops its start, with the reason.
    bad = harness.Server(binary, "--port", str(harness.free_ports()[0]), "--cluster-enabled", "yes",
                         "--cluster-config-file", conf, expect_exit=True)
    expect_eq(bad.wait(), 1, "exit status with a topology that does not list this server")
    check("no node is flagged myself or at this server's address" in bad.log_text(),
          "the reason is logged: " + bad.log_text())
    bad.kill()

    # Without a topology file: a one-node cluster serving every slot.
    single = harness.Server(binary, "--cluster-enabled", "yes", "--cluster-config-file", os.path.join(work, "none.conf"))
    try:
        rc = RedisCluster(host="127.0.0.1", port=single.port, decode_responses=True)
        for i in range(20):
            rc.set("k%d" % i, i)
        expect_eq(rc.get("k7"), "7", "GET on a one-node cluster")
        slots = redis.Redis(host="127.0.0.1", port=single.port).execute_command("CLUSTER", "SLOTS")
        expect_eq([(s[0], s[1]) for s in slots], [(0, 16383)], "CLUSTER SLOTS of a one-node cluster")
        rc.close()
    finally:
        single.kill()
        shutil.rmtree(work, ignore_errors=True)
    print("cluster: ok")


if __name__ == "__main__":
    main()
