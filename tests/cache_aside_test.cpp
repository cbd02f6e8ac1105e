#include "support/test_store.hpp"

#include <cachet/cache_aside.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <latch>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace cache_aside_test {

using namespace std::chrono_literals;

namespace {

using Cache = cachet::CacheAside<std::string, int, test::StringHash, std::equal_to<>,
                                 cachet::ManualClock, std::mutex>;
using IntCache =
    cachet::CacheAside<int, std::string, std::hash<int>, std::equal_to<int>, cachet::ManualClock>;

static_assert(!std::is_copy_constructible_v<Cache>);
static_assert(!std::is_copy_assignable_v<Cache>);
static_assert(std::is_same_v<Cache::key_type, std::string>);
static_assert(std::is_same_v<Cache::mapped_type, int>);

/// A hand-driven executor: collects tasks; the test runs them when it chooses.
struct ManualExecutor {
    std::shared_ptr<std::vector<std::function<void()>>> tasks =
        std::make_shared<std::vector<std::function<void()>>>();
    auto executor() {
        return [t = tasks](std::function<void()> f) { t->push_back(std::move(f)); };
    }
    std::size_t pending() const { return tasks->size(); }
    void run_all() {
        auto now = std::exchange(*tasks, {});
        for (auto& f : now) f();
    }
};

/// The deadline of `key` in ms from now, or -1 if absent / persistent.
long long ttl_ms(Cache& c, const std::string& key) {
    const auto t = c.ttl(key);
    return t.has_expiry() ? static_cast<long long>(t.remaining.count()) : -1;
}

}  // namespace

