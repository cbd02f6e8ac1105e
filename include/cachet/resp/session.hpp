#ifndef CACHET_RESP_SESSION_HPP
#define CACHET_RESP_SESSION_HPP

/// `Session<C>`: one RESP connection's state and its command loop, without a socket. A network
/// adapter feeds it the bytes it reads (`process`), writes what it leaves in `output()`, and
/// calls `collect_async` when the waker it installed fires (a pub/sub message or the reply of
/// a blocked command was posted from another thread) and `on_tick` to time out blocked
/// commands. See engine.hpp for the threading rules.

#include <cachet/resp/command.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {

/// Output posted to a session from other threads (pub/sub messages, served blocked commands).
/// Thread-safe.
class Outbox {
public:
    /// Appends `bytes`; `unblock` marks the reply of the session's blocked command. Returns
    /// false (and drops the bytes) if the outbox is over `hard_limit` (0: none) counting
    /// `already` bytes the session has pending besides; the session is then marked for
    /// closing.
    bool post(std::string_view bytes, bool unblock = false, std::size_t hard_limit = 0,
              std::size_t already = 0) {
        return append(m_data, m_size, bytes, unblock, hard_limit, already);
    }
    /// As `post`, for output that must follow the reply of the command the session may be
    /// running as it arrives (a client-side caching invalidation: the command may have read
    /// the key before the change); `drain` leaves it, `drain_late` takes it.
    bool post_late(std::string_view bytes, std::size_t hard_limit = 0) {
        return append(m_late, m_late_size, bytes, false, hard_limit, 0);
    }
    /// Moves what was posted (not `post_late`'s) to the end of `out`; returns {any bytes, the
    /// blocked reply came}.
    std::pair<bool, bool> drain(std::string& out) {
        std::lock_guard lock(m_mutex);
        const bool any = !m_data.empty();
        out.append(m_data);
        m_data.clear();
        m_size.store(0, std::memory_order_relaxed);
        const bool unblocked = m_unblocked;
        m_unblocked = false;
        return {any, unblocked};
    }
    /// Moves what `post_late` posted to the end of `out`.
    void drain_late(std::string& out) {
        std::lock_guard lock(m_mutex);
        out.append(m_late);
        m_late.clear();
        m_late_size.store(0, std::memory_order_relaxed);
    }
    void set_waker(std::function<void()> w) {
        std::lock_guard lock(m_mutex);
        m_waker = std::move(w);
    }
    /// Asks the owning thread to end the session's blocked command (CLIENT UNBLOCK): 1 as if
    /// it timed out, 2 with an error; it acts on it in `take_unblock_request`. Thread-safe.
    void request_unblock(int how) {
        m_unblock_request.store(how, std::memory_order_release);
        (void)post({});  // wakes the owner
    }
    [[nodiscard]] int take_unblock_request() noexcept {
        return m_unblock_request.exchange(0, std::memory_order_acquire);
    }

