#ifndef CACHET_RESP_COMMANDS_STRINGS_HPP
#define CACHET_RESP_COMMANDS_STRINGS_HPP

/// String commands: GET, SET (EX, PX, EXAT, PXAT, NX, XX, KEEPTTL, GET), SETEX, PSETEX, SETNX,
/// GETSET, GETDEL, GETEX, MGET, MSET, MSETNX, INCR, INCRBY, DECR, DECRBY, INCRBYFLOAT, APPEND,
/// STRLEN, GETRANGE (SUBSTR), SETRANGE. Replies and errors as Redis 7.0's.

#include <cachet/resp/engine.hpp>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

/// An argument as Redis's C-string checks see it: option keywords are compared with strcasecmp()
/// and names are formatted into error texts with %s, both of which stop at a NUL byte.
[[nodiscard]] inline std::string_view c_str(std::string_view s) noexcept { return s.substr(0, s.find('\0')); }

/// Redis's expire argument (`v` seconds or ms, relative or a Unix time) as a Unix time in ms;
/// nullopt when Redis reports "invalid expire time" (overflow). `v` may be non-positive.
inline std::optional<long long> expire_unix_ms(long long v, bool seconds, bool absolute,
                                               long long unix_now) noexcept {
    if (seconds) {
        if (v > LLONG_MAX / 1000 || v < LLONG_MIN / 1000) return std::nullopt;
        v *= 1000;
    }
    if (!absolute) {
        if (v > LLONG_MAX - unix_now) return std::nullopt;
        v += unix_now;
    }
    return v;
}

/// The store-clock deadline of a Unix time in ms.
template <Clock C>
std::uint64_t store_deadline(Ctx<C>& c, long long unix_ms) {
    return c.engine.database().deadline_from_unix_ms(unix_ms);
}

/// The longest string a command may build (proto-max-bulk-len).
template <Clock C>
std::size_t max_string(Ctx<C>& c) {
    return static_cast<std::size_t>(c.engine.limits().max_bulk_len);
}

template <Clock C>
void get(Ctx<C>& c) {
    if (auto v = c.db().get(c.arg(1))) c.out.bulk(*v);
    else c.out.null();
}

/// SET's and GETEX's options, parsed as Redis's parseExtendedStringArgumentsOrReply does: the
/// syntax of every option first (a repeated EX/NX/GET is accepted, a conflicting one is a syntax
/// error); the expire value is only validated afterwards (expire_deadline).
struct StringOptions {
    bool nx = false, xx = false, get = false, keepttl = false, persist = false;
    bool ex = false, px = false, exat = false, pxat = false;
    std::string_view expire;  ///< the value of the last EX/PX/EXAT/PXAT
    bool has_expire() const noexcept { return ex || px || exat || pxat; }
};

/// Parses argv[3..] (SET) or argv[2..] (GETEX); writes the syntax error and returns false.
template <Clock C>
bool parse_string_options(Ctx<C>& c, bool is_set, StringOptions& o) {
    for (std::size_t i = is_set ? 3 : 2; i < c.argc(); ++i) {
        const std::string_view a = c_str(c.arg(i));
        const bool next = i + 1 < c.argc();
        if (is_set && iequals(a, "nx") && !o.xx) {
            o.nx = true;
        } else if (is_set && iequals(a, "xx") && !o.nx) {
            o.xx = true;
        } else if (is_set && iequals(a, "get")) {
            o.get = true;
        } else if (is_set && iequals(a, "keepttl") && !o.persist && !o.has_expire()) {
            o.keepttl = true;
        } else if (!is_set && iequals(a, "persist") && !o.has_expire() && !o.keepttl) {
            o.persist = true;
        } else if (iequals(a, "ex") && !o.keepttl && !o.persist && !o.exat && !o.px && !o.pxat && next) {
            o.ex = true;
            o.expire = c.arg(++i);
        } else if (iequals(a, "px") && !o.keepttl && !o.persist && !o.ex && !o.exat && !o.pxat && next) {
            o.px = true;
            o.expire = c.arg(++i);
        } else if (iequals(a, "exat") && !o.keepttl && !o.persist && !o.ex && !o.px && !o.pxat && next) {
            o.exat = true;
            o.expire = c.arg(++i);
        } else if (iequals(a, "pxat") && !o.keepttl && !o.persist && !o.ex && !o.exat && !o.px && next) {
            o.pxat = true;
            o.expire = c.arg(++i);
        } else {
            c.out.error(errors::syntax);
            return false;
        }
    }
    return true;
}

