#ifndef CACHET_CACHE_ASIDE_HPP
#define CACHET_CACHE_ASIDE_HPP

/// `CacheAside<K, V>`: read-through loading around a slow call (a database query, a remote
/// service), the cache-aside pattern as one call: `cache.get_or_load(id, load_from_db)` looks in
/// the cache and, on a miss, runs the loader once, stores its answer with a TTL and returns it.
/// It fixes what hand-written cache-aside gets wrong:
///   - stampedes: single-flight per key. However many threads miss one key at once, exactly one
///     runs the loader; the others wait for its result (or its exception);
///   - cached errors: a loader that throws caches nothing; every waiter gets the exception and
///     the next call retries;
///   - "not found" hammering the database: a loader returning an empty `std::optional` is cached
///     as a negative answer for `negative_ttl` (0: not cached);
///   - synchronized expiry: each TTL is scaled by a random factor in [1 - jitter, 1], so entries
///     loaded together do not all expire together;
///   - stale data served forever, or latency spikes at expiry: refresh-ahead. After
///     `refresh_after`, a hit still returns the cached value and starts one background reload on
///     an executor; a failed reload keeps the old value until its hard TTL.
///
/// Structure. Answers live in a `KvStore<K, Cached>` (sharded, one lock per shard, TTLs on the
/// core's timing wheel, optional LRU bound), so the hit path is a KvStore lookup plus a copy.
/// Loads in progress live in a separate table of 64 shards, each a mutex and a
/// `std::unordered_map<K, shared_ptr<Flight>>`; a Flight holds the result, the exception, the
/// loading thread's id and a condition variable. There is no global lock: a miss locks one
/// flight shard (and, briefly, one store shard). Lock order is always flight shard, then store
/// shard; the store's callbacks never touch the flight table, and no lock is held while a
/// loader runs.
///
/// Cost per call (N = entries, B = keys in a `get_all`):
///   - hit: one store shard lock, O(1) expected, one copy of the value (plus, for an entry past
///     its refresh point, one clock read and one flight shard lock);
///   - miss: one flight shard lock, one unordered_map insert (allocates the Flight), a store
///     peek, the loader, one store write (allocates one node), one notify;
///   - waiter: one flight shard lock, then blocks on the Flight's condition variable;
///   - get_all: O(B) lookups and one batch loader call for all of the misses.
///
/// Thread-safety. Every member function is thread-safe. Loaders run on the calling thread (on
/// the executor's thread for refreshes) with no cachet lock held, so they may call this cache
/// for other keys, or `put`/`invalidate` any key. What a loader must not do:
///   - load its own key again (`get_or_load`/`get`/`get_all` of the key it is loading, on the
///     thread that is loading it): that would wait for itself. It is detected (the Flight records
///     the loading thread's id) and throws `std::logic_error` to the loader, which then fails
///     like any throwing loader (its waiters get the error, nothing is cached);
///   - take part in a cycle across threads (A's loader waits for B while B's loader waits for
///     A): that is not detected and deadlocks, as it would with any lock.
///
/// Waiting. A caller that finds the key being loaded blocks on that load's condition variable
/// until the loader returns or throws; there is no timeout, so a slow loader holds up every
/// caller of its key (and only of its key): give the loader its own timeout. A miss on a key
/// whose background refresh is queued but not yet started does not wait for the executor: it
/// takes the refresh over and runs the loader itself (the queued task then does nothing).
///
/// Invalidation races. `invalidate`, `invalidate_all` and `put` detach any load in progress for
/// the key: its waiters still get its result, but it is not stored, and later callers start a
/// new load. So an invalidation is never undone by a load that started before it.

#include <cachet/clock.hpp>
#include <cachet/detail/config.hpp>
#include <cachet/detail/hash.hpp>
#include <cachet/keyspace.hpp>
#include <cachet/kv_store.hpp>
#include <cachet/mutex.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN

