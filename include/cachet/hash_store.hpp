#ifndef CACHET_HASH_STORE_HPP
#define CACHET_HASH_STORE_HPP

/// `HashStore<K, Field, V>`: Redis hashes (HSET, HGET, HMGET, HGETALL, HDEL, HEXISTS, HLEN,
/// HKEYS, HVALS, HSTRLEN, HINCRBY, HINCRBYFLOAT, HSETNX, HRANDFIELD, HSCAN) as a typed,
/// thread-safe container keyed on the keyspace core. Each key holds a `HashMap<Field, V>`
/// (hash_table.hpp: Redis's dict, chained with power-of-two buckets, so HSCAN has Redis's
/// cursor guarantee and HRANDFIELD picks in O(1) expected); the key itself (TTL, eviction,
/// stats, removal and write notifications) is the core's, so nothing here re-implements expiry.
///
/// Redis's rules, as the backend applies them (detail/keyed_store.hpp): a write that leaves a
/// hash empty deletes its key (HDEL of the last field, like Redis); a read of a missing key
/// sees an empty hash; writes to an existing key keep its TTL (HSET does not reset it), a new
/// key gets the store's default TTL. Every operation is one backend call on one key, under that
/// key's shard lock, so each is atomic: O(1) expected plus the work named below, with the
/// fields' count N = the hash's size.
///
/// With `V = std::string` (the RESP Database's hashes) HINCRBY and HINCRBYFLOAT read and write
/// the value as Redis does: the integer with `string2ll` (strict: no spaces, no '+', no
/// leading zeros), the float with `string2ld`, the result in `ld2string`'s human form
/// ("%.17Lf" without trailing zeros), all in detail/redis_number.hpp and checked against
/// redis-server 7.0.15. With an arithmetic `V`, `increment` adds natively and reports overflow.
///
/// Thread-safety: every member function is thread-safe; each takes one shard lock (the key's)
/// unless it says otherwise, and never hands out a reference into the store (reads return
/// copies; `visit` runs a callback under the lock). Exceptions: a write that throws (allocation,
/// or a throwing copy of a field or value) leaves what it had already changed (basic guarantee)
/// and single-field writes give the strong guarantee; a Database backend throws its wrong-type
/// error before changing anything when the key holds another type.
///
/// ```cpp
/// cachet::HashStore<std::string, std::string, std::string> users;
/// users.set("user:42", {{"name", "alice"}, {"visits", "0"}});   // HSET: returns 2 (new fields)
/// auto visits = users.increment("user:42", "visits", 1);        // HINCRBY: Result<long long> 1
/// auto score = users.increment_float("user:42", "score", 0.1L);  // HINCRBYFLOAT: "0.1"
/// std::optional<std::string> name = users.get("user:42", "name");
/// cachet::HashStore<long long, std::string, long long> counters;  // typed values
/// auto n = counters.increment(7, "hits", 1);                     // Errc::overflow, never wraps
/// ```
///
/// Fields are listed (`get_all`, `fields`, `values`, `visit`) in insertion order: a field keeps
/// its place when its value changes and goes last when removed and added again.
///
/// Differences from Redis: fields and values are C++ objects, so a hash of `int` values holds
/// ints (HSTRLEN then counts their decimal digits, as Redis would for its integer encoding);
/// HSCAN always walks the dict by cursor (Redis returns a small listpack-encoded hash whole,
/// with cursor 0); HRANDFIELD's random choice is uniform over buckets then chain (as Redis's
/// dictGetFairRandomKey), and its order for positive counts is random rather than the dict's.

#include <cachet/detail/config.hpp>
#include <cachet/detail/glob.hpp>
#include <cachet/detail/keyed_store.hpp>
#include <cachet/detail/redis_number.hpp>
#include <cachet/hash_table.hpp>
#include <cachet/result.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN

/// Redis hashes over any backend with the `detail::OwnedBackend` interface whose container is
/// a `HashMap<Field, V, ...>`. Use the `HashStore` alias; the RESP Database plugs in its own
/// backend.
template <class Backend>
class BasicHashStore : public detail::KeyedStore<Backend> {
    using Base = detail::KeyedStore<Backend>;

public:
    using typename Base::container_type;
    using typename Base::key_type;
    using typename Base::size_type;
    using field_type = typename container_type::key_type;
    using mapped_type = typename container_type::mapped_type;
    using entry_type = std::pair<field_type, mapped_type>;

