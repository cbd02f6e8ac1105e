#ifndef CACHET_RESP_COMMANDS_ZSETS_HPP
#define CACHET_RESP_COMMANDS_ZSETS_HPP

/// Sorted-set commands: ZADD (NX, XX, GT, LT, CH, INCR), ZINCRBY, ZSCORE, ZMSCORE, ZRANK,
/// ZREVRANK, ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), ZRANGESTORE, ZRANGEBYSCORE,
/// ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE, ZCARD, ZCOUNT, ZLEXCOUNT, ZREM,
/// ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX, ZPOPMIN, ZPOPMAX, ZMPOP, ZRANDMEMBER,
/// ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZUNION, ZINTER, ZDIFF (WEIGHTS, AGGREGATE,
/// WITHSCORES), ZINTERCARD, ZSCAN, and the blocking BZPOPMIN, BZPOPMAX, BZMPOP. Replies, error
/// texts and the order of Redis's checks as Redis 7.0.15's (t_zset.c), in RESP2 and RESP3:
/// scores are doubles (RESP3 ',', RESP2 a bulk string of "%.17g", "inf", "-inf"); a reply
/// WITHSCORES is a flat array in RESP2 and an array of [member, score] pairs in RESP3, as are
/// ZPOPMIN/ZPOPMAX with a count (without one they reply a flat [member, score] in both);
/// ZMPOP/BZMPOP reply [key, [[member, score] ...]] in both; ZSCAN's scores are bulk strings.
///
/// The set-algebra commands (ZUNION, ZINTER, ZDIFF, their *STORE forms and ZINTERCARD) accept
/// plain SETs as sources (every member scoring 1) and check the type of every source key
/// before any option, as Redis does; a *STORE destination (and ZRANGESTORE's) is replaced
/// whatever it held, loses its TTL, and is deleted by an empty result. Each command runs under
/// the shard locks of all its keys at once, so it is atomic.
///
/// Blocking. BZPOPMIN / BZPOPMAX / BZMPOP check their keys in order under all their shard
/// locks at once (`write_many`, as atomic as single-threaded Redis's check): a key of another
/// type replies WRONGTYPE, the first key holding a sorted set is popped from at once; if none
/// does, a `BlockedZPop` consumer is registered on each distinct key before the locks are
/// released and the handler returns after `Session::block`, so the I/O thread never waits. A
/// later add to one of the keys, from any connection or from the program's `db.zsets()`,
/// serves the consumers first registered first served under that key's lock (`take` pops);
/// once its locks are released the producer calls `finish`, which formats the reply in the
/// client's protocol and posts it to the session's outbox (`Session::collect_async` delivers
/// it). A deadline passing (`Session::on_tick`) cancels the consumer and replies a null array;
/// inside MULTI/EXEC nothing blocks and the command replies as its timeout would. The timeout
/// is Redis 7.0's: seconds as a long double, times 1000, rounded up (so 0.0001 waits 1 ms, and
/// 0 or -0.0001 waits forever); "inf" and values past 2^63 ms are "negative", as on x86-64.
///
/// Encodings. Redis keeps a small sorted set (at most zset-max-listpack-entries members, none
/// longer than zset-max-listpack-value bytes) in a listpack and converts it to a skiplist for
/// good once it outgrows either limit; some replies show which. cachet has one representation
/// and emulates what shows: it records in each set (`SortedSet::tag`) the encoding Redis would
/// have given it, where Redis decides it: a ZADD / ZINCRBY creating the set or inserting past
/// the configured limits (which the engine keeps lock-free, so every ZADD reads them), a
/// ZRANGESTORE or *STORE result; COPY, RENAME and MOVE carry it. A set the program filled
/// through `db.zsets()` has none recorded and is judged on its contents. A listpack's ZSCAN
/// replies every element with cursor 0, in score order, an integral score written as the
/// integer the listpack stores
/// ("100000000000000000", where a skiplist writes "1e+17"); its lex ranges walk it linearly as
/// the listpack does, which decides what a range over members out of lexicographic order
/// (different scores) returns; and a score of -0 stored in it becomes 0 (ZADD INCR / ZINCRBY
/// of -0 creating a member still replies "-0", the score computed before storing, and ZUNION
/// / ZINTER / ZDIFF reply the -0 they compute, as Redis does). ZADD follows Redis's conversion
/// element by element when it stores a -0.
///
/// Differences from Redis. The ZSCAN of a set in the skiplist encoding walks cachet's own hash
/// index (another order and other cursors than Redis's dict; every element present throughout
/// is still returned). A lex range over such a set whose members are out of lexicographic order
/// returns what the descent of cachet's B+tree finds (cachet orders members with a B+tree where
/// Redis uses a skiplist; the encoding reported stays Redis's); Redis's answer depends on its
/// random node levels (its documentation calls the result unspecified). ZRANDMEMBER with a positive count below the set's size
/// returns its members in another random order; a negative count whose reply would exceed
/// proto-max-bulk-len bytes answers "ERR out of memory" instead of growing the output without
/// bound (see collections.hpp). COMMAND INFO lacks the "movablekeys" flag and the numkeys key
/// specifications of ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZUNION, ZINTER, ZDIFF, ZINTERCARD,
/// ZMPOP and BZMPOP, and per-key flags (ZRANGESTORE's "OW" destination, BZPOPMIN's "delete");
/// COMMAND DOCS lacks the "deprecated" doc flag of ZRANGEBYSCORE and friends (the command table
/// cannot express them).
///
/// Keyspace events of an add that serves blocked clients, as Redis's: the producer's "zadd",
/// then each served pop ("zpopmin" / "zpopmax", published by `finish`), then "del" if the
/// served clients emptied a key the add had created (`emptied_new_key`).

#include <cachet/resp/commands/blocking.hpp>
#include <cachet/resp/commands/collections.hpp>
#include <cachet/resp/engine.hpp>
#include <cachet/sorted_set.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace zsetcmd {

inline constexpr std::string_view err_score_range = "ERR min or max is not a float";
inline constexpr std::string_view err_lex_range = "ERR min or max not valid string range item";
inline constexpr std::string_view err_nan = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view err_not_positive = "ERR value is out of range, must be positive";
inline constexpr std::string_view err_numkeys = "ERR numkeys should be greater than 0";
inline constexpr std::string_view err_count = "ERR count should be greater than 0";

using Element = std::pair<std::string, double>;

// ---------------------------------------------------------------------- parsing

/// A score or weight as Redis's getDoubleFromObject reads it (string2d: strtod of the whole
/// text; no leading space, no NaN, no overflow).
[[nodiscard]] inline std::optional<double> parse_double(std::string_view s) noexcept {
    double v;
    if (!cachet::detail::string2d(s, v)) return std::nullopt;
    return v;
}

using blocking::deadline_in;
using blocking::parse_timeout_ms;
using blocking::with_refs;

/// getRangeLongFromObjectOrReply(1, LONG_MAX, msg) for numkeys / COUNT: one text for a
/// malformed and an out-of-range value.
[[nodiscard]] inline std::optional<long long> parse_positive(std::string_view s) noexcept {
    auto v = to_ll(s);
    if (!v || *v < 1) return std::nullopt;
    return v;
}

