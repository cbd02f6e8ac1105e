#ifndef CACHET_HASH_TABLE_HPP
#define CACHET_HASH_TABLE_HPP

/// Redis's dict for cachet's containers: chained hashing over a power-of-two bucket array, with
/// the two things `std::unordered_map` cannot give a Redis-like container:
///   - a stateless cursor scan (HSCAN, SSCAN, ZSCAN) with Redis's guarantee: an element
///     present for the whole scan is returned at least once, however the table grows or
///     shrinks between calls. The cursor counts in reverse binary (Pieter Noordhuis's
///     algorithm in Redis's dict.c), so buckets split or merged by a resize are covered
///     exactly once more at most;
///   - a random element in O(1) expected (HRANDFIELD, SRANDMEMBER, SPOP): a random non-empty
///     bucket, then a random node of its chain, as Redis's dictGetFairRandomKey.
///
/// `detail::ChainedIndex` is the intrusive table (nodes carry `chain_next` and `chain_hash`;
/// the sorted set threads its member nodes through one, so a member costs no second
/// allocation). `HashMap<K, V>` and `HashSet<K>` own their nodes.
///
/// Load factor between 1/8 and 1: the table doubles when it would exceed one node per bucket
/// and halves when under one in eight (never below 4 buckets). A resize rehashes everything at
/// once from the cached hashes (no user hash calls): amortised O(1) per insert or erase.
/// Not thread-safe: the containers are used under their key's shard lock.

#include <cachet/detail/config.hpp>
#include <cachet/detail/hash.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace detail {

/// Intrusive chained hash index over `Node`s that have `Node* chain_next` and
/// `std::size_t chain_hash` members. `KeyOf(const Node&)` gives the key compared by `KeyEqual`.
/// Never owns nodes.
template <class Node, class KeyOf, class Hash, class KeyEqual>
class ChainedIndex {
public:
    ChainedIndex() = default;
    ChainedIndex(const ChainedIndex&) = delete;
    ChainedIndex& operator=(const ChainedIndex&) = delete;
    ChainedIndex(ChainedIndex&& o) noexcept
        : m_buckets(std::move(o.m_buckets)), m_mask(o.m_mask), m_size(o.m_size) {
        o.m_mask = 0;
        o.m_size = 0;
    }
    ChainedIndex& operator=(ChainedIndex&& o) noexcept {
        m_buckets = std::move(o.m_buckets);
        m_mask = o.m_mask;
        m_size = o.m_size;
        o.m_mask = 0;
        o.m_size = 0;
        return *this;
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
    [[nodiscard]] std::size_t bucket_count() const noexcept { return m_buckets ? m_mask + 1 : 0; }

    /// The hash the index uses for `key` (mixed, so weak user hashes spread over buckets).
    template <class Q>
    [[nodiscard]] std::size_t hash(const Q& key) const {
        return static_cast<std::size_t>(mix64(static_cast<std::uint64_t>(Hash{}(key))));
    }

    /// The node with `key` (whose `hash(key)` is `h`), or nullptr. O(1) expected.
    template <class Q>
    [[nodiscard]] Node* find(const Q& key, std::size_t h) const {
        if (!m_buckets) return nullptr;
        for (Node* n = m_buckets[h & m_mask]; n; n = n->chain_next)
            if (n->chain_hash == h && KeyEqual{}(KeyOf{}(*n), key)) return n;
        return nullptr;
    }
    template <class Q>
    [[nodiscard]] Node* find(const Q& key) const {
        return find(key, hash(key));
    }

    /// Links `n` with hash `h`. Precondition: no node with its key is linked. May allocate
    /// (growing the bucket array; strong guarantee). O(1) amortised.
    void insert(Node* n, std::size_t h) {
        if (m_size + 1 > bucket_count()) rehash(bucket_count() ? bucket_count() * 2 : 4);
        n->chain_hash = h;
        Node*& head = m_buckets[h & m_mask];
        n->chain_next = head;
        head = n;
        ++m_size;
    }

    /// Unlinks `n`. Precondition: linked. May shrink the bucket array (if that allocation
    /// fails the table just stays larger). O(chain length) expected O(1).
    void unlink(Node* n) noexcept {
        Node** p = &m_buckets[n->chain_hash & m_mask];
        while (*p != n) p = &(*p)->chain_next;
        *p = n->chain_next;
        n->chain_next = nullptr;
        --m_size;
        maybe_shrink();
    }

    /// Forgets every node (the owner frees them) and the bucket array.
    void reset() noexcept {
        m_buckets.reset();
        m_mask = 0;
        m_size = 0;
    }

    /// `f(Node*)` for every node; `f` may not insert or unlink.
    template <class F>
    void for_each(F&& f) const {
        for (std::size_t b = 0, nb = bucket_count(); b < nb; ++b)
            for (Node* n = m_buckets[b]; n;) {
                Node* next = n->chain_next;
                f(n);
                n = next;
            }
    }

    /// Visits one bucket's nodes (`f(Node*)`) and returns the next cursor; 0 when the scan is
    /// complete. Start with 0. Redis's reverse-binary cursor: an element linked for the whole
    /// scan is visited at least once even if the table is resized between calls.
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, F&& f) const {
        if (!m_buckets) return 0;
        const std::uint64_t mask = m_mask;
        for (Node* n = m_buckets[cursor & mask]; n;) {
            Node* next = n->chain_next;
            f(n);
            n = next;
        }
        cursor |= ~mask;  // set the unmasked bits, so the increment carries into masked ones
        cursor = reverse_bits(cursor);
        ++cursor;
        return reverse_bits(cursor);
    }