TEST_SUITE("cache_aside") {
    TEST_CASE("a miss loads once and stores; the next call is a hit") {
        cachet::ManualClock clock;
        Cache cache({.ttl = 10s}, clock);
        int calls = 0;
        auto loader = [&](const std::string& k) {
            ++calls;
            return static_cast<int>(k.size());
        };
        CHECK(cache.get_or_load("abc", loader) == 3);
        CHECK(cache.get_or_load("abc", loader) == 3);
        CHECK(calls == 1);
        CHECK(cache.contains("abc"));
        CHECK(ttl_ms(cache, "abc") == 10'000);
        clock.advance(10s - 1ms);
        CHECK(cache.get_or_load("abc", loader) == 3);
        CHECK(calls == 1);
        clock.advance(1ms);  // hard TTL: reload
        CHECK(cache.get_or_load("abc", loader) == 3);
        CHECK(calls == 2);
        const auto st = cache.stats();
        CHECK(st.hits == 2);
        CHECK(st.misses == 2);
        CHECK(st.load_successes == 2);
        CHECK(st.load_failures == 0);
    }

    TEST_CASE("a fixed loader serves get(); get() without one is a logic_error") {
        cachet::ManualClock clock;
        Cache with(
            {}, [](const std::string& k) { return static_cast<int>(k.size()); }, clock);
        CHECK(with.get("four") == 4);
        Cache without({}, clock);
        CHECK_THROWS_AS((void)without.get("x"), std::logic_error);
    }

    TEST_CASE("options are validated") {
        using O = cachet::CacheAsideOptions;
        auto bad = [](O o) {
            CHECK_THROWS_AS(Cache(std::move(o), [](const std::string&) { return 1; }),
                            std::invalid_argument);
        };
        bad(O{.ttl = -1s});
        bad(O{.negative_ttl = -1s});
        bad(O{.ttl = 10s, .jitter = 1.0});
        bad(O{.ttl = 10s, .jitter = -0.1});
        bad(O{.jitter = 0.1});  // nothing to spread
        bad(O{.ttl = 10s, .refresh_after = 10s});
        bad(O{.ttl = 10s, .refresh_queue_limit = 0});
        bad(O{.shards = 3});  // the store's own validation
        // refresh-ahead needs a fixed loader
        CHECK_THROWS_AS(Cache(O{.ttl = 10s, .refresh_after = 5s}), std::invalid_argument);
        CHECK_NOTHROW(Cache(O{.ttl = 10s, .negative_ttl = 1s, .jitter = 0.5, .refresh_after = 5s},
                            [](const std::string&) { return 1; }));
    }

    TEST_CASE("single-flight: N threads miss one key, the loader runs once, all see its value") {
        constexpr int n = 8;
        Cache cache({.ttl = 1h});
        std::atomic<int> calls{0};
        std::latch start(n);
        auto loader = [&](const std::string&) {
            calls.fetch_add(1);
            // Hold the load until every other thread is committed to waiting for it.
            while (cache.stats().coalesced < n - 1) std::this_thread::yield();
            return 42;
        };
        std::vector<std::optional<int>> seen(n);
        std::vector<std::thread> threads;
        for (int i = 0; i < n; ++i)
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                seen[static_cast<std::size_t>(i)] = cache.get_or_load("hot", loader);
            });
        for (auto& t : threads) t.join();
        CHECK(calls.load() == 1);
        for (auto& v : seen) CHECK(v == 42);
        const auto st = cache.stats();
        CHECK(st.misses == n);
        CHECK(st.coalesced == n - 1);
        CHECK(st.load_successes == 1);
        CHECK(cache.loads_in_flight() == 0);
    }

    TEST_CASE(
        "a loader's exception reaches every waiter, is not cached, and the next call retries") {
        constexpr int n = 6;
        Cache cache({.ttl = 1h});
        std::atomic<int> calls{0};
        std::latch start(n);
        auto failing = [&](const std::string&) -> int {
            calls.fetch_add(1);
            while (cache.stats().coalesced < n - 1) std::this_thread::yield();
            throw std::runtime_error("db down");
        };
        std::atomic<int> errors{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < n; ++i)
            threads.emplace_back([&] {
                start.arrive_and_wait();
                try {
                    (void)cache.get_or_load("k", failing);
                } catch (const std::runtime_error& e) {
                    if (std::string(e.what()) == "db down") errors.fetch_add(1);
                }
            });
        for (auto& t : threads) t.join();
        CHECK(calls.load() == 1);
        CHECK(errors.load() == n);
        CHECK_FALSE(cache.contains("k"));
        CHECK(cache.stats().load_failures == 1);
        CHECK(cache.get_or_load("k", [](const std::string&) { return 7; }) == 7);  // retry
        CHECK(cache.stats().load_successes == 1);
        CHECK(cache.get_or_load("k", failing) == 7);  // now cached
    }

    TEST_CASE("not found is cached for the negative TTL, then reloaded") {
        cachet::ManualClock clock;
        Cache cache({.ttl = 10s, .negative_ttl = 2s}, clock);
        int calls = 0;
        std::optional<int> db;
        auto loader = [&](const std::string&) {
            ++calls;
            return db;
        };
        CHECK(cache.get_or_load("p", loader) == std::nullopt);
        CHECK(cache.get_or_load("p", loader) == std::nullopt);  // a negative hit
        CHECK(calls == 1);
        CHECK(cache.contains("p"));
        CHECK(ttl_ms(cache, "p") == 2'000);
        db = 5;
        clock.advance(2s - 1ms);
        CHECK(cache.get_or_load("p", loader) == std::nullopt);
        clock.advance(1ms);
        CHECK(cache.get_or_load("p", loader) == 5);
        CHECK(calls == 2);
        CHECK(ttl_ms(cache, "p") == 10'000);
        const auto st = cache.stats();
        CHECK(st.hits == 2);
        CHECK(st.misses == 2);
    }

    TEST_CASE("without a negative TTL, not found is not cached") {
        cachet::ManualClock clock;
        Cache cache({.ttl = 10s}, clock);
        int calls = 0;
        auto loader = [&](const std::string&) {
            ++calls;
            return std::optional<int>{};
        };
        CHECK(cache.get_or_load("p", loader) == std::nullopt);
        CHECK(cache.get_or_load("p", loader) == std::nullopt);
        CHECK(calls == 2);
        CHECK_FALSE(cache.contains("p"));
    }

    TEST_CASE("jitter spreads TTLs within [ttl * (1 - jitter), ttl]") {
        cachet::ManualClock clock;
        SUBCASE("values") {
            Cache cache({.ttl = 10s, .jitter = 0.2, .seed = 12345}, clock);
            long long lo = 1'000'000, hi = 0;
            for (int i = 0; i < 500; ++i) {
                const std::string key = "k" + std::to_string(i);
                (void)cache.get_or_load(key, [](const std::string&) { return 1; });
                const long long t = ttl_ms(cache, key);
                REQUIRE(t >= 8'000);
                REQUIRE(t <= 10'000);
                lo = std::min(lo, t);
                hi = std::max(hi, t);
            }
            CHECK(lo < 8'400);  // spread over the whole range, not a constant
            CHECK(hi > 9'600);
        }
        SUBCASE("negative answers") {
            Cache cache({.ttl = 10s, .negative_ttl = 1s, .jitter = 0.5}, clock);
            for (int i = 0; i < 200; ++i) {
                const std::string key = "n" + std::to_string(i);
                (void)cache.get_or_load(key,
                                        [](const std::string&) { return std::optional<int>{}; });
                const long long t = ttl_ms(cache, key);
                REQUIRE(t >= 500);
                REQUIRE(t <= 1'000);
            }
        }
        SUBCASE("put") {
            Cache cache({.ttl = 10s, .jitter = 0.1}, clock);
            for (int i = 0; i < 200; ++i) {
                const std::string key = "p" + std::to_string(i);
                cache.put(key, i);
                const long long t = ttl_ms(cache, key);
                REQUIRE(t >= 9'000);
                REQUIRE(t <= 10'000);
            }
        }
    }

    TEST_CASE(
        "refresh-ahead serves the old value once, refreshes in the background, then serves the "
        "new") {
        cachet::ManualClock clock;
        ManualExecutor ex;
        int db = 1, calls = 0;
        Cache cache(
            {.ttl = 10s, .refresh_after = 5s, .executor = ex.executor()},
            [&](const std::string&) {
                ++calls;
                return db;
            },
            clock);
        CHECK(cache.get("k") == 1);
        clock.advance(5s - 1ms);
        CHECK(cache.get("k") == 1);
        CHECK(ex.pending() == 0);  // not yet due
        clock.advance(1ms);
        db = 2;
        CHECK(cache.get("k") == 1);  // stale, served at once
        CHECK(ex.pending() == 1);    // and one refresh queued
        CHECK(cache.get("k") == 1);
        CHECK(ex.pending() == 1);  // only one refresh per key in flight
        CHECK(calls == 1);
        ex.run_all();
        CHECK(calls == 2);
        CHECK(cache.get("k") == 2);  // fresh
        CHECK(ex.pending() == 0);
        CHECK(ttl_ms(cache, "k") == 10'000);  // the refresh restarted the TTL
        CHECK(cache.stats().refreshes == 1);
        CHECK(cache.loads_in_flight() == 0);
    }

    TEST_CASE("a failed refresh keeps the old value until its hard TTL") {
        cachet::ManualClock clock;
        ManualExecutor ex;
        bool fail = false;
        int db = 1, calls = 0;
        Cache cache(
            {.ttl = 10s, .refresh_after = 5s, .executor = ex.executor()},
            [&](const std::string&) {
                ++calls;
                if (fail) throw std::runtime_error("db down");
                return db;
            },
            clock);
        CHECK(cache.get("k") == 1);
        clock.advance(6s);
        fail = true;
        CHECK(cache.get("k") == 1);
        ex.run_all();  // the refresh fails
        CHECK(calls == 2);
        CHECK(cache.stats().load_failures == 1);
        CHECK(cache.get("k") == 1);  // old value still served; a new refresh is queued
        CHECK(ex.pending() == 1);
        ex.run_all();
        CHECK(calls == 3);
        CHECK(cache.get("k") == 1);
        clock.advance(4s);  // hard TTL (10 s) reached: a miss, loaded synchronously
        fail = false;
        db = 3;
        CHECK(ex.pending() == 1);    // the refresh queued by the last stale hit, not yet run
        CHECK(cache.get("k") == 3);  // the miss takes that queued refresh over
        CHECK(calls == 4);
        ex.run_all();  // the taken-over task does nothing
        CHECK(calls == 4);
        CHECK(cache.get("k") == 3);
    }

    TEST_CASE("the built-in executor refreshes on its own thread and is joined by the destructor") {
        std::atomic<int> db{1}, calls{0};
        cachet::ManualClock clock;
        {
            Cache cache(
                {.ttl = 10s, .refresh_after = 5s},
                [&](const std::string&) {
                    calls.fetch_add(1);
                    return db.load();
                },
                clock);
            CHECK(cache.get("k") == 1);
            clock.advance(6s);
            db = 2;
            CHECK(cache.get("k") == 1);
            while (cache.loads_in_flight() != 0) std::this_thread::yield();
            CHECK(cache.get("k") == 2);
            CHECK(calls.load() == 2);
        }
    }

    TEST_CASE("a refresh task that outlives its cache does nothing") {
        ManualExecutor ex;
        cachet::ManualClock clock;
        int calls = 0;
        {
            Cache cache(
                {.ttl = 10s, .refresh_after = 5s, .executor = ex.executor()},
                [&](const std::string&) { return ++calls; }, clock);
            (void)cache.get("k");
            clock.advance(6s);
            (void)cache.get("k");
            CHECK(ex.pending() == 1);
        }
        ex.run_all();
        CHECK(calls == 1);
    }

    TEST_CASE("get_all loads only the misses, in one batch call") {
        cachet::ManualClock clock;
        IntCache cache({.ttl = 10s, .negative_ttl = 1s}, clock);
        (void)cache.get_or_load(1, [](int) { return std::string("one"); });
        std::vector<std::vector<int>> batches;
        SUBCASE("vector of optionals") {
            auto r = cache.get_all({1, 2, 3, 2}, [&](std::span<const int> keys) {
                batches.emplace_back(keys.begin(), keys.end());
                std::vector<std::optional<std::string>> out;
                for (int k : keys)
                    out.push_back(k == 3 ? std::nullopt : std::optional(std::to_string(k)));
                return out;
            });
            CHECK(batches == std::vector<std::vector<int>>{{2, 3}});
            CHECK(r == std::vector<std::optional<std::string>>{"one", "2", std::nullopt, "2"});
        }
        SUBCASE("map") {
            auto r = cache.get_all({3, 1, 2}, [&](std::span<const int> keys) {
                batches.emplace_back(keys.begin(), keys.end());
                return std::unordered_map<int, std::string>{{2, "two"}};  // 3: not found
            });
            CHECK(batches == std::vector<std::vector<int>>{{3, 2}});
            CHECK(r == std::vector<std::optional<std::string>>{std::nullopt, "one", "two"});
        }
        // Everything is cached now, negative answer included: no second batch.
        auto again = cache.get_all({1, 2, 3}, [&](std::span<const int> keys) {
            batches.emplace_back(keys.begin(), keys.end());
            return std::vector<std::optional<std::string>>(keys.size());
        });
        CHECK(batches.size() == 1);
        CHECK(again[0] == "one");
        CHECK(again[2] == std::nullopt);
        CHECK(cache.stats().load_successes == 2);  // the single load and one batch
    }

    TEST_CASE("get_all: a failing batch caches nothing and rethrows; a short answer is an error") {
        IntCache cache({.ttl = 10s});
        CHECK_THROWS_AS(cache.get_all({1, 2},
                                      [](std::span<const int>) -> std::vector<std::string> {
                                          throw std::runtime_error("db down");
                                      }),
                        std::runtime_error);
        CHECK(cache.stats().load_failures == 1);
        CHECK(cache.size() == 0);
        CHECK(cache.loads_in_flight() == 0);
        CHECK_THROWS_AS(
            cache.get_all(
                {1, 2}, [](std::span<const int>) { return std::vector<std::string>{"only one"}; }),
            std::length_error);
        CHECK(cache.loads_in_flight() == 0);
        auto r = cache.get_all({1, 2}, [](std::span<const int> keys) {
            return std::vector<std::string>(keys.size(), "v");
        });
        CHECK(r == std::vector<std::optional<std::string>>{"v", "v"});
    }

    TEST_CASE("get_all waits for a key another thread is loading") {
        IntCache cache({.ttl = 10s});
        std::latch loading(1), release(1);
        std::thread t([&] {
            (void)cache.get_or_load(7, [&](int) {
                loading.count_down();
                release.wait();
                return std::string("seven");
            });
        });
        loading.wait();
        std::thread releaser([&] {
            while (cache.stats().coalesced < 1) std::this_thread::yield();
            release.count_down();
        });
        int batch_calls = 0;
        auto r = cache.get_all({7, 8}, [&](std::span<const int> keys) {
            ++batch_calls;
            CHECK(keys.size() == 1);
            CHECK(keys[0] == 8);
            return std::vector<std::string>{"eight"};
        });
        t.join();
        releaser.join();
        CHECK(batch_calls == 1);
        CHECK(r == std::vector<std::optional<std::string>>{"seven", "eight"});
    }

    TEST_CASE("invalidate and put") {
        cachet::ManualClock clock;
        Cache cache({.ttl = 10s}, clock);
        int db = 1, calls = 0;
        auto loader = [&](const std::string&) {
            ++calls;
            return db;
        };
        CHECK(cache.get_or_load("k", loader) == 1);
        db = 2;
        CHECK(cache.invalidate("k"));
        CHECK_FALSE(cache.invalidate("k"));
        CHECK(cache.get_or_load("k", loader) == 2);
        CHECK(calls == 2);
        cache.put("k", 3);  // write-through
        CHECK(cache.get_or_load("k", loader) == 3);
        CHECK(ttl_ms(cache, "k") == 10'000);
        cache.put("other", 4);
        cache.invalidate_all();
        CHECK(cache.size() == 0);
        CHECK(cache.get_or_load("other", loader) == 2);
        CHECK(calls == 3);
    }

    TEST_CASE("invalidate during a load: the load's result reaches its caller but is not stored") {
        Cache cache({.ttl = 10s});
        int calls = 0;
        auto r = cache.get_or_load("k", [&](const std::string& k) {
            ++calls;
            CHECK_FALSE(cache.invalidate(k));  // a loader may invalidate, even its own key
            return 1;
        });
        CHECK(r == 1);
        CHECK_FALSE(cache.contains("k"));
        r = cache.get_or_load("k", [&](const std::string& k) {
            ++calls;
            cache.put(k, 9);  // or write through: the put wins over the older load
            return 1;
        });
        CHECK(r == 1);
        CHECK(cache.get_or_load("k", [](const std::string&) { return 0; }) == 9);
        CHECK(calls == 2);
    }

    TEST_CASE("a loader that asks for its own key gets a logic_error; other keys are fine") {
        Cache cache({.ttl = 10s});
        std::function<int(const std::string&)> loader = [&](const std::string& k) -> int {
            if (k == "a") return *cache.get_or_load("b", loader) + 1;  // another key: fine
            if (k == "self") return *cache.get_or_load("self", loader);
            return 10;
        };
        CHECK(cache.get_or_load("a", loader) == 11);
        CHECK_THROWS_WITH_AS(cache.get_or_load("self", loader), doctest::Contains("re-entrant"),
                             std::logic_error);
        CHECK_FALSE(cache.contains("self"));
        CHECK(cache.loads_in_flight() == 0);
        CHECK_THROWS_AS(cache.get_or_load("x",
                                          [&](const std::string&) {
                                              return *cache.get_all(
                                                  std::vector<std::string>{"y", "x"},
                                                  [](std::span<const std::string> ks) {
                                                      return std::vector<int>(ks.size(), 1);
                                                  })[0];
                                          }),
                        std::logic_error);
        CHECK(cache.loads_in_flight() == 0);
        CHECK_FALSE(cache.contains("y"));  // the batch was abandoned with the error
        CHECK(cache.get_or_load("y", loader) == 10);
    }

    TEST_CASE("stats account hits, misses, loads, failures and load time") {
        cachet::ManualClock clock;
        Cache cache({.ttl = 10s}, clock);
        auto slow = [&](const std::string&) {
            clock.advance(3ms);  // the loader's time, on the cache's clock
            return 1;
        };
        CHECK(cache.stats().hit_ratio() == 1.0);
        (void)cache.get_or_load("a", slow);
        (void)cache.get_or_load("a", slow);
        (void)cache.get_or_load("a", slow);
        CHECK_THROWS((void)cache.get_or_load("b", [&](const std::string&) -> int {
            clock.advance(1ms);
            throw std::runtime_error("x");
        }));
        const auto st = cache.stats();
        CHECK(st.hits == 2);
        CHECK(st.misses == 2);
        CHECK(st.load_successes == 1);
        CHECK(st.load_failures == 1);
        CHECK(st.loads() == 2);
        CHECK(st.total_load_time_ns == 4'000'000);
        CHECK(st.average_load_ns() == doctest::Approx(2'000'000.0));
        CHECK(st.hit_ratio() == doctest::Approx(0.5));
        cache.reset_stats();
        CHECK(cache.stats().requests() == 0);
        CHECK(cache.stats().loads() == 0);
    }

    TEST_CASE("concurrent mix of gets, puts and invalidations is consistent (TSan)") {
        Cache cache({.ttl = 1h, .max_entries = 64, .shards = 4});
        std::atomic<int> loads{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 2'000; ++i) {
                    const std::string key = "k" + std::to_string((i * 7 + t) % 100);
                    switch (i % 10) {
                        case 0: cache.put(key, static_cast<int>(key.size())); break;
                        case 1: (void)cache.invalidate(key); break;
                        default: {
                            auto v = cache.get_or_load(key, [&](const std::string& k) {
                                loads.fetch_add(1);
                                return static_cast<int>(k.size());
                            });
                            CHECK(v == static_cast<int>(key.size()));
                        }
                    }
                }
                if (t == 0) cache.invalidate_all();
            });
        for (auto& th : threads) th.join();
        CHECK(cache.loads_in_flight() == 0);
        CHECK(cache.stats().load_successes == static_cast<std::uint64_t>(loads.load()));
    }
}

}  // namespace cache_aside_test
