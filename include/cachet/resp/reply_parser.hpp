#ifndef CACHET_RESP_REPLY_PARSER_HPP
#define CACHET_RESP_REPLY_PARSER_HPP

/// `ReplyParser`: the client side of RESP. Parses one reply frame of any RESP2 or RESP3 type
/// into a `Frame` tree, incrementally: simple string '+', error '-', integer ':', bulk string
/// '$' (and the null bulk "$-1"), array '*' (and the null array "*-1"), null '_', double ',',
/// boolean '#', big number '(', blob error '!', verbatim string '=', map '%', set '~', push '>'
/// and attribute '|' (an attribute is attached to the frame that follows it, see
/// `Frame::attributes`). RESP3's streamed strings and aggregates ("$?", "*?") are not supported
/// (Redis never sends them) and are protocol errors. Used by tests, by a differential tester
/// comparing cachet-server with a real Redis, and by the fuzzer.
///
/// Model. The caller passes the bytes from the first byte of the reply to the end of what it
/// has received; until the frame is complete, each call passes the same bytes again followed
/// by any new ones (the buffer may move). The parser keeps a stack of the aggregates being
/// filled and the offset of the next element, so no element is parsed twice, a line end is
/// searched for from where the last search stopped, and bulk payloads are never scanned: a
/// reply fed one byte at a time costs O(reply size) in total. Scalars are copied into the
/// frame, so the caller may drop the reply's bytes once it is complete.
///
/// The parser is strict where Redis's writer is regular: lengths and counts must be plain
/// decimals without sign or leading zeros ("-1" only for the nulls of '$' and '*'), every line
/// must end in "\r\n", bulk payloads must be followed by "\r\n", simple strings must not hold
/// a '\n'. Nesting is limited by `ReplyParserLimits::max_depth` (attributes count as a level),
/// so recursion over a parsed `Frame` is bounded too.
///
/// Thread-safety: none. Exception safety: `parse()` may throw `std::bad_alloc`; then call
/// `reset()`.

#include <cachet/detail/config.hpp>
#include <cachet/resp/protocol.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {

/// The type of a parsed frame.
enum class FrameType : std::uint8_t {
    simple_string,  ///< '+': `str`
    error,          ///< '-': `str` (code and message, e.g. "ERR unknown command ...")
    integer,        ///< ':': `integer`; `str` holds the digits as sent
    bulk_string,    ///< '$': `str`
    null_bulk,      ///< "$-1" (RESP2 null)
    array,          ///< '*': `elements`
    null_array,     ///< "*-1" (RESP2 null array)
    null,           ///< '_' (RESP3)
    double_number,  ///< ',': `number`; `str` holds the text as sent ("1.5", "inf")
    boolean,        ///< '#': `boolean`
    big_number,     ///< '(': `str` (an optional sign and digits)
    blob_error,     ///< '!': `str`
    verbatim,       ///< '=': `format` (3 bytes, e.g. "txt") and `str` (the text after "xxx:")
    map,            ///< '%': `elements` = key1, value1, key2, value2, ...
    set,            ///< '~': `elements`
    push,           ///< '>': `elements`
};

/// The RESP type byte of a frame type ('$' for null_bulk, '*' for null_array).
[[nodiscard]] constexpr char type_byte(FrameType t) noexcept {
    switch (t) {
        case FrameType::simple_string: return '+';
        case FrameType::error: return '-';
        case FrameType::integer: return ':';
        case FrameType::bulk_string:
        case FrameType::null_bulk: return '$';
        case FrameType::array:
        case FrameType::null_array: return '*';
        case FrameType::null: return '_';
        case FrameType::double_number: return ',';
        case FrameType::boolean: return '#';
        case FrameType::big_number: return '(';
        case FrameType::blob_error: return '!';
        case FrameType::verbatim: return '=';
        case FrameType::map: return '%';
        case FrameType::set: return '~';
        case FrameType::push: return '>';
    }
    return '?';
}

