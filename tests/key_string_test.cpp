#include <cachet/database.hpp>
#include <cachet/key_string.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace key_string_test {

using cachet::KeyString;

TEST_SUITE("key_string") {
    TEST_CASE("KeyString keeps up to 31 bytes inline and longer keys on the heap") {
        for (std::size_t n : {0U, 1U, 15U, 16U, 30U, 31U, 32U, 33U, 100U, 5000U}) {
            std::string s(n, 'x');
            for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
            if (n > 3) s[2] = '\0';  // bytes, not C strings
            const KeyString k(s);
            CAPTURE(n);
            CHECK(k.size() == n);
            CHECK(k.view() == s);
            CHECK(std::string_view(k) == s);
            CHECK(k.str() == s);
            CHECK(k.empty() == (n == 0));
            CHECK(k.is_inline() == (n <= KeyString::inline_capacity));
            CHECK(k.heap_bytes() == (n <= KeyString::inline_capacity ? 0 : n));
            CHECK(std::hash<KeyString>{}(k) == std::hash<std::string_view>{}(s));
        }
        CHECK(sizeof(KeyString) == 32);
        CHECK(KeyString().empty());
    }

    TEST_CASE("KeyString copies, moves and swaps across the inline and heap forms") {
        const std::string short_s = "user:1234:session";
        const std::string long_s(64, 'k');
        KeyString a(short_s), b(long_s);
        KeyString c(a), d(b);
        CHECK(c == a);
        CHECK(d == b);
        CHECK(c.data() != a.data());
        CHECK(d.data() != b.data());  // a deep copy
        KeyString e(std::move(d));
        CHECK(e.view() == long_s);
        CHECK(d.empty());  // NOLINT: moved-from is empty and usable
        d = e;
        CHECK(d.view() == long_s);
        d = a;  // heap -> inline frees the heap block (ASan checks)
        CHECK(d.view() == short_s);
        d = std::move(e);  // inline <- heap
        CHECK(d.view() == long_s);
        auto& same = d;
        d = same;  // self-assignment
        CHECK(d.view() == long_s);
        d = std::move(same);
        CHECK(d.view() == long_s);
        swap(a, d);
        CHECK(a.view() == long_s);
        CHECK(d.view() == short_s);
    }

    TEST_CASE("KeyString compares and orders as its bytes do, with strings and views") {
        const KeyString a("apple"), b("banana"), a2(std::string("apple"));
        CHECK(a == a2);
        CHECK(a != b);
        CHECK(a < b);
        CHECK(a == std::string_view("apple"));
        CHECK(std::string_view("apple") == a);
        CHECK(std::string("banana") == b);
        CHECK(a < std::string_view("b"));
        std::set<KeyString> ordered{KeyString("b"), KeyString("a"), KeyString(std::string(40, 'a'))};
        CHECK(ordered.begin()->view() == "a");
        std::unordered_set<KeyString> hashed{KeyString("x"), KeyString("x"), KeyString("y")};
        CHECK(hashed.size() == 2);
    }

    TEST_CASE("the Database keeps keys of every length, found by their bytes") {
        cachet::Database db;
        auto& d = db.db(0);
        for (std::size_t n : {1U, 15U, 16U, 31U, 32U, 200U}) {
            const std::string k(n, 'q');
            d.set(k, "v" + std::to_string(n));
            CHECK(d.get(k) == "v" + std::to_string(n));
        }
        CHECK(d.keys("*").size() == 6);
        CHECK(d.keys(std::string(32, 'q')).size() == 1);
        CHECK(d.rename(std::string(31, 'q'), std::string(300, 'r')).value());
        CHECK(d.get(std::string(300, 'r')) == "v31");
        CHECK_FALSE(d.exists(std::string(31, 'q')));
        CHECK(d.random_key().has_value());
    }
}

}  // namespace key_string_test