/// The store deadline of the options' expire value (Redis's getExpireMillisecondsOrReply);
/// writes the error and returns nullopt when the value is not an integer or not a valid time.
template <Clock C>
std::optional<std::uint64_t> expire_deadline(Ctx<C>& c, const StringOptions& o, std::string_view cmd_name) {
    auto v = to_ll(o.expire);
    if (!v) {
        c.out.error(errors::not_integer);
        return std::nullopt;
    }
    std::optional<long long> unix_ms_value;
    if (*v > 0) unix_ms_value = expire_unix_ms(*v, o.ex || o.exat, o.exat || o.pxat, c.engine.database().unix_ms());
    if (!unix_ms_value || *unix_ms_value <= 0) {
        c.out.error("ERR invalid expire time in '" + std::string(cmd_name) + "' command");
        return std::nullopt;
    }
    return store_deadline(c, *unix_ms_value);
}

template <Clock C>
void set(Ctx<C>& c) {
    StringOptions so;
    if (!parse_string_options(c, true, so)) return;
    typename RedisDb<C>::SetOptions o;
    if (so.has_expire()) {
        auto deadline = expire_deadline(c, so, "set");
        if (!deadline) return;
        o.deadline = *deadline;
    }
    using When = typename RedisDb<C>::SetOptions::When;
    o.when = so.nx ? When::if_absent : so.xx ? When::if_present : When::always;
    o.keep_ttl = so.keepttl;
    o.get = so.get;
    auto r = c.db().set(c.arg(1), std::string(c.arg(2)), o);
    if (o.get) {
        if (r.old) c.out.bulk(*r.old);
        else c.out.null();
    } else if (r.written) {
        c.out.simple("OK");
    } else {
        c.out.null();
    }
}

/// SETEX / PSETEX.
template <Clock C, bool Seconds>
void setex(Ctx<C>& c) {
    auto v = to_ll(c.arg(2));
    if (!v) {
        c.out.error(errors::not_integer);
        return;
    }
    const char* name = Seconds ? "setex" : "psetex";
    auto unix_ms_value = *v > 0 ? expire_unix_ms(*v, Seconds, false, c.engine.database().unix_ms()) : std::nullopt;
    if (!unix_ms_value) {
        c.out.error("ERR invalid expire time in '" + std::string(name) + "' command");
        return;
    }
    typename RedisDb<C>::SetOptions o;
    o.deadline = store_deadline(c, *unix_ms_value);
    c.db().set(c.arg(1), std::string(c.arg(3)), o);
    c.out.simple("OK");
}

template <Clock C>
void setnx(Ctx<C>& c) {
    typename RedisDb<C>::SetOptions o;
    o.when = RedisDb<C>::SetOptions::When::if_absent;
    c.out.integer(c.db().set(c.arg(1), std::string(c.arg(2)), o).written ? 1 : 0);
}

template <Clock C>
void getset(Ctx<C>& c) {
    typename RedisDb<C>::SetOptions o;
    o.get = true;
    auto r = c.db().set(c.arg(1), std::string(c.arg(2)), o);
    if (r.old) c.out.bulk(*r.old);
    else c.out.null();
}

template <Clock C>
void getdel(Ctx<C>& c) {
    if (auto v = c.db().get_and_delete(c.arg(1))) c.out.bulk(*v);
    else c.out.null();
}

template <Clock C>
void getex(Ctx<C>& c) {
    StringOptions so;
    if (!parse_string_options(c, false, so)) return;
    std::optional<std::uint64_t> deadline;
    if (so.has_expire()) {
        // As Redis: a missing key answers null and another type WRONGTYPE before the expire
        // value is validated.
        // Those answers count the lookup here; otherwise get_and_touch counts it.
        auto t = c.db().type(c.arg(1));
        if (!t) {
            c.db().count_lookup(c.arg(1), false);
            c.out.null();
            return;
        }
        if (*t != ValueType::string) {
            c.db().count_lookup(c.arg(1), true);
            c.out.error(errors::wrongtype);
            return;
        }
        deadline = expire_deadline(c, so, "getex");
        if (!deadline) {
            c.db().count_lookup(c.arg(1), true);
            return;
        }
    }
    if (auto v = c.db().get_and_touch(c.arg(1), deadline, so.persist)) c.out.bulk(*v);
    else c.out.null();
}

