#ifndef CACHET_BENCH_ADAPTERS_HPP
#define CACHET_BENCH_ADAPTERS_HPP

/// Inputs and adapters for the benchmarks (not part of the library).
///
/// Inputs: key *indices* drawn Zipf or uniform over [0, n_keys) with a fixed seed, and
/// `string_key(i)`, the 16-byte string form of an index (longer than libstdc++'s 15-byte SSO
/// buffer, so a copied key allocates, as real string keys usually do).
///
/// Adapters: every store the key-value benchmarks compare, behind one interface, so each
/// benchmark is written once as a template and registered per adapter (STYLE.md section 6):
///
///     explicit Adapter(std::size_t capacity);  // reserves for, or is bounded by, `capacity`
///     bool get(const K& key);                  // found? (the value is copied out)
///     void put(const K& key, const V& value);  // insert or overwrite
///     static constexpr const char* name;       // "LockedMap", ...: the <...> in benchmark names
///
/// All adapters are thread-safe. Names starting with "Cachet" are cachet's; report.py compares
/// each of them against every other adapter.

#include <benchmark/benchmark.h>

#include <cachet/kv_store.hpp>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <list>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#if CACHET_HAVE_LIBCUCKOO
#include <libcuckoo/cuckoohash_map.hh>
#endif

namespace bench {

// --- Inputs ---------------------------------------------------------------------------------------

/// SplitMix64 (Steele, Lea, Flood 2014): a small, fast, well-mixed generator for fixed-seed inputs.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) noexcept : m_state(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1).
    double next_double() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform in [0, n) (the modulo bias is below n / 2^64, negligible here).
    std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }

private:
    std::uint64_t m_state;
};

/// Zipf sampler over ranks [1, n] with P(k) proportional to 1 / k^skew, by rejection-inversion
/// (Hörmann & Derflinger, "Rejection-inversion to generate variates from monotone discrete
/// distributions", 1996; the form used by Apache Commons' RejectionInversionZipfSampler).
/// O(1) setup and memory, about 1.1 tries and a few log/exp per sample.
class ZipfSampler {
public:
    ZipfSampler(std::uint64_t n, double skew) noexcept
        : m_n(n),
          m_skew(skew),
          m_h_x1(h_integral(1.5) - 1.0),
          m_h_n(h_integral(static_cast<double>(n) + 0.5)),
          m_s(2.0 - h_integral_inverse(h_integral(2.5) - h(2.0))) {}

    /// A rank in [1, n]; rank 1 is the most frequent.
    std::uint64_t operator()(SplitMix64& rng) const noexcept {
        for (;;) {
            const double u = m_h_n + rng.next_double() * (m_h_x1 - m_h_n);
            const double x = h_integral_inverse(u);
            double k = std::floor(x + 0.5);
            if (k < 1.0) k = 1.0;
            else if (k > static_cast<double>(m_n)) k = static_cast<double>(m_n);
            if (k - x <= m_s || u >= h_integral(k + 0.5) - h(k)) return static_cast<std::uint64_t>(k);
        }
    }

private:
    static double helper1(double x) noexcept {  // log1p(x) / x
        return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
    }
    static double helper2(double x) noexcept {  // expm1(x) / x
        return std::abs(x) > 1e-8 ? std::expm1(x) / x
                                  : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
    }
    [[nodiscard]] double h(double x) const noexcept { return std::exp(-m_skew * std::log(x)); }
    [[nodiscard]] double h_integral(double x) const noexcept {
        const double log_x = std::log(x);
        return helper2((1.0 - m_skew) * log_x) * log_x;
    }
    [[nodiscard]] double h_integral_inverse(double x) const noexcept {
        double t = x * (1.0 - m_skew);
        if (t < -1.0) t = -1.0;
        return std::exp(helper1(t) * x);
    }

    std::uint64_t m_n;
    double m_skew;
    double m_h_x1, m_h_n, m_s;
};

/// A fixed bijection of [0, n) that scatters neighbouring ranks over the whole range, so the hot
/// keys of a Zipf stream are neither adjacent in key space nor in insertion order (YCSB's and
/// Caffeine's "scrambled Zipfian"). Without it, identity-hashed std::unordered_map would find
/// the hottest keys in neighbouring buckets and neighbouring nodes, an accident of the benchmark.
/// Cycle-walks an xorshift-multiply permutation of the next power of two (< 2 rounds expected).
inline std::uint64_t scramble(std::uint64_t rank, std::uint64_t n) noexcept {
    if (n <= 1) return 0;
    const int bits = std::bit_width(n - 1);
    const std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    const int shift = bits / 2 + 1;
    std::uint64_t x = rank;
    do {
        x = (x * 0x9e3779b97f4a7c15ULL) & mask;
        x ^= x >> shift;
        x = (x * 0xbf58476d1ce4e5b9ULL) & mask;
        x ^= x >> shift;
        x = (x * 0x94d049bb133111ebULL) & mask;
    } while (x >= n);
    return x;
}

