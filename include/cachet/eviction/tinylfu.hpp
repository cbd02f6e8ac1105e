#ifndef CACHET_EVICTION_TINYLFU_HPP
#define CACHET_EVICTION_TINYLFU_HPP

/// `TinyLfuPolicy`: W-TinyLFU (Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache
/// Admission Policy", ACM TOS 2017), the default eviction policy of a bounded store:
///   - a *window* that every new entry enters (it serves recency and absorbs bursts);
///   - a *main* region in segmented LRU: *probation* (entries admitted from the window) and
///     *protected* (entries hit again while on probation), protected capped at 80% of main;
///   - a count-min *frequency sketch* (4-bit counters, four per key in one 64-byte block) that
///     is halved every 10 x (its size) requests, so frequencies age;
///   - *admission*: when the store is over its bound, the newest arrival in probation (the
///     candidate, just out of the window) meets probation's oldest entry (the victim), and the
///     one the sketch says is less frequent is evicted (a tie keeps the victim: scan resistance).
///
/// Hits without the exclusive lock. A hit only sets the entry's `policy_ref` bit (relaxed, and
/// only if not set yet, so a hot entry's line is not written over and over) and counts itself in
/// the sketch (relaxed loads and stores of its 64-bit words, skipped once a counter saturates);
/// both are safe from many readers at once and lossy at worst. The sketch is larger than the
/// caches (a word per entry), so each increment is a cache miss; hits therefore queue their
/// hashes in a per-thread batch of 15 (one cache line per shard and thread stripe), and the
/// reader that fills a batch prefetches all 15 counter lines before incrementing them, so the
/// batch waits for memory about once instead of 15 times. Every decision that reads the sketch
/// under the exclusive lock (admission, an insert's mini-simulation step, aging) first counts
/// the batches still pending, so it sees every hit recorded before it. The reordering a hit
/// implies is done lazily, under the exclusive lock, when the entry reaches the old end of its
/// region (a CLOCK second chance): a referenced entry at the window's tail goes back to the
/// window's head; at probation's tail it is promoted to protected; at protected's tail it goes
/// back to protected's head. So the order approximates Caffeine's LRU lists without ever
/// relinking on a hit. (Replaying every hit in order instead, as Caffeine's read buffers do, was
/// measured: it gains on recency-only workloads, up to 1.7 points, and loses more elsewhere:
/// the mean hit ratio over the traces' 120 cells fell from 36.66 to 36.43 and two more cells
/// missed their goal.)
///
/// Adaptive window, by miniature simulations (Waldspurger et al., "Cache Modeling and
/// Optimization using Miniature Simulations", USENIX ATC 2017). For a bound by entry count,
/// the policy spatially samples keys by hash (all of them for a cache of up to 256 entries,
/// else enough for a 256-entry mini-cache, or 1/16 of the cache if larger, at most 4096) and
/// replays the sampled accesses on three ghost W-TinyLFU caches of hashes only, sharing the
/// real sketch: (0) one whose window is steered by hit density, (1) one with a 1% window, and
/// (2) one whose window is all of it (LRU). Density steering: every `capacity` requests, with
/// `d_w = window hits / window size` and `d_m = main hits / main size` in that period, the
/// window moves by `min(30%, 3% x |ln(d_w / d_m)|)` of the capacity towards the denser region,
/// between 1% and 99% (Caffeine's density-ratio signal). The real window follows one ghost's
/// configuration (at first the steered one) and switches, checked eight times per `capacity`
/// requests, to another only when a paired test says it is better: over the sampled accesses
/// where the two disagreed (one hit, the other missed; counts decayed with a horizon of 20 x
/// `capacity` requests), `wins - losses > 4 sqrt(wins + losses) + 1` (McNemar). So the
/// recency-only sweeps where LRU is optimal get LRU, loops and frequency-skewed workloads a
/// small window, and the rest the steered one. Hits readers record on sampled keys go through
/// a lossy 64-slot ring, replayed under the exclusive lock (by the next writer, or by a reader
/// that finds it half full and the lock free at once: `record_hit` returns true). A bound by
/// weight keeps no ghosts (entry counts are unknown): its real window is density-steered on the
/// real hits, every `capacity` requests. Below 64 units of capacity, or while the shard holds
/// no more than 64 entries (a weight bound with few heavy entries), there is no main region:
/// the window is the whole cache (CLOCK, close to LRU): a cache that small has no room for a
/// useful split or for sketch statistics.
///
/// Every operation is O(1) amortised (a second chance clears a bit, so each hit is paid for at
/// most once; a sampled access costs three ghost lookups) and never allocates, except
/// `reserve_insert` growing the sketch as the shard fills (to the next power of two of the
/// tracked entries, in 64-bit words: 8-16 bytes per entry; Caffeine sizes its sketch the same
/// way) and `set_capacity` sizing the ghosts (about 20 bytes per ghost entry: at most 15 KiB a
/// shard up to 4096 entries, about 4 bytes per entry beyond) and, once, the hit batches (64
/// bytes per thread stripe: 2 to 16 stripes, by hardware threads).
/// Thread-safety: `record_hit` may run concurrently with itself (shared lock); everything else
/// needs the shard's exclusive lock.

