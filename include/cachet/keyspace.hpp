#ifndef CACHET_KEYSPACE_HPP
#define CACHET_KEYSPACE_HPP

/// `Keyspace<K, V>`: the core every cachet container sits on. A sharded key -> entry map with
/// per-entry TTLs, an optional bound enforced by an eviction policy, statistics and a removal
/// listener. KvStore is a thin typed layer over it; lists, sorted sets, hashes and the RESP
/// Database use the same core through `access`, so no container re-implements expiry, eviction,
/// stats or notifications.
///
/// Structure. The key space is split into N shards (a power of two) by the top bits of the
/// key's mixed hash. Each shard owns, under one lock:
///   - a Robin Hood hash index of entry pointers (`detail::FlatIndex`, O(1) expected);
///   - a hierarchical timing wheel of the entries that have a TTL (`TimerWheel`, O(1) schedule
///     and cancel);
///   - the eviction policy's order (`LruPolicy`, O(1)), only when the store is bounded;
///   - its share of the bound, its size and weight, and its statistics counters.
/// An entry is one node with a stable address holding the key, the value, the deadline and
/// wheel links (24 bytes), the policy links and state (24 bytes), the 32-bit hash and a 32-bit
/// weight. Nodes come from the shard's pool of pages in 2 MiB huge-page regions when key and
/// value own no heap memory (`node_pooling`; detail/node_pool.hpp), else from `new`.
///
/// Expiry is lazy and active. Lazy: an expired entry is never returned; a lookup that meets one
/// removes it. Active: every operation on a shard first advances that shard's wheel to the
/// current time, looking at no more than `StoreOptions::expire_budget` timers, so expired
/// entries are reclaimed as traffic passes without any operation paying more than a bounded
/// amount; `run_pending()` finishes the job on demand, and `start_janitor()` runs it on a
/// background thread if the user wants one. There is no hidden thread.
///
/// Removal notifications. Entries that leave the store (erased, replaced, expired, evicted) are
/// unlinked under the shard lock and collected; the listener is called for each after the lock
/// is released, on the thread whose operation removed them (the janitor's, for its sweeps), in
/// the order they were removed within that operation. Notifications from different threads are
/// not ordered with respect to each other. The listener may call back into the store.
///
/// Thread-safety: every public member function is thread-safe unless it says otherwise. Each
/// takes at most one shard lock at a time, for O(1) expected work plus at most `expire_budget`
/// timers, except where documented (`clear`, `for_each`, `run_pending`, resizing).
/// Pass `Mutex = NullMutex` for a single-threaded store that pays nothing for locking.

#include <cachet/clock.hpp>
#include <cachet/detail/config.hpp>
#include <cachet/detail/flat_index.hpp>
#include <cachet/detail/hash.hpp>
#include <cachet/detail/node_pool.hpp>
#include <cachet/eviction/access_clock.hpp>
#include <cachet/eviction/lru.hpp>
#include <cachet/eviction/policy.hpp>
#include <cachet/eviction/tinylfu.hpp>
#include <cachet/mutex.hpp>
#include <cachet/timer_wheel.hpp>

#include <algorithm>
#include <cassert>
#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN

/// Why an entry left the store (after Caffeine's `RemovalCause`).
enum class RemovalCause : std::uint8_t {
    erased,    ///< removed explicitly: erase, get_and_erase, clear, an update that deleted it
    replaced,  ///< its value was overwritten by a put (the listener sees the old value)
    expired,   ///< its TTL ran out
    evicted,   ///< the bound was exceeded and the policy chose it (or it was too heavy to keep)
};

[[nodiscard]] constexpr std::string_view to_string(RemovalCause c) noexcept {
    switch (c) {
        case RemovalCause::erased: return "erased";
        case RemovalCause::replaced: return "replaced";
        case RemovalCause::expired: return "expired";
        case RemovalCause::evicted: return "evicted";
    }
    return "unknown";
}

/// What a write did to a key, reported to `StoreOptions::write_listener` (the write-side
/// counterpart of `RemovalCause`, for keyspace notifications).
enum class WriteEvent : std::uint8_t {
    set,      ///< a value was written (a new key, or an overwrite)
    update,   ///< the value was changed in place (an increment, a container push, ...)
    expire,   ///< a TTL was set
    persist,  ///< the TTL was removed
    /// a key that was absent was added; announced first, before the write that added it
    /// (Redis's `new` event, class 'n')
    created,
};

[[nodiscard]] constexpr std::string_view to_string(WriteEvent e) noexcept {
    switch (e) {
        case WriteEvent::set: return "set";
        case WriteEvent::update: return "update";
        case WriteEvent::expire: return "expire";
        case WriteEvent::persist: return "persist";
        case WriteEvent::created: return "new";
    }
    return "unknown";
}

/// The remaining time to live of a key, as Redis's TTL reports it (-2, -1 or the time).
struct KeyTtl {
    enum class State : unsigned char { missing, persistent, expiring };
    State state = State::missing;
    std::chrono::milliseconds remaining{0};  ///< meaningful when `expiring`; at least 1 ms

    [[nodiscard]] bool exists() const noexcept { return state != State::missing; }
    [[nodiscard]] bool has_expiry() const noexcept { return state == State::expiring; }
    friend bool operator==(const KeyTtl&, const KeyTtl&) = default;
};

/// Where a store's entry nodes live. True: in pages the store maps and pools itself (see
/// detail/node_pool.hpp): no malloc header per node, and with `StoreOptions::huge_pages` the
/// pages are transparent huge pages, so a large store's nodes need far fewer TLB entries. False:
/// each node from `operator new`, next to the heap blocks its key and value allocate as they
/// are built (a `std::string` key longer than its small buffer), which a lookup then finds in
/// the same or the adjacent cache line; pooling would move the node away from them.
/// Default: true when key and value are trivially copyable (they own no heap memory).
/// Specialise it for types whose usual values are self-contained (the RESP Database does, for
/// its inline keys and short-string values).
template <class K, class V>
struct node_pooling
    : std::bool_constant<std::is_trivially_copyable_v<K> && std::is_trivially_copyable_v<V>> {};

/// Whether a store's time can be held still for the calling thread by a `FrozenTime` of its
/// clock type (Redis's time snapshot: keys do not expire in the middle of a script or a
/// transaction). False by default; the RESP Database's keyspaces set it. Such a store reads one
/// thread-local variable on each `now_ms()`.
template <class K, class V>
struct time_freezing : std::false_type {};

namespace detail {
/// The calling thread's frozen time for stores of clock type `C`, in ms; `no_deadline`: none.
template <class C>
inline thread_local std::uint64_t t_frozen_ms = no_deadline;
}  // namespace detail

/// While it lives, every store of clock type `C` whose `time_freezing` is true reads `ms` as
/// its time on the constructing thread: nothing it holds expires, TTLs are measured from `ms`,
/// and its wheel does not advance. Other threads are not affected. Nested: an inner one keeps
/// the outer's time. Not copyable or movable; destroy it on the thread that made it.
template <class C>
class FrozenTime {
public:
    explicit FrozenTime(std::uint64_t ms) noexcept : m_saved(detail::t_frozen_ms<C>) {
        if (m_saved == no_deadline) detail::t_frozen_ms<C> = ms;
    }
    ~FrozenTime() { detail::t_frozen_ms<C> = m_saved; }
    FrozenTime(const FrozenTime&) = delete;
    FrozenTime& operator=(const FrozenTime&) = delete;

private:
    std::uint64_t m_saved;
};

/// Construction options of a store, validated once by the constructor (`validate()`).
/// ```cpp
/// cachet::KvStore<std::string, User> users({.max_entries = 10'000, .default_ttl = 30s});
/// ```
template <class K, class V>
struct StoreOptions {
    using weigher_type = std::function<std::uint64_t(const K&, const V&)>;
    using listener_type = std::function<void(const K&, const V&, RemovalCause)>;
    /// `(key, event, name)`: `name` is Redis's name for the event (`set`, `expire`, `persist`,
    /// or for an `update` the operation's own, such as `incrby`, `lpush` or `zadd`).
    using write_listener_type = std::function<void(const K&, WriteEvent, std::string_view)>;
    using miss_listener_type = std::function<void(const K&)>;

    /// Number of shards, a power of two up to 4096; 0 picks one: 64 x hardware threads rounded
    /// up to a power of two (at most 1,024), and for a store bounded by `max_entries`, no more
    /// than one shard per 2,048 entries, since each shard enforces its share of the bound on its
    /// own. Many shards keep threads off each other's locks; an idle shard costs ~200 bytes
    /// (~130 more when nodes are pooled), plus ~25 KB for its timing wheel once it holds an
    /// entry with a TTL, and with pooled nodes a 4 KiB page once it holds an entry.
    std::size_t shards = 0;
    /// Bound on the number of entries; 0 for none. Split evenly over the shards.
    std::uint64_t max_entries = 0;
    /// Bound on the total weight given by `weigher`; 0 for none. Split evenly over the shards,
    /// so a single entry heavier than `max_weight / shards` is rejected (evicted at once).
    std::uint64_t max_weight = 0;
    /// Weight of an entry, called under the shard lock on insert and after each update; must
    /// not throw or touch the store, and must return at most 2^32 - 1 (heavier is rejected).
    weigher_type weigher{};
    /// TTL of entries written without one; zero means they do not expire.
    std::chrono::milliseconds default_ttl{0};
    /// Eviction policy of a bounded store: W-TinyLFU by default (frequency-aware admission,
    /// adaptive window; its hits take only the shard's shared lock), or exact LRU.
    Eviction eviction = Eviction::tinylfu;
    /// Called for every entry that leaves the store, outside the lock (see the header comment).
    listener_type removal_listener{};
    /// Whether `removal_listener` also hears of overwritten values (cause `replaced`). An
    /// overwrite it hears of copies the key and allocates a node to carry the old value past
    /// the lock; a listener that has no use for them (the RESP Database's) turns them off.
    bool report_replaced = true;
    /// Called after each write that took effect (created, set, update, expire, persist; in
    /// that order within one operation), outside the lock, on the writing thread, after the
    /// removal notifications of the same operation. Off (and free) when empty; when set, each
    /// write copies its key once.
    write_listener_type write_listener{};
    /// Called with the key of each lookup that found nothing: a `read` (the containers' gets
    /// and visits) of an absent or expired key, and `count_lookup(key, false)`; outside the
    /// lock, on the reading thread (Redis's `keymiss` event). A lookup by a key type other than
    /// `K` builds a `K` from it (and is not reported if `K` cannot be built from it). Off (and
    /// free) when empty; peeks (`contains`, `ttl`, ...) do not call it.
    miss_listener_type miss_listener{};
    /// Timers each operation may look at when it advances its shard's wheel (at least 1).
    std::size_t expire_budget = 16;
    /// For a store whose nodes are pooled (`node_pooling`): the pool's 2 MiB regions are
    /// advised as transparent huge pages (`madvise(MADV_HUGEPAGE)`, which takes effect when the
    /// system's THP mode is `madvise` or `always`): a large store's nodes then take a TLB entry
    /// per 2 MiB instead of per 4 KiB. Off: the same pages, no advice.
    bool huge_pages = true;

    /// Throws `std::invalid_argument` naming the first inconsistent setting.
    void validate() const {
        auto fail = [](const char* what) {
            throw std::invalid_argument(std::string("cachet::StoreOptions: ") + what);
        };
        if (shards != 0 && (!std::has_single_bit(shards) || shards > 4096))
            fail("shards must be 0 (automatic) or a power of two no greater than 4096");
        if (max_weight != 0 && !weigher) fail("max_weight needs a weigher");
        if (weigher && max_weight == 0) fail("a weigher needs max_weight");
        if (default_ttl.count() < 0) fail("default_ttl must not be negative");
        if (expire_budget == 0) fail("expire_budget must be at least 1");
        if (shards != 0 && max_entries != 0 && max_entries < shards)
            fail("max_entries must be at least the number of shards");
    }
};

