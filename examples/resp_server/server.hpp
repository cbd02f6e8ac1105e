#ifndef CACHET_EXAMPLES_RESP_SERVER_SERVER_HPP
#define CACHET_EXAMPLES_RESP_SERVER_SERVER_HPP

/// `cachet::resp_server::Server<C>`: the network side of cachet's RESP adapter (Linux). It
/// mounts a TCP port on an embedding program's own `BasicDatabase<C>` and `resp::Engine<C>`,
/// so redis-cli, redis-benchmark and Redis client libraries talk to the program's data. The
/// command layer (`cachet/resp/engine.hpp`) does all the protocol work; this file only moves
/// bytes between sockets and `resp::Session`s, with the behaviour of Redis 7.0's networking.c.
///
/// ```cpp
/// cachet::Database db;                            // the program's data
/// cachet::resp::Engine engine(db);                 // commands, CONFIG, clients
/// cachet::resp_server::Server server(engine, {.port = 6380, .io_threads = 2});
/// server.start();                                  // listens; serves on background threads
/// ...                                              // the program keeps using `db`
/// server.stop();                                   // or a client's SHUTDOWN
/// server.wait();
/// ```
///
/// Design. N I/O threads (default: the machine's cores), each one an epoll loop that owns its
/// connections outright: every call into a connection's `Session` (process, output,
/// collect_async, on_tick, close) happens on that thread, so sessions need no locks. Thread 0
/// also accepts, on every listening socket, and hands new connections out round-robin (which
/// balances 50 benchmark connections exactly, where SO_REUSEPORT's hashing may not); the
/// session is created by the acceptor, so `maxclients` is checked against an exact count.
/// Sockets are non-blocking and level-triggered. On a readable socket the loop reads once into a
/// per-thread 64 KiB buffer, runs every complete command (`Session::process`), copies only an
/// incomplete tail into the connection's own buffer (so idle connections hold no buffer, and
/// a big bulk grows a private buffer sized from `RequestParser::bytes_needed`), and queues the
/// connection for writing; once every event of the `epoll_wait` is handled, each queued
/// connection gets all its replies with one `send` (as Redis writes in `beforeSleep`: a client
/// woken by the first reply of a round is usually still awake for the rest, where sending as
/// each connection is read woke them once per connection: under redis-benchmark's ZADD -P 16,
/// `bench/resp_vs_redis.sh`'s "of which system" column went from 2.48 to 1.56 us per request
/// with two I/O threads, Redis 0.41-0.51, the rest being the hot key's lock waits; with one
/// I/O thread, 1.35-1.65 to 0.43-0.65 us, Redis 0.23-0.58).
/// What the socket does not take stays in `output()` and the connection switches to EPOLLOUT
/// until it drains. Other threads reach a connection only through its session's outbox
/// (pub/sub messages, a blocked command served by another client's push): the waker
/// installed with `Session::set_waker` appends the connection's id to its thread's wake list
/// (mutex-protected) and writes the thread's eventfd once per batch; the owner then calls
/// `collect_async` for exactly those connections.
///
/// Limits, as Redis: `client-query-buffer-limit` closes a client whose unparsed input grows
/// beyond it, without a reply; `client-output-buffer-limit` per class (normal; pubsub for a
/// session with subscriptions) closes a client whose unsent output reaches the hard limit,
/// or stays at or over the soft limit for more than soft-seconds; `maxclients` answers
/// "-ERR max number of clients reached" and closes; `timeout` closes clients idle that long
/// (not subscribers, not blocked ones). Blocked commands time out through the epoll timeout
/// (the nearest `Session::block_deadline` of the thread). A 10 Hz cron per thread checks the
/// rest; thread 0's also runs active expiry (`Database::run_pending`) unless disabled.
///
/// Shutdown (`stop()`, a signal handler calling it, or SHUTDOWN through the engine's hook):
/// stop accepting and reading, finish writing the replies in flight (up to
/// `shutdown_timeout`), close every connection on its own thread, join, and return from
/// `run()`.
///
/// Costs: per request batch one `recv`, one `send`, and a share of one `epoll_wait`; no
/// allocation on the hot path once buffers have grown (the per-thread read buffer is shared,
/// the session's output string keeps its capacity up to 1 MiB). A connection costs its
/// `Session` plus, only while it has an incomplete request buffered, that request's bytes.
///
/// Thread-safety: `stop()` is thread-safe and async-signal-safe; `port()` and `stats()` are
/// thread-safe; the other members are called by the owning program's thread, once each, in the
/// order listen (optional), run or start, wait.

#include <cachet/resp/engine.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp_server {

/// Redis's log levels, in order of severity.
enum class LogLevel : std::uint8_t { debug, verbose, notice, warning };

