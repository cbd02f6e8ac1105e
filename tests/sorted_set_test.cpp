// SortedSet: every operation with Redis's edge cases. The expected values were taken from a real
// redis-server 7.0.15 (the redis-cli commands are quoted beside them); the tests do not need one.
#include <cachet/sorted_set.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sorted_set_test {

namespace {

using Z = cachet::SortedSet<std::string>;
using V = Z::value_type;
using Range = cachet::ScoreRange<double>;
using Lex = cachet::LexRange<std::string>;
using cachet::ZAddFlags;
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> members(const std::vector<V>& v) {
    std::vector<std::string> out;
    for (const auto& [m, s] : v) out.push_back(m);
    return out;
}
std::vector<std::string> members(const Z& z) {
    std::vector<std::string> out;
    for (const auto& [m, s] : z) out.push_back(m);
    return out;
}
using Strings = std::vector<std::string>;

Z abcde() {  // ZADD z 1 a 2 b 3 c 4 d 5 e
    return Z{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}};
}
Range score_range(std::string_view lo, std::string_view hi) {
    auto r = cachet::parse_score_range(lo, hi);
    REQUIRE(r.has_value());
    return *r;
}
Lex lex_range(std::string_view lo, std::string_view hi) {
    auto r = cachet::parse_lex_range(lo, hi);
    REQUIRE(r.has_value());
    return *r;
}
cachet::ZAddReply<double> zadd(Z& z, ZAddFlags f, std::vector<V> pairs) {
    cachet::ZAddReply<double> total;
    for (auto& [m, s] : pairs) {
        auto r = z.add(m, s, f);
        REQUIRE(r.has_value());
        total.count += (*r).count;
        total.score = (*r).score;
    }
    return total;
}

}  // namespace

static_assert(std::is_nothrow_move_constructible_v<Z>);
static_assert(std::is_nothrow_move_assignable_v<Z>);
static_assert(std::is_nothrow_swappable_v<Z>);
static_assert(std::is_nothrow_default_constructible_v<Z>);
static_assert(std::bidirectional_iterator<Z::const_iterator>);

