#ifndef CACHET_DETAIL_REDIS_NUMBER_HPP
#define CACHET_DETAIL_REDIS_NUMBER_HPP

/// Numbers as Redis 7.0 reads and writes them in string values (util.c): `string2ll` (the
/// strict integer parser behind INCR, HINCRBY and every count argument), `string2ld` and
/// `string2d` (the float parsers behind INCRBYFLOAT / HINCRBYFLOAT and scores), `ld2string`
/// (long doubles: `%.17Lg`, `%La`, or the "human" `%.17Lf` with trailing zeros removed, which
/// is what INCRBYFLOAT and HINCRBYFLOAT store and reply), `d2string` (`%.17g`, Redis 7.0's
/// double form) and `ll2string`. Not API: the RESP Database and the string-valued containers
/// share them so that a value written by one is read back the same way by another.
///
/// Every function was checked against redis-server 7.0.15 (tests/redis_number_test.cpp keeps
/// the cases): for instance HINCRBYFLOAT by 0.1 turns "10.5" into "10.6", "3.0e3" into
/// "3000.10000000000000009" and "1.1e-5" into "0.100011" on x86-64, whose `long double` is the
/// 80-bit extended type (Redis on another platform prints what its `long double` gives, and so
/// does this). The float parsers and formatters run in the "C" numeric locale whatever the
/// program set with `setlocale` (Redis never changes LC_NUMERIC; a library must not depend on
/// the application's choice): on POSIX systems each call switches its own thread to a "C"
/// locale object with `uselocale` and back.
///
/// Thread-safety: every function is thread-safe (pure, or per-thread locale). Complexity:
/// O(length of the text). No allocation except in the `std::string`-returning overloads.

#include <cachet/detail/config.hpp>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

#if defined(__unix__) || defined(__APPLE__)  // POSIX 2008 per-thread locales (uselocale)
#include <locale.h>
#if defined(__APPLE__)
#include <xlocale.h>
#endif
#endif

CACHET_NAMESPACE_BEGIN
namespace detail {

/// Redis's MAX_LONG_DOUBLE_CHARS: room for `%.17Lf` of any finite x86 long double (the
/// largest has 4,933 integer digits). `string2ld` rejects texts of this length or longer.
inline constexpr std::size_t max_long_double_chars = 5 * 1024;
/// Redis's LONG_STR_SIZE: `string2ll` rejects texts of this length or longer.
inline constexpr std::size_t long_str_size = 21;
/// Room for any `d2string` (a `%.17g`: sign, 17 digits, point, exponent).
inline constexpr std::size_t max_d2string_chars = 32;

/// Redis's `string2ll` (util.c): parses all of `s` as a signed 64-bit decimal. Rejects the
/// empty string, texts of 21 bytes or more, a leading '+', spaces anywhere, leading zeros
/// ("01", "00", "-0"), anything but digits after an optional '-', and values outside
/// [LLONG_MIN, LLONG_MAX]. Returns false (leaving `value` alone) when `s` is not such a number.
/// O(|s|), noexcept, constexpr.
[[nodiscard]] constexpr bool string2ll(std::string_view s, long long& value) noexcept {
    if (s.empty() || s.size() >= long_str_size) return false;
    if (s.size() == 1 && s[0] == '0') {
        value = 0;
        return true;
    }
    std::size_t i = 0;
    bool negative = false;
    if (s[0] == '-') {
        negative = true;
        if (++i == s.size()) return false;
    }
    if (s[i] < '1' || s[i] > '9') return false;
    unsigned long long v = static_cast<unsigned long long>(s[i] - '0');
    for (++i; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        const auto digit = static_cast<unsigned long long>(s[i] - '0');
        if (v > ULLONG_MAX / 10) return false;
        v *= 10;
        if (v > ULLONG_MAX - digit) return false;
        v += digit;
    }
    if (negative) {
        if (v > static_cast<unsigned long long>(LLONG_MAX) + 1) return false;
        value = static_cast<long long>(0 - v);  // two's complement: LLONG_MIN included
    } else {
        if (v > static_cast<unsigned long long>(LLONG_MAX)) return false;
        value = static_cast<long long>(v);
    }
    return true;
}

/// Writes `v` in decimal (Redis's `ll2string`) to `buf`; returns the length, or 0 if `len` is
/// too small (21 bytes always suffice). No terminating NUL. noexcept.
inline std::size_t ll2string(char* buf, std::size_t len, long long v) noexcept {
    const auto r = std::to_chars(buf, buf + len, v);
    return r.ec == std::errc{} ? static_cast<std::size_t>(r.ptr - buf) : 0;
}
[[nodiscard]] inline std::string ll2string(long long v) {
    char buf[long_str_size];
    return std::string(buf, ll2string(buf, sizeof buf, v));
}

/// Runs a float conversion in the "C" numeric locale (see the file comment).
class CNumericLocale {
public:
#if defined(__unix__) || defined(__APPLE__)
    CNumericLocale() noexcept {
        static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
        if (c_locale) m_old = uselocale(c_locale);
    }
    ~CNumericLocale() {
        if (m_old) uselocale(m_old);
    }
#else
    CNumericLocale() noexcept = default;
#endif
    CNumericLocale(const CNumericLocale&) = delete;
    CNumericLocale& operator=(const CNumericLocale&) = delete;

private:
#if defined(__unix__) || defined(__APPLE__)
    locale_t m_old = static_cast<locale_t>(0);
#endif
};

/// Redis 7.0's `string2ld`: parses all of `s` as a long double with `strtold`. Accepts what
/// strtold accepts (a leading '+' or '-', decimals, exponents, hexadecimal floats "0x1p3",
/// "inf" / "infinity" in any case, subnormals); rejects the empty string, texts of 5,120
/// bytes or more, a leading space, trailing bytes (a space, or anything after an embedded
/// NUL), "nan", and values that overflow to infinity or underflow to zero ("1e5000",
/// "1e-5000"). Returns false (leaving `value` alone) when rejected. Note that "inf" is
/// accepted: INCRBYFLOAT and HINCRBYFLOAT reject infinite operands themselves.
/// O(|s|); copies `s` to a 5 KiB stack buffer, as Redis does. noexcept.
[[nodiscard]] inline bool string2ld(std::string_view s, long double& value) noexcept {
    char buf[max_long_double_chars];
    if (s.empty() || s.size() >= sizeof buf) return false;
    std::memcpy(buf, s.data(), s.size());
    buf[s.size()] = '\0';
    long double v;
    char* end;
    {
        CNumericLocale c_locale;
        errno = 0;
        v = std::strtold(buf, &end);
    }
    if (std::isspace(static_cast<unsigned char>(buf[0])) || *end != '\0' ||
        static_cast<std::size_t>(end - buf) != s.size() ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) ||
        errno == EINVAL || std::isnan(v))
        return false;
    value = v;
    return true;
}

