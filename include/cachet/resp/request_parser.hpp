#ifndef CACHET_RESP_REQUEST_PARSER_HPP
#define CACHET_RESP_REQUEST_PARSER_HPP

/// `RequestParser`: the server side of RESP. Turns the bytes a client sends into commands
/// (argument vectors), incrementally and without copying, accepting exactly what Redis 7.0's
/// `processMultibulkBuffer` / `processInlineBuffer` accept and failing with their error texts.
///
/// Model. The caller owns an input buffer it appends socket reads to, and a read position: the
/// first byte not yet consumed. It calls `parse()` with the bytes from that position to the end.
/// The parser keeps the state of a request in progress between calls (the arguments still
/// expected, the offsets and lengths of those already parsed, the length of the bulk being
/// read, and how far it has searched for a line end), all as offsets relative to the start of
/// the request, so the buffer may move (be reallocated, or have its consumed prefix erased)
/// between calls, and no byte is examined twice: a bulk payload is never scanned at all (its
/// length is known), and a line end is searched for from where the last search stopped. So
/// feeding a request one byte at a time costs O(request size) in total.
///
/// Every call returns `consumed`, the number of bytes at the front of its input the caller can
/// now drop (advance its read position by it whatever the status). `complete` means one whole
/// request: its arguments are `args()`, views into the caller's buffer (and, for quoted inline
/// arguments, into the parser's own arena), valid until the caller drops or changes those bytes
/// or calls `parse()`/`reset()` again. Empty requests (`*0`, `*-1`, any `*` count <= 0, blank
/// inline lines) are skipped as Redis skips them: they count in `consumed` but produce no
/// request. `need_more` may also report consumed bytes (skipped empty requests before a
/// partial one); the partial request itself is never counted until it completes.
///
/// A server's read handler (`in` is the connection's input buffer, `start` its read position):
///
///     in.append(bytes_read);
///     for (;;) {
///         const cachet::resp::ParseResult r = parser.parse(std::string_view(in).substr(start));
///         start += r.consumed;
///         if (r.status == cachet::resp::ParseStatus::need_more) break;
///         if (r.status == cachet::resp::ParseStatus::error) {
///             writer.error("ERR " + std::string(parser.error_message()));
///             close_after_reply();  // as Redis does after a protocol error
///             break;
///         }
///         execute(parser.args(), writer);  // std::span<const std::string_view> into `in`
///     }
///     in.erase(0, start);  // drop the consumed bytes; a partial request stays at the front
///     start = 0;
///
/// Redis's quirks, reproduced on purpose (each checked against redis-server 7.0.15):
///   - the byte after the '\r' of a `*`/`$` line, and the two bytes after a bulk payload, are
///     skipped without being checked ("*1\r\n$4\r\nPINGxx" is PING);
///   - line ends are searched for with `strchr`, which stops at a NUL byte: a NUL before the end
///     of a `*`/`$` line or an inline line hides it, so the request waits for more input until
///     the "too big" limit below fails it;
///   - the "too big" checks apply, when no line end has been found, to all the unconsumed bytes
///     (from the start of the line), not to the line alone: a line longer than 64 KiB is
///     accepted when its end arrives in the same read as its 64 KiB-th byte. What a server
///     reads per `parse()` call therefore decides where this limit bites, as in Redis (which
///     reads 16 KiB or more at a time);
///   - inline requests: a line ends at "\n" (a "\r" before it is dropped) and is split like
///     `sdssplitargs`: blanks (C-locale isspace) between arguments, "double quotes" with \n \r
///     \t \b \a \xHH and \<any> escapes, 'single quotes' with \' only; a closing quote must be
///     followed by a blank or the end of the line, else "unbalanced quotes in request"; quotes
///     may follow unquoted bytes (a"b c" is one argument, `ab c`), while an unquoted argument
///     ends only at space, \t, \r or \n (not at \v or \f).
///
/// Errors are sticky: after `error`, `error_message()` holds the text Redis puts after "-ERR "
/// (a server replies "-ERR <text>\r\n" and closes the connection, as Redis does), and every
/// call returns `error` until `reset()`.
///
/// Thread-safety: none; a parser belongs to one connection. Exception safety: `parse()` may
/// throw `std::bad_alloc` (argument offsets, the inline arena); the parser is then left in a
/// valid but unspecified state: call `reset()`. A copy of a parser continues the copied
/// request; its `args()` may view the original's arena until its next `parse()`.