/// A snapshot of a store's counters, summed over its shards. Counters are exact; the snapshot is
/// not atomic across shards.
struct StoreStats {
    std::uint64_t hits = 0;            ///< lookups that found a live entry
    std::uint64_t misses = 0;          ///< lookups that found nothing (or an expired entry)
    std::uint64_t puts = 0;            ///< values written (inserts and overwrites)
    std::uint64_t evictions = 0;       ///< entries removed to respect the bound
    std::uint64_t evicted_weight = 0;  ///< total weight of those entries
    std::uint64_t expirations = 0;     ///< entries removed because their TTL ran out
    std::uint64_t erasures = 0;        ///< entries removed explicitly
    std::uint64_t size = 0;            ///< entries stored (expired ones not yet reclaimed too)
    std::uint64_t weight = 0;          ///< total weight (equals size when there is no weigher)

    [[nodiscard]] std::uint64_t requests() const noexcept { return hits + misses; }
    /// hits / (hits + misses), or 1.0 before any lookup (as Caffeine reports it).
    [[nodiscard]] double hit_ratio() const noexcept {
        return requests() == 0 ? 1.0
                               : static_cast<double>(hits) / static_cast<double>(requests());
    }
};

namespace detail {

/// One key's node: key, value, deadline and wheel links, hash and weight, the policy's hook.
/// Key and value come first in the node, followed by the deadline and the wheel links, so a
/// lookup that checks expiry reads one contiguous span (for 8-byte keys and values, 24 bytes:
/// with pooled 72-byte nodes, one cache line for 3 lookups in 4), and a write that renews a
/// TTL the span after it; what a hit may also read or set (the hash for the frequency
/// sketch, the policy's reference bit, the access record) comes next, and the policy's links,
/// which only writers follow, last.
template <class K, class V>
struct EntryData {
    template <class KK, class... A>
    explicit EntryData(KK&& k, A&&... a) : key(std::forward<KK>(k)), value(std::forward<A>(a)...) {}
    K key;
    V value;
};

struct EntryHash {
    std::uint32_t hash;        ///< low 32 bits of the mixed hash (the index's hash)
    std::uint32_t weight = 1;  ///< 1 when the store has no weigher
};

template <class K, class V>
struct Entry : EntryData<K, V>, TimerHook, EntryHash, PolicyHook {
    template <class KK, class... A>
    explicit Entry(std::uint32_t h, KK&& k, A&&... a)
        : EntryData<K, V>(std::forward<KK>(k), std::forward<A>(a)...), EntryHash{h} {}
};

/// Entries unlinked under a shard lock, waiting to be announced and freed after it is released.
/// An intrusive singly linked list through the (now unused) wheel link, with the removal cause
/// kept in the pointer's low bits, so collecting them never allocates.
template <class E, bool Pooled>
class RemovalBatch {
public:
    RemovalBatch() = default;
    RemovalBatch(const RemovalBatch&) = delete;
    RemovalBatch& operator=(const RemovalBatch&) = delete;
    ~RemovalBatch() { release<false, int>(nullptr); }

    /// Takes ownership of the unlinked `e`. Precondition: `e` is in no wheel.
    void push(E* e, RemovalCause cause) noexcept {
        static_assert(alignof(E) >= 4, "removal cause is kept in the low two pointer bits");
        e->timer_prev = nullptr;
        e->timer_next = nullptr;
        const auto tagged = reinterpret_cast<std::uintptr_t>(e) | static_cast<std::uintptr_t>(cause);
        if (m_tail) m_tail->timer_next = reinterpret_cast<TimerLinks*>(tagged);
        else m_head = tagged;
        m_tail = e;
    }
    [[nodiscard]] bool empty() const noexcept { return m_head == 0; }

    /// Calls `listener(key, value, cause)` for each entry in removal order (if `listener` is
    /// set), then frees it. If the listener throws, the rest are still announced and freed, and
    /// the first exception is rethrown.
    template <class L>
    void deliver(const L* listener) {
        if (CACHET_LIKELY(m_head == 0)) return;
        release<true>(listener);
    }

private:
    template <bool Rethrow, class L = int>
    void release(const L* listener) {
        std::exception_ptr first;
        std::uintptr_t cur = m_head;
        m_head = 0;
        m_tail = nullptr;
        while (cur != 0) {
            E* e = reinterpret_cast<E*>(cur & ~std::uintptr_t{3});
            const auto cause = static_cast<RemovalCause>(cur & 3);
            cur = reinterpret_cast<std::uintptr_t>(e->timer_next);
            if constexpr (!std::is_same_v<L, int>) {
                if (listener && *listener) {
                    try {
                        (*listener)(std::as_const(e->key), std::as_const(e->value), cause);
                    } catch (...) {
                        if (!first) first = std::current_exception();
                    }
                }
            }
            NodeDeleter<E, Pooled>{}(e);
        }
        if constexpr (Rethrow) {
            if (first) std::rethrow_exception(first);
        }
    }

    std::uintptr_t m_head = 0;
    E* m_tail = nullptr;
};

/// `c += d` for a counter that only the holder of its shard's lock writes: a plain load and
/// store, no read-modify-write instruction, while readers may load it at any time.
inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t d = 1) noexcept {
    c.store(c.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
}
inline void drop(std::atomic<std::uint64_t>& c, std::uint64_t d = 1) noexcept {
    c.store(c.load(std::memory_order_relaxed) - d, std::memory_order_relaxed);
}

}  // namespace detail

template <class K, class V, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>,
          Clock C = SteadyClock, class Mutex = SpinMutex>
class Keyspace {
public:
    using key_type = K;
    using mapped_type = V;
    using hasher = Hash;
    using key_equal = KeyEqual;
    using clock_type = C;
    using mutex_type = Mutex;
    using size_type = std::size_t;
    using options_type = StoreOptions<K, V>;
    using entry_type = detail::Entry<K, V>;

private:
    using Entry = entry_type;
    /// Whether entry nodes come from pooled pages (see `node_pooling`).
    static constexpr bool pooled = node_pooling<K, V>::value;
    using Batch = detail::RemovalBatch<Entry, pooled>;
    using EntryPtr = std::unique_ptr<Entry, detail::NodeDeleter<Entry, pooled>>;

    /// One shard: what a lookup touches first (lock, index, hit and miss counters) shares the
    /// first cache line; the timing wheel (~25 KB) is allocated when the shard first sees a TTL.
    struct alignas(detail::cache_line) Shard {
        /// Exclusive side: `Mutex`, for every write and for LRU hits; shared side: reads.
        mutable detail::ShardMutex<Mutex> mutex;
        detail::FlatIndex<Entry> index;
        // Counters are written under `mutex` only (see detail::bump) and read by anyone; hits
        // and misses of shared-lock reads are counted in the reader table instead.
        std::atomic<std::uint64_t> hits{0}, misses{0};
        std::uint32_t inserts_since_adapt = 0;  ///< tinylfu: inserts since the last adapt()
        /// Set (under `mutex`) when an entry gets a deadline, cleared (under `mutex`) by
        /// `run_pending` when the wheel is empty: false means no timer, so `run_pending` and
        /// the TTL statistics pass the shard without locking it. A reader that happens after
        /// the write that set a deadline sees true (coherence), so nothing due is missed.
        std::atomic<bool> timed{false};
        std::unique_ptr<TimerWheel<Entry>> wheel;  ///< null until an entry gets a deadline
        LruPolicy lru;       ///< order when bounded with Eviction::lru
        TinyLfuPolicy tlfu;  ///< order when bounded with Eviction::tinylfu
        std::uint64_t max_entries = 0;  ///< this shard's share of the bound; 0: none
        std::uint64_t max_weight = 0;
        std::atomic<std::uint64_t> count{0}, weight{0};
        std::atomic<std::uint64_t> puts{0}, evictions{0}, evicted_weight{0}, expirations{0},
            erasures{0};
        /// This shard's entry nodes, when pooled.
        std::conditional_t<pooled, detail::NodePool<Entry>, detail::NoPool> pool;
    };

    /// Write events of one `access`, announced after the lock is released.
    struct PendingWrites {
        std::optional<K> key;
        unsigned bits = 0;
        std::string_view name;  ///< Redis's name for the change, if the operation gave one
        std::string_view then;  ///< a second named change, announced after it (`also_name`)
        /// The named change emptied and deleted the key (SREM of the last member): announced
        /// before the removal, as Redis sends "srem" then "del".
        bool before_removals = false;
        /// The access counted itself as a lookup that missed (`Slot::count_miss`): the key, for
        /// the miss listener, which hears of it before the write events, once per entry of
        /// `miss_at` (each miss's place among the operation's lookups, for `access_many`).
        std::optional<K> missed;
        std::vector<unsigned> miss_at;
    };

    template <class Q>
    static constexpr bool lookup_key = std::is_same_v<Q, K> ||
                                       detail::is_transparent_v<Hash, KeyEqual>;

public:
    /// A handle to one key's slot, given to `access` callbacks while the shard lock is held.
    /// It reads and changes the entry; the changes take effect (index, wheel, policy, bound,
    /// notifications) when the callback returns. Valid only inside the callback.
    template <class KK>
    class Slot {
    public:
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;

        /// True if a live entry is present (created in this callback included).
        [[nodiscard]] bool exists() const noexcept { return current() != nullptr && !m_erase; }
        /// True if this callback created the entry (it was absent when the slot was opened).
        [[nodiscard]] bool created() const noexcept { return m_created != nullptr; }
        /// Precondition: `exists()`.
        [[nodiscard]] const K& key() const noexcept { return current()->key; }
        /// The value, for reading or changing in place. Precondition: `exists()`.
        [[nodiscard]] V& value() noexcept {
            m_dirty = true;
            return current()->value;
        }
        [[nodiscard]] const V& cvalue() const noexcept { return current()->value; }
        /// The value, for a change of its representation only, which is not a write: no write
        /// event, the value not marked changed (so no re-weighing either). For Redis's
        /// encoding conversions that happen whether or not the command changes anything (a
        /// string unshared as raw by SETBIT, a sorted set turned into a skiplist by SORT).
        /// Precondition: `exists()`.
        [[nodiscard]] V& value_quiet() noexcept { return current()->value; }
        /// The value, for a change that is not announced: it is re-weighed and counts as an
        /// access, but no write event (so no keyspace event, and no WATCH touched through the
        /// listener). For Redis's conversions that change a value's size (PFDEBUG TODENSE) or
        /// a change Redis leaves unannounced. Precondition: `exists()`.
        [[nodiscard]] V& value_unannounced() noexcept {
            m_dirty = true;
            m_unannounced = true;
            return current()->value;
        }

        /// Sets the value, creating the entry if it is absent (its TTL then starts as the
        /// store's default). Overwriting reports the old value to the listener as `replaced`.
        /// Allocates one node when the entry is new; the deadline is left as it is otherwise.
        template <class... A>
        V& emplace(A&&... args) {
            m_erase = false;
            if (Entry* e = current()) {
                V next(std::forward<A>(args)...);  // if this throws, nothing changed
                if (m_ks.m_report_replaced && e == m_existing && !m_replaced) {
                    // The listener gets the old value after the lock is released.
                    m_replaced.reset(
                        m_ks.new_entry(m_shard, e->hash, e->key, std::move(e->value)));
                }
                e->value = std::move(next);
                m_dirty = true;
                m_emplaced = true;
                m_ks.bump_puts(m_shard);
                return e->value;
            }
            m_created.reset(
                m_ks.new_entry(m_shard, m_hash32, K(std::forward<KK>(m_key)),
                               std::forward<A>(args)...));
            m_deadline = m_ks.m_default_ttl_ms ? m_now + m_ks.m_default_ttl_ms : no_deadline;
            m_emplaced = true;
            m_ks.bump_puts(m_shard);
            return m_created->value;
        }

        /// Removes the entry (cause `erased`). No-op if absent.
        void erase() noexcept { m_erase = true; }

        /// Counts this access as a lookup for reading that found nothing: a miss in the
        /// statistics, which the miss listener hears of before the callback's write events. For
        /// an operation that reads the key before it writes it (Redis's SET ... GET and GETSET
        /// on a missing key: keymiss, new, set). Call it before `emplace` (which may move the
        /// key). Precondition: `!exists()`.
        void count_miss() {
            detail::bump(m_shard.misses);
            if (!m_ks.misses_heard()) return;
            if (!m_events.missed) m_events.missed.emplace(m_key);
            // A key named twice by one operation is looked up twice; across keys, misses are
            // announced in the order they were counted.
            m_events.miss_at.push_back(m_miss_seq ? (*m_miss_seq)++ : 0);
        }
        /// Counts this access as a lookup for reading that found the key: a hit in the
        /// statistics (not an access for the eviction policy), and an access for the entry's
        /// access record (see `set_access_tracking`).
        void count_hit() noexcept {
            detail::bump(m_shard.hits);
            m_touched = true;
        }
        /// `count_hit()` if the key exists, else `count_miss()`.
        void count_lookup() {
            if (exists()) count_hit();
            else count_miss();
        }

