#ifndef CACHET_DETAIL_FLAT_INDEX_HPP
#define CACHET_DETAIL_FLAT_INDEX_HPP

/// `FlatIndex<Node>`: the per-shard hash index of the keyspace core. An open-addressing table of
/// pointers to nodes, with Robin Hood linear probing (Celis 1986) and backward-shift deletion,
/// so there are no tombstones and an unsuccessful lookup stops as soon as it meets a bucket
/// closer to its home than itself.
///
/// A bucket is 16 bytes: the probe distance, the low 32 bits of the key's (mixed) hash, and the
/// node pointer. Comparing the stored hash first means a lookup dereferences a node (one cache
/// miss) only when the 32-bit hashes agree; resizing never calls the user's hash function.
/// Maximum load 0.8; capacity is a power of two.
///
/// Not thread-safe; owned by a shard and used under its lock. The index never owns the nodes.

#include <cachet/detail/config.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

CACHET_NAMESPACE_BEGIN
namespace detail {

template <class Node>
class FlatIndex {
public:
    struct Bucket {
        std::uint32_t dist;  ///< 0: empty; otherwise 1 + distance from the home bucket
        std::uint32_t hash;  ///< low 32 bits of the mixed hash; home = hash & mask
        Node* node;
    };

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
        std::size_t pos = h & m_mask;
        for (std::uint32_t dist = 1;; ++dist, pos = (pos + 1) & m_mask) {
            const Bucket& b = m_buckets[pos];
            if (b.dist < dist) return nullptr;  // empty, or a richer bucket: ours would be here
            if (b.hash == h && eq(static_cast<const Node*>(b.node))) return b.node;
        }
    }

    /// Inserts `node` with hash `h`. Precondition: no equal key is present.
    /// Complexity: O(1) expected; may rehash (O(size())). Strong exception guarantee: if growing
    /// throws `std::bad_alloc`, the index is unchanged.
    void insert(std::uint32_t h, Node* node) {
        if ((m_size + 1) * 5 > capacity() * 4) grow(capacity() ? capacity() * 2 : 16);
        place(Bucket{1, h, node});
        ++m_size;
    }

    /// Replaces the pointer stored for `old_node` (hash `h`) with `new_node`. Returns false if
    /// `old_node` is not in the index. O(1) expected.
    bool replace(std::uint32_t h, const Node* old_node, Node* new_node) noexcept {
        if (Bucket* b = locate(h, old_node)) {
            b->node = new_node;
            return true;
        }
        return false;
    }

    /// Removes `node` (hash `h`). Returns false if it is not in the index. O(1) expected.
    bool erase(std::uint32_t h, const Node* node) noexcept {
        Bucket* b = locate(h, node);
        if (!b) return false;
        std::size_t pos = static_cast<std::size_t>(b - m_buckets.get());
        // Backward shift: pull each following displaced bucket one step towards its home.
        for (;;) {
            const std::size_t next = (pos + 1) & m_mask;
            if (m_buckets[next].dist <= 1) break;
            m_buckets[pos] = m_buckets[next];
            --m_buckets[pos].dist;
            pos = next;
        }
        m_buckets[pos] = Bucket{0, 0, nullptr};
        --m_size;
        return true;
    }

    /// Makes room for `n` nodes without rehashing. May allocate; strong guarantee.
    void reserve(std::size_t n) {
        std::size_t cap = 16;
        while (cap * 4 < n * 5) cap *= 2;
        if (cap > capacity()) grow(cap);
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
            if (m_buckets[i].dist != 0) f(m_buckets[i].node);
    }

    /// Visits (`f(Node*)`) every node whose home bucket is `cursor & (capacity() - 1)`, and
    /// returns the next cursor, or 0 when the whole table has been covered. Start with 0.
    /// Redis's reverse-binary cursor (dict.c's dictScan) over the home buckets: Robin Hood
    /// keeps nodes ordered by home bucket, and a node keeps its home bucket until the table
    /// doubles, when its home splits exactly as a chained table's bucket would; so a node
    /// present for the whole scan is visited at least once, and at most twice, however the
    /// table grows between calls (it never shrinks). `f` must not modify the index.
    /// O(probe length) per call.
    template <class F>
    std::uint32_t scan(std::uint32_t cursor, F&& f) const {
        if (!m_buckets) return 0;
        const auto mask = static_cast<std::uint32_t>(m_mask);
        const std::uint32_t home = cursor & mask;
        for (std::uint32_t off = 0; off <= mask; ++off) {
            const Bucket& b = m_buckets[(home + off) & mask];
            if (b.dist == 0) break;
            const std::int64_t home_off = std::int64_t{off} - std::int64_t{b.dist - 1};
            if (home_off > 0) break;  // ordered by home: the rest start after ours
            if (home_off == 0) f(b.node);
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
            const Bucket& b = m_buckets[static_cast<std::size_t>(rng()) & m_mask];
            if (b.dist != 0) return b.node;
        }
        for (std::size_t p = static_cast<std::size_t>(rng()) & m_mask;; p = (p + 1) & m_mask)
            if (m_buckets[p].dist != 0) return m_buckets[p].node;
    }

    /// Checks the Robin Hood invariants: each bucket's distance matches its position relative
    /// to its home, and the count agrees. For tests. O(capacity()).
    [[nodiscard]] bool check_invariants() const noexcept {
        std::size_t n = 0;
        for (std::size_t i = 0, cap = capacity(); i < cap; ++i) {
            const Bucket& b = m_buckets[i];
            if (b.dist == 0) continue;
            ++n;
            if (((i - (b.hash & m_mask)) & m_mask) + 1 != b.dist) return false;
            // Robin Hood order: the previous bucket is no poorer than one less than us.
            const Bucket& prev = m_buckets[(i + cap - 1) & m_mask];
            if (b.dist > 1 && prev.dist + 1 < b.dist) return false;
        }
        return n == m_size;
    }

private:
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
            if (b.dist < dist) return nullptr;
            if (b.node == node) return &b;
        }
    }

    void place(Bucket b) noexcept {
        std::size_t pos = b.hash & m_mask;
        for (;; pos = (pos + 1) & m_mask, ++b.dist) {
            Bucket& slot = m_buckets[pos];
            if (slot.dist == 0) {
                slot = b;
                return;
            }
            if (slot.dist < b.dist) std::swap(slot, b);  // take from the rich
        }
    }

    void grow(std::size_t new_cap) {
        std::unique_ptr<Bucket[]> old(new Bucket[new_cap]());  // may throw: nothing changed yet
        old.swap(m_buckets);
        const std::size_t old_cap = capacity();
        m_mask = new_cap - 1;
        for (std::size_t i = 0; i < old_cap; ++i)
            if (old[i].dist != 0) place(Bucket{1, old[i].hash, old[i].node});
    }

    std::unique_ptr<Bucket[]> m_buckets;
    std::size_t m_mask = 0;  ///< capacity - 1, or 0 with no table
    std::size_t m_size = 0;
};

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_FLAT_INDEX_HPP
