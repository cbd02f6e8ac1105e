#ifndef CACHET_DATABASE_HPP
#define CACHET_DATABASE_HPP

/// `Database`: Redis's keyspace in-process. Numbered databases (16 by default, for SELECT),
/// each one `Keyspace` whose values are Redis's types (string, list, hash, set, sorted set)
/// with Redis's type rules (an operation on a key of another type throws `WrongTypeError`,
/// Redis's WRONGTYPE). It is what the RESP adapter serves, and an embedding program uses the
/// same object from its own threads: the typed views `db(i).lists()`, `hashes()`, `sets()`,
/// `zsets()` are the very `ListStore`, `HashStore`, `SetStore` and `ZSetStore` classes over
/// this keyspace, so a push from the program wakes a RESP client blocked in BLPOP, and a
/// WATCHed key touched by the program aborts the client's EXEC.
///
/// Structure: per numbered database, one sharded `Keyspace<std::string, Value>` (see
/// keyspace.hpp: a lock per shard, a timing wheel per shard for TTLs, LRU order for
/// maxmemory eviction) and the registries of clients blocked on lists and sorted sets. Shared
/// by all: the pub/sub bus (PUBLISH and keyspace notifications), the transaction gate (EXEC
/// runs alone; every other operation enters it shared, an uncontended atomic increment), the
/// WATCH registry, and the maxmemory setting.
///
/// Values (`Value`, 24 bytes): strings up to 22 bytes are stored inline in the entry, longer
/// ones and containers on the heap (one pointer), so a short string key costs no more than its
/// key, value and the entry's fixed overhead.
///
/// Thread-safety: every member function is thread-safe. Each single-key operation takes one
/// shard lock; multi-key ones (RENAME, COPY, MSET, SMOVE, LMOVE, *STORE) lock all their keys'
/// shards at once, in order (atomic, deadlock-free). Complexity is Redis's for each command.
///
/// Differences from Redis: TTLs run on the monotonic clock (EXPIREAT converts from wall time
/// once, when set); eviction under maxmemory evicts the eviction policy's victims one shard at
/// a time (an approximation of LRU, as Redis's sampling is), and the volatile-* policies act
/// like their allkeys-* counterparts on this core; memory is the store's own estimate.

#include <cachet/clock.hpp>
#include <cachet/detail/config.hpp>
#include <cachet/detail/exec_gate.hpp>
#include <cachet/detail/glob.hpp>
#include <cachet/detail/keyed_store.hpp>
#include <cachet/detail/redis_number.hpp>
#include <cachet/hash_store.hpp>
#include <cachet/hash_table.hpp>
#include <cachet/key_string.hpp>
#include <cachet/keyspace.hpp>
#include <cachet/list_store.hpp>
#include <cachet/pubsub_bus.hpp>
#include <cachet/result.hpp>
#include <cachet/set_store.hpp>
#include <cachet/sorted_set.hpp>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN

/// Thrown by a Database operation on a key that holds another type of value. Its message is
/// Redis's reply text.
class WrongTypeError : public std::logic_error {
public:
    WrongTypeError()
        : std::logic_error("WRONGTYPE Operation against a key holding the wrong kind of value") {}
};

/// Redis's value types, in the order `Value` holds them.
enum class ValueType : std::uint8_t { string, list, hash, set, zset };

/// The name TYPE replies with.
[[nodiscard]] constexpr std::string_view to_string(ValueType t) noexcept {
    switch (t) {
        case ValueType::string: return "string";
        case ValueType::list: return "list";
        case ValueType::hash: return "hash";
        case ValueType::set: return "set";
        case ValueType::zset: return "zset";
    }
    return "none";
}

/// A transparent string hash, so the keyspace is probed with `std::string_view` (no key copy).
struct StringKeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

using RedisList = List<std::string>;
using RedisHash = HashMap<std::string, std::string, StringKeyHash, std::equal_to<>>;
using RedisSet = HashSet<std::string, StringKeyHash, std::equal_to<>>;
using RedisZSet = SortedSet<std::string>;

/// The encoding Redis would give a hash, as the Database follows it (kept in the hash's
/// `tag()`): a listpack until a write makes it exceed hash-max-listpack-entries fields or
/// writes a field or value longer than hash-max-listpack-value bytes, then a hashtable for
/// good. It shows in replies: a listpack hash comes whole from HSCAN, with cursor 0.
enum class HashEncoding : std::uint8_t { unknown = 0, listpack = 1, hashtable = 2 };
/// The encoding Redis 7.0 would give a set (kept in the set's `tag()`): an intset while every
/// member is an integer and there are at most set-max-intset-entries, then a hashtable for
/// good. An intset lists its members in ascending order, and comes whole from SSCAN.
enum class SetEncoding : std::uint8_t { unknown = 0, intset = 1, hashtable = 2 };

/// One Redis value in 24 bytes: a string of up to 22 bytes stored inline (the common short
/// value costs no allocation), a longer string in a heap `std::string`, or a heap-allocated
/// list, hash, set or sorted set (one pointer). Copying copies deeply; moving leaves the source
/// an empty string. A string changed in place (`mutable_string`: APPEND, SETRANGE) moves to the
/// heap and is marked raw, as Redis turns such a string into its "raw" encoding, until it is
/// replaced.
class Value {
public:
    /// The longest string kept inline.
    static constexpr std::size_t inline_capacity = 22;

    Value() noexcept { set_inline({}); }
    Value(std::string s) { set_string(std::move(s)); }  // NOLINT: implicit, as a string is a value
    Value(RedisList c) { set_box(ValueType::list, new RedisList(std::move(c))); }
    Value(RedisHash c) { set_box(ValueType::hash, new RedisHash(std::move(c))); }
    Value(RedisSet c) { set_box(ValueType::set, new RedisSet(std::move(c))); }
    Value(RedisZSet c) { set_box(ValueType::zset, new RedisZSet(std::move(c))); }
    Value(const Value& o) { copy_from(o); }
    Value(Value&& o) noexcept { steal(o); }
    Value& operator=(const Value& o) {
        if (this != &o) {
            Value copy(o);  // if this throws, *this is unchanged
            destroy();
            steal(copy);
        }
        return *this;
    }
    Value& operator=(Value&& o) noexcept {
        if (this != &o) {
            destroy();
            steal(o);
        }
        return *this;
    }
    ~Value() { destroy(); }

    [[nodiscard]] ValueType type() const noexcept { return static_cast<ValueType>(m_tag & type_mask); }

    /// The container as `T` (RedisList, RedisHash, RedisSet or RedisZSet), or nullptr if the
    /// value is of another type.
    template <class T>
    [[nodiscard]] T* get_if() noexcept {
        static_assert(!std::is_same_v<T, std::string>, "use string_if / mutable_string");
        return type() == type_of<T>() ? static_cast<T*>(ptr()) : nullptr;
    }
    template <class T>
    [[nodiscard]] const T* get_if() const noexcept {
        return const_cast<Value*>(this)->get_if<T>();
    }

    /// The string's bytes, or nullopt if the value is not a string. Valid until the value
    /// changes.
    [[nodiscard]] std::optional<std::string_view> string_if() const noexcept {
        if (type() != ValueType::string) return std::nullopt;
        if (m_tag & heap_flag) return std::string_view(*static_cast<const std::string*>(ptr()));
        return std::string_view(reinterpret_cast<const char*>(m_raw), m_len);
    }
    /// The string for changing in place, moved to the heap first if it was inline (one
    /// allocation). Precondition: `type() == ValueType::string`.
    [[nodiscard]] std::string& mutable_string() {
        assert(type() == ValueType::string);
        if (!(m_tag & heap_flag)) {
            auto* h = new std::string(reinterpret_cast<const char*>(m_raw), m_len);
            set_box(ValueType::string, h);
            m_tag |= heap_flag;
        }
        m_tag |= raw_flag;
        return *static_cast<std::string*>(ptr());
    }
    /// Makes the value the string `s` (inline if it fits).
    void assign_string(std::string_view s) {
        if (s.size() <= inline_capacity) {
            destroy();
            set_inline(s);
        } else if (type() == ValueType::string && (m_tag & heap_flag)) {
            static_cast<std::string*>(ptr())->assign(s);
            m_tag &= static_cast<std::uint8_t>(~(raw_flag | text_flag | unshared_flag));
        } else {
            auto* h = new std::string(s);
            destroy();
            set_box(ValueType::string, h);
            m_tag |= heap_flag;
        }
    }
    /// True for a string kept inline (Redis's embedded string, short of its integer form).
    [[nodiscard]] bool string_inline() const noexcept {
        return type() == ValueType::string && !(m_tag & heap_flag);
    }
    /// True for a string changed in place since it was set (Redis's "raw" encoding, whatever
    /// its length or content).
    [[nodiscard]] bool string_raw() const noexcept {
        return type() == ValueType::string && (m_tag & raw_flag);
    }
    /// Marks a string as stored as text even if it reads as an integer (Redis keeps
    /// INCRBYFLOAT's result an embedded string, never its "int" encoding), until it is
    /// replaced. Precondition: `type() == ValueType::string`.
    void mark_text() noexcept { m_tag |= text_flag; }
    /// True for a string marked by `mark_text` (and not replaced since).
    [[nodiscard]] bool string_text() const noexcept {
        return type() == ValueType::string && (m_tag & text_flag);
    }
    /// Marks a string as an object of its own: Redis shares the objects of the integers 0-9999
    /// among the keys set to them (OBJECT REFCOUNT says INT_MAX), but a COPY's destination is a
    /// new object (refcount 1), until it is replaced. Precondition: `type() == ValueType::string`.
    void mark_unshared() noexcept { m_tag |= unshared_flag; }
    /// True for a string that is not (or cannot be) one of Redis's shared integer objects: marked
    /// by `mark_unshared` or `mark_text`, or changed in place.
    [[nodiscard]] bool string_unshared() const noexcept {
        return type() == ValueType::string && (m_tag & (unshared_flag | text_flag | raw_flag));
    }

    /// True for a container with no elements (its key must go); never for a string.
    [[nodiscard]] bool empty_container() const noexcept {
        return type() != ValueType::string && elements() == 0;
    }

    /// Elements (1 for a string). O(1).
    [[nodiscard]] std::size_t elements() const noexcept {
        if (type() == ValueType::string) return 1;
        return visit_box([](const auto* c) -> std::size_t { return c->size(); });
    }