/// Writes one log line the way redis-server does: "pid:M 01 Jan 2024 12:00:00.000 * text"
/// (the level character is '.', '-', '*' or '#'), with one write(2) so lines from several
/// threads do not interleave. Thread-safe.
inline void write_log_line(int fd, LogLevel level, std::string_view text) {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t secs = system_clock::to_time_t(now);
    const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    ::localtime_r(&secs, &tm);
    char stamp[64];
    const std::size_t n = std::strftime(stamp, sizeof stamp, "%d %b %Y %H:%M:%S", &tm);
    static constexpr char marks[] = {'.', '-', '*', '#'};
    char head[128];
    const int h = std::snprintf(head, sizeof head, "%d:M %.*s.%03d %c ", static_cast<int>(::getpid()),
                                static_cast<int>(n), stamp, static_cast<int>(ms),
                                marks[static_cast<int>(level)]);
    std::string line(head, static_cast<std::size_t>(h > 0 ? h : 0));
    line.append(text);
    line += '\n';
    for (std::size_t off = 0; off < line.size();) {
        const ssize_t w = ::write(fd, line.data() + off, line.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += static_cast<std::size_t>(w);
    }
}

/// How a Server listens and runs. The Engine's options (limits, maxclients, timeout, ...) stay
/// in the Engine, where CONFIG SET changes them; these are the socket-side settings.
struct ServerOptions {
    /// Addresses to listen on (numeric IPv4/IPv6; "*" is every IPv4 address, "::*" every IPv6
    /// one). A leading '-' makes an address optional: skipped if it cannot be bound. The default
    /// is loopback only: never every interface unless asked.
    std::vector<std::string> bind = {"127.0.0.1"};
    /// TCP port; 0 picks a free one (see `Server::port()`).
    int port = 6379;
    /// Event-loop threads; 0: std::thread::hardware_concurrency().
    unsigned io_threads = 0;
    /// listen(2) backlog (Redis's tcp-backlog).
    int backlog = 511;
    /// TCP keepalive idle seconds on client sockets (Redis's tcp-keepalive); 0: off.
    int tcp_keepalive = 300;
    /// Bytes read per recv into the per-thread buffer (Redis reads 16 KiB).
    std::size_t read_chunk = 64 * 1024;
    /// How long shutdown waits for replies in flight to be written.
    std::chrono::milliseconds shutdown_timeout{5000};
    /// Run `Database::run_pending()` (active expiry) at 10 Hz on thread 0.
    bool active_expire = true;
    /// Install the engine's shutdown hook, so SHUTDOWN stops this server.
    bool handle_shutdown_command = true;
    /// Messages below this level are dropped.
    LogLevel verbosity = LogLevel::notice;
    /// Log sink (thread-safe); empty: redis-style lines on stderr.
    std::function<void(LogLevel, std::string_view)> log{};
};

/// Counters since the server was made. Read with `Server::stats()`.
struct ServerStats {
    std::uint64_t accepted = 0;             ///< connections accepted and served
    std::uint64_t rejected = 0;             ///< refused by maxclients
    std::uint64_t closed_query_limit = 0;   ///< closed by client-query-buffer-limit
    std::uint64_t closed_output_limit = 0;  ///< closed by client-output-buffer-limit
    std::uint64_t closed_idle = 0;          ///< closed by the idle timeout
};

namespace server_detail {

[[nodiscard]] inline std::string errno_text(int e) { return std::strerror(e); }

/// "ip:port", with brackets for IPv6 (Redis's anetFormatAddr).
[[nodiscard]] inline std::string format_addr(const sockaddr_storage& ss) {
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
        ::inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        port = ntohs(a->sin_port);
        return std::string(ip) + ':' + std::to_string(port);
    }
    if (ss.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
        ::inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        port = ntohs(a->sin6_port);
        return '[' + std::string(ip) + "]:" + std::to_string(port);
    }
    return "?:0";
}

/// A connection's private input: only what `Session::process` left unconsumed (an incomplete
/// request, or requests waiting behind a blocked command). Empty and unallocated otherwise.
class InputBuffer {
public:
    [[nodiscard]] bool empty() const noexcept { return m_begin == m_end; }
    [[nodiscard]] std::size_t size() const noexcept { return m_end - m_begin; }
    [[nodiscard]] std::string_view view() const noexcept {
        return {m_data.get() + m_begin, m_end - m_begin};
    }
    /// Makes room for at least `n` more bytes at the end; returns where they go.
    char* reserve(std::size_t n) {
        if (m_cap - m_end >= n) return m_data.get() + m_end;
        const std::size_t used = size();
        if (m_cap - used >= n && used <= m_cap / 2) {  // compact: cheap, the tail is short
            std::memmove(m_data.get(), m_data.get() + m_begin, used);
        } else {
            const std::size_t cap = std::max(used + n, m_cap + m_cap / 2);
            std::unique_ptr<char[]> grown(new char[cap]);
            if (used) std::memcpy(grown.get(), m_data.get() + m_begin, used);
            m_data = std::move(grown);
            m_cap = cap;
        }
        m_begin = 0;
        m_end = used;
        return m_data.get() + m_end;
    }
    [[nodiscard]] std::size_t free_space() const noexcept { return m_cap - m_end; }
    void commit(std::size_t n) noexcept { m_end += n; }
    void append(std::string_view s) {
        std::memcpy(reserve(s.size()), s.data(), s.size());
        m_end += s.size();
    }
    /// Drops `n` bytes from the front; frees the memory once nothing is left.
    void consume(std::size_t n) noexcept {
        m_begin += n;
        if (m_begin == m_end) release();
    }
    void release() noexcept {
        m_data.reset();
        m_cap = m_begin = m_end = 0;
    }

private:
    std::unique_ptr<char[]> m_data;
    std::size_t m_cap = 0, m_begin = 0, m_end = 0;
};

inline void close_fd(int& fd) noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

}  // namespace server_detail

/// A RESP server over an Engine: see the file comment.
template <Clock C = SteadyClock>
class Server {
public:
    using engine_type = resp::Engine<C>;
    using session_type = resp::Session<C>;
    using time_point = std::chrono::steady_clock::time_point;