    /// A random node (nullptr if empty): a uniformly random non-empty bucket, then a uniformly
    /// random node of its chain. `rng()` returns uniformly random 64-bit values. O(1) expected
    /// (the load factor is at least 1/8).
    template <class Rng>
    [[nodiscard]] Node* random(Rng&& rng) const {
        if (m_size == 0) return nullptr;
        Node* head;
        do head = m_buckets[static_cast<std::size_t>(rng()) & m_mask];
        while (!head);
        std::size_t len = 0;
        for (Node* n = head; n; n = n->chain_next) ++len;
        std::size_t pick = static_cast<std::size_t>(rng() % len);
        Node* n = head;
        while (pick--) n = n->chain_next;
        return n;
    }

    /// Checks that every node sits in its hash's bucket and the count agrees. For tests.
    [[nodiscard]] bool check_invariants() const {
        std::size_t n = 0;
        bool ok = true;
        for (std::size_t b = 0, nb = bucket_count(); b < nb; ++b)
            for (Node* x = m_buckets[b]; x; x = x->chain_next) {
                ++n;
                if ((x->chain_hash & m_mask) != b) ok = false;
                if (x->chain_hash != hash(KeyOf{}(*x))) ok = false;
            }
        return ok && n == m_size && (m_size == 0 || m_size <= bucket_count());
    }

private:
    static std::uint64_t reverse_bits(std::uint64_t v) noexcept {
        v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
        v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
        return __builtin_bswap64(v);
    }

    void rehash(std::size_t new_count) {
        std::unique_ptr<Node*[]> fresh(new Node*[new_count]());
        const std::size_t new_mask = new_count - 1;
        for (std::size_t b = 0, nb = bucket_count(); b < nb; ++b)
            for (Node* n = m_buckets[b]; n;) {
                Node* next = n->chain_next;
                Node*& head = fresh[n->chain_hash & new_mask];
                n->chain_next = head;
                head = n;
                n = next;
            }
        m_buckets = std::move(fresh);
        m_mask = new_mask;
    }

    void maybe_shrink() noexcept {
        const std::size_t nb = bucket_count();
        if (nb <= 4 || m_size * 8 >= nb) return;
        if (m_size == 0) {
            reset();
            return;
        }
        try {
            rehash(std::max<std::size_t>(4, std::bit_ceil(m_size)));
        } catch (...) {  // out of memory: keep the larger table
        }
    }

