#ifndef CACHET_KEYSPACE_EVENTS_HPP
#define CACHET_KEYSPACE_EVENTS_HPP

/// Keyspace notifications (Redis's notify-keyspace-events) for any store built on the keyspace
/// core, published on a `PubSubBus<std::string>`, built on the store's existing removal
/// listener: off by default and free when off (no listener, no cost).
///
/// `keyspace_notifier<K, V>(bus)` returns a `removal_listener`, and
/// `keyspace_write_notifier<K, V>(bus)` a `write_listener`; together they publish Redis's two
/// messages per event:
///   - on `__keyspace@<db>__:<key>` the event name (Redis's "K" class), and
///   - on `__keyevent@<db>__:<event>` the key (the "E" class),
/// with events `del` (erased), `expired` and `evicted` from the removal side, and `set`,
/// `expire` and `persist` (and optionally `new`) from the write side, `keymiss` from
/// `keyspace_miss_notifier` (a `miss_listener`), and for an in-place change the name Redis gives
/// the command's event (`incrby`, `lpush`, `hset`, `zadd`, ...; `update` where none was given). An overwrite publishes `set`, as in Redis (the
/// removal side stays silent for `replaced`).
///
/// Delivery follows the removal listener's rules (keyspace.hpp): after the shard lock is
/// released, on the thread whose operation removed the entry, in removal order within that
/// operation. Cost when on: two publishes per removal (two channel strings built). The bus
/// must outlive the store. Keys are named by `key_name` (default: the key itself when it
/// converts to `std::string_view`, `std::to_string` for arithmetic keys).
///
/// ```cpp
/// cachet::PubSubBus<std::string> bus;
/// cachet::KvStore<std::string, Session> kv({
///     .removal_listener = cachet::keyspace_notifier<std::string, Session>(bus),
///     .write_listener = cachet::keyspace_write_notifier<std::string, Session>(bus)});
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
    /// `keyspace_write_notifier` also publishes `new` when a key is created, before the write
    /// that created it (Redis's 'n' class, which Redis's "A" leaves out too).
    bool new_keys = false;
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

namespace detail {
/// The default channel name of a key: itself when it converts to string_view, `std::to_string`
/// for arithmetic keys; other key types must pass `key_name`.
template <class K>
std::function<std::string(const K&)> default_key_name(std::function<std::string(const K&)> given) {
    if (given) return given;
    if constexpr (std::is_convertible_v<const K&, std::string_view>) {
        return [](const K& k) { return std::string(std::string_view(k)); };
    } else if constexpr (std::is_arithmetic_v<K>) {
        return [](const K& k) { return std::to_string(k); };
    } else {
        throw std::invalid_argument("cachet::keyspace_notifier: pass key_name for this key type");
    }
}

/// Publishes one event for one key on the keyspace and/or keyevent channel.
inline void publish_key_event(PubSubBus<std::string>& bus, const KeyspaceEventOptions& options,
                              const std::string& db, std::string name, std::string_view event) {
    if (options.keyspace) (void)bus.publish("__keyspace@" + db + "__:" + name, std::string(event));
    if (options.keyevent)
        (void)bus.publish("__keyevent@" + db + "__:" + std::string(event), std::move(name));
}
}  // namespace detail

/// A removal listener that publishes keyspace notifications on `bus` (which must outlive the
/// store), then calls `next` (a listener of your own), if any. Allocates per notification (the
/// channel names and messages). Thread-safe, as the bus is.
template <class K, class V>
[[nodiscard]] typename StoreOptions<K, V>::listener_type keyspace_notifier(
    PubSubBus<std::string>& bus, KeyspaceEventOptions options = {},
    std::function<std::string(const K&)> key_name = {},
    typename StoreOptions<K, V>::listener_type next = {}) {
    key_name = detail::default_key_name<K>(std::move(key_name));
    return [&bus, options, db = std::to_string(options.db), key_name = std::move(key_name),
            next = std::move(next)](const K& key, const V& value, RemovalCause cause) {
        if (auto event = keyspace_event(cause))
            detail::publish_key_event(bus, options, db, key_name(key), *event);
        if (next) next(key, value, cause);
    };
}

/// A write listener that publishes `set`, `update`, `expire` and `persist` notifications (and
/// `new` with `options.new_keys`) on `bus` (which must outlive the store), then calls `next`,
/// if any. Same cost and threading as `keyspace_notifier`.
template <class K, class V>
[[nodiscard]] typename StoreOptions<K, V>::write_listener_type keyspace_write_notifier(
    PubSubBus<std::string>& bus, KeyspaceEventOptions options = {},
    std::function<std::string(const K&)> key_name = {},
    typename StoreOptions<K, V>::write_listener_type next = {}) {
    key_name = detail::default_key_name<K>(std::move(key_name));
    return [&bus, options, db = std::to_string(options.db), key_name = std::move(key_name),
            next = std::move(next)](const K& key, WriteEvent event, std::string_view name) {
        if (event != WriteEvent::created || options.new_keys)
            detail::publish_key_event(bus, options, db, key_name(key), name);
        if (next) next(key, event, name);
    };
}

/// A miss listener that publishes `keymiss` notifications (Redis's 'm' class: a read of a key
/// that does not exist) on `bus` (which must outlive the store), then calls `next`, if any.
/// Same cost and threading as `keyspace_notifier`.
template <class K, class V>
[[nodiscard]] typename StoreOptions<K, V>::miss_listener_type keyspace_miss_notifier(
    PubSubBus<std::string>& bus, KeyspaceEventOptions options = {},
    std::function<std::string(const K&)> key_name = {},
    typename StoreOptions<K, V>::miss_listener_type next = {}) {
    key_name = detail::default_key_name<K>(std::move(key_name));
    return [&bus, options, db = std::to_string(options.db), key_name = std::move(key_name),
            next = std::move(next)](const K& key) {
        detail::publish_key_event(bus, options, db, key_name(key), "keymiss");
        if (next) next(key);
    };
}

CACHET_NAMESPACE_END

#endif  // CACHET_KEYSPACE_EVENTS_HPP
