// MONITOR, SLOWLOG, LATENCY, ROLE, WAIT, CLUSTER, REPLICAOF and SWAPDB through the command
// layer (expected replies checked against redis-server 7.0.15).

#include "support/resp_session.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using test::call;

namespace {

/// The lines of a MONITOR stream with the timestamp replaced by "T".
std::vector<std::string> monitor_lines(const std::string& got) {
    std::vector<std::string> out;
    static const std::regex stamp(R"(^\+\d+\.\d{6} )");
    for (std::size_t at = 0; at < got.size();) {
        const std::size_t eol = got.find("\r\n", at);
        REQUIRE(eol != std::string::npos);
        const std::string line = got.substr(at, eol - at);
        CHECK(std::regex_search(line, stamp));
        out.push_back("T " + std::regex_replace(line, stamp, ""));
        at = eol + 2;
    }
    return out;
}

}  // namespace

TEST_SUITE("resp_admin") {
    TEST_CASE("MONITOR streams each command as it ran, quoted as Redis quotes it") {
        test::Server srv;
        auto m = srv.connect();
        auto s = srv.connect();
        CHECK(call(*m, {"MONITOR"}) == "+OK\r\n");
        CHECK(call(*m, {"MONITOR"}).empty());  // already monitoring: no reply
        CHECK(call(*s, {"SET", "a b", "x\ty\x01\"\\"}) == "+OK\r\n");
        CHECK(call(*s, {"AUTH", "secret"}).starts_with("-ERR"));  // ran (and failed): shown
        CHECK(call(*s, {"HELLO", "2", "AUTH", "default", "pw"}).starts_with("*"));  // nopass: accepted
        CHECK(call(*s, {"CONFIG", "GET", "maxmemory"}).starts_with("*2"));  // admin: hidden
        CHECK(call(*s, {"GET"}).starts_with("-ERR wrong number"));           // rejected: hidden
        CHECK(call(*s, {"SELECT", "3"}) == "+OK\r\n");
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*s, {"INCR", "n"}) == "+QUEUED\r\n");  // shown when EXEC runs it
        CHECK(call(*s, {"EXEC"}) == "*1\r\n:1\r\n");
        const auto lines = monitor_lines(test::async(*m));
        CHECK(lines ==
              std::vector<std::string>{
                  R"m(T [0 ] "SET" "a b" "x\ty\x01\"\\")m",
                  R"m(T [0 ] "AUTH" "(redacted)")m",
                  R"m(T [0 ] "HELLO" "2" "AUTH" "(redacted)" "(redacted)")m",
                  R"m(T [3 ] "SELECT" "3")m",
                  R"m(T [3 ] "MULTI")m",
                  R"m(T [3 ] "INCR" "n")m",
                  R"m(T [3 ] "EXEC")m",
              });
        // A closed monitor is forgotten; the others carry on.
        m->close();
        m.reset();
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");
        CHECK(srv.engine.has_monitors() == false);
    }

    TEST_CASE("SLOWLOG records commands over the threshold, newest first, as Redis shortens them") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"SLOWLOG", "GET"}) == "*0\r\n");  // nothing takes 10 ms here
        CHECK(call(*s, {"CONFIG", "SET", "slowlog-log-slower-than", "0"}) == "+OK\r\n");
        CHECK(call(*s, {"CLIENT", "SETNAME", "bob"}) == "+OK\r\n");
        const std::string big(200, 'v');
        CHECK(call(*s, {"SET", "k", big}) == "+OK\r\n");
        CHECK(call(*s, {"AUTH", "pw"}).starts_with("-ERR"));
        std::vector<std::string_view> many = {"RPUSH", "l"};
        std::vector<std::string> items;
        for (int i = 0; i < 38; ++i) items.push_back(std::to_string(i));
        for (const auto& v : items) many.push_back(v);
        std::string req = "*40\r\n";
        for (auto a : many) req += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
        CHECK(test::raw(*s, req) == ":38\r\n");
        const std::string got = call(*s, {"SLOWLOG", "GET", "3"});
        // Newest first: RPUSH (32 arguments kept, the last saying how many more), AUTH
        // (redacted), SET (the value cut at 128 bytes).
        CHECK(got.starts_with("*3\r\n*6\r\n:4\r\n:"));
        CHECK(got.find("$3\r\nbob\r\n") != std::string::npos);  // the client's name
        CHECK(got.find("$22\r\n... (9 more arguments)\r\n") != std::string::npos);
        CHECK(got.find("*2\r\n$4\r\nAUTH\r\n$10\r\n(redacted)\r\n") != std::string::npos);
        CHECK(got.find("$147\r\n" + std::string(128, 'v') + "... (72 more bytes)\r\n") != std::string::npos);
        CHECK(call(*s, {"SLOWLOG", "LEN"}) == ":6\r\n");  // CONFIG SET, SETNAME, SET, AUTH, RPUSH, GET
        CHECK(call(*s, {"SLOWLOG", "GET", "-2"}) == "-ERR count should be greater than or equal to -1\r\n");
        CHECK(call(*s, {"SLOWLOG", "GET", "x"}) == "-ERR count should be greater than or equal to -1\r\n");
        CHECK(call(*s, {"SLOWLOG", "GET", "0"}) == "*0\r\n");
        // EXEC is not logged itself, the commands it ran are.
        CHECK(call(*s, {"SLOWLOG", "RESET"}) == "+OK\r\n");
        call(*s, {"MULTI"});
        call(*s, {"PING"});
        call(*s, {"EXEC"});
        const std::string tx = call(*s, {"SLOWLOG", "GET", "-1"});
        CHECK(tx.find("EXEC") == std::string::npos);
        CHECK(tx.find("$4\r\nPING\r\n") != std::string::npos);
        CHECK(tx.find("$5\r\nMULTI\r\n") != std::string::npos);
        // slowlog-max-len trims; a negative threshold turns it off.
        CHECK(call(*s, {"CONFIG", "SET", "slowlog-max-len", "2"}) == "+OK\r\n");
        CHECK(call(*s, {"SLOWLOG", "LEN"}) == ":2\r\n");
        CHECK(call(*s, {"CONFIG", "SET", "slowlog-log-slower-than", "-1"}) == "+OK\r\n");
        CHECK(call(*s, {"SLOWLOG", "RESET"}) == "+OK\r\n");
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");
        CHECK(call(*s, {"SLOWLOG", "LEN"}) == ":0\r\n");
        CHECK(call(*s, {"SLOWLOG", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n");
    }

    TEST_CASE("LATENCY: off by default, then the worst sample per second of each event") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"LATENCY", "LATEST"}) == "*0\r\n");
        CHECK(call(*s, {"LATENCY", "DOCTOR"}).find("I'm sorry, Dave, I can't do that.") != std::string::npos);
        CHECK(call(*s, {"LATENCY", "GRAPH", "command"}) ==
              "-ERR No samples available for event 'command'\r\n");
        srv.engine.latency_consider("command", 50);  // the monitor is off: ignored
        CHECK(call(*s, {"LATENCY", "LATEST"}) == "*0\r\n");
        CHECK(call(*s, {"CONFIG", "SET", "latency-monitor-threshold", "10"}) == "+OK\r\n");
        CHECK(call(*s, {"LATENCY", "DOCTOR"}).find("no latency spike was observed") != std::string::npos);
        srv.engine.latency_consider("command", 5);  // under the threshold
        srv.engine.latency_consider("command", 30);
        srv.engine.latency_consider("command", 20);  // same second: the worst stays
        const std::string latest = call(*s, {"LATENCY", "LATEST"});
        CHECK(latest.starts_with("*1\r\n*4\r\n$7\r\ncommand\r\n:"));
        CHECK(latest.ends_with("\r\n:30\r\n:30\r\n"));
        CHECK(call(*s, {"LATENCY", "HISTORY", "command"}).ends_with(":30\r\n"));
        CHECK(call(*s, {"LATENCY", "HISTORY", "nosuch"}) == "*0\r\n");
        CHECK(call(*s, {"LATENCY", "GRAPH", "command"}).starts_with("-ERR LATENCY GRAPH is not supported"));
        CHECK(call(*s, {"LATENCY", "DOCTOR"}).find("1. command: 1 latency spikes (average 30ms") != std::string::npos);
        CHECK(call(*s, {"LATENCY", "RESET", "nosuch"}) == ":0\r\n");
        CHECK(call(*s, {"LATENCY", "RESET"}) == ":1\r\n");
        CHECK(call(*s, {"LATENCY", "LATEST"}) == "*0\r\n");
    }

    TEST_CASE("ROLE, WAIT, REPLICAOF and the cluster commands of a standalone master") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"ROLE"}) == "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
        CHECK(call(*s, {"WAIT", "0", "0"}) == ":0\r\n");
        CHECK(call(*s, {"WAIT", "x", "0"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"WAIT", "1", "-1"}) == "-ERR timeout is negative\r\n");
        CHECK(call(*s, {"WAIT", "1", "x"}) == "-ERR timeout is not an integer or out of range\r\n");
        // Asking for a replica it does not have: blocks until the timeout, then 0.
        const auto before = std::chrono::steady_clock::now();
        CHECK(call(*s, {"WAIT", "1", "200"}).empty());
        REQUIRE(s->block_deadline().has_value());
        CHECK(*s->block_deadline() >= before + 200ms);
        CHECK_FALSE(s->on_tick(before));
        CHECK(s->on_tick(*s->block_deadline()));
        CHECK(s->output() == ":0\r\n");
        s->output().clear();
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");  // never blocks in a transaction
        CHECK(call(*s, {"WAIT", "1", "0"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"EXEC"}) == "*1\r\n:0\r\n");
        CHECK(call(*s, {"REPLICAOF", "NO", "ONE"}) == "+OK\r\n");
        CHECK(call(*s, {"SLAVEOF", "no", "one"}) == "+OK\r\n");
        CHECK(call(*s, {"REPLICAOF", "127.0.0.1", "6379"}).starts_with("-ERR cachet-server does not replicate"));
        for (auto cmd : {std::vector<std::string_view>{"CLUSTER", "INFO"}, {"READONLY"}, {"READWRITE"}, {"ASKING"}}) {
            std::string req = "*" + std::to_string(cmd.size()) + "\r\n";
            for (auto a : cmd) req += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
            CHECK(test::raw(*s, req) == "-ERR This instance has cluster support disabled\r\n");
        }
        CHECK(call(*s, {"CLUSTER"}) == "-ERR wrong number of arguments for 'cluster' command\r\n");
    }

    TEST_CASE("SWAPDB exchanges the data; clients, blocked pops and WATCHes keep the number") {
        test::Server srv;
        auto s = srv.connect();
        auto blocked = srv.connect();
        auto watcher = srv.connect();
        CHECK(call(*s, {"SET", "a", "1"}) == "+OK\r\n");
        CHECK(call(*s, {"SELECT", "1"}) == "+OK\r\n");
        CHECK(call(*s, {"SET", "b", "2", "EX", "1000"}) == "+OK\r\n");
        CHECK(call(*s, {"RPUSH", "q", "job"}) == ":1\r\n");
        // db 0: a client blocked on q, and a WATCH on b (absent in db 0, present in db 1).
        CHECK(call(*blocked, {"BLPOP", "q", "0"}).empty());
        CHECK(call(*watcher, {"WATCH", "b"}) == "+OK\r\n");
        CHECK(call(*s, {"SWAPDB", "0", "1"}) == "+OK\r\n");
        // The blocked client is served from the list that is now db 0's.
        CHECK(test::async(*blocked) == "*2\r\n$1\r\nq\r\n$3\r\njob\r\n");
        CHECK(call(*s, {"GET", "a"}) == "$1\r\n1\r\n");  // s is still on db 1: a is there now
        CHECK(call(*s, {"DBSIZE"}) == ":1\r\n");
        CHECK(call(*s, {"SELECT", "0"}) == "+OK\r\n");
        CHECK(call(*s, {"GET", "b"}) == "$1\r\n2\r\n");
        CHECK(call(*s, {"TTL", "b"}) == ":1000\r\n");  // the TTL came along
        CHECK(call(*s, {"EXISTS", "q"}) == ":0\r\n");  // popped by the blocked client
        CHECK(call(*watcher, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*watcher, {"GET", "b"}) == "+QUEUED\r\n");
        CHECK(call(*watcher, {"EXEC"}) == "*-1\r\n");  // b's database changed under the WATCH
        // The in-process API sees the swap too, by number.
        CHECK(srv.db.db(0).get("b") == "2");
        CHECK(srv.db.db(1).get("a") == "1");
        CHECK(call(*s, {"SWAPDB", "0", "16"}) == "-ERR DB index is out of range\r\n");
        CHECK(call(*s, {"SWAPDB", "x", "1"}) == "-ERR invalid first DB index\r\n");
        CHECK(call(*s, {"SWAPDB", "1", "y"}) == "-ERR invalid second DB index\r\n");
        // Inside a transaction.
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*s, {"SWAPDB", "0", "1"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"GET", "a"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"EXEC"}) == "*2\r\n+OK\r\n$1\r\n1\r\n");
    }

    TEST_CASE("CLIENT REPLY OFF / SKIP / ON and CLIENT NO-EVICT, as redis-server 7.0.15") {
        test::Server srv;
        auto s = srv.connect();
        auto o = srv.connect();
        CHECK(call(*s, {"CLIENT", "REPLY", "SKIP"}).empty());
        CHECK(call(*s, {"SET", "a", "1"}).empty());  // skipped, but done
        CHECK(call(*s, {"GET", "a"}) == "$1\r\n1\r\n");
        // SKIP skipped by a SKIP skips the command after it too.
        CHECK(call(*s, {"CLIENT", "REPLY", "SKIP"}).empty());
        CHECK(call(*s, {"CLIENT", "REPLY", "SKIP"}).empty());
        CHECK(call(*s, {"PING"}).empty());
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");
        CHECK(call(*s, {"CLIENT", "REPLY", "OFF"}).empty());
        CHECK(call(*s, {"INCR", "a"}).empty());
        CHECK(call(*s, {"NOSUCH"}).empty());  // errors too
        CHECK(call(*s, {"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
        CHECK(call(*s, {"GET", "a"}) == "$1\r\n2\r\n");
        CHECK(call(*s, {"CLIENT", "REPLY", "maybe"}) == "-ERR syntax error\r\n");
        // Subscriptions and their messages still reach a client whose replies are off.
        CHECK(call(*s, {"CLIENT", "REPLY", "OFF"}).empty());
        CHECK(call(*s, {"SUBSCRIBE", "ch"}) == "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
        CHECK(call(*o, {"PUBLISH", "ch", "m"}) == ":1\r\n");
        CHECK(test::async(*s) == "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n");
        // Inside EXEC, OFF takes effect after the transaction's header is out (Redis's quirk).
        auto t = srv.connect();
        call(*t, {"MULTI"});
        CHECK(call(*t, {"CLIENT", "REPLY", "OFF"}) == "+QUEUED\r\n");
        CHECK(call(*t, {"EXEC"}) == "*1\r\n");
        CHECK(call(*t, {"PING"}).empty());
        CHECK(call(*t, {"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
        // NO-EVICT: flag 'e' in CLIENT INFO / LIST.
        CHECK(call(*o, {"CLIENT", "NO-EVICT", "on"}) == "+OK\r\n");
        CHECK(call(*o, {"CLIENT", "INFO"}).find(" flags=e ") != std::string::npos);
        CHECK(call(*o, {"CLIENT", "NO-EVICT", "maybe"}) == "-ERR syntax error\r\n");
        CHECK(call(*o, {"CLIENT", "NO-EVICT", "OFF"}) == "+OK\r\n");
        CHECK(call(*o, {"CLIENT", "INFO"}).find(" flags=N ") != std::string::npos);
    }

    TEST_CASE("CLIENT UNBLOCK ends another client's blocking command as a timeout or an error") {
        test::Server srv;
        auto admin = srv.connect();
        auto b = srv.connect();
        const std::string id = std::to_string(b->id());
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", id}) == ":0\r\n");  // not blocked
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", id, "FOO"}) ==
              "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", id, "ERROR"}) == ":1\r\n");
        CHECK(test::async(*b) == "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
        CHECK_FALSE(b->blocked());
        CHECK(srv.db.db(0).list_waiters().queued("q") == 0);
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", id, "TIMEOUT"}) == ":1\r\n");
        CHECK(test::async(*b) == "*-1\r\n");
        CHECK(call(*admin, {"RPUSH", "q", "x"}) == ":1\r\n");  // nobody waits any more
        CHECK(call(*admin, {"LLEN", "q"}) == ":1\r\n");
        // Served before the request is acted on: the served reply wins, no second reply.
        CHECK(call(*b, {"BLPOP", "r", "0"}).empty());
        CHECK(call(*admin, {"RPUSH", "r", "job"}) == ":1\r\n");
        (void)b->request_unblock(false);
        CHECK(test::async(*b) == "*2\r\n$1\r\nr\r\n$3\r\njob\r\n");
        CHECK(test::async(*b).empty());
        // CLIENT LIST ID: IDs that cannot exist match nothing; a non-number is an error.
        CHECK(call(*admin, {"CLIENT", "LIST", "ID", "0"}) == "$0\r\n\r\n");
        CHECK(call(*admin, {"CLIENT", "LIST", "ID", "x"}) == "-ERR Invalid client ID\r\n");
        CHECK(call(*admin, {"CLIENT", "KILL", "MAXAGE", "5"}) == "-ERR syntax error\r\n");  // 7.4's
        CHECK(call(*admin, {"CLIENT", "GETREDIR"}) == ":-1\r\n");
        CHECK(call(*admin, {"CLIENT", "TRACKINGINFO"}) ==
              "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n");
    }

    TEST_CASE("ACL WHOAMI, USERS and CAT of the one user, default") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"ACL", "WHOAMI"}) == "$7\r\ndefault\r\n");
        CHECK(call(*s, {"ACL", "USERS"}) == "*1\r\n$7\r\ndefault\r\n");
        CHECK(call(*s, {"ACL", "CAT"}).starts_with("*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n"));
        CHECK(call(*s, {"ACL", "CAT", "nosuch"}) == "-ERR Unknown category 'nosuch'\r\n");
        const std::string str = call(*s, {"ACL", "CAT", "string"});
        CHECK(str.find("$3\r\nlcs\r\n") != std::string::npos);
        CHECK(str.find("$4\r\nlpop\r\n") == std::string::npos);
        const std::string conn = call(*s, {"ACL", "CAT", "connection"});
        CHECK(conn.find("$11\r\nclient|kill\r\n") != std::string::npos);  // subcommands
        CHECK(conn.find("$6\r\nclient\r\n") == std::string::npos);        // not the container
        CHECK(call(*s, {"ACL", "LIST"}) == "-ERR unknown subcommand 'LIST'. Try ACL HELP.\r\n");
    }

    TEST_CASE("LCS: the string, its length, and the match ranges as Redis 7.0 finds them") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"MSET", "key1", "ohmytext", "key2", "mynewtext"}) == "+OK\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2"}) == "$6\r\nmytext\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "LEN"}) == ":6\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "IDX"}) ==
              "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
              "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}) ==
              "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
              "$3\r\nlen\r\n:6\r\n");
        CHECK(call(*s, {"LCS", "key1", "nokey"}) == "$0\r\n\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "LEN", "IDX"}) ==
              "-ERR If you want both the length and indexes, please just use IDX.\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "MINMATCHLEN"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "MINMATCHLEN", "x"}) ==
              "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"RPUSH", "l", "x"}) == ":1\r\n");
        CHECK(call(*s, {"LCS", "key1", "l"}) == "-ERR The specified keys must contain string values\r\n");
        // The table would exceed proto-max-bulk-len: refused, nothing allocated.
        CHECK(call(*s, {"CONFIG", "SET", "proto-max-bulk-len", "1mb"}) == "+OK\r\n");
        CHECK(call(*s, {"SET", "big", std::string(1000, 'a')}) == "+OK\r\n");
        CHECK(call(*s, {"LCS", "big", "big", "LEN"}) ==
              "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n");
        call(*s, {"HELLO", "3"});
        CHECK(call(*s, {"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"}) ==
              "%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n");
    }

    TEST_CASE("MEMORY STATS, DOCTOR, PURGE, MALLOC-STATS and MODULE as a libc Redis answers") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"MEMORY", "DOCTOR"}).find("Hi Sam, this instance is empty") != std::string::npos);
        CHECK(call(*s, {"MEMORY", "PURGE"}) == "+OK\r\n");
        CHECK(call(*s, {"MEMORY", "MALLOC-STATS"}) == "$45\r\nStats not supported for the current allocator\r\n");
        CHECK(call(*s, {"SET", "k", "v"}) == "+OK\r\n");
        CHECK(call(*s, {"SELECT", "2"}) == "+OK\r\n");
        CHECK(call(*s, {"SET", "k2", "v", "EX", "100"}) == "+OK\r\n");
        const std::string stats = call(*s, {"MEMORY", "STATS"});
        CHECK(stats.starts_with("*58\r\n$14\r\npeak.allocated\r\n:"));  // 27 fields + 2 databases
        CHECK(test::one_frame(stats));
        CHECK(stats.find("$4\r\ndb.0\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:96\r\n") != std::string::npos);
        CHECK(stats.find("$4\r\ndb.2\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:96\r\n$26\r\noverhead.hashtable.expires\r\n:8\r\n") != std::string::npos);
        CHECK(stats.find("$10\r\nkeys.count\r\n:2\r\n") != std::string::npos);
        CHECK(stats.find("$13\r\nfragmentation\r\n") != std::string::npos);
        call(*s, {"HELLO", "3"});
        CHECK(call(*s, {"MEMORY", "STATS"}).starts_with("%29\r\n"));
        CHECK(test::one_frame(call(*s, {"MEMORY", "STATS"})));
        CHECK(call(*s, {"MODULE", "LIST"}) == "*0\r\n");
        CHECK(call(*s, {"MODULE", "LOAD", "/x.so"}).starts_with("-ERR MODULE command not allowed."));
        CHECK(call(*s, {"CONFIG", "SET", "enable-module-command", "yes"}).starts_with("-ERR"));  // immutable
    }

    TEST_CASE("introspection replies are each one whole frame, in RESP2 and RESP3") {
        // An aggregate whose header miscounts its elements desynchronises the client for good.
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"SET", "k", "v", "EX", "100"});
        call(*s, {"RPUSH", "l", "a"});
        call(*s, {"ZADD", "z", "1", "m"});
        call(*s, {"HSET", "h", "f", "v"});
        call(*s, {"SADD", "s", "m"});
        call(*s, {"CONFIG", "SET", "slowlog-log-slower-than", "0"});
        const std::vector<std::vector<std::string>> commands = {
            {"INFO"}, {"INFO", "everything"}, {"MEMORY", "STATS"}, {"MEMORY", "DOCTOR"},
            {"MEMORY", "USAGE", "k"}, {"MEMORY", "HELP"}, {"CLIENT", "LIST"}, {"CLIENT", "INFO"},
            {"CLIENT", "HELP"}, {"COMMAND"}, {"COMMAND", "INFO", "get", "georadius", "spublish"},
            {"COMMAND", "DOCS", "set", "client"}, {"COMMAND", "LIST"}, {"COMMAND", "COUNT"},
            {"CONFIG", "GET", "*"}, {"SLOWLOG", "GET", "5"}, {"SLOWLOG", "LEN"}, {"LATENCY", "LATEST"},
            {"LATENCY", "DOCTOR"}, {"OBJECT", "HELP"}, {"OBJECT", "ENCODING", "z"}, {"HELLO"},
            {"ROLE"}, {"TIME"}, {"DBSIZE"}, {"LASTSAVE"}, {"PUBSUB", "HELP"}, {"XINFO", "HELP"},
            {"SCAN", "0", "COUNT", "100"}, {"DUMP", "k"}, {"TYPE", "h"}, {"ACL", "WHOAMI"},
            {"ACL", "CAT"}, {"CLUSTER", "INFO"}, {"MODULE", "LIST"}, {"LOLWUT"}};
        for (const char* proto : {"2", "3"}) {
            call(*s, {"HELLO", proto});
            for (const auto& cmd : commands) {
                CAPTURE(proto);
                CAPTURE(cmd[0]);
                CHECK(test::one_frame(test::callv(*s, cmd)));
            }
        }
    }

    TEST_CASE("DEBUG is refused as Redis refuses it by default, at queue time inside MULTI") {
        test::Server srv;
        auto s = srv.connect();
        const std::string refused =
            "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
            "you can run it from a local connection, otherwise you need to set this option in the "
            "configuration file, and then restart the server.\r\n";
        CHECK(call(*s, {"DEBUG", "SLEEP", "0"}) == refused);
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*s, {"DEBUG", "SLEEP", "0"}) == refused);  // not queued
        CHECK(call(*s, {"EXEC"}).starts_with("-EXECABORT Transaction discarded because of previous errors."));
    }
}