    /// An estimate of the bytes it occupies beyond the entry, for maxmemory. O(1): containers
    /// are estimated from their element count.
    [[nodiscard]] std::uint64_t memory_estimate() const noexcept {
        switch (type()) {
            case ValueType::string: {
                if (!(m_tag & heap_flag)) return 0;
                // The string object, and its buffer unless the bytes fit in the object (SSO).
                const std::size_t cap = static_cast<const std::string*>(ptr())->capacity();
                return sizeof(std::string) + (cap > std::string().capacity() ? cap + 1 : 0);
            }
            case ValueType::list: return 64 + 40 * elements();
            case ValueType::hash: return 64 + 96 * elements();
            case ValueType::set: return 64 + 64 * elements();
            case ValueType::zset: return 64 + 96 * elements();
        }
        return 0;
    }

private:
    static constexpr std::uint8_t type_mask = 0x07, heap_flag = 0x10, raw_flag = 0x20,
                                  text_flag = 0x40, unshared_flag = 0x80;

    template <class T>
    static constexpr ValueType type_of() noexcept {
        if constexpr (std::is_same_v<T, RedisList>) return ValueType::list;
        else if constexpr (std::is_same_v<T, RedisHash>) return ValueType::hash;
        else if constexpr (std::is_same_v<T, RedisSet>) return ValueType::set;
        else {
            static_assert(std::is_same_v<T, RedisZSet>, "not a Redis container type");
            return ValueType::zset;
        }
    }
    /// Calls `f` with a pointer to the container: RedisList*, RedisHash*, RedisSet* or
    /// RedisZSet*. Precondition: `type() != ValueType::string`.
    template <class F>
    auto visit_box(F&& f) const -> std::invoke_result_t<F&, RedisList*> {
        assert(type() != ValueType::string);
        switch (type()) {
            case ValueType::list: return f(static_cast<RedisList*>(ptr()));
            case ValueType::hash: return f(static_cast<RedisHash*>(ptr()));
            case ValueType::set: return f(static_cast<RedisSet*>(ptr()));
            default: return f(static_cast<RedisZSet*>(ptr()));
        }
    }
    [[nodiscard]] void* ptr() const noexcept {
        void* p;
        std::memcpy(&p, m_raw, sizeof p);
        return p;
    }
    void set_box(ValueType t, void* p) noexcept {
        std::memcpy(m_raw, &p, sizeof p);
        m_len = 0;
        m_tag = static_cast<std::uint8_t>(t);
    }
    void set_inline(std::string_view s) noexcept {
        if (!s.empty()) std::memcpy(m_raw, s.data(), s.size());
        m_len = static_cast<std::uint8_t>(s.size());
        m_tag = static_cast<std::uint8_t>(ValueType::string);
    }
    void set_string(std::string&& s) {
        if (s.size() <= inline_capacity) {
            set_inline(s);
            return;
        }
        set_box(ValueType::string, new std::string(std::move(s)));
        m_tag |= heap_flag;
    }
    void copy_from(const Value& o) {
        if (o.type() != ValueType::string) {
            o.visit_box([&](const auto* c) {
                set_box(o.type(), new std::remove_cvref_t<decltype(*c)>(*c));
            });
        } else if (o.m_tag & heap_flag) {
            set_box(ValueType::string, new std::string(*static_cast<const std::string*>(o.ptr())));
            m_tag = o.m_tag;  // heap, and raw if it was (COPY keeps the encoding)
        } else {
            std::memcpy(static_cast<void*>(this), static_cast<const void*>(&o), sizeof *this);
        }
    }
    void steal(Value& o) noexcept {
        std::memcpy(static_cast<void*>(this), static_cast<const void*>(&o), sizeof *this);
        o.set_inline({});
    }
    void destroy() noexcept {
        if (type() != ValueType::string) visit_box([](const auto* c) { delete c; });
        else if (m_tag & heap_flag) delete static_cast<std::string*>(ptr());
        set_inline({});
    }

    alignas(8) unsigned char m_raw[inline_capacity];  ///< inline bytes, or the heap pointer
    std::uint8_t m_len = 0;                           ///< inline string length
    std::uint8_t m_tag = 0;                           ///< ValueType, | heap_flag
};
static_assert(sizeof(Value) == 24);

/// Options of a Database.
/// Redis's maxmemory-policy: what a write that finds the databases over maxmemory evicts.
enum class MaxmemoryPolicy : std::uint8_t {
    noeviction,       ///< nothing: the write is refused (OOM)
    allkeys_lru,      ///< by the store's own order (`DatabaseOptions::eviction`: exact LRU)
    allkeys_lfu,      ///< the least frequently used of sampled keys (their LFU counters)
    allkeys_random,   ///< a random key
    volatile_lru,     ///< the longest idle of sampled keys with a TTL
    volatile_lfu,     ///< the least frequently used of sampled keys with a TTL
    volatile_random,  ///< a random key with a TTL
    volatile_ttl,     ///< the sampled key with a TTL nearest its expiry
};
/// True for the LFU policies (whose keys keep LFU counters rather than idle times).
[[nodiscard]] constexpr bool lfu_policy(MaxmemoryPolicy p) noexcept {
    return p == MaxmemoryPolicy::allkeys_lfu || p == MaxmemoryPolicy::volatile_lfu;
}
/// True for the LRU policies (whose keys keep idle times that an RDB file records).
[[nodiscard]] constexpr bool lru_policy(MaxmemoryPolicy p) noexcept {
    return p == MaxmemoryPolicy::allkeys_lru || p == MaxmemoryPolicy::volatile_lru;
}
/// The policy named as in redis.conf ("allkeys-lru", ...); nullopt for an unknown name.
[[nodiscard]] inline std::optional<MaxmemoryPolicy> parse_maxmemory_policy(std::string_view s) noexcept {
    static constexpr std::pair<std::string_view, MaxmemoryPolicy> names[] = {
        {"noeviction", MaxmemoryPolicy::noeviction},         {"allkeys-lru", MaxmemoryPolicy::allkeys_lru},
        {"allkeys-lfu", MaxmemoryPolicy::allkeys_lfu},       {"allkeys-random", MaxmemoryPolicy::allkeys_random},
        {"volatile-lru", MaxmemoryPolicy::volatile_lru},     {"volatile-lfu", MaxmemoryPolicy::volatile_lfu},
        {"volatile-random", MaxmemoryPolicy::volatile_random}, {"volatile-ttl", MaxmemoryPolicy::volatile_ttl}};
    for (const auto& [name, p] : names)
        if (name == s) return p;
    return std::nullopt;
}

struct DatabaseOptions {
    std::size_t databases = 16;  ///< numbered databases (SELECT 0 .. databases-1)
    std::size_t shards = 0;      ///< shards per database; 0 picks as StoreOptions does
    Eviction eviction = Eviction::lru;  ///< the order maxmemory's allkeys-lru evicts in
};

/// Redis's keyspace-event classes (notify-keyspace-events), as bits.
enum NotifyFlags : unsigned {
    notify_keyspace = 1u << 0,  // K
    notify_keyevent = 1u << 1,  // E
    notify_generic = 1u << 2,   // g
    notify_string = 1u << 3,    // $
    notify_list = 1u << 4,      // l
    notify_set = 1u << 5,       // s
    notify_hash = 1u << 6,      // h
    notify_zset = 1u << 7,      // z
    notify_expired = 1u << 8,   // x
    notify_evicted = 1u << 9,   // e
    notify_stream = 1u << 10,   // t
    notify_key_miss = 1u << 11, // m
    notify_module = 1u << 12,   // d
    notify_new = 1u << 13,      // n
    notify_all = notify_generic | notify_string | notify_list | notify_set | notify_hash |
                 notify_zset | notify_expired | notify_evicted | notify_stream | notify_module,
};

/// Parses Redis's notify-keyspace-events letters ("KEA", "Ex", ""); nullopt if a letter is
/// unknown.
[[nodiscard]] inline std::optional<unsigned> parse_notify_flags(std::string_view s) noexcept {
    unsigned f = 0;
    for (char c : s) {
        switch (c) {
            case 'A': f |= notify_all; break;
            case 'g': f |= notify_generic; break;
            case '$': f |= notify_string; break;
            case 'l': f |= notify_list; break;
            case 's': f |= notify_set; break;
            case 'h': f |= notify_hash; break;
            case 'z': f |= notify_zset; break;
            case 'x': f |= notify_expired; break;
            case 'e': f |= notify_evicted; break;
            case 'K': f |= notify_keyspace; break;
            case 'E': f |= notify_keyevent; break;
            case 't': f |= notify_stream; break;
            case 'm': f |= notify_key_miss; break;
            case 'd': f |= notify_module; break;
            case 'n': f |= notify_new; break;
            default: return std::nullopt;
        }
    }
    return f;
}

/// The letters CONFIG GET reports for `f`, as Redis's keyspaceEventsFlagsToString.
[[nodiscard]] inline std::string notify_flags_string(unsigned f) {
    std::string s;
    if ((f & notify_all) == notify_all) {
        s += 'A';
    } else {
        if (f & notify_generic) s += 'g';
        if (f & notify_string) s += '$';
        if (f & notify_list) s += 'l';
        if (f & notify_set) s += 's';
        if (f & notify_hash) s += 'h';
        if (f & notify_zset) s += 'z';
        if (f & notify_expired) s += 'x';
        if (f & notify_evicted) s += 'e';
        if (f & notify_stream) s += 't';
        if (f & notify_module) s += 'd';
        if (f & notify_new) s += 'n';  // Redis 7.0 reports it only here, not after 'A'
    }
    if (f & notify_keyspace) s += 'K';
    if (f & notify_keyevent) s += 'E';
    if (f & notify_key_miss) s += 'm';
    return s;
}

/// The class of a keyspace event, from its name (Redis's notifyKeyspaceEvent callers).
[[nodiscard]] inline unsigned notify_class(std::string_view event) noexcept {
    if (event == "expired") return notify_expired;
    if (event == "evicted") return notify_evicted;
    if (event == "new") return notify_new;
    if (event == "keymiss") return notify_key_miss;
    if (event == "set" || event == "setrange" || event == "incrby" || event == "incrbyfloat" ||
        event == "append" || event == "pfadd" || event == "setbit")  // HyperLogLogs are strings (PFADD, PFMERGE)
        return notify_string;
    if (event.starts_with("l") || event.starts_with("rp") || event == "linsert" || event == "sortstore")
        return notify_list;
    if (event.starts_with("h")) return notify_hash;
    if (event.starts_with("z") || event == "georadiusstore" || event == "geosearchstore") return notify_zset;
    if (event == "sadd" || event == "srem" || event == "spop" || event == "sinterstore" ||
        event == "sunionstore" || event == "sdiffstore")
        return notify_set;
    return notify_generic;
}

template <Clock C>
class BasicDatabase;

