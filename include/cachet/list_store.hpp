#ifndef CACHET_LIST_STORE_HPP
#define CACHET_LIST_STORE_HPP

/// Redis lists in typed C++: `List<T>`, the unkeyed list value with the semantics of Redis's
/// list commands (LPUSH ... LPOS), and `ListStore<K, T>`, one `List<T>` per key on the keyspace
/// core with Redis's blocking pops (BLPOP, BRPOP, BLMOVE, BLMPOP).
///
/// `List<T>` is a ring buffer (a circular array) while it is small, and a ring of fixed-size
/// blocks once it is long; 32 bytes inline (pointer, capacity, head, size) either way.
///   - Small (up to `small_limit()` elements, four blocks' worth): one allocation holding the
///     elements contiguously modulo wrap-around. Growing by 1.5x keeps the spare capacity
///     under half the size; a list that falls to a quarter of its capacity is moved to a
///     buffer of twice its size. Chosen over `std::deque` for memory: libstdc++'s deque takes
///     80 bytes inline and allocates a 64-byte map plus a 512-byte block even for one element,
///     where a one-element List allocates `sizeof(T)` (bench/list_store_bench.cpp, 8-byte
///     elements: 40 bytes per element against 656 for one element, 11.5 against 41 for 16).
///   - Segmented (past `small_limit()`): blocks of `block_elements()` (4 KiB of elements, at
///     least 16) found through a ring of block pointers, one spare block kept for a list that
///     pushes and pops across a block's edge. Elements never move once in a block, so no push
///     costs more than one block allocation (and, rarely, doubling the pointer ring: 8 bytes
///     per block), where a single buffer would move all N elements when full: a 1M-element
///     list of strings moved 32 MB under its key's shard lock, stalling every client of that
///     shard for milliseconds (as Redis's quicklist, made of listpack nodes, never does). A
///     segmented list that falls to two blocks' worth becomes small again.
/// Push and pop at either end are amortized O(1) (worst case O(1) plus an allocation once
/// segmented), indexing (LINDEX, LSET) is O(1), LRANGE is O(M) for M elements returned, LTRIM
/// O(M) for M removed; searches (LINSERT, LREM, LPOS) are O(N). Redis keeps lists in a
/// quicklist (a doubly linked list of listpacks) because its elements are variable-length
/// strings packed in place; here elements are fixed-size objects, so blocks hold them densely
/// and index in O(1). The prices: push + pop at the ends of a small list costs ~1.6 ns
/// against the deque's ~1.1 ns (a wrap-around branch each, and the shrink check on pop).
///
/// `ListStore<K, T>` keeps one `List<T>` per key on the keyspace core (keyspace.hpp, through
/// detail/keyed_store.hpp), so TTL, eviction, statistics, removal and write listeners come
/// from the core; an operation that empties a list deletes its key (Redis's rule); every
/// operation takes the shard lock of its key (a move or multi-key pop: of all its keys at once)
/// and is atomic. Blocking pops follow detail/wait_registry.hpp: consumers are served first come
/// first served per key, inside the producer's write, so no element is lost or delivered twice.
///
/// Thread-safety: `List` is a plain value type (like std::deque: synchronize writers
/// externally); every `BasicListStore` member function is thread-safe.

#include <cachet/detail/config.hpp>
#include <cachet/detail/keyed_store.hpp>
#include <cachet/detail/wait_registry.hpp>
#include <cachet/keyspace.hpp>

#include <algorithm>
#include <bit>
#include <chrono>
#include <climits>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN

/// An end of a list: Redis's LEFT (`front`, the head, index 0) and RIGHT (`back`, the tail).
enum class ListEnd : std::uint8_t { front, back };

/// Where LINSERT puts the new element relative to its pivot.
enum class ListInsert : std::uint8_t { before, after };

/// What `ListStore::set` (LSET) did. `to_string` gives Redis's error text.
enum class ListSetStatus : std::uint8_t { ok, no_such_key, out_of_range };

[[nodiscard]] constexpr std::string_view to_string(ListSetStatus s) noexcept {
    switch (s) {
        case ListSetStatus::ok: return "OK";
        case ListSetStatus::no_such_key: return "no such key";
        case ListSetStatus::out_of_range: return "index out of range";
    }
    return "unknown";
}

namespace detail {

/// `t == u` is valid and converts to bool (a list element against a search value).
template <class T, class U>
concept list_comparable = requires(const T& t, const U& u) {
    { t == u } -> std::convertible_to<bool>;
};

/// `U` can be searched for in a list of `T` (`t == u` is valid).
template <class U, class T>
concept searchable_in = list_comparable<T, U>;

/// `R` is an input range whose elements construct a `T` (the values of a multi-push).
template <class R, class T>
concept range_of =
    std::ranges::input_range<R> && std::constructible_from<T, std::ranges::range_reference_t<R>>;

/// A run of logical positions [first, first + count) of a list.
struct ListSpan {
    std::size_t first = 0;
    std::size_t count = 0;
    friend bool operator==(const ListSpan&, const ListSpan&) = default;
};

/// Redis's reading of an LRANGE / LTRIM pair on a list of `len` elements: negative indexes
/// count from the tail (-1 is the last), a start before the head is clamped to 0, a stop past
/// the tail to the last element; start > stop or start >= len selects nothing.
[[nodiscard]] constexpr ListSpan redis_range(long long start, long long stop,
                                             std::size_t len) noexcept {
    const auto n = static_cast<long long>(len);  // len <= max_size() < LLONG_MAX
    if (start < 0) start += n;                   // no overflow: n >= 0
    if (stop < 0) stop += n;
    if (start < 0) start = 0;
    if (start > stop || start >= n) return {};
    if (stop >= n) stop = n - 1;
    return {static_cast<std::size_t>(start), static_cast<std::size_t>(stop - start + 1)};
}

/// Throws `std::invalid_argument` unless `rank` is a valid LPOS RANK: nonzero and greater
/// than LLONG_MIN (whose magnitude does not fit; Redis 7.0 lets it overflow, 7.2 rejects it).
inline void check_list_rank(long long rank) {
    if (rank == 0 || rank == LLONG_MIN)
        throw std::invalid_argument(
            "cachet::List::position: rank must be nonzero (1 is the first match, -1 the first "
            "from the tail) and greater than LLONG_MIN");
}

/// Redis's reading of one index (LINDEX, LSET): negative counts from the tail. nullopt when
/// out of range.
[[nodiscard]] constexpr std::optional<std::size_t> redis_index(long long i,
                                                               std::size_t len) noexcept {
    const auto n = static_cast<long long>(len);
    if (i < 0) i += n;
    if (i < 0 || i >= n) return std::nullopt;
    return static_cast<std::size_t>(i);
}

}  // namespace detail

/// A list with Redis's list semantics (see the file comment for the structure and costs).
/// Value semantics: copies are deep. Moves and `swap` never throw (they steal the storage);
/// move assignment between unequal, non-propagating allocators moves element by element.
/// Invalidation: iterators are positions, so any change of size invalidates them. References:
/// a small list (at most `small_limit()` elements in one buffer) keeps them valid across
/// pushes at the ends that do not reallocate (size() < capacity() before); a segmented list
/// never moves its elements, so pushes at the ends keep them all valid (as std::deque's do).
/// Every removal (which may shrink the storage) and insert_at invalidate them.
/// Invariants (`check_invariants`): size() <= capacity(); small: the buffer is null exactly
/// when the capacity is 0, head < capacity (or 0 when there is no buffer), capacity <=
/// small_limit(); segmented: the block map's slots are a power of two, at least 8, and hold a
/// block exactly where the elements are.
template <class T, class Allocator = std::allocator<T>>
class List {
    using alloc_traits = std::allocator_traits<Allocator>;
    using map_allocator = typename alloc_traits::template rebind_alloc<T*>;
    using map_traits = std::allocator_traits<map_allocator>;
    static_assert(std::is_same_v<typename alloc_traits::value_type, T>,
                  "cachet::List: Allocator::value_type must be T");
    static_assert(std::is_same_v<typename alloc_traits::pointer, T*>,
                  "cachet::List: allocators with fancy pointers are not supported");

    template <bool Const>
    class Iter;

public:
    using value_type = T;
    using allocator_type = Allocator;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using reference = T&;
    using const_reference = const T&;
    using pointer = T*;
    using const_pointer = const T*;
    using iterator = Iter<false>;
    using const_iterator = Iter<true>;
    using reverse_iterator = std::reverse_iterator<iterator>;
    using const_reverse_iterator = std::reverse_iterator<const_iterator>;
    /// Redis's list index: negative values count from the tail.
    using index_type = long long;

    /// Elements per block of a segmented list: 4 KiB of elements (at least 16), a power of two.
    [[nodiscard]] static constexpr size_type block_elements() noexcept {
        return std::bit_floor(std::max<size_type>(16, 4096 / sizeof(T)));
    }
    /// The most elements a list keeps in one ring buffer (four blocks' worth); a push past it
    /// makes the list segmented, and a segmented list that falls to two blocks' worth becomes
    /// small again.
    [[nodiscard]] static constexpr size_type small_limit() noexcept { return 4 * block_elements(); }

    // ------------------------------------------------------------------ construction