/// One parsed reply. Only the members its type names are meaningful; the others are empty.
/// Integers and doubles keep their text in `str` (so a parsed frame serializes to the bytes
/// that were sent); a frame built by hand should set it too, since `==` and `serialize` use it
/// (`serialize` falls back to `integer` when an integer's `str` is empty).
struct Frame {
    FrameType type = FrameType::null;
    std::string str;                ///< bytes of string types; the text of integers and doubles
    std::string format;             ///< verbatim only: the 3-byte format ("txt", "mkd")
    std::int64_t integer = 0;       ///< integer only
    double number = 0.0;            ///< double only
    bool boolean = false;           ///< boolean only
    std::vector<Frame> elements;    ///< aggregates: the elements (maps: keys and values in turn)
    std::vector<Frame> attributes;  ///< RESP3 attributes sent before this frame: key, value, ...

    [[nodiscard]] bool is_aggregate() const noexcept {
        return type == FrameType::array || type == FrameType::map || type == FrameType::set ||
               type == FrameType::push;
    }
    [[nodiscard]] bool is_null() const noexcept {
        return type == FrameType::null || type == FrameType::null_bulk ||
               type == FrameType::null_array;
    }

    /// Structural equality. Doubles and integers compare by their text (so NaN equals NaN).
    /// O(size of the smaller tree); recursion depth as the tree's.
    friend bool operator==(const Frame& a, const Frame& b) {
        return a.type == b.type && a.str == b.str && a.format == b.format &&
               (a.type != FrameType::boolean || a.boolean == b.boolean) &&
               a.elements == b.elements && a.attributes == b.attributes;
    }
};

namespace detail {
inline void serialize_frame(const Frame& f, std::string& out);

inline void append_count(char type, std::size_t n, std::string& out) {
    char buf[24];
    buf[0] = type;
    char* p = std::to_chars(buf + 1, buf + 22, n).ptr;
    *p++ = '\r';
    *p++ = '\n';
    out.append(buf, static_cast<std::size_t>(p - buf));
}

inline void serialize_frame(const Frame& f, std::string& out) {
    if (!f.attributes.empty()) {
        append_count('|', f.attributes.size() / 2, out);
        for (const Frame& a : f.attributes) serialize_frame(a, out);
    }
    const char t = type_byte(f.type);
    switch (f.type) {
        case FrameType::simple_string:
        case FrameType::error:
        case FrameType::big_number:
            out.push_back(t);
            out.append(f.str);
            out.append("\r\n", 2);
            break;
        case FrameType::integer:
            if (f.str.empty()) {
                char buf[24];
                buf[0] = ':';
                char* p = std::to_chars(buf + 1, buf + 22, f.integer).ptr;
                out.append(buf, static_cast<std::size_t>(p - buf));
                out.append("\r\n", 2);
            } else {
                out.push_back(t);
                out.append(f.str);
                out.append("\r\n", 2);
            }
            break;
        case FrameType::double_number:
            out.push_back(t);
            out.append(f.str);
            out.append("\r\n", 2);
            break;
        case FrameType::bulk_string:
        case FrameType::blob_error:
            append_count(t, f.str.size(), out);
            out.append(f.str);
            out.append("\r\n", 2);
            break;
        case FrameType::verbatim:
            append_count(t, f.format.size() + 1 + f.str.size(), out);
            out.append(f.format);
            out.push_back(':');
            out.append(f.str);
            out.append("\r\n", 2);
            break;
        case FrameType::null_bulk: out.append("$-1\r\n", 5); break;
        case FrameType::null_array: out.append("*-1\r\n", 5); break;
        case FrameType::null: out.append("_\r\n", 3); break;
        case FrameType::boolean: out.append(f.boolean ? "#t\r\n" : "#f\r\n", 4); break;
        case FrameType::array:
        case FrameType::set:
        case FrameType::push:
            append_count(t, f.elements.size(), out);
            for (const Frame& e : f.elements) serialize_frame(e, out);
            break;
        case FrameType::map:
            append_count(t, f.elements.size() / 2, out);
            for (const Frame& e : f.elements) serialize_frame(e, out);
            break;
    }
}
}  // namespace detail

