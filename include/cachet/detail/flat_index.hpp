#ifndef CACHET_DETAIL_FLAT_INDEX_HPP
#define CACHET_DETAIL_FLAT_INDEX_HPP

/// `FlatIndex<Node>`: the per-shard hash index of the keyspace core. An open-addressing table of
/// pointers to nodes, with Robin Hood linear probing (Celis 1986) and backward-shift deletion,
/// so there are no tombstones and an unsuccessful lookup stops as soon as it meets a bucket
/// closer to its home than itself.
///
/// A bucket is one 64-bit word: the node pointer in the low 48 bits (user-space addresses on
/// x86-64 and AArch64; `insert` checks), the probe distance in the next 8 (1 + distance from
/// the home bucket; 0: empty; 255: 255 or more, the exact figure then read from the node's
/// hash), and an 8-bit tag (the top bits of the key's 32-bit hash) in the top 8. Comparing the
/// tag first means a lookup dereferences a node only for 1 in 256 foreign keys on its probe
/// path. Half the 16 bytes of a {distance, hash, pointer} bucket: at the usual load, 8 to 16
/// bytes per key saved. `Node` must have a `std::uint32_t hash` member holding the hash it was
/// inserted with (the table reads it to resize, never calling the user's hash function).
/// Maximum load 0.8; capacity is a power of two.
///
/// Not thread-safe; owned by a shard and used under its lock. The index never owns the nodes.

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>

CACHET_NAMESPACE_BEGIN
namespace detail {

template <class Node>
class FlatIndex {
    using Bucket = std::uint64_t;  ///< 0: empty; see the file comment for the fields
    static constexpr unsigned dist_shift = 48;
    static constexpr unsigned tag_shift = 56;
    static constexpr std::uint64_t ptr_mask = (std::uint64_t{1} << dist_shift) - 1;
    static constexpr std::uint32_t dist_saturated = 255;
    static constexpr std::size_t min_capacity = 16;

public:
    FlatIndex() noexcept = default;
    FlatIndex(const FlatIndex&) = delete;
    FlatIndex& operator=(const FlatIndex&) = delete;

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] std::size_t capacity() const noexcept { return m_mask ? m_mask + 1 : 0; }
    [[nodiscard]] std::size_t memory_bytes() const noexcept { return capacity() * sizeof(Bucket); }

    /// The node whose hash is `h` and for which `eq(node)` holds, or nullptr.
    /// Complexity: O(1) expected. Never allocates.
    template <class Eq>
    [[nodiscard]] Node* find(std::uint32_t h, Eq&& eq) const {
        if (CACHET_UNLIKELY(!m_buckets)) return nullptr;
        const std::uint64_t tag = h >> 24;
        std::size_t pos = h & m_mask;
        for (std::uint32_t dist = 1;; ++dist, pos = (pos + 1) & m_mask) {
            const Bucket b = m_buckets[pos];
            // Empty, or a richer bucket: ours would be here.
            if (stored_dist(b) < dist && exact_dist(b, pos) < dist) return nullptr;
            if ((b >> tag_shift) == tag && eq(static_cast<const Node*>(node_of(b)))) return node_of(b);
        }
    }

    /// Inserts `node` with hash `h`. Preconditions: no equal key is present; `node->hash == h`.
    /// Complexity: O(1) expected; may rehash (O(size())). Strong exception guarantee: if growing
    /// throws `std::bad_alloc`, the index is unchanged. Throws `std::length_error` for a node
    /// address above 2^48 (tagged pointers), which the bucket cannot hold.
    void insert(std::uint32_t h, Node* node) {
        const auto addr = reinterpret_cast<std::uintptr_t>(node);
        if (CACHET_UNLIKELY(static_cast<std::uint64_t>(addr) > ptr_mask))
            throw std::length_error("cachet: a node address above 2^48 does not fit the index");
        if ((m_size + 1) * 5 > capacity() * 4) rehash(capacity() ? capacity() * 2 : min_capacity);
        place(static_cast<std::uint64_t>(addr) | (std::uint64_t{h >> 24} << tag_shift), h);
        ++m_size;
    }

