// ZSetStore: sorted sets per key on the keyspace core. TTL and event rules as redis-server 7.0.15
// applies them (checked with redis-cli while writing these; the tests do not need a server),
// the *STORE operations, ZMPOP, and the blocking pops (wake-up by another thread, FIFO,
// timeout, stop). Also a backend whose values are a variant, as the RESP Database's will be,
// to check that the store never assumes a key holds a sorted set.
#include "support/test_store.hpp"

#include <cachet/detail/keyed_store.hpp>
#include <cachet/sorted_set.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <mutex>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace zset_store_test {

using namespace std::chrono_literals;

namespace {

using Z = cachet::SortedSet<std::string>;
using V = Z::value_type;
using Store = cachet::ZSetStore<std::string, std::string, test::StringHash, std::equal_to<>,
                                cachet::ManualClock, std::mutex>;
using Keys = std::vector<std::string>;
using cachet::ZAddFlags;
constexpr double inf = std::numeric_limits<double>::infinity();

std::span<const std::string> span_of(const Keys& k) { return {k.data(), k.size()}; }

/// Waits (really) until `n` consumers are queued on `key`.
template <class S>
void wait_queued(S& s, const std::string& key, std::size_t n) {
    while (s.backend().waiters().queued(key) < n) std::this_thread::sleep_for(1ms);
}

// ---- a backend whose values are a variant, like the RESP Database's ------------------------

struct WrongType : std::runtime_error {
    WrongType() : std::runtime_error("WRONGTYPE Operation against a key holding the wrong kind of value") {}
};
using Value = std::variant<std::string, Z>;

struct VariantTraits {
    using container_type = Z;
    using value_type = Value;
    using hasher = test::StringHash;
    using key_equal = std::equal_to<>;
    static Z* as(Value& v) {
        if (Z* z = std::get_if<Z>(&v)) return z;
        throw WrongType();
    }
    static const Z* as(const Value& v) {
        if (const Z* z = std::get_if<Z>(&v)) return z;
        throw WrongType();
    }
    static Z* try_as(Value& v) noexcept { return std::get_if<Z>(&v); }
    static const Z* try_as(const Value& v) noexcept { return std::get_if<Z>(&v); }
    [[noreturn]] static void wrong_type() { throw WrongType(); }
    static Value make(Z&& c) { return Value(std::move(c)); }
    static bool is_empty(const Value& v) noexcept {
        const Z* z = std::get_if<Z>(&v);
        return z && z->empty();
    }
};

using VariantCore = cachet::Keyspace<std::string, Value, test::StringHash, std::equal_to<>,
                                     cachet::ManualClock, std::mutex>;
using VariantOps = cachet::detail::KeyspaceBackend<VariantCore, VariantTraits>;

/// The core and registry a VariantBackend owns (a base, so they exist before the operations).
struct VariantParts {
    VariantParts(cachet::StoreOptions<std::string, Value> options, cachet::ManualClock clock)
        : owned_core(std::move(options), std::move(clock)) {}
    VariantCore owned_core;
    VariantOps::registry_type owned_waiters;
};

/// A backend over a keyspace of variants, as the Database's: the store's operations come from
/// the same KeyspaceBackend, and a key of the other type throws WrongType.
class VariantBackend : private VariantParts, public VariantOps {
public:
    using options_type = cachet::StoreOptions<std::string, Value>;
    explicit VariantBackend(options_type options = {}, cachet::ManualClock clock = cachet::ManualClock{})
        : VariantParts(std::move(options), std::move(clock)), VariantOps(owned_core, owned_waiters) {}
};
using VariantStore = cachet::BasicZSetStore<VariantBackend>;

void set_string(VariantStore& s, const std::string& key, std::string v) {
    s.core().access(key, [&](auto& slot) { slot.emplace(std::move(v)); });
}

}  // namespace

