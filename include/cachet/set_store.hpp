#ifndef CACHET_SET_STORE_HPP
#define CACHET_SET_STORE_HPP

/// `SetStore<K, Member>`: Redis sets (SADD, SREM, SISMEMBER, SMISMEMBER, SMEMBERS, SCARD, SPOP,
/// SRANDMEMBER, SMOVE, SINTER / SUNION / SDIFF and their *STORE forms, SINTERCARD, SSCAN) as a
/// typed, thread-safe container keyed on the keyspace core. Each key holds a `HashSet<Member>`
/// (hash_table.hpp: Redis's dict, so SSCAN has Redis's cursor guarantee and SPOP /
/// SRANDMEMBER pick in O(1) expected); TTL, eviction, stats and notifications are the core's.
///
/// Redis's rules, as the backend applies them (detail/keyed_store.hpp): a write that leaves a
/// set empty deletes its key (SREM of the last member, SPOP of everything, SMOVE of the last
/// member); a missing key reads as an empty set; SADD to an existing key keeps its TTL; a
/// *STORE destination is replaced whatever it held (any type, in a Database), with no TTL (the
/// store's default TTL, if it has one), and an empty result deletes it.
///
/// Single-key operations take the key's shard lock once. Operations on several keys (SMOVE,
/// the set algebra and SINTERCARD) lock the shards of all their keys at once
/// (`Keyspace::access_many`, in shard order, so they cannot deadlock), so each sees and
/// changes its keys at one instant: an SMOVE is never seen half done, and SINTER reads its
/// sources as one snapshot. Complexity is given per call with N = the set's size.
///
/// Thread-safety: every member function is thread-safe and never hands out a reference into
/// the store. Exceptions: a write that throws (allocation, a throwing copy) keeps what it had
/// already changed (basic guarantee); single-member writes and the *STORE forms give the
/// strong guarantee (a result is built completely before it replaces the destination). A
/// Database backend throws its wrong-type error when a key that is read or changed holds
/// another type, before changing anything (SINTER checks every source, as Redis 7 does).
///
/// ```cpp
/// cachet::SetStore<std::string, long long> by_tag;
/// by_tag.add("tag:books", {1, 2, 3});                            // SADD: 3
/// by_tag.add("tag:sale", {2, 3, 4});
/// auto both = by_tag.intersection({"tag:books", "tag:sale"});   // SINTER: {2, 3}
/// by_tag.store_union("tag:any", {"tag:books", "tag:sale"});     // SUNIONSTORE: 4
/// by_tag.move("tag:sale", "tag:books", 4);                      // SMOVE, atomic
/// ```
///
/// Differences from Redis: members are C++ objects; SSCAN always walks the dict by cursor
/// (Redis returns a small intset-encoded set whole, with cursor 0); SRANDMEMBER and SPOP pick a
/// random bucket then a random member of its chain (as Redis's dictGetFairRandomKey), and
/// positive counts come back in random order rather than the dict's; keyspace events for a
/// write that empties a key are the core's `del` only (Redis sends `srem`/`spop` then `del`).

#include <cachet/detail/config.hpp>
#include <cachet/detail/glob.hpp>
#include <cachet/detail/keyed_store.hpp>
#include <cachet/detail/redis_number.hpp>
#include <cachet/hash_table.hpp>

#include <algorithm>
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

/// Redis sets over any backend with the `detail::OwnedBackend` interface whose container is a
/// `HashSet<Member, ...>`. Use the `SetStore` alias; the RESP Database plugs in its own backend.
template <class Backend>
class BasicSetStore : public detail::KeyedStore<Backend> {
    using Base = detail::KeyedStore<Backend>;

    template <class>
    struct SetParams;
    template <class M, class H, class E>
    struct SetParams<HashSet<M, H, E>> {
        using hasher = H;
        using key_equal = E;
    };

public:
    using typename Base::container_type;
    using typename Base::key_type;
    using typename Base::size_type;
    using member_type = typename container_type::key_type;
    using member_hasher = typename SetParams<container_type>::hasher;
    using member_equal = typename SetParams<container_type>::key_equal;

