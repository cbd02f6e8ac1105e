// cachet::KvStore against the usual concurrent-map baselines, in one binary (bench/adapters.hpp).
//
// Run (report the ratio of the medians; `python3 bench/report.py x.json` prints them):
//   ./kv_store_bench --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true
//       --benchmark_report_aggregates_only=true [--benchmark_out=x.json --benchmark_out_format=json]
// One repetition of everything takes about 50 s on 2 cores (5 repetitions about 3 min);
// `--benchmark_filter=u64` etc. narrows it. 2-thread figures mean nothing while anything else
// runs on the machine: check that it is idle first.
//
// Setup: each store holds 1M entries (keys 0..1M-1, as uint64 or as 16-byte strings; uint64
// values), built once per adapter and key type on first use and shared by every workload and
// thread count (2-thread runs share one store). Key streams (1M accesses, Zipf 0.99, fixed
// seeds; strings built beforehand) are precomputed outside the timed loop; thread t starts
// t/2 of the way into the stream. Items/s is total operations per second of wall time
// (UseRealTime), so 2-thread figures are aggregate throughput. hit_rate is hits / gets; for
// CachetKvBounded it is about 0.999, since each shard enforces its share of max_entries and
// filling it exactly evicts ~0.1% of the keys (cold ones: keys are scrambled, see zipf_keys).
//   BM_get_hit   get of present keys              BM_get_miss  get of absent keys (1M..2M-1)
//   BM_put       overwrite of present keys        BM_mix       90% get / 10% put, present keys
// Adapters: CachetKv (unbounded, 1 h TTL on every put), CachetKvCoarse and CachetKvBoundedCoarse
// (CachetKv and CachetKvBounded on cachet::CoarseClock, a clock read from memory), StdMutexKv (the same store with
// std::mutex shard locks: the baseline for cachet's SpinMutex default), CachetKvBounded (max_entries = 1M, so
// exactly full; the default W-TinyLFU, whose hits take only the shard's shared lock; 1 h TTL),
// CachetKvBoundedLru (the same with Eviction::lru: hits relink under the exclusive lock), LockedMap (unordered_map + mutex), SharedLockedMap
// (unordered_map + shared_mutex), LockedLru (list + unordered_map + mutex, capacity 1M),
// Cuckoo (libcuckoo, when built with CACHET_HAVE_LIBCUCKOO). Puts and the mix overwrite present
// keys, so no store grows or evicts during a run.
//
// Goals:
//   - CachetKv (unbounded, with TTLs) >= Cuckoo on BM_get_hit and BM_mix, at 1 and 2 threads;
//   - CachetKvBounded (W-TinyLFU, full) get-hit >= 0.9x CachetKv and >= 1.0x Cuckoo; its 2-thread
//     get-hit >= 1.8x its 1-thread figure; its mix >= 1.0x Cuckoo and LockedLru;
//   - each cachet store's 2-thread throughput >= 1.6x its own 1-thread figure.

#include <benchmark/benchmark.h>

#include "adapters.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

constexpr std::size_t entry_count = 1'000'000;
constexpr std::size_t stream_len = std::size_t{1} << 20;
constexpr std::size_t stream_mask = stream_len - 1;
constexpr double min_time = 0.2;  // seconds per benchmark run

/// Precomputed inputs for key type K, shared by all adapters.
template <class K>
struct Inputs {
    std::vector<K> hits;               ///< present keys, Zipf
    std::vector<K> misses;             ///< absent keys, Zipf over [entry_count, 2 * entry_count)
    std::vector<std::uint8_t> writes;  ///< BM_mix: 1 = put (10%), 0 = get
};

template <class K>
const Inputs<K>& inputs() {
    static const Inputs<K> in = [] {
        Inputs<K> r;
        const auto hot = bench::zipf_keys(entry_count, stream_len, 0.99, /*seed=*/7);
        const auto cold = bench::zipf_keys(entry_count, stream_len, 0.99, /*seed=*/8);
        r.hits.reserve(stream_len);
        r.misses.reserve(stream_len);
        for (auto i : hot) r.hits.push_back(bench::make_key<K>(i));
        for (auto i : cold) r.misses.push_back(bench::make_key<K>(entry_count + i));
        bench::SplitMix64 rng(9);
        r.writes.resize(stream_len);
        for (auto& w : r.writes) w = rng.below(10) == 0 ? 1 : 0;
        return r;
    }();
    return in;
}