namespace detail {

/// Keyspace-event control for the operations whose events Redis names or orders differently
/// from what the store announces on its own. Thread-local: the store announces on the thread of
/// the operation, after its lock is released but before the operation returns.
/// `t_self_announcing`: the store's write and `del` announcements are not published (WATCH still
/// sees them); the operation publishes its events itself, in Redis's order (MSET, MSETNX,
/// RENAME, COPY, MOVE, FLUSHDB). `t_silent_persist`: a TTL cleared by an overwrite is not a
/// `persist` event (Redis's setKey clears it silently).
inline thread_local int t_self_announcing = 0;
inline thread_local int t_silent_persist = 0;
struct ThreadFlag {
    int& flag;
    explicit ThreadFlag(int& f) noexcept : flag(f) { ++flag; }
    ~ThreadFlag() { --flag; }
    ThreadFlag(const ThreadFlag&) = delete;
    ThreadFlag& operator=(const ThreadFlag&) = delete;
};

/// How a Database backend finds a container in a `Value`: a key of another type throws
/// `WrongTypeError`.
template <class Container>
struct ValueTraits {
    using container_type = Container;
    using value_type = Value;
    using hasher = StringKeyHash;
    using key_equal = std::equal_to<>;
    static Container* as(Value& v) {
        if (Container* c = v.get_if<Container>()) return c;
        throw WrongTypeError();
    }
    static const Container* as(const Value& v) {
        if (const Container* c = v.get_if<Container>()) return c;
        throw WrongTypeError();
    }
    static Container* try_as(Value& v) noexcept { return v.get_if<Container>(); }
    static const Container* try_as(const Value& v) noexcept { return v.get_if<Container>(); }
    static Value make(Container&& c) { return Value(std::move(c)); }
    static bool is_empty(const Value& v) noexcept { return v.empty_container(); }
    [[noreturn]] static void wrong_type() { throw WrongTypeError(); }
};

}  // namespace detail

/// A database's nodes are pooled (see `node_pooling`): keys up to 31 bytes are inline in the
/// KeyString and strings up to 22 bytes in the Value, so the usual node owns no heap memory and
/// gains from the pool's dense huge pages.
template <>
struct node_pooling<KeyString, Value> : std::true_type {};
/// A database's time can be frozen (`BasicDatabase::freeze_time`), for scripts and EXEC.
template <>
struct time_freezing<KeyString, Value> : std::true_type {};

/// One numbered database: a keyspace of Redis values and its typed views.
template <Clock C = SteadyClock>
class RedisDb {
public:
    using keyspace_type = Keyspace<KeyString, Value, StringKeyHash, std::equal_to<>, C, SpinMutex>;
    using list_registry = detail::WaitRegistry<std::string, RedisList, StringKeyHash, std::equal_to<>>;
    using zset_registry = detail::WaitRegistry<std::string, RedisZSet, StringKeyHash, std::equal_to<>>;

private:
    /// A keyed-store backend over this database: enters the transaction gate around each
    /// operation.
    template <class Container>
    class Backend
        : public detail::KeyspaceBackend<keyspace_type, detail::ValueTraits<Container>, std::string> {
        using Base = detail::KeyspaceBackend<keyspace_type, detail::ValueTraits<Container>, std::string>;

    public:
        using mutex_type = SpinMutex;
        Backend(RedisDb& db, typename Base::registry_type& waiters)
            : Base(db.m_keyspace, waiters), m_gate(db.m_gate), m_owner(&db.m_owner), m_db(&db) {}
        template <class F>
        auto read(const std::string& key, F&& f) {
            detail::ExecGate::Shared g(*m_gate);
            return Base::read(key, std::forward<F>(f));
        }
        /// Inside EXEC, blocked clients are served when the transaction ends, not by the
        /// write (see BasicDatabase::exclusive).
        template <class F>
        auto write(const std::string& key, F&& f) {
            detail::ExecGate::Shared g(*m_gate);
            if (auto* ready = m_owner->ready_keys(); CACHET_UNLIKELY(ready != nullptr)) {
                if (this->waiters().has_waiters()) ready->emplace_back(m_db, key);
                return Base::write(key, std::forward<F>(f), false);
            }
            return Base::write(key, std::forward<F>(f));
        }
        template <class F>
        auto write_many(std::span<const std::string> keys, F&& f) {
            detail::ExecGate::Shared g(*m_gate);
            if (auto* ready = m_owner->ready_keys(); CACHET_UNLIKELY(ready != nullptr)) {
                if (this->waiters().has_waiters())
                    for (const auto& k : keys) ready->emplace_back(m_db, k);
                return Base::write_many(keys, std::forward<F>(f), false);
            }
            return Base::write_many(keys, std::forward<F>(f));
        }
        /// Called by the hash view before it writes `v` to field `f` of `h` (`adding`: a new
        /// field), under the key's lock: follows Redis's encoding of the hash.
        template <class W>
            requires std::is_same_v<Container, RedisHash>
        void note_field_write(RedisHash& h, std::string_view f, const W& v, bool adding) const {
            m_owner->note_hash_write(h, f.size(), std::string_view(v).size(), adding);
        }
        /// Called by the set view before it adds `m` to `s` (which may hold it already), and
        /// with each set a *STORE builds, under the keys' locks: follows Redis's encoding.
        template <class M>
            requires std::is_same_v<Container, RedisSet>
        void note_member_add(RedisSet& s, const M& m) const {
            m_owner->note_set_add(s, std::string_view(m));
        }
        void note_set_built(RedisSet& s) const
            requires std::is_same_v<Container, RedisSet>
        {
            m_owner->note_set_built(s);
        }

    private:
        detail::ExecGate* m_gate;
        BasicDatabase<C>* m_owner;
        RedisDb* m_db;
    };

public:
    using list_view = BasicListStore<Backend<RedisList>>;
    using hash_view = BasicHashStore<Backend<RedisHash>>;
    using set_view = BasicSetStore<Backend<RedisSet>>;
    using zset_view = BasicZSetStore<Backend<RedisZSet>>;

    /// The result of a SET with options.
    struct SetResult {
        bool written = false;             ///< false when NX/XX prevented it
        std::optional<std::string> old;   ///< the previous value, when asked for (GET)
    };
    /// How SET treats an existing key and its TTL.
    struct SetOptions {
        enum class When : std::uint8_t { always, if_absent, if_present } when = When::always;
        /// Absolute deadline in ms of the store's clock; `no_deadline` for none.
        std::uint64_t deadline = no_deadline;
        bool keep_ttl = false;  ///< KEEPTTL: an existing key keeps its TTL
        bool get = false;       ///< return the old value (WRONGTYPE if it is not a string)
    };

    RedisDb(BasicDatabase<C>& owner, int index, const DatabaseOptions& o, C clock)
        : m_owner(owner), m_index(index), m_gate(&owner.m_gate),
          m_keyspace(make_options(o), std::move(clock)),
          m_lists(std::in_place, *this, m_list_waiters),
          m_hashes(std::in_place, *this, m_hash_waiters),
          m_sets(std::in_place, *this, m_set_waiters),
          m_zsets(std::in_place, *this, m_zset_waiters) {}
    RedisDb(const RedisDb&) = delete;
    RedisDb& operator=(const RedisDb&) = delete;

    [[nodiscard]] int index() const noexcept { return m_index; }
    [[nodiscard]] keyspace_type& keyspace() noexcept { return m_keyspace; }
    [[nodiscard]] list_view& lists() noexcept { return m_lists; }
    [[nodiscard]] hash_view& hashes() noexcept { return m_hashes; }
    [[nodiscard]] set_view& sets() noexcept { return m_sets; }
    [[nodiscard]] zset_view& zsets() noexcept { return m_zsets; }
    [[nodiscard]] list_registry& list_waiters() noexcept { return m_list_waiters; }
    [[nodiscard]] zset_registry& zset_waiters() noexcept { return m_zset_waiters; }
    [[nodiscard]] BasicDatabase<C>& owner() noexcept { return m_owner; }
    /// The store's current time in ms of its clock.
    [[nodiscard]] std::uint64_t now_ms() const noexcept { return m_keyspace.now_ms(); }

    // ------------------------------------------------------------------ strings

    /// GET: the string at `key`, nullopt if absent. Throws WrongTypeError. Counts a hit/miss.
    [[nodiscard]] std::optional<std::string> get(std::string_view key) {
        return read_string(key, [](std::string_view s) { return std::string(s); });
    }
    /// `f(std::string_view)` on the string at `key` under its lock, returning
    /// optional<result>; nullopt if absent. Throws WrongTypeError. Counts a hit or miss.
    template <class F>
    auto read_string(std::string_view key, F&& f) {
        detail::ExecGate::Shared g(*m_gate);
        using R = std::invoke_result_t<F&, std::string_view>;
        std::optional<R> out;
        bool wrong = false;
        m_keyspace.read(key, [&](const KeyString&, const Value& v) {
            if (const auto s = v.string_if()) out.emplace(f(*s));
            else wrong = true;
        });
        if (wrong) throw WrongTypeError();
        return out;
    }

    /// SET with NX/XX, EX/PX/EXAT/PXAT (as an absolute deadline), KEEPTTL and GET. The old
    /// value of any type is replaced (GET: WRONGTYPE if it is not a string, and nothing is
    /// written). With GET, counts a hit or miss as GET does.
    SetResult set(std::string_view key, std::string value, const SetOptions& o = {}) {
        detail::ExecGate::Shared g(*m_gate);
        detail::ThreadFlag silent_persist(detail::t_silent_persist);
        return m_keyspace.access(key, [&](auto& slot) {
            SetResult r;
            const bool exists = slot.exists();
            if (o.get) slot.count_lookup();  // GET reads first (Redis's lookupKeyRead)
            if (o.get && exists) {
                const auto s = slot.cvalue().string_if();
                if (!s) throw WrongTypeError();
                r.old = std::string(*s);
            }
            if ((o.when == SetOptions::When::if_absent && exists) ||
                (o.when == SetOptions::When::if_present && !exists))
                return r;
            slot.emplace(std::move(value));
            slot.name_update("set");
            if (o.deadline != no_deadline) slot.set_deadline_ms(o.deadline);
            else if (!(o.keep_ttl && exists)) slot.persist();
            r.written = true;
            return r;
        });
    }

    /// MSET (`nx` false) / MSETNX (`nx` true): all pairs set atomically, or (MSETNX) none if
    /// any key exists. Returns whether they were set. TTLs are cleared.
    bool mset(std::span<const std::pair<std::string, std::string>> pairs, bool nx = false) {
        detail::ExecGate::Shared g(*m_gate);
        std::vector<std::string> keys;
        keys.reserve(pairs.size());
        for (const auto& p : pairs) keys.push_back(p.first);
        bool done;
        std::vector<bool> created(pairs.size());
        {
            detail::ThreadFlag self(detail::t_self_announcing);
            done = m_keyspace.access_many(std::span<const std::string>(keys), [&](auto& slots) {
                if (nx)
                    for (std::size_t i = 0; i < slots.size(); ++i)
                        if (slots[i].exists()) return false;
                for (std::size_t i = 0; i < slots.size(); ++i) {
                    created[i] = !slots[i].exists();  // a repeated key shares its slot
                    slots[i].emplace(pairs[i].second);  // later duplicates win, as in Redis
                    slots[i].name_update("set");
                    slots[i].persist();
                }
                return true;
            });
        }
        if (done)  // one event per pair, a repeated key included, each new key's "new" first
            for (std::size_t i = 0; i < pairs.size(); ++i) {
                if (created[i]) m_owner.notify(m_index, "new", pairs[i].first);
                m_owner.notify(m_index, "set", pairs[i].first);
            }
        return done;
    }

