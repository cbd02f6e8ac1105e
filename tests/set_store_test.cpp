// SetStore: Redis sets on the keyspace core. Each family of operations with Redis's edge cases
// (checked against redis-server 7.0.15 where Redis has an opinion), the TTL rules of writes
// and *STORE destinations, keyspace event names, and a concurrency test of SMOVE / SADD / SREM
// that checks no member is ever lost or duplicated.
#include "support/test_store.hpp"

#include <cachet/set_store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace set_store_test {

using namespace std::chrono_literals;

namespace {

using Sets = cachet::SetStore<std::string, std::string, test::StringHash, std::equal_to<>,
                              cachet::ManualClock, std::mutex>;
using IntSets = cachet::SetStore<int, int, std::hash<int>, std::equal_to<int>, cachet::ManualClock,
                                 std::mutex>;
using Strings = std::vector<std::string>;

Strings sorted(Strings v) {
    std::sort(v.begin(), v.end());
    return v;
}

struct Events {
    std::mutex mu;
    Strings names;
    auto listener() {
        return [this](const std::string& key, cachet::WriteEvent, std::string_view name) {
            std::lock_guard lock(mu);
            names.push_back(std::string(name) + " " + key);
        };
    }
    Strings take() {
        std::lock_guard lock(mu);
        return std::exchange(names, {});
    }
};

}  // namespace

