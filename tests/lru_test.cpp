#include <cachet/eviction/lru.hpp>

#include <doctest/doctest.h>

#include <vector>

namespace lru_test {

namespace {
struct Item : cachet::PolicyHook {
    int id = 0;
};
std::vector<int> mru_order(const cachet::LruPolicy& lru) {
    std::vector<int> ids;
    lru.for_each_mru(
        [&](const cachet::PolicyHook* h) { ids.push_back(static_cast<const Item*>(h)->id); });
    return ids;
}
}  // namespace

TEST_SUITE("lru") {
    TEST_CASE("insert, access and remove keep recency order; the victim is the least recent") {
        cachet::LruPolicy lru;
        CHECK(lru.victim() == nullptr);
        Item a, b, c;
        a.id = 1;
        b.id = 2;
        c.id = 3;
        lru.on_insert(&a);
        lru.on_insert(&b);
        lru.on_insert(&c);
        CHECK(mru_order(lru) == std::vector<int>{3, 2, 1});
        CHECK(lru.victim() == &a);
        lru.on_access(&a);
        CHECK(mru_order(lru) == std::vector<int>{1, 3, 2});
        CHECK(lru.victim() == &b);
        lru.on_access(&a);  // already most recent: no change
        CHECK(mru_order(lru) == std::vector<int>{1, 3, 2});
        lru.on_remove(&b);
        CHECK(b.policy_prev == nullptr);
        lru.on_remove(&b);  // removing twice is a no-op
        CHECK(lru.size() == 2);
        CHECK(lru.victim() == &c);
        CHECK(lru.check_invariants());
        lru.reset();
        CHECK(lru.size() == 0);
        CHECK(lru.victim() == nullptr);
    }
}

}  // namespace lru_test