    /// SSCAN's options. `match`: a Redis glob on the member (detail/glob.hpp), absent or "*"
    /// for every member; it needs text or integer members. `count`: how many members to look
    /// at, a hint (Redis's COUNT, default 10; 0 is taken as 1).
    struct ScanOptions {
        std::optional<std::string_view> match{};
        std::size_t count = 10;
    };
    /// One SSCAN step: the cursor to pass next (0: the scan is complete) and the members found.
    struct ScanPage {
        std::uint64_t cursor = 0;
        std::vector<member_type> members;
    };

    using Base::Base;
    using Base::contains;

    // ------------------------------------------------------------------ writes

    /// Adds `member` to the set of `key` (SADD with one member), creating the key if needed.
    /// Returns true if it was new. Keeps the key's TTL. Event `sadd` when added.
    /// O(1) expected; allocates a node for a new member. Strong guarantee. Thread-safe.
    bool add(const key_type& key, member_type member) {
        return this->m_backend.write(key, [&](auto& ref) {
            if (const container_type* c = ref.peek(); c && c->contains(member)) return false;
            container_type& s = ref.create();
            note_add(s, member);
            s.insert(std::move(member));
            ref.event("sadd");
            return true;
        });
    }
    /// Adds each of `members` (SADD). Returns how many were new (a member named twice counts
    /// once). An empty range, or one of members all present, changes nothing. Moves out of an
    /// owning rvalue range, copies otherwise. O(M) expected, M = the number named. Basic
    /// guarantee. Thread-safe.
    template <class R>
        requires std::ranges::input_range<R> && (!std::convertible_to<R, member_type>) &&
                 std::constructible_from<member_type, std::ranges::range_reference_t<R>>
    std::size_t add(const key_type& key, R&& members) {
        constexpr bool owned = !std::is_lvalue_reference_v<R> && !std::ranges::borrowed_range<R>;
        return this->m_backend.write(key, [&](auto& ref) {
            container_type* s = nullptr;
            std::size_t added = 0;
            auto add_one = [&](auto&& m) {  // m: a member_type, copied only if new
                if (!s) {
                    const container_type* c = ref.peek();
                    if (c && c->contains(m)) return;
                    s = &ref.create();
                }
                note_add(*s, m);
                added += s->insert(std::forward<decltype(m)>(m)) ? 1 : 0;
            };
            using Ref = std::ranges::range_reference_t<R>;
            for (auto&& m : members) {
                if constexpr (!std::is_same_v<std::remove_cvref_t<Ref>, member_type>)
                    add_one(member_type(std::forward<decltype(m)>(m)));
                else if constexpr (owned)
                    add_one(std::move(m));
                else
                    add_one(std::as_const(m));
            }
            if (added) ref.event("sadd");
            return added;
        });
    }
    std::size_t add(const key_type& key, std::initializer_list<member_type> members) {
        return add(key, std::span<const member_type>(members.begin(), members.size()));
    }

    /// Removes `member` (SREM with one member). Returns true if it was present; removing the
    /// last member deletes the key. Event `srem` when removed. O(1) expected. Thread-safe.
    bool remove(const key_type& key, const member_type& member) {
        return this->erase_element(key, member, "srem");
    }
    /// Removes each of `members` (SREM). Returns how many were present. O(M) expected, M = the
    /// number named. Thread-safe.
    template <class R>
        requires std::ranges::input_range<R> && (!std::convertible_to<R, member_type>) &&
                 std::convertible_to<std::ranges::range_reference_t<R>, const member_type&>
    std::size_t remove(const key_type& key, R&& members) {
        return this->template erase_elements<member_type>(key, members, "srem");
    }
    std::size_t remove(const key_type& key, std::initializer_list<member_type> members) {
        return remove(key, std::span<const member_type>(members.begin(), members.size()));
    }

