#ifndef CACHET_GEO_HPP
#define CACHET_GEO_HPP

/// Geospatial indexes on sorted sets, as Redis's GEO commands keep them: a member's score is
/// the 52-bit geohash of its position (`score_of`), so any `SortedSet<Member>` (or a key of a
/// `ZSetStore`, or a Database sorted set, which the RESP GEO commands use) is a geo index, and
/// `search` finds the members within a radius or a box of a point, as GEOSEARCH does.
///
///     cachet::ZSetStore<std::string, std::string> places;  // key -> sorted set of names
///     places.add("shops", "bakery", cachet::geo::score_of({2.3522, 48.8566}));
///     auto near = places.visit("shops", [](const auto* z) {
///         using namespace cachet::geo;
///         return z ? search(*z, Area::circle({2.35, 48.85}, 2000), {.order = Order::nearest})
///                  : std::vector<Match<std::string>>{};
///     });
///
/// Positions: longitudes -180..180, latitudes -85.05112878..85.05112878 (Web Mercator's
/// limits); a stored position is the centre of its cell, within ~0.6 m of what was given.
/// Distances are great-circle distances (haversine) on a sphere of radius 6372797.560856 m.
/// Results are bit-for-bit Redis 7.0's (see detail/geohash.hpp). Complexity of `search`:
/// O(N + log M) for the N members of the up to 9 cells it visits, in a set of M. Not
/// thread-safe on a bare `SortedSet` (run it inside `ZSetStore::visit`, under the key's lock).

#include <cachet/detail/config.hpp>
#include <cachet/detail/geohash.hpp>
#include <cachet/detail/partial_quicksort.hpp>
#include <cachet/sorted_set.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace geo {

struct Position {
    double longitude = 0;
    double latitude = 0;
};

/// True if `p` can be indexed.
[[nodiscard]] inline bool valid(Position p) noexcept {
    return p.longitude >= detail::geo::lon_min && p.longitude <= detail::geo::lon_max &&
           p.latitude >= detail::geo::lat_min && p.latitude <= detail::geo::lat_max;
}
/// The score a member at `p` is stored under (GEOADD). Throws `std::invalid_argument` if `p`
/// is not `valid`.
[[nodiscard]] inline double score_of(Position p) {
    if (!valid(p)) throw std::invalid_argument("cachet::geo: position out of range");
    return detail::geo::position_score(p.longitude, p.latitude);
}
/// The position a score stands for (GEOPOS).
[[nodiscard]] inline Position position_of(double score) noexcept {
    const auto [lon, lat] = detail::geo::position_of(score);
    return {lon, lat};
}
/// The great-circle distance between `a` and `b` in metres (GEODIST).
[[nodiscard]] inline double distance(Position a, Position b) noexcept {
    return detail::geo::distance(a.longitude, a.latitude, b.longitude, b.latitude);
}
/// The standard 11-character geohash of a score (GEOHASH).
[[nodiscard]] inline std::string geohash(double score) {
    const auto h = detail::geo::geohash_string(score);
    return std::string(h.data(), h.size());
}

/// Where to search: a circle or an axis-aligned box around a centre, its sizes in units of
/// `unit` metres (1: metres, 1000: km, 1609.34: miles, 0.3048: feet, as Redis's units; Redis
/// scales each size by the unit inside its formulas, so keeping the unit keeps the results
/// bit-for-bit equal to a query given in that unit).
class Area {
public:
    [[nodiscard]] static Area circle(Position centre, double radius, double unit = 1) {
        Area a(centre, unit);
        a.m_shape.kind = detail::geo::Shape::Kind::circle;
        a.m_shape.radius = check(radius);
        return a;
    }
    [[nodiscard]] static Area box(Position centre, double width, double height, double unit = 1) {
        Area a(centre, unit);
        a.m_shape.kind = detail::geo::Shape::Kind::box;
        a.m_shape.width = check(width);
        a.m_shape.height = check(height);
        return a;
    }
    /// An area as the RESP layer parsed it (already checked).
    explicit Area(const detail::geo::Shape& shape) noexcept : m_shape(shape) {}
    [[nodiscard]] const detail::geo::Shape& shape() const noexcept { return m_shape; }

private:
    Area(Position centre, double unit) {
        if (!valid(centre)) throw std::invalid_argument("cachet::geo: centre out of range");
        if (!(unit > 0)) throw std::invalid_argument("cachet::geo: unit must be positive");
        m_shape.lon = centre.longitude;
        m_shape.lat = centre.latitude;
        m_shape.to_meters = unit;
    }
    static double check(double size) {
        if (!(size >= 0)) throw std::invalid_argument("cachet::geo: sizes must not be negative");
        return size;
    }
    detail::geo::Shape m_shape;
};

