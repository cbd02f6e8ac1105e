// detail::RankTree (the sorted set's order index) against a sorted std::vector: random inserts,
// erases, rescores, rank queries and bulk builds, with check_invariants() after every step. A
// small node capacity (8) makes splits, merges and borrows happen every few operations.
#include <cachet/detail/rank_tree.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <random>
#include <utility>
#include <vector>

namespace rank_tree_test {

namespace {

struct Item {
    long score;
    int id;  ///< breaks ties, as a sorted set's member does
};
bool item_less(const Item& a, const Item& b) {
    return a.score < b.score || (a.score == b.score && a.id < b.id);
}

template <int B>
using Tree = cachet::detail::RankTree<Item, long, B>;

/// "Sorts before `x`" and "sorts before or is `x`", reading the item only on a score tie.
auto before(const Item& x) {
    return [&x](long s, const Item* it) { return s < x.score || (s == x.score && it->id < x.id); };
}
auto up_to(const Item& x) {
    return [&x](long s, const Item* it) { return s < x.score || (s == x.score && it->id <= x.id); };
}

template <int B>
bool same(const Tree<B>& t, const std::vector<Item*>& model) {
    if (!t.check_invariants() || t.size() != model.size()) return false;
    std::size_t i = 0;
    bool ok = true;
    t.for_each([&](long s, const Item* it) {
        ok = ok && i < model.size() && it == model[i] && s == it->score;
        ++i;
    });
    return ok && i == model.size();
}

template <int B>
void random_run(std::uint64_t seed, int steps) {
    std::mt19937_64 rng(seed);
    std::vector<std::unique_ptr<Item>> owned;
    std::vector<Item*> model;  // sorted by item_less
    Tree<B> t;
    int next_id = 0;
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    auto where = [&](const Item& x) {
        return std::lower_bound(model.begin(), model.end(), &x,
                                [](const Item* a, const Item* b) { return item_less(*a, *b); });
    };
    for (int step = 0; step < steps; ++step) {
        CAPTURE(seed);
        CAPTURE(step);
        const auto op = rng() % 100;
        // Scores from a small range, so ties (decided by the id) are frequent.
        const long score = static_cast<long>(rng() % 64);
        if (op < 45 || model.empty()) {
            owned.push_back(std::make_unique<Item>(Item{score, next_id++}));
            Item* x = owned.back().get();
            const auto nb = t.insert(x->score, x, before(*x));
            const auto it = model.insert(where(*x), x);
            // The neighbours reported are the model's, or nullptr at a leaf's end.
            if (nb.before) REQUIRE((it != model.begin() && *std::prev(it) == nb.before));
            if (nb.after) REQUIRE((std::next(it) != model.end() && *std::next(it) == nb.after));
            REQUIRE((nb.before || nb.after || model.size() == 1));
        } else if (op < 80) {
            const std::size_t k = pick(model.size());
            Item* x = model[k];
            t.erase(up_to(*x));
            model.erase(model.begin() + static_cast<std::ptrdiff_t>(k));
        } else if (op < 88) {
            // A rescore that keeps the order: the score of a neighbour (or the same).
            const std::size_t k = pick(model.size());
            Item* x = model[k];
            long s = x->score;
            if (k > 0 && model[k - 1]->id < x->id && rng() % 2) s = model[k - 1]->score;
            else if (k + 1 < model.size() && model[k + 1]->id > x->id && rng() % 2) s = model[k + 1]->score;
            t.rescore(up_to(*x), s);
            x->score = s;
        } else if (op < 97) {
            const std::size_t k = pick(model.size());
            REQUIRE(t.at(k) == model[k]);
            const auto [pos, found] = t.lower_bound(before(*model[k]));
            REQUIRE(pos == k);
            REQUIRE(found == model[k]);
            const auto [pos2, next] = t.lower_bound(up_to(*model[k]));
            REQUIRE(pos2 == k + 1);
            REQUIRE(next == (k + 1 < model.size() ? model[k + 1] : nullptr));
            // A score-only bound: the first entry whose score is at least `score`.
            const auto [pos3, first] = t.lower_bound([&](long s, const Item*) { return s < score; });
            const auto it = std::find_if(model.begin(), model.end(), [&](const Item* i) { return i->score >= score; });
            REQUIRE(pos3 == static_cast<std::size_t>(it - model.begin()));
            REQUIRE(first == (it == model.end() ? nullptr : *it));
        } else {
            // Rebuild from the model, in order.
            std::size_t i = 0;
            t.assign(model.size(), [&] { return model[i++]; }, [](const Item* x) { return x->score; });
        }
        REQUIRE(same(t, model));
    }
    while (!model.empty()) {  // drain from both ends and the middle
        const std::size_t k = model.size() % 3 == 0 ? 0 : model.size() % 3 == 1 ? model.size() - 1 : model.size() / 2;
        t.erase(up_to(*model[k]));
        model.erase(model.begin() + static_cast<std::ptrdiff_t>(k));
        REQUIRE(same(t, model));
    }
    CHECK(t.empty());
    CHECK(t.lower_bound([](long, const Item*) { return false; }) == std::pair<std::size_t, Item*>{0, nullptr});
}

}  // namespace

TEST_CASE("RankTree: random operations against a sorted vector, small nodes") {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) random_run<8>(seed, 3000);
}

