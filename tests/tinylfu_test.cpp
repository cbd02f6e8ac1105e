#include "support/test_store.hpp"

#include <cachet/eviction/tinylfu.hpp>
#include <cachet/kv_store.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

TEST_SUITE("tinylfu") {
    TEST_CASE("the frequency sketch counts, saturates at 15 and ages by halving") {
        cachet::detail::FrequencySketch sk;
        sk.set_capacity(1000);
        CHECK(sk.frequency(42) == 0);
        for (int i = 0; i < 5; ++i) sk.increment(42);
        CHECK(sk.frequency(42) == 5);  // count-min never under-counts
        for (int i = 0; i < 100; ++i) sk.increment(7);
        CHECK(sk.frequency(7) == 15);  // 4-bit counters saturate
        // Enough other additions to pass the sample size halve every counter.
        const auto sample = sk.sample_size();
        for (std::uint32_t i = 0; i < sample; ++i) sk.increment(100000 + i);
        CHECK(sk.frequency(7) < 15);  // halved at least once (noise from the others aside)
        CHECK(sk.frequency(42) < 5);
    }

    TEST_CASE("admission keeps a frequent entry through a scan that flushes LRU") {
        auto survives = [](cachet::Eviction policy) {
            test::ManualKv<std::uint64_t, int> kv({.shards = 1, .max_entries = 100,
                                                   .eviction = policy});
            for (int round = 0; round < 20; ++round)
                for (std::uint64_t k = 0; k < 10; ++k) {  // a hot set, used over and over
                    if (!kv.get(k)) kv.put(k, 1);
                }
            for (std::uint64_t k = 1000; k < 3000; ++k) kv.put(k, 1);  // one-hit wonders
            int kept = 0;
            for (std::uint64_t k = 0; k < 10; ++k) kept += kv.contains(k);
            CHECK(kv.size() <= 100);
            CHECK(kv.check_invariants());
            return kept;
        };
        CHECK(survives(cachet::Eviction::lru) == 0);
        CHECK(survives(cachet::Eviction::tinylfu) >= 8);  // LRU keeps none of them
    }

    TEST_CASE("regions account weights and the window adapts to the workload") {
        cachet::TinyLfuPolicy p;
        p.set_capacity(1000);
        CHECK(p.window_max() == 10);  // 1% to start
        struct Node : cachet::PolicyHook {
            std::uint32_t hash;
        };
        std::vector<Node> nodes(2000);
        for (std::uint32_t i = 0; i < nodes.size(); ++i) nodes[i].hash = i * 2654435761u;
        std::uint64_t tracked = 0;
        auto hash_of = [](const cachet::PolicyHook* h) { return static_cast<const Node*>(h)->hash; };
        auto weight_of = [](const cachet::PolicyHook*) { return std::uint32_t{1}; };
        std::mt19937 rng(5);
        const auto initial_window = p.window_max();
        bool moved = false;
        for (int i = 0; i < 200000; ++i) {
            Node& n = nodes[rng() % nodes.size()];
            if (n.policy_region != cachet::TinyLfuPolicy::none) {
                p.on_access(&n, n.hash, 1);
            } else {
                p.on_insert(&n, n.hash, 1);
                if (++tracked > 1000) {
                    cachet::PolicyHook* v = p.select_victim(hash_of, weight_of);
                    REQUIRE(v != nullptr);
                    p.on_remove(v, 1);
                    --tracked;
                }
            }
            moved |= p.window_max() != initial_window;
            REQUIRE(p.weight(cachet::TinyLfuPolicy::window) +
                        p.weight(cachet::TinyLfuPolicy::probation) +
                        p.weight(cachet::TinyLfuPolicy::protect) ==
                    tracked);
        }
        CHECK(moved);  // the hill climber changed the window
        CHECK(p.check_invariants());
    }

    TEST_CASE("a weighted W-TinyLFU store respects max_weight and reports evictions") {
        test::Recorder<std::string, std::string> rec;
        test::ManualKv<std::string, std::string> kv(
            {.shards = 1,
             .max_weight = 1000,
             .weigher = [](const std::string&, const std::string& v) { return v.size(); },
             .eviction = cachet::Eviction::tinylfu,
             .removal_listener = rec.listener()});
        for (int i = 0; i < 500; ++i) kv.put("k" + std::to_string(i), std::string(10 + i % 50, 'x'));
        CHECK(kv.weight() <= 1000);
        const auto st = kv.stats();
        CHECK(st.evictions == rec.count(cachet::RemovalCause::evicted));
        CHECK(st.evictions > 0);
        kv.put("huge", std::string(1001, 'h'));  // heavier than the whole cache
        CHECK_FALSE(kv.contains("huge"));
        kv.set_max_weight(200);
        CHECK(kv.weight() <= 200);
        CHECK(kv.check_invariants());
    }
}
