#ifndef CACHET_RESP_ENGINE_HPP
#define CACHET_RESP_ENGINE_HPP

/// The RESP command layer: bytes in, replies out, no sockets. `Engine` is the shared part (the
/// Database it serves, the command table, CONFIG, the client list, statistics); `Session` is
/// one connection's state (selected database, protocol version, authentication, name,
/// subscriptions, transaction, blocked command) as a plain object that a network adapter
/// feeds with the bytes it reads and drains of the replies it must write. The whole layer is
/// therefore testable and fuzzable in-process.
///
/// ```cpp
/// cachet::Database db;
/// cachet::resp::Engine engine(db);
/// cachet::resp::Session session(engine);
/// session.process("*1\r\n$4\r\nPING\r\n");   // returns the bytes consumed
/// assert(session.output() == "+PONG\r\n");
/// ```
///
/// Threading. An Engine is shared by every connection and thread (every member is
/// thread-safe). A Session belongs to one thread, its connection's I/O thread: `process`,
/// `output`, `collect_async`, `on_tick` and `close` are called by that thread only. Other
/// threads reach a session only through its outbox: pub/sub messages, and the reply of a
/// blocked command served by another client's push (or by the embedding program's), are
/// posted there, and the callback installed with `set_waker` tells the owning thread to call
/// `collect_async`.
///
/// Execution. `process` runs every complete command in its input before it returns, so a
/// network adapter writes all their replies at once. Each command is atomic (it takes the
/// shard locks of its keys; EXEC holds every other command off). A blocked command (BLPOP)
/// stops the session's processing until it is served or times out; the rest of the input
/// waits, as in Redis.

#include <cachet/detail/fast_clock.hpp>
#include <cachet/resp/cluster.hpp>
#include <cachet/resp/command.hpp>
#include <cachet/resp/latency_histogram.hpp>
#include <cachet/resp/replication.hpp>
#include <cachet/resp/session.hpp>
#include <cachet/resp/tracking.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {

template <Clock C>
using CommandTable = std::map<std::string, CommandSpec<C>, std::less<>>;

// Command families, defined in their own headers (included at the end of this one).
template <Clock C>
void register_connection_commands(CommandTable<C>& t);
template <Clock C>
void register_server_commands(CommandTable<C>& t);
template <Clock C>
void register_key_commands(CommandTable<C>& t);
template <Clock C>
void register_string_commands(CommandTable<C>& t);
template <Clock C>
void register_pubsub_commands(CommandTable<C>& t);
template <Clock C>
void register_transaction_commands(CommandTable<C>& t);
template <Clock C>
void register_list_commands(CommandTable<C>& t);
template <Clock C>
void register_hash_commands(CommandTable<C>& t);
template <Clock C>
void register_set_commands(CommandTable<C>& t);
template <Clock C>
void register_zset_commands(CommandTable<C>& t);
template <Clock C>
void register_object_commands(CommandTable<C>& t);
template <Clock C>
void register_admin_commands(CommandTable<C>& t);
template <Clock C>
void register_hyperloglog_commands(CommandTable<C>& t);
template <Clock C>
void register_sort_commands(CommandTable<C>& t);
template <Clock C>
void register_bitmap_commands(CommandTable<C>& t);
template <Clock C>
void register_geo_commands(CommandTable<C>& t);
template <Clock C>
void register_replication_commands(CommandTable<C>& t);
template <Clock C>
void register_cluster_commands(CommandTable<C>& t);
template <Clock C>
std::optional<std::vector<std::string>> absolute_expiry(Engine<C>& engine, std::size_t db,
                                                         std::span<const std::string_view> argv,
                                                         std::string_view name);
template <Clock C>
void register_config_params(Engine<C>& e);

/// What CLIENT LIST and INFO clients report of a session.
struct ClientInfo {
    std::uint64_t id = 0;
    std::string addr;   ///< peer "ip:port"
    std::string laddr;  ///< local "ip:port"
    int fd = -1;
    std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
};

/// What a pub/sub subscription names: a channel (SUBSCRIBE), a pattern (PSUBSCRIBE) or a
/// shard channel (SSUBSCRIBE, Redis 7's sharded pub/sub: a namespace of its own, whose
/// messages SPUBLISH sends as "smessage").
enum class SubscriptionKind : std::uint8_t { channel, pattern, shard_channel };

/// The commands that (un)subscribe: allowed in RESP2 subscriber mode, and answered even while
/// CLIENT REPLY is off (Redis's CLIENT_PUSHING).
[[nodiscard]] inline bool subscription_command(std::string_view name) noexcept {
    return name == "subscribe" || name == "psubscribe" || name == "ssubscribe" || name == "unsubscribe" ||
           name == "punsubscribe" || name == "sunsubscribe";
}

/// A session's CLIENT TRACKING state, as bits (Redis's CLIENT_TRACKING_* flags).
enum TrackingFlag : std::uint8_t {
    trk_on = 1,
    trk_bcast = 2,
    trk_optin = 4,
    trk_optout = 8,
    trk_noloop = 16,
    trk_caching = 32,  ///< CLIENT CACHING given for the next command
    trk_broken = 64,   ///< the redirection's client is gone
};

/// What CLIENT PAUSE holds back (Redis's CLIENT_PAUSE_* types, in order of strictness).
enum PauseType : std::uint8_t { pause_none = 0, pause_write = 1, pause_all = 2 };

/// One RESP connection: see the file comment.
template <Clock C = SteadyClock>
class Session {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit Session(Engine<C>& engine, ClientInfo info = {});
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session() { close(); }

    /// Executes every complete command at the front of `input`; returns how many bytes it
    /// consumed (the caller drops them and keeps the rest for the next call, with more bytes
    /// appended). Stops early when a command blocks or the session must close. Replies go to
    /// `output()`. A protocol error replies Redis's error and marks the session closing.
    std::size_t process(std::string_view input);

    /// The replies not yet written. The caller sends and erases from the front.
    [[nodiscard]] std::string& output() noexcept { return m_out; }

    /// True once the connection must be closed after `output()` is written (QUIT, a protocol
    /// error, CLIENT KILL, an output buffer limit, SHUTDOWN).
    [[nodiscard]] bool closing() const noexcept {
        return m_closing.load(std::memory_order_relaxed) || m_killed.load(std::memory_order_acquire) ||
               m_outbox.overflow();
    }
    /// Asks the session to close (CLIENT KILL, from any thread); the owner's waker runs.
    void kill() {
        m_killed.store(true, std::memory_order_release);
        m_outbox.post({});
    }

    /// Installs the callback other threads call (on any thread, without locks of the session
    /// held) when they posted output for this session; it should wake the owning thread, which
    /// then calls `collect_async`.
    void set_waker(std::function<void()> w) { m_outbox.set_waker(std::move(w)); }

    /// Moves output posted by other threads into `output()`; if it completes the blocked
    /// command, unblocks the session. Returns true if the session became unblocked (the
    /// caller should call `process` again with its pending input).
    bool collect_async();

    /// True while a blocking command waits, or CLIENT PAUSE holds a command back.
    [[nodiscard]] bool blocked() const noexcept { return m_is_blocked.load(std::memory_order_relaxed); }
    /// True while CLIENT PAUSE holds a command back. Thread-safe.
    [[nodiscard]] bool postponed() const noexcept { return m_postponed.load(std::memory_order_acquire); }
    /// The pause ended (Engine::unpause_clients): the held command runs again when the owning
    /// thread next collects the outbox.
    void wake_postponed() { (void)m_outbox.post({}, true); }
    /// When the blocked command times out (nullopt: never, or not blocked).
    [[nodiscard]] std::optional<time_point> block_deadline() const noexcept {
        return m_blocked ? m_block_deadline : std::nullopt;
    }
    /// Times out the blocked command if its deadline has passed. Returns true if it unblocked.
    bool on_tick(time_point now);

    /// Ends the session: cancels a blocked command, unsubscribes, unwatches. Idempotent.
    void close();

    /// Appends `bytes` to what the connection sends next, from any thread (a MONITOR line);
    /// over `hard_limit` pending bytes (0: none) the connection is closed instead.
    void post(std::string_view bytes, std::size_t hard_limit = 0) {
        (void)m_outbox.post(bytes, false, hard_limit, 0);  // m_out belongs to the owning thread
    }
    /// CLIENT UNBLOCK, from any thread: if the session is blocked, its thread ends the
    /// command as a timeout would (`error`: with Redis's -UNBLOCKED error) when it next
    /// collects its outbox. Returns whether it was blocked.
    /// A command held back by CLIENT PAUSE is not blocked in this sense (0, as Redis 7.2+;
    /// 7.0 crashes on it).
    bool request_unblock(bool error) {
        if (!blocked() || postponed()) return false;
        m_outbox.request_unblock(error ? 2 : 1);
        return true;
    }
    /// MONITOR: from now on this connection receives every command the server runs.
    /// Returns false if it already does.
    bool start_monitor() {
        if (m_monitor.exchange(true)) return false;
        m_engine.add_monitor(*this);
        return true;
    }
    [[nodiscard]] bool monitoring() const noexcept { return m_monitor.load(std::memory_order_relaxed); }

    // replication (see replication.hpp)
    /// True once this connection is a replica (after SYNC/PSYNC). Thread-safe.
    [[nodiscard]] bool is_replica() const noexcept { return m_replica.load(std::memory_order_relaxed); }
    /// Makes this connection a replica: from now on it receives the replication stream and
    /// no replies (a replica only sends REPLCONF ACK, which has none).
    void become_replica() noexcept { m_replica.store(true, std::memory_order_relaxed); }
    /// True once the replica acknowledged an offset: it has loaded the snapshot, so from now
    /// on the replica output buffer limit applies (the snapshot itself is exempt, as in
    /// Redis). Thread-safe.
    [[nodiscard]] bool replica_online() const noexcept { return m_replica_online.load(std::memory_order_relaxed); }
    void set_replica_online() noexcept { m_replica_online.store(true, std::memory_order_relaxed); }
    /// Appends replication stream bytes, from any thread, within the replica output buffer
    /// limit (client-output-buffer-limit replica; over its hard limit the link is closed).
    void post_replication(std::string_view bytes) {
        (void)m_outbox.post(bytes, false, m_engine.output_limit(1).hard, 0);
    }
    /// REPLCONF options a replica sent before PSYNC.
    struct ReplicaHandshake {
        int listening_port = 0;
        std::string ip;
        bool rdb_only = false;
    };
    [[nodiscard]] ReplicaHandshake& replica_handshake() noexcept { return m_handshake; }
    /// The stream offset after this client's last write (WAIT waits for replicas to reach it).
    [[nodiscard]] long long write_offset() const noexcept { return m_write_offset; }
    /// For a command whose effect must reach replicas as other commands (SPOP as SREM of
    /// what it popped): what to feed instead of its own arguments; empty: nothing.
    void propagate_as(std::vector<std::string> argv) { m_propagate_as = std::move(argv); }

    // ------------------------------------------------------------------ state, for commands

    [[nodiscard]] Engine<C>& engine() noexcept { return m_engine; }
    [[nodiscard]] std::size_t db_index() const noexcept { return m_db.load(std::memory_order_relaxed); }
    void select(std::size_t db) noexcept { m_db.store(db, std::memory_order_relaxed); }
    [[nodiscard]] Protocol protocol() const noexcept {
        return static_cast<Protocol>(m_protocol.load(std::memory_order_acquire));
    }
    void set_protocol(Protocol p) noexcept {
        m_protocol.store(static_cast<std::uint8_t>(p), std::memory_order_release);
        m_writer.set_protocol(p);
    }
    [[nodiscard]] bool authenticated() const noexcept { return m_authenticated; }
    void set_authenticated(bool a) noexcept {
        m_authenticated = a;
        m_parser.set_authenticated(a || !auth_required_by_server());
    }
    /// The client's name (CLIENT SETNAME). A copy: other threads read it (CLIENT LIST).
    [[nodiscard]] std::string name() const {
        std::lock_guard lock(m_name_mutex);
        return m_name;
    }
    void set_name(std::string n) {
        std::lock_guard lock(m_name_mutex);
        m_name = std::move(n);
    }
    [[nodiscard]] const ClientInfo& info() const noexcept { return m_info; }
    [[nodiscard]] std::uint64_t id() const noexcept { return m_info.id; }
    /// The last command run, as CLIENT LIST names it ("get", "client|list"), "NULL" before any.
    /// Thread-safe.
    [[nodiscard]] std::string last_command() const {
        const CommandSpec<C>* spec = m_last_spec.load(std::memory_order_acquire);
        const CommandSpec<C>* parent = m_last_parent.load(std::memory_order_acquire);
        if (!spec) return "NULL";
        return parent ? parent->name + "|" + spec->name : spec->name;
    }
    /// When the client last sent a command. Thread-safe.
    [[nodiscard]] time_point last_interaction() const noexcept {
        return time_point(time_point::duration(m_last_interaction.load(std::memory_order_relaxed)));
    }
    [[nodiscard]] Outbox& outbox() noexcept { return m_outbox; }
    [[nodiscard]] RequestParser& parser() noexcept { return m_parser; }
    /// Marks the session to close after its pending output (QUIT).
    void close_after_reply() noexcept { m_closing.store(true, std::memory_order_relaxed); }

    // pub/sub
    /// Subscriptions to channels plus patterns (what (P)SUBSCRIBE's replies count; shard
    /// channels are counted apart, as Redis's clientSubscriptionsCount). Thread-safe.
    [[nodiscard]] std::size_t subscriptions() const noexcept { return channel_count() + pattern_count(); }
    [[nodiscard]] std::size_t channel_count() const noexcept { return m_sub_count[0].load(std::memory_order_relaxed); }
    [[nodiscard]] std::size_t pattern_count() const noexcept { return m_sub_count[1].load(std::memory_order_relaxed); }
    [[nodiscard]] std::size_t shard_channel_count() const noexcept {
        return m_sub_count[2].load(std::memory_order_relaxed);
    }
    /// Subscribed to anything, shard channels included (Redis's CLIENT_PUBSUB: the pubsub
    /// client class, flag P, exempt from `timeout`). Thread-safe.
    [[nodiscard]] bool subscriber() const noexcept { return subscriptions() + shard_channel_count() > 0; }
    /// SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE one name; returns false if already subscribed.
    bool subscribe(std::string_view name, SubscriptionKind kind);
    /// UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE one name; returns false if not subscribed.
    bool unsubscribe(std::string_view name, SubscriptionKind kind);
    /// The names subscribed to, sorted.
    [[nodiscard]] std::vector<std::string> subscribed(SubscriptionKind kind) const;
    /// RESP2 subscriber mode: only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT, RESET allowed.
    [[nodiscard]] bool in_pubsub_context() const noexcept { return subscriber() && protocol() == Protocol::resp2; }

