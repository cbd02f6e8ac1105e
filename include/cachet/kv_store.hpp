#ifndef CACHET_KV_STORE_HPP
#define CACHET_KV_STORE_HPP

/// `KvStore<K, V>`: a thread-safe, sharded key -> value cache with per-key TTLs, an optional
/// bound with LRU eviction, counters, statistics and removal notifications: Redis's string
/// commands (GET, SET with EX/NX/XX, GETDEL, EXPIRE, PERSIST, TTL, INCRBY) as typed C++.
///
/// It is a typed layer over `Keyspace` (see keyspace.hpp for the structure, the expiry model
/// and the notification rules): every call hashes the key, locks that key's shard only, and
/// does O(1) expected work plus at most `expire_budget` timers of active expiry. Lookups return
/// copies (`std::optional<V>`); in-place access runs a callback under the shard lock (`visit`,
/// `compute`), which must not call back into the store.
///
/// Thread-safety: every member function is thread-safe. Exception safety: writes give the
/// strong guarantee (if allocation or a copy throws, the store is unchanged), except where a
/// callback changes a value in place. Nothing is ever handed out by reference, so there is
/// nothing to invalidate.
///
/// Differences from Redis: TTLs are monotonic-clock durations with millisecond resolution;
/// keys and values are C++ objects; `size()` counts expired entries not yet reclaimed (as
/// Redis's DBSIZE does).

#include <cachet/keyspace.hpp>
#include <cachet/result.hpp>

#include <chrono>
#include <cmath>
#include <concepts>
#include <functional>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN

/// Options of a KvStore (see `StoreOptions`).
template <class K, class V>
using KvOptions = StoreOptions<K, V>;

template <class K, class V, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>,
          Clock C = SteadyClock, class Mutex = SpinMutex>
class KvStore {
public:
    using core_type = Keyspace<K, V, Hash, KeyEqual, C, Mutex>;
    using key_type = K;
    using mapped_type = V;
    using hasher = Hash;
    using key_equal = KeyEqual;
    using clock_type = C;
    using size_type = std::size_t;
    using options_type = KvOptions<K, V>;

private:
    template <class Q>
    static constexpr bool transparent_key =
        !std::is_same_v<Q, K> && detail::is_transparent_v<Hash, KeyEqual>;

public:
    /// A store configured by `options` (throws `std::invalid_argument` if they are
    /// inconsistent), reading time from `clock`. Allocates the shards: O(shards).
    explicit KvStore(options_type options = {}, C clock = C{})
        : m_core(std::move(options), std::move(clock)) {}

    KvStore(const KvStore&) = delete;  // owns mutexes, like std::mutex
    KvStore& operator=(const KvStore&) = delete;

    // ------------------------------------------------------------------ reads

    /// A copy of the value of `key`, or nullopt if it is absent or expired. Counts a hit or a
    /// miss; a hit is an access for the eviction policy. O(1) expected; copies the value.
    [[nodiscard]] std::optional<V> get(const K& key) { return get_impl(key); }
    /// Heterogeneous lookup (`Hash` and `KeyEqual` both transparent), e.g. by string_view.
    template <class Q>
        requires transparent_key<Q>
    [[nodiscard]] std::optional<V> get(const Q& key) { return get_impl(key); }

    /// Calls `f(const V&)` on the value of `key` under its shard lock, without copying it.
    /// Returns false (a miss) if the key is absent. `f` must not call into this store.
    template <class F>
    bool visit(const K& key, F&& f) {
        return m_core.read(key, [&](const K&, const V& v) { f(v); });
    }
    template <class Q, class F>
        requires transparent_key<Q>
    bool visit(const Q& key, F&& f) {
        return m_core.read(key, [&](const K&, const V& v) { f(v); });
    }

    /// True if `key` is present and not expired. A peek: not a hit, miss or access. O(1).
    [[nodiscard]] bool contains(const K& key) { return m_core.contains(key); }
    template <class Q>
        requires transparent_key<Q>
    [[nodiscard]] bool contains(const Q& key) { return m_core.contains(key); }