/// `count` key indices in [0, n_keys), Zipf-distributed with exponent `skew` (0.99, as in YCSB
/// and Caffeine's benchmarks), deterministic for a given seed. The i-th most frequent index is
/// `scramble(i, n_keys)`, the same for every seed. About 40 ns per sample (16M in under a second).
inline std::vector<std::uint64_t> zipf_keys(std::size_t n_keys, std::size_t count,
                                            double skew = 0.99, std::uint64_t seed = 42) {
    const ZipfSampler zipf(n_keys, skew);
    SplitMix64 rng(seed);
    std::vector<std::uint64_t> keys(count);
    for (auto& k : keys) k = scramble(zipf(rng) - 1, n_keys);
    return keys;
}

/// `count` key indices uniform over [0, n_keys). Deterministic for a given seed.
inline std::vector<std::uint64_t> uniform_keys(std::size_t n_keys, std::size_t count,
                                               std::uint64_t seed = 42) {
    SplitMix64 rng(seed);
    std::vector<std::uint64_t> keys(count);
    for (auto& k : keys) k = rng.below(n_keys);
    return keys;
}

/// The 16-byte string key for index `i` < 10^15: "k" and 15 zero-padded decimal digits.
inline std::string string_key(std::uint64_t i) {
    std::string s(16, '0');
    s[0] = 'k';
    for (std::size_t pos = 15; i != 0 && pos > 0; --pos, i /= 10)
        s[pos] = static_cast<char>('0' + i % 10);
    return s;
}

/// Key type tag used in benchmark names: "u64", "str16".
template <class K>
inline constexpr const char* key_name = "key";
template <>
inline constexpr const char* key_name<std::uint64_t> = "u64";
template <>
inline constexpr const char* key_name<std::string> = "str16";

/// The key of type `K` for index `i`.
template <class K>
K make_key(std::uint64_t i);
template <>
inline std::uint64_t make_key<std::uint64_t>(std::uint64_t i) { return i; }
template <>
inline std::string make_key<std::string>(std::uint64_t i) { return string_key(i); }

// --- Baselines ------------------------------------------------------------------------------------

/// std::unordered_map behind one lock: `Mutex` for writes, `ReadLock<Mutex>` for reads.
template <class K, class V, class Mutex, template <class> class ReadLock, const char* Name>
class MapBehindLock {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr const char* name = Name;

    explicit MapBehindLock(std::size_t capacity) { m_map.reserve(capacity); }

    bool get(const K& key) {
        V value;
        {
            ReadLock<Mutex> lock(m_mutex);
            auto it = m_map.find(key);
            if (it == m_map.end()) return false;
            value = it->second;
        }
        benchmark::DoNotOptimize(value);
        return true;
    }
    void put(const K& key, const V& value) {
        std::unique_lock lock(m_mutex);
        m_map.insert_or_assign(key, value);
    }
    std::size_t size() {
        ReadLock<Mutex> lock(m_mutex);
        return m_map.size();
    }

private:
    Mutex m_mutex;
    std::unordered_map<K, V> m_map;
};

inline constexpr char locked_map_name[] = "LockedMap";
inline constexpr char shared_locked_map_name[] = "SharedLockedMap";

/// std::unordered_map behind one std::mutex.
template <class K, class V>
using LockedMap = MapBehindLock<K, V, std::mutex, std::unique_lock, locked_map_name>;

/// std::unordered_map behind a std::shared_mutex: readers share the lock.
template <class K, class V>
using SharedLockedMap =
    MapBehindLock<K, V, std::shared_mutex, std::shared_lock, shared_locked_map_name>;

#if CACHET_HAVE_LIBCUCKOO
/// libcuckoo's concurrent cuckoo hash map (fine-grained bucket locks), std::hash.
template <class K, class V>
class Cuckoo {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr const char* name = "Cuckoo";

    explicit Cuckoo(std::size_t capacity) { m_map.reserve(capacity); }

    bool get(const K& key) {
        V value;
        if (!m_map.find(key, value)) return false;
        benchmark::DoNotOptimize(value);
        return true;
    }
    void put(const K& key, const V& value) { m_map.insert_or_assign(key, value); }
    std::size_t size() { return m_map.size(); }

private:
    libcuckoo::cuckoohash_map<K, V> m_map;
};
#endif

/// The classic bounded LRU: a std::list in recency order (front = most recent), a
/// std::unordered_map from key to list node, one std::mutex. A hit moves the node to the front;
/// an insert into a full cache reuses the back node (the victim).
template <class K, class V>
class LockedLru {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr const char* name = "LockedLru";

