#ifndef CACHET_EVICTION_TINYLFU_HPP
#define CACHET_EVICTION_TINYLFU_HPP

/// `TinyLfuPolicy`: W-TinyLFU (Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache
/// Admission Policy", ACM TOS 2017), laid out like Caffeine's BoundedLocalCache:
///   - a small LRU *window* that every new entry enters (it absorbs bursts of new keys);
///   - a main region in segmented LRU: *probation* (entries admitted from the window) and
///     *protected* (entries hit again while on probation), protected capped at 80% of main;
///   - a count-min *frequency sketch* of 4-bit counters (4 rows) that is halved every
///     10 x capacity additions, so frequencies age;
///   - admission: when the cache is over its bound, the window's LRU entry (the candidate) and
///     probation's LRU entry (the victim) are compared by estimated frequency, and the less
///     frequent one is evicted;
///   - the window's share is tuned by hill climbing on the observed hit rate (Caffeine's
///     "adaptive window"): every sample period it moves by a step in the direction that last
///     improved the hit rate, reversing when the rate drops, with a step that decays.
/// Every operation is O(1) and never allocates except `set_capacity` (the sketch's table).
/// Not thread-safe: used under a shard's lock.
///
/// Status: opt-in (`Eviction::tinylfu`); LRU stays the default until this policy beats both
/// LRU and Caffeine on every reference trace (bench/cachet-sim measures it). It already does
/// on OLTP up to 2,048 entries, loop@404, gli and cs; on OLTP at 5,606 entries and above the
/// climber is too slow to grow the window for that recency-heavy trace, and it falls below LRU.

#include <cachet/eviction/policy.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

CACHET_NAMESPACE_BEGIN

namespace detail {

/// Count-min sketch with 4-bit saturating counters, 4 rows of `width` counters (16 per word).
/// Estimates how often a hash was added recently; halved after `sample` additions (aging).
class FrequencySketch {
public:
    /// Sizes the sketch for about `capacity` distinct hot keys: 4 rows of 4 x capacity
    /// counters (rounded up to a power of two), 8 bytes per unit of capacity in all, as
    /// Caffeine's, so that a sample of 10 x capacity additions loads each counter ~2.5 times
    /// before it is halved. Allocates.
    void set_capacity(std::uint64_t capacity) {
        std::uint64_t width = 64;
        while (width < 4 * capacity && width < (std::uint64_t{1} << 32)) width <<= 1;
        m_mask = width - 1;
        m_row_words = static_cast<std::size_t>(width / 16);
        m_table.assign(m_row_words * rows, 0);
        m_sample = std::max<std::uint64_t>(10 * capacity, 160);
        m_additions = 0;
    }

    /// Records one occurrence of `h`. O(1).
    void increment(std::uint32_t h) noexcept {
        if (m_table.empty()) return;
        bool added = false;
        for (unsigned r = 0; r < rows; ++r) {
            const std::uint64_t i = index(h, r);
            std::uint64_t& word = m_table[r * m_row_words + static_cast<std::size_t>(i >> 4)];
            const unsigned shift = static_cast<unsigned>(i & 15) * 4;
            if (((word >> shift) & 0xF) != 0xF) {
                word += std::uint64_t{1} << shift;
                added = true;
            }
        }
        if (added && ++m_additions >= m_sample) halve();
    }

    /// The estimated count of `h` (0..15). O(1).
    [[nodiscard]] unsigned frequency(std::uint32_t h) const noexcept {
        if (m_table.empty()) return 0;
        unsigned f = 15;
        for (unsigned r = 0; r < rows; ++r) {
            const std::uint64_t i = index(h, r);
            const std::uint64_t word = m_table[r * m_row_words + static_cast<std::size_t>(i >> 4)];
            f = std::min(f, static_cast<unsigned>((word >> ((i & 15) * 4)) & 0xF));
        }
        return f;
    }

    [[nodiscard]] std::uint64_t sample_size() const noexcept { return m_sample; }
    [[nodiscard]] std::size_t memory_bytes() const noexcept { return m_table.size() * 8; }

private:
    static constexpr unsigned rows = 4;

    [[nodiscard]] std::uint64_t index(std::uint32_t h, unsigned row) const noexcept {
        static constexpr std::uint64_t seeds[rows] = {0xc3a5c85c97cb3127ULL, 0xb492b66fbe98f273ULL,
                                                      0x9ae16a3b2f90404fULL, 0xcbf29ce484222325ULL};
        std::uint64_t x = (std::uint64_t{h} + seeds[row]) * 0x9E3779B97F4A7C15ULL;
        x ^= x >> 29;
        return x & m_mask;
    }

