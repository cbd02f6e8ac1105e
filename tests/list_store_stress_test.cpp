// Concurrency stress for ListStore's blocking pops: many producers and consumers of every kind
// (BLPOP, BRPOP, BLMPOP, BLMOVE, short timeouts that race with pushes, non-blocking LMPOP,
// stop-token cancellation) over a few keys; every pushed element must be popped exactly once.
// Run under ThreadSanitizer by scripts/test (the tsan preset).

#include <cachet/list_store.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace list_store_stress_test {

using namespace std::chrono_literals;
using cachet::ListEnd;

namespace {

#if defined(__SANITIZE_THREAD__)
constexpr std::uint64_t per_producer = 3000;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr std::uint64_t per_producer = 3000;
#else
constexpr std::uint64_t per_producer = 20000;
#endif
#else
constexpr std::uint64_t per_producer = 20000;
#endif

using Store = cachet::ListStore<std::string, std::uint64_t>;

/// What the consumers saw: each element's delivery count, their number and their sum.
struct Ledger {
    explicit Ledger(std::uint64_t n) : seen(new std::atomic<std::uint32_t>[n + 1]), size(n) {
        for (std::uint64_t i = 0; i <= n; ++i) seen[i].store(0, std::memory_order_relaxed);
    }
    void record(std::uint64_t v) {
        if (v < 1 || v > size) {  // checked by the test thread (a failing REQUIRE here would
            bad.fetch_add(1);     // throw on a consumer thread)
            return;
        }
        seen[v].fetch_add(1, std::memory_order_relaxed);
        sum.fetch_add(v, std::memory_order_relaxed);
        count.fetch_add(1, std::memory_order_release);
    }
    std::unique_ptr<std::atomic<std::uint32_t>[]> seen;
    std::uint64_t size;
    std::atomic<std::uint64_t> count{0}, sum{0}, bad{0};
};

/// Waits (yielding) until `done()` holds; gives up after `limit` so a lost element fails the
/// test instead of hanging it. Not a timing assertion: the limit is far beyond any real run.
template <class F>
bool wait_for(F&& done, std::chrono::seconds limit = 300s) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::yield();
    }
    return true;
}

}  // namespace