    // CLIENT REPLY and NO-EVICT
    /// CLIENT REPLY ON / OFF / SKIP: OFF drops every reply until ON; SKIP drops the next
    /// command's. Replies of the subscribe family and pushed messages still go (Redis's
    /// CLIENT_PUSHING). Applies to what the client's own commands answer (see `execute`).
    void set_reply_mode(std::string_view mode) noexcept {
        if (iequals(mode, "on")) m_reply_off = m_reply_skip = false;
        else if (iequals(mode, "off")) m_reply_off = true;
        else if (!m_reply_off) m_reply_skip_next = true;  // skip
    }
    /// CLIENT NO-EVICT (flag 'e'); cachet never evicts clients for memory, so it only shows.
    void set_no_evict(bool on) noexcept { m_no_evict.store(on, std::memory_order_relaxed); }
    [[nodiscard]] bool no_evict() const noexcept { return m_no_evict.load(std::memory_order_relaxed); }

    // client-side caching (CLIENT TRACKING; see Engine::tracking_invalidate)
    /// The tracking flags (`TrackingFlag`). Thread-safe.
    [[nodiscard]] std::uint8_t tracking_flags() const noexcept { return m_tracking.load(std::memory_order_acquire); }
    [[nodiscard]] bool tracking() const noexcept { return tracking_flags() & trk_on; }
    /// The client invalidations go to (0: this one). Thread-safe.
    [[nodiscard]] std::uint64_t tracking_redirect() const noexcept { return m_tracking_redirect.load(std::memory_order_acquire); }
    /// The prefixes followed in BCAST mode, sorted. Owning thread only.
    [[nodiscard]] const std::set<std::string, std::less<>>& tracking_prefixes() const noexcept { return m_tracking_prefixes; }
    /// CLIENT TRACKING ON: `options` of trk_bcast, trk_optin, trk_optout, trk_noloop; BCAST
    /// follows `prefixes` besides those already followed (none given: every key). The caller
    /// has checked the options as Redis does (client_tracking).
    void enable_tracking(std::uint64_t redirect, std::uint8_t options, std::span<const std::string_view> prefixes);
    /// CLIENT TRACKING OFF (also RESET and closing): forgets the prefixes and every flag.
    void disable_tracking();
    /// CLIENT CACHING YES / NO: the next command's keys are (OPTIN) or are not (OPTOUT) tracked.
    void set_tracking_caching() noexcept { m_tracking.fetch_or(trk_caching, std::memory_order_acq_rel); }
    /// The redirection's client is gone (flag R, `broken_redirect`). Thread-safe.
    void set_tracking_broken() noexcept { m_tracking.fetch_or(trk_broken, std::memory_order_acq_rel); }
    /// Invalidations of keys this session changed itself, sent after its reply (owning thread).
    [[nodiscard]] std::vector<std::optional<std::string>>& tracking_pending() noexcept { return m_tracking_pending; }
    /// The keys this session's command changed while BCAST followers exist (owning thread).
    [[nodiscard]] std::set<std::string, std::less<>>& tracking_changed() noexcept { return m_tracking_changed; }
    /// Adds a push message to the output: now if `direct` (owning thread, between replies),
    /// else through the outbox (any thread), after the reply of the command the session may
    /// be running (Outbox::post_late), within the pub/sub output limit.
    void deliver(std::string_view bytes, bool direct) {
        if (direct) m_out += bytes;
        else (void)m_outbox.post_late(bytes, m_engine.output_limit(2).hard);
    }

    // transactions
    /// Thread-safe.
    [[nodiscard]] bool in_multi() const noexcept { return m_multi.load(std::memory_order_relaxed); }
    void begin_multi() noexcept {
        m_multi.store(true, std::memory_order_relaxed);
        m_multi_error = false;
        m_queued.clear();
        m_queued_count.store(0, std::memory_order_relaxed);
    }
    void discard_multi() noexcept {
        m_multi.store(false, std::memory_order_relaxed);
        m_multi_error = false;
        m_queued.clear();
        m_queued_count.store(0, std::memory_order_relaxed);
        unwatch_all();
    }
    /// CLIENT LIST's multi=: the commands queued in MULTI, or -1 outside one. Thread-safe.
    [[nodiscard]] long long multi_queued() const noexcept {
        return in_multi() ? static_cast<long long>(m_queued_count.load(std::memory_order_relaxed)) : -1;
    }
    [[nodiscard]] bool multi_error() const noexcept { return m_multi_error; }
    /// EXEC: runs the queued commands atomically and writes their replies as an array, or a
    /// null array if a watched key changed. Precondition: in MULTI, no queuing error.
    void exec_queued(ReplyWriter& out);
    void watch(std::string_view key);
    void unwatch_all();
    [[nodiscard]] std::size_t watched_count() const noexcept { return m_watched.size(); }

    // blocking
    /// Blocks the session on `cmd` until it is served (its reply arrives through the outbox)
    /// or `deadline` passes (then `cmd->timeout_reply`).
    void block(std::unique_ptr<BlockedCommand> cmd, std::optional<time_point> deadline) {
        m_blocked = std::move(cmd);
        m_block_deadline = deadline;
        m_is_blocked.store(true, std::memory_order_relaxed);
        m_engine.count_blocked(+1);
    }

    /// Runs one command (argv[0] its name) and writes its reply: the dispatcher, with Redis's
    /// checks in Redis's order (existence, arity, authentication, pub/sub context, MULTI
    /// queuing, OOM). `in_exec`: called by EXEC for a queued command.
    void execute(std::span<const std::string_view> argv, bool in_exec = false);
    /// Runs one command for a Lua script running on this session (scripting.hpp) and returns
    /// its reply's bytes in protocol `p` (pushes it caused first), leaving the output as it was.
    std::string call_for_script(std::span<const std::string_view> argv, Protocol p);

    [[nodiscard]] ReplyWriter& writer() noexcept { return m_writer; }

    /// Commands this session ran since it opened (or CONFIG RESETSTAT). Thread-safe.
    [[nodiscard]] std::uint64_t commands_processed() const noexcept {
        return m_commands.load(std::memory_order_relaxed);
    }
    void reset_command_count() noexcept {
        m_commands.store(0, std::memory_order_relaxed);
    }

private:
    /// Completes a served command's statistics (see the definition).
    void account_served(const BlockedCommand& cmd);
    void unblock() noexcept {
        m_block_spec = nullptr;
        m_block_argv.clear();
        m_postponed.store(false, std::memory_order_release);
        m_blocked.reset();
        m_block_deadline.reset();
        m_is_blocked.store(false, std::memory_order_relaxed);
        m_engine.count_blocked(-1);
    }
    [[nodiscard]] bool auth_required_by_server() const;
    /// Whether the pause in force holds back `spec` (EXEC: if a queued command would be).
    [[nodiscard]] bool held_by_pause(const CommandSpec<C>* spec, std::uint8_t pause) const;
    /// Runs the command a pause held back (it was released, or the pause's time is up).
    void run_released(BlockedCommand& held);
    void write_push_message(std::string& buf, std::string_view kind, std::string_view pattern,
                            std::string_view channel, std::string_view message) const;

    Engine<C>& m_engine;
    ClientInfo m_info;
    bool m_script_call = false;  ///< running a command a script called (call_for_script)
    bool m_reply_off = false, m_reply_skip = false, m_reply_skip_next = false;  ///< CLIENT REPLY
    std::atomic<bool> m_no_evict{false};
    std::string m_out;
    ReplyWriter m_writer{m_out};
    RequestParser m_parser;
    // What other threads may read (CLIENT LIST, INFO, CLIENT KILL) is atomic or locked; the
    // owning thread is the only writer.
    std::atomic<std::size_t> m_db{0};
    std::atomic<std::uint8_t> m_protocol{2};
    bool m_authenticated = false;
    std::atomic<bool> m_closing{false};
    bool m_closed = false;
    std::atomic<bool> m_killed{false};
    mutable std::mutex m_name_mutex;
    std::string m_name;
    std::atomic<const CommandSpec<C>*> m_last_spec{nullptr}, m_last_parent{nullptr};
    std::atomic<time_point::rep> m_last_interaction{
        std::chrono::steady_clock::now().time_since_epoch().count()};
    std::atomic<std::size_t> m_sub_count[3] = {0, 0, 0};  ///< by SubscriptionKind
    std::atomic<bool> m_is_blocked{false};
    std::atomic<std::uint64_t> m_commands{0};  ///< summed into the engine's total on close
    std::atomic<bool> m_monitor{false};
    std::uint64_t m_error_replies = 0;  ///< error replies written (INFO commandstats' failed_calls)
    std::uint64_t m_error_mark = 0;     ///< m_error_replies when the last command ended

    Outbox m_outbox;  // before the subscriptions: their handlers post into it
    /// By SubscriptionKind: channels, patterns, shard channels.
    std::map<std::string, typename PubSubBus<std::string>::Subscription, std::less<>> m_subs[3];

    std::atomic<bool> m_multi{false};
    bool m_multi_error = false;
    std::vector<std::vector<std::string>> m_queued;
    std::atomic<std::size_t> m_queued_count{0};  ///< m_queued.size(), for other threads
    WatchState m_watch;
    struct Watched {
        std::size_t db;
        std::string key;
        bool existed;
    };
    std::vector<Watched> m_watched;

    std::unique_ptr<BlockedCommand> m_blocked;
    // The command that blocked: its run time then, its spec and arguments (account_served).
    std::uint64_t m_block_ticks = 0;
    const CommandSpec<C>* m_block_spec = nullptr;
    std::vector<std::string> m_block_argv;
    std::atomic<bool> m_postponed{false};  ///< m_blocked is a PostponedCommand
    std::optional<time_point> m_block_deadline;
    std::uint64_t m_limits_seen = 0;

    std::atomic<bool> m_replica{false}, m_replica_online{false};
    ReplicaHandshake m_handshake;
    long long m_write_offset = 0;

    std::optional<std::vector<std::string>> m_propagate_as;

    std::atomic<std::uint8_t> m_tracking{0};  ///< TrackingFlag bits
    std::atomic<std::uint64_t> m_tracking_redirect{0};
    std::set<std::string, std::less<>> m_tracking_prefixes;
    std::vector<std::optional<std::string>> m_tracking_pending;  ///< nullopt: a flush
    std::set<std::string, std::less<>> m_tracking_changed;
    void remember_tracked_keys(const CommandSpec<C>* spec, std::span<const std::string_view> argv);

    void run(std::span<const std::string_view> argv, const CommandSpec<C>* spec, bool in_exec);
    bool busy_script(std::span<const std::string_view> argv, const CommandSpec<C>* spec);
    void replicate(std::span<const std::string_view> argv, const CommandSpec<C>* spec, std::size_t db,
                   std::uint64_t errors_before);
    std::optional<std::string> cluster_error(const CommandSpec<C>* spec, std::span<const std::string_view> argv);
};

/// The shared side of the RESP layer: see the file comment.
template <Clock C = SteadyClock>
class Engine {
public:
    using database_type = BasicDatabase<C>;
    using session_type = Session<C>;

    /// An engine serving `db`, configured by `options`. Builds the command table and the
    /// CONFIG parameters (defined after the class, so a program may instantiate it once:
    /// `extern template class cachet::resp::Engine<C>;` elsewhere).
    explicit Engine(database_type& db, EngineOptions options = {});
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    ~Engine() {
        m_db.observe_modifications(false);
        m_db.set_modified_observer(nullptr);
        m_db.set_reclaim_observer(nullptr);
    }