/// The store of type Store, prepopulated with keys 0..entry_count-1, built on first use and
/// kept (deliberately leaked) for the rest of the run so repetitions do not rebuild it.
template <class Store>
Store& store() {
    using K = typename Store::key_type;
    using V = typename Store::mapped_type;
    static Store* const s = [] {
        auto* p = new Store(entry_count);
        for (std::uint64_t i = 0; i < entry_count; ++i) p->put(bench::make_key<K>(i), V{i});
        return p;
    }();
    return *s;
}

std::size_t start_index(const benchmark::State& state) {
    return static_cast<std::size_t>(state.thread_index()) * (stream_len / 2);
}

void finish(benchmark::State& state, std::size_t hits, bool count_hits) {
    state.SetItemsProcessed(state.iterations());
    if (count_hits)
        state.counters["hit_rate"] =
            benchmark::Counter(static_cast<double>(hits), benchmark::Counter::kAvgIterations);
}

/// Looks up each key of `keys` in turn (all present, or all absent).
template <class Store>
void run_gets(benchmark::State& state, const std::vector<typename Store::key_type>& keys) {
    Store& s = store<Store>();
    std::size_t i = start_index(state), hits = 0;
    for (auto _ : state) {
        const bool found = s.get(keys[i++ & stream_mask]);
        benchmark::DoNotOptimize(found);
        hits += found;
    }
    finish(state, hits, true);
}

template <class Store>
void BM_get_hit(benchmark::State& state) {
    run_gets<Store>(state, inputs<typename Store::key_type>().hits);
}

template <class Store>
void BM_get_miss(benchmark::State& state) {
    run_gets<Store>(state, inputs<typename Store::key_type>().misses);
}

template <class Store>
void BM_put(benchmark::State& state) {
    using V = typename Store::mapped_type;
    const auto& keys = inputs<typename Store::key_type>().hits;
    Store& s = store<Store>();
    std::size_t i = start_index(state);
    for (auto _ : state) {
        s.put(keys[i & stream_mask], V{i});
        ++i;
    }
    benchmark::ClobberMemory();
    finish(state, 0, false);
}

template <class Store>
void BM_mix(benchmark::State& state) {
    using V = typename Store::mapped_type;
    const auto& in = inputs<typename Store::key_type>();
    Store& s = store<Store>();
    std::size_t i = start_index(state), hits = 0, gets = 0;
    for (auto _ : state) {
        const std::size_t j = i++ & stream_mask;
        if (in.writes[j]) {
            s.put(in.hits[j], V{i});
        } else {
            const bool found = s.get(in.hits[j]);
            benchmark::DoNotOptimize(found);
            hits += found;
            ++gets;
        }
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["hit_rate"] = benchmark::Counter(
        gets == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(gets),
        benchmark::Counter::kAvgThreads);
}

template <class Store>
void register_store() {
    using K = typename Store::key_type;
    const std::string suffix =
        std::string("<") + Store::name + "<" + bench::key_name<K> + ">>";
    auto add = [&](const char* workload, void (*fn)(benchmark::State&)) {
        benchmark::RegisterBenchmark((workload + suffix).c_str(), fn)
            ->MinTime(min_time)
            ->UseRealTime()
            ->Threads(1)
            ->Threads(2);
    };
    add("BM_get_hit", BM_get_hit<Store>);
    add("BM_get_miss", BM_get_miss<Store>);
    add("BM_put", BM_put<Store>);
    add("BM_mix", BM_mix<Store>);
}

template <template <class, class> class Adapter>
void register_adapter() {
    register_store<Adapter<std::uint64_t, std::uint64_t>>();
    register_store<Adapter<std::string, std::uint64_t>>();
}

[[maybe_unused]] const bool registered = [] {
    register_adapter<bench::CachetKv>();
    register_adapter<bench::CachetKvCoarse>();
    register_adapter<bench::CachetKvBounded>();
    register_adapter<bench::CachetKvBoundedCoarse>();
    register_adapter<bench::CachetKvBoundedLru>();
    register_adapter<bench::StdMutexKv>();
    register_adapter<bench::LockedMap>();
    register_adapter<bench::SharedLockedMap>();
    register_adapter<bench::LockedLru>();
#if CACHET_HAVE_LIBCUCKOO
    register_adapter<bench::Cuckoo>();
#endif
    return true;
}();

}  // namespace