#include <cachet/eviction/policy.hpp>
#include <cachet/mutex.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>

CACHET_NAMESPACE_BEGIN

namespace detail {

/// Count-min sketch of 4-bit saturating counters: a table of 64-bit words grouped in 64-byte
/// blocks; a key's four counters lie in one block (one cache line per increment). Estimates
/// how often a hash was seen recently; `halve()` ages it.
class FrequencySketch {
public:
    /// Makes room for about `n` distinct hot keys: bit_ceil(n) words (at least 8), 16 counters
    /// each. A table that grows starts over from zero. Allocates when it grows.
    /// Precondition: no concurrent `increment` (the exclusive lock is held).
    void ensure_capacity(std::uint64_t n) {
        const std::uint64_t words = std::bit_ceil(std::max<std::uint64_t>(n, 8));
        if (words <= m_words) return;
        m_table.reset(new Block[words / 8]);  // zeroed by Block's initialiser
        m_words = words;
        m_block_mask = words / 8 - 1;
    }

    /// Records one occurrence of `h`. Safe to call from many threads at once (relaxed; an
    /// increment racing with another may be lost). O(1).
    void increment(std::uint32_t h) noexcept {
        if (m_words == 0) return;
        const std::uint64_t x = spread(h);
        std::atomic<std::uint64_t>* block = m_table[(x >> 32) & m_block_mask].w;
        for (unsigned i = 0; i < 4; ++i) {
            std::atomic<std::uint64_t>& word = block[(x >> (i * 8)) & 7];
            const unsigned shift = static_cast<unsigned>((x >> (i * 8 + 3)) & 15) * 4;
            const std::uint64_t w = word.load(std::memory_order_relaxed);
            if (((w >> shift) & 0xF) != 0xF)
                word.store(w + (std::uint64_t{1} << shift), std::memory_order_relaxed);
        }
    }

    /// Brings the cache line of `h`'s counters towards the CPU ahead of an `increment`, so
    /// that a batch of increments waits for its memory once rather than once each.
    void prefetch(std::uint32_t h) const noexcept {
        if (m_words == 0) return;
        __builtin_prefetch(m_table[(spread(h) >> 32) & m_block_mask].w, 1);
    }

    /// The estimated count of `h` (0..15). O(1).
    [[nodiscard]] unsigned frequency(std::uint32_t h) const noexcept {
        if (m_words == 0) return 0;
        const std::uint64_t x = spread(h);
        const std::atomic<std::uint64_t>* block = m_table[(x >> 32) & m_block_mask].w;
        unsigned f = 15;
        for (unsigned i = 0; i < 4; ++i) {
            const std::uint64_t w = block[(x >> (i * 8)) & 7].load(std::memory_order_relaxed);
            f = std::min(f, static_cast<unsigned>((w >> ((x >> (i * 8 + 3)) & 15) * 4) & 0xF));
        }
        return f;
    }

    /// Ages every counter: halves it (TinyLFU's "reset"). O(size).
    void halve() noexcept {
        for (std::uint64_t b = 0; b < m_words / 8; ++b)
            for (auto& word : m_table[b].w)
                word.store((word.load(std::memory_order_relaxed) >> 1) & 0x7777777777777777ULL,
                           std::memory_order_relaxed);
    }

    /// Requests between two halvings: 10 per counter word (as Caffeine's sample size).
    [[nodiscard]] std::uint64_t sample_size() const noexcept { return 10 * m_words; }
    [[nodiscard]] std::uint64_t words() const noexcept { return m_words; }
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return static_cast<std::size_t>(m_words) * 8;
    }

private:
    static std::uint64_t spread(std::uint32_t h) noexcept {
        std::uint64_t x = (std::uint64_t{h} + 0x632BE59BD9B4E019ULL) * 0x9E3779B97F4A7C15ULL;
        x ^= x >> 32;
        x *= 0xD6E8FEB86659FD93ULL;
        x ^= x >> 32;
        return x;
    }

    /// A key's four counters lie in one block, aligned to a cache line: one line per access.
    struct alignas(64) Block {
        std::atomic<std::uint64_t> w[8] = {};
    };
    std::unique_ptr<Block[]> m_table;
    std::uint64_t m_words = 0;
    std::uint64_t m_block_mask = 0;
};


/// A miniature W-TinyLFU over sampled key hashes only (a "mini-simulation", Waldspurger et al.,
/// USENIX ATC 2017): exact LRU window, segmented-LRU main (protected at most 80% of main),
/// TinyLFU admission by a shared frequency sketch. A window as large as the capacity makes it
/// plain LRU. Nodes hold a hash and 16-bit links; an open-addressing table maps hashes to
/// nodes. Allocates only in `init`. O(1) per access (amortised over the table's probes).
class GhostCache {
public:
    static constexpr std::uint32_t max_capacity = 4096;

