#ifndef CACHET_RESP_REPLY_WRITER_HPP
#define CACHET_RESP_REPLY_WRITER_HPP

/// `ReplyWriter`: the server side of RESP's replies. Appends replies to a caller's
/// `std::string` in RESP2 or RESP3 (per connection, switchable by HELLO), byte for byte as
/// Redis 7.0's `addReply*` functions of networking.c write them, including the RESP2 forms of
/// RESP3 types (map -> flat array, double -> bulk, boolean -> integer, null -> $-1 or *-1,
/// verbatim and big number -> bulk) and the deferred aggregate length of
/// `addReplyDeferredLen` / `setDeferredReply`.
///
/// Cost: every call is one to three appends to the output string (amortised O(size of the
/// reply), no allocation beyond the string's growth); numbers are formatted with
/// `std::to_chars` into a stack buffer. `end_deferred` inserts the header in the middle of the
/// output: O(bytes written since `begin_deferred`), as Redis's reply-list splicing is
/// O(nodes).
///
/// Doubles follow Redis 7.0 (`addReplyDouble`): "%.17g", so 0.1 is "0.10000000000000001" and
/// 3.0 is "3", and infinities "inf" / "-inf" (Redis 7.2 switched to the shortest round-trip
/// form; 7.0 did not). Long doubles (INCRBYFLOAT, HINCRBYFLOAT, GEOPOS) follow `ld2string(...,
/// LD_STR_HUMAN)`: "%.17Lf" with trailing zeros and a trailing '.' removed, "-0" written "0".
///
/// Thread-safety: none; a writer and its output string belong to one connection. Exception
/// safety: strong for each call (an append or insert either happens or throws
/// `std::bad_alloc`).