    explicit LockedLru(std::size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {
        m_index.reserve(m_capacity);
    }

    bool get(const K& key) {
        V value;
        {
            std::lock_guard lock(m_mutex);
            auto it = m_index.find(key);
            if (it == m_index.end()) return false;
            m_order.splice(m_order.begin(), m_order, it->second);
            value = it->second->second;
        }
        benchmark::DoNotOptimize(value);
        return true;
    }
    void put(const K& key, const V& value) {
        std::lock_guard lock(m_mutex);
        if (auto it = m_index.find(key); it != m_index.end()) {
            it->second->second = value;
            m_order.splice(m_order.begin(), m_order, it->second);
            return;
        }
        if (m_index.size() >= m_capacity) {
            auto victim = std::prev(m_order.end());
            m_index.erase(victim->first);
            m_order.splice(m_order.begin(), m_order, victim);
            victim->first = key;
            victim->second = value;
        } else {
            m_order.emplace_front(key, value);
        }
        m_index.emplace(key, m_order.begin());
    }
    std::size_t size() {
        std::lock_guard lock(m_mutex);
        return m_index.size();
    }

private:
    using List = std::list<std::pair<K, V>>;
    std::mutex m_mutex;
    std::size_t m_capacity;
    List m_order;
    std::unordered_map<K, typename List::iterator> m_index;
};

// --- cachet ---------------------------------------------------------------------------------------

/// The TTL every cachet put uses, so each put schedules (or reschedules) a timer.
inline constexpr std::chrono::hours cachet_ttl{1};

/// cachet::KvStore, unbounded; every entry has a TTL. `Mutex` is the shard lock, `Clock` the
/// store's clock.
template <class K, class V, class Mutex, const char* Name, class Clock = cachet::SteadyClock>
class KvStoreAdapter {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr const char* name = Name;

    explicit KvStoreAdapter(std::size_t capacity) { m_kv.reserve(capacity); }

    bool get(const K& key) {
        auto value = m_kv.get(key);
        benchmark::DoNotOptimize(value);
        return value.has_value();
    }
    void put(const K& key, const V& value) { m_kv.put(key, value, cachet_ttl); }
    std::size_t size() { return m_kv.size(); }

private:
    cachet::KvStore<K, V, std::hash<K>, std::equal_to<K>, Clock, Mutex> m_kv;
};

inline constexpr char cachet_kv_name[] = "CachetKv";
inline constexpr char cachet_kv_coarse_name[] = "CachetKvCoarse";
inline constexpr char std_mutex_kv_name[] = "StdMutexKv";

/// cachet::KvStore as shipped (SpinMutex shard locks, steady_clock).
template <class K, class V>
using CachetKv = KvStoreAdapter<K, V, cachet::SpinMutex, cachet_kv_name>;

/// The same store on `cachet::CoarseClock` (a clock read from memory: TTLs end up to ~1 ms
/// late, more on a loaded machine).
template <class K, class V>
using CachetKvCoarse =
    KvStoreAdapter<K, V, cachet::SpinMutex, cachet_kv_coarse_name, cachet::CoarseClock>;

/// The same store with std::mutex shard locks: the baseline for the SpinMutex default.
template <class K, class V>
using StdMutexKv = KvStoreAdapter<K, V, std::mutex, std_mutex_kv_name>;

/// cachet::KvStore bounded to `capacity` entries with eviction policy `P` (the default,
/// W-TinyLFU, or LRU); every entry has a TTL.
template <class K, class V, cachet::Eviction P, const char* Name,
          class Clock = cachet::SteadyClock>
class BoundedKvAdapter {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr const char* name = Name;

    explicit BoundedKvAdapter(std::size_t capacity)
        : m_kv({.max_entries = capacity, .eviction = P}) {
        m_kv.reserve(capacity);
    }

    bool get(const K& key) {
        auto value = m_kv.get(key);
        benchmark::DoNotOptimize(value);
        return value.has_value();
    }
    void put(const K& key, const V& value) { m_kv.put(key, value, cachet_ttl); }
    std::size_t size() { return m_kv.size(); }

private:
    cachet::KvStore<K, V, std::hash<K>, std::equal_to<K>, Clock> m_kv;
};

inline constexpr char cachet_kv_bounded_name[] = "CachetKvBounded";
inline constexpr char cachet_kv_bounded_coarse_name[] = "CachetKvBoundedCoarse";
inline constexpr char cachet_kv_bounded_lru_name[] = "CachetKvBoundedLru";

/// The bounded store as shipped: W-TinyLFU (hits take the shard's shared lock only).
template <class K, class V>
using CachetKvBounded =
    BoundedKvAdapter<K, V, cachet::Eviction::tinylfu, cachet_kv_bounded_name>;
/// The same on `cachet::CoarseClock`.
template <class K, class V>
using CachetKvBoundedCoarse = BoundedKvAdapter<K, V, cachet::Eviction::tinylfu,
                                               cachet_kv_bounded_coarse_name, cachet::CoarseClock>;
/// The bounded store with exact LRU (hits relink under the exclusive lock).
template <class K, class V>
using CachetKvBoundedLru =
    BoundedKvAdapter<K, V, cachet::Eviction::lru, cachet_kv_bounded_lru_name>;

}  // namespace bench

#endif  // CACHET_BENCH_ADAPTERS_HPP