    [[nodiscard]] database_type& database() noexcept { return m_db; }
    /// The replication stream and its replicas (replication.hpp).
    [[nodiscard]] ReplicationFeed<session_type>& replication() noexcept { return m_repl; }
    /// About once a second (cachet-server's cron): a PING to replicas every
    /// repl-ping-replica-period, the end of the stream repl-backlog-ttl after the last replica.
    void replication_cron() {
        if (!m_repl.active()) return;
        const auto num = [&](const char* name, long long dflt) {
            long long v = 0;
            return cachet::detail::string2ll(config_value(name), v) ? v : dflt;
        };
        m_repl.cron(std::chrono::seconds(num("repl-ping-replica-period", 10)),
                    std::chrono::seconds(num("repl-backlog-ttl", 3600)));
    }
    /// Cluster mode over a static topology (cluster.hpp): from now on commands on keys of
    /// another node's slots are redirected (-MOVED), SELECT other than 0 is refused, and
    /// CLUSTER describes the topology. Call before serving (not thread-safe).
    void enable_cluster(ClusterTopology topology) {
        m_cluster = std::make_unique<const ClusterTopology>(std::move(topology));
    }
    /// The topology, or nullptr when cluster mode is off.
    [[nodiscard]] const ClusterTopology* cluster() const noexcept { return m_cluster.get(); }
    /// LASTSAVE: Unix seconds of the last successful SAVE/BGSAVE (the start until one).
    [[nodiscard]] long long last_save() const noexcept { return m_last_save.load(std::memory_order_relaxed); }
    /// Records a SAVE / BGSAVE that took `seconds` and succeeded (at `unix_seconds`, for
    /// LASTSAVE) or failed (INFO persistence's rdb_saves, rdb_last_bgsave_status,
    /// rdb_last_bgsave_time_sec). Thread-safe.
    void note_save(bool ok, long long seconds, long long unix_seconds = 0) noexcept {
        if (ok) {
            m_saves.fetch_add(1, std::memory_order_relaxed);
            m_last_save.store(unix_seconds, std::memory_order_relaxed);
        }
        m_last_save_ok.store(ok, std::memory_order_relaxed);
        m_last_save_seconds.store(seconds, std::memory_order_relaxed);
    }
    [[nodiscard]] long long saves() const noexcept { return m_saves.load(std::memory_order_relaxed); }
    [[nodiscard]] bool last_save_ok() const noexcept { return m_last_save_ok.load(std::memory_order_relaxed); }
    /// -1 before the first save, as Redis's rdb_last_bgsave_time_sec.
    [[nodiscard]] long long last_save_seconds() const noexcept {
        return m_last_save_seconds.load(std::memory_order_relaxed);
    }
    /// INFO's run_id: 40 random hex digits, new for every Engine (a restart is visible).
    [[nodiscard]] const std::string& run_id() const noexcept { return m_run_id; }
    /// INFO's config_file: the configuration file the server was started with ("" for none).
    /// Call before serving (not thread-safe).
    void set_config_file(std::string path) { m_config_file = std::move(path); }
    [[nodiscard]] const std::string& config_file() const noexcept { return m_config_file; }
    /// Runs `f` as one command runs (see replication.hpp): holding the transaction gate's
    /// shared side while no replica is attached, the feed's order mutex while one is.
    /// `exclusive`: `f` takes the gate exclusively itself (EXEC, SWAPDB, a sync): then it
    /// always holds the order mutex.
    template <class F>
    void ordered(bool exclusive, F&& f) {
        if (CACHET_UNLIKELY(exclusive)) {
            typename ReplicationFeed<session_type>::OrderLock lock(m_repl);
            f();
            return;
        }
        {
            cachet::detail::ExecGate::Shared g(m_db.gate());
            if (CACHET_LIKELY(!m_repl.active())) {
                f();
                return;
            }
        }
        typename ReplicationFeed<session_type>::OrderLock lock(m_repl);
        f();
    }
    [[nodiscard]] const CommandTable<C>& commands() const noexcept { return m_commands; }
    /// Adds an optional command family after construction (scripting.hpp's `enable_scripting`):
    /// `reg` adds its commands to the table, then the index is rebuilt. Call it before any
    /// session runs a command (not thread-safe against running commands).
    void add_commands(void (*reg)(CommandTable<C>&)) {
        reg(m_commands);
        index_commands();
    }
    /// State an optional family keeps with the engine (the scripting engine), type-erased: the
    /// engine only keeps it alive. Set before serving, as `add_commands`.
    void set_extension(std::shared_ptr<void> x) noexcept { m_extension = std::move(x); }
    [[nodiscard]] void* extension() const noexcept { return m_extension.get(); }
    /// The Lua script running now, if any (scripting.hpp): other connections wait for it, and
    /// get Redis's BUSY error once it has run for busy-reply-threshold ms; SCRIPT KILL sets
    /// `kill`, which the script's hook acts on; `wrote` makes it unkillable; and the script
    /// cache's figures for INFO. Written by the script's thread, read by the others.
    struct ScriptRun {
        std::atomic<bool> running{false};
        std::atomic<long long> started_ms{0};  ///< steady clock, ms (`steady_ms()`)
        std::atomic<long long> threshold_ms{5000};  ///< busy-reply-threshold when it started
        std::atomic<bool> kill{false};
        std::atomic<bool> wrote{false};
        std::atomic<const void*> session{nullptr};  ///< the Session running it
        // The script cache, for INFO memory (0 without scripting).
        std::atomic<std::uint64_t> cached_scripts{0};  ///< number_of_cached_scripts
        std::atomic<std::uint64_t> script_bytes{0};    ///< their bodies (used_memory_scripts_eval)
        std::atomic<std::uint64_t> lua_bytes{0};       ///< the Lua state's heap (used_memory_lua)
    };
    [[nodiscard]] ScriptRun& script_run() noexcept { return m_script_run; }
    /// What the network adapter does for its other clients while a script runs on one of its
    /// threads past busy-reply-threshold (Redis's processEventsWhileBlocked): called on that
    /// thread, from the script, with the running Session. Set before serving.
    void set_busy_pump(std::function<void(const void*)> f) { m_busy_pump = std::move(f); }
    void busy_pump(const void* running_session) {
        if (m_busy_pump) m_busy_pump(running_session);
    }
    /// The spec of command `name` (any case), or nullptr. O(|name|): a hash of the name's
    /// ASCII-lower-cased bytes, no allocation.
    [[nodiscard]] const CommandSpec<C>* find(std::string_view name) const noexcept {
        auto it = m_index.find(name);
        return it == m_index.end() ? nullptr : it->second;
    }

    // ------------------------------------------------------------------ configuration

