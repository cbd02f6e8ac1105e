// The hash and set commands of the RESP layer: exact reply bytes (checked against redis-server
// 7.0.15) in RESP2 and RESP3, Redis's error texts and the order of its checks, WRONGTYPE,
// empty results, emptied keys deleted, *STORE destinations replacing any type and losing their
// TTL, HSCAN / SSCAN iterated to completion, keyspace notifications, the command table. Replies
// whose order Redis leaves to its hash table are compared as unordered.
#include "support/resp_session.hpp"

#include <cachet/resp/reply_parser.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resp_hash_set_test {

using namespace std::chrono_literals;
using test::call;

namespace {

using cachet::resp::Frame;
using cachet::resp::FrameType;

/// The one reply in `reply`, parsed.
Frame parse(const std::string& reply) {
    cachet::resp::ReplyParser p;
    const auto r = p.parse(reply);
    REQUIRE(r.status == cachet::resp::ParseStatus::complete);
    REQUIRE(r.consumed == reply.size());
    return p.take_frame();
}

/// The elements of an aggregate reply, as a multiset of their strings.
std::multiset<std::string> elements(const Frame& f) {
    std::multiset<std::string> out;
    for (const auto& e : f.elements) out.insert(e.str);
    return out;
}
std::multiset<std::string> elements(const std::string& reply) { return elements(parse(reply)); }

/// The (field, value) pairs of a map or flat array reply.
std::map<std::string, std::string> pairs(const Frame& f) {
    std::map<std::string, std::string> out;
    REQUIRE(f.elements.size() % 2 == 0);
    for (std::size_t i = 0; i < f.elements.size(); i += 2)
        out.emplace(f.elements[i].str, f.elements[i + 1].str);
    return out;
}

/// True if `scan` (HSCAN, SSCAN) walks `key` by cursor: at COUNT 1 a hashtable takes more than
/// one call (a bucket at a time; unless all its members share one), while a listpack or an
/// intset comes whole at once whatever the count.
bool walked(test::Session& s, std::string_view scan, const std::string& key) {
    std::string cursor = "0";
    int calls = 0;
    do {
        cursor = parse(call(s, {scan, key, cursor, "COUNT", "1"})).elements[0].str;
        ++calls;
    } while (cursor != "0" && calls < 100);
    return calls > 1;
}

using Strings = std::multiset<std::string>;
using Pairs = std::map<std::string, std::string>;

const std::string wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

/// A RESP3 session.
std::unique_ptr<test::Session> connect3(test::Server& srv) {
    auto s = srv.connect();
    REQUIRE(call(*s, {"HELLO", "3"}).starts_with("%7\r\n"));
    return s;
}

}  // namespace