#include <cachet/detail/config.hpp>
#include <cachet/resp/protocol.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {

/// How a complete request was sent.
enum class RequestType : std::uint8_t {
    multibulk,  ///< `*<n>\r\n` then n `$<len>\r\n<bytes>\r\n` (what every client library sends)
    inline_command,  ///< a text line, as typed into telnet
};

class RequestParser {
public:
    /// A parser with Redis's default limits, for an authenticated client (a server with no
    /// password: Redis's `authRequired()` is false). O(1), does not allocate.
    explicit RequestParser(ParserLimits limits = {}) noexcept : m_limits(limits) {}

    /// Parses the next request from `input`, which must start at the caller's read position
    /// (the first byte not yet consumed) and extend to the end of what it has received. While a
    /// request is in progress (`need_more` returned), each call must pass the same bytes again
    /// as a prefix, followed by any new ones; the buffer may have moved.
    ///
    /// Returns `{complete, n}`: one request, whose arguments are `args()`, ends `n` bytes into
    /// `input` (`n` includes skipped empty requests before it); `{need_more, n}`: the first `n`
    /// bytes were empty requests, and the rest is an incomplete request (or nothing);
    /// `{error, n}`: protocol error (see `error_message()`), `n` bytes of empty requests before it.
    ///
    /// Complexity: O(new bytes) amortised: bytes already examined in an earlier call are not
    /// examined again, except the last two of an unfinished line. Allocates only to grow the
    /// argument list (capacity kept between requests, initial reservation capped at 1,024 as in
    /// Redis) and the inline arena. Invalidates the previous `args()`.
    ParseResult parse(std::string_view input) {
        if (m_state == State::error) return {ParseStatus::error, 0};
        if (m_state == State::complete) start_request();
        if (CACHET_UNLIKELY(input.size() < m_seen)) {
            fail("parser misuse: input shorter than the bytes already examined");
            return {ParseStatus::error, 0};
        }
        std::size_t base = 0;  // start of the current request within `input`
        for (;;) {
            const std::string_view req = input.substr(base);
            if (m_state == State::idle) {
                if (req.empty()) return {ParseStatus::need_more, base};
                m_state = req[0] == '*' ? State::multibulk_count : State::inline_line;
                m_type = req[0] == '*' ? RequestType::multibulk : RequestType::inline_command;
            }
            const Step step =
                m_state == State::inline_line ? parse_inline(req) : parse_multibulk(req);
            switch (step) {
                case Step::need_more: m_seen = req.size(); return {ParseStatus::need_more, base};
                case Step::error: m_state = State::error; return {ParseStatus::error, base};
                case Step::empty:
                    base += m_pos;
                    start_request();
                    continue;
                case Step::complete:
                    publish_args(req);
                    m_state = State::complete;
                    return {ParseStatus::complete, base + m_pos};
            }
        }
    }

    /// The arguments of the request the last `parse()` completed (empty otherwise). Views into
    /// the caller's buffer, or into this parser (quoted inline arguments); valid until the
    /// caller drops or changes those bytes, or until the next `parse()` or `reset()`. O(1).
    [[nodiscard]] std::span<const std::string_view> args() const noexcept {
        return m_state == State::complete ? std::span<const std::string_view>(m_args)
                                          : std::span<const std::string_view>();
    }

    /// Whether the last completed (or current) request is multibulk or inline. O(1).
    [[nodiscard]] RequestType request_type() const noexcept { return m_type; }