/// Construction options of a `CacheAside`, validated once by its constructor.
/// ```cpp
/// cachet::CacheAside<int, Product> cache({.ttl = 5min, .negative_ttl = 30s, .jitter = 0.1,
///                                         .refresh_after = 4min}, load_product);
/// ```
struct CacheAsideOptions {
    /// Hard TTL of a loaded value (before jitter); 0: values do not expire.
    std::chrono::milliseconds ttl{0};
    /// TTL of a "not found" answer (a loader that returned an empty optional); 0: not cached.
    std::chrono::milliseconds negative_ttl{0};
    /// Random spread of every TTL: each entry's TTL (and refresh point) is multiplied by a factor
    /// drawn uniformly from [1 - jitter, 1], so a TTL never exceeds the configured one.
    /// In [0, 1); 0 disables it.
    double jitter = 0.0;
    /// Refresh-ahead: a hit on a value older than this (scaled by the same jitter factor) serves
    /// it and starts one background reload with the loader given at construction. 0 disables it.
    /// Must be shorter than `ttl` when `ttl` is set.
    std::chrono::milliseconds refresh_after{0};
    /// Bound on cached answers (LRU), 0 for none; see `StoreOptions::max_entries`.
    std::uint64_t max_entries = 0;
    /// Eviction policy when bounded; see `StoreOptions::eviction`.
    Eviction eviction = Eviction::lru;
    /// Shards of the underlying store; see `StoreOptions::shards` (0: automatic).
    std::size_t shards = 0;
    /// Runs background refreshes: called with a task to run once, on any thread, at any time
    /// (or never: a task that never runs only delays that key's refresh until its hard TTL).
    /// Empty: a built-in executor, one worker thread owned by the cache, started at the first
    /// refresh and joined by the destructor. Tasks outliving the cache do nothing.
    std::function<void(std::function<void()>)> executor{};
    /// Bound on refreshes queued in the built-in executor; when it is full a refresh is skipped
    /// (the next stale hit tries again). At least 1.
    std::size_t refresh_queue_limit = 1024;
    /// Seed of the jitter generator; 0 picks one from std::random_device.
    std::uint64_t seed = 0;

    /// Throws `std::invalid_argument` naming the first inconsistent setting.
    void validate() const {
        auto fail = [](const char* what) {
            throw std::invalid_argument(std::string("cachet::CacheAsideOptions: ") + what);
        };
        if (ttl.count() < 0) fail("ttl must not be negative");
        if (negative_ttl.count() < 0) fail("negative_ttl must not be negative");
        if (refresh_after.count() < 0) fail("refresh_after must not be negative");
        if (!(jitter >= 0.0 && jitter < 1.0)) fail("jitter must be in [0, 1)");
        if (jitter > 0.0 && ttl.count() == 0 && negative_ttl.count() == 0)
            fail("jitter needs a ttl or a negative_ttl to spread");
        if (refresh_after.count() > 0 && ttl.count() > 0 && refresh_after >= ttl)
            fail("refresh_after must be shorter than ttl");
        if (refresh_queue_limit == 0) fail("refresh_queue_limit must be at least 1");
    }
};

/// A snapshot of a cache's counters. Each counter is exact; the snapshot is not atomic.
struct CacheAsideStats {
    std::uint64_t hits = 0;            ///< lookups answered from the cache (negative answers too)
    std::uint64_t misses = 0;          ///< lookups that found nothing cached
    std::uint64_t load_successes = 0;  ///< loader calls that returned (a value or "not found");
                                       ///< a batch loader call counts once
    std::uint64_t load_failures = 0;   ///< loader calls that threw
    std::uint64_t total_load_time_ns = 0;  ///< time spent in loaders, on the cache's clock
    std::uint64_t coalesced = 0;  ///< callers that waited for a load another caller started
    std::uint64_t refreshes = 0;  ///< background refreshes scheduled

    [[nodiscard]] std::uint64_t requests() const noexcept { return hits + misses; }
    /// hits / (hits + misses), or 1.0 before any lookup.
    [[nodiscard]] double hit_ratio() const noexcept {
        return requests() == 0 ? 1.0 : static_cast<double>(hits) / static_cast<double>(requests());
    }
    [[nodiscard]] std::uint64_t loads() const noexcept { return load_successes + load_failures; }
    /// Mean time per loader call in ns, or 0 before any load.
    [[nodiscard]] double average_load_ns() const noexcept {
        return loads() == 0
                   ? 0.0
                   : static_cast<double>(total_load_time_ns) / static_cast<double>(loads());
    }
};

namespace detail {

/// What the cache stores per key: the answer (empty: "not found") and when to refresh it
/// (ms of the store's clock; `no_deadline`: never). The hard deadline is the store entry's TTL.
template <class V>
struct CachedAnswer {
    std::optional<V> value;
    std::uint64_t refresh_at = no_deadline;
};

/// The built-in refresh executor: one worker thread and a bounded FIFO. The destructor drops
/// what is queued and joins the thread (after the task it is running, if any).
class RefreshWorker {
public:
    explicit RefreshWorker(std::size_t limit) : m_limit(limit), m_thread([this] { run(); }) {}
    RefreshWorker(const RefreshWorker&) = delete;
    RefreshWorker& operator=(const RefreshWorker&) = delete;
    ~RefreshWorker() {
        std::deque<std::function<void()>> dropped;
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
            dropped.swap(m_queue);
        }
        m_cv.notify_all();
        m_thread.join();
    }

