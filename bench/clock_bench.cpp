// The cost of reading the time, as the stores do on every operation: the TSC-interpolated
// steady clock (cachet::detail::ms_since_epoch(steady_clock)) against steady_clock::now()
// converted to milliseconds, its baseline, in the same binary.
//
//   build/release/bench/clock_bench --benchmark_repetitions=9
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//       --benchmark_out=clock.json --benchmark_out_format=json && python3 bench/report.py clock.json
//
// Claim checked (detail/fast_clock.hpp, README): the fast reading costs well under half of a
// steady_clock::now() call.

#include <benchmark/benchmark.h>

#include <cachet/clock.hpp>

#include <chrono>
#include <cstdint>

namespace {

struct CachetFastClock {
    static std::uint64_t ms() { return cachet::detail::ms_since_epoch(std::chrono::steady_clock{}); }
};

struct SteadyNow {
    static std::uint64_t ms() {
        return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now().time_since_epoch())
                                              .count());
    }
};

template <class Clock>
void BM_read_ms(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(Clock::ms());
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK_TEMPLATE(BM_read_ms, CachetFastClock);
BENCHMARK_TEMPLATE(BM_read_ms, SteadyNow);