// ---------------------------------------------------------------------- encodings

/// Redis's listpack limits (zset-max-listpack-entries / -value; these are the defaults).
struct ListpackLimits {
    long long entries = 128;
    long long value = 64;
};

/// The configured limits (two relaxed atomic loads; CONFIG SET stores them).
template <Clock C>
ListpackLimits listpack_limits(Ctx<C>& c) {
    const auto [entries, value] = c.engine.zset_listpack_limits();
    return {entries, value};
}

/// True if a set of these contents fits a listpack.
inline bool fits_listpack(const RedisZSet& z, const ListpackLimits& l) {
    if (static_cast<long long>(z.size()) > l.entries) return false;
    return std::none_of(z.begin(), z.end(), [&](const Element& e) {
        return static_cast<long long>(e.first.size()) > l.value;
    });
}

/// The encoding Redis would give a set, as far as the RESP layer followed it (kept in
/// `SortedSet::tag`). Every set a RESP command creates or grows records it; a set the program
/// filled through `db.zsets()` has none until a ZADD records it.
enum class ZEncoding : std::uint8_t { unknown = 0, listpack = 1, skiplist = 2 };
inline void set_encoding(RedisZSet& z, ZEncoding e) noexcept {
    z.set_tag(static_cast<std::uint8_t>(e));
}

/// True if Redis would hold `z` as a listpack: as recorded, or, with nothing recorded, if it
/// fits the limits now.
inline bool listpack_encoded(const RedisZSet& z, const ListpackLimits& l) {
    switch (static_cast<ZEncoding>(z.tag())) {
        case ZEncoding::listpack: return true;
        case ZEncoding::skiplist: return false;
        default: return fits_listpack(z, l);
    }
}

/// Follows Redis's encoding while elements are inserted one by one (zsetAdd): a listpack
/// converts to a skiplist before it would exceed either limit; a listpack stores a score of
/// -0 as the integer 0, a skiplist keeps it.
struct EncodingTracker {
    ListpackLimits lim;
    bool listpack = true;
    /// Before inserting a new member of `len` bytes into a set of `size` members.
    void inserting(std::size_t size, std::size_t len) noexcept {
        if (listpack && (static_cast<long long>(size) + 1 > lim.entries ||
                         static_cast<long long>(len) > lim.value))
            listpack = false;
    }
    /// The score as the current encoding stores it.
    [[nodiscard]] double stored(double s) const noexcept { return listpack && s == 0 ? 0.0 : s; }
};

[[nodiscard]] inline bool negative_zero(double d) noexcept { return d == 0 && std::signbit(d); }

/// A *STORE result as Redis stores it (zsetConvertToListpackIfNeeded): a small one becomes a
/// listpack, which turns a -0 score into 0 (it stores integral scores as integers); a large one
/// stays a skiplist. Records which. `lim`: the configured limits (`listpack_limits`).
inline void as_stored(RedisZSet& z, const ListpackLimits& lim) {
    if (!fits_listpack(z, lim)) {
        set_encoding(z, ZEncoding::skiplist);
        return;
    }
    if (std::any_of(z.begin(), z.end(), [](const Element& e) { return negative_zero(e.second); })) {
        RedisZSet fixed;
        for (const auto& [m, s] : z) fixed.add(m, s == 0 ? 0.0 : s);
        z = std::move(fixed);
    }
    set_encoding(z, ZEncoding::listpack);
}

/// Redis 7.0's double2ll: `d` as a long long if it is integral and within +-LLONG_MAX/2.
[[nodiscard]] inline bool double2ll(double d, long long& out) noexcept {
    if (!(d >= static_cast<double>(-(LLONG_MAX / 2)) && d <= static_cast<double>(LLONG_MAX / 2)))
        return false;
    const auto ll = static_cast<long long>(d);
    if (static_cast<double>(ll) != d) return false;
    out = ll;
    return true;
}

// ---------------------------------------------------------------------- replies

/// The header of `n` elements that may carry their scores: RESP2 flat, RESP3 pairs.
inline void scored_header(ReplyWriter& out, std::size_t n, bool withscores) {
    out.array(withscores && !out.resp3() ? 2 * n : n);
}
/// One element of such a reply.
inline void scored_element(ReplyWriter& out, const std::string& m, double s, bool withscores) {
    if (withscores && out.resp3()) out.array(2);
    out.bulk(m);
    if (withscores) out.double_reply(s);
}
/// ZMPOP / BZMPOP: [key, [[member, score] ...]] in both protocols.
inline void write_key_and_elements(ReplyWriter& out, const std::string& key,
                                   const std::vector<Element>& els) {
    out.array(2);
    out.bulk(key);
    out.array(els.size());
    for (const auto& [m, s] : els) {
        out.array(2);
        out.bulk(m);
        out.double_reply(s);
    }
}

// ---------------------------------------------------------------------- lex ranges

/// Where Redis's listpack starts a lex range (zzlFirstInLexRange, or zzlLastInLexRange when
/// `reverse`): the range must be non-empty and overlap the set's ends; then the first element
/// from that end past the near bound is the start if it is within the far bound, else there is
/// none. A linear walk: with members out of lexicographic order (scores that differ) this is
/// what a small set answers in Redis, not what a skiplist's descent would find.
template <class It>
It listpack_lex_start(It first, It last, const LexRange<std::string>& r, bool reverse) {
    if (!reverse) {
        while (first != last && !r.above_min(first->first)) ++first;
        if (first != last && !r.below_max(first->first)) return last;
    } else {
        while (first != last && !r.below_max(first->first)) ++first;
        if (first != last && !r.above_min(first->first)) return last;
    }
    return first;
}

/// True if the listpack test zzlIsInLexRange passes: `r` is not empty, the last element is
/// past the minimum and the first one before the maximum.
inline bool listpack_lex_overlaps(const RedisZSet& z, const LexRange<std::string>& r) {
    return !z.empty() && !r.empty() && r.above_min(std::prev(z.end())->first) &&
           r.below_max(z.begin()->first);
}

/// genericZrangebylexCommand over a listpack: from the start, skip `offset` elements, then
/// visit while within the far bound, at most `limit` (negative: no limit).
template <class F>
void listpack_lex_range(const RedisZSet& z, const LexRange<std::string>& r, long long offset,
                        long long limit, bool reverse, F&& f) {
    if (offset < 0 || limit == 0 || !listpack_lex_overlaps(z, r)) return;
    auto walk = [&](auto first, auto last) {
        first = listpack_lex_start(first, last, r, reverse);
        for (; first != last && offset > 0; --offset) ++first;
        for (long long n = 0; first != last && (limit < 0 || n < limit); ++first, ++n) {
            if (reverse ? !r.above_min(first->first) : !r.below_max(first->first)) break;
            f(*first);
        }
    };
    if (reverse) walk(z.rbegin(), z.rend());
    else walk(z.begin(), z.end());
}

