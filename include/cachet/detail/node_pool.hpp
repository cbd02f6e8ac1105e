#ifndef CACHET_DETAIL_NODE_POOL_HPP
#define CACHET_DETAIL_NODE_POOL_HPP

/// Memory for the keyspace core's entry nodes: `NodeArena<Node>` (one per store) hands out
/// pages, `NodePool<Node>` (one per shard) carves nodes from them and reuses freed ones.
///
/// Why not `new`: a store of a million entries spreads its nodes over ~100 MB, and a lookup then
/// misses the TLB as well as the cache. The arena takes its memory in regions that grow from
/// 64 KiB to 2 MiB, and advises the 2 MiB ones (aligned to 2 MiB) as transparent huge pages
/// (Linux `madvise(MADV_HUGEPAGE)`, when `huge_pages` is on), so the nodes of every shard share a
/// few large pages; and no node carries malloc's 8-byte header.
///
/// Layout: a region is a run of pages of `page_bytes` (4 KiB for nodes up to ~250 bytes), each
/// aligned to its size, starting with a cache line that names the owning pool, so any thread can
/// find a node's pool from its address alone. Nodes are handed out per shard: first the pool's
/// free list, then the nodes other threads gave back, then the current page, then a new page.
///
/// Threading: `allocate` and `give_back_local` run under the owning shard's lock;
/// `deallocate` runs on any thread (a removal batch frees its nodes after the lock is released):
/// it pushes the node on the pool's lock-free returned stack (multi-producer; the owner takes the
/// whole stack at once, so there is no ABA). `NodeArena::page` takes the arena's mutex (once per
/// page: 56 nodes of 72 bytes).
///
/// Regions come straight from `mmap` (POSIX; elsewhere aligned `operator new`), so they are not
/// in malloc's statistics: the store reports them (`node_memory()`). Memory is kept for reuse,
/// not returned to the system, until the store is destroyed: a store that shrinks keeps the
/// pages its peak needed (its later inserts reuse them).
///
/// Under AddressSanitizer a free node is poisoned (but for its link), so a use after free is
/// still reported; under LeakSanitizer the mapped regions are registered as roots, so what the
/// nodes point to is not taken for a leak.

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define CACHET_DETAIL_MMAP 1
#endif

#if defined(__SANITIZE_ADDRESS__)
#define CACHET_DETAIL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CACHET_DETAIL_ASAN 1
#endif
#endif
#ifdef CACHET_DETAIL_ASAN
#include <sanitizer/asan_interface.h>
#define CACHET_DETAIL_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define CACHET_DETAIL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define CACHET_DETAIL_POISON(p, n) ((void)(p), (void)(n))
#define CACHET_DETAIL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif
// LeakSanitizer (part of ASan, or alone) finds live heap blocks by scanning the stacks, globals
// and the heap, not memory mapped by hand: a value's heap block referenced only from a pooled
// node would look leaked. The regions are registered as roots to scan.
#if defined(CACHET_DETAIL_ASAN)
#define CACHET_DETAIL_LSAN 1
#elif defined(__has_feature)
#if __has_feature(leak_sanitizer)
#define CACHET_DETAIL_LSAN 1
#endif
#endif
#ifdef CACHET_DETAIL_LSAN
#include <sanitizer/lsan_interface.h>
#define CACHET_DETAIL_LSAN_ROOT(p, n) __lsan_register_root_region(p, n)
#define CACHET_DETAIL_LSAN_UNROOT(p, n) __lsan_unregister_root_region(p, n)
#else
#define CACHET_DETAIL_LSAN_ROOT(p, n) ((void)(p), (void)(n))
#define CACHET_DETAIL_LSAN_UNROOT(p, n) ((void)(p), (void)(n))
#endif

CACHET_NAMESPACE_BEGIN
namespace detail {

template <class Node>
class NodePool;

/// A free node: its first word links it into a free list or the returned stack.
struct FreeNode {
    FreeNode* next;
};

/// The geometry of `Node`'s pages, all compile-time constants.
template <class Node>
struct NodePage {
    static constexpr std::size_t header = cache_line;  ///< names the owning pool
    static constexpr std::size_t stride =
        (sizeof(Node) + alignof(Node) - 1) / alignof(Node) * alignof(Node);
    /// 4 KiB, or the power of two that holds at least 16 nodes.
    static constexpr std::size_t bytes = std::max<std::size_t>(
        4096, std::size_t{1} << (std::bit_width(header + 16 * stride - 1)));
    static constexpr std::size_t nodes = (bytes - header) / stride;
    static constexpr std::size_t huge = std::size_t{2} << 20;  ///< a transparent huge page
    static_assert(alignof(Node) <= header, "node alignment above a cache line");
    static_assert(sizeof(Node) >= sizeof(FreeNode), "a node must hold the free-list link");
    static_assert(bytes <= huge, "node too large for a pooled page");

