// Model-based tests: seeded random operation sequences applied to ListStore (and to the
// unkeyed List) and to a model built from std::deque, written as directly as Redis's t_list.c
// describes each command; the states are compared after every step. On failure the seed and
// step are printed; rerun one seed with CACHET_SEED=<seed>.
#include "support/test_store.hpp"

#include <cachet/list_store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace list_store_model_test {

namespace {

using Store = cachet::ListStore<std::string, int, test::StringHash, std::equal_to<>,
                                cachet::ManualClock, cachet::NullMutex>;
using Deque = std::deque<int>;
using Ints = std::vector<int>;

std::vector<std::uint64_t> seeds() {
    if (const char* s = std::getenv("CACHET_SEED")) return {std::strtoull(s, nullptr, 10)};
    return {1, 2, 3, 0xC0FFEE, 20261129};
}

// ---- the model: Redis's list commands on a std::deque, one step at a time --------------------

Ints model_range(const Deque& d, long long start, long long stop) {
    const auto n = static_cast<long long>(d.size());
    if (start < 0) start = n + start;
    if (stop < 0) stop = n + stop;
    if (start < 0) start = 0;
    Ints out;
    if (start > stop || start >= n) return out;
    if (stop >= n) stop = n - 1;
    for (long long i = start; i <= stop; ++i) out.push_back(d[static_cast<std::size_t>(i)]);
    return out;
}

std::optional<std::size_t> model_index(const Deque& d, long long i) {
    const auto n = static_cast<long long>(d.size());
    if (i < 0) i = n + i;
    if (i < 0 || i >= n) return std::nullopt;
    return static_cast<std::size_t>(i);
}

std::size_t model_remove(Deque& d, long long count, int v) {
    std::size_t removed = 0;
    const bool all = count == 0;
    const unsigned long long want = count < 0 ? 0ULL - static_cast<unsigned long long>(count)
                                              : static_cast<unsigned long long>(count);
    if (count >= 0) {
        for (auto it = d.begin(); it != d.end();) {
            if (*it == v && (all || removed < want)) {
                it = d.erase(it);
                ++removed;
            } else {
                ++it;
            }
        }
    } else {
        for (std::size_t i = d.size(); i-- > 0;) {
            if (d[i] == v && removed < want) {
                d.erase(d.begin() + static_cast<std::ptrdiff_t>(i));
                ++removed;
            }
        }
    }
    return removed;
}

void model_trim(Deque& d, long long start, long long stop) {
    const Ints kept = model_range(d, start, stop);
    d.assign(kept.begin(), kept.end());
}

std::vector<std::size_t> model_position(const Deque& d, int v, long long rank, std::size_t count,
                                        std::size_t maxlen) {
    std::vector<std::size_t> out;
    long long matches = 0;
    const long long want = rank > 0 ? rank : -rank;
    const std::size_t n = d.size();
    for (std::size_t step = 0; step < n && (maxlen == 0 || step < maxlen); ++step) {
        const std::size_t i = rank > 0 ? step : n - 1 - step;
        if (d[i] != v) continue;
        if (++matches < want) continue;
        out.push_back(i);
        if (count != 0 && out.size() == count) break;
    }
    return out;
}

struct Model {
    std::map<std::string, Deque> lists;  // only non-empty lists: an empty one has no key

