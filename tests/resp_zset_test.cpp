// The sorted-set commands of the RESP layer: exact reply bytes, RESP2 and RESP3, checked against
// redis-server 7.0.15 (the expected replies below are what it replied; COMMAND INFO / DOCS are
// checked on the parts the command table expresses), Redis's error texts and
// the order of its checks, WRONGTYPE, infinities and exclusive bounds, the *STORE destinations,
// ZSCAN to completion, what Redis's listpack encoding shows (-0, integral scores, lex walks), and
// the blocking BZPOPMIN / BZPOPMAX / BZMPOP: served by another session, by the program's
// db.zsets() from any thread, FIFO, timeouts, closing, MULTI, and a concurrent stress test.
#include "support/resp_session.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace resp_zset_test {

using namespace std::chrono_literals;
using test::call;
using test::raw;

namespace {

constexpr const char* wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

/// A RESP2 and a RESP3 session on one server, for read commands whose replies differ.
struct Pair {
    std::unique_ptr<test::Session> r2, r3;
    explicit Pair(test::Server& srv) : r2(srv.connect()), r3(srv.connect()) {
        call(*r3, {"HELLO", "3"});
    }
};

/// The argument list of a ZSCAN ... and the elements it returned, run to cursor 0.
std::map<std::string, std::string> scan_all(test::Session& s, const std::string& key,
                                            std::vector<std::string> opts, int* calls = nullptr) {
    std::map<std::string, std::string> got;
    std::string cursor = "0";
    int n = 0;
    do {
        std::vector<std::string> args = {"ZSCAN", key, cursor};
        args.insert(args.end(), opts.begin(), opts.end());
        std::string in = "*" + std::to_string(args.size()) + "\r\n";
        for (const auto& a : args) in += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
        const std::string out = raw(s, in);
        // *2 $<n> cursor *<m> ($<len> bytes)...
        std::size_t p = out.find("\r\n", 4);  // after "*2\r\n$<n>"
        const std::size_t cstart = p + 2;
        p = out.find("\r\n", cstart);
        cursor = out.substr(cstart, p - cstart);
        std::size_t q = p + 2;  // at '*'
        const std::size_t eol = out.find("\r\n", q);
        const int m = std::stoi(out.substr(q + 1, eol - q - 1));
        q = eol + 2;
        std::vector<std::string> items;
        for (int i = 0; i < m; ++i) {
            const std::size_t e = out.find("\r\n", q);
            const std::size_t len = std::stoul(out.substr(q + 1, e - q - 1));
            items.push_back(out.substr(e + 2, len));
            q = e + 2 + len + 2;
        }
        for (std::size_t i = 0; i + 1 < items.size(); i += 2) got[items[i]] = items[i + 1];
        ++n;
    } while (cursor != "0" && n < 100000);
    if (calls) *calls = n;
    return got;
}

}  // namespace

