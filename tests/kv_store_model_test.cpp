// Model-based tests: long seeded random operation sequences applied to a KvStore and to an
// obviously correct model, compared after every step. The seed is printed on failure.

#include "support/test_store.hpp"

#include <cachet/detail/flat_index.hpp>
#include <cachet/kv_store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <unordered_map>

namespace kv_store_model_test {

using namespace std::chrono_literals;
using cachet::RemovalCause;

namespace {

using Key = std::uint64_t;
using Val = std::int64_t;
using Store = test::ManualKv<Key, Val>;

/// The model: value and absolute deadline (ms) per key, plus LRU order when bounded.
struct Model {
    struct Item {
        Val value;
        std::uint64_t deadline;  // cachet::no_deadline: none
    };
    std::map<Key, Item> items;
    std::list<Key> lru;  // front = most recent (bounded, single-shard runs only)
    std::uint64_t default_ttl = 0;

    bool live(Key k, std::uint64_t now) const {
        auto it = items.find(k);
        return it != items.end() && it->second.deadline > now;
    }
    void touch(Key k) {
        lru.remove(k);
        lru.push_front(k);
    }
    void drop(Key k) {
        items.erase(k);
        lru.remove(k);
    }
};

struct Config {
    std::size_t shards;
    std::uint64_t max_entries;  // 0: unbounded
    bool ttls;
    std::uint64_t default_ttl_ms;
    cachet::Eviction eviction = cachet::Eviction::lru;
};

void run_model(std::uint64_t seed, const Config& cfg, int steps) {
    CAPTURE(seed);
    CAPTURE(cfg.shards);
    CAPTURE(cfg.max_entries);
    std::mt19937_64 rng(seed);
    cachet::ManualClock clock;
    clock.advance(std::chrono::milliseconds(rng() % 100000));
    test::Recorder<Key, Val> rec;
    Store kv({.shards = cfg.shards,
              .max_entries = cfg.max_entries,
              .default_ttl = std::chrono::milliseconds(cfg.default_ttl_ms),
              .eviction = cfg.eviction,
              .removal_listener = rec.listener(),
              .expire_budget = 1 + rng() % 8},
             clock);
    Model m;
    m.default_ttl = cfg.default_ttl_ms;
    const bool exact_lru = cfg.max_entries != 0 && cfg.shards == 1 && !cfg.ttls &&
                           cfg.default_ttl_ms == 0 && cfg.eviction == cachet::Eviction::lru;
    const Key key_space = cfg.max_entries ? cfg.max_entries * 3 : 64;

    auto now_ms = [&] { return kv.core().now_ms(); };
    auto default_deadline = [&] {
        return m.default_ttl ? now_ms() + m.default_ttl : cachet::no_deadline;
    };
    auto random_ttl = [&] { return std::chrono::milliseconds(1 + rng() % 3000); };

    // Applies the store's removal notifications to the model, checking each is legitimate.
    auto reconcile = [&] {
        for (auto& ev : rec.take()) {
            CAPTURE(ev.key);
            switch (ev.cause) {
                case RemovalCause::expired: {
                    auto it = m.items.find(ev.key);
                    // An expired key may already be gone from the model (a put replaced it
                    // after it expired in the model's eyes, never in the store's).
                    if (it != m.items.end() && it->second.value == ev.value) {
                        CHECK(it->second.deadline <= now_ms());
                        m.drop(ev.key);
                    }
                    break;
                }
                case RemovalCause::evicted: {
                    REQUIRE(cfg.max_entries != 0);
                    auto it = m.items.find(ev.key);
                    if (it != m.items.end() && it->second.value == ev.value) {
                        if (exact_lru) CHECK(m.lru.back() == ev.key);
                        m.drop(ev.key);
                    }
                    break;
                }
                case RemovalCause::erased:
                case RemovalCause::replaced: break;  // the model applies these itself
            }
        }
    };

    for (int step = 0; step < steps; ++step) {
        CAPTURE(step);
        const Key k = rng() % key_space;
        const std::uint64_t now = now_ms();
        const int op = static_cast<int>(rng() % 100);
        if (op < 25) {  // get
            auto got = kv.get(k);
            reconcile();
            const bool live_after = m.live(k, now);
            REQUIRE(got.has_value() == live_after);
            if (got) {
                CHECK(*got == m.items.at(k).value);
                m.touch(k);
            }
        } else if (op < 45) {  // put, with or without a TTL
            const Val v = static_cast<Val>(rng() % 1000);
            const bool with_ttl = cfg.ttls && rng() % 2;
            const auto ttl = random_ttl();
            const bool fresh = with_ttl ? kv.put(k, v, ttl) : kv.put(k, v);
            reconcile();  // before the model changes: events concern the state before the put
            CHECK(fresh == !m.live(k, now));
            m.items[k] = {v, with_ttl ? now + static_cast<std::uint64_t>(ttl.count())
                                      : default_deadline()};
            m.touch(k);
        } else if (op < 50) {  // put_if_absent
            const Val v = static_cast<Val>(rng() % 1000);
            const bool set = kv.put_if_absent(k, v);
            reconcile();
            const bool live_after = m.live(k, now);
            CHECK(set == !live_after);
            if (set) {
                m.items[k] = {v, default_deadline()};
                m.touch(k);
            }
        } else if (op < 55) {  // put_if_present
            const Val v = static_cast<Val>(rng() % 1000);
            const bool set = kv.put_if_present(k, v);
            reconcile();
            CHECK(set == m.live(k, now));
            if (set) {
                m.items[k] = {v, default_deadline()};
                m.touch(k);
            }
        } else if (op < 63) {  // erase
            const bool erased = kv.erase(k);
            reconcile();
            CHECK(erased == m.live(k, now));
            if (erased) m.drop(k);
        } else if (op < 70) {  // increment
            const Val d = static_cast<Val>(rng() % 10) - 3;
            auto r = kv.increment(k, d);
            reconcile();
            REQUIRE(r.has_value());
            if (m.live(k, now)) {
                m.items[k].value += d;
            } else {
                m.items[k] = {d, default_deadline()};
            }
            CHECK(*r == m.items[k].value);
            m.touch(k);
        } else if (op < 75 && cfg.ttls) {  // expire
            const auto ttl = random_ttl();
            const bool ok = kv.expire(k, ttl);
            reconcile();
            CHECK(ok == m.live(k, now));
            if (ok) m.items[k].deadline = now + static_cast<std::uint64_t>(ttl.count());
        } else if (op < 78) {  // persist
            const bool ok = kv.persist(k);
            reconcile();
            const bool had = m.live(k, now) && m.items[k].deadline != cachet::no_deadline;
            CHECK(ok == had);
            if (ok) m.items[k].deadline = cachet::no_deadline;
        } else if (op < 82) {  // ttl
            const auto t = kv.ttl(k);
            reconcile();
            if (!m.live(k, now)) {
                CHECK(t.state == cachet::KeyTtl::State::missing);
            } else if (m.items[k].deadline == cachet::no_deadline) {
                CHECK(t.state == cachet::KeyTtl::State::persistent);
            } else {
                CHECK(t.state == cachet::KeyTtl::State::expiring);
                CHECK(static_cast<std::uint64_t>(t.remaining.count()) ==
                      m.items[k].deadline - now);
            }
        } else if (op < 85) {  // get_and_erase
            auto got = kv.get_and_erase(k);
            reconcile();
            CHECK(got.has_value() == m.live(k, now));
            if (got) {
                CHECK(*got == m.items[k].value);
                m.drop(k);
            }
        } else if (op < 97) {  // time passes
            if (cfg.ttls || cfg.default_ttl_ms) {
                clock.advance(std::chrono::milliseconds(rng() % 400));
            }
        } else {  // reclaim everything due
            kv.run_pending();
            reconcile();
            for (auto it = m.items.begin(); it != m.items.end();) {
                // After run_pending, nothing expired may remain in the store.
                CHECK(it->second.deadline > now_ms());
                ++it;
            }
        }
        // Whole-store checks.
        if (cfg.max_entries) CHECK(kv.size() <= cfg.max_entries);
        if (!cfg.ttls && cfg.default_ttl_ms == 0) {
            REQUIRE(kv.size() == m.items.size());
        }
        if (step % 64 == 0) {
            REQUIRE(kv.check_invariants());
            // Every live model item is in the store with its value (a full sweep).
            std::size_t live_count = 0;
            for (auto& [key, item] : m.items) {
                if (item.deadline <= now_ms()) continue;
                ++live_count;
                Val seen = 0;
                CHECK(kv.core().contains(key));
                kv.core().read(key, [&](const Key&, const Val& v) { seen = v; });
                CHECK(seen == item.value);
            }
            reconcile();
            std::size_t store_live = 0;
            kv.for_each([&](const Key&, const Val&) { ++store_live; });
            CHECK(store_live == live_count);
            // The reads above touched LRU order in the store; mirror them in the model.
            if (exact_lru) {
                for (auto& [key, item] : m.items) m.touch(key);
            }
        }
    }
}

}  // namespace

TEST_SUITE("kv_store_model") {
    TEST_CASE("unbounded store with TTLs matches the model step by step") {
        for (std::uint64_t seed = 1; seed <= 12; ++seed)
            run_model(seed, {.shards = 1u << (seed % 4), .max_entries = 0, .ttls = true,
                             .default_ttl_ms = 0},
                      4000);
    }
    TEST_CASE("unbounded store with a default TTL matches the model") {
        for (std::uint64_t seed = 100; seed <= 104; ++seed)
            run_model(seed, {.shards = 2, .max_entries = 0, .ttls = true, .default_ttl_ms = 700},
                      3000);
    }
    TEST_CASE("bounded single-shard store without TTLs is exact LRU") {
        for (std::uint64_t seed = 200; seed <= 207; ++seed)
            run_model(seed, {.shards = 1, .max_entries = 8 + seed % 20, .ttls = false,
                             .default_ttl_ms = 0},
                      4000);
    }
    TEST_CASE("bounded sharded store with TTLs never exceeds its bound nor loses an entry") {
        for (std::uint64_t seed = 300; seed <= 307; ++seed)
            run_model(seed, {.shards = 4, .max_entries = 32, .ttls = true, .default_ttl_ms = 0},
                      4000);
    }
}

TEST_SUITE("kv_store_model") {
    TEST_CASE("bounded W-TinyLFU store never exceeds its bound nor loses an entry") {
        for (std::uint64_t seed = 400; seed <= 407; ++seed)
            run_model(seed, {.shards = 1u << (seed % 3), .max_entries = 24 + seed % 40,
                             .ttls = seed % 2 == 0, .default_ttl_ms = 0,
                             .eviction = cachet::Eviction::tinylfu},
                      5000);
    }
}

TEST_SUITE("flat_index") {
    TEST_CASE("randomized against std::unordered_map, with Robin Hood invariants") {
        struct Node {
            std::uint64_t key;
            std::uint32_t hash;  // what the index reads to resize and to resolve long distances
        };
        std::mt19937_64 rng(11);
        cachet::detail::FlatIndex<Node> index;
        std::unordered_map<std::uint64_t, std::unique_ptr<Node>> model;
        // A deliberately weak hash (few distinct values) to force long probe runs: up to 600
        // keys on 97 homes, so distances pass 255, where the bucket's 8-bit field saturates.
        auto h = [](std::uint64_t k) { return static_cast<std::uint32_t>((k * 2654435761u) % 97); };
        for (int step = 0; step < 20000; ++step) {
            const std::uint64_t k = rng() % 600;
            auto eq = [&](const Node* n) { return n->key == k; };
            Node* found = index.find(h(k), eq);
            auto it = model.find(k);
            REQUIRE((found != nullptr) == (it != model.end()));
            if (rng() % 3 == 0 && found) {
                REQUIRE(index.erase(h(k), found));
                model.erase(it);
            } else if (!found) {
                auto n = std::make_unique<Node>(Node{k, h(k)});
                index.insert(h(k), n.get());
                model.emplace(k, std::move(n));
            }
            REQUIRE(index.size() == model.size());
            if (step % 500 == 0) REQUIRE(index.check_invariants());
        }
        REQUIRE(index.check_invariants());
        // Over 352 keys on 97 consecutive homes: some distance is past 255 (saturated).
        REQUIRE(model.size() > 352);
        std::size_t visited = 0;
        index.for_each([&](Node* n) {
            CHECK(model.count(n->key) == 1);
            ++visited;
        });
        CHECK(visited == model.size());
        index.reserve(5000);
        CHECK(index.capacity() * 4 >= 5000 * 5);
        CHECK(index.check_invariants());
    }

    TEST_CASE("the table shrinks under 10% full and is freed empty; SCAN still covers what stays") {
        struct Node {
            std::uint64_t key;
            std::uint32_t hash;
        };
        auto h = [](std::uint64_t k) {
            k ^= k >> 33;
            k *= 0xff51afd7ed558ccdULL;
            return static_cast<std::uint32_t>(k ^ (k >> 29));
        };
        cachet::detail::FlatIndex<Node> index;
        std::vector<std::unique_ptr<Node>> nodes;
        for (std::uint64_t k = 0; k < 10000; ++k) {
            nodes.push_back(std::make_unique<Node>(Node{k, h(k)}));
            index.insert(h(k), nodes.back().get());
        }
        const std::size_t full = index.capacity();
        CHECK(full >= 16384);
        // A scan begun on the full table, continued while 9,990 nodes go (the table halves
        // again and again between calls), still visits the ten that stay throughout.
        std::set<std::uint64_t> seen;
        std::uint32_t cursor = 0;
        std::size_t next_erase = 10;
        do {
            cursor = index.scan(cursor, [&](const Node* n) { seen.insert(n->key); });
            for (int i = 0; i < 40 && next_erase < nodes.size(); ++i, ++next_erase)
                REQUIRE(index.erase(nodes[next_erase]->hash, nodes[next_erase].get()));
        } while (cursor != 0);
        for (std::uint64_t k = 0; k < 10; ++k) CHECK(seen.count(k) == 1);
        while (next_erase < nodes.size()) {
            REQUIRE(index.erase(nodes[next_erase]->hash, nodes[next_erase].get()));
            ++next_erase;
        }
        CHECK(index.size() == 10);
        CHECK(index.capacity() <= 128);  // under 10% full: halved down
        CHECK(index.check_invariants());
        for (std::uint64_t k = 0; k < 10; ++k)
            CHECK(index.find(h(k), [&](const Node* n) { return n->key == k; }) == nodes[k].get());
        for (std::uint64_t k = 0; k < 10; ++k) REQUIRE(index.erase(h(k), nodes[k].get()));
        CHECK(index.capacity() == 0);  // empty: no table at all
        index.insert(h(1), nodes[1].get());
        CHECK(index.capacity() == 16);
    }
}

}  // namespace kv_store_model_test
