// cachet::PubSubBus against hand-written baselines, in one binary.
//
// Run (report the ratio of the medians; `python3 bench/report.py x.json` prints them):
//   ./pubsub_bench --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true
//       --benchmark_report_aggregates_only=true [--benchmark_out=x.json --benchmark_out_format=json]
// (from build/release/bench). One repetition of everything takes about 10 s on 2 cores.
//
// Workloads (items/s = deliveries per second of wall time; a message to 4 subscribers is 4):
//   BM_publish_inline<A>     publish an 8-byte message to 1 inline subscriber (the handler
//                            adds it to a sum); the figure to read is ns per message
//   BM_inbox_fanout<A>/N     1 publisher thread -> N subscribers each draining its own queue
//                            on its own thread (N = 1, 4). Each iteration publishes 10,000
//                            messages and waits until every subscriber has consumed all of
//                            them, so the time includes the drain and nothing is left queued
//   BM_publish_patterns<A>   publish with 1,000 pattern subscriptions ("svc<i>.*" and 10
//                            "*.<i>" patterns), of which 2 match the channel (16 channels
//                            published in turn)
// Adapters:
//   CachetBus        PubSubBus<std::uint64_t>: inline subscription, or inbox subscriptions
//                    (capacity 1,024, Overflow::block) drained with pop()
//   MutexCvQueue     per subscriber a std::mutex + std::condition_variable + std::queue of
//                    the same (channel, message) envelopes: push under the lock, notify_one;
//                    the consumer waits on the condition variable and pops one at a time
//   LockedHandlers   std::mutex + std::vector<std::function>: handlers called under the lock
//   LinearPatternScan  a snapshot vector of (pattern, handler) glob-matched in full on every
//                    publish: what the prefix buckets and the per-channel cache avoid
// Goal: BM_inbox_fanout CachetBus >= 5x MutexCvQueue.
//
// Measured (g++ 12 -O2, 2-core VM shared with other work, 2026-11-23; medians of 9
// repetitions, command above; two runs minutes apart, because cross-thread figures on this
// machine move by 2-3x between runs, the baseline's most of all):
//   workload                 CachetBus            baseline                      ratio
//   BM_publish_inline        38.8 ns / message    LockedHandlers 14.6 ns         0.38x
//   BM_inbox_fanout/1        6.05M/s (12.6M/s)    MutexCvQueue 4.37M/s (13.2M/s) 1.38x (0.95x)
//   BM_inbox_fanout/4        11.6M/s (16.6M/s)    MutexCvQueue 0.94M/s (4.16M/s) 12.4x (3.99x)
//   BM_publish_patterns      77.5 ns (75 ns)      LinearPatternScan 6.8 us       88.6x (102x)
// (in parentheses: an earlier run while other builds loaded the machine, with the previous
// version of the inbox's wake-up check.) A third run on the idle machine (load 0.3) gave
// 1.61x and 11.9x for fan-out to 1 and 4, 38 ns inline, 75 ns / 90x with patterns.
// So the 5x goal is met with 4 subscribers in one run and not in the other, and not with 1
// subscriber, where both are bound by the cache-line transfers of one message at a time
// between two cores (the ring: one CAS and one fence per push and per pop). Inline publish
// costs ~6 atomic read-modify-writes (the snapshot's spin lock and reference count, and the
// in-flight counter that makes unsubscribe safe) against one uncontended mutex; a per-thread
// cached snapshot would remove most of them.

#include <benchmark/benchmark.h>

#include <cachet/detail/glob.hpp>
#include <cachet/pubsub_bus.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t batch = 10'000;

struct alignas(64) Counter {
    std::atomic<std::uint64_t> n{0};
};

// --- inline publish ------------------------------------------------------------------------------

class CachetBus;  // the inbox fan-out adapter below; a tag for the other workloads
struct LockedHandlers {
};

