#ifndef CACHET_CLOCK_HPP
#define CACHET_CLOCK_HPP

/// Time sources. Every cachet component reads time through a `Clock` template parameter, never
/// from `std::chrono::steady_clock` directly, so tests drive TTLs with `ManualClock::advance`
/// instead of sleeping. TTLs use monotonic time only; the wall clock is never consulted.
///
/// Internally the stores work in whole milliseconds (`ms_since_epoch`), the resolution of their
/// timing wheel.

#include <cachet/detail/config.hpp>
#include <cachet/detail/fast_clock.hpp>

#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#define CACHET_DETAIL_ATFORK 1
#endif

CACHET_NAMESPACE_BEGIN

/// A clock is anything with a `now()` returning a `std::chrono::time_point`, like the std clocks.
/// It must be monotonic (never go backwards); cachet tolerates a clock that stands still.
template <class C>
concept Clock = requires(const C& c) {
    typename C::duration;
    typename C::time_point;
    { c.now() } -> std::same_as<typename C::time_point>;
};

/// The default clock: `std::chrono::steady_clock`, stateless and monotonic.
using SteadyClock = std::chrono::steady_clock;

/// A clock that only moves when told to. Copies share one time (the state is reference-counted),
/// so a test keeps a copy and advances the store's clock through it:
///
/// ```cpp
/// cachet::ManualClock clock;
/// cachet::KvStore<std::string, int, ..., cachet::ManualClock> kv({}, clock);
/// clock.advance(30s);
/// ```
///
/// `now()` is `noexcept`, lock-free and thread-safe; `advance` and `set` are thread-safe.
class ManualClock {
public:
    using rep = std::int64_t;
    using period = std::nano;
    using duration = std::chrono::duration<rep, period>;
    using time_point = std::chrono::time_point<ManualClock, duration>;
    static constexpr bool is_steady = true;

    /// Starts at `start` (default: the epoch, 0).
    explicit ManualClock(time_point start = time_point{})
        : m_now(std::make_shared<std::atomic<rep>>(start.time_since_epoch().count())) {}

    [[nodiscard]] time_point now() const noexcept {
        return time_point{duration{m_now->load(std::memory_order_acquire)}};
    }

    /// Moves time forward by `d`. A negative `d` is a broken precondition (clocks are monotonic)
    /// and is ignored.
    template <class Rep, class Period>
    void advance(std::chrono::duration<Rep, Period> d) noexcept {
        const auto delta = std::chrono::duration_cast<duration>(d).count();
        if (delta > 0) m_now->fetch_add(delta, std::memory_order_acq_rel);
    }

    /// Sets the time to `t` if it is later than now; never moves time backwards.
    void set(time_point t) noexcept {
        rep target = t.time_since_epoch().count();
        rep cur = m_now->load(std::memory_order_acquire);
        while (cur < target &&
               !m_now->compare_exchange_weak(cur, target, std::memory_order_acq_rel)) {
        }
    }

private:
    std::shared_ptr<std::atomic<rep>> m_now;
};

namespace detail {
/// The process-wide ticker behind `CoarseClock`: one background thread, running while at least
/// one `CoarseClock` exists, that stores `steady_clock`'s milliseconds every millisecond.
/// Each thread started runs for one generation: stopping it (the last clock gone) moves the
/// generation on, so a clock made while the old thread is still being joined starts a new
/// thread of its own instead of reviving the old one.
class CoarseTicker {
public:
    static CoarseTicker& instance() {
        static CoarseTicker t;
        return t;
    }
    /// The latest stored reading (steady_clock milliseconds). Lock-free (but the first reading
    /// in a child process after `fork()`, which restarts the thread there).
    [[nodiscard]] std::int64_t now_ms() noexcept {
        if (CACHET_UNLIKELY(m_forked.load(std::memory_order_relaxed))) restart_after_fork();
        return m_ms.load(std::memory_order_acquire);
    }