    /// Queues `task`; false if the queue is full. O(1); allocates.
    bool try_post(std::function<void()>& task) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping || m_queue.size() >= m_limit) return false;
            m_queue.push_back(std::move(task));
        }
        m_cv.notify_one();
        return true;
    }

private:
    void run() {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_cv.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
            if (m_stopping) return;
            auto task = std::move(m_queue.front());
            m_queue.pop_front();
            lock.unlock();
            try {
                task();
            } catch (...) {  // a refresh reports its failure through the cache's stats
            }
            task = nullptr;  // release what it captured before sleeping
            lock.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_queue;
    std::size_t m_limit;
    bool m_stopping = false;
    std::thread m_thread;  // last: started after the members it uses
};

/// Whether refresh tasks may still touch their cache, and how many are doing so. Shared by the
/// cache and every task it hands out, so a task outliving the cache finds `alive == false`.
struct CacheLife {
    std::mutex mutex;
    std::condition_variable cv;
    bool alive = true;
    unsigned running = 0;
};

}  // namespace detail

/// Read-through cache with single-flight loading; see the header comment.
///
/// `V` must be copyable (answers are copied out to every caller). The loader given to a call or
/// at construction is called as `loader(const K&)` and returns `V`, or `std::optional<V>` where
/// empty means "not found".
/// `Mutex` is the lock of the answer store's shards (see `KvStore`); the flight table always
/// uses `std::mutex`, since its waiters block on a `std::condition_variable`.
template <class K, class V, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>,
          Clock C = SteadyClock, class Mutex = SpinMutex>
class CacheAside {
public:
    using key_type = K;
    using mapped_type = V;
    using hasher = Hash;
    using key_equal = KeyEqual;
    using clock_type = C;
    using size_type = std::size_t;
    using options_type = CacheAsideOptions;
    using cached_type = detail::CachedAnswer<V>;
    using store_type = KvStore<K, cached_type, Hash, KeyEqual, C, Mutex>;
    using loader_type = std::function<std::optional<V>(const K&)>;

    /// True if `L` can serve as a loader: callable with `const K&`, returning something that
    /// converts to `std::optional<V>` (a `V`, or an optional).
    template <class L>
    static constexpr bool is_loader = requires(L& l, const K& k) {
        {std::optional<V>(l(k))};
    };

    /// A cache without a fixed loader (use `get_or_load`). Throws `std::invalid_argument` if the
    /// options are inconsistent, or if they ask for refresh-ahead (which needs a fixed loader).
    explicit CacheAside(options_type options = {}, C clock = C{})
        : CacheAside(std::move(options), loader_type{}, std::move(clock), 0) {}

    /// A cache whose `get(key)` (and whose refreshes) call `loader`.
    template <class L>
        requires is_loader<L> CacheAside(options_type options, L loader, C clock = C{})
            : CacheAside(std::move(options), wrap(std::move(loader)), std::move(clock), 0) {}

        CacheAside(const CacheAside&) = delete;  // owns mutexes and maybe a thread
        CacheAside& operator=(const CacheAside&) = delete;

        /// Waits for refreshes running on an executor to finish, makes queued ones no-ops, and
        /// joins the built-in worker. Loads in progress on other threads are the caller's to finish
        /// first.
        ~CacheAside() {
            {
                std::unique_lock lock(m_life->mutex);
                m_life->alive = false;
                m_life->cv.wait(lock, [&] { return m_life->running == 0; });
            }
            m_worker.reset();
        }

        // ------------------------------------------------------------------ reads

        /// The cached answer for `key`, or, on a miss, `loader(key)`'s answer, which is stored (a
        /// value for `ttl`, "not found" for `negative_ttl`) and returned. Returns nullopt for "not
        /// found". If another caller is loading `key`, waits for its result instead
        /// (single-flight). Throws what the loader threw (to every waiter; nothing is cached), or
        /// `std::logic_error` if called by the thread loading `key` from inside its loader.
        /// Complexity: hit O(1) expected, one shard lock, one copy; miss: see the header comment.
        /// A hit past the refresh point starts a background refresh (with the fixed loader).
        /// Thread-safe.
        template <class F>
            requires is_loader<F> std::optional<V> get_or_load(const K& key, F&& loader) {
                std::optional<V> out;
                bool refresh_due = false;
                if (m_store.core().read(key, [&](const K&, const cached_type& c, std::uint64_t now) {
                        out = c.value;
                        refresh_due = c.refresh_at <= now;  // no_deadline: never
                    })) {
                    if (CACHET_UNLIKELY(refresh_due)) maybe_refresh(key);
                    return out;
                }
                return load_slow(key, loader);
            }