    /// HSCAN's options. `match`: a Redis glob on the field (detail/glob.hpp), absent or "*" for
    /// every field; it needs text or integer fields. `count`: how many fields to look at, a
    /// hint (Redis's COUNT, default 10; 0 is taken as 1).
    struct ScanOptions {
        std::optional<std::string_view> match{};
        std::size_t count = 10;
    };
    /// One HSCAN step: the cursor to pass next (0: the scan is complete) and the entries found.
    struct ScanPage {
        std::uint64_t cursor = 0;
        std::vector<entry_type> entries;
    };

    using Base::Base;
    using Base::contains;

    // ------------------------------------------------------------------ writes

    /// Sets `field` of `key` to `value` (HSET with one pair), creating the key if needed.
    /// Returns true if the field was new. Keeps the key's TTL. Event `hset`.
    /// Complexity: O(1) expected; allocates a node for a new field (and a key node for a new
    /// key). Strong guarantee. Thread-safe.
    bool set(const key_type& key, field_type field, mapped_type value) {
        return this->m_backend.write(key, [&](auto& ref) {
            const bool added = put(ref.create(), std::move(field), std::move(value));
            ref.event("hset");
            return added;
        });
    }
    /// Sets every (field, value) of `entries` in order (HSET with many pairs; a field named
    /// twice ends with its last value and counts once). Returns the number of new fields. An
    /// empty range changes nothing. Moves the fields and values out of an owning rvalue range,
    /// copies them otherwise. Complexity: O(M) expected, M = the number of pairs. Basic
    /// guarantee (pairs before a throwing one stay set). Thread-safe.
    template <class R>
        requires std::ranges::input_range<R> &&
                 requires(std::ranges::range_reference_t<R> e) {
                     field_type(std::get<0>(e));
                     mapped_type(std::get<1>(e));
                 }
    std::size_t set(const key_type& key, R&& entries) {
        constexpr bool owned = !std::is_lvalue_reference_v<R> && !std::ranges::borrowed_range<R>;
        return this->m_backend.write(key, [&](auto& ref) {
            container_type* m = nullptr;
            std::size_t added = 0;
            for (auto&& e : entries) {
                if (!m) m = &ref.create();
                if constexpr (owned)
                    added += put(*m, std::get<0>(std::move(e)), std::get<1>(std::move(e)));
                else
                    added += put(*m, std::get<0>(e), std::get<1>(e));
            }
            if (m) ref.event("hset");
            return added;
        });
    }
    std::size_t set(const key_type& key, std::initializer_list<entry_type> entries) {
        return set(key, std::span<const entry_type>(entries.begin(), entries.size()));
    }

    /// Sets `field` only if the hash lacks it (HSETNX), creating the key if needed. Returns
    /// true if it was set. Event `hset` when set. O(1) expected. Strong guarantee. Thread-safe.
    bool set_if_absent(const key_type& key, field_type field, mapped_type value) {
        return this->m_backend.write(key, [&](auto& ref) {
            if (const container_type* c = ref.peek(); c && c->contains(field)) return false;
            container_type& m = ref.create();
            note_write(m, field, value, true);
            m.try_emplace(std::move(field), std::move(value));
            ref.event("hset");
            return true;
        });
    }

    /// Removes `field` (HDEL with one field). Returns true if it was present. Removing the
    /// last field deletes the key. Event `hdel` when something was removed. O(1) expected.
    /// Thread-safe.
    bool remove(const key_type& key, const field_type& field) {
        return this->erase_element(key, field, "hdel");
    }
    /// Removes each of `fields` (HDEL). Returns how many were present (a field named twice
    /// counts once). O(M) expected, M = the number of fields named. Thread-safe.
    template <class R>
        requires std::ranges::input_range<R> && (!std::convertible_to<R, field_type>) &&
                 std::convertible_to<std::ranges::range_reference_t<R>, const field_type&>
    std::size_t remove(const key_type& key, R&& fields) {
        return this->template erase_elements<field_type>(key, fields, "hdel");
    }
    std::size_t remove(const key_type& key, std::initializer_list<field_type> fields) {
        return remove(key, std::span<const field_type>(fields.begin(), fields.size()));
    }