/// Appends `f` in RESP3 (RESP2 for the types RESP2 has): the inverse of `ReplyParser`, so
/// that parsing the output gives `f` back, and serializing a parsed frame reproduces the bytes
/// Redis sent (integers and doubles keep their text). Attributes are written before the frame.
/// O(size of the tree); recursion as deep as the tree.
inline void serialize(const Frame& f, std::string& out) { detail::serialize_frame(f, out); }

/// `serialize` into a new string.
[[nodiscard]] inline std::string serialize(const Frame& f) {
    std::string out;
    detail::serialize_frame(f, out);
    return out;
}

/// Limits of `ReplyParser`.
struct ReplyParserLimits {
    /// Most aggregates (attributes included) open at once; deeper is a protocol error.
    std::size_t max_depth = 64;
    /// Longest bulk string, blob error or verbatim string (proto-max-bulk-len's default).
    std::int64_t max_bulk_len = 512LL * 1024 * 1024;
};

class ReplyParser {
public:
    /// A parser with `limits`. O(1), does not allocate.
    explicit ReplyParser(ReplyParserLimits limits = {}) noexcept : m_limits(limits) {}

    /// Parses one reply from `input`, which must start at its first byte (and, while
    /// `need_more` is returned, be the same bytes again followed by any new ones).
    /// Returns `{complete, n}`: the reply is `frame()` and was `n` bytes long; `{need_more,
    /// 0}`; `{error, 0}`: see `error_message()`. After `complete` the next call starts a new
    /// reply. Complexity: O(new bytes) amortised, plus the copies of scalar payloads. Allocates
    /// the frame tree.
    ParseResult parse(std::string_view input) {
        if (m_state == State::error) return {ParseStatus::error, 0};
        if (m_state == State::complete) start_reply();
        if (CACHET_UNLIKELY(input.size() < m_seen)) {
            fail("parser misuse: input shorter than the bytes already examined");
            return {ParseStatus::error, 0};
        }
        for (;;) {
            if (m_blob_len >= 0) {  // the payload of a '$', '!' or '=' whose header was read
                const std::size_t avail = input.size() - m_pos;
                const auto len = static_cast<std::uint64_t>(m_blob_len);
                if (avail < 2 || avail - 2 < len) return need_more(input);
                const std::size_t n = static_cast<std::size_t>(len);
                if (input[m_pos + n] != '\r' || input[m_pos + n + 1] != '\n')
                    return fail("Protocol error: bulk payload not followed by CRLF");
                const std::string_view payload = input.substr(m_pos, n);
                Frame f = new_frame(m_blob_type);
                if (m_blob_type == FrameType::verbatim) {
                    if (n < 4 || payload[3] != ':')
                        return fail("Protocol error: verbatim string without a format prefix");
                    f.format.assign(payload.substr(0, 3));
                    f.str.assign(payload.substr(4));
                } else {
                    f.str.assign(payload);
                }
                m_pos += n + 2;
                m_scan = m_pos;
                m_blob_len = -1;
                if (emit(std::move(f))) return done();
                continue;
            }
            if (m_pos >= input.size()) return need_more(input);
            const std::size_t from = std::max(m_scan, m_pos + 1);
            const void* cr = from < input.size()
                                 ? std::memchr(input.data() + from, '\r', input.size() - from)
                                 : nullptr;
            if (cr == nullptr) {
                m_scan = std::max(from, input.size());
                return need_more(input);
            }
            const auto cr_pos =
                static_cast<std::size_t>(static_cast<const char*>(cr) - input.data());
            if (cr_pos + 1 >= input.size()) {
                m_scan = cr_pos;
                return need_more(input);
            }
            if (input[cr_pos + 1] != '\n') return fail("Protocol error: CR not followed by LF");
            const char type = input[m_pos];
            const std::string_view line = input.substr(m_pos + 1, cr_pos - m_pos - 1);
            m_pos = cr_pos + 2;
            m_scan = m_pos;
            const ParseResult r = parse_line(type, line);
            if (r.status != ParseStatus::need_more) return r;  // complete, or error
        }
    }