/// ZLEXCOUNT over a listpack: from the start, the elements up to the first past the maximum.
inline std::size_t listpack_lex_count(const RedisZSet& z, const LexRange<std::string>& r) {
    std::size_t n = 0;
    listpack_lex_range(z, r, 0, -1, false, [&](const Element&) { ++n; });
    return n;
}

// ---------------------------------------------------------------------- ZADD, ZINCRBY

/// ZADD and ZINCRBY (`incr`: ZINCRBY, whose increment is parsed like ZADD's options first, so
/// "ZINCRBY k nx m" is a syntax error, as in Redis).
template <Clock C, bool Incr>
void zadd(Ctx<C>& c) {
    ZAddFlags flags = Incr ? ZAddFlags::incr : ZAddFlags::none;
    std::size_t idx = 2;
    for (; idx < c.argc(); ++idx) {
        const std::string_view o = c.arg(idx);
        if (iequals(o, "nx")) flags |= ZAddFlags::nx;
        else if (iequals(o, "xx")) flags |= ZAddFlags::xx;
        else if (iequals(o, "ch")) flags |= ZAddFlags::ch;
        else if (iequals(o, "incr")) flags |= ZAddFlags::incr;
        else if (iequals(o, "gt")) flags |= ZAddFlags::gt;
        else if (iequals(o, "lt")) flags |= ZAddFlags::lt;
        else break;
    }
    const std::size_t rest = c.argc() - idx;
    if (rest == 0 || rest % 2 != 0) {
        c.out.error(errors::syntax);
        return;
    }
    const std::size_t pairs = rest / 2;
    if (auto e = zadd_flags_error(flags, pairs); !e.empty()) {
        c.out.error("ERR " + std::string(e));
        return;
    }
    std::vector<Element> items;
    items.reserve(pairs);
    for (std::size_t i = 0; i < pairs; ++i) {
        auto s = parse_double(c.arg(idx + 2 * i));
        if (!s) {
            c.out.error(errors::not_float);
            return;
        }
        items.emplace_back(std::string(c.arg(idx + 2 * i + 1)), *s);
    }
    const bool incr = has(flags, ZAddFlags::incr);
    const bool incr_minus_zero = incr && negative_zero(items.front().second);
    // Redis's encoding shows in a -0 score (a listpack stores it as 0) and, once a set was
    // converted to a skiplist, in later replies (see the file comment): follow Redis's
    // conversion element by element, and record where it ends.
    const ListpackLimits limits = listpack_limits(c);
    const std::string key = c.key(1);
    using Reply = ZAddReply<double>;
    auto r = c.db().zsets().backend().write(key, [&](auto& ref) -> Result<Reply> {
        const RedisZSet* cz = ref.peek();  // WRONGTYPE
        // Dry run on the unchanged set (as ZSetStore::add): until some pair changes it, each
        // pair's effect is independent of the others, so a ZADD that changes nothing neither
        // creates the key nor reports an event.
        Reply reply;
        bool changes = false;
        for (const auto& [m, s] : items) {
            std::optional<double> cur = cz ? cz->score(m) : std::nullopt;
            double target = s;
            const auto act = cachet::detail::zadd_decide(cur ? &*cur : nullptr, target, flags);
            if (act == cachet::detail::ZAddAction::nan) return Errc::overflow;
            if (act == cachet::detail::ZAddAction::insert || act == cachet::detail::ZAddAction::update) {
                changes = true;
                break;
            }
            if (incr) reply.score = act == cachet::detail::ZAddAction::unchanged ? std::optional(target) : std::nullopt;
        }
        if (!changes) return reply;
        // The encoding before: as recorded; for a new key, Redis's creation rule (a skiplist if
        // its first member is too long for a listpack, or listpacks are off).
        const bool was_listpack =
            cz ? listpack_encoded(*cz, limits)
               : limits.entries != 0 &&
                     static_cast<long long>(items.front().first.size()) <= limits.value;
        EncodingTracker enc{limits, was_listpack};
        RedisZSet& z = ref.create();
        reply = {};
        for (const auto& [m, s] : items) {
            // A listpack converts before an insert that would exceed a limit; once a skiplist,
            // nothing more to follow (no lookup).
            if (enc.listpack && !has(flags, ZAddFlags::xx) && !z.contains(m))
                enc.inserting(z.size(), m.size());
            auto one = z.add(m, enc.stored(s), flags);
            if (!one.has_value()) return one.error();  // unreachable: checked above
            reply.count += (*one).count;
            reply.score = (*one).score;
        }
        set_encoding(z, enc.listpack ? ZEncoding::listpack : ZEncoding::skiplist);
        ref.event(incr ? "zincr" : "zadd");
        return reply;
    });
    if (!r.has_value()) {
        c.out.error(err_nan);
        return;
    }
    if (!incr) {
        c.out.integer(static_cast<long long>((*r).count));
    } else if (!(*r).score) {
        c.out.null();
    } else {
        // Redis replies the score it computed, before its listpack turns a new member's -0
        // into 0 (an existing member's score x + -0 is x).
        double s = *(*r).score;
        if (incr_minus_zero && (*r).count == 1 && s == 0) s = -0.0;
        c.out.double_reply(s);
    }
}

// ---------------------------------------------------------------------- reads

template <Clock C>
void zscore(Ctx<C>& c) {
    auto s = c.db().zsets().score(c.key(1), c.key(2));
    if (s) c.out.double_reply(*s);
    else c.out.null();
}

template <Clock C>
void zmscore(Ctx<C>& c) {
    c.db().zsets().visit(c.key(1), [&](const RedisZSet* z) {
        c.out.array(c.argc() - 2);
        for (std::size_t i = 2; i < c.argc(); ++i) {
            std::optional<double> s;
            if (z) s = z->score(std::string(c.arg(i)));
            if (s) c.out.double_reply(*s);
            else c.out.null();
        }
    });
}

template <Clock C, bool Reverse>
void zrank(Ctx<C>& c) {
    auto& zsets = c.db().zsets();
    auto r = Reverse ? zsets.reverse_rank(c.key(1), c.key(2)) : zsets.rank(c.key(1), c.key(2));
    if (r) c.out.integer(static_cast<long long>(*r));
    else c.out.null();
}

template <Clock C>
void zcard(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.db().zsets().cardinality(c.key(1))));
}

template <Clock C>
void zcount(Ctx<C>& c) {
    auto range = parse_score_range(c.arg(2), c.arg(3));
    if (!range.has_value()) {
        c.out.error(err_score_range);
        return;
    }
    c.out.integer(static_cast<long long>(c.db().zsets().count(c.key(1), *range)));
}

template <Clock C>
void zlexcount(Ctx<C>& c) {
    auto range = parse_lex_range(c.arg(2), c.arg(3));
    if (!range.has_value()) {
        c.out.error(err_lex_range);
        return;
    }
    const ListpackLimits lim = listpack_limits(c);
    const std::size_t n = c.db().zsets().visit(c.key(1), [&](const RedisZSet* z) -> std::size_t {
        if (!z) return 0;
        return listpack_encoded(*z, lim) ? listpack_lex_count(*z, *range) : z->lex_count(*range);
    });
    c.out.integer(static_cast<long long>(n));
}