    /// INCRBY / DECRBY on a string holding a 64-bit integer (absent: 0). Errors as Redis:
    /// `Errc::invalid_argument` "value is not an integer or out of range", `Errc::overflow`
    /// "increment or decrement would overflow". Keeps the TTL.
    Result<long long> incr_by(std::string_view key, long long delta) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [&](auto& slot) -> Result<long long> {
            long long cur = 0;
            if (slot.exists()) {
                const auto s = slot.cvalue().string_if();
                if (!s) throw WrongTypeError();
                if (!detail::string2ll(*s, cur)) return Errc::invalid_argument;
            }
            long long next;
            if (__builtin_add_overflow(cur, delta, &next)) return Errc::overflow;
            std::string text = std::to_string(next);
            if (slot.exists()) slot.value().assign_string(text);
            else slot.emplace(std::move(text));
            slot.name_update("incrby");
            return next;
        });
    }

    /// INCRBYFLOAT: the new value as Redis formats it, or `Errc::invalid_argument` ("value is
    /// not a valid float") or `Errc::overflow` ("increment would produce NaN or Infinity").
    Result<std::string> incr_by_float(std::string_view key, long double delta) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [&](auto& slot) -> Result<std::string> {
            long double cur = 0;
            if (slot.exists()) {
                const auto s = slot.cvalue().string_if();
                if (!s) throw WrongTypeError();
                if (!detail::string2ld(*s, cur)) return Errc::invalid_argument;
            }
            const long double next = cur + delta;
            if (std::isnan(next) || std::isinf(next)) return Errc::overflow;
            std::string text = detail::format_long_double_human(next);
            if (slot.exists()) slot.value().assign_string(text);
            else slot.emplace(text);
            slot.value().mark_text();  // as Redis: never int-encoded
            slot.name_update("incrbyfloat");
            return text;
        });
    }

    /// APPEND: the new length. `max_len` bounds the result (proto-max-bulk-len): longer is
    /// `Errc::too_heavy` ("string exceeds maximum allowed size").
    Result<std::size_t> append(std::string_view key, std::string_view tail,
                               std::size_t max_len = std::size_t{512} << 20) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [&](auto& slot) -> Result<std::size_t> {
            if (!slot.exists()) {
                if (tail.size() > max_len) return Errc::too_heavy;
                slot.emplace(std::string(tail));
                slot.name_update("append");
                return tail.size();
            }
            const auto cur = slot.cvalue().string_if();
            if (!cur) throw WrongTypeError();
            if (cur->size() + tail.size() > max_len) return Errc::too_heavy;
            std::string& s = slot.value().mutable_string();
            s.append(tail);
            slot.name_update("append");
            return s.size();
        });
    }

    /// SETRANGE: overwrite from `offset` (zero-padding), the new length. An absent key with an
    /// empty `text` stays absent (returns 0). Errc::too_heavy past `max_len`.
    Result<std::size_t> set_range(std::string_view key, std::size_t offset, std::string_view text,
                                  std::size_t max_len = std::size_t{512} << 20) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [&](auto& slot) -> Result<std::size_t> {
            std::optional<std::string_view> cur;
            if (slot.exists()) {
                cur = slot.cvalue().string_if();
                if (!cur) throw WrongTypeError();
            }
            const std::size_t len = cur ? cur->size() : 0;
            if (text.empty()) return len;
            if (offset + text.size() > max_len) return Errc::too_heavy;
            if (!cur) slot.emplace(std::string());
            std::string& s = slot.value().mutable_string();
            if (s.size() < offset + text.size()) s.resize(offset + text.size(), '\0');
            s.replace(offset, text.size(), text);
            slot.name_update("setrange");
            return s.size();
        });
    }

    /// GETDEL: the string, removed. nullopt if absent. Counts a hit or miss.
    std::optional<std::string> get_and_delete(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [&](auto& slot) -> std::optional<std::string> {
            slot.count_lookup();
            if (!slot.exists()) return std::nullopt;
            const auto s = slot.cvalue().string_if();
            if (!s) throw WrongTypeError();
            std::string out(*s);
            slot.erase();
            return out;
        });
    }

    /// GETEX: the string, and its TTL changed: `deadline` (ms of the store's clock) set, or
    /// `persist` to remove it, or neither to leave it. A deadline already passed deletes the
    /// key (Redis reports that as `del`). Counts a hit or miss.
    std::optional<std::string> get_and_touch(std::string_view key,
                                             std::optional<std::uint64_t> deadline, bool persist) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [&](auto& slot) -> std::optional<std::string> {
            slot.count_lookup();
            if (!slot.exists()) return std::nullopt;
            const auto s = slot.cvalue().string_if();
            if (!s) throw WrongTypeError();
            std::string out(*s);
            if (deadline) {
                if (*deadline <= slot.now_ms()) slot.erase();
                else slot.set_deadline_ms(*deadline);
            } else if (persist && slot.deadline_ms() != no_deadline) {
                slot.persist();
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ keys

    /// The type of `key`'s value, nullopt if absent. A peek.
    [[nodiscard]] std::optional<ValueType> type(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [](auto& slot) -> std::optional<ValueType> {
            if (!slot.exists()) return std::nullopt;
            return slot.cvalue().type();
        });
    }
    /// `f(const Value*)` with `key`'s value, or nullptr if it has none, under the key's lock. A
    /// peek, as `type`: not counted as a hit or miss. `f` must not call into the database.
    template <class F>
    auto peek(std::string_view key, F&& f) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [&](auto& slot) {
            return f(slot.exists() ? &slot.cvalue() : static_cast<const Value*>(nullptr));
        });
    }
    /// `f(const Value*)` with `key`'s value, or nullptr if it has none, under the key's lock,
    /// counted as Redis's lookupKeyRead counts it: a hit or a miss (with its keymiss event),
    /// and an access for the key's access record (OBJECT IDLETIME / FREQ). For reads the
    /// Database has no method for (DUMP, LCS, PFMERGE's sources). `f` must not call into the
    /// database.
    template <class F>
    auto lookup(std::string_view key, F&& f) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [&](auto& slot) {
            slot.count_lookup();
            return f(slot.exists() ? &slot.cvalue() : static_cast<const Value*>(nullptr));
        });
    }
    /// `f(slot)` on `key`'s keyspace slot (see Keyspace::access) under its lock, inside the
    /// transaction gate: for a command the Database has no method for (PFADD, PFMERGE). Not
    /// counted as a hit or miss. `f` must not call into the database.
    template <class F>
    auto update(std::string_view key, F&& f) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, std::forward<F>(f));
    }
    /// MEMORY USAGE: the bytes `key` and its value take by the store's estimate (the weight
    /// maxmemory counts), or nullopt if the key is absent. A peek. O(1): containers are
    /// estimated from their element count (see Value::memory_estimate).
    [[nodiscard]] std::optional<std::uint64_t> memory_usage(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [](auto& slot) -> std::optional<std::uint64_t> {
            if (!slot.exists()) return std::nullopt;
            return key_memory(slot.key(), slot.cvalue());
        });
    }
    /// The estimate of what one key costs: its entry (~96 bytes with links and TTL), its name
    /// when too long for the key's inline buffer, and its value.
    [[nodiscard]] static std::uint64_t key_memory(const KeyString& k, const Value& v) noexcept {
        return 96 + k.heap_bytes() + v.memory_estimate();
    }
    /// Counts a lookup of `key` that a peek made (`exists`, `type`, `pttl`, ...) in
    /// keyspace_hits/misses, as Redis counts its lookups for reading (TYPE, EXISTS, TTL, ...);
    /// a miss is also a `keymiss` event (class 'm') unless `announce` is false (OBJECT's).
    void count_lookup(std::string_view key, bool found, bool announce = true) {
        m_keyspace.count_lookup(key, found, announce);
    }
    /// OBJECT IDLETIME: seconds since `key` was last accessed (read or written; not by peeks
    /// such as TYPE, EXISTS, TTL, OBJECT), nullopt if absent. Meaningful while the database
    /// tracks access times (`BasicDatabase::set_access_tracking`, by default). A peek.
    [[nodiscard]] std::optional<std::uint64_t> idle_seconds(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        const auto ms = m_keyspace.idle_ms(key);
        if (!ms) return std::nullopt;
        return *ms / 1000;
    }
    /// OBJECT FREQ: `key`'s logarithmic access counter (0-255, decayed to now), nullopt if
    /// absent. Meaningful while the database tracks frequencies (an LFU maxmemory-policy). A
    /// peek.
    [[nodiscard]] std::optional<unsigned> access_frequency(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access_frequency(key);
    }
    /// TOUCH for one key: true if it exists; counted as a lookup (`count_lookup`) and an
    /// access (its idle time restarts, its frequency counter steps).
    bool touch(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [](auto& slot) {
            slot.count_lookup();
            return slot.exists();
        });
    }
    /// EXISTS for one key (a peek).
    [[nodiscard]] bool exists(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.contains(key);
    }
    /// EXISTS for one key: `exists`, counted as a lookup (`count_lookup`).
    [[nodiscard]] bool read_exists(std::string_view key) {
        const bool found = exists(key);
        count_lookup(key, found);
        return found;
    }
    /// DEL / UNLINK of one key: true if it existed.
    bool del(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.erase(key);
    }

    /// EXPIRE family: sets the deadline of `key` to `deadline` (ms of the store's clock) under
    /// Redis's NX / XX / GT / LT conditions (a key without TTL counts as infinite for GT/LT).
    /// Returns false if the key is absent or the condition fails. A deadline at or before now
    /// deletes the key (as Redis, which reports it as `del`). `also_xx`: XX given with GT or LT
    /// (both conditions must hold).
    enum class ExpireCond : std::uint8_t { always, nx, xx, gt, lt };
    bool expire_at(std::string_view key, std::uint64_t deadline, ExpireCond cond = ExpireCond::always,
                   bool also_xx = false) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [&](auto& slot) {
            if (!slot.exists()) return false;
            const std::uint64_t cur = slot.deadline_ms();
            if (also_xx && cur == no_deadline) return false;
            switch (cond) {
                case ExpireCond::always: break;
                case ExpireCond::nx: if (cur != no_deadline) return false; break;
                case ExpireCond::xx: if (cur == no_deadline) return false; break;
                case ExpireCond::gt: if (cur == no_deadline || deadline <= cur) return false; break;
                case ExpireCond::lt: if (cur != no_deadline && deadline >= cur) return false; break;
            }
            if (deadline <= slot.now_ms()) slot.erase();
            else slot.set_deadline_ms(deadline);
            return true;
        });
    }
    /// PERSIST: true if a TTL was removed.
    bool persist(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [](auto& slot) {
            if (!slot.exists() || slot.deadline_ms() == no_deadline) return false;
            slot.persist();
            return true;
        });
    }
    /// The deadline of `key` in ms of the store's clock: nullopt if absent, `no_deadline` if
    /// it has none. A peek.
    [[nodiscard]] std::optional<std::uint64_t> deadline(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [](auto& slot) -> std::optional<std::uint64_t> {
            if (!slot.exists()) return std::nullopt;
            return slot.deadline_ms();
        });
    }
    /// PTTL's value: -2 absent, -1 no TTL, else ms left (at least 0). Measured on the clock,
    /// not on a frozen time: inside a script or EXEC, a key past its deadline still exists and
    /// has 0 left, as Redis 7.0's ttlGenericCommand (mstime) reports it.
    [[nodiscard]] long long pttl(std::string_view key) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.access(key, [this](auto& slot) -> long long {
            if (!slot.exists()) return -2;
            if (slot.deadline_ms() == no_deadline) return -1;
            const std::uint64_t d = slot.deadline_ms(), now = m_keyspace.clock_ms();
            return d > now ? static_cast<long long>(d - now) : 0;
        });
    }

    /// RENAME (`nx` false) / RENAMENX: moves the value and its TTL from `src` to `dst`,
    /// replacing what `dst` held (any type). Returns `Errc::not_found` if `src` is absent;
    /// for RENAMENX, false if `dst` exists. Atomic across the two keys.
    Result<bool> rename(const std::string& src, const std::string& dst, bool nx = false) {
        detail::ExecGate::Shared g(*m_gate);
        const std::string keys[2] = {src, dst};
        std::optional<detail::ThreadFlag> self(std::in_place, detail::t_self_announcing);
        auto r = m_keyspace.access_many(std::span<const std::string>(keys, 2),
                                        [&](auto& slots) -> Result<bool> {
            if (!slots[0].exists()) return Errc::not_found;
            if (&slots[0] == &slots[1]) return !nx;  // same key: nothing to do
            if (nx && slots[1].exists()) return false;
            const std::uint64_t d = slots[0].deadline_ms();
            const std::uint32_t record = slots[0].access_record();
            slots[1].emplace(std::move(slots[0].value()));
            slots[1].name_update("rename_to");
            carry_access_record(slots[1], record);
            if (d == no_deadline) slots[1].persist();
            else slots[1].set_deadline_ms(d);
            slots[0].erase();
            return true;
        });
        self.reset();
        if (r && *r && src != dst) {
            // Redis's events: new (dst is deleted and added, even if it existed), rename_from,
            // rename_to (no del, no expire)
            m_owner.notify(m_index, "new", dst);
            m_owner.notify(m_index, "rename_from", src);
            m_owner.notify(m_index, "rename_to", dst);
            serve_blocked(dst);
        }
        return r;
    }

    /// COPY `src` to `dst` in database `to` (possibly this one): false if `src` is absent or
    /// `dst` exists and `replace` is false. The copy keeps the TTL.
    bool copy(const std::string& src, RedisDb& to, const std::string& dst, bool replace) {
        detail::ExecGate::Shared g(*m_gate);
        std::optional<std::pair<Value, std::uint64_t>> v = m_keyspace.access(
            src, [](auto& slot) -> std::optional<std::pair<Value, std::uint64_t>> {
                slot.count_lookup();  // Redis reads the source with lookupKeyRead
                if (!slot.exists()) return std::nullopt;
                return std::pair<Value, std::uint64_t>(slot.cvalue(), slot.deadline_ms());
            });
        if (!v) return false;
        if (v->first.type() == ValueType::string) v->first.mark_unshared();  // a new object
        bool done;
        {
            detail::ThreadFlag self(detail::t_self_announcing);
            done = to.m_keyspace.access(dst, [&](auto& slot) {
                if (slot.exists() && !replace) return false;
                slot.emplace(std::move(v->first));
                slot.name_update("copy_to");
                if (v->second == no_deadline) slot.persist();
                else slot.set_deadline_ms(v->second);
                return true;
            });
        }
        if (done) {  // Redis's events: new (dst is added, replaced or not), copy_to (no expire)
            m_owner.notify(to.m_index, "new", dst);
            m_owner.notify(to.m_index, "copy_to", dst);
            to.serve_blocked(dst);
        }
        return done;
    }

    /// RESTORE (and loading an RDB file): `key` becomes `v` with `deadline` (ms of the stores'
    /// clock, or `no_deadline`), atomically; false if the key exists and not `replace`.
    /// Announces "restore" and serves clients blocked on the key. O(1) plus the old value's
    /// destruction.
    /// `idle_s` and `freq` (RESTORE's IDLETIME and FREQ, an RDB file's idle and frequency
    /// records) set the key's access record, each only under the matching tracking (Redis's
    /// objectSetLRUOrLFU).
    bool restore(const std::string& key, Value v, std::uint64_t deadline, bool replace,
                 std::optional<long long> idle_s = std::nullopt,
                 std::optional<unsigned> freq = std::nullopt) {
        detail::ExecGate::Shared g(*m_gate);
        bool done;
        {
            detail::ThreadFlag self(detail::t_self_announcing);
            done = m_keyspace.access(key, [&](auto& slot) {
                if (slot.exists() && !replace) return false;
                slot.emplace(std::move(v));
                slot.name_update("restore");
                if (freq) slot.set_access_count(*freq);
                if (idle_s) slot.set_idle_time(std::chrono::seconds(*idle_s));
                if (deadline == no_deadline) slot.persist();
                else slot.set_deadline_ms(deadline);
                return true;
            });
        }
        if (done) {  // Redis's events: new (the key is added, replaced or not), restore
            m_owner.notify(m_index, "new", key);
            m_owner.notify(m_index, "restore", key);
            serve_blocked(key);
        }
        return done;
    }

    /// MOVE `key` to database `to`: false if absent here or present there.
    bool move(const std::string& key, RedisDb& to) {
        if (&to == this) return false;
        detail::ExecGate::Shared g(*m_gate);
        std::optional<detail::ThreadFlag> self(std::in_place, detail::t_self_announcing);
        std::uint32_t record = 0;
        std::optional<std::pair<Value, std::uint64_t>> v = m_keyspace.access(
            key, [&](auto& slot) -> std::optional<std::pair<Value, std::uint64_t>> {
                if (!slot.exists() || to.m_keyspace.contains(key)) return std::nullopt;
                record = slot.access_record();
                std::pair<Value, std::uint64_t> out(std::move(slot.value()), slot.deadline_ms());
                slot.erase();
                return out;
            });
        if (!v) return false;
        to.m_keyspace.access(key, [&](auto& slot) {
            slot.emplace(std::move(v->first));
            slot.name_update("move_to");
            carry_access_record(slot, record);
            if (v->second == no_deadline) slot.persist();
            else slot.set_deadline_ms(v->second);
        });
        self.reset();
        m_owner.notify(to.m_index, "new", key);  // Redis's events: new, move_from, move_to
        m_owner.notify(m_index, "move_from", key);
        m_owner.notify(to.m_index, "move_to", key);
        to.serve_blocked(key);
        return true;
    }

    /// Serves clients blocked on `key` if it now holds a non-empty list or sorted set (after a
    /// write that did not go through a typed view: RENAME, COPY, MOVE).
    void serve_blocked(const std::string& key) {
        if (m_list_waiters.has_waiters()) m_lists.backend().write(key, [](auto&) {});
        if (m_zset_waiters.has_waiters()) m_zsets.backend().write(key, [](auto&) {});
    }

    /// One SCAN step: `f(key)` for live keys matching `pattern` (glob, empty for all) and of
    /// `type` (if given); returns the next cursor (0: done).
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, std::size_t count, std::string_view pattern,
                       std::optional<ValueType> type, F&& f) {
        detail::ExecGate::Shared g(*m_gate);
        return m_keyspace.scan(cursor, std::max<std::size_t>(count, 1),
                               [&](const KeyString& k, const Value& v) {
                                   if (type && v.type() != *type) return;
                                   if (!pattern.empty() && !detail::glob_match(pattern, k)) return;
                                   f(k.view());
                               });
    }
    /// KEYS: every live key matching `pattern`.
    [[nodiscard]] std::vector<std::string> keys(std::string_view pattern) {
        detail::ExecGate::Shared g(*m_gate);
        std::vector<std::string> out;
        const bool all = pattern == "*";
        m_keyspace.for_each([&](const KeyString& k, const Value&) {
            if (all || detail::glob_match(pattern, k)) out.emplace_back(k);
        });
        return out;
    }
    /// `f(key, value, deadline)` for every live key (deadline: ms of the stores' clock, or
    /// `no_deadline`), or `f(key, value, deadline, AccessSnapshot)` with the key's access
    /// record (`BasicDatabase::set_access_tracking`), each shard seen at one instant (see
    /// Keyspace::for_each); under BasicDatabase::exclusive, the whole database at one instant
    /// (SAVE, a replica's sync). Not accesses.
    template <class F>
    void for_each(F&& f) const {
        detail::ExecGate::Shared g(*m_gate);
        if constexpr (std::is_invocable_v<F&, std::string_view, const Value&, std::uint64_t, AccessSnapshot>)
            m_keyspace.for_each([&](const KeyString& k, const Value& v, std::uint64_t deadline,
                                    AccessSnapshot a) { f(k.view(), v, deadline, a); });
        else
            m_keyspace.for_each([&](const KeyString& k, const Value& v, std::uint64_t deadline) {
                f(k.view(), v, deadline);
            });
    }
    /// RANDOMKEY.
    [[nodiscard]] std::optional<std::string> random_key() {
        detail::ExecGate::Shared g(*m_gate);
        std::optional<KeyString> k = m_keyspace.random_key(detail::random_u64);
        if (!k) return std::nullopt;
        return k->str();
    }
    /// DBSIZE (expired keys not yet reclaimed included, as Redis's).
    [[nodiscard]] std::size_t size() const noexcept { return m_keyspace.size(); }
    /// Keys with a TTL (INFO keyspace's expires=). O(shards).
    [[nodiscard]] std::size_t keys_with_ttl() const { return m_keyspace.expiring_count(); }
    /// INFO keyspace's avg_ttl: the mean TTL left of keys that have one, in ms, estimated from
    /// a random sample of them (0 when there are none). O(samples).
    [[nodiscard]] std::uint64_t average_ttl_ms() const {
        if (keys_with_ttl() == 0) return 0;
        return m_keyspace.sample_average_ttl_ms(detail::random_u64);
    }
    /// FLUSHDB.
    void flush() {
        detail::ExecGate::Shared g(*m_gate);
        detail::ThreadFlag self(detail::t_self_announcing);  // Redis sends no per-key event
        m_keyspace.clear();
    }