#include <cachet/detail/config.hpp>
#include <cachet/resp/protocol.hpp>

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {

/// The kinds of aggregate reply.
enum class Aggregate : std::uint8_t {
    array,      ///< '*' in both protocols
    map,        ///< RESP3 '%' with n pairs; RESP2 '*' with 2n elements
    set,        ///< RESP3 '~'; RESP2 '*'
    push,       ///< RESP3 '>' (out-of-band data, e.g. pub/sub messages); RESP2 '*'
    attribute,  ///< RESP3 '|' with n pairs; RESP3 only (Redis asserts it)
};

/// A header written later, by `ReplyWriter::end_deferred`. Obtained from `begin_deferred`.
struct DeferredLength {
    std::size_t id = 0;
};

class ReplyWriter {
public:
    /// Longest output of `format_double` (e.g. "-2.2250738585072014e-308" is 24 bytes).
    static constexpr std::size_t double_chars = 32;
    /// MAX_LONG_DOUBLE_CHARS of Redis (5 KiB): room for "%.17Lf" of any finite long double.
    static constexpr std::size_t long_double_chars = 5 * 1024;

    /// A writer appending to `out` (which must outlive it, or be replaced with `rebind`).
    /// O(1), does not allocate.
    explicit ReplyWriter(std::string& out, Protocol protocol = Protocol::resp2) noexcept
        : m_out(&out), m_protocol(protocol) {}

    /// Calls `f(ctx, text)` for every error reply written from now on (the engine's error
    /// statistics); nullptr: none.
    void on_error(void (*f)(void*, std::string_view), void* ctx) noexcept {
        m_on_error = f;
        m_on_error_ctx = ctx;
    }

    /// The protocol of the connection; `set_protocol` applies to every later reply (HELLO).
    [[nodiscard]] Protocol protocol() const noexcept { return m_protocol; }
    void set_protocol(Protocol protocol) noexcept { m_protocol = protocol; }
    [[nodiscard]] bool resp3() const noexcept { return m_protocol == Protocol::resp3; }

    /// The output string. A caller may send and erase its bytes, except while a deferred
    /// length is open (its position is an offset into this string).
    [[nodiscard]] std::string& output() noexcept { return *m_out; }

    /// Appends to `out` from now on. Precondition: no deferred length is open. O(1).
    void rebind(std::string& out) noexcept {
        assert(m_open_deferred == 0);
        m_out = &out;
    }

    // ------------------------------------------------------------------ scalars

    /// "+<text>\r\n" (addReplyStatus). Precondition: `text` holds no CR or LF (Redis does not
    /// check either). O(|text|).
    void simple(std::string_view text) {
        std::string& out = *m_out;
        out.push_back('+');
        out.append(text);
        out.append("\r\n", 2);
    }

    /// "-<text>\r\n" with every CR and LF in `text` replaced by a space, so the reply stays one
    /// line (what addReplyErrorFormat does). `text` is the whole message with its code, e.g.
    /// "ERR unknown command 'x', with args beginning with: " or "WRONGTYPE Operation against a
    /// key holding the wrong kind of value". O(|text|).
    void error(std::string_view text) {
        if (m_on_error) m_on_error(m_on_error_ctx, text);
        std::string& out = *m_out;
        out.push_back('-');
        const std::size_t from = out.size();
        out.append(text);
        for (std::size_t i = from; i < out.size(); ++i)
            if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
        out.append("\r\n", 2);
    }

    /// As `error`, after first removing CR and LF bytes from both ends of `text`, which
    /// Redis 7.0's addReplyErrorFormat does before mapping the inner ones (`sdstrim(s,
    /// "\r\n")`). Use it for messages Redis builds with addReplyErrorFormat. O(|text|).
    void error_trimmed(std::string_view text) {
        const auto is_crlf = [](char c) { return c == '\r' || c == '\n'; };
        while (!text.empty() && is_crlf(text.front())) text.remove_prefix(1);
        while (!text.empty() && is_crlf(text.back())) text.remove_suffix(1);
        error(text);
    }

    /// ":<v>\r\n" (addReplyLongLong). O(1).
    void integer(long long v) { prefixed_number(':', v); }

    /// "$<len>\r\n<bytes>\r\n" (addReplyBulkCBuffer). O(|bytes|).
    void bulk(std::string_view bytes) {
        prefixed_number('$', static_cast<long long>(bytes.size()));
        std::string& out = *m_out;
        out.append(bytes);
        out.append("\r\n", 2);
    }

    /// The decimal form of `v` as a bulk string (addReplyBulkLongLong). O(1).
    void bulk_integer(long long v) {
        std::array<char, 24> buf;
        const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
        bulk(std::string_view(buf.data(), static_cast<std::size_t>(r.ptr - buf.data())));
    }

    /// A null (addReplyNull): RESP2 "$-1\r\n", RESP3 "_\r\n". O(1).
    void null() {
        m_out->append(resp3() ? std::string_view("_\r\n") : std::string_view("$-1\r\n"));
    }

    /// A null array (addReplyNullArray): RESP2 "*-1\r\n", RESP3 "_\r\n". O(1).
    void null_array() {
        m_out->append(resp3() ? std::string_view("_\r\n") : std::string_view("*-1\r\n"));
    }

    /// A double (addReplyDouble): RESP3 ",<%.17g>\r\n", ",inf\r\n", ",-inf\r\n"; RESP2 a bulk
    /// string of the same text. NaN is written "nan" (or "-nan"), as glibc's printf writes it.
    /// O(1).
    void double_reply(double d) {
        std::array<char, double_chars> buf;
        const std::size_t n = format_double(d, buf.data());
        if (resp3()) {
            std::string& out = *m_out;
            out.push_back(',');
            out.append(buf.data(), n);
            out.append("\r\n", 2);
        } else {
            bulk(std::string_view(buf.data(), n));
        }
    }

    /// A double as a bulk string in both protocols, formatted as `double_reply` does (the RESP2
    /// form of a sorted-set score; also equal to Redis's `d2string` for every non-NaN value,
    /// which ZSCAN and stored scores use). O(1).
    void bulk_double(double d) {
        std::array<char, double_chars> buf;
        bulk(std::string_view(buf.data(), format_double(d, buf.data())));
    }

    /// A long double as INCRBYFLOAT and HINCRBYFLOAT reply with it: a bulk string (both
    /// protocols) of `format_long_double_human(v)`. O(digits), up to ~5,000 for huge values.
    void bulk_long_double(long double v) {
        std::array<char, long_double_chars> buf;
        bulk(std::string_view(buf.data(), format_long_double_human(v, buf.data())));
    }

    /// addReplyHumanLongDouble (GEOPOS): RESP2 a bulk string, RESP3 a double ",<text>\r\n",
    /// with the text of `format_long_double_human`. O(digits).
    void human_long_double(long double v) {
        std::array<char, long_double_chars> buf;
        const std::size_t n = format_long_double_human(v, buf.data());
        if (resp3()) {
            std::string& out = *m_out;
            out.push_back(',');
            out.append(buf.data(), n);
            out.append("\r\n", 2);
        } else {
            bulk(std::string_view(buf.data(), n));
        }
    }

    /// A boolean (addReplyBool): RESP3 "#t\r\n" / "#f\r\n"; RESP2 ":1\r\n" / ":0\r\n". O(1).
    void boolean(bool b) {
        if (resp3())
            m_out->append(b ? std::string_view("#t\r\n") : std::string_view("#f\r\n"));
        else
            m_out->append(b ? std::string_view(":1\r\n") : std::string_view(":0\r\n"));
    }

    /// Verbatim text (addReplyVerbatim): RESP3 "=<len+4>\r\n<fmt>:<text>\r\n", where <fmt> is
    /// the first 3 bytes of `format` padded with spaces ("txt", "mkd"); RESP2 a bulk of `text`.
    /// O(|text|).
    void verbatim(std::string_view text, std::string_view format = "txt") {
        if (!resp3()) {
            bulk(text);
            return;
        }
        prefixed_number('=', static_cast<long long>(text.size() + 4));
        std::string& out = *m_out;
        for (std::size_t i = 0; i < 3; ++i) out.push_back(i < format.size() ? format[i] : ' ');
        out.push_back(':');
        out.append(text);
        out.append("\r\n", 2);
    }

    /// A big number (addReplyBigNum): RESP3 "(<digits>\r\n"; RESP2 a bulk of `digits`.
    /// Precondition: `digits` is an optional '-' and decimal digits. O(|digits|).
    void big_number(std::string_view digits) {
        if (!resp3()) {
            bulk(digits);
            return;
        }
        std::string& out = *m_out;
        out.push_back('(');
        out.append(digits);
        out.append("\r\n", 2);
    }

    // ------------------------------------------------------------------ aggregates

    /// The header of an aggregate of `n` elements (for map and attribute: `n` pairs), which
    /// the caller then writes. See `Aggregate` for the RESP2 forms. Precondition: `attribute`
    /// only in RESP3. O(1).
    void aggregate(Aggregate kind, std::size_t n) {
        std::array<char, 24> buf;
        m_out->append(buf.data(), aggregate_header(kind, n, buf.data()));
    }
    void array(std::size_t n) { aggregate(Aggregate::array, n); }
    void map(std::size_t pairs) { aggregate(Aggregate::map, pairs); }
    void set(std::size_t n) { aggregate(Aggregate::set, n); }
    void push(std::size_t n) { aggregate(Aggregate::push, n); }
    void attribute(std::size_t pairs) { aggregate(Aggregate::attribute, pairs); }

    /// Marks the place of an aggregate header whose count is not known yet
    /// (addReplyDeferredLen); write the elements, then call `end_deferred`. Deferred lengths
    /// may nest and be ended in any order. Precondition: the caller does not erase output
    /// bytes until every deferred length is ended. O(1) amortised; allocates when more are open
    /// than ever before.
    [[nodiscard]] DeferredLength begin_deferred() {
        m_deferred.push_back(m_out->size());
        ++m_open_deferred;
        return DeferredLength{m_deferred.size() - 1};
    }

    /// Writes the header of `kind` with `n` elements (pairs for map/attribute) at the place
    /// `h` marked (setDeferredAggregateLen). Precondition: `h` came from `begin_deferred` of
    /// this writer and was not ended. O(bytes written since `h` was begun + open deferred
    /// lengths).
    void end_deferred(DeferredLength h, std::size_t n, Aggregate kind) {
        assert(h.id < m_deferred.size() && m_deferred[h.id] != npos);
        const std::size_t at = m_deferred[h.id];
        std::array<char, 24> buf;
        const std::size_t header = aggregate_header(kind, n, buf.data());
        m_out->insert(at, buf.data(), header);
        m_deferred[h.id] = npos;
        // Shift the marks after this one; a mark at the same offset begun later lies inside
        // the aggregate just closed, so its header goes after this one.
        for (std::size_t i = 0; i < m_deferred.size(); ++i)
            if (m_deferred[i] != npos && (m_deferred[i] > at || (m_deferred[i] == at && i > h.id)))
                m_deferred[i] += header;
        if (--m_open_deferred == 0) m_deferred.clear();
    }

    /// Number of deferred lengths begun and not yet ended. O(1).
    [[nodiscard]] std::size_t open_deferred() const noexcept { return m_open_deferred; }

    // ------------------------------------------------------------------ formatting

    /// Writes `d` as Redis 7.0's addReplyDouble does ("%.17g"; "inf", "-inf") to `buf`, which
    /// must have room for `double_chars` bytes; returns the length (no NUL is written). O(1),
    /// noexcept; std::to_chars with precision 17 is specified to match printf("%.17g").
    static std::size_t format_double(double d, char* buf) noexcept {
        if (std::isinf(d)) {
            const std::string_view s = d > 0 ? "inf" : "-inf";
            s.copy(buf, s.size());
            return s.size();
        }
        const auto r = std::to_chars(buf, buf + double_chars, d, std::chars_format::general, 17);
        return static_cast<std::size_t>(r.ptr - buf);
    }

    /// `format_double` into a new string.
    [[nodiscard]] static std::string format_double(double d) {
        std::array<char, double_chars> buf;
        return std::string(buf.data(), format_double(d, buf.data()));
    }

    /// Writes `v` as Redis 7.0's ld2string(..., LD_STR_HUMAN) does: "inf" / "-inf"; else
    /// "%.17Lf" with the trailing zeros after the '.' removed, then a trailing '.', and "-0"
    /// turned into "0" (so 10.5 + 0.1 is "10.6" on x86's 80-bit long double, and 3.0e3 is
    /// "3000"). `buf` must have room for `long_double_chars` bytes; returns the length.
    /// O(digits), noexcept.
    static std::size_t format_long_double_human(long double v, char* buf) noexcept {
        if (std::isinf(v)) {
            const std::string_view s = v > 0 ? "inf" : "-inf";
            s.copy(buf, s.size());
            return s.size();
        }
        const int written = std::snprintf(buf, long_double_chars, "%.17Lf", v);
        if (written <= 0) return 0;
        std::size_t len = static_cast<std::size_t>(written);
        if (len >= long_double_chars) return 0;  // no room (Redis returns 0 too); cannot happen
        if (std::string_view(buf, len).find('.') != std::string_view::npos) {
            while (buf[len - 1] == '0') --len;
            if (buf[len - 1] == '.') --len;
        }
        if (len == 2 && buf[0] == '-' && buf[1] == '0') {
            buf[0] = '0';
            len = 1;
        }
        return len;
    }

    /// `format_long_double_human` into a new string.
    [[nodiscard]] static std::string format_long_double_human(long double v) {
        std::string s(long_double_chars, '\0');
        s.resize(format_long_double_human(v, s.data()));
        return s;
    }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    /// Writes "<prefix><v>\r\n" to `buf` (24 bytes); returns its length.
    static std::size_t number_line(char prefix, long long v, char* buf) noexcept {
        buf[0] = prefix;
        char* p = std::to_chars(buf + 1, buf + 22, v).ptr;
        *p++ = '\r';
        *p++ = '\n';
        return static_cast<std::size_t>(p - buf);
    }

    /// "<prefix><v>\r\n" with one append.
    void prefixed_number(char prefix, long long v) {
        std::array<char, 24> buf;
        m_out->append(buf.data(), number_line(prefix, v, buf.data()));
    }

    /// The header line of an aggregate of `kind` with `n` elements or pairs, in this
    /// connection's protocol, written to `buf` (24 bytes); returns its length.
    std::size_t aggregate_header(Aggregate kind, std::size_t n, char* buf) const noexcept {
        const auto count = static_cast<long long>(n);
        switch (kind) {
            case Aggregate::array: break;
            case Aggregate::map:
                return resp3() ? number_line('%', count, buf) : number_line('*', 2 * count, buf);
            case Aggregate::set: return number_line(resp3() ? '~' : '*', count, buf);
            case Aggregate::push: return number_line(resp3() ? '>' : '*', count, buf);
            case Aggregate::attribute:
                assert(resp3() && "attributes exist only in RESP3");
                return number_line('|', count, buf);
        }
        return number_line('*', count, buf);
    }

    std::string* m_out;
    Protocol m_protocol;
    std::vector<std::size_t> m_deferred;  // output offset of each deferred length; npos: ended
    std::size_t m_open_deferred = 0;
    void (*m_on_error)(void*, std::string_view) = nullptr;
    void* m_on_error_ctx = nullptr;
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_REPLY_WRITER_HPP