/// Redis's `string2d` (ZADD scores, ZRANGEBYSCORE bounds, ...): as `string2ld` with `strtod`,
/// without the length limit. Rejects the empty string, a leading space, trailing bytes, "nan",
/// and overflow to infinity or underflow to zero. O(|s|); allocates only for texts longer than
/// 255 bytes (to NUL-terminate them). noexcept (false if that allocation fails).
[[nodiscard]] inline bool string2d(std::string_view s, double& value) noexcept {
    if (s.empty()) return false;
    char small[256];
    std::string big;
    const char* p = small;
    if (s.size() < sizeof small) {
        std::memcpy(small, s.data(), s.size());
        small[s.size()] = '\0';
    } else {
        try {
            big.assign(s);
        } catch (...) {
            return false;
        }
        p = big.c_str();
    }
    double v;
    char* end;
    {
        CNumericLocale c_locale;
        errno = 0;
        v = std::strtod(p, &end);
    }
    if (std::isspace(static_cast<unsigned char>(p[0])) ||
        static_cast<std::size_t>(end - p) != s.size() ||
        (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO)) ||
        std::isnan(v))
        return false;
    value = v;
    return true;
}

/// The forms of Redis's `ld2string`.
enum class LdMode : unsigned char {
    automatic,  ///< LD_STR_AUTO: "%.17Lg" (what Redis propagates to replicas and the AOF)
    hex,        ///< LD_STR_HEX: "%La"
    human,  ///< LD_STR_HUMAN: "%.17Lf", trailing zeros (and a trailing '.') removed, "-0" as "0"
};

