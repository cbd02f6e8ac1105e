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
/// Not thread-safe; owned by a shard and used under its lock, except `prefetch`, which may be
/// called without the lock (it only hints the CPU). The index never owns the nodes. The table
/// pointer and mask are relaxed atomics only so that `prefetch` can read them unlocked; under
/// the lock they compile to plain loads.

#include <cachet/detail/config.hpp>

#include <atomic>
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
    ~FlatIndex() { delete[] table(); }

    /// Asks the CPU to start loading the home bucket of hash `h`. Safe without the lock: a
    /// concurrent resize can only make the hint useless (prefetching never faults). O(1).
    void prefetch(std::uint32_t h) const noexcept {
        const Bucket* t = m_table.load(std::memory_order_relaxed);
        if (t) __builtin_prefetch(t + (h & m_mask.load(std::memory_order_relaxed)));
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] std::size_t capacity() const noexcept { return table() ? mask() + 1 : 0; }
    [[nodiscard]] std::size_t memory_bytes() const noexcept { return capacity() * sizeof(Bucket); }

    /// The node whose hash is `h` and for which `eq(node)` holds, or nullptr.
    /// Complexity: O(1) expected. Never allocates.
    template <class Eq>
    [[nodiscard]] Node* find(std::uint32_t h, Eq&& eq) const {
        const Bucket* const t = table();
        if (CACHET_UNLIKELY(!t)) return nullptr;
        const std::size_t mask = this->mask();
        std::size_t pos = h & mask;
        for (std::uint32_t dist = 1;; ++dist, pos = (pos + 1) & mask) {
            const Bucket& b = t[pos];
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
        Bucket* const t = table();
        const std::size_t mask = this->mask();
        std::size_t pos = static_cast<std::size_t>(b - t);
        // Backward shift: pull each following displaced bucket one step towards its home.
        for (;;) {
            const std::size_t next = (pos + 1) & mask;
            if (t[next].dist <= 1) break;
            t[pos] = t[next];
            --t[pos].dist;
            pos = next;
        }
        t[pos] = Bucket{0, 0, nullptr};
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
        delete[] table();
        m_table.store(nullptr, std::memory_order_relaxed);
        m_mask.store(0, std::memory_order_relaxed);
        m_size = 0;
    }

    /// Calls `f(Node*)` for every node, in table order. `f` must not modify the index.
    template <class F>
    void for_each(F&& f) const {
        const Bucket* const t = table();
        for (std::size_t i = 0, n = capacity(); i < n; ++i)
            if (t[i].dist != 0) f(t[i].node);
    }

    /// Checks the Robin Hood invariants: each bucket's distance matches its position relative
    /// to its home, and the count agrees. For tests. O(capacity()).
    [[nodiscard]] bool check_invariants() const noexcept {
        std::size_t n = 0;
        const Bucket* const t = table();
        const std::size_t mask = this->mask();
        for (std::size_t i = 0, cap = capacity(); i < cap; ++i) {
            const Bucket& b = t[i];
            if (b.dist == 0) continue;
            ++n;
            if (((i - (b.hash & mask)) & mask) + 1 != b.dist) return false;
            // Robin Hood order: the previous bucket is no poorer than one less than us.
            const Bucket& prev = t[(i + cap - 1) & mask];
            if (b.dist > 1 && prev.dist + 1 < b.dist) return false;
        }
        return n == m_size;
    }

private:
    [[nodiscard]] Bucket* table() const noexcept { return m_table.load(std::memory_order_relaxed); }
    [[nodiscard]] std::size_t mask() const noexcept { return m_mask.load(std::memory_order_relaxed); }

    Bucket* locate(std::uint32_t h, const Node* node) noexcept {
        Bucket* const t = table();
        if (!t) return nullptr;
        const std::size_t mask = this->mask();
        std::size_t pos = h & mask;
        for (std::uint32_t dist = 1;; ++dist, pos = (pos + 1) & mask) {
            Bucket& b = t[pos];
            if (b.dist < dist) return nullptr;
            if (b.node == node) return &b;
        }
    }

    void place(Bucket b) noexcept {
        Bucket* const t = table();
        const std::size_t mask = this->mask();
        std::size_t pos = b.hash & mask;
        for (;; pos = (pos + 1) & mask, ++b.dist) {
            Bucket& slot = t[pos];
            if (slot.dist == 0) {
                slot = b;
                return;
            }
            if (slot.dist < b.dist) std::swap(slot, b);  // take from the rich
        }
    }

    void grow(std::size_t new_cap) {
        Bucket* fresh = new Bucket[new_cap]();  // may throw: nothing changed yet
        std::unique_ptr<Bucket[]> old(table());
        const std::size_t old_cap = capacity();
        m_table.store(fresh, std::memory_order_relaxed);
        m_mask.store(new_cap - 1, std::memory_order_relaxed);
        for (std::size_t i = 0; i < old_cap; ++i)
            if (old[i].dist != 0) place(Bucket{1, old[i].hash, old[i].node});
    }

    std::atomic<Bucket*> m_table{nullptr};  ///< owned; null until the first insert
    std::atomic<std::size_t> m_mask{0};     ///< capacity - 1 while there is a table
    std::size_t m_size = 0;
};

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_FLAT_INDEX_HPP