    void acquire() {
        std::lock_guard lock(m_mutex);
        if (m_refs++ == 0) {
            publish();  // the first reading is exact, not one period old
            try {
                start();
            } catch (...) {
                --m_refs;
                throw;
            }
        }
    }
    void release() noexcept {
        std::thread done;
        {
            std::lock_guard lock(m_mutex);
            if (--m_refs != 0) return;
            ++m_generation;  // ends the running thread's generation
            done.swap(m_thread);
        }
        finish(std::move(done));
    }

    CoarseTicker(const CoarseTicker&) = delete;
    CoarseTicker& operator=(const CoarseTicker&) = delete;
    ~CoarseTicker() {  // at exit, with clocks still alive (a leaked store): stop the thread
        std::thread done;
        {
            std::lock_guard lock(m_mutex);
            ++m_generation;
            done.swap(m_thread);
        }
        finish(std::move(done));
    }

private:
    /// Wakes and joins the thread `done`, taken from m_thread as its generation ended.
    void finish(std::thread done) noexcept {
        m_wake.notify_all();
        if (done.joinable()) done.join();
    }

    CoarseTicker() {
#ifdef CACHET_DETAIL_ATFORK
        // A child process has no ticker thread: without this, its clocks would stand still.
        ::pthread_atfork([] { instance().m_mutex.lock(); }, [] { instance().m_mutex.unlock(); },
                         [] { instance().after_fork_in_child(); });
#endif
    }

    /// Stores steady_clock's reading. Under m_mutex, so readings stored by two threads (one
    /// ending, one starting) still only move forward.
    void publish() noexcept {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
        if (ms > m_ms.load(std::memory_order_relaxed)) m_ms.store(ms, std::memory_order_release);
    }
    void run(std::uint64_t gen) {
        std::unique_lock lock(m_mutex);
        while (m_generation == gen) {
            publish();
            m_wake.wait_for(lock, std::chrono::milliseconds(1));
        }
    }
#ifdef CACHET_DETAIL_ATFORK
    /// In the child, with m_mutex held by the prepare handler: the parent's thread does not
    /// exist here, so its handle is dropped (not joined); the new thread is started by the
    /// child's next reading (`restart_after_fork`), not here, as a fork handler should not
    /// start threads.
    void after_fork_in_child() noexcept {
        new (&m_thread) std::thread();  // forget the parent's handle without destroying it
        new (&m_wake) std::condition_variable();
        publish();
        m_forked.store(true, std::memory_order_relaxed);
        m_mutex.unlock();
    }
#endif
    /// Starts the child's ticker thread if clocks exist. If the thread cannot start, readings
    /// stay where they are until the last clock goes and a new one comes.
    void restart_after_fork() noexcept {
        std::lock_guard lock(m_mutex);
        if (!m_forked.load(std::memory_order_relaxed)) return;
        m_forked.store(false, std::memory_order_relaxed);
        publish();
        if (m_refs == 0 || m_thread.joinable()) return;
        try {
            start();
        } catch (...) {
        }
    }
    /// Starts a thread for a new generation. Under m_mutex. Throws std::system_error.
    void start() {
        const std::uint64_t gen = ++m_generation;
        m_thread = std::thread([this, gen] { run(gen); });
    }

    std::atomic<std::int64_t> m_ms{0};
    std::atomic<bool> m_forked{false};  ///< a child process whose thread is not restarted yet
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::thread m_thread;
    std::size_t m_refs = 0;
    std::uint64_t m_generation = 0;  ///< the running thread's; moved on to stop it
};
}  // namespace detail