    /// Ages every counter: halves it (the "reset" of TinyLFU).
    void halve() noexcept {
        for (std::uint64_t& w : m_table) w = (w >> 1) & 0x7777777777777777ULL;
        m_additions /= 2;
    }

    std::vector<std::uint64_t> m_table;
    std::uint64_t m_mask = 0;
    std::size_t m_row_words = 0;
    std::uint64_t m_sample = 0;
    std::uint64_t m_additions = 0;
};

}  // namespace detail

class TinyLfuPolicy {
public:
    enum Region : std::uint8_t { none = 0, window = 1, probation = 2, protect = 3 };

    TinyLfuPolicy() noexcept { reset(); }
    TinyLfuPolicy(const TinyLfuPolicy&) = delete;
    TinyLfuPolicy& operator=(const TinyLfuPolicy&) = delete;

    /// Sets the bound (in weight units: entries when there is no weigher) and sizes the
    /// regions and the sketch. Allocates the sketch.
    void set_capacity(std::uint64_t capacity) {
        m_capacity = capacity;
        m_sketch.set_capacity(capacity);
        m_window_max = std::max<std::uint64_t>(1, capacity / 100);  // start at 1%, as Caffeine
        m_step = std::max<std::uint64_t>(1, capacity / 16);         // 6.25% hill-climbing step
        m_step_fp = static_cast<double>(m_step);
        m_sample_hits = m_sample_requests = 0;
        m_prev_hit_rate = -1.0;
        m_climb_sample = std::max<std::uint64_t>(10 * capacity, 512);
    }

    /// A new entry `h` (hash `hash`, weight `w`) enters the window. Records a miss.
    void on_insert(PolicyHook* h, std::uint32_t hash, std::uint32_t w) noexcept {
        m_sketch.increment(hash);
        h->policy_region = window;
        link_front(m_window, h);
        m_window_weight += w;
        record(false);
    }

    /// `h` was hit: bump its frequency, and move it up (probation -> protected).
    void on_access(PolicyHook* h, std::uint32_t hash, std::uint32_t w) noexcept {
        m_sketch.increment(hash);
        record(true);
        switch (h->policy_region) {
            case window: move_front(m_window, h); break;
            case probation: move_region(h, w, protect); break;
            case protect: move_front(m_protected, h); break;
            default: break;
        }
    }

    /// Stops tracking `h`; a no-op if it is not tracked.
    void on_remove(PolicyHook* h, std::uint32_t w) noexcept {
        std::uint64_t* region = region_weight(h->policy_region);
        if (!region) return;
        *region -= w;
        unlink(h);
        h->policy_prev = h->policy_next = nullptr;
        h->policy_region = none;
    }

    /// An entry whose weight changed in place from `old_w` to `new_w`.
    void on_reweigh(PolicyHook* h, std::uint32_t old_w, std::uint32_t new_w) noexcept {
        std::uint64_t* region = region_weight(h->policy_region);
        if (region) *region = *region - old_w + new_w;
    }

    /// Chooses the entry to evict now, given the store is over its bound. It moves window
    /// overflow into probation, then pits the window's newest arrival in probation (the
    /// candidate) against probation's LRU entry (the victim) by frequency. `hash_of` and
    /// `weight_of` read an entry's hash and weight. Returns nullptr when nothing is tracked.
    template <class HashOf, class WeightOf>
    PolicyHook* select_victim(HashOf&& hash_of, WeightOf&& weight_of) noexcept {
        // Window overflow drains into probation (as Caffeine's evictFromWindow).
        PolicyHook* candidate = nullptr;
        while (m_window_weight > m_window_max && !empty(m_window)) {
            candidate = m_window.policy_prev;
            move_region(candidate, weight_of(candidate), probation);
        }
        // Protected overflow drains into probation too (80% cap of main).
        const std::uint64_t main_max = m_capacity > m_window_max ? m_capacity - m_window_max : 0;
        const std::uint64_t protected_max = main_max - main_max / 5;
        while (m_protected_weight > protected_max && !empty(m_protected)) {
            PolicyHook* p = m_protected.policy_prev;
            move_region(p, weight_of(p), probation);
        }
        PolicyHook* victim = empty(m_probation) ? nullptr : m_probation.policy_prev;
        if (!victim) {
            // Main is empty: evict from the window (or protected) directly.
            if (!empty(m_window)) return m_window.policy_prev;
            return empty(m_protected) ? nullptr : m_protected.policy_prev;
        }
        if (!candidate) candidate = m_probation.policy_next;  // probation's newest
        if (candidate == victim) return victim;
        // TinyLFU admission: the candidate stays only if it is more frequent than the victim.
        return m_sketch.frequency(hash_of(candidate)) > m_sketch.frequency(hash_of(victim))
                   ? victim
                   : candidate;
    }