        /// `get_or_load(key, fixed loader)`. Throws `std::logic_error` if the cache has no loader.
        std::optional<V> get(const K& key) {
            if (!m_loader)
                throw std::logic_error(
                    "cachet::CacheAside::get: no loader was given at construction");
            return get_or_load(key, m_loader);
        }

        /// The answers for `keys`, in order (nullopt: "not found"). Keys not cached and not being
        /// loaded by someone else are loaded with ONE call `batch_loader(std::span<const K>
        /// misses)` (each such key once, in first-seen order), which returns either a random-access
        /// range of answers in the same order (`std::vector<std::optional<V>>`, or of `V`), or a
        /// map-like object with `find(key)` (`std::unordered_map<K, V>`; a key it lacks is "not
        /// found"). Keys being loaded by other callers are waited for. If the batch loader throws
        /// (or returns a range of the wrong size), its keys' waiters get the error, nothing is
        /// cached, and it is rethrown; a key loaded by another caller that fails rethrows that
        /// error. Complexity: O(B) lookups and flight-table operations, B = keys.size(), plus one
        /// batch loader call; allocates O(B). Thread-safe.
        template <class B>
        std::vector<std::optional<V>> get_all(std::span<const K> keys, B&& batch_loader) {
            const std::size_t n = keys.size();
            std::vector<std::optional<V>> out(n);
            std::vector<std::shared_ptr<Flight>> flights(n);  // null: answered from the cache
            std::vector<std::size_t> led;                     // keys this call loads
            std::unordered_set<const Flight*> ours;
            const auto me = std::this_thread::get_id();
            try {
                for (std::size_t i = 0; i < n; ++i) {
                    const K& key = keys[i];
                    bool refresh_due = false;
                    if (m_store.core().read(key, [&](const K&, const cached_type& c,
                                                     std::uint64_t now) {
                            out[i] = c.value;
                            refresh_due = c.refresh_at <= now;
                        })) {
                        if (refresh_due) maybe_refresh(key);
                        continue;
                    }
                    FlightShard& fs = flight_shard(key);
                    std::lock_guard lock(fs.mutex);
                    auto it = fs.map.find(key);
                    if (it != fs.map.end() && it->second->state != State::queued) {
                        if (ours.contains(it->second.get())) {  // a duplicate key in `keys`
                            flights[i] = it->second;
                            continue;
                        }
                        if (it->second->owner == me) throw_reentrant();
                        flights[i] = it->second;
                        m_coalesced.fetch_add(1, std::memory_order_relaxed);
                        continue;
                    }
                    std::shared_ptr<Flight> f =
                        it != fs.map.end() ? it->second : std::make_shared<Flight>();
                    ours.insert(f.get());
                    if (it == fs.map.end()) fs.map.emplace(key, f);
                    f->state = State::running;
                    f->owner = me;
                    flights[i] = std::move(f);
                    led.push_back(i);
                }
            } catch (...) {
                const auto error = std::current_exception();
                for (std::size_t i : led) finish(keys[i], flights[i], {}, error, false);
                throw;
            }

            // Load what nobody else had stored meanwhile, in one call.
            std::vector<K> batch;
            std::vector<std::size_t> batch_index;
            std::vector<char> finished(n, 0);
            std::exception_ptr error;
            try {
                for (std::size_t i : led) {
                    if (auto cached = peek(keys[i])) {
                        finished[i] = 1;
                        finish(keys[i], flights[i], std::move(*cached), nullptr, false);
                        continue;
                    }
                    batch.push_back(keys[i]);
                    batch_index.push_back(i);
                }
                if (!batch.empty()) {
                    const auto t0 = m_store.clock().now();
                    bool loaded = false;
                    try {
                        auto result = batch_loader(std::span<const K>(batch));
                        loaded = true;
                        record_load(t0, true);
                        deliver_batch(keys, flights, batch_index, finished, result);
                    } catch (...) {
                        if (!loaded) record_load(t0, false);
                        throw;
                    }
                }
            } catch (...) {
                error = std::current_exception();
            }
            if (error) {
                for (std::size_t i : led)
                    if (!finished[i]) finish(keys[i], flights[i], {}, error, false);
                std::rethrow_exception(error);
            }

            // Collect every answer (ours are done; wait for the others').
            for (std::size_t i = 0; i < n; ++i) {
                if (!flights[i]) continue;
                out[i] = wait_for(keys[i], flights[i]);
            }
            return out;
        }
        template <class B>
        std::vector<std::optional<V>> get_all(std::initializer_list<K> keys, B&& batch_loader) {
            return get_all(std::span<const K>(keys.begin(), keys.size()),
                           std::forward<B>(batch_loader));
        }

