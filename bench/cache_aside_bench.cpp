// cachet::CacheAside against its baselines, in one binary.
//
// Run (report the ratio of the medians; `python3 bench/report.py x.json` prints them):
//   ./cache_aside_bench --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
//       --benchmark_report_aggregates_only=true [--benchmark_out=x.json
//       --benchmark_out_format=json]
// All of it takes about 40 s on 2 cores (the call-the-loader-every-time baseline of BM_zipf_1ms
// is 2 s per repetition by construction); `--benchmark_filter=get_hit` etc. narrows it.
//
//   BM_get_hit<A<u64>>   the hit path: 64K entries (uint64 keys and values, 1 h TTL), a Zipf
//                        0.99 stream of 1M precomputed keys, one thread. Adapters:
//                          CachetAside        CacheAside::get_or_load (a loader never called)
//                          CachetAsideRefresh the same with refresh_after set (a hit also
//                                             checks the refresh point: one clock read)
//                          KvStore            plain KvStore::get on the same data
//                        Goal: CachetAside within 1.1x of KvStore.
//   BM_stampede<A>       1,000 requests for one absent key, issued by 16 threads (~63 each,
//                        back to back) while the loader sleeps 1 ms (a simulated database
//                        call); every iteration uses a new key. Counters: loader_calls per
//                        stampede (cachet: must be 1), wait_us (mean latency of the requests
//                        that found nothing cached: the leader and every waiter), mean_us (all
//                        1,000 requests). Adapters: CachetAside; NaiveAside, hand-written
//                        cache-aside (get; on a miss call the loader and put), which stampedes.
//   BM_zipf_1ms<A>       2,000 requests, Zipf 0.99 over 1,000 keys, against a loader that sleeps
//                        1 ms; a fresh cache per iteration, one thread. Counters: hit_ratio,
//                        mean_us per request. Adapters: CachetAside; LoaderEveryTime (no cache).

#include <benchmark/benchmark.h>

#include "adapters.hpp"

#include <cachet/cache_aside.hpp>
#include <cachet/kv_store.hpp>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using u64 = std::uint64_t;
using SteadyTime = std::chrono::steady_clock;

// ------------------------------------------------------------------------------ hit path

constexpr std::size_t hit_entries = std::size_t{1} << 16;
constexpr std::size_t stream_len = std::size_t{1} << 20;
constexpr std::size_t stream_mask = stream_len - 1;

const std::vector<u64>& hit_stream() {
    static const std::vector<u64> keys = bench::zipf_keys(hit_entries, stream_len, 0.99, 7);
    return keys;
}

struct CachetAside {
    static constexpr const char* name = "CachetAside";
    cachet::CacheAside<u64, u64> cache{{.ttl = 1h}};
    void put(u64 k, u64 v) { cache.put(k, v); }
    bool get(u64 k) {
        auto v = cache.get_or_load(k, [](u64 key) { return key; });
        benchmark::DoNotOptimize(v);
        return v.has_value();
    }
};

struct CachetAsideRefresh {
    static constexpr const char* name = "CachetAsideRefresh";
    cachet::CacheAside<u64, u64> cache{{.ttl = 1h, .refresh_after = 50min},
                                       [](u64 key) { return key; }};
    void put(u64 k, u64 v) { cache.put(k, v); }
    bool get(u64 k) {
        auto v = cache.get(k);
        benchmark::DoNotOptimize(v);
        return v.has_value();
    }
};

struct PlainKv {
    static constexpr const char* name = "KvStore";
    cachet::KvStore<u64, u64> kv;
    void put(u64 k, u64 v) { kv.put(k, v, 1h); }
    bool get(u64 k) {
        auto v = kv.get(k);
        benchmark::DoNotOptimize(v);
        return v.has_value();
    }
};

template <class A>
void BM_get_hit(benchmark::State& state) {
    const auto& keys = hit_stream();
    A a;
    for (u64 i = 0; i < hit_entries; ++i) a.put(i, i);
    std::size_t i = 0, hits = 0;
    for (auto _ : state) hits += a.get(keys[i++ & stream_mask]);
    state.SetItemsProcessed(state.iterations());
    state.counters["hit_rate"] =
        benchmark::Counter(static_cast<double>(hits), benchmark::Counter::kAvgIterations);
}

// ------------------------------------------------------------------------------ stampede

constexpr int stampede_threads = 16;
constexpr int stampede_requests = 1'000;

/// A loader that sleeps 1 ms and counts its calls.
struct SlowLoader {
    std::atomic<u64>* calls;
    u64 operator()(u64 key) const {
        calls->fetch_add(1, std::memory_order_relaxed);
        std::this_thread::sleep_for(1ms);
        return key * 2;
    }
};

struct StampedeCachet {
    static constexpr const char* name = "CachetAside";
    cachet::CacheAside<u64, u64> cache{{.ttl = 1h}};
    u64 get(u64 k, const SlowLoader& load) { return *cache.get_or_load(k, load); }
};

struct StampedeNaive {
    static constexpr const char* name = "NaiveAside";
    cachet::KvStore<u64, u64> kv;
    u64 get(u64 k, const SlowLoader& load) {
        if (auto v = kv.get(k)) return *v;
        const u64 v = load(k);
        kv.put(k, v, 1h);
        return v;
    }
};

