// Replication (master side) and RDB snapshots through the command layer: PSYNC/SYNC/REPLCONF,
// the replication stream a replica session receives, WAIT with acknowledgements, ROLE, DUMP,
// and the RDB writer's encodings. tests/resp_server/test_replication.py runs a real
// redis-server replica against cachet-server.

#include "support/resp_session.hpp"

#include <cachet/resp/rdb.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <stdlib.h>
#include <unistd.h>

namespace resp_replication_test {

using namespace std::chrono_literals;
using test::call;
using test::encode;

namespace {

/// A replica session after PSYNC ? -1: the sync reply is checked and dropped.
std::unique_ptr<test::Session> attach_replica(test::Server& srv, std::string* rdb_out = nullptr) {
    auto r = srv.connect();
    CHECK(call(*r, {"REPLCONF", "listening-port", "6390"}) == "+OK\r\n");
    CHECK(call(*r, {"REPLCONF", "capa", "eof", "capa", "psync2"}) == "+OK\r\n");
    const std::string sync = call(*r, {"PSYNC", "?", "-1"});
    REQUIRE(sync.starts_with("+FULLRESYNC "));
    const std::size_t eol = sync.find("\r\n");
    const std::size_t bulk_eol = sync.find("\r\n", eol + 2);
    REQUIRE(sync[eol + 2] == '$');
    const std::size_t len = std::stoul(sync.substr(eol + 3, bulk_eol - eol - 3));
    const std::string rdb = sync.substr(bulk_eol + 2);
    CHECK(rdb.size() == len);  // the payload, and no CRLF after it
    CHECK(rdb.starts_with("REDIS0009"));
    if (rdb_out) *rdb_out = rdb;
    CHECK(r->is_replica());
    return r;
}

std::string select(int db) {
    const std::string n = std::to_string(db);
    return encode({"SELECT", n});
}

}  // namespace

TEST_SUITE("resp_replication") {
    TEST_CASE("CRC-64 and the RDB length encodings are Redis's") {
        using namespace cachet::resp::rdb;
        CHECK(crc64(0, "123456789") == 0xe9c6d914c4b8d9caULL);  // redis/src/crc64.c's test vector
        CHECK(crc64(0, "") == 0);
        auto len = [](std::uint64_t n) {
            std::string out;
            Writer(out).length(n);
            return out;
        };
        CHECK(len(0) == std::string(1, '\0'));
        CHECK(len(63) == "\x3f");
        CHECK(len(64) == "\x40\x40");
        CHECK(len(16383) == "\x7f\xff");
        CHECK(len(16384) == std::string("\x80\x00\x00\x40\x00", 5));
        CHECK(len(0xffffffffULL) == "\x80\xff\xff\xff\xff");
        CHECK(len(0x100000000ULL) == std::string("\x81\x00\x00\x00\x01\x00\x00\x00\x00", 9));
    }

    TEST_CASE("PSYNC sends a snapshot whose checksum and contents are right") {
        test::Server srv;
        auto c = srv.connect();
        call(*c, {"SET", "str", "hello"});
        call(*c, {"SET", "ttl", "v", "PX", "5000"});
        call(*c, {"RPUSH", "list", "a", "b"});
        call(*c, {"ZADD", "z", "1.5", "m"});
        call(*c, {"SELECT", "2"});
        call(*c, {"HSET", "h", "f", "v"});
        std::string rdb;
        auto r = attach_replica(srv, &rdb);
        // EOF opcode, then the CRC-64 of everything before it, little-endian.
        REQUIRE(rdb.size() > 9 + 9);
        CHECK(static_cast<unsigned char>(rdb[rdb.size() - 9]) == 0xff);
        std::uint64_t stored = 0;
        for (int i = 7; i >= 0; --i) stored = (stored << 8) | static_cast<unsigned char>(rdb[rdb.size() - 8 + static_cast<std::size_t>(i)]);
        CHECK(stored == cachet::resp::rdb::crc64(0, std::string_view(rdb).substr(0, rdb.size() - 8)));
        // Database 0 with 4 keys (1 with a TTL), database 2 with 1; then the values.
        CHECK(rdb.find(std::string("\xfe\x00\xfb\x04\x01", 5)) != std::string::npos);
        CHECK(rdb.find(std::string("\xfe\x02\xfb\x01\x00", 5)) != std::string::npos);
        CHECK(rdb.find(std::string("\x00\x03str\x05hello", 11)) != std::string::npos);
        CHECK(rdb.find(std::string("\x01\x04list\x02\x01" "a\x01" "b", 11)) != std::string::npos);
        CHECK(rdb.find(std::string("\x04\x01h\x01\x01" "f\x01v", 8)) != std::string::npos);
        CHECK(rdb.find(std::string("\x05\x01z\x01\x01m", 6)) != std::string::npos);
        CHECK(rdb.find("\xfc") != std::string::npos);  // the TTL's expire time
    }

    TEST_CASE("the stream carries writes that changed data, in order, with SELECT and MULTI/EXEC") {
        test::Server srv;
        auto r = attach_replica(srv);
        auto c = srv.connect();
        CHECK(call(*c, {"SET", "k", "v"}) == "+OK\r\n");
        CHECK(call(*c, {"GET", "k"}) == "$1\r\nv\r\n");              // a read: not fed
        CHECK(call(*c, {"LPUSH", "k", "x"}).starts_with("-WRONGTYPE"));  // failed: not fed
        CHECK(call(*c, {"INCR", "n"}) == ":1\r\n");
        CHECK(test::async(*r) == select(0) + encode({"SET", "k", "v"}) + encode({"INCR", "n"}));
        CHECK(call(*c, {"SELECT", "3"}) == "+OK\r\n");
        CHECK(call(*c, {"DEL", "k"}) == ":0\r\n");
        CHECK(call(*c, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*c, {"SET", "a", "1"}) == "+QUEUED\r\n");
        CHECK(call(*c, {"GET", "a"}) == "+QUEUED\r\n");
        CHECK(call(*c, {"EXEC"}) == "*2\r\n+OK\r\n$1\r\n1\r\n");
        CHECK(call(*c, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*c, {"GET", "a"}) == "+QUEUED\r\n");
        CHECK(call(*c, {"EXEC"}) == "*1\r\n$1\r\n1\r\n");  // no write: nothing fed
        CHECK(call(*c, {"PUBLISH", "ch", "m"}) == ":0\r\n");
        CHECK(call(*c, {"SPUBLISH", "sch", "m"}) == ":0\r\n");  // fed too, as Redis outside a cluster
        CHECK(test::async(*r) == select(3) + encode({"DEL", "k"}) + encode({"MULTI"}) +
                                     encode({"SET", "a", "1"}) + encode({"EXEC"}) +
                                     encode({"PUBLISH", "ch", "m"}) + encode({"SPUBLISH", "sch", "m"}));
        // The replica's own commands get no replies (it only acknowledges).
        CHECK(call(*r, {"PING"}).empty());
    }

    TEST_CASE("random and blocking commands reach replicas as what they did") {
        test::Server srv;
        auto r = attach_replica(srv);
        auto c = srv.connect();
        call(*c, {"SADD", "s", "only"});
        CHECK(call(*c, {"SPOP", "s"}) == "$4\r\nonly\r\n");
        CHECK(call(*c, {"SPOP", "s"}) == "$-1\r\n");  // nothing popped: nothing fed
        CHECK(test::async(*r) == select(0) + encode({"SADD", "s", "only"}) + encode({"SREM", "s", "only"}));

        auto b = srv.connect();
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());  // blocks: not fed
        CHECK(call(*c, {"RPUSH", "q", "x", "y"}) == ":2\r\n");
        CHECK(test::async(*b) == "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
        CHECK(call(*b, {"BRPOP", "q", "0"}) == "*2\r\n$1\r\nq\r\n$1\r\ny\r\n");  // at once: as sent
        CHECK(test::async(*r) == encode({"RPUSH", "q", "x", "y"}) + encode({"LPOP", "q"}) +
                                     encode({"BRPOP", "q", "0"}));
        CHECK(call(*b, {"BZPOPMIN", "z", "0"}).empty());
        call(*c, {"ZADD", "z", "1", "a", "2", "b"});
        CHECK(test::async(*b).starts_with("*3\r\n$1\r\nz\r\n$1\r\na\r\n"));
        CHECK(test::async(*r) == encode({"ZADD", "z", "1", "a", "2", "b"}) + encode({"ZPOPMIN", "z", "1"}));
    }

    TEST_CASE("relative expiry times reach replicas as absolute ones; expired keys as DEL") {
        test::Server srv;
        auto r = attach_replica(srv);
        auto c = srv.connect();
        const long long now = srv.db.unix_ms();  // the manual clock stands still meanwhile
        const auto at = [&](long long ms) { return std::to_string(now + ms); };
        CHECK(call(*c, {"SET", "gone", "v", "PX", "100"}) == "+OK\r\n");
        CHECK(call(*c, {"SET", "k", "v", "NX", "EX", "10", "GET"}) == "$-1\r\n");
        CHECK(call(*c, {"SETEX", "s", "5", "v"}) == "+OK\r\n");
        CHECK(call(*c, {"EXPIRE", "s", "20", "GT"}) == ":1\r\n");
        CHECK(call(*c, {"EXPIRE", "s", "1", "GT"}) == ":0\r\n");  // no change: PEXPIREAT of the same time
        CHECK(call(*c, {"GETEX", "k", "PX", "700"}) == "$1\r\nv\r\n");
        CHECK(call(*c, {"GETEX", "k"}) == "$1\r\nv\r\n");  // a read: nothing
        CHECK(call(*c, {"GETEX", "s", "PERSIST"}) == "$1\r\nv\r\n");
        CHECK(call(*c, {"EXPIRE", "s", "-1"}) == ":1\r\n");  // in the past: deleted
        CHECK(test::async(*r) == select(0) + encode({"SET", "gone", "v", "PXAT", at(100)}) +
                                     encode({"SET", "k", "v", "NX", "PXAT", at(10000), "GET"}) +
                                     encode({"SET", "s", "v", "PXAT", at(5000)}) +
                                     encode({"PEXPIREAT", "s", at(20000), "GT"}) +
                                     encode({"PEXPIREAT", "s", at(20000), "GT"}) +
                                     encode({"PEXPIREAT", "k", at(700)}) + encode({"PERSIST", "s"}) +
                                     encode({"DEL", "s"}));
        srv.clock.advance(200ms);
        CHECK(srv.db.run_pending() == 1);
        CHECK(test::async(*r) == encode({"DEL", "gone"}));
    }

    TEST_CASE("REPLCONF, ROLE, INFO and WAIT with an acknowledging replica") {
        test::Server srv;
        auto c = srv.connect();
        CHECK(call(*c, {"REPLCONF", "listening-port"}) == "-ERR syntax error\r\n");
        CHECK(call(*c, {"REPLCONF", "listening-port", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*c, {"REPLCONF", "bogus", "1"}) == "-ERR Unrecognized REPLCONF option: bogus\r\n");
        CHECK(call(*c, {"REPLCONF", "ack", "5"}).empty());  // no reply, even from a non-replica
        auto r = attach_replica(srv);
        CHECK(call(*c, {"SET", "k", "v"}) == "+OK\r\n");
        const std::string stream = test::async(*r);
        const std::string offset = std::to_string(stream.size());
        CHECK(call(*c, {"ROLE"}) == "*3\r\n$6\r\nmaster\r\n:" + offset +
                                       "\r\n*1\r\n*3\r\n$0\r\n\r\n$4\r\n6390\r\n$1\r\n0\r\n");
        const std::string info = call(*c, {"INFO", "replication"});
        CHECK(info.find("connected_slaves:1\r\nslave0:ip=,port=6390,state=online,offset=0,lag=") != std::string::npos);
        CHECK(info.find("master_repl_offset:" + offset + "\r\n") != std::string::npos);
        // WAIT blocks until the replica acknowledges this client's write, asking it to.
        CHECK(call(*c, {"WAIT", "1", "0"}).empty());
        CHECK(test::async(*r) == encode({"REPLCONF", "GETACK", "*"}));
        CHECK(call(*r, {"REPLCONF", "ACK", offset}).empty());
        CHECK(test::async(*c) == ":1\r\n");
        CHECK(call(*c, {"WAIT", "1", "0"}) == ":1\r\n");  // already acknowledged
        CHECK(call(*c, {"WAIT", "2", "100"}).empty());    // only one replica: 1 at the timeout
        REQUIRE(c->block_deadline().has_value());
        CHECK(c->on_tick(*c->block_deadline()));
        CHECK(c->output() == ":1\r\n");
        c->output().clear();
        CHECK(call(*c, {"CLIENT", "KILL", "TYPE", "slave"}) == ":1\r\n");
    }

    TEST_CASE("PSYNC continues from the backlog; SYNC with rdb-only sends the snapshot and closes") {
        test::Server srv;
        auto r = attach_replica(srv);
        auto c = srv.connect();
        call(*c, {"SET", "a", "1"});
        const std::string first = test::async(*r);
        call(*c, {"SET", "b", "2"});
        const std::string missed = test::async(*r);
        r->close();
        const std::string info = call(*c, {"INFO", "replication"});
        const std::size_t at = info.find("master_replid:") + 14;
        const std::string replid = info.substr(at, 40);
        auto again = srv.connect();
        const std::string from = std::to_string(first.size() + 1);  // the next byte it needs
        CHECK(call(*again, {"PSYNC", replid, from}) == "+CONTINUE " + replid + "\r\n" + missed);
        auto other = srv.connect();
        CHECK(call(*other, {"PSYNC", "0000000000000000000000000000000000000000", "1"}).starts_with("+FULLRESYNC " + replid));
        auto cli = srv.connect();
        CHECK(call(*cli, {"REPLCONF", "rdb-only", "1"}) == "+OK\r\n");
        CHECK(call(*cli, {"REPLCONF", "rdb-only", "2"}) == "-ERR syntax error\r\n");
        const std::string rdb = call(*cli, {"SYNC"});
        CHECK(rdb.starts_with("$"));
        CHECK(rdb.find("REDIS0009") != std::string::npos);
        CHECK(cli->closing());
        CHECK_FALSE(cli->is_replica());
    }

    TEST_CASE("DUMP is the value in RDB format with the version and a CRC-64") {
        test::Server srv;
        auto c = srv.connect();
        call(*c, {"SET", "k", "hello"});
        std::string want = std::string("\x00\x05hello\x09\x00", 9);
        std::string crc;
        cachet::resp::rdb::Writer(crc).u64_le(cachet::resp::rdb::crc64(0, want));
        want += crc;
        CHECK(call(*c, {"DUMP", "k"}) == "$" + std::to_string(want.size()) + "\r\n" + want + "\r\n");
        CHECK(call(*c, {"DUMP", "missing"}) == "$-1\r\n");
        CHECK(call(*c, {"DUMP"}) == "-ERR wrong number of arguments for 'dump' command\r\n");
    }
}

namespace {

/// Redis 7.0.15's DUMP payloads (one per compact encoding), as bytes.
std::string bytes(const char* s, std::size_t n) { return std::string(s, n); }
const std::string redis_lzf = bytes("\x00\xc3\x0e\x41\x2c\x03\x61\x62\x63\x61\xe0\xff\x02\xe1\x15\x07\x01\x62\x63\x0a\x00\xd2\x57\x33\xce\xc0\x44\xe1\x2b", 29);
const std::string redis_list = bytes("\x12\x01\x02\x1e\x1e\x00\x00\x00\x05\x00\x81\x61\x02\x01\x01\xdf\x38\x02\xf2\x70\x11\x01\x04\xf4\x00\x00\x00\x00\x02\x00\x00\x00\x09\xff\x0a\x00\x90\x9c\x95\xe7\x72\xad\x32\x00", 44);
const std::string redis_intset = bytes("\x0b\xc3\x24\x30\x04\x08\x00\x00\x00\x05\x20\x03\x01\xfc\xff\x80\x00\x00\x01\x20\x0b\x40\x00\x00\x02\x40\x04\x20\x00\x01\x40\x9c\x20\x04\xa0\x00\x00\x08\x20\x07\x0a\x00\xad\x2b\xcc\x59\xdb\x3c\xc5\xc0", 50);
const std::string redis_hash = bytes("\x10\x14\x14\x00\x00\x00\x04\x00\x81\x66\x02\x81\x76\x02\x81\x6e\x02\xf1\x78\xec\x03\xff\x0a\x00\xc6\xf8\xa7\x7b\x2e\xd4\x0a\xa1", 32);
const std::string redis_zset = bytes("\x11\x14\x14\x00\x00\x00\x04\x00\x81\x61\x02\x01\x01\x81\x62\x02\x83\x32\x2e\x35\x04\xff\x0a\x00\xd4\x4c\x6e\xa4\xf6\x44\xd9\xd7", 32);

std::string bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

}  // namespace

TEST_SUITE("resp_replication") {
    TEST_CASE("RESTORE reads Redis 7's DUMP payloads: LZF strings, quicklists, intsets, listpacks") {
        test::Server srv;
        auto c = srv.connect();
        CHECK(call(*c, {"RESTORE", "lzf", "0", redis_lzf}) == "+OK\r\n");
        std::string abc;
        for (int i = 0; i < 100; ++i) abc += "abc";
        CHECK(call(*c, {"GET", "lzf"}) == bulk(abc));
        CHECK(call(*c, {"RESTORE", "l", "0", redis_list}) == "+OK\r\n");
        CHECK(call(*c, {"LRANGE", "l", "0", "-1"}) == "*5\r\n" + bulk("a") + bulk("1") + bulk("-200") + bulk("70000") + bulk("8589934592"));
        CHECK(call(*c, {"RESTORE", "s", "0", redis_intset}) == "+OK\r\n");
        CHECK(call(*c, {"SMISMEMBER", "s", "1", "2", "-4", "40000", "34359738368", "3"}) == "*6\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:0\r\n");
        CHECK(call(*c, {"SCARD", "s"}) == ":5\r\n");
        CHECK(call(*c, {"RESTORE", "h", "0", redis_hash}) == "+OK\r\n");
        CHECK(call(*c, {"HGETALL", "h"}) == "*4\r\n" + bulk("f") + bulk("v") + bulk("n") + bulk("-5000"));
        CHECK(call(*c, {"RESTORE", "z", "0", redis_zset}) == "+OK\r\n");
        CHECK(call(*c, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}) == "*4\r\n" + bulk("a") + bulk("1") + bulk("b") + bulk("2.5"));
        // Round trip through cachet's own DUMP.
        const std::string mine = call(*c, {"DUMP", "z"});
        const std::size_t eol = mine.find("\r\n");
        const std::string payload = mine.substr(eol + 2, mine.size() - eol - 4);
        CHECK(call(*c, {"RESTORE", "z2", "0", payload}) == "+OK\r\n");
        CHECK(call(*c, {"ZRANGE", "z2", "0", "-1", "WITHSCORES"}) == call(*c, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}));
    }