private:
    template <Clock>
    friend class BasicDatabase;

    /// Redis's RENAME and MOVE keep the object, and with it its LFU counter; its idle time
    /// restarts either way (the lookup touched it), as a new entry's does.
    template <class Slot>
    void carry_access_record(Slot& to, std::uint32_t record) const noexcept {
        if (m_keyspace.access_tracking() == AccessTracking::frequency) to.set_access_record(record);
    }

    StoreOptions<KeyString, Value> make_options(const DatabaseOptions& o) {
        StoreOptions<KeyString, Value> so;
        so.shards = o.shards;
        so.eviction = o.eviction;
        // Bounded by weight so the eviction policy keeps its order, with a bound no store
        // reaches: maxmemory is enforced store-wide by evict_to_weight, never per shard.
        so.max_weight = std::numeric_limits<std::uint64_t>::max() / 4;
        so.weigher = [](const KeyString& k, const Value& v) { return key_memory(k, v); };
        so.removal_listener = [this](const KeyString& k, const Value&, RemovalCause cause) {
            m_owner.on_removed(m_index, k, cause);
        };
        so.report_replaced = false;  // an overwrite is announced (and WATCH touched) as a write
        so.write_listener = [this](const KeyString& k, WriteEvent e, std::string_view name) {
            m_owner.on_written(m_index, k, e, name);
        };
        so.miss_listener = [this](const KeyString& k) { m_owner.notify(m_index, "keymiss", k); };
        return so;
    }

    BasicDatabase<C>& m_owner;
    int m_index;
    detail::ExecGate* m_gate;
    keyspace_type m_keyspace;
    list_registry m_list_waiters;
    zset_registry m_zset_waiters;
    detail::WaitRegistry<std::string, RedisHash, StringKeyHash, std::equal_to<>> m_hash_waiters;
    detail::WaitRegistry<std::string, RedisSet, StringKeyHash, std::equal_to<>> m_set_waiters;
    list_view m_lists;
    hash_view m_hashes;
    set_view m_sets;
    zset_view m_zsets;
};