    /// The reply the last `parse()` completed. O(1).
    [[nodiscard]] const Frame& frame() const noexcept { return m_result; }
    /// Moves the completed reply out. O(1).
    [[nodiscard]] Frame take_frame() noexcept { return std::move(m_result); }

    /// After `error`: what was wrong. Empty otherwise. O(1).
    [[nodiscard]] std::string_view error_message() const noexcept { return m_error; }

    [[nodiscard]] const ReplyParserLimits& limits() const noexcept { return m_limits; }

    /// Forgets any partial reply and error. O(size of the partial tree).
    void reset() noexcept {
        start_reply();
        m_error.clear();
    }

private:
    enum class State : std::uint8_t { in_reply, complete, error };

    /// An aggregate being filled.
    struct Level {
        Frame frame;
        std::int64_t remaining;  // elements still expected
        bool attribute;          // an attribute: on completion its elements become pending
    };

    void start_reply() noexcept {
        m_state = State::in_reply;
        m_pos = 0;
        m_scan = 0;
        m_seen = 0;
        m_blob_len = -1;
        m_stack.clear();
        m_pending_attributes.clear();
        m_result = Frame{};
    }

    ParseResult fail(std::string_view message) {
        m_error.assign(message);
        m_state = State::error;
        return {ParseStatus::error, 0};
    }

    ParseResult need_more(std::string_view input) noexcept {
        m_seen = input.size();
        return {ParseStatus::need_more, 0};
    }

    ParseResult done() noexcept {
        m_state = State::complete;
        return {ParseStatus::complete, m_pos};
    }

    /// A frame of `type` carrying the attributes that preceded it.
    Frame new_frame(FrameType type) {
        Frame f;
        f.type = type;
        f.attributes = std::move(m_pending_attributes);
        m_pending_attributes.clear();
        return f;
    }

    /// Adds a complete frame to the aggregate being filled, closing every aggregate it
    /// completes. Returns true when the whole reply is complete.
    bool emit(Frame f) {
        for (;;) {
            if (m_stack.empty()) {
                m_result = std::move(f);
                return true;
            }
            Level& top = m_stack.back();
            top.frame.elements.push_back(std::move(f));
            if (--top.remaining > 0) return false;
            Level level = std::move(top);
            m_stack.pop_back();
            if (level.attribute) {
                // Attributes apply to the next frame. Any pending before this attribute began
                // were parked in its `attributes`; keep them first.
                m_pending_attributes = std::move(level.frame.attributes);
                for (Frame& e : level.frame.elements) m_pending_attributes.push_back(std::move(e));
                return false;
            }
            f = std::move(level.frame);
        }
    }

    static bool parse_length(std::string_view s, std::int64_t& value) noexcept {
        return detail::string2ll(s, value);
    }

