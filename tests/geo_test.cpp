// cachet::geo: positions as sorted-set scores and searches over them, in process (the RESP
// GEO commands run on the same functions; see resp_geo_test.cpp for their replies).

#include <cachet/detail/partial_quicksort.hpp>
#include <cachet/geo.hpp>
#include <cachet/sorted_set.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace geo_test {

namespace {
using cachet::geo::Area;
using cachet::geo::Order;
using cachet::geo::Position;

std::vector<std::string> names(const std::vector<cachet::geo::Match<std::string>>& v) {
    std::vector<std::string> out;
    for (const auto& m : v) out.push_back(m.member);
    return out;
}

cachet::SortedSet<std::string> cities() {
    cachet::SortedSet<std::string> z;
    z.add("Palermo", cachet::geo::score_of({13.361389, 38.115556}));
    z.add("Catania", cachet::geo::score_of({15.087269, 37.502669}));
    z.add("Paris", cachet::geo::score_of({2.349014, 48.864716}));
    z.add("London", cachet::geo::score_of({-0.127758, 51.507351}));
    return z;
}
}  // namespace

TEST_SUITE("geo") {
    TEST_CASE("scores, positions, distances and geohashes are Redis's") {
        const double palermo = cachet::geo::score_of({13.361389, 38.115556});
        CHECK(palermo == 3479099956230698.0);  // GEOADD's score in redis-server 7.0.15
        const Position p = cachet::geo::position_of(palermo);
        CHECK(p.longitude == doctest::Approx(13.361389).epsilon(1e-7));
        CHECK(p.latitude == doctest::Approx(38.115556).epsilon(1e-7));
        CHECK(cachet::geo::geohash(palermo) == "sqc8b49rny0");
        const Position catania = cachet::geo::position_of(cachet::geo::score_of({15.087269, 37.502669}));
        CHECK(cachet::geo::distance(p, catania) == doctest::Approx(166274.1516).epsilon(1e-9));
        CHECK_FALSE(cachet::geo::valid({0, 86}));
        CHECK_THROWS_AS((void)cachet::geo::score_of({181, 0}), std::invalid_argument);
        CHECK_THROWS_AS((void)Area::circle({0, 0}, -1), std::invalid_argument);
        CHECK_THROWS_AS((void)Area::box({0, 90}, 1, 1), std::invalid_argument);
        CHECK_THROWS_AS((void)Area::circle({0, 0}, 1, 0), std::invalid_argument);
    }

    TEST_CASE("search by radius and by box, in the order asked, counted") {
        const auto z = cities();
        const auto near = cachet::geo::search(z, Area::circle({15, 37}, 200, 1000), {.order = Order::nearest});
        REQUIRE(names(near) == std::vector<std::string>{"Catania", "Palermo"});
        CHECK(near[0].distance == doctest::Approx(56.4413).epsilon(1e-6));  // in km, the area's unit
        CHECK(near[0].score == cachet::geo::score_of({15.087269, 37.502669}));
        CHECK(names(cachet::geo::search(z, Area::circle({15, 37}, 200, 1000), {.order = Order::farthest})) ==
              std::vector<std::string>{"Palermo", "Catania"});
        // COUNT takes the nearest; with ANY, the first found (index order).
        CHECK(names(cachet::geo::search(z, Area::circle({15, 37}, 200'000), {.count = 1})) ==
              std::vector<std::string>{"Catania"});
        CHECK(names(cachet::geo::search(z, Area::circle({15, 37}, 200'000), {.count = 1, .any = true})) ==
              std::vector<std::string>{"Palermo"});
        CHECK(names(cachet::geo::search(z, Area::box({2.349014, 48.864716}, 1000, 1000, 1000), {.order = Order::nearest})) ==
              std::vector<std::string>{"Paris", "London"});
        CHECK(cachet::geo::search(z, Area::circle({0, 0}, 1)).empty());
        // Every member, from anywhere, with a radius larger than the Earth.
        CHECK(cachet::geo::search(z, Area::circle({-170, -80}, 40'000'000)).size() == 4);
    }

    TEST_CASE("a search finds exactly the members within the radius (brute force check)") {
        cachet::SortedSet<std::string> z;
        std::vector<Position> points;
        unsigned seed = 7;
        auto next = [&] { return (seed = seed * 1103515245u + 12345u) % 100000 / 100000.0; };
        for (int i = 0; i < 2000; ++i) {
            const Position p{4 + next() * 4, 44 + next() * 4};
            points.push_back(cachet::geo::position_of(cachet::geo::score_of(p)));
            z.add("m" + std::to_string(i), cachet::geo::score_of(p));
        }
        for (double radius : {1'000.0, 25'000.0, 120'000.0, 400'000.0}) {
            const Position centre{6, 46};
            std::size_t expected = 0;
            for (const Position& p : points) expected += cachet::geo::distance(centre, p) <= radius ? 1 : 0;
            const auto found = cachet::geo::search(z, Area::circle(centre, radius));
            CHECK(found.size() == expected);
            for (const auto& m : found) CHECK(m.distance <= radius);
        }
    }

    TEST_CASE("equal distances: in the order found, or with a smaller COUNT as Redis's partial quicksort leaves them") {
        // redis-server 7.0.15: `n` members m00.. GEOADDed in turn at `spots` positions, then
        // GEOSEARCH t FROMLONLAT 2.1 48.1 BYRADIUS 10 km ASC [COUNT k].
        struct Case {
            int n, k, spots;
            std::vector<std::string> redis;
        };
        for (const Case& t : {Case{12, 3, 2, {"m02", "m04", "m06"}}, Case{20, 4, 3, {"m00", "m06", "m09", "m03"}},
                              Case{10, 2, 1, {"m09", "m01"}}, Case{9, 3, 2, {"m00", "m02", "m04"}}}) {
            cachet::SortedSet<std::string> z;
            const Position spots[] = {{2.10, 48.10}, {2.11, 48.11}, {2.12, 48.12}};
            for (int i = 0; i < t.n; ++i)
                z.add((i < 10 ? "m0" : "m") + std::to_string(i), cachet::geo::score_of(spots[i % t.spots]));
            const Area area = Area::circle({2.1, 48.1}, 10, 1000);
            CHECK(names(cachet::geo::search(z, area, {.order = Order::nearest, .count = static_cast<std::size_t>(t.k)})) ==
                  t.redis);
            const auto all = names(cachet::geo::search(z, area, {.order = Order::nearest}));  // stable
            CHECK(std::is_sorted(all.begin(), all.begin() + (t.n + t.spots - 1) / t.spots));
        }
    }

    TEST_CASE("partial_quicksort puts in [lo, hi] what a full sort puts there") {
        std::mt19937 rng(3);
        for (int round = 0; round < 300; ++round) {
            std::vector<int> v(rng() % 300 + 1);
            for (int& x : v) x = static_cast<int>(rng() % 50);
            const std::size_t lo = rng() % v.size(), hi = lo + rng() % (v.size() - lo);
            auto sorted = v;
            std::sort(sorted.begin(), sorted.end());
            cachet::detail::partial_quicksort(v, [](int a, int b) { return a < b ? -1 : a > b ? 1 : 0; }, lo, hi);
            for (std::size_t i = lo; i <= hi; ++i) CHECK(v[i] == sorted[i]);
            auto rest = v;
            std::sort(rest.begin(), rest.end());
            CHECK(rest == sorted);  // a permutation
        }
    }

    TEST_CASE("a ZSetStore key is a geo index; search it under the key's lock") {
        cachet::ZSetStore<std::string, std::string> places;
        places.add("shops", "bakery", cachet::geo::score_of({2.3522, 48.8566}));
        places.add("shops", "florist", cachet::geo::score_of({2.3600, 48.8600}));
        places.add("shops", "far", cachet::geo::score_of({3.0, 49.5}));
        const auto near = places.visit("shops", [](const auto* z) {
            return z ? cachet::geo::search(*z, Area::circle({2.35, 48.85}, 2000), {.order = Order::nearest})
                     : std::vector<cachet::geo::Match<std::string>>{};
        });
        CHECK(names(near) == std::vector<std::string>{"bakery", "florist"});
    }
}

}  // namespace geo_test
