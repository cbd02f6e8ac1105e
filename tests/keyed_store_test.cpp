// The pieces every keyed container shares: Keyspace::access_many (several keys atomically),
// the wait registry behind blocking pops, and the backend's Redis rules (empty container
// deletes its key, replace takes a fresh TTL).
#include "support/test_store.hpp"

#include <cachet/detail/keyed_store.hpp>
#include <cachet/detail/wait_registry.hpp>
#include <cachet/keyspace.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace keyed_store_test {

using namespace std::chrono_literals;

namespace {

using Queue = std::deque<int>;
using Backend = cachet::detail::OwnedBackend<std::string, Queue, test::StringHash, std::equal_to<>,
                                             cachet::ManualClock, std::mutex>;

/// A minimal keyed container over the backend, like ListStore's push and pop.
class Queues : public cachet::detail::KeyedStore<Backend> {
public:
    using KeyedStore::KeyedStore;

    std::size_t push(const std::string& key, int v) {
        return m_backend.write(key, [&](auto& ref) {
            Queue& q = ref.create();
            q.push_back(v);
            ref.event("rpush");
            return q.size();  // blocked consumers are served after this, by the backend
        });
    }
    std::optional<int> pop(const std::string& key) {
        return m_backend.write(key, [&](auto& ref) -> std::optional<int> {
            Queue* q = ref.get();
            if (!q) return std::nullopt;
            const int v = q->front();
            q->pop_front();
            return v;
        });
    }
    std::size_t length(const std::string& key) {
        return m_backend.read(key, [](const Queue* q) { return q ? q->size() : 0; });
    }

    /// Blocks until one of `keys` has an element (first key first), or `timeout` passes.
    std::optional<std::pair<std::string, int>> pop_wait(const std::vector<std::string>& keys,
                                                        std::chrono::milliseconds timeout) {
        struct Waiter : cachet::detail::ThreadConsumer<std::string, Queue> {
            std::optional<std::pair<std::string, int>> got;
            void take(const std::string& key, Queue& q) override {
                got.emplace(key, q.front());
                q.pop_front();
            }
        } w;
        bool self_served = false;  // took an element directly, without blocking
        for (const auto& key : keys) {
            const bool done = m_backend.write(key, [&](auto& ref) {
                Queue* q = ref.get();
                if (q && !q->empty()) {
                    if (!w.try_claim()) return true;  // served meanwhile through another key
                    w.take(key, *q);
                    self_served = true;
                    return true;
                }
                m_backend.waiters().add(key, &w);
                return false;
            });
            if (done) break;
        }
        // Unless we served ourselves, wait: for a producer's finish() if one claimed us, or
        // until the deadline.
        if (!self_served) (void)w.wait(std::chrono::steady_clock::now() + timeout);
        m_backend.waiters().remove(&w);
        return w.got;
    }

    std::size_t queued(const std::string& key) { return m_backend.waiters().queued(key); }
};

}  // namespace

