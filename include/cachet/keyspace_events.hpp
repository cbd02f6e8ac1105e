#ifndef CACHET_KEYSPACE_EVENTS_HPP
#define CACHET_KEYSPACE_EVENTS_HPP

/// Keyspace notifications (Redis's notify-keyspace-events) for any store built on the keyspace
/// core, published on a `PubSubBus<std::string>`, built on the store's existing removal
/// listener: off by default and free when off (no listener, no cost).
///
/// `keyspace_notifier<K, V>(bus)` returns a `removal_listener` that publishes, for each entry
/// that leaves the store, Redis's two messages:
///   - on `__keyspace@<db>__:<key>` the event name (Redis's "K" class), and
///   - on `__keyevent@<db>__:<event>` the key (the "E" class),
/// with events `del` (erased), `expired` and `evicted`. An overwrite (`replaced`) publishes
/// nothing: Redis reports it as `set`, which belongs to the write; the removal listener sees
/// only the old value leave, and not writes of new keys, so `set` (and container events)
/// need a write hook in the core (a `notifier` option called after successful writes, outside
/// the lock like the removal listener), which is not there yet.
///
/// Delivery follows the removal listener's rules (keyspace.hpp): after the shard lock is
/// released, on the thread whose operation removed the entry, in removal order within that
/// operation. Cost when on: two publishes per removal (two channel strings built). The bus
/// must outlive the store. Keys are named by `key_name` (default: the key itself when it
/// converts to `std::string_view`, `std::to_string` for arithmetic keys).
///
/// ```cpp
/// cachet::PubSubBus<std::string> bus;
/// cachet::KvStore<std::string, Session> kv({.removal_listener =
///     cachet::keyspace_notifier<std::string, Session>(bus)});
/// auto expiries = bus.subscribe("__keyevent@0__:expired", cachet::InboxOptions{});
/// ```

#include <cachet/keyspace.hpp>
#include <cachet/pubsub_bus.hpp>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

CACHET_NAMESPACE_BEGIN

/// Which notifications to publish (Redis's notify-keyspace-events "K" and "E" classes).
struct KeyspaceEventOptions {
    int db = 0;             ///< the <db> in the channel names
    bool keyspace = true;   ///< publish on `__keyspace@<db>__:<key>`
    bool keyevent = true;   ///< publish on `__keyevent@<db>__:<event>`
};

/// The Redis event name of a removal cause, or nothing for `replaced` (see the file comment).
[[nodiscard]] constexpr std::optional<std::string_view> keyspace_event(RemovalCause c) noexcept {
    switch (c) {
        case RemovalCause::erased: return std::string_view("del");
        case RemovalCause::expired: return std::string_view("expired");
        case RemovalCause::evicted: return std::string_view("evicted");
        case RemovalCause::replaced: return std::nullopt;
    }
    return std::nullopt;
}

/// A removal listener that publishes keyspace notifications on `bus` (which must outlive the
/// store), then calls `next` (a listener of your own), if any. Allocates per notification (the
/// channel names and messages). Thread-safe, as the bus is.
template <class K, class V>
[[nodiscard]] typename StoreOptions<K, V>::listener_type keyspace_notifier(
    PubSubBus<std::string>& bus, KeyspaceEventOptions options = {},
    std::function<std::string(const K&)> key_name = {},
    typename StoreOptions<K, V>::listener_type next = {}) {
    if (!key_name) {
        if constexpr (std::is_convertible_v<const K&, std::string_view>) {
            key_name = [](const K& k) { return std::string(std::string_view(k)); };
        } else if constexpr (std::is_arithmetic_v<K>) {
            key_name = [](const K& k) { return std::to_string(k); };
        } else {
            throw std::invalid_argument("cachet::keyspace_notifier: pass key_name for this key type");
        }
    }
    const std::string db = std::to_string(options.db);
    return [&bus, options, db, key_name = std::move(key_name), next = std::move(next)](
               const K& key, const V& value, RemovalCause cause) {
        if (auto event = keyspace_event(cause)) {
            std::string name = key_name(key);
            if (options.keyspace)
                (void)bus.publish("__keyspace@" + db + "__:" + name, std::string(*event));
            if (options.keyevent)
                (void)bus.publish("__keyevent@" + db + "__:" + std::string(*event), std::move(name));
        }
        if (next) next(key, value, cause);
    };
}

CACHET_NAMESPACE_END

#endif  // CACHET_KEYSPACE_EVENTS_HPP
