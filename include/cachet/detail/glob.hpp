#ifndef CACHET_DETAIL_GLOB_HPP
#define CACHET_DETAIL_GLOB_HPP

/// Glob matching with Redis's rules (`stringmatchlen` in redis/src/util.c), used for
/// PSUBSCRIBE-style patterns (and later KEYS / SCAN MATCH). Not API.
///
/// The rules, exactly as Redis applies them (tests/glob_test.cpp has a table of cases):
///   - `*` matches any run of bytes, including none; `?` matches exactly one byte.
///   - `[abc]` one byte of the set; `[^abc]` one byte not in the set; `[a-z]` a range, and a
///     reversed range `[z-a]` is the same as `[a-z]`. Inside brackets `\x` is the literal `x`.
///     `]` right after `[` (or `[^`) closes an empty set, which matches nothing (`[^]` matches
///     any byte). A `-` that is not between two bytes is literal, and `[a-]` is the range from
///     `a` to `]` (Redis reads the closing bracket as the range's end, then keeps reading the
///     set up to the next `]` or the end of the pattern).
///   - An unterminated `[` runs to the end of the pattern: `[abc` is `[abc]`.
///   - `\x` outside brackets is the literal `x`; a lone `\` at the end of the pattern is a
///     literal backslash.
///   - Only a non-empty string can match: `*` does not match "" (Redis's matcher loops while
///     both are non-empty, and PUBLISH to "" reaches no pattern). Only "" matches "".
///   - Nesting of `*` is bounded at 1,000 levels, beyond which the match fails (Redis's
///     "protection against abusive patterns").
/// One deliberate difference: bytes are compared as unsigned values. Redis compares `char`s,
/// which are signed on x86, so a range with an end byte >= 0x80 means something different on
/// x86 and ARM Redis; here it is always the byte range.
///
/// Complexity: O(P * S) in the worst case (P = pattern length, S = string length), thanks to
/// Redis's "skip longer matches" cut: when the rest of the pattern after a `*` matches nowhere
/// in the rest of the string, no earlier `*` can help either. No allocation. Thread-safe (pure).

#include <cachet/detail/config.hpp>

#include <cstddef>
#include <string_view>

CACHET_NAMESPACE_BEGIN
namespace detail {

inline unsigned char glob_fold(unsigned char c, bool nocase) noexcept {
    return (nocase && c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

// A line-by-line port of Redis's stringmatchlen_impl with indices instead of pointers (Redis
// reads one byte past the pattern's end, relying on NUL termination; this never does).
inline bool glob_match_impl(std::string_view pat, std::string_view str, bool nocase,
                            bool& skip_longer, int nesting) noexcept {
    if (nesting > 1000) return false;
    std::size_t p = 0, s = 0;
    const std::size_t pn = pat.size(), sn = str.size();
    auto pb = [&](std::size_t i) { return static_cast<unsigned char>(pat[i]); };
    auto sb = [&](std::size_t i) { return static_cast<unsigned char>(str[i]); };

    while (p < pn && s < sn) {
        switch (pat[p]) {
            case '*': {
                while (p + 1 < pn && pat[p + 1] == '*') ++p;
                if (p + 1 == pn) return true;
                while (s < sn) {
                    if (glob_match_impl(pat.substr(p + 1), str.substr(s), nocase, skip_longer,
                                        nesting + 1))
                        return true;
                    if (skip_longer) return false;
                    ++s;
                }
                skip_longer = true;
                return false;
            }
            case '?':
                ++s;
                break;
            case '[': {
                ++p;
                const bool negate = p < pn && pat[p] == '^';
                if (negate) ++p;
                bool match = false;
                const unsigned char c = glob_fold(sb(s), nocase);
                for (;;) {
                    if (p < pn && pat[p] == '\\' && pn - p >= 2) {
                        ++p;
                        if (pb(p) == sb(s)) match = true;  // Redis: exact, even with nocase
                    } else if (p >= pn) {
                        --p;  // unterminated: the set ends with the pattern
                        break;
                    } else if (pat[p] == ']') {
                        break;
                    } else if (pn - p >= 3 && pat[p + 1] == '-') {
                        unsigned char lo = pb(p), hi = pb(p + 2);
                        if (lo > hi) {
                            const unsigned char t = lo;
                            lo = hi;
                            hi = t;
                        }
                        lo = glob_fold(lo, nocase);
                        hi = glob_fold(hi, nocase);
                        p += 2;
                        if (c >= lo && c <= hi) match = true;
                    } else if (glob_fold(pb(p), nocase) == c) {
                        match = true;
                    }
                    ++p;
                }
                if (negate) match = !match;
                if (!match) return false;
                ++s;
                break;
            }
            case '\\':
                if (pn - p >= 2) ++p;
                [[fallthrough]];
            default:
                if (glob_fold(pb(p), nocase) != glob_fold(sb(s), nocase)) return false;
                ++s;
                break;
        }
        ++p;
        if (s == sn) {
            while (p < pn && pat[p] == '*') ++p;
            break;
        }
    }
    return p == pn && s == sn;
}

/// True if `str` matches the glob `pattern` under Redis's rules (see the file comment).
/// `nocase` folds ASCII letters, as Redis's `nocase` argument does.
/// Complexity: O(P * S) worst case. No allocation. noexcept.
[[nodiscard]] inline bool glob_match(std::string_view pattern, std::string_view str,
                                     bool nocase = false) noexcept {
    bool skip_longer = false;
    return glob_match_impl(pattern, str, nocase, skip_longer, 0);
}

/// True if `pattern` has no glob metacharacter (`*`, `?`, `[`, `\`), so it matches only
/// itself (and only when non-empty). O(P).
[[nodiscard]] inline bool glob_is_literal(std::string_view pattern) noexcept {
    return pattern.find_first_of("*?[\\") == std::string_view::npos;
}

/// The literal prefix of `pattern`: every string it matches starts with these bytes.
/// Stops at the first metacharacter; an escaped byte (`\x`) is not unescaped, it ends the
/// prefix too (kept simple: the prefix is only used to skip patterns cheaply). O(P).
[[nodiscard]] inline std::string_view glob_literal_prefix(std::string_view pattern) noexcept {
    const auto n = pattern.find_first_of("*?[\\");
    return n == std::string_view::npos ? pattern : pattern.substr(0, n);
}

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_GLOB_HPP