    /// After `error`: what Redis replies after "-ERR ", e.g. "Protocol error: invalid bulk
    /// length". Empty otherwise. O(1).
    [[nodiscard]] std::string_view error_message() const noexcept { return m_error; }

    /// True after `error` until `reset()`. O(1).
    [[nodiscard]] bool failed() const noexcept { return m_state == State::error; }

    /// True while a request has been started but not completed (the caller must keep its
    /// bytes). O(1).
    [[nodiscard]] bool in_request() const noexcept {
        return m_state != State::idle && m_state != State::complete && m_state != State::error;
    }

    /// While a bulk payload is being read: the input size (from the request start) at which it
    /// will be complete, so a server can size its next read (Redis's big-argument path);
    /// otherwise 0. O(1).
    [[nodiscard]] std::size_t bytes_needed() const noexcept {
        if (m_state != State::multibulk_args || m_bulklen < 0) return 0;
        return m_pos + static_cast<std::size_t>(m_bulklen) + 2;
    }

    /// Whether the client counts as authenticated. When false (Redis's `authRequired()`: the
    /// server has a password and the client has not sent a good AUTH yet), multibulk counts
    /// above `unauthenticated_max_multibulk_len` (10) and bulk lengths above
    /// `unauthenticated_max_bulk_len` (16384) are protocol errors. Takes effect at the next
    /// `*`/`$` line parsed. O(1).
    void set_authenticated(bool authenticated) noexcept { m_authenticated = authenticated; }
    [[nodiscard]] bool authenticated() const noexcept { return m_authenticated; }

    /// The limits in force. `set_limits` takes effect at the next line parsed (a server
    /// applies CONFIG SET proto-max-bulk-len this way). O(1).
    [[nodiscard]] const ParserLimits& limits() const noexcept { return m_limits; }
    void set_limits(const ParserLimits& limits) noexcept { m_limits = limits; }

    /// Forgets any partial request, arguments and error; keeps limits, the authenticated flag
    /// and allocated capacity. The next `parse()` starts a new request. O(1), noexcept.
    void reset() noexcept {
        start_request();
        m_error.clear();
    }

private:
    enum class State : std::uint8_t {
        idle,             // between requests
        multibulk_count,  // waiting for the end of the "*<count>" line
        multibulk_args,   // reading "$<len>" lines and payloads
        inline_line,      // waiting for the end of an inline line
        complete,         // args() valid; the next parse() starts a new request
        error,
    };
    enum class Step : std::uint8_t { complete, empty, need_more, error };

    /// An argument: `len` bytes at `offset` from the request start, or in the arena.
    struct Span {
        std::size_t offset;
        std::size_t len;
        bool in_arena;
    };

    /// Where a line end search stopped: `hit` with `pos` at the `target` byte, or not found
    /// with `pos` where the next search must resume (the end, or a NUL byte that hides any
    /// target after it, as `strchr` does in Redis).
    struct Found {
        std::size_t pos;
        bool hit;
    };

    static Found find_before_nul(std::string_view s, std::size_t from, char target) noexcept {
        const char* const data = s.data();
        const std::size_t n = s.size();
        if (from >= n) return {n, false};
        const void* t = std::memchr(data + from, target, n - from);
        const std::size_t end =
            t ? static_cast<std::size_t>(static_cast<const char*>(t) - data) : n;
        if (const void* z = std::memchr(data + from, '\0', end - from))
            return {static_cast<std::size_t>(static_cast<const char*>(z) - data), false};
        return {end, t != nullptr};
    }

    void start_request() noexcept {
        m_state = State::idle;
        m_pos = 0;
        m_scan = 0;
        m_seen = 0;
        m_remaining = 0;
        m_bulklen = -1;
        m_spans.clear();
        m_args.clear();
    }

    Step fail(std::string_view message) {
        m_error.assign(message);
        m_state = State::error;
        return Step::error;
    }

