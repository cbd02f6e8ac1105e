#ifndef CACHET_RESP_COMMANDS_GEO_HPP
#define CACHET_RESP_COMMANDS_GEO_HPP

/// Geospatial commands over sorted sets (Redis's geo.c): GEOADD (NX, XX, CH), GEOPOS,
/// GEODIST, GEOHASH, GEOSEARCH, GEOSEARCHSTORE (FROMMEMBER / FROMLONLAT, BYRADIUS / BYBOX,
/// ASC / DESC, COUNT [ANY], WITHCOORD, WITHDIST, WITHHASH, STOREDIST) and the deprecated
/// GEORADIUS, GEORADIUSBYMEMBER (with STORE / STOREDIST) and their _RO forms. A position is
/// stored as its member's score, the 52-bit geohash of detail/geohash.hpp, so a geo index is
/// an ordinary sorted set (ZRANGE, ZREM, DUMP, replication all apply). Replies, error texts
/// and the order of the checks as redis-server 7.0.15's, in RESP2 and RESP3: coordinates are
/// Redis's "human" long doubles (RESP3 doubles), distances bulk strings with 4 decimals in
/// the query's unit, hashes integers; units m, km, ft, mi in any case.
///
/// GEOADD is ZADD with scores computed from the coordinates (every pair is checked before
/// anything is written; keyspace event "zadd"; replicated as that ZADD, as Redis does). A
/// search visits the score ranges of up to 9 geohash cells around the centre (O(N + log M)
/// for N members in those cells of M) and keeps the members inside the circle or box; the
/// results come in index order unless ASC / DESC (COUNT without ANY sorts ascending); COUNT
/// ANY stops at the first COUNT matches. A *STORE destination gets the results' geohash
/// scores, or with STOREDIST their distances in the query's unit, is replaced whatever it
/// held (no TTL; events "georadiusstore" / "geosearchstore"), and is deleted by an empty
/// result. Each command runs under the shard locks of its keys, so it is atomic; GEORADIUS and
/// GEORADIUSBYMEMBER, whose destination is known only once their arguments are parsed, parse
/// them once under the source's lock and, given STORE, run again under both keys' locks.

#include <cachet/detail/geohash.hpp>
#include <cachet/geo.hpp>
#include <cachet/resp/commands/zsets.hpp>
#include <cachet/resp/engine.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace geocmd {

namespace geo = cachet::detail::geo;
using zsetcmd::parse_double;

/// Which command georadius_generic runs (Redis's flags).
enum Flags : unsigned {
    by_coords = 1u << 0,     ///< GEORADIUS[_RO]: lon lat radius unit
    by_member = 1u << 1,     ///< GEORADIUSBYMEMBER[_RO]: member radius unit
    no_store = 1u << 2,      ///< the _RO forms and GEOSEARCH: no STORE / STOREDIST
    search = 1u << 3,        ///< GEOSEARCH[STORE]: FROM... BY... options
    search_store = 1u << 4,  ///< GEOSEARCHSTORE dst src: STOREDIST without a key
};

using Point = cachet::geo::Match<std::string>;

/// A parsed search.
struct Query {
    geo::Shape shape;
    bool withdist = false, withhash = false, withcoord = false, any = false;
    cachet::geo::Order order = cachet::geo::Order::found;  ///< ASC / DESC
    long long count = 0;  ///< 0: no limit
    std::optional<std::string> store;
    bool storedist = false;
};

/// Metres per `unit` (m, km, ft, mi, any case), or 0 if unknown.
[[nodiscard]] inline double unit_meters(std::string_view unit) noexcept {
    if (iequals(unit, "m")) return 1;
    if (iequals(unit, "km")) return 1000;
    if (iequals(unit, "ft")) return 0.3048;
    if (iequals(unit, "mi")) return 1609.34;
    return 0;
}

/// Redis's extractLongLatOrReply: two floats, then the GEO limits. Writes the error.
template <Clock C>
bool parse_lonlat(Ctx<C>& c, std::size_t at, double& lon, double& lat) {
    const auto x = parse_double(c.arg(at));
    const auto y = x ? parse_double(c.arg(at + 1)) : std::nullopt;
    if (!x || !y) {
        c.out.error(errors::not_float);
        return false;
    }
    lon = *x;
    lat = *y;
    if (lon < geo::lon_min || lon > geo::lon_max || lat < geo::lat_min || lat > geo::lat_max) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "ERR invalid longitude,latitude pair %f,%f", lon, lat);
        c.out.error(buf);
        return false;
    }
    return true;
}

