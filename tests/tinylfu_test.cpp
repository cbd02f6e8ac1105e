#include "support/test_store.hpp"

#include <cachet/eviction/tinylfu.hpp>
#include <cachet/kv_store.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <list>
#include <random>
#include <unordered_map>
#include <string>
#include <vector>

namespace tinylfu_test {

namespace {
struct Node : cachet::PolicyHook {
    std::uint32_t hash = 0;
    std::uint32_t weight = 1;
};
auto hash_of = [](const cachet::PolicyHook* h) { return static_cast<const Node*>(h)->hash; };
auto weight_of = [](const cachet::PolicyHook* h) { return static_cast<const Node*>(h)->weight; };

/// Drives a TinyLfuPolicy like the keyspace does: hits record, misses insert and evict.
struct Driver {
    cachet::TinyLfuPolicy p;
    std::vector<Node> nodes;
    std::uint64_t tracked = 0, hits = 0, window_hits = 0, inserts = 0;
    Driver(std::uint64_t capacity, std::size_t keys) : nodes(keys) {
        p.set_capacity(capacity, capacity);
        for (std::uint32_t i = 0; i < keys; ++i) nodes[i].hash = i * 2654435761u + 12345u;
    }
    bool access(std::size_t k, std::uint64_t capacity) {
        Node& n = nodes[k];
        if (n.policy_region != cachet::TinyLfuPolicy::none) {
            ++hits;
            if (n.policy_region == cachet::TinyLfuPolicy::window) ++window_hits;
            if (p.record_hit(&n, n.hash)) p.drain_hits();  // as the keyspace, lock free
            return true;
        }
        p.reserve_insert();
        p.on_insert(&n, n.hash, n.weight);
        tracked += n.weight;
        if (++inserts % 16 == 0) p.adapt(hits, window_hits);
        while (tracked > capacity) {
            cachet::PolicyHook* v = p.select_victim(hash_of, weight_of);
            REQUIRE(v != nullptr);
            tracked -= static_cast<Node*>(v)->weight;
            p.on_remove(v, static_cast<Node*>(v)->weight);
        }
        return false;
    }
};

/// A policy of `capacity` entries and `count` nodes with distinct hashes (`i * mult + add`), the
/// first `inserted` of them inserted (each with weight 1) in order.
struct Filled {
    cachet::TinyLfuPolicy p;
    std::vector<Node> n;
    Filled(std::uint64_t capacity, std::size_t count, std::size_t inserted, std::uint32_t mult,
           std::uint32_t add)
        : n(count) {
        p.set_capacity(capacity, capacity);
        for (std::uint32_t i = 0; i < n.size(); ++i) n[i].hash = i * mult + add;
        for (std::size_t i = 0; i < inserted; ++i) {
            p.reserve_insert();
            p.on_insert(&n[i], n[i].hash, 1);
        }
    }
};
}  // namespace

TEST_SUITE("tinylfu") {
    TEST_CASE("the frequency sketch counts, saturates at 15 and ages by halving") {
        cachet::detail::FrequencySketch sk;
        sk.ensure_capacity(1000);
        CHECK(sk.words() == 1024);
        CHECK(sk.sample_size() == 10240);
        CHECK(sk.frequency(42) == 0);
        for (int i = 0; i < 5; ++i) sk.increment(42);
        CHECK(sk.frequency(42) == 5);  // count-min never under-counts
        for (int i = 0; i < 100; ++i) sk.increment(7);
        CHECK(sk.frequency(7) == 15);  // 4-bit counters saturate
        sk.halve();
        CHECK(sk.frequency(7) == 7);
        CHECK(sk.frequency(42) == 2);
        sk.ensure_capacity(10);  // never shrinks
        CHECK(sk.words() == 1024);
    }

    TEST_CASE("admission: a frequent candidate displaces an infrequent victim, not the reverse") {
        Filled f(100, 102, 100, 0x9E3779B9u, 1);  // window 1, main 99
        cachet::TinyLfuPolicy& p = f.p;
        std::vector<Node>& n = f.n;
        // Over the bound by one: the window drains, the candidate meets probation's oldest.
        p.reserve_insert();
        p.on_insert(&n[100], n[100].hash, 1);
        cachet::PolicyHook* v = p.select_victim(hash_of, weight_of);
        // Equal frequencies (1 each): a tie keeps the resident victim, evicts the candidate.
        REQUIRE(v != nullptr);
        const auto* cand = static_cast<Node*>(v);
        CHECK(cand == &n[99]);  // the last to leave the window
        p.on_remove(v, 1);
        // Make the next arrival frequent: it displaces the oldest resident instead.
        for (int i = 0; i < 5; ++i) p.record_hit(&n[100], n[100].hash);  // in the window: hits
        p.reserve_insert();
        p.on_insert(&n[101], n[101].hash, 1);
        // n[100], referenced, gets a second chance in the window; the plain newcomer n[101]
        // goes to probation as the candidate and loses the tie against the oldest resident.
        v = p.select_victim(hash_of, weight_of);
        REQUIRE(v != nullptr);
        CHECK(v != &n[100]);
        CHECK(p.check_invariants());
    }

    TEST_CASE("hits reach the sketch in batches of 15, or when the policy drains them") {
        Filled f(200, 201, 200, 0x27D4EB2Fu, 3);
        cachet::TinyLfuPolicy& p = f.p;
        std::vector<Node>& n = f.n;
        const unsigned before = p.sketch().frequency(n[7].hash);  // 1: its insert (or a collision)
        for (int i = 0; i < 5; ++i) p.record_hit(&n[7], n[7].hash);
        CHECK(p.sketch().frequency(n[7].hash) == before);  // queued, not counted yet
        p.drain_hits();
        CHECK(p.sketch().frequency(n[7].hash) == before + 5);
        // The 15th hit of a batch counts the whole batch, with no lock taken.
        for (int i = 0; i < 15; ++i) p.record_hit(&n[8], n[8].hash);
        CHECK(p.sketch().frequency(n[8].hash) >= 15);
        CHECK(p.check_invariants());
    }

    TEST_CASE("admission counts the hits still queued in a batch") {
        Filled f(100, 102, 101, 0x9E3779B9u, 1);  // window 1, main 99
        cachet::TinyLfuPolicy& p = f.p;
        std::vector<Node>& n = f.n;
        cachet::PolicyHook* v = p.select_victim(hash_of, weight_of);  // n[99] loses the tie
        REQUIRE(v == &n[99]);
        p.on_remove(v, 1);
        // Five hits on n[100], fewer than a batch: queued, not yet in the sketch.
        for (int i = 0; i < 5; ++i) p.record_hit(&n[100], n[100].hash);
        n[100].policy_ref.store(0);  // no second chance: it leaves the window as the candidate
        p.reserve_insert();
        p.on_insert(&n[101], n[101].hash, 1);
        v = p.select_victim(hash_of, weight_of);
        // Counted, n[100] (6) beats probation's oldest (1); uncounted it would lose the tie.
        REQUIRE(v != nullptr);
        CHECK(v != &n[100]);
        CHECK(static_cast<Node*>(v)->policy_region == cachet::TinyLfuPolicy::probation);
        p.on_remove(v, 1);
        CHECK(p.check_invariants());
    }

    TEST_CASE("a hit only marks the entry; the policy promotes it lazily") {
        Filled f(200, 201, 200, 0x85EBCA6Bu, 7);
        cachet::TinyLfuPolicy& p = f.p;
        std::vector<Node>& n = f.n;
        p.record_hit(&n[0], n[0].hash);
        CHECK(n[0].policy_ref.load() == 1);
        CHECK(n[0].policy_region == cachet::TinyLfuPolicy::window);  // not moved by the hit
        p.reserve_insert();
        p.on_insert(&n[200], n[200].hash, 1);
        cachet::PolicyHook* v = p.select_victim(hash_of, weight_of);
        REQUIRE(v != nullptr);
        CHECK(v != &n[0]);  // referenced: it got a second chance
        CHECK(n[0].policy_ref.load() == 0);
        p.on_remove(v, 1);
        CHECK(p.check_invariants());
    }

    TEST_CASE("the window grows on a recency-heavy workload and stays small on a loop") {
        constexpr std::uint64_t cap = 1000;
        SUBCASE("recency: each key is reused a few times at short distance, then never") {
            Driver d(cap, 200000);
            const auto initial = d.p.window_max();
            CHECK(initial == 10);  // 1% to start
            std::size_t next = 0;
            std::vector<std::size_t> recent;
            std::mt19937_64 rng(3);
            for (int i = 0; i < 200000; ++i) {
                if (recent.size() < 300 || rng() % 2) {
                    recent.push_back(next % d.nodes.size());
                    d.access(next++ % d.nodes.size(), cap);
                } else {
                    d.access(recent[recent.size() - 1 - rng() % 300], cap);
                }
            }
            CHECK(d.p.adaptations() > 10);
            CHECK(d.p.window_max() > 5 * initial);
        }
        SUBCASE("frequency: a loop over 1.5x the capacity keeps the window near 1%") {
            Driver d(cap, 1500);
            for (int i = 0; i < 300000; ++i) d.access(static_cast<std::size_t>(i) % 1500, cap);
            CHECK(d.p.window_max() <= 50);
            CHECK(d.p.followed() != 2);  // not LRU, which scores nothing on a loop
            // Scan resistance: about cap / 1500 of the loop hits, as OPT would (LRU: none).
            CHECK(static_cast<double>(d.hits) / 300000 > 0.5);
        }
    }

    TEST_CASE("regions account weights through inserts, evictions and reweighs") {
        Driver d(5000, 4000);
        std::mt19937_64 rng(9);
        for (auto& n : d.nodes) n.weight = 1 + static_cast<std::uint32_t>(rng() % 8);
        for (int i = 0; i < 100000; ++i) {
            d.access(static_cast<std::size_t>(rng() % 4000), 5000);
            using R = cachet::TinyLfuPolicy;
            REQUIRE(d.p.weight(R::window) + d.p.weight(R::probation) + d.p.weight(R::protect) ==
                    d.tracked);
        }
        CHECK(d.tracked <= 5000);
        CHECK(d.p.check_invariants());
        // A reweigh moves the region's total with it.
        for (auto& n : d.nodes) {
            if (n.policy_region == cachet::TinyLfuPolicy::none) continue;
            const auto before = d.p.weight(static_cast<cachet::TinyLfuPolicy::Region>(n.policy_region));
            d.p.on_reweigh(&n, n.weight, n.weight + 3);
            CHECK(d.p.weight(static_cast<cachet::TinyLfuPolicy::Region>(n.policy_region)) ==
                  before + 3);
            break;
        }
    }

    TEST_CASE("W-TinyLFU is the default and a small store behaves like LRU") {
        test::ManualKv<std::string, int> kv({.shards = 1, .max_entries = 3});
        CHECK(kv.core().eviction() == cachet::Eviction::tinylfu);
        kv.put("a", 1);
        kv.put("b", 2);
        kv.put("c", 3);
        CHECK(kv.get("a") == 1);
        kv.put("d", 4);
        CHECK_FALSE(kv.contains("b"));
        CHECK(kv.contains("a"));
        CHECK(kv.check_invariants());
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

    TEST_CASE("a weighted W-TinyLFU store respects max_weight, reports evictions, resizes") {
        test::Recorder<std::string, std::string> rec;
        test::ManualKv<std::string, std::string> kv(
            {.shards = 1,
             .max_weight = 1000,
             .weigher = [](const std::string&, const std::string& v) { return v.size(); },
             .removal_listener = rec.listener()});
        for (int i = 0; i < 500; ++i) kv.put("k" + std::to_string(i), std::string(10 + i % 50, 'x'));
        CHECK(kv.weight() <= 1000);
        auto st = kv.stats();
        CHECK(st.evictions == rec.count(cachet::RemovalCause::evicted));
        CHECK(st.evictions > 0);
        std::uint64_t evicted_weight = 0;
        for (auto& e : rec.take())
            if (e.cause == cachet::RemovalCause::evicted) evicted_weight += e.value.size();
        CHECK(st.evicted_weight == evicted_weight);
        kv.put("huge", std::string(1001, 'h'));  // heavier than the whole cache: rejected alone
        CHECK_FALSE(kv.contains("huge"));
        CHECK(kv.stats().evictions == st.evictions + 1);
        CHECK(kv.size() > 10);  // the others stay
        kv.set_max_weight(200);
        CHECK(kv.weight() <= 200);
        kv.set_max_weight(5000);  // growing evicts nothing
        const auto size = kv.size();
        kv.put("new", "v");
        CHECK(kv.size() == size + 1);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("64-bit weights: a bound above 4 GiB holds entries of up to 4 GiB each") {
        test::ManualKv<int, std::uint64_t> kv(
            {.shards = 1,
             .max_weight = std::uint64_t{10} << 32,
             .weigher = [](const int&, const std::uint64_t& w) { return w; }});
        for (int i = 0; i < 20; ++i) kv.put(i, std::uint64_t{0xFFFFFFFF});
        CHECK(kv.weight() <= (std::uint64_t{10} << 32));
        CHECK(kv.weight() > (std::uint64_t{8} << 32));
        CHECK(kv.check_invariants());
    }

    TEST_CASE("resizing a W-TinyLFU store evicts down to the new bound") {
        test::Recorder<int, int> rec;
        test::ManualKv<int, int> kv({.shards = 2, .max_entries = 1000,
                                     .removal_listener = rec.listener()});
        for (int i = 0; i < 5000; ++i)
            if (!kv.get(i % 1500)) kv.put(i % 1500, i);
        CHECK(kv.size() <= 1000);
        kv.set_max_entries(100);
        CHECK(kv.size() <= 100);
        CHECK(kv.stats().evictions == rec.count(cachet::RemovalCause::evicted));
        for (int i = 0; i < 1000; ++i)
            if (!kv.get(i % 300)) kv.put(i % 300, i);
        CHECK(kv.size() <= 100);
        CHECK(kv.check_invariants());
    }

    TEST_CASE("a ghost cache with a window as large as itself is exact LRU") {
        cachet::detail::GhostCache g;
        REQUIRE(g.init(100));
        g.set_window(100);
        std::list<std::uint32_t> lru;  // reference: front = most recent
        std::unordered_map<std::uint32_t, std::list<std::uint32_t>::iterator> where;
        std::mt19937_64 rng(11);
        auto freq = [](std::uint32_t) { return 0u; };
        std::uint64_t hits = 0, ref_hits = 0;
        for (int i = 0; i < 50000; ++i) {
            // Skewed keys over 400 hashes, so hits, misses and evictions all happen.
            const auto k = static_cast<std::uint32_t>((rng() % 400) * (rng() % 2 ? 1 : 0) +
                                                      rng() % 150) * 2654435761u;
            hits += g.access(k, freq);
            if (auto it = where.find(k); it != where.end()) {
                ++ref_hits;
                lru.erase(it->second);
            } else if (lru.size() == 100) {
                where.erase(lru.back());
                lru.pop_back();
            }
            lru.push_front(k);
            where[k] = lru.begin();
        }
        CHECK(ref_hits > 10000);
        CHECK(hits == ref_hits);
    }

    TEST_CASE("a ghost W-TinyLFU admits by frequency: a frequent key survives a scan") {
        cachet::detail::GhostCache g;
        REQUIRE(g.init(64));
        g.set_window(1);
        auto freq = [](std::uint32_t h) { return h == 7 ? 10u : 1u; };
        CHECK_FALSE(g.access(7, freq));
        for (std::uint32_t k = 100; k < 1100; ++k) CHECK_FALSE(g.access(k, freq));
        CHECK(g.access(7, freq));  // LRU would have evicted it long ago
    }

    TEST_CASE("back-and-forth sweeps, where LRU is optimal, make the window follow LRU") {
        // Sweeps up and down over 2000 keys with a 400-entry cache: LRU hits the 400 most
        // recent keys after each turn; a small window with frequency admission keeps stale ones.
        constexpr std::uint64_t cap = 400;
        Driver d(cap, 2000);
        std::list<std::size_t> lru;
        std::unordered_map<std::size_t, std::list<std::size_t>::iterator> where;
        std::uint64_t lru_hits = 0, requests = 0;
        for (int sweep = 0; sweep < 40; ++sweep) {
            for (int j = 0; j < 2000; ++j) {
                const std::size_t k = static_cast<std::size_t>(sweep % 2 ? 1999 - j : j);
                d.access(k, cap);
                ++requests;
                if (auto it = where.find(k); it != where.end()) {
                    ++lru_hits;
                    lru.erase(it->second);
                } else if (lru.size() == cap) {
                    where.erase(lru.back());
                    lru.pop_back();
                }
                lru.push_front(k);
                where[k] = lru.begin();
            }
        }
        CHECK(d.p.followed() == 2);
        CHECK(d.p.window_max() >= cap * 9 / 10);
        CHECK(static_cast<double>(d.hits) > 0.9 * static_cast<double>(lru_hits));
        CHECK(d.p.check_invariants());
    }

    TEST_CASE("a bound by weight keeps no mini-simulations and steers by density") {
        cachet::TinyLfuPolicy p;
        p.set_capacity(1000);  // entries unknown
        CHECK(p.followed() == 0);
    }
}

}  // namespace tinylfu_test