// ---------------------------------------------------------------------- ranges

enum class RangeType : std::uint8_t { automatic, rank, score, lex };
enum class Direction : std::uint8_t { automatic, forward, reverse };

/// What zrangeGenericCommand parsed.
struct RangeSpec {
    RangeType type = RangeType::rank;
    bool reverse = false;
    bool withscores = false;
    long long offset = 0, limit = -1;  ///< LIMIT (score and lex ranges)
    long long start = 0, end = 0;      ///< rank range
    ScoreRange<double> score;
    LexRange<std::string> lex;

    /// Calls `f(const Element&)` for the range of `z`, in reply order. `lim`: the listpack
    /// limits, for a lex range (whose answer depends on the encoding when scores differ).
    template <class F>
    void visit(const RedisZSet& z, const ListpackLimits& lim, F&& f) const {
        switch (type) {
            case RangeType::automatic:
            case RangeType::rank: z.visit_range_by_rank(start, end, reverse, f); break;
            case RangeType::score: z.visit_range_by_score(score, offset, limit, reverse, f); break;
            case RangeType::lex:
                if (listpack_encoded(z, lim)) listpack_lex_range(z, lex, offset, limit, reverse, f);
                else z.visit_range_by_lex(lex, offset, limit, reverse, f);
                break;
        }
    }
};

/// Redis's rank sanitizing: how many ranks [start, end] covers in a set of `len`.
inline std::size_t rank_range_length(std::size_t len, long long start, long long end) noexcept {
    const auto n = static_cast<long long>(len);
    if (start < 0) start += n;
    if (end < 0) end += n;
    if (start < 0) start = 0;
    if (start > end || start >= n) return 0;
    if (end >= n) end = n - 1;
    return static_cast<std::size_t>(end - start) + 1;
}

/// Parses the arguments after the source key argv[src] as Redis's zrangeGenericCommand does,
/// in its order: the options (WITHSCORES unless storing, LIMIT, and REV / BYSCORE / BYLEX when
/// the command leaves them open), their conflicts, then the range. Writes the error and
/// returns nullopt.
template <Clock C>
std::optional<RangeSpec> parse_range(Ctx<C>& c, std::size_t src, bool store, RangeType type,
                                     Direction dir) {
    RangeSpec r;
    for (std::size_t j = src + 3; j < c.argc(); ++j) {
        const std::string_view a = c.arg(j);
        const std::size_t left = c.argc() - j - 1;
        if (!store && iequals(a, "withscores")) {
            r.withscores = true;
        } else if (iequals(a, "limit") && left >= 2) {
            auto off = to_ll(c.arg(j + 1));
            auto cnt = off ? to_ll(c.arg(j + 2)) : std::nullopt;
            if (!off || !cnt) {
                c.out.error(errors::not_integer);
                return std::nullopt;
            }
            r.offset = *off;
            r.limit = *cnt;
            j += 2;
        } else if (dir == Direction::automatic && iequals(a, "rev")) {
            dir = Direction::reverse;
        } else if (type == RangeType::automatic && iequals(a, "bylex")) {
            type = RangeType::lex;
        } else if (type == RangeType::automatic && iequals(a, "byscore")) {
            type = RangeType::score;
        } else {
            c.out.error(errors::syntax);
            return std::nullopt;
        }
    }
    if (dir == Direction::automatic) dir = Direction::forward;
    if (type == RangeType::automatic) type = RangeType::rank;
    r.type = type;
    r.reverse = dir == Direction::reverse;
    // Redis checks `opt_limit != -1`: "LIMIT 5 -1" passes with a rank range (and is ignored).
    if (r.limit != -1 && type == RangeType::rank) {
        c.out.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        return std::nullopt;
    }
    if (r.withscores && type == RangeType::lex) {
        c.out.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return std::nullopt;
    }
    std::size_t min_i = src + 1, max_i = src + 2;
    if (r.reverse && type != RangeType::rank) std::swap(min_i, max_i);  // given as max, min
    switch (type) {
        case RangeType::automatic:
        case RangeType::rank: {
            auto a = to_ll(c.arg(min_i));
            auto b = a ? to_ll(c.arg(max_i)) : std::nullopt;
            if (!a || !b) {
                c.out.error(errors::not_integer);
                return std::nullopt;
            }
            r.start = *a;
            r.end = *b;
            break;
        }
        case RangeType::score: {
            auto range = parse_score_range(c.arg(min_i), c.arg(max_i));
            if (!range.has_value()) {
                c.out.error(err_score_range);
                return std::nullopt;
            }
            r.score = *range;
            break;
        }
        case RangeType::lex: {
            auto range = parse_lex_range(c.arg(min_i), c.arg(max_i));
            if (!range.has_value()) {
                c.out.error(err_lex_range);
                return std::nullopt;
            }
            r.lex = std::move(*range);
            break;
        }
    }
    return r;
}

/// ZRANGE and the deprecated ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX,
/// ZREVRANGE (which fix the range type and direction).
template <Clock C, RangeType Type, Direction Dir>
void zrange(Ctx<C>& c) {
    auto r = parse_range(c, 1, false, Type, Dir);
    if (!r) return;
    ListpackLimits lim;
    if (r->type == RangeType::lex) lim = listpack_limits(c);
    c.db().zsets().visit(c.key(1), [&](const RedisZSet* z) {
        if (!z) {
            c.out.array(0);
            return;
        }
        std::vector<const Element*> items;
        r->visit(*z, lim, [&](const Element& e) { items.push_back(&e); });
        scored_header(c.out, items.size(), r->withscores);
        for (const Element* e : items) scored_element(c.out, e->first, e->second, r->withscores);
    });
}

/// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count].
template <Clock C>
void zrangestore(Ctx<C>& c) {
    auto r = parse_range(c, 2, true, RangeType::automatic, Direction::automatic);
    if (!r) return;
    const ListpackLimits lim = listpack_limits(c);
    const std::string keys[2] = {c.key(1), c.key(2)};
    const std::size_t n = c.db().zsets().backend().write_many(
        std::span<const std::string>(keys, 2), [&](auto& refs) -> std::size_t {
            RedisZSet result;
            // Redis creates the result for the length of a rank range (zsetTypeCreate: a
            // skiplist if it exceeds zset-max-listpack-entries), else as a listpack, then
            // converts it element by element.
            EncodingTracker enc{lim};
            if (const RedisZSet* z = refs[1].read()) {  // WRONGTYPE before anything changes
                if (r->type == RangeType::rank)
                    enc.listpack = static_cast<long long>(rank_range_length(z->size(), r->start, r->end)) <= lim.entries;
                r->visit(*z, lim, [&](const Element& e) {
                    enc.inserting(result.size(), e.first.size());
                    result.add(e.first, enc.stored(e.second));
                });
            }
            set_encoding(result, enc.listpack ? ZEncoding::listpack : ZEncoding::skiplist);
            return refs[0].store(std::move(result), "zrangestore");
        });
    c.out.integer(static_cast<long long>(n));
}

// ---------------------------------------------------------------------- removal

