#ifndef CACHET_EVICTION_LRU_HPP
#define CACHET_EVICTION_LRU_HPP

/// `LruPolicy`: least-recently-used order as an intrusive doubly linked list with a sentinel.
/// Insert and access move an entry to the front (most recent); the victim is the back.
/// Every operation is O(1) and never allocates. Not thread-safe: used under a shard's lock.

#include <cachet/eviction/policy.hpp>

#include <cstddef>

CACHET_NAMESPACE_BEGIN

class LruPolicy {
public:
    LruPolicy() noexcept { detail::policy_init(m_head); }
    LruPolicy(const LruPolicy&) = delete;
    LruPolicy& operator=(const LruPolicy&) = delete;

    /// Starts tracking `h` as the most recently used. Precondition: `h` is not tracked.
    void on_insert(PolicyHook* h) noexcept {
        detail::policy_link_front(m_head, h);
        ++m_size;
    }
    /// Records a use of `h`: it becomes the most recently used. Precondition: tracked.
    void on_access(PolicyHook* h) noexcept { detail::policy_move_front(m_head, h); }
    /// Stops tracking `h`; a no-op if it is not tracked.
    void on_remove(PolicyHook* h) noexcept {
        if (h->policy_prev == nullptr) return;
        detail::policy_unlink(h);
        h->policy_prev = h->policy_next = nullptr;
        --m_size;
    }
    /// The entry to evict next (the least recently used), or nullptr when empty. Does not
    /// remove it: the keyspace calls `on_remove` when it takes the entry out.
    [[nodiscard]] PolicyHook* victim() const noexcept {
        return m_size ? m_head.policy_prev : nullptr;
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_size; }

    /// Forgets every entry (their hooks are cleared by the caller, if it cares).
    void reset() noexcept {
        detail::policy_init(m_head);
        m_size = 0;
    }

    /// Links are consistent and the count agrees. For tests. O(size()).
    [[nodiscard]] bool check_invariants() const noexcept {
        std::size_t n = 0;
        for (const PolicyHook* p = m_head.policy_next; p != &m_head; p = p->policy_next) {
            if (p->policy_next->policy_prev != p) return false;
            ++n;
        }
        return n == m_size;
    }

    /// Visits tracked entries from most to least recently used. For tests and introspection.
    template <class F>
    void for_each_mru(F&& f) const {
        for (const PolicyHook* p = m_head.policy_next; p != &m_head; p = p->policy_next) f(p);
    }

private:
    PolicyHook m_head;
    std::size_t m_size = 0;
};

CACHET_NAMESPACE_END

#endif  // CACHET_EVICTION_LRU_HPP
