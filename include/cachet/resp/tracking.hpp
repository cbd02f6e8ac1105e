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
/// Thread safety: every member is thread-safe (one mutex; `clients()` is a lock-free read).
/// Complexity: remember and take O(keys), expected; `broadcasts` O(prefixes in use x keys).

#include <cachet/detail/config.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <set>
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
        std::lock_guard lock(m_mutex);
        for (std::string_view k : keys) {
            auto it = m_keys.find(k);
            if (it == m_keys.end()) {
                m_order.emplace_back(k);
                it = m_keys.emplace(m_order.back(), Readers{{}, std::prev(m_order.end())}).first;
            }
            if (it->second.ids.insert(id).second) ++m_items;
        }
        Dropped dropped;
        while (max_keys != 0 && m_keys.size() > max_keys) {
            auto it = m_keys.find(m_order.front());
            dropped.emplace_back(m_order.front(), std::vector<std::uint64_t>(it->second.ids.begin(), it->second.ids.end()));
            erase(it);
        }
        return dropped;
    }

    /// Forgets `key` and returns the clients that had read it (in id order).
    std::vector<std::uint64_t> take(std::string_view key) {
        std::lock_guard lock(m_mutex);
        auto it = m_keys.find(key);
        if (it == m_keys.end()) return {};
        std::vector<std::uint64_t> ids(it->second.ids.begin(), it->second.ids.end());
        erase(it);
        return ids;
    }

    /// Client `id` follows `prefix` (BCAST; "" follows every key).
    void add_prefix(std::string_view prefix, std::uint64_t id) {
        std::lock_guard lock(m_mutex);
        m_prefixes[std::string(prefix)].insert(id);
    }
    /// Client `id` stops following `prefixes`.
    void remove_prefixes(const std::set<std::string, std::less<>>& prefixes, std::uint64_t id) {
        std::lock_guard lock(m_mutex);
        for (const auto& p : prefixes) {
            auto it = m_prefixes.find(p);
            if (it == m_prefixes.end()) continue;
            it->second.erase(id);
            if (it->second.empty()) m_prefixes.erase(it);
        }
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
        std::lock_guard lock(m_mutex);
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
    [[nodiscard]] bool has_prefixes() const {
        std::lock_guard lock(m_mutex);
        return !m_prefixes.empty();
    }

    /// Forgets every remembered key (FLUSHDB, FLUSHALL); the prefixes stay.
    void clear_keys() {
        std::lock_guard lock(m_mutex);
        m_keys.clear();
        m_order.clear();
        m_items = 0;
    }

    /// INFO's tracking_total_keys, tracking_total_items, tracking_total_prefixes.
    struct Totals {
        std::size_t keys = 0, items = 0, prefixes = 0;
    };
    [[nodiscard]] Totals totals() const {
        std::lock_guard lock(m_mutex);
        return {m_keys.size(), m_items, m_prefixes.size()};
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct Readers {
        std::set<std::uint64_t> ids;
        std::list<std::string>::iterator order;  ///< the key's place in m_order
    };
    using KeyMap = std::unordered_map<std::string_view, Readers, Hash, std::equal_to<>>;

    void erase(typename KeyMap::iterator it) {
        m_items -= it->second.ids.size();
        const auto order = it->second.order;
        m_keys.erase(it);
        m_order.erase(order);  // after the map entry: its key views this string
    }

    mutable std::mutex m_mutex;
    std::list<std::string> m_order;  ///< the remembered keys, oldest first (the map's keys view these)
    KeyMap m_keys;
    std::size_t m_items = 0;
    std::map<std::string, std::set<std::uint64_t>, std::less<>> m_prefixes;
    std::atomic<std::size_t> m_clients{0};
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_TRACKING_HPP
