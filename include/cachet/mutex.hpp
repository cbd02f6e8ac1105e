#ifndef CACHET_MUTEX_HPP
#define CACHET_MUTEX_HPP

/// Shard locks. `SpinMutex` is the default; `NullMutex` is for stores used by one thread.
/// `detail::ShardMutex<Mutex>` puts a shared (reader) side in front of any of them, with reader
/// indicators striped per thread (`detail::ReaderTable`), so that hits on one shard from several
/// threads never write a common cache line.
///
/// `SpinMutex`: the default shard lock. A test-and-test-and-set lock that spins briefly (with
/// the CPU's pause hint) and then yields the thread, never sleeping in the kernel.
///
/// Why not `std::mutex`: a shard's critical sections are tens of nanoseconds, and glibc's mutex
/// goes to the kernel (futex wait/wake, microseconds) as soon as two threads meet on one shard.
/// Measured in bench/kv_store_bench (CachetKv against StdMutexKv, the same store with
/// std::mutex): 1.07x-1.52x the throughput at 2 threads; at 1 thread the runs were too noisy to
/// separate the two. Measured and rejected: sleeping on a futex after the spin (Drepper's
/// three-state mutex, through `std::atomic::wait`) instead of yielding; on cachet-server's
/// hot-key row (redis-benchmark ZADD -P 16, two I/O threads on one sorted set) it went from
/// 0.69x to 0.55x Redis's requests/s, as the wake-up's system call lands inside the holder's
/// critical path (one A/B run of `bench/resp_vs_redis.sh --workloads zadd,lpush,sadd,hset`,
/// each build as `--cachet`; LPUSH, SADD and HSET moved within the noise). Also measured and
/// rejected: holding a hot key's shard across a connection's consecutive pipelined commands on
/// that key (one acquisition per run of up to 32 instead of one per command, the shard
/// re-entrant for its holder): ZADD -P 16 0.85x -> 0.84x Redis, LPUSH/SPOP/SADD/HSET/LPOP
/// within the noise, the server's system time up (the other I/O thread, waiting longer,
/// yields more), as the hot sorted set's own work (then a skiplist), not the lock handoff, set the
/// pace (A/B of `bench/resp_vs_redis.sh --io-threads 2 --bench-threads 2 --rounds 3`, each
/// build as `--cachet`). One byte of state; fits beside the shard's hot fields.
/// Satisfies Lockable; works with std::lock_guard. Not recursive.

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CACHET_DETAIL_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define CACHET_DETAIL_PAUSE() asm volatile("yield")
#else
#define CACHET_DETAIL_PAUSE() ((void)0)
#endif

CACHET_NAMESPACE_BEGIN

class SpinMutex {
public:
    SpinMutex() noexcept = default;
    SpinMutex(const SpinMutex&) = delete;
    SpinMutex& operator=(const SpinMutex&) = delete;

    void lock() noexcept {
        for (int spins = 0;; ++spins) {
            if (!m_locked.exchange(true, std::memory_order_acquire)) return;
            // Wait for the lock to look free before trying again (no write traffic meanwhile).
            while (m_locked.load(std::memory_order_relaxed)) {
                if (++spins < 128) CACHET_DETAIL_PAUSE();
                else std::this_thread::yield();  // the holder may be descheduled
            }
        }
    }
    [[nodiscard]] bool try_lock() noexcept {
        return !m_locked.load(std::memory_order_relaxed) &&
               !m_locked.exchange(true, std::memory_order_acquire);
    }
    void unlock() noexcept { m_locked.store(false, std::memory_order_release); }

private:
    std::atomic<bool> m_locked{false};
};

/// A mutex that does nothing, for stores used by one thread only.
struct NullMutex {
    void lock() noexcept {}
    void unlock() noexcept {}
    [[nodiscard]] bool try_lock() noexcept { return true; }
};

