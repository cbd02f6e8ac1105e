#ifndef CACHET_DETAIL_RANK_TREE_HPP
#define CACHET_DETAIL_RANK_TREE_HPP

/// `RankTree<T, Score>`: the order index of the sorted set. An order-statistic B+tree
/// (Bayer & McCreight 1972; counted B-trees, Knuth TAOCP 3, 6.2.4) of (score, T*) entries in
/// ascending order, whose inner nodes keep each child's entry count, so a position (rank) and
/// the entry at a position are found in one descent. Dragonfly replaced Redis's skiplist with
/// such a tree for the same reasons: at 1M entries a skiplist search follows ~27 links, each a
/// cache miss, where this tree reads 4 or 5 nodes, each a binary search over contiguous scores.
///
/// The tree does not know how entries compare: every search takes a predicate
/// `pred(Score, const T*)` that is true for a prefix of the entries (those before the place
/// sought) and false for the rest, and reads the item only when it must (the sorted set
/// compares its members only on a score tie). Each inner node keeps, per child, the child's
/// first entry (score and item), its entry count and its pointer; a leaf keeps its entries. The
/// items themselves are owned by the caller.
///
/// Nodes hold between B/4 and B entries (the root: 1 leaf entry or 2 children upwards); a root
/// leaf starts with room for 4 entries and doubles up to B, so a small set stays small. An
/// insert into a full node splits it in two, an erase that leaves fewer than B/4 merges the
/// node with a neighbour or takes entries from it. Every operation is O(log N) (B = 32: a
/// binary search of at most 5 steps per node, plus summing the counts of the children skipped).
/// `insert` and `assign` allocate before they change anything (strong guarantee); everything else
/// is no-throw.
/// Not thread-safe.

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace detail {

template <class T, class Score, int B = 32>
class RankTree {
    static_assert(B >= 8 && B <= 1024 && (B & (B - 1)) == 0, "node capacity: a power of two");
    static_assert(std::is_trivially_copyable_v<Score> && alignof(Score) <= alignof(std::max_align_t));
    static constexpr int min_fill = B / 4;
    static constexpr int first_cap = 4;   ///< a new root leaf's room
    static constexpr int max_depth = 40;  ///< ample: a node below the root has >= B/4 >= 2 entries

    // A node is one allocation: a header, then arrays of `cap` elements: the scores and items
    // (a leaf's entries, or each child's first entry) and, in an inner node, the children and
    // their entry counts. Inner nodes and leaves below the root have cap == B. The arrays are
    // implicitly created in the raw storage (they hold scalars only).
    struct Block {
        int count;
        int cap;
    };
    static constexpr std::size_t round_up(std::size_t n, std::size_t a) noexcept { return (n + a - 1) / a * a; }
    static constexpr std::size_t scores_at =
        round_up(sizeof(Block), alignof(Score) > alignof(T*) ? alignof(Score) : alignof(T*));
    static constexpr std::size_t items_at(int cap) noexcept {
        return round_up(scores_at + static_cast<std::size_t>(cap) * sizeof(Score), alignof(T*));
    }
    static constexpr std::size_t leaf_bytes(int cap) noexcept {
        return items_at(cap) + static_cast<std::size_t>(cap) * sizeof(T*);
    }
    static constexpr std::size_t children_at = round_up(leaf_bytes(B), alignof(Block*));
    static constexpr std::size_t sizes_at = round_up(children_at + B * sizeof(Block*), alignof(std::size_t));
    static constexpr std::size_t inner_bytes = sizes_at + B * sizeof(std::size_t);

    template <class X>
    static X* array_at(const Block* b, std::size_t offset) noexcept {
        auto* raw = const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(b)) + offset;
        return std::launder(reinterpret_cast<X*>(raw));
    }
    static Score* sc(const Block* b) noexcept { return array_at<Score>(b, scores_at); }
    static T** it(const Block* b) noexcept { return array_at<T*>(b, items_at(b->cap)); }
    static Block** ch(const Block* b) noexcept { return array_at<Block*>(b, children_at); }
    static std::size_t* sz(const Block* b) noexcept { return array_at<std::size_t>(b, sizes_at); }

    /// A leaf with room for `cap` entries, or (inner) a node with room for B children.
    static Block* allocate(bool inner, int cap = B) {
        void* raw = ::operator new(inner ? inner_bytes : leaf_bytes(cap));
        return ::new (raw) Block{0, inner ? B : cap};
    }
    static void free_block(Block* b) noexcept { ::operator delete(b); }

public:
    /// The entries next to a new one in its leaf (nullptr at the leaf's ends).
    struct Neighbours {
        T* before = nullptr;
        T* after = nullptr;
    };

    RankTree() noexcept = default;
    RankTree(const RankTree&) = delete;
    RankTree& operator=(const RankTree&) = delete;
    RankTree(RankTree&& o) noexcept { swap(o); }
    RankTree& operator=(RankTree&& o) noexcept {
        if (this != &o) {
            clear();
            swap(o);
        }
        return *this;
    }
    ~RankTree() { clear(); }
    void swap(RankTree& o) noexcept {
        std::swap(m_root, o.m_root);
        std::swap(m_height, o.m_height);
        std::swap(m_size, o.m_size);
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }

    /// Frees every node (not the items). O(N / B).
    void clear() noexcept {
        if (m_root) free_subtree(m_root, m_height - 1);
        m_root = nullptr;
        m_height = 0;
        m_size = 0;
    }

    /// The number of entries for which `pred` holds (the 0-based position of the first for which
    /// it does not) and that entry's item, nullptr if there is none. O(log N).
    template <class Pred>
    [[nodiscard]] std::pair<std::size_t, T*> lower_bound(Pred&& pred) const {
        if (!m_root) return {0, nullptr};
        std::size_t pos = 0;
        T* next = nullptr;  // the first entry after the subtree descended into
        const Block* b = m_root;
        for (int level = m_height - 1; level > 0; --level) {
            const int c = child_for(b, pred);
            if (c + 1 < b->count) next = it(b)[c + 1];
            const std::size_t* sizes = sz(b);
            for (int i = 0; i < c; ++i) pos += sizes[i];
            b = ch(b)[c];
        }
        const int j = first_not(b, 0, pred);
        return {pos + static_cast<std::size_t>(j), j < b->count ? it(b)[j] : next};
    }

    /// The item at 0-based position `pos`. Precondition: pos < size(). O(log N).
    [[nodiscard]] T* at(std::size_t pos) const noexcept {
        const Block* b = m_root;
        for (int level = m_height - 1; level > 0; --level) {
            const std::size_t* sizes = sz(b);
            int c = 0;
            while (pos >= sizes[c]) pos -= sizes[c++];
            b = ch(b)[c];
        }
        return it(b)[pos];
    }

    /// Inserts (s, item) before the first entry for which `pred` does not hold (`pred`: "sorts
    /// before the new entry"). Returns its neighbours in its leaf. O(log N); allocates at most
    /// one node per level, before changing anything (strong guarantee).
    template <class Pred>
    Neighbours insert(Score s, T* item, Pred&& pred) {
        if (!m_root) {
            Block* l = allocate(false, first_cap);
            l->count = 1;
            sc(l)[0] = s;
            it(l)[0] = item;
            m_root = l;
            m_height = 1;
            m_size = 1;
            return {};
        }
        if (m_height == 1 && m_root->count == m_root->cap && m_root->cap < B) grow_root();
        Path path;
        Block* b = descend(pred, path);
        const int j = first_not(b, 0, pred);

        // Allocate the nodes the splits need (a full leaf, full parents above it, a new root);
        // only fresh[0, need) is ever read.
        Block* fresh[max_depth + 1];
        int need = 0;
        if (b->count == B) {
            need = 1;
            for (int d = path.depth - 1; d >= 0 && path.node[d]->count == B; --d) ++need;
            if (need == path.depth + 1) ++need;  // the root splits too
        }
        for (int made = 0; made < need; ++made) {
            try {
                fresh[made] = allocate(made > 0);
            } catch (...) {
                for (int k = 0; k < made; ++k) free_block(fresh[k]);
                throw;
            }
        }

        ++m_size;
        for (int d = 0; d < path.depth; ++d) ++sz(path.node[d])[path.index[d]];

        Neighbours nb;
        Block* sibling = nullptr;  // a new right neighbour of `b`, to enter the parent
        bool first_changed = false;
        if (b->count < b->cap) {
            insert_entry<false>(b, j, s, item, nullptr, 0);
            first_changed = j == 0;
            nb = neighbours(b, j);
        } else {
            sibling = fresh[0];
            split<false>(b, sibling);
            if (j <= b->count) {
                insert_entry<false>(b, j, s, item, nullptr, 0);
                first_changed = j == 0;
                nb = neighbours(b, j);
            } else {
                insert_entry<false>(sibling, j - b->count, s, item, nullptr, 0);
                nb = neighbours(sibling, j - b->count);
            }
        }
        int used = 1;
        std::size_t sibling_size = sibling ? static_cast<std::size_t>(sibling->count) : 0;
        for (int d = path.depth - 1; d >= 0 && (sibling || first_changed); --d) {
            Block* p = path.node[d];
            const int c = path.index[d];
            if (first_changed) copy_first(p, c);
            first_changed = first_changed && c == 0;
            if (!sibling) continue;
            sz(p)[c] -= sibling_size;
            Block* into = p;
            int at = c + 1;
            Block* right = nullptr;
            if (p->count == B) {
                right = fresh[used++];
                split<true>(p, right);
                if (at > p->count) {
                    into = right;
                    at -= p->count;
                }
            }
            insert_entry<true>(into, at, sc(sibling)[0], it(sibling)[0], sibling, sibling_size);
            sibling = right;
            if (right) sibling_size = subtree_size(right);
        }
        if (sibling) {  // the root split: a new root above the two halves
            Block* root = fresh[used];
            insert_entry<true>(root, 0, sc(m_root)[0], it(m_root)[0], m_root, m_size - sibling_size);
            insert_entry<true>(root, 1, sc(sibling)[0], it(sibling)[0], sibling, sibling_size);
            m_root = root;
            ++m_height;
        }
        return nb;
    }

    /// Erases the last entry for which `pred` holds (`pred`: "sorts before or is the entry").
    /// Precondition: there is one. O(log N); no-throw.
    template <class Pred>
    void erase(Pred&& pred) noexcept {
        Path path;
        Block* b = descend(pred, path);
        const int j = first_not(b, 0, pred) - 1;
        --m_size;
        for (int d = 0; d < path.depth; ++d) --sz(path.node[d])[path.index[d]];
        erase_entry<false>(b, j);
        if (path.depth == 0) {
            if (b->count == 0) clear();
            return;
        }
        bool first_changed = j == 0;
        for (int d = path.depth - 1; d >= 0; --d) {
            Block* p = path.node[d];
            const int c = path.index[d];
            if (first_changed) copy_first(p, c);
            first_changed = first_changed && c == 0;
            if (ch(p)[c]->count < min_fill) {
                if (d == path.depth - 1) rebalance<false>(p, c);
                else rebalance<true>(p, c);
            } else if (!first_changed) {
                break;
            }
        }
        while (m_height > 1 && m_root->count == 1) {  // a root with one child steps down
            Block* old = m_root;
            m_root = ch(old)[0];
            --m_height;
            free_block(old);
        }
    }

    /// Gives the last entry for which `pred` holds the score `s`, in place. Precondition: it
    /// exists, and the order is the same with its new score. O(log N); no-throw.
    template <class Pred>
    void rescore(Pred&& pred, Score s) noexcept {
        Path path;
        Block* b = descend(pred, path);
        const int j = first_not(b, 0, pred) - 1;
        sc(b)[j] = s;
        for (int d = path.depth - 1; d >= 0 && j == 0; --d) {
            sc(path.node[d])[path.index[d]] = s;
            if (path.index[d] != 0) break;
        }
    }

    /// Replaces the contents with `n` entries in ascending order: `next()` gives the items one
    /// after the other, `score_of(item)` their scores. O(n). Strong guarantee (allocates).
    template <class Next, class ScoreOf>
    void assign(std::size_t n, Next&& next, ScoreOf&& score_of) {
        RankTree t;
        if (n) t.build(n, next, score_of);
        swap(t);
    }

    /// Calls `f(Score, const T*)` for every entry in order. O(N). For checks.
    template <class F>
    void for_each(F&& f) const {
        if (m_root) for_each_in(m_root, m_height - 1, f);
    }

    /// Checks the structure: fill bounds, equal leaf depth, child counts and first entries, the
    /// size. O(N). For tests.
    [[nodiscard]] bool check_invariants() const {
        if (!m_root) return m_height == 0 && m_size == 0;
        std::size_t n = 0;
        if (!check_block(m_root, m_height - 1, true, n)) return false;
        return n == m_size;
    }

    /// Bytes of the tree's nodes. O(N / B). For tests (a small tree stays small).
    [[nodiscard]] std::size_t node_bytes() const noexcept {
        return m_root ? bytes_of(m_root, m_height - 1) : 0;
    }

private:
    struct Path {
        Block* node[max_depth];
        int index[max_depth];
        int depth = 0;
    };

    /// First index in [from, count) whose entry fails `pred` (binary search; pred is monotone).
    template <class Pred>
    static int first_not(const Block* b, int from, Pred& pred) {
        const Score* scores = sc(b);
        T* const* items = it(b);
        int lo = from, hi = b->count;
        while (lo < hi) {
            const int mid = (lo + hi) / 2;
            if (pred(scores[mid], static_cast<const T*>(items[mid]))) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
    /// The child to descend into: the last whose first entry satisfies `pred`, else the first.
    template <class Pred>
    static int child_for(const Block* in, Pred& pred) {
        return first_not(in, 1, pred) - 1;
    }
    template <class Pred>
    Block* descend(Pred& pred, Path& path) const {
        Block* b = m_root;
        for (int level = m_height - 1; level > 0; --level) {
            const int c = child_for(b, pred);
            path.node[path.depth] = b;
            path.index[path.depth] = c;
            ++path.depth;
            b = ch(b)[c];
        }
        return b;
    }

    /// The full root leaf moves to a node with twice the room.
    void grow_root() {
        Block* l = allocate(false, std::min(B, m_root->cap * 2));
        copy_entries<false>(l, 0, m_root, 0, m_root->count);
        l->count = m_root->count;
        free_block(m_root);
        m_root = l;
    }

    static Neighbours neighbours(const Block* b, int j) noexcept {
        return {j > 0 ? it(b)[j - 1] : nullptr, j + 1 < b->count ? it(b)[j + 1] : nullptr};
    }
    /// Entry `c` of inner node `p` takes its child's first entry.
    static void copy_first(Block* p, int c) noexcept {
        const Block* child = ch(p)[c];
        sc(p)[c] = sc(child)[0];
        it(p)[c] = it(child)[0];
    }
    static std::size_t subtree_size(const Block* in) noexcept {
        return entries_size<true>(in, 0, in->count);
    }
    template <bool IsInner>
    static std::size_t entries_size(const Block* b, int from, int n) noexcept {
        if constexpr (!IsInner) {
            (void)b, (void)from;
            return static_cast<std::size_t>(n);
        } else {
            const std::size_t* sizes = sz(b);
            std::size_t s = 0;
            for (int i = from; i < from + n; ++i) s += sizes[i];
            return s;
        }
    }

    /// Copies entries [from, from + n) of `src` to `dst` at `at` (distinct nodes).
    template <bool IsInner>
    static void copy_entries(Block* dst, int at, const Block* src, int from, int n) noexcept {
        std::copy_n(sc(src) + from, n, sc(dst) + at);
        std::copy_n(it(src) + from, n, it(dst) + at);
        if constexpr (IsInner) {
            std::copy_n(ch(src) + from, n, ch(dst) + at);
            std::copy_n(sz(src) + from, n, sz(dst) + at);
        }
    }
    /// Moves entries [at, count) of `b` by `k` places (k > 0: opens a gap of k at `at`; k < 0:
    /// closes the |k| places before `at`).
    template <bool IsInner>
    static void shift(Block* b, int at, int k) noexcept {
        auto move = [&](auto* a) {
            if (k > 0) std::copy_backward(a + at, a + b->count, a + b->count + k);
            else std::copy(a + at, a + b->count, a + at + k);
        };
        move(sc(b));
        move(it(b));
        if constexpr (IsInner) {
            move(ch(b));
            move(sz(b));
        }
        b->count += k;
    }
    template <bool IsInner>
    static void insert_entry(Block* b, int at, Score s, T* item, Block* child, std::size_t size) noexcept {
        shift<IsInner>(b, at, 1);
        sc(b)[at] = s;
        it(b)[at] = item;
        if constexpr (IsInner) {
            ch(b)[at] = child;
            sz(b)[at] = size;
        } else {
            (void)child, (void)size;
        }
    }
    template <bool IsInner>
    static void erase_entry(Block* b, int at) noexcept {
        shift<IsInner>(b, at + 1, -1);
    }
    /// Moves the upper half of the full `b` into the empty `right`.
    template <bool IsInner>
    static void split(Block* b, Block* right) noexcept {
        constexpr int keep = B / 2;
        copy_entries<IsInner>(right, 0, b, keep, B - keep);
        right->count = B - keep;
        b->count = keep;
    }

    /// Child `c` of `p` has fewer than B/4 entries: merge it with a neighbour, or even the two
    /// out when they would not fit in one node. `IsInner`: the children are inner nodes.
    template <bool IsInner>
    static void rebalance(Block* p, int c) noexcept {
        const int li = c > 0 ? c - 1 : 0;
        Block* left = ch(p)[li];
        Block* right = ch(p)[li + 1];
        std::size_t* sizes = sz(p);
        const int total = left->count + right->count;
        if (total <= B) {  // right joins left
            copy_entries<IsInner>(left, left->count, right, 0, right->count);
            left->count = total;
            sizes[li] += sizes[li + 1];
            erase_entry<true>(p, li + 1);
            free_block(right);
            return;
        }
        const int target = total / 2;
        if (left->count > target) {  // left's last entries go to the front of right
            const int k = left->count - target;
            shift<IsInner>(right, 0, k);
            copy_entries<IsInner>(right, 0, left, target, k);
            left->count = target;
            const std::size_t moved = entries_size<IsInner>(right, 0, k);
            sizes[li] -= moved;
            sizes[li + 1] += moved;
        } else {  // right's first entries go to the end of left
            const int k = target - left->count;
            copy_entries<IsInner>(left, left->count, right, 0, k);
            left->count = target;
            const std::size_t moved = entries_size<IsInner>(left, target - k, k);
            shift<IsInner>(right, k, -k);
            sizes[li] += moved;
            sizes[li + 1] -= moved;
        }
        copy_first(p, li + 1);
    }

    static void free_subtree(Block* b, int level) noexcept {
        if (level > 0)
            for (int i = 0; i < b->count; ++i) free_subtree(ch(b)[i], level - 1);
        free_block(b);
    }

    template <class Next, class ScoreOf>
    void build(std::size_t n, Next& next, ScoreOf& score_of) {
        constexpr std::size_t per = B * 3 / 4;  // room to grow before the first splits
        std::vector<Block*> level_nodes;       // the level just built
        std::vector<std::size_t> level_sizes;  // entries under each of its nodes
        std::vector<Block*> made;              // every node made, freed if something throws
        int height = 0;
        try {
            made.reserve(n / (per / 2) + 4);
            std::size_t groups = (n + per - 1) / per;
            level_nodes.reserve(groups);
            level_sizes.reserve(groups);
            for (std::size_t g = 0, left = n; g < groups; ++g) {
                const std::size_t k = (left + (groups - g) - 1) / (groups - g);
                const int cap = groups == 1 ? std::max(first_cap, static_cast<int>(std::bit_ceil(k))) : B;
                Block* l = allocate(false, cap);
                made.push_back(l);
                l->count = static_cast<int>(k);
                for (std::size_t i = 0; i < k; ++i) {
                    T* x = next();
                    it(l)[i] = x;
                    sc(l)[i] = score_of(static_cast<const T*>(x));
                }
                level_nodes.push_back(l);
                level_sizes.push_back(k);
                left -= k;
            }
            height = 1;
            while (level_nodes.size() > 1) {
                const std::size_t m = level_nodes.size();
                groups = (m + per - 1) / per;
                std::vector<Block*> up;
                std::vector<std::size_t> up_sizes;
                up.reserve(groups);
                up_sizes.reserve(groups);
                for (std::size_t g = 0, i = 0, left = m; g < groups; ++g) {
                    const std::size_t k = (left + (groups - g) - 1) / (groups - g);
                    Block* in = allocate(true);
                    made.push_back(in);
                    std::size_t total = 0;
                    for (std::size_t c = 0; c < k; ++c, ++i) {
                        insert_entry<true>(in, static_cast<int>(c), sc(level_nodes[i])[0], it(level_nodes[i])[0],
                                           level_nodes[i], level_sizes[i]);
                        total += level_sizes[i];
                    }
                    up.push_back(in);
                    up_sizes.push_back(total);
                    left -= k;
                }
                level_nodes = std::move(up);
                level_sizes = std::move(up_sizes);
                ++height;
            }
        } catch (...) {
            for (Block* b : made) free_block(b);
            throw;
        }
        m_root = level_nodes[0];
        m_height = height;
        m_size = n;
    }

    template <class F>
    static void for_each_in(const Block* b, int level, F& f) {
        if (level == 0) {
            for (int i = 0; i < b->count; ++i) f(sc(b)[i], static_cast<const T*>(it(b)[i]));
            return;
        }
        for (int i = 0; i < b->count; ++i) for_each_in(ch(b)[i], level - 1, f);
    }
    static bool check_block(const Block* b, int level, bool root, std::size_t& n) {
        const int least = root ? (level > 0 ? 2 : 1) : min_fill;
        if (b->count < least || b->count > b->cap || (!root && b->cap != B)) return false;
        if (level == 0) {
            n += static_cast<std::size_t>(b->count);
            return true;
        }
        if (b->cap != B) return false;
        for (int i = 0; i < b->count; ++i) {
            const Block* c = ch(b)[i];
            if (!c || it(c)[0] != it(b)[i] || !(sc(c)[0] == sc(b)[i])) return false;
            std::size_t sub = 0;
            if (!check_block(c, level - 1, false, sub) || sub != sz(b)[i]) return false;
            n += sub;
        }
        return true;
    }
    static std::size_t bytes_of(const Block* b, int level) noexcept {
        if (level == 0) return leaf_bytes(b->cap);
        std::size_t n = inner_bytes;
        for (int i = 0; i < b->count; ++i) n += bytes_of(ch(b)[i], level - 1);
        return n;
    }

    Block* m_root = nullptr;
    int m_height = 0;  ///< levels; 0 when empty, 1 when the root is a leaf
    std::size_t m_size = 0;
};

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_RANK_TREE_HPP
