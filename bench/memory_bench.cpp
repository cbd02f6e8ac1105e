// Per-entry memory overhead of a bounded KvStore with TTLs, measured by counting every byte the
// store asks operator new for (global replacement below), against a std::unordered_map baseline.
//
//   ./memory_bench --benchmark_counters_tabular=true
//
// overhead_per_entry = (bytes held by the full store) / entries - sizeof(key) - sizeof(value):
// entry nodes, index buckets, timing wheels, the eviction policy's sketch, the reader table and
// the shards, all amortised over the entries. Counted as malloc_usable_size (rounding included);
// malloc's own 8-byte header per block comes on top, and is reported separately:
// overhead_with_headers adds 8 bytes per live block (cachet's nodes live in pooled pages, so it
// has a few hundred blocks where unordered_map has one per entry). Issue goal: at most 48 bytes
// for a bounded store with TTLs (Caffeine: 64 bounded, 80 bounded with expiry, JVM object
// headers included).

#include <benchmark/benchmark.h>

#include <cachet/kv_store.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include <malloc.h>
#include <unordered_map>

namespace {
std::atomic<std::int64_t> g_live{0};    // bytes currently held through operator new
std::atomic<std::int64_t> g_blocks{0};  // blocks currently held
void count(void* p, int sign) noexcept {
    g_live.fetch_add(sign * static_cast<std::int64_t>(malloc_usable_size(p)),
                     std::memory_order_relaxed);
    g_blocks.fetch_add(sign, std::memory_order_relaxed);
}
}  // namespace

// Replacement allocation functions: malloc/free underneath, counting malloc_usable_size (the
// bytes each block really provides, rounding included; malloc's 8-byte header is not counted).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
    void* p = std::malloc(n ? n : 1);
    if (!p) throw std::bad_alloc();
    count(p, 1);
    return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept {
    if (!p) return;
    count(p, -1);
    std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }
// The over-aligned forms (the node pool's regions), counted the same way.
void* operator new(std::size_t n, std::align_val_t a) {
    void* p = std::aligned_alloc(static_cast<std::size_t>(a),
                                 (n + static_cast<std::size_t>(a) - 1) &
                                     ~(static_cast<std::size_t>(a) - 1));
    if (!p) throw std::bad_alloc();
    count(p, 1);
    return p;
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p, std::align_val_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { operator delete(p); }

namespace {

// A KvStore's entry nodes live in pages it maps itself (not through operator new): add them.
template <class S>
std::int64_t node_memory(const S& store) {
    if constexpr (requires { store.node_memory(); })
        return static_cast<std::int64_t>(store.node_memory());
    else
        return 0;
}

template <class Make>
void measure(benchmark::State& state, Make make) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    double per_entry = 0, blocks_per_entry = 0;
    for (auto _ : state) {
        const std::int64_t before = g_live.load(), blocks_before = g_blocks.load();
        {
            auto store = make(n);
            const std::int64_t held = g_live.load() - before + node_memory(*store);
            per_entry = static_cast<double>(held) / static_cast<double>(n);
            blocks_per_entry =
                static_cast<double>(g_blocks.load() - blocks_before) / static_cast<double>(n);
            benchmark::DoNotOptimize(store);
        }
    }
    state.counters["bytes_per_entry"] = per_entry;
    state.counters["overhead_per_entry"] = per_entry - 2 * sizeof(std::uint64_t);
    state.counters["overhead_with_headers"] =
        per_entry + 8 * blocks_per_entry - 2 * sizeof(std::uint64_t);
}

template <cachet::Eviction P>
void BM_bounded_kv_with_ttl(benchmark::State& state) {
    measure(state, [](std::uint64_t n) {
        auto kv = std::make_unique<cachet::KvStore<std::uint64_t, std::uint64_t>>(
            cachet::KvOptions<std::uint64_t, std::uint64_t>{.max_entries = n, .eviction = P});
        for (std::uint64_t i = 0; i < n; ++i) kv->put(i, i, std::chrono::hours(1));
        return kv;
    });
}

void BM_unordered_map(benchmark::State& state) {
    measure(state, [](std::uint64_t n) {
        auto m = std::make_unique<std::unordered_map<std::uint64_t, std::uint64_t>>();
        for (std::uint64_t i = 0; i < n; ++i) m->emplace(i, i);
        return m;
    });
}

}  // namespace

BENCHMARK_TEMPLATE(BM_bounded_kv_with_ttl, cachet::Eviction::tinylfu)
    ->Arg(100'000)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_bounded_kv_with_ttl, cachet::Eviction::lru)
    ->Arg(100'000)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_unordered_map)->Arg(100'000)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);