    /// CONFIG GET: every parameter matching `pattern` (glob, case-insensitive), sorted.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> config_get(
        std::string_view pattern) const {
        std::lock_guard lock(m_config_mutex);
        std::vector<std::pair<std::string, std::string>> out;
        const std::string p = lower(pattern);
        for (const auto& [name, param] : m_config)
            if (cachet::detail::glob_match(p, name)) out.emplace_back(name, param.value);
        return out;
    }
    /// CONFIG SET of one or more parameters, atomically (all are validated before any is
    /// applied, as in Redis 7): empty on success, else Redis's error text without "ERR ".
    std::string config_set(std::span<const std::pair<std::string_view, std::string_view>> pairs) {
        std::vector<std::pair<ConfigParam*, std::string>> accepted;
        std::vector<std::function<void()>> applies;
        {
            std::lock_guard lock(m_config_mutex);
            std::set<std::string> seen;
            for (const auto& pair : pairs) {
                const std::string_view name = pair.first, value = pair.second;
                const std::string n = lower(name);
                auto it = m_config.find(n);
                if (it == m_config.end())
                    return "Unknown option or number of arguments for CONFIG SET - '" + std::string(name) + "'";
                auto fail = [&](std::string_view why) {
                    return "CONFIG SET failed (possibly related to argument '" + std::string(name) + "') - " +
                           std::string(why);
                };
                if (!seen.insert(n).second) return fail("duplicate parameter");
                std::string normalized = it->second.value;  // validators may read the current value
                const std::string err = validate_param(it->second, value, normalized);
                if (!err.empty()) return fail(err);
                accepted.emplace_back(&it->second, std::move(normalized));
            }
            for (auto& entry : accepted) {
                ConfigParam* param = entry.first;
                param->value = entry.second;
                if (param->apply) applies.push_back([param, v = entry.second] { param->apply(v); });
            }
        }
        for (auto& f : applies) f();
        return {};
    }

    /// The current value of a parameter (empty if unknown).
    [[nodiscard]] std::string config_value(std::string_view name) const {
        std::lock_guard lock(m_config_mutex);
        auto it = m_config.find(lower(name));
        return it == m_config.end() ? std::string() : it->second.value;
    }
    /// Checks `v` against `p`'s kind; the value to store goes to `normalized`.
    static std::string validate_param(const ConfigParam& p, std::string_view v, std::string& normalized) {
        switch (p.kind) {
            case ParamKind::immutable: return "can't set immutable config";
            case ParamKind::string: normalized = std::string(v); return {};
            case ParamKind::boolean:
                if (iequals(v, "yes")) normalized = "yes";
                else if (iequals(v, "no")) normalized = "no";
                else return "argument must be 'yes' or 'no'";
                return {};
            case ParamKind::enumeration:
            case ParamKind::flags: {
                std::vector<std::string> choices;
                for (std::size_t pos = 0; pos <= p.choices.size();) {
                    const std::size_t end = std::min(p.choices.find(", ", pos), p.choices.size());
                    choices.push_back(p.choices.substr(pos, end - pos));
                    pos = end + 2;
                }
                std::vector<std::string> words;
                std::size_t pos = 0;
                while (pos < v.size()) {
                    while (pos < v.size() && v[pos] == ' ') ++pos;
                    const std::size_t end = std::min(v.find(' ', pos), v.size());
                    if (end > pos) words.emplace_back(v.substr(pos, end - pos));
                    pos = end;
                }
                if (words.empty() || (p.kind == ParamKind::enumeration && words.size() != 1))
                    return "argument(s) must be one of the following: " + p.choices;
                normalized.clear();
                for (const auto& w : words) {
                    auto it = std::find_if(choices.begin(), choices.end(),
                                           [&](const std::string& ch) { return iequals(ch, w); });
                    if (it == choices.end())
                        return "argument(s) must be one of the following: " + p.choices;
                    if (!normalized.empty()) normalized += ' ';
                    normalized += *it;
                }
                return {};
            }
            case ParamKind::integer:
            case ParamKind::memory: {
                long long n = 0;
                if (p.kind == ParamKind::memory) {
                    auto m = cachet::detail::parse_memory(v);
                    if (!m) return "argument must be a memory value";
                    n = *m;
                } else if (!cachet::detail::string2ll(v, n)) {
                    return "argument couldn't be parsed into an integer";
                }
                if (n < p.min || n > p.max)
                    return "argument must be between " + std::to_string(p.min) + " and " +
                           std::to_string(p.max) + " inclusive";
                normalized = std::to_string(n);
                return {};
            }
            case ParamKind::special:
                if (!p.validate) return "can't set protected config";
                return p.validate(v, normalized);
        }
        return {};
    }

    /// Declares a parameter (used by register_config_params).
    void define_param(std::string name, ConfigParam p) {
        std::lock_guard lock(m_config_mutex);
        m_config[std::move(name)] = std::move(p);
    }

    [[nodiscard]] std::string requirepass() const {
        std::lock_guard lock(m_config_mutex);
        return m_options.requirepass;
    }
    void set_requirepass(std::string p) {
        std::lock_guard lock(m_config_mutex);
        m_options.requirepass = std::move(p);
        m_auth_required.store(!m_options.requirepass.empty(), std::memory_order_release);
    }
    [[nodiscard]] bool auth_required() const noexcept {
        return m_auth_required.load(std::memory_order_acquire);
    }
    [[nodiscard]] ParserLimits limits() const {
        std::lock_guard lock(m_config_mutex);
        return m_options.limits;
    }
    void set_limits(const ParserLimits& l) {
        std::lock_guard lock(m_config_mutex);
        m_options.limits = l;
        m_limits_version.fetch_add(1, std::memory_order_acq_rel);
    }
    [[nodiscard]] std::uint64_t limits_version() const noexcept {
        return m_limits_version.load(std::memory_order_acquire);
    }
    /// Redis's sorted-set listpack limits (zset-max-listpack-entries / -value), which decide
    /// what shows of Redis's encoding in replies. Kept here lock-free (CONFIG SET stores them)
    /// so that every ZADD can read them.
    [[nodiscard]] std::pair<long long, long long> zset_listpack_limits() const noexcept {
        return {m_zset_lp_entries.load(std::memory_order_relaxed),
                m_zset_lp_value.load(std::memory_order_relaxed)};
    }
    void set_zset_listpack_entries(long long n) noexcept {
        m_zset_lp_entries.store(n, std::memory_order_relaxed);
    }
    void set_zset_listpack_value(long long n) noexcept {
        m_zset_lp_value.store(n, std::memory_order_relaxed);
    }
    /// hll-sparse-max-bytes: the longest a sparse HyperLogLog grows before it turns dense.
    [[nodiscard]] std::size_t hll_sparse_max_bytes() const noexcept {
        return m_hll_sparse_max.load(std::memory_order_relaxed);
    }
    void set_hll_sparse_max_bytes(std::size_t n) noexcept { m_hll_sparse_max.store(n, std::memory_order_relaxed); }
    [[nodiscard]] EngineOptions options() const {
        std::lock_guard lock(m_config_mutex);
        return m_options;
    }
    template <class F>
    void update_options(F&& f) {
        std::lock_guard lock(m_config_mutex);
        f(m_options);
    }
    /// Output buffer limits: 0 normal, 1 replica, 2 pubsub. Lock-free (read per pub/sub
    /// message).
    [[nodiscard]] OutputLimit output_limit(int cls) const noexcept {
        const auto& l = m_output_limits[static_cast<std::size_t>(cls)];
        return {l[0].load(std::memory_order_relaxed), l[1].load(std::memory_order_relaxed),
                l[2].load(std::memory_order_relaxed)};
    }
    void set_output_limit(int cls, OutputLimit l) noexcept {
        auto& dst = m_output_limits[static_cast<std::size_t>(cls)];
        dst[0].store(l.hard, std::memory_order_relaxed);
        dst[1].store(l.soft, std::memory_order_relaxed);
        dst[2].store(l.soft_seconds, std::memory_order_relaxed);
    }

    // ------------------------------------------------------------------ CLIENT PAUSE

    /// CLIENT PAUSE: until `end`, hold back every client's commands (`pause_all`) or those that
    /// write or may replicate (`pause_write`); replicas are never held; no key expires
    /// meanwhile and none is evicted (BasicDatabase::hold_expiry_and_eviction). As Redis's
    /// pauseClients, a pause only ever gets longer or stricter until it ends. The pause ends at the first `pause_state` call past
    /// `end`: commands and held sessions' ticks make one, and a network adapter calls it from
    /// its cron (cachet-server does, every 100 ms), so that expiry resumes without traffic.
    /// Thread-safe.
    void pause_clients(std::uint8_t type, std::chrono::steady_clock::time_point end) {
        std::lock_guard lock(m_pause_mutex);
        m_db.hold_expiry_and_eviction(true);  // Redis keeps the dataset as it is while paused
        if (type > m_pause.load(std::memory_order_relaxed)) m_pause.store(type, std::memory_order_release);
        const auto ticks = end.time_since_epoch().count();
        if (ticks > m_pause_end.load(std::memory_order_relaxed)) m_pause_end.store(ticks, std::memory_order_release);
    }
    /// CLIENT UNPAUSE, or the pause's end: every held command runs again, on its own
    /// connection's thread. Thread-safe.
    void unpause_clients() {
        std::lock_guard lock(m_pause_mutex);
        m_pause.store(pause_none, std::memory_order_release);
        m_pause_end.store(0, std::memory_order_release);
        m_db.hold_expiry_and_eviction(false);
        for (auto& [s, cmd] : m_postponed)
            if (cmd->claim()) {
                s->wake_postponed();
                cmd->finish();
            }
        m_postponed.clear();
    }
    /// Whether a pause may be in force (one atomic load; pause_state tells). Thread-safe.
    [[nodiscard]] bool paused() const noexcept { return m_pause.load(std::memory_order_relaxed) != pause_none; }
    /// The pause in force at `now` (ending it if its time has passed): pause_none,
    /// pause_write or pause_all. One atomic load while there is none. Thread-safe.
    [[nodiscard]] std::uint8_t pause_state(std::chrono::steady_clock::time_point now) {
        const std::uint8_t type = m_pause.load(std::memory_order_acquire);
        if (CACHET_LIKELY(type == pause_none)) return pause_none;
        if (now.time_since_epoch().count() >= m_pause_end.load(std::memory_order_acquire)) {
            unpause_clients();
            return pause_none;
        }
        return type;
    }
    /// When the pause in force ends (for a held session's tick).
    [[nodiscard]] std::chrono::steady_clock::time_point pause_end() const noexcept {
        return std::chrono::steady_clock::time_point(
            std::chrono::steady_clock::duration(m_pause_end.load(std::memory_order_acquire)));
    }
    /// Holds `argv` of session `s` until the pause ends; the session blocks on what this returns.
    std::unique_ptr<PostponedCommand> postpone(session_type& s, std::span<const std::string_view> argv) {
        auto cmd = std::make_unique<PostponedCommand>(
            std::vector<std::string>(argv.begin(), argv.end()), [this](PostponedCommand* p) {
                std::lock_guard lock(m_pause_mutex);
                std::erase_if(m_postponed, [p](const auto& e) { return e.second == p; });
            });
        std::lock_guard lock(m_pause_mutex);
        m_postponed.emplace_back(&s, cmd.get());
        return cmd;
    }

    // ------------------------------------------------------------------ client-side caching

    /// The tracking tables (CLIENT TRACKING): INFO reads their totals.
    [[nodiscard]] const TrackingTable& tracking() const noexcept { return m_tracking; }
    /// A client turned tracking on (+1) or off (-1); the database reports changed keys only
    /// while some client tracks.
    void tracking_switch(int delta) {
        std::lock_guard lock(m_tracking_switch);
        m_tracking.add_client(delta);
        m_db.observe_modifications(m_tracking.clients() != 0);
    }
    void tracking_add_prefix(std::string_view prefix, std::uint64_t id) { m_tracking.add_prefix(prefix, id); }
    void tracking_remove_prefixes(const std::set<std::string, std::less<>>& prefixes, std::uint64_t id) {
        m_tracking.remove_prefixes(prefixes, id);
    }
    /// tracking-table-max-keys (0: no bound).
    void set_tracking_max_keys(std::size_t n) noexcept { m_tracking_max_keys.store(n, std::memory_order_relaxed); }
    /// Tracking client `s`'s read-only command read `keys`: they are remembered for it; keys
    /// dropped to stay within tracking-table-max-keys are invalidated. Owning thread of `s`.
    void tracking_remember(session_type& s, std::span<const std::string_view> keys) {
        auto dropped = m_tracking.remember(keys, s.id(), m_tracking_max_keys.load(std::memory_order_relaxed));
        for (const auto& [key, ids] : dropped) deliver_invalidation(key, ids);
    }
    /// `key` changed (the database's modified-key observer, on the thread that changed it):
    /// the clients that read it hear of it once and forget it, as Redis's
    /// trackingInvalidateKey (a NOLOOP client does not hear of its own changes; a client hears
    /// of its own after its reply). For the BCAST followers of its prefixes, the keys a command
    /// changes are gathered and announced after its reply, grouped per prefix as Redis groups
    /// them per event-loop turn; a change made outside a command (the program's own writes,
    /// the background expiry) is announced at once.
    void tracking_invalidate(std::string_view key) {
        if (std::vector<std::uint64_t> ids = m_tracking.take(key); !ids.empty())
            deliver_invalidation(std::string(key), ids);
        if (!m_tracking.followed(key)) return;
        if (session_type* cur = current_session()) {
            cur->tracking_changed().emplace(key);
        } else {
            broadcast({std::string(key)}, nullptr);  // one write may report several events
        }
    }
    /// FLUSHDB / FLUSHALL: every tracking client hears a null invalidation (all keys) and the
    /// remembered keys are forgotten; while the returned guard lives, the keys the flush
    /// removes on this thread are not announced one by one. Call it before the flush.
    struct [[nodiscard]] FlushScope {
        FlushScope() noexcept { t_flushing() = true; }
        ~FlushScope() { t_flushing() = false; }
        FlushScope(const FlushScope&) = delete;
        FlushScope& operator=(const FlushScope&) = delete;
    };
    FlushScope tracking_flush() {
        if (m_tracking.clients() == 0) return {};
        m_tracking.clear_keys();
        session_type* cur = current_session();
        std::lock_guard lock(m_clients_mutex);
        for (auto& [id, s] : m_clients) {
            if (!s->tracking()) continue;
            if (s == cur) s->tracking_pending().emplace_back(std::nullopt);
            else send_tracking_message_locked(*s, nullptr, nullptr);
        }
        return {};
    }
    /// After `s`'s command and its reply: the invalidations it caused to itself, then the
    /// BCAST messages of the keys it changed.
    void tracking_send_pending(session_type& s) {
        {
            std::lock_guard lock(m_clients_mutex);
            for (const auto& key : s.tracking_pending()) {
                if (!key) {
                    send_tracking_message_locked(s, nullptr, &s);
                    continue;
                }
                const std::vector<std::string> one{*key};
                send_tracking_message_locked(s, &one, &s);
            }
            s.tracking_pending().clear();
        }
        if (!s.tracking_changed().empty()) {
            const std::set<std::string, std::less<>> changed = std::move(s.tracking_changed());
            s.tracking_changed().clear();
            broadcast(changed, &s);
        }
    }
    /// The session running a command on this thread (nullptr: none, or another engine's).
    [[nodiscard]] session_type* current_session() const noexcept {
        session_type* s = t_current();
        return s && &s->engine() == this ? s : nullptr;
    }
    /// Marks `s` as the session running a command on this thread while it lives.
    struct CurrentSession {
        explicit CurrentSession(session_type& s) noexcept : saved(std::exchange(t_current(), &s)) {}
        ~CurrentSession() { t_current() = saved; }
        CurrentSession(const CurrentSession&) = delete;
        CurrentSession& operator=(const CurrentSession&) = delete;
        session_type* saved;
    };

    // ------------------------------------------------------------------ clients

    /// Registers a session (its id is assigned here). Returns false if maxclients is reached.
    bool attach(session_type& s, std::uint64_t& id) {
        std::lock_guard lock(m_clients_mutex);
        id = ++m_next_id;
        m_clients[id] = &s;
        m_total_connections.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    void detach(std::uint64_t id) {
        std::lock_guard lock(m_clients_mutex);
        m_clients.erase(id);
    }
    [[nodiscard]] std::size_t client_count() const {
        std::lock_guard lock(m_clients_mutex);
        return m_clients.size();
    }
    /// Calls `f(Session&)` for every session, under the client-list lock (CLIENT LIST/KILL).
    /// `f` must only read thread-safe state or call `kill()`.
    template <class F>
    void for_each_client(F&& f) {
        std::lock_guard lock(m_clients_mutex);
        for (auto& [id, s] : m_clients) f(*s);
    }
    /// Calls `f(Session&)` for the session with this id, if there is one, under the client-list
    /// lock (as `for_each_client`). Returns whether there was. O(log clients).
    template <class F>
    bool with_client(std::uint64_t id, F&& f) {
        std::lock_guard lock(m_clients_mutex);
        auto it = m_clients.find(id);
        if (it == m_clients.end()) return false;
        f(*it->second);
        return true;
    }
    /// Admission for a new connection (maxclients): false means reply "ERR max number of
    /// clients reached" and close.
    [[nodiscard]] bool admit() const { return client_count() < options().maxclients; }
    void count_rejected() noexcept { m_rejected.fetch_add(1, std::memory_order_relaxed); }

    // ------------------------------------------------------------------ statistics

    void count_blocked(int delta) noexcept { m_blocked.fetch_add(delta, std::memory_order_relaxed); }
    [[nodiscard]] long long blocked_clients() const noexcept { return m_blocked.load(std::memory_order_relaxed); }
    /// Adds a closed session's command count to the total.
    void count_commands(std::uint64_t n) noexcept { m_commands_processed.fetch_add(n, std::memory_order_relaxed); }
    /// Samples the commands processed and the bytes read and written, for INFO's
    /// instantaneous_ops_per_sec and instantaneous_input_kbps / output_kbps, as Redis's
    /// trackInstantaneousMetric: call it about every 100 ms (cachet-server's cron does); each
    /// figure is the mean rate over the last 16 samples. Thread-safe.
    void sample_ops(std::chrono::steady_clock::time_point now) {
        const std::uint64_t n = commands_processed();
        std::lock_guard lock(m_ops_mutex);
        m_rate_ops.sample(now, n);
        m_rate_in.sample(now, net_input_bytes());
        m_rate_out.sample(now, net_output_bytes());
    }
    [[nodiscard]] long long ops_per_sec() const {
        std::lock_guard lock(m_ops_mutex);
        return m_rate_ops.mean();
    }
    /// Bytes per second read from and written to clients, as sampled by `sample_ops`.
    [[nodiscard]] std::pair<long long, long long> net_bytes_per_sec() const {
        std::lock_guard lock(m_ops_mutex);
        return {m_rate_in.mean(), m_rate_out.mean()};
    }
    /// Commands processed since start (or CONFIG RESETSTAT): the closed sessions' plus the
    /// live ones' (each session counts its own, so no counter is shared on the hot path).
    [[nodiscard]] std::uint64_t commands_processed() {
        std::uint64_t n = m_commands_processed.load(std::memory_order_relaxed);
        for_each_client([&](session_type& s) { n += s.commands_processed(); });
        return n;
    }
    [[nodiscard]] std::uint64_t connections_received() const noexcept {
        return m_total_connections.load();
    }
    [[nodiscard]] std::uint64_t rejected_connections() const noexcept { return m_rejected.load(); }
    void reset_stats() {
        m_commands_processed = 0;
        for_each_client([](session_type& s) { s.reset_command_count(); });
        m_total_connections = 0;
        m_rejected = 0;
        m_db.reset_stats();
        std::lock_guard lock(m_stats_mutex);
        m_command_base = sum_command_counters();
        m_latency_base.clear();
        for (std::size_t id = 0; id < m_specs.size(); ++id)
            if (LatencySum sum = sum_latency(id); !sum.counts.empty()) m_latency_base[id] = std::move(sum);
        m_errors.clear();
        m_error_total = 0;
        m_net_in = 0;
        m_net_out = 0;
        m_memory_peak = m_db.used_memory();
    }

    /// One command's counters for INFO commandstats, in a block per thread: only that thread
    /// writes them (a plain load and store, no read-modify-write and no cache line shared
    /// with another thread on the hot path); INFO sums the blocks.
    struct CommandCounters {
        std::atomic<std::uint64_t> calls{0}, ticks{0}, rejected{0}, failed{0};
        /// LATENCY HISTOGRAM's counts, made by the thread on its first timed call.
        std::atomic<LatencyCounts*> latency{nullptr};
        CommandCounters() = default;
        CommandCounters(const CommandCounters&) = delete;
        CommandCounters& operator=(const CommandCounters&) = delete;
        ~CommandCounters() { delete latency.load(std::memory_order_relaxed); }
        void add(std::atomic<std::uint64_t>& c, std::uint64_t n) noexcept {
            c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
        }
        /// Adds a run of `ns` to the latency histogram (its owning thread only). Without memory
        /// for a new histogram (~25 KB) the run is not recorded; nothing throws.
        void record_latency(std::uint64_t ns) noexcept {
            LatencyCounts* h = latency.load(std::memory_order_relaxed);
            if (CACHET_UNLIKELY(!h)) {
                h = new (std::nothrow) LatencyCounts;
                if (!h) return;
                latency.store(h, std::memory_order_release);
            }
            h->record_ns(ns);
        }
    };
    /// This thread's counters, indexed by `CommandSpec::id` (created on first use). O(1)
    /// after the first call on a thread.
    [[nodiscard]] CommandCounters* thread_counters() {
        struct Cache {
            std::uint64_t uid = 0;
            CommandCounters* block = nullptr;
        };
        static thread_local Cache cache;
        if (CACHET_LIKELY(cache.uid == m_uid)) return cache.block;
        std::lock_guard lock(m_stats_mutex);
        auto& block = m_counter_blocks[std::this_thread::get_id()];
        if (!block) block = std::make_unique<CommandCounters[]>(m_specs.size());
        cache = {m_uid, block.get()};
        return cache.block;
    }
    // ------------------------------------------------------------------ MONITOR, SLOWLOG

    /// Adds `s` to the clients that MONITOR every command; removed by `remove_monitor` (the
    /// session does on close). Thread-safe.
    void add_monitor(session_type& s) {
        std::lock_guard lock(m_monitors_mutex);
        m_monitors.push_back(&s);
        m_monitor_count.store(m_monitors.size(), std::memory_order_relaxed);
    }
    void remove_monitor(session_type& s) {
        std::lock_guard lock(m_monitors_mutex);
        std::erase(m_monitors, &s);
        m_monitor_count.store(m_monitors.size(), std::memory_order_relaxed);
    }
    /// True if some client is in MONITOR mode (one relaxed load: checked after every command).
    [[nodiscard]] bool has_monitors() const noexcept {
        return m_monitor_count.load(std::memory_order_relaxed) != 0;
    }
    /// Sends every monitor Redis's line for a command run on database `db` by the client at
    /// `addr`: `+<sec>.<usec> [<db> <addr>] "arg" "arg"...`, each argument quoted and escaped
    /// as sdscatrepr does; arguments from `redact_from` on (AUTH's) as "(redacted)".
    void feed_monitors(std::size_t db, std::string_view addr, std::span<const std::string_view> argv,
                       std::size_t redact_from = static_cast<std::size_t>(-1)) {
        using namespace std::chrono;
        const auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
        char head[64];
        std::snprintf(head, sizeof head, "+%lld.%06lld [%zu ", static_cast<long long>(us / 1000000),
                      static_cast<long long>(us % 1000000), db);
        std::string line = head;
        line += addr;
        line += "] ";
        for (std::size_t i = 0; i < argv.size(); ++i) {
            if (i) line += ' ';
            append_repr(line, i >= redact_from ? std::string_view("(redacted)") : argv[i]);
        }
        line += "\r\n";
        const std::size_t hard = output_limit(0).hard;
        std::lock_guard lock(m_monitors_mutex);
        for (session_type* m : m_monitors) m->post(line, hard);
    }
    /// `s` quoted as Redis's sdscatrepr writes it.
    static void append_repr(std::string& out, std::string_view s) {
        out += '"';
        for (const char ch : s) {
            switch (ch) {
                case '\\': out += "\\\\"; break;
                case '"': out += "\\\""; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                case '\a': out += "\\a"; break;
                case '\b': out += "\\b"; break;
                default: {
                    const auto u = static_cast<unsigned char>(ch);
                    if (u >= 0x20 && u < 0x7f) {
                        out += ch;
                    } else {
                        char hex[8];
                        std::snprintf(hex, sizeof hex, "\\x%02x", u);
                        out += hex;
                    }
                }
            }
        }
        out += '"';
    }

    /// One SLOWLOG entry, as Redis keeps it.
    struct SlowlogEntry {
        long long id = 0;
        long long time = 0;         ///< Unix seconds
        long long duration_us = 0;  ///< the command's run time
        std::vector<std::string> args;  ///< at most 32, each at most 128 bytes (Redis's marks)
        std::string addr, name;
    };
    /// slowlog-log-slower-than (us; negative: off) and slowlog-max-len.
    void set_slowlog_threshold(long long us) noexcept { m_slowlog_threshold.store(us, std::memory_order_relaxed); }
    void set_slowlog_max_len(long long n) {
        std::lock_guard lock(m_slowlog_mutex);
        m_slowlog_max = n;
        while (static_cast<long long>(m_slowlog.size()) > m_slowlog_max) m_slowlog.pop_back();
    }
    /// Records a command that ran for `duration_us` if that reaches the threshold.
    /// `name()` gives the client's name (called only for a command that is logged).
    template <class NameFn>
    void slowlog_consider(long long duration_us, std::span<const std::string_view> argv,
                          std::string_view addr, NameFn&& name,
                          std::size_t redact_from = static_cast<std::size_t>(-1)) {
        const long long threshold = m_slowlog_threshold.load(std::memory_order_relaxed);
        if (CACHET_LIKELY(threshold < 0 || duration_us < threshold)) return;
        SlowlogEntry e;
        e.time = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count();
        e.duration_us = duration_us;
        constexpr std::size_t max_argc = 32, max_string = 128;
        const std::size_t n = std::min(argv.size(), max_argc);
        for (std::size_t i = 0; i < n; ++i) {
            if (i == max_argc - 1 && argv.size() > max_argc) {
                e.args.push_back("... (" + std::to_string(argv.size() - max_argc + 1) + " more arguments)");
                break;
            }
            const std::string_view a = i >= redact_from ? std::string_view("(redacted)") : argv[i];
            if (a.size() > max_string)
                e.args.push_back(std::string(a.substr(0, max_string)) + "... (" +
                                 std::to_string(a.size() - max_string) + " more bytes)");
            else
                e.args.emplace_back(a);
        }
        e.addr = addr;
        e.name = name();
        std::lock_guard lock(m_slowlog_mutex);
        e.id = m_slowlog_next_id++;
        m_slowlog.push_front(std::move(e));
        while (static_cast<long long>(m_slowlog.size()) > m_slowlog_max) m_slowlog.pop_back();
    }
    /// The newest `count` entries (all for a negative count), newest first.
    [[nodiscard]] std::vector<SlowlogEntry> slowlog(long long count) const {
        std::lock_guard lock(m_slowlog_mutex);
        const std::size_t n = count < 0 ? m_slowlog.size()
                                        : std::min(m_slowlog.size(), static_cast<std::size_t>(count));
        return {m_slowlog.begin(), m_slowlog.begin() + static_cast<std::ptrdiff_t>(n)};
    }
    [[nodiscard]] std::size_t slowlog_len() const {
        std::lock_guard lock(m_slowlog_mutex);
        return m_slowlog.size();
    }
    void slowlog_reset() {
        std::lock_guard lock(m_slowlog_mutex);
        m_slowlog.clear();
    }

    /// The latency monitor (LATENCY): per event ("command", "fast-command"), the samples of at
    /// least latency-monitor-threshold ms (0: off), one per second (the worst), the last 160.
    struct LatencySample {
        long long time = 0;  ///< Unix seconds
        long long ms = 0;
    };
    struct LatencyEvent {
        long long max_ms = 0;
        std::deque<LatencySample> samples;  ///< oldest first
    };
    void set_latency_threshold(long long ms) noexcept { m_latency_threshold.store(ms, std::memory_order_relaxed); }

    // ------------------------------------------------------------------ LATENCY HISTOGRAM

    /// latency-tracking: whether each command's run time goes into its latency histogram.
    void set_latency_tracking(bool on) noexcept { m_latency_tracking.store(on, std::memory_order_relaxed); }
    [[nodiscard]] bool latency_tracking() const noexcept {
        return m_latency_tracking.load(std::memory_order_relaxed);
    }
    /// latency-tracking-info-percentiles, as numbers (validated by CONFIG SET).
    void set_latency_percentiles(std::vector<double> p) {
        std::lock_guard lock(m_stats_mutex);
        m_latency_percentiles = std::move(p);
    }
    [[nodiscard]] std::vector<double> latency_percentiles() const {
        std::lock_guard lock(m_stats_mutex);
        return m_latency_percentiles;
    }
    /// One command's latency histogram summed over threads.
    struct LatencySum {
        std::uint64_t calls = 0;
        std::vector<std::uint64_t> counts;  ///< hdr::counts_len counters; empty: never timed
    };
    /// A command's latency histogram since start (or CONFIG RESETSTAT).
    struct CommandLatency : LatencySum {
        std::string name;  ///< "get", "config|get"
    };
    /// The histograms of the commands in `ids` (CommandSpec ids) that recorded a call, in that
    /// order; every such command when `ids` is empty, by name. O(threads * commands *
    /// hdr::counts_len).
    [[nodiscard]] std::vector<CommandLatency> command_latencies(std::span<const std::size_t> ids = {}) const {
        std::lock_guard lock(m_stats_mutex);
        const bool every = ids.empty();
        std::vector<std::size_t> all;
        if (every) {
            all.resize(m_specs.size());
            for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
            ids = all;
        }
        std::vector<CommandLatency> out;
        for (const std::size_t id : ids) {
            CommandLatency l{sum_latency(id), m_specs[id]->stat_name};
            if (l.counts.empty()) continue;
            if (auto b = m_latency_base.find(id); b != m_latency_base.end()) {
                l.calls -= b->second.calls;
                for (std::size_t k = 0; k < hdr::counts_len; ++k) l.counts[k] -= b->second.counts[k];
            }
            if (l.calls != 0) out.push_back(std::move(l));
        }
        if (every) std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        return out;
    }
    [[nodiscard]] long long latency_threshold() const noexcept { return m_latency_threshold.load(std::memory_order_relaxed); }
    /// Records `ms` for `event` if the monitor is on and it reaches the threshold
    /// (latencyAddSampleIfNeeded).
    void latency_consider(std::string_view event, long long ms) {
        const long long threshold = latency_threshold();
        if (CACHET_LIKELY(threshold == 0 || ms < threshold)) return;
        const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count();
        std::lock_guard lock(m_latency_mutex);
        auto it = m_latency.find(event);
        if (it == m_latency.end()) it = m_latency.emplace(std::string(event), LatencyEvent{}).first;
        LatencyEvent& e = it->second;
        e.max_ms = std::max(e.max_ms, ms);
        if (!e.samples.empty() && e.samples.back().time == now) {
            e.samples.back().ms = std::max(e.samples.back().ms, ms);
            return;
        }
        e.samples.push_back({now, ms});
        if (e.samples.size() > 160) e.samples.pop_front();
    }
    [[nodiscard]] std::map<std::string, LatencyEvent, std::less<>> latency_events() const {
        std::lock_guard lock(m_latency_mutex);
        return m_latency;
    }
    /// Forgets the named events (all when `names` is empty); returns how many it forgot.
    std::size_t latency_reset(std::span<const std::string_view> names) {
        std::lock_guard lock(m_latency_mutex);
        if (names.empty()) return std::exchange(m_latency, {}).size();
        std::size_t n = 0;
        for (std::string_view name : names)
            if (auto it = m_latency.find(name); it != m_latency.end()) {
                m_latency.erase(it);
                ++n;
            }
        return n;
    }

    /// A command's line of INFO commandstats.
    struct CommandStat {
        std::string name;  ///< "get", "config|get"
        std::uint64_t calls = 0, usec = 0, rejected = 0, failed = 0;
    };
    /// The commands called or rejected since start (or CONFIG RESETSTAT), by name. O(threads *
    /// commands).
    [[nodiscard]] std::vector<CommandStat> command_stats() {
        std::lock_guard lock(m_stats_mutex);
        const auto sums = sum_command_counters();
        std::vector<CommandStat> out;
        for (std::size_t i = 0; i < m_specs.size(); ++i) {
            const auto& now = sums[i];
            const auto& base = m_command_base.size() > i ? m_command_base[i] : std::array<std::uint64_t, 4>{};
            const std::uint64_t calls = now[0] - base[0], rejected = now[2] - base[2];
            if (calls == 0 && rejected == 0) continue;
            const double ns = cachet::detail::ticks_to_ns(now[1] - base[1]);
            out.push_back({m_specs[i]->stat_name, calls, static_cast<std::uint64_t>(ns / 1000.0),
                           rejected, now[3] - base[3]});
        }
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
        return out;
    }
    /// Counts an error reply under its code (the text up to its first space, within 32 bytes;
    /// "ERR" otherwise), as Redis's afterErrorReply does. Thread-safe; errors are not a hot path.
    void count_error(std::string_view text) {
        const std::size_t sp = text.substr(0, 32).find(' ');
        const std::string_view code = sp == std::string_view::npos ? "ERR" : text.substr(0, sp);
        std::lock_guard lock(m_stats_mutex);
        ++m_error_total;
        if (auto it = m_errors.find(code); it != m_errors.end()) ++it->second;
        else if (m_errors.size() < 128) m_errors.emplace(std::string(code), 1);  // Redis's cap
    }
    [[nodiscard]] std::map<std::string, std::uint64_t, std::less<>> error_stats() const {
        std::lock_guard lock(m_stats_mutex);
        return m_errors;
    }
    [[nodiscard]] std::uint64_t total_error_replies() const {
        std::lock_guard lock(m_stats_mutex);
        return m_error_total;
    }
    /// Bytes read from and written to clients (the network adapter reports them).
    void count_net(std::uint64_t in, std::uint64_t out) noexcept {
        if (in) m_net_in.fetch_add(in, std::memory_order_relaxed);
        if (out) m_net_out.fetch_add(out, std::memory_order_relaxed);
    }
    [[nodiscard]] std::uint64_t net_input_bytes() const noexcept { return m_net_in.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t net_output_bytes() const noexcept { return m_net_out.load(std::memory_order_relaxed); }
    /// The highest used_memory seen (sampled by the server's cron and by INFO).
    std::uint64_t note_memory() {
        const std::uint64_t used = m_db.used_memory();
        std::uint64_t peak = m_memory_peak.load(std::memory_order_relaxed);
        while (used > peak && !m_memory_peak.compare_exchange_weak(peak, used, std::memory_order_relaxed)) {
        }
        return std::max(used, peak);
    }
    /// The wall-clock time the engine started at, in Unix seconds.
    [[nodiscard]] long long started_unix() const noexcept { return m_started_unix; }
    [[nodiscard]] std::chrono::steady_clock::time_point started() const noexcept {
        return m_started;
    }

    // ------------------------------------------------------------------ shutdown

    /// SHUTDOWN: calls the hook the network adapter installed (it stops accepting, finishes
    /// the replies in flight and exits). Without a hook, SHUTDOWN is refused.
    void set_shutdown_hook(std::function<void()> hook) {
        std::lock_guard lock(m_config_mutex);
        m_shutdown = std::move(hook);
    }
    bool request_shutdown() {
        std::function<void()> hook;
        {
            std::lock_guard lock(m_config_mutex);
            hook = m_shutdown;
        }
        if (!hook) return false;
        hook();
        return true;
    }

private:
    database_type& m_db;
    CommandTable<C> m_commands;
    mutable std::mutex m_config_mutex;
    EngineOptions m_options;
    std::map<std::string, ConfigParam> m_config;
    std::atomic<std::uint64_t> m_output_limits[3][3] = {
        {0, 0, 0}, {256u << 20, 64u << 20, 60}, {32u << 20, 8u << 20, 60}};
    /// Every command and subcommand-holding command by name, ASCII case-insensitively.
    struct NameHash {
        std::size_t operator()(std::string_view s) const noexcept {
            std::uint64_t h = 1469598103934665603ull;
            for (unsigned char c : s) h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 1099511628211ull;
            return static_cast<std::size_t>(h);
        }
    };
    struct NameEqual {
        bool operator()(std::string_view a, std::string_view b) const noexcept {
            if (a.size() != b.size()) return false;
            for (std::size_t i = 0; i < a.size(); ++i) {
                const unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
                if ((x >= 'A' && x <= 'Z' ? x + 32u : x) != (y >= 'A' && y <= 'Z' ? y + 32u : y)) return false;
            }
            return true;
        }
    };
    std::unordered_map<std::string_view, const CommandSpec<C>*, NameHash, NameEqual> m_index;
    void index_commands();
    std::shared_ptr<void> m_extension;
    ScriptRun m_script_run;
    std::function<void(const void*)> m_busy_pump;
    std::atomic<bool> m_auth_required{!m_options.requirepass.empty()};
    std::atomic<std::uint64_t> m_limits_version{0};
    std::atomic<long long> m_zset_lp_entries{128}, m_zset_lp_value{64};
    std::atomic<std::size_t> m_hll_sparse_max{3000};
    mutable std::mutex m_clients_mutex;
    std::atomic<std::uint8_t> m_pause{0};  ///< pause_none / pause_write / pause_all
    std::atomic<std::chrono::steady_clock::rep> m_pause_end{0};
    std::mutex m_pause_mutex;  ///< pause changes and m_postponed
    std::vector<std::pair<session_type*, PostponedCommand*>> m_postponed;  ///< held, oldest first
    TrackingTable m_tracking;
    std::mutex m_tracking_switch;  ///< serialises tracking_switch
    std::atomic<std::size_t> m_tracking_max_keys{1000000};
    static session_type*& t_current() noexcept {
        thread_local session_type* s = nullptr;
        return s;
    }
    static bool& t_flushing() noexcept {
        thread_local bool f = false;
        return f;
    }
    /// Tells the readers `ids` (default mode) and the `followers` (BCAST) of `key` that it
    /// changed, as Redis's trackingInvalidateKey; see tracking_invalidate.
    void deliver_invalidation(const std::string& key, const std::vector<std::uint64_t>& ids) {
        session_type* cur = current_session();
        const std::vector<std::string> one{key};
        std::lock_guard lock(m_clients_mutex);
        for (std::uint64_t id : ids) {
            auto it = m_clients.find(id);
            if (it == m_clients.end()) continue;
            session_type& s = *it->second;
            const std::uint8_t f = s.tracking_flags();
            if (!(f & trk_on) || (f & trk_bcast)) continue;
            if ((f & trk_noloop) && &s == cur) continue;
            if (&s == cur) s.tracking_pending().emplace_back(key);
            else send_tracking_message_locked(s, &one, nullptr);
        }
    }
    /// Announces `changed` to the BCAST followers of their prefixes; `writer` (nullptr: none)
    /// changed them, so a NOLOOP follower that is the writer hears nothing, and the writer
    /// gets its messages straight in its output (it calls this after its reply).
    void broadcast(const std::set<std::string, std::less<>>& changed, session_type* writer) {
        const auto messages = m_tracking.broadcasts(changed);
        if (messages.empty()) return;
        std::lock_guard lock(m_clients_mutex);
        for (const auto& m : messages)
            for (std::uint64_t id : m.clients) {
                auto it = m_clients.find(id);
                if (it == m_clients.end()) continue;
                session_type& s = *it->second;
                const std::uint8_t f = s.tracking_flags();
                if (!(f & trk_on) || !(f & trk_bcast) || ((f & trk_noloop) && &s == writer)) continue;
                send_tracking_message_locked(s, &m.keys, writer);
            }
    }
    /// One invalidation of `keys` (nullptr: every key) for tracking client `s`, as Redis's
    /// sendTrackingMessage: to `s`, or to its redirection (a RESP2 one only while it is
    /// subscribed, as a `__redis__:invalidate` message); a RESP2 client without redirection
    /// gets nothing; a redirection to a client that is gone marks `s` broken and, in RESP3,
    /// tells it so. Written straight to the output of `direct` (its own thread, between
    /// replies), posted to anyone else's outbox. Caller holds m_clients_mutex.
    void send_tracking_message_locked(session_type& s, const std::vector<std::string>* keys, session_type* direct) {
        session_type* to = &s;
        bool redirected = false;
        if (const std::uint64_t r = s.tracking_redirect(); r != 0) {
            auto it = m_clients.find(r);
            if (it == m_clients.end()) {
                s.set_tracking_broken();
                if (s.protocol() == Protocol::resp3) {
                    std::string buf;
                    ReplyWriter w(buf, Protocol::resp3);
                    w.push(2);
                    w.bulk("tracking-redir-broken");
                    w.integer(static_cast<long long>(r));
                    s.deliver(buf, &s == direct);
                }
                return;
            }
            to = it->second;
            redirected = true;
        }
        std::string buf;
        ReplyWriter w(buf, to->protocol());
        if (to->protocol() == Protocol::resp3) {
            w.push(2);
            w.bulk("invalidate");
        } else if (redirected && to->subscriber()) {
            w.array(3);
            w.bulk("message");
            w.bulk("__redis__:invalidate");
        } else {
            return;
        }
        if (keys) {
            w.array(keys->size());
            for (const auto& k : *keys) w.bulk(k);
        } else {
            w.null();
        }
        to->deliver(buf, to == direct);
    }
    /// A counter's rate per second over its last 16 samples (Redis's instantaneous metrics).
    struct InstantaneousRate {
        std::array<long long, 16> samples{};
        std::size_t next = 0;
        std::chrono::steady_clock::time_point last_time{};
        std::uint64_t last_value = 0;

        void sample(std::chrono::steady_clock::time_point now, std::uint64_t value) {
            if (last_time != std::chrono::steady_clock::time_point{}) {
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_time).count();
                samples[next++ % samples.size()] =
                    ms > 0 && value >= last_value  // not across a CONFIG RESETSTAT
                        ? static_cast<long long>((value - last_value) * 1000 / static_cast<std::uint64_t>(ms))
                        : 0;
            }
            last_time = now;
            last_value = value;
        }
        [[nodiscard]] long long mean() const {
            long long sum = 0;
            for (long long v : samples) sum += v;
            return sum / static_cast<long long>(samples.size());
        }
    };
    mutable std::mutex m_ops_mutex;  // the instantaneous metrics' samples
    InstantaneousRate m_rate_ops, m_rate_in, m_rate_out;
    std::map<std::uint64_t, session_type*> m_clients;
    std::uint64_t m_next_id = 0;
    std::atomic<std::uint64_t> m_commands_processed{0}, m_total_connections{0}, m_rejected{0};
    std::atomic<long long> m_blocked{0};
    std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
    long long m_started_unix = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    std::atomic<long long> m_last_save{m_started_unix};
    std::atomic<long long> m_saves{0}, m_last_save_seconds{-1};
    std::atomic<bool> m_last_save_ok{true};
    const std::string m_run_id = random_run_id();
    std::string m_config_file;
    std::unique_ptr<const ClusterTopology> m_cluster;
    ReplicationFeed<session_type> m_repl;
    std::function<void()> m_shutdown;
    // INFO commandstats and errorstats.
    static std::uint64_t next_uid() noexcept {
        static std::atomic<std::uint64_t> uid{0};
        return uid.fetch_add(1, std::memory_order_relaxed) + 1;
    }
    /// Command `id`'s latency histograms summed over the threads' blocks. Under m_stats_mutex.
    LatencySum sum_latency(std::size_t id) const {
        LatencySum sum;
        for (const auto& [tid, block] : m_counter_blocks)
            if (const LatencyCounts* h = block[id].latency.load(std::memory_order_acquire)) {
                if (sum.counts.empty()) sum.counts.resize(hdr::counts_len);
                sum.calls += h->add_to(sum.counts);
            }
        return sum;
    }
    std::vector<std::array<std::uint64_t, 4>> sum_command_counters() const {
        std::vector<std::array<std::uint64_t, 4>> sums(m_specs.size());
        for (const auto& [tid, block] : m_counter_blocks)
            for (std::size_t i = 0; i < m_specs.size(); ++i) {
                sums[i][0] += block[i].calls.load(std::memory_order_relaxed);
                sums[i][1] += block[i].ticks.load(std::memory_order_relaxed);
                sums[i][2] += block[i].rejected.load(std::memory_order_relaxed);
                sums[i][3] += block[i].failed.load(std::memory_order_relaxed);
            }
        return sums;
    }
    std::uint64_t m_uid = next_uid();  ///< never reused, unlike an address (new on add_commands)
    std::vector<const CommandSpec<C>*> m_specs;  ///< by id
    mutable std::mutex m_stats_mutex;
    std::map<std::thread::id, std::unique_ptr<CommandCounters[]>> m_counter_blocks;
    std::vector<std::array<std::uint64_t, 4>> m_command_base;  ///< the sums at RESETSTAT
    std::map<std::size_t, LatencySum> m_latency_base;  ///< latency sums at RESETSTAT, by command id
    std::vector<double> m_latency_percentiles{50.0, 99.0, 99.9};
    std::atomic<bool> m_latency_tracking{true};
    std::map<std::string, std::uint64_t, std::less<>> m_errors;
    std::uint64_t m_error_total = 0;
    std::atomic<std::uint64_t> m_net_in{0}, m_net_out{0}, m_memory_peak{0};
    // MONITOR and SLOWLOG.
    mutable std::mutex m_monitors_mutex;
    std::vector<session_type*> m_monitors;
    std::atomic<std::size_t> m_monitor_count{0};
    mutable std::mutex m_slowlog_mutex;
    std::deque<SlowlogEntry> m_slowlog;  ///< newest first
    long long m_slowlog_next_id = 0;
    long long m_slowlog_max = 128;
    std::atomic<long long> m_slowlog_threshold{10000};
    mutable std::mutex m_latency_mutex;
    std::map<std::string, LatencyEvent, std::less<>> m_latency;
    std::atomic<long long> m_latency_threshold{0};
};