template <Clock C>
void zrem(Ctx<C>& c) {
    std::vector<std::string> members;
    members.reserve(c.argc() - 2);
    for (std::size_t i = 2; i < c.argc(); ++i) members.emplace_back(c.arg(i));
    c.out.integer(static_cast<long long>(
        c.db().zsets().remove(c.key(1), std::span<const std::string>(members))));
}

template <Clock C>
void zremrangebyrank(Ctx<C>& c) {
    auto a = to_ll(c.arg(2));
    auto b = a ? to_ll(c.arg(3)) : std::nullopt;
    if (!a || !b) {
        c.out.error(errors::not_integer);
        return;
    }
    c.out.integer(static_cast<long long>(c.db().zsets().remove_range_by_rank(c.key(1), *a, *b)));
}

template <Clock C>
void zremrangebyscore(Ctx<C>& c) {
    auto range = parse_score_range(c.arg(2), c.arg(3));
    if (!range.has_value()) {
        c.out.error(err_score_range);
        return;
    }
    c.out.integer(static_cast<long long>(c.db().zsets().remove_range_by_score(c.key(1), *range)));
}

template <Clock C>
void zremrangebylex(Ctx<C>& c) {
    auto range = parse_lex_range(c.arg(2), c.arg(3));
    if (!range.has_value()) {
        c.out.error(err_lex_range);
        return;
    }
    const ListpackLimits lim = listpack_limits(c);
    const std::size_t n = c.db().zsets().backend().write(c.key(1), [&](auto& ref) -> std::size_t {
        const RedisZSet* cz = ref.peek();
        if (!cz) return 0;
        if (!listpack_encoded(*cz, lim)) {
            if (cz->lex_count(*range) == 0) return 0;
            const std::size_t removed = ref.get()->remove_range_by_lex(*range);
            ref.event("zremrangebylex");
            return removed;
        }
        // zzlDeleteRangeByLex: from the listpack's start, while within the maximum.
        std::vector<std::string> doomed;
        listpack_lex_range(*cz, *range, 0, -1, false, [&](const Element& e) { doomed.push_back(e.first); });
        if (doomed.empty()) return 0;
        RedisZSet& z = *ref.get();
        for (const auto& m : doomed) z.remove(m);
        ref.event("zremrangebylex");
        return doomed.size();
    });
    c.out.integer(static_cast<long long>(n));
}

// ---------------------------------------------------------------------- pops

/// ZPOPMIN / ZPOPMAX key [count].
template <Clock C, ZEnd End>
void zpop(Ctx<C>& c) {
    if (c.argc() > 3) {
        c.out.error(errors::syntax);
        return;
    }
    long long count = -1;  // -1: no count given
    if (c.argc() == 3) {
        auto n = to_ll(c.arg(2));
        if (!n || *n < 0) {
            c.out.error(err_not_positive);
            return;
        }
        count = *n;
    }
    auto& zsets = c.db().zsets();
    const std::string key = c.key(1);
    std::vector<Element> got;
    if (count == 0) {  // WRONGTYPE before the empty reply; not a read lookup (Redis's is for writing)
        c.db().peek(key, [](const Value* v) {
            if (v && v->type() != ValueType::zset) throw WrongTypeError();
        });
    }
    else if (End == ZEnd::min) got = zsets.pop_min(key, static_cast<std::size_t>(count < 0 ? 1 : count));
    else got = zsets.pop_max(key, static_cast<std::size_t>(count < 0 ? 1 : count));
    const bool nested = c.out.resp3() && count != -1;
    c.out.array(nested ? got.size() : 2 * got.size());
    for (const auto& [m, s] : got) {
        if (nested) c.out.array(2);
        c.out.bulk(m);
        c.out.double_reply(s);
    }
}

/// ZMPOP's / BZMPOP's arguments from argv[numkeys_idx]: numkeys, the keys, MIN|MAX, COUNT.
struct MPopArgs {
    std::vector<std::string> keys;
    ZEnd end = ZEnd::min;
    std::size_t count = 1;
};

template <Clock C>
std::optional<MPopArgs> parse_mpop(Ctx<C>& c, std::size_t numkeys_idx) {
    auto numkeys = parse_positive(c.arg(numkeys_idx));
    if (!numkeys) {
        c.out.error(err_numkeys);
        return std::nullopt;
    }
    // where_idx = numkeys_idx + numkeys + 1 must be an argument.
    if (static_cast<unsigned long long>(*numkeys) >= c.argc() - numkeys_idx - 1) {
        c.out.error(errors::syntax);
        return std::nullopt;
    }
    MPopArgs a;
    const std::size_t where = numkeys_idx + static_cast<std::size_t>(*numkeys) + 1;
    if (iequals(c.arg(where), "min")) a.end = ZEnd::min;
    else if (iequals(c.arg(where), "max")) a.end = ZEnd::max;
    else {
        c.out.error(errors::syntax);
        return std::nullopt;
    }
    bool count_given = false;
    for (std::size_t j = where + 1; j < c.argc(); ++j) {
        if (!count_given && iequals(c.arg(j), "count") && j + 1 < c.argc()) {
            auto n = parse_positive(c.arg(++j));
            if (!n) {
                c.out.error(err_count);
                return std::nullopt;
            }
            a.count = static_cast<std::size_t>(*n);
            count_given = true;
        } else {
            c.out.error(errors::syntax);
            return std::nullopt;
        }
    }
    a.keys.reserve(static_cast<std::size_t>(*numkeys));
    for (std::size_t i = numkeys_idx + 1; i < where; ++i) a.keys.emplace_back(c.arg(i));
    return a;
}

template <Clock C>
void zmpop(Ctx<C>& c) {
    auto a = parse_mpop(c, 1);
    if (!a) return;
    auto got = c.db().zsets().pop(std::span<const std::string>(a->keys), a->end, a->count);
    if (!got) c.out.null_array();
    else write_key_and_elements(c.out, got->first, got->second);
}

// ---------------------------------------------------------------------- blocking pops