template <Clock C>
void mget(Ctx<C>& c) {
    c.out.array(c.argc() - 1);
    for (std::size_t i = 1; i < c.argc(); ++i) {
        std::optional<std::string> v;
        try {
            v = c.db().get(c.arg(i));
        } catch (const WrongTypeError&) {  // MGET answers null for a key of another type
        }
        if (v) c.out.bulk(*v);
        else c.out.null();
    }
}

/// MSET / MSETNX.
template <Clock C, bool NX>
void mset(Ctx<C>& c) {
    if (c.argc() % 2 == 0) {
        c.out.error(std::string("ERR wrong number of arguments for '") + (NX ? "msetnx" : "mset") +
                    "' command");
        return;
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    pairs.reserve(c.argc() / 2);
    for (std::size_t i = 1; i + 1 < c.argc(); i += 2)
        pairs.emplace_back(std::string(c.arg(i)), std::string(c.arg(i + 1)));
    const bool done = c.db().mset(pairs, NX);
    if (NX) c.out.integer(done ? 1 : 0);
    else c.out.simple("OK");
}

template <Clock C>
void incr_reply(Ctx<C>& c, long long delta) {
    auto r = c.db().incr_by(c.arg(1), delta);
    if (r) c.out.integer(*r);
    else c.out.error(r.error() == Errc::overflow ? errors::overflow : errors::not_integer);
}

template <Clock C>
void incr(Ctx<C>& c) {
    incr_reply(c, 1);
}
template <Clock C>
void decr(Ctx<C>& c) {
    incr_reply(c, -1);
}
template <Clock C>
void incrby(Ctx<C>& c) {
    auto d = to_ll(c.arg(2));
    if (!d) c.out.error(errors::not_integer);
    else incr_reply(c, *d);
}
template <Clock C>
void decrby(Ctx<C>& c) {
    auto d = to_ll(c.arg(2));
    if (!d) c.out.error(errors::not_integer);
    else if (*d == LLONG_MIN) c.out.error("ERR decrement would overflow");
    else incr_reply(c, -*d);
}

template <Clock C>
void incrbyfloat(Ctx<C>& c) {
    auto d = to_ld(c.arg(2));
    if (!d) {  // Redis checks the key's type before the increment
        auto t = c.db().type(c.arg(1));
        c.out.error(t && *t != ValueType::string ? errors::wrongtype : errors::not_float);
        return;
    }
    auto r = c.db().incr_by_float(c.arg(1), *d);
    if (r) c.out.bulk(*r);
    else if (r.error() == Errc::overflow) c.out.error("ERR increment would produce NaN or Infinity");
    else c.out.error(errors::not_float);
}

template <Clock C>
void append(Ctx<C>& c) {
    auto r = c.db().append(c.arg(1), c.arg(2), max_string(c));
    if (r) c.out.integer(static_cast<long long>(*r));
    else c.out.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
}

template <Clock C>
void strlen_(Ctx<C>& c) {
    auto n = c.db().read_string(c.arg(1), [](std::string_view s) { return s.size(); });
    c.out.integer(static_cast<long long>(n.value_or(0)));
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence
/// of two strings (a missing key is ""), by Redis 7.0's dynamic programme and backtrack, so the
/// same string and the same match ranges come out. O(|a| * |b|) time and 4 * (|a|+1) * (|b|+1)
/// bytes of transient memory, refused over proto-max-bulk-len as Redis refuses it.
template <Clock C>
void lcs(Ctx<C>& c) {
    auto& db = c.db();
    // Both keys are looked up (hits, misses, keymiss events, accesses) before either's type is
    // checked.
    std::string a, b;
    bool wrong = false;
    for (std::size_t k = 1; k <= 2; ++k) {
        db.lookup(c.arg(k), [&](const Value* v) {
            if (!v) return;
            if (const auto s = v->string_if()) (k == 1 ? a : b).assign(*s);
            else wrong = true;
        });
    }
    if (wrong) {
        c.out.error("ERR The specified keys must contain string values");
        return;
    }
    bool getlen = false, getidx = false, withmatchlen = false;
    long long minmatchlen = 0;
    for (std::size_t j = 3; j < c.argc(); ++j) {
        const std::string_view opt = c.arg(j);
        const bool more = j + 1 < c.argc();
        if (iequals(opt, "idx")) {
            getidx = true;
        } else if (iequals(opt, "len")) {
            getlen = true;
        } else if (iequals(opt, "withmatchlen")) {
            withmatchlen = true;
        } else if (iequals(opt, "minmatchlen") && more) {
            auto n = to_ll(c.arg(++j));
            if (!n) {
                c.out.error(errors::not_integer);
                return;
            }
            minmatchlen = std::max(0LL, *n);
        } else {
            c.out.error(errors::syntax);
            return;
        }
    }
    if (getidx && getlen) {
        c.out.error("ERR If you want both the length and indexes, please just use IDX.");
        return;
    }
    if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
        c.out.error("ERR String too long for LCS");
        return;
    }
    const auto alen = static_cast<std::uint32_t>(a.size()), blen = static_cast<std::uint32_t>(b.size());
    const unsigned long long cells = static_cast<unsigned long long>(alen + 1ULL) * (blen + 1ULL);
    if (cells * sizeof(std::uint32_t) > static_cast<unsigned long long>(c.engine.limits().max_bulk_len)) {
        c.out.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        return;
    }
    std::vector<std::uint32_t> dp(static_cast<std::size_t>(cells));
    auto at = [&](std::uint32_t i, std::uint32_t j) -> std::uint32_t& {
        return dp[j + static_cast<std::size_t>(i) * (blen + 1)];
    };
    for (std::uint32_t i = 1; i <= alen; ++i)
        for (std::uint32_t j = 1; j <= blen; ++j)
            at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    const std::uint32_t total = at(alen, blen);
    struct Range {
        std::uint32_t a0, a1, b0, b1;
    };
    std::vector<Range> ranges;
    std::string result(total, '\0');
    std::uint32_t idx = total, i = alen, j = blen;
    std::uint32_t as = alen, ae = 0, bs = 0, be = 0;  // as == alen: no range open
    const bool computelcs = getidx || !getlen;
    while (computelcs && i > 0 && j > 0) {
        bool emit = false;
        if (a[i - 1] == b[j - 1]) {
            result[idx - 1] = a[i - 1];
            if (as == alen) {
                as = ae = i - 1;
                bs = be = j - 1;
            } else if (as == i && bs == j) {  // contiguous: extend backwards
                --as;
                --bs;
            } else {
                emit = true;
            }
            if (as == 0 || bs == 0) emit = true;
            --idx;
            --i;
            --j;
        } else {
            if (at(i - 1, j) > at(i, j - 1)) --i;
            else --j;
            if (as != alen) emit = true;
        }
        if (emit) {
            if (minmatchlen == 0 || ae - as + 1 >= static_cast<unsigned long long>(minmatchlen))
                ranges.push_back({as, ae, bs, be});
            as = alen;
        }
    }
    if (getidx) {
        c.out.map(2);
        c.out.bulk("matches");
        c.out.array(ranges.size());
        for (const Range& r : ranges) {
            c.out.array(withmatchlen ? 3 : 2);
            c.out.array(2);
            c.out.integer(r.a0);
            c.out.integer(r.a1);
            c.out.array(2);
            c.out.integer(r.b0);
            c.out.integer(r.b1);
            if (withmatchlen) c.out.integer(static_cast<long long>(r.a1 - r.a0 + 1));
        }
        c.out.bulk("len");
        c.out.integer(total);
    } else if (getlen) {
        c.out.integer(total);
    } else {
        c.out.bulk(result);
    }
}

template <Clock C>
void getrange(Ctx<C>& c) {
    auto start = to_ll(c.arg(2)), end = to_ll(c.arg(3));
    if (!start || !end) {
        c.out.error(errors::not_integer);
        return;
    }
    auto r = c.db().read_string(c.arg(1), [&](std::string_view s) -> std::string {
        long long a = *start, b = *end;
        const auto len = static_cast<long long>(s.size());
        if (a < 0 && b < 0 && a > b) return {};
        if (a < 0) a += len;
        if (b < 0) b += len;
        if (a < 0) a = 0;
        if (b < 0) b = 0;
        if (b >= len) b = len - 1;
        if (len == 0 || a > b) return {};
        return std::string(s.substr(static_cast<std::size_t>(a), static_cast<std::size_t>(b - a + 1)));
    });
    c.out.bulk(r ? *r : std::string());
}

template <Clock C>
void setrange(Ctx<C>& c) {
    auto off = to_ll(c.arg(2));
    if (!off) {
        c.out.error(errors::not_integer);
        return;
    }
    if (*off < 0) {
        c.out.error("ERR offset is out of range");
        return;
    }
    auto r = c.db().set_range(c.arg(1), static_cast<std::size_t>(*off), c.arg(3), max_string(c));
    if (r) c.out.integer(static_cast<long long>(*r));
    else c.out.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
}

}  // namespace cmd

