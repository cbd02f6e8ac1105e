// Two API rate limiters on KvStore, as workshops build them with Redis:
//   - fixed window: INCR a counter named after the current window, EXPIRE it with the window;
//     cheap, but a burst straddling a window boundary can pass twice the limit;
//   - sliding window (log): keep each client's recent request times and allow a request only
//     if fewer than `limit` fall in the last `window`; exact, at one timestamp per request.
// A ManualClock makes the run instant and its output exact; a real program uses the default
// steady clock.
#include <cachet/kv_store.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>

using namespace std::chrono_literals;

namespace {

template <class V>
using Store = cachet::KvStore<std::string, V, std::hash<std::string>, std::equal_to<std::string>,
                              cachet::ManualClock>;

/// At most `limit` requests per client in each fixed window of `window`.
class FixedWindowLimiter {
public:
    FixedWindowLimiter(cachet::ManualClock clock, long long limit, std::chrono::milliseconds window)
        : m_counters({}, clock), m_clock(clock), m_limit(limit), m_window(window) {}

    bool allow(const std::string& client) {
        const auto now = m_clock.now().time_since_epoch();
        const long long window_index = now / m_window;
        const std::string key = client + ":" + std::to_string(window_index);
        // INCR + EXPIRE: the first request of a window creates the counter and gives it a TTL,
        // so old windows' counters disappear by themselves.
        const long long n = m_counters.increment(key).value();
        if (n == 1) m_counters.expire(key, m_window);
        return n <= m_limit;
    }
    /// Live counters (expired ones reclaimed first).
    std::size_t counters() {
        m_counters.run_pending();
        return m_counters.size();
    }

private:
    Store<long long> m_counters;
    cachet::ManualClock m_clock;
    long long m_limit;
    std::chrono::milliseconds m_window;
};

/// At most `limit` requests per client in any interval of length `window`.
class SlidingWindowLimiter {
public:
    SlidingWindowLimiter(cachet::ManualClock clock, std::size_t limit,
                         std::chrono::milliseconds window)
        : m_log({}, clock), m_clock(clock), m_limit(limit), m_window(window) {}

    bool allow(const std::string& client) {
        const auto now = m_clock.now().time_since_epoch();
        // compute(): read-modify-write of the client's log under its shard lock, so concurrent
        // requests of one client are counted exactly.
        const bool allowed = m_log.compute(client, [&](std::optional<std::deque<Nanos>>& log) {
            if (!log) log.emplace();
            while (!log->empty() && log->front() <= now - m_window) log->pop_front();
            if (log->size() >= m_limit) return false;
            log->push_back(now);
            return true;
        });
        m_log.expire(client, m_window);  // an idle client's log goes away by itself
        return allowed;
    }

private:
    using Nanos = cachet::ManualClock::duration;
    Store<std::deque<Nanos>> m_log;
    cachet::ManualClock m_clock;
    std::size_t m_limit;
    std::chrono::milliseconds m_window;
};

}  // namespace

int main() {
    cachet::ManualClock clock;
    FixedWindowLimiter fixed(clock, 3, 1s);
    SlidingWindowLimiter sliding(clock, 3, 1s);
    auto ms = [&] {
        return static_cast<long long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
                .count());
    };

    // Bursts at the end of one second and the start of the next: the fixed window lets six
    // requests through in 200 ms, the sliding window only three.
    std::printf("limit: 3 requests per second for client 'api-key-1'\n");
    std::printf("  time     fixed-window    sliding-window\n");
    int fixed_passed = 0, sliding_passed = 0;
    clock.advance(800ms);
    for (int burst = 0; burst < 2; ++burst) {
        for (int i = 0; i < 4; ++i) {
            const bool f = fixed.allow("api-key-1");
            const bool s = sliding.allow("api-key-1");
            fixed_passed += f;
            sliding_passed += s;
            std::printf("  %5lld ms  %-14s  %s\n", ms(), f ? "allowed" : "429 (limited)",
                        s ? "allowed" : "429 (limited)");
            clock.advance(30ms);
        }
        clock.advance(1000ms - 800ms - 4 * 30ms + 10ms);  // into the next second
    }
    std::printf("passed in ~300 ms: fixed window %d, sliding window %d\n", fixed_passed,
                sliding_passed);

    clock.advance(2s);  // both limiters forget the client
    const bool f = fixed.allow("api-key-1");
    const bool s = sliding.allow("api-key-1");
    std::printf("after 2 s idle: fixed %s, sliding %s; fixed-window counters alive: %zu\n",
                f ? "allowed" : "limited", s ? "allowed" : "limited", fixed.counters());
    return fixed_passed == 6 && sliding_passed == 3 ? 0 : 1;
}