TEST_SUITE("list_store_stress") {
    TEST_CASE("every pushed element is popped exactly once, whatever pops it") {
        constexpr std::uint64_t producers = 3;
        constexpr std::uint64_t total = producers * per_producer;
        Store s({.shards = 4});
        Ledger ledger(total);
        const std::vector<std::string> all{"a", "b", "c"};
        std::atomic<std::uint64_t> moved{0};

        std::vector<std::jthread> consumers;
        // BLPOP on every key, with short timeouts that race against the pushes.
        consumers.emplace_back([&](std::stop_token stop) {
            while (!stop.stop_requested())
                if (auto got = s.pop_front_wait(all, 1ms, stop)) ledger.record(got->second);
        });
        // BRPOP on two keys, no time limit: only the stop request ends it.
        consumers.emplace_back([&](std::stop_token stop) {
            while (!stop.stop_requested())
                if (auto got = s.pop_back_wait({"c", "a"}, 0s, stop)) ledger.record(got->second);
        });
        // BLMPOP, up to 4 at a time.
        consumers.emplace_back([&](std::stop_token stop) {
            while (!stop.stop_requested())
                if (auto got = s.pop_wait({"b", "c", "a"}, ListEnd::back, 4, 0s, stop))
                    for (auto v : got->second) ledger.record(v);
        });
        // BLMOVE from "a" into "moved", and a BLPOP that drains "moved".
        consumers.emplace_back([&](std::stop_token stop) {
            while (!stop.stop_requested())
                if (s.move_wait("a", "moved", ListEnd::front, ListEnd::back, 0s, stop)) ++moved;
        });
        consumers.emplace_back([&](std::stop_token stop) {
            while (!stop.stop_requested())
                if (auto got = s.pop_front_wait("moved", 0s, stop)) ledger.record(got->second);
        });
        // Non-blocking LMPOP, polling.
        consumers.emplace_back([&](std::stop_token stop) {
            const std::vector<std::string> keys{"moved", "b", "a", "c"};
            while (!stop.stop_requested()) {
                if (auto got = s.pop(std::span<const std::string>(keys), ListEnd::front, 2))
                    for (auto v : got->second) ledger.record(v);
                else
                    std::this_thread::yield();
            }
        });

        std::vector<std::jthread> pushers;
        for (std::uint64_t p = 0; p < producers; ++p) {
            pushers.emplace_back([&, p] {
                std::uint64_t i = 0;
                auto next = [&] { return p * per_producer + ++i; };
                while (i < per_producer) {
                    const std::string& k = all[(i + p) % all.size()];
                    switch (i % 5) {
                        case 0: s.push_back(k, next()); break;
                        case 1: s.push_front(k, next()); break;
                        case 2:
                            if (per_producer - i >= 3) {
                                const std::vector<std::uint64_t> batch{next(), next(), next()};
                                s.push_back_range(k, batch);
                            } else {
                                s.push_back(k, next());
                            }
                            break;
                        case 3:
                            // LPUSHX may decline (absent key): then push normally.
                            {
                                const std::uint64_t v = next();
                                if (s.push_front_if_exists(k, v) == 0) s.push_back(k, v);
                            }
                            break;
                        default: s.push_back(k, next()); break;
                    }
                }
            });
        }
        pushers.clear();  // joined: everything is pushed

        const bool drained = wait_for([&] { return ledger.count.load() >= total; });
        for (auto& c : consumers) c.request_stop();
        consumers.clear();

        CHECK(drained);
        CHECK(ledger.bad.load() == 0);
        CHECK(ledger.count.load() == total);
        CHECK(ledger.sum.load() == total * (total + 1) / 2);
        std::uint64_t twice = 0, never = 0;
        for (std::uint64_t v = 1; v <= total; ++v) {
            twice += ledger.seen[v].load() > 1;
            never += ledger.seen[v].load() == 0;
        }
        CHECK(twice == 0);
        CHECK(never == 0);
        CHECK(s.size() == 0);
        for (const char* k : {"a", "b", "c", "moved"}) CHECK(s.backend().waiters().queued(k) == 0);
        CHECK(s.check_invariants());
        MESSAGE("elements moved by BLMOVE before being popped: " << moved.load());
    }

    TEST_CASE("each consumer of one queue receives its elements in push order") {
        constexpr std::uint64_t total = per_producer * 2;
        constexpr int consumer_count = 3;
        Store s({.shards = 2});
        std::vector<std::vector<std::uint64_t>> got(consumer_count);
        std::atomic<std::uint64_t> popped{0};
        std::vector<std::jthread> consumers;
        for (int c = 0; c < consumer_count; ++c) {
            consumers.emplace_back([&, c](std::stop_token stop) {
                auto& mine = got[static_cast<std::size_t>(c)];
                while (!stop.stop_requested()) {
                    if (auto v = s.pop_front_wait("q", 0s, stop)) {
                        mine.push_back(v->second);
                        popped.fetch_add(1, std::memory_order_release);
                    }
                }
            });
        }
        {
            std::jthread producer([&] {
                for (std::uint64_t v = 1; v <= total; ++v) s.push_back("q", v);
            });
        }
        const bool drained =
            wait_for([&] { return popped.load(std::memory_order_acquire) >= total; });
        for (auto& c : consumers) c.request_stop();
        consumers.clear();
        CHECK(drained);
        std::uint64_t n = 0;
        for (const auto& mine : got) {
            n += mine.size();
            for (std::size_t i = 1; i < mine.size(); ++i) REQUIRE(mine[i - 1] < mine[i]);
        }
        CHECK(n == total);
        CHECK(s.size() == 0);
    }
}

}  // namespace list_store_stress_test
