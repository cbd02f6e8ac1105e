#ifndef CACHET_RESP_TRACKING_HPP
#define CACHET_RESP_TRACKING_HPP

/// The shared state of Redis's server-assisted client-side caching (CLIENT TRACKING): which
/// clients read which keys (the default mode) and which clients follow which key prefixes
/// (BCAST). The engine (engine.hpp) fills it from the read-only commands of tracking clients,
/// asks it who must hear of a changed key, and sends the invalidation messages; this class
/// only keeps the tables.
///
/// Keys are tracked by name, whatever the database, as Redis does. A key is remembered once per
/// client until it is invalidated: an invalidation removes the key with all its clients. Over
/// `max_keys` remembered keys (tracking-table-max-keys), the oldest remembered keys are dropped
/// and their clients told, as Redis drops keys from its table (Redis picks them at random).
///
/// Thread safety: every member is thread-safe. The keys are split over 16 stripes by hash,
/// each with its own mutex, so writers on several threads rarely wait for one another (a
/// write takes its key's stripe lock while some client tracks); the prefixes sit behind a
/// shared mutex that the writers only read.
/// Complexity: remember and take O(keys), expected (a drop over the bound looks at each
/// stripe's oldest key); `broadcasts` and `followed` O(prefixes in use x keys).

#include <cachet/detail/config.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {

class TrackingTable {
public:
    /// A key dropped from the table and the clients that had read it.
    using Dropped = std::vector<std::pair<std::string, std::vector<std::uint64_t>>>;

    /// Clients with tracking on (INFO's tracking_clients); the engine keeps the count.
    [[nodiscard]] std::size_t clients() const noexcept { return m_clients.load(std::memory_order_acquire); }
    void add_client(int delta) noexcept {
        m_clients.fetch_add(static_cast<std::size_t>(static_cast<std::ptrdiff_t>(delta)), std::memory_order_acq_rel);
    }

    /// Remembers that client `id` read `keys`. Returns what had to be dropped to stay within
    /// `max_keys` (0: no bound), for the caller to invalidate.
    Dropped remember(std::span<const std::string_view> keys, std::uint64_t id, std::size_t max_keys) {
        for (std::string_view k : keys) {
            Stripe& st = stripe(k);
            std::lock_guard lock(st.mutex);
            auto it = st.keys.find(k);
            if (it == st.keys.end()) {
                st.order.emplace_back(std::string(k), m_seq.fetch_add(1, std::memory_order_relaxed));
                it = st.keys.emplace(st.order.back().first, Readers{{}, std::prev(st.order.end())}).first;
                m_count.fetch_add(1, std::memory_order_relaxed);
            }
            if (it->second.ids.insert(id).second) ++st.items;
        }
        Dropped dropped;
        while (max_keys != 0 && m_count.load(std::memory_order_relaxed) > max_keys) {
            // The oldest remembered key: the oldest of the stripes' oldest (the front of each
            // stripe's list), taken if it is still there when its stripe is locked again.
            Stripe* oldest = nullptr;
            std::uint64_t oldest_seq = 0;
            for (Stripe& st : m_stripes) {
                std::lock_guard lock(st.mutex);
                if (!st.order.empty() && (!oldest || st.order.front().second < oldest_seq)) {
                    oldest = &st;
                    oldest_seq = st.order.front().second;
                }
            }
            if (!oldest) break;
            std::lock_guard lock(oldest->mutex);
            if (oldest->order.empty() || oldest->order.front().second != oldest_seq) continue;
            auto it = oldest->keys.find(oldest->order.front().first);
            dropped.emplace_back(oldest->order.front().first,
                                 std::vector<std::uint64_t>(it->second.ids.begin(), it->second.ids.end()));
            erase(*oldest, it);
        }
        return dropped;
    }

    /// Forgets `key` and returns the clients that had read it (in id order). Locks the key's
    /// stripe only: writers on other threads rarely meet.
    std::vector<std::uint64_t> take(std::string_view key) {
        if (m_count.load(std::memory_order_relaxed) == 0) return {};
        Stripe& st = stripe(key);
        std::lock_guard lock(st.mutex);
        auto it = st.keys.find(key);
        if (it == st.keys.end()) return {};
        std::vector<std::uint64_t> ids(it->second.ids.begin(), it->second.ids.end());
        erase(st, it);
        return ids;
    }

