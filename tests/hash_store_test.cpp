// HashStore: Redis hashes on the keyspace core. Each family of operations with Redis's edge
// cases (checked against redis-server 7.0.15 where Redis has an opinion), the TTL rules, the
// keyspace event names, and increments on text values formatted exactly as Redis does.
#include "support/test_store.hpp"

#include <cachet/hash_store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hash_store_test {

using namespace std::chrono_literals;

namespace {

using Hashes = cachet::HashStore<std::string, std::string, std::string, test::StringHash,
                                 std::equal_to<>, cachet::ManualClock, std::mutex>;
using Counters = cachet::HashStore<std::string, std::string, long long, test::StringHash,
                                   std::equal_to<>, cachet::ManualClock, std::mutex>;
using Floats = cachet::HashStore<std::string, std::string, double, test::StringHash,
                                 std::equal_to<>, cachet::ManualClock, std::mutex>;
using IntFields = cachet::HashStore<int, int, int, std::hash<int>, std::equal_to<int>,
                                    cachet::ManualClock, std::mutex>;
using Entry = std::pair<std::string, std::string>;

std::vector<Entry> sorted(std::vector<Entry> v) {
    std::sort(v.begin(), v.end());
    return v;
}
std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

/// Records the write listener's events as "name key".
struct Events {
    std::mutex mu;
    std::vector<std::string> names;
    auto listener() {
        return [this](const std::string& key, cachet::WriteEvent, std::string_view name) {
            std::lock_guard lock(mu);
            names.push_back(std::string(name) + " " + key);
        };
    }
    std::vector<std::string> take() {
        std::lock_guard lock(mu);
        return std::exchange(names, {});
    }
};

}  // namespace

