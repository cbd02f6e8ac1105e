#include "support/resp_session.hpp"

#include <cachet/database.hpp>

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace value_test {

using cachet::Value;
using cachet::ValueType;

namespace {
std::string pattern(std::size_t n) {
    std::string s(n, 'x');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
    if (n > 3) s[2] = '\0';  // bytes, not C strings
    return s;
}
}  // namespace

TEST_SUITE("value") {
    TEST_CASE("a Value is 24 bytes: strings up to 22 bytes inline, longer ones on the heap") {
        static_assert(sizeof(Value) == 24);
        for (std::size_t n : {0U, 1U, 15U, 16U, 21U, 22U, 23U, 24U, 100U, 5000U}) {
            CAPTURE(n);
            const std::string s = pattern(n);
            const Value v(s);
            REQUIRE(v.type() == ValueType::string);
            REQUIRE(v.string_if());
            CHECK(*v.string_if() == s);
            CHECK(v.string_inline() == (n <= Value::inline_capacity));
            CHECK(v.elements() == 1);
            CHECK_FALSE(v.empty_container());
            if (n <= Value::inline_capacity) CHECK(v.memory_estimate() == 0);  // in the entry
            else CHECK(v.memory_estimate() > n);  // a heap string and its bytes
            Value assigned;
            assigned.assign_string(s);
            CHECK(assigned.string_if() == v.string_if());
            CHECK(assigned.string_inline() == v.string_inline());
            CHECK(v.get_if<cachet::RedisList>() == nullptr);
        }
        CHECK(*Value().string_if() == "");
    }

    TEST_CASE("copies are deep, a move leaves an empty string, assignment switches storage") {
        const std::string long_text = pattern(40);
        Value a(long_text);
        Value b = a;  // deep: changing b leaves a alone
        b.mutable_string().append("!");
        CHECK(*a.string_if() == long_text);
        CHECK(*b.string_if() == long_text + "!");

        Value c(std::move(b));
        CHECK(*c.string_if() == long_text + "!");
        CHECK(b.type() == ValueType::string);  // NOLINT(bugprone-use-after-move): specified
        CHECK(*b.string_if() == "");

        c.assign_string("short");  // heap -> inline
        CHECK(c.string_inline());
        CHECK(*c.string_if() == "short");
        c.assign_string(long_text);  // inline -> heap
        CHECK_FALSE(c.string_inline());
        CHECK(*c.string_if() == long_text);
        c.assign_string(pattern(30));  // heap -> heap, reusing the string
        CHECK(*c.string_if() == pattern(30));

        cachet::RedisList l;
        l.push_back("x");
        l.push_back("y");
        Value list(std::move(l));
        Value list2 = list;
        list2.get_if<cachet::RedisList>()->push_back("z");
        CHECK(list.elements() == 2);
        CHECK(list2.elements() == 3);
        list2 = a;  // container -> string
        CHECK(*list2.string_if() == long_text);
        a = list;  // string -> container
        CHECK(a.type() == ValueType::list);
        CHECK(a.elements() == 2);
        CHECK_FALSE(a.string_if());
        a = Value(cachet::RedisList{});
        CHECK(a.empty_container());
    }

    TEST_CASE("a string changed in place moves to the heap and keeps its bytes") {
        Value v(std::string("abc"));
        REQUIRE(v.string_inline());
        std::string& s = v.mutable_string();
        CHECK_FALSE(v.string_inline());
        CHECK(s == "abc");
        s.append("def");
        CHECK(*v.string_if() == "abcdef");
        CHECK(&v.mutable_string() == &s);  // once on the heap, the same string
        // A short heap string keeps its bytes in the string object: no buffer to count.
        CHECK(v.memory_estimate() == sizeof(std::string));
        s.append(std::string(100, 'g'));
        CHECK(v.memory_estimate() >= sizeof(std::string) + 106 + 1);
    }

    TEST_CASE("copies and the element count reach every container type") {
        cachet::RedisList l;
        l.push_back("a");
        l.push_back("b");
        cachet::RedisHash h;
        h.insert_or_assign("f", "v");
        cachet::RedisSet st;
        st.insert("m1");
        st.insert("m2");
        st.insert("m3");
        cachet::RedisZSet z;
        z.add("z", 1.5);
        const Value vals[] = {Value(l), Value(h), Value(st), Value(z)};
        const std::size_t want[] = {2, 1, 3, 1};
        for (std::size_t i = 0; i < 4; ++i) {
            CAPTURE(i);
            CHECK(vals[i].elements() == want[i]);
            Value copy = vals[i];
            CHECK(copy.type() == vals[i].type());
            CHECK(copy.elements() == want[i]);
            CHECK(copy.memory_estimate() == vals[i].memory_estimate());
        }
        Value lc = vals[0];
        lc.get_if<cachet::RedisList>()->push_back("c");  // deep: the original keeps 2
        CHECK(vals[0].elements() == 2);
        CHECK(lc.elements() == 3);
    }

    TEST_CASE("string commands across the inline boundary keep Redis's replies") {
        test::Server srv;
        auto session = srv.connect();
        auto cmd = [&](std::initializer_list<std::string_view> args) {
            return test::call(*session, args);
        };
        const std::string x21(21, 'x');
        CHECK(cmd({"SET", "k", x21}) == "+OK\r\n");
        CHECK(cmd({"APPEND", "k", "y"}) == ":22\r\n");
        CHECK(cmd({"APPEND", "k", "z"}) == ":23\r\n");
        CHECK(cmd({"GET", "k"}) == "$23\r\n" + x21 + "yz\r\n");
        CHECK(cmd({"SETRANGE", "k", "1", "AB"}) == ":23\r\n");
        CHECK(cmd({"GETRANGE", "k", "0", "3"}) == "$4\r\nxABx\r\n");
        CHECK(cmd({"STRLEN", "k"}) == ":23\r\n");
        CHECK(cmd({"SET", "n", "9"}) == "+OK\r\n");
        CHECK(cmd({"INCRBY", "n", "99999999999999999"}) == ":100000000000000008\r\n");
        CHECK(cmd({"GET", "n"}) == "$18\r\n100000000000000008\r\n");
        CHECK(cmd({"SET", "f", std::string(30, '1')}) == "+OK\r\n");  // heap
        // Redis's long double arithmetic (replies checked against redis-server 7).
        CHECK(cmd({"INCRBYFLOAT", "f", "1"}) == "$30\r\n111111111111111111110991806464\r\n");
        CHECK(cmd({"SET", "g", "1.5"}) == "+OK\r\n");
        CHECK(cmd({"INCRBYFLOAT", "g", "1e20"}) == "$21\r\n100000000000000000000\r\n");
        CHECK(cmd({"COPY", "k", "k2"}) == ":1\r\n");
        CHECK(cmd({"APPEND", "k2", "!"}) == ":24\r\n");
        CHECK(cmd({"STRLEN", "k"}) == ":23\r\n");  // the copy was deep
        CHECK(cmd({"GETDEL", "k2"}) == "$24\r\nxABx" + std::string(17, 'x') + "yz!\r\n");
        CHECK(cmd({"SET", "e", ""}) == "+OK\r\n");
        CHECK(cmd({"GET", "e"}) == "$0\r\n\r\n");
        CHECK(cmd({"SETRANGE", "e", "25", "q"}) == ":26\r\n");
        CHECK(cmd({"GET", "e"}) == "$26\r\n" + std::string(25, '\0') + "q\r\n");
    }
}

}  // namespace value_test