/// Redis's `ld2string`: writes `v` to `buf` in `mode` and returns the length (no NUL counted;
/// a NUL is written when there is room), or 0 if `len` is too small. Infinities are "inf" and
/// "-inf" in every mode. `max_long_double_chars` bytes always suffice. The human form is what
/// INCRBYFLOAT and HINCRBYFLOAT store and reply: 10.6, 3000.10000000000000009, 0.100011 (x86).
/// O(digits), up to ~5,000 for huge values. noexcept.
inline std::size_t ld2string(char* buf, std::size_t len, long double v, LdMode mode) noexcept {
    if (std::isinf(v)) {
        const std::string_view s = v > 0 ? "inf" : "-inf";
        if (len < 5) return 0;
        std::memcpy(buf, s.data(), s.size());
        buf[s.size()] = '\0';
        return s.size();
    }
    const char* fmt = mode == LdMode::automatic ? "%.17Lg" : mode == LdMode::hex ? "%La" : "%.17Lf";
    int written;
    {
        CNumericLocale c_locale;
        written = std::snprintf(buf, len, fmt, v);
    }
    if (written < 0 || static_cast<std::size_t>(written) + 1 > len) return 0;
    auto l = static_cast<std::size_t>(written);
    if (mode == LdMode::human) {
        if (std::memchr(buf, '.', l) != nullptr) {
            while (buf[l - 1] == '0') --l;
            if (buf[l - 1] == '.') --l;
        }
        if (l == 2 && buf[0] == '-' && buf[1] == '0') {
            buf[0] = '0';
            l = 1;
        }
        buf[l] = '\0';
    }
    return l;
}
[[nodiscard]] inline std::string ld2string(long double v, LdMode mode) {
    char buf[max_long_double_chars];
    return std::string(buf, ld2string(buf, sizeof buf, v, mode));
}
/// `ld2string(v, LdMode::human)`: the text INCRBYFLOAT / HINCRBYFLOAT store and reply.
[[nodiscard]] inline std::string format_long_double_human(long double v) {
    return ld2string(v, LdMode::human);
}

/// Redis 7.0's `d2string` (scores in ZSCAN, ZRANGE WITHSCORES over RESP2, ...): "nan", "inf",
/// "-inf", "0" and "-0" for the special values, integers in [-(2^52 - 1), 2^52) as plain
/// integers, everything else "%.17g" (0.1 is "0.10000000000000001"). Returns the length, or 0
/// if `len` is too small (`max_d2string_chars` always suffices). noexcept.
inline std::size_t d2string(char* buf, std::size_t len, double v) noexcept {
    std::string_view special;
    if (std::isnan(v)) special = "nan";
    else if (std::isinf(v)) special = v < 0 ? "-inf" : "inf";
    else if (v == 0) special = std::signbit(v) ? "-0" : "0";
    if (!special.empty()) {
        if (len < special.size() + 1) return 0;
        std::memcpy(buf, special.data(), special.size());
        buf[special.size()] = '\0';
        return special.size();
    }
    constexpr double min = -4503599627370495.0;  // -(2^52 - 1)
    constexpr double max = 4503599627370496.0;   // 2^52
    if (v > min && v < max && v == static_cast<double>(static_cast<long long>(v))) {
        const std::size_t n = ll2string(buf, len, static_cast<long long>(v));
        if (n == 0 || n + 1 > len) return 0;
        buf[n] = '\0';
        return n;
    }
    int written;
    {
        CNumericLocale c_locale;
        written = std::snprintf(buf, len, "%.17g", v);
    }
    if (written < 0 || static_cast<std::size_t>(written) + 1 > len) return 0;
    return static_cast<std::size_t>(written);
}
[[nodiscard]] inline std::string d2string(double v) {
    char buf[max_d2string_chars];
    return std::string(buf, d2string(buf, sizeof buf, v));
}

/// A type whose values are text (`std::string`, `std::string_view`, ...).
template <class T>
concept TextLike = std::convertible_to<const T&, std::string_view>;
/// A text type that can also be built from text: what HINCRBY / HINCRBYFLOAT can store into.
template <class T>
concept StringValue = TextLike<T> && std::constructible_from<T, std::string_view>;
/// A type Redis would hold as text: text itself, or an integer (shown in decimal, as Redis
/// shows its integer-encoded strings). What MATCH and HSTRLEN accept.
template <class T>
concept RedisText = TextLike<T> || (std::is_integral_v<T> && !std::is_same_v<T, bool>);

/// Calls `f(std::string_view)` with the text Redis would hold for `v` (itself, or its decimal
/// form) and returns what `f` returns. O(length), no allocation.
template <RedisText T, class F>
decltype(auto) with_redis_text(const T& v, F&& f) {
    if constexpr (TextLike<T>) {
        return f(std::string_view(v));
    } else {
        char buf[24];  // 20 digits of UINT64_MAX, or a sign and 19 digits
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        return f(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
    }
}

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_REDIS_NUMBER_HPP