TEST_SUITE("hash_store") {
    TEST_CASE("HSET / HGET / HLEN / HEXISTS / HKEYS / HVALS / HGETALL") {
        cachet::ManualClock clock;
        Hashes h({}, clock);
        CHECK(h.get("user", "name") == std::nullopt);
        CHECK(h.length("user") == 0);
        CHECK(h.get_all("user").empty());
        CHECK(h.fields("user").empty());
        CHECK(h.values("user").empty());
        CHECK_FALSE(h.contains("user", "name"));

        CHECK(h.set("user", "name", "alice"));
        CHECK_FALSE(h.set("user", "name", "bob"));  // overwrite: not new
        CHECK(h.get("user", "name") == "bob");
        // HSET h a 1 a 2 b 3 -> 2 (Redis 7.0.15): a field named twice counts once, last wins.
        CHECK(h.set("user", {{"a", "1"}, {"a", "2"}, {"b", "3"}}) == 2);
        CHECK(h.get("user", "a") == "2");
        CHECK(h.length("user") == 3);
        CHECK(h.contains("user", "b"));
        CHECK_FALSE(h.contains("user", "zz"));
        CHECK(h.contains("user"));  // the key itself (KeyedStore)
        CHECK(sorted(h.fields("user")) == std::vector<std::string>{"a", "b", "name"});
        CHECK(sorted(h.values("user")) == std::vector<std::string>{"2", "3", "bob"});
        CHECK(sorted(h.get_all("user")) ==
              std::vector<Entry>{{"a", "2"}, {"b", "3"}, {"name", "bob"}});
        // HKEYS and HVALS walk the same order.
        const auto fields = h.fields("user");
        const auto values = h.values("user");
        for (std::size_t i = 0; i < fields.size(); ++i)
            CHECK(h.get("user", fields[i]) == values[i]);

        // A range of pairs: copied from an lvalue, moved from an rvalue.
        std::vector<Entry> more{{"c", "4"}, {"d", "5"}};
        CHECK(h.set("user", more) == 2);
        CHECK(more[0].first == "c");
        CHECK(h.set("user", std::move(more)) == 0);
        CHECK(h.set("user", std::vector<Entry>{}) == 0);  // nothing to set
        CHECK(h.set("empty", std::vector<Entry>{}) == 0);
        CHECK_FALSE(h.contains("empty"));  // no key created for nothing
        CHECK(h.check_invariants());
    }

    TEST_CASE("HMGET: one optional per field, all empty for a missing key") {
        Hashes h({}, cachet::ManualClock{});
        h.set("k", {{"a", "1"}, {"b", "2"}});
        const auto got = h.get_many("k", {"a", "zz", "b", "a"});
        REQUIRE(got.size() == 4);
        CHECK(got[0] == "1");
        CHECK(got[1] == std::nullopt);
        CHECK(got[2] == "2");
        CHECK(got[3] == "1");
        const std::vector<std::string> names{"a", "b"};
        CHECK(h.get_many("missing", names) ==
              std::vector<std::optional<std::string>>{std::nullopt, std::nullopt});
        CHECK(h.get_many("k", std::vector<std::string>{}).empty());
    }

    TEST_CASE("HDEL counts what it removed; the last field deletes the key") {
        Hashes h({}, cachet::ManualClock{});
        h.set("k", {{"a", "1"}, {"b", "2"}, {"c", "3"}});
        CHECK(h.remove("k", {"a", "a", "zz"}) == 1);  // HDEL h a a zz -> 1
        CHECK_FALSE(h.remove("k", "a"));
        CHECK(h.remove("k", "b"));
        CHECK(h.contains("k"));
        CHECK(h.remove("k", std::vector<std::string>{"c"}) == 1);
        CHECK_FALSE(h.contains("k"));  // emptied: deleted, as Redis
        CHECK(h.size() == 0);
        CHECK(h.remove("k", {"a"}) == 0);  // a missing key: nothing to remove
        CHECK_FALSE(h.remove("k", "a"));
        CHECK(h.check_invariants());
    }

    TEST_CASE("HSETNX sets only an absent field") {
        Hashes h({}, cachet::ManualClock{});
        CHECK(h.set_if_absent("k", "a", "1"));
        CHECK_FALSE(h.set_if_absent("k", "a", "2"));
        CHECK(h.get("k", "a") == "1");
        CHECK(h.set_if_absent("k", "b", "2"));
        CHECK(h.length("k") == 2);
    }

    TEST_CASE("TTL: writes to an existing hash keep it; an emptied hash loses it with its key") {
        cachet::ManualClock clock;
        Hashes h({}, clock);
        h.set("k", "a", "1");
        CHECK(h.ttl("k").state == cachet::KeyTtl::State::persistent);
        CHECK(h.expire("k", 100s));
        CHECK(h.set("k", "b", "2"));  // HSET to an existing key keeps the TTL
        CHECK(h.set("k", {{"c", "3"}}) == 1);
        CHECK(h.set_if_absent("k", "d", "4"));
        CHECK(h.increment("k", "n", 1).value() == 1);
        CHECK(h.increment_float("k", "x", 1.5L).value() == "1.5");
        CHECK(h.remove("k", "a"));
        CHECK(h.ttl("k") == cachet::KeyTtl{cachet::KeyTtl::State::expiring, 100s});
        clock.advance(60s);
        CHECK(h.ttl("k").remaining == 40s);
        CHECK(h.remove("k", {"b", "c", "d", "n", "x"}) == 5);
        CHECK_FALSE(h.contains("k"));
        h.set("k", "a", "1");  // a new key: no TTL
        CHECK(h.ttl("k").state == cachet::KeyTtl::State::persistent);
        h.expire("k", 10s);
        clock.advance(10s);
        CHECK(h.get("k", "a") == std::nullopt);  // expired with all its fields
        CHECK(h.length("k") == 0);
        CHECK(h.stats().expirations == 1);
    }

    TEST_CASE("a store's default TTL applies to new hashes only") {
        cachet::ManualClock clock;
        Hashes h({.default_ttl = 30s}, clock);
        h.set("k", "a", "1");
        CHECK(h.ttl("k").remaining == 30s);
        clock.advance(10s);
        h.set("k", "b", "2");
        CHECK(h.ttl("k").remaining == 20s);  // not reset by a write
    }

    TEST_CASE("HSTRLEN: text length, integer digits, 0 when absent") {
        Hashes h({}, cachet::ManualClock{});
        h.set("k", "s", "hello");
        h.set("k", "e", "");
        CHECK(h.value_length("k", "s") == 5);
        CHECK(h.value_length("k", "e") == 0);
        CHECK(h.value_length("k", "nope") == 0);
        CHECK(h.value_length("nokey", "s") == 0);
        IntFields ints({}, cachet::ManualClock{});
        ints.set(1, 2, 12345);
        ints.set(1, 3, -7);
        CHECK(ints.value_length(1, 2) == 5);  // Redis: HSET h i 12345; HSTRLEN h i -> 5
        CHECK(ints.value_length(1, 3) == 2);
    }

    TEST_CASE("HINCRBY on integer values: overflow is reported, not wrapped, and changes nothing") {
        cachet::ManualClock clock;
        Counters c({}, clock);
        CHECK(c.increment("k", "n", 5).value() == 5);  // absent field counts as 0
        CHECK(c.increment("k", "n", -7).value() == -2);
        c.set("k", "max", LLONG_MAX - 1);
        CHECK(c.increment("k", "max", 1).value() == LLONG_MAX);
        auto r = c.increment("k", "max", 1);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == cachet::Errc::overflow);
        CHECK(c.get("k", "max") == LLONG_MAX);
        c.set("k", "min", LLONG_MIN + 1);
        CHECK(c.increment("k", "min", -1).value() == LLONG_MIN);
        CHECK(c.increment("k", "min", -1).error() == cachet::Errc::overflow);
        CHECK(c.increment("k", "min", LLONG_MAX).value() == -1);
        // A fresh field takes any delta; a failed increment on a new key creates nothing.
        CHECK(c.increment("other", "f", LLONG_MIN).value() == LLONG_MIN);
        c.erase("other");
        CHECK(c.increment("k", "max", LLONG_MAX).error() == cachet::Errc::overflow);
        CHECK(c.size() == 1);
    }

    TEST_CASE("HINCRBYFLOAT on floating values: an infinite or NaN result is rejected") {
        Floats f({}, cachet::ManualClock{});
        CHECK(f.increment("k", "x", 1.5).value() == 1.5);
        CHECK(f.increment("k", "x", 1e308).value() == 1.5 + 1e308);
        CHECK(f.increment("k", "x", 1e308).error() == cachet::Errc::overflow);
        CHECK(f.increment("k", "x", std::numeric_limits<double>::quiet_NaN()).error() ==
              cachet::Errc::overflow);
        CHECK(f.increment("new", "x", std::numeric_limits<double>::infinity()).error() ==
              cachet::Errc::overflow);
        CHECK_FALSE(f.contains("new"));
        CHECK(f.get("k", "x") == 1.5 + 1e308);
    }

    TEST_CASE("HINCRBY on text values parses and formats as Redis (string2ll)") {
        Hashes h({}, cachet::ManualClock{});
        CHECK(h.increment("k", "n", 10).value() == 10);
        CHECK(h.get("k", "n") == "10");
        CHECK(h.increment("k", "n", -25).value() == -15);
        CHECK(h.get("k", "n") == "-15");
        // Redis 7.0.15: each of these is "ERR hash value is not an integer".
        for (const char* bad : {" 1", "1 ", "+1", "01", "-0", "1.0", "", "abc",
                                "9223372036854775808"}) {
            CAPTURE(bad);
            h.set("k", "bad", bad);
            CHECK(h.increment("k", "bad", 1).error() == cachet::Errc::invalid_argument);
            CHECK(h.get("k", "bad") == bad);  // unchanged
        }
        h.set("k", "big", "9223372036854775807");
        CHECK(h.increment("k", "big", 1).error() == cachet::Errc::overflow);
        CHECK(h.get("k", "big") == "9223372036854775807");
        CHECK(h.increment("k", "big", LLONG_MIN).value() == -1);
        CHECK(h.get("k", "big") == "-1");
        h.set("k", "low", "-9223372036854775808");
        CHECK(h.increment("k", "low", -1).error() == cachet::Errc::overflow);
        CHECK(h.increment("k", "low", 0).value() == LLONG_MIN);
    }

    TEST_CASE("HINCRBYFLOAT on text values: Redis 7.0.15's parsing and human format") {
        Hashes h({}, cachet::ManualClock{});
        struct Case {
            const char* stored;
            long double by;
            const char* reply;
        };
        // Each row checked with HSET h f <stored>; HINCRBYFLOAT h f <by> on redis-server 7.0.15.
        const Case cases[] = {
            {"10.5", 0.1L, "10.6"},
            {"3.0e3", 0.1L, "3000.10000000000000009"},
            {"1.1e-5", 0.1L, "0.100011"},
            {"5.0e3", 0.1L, "5000.10000000000000009"},
            {"0", 0.1L, "0.1"},
            {"-0", 0.1L, "0.1"},
            {"+1", 0.1L, "1.1"},
            {"0x10", 0.1L, "16.1"},
            {".5", 0.1L, "0.6"},
            {"5.", 0.1L, "5.1"},
            {"1.5e+10", 0.1L, "15000000000.09999999962747097"},
            {"99999999999999999", 0.1L, "99999999999999999.1015625"},
            {"123456789012345678901234567890", 0.1L, "123456789012345678899921813504"},
            {"1e-4950", 0.1L, "0.1"},
            {"0.1", -0.1L, "0"},
            {"-0.1", 0.1L, "0"},
            {"1.1e-5", -10.5L, "-10.499989"},
            {"1e300", 0.1L,
             "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755"
             "8491520837504971903503725086142748359035925561846729839130962605207486462873271356"
             "4184365329408425510760601678972665293237003055138294762099454029477278188962060617"
             "9267611627097410650567187386105690089424915104006144"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.stored);
            h.set("k", "f", c.stored);
            const auto r = h.increment_float("k", "f", c.by);
            REQUIRE(r.has_value());
            CHECK(r.value() == c.reply);
            CHECK(h.get("k", "f") == c.reply);  // the reply is what is stored
        }
        // "ERR hash value is not a float": the value stays as it was.
        for (const char* bad : {"abc", " 1", "1 ", "", "nan", "1e5000", "1e-5000", "1,5", "1e"}) {
            CAPTURE(bad);
            h.set("k", "f", bad);
            CHECK(h.increment_float("k", "f", 0.1L).error() == cachet::Errc::invalid_argument);
            CHECK(h.get("k", "f") == bad);
        }
        // "ERR increment would produce NaN or Infinity" (a stored "inf" parses, then the sum
        // is infinite; so is 1e4932 + 1e4932).
        h.set("k", "f", "inf");
        CHECK(h.increment_float("k", "f", 0.1L).error() == cachet::Errc::overflow);
        h.set("k", "f", "1e4932");
        CHECK(h.increment_float("k", "f", 1e4932L).error() == cachet::Errc::overflow);
        CHECK(h.get("k", "f") == "1e4932");
        // "ERR value is NaN or Infinity": an infinite increment, before the key is looked at.
        CHECK(h.increment_float("k2", "f", HUGE_VALL).error() == cachet::Errc::invalid_argument);
        CHECK_FALSE(h.contains("k2"));
        // A missing field counts as 0; a zero sum is stored as "0" and kept.
        CHECK(h.increment_float("k3", "g", 2.5L).value() == "2.5");
        CHECK(h.increment_float("k3", "g", -2.5L).value() == "0");
        CHECK(h.length("k3") == 1);
    }

    TEST_CASE("HRANDFIELD: counts 0, negative, larger than the hash, and distinctness") {
        Hashes h({}, cachet::ManualClock{});
        CHECK(h.random_field("k") == std::nullopt);
        CHECK(h.random_fields("k", 3).empty());
        CHECK(h.random_entries("k", -3).empty());
        h.set("k", {{"a", "1"}, {"b", "2"}, {"c", "3"}});
        CHECK(h.random_fields("k", 0).empty());
        CHECK(sorted(h.random_fields("k", 5)) == std::vector<std::string>{"a", "b", "c"});
        CHECK(sorted(h.random_fields("k", 3)) == std::vector<std::string>{"a", "b", "c"});
        const auto repeats = h.random_fields("k", -5);  // may repeat: exactly 5
        CHECK(repeats.size() == 5);
        for (const auto& f : repeats) CHECK(h.contains("k", f));
        const auto with = h.random_entries("k", -2);
        CHECK(with.size() == 2);
        for (const auto& [f, v] : with) CHECK(h.get("k", f) == v);
        CHECK(sorted(h.random_entries("k", 10)) ==
              std::vector<Entry>{{"a", "1"}, {"b", "2"}, {"c", "3"}});
        std::set<std::string> seen;
        for (int i = 0; i < 200; ++i) seen.insert(*h.random_field("k"));
        CHECK(seen.size() == 3);

        // Both of Redis's strategies for a positive count below the size: a count over a third
        // of the hash selects from all fields, a smaller one samples until distinct.
        for (int i = 0; i < 100; ++i) h.set("big", "f" + std::to_string(i), std::to_string(i));
        for (long long count : {1LL, 10LL, 33LL, 34LL, 50LL, 99LL, 100LL}) {
            CAPTURE(count);
            const auto got = h.random_entries("big", count);
            CHECK(got.size() == static_cast<std::size_t>(count));
            std::set<std::string> distinct;
            for (const auto& [f, v] : got) {
                distinct.insert(f);
                CHECK(f == "f" + v);
            }
            CHECK(distinct.size() == got.size());
        }
    }

    TEST_CASE("HSCAN covers every field, with MATCH and COUNT, across resizes") {
        Hashes h({}, cachet::ManualClock{});
        auto page = h.scan("none", 0);
        CHECK(page.cursor == 0);
        CHECK(page.entries.empty());
        for (int i = 0; i < 300; ++i) h.set("k", "f" + std::to_string(i), "v" + std::to_string(i));
        std::map<std::string, std::string> seen;
        std::uint64_t cursor = 0;
        int steps = 0;
        do {
            auto p = h.scan("k", cursor, {.count = 7});
            for (auto& [f, v] : p.entries) seen[f] = v;
            cursor = p.cursor;
            ++steps;
        } while (cursor != 0);
        CHECK(seen.size() == 300);
        CHECK(seen["f17"] == "v17");
        CHECK(steps > 1);

        // MATCH keeps the fields that match; COUNT is how many are looked at, not returned.
        std::set<std::string> matched;
        cursor = 0;
        do {
            auto p = h.scan("k", cursor, {.match = "f1*", .count = 1000});
            for (auto& [f, v] : p.entries) matched.insert(f);
            cursor = p.cursor;
        } while (cursor != 0);
        CHECK(matched.size() == 111);  // f1, f10..f19, f100..f199 (Redis: 111 too)

        // Fields present for the whole scan are returned although the hash grows and shrinks.
        std::set<std::string> kept;
        cursor = 0;
        steps = 0;
        do {
            auto p = h.scan("k", cursor, {.count = 5});
            for (auto& [f, v] : p.entries) kept.insert(f);
            cursor = p.cursor;
            if (++steps == 5)
                for (int i = 300; i < 2000; ++i) h.set("k", "f" + std::to_string(i), "x");
            if (steps == 40)
                for (int i = 50; i < 2000; ++i) h.remove("k", "f" + std::to_string(i));
        } while (cursor != 0);
        for (int i = 0; i < 50; ++i) CHECK(kept.count("f" + std::to_string(i)) == 1);

        // "*" matches the empty field (Redis skips matching for "*"); "" matches only it.
        h.set("e", "", "x");
        h.set("e", "a", "y");
        CHECK(h.scan("e", 0, {.match = "*", .count = 100}).entries.size() == 2);
        const auto only_empty = h.scan("e", 0, {.match = "", .count = 100}).entries;
        REQUIRE(only_empty.size() == 1);
        CHECK(only_empty[0].first.empty());

        // Integer fields are matched by their decimal text.
        IntFields ints({}, cachet::ManualClock{});
        for (int i = 0; i < 30; ++i) ints.set(1, i, i);
        std::set<int> ones;
        cursor = 0;
        do {
            auto p = ints.scan(1, cursor, {.match = "1?"});
            for (auto& e : p.entries) ones.insert(e.first);
            cursor = p.cursor;
        } while (cursor != 0);
        CHECK(ones == std::set<int>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19});

        // Fields with no text form cannot be matched (but "*" needs no matching).
        cachet::HashStore<int, double, int, std::hash<int>, std::equal_to<int>, cachet::ManualClock,
                          std::mutex>
            doubles({}, cachet::ManualClock{});
        doubles.set(1, 0.5, 1);
        CHECK_THROWS_AS((void)doubles.scan(1, 0, {.match = "0*"}), std::invalid_argument);
        CHECK(doubles.scan(1, 0, {.match = "*"}).entries.size() == 1);
    }

    TEST_CASE("keyspace events carry Redis's names; no-ops send none") {
        Events ev;
        cachet::ManualClock clock;
        Hashes h({.write_listener = ev.listener()}, clock);
        h.set("k", "a", "1");  // a new key: `new`, then a `set` event named "hset", as Redis
        h.set("k", "b", "2");
        h.set_if_absent("k", "b", "3");  // no change
        h.set_if_absent("k", "c", "3");
        h.remove("k", "zz");  // no change
        h.remove("k", "c");
        (void)h.increment("k", "n", 1);
        (void)h.increment_float("k", "x", 0.5L);
        h.set("k", "bad", "abc");
        (void)h.increment("k", "bad", 1);  // error: no change
        (void)h.increment_float("k", "bad", 1.0L);
        (void)h.get("k", "a");
        (void)h.random_fields("k", 2);
        CHECK(ev.take() == std::vector<std::string>{"new k", "hset k", "hset k", "hset k", "hdel k",
                                                    "hincrby k", "hincrbyfloat k", "hset k"});
        Counters c({.write_listener = ev.listener()}, clock);
        (void)c.increment("n", "x", 1);
        (void)c.increment("n", "x", 1);
        CHECK(c.increment("n", "x", LLONG_MAX).error() == cachet::Errc::overflow);
        CHECK(ev.take() == std::vector<std::string>{"new n", "hincrby n", "hincrby n"});
    }

    TEST_CASE("the removal listener sees the hash whose last field was removed") {
        test::Recorder<std::string, cachet::HashMap<std::string, std::string>> rec;
        Hashes h({.removal_listener = rec.listener()}, cachet::ManualClock{});
        h.set("k", "a", "1");
        h.remove("k", "a");
        const auto events = rec.take();
        REQUIRE(events.size() == 1);
        CHECK(events[0].key == "k");
        CHECK(events[0].cause == cachet::RemovalCause::erased);
    }

    TEST_CASE("visit reads the hash in place under the lock") {
        Hashes h({}, cachet::ManualClock{});
        CHECK_FALSE(h.visit("k", [](const auto&) { FAIL("absent key visited"); }));
        h.set("k", {{"a", "1"}, {"b", "2"}});
        std::size_t n = 0;
        CHECK(h.visit("k",
                      [&](const cachet::HashMap<std::string, std::string>& m) { n = m.size(); }));
        CHECK(n == 2);
    }

    TEST_CASE("a bounded store evicts whole hashes; stats count reads") {
        Hashes h({.shards = 1, .max_entries = 2}, cachet::ManualClock{});
        h.set("a", "f", "1");
        h.set("b", "f", "1");
        CHECK(h.get("a", "f") == "1");  // a is now the most recent
        h.set("c", "f", "1");
        CHECK_FALSE(h.contains("b"));
        CHECK(h.contains("a"));
        CHECK(h.stats().evictions == 1);
        CHECK(h.stats().hits == 1);
        (void)h.get("zz", "f");
        CHECK(h.stats().misses == 1);
    }

    TEST_CASE("concurrent HINCRBY on shared fields loses no update") {
        Counters c({}, cachet::ManualClock{});
        constexpr int threads = 4, per_thread = 5000;
        std::vector<std::thread> ts;
        for (int t = 0; t < threads; ++t)
            ts.emplace_back([&, t] {
                for (int i = 0; i < per_thread; ++i) {
                    (void)c.increment("k" + std::to_string(i % 3), "f" + std::to_string(i % 5), 1);
                    if (i % 100 == t) (void)c.get_all("k0");
                }
            });
        for (auto& th : ts) th.join();
        long long total = 0;
        for (const char* k : {"k0", "k1", "k2"})
            for (const auto& v : c.values(k)) total += v;
        CHECK(total == threads * per_thread);
        CHECK(c.check_invariants());
    }
}

}  // namespace hash_store_test