    /// Replaces the pointer stored for `old_node` (hash `h`) with `new_node` (same hash).
    /// Returns false if `old_node` is not in the index. O(1) expected.
    bool replace(std::uint32_t h, const Node* old_node, Node* new_node) noexcept {
        if (Bucket* b = locate(h, old_node)) {
            *b = (*b & ~ptr_mask) | static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(new_node));
            return true;
        }
        return false;
    }

    /// Removes `node` (hash `h`). Returns false if it is not in the index. O(1) expected
    /// (amortised: a table under 10% full is halved, as Redis shrinks its dicts, and an empty
    /// one freed, so that a SCAN after mass deletions does not walk empty buckets; if the
    /// smaller table cannot be allocated the larger one stays).
    bool erase(std::uint32_t h, const Node* node) noexcept {
        Bucket* b = locate(h, node);
        if (!b) return false;
        std::size_t pos = static_cast<std::size_t>(b - m_buckets.get());
        // Backward shift: pull each following displaced bucket one step towards its home.
        for (;;) {
            const std::size_t next = (pos + 1) & m_mask;
            const Bucket nb = m_buckets[next];
            if (stored_dist(nb) <= 1) break;
            m_buckets[pos] = with_dist(nb, exact_dist(nb, next) - 1);
            pos = next;
        }
        m_buckets[pos] = 0;
        --m_size;
        if (CACHET_UNLIKELY(m_size * 10 < capacity() && capacity() > min_capacity)) {
            try {
                rehash(capacity() / 2);
            } catch (...) {  // std::bad_alloc: keep the larger table
            }
        } else if (CACHET_UNLIKELY(m_size == 0)) {
            reset();  // an empty shard has no table (SCAN skips it at once)
        }
        return true;
    }

    /// Makes room for `n` nodes without rehashing (until erasures leave the table under 10%
    /// full). May allocate; strong guarantee.
    void reserve(std::size_t n) {
        std::size_t cap = min_capacity;
        while (cap * 4 < n * 5) cap *= 2;
        if (cap > capacity()) rehash(cap);
    }

    /// Drops every bucket (the nodes are the caller's) and frees the table.
    void reset() noexcept {
        m_buckets.reset();
        m_mask = 0;
        m_size = 0;
    }

    /// Calls `f(Node*)` for every node, in table order. `f` must not modify the index.
    template <class F>
    void for_each(F&& f) const {
        for (std::size_t i = 0, n = capacity(); i < n; ++i)
            if (m_buckets[i] != 0) f(node_of(m_buckets[i]));
    }

    /// Visits (`f(Node*)`) every node whose home bucket is `cursor & (capacity() - 1)`, and
    /// returns the next cursor, or 0 when the whole table has been covered. Start with 0.
    /// Redis's reverse-binary cursor (dict.c's dictScan) over the home buckets: Robin Hood
    /// keeps nodes ordered by home bucket, and a node keeps its home bucket until the table
    /// doubles, when its home splits exactly as a chained table's bucket would (and merges
    /// back when it halves); so a node present for the whole scan is visited at least once
    /// however the table grows or shrinks between calls (twice at most, growing; a shrink may
    /// repeat a few). `f` must not modify the index.
    /// O(probe length) per call.
    template <class F>
    std::uint32_t scan(std::uint32_t cursor, F&& f) const {
        if (!m_buckets) return 0;
        const auto mask = static_cast<std::uint32_t>(m_mask);
        const std::uint32_t home = cursor & mask;
        for (std::uint32_t off = 0; off <= mask; ++off) {
            const std::size_t pos = (home + off) & mask;
            const Bucket b = m_buckets[pos];
            if (b == 0) break;
            const std::int64_t home_off = std::int64_t{off} - std::int64_t{exact_dist(b, pos) - 1};
            if (home_off > 0) break;  // ordered by home: the rest start after ours
            if (home_off == 0) f(node_of(b));
        }
        cursor |= ~mask;
        cursor = reverse_bits32(cursor);
        ++cursor;
        return reverse_bits32(cursor);
    }

    /// A uniformly random occupied bucket's node (nullptr if empty): random probes, then a
    /// walk from a random place if the table is very sparse. `rng()` returns random 64-bit
    /// values. O(1) expected at the usual load.
    template <class Rng>
    [[nodiscard]] Node* random(Rng&& rng) const {
        if (m_size == 0) return nullptr;
        for (int i = 0; i < 32; ++i) {
            const Bucket b = m_buckets[static_cast<std::size_t>(rng()) & m_mask];
            if (b != 0) return node_of(b);
        }
        for (std::size_t p = static_cast<std::size_t>(rng()) & m_mask;; p = (p + 1) & m_mask)
            if (m_buckets[p] != 0) return node_of(m_buckets[p]);
    }

    /// Checks the Robin Hood invariants: each bucket's distance (stored, or saturated and
    /// recomputed) matches its position relative to its home, its tag matches its node's hash,
    /// and the count agrees. For tests. O(capacity()).
    [[nodiscard]] bool check_invariants() const noexcept {
        std::size_t n = 0;
        for (std::size_t i = 0, cap = capacity(); i < cap; ++i) {
            const Bucket b = m_buckets[i];
            if (b == 0) continue;
            ++n;
            const std::uint32_t h = node_of(b)->hash;
            const std::uint32_t exact = static_cast<std::uint32_t>(((i - (h & m_mask)) & m_mask) + 1);
            if (stored_dist(b) != std::min(exact, dist_saturated)) return false;
            if ((b >> tag_shift) != (h >> 24)) return false;
            // Robin Hood order: the previous bucket is no poorer than one less than us.
            const std::size_t prev_pos = (i + cap - 1) & m_mask;
            const Bucket prev = m_buckets[prev_pos];
            if (exact > 1 && (prev == 0 || exact_dist(prev, prev_pos) + 1 < exact)) return false;
        }
        return n == m_size;
    }