template <Clock C>
bool parse_unit(Ctx<C>& c, std::size_t at, geo::Shape& s) {
    s.to_meters = unit_meters(c.arg(at));
    if (s.to_meters == 0) c.out.error("ERR unsupported unit provided. please use M, KM, FT, MI");
    return s.to_meters != 0;
}

/// radius unit (extractDistanceOrReply).
template <Clock C>
bool parse_radius(Ctx<C>& c, std::size_t at, geo::Shape& s) {
    const auto r = parse_double(c.arg(at));
    if (!r) {
        c.out.error("ERR need numeric radius");
        return false;
    }
    if (*r < 0) {
        c.out.error("ERR radius cannot be negative");
        return false;
    }
    s.kind = geo::Shape::Kind::circle;
    s.radius = *r;
    return parse_unit(c, at + 1, s);
}

/// width height unit (extractBoxOrReply).
template <Clock C>
bool parse_box(Ctx<C>& c, std::size_t at, geo::Shape& s) {
    const auto w = parse_double(c.arg(at));
    if (!w) {
        c.out.error("ERR need numeric width");
        return false;
    }
    const auto h = parse_double(c.arg(at + 1));
    if (!h) {
        c.out.error("ERR need numeric height");
        return false;
    }
    if (*h < 0 || *w < 0) {
        c.out.error("ERR height or width cannot be negative");
        return false;
    }
    s.kind = geo::Shape::Kind::box;
    s.width = *w;
    s.height = *h;
    return parse_unit(c, at + 2, s);
}

/// The position of `member` in `z`; writes Redis's error if it has none.
template <Clock C>
bool member_position(Ctx<C>& c, const RedisZSet& z, std::string_view member, geo::Shape& s) {
    const auto score = z.score(std::string(member));
    if (!score) {
        c.out.error("ERR could not decode requested zset member");
        return false;
    }
    const auto [lon, lat] = geo::position_of(*score);
    s.lon = lon;
    s.lat = lat;
    return true;
}