        /// True if an answer (a value or "not found") is cached for `key`. A peek: not a hit or
        /// miss. O(1) expected. Thread-safe.
        [[nodiscard]] bool contains(const K& key) { return m_store.contains(key); }
        /// The time `key`'s cached answer has left (see `KvStore::ttl`). A peek. O(1). Thread-safe.
        [[nodiscard]] KeyTtl ttl(const K& key) { return m_store.ttl(key); }

        // ------------------------------------------------------------------ writes

        /// Stores `value` for `key` (write-through: call it after writing the source of truth),
        /// with the cache's TTL, jitter and refresh point, replacing any cached answer. A load of
        /// `key` in progress is detached: its waiters get its result, but it is not stored. O(1)
        /// expected; one flight shard lock, one store shard lock; may allocate. Thread-safe.
        void put(const K& key, V value) {
            FlightShard& fs = flight_shard(key);
            std::lock_guard lock(fs.mutex);
            detach_unlocked(fs, key);
            store_answer(key, std::optional<V>(std::move(value)));
        }

        /// Removes the cached answer for `key` and detaches a load in progress (see `put`), so the
        /// next lookup loads afresh. Returns true if an answer was cached. O(1) expected.
        /// Thread-safe.
        bool invalidate(const K& key) {
            FlightShard& fs = flight_shard(key);
            std::lock_guard lock(fs.mutex);
            detach_unlocked(fs, key);
            return m_store.erase(key);
        }

        /// Removes every cached answer and detaches every load in progress. O(N + loads), one lock
        /// at a time; answers stored concurrently by loads started after the call may survive.
        void invalidate_all() {
            for (auto& fs : m_flights) {
                std::lock_guard lock(fs.mutex);
                for (auto& [key, f] : fs.map) {
                    if (f->state == State::queued) f->state = State::done;
                    f->invalidated = true;
                }
                fs.map.clear();
            }
            m_store.clear();
        }

        // ------------------------------------------------------------------ whole cache

        /// Cached answers, including expired ones not yet reclaimed. Lock-free, O(store shards).
        [[nodiscard]] std::size_t size() const noexcept { return m_store.size(); }
        [[nodiscard]] bool empty() const noexcept { return m_store.empty(); }

        /// The counters (hits and misses come from the store's lookups). Lock-free. Thread-safe.
        [[nodiscard]] CacheAsideStats stats() const noexcept {
            const StoreStats s = m_store.stats();
            constexpr auto r = std::memory_order_relaxed;
            CacheAsideStats st;
            st.hits = s.hits;
            st.misses = s.misses;
            st.load_successes = m_load_successes.load(r);
            st.load_failures = m_load_failures.load(r);
            st.total_load_time_ns = m_load_ns.load(r);
            st.coalesced = m_coalesced.load(r);
            st.refreshes = m_refreshes.load(r);
            return st;
        }
        void reset_stats() noexcept {
            m_store.reset_stats();
            for (auto* c :
                 {&m_load_successes, &m_load_failures, &m_load_ns, &m_coalesced, &m_refreshes})
                c->store(0, std::memory_order_relaxed);
        }

        /// Reclaims expired answers now; returns how many (see `KvStore::run_pending`).
        std::size_t run_pending() { return m_store.run_pending(); }
        [[nodiscard]] const C& clock() const noexcept { return m_store.clock(); }
        /// Loads in progress or refreshes queued. O(64) locks. For tests and monitoring.
        [[nodiscard]] std::size_t loads_in_flight() const {
            std::size_t n = 0;
            for (auto& fs : m_flights) {
                std::lock_guard lock(fs.mutex);
                n += fs.map.size();
            }
            return n;
        }

    private:
        enum class State : unsigned char { queued, running, done };

        /// One load of one key. Guarded by its flight shard's mutex, except `value` and `error`,
        /// which are written once before `state` becomes `done` and only read afterwards.
        struct Flight {
            State state = State::queued;  ///< queued: a refresh no thread has started yet
            bool invalidated = false;     ///< detached: do not store the result
            std::thread::id owner;        ///< the thread running the loader
            std::optional<V> value;
            std::exception_ptr error;
            std::condition_variable cv;  ///< waited on with the shard's mutex
        };
        struct alignas(detail::cache_line) FlightShard {
            mutable std::mutex mutex;
            std::unordered_map<K, std::shared_ptr<Flight>, Hash, KeyEqual> map;
        };
        static constexpr std::size_t flight_shards = 64;

