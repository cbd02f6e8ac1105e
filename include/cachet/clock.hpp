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
#include <cstdint>
#include <memory>
#include <type_traits>

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

static_assert(Clock<SteadyClock>);
static_assert(Clock<ManualClock>);

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
