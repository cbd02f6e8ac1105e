#ifndef CACHET_RESP_PROTOCOL_HPP
#define CACHET_RESP_PROTOCOL_HPP

/// Small types shared by the RESP codec (`cachet/resp/`): the protocol version of a connection,
/// the request parser's limits (Redis 7.0's defaults), the status every incremental parser
/// returns, and Redis's strict integer parser (`string2ll` of util.c), which decides what Redis
/// accepts as a length or a count.
///
/// The codec is pure: it never touches a socket. `RequestParser` (request_parser.hpp) turns a
/// client's bytes into commands, `ReplyWriter` (reply_writer.hpp) appends replies in RESP2 or
/// RESP3, and `ReplyParser` (reply_parser.hpp) reads any RESP2/RESP3 reply, for clients, tests and
/// differential testing against a real Redis. Reference: the RESP3 specification
/// (github.com/redis/redis-specifications, protocol/RESP3.md) and Redis 7.0's networking.c.

#include <cachet/detail/config.hpp>
#include <cachet/detail/redis_number.hpp>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <string_view>

CACHET_NAMESPACE_BEGIN
namespace resp {

/// The protocol a connection speaks: RESP2 (the default) or RESP3 (after `HELLO 3`).
enum class Protocol : std::uint8_t { resp2 = 2, resp3 = 3 };

/// Limits of `RequestParser`, defaulting to Redis 7.0's. Lengths are compared as Redis compares
/// them: a value equal to a limit is accepted, one above it is rejected.
struct ParserLimits {
    /// Longest bulk argument (`proto-max-bulk-len`, 512 MiB). Above it: "Protocol error: invalid
    /// bulk length".
    std::int64_t max_bulk_len = 512LL * 1024 * 1024;
    /// Largest multibulk count. Redis 7.0 rejects `ll > INT_MAX` ("Protocol error: invalid
    /// multibulk length"; Redis 6 and older used 1024 * 1024); checked against redis-server
    /// 7.0.15: `*2147483647` waits for arguments, `*2147483648` is rejected.
    std::int64_t max_multibulk_len = INT_MAX;
    /// PROTO_INLINE_MAX_SIZE (64 KiB): the most bytes Redis buffers while looking for the end of
    /// an inline request line or of a `*`/`$` count line. More without one is "too big inline
    /// request" / "too big mbulk count string" / "too big bulk count string".
    std::size_t max_inline_len = 64 * 1024;
    /// Multibulk count accepted from a client that still has to authenticate (Redis: 10; above:
    /// "Protocol error: unauthenticated multibulk length").
    std::int64_t unauthenticated_max_multibulk_len = 10;
    /// Bulk length accepted from a client that still has to authenticate (Redis: 16384; above:
    /// "Protocol error: unauthenticated bulk length").
    std::int64_t unauthenticated_max_bulk_len = 16384;
    /// `client-query-buffer-limit` (1 GiB). Not enforced by the parser: a server closes a client
    /// whose unparsed input grows beyond it (Redis closes it without a reply).
    std::size_t query_buffer_limit = 1024ULL * 1024 * 1024;
};

/// What an incremental parser made of the bytes it was given.
enum class ParseStatus : std::uint8_t {
    complete,   ///< one whole request (or reply) was parsed
    need_more,  ///< the bytes end inside a request (or reply): call again with more
    error,      ///< protocol error; the parser stays in this state until `reset()`
};

/// Result of a parse call: the status, and how many bytes at the front of the input the caller
/// may now drop (see each parser for what they cover).
struct ParseResult {
    ParseStatus status = ParseStatus::need_more;
    std::size_t consumed = 0;

    friend bool operator==(const ParseResult&, const ParseResult&) = default;
};

namespace detail {

/// Redis's `string2ll` (util.c) into a `std::int64_t`: `cachet::detail::string2ll`
/// (detail/redis_number.hpp), which says what it accepts. O(|s|), no allocation, noexcept.
[[nodiscard]] constexpr bool string2ll(std::string_view s, std::int64_t& value) noexcept {
    long long v = 0;
    if (!cachet::detail::string2ll(s, v)) return false;
    value = static_cast<std::int64_t>(v);
    return true;
}

/// `isspace` in the C locale (what Redis's `sdssplitargs` uses): space, \t, \n, \v, \f, \r.
[[nodiscard]] constexpr bool is_c_space(char c) noexcept {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

}  // namespace detail
}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_PROTOCOL_HPP