    Step parse_multibulk(std::string_view req) {
        if (m_state == State::multibulk_count) {
            const Found f = find_before_nul(req, m_scan, '\r');
            if (!f.hit) {
                m_scan = f.pos;
                if (req.size() > m_limits.max_inline_len)
                    return fail("Protocol error: too big mbulk count string");
                return Step::need_more;
            }
            if (f.pos + 2 > req.size()) {  // the byte after '\r' (not checked) has not arrived
                m_scan = f.pos;
                return Step::need_more;
            }
            std::int64_t ll = 0;
            if (!detail::string2ll(req.substr(1, f.pos - 1), ll) || ll > m_limits.max_multibulk_len)
                return fail("Protocol error: invalid multibulk length");
            if (!m_authenticated && ll > m_limits.unauthenticated_max_multibulk_len)
                return fail("Protocol error: unauthenticated multibulk length");
            m_pos = f.pos + 2;
            if (ll <= 0) return Step::empty;
            m_remaining = ll;
            m_bulklen = -1;
            m_scan = m_pos;
            m_spans.reserve(static_cast<std::size_t>(std::min<std::int64_t>(ll, 1024)));
            m_state = State::multibulk_args;
        }
        while (m_remaining > 0) {
            if (m_bulklen < 0) {
                const Found f = find_before_nul(req, m_scan, '\r');
                if (!f.hit) {
                    m_scan = f.pos;
                    if (req.size() - m_pos > m_limits.max_inline_len)
                        return fail("Protocol error: too big bulk count string");
                    return Step::need_more;
                }
                if (f.pos + 2 > req.size()) {
                    m_scan = f.pos;
                    return Step::need_more;
                }
                if (req[m_pos] != '$') {
                    // addReplyErrorFormat turns CR and LF into spaces.
                    const char got = req[m_pos] == '\r' || req[m_pos] == '\n' ? ' ' : req[m_pos];
                    std::string message = "Protocol error: expected '$', got ' '";
                    message[message.size() - 2] = got;
                    return fail(message);
                }
                std::int64_t ll = 0;
                if (!detail::string2ll(req.substr(m_pos + 1, f.pos - m_pos - 1), ll) || ll < 0 ||
                    ll > m_limits.max_bulk_len)
                    return fail("Protocol error: invalid bulk length");
                if (!m_authenticated && ll > m_limits.unauthenticated_max_bulk_len)
                    return fail("Protocol error: unauthenticated bulk length");
                m_pos = f.pos + 2;
                m_bulklen = ll;
            }
            const std::size_t avail = req.size() - m_pos;
            const auto len = static_cast<std::uint64_t>(m_bulklen);
            if (avail < 2 || avail - 2 < len) return Step::need_more;
            m_spans.push_back({m_pos, static_cast<std::size_t>(len), false});
            m_pos += static_cast<std::size_t>(len) + 2;  // the 2 bytes are skipped unchecked
            m_bulklen = -1;
            m_scan = m_pos;
            --m_remaining;
        }
        return Step::complete;
    }

    Step parse_inline(std::string_view req) {
        const Found f = find_before_nul(req, m_scan, '\n');
        if (!f.hit) {
            m_scan = f.pos;
            if (req.size() > m_limits.max_inline_len)
                return fail("Protocol error: too big inline request");
            return Step::need_more;
        }
        std::size_t end = f.pos;
        if (end > 0 && req[end - 1] == '\r') --end;
        m_pos = f.pos + 1;
        if (!split_inline(req.substr(0, end)))
            return fail("Protocol error: unbalanced quotes in request");
        return m_spans.empty() ? Step::empty : Step::complete;
    }