    /// The time `key` has left (Redis's TTL): missing, persistent, or expiring in `remaining`
    /// (rounded up to whole ms, so at least 1 ms while the key lives). A peek. O(1).
    [[nodiscard]] KeyTtl ttl(const K& key) {
        const auto left = m_core.remaining_ms(key);
        if (!left) return {};
        if (*left == no_deadline) return {KeyTtl::State::persistent, {}};
        return {KeyTtl::State::expiring,
                std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*left))};
    }

    // ------------------------------------------------------------------ writes

    /// Sets `key` to `value` (Redis SET). Any TTL the key had is replaced by the store's
    /// default TTL (none by default). An overwritten value is reported as `replaced`.
    /// Returns true if the key was new. O(1) expected; a new key allocates one node and is
    /// copied (or moved) into it; overwriting never copies the key.
    bool put(const K& key, V value) {
        return write(key, std::move(value), default_deadline(), Mode::always);
    }
    bool put(K&& key, V value) {
        return write(std::move(key), std::move(value), default_deadline(), Mode::always);
    }
    /// Sets `key` to `value`, expiring after `ttl` (rounded up to whole ms; SET EX/PX).
    /// Throws `std::invalid_argument` if `ttl` is not positive (use `erase` to remove a key).
    template <class Rep, class Period>
    bool put(const K& key, V value, std::chrono::duration<Rep, Period> ttl) {
        return write(key, std::move(value), checked_ttl(ttl), Mode::always);
    }
    template <class Rep, class Period>
    bool put(K&& key, V value, std::chrono::duration<Rep, Period> ttl) {
        return write(std::move(key), std::move(value), checked_ttl(ttl), Mode::always);
    }

    /// Sets `key` only if it is absent (SET NX / SETNX). Returns true if it was set.
    bool put_if_absent(K key, V value) {
        return write(std::move(key), std::move(value), default_deadline(), Mode::if_absent);
    }
    template <class Rep, class Period>
    bool put_if_absent(K key, V value, std::chrono::duration<Rep, Period> ttl) {
        return write(std::move(key), std::move(value), checked_ttl(ttl), Mode::if_absent);
    }

    /// Sets `key` only if it is present (SET XX), replacing its TTL as `put` does. Returns true
    /// if it was set. Never copies the key.
    bool put_if_present(const K& key, V value) {
        return write(key, std::move(value), default_deadline(), Mode::if_present);
    }
    template <class Rep, class Period>
    bool put_if_present(const K& key, V value, std::chrono::duration<Rep, Period> ttl) {
        return write(key, std::move(value), checked_ttl(ttl), Mode::if_present);
    }

    /// Sets `key` to `value` and returns the previous value (GETSET / SET GET), or nullopt if
    /// there was none. The TTL is replaced as by `put`; the old value is reported as `replaced`.
    /// Copies the old value once.
    std::optional<V> exchange(K key, V value) {
        const Deadline dl = default_deadline();
        return m_core.access(std::move(key), [&](auto& slot) {
            std::optional<V> old;
            if (slot.exists()) old.emplace(slot.cvalue());  // the listener gets the other copy
            slot.emplace(std::move(value));
            apply(slot, dl);
            return old;
        });
    }

    /// Removes `key` and returns its value (GETDEL), or nullopt if it was absent. The removal
    /// is reported as `erased`. Not counted as a hit or miss.
    std::optional<V> get_and_erase(const K& key) {
        return m_core.access(key, [&](auto& slot) {
            std::optional<V> out;
            if (slot.exists()) {
                out.emplace(std::move(slot.value()));
                slot.erase();
            }
            return out;
        });
    }

    /// Removes `key` (DEL). Returns true if a live entry was removed (reported as `erased`).
    bool erase(const K& key) { return m_core.erase(key); }
    template <class Q>
        requires transparent_key<Q>
    bool erase(const Q& key) { return m_core.erase(key); }

    // ------------------------------------------------------------------ expiry

    /// Gives `key` a TTL of `ttl` from now (EXPIRE/PEXPIRE). A TTL of zero or less removes the
    /// key at once, reported as `expired`. Returns false if the key is absent.
    template <class Rep, class Period>
    bool expire(const K& key, std::chrono::duration<Rep, Period> ttl) {
        return m_core.access(key, [&](auto& slot) {
            if (!slot.exists()) return false;
            slot.set_ttl(ttl);
            return true;
        });
    }

    /// Makes `key` expire at `when` on the store's clock (EXPIREAT/PEXPIREAT); a time already
    /// passed removes it at once. Returns false if the key is absent.
    template <class Duration>
    bool expire_at(const K& key, std::chrono::time_point<C, Duration> when) {
        const auto since = when.time_since_epoch();
        const std::uint64_t at = since.count() > 0 ? detail::ceil_ms(since) : 0;
        return m_core.access(key, [&](auto& slot) {
            if (!slot.exists()) return false;
            slot.set_deadline_ms(at <= slot.now_ms() ? slot.now_ms() : at);
            return true;
        });
    }

    /// Removes the TTL of `key` (PERSIST). Returns true if the key had one.
    bool persist(const K& key) {
        return m_core.access(key, [&](auto& slot) {
            if (!slot.exists() || slot.deadline_ms() == no_deadline) return false;
            slot.persist();
            return true;
        });
    }

    // ------------------------------------------------------------------ read-modify-write

    /// Adds `delta` to the value of `key` (INCRBY / INCRBYFLOAT), creating it as `delta` if it
    /// is absent (with the default TTL); an existing TTL is kept. Returns the new value, or
    /// `Errc::overflow` if an integer would overflow or a floating value would become infinite
    /// or NaN; the value is then unchanged. O(1) expected.
    Result<V> increment(const K& key, V delta = V{1})
        requires(std::is_arithmetic_v<V> && !std::is_same_v<V, bool>)
    {
        return add(key, delta, false);
    }
    /// Subtracts `delta` (DECRBY); see `increment`.
    Result<V> decrement(const K& key, V delta = V{1})
        requires(std::is_arithmetic_v<V> && !std::is_same_v<V, bool>)
    {
        return add(key, delta, true);
    }

    /// Atomically reads and rewrites `key` under its shard lock: `f(std::optional<V>& v)` gets
    /// the current value (empty if absent) and leaves in `v` what the key should hold (empty
    /// to remove it). Returns what `f` returns. A new key gets the default TTL; an existing
    /// key keeps its TTL. The value is moved out and back, never copied; a change is made in
    /// place, so it is not reported as `replaced` (a removal is reported as `erased`). If `f`
    /// throws, the key keeps the value `f` left in `v`. `f` must not call into this store.
    template <class F>
    auto compute(const K& key, F&& f) {
        return m_core.access(key, [&](auto& slot) {
            std::optional<V> v;
            if (slot.exists()) v.emplace(std::move(slot.value()));
            struct Restore {  // put the value back even if f throws
                std::optional<V>& v;
                decltype(slot)& s;
                bool armed = true;
                ~Restore() {
                    if (armed && v && s.exists()) s.value() = std::move(*v);
                }
            } restore{v, slot};
            auto finish = [&] {
                restore.armed = false;
                if (v) {
                    if (slot.exists())
                        slot.value() = std::move(*v);
                    else
                        slot.emplace(std::move(*v));
                } else if (slot.exists()) {
                    slot.erase();
                }
            };
            if constexpr (std::is_void_v<std::invoke_result_t<F&, std::optional<V>&>>) {
                f(v);
                finish();
            } else {
                auto r = f(v);
                finish();
                return r;
            }
        });
    }

    /// The raw core primitive: `f(slot)` with the full `Keyspace::Slot` interface (exists,
    /// value, emplace, erase, TTL). See `Keyspace::access`.
    template <class KK, class F>
    auto update(KK&& key, F&& f) {
        return m_core.access(std::forward<KK>(key), std::forward<F>(f));
    }

    // ------------------------------------------------------------------ whole store

    /// Entries stored, including expired ones not yet reclaimed. Lock-free, O(shards).
    [[nodiscard]] std::size_t size() const noexcept { return m_core.size(); }
    [[nodiscard]] bool empty() const noexcept { return m_core.empty(); }
    /// Removes every entry, each reported as `erased`. O(size()), one shard lock at a time.
    void clear() { m_core.clear(); }
    /// Makes room for `n` entries without rehashing.
    void reserve(std::size_t n) { m_core.reserve(n); }

    /// Calls `f(const K&, const V&)` on every live entry, one shard at a time under its lock
    /// (see `Keyspace::for_each` for what a concurrent writer may cause). O(size()).
    template <class F>
    void for_each(F&& f) const {
        m_core.for_each(std::forward<F>(f));
    }
    /// Copies every live entry out (one shard at a time). O(size()); allocates.
    [[nodiscard]] std::vector<std::pair<K, V>> snapshot() const {
        std::vector<std::pair<K, V>> out;
        out.reserve(size());
        m_core.for_each([&](const K& k, const V& v) { out.emplace_back(k, v); });
        return out;
    }

    /// Counters summed over the shards (hits, misses, puts, evictions, expirations, ...).
    [[nodiscard]] StoreStats stats() const noexcept { return m_core.stats(); }
    /// Bytes held for entry nodes (pooled pages, free nodes included; not the values' own heap
    /// memory). Takes the pool's mutex; O(regions).
    [[nodiscard]] std::size_t node_memory() const { return m_core.node_memory(); }
    void reset_stats() noexcept { m_core.reset_stats(); }

    /// Reclaims every expired entry now; returns how many.
    std::size_t run_pending() { return m_core.run_pending(); }
    /// Starts (or restarts) a background thread running `run_pending()` every `interval`.
    void start_janitor(std::chrono::milliseconds interval = std::chrono::milliseconds(100)) {
        m_core.start_janitor(interval);
    }
    void stop_janitor() { m_core.stop_janitor(); }

    /// Changes the bound and evicts down to it (stores built bounded only).
    void set_max_entries(std::uint64_t n) { m_core.set_max_entries(n); }
    void set_max_weight(std::uint64_t w) { m_core.set_max_weight(w); }
    [[nodiscard]] std::uint64_t max_entries() const noexcept { return m_core.max_entries(); }
    [[nodiscard]] std::uint64_t max_weight() const noexcept { return m_core.max_weight(); }
    [[nodiscard]] std::uint64_t weight() const noexcept { return m_core.weight(); }
    [[nodiscard]] std::size_t shard_count() const noexcept { return m_core.shard_count(); }

    [[nodiscard]] const C& clock() const noexcept { return m_core.clock(); }
    [[nodiscard]] core_type& core() noexcept { return m_core; }
    [[nodiscard]] bool check_invariants() const { return m_core.check_invariants(); }