    static NodePool<Node>*& owner(void* page) noexcept {
        return *static_cast<NodePool<Node>**>(page);
    }
    static void* page_of(const void* node) noexcept {
        return reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(node) & ~(bytes - 1));
    }
};

/// One store's page source. Thread-safe (a mutex, taken once per page).
template <class Node>
class NodeArena {
    using Page = NodePage<Node>;

public:
    explicit NodeArena(bool huge_pages = true) noexcept : m_huge_pages(huge_pages) {}
    NodeArena(const NodeArena&) = delete;
    NodeArena& operator=(const NodeArena&) = delete;
    /// Frees every region. Precondition: every node was destroyed (the memory is not read).
    ~NodeArena() {
        for (const auto& [p, n] : m_regions) unmap(p, n);
    }

    /// A fresh page of `Page::bytes`, aligned to its size. Throws `std::bad_alloc`.
    void* page() {
        std::lock_guard lock(m_mutex);
        if (m_next == m_end) grow();
        void* p = m_next;
        m_next += Page::bytes;
        return p;
    }

    /// Bytes taken from the system so far.
    [[nodiscard]] std::size_t reserved_bytes() const {
        std::lock_guard lock(m_mutex);
        std::size_t total = 0;
        for (const auto& r : m_regions) total += r.second;
        return total;
    }

private:
    static constexpr std::size_t align_of(std::size_t region) noexcept {
        return region >= Page::huge ? Page::huge : Page::bytes;
    }

    void grow() {
        // Regions double from 16 pages (64 KiB for 4 KiB pages) to 2 MiB, so a small store
        // stays small and a large one lives in huge pages.
        constexpr std::size_t first = std::max(Page::bytes * 16, std::size_t{64} << 10);
        constexpr std::size_t largest = std::max(Page::huge, Page::bytes * 16);
        const std::size_t n =
            m_regions.empty() ? first : std::min(m_regions.back().second * 2, largest);
        m_regions.reserve(m_regions.size() + 1);
        char* p = map(n, align_of(n));
#if defined(MADV_HUGEPAGE)
        if (m_huge_pages && n >= Page::huge) (void)::madvise(p, n, MADV_HUGEPAGE);  // advice only
#endif
        CACHET_DETAIL_POISON(p, n);
        m_regions.emplace_back(p, n);
        m_next = p;
        m_end = p + n;
    }

    /// `n` bytes aligned to `align`: straight from mmap (over-mapped by `align`, the ends
    /// unmapped again, so no byte is wasted), or aligned `operator new` without mmap.
    static char* map(std::size_t n, std::size_t align) {
#ifdef CACHET_DETAIL_MMAP
        const std::size_t len = align > 4096 ? n + align : n;
        void* m = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) throw std::bad_alloc();
        const auto start = reinterpret_cast<std::uintptr_t>(m);
        const std::uintptr_t aligned = (start + align - 1) & ~(std::uintptr_t{align} - 1);
        if (aligned > start) ::munmap(m, aligned - start);
        if (start + len > aligned + n)
            ::munmap(reinterpret_cast<void*>(aligned + n), start + len - (aligned + n));
        CACHET_DETAIL_LSAN_ROOT(reinterpret_cast<void*>(aligned), n);
        return reinterpret_cast<char*>(aligned);
#else
        return static_cast<char*>(::operator new(n, std::align_val_t{align}));
#endif
    }
    static void unmap(char* p, std::size_t n) noexcept {
        CACHET_DETAIL_UNPOISON(p, n);  // the shadow must be clean for whatever is mapped here next
#ifdef CACHET_DETAIL_MMAP
        CACHET_DETAIL_LSAN_UNROOT(p, n);
        ::munmap(p, n);
#else
        ::operator delete(p, std::align_val_t{align_of(n)});
#endif
    }

    mutable std::mutex m_mutex;
    std::vector<std::pair<char*, std::size_t>> m_regions;
    char* m_next = nullptr;
    char* m_end = nullptr;
    bool m_huge_pages;
};