TEST_SUITE("resp_zset") {
    TEST_CASE("ZADD: options, their errors in Redis's order, INCR, CH, GT/LT, scores") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"ZADD", "z", "1", "a", "2", "b", "3", "c"}) == ":3\r\n");
        CHECK(call(*s, {"ZADD", "z"}) == "-ERR wrong number of arguments for 'zadd' command\r\n");
        CHECK(call(*s, {"ZADD", "z", "1"}) == "-ERR wrong number of arguments for 'zadd' command\r\n");
        CHECK(call(*s, {"ZADD", "z", "nx", "1"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZADD", "z", "1", "a", "2"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZADD", "z", "nx", "xx", "1", "a"}) ==
              "-ERR XX and NX options at the same time are not compatible\r\n");
        CHECK(call(*s, {"ZADD", "z", "gt", "lt", "1", "a"}) ==
              "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
        CHECK(call(*s, {"ZADD", "z", "nx", "gt", "1", "a"}) ==
              "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
        CHECK(call(*s, {"ZADD", "z", "incr", "1", "a", "2", "b"}) ==
              "-ERR INCR option supports a single increment-element pair\r\n");
        CHECK(call(*s, {"ZADD", "z", "1", "a", "x", "b"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"ZADD", "z", "nan", "a"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"ZADD", "z", "1e400", "a"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"ZADD", "z", " 1", "a"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"ZADD", "z", "1 ", "a"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"ZADD", "z", "inf", "a"}) == ":0\r\n");  // an update is not counted
        CHECK(call(*s, {"ZADD", "z", "incr", "-inf", "a"}) == "-ERR resulting score is not a number (NaN)\r\n");
        CHECK(call(*s, {"ZADD", "z", "incr", "+inf", "a"}) == "$3\r\ninf\r\n");
        CHECK(call(*s, {"ZADD", "z", "xx", "incr", "1", "nosuch"}) == "$-1\r\n");
        CHECK(call(*s, {"ZADD", "z", "xx", "1", "nosuch"}) == ":0\r\n");
        CHECK(call(*s, {"ZADD", "z", "ch", "5", "a", "6", "b", "1", "new"}) == ":3\r\n");
        CHECK(call(*s, {"ZADD", "z", "GT", "CH", "1", "a", "100", "b"}) == ":1\r\n");
        CHECK(call(*s, {"ZADD", "z", "lt", "incr", "1", "b"}) == "$-1\r\n");
        CHECK(call(*s, {"ZADD", "z", "gt", "incr", "0", "b"}) == "$-1\r\n");
        CHECK(call(*s, {"ZADD", "z", "incr", "0", "b"}) == "$3\r\n100\r\n");
        CHECK(call(*s, {"ZADD", "z", "XX", "GT", "50", "b", "7", "a"}) == ":0\r\n");
        CHECK(call(*s, {"ZSCORE", "z", "a"}) == "$1\r\n7\r\n");
        CHECK(call(*s, {"ZADD", "nokey", "xx", "1", "a"}) == ":0\r\n");
        CHECK(call(*s, {"EXISTS", "nokey"}) == ":0\r\n");  // XX on a missing key creates nothing
        // ZINCRBY goes through ZADD's option parser: an increment spelled like an option is one.
        CHECK(call(*s, {"ZINCRBY", "z", "nx", "m"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZINCRBY", "z", "xx", "m"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZINCRBY", "z", "abc", "m"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"ZINCRBY", "z", "1", "m"}) == "$1\r\n1\r\n");
        CHECK(call(*s, {"ZINCRBY", "z", "0.1", "m"}) == "$18\r\n1.1000000000000001\r\n");
        CHECK(call(*s, {"ZINCRBY", "z"}) == "-ERR wrong number of arguments for 'zincrby' command\r\n");
        call(*s, {"SET", "str", "x"});
        CHECK(call(*s, {"ZADD", "str", "1", "a"}) == wrongtype);
        CHECK(call(*s, {"ZADD", "str", "x", "a"}) == "-ERR value is not a valid float\r\n");  // parsed first
        CHECK(call(*s, {"ZADD", "str", "nx", "xx", "1", "a"}) ==
              "-ERR XX and NX options at the same time are not compatible\r\n");
        CHECK(call(*s, {"ZINCRBY", "str", "1", "a"}) == wrongtype);
        // RESP3: INCR replies a double or a null.
        call(*s, {"HELLO", "3"});
        CHECK(call(*s, {"ZADD", "z3", "incr", "1.5", "a"}) == ",1.5\r\n");
        CHECK(call(*s, {"ZINCRBY", "z3", "0.1", "a"}) == ",1.6000000000000001\r\n");
        CHECK(call(*s, {"ZADD", "z3", "xx", "incr", "1", "nosuch"}) == "_\r\n");
        CHECK(call(*s, {"ZADD", "z3", "1", "b", "2", "c"}) == ":2\r\n");
    }

    TEST_CASE("ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCARD in RESP2 and RESP3") {
        test::Server srv;
        Pair p(srv);
        call(*p.r2, {"ZADD", "z", "1", "a", "2.5", "b", "-inf", "c", "inf", "d"});
        call(*p.r2, {"SET", "str", "x"});
        CHECK(call(*p.r2, {"ZSCORE", "z", "b"}) == "$3\r\n2.5\r\n");
        CHECK(call(*p.r3, {"ZSCORE", "z", "b"}) == ",2.5\r\n");
        CHECK(call(*p.r2, {"ZSCORE", "z", "c"}) == "$4\r\n-inf\r\n");
        CHECK(call(*p.r3, {"ZSCORE", "z", "c"}) == ",-inf\r\n");
        CHECK(call(*p.r3, {"ZSCORE", "z", "d"}) == ",inf\r\n");
        CHECK(call(*p.r2, {"ZSCORE", "z", "nosuch"}) == "$-1\r\n");
        CHECK(call(*p.r3, {"ZSCORE", "nokey", "a"}) == "_\r\n");
        CHECK(call(*p.r2, {"ZMSCORE", "z", "a", "nosuch", "b"}) == "*3\r\n$1\r\n1\r\n$-1\r\n$3\r\n2.5\r\n");
        CHECK(call(*p.r3, {"ZMSCORE", "z", "a", "nosuch", "b"}) == "*3\r\n,1\r\n_\r\n,2.5\r\n");
        CHECK(call(*p.r2, {"ZMSCORE", "nokey", "a", "b"}) == "*2\r\n$-1\r\n$-1\r\n");
        CHECK(call(*p.r3, {"ZMSCORE", "nokey", "a", "b"}) == "*2\r\n_\r\n_\r\n");
        CHECK(call(*p.r2, {"ZRANK", "z", "a"}) == ":1\r\n");
        CHECK(call(*p.r2, {"ZREVRANK", "z", "a"}) == ":2\r\n");
        CHECK(call(*p.r2, {"ZRANK", "z", "nosuch"}) == "$-1\r\n");
        CHECK(call(*p.r3, {"ZRANK", "z", "nosuch"}) == "_\r\n");
        CHECK(call(*p.r3, {"ZREVRANK", "nokey", "a"}) == "_\r\n");
        CHECK(call(*p.r2, {"ZCARD", "z"}) == ":4\r\n");
        CHECK(call(*p.r2, {"ZCARD", "nokey"}) == ":0\r\n");
        for (auto* cmd : {"ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK"}) CHECK(call(*p.r2, {cmd, "str", "a"}) == wrongtype);
        CHECK(call(*p.r2, {"ZCARD", "str"}) == wrongtype);
        CHECK(call(*p.r2, {"ZSCORE", "z"}) == "-ERR wrong number of arguments for 'zscore' command\r\n");
    }

    TEST_CASE("ZRANGE by rank, score and lex; REV, LIMIT, WITHSCORES in both protocols") {
        test::Server srv;
        Pair p(srv);
        auto& s = *p.r2;
        auto& s3 = *p.r3;
        call(s, {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "0.1", "f", "-inf", "g", "inf", "h"});
        CHECK(call(s, {"ZRANGE", "z", "0", "-1"}) ==
              "*8\r\n$1\r\ng\r\n$1\r\nf\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nh\r\n");
        CHECK(call(s, {"ZRANGE", "z", "0", "1", "WITHSCORES"}) ==
              "*4\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nf\r\n$19\r\n0.10000000000000001\r\n");
        CHECK(call(s3, {"ZRANGE", "z", "0", "1", "WITHSCORES"}) ==
              "*2\r\n*2\r\n$1\r\ng\r\n,-inf\r\n*2\r\n$1\r\nf\r\n,0.10000000000000001\r\n");
        CHECK(call(s, {"ZRANGE", "z", "0", "1", "withscores", "rev"}) ==
              "*4\r\n$1\r\nh\r\n$3\r\ninf\r\n$1\r\ne\r\n$1\r\n5\r\n");
        CHECK(call(s, {"ZRANGE", "z", "2", "1"}) == "*0\r\n");
        CHECK(call(s, {"ZRANGE", "z", "100", "200"}) == "*0\r\n");
        CHECK(call(s, {"ZRANGE", "z", "-100", "1"}) == "*2\r\n$1\r\ng\r\n$1\r\nf\r\n");
        CHECK(call(s, {"ZRANGE", "z", "x", "1"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(s, {"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}) ==
              "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
        CHECK(call(s, {"ZRANGE", "z", "0", "1", "LIMIT", "5", "-1"}) == "*2\r\n$1\r\ng\r\n$1\r\nf\r\n");  // Redis's quirk
        CHECK(call(s, {"ZRANGE", "z", "0", "1", "LIMIT", "x", "1"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(s, {"ZRANGE", "z", "0", "1", "LIMIT", "0"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZRANGE", "z", "0", "1", "FOO"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZRANGE", "z", "0", "1", "REV", "REV"}) == "-ERR syntax error\r\n");
        // Scores: exclusive bounds, infinities, LIMIT (negative offset: nothing; negative count: all).
        CHECK(call(s, {"ZRANGE", "z", "(1", "5", "BYSCORE"}) == "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
        CHECK(call(s, {"ZRANGE", "z", "(1", "(5", "BYSCORE", "WITHSCORES"}) ==
              "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n");
        CHECK(call(s3, {"ZRANGE", "z", "5", "(1", "BYSCORE", "REV", "WITHSCORES"}) ==
              "*4\r\n*2\r\n$1\r\ne\r\n,5\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n");
        CHECK(call(s, {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"}) == "*2\r\n$1\r\nf\r\n$1\r\na\r\n");
        CHECK(call(s, {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "2"}) == "*0\r\n");
        CHECK(call(s, {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "6", "-1"}) == "*2\r\n$1\r\ne\r\n$1\r\nh\r\n");
        CHECK(call(s, {"ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "0"}) == "*0\r\n");
        CHECK(call(s, {"ZRANGE", "z", "(-inf", "(+inf", "BYSCORE"}) ==
              "*6\r\n$1\r\nf\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
        CHECK(call(s, {"ZRANGE", "z", "(", "1", "BYSCORE"}) == "*2\r\n$1\r\nf\r\n$1\r\na\r\n");  // "(" is (0
        CHECK(call(s, {"ZRANGE", "z", "(1", "(1", "BYSCORE"}) == "*0\r\n");
        CHECK(call(s, {"ZRANGE", "z", "x", "1", "BYSCORE"}) == "-ERR min or max is not a float\r\n");
        CHECK(call(s, {"ZRANGE", "z", "nan", "1", "BYSCORE"}) == "-ERR min or max is not a float\r\n");
        // Lex.
        CHECK(call(s, {"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"}) ==
              "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
        CHECK(call(s, {"ZRANGE", "z", "a", "b", "BYLEX"}) == "-ERR min or max not valid string range item\r\n");
        CHECK(call(s, {"ZRANGE", "nokey", "0", "-1"}) == "*0\r\n");
        CHECK(call(s3, {"ZRANGE", "nokey", "0", "-1", "WITHSCORES"}) == "*0\r\n");
        CHECK(call(s, {"ZRANGE", "nokey", "x", "1"}) == "-ERR value is not an integer or out of range\r\n");
        call(s, {"SET", "str", "x"});
        CHECK(call(s, {"ZRANGE", "str", "0", "-1"}) == wrongtype);
        CHECK(call(s, {"ZRANGE", "str", "x", "1"}) == "-ERR value is not an integer or out of range\r\n");
        // The deprecated forms fix their type and direction.
        CHECK(call(s, {"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "0", "2"}) ==
              "*4\r\n$1\r\ng\r\n$4\r\n-inf\r\n$1\r\nf\r\n$19\r\n0.10000000000000001\r\n");
        CHECK(call(s, {"ZRANGEBYSCORE", "z", "-inf", "+inf", "REV"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZRANGEBYSCORE", "z", "-inf", "+inf", "BYSCORE"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZREVRANGEBYSCORE", "z", "(5", "(1"}) == "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n");
        CHECK(call(s, {"ZREVRANGEBYSCORE", "z", "-inf", "+inf"}) == "*0\r\n");
        CHECK(call(s3, {"ZREVRANGEBYSCORE", "z", "(5", "(1", "LIMIT", "1", "1", "WITHSCORES"}) ==
              "*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
        CHECK(call(s, {"ZREVRANGE", "z", "0", "1", "WITHSCORES"}) == "*4\r\n$1\r\nh\r\n$3\r\ninf\r\n$1\r\ne\r\n$1\r\n5\r\n");
        CHECK(call(s, {"ZREVRANGE", "z", "0", "1", "REV"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZREVRANGE", "z", "0", "1", "LIMIT", "0", "1"}) ==
              "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
        call(s, {"ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "aa", "0", ""});
        CHECK(call(s, {"ZRANGEBYLEX", "lex", "[a", "[b"}) == "*3\r\n$1\r\na\r\n$2\r\naa\r\n$1\r\nb\r\n");
        CHECK(call(s, {"ZRANGEBYLEX", "lex", "(a", "[c"}) == "*3\r\n$2\r\naa\r\n$1\r\nb\r\n$1\r\nc\r\n");
        CHECK(call(s, {"ZRANGEBYLEX", "lex", "-", "(a"}) == "*1\r\n$0\r\n\r\n");
        CHECK(call(s, {"ZRANGEBYLEX", "lex", "[c", "[a"}) == "*0\r\n");
        CHECK(call(s, {"ZRANGEBYLEX", "lex", "-", "+", "LIMIT", "1", "2"}) == "*2\r\n$1\r\na\r\n$2\r\naa\r\n");
        CHECK(call(s, {"ZREVRANGEBYLEX", "lex", "+", "-", "LIMIT", "1", "1"}) == "*1\r\n$1\r\nd\r\n");
        CHECK(call(s, {"ZREVRANGEBYLEX", "lex", "[c", "(a"}) == "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\naa\r\n");
        CHECK(call(s, {"ZREVRANGEBYLEX", "lex", "-", "+"}) == "*0\r\n");
        CHECK(call(s, {"ZRANGE", "lex", "+", "-", "BYLEX", "REV", "LIMIT", "0", "2"}) == "*2\r\n$1\r\ne\r\n$1\r\nd\r\n");
        CHECK(call(s, {"ZRANGEBYLEX", "lex", "-", "+", "WITHSCORES"}) ==
              "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
    }

    TEST_CASE("ZCOUNT and ZLEXCOUNT parse the range before looking at the key") {
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"ZADD", "z", "1", "a", "2", "b", "3", "c", "-inf", "m", "inf", "n"});
        call(*s, {"SET", "str", "x"});
        CHECK(call(*s, {"ZCOUNT", "z", "-inf", "+inf"}) == ":5\r\n");
        CHECK(call(*s, {"ZCOUNT", "z", "(1", "3"}) == ":2\r\n");
        CHECK(call(*s, {"ZCOUNT", "z", "(-inf", "(inf"}) == ":3\r\n");
        CHECK(call(*s, {"ZCOUNT", "z", "3", "1"}) == ":0\r\n");
        CHECK(call(*s, {"ZCOUNT", "nokey", "x", "1"}) == "-ERR min or max is not a float\r\n");
        CHECK(call(*s, {"ZCOUNT", "nokey", "1", "2"}) == ":0\r\n");
        CHECK(call(*s, {"ZCOUNT", "str", "1", "2"}) == wrongtype);
        CHECK(call(*s, {"ZCOUNT", "str", "x", "2"}) == "-ERR min or max is not a float\r\n");
        call(*s, {"ZADD", "l", "0", "a", "0", "b", "0", "c"});
        CHECK(call(*s, {"ZLEXCOUNT", "l", "-", "+"}) == ":3\r\n");
        CHECK(call(*s, {"ZLEXCOUNT", "l", "(a", "[c"}) == ":2\r\n");
        CHECK(call(*s, {"ZLEXCOUNT", "l", "+", "+"}) == ":0\r\n");
        CHECK(call(*s, {"ZLEXCOUNT", "nokey", "a", "+"}) == "-ERR min or max not valid string range item\r\n");
        CHECK(call(*s, {"ZLEXCOUNT", "str", "-", "+"}) == wrongtype);
    }

    TEST_CASE("lex ranges over members out of order walk the set as Redis's listpack does") {
        // Redis documents lex ranges over different scores as unspecified; a small set answers
        // with its listpack's linear walk, and cachet does the same.
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"ZADD", "mix", "1", "b", "2", "a", "3", "d", "4", "c"});
        CHECK(call(*s, {"ZRANGEBYLEX", "mix", "[a", "[c"}) == "*2\r\n$1\r\nb\r\n$1\r\na\r\n");
        CHECK(call(*s, {"ZRANGEBYLEX", "mix", "-", "[b"}) == "*2\r\n$1\r\nb\r\n$1\r\na\r\n");
        CHECK(call(*s, {"ZREVRANGEBYLEX", "mix", "[d", "[b"}) == "*2\r\n$1\r\nc\r\n$1\r\nd\r\n");
        CHECK(call(*s, {"ZLEXCOUNT", "mix", "[b", "+"}) == ":4\r\n");
        CHECK(call(*s, {"ZREMRANGEBYLEX", "mix", "[b", "[c"}) == ":2\r\n");
        CHECK(call(*s, {"ZRANGE", "mix", "0", "-1"}) == "*2\r\n$1\r\nd\r\n$1\r\nc\r\n");
    }

    TEST_CASE("ZREM and ZREMRANGEBYRANK / BYSCORE / BYLEX; an emptied key is deleted") {
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
        call(*s, {"SET", "str", "x"});
        CHECK(call(*s, {"ZREM", "z", "a", "nosuch", "a"}) == ":1\r\n");
        CHECK(call(*s, {"ZREM", "nokey", "a"}) == ":0\r\n");
        CHECK(call(*s, {"ZREM", "str", "a"}) == wrongtype);
        CHECK(call(*s, {"ZREM", "z"}) == "-ERR wrong number of arguments for 'zrem' command\r\n");
        CHECK(call(*s, {"ZREMRANGEBYRANK", "z", "0", "0"}) == ":1\r\n");
        CHECK(call(*s, {"ZREMRANGEBYRANK", "z", "x", "0"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"ZREMRANGEBYRANK", "nokey", "x", "0"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"ZREMRANGEBYRANK", "nokey", "0", "0"}) == ":0\r\n");
        CHECK(call(*s, {"ZREMRANGEBYRANK", "str", "0", "0"}) == wrongtype);
        CHECK(call(*s, {"ZREMRANGEBYRANK", "z", "5", "10"}) == ":0\r\n");
        CHECK(call(*s, {"ZREMRANGEBYRANK", "z", "-1", "-2"}) == ":0\r\n");
        CHECK(call(*s, {"ZREMRANGEBYSCORE", "z", "(2", "3"}) == ":1\r\n");
        CHECK(call(*s, {"ZREMRANGEBYSCORE", "z", "x", "3"}) == "-ERR min or max is not a float\r\n");
        CHECK(call(*s, {"ZREMRANGEBYSCORE", "z", "10", "1"}) == ":0\r\n");
        CHECK(call(*s, {"ZREMRANGEBYLEX", "z", "[d", "+"}) == ":2\r\n");
        CHECK(call(*s, {"ZREMRANGEBYLEX", "z", "d", "+"}) == "-ERR min or max not valid string range item\r\n");
        CHECK(call(*s, {"ZREMRANGEBYLEX", "str", "-", "+"}) == wrongtype);
        CHECK(call(*s, {"ZRANGE", "z", "0", "-1", "WITHSCORES"}) == "*0\r\n");  // emptied: deleted
        CHECK(call(*s, {"EXISTS", "z"}) == ":0\r\n");
        call(*s, {"ZADD", "z", "1", "a"});
        CHECK(call(*s, {"ZREM", "z", "a"}) == ":1\r\n");
        CHECK(call(*s, {"EXISTS", "z"}) == ":0\r\n");
        call(*s, {"ZADD", "y", "1", "a", "2", "b"});
        CHECK(call(*s, {"ZREMRANGEBYSCORE", "y", "-inf", "+inf"}) == ":2\r\n");
        CHECK(call(*s, {"TYPE", "y"}) == "+none\r\n");
    }

    TEST_CASE("ZPOPMIN / ZPOPMAX / ZMPOP: flat in RESP2, pairs in RESP3 with a count") {
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
        call(*s, {"SET", "str", "x"});
        CHECK(call(*s, {"ZPOPMIN", "z"}) == "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
        CHECK(call(*s, {"ZPOPMAX", "z", "2"}) == "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n");
        CHECK(call(*s, {"ZPOPMIN", "z", "0"}) == "*0\r\n");
        CHECK(call(*s, {"ZPOPMIN", "nokey", "0"}) == "*0\r\n");
        CHECK(call(*s, {"ZPOPMIN", "nokey"}) == "*0\r\n");
        CHECK(call(*s, {"ZPOPMIN", "z", "-1"}) == "-ERR value is out of range, must be positive\r\n");
        CHECK(call(*s, {"ZPOPMIN", "z", "x"}) == "-ERR value is out of range, must be positive\r\n");
        CHECK(call(*s, {"ZPOPMIN", "z", "1", "2"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZPOPMIN", "str", "0"}) == wrongtype);  // the type is checked even for 0
        CHECK(call(*s, {"ZPOPMIN", "str"}) == wrongtype);
        CHECK(call(*s, {"ZPOPMIN", "str", "-1"}) == "-ERR value is out of range, must be positive\r\n");
        CHECK(call(*s, {"ZPOPMAX", "z", "9223372036854775807"}) == "*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
        CHECK(call(*s, {"EXISTS", "z"}) == ":0\r\n");
        // ZMPOP.
        call(*s, {"ZADD", "z", "1", "a", "2", "b", "3", "c"});
        CHECK(call(*s, {"ZMPOP", "0", "z", "MIN"}) == "-ERR numkeys should be greater than 0\r\n");
        CHECK(call(*s, {"ZMPOP", "x", "z", "MIN"}) == "-ERR numkeys should be greater than 0\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "z"}) == "-ERR wrong number of arguments for 'zmpop' command\r\n");
        CHECK(call(*s, {"ZMPOP", "2", "z", "MIN"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZMPOP", "9223372036854775807", "z", "MIN"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "z", "FOO"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "z", "MIN", "COUNT", "0"}) == "-ERR count should be greater than 0\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "z", "MIN", "COUNT", "x"}) == "-ERR count should be greater than 0\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "z", "MIN", "COUNT"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZMPOP", "2", "str", "z", "MIN"}) == wrongtype);
        CHECK(call(*s, {"ZMPOP", "2", "nokey", "str", "MIN"}) == wrongtype);
        CHECK(call(*s, {"ZMPOP", "2", "z", "str", "MIN"}) == "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "nokey", "MIN"}) == "*-1\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "z", "max", "count", "10"}) ==
              "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
        call(*s, {"HELLO", "3"});
        call(*s, {"ZADD", "z3", "1", "b", "1.5", "a", "2", "c", "3", "d"});
        CHECK(call(*s, {"ZPOPMIN", "z3"}) == "*2\r\n$1\r\nb\r\n,1\r\n");
        CHECK(call(*s, {"ZPOPMIN", "z3", "2"}) == "*2\r\n*2\r\n$1\r\na\r\n,1.5\r\n*2\r\n$1\r\nc\r\n,2\r\n");
        CHECK(call(*s, {"ZPOPMIN", "z3", "0"}) == "*0\r\n");
        CHECK(call(*s, {"ZPOPMIN", "nokey", "2"}) == "*0\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "z3", "MIN"}) == "*2\r\n$2\r\nz3\r\n*1\r\n*2\r\n$1\r\nd\r\n,3\r\n");
        CHECK(call(*s, {"ZMPOP", "1", "nokey", "MIN"}) == "_\r\n");
    }

    TEST_CASE("ZRANDMEMBER: argument checks in Redis's order, deterministic shapes, random picks") {
        test::Server srv;
        Pair p(srv);
        auto& s = *p.r2;
        call(s, {"SET", "str", "x"});
        call(s, {"ZADD", "r", "1", "a", "2", "b", "3", "c"});
        CHECK(call(s, {"ZRANDMEMBER", "nokey"}) == "$-1\r\n");
        CHECK(call(*p.r3, {"ZRANDMEMBER", "nokey"}) == "_\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "nokey", "5"}) == "*0\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "nokey", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "nokey", "1", "FOO"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "nokey", "-9223372036854775808", "FOO"}) ==
              "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "nokey", "4611686018427387904", "WITHSCORES"}) == "-ERR value is out of range\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "r", "-4611686018427387904", "WITHSCORES"}) == "-ERR value is out of range\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "str"}) == wrongtype);
        CHECK(call(s, {"ZRANDMEMBER", "str", "0"}) == wrongtype);
        CHECK(call(s, {"ZRANDMEMBER", "r", "1", "2", "3"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "r", "0", "WITHSCORES"}) == "*0\r\n");
        // A count at least the size: the whole set, from the highest score (Redis's walk).
        CHECK(call(s, {"ZRANDMEMBER", "r", "3"}) == "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "r", "10", "WITHSCORES"}) ==
              "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
        CHECK(call(*p.r3, {"ZRANDMEMBER", "r", "9223372036854775807", "WITHSCORES"}) == "-ERR value is out of range\r\n");
        CHECK(call(*p.r3, {"ZRANDMEMBER", "r", "9223372036854775807"}) == "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
        CHECK(call(*p.r3, {"ZRANDMEMBER", "r", "10", "WITHSCORES"}) ==
              "*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n");
        call(s, {"ZADD", "one", "1", "a"});
        CHECK(call(s, {"ZRANDMEMBER", "one"}) == "$1\r\na\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "one", "-3"}) == "*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n");
        CHECK(call(s, {"ZRANDMEMBER", "one", "-2", "WITHSCORES"}) == "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n");
        CHECK(call(*p.r3, {"ZRANDMEMBER", "one", "-2", "WITHSCORES"}) ==
              "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\na\r\n,1\r\n");
        // Random picks from a larger set: distinct for a positive count, members all.
        std::vector<std::pair<std::string, double>> items;
        for (int i = 0; i < 50; ++i) items.emplace_back("m" + std::to_string(i), i);
        srv.db.db(0).zsets().add("big", std::span<const std::pair<std::string, double>>(items));
        for (const char* count : {"5", "20", "40"}) {
            const std::string out = call(s, {"ZRANDMEMBER", "big", count});
            std::set<std::string> seen;
            std::size_t pos = out.find("\r\n") + 2;
            while (pos < out.size()) {
                const std::size_t e = out.find("\r\n", pos);
                const std::size_t len = std::stoul(out.substr(pos + 1, e - pos - 1));
                seen.insert(out.substr(e + 2, len));
                pos = e + 2 + len + 2;
            }
            CHECK(out.rfind("*" + std::string(count) + "\r\n", 0) == 0);
            CHECK(seen.size() == std::stoul(count));
            for (const auto& m : seen) CHECK(m.rfind("m", 0) == 0);
        }
        const std::string rep = call(s, {"ZRANDMEMBER", "big", "-100"});
        CHECK(rep.rfind("*100\r\n", 0) == 0);
    }

    TEST_CASE("ZUNION / ZINTER / ZDIFF / ZINTERCARD: WEIGHTS, AGGREGATE, WITHSCORES, SET sources") {
        test::Server srv;
        Pair p(srv);
        auto& s = *p.r2;
        call(s, {"ZADD", "a", "1", "x", "2", "y", "3", "z"});
        call(s, {"ZADD", "b", "10", "y", "20", "z", "30", "w"});
        call(s, {"SADD", "s", "y", "w", "q"});
        call(s, {"SET", "str", "v"});
        CHECK(call(s, {"ZUNION", "2", "a", "b"}) == "*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\nw\r\n");
        CHECK(call(s, {"ZUNION", "2", "a", "b", "WITHSCORES"}) ==
              "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n");
        CHECK(call(*p.r3, {"ZUNION", "2", "a", "b", "WITHSCORES"}) ==
              "*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,12\r\n*2\r\n$1\r\nz\r\n,23\r\n*2\r\n$1\r\nw\r\n,30\r\n");
        CHECK(call(s, {"ZUNION", "3", "a", "b", "s", "WITHSCORES"}) ==
              "*10\r\n$1\r\nq\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n13\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n31\r\n");
        CHECK(call(s, {"ZUNION", "2", "a", "b", "WEIGHTS", "2", "3", "AGGREGATE", "MAX", "WITHSCORES"}) ==
              "*8\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$2\r\n30\r\n$1\r\nz\r\n$2\r\n60\r\n$1\r\nw\r\n$2\r\n90\r\n");
        CHECK(call(s, {"ZUNION", "2", "a", "b", "WEIGHTS", "inf", "-inf", "WITHSCORES"}) ==
              "*8\r\n$1\r\nw\r\n$4\r\n-inf\r\n$1\r\ny\r\n$1\r\n0\r\n$1\r\nz\r\n$1\r\n0\r\n$1\r\nx\r\n$3\r\ninf\r\n");
        CHECK(call(s, {"ZUNION", "2", "a", "b", "WEIGHTS", "2", "WITHSCORES"}) == "-ERR weight value is not a float\r\n");
        CHECK(call(s, {"ZUNION", "2", "a", "b", "WEIGHTS", "2", "x"}) == "-ERR weight value is not a float\r\n");
        CHECK(call(s, {"ZUNION", "2", "a", "b", "AGGREGATE", "foo"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZUNION", "2", "a", "b", "AGGREGATE"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZUNION", "0", "a"}) == "-ERR at least 1 input key is needed for 'zunion' command\r\n");
        CHECK(call(s, {"ZUNION", "x", "a"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(s, {"ZUNION", "3", "a", "b"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZUNION", "2", "a", "str"}) == wrongtype);
        CHECK(call(s, {"ZUNION", "2", "str", "a", "WEIGHTS", "x"}) == wrongtype);  // types before options
        CHECK(call(s, {"ZUNION", "2", "a", "a", "WITHSCORES"}) ==
              "*6\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\ny\r\n$1\r\n4\r\n$1\r\nz\r\n$1\r\n6\r\n");
        CHECK(call(s, {"ZINTER", "2", "a", "b", "WITHSCORES"}) == "*4\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n");
        CHECK(call(s, {"ZINTER", "3", "a", "b", "s", "WITHSCORES"}) == "*2\r\n$1\r\ny\r\n$2\r\n13\r\n");
        CHECK(call(*p.r3, {"ZINTER", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"}) ==
              "*2\r\n*2\r\n$1\r\ny\r\n,2\r\n*2\r\n$1\r\nz\r\n,3\r\n");
        CHECK(call(s, {"ZINTER", "2", "a", "nokey"}) == "*0\r\n");
        CHECK(call(s, {"ZINTER", "1", "s", "WITHSCORES"}) ==
              call(s, {"ZUNION", "1", "s", "WITHSCORES"}));  // a set: every member scores 1
        CHECK(call(s, {"ZDIFF", "2", "a", "b", "WITHSCORES"}) == "*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
        CHECK(call(s, {"ZDIFF", "2", "b", "s", "WITHSCORES"}) == "*2\r\n$1\r\nz\r\n$2\r\n20\r\n");
        CHECK(call(s, {"ZDIFF", "2", "a", "a"}) == "*0\r\n");
        CHECK(call(s, {"ZDIFF", "2", "a", "b", "WEIGHTS", "1", "2"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZDIFF", "2", "a", "b", "AGGREGATE", "SUM"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZDIFF", "0", "a"}) == "-ERR at least 1 input key is needed for 'zdiff' command\r\n");
        CHECK(call(s, {"ZINTERCARD", "2", "a", "b"}) == ":2\r\n");
        CHECK(call(s, {"ZINTERCARD", "2", "a", "b", "LIMIT", "1"}) == ":1\r\n");
        CHECK(call(s, {"ZINTERCARD", "2", "a", "b", "LIMIT", "0"}) == ":2\r\n");
        CHECK(call(s, {"ZINTERCARD", "2", "a", "s"}) == ":1\r\n");
        CHECK(call(s, {"ZINTERCARD", "2", "a", "b", "LIMIT", "-1"}) == "-ERR LIMIT can't be negative\r\n");
        CHECK(call(s, {"ZINTERCARD", "2", "a", "b", "LIMIT", "x"}) == "-ERR LIMIT can't be negative\r\n");
        CHECK(call(s, {"ZINTERCARD", "2", "a", "b", "WITHSCORES"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZINTERCARD", "2", "a", "b", "WEIGHTS", "1", "1"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZINTERCARD", "0", "a"}) == "-ERR at least 1 input key is needed for 'zintercard' command\r\n");
        CHECK(call(s, {"ZINTERCARD", "3", "a", "b"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZINTERCARD", "2", "a", "str"}) == wrongtype);
        // Infinities: inf + -inf sums to 0; 0 * inf weighs 0 (MIN / MAX ignore such a NaN).
        call(s, {"ZADD", "inf", "1", "x", "inf", "y", "-inf", "z"});
        call(s, {"ZADD", "ninf", "1", "x", "-inf", "y", "inf", "z"});
        CHECK(call(s, {"ZUNION", "2", "inf", "ninf", "WITHSCORES"}) ==
              "*6\r\n$1\r\ny\r\n$1\r\n0\r\n$1\r\nz\r\n$1\r\n0\r\n$1\r\nx\r\n$1\r\n2\r\n");
        CHECK(call(s, {"ZINTER", "2", "inf", "ninf", "WEIGHTS", "0", "1", "AGGREGATE", "MIN", "WITHSCORES"}) ==
              "*6\r\n$1\r\ny\r\n$4\r\n-inf\r\n$1\r\nx\r\n$1\r\n0\r\n$1\r\nz\r\n$1\r\n0\r\n");
    }

    TEST_CASE("*STORE: any type replaced, the TTL lost, an empty result deletes; ZRANGESTORE") {
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"ZADD", "a", "1", "x", "2", "y", "3", "z"});
        call(*s, {"ZADD", "b", "10", "y", "20", "z", "30", "w"});
        call(*s, {"SADD", "s", "y", "q"});
        call(*s, {"SET", "str", "v"});
        call(*s, {"SET", "dst", "string", "EX", "100"});
        CHECK(call(*s, {"ZUNIONSTORE", "dst", "2", "a", "b"}) == ":4\r\n");
        CHECK(call(*s, {"TYPE", "dst"}) == "+zset\r\n");
        CHECK(call(*s, {"TTL", "dst"}) == ":-1\r\n");
        CHECK(call(*s, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}) ==
              "*8\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$2\r\n12\r\n$1\r\nz\r\n$2\r\n23\r\n$1\r\nw\r\n$2\r\n30\r\n");
        CHECK(call(*s, {"ZUNIONSTORE", "dst", "0", "a"}) == "-ERR at least 1 input key is needed for 'zunionstore' command\r\n");
        CHECK(call(*s, {"ZUNIONSTORE", "dst", "2", "a", "b", "WITHSCORES"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZINTERSTORE", "dst", "2", "a", "str"}) == wrongtype);
        CHECK(call(*s, {"ZCARD", "dst"}) == ":4\r\n");  // untouched by the failed command
        CHECK(call(*s, {"ZINTERSTORE", "dst", "3", "a", "b", "s", "WEIGHTS", "1", "2", "3", "AGGREGATE", "MAX"}) == ":1\r\n");
        CHECK(call(*s, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}) == "*2\r\n$1\r\ny\r\n$2\r\n20\r\n");
        CHECK(call(*s, {"ZINTERSTORE", "dst", "2", "a", "nokey"}) == ":0\r\n");
        CHECK(call(*s, {"EXISTS", "dst"}) == ":0\r\n");
        CHECK(call(*s, {"ZDIFFSTORE", "dst", "2", "a", "b"}) == ":1\r\n");
        CHECK(call(*s, {"ZDIFFSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "1"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZUNIONSTORE", "a", "2", "a", "b"}) == ":4\r\n");  // a source as destination
        CHECK(call(*s, {"ZSCORE", "a", "z"}) == "$2\r\n23\r\n");
        CHECK(call(*s, {"ZINTERSTORE", "str", "2", "a", "b"}) == ":3\r\n");
        CHECK(call(*s, {"TYPE", "str"}) == "+zset\r\n");
        // ZRANGESTORE.
        call(*s, {"DEL", "z"});
        call(*s, {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
        call(*s, {"SET", "dst", "v", "EX", "100"});
        CHECK(call(*s, {"ZRANGESTORE", "dst", "z", "0", "1"}) == ":2\r\n");
        CHECK(call(*s, {"TTL", "dst"}) == ":-1\r\n");
        CHECK(call(*s, {"ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"ZRANGESTORE", "dst", "z", "0", "1", "LIMIT", "0", "1"}) ==
              "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
        CHECK(call(*s, {"ZRANGESTORE", "dst", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "2"}) == ":2\r\n");
        CHECK(call(*s, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}) == "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n");
        CHECK(call(*s, {"ZRANGESTORE", "dst", "z", "+", "-", "BYLEX", "REV"}) == ":5\r\n");
        CHECK(call(*s, {"ZRANGESTORE", "dst", "z", "2", "0", "BYSCORE", "REV"}) == ":2\r\n");
        call(*s, {"SET", "str2", "v"});
        CHECK(call(*s, {"ZRANGESTORE", "dst", "str2", "0", "-1"}) == wrongtype);
        CHECK(call(*s, {"ZRANGESTORE", "dst", "nokey", "0", "-1"}) == ":0\r\n");
        CHECK(call(*s, {"EXISTS", "dst"}) == ":0\r\n");
        CHECK(call(*s, {"ZRANGESTORE", "dst", "z", "x", "1"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"ZRANGESTORE", "z", "z", "1", "2"}) == ":2\r\n");
        CHECK(call(*s, {"ZRANGE", "z", "0", "-1"}) == "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    }

    TEST_CASE("ZSCAN: a small set whole with listpack scores; a large one to completion") {
        test::Server srv;
        Pair p(srv);
        auto& s = *p.r2;
        call(s, {"SET", "str", "x"});
        call(s, {"ZADD", "r", "1", "a", "2", "b", "3", "c"});
        CHECK(call(s, {"ZSCAN", "r", "0"}) ==
              "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
        CHECK(call(*p.r3, {"ZSCAN", "r", "0"}) == call(s, {"ZSCAN", "r", "0"}));  // bulk scores in RESP3 too
        CHECK(call(s, {"ZSCAN", "r", "0", "COUNT", "1", "MATCH", "a*"}) == "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
        CHECK(call(s, {"ZSCAN", "r", "x"}) == "-ERR invalid cursor\r\n");
        CHECK(call(s, {"ZSCAN", "r", " 0"}) == "-ERR invalid cursor\r\n");
        CHECK(call(s, {"ZSCAN", "r", "-1"}).rfind("*2\r\n$1\r\n0\r\n*6\r\n", 0) == 0);
        CHECK(call(s, {"ZSCAN", "r", "0", "COUNT", "0"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZSCAN", "r", "0", "COUNT", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(s, {"ZSCAN", "r", "0", "TYPE", "string"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZSCAN", "r", "0", "MATCH"}) == "-ERR syntax error\r\n");
        CHECK(call(s, {"ZSCAN", "nokey", "0", "COUNT", "0"}) == "*2\r\n$1\r\n0\r\n*0\r\n");  // options unread
        CHECK(call(s, {"ZSCAN", "nokey", "x"}) == "-ERR invalid cursor\r\n");
        CHECK(call(s, {"ZSCAN", "str", "0", "COUNT", "0"}) == wrongtype);
        CHECK(call(s, {"ZSCAN", "str", "x"}) == "-ERR invalid cursor\r\n");
        // A listpack stores an integral score as an integer: ZSCAN shows its digits.
        call(s, {"ZADD", "f", "0.1", "a", "-0.0", "b", "1e300", "c", "3.0e-5", "d", "123456789012345678", "e",
                 "1e17", "i", "4611686018427387904", "p", "-4611686018427387904", "r"});
        CHECK(call(s, {"ZSCAN", "f", "0"}) ==
              "*2\r\n$1\r\n0\r\n*16\r\n$1\r\nr\r\n$20\r\n-4611686018427387904\r\n$1\r\nb\r\n$1\r\n0\r\n"
              "$1\r\nd\r\n$22\r\n3.0000000000000001e-05\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n"
              "$1\r\ni\r\n$18\r\n100000000000000000\r\n$1\r\ne\r\n$18\r\n123456789012345680\r\n"
              "$1\r\np\r\n$19\r\n4611686018427387904\r\n$1\r\nc\r\n$23\r\n1.0000000000000001e+300\r\n");
        CHECK(call(s, {"ZRANGE", "f", "4", "5", "WITHSCORES"}) ==
              "*4\r\n$1\r\ni\r\n$5\r\n1e+17\r\n$1\r\ne\r\n$22\r\n1.2345678901234568e+17\r\n");
        // A large set: cursor steps; every member exactly as ZSCORE formats it, none missed.
        std::vector<std::pair<std::string, double>> items;
        for (int i = 0; i < 1000; ++i) items.emplace_back("member:" + std::to_string(i), i * 0.5);
        srv.db.db(0).zsets().add("big", std::span<const std::pair<std::string, double>>(items));
        int calls = 0;
        auto got = scan_all(s, "big", {"COUNT", "20"}, &calls);
        CHECK(calls > 10);
        REQUIRE(got.size() == 1000);
        CHECK(got["member:3"] == "1.5");
        CHECK(got["member:998"] == "499");
        auto matched = scan_all(*p.r3, "big", {"MATCH", "member:99*"});
        CHECK(matched.size() == 11);  // 99, 990..999
    }

    TEST_CASE("-0: a listpack stores it as 0; a skiplist, once converted, keeps it") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"ZINCRBY", "k", "-0", "newm"}) == "$2\r\n-0\r\n");  // the computed score
        CHECK(call(*s, {"ZSCORE", "k", "newm"}) == "$1\r\n0\r\n");           // the stored one
        CHECK(call(*s, {"ZADD", "k", "INCR", "-0", "newm"}) == "$1\r\n0\r\n");
        CHECK(call(*s, {"ZADD", "k", "-0", "zero"}) == ":1\r\n");
        CHECK(call(*s, {"ZRANGE", "k", "0", "-1", "WITHSCORES"}) ==
              "*4\r\n$4\r\nnewm\r\n$1\r\n0\r\n$4\r\nzero\r\n$1\r\n0\r\n");
        call(*s, {"ZADD", "a", "0", "x"});
        CHECK(call(*s, {"ZUNION", "1", "a", "WEIGHTS", "-1", "WITHSCORES"}) == "*2\r\n$1\r\nx\r\n$2\r\n-0\r\n");
        CHECK(call(*s, {"ZUNIONSTORE", "d", "1", "a", "WEIGHTS", "-1"}) == ":1\r\n");
        CHECK(call(*s, {"ZSCORE", "d", "x"}) == "$1\r\n0\r\n");
        // A member longer than zset-max-listpack-value (64) converts the set, for good.
        const std::string long_member(80, 'x');
        call(*s, {"ZADD", "big", "1", "b", "2", long_member});
        call(*s, {"ZADD", "big", "-0", "z"});
        CHECK(call(*s, {"ZSCORE", "big", "z"}) == "$2\r\n-0\r\n");
        call(*s, {"ZREM", "big", long_member});
        call(*s, {"ZADD", "big", "-0", "y"});
        CHECK(call(*s, {"ZSCORE", "big", "y"}) == "$2\r\n-0\r\n");
        // The mark travels with the value.
        call(*s, {"COPY", "big", "copy"});
        call(*s, {"ZADD", "copy", "-0", "w"});
        CHECK(call(*s, {"ZSCORE", "copy", "w"}) == "$2\r\n-0\r\n");
        // Past 128 members, by plain ZADDs (each ZADD checks the configured limits).
        for (int i = 0; i < 130; ++i) call(*s, {"ZADD", "grow", std::to_string(i), "m" + std::to_string(i)});
        CHECK(call(*s, {"ZREMRANGEBYRANK", "grow", "0", "125"}) == ":126\r\n");
        call(*s, {"ZADD", "grow", "-0", "n"});
        CHECK(call(*s, {"ZSCORE", "grow", "n"}) == "$2\r\n-0\r\n");
        // With the limit lowered, a set converts earlier.
        CHECK(call(*s, {"CONFIG", "SET", "zset-max-listpack-entries", "2"}) == "+OK\r\n");
        CHECK(call(*s, {"ZADD", "small", "1", "a", "2", "b", "-0", "c"}) == ":3\r\n");
        CHECK(call(*s, {"ZSCORE", "small", "c"}) == "$2\r\n-0\r\n");
        // ZRANGESTORE of a rank range longer than the limit starts as a skiplist; of a score range,
        // as a listpack that converts at its third element (here the last, c comes first).
        CHECK(call(*s, {"ZRANGESTORE", "rs", "small", "0", "-1"}) == ":3\r\n");
        CHECK(call(*s, {"ZSCORE", "rs", "c"}) == "$2\r\n-0\r\n");
        CHECK(call(*s, {"ZRANGESTORE", "rs2", "small", "-inf", "+inf", "BYSCORE"}) == ":3\r\n");
        CHECK(call(*s, {"ZSCORE", "rs2", "c"}) == "$1\r\n0\r\n");
        CHECK(call(*s, {"ZADD", "small2", "-0", "c", "1", "a", "2", "b"}) == ":3\r\n");  // c first: a listpack's
        CHECK(call(*s, {"ZSCORE", "small2", "c"}) == "$1\r\n0\r\n");
        // Created while zset-max-listpack-value was 0: a skiplist from its first ZADD, which
        // stays one after the limit is raised again (found by the differential test, seed 5102).
        CHECK(call(*s, {"CONFIG", "SET", "zset-max-listpack-entries", "128"}) == "+OK\r\n");
        CHECK(call(*s, {"CONFIG", "SET", "zset-max-listpack-value", "0"}) == "+OK\r\n");
        CHECK(call(*s, {"ZADD", "made", "1", "a", "2", "b"}) == ":2\r\n");
        CHECK(call(*s, {"CONFIG", "SET", "zset-max-listpack-value", "64"}) == "+OK\r\n");
        CHECK(call(*s, {"ZADD", "made", "-0", "c"}) == ":1\r\n");
        CHECK(call(*s, {"ZSCORE", "made", "c"}) == "$2\r\n-0\r\n");
        // An update alone never converts, even of a set now over a lowered limit.
        CHECK(call(*s, {"ZADD", "upd", "1", "a", "2", "b", "3", "c"}) == ":3\r\n");
        CHECK(call(*s, {"CONFIG", "SET", "zset-max-listpack-entries", "2"}) == "+OK\r\n");
        CHECK(call(*s, {"ZADD", "upd", "5", "a"}) == ":0\r\n");
        CHECK(call(*s, {"ZREM", "upd", "c"}) == ":1\r\n");
        CHECK(call(*s, {"ZADD", "upd", "-0", "b"}) == ":0\r\n");
        CHECK(call(*s, {"ZSCORE", "upd", "b"}) == "$1\r\n0\r\n");
        // Created as a listpack, then the value limit lowered: still a listpack (Redis converts
        // only on an insert), so a -0 given to an existing member becomes 0, until a new
        // member converts it (found by the differential test, seed 5112).
        CHECK(call(*s, {"CONFIG", "SET", "zset-max-listpack-entries", "128"}) == "+OK\r\n");
        CHECK(call(*s, {"ZADD", "lp", "1", "A", "2", "B"}) == ":2\r\n");
        CHECK(call(*s, {"CONFIG", "SET", "zset-max-listpack-value", "0"}) == "+OK\r\n");
        CHECK(call(*s, {"ZADD", "lp", "inf", "A", "-0", "A", "1.5", "10"}) == ":1\r\n");
        CHECK(call(*s, {"ZSCORE", "lp", "A"}) == "$1\r\n0\r\n");
        CHECK(call(*s, {"ZADD", "lp", "-0", "B"}) == ":0\r\n");  // a skiplist since "10"
        CHECK(call(*s, {"ZSCORE", "lp", "B"}) == "$2\r\n-0\r\n");
        CHECK(call(*s, {"CONFIG", "SET", "zset-max-listpack-value", "64"}) == "+OK\r\n");
    }

    TEST_CASE("SortedSet's tag is copied, moved and swapped with the set, reset by clear()") {
        cachet::SortedSet<std::string> a{{"x", 1}};
        CHECK(a.tag() == 0);
        a.set_tag(2);
        cachet::SortedSet<std::string> b(a);
        CHECK(b.tag() == 2);
        cachet::SortedSet<std::string> c(std::move(b));
        CHECK(c.tag() == 2);
        CHECK(b.tag() == 0);  // NOLINT: moved-from is valid and empty
        cachet::SortedSet<std::string> d;
        d.swap(c);
        CHECK(d.tag() == 2);
        CHECK(c.tag() == 0);
        CHECK(d == cachet::SortedSet<std::string>{{"x", 1}});  // not part of equality
        d.clear();
        CHECK(d.tag() == 0);
    }

    TEST_CASE("the command table: arity, flags, keys, ACL categories, docs") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"COMMAND", "INFO", "zadd"}).rfind(
                  "*1\r\n*10\r\n$4\r\nzadd\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
                  "*3\r\n+@write\r\n+@sortedset\r\n+@fast\r\n*0\r\n", 0) == 0);
        CHECK(call(*s, {"COMMAND", "INFO", "bzpopmin"}).rfind(
                  "*1\r\n*10\r\n$8\r\nbzpopmin\r\n:-3\r\n*4\r\n+write\r\n+noscript\r\n+blocking\r\n+fast\r\n"
                  ":1\r\n:-2\r\n:1\r\n*4\r\n+@write\r\n+@sortedset\r\n+@fast\r\n+@blocking\r\n*0\r\n", 0) == 0);
        CHECK(call(*s, {"COMMAND", "INFO", "zscan"}).rfind(
                  "*1\r\n*10\r\n$5\r\nzscan\r\n:-3\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n"
                  "+@sortedset\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n", 0) == 0);
        CHECK(call(*s, {"COMMAND", "INFO", "zrangestore"}).rfind(
                  "*1\r\n*10\r\n$11\r\nzrangestore\r\n:-5\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:2\r\n:1\r\n", 0) == 0);
        const std::string docs = call(*s, {"COMMAND", "DOCS", "zrangebylex"});
        CHECK(docs.find("$7\r\nsummary\r\n$67\r\nReturn a range of members in a sorted set, by lexicographical "
                        "range\r\n") != std::string::npos);
        CHECK(docs.find("$5\r\nsince\r\n$5\r\n2.8.9\r\n") != std::string::npos);
        CHECK(docs.find("$5\r\ngroup\r\n$10\r\nsorted-set\r\n") != std::string::npos);
        for (const char* name : {"zadd", "zincrby", "zscore", "zmscore", "zrank", "zrevrank", "zrange", "zrangestore",
                                 "zrangebyscore", "zrevrangebyscore", "zrangebylex", "zrevrangebylex", "zrevrange",
                                 "zcard", "zcount", "zlexcount", "zrem", "zremrangebyrank", "zremrangebyscore",
                                 "zremrangebylex", "zpopmin", "zpopmax", "zmpop", "bzpopmin", "bzpopmax", "bzmpop",
                                 "zrandmember", "zunionstore", "zinterstore", "zdiffstore", "zunion", "zinter",
                                 "zdiff", "zintercard", "zscan"})
            CHECK_MESSAGE(srv.engine.find(name) != nullptr, name);
    }

    // ------------------------------------------------------------------ blocking

    TEST_CASE("BZPOPMIN/BZPOPMAX/BZMPOP: at once when a key holds a set; argument errors") {
        test::Server srv;
        auto s = srv.connect();
        auto s3 = srv.connect();
        call(*s3, {"HELLO", "3"});
        call(*s, {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
        call(*s, {"SET", "str", "v"});
        CHECK(call(*s, {"BZPOPMIN", "z", "0"}) == "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
        CHECK(call(*s3, {"BZPOPMAX", "nokey", "z", "0"}) == "*3\r\n$1\r\nz\r\n$1\r\nd\r\n,4\r\n");
        CHECK(call(*s, {"BZPOPMIN", "z", "x"}) == "-ERR timeout is not a float or out of range\r\n");
        CHECK(call(*s, {"BZPOPMIN", "z", "-1"}) == "-ERR timeout is negative\r\n");
        CHECK(call(*s, {"BZPOPMIN", "z", "inf"}) == "-ERR timeout is negative\r\n");
        CHECK(call(*s, {"BZPOPMIN", "z", "1e30"}) == "-ERR timeout is negative\r\n");
        CHECK(call(*s, {"BZPOPMIN", "z", "9223372036854776"}) == "-ERR timeout is negative\r\n");
        CHECK(call(*s, {"BZPOPMIN", "z", "nan"}) == "-ERR timeout is not a float or out of range\r\n");
        CHECK(call(*s, {"BZPOPMIN", "z", ""}) == "-ERR timeout is not a float or out of range\r\n");
        CHECK(call(*s, {"BZPOPMIN", "str", "0"}) == wrongtype);
        CHECK(call(*s, {"BZPOPMIN", "nokey", "str", "0"}) == wrongtype);
        CHECK(call(*s, {"BZPOPMIN", "z", "str", "0"}) == "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n");
        CHECK(call(*s, {"BZPOPMIN", "z"}) == "-ERR wrong number of arguments for 'bzpopmin' command\r\n");
        CHECK(call(*s, {"BZMPOP", "x", "1", "z", "MIN"}) == "-ERR timeout is not a float or out of range\r\n");
        CHECK(call(*s, {"BZMPOP", "0", "0", "z", "MIN"}) == "-ERR numkeys should be greater than 0\r\n");
        CHECK(call(*s, {"BZMPOP", "0", "1", "z", "FOO"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"BZMPOP", "-1", "1", "z", "MIN"}) == "-ERR timeout is negative\r\n");
        CHECK(call(*s, {"BZMPOP", "-1", "1", "z", "MIN", "COUNT", "0"}) == "-ERR count should be greater than 0\r\n");
        CHECK(call(*s, {"BZMPOP", "0", "2", "str", "z", "MIN"}) == wrongtype);
        CHECK(call(*s, {"BZMPOP", "0", "2", "z", "MIN"}) == "-ERR syntax error\r\n");
        call(*s, {"ZADD", "z", "1", "a", "2", "b"});
        CHECK(call(*s, {"BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"}) ==
              "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
        CHECK(call(*s3, {"BZMPOP", "0", "2", "nokey", "z", "MAX"}) == "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
        CHECK_FALSE(s->blocked());
        CHECK(srv.engine.blocked_clients() == 0);
    }

    TEST_CASE("a blocked BZPOPMIN is served by another session's ZADD, in both protocols") {
        test::Server srv;
        auto a = srv.connect();
        auto a3 = srv.connect();
        auto b = srv.connect();
        call(*a3, {"HELLO", "3"});
        CHECK(call(*a, {"BZPOPMIN", "k", "0"}).empty());
        CHECK(a->blocked());
        CHECK(a->block_deadline() == std::nullopt);  // 0: forever
        CHECK(call(*a3, {"BZPOPMAX", "other", "k", "10"}).empty());
        CHECK(a3->block_deadline().has_value());
        CHECK(srv.engine.blocked_clients() == 2);
        CHECK(srv.db.db(0).zset_waiters().queued("k") == 2);
        CHECK(call(*b, {"ZADD", "k", "1", "x", "2", "y", "3", "z"}) == ":3\r\n");  // replied before serving
        CHECK(a->collect_async());
        CHECK(a->output() == "*3\r\n$1\r\nk\r\n$1\r\nx\r\n$1\r\n1\r\n");
        CHECK(a3->collect_async());
        CHECK(a3->output() == "*3\r\n$1\r\nk\r\n$1\r\nz\r\n,3\r\n");
        CHECK_FALSE(a->blocked());
        CHECK(srv.db.db(0).zset_waiters().queued("other") == 0);  // left the other key's queue
        CHECK(srv.engine.blocked_clients() == 0);
        a->output().clear();
        CHECK(call(*b, {"ZRANGE", "k", "0", "-1", "WITHSCORES"}) == "*2\r\n$1\r\ny\r\n$1\r\n2\r\n");
        CHECK(call(*a, {"PING"}) == "+PONG\r\n");
    }

    TEST_CASE("a ZADD taken whole by a blocked BZPOPMIN is announced: zadd, zpopmin, del") {
        test::Server srv;
        auto b = srv.connect();
        auto p = srv.connect();
        test::KeyspaceWatch watch(srv);
        CHECK(call(*b, {"BZPOPMIN", "z", "0"}).empty());
        CHECK(call(*p, {"ZADD", "z", "1", "m"}) == ":1\r\n");
        CHECK(b->collect_async());
        CHECK(test::async(*b) == "*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n1\r\n");
        CHECK(watch.events() == "z zadd,z zpopmin,z del,");
    }

    TEST_CASE("a blocked BZMPOP is served with its COUNT; the key is deleted when emptied") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        call(*a, {"HELLO", "3"});
        CHECK(call(*a, {"BZMPOP", "0", "2", "m1", "m2", "MAX", "COUNT", "2"}).empty());
        CHECK(call(*b, {"ZADD", "m2", "1", "p", "2", "q"}) == ":2\r\n");
        CHECK(test::async(*a) == "*2\r\n$2\r\nm2\r\n*2\r\n*2\r\n$1\r\nq\r\n,2\r\n*2\r\n$1\r\np\r\n,1\r\n");
        CHECK(call(*b, {"EXISTS", "m2"}) == ":0\r\n");
    }

    TEST_CASE("the program's db.zsets().add serves a blocked client, from any thread") {
        test::Server srv;
        auto a = srv.connect();
        std::atomic<int> wakes{0};
        a->set_waker([&] { ++wakes; });
        CHECK(call(*a, {"BZPOPMIN", "jobs", "0"}).empty());
        std::thread producer([&] { srv.db.db(0).zsets().add("jobs", "job-1", 5.0); });
        producer.join();
        CHECK(wakes.load() >= 1);
        CHECK(a->collect_async());
        CHECK(a->output() == "*3\r\n$4\r\njobs\r\n$5\r\njob-1\r\n$1\r\n5\r\n");
        CHECK(srv.db.db(0).zsets().cardinality("jobs") == 0);
    }

    TEST_CASE("blocked clients are served first come, first served per key") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        auto c = srv.connect();
        auto producer = srv.connect();
        CHECK(call(*a, {"BZPOPMIN", "f", "0"}).empty());
        CHECK(call(*b, {"BZPOPMIN", "g", "f", "0"}).empty());
        CHECK(call(*c, {"BZPOPMIN", "f", "0"}).empty());
        CHECK(call(*producer, {"ZADD", "f", "5", "first"}) == ":1\r\n");
        CHECK(test::async(*a) == "*3\r\n$1\r\nf\r\n$5\r\nfirst\r\n$1\r\n5\r\n");
        CHECK(test::async(*b).empty());
        CHECK(call(*producer, {"ZADD", "f", "6", "second", "7", "third"}) == ":2\r\n");
        CHECK(test::async(*b) == "*3\r\n$1\r\nf\r\n$6\r\nsecond\r\n$1\r\n6\r\n");
        CHECK(test::async(*c) == "*3\r\n$1\r\nf\r\n$5\r\nthird\r\n$1\r\n7\r\n");
        CHECK(call(*producer, {"EXISTS", "f"}) == ":0\r\n");
        CHECK(srv.db.db(0).zset_waiters().queued("g") == 0);
    }

    TEST_CASE("a blocked client times out at its deadline (on_tick), with a null array") {
        test::Server srv;
        auto a = srv.connect();
        auto a3 = srv.connect();
        call(*a3, {"HELLO", "3"});
        const auto before = std::chrono::steady_clock::now();
        CHECK(call(*a, {"BZPOPMIN", "k", "1.5"}).empty());
        CHECK(call(*a3, {"BZMPOP", "0.0001", "1", "k", "MIN"}).empty());  // rounded up to 1 ms
        REQUIRE(a->block_deadline().has_value());
        CHECK(*a->block_deadline() >= before + 1500ms);
        CHECK(*a->block_deadline() <= std::chrono::steady_clock::now() + 1500ms);
        CHECK_FALSE(a->on_tick(*a->block_deadline() - 1ms));
        CHECK(a->blocked());
        CHECK(a->on_tick(*a->block_deadline()));
        CHECK(test::async(*a) == "*-1\r\n");
        CHECK_FALSE(a->blocked());
        CHECK(a3->on_tick(std::chrono::steady_clock::now() + 1h));
        CHECK(a3->output() == "_\r\n");
        CHECK(srv.db.db(0).zset_waiters().queued("k") == 0);
        CHECK(srv.engine.blocked_clients() == 0);
        // Nobody waits any more: an add stays.
        auto b = srv.connect();
        CHECK(call(*b, {"ZADD", "k", "1", "x"}) == ":1\r\n");
        CHECK(call(*b, {"ZCARD", "k"}) == ":1\r\n");
        // BZPOPMIN 0 never times out.
        CHECK(call(*a, {"BZPOPMIN", "none", "0"}).empty());
        CHECK_FALSE(a->on_tick(std::chrono::steady_clock::now() + 24h * 365));
        CHECK(a->blocked());
    }

    TEST_CASE("closing a blocked session unregisters it; the next add is not lost") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        CHECK(call(*a, {"BZPOPMIN", "k1", "k2", "0"}).empty());
        CHECK(srv.db.db(0).zset_waiters().queued("k1") == 1);
        a->close();
        CHECK(srv.db.db(0).zset_waiters().queued("k1") == 0);
        CHECK(srv.db.db(0).zset_waiters().queued("k2") == 0);
        CHECK(srv.engine.blocked_clients() == 0);
        CHECK(call(*b, {"ZADD", "k2", "1", "x"}) == ":1\r\n");
        CHECK(call(*b, {"ZCARD", "k2"}) == ":1\r\n");
        a.reset();  // destroying a closed session is fine
    }

    TEST_CASE("a blocked session's pipelined commands wait for it; WATCH sees a served pop") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        const std::string first = test::encode({"BZPOPMIN", "w", "0"});
        const std::string rest = test::encode({"PING"});
        const std::string in = first + rest;
        CHECK(a->process(in) == first.size());  // stops after the blocking command
        CHECK(a->output().empty());
        CHECK(call(*b, {"WATCH", "w"}) == "+OK\r\n");
        CHECK(call(*b, {"SET", "w", "str"}) == "+OK\r\n");  // another type serves nobody
        CHECK(call(*b, {"DEL", "w"}) == ":1\r\n");
        CHECK_FALSE(a->collect_async());
        CHECK(call(*b, {"UNWATCH"}) == "+OK\r\n");
        CHECK(call(*b, {"WATCH", "w"}) == "+OK\r\n");
        auto c = srv.connect();
        CHECK(call(*c, {"ZADD", "w", "7", "seven"}) == ":1\r\n");
        CHECK(a->collect_async());
        CHECK(a->process(std::string_view(in).substr(first.size())) == rest.size());
        CHECK(a->output() == "*3\r\n$1\r\nw\r\n$5\r\nseven\r\n$1\r\n7\r\n+PONG\r\n");
        CHECK(call(*b, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*b, {"PING"}) == "+QUEUED\r\n");
        CHECK(call(*b, {"EXEC"}) == "*-1\r\n");  // w was changed (created and emptied)
    }

    TEST_CASE("inside MULTI/EXEC the blocking commands reply as their timeout would") {
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"SET", "str", "v"});
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*s, {"BZPOPMIN", "none", "0"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"BZMPOP", "0", "1", "none", "MIN"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"ZADD", "z", "5", "q"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"BZPOPMIN", "z", "0"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"BZPOPMIN", "str", "0"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"BZPOPMIN", "none", "-1"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"EXEC"}) ==
              "*6\r\n*-1\r\n*-1\r\n:1\r\n*3\r\n$1\r\nz\r\n$1\r\nq\r\n$1\r\n5\r\n" + std::string(wrongtype) +
                  "-ERR timeout is negative\r\n");
        CHECK_FALSE(s->blocked());
        call(*s, {"HELLO", "3"});
        call(*s, {"MULTI"});
        call(*s, {"BZPOPMAX", "none", "0"});
        CHECK(call(*s, {"EXEC"}) == "*1\r\n_\r\n");
    }

    TEST_CASE("served by ZUNIONSTORE, ZRANGESTORE and RENAME into the key") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        call(*b, {"ZADD", "src", "1", "u", "2", "v"});
        CHECK(call(*a, {"BZPOPMIN", "dst", "0"}).empty());
        CHECK(call(*b, {"ZUNIONSTORE", "dst", "1", "src"}) == ":2\r\n");
        CHECK(test::async(*a) == "*3\r\n$3\r\ndst\r\n$1\r\nu\r\n$1\r\n1\r\n");
        CHECK(call(*a, {"BZPOPMAX", "dst2", "0"}).empty());
        CHECK(call(*b, {"ZRANGESTORE", "dst2", "src", "0", "-1"}) == ":2\r\n");
        CHECK(test::async(*a) == "*3\r\n$4\r\ndst2\r\n$1\r\nv\r\n$1\r\n2\r\n");
        CHECK(call(*a, {"BZPOPMIN", "rn", "0"}).empty());
        call(*b, {"ZADD", "tmp", "1", "t"});
        CHECK(call(*b, {"RENAME", "tmp", "rn"}) == "+OK\r\n");
        CHECK(test::async(*a) == "*3\r\n$2\r\nrn\r\n$1\r\nt\r\n$1\r\n1\r\n");
    }

    TEST_CASE("stress: concurrent blocked sessions and producers; every element popped once") {
        test::Server srv;
        constexpr int consumers = 3, producers = 2, per_producer = 400;
        constexpr int total = producers * per_producer;
        std::atomic<int> popped{0};
        std::mutex m;
        std::multiset<std::string> seen;
        std::vector<std::thread> threads;
        for (int i = 0; i < consumers; ++i) {
            threads.emplace_back([&, i] {
                auto s = srv.connect();
                if (i == 1) call(*s, {"HELLO", "3"});
                while (popped.load() < total) {
                    std::string out = i == 2 ? call(*s, {"BZMPOP", "0.02", "2", "k1", "k2", "MIN", "COUNT", "3"})
                                             : call(*s, {"BZPOPMIN", "k1", "k2", "0.02"});
                    while (s->blocked()) {
                        if (s->collect_async()) break;
                        if (s->on_tick(std::chrono::steady_clock::now())) break;
                        std::this_thread::yield();
                    }
                    out += std::move(s->output());
                    s->output().clear();
                    // Count the members: bulk strings named "e<digits>".
                    std::size_t pos = 0;
                    while ((pos = out.find("\r\ne", pos)) != std::string::npos) {
                        const std::size_t end = out.find("\r\n", pos + 2);
                        std::lock_guard lock(m);
                        seen.insert(out.substr(pos + 2, end - pos - 2));
                        ++popped;
                        pos = end;
                    }
                }
            });
        }
        for (int p = 0; p < producers; ++p) {
            threads.emplace_back([&, p] {
                auto s = srv.connect();
                for (int i = 0; i < per_producer; ++i) {
                    const std::string member = "e" + std::to_string(p * per_producer + i);
                    const std::string key = i % 2 ? "k1" : "k2";
                    if (p == 0) srv.db.db(0).zsets().add(key, member, i);
                    else call(*s, {"ZADD", key, std::to_string(i), member});
                }
            });
        }
        for (auto& t : threads) t.join();
        CHECK(popped.load() == total);
        CHECK(seen.size() == static_cast<std::size_t>(total));
        CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == static_cast<std::size_t>(total));
        CHECK(srv.db.db(0).size() == 0);
        CHECK(srv.engine.blocked_clients() == 0);
    }

    TEST_CASE("stress: sessions closing while producers serve them lose and duplicate nothing") {
        test::Server srv;
        constexpr int rounds = 300, per_producer = 300;
        std::atomic<bool> done{false};
        std::multiset<std::string> seen;
        std::thread consumer([&] {
            for (int i = 0; i < rounds; ++i) {
                auto s = srv.connect();
                std::string out = call(*s, {"BZPOPMIN", "q", "0"});
                if (i % 3) std::this_thread::yield();
                s->close();  // cancels, or waits for the producer that claimed it to finish
                out += test::async(*s);  // a reply posted before the close is still collected
                for (std::size_t pos = 0; (pos = out.find("\r\nv", pos)) != std::string::npos;) {
                    const std::size_t end = out.find("\r\n", pos + 2);
                    seen.insert(out.substr(pos + 2, end - pos - 2));
                    pos = end;
                }
            }
            done = true;
        });
        std::vector<std::thread> producers;
        std::atomic<int> added{0};
        for (int p = 0; p < 2; ++p) {
            producers.emplace_back([&, p] {
                for (int i = 0; i < per_producer && !done.load(); ++i) {
                    srv.db.db(0).zsets().add("q", "v" + std::to_string(p) + "-" + std::to_string(i), i);
                    ++added;
                }
            });
        }
        consumer.join();
        for (auto& t : producers) t.join();
        const auto left = srv.db.db(0).zsets().cardinality("q");
        CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == seen.size());
        CHECK(seen.size() + left == static_cast<std::size_t>(added.load()));
        CHECK(srv.db.db(0).zset_waiters().queued("q") == 0);
        CHECK(srv.engine.blocked_clients() == 0);
    }
}

}  // namespace resp_zset_test