    /// Removes and returns a random member (SPOP), or nullopt if the key is absent; popping
    /// the last member deletes the key. Event `spop`. O(1) expected; moves the member out.
    /// Thread-safe.
    std::optional<member_type> pop(const key_type& key) {
        return this->m_backend.write(key, [&](auto& ref) -> std::optional<member_type> {
            const container_type* c = ref.peek();
            if (!c || c->empty()) return std::nullopt;
            member_type m = ref.get()->pop_random();
            ref.event("spop");
            return m;
        });
    }
    /// Removes and returns min(count, N) random distinct members (SPOP key count); all of them,
    /// deleting the key, when count >= N; none for 0 or an absent key. Event `spop`.
    /// O(min(count, N)) expected; moves the members out. Thread-safe.
    std::vector<member_type> pop(const key_type& key, std::size_t count) {
        return this->m_backend.write(key, [&](auto& ref) {
            std::vector<member_type> out;
            const container_type* c = ref.peek();
            if (!c || c->empty() || count == 0) return out;
            container_type& s = *ref.get();
            const std::size_t n = std::min(count, s.size());
            out.reserve(n);
            while (out.size() < n) out.push_back(s.pop_random());
            // Redis builds what stays of a set popped nearly whole (remaining * 5 <= count:
            // spopWithCountCommand's third case) as a new set, member by member, so a
            // Database backend's encoding follows (an intset again if all that stays fits one).
            if constexpr (requires { this->m_backend.note_set_built(s); })
                if (!s.empty() && s.size() * 5 <= count) this->m_backend.note_set_built(s);
            ref.event("spop");
            return out;
        });
    }

    /// Moves `member` from the set `src` to the set `dst` (SMOVE), atomically. Returns true if
    /// `member` was in `src` (then it is in `dst` and, unless src == dst, no longer in `src`);
    /// false, changing nothing, if `src` is absent or lacks it. With src == dst it only reports
    /// membership. Emptying `src` deletes it; `dst` is created if absent (default TTL) and keeps
    /// its TTL otherwise. Events: `srem` on `src`, `sadd` on `dst` if the member was new there.
    /// As Redis, a Database backend checks `dst`'s type only when `src` exists. O(1) expected;
    /// locks both keys' shards at once; copies both keys. Strong guarantee. Thread-safe.
    bool move(const key_type& src, const key_type& dst, const member_type& member) {
        const key_type keys[2] = {src, dst};
        return this->m_backend.write_many(std::span<const key_type>(keys), [&](auto& refs) {
            auto& from = refs[0];
            auto& to = refs[1];
            const container_type* s = from.peek();
            if (!s) return false;
            const container_type* d = to.peek();
            if (s == d) return s->contains(member);
            if (!s->contains(member)) return false;
            if (d && d->contains(member)) {
                from.get()->erase(member);
                from.event("srem");
                return true;
            }
            container_type& target = to.create();  // may throw: nothing changed yet
            note_add(target, member);
            target.insert(member);  // may throw: likewise (strong)
            to.event("sadd");
            from.get()->erase(member);
            from.event("srem");
            return true;
        });
    }

    // ------------------------------------------------------------------ reads

    /// True if `member` is in the set (SISMEMBER). Counts a hit or a miss for the key.
    /// O(1) expected. Thread-safe.
    [[nodiscard]] bool contains(const key_type& key, const member_type& member) {
        return this->m_backend.read(
            key, [&](const container_type* c) { return c && c->contains(member); });
    }
    /// Membership of each of `members`, in order (SMISMEMBER; all false if the key is absent).
    /// O(M) expected, M = the number named. Thread-safe.
    [[nodiscard]] std::vector<bool> contains_many(const key_type& key,
                                                  std::span<const member_type> members) {
        return this->m_backend.read(key, [&](const container_type* c) {
            std::vector<bool> out;
            out.reserve(members.size());
            for (const member_type& m : members) out.push_back(c && c->contains(m));
            return out;
        });
    }
    [[nodiscard]] std::vector<bool> contains_many(const key_type& key,
                                                  std::initializer_list<member_type> members) {
        return contains_many(key, std::span<const member_type>(members.begin(), members.size()));
    }
    /// Every member (SMEMBERS), in the dict's order; empty if the key is absent. O(N); copies
    /// them. Thread-safe.
    [[nodiscard]] std::vector<member_type> members(const key_type& key) {
        return this->m_backend.read(key, [](const container_type* c) {
            std::vector<member_type> out;
            if (!c) return out;
            out.reserve(c->size());
            c->for_each([&](const member_type& m) { out.push_back(m); });
            return out;
        });
    }
    /// Number of members (SCARD); 0 if the key is absent. O(1). Thread-safe.
    [[nodiscard]] std::size_t cardinality(const key_type& key) {
        return this->m_backend.read(key, [](const container_type* c) { return c ? c->size() : 0; });
    }
    /// Calls `f(const container_type&)` on the set under the key's shard lock, without copying
    /// it; returns false (and does not call `f`) if the key is absent. `f` must not call into
    /// this store. O(1) expected plus `f`. Thread-safe.
    template <class F>
    bool visit(const key_type& key, F&& f) {
        return this->m_backend.read(key, [&](const container_type* c) {
            if (c) f(*c);
            return c != nullptr;
        });
    }