    /// Sizes the cache for `capacity` entries (at most `max_capacity`) and empties it.
    /// Returns false (and disables the cache) if allocation fails.
    bool init(std::uint32_t capacity) noexcept {
        capacity = std::clamp<std::uint32_t>(capacity, 1, max_capacity);
        const std::uint32_t slots = std::bit_ceil(capacity * 2 + 2);
        m_nodes.reset(new (std::nothrow) Node[capacity + first + 1]);
        m_table.reset(new (std::nothrow) std::uint16_t[slots]);
        if (!m_nodes || !m_table) {
            m_nodes.reset();
            m_table.reset();
            m_capacity = 0;
            return false;
        }
        m_capacity = capacity;
        m_mask = slots - 1;
        std::fill_n(m_table.get(), slots, std::uint16_t{0});
        for (std::uint16_t r = 0; r < first; ++r) m_nodes[r].prev = m_nodes[r].next = r;
        m_free = 0;
        for (std::uint32_t i = first; i < capacity + first + 1; ++i) {
            m_nodes[i].next = static_cast<std::uint16_t>(m_free);
            m_free = i;
        }
        m_count[0] = m_count[1] = m_count[2] = 0;
        m_period_window_hits = m_period_main_hits = 0;
        return true;
    }
    [[nodiscard]] bool enabled() const noexcept { return m_capacity != 0; }
    [[nodiscard]] std::uint32_t capacity() const noexcept { return m_capacity; }
    /// The window's share of the capacity, in entries (at least 1).
    void set_window(std::uint32_t w) noexcept {
        m_window_max = std::clamp<std::uint32_t>(w, 1, m_capacity);
    }
    [[nodiscard]] std::uint32_t window_size() const noexcept { return m_window_max; }
    /// Hits in the window and in main since the last `take_period`, then zeroes them.
    std::pair<std::uint32_t, std::uint32_t> take_period() noexcept {
        const std::pair<std::uint32_t, std::uint32_t> r{m_period_window_hits, m_period_main_hits};
        m_period_window_hits = m_period_main_hits = 0;
        return r;
    }

    /// One access to `hash`; `freq(hash)` estimates a hash's frequency. Returns true on a hit.
    template <class Freq>
    bool access(std::uint32_t hash, Freq&& freq) noexcept {
        if (!m_capacity) return false;
        std::uint32_t slot = home(hash);
        for (; m_table[slot]; slot = (slot + 1) & m_mask) {
            const std::uint16_t i = m_table[slot];
            if (m_nodes[i].hash != hash) continue;
            Node& n = m_nodes[i];
            ++(n.region == window ? m_period_window_hits : m_period_main_hits);
            if (n.region == probation) {
                move(i, protect);
                drain_protected();
            } else {
                unlink(i);
                link_front(n.region, i);
            }
            return true;
        }
        // Miss: the key enters the window (a node is always free: one spare beyond capacity).
        const std::uint16_t i = static_cast<std::uint16_t>(m_free);
        m_free = m_nodes[i].next;
        m_nodes[i].hash = hash;
        m_nodes[i].region = window;
        m_table[slot] = i;
        link_front(window, i);
        ++m_count[window];
        std::uint16_t candidate = 0;
        while (m_count[window] > m_window_max) {
            candidate = m_nodes[window].prev;
            move(candidate, probation);
        }
        drain_protected();
        while (m_count[0] + m_count[1] + m_count[2] > m_capacity) {
            if (m_count[probation] == 0) {
                evict(m_count[window] ? m_nodes[window].prev : m_nodes[protect].prev);
                continue;
            }
            const std::uint16_t victim = m_nodes[probation].prev;
            std::uint16_t cand = candidate && m_nodes[candidate].region == probation
                                     ? candidate
                                     : m_nodes[probation].next;
            if (cand == victim) {
                evict(victim);
                continue;
            }
            evict(freq(m_nodes[cand].hash) > freq(m_nodes[victim].hash) ? victim : cand);
            candidate = 0;
        }
        return false;
    }

    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return m_capacity ? (m_capacity + first + 1) * sizeof(Node) + (m_mask + 1) * 2 : 0;
    }

