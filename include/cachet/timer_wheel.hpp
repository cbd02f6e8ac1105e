#ifndef CACHET_TIMER_WHEEL_HPP
#define CACHET_TIMER_WHEEL_HPP

/// A hierarchical timing wheel (Varghese & Lauck, "Hashed and Hierarchical Timing Wheels",
/// SOSP 1987), laid out like Caffeine's `TimerWheel`: O(1) schedule, reschedule and cancel, and
/// amortised O(1) expiry per timer.
///
/// Time is in whole milliseconds (`std::uint64_t`, the caller's clock). Six levels of 64 buckets
/// each cover 2^6, 2^12, ..., 2^36 ms (level L's buckets are 2^(6L) ms wide, so the top level
/// spans about 2.2 years); deadlines further out wait in one overflow bucket and are re-placed
/// as time approaches them. A timer is placed by its absolute deadline in the lowest level whose
/// span covers the time left; when that bucket comes round, timers that are due fire and the
/// rest cascade into lower levels.
///
/// Each bucket is four doubly linked lists ("lanes") that take its timers in turn. A sweep walks
/// a bucket's lanes side by side and prefetches each lane's next node, so the cascade of a large
/// bucket whose nodes are no longer in cache waits for four misses at once rather than for one
/// after another (pointer chasing through one list made the cascade DRAM-latency bound). In
/// bench/timer_wheel_bench.cpp, scheduling and expiring 1M timers measured 5.9x the multimap
/// baseline with one list per bucket and 12.4x with four. The price is memory: the list heads
/// take ~25 KB (~9 KB with one).
///
/// Timers are intrusive: the timed object derives from `TimerHook`, which holds the
/// links and the deadline, so scheduling never allocates. `postpone` moves a deadline later
/// without relinking (the sweep re-places the timer when its old bucket comes round), so
/// renewing a TTL on every write touches nothing but the timed object. `advance` takes a budget (a number of
/// timers to look at), so the caller bounds the work done per call, as in Caffeine's
/// `TimerWheel.advance` and Redis's active-expire cycle; an interrupted sweep resumes where it
/// stopped on the next call.
///
/// Precision: a timer never fires early: it fires during the first `advance(now)` with
/// `now >= deadline` that has budget left for it, so how late it fires is up to how often the
/// caller advances (the keyspace advances on every operation that touches the shard). Timers
/// due in one `advance` call are handed back in deadline order (equal deadlines in no
/// particular order).
///
/// Not thread-safe: the keyspace guards each shard's wheel with the shard's lock.

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>

CACHET_NAMESPACE_BEGIN

/// The deadline of a timer that is not scheduled.
inline constexpr std::uint64_t no_deadline = std::numeric_limits<std::uint64_t>::max();

/// The list links of a timer (and of the wheel's list heads, which carry nothing else).
struct TimerLinks {
    TimerLinks* timer_prev = nullptr;  ///< nullptr <=> not scheduled
    TimerLinks* timer_next = nullptr;

    [[nodiscard]] bool timer_scheduled() const noexcept { return timer_prev != nullptr; }
};

/// The deadline part of a timer, a base of `TimerHook` placed before the links, so that an
/// object whose own fields come first (the keyspace's key and value) has its deadline right
/// after them: a lookup that checks expiry reads one contiguous span.
struct TimerDeadline {
    std::uint64_t deadline = no_deadline;  ///< ms; meaningful while scheduled
};

/// What a timed object carries: the deadline and the links. A timed object derives from it;
/// while scheduled, the wheel owns the links, and the object must be cancelled before it is
/// destroyed. 24 bytes.
struct TimerHook : TimerDeadline, TimerLinks {};

/// `Node` must derive from `TimerHook`; the wheel hands back `Node*`.
template <class Node>
class TimerWheel {
    using Hook = TimerHook;
    using Links = TimerLinks;

public:
    static constexpr unsigned levels = 6;
    static constexpr unsigned bits_per_level = 6;
    static constexpr std::size_t buckets_per_level = std::size_t{1} << bits_per_level;
    /// Each bucket is this many lists (lanes), filled in turn; a sweep walks them side by side.
    static constexpr unsigned lanes = 4;
    /// Deadlines up to this far ahead go into the wheel proper; later ones into the overflow.
    static constexpr std::uint64_t span = std::uint64_t{1} << (levels * bits_per_level);