    /// An empty list; allocates nothing.
    List() noexcept(noexcept(Allocator())) : List(Allocator()) {}
    explicit List(const Allocator& alloc) noexcept : m_alloc(alloc) {}
    /// The elements of `init`, head first. O(N); one allocation.
    List(std::initializer_list<T> init, const Allocator& alloc = Allocator()) : List(alloc) {
        reserve(init.size());
        for (const T& v : init) emplace_back(v);
    }
    /// The elements of [first, last), head first. O(N).
    template <std::input_iterator It, std::sentinel_for<It> S>
    List(It first, S last, const Allocator& alloc = Allocator()) : List(alloc) {
        if constexpr (std::sized_sentinel_for<S, It>)
            reserve(static_cast<size_type>(std::ranges::distance(first, last)));
        for (; first != last; ++first) emplace_back(*first);
    }
    /// A deep copy (capacity = size). O(N); one allocation. Strong guarantee.
    List(const List& other)
        : List(other, alloc_traits::select_on_container_copy_construction(other.m_alloc)) {}
    List(const List& other, const Allocator& alloc) : List(alloc) {
        reserve(other.size());
        for (const T& v : other) emplace_back(v);
    }
    /// Takes `other`'s buffer; `other` is left empty. O(1).
    List(List&& other) noexcept : m_alloc(std::move(other.m_alloc)) { steal(other); }

    /// A deep copy. O(N + size()). Strong guarantee.
    List& operator=(const List& other) {
        if (this == &other) return *this;
        constexpr bool pocca = alloc_traits::propagate_on_container_copy_assignment::value;
        List copy(other, pocca ? other.m_alloc : m_alloc);
        destroy_and_deallocate();
        if constexpr (pocca) m_alloc = other.m_alloc;
        steal(copy);
        return *this;
    }
    /// O(size()) to free this list's elements; O(1) to take `other`'s buffer, or O(N) element
    /// moves when the allocators differ and do not propagate.
    List& operator=(List&& other) noexcept(
        alloc_traits::propagate_on_container_move_assignment::value ||
        alloc_traits::is_always_equal::value) {
        if (this == &other) return *this;
        if constexpr (alloc_traits::propagate_on_container_move_assignment::value) {
            destroy_and_deallocate();
            m_alloc = std::move(other.m_alloc);
            steal(other);
        } else if (alloc_traits::is_always_equal::value || m_alloc == other.m_alloc) {
            destroy_and_deallocate();
            steal(other);
        } else {
            clear();
            reserve(other.size());
            for (T& v : other) emplace_back(std::move(v));
            other.clear();
        }
        return *this;
    }
    List& operator=(std::initializer_list<T> init) {
        *this = List(init, m_alloc);
        return *this;
    }
    ~List() { destroy_and_deallocate(); }

    /// Exchanges the contents. O(1), never throws. Precondition (as for std containers): the
    /// allocators are equal unless they propagate on swap.
    void swap(List& other) noexcept {
        if constexpr (alloc_traits::propagate_on_container_swap::value) {
            using std::swap;
            swap(m_alloc, other.m_alloc);
        }
        std::swap(m_store, other.m_store);
        std::swap(m_cap, other.m_cap);
        std::swap(m_head, other.m_head);
        std::swap(m_size, other.m_size);
    }
    friend void swap(List& a, List& b) noexcept { a.swap(b); }

    [[nodiscard]] allocator_type get_allocator() const noexcept { return m_alloc; }

    // ------------------------------------------------------------------ size and storage

