// SortedSet against a simple model: std::set<std::pair<double, std::string>> for the order and
// std::unordered_map<std::string, double> for the scores (ranks by std::distance), driven by a
// seeded random sequence of operations, with check_invariants() after every step. A failure
// prints the seed and the step; rerun one seed with ZSET_MODEL_SEED=<seed>.
#include <cachet/sorted_set.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sorted_set_model_test {

namespace {

using Z = cachet::SortedSet<std::string>;
using V = Z::value_type;
using cachet::ZAddFlags;
constexpr double inf = std::numeric_limits<double>::infinity();

struct Model {
    std::set<std::pair<double, std::string>> order;
    std::unordered_map<std::string, double> scores;

    std::size_t rank(const std::string& m) const {
        return static_cast<std::size_t>(std::distance(order.begin(), order.find({scores.at(m), m})));
    }
    void put(const std::string& m, double s) {
        if (auto it = scores.find(m); it != scores.end()) order.erase({it->second, m});
        scores[m] = s;
        order.insert({s, m});
    }
    void erase(const std::string& m) {
        order.erase({scores.at(m), m});
        scores.erase(m);
    }
    std::vector<V> all() const {
        std::vector<V> out;
        for (const auto& [s, m] : order) out.emplace_back(m, s);
        return out;
    }
};

/// ZADD as its documentation states it (written independently of SortedSet's code).
/// Returns false for a NaN result (the error); `reply` gets what ZADD replies.
bool model_zadd(Model& md, const std::string& m, double s, ZAddFlags f, cachet::ZAddReply<double>& reply) {
    const bool nx = has(f, ZAddFlags::nx), xx = has(f, ZAddFlags::xx), gt = has(f, ZAddFlags::gt),
               lt = has(f, ZAddFlags::lt), ch = has(f, ZAddFlags::ch), incr = has(f, ZAddFlags::incr);
    reply = {};
    auto it = md.scores.find(m);
    if (it == md.scores.end()) {
        if (xx) return true;  // not performed
        md.put(m, s);
        reply.count = 1;
        if (incr) reply.score = s;
        return true;
    }
    if (nx) return true;
    const double cur = it->second;
    const double next = incr ? cur + s : s;
    if (std::isnan(next)) return false;
    if ((gt && next <= cur) || (lt && next >= cur)) return true;
    if (next != cur) {
        md.put(m, next);
        if (ch) reply.count = 1;
    }
    if (incr) reply.score = next;
    return true;
}

/// Redis's rank sanitizing, written out: the 0-based [first, last] or empty.
std::vector<V> model_rank_range(const Model& md, long long start, long long stop, bool reverse) {
    std::vector<V> all = md.all();
    if (reverse) std::reverse(all.begin(), all.end());
    const auto len = static_cast<long long>(all.size());
    if (start < 0) start += len;
    if (stop < 0) stop += len;
    if (start < 0) start = 0;
    if (stop >= len) stop = len - 1;
    std::vector<V> out;
    for (long long i = start; i <= stop; ++i) out.push_back(all[static_cast<std::size_t>(i)]);
    return out;
}

template <class InRange>
std::vector<V> model_filtered(const Model& md, InRange&& in, long long offset, long long count, bool reverse) {
    std::vector<V> all = md.all();
    if (reverse) std::reverse(all.begin(), all.end());
    std::vector<V> out;
    if (offset < 0) return out;
    long long skipped = 0;
    for (const auto& v : all) {
        if (!in(v)) continue;
        if (skipped < offset) {
            ++skipped;
            continue;
        }
        if (count >= 0 && static_cast<long long>(out.size()) >= count) break;
        out.push_back(v);
    }
    return out;
}

struct Run {
    std::uint64_t seed;
    bool lex_mode;  // every score equal: lex operations are meaningful
    std::mt19937_64 rng;
    Z z;
    Model md;
    std::vector<std::string> names;
    std::vector<double> score_pool{-inf, -2.5, -1, 0, 0.5, 1, 1, 2, 3, 3, 7.25, 100, inf};