    TEST_CASE("RESTORE's checks, in Redis's order, and its TTLs") {
        test::Server srv;
        auto c = srv.connect();
        call(*c, {"SET", "k", "old"});
        CHECK(call(*c, {"RESTORE", "k", "0", redis_lzf}) == "-BUSYKEY Target key name already exists.\r\n");
        CHECK(call(*c, {"RESTORE", "n", "x", redis_lzf}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*c, {"RESTORE", "n", "-1", redis_lzf}) == "-ERR Invalid TTL value, must be >= 0\r\n");
        CHECK(call(*c, {"RESTORE", "n", "0", redis_lzf, "BOGUS"}) == "-ERR syntax error\r\n");
        CHECK(call(*c, {"RESTORE", "n", "0", redis_lzf, "FREQ", "256"}) == "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
        CHECK(call(*c, {"RESTORE", "n", "0", redis_lzf, "IDLETIME", "-1"}) == "-ERR Invalid IDLETIME value, must be >= 0\r\n");
        std::string corrupt = redis_lzf;
        corrupt[5] ^= 1;
        CHECK(call(*c, {"RESTORE", "n", "0", corrupt}) == "-ERR DUMP payload version or checksum are wrong\r\n");
        std::string future = redis_lzf;
        future[future.size() - 10] = 12;  // RDB version 12: newer than this reader
        CHECK(call(*c, {"RESTORE", "n", "0", future}) == "-ERR DUMP payload version or checksum are wrong\r\n");
        // A payload whose checksum is right but whose body is not an RDB value.
        std::string junk = std::string("\x63\x01\x02", 3) + std::string("\x0a\x00", 2);
        std::string crc;
        cachet::resp::rdb::Writer(crc).u64_le(cachet::resp::rdb::crc64(0, junk));
        CHECK(call(*c, {"RESTORE", "n", "0", junk + crc}) == "-ERR Bad data format\r\n");
        CHECK(call(*c, {"EXISTS", "n"}) == ":0\r\n");
        CHECK(call(*c, {"RESTORE", "k", "5000", redis_lzf, "REPLACE"}) == "+OK\r\n");
        CHECK(call(*c, {"PTTL", "k"}) == ":5000\r\n");
        const std::string past = std::to_string(srv.db.unix_ms() - 1);
        CHECK(call(*c, {"RESTORE", "k", past, redis_lzf, "REPLACE", "ABSTTL"}) == "+OK\r\n");  // expired: deleted
        CHECK(call(*c, {"EXISTS", "k"}) == ":0\r\n");
        const std::string later = std::to_string(srv.db.unix_ms() + 60000);
        CHECK(call(*c, {"RESTORE", "k", later, redis_lzf, "ABSTTL", "IDLETIME", "5"}) == "+OK\r\n");
        CHECK(call(*c, {"PEXPIRETIME", "k"}) == ":" + later + "\r\n");
    }

    TEST_CASE("corrupt payloads and RDB files are refused, never read past their end") {
        // Every single-byte change and every truncation of valid inputs: an error or a value,
        // never a crash (the sanitizer builds run this too).
        std::string file;
        {
            test::Server srv;
            auto c = srv.connect();
            call(*c, {"RPUSH", "l", "a", "b"});
            call(*c, {"HSET", "h", "f", "v"});
            call(*c, {"SET", "s", "x", "PX", "100000"});
            file = cachet::resp::rdb::snapshot(srv.db);
        }
        std::size_t refused = 0, tries = 0;
        const std::string* const inputs[] = {&redis_lzf, &redis_list, &redis_intset, &redis_hash, &redis_zset, &file};
        for (const std::string* input : inputs) {
            for (std::size_t i = 0; i < input->size(); ++i) {
                for (const int flip : {0x01, 0x80, 0xff}) {
                    std::string bad = *input;
                    bad[i] = static_cast<char>(bad[i] ^ flip);
                    ++tries;
                    try {
                        if (input == &file) {
                            test::Server srv;
                            (void)cachet::resp::rdb::load(srv.db, bad);
                        } else {
                            cachet::resp::rdb::Reader r(std::string_view(bad).substr(0, bad.size() - 10));
                            (void)r.value(r.byte());  // the body, without the checksum's protection
                        }
                    } catch (const cachet::resp::rdb::RdbError&) {
                        ++refused;
                    }
                }
                std::string cut = input->substr(0, i);
                try {
                    test::Server srv;
                    if (input == &file) (void)cachet::resp::rdb::load(srv.db, cut);
                    else (void)cachet::resp::rdb::restore_payload(cut);
                    CHECK(false);  // a truncated input never loads
                } catch (const cachet::resp::rdb::RdbError&) {
                }
            }
        }
        CHECK(refused > tries / 10);  // most corruptions are caught (the rest still decode to something)
    }

    TEST_CASE("an RDB file loads into a database, TTLs and all databases included") {
        test::Server a;
        auto c = a.connect();
        call(*c, {"SET", "s", "v", "PX", "60000"});
        call(*c, {"ZADD", "z", "-inf", "lo", "3.25", "mid"});
        call(*c, {"SELECT", "7"});
        call(*c, {"SADD", "set", "1", "two"});
        const std::string file = cachet::resp::rdb::snapshot(a.db);
        test::Server b;
        CHECK(cachet::resp::rdb::load(b.db, file) == 3);
        auto d = b.connect();
        const long long pttl = std::stoll(call(*d, {"PTTL", "s"}).substr(1));  // the two databases'
        CHECK(pttl > 59000);                                                     // wall clocks differ by
        CHECK(pttl <= 60000);                                                    // a millisecond or so
        CHECK(call(*d, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}) == "*4\r\n" + bulk("lo") + bulk("-inf") + bulk("mid") + bulk("3.25"));
        CHECK(call(*d, {"SELECT", "7"}) == "+OK\r\n");
        CHECK(call(*d, {"SCARD", "set"}) == ":2\r\n");
        a.clock.advance(std::chrono::milliseconds(61000));  // expired keys are not loaded
        test::Server e;
        e.clock.advance(std::chrono::milliseconds(61000));
        CHECK(cachet::resp::rdb::load(e.db, cachet::resp::rdb::snapshot(a.db)) == 2);
        CHECK_THROWS_AS(cachet::resp::rdb::load(e.db, "REDIS0099"), cachet::resp::rdb::RdbError);
        CHECK_THROWS_AS(cachet::resp::rdb::load(e.db, "NOTREDIS!"), cachet::resp::rdb::RdbError);
    }