private:
    enum : std::uint8_t { window = 0, probation = 1, protect = 2, first = 3 };
    struct Node {
        std::uint32_t hash = 0;
        std::uint16_t prev = 0, next = 0;
        std::uint8_t region = 0;
    };
    [[nodiscard]] std::uint32_t home(std::uint32_t hash) const noexcept {
        return static_cast<std::uint32_t>((std::uint64_t{hash} * 0x9E3779B97F4A7C15ULL) >> 40) &
               m_mask;
    }
    void unlink(std::uint16_t i) noexcept {
        m_nodes[m_nodes[i].prev].next = m_nodes[i].next;
        m_nodes[m_nodes[i].next].prev = m_nodes[i].prev;
    }
    void link_front(std::uint8_t r, std::uint16_t i) noexcept {
        m_nodes[i].prev = r;
        m_nodes[i].next = m_nodes[r].next;
        m_nodes[m_nodes[r].next].prev = i;
        m_nodes[r].next = i;
    }
    void move(std::uint16_t i, std::uint8_t to) noexcept {
        --m_count[m_nodes[i].region];
        unlink(i);
        m_nodes[i].region = to;
        link_front(to, i);
        ++m_count[to];
    }
    void drain_protected() noexcept {
        const std::uint32_t main = m_capacity - std::min(m_capacity, m_window_max);
        while (m_count[protect] > main - main / 5) move(m_nodes[protect].prev, probation);
    }
    void evict(std::uint16_t i) noexcept {
        --m_count[m_nodes[i].region];
        unlink(i);
        // Backward-shift deletion from the linear-probing table.
        std::uint32_t hole = home(m_nodes[i].hash);
        while (m_table[hole] != i) hole = (hole + 1) & m_mask;
        for (std::uint32_t j = (hole + 1) & m_mask; m_table[j]; j = (j + 1) & m_mask) {
            const std::uint32_t h = home(m_nodes[m_table[j]].hash);
            if (((j - h) & m_mask) >= ((j - hole) & m_mask)) {
                m_table[hole] = m_table[j];
                hole = j;
            }
        }
        m_table[hole] = 0;
        m_nodes[i].next = static_cast<std::uint16_t>(m_free);
        m_free = i;
    }

    std::unique_ptr<Node[]> m_nodes;           // 0..2: list sentinels; then the nodes
    std::unique_ptr<std::uint16_t[]> m_table;  // node index, 0 = empty
    std::uint32_t m_capacity = 0, m_window_max = 1, m_mask = 0, m_free = 0;
    std::uint32_t m_count[3] = {0, 0, 0};
    std::uint32_t m_period_window_hits = 0, m_period_main_hits = 0;
};

}  // namespace detail

class TinyLfuPolicy {
public:
    enum Region : std::uint8_t { none = 0, window = 1, probation = 2, protect = 3 };
    /// Below this capacity (weight units) the whole cache is the window (see the header).
    static constexpr std::uint64_t small_capacity = 64;

    TinyLfuPolicy() noexcept { reset(); }
    TinyLfuPolicy(const TinyLfuPolicy&) = delete;
    TinyLfuPolicy& operator=(const TinyLfuPolicy&) = delete;

    /// Sets the bound (in weight units: entries when there is no weigher) and restarts the
    /// window at 1% of it (all of it below `small_capacity`), and the mini-simulations (when
    /// `entries` is given; empty, each allocated anew, without throwing: on failure there are
    /// none). Entries already tracked stay;
    /// the next evictions rebalance the regions. `entries`, when known (a bound by count),
    /// sizes the sketch at once (allocates; strong guarantee); otherwise it grows with the
    /// shard.
    void set_capacity(std::uint64_t capacity, std::uint64_t entries = 0) {
        if (!m_hit_stripes) {  // the thread stripes' hit batches: 64 bytes each
            const std::size_t stripes = std::clamp<std::size_t>(
                std::bit_ceil(std::max(1u, std::thread::hardware_concurrency())), 2, 16);
            m_hit_stripes.reset(new HitStripe[stripes]);
            m_hit_mask = static_cast<std::uint32_t>(stripes - 1);
        }
        if (entries) m_sketch.ensure_capacity(entries);
        m_capacity = capacity;
        m_window_fp = capacity < small_capacity
                          ? static_cast<double>(capacity)
                          : std::max(1.0, static_cast<double>(capacity) / 100.0);
        m_window_max = static_cast<std::uint64_t>(m_window_fp);
        m_period_requests = 0;
        init_ghosts(entries);
    }

    /// Grows the sketch, if needed, so that one more entry fits its design (one word per
    /// tracked entry). Call before `on_insert`. Allocates when it grows (strong guarantee).
    void reserve_insert() {
        if (m_tracked + 1 > m_sketch.words()) m_sketch.ensure_capacity(m_tracked + 1);
    }

    /// A new entry `h` (hash `hash`, weight `w`) enters the window. Never allocates.
    void on_insert(PolicyHook* h, std::uint32_t hash, std::uint32_t w) noexcept {
        flush_all_hits();
        ++m_tracked;
        ++m_inserts;
        m_sketch.increment(hash);
        ghost_access(hash);
        h->policy_region = window;
        h->policy_ref.store(0, std::memory_order_relaxed);
        detail::policy_link_front(m_window, h);
        m_window_weight += w;
        m_fresh = h;
    }

