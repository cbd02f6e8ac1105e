#ifndef CACHET_RESP_COMMANDS_COLLECTIONS_HPP
#define CACHET_RESP_COMMANDS_COLLECTIONS_HPP

/// What the container command families share (hashes.hpp, sets.hpp; ZSCAN can use the same):
/// the cursor and options of HSCAN / SSCAN / ZSCAN as Redis parses them, one cursor step over a
/// HashMap or HashSet as Redis's scanGenericCommand walks its dict, the count of HRANDFIELD /
/// SRANDMEMBER, and the guarded writer of the repeated random picks of a negative count.
///
/// It needs only command.hpp (the engine is used in templates, at instantiation), so a family
/// header can include it before engine.hpp without an include cycle.

#include <cachet/resp/command.hpp>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

/// A *SCAN cursor as Redis's parseScanCursorOrReply reads it: strtoul in base 10 of the text up
/// to its first NUL, so an optional sign ("-1" is 2^64 - 1) and an empty string (0) are
/// accepted; a leading space, trailing bytes or overflow are not. nullopt: "invalid cursor".
inline std::optional<std::uint64_t> parse_element_cursor(std::string_view s) {
    const std::string text(s);
    if (std::isspace(static_cast<unsigned char>(text.c_str()[0]))) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (*end != '\0' || errno == ERANGE) return std::nullopt;
    return static_cast<std::uint64_t>(v);
}

/// HSCAN's / SSCAN's / ZSCAN's options (MATCH, COUNT), from argv[3].
struct ElementScanOptions {
    std::optional<std::string_view> match;  ///< absent (or "*"): every element
    std::size_t count = 10;
};

/// Parses the options as Redis's scanGenericCommand does; writes the error and returns false.
template <Clock C>
bool parse_element_scan_options(Ctx<C>& c, ElementScanOptions& o) {
    for (std::size_t i = 3; i < c.argc(); i += 2) {
        const bool has_value = c.argc() - i >= 2;
        if (has_value && iequals(c.arg(i), "count")) {
            auto n = to_ll(c.arg(i + 1));
            if (!n) {
                c.out.error(errors::not_integer);
                return false;
            }
            if (*n < 1) {
                c.out.error(errors::syntax);
                return false;
            }
            o.count = static_cast<std::size_t>(*n);
        } else if (has_value && iequals(c.arg(i), "match")) {
            if (c.arg(i + 1) == "*") o.match.reset();
            else o.match = c.arg(i + 1);
        } else {
            c.out.error(errors::syntax);
            return false;
        }
    }
    return true;
}

/// One SCAN step over a HashMap or HashSet, as Redis's scanGenericCommand: dict steps from
/// `cursor` until `count` elements were seen or 10 x `count` steps were made; `f(element...)`
/// per element seen. Returns the next cursor (0: done).
template <class Container, class F>
std::uint64_t scan_steps(const Container& c, std::uint64_t cursor, std::size_t count, F&& f) {
    std::size_t seen = 0;
    std::size_t steps = count > std::numeric_limits<std::size_t>::max() / 10
                            ? std::numeric_limits<std::size_t>::max()
                            : count * 10;
    do {
        cursor = c.scan(cursor, [&](const auto&... e) {
            ++seen;
            f(e...);
        });
    } while (cursor != 0 && steps-- != 0 && seen < count);
    return cursor;
}

/// True if `s` matches the scan's MATCH pattern (or there is none).
inline bool scan_matches(const ElementScanOptions& o, std::string_view s) {
    return !o.match || cachet::detail::glob_match(*o.match, s);
}

/// A numeric configuration parameter (a listpack / intset limit), or `fallback`.
template <Clock C>
long long config_number(Ctx<C>& c, std::string_view name, long long fallback) {
    for (const auto& [n, v] : c.engine.config_get(name)) {
        if (n != name) continue;
        if (auto x = to_ll(v)) return *x;
        if (auto m = cachet::detail::parse_memory(v)) return *m;
    }
    return fallback;
}

/// The reply of a count Redis takes with getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX)
/// (HRANDFIELD, SRANDMEMBER): the count, or nullopt after writing the error.
template <Clock C>
std::optional<long long> parse_random_count(Ctx<C>& c, std::string_view s) {
    auto n = to_ll(s);
    if (!n) {
        c.out.error(errors::not_integer);
        return std::nullopt;
    }
    if (*n < -LLONG_MAX) {
        c.out.error(
            "ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
        return std::nullopt;
    }
    return n;
}

/// Writes the `n` random picks of a negative HRANDFIELD / SRANDMEMBER count: `header()` then
/// `emit()` n times. Redis would let such a reply grow without bound; here a reply longer than
/// `limit` bytes (proto-max-bulk-len, read by the caller before it locks the key) is taken back
/// and answered "ERR out of memory" (what the dispatcher answers when an allocation fails).
/// Returns false in that case.
template <Clock C, class Header, class Emit>
bool write_repeated(Ctx<C>& c, unsigned long long n, std::size_t limit, Header&& header,
                    Emit&& emit) {
    std::string& buf = c.out.output();
    const std::size_t start = buf.size();
    header();
    for (unsigned long long i = 0; i < n; ++i) {
        emit();
        if ((i & 1023) == 1023 && buf.size() - start > limit) {
            buf.resize(start);
            return false;
        }
    }
    return true;
}

}  // namespace cmd
}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_COLLECTIONS_HPP
