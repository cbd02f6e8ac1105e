// Model-based test of bounded stores: random operations on a bounded KvStore (W-TinyLFU and
// LRU, by count and by weight, with and without TTLs, resized now and then) against a plain
// map. Every removal must come through the listener with a legitimate cause, the bound is never
// exceeded, and after each step every key the model holds is in the store and vice versa: so no
// entry is lost unless it was evicted, expired or erased.

#include "support/test_store.hpp"

#include <cachet/kv_store.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <random>

namespace eviction_model_test {

using cachet::RemovalCause;

namespace {
struct Cfg {
    cachet::Eviction eviction;
    std::size_t shards;
    std::uint64_t max_entries, max_weight;
    bool ttls;
};

void run(std::uint64_t seed, const Cfg& cfg, int steps) {
    CAPTURE(seed);
    CAPTURE(static_cast<int>(cfg.eviction));
    CAPTURE(cfg.shards);
    std::mt19937_64 rng(seed);
    cachet::ManualClock clock;
    test::Recorder<std::uint64_t, std::uint32_t> rec;
    cachet::StoreOptions<std::uint64_t, std::uint32_t> o{
        .shards = cfg.shards, .max_entries = cfg.max_entries, .max_weight = cfg.max_weight,
        .eviction = cfg.eviction, .removal_listener = rec.listener()};
    if (cfg.max_weight)
        o.weigher = [](const std::uint64_t&, const std::uint32_t& v) { return 1 + v % 16; };
    test::ManualKv<std::uint64_t, std::uint32_t> kv(std::move(o), clock);
    struct Item {
        std::uint32_t value;
        std::uint64_t deadline;
    };
    std::map<std::uint64_t, Item> model;
    std::uint64_t max_entries = cfg.max_entries, max_weight = cfg.max_weight;
    const std::uint64_t keys = 4 * (cfg.max_entries ? cfg.max_entries : cfg.max_weight / 4);
    auto now = [&] { return kv.core().now_ms(); };
    std::uint64_t evicted = 0, evicted_weight = 0;
    auto reconcile = [&] {
        for (auto& ev : rec.take()) {
            CAPTURE(ev.key);
            auto it = model.find(ev.key);
            switch (ev.cause) {
                case RemovalCause::replaced: break;  // the model applies puts itself
                case RemovalCause::erased:
                    REQUIRE(it == model.end());  // the model erased it first
                    break;
                case RemovalCause::expired:
                    REQUIRE(it != model.end());
                    CHECK(it->second.value == ev.value);
                    CHECK(it->second.deadline <= now());
                    model.erase(it);
                    break;
                case RemovalCause::evicted:
                    REQUIRE(it != model.end());
                    CHECK(it->second.value == ev.value);
                    ++evicted;
                    evicted_weight += cfg.max_weight ? 1 + ev.value % 16 : 1;
                    model.erase(it);
                    break;
            }
        }
    };
    for (int step = 0; step < steps; ++step) {
        CAPTURE(step);
        const std::uint64_t k = rng() % keys;
        const int op = static_cast<int>(rng() % 100);
        if (op < 40) {
            const auto got = kv.get(k);
            reconcile();
            auto it = model.find(k);
            const bool live = it != model.end() && it->second.deadline > now();
            REQUIRE(got.has_value() == live);
            if (got) CHECK(*got == it->second.value);
        } else if (op < 75) {
            const auto v = static_cast<std::uint32_t>(rng() % 1000);
            const bool ttl = cfg.ttls && rng() % 3 == 0;
            const auto d = std::chrono::milliseconds(1 + rng() % 50);
            auto it = model.find(k);
            if (it != model.end() && it->second.deadline <= now()) {
                // Expired in the model's eyes: the store announces it before the put.
                kv.put(k, v, d);
                auto evs = rec.take();
                REQUIRE(!evs.empty());
                CHECK(evs.front().cause == RemovalCause::expired);
                model.erase(k);
                for (std::size_t i = 1; i < evs.size(); ++i) rec.events.push_back(evs[i]);
                model[k] = {v, ttl ? now() + static_cast<std::uint64_t>(d.count()) : cachet::no_deadline};
                if (!ttl) kv.persist(k);
            } else {
                model.erase(k);
                model[k] = {v, ttl ? now() + static_cast<std::uint64_t>(d.count()) : cachet::no_deadline};
                if (ttl) kv.put(k, v, d);
                else kv.put(k, v);
            }
            reconcile();
        } else if (op < 85) {
            auto it = model.find(k);
            const bool live = it != model.end() && it->second.deadline > now();
            if (live) model.erase(it);  // an expired one is announced as expired instead
            CHECK(kv.erase(k) == live);
            reconcile();
        } else if (op < 93) {
            clock.advance(std::chrono::milliseconds(rng() % 20));
            if (rng() % 4 == 0) kv.run_pending();
            reconcile();
        } else if (op < 95 && cfg.max_entries) {
            max_entries = cfg.max_entries / 2 + rng() % cfg.max_entries;
            kv.set_max_entries(max_entries);
            reconcile();
        } else if (op < 95 && cfg.max_weight) {
            max_weight = cfg.max_weight / 2 + rng() % cfg.max_weight;
            kv.set_max_weight(max_weight);
            reconcile();
        } else {
            (void)kv.contains(k);
            reconcile();
        }
        if (max_entries) REQUIRE(kv.size() <= max_entries);
        if (max_weight) REQUIRE(kv.weight() <= max_weight);
        // Nothing lost: every model key is in the store (expired ones may linger in both).
        REQUIRE(kv.size() == model.size());
        if (step % 64 == 0) {
            for (auto& [key, item] : model)
                if (item.deadline > now()) REQUIRE(kv.contains(key));
            REQUIRE(kv.check_invariants());
        }
    }
    const auto st = kv.stats();
    CHECK(st.evictions == evicted);
    CHECK(st.evicted_weight == evicted_weight);
}
}  // namespace

TEST_SUITE("eviction_model") {
    TEST_CASE("bounded stores never exceed their bound and lose nothing unannounced") {
        for (std::uint64_t seed = 1; seed <= 6; ++seed) {
            const auto policy = seed % 2 ? cachet::Eviction::tinylfu : cachet::Eviction::lru;
            run(seed, {policy, std::size_t{1} << (seed % 3), 40, 0, false}, 4000);
            run(seed + 100, {policy, std::size_t{1} << (seed % 3), 200, 0, true}, 4000);
            run(seed + 200, {policy, 1, 0, 600, seed % 3 == 0}, 4000);
        }
    }
}

}  // namespace eviction_model_test