    /// A hit on tracked `h`: marks it referenced and counts it in the sketch (batched per thread
    /// stripe, see the file comment); a sampled key's hash is also buffered for the
    /// mini-simulations. Safe under the shard's shared lock, from many threads at once. O(1)
    /// (a batch of 15 counted by the 15th hit). Returns true when the ring of sampled hits is
    /// half full: the caller should then call `drain_hits` if it can take the exclusive lock at
    /// once.
    bool record_hit(PolicyHook* h, std::uint32_t hash) noexcept {
        if (h->policy_ref.load(std::memory_order_relaxed) == 0)
            h->policy_ref.store(1, std::memory_order_relaxed);
        if (m_hit_stripes) {
            HitStripe& b = m_hit_stripes[detail::thread_stripe_id() & m_hit_mask];
            const std::uint32_t n = b.count.load(std::memory_order_relaxed);
            if (n < hit_batch) {
                b.hashes[n].store(hash, std::memory_order_relaxed);
                b.count.store(n + 1, std::memory_order_relaxed);
            }
            if (n + 1 >= hit_batch) flush_hits(b);
        } else {
            m_sketch.increment(hash);
        }
        if (sampled(hash)) {
            // Lossy: racing readers may overwrite each other's slot or index.
            const std::uint32_t i = m_ring_head.load(std::memory_order_relaxed);
            m_ring[i & (ring_size - 1)].store(hash, std::memory_order_relaxed);
            m_ring_head.store(i + 1, std::memory_order_relaxed);
            return i + 1 - m_ring_tail.load(std::memory_order_relaxed) >= ring_size / 2;
        }
        return false;
    }
    /// Counts the batched hits in the sketch and replays the sampled hits buffered by
    /// `record_hit` into the mini-simulations. Needs the exclusive lock. O(buffers).
    void drain_hits() noexcept {
        flush_all_hits();
        drain_ring();
    }
    /// A write to tracked `h` (weight `w`) under the exclusive lock: counted like a hit, and
    /// the reordering it implies is done at once (window or protected: to the front; probation:
    /// promoted to protected), as Caffeine does for every access.
    void on_access(PolicyHook* h, std::uint32_t hash, std::uint32_t w) noexcept {
        m_sketch.increment(hash);
        ghost_access(hash);
        h->policy_ref.store(0, std::memory_order_relaxed);
        switch (h->policy_region) {
            case window: detail::policy_move_front(m_window, h); break;
            case probation: move_region(h, w, protect); break;
            case protect: detail::policy_move_front(m_protected, h); break;
            default: break;
        }
    }

    /// Stops tracking `h` (weight `w`); a no-op if it is not tracked.
    void on_remove(PolicyHook* h, std::uint32_t w) noexcept {
        std::uint64_t* region = region_weight(h->policy_region);
        if (!region) return;
        *region -= w;
        if (h == m_fresh) m_fresh = nullptr;
        detail::policy_unlink(h);
        h->policy_prev = h->policy_next = nullptr;
        h->policy_region = none;
        --m_tracked;
    }

    /// An entry whose weight changed in place from `old_w` to `new_w`.
    void on_reweigh(PolicyHook* h, std::uint32_t old_w, std::uint32_t new_w) noexcept {
        std::uint64_t* region = region_weight(h->policy_region);
        if (region) *region = *region - old_w + new_w;
    }

    /// Chooses the entry to evict now, given the store is over its bound: window overflow moves
    /// to probation (a referenced tail entry gets a second chance instead), protected overflow
    /// too, referenced entries at probation's tail are promoted, and then the candidate (the
    /// newest arrival in probation) and the victim (probation's oldest) are compared by
    /// frequency. `hash_of` and `weight_of` read an entry's hash and weight. Returns nullptr
    /// when nothing is tracked. Does not remove the entry: the caller calls `on_remove`.
    /// Amortised O(1): each step clears a reference bit or moves an entry towards eviction.
    template <class HashOf, class WeightOf>
    PolicyHook* select_victim(HashOf&& hash_of, WeightOf&& weight_of) noexcept {
        flush_all_hits();  // admission compares frequencies that include every hit so far
        PolicyHook* candidate = nullptr;
        const std::uint64_t window_max = small() ? m_capacity : m_window_max;
        while (m_window_weight > window_max && !empty(m_window)) {
            PolicyHook* t = m_window.policy_prev;
            if (take_ref(t)) {
                second_chance_in_window(t);
                continue;
            }
            move_region(t, weight_of(t), probation);
            candidate = t;
        }
        drain_protected(weight_of, window_max);
        PolicyHook* victim = nullptr;
        while (!empty(m_probation)) {
            PolicyHook* v = m_probation.policy_prev;
            if (v != candidate && take_ref(v)) {
                move_region(v, weight_of(v), protect);
                drain_protected(weight_of, window_max);
                continue;
            }
            victim = v;
            break;
        }
        if (!victim) {
            // Main is empty: evict from the window (or protected) directly, second chance aside.
            for (PolicyHook* head : {&m_window, &m_protected}) {
                while (!empty(*head)) {
                    PolicyHook* t = head->policy_prev;
                    if (!take_ref(t)) return t;
                    detail::policy_move_front(*head, t);
                }
            }
            return nullptr;
        }
        if (!candidate) candidate = m_probation.policy_next;  // probation's newest
        if (candidate == victim) return victim;
        // TinyLFU admission: the candidate stays only if it is more frequent than the victim.
        return m_sketch.frequency(hash_of(candidate)) > m_sketch.frequency(hash_of(victim))
                   ? victim
                   : candidate;
    }