    /// A wheel whose time starts at `now` (ms).
    explicit TimerWheel(std::uint64_t now = 0) noexcept : m_swept(now), m_ref(now) {
        for (auto& level : m_wheel)
            for (auto& b : level)
                for (auto& l : b) init(l);
        for (auto& l : m_pending) init(l);
        init(m_overflow);
        init(m_ready);
        init(m_fired);
    }
    TimerWheel(const TimerWheel&) = delete;
    TimerWheel& operator=(const TimerWheel&) = delete;
    /// Timers still scheduled are forgotten: their hooks are left as they are.
    ~TimerWheel() = default;

    /// Schedules `node` to fire at `deadline` (ms), or moves it there if it is already
    /// scheduled. A deadline that has passed fires on the next `advance`.
    /// Complexity: O(1). Never allocates. Precondition: `node` is not in another wheel.
    void schedule(Node* node, std::uint64_t deadline) noexcept {
        Hook* h = node;
        if (h->timer_scheduled()) unlink(h);
        else ++m_size;
        h->deadline = deadline;
        place(h);
    }

    /// Moves `node` to a later `deadline` without relinking it: it stays in the bucket of its
    /// earlier deadline, and the sweep that reaches that bucket places it anew by the deadline
    /// it has then. A timer whose deadline keeps moving out (a key whose TTL each write renews)
    /// thus costs one relink per bucket period instead of one per renewal, and a renewal
    /// touches only the node, not its neighbours in the bucket's list. An earlier deadline, or
    /// a node not scheduled, is `schedule`d. A postponed timer still never fires early, and as
    /// late as any other (it is placed again before its own bucket comes round).
    /// Complexity: O(1). Never allocates. Precondition: `node` is not in another wheel.
    void postpone(Node* node, std::uint64_t deadline) noexcept {
        Hook* h = node;
        if (h->timer_scheduled() && deadline >= h->deadline) h->deadline = deadline;
        else schedule(node, deadline);
    }

    /// Unschedules `node`; a no-op if it is not scheduled. Complexity: O(1). Never allocates.
    void cancel(Node* node) noexcept {
        Hook* h = node;
        if (!h->timer_scheduled()) return;
        unlink(h);
        --m_size;
    }