TEST_SUITE("set_store") {
    TEST_CASE("SADD / SREM / SISMEMBER / SMISMEMBER / SMEMBERS / SCARD") {
        Sets s({}, cachet::ManualClock{});
        CHECK(s.members("s").empty());
        CHECK(s.cardinality("s") == 0);
        CHECK_FALSE(s.contains("s", "a"));
        CHECK(s.contains_many("nokey", {"a"}) == std::vector<bool>{false});  // Redis: [0]

        CHECK(s.add("s", {"a", "b", "c"}) == 3);  // SADD s a b c -> 3
        CHECK(s.add("s", {"a", "d"}) == 1);       // SADD s a d -> 1
        CHECK(s.add("s", {"e", "e"}) == 1);
        CHECK_FALSE(s.add("s", "a"));
        CHECK(s.add("s", std::string("f")));
        CHECK(s.cardinality("s") == 6);
        CHECK(sorted(s.members("s")) == Strings{"a", "b", "c", "d", "e", "f"});
        CHECK(s.contains("s", "b"));
        CHECK(s.contains("s"));  // the key (KeyedStore)
        CHECK(s.contains_many("s", {"b", "zz", "a"}) == std::vector<bool>{true, false, true});

        Strings more{"g", "h"};
        CHECK(s.add("s", more) == 2);  // copied
        CHECK(more[0] == "g");
        CHECK(s.add("s", Strings{"i"}) == 1);  // moved
        const char* raw[] = {"j", "a"};
        CHECK(s.add("s", raw) == 1);  // converted
        CHECK(s.add("s", Strings{}) == 0);
        CHECK(s.add("t", Strings{}) == 0);
        CHECK_FALSE(s.contains("t"));

        CHECK(s.remove("s", {"a", "zz"}) == 1);  // SREM s a zz -> 1
        CHECK_FALSE(s.remove("s", "a"));
        CHECK(s.remove("s", "b"));
        CHECK(s.remove("s", Strings{"c", "d", "e", "f", "g", "h", "i", "j"}) == 8);
        CHECK_FALSE(s.contains("s"));  // emptied: deleted
        CHECK(s.remove("s", {"a"}) == 0);
        CHECK(s.check_invariants());
    }

    TEST_CASE("TTL: SADD to an existing set keeps it; an emptied set loses it with its key") {
        cachet::ManualClock clock;
        Sets s({}, clock);
        s.add("s", "a");
        CHECK(s.expire("s", 100s));
        CHECK(s.add("s", "b"));
        CHECK(s.add("s", {"c", "d"}) == 2);
        CHECK(s.remove("s", "d"));
        CHECK(s.pop("s").has_value());
        CHECK(s.ttl("s").remaining == 100s);
        s.remove("s", {"a", "b", "c"});
        CHECK_FALSE(s.contains("s"));
        s.add("s", "a");
        CHECK(s.ttl("s").state == cachet::KeyTtl::State::persistent);
        s.expire("s", 1s);
        clock.advance(1s);
        CHECK_FALSE(s.contains("s", "a"));
        CHECK(s.cardinality("s") == 0);
    }

    TEST_CASE("SPOP: one, a count, everything (deleting the key), none") {
        Sets s({}, cachet::ManualClock{});
        CHECK(s.pop("nokey") == std::nullopt);
        CHECK(s.pop("nokey", 2).empty());
        s.add("s", {"a", "b", "c", "d"});
        CHECK(s.pop("s", 0).empty());  // SPOP s 0 -> empty
        const auto one = s.pop("s");
        REQUIRE(one);
        CHECK_FALSE(s.contains("s", *one));
        const auto two = s.pop("s", 2);
        CHECK(two.size() == 2);
        CHECK(std::set<std::string>(two.begin(), two.end()).size() == 2);
        for (const auto& m : two) CHECK_FALSE(s.contains("s", m));
        CHECK(s.cardinality("s") == 1);
        const auto rest = s.pop("s", 10);  // more than there is: all, and the key goes
        CHECK(rest.size() == 1);
        CHECK_FALSE(s.contains("s"));
        std::set<std::string> all{*one, two[0], two[1], rest[0]};
        CHECK(all == std::set<std::string>{"a", "b", "c", "d"});
        s.add("s", "x");
        CHECK(s.pop("s") == "x");
        CHECK_FALSE(s.contains("s"));
    }

    TEST_CASE("SRANDMEMBER: counts 0, negative, larger than the set, and distinctness") {
        Sets s({}, cachet::ManualClock{});
        CHECK(s.random_member("nokey") == std::nullopt);
        CHECK(s.random_members("nokey", 3).empty());
        CHECK(s.random_members("nokey", -3).empty());
        s.add("s", {"a", "b", "c"});
        CHECK(s.random_members("s", 0).empty());
        CHECK(sorted(s.random_members("s", 10)) == Strings{"a", "b", "c"});
        CHECK(sorted(s.random_members("s", 3)) == Strings{"a", "b", "c"});
        const auto rep = s.random_members("s", -5);  // SRANDMEMBER s -5: exactly 5, may repeat
        CHECK(rep.size() == 5);
        for (const auto& m : rep) CHECK(s.contains("s", m));
        CHECK(s.cardinality("s") == 3);  // nothing removed
        std::set<std::string> seen;
        for (int i = 0; i < 200; ++i) seen.insert(*s.random_member("s"));
        CHECK(seen.size() == 3);
        for (int i = 0; i < 100; ++i) s.add("big", std::to_string(i));
        for (long long count : {1LL, 10LL, 33LL, 34LL, 60LL, 99LL, 100LL, 150LL}) {
            CAPTURE(count);
            const auto got = s.random_members("big", count);
            CHECK(got.size() == static_cast<std::size_t>(std::min(count, 100LL)));
            CHECK(std::set<std::string>(got.begin(), got.end()).size() == got.size());
        }
    }

    TEST_CASE("SMOVE: moves atomically; same key, missing source, missing member") {
        cachet::ManualClock clock;
        Sets s({}, clock);
        CHECK_FALSE(s.move("nokey", "d", "a"));  // SMOVE nokey d a -> 0
        CHECK_FALSE(s.contains("d"));
        s.add("s", {"a", "b"});
        s.expire("s", 50s);
        CHECK(s.move("s", "s", "a"));        // same key, member present -> 1, no change
        CHECK_FALSE(s.move("s", "s", "zz"));  // same key, absent -> 0
        CHECK(s.cardinality("s") == 2);
        CHECK(s.ttl("s").remaining == 50s);
        CHECK(s.move("s", "d", "a"));
        CHECK_FALSE(s.move("s", "d", "zz"));
        CHECK(s.members("d") == Strings{"a"});
        CHECK(s.ttl("d").state == cachet::KeyTtl::State::persistent);  // created: no TTL
        CHECK(s.ttl("s").remaining == 50s);                            // the source keeps its TTL
        s.expire("d", 70s);
        s.add("s", "a");
        CHECK(s.move("s", "d", "a"));  // already in the destination: just leaves the source
        CHECK(s.members("d") == Strings{"a"});
        CHECK(s.ttl("d").remaining == 70s);  // an existing destination keeps its TTL
        CHECK(s.move("s", "d", "b"));        // the last member: the source goes
        CHECK_FALSE(s.contains("s"));
        CHECK(sorted(s.members("d")) == Strings{"a", "b"});
        CHECK(s.check_invariants());
    }

    TEST_CASE("SINTER / SUNION / SDIFF: missing keys, repeated keys, one key") {
        Sets s({}, cachet::ManualClock{});
        s.add("a", {"1", "2", "3"});
        s.add("b", {"2", "3", "4"});
        s.add("c", {"3", "4", "5"});
        CHECK(sorted(s.intersection({"a", "b"})) == Strings{"2", "3"});
        CHECK(sorted(s.intersection({"a", "b", "c"})) == Strings{"3"});
        CHECK(s.intersection({"a", "nokey"}).empty());  // a missing key is an empty set
        CHECK(sorted(s.intersection({"a", "a"})) == Strings{"1", "2", "3"});
        CHECK(sorted(s.intersection({"a"})) == Strings{"1", "2", "3"});
        CHECK(s.intersection(std::span<const std::string>{}).empty());
        CHECK(sorted(s.union_of({"a", "b", "nokey"})) == Strings{"1", "2", "3", "4"});
        CHECK(sorted(s.union_of({"a", "b", "c", "a"})) == Strings{"1", "2", "3", "4", "5"});
        CHECK(s.union_of({"nokey"}).empty());
        CHECK(sorted(s.difference({"a", "b"})) == Strings{"1"});
        CHECK(sorted(s.difference({"a", "nokey"})) == Strings{"1", "2", "3"});  // SDIFF a nokey
        CHECK(s.difference({"nokey", "a"}).empty());
        CHECK(s.difference({"a", "a"}).empty());
        CHECK(s.difference({"a", "b", "c"}) == Strings{"1"});
        CHECK(sorted(s.difference({"c", "a"})) == Strings{"4", "5"});
        // Both SDIFF algorithms: many members against a few (one by one), and a few members
        // against many (copy and remove).
        for (int i = 0; i < 200; ++i) s.add("many", std::to_string(i));
        CHECK(s.difference({"many", "a", "b", "c"}).size() == 195);
        CHECK(sorted(s.difference({"a", "many"})).empty());
        s.add("x", {"1", "2", "300"});
        CHECK(s.difference({"x", "many", "many", "many"}) == Strings{"300"});
        CHECK(s.difference({"many", "many", "a"}).empty());
    }

    TEST_CASE("SINTERCARD with a limit") {
        Sets s({}, cachet::ManualClock{});
        s.add("a", {"1", "2", "3"});
        s.add("b", {"2", "3", "4"});
        CHECK(s.intersection_size({"a", "b"}) == 2);     // SINTERCARD 2 a b -> 2
        CHECK(s.intersection_size({"a", "b"}, 1) == 1);  // LIMIT 1 -> 1
        CHECK(s.intersection_size({"a", "b"}, 0) == 2);  // LIMIT 0: none
        CHECK(s.intersection_size({"a", "b"}, 5) == 2);
        CHECK(s.intersection_size({"a", "nokey"}) == 0);
        CHECK(s.intersection_size({"nokey"}) == 0);
        CHECK(s.intersection_size({"a"}) == 3);
    }

    TEST_CASE(
        "*STORE: the destination is replaced, loses its TTL, and an empty result deletes it") {
        cachet::ManualClock clock;
        Sets s({}, clock);
        s.add("a", {"1", "2", "3"});
        s.add("b", {"2", "3", "4"});
        s.add("d", {"old"});
        s.expire("d", 100s);
        CHECK(s.store_intersection("d", {"a", "b"}) == 2);  // SINTERSTORE d a b -> 2
        CHECK(sorted(s.members("d")) == Strings{"2", "3"});
        CHECK(s.ttl("d").state == cachet::KeyTtl::State::persistent);  // Redis: TTL -1
        s.expire("d", 100s);
        CHECK(s.store_intersection("d", {"a", "nokey"}) == 0);  // empty result: d deleted
        CHECK_FALSE(s.contains("d"));
        CHECK(s.store_difference("d", {"a", "a"}) == 0);
        CHECK_FALSE(s.contains("d"));
        CHECK(s.store_union("d", {"a", "b"}) == 4);
        CHECK(sorted(s.members("d")) == Strings{"1", "2", "3", "4"});
        CHECK(s.store_difference("d", {"a", "b"}) == 1);
        CHECK(s.members("d") == Strings{"1"});
        // The destination may be a source: SINTERSTORE a a b -> 2, a = {2, 3}.
        CHECK(s.store_intersection("a", {"a", "b"}) == 2);
        CHECK(sorted(s.members("a")) == Strings{"2", "3"});
        CHECK(s.store_union("b", {"b", "d"}) == 4);
        CHECK(sorted(s.members("b")) == Strings{"1", "2", "3", "4"});
        CHECK(s.store_intersection("d", {"a"}) == 2);  // a copy of one set
        CHECK(s.store_union("e", std::span<const std::string>{}) == 0);
        CHECK_FALSE(s.contains("e"));
        CHECK(s.check_invariants());
    }

    TEST_CASE("*STORE into a store with a default TTL gives the destination that TTL") {
        cachet::ManualClock clock;
        Sets s({.default_ttl = 30s}, clock);
        s.add("a", "1");
        clock.advance(10s);
        s.add("d", "x");
        s.expire("d", 500s);
        CHECK(s.store_union("d", {"a"}) == 1);
        CHECK(s.ttl("d").remaining == 30s);
        CHECK(s.ttl("a").remaining == 20s);
    }

    TEST_CASE("SSCAN covers every member, with MATCH, and survives resizes") {
        Sets s({}, cachet::ManualClock{});
        CHECK(s.scan("nokey", 0).cursor == 0);
        for (int i = 0; i < 500; ++i) s.add("s", "m" + std::to_string(i));
        std::set<std::string> seen;
        std::uint64_t cursor = 0;
        int steps = 0;
        do {
            auto page = s.scan("s", cursor, {.count = 3});
            seen.insert(page.members.begin(), page.members.end());
            cursor = page.cursor;
            if (++steps == 10)
                for (int i = 500; i < 3000; ++i) s.add("s", "n" + std::to_string(i));
            if (steps == 100)
                for (int i = 500; i < 3000; ++i) s.remove("s", "n" + std::to_string(i));
        } while (cursor != 0);
        for (int i = 0; i < 500; ++i) CHECK(seen.count("m" + std::to_string(i)) == 1);

        std::set<std::string> matched;
        cursor = 0;
        do {
            auto page = s.scan("s", cursor, {.match = "m4?", .count = 50});
            matched.insert(page.members.begin(), page.members.end());
            cursor = page.cursor;
        } while (cursor != 0);
        CHECK(matched.size() == 10);
        CHECK(matched.count("m42") == 1);

        IntSets ints({}, cachet::ManualClock{});
        ints.add(7, {1, 2, 3, 10, 11});
        std::set<int> ones;
        cursor = 0;
        do {
            auto page = ints.scan(7, cursor, {.match = "1*"});
            ones.insert(page.members.begin(), page.members.end());
            cursor = page.cursor;
        } while (cursor != 0);
        CHECK(ones == std::set<int>{1, 10, 11});
    }

    TEST_CASE("keyspace events carry Redis's names; SMOVE is srem + sadd; no-ops send none") {
        Events ev;
        Sets s({.write_listener = ev.listener()}, cachet::ManualClock{});
        s.add("s", {"a", "b", "c"});
        s.add("s", "a");  // no change
        s.remove("s", "zz");
        s.remove("s", "c");
        (void)s.pop("s", 0);
        s.move("s", "d", "a");
        s.move("s", "s", "b");  // no change
        s.move("s", "d", "zz");
        (void)s.members("s");
        s.add("t", {"x", "y"});
        s.store_intersection("i", {"d", "t"});  // empty: nothing stored
        s.store_union("u", {"d", "t"});
        s.store_difference("u", {"t", "d"});
        s.store_intersection("u", {"t"});
        (void)s.pop("t");
        // SMOVE: `srem` on the source, then `sadd` on the destination, as Redis sends them.
        // A key's creation is announced as `new` before its first write.
        CHECK(ev.take() == Strings{"new s", "sadd s", "srem s", "srem s", "new d", "sadd d",
                                   "new t", "sadd t", "new u", "sunionstore u", "sdiffstore u",
                                   "sinterstore u", "spop t"});
    }

    TEST_CASE("removal notifications: an emptied set and a replaced destination") {
        test::Recorder<std::string, cachet::HashSet<std::string>> rec;
        Sets s({.removal_listener = rec.listener()}, cachet::ManualClock{});
        s.add("a", "1");
        s.add("d", "old");
        s.store_union("d", {"a"});
        s.remove("a", "1");
        const auto events = rec.take();
        REQUIRE(events.size() == 2);
        CHECK(events[0].key == "d");
        CHECK(events[0].cause == cachet::RemovalCause::replaced);
        CHECK(events[0].value == cachet::HashSet<std::string>{"old"});
        CHECK(events[1].key == "a");
        CHECK(events[1].cause == cachet::RemovalCause::erased);
    }

    TEST_CASE(
        "concurrent SMOVE / SADD / SREM conserve the members; SUNION sees a consistent total") {
        // Members 0..N-1 start spread over K keys and are only ever moved (SMOVE), so at every
        // instant each is in exactly one set. Churn threads add and remove members of their
        // own (>= N) alongside. A reader takes atomic unions of all keys: each must hold all of
        // 0..N-1 exactly once, whatever moves are in flight.
        constexpr int N = 200, K = 8, movers = 3, churners = 2, steps = 4000;
        IntSets s({.shards = 4}, cachet::ManualClock{});
        std::vector<int> keys(K);
        for (int k = 0; k < K; ++k) keys[k] = k;
        for (int m = 0; m < N; ++m) s.add(m % K, m);
        std::atomic<bool> stop{false};
        std::atomic<int> moved{0};
        std::atomic<int> snapshots{0};
        // The writers start once the reader has taken its first union, so they overlap with it
        // however the threads are scheduled (on a loaded machine they could otherwise all finish
        // before the reader runs at all).
        auto wait_for_reader = [&] {
            while (snapshots.load() == 0) std::this_thread::yield();
        };
        std::vector<std::thread> threads;
        for (int t = 0; t < movers; ++t)
            threads.emplace_back([&, t] {
                wait_for_reader();
                std::mt19937 rng(1234u + static_cast<unsigned>(t));
                for (int i = 0; i < steps; ++i) {
                    const int member = static_cast<int>(rng() % N);
                    const int from = static_cast<int>(rng() % K), to = static_cast<int>(rng() % K);
                    if (s.move(from, to, member)) ++moved;
                }
            });
        for (int t = 0; t < churners; ++t)
            threads.emplace_back([&, t] {
                wait_for_reader();
                std::mt19937 rng(99u + static_cast<unsigned>(t));
                const int base = N + 1000 * (t + 1);
                for (int i = 0; i < steps; ++i) {
                    const int key = static_cast<int>(rng() % K);
                    const int member = base + static_cast<int>(rng() % 50);
                    if (rng() % 2) s.add(key, member);
                    else s.remove(key, member);
                }
                for (int k = 0; k < K; ++k)
                    for (int m = 0; m < 50; ++m) s.remove(k, base + m);
            });
        bool consistent = true;
        std::thread reader([&] {
            do {
                const auto all = s.union_of(std::span<const int>(keys));
                std::vector<int> low;
                for (int m : all)
                    if (m < N) low.push_back(m);
                std::size_t sum = 0;
                for (int k = 0; k < K; ++k) sum += s.cardinality(k);  // not atomic: just exercise
                (void)sum;
                std::sort(low.begin(), low.end());
                if (low.size() != static_cast<std::size_t>(N) ||
                    std::adjacent_find(low.begin(), low.end()) != low.end())
                    consistent = false;
                ++snapshots;
            } while (!stop.load());
        });
        for (auto& th : threads) th.join();
        stop = true;
        reader.join();
        CHECK(consistent);
        CHECK(snapshots > 0);
        CHECK(moved.load() > 0);
        std::size_t total = 0;
        std::set<int> everything;
        for (int k = 0; k < K; ++k) {
            total += s.cardinality(k);
            for (int m : s.members(k)) everything.insert(m);
        }
        CHECK(total == static_cast<std::size_t>(N));  // the churn members are all gone
        CHECK(everything.size() == static_cast<std::size_t>(N));
        CHECK(*everything.rbegin() == N - 1);
        CHECK(s.check_invariants());
    }
}

}  // namespace set_store_test