    Deque* find(const std::string& k) {
        auto it = lists.find(k);
        return it == lists.end() ? nullptr : &it->second;
    }
    void drop_if_empty(const std::string& k) {
        auto it = lists.find(k);
        if (it != lists.end() && it->second.empty()) lists.erase(it);
    }
};

Ints as_ints(const Deque& d) { return Ints(d.begin(), d.end()); }

/// Wide elements (256 bytes, so a block holds 16 and a list past 64 is segmented), compared
/// with the model's ints.
struct Wide {
    int v = 0;
    char pad[252] = {};
    Wide(int x = 0) : v(x) {}  // NOLINT: implicit, to read as the model's ints
    friend bool operator==(const Wide& a, int b) { return a.v == b; }
};
static_assert(cachet::List<Wide>::small_limit() == 64);

Ints to_ints(const std::vector<int>& xs) { return xs; }
Ints to_ints(const std::vector<Wide>& xs) {
    Ints out;
    for (const Wide& x : xs) out.push_back(x.v);
    return out;
}

/// Random List operations against std::deque, in phases of `phase` steps that grow and shrink
/// the list, so its storage is resized both ways (and, for wide elements, made segmented and
/// small again). `steady_growth`: growing phases make no bulk removals (LREM, LTRIM, pops with
/// a count), so the list gets long.
template <class L>
void random_list_operations(int phase, bool steady_growth) {
    for (const std::uint64_t seed : seeds()) {
        CAPTURE(seed);
        std::mt19937_64 rng(seed * 7919 + 1);
        auto pick = [&](std::uint64_t n) { return static_cast<std::uint64_t>(rng() % n); };
        L l;
        bool segmented = false, small_again = false;
        Deque d;
        for (int step = 0; step < 20000; ++step) {
            CAPTURE(step);
            const int op = static_cast<int>(pick(12));
            CAPTURE(op);
            const int v = static_cast<int>(pick(16));
            // Phases that grow and shrink the list, so the buffer is resized both ways.
            const bool growing = (step / phase) % 2 == 0;
            if (steady_growth && growing && op >= 7 && op <= 9) continue;
            switch (op) {
                case 0:
                case 1:
                    if (growing || pick(3) == 0) l.push_front(v), d.push_front(v);
                    break;
                case 2:
                case 3:
                    if (growing || pick(3) == 0) l.push_back(v), d.push_back(v);
                    break;
                case 4: {
                    std::optional<int> want;
                    if (!d.empty()) want = d.front(), d.pop_front();
                    CHECK(l.pop_front() == want);
                    break;
                }
                case 5: {
                    std::optional<int> want;
                    if (!d.empty()) want = d.back(), d.pop_back();
                    CHECK(l.pop_back() == want);
                    break;
                }
                case 6: {
                    const std::size_t pos = pick(d.size() + 1);
                    l.insert_at(pos, v);
                    d.insert(d.begin() + static_cast<std::ptrdiff_t>(pos), v);
                    break;
                }
                case 7: {
                    const long long count = static_cast<long long>(pick(5)) - 2;
                    CHECK(l.remove(count, v) == model_remove(d, count, v));
                    break;
                }
                case 8: {
                    if (pick(8) != 0) break;  // trims are drastic: keep them rare
                    const auto n = static_cast<long long>(d.size());
                    const long long a =
                        static_cast<long long>(pick(static_cast<std::uint64_t>(n + 2))) - 1;
                    const long long b = -1 - static_cast<long long>(pick(4));
                    const std::size_t before = d.size();
                    model_trim(d, a, b);
                    CHECK(l.trim(a, b) == before - d.size());
                    break;
                }
                case 9: {
                    const std::size_t count = pick(20);
                    Ints want;
                    for (std::size_t i = 0; i < count && !d.empty(); ++i)
                        want.push_back(d.back()), d.pop_back();
                    CHECK(to_ints(l.pop_back(count)) == want);
                    break;
                }
                case 10: {
                    if (d.empty()) break;
                    const long long i = static_cast<long long>(pick(d.size())) -
                                        (pick(2) ? static_cast<long long>(d.size()) : 0);
                    CHECK(l.set(i, v));
                    d[*model_index(d, i)] = v;
                    break;
                }
                default: {
                    const Ints batch{v, v + 1, v + 2};
                    if (growing) {
                        l.push_front_range(batch);
                        for (int x : batch) d.push_front(x);
                    }
                    break;
                }
            }
            REQUIRE(l.check_invariants());
            REQUIRE(l.size() == d.size());
            REQUIRE(std::equal(l.begin(), l.end(), d.begin(), d.end()));
            if (!d.empty()) REQUIRE(l.capacity() <= std::max<std::size_t>(16, 4 * d.size()));
            if (l.segmented()) segmented = true;
            else if (segmented) small_again = true;
        }
        if constexpr (L::small_limit() < 1000) CHECK((segmented && small_again));
    }
}

}  // namespace