    // ------------------------------------------------------------------ reads

    /// A copy of the value of `field` (HGET), or nullopt if the key or field is absent. Counts
    /// a hit or a miss for the key. O(1) expected; copies the value. Thread-safe.
    [[nodiscard]] std::optional<mapped_type> get(const key_type& key, const field_type& field) {
        using Out = std::optional<mapped_type>;
        return this->m_backend.read(key, [&](const container_type* c) -> Out {
            if (c)
                if (const mapped_type* v = c->find(field)) return *v;
            return std::nullopt;
        });
    }
    /// The values of `fields`, in order (HMGET): nullopt for each absent one (all of them if
    /// the key is absent). O(M) expected, M = the number of fields named. Thread-safe.
    [[nodiscard]] std::vector<std::optional<mapped_type>> get_many(
        const key_type& key, std::span<const field_type> fields) {
        return this->m_backend.read(key, [&](const container_type* c) {
            std::vector<std::optional<mapped_type>> out;
            out.reserve(fields.size());
            for (const field_type& f : fields) {
                const mapped_type* v = c ? c->find(f) : nullptr;
                out.push_back(v ? std::optional<mapped_type>(*v) : std::nullopt);
            }
            return out;
        });
    }
    [[nodiscard]] std::vector<std::optional<mapped_type>> get_many(
        const key_type& key, std::initializer_list<field_type> fields) {
        return get_many(key, std::span<const field_type>(fields.begin(), fields.size()));
    }
    /// Every (field, value) pair (HGETALL), in the dict's order; empty if the key is absent.
    /// O(N); copies every field and value. Thread-safe.
    [[nodiscard]] std::vector<entry_type> get_all(const key_type& key) {
        return this->m_backend.read(key, [](const container_type* c) {
            std::vector<entry_type> out;
            if (!c) return out;
            out.reserve(c->size());
            c->for_each([&](const field_type& f, const mapped_type& v) { out.emplace_back(f, v); });
            return out;
        });
    }
    /// True if the hash has `field` (HEXISTS). O(1) expected. Thread-safe.
    [[nodiscard]] bool contains(const key_type& key, const field_type& field) {
        return this->m_backend.read(
            key, [&](const container_type* c) { return c && c->contains(field); });
    }
    /// Number of fields (HLEN); 0 if the key is absent. O(1). Thread-safe.
    [[nodiscard]] std::size_t length(const key_type& key) {
        return this->m_backend.read(key,
                                    [](const container_type* c) { return c ? c->size() : 0; });
    }
    /// Every field (HKEYS), in the dict's order. O(N); copies them. Thread-safe.
    [[nodiscard]] std::vector<field_type> fields(const key_type& key) {
        return this->m_backend.read(key, [](const container_type* c) {
            std::vector<field_type> out;
            if (!c) return out;
            out.reserve(c->size());
            c->for_each([&](const field_type& f, const mapped_type&) { out.push_back(f); });
            return out;
        });
    }
    /// Every value (HVALS), in the dict's order (the same as `fields`). O(N); copies them.
    /// Thread-safe.
    [[nodiscard]] std::vector<mapped_type> values(const key_type& key) {
        return this->m_backend.read(key, [](const container_type* c) {
            std::vector<mapped_type> out;
            if (!c) return out;
            out.reserve(c->size());
            c->for_each([&](const field_type&, const mapped_type& v) { out.push_back(v); });
            return out;
        });
    }
    /// Length of the value of `field` (HSTRLEN): its size for text values, its number of
    /// decimal characters (sign included) for integer values; 0 if absent. O(1) expected.
    /// Thread-safe.
    [[nodiscard]] std::size_t value_length(const key_type& key, const field_type& field)
        requires detail::RedisText<mapped_type>
    {
        return this->m_backend.read(key, [&](const container_type* c) -> std::size_t {
            const mapped_type* v = c ? c->find(field) : nullptr;
            if (!v) return 0;
            return detail::with_redis_text(*v, [](std::string_view s) { return s.size(); });
        });
    }