/// The order of `search`'s results: as found (cell by cell, each in score order: Redis's order
/// without ASC / DESC), nearest first, or farthest first (equal distances as Redis orders
/// them: in the order found, or, when `count` keeps fewer than were found, as its partial
/// quicksort leaves them).
enum class Order { found, nearest, farthest };

struct SearchOptions {
    Order order = Order::found;
    /// At most this many results (0: all). Without `any`, the nearest `count` (Redis's COUNT
    /// sorts them nearest first unless `order` says otherwise).
    std::size_t count = 0;
    /// With `count`: stop at the first `count` found (Redis's COUNT n ANY), in `order`.
    bool any = false;
};

template <class Member>
struct Match {
    Member member;
    Position position;
    double distance;  ///< from the centre, in the area's unit
    double score;     ///< the member's score (its geohash)
};

/// The members of `z` inside `area` (GEOSEARCH). Allocates the result.
template <class Member, class Hash, class KeyEqual, class Compare>
[[nodiscard]] std::vector<Match<Member>> search(const SortedSet<Member, double, Hash, KeyEqual, Compare>& z,
                                                const Area& area, SearchOptions o = {}) {
    using Set = SortedSet<Member, double, Hash, KeyEqual, Compare>;
    const detail::geo::Shape& s = area.shape();
    Order order = o.order;
    if (o.count != 0 && order == Order::found && !o.any) order = Order::nearest;
    std::vector<Match<Member>> out;
    const auto cells = detail::geo::search_cells(s);
    const std::size_t limit = o.any ? o.count : 0;
    std::size_t last = 0;  // Redis compares with the last cell visited, if that was not the first
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (cells[i].none()) continue;
        if (last != 0 && cells[i] == cells[last]) continue;
        if (limit != 0 && out.size() >= limit) break;
        const auto [lo, hi] = detail::geo::cell_scores(cells[i]);
        const typename Set::score_range range{{lo, false}, {hi, true}};
        bool full = false;
        z.visit_range_by_score(range, 0, -1, false, [&](const typename Set::value_type& e) {
            if (full) return;
            const auto [lon, lat] = detail::geo::position_of(e.second);
            const double d = detail::geo::distance_if_within(s, lon, lat);
            if (d < 0) return;
            out.push_back({e.first, {lon, lat}, d, e.second});
            full = limit != 0 && out.size() >= limit;
        });
        last = i;
    }
    if (order != Order::found) {
        // Redis sorts all of them with the C library's qsort (glibc's is a stable merge sort),
        // or, when COUNT keeps fewer, only as far as the first COUNT with its partial quicksort,
        // which decides the order of equally distant members differently: follow each.
        const int sign = order == Order::nearest ? 1 : -1;
        auto cmp = [sign](const Match<Member>& a, const Match<Member>& b) {
            return sign * (a.distance > b.distance ? 1 : a.distance == b.distance ? 0 : -1);
        };
        if (o.count != 0 && o.count < out.size()) {
            detail::partial_quicksort(out, cmp, 0, o.count - 1);
            out.resize(o.count);
        } else {
            std::stable_sort(out.begin(), out.end(),
                             [&](const auto& a, const auto& b) { return cmp(a, b) < 0; });
        }
    }
    if (o.count != 0 && out.size() > o.count) out.resize(o.count);
    for (auto& m : out) m.distance /= s.to_meters;
    return out;
}

}  // namespace geo
CACHET_NAMESPACE_END

#endif  // CACHET_GEO_HPP