TEST_CASE("RankTree: random operations against a sorted vector, default nodes") {
    random_run<32>(42, 20000);
}

TEST_CASE("RankTree: ascending and descending runs split and merge at the ends") {
    std::vector<std::unique_ptr<Item>> owned;
    std::vector<Item*> model;
    Tree<8> t;
    for (int i = 0; i < 500; ++i) {
        owned.push_back(std::make_unique<Item>(Item{i, i}));
        t.insert(i, owned.back().get(), before(*owned.back()));
        model.push_back(owned.back().get());
    }
    for (int i = -1; i >= -500; --i) {
        owned.push_back(std::make_unique<Item>(Item{i, i}));
        t.insert(i, owned.back().get(), before(*owned.back()));
        model.insert(model.begin(), owned.back().get());
    }
    REQUIRE(same(t, model));
    for (std::size_t k = 0; k < model.size(); k += 37) CHECK(t.at(k) == model[k]);
    // Erasing the first entry again and again (ZPOPMIN) keeps the tree valid and shallow.
    while (model.size() > 3) {
        t.erase(up_to(*model.front()));
        model.erase(model.begin());
        t.erase(up_to(*model.back()));
        model.pop_back();
        REQUIRE(same(t, model));
    }
    CHECK(t.node_bytes() > 0);
    t.clear();
    CHECK(t.size() == 0);
    CHECK(t.check_invariants());
    CHECK(t.node_bytes() == 0);
}

TEST_CASE("RankTree: a small tree takes a small root leaf, which doubles up to a full node") {
    std::vector<std::unique_ptr<Item>> owned;
    Tree<32> t;
    std::vector<std::size_t> bytes;  // node_bytes() after each insert
    for (int i = 0; i < 40; ++i) {
        owned.push_back(std::make_unique<Item>(Item{i, i}));
        t.insert(i, owned.back().get(), before(*owned.back()));
        bytes.push_back(t.node_bytes());
        REQUIRE(t.check_invariants());
    }
    // One entry: a root with room for 4 (a header and 4 scores and items), not for 32.
    CHECK(bytes[0] <= 8 + 4 * (sizeof(long) + sizeof(Item*)));
    CHECK(bytes[0] == bytes[3]);
    // The fifth entry doubles the room (8), the ninth again (16), the seventeenth to a full 32.
    CHECK(bytes[4] > bytes[3]);
    CHECK(bytes[8] > bytes[7]);
    CHECK(bytes[16] > bytes[15]);
    CHECK(bytes[16] == bytes[31]);
    CHECK(bytes[31] < 2 * bytes[16]);
    // The 33rd splits the full leaf: two leaves and an inner root.
    CHECK(bytes[32] > 2 * bytes[31]);
}

TEST_CASE("RankTree: a bulk build of every size keeps the fill bounds") {
    std::vector<std::unique_ptr<Item>> owned;
    std::vector<Item*> model;
    for (int n = 0; n <= 700; n += (n < 40 ? 1 : 23)) {
        while (static_cast<int>(model.size()) < n) {
            owned.push_back(std::make_unique<Item>(Item{static_cast<long>(model.size()), 0}));
            model.push_back(owned.back().get());
        }
        Tree<8> t;
        std::size_t i = 0;
        t.assign(model.size(), [&] { return model[i++]; }, [](const Item* x) { return x->score; });
        CAPTURE(n);
        REQUIRE(same(t, model));
        Tree<8> moved(std::move(t));
        CHECK(t.empty());
        CHECK(same(moved, model));
    }
}

}  // namespace rank_tree_test
