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
/// only if not set yet, so a hot entry's line is not written over and over) and increments the
/// sketch (relaxed loads and stores of its 64-bit words, skipped once a counter saturates); both
/// are safe from many readers at once and lossy at worst. The reordering a hit implies is done
/// lazily, under the exclusive lock, when the entry reaches the old end of its region (a CLOCK
/// second chance): a referenced entry at the window's tail goes back to the window's head; at
/// probation's tail it is promoted to protected; at protected's tail it goes back to protected's
/// head. So the order approximates Caffeine's LRU lists without ever relinking on a hit.
///
/// Adaptive window. The window's share is steered every `capacity` requests by where the hits
/// landed in that period: with densities `d_w = window hits / window size` and
/// `d_m = main hits / main size`, the window moves by `min(30%, 3% x |ln(d_w / d_m)|)` of the
/// capacity towards the denser region, between 1% and 99% of the capacity (the density-ratio
/// signal of Caffeine's adaptive-window study: both densities come from the same period, so the
/// workload's phase cancels out). A recency-heavy workload grows the window towards LRU; a
/// frequency-heavy one shrinks it towards 1%. Below 64 units of capacity, or while the shard
/// holds no more than 64 entries (a weight bound with few heavy entries), there is no main
/// region: the window is the whole cache (CLOCK, close to LRU): a cache that small has no room
/// for a useful split or for sketch statistics.
///
/// Every operation is O(1) amortised (a second chance clears a bit, so each hit is paid for at
/// most once) and never allocates, except `reserve_insert` growing the sketch as the shard
/// fills (to the next power of two of the tracked entries, in 64-bit words: 8-16 bytes per
/// entry; Caffeine sizes its sketch the same way).
/// Thread-safety: `record_hit` may run concurrently with itself (shared lock); everything else
/// needs the shard's exclusive lock.

#include <cachet/eviction/policy.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

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
        m_table.reset(new std::atomic<std::uint64_t>[words]);
        for (std::uint64_t i = 0; i < words; ++i) m_table[i].store(0, std::memory_order_relaxed);
        m_words = words;
        m_block_mask = words / 8 - 1;
    }

    /// Records one occurrence of `h`. Safe to call from many threads at once (relaxed; an
    /// increment racing with another may be lost). O(1).
    void increment(std::uint32_t h) noexcept {
        if (m_words == 0) return;
        const std::uint64_t x = spread(h);
        std::atomic<std::uint64_t>* block = &m_table[((x >> 32) & m_block_mask) * 8];
        for (unsigned i = 0; i < 4; ++i) {
            std::atomic<std::uint64_t>& word = block[(x >> (i * 8)) & 7];
            const unsigned shift = static_cast<unsigned>((x >> (i * 8 + 3)) & 15) * 4;
            const std::uint64_t w = word.load(std::memory_order_relaxed);
            if (((w >> shift) & 0xF) != 0xF)
                word.store(w + (std::uint64_t{1} << shift), std::memory_order_relaxed);
        }
    }

    /// The estimated count of `h` (0..15). O(1).
    [[nodiscard]] unsigned frequency(std::uint32_t h) const noexcept {
        if (m_words == 0) return 0;
        const std::uint64_t x = spread(h);
        const std::atomic<std::uint64_t>* block = &m_table[((x >> 32) & m_block_mask) * 8];
        unsigned f = 15;
        for (unsigned i = 0; i < 4; ++i) {
            const std::uint64_t w = block[(x >> (i * 8)) & 7].load(std::memory_order_relaxed);
            f = std::min(f, static_cast<unsigned>((w >> ((x >> (i * 8 + 3)) & 15) * 4) & 0xF));
        }
        return f;
    }

    /// Ages every counter: halves it (TinyLFU's "reset"). O(size).
    void halve() noexcept {
        for (std::uint64_t i = 0; i < m_words; ++i)
            m_table[i].store((m_table[i].load(std::memory_order_relaxed) >> 1) &
                                 0x7777777777777777ULL,
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

    std::unique_ptr<std::atomic<std::uint64_t>[]> m_table;
    std::uint64_t m_words = 0;
    std::uint64_t m_block_mask = 0;
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
    /// window at 1% of it (all of it below `small_capacity`). Entries already tracked stay;
    /// the next evictions rebalance the regions. `entries`, when known (a bound by count),
    /// sizes the sketch at once (allocates; strong guarantee); otherwise it grows with the
    /// shard.
    void set_capacity(std::uint64_t capacity, std::uint64_t entries = 0) {
        if (entries) m_sketch.ensure_capacity(entries);
        m_capacity = capacity;
        m_window_fp = capacity < small_capacity
                          ? static_cast<double>(capacity)
                          : std::max(1.0, static_cast<double>(capacity) / 100.0);
        m_window_max = static_cast<std::uint64_t>(m_window_fp);
        m_period_requests = 0;
    }

    /// Grows the sketch, if needed, so that one more entry fits its design (one word per
    /// tracked entry). Call before `on_insert`. Allocates when it grows (strong guarantee).
    void reserve_insert() {
        if (m_tracked + 1 > m_sketch.words()) m_sketch.ensure_capacity(m_tracked + 1);
    }

    /// A new entry `h` (hash `hash`, weight `w`) enters the window. Never allocates.
    void on_insert(PolicyHook* h, std::uint32_t hash, std::uint32_t w) noexcept {
        ++m_tracked;
        ++m_inserts;
        m_sketch.increment(hash);
        h->policy_region = window;
        h->policy_ref.store(0, std::memory_order_relaxed);
        detail::policy_link_front(m_window, h);
        m_window_weight += w;
        m_fresh = h;
    }

    /// A hit on tracked `h`: marks it referenced and counts it in the sketch. Safe under the
    /// shard's shared lock, from many threads at once. O(1).
    void record_hit(PolicyHook* h, std::uint32_t hash) noexcept {
        if (h->policy_ref.load(std::memory_order_relaxed) == 0)
            h->policy_ref.store(1, std::memory_order_relaxed);
        m_sketch.increment(hash);
    }
    /// A write to tracked `h` (weight `w`) under the exclusive lock: counted like a hit, and
    /// the reordering it implies is done at once (window or protected: to the front; probation:
    /// promoted to protected), as Caffeine does for every access.
    void on_access(PolicyHook* h, std::uint32_t hash, std::uint32_t w) noexcept {
        m_sketch.increment(hash);
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
        if (requests < std::max<std::uint64_t>(m_capacity, 64)) return;
        m_hits_mark = hits;
        m_window_hits_mark = window_hits;
        m_inserts_mark = m_inserts;
        m_period_requests += requests;
        if (m_period_requests >= m_sketch.sample_size() && m_sketch.words() != 0) {
            m_sketch.halve();
            m_period_requests = 0;
        }
        if (m_capacity < small_capacity) return;
        const double cap = static_cast<double>(m_capacity);
        const double w = std::max(1.0, m_window_fp);
        const double main = std::max(1.0, cap - m_window_fp);
        const double wd = (static_cast<double>(std::min(dw, dh)) + 0.5) / w;
        const double md = (static_cast<double>(dh - std::min(dw, dh)) + 0.5) / main;
        const double err = std::log(wd / md);
        const double step = std::min(0.30 * cap, std::abs(err) * 0.03 * cap);
        const double lo = std::max(1.0, cap / 100.0), hi = std::max(lo, cap - cap / 100.0);
        m_window_fp = std::clamp(m_window_fp + (err > 0 ? step : -step), lo, hi);
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

private:
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
};

CACHET_NAMESPACE_END

#endif  // CACHET_EVICTION_TINYLFU_HPP