TEST_SUITE("list_store") {
    TEST_CASE("model: random ListStore operations match a std::deque per key") {
        const std::vector<std::string> keys{"k0", "k1", "k2", "k3"};
        for (const std::uint64_t seed : seeds()) {
            CAPTURE(seed);
            std::mt19937_64 rng(seed);
            auto pick = [&](std::uint64_t n) { return static_cast<std::uint64_t>(rng() % n); };
            auto value = [&] { return static_cast<int>(pick(8)); };
            auto index = [&](std::size_t len) {
                const auto span = static_cast<long long>(len) + 3;
                return static_cast<long long>(pick(static_cast<std::uint64_t>(2 * span + 1))) -
                       span;
            };
            auto key = [&] { return keys[pick(keys.size())]; };
            auto end = [&] { return pick(2) ? cachet::ListEnd::front : cachet::ListEnd::back; };

            Store s({.shards = 2}, cachet::ManualClock{});
            Model m;
            for (int step = 0; step < 6000; ++step) {
                CAPTURE(step);
                const std::string k = key();
                Deque* d = m.find(k);
                const std::size_t len = d ? d->size() : 0;
                const int op = static_cast<int>(pick(17));
                CAPTURE(op);
                switch (op) {
                    case 0: {  // LPUSH / RPUSH one
                        const int v = value();
                        const auto e = end();
                        Deque& dd = m.lists[k];
                        if (e == cachet::ListEnd::front)
                            dd.push_front(v);
                        else
                            dd.push_back(v);
                        const std::size_t got =
                            e == cachet::ListEnd::front ? s.push_front(k, v) : s.push_back(k, v);
                        CHECK(got == dd.size());
                        break;
                    }
                    case 1: {  // LPUSH / RPUSH several (possibly none)
                        Ints vs(pick(5));
                        for (int& v : vs) v = value();
                        const bool front = pick(2) == 0;
                        if (!vs.empty()) {
                            Deque& dd = m.lists[k];
                            for (int v : vs) front ? dd.push_front(v) : dd.push_back(v);
                        }
                        const std::size_t got =
                            front ? s.push_front_range(k, vs) : s.push_back_range(k, vs);
                        CHECK(got == (m.find(k) ? m.find(k)->size() : 0));
                        break;
                    }
                    case 2: {  // LPUSHX / RPUSHX
                        const int v = value();
                        const bool front = pick(2) == 0;
                        std::size_t want = 0;
                        if (d) {
                            front ? d->push_front(v) : d->push_back(v);
                            want = d->size();
                        }
                        CHECK((front ? s.push_front_if_exists(k, v)
                                     : s.push_back_if_exists(k, v)) == want);
                        break;
                    }
                    case 3: {  // LPOP / RPOP
                        const bool front = pick(2) == 0;
                        std::optional<int> want;
                        if (d) {
                            want = front ? d->front() : d->back();
                            front ? d->pop_front() : d->pop_back();
                            m.drop_if_empty(k);
                        }
                        CHECK((front ? s.pop_front(k) : s.pop_back(k)) == want);
                        break;
                    }
                    case 4: {  // LPOP / RPOP with a count
                        const std::size_t count = pick(6);
                        const bool front = pick(2) == 0;
                        std::optional<Ints> want;
                        if (d) {
                            want.emplace();
                            for (std::size_t i = 0; i < count && !d->empty(); ++i) {
                                want->push_back(front ? d->front() : d->back());
                                front ? d->pop_front() : d->pop_back();
                            }
                            m.drop_if_empty(k);
                        }
                        CHECK((front ? s.pop_front(k, count) : s.pop_back(k, count)) == want);
                        break;
                    }
                    case 5: {  // LRANGE
                        const long long a = index(len), b = index(len);
                        CHECK(s.range(k, a, b) == (d ? model_range(*d, a, b) : Ints{}));
                        break;
                    }
                    case 6: {  // LINDEX
                        const long long i = index(len);
                        std::optional<int> want;
                        if (d)
                            if (auto at = model_index(*d, i)) want = (*d)[*at];
                        CHECK(s.index(k, i) == want);
                        break;
                    }
                    case 7: {  // LSET
                        const long long i = index(len);
                        const int v = value();
                        auto want = cachet::ListSetStatus::no_such_key;
                        if (d) {
                            want = cachet::ListSetStatus::out_of_range;
                            if (auto at = model_index(*d, i)) {
                                (*d)[*at] = v;
                                want = cachet::ListSetStatus::ok;
                            }
                        }
                        CHECK(s.set(k, i, v) == want);
                        break;
                    }
                    case 8: {  // LINSERT
                        const int pivot = value(), v = value();
                        const auto where =
                            pick(2) ? cachet::ListInsert::before : cachet::ListInsert::after;
                        long long want = 0;
                        if (d) {
                            auto it = std::find(d->begin(), d->end(), pivot);
                            if (it == d->end()) {
                                want = -1;
                            } else {
                                d->insert(where == cachet::ListInsert::before ? it : it + 1, v);
                                want = static_cast<long long>(d->size());
                            }
                        }
                        CHECK(s.insert(k, where, pivot, v) == want);
                        break;
                    }
                    case 9: {  // LREM
                        const long long count = static_cast<long long>(pick(7)) - 3;
                        const int v = value();
                        std::size_t want = 0;
                        if (d) {
                            want = model_remove(*d, count, v);
                            m.drop_if_empty(k);
                        }
                        CHECK(s.remove(k, count, v) == want);
                        break;
                    }
                    case 10: {  // LTRIM
                        const long long a = index(len), b = index(len);
                        std::size_t want = 0;
                        if (d) {
                            const std::size_t before = d->size();
                            model_trim(*d, a, b);
                            want = before - d->size();
                            m.drop_if_empty(k);
                        }
                        CHECK(s.trim(k, a, b) == want);
                        break;
                    }
                    case 11: {  // LMOVE (the same key now and then)
                        const std::string dst = key();
                        const auto from = end(), to = end();
                        std::optional<int> want;
                        if (d) {
                            const int v = from == cachet::ListEnd::front ? d->front() : d->back();
                            from == cachet::ListEnd::front ? d->pop_front() : d->pop_back();
                            Deque& dd = m.lists[dst];  // may be *d itself
                            to == cachet::ListEnd::front ? dd.push_front(v) : dd.push_back(v);
                            m.drop_if_empty(k);
                            want = v;
                        }
                        CHECK(s.move(k, dst, from, to) == want);
                        break;
                    }
                    case 12: {  // LPOS
                        const int v = value();
                        long long rank = static_cast<long long>(pick(7)) - 3;
                        if (rank == 0) rank = 1;
                        const std::size_t count = pick(4), maxlen = pick(8);
                        CHECK(s.position(k, v, rank, count, maxlen) ==
                              (d ? model_position(*d, v, rank, count, maxlen)
                                 : std::vector<std::size_t>{}));
                        break;
                    }
                    case 13: {  // LMPOP over 1-3 keys
                        std::vector<std::string> ks(1 + pick(3));
                        for (auto& x : ks) x = key();
                        const auto e = end();
                        const std::size_t count = 1 + pick(4);
                        std::optional<std::pair<std::string, Ints>> want;
                        for (const auto& x : ks) {
                            Deque* dx = m.find(x);
                            if (!dx) continue;
                            Ints got;
                            for (std::size_t i = 0; i < count && !dx->empty(); ++i) {
                                got.push_back(e == cachet::ListEnd::front ? dx->front()
                                                                          : dx->back());
                                e == cachet::ListEnd::front ? dx->pop_front() : dx->pop_back();
                            }
                            m.drop_if_empty(x);
                            want.emplace(x, std::move(got));
                            break;
                        }
                        CHECK(s.pop(std::span<const std::string>(ks), e, count) == want);
                        break;
                    }
                    case 14: {  // LLEN
                        CHECK(s.length(k) == len);
                        break;
                    }
                    case 15: {  // DEL now and then, so lists restart from nothing
                        if (pick(4) == 0) {
                            CHECK(s.erase(k) == (d != nullptr));
                            m.lists.erase(k);
                        }
                        break;
                    }
                    default: {  // a burst of pushes, so some lists grow past a few hundred
                        const std::size_t n = 1 + pick(200);
                        Deque& dd = m.lists[k];
                        Ints vs;
                        for (std::size_t i = 0; i < n; ++i) vs.push_back(value());
                        for (int v : vs) dd.push_back(v);
                        CHECK(s.push_back_range(k, vs) == dd.size());
                        break;
                    }
                }
                // Compare the whole state after every step.
                for (const auto& x : keys) {
                    const Deque* dx = m.find(x);
                    REQUIRE(s.contains(x) == (dx != nullptr));
                    if (!dx) continue;
                    REQUIRE(s.range(x, 0, -1) == as_ints(*dx));
                    bool ok = false;
                    s.visit(x, [&](const cachet::List<int>& l) { ok = l.check_invariants(); });
                    REQUIRE(ok);
                }
                REQUIRE(s.size() == m.lists.size());
                if (step % 500 == 0) REQUIRE(s.check_invariants());
            }
        }
    }

    TEST_CASE("model: random List operations match std::deque, through growth and shrinking") {
        random_list_operations<cachet::List<int>>(2000, false);
    }

    TEST_CASE("model: random List operations on a segmented list (wide elements) match std::deque") {
        random_list_operations<cachet::List<Wide>>(300, true);
    }
}

}  // namespace list_store_model_test