    /// Feeds the hit counters of the shard (cumulative hits and hits on window entries, as
    /// recorded by readers) to the window controller and the sketch's aging. Call it now and
    /// then (every few inserts) under the exclusive lock. O(1), plus O(sketch) when it ages.
    void adapt(std::uint64_t hits, std::uint64_t window_hits) noexcept {
        const std::uint64_t dh = hits - m_hits_mark, dw = window_hits - m_window_hits_mark;
        const std::uint64_t requests = dh + (m_inserts - m_inserts_mark);
        const std::uint64_t period = std::max<std::uint64_t>(m_capacity, 64);
        const bool mini = m_ghost[0].enabled();
        if (requests < (mini ? std::max<std::uint64_t>(period / choice_steps, 16) : period))
            return;
        m_hits_mark = hits;
        m_window_hits_mark = window_hits;
        m_inserts_mark = m_inserts;
        m_period_requests += requests;
        if (m_period_requests >= m_sketch.sample_size() && m_sketch.words() != 0) {
            flush_all_hits();  // the hits so far age with the rest
            m_sketch.halve();
            m_period_requests = 0;
        }
        if (m_capacity < small_capacity) return;
        const double cap = static_cast<double>(m_capacity);
        const double lo = std::max(1.0, cap / 100.0), hi = std::max(lo, cap - cap / 100.0);
        if (mini) {
            drain_ring();
            m_ghost_requests += requests;
            if (m_ghost_requests >= period) {
                // Ghost 0's window: the density controller, on the ghost's own hits.
                m_ghost_requests = 0;
                const double c = m_ghost[0].capacity();
                const auto [gw, gm] = m_ghost[0].take_period();
                m_adaptive_frac = density_step(m_adaptive_frac * c, c, gw, gm) / c;
                m_ghost[0].set_window(ghost_window(m_ghost[0].capacity()));
            }
            // Paired (McNemar) test on the accesses where the two configurations disagreed.
            int best = m_choice;
            double margin = 0;
            for (int g = 0; g < ghosts; ++g) {
                const double a = m_wins[g][m_choice], b = m_wins[m_choice][g];
                if (g != m_choice && a - b > ghost_z * std::sqrt(a + b) + 1.0 && a - b > margin) {
                    best = g;
                    margin = a - b;
                }
            }
            const double decay = std::exp(-static_cast<double>(requests) /
                                          (ghost_horizon * static_cast<double>(period)));
            for (auto& row : m_wins)
                for (double& x : row) x *= decay;
            m_choice = best;
            const double frac = best == 0 ? m_adaptive_frac : best == 1 ? 0.0 : 1.0;
            m_window_fp = std::clamp(frac * cap, lo, hi);
        } else {
            const auto w = static_cast<double>(std::min(dw, dh));
            m_window_fp = std::clamp(density_step(m_window_fp, cap, w, static_cast<double>(dh) - w), lo, hi);
        }
        m_window_max = static_cast<std::uint64_t>(m_window_fp);
        ++m_adaptations;
    }

    [[nodiscard]] std::uint64_t window_max() const noexcept { return m_window_max; }
    [[nodiscard]] std::uint64_t capacity() const noexcept { return m_capacity; }
    [[nodiscard]] std::uint64_t adaptations() const noexcept { return m_adaptations; }
    [[nodiscard]] const detail::FrequencySketch& sketch() const noexcept { return m_sketch; }
    [[nodiscard]] std::uint64_t weight(Region r) const noexcept {
        const std::uint64_t* w = weight_slot(*this, r);
        return w ? *w : 0;
    }
    [[nodiscard]] std::uint64_t size() const noexcept { return m_tracked; }

    /// Forgets every entry (the caller clears their hooks if it cares).
    void reset() noexcept {
        for (auto* q : {&m_window, &m_probation, &m_protected}) detail::policy_init(*q);
        m_window_weight = m_probation_weight = m_protected_weight = 0;
        m_tracked = 0;
        m_fresh = nullptr;
    }

    /// Links are consistent in all three regions, each node's region tag matches its list, and
    /// the count agrees. For tests. O(size()).
    [[nodiscard]] bool check_invariants() const noexcept {
        std::uint64_t n = 0;
        auto ok = [&](const PolicyHook& head, std::uint8_t region) {
            for (const PolicyHook* p = head.policy_next; p != &head; p = p->policy_next) {
                if (p->policy_next->policy_prev != p || p->policy_region != region) return false;
                ++n;
            }
            return true;
        };
        return ok(m_window, window) && ok(m_probation, probation) && ok(m_protected, protect) &&
               n == m_tracked;
    }

    /// Visits tracked entries: window, then probation, then protected, each from MRU to LRU.
    template <class F>
    void for_each(F&& f) const {
        for (const PolicyHook* head : {&m_window, &m_probation, &m_protected})
            for (const PolicyHook* p = head->policy_next; p != head; p = p->policy_next) f(p);
    }

    /// Which configuration the window follows: 0 the density-steered one, 1 the smallest
    /// window, 2 LRU (always 0 without mini-simulations: a bound by weight, or a small one).
    [[nodiscard]] int followed() const noexcept { return m_choice; }

private:
    static constexpr int ghosts = 3;
    static constexpr std::uint32_t ring_size = 64;
    static constexpr std::uint32_t hit_batch = 15;
    /// One thread stripe's hits waiting to be counted in the sketch: one cache line.
    struct alignas(64) HitStripe {
        std::atomic<std::uint32_t> count{0};
        std::atomic<std::uint32_t> hashes[hit_batch] = {};
    };
    static constexpr std::uint32_t ghost_target = 256;
    static constexpr double ghost_z = 4.0, ghost_horizon = 20.0;
    static constexpr std::uint64_t choice_steps = 8;

