// HashMap / HashSet: Redis's dict semantics (cursor scan guarantee across resizes, random
// members), checked against std::unordered_map / std::unordered_set.
#include <cachet/hash_table.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace hash_table_test {

TEST_SUITE("hash_table") {
    TEST_CASE("HashMap agrees with std::unordered_map over random operations") {
        const auto seed = std::random_device{}();
        CAPTURE(seed);
        std::mt19937_64 rng(seed);
        cachet::HashMap<std::string, int> map;
        std::unordered_map<std::string, int> model;
        for (int step = 0; step < 20000; ++step) {
            const std::string key = "k" + std::to_string(rng() % 500);
            switch (rng() % 4) {
                case 0:
                case 1: {
                    const int v = static_cast<int>(rng() % 1000);
                    CHECK(map.insert_or_assign(key, v) == !model.contains(key));
                    model[key] = v;
                    break;
                }
                case 2: CHECK(map.erase(key) == (model.erase(key) == 1)); break;
                case 3: {
                    const int* v = map.find(key);
                    auto it = model.find(key);
                    REQUIRE((v != nullptr) == (it != model.end()));
                    if (v) CHECK(*v == it->second);
                    break;
                }
            }
            REQUIRE(map.size() == model.size());
        }
        CHECK(map.check_invariants());
        std::unordered_map<std::string, int> seen;
        map.for_each([&](const std::string& k, int v) { seen[k] = v; });
        CHECK(seen == model);
        cachet::HashMap<std::string, int> copy = map;
        CHECK(copy == map);
        CHECK(copy.check_invariants());
    }

    TEST_CASE("a scan returns every element present throughout, across grows and shrinks") {
        cachet::HashSet<int> set;
        for (int i = 0; i < 1000; ++i) set.insert(i);
        std::set<int> seen;
        std::uint64_t cursor = 0;
        int calls = 0;
        do {
            cursor = set.scan(cursor, [&](int v) { seen.insert(v); });
            ++calls;
            // Between calls: grow (add 1000+) then shrink (remove them and more) the table.
            if (calls == 50)
                for (int i = 1000; i < 5000; ++i) set.insert(i);
            if (calls == 200)
                for (int i = 100; i < 5000; ++i) set.erase(i);
        } while (cursor != 0);
        for (int i = 0; i < 100; ++i) CHECK(seen.contains(i));  // present for the whole scan
        CHECK(set.check_invariants());
    }

    TEST_CASE("an unchanged table is scanned exactly once, and an empty one ends at once") {
        cachet::HashSet<int> empty;
        int visits = 0;
        CHECK(empty.scan(0, [&](int) { ++visits; }) == 0);
        CHECK(visits == 0);
        cachet::HashSet<int> set;
        for (int i = 0; i < 300; ++i) set.insert(i);
        std::multiset<int> seen;
        std::uint64_t cursor = 0;
        do cursor = set.scan(cursor, [&](int v) { seen.insert(v); });
        while (cursor != 0);
        CHECK(seen.size() == 300);
        CHECK(std::set<int>(seen.begin(), seen.end()).size() == 300);
    }

    TEST_CASE("random picks cover the members and pop_random empties the set") {
        cachet::HashSet<int> set{1, 2, 3, 4, 5, 6, 7, 8};
        std::map<int, int> counts;
        for (int i = 0; i < 8000; ++i) ++counts[*set.random()];
        CHECK(counts.size() == 8);
        for (auto& [k, n] : counts) CHECK(n > 400);  // each about 1000
        std::set<int> popped;
        while (!set.empty()) popped.insert(set.pop_random());
        CHECK(popped == std::set<int>{1, 2, 3, 4, 5, 6, 7, 8});
        CHECK(set.random() == nullptr);
        CHECK(set.check_invariants());
    }
    TEST_CASE("HashMap lists entries in insertion order through erases, copies, moves, growth") {
        cachet::HashMap<int, int> m;
        std::vector<int> model;  // keys in insertion order
        std::mt19937 rng(7);
        for (int step = 0; step < 20000; ++step) {
            const int k = static_cast<int>(rng() % 500);
            if (rng() % 3 == 0) {
                if (m.erase(k)) model.erase(std::find(model.begin(), model.end(), k));
            } else if (m.insert_or_assign(k, step)) {
                model.push_back(k);  // an update keeps its place
            }
        }
        auto keys = [](const cachet::HashMap<int, int>& h) {
            std::vector<int> out;
            h.for_each([&](int k, int) { out.push_back(k); });
            return out;
        };
        CHECK(keys(m) == model);
        m.set_tag(3);
        const cachet::HashMap<int, int> copy(m);
        CHECK(keys(copy) == model);
        CHECK(copy.tag() == 3);
        cachet::HashMap<int, int> moved(std::move(m));
        CHECK(keys(moved) == model);
        CHECK(moved.tag() == 3);
        CHECK(keys(m).empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
        moved.clear();
        CHECK(moved.tag() == 0);
        CHECK(keys(moved).empty());
        moved.insert_or_assign(1, 1);
        CHECK(keys(moved) == std::vector<int>{1});
    }
}

}  // namespace hash_table_test