    std::unique_ptr<Node*[]> m_buckets;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

/// A random 64-bit generator for the containers' random picks (SRANDMEMBER, ...): per thread,
/// seeded from the address of a thread-local and a counter. Not cryptographic.
inline std::uint64_t random_u64() noexcept {
    thread_local std::uint64_t state = [] {
        static std::atomic<std::uint64_t> seq{0x9E3779B97F4A7C15ull};
        int local = 0;
        return mix64(reinterpret_cast<std::uintptr_t>(&local) ^ seq.fetch_add(0x9E3779B97F4A7C15ull));
    }();
    state += 0x9E3779B97F4A7C15ull;  // splitmix64
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// An owning node for HashMap (which keeps its entries in insertion order through
/// `order_prev` / `order_next`) / HashSet.
template <class K, class V>
struct MapNode {
    template <class KK, class... A>
    explicit MapNode(KK&& k, A&&... a) : key(std::forward<KK>(k)), value(std::forward<A>(a)...) {}
    MapNode* chain_next = nullptr;
    std::size_t chain_hash = 0;
    MapNode* order_prev = nullptr;
    MapNode* order_next = nullptr;
    K key;
    V value;
};
template <class K>
struct SetNode {
    template <class KK>
    explicit SetNode(KK&& k) : key(std::forward<KK>(k)) {}
    SetNode* chain_next = nullptr;
    std::size_t chain_hash = 0;
    K key;
};
struct NodeKey {
    template <class N>
    const auto& operator()(const N& n) const noexcept {
        return n.key;
    }
};

/// What HashMap and HashSet share: ownership of the nodes, copy, scan, random, erase, and a
/// tag byte. Nodes with `order_prev` / `order_next` links are also kept in insertion order
/// (`for_each_node`); a copy keeps that order.
template <class Node, class Hash, class KeyEqual>
class OwningTable {
public:
    using size_type = std::size_t;

    OwningTable() = default;
    OwningTable(const OwningTable& o) : OwningTable() {
        o.for_each_node([&](const Node* n) { adopt(new Node(*n), n->chain_hash); });
        m_tag = o.m_tag;
    }
    OwningTable(OwningTable&& o) noexcept
        : m_index(std::move(o.m_index)), m_first(std::exchange(o.m_first, nullptr)),
          m_last(std::exchange(o.m_last, nullptr)), m_tag(std::exchange(o.m_tag, std::uint8_t{0})) {}
    OwningTable& operator=(const OwningTable& o) {
        if (this != &o) {
            OwningTable copy(o);
            swap(copy);
        }
        return *this;
    }
    OwningTable& operator=(OwningTable&& o) noexcept {
        if (this != &o) {
            clear();
            m_index = std::move(o.m_index);
            m_first = std::exchange(o.m_first, nullptr);
            m_last = std::exchange(o.m_last, nullptr);
            m_tag = std::exchange(o.m_tag, std::uint8_t{0});
        }
        return *this;
    }
    ~OwningTable() { clear(); }
    void swap(OwningTable& o) noexcept {
        std::swap(m_index, o.m_index);
        std::swap(m_first, o.m_first);
        std::swap(m_last, o.m_last);
        std::swap(m_tag, o.m_tag);
    }

    /// A byte the owner may use to remember a property of the whole container (the RESP
    /// Database: which encoding Redis would give it). Copied, moved and swapped with the
    /// elements; 0 after construction and `clear()`. Not interpreted here.
    [[nodiscard]] std::uint8_t tag() const noexcept { return m_tag; }
    void set_tag(std::uint8_t t) noexcept { m_tag = t; }

    [[nodiscard]] std::size_t size() const noexcept { return m_index.size(); }
    [[nodiscard]] bool empty() const noexcept { return m_index.empty(); }

    /// Removes `key`. Returns true if it was present. O(1) expected.
    template <class Q>
    bool erase(const Q& key) {
        Node* n = m_index.find(key);
        if (!n) return false;
        erase_node(n);
        return true;
    }
    template <class Q>
    [[nodiscard]] bool contains(const Q& key) const {
        return m_index.find(key) != nullptr;
    }
    void clear() noexcept {
        m_index.for_each([](Node* n) { delete n; });
        m_index.reset();
        m_first = m_last = nullptr;
        m_tag = 0;
    }

    /// Calls `f(node)` for each element of one cursor step; returns the next cursor (0: done).
    template <class F>
    std::uint64_t scan_nodes(std::uint64_t cursor, F&& f) const {
        return m_index.scan(cursor, [&](const Node* n) { f(*n); });
    }
    [[nodiscard]] bool check_invariants() const { return m_index.check_invariants(); }

protected:
    static constexpr bool ordered = requires(Node& n) { n.order_next; };

    /// `f(Node*)` for every node: in insertion order if nodes are ordered, else table order.
    template <class F>
    void for_each_node(F&& f) const {
        if constexpr (ordered) {
            for (Node* n = m_first; n; n = n->order_next) f(n);
        } else {
            m_index.for_each(f);
        }
    }

    void adopt(Node* n, std::size_t h) {
        std::unique_ptr<Node> guard(n);
        m_index.insert(n, h);
        guard.release();
        if constexpr (ordered) {
            n->order_prev = m_last;
            n->order_next = nullptr;
            (m_last ? m_last->order_next : m_first) = n;
            m_last = n;
        }
    }
    /// The node of `key`, created by `make()` if absent; second: true if created.
    template <class Q, class Make>
    std::pair<Node*, bool> find_or_make(const Q& key, Make&& make) {
        const std::size_t h = m_index.hash(key);
        if (Node* n = m_index.find(key, h)) return {n, false};
        Node* n = make();
        adopt(n, h);
        return {n, true};
    }
    /// A random node, or nullptr if empty.
    [[nodiscard]] Node* random_node() const { return m_index.random(random_u64); }
    void erase_node(Node* n) noexcept {
        m_index.unlink(n);
        if constexpr (ordered) {
            (n->order_prev ? n->order_prev->order_next : m_first) = n->order_next;
            (n->order_next ? n->order_next->order_prev : m_last) = n->order_prev;
        }
        delete n;
    }

    ChainedIndex<Node, NodeKey, Hash, KeyEqual> m_index;
    Node* m_first = nullptr;  ///< insertion order (ordered nodes only): oldest
    Node* m_last = nullptr;   ///< newest
    std::uint8_t m_tag = 0;
};

}  // namespace detail

/// A hash map with Redis's dict operations: cursor scan and random entries. The value type of
/// Redis hashes (`HashStore`, and Redis's HSET in the RESP Database).
/// Complexity: find, insert, erase O(1) expected (amortised for resizes); scan O(1) per call
/// plus the bucket's chain; random O(1) expected. Not thread-safe.
template <class K, class V, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>>
class HashMap : public detail::OwningTable<detail::MapNode<K, V>, Hash, KeyEqual> {
    using Node = detail::MapNode<K, V>;
    using Base = detail::OwningTable<Node, Hash, KeyEqual>;

public:
    using key_type = K;
    using mapped_type = V;