/// A client's WATCH state: set dirty when a watched key changes.
struct WatchState {
    std::atomic<bool> dirty{false};
};

/// Redis's whole keyspace: numbered databases, the pub/sub bus, transactions and WATCH,
/// keyspace notifications, maxmemory.
template <Clock C = SteadyClock>
class BasicDatabase {
public:
    using db_type = RedisDb<C>;
    using clock_type = C;

    /// Throws std::invalid_argument if `databases` is 0.
    explicit BasicDatabase(DatabaseOptions options = {}, C clock = C{}) : m_options(options) {
        if (options.databases == 0)
            throw std::invalid_argument("cachet::Database: needs at least one database");
        m_dbs.reserve(options.databases);
        for (std::size_t i = 0; i < options.databases; ++i)
            m_dbs.push_back(std::make_unique<db_type>(*this, static_cast<int>(i), options, clock));
        const auto sys = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        m_wall_offset_ms = static_cast<long long>(sys) - static_cast<long long>(m_dbs[0]->now_ms());
        refresh_write_events();  // nobody listens yet
        update_lru_tracking();
        set_access_tracking(AccessTracking::last_access);
    }
    BasicDatabase(const BasicDatabase&) = delete;
    BasicDatabase& operator=(const BasicDatabase&) = delete;

    /// Database number `i`. Precondition: `i < databases()`.
    [[nodiscard]] db_type& db(std::size_t i = 0) noexcept { return *m_dbs[i]; }
    [[nodiscard]] std::size_t databases() const noexcept { return m_dbs.size(); }
    /// The bus PUBLISH and keyspace notifications go through; the program may use it too.
    [[nodiscard]] PubSubBus<std::string>& bus() noexcept { return m_bus; }
    /// The bus of shard channels (Redis 7's sharded pub/sub: SSUBSCRIBE, SPUBLISH), a
    /// namespace apart from `bus()`'s channels; the embedding program may use it too.
    [[nodiscard]] PubSubBus<std::string>& shard_bus() noexcept { return m_shard_bus; }

    /// Holds the time of every database still for the calling thread until the returned guard
    /// is destroyed: no key expires meanwhile, TTLs set meanwhile count from the frozen time,
    /// and PTTL still reads the clock. Redis's time snapshot: a script and a MULTI/EXEC
    /// transaction see keys as they were at their start (Redis 7.0's keyIsExpired). Nested calls
    /// keep the outermost time. O(1).
    [[nodiscard]] FrozenTime<C> freeze_time() const noexcept { return FrozenTime<C>(m_dbs[0]->now_ms()); }

    /// Unix time in ms, on the stores' clock (wall time when the database was made, plus
    /// the clock's progress since): what EXPIREAT and EXPIRETIME convert with.
    [[nodiscard]] long long unix_ms() const noexcept {
        return m_wall_offset_ms + static_cast<long long>(m_dbs[0]->now_ms());
    }
    /// The deadline on the stores' clock of a Unix time in ms (clamped at 0).
    [[nodiscard]] std::uint64_t deadline_from_unix_ms(long long unix_time_ms) const noexcept {
        const long long d = unix_time_ms - m_wall_offset_ms;
        return d <= 0 ? 0 : static_cast<std::uint64_t>(d);
    }
    [[nodiscard]] long long unix_from_deadline(std::uint64_t deadline) const noexcept {
        return static_cast<long long>(deadline) + m_wall_offset_ms;
    }

    /// Calls `f(db, key, cause)` for every key that expires or is evicted (not for deletes),
    /// on the thread that reclaimed it, after its shard lock is released: the RESP engine
    /// replicates them as DEL. Set it before the database is shared between threads.
    void set_reclaim_observer(std::function<void(int, std::string_view, RemovalCause)> f) {
        m_reclaim_observer = std::move(f);
    }
    /// Calls `f(db, key)` for every change to a key that touches WATCH (writes, deletes,
    /// expiry, eviction, FLUSHDB's removals) while `observe_modifications(true)`, on the thread
    /// that made the change (possibly under the key's shard lock: `f` must not call into the
    /// database). The RESP engine invalidates client-side caches with it (CLIENT TRACKING).
    /// Set it before the database is shared between threads.
    void set_modified_observer(std::function<void(int, std::string_view)> f) {
        m_modified_observer = std::move(f);
    }
    /// Turns the modified-key observer on or off; on, the stores report every write.
    void observe_modifications(bool on) {
        std::lock_guard lock(m_watch_mutex);  // serialises refresh_write_events
        m_observe_modified.store(on && m_modified_observer != nullptr, std::memory_order_release);
        refresh_write_events();
    }
    /// The transaction gate every operation enters shared and `exclusive` exclusively (the
    /// RESP engine holds it shared around a whole command).
    [[nodiscard]] detail::ExecGate& gate() noexcept { return m_gate; }

    // ------------------------------------------------------------------ transactions

    /// Runs `f()` with every other Database operation held off (EXEC). Clients blocked on keys
    /// that `f` fills are served once it has finished and the others are let in, as Redis
    /// serves them after EXEC (handleClientsBlockedOnKeys): a transaction that pushes and pops
    /// a key sees its own element. Called by a thread that already holds the gate exclusively
    /// (a SORT or BITOP inside EXEC), it just runs `f()` within that section.
    template <class F>
    void exclusive(F&& f) {
        if (m_gate.held_exclusively()) {
            f();
            return;
        }
        ReadyKeys ready;
        struct ServeAfter {  // destroyed after the gate is released, even if `f` throws
            ReadyKeys& ready;
            ~ServeAfter() {
                for (std::size_t i = 0; i < ready.size(); ++i) {
                    bool seen = false;  // each key once (few keys: a quadratic check is fine)
                    for (std::size_t j = 0; j < i && !seen; ++j) seen = ready[j] == ready[i];
                    if (seen) continue;
                    try {
                        ready[i].first->serve_blocked(ready[i].second);
                    } catch (...) {  // out of memory: those clients stay blocked until a write
                    }
                }
            }
        } serve{ready};
        std::lock_guard lock(m_gate);
        struct Scope {
            ReadyScope& s;
            ~Scope() { s = {}; }
        } scope{t_ready()};
        scope.s = {this, &ready};
        f();
    }
    /// The keys written inside the current thread's EXEC whose blocked clients wait for its
    /// end (nullptr outside EXEC, or inside another Database's).
    using ReadyKeys = std::vector<std::pair<RedisDb<C>*, std::string>>;
    [[nodiscard]] ReadyKeys* ready_keys() noexcept {
        const ReadyScope& s = t_ready();
        return s.owner == this ? s.keys : nullptr;
    }

    /// Starts watching `key` of database `db` for `state` (WATCH). Every write to the key from
    /// now on marks `state` dirty, but for the first removal by expiry: until the caller looks
    /// and finds the key live (`watch_found_live`), the key counts as absent at WATCH time, and
    /// the reclaiming of an entry already expired then is no change, as in Redis (its
    /// touchWatchedKey's `expired` flag), whether the look itself or anything later reclaims it.
    void watch(int db, std::string_view key, WatchState* state) {
        std::lock_guard lock(m_watch_mutex);
        m_watched[watch_key(db, key)].push_back({state, true});
        m_watch_count.fetch_add(1, std::memory_order_acq_rel);
        refresh_write_events();
    }
    /// The look after `watch` found `key` live: its removal by expiry will be a change.
    void watch_found_live(int db, std::string_view key, WatchState* state) {
        std::lock_guard lock(m_watch_mutex);
        auto it = m_watched.find(watch_key(db, key));
        if (it == m_watched.end()) return;
        for (Watcher& w : it->second)
            if (w.state == state) w.absent = false;
    }
    /// Stops watching `key` for `state`.
    void unwatch(int db, std::string_view key, WatchState* state) {
        std::lock_guard lock(m_watch_mutex);
        auto it = m_watched.find(watch_key(db, key));
        if (it == m_watched.end()) return;
        auto& v = it->second;
        auto pos = std::find_if(v.begin(), v.end(), [&](const Watcher& w) { return w.state == state; });
        if (pos == v.end()) return;
        v.erase(pos);
        m_watch_count.fetch_sub(1, std::memory_order_acq_rel);
        if (v.empty()) m_watched.erase(it);
        refresh_write_events();
    }
    /// Marks the watchers of `key` dirty (a write the listeners do not see, e.g. FLUSHDB).
    /// `expiry`: the key's entry was removed because it had expired, which does not touch the
    /// watchers to whom it was absent (see `watch`), once.
    void touch(int db, std::string_view key, bool expiry = false) {
        if (CACHET_UNLIKELY(m_observe_modified.load(std::memory_order_acquire))) m_modified_observer(db, key);
        if (m_watch_count.load(std::memory_order_acquire) == 0) return;
        std::lock_guard lock(m_watch_mutex);
        auto it = m_watched.find(watch_key(db, key));
        if (it == m_watched.end()) return;
        for (Watcher& w : it->second) {
            if (!std::exchange(w.absent, false) || !expiry) w.state->dirty.store(true, std::memory_order_release);
        }
    }
    /// Marks dirty every watcher of database `db` (`db` < 0: of all), as FLUSHDB/FLUSHALL do.
    void touch_all(int db) {
        touch_watched_if([&](int d, std::string_view key) {
            return (db < 0 || d == db) && m_dbs[static_cast<std::size_t>(d)]->m_keyspace.contains(key);
        });
    }
    /// Marks dirty the watchers of each watched (database, key) for which `pred(db, key)` holds.
    template <class Pred>
    void touch_watched_if(Pred&& pred) {
        if (m_watch_count.load(std::memory_order_acquire) == 0) return;
        std::lock_guard lock(m_watch_mutex);
        for (auto& [k, watchers] : m_watched) {
            if (!pred(watch_db(k), std::string_view(k).substr(k.find(':') + 1))) continue;
            for (Watcher& w : watchers) w.state->dirty.store(true, std::memory_order_release);
        }
    }