private:
    static Node* node_of(Bucket b) noexcept {
        return reinterpret_cast<Node*>(static_cast<std::uintptr_t>(b & ptr_mask));
    }
    static std::uint32_t stored_dist(Bucket b) noexcept {
        return static_cast<std::uint32_t>((b >> dist_shift) & 0xFF);
    }
    static Bucket with_dist(Bucket b, std::uint32_t dist) noexcept {
        return (b & ~(std::uint64_t{0xFF} << dist_shift)) |
               (std::uint64_t{std::min(dist, dist_saturated)} << dist_shift);
    }
    /// The exact probe distance of the bucket at `pos` (0 if empty): stored, or recomputed from
    /// the node's hash when saturated.
    std::uint32_t exact_dist(Bucket b, std::size_t pos) const noexcept {
        const std::uint32_t d = stored_dist(b);
        if (CACHET_LIKELY(d != dist_saturated)) return d;
        return static_cast<std::uint32_t>(((pos - (node_of(b)->hash & m_mask)) & m_mask) + 1);
    }

    static std::uint32_t reverse_bits32(std::uint32_t v) noexcept {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        return __builtin_bswap32(v);
    }

    Bucket* locate(std::uint32_t h, const Node* node) noexcept {
        if (!m_buckets) return nullptr;
        std::size_t pos = h & m_mask;
        for (std::uint32_t dist = 1;; ++dist, pos = (pos + 1) & m_mask) {
            Bucket& b = m_buckets[pos];
            if (stored_dist(b) < dist && exact_dist(b, pos) < dist) return nullptr;
            if (node_of(b) == node) return &b;
        }
    }

    /// Robin Hood insertion of bucket `b` (pointer and tag; its distance is set here) whose
    /// home is `h & mask`.
    void place(Bucket b, std::uint32_t h) noexcept {
        std::size_t pos = h & m_mask;
        for (std::uint32_t dist = 1;; pos = (pos + 1) & m_mask, ++dist) {
            const Bucket slot = m_buckets[pos];
            if (slot == 0) {
                m_buckets[pos] = with_dist(b, dist);
                return;
            }
            const std::uint32_t slot_dist = exact_dist(slot, pos);
            if (slot_dist < dist) {  // take from the rich
                m_buckets[pos] = with_dist(b, dist);
                b = slot;
                dist = slot_dist;
            }
        }
    }

    void rehash(std::size_t new_cap) {
        std::unique_ptr<Bucket[]> old(new Bucket[new_cap]());  // may throw: nothing changed yet
        old.swap(m_buckets);
        const std::size_t old_cap = capacity();
        m_mask = new_cap - 1;
        for (std::size_t i = 0; i < old_cap; ++i)
            if (old[i] != 0) place(old[i], node_of(old[i])->hash);
    }

    std::unique_ptr<Bucket[]> m_buckets;
    std::size_t m_mask = 0;  ///< capacity - 1, or 0 with no table
    std::size_t m_size = 0;
};

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_FLAT_INDEX_HPP
