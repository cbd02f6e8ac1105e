#include <cachet/clock.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using cachet::ManualClock;
using cachet::detail::ceil_ms;

TEST_SUITE("clock") {
    TEST_CASE("ManualClock starts at the epoch unless told otherwise") {
        const ManualClock clock;
        CHECK(clock.now().time_since_epoch() == ManualClock::duration::zero());
        CHECK(cachet::detail::ms_since_epoch(clock) == 0);

        const ManualClock later(ManualClock::time_point{5s});
        CHECK(later.now().time_since_epoch() == 5s);
    }

    TEST_CASE("ManualClock moves only when advanced") {
        ManualClock clock;
        clock.advance(5s);
        CHECK(clock.now().time_since_epoch() == 5s);
        CHECK(clock.now() == clock.now());
        clock.advance(250ms);
        clock.advance(1ns);
        CHECK(clock.now().time_since_epoch() == 5s + 250ms + 1ns);
        CHECK(cachet::detail::ms_since_epoch(clock) == 5250);  // rounded down
    }

    TEST_CASE("copies of a ManualClock share one time") {
        ManualClock clock;
        const ManualClock copy = clock;  // NOLINT(performance-unnecessary-copy-initialization)
        ManualClock assigned;
        assigned = clock;
        clock.advance(30s);
        CHECK(copy.now().time_since_epoch() == 30s);
        CHECK(assigned.now().time_since_epoch() == 30s);
        assigned.advance(45s);
        CHECK(clock.now().time_since_epoch() == 75s);
    }

    TEST_CASE("ManualClock::set moves forward, never backwards") {
        ManualClock clock;
        clock.set(ManualClock::time_point{10s});
        CHECK(clock.now().time_since_epoch() == 10s);
        clock.set(ManualClock::time_point{3s});
        CHECK(clock.now().time_since_epoch() == 10s);
        clock.set(ManualClock::time_point{10s});
        CHECK(clock.now().time_since_epoch() == 10s);
        clock.set(ManualClock::time_point{11s});
        CHECK(clock.now().time_since_epoch() == 11s);
    }

    TEST_CASE("ManualClock ignores a negative or zero advance") {
        ManualClock clock;
        clock.advance(2s);
        clock.advance(-1s);
        clock.advance(-1ns);
        clock.advance(0s);
        CHECK(clock.now().time_since_epoch() == 2s);
    }

    TEST_CASE("ManualClock advances from several threads add up") {
        ManualClock clock;
        constexpr int threads = 2;
        constexpr int steps = 10'000;
        std::vector<std::thread> pool;
        pool.reserve(threads);
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([clock]() mutable {
                for (int i = 0; i < steps; ++i) {
                    clock.advance(1ms);
                    (void)clock.now();
                }
            });
        }
        for (auto& th : pool) th.join();
        CHECK(clock.now().time_since_epoch() == std::chrono::milliseconds(threads * steps));
    }

    TEST_CASE("ceil_ms rounds up to whole milliseconds") {
        CHECK(ceil_ms(1ns) == 1);
        CHECK(ceil_ms(999us) == 1);
        CHECK(ceil_ms(1ms) == 1);
        CHECK(ceil_ms(1000001ns) == 2);
        CHECK(ceil_ms(1500us) == 2);
        CHECK(ceil_ms(std::chrono::duration<double, std::milli>(1.5)) == 2);
        CHECK(ceil_ms(std::chrono::duration<double>(0.001)) == 1);
        CHECK(ceil_ms(2s) == 2000);
        CHECK(ceil_ms(1min) == 60'000);
        static_assert(ceil_ms(1ns) == 1);
        static_assert(ceil_ms(1500us) == 2);
    }

    TEST_CASE("ceil_ms saturates at UINT64_MAX / 4") {
        constexpr std::uint64_t cap = UINT64_MAX / 4;
        CHECK(ceil_ms(std::chrono::hours::max()) == cap);
        CHECK(ceil_ms(std::chrono::nanoseconds::max()) < cap);  // ~292 years fits
        CHECK(ceil_ms(std::chrono::duration<double>(1e300)) == cap);
    }

    TEST_CASE("ceil_ms of zero or a negative duration is 0") {
        CHECK(ceil_ms(0ns) == 0);
        CHECK(ceil_ms(0ms) == 0);
        CHECK(ceil_ms(-1ns) == 0);
        CHECK(ceil_ms(-5s) == 0);
        CHECK(ceil_ms(std::chrono::hours::min()) == 0);
        CHECK(ceil_ms(std::chrono::duration<double, std::milli>(-0.5)) == 0);
    }
}

TEST_SUITE("clock") {
    TEST_CASE("the fast steady clock is never ahead of steady_clock and never goes backwards") {
        using namespace std::chrono;
        auto exact_ms = [] {
            return static_cast<std::uint64_t>(
                duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
        };
        std::uint64_t last = 0;
        for (int i = 0; i < 200000; ++i) {
            const std::uint64_t before = exact_ms();
            const std::uint64_t fast = cachet::detail::ms_since_epoch(steady_clock{});
            const std::uint64_t after = exact_ms();
            REQUIRE(fast <= after);       // never ahead: a TTL never ends early
            REQUIRE(fast + 1 >= before);  // never stale by more than the rounding
            REQUIRE(fast >= last);        // monotonic on this thread
            last = fast;
        }
    }
}