    // ------------------------------------------------------------------ notifications

    /// notify-keyspace-events as bits (see NotifyFlags).
    void set_notify_flags(unsigned flags) {
        std::lock_guard lock(m_watch_mutex);  // serialises refresh_write_events
        m_notify.store(flags, std::memory_order_release);
        refresh_write_events();
    }
    [[nodiscard]] unsigned notify_flags() const noexcept { return m_notify.load(std::memory_order_acquire); }

    /// Publishes keyspace event `event` for `key` of database `db`, if the flags ask for it.
    void notify(int db, std::string_view event, std::string_view key) {
        const unsigned f = notify_flags();
        if (!(f & notify_class(event)) || !(f & (notify_keyspace | notify_keyevent))) return;
        const std::string n = std::to_string(db);
        if (f & notify_keyspace)
            (void)m_bus.publish("__keyspace@" + n + "__:" + std::string(key), std::string(event));
        if (f & notify_keyevent)
            (void)m_bus.publish("__keyevent@" + n + "__:" + std::string(event), std::string(key));
    }

    // ------------------------------------------------------------------ encodings

    /// Redis's thresholds for the encodings of hashes (hash-max-listpack-entries / -value) and
    /// sets (set-max-intset-entries), which the Database follows per hash and set (see
    /// `HashEncoding`, `SetEncoding`) because they show in replies. A change applies to later
    /// writes, as in Redis: nothing converts back. Thread-safe; lock-free.
    void set_hash_listpack_limits(long long entries, long long value) noexcept {
        m_hash_lp_entries.store(entries, std::memory_order_relaxed);
        m_hash_lp_value.store(value, std::memory_order_relaxed);
    }
    [[nodiscard]] std::pair<long long, long long> hash_listpack_limits() const noexcept {
        return {m_hash_lp_entries.load(std::memory_order_relaxed),
                m_hash_lp_value.load(std::memory_order_relaxed)};
    }
    void set_set_intset_entries(long long n) noexcept {
        m_set_intset_entries.store(n, std::memory_order_relaxed);
    }
    [[nodiscard]] long long set_intset_entries() const noexcept {
        return m_set_intset_entries.load(std::memory_order_relaxed);
    }

    /// Redis's encoding of `h` before a write of a `flen`-byte field and a `vlen`-byte value
    /// (`adding`: a new field): a listpack converts if either is longer than the value limit,
    /// or if the hash then exceeds the entry limit (hashTypeTryConversion, hashTypeSet).
    void note_hash_write(RedisHash& h, std::size_t flen, std::size_t vlen, bool adding) const {
        if (h.tag() == static_cast<std::uint8_t>(HashEncoding::hashtable)) return;
        const auto [entries, value] = hash_listpack_limits();
        const bool fits = static_cast<long long>(flen) <= value &&
                          static_cast<long long>(vlen) <= value &&
                          static_cast<long long>(h.size() + (adding ? 1 : 0)) <= entries;
        // A hash with nothing recorded (filled through the typed view before this) starts from
        // what its contents say.
        const bool was = h.tag() == static_cast<std::uint8_t>(HashEncoding::listpack) ||
                         (h.tag() == 0 && hash_fits_listpack(h));
        h.set_tag(static_cast<std::uint8_t>(was && fits ? HashEncoding::listpack
                                                        : HashEncoding::hashtable));
    }
    /// Redis 7.0's encoding of `s` before `m` is added to it: a set is created as an intset
    /// if its first member is an integer; an intset converts when a non-integer joins or it
    /// would exceed the entry limit (setTypeCreate, setTypeAdd). A member already there
    /// changes nothing.
    void note_set_add(RedisSet& s, std::string_view m) const {
        if (s.tag() == static_cast<std::uint8_t>(SetEncoding::hashtable) || s.contains(m)) return;
        long long ignored;
        const bool was = s.tag() == static_cast<std::uint8_t>(SetEncoding::intset) ||
                         (s.tag() == 0 && (s.empty() || set_fits_intset(s)));
        const bool fits = detail::string2ll(m, ignored) &&
                          static_cast<long long>(s.size()) + 1 <= set_intset_entries();
        s.set_tag(static_cast<std::uint8_t>(was && fits ? SetEncoding::intset
                                                        : SetEncoding::hashtable));
    }
    /// Redis 7.0's encoding of a set SINTERSTORE / SUNIONSTORE / SDIFFSTORE builds: an intset
    /// filled member by member, so an intset if all fit one.
    void note_set_built(RedisSet& s) const {
        s.set_tag(static_cast<std::uint8_t>(set_fits_intset(s) ? SetEncoding::intset
                                                                : SetEncoding::hashtable));
    }
    /// Whether a hash of these contents fits a listpack under the current limits. O(N).
    [[nodiscard]] bool hash_fits_listpack(const RedisHash& h) const {
        const auto limits = hash_listpack_limits();
        const long long entries = limits.first, value = limits.second;
        if (static_cast<long long>(h.size()) > entries) return false;
        bool fits = true;
        h.for_each([&](const std::string& f, const std::string& v) {
            if (static_cast<long long>(f.size()) > value ||
                static_cast<long long>(v.size()) > value)
                fits = false;
        });
        return fits;
    }
    /// Whether a set of these contents fits an intset under the current limit. O(N).
    [[nodiscard]] bool set_fits_intset(const RedisSet& s) const {
        if (static_cast<long long>(s.size()) > set_intset_entries()) return false;
        bool fits = true;
        long long ignored;
        s.for_each([&](const std::string& m) {
            if (fits && !detail::string2ll(m, ignored)) fits = false;
        });
        return fits;
    }
    /// True if Redis would hold `h` as a listpack: as recorded, else judged on its contents.
    [[nodiscard]] bool listpack_hash(const RedisHash& h) const {
        switch (static_cast<HashEncoding>(h.tag())) {
            case HashEncoding::listpack: return true;
            case HashEncoding::hashtable: return false;
            default: return hash_fits_listpack(h);
        }
    }
    /// True if Redis would hold `s` as an intset: as recorded, else judged on its contents.
    [[nodiscard]] bool intset_set(const RedisSet& s) const {
        switch (static_cast<SetEncoding>(s.tag())) {
            case SetEncoding::intset: return true;
            case SetEncoding::hashtable: return false;
            default: return set_fits_intset(s);
        }
    }

    // ------------------------------------------------------------------ access records

    /// What every database records of its keys' accesses (see Keyspace::set_access_tracking):
    /// the last access's time by default, as Redis keeps it for OBJECT IDLETIME under every
    /// policy but LFU; `AccessTracking::frequency` under an LFU maxmemory-policy, for OBJECT
    /// FREQ, with `lfu_log_factor` and `lfu_decay_minutes` (lfu-log-factor, lfu-decay-time;
    /// Redis's defaults 10 and 1). Neither steers eviction (maxmemory evicts by the databases'
    /// `DatabaseOptions::eviction` policy). The record costs no memory (it is in each entry's
    /// padding) and ~5% of an in-process GET on a 1M-key database (bench/
    /// access_tracking_bench.cpp); `AccessTracking::none` turns it off. Thread-safe.
    void set_access_tracking(AccessTracking mode) {
        std::lock_guard lock(m_access_mutex);
        m_access_mode = mode;
        apply_access_tracking();
    }
    void set_lfu_parameters(unsigned lfu_log_factor, unsigned lfu_decay_minutes) {
        std::lock_guard lock(m_access_mutex);
        m_lfu_log_factor = lfu_log_factor;
        m_lfu_decay_minutes = lfu_decay_minutes;
        apply_access_tracking();
    }
    [[nodiscard]] AccessTracking access_tracking() const noexcept {
        return m_dbs[0]->m_keyspace.access_tracking();
    }

    // ------------------------------------------------------------------ memory