    Run(std::uint64_t s, bool lex, int n_names = 60) : seed(s), lex_mode(lex), rng(s) {
        for (int i = 0; i < n_names; ++i) names.push_back(lex ? std::string(1, static_cast<char>('a' + i % 26)) + std::to_string(i / 26) : "m" + std::to_string(i));
        names.push_back("");
    }
    /// Adds `n` random members (a large set: the order index several levels deep).
    void fill(int n) {
        for (int i = 0; i < n; ++i) {
            const std::string m = name();
            const double s = lex_mode ? 0.0 : static_cast<double>(below(200)) / 4;
            z.add(m, s);
            md.put(m, s);
        }
        REQUIRE(z.check_invariants());
    }
    std::uint64_t below(std::uint64_t n) { return rng() % n; }
    const std::string& name() { return names[below(names.size())]; }
    double score() { return lex_mode ? 0.0 : score_pool[below(score_pool.size())]; }
    long long index() { return static_cast<long long>(below(30)) - 15; }
    cachet::ScoreRange<double> score_range() {
        cachet::ScoreRange<double> r;
        r.min = {score(), below(2) == 0};
        r.max = {score(), below(2) == 0};
        if (below(8) == 0) r.min = {-inf, false};
        if (below(8) == 0) r.max = {inf, false};
        return r;
    }
    cachet::LexBound<std::string> lex_bound() {
        using B = cachet::LexBound<std::string>;
        switch (below(6)) {
            case 0: return B::minus_infinity();
            case 1: return B::plus_infinity();
            case 2: case 3: return B::inclusive(name());
            default: return B::exclusive(name());
        }
    }
    bool lex_in(const cachet::LexRange<std::string>& r, const std::string& m) const {
        using K = cachet::LexBound<std::string>::Kind;
        bool lo = r.min.kind == K::minus_infinity || (r.min.kind == K::inclusive && m >= r.min.value) ||
                  (r.min.kind == K::exclusive && m > r.min.value);
        bool hi = r.max.kind == K::plus_infinity || (r.max.kind == K::inclusive && m <= r.max.value) ||
                  (r.max.kind == K::exclusive && m < r.max.value);
        return lo && hi;
    }

    void step(int op) {
        switch (op) {
            case 0: case 1: case 2: {  // ZADD with random flags
                ZAddFlags f = ZAddFlags::none;
                for (ZAddFlags bit : {ZAddFlags::nx, ZAddFlags::xx, ZAddFlags::gt, ZAddFlags::lt,
                                      ZAddFlags::ch, ZAddFlags::incr})
                    if (below(4) == 0) f |= bit;
                const std::string m = name();
                const double s = score();
                cachet::ZAddReply<double> want;
                const bool ok = model_zadd(md, m, s, f, want);
                auto got = z.add(m, s, f);
                REQUIRE(got.has_value() == ok);
                if (ok) CHECK(*got == want);
                else CHECK(got.error() == cachet::Errc::overflow);
                break;
            }
            case 3: {  // ZINCRBY
                const std::string m = name();
                const double d = score();
                cachet::ZAddReply<double> want;
                const bool ok = model_zadd(md, m, d, ZAddFlags::incr, want);
                auto got = z.increment(m, d);
                REQUIRE(got.has_value() == ok);
                if (ok) CHECK(*got == *want.score);
                break;
            }
            case 4: {  // ZREM
                const std::string m = name();
                const bool present = md.scores.count(m) != 0;
                if (present) md.erase(m);
                CHECK(z.remove(m) == present);
                break;
            }
            case 5: {  // ZSCORE, ZRANK, ZREVRANK
                const std::string m = name();
                auto it = md.scores.find(m);
                if (it == md.scores.end()) {
                    CHECK(z.score(m) == std::nullopt);
                    CHECK(z.rank(m) == std::nullopt);
                    CHECK(z.reverse_rank(m) == std::nullopt);
                } else {
                    CHECK(z.score(m) == it->second);
                    CHECK(z.rank(m) == md.rank(m));
                    CHECK(z.reverse_rank(m) == md.order.size() - 1 - md.rank(m));
                }
                break;
            }
            case 6: {  // ZRANGE by rank
                const long long a = index(), b = index();
                const bool rev = below(2) == 0;
                CHECK(z.range_by_rank(a, b, rev) == model_rank_range(md, a, b, rev));
                break;
            }
            case 7: {  // ZRANGEBYSCORE with LIMIT, ZCOUNT
                const auto r = score_range();
                const long long off = below(4) == 0 ? static_cast<long long>(below(6)) - 1 : 0;
                const long long cnt = below(3) == 0 ? static_cast<long long>(below(5)) - 1 : -1;
                const bool rev = below(2) == 0;
                auto in = [&](const V& v) { return r.contains(v.second); };
                CHECK(z.range_by_score(r, off, cnt, rev) == model_filtered(md, in, off, cnt, rev));
                CHECK(z.count(r) == model_filtered(md, in, 0, -1, false).size());
                break;
            }
            case 8: {  // ZPOPMIN / ZPOPMAX
                const auto n = static_cast<std::size_t>(below(4));
                const bool max = below(2) == 0;
                std::vector<V> want = model_rank_range(md, 0, static_cast<long long>(n) - 1, max);
                if (n == 0) want.clear();
                for (const auto& v : want) md.erase(v.first);
                CHECK((max ? z.pop_max(n) : z.pop_min(n)) == want);
                break;
            }
            case 9: {  // ZREMRANGEBYRANK / ZREMRANGEBYSCORE
                if (below(2) == 0) {
                    const long long a = index(), b = index();
                    auto want = model_rank_range(md, a, b, false);
                    for (const auto& v : want) md.erase(v.first);
                    CHECK(z.remove_range_by_rank(a, b) == want.size());
                } else {
                    const auto r = score_range();
                    auto want = model_filtered(md, [&](const V& v) { return r.contains(v.second); }, 0, -1, false);
                    for (const auto& v : want) md.erase(v.first);
                    CHECK(z.remove_range_by_score(r) == want.size());
                }
                break;
            }
            case 10: {  // ZRANDMEMBER
                const long long c = static_cast<long long>(below(12)) - 6;
                auto got = z.random_members(c, [&] { return rng(); });
                const std::size_t n = md.scores.size();
                if (c >= 0) {
                    CHECK(got.size() == std::min<std::size_t>(static_cast<std::size_t>(c), n));
                    std::unordered_set<std::string> distinct;
                    for (const auto& v : got) distinct.insert(v.first);
                    CHECK(distinct.size() == got.size());
                } else {
                    CHECK(got.size() == (n == 0 ? 0 : static_cast<std::size_t>(-c)));
                }
                for (const auto& v : got) CHECK(md.scores.at(v.first) == v.second);
                break;
            }
            case 11: {  // lex operations (meaningful in lex mode; otherwise only checked for sanity)
                if (!lex_mode) {
                    Z copy = z;
                    CHECK(copy == z);
                    CHECK(copy.check_invariants());
                    break;
                }
                cachet::LexRange<std::string> r{lex_bound(), lex_bound()};
                auto in = [&](const V& v) { return lex_in(r, v.first); };
                const long long off = below(4) == 0 ? static_cast<long long>(below(6)) - 1 : 0;
                const long long cnt = below(3) == 0 ? static_cast<long long>(below(5)) - 1 : -1;
                const bool rev = below(2) == 0;
                CHECK(z.range_by_lex(r, off, cnt, rev) == model_filtered(md, in, off, cnt, rev));
                CHECK(z.lex_count(r) == model_filtered(md, in, 0, -1, false).size());
                if (below(4) == 0) {
                    auto want = model_filtered(md, in, 0, -1, false);
                    for (const auto& v : want) md.erase(v.first);
                    CHECK(z.remove_range_by_lex(r) == want.size());
                }
                break;
            }
            default: {  // full scan
                std::unordered_set<std::string> seen;
                std::uint64_t cursor = 0;
                do cursor = z.scan(cursor, [&](const V& v) { seen.insert(v.first); });
                while (cursor != 0);
                CHECK(seen.size() == md.scores.size());
                break;
            }
        }
    }

