#ifndef CACHET_DETAIL_GEOHASH_HPP
#define CACHET_DETAIL_GEOHASH_HPP

/// The geohash arithmetic of Redis's GEO commands, for sorted sets used as geospatial indexes:
/// a position is the 52-bit interleaving of its latitude and longitude cells (26 bits each,
/// over latitudes -85.05112878..85.05112878, Web Mercator's limits, and longitudes -180..180),
/// stored as the member's score; a search visits the score ranges of the cell around the
/// centre and its 8 neighbours, at the coarsest level whose cells still cover the search area,
/// and keeps the members within the radius or box. Distances are great-circle distances
/// (haversine) on a sphere of radius 6372797.560856 m. Every formula is evaluated in the same
/// order as Redis 7.0's geohash.c / geohash_helper.c, so positions, distances and the members
/// a search finds are bit-for-bit Redis's.

#include <cachet/detail/config.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <numbers>

CACHET_NAMESPACE_BEGIN
namespace detail::geo {

inline constexpr double lon_min = -180, lon_max = 180;
inline constexpr double lat_min = -85.05112878, lat_max = 85.05112878;
inline constexpr int max_step = 26;  ///< bits per coordinate in a stored score
inline constexpr double earth_radius_m = 6372797.560856;
inline constexpr double mercator_max = 20037726.37;
inline constexpr double deg_to_rad = std::numbers::pi / 180.0;

[[nodiscard]] inline double deg_rad(double deg) noexcept { return deg * deg_to_rad; }
[[nodiscard]] inline double rad_deg(double rad) noexcept { return rad / deg_to_rad; }

/// A cell: `step` bits per coordinate, interleaved (latitude in the even bits).
struct Cell {
    std::uint64_t bits = 0;
    int step = 0;
    [[nodiscard]] bool none() const noexcept { return bits == 0 && step == 0; }
    friend bool operator==(const Cell&, const Cell&) = default;
};

struct Range {
    double min, max;
};
struct Area {
    Range lon, lat;
};

/// Spreads the low 32 bits of `v` to the even bit positions.
[[nodiscard]] constexpr std::uint64_t spread(std::uint64_t v) noexcept {
    v &= 0xffffffffull;
    v = (v | (v << 16)) & 0x0000ffff0000ffffull;
    v = (v | (v << 8)) & 0x00ff00ff00ff00ffull;
    v = (v | (v << 4)) & 0x0f0f0f0f0f0f0f0full;
    v = (v | (v << 2)) & 0x3333333333333333ull;
    v = (v | (v << 1)) & 0x5555555555555555ull;
    return v;
}
/// The inverse of `spread`: gathers the even bits of `v` into the low 32.
[[nodiscard]] constexpr std::uint32_t gather(std::uint64_t v) noexcept {
    v &= 0x5555555555555555ull;
    v = (v | (v >> 1)) & 0x3333333333333333ull;
    v = (v | (v >> 2)) & 0x0f0f0f0f0f0f0f0full;
    v = (v | (v >> 4)) & 0x00ff00ff00ff00ffull;
    v = (v | (v >> 8)) & 0x0000ffff0000ffffull;
    v = (v | (v >> 16)) & 0x00000000ffffffffull;
    return static_cast<std::uint32_t>(v);
}

/// The cell of (lon, lat) at `step` bits over the given ranges; false if outside them (or
/// outside the GEO limits).
[[nodiscard]] inline bool encode(Range lon_r, Range lat_r, double lon, double lat, int step,
                                 Cell& out) noexcept {
    if (step < 1 || step > 32) return false;
    if (lon > lon_max || lon < lon_min || lat > lat_max || lat < lat_min) return false;
    if (lat < lat_r.min || lat > lat_r.max || lon < lon_r.min || lon > lon_r.max) return false;
    double lat_off = (lat - lat_r.min) / (lat_r.max - lat_r.min);
    double lon_off = (lon - lon_r.min) / (lon_r.max - lon_r.min);
    lat_off *= static_cast<double>(1ull << step);
    lon_off *= static_cast<double>(1ull << step);
    // Truncated to 32 bits, as Redis's conversion of the offsets to uint32_t.
    const auto lat_i = static_cast<std::uint32_t>(static_cast<std::uint64_t>(lat_off));
    const auto lon_i = static_cast<std::uint32_t>(static_cast<std::uint64_t>(lon_off));
    out = {spread(lat_i) | (spread(lon_i) << 1), step};
    return true;
}
[[nodiscard]] inline bool encode(double lon, double lat, int step, Cell& out) noexcept {
    return encode({lon_min, lon_max}, {lat_min, lat_max}, lon, lat, step, out);
}

/// The area of `cell` over the given ranges.
[[nodiscard]] inline Area decode(Range lon_r, Range lat_r, Cell cell) noexcept {
    const std::uint32_t lat_i = gather(cell.bits), lon_i = gather(cell.bits >> 1);
    const double cells = static_cast<double>(1ull << cell.step);
    const double lat_scale = lat_r.max - lat_r.min, lon_scale = lon_r.max - lon_r.min;
    Area a;
    a.lat.min = lat_r.min + (lat_i * 1.0 / cells) * lat_scale;
    a.lat.max = lat_r.min + ((lat_i + 1) * 1.0 / cells) * lat_scale;
    a.lon.min = lon_r.min + (lon_i * 1.0 / cells) * lon_scale;
    a.lon.max = lon_r.min + ((lon_i + 1) * 1.0 / cells) * lon_scale;
    return a;
}
[[nodiscard]] inline Area decode(Cell cell) noexcept {
    return decode({lon_min, lon_max}, {lat_min, lat_max}, cell);
}

/// The 52-bit score of a cell (its bits shifted to 26 bits per coordinate).
[[nodiscard]] constexpr std::uint64_t score_bits(Cell c) noexcept {
    return c.bits << (52 - c.step * 2);
}

/// The score a position is stored under (GEOADD).
[[nodiscard]] inline double position_score(double lon, double lat) noexcept {
    Cell c;
    (void)encode(lon, lat, max_step, c);
    return static_cast<double>(score_bits(c));
}

/// A score's geohash bits: Redis's `(uint64_t)score`, as x86-64 computes it (gcc's code: a
/// truncating conversion to int64 below 2^63, of the score less 2^63 with the top bit set
/// above; the "integer indefinite" 2^63 where that conversion overflows), which a score not
/// written by GEOADD (negative, fractional, infinite) also gets. Defined for every double.
[[nodiscard]] inline std::uint64_t score_bits(double score) noexcept {
    constexpr double two63 = 9223372036854775808.0;
    constexpr std::uint64_t indefinite = 0x8000000000000000ull;
    auto to_i64 = [](double d) -> std::uint64_t {
        if (!(d >= -two63 && d < two63)) return indefinite;  // beyond int64 (or NaN)
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(d));
    };
    if (score >= two63) return to_i64(score - two63) ^ indefinite;
    return to_i64(score);
}