/// A low-resolution clock read from memory, for stores whose reads must not wait on a clock
/// instruction (Seastar's `lowres_clock`, memcached's `current_time`, Redis's cached `mstime`).
/// A process-wide background thread stores `steady_clock`'s time in milliseconds every
/// millisecond while any `CoarseClock` exists (the first one starts it, the last one stops
/// it); `now()` is two relaxed/acquire loads of one cache line (the reading, and a flag set
/// in a child process after `fork()`).
///
/// Why: every store operation reads its clock once, for the TTL check. `SteadyClock` costs
/// `rdtsc`, and on the x86 machines measured here a `rdtsc` waits for the loads before it to
/// complete, so a run of lookups whose entries are not in cache can no longer overlap their
/// cache misses: in `bench/kv_store_bench`'s uint64 get-hit row (1M entries), reading this
/// clock instead roughly halves the time per lookup (see README, Performance).
///
/// The price is precision: a reading lags `steady_clock` by up to a millisecond plus however
/// long the ticker thread waits to be scheduled (on a loaded machine, possibly several ms), so
/// TTLs end that much late; never early (readings are never ahead of steady_clock, and
/// monotonic). The thread wakes 1,000 times a second. Copies share the one ticker. After
/// `fork()` the child's first reading restarts the thread for its own clocks: starting a thread
/// in the child of a multi-threaded process needs an allocator that stays usable after
/// `fork()`, as glibc's malloc does (Clang 14's AddressSanitizer runtime does not: a child
/// forked while another thread is inside it can block when its first thread starts).
///
/// ```cpp
/// cachet::KvStore<std::string, int, std::hash<std::string>, std::equal_to<>,
///                 cachet::CoarseClock> kv;
/// ```
/// Thread-safe; `now()` is lock-free and noexcept. Constructing the first clock may throw
/// `std::system_error` if the thread cannot start.
class CoarseClock {
public:
    using rep = std::int64_t;
    using period = std::milli;
    using duration = std::chrono::duration<rep, period>;
    using time_point = std::chrono::time_point<CoarseClock, duration>;
    static constexpr bool is_steady = true;

    CoarseClock() : m_ticker(&detail::CoarseTicker::instance()) { m_ticker->acquire(); }
    CoarseClock(const CoarseClock&) : CoarseClock() {}
    CoarseClock& operator=(const CoarseClock&) noexcept { return *this; }
    ~CoarseClock() { m_ticker->release(); }

    /// `steady_clock`'s time (same epoch) as of the ticker's latest reading.
    [[nodiscard]] time_point now() const noexcept { return time_point{duration{m_ticker->now_ms()}}; }

private:
    detail::CoarseTicker* m_ticker;
};

static_assert(Clock<SteadyClock>);
static_assert(Clock<ManualClock>);
static_assert(Clock<CoarseClock>);

namespace detail {
/// Milliseconds since the clock's epoch, rounded down. Deadlines are computed with
/// `deadline_after`, which rounds up, so a TTL never ends early.
template <Clock C>
[[nodiscard]] inline std::uint64_t ms_since_epoch(const C& clock) noexcept {
    if constexpr (std::is_same_v<C, std::chrono::steady_clock>) {
        return fast_steady_ms();  // same epoch and value, without the fenced clock read
    }
    const auto d = clock.now().time_since_epoch();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return ms < 0 ? 0 : static_cast<std::uint64_t>(ms);
}

/// A duration in whole milliseconds, rounded up (1 ns -> 1 ms), saturating at `UINT64_MAX / 4`.
/// Precondition: `d > 0`.
template <class Rep, class Period>
[[nodiscard]] constexpr std::uint64_t ceil_ms(std::chrono::duration<Rep, Period> d) noexcept {
    using namespace std::chrono;
    constexpr std::uint64_t cap = UINT64_MAX / 4;
    // Decide saturation in floating point so that huge durations (hours::max()) cannot overflow.
    const double ms = duration<double, std::milli>(d).count();
    if (!(ms < static_cast<double>(cap))) return cap;
    if (!(ms > 0)) return 0;
    if constexpr (std::is_floating_point_v<Rep>) {
        const auto whole = static_cast<std::uint64_t>(ms);
        return static_cast<double>(whole) < ms ? whole + 1 : whole;
    } else {
        return static_cast<std::uint64_t>(ceil<milliseconds>(d).count());
    }
}
}  // namespace detail

CACHET_NAMESPACE_END

#endif  // CACHET_CLOCK_HPP