/// A client blocked in BZPOPMIN / BZPOPMAX (`count` 0: one element, replied [key, member,
/// score]) or BZMPOP (up to `count`, replied [key, [[member, score] ...]]). Registered in the
/// database's sorted-set wait registry and owned by the session (see the file comment).
template <Clock C>
class BlockedZPop final
    : public blocking::BlockedClient<C, RedisZSet, typename RedisDb<C>::zset_registry> {
    using Base = blocking::BlockedClient<C, RedisZSet, typename RedisDb<C>::zset_registry>;

public:
    BlockedZPop(Session<C>& session, RedisDb<C>& db, ZEnd end, std::size_t count)
        : Base(session, db.zset_waiters()), m_db(db), m_end(end), m_count(count) {}

    /// Under the producer's locks: pops what this client wants. Never throws (an allocation
    /// failure becomes an error reply, with nothing popped).
    void take(const std::string& key, RedisZSet& z) noexcept override {
        try {
            m_key = key;  // first: if this throws, nothing was popped
            if (m_count == 0) m_many.push_back(m_end == ZEnd::min ? *z.pop_min() : *z.pop_max());
            else m_many = m_end == ZEnd::min ? z.pop_min(m_count) : z.pop_max(m_count);
        } catch (...) {
            this->m_failed = true;
        }
    }

    /// Redis replies to a timed-out BZPOPMIN / BZPOPMAX / BZMPOP with a null array.
    void timeout_reply(ReplyWriter& w) override { w.null_array(); }

private:
    void write_reply(ReplyWriter& w) override {
        auto& database = this->m_session.engine().database();
        const int db_index = m_db.index();
        // The producer's write may have created and emptied the key in one access: WATCH must
        // see the key modified by the pop too, so touch it here (not in `take`, under the shard
        // lock).
        database.touch(db_index, m_key);
        this->announce_pop(db_index, m_key, m_end == ZEnd::min ? "zpopmin" : "zpopmax");
        this->replicate_pop(db_index, {m_end == ZEnd::min ? "ZPOPMIN" : "ZPOPMAX", m_key,
                                       std::to_string(m_many.size())});
        if (m_count == 0) {
            w.array(3);
            w.bulk(m_key);
            w.bulk(m_many.front().first);
            w.double_reply(m_many.front().second);
        } else {
            write_key_and_elements(w, m_key, m_many);
        }
    }

    RedisDb<C>& m_db;
    ZEnd m_end;
    std::size_t m_count;
    // Written by `take` (producer, under its locks), read by `finish` (same producer thread).
    std::string m_key;
    std::vector<Element> m_many;
};

/// Pops from the first of `keys` holding a sorted set, or blocks on all of them (see the file
/// comment). `count` 0: BZPOPMIN / BZPOPMAX; else BZMPOP's COUNT.
template <Clock C>
void blocking_pop(Ctx<C>& c, std::vector<std::string> keys, ZEnd end, std::size_t count,
                  long long timeout_ms) {
    using Blocked = BlockedZPop<C>;
    const bool may_block = !c.in_exec;  // inside EXEC: reply as a timeout would
    std::unique_ptr<Blocked> w;
    std::string got_key;
    std::vector<Element> got;
    const std::span<const std::string> ks(keys);
    const bool done = blocking::check_or_register(c.db().zsets().backend(), w, ks, [&](auto& refs) {
        for (std::size_t i = 0; i < ks.size(); ++i) {
            const RedisZSet* z = refs[i].peek();  // WRONGTYPE, in key order
            if (!z || z->empty()) continue;
            RedisZSet& zs = *refs[i].get();
            if (count == 0) got.push_back(end == ZEnd::min ? *zs.pop_min() : *zs.pop_max());
            else got = end == ZEnd::min ? zs.pop_min(count) : zs.pop_max(count);
            refs[i].event(end == ZEnd::min ? "zpopmin" : "zpopmax");
            got_key = ks[i];
            return true;
        }
        if (!may_block) return false;
        w = std::make_unique<Blocked>(c.session, c.db(), end, count);
        w->register_on(ks);
        return false;
    });
    if (done) {
        if (count == 0) {
            c.out.array(3);
            c.out.bulk(got_key);
            c.out.bulk(got.front().first);
            c.out.double_reply(got.front().second);
        } else {
            write_key_and_elements(c.out, got_key, got);
        }
        return;
    }
    if (!w) {
        c.out.null_array();
        return;
    }
    c.session.block(std::move(w), deadline_in(timeout_ms));
}