namespace detail {

/// A small number that identifies the calling thread: threads are numbered 0, 1, 2, ... in the
/// order they first ask. Used to pick a stripe. O(1), no lock after the first call.
inline unsigned thread_stripe_id() noexcept {
    static std::atomic<unsigned> next{0};
    thread_local const unsigned id = next.fetch_add(1, std::memory_order_relaxed);
    return id;
}

/// Reader indicators and read counters of a store's shards, striped by thread (after the
/// per-thread reader counts of scalable reader-writer locks, and Caffeine's striped read
/// buffers). For stripe k and shard i there is one `Slot`; a stripe's slots are contiguous and
/// start on their own cache line, so a thread that reads many shards writes only lines of its
/// own stripe, and two threads (with distinct stripes) never write a common line.
/// Stripes: the hardware thread count rounded up to a power of two, between 2 and 16; more
/// threads than stripes share them (still correct: every update is an atomic read-modify-write).
/// Memory: stripes x shards x 32 bytes.
class ReaderTable {
public:
    /// `state` counts the readers inside the shard (low `active_bits`) and, above them, the
    /// hits they recorded; `misses` and `window_hits` are plain counters.
    struct Slot {
        std::atomic<std::uint64_t> state{0};
        std::atomic<std::uint64_t> misses{0};
        std::atomic<std::uint64_t> window_hits{0};  ///< hits on entries in a policy's window
        std::uint64_t spare = 0;
    };
    static constexpr unsigned active_bits = 20;
    static constexpr std::uint64_t active_mask = (std::uint64_t{1} << active_bits) - 1;
    static constexpr std::uint64_t hit_unit = std::uint64_t{1} << active_bits;

    explicit ReaderTable(std::size_t shards)
        : m_stripes(std::clamp<std::size_t>(
              std::bit_ceil(std::max(1u, std::thread::hardware_concurrency())), 2, 16)),
          m_per_stripe((shards + slots_per_line - 1) / slots_per_line * slots_per_line),
          m_lines(new Line[m_stripes * m_per_stripe / slots_per_line]) {}

    [[nodiscard]] std::size_t stripes() const noexcept { return m_stripes; }
    [[nodiscard]] Slot& slot(std::size_t stripe, std::size_t shard) const noexcept {
        const std::size_t i = stripe * m_per_stripe + shard;
        return m_lines[i / slots_per_line].slots[i % slots_per_line];
    }
    /// The calling thread's slot for `shard`.
    [[nodiscard]] Slot& mine(std::size_t shard) const noexcept {
        return slot(thread_stripe_id() & (m_stripes - 1), shard);
    }
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return m_stripes * m_per_stripe * sizeof(Slot);
    }

private:
    static constexpr std::size_t slots_per_line = 2;
    struct alignas(64) Line {
        Slot slots[slots_per_line];
    };
    std::size_t m_stripes;
    std::size_t m_per_stripe;  ///< slots per stripe (shards rounded up to whole lines)
    std::unique_ptr<Line[]> m_lines;
};

/// The lock of one shard: `Mutex` for writers (its exclusive side, Lockable, so
/// `std::lock_guard` works), plus a shared side for readers that writes only the reader's own
/// stripe of a `ReaderTable`.
///
/// Protocol. A reader increments its slot's reader count, then checks the writer flag; if a
/// writer is there it backs off (decrements, waits for the flag to clear) and retries. A writer
/// takes `Mutex`, raises the flag, then waits until every stripe's reader count for this shard
/// is zero. Both sides use sequentially consistent operations, so at least one of them sees the
/// other (Dekker); readers never wait for each other and never write a shared line. Writers are
/// preferred: a waiting writer turns new readers away. Cost: a reader pays two atomic
/// read-modify-writes on a line of its own stripe; a writer pays one load per stripe.
/// With `NullMutex`, both sides do nothing (single-threaded stores).
template <class Mutex>
class ShardMutex {
    static constexpr bool null = std::is_same_v<Mutex, NullMutex>;

public:
    using Slot = ReaderTable::Slot;

    ShardMutex() = default;
    ShardMutex(const ShardMutex&) = delete;
    ShardMutex& operator=(const ShardMutex&) = delete;

    /// Attaches the lock to shard `index` of `table`. Must be called before any locking.
    void bind(const ReaderTable* table, std::size_t index) noexcept {
        m_table = table;
        m_index = index;
    }