    /// Lock-free reads (checked after every command): exact for what this thread posted or
    /// drained itself; another thread's concurrent post may or may not be seen yet.
    [[nodiscard]] bool overflow() const noexcept {
        return m_overflow.load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::size_t size() const noexcept {
        return m_size.load(std::memory_order_relaxed);
    }
    [[nodiscard]] std::size_t late_size() const noexcept {
        return m_late_size.load(std::memory_order_relaxed);
    }

private:
    bool append(std::string& to, std::atomic<std::size_t>& size, std::string_view bytes, bool unblock,
                std::size_t hard_limit, std::size_t already) {
        std::function<void()> wake;
        {
            std::lock_guard lock(m_mutex);
            if (m_overflow.load(std::memory_order_relaxed)) return false;
            if (hard_limit && m_data.size() + m_late.size() + bytes.size() + already > hard_limit && !unblock) {
                m_overflow.store(true, std::memory_order_relaxed);
            } else {
                to.append(bytes);
                size.store(to.size(), std::memory_order_relaxed);
                m_unblocked = m_unblocked || unblock;
            }
            wake = m_waker;
        }
        if (wake) wake();
        return true;
    }

    mutable std::mutex m_mutex;
    std::string m_data;
    std::atomic<std::size_t> m_size{0};  ///< m_data.size(), written under m_mutex
    std::string m_late;                  ///< post_late's
    std::atomic<std::size_t> m_late_size{0};
    bool m_unblocked = false;
    std::atomic<bool> m_overflow{false};  ///< written under m_mutex
    std::function<void()> m_waker;
    std::atomic<int> m_unblock_request{0};
};

/// A blocked command's registration, type-erased: the session cancels it on timeout or
/// disconnect.
class BlockedCommand {
public:
    virtual ~BlockedCommand() = default;
    /// waiting -> cancelled; false if a producer claimed it first (its reply is coming).
    virtual bool cancel() = 0;
    /// True once the producer's `finish` has posted the reply (after a failed cancel).
    [[nodiscard]] virtual bool finished() const = 0;
    /// Removes the registration from every key (call before destroying).
    virtual void unregister() = 0;
    /// The reply on timeout (Redis: a null array, or a null for BLMOVE/BRPOPLPUSH).
    virtual void timeout_reply(ReplyWriter& w) = 0;
    /// A command held back by CLIENT PAUSE: its arguments, for the session to run it again
    /// when it is released (instead of a reply); nullptr for a blocking command.
    [[nodiscard]] virtual std::vector<std::string>* retry_argv() noexcept { return nullptr; }
    /// What serving it cost, for a command whose statistics Redis completes when it is served
    /// (a client blocked on keys: its run time is counted when it blocks, and its run time
    /// plus the serving time go into INFO commandstats' usec, LATENCY HISTOGRAM and SLOWLOG
    /// when it is served; Redis 7.0's updateStatsOnUnblock). nullopt for the others (WAIT, a
    /// paused command). Read by the session after the reply arrived.
    struct Served {
        std::uint64_t ticks = 0;  ///< `detail::fast_ticks` spent formatting the reply (before posting it)
        bool failed = false;      ///< the reply is an error
    };
    [[nodiscard]] virtual std::optional<Served> served() const noexcept { return std::nullopt; }
};

/// A command CLIENT PAUSE holds back (Redis's BLOCKED_POSTPONE): the engine releases it when
/// the pause ends (`claim`, a post to the session's outbox, `finish`), or the session's tick
/// at the pause's end time does (`cancel`); either way the session runs it again, and it may
/// be held again if a new pause began meanwhile.
class PostponedCommand final : public BlockedCommand {
public:
    PostponedCommand(std::vector<std::string> argv, std::function<void(PostponedCommand*)> on_unregister)
        : m_argv(std::move(argv)), m_on_unregister(std::move(on_unregister)) {}
    bool cancel() override {
        int expected = waiting;
        return m_state.compare_exchange_strong(expected, cancelled, std::memory_order_acq_rel);
    }
    /// waiting -> claimed, for the releasing thread; false if the session cancelled it first.
    bool claim() noexcept {
        int expected = waiting;
        return m_state.compare_exchange_strong(expected, claimed, std::memory_order_acq_rel);
    }
    void finish() noexcept { m_state.store(done, std::memory_order_release); }
    [[nodiscard]] bool finished() const override { return m_state.load(std::memory_order_acquire) == done; }
    void unregister() override {
        if (m_on_unregister) std::exchange(m_on_unregister, nullptr)(this);
    }
    void timeout_reply(ReplyWriter&) override {}  // never answered: run again instead
    [[nodiscard]] std::vector<std::string>* retry_argv() noexcept override { return &m_argv; }

private:
    enum : int { waiting, cancelled, claimed, done };
    std::vector<std::string> m_argv;
    std::function<void(PostponedCommand*)> m_on_unregister;
    std::atomic<int> m_state{waiting};
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_SESSION_HPP