TEST_SUITE("zset_store") {
    TEST_CASE("the header's example: a leaderboard on the default store") {
        cachet::ZSetStore<std::string, std::string> boards;  // SteadyClock, SpinMutex
        boards.add("game:1", "alice", 310);
        boards.add("game:1", "bob", 270);
        boards.add("game:1", "carol", 450);
        auto top = boards.range_by_rank("game:1", 0, 9, /*reverse=*/true);  // the top 10
        CHECK(top == std::vector<V>{{"carol", 450}, {"alice", 310}, {"bob", 270}});
        CHECK(boards.reverse_rank("game:1", "bob") == 2u);
        CHECK(boards.rank("game:1", "bob") == 0u);
        static_assert(std::is_same_v<decltype(boards)::zset_type, cachet::SortedSet<std::string>>);
        static_assert(std::is_same_v<decltype(boards)::score_type, double>);
    }

    TEST_CASE("per-key operations") {
        cachet::ManualClock clock;
        Store s({}, clock);
        CHECK(s.add("k", "a", 1));
        CHECK(s.add("k", "b", 2));
        CHECK_FALSE(s.add("k", "a", 3));
        CHECK(s.cardinality("k") == 2);
        CHECK(s.cardinality("none") == 0);
        CHECK(s.score("k", "a") == 3.0);
        CHECK(s.score("none", "a") == std::nullopt);
        CHECK(s.rank("k", "a") == 1u);
        CHECK(s.reverse_rank("k", "a") == 0u);
        CHECK(s.rank("none", "a") == std::nullopt);
        CHECK(s.increment("k", "c", 0.5).value() == 0.5);
        CHECK(s.scores("k", std::vector<std::string>{"a", "x", "c"}) ==
              std::vector<std::optional<double>>{3.0, std::nullopt, 0.5});
        CHECK(s.range_by_rank("k", 0, -1) == std::vector<V>{{"c", 0.5}, {"b", 2}, {"a", 3}});
        CHECK(s.range_by_rank("k", 0, 0, true) == std::vector<V>{{"a", 3}});
        CHECK(s.range_by_score("k", cachet::ScoreRange<double>::closed(1, 5)) == std::vector<V>{{"b", 2}, {"a", 3}});
        CHECK(s.range_by_score("k", cachet::ScoreRange<double>::all(), 1, 1, true) == std::vector<V>{{"b", 2}});
        CHECK(s.count("k", cachet::ScoreRange<double>::closed(1, 5)) == 2);
        CHECK(s.range_by_rank("none", 0, -1).empty());
        CHECK(s.remove("k", "zz") == false);
        CHECK(s.remove("k", {"a", "zz"}) == 1);
        CHECK(s.get("k")->size() == 2);
        CHECK(s.get("none") == std::nullopt);
        CHECK(s.visit("k", [](const Z* z) { return z ? z->size() : 0; }) == 2);
        CHECK(s.random_member("k").has_value());
        CHECK(s.random_member("none") == std::nullopt);
        CHECK(s.random_members("k", -5).size() == 5);
        CHECK(s.random_members("none", 3).empty());
        auto [cursor, all] = s.scan("k", 0, 100);
        CHECK(cursor == 0);
        CHECK(all.size() == 2);
        CHECK(s.check_invariants());
    }

    TEST_CASE("ZADD flags through the store; XX on an absent key creates nothing; NaN errors") {
        Store s;
        CHECK(s.add("k", {{"a", 1}, {"b", 2}, {"c", 3}}) == 3);
        CHECK(s.add("k", {{"a", 1}, {"b", 7}, {"n", 3}}) == 1);
        CHECK((*s.add("k", {{"b", 2}, {"n", 3}}, ZAddFlags::ch)).count == 1);
        CHECK(s.remove("k", "n"));
        // ZADD k GT CH 0 a 5 b 9 d -> 2
        CHECK((*s.add("k", {{"a", 0}, {"b", 5}, {"d", 9}}, ZAddFlags::gt | ZAddFlags::ch)).count == 2);
        CHECK((*s.add("k", {{"a", -1}}, ZAddFlags::gt | ZAddFlags::incr)).score == std::nullopt);
        CHECK((*s.add("k", {{"a", -1}}, ZAddFlags::lt | ZAddFlags::incr)).score == 0.0);
        CHECK((*s.add("k", {{"a", 0}}, ZAddFlags::incr)).score == 0.0);  // processed, unchanged
        auto xx = s.add("absent", {{"a", 1}}, ZAddFlags::xx);
        CHECK((*xx).count == 0);
        CHECK_FALSE(s.contains("absent"));
        CHECK((*s.add("absent", {{"a", 1}}, ZAddFlags::xx | ZAddFlags::incr)).score == std::nullopt);
        CHECK_FALSE(s.contains("absent"));
        // NaN in any pair: nothing is added.
        auto bad = s.add("k2", {{"a", 1}, {"b", std::numeric_limits<double>::quiet_NaN()}}, ZAddFlags::none);
        CHECK(bad.error() == cachet::Errc::invalid_argument);
        CHECK_THROWS_AS(s.add("k2", {{"a", 1}, {"b", std::numeric_limits<double>::quiet_NaN()}}),
                        std::invalid_argument);
        CHECK_FALSE(s.contains("k2"));
        CHECK_THROWS_AS(s.add("k2", "a", std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
        CHECK_FALSE(s.contains("k2"));
        // INCR to NaN: ZADD k INCR -inf x after ZADD k inf x -> error, x unchanged.
        s.add("k", "x", inf);
        CHECK(s.add("k", {{"x", -inf}}, ZAddFlags::incr).error() == cachet::Errc::overflow);
        CHECK(s.increment("k", "x", -inf).error() == cachet::Errc::overflow);
        CHECK(s.score("k", "x") == inf);
        CHECK(s.increment("new", "m", std::numeric_limits<double>::quiet_NaN()).error() ==
              cachet::Errc::invalid_argument);
        CHECK_FALSE(s.contains("new"));
    }

    TEST_CASE("TTL kept by writes, gone with the emptied key, dropped by *STORE destinations") {
        cachet::ManualClock clock;
        Store s({}, clock);
        s.add("k", {{"a", 1}, {"b", 2}});
        CHECK(s.expire("k", 100s));
        s.add("k", "c", 3);              // ZADD keeps the TTL
        CHECK(s.ttl("k").remaining == 100s);
        (void)s.increment("k", "a", 1);  // ZINCRBY too
        s.remove("k", "a");              // ZREM too
        CHECK(s.ttl("k").remaining == 100s);
        CHECK(s.pop_min("k", 5).size() == 2);  // emptied: deleted
        CHECK_FALSE(s.contains("k"));
        s.add("k", "a", 1);
        CHECK(s.ttl("k").state == cachet::KeyTtl::State::persistent);  // a new key
        // ZUNIONSTORE / ZRANGESTORE into a key with a TTL: the destination has none after.
        s.add("src", "x", 1);
        s.add("dst", "y", 5);
        s.expire("dst", 100s);
        const Keys src{"src"};
        CHECK(s.union_store("dst", span_of(src)) == 1);
        CHECK(s.ttl("dst").state == cachet::KeyTtl::State::persistent);
        CHECK(s.range_by_rank("dst", 0, -1) == std::vector<V>{{"x", 1}});
        s.expire("dst", 100s);
        CHECK(s.range_store_by_rank("dst", "src", 0, -1) == 1);
        CHECK(s.ttl("dst").state == cachet::KeyTtl::State::persistent);
        // The TTL still works: a set expires like any key.
        s.expire("src", 10s);
        clock.advance(11s);
        CHECK_FALSE(s.contains("src"));
        CHECK(s.cardinality("src") == 0);
    }

    TEST_CASE("a write that empties a set deletes its key") {
        Store s;
        s.add("k", {{"a", 1}, {"b", 2}, {"c", 3}});
        CHECK(s.remove_range_by_score("k", cachet::ScoreRange<double>::closed(10, 20)) == 0);
        CHECK(s.remove_range_by_rank("k", 0, 0) == 1);
        CHECK(s.remove_range_by_lex("k", cachet::LexRange<std::string>::all()) == 2);
        CHECK_FALSE(s.contains("k"));
        s.add("k", "a", 1);
        CHECK(s.remove("k", "a"));
        CHECK_FALSE(s.contains("k"));
        s.add("k", "a", 1);
        CHECK(s.pop_max("k").size() == 1);
        CHECK_FALSE(s.contains("k"));
        CHECK(s.pop_max("k").empty());
        CHECK(s.size() == 0);
    }

    TEST_CASE("events as Redis names them; a write that changes nothing reports nothing") {
        std::vector<std::string> events;
        std::vector<std::string> removals;
        std::mutex m;
        cachet::ManualClock clock;
        Store s(Store::backend_type::options_type{
                    .removal_listener =
                        [&](const std::string& k, const Z&, cachet::RemovalCause c) {
                            std::lock_guard lock(m);
                            removals.push_back(std::string(cachet::to_string(c)) + " " + k);
                        },
                    .write_listener =
                        [&](const std::string& k, cachet::WriteEvent, std::string_view name) {
                            std::lock_guard lock(m);
                            events.push_back(std::string(name) + " " + k);
                        }},
                clock);
        s.add("e", "a", 1);                                      // new, zadd (creates the key)
        (void)s.add("e", {{"a", 2}}, ZAddFlags::nx);             // nothing
        s.remove("e", "nope");                                   // nothing
        s.remove_range_by_score("e", cachet::ScoreRange<double>::closed(5, 6));  // nothing
        (void)s.add("e", {{"a", 0}}, ZAddFlags::incr);           // nothing (INCR 0)
        (void)s.increment("e", "a", 0);                          // nothing
        s.add("e", "a", 1);                                      // nothing (same score)
        CHECK(s.pop_min("e", 0).empty());                        // nothing
        CHECK(events == std::vector<std::string>{"new e", "zadd e"});
        (void)s.increment("e", "a", 1);                          // zincr
        s.add("e", "b", 5);                                      // zadd
        s.add("e", "c", 6);                                      // zadd
        s.remove("e", "b");                                      // zrem
        CHECK(s.pop_min("e", 1).size() == 1);                    // zpopmin
        CHECK(s.pop_min("e").size() == 1);  // emptied: zpopmin, then the removal (Redis: del)
        CHECK(events ==
              std::vector<std::string>{"new e", "zadd e", "zincr e", "zadd e", "zadd e", "zrem e", "zpopmin e", "zpopmin e"});
        CHECK(removals == std::vector<std::string>{"erased e"});
        events.clear();
        removals.clear();
        const Keys none{"nokey"};
        CHECK(s.union_store("d2", span_of(none)) == 0);  // nothing: no key created or deleted
        CHECK(events.empty());
        CHECK(removals.empty());
        s.add("src", "x", 1);
        const Keys src{"src"};
        s.union_store("d", span_of(src));
        s.inter_store("d", span_of(src));
        s.diff_store("d", span_of(src));
        s.range_store_by_rank("d", "src", 0, -1);
        s.add("src", "y", 2);
        s.add("src", "z", 3);
        s.remove_range_by_rank("src", 0, 0);
        s.remove_range_by_lex("src", *cachet::parse_lex_range("[y", "[y"));
        s.remove_range_by_score("src", cachet::ScoreRange<double>::closed(100, 200));  // nothing
        s.remove_range_by_score("src", cachet::ScoreRange<double>::closed(0, 200));    // emptied
        CHECK(events == std::vector<std::string>{"new src", "zadd src", "new d", "zunionstore d", "zinterstore d", "zdiffstore d",
                                                 "zrangestore d", "zadd src", "zadd src", "zremrangebyrank src",
                                                 "zremrangebylex src", "zremrangebyscore src"});
        CHECK_FALSE(s.contains("src"));
        CHECK(std::count(removals.begin(), removals.end(), "replaced d") == 3);  // the 3 overwrites
        // An empty result deletes an existing destination: one removal, the old value.
        removals.clear();
        CHECK(s.inter_store("d", span_of(none)) == 0);
        CHECK_FALSE(s.contains("d"));
        CHECK(removals == std::vector<std::string>{"erased d"});
    }

    TEST_CASE("union / inter / diff into a destination, with weights; dst may be a source") {
        Store s;
        s.add("a", {{"x", 1}, {"y", 2}, {"z", inf}});
        s.add("b", {{"x", 10}, {"z", -inf}, {"w", 5}});
        const Keys ab{"a", "b"};
        CHECK(s.union_store("u", span_of(ab)) == 4);
        CHECK(s.range_by_rank("u", 0, -1) == std::vector<V>{{"z", 0}, {"y", 2}, {"w", 5}, {"x", 11}});
        const double w20[] = {2, 0};
        CHECK(s.inter_store("i", span_of(ab), std::span<const double>(w20)) == 2);
        CHECK(s.range_by_rank("i", 0, -1) == std::vector<V>{{"z", 0}, {"x", 2}});
        CHECK(s.diff_store("d", span_of(ab)) == 1);
        CHECK(s.range_by_rank("d", 0, -1) == std::vector<V>{{"y", 2}});
        // ZUNIONSTORE a 2 a b AGGREGATE MAX: the destination is one of the sources.
        CHECK(s.union_store("a", span_of(ab), {}, cachet::ZAggregate::max) == 4);
        CHECK(s.range_by_rank("a", 0, -1) == std::vector<V>{{"y", 2}, {"w", 5}, {"x", 10}, {"z", inf}});
        CHECK(s.union_of_keys(span_of(ab)).size() == 4);
        CHECK(s.inter_of_keys(span_of(ab)).size() == 3);
        CHECK(s.diff_of_keys(span_of(ab)).size() == 1);  // y
        CHECK(s.inter_card(span_of(ab)) == 3);
        CHECK(s.inter_card(span_of(ab), 2) == 2);
        const Keys with_absent{"a", "nokey"};
        CHECK(s.inter_card(span_of(with_absent)) == 0);
        CHECK(s.inter_store("i", span_of(with_absent)) == 0);
        CHECK_FALSE(s.contains("i"));
        const double one[] = {1};
        CHECK_THROWS_AS(s.union_store("u", span_of(ab), std::span<const double>(one)), std::invalid_argument);
        CHECK(s.check_invariants());
    }

    TEST_CASE("ZRANGESTORE by rank, score and lex") {
        Store s;
        s.add("src", {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}});
        CHECK(s.range_store_by_rank("dst", "src", 1, 2) == 2);
        CHECK(s.range_by_rank("dst", 0, -1) == std::vector<V>{{"b", 2}, {"c", 3}});
        CHECK(s.range_store_by_rank("dst", "src", 0, 1, true) == 2);
        CHECK(s.range_by_rank("dst", 0, -1) == std::vector<V>{{"c", 3}, {"d", 4}});
        CHECK(s.range_store_by_score("dst", "src", *cachet::parse_score_range("(1", "+inf"), 1, 1) == 1);
        CHECK(s.range_by_rank("dst", 0, -1) == std::vector<V>{{"c", 3}});
        // ZRANGESTORE dst src (5 10 BYSCORE -> 0, and dst is deleted
        CHECK(s.range_store_by_score("dst", "src", *cachet::parse_score_range("(5", "10")) == 0);
        CHECK_FALSE(s.contains("dst"));
        s.add("lex", {{"a", 0}, {"b", 0}, {"c", 0}});
        CHECK(s.range_store_by_lex("dst", "lex", *cachet::parse_lex_range("(a", "+")) == 2);
        CHECK(s.range_by_rank("dst", 0, -1) == std::vector<V>{{"b", 0}, {"c", 0}});
        CHECK(s.lex_count("dst", cachet::LexRange<std::string>::all()) == 2);
        CHECK(s.range_by_lex("dst", *cachet::parse_lex_range("[c", "+")) == std::vector<V>{{"c", 0}});
        CHECK(s.range_store_by_rank("src", "src", 0, 0) == 1);  // src == dst
        CHECK(s.range_by_rank("src", 0, -1) == std::vector<V>{{"a", 1}});
        CHECK(s.range_store_by_rank("dst", "nokey", 0, -1) == 0);
        CHECK_FALSE(s.contains("dst"));
    }

    TEST_CASE("ZMPOP pops from the first key that holds a set") {
        Store s;
        s.add("b", {{"x", 1}, {"y", 2}});
        const Keys ab{"a", "b"};
        auto got = s.pop(span_of(ab), cachet::ZEnd::min, 5);  // ZMPOP 2 a b MIN COUNT 5
        REQUIRE(got);
        CHECK(got->first == "b");
        CHECK(got->second == std::vector<V>{{"x", 1}, {"y", 2}});
        CHECK_FALSE(s.contains("b"));
        const Keys a{"a"};
        CHECK(s.pop(span_of(a), cachet::ZEnd::max) == std::nullopt);
        CHECK_THROWS_AS(s.pop(span_of(ab), cachet::ZEnd::max, 0), std::invalid_argument);
        s.add("a", {{"p", 1}, {"q", 2}});
        auto one = s.pop(span_of(ab), cachet::ZEnd::max);
        REQUIRE(one);
        CHECK(one->second == std::vector<V>{{"q", 2}});
    }

    TEST_CASE("blocking pop: immediate when a key holds a set, first key first") {
        Store s;
        s.add("k2", {{"a", 1}, {"b", 2}});
        s.add("k3", "z", 0);
        auto got = s.pop_min_wait({"k1", "k2", "k3"}, 1s);
        REQUIRE(got);
        CHECK(*got == std::tuple<std::string, std::string, double>{"k2", "a", 1});
        auto mx = s.pop_max_wait("k2", 1s);
        CHECK(*mx == std::tuple<std::string, std::string, double>{"k2", "b", 2});
        CHECK_FALSE(s.contains("k2"));
        CHECK_THROWS_AS(s.pop_min_wait("k2", -1s), std::invalid_argument);
        CHECK_THROWS_AS(s.pop_min_wait(std::span<const std::string>{}, 1s), std::invalid_argument);
        CHECK_THROWS_AS(s.pop_wait(std::span<const std::string>{}, cachet::ZEnd::min, 1, 1s),
                        std::invalid_argument);
    }

    TEST_CASE("blocking pop is woken by an add from another thread") {
        Store s;
        std::optional<std::tuple<std::string, std::string, double>> got;
        std::thread consumer([&] { got = s.pop_min_wait({"a", "b"}, 10s); });
        wait_queued(s, "b", 1);
        s.add("b", {{"m2", 2}, {"m1", 1}});  // ZADD replies before the consumer takes its element
        consumer.join();
        REQUIRE(got);
        CHECK(*got == std::tuple<std::string, std::string, double>{"b", "m1", 1});
        CHECK(s.range_by_rank("b", 0, -1) == std::vector<V>{{"m2", 2}});
        CHECK(s.backend().waiters().queued("a") == 0);  // unregistered from the other key
        // BZPOPMAX by a ZUNIONSTORE into the key it waits on.
        std::thread c2([&] { got = s.pop_max_wait("dst", 10s); });
        wait_queued(s, "dst", 1);
        const Keys src{"b"};
        CHECK(s.union_store("dst", span_of(src)) == 1);
        c2.join();
        CHECK(*got == std::tuple<std::string, std::string, double>{"dst", "m2", 2});
        CHECK_FALSE(s.contains("dst"));  // the consumer emptied it
    }

    TEST_CASE("blocked consumers on a key are served first come, first served") {
        Store s;
        std::vector<std::string> got(3);
        std::vector<std::thread> threads;
        for (int i = 0; i < 3; ++i) {
            threads.emplace_back([&, i] {
                auto r = s.pop_min_wait("k", 10s);
                got[static_cast<std::size_t>(i)] = r ? std::get<1>(*r) : "timeout";
            });
            wait_queued(s, "k", static_cast<std::size_t>(i) + 1);
        }
        s.add("k", {{"c", 3}, {"a", 1}, {"b", 2}});  // one write serves all three, in order
        for (auto& t : threads) t.join();
        CHECK(got == std::vector<std::string>{"a", "b", "c"});
        CHECK_FALSE(s.contains("k"));
    }

    TEST_CASE("blocking pop times out, and stops on request") {
        Store s;
        const auto t0 = std::chrono::steady_clock::now();
        CHECK(s.pop_min_wait("k", 30ms) == std::nullopt);
        CHECK(std::chrono::steady_clock::now() - t0 >= 30ms);
        CHECK(s.backend().waiters().queued("k") == 0);
        s.add("k", "a", 1);  // nobody takes it
        CHECK(s.cardinality("k") == 1);
        s.remove("k", "a");

        std::stop_source stop;
        std::optional<std::tuple<std::string, std::string, double>> got{std::tuple{"x", "x", 0.0}};
        std::thread consumer([&] { got = s.pop_max_wait({"k", "j"}, 0s, stop.get_token()); });  // 0: forever
        wait_queued(s, "j", 1);
        stop.request_stop();
        consumer.join();
        CHECK(got == std::nullopt);
        CHECK(s.backend().waiters().queued("k") == 0);
        CHECK(s.backend().waiters().queued("j") == 0);
        // std::jthread's token works too.
        std::jthread jt([&](std::stop_token st) { got = s.pop_min_wait("k", 0s, st); });
        wait_queued(s, "k", 1);
        jt.request_stop();
        jt.join();
        CHECK(got == std::nullopt);
    }

    TEST_CASE("BZMPOP: blocking multi-pop takes up to count from one key") {
        Store s;
        std::optional<std::pair<std::string, std::vector<V>>> got;
        const Keys keys{"x", "y"};
        std::thread consumer([&] { got = s.pop_wait(span_of(keys), cachet::ZEnd::max, 2, 10s); });
        wait_queued(s, "y", 1);
        s.add("y", {{"a", 1}, {"b", 2}, {"c", 3}});
        consumer.join();
        REQUIRE(got);
        CHECK(got->first == "y");
        CHECK(got->second == std::vector<V>{{"c", 3}, {"b", 2}});
        CHECK(s.range_by_rank("y", 0, -1) == std::vector<V>{{"a", 1}});
        auto now = s.pop_wait(span_of(keys), cachet::ZEnd::min, 5, 10ms);  // immediate
        REQUIRE(now);
        CHECK(now->second == std::vector<V>{{"a", 1}});
        CHECK(s.pop_wait(span_of(keys), cachet::ZEnd::min, 5, 10ms) == std::nullopt);
    }

    TEST_CASE("stress: every added member is popped exactly once") {
        Store s;
        constexpr int producers = 2, consumers = 3, per_producer = 2000;
        std::atomic<int> popped{0};
        std::mutex m;
        std::set<std::string> seen;
        std::atomic<int> duplicates{0};
        std::vector<std::thread> threads;
        for (int c = 0; c < consumers; ++c) {
            threads.emplace_back([&, c] {
                while (popped.load() < producers * per_producer) {
                    auto got = c % 2 ? s.pop_min_wait({"k1", "k2"}, 5ms) : s.pop_max_wait({"k2", "k1"}, 5ms);
                    if (!got) continue;
                    std::lock_guard lock(m);
                    if (!seen.insert(std::get<1>(*got)).second) ++duplicates;
                    ++popped;
                }
            });
        }
        for (int p = 0; p < producers; ++p) {
            threads.emplace_back([&, p] {
                for (int i = 0; i < per_producer; ++i)
                    s.add(p ? "k2" : "k1", "p" + std::to_string(p) + ":" + std::to_string(i), i);
            });
        }
        for (auto& t : threads) t.join();
        CHECK(popped.load() == producers * per_producer);
        CHECK(duplicates.load() == 0);
        CHECK(seen.size() == static_cast<std::size_t>(producers * per_producer));
        CHECK(s.size() == 0);
        CHECK(s.check_invariants());
    }

    TEST_CASE("a backend of variants: wrong-type keys throw and change nothing") {
        VariantStore s;
        set_string(s, "str", "hello");
        s.add("z", "a", 1);
        CHECK_THROWS_AS(s.add("str", "a", 1), WrongType);
        CHECK_THROWS_AS((void)s.score("str", "a"), WrongType);
        CHECK_THROWS_AS((void)s.cardinality("str"), WrongType);
        CHECK_THROWS_AS(s.remove("str", "a"), WrongType);
        CHECK_THROWS_AS(s.pop_min("str"), WrongType);
        CHECK_THROWS_AS((void)s.range_by_rank("str", 0, -1), WrongType);
        CHECK_THROWS_AS(s.remove_range_by_rank("str", 0, -1), WrongType);
        // A wrong-type source fails the whole *STORE before the destination changes.
        const Keys bad{"z", "str"};
        CHECK_THROWS_AS(s.union_store("z", span_of(bad)), WrongType);
        CHECK(s.range_by_rank("z", 0, -1) == std::vector<V>{{"a", 1}});
        // A destination of another type is replaced (ZUNIONSTORE str 1 z).
        const Keys z{"z"};
        CHECK(s.union_store("str", span_of(z)) == 1);
        CHECK(s.range_by_rank("str", 0, -1) == std::vector<V>{{"a", 1}});
        set_string(s, "str", "again");
        CHECK(s.inter_store("str", span_of(Keys{"nokey"})) == 0);  // empty result: deleted
        CHECK_FALSE(s.contains("str"));
        // ZMPOP / BZPOPMIN check keys in order: a set before the string is popped, a string
        // before any set is an error, and the blocked consumer is not left registered.
        set_string(s, "str", "x");
        const Keys z_then_str{"z", "str"};
        CHECK(s.pop(span_of(z_then_str), cachet::ZEnd::min)->first == "z");
        s.add("z", "a", 1);
        const Keys str_then_z{"str", "z"};
        CHECK_THROWS_AS(s.pop(span_of(str_then_z), cachet::ZEnd::min), WrongType);
        CHECK_THROWS_AS(s.pop_min_wait(std::span<const std::string>(str_then_z), 10ms), WrongType);
        const Keys empty_then_str{"none", "str"};
        CHECK_THROWS_AS(s.pop_min_wait(std::span<const std::string>(empty_then_str), 10ms), WrongType);
        CHECK(s.backend().waiters().queued("none") == 0);
        CHECK(s.cardinality("z") == 1);
        // Blocking on an absent key of a variant store works as usual.
        std::optional<std::tuple<std::string, std::string, double>> got;
        std::thread consumer([&] { got = s.pop_min_wait("q", 10s); });
        wait_queued(s, "q", 1);
        s.add("q", "m", 7);
        consumer.join();
        CHECK(*got == std::tuple<std::string, std::string, double>{"q", "m", 7});
        CHECK_FALSE(s.contains("q"));
    }
}

}  // namespace zset_store_test