TEST_SUITE("sorted_set") {
    TEST_CASE("add, score, remove, size; ordering by score then member bytes") {
        Z z;
        CHECK(z.empty());
        CHECK(z.add("b", 2));
        CHECK(z.add("a", 2));
        CHECK(z.add("c", 1));
        CHECK_FALSE(z.add("c", 1));  // present: not new (score unchanged)
        CHECK_FALSE(z.add("c", 3));  // moved
        CHECK(z.size() == 3);
        CHECK(z.score("c") == 3.0);
        CHECK(z.score("zz") == std::nullopt);
        CHECK(members(z) == Strings{"a", "b", "c"});
        CHECK(z.remove("a"));
        CHECK_FALSE(z.remove("a"));
        CHECK(members(z) == Strings{"b", "c"});
        CHECK(z.check_invariants());
        // Equal scores order members by bytes, unsigned, shorter prefix first (memcmp).
        Z e{{"a", 0}, {"B", 0}, {"\xff", 0}, {"", 0}, {"ab", 0}, {std::string("a\0", 2), 0}};
        CHECK(members(e) == Strings{"", "B", "a", std::string("a\0", 2), "ab", "\xff"});
        CHECK(e.check_invariants());
    }

    TEST_CASE("ZADD flags: NX XX GT LT CH INCR as Redis replies") {
        Z z{{"a", 1}, {"b", 2}, {"c", 3}};
        // ZADD z GT CH 0 a 5 b 9 d -> 2 (b raised, d added; a not lowered)
        auto r = zadd(z, ZAddFlags::gt | ZAddFlags::ch, {{"a", 0}, {"b", 5}, {"d", 9}});
        CHECK(r.count == 2);
        CHECK(z.range_by_rank(0, -1) == std::vector<V>{{"a", 1}, {"c", 3}, {"b", 5}, {"d", 9}});
        // ZADD z GT INCR -1 a -> nil; LT INCR -1 a -> 0
        auto g = z.add("a", -1, ZAddFlags::gt | ZAddFlags::incr);
        REQUIRE(g.has_value());
        CHECK((*g).score == std::nullopt);
        CHECK((*g).count == 0);
        auto l = z.add("a", -1, ZAddFlags::lt | ZAddFlags::incr);
        CHECK((*l).score == 0.0);
        // ZADD z XX INCR 1 q -> nil (absent); NX INCR 1 a -> nil (present); INCR 0 a -> 0
        CHECK((*z.add("q", 1, ZAddFlags::xx | ZAddFlags::incr)).score == std::nullopt);
        CHECK_FALSE(z.contains("q"));
        CHECK((*z.add("a", 1, ZAddFlags::nx | ZAddFlags::incr)).score == std::nullopt);
        auto zero = z.add("a", 0, ZAddFlags::incr);
        CHECK((*zero).score == 0.0);
        CHECK((*zero).count == 0);
        // ZADD z CH 2 a -> 1; ZADD z CH 2 a 3 a -> 1 (the first changes nothing); score 3
        CHECK(zadd(z, ZAddFlags::ch, {{"a", 2}}).count == 1);
        CHECK(zadd(z, ZAddFlags::ch, {{"a", 2}, {"a", 3}}).count == 1);
        CHECK(z.score("a") == 3.0);
        // Without CH an update counts 0: ZADD z 4 a -> 0
        CHECK(zadd(z, ZAddFlags::none, {{"a", 4}}).count == 0);
        // ZADD z XX CH 7 newmember 5 a -> 1 (a changed, newmember not added)
        CHECK(zadd(z, ZAddFlags::xx | ZAddFlags::ch, {{"newmember", 7}, {"a", 5}}).count == 1);
        CHECK_FALSE(z.contains("newmember"));
        // GT / LT never stop a new member: ZADD z GT 1 brandnew -> 1
        CHECK(zadd(z, ZAddFlags::gt, {{"brandnew", 1}}).count == 1);
        CHECK(zadd(z, ZAddFlags::lt, {{"brandnew2", 1}}).count == 1);
        // NX: ZADD z NX 100 a -> 0, unchanged; ZADD z NX 1 fresh -> 1
        CHECK(zadd(z, ZAddFlags::nx, {{"a", 100}}).count == 0);
        CHECK(z.score("a") == 5.0);
        CHECK(zadd(z, ZAddFlags::nx, {{"fresh", 1}}).count == 1);
        // XX without CH: an update replies 0 but happens
        CHECK(zadd(z, ZAddFlags::xx, {{"fresh", 2}}).count == 0);
        CHECK(z.score("fresh") == 2.0);
        // INCR on a new member adds it with the increment: ZADD z INCR 2.5 n -> 2.5
        auto n = z.add("n", 2.5, ZAddFlags::incr);
        CHECK((*n).score == 2.5);
        CHECK((*n).count == 1);
        CHECK(z.check_invariants());
    }

    TEST_CASE("ZADD GT / LT with INCR and infinities") {
        Z z{{"a", 1}};
        // ZADD z GT INCR 5 a -> 6; LT INCR 5 a -> nil; GT INCR -inf a -> nil;
        // LT INCR -inf a -> -inf; INCR +inf a -> NaN error; GT 5 a -> 0 (updated); score 5
        CHECK((*z.add("a", 5, ZAddFlags::gt | ZAddFlags::incr)).score == 6.0);
        CHECK((*z.add("a", 5, ZAddFlags::lt | ZAddFlags::incr)).score == std::nullopt);
        CHECK((*z.add("a", -inf, ZAddFlags::gt | ZAddFlags::incr)).score == std::nullopt);
        CHECK((*z.add("a", -inf, ZAddFlags::lt | ZAddFlags::incr)).score == -inf);
        auto bad = z.add("a", inf, ZAddFlags::incr);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error() == cachet::Errc::overflow);
        CHECK(cachet::nan_score_error == "resulting score is not a number (NaN)");
        CHECK(z.score("a") == -inf);  // unchanged
        CHECK(zadd(z, ZAddFlags::gt, {{"a", 5}}).count == 0);
        CHECK(z.score("a") == 5.0);
        // ZADD z inf x; ZINCRBY z -inf x -> NaN error, x stays inf; ZINCRBY z +inf x -> inf
        z.add("x", inf);
        CHECK(z.increment("x", -inf).error() == cachet::Errc::overflow);
        CHECK(z.score("x") == inf);
        CHECK(z.increment("x", inf).value() == inf);
        CHECK(z.increment("y", 1.5).value() == 1.5);
        CHECK(z.increment("y", 1.5).value() == 3.0);
        // ZADD big 1e308 a; ZINCRBY big 1e308 a -> inf (overflow to inf is allowed)
        Z big{{"a", 1e308}};
        CHECK(big.increment("a", 1e308).value() == inf);
        CHECK(z.check_invariants());
    }

    TEST_CASE("NaN scores are rejected; flag combinations behave as zsetAdd") {
        Z z{{"a", 1}};
        CHECK_THROWS_AS(z.add("b", nan_v), std::invalid_argument);
        auto r = z.add("b", nan_v, ZAddFlags::none);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == cachet::Errc::invalid_argument);
        CHECK(z.increment("a", nan_v).error() == cachet::Errc::invalid_argument);
        CHECK(z.size() == 1);
        CHECK(z.score("a") == 1.0);
        // Redis's syntax check, in its order.
        using cachet::zadd_flags_error;
        CHECK(zadd_flags_error(ZAddFlags::nx | ZAddFlags::xx, 1) ==
              "XX and NX options at the same time are not compatible");
        CHECK(zadd_flags_error(ZAddFlags::nx | ZAddFlags::xx | ZAddFlags::gt, 1) ==
              "XX and NX options at the same time are not compatible");
        CHECK(zadd_flags_error(ZAddFlags::gt | ZAddFlags::lt, 1) ==
              "GT, LT, and/or NX options at the same time are not compatible");
        CHECK(zadd_flags_error(ZAddFlags::gt | ZAddFlags::nx, 1) ==
              "GT, LT, and/or NX options at the same time are not compatible");
        CHECK(zadd_flags_error(ZAddFlags::incr, 2) == "INCR option supports a single increment-element pair");
        CHECK(zadd_flags_error(ZAddFlags::xx | ZAddFlags::gt | ZAddFlags::ch | ZAddFlags::incr, 1).empty());
        // What zsetAdd does with the combinations ZADD rejects: NX|XX never acts; GT|LT adds
        // but never updates; NX|GT acts as NX.
        CHECK(zadd(z, ZAddFlags::nx | ZAddFlags::xx, {{"a", 5}, {"new", 1}}).count == 0);
        CHECK(z.score("a") == 1.0);
        CHECK_FALSE(z.contains("new"));
        CHECK(zadd(z, ZAddFlags::gt | ZAddFlags::lt | ZAddFlags::ch, {{"a", 5}, {"new", 1}}).count == 1);
        CHECK(z.score("a") == 1.0);
        CHECK(z.contains("new"));
        CHECK(zadd(z, ZAddFlags::nx | ZAddFlags::gt, {{"a", 9}}).count == 0);
        CHECK(z.score("a") == 1.0);
    }

    TEST_CASE("rank, reverse rank, nth") {
        Z z = abcde();
        CHECK(z.rank("a") == 0u);
        CHECK(z.rank("e") == 4u);
        CHECK(z.reverse_rank("e") == 0u);
        CHECK(z.reverse_rank("a") == 4u);
        CHECK(z.rank("nope") == std::nullopt);
        CHECK(z.reverse_rank("nope") == std::nullopt);
        CHECK(z.nth(2)->first == "c");
        CHECK(z.nth(5) == z.end());
        z.add("c", 10);  // moves to the end
        CHECK(z.rank("c") == 4u);
        CHECK(z.rank("d") == 2u);
        CHECK(z.check_invariants());
    }

    TEST_CASE("range by rank with Redis's index rules") {
        const Z z = abcde();
        CHECK(members(z.range_by_rank(-2, -1)) == Strings{"d", "e"});       // ZRANGE z -2 -1
        CHECK(members(z.range_by_rank(3, 100)) == Strings{"d", "e"});       // ZRANGE z 3 100
        CHECK(z.range_by_rank(5, 10).empty());                                // ZRANGE z 5 10
        CHECK(members(z.range_by_rank(-100, 1)) == Strings{"a", "b"});      // ZRANGE z -100 1
        CHECK(z.range_by_rank(2, 1).empty());                                 // ZRANGE z 2 1
        CHECK(members(z.range_by_rank(0, 0, true)) == Strings{"e"});        // ZRANGE z 0 0 REV
        CHECK(members(z.range_by_rank(-1, -1, true)) == Strings{"a"});      // ZRANGE z -1 -1 REV
        CHECK(members(z.range_by_rank(1, 2, true)) == Strings{"d", "c"});   // ZRANGE z 1 2 REV
        CHECK(members(z.range_by_rank(0, -1)) == Strings{"a", "b", "c", "d", "e"});
        CHECK(z.range_by_rank(0, -6).empty());
        CHECK(z.range_by_rank(std::numeric_limits<long long>::min(), std::numeric_limits<long long>::max()).size() == 5);
        CHECK(Z{}.range_by_rank(0, -1).empty());
        CHECK(z.range_by_rank(0, 0) == std::vector<V>{{"a", 1}});
    }

    TEST_CASE("range by score: exclusive bounds, infinities, LIMIT, reverse") {
        const Z z = abcde();
        CHECK(members(z.range_by_score(score_range("(1", "3"))) == Strings{"b", "c"});
        CHECK(members(z.range_by_score(score_range("-inf", "(3"), 1, 1)) == Strings{"b"});
        CHECK(z.range_by_score(Range::all(), -1, 2).empty());                 // LIMIT -1 2
        CHECK(members(z.range_by_score(Range::all(), 2, -1)) == Strings{"c", "d", "e"});
        CHECK(z.range_by_score(Range::all(), 5, 1).empty());                  // LIMIT 5 1
        CHECK(z.range_by_score(Range::all(), 0, 0).empty());                  // LIMIT 0 0
        CHECK(z.range_by_score(score_range("3", "1")).empty());
        CHECK(z.range_by_score(score_range("(2", "(2")).empty());
        CHECK(members(z.range_by_score(score_range("2", "2"))) == Strings{"b"});
        CHECK(members(z.range_by_score(score_range("", "1"))) == Strings{"a"});      // "" is 0
        CHECK(members(z.range_by_score(score_range(" 1", "2"))) == Strings{"a", "b"});
        CHECK(z.range_by_score(score_range("0x10", "100")).empty());          // strtod: 16
        CHECK(members(z.range_by_score(score_range("+inf", "+inf"))).empty());
        CHECK(members(z.range_by_score(score_range("-inf", "inf"))).size() == 5);
        // ZREVRANGEBYSCORE z 4 (1 LIMIT 1 2 -> c b (the range is passed as min, max)
        CHECK(members(z.range_by_score(score_range("(1", "4"), 1, 2, true)) == Strings{"c", "b"});
        CHECK(members(z.range_by_score(score_range("(1", "4"), 0, -1, true)) == Strings{"d", "c", "b"});
        CHECK(z.range_by_score(score_range("(1", "4"), 3, -1, true).empty());
        CHECK(z.range_by_score(Range::closed(1, 5), 0, 1) == std::vector<V>{{"a", 1}});
        // The offset may run past the range: then nothing (Redis checks the bound while walking).
        CHECK(z.range_by_score(Range::closed(1, 2), 2, 5).empty());
        Z infs{{"lo", -inf}, {"mid", 0}, {"hi", inf}};
        CHECK(members(infs.range_by_score(score_range("-inf", "(0"))) == Strings{"lo"});
        CHECK(members(infs.range_by_score(score_range("(-inf", "+inf"))) == Strings{"mid", "hi"});
        CHECK(members(infs.range_by_score(score_range("(0", "+inf"))) == Strings{"hi"});
        CHECK(infs.range_by_score(score_range("(-inf", "(-inf")).empty());
    }

    TEST_CASE("count in a score range (ZCOUNT)") {
        const Z z = abcde();
        CHECK(z.count(score_range("(1", "4")) == 3);
        CHECK(z.count(score_range("10", "20")) == 0);
        CHECK(z.count(Range::all()) == 5);
        CHECK(z.count(score_range("3", "2")) == 0);
        CHECK(z.count(score_range("(3", "(4")) == 0);
        CHECK(z.count(score_range("3", "3")) == 1);
        CHECK(Z{}.count(Range::all()) == 0);
    }

    TEST_CASE("score and lex range parsers: Redis's forms and errors") {
        using cachet::parse_lex_bound;
        using cachet::parse_score_bound;
        CHECK(parse_score_bound("(1.5") == cachet::ScoreBound<double>{1.5, true});
        CHECK(parse_score_bound("1.5") == cachet::ScoreBound<double>{1.5, false});
        CHECK(parse_score_bound("-inf")->value == -inf);
        CHECK(parse_score_bound("+inf")->value == inf);
        CHECK(parse_score_bound("(inf")->exclusive);
        CHECK(parse_score_bound("1e3")->value == 1000.0);
        CHECK(parse_score_bound("")->value == 0.0);
        CHECK_FALSE(parse_score_bound("1x"));
        CHECK_FALSE(parse_score_bound("nan"));
        CHECK_FALSE(parse_score_bound("(nan"));
        CHECK_FALSE(parse_score_bound("1 "));
        CHECK_FALSE(parse_score_bound("abc"));
        CHECK(parse_score_bound(std::string(100, '1'))->value > 1e99);  // long text
        auto bad = cachet::parse_score_range("1", "x");
        CHECK(bad.error() == cachet::Errc::invalid_argument);
        CHECK(cachet::score_range_error == "min or max is not a float");

        using B = cachet::LexBound<std::string>;
        CHECK(parse_lex_bound("[abc") == B::inclusive("abc"));
        CHECK(parse_lex_bound("(abc") == B::exclusive("abc"));
        CHECK(parse_lex_bound("[") == B::inclusive(""));
        CHECK(parse_lex_bound("-") == B::minus_infinity());
        CHECK(parse_lex_bound("+") == B::plus_infinity());
        CHECK_FALSE(parse_lex_bound("a"));
        CHECK_FALSE(parse_lex_bound("-x"));
        CHECK_FALSE(parse_lex_bound("+a"));
        CHECK_FALSE(parse_lex_bound(""));
        CHECK(cachet::parse_lex_range("a", "b").error() == cachet::Errc::invalid_argument);
        CHECK(cachet::lex_range_error == "min or max not valid string range item");
    }

    TEST_CASE("lex ranges, counts and removal (equal scores)") {
        Z l{{"a", 0}, {"b", 0}, {"c", 0}, {"d", 0}, {"e", 0}, {"", 0}};
        CHECK(members(l.range_by_lex(lex_range("-", "+"))) == Strings{"", "a", "b", "c", "d", "e"});
        CHECK(members(l.range_by_lex(lex_range("[b", "(d"))) == Strings{"b", "c"});
        CHECK(members(l.range_by_lex(lex_range("(b", "[d"), 1, 5)) == Strings{"d"});
        CHECK(members(l.range_by_lex(lex_range("[", "(b"))) == Strings{"", "a"});
        CHECK(l.range_by_lex(lex_range("+", "-")).empty());
        CHECK(l.range_by_lex(lex_range("(c", "(c")).empty());
        CHECK(members(l.range_by_lex(lex_range("[c", "[c"))) == Strings{"c"});
        // ZREVRANGEBYLEX l [d (a -> d c b
        CHECK(members(l.range_by_lex(lex_range("(a", "[d"), 0, -1, true)) == Strings{"d", "c", "b"});
        CHECK(members(l.range_by_lex(lex_range("(a", "[d"), 1, 1, true)) == Strings{"c"});
        CHECK(l.range_by_lex(Lex::all(), -1, 1).empty());
        CHECK(l.lex_count(lex_range("-", "+")) == 6);
        CHECK(l.lex_count(lex_range("(a", "[c")) == 2);
        CHECK(l.lex_count(lex_range("+", "+")) == 0);
        CHECK(l.lex_count(lex_range("-", "-")) == 0);
        CHECK(l.lex_count(lex_range("[z", "+")) == 0);
        CHECK(l.remove_range_by_lex(lex_range("(d", "+")) == 1);  // e
        CHECK(members(l) == Strings{"", "a", "b", "c", "d"});
        CHECK(members(l.range_by_lex(lex_range("[", "["))) == Strings{""});
        CHECK(l.remove_range_by_lex(lex_range("[b", "[a")) == 0);
        CHECK(l.remove_range_by_lex(lex_range("-", "(b")) == 2);
        CHECK(members(l) == Strings{"b", "c", "d"});
        CHECK(l.check_invariants());
    }

    TEST_CASE("lex range over mixed scores walks the skiplist as Redis does") {
        // ZADD z 1 a 1 b 2 c 1 x; ZRANGEBYLEX z - + -> a b x c (the list order)
        Z z{{"a", 1}, {"b", 1}, {"c", 2}, {"x", 1}};
        CHECK(members(z.range_by_lex(Lex::all())) == Strings{"a", "b", "x", "c"});
    }

    TEST_CASE("pops") {
        Z z = abcde();
        CHECK(z.pop_min() == V{"a", 1});                              // ZPOPMIN z
        CHECK(z.pop_max(2) == std::vector<V>{{"e", 5}, {"d", 4}});    // ZPOPMAX z 2
        CHECK(z.pop_min(0).empty());                                  // ZPOPMIN z 0
        CHECK(z.pop_min(10) == std::vector<V>{{"b", 2}, {"c", 3}});
        CHECK(z.empty());
        CHECK(z.pop_min() == std::nullopt);
        CHECK(z.pop_max() == std::nullopt);
        CHECK(z.check_invariants());
        z.add("x", 1);  // reusable after being emptied
        CHECK(z.pop_max() == V{"x", 1});
        CHECK(z.check_invariants());
    }

    TEST_CASE("remove ranges by rank, score and lex") {
        Z z = abcde();
        CHECK(z.remove_range_by_rank(-2, -1) == 2);                     // ZREMRANGEBYRANK z -2 -1
        CHECK(z.remove_range_by_rank(5, 10) == 0);
        CHECK(z.remove_range_by_score(score_range("(1", "2")) == 1);     // b
        CHECK(members(z) == Strings{"a", "c"});
        CHECK(z.remove_range_by_score(score_range("3", "1")) == 0);
        CHECK(z.remove_range_by_score(Range::all()) == 2);
        CHECK(z.empty());
        CHECK(z.remove_range_by_rank(0, -1) == 0);
        CHECK(z.remove_range_by_score(Range::all()) == 0);
        CHECK(z.remove_range_by_lex(Lex::all()) == 0);
        Z big;
        for (int i = 0; i < 1000; ++i) big.add("m" + std::to_string(i), i);
        CHECK(big.remove_range_by_rank(100, 899) == 800);
        CHECK(big.size() == 200);
        CHECK(big.rank("m900") == 100u);
        CHECK(big.remove_range_by_score(Range{{50, true}, {950, false}}) == 100);  // 51..99, 900..950
        CHECK(big.size() == 100);
        CHECK(big.check_invariants());
    }

    TEST_CASE("random members: ZRANDMEMBER counts") {
        const Z z = abcde();
        CHECK(z.random_members(0).empty());
        CHECK(Z{}.random_members(5).empty());
        CHECK(Z{}.random_member() == Z{}.end());
        auto rep = z.random_members(-20);  // may repeat
        CHECK(rep.size() == 20);
        for (const auto& v : rep) CHECK(z.score(v.first) == v.second);
        auto all = z.random_members(10);  // more than the size: all, once each
        CHECK(all.size() == 5);
        const std::vector<std::string> all_members = members(all);
        std::set<std::string> distinct(all_members.begin(), all_members.end());
        CHECK(distinct.size() == 5);
        for (long long want : {1, 2, 3, 4}) {
            auto some = z.random_members(want);
            std::vector<std::string> ms = members(some);
            CHECK(some.size() == static_cast<std::size_t>(want));
            CHECK(std::set<std::string>(ms.begin(), ms.end()).size() == some.size());
        }
        Z big;
        for (int i = 0; i < 1000; ++i) big.add(std::to_string(i), i);
        auto few = big.random_members(10);  // the draw-until-distinct strategy
        std::vector<std::string> ms = members(few);
        CHECK(std::set<std::string>(ms.begin(), ms.end()).size() == 10);
        // Every member is eventually drawn.
        std::set<std::string> seen;
        for (int i = 0; i < 200; ++i) seen.insert(z.random_member()->first);
        CHECK(seen.size() == 5);
    }

    TEST_CASE("scan visits every member once when nothing changes, and survives resizes") {
        Z z;
        for (int i = 0; i < 500; ++i) z.add("m" + std::to_string(i), i);
        std::multiset<std::string> got;
        std::uint64_t cursor = 0;
        do cursor = z.scan(cursor, [&](const V& v) { got.insert(v.first); });
        while (cursor != 0);
        CHECK(got.size() == 500);
        CHECK(std::set<std::string>(got.begin(), got.end()).size() == 500);
        // Elements present throughout are seen even while the table shrinks under the scan.
        std::set<std::string> seen;
        cursor = 0;
        int step = 0;
        do {
            cursor = z.scan(cursor, [&](const V& v) { seen.insert(v.first); });
            if (step++ == 3)
                for (int i = 100; i < 500; ++i) z.remove("m" + std::to_string(i));
        } while (cursor != 0);
        for (int i = 0; i < 100; ++i) CHECK(seen.count("m" + std::to_string(i)) == 1);
    }

    TEST_CASE("iteration, copy, move, swap, equality") {
        Z z = abcde();
        std::vector<std::string> rev;
        for (auto it = z.rbegin(); it != z.rend(); ++it) rev.push_back(it->first);
        CHECK(rev == Strings{"e", "d", "c", "b", "a"});
        auto it = z.end();
        --it;
        CHECK(it->first == "e");
        CHECK(std::distance(z.begin(), z.end()) == 5);
        CHECK(z.find("c")->second == 3.0);
        CHECK(z.find("zz") == z.end());

        Z copy = z;
        CHECK(copy == z);
        CHECK(copy.check_invariants());
        copy.add("a", 100);
        CHECK_FALSE(copy == z);
        CHECK(z.score("a") == 1.0);  // deep
        Z moved = std::move(copy);
        CHECK(moved.size() == 5);
        CHECK(copy.empty());  // NOLINT: moved-from is empty and usable
        copy.add("x", 1);
        CHECK(copy.check_invariants());
        swap(moved, copy);
        CHECK(moved.size() == 1);
        CHECK(copy.size() == 5);
        copy = moved;
        CHECK(copy == moved);
        copy = Z{};
        CHECK(copy.empty());
        CHECK(copy.check_invariants());
        z.clear();
        CHECK(z.empty());
        CHECK(z.begin() == z.end());
        CHECK(z.check_invariants());
        z.add("again", 1);
        CHECK(z.check_invariants());
    }

    TEST_CASE("heterogeneous lookup with a transparent hash") {
        struct SvHash {
            using is_transparent = void;
            std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
        };
        cachet::SortedSet<std::string, double, SvHash, std::equal_to<>> z;
        z.add(std::string_view("alpha"), 1);
        z.add("beta", 2);
        CHECK(z.score(std::string_view("alpha")) == 1.0);
        CHECK(z.rank(std::string_view("beta")) == 1u);
        CHECK(z.contains("beta"));
        CHECK(z.remove(std::string_view("alpha")));
        CHECK(z.size() == 1);
        CHECK(z.check_invariants());
    }

    TEST_CASE("integer scores and a custom member order") {
        cachet::SortedSet<int, long long, std::hash<int>, std::equal_to<int>, std::greater<int>> z;
        z.add(1, 5);
        z.add(2, 5);
        z.add(3, 1);
        std::vector<int> order;
        for (const auto& [m, s] : z) order.push_back(m);
        CHECK(order == std::vector<int>{3, 2, 1});  // score, then members descending
        CHECK(z.count(cachet::ScoreRange<long long>::all()) == 3);
        CHECK(z.increment(3, 10).value() == 11);
        CHECK(z.rank(3) == 2u);
        CHECK(z.check_invariants());
    }

    TEST_CASE("a large set keeps ranks, spans and order through mixed updates") {
        Z z;
        std::vector<std::pair<double, std::string>> model;
        for (int i = 0; i < 5000; ++i) z.add("k" + std::to_string(i), (i * 7919) % 1000);
        for (int i = 0; i < 5000; i += 3) z.add("k" + std::to_string(i), (i * 31) % 997);  // moves
        for (int i = 0; i < 5000; i += 5) z.remove("k" + std::to_string(i));
        for (const auto& [m, s] : z) model.emplace_back(s, m);
        CHECK(std::is_sorted(model.begin(), model.end()));
        for (std::size_t r = 0; r < model.size(); r += 97) {
            CHECK(z.rank(model[r].second) == r);
            CHECK(z.nth(r)->first == model[r].second);
        }
        CHECK(z.check_invariants());
    }

    TEST_CASE("aggregates: union, intersection, difference with weights and infinities") {
        // ZADD a 1 x 2 y inf z; ZADD b 10 x -inf z 5 w
        const Z a{{"x", 1}, {"y", 2}, {"z", inf}};
        const Z b{{"x", 10}, {"z", -inf}, {"w", 5}};
        const Z* ab[] = {&a, &b};
        const std::span<const Z* const> sets(ab);
        auto w = [](std::initializer_list<double> l) { return std::vector<double>(l); };
        using cachet::ZAggregate;
        // ZUNION 2 a b WITHSCORES -> z 0, y 2, w 5, x 11 (inf + -inf is 0)
        CHECK(cachet::union_of(sets).range_by_rank(0, -1) ==
              std::vector<V>{{"z", 0}, {"y", 2}, {"w", 5}, {"x", 11}});
        // WEIGHTS 0 1 -> z -inf (0 * inf is 0), y 0, w 5, x 10
        auto w01 = w({0, 1});
        CHECK(cachet::union_of(sets, std::span<const double>(w01)).range_by_rank(0, -1) ==
              std::vector<V>{{"z", -inf}, {"y", 0}, {"w", 5}, {"x", 10}});
        // ZINTER 2 a b -> z 0, x 11
        CHECK(cachet::intersection_of(sets).range_by_rank(0, -1) == std::vector<V>{{"z", 0}, {"x", 11}});
        // WEIGHTS 2 0 -> z 0 (inf + NaN), x 2
        auto w20 = w({2, 0});
        CHECK(cachet::intersection_of(sets, std::span<const double>(w20)).range_by_rank(0, -1) ==
              std::vector<V>{{"z", 0}, {"x", 2}});
        // WEIGHTS 0 2 -> z -inf, x 20
        auto w02 = w({0, 2});
        CHECK(cachet::intersection_of(sets, std::span<const double>(w02)).range_by_rank(0, -1) ==
              std::vector<V>{{"z", -inf}, {"x", 20}});
        // AGGREGATE MIN -> z -inf, x 1
        CHECK(cachet::intersection_of(sets, {}, ZAggregate::min).range_by_rank(0, -1) ==
              std::vector<V>{{"z", -inf}, {"x", 1}});
        // ZUNION WEIGHTS 1 0 AGGREGATE MAX -> w 0, x 1, y 2, z inf
        auto w10 = w({1, 0});
        CHECK(cachet::union_of(sets, std::span<const double>(w10), ZAggregate::max).range_by_rank(0, -1) ==
              std::vector<V>{{"w", 0}, {"x", 1}, {"y", 2}, {"z", inf}});
        // ZUNION WEIGHTS 0 1 AGGREGATE MIN -> z -inf, x 0, y 0, w 5
        CHECK(cachet::union_of(sets, std::span<const double>(w01), ZAggregate::min).range_by_rank(0, -1) ==
              std::vector<V>{{"z", -inf}, {"x", 0}, {"y", 0}, {"w", 5}});
        // ZDIFF 2 a b -> y 2; ZDIFF 2 a a -> empty
        CHECK(cachet::difference_of(sets).range_by_rank(0, -1) == std::vector<V>{{"y", 2}});
        CHECK(cachet::difference_of({&a, &a}).empty());
        const Z* none = nullptr;  // an absent key
        CHECK(cachet::difference_of({&a, none}) == a);
        CHECK(cachet::difference_of({none, &a}).empty());
        // Absent keys: ZUNION 3 a nokey b (as without it); ZINTER 2 a nokey -> empty
        CHECK(cachet::union_of({&a, none, &b}) == cachet::union_of(sets));
        CHECK(cachet::intersection_of({&a, none}).empty());
        CHECK(cachet::intersection_size({&a, none}) == 0);
        // ZINTERCARD 2 a b -> 2; LIMIT 1 -> 1
        CHECK(cachet::intersection_size(sets) == 2);
        CHECK(cachet::intersection_size(sets, 1) == 1);
        // The same set twice: ZUNION 2 a a -> doubled scores; ZINTER 2 a a too.
        CHECK(cachet::union_of({&a, &a}).score("y") == 4.0);
        CHECK(cachet::intersection_of({&a, &a}).score("x") == 2.0);
        // Wrong number of weights.
        auto w1 = w({1});
        CHECK_THROWS_AS((void)cachet::union_of(sets, std::span<const double>(w1)), std::invalid_argument);
        CHECK(cachet::union_of(sets).check_invariants());
    }

    TEST_CASE("aggregates: a NaN from weights in a later set, per aggregate (Redis's rules)") {
        // ZADD c 3 z; ZADD d inf z 1 q; ZINTER 2 c d WEIGHTS 1 0 AGGREGATE SUM|MIN|MAX
        // -> z 0 | z 3 | z 3 (c is smallest, so first; d's 0 * inf is NaN, not zeroed)
        const Z c{{"z", 3}};
        const Z d{{"z", inf}, {"q", 1}};
        const Z* cd[] = {&c, &d};
        const std::span<const Z* const> sets(cd);
        const double w10[] = {1, 0};
        using cachet::ZAggregate;
        CHECK(cachet::intersection_of(sets, std::span<const double>(w10)).score("z") == 0.0);
        CHECK(cachet::intersection_of(sets, std::span<const double>(w10), ZAggregate::min).score("z") == 3.0);
        CHECK(cachet::intersection_of(sets, std::span<const double>(w10), ZAggregate::max).score("z") == 3.0);
        // ZUNION 2 c d WEIGHTS 1 0 -> q 0, z 3 (a NaN weighted score counts as 0)
        CHECK(cachet::union_of(sets, std::span<const double>(w10)).range_by_rank(0, -1) ==
              std::vector<V>{{"q", 0}, {"z", 3}});
    }
}

}  // namespace sorted_set_test