        /// Names this callback's change for the write listener, as Redis names the command's
        /// keyspace event (`"lpush"`, `"hincrby"`, ...), whether it created the key (reported as
        /// `set` with this name) or changed it in place (`update`; default names: `"set"` and
        /// `"update"`). `name` must outlive the store (a string literal). Marks the value
        /// changed.
        void name_update(std::string_view name) noexcept {
            m_dirty = true;
            m_events.name = name;
        }
        /// Declares that the callback, though it took `value()` for changing, left the value as
        /// it was (Redis's commands that find nothing to change): no write event, no update.
        /// Precondition: the value is indeed unchanged (its weight is not recomputed).
        void unchanged() noexcept { m_dirty = false; }
        /// After `emplace` created the entry: the creation is announced (`created`), but not as
        /// a write of the value (no `set`, no `update`). For Redis's dbAdd of a value the command
        /// then leaves as it was made: BITFIELD whose writes all fail under OVERFLOW FAIL
        /// creates its key zero-filled, with the "new" event but no "setbit" and no WATCH or
        /// tracking touched. Precondition: `created()`.
        void announce_creation_only() noexcept {
            m_emplaced = false;
            m_unannounced = true;
        }
        /// Names a second change of the same key by the same operation, announced (as an
        /// `update`) after the one `name_update` named: LMOVE from a list to itself is Redis's
        /// "lpush" then "rpop". Requires `name_update` first; `name` as for it.
        void also_name(std::string_view name) noexcept { m_events.then = name; }

        /// The entry's access record (see `Keyspace::set_access_tracking`): to carry it to
        /// another key with `set_access_record` (Redis's RENAME and MOVE keep the object, and
        /// its idle time or counter). Precondition: `exists()`.
        [[nodiscard]] std::uint32_t access_record() const noexcept {
            return current()->access_word.load(std::memory_order_relaxed);
        }
        /// Sets the entry's access record as the callback ends, instead of recording this
        /// access in it. Precondition: `exists()`.
        void set_access_record(std::uint32_t record) noexcept { m_record = record; }
        /// Sets the access record of an entry last accessed `idle` ago (`last_access`
        /// tracking; Redis's RESTORE ... IDLETIME), or, under `frequency` tracking, whose
        /// counter is `count` (at most 255; RESTORE ... FREQ). Whichever does not match the
        /// store's mode is ignored, as Redis ignores it. Precondition: `exists()`.
        void set_idle_time(std::chrono::seconds idle) noexcept {
            if (m_ks.m_access.mode() == AccessTracking::last_access)
                m_record = detail::AccessClock::with_idle(
                    static_cast<std::uint64_t>(std::max<std::int64_t>(idle.count(), 0)), m_now);
        }
        void set_access_count(unsigned count) noexcept {
            if (m_ks.m_access.mode() == AccessTracking::frequency)
                m_record = detail::AccessClock::with_count(count, m_now);
        }

        /// The time the slot was opened at, in ms of the store's clock.
        [[nodiscard]] std::uint64_t now_ms() const noexcept { return m_now; }
        /// The entry's deadline in ms of the store's clock, or `no_deadline`.
        [[nodiscard]] std::uint64_t deadline_ms() const noexcept { return m_deadline; }
        /// Sets the deadline (ms of the store's clock); one at or before `now_ms()` removes the
        /// entry as expired. `no_deadline` makes it persistent. Precondition: `exists()`.
        void set_deadline_ms(std::uint64_t d) noexcept {
            m_deadline = d;
            m_deadline_touched = true;
        }
        /// Sets the TTL to `ttl` from now, rounded up to whole milliseconds. A TTL of zero or
        /// less expires the entry at once. Precondition: `exists()`.
        template <class Rep, class Period>
        void set_ttl(std::chrono::duration<Rep, Period> ttl) noexcept {
            m_deadline = ttl.count() > 0 ? m_now + detail::ceil_ms(ttl) : m_now;
            m_deadline_touched = true;
        }
        /// Removes the TTL. Precondition: `exists()`.
        void persist() noexcept {
            m_deadline = no_deadline;
            m_deadline_touched = true;
        }
        /// Gives the entry the TTL a fresh write gets: the store's default TTL from now, or
        /// none. After `emplace`, the TTL change is not announced separately (no `persist` or
        /// `expire` event: the value was replaced, as Redis's setKey does). Precondition:
        /// `exists()`.
        void reset_ttl() noexcept {
            m_deadline = m_ks.m_default_ttl_ms ? m_now + m_ks.m_default_ttl_ms : no_deadline;
            m_deadline_touched = true;
            m_ttl_reset = true;
        }

    private:
        friend class Keyspace;
        Slot(Keyspace& ks, Shard& s, Entry* e, std::uint64_t hv, std::uint64_t now, KK&& key,
             Batch& batch) noexcept
            : m_ks(ks), m_shard(s), m_existing(e), m_hash32(static_cast<std::uint32_t>(hv)),
              m_now(now), m_key(std::forward<KK>(key)), m_batch(batch),
              m_deadline(e ? e->deadline : no_deadline) {}

        [[nodiscard]] Entry* current() const noexcept {
            return m_created ? m_created.get() : m_existing;
        }

        /// Applies the callback's changes. Strong guarantee for a new entry: if indexing it
        /// throws, nothing changed.
        void commit() {
            if (m_ks.m_write_listener && m_ks.m_write_events.load(std::memory_order_acquire) &&
                current()) {
                if (!m_erase) record_events();
                else if (m_dirty && !m_events.name.empty()) record_erasing_update();
            }
            if (m_replaced) m_batch.push(m_replaced.release(), RemovalCause::replaced);
            if (m_deadline != no_deadline && !m_erase) m_ks.ensure_wheel(m_shard, m_now);
            if (m_created) {
                if (m_erase) return;  // created and erased in one callback: never existed
                Entry* e = m_created.get();
                e->weight = m_ks.weigh(e);          // user code: before anything is linked
                if (m_record) e->access_word.store(*m_record, std::memory_order_relaxed);
                else if (m_ks.m_access.mode() != AccessTracking::none)
                    e->access_word.store(m_ks.m_access.fresh(m_now), std::memory_order_relaxed);
                if (m_ks.m_bounded && m_ks.m_eviction == Eviction::tinylfu)
                    m_shard.tlfu.reserve_insert();  // may throw; nothing linked yet
                // An expired entry held in place (hold_expired) makes way for the new one.
                if (m_held) m_ks.remove(m_shard, std::exchange(m_held, nullptr), RemovalCause::expired, m_batch);
                m_shard.index.insert(m_hash32, e);  // may throw; then unique_ptr frees e
                m_created.release();
                m_ks.link_new(m_shard, e, m_deadline, m_now, m_batch);
                return;
            }
            Entry* e = m_existing;
            if (!e) return;
            if (m_erase) {
                m_ks.remove(m_shard, e, RemovalCause::erased, m_batch);
                return;
            }
            // A write (of the value or the TTL) or a counted read is an access (Redis's
            // lookupKeyWrite / lookupKeyRead); a peek is not (its LOOKUP_NOTOUCH).
            if (m_record) e->access_word.store(*m_record, std::memory_order_relaxed);
            else if ((m_dirty || m_touched || m_deadline_touched) && m_ks.m_access.mode() != AccessTracking::none)
                m_ks.m_access.touch(e->access_word, m_now);
            m_ks.after_update(m_shard, e, m_dirty, m_deadline, m_now, m_batch);
        }

        /// Notes which write events this callback caused, with a copy of the key (the entry may
        /// be gone by the time they are announced).
        void record_events() {
            unsigned bits = 0;
            if (m_created) bits |= 1u << static_cast<unsigned>(WriteEvent::created);
            if (m_emplaced) bits |= 1u << static_cast<unsigned>(WriteEvent::set);
            else if (m_dirty && !m_unannounced) bits |= 1u << static_cast<unsigned>(WriteEvent::update);
            const std::uint64_t before = m_created ? no_deadline : m_existing->deadline;
            // A value replaced wholesale with a fresh TTL (reset_ttl after emplace: Redis's
            // setKey) is announced as the write alone, not also as persist/expire. A TTL set is
            // announced even when the deadline is the one the key had (Redis announces every
            // EXPIRE that succeeds); a TTL removed only when there was one.
            if (m_deadline_touched && !(m_ttl_reset && m_emplaced)) {
                if (m_deadline != no_deadline)
                    bits |= 1u << static_cast<unsigned>(WriteEvent::expire);
                else if (before != no_deadline)
                    bits |= 1u << static_cast<unsigned>(WriteEvent::persist);
            }
            if (bits == 0) return;
            m_events.key.emplace(current()->key);
            m_events.bits = bits;
            // A deadline already passed expires the entry as the callback ends: the write
            // comes first, then its expiry (Redis's SET ... EXAT <past>: set, expire, expired).
            m_events.before_removals = m_deadline <= m_now;
        }

        /// A named change that left the key to be deleted (its container emptied): announced
        /// before the removal. A key created and emptied by one operation (a push whose
        /// elements all went to blocked consumers) is announced too, as created (`set` with the
        /// name: Redis's "rpush"), though it never entered the index and no removal follows.
        void record_erasing_update() {
            m_events.key.emplace(current()->key);
            m_events.bits = m_created ? (1u << static_cast<unsigned>(WriteEvent::created)) |
                                            (1u << static_cast<unsigned>(WriteEvent::set))
                                      : 1u << static_cast<unsigned>(WriteEvent::update);
            m_events.before_removals = true;
        }

        Keyspace& m_ks;
        unsigned* m_miss_seq = nullptr;  ///< access_many's count of misses so far
        Shard& m_shard;
        Entry* m_existing;
        Entry* m_held = nullptr;  ///< an expired entry left in place (hold_expired), replaced on create
        EntryPtr m_created;
        EntryPtr m_replaced;
        std::uint32_t m_hash32;
        std::uint64_t m_now;
        KK&& m_key;
        Batch& m_batch;
        std::uint64_t m_deadline;
        bool m_dirty = false;
        bool m_unannounced = false;  ///< value_unannounced: no update event for m_dirty
        bool m_emplaced = false;
        bool m_deadline_touched = false;
        bool m_ttl_reset = false;  ///< reset_ttl() was called (a wholesale replacement)
        bool m_touched = false;    ///< a counted read hit (count_hit)
        std::optional<std::uint32_t> m_record;  ///< set_access_record and friends
        PendingWrites m_events;
        bool m_erase = false;
    };

    /// A store configured by `options` (validated; throws `std::invalid_argument`), reading
    /// time from `clock`.
    explicit Keyspace(options_type options = {}, C clock = C{})
        : m_clock(std::move(clock)) {
        options.validate();
        m_listener = std::move(options.removal_listener);
        m_report_replaced = m_listener && options.report_replaced;
        m_write_listener = std::move(options.write_listener);
        m_miss_listener = std::move(options.miss_listener);
        m_weigher = std::move(options.weigher);
        m_default_ttl_ms =
            options.default_ttl.count() > 0 ? detail::ceil_ms(options.default_ttl) : 0;
        m_expire_budget = options.expire_budget;
        m_eviction = options.eviction;
        m_bounded = options.max_entries != 0 || options.max_weight != 0;
        const std::size_t n = options.shards ? options.shards : default_shards(options);
        m_shard_shift = static_cast<unsigned>(64 - std::countr_zero(n));
        m_readers = std::make_unique<detail::ReaderTable>(n);
        m_shards.reset(new Shard[n]);
        if constexpr (pooled)
            m_arena = std::make_unique<detail::NodeArena<Entry>>(options.huge_pages);
        for (std::size_t i = 0; i < n; ++i) {
            m_shards[i].mutex.bind(m_readers.get(), i);
            m_shards[i].pool.bind(m_arena.get());
        }
        m_shard_count = n;
        m_max_entries = options.max_entries;
        m_max_weight = options.max_weight;
        distribute_bounds();
    }

