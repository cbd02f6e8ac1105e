#include "support/test_store.hpp"

#include <cachet/kv_store.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>

namespace kv_store_test {

using namespace std::chrono_literals;
using cachet::RemovalCause;
using test::ManualKv;
using test::Recorder;

using Kv = ManualKv<std::string, int>;
using Ev = Recorder<std::string, int>::Event;

static_assert(!std::is_copy_constructible_v<Kv>);
static_assert(!std::is_copy_assignable_v<Kv>);
static_assert(std::is_same_v<Kv::key_type, std::string>);
static_assert(std::is_same_v<Kv::mapped_type, int>);

TEST_SUITE("kv_store") {
    TEST_CASE("put then get returns a copy; erase removes") {
        cachet::ManualClock clock;
        Kv kv({}, clock);
        CHECK(kv.empty());
        CHECK(kv.put("a", 1));        // new key
        CHECK_FALSE(kv.put("a", 2));  // overwrite
        CHECK(kv.get("a") == 2);
        CHECK(kv.get("missing") == std::nullopt);
        CHECK(kv.contains("a"));
        CHECK(kv.size() == 1);
        CHECK(kv.erase("a"));
        CHECK_FALSE(kv.erase("a"));
        CHECK_FALSE(kv.contains("a"));
        CHECK(kv.check_invariants());
    }

    TEST_CASE("lookup by string_view through a transparent hash") {
        Kv kv;
        kv.put("alpha", 7);
        std::string_view sv = "alpha";
        CHECK(kv.get(sv) == 7);
        CHECK(kv.contains(sv));
        int seen = 0;
        CHECK(kv.visit(sv, [&](const int& v) { seen = v; }));
        CHECK(seen == 7);
        CHECK(kv.erase(sv));
    }

    TEST_CASE("a TTL ends exactly: present at 30 s - 1 ms, gone at 30 s, expired reported") {
        cachet::ManualClock clock;
        Recorder<std::string, int> rec;
        Kv kv({.removal_listener = rec.listener()}, clock);
        kv.put("session", 42, 30s);
        clock.advance(30s - 1ms);
        CHECK(kv.get("session") == 42);
        CHECK(kv.ttl("session") == cachet::KeyTtl{cachet::KeyTtl::State::expiring, 1ms});
        clock.advance(1ms);
        CHECK(kv.get("session") == std::nullopt);
        CHECK(rec.take() == std::vector<Ev>{{"session", 42, RemovalCause::expired}});
        CHECK(kv.stats().expirations == 1);
        CHECK(kv.ttl("session").state == cachet::KeyTtl::State::missing);
    }

    TEST_CASE("sub-millisecond TTLs round up, never expiring early") {
        cachet::ManualClock clock;
        Kv kv({}, clock);
        kv.put("k", 1, 1500us);  // 1.5 ms -> 2 ms
        clock.advance(1ms);
        CHECK(kv.contains("k"));
        clock.advance(1ms);
        CHECK_FALSE(kv.contains("k"));
    }

    TEST_CASE("expired entries are reclaimed actively, without being looked up") {
        cachet::ManualClock clock;
        Recorder<std::string, int> rec;
        Kv kv({.shards = 1, .removal_listener = rec.listener(), .expire_budget = 4}, clock);
        for (int i = 0; i < 40; ++i) kv.put("t" + std::to_string(i), i, 10s);
        kv.put("keep", 0);
        clock.advance(11s);
        CHECK(kv.size() == 41);
        // Each unrelated operation on the shard reclaims up to the budget (4) of them.
        CHECK(kv.contains("keep"));
        const auto after_one = kv.size();
        CHECK(after_one < 41);
        CHECK(after_one >= 41 - 4);
        for (int i = 0; i < 20; ++i) (void)kv.contains("keep");
        CHECK(kv.size() == 1);
        CHECK(rec.count(RemovalCause::expired) == 40);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("run_pending reclaims everything due, across shards") {
        cachet::ManualClock clock;
        Kv kv({.shards = 8}, clock);
        for (int i = 0; i < 1000; ++i) kv.put("k" + std::to_string(i), i, 1s + i * 1ms);
        clock.advance(1s + 499ms);
        CHECK(kv.run_pending() == 500);
        CHECK(kv.size() == 500);
        CHECK(kv.stats().expirations == 500);
        CHECK(kv.core().next_deadline_ms() == 1500);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("hold_expired: expired entries read as missing but stay, until released") {
        cachet::ManualClock clock;
        Kv kv({.shards = 4}, clock);
        for (int i = 0; i < 100; ++i) kv.put("k" + std::to_string(i), i, 10ms);
        kv.put("keep", 1);
        kv.core().hold_expired(true);
        clock.advance(10ms);
        CHECK_FALSE(kv.get("k1").has_value());
        CHECK_FALSE(kv.contains("k2"));
        CHECK_FALSE(kv.erase("k3"));  // already missing: nothing to erase
        CHECK(kv.run_pending() == 0);
        for (int i = 0; i < 20; ++i) (void)kv.contains("keep");  // the wheel is not advanced
        CHECK(kv.size() == 101);
        CHECK(kv.stats().expirations == 0);
        // A write under an expired key replaces the held entry (one entry, not two).
        kv.put("k4", 44);
        CHECK(kv.get("k4") == 44);
        CHECK(kv.size() == 101);
        CHECK(kv.stats().expirations == 1);
        CHECK(kv.check_invariants());
        kv.core().hold_expired(false);
        CHECK(kv.run_pending() == 99);
        CHECK(kv.size() == 2);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("run_pending finds timers set again after it emptied every shard's wheel") {
        cachet::ManualClock clock;
        Kv kv({.shards = 4}, clock);
        for (int round = 1; round <= 3; ++round) {
            CAPTURE(round);
            for (int i = 0; i < 100; ++i) kv.put("k" + std::to_string(i), i, 10ms);
            kv.put("untimed", round);
            CHECK(kv.core().expiring_count() == 100);
            clock.advance(10ms);
            CHECK(kv.run_pending() == 100);  // every wheel empty afterwards
            CHECK(kv.size() == 1);
            CHECK(kv.run_pending() == 0);
            CHECK(kv.core().expiring_count() == 0);
            CHECK(kv.core().next_deadline_ms() == cachet::no_deadline);
            // A TTL given to an existing key (expire) after the wheels emptied is found too.
            CHECK(kv.expire("untimed", 5ms));
            CHECK(kv.core().expiring_count() == 1);
            CHECK(kv.core().next_deadline_ms() == kv.core().now_ms() + 5);
            clock.advance(5ms);
            CHECK(kv.run_pending() == 1);
            CHECK(kv.size() == 0);
        }
        CHECK(kv.check_invariants());
    }

    TEST_CASE("a renewed TTL (postponed in the wheel) expires at its new deadline only") {
        cachet::ManualClock clock;
        Recorder<std::string, int> rec;
        Kv kv({.shards = 2, .removal_listener = rec.listener()}, clock);
        for (int i = 0; i < 50; ++i) kv.put("k" + std::to_string(i), i, 100ms);
        for (int round = 1; round <= 20; ++round) {
            clock.advance(60ms);
            // Renew every other key: its old deadline passes, it must not expire.
            for (int i = 0; i < 50; i += 2) kv.put("k" + std::to_string(i), i + round, 100ms);
            (void)kv.run_pending();
            CHECK(kv.check_invariants());
        }
        // The keys never renewed expired once, at their deadline; the renewed ones are all there.
        CHECK(rec.count(RemovalCause::expired) == 25);
        for (int i = 0; i < 50; i += 2) CHECK(kv.get("k" + std::to_string(i)) == i + 20);
        clock.advance(99ms);
        CHECK(kv.run_pending() == 0);
        CHECK(kv.size() == 25);
        clock.advance(1ms);
        CHECK(kv.run_pending() == 25);
        CHECK(rec.count(RemovalCause::expired) == 50);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("put replaces the TTL; default_ttl applies to writes without one") {
        cachet::ManualClock clock;
        SUBCASE("no default: put clears an existing TTL, as SET does") {
            Kv kv({}, clock);
            kv.put("k", 1, 5s);
            kv.put("k", 2);
            CHECK(kv.ttl("k").state == cachet::KeyTtl::State::persistent);
            clock.advance(1h);
            CHECK(kv.get("k") == 2);
        }
        SUBCASE("default TTL") {
            Kv kv({.default_ttl = 10s}, clock);
            kv.put("k", 1);
            CHECK(kv.ttl("k") == cachet::KeyTtl{cachet::KeyTtl::State::expiring, 10s});
            CHECK(kv.increment("n").value() == 1);  // created with the default TTL too
            CHECK(kv.ttl("n").has_expiry());
            clock.advance(10s);
            CHECK_FALSE(kv.contains("k"));
            CHECK_FALSE(kv.contains("n"));
        }
    }

    TEST_CASE("a non-positive TTL on put is an error and changes nothing") {
        Kv kv;
        kv.put("k", 1);
        CHECK_THROWS_AS(kv.put("k", 2, 0s), std::invalid_argument);
        CHECK_THROWS_AS(kv.put("k", 2, -5ms), std::invalid_argument);
        CHECK_THROWS_AS(kv.put_if_absent("x", 2, 0s), std::invalid_argument);
        CHECK(kv.get("k") == 1);
        CHECK_FALSE(kv.contains("x"));
    }

    TEST_CASE("put_if_absent and put_if_present (SET NX / XX)") {
        cachet::ManualClock clock;
        Kv kv({}, clock);
        CHECK_FALSE(kv.put_if_present("k", 1));
        CHECK_FALSE(kv.contains("k"));
        CHECK(kv.put_if_absent("k", 1, 2s));
        CHECK_FALSE(kv.put_if_absent("k", 2));
        CHECK(kv.get("k") == 1);
        CHECK(kv.put_if_present("k", 3));
        CHECK(kv.get("k") == 3);
        CHECK(kv.ttl("k").state == cachet::KeyTtl::State::persistent);  // XX replaces the TTL
        kv.expire("k", 1s);
        clock.advance(1s);
        CHECK(kv.put_if_absent("k", 4));  // an expired key counts as absent
        CHECK(kv.get("k") == 4);
    }

    TEST_CASE("expire, expire_at, persist and ttl follow Redis") {
        cachet::ManualClock clock;
        Recorder<std::string, int> rec;
        Kv kv({.removal_listener = rec.listener()}, clock);
        CHECK_FALSE(kv.expire("nope", 1s));
        CHECK_FALSE(kv.persist("nope"));
        kv.put("k", 1);
        CHECK_FALSE(kv.persist("k"));  // no TTL to remove
        CHECK(kv.expire("k", 100ms));
        CHECK(kv.ttl("k").remaining == 100ms);
        CHECK(kv.persist("k"));
        CHECK(kv.ttl("k").state == cachet::KeyTtl::State::persistent);
        clock.advance(1s);
        CHECK(kv.contains("k"));

        CHECK(kv.expire_at("k", clock.now() + 250ms));
        CHECK(kv.ttl("k").remaining == 250ms);
        clock.advance(250ms);
        CHECK_FALSE(kv.contains("k"));

        kv.put("z", 9);
        CHECK(kv.expire("z", 0s));  // zero or negative: removed at once, as expired
        CHECK_FALSE(kv.contains("z"));
        kv.put("p", 9);
        CHECK(kv.expire_at("p", clock.now() - 1s));
        CHECK_FALSE(kv.contains("p"));
        CHECK(rec.count(RemovalCause::expired) == 3);
    }

    TEST_CASE("increment and decrement: create, keep TTL, report overflow") {
        cachet::ManualClock clock;
        ManualKv<std::string, std::int64_t> kv({}, clock);
        CHECK(kv.increment("c").value() == 1);
        CHECK(kv.increment("c", 41).value() == 42);
        CHECK(kv.decrement("c", 50).value() == -8);
        kv.expire("c", 10s);
        CHECK(kv.increment("c").value() == -7);
        CHECK(kv.ttl("c").has_expiry());  // INCR keeps the TTL

        kv.put("max", std::numeric_limits<std::int64_t>::max());
        auto r = kv.increment("max");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == cachet::Errc::overflow);
        CHECK_THROWS_AS((void)r.value(), cachet::BadResultAccess);
        CHECK(kv.get("max") == std::numeric_limits<std::int64_t>::max());
        kv.put("min", std::numeric_limits<std::int64_t>::min());
        CHECK(kv.decrement("min").error() == cachet::Errc::overflow);

        ManualKv<std::string, double> fk;
        CHECK(fk.increment("f", 0.5).value() == doctest::Approx(0.5));
        fk.put("big", std::numeric_limits<double>::max());
        CHECK(fk.increment("big", std::numeric_limits<double>::max()).error() ==
              cachet::Errc::overflow);
        CHECK(fk.get("big") == std::numeric_limits<double>::max());
    }

    TEST_CASE("compute inserts, rewrites in place and erases atomically") {
        cachet::ManualClock clock;
        Recorder<std::string, int> rec;
        Kv kv({.removal_listener = rec.listener()}, clock);
        int r = kv.compute("k", [](std::optional<int>& v) {
            CHECK_FALSE(v.has_value());
            v = 10;
            return 1;
        });
        CHECK(r == 1);
        kv.expire("k", 5s);
        kv.compute("k", [](std::optional<int>& v) { *v += 5; });
        CHECK(kv.get("k") == 15);
        CHECK(kv.ttl("k").has_expiry());  // an existing key keeps its TTL
        kv.compute("k", [](std::optional<int>& v) { v.reset(); });
        CHECK_FALSE(kv.contains("k"));
        CHECK(rec.take() == std::vector<Ev>{{"k", 15, RemovalCause::erased}});

        SUBCASE("a throwing callback leaves the value in place") {
            kv.put("t", 3);
            CHECK_THROWS_AS(kv.compute("t",
                                       [](std::optional<int>& v) {
                                           *v = 4;
                                           throw std::runtime_error("boom");
                                       }),
                            std::runtime_error);
            CHECK(kv.get("t") == 4);
            CHECK_THROWS(kv.compute("new", [](std::optional<int>& v) {
                v = 1;
                throw std::runtime_error("boom");
            }));
            CHECK_FALSE(kv.contains("new"));
            CHECK(kv.check_invariants());
        }
    }

    TEST_CASE("exchange and get_and_erase") {
        Recorder<std::string, int> rec;
        Kv kv({.removal_listener = rec.listener()});
        CHECK(kv.exchange("k", 1) == std::nullopt);
        CHECK(kv.exchange("k", 2) == 1);
        CHECK(kv.get_and_erase("k") == 2);
        CHECK(kv.get_and_erase("k") == std::nullopt);
        CHECK(rec.take() == std::vector<Ev>{{"k", 1, RemovalCause::replaced},
                                            {"k", 2, RemovalCause::erased}});
    }

    TEST_CASE("the removal listener sees each cause with the right value") {
        cachet::ManualClock clock;
        Recorder<std::string, int> rec;
        Kv kv({.shards = 1, .max_entries = 2, .removal_listener = rec.listener()}, clock);
        kv.put("a", 1);
        kv.put("a", 2);  // replaced: old value 1
        kv.put("b", 3, 1s);
        kv.put("c", 4);  // evicts the LRU entry, "a"
        clock.advance(1s);
        CHECK_FALSE(kv.contains("b"));  // expired
        kv.erase("c");                  // erased
        CHECK(rec.take() == std::vector<Ev>{{"a", 1, RemovalCause::replaced},
                                            {"a", 2, RemovalCause::evicted},
                                            {"b", 3, RemovalCause::expired},
                                            {"c", 4, RemovalCause::erased}});
        kv.put("x", 1);
        kv.put("y", 2);
        kv.clear();
        CHECK(rec.count(RemovalCause::erased) == 2);
        CHECK(kv.empty());
    }

    TEST_CASE("report_replaced = false: overwrites are not reported, every other cause is") {
        Recorder<std::string, int> rec;
        Kv kv({.removal_listener = rec.listener(), .report_replaced = false});
        kv.put("a", 1);
        kv.put("a", 2);
        CHECK(kv.exchange("a", 3) == 2);
        CHECK(kv.get("a") == 3);
        kv.erase("a");
        CHECK(rec.take() == std::vector<Ev>{{"a", 3, RemovalCause::erased}});
    }

    TEST_CASE("the listener runs outside the lock and may call back into the store") {
        cachet::ManualClock clock;
        Kv* self = nullptr;
        std::vector<std::string> log;
        Kv kv({.shards = 1,
               .removal_listener =
                   [&](const std::string& k, const int&, RemovalCause c) {
                       if (c == RemovalCause::expired) self->put("expired:" + k, 1);
                       log.push_back(k);
                   }},
              clock);
        self = &kv;
        kv.put("a", 1, 1s);
        clock.advance(2s);
        CHECK_FALSE(kv.contains("a"));
        CHECK(kv.contains("expired:a"));
        CHECK(log == std::vector<std::string>{"a"});
    }

    TEST_CASE("a throwing listener does not lose notifications or corrupt the store") {
        cachet::ManualClock clock;
        int calls = 0;
        Kv kv({.shards = 1,
               .removal_listener =
                   [&](const std::string&, const int&, RemovalCause) {
                       ++calls;
                       throw std::runtime_error("listener");
                   }},
              clock);
        kv.put("a", 1, 1s);
        kv.put("b", 2, 1s);
        clock.advance(1s);
        CHECK_THROWS_AS(kv.run_pending(), std::runtime_error);
        CHECK(calls == 2);
        CHECK(kv.empty());
        CHECK(kv.check_invariants());
    }

    TEST_CASE("bounded LRU: keeps the most recently used, counts evictions") {
        Kv kv({.shards = 1, .max_entries = 3});
        kv.put("a", 1);
        kv.put("b", 2);
        kv.put("c", 3);
        CHECK(kv.get("a") == 1);  // a becomes most recent; b is now least
        kv.put("d", 4);
        CHECK_FALSE(kv.contains("b"));
        CHECK(kv.contains("a"));
        CHECK(kv.size() == 3);
        CHECK(kv.stats().evictions == 1);
        CHECK(kv.check_invariants());
        SUBCASE("contains is a peek, not an access") {
            CHECK(kv.contains("c"));  // c stays least recent
            kv.put("e", 5);
            CHECK_FALSE(kv.contains("c"));
        }
    }

    TEST_CASE("resizing the bound evicts down to it; growing keeps everything") {
        Recorder<std::string, int> rec;
        Kv kv({.shards = 2, .max_entries = 100, .removal_listener = rec.listener()});
        for (int i = 0; i < 100; ++i) kv.put("k" + std::to_string(i), i);
        CHECK(kv.size() <= 100);
        const auto before = kv.size();
        kv.set_max_entries(10);
        CHECK(kv.size() <= 10);
        CHECK(rec.count(RemovalCause::evicted) == 100 - kv.size());
        CHECK(before >= kv.size());
        kv.set_max_entries(1000);
        for (int i = 0; i < 500; ++i) kv.put("n" + std::to_string(i), i);
        CHECK(kv.size() == 510);
        CHECK_THROWS_AS(kv.set_max_entries(1), std::invalid_argument);  // fewer than shards
        Kv unbounded;
        CHECK_THROWS_AS(unbounded.set_max_entries(5), std::logic_error);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("weight bound: weigher, accounting, and an entry too heavy is rejected alone") {
        Recorder<std::string, std::string> rec;
        ManualKv<std::string, std::string> kv(
            {.shards = 1,
             .max_weight = 100,
             .weigher = [](const std::string&, const std::string& v) { return v.size(); },
             .removal_listener = rec.listener()});
        kv.put("a", std::string(40, 'a'));
        kv.put("b", std::string(40, 'b'));
        CHECK(kv.weight() == 80);
        kv.put("c", std::string(30, 'c'));  // 110 > 100: evicts a (LRU)
        CHECK_FALSE(kv.contains("a"));
        CHECK(kv.weight() == 70);
        kv.put("huge", std::string(101, 'h'));  // heavier than the whole cache
        CHECK_FALSE(kv.contains("huge"));
        CHECK(kv.contains("b"));  // the others survive
        CHECK(kv.contains("c"));
        const auto st = kv.stats();
        CHECK(st.evictions == 2);
        CHECK(st.evicted_weight == 141);
        // An in-place update is re-weighed.
        kv.compute("b", [](std::optional<std::string>& v) { *v = std::string(80, 'b'); });
        CHECK(kv.weight() <= 100);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("stats count hits, misses, puts; hit ratio") {
        Kv kv;
        CHECK(kv.stats().hit_ratio() == 1.0);
        kv.put("a", 1);
        (void)kv.get("a");
        (void)kv.get("a");
        (void)kv.get("b");
        (void)kv.contains("a");  // a peek is not counted
        auto st = kv.stats();
        CHECK(st.hits == 2);
        CHECK(st.misses == 1);
        CHECK(st.puts == 1);
        CHECK(st.size == 1);
        CHECK(st.hit_ratio() == doctest::Approx(2.0 / 3.0));
        kv.reset_stats();
        CHECK(kv.stats().hits == 0);
        CHECK(kv.stats().size == 1);
    }

    TEST_CASE("invalid options are rejected with a clear message") {
        auto msg = [](cachet::KvOptions<std::string, int> o) -> std::string {
            try {
                Kv kv(std::move(o));
            } catch (const std::invalid_argument& e) {
                return e.what();
            }
            return "";
        };
        CHECK(msg({.shards = 3}).find("power of two") != std::string::npos);
        CHECK(msg({.max_weight = 10}).find("weigher") != std::string::npos);
        CHECK(msg({.default_ttl = -1s}).find("default_ttl") != std::string::npos);
        CHECK(msg({.expire_budget = 0}).find("expire_budget") != std::string::npos);
        CHECK(msg({.shards = 8, .max_entries = 4}).find("max_entries") != std::string::npos);
        CHECK(msg({}).empty());
    }

    TEST_CASE("for_each and snapshot see live entries only") {
        cachet::ManualClock clock;
        Kv kv({}, clock);
        kv.put("a", 1);
        kv.put("b", 2, 1s);
        kv.put("c", 3);
        clock.advance(1s);
        auto snap = kv.snapshot();
        std::sort(snap.begin(), snap.end());
        CHECK(snap == std::vector<std::pair<std::string, int>>{{"a", 1}, {"c", 3}});
        int sum = 0;
        kv.for_each([&](const std::string&, const int& v) { sum += v; });
        CHECK(sum == 4);
    }

    TEST_CASE("a single-threaded store with NullMutex") {
        ManualKv<int, int, cachet::NullMutex> kv({.max_entries = 64});
        for (int i = 0; i < 1000; ++i) kv.put(i, i);
        CHECK(kv.size() <= 64);
        CHECK(kv.get(999) == 999);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("the janitor thread reclaims expired entries in the background") {
        cachet::ManualClock clock;
        std::promise<void> done;
        std::atomic<int> expired{0};
        Kv kv({.removal_listener =
                   [&](const std::string&, const int&, RemovalCause c) {
                       if (c == RemovalCause::expired && ++expired == 10) done.set_value();
                   }},
              clock);
        for (int i = 0; i < 10; ++i) kv.put(std::to_string(i), i, 1s);
        kv.start_janitor(1ms);
        clock.advance(1s);
        // Waits for the thread, not for a TTL: the TTL ran out on the manual clock already.
        CHECK(done.get_future().wait_for(30s) == std::future_status::ready);
        kv.stop_janitor();
        CHECK(kv.size() == 0);
    }

    TEST_CASE("default shard count: a power of two, fewer for small bounds") {
        Kv big;
        CHECK(std::has_single_bit(big.shard_count()));
        CHECK(big.shard_count() >= 4);
        Kv small({.max_entries = 1000});
        CHECK(small.shard_count() == 1);
        Kv mid({.max_entries = 1'000'000});
        CHECK(mid.shard_count() == big.shard_count());
    }
}

TEST_SUITE("kv_store") {
    TEST_CASE("a throwing weigher leaves the store unchanged and consistent") {
        bool fail = false;
        ManualKv<std::string, std::string> kv(
            {.shards = 1,
             .max_weight = 100,
             .weigher = [&](const std::string&, const std::string& v) -> std::uint64_t {
                 if (fail) throw std::runtime_error("weigher");
                 return v.size();
             }});
        kv.put("a", std::string(10, 'a'));
        fail = true;
        CHECK_THROWS_AS(kv.put("b", std::string(10, 'b')), std::runtime_error);
        CHECK_FALSE(kv.contains("b"));
        CHECK(kv.size() == 1);
        CHECK(kv.weight() == 10);
        CHECK(kv.check_invariants());
        fail = false;
        kv.put("b", std::string(20, 'b'));
        CHECK(kv.weight() == 30);
        CHECK(kv.check_invariants());
    }
}

}  // namespace kv_store_test