    /// Calls `f(const container_type&)` on the hash under the key's shard lock, without
    /// copying it; returns false (and does not call `f`) if the key is absent. `f` must not call
    /// into this store. O(1) expected plus `f`. Thread-safe.
    template <class F>
    bool visit(const key_type& key, F&& f) {
        return this->m_backend.read(key, [&](const container_type* c) {
            if (c) f(*c);
            return c != nullptr;
        });
    }

    // ------------------------------------------------------------------ arithmetic

    /// Adds `delta` to the arithmetic value of `field` (HINCRBY for an integer `V`,
    /// HINCRBYFLOAT for a floating one), an absent field counting as 0. Returns the new value,
    /// or `Errc::overflow` if an integer would overflow or a float would become infinite or
    /// NaN (nothing changes then, and no key is created). Events `hincrby` / `hincrbyfloat`.
    /// O(1) expected. Strong guarantee. Thread-safe.
    Result<mapped_type> increment(const key_type& key, const field_type& field, mapped_type delta)
        requires(std::is_arithmetic_v<mapped_type> && !std::is_same_v<mapped_type, bool>)
    {
        return this->m_backend.write(key, [&](auto& ref) -> Result<mapped_type> {
            const container_type* c = ref.peek();
            const mapped_type* cur = c ? c->find(field) : nullptr;
            const mapped_type base = cur ? *cur : mapped_type{};
            mapped_type next{};
            if constexpr (std::is_integral_v<mapped_type>) {
                if (__builtin_add_overflow(base, delta, &next)) return Errc::overflow;
            } else {
                next = base + delta;
                if (!std::isfinite(next)) return Errc::overflow;
            }
            put(ref.create(), field, next);
            ref.event(std::is_integral_v<mapped_type> ? "hincrby" : "hincrbyfloat");
            return next;
        });
    }

    /// HINCRBY on text values, exactly as Redis: the field's value (0 if absent) is parsed as
    /// a strict 64-bit integer (`detail::string2ll`: no spaces, no '+', no leading zeros),
    /// `delta` is added, and the sum is stored in decimal. Returns the new value, or
    /// `Errc::invalid_argument` if the value is not such an integer (Redis: "hash value is not
    /// an integer") or `Errc::overflow` if the sum overflows ("increment or decrement would
    /// overflow"); nothing changes then. Event `hincrby`. O(1) expected plus the value's length.
    /// Strong guarantee. Thread-safe.
    Result<long long> increment(const key_type& key, const field_type& field, long long delta)
        requires detail::StringValue<mapped_type>
    {
        return this->m_backend.write(key, [&](auto& ref) -> Result<long long> {
            const container_type* c = ref.peek();
            long long value = 0;
            if (const mapped_type* cur = c ? c->find(field) : nullptr)
                if (!detail::string2ll(std::string_view(*cur), value))
                    return Errc::invalid_argument;
            long long next;
            if (__builtin_add_overflow(value, delta, &next)) return Errc::overflow;
            char buf[detail::long_str_size];
            put(ref.create(), field,
                mapped_type(std::string_view(buf, detail::ll2string(buf, sizeof buf, next))));
            ref.event("hincrby");
            return next;
        });
    }

    /// HINCRBYFLOAT on text values, exactly as Redis 7.0: the field's value (0 if absent) is
    /// parsed with `detail::string2ld` (strtold: decimals, exponents, hex floats, a leading
    /// '+'; no spaces, no trailing bytes, no "nan"), `delta` is added in `long double`, and the
    /// sum is stored as `ld2string(..., human)` ("%.17Lf", trailing zeros and '.' removed:
    /// 10.5 + 0.1 is "10.6", 3.0e3 + 0.1 is "3000.10000000000000009" on x86). Returns the
    /// stored text (Redis's reply). Errors, checked in Redis's order, nothing changed:
    /// `Errc::invalid_argument` if `delta` is NaN or infinite (Redis: "value is NaN or
    /// Infinity") or the value is not a float ("hash value is not a float"), `Errc::overflow`
    /// if the sum is infinite ("increment would produce NaN or Infinity"). Event
    /// `hincrbyfloat`. O(1) expected plus the texts' lengths (up to ~5,000 characters for huge
    /// values). Strong guarantee. Thread-safe.
    Result<mapped_type> increment_float(const key_type& key, const field_type& field,
                                        long double delta)
        requires detail::StringValue<mapped_type>
    {
        if (!std::isfinite(delta)) return Errc::invalid_argument;
        return this->m_backend.write(key, [&](auto& ref) -> Result<mapped_type> {
            const container_type* c = ref.peek();
            long double value = 0;
            if (const mapped_type* cur = c ? c->find(field) : nullptr)
                if (!detail::string2ld(std::string_view(*cur), value))
                    return Errc::invalid_argument;
            value += delta;
            if (!std::isfinite(value)) return Errc::overflow;
            char buf[detail::max_long_double_chars];
            const std::size_t n = detail::ld2string(buf, sizeof buf, value, detail::LdMode::human);
            mapped_type text(std::string_view(buf, n));
            put(ref.create(), field, text);
            ref.event("hincrbyfloat");
            return text;
        });
    }