    TEST_CASE("an RDB file's idle and frequency records set the keys' access records") {
        // Redis writes them before a key under an LRU (idle, opcode 248) or LFU (freq, 249)
        // maxmemory-policy; each applies only under the matching policy, as RESTORE's.
        const std::string file = std::string("REDIS0009") +
                                 "\xf8\x2a" + std::string("\x00\x01" "a" "\x01" "x", 5) +  // idle 42 s
                                 "\xf9\x4d" + std::string("\x00\x01" "b" "\x01" "y", 5) +  // freq 77
                                 std::string("\x00\x01" "c" "\x01" "z", 5) +                // neither
                                 "\xff" + std::string(8, '\0');                               // no checksum
        test::Server lru;
        CHECK(cachet::resp::rdb::load(lru.db, file) == 3);
        auto c = lru.connect();
        CHECK(call(*c, {"OBJECT", "IDLETIME", "a"}) == ":42\r\n");
        CHECK(call(*c, {"OBJECT", "IDLETIME", "b"}) == ":0\r\n");
        CHECK(call(*c, {"OBJECT", "IDLETIME", "c"}) == ":0\r\n");
        test::Server lfu;
        auto d = lfu.connect();
        CHECK(call(*d, {"CONFIG", "SET", "maxmemory-policy", "volatile-lfu"}) == "+OK\r\n");
        CHECK(cachet::resp::rdb::load(lfu.db, file) == 3);
        CHECK(call(*d, {"OBJECT", "FREQ", "a"}) == ":5\r\n");
        CHECK(call(*d, {"OBJECT", "FREQ", "b"}) == ":77\r\n");
        CHECK(call(*d, {"OBJECT", "FREQ", "c"}) == ":5\r\n");
        CHECK(call(*d, {"GET", "c"}) == "$1\r\nz\r\n");
    }
}

