// cachet::TimerWheel against the usual baseline, a std::multimap from deadline to timer (each timer
// keeps its iterator, so cancel is O(log n); expiry pops from begin() while deadline <= now).
//
// Run (report the ratio of the medians; `python3 bench/report.py x.json` prints it):
//   ./timer_wheel_bench --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true
//       --benchmark_report_aggregates_only=true [--benchmark_out=x.json --benchmark_out_format=json]
//
// Workloads, 1M timers per iteration, deadlines uniform in [now, now + 10 min] (ms), timer nodes
// allocated once outside the timed loop; items/s counts timers:
//   BM_schedule_cancel         schedule 1M, then cancel all 1M in scheduling order
//   BM_schedule_cancel_random  the same, cancelling in a fixed random order (cache-hostile)
//   BM_schedule_expire         schedule 1M, then advance time in 1 ms steps until all 1M fired
//
// Goal: the wheel is at least 10x faster than the multimap on schedule+cancel and on
// schedule+expire.

#include <benchmark/benchmark.h>

#include <cachet/timer_wheel.hpp>

#include "adapters.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <vector>

namespace {

constexpr std::size_t timer_count = 1'000'000;
constexpr std::uint64_t horizon_ms = 10 * 60 * 1000;
constexpr std::uint64_t step_ms = 1;

/// Deadline offsets from "now", uniform in [0, horizon_ms]; fixed seed.
const std::vector<std::uint64_t>& offsets() {
    static const auto v = bench::uniform_keys(horizon_ms + 1, timer_count, /*seed=*/7);
    return v;
}

/// A fixed random permutation of [0, timer_count): the order of BM_schedule_cancel_random.
const std::vector<std::size_t>& shuffled() {
    static const auto v = [] {
        std::vector<std::size_t> p(timer_count);
        std::iota(p.begin(), p.end(), std::size_t{0});
        bench::SplitMix64 rng(11);
        for (std::size_t i = p.size() - 1; i > 0; --i) std::swap(p[i], p[rng.below(i + 1)]);
        return p;
    }();
    return v;
}

/// cachet's wheel: intrusive nodes, O(1) schedule and cancel.
class CachetTimerWheel {
public:
    static constexpr const char* name = "CachetTimerWheel";
    struct Node : cachet::TimerHook {};

    void schedule(Node* node, std::uint64_t deadline) noexcept { m_wheel.schedule(node, deadline); }
    void cancel(Node* node) noexcept { m_wheel.cancel(node); }
    template <class F>
    void advance(std::uint64_t now, F&& on_expire) {
        m_wheel.advance(now, on_expire);
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_wheel.size(); }

private:
    cachet::TimerWheel<Node> m_wheel{0};
};

/// The baseline: an ordered multimap deadline -> node; each node remembers its position.
class Multimap {
public:
    static constexpr const char* name = "Multimap";
    struct Node;
    using Map = std::multimap<std::uint64_t, Node*>;
    struct Node {
        Map::iterator pos{};
        bool scheduled = false;
    };

    void schedule(Node* node, std::uint64_t deadline) {
        if (node->scheduled) m_map.erase(node->pos);
        node->pos = m_map.emplace(deadline, node);  // after equal keys: FIFO ties, like the wheel
        node->scheduled = true;
    }
    void cancel(Node* node) noexcept {
        if (!node->scheduled) return;
        m_map.erase(node->pos);
        node->scheduled = false;
    }
    template <class F>
    void advance(std::uint64_t now, F&& on_expire) {
        while (!m_map.empty() && m_map.begin()->first <= now) {
            Node* node = m_map.begin()->second;
            m_map.erase(m_map.begin());
            node->scheduled = false;
            on_expire(node);
        }
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_map.size(); }

private:
    Map m_map;
};

template <class Timers>
void BM_schedule_cancel(benchmark::State& state, bool random_order) {
    using Node = typename Timers::Node;
    const auto& offs = offsets();
    const auto& order = shuffled();
    std::vector<Node> nodes(timer_count);
    Timers timers;
    for (auto _ : state) {
        for (std::size_t i = 0; i < timer_count; ++i) timers.schedule(&nodes[i], offs[i]);
        if (random_order) {
            for (std::size_t i : order) timers.cancel(&nodes[i]);
        } else {
            for (std::size_t i = 0; i < timer_count; ++i) timers.cancel(&nodes[i]);
        }
        benchmark::ClobberMemory();
    }
    if (timers.size() != 0) state.SkipWithError("timers left after cancel");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * timer_count));
}

template <class Timers>
void BM_schedule_expire(benchmark::State& state) {
    using Node = typename Timers::Node;
    const auto& offs = offsets();
    std::vector<Node> nodes(timer_count);
    Timers timers;
    std::uint64_t now = 0;
    std::uint64_t fired = 0;
    for (auto _ : state) {
        const std::uint64_t base = now;
        for (std::size_t i = 0; i < timer_count; ++i) timers.schedule(&nodes[i], base + offs[i]);
        const std::uint64_t end = base + horizon_ms;
        while (now < end) {
            now += step_ms;
            timers.advance(now, [&fired](Node*) { ++fired; });
        }
    }
    benchmark::DoNotOptimize(fired);
    if (fired != state.iterations() * timer_count || timers.size() != 0)
        state.SkipWithError("not every timer fired");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * timer_count));
}

template <class Timers>
void register_timers() {
    const std::string suffix = std::string("<") + Timers::name + ">";
    benchmark::RegisterBenchmark(("BM_schedule_cancel" + suffix).c_str(),
                                 [](benchmark::State& s) { BM_schedule_cancel<Timers>(s, false); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_schedule_cancel_random" + suffix).c_str(),
                                 [](benchmark::State& s) { BM_schedule_cancel<Timers>(s, true); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_schedule_expire" + suffix).c_str(),
                                 BM_schedule_expire<Timers>)
        ->Unit(benchmark::kMillisecond);
}

[[maybe_unused]] const bool registered = [] {
    register_timers<CachetTimerWheel>();
    register_timers<Multimap>();
    return true;
}();

}  // namespace
