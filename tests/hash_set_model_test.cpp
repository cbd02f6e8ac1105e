// HashStore and SetStore against simple models (std::unordered_map of std::map / std::set with
// a deadline per key) over seeded random operations, TTLs included; and both stores over a
// Database-like backend (one keyspace of variant values whose wrong-type access throws), which
// checks that no operation assumes what a key holds and that Redis's WRONGTYPE order holds.
// Set CACHET_SEED to replay a failing seed (it is printed with every failure).
#include "support/test_store.hpp"

#include <cachet/hash_store.hpp>
#include <cachet/set_store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace hash_set_model_test {

using namespace std::chrono_literals;

namespace {

std::uint64_t pick_seed() {
    if (const char* s = std::getenv("CACHET_SEED")) return std::strtoull(s, nullptr, 10);
    return std::random_device{}();
}

/// The TTL side of a model: a deadline (ms since the test started) per key that has one.
struct Deadlines {
    std::uint64_t now = 0;
    std::unordered_map<int, std::uint64_t> at;

    template <class Data>
    void advance(std::uint64_t ms, Data& data) {
        now += ms;
        for (auto it = at.begin(); it != at.end();) {
            if (it->second <= now) {
                data.erase(it->first);
                it = at.erase(it);
            } else {
                ++it;
            }
        }
    }
    template <class Store>
    void check(Store& store, int key, bool exists) {
        const cachet::KeyTtl ttl = store.ttl(key);
        CHECK(ttl.exists() == exists);
        if (!exists) return;
        auto it = at.find(key);
        if (it == at.end()) {
            CHECK(ttl.state == cachet::KeyTtl::State::persistent);
        } else {
            CHECK(ttl.state == cachet::KeyTtl::State::expiring);
            CHECK(ttl.remaining.count() == static_cast<long long>(it->second - now));
        }
    }
};

using HashModelStore = cachet::HashStore<int, int, long long, std::hash<int>, std::equal_to<int>,
                                         cachet::ManualClock, std::mutex>;
using SetModelStore = cachet::SetStore<int, int, std::hash<int>, std::equal_to<int>,
                                       cachet::ManualClock, std::mutex>;

template <class T>
std::vector<T> sorted(std::vector<T> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// ---------------------------------------------------------------- a Database-like backend

struct WrongType : std::runtime_error {
    WrongType()
        : std::runtime_error("WRONGTYPE Operation against a key holding the wrong kind of value") {}
};
using StrHash = cachet::HashMap<std::string, std::string>;
using StrSet = cachet::HashSet<std::string>;
using Value = std::variant<std::string, StrHash, StrSet>;

template <class Container>
struct VariantTraits {
    using container_type = Container;
    using value_type = Value;
    using hasher = test::StringHash;
    using key_equal = std::equal_to<>;
    static Container* as(Value& v) {
        if (Container* c = std::get_if<Container>(&v)) return c;
        throw WrongType();
    }
    static const Container* as(const Value& v) {
        if (const Container* c = std::get_if<Container>(&v)) return c;
        throw WrongType();
    }
    static Container* try_as(Value& v) noexcept { return std::get_if<Container>(&v); }
    static const Container* try_as(const Value& v) noexcept { return std::get_if<Container>(&v); }
    [[noreturn]] static void wrong_type() { throw WrongType(); }
    static Value make(Container&& c) { return Value(std::move(c)); }
    static bool is_empty(const Value& v) noexcept {
        const Container* c = std::get_if<Container>(&v);
        return c && c->empty();
    }
};

using Core = cachet::Keyspace<std::string, Value, test::StringHash, std::equal_to<>,
                              cachet::ManualClock, std::mutex>;
template <class Container>
using VariantBackend = cachet::detail::KeyspaceBackend<Core, VariantTraits<Container>>;
using DbHashes = cachet::BasicHashStore<VariantBackend<StrHash>>;
using DbSets = cachet::BasicSetStore<VariantBackend<StrSet>>;

/// One keyspace holding strings, hashes and sets, with a hash view and a set view over it.
struct Database {
    cachet::ManualClock clock;
    Core core{{}, clock};
    VariantBackend<StrHash>::registry_type hash_waiters;
    VariantBackend<StrSet>::registry_type set_waiters;
    DbHashes hashes{std::in_place, core, hash_waiters};
    DbSets sets{std::in_place, core, set_waiters};

    void set_string(const std::string& key, std::string v) {
        core.access(key, [&](auto& slot) { slot.emplace(std::move(v)); });
    }
    std::string type(const std::string& key) {
        std::string t = "none";
        core.read(key, [&](const std::string&, const Value& v) {
            t = v.index() == 0 ? "string" : v.index() == 1 ? "hash" : "set";
        });
        return t;
    }
};

}  // namespace

TEST_SUITE("hash_store") {
    TEST_CASE("model: random operations agree with std::unordered_map<K, std::map<F, V>>") {
        const std::uint64_t seed = pick_seed();
        CAPTURE(seed);
        std::mt19937_64 rng(seed);
        cachet::ManualClock clock;
        HashModelStore store({.shards = 4}, clock);
        std::unordered_map<int, std::map<int, long long>> model;
        Deadlines ttl;
        auto rnd = [&](std::uint64_t n) { return static_cast<int>(rng() % n); };
        auto value = [&]() -> long long {
            switch (rnd(4)) {
                case 0: return LLONG_MAX - rnd(3);
                case 1: return LLONG_MIN + rnd(3);
                default: return rnd(21) - 10;
            }
        };
        auto settle = [&](int k) {  // Redis: an emptied hash is deleted, TTL and all
            if (model.count(k) && model[k].empty()) {
                model.erase(k);
                ttl.at.erase(k);
            }
        };
        for (int step = 0; step < 20000; ++step) {
            CAPTURE(step);
            const int k = rnd(8), f = rnd(12);
            const int op = rnd(17);
            CAPTURE(op);
            switch (op) {
                case 0: {
                    const long long v = value();
                    CHECK(store.set(k, f, v) == !(model.count(k) && model[k].count(f)));
                    model[k][f] = v;
                    break;
                }
                case 1: {
                    std::vector<std::pair<int, long long>> pairs;
                    for (int i = rnd(4); i >= 0; --i) pairs.emplace_back(rnd(12), value());
                    std::set<int> fresh;
                    for (auto& [pf, pv] : pairs)
                        if (!(model.count(k) && model[k].count(pf))) fresh.insert(pf);
                    CHECK(store.set(k, pairs) == fresh.size());
                    for (auto& [pf, pv] : pairs) model[k][pf] = pv;
                    break;
                }
                case 2: {
                    const bool absent = !(model.count(k) && model[k].count(f));
                    CHECK(store.set_if_absent(k, f, 7) == absent);
                    if (absent) model[k][f] = 7;
                    break;
                }
                case 3: {
                    const bool present = model.count(k) && model[k].erase(f);
                    CHECK(store.remove(k, f) == present);
                    settle(k);
                    break;
                }
                case 4: {
                    std::vector<int> fs{f, rnd(12), f};
                    std::size_t n = 0;
                    if (model.count(k))
                        for (int x : std::set<int>(fs.begin(), fs.end())) n += model[k].erase(x);
                    CHECK(store.remove(k, fs) == n);
                    settle(k);
                    break;
                }
                case 5: {
                    const long long delta = value();
                    const long long cur = model.count(k) && model[k].count(f) ? model[k][f] : 0;
                    long long next;
                    const bool overflow = __builtin_add_overflow(cur, delta, &next);
                    const auto r = store.increment(k, f, delta);
                    REQUIRE(r.has_value() == !overflow);
                    if (overflow) {
                        CHECK(r.error() == cachet::Errc::overflow);
                    } else {
                        CHECK(*r == next);
                        model[k][f] = next;
                    }
                    break;
                }
                case 6: {
                    const auto got = store.get(k, f);
                    const bool present = model.count(k) && model[k].count(f);
                    REQUIRE(got.has_value() == present);
                    if (present) CHECK(*got == model[k][f]);
                    const std::vector<int> fs{f, rnd(12)};
                    const auto many = store.get_many(k, fs);
                    for (std::size_t i = 0; i < fs.size(); ++i) {
                        const bool p = model.count(k) && model[k].count(fs[i]);
                        REQUIRE(many[i].has_value() == p);
                        if (p) CHECK(*many[i] == model[k][fs[i]]);
                    }
                    break;
                }
                case 7: {
                    std::vector<std::pair<int, long long>> want;
                    std::vector<int> want_fields;
                    std::vector<long long> want_values;
                    if (model.count(k))
                        for (auto& [mf, mv] : model[k]) {
                            want.emplace_back(mf, mv);
                            want_fields.push_back(mf);
                            want_values.push_back(mv);
                        }
                    CHECK(sorted(store.get_all(k)) == want);
                    CHECK(sorted(store.fields(k)) == want_fields);
                    CHECK(sorted(store.values(k)) == sorted(want_values));
                    break;
                }
                case 8: {
                    const long long count = rnd(25) - 8;
                    const auto got = store.random_entries(k, count);
                    const std::size_t size = model.count(k) ? model[k].size() : 0;
                    const std::size_t want =
                        size == 0   ? 0
                        : count < 0 ? static_cast<std::size_t>(-count)
                                    : std::min<std::size_t>(static_cast<std::size_t>(count), size);
                    CHECK(got.size() == want);
                    std::set<int> distinct;
                    for (auto& [gf, gv] : got) {
                        REQUIRE(model[k].count(gf) == 1);
                        CHECK(model[k][gf] == gv);
                        distinct.insert(gf);
                    }
                    if (count > 0) CHECK(distinct.size() == got.size());
                    break;
                }
                case 9: {
                    std::map<int, long long> seen;
                    std::uint64_t cursor = 0;
                    const std::size_t count = static_cast<std::size_t>(rnd(6));
                    do {
                        auto page = store.scan(k, cursor, {.count = count});
                        for (auto& [sf, sv] : page.entries) seen[sf] = sv;
                        cursor = page.cursor;
                    } while (cursor != 0);
                    CHECK(seen == (model.count(k) ? model[k] : std::map<int, long long>{}));
                    break;
                }
                case 10: {
                    const int ms = 1 + rnd(100);
                    CHECK(store.expire(k, std::chrono::milliseconds(ms)) == (model.count(k) == 1));
                    if (model.count(k)) ttl.at[k] = ttl.now + static_cast<std::uint64_t>(ms);
                    break;
                }
                case 11: {
                    const bool had = model.count(k) && ttl.at.count(k);
                    CHECK(store.persist(k) == had);
                    ttl.at.erase(k);
                    break;
                }
                case 12: {
                    const int ms = rnd(30);
                    clock.advance(std::chrono::milliseconds(ms));
                    ttl.advance(static_cast<std::uint64_t>(ms), model);
                    break;
                }
                case 13:
                    CHECK(store.erase(k) == (model.erase(k) == 1));
                    ttl.at.erase(k);
                    break;
                case 14:
                    CHECK(store.contains(k, f) == (model.count(k) && model[k].count(f)));
                    break;
                case 15: {
                    const auto r = store.random_field(k);
                    CHECK(r.has_value() == (model.count(k) == 1));
                    if (r) CHECK(model[k].count(*r) == 1);
                    break;
                }
                default:
                    ttl.check(store, k, model.count(k) == 1);
                    break;
            }
            REQUIRE(store.length(k) == (model.count(k) ? model[k].size() : 0));
            if (step % 1000 == 999) {
                auto keys = store.keys();
                std::sort(keys.begin(), keys.end());
                std::vector<int> want;
                for (auto& [mk, mv] : model) want.push_back(mk);
                std::sort(want.begin(), want.end());
                REQUIRE(keys == want);
                REQUIRE(store.check_invariants());
            }
        }
    }
}

TEST_SUITE("set_store") {
    TEST_CASE("model: random operations agree with std::unordered_map<K, std::set<M>>") {
        const std::uint64_t seed = pick_seed();
        CAPTURE(seed);
        std::mt19937_64 rng(seed);
        cachet::ManualClock clock;
        SetModelStore store({.shards = 4}, clock);
        std::unordered_map<int, std::set<int>> model;
        Deadlines ttl;
        auto rnd = [&](std::uint64_t n) { return static_cast<int>(rng() % n); };
        auto settle = [&](int k) {
            if (model.count(k) && model[k].empty()) {
                model.erase(k);
                ttl.at.erase(k);
            }
        };
        auto of = [&](int k) { return model.count(k) ? model[k] : std::set<int>{}; };
        auto random_keys = [&] {
            std::vector<int> ks;
            for (int i = rnd(3); i >= 0; --i) ks.push_back(rnd(8));
            return ks;
        };
        auto inter = [&](const std::vector<int>& ks) {
            std::set<int> out = of(ks[0]);
            for (std::size_t i = 1; i < ks.size(); ++i) {
                std::set<int> next;
                const auto other = of(ks[i]);
                std::set_intersection(out.begin(), out.end(), other.begin(), other.end(),
                                      std::inserter(next, next.end()));
                out = next;
            }
            return out;
        };
        auto uni = [&](const std::vector<int>& ks) {
            std::set<int> out;
            for (int x : ks) {
                const auto s = of(x);
                out.insert(s.begin(), s.end());
            }
            return out;
        };
        auto diff = [&](const std::vector<int>& ks) {
            std::set<int> out = of(ks[0]);
            for (std::size_t i = 1; i < ks.size(); ++i)
                for (int m : of(ks[i])) out.erase(m);
            return out;
        };
        auto as_set = [](const std::vector<int>& v) { return std::set<int>(v.begin(), v.end()); };
        auto store_into = [&](int dst, std::set<int> result) {
            ttl.at.erase(dst);
            if (result.empty()) model.erase(dst);
            else model[dst] = std::move(result);
        };
        for (int step = 0; step < 20000; ++step) {
            CAPTURE(step);
            const int k = rnd(8), m = rnd(16);
            const int op = rnd(19);
            CAPTURE(op);
            switch (op) {
                case 0:
                case 1: {
                    std::vector<int> ms{m, rnd(16), m};
                    std::size_t fresh = 0;
                    for (int x : std::set<int>(ms.begin(), ms.end())) fresh += !of(k).count(x);
                    CHECK(store.add(k, ms) == fresh);
                    if (!ms.empty()) model[k].insert(ms.begin(), ms.end());
                    break;
                }
                case 2: {
                    const bool present = model.count(k) && model[k].erase(m);
                    CHECK(store.remove(k, m) == present);
                    settle(k);
                    break;
                }
                case 3: {
                    const auto got = store.pop(k);
                    REQUIRE(got.has_value() == (model.count(k) == 1));
                    if (got) {
                        CHECK(model[k].erase(*got) == 1);
                        settle(k);
                    }
                    break;
                }
                case 4: {
                    const std::size_t count = static_cast<std::size_t>(rnd(6));
                    const auto got = store.pop(k, count);
                    CHECK(got.size() == std::min(count, of(k).size()));
                    CHECK(as_set(got).size() == got.size());
                    for (int x : got) CHECK((model.count(k) && model[k].erase(x) == 1));
                    settle(k);
                    break;
                }
                case 5: {
                    const int dst = rnd(8);
                    const bool in_src = of(k).count(m) == 1;
                    CHECK(store.move(k, dst, m) == in_src);
                    if (in_src && dst != k) {
                        model[k].erase(m);
                        settle(k);
                        model[dst].insert(m);
                    }
                    break;
                }
                case 6: {
                    const auto ks = random_keys();
                    CHECK(as_set(store.intersection(ks)) == inter(ks));
                    CHECK(store.intersection(ks).size() == inter(ks).size());
                    const std::size_t limit = static_cast<std::size_t>(rnd(4));
                    const std::size_t full = inter(ks).size();
                    CHECK(store.intersection_size(ks, limit) ==
                          (limit ? std::min(limit, full) : full));
                    break;
                }
                case 7: {
                    const auto ks = random_keys();
                    const auto got = store.union_of(ks);
                    CHECK(got.size() == uni(ks).size());
                    CHECK(as_set(got) == uni(ks));
                    CHECK(as_set(store.difference(ks)) == diff(ks));
                    break;
                }
                case 8: {
                    const auto ks = random_keys();
                    const auto want = inter(ks);
                    CHECK(store.store_intersection(k, ks) == want.size());
                    store_into(k, want);
                    break;
                }
                case 9: {
                    const auto ks = random_keys();
                    const auto want = uni(ks);
                    CHECK(store.store_union(k, ks) == want.size());
                    store_into(k, want);
                    break;
                }
                case 10: {
                    const auto ks = random_keys();
                    const auto want = diff(ks);
                    CHECK(store.store_difference(k, ks) == want.size());
                    store_into(k, want);
                    break;
                }
                case 11: {
                    const long long count = rnd(25) - 8;
                    const auto got = store.random_members(k, count);
                    const std::size_t size = of(k).size();
                    const std::size_t want =
                        size == 0   ? 0
                        : count < 0 ? static_cast<std::size_t>(-count)
                                    : std::min<std::size_t>(static_cast<std::size_t>(count), size);
                    CHECK(got.size() == want);
                    for (int x : got) CHECK(of(k).count(x) == 1);
                    if (count > 0) CHECK(as_set(got).size() == got.size());
                    break;
                }
                case 12: {
                    std::set<int> seen;
                    std::uint64_t cursor = 0;
                    const std::size_t count = static_cast<std::size_t>(rnd(6));
                    do {
                        auto page = store.scan(k, cursor, {.count = count});
                        seen.insert(page.members.begin(), page.members.end());
                        cursor = page.cursor;
                    } while (cursor != 0);
                    CHECK(seen == of(k));
                    CHECK(as_set(store.members(k)) == of(k));
                    break;
                }
                case 13: {
                    const std::vector<int> ms{m, rnd(16)};
                    const auto got = store.contains_many(k, ms);
                    for (std::size_t i = 0; i < ms.size(); ++i)
                        CHECK(got[i] == (of(k).count(ms[i]) == 1));
                    CHECK(store.contains(k, m) == (of(k).count(m) == 1));
                    break;
                }
                case 14: {
                    const int ms = 1 + rnd(100);
                    CHECK(store.expire(k, std::chrono::milliseconds(ms)) == (model.count(k) == 1));
                    if (model.count(k)) ttl.at[k] = ttl.now + static_cast<std::uint64_t>(ms);
                    break;
                }
                case 15: {
                    const int ms = rnd(30);
                    clock.advance(std::chrono::milliseconds(ms));
                    ttl.advance(static_cast<std::uint64_t>(ms), model);
                    break;
                }
                case 16:
                    CHECK(store.erase(k) == (model.erase(k) == 1));
                    ttl.at.erase(k);
                    break;
                case 17: {
                    const auto r = store.random_member(k);
                    CHECK(r.has_value() == (model.count(k) == 1));
                    if (r) CHECK(of(k).count(*r) == 1);
                    break;
                }
                default:
                    ttl.check(store, k, model.count(k) == 1);
                    break;
            }
            for (int x = 0; x < 8; ++x) REQUIRE(store.cardinality(x) == of(x).size());
            if (step % 1000 == 999) REQUIRE(store.check_invariants());
        }
    }
}

TEST_SUITE("set_store") {
    TEST_CASE("over a Database-like backend: wrong types throw before anything changes") {
        Database db;
        db.set_string("str", "v");
        db.sets.add("s", {"a", "b"});
        db.hashes.set("h", "f", "1");

        CHECK_THROWS_AS(db.sets.add("str", "x"), WrongType);
        CHECK_THROWS_AS(db.sets.add("h", {"x"}), WrongType);
        CHECK_THROWS_AS((void)db.sets.cardinality("str"), WrongType);
        CHECK_THROWS_AS((void)db.sets.contains("h", "a"), WrongType);
        CHECK_THROWS_AS(db.sets.remove("str", "x"), WrongType);
        CHECK_THROWS_AS((void)db.sets.pop("h"), WrongType);
        CHECK_THROWS_AS((void)db.sets.scan("str", 0), WrongType);
        // SMOVE checks the destination's type only when the source exists (Redis 7.0.15:
        // SMOVE nokey str b -> 0; SMOVE s str b -> WRONGTYPE).
        CHECK_FALSE(db.sets.move("nokey", "str", "a"));
        CHECK_THROWS_AS(db.sets.move("s", "str", "a"), WrongType);
        CHECK(sorted(db.sets.members("s")) == std::vector<std::string>{"a", "b"});
        // SINTER / SUNION / SDIFF check every key, even after a missing one (Redis 7).
        CHECK_THROWS_AS((void)db.sets.intersection({"nokey", "str"}), WrongType);
        CHECK_THROWS_AS((void)db.sets.union_of({"s", "h"}), WrongType);
        CHECK_THROWS_AS((void)db.sets.difference({"nokey", "str"}), WrongType);
        CHECK_THROWS_AS((void)db.sets.intersection_size({"s", "str"}), WrongType);
        CHECK_THROWS_AS(db.sets.store_union("d", {"s", "str"}), WrongType);
        CHECK(db.type("d") == "none");
        // A *STORE destination of any type is replaced (and loses its TTL), or deleted.
        db.core.access(std::string("str"), [](auto& slot) { slot.set_ttl(100s); });
        CHECK(db.sets.store_union("str", {"s"}) == 2);
        CHECK(db.type("str") == "set");
        CHECK(db.sets.ttl("str").state == cachet::KeyTtl::State::persistent);
        CHECK(db.sets.store_intersection("h", {"nokey"}) == 0);
        CHECK(db.type("h") == "none");
        // An emptied set deletes its key here too.
        db.sets.remove("s", {"a", "b"});
        CHECK(db.type("s") == "none");
        CHECK(db.core.check_invariants());
    }
}

TEST_SUITE("hash_store") {
    TEST_CASE("over a Database-like backend: wrong types throw before anything changes") {
        Database db;
        db.set_string("str", "v");
        db.sets.add("s", "a");
        db.hashes.set("h", {{"f", "1"}, {"g", "x"}});
        CHECK_THROWS_AS(db.hashes.set("str", "f", "1"), WrongType);
        CHECK_THROWS_AS(db.hashes.set("s", {{"f", "1"}}), WrongType);
        CHECK_THROWS_AS(db.hashes.set_if_absent("s", "f", "1"), WrongType);
        CHECK_THROWS_AS(db.hashes.remove("str", "f"), WrongType);
        CHECK_THROWS_AS((void)db.hashes.get("s", "f"), WrongType);
        CHECK_THROWS_AS((void)db.hashes.length("str"), WrongType);
        CHECK_THROWS_AS((void)db.hashes.increment("str", "f", 1), WrongType);
        CHECK_THROWS_AS((void)db.hashes.random_fields("s", 2), WrongType);
        // HINCRBYFLOAT rejects an infinite increment before it looks at the key (Redis order).
        CHECK(db.hashes.increment_float("str", "f", HUGE_VALL).error() ==
              cachet::Errc::invalid_argument);
        CHECK(db.hashes.increment("h", "f", 41).value() == 42);
        CHECK(db.hashes.increment("h", "g", 1).error() == cachet::Errc::invalid_argument);
        CHECK(db.hashes.increment_float("h", "f", 0.5L).value() == "42.5");
        CHECK(db.type("str") == "string");
        CHECK(db.type("s") == "set");
        db.hashes.remove("h", {"f", "g"});
        CHECK(db.type("h") == "none");
        CHECK(db.core.check_invariants());
    }
}

}  // namespace hash_set_model_test
