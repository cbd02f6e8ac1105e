#ifndef CACHET_DETAIL_EXEC_GATE_HPP
#define CACHET_DETAIL_EXEC_GATE_HPP

/// `ExecGate`: a reader-writer gate for Redis's transactions (MULTI/EXEC). Every Database
/// operation enters it shared; EXEC enters it exclusively, so the commands of a transaction run
/// with no other command interleaved, from any connection or thread, as in Redis.
///
/// Readers are spread over 64 cache-line-sized counters chosen by thread, so the shared side
/// costs one uncontended atomic increment and a load (no cache line bounces between threads
/// that never touch the same counter); the exclusive side raises a flag and waits for every
/// counter to drain. A thread holding the gate exclusively may re-enter it shared (the commands
/// inside EXEC call the same operations); shared entries are not recursive otherwise, but they
/// never block while nobody is exclusive.

#include <cachet/detail/config.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

CACHET_NAMESPACE_BEGIN
namespace detail {

class ExecGate {
public:
    ExecGate() = default;
    ExecGate(const ExecGate&) = delete;
    ExecGate& operator=(const ExecGate&) = delete;

    /// Enters shared: waits while another thread holds the gate exclusively. A thread already
    /// inside (shared, or exclusive) just goes deeper, never waits: a blocked consumer's
    /// completion, run inside one operation, may call another. O(1).
    void lock_shared() noexcept {
        if (owner() == this) return;
        Nesting& n = nesting();
        if (n.gate == this) {
            ++n.depth;
            return;
        }
        auto& c = counter();
        for (;;) {
            c.readers.fetch_add(1, std::memory_order_seq_cst);
            if (!m_exclusive.load(std::memory_order_seq_cst)) break;
            c.readers.fetch_sub(1, std::memory_order_release);
            while (m_exclusive.load(std::memory_order_acquire)) std::this_thread::yield();
        }
        if (n.gate == nullptr) {
            n.gate = this;
            n.depth = 1;
        } else {
            ++n.other;  // nested inside another gate: counted plainly
        }
    }
    void unlock_shared() noexcept {
        if (owner() == this) return;
        Nesting& n = nesting();
        if (n.gate == this) {
            if (--n.depth > 0) return;
            n.gate = nullptr;
        } else {
            --n.other;
        }
        counter().readers.fetch_sub(1, std::memory_order_release);
    }

    /// True if this thread holds the gate exclusively (inside EXEC).
    [[nodiscard]] bool held_exclusively() const noexcept { return owner() == this; }

    /// Enters exclusively: waits for every shared holder to leave. Not recursive.
    void lock() {
        m_writer.lock();
        m_exclusive.store(true, std::memory_order_seq_cst);
        for (auto& c : m_counters)
            while (c.readers.load(std::memory_order_acquire) != 0) std::this_thread::yield();
        owner() = this;
    }
    void unlock() noexcept {
        owner() = nullptr;
        m_exclusive.store(false, std::memory_order_release);
        m_writer.unlock();
    }

    /// RAII shared entry.
    class Shared {
    public:
        explicit Shared(ExecGate& g) noexcept : m_gate(g) { m_gate.lock_shared(); }
        ~Shared() { m_gate.unlock_shared(); }
        Shared(const Shared&) = delete;
        Shared& operator=(const Shared&) = delete;

    private:
        ExecGate& m_gate;
    };

private:
    struct alignas(cache_line) Counter {
        std::atomic<long> readers{0};
    };
    struct Nesting {
        const ExecGate* gate = nullptr;  ///< the gate this thread is inside, shared
        int depth = 0;
        int other = 0;
    };
    static Nesting& nesting() noexcept {
        thread_local Nesting n;
        return n;
    }
    static const ExecGate*& owner() noexcept {
        thread_local const ExecGate* held = nullptr;
        return held;
    }
    Counter& counter() noexcept {
        thread_local const std::size_t slot = std::hash<std::thread::id>{}(std::this_thread::get_id());
        return m_counters[slot % m_counters.size()];
    }

    std::array<Counter, 64> m_counters{};
    std::atomic<bool> m_exclusive{false};
    std::mutex m_writer;
};

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_EXEC_GATE_HPP
