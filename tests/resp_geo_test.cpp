// The geospatial commands through the command layer, and the geohash arithmetic under them.
// Expected replies were taken from redis-server 7.0.15 for the same commands.

#include "support/resp_session.hpp"

#include <cachet/detail/geohash.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

namespace resp_geo_test {

using test::call;
namespace geo = cachet::detail::geo;

namespace {
std::string bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

/// The four cities of Redis's GEO documentation, in `key`.
void add_cities(test::Session& s, const std::string& key = "g") {
    CHECK(call(s, {"GEOADD", key, "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
                   "Catania", "2.349014", "48.864716", "Paris", "-0.127758", "51.507351", "London"}) ==
          ":4\r\n");
}
}  // namespace

TEST_SUITE("geohash") {
    TEST_CASE("a position's score is the interleaving of its two 26-bit cells, decoded to the cell's centre") {
        CHECK(geo::position_score(13.361389, 38.115556) == 3479099956230698.0);
        CHECK(geo::position_score(15.087269, 37.502669) == 3479447370796909.0);
        const auto [lon, lat] = geo::position_of(3479099956230698.0);
        CHECK(std::fabs(lon - 13.361389) < 1e-5);
        CHECK(std::fabs(lat - 38.115556) < 1e-5);
        // Every position round-trips within half a cell (360 / 2^27 degrees of longitude).
        for (double x = -180; x <= 180; x += 7.25)
            for (double y = -85; y <= 85; y += 3.5) {
                const auto [px, py] = geo::position_of(geo::position_score(x, y));
                CHECK(std::fabs(px - x) <= 360.0 / (1 << 27));
                CHECK(std::fabs(py - y) <= 170.2 / (1 << 27));
            }
        CHECK(geo::gather(geo::spread(0xdeadbeef)) == 0xdeadbeefu);
        geo::Cell c;
        CHECK_FALSE(geo::encode(181, 0, 26, c));
        CHECK_FALSE(geo::encode(0, 85.06, 26, c));
    }

    TEST_CASE("neighbours step one cell and wrap around the world") {
        geo::Cell c;
        REQUIRE(geo::encode(0.1, 0.1, 4, c));
        const geo::Area a = geo::decode(c);
        const geo::Area east = geo::decode(geo::neighbour(c, 1, 0));
        const geo::Area north = geo::decode(geo::neighbour(c, 0, 1));
        CHECK(east.lon.min == doctest::Approx(a.lon.max));
        CHECK(east.lat.min == doctest::Approx(a.lat.min));
        CHECK(north.lat.min == doctest::Approx(a.lat.max));
        CHECK(geo::neighbour(geo::neighbour(c, 1, -1), -1, 1) == c);
        REQUIRE(geo::encode(179.9, 0, 4, c));
        CHECK(geo::decode(geo::neighbour(c, 1, 0)).lon.min == doctest::Approx(-180));
    }

    TEST_CASE("a score not written by GEOADD decodes as Redis's (uint64_t) cast on x86-64") {
        CHECK(geo::score_bits(5.9) == 5u);
        CHECK(geo::score_bits(-1.0) == std::numeric_limits<std::uint64_t>::max());
        CHECK(geo::score_bits(std::numeric_limits<double>::infinity()) == 0u);
        CHECK(geo::score_bits(-std::numeric_limits<double>::infinity()) == 0x8000000000000000ull);
        CHECK(geo::score_bits(1e19) == 10000000000000000000ull);
        CHECK(geo::score_bits(1e300) == 0u);
    }

    TEST_CASE("distances are haversine on Redis's sphere") {
        CHECK(geo::distance(13.361389, 38.115556, 15.087269, 37.502669) == doctest::Approx(166274.15).epsilon(1e-6));
        CHECK(geo::distance(1, 2, 1, 2) == 0);
        CHECK(geo::distance(0, -10, 0, 10) == doctest::Approx(geo::earth_radius_m * 20 * geo::deg_to_rad));
        CHECK(geo::steps_for_radius(0, 0) == 26);
        CHECK(geo::steps_for_radius(1e9, 0) == 1);
        CHECK(geo::steps_for_radius(100000, 70) == geo::steps_for_radius(100000, 0) - 1);
    }
}

TEST_SUITE("resp_geo") {
    TEST_CASE("GEOADD, GEOPOS, GEOHASH and GEODIST as Redis 7.0 replies, RESP2 and RESP3") {
        test::Server srv;
        auto s = srv.connect();
        add_cities(*s);
        CHECK(call(*s, {"ZSCORE", "g", "Palermo"}) == bulk("3479099956230698"));
        CHECK(call(*s, {"GEOPOS", "g", "Palermo", "nosuch"}) ==
              "*2\r\n*2\r\n" + bulk("13.36138933897018433") + bulk("38.11555639549629859") + "*-1\r\n");
        CHECK(call(*s, {"GEOHASH", "g", "Palermo", "London", "nosuch"}) ==
              "*3\r\n" + bulk("sqc8b49rny0") + bulk("gcpvj0dup10") + "$-1\r\n");
        CHECK(call(*s, {"GEODIST", "g", "Palermo", "Catania"}) == bulk("166274.1516"));
        CHECK(call(*s, {"GEODIST", "g", "Palermo", "London", "mi"}) == bulk("1133.6436"));
        CHECK(call(*s, {"GEODIST", "g", "Palermo", "Catania", "KM"}) == bulk("166.2742"));
        CHECK(call(*s, {"GEODIST", "g", "Palermo", "nosuch"}) == "$-1\r\n");
        CHECK(call(*s, {"GEODIST", "g", "Palermo", "Catania", "xx"}) ==
              "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n");
        CHECK(call(*s, {"GEODIST", "g", "a", "b", "m", "x"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"GEOPOS", "missing", "a"}) == "*1\r\n*-1\r\n");
        CHECK(call(*s, {"HELLO", "3"}).starts_with("%"));
        CHECK(call(*s, {"GEOPOS", "g", "Palermo", "nosuch"}) ==
              "*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n");
        CHECK(call(*s, {"GEOHASH", "g", "nosuch"}) == "*1\r\n_\r\n");
        CHECK(call(*s, {"GEODIST", "g", "a", "b"}) == "_\r\n");
        // The checks, in Redis's order: options and argument count, then each coordinate pair.
        CHECK(call(*s, {"GEOADD", "g", "200", "1", "x"}) ==
              "-ERR invalid longitude,latitude pair 200.000000,1.000000\r\n");
        CHECK(call(*s, {"GEOADD", "g", "a", "1", "x"}) == "-ERR value is not a valid float\r\n");
        CHECK(call(*s, {"GEOADD", "g", "nx", "xx", "1", "2", "m"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"GEOADD", "g", "1", "2", "m", "1"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"GEOADD", "g", "1", "2", "ok", "1", "90", "bad"}) ==
              "-ERR invalid longitude,latitude pair 1.000000,90.000000\r\n");
        CHECK(call(*s, {"ZSCORE", "g", "ok"}) == "_\r\n");  // nothing written
        CHECK(call(*s, {"GEOADD", "g", "XX", "CH", "2.35", "48.86", "Paris", "1", "1", "new"}) == ":1\r\n");
        CHECK(call(*s, {"ZCARD", "g"}) == ":4\r\n");
        CHECK(call(*s, {"SET", "str", "x"}) == "+OK\r\n");
        CHECK(call(*s, {"GEOADD", "str", "1", "2", "m"}).starts_with("-WRONGTYPE"));
        CHECK(call(*s, {"GEOPOS", "str", "m"}).starts_with("-WRONGTYPE"));
    }

    TEST_CASE("searches: by radius and by box, around a point or a member, sorted, counted, stored") {
        test::Server srv;
        auto s = srv.connect();
        add_cities(*s);
        CHECK(call(*s, {"GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC"}) ==
              "*2\r\n*4\r\n" + bulk("Catania") + bulk("56.4413") + ":3479447370796909\r\n*2\r\n" +
                  bulk("15.08726745843887329") + bulk("37.50266842333162032") + "*4\r\n" + bulk("Palermo") +
                  bulk("190.4424") + ":3479099956230698\r\n*2\r\n" + bulk("13.36138933897018433") +
                  bulk("38.11555639549629859"));
        CHECK(call(*s, {"GEOSEARCH", "g", "FROMLONLAT", "10", "45", "BYRADIUS", "2000", "km", "DESC", "COUNT", "2"}) ==
              "*2\r\n" + bulk("London") + bulk("Catania"));
        CHECK(call(*s, {"GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYBOX", "1000", "1000", "km", "ASC", "WITHDIST"}) ==
              "*2\r\n*2\r\n" + bulk("Paris") + bulk("0.0000") + "*2\r\n" + bulk("London") + bulk("342.7483"));
        CHECK(call(*s, {"GEORADIUSBYMEMBER", "g", "Paris", "500", "km"}) == "*2\r\n" + bulk("Paris") + bulk("London"));
        CHECK(call(*s, {"GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ANY", "COUNT", "1"}) ==
              "*1\r\n" + bulk("Palermo"));  // the first found, not the nearest
        CHECK(call(*s, {"GEORADIUS_RO", "g", "0", "0", "1", "m"}) == "*0\r\n");
        CHECK(call(*s, {"GEORADIUS", "missing", "0", "0", "1", "m"}) == "*0\r\n");

        // STORE: geohash scores; STOREDIST: distances in the query's unit.
        CHECK(call(*s, {"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "near"}) == ":2\r\n");
        CHECK(call(*s, {"ZRANGE", "near", "0", "-1", "WITHSCORES"}) ==
              "*4\r\n" + bulk("Palermo") + bulk("3479099956230698") + bulk("Catania") + bulk("3479447370796909"));
        CHECK(call(*s, {"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"}) ==
              ":2\r\n");
        CHECK(call(*s, {"ZSCORE", "d", "Catania"}) == bulk("56.441257870158204"));
        CHECK(call(*s, {"TTL", "d"}) == ":-1\r\n");
        // An empty result deletes the destination; so does a missing source.
        CHECK(call(*s, {"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"}) == ":0\r\n");
        CHECK(call(*s, {"EXISTS", "d"}) == ":0\r\n");
        CHECK(call(*s, {"GEORADIUSBYMEMBER", "nokey", "x", "bad", "bad", "STORE", "near"}) == ":0\r\n");
        CHECK(call(*s, {"EXISTS", "near"}) == ":0\r\n");
        // SORT ... BY ... LIMIT sorts as Redis's partial quicksort does: equal weights in its order
        // (redis-server 7.0.15), not in the list's.
        for (int i = 0; i < 10; ++i) {
            const std::string e = "e0" + std::to_string(i);
            call(*s, {"RPUSH", "sl", e});
            call(*s, {"SET", "w_" + e, i % 2 ? "b" : "a"});
        }
        CHECK(call(*s, {"SORT", "sl", "BY", "w_*", "ALPHA", "LIMIT", "0", "4"}) ==
              "*4\r\n" + bulk("e02") + bulk("e06") + bulk("e04") + bulk("e08"));
        CHECK(call(*s, {"SORT", "sl", "BY", "w_*", "ALPHA"}).starts_with("*10\r\n" + bulk("e00") + bulk("e02")));
        CHECK(call(*s, {"COMMAND", "GETKEYS", "GEORADIUS", "g", "0", "0", "1", "m", "STORE", "a", "STOREDIST", "b"}) ==
              "*3\r\n" + bulk("g") + bulk("a") + bulk("b"));
    }

    TEST_CASE("a stored search is a sorted-set keyspace event (class z), as in Redis 7.0") {
        test::Server srv;
        auto sub = srv.connect();
        auto s = srv.connect();
        add_cities(*s);
        CHECK(call(*sub, {"PSUBSCRIBE", "__keyevent@0__:*"}).starts_with("*3\r\n"));
        // Without 'z' (redis-server 7.0.15 sends nothing here) ...
        CHECK(call(*s, {"CONFIG", "SET", "notify-keyspace-events", "Eg$lshx"}) == "+OK\r\n");
        CHECK(call(*s, {"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "near"}) == ":2\r\n");
        CHECK(call(*s, {"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"}) == ":2\r\n");
        CHECK(test::async(*sub).empty());
        // ... and with it.
        CHECK(call(*s, {"CONFIG", "SET", "notify-keyspace-events", "Ez"}) == "+OK\r\n");
        CHECK(call(*s, {"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "near"}) == ":2\r\n");
        CHECK(call(*s, {"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"}) == ":2\r\n");
        const std::string got = test::async(*sub);
        CHECK(got.find("__keyevent@0__:georadiusstore\r\n$4\r\nnear\r\n") != std::string::npos);
        CHECK(got.find("__keyevent@0__:geosearchstore\r\n$1\r\nd\r\n") != std::string::npos);
    }

    TEST_CASE("search errors, in Redis's order") {
        test::Server srv;
        auto s = srv.connect();
        add_cities(*s);
        call(*s, {"SET", "str", "x"});
        auto err = [&](std::initializer_list<std::string_view> args) { return call(*s, args); };
        CHECK(err({"GEORADIUS", "g", "15", "37", "-1", "km"}) == "-ERR radius cannot be negative\r\n");
        CHECK(err({"GEORADIUS", "g", "15", "37", "x", "km"}) == "-ERR need numeric radius\r\n");
        CHECK(err({"GEORADIUS", "g", "15", "37", "1", "yd"}) ==
              "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n");
        CHECK(err({"GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "-1", "2", "km"}) ==
              "-ERR height or width cannot be negative\r\n");
        CHECK(err({"GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "a", "2", "km"}) == "-ERR need numeric width\r\n");
        CHECK(err({"GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "1", "a", "km"}) == "-ERR need numeric height\r\n");
        CHECK(err({"GEOSEARCH", "g", "FROMMEMBER", "nosuch", "BYRADIUS", "1", "km"}) ==
              "-ERR could not decode requested zset member\r\n");
        CHECK(err({"GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "ANY"}) ==
              "-ERR the ANY argument requires COUNT argument\r\n");
        CHECK(err({"GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "COUNT", "0"}) ==
              "-ERR COUNT must be > 0\r\n");
        CHECK(err({"GEOSEARCH", "g", "BYRADIUS", "1", "km", "ASC", "DESC"}) ==
              "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH\r\n");
        CHECK(err({"geosearch", "g", "FROMLONLAT", "1", "2", "ASC", "DESC"}) ==
              "-ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch\r\n");
        CHECK(err({"GEOSEARCH", "g", "FROMMEMBER", "Palermo", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"}) ==
              "-ERR syntax error\r\n");
        CHECK(err({"GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "STORE", "x"}) ==
              "-ERR syntax error\r\n");
        CHECK(err({"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "x", "WITHDIST"}) ==
              "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n");
        CHECK(err({"GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "WITHDIST"}) ==
              "-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n");
        CHECK(err({"GEORADIUS_RO", "g", "15", "37", "200", "km", "STORE", "x"}) == "-ERR syntax error\r\n");
        // The source's type is checked before any argument.
        CHECK(err({"GEOSEARCH", "str", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"}).starts_with("-WRONGTYPE"));
        CHECK(err({"GEORADIUS", "str", "1", "2", "bad", "km"}).starts_with("-WRONGTYPE"));
        CHECK(err({"GEOSEARCHSTORE", "d", "str", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"}).starts_with("-WRONGTYPE"));
        CHECK(err({"EXISTS", "x", "d"}) == ":0\r\n");  // nothing was stored by the failures
    }
}

}  // namespace resp_geo_test
