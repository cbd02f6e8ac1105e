#ifndef CACHET_RESP_COMMANDS_BLOCKING_HPP
#define CACHET_RESP_COMMANDS_BLOCKING_HPP

/// What the blocking commands of every family share (BLPOP, BLMOVE, BLMPOP in lists.hpp;
/// BZPOPMIN, BZPOPMAX, BZMPOP in zsets.hpp): Redis's timeout argument, the locking of several
/// keys at once, and `BlockedClient`, the consumer a blocked client registers in a wait
/// registry (detail/wait_registry.hpp). A producer's write serves it under the key's lock
/// (`take`, the family's own) and, once its locks are released, calls `finish`, which formats
/// the reply in the client's protocol, posts it to the session's outbox (from which
/// `Session::collect_async` delivers it and unblocks the session) and marks it finished.

#include <cachet/detail/wait_registry.hpp>
#include <cachet/resp/engine.hpp>

#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace blocking {

inline constexpr std::string_view err_timeout_float = "ERR timeout is not a float or out of range";
inline constexpr std::string_view err_timeout_negative = "ERR timeout is negative";

/// Redis's getTimeoutFromObjectOrReply in seconds (7.0): the argument as a long double, times
/// 1000, rounded up (ceill) and converted to a long long as x86-64 converts (a value out of
/// range, infinities included, becomes LLONG_MIN, hence "negative"). Returns the timeout in
/// ms (0: no limit), or nullopt after writing the error.
[[nodiscard]] inline std::optional<long long> parse_timeout_ms(ReplyWriter& out,
                                                               std::string_view arg) {
    auto v = to_ld(arg);
    if (!v) {
        out.error(err_timeout_float);
        return std::nullopt;
    }
    const long double ms = std::ceil(*v * 1000.0L);
    long long t = LLONG_MIN;
    if (ms >= -9223372036854775808.0L && ms < 9223372036854775808.0L) t = static_cast<long long>(ms);
    if (t < 0) {
        out.error(err_timeout_negative);
        return std::nullopt;
    }
    return t;
}

/// The session deadline of a timeout of `ms` milliseconds from now (0, or too far away to
/// represent: none).
[[nodiscard]] inline std::optional<std::chrono::steady_clock::time_point> deadline_in(long long ms) {
    if (ms <= 0) return std::nullopt;
    return cachet::detail::wait_deadline(std::chrono::milliseconds(ms), err_timeout_negative.data());
}

using cachet::detail::with_refs;

/// A client blocked on keys of one container type, registered in `Registry` (a
/// detail::WaitRegistry over that type). Derived classes implement `take` (under the
/// producer's locks: move what the client wants out of the container; must not throw, set
/// `m_failed` instead), `write_reply` (on the producer's thread after its locks are released)
/// and `timeout_reply`.
template <Clock C, class Container, class Registry>
class BlockedClient : public BlockedCommand,
                      public cachet::detail::BlockedConsumer<std::string, Container> {
public:
    BlockedClient(Session<C>& session, Registry& registry) noexcept
        : m_session(session), m_registry(registry) {}

    /// Formats and posts the reply, then marks this consumer finished: the last touch, the
    /// session may destroy it right after.
    void finish() final {
        const std::uint64_t t0 = cachet::detail::fast_ticks();
        std::string reply;
        try {
            ReplyWriter w(reply, m_session.protocol());
            if (m_failed) w.error("ERR out of memory");
            else write_reply(w);
        } catch (...) {
            reply = "-ERR out of memory\r\n";
        }
        // Before the post: the session reads them once the reply has arrived.
        m_served.failed = !reply.empty() && reply[0] == '-';
        m_served.ticks = cachet::detail::fast_ticks() - t0;
        m_session.outbox().post(reply, /*unblock=*/true);
        m_finished.store(true, std::memory_order_release);
    }

    bool cancel() final { return this->try_cancel(); }
    [[nodiscard]] std::optional<Served> served() const noexcept final { return m_served; }
    [[nodiscard]] bool finished() const final { return m_finished.load(std::memory_order_acquire); }
    /// Leaves every key's queue; if a producer claimed this consumer, waits for its `finish`
    /// to return, so the session may destroy it.
    void unregister() final {
        m_registry.remove(this);
        if (this->state() == cachet::detail::BlockedConsumer<std::string, Container>::State::served)
            while (!finished()) std::this_thread::yield();
    }

    /// Registers on each distinct key of `keys`; call under their shard locks, after finding
    /// them all empty. On failure (allocation) leaves every queue it joined and rethrows.
    void register_on(std::span<const std::string> keys) {
        try {
            for (std::size_t i = 0; i < keys.size(); ++i) {
                bool seen = false;
                for (std::size_t j = 0; j < i && !seen; ++j) seen = keys[j] == keys[i];
                if (!seen) m_registry.add(keys[i], this);
            }
        } catch (...) {
            m_registry.remove(this);  // still under the shard locks: nobody claimed it yet
            throw;
        }
    }

    /// After an exception during a check-and-register: the registration is undone (waiting
    /// for a producer that claimed it meanwhile to finish).
    void abandon() noexcept {
        if (!cancel())
            while (!finished()) std::this_thread::yield();
        m_registry.remove(this);
    }

    /// This client took the last elements of a key its producer had just created: its pop is
    /// followed by the key's deletion, as in Redis (`announce_pop`).
    void emptied_new_key() noexcept final { m_emptied = true; }

protected:
    /// The reply to a served client, in its protocol. Runs on the producer's thread, after its
    /// locks are released.
    virtual void write_reply(ReplyWriter& w) = 0;

    /// Publishes this client's pop of `key` in database `db` (`event`: "lpop", "zpopmin", ...),
    /// then "del" if it emptied a key its producer had created, unless `refilled` (a BLMOVE
    /// that pushed the element back into its source).
    void announce_pop(int db, const std::string& key, std::string_view event,
                      bool refilled = false) {
        auto& database = m_session.engine().database();
        database.notify(db, event, key);
        if (m_emptied && !refilled) database.notify(db, "del", key);
    }

    /// Feeds this client's pop to the replicas, as the non-blocking command Redis rewrites
    /// it to (LPOP, LMOVE, ZPOPMIN, ...), after the producer's own command.
    void replicate_pop(int db, std::vector<std::string> argv) {
        m_session.engine().replication().feed_after(db, std::move(argv));
    }

    Session<C>& m_session;
    Registry& m_registry;
    bool m_failed = false;   ///< `take` could not allocate: the client gets an error
    bool m_emptied = false;  ///< see emptied_new_key

private:
    std::atomic<bool> m_finished{false};
    Served m_served;  ///< written by `finish` before it posts the reply
};

/// Runs a blocking command's atomic check-and-register, `f(refs)` under the locks of
/// `lock_keys` (see `with_refs`); `f` may create the consumer `w` and register it. If `f` or
/// the locking throws (WRONGTYPE found after registering, an allocation), a consumer already
/// registered is abandoned before the exception propagates.
template <class Backend, class Blocked, class F>
bool check_or_register(Backend& backend, std::unique_ptr<Blocked>& w,
                       std::span<const std::string> lock_keys, F&& f) {
    try {
        return with_refs(backend, lock_keys, f);
    } catch (...) {
        if (w) {
            w->abandon();
            w.reset();
        }
        throw;
    }
}

}  // namespace blocking
}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_BLOCKING_HPP