    /// Number of scheduled timers (including due ones not yet handed back). O(1).
    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }

    /// The time up to which the wheel has swept (ms).
    [[nodiscard]] std::uint64_t now() const noexcept { return m_swept; }

    /// True if `advance(now, ...)` has work to do: time moved, a sweep was interrupted, or
    /// timers are waiting to be handed back. O(1); the keyspace asks on every operation.
    [[nodiscard]] bool needs_advance(std::uint64_t now) const noexcept {
        return now > m_swept || m_in_sweep || !list_empty(m_ready) || !list_empty(m_fired);
    }

    /// Fires every timer whose deadline is `<= now`, looking at no more than `budget` timers
    /// (fired or cascaded to a lower level). Each due timer is unscheduled and then passed to
    /// `on_expire(Node*)`, in deadline order, after the sweep: the callback may free or
    /// reschedule it, but must not otherwise touch the wheel. Returns the unused budget; zero
    /// means work may remain, and the next call resumes where this one stopped.
    /// If `on_expire` throws, the timers not yet handed back stay due and are handed back by the
    /// next call (basic guarantee).
    /// Complexity: O(budget + B + K log K), B <= 64 * levels buckets stepped over, K timers
    /// fired (the sort is skipped when they come out in order, the usual case); amortised O(1)
    /// per timer over its life, since it cascades at most once per level. Never allocates.
    template <class F>
    std::size_t advance(std::uint64_t now, std::size_t budget, F&& on_expire) {
        if (now > m_ref) m_ref = now;
        while (budget > 0) {
            drain(&m_ready, 1, m_ref, budget);
            if (budget == 0) break;
            if (!m_in_sweep) {
                if (m_ref <= m_swept) break;
                begin_sweep(m_ref);
            }
            if (!continue_sweep(budget)) break;  // budget ran out mid-sweep
        }
        hand_back(on_expire);
        return budget;
    }

    /// Fires everything due at `now`, however much there is.
    template <class F>
    void advance(std::uint64_t now, F&& on_expire) {
        while (advance(now, std::numeric_limits<std::size_t>::max(), on_expire) == 0) {
        }
    }

    /// The earliest deadline among scheduled timers, or `no_deadline` if there are none.
    /// Complexity: O(64 * levels) plus the length of the few buckets it must inspect.
    [[nodiscard]] std::uint64_t next_deadline() const noexcept {
        std::uint64_t best = std::min(min_in(m_fired), min_in(m_ready));
        for (const Links& l : m_pending) best = std::min(best, min_in(l));
        for (unsigned lvl = 0; lvl < levels; ++lvl) {
            const unsigned shift = lvl * bits_per_level;
            const std::uint64_t tick = m_swept >> shift;
            for (std::size_t k = 0; k < buckets_per_level; ++k) {
                // The bucket k steps ahead holds deadlines in tick + k (or 64 ticks later, a
                // wrap), so once its window starts after `best`, nothing further can beat it.
                if (k > 0 && ((tick + k) << shift) > best) break;
                for (const Links& l : m_wheel[lvl][(tick + k) & (buckets_per_level - 1)])
                    if (!list_empty(l)) best = std::min(best, min_in(l));
            }
        }
        return std::min(best, min_in(m_overflow));
    }

    /// Checks the structure: links are consistent, every node sits in a bucket that comes round
    /// no later than its deadline (the one its deadline maps to, or an earlier one if it was
    /// postponed), in the overflow, or in a list of due or pending timers, and the count agrees.
    /// For tests. O(size()).
    [[nodiscard]] bool check_invariants() const {
        std::size_t n = 0;
        for (const Links* l : {&m_fired, &m_ready, &m_overflow}) {
            if (!links_ok(*l)) return false;
            n += count(*l);
        }
        for (const Links& l : m_pending) {
            if (!links_ok(l)) return false;
            n += count(l);
        }
        // (A ready timer may have been postponed past m_ref: the next advance places it again.)
        for (unsigned lvl = 0; lvl < levels; ++lvl) {
            const unsigned shift = lvl * bits_per_level;
            const std::uint64_t swept_tick = m_swept >> shift;
            for (std::size_t idx = 0; idx < buckets_per_level; ++idx) {
                // The earliest tick this bucket can stand for: the first at or after the swept one.
                const std::uint64_t first =
                    swept_tick + ((idx - swept_tick) & (buckets_per_level - 1));
                for (const Links& l : m_wheel[lvl][idx]) {
                    if (!links_ok(l)) return false;
                    for (const Links* p = l.timer_next; p != &l; p = p->timer_next) {
                        if ((deadline_of(p) >> shift) < first) return false;  // would fire late
                        ++n;
                    }
                }
            }
        }
        return n == m_size;
    }

