#ifndef CACHET_RESP_REPLICATION_HPP
#define CACHET_RESP_REPLICATION_HPP

/// The master side of Redis's replication: what lets a real redis-server (or anything that
/// speaks PSYNC, such as `redis-cli --replica`) follow a cachet-server.
///
/// A replica synchronises with PSYNC (or the old SYNC): it receives an RDB snapshot of the
/// whole database (rdb.hpp), taken at one instant under the transaction gate, then the
/// replication stream: every write command that changed the data, as the client sent it, in
/// the order it ran, with SELECT where the database changes and MULTI/EXEC around a
/// transaction's writes, plus DEL for each key that expired or was evicted, the pops that
/// served blocked clients (LPOP, LMOVE, ZPOPMIN, ... as Redis rewrites them), SPOP as SREM of
/// the members popped, PUBLISH, and a PING every repl-ping-replica-period. The stream is
/// numbered by byte offset (master_repl_offset); the last repl-backlog-size bytes are kept, so
/// a replica that reconnects with PSYNC <replid> <offset> inside them continues (+CONTINUE)
/// instead of loading a snapshot again. Replicas acknowledge offsets (REPLCONF ACK), which
/// WAIT counts.
///
/// Order. cachet runs commands on several threads at once; a stream must list them in the
/// order they changed the data. While the feed is active (from the first replica's sync until
/// repl-backlog-ttl after the last one left), every command runs holding the feed's order
/// mutex, so RESP commands run one at a time, as in Redis, and each appends its own stream
/// entry before the next starts; reads of the embedding program are not affected, but its
/// direct writes through the Database are not replicated (they reach the replicas only
/// through a later full sync). Before the feed is active, commands hold only the transaction
/// gate's shared side (an uncontended per-thread counter), so the first sync sees no command
/// half done.
///
/// Thread-safety: every member is thread-safe.

#include <cachet/detail/config.hpp>
#include <cachet/resp/reply_writer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {

/// 40 random hex characters, as Redis's run ids, replication ids and cluster node ids
/// (getRandomHexChars): seeded from std::random_device, so two servers never share one.
[[nodiscard]] inline std::string random_run_id() {
    std::random_device rd;
    std::mt19937_64 g((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(40, '0');
    for (char& ch : id) ch = hex[g() & 15];
    return id;
}

/// One replica as INFO replication and ROLE report it.
struct ReplicaInfo {
    std::uint64_t client_id = 0;
    std::string ip;
    int port = 0;                ///< REPLCONF listening-port (0 if not sent)
    long long ack_offset = 0;    ///< last REPLCONF ACK
    long long lag_seconds = 0;   ///< since the last ACK
};

/// The replication stream and its replicas; `S` is the session type (Session<C>).
template <class S>
class ReplicationFeed {
public:
    using clock = std::chrono::steady_clock;

    ReplicationFeed() : m_replid(random_run_id()) {}
    ReplicationFeed(const ReplicationFeed&) = delete;
    ReplicationFeed& operator=(const ReplicationFeed&) = delete;

    // ------------------------------------------------------------------ ordering

    /// True while the stream is recorded (commands must then run under `order_mutex`).
    [[nodiscard]] bool active() const noexcept { return m_active.load(std::memory_order_acquire); }
    /// The mutex every command holds while the feed is active (see the file comment).
    [[nodiscard]] std::mutex& order_mutex() noexcept { return m_order; }

    /// Holds the order mutex for one top-level command, marking the thread as the holder so
    /// that what the command causes (expirations, served pops) is appended in order.
    class OrderLock {
    public:
        explicit OrderLock(ReplicationFeed& f) : m_feed(f), m_lock(f.m_order) { t_holder() = &f; }
        ~OrderLock() {
            m_feed.flush_deferred();
            t_holder() = nullptr;
        }
        OrderLock(const OrderLock&) = delete;
        OrderLock& operator=(const OrderLock&) = delete;

    private:
        ReplicationFeed& m_feed;
        std::lock_guard<std::mutex> m_lock;
    };

    // ------------------------------------------------------------------ the stream

    /// Appends a command run on database `db` (-1: no SELECT, as PING) to the stream. No-op
    /// while inactive.
    void feed(int db, std::span<const std::string_view> argv) {
        if (!active()) return;
        std::lock_guard lock(m_stream_mutex);
        append_locked(db, argv);
    }
    void feed(int db, std::initializer_list<std::string_view> argv) {
        feed(db, std::span<const std::string_view>(argv.begin(), argv.size()));
    }
    /// Appends `argv` after the command this thread is running (a pop that served a blocked
    /// client during a push goes after the push), or at once outside a command.
    void feed_after(int db, std::vector<std::string> argv) {
        if (!active()) return;
        if (t_holder() == this) {
            t_deferred().emplace_back(db, std::move(argv));
            return;
        }
        std::vector<std::string_view> v(argv.begin(), argv.end());
        feed(db, v);
    }
    /// EXEC: the transaction's writes go between MULTI and EXEC (only if it has any).
    void begin_transaction() {
        std::lock_guard lock(m_stream_mutex);
        m_multi_pending = active();
        m_in_multi = m_multi_pending;
    }
    void end_transaction() {
        std::lock_guard lock(m_stream_mutex);
        if (m_in_multi && !m_multi_pending && active()) append_locked(-1, {std::string_view("EXEC")});
        m_multi_pending = m_in_multi = false;
    }

    /// master_repl_offset: bytes of stream produced.
    [[nodiscard]] long long offset() const {
        std::lock_guard lock(m_stream_mutex);
        return m_offset;
    }
    [[nodiscard]] std::string replid() const {
        std::lock_guard lock(m_stream_mutex);
        return m_replid;
    }

    // ------------------------------------------------------------------ replicas

    /// Activates the feed (if needed) and makes `s` a replica at the current offset; the
    /// caller has sent it the snapshot taken in the same critical section. Returns the offset.
    /// Precondition: the caller holds the order mutex and the transaction gate exclusively.
    long long attach(S& s, std::string ip, int port, std::size_t backlog_size) {
        std::lock_guard lock(m_stream_mutex);
        if (!m_active.load(std::memory_order_relaxed)) {
            m_backlog.clear();
            m_backlog_start = m_offset + 1;
        }
        m_backlog_size = std::max<std::size_t>(backlog_size, 1);
        m_active.store(true, std::memory_order_release);
        m_stream_db = -1;  // the next command selects its database again
        m_replicas.push_back({&s, std::move(ip), port, m_offset, clock::now()});
        m_empty_since.reset();
        return m_offset;
    }
    /// PSYNC <replid> <offset>: if the backlog holds the stream from `offset` on, makes `s` a
    /// replica and returns the bytes it missed; otherwise nullopt (a full sync is needed).
    std::optional<std::string> try_continue(S& s, std::string_view replid, long long offset,
                                            std::string ip, int port) {
        std::lock_guard lock(m_stream_mutex);
        if (!m_active.load(std::memory_order_relaxed) || replid != m_replid ||
            offset < m_backlog_start || offset > m_backlog_start + static_cast<long long>(m_backlog.size()))
            return std::nullopt;
        m_replicas.push_back({&s, std::move(ip), port, offset - 1, clock::now()});
        m_empty_since.reset();
        return m_backlog.substr(static_cast<std::size_t>(offset - m_backlog_start));
    }
    /// Forgets `s` (its connection closed). No-op for a session that is not a replica.
    void detach(S& s) {
        std::lock_guard lock(m_stream_mutex);
        const auto before = m_replicas.size();
        std::erase_if(m_replicas, [&](const Replica& r) { return r.session == &s; });
        if (m_replicas.empty() && before != 0) m_empty_since = clock::now();
    }
    /// REPLCONF ACK from `s`.
    void acknowledge(S& s, long long offset) {
        std::vector<std::function<void()>> ready;
        {
            std::lock_guard lock(m_stream_mutex);
            for (auto& r : m_replicas)
                if (r.session == &s) {
                    r.ack_offset = std::max(r.ack_offset, offset);
                    r.ack_time = clock::now();
                }
            for (auto it = m_waiters.begin(); it != m_waiters.end();) {
                if (acked_locked(it->target) >= it->needed) {
                    ready.push_back(std::move(it->done));
                    it = m_waiters.erase(it);
                } else {
                    ++it;
                }
            }
        }
        for (auto& f : ready) f();
    }
    /// Replicas that acknowledged at least `offset`.
    [[nodiscard]] long long acked(long long offset) const {
        std::lock_guard lock(m_stream_mutex);
        return acked_locked(offset);
    }
    /// WAIT: calls `done()` (on the acknowledging replica's thread) once `needed` replicas
    /// acknowledged `target`, after asking them all (REPLCONF GETACK *); returns a handle for
    /// `cancel_wait`. If already enough, returns 0 and does not call `done`.
    std::uint64_t wait_for(long long target, long long needed, std::function<void()> done) {
        std::lock_guard lock(m_stream_mutex);
        if (acked_locked(target) >= needed) return 0;
        const std::uint64_t id = ++m_next_waiter;
        m_waiters.push_back({id, target, needed, std::move(done)});
        if (m_active.load(std::memory_order_relaxed))
            append_locked(-1, {std::string_view("REPLCONF"), std::string_view("GETACK"), std::string_view("*")});
        return id;
    }
    /// Removes a wait; false if it already completed (its `done` ran or is running).
    bool cancel_wait(std::uint64_t id) {
        std::lock_guard lock(m_stream_mutex);
        auto it = std::find_if(m_waiters.begin(), m_waiters.end(), [&](const Waiter& w) { return w.id == id; });
        if (it == m_waiters.end()) return false;
        m_waiters.erase(it);
        return true;
    }

    [[nodiscard]] std::vector<ReplicaInfo> replicas() const {
        std::lock_guard lock(m_stream_mutex);
        std::vector<ReplicaInfo> out;
        const auto now = clock::now();
        for (const auto& r : m_replicas)
            out.push_back({r.session->id(), r.ip, r.port, r.ack_offset,
                           std::chrono::duration_cast<std::chrono::seconds>(now - r.ack_time).count()});
        return out;
    }
    struct BacklogInfo {
        bool active = false;
        std::size_t size = 0;
        long long first_byte = 0;
        std::size_t histlen = 0;
    };
    [[nodiscard]] BacklogInfo backlog() const {
        std::lock_guard lock(m_stream_mutex);
        return {m_active.load(std::memory_order_relaxed), m_backlog_size, m_backlog_start, m_backlog.size()};
    }

    /// The periodic work (cachet-server's cron, about once a second): a PING into the stream
    /// every `ping_period`, and the end of the feed once there were no replicas for
    /// `backlog_ttl` (commands run concurrently again). The caller must not hold the order
    /// mutex (this takes it).
    void cron(std::chrono::seconds ping_period, std::chrono::seconds backlog_ttl) {
        if (!active()) return;
        const auto now = clock::now();
        bool ping = false, end = false;
        {
            std::lock_guard lock(m_stream_mutex);
            if (!m_replicas.empty() && now - m_last_ping >= ping_period) {
                ping = true;
                m_last_ping = now;
            }
            end = m_replicas.empty() && m_empty_since && backlog_ttl.count() > 0 &&
                  now - *m_empty_since >= backlog_ttl;
        }
        if (ping) {
            OrderLock lock(*this);
            feed(-1, {std::string_view("PING")});
        }
        if (end) {
            OrderLock lock(*this);
            std::lock_guard s(m_stream_mutex);
            if (m_replicas.empty()) {
                m_active.store(false, std::memory_order_release);
                m_backlog.clear();
                m_backlog.shrink_to_fit();
                m_empty_since.reset();
            }
        }
    }

private:
    struct Replica {
        S* session;
        std::string ip;
        int port;
        long long ack_offset;
        clock::time_point ack_time;
    };
    struct Waiter {
        std::uint64_t id;
        long long target;
        long long needed;
        std::function<void()> done;
    };

    static ReplicationFeed*& t_holder() noexcept {
        static thread_local ReplicationFeed* holder = nullptr;
        return holder;
    }
    static std::vector<std::pair<int, std::vector<std::string>>>& t_deferred() {
        static thread_local std::vector<std::pair<int, std::vector<std::string>>> d;
        return d;
    }
    void flush_deferred() {
        auto& d = t_deferred();
        if (d.empty()) return;
        auto items = std::move(d);
        d.clear();
        for (auto& [db, argv] : items) {
            std::vector<std::string_view> v(argv.begin(), argv.end());
            feed(db, v);
        }
    }

    long long acked_locked(long long target) const {
        long long n = 0;
        for (const auto& r : m_replicas) n += r.ack_offset >= target;
        return n;
    }

    void append_locked(int db, std::span<const std::string_view> argv) {
        std::string bytes;
        ReplyWriter w(bytes, Protocol::resp2);
        if (db >= 0 && db != m_stream_db) {
            w.array(2);
            w.bulk("SELECT");
            w.bulk(std::to_string(db));
            m_stream_db = db;
        }
        if (m_multi_pending && !(argv.size() == 1 && argv[0] == "EXEC")) {
            w.array(1);
            w.bulk("MULTI");
            m_multi_pending = false;
        }
        w.array(argv.size());
        for (auto a : argv) w.bulk(a);
        m_offset += static_cast<long long>(bytes.size());
        m_backlog += bytes;
        if (m_backlog.size() > m_backlog_size * 2) {  // trim in bulk: amortised O(1) per byte
            const std::size_t drop = m_backlog.size() - m_backlog_size;
            m_backlog.erase(0, drop);
            m_backlog_start += static_cast<long long>(drop);
        }
        for (const auto& r : m_replicas) r.session->post_replication(bytes);
    }
    void append_locked(int db, std::initializer_list<std::string_view> argv) {
        append_locked(db, std::span<const std::string_view>(argv.begin(), argv.size()));
    }

    std::mutex m_order;
    mutable std::mutex m_stream_mutex;
    std::atomic<bool> m_active{false};
    std::string m_replid;
    long long m_offset = 0;
    int m_stream_db = -1;
    bool m_multi_pending = false;  ///< in EXEC, MULTI not yet written (no write so far)
    bool m_in_multi = false;
    std::string m_backlog;
    long long m_backlog_start = 1;  ///< offset of m_backlog's first byte
    std::size_t m_backlog_size = 1 << 20;
    std::vector<Replica> m_replicas;
    std::optional<clock::time_point> m_empty_since;
    clock::time_point m_last_ping{};
    std::vector<Waiter> m_waiters;
    std::uint64_t m_next_waiter = 0;
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_REPLICATION_HPP