/// Parses a search's arguments in Redis's order (georadiusGeneric), `z` being the source
/// (nullptr: absent), whose members FROMMEMBER / GEORADIUSBYMEMBER name. Returns false after
/// writing the error.
template <Clock C>
bool parse_query(Ctx<C>& c, unsigned flags, const RedisZSet* z, Query& q) {
    std::size_t base = 0;
    if (flags & by_coords) {
        base = 6;
        if (!parse_lonlat(c, 2, q.shape.lon, q.shape.lat) || !parse_radius(c, 4, q.shape)) return false;
    } else if (flags & by_member) {
        base = 5;
        // Without a source, Redis goes on to the options without reading the radius.
        if (z && (!member_position(c, *z, c.arg(2), q.shape) || !parse_radius(c, 3, q.shape)))
            return false;
    } else {
        base = 2;
        if (flags & search_store) {
            base = 3;
            q.store = c.key(1);
        }
    }
    bool frommember = false, fromlonlat = false, byradius = false, bybox = false;
    const std::size_t argc = c.argc();
    for (std::size_t i = base; i < argc; ++i) {
        const std::string_view a = c.arg(i);
        const std::size_t left = argc - i - 1;  // arguments after this one
        if (iequals(a, "withdist")) {
            q.withdist = true;
        } else if (iequals(a, "withhash")) {
            q.withhash = true;
        } else if (iequals(a, "withcoord")) {
            q.withcoord = true;
        } else if (iequals(a, "any")) {
            q.any = true;
        } else if (iequals(a, "asc")) {
            q.order = cachet::geo::Order::nearest;
        } else if (iequals(a, "desc")) {
            q.order = cachet::geo::Order::farthest;
        } else if (iequals(a, "count") && left >= 1) {
            const auto n = to_ll(c.arg(++i));
            if (!n) {
                c.out.error(errors::not_integer);
                return false;
            }
            if (*n <= 0) {
                c.out.error("ERR COUNT must be > 0");
                return false;
            }
            q.count = *n;
        } else if ((iequals(a, "store") || iequals(a, "storedist")) && left >= 1 &&
                   !(flags & (no_store | search))) {
            q.store = c.key(++i);
            q.storedist = iequals(a, "storedist");
        } else if (iequals(a, "storedist") && (flags & search) && (flags & search_store)) {
            q.storedist = true;
        } else if (iequals(a, "frommember") && left >= 1 && (flags & search) && !fromlonlat) {
            ++i;
            if (z && !member_position(c, *z, c.arg(i), q.shape)) return false;
            frommember = true;
        } else if (iequals(a, "fromlonlat") && left >= 2 && (flags & search) && !frommember) {
            if (!parse_lonlat(c, i + 1, q.shape.lon, q.shape.lat)) return false;
            fromlonlat = true;
            i += 2;
        } else if (iequals(a, "byradius") && left >= 2 && (flags & search) && !bybox) {
            if (!parse_radius(c, i + 1, q.shape)) return false;
            byradius = true;
            i += 2;
        } else if (iequals(a, "bybox") && left >= 3 && (flags & search) && !byradius) {
            if (!parse_box(c, i + 1, q.shape)) return false;
            bybox = true;
            i += 3;
        } else {
            c.out.error(errors::syntax);
            return false;
        }
    }
    if (q.store && (q.withdist || q.withhash || q.withcoord)) {
        c.out.error(std::string("ERR ") +
                    ((flags & search_store) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
                    " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
        return false;
    }
    if ((flags & search) && !frommember && !fromlonlat) {
        c.out.error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                    std::string(c.arg(0)));
        return false;
    }
    if ((flags & search) && !byradius && !bybox) {
        c.out.error("ERR exactly one of BYRADIUS and BYBOX can be specified for " +
                    std::string(c.arg(0)));
        return false;
    }
    if (q.any && q.count == 0) {
        c.out.error("ERR the ANY argument requires COUNT argument");
        return false;
    }
    return true;
}

/// The members of `z` inside the query's shape, as Redis finds them and orders them
/// (cachet::geo::search: COUNT without ASC / DESC or ANY takes the nearest).
inline std::vector<Point> find_points(const RedisZSet& z, const Query& q) {
    return cachet::geo::search(z, cachet::geo::Area(q.shape),
                               {q.order, static_cast<std::size_t>(q.count), q.any});
}

/// "%.4f" (addReplyDoubleDistance).
inline void distance_reply(ReplyWriter& out, double d) {
    char buf[128];
    const int n = std::snprintf(buf, sizeof buf, "%.4f", d);
    out.bulk(std::string_view(buf, static_cast<std::size_t>(n)));
}

/// The reply of a search without STORE.
template <Clock C>
void reply_points(Ctx<C>& c, const Query& q, const std::vector<Point>& pts) {
    const std::size_t options = (q.withdist ? 1 : 0) + (q.withhash ? 1 : 0) + (q.withcoord ? 1 : 0);
    c.out.array(pts.size());
    for (const Point& p : pts) {
        if (options) c.out.array(options + 1);
        c.out.bulk(p.member);
        if (q.withdist) distance_reply(c.out, p.distance);
        if (q.withhash) c.out.integer(static_cast<long long>(p.score));
        if (q.withcoord) {
            c.out.array(2);
            c.out.human_long_double(p.position.longitude);
            c.out.human_long_double(p.position.latitude);
        }
    }
}

/// The sorted set a *STORE writes: geohash scores, or distances in the query's unit.
inline RedisZSet stored_result(const Query& q, const std::vector<Point>& pts,
                               const zsetcmd::ListpackLimits& lim) {
    RedisZSet z;
    for (const Point& p : pts) z.add(p.member, q.storedist ? p.distance : p.score);
    zsetcmd::as_stored(z, lim);
    return z;
}

/// The search with STORE, under the locks of the destination and the source: parses again
/// (the source may have changed since a first parse) and replaces the destination.
template <Clock C>
void search_and_store(Ctx<C>& c, unsigned flags, std::size_t src, const std::string& dst) {
    const zsetcmd::ListpackLimits lim = zsetcmd::listpack_limits(c);
    const std::string keys[2] = {dst, c.key(src)};
    const std::string_view event = (flags & search) ? "geosearchstore" : "georadiusstore";
    const auto n = c.db().zsets().backend().write_many(
        std::span<const std::string>(keys, 2), [&](auto& refs) -> std::optional<std::size_t> {
            const RedisZSet* z = refs[1].read();  // counted; WRONGTYPE before anything changes
            Query q;
            if (!parse_query(c, flags, z, q)) return std::nullopt;
            std::vector<Point> pts;
            if (z) pts = find_points(*z, q);
            return refs[0].store(stored_result(q, pts, lim), event);
        });
    if (n) c.out.integer(static_cast<long long>(*n));
}

/// GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH and GEOSEARCHSTORE.
template <Clock C, unsigned Flags>
void georadius(Ctx<C>& c) {
    constexpr std::size_t src = (Flags & search_store) ? 2 : 1;
    if constexpr ((Flags & search_store) != 0) {
        search_and_store(c, Flags, src, c.key(1));
    } else if constexpr ((Flags & no_store) != 0) {
        c.db().zsets().visit(c.key(src), [&](const RedisZSet* z) {
            Query q;
            if (!parse_query(c, Flags, z, q)) return;
            reply_points(c, q, z ? find_points(*z, q) : std::vector<Point>{});
        });
    } else {
        // STORE may come anywhere among the options: parse under the source's lock first, not
        // counted as a lookup, which the pass that runs the search counts.
        std::optional<std::string> dst;
        bool found = false;
        try {
            c.db().peek(c.arg(src), [&](const Value* v) {
                found = v != nullptr;
                const RedisZSet* z = v ? cachet::detail::ValueTraits<RedisZSet>::as(*v) : nullptr;
                Query q;
                if (!parse_query(c, Flags, z, q)) return;
                if (q.store) {
                    dst = q.store;
                    return;
                }
                reply_points(c, q, z ? find_points(*z, q) : std::vector<Point>{});
            });
        } catch (...) {  // WRONGTYPE
            c.db().count_lookup(c.arg(src), found);
            throw;
        }
        if (!dst) {
            c.db().count_lookup(c.arg(src), found);
            c.session.propagate_as({});  // a write command that wrote nothing
            return;
        }
        search_and_store(c, Flags, src, *dst);
    }
}

// ---------------------------------------------------------------------- GEOADD

/// GEOADD key [NX | XX] [CH] lon lat member [lon lat member ...]: ZADD with the positions'
/// scores (each pair checked first), replicated as that ZADD.
template <Clock C>
void geoadd(Ctx<C>& c) {
    bool nx = false, xx = false;
    std::size_t first = 2;
    for (; first < c.argc(); ++first) {
        const std::string_view o = c.arg(first);
        if (iequals(o, "nx")) nx = true;
        else if (iequals(o, "xx")) xx = true;
        else if (!iequals(o, "ch")) break;
    }
    if ((c.argc() - first) % 3 != 0 || (nx && xx)) {
        c.out.error(errors::syntax);
        return;
    }
    const std::size_t n = (c.argc() - first) / 3;
    std::vector<std::string> scores(n);
    for (std::size_t i = 0; i < n; ++i) {
        double lon, lat;
        if (!parse_lonlat(c, first + 3 * i, lon, lat)) return;
        scores[i] = std::to_string(static_cast<std::uint64_t>(geo::position_score(lon, lat)));
    }
    std::vector<std::string_view> argv(c.argv.begin(), c.argv.begin() + static_cast<std::ptrdiff_t>(first));
    argv[0] = "zadd";
    for (std::size_t i = 0; i < n; ++i) {
        argv.push_back(scores[i]);
        argv.push_back(c.arg(first + 3 * i + 2));
    }
    c.session.propagate_as(std::vector<std::string>(argv.begin(), argv.end()));
    Ctx<C> z{c.engine, c.session, std::span<const std::string_view>(argv), c.out, c.in_exec};
    zsetcmd::zadd<C, false>(z);
}

// ---------------------------------------------------------------------- GEOPOS, GEOHASH, GEODIST

/// `found(score)` or `missing()` for each member named after the key, in a reply array.
template <Clock C, class Found, class Missing>
void each_member(Ctx<C>& c, Found found, Missing missing) {
    c.db().zsets().visit(c.key(1), [&](const RedisZSet* z) {
        c.out.array(c.argc() - 2);
        for (std::size_t i = 2; i < c.argc(); ++i) {
            const auto s = z ? z->score(std::string(c.arg(i))) : std::nullopt;
            if (s) found(*s);
            else missing();
        }
    });
}

/// GEOPOS key [member ...]: [lon, lat] per member, a null array for a missing one.
template <Clock C>
void geopos(Ctx<C>& c) {
    each_member(
        c,
        [&](double score) {
            const auto [lon, lat] = geo::position_of(score);
            c.out.array(2);
            c.out.human_long_double(lon);
            c.out.human_long_double(lat);
        },
        [&] { c.out.null_array(); });
}

/// GEOHASH key [member ...]: the standard 11-character geohash per member, null if missing.
template <Clock C>
void geohash(Ctx<C>& c) {
    each_member(
        c,
        [&](double score) {
            const auto h = geo::geohash_string(score);
            c.out.bulk(std::string_view(h.data(), h.size()));
        },
        [&] { c.out.null(); });
}

/// GEODIST key member1 member2 [unit]: null if either is missing.
template <Clock C>
void geodist(Ctx<C>& c) {
    double to_meters = 1;
    if (c.argc() == 5) {
        to_meters = unit_meters(c.arg(4));
        if (to_meters == 0) {
            c.out.error("ERR unsupported unit provided. please use M, KM, FT, MI");
            return;
        }
    } else if (c.argc() > 5) {
        c.out.error(errors::syntax);
        return;
    }
    c.db().zsets().visit(c.key(1), [&](const RedisZSet* z) {
        const auto s1 = z ? z->score(std::string(c.arg(2))) : std::nullopt;
        const auto s2 = s1 ? z->score(std::string(c.arg(3))) : std::nullopt;
        if (!s2) {
            c.out.null();
            return;
        }
        const auto [lon1, lat1] = geo::position_of(*s1);
        const auto [lon2, lat2] = geo::position_of(*s2);
        distance_reply(c.out, geo::distance(lon1, lat1, lon2, lat2) / to_meters);
    });
}

}  // namespace geocmd