TEST_SUITE("keyed_store") {
    TEST_CASE("access_many changes several keys at once; equal keys share a slot") {
        cachet::ManualClock clock;
        cachet::Keyspace<std::string, int, test::StringHash, std::equal_to<>, cachet::ManualClock,
                         std::mutex>
            ks({.shards = 4}, clock);
        std::vector<std::string> keys{"a", "b", "a", "c"};
        const int created = ks.access_many(std::span<const std::string>(keys), [](auto& slots) {
            CHECK(slots.size() == 4);
            CHECK(&slots[0] == &slots[2]);
            int n = 0;
            for (std::size_t i = 0; i < slots.size(); ++i) {
                if (!slots[i].exists()) {
                    slots[i].emplace(static_cast<int>(i));
                    ++n;
                }
            }
            return n;
        });
        CHECK(created == 3);
        CHECK(ks.size() == 3);
        int a = -1;
        CHECK(ks.read(std::string("a"), [&](const std::string&, int v) { a = v; }));
        CHECK(a == 0);
        // Move "b" into "d" atomically; erase inside the same call.
        std::vector<std::string> mv{"b", "d"};
        ks.access_many(std::span<const std::string>(mv), [](auto& slots) {
            slots[1].emplace(slots[0].cvalue());
            slots[0].erase();
        });
        CHECK_FALSE(ks.contains(std::string("b")));
        CHECK(ks.contains(std::string("d")));
        CHECK(ks.check_invariants());
    }

    TEST_CASE("access_many from many threads on overlapping keys does not deadlock") {
        cachet::Keyspace<int, long long> ks({.shards = 8});
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 2000; ++i) {
                    std::vector<int> keys{(i + t) % 16, (i * 7 + t) % 16, (i * 3) % 16};
                    ks.access_many(std::span<const int>(keys), [](auto& slots) {
                        for (std::size_t k = 0; k < slots.size(); ++k) {
                            if (slots[k].exists()) ++slots[k].value();
                            else slots[k].emplace(1);
                        }
                    });
                }
            });
        }
        for (auto& th : threads) th.join();
        long long total = 0;
        ks.for_each([&](int, long long v) { total += v; });
        // Each call adds one per key it named (equal keys share a slot, so both adds land).
        const long long expected = 4 * 2000 * 3;
        CHECK(total == expected);
        CHECK(ks.check_invariants());
    }

    TEST_CASE("a container left empty deletes its key; replace takes a fresh TTL") {
        cachet::ManualClock clock;
        Queues qs(Backend::options_type{.default_ttl = 0ms}, clock);
        CHECK(qs.push("q", 1) == 1);
        CHECK(qs.push("q", 2) == 2);
        CHECK(qs.expire("q", 10s));
        CHECK(qs.push("q", 3) == 3);  // a push keeps the TTL
        CHECK(qs.ttl("q").has_expiry());
        CHECK(qs.pop("q") == 1);
        CHECK(qs.pop("q") == 2);
        CHECK(qs.pop("q") == 3);
        CHECK_FALSE(qs.contains("q"));  // emptied: deleted, TTL gone with it
        CHECK(qs.pop("q") == std::nullopt);
        qs.push("r", 1);
        qs.expire("r", 5s);
        qs.backend().write("r", [](auto& ref) { ref.replace(Queue{7, 8}); });
        CHECK(qs.length("r") == 2);
        CHECK(qs.ttl("r").state == cachet::KeyTtl::State::persistent);
        qs.backend().write("r", [](auto& ref) { ref.replace(Queue{}); });
        CHECK_FALSE(qs.contains("r"));
        CHECK(qs.check_invariants());
    }

    TEST_CASE("container events reach the write listener under Redis's name") {
        std::vector<std::string> events;
        cachet::ManualClock clock;
        Queues qs(Backend::options_type{.write_listener =
                                            [&](const std::string& k, cachet::WriteEvent,
                                                std::string_view name) {
                                                events.push_back(std::string(name) + " " + k);
                                            }},
                  clock);
        qs.push("q", 1);  // a new key: "new", then named as the operation: "rpush"
        qs.push("q", 2);  // in place: "rpush"
        CHECK(events == std::vector<std::string>{"new q", "rpush q", "rpush q"});
    }

    TEST_CASE("a blocked consumer is woken by a push and takes the element") {
        cachet::ManualClock clock;
        Queues qs({}, clock);
        std::optional<std::pair<std::string, int>> got;
        std::thread consumer([&] { got = qs.pop_wait({"a", "b"}, 10s); });
        while (qs.queued("b") == 0) std::this_thread::yield();
        CHECK(qs.push("b", 42) == 1);  // the length after the push, before serving
        consumer.join();
        REQUIRE(got);
        CHECK(got->first == "b");
        CHECK(got->second == 42);
        CHECK_FALSE(qs.contains("b"));  // served from the list, which became empty
        CHECK(qs.queued("a") == 0);     // unregistered from the other key
    }

    TEST_CASE("consumers on one key are served in the order they blocked") {
        cachet::ManualClock clock;
        Queues qs({}, clock);
        std::vector<int> order;
        std::mutex m;
        std::vector<std::thread> consumers;
        for (int i = 0; i < 3; ++i) {
            consumers.emplace_back([&, i] {
                auto got = qs.pop_wait({"k"}, 10s);
                std::lock_guard lock(m);
                order.push_back(i * 100 + (got ? got->second : -1));
            });
            while (qs.queued("k") != static_cast<std::size_t>(i + 1)) std::this_thread::yield();
        }
        qs.push("k", 0);
        qs.push("k", 1);
        qs.push("k", 2);
        for (auto& t : consumers) t.join();
        std::sort(order.begin(), order.end());
        CHECK(order == std::vector<int>{0, 101, 202});
    }

    TEST_CASE("a consumer that times out is unregistered and gets nothing") {
        cachet::ManualClock clock;
        Queues qs({}, clock);
        CHECK(qs.pop_wait({"x"}, 1ms) == std::nullopt);
        CHECK(qs.queued("x") == 0);
        CHECK(qs.push("x", 5) == 1);
        CHECK(qs.length("x") == 1);  // nobody took it
    }

    TEST_CASE("stress: every pushed element is popped exactly once") {
        Queues qs({}, cachet::ManualClock{});
        constexpr int producers = 2, consumers = 3, per_producer = 3000;
        std::atomic<long long> sum{0};
        std::atomic<int> popped{0};
        std::vector<std::thread> threads;
        for (int c = 0; c < consumers; ++c) {
            threads.emplace_back([&] {
                while (popped.load() < producers * per_producer) {
                    if (auto got = qs.pop_wait({"k1", "k2"}, 5ms)) {
                        sum += got->second;
                        ++popped;
                    }
                }
            });
        }
        for (int p = 0; p < producers; ++p) {
            threads.emplace_back([&, p] {
                for (int i = 1; i <= per_producer; ++i) qs.push(p ? "k2" : "k1", i);
            });
        }
        for (auto& t : threads) t.join();
        CHECK(popped.load() == producers * per_producer);
        CHECK(sum.load() == producers * (per_producer * (per_producer + 1LL) / 2));
        CHECK(qs.size() == 0);
    }
}