    void run(int steps) {
        for (int i = 0; i < steps; ++i) {
            CAPTURE(seed);
            CAPTURE(lex_mode);
            CAPTURE(i);
            step(static_cast<int>(below(13)));
            REQUIRE(z.check_invariants());
            REQUIRE(z.size() == md.scores.size());
            if (i % 50 == 0) REQUIRE(z.range_by_rank(0, -1) == md.all());
        }
        CHECK(z.range_by_rank(0, -1) == md.all());
    }
};

std::vector<std::uint64_t> seeds(int n, std::uint64_t base) {
    if (const char* env = std::getenv("ZSET_MODEL_SEED")) return {std::strtoull(env, nullptr, 10)};
    std::vector<std::uint64_t> out;
    for (int i = 0; i < n; ++i) out.push_back(base + static_cast<std::uint64_t>(i) * 7919);
    return out;
}

// The aggregate operations against a direct transcription of zunionInterDiffGenericCommand.
struct AggModel {
    static double weighted(double w, double s) {
        double v = w * s;
        return std::isnan(v) ? 0 : v;
    }
    static void aggregate(double& t, double v, cachet::ZAggregate how) {
        if (how == cachet::ZAggregate::sum) {
            t += v;
            if (std::isnan(t)) t = 0;
        } else if (how == cachet::ZAggregate::min) {
            t = v < t ? v : t;
        } else {
            t = v > t ? v : t;
        }
    }
    struct Src {
        const Model* m;
        double w;
    };
    static std::vector<Src> sorted(const std::vector<Model>& sets, const std::vector<double>& w) {
        std::vector<Src> src;
        for (std::size_t i = 0; i < sets.size(); ++i) src.push_back({&sets[i], w[i]});
        std::stable_sort(src.begin(), src.end(),
                         [](const Src& a, const Src& b) { return a.m->scores.size() < b.m->scores.size(); });
        return src;
    }
    static Model set_union(const std::vector<Model>& sets, const std::vector<double>& w, cachet::ZAggregate how) {
        std::unordered_map<std::string, double> acc;
        for (const auto& s : sorted(sets, w))
            for (const auto& [sc, m] : s.m->order) {
                const double v = weighted(s.w, sc);
                auto [it, fresh] = acc.emplace(m, v);
                if (!fresh) aggregate(it->second, v, how);
            }
        Model out;
        for (const auto& [m, s] : acc) out.put(m, s);
        return out;
    }
    static Model set_inter(const std::vector<Model>& sets, const std::vector<double>& w, cachet::ZAggregate how) {
        Model out;
        auto src = sorted(sets, w);
        for (const auto& [sc, m] : src[0].m->order) {
            double score = weighted(src[0].w, sc);
            std::size_t j = 1;
            for (; j < src.size(); ++j) {
                auto it = src[j].m->scores.find(m);
                if (it == src[j].m->scores.end()) break;
                aggregate(score, it->second * src[j].w, how);
            }
            if (j == src.size()) out.put(m, score);
        }
        return out;
    }
    static Model set_diff(const std::vector<Model>& sets) {
        Model out;
        for (const auto& [sc, m] : sets[0].order) {
            bool found = false;
            for (std::size_t j = 1; j < sets.size(); ++j) found = found || sets[j].scores.count(m) != 0;
            if (!found) out.put(m, sc);
        }
        return out;
    }
};

}  // namespace