    // ------------------------------------------------------------------ random and scan

    /// A random field (HRANDFIELD without a count), or nullopt if the key is absent.
    /// O(1) expected. Thread-safe.
    [[nodiscard]] std::optional<field_type> random_field(const key_type& key) {
        return this->m_backend.read(key, [](const container_type* c) -> std::optional<field_type> {
            if (!c || c->empty()) return std::nullopt;
            return *c->random().first;
        });
    }
    /// Random fields (HRANDFIELD key count), as Redis: `count` > 0 gives min(count, N)
    /// distinct fields (all of them when count >= N); `count` < 0 gives |count| fields that
    /// may repeat; 0 or an absent key gives none. Complexity: O(|count|) expected for a
    /// negative count or one under N / 3; O(N) otherwise. Allocates the result: the caller
    /// bounds |count| (the RESP layer rejects what Redis rejects). Thread-safe.
    [[nodiscard]] std::vector<field_type> random_fields(const key_type& key, long long count) {
        return this->m_backend.read(key, [&](const container_type* c) {
            std::vector<field_type> out;
            if (c)
                pick(*c, count, out,
                     [&](const field_type& f, const mapped_type&) { out.push_back(f); });
            return out;
        });
    }
    /// As `random_fields`, with the values (HRANDFIELD key count WITHVALUES). Thread-safe.
    [[nodiscard]] std::vector<entry_type> random_entries(const key_type& key, long long count) {
        return this->m_backend.read(key, [&](const container_type* c) {
            std::vector<entry_type> out;
            if (c)
                pick(*c, count, out,
                     [&](const field_type& f, const mapped_type& v) { out.emplace_back(f, v); });
            return out;
        });
    }

    /// One step of a cursor scan (HSCAN key cursor [MATCH pattern] [COUNT count]): start with
    /// cursor 0 and pass back the returned cursor until it is 0. Redis's guarantee: a field
    /// present for the whole scan is returned at least once (possibly more, if the hash is
    /// resized between steps); one added or removed meanwhile may or may not be. Each step
    /// walks buckets until it has looked at `count` fields or 10 x `count` buckets, as Redis's
    /// dict scan does, then keeps those that match. Throws `std::invalid_argument` if a MATCH
    /// is given and fields are neither text nor integers. Complexity: O(count + buckets
    /// walked); copies the entries returned. Thread-safe (each step is atomic; the scan as a
    /// whole is not a snapshot).
    [[nodiscard]] ScanPage scan(const key_type& key, std::uint64_t cursor,
                                const ScanOptions& options) {
        const bool filter = options.match && *options.match != "*";
        if constexpr (!detail::RedisText<field_type>) {
            if (filter)
                throw std::invalid_argument(
                    "cachet::HashStore::scan: MATCH needs text or integer fields");
        }
        const std::size_t count = std::max<std::size_t>(1, options.count);
        return this->m_backend.read(key, [&](const container_type* c) {
            ScanPage page;
            if (!c) return page;
            std::size_t looked = 0;
            std::size_t buckets = count > std::numeric_limits<std::size_t>::max() / 10
                                      ? std::numeric_limits<std::size_t>::max()
                                      : count * 10;
            std::uint64_t cur = cursor;
            do {
                cur = c->scan(cur, [&](const field_type& f, const mapped_type& v) {
                    ++looked;
                    if (!filter || matches(*options.match, f)) page.entries.emplace_back(f, v);
                });
            } while (cur != 0 && buckets-- != 0 && looked < count);
            page.cursor = cur;
            return page;
        });
    }
    [[nodiscard]] ScanPage scan(const key_type& key, std::uint64_t cursor) {
        return scan(key, cursor, ScanOptions{});
    }

private:
    /// Sets `f` to `v` in `m`; true if `f` was new. Converts `f` to a field first if needed.
    template <class F, class W>
    bool put(container_type& m, F&& f, W&& v) {
        if constexpr (!std::is_same_v<std::remove_cvref_t<F>, field_type>) {
            return put(m, field_type(std::forward<F>(f)), std::forward<W>(v));
        } else {
            if (mapped_type* cur = m.find(f)) {
                note_write(m, f, v, false);
                *cur = std::forward<W>(v);
                return false;
            }
            note_write(m, f, v, true);
            m.try_emplace(std::forward<F>(f), std::forward<W>(v));
            return true;
        }
    }
    /// Tells a backend that follows the hash's encoding (the RESP Database's) about a write.
    template <class W>
    void note_write(container_type& m, const field_type& f, const W& v, bool adding) {
        if constexpr (requires { this->m_backend.note_field_write(m, f, v, adding); })
            this->m_backend.note_field_write(m, f, v, adding);
    }