TEST_SUITE("keyed_store") {
    TEST_CASE("Keyspace::scan visits every entry present throughout, across growth") {
        cachet::Keyspace<int, int> ks({.shards = 4});
        for (int i = 0; i < 1000; ++i) ks.access(i, [&](auto& slot) { slot.emplace(i); });
        std::set<int> seen;
        std::uint64_t cursor = 0;
        int calls = 0;
        do {
            cursor = ks.scan(cursor, 10, [&](int k, int v) {
                CHECK(k == v);
                seen.insert(k);
            });
            if (++calls == 20)  // the shards' indexes grow in the middle of the scan
                for (int i = 1000; i < 20000; ++i) ks.access(i, [&](auto& slot) { slot.emplace(i); });
        } while (cursor != 0);
        for (int i = 0; i < 1000; ++i) REQUIRE(seen.contains(i));
        CHECK(ks.check_invariants());
    }

    TEST_CASE("Keyspace::set_lru_tracking: off, reads and updates leave the insertion order") {
        // One shard holding 3 entries: inserting a 4th evicts the least recent one.
        auto survivors = [](bool tracking) {
            cachet::Keyspace<int, int> ks(
                {.shards = 1, .max_entries = 3, .eviction = cachet::Eviction::lru});
            ks.set_lru_tracking(tracking);
            for (int i = 1; i <= 3; ++i) ks.access(i, [&](auto& slot) { slot.emplace(i); });
            CHECK(ks.read(1, [](int, int v) { CHECK(v == 1); }));  // a hit on 1
            ks.access(2, [](auto& slot) { slot.value() += 10; });  // an update of 2
            ks.access(4, [](auto& slot) { slot.emplace(4); });
            ks.access(5, [](auto& slot) { slot.emplace(5); });
            CHECK(ks.check_invariants());
            std::set<int> left;
            ks.for_each([&](int k, int) { left.insert(k); });
            return left;
        };
        CHECK(survivors(true) == std::set<int>{2, 4, 5});   // 1 and 2 were used: 3, then 1 go
        CHECK(survivors(false) == std::set<int>{3, 4, 5});  // insertion order: 1, then 2 go
    }

    TEST_CASE("Keyspace::scan skips expired entries and random_key returns live keys") {
        cachet::ManualClock clock;
        cachet::Keyspace<int, int, std::hash<int>, std::equal_to<int>, cachet::ManualClock> ks(
            {.shards = 2}, clock);
        std::mt19937_64 rng(1);
        CHECK(ks.random_key(rng) == std::nullopt);
        ks.access(1, [](auto& slot) { slot.emplace(1); });
        ks.access(2, [](auto& slot) {
            slot.emplace(2);
            slot.set_ttl(5ms);
        });
        clock.advance(10ms);
        std::set<int> seen;
        std::uint64_t cursor = 0;
        do cursor = ks.scan(cursor, 100, [&](int k, int) { seen.insert(k); });
        while (cursor != 0);
        CHECK(seen == std::set<int>{1});
        for (int i = 0; i < 20; ++i) CHECK(ks.random_key(rng) == 1);
    }
}

}  // namespace keyed_store_test