    /// Handles one header line: a scalar is emitted, an aggregate opened, a blob's payload
    /// awaited. Returns need_more to continue the loop.
    ParseResult parse_line(char type, std::string_view line) {
        constexpr ParseResult more{ParseStatus::need_more, 0};
        switch (type) {
            case '+':
            case '-': {
                if (line.find('\n') != std::string_view::npos)
                    return fail("Protocol error: LF inside a simple string");
                Frame f = new_frame(type == '+' ? FrameType::simple_string : FrameType::error);
                f.str.assign(line);
                return emit(std::move(f)) ? done() : more;
            }
            case ':': {
                std::int64_t v = 0;
                std::string_view digits = line;
                if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
                const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
                if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size())
                    return fail("Protocol error: invalid integer");
                Frame f = new_frame(FrameType::integer);
                f.integer = v;
                f.str.assign(line);
                return emit(std::move(f)) ? done() : more;
            }
            case ',': {
                std::string_view text = line;
                if (!text.empty() && text[0] == '+') text.remove_prefix(1);
                double d = 0;
                const auto r = std::from_chars(text.data(), text.data() + text.size(), d);
                if (text.empty() || r.ptr != text.data() + text.size() ||
                    (r.ec != std::errc() && r.ec != std::errc::result_out_of_range))
                    return fail("Protocol error: invalid double");
                if (r.ec == std::errc::result_out_of_range) {
                    // Well-formed but beyond double's range ("1e999", "1e-999"): what strtod
                    // gives (+-HUGE_VAL, or a denormal or zero), as a client library would.
                    const std::string copy(text);
                    d = std::strtod(copy.c_str(), nullptr);
                }
                Frame f = new_frame(FrameType::double_number);
                f.number = d;
                f.str.assign(line);
                return emit(std::move(f)) ? done() : more;
            }
            case '#': {
                if (line != "t" && line != "f") return fail("Protocol error: invalid boolean");
                Frame f = new_frame(FrameType::boolean);
                f.boolean = line == "t";
                return emit(std::move(f)) ? done() : more;
            }
            case '_': {
                if (!line.empty()) return fail("Protocol error: invalid null");
                return emit(new_frame(FrameType::null)) ? done() : more;
            }
            case '(': {
                std::string_view digits = line;
                if (!digits.empty() && (digits[0] == '-' || digits[0] == '+'))
                    digits.remove_prefix(1);
                if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; }))
                    return fail("Protocol error: invalid big number");
                Frame f = new_frame(FrameType::big_number);
                f.str.assign(line);
                return emit(std::move(f)) ? done() : more;
            }
            case '$':
            case '!':
            case '=': {
                std::int64_t len = 0;
                if (!parse_length(line, len) || len < -1 || (len == -1 && type != '$') ||
                    len > m_limits.max_bulk_len)
                    return fail("Protocol error: invalid bulk length");
                if (len == -1) return emit(new_frame(FrameType::null_bulk)) ? done() : more;
                m_blob_len = len;
                m_blob_type = type == '$'   ? FrameType::bulk_string
                              : type == '!' ? FrameType::blob_error
                                            : FrameType::verbatim;
                return more;
            }
            case '*':
            case '%':
            case '~':
            case '>':
            case '|': {
                std::int64_t n = 0;
                if (!parse_length(line, n) || n < -1 || (n == -1 && type != '*') ||
                    n > INT64_MAX / 2)
                    return fail("Protocol error: invalid aggregate length");
                if (n == -1) return emit(new_frame(FrameType::null_array)) ? done() : more;
                const bool pairs = type == '%' || type == '|';
                const std::int64_t count = pairs ? 2 * n : n;
                if (type == '|') {
                    if (count == 0) return more;  // an empty attribute: nothing to attach
                    if (m_stack.size() >= m_limits.max_depth)
                        return fail("Protocol error: nesting too deep");
                    Frame holder;  // parks the attributes pending before this one
                    holder.attributes = std::move(m_pending_attributes);
                    m_pending_attributes.clear();
                    m_stack.push_back(Level{std::move(holder), count, true});
                    return more;
                }
                const FrameType ft = type == '*'   ? FrameType::array
                                     : type == '%' ? FrameType::map
                                     : type == '~' ? FrameType::set
                                                   : FrameType::push;
                Frame f = new_frame(ft);
                if (count == 0) return emit(std::move(f)) ? done() : more;
                if (m_stack.size() >= m_limits.max_depth)
                    return fail("Protocol error: nesting too deep");
                f.elements.reserve(static_cast<std::size_t>(std::min<std::int64_t>(count, 16)));
                m_stack.push_back(Level{std::move(f), count, false});
                return more;
            }
            default: {
                std::string message = "Protocol error: unexpected type byte ' '";
                message[message.size() - 2] = type;
                return fail(message);
            }
        }
    }

    ReplyParserLimits m_limits;
    State m_state = State::in_reply;
    std::size_t m_pos = 0;         // first byte of the next element (from the reply's start)
    std::size_t m_scan = 0;        // where the next CR search resumes
    std::size_t m_seen = 0;        // input size at the last need_more
    std::int64_t m_blob_len = -1;  // >= 0: the payload of a blob starts at m_pos
    FrameType m_blob_type = FrameType::bulk_string;
    std::vector<Level> m_stack;
    std::vector<Frame> m_pending_attributes;
    Frame m_result;
    std::string m_error;
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_REPLY_PARSER_HPP