    static bool matches(std::string_view pattern, const field_type& f) {
        if constexpr (detail::RedisText<field_type>)
            return detail::with_redis_text(
                f, [&](std::string_view s) { return detail::glob_match(pattern, s); });
        else
            return true;
    }

    /// HRANDFIELD's choice of `count` entries of `c`, each passed to `emit(field, value)`;
    /// `out` is the result vector `emit` fills (reserved here). Redis's cases: a
    /// negative count picks with repetition; a count of at least N takes everything; a count
    /// over N / 3 selects from all entries (a partial Fisher-Yates shuffle, O(N)); a smaller
    /// count picks at random until it has enough distinct ones (O(count) expected).
    template <class Out, class Emit>
    static void pick(const container_type& c, long long count, Out& out, Emit&& emit) {
        if (count == 0 || c.empty()) return;
        const std::size_t size = c.size();
        if (count < 0) {
            const unsigned long long n = 0ULL - static_cast<unsigned long long>(count);
            out.reserve(static_cast<std::size_t>(std::min<unsigned long long>(n, 1u << 16)));
            for (unsigned long long i = 0; i < n; ++i) {
                const auto [f, v] = c.random();
                emit(*f, *v);
            }
            return;
        }
        const auto want = static_cast<unsigned long long>(count);
        if (want >= size) {
            out.reserve(size);
            c.for_each(emit);
            return;
        }
        const auto k = static_cast<std::size_t>(want);
        out.reserve(k);
        if (want * 3 > size) {
            std::vector<std::pair<const field_type*, const mapped_type*>> all;
            all.reserve(size);
            c.for_each(
                [&](const field_type& f, const mapped_type& v) { all.emplace_back(&f, &v); });
            for (std::size_t i = 0; i < k; ++i) {
                const std::size_t j =
                    i + static_cast<std::size_t>(detail::random_u64() % (size - i));
                std::swap(all[i], all[j]);
                emit(*all[i].first, *all[i].second);
            }
            return;
        }
        std::unordered_set<const void*> seen;
        seen.reserve(k);
        while (seen.size() < k) {
            const auto [f, v] = c.random();
            if (seen.insert(f).second) emit(*f, *v);
        }
    }
};

/// Redis hashes keyed by `K`, each a `HashMap<Field, V>`, on an owned keyspace core (see
/// `BasicHashStore`). Build it like any store: `HashStore<std::string, std::string,
/// std::string> users({.max_entries = 10'000, .default_ttl = 30min});`.
template <class K, class Field, class V, class Hash = std::hash<K>,
          class KeyEqual = std::equal_to<K>, Clock C = SteadyClock, class Mutex = SpinMutex,
          class FieldHash = std::hash<Field>, class FieldEqual = std::equal_to<Field>>
using HashStore = BasicHashStore<
    detail::OwnedBackend<K, HashMap<Field, V, FieldHash, FieldEqual>, Hash, KeyEqual, C, Mutex>>;

CACHET_NAMESPACE_END

#endif  // CACHET_HASH_STORE_HPP