    Keyspace(const Keyspace&) = delete;
    Keyspace& operator=(const Keyspace&) = delete;

    /// Stops the janitor and frees every entry without notifying the listener.
    ~Keyspace() {
        stop_janitor();
        for (std::size_t i = 0; i < m_shard_count; ++i)
            m_shards[i].index.for_each([](Entry* e) { detail::NodeDeleter<Entry, pooled>{}(e); });
    }

    // ---------------------------------------------------------------- the core primitive

    /// Runs `f(Slot&)` on `key`'s slot under its shard lock and applies what it did: create,
    /// overwrite, change in place, erase, set or clear the TTL. Returns what `f` returns (not a
    /// reference: nothing may point into the store after the lock is released). `f` must not
    /// call into this store (deadlock) and should be short: it holds the shard lock.
    /// Complexity: O(1) expected plus `f`, plus at most `expire_budget` timers.
    /// Exceptions: if `f` throws, a value it changed in place stays changed (basic guarantee);
    /// nothing else it asked for takes effect.
    template <class KK, class F>
    auto access(KK&& key, F&& f) {
        using R = std::invoke_result_t<F&, Slot<KK>&>;
        static_assert(!std::is_reference_v<R>, "access must not return references into the store");
        PendingWrites writes;
        auto run = [&](Shard& s, std::uint64_t hv, std::uint64_t now, Batch& batch) {
            Entry* held = nullptr;
            Slot<KK> slot(*this, s, find_live(s, hv, key, now, batch, &held), hv, now,
                          std::forward<KK>(key), batch);
            slot.m_held = held;
            // If `f` throws, a lookup it counted is still announced (by the caller below).
            if constexpr (std::is_void_v<R>) {
                try {
                    f(slot);
                } catch (...) {
                    writes = std::move(slot.m_events);
                    throw;
                }
                slot.commit();
                writes = std::move(slot.m_events);
            } else {
                std::optional<R> r;
                try {
                    r.emplace(f(slot));
                } catch (...) {
                    writes = std::move(slot.m_events);
                    throw;
                }
                slot.commit();
                writes = std::move(slot.m_events);
                return std::move(*r);
            }
        };
        Batch batch;
        auto finish = [&] {  // a counted miss, then the writes (the lookup came first)
            if (writes.before_removals) {
                announce_misses(writes);
                announce(writes);
            }
            batch.deliver(listener());
            if (!writes.before_removals) {
                announce_misses(writes);
                announce(writes);
            }
        };
        if constexpr (std::is_void_v<R>) {
            try {
                locked_into(key, run, batch);
            } catch (...) {
                announce_misses(writes);
                throw;
            }
            finish();
        } else {
            std::optional<R> r;
            try {
                r.emplace(locked_into(key, run, batch));
            } catch (...) {
                announce_misses(writes);
                throw;
            }
            finish();
            return std::move(*r);
        }
    }

    /// The slots of several keys, given to `access_many` callbacks: `slots[i]` is the slot of
    /// `keys[i]`; equal keys share one slot. Valid only inside the callback.
    template <class Q = K>
    class Slots {
    public:
        Slots(const Slots&) = delete;
        Slots& operator=(const Slots&) = delete;
        [[nodiscard]] std::size_t size() const noexcept { return m_of_key.size(); }
        [[nodiscard]] Slot<const Q&>& operator[](std::size_t i) noexcept {
            return *m_unique[m_of_key[i]];
        }

    private:
        friend class Keyspace;
        Slots() = default;
        std::vector<std::unique_ptr<Slot<const Q&>>> m_unique;  ///< one per distinct key
        std::vector<std::size_t> m_of_key;                      ///< keys[i] -> m_unique index
    };