template <Clock C>
Engine<C>::Engine(database_type& db, EngineOptions options)
    : m_db(db), m_options(std::move(options)) {
    // Keys that expire or are evicted reach replicas as DEL, as Redis propagates them.
    // Changed keys invalidate client-side caches (observed only while a client tracks).
    m_db.set_modified_observer([this](int, std::string_view key) {
        if (!t_flushing()) tracking_invalidate(key);
    });
    m_db.set_reclaim_observer([this](int d, std::string_view key, RemovalCause) {
        const std::string_view argv[] = {"DEL", key};
        m_repl.feed(d, argv);
    });
    register_connection_commands<C>(m_commands);
    register_server_commands<C>(m_commands);
    register_key_commands<C>(m_commands);
    register_string_commands<C>(m_commands);
    register_pubsub_commands<C>(m_commands);
    register_transaction_commands<C>(m_commands);
    register_list_commands<C>(m_commands);
    register_hash_commands<C>(m_commands);
    register_set_commands<C>(m_commands);
    register_zset_commands<C>(m_commands);
    register_object_commands<C>(m_commands);
    register_admin_commands<C>(m_commands);
    register_hyperloglog_commands<C>(m_commands);
    register_sort_commands<C>(m_commands);
    register_bitmap_commands<C>(m_commands);
    register_geo_commands<C>(m_commands);
    register_replication_commands<C>(m_commands);
    register_cluster_commands<C>(m_commands);
    register_config_params<C>(*this);
    index_commands();
    m_db.set_maxmemory(m_options.maxmemory);
    m_db.set_maxmemory_policy(parse_maxmemory_policy(m_options.maxmemory_policy).value_or(MaxmemoryPolicy::noeviction));
    if (auto f = parse_notify_flags(m_options.notify_keyspace_events)) m_db.set_notify_flags(*f);
}