    /// Prepares `io_threads` event loops (epoll instance and eventfd each); does not listen yet.
    /// Throws std::system_error if the kernel refuses. The engine must outlive the server.
    explicit Server(engine_type& engine, ServerOptions options = {})
        : m_engine(engine), m_options(std::move(options)) {
        unsigned n = m_options.io_threads;
        if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
        m_options.io_threads = n;
        m_options.read_chunk = std::max<std::size_t>(m_options.read_chunk, 4096);
        for (unsigned i = 0; i < n; ++i) m_loops.push_back(std::make_unique<Loop>(*this, i));
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Stops the server if it runs and waits for it.
    ~Server() {
        stop();
        wait();
        for (int& fd : m_listeners) server_detail::close_fd(fd);
    }

    /// Binds and listens on every address of `options.bind`. Throws std::runtime_error with
    /// Redis's wording ("Could not create server TCP listening socket 127.0.0.1:6379: bind:
    /// Address already in use") if a mandatory address cannot be bound, or none could. Called by
    /// `run()` if not called before; call it first to learn `port()` before serving.
    void listen() {
        if (!m_listeners.empty()) return;
        int port = m_options.port;
        for (std::string addr : m_options.bind) {
            const bool optional = !addr.empty() && addr[0] == '-';
            if (optional) addr.erase(0, 1);
            std::string err;
            const int fd = open_listener(addr, port, err);
            if (fd < 0) {
                if (optional) {
                    log(LogLevel::warning, "Could not create server TCP listening socket " + addr +
                                               ':' + std::to_string(port) + ": " + err + " (optional, skipped)");
                    continue;
                }
                for (int& l : m_listeners) server_detail::close_fd(l);
                throw std::runtime_error("Could not create server TCP listening socket " +
                                         (addr.find(':') != std::string::npos ? '[' + addr + ']' : addr) +
                                         ':' + std::to_string(port) + ": " + err);
            }
            if (port == 0) {  // the first address picked the port; the others take the same
                sockaddr_storage ss{};
                socklen_t len = sizeof ss;
                ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
                port = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                                : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
            }
            m_listeners.push_back(fd);
            m_bound.push_back(addr);
        }
        if (m_listeners.empty())
            throw std::runtime_error("Failed listening on port " + std::to_string(port) +
                                     " (TCP): no address could be bound");
        m_port.store(port, std::memory_order_release);
    }

    /// The port listened on (the one picked by the kernel for port 0), or -1 before `listen()`.
    [[nodiscard]] int port() const noexcept { return m_port.load(std::memory_order_acquire); }
    /// The addresses listened on.
    [[nodiscard]] const std::vector<std::string>& addresses() const noexcept { return m_bound; }
    /// The number of event-loop threads.
    [[nodiscard]] unsigned io_threads() const noexcept { return m_options.io_threads; }

    /// Serves until `stop()` (or SHUTDOWN): listens if needed, runs loop 0 on the calling
    /// thread and the others on new threads, then shuts down as described in the file comment
    /// and returns. Throws what `listen()` throws. A server runs once.
    void run() {
        listen();
        if (m_options.handle_shutdown_command)
            m_engine.set_shutdown_hook([this] {
                log(LogLevel::warning, "User requested shutdown...");
                stop();
            });
        for (int fd : m_listeners) m_loops[0]->add_listener(fd);
        m_engine.set_busy_pump([](const void* running) {
            if (Loop* loop = Loop::current()) loop->serve_while_busy(running);
        });
        std::string where;
        for (const auto& a : m_bound) where += (where.empty() ? "" : ", ") + a;
        log(LogLevel::notice, "Listening on " + where + " port " + std::to_string(port()) + ", " +
                                  std::to_string(m_loops.size()) + " I/O thread" +
                                  (m_loops.size() == 1 ? "" : "s"));
        std::vector<std::thread> threads;
        for (std::size_t i = 1; i < m_loops.size(); ++i)
            threads.emplace_back([this, i] { m_loops[i]->run(); });
        log(LogLevel::notice, "Ready to accept connections tcp");
        m_loops[0]->run();
        for (auto& t : threads) t.join();
        m_listeners.clear();  // loop 0 closed them
        m_engine.set_busy_pump({});
        if (m_options.handle_shutdown_command) m_engine.set_shutdown_hook({});
        log(LogLevel::notice, "Server stopped: every connection closed");
    }

    /// `listen()` on the calling thread (so its errors throw here), then `run()` on a
    /// background thread. Returns once listening.
    void start() {
        listen();
        m_runner = std::thread([this] { run(); });
    }
    /// Joins the thread `start()` made (no-op otherwise).
    void wait() {
        if (m_runner.joinable()) m_runner.join();
    }

    /// Asks the server to shut down; `run()` returns once done. Thread-safe and
    /// async-signal-safe (an atomic store and one write(2) per loop), so a SIGTERM handler
    /// may call it.
    void stop() noexcept {
        m_stop.store(true, std::memory_order_release);
        for (auto& l : m_loops) l->notify();
    }
    [[nodiscard]] bool stopping() const noexcept { return m_stop.load(std::memory_order_acquire); }

    [[nodiscard]] ServerStats stats() const noexcept {
        ServerStats s;
        s.accepted = m_accepted.load(std::memory_order_relaxed);
        s.rejected = m_rejected.load(std::memory_order_relaxed);
        s.closed_query_limit = m_closed_query.load(std::memory_order_relaxed);
        s.closed_output_limit = m_closed_output.load(std::memory_order_relaxed);
        s.closed_idle = m_closed_idle.load(std::memory_order_relaxed);
        return s;
    }

    /// Logs through `options.log` (or to stderr) if `level` passes `options.verbosity`.
    void log(LogLevel level, std::string_view text) const {
        if (level < m_options.verbosity) return;
        if (m_options.log) m_options.log(level, text);
        else write_log_line(2, level, text);
    }

private:
    class Loop;

    /// One client connection, owned by one Loop.
    struct Conn {
        Conn(engine_type& e, resp::ClientInfo info) : session(e, std::move(info)) {}
        session_type session;
        int fd = -1;
        std::uint64_t id = 0;
        server_detail::InputBuffer in;  ///< unconsumed input (see InputBuffer)
        std::size_t out_off = 0;        ///< bytes at the front of session.output() already sent
        std::uint32_t interest = 0;     ///< the epoll events registered
        bool closed = false;
        bool draining = false;   ///< closing once output() is sent (QUIT, errors, shutdown)
        bool in_blocked = false; ///< listed in Loop::m_blocked
        bool write_queued = false;  ///< listed in Loop::m_write_queue
        time_point last_io{};
        time_point soft_since{};  ///< when output went over the soft limit ({}: it is not)

        [[nodiscard]] std::size_t pending() noexcept { return session.output().size() - out_off; }
    };

    /// One event-loop thread: see the file comment.
    class Loop {
    public:
        Loop(Server& server, unsigned index) : m_server(server), m_index(index) {
            m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
            if (m_epoll < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
            m_event = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            if (m_event < 0) {
                const int e = errno;
                ::close(m_epoll);
                throw std::system_error(e, std::generic_category(), "eventfd");
            }
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = tag_event;
            ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_event, &ev);
        }
        Loop(const Loop&) = delete;
        Loop& operator=(const Loop&) = delete;
        ~Loop() {
            for (auto& c : m_incoming) ::close(c->fd);  // handed over after this loop exited
            server_detail::close_fd(m_event);
            server_detail::close_fd(m_epoll);
        }

        void add_listener(int fd) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = tag_listener_base + m_listeners.size();
            ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
            m_listeners.push_back(fd);
        }

        /// Async-signal-safe: makes epoll_wait return.
        void notify() noexcept {
            const std::uint64_t one = 1;
            [[maybe_unused]] const ssize_t r = ::write(m_event, &one, sizeof one);
        }

        /// A session of this loop got async output (any thread). See the file comment.
        void wake(std::uint64_t id) {
            bool signal = false;
            {
                std::lock_guard lock(m_mutex);
                m_wake_ids.push_back(id);
                m_has_pending.store(true, std::memory_order_relaxed);
                if (t_current != this && !m_signalled) signal = m_signalled = true;
            }
            if (signal) notify();
        }

        /// Takes over a connection accepted by loop 0 (called on loop 0's thread).
        void hand_over(std::unique_ptr<Conn> c) {
            bool signal = false;
            {
                std::lock_guard lock(m_mutex);
                m_incoming.push_back(std::move(c));
                m_has_pending.store(true, std::memory_order_relaxed);
                if (!m_signalled) signal = m_signalled = true;
            }
            if (signal) notify();
        }

        /// The loop of the calling thread (nullptr on other threads).
        static Loop* current() noexcept { return t_current; }

        /// Serves this loop while a Lua script runs on its thread past busy-reply-threshold
        /// (Engine::busy_pump, called from the script's hook every 10 ms), as Redis's
        /// processEventsWhileBlocked: accepts (loop 0), adopts handed-over connections, reads
        /// the other connections, whose commands get BUSY (SCRIPT KILL runs, SHUTDOWN stops
        /// the script), and sends their replies. The script's own connection is left for
        /// later; reads go to a buffer of their own, since the script's pipeline may still be
        /// in the shared one.
        void serve_while_busy(const void* running) {
            if (m_pumping) return;
            m_pumping = true;
            if (!m_pump_buf) m_pump_buf.reset(new char[m_server.m_options.read_chunk]);
            std::swap(m_read_buf, m_pump_buf);
            std::array<epoll_event, 64> events;
            const int n = ::epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), 0);
            m_now = std::chrono::steady_clock::now();
            std::vector<Conn*> served;
            for (int i = 0; i < n; ++i) {
                const epoll_event& ev = events[static_cast<std::size_t>(i)];
                const std::uint64_t tag = ev.data.u64;
                if (tag == tag_event) {
                    std::uint64_t v;
                    [[maybe_unused]] const ssize_t r = ::read(m_event, &v, sizeof v);
                    continue;  // drained below
                }
                if (tag >= tag_listener_base && tag < tag_listener_base + 4096) {
                    dispatch(ev);
                    continue;
                }
                Conn& c = *static_cast<Conn*>(ev.data.ptr);
                if (c.closed || &c.session == running) continue;
                dispatch(ev);
                served.push_back(&c);
            }
            if (m_has_pending.load(std::memory_order_relaxed)) drain_pending(running);
            for (Conn* c : served)
                if (!c->closed) after_output(*c);
            std::swap(m_read_buf, m_pump_buf);
            m_pumping = false;
        }

        void run() {
            t_current = this;
            m_read_buf.reset(new char[m_server.m_options.read_chunk]);
            m_limits_version = ~std::uint64_t{0};
            std::vector<epoll_event> events(1024);
            m_now = std::chrono::steady_clock::now();
            m_next_cron = m_now;
            for (;;) {
                const int timeout = next_timeout();
                const int n = ::epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), timeout);
                m_now = std::chrono::steady_clock::now();
                if (n < 0 && errno != EINTR) {
                    m_server.log(LogLevel::warning, "epoll_wait: " + server_detail::errno_text(errno));
                }
                refresh_limits();
                for (int i = 0; i < n; ++i) dispatch(events[static_cast<std::size_t>(i)]);
                send_queued();
                if (m_has_pending.load(std::memory_order_relaxed)) drain_pending();
                if (!m_blocked.empty()) tick_blocked();
                if (m_now >= m_next_cron) cron();
                if (!m_stopping && m_server.stopping()) begin_shutdown();
                if (m_stopping && (m_conns.empty() || m_now >= m_shutdown_deadline)) break;
                m_graveyard.clear();
            }
            // Shutdown: whatever is left did not drain in time.
            std::vector<Conn*> left;
            for (auto& [id, c] : m_conns) left.push_back(c.get());
            for (Conn* c : left) close_conn(*c);
            drain_pending();  // connections handed over meanwhile: adopt() closes them
            m_graveyard.clear();
            for (int& fd : m_listeners) server_detail::close_fd(fd);
            m_read_buf.reset();
            t_current = nullptr;
        }

    private:
        static constexpr std::uint64_t tag_event = 1;
        static constexpr std::uint64_t tag_listener_base = 16;  // + listener index (< 4096)
        static constexpr std::size_t keep_output_capacity = 1 << 20;
        static inline thread_local Loop* t_current = nullptr;

        [[nodiscard]] engine_type& engine() noexcept { return m_server.m_engine; }

        // ---------------------------------------------------------------- events

        void dispatch(const epoll_event& ev) {
            const std::uint64_t tag = ev.data.u64;
            if (tag == tag_event) {
                std::uint64_t v;
                [[maybe_unused]] const ssize_t r = ::read(m_event, &v, sizeof v);
                drain_pending();
                return;
            }
            if (tag >= tag_listener_base && tag < tag_listener_base + 4096) {
                accept_all(tag - tag_listener_base);
                return;
            }
            Conn& c = *static_cast<Conn*>(ev.data.ptr);
            if (c.closed) return;  // closed earlier in this batch
            if (ev.events & EPOLLOUT) {
                if (!flush(c)) return;
                if (c.draining && c.pending() == 0) {
                    close_conn(c);
                    return;
                }
            }
            if (c.closed) return;
            if (ev.events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                if (c.interest & EPOLLIN) on_readable(c);
                else if (ev.events & (EPOLLERR | EPOLLHUP)) close_conn(c);
            }
        }

        void on_readable(Conn& c) {
            const bool shared = c.in.empty();
            char* dst;
            std::size_t room;
            const std::size_t chunk = m_server.m_options.read_chunk;
            if (shared) {
                dst = m_read_buf.get();
                room = chunk;
            } else {
                // A big bulk in progress: grow towards its end (doubling, so a 512 MB value is
                // not trusted up front), reading straight into the private buffer.
                const std::size_t have = c.in.size();
                const std::size_t need = c.session.parser().bytes_needed();
                std::size_t want = chunk;
                if (need > have + chunk) want = std::min(need - have, std::max(have, chunk));
                dst = c.in.reserve(want);
                room = c.in.free_space();
            }
            const ssize_t n = ::recv(c.fd, dst, room, 0);
            if (n <= 0) {
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
                if (n < 0)
                    m_server.log(LogLevel::verbose, "Reading from client: " + server_detail::errno_text(errno));
                close_conn(c);  // EOF or error; Redis drops what was not sent
                return;
            }
            c.last_io = m_now;
            m_net_in += static_cast<std::uint64_t>(n);
            if (shared) {
                const std::string_view data(dst, static_cast<std::size_t>(n));
                const std::size_t used = c.session.process(data);
                if (used < data.size()) c.in.append(data.substr(used));
            } else {
                c.in.commit(static_cast<std::size_t>(n));
                run_input(c);
            }
            if (c.in.size() > m_query_limit) {
                m_server.log(LogLevel::warning,
                             "Closing client that reached max query buffer length: id=" +
                                 std::to_string(c.id) + " addr=" + c.session.info().addr +
                                 " qbuf=" + std::to_string(c.in.size()));
                m_server.m_closed_query.fetch_add(1, std::memory_order_relaxed);
                close_conn(c);
                return;
            }
            if (!c.write_queued) {
                c.write_queued = true;
                m_write_queue.push_back(&c);
            }
        }

        /// Sends the replies of the connections read in this round (see the file comment), and
        /// everything `after_output` does after a read. A connection closed meanwhile is skipped
        /// (it is in the graveyard until the round ends).
        void send_queued() {
            for (std::size_t i = 0; i < m_write_queue.size(); ++i) {
                Conn& c = *m_write_queue[i];
                c.write_queued = false;
                if (!c.closed) after_output(c);
            }
            m_write_queue.clear();
        }

        /// Runs the commands buffered in `c.in` (after an unblock, or with a private buffer).
        void run_input(Conn& c) {
            if (c.in.empty()) return;
            c.in.consume(c.session.process(c.in.view()));
        }

        /// After a session may have produced output or changed state: track blocking, send,
        /// close if it asked to, enforce the output buffer limits.
        void after_output(Conn& c) {
            if (c.session.blocked() && !c.in_blocked) {
                c.in_blocked = true;
                m_blocked.push_back(&c);
            }
            if (!flush(c)) return;
            if (!c.draining && c.session.closing()) {
                if (c.session.outbox().overflow()) {  // a pub/sub message hit the hard limit
                    note_output_limit(c);
                    close_conn(c);
                    return;
                }
                start_draining(c);  // QUIT, a protocol error, CLIENT KILL: send, then close
            }
            if (c.draining && c.pending() == 0) {
                close_conn(c);
                return;
            }
            if (c.pending() > 0) check_output_limits(c);
        }

        /// Sends as much of output() as the socket takes. Returns false if it closed `c`.
        bool flush(Conn& c) {
            std::string& out = c.session.output();
            while (c.out_off < out.size()) {
                const ssize_t n = ::send(c.fd, out.data() + c.out_off, out.size() - c.out_off,
                                         MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n > 0) {
                    c.out_off += static_cast<std::size_t>(n);
                    m_net_out += static_cast<std::uint64_t>(n);
                    continue;
                }
                if (n < 0 && errno == EINTR) continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                m_server.log(LogLevel::verbose, "Error writing to client: " +
                                                    server_detail::errno_text(n < 0 ? errno : EPIPE));
                close_conn(c);
                return false;
            }
            if (c.out_off == out.size()) {
                if (c.out_off) {
                    out.clear();
                    c.out_off = 0;
                    if (out.capacity() > keep_output_capacity) out.shrink_to_fit();
                }
                c.soft_since = {};
                set_interest(c, c.draining ? EPOLLOUT : EPOLLIN);
            } else {
                // Keep the unsent tail; erase the sent head once it dominates (amortised O(1)).
                if (c.out_off >= (64u << 10) && c.out_off * 2 >= out.size()) {
                    out.erase(0, c.out_off);
                    c.out_off = 0;
                }
                set_interest(c, c.draining ? EPOLLOUT : (EPOLLIN | EPOLLOUT));
            }
            return true;
        }

        void set_interest(Conn& c, std::uint32_t events) {
            if (c.interest == events) return;
            epoll_event ev{};
            ev.events = events;
            ev.data.ptr = &c;
            ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
            c.interest = events;
        }

        /// Stops reading from `c`; it closes once its output is sent.
        void start_draining(Conn& c) {
            c.draining = true;
            set_interest(c, EPOLLOUT);
        }

        /// Redis's checkClientOutputBufferLimits: hard at once, soft after soft-seconds.
        void check_output_limits(Conn& c) {
            const int cls = c.session.is_replica() ? 1 : c.session.subscriber() ? 2 : 0;
            if (cls == 1 && !c.session.replica_online()) return;  // still receiving its snapshot
            const resp::OutputLimit lim = engine().output_limit(cls);
            const std::size_t used = c.pending() + c.session.outbox().size();
            const bool hard = lim.hard && used >= lim.hard;
            bool soft = lim.soft && used >= lim.soft;
            if (soft && !hard) {
                if (c.soft_since == time_point{}) {
                    c.soft_since = m_now;
                    soft = false;
                } else if (std::chrono::duration_cast<std::chrono::seconds>(m_now - c.soft_since).count() <=
                           static_cast<long long>(lim.soft_seconds)) {
                    soft = false;
                }
            } else if (!soft) {
                c.soft_since = {};
            }
            if (hard || soft) {
                note_output_limit(c);
                close_conn(c);
            }
        }

        void note_output_limit(Conn& c) {
            m_server.m_closed_output.fetch_add(1, std::memory_order_relaxed);
            m_server.log(LogLevel::warning, "Client id=" + std::to_string(c.id) + " addr=" +
                                                c.session.info().addr +
                                                " closed for overcoming of output buffer limits.");
        }

        // ---------------------------------------------------------------- async output

        /// `skip`: a session not to touch now (the one running a script): its wake-ups are
        /// put back for the loop's next round.
        void drain_pending(const void* skip = nullptr) {
            std::vector<std::uint64_t> ids;
            std::vector<std::unique_ptr<Conn>> incoming;
            {
                std::lock_guard lock(m_mutex);
                ids.swap(m_wake_ids);
                incoming.swap(m_incoming);
                m_signalled = false;
                m_has_pending.store(false, std::memory_order_relaxed);
            }
            for (auto& c : incoming) adopt(std::move(c));
            for (std::uint64_t id : ids) {
                auto it = m_conns.find(id);
                if (it == m_conns.end() || it->second->closed) continue;
                Conn& c = *it->second;
                if (&c.session == skip) {
                    std::lock_guard lock(m_mutex);
                    m_wake_ids.push_back(id);
                    m_has_pending.store(true, std::memory_order_relaxed);
                    continue;
                }
                if (c.session.collect_async()) {
                    if (c.in_blocked) {
                        c.in_blocked = false;
                        std::erase(m_blocked, &c);
                    }
                    run_input(c);
                }
                after_output(c);
            }
            if (ids.capacity() > 64) {  // give the grown vector back, to save reallocations
                ids.clear();
                std::lock_guard lock(m_mutex);
                if (m_wake_ids.empty() && m_wake_ids.capacity() < ids.capacity()) m_wake_ids.swap(ids);
            }
        }

        /// Times out blocked commands whose deadline passed; drops unblocked entries.
        void tick_blocked() {
            std::vector<Conn*> list;
            list.swap(m_blocked);  // after_output below may append to m_blocked
            std::vector<Conn*> keep;
            for (Conn* c : list) {
                if (c->closed || !c->in_blocked) continue;
                if (!c->session.blocked()) {
                    c->in_blocked = false;
                    continue;
                }
                const auto deadline = c->session.block_deadline();
                if (deadline && *deadline <= m_now && c->session.on_tick(m_now)) {
                    c->in_blocked = false;
                    run_input(*c);
                    after_output(*c);  // may block again: appended to m_blocked
                    continue;
                }
                keep.push_back(c);
            }
            for (Conn* c : m_blocked)
                if (!c->closed && c->in_blocked) keep.push_back(c);
            m_blocked.swap(keep);
        }

        /// Milliseconds epoll_wait may sleep: until the cron or the nearest block deadline.
        int next_timeout() {
            if (m_has_pending.load(std::memory_order_relaxed)) return 0;
            auto until = m_next_cron;
            for (Conn* c : m_blocked)
                if (!c->closed && c->in_blocked)
                    if (auto d = c->session.block_deadline(); d && *d < until) until = *d;
            const auto now = std::chrono::steady_clock::now();
            if (until <= now) return 0;
            const auto us = std::chrono::duration_cast<std::chrono::microseconds>(until - now).count();
            return static_cast<int>((us + 999) / 1000);
        }

        void refresh_limits() {
            const std::uint64_t v = engine().limits_version();
            if (v == m_limits_version) return;
            m_limits_version = v;
            m_query_limit = engine().limits().query_buffer_limit;
        }

        /// 10 Hz: active expiry (loop 0), idle timeout and soft output limits (every second),
        /// a paused listener.
        void cron() {
            m_next_cron = m_now + std::chrono::milliseconds(100);
            // Not while a Lua script holds the gate: this loop's clients (and, on loop 0, new
            // connections) would wait with it, and could not ask for SCRIPT KILL.
            // A CLIENT PAUSE whose time is up ends here even without traffic (Redis's cron),
            // releasing the expiry it held.
            if (m_index == 0) (void)engine().pause_state(m_now);
            if (m_index == 0 && m_server.m_options.active_expire && !m_stopping &&
                !engine().script_run().running.load(std::memory_order_acquire))
                engine().ordered(false, [&] { engine().database().run_pending(); });  // DELs in order
            // INFO's byte counters, added to the engine's here (lagging by <= 100 ms) rather
            // than by every recv and send from every loop into one shared cache line.
            engine().count_net(std::exchange(m_net_in, 0), std::exchange(m_net_out, 0));
            if (m_index == 0) {
                engine().sample_ops(m_now);
                (void)engine().note_memory();  // used_memory_peak
                if (m_cron_ticks % 10 == 0) engine().replication_cron();  // PINGs to replicas
            }
            if (m_accept_paused && m_now >= m_accept_resume && !m_stopping) {
                for (std::size_t i = 0; i < m_listeners.size(); ++i) {
                    epoll_event ev{};
                    ev.events = EPOLLIN;
                    ev.data.u64 = tag_listener_base + i;
                    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_listeners[i], &ev);
                }
                m_accept_paused = false;
            }
            if (++m_cron_ticks % 10 != 0 || m_conns.empty()) return;
            const std::uint64_t timeout = engine().options().timeout;
            std::vector<Conn*> idle, slow;
            for (auto& [id, cp] : m_conns) {
                Conn& c = *cp;
                if (c.closed) continue;
                if (timeout && !c.draining && !c.session.blocked() && !c.session.subscriber() &&
                    !c.session.is_replica() &&
                    std::chrono::duration_cast<std::chrono::seconds>(m_now - c.last_io).count() >
                        static_cast<long long>(timeout))
                    idle.push_back(&c);
                else if (c.soft_since != time_point{})
                    slow.push_back(&c);
            }
            for (Conn* c : idle) {
                m_server.log(LogLevel::verbose, "Closing idle client id=" + std::to_string(c->id));
                m_server.m_closed_idle.fetch_add(1, std::memory_order_relaxed);
                close_conn(*c);
            }
            for (Conn* c : slow)
                if (!c->closed && c->pending() > 0) check_output_limits(*c);
        }

        // ---------------------------------------------------------------- connections

        void accept_all(std::size_t which) {
            const int lfd = m_listeners[which];
            for (int i = 0; i < 1000; ++i) {
                sockaddr_storage peer{};
                socklen_t len = sizeof peer;
                const int fd = ::accept4(lfd, reinterpret_cast<sockaddr*>(&peer), &len,
                                         SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                    const int e = errno;
                    if (e == EAGAIN || e == EWOULDBLOCK) return;
                    if (e == EINTR || e == ECONNABORTED) continue;
                    m_server.log(LogLevel::warning, "Accepting client connection: " + server_detail::errno_text(e));
                    if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) pause_accepting();
                    return;
                }
                if (m_stopping || m_server.stopping()) {
                    ::close(fd);
                    continue;
                }
                if (!engine().admit()) {
                    static constexpr std::string_view msg = "-ERR max number of clients reached\r\n";
                    [[maybe_unused]] const ssize_t w = ::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                    engine().count_rejected();
                    m_server.m_rejected.fetch_add(1, std::memory_order_relaxed);
                    m_server.log(LogLevel::verbose, "Error registering fd event for the new client: max number of clients reached");
                    ::close(fd);
                    continue;
                }
                setup_socket(fd);
                sockaddr_storage local{};
                socklen_t llen = sizeof local;
                ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
                resp::ClientInfo info;
                info.addr = server_detail::format_addr(peer);
                info.laddr = server_detail::format_addr(local);
                info.fd = fd;
                std::unique_ptr<Conn> c;
                try {
                    c = std::make_unique<Conn>(engine(), std::move(info));
                } catch (const std::exception& ex) {
                    m_server.log(LogLevel::warning, std::string("Accepting client connection: ") + ex.what());
                    ::close(fd);
                    continue;
                }
                c->fd = fd;
                c->id = c->session.id();
                m_server.m_accepted.fetch_add(1, std::memory_order_relaxed);
                const std::size_t target = m_next_target++ % m_server.m_loops.size();
                Loop* owner = m_server.m_loops[target].get();
                c->session.set_waker([owner, id = c->id] { owner->wake(id); });
                m_server.log(LogLevel::verbose, "Accepted " + c->session.info().addr);
                if (owner == this) adopt(std::move(c));
                else owner->hand_over(std::move(c));
            }
        }

        void pause_accepting() {
            for (int fd : m_listeners) ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
            m_accept_paused = true;
            m_accept_resume = m_now + std::chrono::milliseconds(100);
        }

        void setup_socket(int fd) {
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (const int idle = m_server.m_options.tcp_keepalive; idle > 0) {
                ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
                const int intvl = std::max(1, idle / 3), cnt = 3;
                ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
                ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
                ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
            }
        }

        void adopt(std::unique_ptr<Conn> owned) {
            Conn& c = *owned;
            if (m_stopping) {
                c.session.close();
                ::close(c.fd);
                return;
            }
            c.last_io = m_now;
            c.interest = EPOLLIN;
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.ptr = &c;
            if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
                m_server.log(LogLevel::warning, "Error registering fd event for the new client: " +
                                                    server_detail::errno_text(errno));
                c.session.close();
                ::close(c.fd);
                return;
            }
            m_conns.emplace(c.id, std::move(owned));
            c.session.collect_async();  // a CLIENT KILL before the waker was installed
            if (c.session.closing()) after_output(c);
        }

        /// Closes `c` now (on its own thread): unregisters, closes the socket, ends the
        /// session; the object is freed after the current batch of events.
        void close_conn(Conn& c) {
            if (c.closed) return;
            c.closed = true;
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
            ::close(c.fd);
            c.session.close();
            auto it = m_conns.find(c.id);
            if (it != m_conns.end()) {
                m_graveyard.push_back(std::move(it->second));
                m_conns.erase(it);
            }
            if (c.in_blocked) {
                c.in_blocked = false;
                std::erase(m_blocked, &c);
            }
        }

        void begin_shutdown() {
            m_stopping = true;
            m_shutdown_deadline = m_now + m_server.m_options.shutdown_timeout;
            for (int fd : m_listeners) {
                ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
            }
            drain_pending();
            std::vector<Conn*> all;
            for (auto& [id, c] : m_conns) all.push_back(c.get());
            for (Conn* c : all) {
                if (c->closed) continue;
                if (c->pending() == 0 || c->session.blocked()) close_conn(*c);
                else start_draining(*c);
            }
        }

        Server& m_server;
        const unsigned m_index;
        int m_epoll = -1;
        int m_event = -1;
        std::vector<int> m_listeners;  // loop 0 only
        std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> m_conns;
        std::vector<std::unique_ptr<Conn>> m_graveyard;  // closed during this batch
        std::vector<Conn*> m_blocked;                    // sessions in a blocking command
        std::vector<Conn*> m_write_queue;                // read this round: send after it
        std::unique_ptr<char[]> m_read_buf;              // shared by this loop's connections
        std::unique_ptr<char[]> m_pump_buf;              // serve_while_busy's reads
        bool m_pumping = false;
        time_point m_now{}, m_next_cron{}, m_shutdown_deadline{}, m_accept_resume{};
        std::uint64_t m_cron_ticks = 0;
        std::uint64_t m_net_in = 0, m_net_out = 0;  ///< not yet added to the engine's totals
        std::uint64_t m_limits_version = 0;
        std::size_t m_query_limit = ~std::size_t{0};
        std::size_t m_next_target = 0;
        bool m_stopping = false;
        bool m_accept_paused = false;

        // Shared with other threads (wakers, the acceptor).
        std::mutex m_mutex;
        std::vector<std::uint64_t> m_wake_ids;
        std::vector<std::unique_ptr<Conn>> m_incoming;
        bool m_signalled = false;
        std::atomic<bool> m_has_pending{false};
    };

    [[nodiscard]] int open_listener(const std::string& addr, int port, std::string& err) {
        std::string host = addr;
        if (host == "*") host = "0.0.0.0";
        else if (host == "::*") host = "::";
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
        addrinfo* res = nullptr;
        const std::string service = std::to_string(port);
        if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
            err = std::string("getaddrinfo: ") + ::gai_strerror(rc);
            return -1;
        }
        int fd = -1;
        for (addrinfo* p = res; p; p = p->ai_next) {
            fd = ::socket(p->ai_family, p->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, p->ai_protocol);
            if (fd < 0) {
                err = "socket: " + server_detail::errno_text(errno);
                continue;
            }
            const int one = 1;
            ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (p->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
            if (::bind(fd, p->ai_addr, p->ai_addrlen) != 0) {
                err = "bind: " + server_detail::errno_text(errno);
                server_detail::close_fd(fd);
                continue;
            }
            if (::listen(fd, m_options.backlog) != 0) {
                err = "listen: " + server_detail::errno_text(errno);
                server_detail::close_fd(fd);
                continue;
            }
            break;
        }
        ::freeaddrinfo(res);
        return fd;
    }

    engine_type& m_engine;
    ServerOptions m_options;
    std::vector<std::unique_ptr<Loop>> m_loops;
    std::vector<int> m_listeners;
    std::vector<std::string> m_bound;
    std::atomic<int> m_port{-1};
    std::atomic<bool> m_stop{false};
    std::thread m_runner;
    std::atomic<std::uint64_t> m_accepted{0}, m_rejected{0}, m_closed_query{0}, m_closed_output{0},
        m_closed_idle{0};
};

template <Clock C>
Server(resp::Engine<C>&, ServerOptions = {}) -> Server<C>;

}  // namespace resp_server
CACHET_NAMESPACE_END

#endif  // CACHET_EXAMPLES_RESP_SERVER_SERVER_HPP