    /// Number of elements (LLEN). O(1).
    [[nodiscard]] size_type size() const noexcept { return m_size; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
    /// Element slots allocated: a small list's buffer (a push into a full one reallocates), or
    /// the blocks of a segmented one (a push at a full block's edge adds a block). O(1).
    [[nodiscard]] size_type capacity() const noexcept {
        if (!segmented()) return m_cap;
        return (blocks_used() + (spare() ? 1 : 0)) * block_elements();
    }
    /// Whether the list keeps its elements in blocks (more than `small_limit()` elements at
    /// some point, and not yet back down to half of that). O(1).
    [[nodiscard]] bool segmented() const noexcept { return m_cap > small_limit(); }
    [[nodiscard]] size_type max_size() const noexcept {
        return std::min<size_type>(alloc_traits::max_size(m_alloc),
                                   static_cast<size_type>(LLONG_MAX) / 2);
    }
    /// Makes room for `n` elements: a small list reallocates its buffer (to exactly `n` up to
    /// `small_limit()`; past it, the list becomes segmented), a segmented one sizes its block
    /// map (blocks come as pushes need them). O(N) when a small list reallocates. Strong
    /// guarantee if T's move does not throw or T is copyable. Invalidates iterators and
    /// references when a small list reallocates.
    void reserve(size_type n) {
        if (!segmented()) {
            if (n <= m_cap) return;
            if (checked_capacity(n) <= small_limit()) relocate(n);
            else segment(n);
            return;
        }
        const size_type slots = map_slots_for(checked_capacity(n));
        if (slots > map_slots()) grow_map(slots);
    }
    /// Reallocates a small list (or a segmented one of at most `small_limit()` elements) to
    /// exactly size() elements, freeing the buffer of an empty list; a larger segmented list
    /// frees its spare block. O(N) when it reallocates.
    void shrink_to_fit() {
        if (segmented() && m_size > small_limit()) {
            if (T* s = std::exchange(spare(), nullptr))
                alloc_traits::deallocate(m_alloc, s, block_elements());
        } else if (segmented() || m_cap != m_size) {
            relocate(m_size);
        }
    }
    /// Destroys every element; keeps a small list's buffer, frees a segmented list's blocks.
    /// O(N).
    void clear() noexcept {
        if (segmented()) {
            destroy_and_deallocate();
            return;
        }
        destroy_front(m_size);
        m_head = 0;
    }

    // ------------------------------------------------------------------ element access

    /// The element at logical position `i` (0 = head). Precondition: i < size(). O(1).
    [[nodiscard]] reference operator[](size_type i) noexcept { return *at(i); }
    [[nodiscard]] const_reference operator[](size_type i) const noexcept { return *at(i); }
    /// Precondition: !empty().
    [[nodiscard]] reference front() noexcept { return *at(0); }
    [[nodiscard]] const_reference front() const noexcept { return *at(0); }
    [[nodiscard]] reference back() noexcept { return *at(m_size - 1); }
    [[nodiscard]] const_reference back() const noexcept { return *at(m_size - 1); }

    [[nodiscard]] iterator begin() noexcept { return {this, 0}; }
    [[nodiscard]] iterator end() noexcept { return {this, ssize()}; }
    [[nodiscard]] const_iterator begin() const noexcept { return {this, 0}; }
    [[nodiscard]] const_iterator end() const noexcept { return {this, ssize()}; }
    [[nodiscard]] const_iterator cbegin() const noexcept { return begin(); }
    [[nodiscard]] const_iterator cend() const noexcept { return end(); }
    [[nodiscard]] reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
    [[nodiscard]] reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
    [[nodiscard]] const_reverse_iterator rbegin() const noexcept {
        return const_reverse_iterator(end());
    }
    [[nodiscard]] const_reverse_iterator rend() const noexcept {
        return const_reverse_iterator(begin());
    }

    // ------------------------------------------------------------------ push

    /// Adds an element at the head (LPUSH of one element). Amortized O(1); a small list's full
    /// buffer grows by 1.5x (moving its at most `small_limit()` elements), a segmented list
    /// never moves an element (worst case O(1) plus, rarely, doubling its block map). Strong
    /// guarantee (arguments may refer to elements of this list). Invalidates iterators, and
    /// references when a small list reallocates.
    template <class... A>
    reference emplace_front(A&&... args) {
        if (segmented()) return seg_emplace(true, std::forward<A>(args)...);
        if (m_size == m_cap) return emplace_grow(true, std::forward<A>(args)...);
        const size_type at = m_head == 0 ? m_cap - 1 : m_head - 1;
        alloc_traits::construct(m_alloc, data() + at, std::forward<A>(args)...);
        m_head = at;
        ++m_size;
        return data()[at];
    }
    /// Adds an element at the tail (RPUSH of one element). Costs as `emplace_front`.
    template <class... A>
    reference emplace_back(A&&... args) {
        if (segmented()) return seg_emplace(false, std::forward<A>(args)...);
        if (m_size == m_cap) return emplace_grow(false, std::forward<A>(args)...);
        const size_type at = phys(m_size);
        alloc_traits::construct(m_alloc, data() + at, std::forward<A>(args)...);
        ++m_size;
        return data()[at];
    }
    void push_front(const T& v) { emplace_front(v); }
    void push_front(T&& v) { emplace_front(std::move(v)); }
    void push_back(const T& v) { emplace_back(v); }
    void push_back(T&& v) { emplace_back(std::move(v)); }
    /// Pushes each element of `values` at the head in turn, as LPUSH does with several
    /// arguments (so the last one ends up first). O(M) amortized for M elements; reserves once
    /// when the range is sized. Basic guarantee: if a copy throws, the elements pushed before
    /// it stay.
    template <detail::range_of<T> R>
    void push_front_range(R&& values) {
        reserve_for(values);
        for (auto&& v : values) emplace_front(std::forward<decltype(v)>(v));
    }
    /// Pushes each element of `values` at the tail in turn (RPUSH with several arguments).
    /// Costs as `push_front_range`.
    template <detail::range_of<T> R>
    void push_back_range(R&& values) {
        reserve_for(values);
        for (auto&& v : values) emplace_back(std::forward<decltype(v)>(v));
    }

    // ------------------------------------------------------------------ pop

    /// Removes and returns the head (LPOP), or nullopt if empty. O(1), plus O(N) when a small
    /// list falls to a quarter of its capacity and its buffer is halved, or a segmented one to
    /// two blocks' worth and becomes small. Strong guarantee.
    std::optional<T> pop_front() {
        if (m_size == 0) return std::nullopt;
        std::optional<T> out(std::move(front()));
        drop_front();
        maybe_shrink();
        return out;
    }
    /// Removes and returns the tail (RPOP), or nullopt if empty. Costs as `pop_front`.
    std::optional<T> pop_back() {
        if (m_size == 0) return std::nullopt;
        std::optional<T> out(std::move(back()));
        drop_back();
        maybe_shrink();
        return out;
    }
    /// Removes and returns up to `count` elements from the head, in the order popped
    /// (LPOP key count). O(M), M = the number returned; allocates the vector. Strong guarantee
    /// if T's move does not throw (basic otherwise).
    std::vector<T> pop_front(size_type count) { return pop_many(count, true); }
    /// Removes and returns up to `count` elements from the tail, tail first (RPOP key count).
    std::vector<T> pop_back(size_type count) { return pop_many(count, false); }

    // ------------------------------------------------------------------ Redis reads

    /// The positions LRANGE `start` `stop` selects, as [first, first + count) (Redis's
    /// negative-index and clamping rules). O(1).
    [[nodiscard]] detail::ListSpan resolve_range(index_type start, index_type stop) const noexcept {
        return detail::redis_range(start, stop, m_size);
    }
    /// Copies of the elements from `start` to `stop` inclusive (LRANGE): negative indexes count
    /// from the tail, out-of-range ends are clamped, and an empty range gives an empty vector.
    /// O(M), M = the number returned (Redis: O(S + M)); allocates the vector.
    [[nodiscard]] std::vector<T> range(index_type start, index_type stop) const {
        const detail::ListSpan r = resolve_range(start, stop);
        std::vector<T> out;
        out.reserve(r.count);
        for (size_type i = 0; i < r.count; ++i) out.push_back(*at(r.first + i));
        return out;
    }
    /// The element at `i` (LINDEX; negative counts from the tail), or nullptr when out of
    /// range. O(1) (Redis: O(N)). The pointer is valid until the list is next changed.
    [[nodiscard]] const T* index(index_type i) const noexcept {
        const auto pos = detail::redis_index(i, m_size);
        return pos ? at(*pos) : nullptr;
    }
    [[nodiscard]] T* index(index_type i) noexcept {
        const auto pos = detail::redis_index(i, m_size);
        return pos ? at(*pos) : nullptr;
    }
    /// The positions of elements equal to `value` (LPOS): `rank` 1 starts with the first match
    /// from the head, 2 with the second, ...; -1 with the first match from the tail, -2 with
    /// the second, ... (the positions are then in tail-to-head order). At most `count` are
    /// returned (0: all); at most `maxlen` elements are compared (0: all). Without COUNT, LPOS
    /// is `count` 1 and replies with the one position or nil. Throws `std::invalid_argument`
    /// if `rank` is 0 or LLONG_MIN (Redis replies with an error; 7.0 lets LLONG_MIN overflow).
    /// O(N) in the elements compared; allocates the vector.
    template <detail::searchable_in<T> U = T>
    [[nodiscard]] std::vector<size_type> position(const U& value, index_type rank = 1,
                                                  size_type count = 1, size_type maxlen = 0) const {
        detail::check_list_rank(rank);
        std::vector<size_type> out;
        const size_type limit = maxlen == 0 ? m_size : std::min(maxlen, m_size);
        auto skip = static_cast<unsigned long long>(rank > 0 ? rank : -rank) - 1;
        for (size_type n = 0; n < limit; ++n) {
            const size_type i = rank > 0 ? n : m_size - 1 - n;
            if (!(*at(i) == value)) continue;
            if (skip > 0) {
                --skip;
                continue;
            }
            out.push_back(i);
            if (count != 0 && out.size() == count) break;
        }
        return out;
    }

    // ------------------------------------------------------------------ Redis writes

    /// Replaces the element at `i` (LSET; negative counts from the tail). Returns false, and
    /// changes nothing, when `i` is out of range. O(1). Strong guarantee if T's move
    /// assignment does not throw.
    bool set(index_type i, T value) {
        T* p = index(i);
        if (!p) return false;
        *p = std::move(value);
        return true;
    }

    /// Inserts `value` before or after the first element (from the head) equal to `pivot`
    /// (LINSERT). Returns the new length, or -1 if no element equals `pivot` (nothing changes).
    /// O(N): the search, then moving the shorter side by one. Basic guarantee (strong if T's
    /// moves do not throw). Invalidates iterators and references.
    template <detail::searchable_in<T> U = T>
    long long insert(ListInsert where, const U& pivot, T value) {
        size_type pos = 0;
        while (pos < m_size && !(*at(pos) == pivot)) ++pos;
        if (pos == m_size) return -1;
        insert_at(where == ListInsert::before ? pos : pos + 1, std::move(value));
        return static_cast<long long>(m_size);
    }
    /// Inserts `value` at logical position `pos` (0 = head, size() = tail). Precondition:
    /// pos <= size(). O(min(pos, N - pos)) amortized. Invalidates iterators and references.
    void insert_at(size_type pos, T value) {
        if (pos == 0) {
            emplace_front(std::move(value));
            return;
        }
        if (pos == m_size) {
            emplace_back(std::move(value));
            return;
        }
        if (pos <= m_size / 2) {
            // Open a slot before the head, then shift [0, pos) one step toward the head.
            emplace_front(std::move(front()));
            for (size_type k = 1; k < pos; ++k) (*this)[k] = std::move((*this)[k + 1]);
        } else {
            // Open a slot after the tail, then shift [pos, N) one step toward the tail.
            emplace_back(std::move(back()));
            for (size_type k = m_size - 2; k > pos; --k) (*this)[k] = std::move((*this)[k - 1]);
        }
        (*this)[pos] = std::move(value);
    }

    /// Removes elements equal to `value` (LREM): the first `count` from the head if count > 0,
    /// the first |count| from the tail if count < 0, all if count == 0. Returns how many were
    /// removed. O(N). Basic guarantee (strong if T's move assignment does not throw).
    /// Invalidates iterators and references.
    template <detail::searchable_in<T> U = T>
    size_type remove(long long count, const U& value) {
        // |count| without overflow for LLONG_MIN; 0 means no limit.
        const unsigned long long limit =
            count == 0 ? ULLONG_MAX
                       : (count > 0 ? static_cast<unsigned long long>(count)
                                    : 0ULL - static_cast<unsigned long long>(count));
        size_type removed = 0;
        if (count >= 0) {
            size_type r = 0;
            while (r < m_size && !((*this)[r] == value)) ++r;
            size_type w = r;
            for (; r < m_size; ++r) {
                if (removed < limit && (*this)[r] == value) {
                    ++removed;
                    continue;
                }
                if (w != r) (*this)[w] = std::move((*this)[r]);
                ++w;
            }
            destroy_back(removed);
        } else {
            // Mirror image: compact toward the tail, then drop the vacated head positions.
            size_type r = m_size;
            while (r > 0 && !((*this)[r - 1] == value)) --r;
            size_type w = r;  // one past the next slot to fill
            for (; r > 0; --r) {
                if (removed < limit && (*this)[r - 1] == value) {
                    ++removed;
                    continue;
                }
                if (w != r) (*this)[w - 1] = std::move((*this)[r - 1]);
                --w;
            }
            destroy_front(removed);
        }
        if (removed) maybe_shrink();
        return removed;
    }

    /// Keeps only the elements from `start` to `stop` inclusive (LTRIM, the LRANGE rules);
    /// a range that selects nothing empties the list. Returns how many were removed. O(M),
    /// M = the number removed (plus O(N) if the buffer is then halved). Never throws.
    /// Invalidates iterators and references to the removed elements.
    size_type trim(index_type start, index_type stop) noexcept {
        const detail::ListSpan keep = resolve_range(start, stop);
        const size_type before = m_size;
        destroy_back(m_size - keep.first - keep.count);
        destroy_front(keep.first);
        if (m_size != before) maybe_shrink();
        return before - m_size;
    }

    /// True if the invariants hold (see the class comment). O(1) for a small list, O(N / B)
    /// for a segmented one (B = block_elements()).
    [[nodiscard]] bool check_invariants() const noexcept {
        if (m_size > capacity()) return false;
        if (!segmented()) {
            if ((m_cap == 0) != (m_store == nullptr)) return false;
            if (m_cap == 0 ? m_head != 0 : m_head >= m_cap) return false;
            return m_cap <= small_limit();
        }
        const size_type slots = map_slots();
        if (slots < min_map_slots || !std::has_single_bit(slots) || slots << shift != m_cap)
            return false;
        if (m_head >= m_cap) return false;
        const size_type used = blocks_used(), first = m_head >> shift;
        for (size_type k = 0; k < slots; ++k)
            if ((((k - first) & (slots - 1)) < used) != (map()[k] != nullptr)) return false;
        return true;
    }

    /// Element-wise equality. O(N).
    friend bool operator==(const List& a, const List& b) requires detail::list_comparable<T, T> {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    /// A random-access iterator: the list and a logical position.
    template <bool Const>
    class Iter {
        using list_ptr = std::conditional_t<Const, const List*, List*>;

    public:
        using iterator_concept = std::random_access_iterator_tag;
        using iterator_category = std::random_access_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = std::conditional_t<Const, const T*, T*>;
        using reference = std::conditional_t<Const, const T&, T&>;

        Iter() = default;
        Iter(list_ptr list, difference_type i) noexcept : m_list(list), m_i(i) {}
        /// iterator -> const_iterator (a template, so never a copy constructor).
        template <bool C = Const, class = std::enable_if_t<C>>
        Iter(const Iter<false>& other) noexcept  // NOLINT: implicit by design
            : m_list(other.m_list), m_i(other.m_i) {}

        reference operator*() const noexcept { return (*m_list)[static_cast<size_type>(m_i)]; }
        pointer operator->() const noexcept { return &**this; }
        reference operator[](difference_type n) const noexcept { return *(*this + n); }

        Iter& operator++() noexcept {
            ++m_i;
            return *this;
        }
        Iter operator++(int) noexcept {
            Iter t = *this;
            ++m_i;
            return t;
        }
        Iter& operator--() noexcept {
            --m_i;
            return *this;
        }
        Iter operator--(int) noexcept {
            Iter t = *this;
            --m_i;
            return t;
        }
        Iter& operator+=(difference_type n) noexcept {
            m_i += n;
            return *this;
        }
        Iter& operator-=(difference_type n) noexcept {
            m_i -= n;
            return *this;
        }
        friend Iter operator+(Iter it, difference_type n) noexcept { return it += n; }
        friend Iter operator+(difference_type n, Iter it) noexcept { return it += n; }
        friend Iter operator-(Iter it, difference_type n) noexcept { return it -= n; }
        friend difference_type operator-(const Iter& a, const Iter& b) noexcept {
            return a.m_i - b.m_i;
        }
        friend bool operator==(const Iter& a, const Iter& b) noexcept { return a.m_i == b.m_i; }
        friend auto operator<=>(const Iter& a, const Iter& b) noexcept { return a.m_i <=> b.m_i; }

    private:
        friend class Iter<true>;
        list_ptr m_list = nullptr;
        difference_type m_i = 0;
    };

    [[nodiscard]] difference_type ssize() const noexcept {
        return static_cast<difference_type>(m_size);
    }

    // Storage. Small (m_cap <= small_limit()): `data()` is a ring buffer of `m_cap` slots, the
    // head at slot `m_head`. Segmented: `map()` is a ring of `m_cap / B` block pointers
    // (B = block_elements(), both powers of two), the elements at virtual slots m_head,
    // m_head + 1, ... modulo m_cap, slot v in block map()[v / B] at v % B; a map slot holds a
    // block exactly when an element lives in it. One more pointer after the ring, `spare()`,
    // keeps an emptied block (or null), so a list that pushes and pops across a block's edge
    // does not allocate each time.
    static constexpr unsigned shift = static_cast<unsigned>(std::countr_zero(block_elements()));
    static constexpr size_type block_mask = block_elements() - 1;
    static constexpr size_type min_map_slots = 8;
    /// Destroying an element does nothing (T is trivially destructible and the allocator does
    /// not customise `destroy`), so removals need not visit the elements.
    static constexpr bool trivial_destroy =
        std::is_trivially_destructible_v<T> &&
        !requires(Allocator& a, T* p) { a.destroy(p); };

    /// Calls `f(p, n)` for the elements in order, as runs of `n` contiguous elements from `p`
    /// (a small list: at most two runs; a segmented one: one per block).
    template <class F>
    void for_each_run(F&& f) const {
        if (m_size == 0) return;
        if (!segmented()) {
            const size_type first = std::min(m_size, m_cap - m_head);
            f(data() + m_head, first);
            if (first < m_size) f(data(), m_size - first);
            return;
        }
        for (size_type v = m_head, left = m_size; left != 0;) {
            const size_type off = v & block_mask, n = std::min(left, block_elements() - off);
            f(map()[v >> shift] + off, n);
            v = (v + n) & (m_cap - 1);
            left -= n;
        }
    }

    [[nodiscard]] T* data() const noexcept { return static_cast<T*>(m_store); }
    [[nodiscard]] T** map() const noexcept { return static_cast<T**>(m_store); }
    [[nodiscard]] T*& spare() const noexcept { return map()[map_slots()]; }

    /// The element at logical position `i`. Precondition: i < capacity() (small), i < size()
    /// (segmented).
    [[nodiscard]] T* at(size_type i) const noexcept {
        if (!segmented()) return data() + phys(i);
        const size_type v = (m_head + i) & (m_cap - 1);
        return map()[v >> shift] + (v & block_mask);
    }
    /// Buffer slot of logical position `i` of a small list. Precondition: i < capacity().
    [[nodiscard]] size_type phys(size_type i) const noexcept {
        const size_type p = m_head + i;
        return p >= m_cap ? p - m_cap : p;
    }
    /// The capacity a small list's full buffer grows to: 1, 2, 4, then 1.5x, at most
    /// small_limit().
    [[nodiscard]] size_type grown_capacity() const noexcept {
        if (m_cap == 0) return 1;
        if (m_cap < 4) return m_cap * 2;
        return std::min(m_cap + m_cap / 2, small_limit());
    }
    [[nodiscard]] size_type checked_capacity(size_type n) const {
        if (n > max_size()) throw std::length_error("cachet::List: too many elements");
        return n;
    }
    template <class R>
    void reserve_for(R& values) {
        if constexpr (std::ranges::sized_range<R>) {
            const auto n = static_cast<size_type>(std::ranges::size(values));
            if (n > max_size() - m_size) throw std::length_error("cachet::List: too many elements");
            const size_type want = m_size + n;
            if (segmented()) reserve(want);
            else if (want > m_cap)
                want <= small_limit() ? relocate(std::max(want, grown_capacity())) : segment(want);
        }
    }

    // -- segmented storage

    [[nodiscard]] size_type map_slots() const noexcept { return m_cap >> shift; }
    /// Map slots for `n` elements: their blocks, one more for the offset of the head in its
    /// block, rounded up to a power of two (at least 8).
    [[nodiscard]] static size_type map_slots_for(size_type n) noexcept {
        return std::max(min_map_slots, std::bit_ceil(((n + block_mask) >> shift) + 1));
    }
    /// Blocks that hold elements.
    [[nodiscard]] size_type blocks_used() const noexcept {
        return m_size == 0 ? 0 : ((m_head & block_mask) + m_size + block_mask) >> shift;
    }
    /// A block for a push: the spare one, or a new one. May throw (nothing changed).
    [[nodiscard]] T* take_block() {
        if (T* s = std::exchange(spare(), nullptr)) return s;
        return alloc_traits::allocate(m_alloc, block_elements());
    }
    /// Keeps `b` (now empty) as the spare block, or frees it if there is one.
    void give_block(T* b) noexcept {
        if (T*& s = spare(); !s) s = b;
        else alloc_traits::deallocate(m_alloc, b, block_elements());
    }
    /// Re-lays the block map into `slots` slots (>= blocks_used()), the head's block first.
    /// The elements do not move. May throw (nothing changed).
    void grow_map(size_type slots) {
        map_allocator ma(m_alloc);
        T** fresh = map_traits::allocate(ma, slots + 1);
        const size_type used = blocks_used(), old = map_slots(), first = m_head >> shift;
        for (size_type k = 0; k < used; ++k) fresh[k] = map()[(first + k) & (old - 1)];
        std::fill(fresh + used, fresh + slots, nullptr);
        fresh[slots] = spare();
        map_traits::deallocate(ma, map(), old + 1);
        m_store = fresh;
        m_cap = slots << shift;
        m_head &= block_mask;
    }
    /// Makes a small list segmented, with a map for `need` (>= size()) elements; the elements
    /// move into blocks. Strong guarantee (moves if that cannot throw, copies otherwise).
    void segment(size_type need) {
        const size_type slots = map_slots_for(need), blocks = (m_size + block_mask) >> shift;
        map_allocator ma(m_alloc);
        T** ring = map_traits::allocate(ma, slots + 1);
        std::fill(ring, ring + slots + 1, nullptr);
        size_type done = 0;
        try {
            for (size_type b = 0; b < blocks; ++b)
                ring[b] = alloc_traits::allocate(m_alloc, block_elements());
            for_each_run([&](T* p, size_type n) {
                for (size_type i = 0; i < n; ++i, ++done)
                    alloc_traits::construct(m_alloc, ring[done >> shift] + (done & block_mask),
                                            std::move_if_noexcept(p[i]));
            });
        } catch (...) {
            for (size_type i = 0; i < done; ++i)
                alloc_traits::destroy(m_alloc, ring[i >> shift] + (i & block_mask));
            for (size_type b = 0; b < blocks; ++b)
                if (ring[b]) alloc_traits::deallocate(m_alloc, ring[b], block_elements());
            map_traits::deallocate(ma, ring, slots + 1);
            throw;
        }
        const size_type n = m_size;
        destroy_and_deallocate();
        m_store = ring;
        m_cap = slots << shift;
        m_size = n;
    }
    /// A push onto a segmented list: into the edge block, or a new block at the edge (growing
    /// the map first if every slot is taken). Strong guarantee.
    template <class... A>
    reference seg_emplace(bool at_front, A&&... args) {
        const bool new_block =
            m_size == 0 || ((at_front ? m_head : m_head + m_size) & block_mask) == 0;
        if (new_block && blocks_used() == map_slots()) grow_map(map_slots() * 2);
        const size_type v = (at_front ? m_head + m_cap - 1 : m_head + m_size) & (m_cap - 1);
        T*& slot = map()[v >> shift];
        T* block = new_block ? take_block() : slot;
        T* p = block + (v & block_mask);
        try {
            alloc_traits::construct(m_alloc, p, std::forward<A>(args)...);
        } catch (...) {
            if (new_block) give_block(block);
            throw;
        }
        if (new_block) slot = block;
        if (at_front) m_head = v;
        ++m_size;
        return *p;
    }

    // -- small storage

    /// Moves the elements into a new small buffer of `new_cap` (>= size(), <= small_limit())
    /// slots, head at 0 (a segmented list becomes small). Strong guarantee (moves if that
    /// cannot throw, copies otherwise).
    void relocate(size_type new_cap) {
        T* fresh = new_cap ? alloc_traits::allocate(m_alloc, new_cap) : nullptr;
        size_type done = 0;
        try {
            for_each_run([&](T* p, size_type n) {
                for (size_type i = 0; i < n; ++i, ++done)
                    alloc_traits::construct(m_alloc, fresh + done, std::move_if_noexcept(p[i]));
            });
        } catch (...) {
            for (size_type i = 0; i < done; ++i) alloc_traits::destroy(m_alloc, fresh + i);
            if (fresh) alloc_traits::deallocate(m_alloc, fresh, new_cap);
            throw;
        }
        const size_type n = m_size;
        destroy_and_deallocate();
        m_store = fresh;
        m_cap = new_cap;
        m_size = n;
    }

    /// Push into a small list's full buffer: the new element is built in the new buffer first
    /// (so `args` may refer to an element of this list), then the others are moved over. A
    /// full buffer of small_limit() elements makes the list segmented instead.
    template <class... A>
    CACHET_NOINLINE reference emplace_grow(bool at_front, A&&... args) {
        if (m_cap == small_limit()) {
            T value(std::forward<A>(args)...);  // before the elements `args` may name move
            segment(m_size + 1);
            return seg_emplace(at_front, std::move(value));
        }
        const size_type new_cap = checked_capacity(grown_capacity());
        T* fresh = alloc_traits::allocate(m_alloc, new_cap);
        const size_type slot = at_front ? 0 : m_size;
        const size_type offset = at_front ? 1 : 0;
        try {
            alloc_traits::construct(m_alloc, fresh + slot, std::forward<A>(args)...);
        } catch (...) {
            alloc_traits::deallocate(m_alloc, fresh, new_cap);
            throw;
        }
        size_type done = 0;
        try {
            for_each_run([&](T* p, size_type n) {
                for (size_type i = 0; i < n; ++i, ++done)
                    alloc_traits::construct(m_alloc, fresh + offset + done,
                                            std::move_if_noexcept(p[i]));
            });
        } catch (...) {
            for (size_type i = 0; i < done; ++i) alloc_traits::destroy(m_alloc, fresh + offset + i);
            alloc_traits::destroy(m_alloc, fresh + slot);
            alloc_traits::deallocate(m_alloc, fresh, new_cap);
            throw;
        }
        const size_type n = m_size;
        destroy_and_deallocate();
        m_store = fresh;
        m_cap = new_cap;
        m_size = n + 1;
        return data()[slot];
    }

    // -- removal

    std::vector<T> pop_many(size_type count, bool from_front) {
        const size_type n = std::min(count, m_size);
        std::vector<T> out;
        out.reserve(n);
        for (size_type i = 0; i < n; ++i) {
            if (from_front) {
                out.push_back(std::move(front()));
                drop_front();
            } else {
                out.push_back(std::move(back()));
                drop_back();
            }
        }
        if (n) maybe_shrink();
        return out;
    }

    /// Destroys the head element (a segmented list gives up its block once empty).
    /// Precondition: !empty().
    void drop_front() noexcept {
        if (!segmented()) {
            alloc_traits::destroy(m_alloc, data() + m_head);
            m_head = m_head + 1 == m_cap ? 0 : m_head + 1;
        } else {
            T*& slot = map()[m_head >> shift];
            alloc_traits::destroy(m_alloc, slot + (m_head & block_mask));
            if (m_size == 1 || (m_head & block_mask) == block_mask) give_block(std::exchange(slot, nullptr));
            m_head = (m_head + 1) & (m_cap - 1);
        }
        if (--m_size == 0) m_head = 0;
    }
    /// Destroys the tail element. Precondition: !empty().
    void drop_back() noexcept {
        if (!segmented()) {
            alloc_traits::destroy(m_alloc, data() + phys(m_size - 1));
        } else {
            const size_type v = (m_head + m_size - 1) & (m_cap - 1);
            T*& slot = map()[v >> shift];
            alloc_traits::destroy(m_alloc, slot + (v & block_mask));
            if (m_size == 1 || (v & block_mask) == 0) give_block(std::exchange(slot, nullptr));
        }
        if (--m_size == 0) m_head = 0;
    }
    /// Destroys the first `n` elements. Precondition: n <= size().
    void destroy_front(size_type n) noexcept {
        if (trivial_destroy && !segmented()) {
            m_size -= n;
            m_head = m_size == 0 ? 0 : phys(n);
            return;
        }
        for (size_type i = 0; i < n; ++i) drop_front();
    }
    /// Destroys the last `n` elements. Precondition: n <= size().
    void destroy_back(size_type n) noexcept {
        if (trivial_destroy && !segmented()) {
            m_size -= n;
            if (m_size == 0) m_head = 0;
            return;
        }
        for (size_type i = 0; i < n; ++i) drop_back();
    }

    /// Halves a small list's buffer once the list is down to a quarter of it (frees it when
    /// empty), and makes a segmented list small again once it is down to two blocks' worth,
    /// so memory follows the size without reallocating on every pop. Best effort: if the new
    /// buffer cannot be had, the old storage stays.
    void maybe_shrink() noexcept {
        if (segmented() ? CACHET_UNLIKELY(m_size <= 2 * block_elements())
                  : CACHET_UNLIKELY(m_cap > 16 && m_size <= m_cap / 4))
            shrink();
    }
    CACHET_NOINLINE void shrink() noexcept {
        const size_type target = m_size == 0 ? 0 : std::max<size_type>(m_size * 2, 8);
        try {
            relocate(target);
        } catch (...) {  // keeping the larger storage is always correct
        }
    }

    void destroy_and_deallocate() noexcept {
        if (!trivial_destroy)
            for_each_run([&](T* p, size_type n) {
                for (size_type i = 0; i < n; ++i) alloc_traits::destroy(m_alloc, p + i);
            });
        if (segmented()) {
            for (size_type k = 0, slots = map_slots(); k <= slots; ++k)  // the blocks, the spare
                if (T* b = map()[k]) alloc_traits::deallocate(m_alloc, b, block_elements());
            map_allocator ma(m_alloc);
            map_traits::deallocate(ma, map(), map_slots() + 1);
        } else if (m_store) {
            alloc_traits::deallocate(m_alloc, data(), m_cap);
        }
        m_store = nullptr;
        m_cap = 0;
        m_head = 0;
        m_size = 0;
    }
    /// Takes `other`'s storage. Precondition: this list owns none; the allocators are equal.
    void steal(List& other) noexcept {
        m_store = std::exchange(other.m_store, nullptr);
        m_cap = std::exchange(other.m_cap, 0);
        m_head = std::exchange(other.m_head, 0);
        m_size = std::exchange(other.m_size, 0);
    }

    /// Small: the ring buffer (`T*`, null iff m_cap == 0); segmented: the block map (`T**`: the
    /// ring's slots, then the spare block).
    void* m_store = nullptr;
    size_type m_cap = 0;   ///< small: slots in the buffer; segmented: map slots x block_elements()
    size_type m_head = 0;  ///< slot of the head element; < m_cap (0 when empty)
    size_type m_size = 0;  ///< live elements, at slots m_head, m_head + 1, ... modulo m_cap
    [[no_unique_address]] Allocator m_alloc;
};

/// Options of a ListStore (see `StoreOptions`).
template <class K, class T>
using ListOptions = StoreOptions<K, List<T>>;

/// One `List` per key on the keyspace core: Redis's list commands as typed, thread-safe C++,
/// with blocking pops. `Backend` provides `read`, `write`, `write_many`, `waiters()` and
/// `core()` like `detail::OwnedBackend` (the RESP Database supplies one whose keys may hold
/// other types: then `ref.get()` throws its wrong-type error and the operation changes
/// nothing, as Redis's WRONGTYPE does).
///
/// Every operation is one backend write or read under its key's shard lock (several keys:
/// all their shard locks, taken in order), so each is atomic. A push to an absent key creates
/// it with the store's default TTL (none unless configured); an existing key keeps its TTL
/// through every change; a change that leaves the list empty deletes the key (reported as
/// `erased`). Each change is named for the write listener as Redis names its keyspace event
/// (`lpush`, `rpush`, `lpop`, `rpop`, `linsert`, `lset`, `lrem`, `ltrim`; LMOVE reports the
/// pop on the source and the push on the destination). A change that empties a list is
/// announced, then the key's removal (`erased`, Redis's `del`). Where the core reports less
/// than Redis: an LMOVE onto its own key reports only the push; elements a blocked consumer
/// takes inside a producer's write are reported only as the producer's push.
///
/// Blocked consumers (`*_wait`) are served inside the write of the producer that gave their
/// keys elements, first blocked first served per key, after the producer's own result was
/// computed (LPUSH returns the length before a blocked BLPOP takes its element, as in Redis).
///
/// Costs below: N = the list's length; every call also pays O(1) expected for the key lookup
/// plus at most `expire_budget` timers of active expiry, and takes one shard lock. Elements
/// are returned by value (copies or moved-out pops); nothing refers into the store after a
/// call returns. Thread-safety: every member function is thread-safe.
template <class Backend>
class BasicListStore : public detail::KeyedStore<Backend> {
    using Base = detail::KeyedStore<Backend>;

public:
    using typename Base::container_type;
    using typename Base::key_type;
    using typename Base::size_type;
    using list_type = container_type;
    using value_type = typename list_type::value_type;
    using index_type = long long;

    using Base::Base;

private:
    using K = key_type;
    using T = value_type;
    using Base::m_backend;

public:
    // ------------------------------------------------------------------ push

    /// Pushes `value` at the head of `key`'s list, creating it if absent (LPUSH). Returns the
    /// new length. O(1) amortized (see List). Strong guarantee.
    size_type push_front(const K& key, T value) {
        return push_one(key, ListEnd::front, std::move(value), false);
    }
    /// Pushes `value` at the tail (RPUSH). As `push_front`.
    size_type push_back(const K& key, T value) {
        return push_one(key, ListEnd::back, std::move(value), false);
    }
    /// Pushes each of `values` at the head in turn (LPUSH k v1 v2 ...: v2 ends up first).
    /// Returns the new length. O(M) amortized for M values. Basic guarantee (if a copy throws,
    /// the values pushed before it stay).
    size_type push_front(const K& key, std::initializer_list<T> values) {
        return push_many(key, ListEnd::front, values, false);
    }
    size_type push_back(const K& key, std::initializer_list<T> values) {
        return push_many(key, ListEnd::back, values, false);
    }
    /// As the initializer-list overloads, for any input range of values convertible to T.
    template <detail::range_of<T> R>
    size_type push_front_range(const K& key, R&& values) {
        return push_many(key, ListEnd::front, values, false);
    }
    template <detail::range_of<T> R>
    size_type push_back_range(const K& key, R&& values) {
        return push_many(key, ListEnd::back, values, false);
    }
    /// Pushes only if `key` already holds a list (LPUSHX / RPUSHX). Returns the new length, or
    /// 0 (nothing pushed) if the key is absent. Costs as the pushes.
    size_type push_front_if_exists(const K& key, T value) {
        return push_one(key, ListEnd::front, std::move(value), true);
    }
    size_type push_back_if_exists(const K& key, T value) {
        return push_one(key, ListEnd::back, std::move(value), true);
    }
    template <detail::range_of<T> R>
    size_type push_front_range_if_exists(const K& key, R&& values) {
        return push_many(key, ListEnd::front, values, true);
    }
    template <detail::range_of<T> R>
    size_type push_back_range_if_exists(const K& key, R&& values) {
        return push_many(key, ListEnd::back, values, true);
    }

    // ------------------------------------------------------------------ pop

    /// Removes and returns the head of `key`'s list (LPOP), or nullopt if the key is absent.
    /// Deletes the key when the list becomes empty. O(1). Strong guarantee.
    std::optional<T> pop_front(const K& key) { return pop_one(key, ListEnd::front); }
    /// Removes and returns the tail (RPOP). As `pop_front`.
    std::optional<T> pop_back(const K& key) { return pop_one(key, ListEnd::back); }
    /// Removes and returns up to `count` elements from the head, in the order popped
    /// (LPOP key count); nullopt if the key is absent (Redis's nil), an empty vector for
    /// count 0 on an existing key. O(M), M = the number returned.
    std::optional<std::vector<T>> pop_front(const K& key, size_type count) {
        return pop_count(key, ListEnd::front, count);
    }
    /// Removes and returns up to `count` elements from the tail, tail first (RPOP key count).
    std::optional<std::vector<T>> pop_back(const K& key, size_type count) {
        return pop_count(key, ListEnd::back, count);
    }
    /// Pops up to `count` elements from `end` of the first of `keys` that holds a list
    /// (LMPOP), checking the keys in order under all their shard locks at once. Returns that
    /// key and the elements, or nullopt if every key is absent. Throws `std::invalid_argument`
    /// if `count` is 0 or `keys` is empty (Redis's syntax errors). O(k log k + M) for k keys.
    std::optional<std::pair<K, std::vector<T>>> pop(std::span<const K> keys, ListEnd end,
                                                    size_type count = 1) {
        check_keys(keys, count);
        return this->with_refs(keys, [&](auto& refs) -> std::optional<std::pair<K, std::vector<T>>> {
            for (std::size_t i = 0; i < keys.size(); ++i) {
                if (!refs[i].peek()) continue;
                list_type& l = *refs[i].get();
                std::vector<T> got = end == ListEnd::front ? l.pop_front(count) : l.pop_back(count);
                refs[i].event(pop_event(end));
                return std::pair<K, std::vector<T>>(keys[i], std::move(got));
            }
            return std::nullopt;
        });
    }
    std::optional<std::pair<K, std::vector<T>>> pop(std::initializer_list<K> keys, ListEnd end,
                                                    size_type count = 1) {
        return pop(std::span<const K>(keys.begin(), keys.size()), end, count);
    }

    // ------------------------------------------------------------------ reads

    /// Length of `key`'s list, 0 if absent (LLEN). O(1).
    [[nodiscard]] size_type length(const K& key) {
        return m_backend.read(key,
                              [](const list_type* l) -> size_type { return l ? l->size() : 0; });
    }
    /// Copies of the elements from `start` to `stop` inclusive (LRANGE; negative indexes count
    /// from the tail; out-of-range ends clamped; empty if the key is absent). O(M), M = the
    /// number returned.
    [[nodiscard]] std::vector<T> range(const K& key, index_type start, index_type stop) {
        return m_backend.read(
            key, [&](const list_type* l) { return l ? l->range(start, stop) : std::vector<T>{}; });
    }
    /// A copy of the element at `i` (LINDEX; negative counts from the tail), or nullopt if the
    /// key is absent or `i` is out of range. O(1).
    [[nodiscard]] std::optional<T> index(const K& key, index_type i) {
        return m_backend.read(key, [&](const list_type* l) -> std::optional<T> {
            if (!l) return std::nullopt;
            if (const T* p = l->index(i)) return *p;
            return std::nullopt;
        });
    }
    /// The positions of elements equal to `value` (LPOS; see `List::position` for `rank`,
    /// `count` and `maxlen`); empty if the key is absent. Throws `std::invalid_argument` for
    /// rank 0. O(N) in the elements compared.
    template <detail::searchable_in<T> U = T>
    [[nodiscard]] std::vector<size_type> position(const K& key, const U& value, index_type rank = 1,
                                                  size_type count = 1, size_type maxlen = 0) {
        detail::check_list_rank(rank);
        return m_backend.read(key, [&](const list_type* l) {
            return l ? l->position(value, rank, count, maxlen) : std::vector<size_type>{};
        });
    }
    /// Calls `f(const List&)` on `key`'s list under its shard lock, without copying; returns
    /// false if the key is absent. `f` must not call into this store. O(1) plus `f`.
    template <class F>
    bool visit(const K& key, F&& f) {
        return m_backend.read(key, [&](const list_type* l) {
            if (!l) return false;
            f(*l);
            return true;
        });
    }

    // ------------------------------------------------------------------ in-place changes

    /// Replaces the element at `i` (LSET; negative counts from the tail). Returns `ok`, or
    /// `no_such_key` / `out_of_range` (Redis's errors) and changes nothing. O(1).
    ListSetStatus set(const K& key, index_type i, T value) {
        return m_backend.write(key, [&](auto& ref) {
            const list_type* seen = ref.peek();
            if (!seen) return ListSetStatus::no_such_key;
            if (!seen->index(i)) return ListSetStatus::out_of_range;
            ref.get()->set(i, std::move(value));
            ref.event("lset");
            return ListSetStatus::ok;
        });
    }
    /// Inserts `value` before or after the first element equal to `pivot` (LINSERT). Returns
    /// the new length, -1 if no element equals `pivot`, 0 if the key is absent. O(N).
    template <detail::searchable_in<T> U = T>
    long long insert(const K& key, ListInsert where, const U& pivot, T value) {
        return m_backend.write(key, [&](auto& ref) -> long long {
            const list_type* seen = ref.peek();
            if (!seen) return 0;
            const auto at = static_cast<size_type>(std::find(seen->begin(), seen->end(), pivot) -
                                                   seen->begin());
            if (at == seen->size()) return -1;  // no pivot: not a change
            list_type& l = *ref.get();
            l.insert_at(where == ListInsert::before ? at : at + 1, std::move(value));
            ref.event("linsert");
            return static_cast<long long>(l.size());
        });
    }
    /// Removes elements equal to `value`: the first `count` from the head (count > 0), the
    /// first |count| from the tail (count < 0), or all (count 0) (LREM). Returns how many were
    /// removed (0 if the key is absent); deletes the key if the list becomes empty. O(N).
    template <detail::searchable_in<T> U = T>
    size_type remove(const K& key, long long count, const U& value) {
        return m_backend.write(key, [&](auto& ref) -> size_type {
            const list_type* seen = ref.peek();
            if (!seen || std::find(seen->begin(), seen->end(), value) == seen->end()) return 0;
            const size_type n = ref.get()->remove(count, value);
            ref.event("lrem");
            return n;
        });
    }
    /// Keeps only the elements from `start` to `stop` inclusive (LTRIM, LRANGE's index rules);
    /// deletes the key if nothing is kept. Returns how many elements were removed (Redis
    /// replies OK). O(M), M = the number removed.
    size_type trim(const K& key, index_type start, index_type stop) {
        return m_backend.write(key, [&](auto& ref) -> size_type {
            if (!ref.peek()) return 0;
            const size_type n = ref.get()->trim(start, stop);
            ref.event("ltrim");  // Redis reports LTRIM even when it removed nothing
            return n;
        });
    }

    /// Pops an element from `from` of `src`'s list and pushes it at `to` of `dst`'s list
    /// (LMOVE; RPOPLPUSH is `move(src, dst, back, front)`), atomically under both shard locks.
    /// `src` and `dst` may be the same key: the list rotates. Returns the element moved, or
    /// nullopt (nothing changes) if `src` is absent. `dst` is created if absent (default TTL)
    /// and keeps its TTL otherwise; `src` is deleted if it becomes empty. O(1) plus one copy
    /// of the element (the one returned).
    std::optional<T> move(const K& src, const K& dst, ListEnd from,
                          ListEnd to) requires std::copy_constructible<T> {
        // Destination first: write_many announces events in key order, and Redis sends the
        // destination's push before the source's pop (and its "del").
        const K keys[2] = {dst, src};
        return m_backend.write_many(std::span<const K>(keys), [&](auto& refs) {
            return move_locked(refs[1], refs[0], from, to);
        });
    }

    // ------------------------------------------------------------------ blocking pops

    /// Pops the head of the first of `keys` that holds a list (BLPOP), or, if none does,
    /// blocks until a push gives one of them elements, `timeout` passes (zero: no limit, as
    /// BLPOP 0), or `stop` is requested. Returns the key and the element, or nullopt on
    /// timeout or cancellation. Consumers blocked on a key are served in the order they
    /// blocked; each element goes to exactly one of them. Throws `std::invalid_argument` for a
    /// negative timeout or no keys. O(k log k) for k keys to check and register; the wait
    /// itself is a condition variable (timed against std::chrono::steady_clock, not the
    /// store's clock).
    template <class Rep, class Period>
    std::optional<std::pair<K, T>> pop_front_wait(std::span<const K> keys,
                                                  std::chrono::duration<Rep, Period> timeout,
                                                  std::stop_token stop = {}) {
        return pop_one_wait(keys, ListEnd::front, timeout, std::move(stop));
    }
    template <class Rep, class Period>
    std::optional<std::pair<K, T>> pop_front_wait(std::initializer_list<K> keys,
                                                  std::chrono::duration<Rep, Period> timeout,
                                                  std::stop_token stop = {}) {
        return pop_one_wait(std::span<const K>(keys.begin(), keys.size()), ListEnd::front, timeout,
                            std::move(stop));
    }
    template <class Rep, class Period>
    std::optional<std::pair<K, T>> pop_front_wait(const K& key,
                                                  std::chrono::duration<Rep, Period> timeout,
                                                  std::stop_token stop = {}) {
        return pop_one_wait(std::span<const K>(&key, 1), ListEnd::front, timeout, std::move(stop));
    }
    /// As `pop_front_wait`, popping the tail (BRPOP).
    template <class Rep, class Period>
    std::optional<std::pair<K, T>> pop_back_wait(std::span<const K> keys,
                                                 std::chrono::duration<Rep, Period> timeout,
                                                 std::stop_token stop = {}) {
        return pop_one_wait(keys, ListEnd::back, timeout, std::move(stop));
    }
    template <class Rep, class Period>
    std::optional<std::pair<K, T>> pop_back_wait(std::initializer_list<K> keys,
                                                 std::chrono::duration<Rep, Period> timeout,
                                                 std::stop_token stop = {}) {
        return pop_one_wait(std::span<const K>(keys.begin(), keys.size()), ListEnd::back, timeout,
                            std::move(stop));
    }
    template <class Rep, class Period>
    std::optional<std::pair<K, T>> pop_back_wait(const K& key,
                                                 std::chrono::duration<Rep, Period> timeout,
                                                 std::stop_token stop = {}) {
        return pop_one_wait(std::span<const K>(&key, 1), ListEnd::back, timeout, std::move(stop));
    }

    /// Pops up to `count` elements from `end` of the first of `keys` that holds a list
    /// (BLMPOP), blocking as `pop_front_wait` does if none does. Returns the key and the
    /// elements (at least one), or nullopt on timeout or cancellation. Throws
    /// `std::invalid_argument` for count 0, no keys or a negative timeout.
    template <class Rep, class Period>
    std::optional<std::pair<K, std::vector<T>>> pop_wait(std::span<const K> keys, ListEnd end,
                                                         size_type count,
                                                         std::chrono::duration<Rep, Period> timeout,
                                                         std::stop_token stop = {}) {
        check_keys(keys, count);
        const auto deadline = deadline_after(timeout);
        std::optional<PopWaiter> w;
        std::optional<std::pair<K, std::vector<T>>> now;
        const bool got = block(
            w, keys, deadline, std::move(stop),
            [&](auto& refs) {
                for (std::size_t i = 0; i < keys.size(); ++i) {
                    if (!refs[i].peek()) continue;
                    list_type& l = *refs[i].get();
                    now.emplace(keys[i],
                                end == ListEnd::front ? l.pop_front(count) : l.pop_back(count));
                    refs[i].event(pop_event(end));
                    return true;
                }
                return false;
            },
            [&] { w.emplace(keys, end, count); });
        if (!got) return std::nullopt;
        if (now) return now;
        if (w->m_error) std::rethrow_exception(w->m_error);
        return std::pair<K, std::vector<T>>(keys[w->m_key_index], std::move(w->m_many));
    }
    template <class Rep, class Period>
    std::optional<std::pair<K, std::vector<T>>> pop_wait(std::initializer_list<K> keys, ListEnd end,
                                                         size_type count,
                                                         std::chrono::duration<Rep, Period> timeout,
                                                         std::stop_token stop = {}) {
        return pop_wait(std::span<const K>(keys.begin(), keys.size()), end, count, timeout,
                        std::move(stop));
    }

    /// LMOVE that blocks while `src` is absent (BLMOVE): returns the element moved, or nullopt
    /// on timeout or cancellation. When `src` already holds a list the move is atomic, as
    /// `move`. When a push to `src` serves this waiter, the element is popped from `src` in
    /// that push's write and pushed into `dst` just after, by the producer's thread once it
    /// released its locks: in between, the element is in neither list. If that push fails
    /// (a Database `dst` that now holds another type), the element is pushed back where it
    /// came from and the error is rethrown here. Throws `std::invalid_argument` for a
    /// negative timeout.
    template <class Rep, class Period>
    std::optional<T> move_wait(const K& src, const K& dst, ListEnd from, ListEnd to,
                               std::chrono::duration<Rep, Period> timeout,
                               std::stop_token stop = {}) requires std::copy_constructible<T> {
        const auto deadline = deadline_after(timeout);
        std::optional<MoveWaiter> w;
        const K keys[2] = {src, dst};
        std::optional<T> now;
        const bool got = block(
            w, std::span<const K>(keys, 1), deadline, std::move(stop),
            [&](auto& refs) {
                now = move_locked(refs[0], refs[1], from, to);
                return now.has_value();
            },
            [&] { w.emplace(*this, src, dst, from, to); }, std::span<const K>(keys, 2));
        if (!got) return std::nullopt;
        if (now) return now;
        if (w->m_error) std::rethrow_exception(w->m_error);
        return std::move(w->m_item);
    }

private:
    // ------------------------------------------------------------------ helpers

    static constexpr const char* push_event(ListEnd e) noexcept {
        return e == ListEnd::front ? "lpush" : "rpush";
    }
    static constexpr const char* pop_event(ListEnd e) noexcept {
        return e == ListEnd::front ? "lpop" : "rpop";
    }
    static T pop_end(list_type& l, ListEnd e) {
        return e == ListEnd::front ? *l.pop_front() : *l.pop_back();
    }
    static void check_keys(std::span<const K> keys, size_type count) {
        if (keys.empty()) throw std::invalid_argument("cachet::ListStore: no keys given");
        if (count == 0) throw std::invalid_argument("cachet::ListStore: count must be positive");
    }

    size_type push_one(const K& key, ListEnd end, T&& value, bool only_if_exists) {
        return m_backend.write(key, [&](auto& ref) -> size_type {
            list_type* l = only_if_exists ? ref.get() : &ref.create();
            if (!l) return 0;
            if (end == ListEnd::front)
                l->push_front(std::move(value));
            else
                l->push_back(std::move(value));
            ref.event(push_event(end));
            return l->size();
        });
    }
    template <class R>
    size_type push_many(const K& key, ListEnd end, R&& values, bool only_if_exists) {
        return m_backend.write(key, [&](auto& ref) -> size_type {
            if (only_if_exists && !ref.peek()) return 0;
            if constexpr (std::ranges::forward_range<R>) {
                if (std::ranges::empty(values)) {  // nothing to push: not a change
                    const list_type* l = ref.peek();
                    return l ? l->size() : 0;
                }
            }
            list_type& l = ref.create();
            if (end == ListEnd::front)
                l.push_front_range(values);
            else
                l.push_back_range(values);
            ref.event(push_event(end));
            return l.size();
        });
    }
    std::optional<T> pop_one(const K& key, ListEnd end) {
        return m_backend.write(key, [&](auto& ref) -> std::optional<T> {
            if (!ref.peek()) return std::nullopt;
            list_type& l = *ref.get();
            std::optional<T> v = end == ListEnd::front ? l.pop_front() : l.pop_back();
            ref.event(pop_event(end));
            return v;
        });
    }
    std::optional<std::vector<T>> pop_count(const K& key, ListEnd end, size_type count) {
        return m_backend.write(key, [&](auto& ref) -> std::optional<std::vector<T>> {
            if (!ref.peek()) return std::nullopt;
            if (count == 0) return std::vector<T>{};  // Redis: an empty array, no event
            list_type& l = *ref.get();
            std::vector<T> v = end == ListEnd::front ? l.pop_front(count) : l.pop_back(count);
            ref.event(pop_event(end));
            return v;
        });
    }

    /// LMOVE under the locks of both keys (`s` and `d` may share a slot). Redis's order of
    /// checks: nothing happens if the source is absent; the destination's type is checked
    /// (a Database throws) before anything changes.
    template <class Ref>
    static std::optional<T> move_locked(Ref& s, Ref& d, ListEnd from, ListEnd to) {
        if (!s.peek()) return std::nullopt;
        (void)d.peek();  // a Database's WRONGTYPE check on the destination, before any change
        list_type& src = *s.get();
        std::optional<T> v = from == ListEnd::front ? src.pop_front() : src.pop_back();
        s.event(pop_event(from));
        list_type& dst = d.create();  // the source itself, still present, when the keys are equal
        if (to == ListEnd::front)
            dst.push_front(*v);
        else
            dst.push_back(*v);
        d.event(push_event(to));
        if (&s.slot() == &d.slot()) d.also_event(pop_event(from));  // one key: push, then pop
        return v;
    }

    template <class Rep, class Period>
    static std::optional<std::chrono::steady_clock::time_point> deadline_after(
        std::chrono::duration<Rep, Period> timeout) {
        return detail::wait_deadline(timeout, "cachet::ListStore: timeout must not be negative");
    }

    /// A thread blocked in `pop_*_wait`: takes one element (count 0) or up to `count` from the
    /// end it pops, under the producer's lock.
    class PopWaiter final : public detail::ThreadConsumer<K, list_type> {
    public:
        PopWaiter(std::span<const K> keys, ListEnd end, size_type count) noexcept
            : m_keys(keys), m_end(end), m_count(count) {}

        void take(const K& key, list_type& l) noexcept override {
            try {
                const typename Backend::key_equal eq{};
                for (std::size_t i = 0; i < m_keys.size(); ++i) {
                    if (eq(m_keys[i], key)) {
                        m_key_index = i;
                        break;
                    }
                }
                if (m_count == 0)
                    m_one.emplace(pop_end(l, m_end));
                else
                    m_many = m_end == ListEnd::front ? l.pop_front(m_count) : l.pop_back(m_count);
            } catch (...) {
                // T's move threw, or the vector could not be allocated: the error reaches the
                // waiting thread (take must not throw into the producer's write).
                m_error = std::current_exception();
            }
        }

        std::span<const K> m_keys;
        ListEnd m_end;
        size_type m_count;  ///< 0: one element into m_one
        std::size_t m_key_index = 0;
        std::optional<T> m_one;
        std::vector<T> m_many;
        std::exception_ptr m_error;
    };

    /// A thread blocked in `move_wait`: `take` pops from the source under the producer's lock;
    /// `complete` (producer's thread, no lock held) pushes a copy into the destination.
    class MoveWaiter final : public detail::ThreadConsumer<K, list_type> {
    public:
        MoveWaiter(BasicListStore& store, const K& src, const K& dst, ListEnd from,
                   ListEnd to) noexcept
            : m_store(store), m_src(src), m_dst(dst), m_from(from), m_to(to) {}

        void take(const K&, list_type& l) noexcept override {
            try {
                m_item.emplace(pop_end(l, m_from));
            } catch (...) {
                m_error = std::current_exception();
            }
        }

        std::optional<T> m_item;
        std::exception_ptr m_error;

    protected:
        void complete() noexcept override {
            if (!m_item) return;
            try {
                m_store.push_one(m_dst, m_to, T(*m_item), false);
            } catch (...) {
                m_error = std::current_exception();
                try {  // back where it came from, so the failed move loses nothing
                    m_store.push_one(m_src, m_from, std::move(*m_item), false);
                } catch (...) {
                }
                m_item.reset();
            }
        }

    private:
        BasicListStore& m_store;
        const K& m_src;
        const K& m_dst;
        ListEnd m_from;
        ListEnd m_to;
    };

    std::optional<std::pair<K, T>> pop_one_until(
        std::span<const K> keys, ListEnd end,
        std::optional<std::chrono::steady_clock::time_point> deadline, std::stop_token stop) {
        check_keys(keys, 1);
        std::optional<PopWaiter> w;
        std::optional<std::pair<K, T>> now;
        const bool got = block(
            w, keys, deadline, std::move(stop),
            [&](auto& refs) {
                for (std::size_t i = 0; i < keys.size(); ++i) {
                    if (!refs[i].peek()) continue;
                    now.emplace(keys[i], pop_end(*refs[i].get(), end));
                    refs[i].event(pop_event(end));
                    return true;
                }
                return false;
            },
            [&] { w.emplace(keys, end, 0); });
        if (!got) return std::nullopt;
        if (now) return now;
        if (w->m_error) std::rethrow_exception(w->m_error);
        return std::pair<K, T>(keys[w->m_key_index], std::move(*w->m_one));
    }
    template <class Rep, class Period>
    std::optional<std::pair<K, T>> pop_one_wait(std::span<const K> keys, ListEnd end,
                                                std::chrono::duration<Rep, Period> timeout,
                                                std::stop_token stop) {
        return pop_one_until(keys, end, deadline_after(timeout), std::move(stop));
    }

    /// The blocking protocol (detail/wait_registry.hpp). Under the shard locks of `lock_keys`
    /// (default: `wait_keys`), `try_now(refs)` takes what it can at once (true: done, without
    /// ever building a consumer); if it took nothing, `make()` builds the consumer in `w` and
    /// it registers on each distinct key of `wait_keys` before the locks are released, so a
    /// producer either ran before (and `try_now` saw its elements) or finds the registration.
    /// Then waits until served, the deadline passes or `stop` is requested. Returns true if
    /// something was taken (at once, or by a producer into `*w`). The consumer is always
    /// unregistered (and, if a producer claimed it, finished) before this returns or throws.
    template <class Waiter, class TryNow, class Make>
    bool block(std::optional<Waiter>& w, std::span<const K> wait_keys,
               std::optional<std::chrono::steady_clock::time_point> deadline, std::stop_token stop,
               TryNow&& try_now, Make&& make, std::span<const K> lock_keys = {}) {
        if (lock_keys.empty()) lock_keys = wait_keys;
        auto& registry = m_backend.waiters();
        bool served = false;
        try {
            const bool at_once = this->with_refs(lock_keys, [&](auto& refs) {
                if (try_now(refs)) return true;
                make();
                const typename Backend::key_equal eq{};
                for (std::size_t i = 0; i < wait_keys.size(); ++i) {
                    bool seen = false;
                    for (std::size_t j = 0; j < i && !seen; ++j)
                        seen = eq(wait_keys[j], wait_keys[i]);
                    if (!seen) registry.add(wait_keys[i], &*w);
                }
                return false;
            });
            if (at_once) return true;
            served = w->wait(deadline, std::move(stop));
        } catch (...) {
            if (!w) throw;  // failed before any registration
            // Registration failed part-way (allocation): a producer may already have claimed
            // the consumer through a key it did register on. Cancel, or wait for that finish.
            served = w->wait(std::chrono::steady_clock::now());
            registry.remove(&*w);
            if (served) return true;
            throw;
        }
        registry.remove(&*w);
        return served;
    }
};

/// `ListStore<K, T>`: a `List<T>` per key on a `Keyspace` (the default backend).
///
/// ```cpp
/// cachet::ListStore<std::string, Job> jobs;
/// jobs.push_back("queue", job);                            // producer
/// if (auto got = jobs.pop_front_wait("queue", 5s)) run(got->second);  // consumer
/// ```
template <class K, class T, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>,
          Clock C = SteadyClock, class Mutex = SpinMutex>
using ListStore = BasicListStore<detail::OwnedBackend<K, List<T>, Hash, KeyEqual, C, Mutex>>;

CACHET_NAMESPACE_END

#endif  // CACHET_LIST_STORE_HPP