    /// A random member (SRANDMEMBER without a count), or nullopt if the key is absent.
    /// O(1) expected. Thread-safe.
    [[nodiscard]] std::optional<member_type> random_member(const key_type& key) {
        return this->m_backend.read(key, [](const container_type* c) -> std::optional<member_type> {
            if (!c || c->empty()) return std::nullopt;
            return *c->random();
        });
    }
    /// Random members (SRANDMEMBER key count), as Redis: `count` > 0 gives min(count, N)
    /// distinct members (all of them when count >= N); `count` < 0 gives |count| members that
    /// may repeat; 0 or an absent key gives none. Complexity: O(|count|) expected for a
    /// negative count or one under N / 3; O(N) otherwise. Allocates the result: the caller
    /// bounds |count|. Thread-safe.
    [[nodiscard]] std::vector<member_type> random_members(const key_type& key, long long count) {
        return this->m_backend.read(key, [&](const container_type* c) {
            std::vector<member_type> out;
            if (c) pick(*c, count, out);
            return out;
        });
    }

    /// One step of a cursor scan (SSCAN key cursor [MATCH pattern] [COUNT count]): start with
    /// cursor 0 and pass back the returned cursor until it is 0. A member present for the
    /// whole scan is returned at least once; one added or removed meanwhile may or may not be.
    /// Each step walks buckets until it has looked at `count` members or 10 x `count` buckets
    /// (Redis's dict scan), then keeps those that match. Throws `std::invalid_argument` if a
    /// MATCH is given and members are neither text nor integers. O(count + buckets walked);
    /// copies the members returned. Thread-safe (each step is atomic).
    [[nodiscard]] ScanPage scan(const key_type& key, std::uint64_t cursor,
                                const ScanOptions& options) {
        const bool filter = options.match && *options.match != "*";
        if constexpr (!detail::RedisText<member_type>) {
            if (filter)
                throw std::invalid_argument(
                    "cachet::SetStore::scan: MATCH needs text or integer members");
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
                cur = c->scan(cur, [&](const member_type& m) {
                    ++looked;
                    if (!filter || matches(*options.match, m)) page.members.push_back(m);
                });
            } while (cur != 0 && buckets-- != 0 && looked < count);
            page.cursor = cur;
            return page;
        });
    }
    [[nodiscard]] ScanPage scan(const key_type& key, std::uint64_t cursor) {
        return scan(key, cursor, ScanOptions{});
    }

    // ------------------------------------------------------------------ set algebra

    /// The members in every one of `keys` (SINTER); empty if any key is absent (or `keys` is
    /// empty). Like every set-algebra call, reads all keys at one instant (their shards locked
    /// together, as for a write, so the reads are not counted as hits or misses) and, with a
    /// Database backend, checks every key's type as Redis 7 does. O(N * K) worst case, N = the
    /// smallest set's size, K = the number of keys; copies the result. Thread-safe.
    [[nodiscard]] std::vector<member_type> intersection(std::span<const key_type> keys) {
        return read_sets(keys, [&](std::span<const container_type* const> sets) {
            return copy_out(intersect(sets, 0));
        });
    }
    [[nodiscard]] std::vector<member_type> intersection(std::initializer_list<key_type> keys) {
        return intersection(std::span<const key_type>(keys.begin(), keys.size()));
    }
    /// The number of members in every one of `keys` (SINTERCARD), counting stops at `limit`
    /// (0: no limit). O(N * K) worst case as `intersection`, less with a limit; no copy.
    /// Thread-safe.
    [[nodiscard]] std::size_t intersection_size(std::span<const key_type> keys,
                                                std::size_t limit = 0) {
        return read_sets(keys, [&](std::span<const container_type* const> sets) {
            return intersect(sets, limit).size();
        });
    }
    [[nodiscard]] std::size_t intersection_size(std::initializer_list<key_type> keys,
                                                std::size_t limit = 0) {
        return intersection_size(std::span<const key_type>(keys.begin(), keys.size()), limit);
    }
    /// The members in any of `keys` (SUNION), each once. O(T) expected, T = the sum of the
    /// sets' sizes; copies the result. Thread-safe.
    [[nodiscard]] std::vector<member_type> union_of(std::span<const key_type> keys) {
        return read_sets(keys, [&](std::span<const container_type* const> sets) {
            return copy_out(unite(sets));
        });
    }
    [[nodiscard]] std::vector<member_type> union_of(std::initializer_list<key_type> keys) {
        return union_of(std::span<const key_type>(keys.begin(), keys.size()));
    }
    /// The members of the first of `keys` that are in none of the others (SDIFF); empty if the
    /// first is absent. Redis's two algorithms, chosen by Redis's cost estimate: each member of
    /// the first checked against the others, O(N * K), or the first copied and the others'
    /// members removed from it, O(T). Copies the result. Thread-safe.
    [[nodiscard]] std::vector<member_type> difference(std::span<const key_type> keys) {
        return read_sets(keys, [&](std::span<const container_type* const> sets) {
            return copy_out(subtract(sets));
        });
    }
    [[nodiscard]] std::vector<member_type> difference(std::initializer_list<key_type> keys) {
        return difference(std::span<const key_type>(keys.begin(), keys.size()));
    }

    /// Stores the intersection of `keys` in `dst` (SINTERSTORE): `dst`'s old value (of any
    /// type) is replaced and its TTL dropped (the store's default TTL applies, if any); an
    /// empty result deletes `dst`. `dst` may be one of `keys`. Returns the result's size.
    /// Event `sinterstore`. Locks the shards of `dst` and all `keys` at once. Complexity as
    /// `intersection`, plus building the result. Strong guarantee. Thread-safe.
    std::size_t store_intersection(const key_type& dst, std::span<const key_type> keys) {
        return store(dst, keys, "sinterstore", [&](std::span<const container_type* const> sets) {
            return build(intersect(sets, 0));
        });
    }
    std::size_t store_intersection(const key_type& dst, std::initializer_list<key_type> keys) {
        return store_intersection(dst, std::span<const key_type>(keys.begin(), keys.size()));
    }
    /// Stores the union of `keys` in `dst` (SUNIONSTORE); see `store_intersection`. Event
    /// `sunionstore`. O(T) expected. Thread-safe.
    std::size_t store_union(const key_type& dst, std::span<const key_type> keys) {
        return store(dst, keys, "sunionstore", [&](std::span<const container_type* const> sets) {
            container_type out;
            for (const container_type* s : sets)
                if (s) s->for_each([&](const member_type& m) { out.insert(m); });
            return out;
        });
    }
    std::size_t store_union(const key_type& dst, std::initializer_list<key_type> keys) {
        return store_union(dst, std::span<const key_type>(keys.begin(), keys.size()));
    }
    /// Stores the difference of `keys` in `dst` (SDIFFSTORE); see `store_intersection`. Event
    /// `sdiffstore`. Complexity as `difference`. Thread-safe.
    std::size_t store_difference(const key_type& dst, std::span<const key_type> keys) {
        return store(dst, keys, "sdiffstore", [&](std::span<const container_type* const> sets) {
            return build(subtract(sets));
        });
    }
    std::size_t store_difference(const key_type& dst, std::initializer_list<key_type> keys) {
        return store_difference(dst, std::span<const key_type>(keys.begin(), keys.size()));
    }