/// BZPOPMIN / BZPOPMAX key [key ...] timeout.
template <Clock C, ZEnd End>
void bzpop(Ctx<C>& c) {
    const auto timeout = parse_timeout_ms(c.out, c.arg(c.argc() - 1));
    if (!timeout) return;
    std::vector<std::string> keys;
    keys.reserve(c.argc() - 2);
    for (std::size_t i = 1; i + 1 < c.argc(); ++i) keys.emplace_back(c.arg(i));
    blocking_pop(c, std::move(keys), End, 0, *timeout);
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the timeout is checked after
/// the other arguments, as in Redis.
template <Clock C>
void bzmpop(Ctx<C>& c) {
    auto a = parse_mpop(c, 2);
    if (!a) return;
    const auto timeout = parse_timeout_ms(c.out, c.arg(1));
    if (!timeout) return;
    blocking_pop(c, std::move(a->keys), a->end, a->count, *timeout);
}

// ---------------------------------------------------------------------- ZRANDMEMBER

template <Clock C>
void zrandmember(Ctx<C>& c) {
    auto& zsets = c.db().zsets();
    if (c.argc() == 2) {
        auto e = zsets.random_member(c.key(1));
        if (e) c.out.bulk(e->first);
        else c.out.null();
        return;
    }
    auto count = cmd::parse_random_count(c, c.arg(2));
    if (!count) return;
    if (c.argc() > 4 || (c.argc() == 4 && !iequals(c.arg(3), "withscores"))) {
        c.out.error(errors::syntax);
        return;
    }
    const bool withscores = c.argc() == 4;
    if (withscores && (*count > LLONG_MAX / 2 || *count < -(LLONG_MAX / 2))) {
        c.out.error("ERR value is out of range");  // the reply's length would overflow
        return;
    }
    const auto limit = static_cast<std::size_t>(c.engine.limits().max_bulk_len);
    bool fits = true;
    zsets.visit(c.key(1), [&](const RedisZSet* z) {
        if (!z || *count == 0) {
            c.out.array(0);
            return;
        }
        if (*count < 0) {  // -count independent draws, repeats possible
            const unsigned long long n = 0ULL - static_cast<unsigned long long>(*count);
            fits = cmd::write_repeated(
                c, n, limit, [&] { scored_header(c.out, static_cast<std::size_t>(n), withscores); },
                [&] {
                    const Element& e = *z->random_member();
                    scored_element(c.out, e.first, e.second, withscores);
                });
            return;
        }
        const auto want = static_cast<unsigned long long>(*count);
        if (want >= z->size()) {  // the whole set, as Redis walks it: from the highest
            scored_header(c.out, z->size(), withscores);
            for (auto it = z->rbegin(); it != z->rend(); ++it)
                scored_element(c.out, it->first, it->second, withscores);
            return;
        }
        const auto picked = z->random_members(*count);
        scored_header(c.out, picked.size(), withscores);
        for (const auto& [m, s] : picked) scored_element(c.out, m, s, withscores);
    });
    if (!fits) c.out.error("ERR out of memory");
}

// ---------------------------------------------------------------------- set algebra

enum class SetOp : std::uint8_t { unite, inter, diff };

/// ZUNION / ZINTER / ZDIFF (`Store` false), their *STORE forms (true), and ZINTERCARD
/// (`Card`): zunionInterDiffGenericCommand, with its order of checks: numkeys, the type of
/// every source key, then the options.
template <Clock C, SetOp Op, bool Store, bool Card = false>
void zsetop(Ctx<C>& c) {
    const std::size_t numkeys_idx = Store ? 2 : 1;
    auto numkeys = to_ll(c.arg(numkeys_idx));
    if (!numkeys) {
        c.out.error(errors::not_integer);
        return;
    }
    if (*numkeys < 1) {
        c.out.error("ERR at least 1 input key is needed for '" + lower(c.arg(0)) + "' command");
        return;
    }
    if (static_cast<unsigned long long>(*numkeys) > c.argc() - numkeys_idx - 1) {
        c.out.error(errors::syntax);
        return;
    }
    const auto n = static_cast<std::size_t>(*numkeys);
    // The options, whose errors are replied only after the keys' types were checked.
    std::string opt_error;
    std::vector<double> weights(n, 1.0);
    ZAggregate how = ZAggregate::sum;
    bool withscores = false;
    long long limit = 0;
    std::size_t j = numkeys_idx + 1 + n;
    std::size_t remaining = c.argc() - j;
    while (remaining && opt_error.empty()) {
        const std::string_view a = c.arg(j);
        if (Op != SetOp::diff && !Card && remaining >= n + 1 && iequals(a, "weights")) {
            ++j;
            --remaining;
            for (std::size_t i = 0; i < n; ++i, ++j, --remaining) {
                auto w = parse_double(c.arg(j));
                if (!w) {
                    opt_error = "ERR weight value is not a float";
                    break;
                }
                weights[i] = *w;
            }
        } else if (Op != SetOp::diff && !Card && remaining >= 2 && iequals(a, "aggregate")) {
            const std::string_view v = c.arg(j + 1);
            if (iequals(v, "sum")) how = ZAggregate::sum;
            else if (iequals(v, "min")) how = ZAggregate::min;
            else if (iequals(v, "max")) how = ZAggregate::max;
            else opt_error = errors::syntax;
            j += 2;
            remaining -= 2;
        } else if (!Store && !Card && iequals(a, "withscores")) {
            ++j;
            --remaining;
            withscores = true;
        } else if (Card && remaining >= 2 && iequals(a, "limit")) {
            auto l = to_ll(c.arg(j + 1));
            if (!l || *l < 0) opt_error = "ERR LIMIT can't be negative";
            else limit = *l;
            j += 2;
            remaining -= 2;
        } else {
            opt_error = errors::syntax;
        }
    }

    ListpackLimits lim;
    if constexpr (Store) lim = listpack_limits(c);
    std::vector<std::string> lock_keys;
    lock_keys.reserve(n + (Store ? 1 : 0));
    if (Store) lock_keys.emplace_back(c.arg(1));
    for (std::size_t i = 0; i < n; ++i) lock_keys.emplace_back(c.arg(numkeys_idx + 1 + i));

    struct Outcome {
        bool failed = false;  // an option error, replied after the type checks
        std::size_t size = 0;
        RedisZSet result;
    };
    Outcome out = with_refs(c.db().zsets().backend(), std::span<const std::string>(lock_keys),
                            [&](auto& refs) {
        Outcome o;
        const std::size_t base = Store ? 1 : 0;
        std::vector<const RedisZSet*> sets(n, nullptr);
        std::vector<RedisZSet> converted;  // plain SETs as sorted sets, every score 1
        converted.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            auto& ref = refs[base + i];
            ref.slot().count_lookup();  // Redis's lookupKeyRead, source by source
            if (!ref.exists()) continue;
            const Value& v = ref.slot().cvalue();
            if (const RedisZSet* z = v.template get_if<RedisZSet>()) {
                sets[i] = z;
            } else if (const RedisSet* s = v.template get_if<RedisSet>()) {
                RedisZSet& as_zset = converted.emplace_back();
                s->for_each([&](const std::string& m) { as_zset.add(m, 1.0); });
                sets[i] = &as_zset;
            } else {
                throw WrongTypeError();
            }
        }
        if (!opt_error.empty()) {
            o.failed = true;
            return o;
        }
        const std::span<const RedisZSet* const> srcs(sets);
        const std::span<const double> ws(weights);
        if constexpr (Card) {
            o.size = intersection_size(srcs, static_cast<std::size_t>(limit));
            return o;
        } else {
            if constexpr (Op == SetOp::unite) o.result = union_of(srcs, ws, how);
            else if constexpr (Op == SetOp::inter) o.result = intersection_of(srcs, ws, how);
            else o.result = difference_of(srcs);
            if constexpr (Store) {
                as_stored(o.result, lim);
                constexpr std::string_view event = Op == SetOp::unite   ? "zunionstore"
                                                   : Op == SetOp::inter ? "zinterstore"
                                                                        : "zdiffstore";
                o.size = refs[0].store(std::move(o.result), event);
            }
            return o;
        }
    });
    if (out.failed) {
        c.out.error(opt_error);
        return;
    }
    if constexpr (Card || Store) {
        c.out.integer(static_cast<long long>(out.size));
    } else {
        scored_header(c.out, out.result.size(), withscores);
        for (const auto& [m, s] : out.result) scored_element(c.out, m, s, withscores);
    }
}

// ---------------------------------------------------------------------- ZSCAN

template <Clock C>
void zscan(Ctx<C>& c) {
    auto cursor = cmd::parse_element_cursor(c.arg(2));
    if (!cursor) {
        c.out.error("ERR invalid cursor");
        return;
    }
    const ListpackLimits lim = listpack_limits(c);
    c.db().zsets().visit(c.key(1), [&](const RedisZSet* z) {
        if (!z) {  // Redis's shared.emptyscan, before the options are looked at
            c.out.array(2);
            c.out.bulk("0");
            c.out.array(0);
            return;
        }
        cmd::ElementScanOptions o;
        if (!cmd::parse_element_scan_options(c, o)) return;
        std::vector<const Element*> hits;
        std::uint64_t next = 0;
        const bool listpack = listpack_encoded(*z, lim);
        if (listpack) {  // Redis replies a listpack whole, in its (score) order, cursor 0
            for (const Element& e : *z)
                if (cmd::scan_matches(o, e.first)) hits.push_back(&e);
        } else {
            next = cmd::scan_steps(*z, *cursor, o.count, [&](const Element& e) {
                if (cmd::scan_matches(o, e.first)) hits.push_back(&e);
            });
        }
        c.out.array(2);
        c.out.bulk_integer(static_cast<long long>(next));
        c.out.array(2 * hits.size());
        for (const Element* e : hits) {
            c.out.bulk(e->first);
            long long ll;
            if (listpack && double2ll(e->second, ll)) c.out.bulk_integer(ll);  // stored as an integer
            else c.out.bulk_double(e->second);
        }
    });
}

}  // namespace zsetcmd