template <Clock C>
void Engine<C>::index_commands() {
    m_index.clear();
    m_specs.clear();
    for (auto& [name, spec] : m_commands) {
        if (name == "auth" || name == "hello") spec.flags |= cmd_redact;
        m_index.emplace(std::string_view(name), &spec);
        spec.id = m_specs.size();
        spec.stat_name = name;
        m_specs.push_back(&spec);
        for (auto& [sub_name, sub] : spec.subcommands) {
            sub.id = m_specs.size();
            sub.stat_name = name + "|" + sub_name;
            m_specs.push_back(&sub);
        }
    }
    // Counters sized for the old table are dropped; threads find new ones by the new uid.
    std::lock_guard lock(m_stats_mutex);
    m_counter_blocks.clear();
    m_latency_base.clear();
    m_uid = next_uid();
}

template <Clock C>
Engine(BasicDatabase<C>&, EngineOptions = {}) -> Engine<C>;
template <Clock C>
Session(Engine<C>&, ClientInfo = {}) -> Session<C>;

// ---------------------------------------------------------------------- Ctx, Session

template <Clock C>
RedisDb<C>& Ctx<C>::db() noexcept {
    return engine.database().db(session.db_index());
}

template <Clock C>
Session<C>::Session(Engine<C>& engine, ClientInfo info)
    : m_engine(engine), m_info(std::move(info)) {
    m_writer.on_error(
        [](void* self, std::string_view text) {
            auto& session = *static_cast<Session*>(self);
            ++session.m_error_replies;
            session.m_engine.count_error(text);
        },
        this);
    m_engine.attach(*this, m_info.id);
    m_parser.set_limits(m_engine.limits());
    m_parser.set_authenticated(!m_engine.auth_required());
    m_limits_seen = m_engine.limits_version();
}

template <Clock C>
bool Session<C>::auth_required_by_server() const {
    return m_engine.auth_required();
}

template <Clock C>
std::size_t Session<C>::process(std::string_view input) {
    std::size_t consumed = 0;
    bool stamped = false;
    if (m_engine.limits_version() != m_limits_seen) {
        m_limits_seen = m_engine.limits_version();
        m_parser.set_limits(m_engine.limits());
    }
    while (!m_blocked && !closing()) {
        const ParseResult r = m_parser.parse(input.substr(consumed));
        consumed += r.consumed;
        if (r.status == ParseStatus::need_more) break;
        if (r.status == ParseStatus::error) {
            m_writer.error(std::string("ERR ") + std::string(m_parser.error_message()));
            m_closing.store(true, std::memory_order_relaxed);
            break;
        }
        // The clock once per batch of commands, not per command (a pipeline of 16 read it 16
        // times: ~4% of a pipelined GET's server time).
        if (!stamped) {
            m_last_interaction.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                                     std::memory_order_relaxed);
            stamped = true;
        }
        execute(m_parser.args());
    }
    return consumed;
}

template <Clock C>
void Session<C>::execute(std::span<const std::string_view> argv, bool in_exec) {
    if (argv.empty()) return;
    const CommandSpec<C>* spec = m_engine.find(argv[0]);
    if (in_exec) {  // EXEC holds the order
        run(argv, spec, true);
        return;
    }
    const bool quiet_before = m_reply_off || m_reply_skip;
    const std::size_t reply_at = m_out.size();
    if (!(CACHET_UNLIKELY(m_engine.script_run().running.load(std::memory_order_acquire)) &&
          busy_script(argv, spec)))
        m_engine.ordered(spec && (spec->flags & cmd_takes_gate), [&] { run(argv, spec, false); });
    if (CACHET_UNLIKELY(quiet_before || m_reply_skip_next)) {
        // CLIENT REPLY: a reply is dropped if replies were off before the command and still
        // are after it (so ON's own +OK goes, as in Redis), except the subscribe family's.
        if (quiet_before && (m_reply_off || m_reply_skip) && !(spec && subscription_command(spec->name)))
            m_out.resize(reply_at);
        m_reply_skip = std::exchange(m_reply_skip_next, false);  // SKIP: the next command's
    }
}