    void set_maxmemory(std::uint64_t bytes) noexcept {
        m_maxmemory.store(bytes);
        update_lru_tracking();
    }
    [[nodiscard]] std::uint64_t maxmemory() const noexcept { return m_maxmemory.load(); }
    /// What `make_room` evicts (Redis's maxmemory-policy; noeviction by default). The
    /// sampling policies draw `samples` random keys per victim (maxmemory-samples,
    /// Redis's default 5) into a pool of the 16 best candidates kept between victims, as
    /// Redis's eviction pool (the random ones take any drawn key); their idle times and
    /// counters are the access records of
    /// `set_access_tracking` (the RESP engine keeps frequencies under an LFU policy). The
    /// volatile-* policies evict only keys with a TTL: without any, a write over maxmemory is
    /// refused, as Redis refuses it. Like Redis, switches the keys' access records to LFU
    /// counters under an LFU policy and to idle times otherwise (`set_access_tracking`
    /// afterwards to choose differently). Thread-safe.
    void set_maxmemory_policy(MaxmemoryPolicy p, std::size_t samples = 5) {
        m_samples.store(samples == 0 ? 1 : samples);
        const MaxmemoryPolicy before = m_policy.exchange(p);
        update_lru_tracking();
        if (lfu_policy(p) != lfu_policy(before) || access_tracking() == AccessTracking::none)
            set_access_tracking(lfu_policy(p) ? AccessTracking::frequency : AccessTracking::last_access);
    }
    [[nodiscard]] MaxmemoryPolicy maxmemory_policy() const noexcept { return m_policy.load(); }
    /// `set_maxmemory_policy(noeviction)` if `on`, else `allkeys_lru`.
    void set_noeviction(bool on) {
        set_maxmemory_policy(on ? MaxmemoryPolicy::noeviction : MaxmemoryPolicy::allkeys_lru,
                             m_samples.load());
    }
    [[nodiscard]] bool noeviction() const noexcept {
        return maxmemory_policy() == MaxmemoryPolicy::noeviction;
    }
    /// The store's estimate of the memory its keys and values use.
    [[nodiscard]] std::uint64_t used_memory() const noexcept {
        std::uint64_t w = 0;
        for (const auto& d : m_dbs) w += d->m_keyspace.weight();
        return w;
    }
    /// Before a write that may add memory: evicts down to maxmemory if a policy allows it.
    /// Returns false when over the limit with noeviction (the write must be refused, OOM).
    /// Under hold_expiry_and_eviction: evicts nothing, returns true.
    bool make_room() {
        const std::uint64_t max = maxmemory();
        if (max == 0 || used_memory() <= max) return true;
        if (m_hold_eviction.load(std::memory_order_relaxed)) return true;  // see hold_expiry_and_eviction
        const MaxmemoryPolicy policy = maxmemory_policy();
        if (policy == MaxmemoryPolicy::noeviction) return false;
        using Sampling = typename db_type::keyspace_type::EvictionSampling;
        Sampling how;
        how.samples = m_samples.load();
        switch (policy) {
            case MaxmemoryPolicy::allkeys_lfu: how.by = Sampling::By::frequency; break;
            case MaxmemoryPolicy::volatile_lru: how = {true, Sampling::By::idle, how.samples}; break;
            case MaxmemoryPolicy::volatile_lfu: how = {true, Sampling::By::frequency, how.samples}; break;
            case MaxmemoryPolicy::volatile_random: how = {true, Sampling::By::random, how.samples}; break;
            case MaxmemoryPolicy::volatile_ttl: how = {true, Sampling::By::deadline, how.samples}; break;
            default: break;  // allkeys-random: any sampled key; allkeys-lru: the store's order
        }
        for (std::size_t round = 0; round < 4 && used_memory() > max; ++round) {
            for (auto& d : m_dbs) {
                const std::uint64_t others = used_memory() - d->m_keyspace.weight();
                const std::uint64_t target = others >= max ? 0 : max - others;
                if (d->m_keyspace.weight() > target) {
                    if (policy == MaxmemoryPolicy::allkeys_lru) d->m_keyspace.evict_to_weight(target);
                    else d->m_keyspace.evict_sampled_to_weight(target, how, detail::random_u64);
                }
                if (used_memory() <= max) break;
            }
        }
        return used_memory() <= max;
    }

    // ------------------------------------------------------------------ whole store

    /// SWAPDB: databases `a` and `b` exchange their keys (with TTLs, eviction order and hit
    /// statistics), atomically for every other operation. What belongs to the database number
    /// stays: the connections that selected it, the clients blocked on its keys (served at
    /// once if a key they wait for now has data), the WATCHes (touched when the key exists
    /// on either side, as Redis's touchAllWatchedKeysInDb). A `RedisDb&` a program holds
    /// keeps its number, so it sees the other database's former keys. Precondition: both
    /// indexes < databases(). O(1), plus the watched keys and the keys clients block on.
    void swap_databases(std::size_t a, std::size_t b) {
        auto swap = [&] { m_dbs[a]->m_keyspace.swap_contents(m_dbs[b]->m_keyspace); };
        if (m_gate.held_exclusively()) {
            swap();  // inside EXEC
        } else {
            std::lock_guard lock(m_gate);
            swap();
        }
        touch_watched_if([&](int d, std::string_view key) {
            const auto db = static_cast<std::size_t>(d);
            return (db == a || db == b) &&
                   (m_dbs[a]->m_keyspace.contains(key) || m_dbs[b]->m_keyspace.contains(key));
        });
        for (const std::size_t i : {a, b}) {
            db_type& d = *m_dbs[i];
            std::vector<std::string> keys = d.list_waiters().waiting_keys();
            for (auto& k : d.zset_waiters().waiting_keys()) keys.push_back(std::move(k));
            for (const auto& k : keys) {
                if (auto* ready = ready_keys()) ready->emplace_back(&d, k);  // after EXEC
                else d.serve_blocked(k);
            }
        }
    }

    /// FLUSHALL.
    void flush_all() {
        for (auto& d : m_dbs) d->flush();
    }
    /// Sum of the databases' counters (keyspace_hits/misses, expired_keys, evicted_keys).
    [[nodiscard]] StoreStats stats() const noexcept {
        StoreStats st;
        for (const auto& d : m_dbs) {
            const StoreStats s = d->m_keyspace.stats();
            st.hits += s.hits;
            st.misses += s.misses;
            st.puts += s.puts;
            st.evictions += s.evictions;
            st.evicted_weight += s.evicted_weight;
            st.expirations += s.expirations;
            st.erasures += s.erasures;
            st.size += s.size;
            st.weight += s.weight;
        }
        return st;
    }
    void reset_stats() noexcept {
        for (auto& d : m_dbs) d->m_keyspace.reset_stats();
    }
    /// While on, the dataset stays as it is, as Redis keeps it during CLIENT PAUSE: no key
    /// expires (Keyspace::hold_expired, in every database) and `make_room` evicts nothing
    /// (it answers true, as Redis's isSafeToPerformEvictions makes performEvictions a no-op).
    void hold_expiry_and_eviction(bool on) noexcept {
        m_hold_eviction.store(on, std::memory_order_relaxed);
        for (auto& d : m_dbs) d->m_keyspace.hold_expired(on);
    }
    /// Reclaims expired keys in every database now; returns how many.
    std::size_t run_pending() {
        std::size_t n = 0;
        for (auto& d : m_dbs) n += d->m_keyspace.run_pending();
        return n;
    }

private:
    friend class RedisDb<C>;

    /// The keyspaces report writes only while someone listens: keyspace notifications on, or
    /// a key WATCHed; lookups that miss, only while key-miss events (m) are on. Callers hold
    /// m_watch_mutex (or are the constructor).
    void refresh_write_events() noexcept {
        const unsigned f = m_notify.load(std::memory_order_acquire);
        const bool on = f != 0 || m_watch_count.load(std::memory_order_acquire) != 0 ||
                        m_observe_modified.load(std::memory_order_acquire);
        const bool misses = (f & notify_key_miss) && (f & (notify_keyspace | notify_keyevent));
        for (auto& d : m_dbs) {
            d->m_keyspace.set_write_events(on);
            d->m_keyspace.set_miss_events(misses);
        }
    }

    static std::string watch_key(int db, std::string_view key) {
        std::string k = std::to_string(db);
        k += ':';
        k += key;
        return k;
    }
    static int watch_db(const std::string& k) { return std::stoi(k.substr(0, k.find(':'))); }

    /// Accesses keep the exact LRU order (the exclusive lock per GET, a relink per overwrite)
    /// only while something can evict by it: a maxmemory with an evicting policy. Otherwise a
    /// read takes the shared lock, an overwrite leaves its key in place, and the order is that
    /// of insertion until eviction is turned on and accesses reorder it.
    void apply_access_tracking() noexcept {
        for (auto& d : m_dbs)
            d->m_keyspace.set_access_tracking(m_access_mode, m_lfu_log_factor, m_lfu_decay_minutes);
    }

    void update_lru_tracking() noexcept {
        const bool on = maxmemory() != 0 && maxmemory_policy() == MaxmemoryPolicy::allkeys_lru;
        for (auto& d : m_dbs) d->m_keyspace.set_lru_tracking(on);
    }

    void on_removed(int db, std::string_view key, RemovalCause cause) {
        touch(db, key, cause == RemovalCause::expired);
        if ((cause == RemovalCause::expired || cause == RemovalCause::evicted) && m_reclaim_observer)
            m_reclaim_observer(db, key, cause);
        if (cause == RemovalCause::erased && detail::t_self_announcing) return;
        switch (cause) {
            case RemovalCause::erased: notify(db, "del", key); break;
            case RemovalCause::expired: notify(db, "expired", key); break;
            case RemovalCause::evicted: notify(db, "evicted", key); break;
            case RemovalCause::replaced: break;
        }
    }
    void on_written(int db, std::string_view key, WriteEvent e, std::string_view name) {
        // A creation is Redis's dbAdd ("new"), which touches no WATCH and no tracking: the
        // write that follows it (`set`) does, as Redis's signalModifiedKey.
        if (e != WriteEvent::created) touch(db, key);
        if (detail::t_self_announcing) return;
        if (e == WriteEvent::persist && detail::t_silent_persist) return;
        notify(db, name, key);
    }

    DatabaseOptions m_options;
    std::function<void(int, std::string_view, RemovalCause)> m_reclaim_observer;
    std::function<void(int, std::string_view)> m_modified_observer;
    std::atomic<bool> m_observe_modified{false};
    detail::ExecGate m_gate;
    PubSubBus<std::string> m_bus;
    PubSubBus<std::string> m_shard_bus;
    std::vector<std::unique_ptr<db_type>> m_dbs;
    long long m_wall_offset_ms = 0;
    std::atomic<unsigned> m_notify{0};
    /// This thread's EXEC: the Database running it and the keys its writes made ready.
    struct ReadyScope {
        const BasicDatabase* owner = nullptr;
        ReadyKeys* keys = nullptr;
    };
    static ReadyScope& t_ready() noexcept {
        thread_local ReadyScope s;
        return s;
    }

    std::atomic<std::uint64_t> m_maxmemory{0};
    std::atomic<long long> m_hash_lp_entries{512}, m_hash_lp_value{64};  // Redis 7.0's defaults
    std::atomic<long long> m_set_intset_entries{512};
    std::atomic<MaxmemoryPolicy> m_policy{MaxmemoryPolicy::noeviction};
    std::atomic<std::size_t> m_samples{5};
    std::atomic<bool> m_hold_eviction{false};  ///< see hold_expiry_and_eviction
    std::mutex m_access_mutex;  ///< serialises set_access_tracking / set_lfu_parameters
    AccessTracking m_access_mode = AccessTracking::last_access;
    unsigned m_lfu_log_factor = 10, m_lfu_decay_minutes = 1;
    std::mutex m_watch_mutex;
    /// A client watching a key; `absent`: see `watch`.
    struct Watcher {
        WatchState* state;
        bool absent;
    };
    std::unordered_map<std::string, std::vector<Watcher>> m_watched;
    std::atomic<std::size_t> m_watch_count{0};
};

using Database = BasicDatabase<>;

CACHET_NAMESPACE_END

#endif  // CACHET_DATABASE_HPP
