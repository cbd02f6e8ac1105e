#ifndef CACHET_EVICTION_POLICY_HPP
#define CACHET_EVICTION_POLICY_HPP

/// Eviction policies the keyspace core plugs in. A bounded store keeps, per shard, one policy
/// object that orders the shard's entries for eviction; entries carry the policy's links
/// intrusively (`PolicyHook`), so recording an access or choosing a victim never allocates.
///
/// The policy is chosen per store at run time (`StoreOptions::eviction`), so one entry layout
/// serves every policy and stores of different policies share code. An unbounded store keeps
/// no policy state at all.

#include <cachet/detail/config.hpp>

#include <atomic>
#include <cstdint>
#include <string_view>

CACHET_NAMESPACE_BEGIN

/// Which entry a bounded store gives up when it is full.
enum class Eviction : std::uint8_t {
    /// Least recently used: a hit moves the entry to the front; the back is evicted. O(1).
    lru,
    /// W-TinyLFU with an adaptive window (the default): a recency window, frequency-aware
    /// admission (a count-min sketch) into a segmented main region, the window's share steered
    /// by where hits land. Hits record themselves without the shard's exclusive lock.
    /// O(1) amortised. See eviction/tinylfu.hpp.
    tinylfu,
};

[[nodiscard]] constexpr std::string_view to_string(Eviction e) noexcept {
    switch (e) {
        case Eviction::lru: return "lru";
        case Eviction::tinylfu: return "tinylfu";
    }
    return "unknown";
}

/// The links an entry carries for its shard's eviction policy, and its access record (see
/// access_clock.hpp) in what would be padding. 24 bytes. The fields a hit reads or sets come
/// first, the links (which only writers follow) last, so that in the keyspace's entries a
/// hit's fields sit nearer the deadline's cache line.
struct PolicyHook {
    /// Set by a hit that holds only the shard's shared lock (relaxed; several readers may set
    /// it at once); read and cleared by the policy under the exclusive lock.
    std::atomic<std::uint8_t> policy_ref{0};
    std::uint8_t policy_region = 0;  ///< which of the policy's lists holds it (0: none)
    /// The last access's time or a frequency counter, when the store tracks one
    /// (`AccessTracking`); relaxed, written by hits under the shared lock too.
    std::atomic<std::uint32_t> access_word{0};
    PolicyHook* policy_prev = nullptr;  ///< nullptr <=> not tracked by a policy
    PolicyHook* policy_next = nullptr;
};
static_assert(sizeof(void*) != 8 || sizeof(PolicyHook) == 24, "the access word fits the padding");

namespace detail {
/// Intrusive list primitives shared by the policies; each list has a sentinel `head` whose
/// `policy_next` is the most recent end and `policy_prev` the least recent.
inline void policy_init(PolicyHook& head) noexcept { head.policy_prev = head.policy_next = &head; }
inline bool policy_empty(const PolicyHook& head) noexcept { return head.policy_next == &head; }
inline void policy_link_front(PolicyHook& head, PolicyHook* h) noexcept {
    h->policy_prev = &head;
    h->policy_next = head.policy_next;
    head.policy_next->policy_prev = h;
    head.policy_next = h;
}
inline void policy_unlink(PolicyHook* h) noexcept {
    h->policy_prev->policy_next = h->policy_next;
    h->policy_next->policy_prev = h->policy_prev;
}
inline void policy_move_front(PolicyHook& head, PolicyHook* h) noexcept {
    if (head.policy_next == h) return;
    policy_unlink(h);
    policy_link_front(head, h);
}
}  // namespace detail

CACHET_NAMESPACE_END

#endif  // CACHET_EVICTION_POLICY_HPP