private:
    enum class Mode : unsigned char { always, if_absent, if_present };
    /// The TTL a write gives its key: `ttl_ms` from now, or none when it is 0.
    struct Deadline {
        std::uint64_t ttl_ms = 0;
    };

    [[nodiscard]] Deadline default_deadline() const noexcept { return {m_core.default_ttl_ms()}; }

    template <class Rep, class Period>
    static Deadline checked_ttl(std::chrono::duration<Rep, Period> ttl) {
        if (!(ttl > std::chrono::duration<Rep, Period>::zero()))
            throw std::invalid_argument(
                "cachet::KvStore: TTL must be positive (use erase() to remove a key)");
        return {detail::ceil_ms(ttl)};
    }

    template <class Slot>
    static void apply(Slot& slot, Deadline d) noexcept {
        if (d.ttl_ms == 0)
            slot.persist();
        else
            slot.set_deadline_ms(slot.now_ms() + d.ttl_ms);
    }

    template <class KK>
    bool write(KK&& key, V&& value, Deadline d, Mode mode) {
        return m_core.access(std::forward<KK>(key), [&](auto& slot) {
            const bool existed = slot.exists();
            if ((mode == Mode::if_absent && existed) || (mode == Mode::if_present && !existed))
                return false;
            slot.emplace(std::move(value));
            apply(slot, d);
            return mode == Mode::always ? !existed : true;
        });
    }

    Result<V> add(const K& key, V delta, bool subtract) {
        return m_core.access(key, [&](auto& slot) -> Result<V> {
            const V cur = slot.exists() ? slot.cvalue() : V{};
            V next{};
            if constexpr (std::is_integral_v<V>) {
                if (subtract ? __builtin_sub_overflow(cur, delta, &next)
                             : __builtin_add_overflow(cur, delta, &next))
                    return Errc::overflow;
            } else {
                next = subtract ? cur - delta : cur + delta;
                if (!std::isfinite(next)) return Errc::overflow;
            }
            if (slot.exists()) slot.value() = next;
            else slot.emplace(next);
            slot.name_update(subtract ? "decrby" : std::is_integral_v<V> ? "incrby" : "incrbyfloat");
            return next;
        });
    }

    template <class Q>
    std::optional<V> get_impl(const Q& key) {
        std::optional<V> out;
        m_core.read(key, [&](const K&, const V& v) { out.emplace(v); });
        return out;
    }

    core_type m_core;
};

CACHET_NAMESPACE_END

#endif  // CACHET_KV_STORE_HPP