    /// One step of the density controller: the window (of `w` in a cache of `cap`) moves by
    /// `min(30%, 3% x |ln(d_w / d_m)|)` of `cap` towards the region whose hits per unit of size
    /// were higher in the period (`wh` window hits, `mh` main hits), within 1%..99% of `cap`.
    static double density_step(double w, double cap, double wh, double mh) noexcept {
        const double main = std::max(1.0, cap - w);
        const double err = std::log(((wh + 0.5) / std::max(1.0, w)) / ((mh + 0.5) / main));
        const double step = std::min(0.30 * cap, std::abs(err) * 0.03 * cap);
        const double lo = std::max(1.0, cap / 100.0), hi = std::max(lo, cap - cap / 100.0);
        return std::clamp(w + (err > 0 ? step : -step), lo, hi);
    }
    [[nodiscard]] bool sampled(std::uint32_t hash) const noexcept {
        return ((hash * 0x2545F491u) >> 16) < m_sample_threshold;
    }
    void init_ghosts(std::uint64_t entries) noexcept {
        m_sample_threshold = 0;
        if (m_capacity < small_capacity || entries == 0) {
            for (auto& g : m_ghost) g = detail::GhostCache{};
            return;
        }
        // Mini-cache size: all of a small cache, else 256 entries or 1/16 of the cache (at most
        // GhostCache::max_capacity); the sampling rate is that size over the cache's.
        const std::uint32_t c = static_cast<std::uint32_t>(std::min<std::uint64_t>(
            {entries, std::max<std::uint64_t>(ghost_target, entries / 16),
             detail::GhostCache::max_capacity}));
        for (auto& g : m_ghost)
            if (!g.init(c)) {
                for (auto& x : m_ghost) x = detail::GhostCache{};
                return;
            }
        m_adaptive_frac = 0.01;
        m_choice = 0;
        m_ghost_requests = 0;
        for (auto& row : m_wins)
            for (double& x : row) x = 0;
        m_sample_threshold = static_cast<std::uint32_t>(
            (std::uint64_t{c} * 65536 + entries - 1) / entries);
        m_ghost[1].set_window(std::max(1u, c / 100));
        m_ghost[2].set_window(c);
        m_ghost[0].set_window(ghost_window(c));
        m_ring_tail.store(m_ring_head.load(std::memory_order_relaxed), std::memory_order_relaxed);
    }
    /// Ghost 0's window for its capacity `c`.
    [[nodiscard]] std::uint32_t ghost_window(std::uint32_t c) const noexcept {
        return static_cast<std::uint32_t>(std::max(1.0, std::round(m_adaptive_frac * c)));
    }
    void ghost_access(std::uint32_t hash) noexcept {
        if (!sampled(hash)) return;
        drain_ring();
        feed_ghosts(hash);
    }
    void feed_ghosts(std::uint32_t hash) noexcept {
        auto freq = [this](std::uint32_t x) { return m_sketch.frequency(x); };
        bool hit[ghosts];
        for (int g = 0; g < ghosts; ++g) hit[g] = m_ghost[g].access(hash, freq);
        for (int a = 0; a < ghosts; ++a)
            for (int b = 0; b < ghosts; ++b)
                if (hit[a] && !hit[b]) m_wins[a][b] += 1;
    }
    /// Replays the sampled hits readers buffered (the exclusive lock is held: no reader is
    /// writing). Hits beyond the ring's size since the last drain are lost.
    void drain_ring() noexcept {
        const std::uint32_t head = m_ring_head.load(std::memory_order_relaxed);
        std::uint32_t tail = m_ring_tail.load(std::memory_order_relaxed);
        if (head - tail > ring_size) tail = head - ring_size;
        for (; tail != head; ++tail)
            feed_ghosts(m_ring[tail & (ring_size - 1)].load(std::memory_order_relaxed));
        m_ring_tail.store(head, std::memory_order_relaxed);
    }

    /// Counts the hits batched in stripe `b` in the sketch: every counter line is prefetched
    /// first, so the batch waits for memory about once. From a reader under the shared lock
    /// (the sketch's table cannot be replaced meanwhile), or under the exclusive lock. Two
    /// readers sharing a stripe may both count a batch, or lose a hit: lossy, as the sketch's
    /// own relaxed increments are.
    void flush_hits(HitStripe& b) noexcept {
        const std::uint32_t n = std::min(b.count.load(std::memory_order_relaxed), hit_batch);
        for (std::uint32_t i = 0; i < n; ++i)
            m_sketch.prefetch(b.hashes[i].load(std::memory_order_relaxed));
        for (std::uint32_t i = 0; i < n; ++i)
            m_sketch.increment(b.hashes[i].load(std::memory_order_relaxed));
        b.count.store(0, std::memory_order_relaxed);
    }
    /// Counts every stripe's batched hits (the exclusive lock is held). O(stripes + hits).
    void flush_all_hits() noexcept {
        for (std::uint32_t i = 0; m_hit_stripes && i <= m_hit_mask; ++i)
            if (m_hit_stripes[i].count.load(std::memory_order_relaxed) != 0)
                flush_hits(m_hit_stripes[i]);
    }