template <class A>
void BM_stampede(benchmark::State& state) {
    A a;
    std::atomic<u64> calls{0};
    const SlowLoader load{&calls};
    std::atomic<u64> key{0};
    struct alignas(64) PerThread {
        double miss_ns = 0, all_ns = 0;
        u64 misses = 0;
    };
    std::vector<PerThread> per(stampede_threads);
    std::barrier sync(stampede_threads + 1);
    std::atomic<bool> stop{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < stampede_threads; ++t)
        pool.emplace_back([&, t] {
            const int n =
                stampede_requests / stampede_threads + (t < stampede_requests % stampede_threads);
            for (;;) {
                sync.arrive_and_wait();  // start of a stampede
                if (stop.load()) return;
                const u64 k = key.load();
                for (int i = 0; i < n; ++i) {
                    const u64 before = calls.load(std::memory_order_relaxed);
                    const auto t0 = SteadyTime::now();
                    benchmark::DoNotOptimize(a.get(k, load));
                    const double ns =
                        std::chrono::duration<double, std::nano>(SteadyTime::now() - t0).count();
                    per[static_cast<std::size_t>(t)].all_ns += ns;
                    // A request that took over 100 us waited for (or ran) a load.
                    if (ns > 100'000 || calls.load(std::memory_order_relaxed) != before) {
                        per[static_cast<std::size_t>(t)].miss_ns += ns;
                        ++per[static_cast<std::size_t>(t)].misses;
                    }
                }
                sync.arrive_and_wait();  // end of the stampede
            }
        });
    for (auto _ : state) {
        key.fetch_add(1);
        sync.arrive_and_wait();
        sync.arrive_and_wait();
    }
    stop.store(true);
    sync.arrive_and_wait();
    for (auto& th : pool) th.join();

    double miss_ns = 0, all_ns = 0;
    u64 misses = 0;
    for (auto& p : per) {
        miss_ns += p.miss_ns;
        all_ns += p.all_ns;
        misses += p.misses;
    }
    const auto iters = static_cast<double>(state.iterations());
    state.SetItemsProcessed(state.iterations() * stampede_requests);
    state.counters["loader_calls"] = static_cast<double>(calls.load()) / iters;
    state.counters["wait_us"] = misses ? miss_ns / static_cast<double>(misses) / 1e3 : 0.0;
    state.counters["waiters"] = static_cast<double>(misses) / iters;
    state.counters["mean_us"] = all_ns / (iters * stampede_requests) / 1e3;
}

// ------------------------------------------------------------------------------ Zipf, 1 ms loader

constexpr std::size_t zipf_keys_n = 1'000;
constexpr std::size_t zipf_requests = 2'000;

struct ZipfCachet {
    static constexpr const char* name = "CachetAside";
    cachet::CacheAside<u64, u64> cache{{.ttl = 1h}};
    u64 get(u64 k, const SlowLoader& load) { return *cache.get_or_load(k, load); }
};

struct ZipfNoCache {
    static constexpr const char* name = "LoaderEveryTime";
    u64 get(u64 k, const SlowLoader& load) { return load(k); }
};

template <class A>
void BM_zipf_1ms(benchmark::State& state) {
    static const std::vector<u64> keys = bench::zipf_keys(zipf_keys_n, zipf_requests, 0.99, 11);
    std::atomic<u64> calls{0};
    const SlowLoader load{&calls};
    double total_ns = 0;
    for (auto _ : state) {
        A a;  // a cold cache every iteration
        const auto t0 = SteadyTime::now();
        for (u64 k : keys) benchmark::DoNotOptimize(a.get(k, load));
        total_ns += std::chrono::duration<double, std::nano>(SteadyTime::now() - t0).count();
    }
    const auto requests = static_cast<double>(state.iterations() * zipf_requests);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(zipf_requests));
    state.counters["hit_ratio"] = 1.0 - static_cast<double>(calls.load()) / requests;
    state.counters["mean_us"] = total_ns / requests / 1e3;
}

// ------------------------------------------------------------------------------ registration

[[maybe_unused]] const bool registered = [] {
    auto hit = [](const char* name, void (*fn)(benchmark::State&)) {
        benchmark::RegisterBenchmark((std::string("BM_get_hit<") + name + "<u64>>").c_str(), fn)
            ->MinTime(0.2);
    };
    hit(CachetAside::name, BM_get_hit<CachetAside>);
    hit(CachetAsideRefresh::name, BM_get_hit<CachetAsideRefresh>);
    hit(PlainKv::name, BM_get_hit<PlainKv>);
    auto stampede = [](const char* name, void (*fn)(benchmark::State&)) {
        benchmark::RegisterBenchmark((std::string("BM_stampede<") + name + ">").c_str(), fn)
            ->MinTime(0.3)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
    };
    stampede(StampedeCachet::name, BM_stampede<StampedeCachet>);
    stampede(StampedeNaive::name, BM_stampede<StampedeNaive>);
    auto zipf = [](const char* name, void (*fn)(benchmark::State&)) {
        benchmark::RegisterBenchmark((std::string("BM_zipf_1ms<") + name + ">").c_str(), fn)
            ->Iterations(1)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
    };
    zipf(ZipfCachet::name, BM_zipf_1ms<ZipfCachet>);
    zipf(ZipfNoCache::name, BM_zipf_1ms<ZipfNoCache>);
    return true;
}();

}  // namespace