/// The position (lon, lat) a stored score stands for: the centre of its cell, clamped to the
/// GEO limits.
[[nodiscard]] inline std::array<double, 2> position_of(double score) noexcept {
    const Area a = decode(Cell{score_bits(score), max_step});
    double lon = (a.lon.min + a.lon.max) / 2, lat = (a.lat.min + a.lat.max) / 2;
    lon = lon > lon_max ? lon_max : lon < lon_min ? lon_min : lon;
    lat = lat > lat_max ? lat_max : lat < lat_min ? lat_min : lat;
    return {lon, lat};
}

/// Great-circle distance along a meridian (same longitude).
[[nodiscard]] inline double lat_distance(double lat1, double lat2) noexcept {
    return earth_radius_m * std::fabs(deg_rad(lat2) - deg_rad(lat1));
}
/// Great-circle distance in metres (haversine).
[[nodiscard]] inline double distance(double lon1, double lat1, double lon2, double lat2) noexcept {
    const double lon1r = deg_rad(lon1), lon2r = deg_rad(lon2);
    const double v = std::sin((lon2r - lon1r) / 2);
    if (v == 0.0) return lat_distance(lat1, lat2);
    const double lat1r = deg_rad(lat1), lat2r = deg_rad(lat2);
    const double u = std::sin((lat2r - lat1r) / 2);
    const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
    return 2.0 * earth_radius_m * std::asin(std::sqrt(a));
}

/// A search area: a circle of `radius`, or a `width` x `height` box, around (lon, lat), in
/// units of `to_meters` metres.
struct Shape {
    enum class Kind { circle, box } kind = Kind::circle;
    double lon = 0, lat = 0;
    double to_meters = 1;
    double radius = 0, width = 0, height = 0;
};

/// The distance from the shape's centre to (lon, lat) in metres if the point is inside the
/// shape, else a negative number.
[[nodiscard]] inline double distance_if_within(const Shape& s, double lon, double lat) noexcept {
    if (s.kind == Shape::Kind::circle) {
        const double d = distance(s.lon, s.lat, lon, lat);
        return d > s.radius * s.to_meters ? -1 : d;
    }
    const double w = s.width * s.to_meters, h = s.height * s.to_meters;
    if (lat_distance(lat, s.lat) > h / 2) return -1;
    if (distance(lon, lat, s.lon, lat) > w / 2) return -1;
    return distance(s.lon, s.lat, lon, lat);
}

/// The bits per coordinate of cells about as wide as `range_m` at latitude `lat`.
[[nodiscard]] inline int steps_for_radius(double range_m, double lat) noexcept {
    if (range_m == 0) return 26;
    int step = 1;
    while (range_m < mercator_max) {
        range_m *= 2;
        ++step;
    }
    step -= 2;  // so that the range fits most of the time
    if (lat > 66 || lat < -66) {  // cells narrow towards the poles
        --step;
        if (lat > 80 || lat < -80) --step;
    }
    return step < 1 ? 1 : step > 26 ? 26 : step;
}