    /// Too small for a window/main split: a small bound, or few entries (heavy ones).
    [[nodiscard]] bool small() const noexcept {
        return m_capacity < small_capacity || m_tracked <= small_capacity;
    }
    static bool empty(const PolicyHook& q) noexcept { return detail::policy_empty(q); }
    /// Clears `h`'s reference bit; true if it was set.
    static bool take_ref(PolicyHook* h) noexcept {
        if (h->policy_ref.load(std::memory_order_relaxed) == 0) return false;
        h->policy_ref.store(0, std::memory_order_relaxed);
        return true;
    }

    /// Rotates referenced window tail `t` to the most recent end, but behind the newest
    /// arrival: its hit happened before that arrival, so the arrival stays the most recent
    /// (a new entry is never pushed to the tail by older entries' second chances).
    void second_chance_in_window(PolicyHook* t) noexcept {
        if (!m_fresh || m_fresh == t) {
            detail::policy_move_front(m_window, t);
            return;
        }
        detail::policy_unlink(t);
        t->policy_prev = m_fresh;
        t->policy_next = m_fresh->policy_next;
        m_fresh->policy_next->policy_prev = t;
        m_fresh->policy_next = t;
    }

    template <class WeightOf>
    void drain_protected(WeightOf& weight_of, std::uint64_t window_max) noexcept {
        const std::uint64_t main_max = m_capacity > window_max ? m_capacity - window_max : 0;
        const std::uint64_t protected_max = main_max - main_max / 5;
        while (m_protected_weight > protected_max && !empty(m_protected)) {
            PolicyHook* t = m_protected.policy_prev;
            if (take_ref(t)) detail::policy_move_front(m_protected, t);
            else move_region(t, weight_of(t), probation);
        }
    }

    PolicyHook& list_of(std::uint8_t r) noexcept {
        return r == window ? m_window : r == probation ? m_probation : m_protected;
    }
    /// The weight counter of region `r`, or nullptr for `none` (const or not, as `self`).
    template <class Self>
    static std::conditional_t<std::is_const_v<Self>, const std::uint64_t*, std::uint64_t*>
    weight_slot(Self& self, std::uint8_t r) noexcept {
        switch (r) {
            case window: return &self.m_window_weight;
            case probation: return &self.m_probation_weight;
            case protect: return &self.m_protected_weight;
            default: return nullptr;
        }
    }
    std::uint64_t* region_weight(std::uint8_t r) noexcept { return weight_slot(*this, r); }
    /// Moves tracked `h` (weight `w`) to the most recent end of region `to`.
    void move_region(PolicyHook* h, std::uint32_t w, Region to) noexcept {
        if (h == m_fresh) m_fresh = nullptr;
        *region_weight(h->policy_region) -= w;
        detail::policy_unlink(h);
        h->policy_region = to;
        detail::policy_link_front(list_of(to), h);
        *region_weight(to) += w;
    }

    PolicyHook m_window, m_probation, m_protected;  // sentinels; MRU at next, LRU at prev
    std::uint64_t m_window_weight = 0, m_probation_weight = 0, m_protected_weight = 0;
    std::uint64_t m_capacity = 0, m_window_max = 1, m_tracked = 0;
    PolicyHook* m_fresh = nullptr;  ///< the newest arrival while it is still in the window
    double m_window_fp = 1.0;
    detail::FrequencySketch m_sketch;
    // Controller state: marks of the cumulative counters at the start of the period.
    std::uint64_t m_inserts = 0, m_inserts_mark = 0, m_hits_mark = 0, m_window_hits_mark = 0;
    std::uint64_t m_period_requests = 0, m_adaptations = 0;
    // Mini-simulations: 0 steers its window by hit density, 1 has a 1% window, 2 is LRU.
    detail::GhostCache m_ghost[ghosts];
    std::uint64_t m_ghost_requests = 0;    ///< requests since ghost 0's last density step
    double m_adaptive_frac = 0.01;         ///< ghost 0's window share of its capacity
    double m_wins[ghosts][ghosts] = {};    ///< decayed: sampled accesses a hit and b missed
    int m_choice = 0;                      ///< the ghost the real window follows
    std::uint32_t m_sample_threshold = 0;  ///< a hash is sampled iff its 16-bit mix is below
    // Sampled hits recorded by readers (lossy ring), replayed under the exclusive lock.
    std::atomic<std::uint32_t> m_ring_tail{0};
    std::atomic<std::uint32_t> m_ring_head{0};
    std::atomic<std::uint32_t> m_ring[ring_size] = {};
    // Hits waiting to be counted in the sketch, per thread stripe (see record_hit).
    std::unique_ptr<HitStripe[]> m_hit_stripes;
    std::uint32_t m_hit_mask = 0;
};

CACHET_NAMESPACE_END

#endif  // CACHET_EVICTION_TINYLFU_HPP