    /// Runs `f(Slots&)` with the shards of all `keys` locked at once, so a change to several
    /// keys (a move between two lists, a set operation stored into a destination) is atomic:
    /// no other thread sees one key changed and not the other. Shards are locked in index
    /// order, so concurrent calls cannot deadlock. The changes are applied in key order when
    /// `f` returns, then notifications go out after the locks are released, key by key in key
    /// order (each key's write event and removals, as `access` orders them). `f` must not call
    /// into this store. Complexity: O(k log k) for k keys plus `f`, plus at most
    /// `expire_budget` timers per shard. Allocates O(k). Exceptions: as `access`.
    template <class Q, class F>
    auto access_many(std::span<const Q> keys, F&& f) {
        using R = std::invoke_result_t<F&, Slots<Q>&>;
        static_assert(!std::is_reference_v<R>, "access_many must not return references");
        const std::size_t n = keys.size();
        std::vector<std::uint64_t> hashes(n);
        std::vector<std::size_t> shard_ids(n);
        for (std::size_t i = 0; i < n; ++i) {
            hashes[i] = hash_of(keys[i]);
            shard_ids[i] = shard_index(hashes[i]);
        }
        const std::vector<std::size_t> first = first_occurrences(keys, hashes);  // before locking
        std::vector<std::size_t> order = shard_ids;
        std::sort(order.begin(), order.end());
        order.erase(std::unique(order.begin(), order.end()), order.end());
        const std::uint64_t now = now_ms();
        Batch batch;  // maintenance and entries found expired on the way
        std::vector<std::unique_ptr<Batch>> key_batches;  // what each key's change removed
        std::vector<PendingWrites> writes;                // each key's write events
        unsigned miss_seq = 0;                            // lookups counted as misses so far
        std::optional<std::conditional_t<std::is_void_v<R>, char, R>> result;
        try {
            // Lock in ascending shard order; the guard unlocks whatever was locked.
            struct Guard {
                Keyspace& ks;
                std::vector<std::size_t>& ids;
                std::size_t locked = 0;
                ~Guard() {
                    while (locked > 0) ks.m_shards[ids[--locked]].mutex.unlock();
                }
            } guard{*this, order};
            for (std::size_t id : order) {
                m_shards[id].mutex.lock();
                ++guard.locked;
                maintain(m_shards[id], now, batch);
            }
            Slots<Q> slots;
            slots.m_of_key.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                if (first[i] != i) {  // a repeat of an earlier key: its slot
                    slots.m_of_key[i] = slots.m_of_key[first[i]];
                    continue;
                }
                slots.m_of_key[i] = slots.m_unique.size();
                Shard& s = m_shards[shard_ids[i]];
                Entry* held = nullptr;
                Entry* live = find_live(s, hashes[i], keys[i], now, batch, &held);
                key_batches.emplace_back(new Batch);
                slots.m_unique.emplace_back(new Slot<const Q&>(*this, s, live, hashes[i], now,
                                                               keys[i], *key_batches.back()));
                slots.m_unique.back()->m_held = held;
                slots.m_unique.back()->m_miss_seq = &miss_seq;
            }
            try {
                if constexpr (std::is_void_v<R>) f(slots);
                else result.emplace(f(slots));
            } catch (...) {  // the lookups made before the error still count (announced below)
                for (auto& slot : slots.m_unique) writes.push_back(std::move(slot->m_events));
                throw;
            }
            writes.reserve(slots.m_unique.size());
            for (auto& slot : slots.m_unique) {
                slot->commit();
                writes.push_back(std::move(slot->m_events));
            }
        } catch (...) {
            batch.deliver(listener());
            announce_misses(writes);
            throw;
        }
        // Key by key, in key order: each key's write event and what its change removed (its
        // own removal after a change that emptied it, as Redis sends "srem", "del"). So a
        // multi-key change is announced as the operation describes it: SMOVE "srem src",
        // "del src", "sadd dst"; LMOVE (destination first) "rpush dst", "lpop src", "del src".
        // The lookups that missed come first: an operation reads its keys before it writes.
        batch.deliver(listener());
        announce_misses(writes);
        for (std::size_t i = 0; i < writes.size(); ++i) {
            if (writes[i].before_removals) announce(writes[i]);
            key_batches[i]->deliver(listener());
            if (!writes[i].before_removals) announce(writes[i]);
        }
        if constexpr (!std::is_void_v<R>) return std::move(*result);
    }

    /// Calls `f(const K&, const V&)` on `key`'s live entry and records the access (a hit; the
    /// policy sees it). Returns false, a miss, if there is none. `f` may instead take a third
    /// argument, the operation's time in ms of the store's clock (saves a second clock read).
    /// `f` must not call into this store. Complexity: O(1) expected plus `f`.
    ///
    /// Locking: the shard's *shared* side (see detail::ShardMutex), unless the store is bounded
    /// with `Eviction::lru`, whose exact order needs the exclusive lock to relink on a hit
    /// (unless `set_lru_tracking(false)`: then such a hit is only counted). Under
    /// the shared lock `f` may run at the same time as other readers' callbacks on the same
    /// shard (and entry), never with a writer; it sees the value as const. The hit is recorded
    /// for the policy with relaxed per-entry and sketch updates, and counted in the reader's own
    /// stripe. A read changes nothing else: an expired entry is a miss and is left for the
    /// timing wheel, which a reader advances only when time has moved and the exclusive lock is
    /// free at once (try-lock), so expiry stays active on read-mostly workloads.
    template <class Q, class F>
        requires lookup_key<Q>
    bool read(const Q& key, F&& f) {
        if (m_bounded && m_eviction == Eviction::lru &&
            m_lru_tracking.load(std::memory_order_relaxed))
            return read_exclusive(key, f);
        const std::uint64_t hv = hash_of(key);
        Shard& s = shard_for(hv);
        const std::uint64_t now = now_ms();
        bool hit = false, due = false, drain = false;
        {
            struct Guard {
                Shard& s;
                detail::ReaderTable::Slot& slot;
                bool& hit;
                ~Guard() { s.mutex.unlock_shared(slot, hit); }
            } g{s, s.mutex.lock_shared(), hit};
            const Entry* e = s.index.find(static_cast<std::uint32_t>(hv),
                                          [&](const Entry* x) { return m_eq(x->key, key); });
            due = s.wheel && s.wheel->needs_advance(now);
            if (e && CACHET_LIKELY(e->deadline > now)) {
                hit = true;
                if (CACHET_UNLIKELY(m_access.mode() != AccessTracking::none))
                    m_access.touch(const_cast<Entry*>(e)->access_word, now);
                if (m_bounded && m_eviction == Eviction::tinylfu) {
                    Entry* me = const_cast<Entry*>(e);  // only the atomic reference bit changes
                    drain = s.tlfu.record_hit(me, e->hash);
                    if (e->policy_region == TinyLfuPolicy::window)
                        detail::ShardMutex<Mutex>::count(g.slot.window_hits);
                }
                if constexpr (std::is_invocable_v<F&, const K&, const V&, std::uint64_t>)
                    f(e->key, e->value, now);
                else
                    f(e->key, e->value);
            } else {
                detail::ShardMutex<Mutex>::count(g.slot.misses);
            }
        }
        if (CACHET_UNLIKELY(due)) maintain_if_free(s, now);
        if (CACHET_UNLIKELY(drain)) drain_hits_if_free(s);
        if (!hit && misses_heard()) announce_miss(key);
        return hit;
    }

    /// Counts a lookup that was made without `read` (a `peek`, `contains`, `ttl`, ...) in the
    /// statistics, as a hit if `found` and otherwise as a miss, which the miss listener hears
    /// of if `announce`: for callers whose peeks count as lookups (Redis counts TYPE, EXISTS
    /// and TTL in keyspace_hits/misses). Takes the shard's shared lock. O(1).
    template <class Q>
        requires lookup_key<Q>
    void count_lookup(const Q& key, bool found, bool announce = true) {
        Shard& s = shard_for(hash_of(key));
        {
            auto& slot = s.mutex.lock_shared();
            if (!found) detail::ShardMutex<Mutex>::count(slot.misses);
            s.mutex.unlock_shared(slot, found);  // counts the hit
        }
        if (!found && announce && misses_heard()) announce_miss(key);
    }

    /// Exchanges every entry, with its TTL, eviction order and the statistics, with `other`,
    /// which must have been built with the same options (shard count, bound, policy). The
    /// listeners stay with their store. Not thread-safe: no other operation may run on either
    /// store meanwhile (the Database's SWAPDB holds its transaction gate exclusively). O(1).
    void swap_contents(Keyspace& other) noexcept {
        assert(m_shard_count == other.m_shard_count);
        std::swap(m_shards, other.m_shards);
        std::swap(m_readers, other.m_readers);  // each shard's mutex is bound to its table
        m_evict_pool.swap(other.m_evict_pool);   // no one evicts meanwhile (precondition)
        std::swap(m_evict_pool_kind, other.m_evict_pool_kind);
    }

    /// For a store bounded with `Eviction::lru`: whether accesses keep the recency order (exact
    /// LRU, the default) or leave it alone. Off, a hit is only counted, under the shared lock,
    /// and an update of an existing entry does not move it (relinking an entry touches both its
    /// neighbours, two cache misses on a large store); new entries still enter at the recent
    /// end, so the order is insertion order until tracking is on again and accesses reorder it.
    /// For a store whose bound is not enforced for a while (the RESP Database while no
    /// maxmemory with an evicting policy is set), so it does not pay for an order nothing uses.
    /// Thread-safe; takes effect for operations that start after it. O(1).
    void set_lru_tracking(bool on) noexcept { m_lru_tracking.store(on, std::memory_order_relaxed); }

    /// What the store records of each entry's accesses, for `idle_ms` and `access_frequency`
    /// (see eviction/access_clock.hpp): nothing (the default), the time of the last access,
    /// or Redis's LFU counter with its `log_factor` and `decay_minutes` (lfu-log-factor,
    /// lfu-decay-time). An access is a hit of `read`, a write through `access` to an existing
    /// entry (its value taken for changing, or overwritten, or its TTL set or removed), or a
    /// lookup an access counted as a hit (`Slot::count_hit`); peeks are not (`contains`,
    /// `remaining_ms`, `Slot::cvalue`).
    /// A new entry starts as just accessed (counter 5). The record lives in the entry's
    /// padding: no memory; a hit reads and, at most once a second per entry (last access) or
    /// when the counter steps, writes it. Changing the mode reinterprets the records already
    /// kept (entries written while it was off report the time since the clock's epoch).
    /// Thread-safe; takes effect for operations that start after it. O(1).
    void set_access_tracking(AccessTracking mode, unsigned lfu_log_factor = 10,
                             unsigned lfu_decay_minutes = 1) noexcept {
        m_access.set(mode, lfu_log_factor, lfu_decay_minutes);
    }
    [[nodiscard]] AccessTracking access_tracking() const noexcept { return m_access.mode(); }

    /// How long ago `key`'s live entry was last accessed, in ms (whole seconds, as Redis's
    /// OBJECT IDLETIME), under `AccessTracking::last_access`; nullopt if the key is absent.
    /// In another mode the figure means nothing. A peek. O(1) expected.
    template <class Q>
        requires lookup_key<Q>
    [[nodiscard]] std::optional<std::uint64_t> idle_ms(const Q& key) {
        std::optional<std::uint64_t> idle;
        with_live(key, [&](Shard&, Entry* e, Batch&, std::uint64_t now) {
            if (e) idle = detail::AccessClock::idle_ms(e->access_word.load(std::memory_order_relaxed), now);
            return e != nullptr;
        });
        return idle;
    }
    /// `key`'s access counter, decayed to now (0-255, as Redis's OBJECT FREQ), under
    /// `AccessTracking::frequency`; nullopt if the key is absent. A peek. O(1) expected.
    template <class Q>
        requires lookup_key<Q>
    [[nodiscard]] std::optional<unsigned> access_frequency(const Q& key) {
        std::optional<unsigned> count;
        with_live(key, [&](Shard&, Entry* e, Batch&, std::uint64_t now) {
            if (e) count = m_access.count(e->access_word.load(std::memory_order_relaxed), now);
            return e != nullptr;
        });
        return count;
    }

    /// True if `key` has a live entry. A peek: not counted as a hit or miss, and not an access
    /// for the eviction policy. O(1) expected.
    template <class Q>
        requires lookup_key<Q>
    [[nodiscard]] bool contains(const Q& key) {
        return peek(key, [](const Entry&) {});
    }

    /// The time `key`'s live entry has left, in ms (at least 1), measured at the same instant
    /// the entry was looked up: `no_deadline` if it has none, nullopt if the key is absent.
    /// A peek. O(1) expected.
    template <class Q>
        requires lookup_key<Q>
    [[nodiscard]] std::optional<std::uint64_t> remaining_ms(const Q& key) {
        std::optional<std::uint64_t> left;
        with_live(key, [&](Shard&, Entry* e, Batch&, std::uint64_t now) {
            if (e) left = e->deadline == no_deadline ? no_deadline : e->deadline - now;
            return e != nullptr;
        });
        return left;
    }

    /// Removes `key`'s entry (cause `erased`). Returns true if a live entry was removed.
    /// O(1) expected.
    template <class Q>
        requires lookup_key<Q>
    bool erase(const Q& key) {
        return with_live(key, [&](Shard& s, Entry* e, Batch& batch, std::uint64_t) {
            if (e) remove(s, e, RemovalCause::erased, batch);
            return e != nullptr;
        });
    }

    // ---------------------------------------------------------------- whole store

    /// Number of entries, including expired ones not yet reclaimed (call `run_pending()` first
    /// for an exact count). Lock-free, O(shards); a concurrent writer may make it stale at once.
    [[nodiscard]] std::size_t size() const noexcept {
        std::uint64_t n = 0;
        for (std::size_t i = 0; i < m_shard_count; ++i)
            n += m_shards[i].count.load(std::memory_order_relaxed);
        return static_cast<std::size_t>(n);
    }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    /// Total weight (the entry count when there is no weigher). Lock-free, O(shards).
    [[nodiscard]] std::uint64_t weight() const noexcept {
        std::uint64_t w = 0;
        for (std::size_t i = 0; i < m_shard_count; ++i)
            w += m_shards[i].weight.load(std::memory_order_relaxed);
        return w;
    }
    [[nodiscard]] std::size_t shard_count() const noexcept { return m_shard_count; }
    [[nodiscard]] std::uint64_t max_entries() const noexcept { return m_max_entries; }
    [[nodiscard]] std::uint64_t max_weight() const noexcept { return m_max_weight; }
    [[nodiscard]] Eviction eviction() const noexcept { return m_eviction; }
    [[nodiscard]] const C& clock() const noexcept { return m_clock; }
    /// The TTL (ms) given to entries created without one; 0 for none.
    [[nodiscard]] std::uint64_t default_ttl_ms() const noexcept { return m_default_ttl_ms; }
    /// The store's current time in ms (its clock, rounded down), or the calling thread's frozen
    /// time (see `FrozenTime`).
    [[nodiscard]] std::uint64_t now_ms() const noexcept {
        if constexpr (time_freezing<K, V>::value) {
            if (const std::uint64_t f = detail::t_frozen_ms<C>; CACHET_UNLIKELY(f != no_deadline)) return f;
        }
        return clock_ms();
    }
    /// The clock's time in ms, never frozen.
    [[nodiscard]] std::uint64_t clock_ms() const noexcept { return detail::ms_since_epoch(m_clock); }

    /// Removes every entry; each is reported as `erased`. Locks one shard at a time, so entries
    /// written concurrently into shards already cleared survive. O(size()).
    void clear() {
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            Shard& s = m_shards[i];
            Batch batch;
            {
                std::lock_guard lock(s.mutex);
                std::vector<Entry*> all;
                all.reserve(s.index.size());
                s.index.for_each([&](Entry* e) { all.push_back(e); });
                for (Entry* e : all) remove(s, e, RemovalCause::erased, batch);
            }
            batch.deliver(listener());
        }
        std::lock_guard lock(m_evict_pool_mutex);
        m_evict_pool.clear();
    }

    /// Makes room for `n` entries in total without rehashing (split over the shards).
    void reserve(std::size_t n) {
        const std::size_t per = n / m_shard_count + 1;
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            std::lock_guard lock(m_shards[i].mutex);
            m_shards[i].index.reserve(per);
        }
    }

    /// Calls `f(const K&, const V&)` (or `f(const K&, const V&, deadline)`, the deadline in ms
    /// of the store's clock or `no_deadline`, or `f(const K&, const V&, deadline,
    /// AccessSnapshot)` with the entry's access record, see `set_access_tracking`) for every
    /// live entry, one shard at a time under that
    /// shard's lock, so each shard is seen at one instant; shards are not seen at the same
    /// instant. An entry present and unchanged for the whole call is visited exactly once;
    /// one inserted or removed meanwhile may or may not be. Not counted as hits; not accesses.
    /// `f` must not call into this store. O(size()); blocks each shard for its whole visit.
    template <class F>
    void for_each(F&& f) const {
        const std::uint64_t now = now_ms();
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            const Shard& s = m_shards[i];
            std::lock_guard lock(s.mutex);
            s.index.for_each([&](const Entry* e) {
                if (e->deadline <= now) return;
                if constexpr (std::is_invocable_v<F&, const K&, const V&, std::uint64_t, AccessSnapshot>)
                    f(std::as_const(e->key), std::as_const(e->value), e->deadline,
                      m_access.snapshot(e->access_word.load(std::memory_order_relaxed), now));
                else if constexpr (std::is_invocable_v<F&, const K&, const V&, std::uint64_t>)
                    f(std::as_const(e->key), std::as_const(e->value), e->deadline);
                else
                    f(std::as_const(e->key), std::as_const(e->value));
            });
        }
    }

    /// One step of a cursor scan over the live entries (Redis's SCAN): calls
    /// `f(const K&, const V&)` for the entries of some hash buckets, each shard under its lock,
    /// until about `count` entries were visited (or 10 x `count` buckets looked at), and
    /// returns the cursor to pass next; 0 when the scan is complete (start with 0). Redis's
    /// guarantee holds: an entry present for the whole scan is visited at least once (possibly
    /// twice). Not hits, not accesses. `f` must not call into this store. O(count) expected.
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, std::size_t count, F&& f) const {
        std::size_t shard = static_cast<std::size_t>(cursor >> 32);
        auto inner = static_cast<std::uint32_t>(cursor);
        const std::uint64_t now = now_ms();
        std::size_t seen = 0, buckets = 0;
        const std::size_t max_buckets = count * 10;
        while (shard < m_shard_count) {
            const Shard& s = m_shards[shard];
            if (s.count.load(std::memory_order_relaxed) != 0 || inner != 0) {
                std::lock_guard lock(s.mutex);
                do {
                    inner = s.index.scan(inner, [&](const Entry* e) {
                        ++seen;
                        if (e->deadline > now) f(std::as_const(e->key), std::as_const(e->value));
                    });
                    ++buckets;
                } while (inner != 0 && seen < count && buckets < max_buckets);
            } else {
                inner = 0;
            }
            if (inner != 0) return (std::uint64_t{shard} << 32) | inner;
            ++shard;
            if (seen >= count || buckets >= max_buckets) break;
        }
        return shard < m_shard_count ? std::uint64_t{shard} << 32 : 0;
    }

    /// A copy of a random live key (Redis's RANDOMKEY), or nullopt if the store is empty.
    /// Picks a random non-empty shard, then a random entry in it. O(1) expected.
    template <class Rng>
    [[nodiscard]] std::optional<K> random_key(Rng&& rng) const {
        const std::uint64_t now = now_ms();
        for (int attempt = 0; attempt < 100; ++attempt) {
            std::size_t first = static_cast<std::size_t>(rng()) & (m_shard_count - 1);
            for (std::size_t i = 0; i < m_shard_count; ++i) {
                const Shard& s = m_shards[(first + i) & (m_shard_count - 1)];
                if (s.count.load(std::memory_order_relaxed) == 0) continue;
                std::lock_guard lock(s.mutex);
                const Entry* e = s.index.random(rng);
                if (!e) continue;
                if (e->deadline > now) return e->key;
                break;  // an expired entry: try again elsewhere
            }
            if (size() == 0) return std::nullopt;
        }
        return std::nullopt;
    }

    /// An estimate of the mean time to live left of the live entries that have one, in ms (0
    /// if none is found): the mean over up to `samples` of them drawn at random, each shard
    /// chosen in proportion to its timed entries (INFO keyspace's avg_ttl; Redis too estimates
    /// it by sampling). O(shards + samples) shard locks, each held briefly; allocates.
    template <class Rng>
    [[nodiscard]] std::uint64_t sample_average_ttl_ms(Rng&& rng, std::size_t samples = 64) const {
        std::vector<std::uint64_t> upto(m_shard_count);  // running total of timed entries
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            total += timed_shard(i, wheel_size, std::uint64_t{0});
            upto[i] = total;
        }
        if (total == 0) return 0;
        const std::uint64_t now = now_ms();
        std::uint64_t sum = 0, found = 0;
        for (std::size_t attempt = 0; attempt < 4 * samples && found < samples; ++attempt) {
            const std::uint64_t pick = static_cast<std::uint64_t>(rng()) % total;
            const auto i = static_cast<std::size_t>(
                std::upper_bound(upto.begin(), upto.end(), pick) - upto.begin());
            const Shard& s = m_shards[i];
            std::lock_guard lock(s.mutex);
            const Entry* e = s.index.random(rng);
            if (e && e->deadline != no_deadline && e->deadline > now) {
                sum += e->deadline - now;
                ++found;
            }
        }
        return found ? sum / found : 0;
    }

    /// While on, expired entries stay where they are (Redis's expiry during CLIENT PAUSE):
    /// lookups still find them missing, but neither lookups, the wheel nor `run_pending`
    /// remove them, so no expiry is announced; `size()` counts them. Creating an entry under
    /// an expired key still replaces it. Thread-safe; takes effect at each shard's next lock.
    void hold_expired(bool on) noexcept { m_hold_expired.store(on, std::memory_order_relaxed); }
    [[nodiscard]] bool expired_held() const noexcept { return m_hold_expired.load(std::memory_order_relaxed); }

    /// Reclaims every expired entry now (and announces them). Returns how many. Works through
    /// each shard in chunks of 1,024 timers, releasing the lock between chunks; a shard that
    /// holds no timer is passed without taking its lock (the Database's 10 Hz expiry cycle
    /// visits 16 x shards of them).
    std::size_t run_pending() {
        if (m_hold_expired.load(std::memory_order_relaxed)) return 0;
        std::size_t total = 0;
        const std::uint64_t now = now_ms();
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            Shard& s = m_shards[i];
            for (bool more = s.timed.load(std::memory_order_relaxed); more;) {
                Batch batch;
                std::size_t n = 0;
                {
                    std::lock_guard lock(s.mutex);
                    if (!s.wheel) break;
                    more = s.wheel->advance(now, 1024, [&](Entry* e) {
                        remove(s, e, RemovalCause::expired, batch);
                        ++n;
                    }) == 0;
                    if (s.wheel->size() == 0) s.timed.store(false, std::memory_order_relaxed);
                }
                total += n;
                batch.deliver(listener());
            }
        }
        return total;
    }

    /// Number of entries with a TTL (expired ones not yet reclaimed included). O(shards),
    /// taking in turn the lock of each shard that holds timers.
    [[nodiscard]] std::size_t expiring_count() const {
        std::size_t n = 0;
        for (std::size_t i = 0; i < m_shard_count; ++i)
            n += timed_shard(i, wheel_size, std::size_t{0});
        return n;
    }

    /// The earliest deadline (ms) of any entry, or `no_deadline`. O(shards x 64 x levels).
    [[nodiscard]] std::uint64_t next_deadline_ms() const {
        std::uint64_t best = no_deadline;
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            best = std::min(best, timed_shard(i, wheel_deadline, no_deadline));
        }
        return best;
    }

    /// Starts a background thread that calls `run_pending()` every `interval`. Restarts it if
    /// it is running. The thread reads time from the store's clock.
    void start_janitor(std::chrono::milliseconds interval = std::chrono::milliseconds(100)) {
        stop_janitor();
        std::lock_guard lock(m_janitor_mutex);
        m_janitor = std::jthread([this, interval](std::stop_token stop) {
            std::mutex m;
            std::unique_lock lk(m);
            while (!stop.stop_requested()) {
                if (m_janitor_cv.wait_for(lk, stop, interval, [] { return false; })) break;
                if (stop.stop_requested()) break;
                run_pending();
            }
        });
    }
    /// Stops the janitor thread, if any, and waits for it. Must not be called from the listener
    /// while the janitor is delivering (it would wait for itself).
    void stop_janitor() {
        std::jthread t;
        {
            std::lock_guard lock(m_janitor_mutex);
            t = std::move(m_janitor);
        }
        if (t.joinable()) {
            t.request_stop();
            t.join();
        }
    }
    [[nodiscard]] bool janitor_running() const {
        std::lock_guard lock(m_janitor_mutex);
        return m_janitor.joinable();
    }

    /// Bytes the store holds in pooled node pages (see `node_pooling`), nodes freed for reuse
    /// included; 0 when its nodes come from `new`. The values' own heap memory is not counted.
    /// Takes the pool's mutex; O(regions).
    [[nodiscard]] std::size_t node_memory() const {
        return m_arena ? m_arena->reserved_bytes() : 0;
    }

    /// Sums every shard's counters. Lock-free, O(shards).
    [[nodiscard]] StoreStats stats() const noexcept {
        StoreStats st;
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            const Shard& s = m_shards[i];
            constexpr auto r = std::memory_order_relaxed;
            const auto readers = s.mutex.totals();
            st.hits += s.hits.load(r) + readers.hits;
            st.misses += s.misses.load(r) + readers.misses;
            st.puts += s.puts.load(r);
            st.evictions += s.evictions.load(r);
            st.evicted_weight += s.evicted_weight.load(r);
            st.expirations += s.expirations.load(r);
            st.erasures += s.erasures.load(r);
            st.size += s.count.load(r);
            st.weight += s.weight.load(r);
        }
        return st;
    }
    /// Zeroes the counters (not size or weight). Takes each shard lock in turn.
    void reset_stats() noexcept {
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            Shard& s = m_shards[i];
            std::lock_guard lock(s.mutex);
            s.mutex.reset_counters();
            for (auto* c : {&s.hits, &s.misses, &s.puts, &s.evictions, &s.evicted_weight,
                            &s.expirations, &s.erasures})
                c->store(0, std::memory_order_relaxed);
        }
    }

    /// Changes the entry bound (0 removes it) and evicts down to it. Throws `std::logic_error`
    /// if the store was built unbounded (it keeps no policy order to evict by), and
    /// `std::invalid_argument` if `n` is smaller than the shard count. O(evicted).
    void set_max_entries(std::uint64_t n) {
        require_bounded();
        if (n != 0 && n < m_shard_count)
            throw std::invalid_argument("cachet: max_entries must be at least the shard count");
        m_max_entries = n;
        apply_bounds();
    }
    /// Changes the weight bound (0 removes it) and evicts down to it. Needs a weigher.
    void set_max_weight(std::uint64_t w) {
        require_bounded();
        if (w != 0 && !m_weigher)
            throw std::logic_error("cachet: set_max_weight needs a store built with a weigher");
        m_max_weight = w;
        apply_bounds();
    }

    /// Evicts entries, the eviction policy's victim of one shard at a time (shards taken in
    /// turn), until the total weight is at most `target` or nothing is left to evict: a
    /// store-wide bound enforced on demand, as Redis's maxmemory is before each write (the
    /// per-shard bounds stay as they were). Returns how many entries were evicted (reported as
    /// `evicted`). Throws `std::logic_error` if the store was built unbounded. O(evicted),
    /// one shard lock at a time.
    std::size_t evict_to_weight(std::uint64_t target) {
        require_bounded();
        std::size_t evicted = 0, idle = 0;
        while (weight() > target && idle <= m_shard_count) {
            Shard& s = m_shards[m_evict_cursor.fetch_add(1, std::memory_order_relaxed) &
                                (m_shard_count - 1)];
            Batch batch;
            bool did = false;
            {
                std::lock_guard lock(s.mutex);
                if (PolicyHook* v = policy_victim(s)) {
                    remove(s, static_cast<Entry*>(v), RemovalCause::evicted, batch);
                    did = true;
                }
            }
            batch.deliver(listener());
            if (did) {
                ++evicted;
                idle = 0;
            } else {
                ++idle;
            }
        }
        return evicted;
    }

    /// How `evict_sampled_to_weight` picks its victims: Redis's approximated eviction for the
    /// maxmemory policies that do not follow the store's own order.
    struct EvictionSampling {
        /// Only entries with a TTL (Redis's volatile-* policies): a store without any evicts
        /// nothing.
        bool timed_only = false;
        enum class By : std::uint8_t {
            random,     ///< any sampled entry (allkeys-random, volatile-random)
            idle,       ///< the longest idle (`AccessTracking::last_access`; volatile-lru)
            frequency,  ///< the lowest access counter (`AccessTracking::frequency`; *-lfu)
            deadline,   ///< the nearest deadline (volatile-ttl)
        } by = By::random;
        std::size_t samples = 5;  ///< candidates per victim (Redis's maxmemory-samples)
    };

    /// `evict_to_weight` with victims chosen as Redis chooses them: for each, `samples` random
    /// entries (`rng()`: random 64-bit values) are drawn from random shards (Redis samples its
    /// whole keyspace the same way). For `By::random` the first drawn is evicted. Otherwise the
    /// draws go into an eviction pool of the 16 best candidates seen so far, ranked `by` their
    /// idle time, counter or deadline (Redis's evictionPoolPopulate, EVPOOL_SIZE), which the
    /// store keeps between calls, and the best of the pool is evicted if it is still there
    /// (else the next): each victim is then the best of many more than `samples` entries, as
    /// in Redis's approximation. With `timed_only`, entries without a TTL are never evicted;
    /// when the draws find no timed entry though some exist (they are rare), the shards are
    /// searched linearly for one (a store whose TTL keys are rare pays O(shard) per victim).
    /// Returns how many were evicted (`evicted`). Throws `std::logic_error` if the store was
    /// built unbounded. One shard lock at a time (the pool has a mutex of its own, never held
    /// while the listener runs); allocates a key copy per candidate kept.
    template <class Rng>
    std::size_t evict_sampled_to_weight(std::uint64_t target, const EvictionSampling& how, Rng&& rng) {
        require_bounded();
        using By = typename EvictionSampling::By;
        std::size_t evicted = 0;
        const std::size_t samples = std::max<std::size_t>(how.samples, 1);
        while (weight() > target) {
            const std::uint64_t now = now_ms();
            // Larger is a better victim.
            auto score = [&](const Entry* e) -> std::uint64_t {
                switch (how.by) {
                    case By::random: return 0;
                    case By::idle:
                        return detail::AccessClock::idle_ms(e->access_word.load(std::memory_order_relaxed), now);
                    case By::frequency: return 255 - m_access.count(e->access_word.load(std::memory_order_relaxed), now);
                    case By::deadline: return ~e->deadline;
                }
                return 0;
            };
            auto qualifies = [&](const Entry* e) { return !how.timed_only || e->deadline != no_deadline; };
            std::optional<EvictionCandidate> victim;
            {
                std::unique_lock pool_lock(m_evict_pool_mutex, std::defer_lock);
                if (how.by != By::random) {
                    pool_lock.lock();
                    if (m_evict_pool_kind != std::pair{how.by, how.timed_only}) {
                        m_evict_pool.clear();
                        m_evict_pool_kind = {how.by, how.timed_only};
                    }
                }
                auto take = [&](std::size_t i, const Entry* e) {
                    if (!qualifies(e)) return false;
                    if (how.by == By::random) {
                        victim = EvictionCandidate{i, e->hash, 0, e->key};
                        return true;
                    }
                    offer_candidate(i, e, score(e));
                    return true;
                };
                // A random victim is the first entry drawn that qualifies; the others rank
                // `samples` of them.
                const std::size_t wanted = how.by == By::random ? 1 : samples;
                std::size_t found = 0;
                for (std::size_t draw = 0; draw < 8 * samples && found < wanted; ++draw) {
                    const std::size_t i = static_cast<std::size_t>(rng()) & (m_shard_count - 1);
                    const Shard& s = m_shards[i];
                    if (s.count.load(std::memory_order_relaxed) == 0) continue;
                    std::lock_guard lock(s.mutex);
                    if (const Entry* e = s.index.random(rng); e && take(i, e)) ++found;
                }
                if (found == 0 && how.timed_only && (how.by == By::random || m_evict_pool.empty())) {
                    // timed entries are rare: look for one
                    for (std::size_t i = 0; i < m_shard_count && found == 0; ++i) {
                        const Shard& s = m_shards[i];
                        if (timed_shard(i, wheel_size, std::size_t{0}) == 0) continue;
                        std::lock_guard lock(s.mutex);
                        s.index.for_each([&](const Entry* e) {
                            if (found == 0 && take(i, e)) ++found;
                        });
                    }
                }
                if (how.by != By::random && !m_evict_pool.empty()) {
                    victim = std::move(m_evict_pool.back());
                    m_evict_pool.pop_back();
                }
            }
            if (!victim) break;  // nothing may be evicted
            Shard& s = m_shards[victim->shard];
            Batch batch;
            {
                std::lock_guard lock(s.mutex);
                Entry* e = s.index.find(victim->hash, [&](const Entry* x) { return m_eq(x->key, victim->key); });
                if (e && qualifies(e)) {  // else gone meanwhile: the next candidate
                    remove(s, e, RemovalCause::evicted, batch);
                    ++evicted;
                }
            }
            batch.deliver(listener());
        }
        return evicted;
    }

    /// Turns the write listener's calls on or off (it stays installed; on by default). Off
    /// saves every write the key copy and the call: a Database turns it on only while someone
    /// listens (keyspace notifications, WATCH). The flag is read under the shard lock, so a
    /// write that begins after this call returns sees it. Thread-safe.
    void set_write_events(bool on) noexcept { m_write_events.store(on, std::memory_order_release); }
    /// Turns the miss listener's calls on or off (it stays installed; on by default), as
    /// `set_write_events` does for the write listener. Thread-safe.
    void set_miss_events(bool on) noexcept { m_miss_events.store(on, std::memory_order_relaxed); }

    /// Checks every shard's index, wheel and policy against each other. For tests. O(size()).
    [[nodiscard]] bool check_invariants() const {
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            const Shard& s = m_shards[i];
            std::lock_guard lock(s.mutex);
            if (!s.index.check_invariants()) return false;
            if (s.wheel && !s.wheel->check_invariants()) return false;
            if (s.index.size() != s.count.load()) return false;
            if (m_bounded && m_eviction == Eviction::lru &&
                (!s.lru.check_invariants() || s.lru.size() != s.index.size()))
                return false;
            if (m_bounded && m_eviction == Eviction::tinylfu &&
                (!s.tlfu.check_invariants() || s.tlfu.size() != s.index.size()))
                return false;
            std::uint64_t w = 0, timed = 0;
            bool ok = true;
            s.index.for_each([&](const Entry* e) {
                w += e->weight;
                if (e->timer_scheduled()) ++timed;
                else if (e->deadline != no_deadline) ok = false;
                if (shard_index(hash_of(e->key)) != i) ok = false;
                if (static_cast<std::uint32_t>(hash_of(e->key)) != e->hash) ok = false;
            });
            if (!ok || w != s.weight.load() || timed != (s.wheel ? s.wheel->size() : 0))
                return false;
            if (s.max_entries && s.count.load() > s.max_entries) return false;
            if (s.max_weight && s.weight.load() > s.max_weight) return false;
        }
        return true;
    }

