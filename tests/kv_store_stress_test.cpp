// Concurrency stress: several threads run random operations on one store; counters whose
// final totals are known check that no increment is lost, and the removal listener accounts
// for every entry that left. Run under ThreadSanitizer by scripts/test (the tsan preset).

#include "support/test_store.hpp"

#include <cachet/kv_store.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <barrier>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

namespace kv_store_stress_test {

using namespace std::chrono_literals;
using cachet::RemovalCause;

namespace {
constexpr int threads = 4;
#if defined(__SANITIZE_THREAD__)
constexpr int ops_per_thread = 20000;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr int ops_per_thread = 20000;
#else
constexpr int ops_per_thread = 60000;
#endif
#else
constexpr int ops_per_thread = 60000;
#endif
}  // namespace

TEST_SUITE("kv_store_stress") {
    TEST_CASE("concurrent increments are never lost") {
        cachet::KvStore<std::uint64_t, std::int64_t> kv({.shards = 4});
        constexpr std::uint64_t counters = 16;
        std::barrier start(threads);
        std::vector<std::jthread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                std::mt19937_64 rng(static_cast<std::uint64_t>(t) + 1);
                start.arrive_and_wait();
                for (int i = 0; i < ops_per_thread; ++i) {
                    const std::uint64_t k = rng() % counters;
                    CHECK(kv.increment(k, 1).has_value());
                    if (i % 7 == 0) (void)kv.get(rng() % counters);
                    if (i % 13 == 0) (void)kv.ttl(rng() % counters);
                }
            });
        pool.clear();
        std::int64_t total = 0;
        for (std::uint64_t k = 0; k < counters; ++k) total += kv.get(k).value_or(0);
        CHECK(total == std::int64_t{threads} * ops_per_thread);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("random operations with TTLs, a bound and a janitor: every removal accounted for") {
        cachet::ManualClock clock;
        std::atomic<std::int64_t> removed_weight{0};
        std::atomic<std::uint64_t> expired{0}, evicted{0}, erased{0}, replaced{0};
        cachet::KvStore<std::uint64_t, std::int64_t, std::hash<std::uint64_t>,
                        std::equal_to<std::uint64_t>, cachet::ManualClock>
            kv({.shards = 4,
                .max_entries = 256,
                .removal_listener =
                    [&](const std::uint64_t&, const std::int64_t& v, RemovalCause c) {
                        removed_weight += v;
                        switch (c) {
                            case RemovalCause::expired: ++expired; break;
                            case RemovalCause::evicted: ++evicted; break;
                            case RemovalCause::erased: ++erased; break;
                            case RemovalCause::replaced: ++replaced; break;
                        }
                    }},
               clock);
        kv.start_janitor(1ms);
        // Every value ever written is 1, so sum(written) == sum(removed) + sum(present).
        std::atomic<std::int64_t> written{0};
        std::barrier start(threads + 1);
        std::vector<std::jthread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                std::mt19937_64 rng(static_cast<std::uint64_t>(t) * 7919 + 3);
                start.arrive_and_wait();
                for (int i = 0; i < ops_per_thread; ++i) {
                    const std::uint64_t k = rng() % 1024;
                    switch (rng() % 8) {
                        case 0:
                        case 1: kv.put(k, 1); ++written; break;
                        case 2: kv.put(k, 1, std::chrono::milliseconds(1 + rng() % 50)); ++written;
                            break;
                        case 3: kv.erase(k); break;
                        case 4: (void)kv.get(k); break;
                        case 5: kv.expire(k, std::chrono::milliseconds(rng() % 20)); break;
                        case 6:
                            if (kv.put_if_absent(k, 1)) ++written;
                            break;
                        default: (void)kv.get_and_erase(k); break;
                    }
                }
            });
        // The main thread is the clock: time moves while the workers run.
        std::jthread ticker([&](std::stop_token st) {
            start.arrive_and_wait();
            while (!st.stop_requested()) {
                clock.advance(1ms);
                std::this_thread::yield();
            }
        });
        pool.clear();
        ticker.request_stop();
        ticker.join();
        kv.stop_janitor();
        kv.run_pending();
        std::int64_t present = 0;
        kv.for_each([&](const std::uint64_t&, const std::int64_t& v) { present += v; });
        CHECK(kv.size() <= 256);
        // Each written value is still present or was announced exactly once as it left
        // (replaced, erased, expired or evicted).
        CHECK(removed_weight.load() + present == written.load());
        const auto st = kv.stats();
        CHECK(st.evictions == evicted.load());
        CHECK(st.expirations == expired.load());
        CHECK(st.erasures == erased.load());
        CHECK(st.size == static_cast<std::uint64_t>(kv.size()));
        CHECK(kv.check_invariants());
    }
}

}  // namespace kv_store_stress_test