private:
    using Bucket = std::array<Links, lanes>;

    static Hook* node(Links* p) noexcept { return static_cast<Hook*>(p); }
    static std::uint64_t deadline_of(const Links* p) noexcept {
        return static_cast<const Hook*>(p)->deadline;
    }

    static void init(Links& sentinel) noexcept {
        sentinel.timer_prev = &sentinel;
        sentinel.timer_next = &sentinel;
    }
    static bool list_empty(const Links& s) noexcept { return s.timer_next == &s; }
    static void link_back(Links& sentinel, Links* n) noexcept {
        n->timer_prev = sentinel.timer_prev;
        n->timer_next = &sentinel;
        sentinel.timer_prev->timer_next = n;
        sentinel.timer_prev = n;
    }
    static void unlink(Links* n) noexcept {
        n->timer_prev->timer_next = n->timer_next;
        n->timer_next->timer_prev = n->timer_prev;
        n->timer_prev = nullptr;
        n->timer_next = nullptr;
    }
    /// Moves every node of `from` to the back of `to`. O(1).
    static void splice_back(Links& to, Links& from) noexcept {
        if (list_empty(from)) return;
        Links* first = from.timer_next;
        Links* last = from.timer_prev;
        first->timer_prev = to.timer_prev;
        to.timer_prev->timer_next = first;
        last->timer_next = &to;
        to.timer_prev = last;
        init(from);
    }
    static std::uint64_t min_in(const Links& s) noexcept {
        std::uint64_t m = no_deadline;
        for (const Links* p = s.timer_next; p != &s; p = p->timer_next)
            m = std::min(m, deadline_of(p));
        return m;
    }
    static std::size_t count(const Links& s) noexcept {
        std::size_t c = 0;
        for (const Links* p = s.timer_next; p != &s; p = p->timer_next) ++c;
        return c;
    }
    static bool links_ok(const Links& s) noexcept {
        for (const Links* p = &s;;) {
            if (p->timer_next == nullptr || p->timer_next->timer_prev != p) return false;
            p = p->timer_next;
            if (p == &s) return true;
        }
    }

    /// Links `n` into the list for its deadline, placed relative to the latest time seen
    /// (`m_ref`). Level L is only chosen when the deadline is at least 64^L ms ahead, so the
    /// deadline's tick at level L is after the swept tick and the sweep that reaches the deadline
    /// visits its bucket. Within a bucket, the lanes take nodes in turn.
    void place(Hook* n) noexcept {
        const std::uint64_t deadline = n->deadline;
        if (deadline <= m_ref) return link_back(m_ready, n);
        const std::uint64_t delta = deadline - m_ref;
        for (unsigned lvl = 0; lvl < levels; ++lvl) {
            if (delta < (std::uint64_t{1} << ((lvl + 1) * bits_per_level))) {
                Bucket& b = m_wheel[lvl][(deadline >> (lvl * bits_per_level)) &
                                         (buckets_per_level - 1)];
                return link_back(b[m_lane++ & (lanes - 1)], n);
            }
        }
        link_back(m_overflow, n);
    }

    void begin_sweep(std::uint64_t target) noexcept {
        m_in_sweep = true;
        m_target = target;
        m_level = 0;
        m_step = 0;
        m_steps = steps_for(0);
    }

    /// Buckets to visit at `lvl` while moving from m_swept to m_target: the swept tick's bucket
    /// (it may hold a wrapped deadline) through the target tick's, at most all 64. Zero if the
    /// level's tick does not change, and then no higher level's does either.
    [[nodiscard]] std::size_t steps_for(unsigned lvl) const noexcept {
        const unsigned shift = lvl * bits_per_level;
        const std::uint64_t delta = (m_target >> shift) - (m_swept >> shift);
        if (delta == 0) return 0;
        return static_cast<std::size_t>(std::min<std::uint64_t>(delta + 1, buckets_per_level));
    }

    /// Works through the current sweep with `budget`. Returns true if the sweep finished.
    /// State: m_level in [0, levels) steps through buckets; m_level == levels visits the
    /// overflow; m_level > levels is done.
    bool continue_sweep(std::size_t& budget) noexcept {
        if (!drain(m_pending.data(), lanes, m_target, budget))
            return false;  // an interrupted bucket first
        for (;;) {
            if (m_level < levels) {
                if (m_step < m_steps) {
                    const std::uint64_t tick = (m_swept >> (m_level * bits_per_level)) + m_step;
                    ++m_step;
                    Bucket& b = m_wheel[m_level][tick & (buckets_per_level - 1)];
                    for (unsigned l = 0; l < lanes; ++l) splice_back(m_pending[l], b[l]);
                    if (!drain(m_pending.data(), lanes, m_target, budget)) return false;
                    continue;
                }
                if (m_steps == 0) {
                    m_level = levels + 1;
                } else if (++m_level < levels) {
                    m_step = 0;
                    m_steps = steps_for(m_level);
                }
                continue;
            }
            if (m_level == levels) {  // the top level's tick moved: the overflow comes round
                splice_back(m_pending[0], m_overflow);
                m_level = levels + 1;
                if (!drain(m_pending.data(), lanes, m_target, budget)) return false;
                continue;
            }
            break;
        }
        m_swept = m_target;
        m_in_sweep = false;
        return true;
    }

    /// Moves each node of the `count` lists at `lists` that is due at `upto` to the fired list
    /// and re-places the others. Returns false if the budget ran out first (the rest stays in
    /// the lists, still owned by the wheel, so it can be cancelled or rescheduled meanwhile).
    /// The lists are walked side by side, one node of each in turn, and each lane's next node is
    /// prefetched as its head is taken: the walk of a cold bucket waits for `count` cache misses
    /// at once instead of one after another.
    bool drain(Links* lists, unsigned count, std::uint64_t upto, std::size_t& budget) noexcept {
        for (bool any = true; any;) {
            any = false;
            for (unsigned l = 0; l < count; ++l) {
                Links& list = lists[l];
                if (list_empty(list)) continue;
                if (budget == 0) return false;
                --budget;
                any = true;
                Hook* n = node(list.timer_next);
                CACHET_PREFETCH(n->timer_next);
                unlink(n);
                if (n->deadline <= upto) {
                    if (!list_empty(m_fired) && deadline_of(m_fired.timer_prev) > n->deadline)
                        m_fired_sorted = false;
                    link_back(m_fired, n);
                } else {
                    place(n);
                }
            }
        }
        return true;
    }

    template <class F>
    void hand_back(F& on_expire) {
        if (!m_fired_sorted) sort_fired();
        while (!list_empty(m_fired)) {
            Hook* n = node(m_fired.timer_next);
            unlink(n);
            if (CACHET_UNLIKELY(n->deadline > m_ref)) {  // postponed while waiting here
                place(n);
                continue;
            }
            --m_size;
            on_expire(static_cast<Node*>(n));
        }
    }

    /// Stable merge sort of the fired list by deadline. O(K log K), no allocation.
    void sort_fired() noexcept {
        m_fired_sorted = true;
        if (list_empty(m_fired)) return;
        // Work on a null-terminated singly linked chain through timer_next.
        m_fired.timer_prev->timer_next = nullptr;
        Links* head = merge_sort(m_fired.timer_next);
        Links* prev = &m_fired;
        for (Links* p = head; p != nullptr; p = p->timer_next) {
            p->timer_prev = prev;
            prev->timer_next = p;
            prev = p;
        }
        prev->timer_next = &m_fired;
        m_fired.timer_prev = prev;
    }
    static Links* merge_sort(Links* head) noexcept {
        if (head == nullptr || head->timer_next == nullptr) return head;
        Links* slow = head;
        for (Links* fast = head->timer_next; fast && fast->timer_next;
             fast = fast->timer_next->timer_next)
            slow = slow->timer_next;
        Links* second = slow->timer_next;
        slow->timer_next = nullptr;
        Links* a = merge_sort(head);
        Links* b = merge_sort(second);
        Links dummy;
        Links* tail = &dummy;
        while (a && b) {
            if (deadline_of(b) < deadline_of(a)) { tail->timer_next = b; b = b->timer_next; }
            else { tail->timer_next = a; a = a->timer_next; }
            tail = tail->timer_next;
        }
        tail->timer_next = a ? a : b;
        return dummy.timer_next;
    }

    std::array<std::array<Bucket, buckets_per_level>, levels> m_wheel{};  // sentinels
    Bucket m_pending{};  ///< nodes the sweep took from a bucket and has not looked at yet
    Links m_overflow{};  ///< deadlines more than `span` ms after m_ref when placed
    Links m_ready{};     ///< scheduled with a deadline already passed; fire on the next advance
    Links m_fired{};     ///< due, waiting to be handed back (sorted when m_fired_sorted)
    std::uint64_t m_swept;       ///< every timer due at or before this has been found
    std::uint64_t m_ref;         ///< latest time seen (>= m_swept); placement is relative to it
    std::uint64_t m_target = 0;  ///< the time the current sweep moves m_swept to
    std::size_t m_size = 0;
    std::size_t m_step = 0, m_steps = 0;
    unsigned m_level = 0;
    unsigned m_lane = 0;  ///< the lane the next node placed in a bucket goes to (mod lanes)
    bool m_in_sweep = false;
    bool m_fired_sorted = true;
};

CACHET_NAMESPACE_END

#endif  // CACHET_TIMER_WHEEL_HPP