private:
    /// A candidate victim of `evict_sampled_to_weight`; a larger `score` is a better one.
    struct EvictionCandidate {
        std::size_t shard;
        std::uint32_t hash;
        std::uint64_t score;
        K key;
    };
    static constexpr std::size_t evict_pool_size = 16;  ///< Redis's EVPOOL_SIZE

    /// Puts `e` (in shard `i`) into the eviction pool, kept sorted by ascending score, if the
    /// pool has room or `score` beats its worst (which then leaves). A key already there is
    /// rescored. Under `m_evict_pool_mutex` and the shard's lock. O(pool size).
    void offer_candidate(std::size_t i, const Entry* e, std::uint64_t score) {
        auto& pool = m_evict_pool;
        for (auto it = pool.begin(); it != pool.end(); ++it)
            if (it->hash == e->hash && m_eq(it->key, e->key)) {
                pool.erase(it);
                break;
            }
        if (pool.size() == evict_pool_size) {
            if (score <= pool.front().score) return;
            pool.erase(pool.begin());
        }
        auto at = std::upper_bound(pool.begin(), pool.end(), score,
                                   [](std::uint64_t v, const EvictionCandidate& c) { return v < c.score; });
        pool.insert(at, EvictionCandidate{i, e->hash, score, e->key});
    }

    static std::size_t default_shards(const options_type& o) {
        const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
        std::size_t n = std::min<std::size_t>(std::bit_ceil(std::size_t{64} * hw), 1024);
        if (o.max_entries != 0)
            n = std::min<std::size_t>(
                n, std::bit_floor(std::max<std::uint64_t>(1, o.max_entries / 2048)));
        return n;
    }

    /// A new node for shard `s` (under its lock): from its pool, or `new`.
    template <class... A>
    Entry* new_entry(Shard& s, A&&... args) {
        if constexpr (pooled) return s.pool.create(std::forward<A>(args)...);
        else return new Entry(std::forward<A>(args)...);
    }

    template <class Q>
    [[nodiscard]] std::uint64_t hash_of(const Q& key) const {
        return detail::mix64(static_cast<std::uint64_t>(m_hash(key)));
    }
    [[nodiscard]] std::size_t shard_index(std::uint64_t hv) const noexcept {
        return m_shard_shift >= 64 ? 0 : static_cast<std::size_t>(hv >> m_shard_shift);
    }
    Shard& shard_for(std::uint64_t hv) const noexcept { return m_shards[shard_index(hv)]; }

    [[nodiscard]] const typename options_type::listener_type* listener() const noexcept {
        return m_listener ? &m_listener : nullptr;
    }

    void bump_puts(Shard& s) noexcept { detail::bump(s.puts); }

    /// Tells the miss listener of the misses an access counted (`Slot::count_miss`).
    void announce_misses(const PendingWrites& w) const {
        for (std::size_t i = 0; i < w.miss_at.size(); ++i) m_miss_listener(*w.missed);
    }
    /// The misses of a multi-key access, in the order they were counted.
    void announce_misses(const std::vector<PendingWrites>& writes) const {
        std::vector<std::pair<unsigned, const K*>> order;
        for (const PendingWrites& w : writes)
            for (unsigned at : w.miss_at) order.emplace_back(at, &*w.missed);
        if (order.empty()) return;
        std::sort(order.begin(), order.end());
        for (const auto& [at, key] : order) m_miss_listener(*key);
    }
    /// Calls the write listener for each recorded event: `created` first, then in enum order.
    void announce(const PendingWrites& w) const {
        if (w.bits == 0) return;
        constexpr WriteEvent order[] = {WriteEvent::created, WriteEvent::set, WriteEvent::update,
                                        WriteEvent::expire, WriteEvent::persist};
        for (const WriteEvent ev : order) {
            if (!(w.bits & (1u << static_cast<unsigned>(ev)))) continue;
            const bool named = (ev == WriteEvent::update || ev == WriteEvent::set) && !w.name.empty();
            m_write_listener(*w.key, ev, named ? w.name : to_string(ev));
            if (named && !w.then.empty()) m_write_listener(*w.key, WriteEvent::update, w.then);
        }
    }

    [[nodiscard]] bool misses_heard() const noexcept {
        return m_miss_listener && m_miss_events.load(std::memory_order_relaxed);
    }
    /// Tells the miss listener of a lookup of `key` that found nothing.
    template <class Q>
    void announce_miss(const Q& key) const {
        if constexpr (std::is_same_v<Q, K>) m_miss_listener(key);
        else if constexpr (std::is_constructible_v<K, const Q&>) m_miss_listener(K(key));
    }

    /// `read` for exact LRU: under the exclusive lock, relinking the entry on a hit.
    template <class Q, class F>
    bool read_exclusive(const Q& key, F& f) {
        const bool hit = with_live(key, [&](Shard& s, Entry* e, Batch&, std::uint64_t now) {
            if (!e) {
                detail::bump(s.misses);
                return false;
            }
            detail::bump(s.hits);
            policy_access(s, e);
            if (m_access.mode() != AccessTracking::none) m_access.touch(e->access_word, now);
            if constexpr (std::is_invocable_v<F&, const K&, const V&, std::uint64_t>)
                f(std::as_const(e->key), std::as_const(e->value), now);
            else
                f(std::as_const(e->key), std::as_const(e->value));
            return true;
        });
        if (!hit && misses_heard()) announce_miss(key);
        return hit;
    }

    /// Advances the shard's wheel if its exclusive lock is free right now (a reader's share of
    /// active expiry); otherwise leaves it to the writer that holds it.
    void maintain_if_free(Shard& s, std::uint64_t now) {
        Batch batch;
        {
            std::unique_lock lock(s.mutex, std::try_to_lock);
            if (!lock.owns_lock()) return;
            maintain(s, now, batch);
        }
        batch.deliver(listener());
    }

    /// Lets the policy of shard `s` replay the hits readers buffered, if the exclusive lock is
    /// free at once (try-lock); otherwise the next writer does it.
    void drain_hits_if_free(Shard& s) noexcept {
        std::unique_lock lock(s.mutex, std::try_to_lock);
        if (lock.owns_lock()) s.tlfu.drain_hits();
    }

    /// Advances the shard's wheel to `now`, within the per-operation budget. O(expire_budget).
    void maintain(Shard& s, std::uint64_t now, Batch& batch) {
        if (CACHET_LIKELY(!s.wheel || !s.wheel->needs_advance(now))) return;
        if (CACHET_UNLIKELY(m_hold_expired.load(std::memory_order_relaxed))) return;
        s.wheel->advance(now, m_expire_budget,
                        [&](Entry* e) { remove(s, e, RemovalCause::expired, batch); });
    }

    /// For each of `keys` (with their `hashes`), the index of its first occurrence among them
    /// (its own index if it occurs first there). The indices are sorted by hash (then index),
    /// and a key is compared only with the first occurrences before it in its run of equal
    /// hashes: O(k log k), where comparing every pair would make an MSET of 100,000 keys
    /// billions of comparisons.
    template <class Q>
    std::vector<std::size_t> first_occurrences(std::span<const Q> keys,
                                               const std::vector<std::uint64_t>& hashes) const {
        const std::size_t n = keys.size();
        std::vector<std::size_t> by_hash(n);
        for (std::size_t i = 0; i < n; ++i) by_hash[i] = i;
        std::sort(by_hash.begin(), by_hash.end(), [&](std::size_t a, std::size_t b) {
            return hashes[a] != hashes[b] ? hashes[a] < hashes[b] : a < b;
        });
        std::vector<std::size_t> first(n);
        for (std::size_t run = 0; run < n;) {
            std::size_t end = run + 1;
            while (end < n && hashes[by_hash[end]] == hashes[by_hash[run]]) ++end;
            for (std::size_t p = run; p < end; ++p) {
                const std::size_t i = by_hash[p];
                first[i] = i;
                for (std::size_t q = run; q < p; ++q) {
                    const std::size_t j = by_hash[q];
                    if (first[j] == j && m_eq(keys[j], keys[i])) {
                        first[i] = j;
                        break;
                    }
                }
            }
            run = end;
        }
        return first;
    }

    /// The live entry for `key`, removing it as expired if its deadline has passed (unless
    /// expiry is held: then it stays, and `held`, if given, points at it).
    template <class Q>
    Entry* find_live(Shard& s, std::uint64_t hv, const Q& key, std::uint64_t now, Batch& batch,
                     Entry** held = nullptr) {
        Entry* e = s.index.find(static_cast<std::uint32_t>(hv),
                                [&](const Entry* x) { return m_eq(x->key, key); });
        if (e && CACHET_UNLIKELY(e->deadline <= now)) {
            if (CACHET_UNLIKELY(m_hold_expired.load(std::memory_order_relaxed))) {
                if (held) *held = e;
                return nullptr;
            }
            remove(s, e, RemovalCause::expired, batch);
            return nullptr;
        }
        return e;
    }

    /// `f(const Entry&)` on the live entry without counting or recording an access.
    template <class Q, class F>
    bool peek(const Q& key, F&& f) {
        return with_live(key, [&](Shard&, Entry* e, Batch&, std::uint64_t) {
            if (e) f(std::as_const(*e));
            return e != nullptr;
        });
    }

    /// The common shape of every single-key operation: hash `key`, read the clock once, lock
    /// the shard, advance its wheel, run `body(shard, hash, now, batch)` under the lock, and
    /// announce the removals after unlocking. Returns what `body` returns.
    template <class Q, class Body>
    auto locked(const Q& key, Body&& body) {
        Batch batch;
        using R = std::invoke_result_t<Body&, Shard&, std::uint64_t, std::uint64_t, Batch&>;
        if constexpr (std::is_void_v<R>) {
            locked_into(key, body, batch);
            batch.deliver(listener());
        } else {
            R result = locked_into(key, body, batch);
            batch.deliver(listener());
            return result;
        }
    }

    /// `locked` without the announcement: the removals stay in `batch` for the caller to
    /// deliver (after the lock is released), except when `body` throws, when they are
    /// announced before the exception propagates.
    template <class Q, class Body>
    decltype(auto) locked_into(const Q& key, Body&& body, Batch& batch) {
        const std::uint64_t hv = hash_of(key);
        Shard& s = shard_for(hv);
        const std::uint64_t now = now_ms();
        std::unique_lock lock(s.mutex);
        try {
            maintain(s, now, batch);
            return body(s, hv, now, batch);
        } catch (...) {
            lock.unlock();
            batch.deliver(listener());
            throw;
        }
    }

    /// `locked` with the live entry looked up (a dead one is expired on the way):
    /// `f(shard, entry or nullptr, batch, now)`.
    template <class Q, class F>
    bool with_live(const Q& key, F&& f) {
        return locked(key, [&](Shard& s, std::uint64_t hv, std::uint64_t now, Batch& batch) {
            return f(s, find_live(s, hv, key, now, batch), batch, now);
        });
    }

    /// Unlinks `e` from the shard and hands it to `batch`. Precondition: `e` is in the index.
    void remove(Shard& s, Entry* e, RemovalCause cause, Batch& batch) noexcept {
        s.index.erase(e->hash, e);
        if (e->timer_scheduled()) s.wheel->cancel(e);
        if (m_bounded) policy_remove(s, e);
        detail::drop(s.count);
        detail::drop(s.weight, e->weight);
        switch (cause) {
            case RemovalCause::expired: detail::bump(s.expirations); break;
            case RemovalCause::evicted:
                detail::bump(s.evictions);
                detail::bump(s.evicted_weight, e->weight);
                break;
            case RemovalCause::erased: detail::bump(s.erasures); break;
            case RemovalCause::replaced: break;
        }
        batch.push(e, cause);
    }

    /// Weight of an entry; `UINT32_MAX` stands for "too heavy" (the weigher said more than
    /// fits in 32 bits).
    std::uint32_t weigh(const Entry* e) const {
        if (!m_weigher) return 1;
        const std::uint64_t w = m_weigher(e->key, e->value);
        return static_cast<std::uint32_t>(std::min<std::uint64_t>(w, UINT32_MAX));
    }

    /// Completes the insertion of `e`, already in the index and weighed: accounting, policy,
    /// timer, bound. Precondition: the shard has a wheel if `deadline` is set.
    void link_new(Shard& s, Entry* e, std::uint64_t deadline, std::uint64_t now,
                  Batch& batch) noexcept {
        detail::bump(s.count);
        detail::bump(s.weight, e->weight);
        if (m_bounded) policy_insert(s, e);
        set_deadline(s, e, deadline);
        if (deadline <= now) {
            remove(s, e, RemovalCause::expired, batch);
            return;
        }
        enforce_bound(s, e, batch);
    }

    /// Completes an in-place update of `e`: new weight, new deadline, bound.
    void after_update(Shard& s, Entry* e, bool dirty, std::uint64_t deadline, std::uint64_t now,
                      Batch& batch) {
        if (dirty && m_weigher) {
            const std::uint32_t w = weigh(e);
            detail::drop(s.weight, e->weight);
            detail::bump(s.weight, w);
            if (m_bounded && m_eviction == Eviction::tinylfu) s.tlfu.on_reweigh(e, e->weight, w);
            e->weight = w;
        }
        if (deadline != e->deadline) set_deadline(s, e, deadline);
        if (deadline <= now) {
            remove(s, e, RemovalCause::expired, batch);
            return;
        }
        if (dirty && m_bounded &&
            (m_eviction != Eviction::lru || m_lru_tracking.load(std::memory_order_relaxed)))
            policy_access(s, e);
        if (dirty) enforce_bound(s, e, batch);
    }

    /// Precondition: the shard has a wheel if `deadline` is not `no_deadline` (ensure_wheel).
    void set_deadline(Shard& s, Entry* e, std::uint64_t deadline) noexcept {
        if (deadline == no_deadline) {
            if (e->timer_scheduled()) s.wheel->cancel(e);
            e->deadline = no_deadline;
        } else {
            // A later deadline (a TTL renewed by a write) leaves the node where it is in the
            // wheel; the sweep re-places it when its old bucket comes round.
            s.wheel->postpone(e, deadline);
            if (!s.timed.load(std::memory_order_relaxed))
                s.timed.store(true, std::memory_order_relaxed);
        }
    }

    static std::size_t wheel_size(const TimerWheel<Entry>& w) noexcept { return w.size(); }
    static std::uint64_t wheel_deadline(const TimerWheel<Entry>& w) noexcept {
        return w.next_deadline();
    }
    /// `f(wheel)` under shard `i`'s lock, or `none` without taking the lock if the shard holds
    /// no timer (see `Shard::timed`).
    template <class F, class R>
    R timed_shard(std::size_t i, F&& f, R none) const {
        const Shard& s = m_shards[i];
        if (!s.timed.load(std::memory_order_relaxed)) return none;
        std::lock_guard lock(s.mutex);
        return s.wheel ? static_cast<R>(f(*s.wheel)) : none;
    }

    /// Gives the shard its timing wheel, starting at `now`. May allocate (strong guarantee).
    void ensure_wheel(Shard& s, std::uint64_t now) {
        if (!s.wheel) s.wheel = std::make_unique<TimerWheel<Entry>>(now);
    }

    /// Evicts until the shard is within its bound. An entry heavier than the shard's whole
    /// weight bound is evicted by itself, without flushing the others.
    void enforce_bound(Shard& s, Entry* just_written, Batch& batch) noexcept {
        if (!m_bounded) return;
        if (just_written && s.max_weight && just_written->weight > s.max_weight) {
            remove(s, just_written, RemovalCause::evicted, batch);
            return;
        }
        evict_to_bound(s, batch);
    }
    void evict_to_bound(Shard& s, Batch& batch) noexcept {
        while ((s.max_entries && s.count.load(std::memory_order_relaxed) > s.max_entries) ||
               (s.max_weight && s.weight.load(std::memory_order_relaxed) > s.max_weight)) {
            PolicyHook* v = policy_victim(s);
            if (!v) break;
            remove(s, static_cast<Entry*>(v), RemovalCause::evicted, batch);
        }
    }

    /// The entry the policy would evict next from shard `s`, or nullptr.
    PolicyHook* policy_victim(Shard& s) noexcept {
        if (m_eviction == Eviction::lru) return s.lru.victim();
        return s.tlfu.select_victim(
            [](const PolicyHook* h) { return static_cast<const Entry*>(h)->hash; },
            [](const PolicyHook* h) { return static_cast<const Entry*>(h)->weight; });
    }
    void policy_insert(Shard& s, Entry* e) noexcept {
        if (m_eviction == Eviction::lru) {
            s.lru.on_insert(e);
            return;
        }
        s.tlfu.on_insert(e, e->hash, e->weight);
        if (++s.inserts_since_adapt >= 16) {  // feed the window controller now and then
            s.inserts_since_adapt = 0;
            const auto t = s.mutex.totals();
            s.tlfu.adapt(t.hits, t.window_hits);
        }
    }
    void policy_access(Shard& s, Entry* e) noexcept {
        if (m_eviction == Eviction::lru) s.lru.on_access(e);
        else s.tlfu.on_access(e, e->hash, e->weight);
    }
    void policy_remove(Shard& s, Entry* e) noexcept {
        if (m_eviction == Eviction::lru) s.lru.on_remove(e);
        else s.tlfu.on_remove(e, e->weight);
    }
    /// Sizes the frequency-aware policy of shard `s` for its bound (entries, or weight).
    void size_policy(Shard& s) {
        if (m_eviction == Eviction::tinylfu)
            s.tlfu.set_capacity(s.max_entries ? s.max_entries : s.max_weight, s.max_entries);
    }

    void require_bounded() const {
        if (!m_bounded)
            throw std::logic_error(
                "cachet: this store was built unbounded; give it max_entries or max_weight at "
                "construction to change its bound later");
    }

    /// Splits the store's bounds over the shards (the first `total % shards` get one more).
    void distribute_bounds() {
        const std::uint64_t n = m_shard_count;
        for (std::uint64_t i = 0; i < n; ++i) {
            Shard& s = m_shards[i];
            s.max_entries = m_max_entries ? m_max_entries / n + (i < m_max_entries % n) : 0;
            s.max_weight = m_max_weight ? m_max_weight / n + (i < m_max_weight % n) : 0;
            size_policy(s);
        }
    }
    void apply_bounds() {
        for (std::size_t i = 0; i < m_shard_count; ++i) {
            Shard& s = m_shards[i];
            Batch batch;
            {
                std::lock_guard lock(s.mutex);
                const std::uint64_t n = m_shard_count;
                s.max_entries = m_max_entries ? m_max_entries / n + (i < m_max_entries % n) : 0;
                s.max_weight = m_max_weight ? m_max_weight / n + (i < m_max_weight % n) : 0;
                size_policy(s);
                evict_to_bound(s, batch);
            }
            batch.deliver(listener());
        }
    }

    [[no_unique_address]] Hash m_hash{};
    [[no_unique_address]] KeyEqual m_eq{};
    C m_clock;
    std::unique_ptr<detail::ReaderTable> m_readers;  ///< readers' stripes of every shard
    /// Pages of every shard's entry nodes; declared before the shards, so destroyed after them.
    std::unique_ptr<detail::NodeArena<Entry>> m_arena;
    std::unique_ptr<Shard[]> m_shards;
    std::size_t m_shard_count = 1;
    unsigned m_shard_shift = 64;
    bool m_bounded = false;
    std::atomic<bool> m_lru_tracking{true};  ///< see set_lru_tracking
    std::atomic<bool> m_hold_expired{false};  ///< see hold_expired
    detail::AccessClock m_access;            ///< see set_access_tracking
    /// `evict_sampled_to_weight`'s pool of candidates, kept between calls, and what it ranks.
    std::mutex m_evict_pool_mutex;
    std::vector<EvictionCandidate> m_evict_pool;
    std::pair<typename EvictionSampling::By, bool> m_evict_pool_kind{EvictionSampling::By::random, false};
    Eviction m_eviction = Eviction::lru;
    std::uint64_t m_max_entries = 0;  // written by set_max_* (callers serialise resizes)
    std::uint64_t m_max_weight = 0;
    std::uint64_t m_default_ttl_ms = 0;
    std::size_t m_expire_budget = 16;
    std::atomic<std::size_t> m_evict_cursor{0};  ///< evict_to_weight's next shard
    std::atomic<bool> m_write_events{true};      ///< see set_write_events
    std::atomic<bool> m_miss_events{true};       ///< see set_miss_events
    typename options_type::weigher_type m_weigher;
    typename options_type::listener_type m_listener;
    bool m_report_replaced = false;  ///< a listener is set and hears of overwrites
    typename options_type::write_listener_type m_write_listener;
    typename options_type::miss_listener_type m_miss_listener;

    mutable std::mutex m_janitor_mutex;
    std::condition_variable_any m_janitor_cv;
    std::jthread m_janitor;
};

CACHET_NAMESPACE_END

#endif  // CACHET_KEYSPACE_HPP