    /// Client `id` follows `prefix` (BCAST; "" follows every key).
    void add_prefix(std::string_view prefix, std::uint64_t id) {
        std::unique_lock lock(m_prefix_mutex);
        m_prefixes[std::string(prefix)].insert(id);
        m_prefix_count.store(m_prefixes.size(), std::memory_order_release);
    }
    /// Client `id` stops following `prefixes`.
    void remove_prefixes(const std::set<std::string, std::less<>>& prefixes, std::uint64_t id) {
        std::unique_lock lock(m_prefix_mutex);
        for (const auto& p : prefixes) {
            auto it = m_prefixes.find(p);
            if (it == m_prefixes.end()) continue;
            it->second.erase(id);
            if (it->second.empty()) m_prefixes.erase(it);
        }
        m_prefix_count.store(m_prefixes.size(), std::memory_order_release);
    }
    /// One BCAST message to send: `keys` to each of `clients`.
    struct Broadcast {
        std::vector<std::string> keys;
        std::vector<std::uint64_t> clients;
    };
    /// The messages that announce `changed`, as Redis's trackingBroadcastInvalidationMessages
    /// groups them: per followed prefix (in byte order), its changed keys (in byte order) for
    /// each of its followers (in id order).
    [[nodiscard]] std::vector<Broadcast> broadcasts(const std::set<std::string, std::less<>>& changed) const {
        std::vector<Broadcast> out;
        std::shared_lock lock(m_prefix_mutex);
        for (const auto& [prefix, followers] : m_prefixes) {
            Broadcast b;
            for (const auto& k : changed)
                if (std::string_view(k).starts_with(prefix)) b.keys.push_back(k);
            if (b.keys.empty()) continue;
            b.clients.assign(followers.begin(), followers.end());
            out.push_back(std::move(b));
        }
        return out;
    }
    /// Whether some client follows a prefix (one atomic load).
    [[nodiscard]] bool has_prefixes() const noexcept { return m_prefix_count.load(std::memory_order_acquire) != 0; }
    /// Whether some client follows a prefix of `key`. O(prefixes), under a shared lock.
    [[nodiscard]] bool followed(std::string_view key) const {
        if (!has_prefixes()) return false;
        std::shared_lock lock(m_prefix_mutex);
        for (const auto& entry : m_prefixes)
            if (key.starts_with(entry.first)) return true;
        return false;
    }

    /// Forgets every remembered key (FLUSHDB, FLUSHALL); the prefixes stay.
    void clear_keys() {
        for (Stripe& st : m_stripes) {
            std::lock_guard lock(st.mutex);
            m_count.fetch_sub(st.keys.size(), std::memory_order_relaxed);
            st.keys.clear();
            st.order.clear();
            st.items = 0;
        }
    }

    /// INFO's tracking_total_keys, tracking_total_items, tracking_total_prefixes.
    struct Totals {
        std::size_t keys = 0, items = 0, prefixes = 0;
    };
    [[nodiscard]] Totals totals() const {
        Totals t;
        for (const Stripe& st : m_stripes) {
            std::lock_guard lock(st.mutex);
            t.keys += st.keys.size();
            t.items += st.items;
        }
        t.prefixes = m_prefix_count.load(std::memory_order_acquire);
        return t;
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    /// The remembered keys, oldest first, each with its place in the order of remembering.
    using Order = std::list<std::pair<std::string, std::uint64_t>>;
    struct Readers {
        std::set<std::uint64_t> ids;
        Order::iterator order;  ///< the key's place in its stripe's order
    };
    using KeyMap = std::unordered_map<std::string_view, Readers, Hash, std::equal_to<>>;
    /// A part of the key table (keys by hash), with its own lock.
    struct alignas(64) Stripe {
        mutable std::mutex mutex;
        Order order;  ///< the map's keys view these strings
        KeyMap keys;
        std::size_t items = 0;
    };
    static constexpr std::size_t stripe_count = 16;

    Stripe& stripe(std::string_view key) noexcept {
        const std::size_t h = Hash{}(key);
        return m_stripes[(h ^ (h >> 32)) % stripe_count];
    }
    void erase(Stripe& st, typename KeyMap::iterator it) {
        st.items -= it->second.ids.size();
        const auto order = it->second.order;
        st.keys.erase(it);
        st.order.erase(order);  // after the map entry: its key views this string
        m_count.fetch_sub(1, std::memory_order_relaxed);
    }

    std::array<Stripe, stripe_count> m_stripes;
    std::atomic<std::size_t> m_count{0};   ///< keys remembered, over all stripes
    std::atomic<std::uint64_t> m_seq{0};   ///< the order of remembering, across stripes
    mutable std::shared_mutex m_prefix_mutex;
    std::map<std::string, std::set<std::uint64_t>, std::less<>> m_prefixes;
    std::atomic<std::size_t> m_prefix_count{0};
    std::atomic<std::size_t> m_clients{0};
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_TRACKING_HPP