    static bool is_hex(char c) noexcept {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
    static int hex_value(char c) noexcept {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return c - 'A' + 10;
    }

    /// Redis's sdssplitargs over `line` (which holds no NUL byte: the line end search stops at
    /// one). An argument is an unquoted prefix (a view into the input) optionally followed by
    /// one quoted part that ends it (then the whole argument is copied into the arena).
    /// Returns false on unbalanced quotes. O(|line|).
    bool split_inline(std::string_view line) {
        m_arena.clear();
        const std::size_t n = line.size();
        const auto at = [&](std::size_t i) -> char { return i < n ? line[i] : '\0'; };
        std::size_t p = 0;
        for (;;) {
            while (p < n && detail::is_c_space(line[p])) ++p;
            if (p >= n) return true;
            const std::size_t start = p;
            std::size_t arena_start = 0;
            bool in_dq = false, in_sq = false, in_arena = false, done = false;
            std::size_t token_end = 0;
            while (!done) {
                const char c = at(p);
                if (in_dq) {
                    if (c == '\\' && at(p + 1) == 'x' && is_hex(at(p + 2)) && is_hex(at(p + 3))) {
                        m_arena.push_back(
                            static_cast<char>(hex_value(at(p + 2)) * 16 + hex_value(at(p + 3))));
                        p += 3;
                    } else if (c == '\\' && at(p + 1) != '\0') {
                        ++p;
                        char e = line[p];
                        switch (e) {
                            case 'n': e = '\n'; break;
                            case 'r': e = '\r'; break;
                            case 't': e = '\t'; break;
                            case 'b': e = '\b'; break;
                            case 'a': e = '\a'; break;
                            default: break;
                        }
                        m_arena.push_back(e);
                    } else if (c == '"') {
                        if (at(p + 1) != '\0' && !detail::is_c_space(at(p + 1))) return false;
                        done = true;
                    } else if (c == '\0') {
                        return false;  // unterminated quotes
                    } else {
                        m_arena.push_back(c);
                    }
                } else if (in_sq) {
                    if (c == '\\' && at(p + 1) == '\'') {
                        ++p;
                        m_arena.push_back('\'');
                    } else if (c == '\'') {
                        if (at(p + 1) != '\0' && !detail::is_c_space(at(p + 1))) return false;
                        done = true;
                    } else if (c == '\0') {
                        return false;
                    } else {
                        m_arena.push_back(c);
                    }
                } else {
                    switch (c) {
                        case ' ':
                        case '\n':
                        case '\r':
                        case '\t':
                        case '\0':
                            done = true;
                            token_end = p;
                            break;
                        case '"':
                        case '\'':
                            in_arena = true;
                            arena_start = m_arena.size();
                            m_arena.append(line.substr(start, p - start));
                            (c == '"' ? in_dq : in_sq) = true;
                            break;
                        default: break;
                    }
                }
                if (p < n) ++p;  // Redis: if (*p) p++;
            }
            if (in_arena)
                m_spans.push_back({arena_start, m_arena.size() - arena_start, true});
            else
                m_spans.push_back({start, token_end - start, false});
        }
    }

    void publish_args(std::string_view req) {
        m_args.clear();
        m_args.reserve(m_spans.size());
        const std::string_view arena(m_arena);
        for (const Span& s : m_spans)
            m_args.push_back(s.in_arena ? arena.substr(s.offset, s.len)
                                        : req.substr(s.offset, s.len));
    }

    ParserLimits m_limits;
    bool m_authenticated = true;
    State m_state = State::idle;
    RequestType m_type = RequestType::multibulk;
    std::size_t m_pos = 0;         // first byte of the request not yet parsed (from its start)
    std::size_t m_scan = 0;        // where the next line end search starts (>= m_pos)
    std::size_t m_seen = 0;        // input size at the last need_more (from the request start)
    std::int64_t m_remaining = 0;  // multibulk arguments still expected
    std::int64_t m_bulklen = -1;   // length of the bulk being read; -1: its "$" line is next
    std::vector<Span> m_spans;     // the arguments parsed so far
    std::vector<std::string_view> m_args;  // the arguments of a complete request
    std::string m_arena;                   // bytes of quoted inline arguments
    std::string m_error;
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_REQUEST_PARSER_HPP
