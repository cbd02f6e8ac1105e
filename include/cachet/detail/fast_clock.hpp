#ifndef CACHET_DETAIL_FAST_CLOCK_HPP
#define CACHET_DETAIL_FAST_CLOCK_HPP

/// A cheap reading of `std::chrono::steady_clock` in milliseconds, for the stores' hot paths.
///
/// Why: every store operation needs the time (to hide expired entries and to advance the timing
/// wheel), and `steady_clock::now()` costs ~27 ns in a VM (bench/clock_bench: 37M reads/s
/// against 91M/s for this one, 2.5x); worse, the vDSO orders it with a
/// fence, which stops back-to-back lookups from overlapping their cache misses.
///
/// How: each thread keeps the last steady-clock reading and the TSC value taken with it, and
/// interpolates with the unfenced `rdtsc` (~10 ns, not ordered) for up to 2^20 ticks (a fraction
/// of a millisecond), then reads the steady clock again. The TSC rate is calibrated against the
/// steady clock over the process's life (at least 10 ms of baseline before it is trusted), so
/// the interpolation error over one interval is far below a microsecond; readings are lowered
/// by a 20 us margin so that, rounded down to milliseconds, they are never ahead of the steady
/// clock (a TTL never ends early; it may end up to 20 us late). Readings are monotonic per
/// thread. Each computation also notes how many ticks remain before the next millisecond
/// boundary (and before the interval ends): until then a reading is `rdtsc` and one compare.
/// Used only on x86-64 with an invariant TSC (CPUID 0x80000007 EDX bit 8); elsewhere
/// it is `steady_clock::now()`.

#include <cachet/detail/config.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <x86intrin.h>
#define CACHET_DETAIL_HAVE_TSC 1
#else
#define CACHET_DETAIL_HAVE_TSC 0
#endif

CACHET_NAMESPACE_BEGIN
namespace detail {

[[nodiscard]] inline std::int64_t steady_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

#if CACHET_DETAIL_HAVE_TSC
struct TscCalibration {
    std::uint64_t tsc0;
    std::int64_t ns0;
    bool invariant;
    std::atomic<double> ns_per_tick{0.0};  ///< 0 until the baseline is long enough

    TscCalibration() noexcept : tsc0(__rdtsc()), ns0(steady_ns()), invariant(has_invariant_tsc()) {}

    static bool has_invariant_tsc() noexcept {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (__get_cpuid(0x80000000u, &a, &b, &c, &d) == 0 || a < 0x80000007u) return false;
        if (__get_cpuid(0x80000007u, &a, &b, &c, &d) == 0) return false;
        return (d & (1u << 8)) != 0;
    }
    static TscCalibration& get() noexcept {
        static TscCalibration cal;
        return cal;
    }
};

struct TscThreadState {
    /// The reading stays `last_ms` while the TSC is in [`same_from`, `same_from + same_for`):
    /// up to the next millisecond boundary, and within the interpolation interval.
    std::uint64_t same_from = 0;
    std::uint64_t same_for = 0;  ///< 0: compute
    std::uint64_t last_ms = 0;
    std::uint64_t tsc = 0;
    std::int64_t ns = 0;  ///< steady time read together with `tsc`
    bool valid = false;
};
#endif

/// Milliseconds of `steady_clock` since its epoch, cheaply (see the header comment).
[[nodiscard]] inline std::uint64_t fast_steady_ms() noexcept {
#if CACHET_DETAIL_HAVE_TSC
    static thread_local TscThreadState st;
    const std::uint64_t now_tsc = __rdtsc();
    // The common case: still within the millisecond of the last reading (one compare; a TSC
    // that went backwards wraps to a huge difference and takes the slow path).
    if (CACHET_LIKELY(now_tsc - st.same_from < st.same_for)) return st.last_ms;
    constexpr std::uint64_t resync_ticks = std::uint64_t{1} << 20;
    constexpr std::int64_t margin_ns = 20'000;
    const std::uint64_t dt = now_tsc - st.tsc;  // huge if the TSC went backwards: resync
    TscCalibration& cal = TscCalibration::get();
    const double rate = cal.ns_per_tick.load(std::memory_order_relaxed);
    std::int64_t ns;
    std::uint64_t interval_left = 0;  // ticks before the interpolation must resync
    if (CACHET_LIKELY(st.valid && dt < resync_ticks && rate > 0.0)) {
        ns = st.ns + static_cast<std::int64_t>(static_cast<double>(dt) * rate) - margin_ns;
        interval_left = resync_ticks - dt;
    } else {
        ns = steady_ns();
        st.tsc = __rdtsc();
        st.ns = ns;
        st.valid = cal.invariant;
        const std::int64_t base_ns = ns - cal.ns0;
        if (cal.invariant && base_ns >= 10'000'000 && st.tsc > cal.tsc0)
            cal.ns_per_tick.store(static_cast<double>(base_ns) /
                                      static_cast<double>(st.tsc - cal.tsc0),
                                  std::memory_order_relaxed);
        if (st.valid && rate > 0.0) interval_left = resync_ticks;
    }
    const std::uint64_t ms = ns > 0 ? static_cast<std::uint64_t>(ns / 1'000'000) : 0;
    if (ms > st.last_ms) st.last_ms = ms;
    // Until the next millisecond boundary (rounded down in ticks, so never past it) the
    // reading cannot change: remember how many ticks that is.
    st.same_for = 0;
    if (interval_left != 0 && ns > 0 && ms == st.last_ms) {
        const auto to_boundary = static_cast<double>((ms + 1) * 1'000'000 - static_cast<std::uint64_t>(ns));
        const auto ticks = static_cast<std::uint64_t>(to_boundary / rate);
        st.same_from = now_tsc;
        st.same_for = ticks < interval_left ? ticks : interval_left;
    }
    return st.last_ms;
#else
    const std::int64_t ns = steady_ns();
    return ns > 0 ? static_cast<std::uint64_t>(ns / 1'000'000) : 0;
#endif
}

/// A cheap, unordered tick count for timing short intervals (a command's run time for INFO
/// commandstats): the TSC where `fast_steady_ms` uses it, else steady-clock nanoseconds.
/// Convert a difference with `ticks_to_ns`.
[[nodiscard]] inline std::uint64_t fast_ticks() noexcept {
#if CACHET_DETAIL_HAVE_TSC
    if (CACHET_LIKELY(TscCalibration::get().invariant)) return __rdtsc();
#endif
    return static_cast<std::uint64_t>(steady_ns());
}
/// Nanoseconds in `ticks` of `fast_ticks` (the TSC's rate as calibrated so far; before the
/// calibration has 10 ms of baseline, it is measured on the spot).
[[nodiscard]] inline double ticks_to_ns(std::uint64_t ticks) noexcept {
#if CACHET_DETAIL_HAVE_TSC
    TscCalibration& cal = TscCalibration::get();
    if (cal.invariant) {
        double rate = cal.ns_per_tick.load(std::memory_order_relaxed);
        if (rate <= 0.0) {
            const std::uint64_t t = __rdtsc();
            const std::int64_t ns = steady_ns() - cal.ns0;
            rate = t > cal.tsc0 && ns > 0 ? static_cast<double>(ns) / static_cast<double>(t - cal.tsc0) : 0.0;
        }
        return static_cast<double>(ticks) * rate;
    }
#endif
    return static_cast<double>(ticks);
}

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_FAST_CLOCK_HPP