    HashMap() = default;
    HashMap(std::initializer_list<std::pair<K, V>> init) {
        for (const auto& [k, v] : init) insert_or_assign(k, v);
    }

    /// The value of `key`, or nullptr.
    template <class Q>
    [[nodiscard]] V* find(const Q& key) noexcept {
        Node* n = this->m_index.find(key);
        return n ? &n->value : nullptr;
    }
    template <class Q>
    [[nodiscard]] const V* find(const Q& key) const noexcept {
        const Node* n = this->m_index.find(key);
        return n ? &n->value : nullptr;
    }
    /// Inserts `key` with a value built from `args` if absent. Returns the value and whether it
    /// was inserted. Strong guarantee.
    template <class KK, class... A>
    std::pair<V*, bool> try_emplace(KK&& key, A&&... args) {
        if constexpr (!std::is_same_v<std::remove_cvref_t<KK>, K>) {
            return try_emplace(K(std::forward<KK>(key)), std::forward<A>(args)...);
        } else {
            auto [n, made] = this->find_or_make(key, [&] {
                return new Node(std::forward<KK>(key), std::forward<A>(args)...);
            });
            return {&n->value, made};
        }
    }
    /// The value of `key`, inserting `make()`'s result if it is absent (`make` runs only
    /// then, so a value is never built, copied or moved for nothing). Strong guarantee.
    template <class KK, class Make>
    V* try_emplace_with(KK&& key, Make&& make) {
        if constexpr (!std::is_same_v<std::remove_cvref_t<KK>, K>) {
            return try_emplace_with(K(std::forward<KK>(key)), std::forward<Make>(make));
        } else {
            auto [n, made] = this->find_or_make(
                key, [&] { return new Node(std::forward<KK>(key), make()); });
            (void)made;
            return &n->value;
        }
    }
    /// Sets `key` to `value`. Returns true if the key was new.
    template <class KK, class VV>
    bool insert_or_assign(KK&& key, VV&& value) {
        bool made = false;
        V* v = try_emplace_with(std::forward<KK>(key), [&] {
            made = true;
            return V(std::forward<VV>(value));
        });
        if (!made) *v = std::forward<VV>(value);
        return made;
    }
    /// `f(const K&, V&)` for every entry, in insertion order (a field keeps its place when
    /// its value changes; as Redis lists a small, listpack-encoded hash); `f` must not insert
    /// or erase. O(size()).
    template <class F>
    void for_each(F&& f) {
        this->for_each_node([&](Node* n) { f(std::as_const(n->key), n->value); });
    }
    template <class F>
    void for_each(F&& f) const {
        this->for_each_node([&](const Node* n) { f(n->key, std::as_const(n->value)); });
    }
    /// One cursor step of HSCAN: `f(const K&, const V&)` per entry; returns the next cursor.
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, F&& f) const {
        return this->scan_nodes(cursor, [&](const Node& n) { f(n.key, n.value); });
    }
    /// A random entry (key, value pointers), or {nullptr, nullptr} if empty.
    [[nodiscard]] std::pair<const K*, const V*> random() const {
        const Node* n = this->random_node();
        return n ? std::pair<const K*, const V*>{&n->key, &n->value}
                 : std::pair<const K*, const V*>{nullptr, nullptr};
    }
    friend bool operator==(const HashMap& a, const HashMap& b) {
        if (a.size() != b.size()) return false;
        bool eq = true;
        a.for_each([&](const K& k, const V& v) {
            const V* o = b.find(k);
            if (!o || !(*o == v)) eq = false;
        });
        return eq;
    }
};