/// The neighbour of `c` `dx` cells east (+1) or west (-1) and `dy` north or south, wrapping.
[[nodiscard]] inline Cell neighbour(Cell c, int dx, int dy) noexcept {
    const unsigned shift = static_cast<unsigned>(64 - c.step * 2);
    std::uint64_t lon = c.bits & 0xaaaaaaaaaaaaaaaaull, lat = c.bits & 0x5555555555555555ull;
    if (dx != 0) {
        const std::uint64_t fill = 0x5555555555555555ull >> shift;  // the other coordinate's bits
        if (dx > 0) lon = lon + (fill + 1);
        else lon = (lon | fill) - (fill + 1);
        lon &= 0xaaaaaaaaaaaaaaaaull >> shift;
    }
    if (dy != 0) {
        const std::uint64_t fill = 0xaaaaaaaaaaaaaaaaull >> shift;
        if (dy > 0) lat = lat + (fill + 1);
        else lat = (lat | fill) - (fill + 1);
        lat &= 0x5555555555555555ull >> shift;
    }
    return {lon | lat, c.step};
}

/// The cells a search of `s` visits, in Redis's order: the centre's, then north, south, east,
/// west, north-east, north-west, south-east, south-west; a cell the search cannot need is
/// `none()`.
[[nodiscard]] inline std::array<Cell, 9> search_cells(const Shape& s) noexcept {
    // The bounding box (wider at the edge nearer a pole).
    const double half_h = s.to_meters * (s.kind == Shape::Kind::circle ? s.radius : s.height / 2);
    const double half_w = s.to_meters * (s.kind == Shape::Kind::circle ? s.radius : s.width / 2);
    const double lat_delta = rad_deg(half_h / earth_radius_m);
    const double lon_delta_top = rad_deg(half_w / earth_radius_m / std::cos(deg_rad(s.lat + lat_delta)));
    const double lon_delta_bottom = rad_deg(half_w / earth_radius_m / std::cos(deg_rad(s.lat - lat_delta)));
    const bool south = s.lat < 0;
    const double min_lon = south ? s.lon - lon_delta_bottom : s.lon - lon_delta_top;
    const double max_lon = south ? s.lon + lon_delta_bottom : s.lon + lon_delta_top;
    const double min_lat = s.lat - lat_delta, max_lat = s.lat + lat_delta;

    double radius_m = s.kind == Shape::Kind::circle
                          ? s.radius
                          : std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
    radius_m *= s.to_meters;
    int steps = steps_for_radius(radius_m, s.lat);

    Cell centre;
    auto around = [&](std::array<Cell, 9>& cells) {
        (void)encode(s.lon, s.lat, steps, centre);
        cells = {centre,
                 neighbour(centre, 0, 1),   neighbour(centre, 0, -1),  // north, south
                 neighbour(centre, 1, 0),   neighbour(centre, -1, 0),  // east, west
                 neighbour(centre, 1, 1),   neighbour(centre, -1, 1),  // north-east, north-west
                 neighbour(centre, 1, -1),  neighbour(centre, -1, -1)};
    };
    std::array<Cell, 9> cells;
    around(cells);
    // Cells too small to reach the bounding box's edges: one level coarser.
    const Area n = decode(cells[1]), so = decode(cells[2]), e = decode(cells[3]), w = decode(cells[4]);
    if (steps > 1 && (n.lat.max < max_lat || so.lat.min > min_lat || e.lon.max < max_lon ||
                      w.lon.min > min_lon)) {
        --steps;
        around(cells);
    }
    // Leave out the neighbours beyond the bounding box.
    if (steps >= 2) {
        const Area a = decode(centre);
        auto drop = [&](std::initializer_list<int> which) {
            for (int i : which) cells[static_cast<std::size_t>(i)] = Cell{};
        };
        if (a.lat.min < min_lat) drop({2, 8, 7});
        if (a.lat.max > max_lat) drop({1, 5, 6});
        if (a.lon.min < min_lon) drop({4, 8, 6});
        if (a.lon.max > max_lon) drop({3, 7, 5});
    }
    return cells;
}

/// The score range [min, max) of the members inside `c`.
[[nodiscard]] inline std::array<double, 2> cell_scores(Cell c) noexcept {
    const std::uint64_t lo = score_bits(c);
    c.bits += 1;
    return {static_cast<double>(lo), static_cast<double>(score_bits(c))};
}

/// The standard 11-character geohash of a stored score (re-encoded over latitudes -90..90).
[[nodiscard]] inline std::array<char, 11> geohash_string(double score) noexcept {
    static constexpr char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    const auto [lon, lat] = position_of(score);
    Cell c;
    (void)encode({-180, 180}, {-90, 90}, lon, lat, 26, c);
    std::array<char, 11> out;
    for (int i = 0; i < 11; ++i) {
        // 52 bits make 10 characters and 2 bits; the 11th is '0', as Redis writes it.
        const std::uint64_t idx = i == 10 ? 0 : (c.bits >> (52 - (i + 1) * 5)) & 0x1f;
        out[static_cast<std::size_t>(i)] = alphabet[idx];
    }
    return out;
}

}  // namespace detail::geo
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_GEOHASH_HPP