/// While another connection's Lua script runs (it holds the transaction gate): SCRIPT KILL runs
/// at once, without the gate; any other command waits for the script up to
/// busy-reply-threshold ms after it started, then, as in Redis (processCommand's
/// CMD_ALLOW_BUSY): MULTI, DISCARD, WATCH, UNWATCH, AUTH, HELLO, QUIT and RESET run (WATCH
/// waits for the script to end to look at its key; on the script's own thread, where it could
/// not, it is BUSY); SHUTDOWN NOSAVE stops the script, even one that wrote, and then shuts down;
/// every other command, other SHUTDOWNs included, gets Redis's BUSY error, which also dooms an
/// open transaction, and EXEC then discards it ("EXECABORT Transaction discarded because of:
/// BUSY ..."). True if the command was answered here.
template <Clock C>
bool Session<C>::busy_script(std::span<const std::string_view> argv, const CommandSpec<C>* spec) {
    auto& script = m_engine.script_run();
    if (spec && spec->name == "script" && argv.size() == 2 && iequals(argv[1], "kill")) {
        run(argv, spec, false);
        return true;
    }
    // Served by the adapter from inside the script, on its thread (Engine::busy_pump): this
    // thread holds the gate, so a command can neither wait nor take it.
    const bool from_script_thread = m_engine.database().gate().held_exclusively();
    if (!from_script_thread) {
        for (;;) {
            if (!script.running.load(std::memory_order_acquire)) return false;
            if (steady_ms() - script.started_ms.load(std::memory_order_relaxed) >=
                script.threshold_ms.load(std::memory_order_relaxed))
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    static constexpr std::string_view busy =
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    if (spec && spec->name == "shutdown") {
        bool nosave = false, save = false;
        for (std::size_t i = 1; i < argv.size(); ++i) {
            nosave = nosave || iequals(argv[i], "nosave");
            save = save || iequals(argv[i], "save");
        }
        if (nosave && !save) {
            script.kill.store(true, std::memory_order_release);  // stops even a script that wrote
            if (!from_script_thread) return false;               // waits for it, then shuts down
        }
        m_writer.error(busy);
        return true;
    }
    if (spec && (spec->flags & cmd_allow_busy) && !(from_script_thread && spec->name == "watch")) {
        run(argv, spec, false);  // none of these takes the gate (WATCH's look waits for it)
        return true;
    }
    if (m_multi && spec && spec->name == "exec") {
        discard_multi();
        m_writer.error("EXECABORT Transaction discarded because of: " + std::string(busy));
        return true;
    }
    if (m_multi) m_multi_error = true;
    m_writer.error(busy);
    return true;
}

template <Clock C>
std::string Session<C>::call_for_script(std::span<const std::string_view> argv, Protocol p) {
    const std::size_t at = m_out.size();
    const Protocol saved = m_writer.protocol();
    m_writer.set_protocol(p);
    const bool was_script_call = std::exchange(m_script_call, true);
    try {
        execute(argv, true);  // the script holds the order, as EXEC does
    } catch (...) {
        m_script_call = was_script_call;
        m_writer.set_protocol(saved);
        throw;
    }
    m_script_call = was_script_call;
    m_writer.set_protocol(saved);
    std::string reply = m_out.substr(at);
    m_out.resize(at);
    return reply;
}

template <Clock C>
void Session<C>::run(std::span<const std::string_view> argv, const CommandSpec<C>* spec, bool in_exec) {
    Ctx<C> ctx{m_engine, *this, argv, m_writer, in_exec};
    const typename Engine<C>::CurrentSession current(*this);
    // Names in these errors as Redis's %s / %.*s prints them: up to a NUL byte.
    const auto c_str = [](std::string_view s) { return s.substr(0, s.find('\0')); };
    bool resolved = false;  // spec is the command's own (a subcommand's, for a container)
    auto reject = [&](std::string_view err) {
        if (resolved) {  // Redis's rejected_calls: a known command refused before it ran
            auto& counters = m_engine.thread_counters()[spec->id];
            counters.add(counters.rejected, 1);
        }
        if (spec && spec->name == "exec") {  // Redis's rejectCommand: a rejected EXEC aborts
            discard_multi();                  // the transaction and unwatches, even outside one
            if (err.starts_with("ERR ")) err.remove_prefix(4);
            m_writer.error("EXECABORT Transaction discarded because of: " + std::string(err));
            return;
        }
        if (m_multi) m_multi_error = true;
        m_writer.error(err);
    };
    if (!spec) {
        std::string args;
        for (std::size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
            const std::size_t room = 128 - args.size();
            args += '\'';
            args += c_str(argv[i]).substr(0, room);
            args += "' ";
        }
        reject("ERR unknown command '" + std::string(c_str(argv[0]).substr(0, 128)) +
               "', with args beginning with: " + args);
        return;
    }
    const CommandSpec<C>* parent = nullptr;
    if (!spec->subcommands.empty()) {
        if (argv.size() >= 2) {
            auto it = spec->subcommands.find(lower(argv[1]));
            if (it == spec->subcommands.end()) {
                reject("ERR unknown subcommand '" + std::string(c_str(argv[1]).substr(0, 128)) +
                       "'. Try " + upper(spec->name) + " HELP.");
                return;
            }
            parent = spec;
            spec = &it->second;
        }
    }
    resolved = true;
    // Redis's full name ("get", "config|get"), built only for the error replies that need it.
    const auto fullname = [&] { return parent ? parent->name + "|" + spec->name : spec->name; };
    if (!spec->arity_ok(argv.size()) || !spec->handler) {
        reject("ERR wrong number of arguments for '" + fullname() + "' command");
        return;
    }
    if (m_engine.auth_required() && !m_authenticated && !(spec->flags & cmd_no_auth)) {
        reject(errors::noauth);
        return;
    }
    // Redis's protected commands (DEBUG) while enable-debug-command is no, its default: refused
    // before anything else looks at them, so inside MULTI at queue time.
    if (CACHET_UNLIKELY(spec->flags & cmd_protected) && m_engine.config_value("enable-debug-command") == "no") {
        reject("ERR " + upper(spec->name) +
               " command not allowed. If the enable-debug-command option is set to \"local\", you "
               "can run it from a local connection, otherwise you need to set this option in the "
               "configuration file, and then restart the server.");
        return;
    }
    // Cluster mode: keys of another node's slots are redirected, as Redis's getNodeByQuery
    // (EXEC checks the keys of the whole transaction, and then discards it on an error).
    if (CACHET_UNLIKELY(m_engine.cluster() != nullptr) && !in_exec) {
        if (auto err = cluster_error(spec, argv)) {
            if (spec->name == "exec") {
                auto& counters = m_engine.thread_counters()[spec->id];
                counters.add(counters.rejected, 1);
                discard_multi();
                m_writer.error(*err);
            } else {
                reject(*err);
            }
            return;
        }
    }
    if (m_multi && !in_exec && (spec->flags & cmd_no_multi)) {
        reject("ERR Command not allowed inside a transaction");
        return;
    }
    if (in_pubsub_context() && !in_exec) {
        if (!subscription_command(spec->name) && spec->name != "ping" && spec->name != "quit" &&
            spec->name != "reset") {
            reject("ERR Can't execute '" + fullname() +
                   "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
                   "in this context");
            return;
        }
    }
    const bool denyoom = (spec->flags & cmd_denyoom) != 0;
    // The last command, for CLIENT LIST's cmd=: a queued one counts, as in Redis.
    m_last_spec.store(spec, std::memory_order_release);
    m_last_parent.store(parent, std::memory_order_release);
    // CLIENT PAUSE: held back until the pause ends (Redis's blockPostponeClient), after the
    // checks above and before MULTI queues it; a replica's link is never held.
    if (CACHET_UNLIKELY(m_engine.paused()) && !in_exec && !is_replica()) {
        const std::uint8_t pause = m_engine.pause_state(std::chrono::steady_clock::now());
        if (CACHET_UNLIKELY(pause != pause_none) && held_by_pause(spec, pause)) {
            m_postponed.store(true, std::memory_order_release);  // before blocked(): CLIENT UNBLOCK
            block(m_engine.postpone(*this, argv), m_engine.pause_end());
            return;
        }
    }
    if (m_multi && !in_exec) {
        static const std::set<std::string_view> immediate = {"exec",  "discard", "multi",
                                                             "watch", "quit",    "reset"};
        if (!immediate.contains(spec->name)) {
            // Any command queued over maxmemory is refused, as Redis refuses it (the queue
            // itself takes memory), and the transaction is then aborted at EXEC.
            if (!m_engine.database().make_room()) {
                reject(errors::oom);
                return;
            }
            m_queued.emplace_back(argv.begin(), argv.end());
            m_queued_count.store(m_queued.size(), std::memory_order_relaxed);
            m_writer.simple("QUEUED");
            return;
        }
    }
    if (denyoom && !in_exec && !m_engine.database().make_room()) {
        reject(errors::oom);
        return;
    }
    // One writer (this thread): a plain load and store, no read-modify-write.
    m_commands.store(m_commands.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    const std::size_t reply_at = m_out.size();
    const std::uint64_t errors_before = m_error_replies;
    const std::size_t db_at_start = db_index();
    const bool was_replica = is_replica();  // a replica gets the stream, not replies
    m_propagate_as.reset();
    // A script (EVAL and friends: skip_monitor) shows in MONITOR before it runs, whatever it
    // answers, so that the commands it calls (shown as the "lua" client's) follow it (Redis).
    if (CACHET_UNLIKELY(spec->flags & cmd_skip_monitor) && m_engine.has_monitors())
        m_engine.feed_monitors(db_index(), m_info.addr, argv);
    // Client-side caching, as Redis's call() and resetClient(): a read-only command's keys are
    // remembered (not EVAL_RO's own: the commands it calls count), before it reads them, so a
    // change on another thread while it runs is announced (after its reply); the
    // invalidations of keys the client changed itself follow its reply (after EXEC's or the
    // script's, for the commands inside), and CLIENT CACHING lasts one command (or one
    // transaction).
    const bool tracking_on = m_tracking.load(std::memory_order_relaxed) & trk_on;
    if (CACHET_UNLIKELY(tracking_on) && (spec->flags & cmd_readonly) &&
        !(spec->flags & (cmd_pubsub | cmd_channel_keys)) && !(m_tracking.load(std::memory_order_relaxed) & trk_bcast))
        remember_tracked_keys(spec, argv);
    const std::uint64_t t0 = cachet::detail::fast_ticks();
    try {
        spec->handler(ctx);
    } catch (const WrongTypeError&) {
        m_writer.error(errors::wrongtype);
    } catch (const std::bad_alloc&) {
        m_writer.error("ERR out of memory");
    } catch (const std::length_error&) {
        m_writer.error("ERR out of memory");
    }
    const std::uint64_t ticks = cachet::detail::fast_ticks() - t0;
    if (CACHET_UNLIKELY(was_replica)) m_out.resize(reply_at);
    if (CACHET_UNLIKELY(m_engine.replication().active())) replicate(argv, spec, db_at_start, errors_before);
    // A command that blocked (on keys, or WAIT) is counted now, as Redis 7.0's call() counts
    // it; its latency histogram and SLOWLOG entry wait until it is served (`account_served`).
    const bool blocked_now = m_blocked != nullptr;
    if (CACHET_UNLIKELY(blocked_now)) {
        m_block_ticks = ticks;
        m_block_spec = spec;
        m_block_argv.assign(argv.begin(), argv.end());
    }
    {
        auto& counters = m_engine.thread_counters()[spec->id];
        counters.add(counters.calls, 1);
        counters.add(counters.ticks, ticks);
        if (m_engine.latency_tracking() && !blocked_now)
            counters.record_latency(static_cast<std::uint64_t>(cachet::detail::ticks_to_ns(ticks)));
        // Failed: it replied an error itself (an EXEC whose queued commands failed did not;
        // they count theirs), as Redis's call() judges it.
        if (m_error_replies > std::max(errors_before, m_error_mark)) counters.add(counters.failed, 1);
        m_error_mark = m_error_replies;
    }
    // Pushes this command caused for this very connection (its own keyspace notifications, a
    // PUBLISH to a channel it subscribes to) go before its reply, as Redis writes them during
    // the command. Only when nothing else may be waiting in the outbox for a blocked command.
    if (!m_blocked && m_outbox.size() != 0 && m_writer.open_deferred() == 0 && !is_replica()) {
        std::string pushes;
        (void)m_outbox.drain(pushes);
        m_out.insert(reply_at, pushes);
    }
    if (CACHET_UNLIKELY(tracking_on) && !in_exec && !m_script_call && !in_multi() &&
        !(parent && parent->name == "client"))
        m_tracking.fetch_and(static_cast<std::uint8_t>(~trk_caching), std::memory_order_acq_rel);
    if (!in_exec && !m_script_call) {
        if (CACHET_UNLIKELY(!m_tracking_pending.empty() || !m_tracking_changed.empty()))
            m_engine.tracking_send_pending(*this);
        // Other connections' invalidations that came while this command ran follow its reply.
        if (CACHET_UNLIKELY(m_outbox.late_size() != 0) && !m_blocked) m_outbox.drain_late(m_out);
    }
    // AUTH's arguments (and HELLO's after AUTH) never reach MONITOR or SLOWLOG (Redis 7.0
    // redacts them).
    std::size_t redact_from = static_cast<std::size_t>(-1);
    if (CACHET_UNLIKELY(spec->flags & cmd_redact)) {
        if (spec->name == "auth") {
            redact_from = 1;
        } else {
            for (std::size_t i = 1; i < argv.size(); ++i)
                if (iequals(argv[i], "auth")) {
                    redact_from = i + 1;
                    break;
                }
        }
    }
    // After it ran, as Redis's call(): MONITOR (not admin commands), SLOWLOG (not EXEC,
    // skip_slowlog: its commands are logged one by one), the latency monitor.
    // A command a script calls is the "lua" client's in MONITOR and "?:0" (no name) in the
    // SLOWLOG, as Redis's script client.
    if (m_engine.has_monitors() && !(spec->flags & (cmd_admin | cmd_skip_monitor)))
        m_engine.feed_monitors(db_index(), m_script_call ? std::string_view("lua") : std::string_view(m_info.addr),
                               argv, redact_from);
    if (!(spec->flags & cmd_skip_slowlog)) {
        const auto us = static_cast<long long>(cachet::detail::ticks_to_ns(ticks) / 1000.0);
        if (!blocked_now)
            m_engine.slowlog_consider(us, argv, m_script_call ? std::string_view("?:0") : std::string_view(m_info.addr),
                                      [this] { return m_script_call ? std::string() : name(); }, redact_from);
        m_engine.latency_consider((spec->flags & cmd_fast) ? "fast-command" : "command", us / 1000);
    }
}

/// Redis 7.0's updateStatsOnUnblock, for a command served after it blocked: its run time when
/// it blocked plus the serving time are added to INFO commandstats' usec (its call was
/// counted when it blocked) and recorded in its latency histogram and the SLOWLOG; the serving
/// time alone is the latency monitor's "command-unblocking" event. A command that timed out
/// (or that CLIENT UNBLOCK ended) gets none of this, as in Redis 7.0.
template <Clock C>
void Session<C>::account_served(const BlockedCommand& cmd) {
    const std::optional<BlockedCommand::Served> served = cmd.served();
    if (served && m_block_spec) {
        const std::uint64_t total = m_block_ticks + served->ticks;
        const double total_ns = cachet::detail::ticks_to_ns(total);
        auto& counters = m_engine.thread_counters()[m_block_spec->id];
        counters.add(counters.ticks, total);
        if (served->failed) counters.add(counters.failed, 1);
        if (m_engine.latency_tracking()) counters.record_latency(static_cast<std::uint64_t>(total_ns));
        const std::vector<std::string_view> argv(m_block_argv.begin(), m_block_argv.end());
        m_engine.slowlog_consider(static_cast<long long>(total_ns / 1000.0), argv, m_info.addr,
                                  [this] { return name(); });
        m_engine.latency_consider("command-unblocking",
                                  static_cast<long long>(cachet::detail::ticks_to_ns(served->ticks) / 1e6));
    }
}

/// Feeds what the command just run changed to the replication stream: its own arguments if
/// it is a write (or may-replicate: PUBLISH) that did not fail, or what it asked for instead
/// (`propagate_as`). A command that blocked is fed when it is served (as the pop it did).
template <Clock C>
void Session<C>::replicate(std::span<const std::string_view> argv, const CommandSpec<C>* spec,
                           std::size_t db, std::uint64_t errors_before) {
    if (m_blocked || m_error_replies > errors_before) return;
    auto& repl = m_engine.replication();
    if (!m_propagate_as && (spec->flags & cmd_write)) m_propagate_as = absolute_expiry(m_engine, db, argv, spec->name);
    if (m_propagate_as) {
        if (m_propagate_as->empty()) return;
        std::vector<std::string_view> v(m_propagate_as->begin(), m_propagate_as->end());
        repl.feed(static_cast<int>(db), v);
    } else if (spec->flags & (cmd_write | cmd_may_replicate | cmd_replicated)) {
        repl.feed(static_cast<int>(db), argv);
    } else {
        return;
    }
    m_write_offset = repl.offset();
}

/// In cluster mode, the error that redirects a command (or EXEC's transaction) on keys this
/// node does not serve: CROSSSLOT for keys of several slots, CLUSTERDOWN when some slot has no
/// node, MOVED to the node serving the slot. nullopt: run it here.
template <Clock C>
std::optional<std::string> Session<C>::cluster_error(const CommandSpec<C>* spec,
                                                     std::span<const std::string_view> argv) {
    const ClusterTopology& topo = *m_engine.cluster();
    int slot = -1;
    bool cross = false;
    auto add = [&](const CommandSpec<C>& s, std::span<const std::string_view> a) {
        if (s.first_key <= 0 && !has_counted_keys(s.name)) return;
        const auto keys = command_keys(s, a);
        if (!keys) return;  // the command's own error follows
        for (auto k : *keys) {
            const int ks = key_hash_slot(k);
            if (slot < 0) slot = ks;
            else if (ks != slot) cross = true;
        }
    };
    if (spec->name == "exec") {
        if (!m_multi) return std::nullopt;
        for (const auto& q : m_queued) {
            std::vector<std::string_view> a(q.begin(), q.end());
            const CommandSpec<C>* s = m_engine.find(a[0]);
            if (!s) continue;
            if (!s->subcommands.empty() && a.size() >= 2)
                if (auto it = s->subcommands.find(lower(a[1])); it != s->subcommands.end()) s = &it->second;
            add(*s, a);
        }
    } else {
        add(*spec, argv);
    }
    if (cross) return std::string("CROSSSLOT Keys in request don't hash to the same slot");
    if (slot < 0) return std::nullopt;
    if (!topo.complete()) return std::string("CLUSTERDOWN The cluster is down");
    const ClusterNode* owner = topo.owner(slot);
    if (!owner) return std::string("CLUSTERDOWN Hash slot not served");
    if (owner->myself) return std::nullopt;
    return "MOVED " + std::to_string(slot) + ' ' + owner->ip + ':' + std::to_string(owner->port);
}

template <Clock C>
void Session<C>::exec_queued(ReplyWriter& out) {
    std::vector<std::vector<std::string>> queued = std::move(m_queued);
    m_queued.clear();
    m_queued_count.store(0, std::memory_order_relaxed);
    m_multi.store(false, std::memory_order_relaxed);
    bool dirty = m_watch.dirty.load(std::memory_order_acquire);
    // A key that existed at WATCH time and has expired since counts as changed (Redis 7.0).
    auto& database = m_engine.database();
    if (!dirty)
        for (const auto& w : m_watched)
            if (w.existed && !database.db(w.db).exists(w.key)) dirty = true;
    unwatch_all();
    if (dirty) {
        out.null_array();
        return;
    }
    auto& repl = m_engine.replication();
    repl.begin_transaction();  // the writes go to replicas between MULTI and EXEC
    const auto frozen = database.freeze_time();  // no key expires during EXEC (Redis 7.0)
    database.exclusive([&] {
        out.array(queued.size());
        for (auto& cmd : queued) {
            std::vector<std::string_view> argv(cmd.begin(), cmd.end());
            execute(argv, true);
        }
    });
    repl.end_transaction();
}

template <Clock C>
void Session<C>::watch(std::string_view key) {
    for (const auto& w : m_watched)
        if (w.db == db_index() && w.key == key) return;
    auto& database = m_engine.database();
    // Register first, then look: a write that the registration misses committed before the
    // look, which then sees it (both take the key's shard lock).
    database.watch(static_cast<int>(db_index()), key, &m_watch);
    const bool exists = database.db(db_index()).exists(key);
    if (exists) database.watch_found_live(static_cast<int>(db_index()), key, &m_watch);
    m_watched.push_back({db_index(), std::string(key), exists});
}

template <Clock C>
void Session<C>::unwatch_all() {
    auto& database = m_engine.database();
    for (const auto& w : m_watched) database.unwatch(static_cast<int>(w.db), w.key, &m_watch);
    m_watched.clear();
    m_watch.dirty.store(false, std::memory_order_release);
}

template <Clock C>
void Session<C>::write_push_message(std::string& buf, std::string_view kind,
                                    std::string_view pattern, std::string_view channel,
                                    std::string_view message) const {
    ReplyWriter w(buf, protocol());
    w.push(pattern.empty() ? 3 : 4);
    w.bulk(kind);
    if (!pattern.empty()) w.bulk(pattern);
    w.bulk(channel);
    w.bulk(message);
}

template <Clock C>
bool Session<C>::subscribe(std::string_view name, SubscriptionKind kind) {
    auto& subs = m_subs[static_cast<int>(kind)];
    if (subs.find(name) != subs.end()) return false;
    auto& database = m_engine.database();
    auto& bus = kind == SubscriptionKind::shard_channel ? database.shard_bus() : database.bus();
    std::string key(name);
    const bool pattern = kind == SubscriptionKind::pattern;
    const std::string_view push_kind = pattern ? "pmessage" : kind == SubscriptionKind::shard_channel ? "smessage" : "message";
    auto handler = [this, pattern, push_kind, pat = key](std::string_view channel, const std::string& msg) {
        std::string buf;
        write_push_message(buf, push_kind, pattern ? std::string_view(pat) : std::string_view(), channel, msg);
        const OutputLimit lim = m_engine.output_limit(2);
        m_outbox.post(buf, false, lim.hard, 0);
    };
    auto sub = pattern ? bus.psubscribe(key, handler) : bus.subscribe(key, handler);
    subs.emplace(std::move(key), std::move(sub));
    m_sub_count[static_cast<int>(kind)].fetch_add(1, std::memory_order_relaxed);
    return true;
}

template <Clock C>
bool Session<C>::unsubscribe(std::string_view name, SubscriptionKind kind) {
    auto& subs = m_subs[static_cast<int>(kind)];
    auto it = subs.find(name);
    if (it == subs.end()) return false;
    subs.erase(it);  // the Subscription's destructor unsubscribes
    m_sub_count[static_cast<int>(kind)].fetch_sub(1, std::memory_order_relaxed);
    return true;
}

template <Clock C>
std::vector<std::string> Session<C>::subscribed(SubscriptionKind kind) const {
    std::vector<std::string> out;
    for (const auto& [name, sub] : m_subs[static_cast<int>(kind)]) out.push_back(name);
    return out;
}

template <Clock C>
bool Session<C>::collect_async() {
    const auto [any, unblocked] = m_outbox.drain(m_out);
    (void)any;
    if (m_outbox.late_size() != 0) m_outbox.drain_late(m_out);
    const int request = m_outbox.take_unblock_request();
    if (unblocked && m_blocked) {
        m_blocked->unregister();
        if (m_blocked->retry_argv()) {
            run_released(*m_blocked);
        } else {
            account_served(*m_blocked);
            unblock();
        }
        return true;
    }
    // CLIENT UNBLOCK: unless a producer claimed the command first (its reply is coming).
    if (request != 0 && m_blocked && !m_blocked->retry_argv() && m_blocked->cancel()) {
        m_blocked->unregister();
        if (request == 2) m_writer.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        else m_blocked->timeout_reply(m_writer);
        unblock();
        return true;
    }
    return false;
}

template <Clock C>
bool Session<C>::held_by_pause(const CommandSpec<C>* spec, std::uint8_t pause) const {
    if (pause == pause_all) return true;
    // Redis's write and may-replicate commands. EVAL, EVALSHA and PFCOUNT are may-replicate
    // there; their specs here do not carry cmd_may_replicate because `replicate` feeds such a
    // command on every call that does not fail, and these decide what replicas get (a
    // script's effects; PFCOUNT itself only when it rewrote the cached count).
    const auto writes = [](const CommandSpec<C>& c) {
        return (c.flags & (cmd_write | cmd_may_replicate | cmd_replicated)) || c.name == "eval" ||
               c.name == "evalsha" || c.name == "pfcount";
    };
    if (writes(*spec)) return true;
    if (spec->name != "exec" || !m_multi) return false;
    for (const auto& queued : m_queued) {
        const CommandSpec<C>* q = m_engine.find(queued[0]);
        if (q && !q->subcommands.empty() && queued.size() >= 2)
            if (auto it = q->subcommands.find(lower(queued[1])); it != q->subcommands.end()) q = &it->second;
        if (q && writes(*q)) return true;
    }
    return false;
}

template <Clock C>
void Session<C>::run_released(BlockedCommand& held) {
    std::vector<std::string> argv = std::move(*held.retry_argv());
    unblock();  // destroys `held`
    const std::vector<std::string_view> views(argv.begin(), argv.end());
    execute(views);  // held again if a new pause began meanwhile
}

template <Clock C>
bool Session<C>::on_tick(time_point now) {
    if (!m_blocked || !m_block_deadline || now < *m_block_deadline) return false;
    if (m_blocked->cancel()) {
        m_blocked->unregister();
        if (m_blocked->retry_argv()) {  // the pause's time is up (or it was made longer)
            (void)m_engine.pause_state(now);
            run_released(*m_blocked);
            return true;
        }
        m_blocked->timeout_reply(m_writer);
        unblock();
        return true;
    }
    return false;  // served meanwhile: the reply is in the outbox
}

template <Clock C>
void Session<C>::remember_tracked_keys(const CommandSpec<C>* spec, std::span<const std::string_view> argv) {
    if (spec->name == "eval_ro" || spec->name == "evalsha_ro") return;
    const std::uint8_t f = m_tracking.load(std::memory_order_relaxed);
    const bool caching = f & trk_caching;
    if (((f & trk_optin) && !caching) || ((f & trk_optout) && caching)) return;
    const auto keys = command_keys(*spec, argv);
    if (keys && !keys->empty()) m_engine.tracking_remember(*this, *keys);
}

template <Clock C>
void Session<C>::enable_tracking(std::uint64_t redirect, std::uint8_t options, std::span<const std::string_view> prefixes) {
    const std::uint8_t old = m_tracking.load(std::memory_order_acquire);
    if (!(old & trk_on)) m_engine.tracking_switch(+1);
    m_tracking_redirect.store(redirect, std::memory_order_release);
    if (options & trk_bcast) {
        static constexpr std::string_view every[] = {""};
        for (std::string_view p : prefixes.empty() ? std::span<const std::string_view>(every) : prefixes)
            if (m_tracking_prefixes.emplace(p).second) m_engine.tracking_add_prefix(p, id());
    }
    const auto kept = static_cast<std::uint8_t>(old & trk_caching);
    const auto given = static_cast<std::uint8_t>(options & (trk_bcast | trk_optin | trk_optout | trk_noloop));
    m_tracking.store(static_cast<std::uint8_t>(trk_on | kept | given), std::memory_order_release);
}

template <Clock C>
void Session<C>::disable_tracking() {
    const std::uint8_t old = m_tracking.load(std::memory_order_acquire);
    if (!(old & trk_on)) return;
    m_tracking.store(0, std::memory_order_release);
    if (!m_tracking_prefixes.empty()) {
        m_engine.tracking_remove_prefixes(m_tracking_prefixes, id());
        m_tracking_prefixes.clear();
    }
    m_engine.tracking_switch(-1);
}

template <Clock C>
void Session<C>::close() {
    if (m_closed) return;
    m_closed = true;
    if (m_blocked) {
        if (!m_blocked->cancel())
            while (!m_blocked->finished()) std::this_thread::yield();
        m_blocked->unregister();
        unblock();
    }
    for (int k = 0; k < 3; ++k) {
        m_subs[k].clear();
        m_sub_count[k].store(0, std::memory_order_relaxed);
    }
    m_engine.count_commands(m_commands.exchange(0, std::memory_order_relaxed));
    unwatch_all();
    disable_tracking();
    if (m_monitor.exchange(false)) m_engine.remove_monitor(*this);
    if (m_replica.load(std::memory_order_relaxed)) m_engine.replication().detach(*this);
    m_engine.detach(m_info.id);
}

}  // namespace resp
CACHET_NAMESPACE_END

#include <cachet/resp/commands/admin.hpp>
#include <cachet/resp/commands/bitmaps.hpp>
#include <cachet/resp/commands/cluster.hpp>
#include <cachet/resp/commands/config.hpp>
#include <cachet/resp/commands/geo.hpp>
#include <cachet/resp/commands/connection.hpp>
#include <cachet/resp/commands/hashes.hpp>
#include <cachet/resp/commands/hyperloglog.hpp>
#include <cachet/resp/commands/keys.hpp>
#include <cachet/resp/commands/lists.hpp>
#include <cachet/resp/commands/pubsub.hpp>
#include <cachet/resp/commands/replication.hpp>
#include <cachet/resp/commands/server.hpp>
#include <cachet/resp/commands/sets.hpp>
#include <cachet/resp/commands/sort.hpp>
#include <cachet/resp/commands/strings.hpp>
#include <cachet/resp/commands/transactions.hpp>
#include <cachet/resp/commands/zsets.hpp>  // and, at its end, object.hpp

#endif  // CACHET_RESP_ENGINE_HPP
