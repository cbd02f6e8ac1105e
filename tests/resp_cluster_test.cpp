// Cluster mode over a static topology through the command layer: hash slots, -MOVED and
// -CROSSSLOT as Redis's getNodeByQuery decides them (in and out of transactions), CLUSTER
// INFO/MYID/SLOTS/SHARDS/NODES/KEYSLOT/COUNTKEYSINSLOT/GETKEYSINSLOT, and what cluster mode
// refuses. Expected replies are redis-server 7.0.15's, from a two-node cluster with the
// same slots (0-8000 here, 8001-16383 on 127.0.0.1:7502).

#include "support/resp_session.hpp"

#include <cachet/resp/cluster.hpp>

#include <doctest/doctest.h>

#include <string>

namespace resp_cluster_test {

using test::call;
using test::raw;

namespace {

const std::string me = "a5c8062d431ca6df37ec886fb286a3d8cf3e608a";
const std::string other = "4035a5f54cfd8b73daa65695048f9b8a39ec67c5";
const std::string nodes_conf = other + " 127.0.0.1:7502@17502 master - 0 1795997710640 1 connected 8001-16383\n" +
                               me + " 127.0.0.1:7501@17501 master - 0 0 0 connected 0-8000\n" +
                               "vars currentEpoch 1 lastVoteEpoch 0\n";

cachet::resp::ClusterTopology topology(const std::string& text = nodes_conf, int port = 7501) {
    std::string error;
    auto t = cachet::resp::ClusterTopology::parse(text, "127.0.0.1", port, error);
    INFO(error);
    REQUIRE(t.has_value());
    return *t;
}

}  // namespace

TEST_SUITE("resp_cluster") {
    TEST_CASE("hash slots are Redis's: CRC16 of the key or of its hash tag") {
        using cachet::resp::key_hash_slot;
        CHECK(cachet::resp::crc16("123456789") == 0x31c3);  // the XMODEM check value
        CHECK(key_hash_slot("foo") == 12182);
        CHECK(key_hash_slot("a") == 15495);
        CHECK(key_hash_slot("{a}1") == 15495);
        CHECK(key_hash_slot("b") == 3300);
        CHECK(key_hash_slot("c") == 7365);
        CHECK(key_hash_slot("{}a") == key_hash_slot("{}a"));
        CHECK(key_hash_slot("{}a") != key_hash_slot("a"));  // an empty tag: the whole key
        CHECK(key_hash_slot("x{b}y{c}") == 3300);            // the first tag
        CHECK(key_hash_slot("{b") == key_hash_slot("{b"));
    }

    TEST_CASE("the topology file: Redis's nodes.conf lines, this node by flag or by address") {
        const auto t = topology();
        CHECK(t.myself().id == me);
        CHECK(t.complete());
        CHECK(t.size() == 2);
        CHECK(t.serves(0));
        CHECK(t.serves(8000));
        CHECK_FALSE(t.serves(8001));
        CHECK(t.owner(16383)->port == 7502);
        CHECK(topology(nodes_conf, 7502).myself().id == other);
        std::string error;
        CHECK_FALSE(cachet::resp::ClusterTopology::parse(nodes_conf, "127.0.0.1", 9999, error));
        CHECK(error.find("no node is flagged myself") != std::string::npos);
        CHECK_FALSE(cachet::resp::ClusterTopology::parse(me + " 1.2.3.4:1@2 master - 0 0 0 connected 0-10\n" + other +
                                                             " 1.2.3.4:2@3 myself,master - 0 0 0 connected 5-20\n",
                                                         "", 0, error));
        CHECK(error == "slot 5 is served by two nodes");
        CHECK_FALSE(cachet::resp::ClusterTopology::parse("xyz 1.2.3.4:1 master - 0 0 0 connected\n", "", 1, error));
        CHECK_FALSE(cachet::resp::ClusterTopology::parse(me + " 1.2.3.4:1 myself,master - 0 0 0 connected 10-5\n", "", 1, error));
        const auto partial = *cachet::resp::ClusterTopology::parse(me + " 1.2.3.4:1 myself,master - 0 0 0 connected 0-100\n", "", 1, error);
        CHECK_FALSE(partial.complete());
        CHECK(partial.assigned() == 101);
        // A cluster with unserved slots refuses commands on keys (Redis's
        // cluster-require-full-coverage yes), and still answers the others.
        test::Server srv;
        srv.engine.enable_cluster(partial);
        auto s = srv.connect();
        CHECK(call(*s, {"SET", "b", "1"}) == "-CLUSTERDOWN The cluster is down\r\n");
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");
        CHECK(call(*s, {"CLUSTER", "INFO"}).find("cluster_state:fail\r\ncluster_slots_assigned:101\r\n") != std::string::npos);
    }

    TEST_CASE("keys of other nodes' slots are redirected; SELECT, MOVE, SWAPDB refused") {
        test::Server srv;
        srv.engine.enable_cluster(topology());
        auto s = srv.connect();
        CHECK(call(*s, {"SET", "foo", "bar"}) == "-MOVED 12182 127.0.0.1:7502\r\n");
        CHECK(call(*s, {"MSET", "a", "1", "b", "2"}) == "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
        CHECK(call(*s, {"SET", "b", "1"}) == "+OK\r\n");
        CHECK(call(*s, {"MGET", "b", "{b}x"}) == "*2\r\n$1\r\n1\r\n$-1\r\n");
        CHECK(call(*s, {"MGET", "b", "c"}) == "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
        CHECK(call(*s, {"ZUNIONSTORE", "{b}d", "2", "{b}1", "c"}) == "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");  // no keys: runs here
        CHECK(call(*s, {"SELECT", "1"}) == "-ERR SELECT is not allowed in cluster mode\r\n");
        CHECK(call(*s, {"SELECT", "0"}) == "+OK\r\n");
        CHECK(call(*s, {"MOVE", "b", "1"}) == "-ERR MOVE is not allowed in cluster mode\r\n");
        CHECK(call(*s, {"SWAPDB", "0", "1"}) == "-ERR SWAPDB is not allowed in cluster mode\r\n");
        CHECK(call(*s, {"COPY", "b", "{b}2", "DB", "1"}) == "-ERR Copying to another database is not allowed in cluster mode\r\n");
        CHECK(call(*s, {"READONLY"}) == "+OK\r\n");
        CHECK(call(*s, {"READWRITE"}) == "+OK\r\n");
        CHECK(call(*s, {"ASKING"}) == "+OK\r\n");
        CHECK(call(*s, {"INFO", "cluster"}) == "$30\r\n# Cluster\r\ncluster_enabled:1\r\n\r\n");
        CHECK(call(*s, {"INFO", "server"}).find("redis_mode:cluster\r\n") != std::string::npos);
        // Sharded pub/sub: the channels are routed by slot as keys are.
        CHECK(call(*s, {"SPUBLISH", "foo", "m"}) == "-MOVED 12182 127.0.0.1:7502\r\n");
        CHECK(call(*s, {"SPUBLISH", "b", "m"}) == ":0\r\n");
        CHECK(call(*s, {"SSUBSCRIBE", "b", "c"}) == "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
        CHECK(call(*s, {"SSUBSCRIBE", "b", "{b}x"}) ==
              "*3\r\n$10\r\nssubscribe\r\n$1\r\nb\r\n:1\r\n*3\r\n$10\r\nssubscribe\r\n$4\r\n{b}x\r\n:2\r\n");
    }

    TEST_CASE("transactions: each command is checked when queued, EXEC checks them together") {
        test::Server srv;
        srv.engine.enable_cluster(topology());
        auto s = srv.connect();
        // Redis 7.0's replies to the same pipelines.
        CHECK(raw(*s, "MULTI\r\nSET {a}1 x\r\nSET {a}2 y\r\nEXEC\r\n") ==
              "+OK\r\n-MOVED 15495 127.0.0.1:7502\r\n-MOVED 15495 127.0.0.1:7502\r\n"
              "-EXECABORT Transaction discarded because of previous errors.\r\n");
        CHECK(raw(*s, "MULTI\r\nSET b 1\r\nSET c 1\r\nEXEC\r\n") ==
              "+OK\r\n+QUEUED\r\n+QUEUED\r\n-CROSSSLOT Keys in request don't hash to the same slot\r\n");
        CHECK_FALSE(s->in_multi());  // discarded
        CHECK(raw(*s, "MULTI\r\nSET b 1\r\nGET b\r\nEXEC\r\n") == "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n$1\r\n1\r\n");
    }

    TEST_CASE("CLUSTER describes the topology as Redis 7.0 does") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"CLUSTER", "INFO"}) == "-ERR This instance has cluster support disabled\r\n");
        CHECK(call(*s, {"READONLY"}) == "-ERR This instance has cluster support disabled\r\n");
        srv.engine.enable_cluster(topology());
        CHECK(call(*s, {"CLUSTER", "MYID"}) == "$40\r\n" + me + "\r\n");
        CHECK(call(*s, {"CLUSTER", "SLOTS"}) ==
              "*2\r\n*3\r\n:8001\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:7502\r\n$40\r\n" + other +
                  "\r\n*0\r\n*3\r\n:0\r\n:8000\r\n*4\r\n$9\r\n127.0.0.1\r\n:7501\r\n$40\r\n" + me + "\r\n*0\r\n");
        const std::string shard_me = "*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:8000\r\n$5\r\nnodes\r\n*1\r\n*14\r\n$2\r\nid\r\n$40\r\n" + me +
                                     "\r\n$4\r\nport\r\n:7501\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n"
                                     "$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n";
        CHECK(call(*s, {"CLUSTER", "SHARDS"}).ends_with(shard_me));
        const std::string nodes = other + " 127.0.0.1:7502@17502 master - 0 0 1 connected 8001-16383\n" + me +
                                  " 127.0.0.1:7501@17501 myself,master - 0 0 0 connected 0-8000\n";
        CHECK(call(*s, {"CLUSTER", "NODES"}) == "$" + std::to_string(nodes.size()) + "\r\n" + nodes + "\r\n");
        const std::string info = call(*s, {"CLUSTER", "INFO"});
        CHECK(info.find("\r\ncluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n") != std::string::npos);
        CHECK(info.find("cluster_known_nodes:2\r\ncluster_size:2\r\ncluster_current_epoch:1\r\ncluster_my_epoch:0\r\n") != std::string::npos);
        CHECK(call(*s, {"CLUSTER", "KEYSLOT", "foo"}) == ":12182\r\n");
        CHECK(call(*s, {"CLUSTER", "KEYSLOT"}) == "-ERR wrong number of arguments for 'cluster|keyslot' command\r\n");
        call(*s, {"SET", "b", "1"});
        call(*s, {"SET", "{b}2", "1"});
        CHECK(call(*s, {"CLUSTER", "COUNTKEYSINSLOT", "3300"}) == ":2\r\n");
        CHECK(call(*s, {"CLUSTER", "GETKEYSINSLOT", "3300", "1"}).starts_with("*1\r\n"));
        CHECK(call(*s, {"CLUSTER", "GETKEYSINSLOT", "3300", "-1"}) == "-ERR Invalid slot or number of keys\r\n");
        CHECK(call(*s, {"CLUSTER", "GETKEYSINSLOT", "15495", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"CLUSTER", "COUNTKEYSINSLOT", "99999"}) == "-ERR Invalid slot\r\n");
        CHECK(call(*s, {"CLUSTER", "REPLICAS", me}) == "*0\r\n");
        CHECK(call(*s, {"CLUSTER", "REPLICAS", "1234"}) == "-ERR Unknown node 1234\r\n");
        CHECK(call(*s, {"CLUSTER", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try CLUSTER HELP.\r\n");
        CHECK(call(*s, {"CLUSTER", "MEET", "127.0.0.1", "7503"}).starts_with("-ERR CLUSTER MEET is not supported"));
        CHECK(call(*s, {"HELLO", "3"}).find("$4\r\nmode\r\n$7\r\ncluster\r\n") != std::string::npos);
        CHECK(call(*s, {"CLUSTER", "NODES"}) == "=" + std::to_string(nodes.size() + 4) + "\r\ntxt:" + nodes + "\r\n");
    }
}

}  // namespace resp_cluster_test