TEST_SUITE("sorted_set") {
    TEST_CASE("model: random operations agree with std::set + unordered_map") {
        for (std::uint64_t seed : seeds(12, 20240601)) {
            Run r(seed, false);
            r.run(1500);
        }
    }

    TEST_CASE("model: equal scores, lex ranges agree with byte order") {
        for (std::uint64_t seed : seeds(8, 777)) {
            Run r(seed, true);
            r.run(1500);
        }
    }

    TEST_CASE("model: large sets (thousands of members, many equal scores) agree too") {
        for (std::uint64_t seed : seeds(2, 4242)) {
            Run r(seed, false, 4000);
            r.fill(4000);
            r.run(600);
            Run lex(seed, true, 4000);
            lex.fill(4000);
            lex.run(600);
        }
    }

    TEST_CASE("model: union / intersection / difference with weights, infinities, aggregates") {
        const double pool[] = {-inf, -1, 0, 0.5, 1, 2, 3, inf};
        const double weights[] = {0, 1, 2, -1, 0.5, inf};
        for (std::uint64_t seed : seeds(200, 99)) {
            CAPTURE(seed);
            std::mt19937_64 rng(seed);
            const std::size_t n_sets = 1 + rng() % 3;
            std::vector<Model> models(n_sets);
            std::vector<Z> sets(n_sets);
            std::vector<const Z*> ptrs;
            for (std::size_t i = 0; i < n_sets; ++i) {
                const std::size_t n = rng() % 12;
                for (std::size_t k = 0; k < n; ++k) {
                    const std::string m = "e" + std::to_string(rng() % 15);
                    const double s = pool[rng() % std::size(pool)];
                    models[i].put(m, s);
                    sets[i].add(m, s);
                }
                ptrs.push_back(&sets[i]);
            }
            std::vector<double> w(n_sets);
            for (auto& x : w) x = weights[rng() % std::size(weights)];
            const auto how = static_cast<cachet::ZAggregate>(rng() % 3);
            const std::span<const Z* const> span(ptrs);
            auto u = cachet::union_of(span, std::span<const double>(w), how);
            auto in = cachet::intersection_of(span, std::span<const double>(w), how);
            auto d = cachet::difference_of(span);
            REQUIRE(u.check_invariants());
            REQUIRE(in.check_invariants());
            REQUIRE(d.check_invariants());
            CHECK(u.range_by_rank(0, -1) == AggModel::set_union(models, w, how).all());
            CHECK(in.range_by_rank(0, -1) == AggModel::set_inter(models, w, how).all());
            CHECK(d.range_by_rank(0, -1) == AggModel::set_diff(models).all());
            CHECK(cachet::intersection_size(span) == AggModel::set_inter(models, std::vector<double>(n_sets, 1.0),
                                                                        cachet::ZAggregate::sum).scores.size());
        }
    }
}

}  // namespace sorted_set_model_test