TEST_SUITE("resp_replication") {
    TEST_CASE("an RDB file written under an LRU or LFU policy carries idle times or counters") {
        // The file without its checksum, whose bytes could be anything.
        auto snapshot = [](auto& db) {
            std::string f = cachet::resp::rdb::snapshot(db);
            f.resize(f.size() - 8);
            return f;
        };
        const std::string a_idle_42 = std::string("\xf8\x2a" "\x00\x01" "a", 5);
        const std::string b_freq_77 = std::string("\xf9\x4d" "\x00\x01" "b", 5);
        test::Server lru;
        auto c = lru.connect();
        CHECK(call(*c, {"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}) == "+OK\r\n");
        call(*c, {"SET", "a", "x"});
        lru.clock.advance(std::chrono::seconds(42));
        call(*c, {"SET", "b", "y"});
        std::string file = snapshot(lru.db);
        CHECK(file.find(a_idle_42) != std::string::npos);
        CHECK(file.find(std::string("\xf8\x00" "\x00\x01" "b", 5)) != std::string::npos);
        CHECK(file.find('\xf9') == std::string::npos);
        CHECK(call(*c, {"OBJECT", "IDLETIME", "a"}) == ":42\r\n");  // saving is not an access
        test::Server restarted;
        CHECK(cachet::resp::rdb::load(restarted.db, cachet::resp::rdb::snapshot(lru.db)) == 2);
        auto d = restarted.connect();
        CHECK(call(*d, {"OBJECT", "IDLETIME", "a"}) == ":42\r\n");
        CHECK(call(*d, {"OBJECT", "IDLETIME", "b"}) == ":0\r\n");

        // Under noeviction (the default) Redis writes neither record.
        CHECK(call(*c, {"CONFIG", "SET", "maxmemory-policy", "noeviction"}) == "+OK\r\n");
        file = snapshot(lru.db);
        CHECK(file.find(a_idle_42) == std::string::npos);
        CHECK(file.find(std::string("\x00\x01" "a" "\x01" "x", 5)) != std::string::npos);

        test::Server lfu;
        auto e = lfu.connect();
        CHECK(call(*e, {"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}) == "+OK\r\n");
        CHECK(call(*e, {"SET", "b", "y"}) == "+OK\r\n");
        const std::string dumped = call(*e, {"DUMP", "b"});
        const std::size_t body = dumped.find("\r\n") + 2;
        CHECK(call(*e, {"RESTORE", "b", "0", dumped.substr(body, dumped.size() - body - 2), "REPLACE", "FREQ", "77"}) ==
              "+OK\r\n");
        file = snapshot(lfu.db);
        CHECK(file.find(b_freq_77) != std::string::npos);
        CHECK(file.find('\xf8') == std::string::npos);
        test::Server lfu2;
        auto f = lfu2.connect();
        CHECK(call(*f, {"CONFIG", "SET", "maxmemory-policy", "volatile-lfu"}) == "+OK\r\n");
        CHECK(cachet::resp::rdb::load(lfu2.db, cachet::resp::rdb::snapshot(lfu.db)) == 1);
        CHECK(call(*f, {"OBJECT", "FREQ", "b"}) == ":77\r\n");
    }

    TEST_CASE("SHUTDOWN SAVE writes the RDB file first; a failed save refuses it unless FORCE") {
        test::Server srv;
        auto s = srv.connect();
        char dir[] = "/tmp/cachet-shutdown-test-XXXXXX";
        REQUIRE(::mkdtemp(dir) != nullptr);
        const std::string path = std::string(dir) + "/dump.rdb";
        auto set_dir = [&](std::string d) {
            cachet::resp::ConfigParam p;
            p.value = std::move(d);
            srv.engine.define_param("dir", p);
        };
        bool stopped = false;
        srv.engine.set_shutdown_hook([&] { stopped = true; });
        call(*s, {"SET", "k", "v"});
        auto persistence = [&] {
            auto c = srv.connect();  // a SHUTDOWN that went through closes its own connection
            return call(*c, {"INFO", "persistence"});
        };
        CHECK(persistence().find("rdb_saves:0\r\nrdb_last_cow_size") != std::string::npos);
        CHECK(persistence().find("rdb_last_bgsave_time_sec:-1\r\n") != std::string::npos);
        set_dir(std::string(dir) + "/missing/dir");
        CHECK(call(*s, {"SHUTDOWN", "SAVE"}) == "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
        CHECK_FALSE(stopped);
        // The failed save shows in INFO (and leaves LASTSAVE and the count alone).
        const std::string lastsave = call(*s, {"LASTSAVE"});
        CHECK(persistence().find("rdb_last_bgsave_status:err\r\n") != std::string::npos);
        CHECK(persistence().find("rdb_last_bgsave_time_sec:0\r\n") != std::string::npos);
        CHECK(persistence().find("rdb_saves:0\r\n") != std::string::npos);
        set_dir(dir);
        CHECK(call(*s, {"SHUTDOWN", "SAVE"}).empty());
        CHECK(stopped);
        CHECK(persistence().find("rdb_last_bgsave_status:ok\r\n") != std::string::npos);
        CHECK(persistence().find("rdb_saves:1\r\n") != std::string::npos);
        CHECK(std::stoll(call(*srv.connect(), {"LASTSAVE"}).substr(1)) >= std::stoll(lastsave.substr(1)));
        std::ifstream in(path, std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        test::Server other;
        CHECK(cachet::resp::rdb::load(other.db, bytes.str()) == 1);
        stopped = false;
        auto t = srv.connect();
        set_dir(std::string(dir) + "/missing/dir");
        CHECK(call(*t, {"SHUTDOWN", "SAVE", "FORCE"}).empty());  // FORCE: even if the save failed
        CHECK(stopped);
        std::remove(path.c_str());
        ::rmdir(dir);
    }
}

}  // namespace resp_replication_test