/// A hash set with Redis's dict operations: cursor scan, random members and random pops. The
/// value type of Redis sets (`SetStore`, Redis's SADD in the RESP Database).
/// Complexity as HashMap. Not thread-safe.
template <class K, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>>
class HashSet : public detail::OwningTable<detail::SetNode<K>, Hash, KeyEqual> {
    using Node = detail::SetNode<K>;
    using Base = detail::OwningTable<Node, Hash, KeyEqual>;

public:
    using key_type = K;
    using value_type = K;

    HashSet() = default;
    HashSet(std::initializer_list<K> init) {
        for (const auto& k : init) insert(k);
    }

    /// Adds `key`. Returns true if it was new. Strong guarantee.
    template <class KK>
    bool insert(KK&& key) {
        if constexpr (!std::is_same_v<std::remove_cvref_t<KK>, K>)
            return insert(K(std::forward<KK>(key)));
        else
            return this->find_or_make(key, [&] { return new Node(std::forward<KK>(key)); }).second;
    }
    /// `f(const K&)` for every member.
    template <class F>
    void for_each(F&& f) const {
        this->m_index.for_each([&](const Node* n) { f(n->key); });
    }
    /// One cursor step of SSCAN: `f(const K&)` per member; returns the next cursor.
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, F&& f) const {
        return this->scan_nodes(cursor, [&](const Node& n) { f(n.key); });
    }
    /// A random member, or nullptr if empty.
    [[nodiscard]] const K* random() const {
        const Node* n = this->random_node();
        return n ? &n->key : nullptr;
    }
    /// Removes and returns a random member (SPOP). Precondition: not empty.
    K pop_random() {
        Node* n = this->random_node();
        K out = std::move(n->key);
        this->erase_node(n);
        return out;
    }
    friend bool operator==(const HashSet& a, const HashSet& b) {
        if (a.size() != b.size()) return false;
        bool eq = true;
        a.for_each([&](const K& k) {
            if (!b.contains(k)) eq = false;
        });
        return eq;
    }
};

CACHET_NAMESPACE_END

#endif  // CACHET_HASH_TABLE_HPP