        CacheAside(options_type options, loader_type loader, C clock, int)
            : m_store(store_options(options), std::move(clock)), m_loader(std::move(loader)) {
            if (options.refresh_after.count() > 0 && !m_loader)
                throw std::invalid_argument(
                    "cachet::CacheAside: refresh_after needs a loader given at construction");
            m_ttl_ms = options.ttl.count() > 0 ? detail::ceil_ms(options.ttl) : 0;
            m_negative_ttl_ms =
                options.negative_ttl.count() > 0 ? detail::ceil_ms(options.negative_ttl) : 0;
            m_refresh_ms =
                options.refresh_after.count() > 0 ? detail::ceil_ms(options.refresh_after) : 0;
            m_jitter = options.jitter;
            m_executor = std::move(options.executor);
            m_queue_limit = options.refresh_queue_limit;
            std::uint64_t seed = options.seed;
            if (seed == 0) {
                std::random_device rd;
                seed = (std::uint64_t{rd()} << 32) ^ rd();
            }
            m_rng.store(seed, std::memory_order_relaxed);
        }

        static StoreOptions<K, cached_type> store_options(const options_type& o) {
            o.validate();
            StoreOptions<K, cached_type> so;
            so.shards = o.shards;
            so.max_entries = o.max_entries;
            so.eviction = o.eviction;
            return so;
        }

        template <class L>
        static loader_type wrap(L loader) {
            if constexpr (std::is_same_v<L, loader_type>) {
                return loader;
            } else {
                return [l = std::move(loader)](const K& key) mutable {
                    return std::optional<V>(l(key));
                };
            }
        }

        template <class F>
        static std::optional<V> call_loader(F& loader, const K& key) {
            return std::optional<V>(loader(key));
        }

        [[noreturn]] static void throw_reentrant() {
            throw std::logic_error(
                "cachet::CacheAside: a loader asked the cache for the key it is loading "
                "(re-entrant "
                "load of the same key on the same thread would wait for itself)");
        }

        FlightShard& flight_shard(const K& key) noexcept {
            const std::uint64_t h = detail::mix64(static_cast<std::uint64_t>(m_hash(key)));
            return m_flights[static_cast<std::size_t>(h >> 58)];  // top 6 bits: 64 shards
        }

        /// A uniform draw in [0, 1) from a shared SplitMix64 stream (lock-free, thread-safe).
        double next_unit() noexcept {
            constexpr std::uint64_t gamma = 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = m_rng.fetch_add(gamma, std::memory_order_relaxed) + gamma;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            z ^= z >> 31;
            return static_cast<double>(z >> 11) * 0x1.0p-53;
        }
        /// `ms` scaled by `factor`, rounded up, at least 1; 0 stays 0 (none).
        static std::uint64_t scaled(std::uint64_t ms, double factor) noexcept {
            if (ms == 0) return 0;
            const double v = std::ceil(static_cast<double>(ms) * factor);
            return v < 1.0 ? 1 : static_cast<std::uint64_t>(v);
        }

        /// Stores `answer` for `key` with a jittered TTL (a value), the negative TTL ("not found"),
        /// or removes the key ("not found" when negative answers are not cached).
        void store_answer(const K& key, std::optional<V> answer) {
            const double factor = m_jitter > 0.0 ? 1.0 - m_jitter * next_unit() : 1.0;
            const bool found = answer.has_value();
            const std::uint64_t ttl = scaled(found ? m_ttl_ms : m_negative_ttl_ms, factor);
            const std::uint64_t refresh = found ? scaled(m_refresh_ms, factor) : 0;
            if (!found && m_negative_ttl_ms == 0) {
                m_store.erase(key);
                return;
            }
            m_store.update(key, [&](auto& slot) {
                const std::uint64_t now = slot.now_ms();
                slot.emplace(cached_type{std::move(answer), refresh ? now + refresh : no_deadline});
                if (ttl)
                    slot.set_deadline_ms(now + ttl);
                else
                    slot.persist();
            });
        }

        /// The cached answer for `key` without counting a hit or miss, or nullopt if none.
        std::optional<std::optional<V>> peek(const K& key) {
            return m_store.update(key, [&](auto& slot) -> std::optional<std::optional<V>> {
                if (!slot.exists()) return std::nullopt;
                return slot.cvalue().value;
            });
        }

        void record_load(typename C::time_point t0, bool ok) noexcept {
            const auto dt =
                std::chrono::duration_cast<std::chrono::nanoseconds>(m_store.clock().now() - t0);
            m_load_ns.fetch_add(dt.count() > 0 ? static_cast<std::uint64_t>(dt.count()) : 0,
                                std::memory_order_relaxed);
            (ok ? m_load_successes : m_load_failures).fetch_add(1, std::memory_order_relaxed);
        }