template <Clock C>
void register_zset_commands(CommandTable<C>& t) {
    using namespace zsetcmd;
    const std::string g = "sorted-set";
    const std::vector<std::string> wf = {"write", "sortedset", "fast"}, ws = {"write", "sortedset", "slow"},
                                   rf = {"read", "sortedset", "fast"}, rs = {"read", "sortedset", "slow"};
    const std::uint32_t w = cmd_write, ro = cmd_readonly;
    add_command<C>(t, "zadd", -4, w | cmd_denyoom | cmd_fast, 1, 1, 1, &zadd<C, false>, g, "Add one or more members to a sorted set, or update its score if it already exists", "1.2.0", wf);
    add_command<C>(t, "zincrby", 4, w | cmd_denyoom | cmd_fast, 1, 1, 1, &zadd<C, true>, g, "Increment the score of a member in a sorted set", "1.2.0", wf);
    add_command<C>(t, "zscore", 3, ro | cmd_fast, 1, 1, 1, &zscore<C>, g, "Get the score associated with the given member in a sorted set", "1.2.0", rf);
    add_command<C>(t, "zmscore", -3, ro | cmd_fast, 1, 1, 1, &zmscore<C>, g, "Get the score associated with the given members in a sorted set", "6.2.0", rf);
    add_command<C>(t, "zrank", 3, ro | cmd_fast, 1, 1, 1, &zrank<C, false>, g, "Determine the index of a member in a sorted set", "2.0.0", rf);
    add_command<C>(t, "zrevrank", 3, ro | cmd_fast, 1, 1, 1, &zrank<C, true>, g, "Determine the index of a member in a sorted set, with scores ordered from high to low", "2.0.0", rf);
    add_command<C>(t, "zrange", -4, ro, 1, 1, 1, &zrange<C, RangeType::automatic, Direction::automatic>, g, "Return a range of members in a sorted set", "1.2.0", rs);
    add_command<C>(t, "zrangestore", -5, w | cmd_denyoom, 1, 2, 1, &zrangestore<C>, g, "Store a range of members from sorted set into another key", "6.2.0", ws);
    add_command<C>(t, "zrangebyscore", -4, ro, 1, 1, 1, &zrange<C, RangeType::score, Direction::forward>, g, "Return a range of members in a sorted set, by score", "1.0.5", rs);
    add_command<C>(t, "zrevrangebyscore", -4, ro, 1, 1, 1, &zrange<C, RangeType::score, Direction::reverse>, g, "Return a range of members in a sorted set, by score, with scores ordered from high to low", "2.2.0", rs);
    add_command<C>(t, "zrangebylex", -4, ro, 1, 1, 1, &zrange<C, RangeType::lex, Direction::forward>, g, "Return a range of members in a sorted set, by lexicographical range", "2.8.9", rs);
    add_command<C>(t, "zrevrangebylex", -4, ro, 1, 1, 1, &zrange<C, RangeType::lex, Direction::reverse>, g, "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", "2.8.9", rs);
    add_command<C>(t, "zrevrange", -4, ro, 1, 1, 1, &zrange<C, RangeType::rank, Direction::reverse>, g, "Return a range of members in a sorted set, by index, with scores ordered from high to low", "1.2.0", rs);
    add_command<C>(t, "zcard", 2, ro | cmd_fast, 1, 1, 1, &zcard<C>, g, "Get the number of members in a sorted set", "1.2.0", rf);
    add_command<C>(t, "zcount", 4, ro | cmd_fast, 1, 1, 1, &zcount<C>, g, "Count the members in a sorted set with scores within the given values", "2.0.0", rf);
    add_command<C>(t, "zlexcount", 4, ro | cmd_fast, 1, 1, 1, &zlexcount<C>, g, "Count the number of members in a sorted set between a given lexicographical range", "2.8.9", rf);
    add_command<C>(t, "zrem", -3, w | cmd_fast, 1, 1, 1, &zrem<C>, g, "Remove one or more members from a sorted set", "1.2.0", wf);
    add_command<C>(t, "zremrangebyrank", 4, w, 1, 1, 1, &zremrangebyrank<C>, g, "Remove all members in a sorted set within the given indexes", "2.0.0", ws);
    add_command<C>(t, "zremrangebyscore", 4, w, 1, 1, 1, &zremrangebyscore<C>, g, "Remove all members in a sorted set within the given scores", "1.2.0", ws);
    add_command<C>(t, "zremrangebylex", 4, w, 1, 1, 1, &zremrangebylex<C>, g, "Remove all members in a sorted set between the given lexicographical range", "2.8.9", ws);
    add_command<C>(t, "zpopmin", -2, w | cmd_fast, 1, 1, 1, &zpop<C, ZEnd::min>, g, "Remove and return members with the lowest scores in a sorted set", "5.0.0", wf);
    add_command<C>(t, "zpopmax", -2, w | cmd_fast, 1, 1, 1, &zpop<C, ZEnd::max>, g, "Remove and return members with the highest scores in a sorted set", "5.0.0", wf);
    add_command<C>(t, "zmpop", -4, w, 0, 0, 0, &zmpop<C>, g, "Remove and return members with scores in a sorted set", "7.0.0", ws);
    add_command<C>(t, "bzpopmin", -3, w | cmd_noscript | cmd_blocking | cmd_fast, 1, -2, 1, &bzpop<C, ZEnd::min>, g, "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "5.0.0", {"write", "sortedset", "fast", "blocking"});
    add_command<C>(t, "bzpopmax", -3, w | cmd_noscript | cmd_blocking | cmd_fast, 1, -2, 1, &bzpop<C, ZEnd::max>, g, "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "5.0.0", {"write", "sortedset", "fast", "blocking"});
    add_command<C>(t, "bzmpop", -5, w | cmd_blocking, 0, 0, 0, &bzmpop<C>, g, "Remove and return members with scores in a sorted set or block until one is available", "7.0.0", {"write", "sortedset", "slow", "blocking"});
    add_command<C>(t, "zrandmember", -2, ro, 1, 1, 1, &zrandmember<C>, g, "Get one or multiple random elements from a sorted set", "6.2.0", rs);
    add_command<C>(t, "zunionstore", -4, w | cmd_denyoom, 1, 1, 1, &zsetop<C, SetOp::unite, true>, g, "Add multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", ws);
    add_command<C>(t, "zinterstore", -4, w | cmd_denyoom, 1, 1, 1, &zsetop<C, SetOp::inter, true>, g, "Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0", ws);
    add_command<C>(t, "zdiffstore", -4, w | cmd_denyoom, 1, 1, 1, &zsetop<C, SetOp::diff, true>, g, "Subtract multiple sorted sets and store the resulting sorted set in a new key", "6.2.0", ws);
    add_command<C>(t, "zunion", -3, ro, 0, 0, 0, &zsetop<C, SetOp::unite, false>, g, "Add multiple sorted sets", "6.2.0", rs);
    add_command<C>(t, "zinter", -3, ro, 0, 0, 0, &zsetop<C, SetOp::inter, false>, g, "Intersect multiple sorted sets", "6.2.0", rs);
    add_command<C>(t, "zdiff", -3, ro, 0, 0, 0, &zsetop<C, SetOp::diff, false>, g, "Subtract multiple sorted sets", "6.2.0", rs);
    add_command<C>(t, "zintercard", -3, ro, 0, 0, 0, &zsetop<C, SetOp::inter, false, true>, g, "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0", rs);
    add_command<C>(t, "zscan", -3, ro, 1, 1, 1, &zscan<C>, g, "Incrementally iterate sorted sets elements and associated scores", "2.8.0", rs);
}

}  // namespace resp
CACHET_NAMESPACE_END

// OBJECT reads the encodings above: included here, after them, whichever header came first.
#include <cachet/resp/commands/object.hpp>

#endif  // CACHET_RESP_COMMANDS_ZSETS_HPP