    // -- exclusive side (Lockable) --
    void lock() {
        m_mutex.lock();
        if constexpr (!null) {
            m_writer.store(true, std::memory_order_seq_cst);
            wait_for_readers();
        }
    }
    [[nodiscard]] bool try_lock() {
        if (!m_mutex.try_lock()) return false;
        if constexpr (!null) {
            m_writer.store(true, std::memory_order_seq_cst);
            wait_for_readers();
        }
        return true;
    }
    void unlock() {
        if constexpr (!null) m_writer.store(false, std::memory_order_release);
        m_mutex.unlock();
    }

    // -- shared side --
    /// Enters as a reader; returns the caller's slot, to pass to `unlock_shared`.
    [[nodiscard]] Slot& lock_shared() noexcept {
        Slot& s = m_table->mine(m_index);
        if constexpr (!null) {
            for (int spins = 0;;) {
                s.state.fetch_add(1, std::memory_order_seq_cst);
                if (!m_writer.load(std::memory_order_seq_cst)) break;
                s.state.fetch_sub(1, std::memory_order_release);
                while (m_writer.load(std::memory_order_relaxed)) {
                    if (++spins < 128) CACHET_DETAIL_PAUSE();
                    else std::this_thread::yield();
                }
            }
        }
        return s;
    }
    /// Leaves as a reader, counting a hit if `hit`.
    void unlock_shared(Slot& s, bool hit) noexcept {
        if constexpr (null) {
            if (hit) s.state.store(s.state.load(std::memory_order_relaxed) + hit_unit,
                                   std::memory_order_relaxed);
        } else {
            if (hit) s.state.fetch_add(hit_unit - 1, std::memory_order_release);
            else s.state.fetch_sub(1, std::memory_order_release);
        }
    }
    /// `c += 1` for a counter of the caller's slot, while it is inside as a reader.
    static void count(std::atomic<std::uint64_t>& c) noexcept {
        if constexpr (null) c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        else c.fetch_add(1, std::memory_order_relaxed);
    }

    /// Hits, misses and window hits recorded by readers of this shard, summed over stripes.
    /// Lock-free; each total is exact except while readers are inside.
    struct Totals {
        std::uint64_t hits = 0, misses = 0, window_hits = 0;
    };
    [[nodiscard]] Totals totals() const noexcept {
        Totals t;
        for (std::size_t k = 0; k < m_table->stripes(); ++k) {
            const Slot& s = m_table->slot(k, m_index);
            t.hits += s.state.load(std::memory_order_relaxed) >> ReaderTable::active_bits;
            t.misses += s.misses.load(std::memory_order_relaxed);
            t.window_hits += s.window_hits.load(std::memory_order_relaxed);
        }
        return t;
    }
    /// Zeroes the readers' counters. Precondition: the exclusive side is held.
    void reset_counters() noexcept {
        for (std::size_t k = 0; k < m_table->stripes(); ++k) {
            Slot& s = m_table->slot(k, m_index);
            const std::uint64_t hits = s.state.load(std::memory_order_relaxed) & ~active_mask;
            s.state.fetch_sub(hits, std::memory_order_relaxed);
            s.misses.store(0, std::memory_order_relaxed);
            s.window_hits.store(0, std::memory_order_relaxed);
        }
    }

private:
    static constexpr std::uint64_t hit_unit = ReaderTable::hit_unit;
    static constexpr std::uint64_t active_mask = ReaderTable::active_mask;

    void wait_for_readers() const noexcept {
        for (std::size_t k = 0; k < m_table->stripes(); ++k) {
            const Slot& s = m_table->slot(k, m_index);
            for (int spins = 0; (s.state.load(std::memory_order_seq_cst) & active_mask) != 0;) {
                if (++spins < 128) CACHET_DETAIL_PAUSE();
                else std::this_thread::yield();
            }
        }
    }

    Mutex m_mutex;
    std::atomic<bool> m_writer{false};
    const ReaderTable* m_table = nullptr;
    std::size_t m_index = 0;
};

}  // namespace detail

CACHET_NAMESPACE_END

#endif  // CACHET_MUTEX_HPP