/// One shard's nodes. `allocate` and `give_back_local` under the shard's lock; `deallocate`
/// from any thread.
template <class Node>
class NodePool {
    using Page = NodePage<Node>;

public:
    NodePool() noexcept = default;
    NodePool(const NodePool&) = delete;
    NodePool& operator=(const NodePool&) = delete;

    void bind(NodeArena<Node>* arena) noexcept { m_arena = arena; }

    /// Memory for one node (uninitialised). O(1); takes the arena's mutex once per page.
    /// Throws `std::bad_alloc`.
    [[nodiscard]] void* allocate() {
        if (CACHET_UNLIKELY(!m_free)) {
            if (m_returned.load(std::memory_order_relaxed))
                m_free = m_returned.exchange(nullptr, std::memory_order_acquire);
            if (!m_free) return carve();
        }
        FreeNode* n = m_free;
        CACHET_DETAIL_UNPOISON(n, sizeof(Node));
        m_free = n->next;
        return n;
    }

    /// Gives back a node this shard's lock holder allocated and never published.
    void give_back_local(void* p) noexcept {
        auto* n = static_cast<FreeNode*>(p);
        n->next = m_free;
        CACHET_DETAIL_POISON(reinterpret_cast<char*>(p) + sizeof(FreeNode),
                             sizeof(Node) - sizeof(FreeNode));
        m_free = n;
    }

    /// Gives back the node at `p` (destroyed) to the pool that owns its page. Any thread;
    /// lock-free.
    static void deallocate(void* p) noexcept {
        NodePool* pool = Page::owner(Page::page_of(p));
        auto* n = static_cast<FreeNode*>(p);
        // Poisoned before it is published: once pushed, the owner may hand it out at once.
        CACHET_DETAIL_POISON(reinterpret_cast<char*>(p) + sizeof(FreeNode),
                             sizeof(Node) - sizeof(FreeNode));
        FreeNode* head = pool->m_returned.load(std::memory_order_relaxed);
        do {
            n->next = head;
        } while (!pool->m_returned.compare_exchange_weak(head, n, std::memory_order_release,
                                                         std::memory_order_relaxed));
    }

    /// Constructs a node from `args` in this pool (under the shard's lock). If the constructor
    /// throws, the memory goes back and the exception propagates.
    template <class... A>
    [[nodiscard]] Node* create(A&&... args) {
        void* p = allocate();
        try {
            return ::new (p) Node(std::forward<A>(args)...);
        } catch (...) {
            give_back_local(p);
            throw;
        }
    }

    /// Destroys `n` and gives its memory back to its pool. Any thread.
    static void destroy(Node* n) noexcept {
        n->~Node();
        deallocate(n);
    }

private:
    void* carve() {
        if (m_bump == m_bump_end) {
            char* page = static_cast<char*>(m_arena->page());
            CACHET_DETAIL_UNPOISON(page, Page::header);
            Page::owner(page) = this;
            m_bump = page + Page::header;
            m_bump_end = m_bump + Page::nodes * Page::stride;
        }
        void* p = m_bump;
        m_bump += Page::stride;
        CACHET_DETAIL_UNPOISON(p, sizeof(Node));
        return p;
    }

    FreeNode* m_free = nullptr;  ///< under the shard's lock
    char* m_bump = nullptr;      ///< the current page's next uncarved node
    char* m_bump_end = nullptr;
    NodeArena<Node>* m_arena = nullptr;
    /// Nodes freed outside the lock; written by any thread, so on its own cache line.
    alignas(cache_line) std::atomic<FreeNode*> m_returned{nullptr};
};

/// Destroys a node and frees its memory: back to its pool when `Pooled`, else `delete`.
/// Also the `std::unique_ptr` deleter of nodes not yet published.
template <class Node, bool Pooled>
struct NodeDeleter {
    void operator()(Node* n) const noexcept {
        if constexpr (Pooled) NodePool<Node>::destroy(n);
        else delete n;
    }
};

/// A shard's stand-in for a pool when nodes come from `new`.
struct NoPool {
    void bind(const void*) noexcept {}
};

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_NODE_POOL_HPP