private:
    using Picks = std::vector<const member_type*>;

    /// Tells a backend that follows the set's encoding (the RESP Database's) that `m` is about
    /// to be added to `s` (it may be there already).
    template <class M>
    void note_add(container_type& s, const M& m) {
        if constexpr (requires { this->m_backend.note_member_add(s, m); })
            this->m_backend.note_member_add(s, m);
    }

    /// Hashes and compares members through pointers (to collect distinct members without
    /// copying them).
    struct DerefHash {
        std::size_t operator()(const member_type* p) const { return member_hasher{}(*p); }
    };
    struct DerefEqual {
        bool operator()(const member_type* a, const member_type* b) const {
            return member_equal{}(*a, *b);
        }
    };
    using PointerSet = HashSet<const member_type*, DerefHash, DerefEqual>;

    /// `f(sets)` with the set of each of `keys` (nullptr if absent), all read at one instant.
    template <class F>
    auto read_sets(std::span<const key_type> keys, F&& f) {
        using R = std::invoke_result_t<F&, std::span<const container_type* const>>;
        if (keys.empty()) return R{};
        return this->m_backend.write_many(keys, [&](auto& refs) {
            std::vector<const container_type*> sets(refs.size());
            for (std::size_t i = 0; i < refs.size(); ++i) sets[i] = refs[i].read();
            return f(std::span<const container_type* const>(sets));
        });
    }

    /// Replaces `dst` with `make(sets of keys)` (or deletes it if that is empty); returns the
    /// size stored.
    template <class Make>
    std::size_t store(const key_type& dst, std::span<const key_type> keys, std::string_view event,
                      Make&& make) {
        std::vector<key_type> all;
        all.reserve(keys.size() + 1);
        all.push_back(dst);
        all.insert(all.end(), keys.begin(), keys.end());
        return this->m_backend.write_many(std::span<const key_type>(all), [&](auto& refs) {
            std::vector<const container_type*> sets(keys.size());
            for (std::size_t i = 0; i < keys.size(); ++i) sets[i] = refs[i + 1].read();
            container_type result = make(std::span<const container_type* const>(sets));
            if constexpr (requires { this->m_backend.note_set_built(result); })
                this->m_backend.note_set_built(result);
            return refs[0].store(std::move(result), event);
        });
    }

    /// SINTER's algorithm: the smallest set's members found in all the others, up to `limit`
    /// (0: all).
    static Picks intersect(std::span<const container_type* const> sets, std::size_t limit) {
        Picks out;
        if (sets.empty()) return out;
        for (const container_type* s : sets)
            if (!s || s->empty()) return out;
        std::vector<const container_type*> order(sets.begin(), sets.end());
        std::sort(order.begin(), order.end(), [](const container_type* a, const container_type* b) {
            return a->size() < b->size();
        });
        bool done = false;
        order[0]->for_each([&](const member_type& m) {
            if (done) return;
            for (std::size_t j = 1; j < order.size(); ++j)
                if (order[j] != order[0] && !order[j]->contains(m)) return;
            out.push_back(&m);
            if (limit != 0 && out.size() >= limit) done = true;
        });
        return out;
    }

    /// SUNION: each distinct member once, in key order.
    static Picks unite(std::span<const container_type* const> sets) {
        Picks out;
        PointerSet seen;
        for (const container_type* s : sets)
            if (s)
                s->for_each([&](const member_type& m) {
                    if (seen.insert(&m)) out.push_back(&m);
                });
        return out;
    }

    /// SDIFF, with Redis's choice between its two algorithms.
    static Picks subtract(std::span<const container_type* const> sets) {
        Picks out;
        if (sets.empty() || !sets[0] || sets[0]->empty()) return out;
        const container_type& first = *sets[0];
        // Redis's estimate over the existing sets: algorithm 1 costs |first| * K / 2,
        // algorithm 2 the sum of the sizes.
        std::size_t one = 0, two = 0;
        for (const container_type* s : sets) {
            if (!s) continue;
            one += first.size();
            two += s->size();
        }
        if (one / 2 <= two) {
            std::vector<const container_type*> others;
            for (std::size_t j = 1; j < sets.size(); ++j)
                if (sets[j]) others.push_back(sets[j]);
            // Biggest first: a member is more likely found early.
            std::sort(others.begin(), others.end(),
                      [](const container_type* a, const container_type* b) {
                          return a->size() > b->size();
                      });
            first.for_each([&](const member_type& m) {
                for (const container_type* o : others)
                    if (o == &first || o->contains(m)) return;
                out.push_back(&m);
            });
        } else {
            PointerSet rest;
            first.for_each([&](const member_type& m) { rest.insert(&m); });
            for (std::size_t j = 1; j < sets.size() && !rest.empty(); ++j) {
                if (!sets[j]) continue;
                sets[j]->for_each([&](const member_type& m) { rest.erase(&m); });
            }
            out.reserve(rest.size());
            rest.for_each([&](const member_type* p) { out.push_back(p); });
        }
        return out;
    }

    static std::vector<member_type> copy_out(const Picks& picks) {
        std::vector<member_type> out;
        out.reserve(picks.size());
        for (const member_type* p : picks) out.push_back(*p);
        return out;
    }
    static container_type build(const Picks& picks) {
        container_type out;
        for (const member_type* p : picks) out.insert(*p);
        return out;
    }

    static bool matches(std::string_view pattern, const member_type& m) {
        if constexpr (detail::RedisText<member_type>)
            return detail::with_redis_text(
                m, [&](std::string_view s) { return detail::glob_match(pattern, s); });
        else
            return true;
    }

    /// SRANDMEMBER's choice of `count` members of `c` into `out`: a negative count picks with
    /// repetition; a count of at least N takes everything; a count over N / 3 selects from all
    /// members (a partial Fisher-Yates shuffle, O(N)); a smaller count picks at random until
    /// it has enough distinct ones (O(count) expected).
    static void pick(const container_type& c, long long count, std::vector<member_type>& out) {
        if (count == 0 || c.empty()) return;
        const std::size_t size = c.size();
        if (count < 0) {
            const unsigned long long n = 0ULL - static_cast<unsigned long long>(count);
            out.reserve(static_cast<std::size_t>(std::min<unsigned long long>(n, 1u << 16)));
            for (unsigned long long i = 0; i < n; ++i) out.push_back(*c.random());
            return;
        }
        const auto want = static_cast<unsigned long long>(count);
        if (want >= size) {
            out.reserve(size);
            c.for_each([&](const member_type& m) { out.push_back(m); });
            return;
        }
        const auto k = static_cast<std::size_t>(want);
        out.reserve(k);
        if (want * 3 > size) {
            Picks all;
            all.reserve(size);
            c.for_each([&](const member_type& m) { all.push_back(&m); });
            for (std::size_t i = 0; i < k; ++i) {
                const std::size_t j =
                    i + static_cast<std::size_t>(detail::random_u64() % (size - i));
                std::swap(all[i], all[j]);
                out.push_back(*all[i]);
            }
            return;
        }
        std::unordered_set<const member_type*> seen;
        seen.reserve(k);
        while (seen.size() < k) {
            const member_type* m = c.random();
            if (seen.insert(m).second) out.push_back(*m);
        }
    }
};

/// Redis sets keyed by `K`, each a `HashSet<Member>`, on an owned keyspace core (see
/// `BasicSetStore`): `SetStore<std::string, std::string> tags({.default_ttl = 1h});`.
template <class K, class Member, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>,
          Clock C = SteadyClock, class Mutex = SpinMutex, class MemberHash = std::hash<Member>,
          class MemberEqual = std::equal_to<Member>>
using SetStore = BasicSetStore<
    detail::OwnedBackend<K, HashSet<Member, MemberHash, MemberEqual>, Hash, KeyEqual, C, Mutex>>;

CACHET_NAMESPACE_END

#endif  // CACHET_SET_STORE_HPP