template <Clock C>
void register_geo_commands(CommandTable<C>& t) {
    using namespace geocmd;
    const std::string g = "geo";
    const std::vector<std::string> ws = {"write", "geo", "slow"}, rs = {"read", "geo", "slow"};
    const std::uint32_t w = cmd_write | cmd_denyoom, ro = cmd_readonly;
    add_command<C>(t, "geoadd", -5, w, 1, 1, 1, &geoadd<C>, g, "Add one or more geospatial items in the geospatial index represented using a sorted set", "3.2.0", ws);
    add_command<C>(t, "geopos", -2, ro, 1, 1, 1, &geopos<C>, g, "Returns longitude and latitude of members of a geospatial index", "3.2.0", rs);
    add_command<C>(t, "geodist", -4, ro, 1, 1, 1, &geodist<C>, g, "Returns the distance between two members of a geospatial index", "3.2.0", rs);
    add_command<C>(t, "geohash", -2, ro, 1, 1, 1, &geohash<C>, g, "Returns members of a geospatial index as standard geohash strings", "3.2.0", rs);
    add_command<C>(t, "georadius", -6, w, 1, 1, 1, &georadius<C, by_coords>, g, "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", "3.2.0", ws);
    add_command<C>(t, "georadius_ro", -6, ro, 1, 1, 1, &georadius<C, by_coords | no_store>, g, "A read-only variant for GEORADIUS", "3.2.10", rs);
    add_command<C>(t, "georadiusbymember", -5, w, 1, 1, 1, &georadius<C, by_member>, g, "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", "3.2.0", ws);
    add_command<C>(t, "georadiusbymember_ro", -5, ro, 1, 1, 1, &georadius<C, by_member | no_store>, g, "A read-only variant for GEORADIUSBYMEMBER", "3.2.10", rs);
    add_command<C>(t, "geosearch", -7, ro, 1, 1, 1, &georadius<C, search | no_store>, g, "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", "6.2.0", rs);
    add_command<C>(t, "geosearchstore", -8, w, 1, 2, 1, &georadius<C, search | search_store>, g, "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", "6.2.0", ws);
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_GEO_HPP