template <class A>
void BM_publish_inline(benchmark::State& state) {
    std::uint64_t sum = 0;
    if constexpr (std::is_same_v<A, CachetBus>) {
        cachet::PubSubBus<std::uint64_t> bus;
        auto sub = bus.subscribe("orders", [&sum](const std::uint64_t& v) { sum += v; });
        std::uint64_t i = 0;
        for (auto _ : state) benchmark::DoNotOptimize(bus.publish("orders", i++));
    } else {
        std::mutex m;
        std::vector<std::pair<std::string, std::function<void(const std::uint64_t&)>>> handlers;
        handlers.emplace_back("orders", [&sum](const std::uint64_t& v) { sum += v; });
        std::uint64_t i = 0;
        const std::string_view ch = "orders";
        for (auto _ : state) {
            std::size_t n = 0;
            std::lock_guard<std::mutex> g(m);
            for (auto& [c, h] : handlers)
                if (c == ch) {
                    h(i);
                    ++n;
                }
            ++i;
            benchmark::DoNotOptimize(n);
        }
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_publish_inline, CachetBus);
BENCHMARK_TEMPLATE(BM_publish_inline, LockedHandlers);

// --- cross-thread inbox fan-out ------------------------------------------------------------------

struct Envelope {
    std::string channel;
    std::uint64_t message;
};

/// The baseline: one mutex + condition variable + std::queue per subscriber.
class MutexCvQueue {
public:
    explicit MutexCvQueue(std::size_t subscribers) : m_queues(subscribers) {}
    std::size_t publish(std::string_view channel, std::uint64_t v) {
        for (auto& q : m_queues) {
            {
                std::lock_guard<std::mutex> g(q.m);
                q.q.push(Envelope{std::string(channel), v});
            }
            q.cv.notify_one();
        }
        return m_queues.size();
    }
    void consume(std::size_t i, Counter& count) {
        auto& q = m_queues[i];
        for (;;) {
            std::unique_lock<std::mutex> lk(q.m);
            q.cv.wait(lk, [&] { return !q.q.empty() || q.closed; });
            if (q.q.empty()) return;
            Envelope e = std::move(q.q.front());
            q.q.pop();
            lk.unlock();
            benchmark::DoNotOptimize(e.message);
            count.n.fetch_add(1, std::memory_order_relaxed);
        }
    }
    void close() {
        for (auto& q : m_queues) {
            std::lock_guard<std::mutex> g(q.m);
            q.closed = true;
            q.cv.notify_all();
        }
    }

private:
    struct alignas(64) Q {
        std::mutex m;
        std::condition_variable cv;
        std::queue<Envelope> q;
        bool closed = false;
    };
    std::vector<Q> m_queues;
};

class CachetBus {
public:
    explicit CachetBus(std::size_t subscribers) : m_bus(std::make_unique<Bus>()) {
        for (std::size_t i = 0; i < subscribers; ++i)
            m_subs.push_back(m_bus->subscribe("orders", cachet::InboxOptions{.capacity = 1024}));
    }
    std::size_t publish(std::string_view channel, std::uint64_t v) { return m_bus->publish(channel, v); }
    void consume(std::size_t i, Counter& count) {
        auto& sub = m_subs[i];
        while (auto e = sub.pop()) {
            benchmark::DoNotOptimize(e->message);
            count.n.fetch_add(1, std::memory_order_relaxed);
        }
    }
    void close() { m_bus.reset(); }  // closes every inbox: consumers drain and return

private:
    using Bus = cachet::PubSubBus<std::uint64_t>;
    std::unique_ptr<Bus> m_bus;
    std::vector<Bus::Subscription> m_subs;
};

template <class A>
void BM_inbox_fanout(benchmark::State& state) {
    const auto subscribers = static_cast<std::size_t>(state.range(0));
    A adapter(subscribers);
    std::vector<Counter> counts(subscribers);
    std::vector<std::thread> consumers;
    for (std::size_t i = 0; i < subscribers; ++i)
        consumers.emplace_back([&, i] { adapter.consume(i, counts[i]); });
    std::uint64_t target = 0, v = 0;
    for (auto _ : state) {
        for (std::size_t k = 0; k < batch; ++k) benchmark::DoNotOptimize(adapter.publish("orders", v++));
        target += batch;
        for (auto& c : counts)
            while (c.n.load(std::memory_order_relaxed) < target) std::this_thread::yield();
    }
    adapter.close();
    for (auto& t : consumers) t.join();
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch * subscribers));
}
BENCHMARK_TEMPLATE(BM_inbox_fanout, CachetBus)->Arg(1)->Arg(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_inbox_fanout, MutexCvQueue)->Arg(1)->Arg(4)->UseRealTime();

// --- many patterns, few matching ---------------------------------------------------------------

struct LinearPatternScan {
};

std::vector<std::string> bench_patterns() {
    std::vector<std::string> p;
    for (int i = 0; i < 990; ++i) p.push_back("svc" + std::to_string(i) + ".*");
    for (int i = 0; i < 10; ++i) p.push_back("*." + std::to_string(i));
    return p;
}

template <class A>
void BM_publish_patterns(benchmark::State& state) {
    const auto patterns = bench_patterns();
    std::vector<std::string> channels;
    for (int i = 0; i < 16; ++i) channels.push_back("svc" + std::to_string(i * 61) + "." + std::to_string(i % 10));
    std::uint64_t hits = 0;
    std::size_t i = 0, receivers = 0;
    if constexpr (std::is_same_v<A, CachetBus>) {
        cachet::PubSubBus<std::uint64_t> bus;
        std::vector<cachet::PubSubBus<std::uint64_t>::Subscription> subs;
        for (const auto& p : patterns) subs.push_back(bus.psubscribe(p, [&hits](const std::uint64_t&) { ++hits; }));
        for (auto _ : state) {
            receivers += bus.publish(channels[i % channels.size()], i);
            ++i;
        }
    } else {
        using Entry = std::pair<std::string, std::function<void(const std::uint64_t&)>>;
        auto table = std::make_shared<const std::vector<Entry>>([&] {
            std::vector<Entry> t;
            for (const auto& p : patterns) t.emplace_back(p, [&hits](const std::uint64_t&) { ++hits; });
            return t;
        }());
        std::mutex m;
        for (auto _ : state) {
            std::shared_ptr<const std::vector<Entry>> snap;
            {
                std::lock_guard<std::mutex> g(m);
                snap = table;
            }
            const std::string& ch = channels[i++ % channels.size()];
            for (const auto& [p, h] : *snap)
                if (cachet::detail::glob_match(p, ch)) {
                    h(i);
                    ++receivers;
                }
        }
    }
    if (receivers != 2 * static_cast<std::size_t>(state.iterations())) state.SkipWithError("wrong receiver count");
    benchmark::DoNotOptimize(hits);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_publish_patterns, CachetBus);
BENCHMARK_TEMPLATE(BM_publish_patterns, LinearPatternScan);

}  // namespace