template <Clock C>
void register_string_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::uint32_t w = cmd_write | cmd_denyoom;
    const std::vector<std::string> rd = {"read", "string", "fast"}, wr = {"write", "string", "slow"},
                                   wf = {"write", "string", "fast"};
    add_command<C>(t, "get", 2, cmd_readonly | cmd_fast, 1, 1, 1, &get<C>, "string", "Get the value of a key", "1.0.0", rd);
    add_command<C>(t, "set", -3, w, 1, 1, 1, &set<C>, "string", "Set the string value of a key", "1.0.0", wr);
    add_command<C>(t, "setex", 4, w, 1, 1, 1, &setex<C, true>, "string", "Set the value and expiration of a key", "2.0.0", wr);
    add_command<C>(t, "psetex", 4, w, 1, 1, 1, &setex<C, false>, "string", "Set the value and expiration in milliseconds of a key", "2.6.0", wr);
    add_command<C>(t, "setnx", 3, w | cmd_fast, 1, 1, 1, &setnx<C>, "string", "Set the value of a key, only if the key does not exist", "1.0.0", wf);
    add_command<C>(t, "getset", 3, w | cmd_fast, 1, 1, 1, &getset<C>, "string", "Set the string value of a key and return its old value", "1.0.0", wf);
    add_command<C>(t, "getdel", 2, cmd_write | cmd_fast, 1, 1, 1, &getdel<C>, "string", "Get the value of a key and delete the key", "6.2.0", wf);
    add_command<C>(t, "getex", -2, cmd_write | cmd_fast, 1, 1, 1, &getex<C>, "string", "Get the value of a key and optionally set its expiration", "6.2.0", wf);
    add_command<C>(t, "mget", -2, cmd_readonly | cmd_fast, 1, -1, 1, &mget<C>, "string", "Get the values of all the given keys", "1.0.0", rd);
    add_command<C>(t, "mset", -3, w, 1, -1, 2, &mset<C, false>, "string", "Set multiple keys to multiple values", "1.0.1", wr);
    add_command<C>(t, "msetnx", -3, w, 1, -1, 2, &mset<C, true>, "string", "Set multiple keys to multiple values, only if none of the keys exist", "1.0.1", wr);
    add_command<C>(t, "incr", 2, w | cmd_fast, 1, 1, 1, &incr<C>, "string", "Increment the integer value of a key by one", "1.0.0", wf);
    add_command<C>(t, "decr", 2, w | cmd_fast, 1, 1, 1, &decr<C>, "string", "Decrement the integer value of a key by one", "1.0.0", wf);
    add_command<C>(t, "incrby", 3, w | cmd_fast, 1, 1, 1, &incrby<C>, "string", "Increment the integer value of a key by the given amount", "1.0.0", wf);
    add_command<C>(t, "decrby", 3, w | cmd_fast, 1, 1, 1, &decrby<C>, "string", "Decrement the integer value of a key by the given number", "1.0.0", wf);
    add_command<C>(t, "incrbyfloat", 3, w | cmd_fast, 1, 1, 1, &incrbyfloat<C>, "string", "Increment the float value of a key by the given amount", "2.6.0", wf);
    add_command<C>(t, "append", 3, w | cmd_fast, 1, 1, 1, &append<C>, "string", "Append a value to a key", "2.0.0", wf);
    add_command<C>(t, "lcs", -3, cmd_readonly, 1, 2, 1, &lcs<C>, "string", "Find longest common substring", "7.0.0", {"read", "string", "slow"});
    add_command<C>(t, "strlen", 2, cmd_readonly | cmd_fast, 1, 1, 1, &strlen_<C>, "string", "Get the length of the value stored in a key", "2.2.0", rd);
    add_command<C>(t, "getrange", 4, cmd_readonly, 1, 1, 1, &getrange<C>, "string", "Get a substring of the string stored at a key", "2.4.0", {"read", "string", "slow"});
    add_command<C>(t, "substr", 4, cmd_readonly, 1, 1, 1, &getrange<C>, "string", "Get a substring of the string stored at a key", "1.0.0", {"read", "string", "slow"});
    add_command<C>(t, "setrange", 4, w, 1, 1, 1, &setrange<C>, "string", "Overwrite part of a string at key starting at the specified offset", "2.2.0", wr);
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_STRINGS_HPP