    [[nodiscard]] std::uint64_t window_max() const noexcept { return m_window_max; }
    [[nodiscard]] std::uint64_t capacity() const noexcept { return m_capacity; }
    [[nodiscard]] const detail::FrequencySketch& sketch() const noexcept { return m_sketch; }
    [[nodiscard]] std::uint64_t weight(Region r) const noexcept {
        const std::uint64_t* w = weight_slot(*this, r);
        return w ? *w : 0;
    }

    /// Forgets every entry (the caller clears their hooks if it cares).
    void reset() noexcept {
        for (auto* q : {&m_window, &m_probation, &m_protected}) detail::policy_init(*q);
        m_window_weight = m_probation_weight = m_protected_weight = 0;
    }

    /// Links are consistent in all three regions and each node's region tag matches its list.
    [[nodiscard]] bool check_invariants() const noexcept {
        auto ok = [](const PolicyHook& head, std::uint8_t region) {
            for (const PolicyHook* p = head.policy_next; p != &head; p = p->policy_next)
                if (p->policy_next->policy_prev != p || p->policy_region != region) return false;
            return true;
        };
        return ok(m_window, window) && ok(m_probation, probation) && ok(m_protected, protect);
    }

    /// Visits tracked entries: window, then probation, then protected, each from MRU to LRU.
    template <class F>
    void for_each(F&& f) const {
        for (const PolicyHook* head : {&m_window, &m_probation, &m_protected})
            for (const PolicyHook* p = head->policy_next; p != head; p = p->policy_next) f(p);
    }

private:
    static bool empty(const PolicyHook& q) noexcept { return detail::policy_empty(q); }
    static void link_front(PolicyHook& q, PolicyHook* h) noexcept { detail::policy_link_front(q, h); }
    static void unlink(PolicyHook* h) noexcept { detail::policy_unlink(h); }
    static void move_front(PolicyHook& q, PolicyHook* h) noexcept { detail::policy_move_front(q, h); }

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
        *region_weight(h->policy_region) -= w;
        unlink(h);
        h->policy_region = to;
        link_front(list_of(to), h);
        *region_weight(to) += w;
    }

    /// Hill climbing on the hit rate of each sample period (Caffeine's climber): move the
    /// window by `step` in the direction that helped; reverse and decay when it hurt.
    void record(bool hit) noexcept {
        m_sample_hits += hit;
        if (++m_sample_requests < m_climb_sample) return;
        const double rate = static_cast<double>(m_sample_hits) / static_cast<double>(m_sample_requests);
        m_sample_hits = m_sample_requests = 0;
        if (m_prev_hit_rate >= 0.0) {
            const double delta = rate - m_prev_hit_rate;
            if (delta < 0.0) m_increase = !m_increase;  // it hurt: go the other way
            m_step_fp *= 0.98;                          // and take smaller steps over time
            m_step = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(m_step_fp));
            if (m_increase) m_window_max = std::min(m_capacity - m_capacity / 100, m_window_max + m_step);
            else m_window_max = m_window_max > m_step + 1 ? m_window_max - m_step : 1;
        }
        m_prev_hit_rate = rate;
    }

    PolicyHook m_window, m_probation, m_protected;  // sentinels; MRU at next, LRU at prev
    std::uint64_t m_window_weight = 0, m_probation_weight = 0, m_protected_weight = 0;
    std::uint64_t m_capacity = 0, m_window_max = 1;
    detail::FrequencySketch m_sketch;
    // Hill climber state.
    std::uint64_t m_sample_hits = 0, m_sample_requests = 0, m_step = 1, m_climb_sample = 512;
    double m_step_fp = 1.0;
    double m_prev_hit_rate = -1.0;
    bool m_increase = true;
};

CACHET_NAMESPACE_END

#endif  // CACHET_EVICTION_TINYLFU_HPP