TEST_SUITE("resp_hash_set") {
    TEST_CASE("hashes: HSET, HMSET, HSETNX, HGET, HMGET, HDEL, HLEN, HEXISTS, HSTRLEN") {
        test::Server srv;
        auto s = srv.connect();
        auto s3 = connect3(srv);
        CHECK(call(*s, {"HSET", "h", "a", "1", "b", "2"}) == ":2\r\n");
        CHECK(call(*s, {"HSET", "h", "a", "10", "c", "3"}) == ":1\r\n");  // only new fields count
        CHECK(call(*s, {"HSET", "dup", "f", "1", "f", "2"}) == ":1\r\n");
        CHECK(call(*s, {"HGET", "dup", "f"}) == "$1\r\n2\r\n");
        CHECK(call(*s, {"HMSET", "h", "d", "4"}) == "+OK\r\n");
        CHECK(call(*s, {"HSET", "h", "a"}) == "-ERR wrong number of arguments for 'hset' command\r\n");
        CHECK(call(*s, {"HSET", "h", "a", "1", "b"}) == "-ERR wrong number of arguments for 'hset' command\r\n");
        CHECK(call(*s, {"HMSET", "h", "a"}) == "-ERR wrong number of arguments for 'hmset' command\r\n");
        CHECK(call(*s, {"HMSET", "h", "a", "1", "b"}) == "-ERR wrong number of arguments for 'hmset' command\r\n");
        CHECK(call(*s, {"HSET", "h"}) == "-ERR wrong number of arguments for 'hset' command\r\n");
        CHECK(call(*s, {"HSETNX", "h", "a", "x"}) == ":0\r\n");
        CHECK(call(*s, {"HSETNX", "h", "e", "5"}) == ":1\r\n");
        CHECK(call(*s, {"HSETNX", "new", "f", "v"}) == ":1\r\n");
        CHECK(call(*s, {"HGET", "h", "a"}) == "$2\r\n10\r\n");
        CHECK(call(*s, {"HGET", "h", "zz"}) == "$-1\r\n");
        CHECK(call(*s, {"HGET", "nokey", "a"}) == "$-1\r\n");
        CHECK(call(*s3, {"HGET", "h", "zz"}) == "_\r\n");
        CHECK(call(*s3, {"HGET", "nokey", "a"}) == "_\r\n");
        CHECK(call(*s, {"HMGET", "h", "a", "zz", "b"}) == "*3\r\n$2\r\n10\r\n$-1\r\n$1\r\n2\r\n");
        CHECK(call(*s3, {"HMGET", "h", "a", "zz", "b"}) == "*3\r\n$2\r\n10\r\n_\r\n$1\r\n2\r\n");
        CHECK(call(*s, {"HMGET", "nokey", "a", "b"}) == "*2\r\n$-1\r\n$-1\r\n");
        CHECK(call(*s3, {"HMGET", "nokey", "a"}) == "*1\r\n_\r\n");
        CHECK(call(*s, {"HLEN", "h"}) == ":5\r\n");
        CHECK(call(*s, {"HLEN", "nokey"}) == ":0\r\n");
        CHECK(call(*s, {"HEXISTS", "h", "a"}) == ":1\r\n");
        CHECK(call(*s, {"HEXISTS", "h", "zz"}) == ":0\r\n");
        CHECK(call(*s, {"HEXISTS", "nokey", "a"}) == ":0\r\n");
        CHECK(call(*s3, {"HEXISTS", "h", "a"}) == ":1\r\n");  // an integer in RESP3 too
        CHECK(call(*s, {"HSTRLEN", "h", "a"}) == ":2\r\n");
        CHECK(call(*s, {"HSTRLEN", "h", "zz"}) == ":0\r\n");
        CHECK(call(*s, {"HSTRLEN", "nokey", "zz"}) == ":0\r\n");
        // Binary-safe fields and values, the empty string included.
        CHECK(call(*s, {"HSET", "bin", "", "", std::string_view("\0k", 2), std::string_view("v\r\n", 3)}) == ":2\r\n");
        CHECK(call(*s, {"HGET", "bin", ""}) == "$0\r\n\r\n");
        CHECK(call(*s, {"HGET", "bin", std::string_view("\0k", 2)}) == "$3\r\nv\r\n\r\n");
        CHECK(call(*s, {"HSTRLEN", "bin", std::string_view("\0k", 2)}) == ":3\r\n");
        // HDEL counts what it removed; removing the last field deletes the key.
        CHECK(call(*s, {"HDEL", "h", "a", "a", "zz"}) == ":1\r\n");
        CHECK(call(*s, {"HDEL", "nokey", "a"}) == ":0\r\n");
        CHECK(call(*s, {"HDEL", "h", "b", "c", "d", "e"}) == ":4\r\n");
        CHECK(call(*s, {"EXISTS", "h"}) == ":0\r\n");
        CHECK(call(*s, {"TYPE", "new"}) == "+hash\r\n");
        CHECK(call(*s, {"HDEL", "h"}) == "-ERR wrong number of arguments for 'hdel' command\r\n");
    }

    TEST_CASE("hashes: HGETALL is a map in RESP3; HKEYS and HVALS arrays; unordered") {
        test::Server srv;
        auto s = srv.connect();
        auto s3 = connect3(srv);
        CHECK(call(*s, {"HGETALL", "nokey"}) == "*0\r\n");
        CHECK(call(*s3, {"HGETALL", "nokey"}) == "%0\r\n");
        CHECK(call(*s, {"HKEYS", "nokey"}) == "*0\r\n");
        CHECK(call(*s3, {"HKEYS", "nokey"}) == "*0\r\n");
        CHECK(call(*s3, {"HVALS", "nokey"}) == "*0\r\n");
        CHECK(call(*s, {"HSET", "one", "f", "v"}) == ":1\r\n");
        CHECK(call(*s, {"HGETALL", "one"}) == "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
        CHECK(call(*s3, {"HGETALL", "one"}) == "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
        for (int i = 0; i < 50; ++i)
            call(*s, {"HSET", "h", "f" + std::to_string(i), "v" + std::to_string(i)});
        Pairs want;
        Strings fields, values;
        for (int i = 0; i < 50; ++i) {
            want["f" + std::to_string(i)] = "v" + std::to_string(i);
            fields.insert("f" + std::to_string(i));
            values.insert("v" + std::to_string(i));
        }
        const Frame all2 = parse(call(*s, {"HGETALL", "h"}));
        CHECK(all2.type == FrameType::array);
        CHECK(all2.elements.size() == 100);
        CHECK(pairs(all2) == want);
        const Frame all3 = parse(call(*s3, {"HGETALL", "h"}));
        CHECK(all3.type == FrameType::map);
        CHECK(pairs(all3) == want);
        const Frame keys3 = parse(call(*s3, {"HKEYS", "h"}));
        CHECK(keys3.type == FrameType::array);
        CHECK(elements(keys3) == fields);
        CHECK(elements(call(*s, {"HKEYS", "h"})) == fields);
        CHECK(elements(call(*s, {"HVALS", "h"})) == values);
        CHECK(parse(call(*s3, {"HVALS", "h"})).type == FrameType::array);
        // HKEYS and HVALS list the fields and their values in the same order.
        const Frame k = parse(call(*s, {"HKEYS", "h"})), v = parse(call(*s, {"HVALS", "h"}));
        for (std::size_t i = 0; i < k.elements.size(); ++i)
            CHECK(want[k.elements[i].str] == v.elements[i].str);
    }

    TEST_CASE("hashes: HINCRBY and HINCRBYFLOAT, with Redis's checks in Redis's order") {
        test::Server srv;
        auto s = srv.connect();
        auto s3 = connect3(srv);
        call(*s, {"SET", "str", "v"});
        CHECK(call(*s, {"HINCRBY", "h", "n", "5"}) == ":5\r\n");
        CHECK(call(*s, {"HINCRBY", "h", "n", "-7"}) == ":-2\r\n");
        CHECK(call(*s, {"HGET", "h", "n"}) == "$2\r\n-2\r\n");
        CHECK(call(*s, {"HINCRBY", "h", "n", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"HINCRBY", "str", "n", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"HINCRBY", "str", "n", "1"}) == wrongtype);
        CHECK(call(*s, {"HINCRBY", "h", "big", "9223372036854775807"}) == ":9223372036854775807\r\n");
        CHECK(call(*s, {"HINCRBY", "h", "big", "1"}) == "-ERR increment or decrement would overflow\r\n");
        CHECK(call(*s, {"HINCRBY", "h", "n", "-9223372036854775808"}) == "-ERR increment or decrement would overflow\r\n");
        CHECK(call(*s, {"HSET", "h", "s", "abc", "sp", " 1", "plus", "+1", "zero", "01", "neg", "-0"}) == ":5\r\n");
        for (const char* f : {"s", "sp", "plus", "zero", "neg"})
            CHECK(call(*s, {"HINCRBY", "h", f, "1"}) == "-ERR hash value is not an integer\r\n");
        // A float's text is read with strtold: "+1" and "01" are floats, " 1" and "abc" not.
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "plus", "1"}) == "$1\r\n2\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "zero", "1"}) == "$1\r\n2\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "neg", "1"}) == "$1\r\n1\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "sp", "1"}) == "-ERR hash value is not a float\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "s", "1"}) == "-ERR hash value is not a float\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "f", "x"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "f", "nan"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "f", "inf"}) == "-ERR value is NaN or Infinity\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "f", "-inf"}) == "-ERR value is NaN or Infinity\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "str", "f", "inf"}) == "-ERR value is NaN or Infinity\r\n");  // before the type
        CHECK(call(*s, {"HINCRBYFLOAT", "str", "f", "1"}) == wrongtype);
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "f", "10.5"}) == "$4\r\n10.5\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "f", "0.1"}) == "$4\r\n10.6\r\n");
        CHECK(call(*s3, {"HINCRBYFLOAT", "h", "f", "-0.6"}) == "$2\r\n10\r\n");  // a bulk in RESP3 too
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "f", "3e3"}) == "$4\r\n3010\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "g", "0x10"}) == "$2\r\n16\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "g", "1e4933"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "g", "1.1e4932"}).starts_with("$4933\r\n1099999999999999999974"));
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "g", "1.1e4932"}) == "-ERR increment would produce NaN or Infinity\r\n");
        CHECK(call(*s, {"HSET", "h", "inf", "inf"}) == ":1\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "inf", "1"}) == "-ERR increment would produce NaN or Infinity\r\n");
        CHECK(call(*s, {"HINCRBY", "h", "f", "1"}) == ":3011\r\n");
        CHECK(call(*s, {"HINCRBYFLOAT", "h", "f", "0.5"}) == "$6\r\n3011.5\r\n");
        CHECK(call(*s, {"HINCRBY", "h", "f", "1"}) == "-ERR hash value is not an integer\r\n");
        // A failed increment creates no key.
        CHECK(call(*s, {"HINCRBYFLOAT", "nokey", "f", "inf"}) == "-ERR value is NaN or Infinity\r\n");
        CHECK(call(*s, {"EXISTS", "nokey"}) == ":0\r\n");
    }

    TEST_CASE("hashes: HRANDFIELD counts, WITHVALUES (RESP3: pairs), errors") {
        test::Server srv;
        auto s = srv.connect();
        auto s3 = connect3(srv);
        call(*s, {"SET", "str", "v"});
        CHECK(call(*s, {"HRANDFIELD", "nokey"}) == "$-1\r\n");
        CHECK(call(*s3, {"HRANDFIELD", "nokey"}) == "_\r\n");
        for (const char* n : {"5", "0", "-3"}) {
            CHECK(call(*s, {"HRANDFIELD", "nokey", n}) == "*0\r\n");
            CHECK(call(*s3, {"HRANDFIELD", "nokey", n, "WITHVALUES"}) == "*0\r\n");
        }
        CHECK(call(*s, {"HSET", "h", "a", "1", "b", "2"}) == ":2\r\n");
        const Pairs all = {{"a", "1"}, {"b", "2"}};
        CHECK(all.contains(parse(call(*s, {"HRANDFIELD", "h"})).str));
        CHECK(call(*s, {"HRANDFIELD", "h", "0"}) == "*0\r\n");
        CHECK(call(*s3, {"HRANDFIELD", "h", "0", "WITHVALUES"}) == "*0\r\n");
        // A count at least the size: every field once.
        CHECK(elements(call(*s, {"HRANDFIELD", "h", "5"})) == Strings{"a", "b"});
        CHECK(pairs(parse(call(*s, {"HRANDFIELD", "h", "5", "WITHVALUES"}))) == all);
        {
            const Frame f = parse(call(*s3, {"HRANDFIELD", "h", "5", "withvalues"}));
            REQUIRE(f.type == FrameType::array);
            REQUIRE(f.elements.size() == 2);
            for (const auto& pair : f.elements) {
                REQUIRE(pair.type == FrameType::array);
                REQUIRE(pair.elements.size() == 2);
                CHECK(all.at(pair.elements[0].str) == pair.elements[1].str);
            }
        }
        // 1: one field; a negative count: |count| fields that may repeat.
        {
            const Frame f = parse(call(*s, {"HRANDFIELD", "h", "1", "WITHVALUES"}));
            REQUIRE(f.elements.size() == 2);
            CHECK(all.at(f.elements[0].str) == f.elements[1].str);
        }
        {
            const Frame f = parse(call(*s, {"HRANDFIELD", "h", "-7"}));
            CHECK(f.elements.size() == 7);
            for (const auto& e : f.elements) CHECK(all.contains(e.str));
            const Frame g = parse(call(*s, {"HRANDFIELD", "h", "-7", "WITHVALUES"}));
            CHECK(g.elements.size() == 14);
            const Frame r3 = parse(call(*s3, {"HRANDFIELD", "h", "-7", "WITHVALUES"}));
            REQUIRE(r3.elements.size() == 7);
            for (const auto& pair : r3.elements) {
                REQUIRE(pair.elements.size() == 2);
                CHECK(all.at(pair.elements[0].str) == pair.elements[1].str);
            }
        }
        // Distinct fields when the count is under the size.
        for (int i = 0; i < 30; ++i) call(*s, {"HSET", "big", "f" + std::to_string(i), "v"});
        for (const char* n : {"3", "12", "29"}) {
            const Frame f = parse(call(*s, {"HRANDFIELD", "big", n}));
            const Strings got = elements(f);
            CHECK(got.size() == std::stoul(n));
            CHECK(std::set<std::string>(got.begin(), got.end()).size() == got.size());
        }
        // Errors, in Redis's order: the count, then the syntax, then the WITHVALUES range;
        // the key's type last.
        CHECK(call(*s, {"HRANDFIELD", "h", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "x", "WITHVALUES", "extra"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "-9223372036854775808"}) ==
              "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "-9223372036854775808", "foo"}) ==
              "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "5", "WITHVALUE"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "5", "WITHVALUES", "x"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "-4611686018427387903", "x"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"}) == "-ERR value is out of range\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"}) == "-ERR value is out of range\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"}) == "-ERR value is out of range\r\n");
        CHECK(pairs(parse(call(*s, {"HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"}))) == all);
        CHECK(elements(call(*s, {"HRANDFIELD", "h", "9223372036854775807"})) == Strings{"a", "b"});
        CHECK(call(*s, {"HRANDFIELD", "str"}) == wrongtype);
        CHECK(call(*s, {"HRANDFIELD", "str", "0"}) == wrongtype);
        CHECK(call(*s, {"HRANDFIELD", "str", "-1", "WITHVALUES"}) == wrongtype);
        CHECK(call(*s, {"HRANDFIELD", "str", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"HRANDFIELD", "str", "1", "foo"}) == "-ERR syntax error\r\n");
    }

    TEST_CASE("HRANDFIELD / SRANDMEMBER: a negative count's reply is bounded by proto-max-bulk-len") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"CONFIG", "SET", "proto-max-bulk-len", "1mb"}) == "+OK\r\n");
        call(*s, {"HSET", "h", "field", "value"});
        call(*s, {"SADD", "s", "member"});
        CHECK(call(*s, {"HRANDFIELD", "h", "-9223372036854775807"}) == "-ERR out of memory\r\n");
        CHECK(call(*s, {"SRANDMEMBER", "s", "-9223372036854775807"}) == "-ERR out of memory\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"}) == "-ERR out of memory\r\n");
        // Under the bound, the whole reply; the session goes on.
        const Frame f = parse(call(*s, {"SRANDMEMBER", "s", "-10000"}));
        CHECK(f.elements.size() == 10000);
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");
    }

    TEST_CASE("hashes: HSCAN's cursor, options, whole small hashes, iteration to completion") {
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"SET", "str", "v"});
        CHECK(call(*s, {"HSCAN", "nokey", "0"}) == "*2\r\n$1\r\n0\r\n*0\r\n");
        CHECK(call(*s, {"HSCAN", "nokey", "0", "COUNT", "0"}) == "*2\r\n$1\r\n0\r\n*0\r\n");  // options unread
        CHECK(call(*s, {"HSCAN", "str", "0", "COUNT", "0"}) == wrongtype);
        CHECK(call(*s, {"HSCAN", "str", "x"}) == "-ERR invalid cursor\r\n");
        CHECK(call(*s, {"HSET", "h", "a", "1", "b", "2", "ab", "3"}) == ":3\r\n");
        for (const char* bad : {"x", " 0", "0 ", "0x", "18446744073709551616", "-", "+"})
            CHECK(call(*s, {"HSCAN", "h", bad}) == "-ERR invalid cursor\r\n");
        // strtoul's cursors: a sign, and the empty string (0).
        for (const char* ok : {"", "+0", "-0", "-1", "18446744073709551615", "123"}) {
            const Frame f = parse(call(*s, {"HSCAN", "h", ok}));
            CHECK(f.elements[0].str == "0");  // a small hash comes whole, whatever the cursor
            CHECK(pairs(f.elements[1]) == Pairs{{"a", "1"}, {"b", "2"}, {"ab", "3"}});
        }
        CHECK(call(*s, {"HSCAN", "h", "0", "COUNT", "0"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"HSCAN", "h", "0", "COUNT", "-1"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"HSCAN", "h", "0", "COUNT", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"HSCAN", "h", "0", "MATCH"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"HSCAN", "h", "0", "TYPE", "string"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"HSCAN", "h", "0", "MATCH", ""}) == "*2\r\n$1\r\n0\r\n*0\r\n");
        CHECK(pairs(parse(call(*s, {"HSCAN", "h", "0", "match", "a*", "count", "1"})).elements[1]) ==
              Pairs{{"a", "1"}, {"ab", "3"}});
        CHECK(pairs(parse(call(*s, {"HSCAN", "h", "0", "MATCH", "a*", "MATCH", "*"})).elements[1]).size() == 3);
        CHECK(call(*s, {"HSCAN", "h"}) == "-ERR wrong number of arguments for 'hscan' command\r\n");

        // A hash over hash-max-listpack-entries (512) or with a value over
        // hash-max-listpack-value (64) is walked by cursor: every field comes back.
        Pairs want;
        for (int i = 0; i < 1000; ++i) {
            const std::string f = "field:" + std::to_string(i), v = std::to_string(i * 7);
            want[f] = v;
            call(*s, {"HSET", "big", f, v});
        }
        for (const char* count : {"1", "10", "97"}) {
            Pairs got;
            std::string cursor = "0";
            int calls = 0;
            do {
                const Frame f = parse(call(*s, {"HSCAN", "big", cursor, "COUNT", count}));
                REQUIRE(f.elements.size() == 2);
                cursor = f.elements[0].str;
                for (const auto& [k, v] : pairs(f.elements[1])) got[k] = v;
                ++calls;
            } while (cursor != "0");
            CHECK(got == want);
            CHECK(calls > 1);
        }
        Pairs matched;
        std::string cursor = "0";
        do {
            const Frame f = parse(call(*s, {"HSCAN", "big", cursor, "MATCH", "field:9?"}));
            cursor = f.elements[0].str;
            for (const auto& [k, v] : pairs(f.elements[1])) matched[k] = v;
        } while (cursor != "0");
        CHECK(matched.size() == 10);
        call(*s, {"HSET", "long", "a", "1", "b", std::string(65, 'x')});
        const Frame f = parse(call(*s, {"HSCAN", "long", "0"}));
        CHECK(pairs(f.elements[1]).size() == 2);  // a cursor walk of a tiny table: done at once
        CHECK(f.elements[0].str == "0");
        // The listpack limits are read from CONFIG.
        call(*s, {"CONFIG", "SET", "hash-max-listpack-entries", "4"});
        for (int i = 0; i < 40; ++i) call(*s, {"HSET", "mid", std::to_string(i), "v"});
        CHECK(parse(call(*s, {"HSCAN", "mid", "0"})).elements[0].str != "0");
        call(*s, {"CONFIG", "SET", "hash-max-listpack-entries", "512"});
        // Redis never converts a hashtable back: "mid" is still walked by cursor, while a new
        // hash of the same size is a listpack again.
        CHECK(parse(call(*s, {"HSCAN", "mid", "0"})).elements[0].str != "0");
        for (int i = 0; i < 40; ++i) call(*s, {"HSET", "mid2", std::to_string(i), "v"});
        CHECK(parse(call(*s, {"HSCAN", "mid2", "0"})).elements[0].str == "0");
    }

    TEST_CASE("hashes follow Redis's encoding: insertion order while a listpack, for good after") {
        // Replies checked against redis-server 7.0.15.
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"HSET", "h", "z", "1", "a", "2", "m", "3"});
        call(*s, {"HSET", "h", "a", "9"});  // an update keeps its place
        call(*s, {"HDEL", "h", "z"});
        call(*s, {"HSET", "h", "z", "5"});  // a re-added field goes last
        const std::string all = "*6\r\n$1\r\na\r\n$1\r\n9\r\n$1\r\nm\r\n$1\r\n3\r\n$1\r\nz\r\n$1\r\n5\r\n";
        CHECK(call(*s, {"HGETALL", "h"}) == all);
        CHECK(call(*s, {"HKEYS", "h"}) == "*3\r\n$1\r\na\r\n$1\r\nm\r\n$1\r\nz\r\n");
        CHECK(call(*s, {"HVALS", "h"}) == "*3\r\n$1\r\n9\r\n$1\r\n3\r\n$1\r\n5\r\n");
        CHECK(call(*s, {"HRANDFIELD", "h", "5"}) == "*3\r\n$1\r\na\r\n$1\r\nm\r\n$1\r\nz\r\n");
        CHECK(call(*s, {"HSCAN", "h", "0"}) == "*2\r\n$1\r\n0\r\n" + all);
        CHECK(call(*s, {"COPY", "h", "copy"}) == ":1\r\n");  // a copy keeps order and encoding
        CHECK(call(*s, {"HGETALL", "copy"}) == all);
        CHECK(call(*s, {"RENAME", "copy", "moved"}) == "+OK\r\n");
        CHECK(call(*s, {"HSCAN", "moved", "0"}) == "*2\r\n$1\r\n0\r\n" + all);

        // What converts a listpack for good: a value or field over hash-max-listpack-value
        // (HSET, HSETNX, HINCRBY*), even if overwritten later; too many fields, even if
        // deleted later. Each such hash is walked by cursor from then on.
        call(*s, {"CONFIG", "SET", "hash-max-listpack-entries", "3"});
        call(*s, {"CONFIG", "SET", "hash-max-listpack-value", "8"});
        const std::string long_text(9, 'x');
        auto cursor_walked = [&](const std::string& key) { return walked(*s, "HSCAN", key); };
        for (int i = 0; i < 4; ++i) {
            const std::string k = "k" + std::to_string(i);
            call(*s, {"HSET", k, "a", "1", "b", "2", "c", "3"});
            CHECK_FALSE(cursor_walked(k));
        }
        call(*s, {"HSET", "k0", "b", long_text});
        call(*s, {"HSET", "k0", "b", "2"});
        call(*s, {"HSETNX", "k1", long_text, "1"});
        call(*s, {"HDEL", "k1", long_text});
        call(*s, {"HINCRBY", "k2", long_text, "1"});
        call(*s, {"HDEL", "k2", long_text});
        call(*s, {"HSET", "k3", "d", "4"});
        call(*s, {"HDEL", "k3", "d"});
        for (const char* k : {"k0", "k1", "k2", "k3"}) {
            CAPTURE(k);
            CHECK(call(*s, {"HLEN", k}) == ":3\r\n");
            CHECK(cursor_walked(k));
        }
        // Raising the limits later does not convert back.
        call(*s, {"CONFIG", "SET", "hash-max-listpack-entries", "512"});
        call(*s, {"CONFIG", "SET", "hash-max-listpack-value", "64"});
        CHECK(cursor_walked("k3"));
        call(*s, {"HSET", "k4", "a", "1", "b", "2", "c", "3", "d", "4"});
        CHECK_FALSE(cursor_walked("k4"));
    }

    TEST_CASE("sets: SADD, SREM, SISMEMBER, SMISMEMBER, SCARD, SMEMBERS (RESP3: a set)") {
        test::Server srv;
        auto s = srv.connect();
        auto s3 = connect3(srv);
        CHECK(call(*s, {"SADD", "s", "a", "b", "c"}) == ":3\r\n");
        CHECK(call(*s, {"SADD", "s", "a", "d", "d"}) == ":1\r\n");
        CHECK(call(*s, {"SADD", "s"}) == "-ERR wrong number of arguments for 'sadd' command\r\n");
        CHECK(call(*s, {"SCARD", "s"}) == ":4\r\n");
        CHECK(call(*s, {"SCARD", "nokey"}) == ":0\r\n");
        CHECK(call(*s, {"SISMEMBER", "s", "a"}) == ":1\r\n");
        CHECK(call(*s, {"SISMEMBER", "s", "zz"}) == ":0\r\n");
        CHECK(call(*s, {"SISMEMBER", "nokey", "a"}) == ":0\r\n");
        CHECK(call(*s3, {"SISMEMBER", "s", "a"}) == ":1\r\n");
        CHECK(call(*s, {"SMISMEMBER", "s", "a", "zz", "a"}) == "*3\r\n:1\r\n:0\r\n:1\r\n");
        CHECK(call(*s3, {"SMISMEMBER", "s", "a", "zz"}) == "*2\r\n:1\r\n:0\r\n");
        CHECK(call(*s, {"SMISMEMBER", "nokey", "a", "b"}) == "*2\r\n:0\r\n:0\r\n");
        CHECK(call(*s, {"SMISMEMBER", "s"}) == "-ERR wrong number of arguments for 'smismember' command\r\n");
        CHECK(call(*s, {"SMEMBERS", "nokey"}) == "*0\r\n");
        CHECK(call(*s3, {"SMEMBERS", "nokey"}) == "~0\r\n");
        const Frame m2 = parse(call(*s, {"SMEMBERS", "s"}));
        CHECK(m2.type == FrameType::array);
        CHECK(elements(m2) == Strings{"a", "b", "c", "d"});
        const Frame m3 = parse(call(*s3, {"SMEMBERS", "s"}));
        CHECK(m3.type == FrameType::set);
        CHECK(elements(m3) == Strings{"a", "b", "c", "d"});
        CHECK(call(*s, {"SADD", "bin", "", std::string_view("\0", 1)}) == ":2\r\n");
        CHECK(call(*s, {"SISMEMBER", "bin", ""}) == ":1\r\n");
        CHECK(elements(call(*s, {"SMEMBERS", "bin"})) == Strings{"", std::string(1, '\0')});
        CHECK(call(*s, {"SREM", "s", "a", "zz", "a"}) == ":1\r\n");
        CHECK(call(*s, {"SREM", "nokey", "a"}) == ":0\r\n");
        CHECK(call(*s, {"SREM", "s"}) == "-ERR wrong number of arguments for 'srem' command\r\n");
        CHECK(call(*s, {"SREM", "s", "b", "c", "d"}) == ":3\r\n");
        CHECK(call(*s, {"EXISTS", "s"}) == ":0\r\n");  // emptied: deleted
    }

    TEST_CASE("sets: SPOP (RESP3: a set with a count) and SRANDMEMBER (an array)") {
        test::Server srv;
        auto s = srv.connect();
        auto s3 = connect3(srv);
        call(*s, {"SET", "str", "v"});
        CHECK(call(*s, {"SPOP", "nokey"}) == "$-1\r\n");
        CHECK(call(*s3, {"SPOP", "nokey"}) == "_\r\n");
        CHECK(call(*s, {"SPOP", "nokey", "3"}) == "*0\r\n");
        CHECK(call(*s3, {"SPOP", "nokey", "0"}) == "~0\r\n");
        CHECK(call(*s, {"SPOP", "s", "-1"}) == "-ERR value is out of range, must be positive\r\n");
        CHECK(call(*s, {"SPOP", "s", "x"}) == "-ERR value is out of range, must be positive\r\n");
        CHECK(call(*s, {"SPOP", "str", "-1"}) == "-ERR value is out of range, must be positive\r\n");
        CHECK(call(*s, {"SPOP", "s", "1", "2"}) == "-ERR syntax error\r\n");
        {
            // A set popped nearly whole is rebuilt from what stays (Redis's third SPOP case):
            // an intset again if that fits one; a smaller pop keeps the encoding.
            std::vector<std::string> add{"SADD", "big"};
            for (int i = 0; i < 600; ++i) add.push_back(std::to_string(i));
            test::callv(*s, add);
            add[1] = "big2";
            test::callv(*s, add);
            CHECK(call(*s, {"OBJECT", "ENCODING", "big"}) == "$9\r\nhashtable\r\n");
            CHECK(call(*s, {"SPOP", "big", "590"}).starts_with("*590\r\n"));
            CHECK(call(*s, {"OBJECT", "ENCODING", "big"}) == "$6\r\nintset\r\n");
            CHECK(call(*s, {"SPOP", "big2", "100"}).starts_with("*100\r\n"));
            CHECK(call(*s, {"OBJECT", "ENCODING", "big2"}) == "$9\r\nhashtable\r\n");
            call(*s, {"DEL", "big", "big2"});
        }
        CHECK(call(*s, {"SPOP", "str"}) == wrongtype);
        CHECK(call(*s, {"SPOP", "str", "0"}) == wrongtype);
        CHECK(call(*s, {"SADD", "s", "a", "b", "c", "d", "e"}) == ":5\r\n");
        CHECK(call(*s, {"SPOP", "s", "0"}) == "*0\r\n");
        CHECK(call(*s3, {"SPOP", "s", "0"}) == "~0\r\n");
        Strings popped;
        const Frame one = parse(call(*s, {"SPOP", "s"}));
        CHECK(one.type == FrameType::bulk_string);
        popped.insert(one.str);
        const Frame two = parse(call(*s, {"SPOP", "s", "2"}));
        CHECK(two.type == FrameType::array);
        CHECK(two.elements.size() == 2);
        for (const auto& e : two.elements) popped.insert(e.str);
        const Frame rest = parse(call(*s3, {"SPOP", "s", "10"}));
        CHECK(rest.type == FrameType::set);
        CHECK(rest.elements.size() == 2);
        for (const auto& e : rest.elements) popped.insert(e.str);
        CHECK(popped == Strings{"a", "b", "c", "d", "e"});
        CHECK(call(*s, {"EXISTS", "s"}) == ":0\r\n");
        CHECK(call(*s, {"SADD", "s", "x", "y"}) == ":2\r\n");
        call(*s, {"SPOP", "s"});
        call(*s, {"SPOP", "s"});
        CHECK(call(*s, {"EXISTS", "s"}) == ":0\r\n");

        CHECK(call(*s, {"SRANDMEMBER", "nokey"}) == "$-1\r\n");
        CHECK(call(*s3, {"SRANDMEMBER", "nokey"}) == "_\r\n");
        for (const char* n : {"3", "-3", "0"}) {
            CHECK(call(*s, {"SRANDMEMBER", "nokey", n}) == "*0\r\n");
            CHECK(call(*s3, {"SRANDMEMBER", "nokey", n}) == "*0\r\n");
        }
        CHECK(call(*s, {"SRANDMEMBER", "str"}) == wrongtype);
        CHECK(call(*s, {"SRANDMEMBER", "str", "1"}) == wrongtype);
        CHECK(call(*s, {"SRANDMEMBER", "str", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"SRANDMEMBER", "s", "1", "2"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"SRANDMEMBER", "s", "-9223372036854775808"}) ==
              "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
        call(*s, {"SADD", "s", "a", "b", "c", "d"});
        const Strings all{"a", "b", "c", "d"};
        CHECK(all.contains(parse(call(*s, {"SRANDMEMBER", "s"})).str));
        CHECK(call(*s, {"SRANDMEMBER", "s", "0"}) == "*0\r\n");
        CHECK(elements(call(*s, {"SRANDMEMBER", "s", "10"})) == all);
        const Frame whole3 = parse(call(*s3, {"SRANDMEMBER", "s", "10"}));
        CHECK(whole3.type == FrameType::array);
        CHECK(elements(whole3) == all);
        const Frame three = parse(call(*s, {"SRANDMEMBER", "s", "3"}));
        const Strings picked = elements(three);
        CHECK(picked.size() == 3);
        CHECK(std::set<std::string>(picked.begin(), picked.end()).size() == 3);
        const Frame rep = parse(call(*s3, {"SRANDMEMBER", "s", "-20"}));
        CHECK(rep.type == FrameType::array);
        CHECK(rep.elements.size() == 20);
        for (const auto& e : rep.elements) CHECK(all.contains(e.str));
        CHECK(call(*s, {"SCARD", "s"}) == ":4\r\n");  // SRANDMEMBER removes nothing
    }

    TEST_CASE("sets: SMOVE") {
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"SET", "str", "v"});
        call(*s, {"SADD", "s", "a", "b"});
        call(*s, {"SADD", "t", "c"});
        CHECK(call(*s, {"SMOVE", "s", "t", "a"}) == ":1\r\n");
        CHECK(elements(call(*s, {"SMEMBERS", "t"})) == Strings{"a", "c"});
        CHECK(call(*s, {"SMOVE", "s", "t", "zz"}) == ":0\r\n");
        CHECK(call(*s, {"SMOVE", "nokey", "t", "a"}) == ":0\r\n");
        CHECK(call(*s, {"SMOVE", "nokey", "str", "a"}) == ":0\r\n");  // no source: no type check
        CHECK(call(*s, {"SMOVE", "s", "str", "zz"}) == wrongtype);     // the destination's, too
        CHECK(call(*s, {"SMOVE", "str", "s", "a"}) == wrongtype);
        CHECK(call(*s, {"SMOVE", "s", "s", "b"}) == ":1\r\n");
        CHECK(call(*s, {"SMOVE", "s", "s", "zz"}) == ":0\r\n");
        CHECK(call(*s, {"SMOVE", "s", "t", "b"}) == ":1\r\n");  // the last member: s is deleted
        CHECK(call(*s, {"EXISTS", "s"}) == ":0\r\n");
        CHECK(call(*s, {"SMOVE", "t", "fresh", "c"}) == ":1\r\n");
        CHECK(call(*s, {"SMEMBERS", "fresh"}) == "*1\r\n$1\r\nc\r\n");
        call(*s, {"SADD", "u", "a"});
        CHECK(call(*s, {"SMOVE", "u", "t", "a"}) == ":1\r\n");  // already in t: only removed from u
        CHECK(call(*s, {"EXISTS", "u"}) == ":0\r\n");
        CHECK(elements(call(*s, {"SMEMBERS", "t"})) == Strings{"a", "b"});
        CHECK(call(*s, {"SMOVE", "a", "b"}) == "-ERR wrong number of arguments for 'smove' command\r\n");
    }

    TEST_CASE("sets: SINTER, SUNION, SDIFF, SINTERCARD; every source's type is checked") {
        test::Server srv;
        auto s = srv.connect();
        auto s3 = connect3(srv);
        call(*s, {"SADD", "s", "a", "b", "c", "d"});
        call(*s, {"SADD", "t", "c", "d", "e"});
        call(*s, {"SADD", "u", "d", "x"});
        call(*s, {"SET", "str", "v"});
        CHECK(elements(call(*s, {"SINTER", "s", "t"})) == Strings{"c", "d"});
        CHECK(call(*s, {"SINTER", "s", "t", "u"}) == "*1\r\n$1\r\nd\r\n");
        CHECK(call(*s3, {"SINTER", "s", "t", "u"}) == "~1\r\n$1\r\nd\r\n");
        CHECK(elements(call(*s, {"SINTER", "s", "s"})) == Strings{"a", "b", "c", "d"});
        CHECK(call(*s, {"SINTER", "s", "nokey"}) == "*0\r\n");
        CHECK(call(*s3, {"SINTER", "s", "nokey"}) == "~0\r\n");
        CHECK(elements(call(*s, {"SUNION", "s", "t", "u"})) == Strings{"a", "b", "c", "d", "e", "x"});
        const Frame u3 = parse(call(*s3, {"SUNION", "s", "t"}));
        CHECK(u3.type == FrameType::set);
        CHECK(elements(u3) == Strings{"a", "b", "c", "d", "e"});
        CHECK(call(*s, {"SUNION", "nokey"}) == "*0\r\n");
        CHECK(call(*s3, {"SUNION", "nokey"}) == "~0\r\n");
        CHECK(elements(call(*s, {"SDIFF", "s", "t"})) == Strings{"a", "b"});
        CHECK(elements(call(*s, {"SDIFF", "s", "t", "u"})) == Strings{"a", "b"});
        CHECK(elements(call(*s, {"SDIFF", "s", "nokey"})) == Strings{"a", "b", "c", "d"});
        CHECK(call(*s, {"SDIFF", "nokey", "s"}) == "*0\r\n");
        CHECK(call(*s, {"SDIFF", "s", "s"}) == "*0\r\n");
        CHECK(call(*s3, {"SDIFF", "s", "t", "s"}) == "~0\r\n");
        const Frame d3 = parse(call(*s3, {"SDIFF", "s", "t"}));
        CHECK(d3.type == FrameType::set);
        // WRONGTYPE from any source, even after a missing one (which alone empties SINTER).
        for (const char* cmd : {"SINTER", "SUNION", "SDIFF"}) {
            CHECK(call(*s, {cmd, "s", "str"}) == wrongtype);
            CHECK(call(*s, {cmd, "nokey", "str"}) == wrongtype);
            CHECK(call(*s, {cmd, "str", "nokey"}) == wrongtype);
            CHECK(call(*s, {cmd}) == "-ERR wrong number of arguments for '" + cachet::resp::lower(cmd) + "' command\r\n");
        }
        CHECK(call(*s, {"SINTERCARD", "2", "s", "t"}) == ":2\r\n");
        CHECK(call(*s, {"SINTERCARD", "3", "s", "t", "u"}) == ":1\r\n");
        CHECK(call(*s, {"SINTERCARD", "1", "s", "LIMIT", "3"}) == ":3\r\n");
        CHECK(call(*s, {"SINTERCARD", "2", "s", "t", "limit", "1"}) == ":1\r\n");
        CHECK(call(*s, {"SINTERCARD", "2", "s", "t", "LIMIT", "0"}) == ":2\r\n");  // 0: no limit
        CHECK(call(*s, {"SINTERCARD", "2", "s", "t", "LIMIT", "100"}) == ":2\r\n");
        CHECK(call(*s, {"SINTERCARD", "1", "s", "LIMIT", "1", "LIMIT", "2"}) == ":2\r\n");
        CHECK(call(*s3, {"SINTERCARD", "1", "nokey"}) == ":0\r\n");
        CHECK(call(*s, {"SINTERCARD", "1", "s", "s"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"SINTERCARD", "2", "s", "t", "LIMIT"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"SINTERCARD", "2", "s", "t", "FOO", "1"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"SINTERCARD", "2", "s", "t", "LIMIT", "-1"}) == "-ERR LIMIT can't be negative\r\n");
        CHECK(call(*s, {"SINTERCARD", "2", "s", "t", "LIMIT", "x"}) == "-ERR LIMIT can't be negative\r\n");
        for (const char* n : {"0", "-1", "x", "9223372036854775808"})
            CHECK(call(*s, {"SINTERCARD", n, "s"}) == "-ERR numkeys should be greater than 0\r\n");
        CHECK(call(*s, {"SINTERCARD", "3", "s", "t"}) == "-ERR Number of keys can't be greater than number of args\r\n");
        CHECK(call(*s, {"SINTERCARD", "2", "nokey", "str"}) == wrongtype);
        CHECK(call(*s, {"SINTERCARD", "2", "s", "str", "LIMIT", "-1"}) == "-ERR LIMIT can't be negative\r\n");
        CHECK(call(*s, {"SINTERCARD", "1"}) == "-ERR wrong number of arguments for 'sintercard' command\r\n");
    }

    TEST_CASE("sets: *STORE replaces a destination of any type, drops its TTL, deletes on empty") {
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"SADD", "s", "a", "b", "c", "d"});
        call(*s, {"SADD", "t", "c", "d", "e"});
        call(*s, {"SET", "str", "v"});
        CHECK(call(*s, {"SINTERSTORE", "d", "s", "t"}) == ":2\r\n");
        CHECK(elements(call(*s, {"SMEMBERS", "d"})) == Strings{"c", "d"});
        CHECK(call(*s, {"SINTERSTORE", "d", "s", "nokey"}) == ":0\r\n");
        CHECK(call(*s, {"EXISTS", "d"}) == ":0\r\n");
        CHECK(call(*s, {"SET", "d", "x", "EX", "100"}) == "+OK\r\n");
        CHECK(call(*s, {"SUNIONSTORE", "d", "s", "t"}) == ":5\r\n");
        CHECK(call(*s, {"TTL", "d"}) == ":-1\r\n");
        CHECK(call(*s, {"TYPE", "d"}) == "+set\r\n");
        CHECK(elements(call(*s, {"SMEMBERS", "d"})) == Strings{"a", "b", "c", "d", "e"});
        CHECK(call(*s, {"EXPIRE", "d", "100"}) == ":1\r\n");
        CHECK(call(*s, {"SDIFFSTORE", "d", "s", "t"}) == ":2\r\n");
        CHECK(call(*s, {"TTL", "d"}) == ":-1\r\n");
        CHECK(elements(call(*s, {"SMEMBERS", "d"})) == Strings{"a", "b"});
        call(*s, {"HSET", "hh", "f", "v"});
        CHECK(call(*s, {"SINTERSTORE", "hh", "s", "t"}) == ":2\r\n");
        CHECK(call(*s, {"TYPE", "hh"}) == "+set\r\n");
        call(*s, {"HSET", "hh2", "f", "v"});
        CHECK(call(*s, {"SDIFFSTORE", "hh2", "nokey"}) == ":0\r\n");  // an empty result deletes
        CHECK(call(*s, {"EXISTS", "hh2"}) == ":0\r\n");
        CHECK(call(*s, {"SINTERSTORE", "d", "s", "str"}) == wrongtype);  // a source's type
        CHECK(elements(call(*s, {"SMEMBERS", "d"})) == Strings{"a", "b"});  // unchanged
        CHECK(call(*s, {"SUNIONSTORE", "str", "s", "t"}) == ":5\r\n");
        CHECK(call(*s, {"TYPE", "str"}) == "+set\r\n");
        // The destination may be a source.
        CHECK(call(*s, {"SUNIONSTORE", "s", "s", "t"}) == ":5\r\n");
        CHECK(call(*s, {"SINTERSTORE", "t", "t", "s"}) == ":3\r\n");
        CHECK(call(*s, {"SDIFFSTORE", "s", "s", "t"}) == ":2\r\n");
        CHECK(elements(call(*s, {"SMEMBERS", "s"})) == Strings{"a", "b"});
        CHECK(call(*s, {"SDIFFSTORE", "s", "s", "s"}) == ":0\r\n");
        CHECK(call(*s, {"EXISTS", "s"}) == ":0\r\n");
        CHECK(call(*s, {"SINTERSTORE", "d"}) == "-ERR wrong number of arguments for 'sinterstore' command\r\n");
        // HSET and SADD keep a key's TTL.
        call(*s, {"HSET", "ttl", "a", "1"});
        call(*s, {"EXPIRE", "ttl", "100"});
        call(*s, {"HSET", "ttl", "b", "2"});
        CHECK(call(*s, {"TTL", "ttl"}) == ":100\r\n");
        call(*s, {"SADD", "sttl", "a"});
        call(*s, {"EXPIRE", "sttl", "50"});
        call(*s, {"SADD", "sttl", "b"});
        CHECK(call(*s, {"TTL", "sttl"}) == ":50\r\n");
        srv.clock.advance(50s);
        CHECK(call(*s, {"SCARD", "sttl"}) == ":0\r\n");
    }

    TEST_CASE("sets follow Redis 7.0's encoding: an intset lists ascending, a hashtable for good") {
        // Replies checked against redis-server 7.0.15.
        test::Server srv;
        auto s = srv.connect();
        const std::string sorted = "*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$2\r\n10\r\n";
        call(*s, {"SADD", "s", "5", "3", "10", "1", "-7"});
        CHECK(call(*s, {"SMEMBERS", "s"}) == sorted);
        CHECK(call(*s, {"SSCAN", "s", "0"}) == "*2\r\n$1\r\n0\r\n" + sorted);
        CHECK(call(*s, {"SRANDMEMBER", "s", "5"}) == sorted);
        CHECK(call(*s, {"SRANDMEMBER", "s", "50"}) == sorted);
        CHECK(call(*s, {"SUNION", "s"}) == sorted);
        CHECK(call(*s, {"SDIFF", "s"}) == sorted);
        CHECK(call(*s, {"SINTER", "s"}) == sorted);
        call(*s, {"SADD", "s2", "3", "1", "99"});
        CHECK(call(*s, {"SINTER", "s", "s2"}) == "*2\r\n$1\r\n1\r\n$1\r\n3\r\n");
        CHECK(call(*s, {"SDIFF", "s", "s2"}) == "*3\r\n$2\r\n-7\r\n$1\r\n5\r\n$2\r\n10\r\n");
        CHECK(call(*s, {"SINTERSTORE", "d", "s", "s2"}) == ":2\r\n");
        CHECK(call(*s, {"SSCAN", "d", "0"}) == "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n3\r\n");
        CHECK(call(*s, {"SMOVE", "s2", "fresh", "99"}) == ":1\r\n");
        CHECK(call(*s, {"SSCAN", "fresh", "0"}) == "*2\r\n$1\r\n0\r\n*1\r\n$2\r\n99\r\n");
        CHECK(call(*s, {"SPOP", "s2", "10"}) == "*2\r\n$1\r\n1\r\n$1\r\n3\r\n");

        // A non-integer member, or one member too many, converts an intset for good: it is
        // walked by cursor from then on, even once it holds integers again. (A set of strings
        // never was an intset.)
        auto cursor_walked = [&](const std::string& key) { return walked(*s, "SSCAN", key); };
        call(*s, {"CONFIG", "SET", "set-max-intset-entries", "4"});
        for (const char* k : {"a", "b", "c"}) {
            call(*s, {"SADD", k, "1", "2", "3", "4"});
            CHECK_FALSE(cursor_walked(k));
        }
        call(*s, {"SADD", "a", "x"});
        call(*s, {"SREM", "a", "x"});
        call(*s, {"SADD", "b", "5"});
        call(*s, {"SREM", "b", "5"});
        call(*s, {"SADD", "c", "4"});  // already there: nothing changes
        CHECK(cursor_walked("a"));
        CHECK(cursor_walked("b"));
        CHECK_FALSE(cursor_walked("c"));
        call(*s, {"CONFIG", "SET", "set-max-intset-entries", "512"});
        CHECK(cursor_walked("a"));
        call(*s, {"SUNIONSTORE", "u", "a", "b"});  // a *STORE result is built as an intset
        CHECK_FALSE(cursor_walked("u"));
        call(*s, {"SADD", "strs", "p", "q", "r", "s", "t"});
        CHECK(cursor_walked("strs"));
    }

    TEST_CASE("sets: SSCAN, whole intsets and cursor walks to completion") {
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"SET", "str", "v"});
        CHECK(call(*s, {"SSCAN", "nokey", "0", "COUNT", "0"}) == "*2\r\n$1\r\n0\r\n*0\r\n");
        CHECK(call(*s, {"SSCAN", "nokey", "x"}) == "-ERR invalid cursor\r\n");
        CHECK(call(*s, {"SSCAN", "str", "0"}) == wrongtype);
        CHECK(call(*s, {"SSCAN", "str", "x"}) == "-ERR invalid cursor\r\n");
        call(*s, {"SADD", "s", "a", "b", "ab"});
        CHECK(call(*s, {"SSCAN", "s", "0", "COUNT", "0"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"SSCAN", "s", "0", "COUNT", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"SSCAN", "s", "0", "TYPE", "x"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"SSCAN", "s", "0", "NOVALUES"}) == "-ERR syntax error\r\n");
        const Frame small = parse(call(*s, {"SSCAN", "s", "0"}));
        CHECK(small.elements[0].str == "0");
        CHECK(elements(small.elements[1]) == Strings{"a", "b", "ab"});
        CHECK(elements(parse(call(*s, {"SSCAN", "s", "0", "MATCH", "a*"})).elements[1]) == Strings{"a", "ab"});
        // An all-integer set of at most set-max-intset-entries comes whole, cursor 0.
        std::vector<std::string> ints;
        for (int i = 0; i < 20; ++i) call(*s, {"SADD", "ints", std::to_string(i * 3 - 10)});
        const Frame whole = parse(call(*s, {"SSCAN", "ints", "99", "COUNT", "1"}));
        CHECK(whole.elements[0].str == "0");
        CHECK(whole.elements[1].elements.size() == 20);
        for (const char* key : {"strs", "bigints"}) {
            std::set<std::string> want;
            for (int i = 0; i < 1000; ++i) {
                const std::string m = std::string(key) == "strs" ? "m" + std::to_string(i) : std::to_string(i);
                want.insert(m);
                call(*s, {"SADD", key, m});
            }
            std::set<std::string> got;
            std::string cursor = "0";
            int calls = 0;
            do {
                const Frame f = parse(call(*s, {"SSCAN", key, cursor, "COUNT", "25"}));
                cursor = f.elements[0].str;
                for (const auto& e : f.elements[1].elements) got.insert(e.str);
                ++calls;
            } while (cursor != "0");
            CHECK(got == want);
            CHECK(calls > 1);
        }
    }

    TEST_CASE("every hash and set command answers WRONGTYPE on a string key") {
        test::Server srv;
        auto s = srv.connect();
        auto s3 = connect3(srv);
        call(*s, {"SET", "k", "v"});
        call(*s, {"SADD", "set", "a"});
        call(*s, {"HSET", "hash", "a", "1"});
        const std::vector<std::vector<std::string_view>> cmds = {
            {"HSET", "k", "f", "v"}, {"HSETNX", "k", "f", "v"}, {"HGET", "k", "f"},
            {"HMGET", "k", "f"}, {"HMSET", "k", "f", "v"}, {"HGETALL", "k"}, {"HDEL", "k", "f"},
            {"HEXISTS", "k", "f"}, {"HLEN", "k"}, {"HKEYS", "k"}, {"HVALS", "k"},
            {"HINCRBY", "k", "f", "1"}, {"HINCRBYFLOAT", "k", "f", "1"}, {"HSTRLEN", "k", "f"},
            {"HRANDFIELD", "k"}, {"HRANDFIELD", "k", "2", "WITHVALUES"}, {"HSCAN", "k", "0"},
            {"SADD", "k", "m"}, {"SREM", "k", "m"}, {"SMEMBERS", "k"}, {"SISMEMBER", "k", "m"},
            {"SMISMEMBER", "k", "m"}, {"SCARD", "k"}, {"SPOP", "k"}, {"SPOP", "k", "2"},
            {"SRANDMEMBER", "k"}, {"SRANDMEMBER", "k", "-2"}, {"SMOVE", "k", "set", "m"},
            {"SMOVE", "set", "k", "a"}, {"SINTER", "set", "k"}, {"SINTERCARD", "2", "set", "k"},
            {"SUNION", "set", "k"}, {"SDIFF", "set", "k"}, {"SINTERSTORE", "d", "set", "k"},
            {"SUNIONSTORE", "d", "set", "k"}, {"SDIFFSTORE", "d", "set", "k"}, {"SSCAN", "k", "0"},
            // a hash is not a set, nor a set a hash
            {"SADD", "hash", "m"}, {"SMEMBERS", "hash"}, {"HGET", "set", "a"}, {"HGETALL", "set"}};
        for (const auto& cmd : cmds) {
            std::string in = "*" + std::to_string(cmd.size()) + "\r\n";
            for (auto a : cmd) in += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
            CAPTURE(in);
            CHECK(test::raw(*s, in) == wrongtype);
            CHECK(test::raw(*s3, in) == wrongtype);
        }
        CHECK(call(*s, {"GET", "k"}) == "$1\r\nv\r\n");  // nothing changed
        CHECK(call(*s, {"SMEMBERS", "set"}) == "*1\r\n$1\r\na\r\n");
        CHECK(call(*s, {"HGETALL", "hash"}) == "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
        CHECK(call(*s, {"EXISTS", "d"}) == ":0\r\n");
    }

    TEST_CASE("inside MULTI: HSET's pair check runs at EXEC; replies are queued as usual") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*s, {"HSET", "h", "a", "1", "b"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"SADD", "s", "x"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"SINTERCARD", "1", "s"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"EXEC"}) ==
              "*3\r\n-ERR wrong number of arguments for 'hset' command\r\n:1\r\n:1\r\n");
    }

    TEST_CASE("keyspace notifications of hash and set commands, in Redis's order") {
        test::Server srv;
        auto sub = srv.connect();
        auto s = srv.connect();
        call(*s, {"CONFIG", "SET", "notify-keyspace-events", "KEA"});
        call(*sub, {"PSUBSCRIBE", "__keyevent@0__:*"});
        const std::vector<std::vector<std::string_view>> cmds = {
            {"HSET", "h", "a", "1"}, {"HSETNX", "h", "a", "2"}, {"HSETNX", "h", "b", "2"},
            {"HINCRBY", "h", "n", "1"}, {"HINCRBYFLOAT", "h", "f", "1.5"},
            {"HDEL", "h", "a", "b", "n", "f"}, {"HDEL", "h", "zz"}, {"SADD", "s", "a", "b"},
            {"SADD", "s", "a"}, {"SREM", "s", "a"}, {"SPOP", "s"}, {"SADD", "s", "a", "b", "c"},
            {"SPOP", "s", "1"}, {"SPOP", "s", "5"}, {"SADD", "s", "a"}, {"SADD", "t", "b"},
            {"SMOVE", "s", "t", "a"}, {"SET", "d", "x"}, {"SINTERSTORE", "d", "t", "t"},
            {"SUNIONSTORE", "d", "t", "nokey"}, {"SDIFFSTORE", "d", "t", "t"},
            {"SINTERSTORE", "d", "t", "nokey"}, {"SINTERCARD", "1", "t"}, {"SPOP", "t", "0"},
            {"HMSET", "h2", "a", "1"}};
        for (const auto& cmd : cmds) {
            std::string in = "*" + std::to_string(cmd.size()) + "\r\n";
            for (auto a : cmd) in += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
            test::raw(*s, in);
        }
        const std::string got = test::async(*sub);
        std::vector<std::pair<std::string, std::string>> events;
        cachet::resp::ReplyParser p;
        for (std::size_t at = 0; at < got.size();) {
            const auto r = p.parse(std::string_view(got).substr(at));
            REQUIRE(r.status == cachet::resp::ParseStatus::complete);
            at += r.consumed;
            const Frame& f = p.frame();
            REQUIRE(f.elements.size() == 4);
            const std::string& channel = f.elements[2].str;
            events.emplace_back(channel.substr(channel.find(':') + 1), f.elements[3].str);
        }
        // What redis-server 7.0.15 publishes for the same commands.
        const std::vector<std::pair<std::string, std::string>> want = {
            {"hset", "h"}, {"hset", "h"}, {"hincrby", "h"}, {"hincrbyfloat", "h"}, {"hdel", "h"},
            {"del", "h"}, {"sadd", "s"}, {"srem", "s"}, {"spop", "s"}, {"del", "s"}, {"sadd", "s"},
            {"spop", "s"}, {"spop", "s"}, {"del", "s"}, {"sadd", "s"}, {"sadd", "t"}, {"srem", "s"},
            {"del", "s"}, {"sadd", "t"}, {"set", "d"}, {"sinterstore", "d"}, {"sunionstore", "d"},
            {"del", "d"}, {"hset", "h2"}};
        CHECK(events == want);
    }

    TEST_CASE("COMMAND INFO: flags (movablekeys, no_async_loading) and tips as Redis 7.0 lists them") {
        // As redis-server 7.0.15 lists them.
        test::Server srv;
        auto s = srv.connect();
        const auto flags = [&](std::string_view name) {
            CAPTURE(name);
            const Frame f = parse(call(*s, {"COMMAND", "INFO", name}));
            REQUIRE(f.elements.size() == 1);
            REQUIRE(f.elements[0].elements.size() == 10);
            std::vector<std::string> out;
            for (const Frame& e : f.elements[0].elements[2].elements) out.push_back(e.str);
            return out;
        };
        using V = std::vector<std::string>;
        CHECK(flags("zunionstore") == V{"write", "denyoom", "movablekeys"});
        CHECK(flags("zintercard") == V{"readonly", "movablekeys"});
        CHECK(flags("bzmpop") == V{"write", "blocking", "movablekeys"});
        CHECK(flags("lmpop") == V{"write", "movablekeys"});
        CHECK(flags("sintercard") == V{"readonly", "movablekeys"});
        CHECK(flags("zrangestore") == V{"write", "denyoom"});  // fixed key positions
        CHECK(flags("move") == V{"write", "fast"});            // cachet's own flags stay hidden
        CHECK(flags("echo") == V{"loading", "stale", "fast"});
        CHECK(flags("wait") == V{"noscript"});
        CHECK(flags("save") == V{"admin", "noscript", "no_async_loading", "no_multi"});
        CHECK(flags("bgsave") == V{"admin", "noscript", "no_async_loading"});
        const auto tips = [&](std::initializer_list<std::string_view> command) {
            const Frame f = parse(call(*s, command));
            REQUIRE(f.elements.size() == 1);
            REQUIRE(f.elements[0].elements.size() == 10);
            std::vector<std::string> out;
            for (const Frame& e : f.elements[0].elements[7].elements) out.push_back(e.str);
            return out;
        };
        CHECK(tips({"COMMAND", "INFO", "del"}) == V{"request_policy:multi_shard", "response_policy:agg_sum"});
        CHECK(tips({"COMMAND", "INFO", "keys"}) == V{"request_policy:all_shards", "nondeterministic_output_order"});
        CHECK(tips({"COMMAND", "INFO", "scan"}) == V{"nondeterministic_output", "request_policy:special"});
        CHECK(tips({"COMMAND", "INFO", "slowlog|len"}) ==
              V{"request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"});
        CHECK(tips({"COMMAND", "INFO", "config|set"}) == V{"request_policy:all_nodes", "response_policy:all_succeeded"});
        CHECK(tips({"COMMAND", "INFO", "get"}).empty());
    }

    TEST_CASE("COMMAND INFO and DOCS of the hash and set commands, as Redis 7.0's") {
        test::Server srv;
        auto s = srv.connect();
        const auto info = [&](std::string_view name) {
            const Frame f = parse(call(*s, {"COMMAND", "INFO", name}));
            REQUIRE(f.elements.size() == 1);
            return f.elements[0];
        };
        struct Want {
            const char* name;
            long long arity;
            Strings flags;
            long long first, last, step;
            Strings acl;
        };
        const std::vector<Want> wants = {
            {"hset", -4, {"write", "denyoom", "fast"}, 1, 1, 1, {"@write", "@hash", "@fast"}},
            {"hmset", -4, {"write", "denyoom", "fast"}, 1, 1, 1, {"@write", "@hash", "@fast"}},
            {"hgetall", 2, {"readonly"}, 1, 1, 1, {"@read", "@hash", "@slow"}},
            {"hdel", -3, {"write", "fast"}, 1, 1, 1, {"@write", "@hash", "@fast"}},
            {"hincrbyfloat", 4, {"write", "denyoom", "fast"}, 1, 1, 1, {"@write", "@hash", "@fast"}},
            {"hrandfield", -2, {"readonly"}, 1, 1, 1, {"@read", "@hash", "@slow"}},
            {"hscan", -3, {"readonly"}, 1, 1, 1, {"@read", "@hash", "@slow"}},
            {"sadd", -3, {"write", "denyoom", "fast"}, 1, 1, 1, {"@write", "@set", "@fast"}},
            {"spop", -2, {"write", "fast"}, 1, 1, 1, {"@write", "@set", "@fast"}},
            {"smove", 4, {"write", "fast"}, 1, 2, 1, {"@write", "@set", "@fast"}},
            {"sinter", -2, {"readonly"}, 1, -1, 1, {"@read", "@set", "@slow"}},
            {"sintercard", -3, {"readonly", "movablekeys"}, 0, 0, 0, {"@read", "@set", "@slow"}},
            {"sunionstore", -3, {"write", "denyoom"}, 1, -1, 1, {"@write", "@set", "@slow"}},
            {"smismember", -3, {"readonly", "fast"}, 1, 1, 1, {"@read", "@set", "@fast"}},
            {"sscan", -3, {"readonly"}, 1, 1, 1, {"@read", "@set", "@slow"}},
        };
        for (const auto& w : wants) {
            CAPTURE(w.name);
            const Frame f = info(w.name);
            REQUIRE(f.elements.size() == 10);
            CHECK(f.elements[0].str == w.name);
            CHECK(f.elements[1].integer == w.arity);
            CHECK(elements(f.elements[2]) == w.flags);
            CHECK(f.elements[3].integer == w.first);
            CHECK(f.elements[4].integer == w.last);
            CHECK(f.elements[5].integer == w.step);
            CHECK(elements(f.elements[6]) == w.acl);
        }
        CHECK(elements(info("smembers").elements[7]) == Strings{"nondeterministic_output_order"});
        CHECK(elements(info("srandmember").elements[7]) == Strings{"nondeterministic_output"});
        CHECK(info("sismember").elements[7].elements.empty());
        // COMMAND DOCS of SINTERCARD and HSTRLEN: recorded rows in resp_admin_test.cpp.
        CHECK(call(*s, {"COMMAND", "GETKEYS", "SMOVE", "a", "b", "m"}) == "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
        CHECK(call(*s, {"COMMAND", "GETKEYS", "SDIFFSTORE", "d", "a", "b"}) ==
              "*3\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n");
    }

    TEST_CASE("the program's HashStore / SetStore views and RESP sessions share the keys") {
        test::Server srv;
        auto s = srv.connect();
        auto& db0 = srv.db.db(0);
        db0.hashes().set("user:1", {{"name", "alice"}, {"visits", "1"}});
        CHECK(call(*s, {"HINCRBY", "user:1", "visits", "2"}) == ":3\r\n");
        CHECK(db0.hashes().get("user:1", "visits") == "3");
        CHECK(call(*s, {"SADD", "tags", "x", "y"}) == ":2\r\n");
        CHECK(db0.sets().contains("tags", "y"));
        db0.sets().remove("tags", std::string("x"));
        CHECK(call(*s, {"SMEMBERS", "tags"}) == "*1\r\n$1\r\ny\r\n");
    }
}

}  // namespace resp_hash_set_test
