// PFADD, PFCOUNT, PFMERGE through the command layer: counts checked against redis-server
// 7.0.15 for the same elements, Redis's sparse values read, Redis's errors.

#include "support/resp_session.hpp"

#include <cachet/detail/hyperloglog.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using test::call;

namespace {

/// PFADD of item:<from> .. item:<to - 1>, 1,000 at a time.
void add_items(test::Session& s, const char* key, int from, int to) {
    for (int i = from; i < to; i += 1000) {
        std::vector<std::string> items;
        for (int j = i; j < std::min(to, i + 1000); ++j) items.push_back("item:" + std::to_string(j));
        std::string req = "*" + std::to_string(items.size() + 2) + "\r\n$5\r\nPFADD\r\n$" +
                          std::to_string(std::string_view(key).size()) + "\r\n" + key + "\r\n";
        for (const auto& it : items) req += "$" + std::to_string(it.size()) + "\r\n" + it + "\r\n";
        CHECK(test::raw(s, req) == ":1\r\n");
    }
}

std::string unhex(std::string_view h) {
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16));
    return out;
}

}  // namespace

TEST_SUITE("resp_hyperloglog") {
    TEST_CASE("PFADD and PFCOUNT give Redis's counts; PFMERGE its union") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"PFADD", "h", "a", "b", "c", "d", "e", "f", "g"}) == ":1\r\n");
        CHECK(call(*s, {"PFCOUNT", "h"}) == ":7\r\n");
        CHECK(call(*s, {"PFADD", "h", "a"}) == ":0\r\n");  // no register changed
        CHECK(call(*s, {"PFADD", "new"}) == ":1\r\n");     // created empty
        CHECK(call(*s, {"PFCOUNT", "new"}) == ":0\r\n");
        CHECK(call(*s, {"PFCOUNT", "nokey"}) == ":0\r\n");
        add_items(*s, "t", 0, 10000);
        add_items(*s, "u", 5000, 15000);
        CHECK(call(*s, {"PFCOUNT", "t"}) == ":10083\r\n");  // redis-server 7.0.15's figures
        CHECK(call(*s, {"PFCOUNT", "u"}) == ":9941\r\n");
        CHECK(call(*s, {"PFCOUNT", "t", "u"}) == ":15023\r\n");
        CHECK(call(*s, {"PFMERGE", "m", "t", "u", "nokey"}) == "+OK\r\n");
        CHECK(call(*s, {"PFCOUNT", "m"}) == ":15023\r\n");
        CHECK(call(*s, {"TYPE", "m"}) == "+string\r\n");
        CHECK(call(*s, {"STRLEN", "m"}) == ":12304\r\n");  // dense (Redis: sparse while small)
        CHECK(call(*s, {"PFMERGE", "empty"}) == "+OK\r\n");
        CHECK(call(*s, {"PFCOUNT", "empty"}) == ":0\r\n");
    }

    TEST_CASE("a sparse HyperLogLog written by Redis is read, and grows dense") {
        test::Server srv;
        auto s = srv.connect();
        // GET of PFADD sp x y z on redis-server 7.0.15 (sparse, cached count 3).
        const std::string sparse = unhex("48594c4c01000000000000000000008061848058cd8845a08408");
        CHECK(call(*s, {"SET", "sp", sparse}) == "+OK\r\n");
        CHECK(call(*s, {"PFCOUNT", "sp"}) == ":3\r\n");
        CHECK(call(*s, {"PFADD", "sp", "y"}) == ":0\r\n");
        CHECK(call(*s, {"GET", "sp"}) == "$26\r\n" + sparse + "\r\n");  // unchanged
        CHECK(call(*s, {"PFADD", "sp", "w"}) == ":1\r\n");
        CHECK(call(*s, {"PFCOUNT", "sp"}) == ":4\r\n");
        CHECK(call(*s, {"STRLEN", "sp"}) == ":12304\r\n");
    }

    TEST_CASE("HyperLogLog errors as Redis words them") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"SET", "str", "hello"}) == "+OK\r\n");
        CHECK(call(*s, {"RPUSH", "l", "x"}) == ":1\r\n");
        const std::string not_hll = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
        const std::string wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        CHECK(call(*s, {"PFADD", "str", "x"}) == not_hll);
        CHECK(call(*s, {"PFCOUNT", "str"}) == not_hll);
        CHECK(call(*s, {"PFMERGE", "d", "str"}) == not_hll);
        CHECK(call(*s, {"PFMERGE", "str", "nokey"}) == not_hll);
        CHECK(call(*s, {"PFADD", "l", "x"}) == wrongtype);
        CHECK(call(*s, {"PFCOUNT", "l"}) == wrongtype);
        CHECK(call(*s, {"PFMERGE", "l", "nokey"}) == wrongtype);  // a destination of another type
        CHECK(call(*s, {"LLEN", "l"}) == ":1\r\n");
        CHECK(call(*s, {"GET", "str"}) == "$5\r\nhello\r\n");  // untouched
        CHECK(call(*s, {"EXISTS", "d"}) == ":0\r\n");
        // A corrupt sparse value: its cached count is still what one key's PFCOUNT returns (as
        // Redis), anything that has to read the registers says it is corrupt.
        std::string bad = "HYLL";
        bad += std::string(1, '\x01') + std::string(11, '\0') + "\xff\xff\xff";
        CHECK(call(*s, {"SET", "bad", bad}) == "+OK\r\n");
        CHECK(call(*s, {"PFCOUNT", "bad"}) == ":0\r\n");
        CHECK(call(*s, {"PFCOUNT", "bad", "nokey"}) == "-INVALIDOBJ Corrupted HLL object detected\r\n");
        CHECK(call(*s, {"PFADD", "bad", "x"}) == "-INVALIDOBJ Corrupted HLL object detected\r\n");
        CHECK(call(*s, {"PFADD"}) == "-ERR wrong number of arguments for 'pfadd' command\r\n");
    }

    TEST_CASE("the dense encoding round-trips every register; an empty sketch counts 0") {
        namespace hll = cachet::detail::hll;
        hll::Registers regs{};
        CHECK(hll::count(regs) == 0);
        std::string dense = hll::make_dense();
        CHECK(hll::valid(dense));
        for (std::size_t i = 0; i < regs.size(); ++i) regs[i] = static_cast<std::uint8_t>(i % 52);
        hll::encode_dense(dense, regs);
        hll::Registers back{};
        REQUIRE(hll::decode(dense, back));
        CHECK(back == regs);  // every register round-trips through the 6-bit packing
        CHECK_FALSE(hll::cached(dense).has_value());  // written: the cached count is stale
        CHECK_FALSE(hll::valid(dense.substr(0, 100)));
    }

    TEST_CASE("PFADD and PFMERGE announce pfadd in the string class ($), as Redis") {
        test::Server srv;
        auto s = srv.connect();
        auto sub = srv.connect();
        CHECK(call(*sub, {"CONFIG", "SET", "notify-keyspace-events", "K$"}) == "+OK\r\n");
        CHECK(call(*sub, {"PSUBSCRIBE", "__keyspace@*__:*"}).starts_with("*3\r\n"));
        CHECK(call(*s, {"PFADD", "h", "a"}) == ":1\r\n");
        CHECK(call(*s, {"PFADD", "h", "a"}) == ":0\r\n");  // nothing changed: no event
        CHECK(call(*s, {"PFMERGE", "h"}) == "+OK\r\n");     // always announced
        const std::string got = test::async(*sub);
        std::size_t n = 0;
        for (std::size_t at = 0; (at = got.find("$5\r\npfadd\r\n", at)) != std::string::npos; ++at) ++n;
        CHECK(n == 2);
        CHECK(got.find("__keyspace@0__:h") != std::string::npos);
    }
}
