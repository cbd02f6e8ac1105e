// PFADD, PFCOUNT, PFMERGE, PFDEBUG through the command layer: counts and bytes checked against
// redis-server 7.0.15 for the same elements (sparse encoding, its growth and promotion to
// dense, the cached count), Redis's errors; the sparse algorithm against a dense twin.

#include "support/resp_session.hpp"

#include <cachet/detail/hyperloglog.hpp>
#include <cachet/resp/scripting.hpp>

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

namespace resp_hyperloglog_test {

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

void enable(test::Engine& e) { cachet::resp::enable_scripting(e); }

/// Replies of redis-server 7.0.15 (RESP2, and RESP3 where it differs), recorded in one run from
/// an empty database (tests/support/record_replies.py). Values too long to list are checked by
/// their length and SHA-1 through a script.
const std::vector<test::Row>& hll_recorded() {
    static const std::vector<test::Row> rows = {
            {{"PFADD", "h", "a", "b", "c"}, ":1\r\n", ""},
            {{"GET", "h"}, std::string("$27\r\nHYLL\001\000\000\000\000\000\000\000\000\000\000\200`\363\200P\261\204K\373\200BZ\r\n", 34), ""},
            {{"STRLEN", "h"}, ":27\r\n", ""},
            {{"OBJECT", "ENCODING", "h"}, "$3\r\nraw\r\n", ""},
            {{"PFDEBUG", "ENCODING", "h"}, "+sparse\r\n", ""},
            {{"PFDEBUG", "DECODE", "h"}, "$44\r\nZ:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\r\n", ""},
            {{"PFCOUNT", "h"}, ":3\r\n", ""},
            {{"GET", "h"}, std::string("$27\r\nHYLL\001\000\000\000\003\000\000\000\000\000\000\000`\363\200P\261\204K\373\200BZ\r\n", 34), ""},
            {{"PFADD", "h", "a"}, ":0\r\n", ""},
            {{"PFCOUNT", "h"}, ":3\r\n", ""},
            {{"PFADD", "e"}, ":1\r\n", ""},
            {{"GET", "e"}, std::string("$18\r\nHYLL\001\000\000\000\000\000\000\000\000\000\000\200\177\377\r\n", 25), ""},
            {{"OBJECT", "ENCODING", "e"}, "$3\r\nraw\r\n", ""},
            {{"PFDEBUG", "DECODE", "e"}, "$7\r\nZ:16384\r\n", ""},
            {{"PFCOUNT", "e"}, ":0\r\n", ""},
            {{"GET", "e"}, std::string("$18\r\nHYLL\001\000\000\000\000\000\000\000\000\000\000\000\177\377\r\n", 25), ""},
            {{"EVAL", "for i=1,40 do redis.call('PFADD', KEYS[1], 'el:'..i) end return redis.call('PFDEBUG', 'DECODE', KEYS[1])", "1", "g"}, "$486\r\nZ:155 v:2,1 Z:234 v:1,1 Z:453 v:3,1 Z:171 v:1,1 Z:211 v:3,1 Z:652 v:1,1 Z:230 v:1,1 Z:913 v:1,1 Z:83 v:1,1 Z:723 v:3,1 Z:219 v:2,1 Z:151 v:3,1 Z:229 v:3,1 Z:546 v:1,1 Z:1188 v:1,1 Z:178 v:1,1 Z:263 v:1,1 z:62 v:2,1 Z:159 v:2,1 Z:251 v:1,1 Z:1004 v:1,1 Z:133 v:3,1 Z:390 v:5,1 Z:190 v:2,1 Z:986 v:1,1 Z:1015 v:4,1 Z:302 v:5,1 Z:243 v:3,1 Z:247 v:1,1 Z:169 v:1,1 Z:68 v:3,1 Z:206 v:1,1 Z:323 v:4,1 Z:244 v:3,1 Z:215 v:3,1 Z:519 v:1,1 Z:342 v:2,1 Z:401 v:5,1 Z:974 v:1,1 Z:1158 v:4,1 Z:144\r\n", ""},
            {{"EVAL", "for i=41,400 do redis.call('PFADD', KEYS[1], 'el:'..i) end return {redis.call('STRLEN', KEYS[1]), redis.sha1hex(redis.call('GET', KEYS[1]))}", "1", "g"}, "*2\r\n:873\r\n$40\r\n6ebf7569877ad0690e16c6ff621a46710f97d91d\r\n", ""},
            {{"EVAL", "for i=401,1500 do redis.call('PFADD', KEYS[1], 'el:'..i) end return {redis.call('STRLEN', KEYS[1]), redis.sha1hex(redis.call('GET', KEYS[1]))}", "1", "g"}, "*2\r\n:2686\r\n$40\r\neede699754b79cec5ae1214609d0dd547a99ed6e\r\n", ""},
            {{"PFDEBUG", "ENCODING", "g"}, "+sparse\r\n", ""},
            {{"EVAL", "for i=1501,2500 do redis.call('PFADD', KEYS[1], 'el:'..i) end return {redis.call('STRLEN', KEYS[1]), redis.sha1hex(redis.call('GET', KEYS[1]))}", "1", "g"}, "*2\r\n:12304\r\n$40\r\n2719352f74d6a8cad923c80f5172218407387e54\r\n", ""},
            {{"PFDEBUG", "ENCODING", "g"}, "+dense\r\n", ""},
            {{"PFCOUNT", "g"}, ":2482\r\n", ""},
            {{"EVAL", "return redis.sha1hex(redis.call('GET', KEYS[1]))", "1", "g"}, "$40\r\ne8daa8da5d6c2c4c466b9d73a1e579fc58df3eb3\r\n", ""},
            {{"EVAL", "local t = {} for i=1,5000 do t[#t+1] = 'x'..i end return redis.call('PFADD', KEYS[1], unpack(t))", "1", "big"}, ":1\r\n", ""},
            {{"EVAL", "return {redis.call('STRLEN', KEYS[1]), redis.call('PFCOUNT', KEYS[1]), redis.sha1hex(redis.call('GET', KEYS[1]))}", "1", "big"}, "*3\r\n:12304\r\n:4970\r\n$40\r\n8e9f8fcd6c168badc38284ae89d581e048e3a6ef\r\n", ""},
            {{"PFADD", "s1", "x", "y", "z"}, ":1\r\n", ""},
            {{"PFADD", "s2", "u", "v", "w", "x"}, ":1\r\n", ""},
            {{"PFMERGE", "m", "s1", "s2"}, "+OK\r\n", ""},
            {{"GET", "m"}, std::string("$35\r\nHYLL\001\000\000\000\000\000\000\000\000\000\000\200M\342\224Bc\204Q;\200X\315\210E \200@~\204\010\r\n", 42), ""},
            {{"PFDEBUG", "DECODE", "m"}, "$79\r\nZ:3555 v:6,1 Z:612 v:2,1 Z:4412 v:1,1 Z:6350 v:3,1 Z:1313 v:1,1 Z:127 v:2,1 z:9\r\n", ""},
            {{"PFCOUNT", "m"}, ":6\r\n", ""},
            {{"PFMERGE", "m", "s1"}, "+OK\r\n", ""},
            {{"PFDEBUG", "DECODE", "m"}, "$79\r\nZ:3555 v:6,1 Z:612 v:2,1 Z:4412 v:1,1 Z:6350 v:3,1 Z:1313 v:1,1 Z:127 v:2,1 z:9\r\n", ""},
            {{"PFMERGE", "m2", "s1", "big"}, "+OK\r\n", ""},
            {{"PFDEBUG", "ENCODING", "m2"}, "+dense\r\n", ""},
            {{"EVAL", "return {redis.call('STRLEN', KEYS[1]), redis.call('PFCOUNT', KEYS[1]), redis.sha1hex(redis.call('GET', KEYS[1]))}", "1", "m2"}, "*3\r\n:12304\r\n:4974\r\n$40\r\n21a54acefe6e5dc9c0b0d15d3391ce76c4f6de3c\r\n", ""},
            {{"PFMERGE", "m3", "s1", "g", "s2"}, "+OK\r\n", ""},
            {{"EVAL", "return {redis.call('STRLEN', KEYS[1]), redis.call('PFCOUNT', KEYS[1]), redis.sha1hex(redis.call('GET', KEYS[1]))}", "1", "m3"}, "*3\r\n:12304\r\n:2488\r\n$40\r\ned4b87cc095063f28683fa8307c0e0f050184de1\r\n", ""},
            {{"PFMERGE", "m4"}, "+OK\r\n", ""},
            {{"GET", "m4"}, std::string("$18\r\nHYLL\001\000\000\000\000\000\000\000\000\000\000\200\177\377\r\n", 25), ""},
            {{"PFMERGE", "s1", "s1"}, "+OK\r\n", ""},
            {{"GET", "s1"}, std::string("$26\r\nHYLL\001\000\000\000\000\000\000\000\000\000\000\200a\204\200X\315\210E\240\204\010\r\n", 33), ""},
            {{"EVAL", "local r = redis.call('PFDEBUG', 'GETREG', KEYS[1]) local n = 0 for i, v in ipairs(r) do n = n + v end return {#r, n}", "1", "h"}, "*2\r\n:16384\r\n:4\r\n", ""},
            {{"PFDEBUG", "ENCODING", "h"}, "+dense\r\n", ""},
            {{"EVAL", "return {redis.call('STRLEN', KEYS[1]), redis.sha1hex(redis.call('GET', KEYS[1]))}", "1", "h"}, "*2\r\n:12304\r\n$40\r\nffb2520c042c66d90175ed3b0c839376ca172d5d\r\n", ""},
            {{"PFDEBUG", "TODENSE", "e"}, ":1\r\n", ""},
            {{"PFDEBUG", "TODENSE", "e"}, ":0\r\n", ""},
            {{"PFDEBUG", "ENCODING", "e"}, "+dense\r\n", ""},
            {{"PFCOUNT", "e"}, ":0\r\n", ""},
            {{"PFDEBUG", "DECODE", "e"}, "-ERR HLL encoding is not sparse\r\n", ""},
            {{"PFDEBUG", "FOO", "h"}, "-ERR Unknown PFDEBUG subcommand 'FOO'\r\n", ""},
            {{"PFDEBUG", "ENCODING", "nokey"}, "-ERR The specified key does not exist\r\n", ""},
            {{"SET", "str", "hello"}, "+OK\r\n", ""},
            {{"PFDEBUG", "ENCODING", "str"}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", ""},
            {{"PFDEBUG", "ENCODING", "h", "extra"}, "-ERR wrong number of arguments for 'pfdebug' command\r\n", ""},
            {{"PFDEBUG", "getreg"}, "-ERR wrong number of arguments for 'pfdebug' command\r\n", ""},
            {{"pfdebug", "Decode", "s2"}, "$54\r\nZ:3555 v:6,1 Z:612 v:2,1 Z:12077 v:1,1 Z:127 v:2,1 z:9\r\n", ""},
            {{"CONFIG", "SET", "hll-sparse-max-bytes", "30"}, "+OK\r\n", ""},
            {{"PFADD", "small", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, ":1\r\n", ""},
            {{"PFDEBUG", "ENCODING", "small"}, "+dense\r\n", ""},
            {{"PFADD", "small2", "a", "b", "c", "d"}, ":1\r\n", ""},
            {{"PFDEBUG", "ENCODING", "small2"}, "+sparse\r\n", ""},
            {{"PFDEBUG", "DECODE", "small2"}, "$57\r\nZ:7292 v:1,1 Z:1143 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\r\n", ""},
            {{"CONFIG", "SET", "hll-sparse-max-bytes", "3000"}, "+OK\r\n", ""},
            {{"CONFIG", "GET", "hll-sparse-max-bytes"}, "*2\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n3000\r\n", "%1\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n3000\r\n"},
            {{"CONFIG", "SET", "hll-sparse-max-bytes", "1kb"}, "+OK\r\n", ""},
            {{"CONFIG", "GET", "hll-sparse-max-bytes"}, "*2\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n1024\r\n", "%1\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n1024\r\n"},
            {{"CONFIG", "SET", "hll-sparse-max-bytes", "3000"}, "+OK\r\n", ""},
            {{"SET", "sp", std::string("HYLL\001\000\000\000\000\000\000\000\000\000\000\200a\204\200X\315\210E\240\204\010", 26)}, "+OK\r\n", ""},
            {{"PFADD", "sp", "w"}, ":1\r\n", ""},
            {{"GET", "sp"}, std::string("$29\r\nHYLL\001\000\000\000\000\000\000\000\000\000\000\200PG\204Q;\200X\315\210E\240\204\010\r\n", 36), ""},
            {{"PFADD", "sp", "y"}, ":0\r\n", ""},
            {{"OBJECT", "ENCODING", "sp"}, "$3\r\nraw\r\n", ""},
    };
    return rows;
}

}  // namespace

TEST_SUITE("resp_hyperloglog") {
    TEST_CASE("sparse and dense values, the cached count, PFMERGE and PFDEBUG byte for byte as Redis") {
        test::replay(hll_recorded(), &enable);
    }

    TEST_CASE("the sparse encoding keeps every register a dense twin keeps, until it turns dense") {
        namespace hll = cachet::detail::hll;
        std::mt19937_64 rng(7);
        for (const std::size_t max_bytes : {std::size_t{40}, std::size_t{3000}, std::size_t{1} << 20}) {
            std::string sparse = hll::make_sparse();
            std::string dense = hll::make_dense();
            CHECK(sparse.size() == 18);
            bool went_dense = false;
            for (int i = 0; i < 20000; ++i) {
                // Registers clustered in a few hundred places, values up to 40 (some past 32).
                const std::size_t index = (rng() % 300) * 53 % hll::registers;
                const auto count = static_cast<unsigned>(1 + rng() % (i % 97 == 0 ? 40 : 8));
                const int want = hll::set(dense, index, count, max_bytes);
                const int got = hll::set(sparse, index, count, max_bytes);
                REQUIRE(got == want);  // 1 exactly when the register rose
                if (static_cast<unsigned char>(sparse[4]) == hll::enc_dense) {
                    went_dense = true;
                    CHECK(sparse.substr(16) == dense.substr(16));
                    break;
                }
                REQUIRE(sparse.size() <= std::max<std::size_t>(max_bytes, 18));
                if (i % 500 == 0) {
                    hll::Registers a{}, b{};
                    REQUIRE(hll::decode(sparse, a));
                    REQUIRE(hll::decode(dense, b));
                    CHECK(a == b);
                }
            }
            CHECK(went_dense);  // by size (40, 3000) or by a register above 32 (1 MB)
        }
    }

    TEST_CASE("a register above 32 turns a sparse value dense; a corrupt one is refused") {
        namespace hll = cachet::detail::hll;
        std::string s = hll::make_sparse();
        CHECK(hll::set(s, 5, 32, 3000) == 1);
        CHECK(static_cast<unsigned char>(s[4]) == hll::enc_sparse);
        CHECK(hll::describe_sparse(s) == "z:5 v:32,1 Z:16378");
        CHECK(hll::set(s, 5, 32, 3000) == 0);
        CHECK(hll::set(s, 6, 33, 3000) == 1);
        CHECK(static_cast<unsigned char>(s[4]) == hll::enc_dense);
        CHECK(hll::dense_get(s, 5) == 32);
        CHECK(hll::dense_get(s, 6) == 33);
        std::string bad = hll::make_sparse();
        bad.pop_back();  // an XZERO cut short
        CHECK(hll::set(bad, 100, 1, 3000) == -1);
        std::string shortrun = hll::make_sparse().substr(0, 16) + std::string(1, '\x3f');  // 64 registers
        CHECK(hll::set(shortrun, 1000, 1, 3000) == -1);
        CHECK_FALSE(hll::to_dense(shortrun));
    }

    TEST_CASE("PFSELFTEST: Redis's own check of the registers and of sparse against dense passes") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"PFSELFTEST"}) == "+OK\r\n");
        CHECK(call(*s, {"PFSELFTEST", "x"}) == "-ERR wrong number of arguments for 'pfselftest' command\r\n");
    }

    TEST_CASE("a one-key PFCOUNT that stores its count touches WATCH; one that reads it does not") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        CHECK(call(*a, {"PFADD", "h", "x", "y"}) == ":1\r\n");
        CHECK(call(*b, {"WATCH", "h"}) == "+OK\r\n");
        CHECK(call(*a, {"PFCOUNT", "h"}) == ":2\r\n");  // computed and stored in the header
        CHECK(call(*b, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*b, {"PING"}) == "+QUEUED\r\n");
        CHECK(call(*b, {"EXEC"}) == "*-1\r\n");
        CHECK(call(*b, {"WATCH", "h"}) == "+OK\r\n");
        CHECK(call(*a, {"PFCOUNT", "h"}) == ":2\r\n");  // the stored count: no change
        CHECK(call(*a, {"PFDEBUG", "TODENSE", "h"}) == ":1\r\n");  // Redis: no touch either
        CHECK(call(*b, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*b, {"PING"}) == "+QUEUED\r\n");
        CHECK(call(*b, {"EXEC"}) == "*1\r\n+PONG\r\n");
    }

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
        CHECK(call(*s, {"STRLEN", "m"}) == ":12304\r\n");  // dense: t and u are
        CHECK(call(*s, {"PFMERGE", "empty"}) == "+OK\r\n");
        CHECK(call(*s, {"PFCOUNT", "empty"}) == ":0\r\n");
    }

    TEST_CASE("a sparse HyperLogLog written by Redis is read and updated in place") {
        test::Server srv;
        auto s = srv.connect();
        // GET of PFADD sp x y z on redis-server 7.0.15 (sparse, cached count not valid).
        const std::string sparse = unhex("48594c4c01000000000000000000008061848058cd8845a08408");
        CHECK(call(*s, {"SET", "sp", sparse}) == "+OK\r\n");
        CHECK(call(*s, {"PFCOUNT", "sp"}) == ":3\r\n");
        CHECK(call(*s, {"PFADD", "sp", "y"}) == ":0\r\n");
        std::string counted = sparse;  // PFCOUNT stored its count in the header (as Redis)
        counted[8] = '\x03';
        counted[15] = '\0';
        CHECK(call(*s, {"GET", "sp"}) == "$26\r\n" + counted + "\r\n");  // PFADD changed nothing
        CHECK(call(*s, {"PFADD", "sp", "w"}) == ":1\r\n");
        CHECK(call(*s, {"PFCOUNT", "sp"}) == ":4\r\n");
        CHECK(call(*s, {"STRLEN", "sp"}) == ":29\r\n");  // still sparse, as Redis's
        add_items(*s, "sp", 0, 3000);
        CHECK(call(*s, {"PFDEBUG", "ENCODING", "sp"}) == "+dense\r\n");
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

}  // namespace resp_hyperloglog_test