        /// Detaches `key`'s load: a queued refresh is cancelled, a running load will not be stored.
        /// Precondition: `fs`'s mutex is held.
        void detach_unlocked(FlightShard& fs, const K& key) {
            auto it = fs.map.find(key);
            if (it == fs.map.end()) return;
            if (it->second->state == State::queued) it->second->state = State::done;
            it->second->invalidated = true;
            fs.map.erase(it);
        }

        /// Completes `f` with `answer` or `error`: stores the answer (if `write` and `f` was not
        /// detached), removes `f` from the table, and wakes its waiters. A failure to store is
        /// reported to every waiter as the load's error.
        void finish(const K& key, const std::shared_ptr<Flight>& f, std::optional<V> answer,
                    std::exception_ptr error, bool write) noexcept {
            FlightShard& fs = flight_shard(key);
            {
                std::lock_guard lock(fs.mutex);
                if (!error && write && !f->invalidated) {
                    try {
                        store_answer(key, answer);
                    } catch (...) {
                        error = std::current_exception();
                    }
                }
                f->value = std::move(answer);  // moving an optional<V>: V's move must not throw
                f->error = error;
                f->state = State::done;
                auto it = fs.map.find(key);
                if (it != fs.map.end() && it->second == f) fs.map.erase(it);
            }
            f->cv.notify_all();
        }

        /// Blocks until `f` is done; returns its answer or rethrows its error.
        std::optional<V> wait_for(const K& key, const std::shared_ptr<Flight>& f) {
            FlightShard& fs = flight_shard(key);
            std::unique_lock lock(fs.mutex);
            f->cv.wait(lock, [&] { return f->state == State::done; });
            if (f->error) std::rethrow_exception(f->error);
            return f->value;
        }

        /// The miss path of `get_or_load`: join a load in progress, or lead one.
        template <class F>
        std::optional<V> load_slow(const K& key, F& loader) {
            FlightShard& fs = flight_shard(key);
            std::shared_ptr<Flight> f;
            {
                std::unique_lock lock(fs.mutex);
                auto it = fs.map.find(key);
                if (it != fs.map.end() && it->second->state != State::queued) {
                    f = it->second;
                    if (f->owner == std::this_thread::get_id()) throw_reentrant();
                    m_coalesced.fetch_add(1, std::memory_order_relaxed);
                    f->cv.wait(lock, [&] { return f->state == State::done; });
                    if (f->error) std::rethrow_exception(f->error);
                    return f->value;
                }
                if (it != fs.map.end()) {
                    f = it->second;  // a queued refresh: take it over rather than wait for it
                } else {
                    f = std::make_shared<Flight>();
                    fs.map.emplace(key, f);
                }
                f->state = State::running;
                f->owner = std::this_thread::get_id();
            }
            return lead(key, f, loader, /*recheck=*/true);
        }

        /// Runs the load `f` (already marked running by this thread) and completes it. With
        /// `recheck`, an answer stored by another leader since our miss is used instead.
        template <class F>
        std::optional<V> lead(const K& key, const std::shared_ptr<Flight>& f, F& loader,
                              bool recheck) {
            std::optional<V> answer;
            std::exception_ptr error;
            bool write = true;
            try {
                std::optional<std::optional<V>> cached;
                if (recheck) cached = peek(key);
                if (cached) {
                    answer = std::move(*cached);
                    write = false;
                } else {
                    const auto t0 = m_store.clock().now();
                    try {
                        answer = call_loader(loader, key);
                    } catch (...) {
                        record_load(t0, false);
                        throw;
                    }
                    record_load(t0, true);
                }
            } catch (...) {
                error = std::current_exception();
            }
            finish(key, f, std::move(answer), error, write);
            if (f->error) std::rethrow_exception(f->error);
            return f->value;
        }

