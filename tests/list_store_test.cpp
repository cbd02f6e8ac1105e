// List (the unkeyed Redis list) and ListStore (one per key on the keyspace core): Redis's edge
// cases per command family, checked against redis-server 7.0.15 (the expected values below are
// what it replied), TTL and key-deletion rules, keyspace event names, and blocking pops.
#include "support/test_store.hpp"

#include <cachet/list_store.hpp>

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace list_store_test {

using namespace std::chrono_literals;
using cachet::ListEnd;
using cachet::ListInsert;
using cachet::ListSetStatus;

namespace {

using SList = cachet::List<std::string>;
using Store = cachet::ListStore<std::string, std::string, test::StringHash, std::equal_to<>,
                                cachet::ManualClock, std::mutex>;
using IntStore = cachet::ListStore<std::string, int, test::StringHash, std::equal_to<>,
                                   cachet::ManualClock, std::mutex>;
using Strings = std::vector<std::string>;

SList abcde() { return SList{"a", "b", "c", "d", "e"}; }

Strings all(const SList& l) { return Strings(l.begin(), l.end()); }

/// Counts live instances, to show that every element constructed is destroyed.
struct Counted {
    static inline int live = 0;
    int v = 0;
    Counted(int x = 0) : v(x) { ++live; }  // NOLINT: implicit for brevity
    Counted(const Counted& o) : v(o.v) { ++live; }
    Counted(Counted&& o) noexcept : v(o.v) { ++live; }
    Counted& operator=(const Counted&) = default;
    Counted& operator=(Counted&&) noexcept = default;
    ~Counted() { --live; }
    friend bool operator==(const Counted& a, const Counted& b) { return a.v == b.v; }
};

/// Throws on the copy after `budget` more copies, to check the strong guarantee of growth.
struct ThrowOnCopy {
    static inline int budget = 1000;
    int v = 0;
    explicit ThrowOnCopy(int x) : v(x) {}
    ThrowOnCopy(const ThrowOnCopy& o) : v(o.v) {
        if (budget-- <= 0) throw std::runtime_error("copy");
    }
    ThrowOnCopy(ThrowOnCopy&& o) : v(o.v) {}  // not noexcept: growth copies instead
    ThrowOnCopy& operator=(const ThrowOnCopy&) = default;
};

/// Waits until `n` consumers are blocked on `key` (registration is what a test can observe).
template <class S>
void await_blocked(S& s, const std::string& key, std::size_t n) {
    while (s.backend().waiters().queued(key) < n) std::this_thread::yield();
}

}  // namespace

// The List's contract, checked at compile time.
static_assert(std::is_nothrow_move_constructible_v<SList>);
static_assert(std::is_nothrow_move_assignable_v<SList>);
static_assert(std::is_nothrow_swappable_v<SList>);
static_assert(std::is_nothrow_default_constructible_v<SList>);
static_assert(sizeof(cachet::List<int>) == 4 * sizeof(void*), "pointer, capacity, head, size");
static_assert(std::random_access_iterator<SList::iterator>);
static_assert(std::random_access_iterator<SList::const_iterator>);
static_assert(std::ranges::random_access_range<const SList>);
static_assert(std::is_convertible_v<SList::iterator, SList::const_iterator>);
static_assert(!std::is_convertible_v<SList::const_iterator, SList::iterator>);
static_assert(!std::is_copy_constructible_v<Store>);

TEST_SUITE("list_store") {
    // ================================================================ List

    TEST_CASE("List: pushes and pops at both ends, across the wrap-around") {
        cachet::List<int> l;
        CHECK(l.empty());
        CHECK(l.capacity() == 0);  // an empty list allocates nothing
        CHECK(l.pop_front() == std::nullopt);
        CHECK(l.pop_back() == std::nullopt);
        std::deque<int> model;
        for (int i = 0; i < 200; ++i) {
            if (i % 3 == 0) {
                l.push_front(i);
                model.push_front(i);
            } else {
                l.push_back(i);
                model.push_back(i);
            }
            if (i % 5 == 4) {
                CHECK(l.pop_front() == model.front());
                model.pop_front();
            }
            REQUIRE(l.check_invariants());
        }
        CHECK(std::vector<int>(l.begin(), l.end()) == std::vector<int>(model.begin(), model.end()));
        CHECK(l.front() == model.front());
        CHECK(l.back() == model.back());
        while (!model.empty()) {
            CHECK(l.pop_back() == model.back());
            model.pop_back();
            REQUIRE(l.check_invariants());
        }
        CHECK(l.empty());
        CHECK(l.capacity() <= 16);  // shrank as it emptied
    }

    TEST_CASE("List: a push may refer to an element of the same list, also when it grows") {
        SList l{"one"};
        for (int i = 0; i < 10; ++i) {
            l.push_back(l.front());
            l.push_front(l.back());
        }
        CHECK(l.size() == 21);
        for (const auto& s : l) CHECK(s == "one");
    }

    TEST_CASE("List: growth keeps the list unchanged when a copy throws (strong guarantee)") {
        cachet::List<ThrowOnCopy> l;
        ThrowOnCopy::budget = 1000;
        for (int i = 0; i < 4; ++i) l.push_back(ThrowOnCopy(i));  // 1, 2, 4 slots: full
        REQUIRE(l.size() == l.capacity());
        ThrowOnCopy::budget = 2;  // the new element and one relocation, then a throw
        const ThrowOnCopy extra(9);
        CHECK_THROWS_AS(l.push_back(extra), std::runtime_error);
        ThrowOnCopy::budget = 1000;
        REQUIRE(l.size() == 4);
        for (int i = 0; i < 4; ++i) CHECK(l[static_cast<std::size_t>(i)].v == i);
        CHECK(l.check_invariants());
    }

    TEST_CASE("List: every element constructed is destroyed") {
        Counted::live = 0;
        {
            cachet::List<Counted> l;
            for (int i = 0; i < 100; ++i) l.push_back(i);
            for (int i = 0; i < 30; ++i) l.push_front(i);
            l.insert_at(50, Counted(7));
            CHECK(l.remove(0, Counted(7)) >= 1);
            (void)l.pop_front(10);
            (void)l.pop_back();
            l.trim(5, -5);
            cachet::List<Counted> copy = l;
            cachet::List<Counted> moved = std::move(copy);
            copy = moved;
            copy.clear();
            CHECK(moved == l);
            CHECK(Counted::live == static_cast<int>(l.size() + moved.size()));
        }
        CHECK(Counted::live == 0);
    }

    TEST_CASE("List: copies are deep, moves steal, swap exchanges") {
        SList a{"x", "y"};
        SList b = a;
        b.push_back("z");
        CHECK(a.size() == 2);
        CHECK(b.size() == 3);
        SList c = std::move(b);
        CHECK(b.empty());  // NOLINT: moved-from is empty by contract
        CHECK(c.size() == 3);
        swap(a, c);
        CHECK(all(a) == Strings{"x", "y", "z"});
        CHECK(all(c) == Strings{"x", "y"});
        a = c;
        CHECK(a == c);
        a = {"q"};
        CHECK(all(a) == Strings{"q"});
    }

    TEST_CASE("List::range follows LRANGE's negative-index and clamping rules") {
        const SList l = abcde();
        // redis-server 7.0.15: RPUSH l a b c d e; LRANGE l <start> <stop>
        CHECK(l.range(0, -1) == Strings{"a", "b", "c", "d", "e"});
        CHECK(l.range(-100, 100) == Strings{"a", "b", "c", "d", "e"});
        CHECK(l.range(2, 1).empty());
        CHECK(l.range(-2, -1) == Strings{"d", "e"});
        CHECK(l.range(5, 10).empty());
        CHECK(l.range(-6, 0) == Strings{"a"});
        CHECK(l.range(3, -3).empty());
        CHECK(l.range(-1, -5).empty());
        CHECK(l.range(0, 0) == Strings{"a"});
        CHECK(l.range(4, 4) == Strings{"e"});
        CHECK(l.range(LLONG_MIN, LLONG_MAX) == Strings{"a", "b", "c", "d", "e"});
        CHECK(SList{}.range(0, -1).empty());
        CHECK(l.resolve_range(-2, 100) == cachet::detail::ListSpan{3, 2});
    }

    TEST_CASE("List::index and set follow LINDEX and LSET") {
        SList l = abcde();
        CHECK(*l.index(0) == "a");
        CHECK(*l.index(-1) == "e");
        CHECK(*l.index(-5) == "a");
        CHECK(l.index(-6) == nullptr);
        CHECK(l.index(5) == nullptr);
        CHECK(l.index(LLONG_MIN) == nullptr);
        CHECK_FALSE(l.set(5, "x"));  // ERR index out of range
        CHECK_FALSE(l.set(-6, "x"));
        CHECK(l.set(-1, "Z"));
        CHECK(all(l) == Strings{"a", "b", "c", "d", "Z"});
    }

    TEST_CASE("List::insert follows LINSERT, inserting in either half") {
        SList l = abcde();
        l.set(-1, "Z");
        CHECK(l.insert(ListInsert::before, "zz", "q") == -1);  // no pivot: unchanged
        CHECK(l.insert(ListInsert::after, "Z", "q") == 6);
        CHECK(l.insert(ListInsert::before, "a", "p") == 7);
        CHECK(all(l) == Strings{"p", "a", "b", "c", "d", "Z", "q"});
        CHECK(l.insert(ListInsert::after, "a", "1") == 8);   // front half
        CHECK(l.insert(ListInsert::before, "Z", "2") == 9);  // back half
        CHECK(all(l) == Strings{"p", "a", "1", "b", "c", "d", "2", "Z", "q"});
        // The first pivot from the head is the one used.
        SList d{"x", "y", "x"};
        CHECK(d.insert(ListInsert::after, "x", "n") == 4);
        CHECK(all(d) == Strings{"x", "n", "y", "x"});
        // Every position of a list that wraps around its buffer, against std::deque.
        for (std::size_t pos = 0; pos <= 9; ++pos) {
            cachet::List<int> w;
            std::deque<int> m;
            for (int i = 0; i < 6; ++i) w.push_back(i), m.push_back(i);
            for (int i = 0; i < 3; ++i) w.push_front(-i - 1), m.push_front(-i - 1);
            w.insert_at(pos, 100);
            m.insert(m.begin() + static_cast<std::ptrdiff_t>(pos), 100);
            CHECK(std::vector<int>(w.begin(), w.end()) == std::vector<int>(m.begin(), m.end()));
            CHECK(w.check_invariants());
        }
    }

    TEST_CASE("List::remove follows LREM's sign rule") {
        SList l{"a", "b", "a", "c", "a", "b", "a"};
        CHECK(l.remove(2, "a") == 2);  // from the head
        CHECK(all(l) == Strings{"b", "c", "a", "b", "a"});
        CHECK(l.remove(-1, "b") == 1);  // from the tail
        CHECK(all(l) == Strings{"b", "c", "a", "a"});
        CHECK(l.remove(0, "a") == 2);  // all
        CHECK(all(l) == Strings{"b", "c"});
        CHECK(l.remove(0, "nope") == 0);
        CHECK(l.remove(5, "c") == 1);
        CHECK(all(l) == Strings{"b"});
        SList m{"a", "b", "a", "c", "a"};
        CHECK(m.remove(LLONG_MIN, "a") == 3);  // |LLONG_MIN| does not overflow
        CHECK(all(m) == Strings{"b", "c"});
        SList t{"a", "x", "a", "y", "a", "z"};
        CHECK(t.remove(-2, "a") == 2);
        CHECK(all(t) == Strings{"a", "x", "y", "z"});
        CHECK(t.check_invariants());
    }

    TEST_CASE("List::trim follows LTRIM") {
        struct Case {
            long long start, stop;
            Strings kept;
        };
        // redis-server 7.0.15: RPUSH l a b c d e; LTRIM l <start> <stop>; LRANGE l 0 -1
        const Case cases[] = {
            {1, -2, {"b", "c", "d"}},
            {0, -1, {"a", "b", "c", "d", "e"}},
            {-100, 100, {"a", "b", "c", "d", "e"}},
            {2, 1, {}},
            {5, 10, {}},
            {-1, -1, {"e"}},
            {0, 0, {"a"}},
            {-2, -1, {"d", "e"}},
            {3, -3, {}},
        };
        for (const Case& c : cases) {
            CAPTURE(c.start);
            CAPTURE(c.stop);
            SList l = abcde();
            CHECK(l.trim(c.start, c.stop) == 5 - c.kept.size());
            CHECK(all(l) == c.kept);
            CHECK(l.check_invariants());
        }
    }

    TEST_CASE("List::position follows LPOS's RANK, COUNT and MAXLEN") {
        const SList m{"a", "b", "a", "c", "a"};
        using Pos = std::vector<std::size_t>;
        CHECK(m.position("a") == Pos{0});
        CHECK(m.position("x").empty());        // nil
        CHECK(m.position("x", 1, 0).empty());  // COUNT 0: empty array
        CHECK(m.position("a", 1, 0) == Pos{0, 2, 4});
        CHECK(m.position("a", -1, 0) == Pos{4, 2, 0});  // from the tail, in that order
        CHECK(m.position("a", 2, 0, 3) == Pos{2});      // MAXLEN 3 compares a b a
        CHECK(m.position("a", -2, 1, 2).empty());       // compares a c: one match only
        CHECK(m.position("a", -1, 1, 1) == Pos{4});
        CHECK(m.position("a", 2, 1) == Pos{2});
        CHECK(m.position("a", 4, 0).empty());
        CHECK(m.position("a", 1, 2) == Pos{0, 2});
        CHECK_THROWS_AS((void)m.position("a", 0), std::invalid_argument);
        CHECK_THROWS_AS((void)m.position("a", LLONG_MIN), std::invalid_argument);
        CHECK(m.position("a", -LLONG_MAX).empty());
    }

    TEST_CASE("List: pop with a count") {
        SList l = abcde();
        CHECK(l.pop_front(0).empty());
        CHECK(l.pop_front(2) == Strings{"a", "b"});
        CHECK(l.pop_back(2) == Strings{"e", "d"});  // tail first
        CHECK(l.pop_back(10) == Strings{"c"});
        CHECK(l.pop_front(1).empty());
        CHECK(l.check_invariants());
    }

    TEST_CASE("List: memory follows the size") {
        cachet::List<int> l;
        l.push_back(1);
        CHECK(l.capacity() == 1);  // exactly one element's worth for a single element
        for (int i = 0; i < 1000; ++i) l.push_back(i);
        CHECK(l.capacity() >= 1001);
        CHECK(l.capacity() <= 1001 * 3 / 2 + 1);
        (void)l.pop_front(990);
        CHECK(l.capacity() <= 64);
        l.shrink_to_fit();
        CHECK(l.capacity() == l.size());
        l.reserve(100);
        CHECK(l.capacity() == 100);
        CHECK(l.check_invariants());
    }

    TEST_CASE("List: a long list is segmented, pushes never move its elements, and it becomes "
              "small again") {
        using Big = std::array<std::uint64_t, 32>;  // 256 bytes: 16 per block
        using BList = cachet::List<Big>;
        static_assert(BList::block_elements() == 16 && BList::small_limit() == 64);
        auto big = [](std::uint64_t v) {
            Big b{};
            b[0] = v;
            return b;
        };
        BList l;
        for (std::uint64_t i = 0; i < 64; ++i) l.push_back(big(i));
        CHECK(!l.segmented());
        CHECK(l.capacity() == 64);  // the buffer stops growing at small_limit()
        l.push_front(big(1000));    // the 65th element: into blocks
        CHECK(l.segmented());
        REQUIRE(l.check_invariants());
        const Big* first = &l.front();
        const Big* last = &l.back();
        for (std::uint64_t i = 0; i < 5000; ++i) {  // many blocks and map doublings, both ends
            if (i % 2) l.push_back(big(64 + i));
            else l.push_front(big(2000 + i));
        }
        REQUIRE(l.check_invariants());
        CHECK(l.size() == 5065);
        // The elements never moved: the former first and last are where they were.
        CHECK((*first)[0] == 1000);
        CHECK((*last)[0] == 63);
        CHECK(&l[2500] == first);  // 2,500 pushes at the front came before it
        CHECK(l.front()[0] == 2000 + 4998);
        CHECK(l.back()[0] == 64 + 4999);
        CHECK(l.capacity() <= l.size() + 3 * 16);  // blocks in use, plus one spare
        const std::vector<std::size_t> at = l.position(big(1000));
        CHECK(at == std::vector<std::size_t>{2500});
        // Indexing, insertion and removal across blocks.
        l.insert_at(2501, big(999999));
        CHECK(l[2501][0] == 999999);
        CHECK(l[2502][0] == 0);
        CHECK(l.remove(0, big(999999)) == 1);
        CHECK(l.trim(2000, 2999) == 5065 - 1000);
        CHECK(l.size() == 1000);
        CHECK(l.front()[0] == 2998);  // the front pushes were 6998, 6996, ...: the 2,000th
        REQUIRE(l.check_invariants());
        // Popping down to two blocks' worth makes it small again; memory followed the size.
        while (l.size() > 40) (void)l.pop_back();
        CHECK(l.segmented());
        CHECK(l.capacity() <= 40 + 3 * 16);
        (void)l.pop_front(8);
        CHECK(!l.segmented());
        CHECK(l.size() == 32);
        CHECK(l.capacity() == 64);  // twice the size
        REQUIRE(l.check_invariants());
        l.clear();
        CHECK(l.empty());
    }

    TEST_CASE("List: reserve, copies, moves and clear of a segmented list") {
        using BList = cachet::List<std::array<char, 256>>;
        BList l;
        l.reserve(1000);
        CHECK(l.segmented());
        REQUIRE(l.check_invariants());
        for (int i = 0; i < 1000; ++i) l.push_back({static_cast<char>(i % 100)});
        BList copy = l;
        CHECK(copy == l);
        CHECK(copy.segmented());
        BList moved = std::move(copy);
        CHECK(moved == l);
        CHECK(copy.empty());  // NOLINT: moved-from is empty by contract
        CHECK(copy.capacity() == 0);
        swap(moved, copy);
        CHECK(copy == l);
        CHECK(moved.empty());
        copy.clear();  // frees the blocks
        CHECK(copy.capacity() == 0);
        CHECK(!copy.segmented());
        REQUIRE(copy.check_invariants());
        l.shrink_to_fit();  // drops the spare block only
        CHECK(l.capacity() <= 1000 + 16);
        CHECK(l.segmented());
        std::vector<std::array<char, 256>> tail = l.pop_back(980);
        CHECK(tail.size() == 980);
        CHECK(tail.front()[0] == 99);
        CHECK(!l.segmented());  // 20 elements: small again
        CHECK(l.size() == 20);
        REQUIRE(l.check_invariants());
    }

    TEST_CASE("List: a push onto a segmented list that throws changes nothing") {
        struct Fat {
            ThrowOnCopy t;
            char pad[252] = {};
            explicit Fat(int v) : t(v) {}
        };
        cachet::List<Fat> l;
        ThrowOnCopy::budget = 1 << 30;
        for (int i = 0; i < 80; ++i) l.push_back(Fat(i));
        REQUIRE(l.segmented());
        for (const bool front : {true, false}) {
            for (int edge = 0; edge < 20; ++edge) {  // into a block, and at a block's edge
                const Fat extra(-1);
                const std::size_t before = l.size();
                ThrowOnCopy::budget = 0;
                if (front) CHECK_THROWS_AS(l.push_front(extra), std::runtime_error);
                else CHECK_THROWS_AS(l.push_back(extra), std::runtime_error);
                ThrowOnCopy::budget = 1 << 30;
                REQUIRE(l.size() == before);
                REQUIRE(l.check_invariants());
                if (front) l.push_front(Fat(100 + edge));
                else l.push_back(Fat(200 + edge));
            }
        }
        CHECK(l.front().t.v == 119);
        CHECK(l.back().t.v == 219);
        CHECK(l[20].t.v == 0);
        ThrowOnCopy::budget = 1000;
    }

    // ================================================================ ListStore

    TEST_CASE("push returns the new length; LPUSH of several puts the last first") {
        Store s({}, cachet::ManualClock{});
        CHECK(s.push_back("l", "a") == 1);
        CHECK(s.push_back("l", {"b", "c"}) == 3);
        CHECK(s.push_front("l", {"x", "y", "z"}) == 6);
        CHECK(s.range("l", 0, -1) == Strings{"z", "y", "x", "a", "b", "c"});
        const Strings more{"m", "n"};
        CHECK(s.push_back_range("l", more) == 8);
        CHECK(s.push_front_range("l", Strings{}) == 8);  // nothing to push
        CHECK(s.length("l") == 8);
        CHECK(s.length("nokey") == 0);
        CHECK(s.check_invariants());
    }

    TEST_CASE("LPUSHX / RPUSHX push only onto an existing list") {
        Store s({}, cachet::ManualClock{});
        CHECK(s.push_front_if_exists("nokey", "a") == 0);
        CHECK(s.push_back_range_if_exists("nokey", Strings{"a", "b"}) == 0);
        CHECK_FALSE(s.contains("nokey"));
        s.push_back("x", "1");
        CHECK(s.push_back_range_if_exists("x", Strings{"4", "5"}) == 3);
        CHECK(s.push_front_if_exists("x", "0") == 4);
        CHECK(s.push_back_if_exists("x", "6") == 5);
        CHECK(s.push_front_range_if_exists("x", Strings{"-1"}) == 6);
        CHECK(s.range("x", 0, -1) == Strings{"-1", "0", "1", "4", "5", "6"});
    }

    TEST_CASE("pops: one, with a count, absent keys, and the emptied list deletes its key") {
        Store s({}, cachet::ManualClock{});
        CHECK(s.pop_front("nokey") == std::nullopt);
        CHECK(s.pop_front("nokey", 2) == std::nullopt);  // nil, not an empty array
        CHECK(s.pop_back("nokey", 0) == std::nullopt);
        s.push_back("l", {"a", "b", "c", "d"});
        CHECK(s.pop_front("l", 0) == Strings{});  // an empty array on an existing key
        CHECK(s.pop_front("l") == "a");
        CHECK(s.pop_back("l") == "d");
        CHECK(s.pop_back("l", 5) == Strings{"c", "b"});
        CHECK_FALSE(s.contains("l"));
        CHECK(s.size() == 0);
        CHECK(s.pop_front("l") == std::nullopt);
    }

    TEST_CASE("range, index and position on the store, and on an absent key") {
        Store s({}, cachet::ManualClock{});
        s.push_back("l", {"a", "b", "a", "c", "a"});
        CHECK(s.range("l", -2, -1) == Strings{"c", "a"});
        CHECK(s.range("l", 3, 1).empty());
        CHECK(s.range("nokey", 0, -1).empty());
        CHECK(s.index("l", -1) == "a");
        CHECK(s.index("l", 1) == "b");
        CHECK(s.index("l", 5) == std::nullopt);
        CHECK(s.index("nokey", 0) == std::nullopt);
        CHECK(s.position("l", "a", -1, 0) == std::vector<std::size_t>{4, 2, 0});
        CHECK(s.position("l", std::string_view("c")) == std::vector<std::size_t>{3});
        CHECK(s.position("nokey", "a").empty());
        CHECK_THROWS_AS((void)s.position("l", "a", 0), std::invalid_argument);
        std::size_t seen = 0;
        CHECK(s.visit("l", [&](const cachet::List<std::string>& l) { seen = l.size(); }));
        CHECK(seen == 5);
        CHECK_FALSE(s.visit("nokey", [](const auto&) {}));
    }

    TEST_CASE("LSET reports a missing key and an index out of range without throwing") {
        Store s({}, cachet::ManualClock{});
        CHECK(s.set("nokey", 0, "x") == ListSetStatus::no_such_key);
        CHECK_FALSE(s.contains("nokey"));
        s.push_back("l", {"a", "b", "c"});
        CHECK(s.set("l", 3, "x") == ListSetStatus::out_of_range);
        CHECK(s.set("l", -4, "x") == ListSetStatus::out_of_range);
        CHECK(s.set("l", -1, "Z") == ListSetStatus::ok);
        CHECK(s.set("l", 0, "A") == ListSetStatus::ok);
        CHECK(s.range("l", 0, -1) == Strings{"A", "b", "Z"});
        CHECK(cachet::to_string(ListSetStatus::out_of_range) == "index out of range");
        CHECK(cachet::to_string(ListSetStatus::no_such_key) == "no such key");
    }

    TEST_CASE("LINSERT: the new length, -1 without the pivot, 0 without the key") {
        Store s({}, cachet::ManualClock{});
        CHECK(s.insert("nokey", ListInsert::before, "a", "q") == 0);
        CHECK_FALSE(s.contains("nokey"));
        s.push_back("l", {"a", "b"});
        CHECK(s.insert("l", ListInsert::before, "zz", "q") == -1);
        CHECK(s.insert("l", ListInsert::after, "b", "c") == 3);
        CHECK(s.insert("l", ListInsert::before, "a", "0") == 4);
        CHECK(s.range("l", 0, -1) == Strings{"0", "a", "b", "c"});
    }

    TEST_CASE("LREM and LTRIM on the store delete the key when they empty it") {
        Store s({}, cachet::ManualClock{});
        CHECK(s.remove("nokey", 0, "a") == 0);
        s.push_back("l", {"a", "b", "a", "c", "a", "b", "a"});
        CHECK(s.remove("l", 2, "a") == 2);
        CHECK(s.remove("l", -1, "b") == 1);
        CHECK(s.range("l", 0, -1) == Strings{"b", "c", "a", "a"});
        CHECK(s.remove("l", 0, "x") == 0);
        CHECK(s.remove("l", 0, "a") == 2);
        CHECK(s.remove("l", 0, "b") == 1);
        CHECK(s.remove("l", 0, "c") == 1);
        CHECK_FALSE(s.contains("l"));

        CHECK(s.trim("nokey", 0, 1) == 0);
        CHECK_FALSE(s.contains("nokey"));
        s.push_back("t", {"a", "b", "c", "d", "e"});
        CHECK(s.trim("t", 1, -2) == 2);
        CHECK(s.range("t", 0, -1) == Strings{"b", "c", "d"});
        CHECK(s.trim("t", 0, -1) == 0);
        CHECK(s.trim("t", 2, 1) == 3);  // selects nothing: empties the list
        CHECK_FALSE(s.contains("t"));
        CHECK(s.check_invariants());
    }

    TEST_CASE("LMOVE between keys, onto the same key (rotation), and from an absent key") {
        Store s({}, cachet::ManualClock{});
        CHECK(s.move("nokey", "x", ListEnd::front, ListEnd::front) == std::nullopt);
        CHECK_FALSE(s.contains("x"));  // nothing was created
        s.push_back("x", {"1", "2", "3"});
        // redis-server 7.0.15: RPUSH x 1 2 3; LMOVE x x LEFT RIGHT -> "1", x = 2 3 1
        CHECK(s.move("x", "x", ListEnd::front, ListEnd::back) == "1");
        CHECK(s.range("x", 0, -1) == Strings{"2", "3", "1"});
        CHECK(s.move("x", "x", ListEnd::back, ListEnd::front) == "1");
        CHECK(s.range("x", 0, -1) == Strings{"1", "2", "3"});
        CHECK(s.move("x", "x", ListEnd::front, ListEnd::front) == "1");
        CHECK(s.range("x", 0, -1) == Strings{"1", "2", "3"});
        // RPOPLPUSH into a new key, then empty the source.
        CHECK(s.move("x", "y", ListEnd::back, ListEnd::front) == "3");
        CHECK(s.move("x", "y", ListEnd::back, ListEnd::front) == "2");
        CHECK(s.move("x", "y", ListEnd::front, ListEnd::back) == "1");
        CHECK_FALSE(s.contains("x"));
        CHECK(s.range("y", 0, -1) == Strings{"2", "3", "1"});
        // A one-element list moved onto itself stays.
        s.push_back("one", "v");
        CHECK(s.move("one", "one", ListEnd::front, ListEnd::back) == "v");
        CHECK(s.range("one", 0, -1) == Strings{"v"});
        CHECK(s.check_invariants());
    }

    TEST_CASE("LMPOP pops from the first key that holds a list") {
        Store s({}, cachet::ManualClock{});
        CHECK(s.pop({"a", "b"}, ListEnd::front) == std::nullopt);
        s.push_back("b", {"1", "2", "3"});
        s.push_back("c", {"x"});
        auto got = s.pop({"a", "b", "c"}, ListEnd::back, 2);
        REQUIRE(got);
        CHECK(got->first == "b");
        CHECK(got->second == Strings{"3", "2"});
        got = s.pop({"c", "b"}, ListEnd::front, 5);
        REQUIRE(got);
        CHECK(got->first == "c");
        CHECK(got->second == Strings{"x"});
        CHECK_FALSE(s.contains("c"));
        const Strings keys{"b"};
        got = s.pop(std::span<const std::string>(keys), ListEnd::front, 10);
        REQUIRE(got);
        CHECK(got->second == Strings{"1"});
        CHECK(s.size() == 0);
        CHECK_THROWS_AS((void)s.pop({"b"}, ListEnd::front, 0), std::invalid_argument);
        CHECK_THROWS_AS((void)s.pop(std::span<const std::string>(), ListEnd::front),
                        std::invalid_argument);
    }

    TEST_CASE("TTL: a push keeps it, an emptied list takes it away, expiry deletes the list") {
        cachet::ManualClock clock;
        Store s({}, clock);
        s.push_back("q", {"a", "b"});
        CHECK(s.ttl("q").state == cachet::KeyTtl::State::persistent);
        CHECK(s.expire("q", 10s));
        CHECK(s.push_back("q", "c") == 3);  // a push keeps the TTL
        CHECK(s.set("q", 0, "A") == ListSetStatus::ok);
        CHECK(s.insert("q", ListInsert::after, "A", "B") == 4);
        CHECK(s.ttl("q").has_expiry());
        CHECK(s.move("q", "q", ListEnd::front, ListEnd::back) == "A");
        CHECK(s.ttl("q").has_expiry());
        (void)s.pop_front("q", 4);
        CHECK_FALSE(s.contains("q"));  // emptied: deleted, and its TTL with it
        CHECK(s.push_back("q", "new") == 1);
        CHECK(s.ttl("q").state == cachet::KeyTtl::State::persistent);
        // Expiry: present until the deadline, gone after, as if never there.
        CHECK(s.expire("q", 5s));
        clock.advance(4999ms);
        CHECK(s.length("q") == 1);
        clock.advance(1ms);
        CHECK(s.length("q") == 0);
        CHECK(s.pop_front("q") == std::nullopt);
        CHECK(s.push_front_if_exists("q", "x") == 0);
        CHECK(s.range("q", 0, -1).empty());
        // LMOVE into an existing destination keeps the destination's TTL.
        s.push_back("src", "1");
        s.push_back("dst", "2");
        CHECK(s.expire("dst", 30s));
        CHECK(s.move("src", "dst", ListEnd::front, ListEnd::back) == "1");
        CHECK(s.ttl("dst").has_expiry());
        CHECK(s.check_invariants());
    }

    TEST_CASE("a store default TTL applies to a list when its key is created") {
        cachet::ManualClock clock;
        Store s({.default_ttl = 1s}, clock);
        s.push_back("l", "a");
        clock.advance(600ms);
        s.push_back("l", "b");  // not a new key: the deadline stays
        clock.advance(400ms);
        CHECK_FALSE(s.contains("l"));
    }

    TEST_CASE("changes are named as Redis names their keyspace events") {
        std::mutex mu;
        Strings events;
        cachet::ListOptions<std::string, std::string> opts;
        opts.write_listener = [&](const std::string& k, cachet::WriteEvent, std::string_view name) {
            std::lock_guard lock(mu);
            events.push_back(std::string(name) + " " + k);
        };
        opts.removal_listener = [&](const std::string& k, const auto&, cachet::RemovalCause c) {
            std::lock_guard lock(mu);
            events.push_back(std::string(cachet::to_string(c)) + " " + k);
        };
        Store s(std::move(opts), cachet::ManualClock{});
        s.push_back("l", {"a", "b", "c"});  // creates the key: "new", then named as the push
        s.push_front("l", "z");
        (void)s.pop_front("l");
        (void)s.pop_back("l", 1);
        (void)s.set("l", 0, "q");
        (void)s.insert("l", ListInsert::before, "q", "p");
        (void)s.insert("l", ListInsert::before, "nope", "p");  // no pivot: no event
        (void)s.remove("l", 0, "nope");                        // nothing removed: no event
        (void)s.remove("l", 0, "p");
        (void)s.trim("l", 0, -1);   // LTRIM always reports
        (void)s.pop_front("l", 0);  // nothing popped: no event
        (void)s.pop_front("nokey");
        (void)s.push_back_if_exists("nokey", "a");
        (void)s.pop_back("l");  // l is down to one element
        s.push_back("d", "x");
        (void)s.move("l", "d", ListEnd::front, ListEnd::back);  // l empties: removal
        s.push_back("s", {"1", "2"});
        (void)s.move("s", "d", ListEnd::back, ListEnd::front);
        (void)s.pop({"d"}, ListEnd::front, 1);
        // An LMOVE is announced as Redis sends it: the destination's push, the source's pop,
        // then (when the source empties) its removal, `del`.
        CHECK(events == Strings{"new l", "rpush l", "lpush l", "lpop l", "rpop l", "lset l",
                                "linsert l", "lrem l", "ltrim l", "rpop l", "new d", "rpush d",
                                "rpush d", "lpop l", "erased l", "new s", "rpush s", "lpush d",
                                "rpop s", "lpop d"});
    }

    TEST_CASE("a blocked consumer elsewhere does not turn a no-op write into an event") {
        std::mutex mu;
        Strings events;
        cachet::ListOptions<std::string, std::string> opts;
        opts.write_listener = [&](const std::string& k, cachet::WriteEvent, std::string_view name) {
            std::lock_guard lock(mu);
            events.push_back(std::string(name) + " " + k);
        };
        Store s(std::move(opts), cachet::ManualClock{});
        s.push_back("l", {"a", "b"});
        std::jthread consumer([&](std::stop_token stop) { (void)s.pop_front_wait("w", 0s, stop); });
        await_blocked(s, "w", 1);
        (void)s.remove("l", 0, "nope");
        (void)s.insert("l", ListInsert::after, "nope", "x");
        (void)s.pop_front("l", 0);
        (void)s.set("l", 5, "x");
        consumer.request_stop();
        consumer.join();
        std::lock_guard lock(mu);
        CHECK(events == Strings{"new l", "rpush l"});
    }

    // ================================================================ blocking pops

    TEST_CASE("a blocked pop returns at once when one of its keys holds a list (first wins)") {
        Store s({}, cachet::ManualClock{});
        s.push_back("b", {"b1", "b2"});
        s.push_back("c", "c1");
        auto got = s.pop_front_wait({"a", "b", "c"}, 0s);
        REQUIRE(got);
        CHECK(*got == std::pair<std::string, std::string>("b", "b1"));
        got = s.pop_back_wait({"c", "b"}, 1s);
        REQUIRE(got);
        CHECK(*got == std::pair<std::string, std::string>("c", "c1"));
        CHECK(s.backend().waiters().queued("a") == 0);
        auto many = s.pop_wait({"x", "b"}, ListEnd::front, 5, 1s);
        REQUIRE(many);
        CHECK(many->first == "b");
        CHECK(many->second == Strings{"b2"});
        CHECK(s.size() == 0);
    }

    TEST_CASE("a blocked pop is woken by a push from another thread") {
        Store s({}, cachet::ManualClock{});
        std::optional<std::pair<std::string, std::string>> got;
        std::thread consumer([&] { got = s.pop_front_wait({"a", "b"}, 0s); });
        await_blocked(s, "b", 1);
        CHECK(s.push_back("b", "hello") == 1);  // the length before the waiter took it
        consumer.join();
        REQUIRE(got);
        CHECK(got->first == "b");
        CHECK(got->second == "hello");
        CHECK_FALSE(s.contains("b"));                   // served from the list, which became empty
        CHECK(s.backend().waiters().queued("a") == 0);  // unregistered from the other key
    }

    TEST_CASE("waiters on a key are served first come first served") {
        Store s({}, cachet::ManualClock{});
        std::optional<std::pair<std::string, std::string>> got[3];
        std::vector<std::thread> consumers;
        for (std::size_t i = 0; i < 3; ++i) {
            consumers.emplace_back([&, i] { got[i] = s.pop_back_wait("k", 0s); });
            await_blocked(s, "k", i + 1);  // blocked in this order
        }
        SUBCASE("one push per element") {
            s.push_back("k", "0");
            s.push_back("k", "1");
            s.push_back("k", "2");
        }
        SUBCASE("one push of three elements: BRPOP waiters take the tail in turn") {
            s.push_back("k", {"2", "1", "0"});
        }
        for (auto& t : consumers) t.join();
        for (std::size_t i = 0; i < 3; ++i) {
            REQUIRE(got[i]);
            CHECK(got[i]->second == std::to_string(i));
        }
        CHECK(s.size() == 0);
    }

    TEST_CASE("a blocked pop times out with nothing and leaves no registration") {
        Store s({}, cachet::ManualClock{});
        CHECK(s.pop_front_wait({"x", "y"}, 1ms) == std::nullopt);
        CHECK(s.pop_wait({"x"}, ListEnd::back, 2, 1ms) == std::nullopt);
        CHECK(s.move_wait("x", "y", ListEnd::front, ListEnd::back, 1ms) == std::nullopt);
        CHECK(s.backend().waiters().queued("x") == 0);
        CHECK(s.backend().waiters().queued("y") == 0);
        CHECK(s.push_back("x", "v") == 1);
        CHECK(s.length("x") == 1);  // nobody took it
    }

    TEST_CASE("a stop request cancels a blocked pop that has no time limit") {
        Store s({}, cachet::ManualClock{});
        std::optional<std::pair<std::string, std::string>> got{std::pair("sentinel", "")};
        std::optional<std::string> moved{"sentinel"};
        std::jthread consumer([&](std::stop_token stop) { got = s.pop_front_wait("q", 0s, stop); });
        std::jthread mover([&](std::stop_token stop) {
            moved = s.move_wait("m", "q", ListEnd::front, ListEnd::back, 0s, stop);
        });
        await_blocked(s, "q", 1);
        await_blocked(s, "m", 1);
        consumer.request_stop();
        mover.request_stop();
        consumer.join();
        mover.join();
        CHECK(got == std::nullopt);
        CHECK(moved == std::nullopt);
        CHECK(s.backend().waiters().queued("q") == 0);
        CHECK(s.backend().waiters().queued("m") == 0);
        s.push_back("q", "after");
        CHECK(s.length("q") == 1);
        // Already requested: returns at once.
        std::stop_source src;
        src.request_stop();
        CHECK(s.pop_front_wait("empty", 0s, src.get_token()) == std::nullopt);
    }

    TEST_CASE("bad arguments to blocking pops throw") {
        Store s({}, cachet::ManualClock{});
        CHECK_THROWS_AS((void)s.pop_front_wait("k", -1ms), std::invalid_argument);
        CHECK_THROWS_AS((void)s.pop_back_wait({"k"}, std::chrono::duration<double>(-0.5)),
                        std::invalid_argument);
        CHECK_THROWS_AS((void)s.pop_front_wait(std::span<const std::string>(), 1s),
                        std::invalid_argument);
        CHECK_THROWS_AS((void)s.pop_wait({"k"}, ListEnd::front, 0, 1s), std::invalid_argument);
        CHECK_THROWS_AS((void)s.move_wait("a", "b", ListEnd::front, ListEnd::front, -1s),
                        std::invalid_argument);
        CHECK(s.backend().waiters().queued("k") == 0);
    }

    TEST_CASE("BLMPOP takes up to its count when woken") {
        IntStore s({}, cachet::ManualClock{});
        std::optional<std::pair<std::string, std::vector<int>>> got;
        std::thread consumer([&] { got = s.pop_wait({"a", "b"}, ListEnd::front, 3, 0s); });
        await_blocked(s, "a", 1);
        CHECK(s.push_back("a", {1, 2, 3, 4, 5}) == 5);
        consumer.join();
        REQUIRE(got);
        CHECK(got->first == "a");
        CHECK(got->second == std::vector<int>{1, 2, 3});
        CHECK(s.range("a", 0, -1) == std::vector<int>{4, 5});
        CHECK(s.backend().waiters().queued("b") == 0);
    }

    TEST_CASE("BLMOVE: at once when the source has elements, else when a push arrives") {
        Store s({}, cachet::ManualClock{});
        s.push_back("src", {"a", "b"});
        CHECK(s.move_wait("src", "dst", ListEnd::back, ListEnd::front, 1s) == "b");
        CHECK(s.range("dst", 0, -1) == Strings{"b"});

        std::optional<std::string> moved;
        std::thread mover(
            [&] { moved = s.move_wait("in", "dst", ListEnd::front, ListEnd::back, 0s); });
        await_blocked(s, "in", 1);
        CHECK(s.push_back("in", "job") == 1);
        mover.join();
        CHECK(moved == "job");
        CHECK_FALSE(s.contains("in"));
        CHECK(s.range("dst", 0, -1) == Strings{"b", "job"});
        CHECK(s.range("src", 0, -1) == Strings{"a"});
    }

    TEST_CASE("BLMOVE onto the key it waits on rotates the pushed element back") {
        Store s({}, cachet::ManualClock{});
        std::optional<std::string> moved;
        std::thread mover(
            [&] { moved = s.move_wait("r", "r", ListEnd::front, ListEnd::back, 0s); });
        await_blocked(s, "r", 1);
        s.push_back("r", "x");
        mover.join();
        CHECK(moved == "x");
        CHECK(s.range("r", 0, -1) == Strings{"x"});
    }

    TEST_CASE("a BLMOVE's push into its destination wakes a pop blocked there") {
        Store s({}, cachet::ManualClock{});
        std::optional<std::pair<std::string, std::string>> popped;
        std::optional<std::string> moved;
        std::thread popper([&] { popped = s.pop_front_wait("work", 0s); });
        await_blocked(s, "work", 1);
        std::thread mover(
            [&] { moved = s.move_wait("inbox", "work", ListEnd::front, ListEnd::back, 0s); });
        await_blocked(s, "inbox", 1);
        s.push_back("inbox", "task");
        mover.join();
        popper.join();
        CHECK(moved == "task");
        REQUIRE(popped);
        CHECK(popped->second == "task");
        CHECK(s.size() == 0);
    }

    TEST_CASE("an LMOVE into a key with a blocked pop serves it") {
        Store s({}, cachet::ManualClock{});
        std::optional<std::pair<std::string, std::string>> popped;
        std::thread popper([&] { popped = s.pop_back_wait({"w"}, 0s); });
        await_blocked(s, "w", 1);
        s.push_back("src", "e");
        CHECK(s.move("src", "w", ListEnd::front, ListEnd::front) == "e");
        popper.join();
        REQUIRE(popped);
        CHECK(*popped == std::pair<std::string, std::string>("w", "e"));
        CHECK(s.size() == 0);
    }
}

}  // namespace list_store_test