        /// Completes the led flights of a `get_all` from the batch loader's `result`.
        template <class R>
        void deliver_batch(std::span<const K> keys, std::vector<std::shared_ptr<Flight>>& flights,
                           const std::vector<std::size_t>& batch_index, std::vector<char>& finished,
                           R& result) {
            if constexpr (requires(R & r, const K& k) {
                              r.find(k) != r.end();
                              std::optional<V>(r.find(k)->second);
                          }) {
                for (std::size_t i : batch_index) {
                    auto it = result.find(keys[i]);
                    std::optional<V> answer;
                    if (it != result.end()) answer = std::optional<V>(it->second);
                    finished[i] = 1;
                    finish(keys[i], flights[i], std::move(answer), nullptr, true);
                }
            } else {
                static_assert(std::ranges::random_access_range<R> &&
                                  std::is_constructible_v<std::optional<V>,
                                                          std::ranges::range_reference_t<R>>,
                              "a batch loader returns a map-like object with find(key), or a "
                              "random-access range of answers (std::optional<V> or V)");
                if (static_cast<std::size_t>(std::ranges::size(result)) != batch_index.size())
                    throw std::length_error(
                        "cachet::CacheAside::get_all: the batch loader returned a different number "
                        "of answers than keys it was given");
                auto first = std::ranges::begin(result);
                for (std::size_t j = 0; j < batch_index.size(); ++j) {
                    const std::size_t i = batch_index[j];
                    std::optional<V> answer(first[static_cast<std::ptrdiff_t>(j)]);
                    finished[i] = 1;
                    finish(keys[i], flights[i], std::move(answer), nullptr, true);
                }
            }
        }

        /// Starts one background refresh of `key` unless one is in flight or the entry was
        /// refreshed meanwhile. Never throws: the hit has been served; a refresh that cannot be
        /// scheduled is skipped (the next stale hit tries again).
        void maybe_refresh(const K& key) noexcept {
            FlightShard& fs = flight_shard(key);
            std::shared_ptr<Flight> f;
            try {
                {
                    std::lock_guard lock(fs.mutex);
                    if (fs.map.find(key) != fs.map.end()) return;
                    const bool stale = m_store.update(key, [](auto& slot) {
                        return slot.exists() && slot.cvalue().refresh_at <= slot.now_ms();
                    });
                    if (!stale) return;
                    f = std::make_shared<Flight>();
                    fs.map.emplace(key, f);
                }
                m_refreshes.fetch_add(1, std::memory_order_relaxed);
                std::function<void()> task = [life = m_life, this, key, f] {
                    {
                        std::lock_guard lock(life->mutex);
                        if (!life->alive) return;
                        ++life->running;
                    }
                    struct Leave {
                        detail::CacheLife& l;
                        ~Leave() {
                            {
                                std::lock_guard lock(l.mutex);
                                --l.running;
                            }
                            l.cv.notify_all();
                        }
                    } leave{*life};
                    run_refresh(key, f);
                };
                if (m_executor) {
                    m_executor(std::move(task));
                } else {
                    std::call_once(m_worker_once, [&] {
                        m_worker = std::make_unique<detail::RefreshWorker>(m_queue_limit);
                    });
                    if (!m_worker->try_post(task)) cancel(key, f);
                }
            } catch (...) {
                if (f) cancel(key, f);
            }
        }

        /// Drops the queued refresh `f`, unless a thread took it over.
        void cancel(const K& key, const std::shared_ptr<Flight>& f) noexcept {
            FlightShard& fs = flight_shard(key);
            std::lock_guard lock(fs.mutex);
            if (f->state != State::queued) return;
            f->state = State::done;
            auto it = fs.map.find(key);
            if (it != fs.map.end() && it->second == f) fs.map.erase(it);
        }

        /// The body of a refresh task: reload with the fixed loader, unless a miss took it over or
        /// it was cancelled. A failure leaves the old answer in place until its TTL.
        void run_refresh(const K& key, const std::shared_ptr<Flight>& f) {
            {
                std::lock_guard lock(flight_shard(key).mutex);
                if (f->state != State::queued) return;
                f->state = State::running;
                f->owner = std::this_thread::get_id();
            }
            try {
                (void)lead(key, f, m_loader, /*recheck=*/false);
            } catch (...) {  // counted as a load failure; the old answer stays
            }
        }

        store_type m_store;
        loader_type m_loader;
        [[no_unique_address]] Hash m_hash{};
        std::uint64_t m_ttl_ms = 0;
        std::uint64_t m_negative_ttl_ms = 0;
        std::uint64_t m_refresh_ms = 0;
        double m_jitter = 0.0;
        std::function<void(std::function<void()>)> m_executor;
        std::size_t m_queue_limit = 1024;
        std::atomic<std::uint64_t> m_rng{0};

        std::array<FlightShard, flight_shards> m_flights;
        std::atomic<std::uint64_t> m_load_successes{0}, m_load_failures{0}, m_load_ns{0},
            m_coalesced{0}, m_refreshes{0};

        std::shared_ptr<detail::CacheLife> m_life = std::make_shared<detail::CacheLife>();
        std::once_flag m_worker_once;
        std::unique_ptr<detail::RefreshWorker> m_worker;
};

CACHET_NAMESPACE_END

#endif  // CACHET_CACHE_ASIDE_HPP
