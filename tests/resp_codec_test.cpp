#include <cachet/resp/protocol.hpp>
#include <cachet/resp/reply_parser.hpp>
#include <cachet/resp/reply_writer.hpp>
#include <cachet/resp/request_parser.hpp>

#include <doctest/doctest.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace resp_codec_test {

using namespace std::string_view_literals;
using cachet::resp::Aggregate;
using cachet::resp::Frame;
using cachet::resp::FrameType;
using cachet::resp::ParseResult;
using cachet::resp::ParserLimits;
using cachet::resp::ParseStatus;
using cachet::resp::Protocol;
using cachet::resp::ReplyParser;
using cachet::resp::ReplyParserLimits;
using cachet::resp::ReplyWriter;
using cachet::resp::RequestParser;
using cachet::resp::RequestType;

namespace {

using Command = std::vector<std::string>;

/// What a server loop makes of a byte stream: the commands, the error that ended it (if any)
/// and the bytes left unconsumed at the end.
struct Outcome {
    std::vector<Command> commands;
    std::string error;
    std::size_t pending = 0;
    friend bool operator==(const Outcome&, const Outcome&) = default;
};

bool inside(std::string_view outer, std::string_view part) {
    return part.data() >= outer.data() && part.data() + part.size() <= outer.data() + outer.size();
}
bool disjoint(std::string_view a, std::string_view b) {
    return a.data() + a.size() <= b.data() || b.data() + b.size() <= a.data();
}

/// Feeds `stream` to `parser` in chunks ending at `cuts` (ascending), the way a server does:
/// append the read to its buffer, parse every complete request, erase the consumed prefix.
Outcome feed(std::string_view stream, const std::vector<std::size_t>& cuts,
             RequestParser parser = RequestParser{}) {
    Outcome out;
    std::string buf;
    std::size_t prev = 0;
    const auto drain = [&] {
        for (;;) {
            const std::string_view view(buf);
            const ParseResult r = parser.parse(view);
            REQUIRE(r.consumed <= buf.size());
            if (r.status == ParseStatus::complete) {
                Command c;
                for (std::string_view a : parser.args()) {
                    if (parser.request_type() == RequestType::multibulk)
                        REQUIRE(inside(view.substr(0, r.consumed), a));
                    else
                        REQUIRE((inside(view.substr(0, r.consumed), a) || disjoint(view, a)));
                    c.emplace_back(a);
                }
                out.commands.push_back(std::move(c));
            }
            buf.erase(0, r.consumed);
            if (r.status == ParseStatus::error) {
                out.error = std::string(parser.error_message());
                return false;
            }
            if (r.status == ParseStatus::need_more) return true;
        }
    };
    for (std::size_t cut : cuts) {
        buf.append(stream.substr(prev, cut - prev));
        prev = cut;
        if (!drain()) {
            out.pending = buf.size();
            return out;
        }
    }
    buf.append(stream.substr(prev));
    drain();
    out.pending = buf.size();
    return out;
}

Outcome feed_whole(std::string_view stream, RequestParser parser = RequestParser{}) {
    return feed(stream, {}, std::move(parser));
}

Outcome feed_bytewise(std::string_view stream, RequestParser parser = RequestParser{}) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
    return feed(stream, cuts, std::move(parser));
}

/// The error text a fresh parser gives for `input` (whole), or "" if none.
std::string error_of(std::string_view input, RequestParser parser = RequestParser{}) {
    return feed_whole(input, std::move(parser)).error;
}

std::string mbulk(const Command& args) {
    std::string s = "*" + std::to_string(args.size()) + "\r\n";
    for (const std::string& a : args) s += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    return s;
}

std::string written(Protocol p, void (*f)(ReplyWriter&)) {
    std::string out;
    ReplyWriter w(out, p);
    f(w);
    return out;
}

/// Parses `bytes` as one reply, whole, and checks it is consumed entirely.
Frame parse_one(std::string_view bytes) {
    ReplyParser p;
    const ParseResult r = p.parse(bytes);
    REQUIRE(r.status == ParseStatus::complete);
    REQUIRE(r.consumed == bytes.size());
    return p.take_frame();
}

std::string reply_error(std::string_view bytes, ReplyParserLimits limits = {}) {
    ReplyParser p(limits);
    const ParseResult r = p.parse(bytes);
    if (r.status != ParseStatus::error) return "";
    return std::string(p.error_message());
}

/// Splits a stream of back-to-back replies into frames, feeding it in chunks ending at `cuts`.
std::vector<Frame> parse_replies(std::string_view stream, const std::vector<std::size_t>& cuts) {
    std::vector<Frame> frames;
    ReplyParser p;
    std::string buf;
    std::size_t prev = 0;
    const auto drain = [&] {
        for (;;) {
            const ParseResult r = p.parse(buf);
            REQUIRE(r.status != ParseStatus::error);
            if (r.status == ParseStatus::need_more) return;
            REQUIRE(r.consumed <= buf.size());
            frames.push_back(p.take_frame());
            buf.erase(0, r.consumed);
        }
    };
    for (std::size_t cut : cuts) {
        buf.append(stream.substr(prev, cut - prev));
        prev = cut;
        drain();
    }
    buf.append(stream.substr(prev));
    drain();
    REQUIRE(buf.empty());
    return frames;
}

std::string printf_17g(double d) {
    char buf[64];
    const int n = std::snprintf(buf, sizeof buf, "%.17g", d);
    return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

TEST_SUITE("resp_codec") {
    // ========================================================================= RequestParser

    TEST_CASE("a multibulk request's arguments are views into the caller's buffer") {
        const std::string buf = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*1\r\n$4\r\nPING\r\n";
        RequestParser p;
        const ParseResult r = p.parse(buf);
        CHECK(r == ParseResult{ParseStatus::complete, 31});
        REQUIRE(p.args().size() == 3);
        CHECK(p.args()[0] == "SET");
        CHECK(p.args()[1] == "k");
        CHECK(p.args()[2] == "hello");
        CHECK(p.args()[0].data() == buf.data() + 8);  // zero-copy
        CHECK(p.args()[2].data() == buf.data() + 24);
        CHECK(p.request_type() == RequestType::multibulk);
        CHECK_FALSE(p.in_request());

        // The next call starts a new request at the caller's new read position.
        const ParseResult r2 = p.parse(std::string_view(buf).substr(r.consumed));
        CHECK(r2 == ParseResult{ParseStatus::complete, 14});
        REQUIRE(p.args().size() == 1);
        CHECK(p.args()[0] == "PING");
        CHECK(p.parse(std::string_view(buf).substr(31 + 14)) ==
              ParseResult{ParseStatus::need_more, 0});
        CHECK(p.args().empty());
    }

    TEST_CASE("bulk payloads are binary: CR, LF and NUL inside are data") {
        const std::string payload("a\r\nb\0c\r\n*1\r\n", 12);
        const std::string stream = mbulk({"SET", "key", payload}) + mbulk({"GET", "key"});
        const Outcome o = feed_whole(stream);
        REQUIRE(o.commands.size() == 2);
        CHECK(o.commands[0] == Command{"SET", "key", payload});
        CHECK(o.commands[1] == Command{"GET", "key"});
        CHECK(o.error.empty());
        CHECK(o.pending == 0);
    }

    TEST_CASE("inline commands are split as Redis's sdssplitargs splits them") {
        struct Case {
            std::string_view line;
            Command args;
        };
        const Case cases[] = {
            {"PING\r\n", {"PING"}},
            {"PING\n", {"PING"}},      // a lone LF ends an inline line
            {"PING\r\r\n", {"PING"}},  // the line is "PING\r"; CR is a separator
            {"  SET   k \t v  \r\n", {"SET", "k", "v"}},
            {"ECHO \"a\\x41\\n\" \r\n", {"ECHO", "aA\n"}},
            {"ECHO \"\\x4a\\x4B\\xZZ\"\r\n", {"ECHO", "JKxZZ"}},  // \xZZ is not hex: \x is x
            {"ECHO \"t\\tr\\rb\\ba\\aq\\\"s\\\\z\\y\"\r\n", {"ECHO", "t\tr\rb\ba\aq\"s\\zy"}},
            {"ECHO 'it\\'s' 'a\\nb'\r\n", {"ECHO", "it's", "a\\nb"}},
            {"ECHO \"\" ''\r\n", {"ECHO", "", ""}},
            {"ECHO a\"b c\"\r\n", {"ECHO", "ab c"}},  // quotes may follow unquoted bytes
            {"ECHO \"x\"\x0b\r\n", {"ECHO", "x"}},    // \v after a closing quote is a blank
            {"ECHO a\x0b"
             "b\r\n",
             {"ECHO",
              "a\x0b"
              "b"}},  // but does not end an unquoted arg
            {"\x0b\x0c"
             "ECHO\r\n",
             {"ECHO"}},  // and is skipped between arguments
            {"ECHO \"\xff\xfe\"\r\n", {"ECHO", "\xff\xfe"}},
        };
        for (const Case& c : cases) {
            CAPTURE(c.line);
            const Outcome o = feed_whole(c.line);
            CHECK(o.error.empty());
            REQUIRE(o.commands.size() == 1);
            CHECK(o.commands[0] == c.args);
            CHECK(feed_bytewise(c.line) == o);
        }
    }

    TEST_CASE("unquoted inline arguments are views into the buffer, quoted ones are copies") {
        const std::string buf = "SET key \"v\\x41\"\r\n";
        RequestParser p;
        REQUIRE(p.parse(buf).status == ParseStatus::complete);
        REQUIRE(p.args().size() == 3);
        CHECK(p.request_type() == RequestType::inline_command);
        CHECK(p.args()[1].data() == buf.data() + 4);
        CHECK(p.args()[2] == "vA");
        CHECK(disjoint(buf, p.args()[2]));
    }

    TEST_CASE("empty requests are skipped, and counted as consumed") {
        const std::string stream = "\r\n\n   \r\n*0\r\n*-1\r\n*-10\r\nPING\r\n";
        RequestParser p;
        const ParseResult r = p.parse(stream);
        CHECK(r == ParseResult{ParseStatus::complete, stream.size()});
        REQUIRE(p.args().size() == 1);
        CHECK(p.args()[0] == "PING");

        // Skipped bytes before a partial request are reported, so the caller can drop them.
        RequestParser q;
        const std::string partial = "*0\r\n\r\n*1\r\n$4\r\nPI";
        CHECK(q.parse(partial) == ParseResult{ParseStatus::need_more, 6});
        CHECK(q.in_request());
        const std::string rest = partial.substr(6) + "NG\r\n";
        CHECK(q.parse(rest) == ParseResult{ParseStatus::complete, rest.size()});
        CHECK(q.args()[0] == "PING");
    }

    TEST_CASE("a pipelined stream gives the same commands at every split point") {
        const std::string bin("x\r\ny\0z", 6);
        const std::string stream = mbulk({"SET", "k1", bin}) + "GET k1\r\n" + "\r\n" +
                                   mbulk({"MSET", "a", "", "b", "\r\n"}) + "*0\r\n" +
                                   "ECHO \"q\\r\\n\" 'x y'\n" + mbulk({"PING"}) + "*1\r\n$4\r\nPI";
        const Outcome whole = feed_whole(stream);
        const std::vector<Command> expected = {{"SET", "k1", bin},
                                               {"GET", "k1"},
                                               {"MSET", "a", "", "b", "\r\n"},
                                               {"ECHO", "q\r\n", "x y"},
                                               {"PING"}};
        CHECK(whole.commands == expected);
        CHECK(whole.error.empty());
        CHECK(whole.pending == 10);  // the partial "*1\r\n$4\r\nPI"

        for (std::size_t i = 0; i <= stream.size(); ++i) {
            CAPTURE(i);
            REQUIRE(feed(stream, {i}) == whole);
        }
        for (std::size_t i = 0; i <= stream.size(); ++i)
            for (std::size_t j = i; j <= stream.size(); ++j) {
                CAPTURE(i);
                CAPTURE(j);
                REQUIRE(feed(stream, {i, j}) == whole);
            }
        CHECK(feed_bytewise(stream) == whole);
    }

    TEST_CASE("byte-at-a-time feeding into a growing buffer that moves") {
        // The caller keeps a read position and never erases; appends reallocate the buffer.
        std::string stream;
        for (int i = 0; i < 50; ++i) {
            stream += mbulk({"SET", "key:" + std::to_string(i),
                             std::string(static_cast<std::size_t>(i * 7), 'v')});
            stream += "INCR counter:" + std::to_string(i) + "\r\n";
        }
        std::string buf;
        buf.shrink_to_fit();
        std::size_t pos = 0;
        RequestParser p;
        std::vector<Command> got;
        for (char c : stream) {
            buf.push_back(c);
            for (;;) {
                const ParseResult r = p.parse(std::string_view(buf).substr(pos));
                REQUIRE(r.status != ParseStatus::error);
                pos += r.consumed;
                if (r.status == ParseStatus::need_more) break;
                got.emplace_back(p.args().begin(), p.args().end());
            }
        }
        REQUIRE(got.size() == 100);
        for (std::size_t i = 0; i < 50; ++i) {
            CHECK(got[2 * i] ==
                  Command{"SET", "key:" + std::to_string(i), std::string(i * 7, 'v')});
            CHECK(got[2 * i + 1] == Command{"INCR", "counter:" + std::to_string(i)});
        }
        CHECK(pos == stream.size());
    }

    TEST_CASE("bytes_needed tells where a bulk payload ends") {
        RequestParser p;
        const std::string head = "*2\r\n$3\r\nGET\r\n$10\r\nabc";
        CHECK(p.parse(head).status == ParseStatus::need_more);
        CHECK(p.bytes_needed() == head.size() - 3 + 10 + 2);
        const std::string whole = head + "defghij\r\n";
        CHECK(p.parse(whole) == ParseResult{ParseStatus::complete, whole.size()});
        CHECK(p.bytes_needed() == 0);
    }

    TEST_CASE(
        "Redis's quirks: unchecked bytes after CR and after a payload, NUL hides a line end") {
        // Checked against redis-server 7.0.15: each of these is PING.
        CHECK(feed_whole("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n").commands ==
              std::vector<Command>{{"PING"}, {"PING"}});
        CHECK(feed_whole("*1\rX$4\r\nPING\r\n").commands == std::vector<Command>{{"PING"}});
        CHECK(feed_whole("*1\r\n$4\r-PING\r\n").commands == std::vector<Command>{{"PING"}});

        // A NUL before the CR of a count line (or the LF of an inline line) hides it: Redis
        // (strchr) waits for more input until the too-big limit.
        const std::string nul_count("*2\0\r\n$4\r\nPING\r\n", 15);
        Outcome o = feed_whole(nul_count);
        CHECK(o.commands.empty());
        CHECK(o.error.empty());
        CHECK(o.pending == nul_count.size());
        const std::string nul_inline("PI\0NG\r\nPING\r\n", 13);
        o = feed_whole(nul_inline);
        CHECK(o.commands.empty());
        CHECK(o.error.empty());
        CHECK(o.pending == nul_inline.size());
        CHECK(feed_whole(nul_inline + std::string(65536 - nul_inline.size(), 'x')).error.empty());
        CHECK(feed_whole(nul_inline + std::string(65537 - nul_inline.size(), 'x')).error ==
              "Protocol error: too big inline request");
        const std::string nul_bulk("*1\r\n$4\0\r\nPING\r\n", 15);
        CHECK(feed_whole(nul_bulk + std::string(65537 - (nul_bulk.size() - 4), 'x')).error ==
              "Protocol error: too big bulk count string");
        CHECK(feed_whole(nul_bulk + std::string(65536 - (nul_bulk.size() - 4), 'x')).error.empty());
    }

    TEST_CASE("malformed requests fail with Redis's exact error text") {
        struct Case {
            std::string_view input;
            std::string_view error;
        };
        // Every text here was compared with redis-server 7.0.15's reply "-ERR <text>".
        const Case cases[] = {
            {"*1\r\n$x\r\n", "Protocol error: invalid bulk length"},
            {"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"},
            {"*1\r\n$01\r\n", "Protocol error: invalid bulk length"},
            {"*1\r\n$\r\n", "Protocol error: invalid bulk length"},
            {"*1\r\n$+4\r\n", "Protocol error: invalid bulk length"},
            {"*1\r\n$536870913\r\n", "Protocol error: invalid bulk length"},
            {"*1\r\n$99999999999999999999\r\n", "Protocol error: invalid bulk length"},
            {"*\r\n", "Protocol error: invalid multibulk length"},
            {"*01\r\n", "Protocol error: invalid multibulk length"},
            {"*+1\r\n", "Protocol error: invalid multibulk length"},
            {"*-0\r\n", "Protocol error: invalid multibulk length"},
            {"*1 \r\n", "Protocol error: invalid multibulk length"},
            {"*x\r\n", "Protocol error: invalid multibulk length"},
            {"*2147483648\r\n", "Protocol error: invalid multibulk length"},
            {"*1\r\nx\r\n", "Protocol error: expected '$', got 'x'"},
            {"*1\r\n\r\n", "Protocol error: expected '$', got ' '"},  // CR shown as a space
            {"*1\r\n\n\r\n", "Protocol error: expected '$', got ' '"},
            {"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "Protocol error: expected '$', got 'f'"},
            {"*2\r\n$4\r\nPING\r\n:1\r\n", "Protocol error: expected '$', got ':'"},
            {"ECHO \"a\"b\r\n", "Protocol error: unbalanced quotes in request"},
            {"ECHO \"abc\r\n", "Protocol error: unbalanced quotes in request"},
            {"ECHO \"abc\\\"\r\n", "Protocol error: unbalanced quotes in request"},
            {"ECHO \"abc\\\r\n", "Protocol error: unbalanced quotes in request"},
            {"ECHO 'a'b\r\n", "Protocol error: unbalanced quotes in request"},
            {"ECHO 'abc\r\n", "Protocol error: unbalanced quotes in request"},
            {"ECHO 'ab\\'\r\n", "Protocol error: unbalanced quotes in request"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.input);
            const Outcome o = feed_whole(c.input);
            CHECK(o.error == c.error);
            CHECK(o.commands.empty());
            CHECK(feed_bytewise(c.input).error == c.error);
        }
        // A command before the bad one is still delivered.
        const Outcome o = feed_whole(mbulk({"PING"}) + "*1\r\n$x\r\n");
        CHECK(o.commands == std::vector<Command>{{"PING"}});
        CHECK(o.error == "Protocol error: invalid bulk length");
        // The error byte is reported raw, as Redis's %c writes it.
        CHECK(error_of("*1\r\n\xfe\r\n") == "Protocol error: expected '$', got '\xfe'");
    }

    TEST_CASE("errors are sticky until reset") {
        RequestParser p;
        CHECK(p.parse("*1\r\n$x\r\n").status == ParseStatus::error);
        CHECK(p.failed());
        CHECK(p.parse("PING\r\n").status == ParseStatus::error);
        CHECK(p.error_message() == "Protocol error: invalid bulk length");
        p.reset();
        CHECK_FALSE(p.failed());
        CHECK(p.error_message().empty());
        CHECK(p.parse("PING\r\n") == ParseResult{ParseStatus::complete, 6});
    }

    TEST_CASE("passing fewer bytes than already examined is reported, not read out of bounds") {
        RequestParser p;
        CHECK(p.parse("*2\r\n$3\r\nGET\r\n").status == ParseStatus::need_more);
        CHECK(p.parse("*2\r\n").status == ParseStatus::error);
    }

    TEST_CASE("limits: bulk, multibulk and inline lengths at Redis's defaults") {
        const ParserLimits defaults;
        CHECK(defaults.max_bulk_len == 512LL * 1024 * 1024);
        CHECK(defaults.max_multibulk_len == INT_MAX);
        CHECK(defaults.max_inline_len == 65536);
        CHECK(defaults.unauthenticated_max_multibulk_len == 10);
        CHECK(defaults.unauthenticated_max_bulk_len == 16384);
        CHECK(defaults.query_buffer_limit == 1024ULL * 1024 * 1024);

        // At a limit: accepted (waiting for the data); one above: rejected.
        Outcome o = feed_whole("*1\r\n$536870912\r\n");
        CHECK(o.error.empty());
        CHECK(o.pending == 16);
        CHECK(error_of("*1\r\n$536870913\r\n") == "Protocol error: invalid bulk length");
        o = feed_whole("*2147483647\r\n");
        CHECK(o.error.empty());
        CHECK(o.pending == 13);
        CHECK(error_of("*2147483648\r\n") == "Protocol error: invalid multibulk length");

        // Inline: 64 KiB without a line end waits; one byte more fails.
        CHECK(feed_whole(std::string(65536, 'A')).error.empty());
        CHECK(error_of(std::string(65537, 'A')) == "Protocol error: too big inline request");
        // A longer line whose end is already there is accepted (as Redis accepts it when the
        // end arrives in the same read).
        o = feed_whole("ECHO " + std::string(70000, 'A') + "\r\n");
        CHECK(o.error.empty());
        REQUIRE(o.commands.size() == 1);
        CHECK(o.commands[0][1].size() == 70000);
        // ... and rejected when the 64 KiB arrive before the end.
        CHECK(feed("ECHO " + std::string(70000, 'A') + "\r\n", {65537}).error ==
              "Protocol error: too big inline request");

        // Count lines: measured from the start of the line, as Redis measures from qb_pos.
        CHECK(feed_whole("*" + std::string(65535, '1')).error.empty());
        CHECK(error_of("*" + std::string(65536, '1')) ==
              "Protocol error: too big mbulk count string");
        const std::string head = "*2\r\n$1\r\na\r\n";
        CHECK(feed_whole(head + "$" + std::string(65535, '1')).error.empty());
        CHECK(error_of(head + "$" + std::string(65536, '1')) ==
              "Protocol error: too big bulk count string");
        // A long count line with its CR present is just an invalid number.
        CHECK(error_of("*" + std::string(70000, '1') + "\r\n") ==
              "Protocol error: invalid multibulk length");
    }

    TEST_CASE("limits: configured values apply, and set_limits changes them") {
        ParserLimits small;
        small.max_bulk_len = 5;
        small.max_multibulk_len = 3;
        small.max_inline_len = 8;
        RequestParser p(small);
        CHECK(p.limits().max_bulk_len == 5);
        CHECK(feed_whole(mbulk({"GET", "12345"}), p).commands.size() == 1);
        CHECK(error_of(mbulk({"GET", "123456"}), p) == "Protocol error: invalid bulk length");
        CHECK(feed_whole(mbulk({"A", "B", "C"}), p).commands.size() == 1);
        CHECK(error_of(mbulk({"A", "B", "C", "D"}), p) ==
              "Protocol error: invalid multibulk length");
        CHECK(feed_whole("12345678", p).error.empty());
        CHECK(error_of("123456789", p) == "Protocol error: too big inline request");
        CHECK(error_of("*123456789", p) == "Protocol error: too big mbulk count string");
        p.set_limits(ParserLimits{});
        CHECK(feed_whole(mbulk({"GET", "123456"}), p).commands.size() == 1);
    }

    TEST_CASE("limits: an unauthenticated client gets Redis's smaller limits") {
        RequestParser p;
        CHECK(p.authenticated());
        p.set_authenticated(false);
        CHECK_FALSE(p.authenticated());
        CHECK(error_of("*11\r\n", p) == "Protocol error: unauthenticated multibulk length");
        CHECK(feed_whole("*10\r\n", p).error.empty());
        CHECK(error_of("*1\r\n$16385\r\n", p) == "Protocol error: unauthenticated bulk length");
        CHECK(feed_whole("*1\r\n$16384\r\n", p).error.empty());
        // The general checks come first, as in Redis.
        CHECK(error_of("*2147483648\r\n", p) == "Protocol error: invalid multibulk length");
        CHECK(error_of("*1\r\n$536870913\r\n", p) == "Protocol error: invalid bulk length");
        // Negative counts are still skipped; inline requests have no such limit.
        const Outcome o =
            feed_whole("*-5\r\n" + std::string(200, 'A') + " B C D E F G H I J K L\r\n", p);
        CHECK(o.error.empty());
        REQUIRE(o.commands.size() == 1);
        CHECK(o.commands[0].size() == 12);
        // Authenticating in the middle of a stream lifts the limit for the next lines.
        RequestParser q;
        q.set_authenticated(false);
        CHECK(q.parse(mbulk({"AUTH", "secret"})).status == ParseStatus::complete);
        q.set_authenticated(true);
        CHECK(q.parse(mbulk(Command(11, "x"))).status == ParseStatus::complete);
        CHECK(q.args().size() == 11);
    }

    // ========================================================================= ReplyWriter

    TEST_CASE("writer: scalars in RESP2 and RESP3, byte for byte") {
        for (Protocol p : {Protocol::resp2, Protocol::resp3}) {
            CAPTURE(static_cast<int>(p));
            const bool r3 = p == Protocol::resp3;
            CHECK(written(p, [](ReplyWriter& w) { w.simple("OK"); }) == "+OK\r\n");
            CHECK(written(p, [](ReplyWriter& w) { w.integer(0); }) == ":0\r\n");
            CHECK(written(p, [](ReplyWriter& w) { w.integer(-42); }) == ":-42\r\n");
            CHECK(written(p, [](ReplyWriter& w) { w.integer(LLONG_MAX); }) ==
                  ":9223372036854775807\r\n");
            CHECK(written(p, [](ReplyWriter& w) { w.integer(LLONG_MIN); }) ==
                  ":-9223372036854775808\r\n");
            CHECK(written(p, [](ReplyWriter& w) { w.bulk("hello"); }) == "$5\r\nhello\r\n");
            CHECK(written(p, [](ReplyWriter& w) { w.bulk(""); }) == "$0\r\n\r\n");
            CHECK(written(p, [](ReplyWriter& w) { w.bulk("a\r\nb"); }) == "$4\r\na\r\nb\r\n");
            CHECK(written(p, [](ReplyWriter& w) { w.bulk_integer(-7); }) == "$2\r\n-7\r\n");
            CHECK(written(p, [](ReplyWriter& w) { w.null(); }) == (r3 ? "_\r\n" : "$-1\r\n"));
            CHECK(written(p, [](ReplyWriter& w) { w.null_array(); }) == (r3 ? "_\r\n" : "*-1\r\n"));
            CHECK(written(p, [](ReplyWriter& w) { w.boolean(true); }) ==
                  (r3 ? "#t\r\n" : ":1\r\n"));
            CHECK(written(p, [](ReplyWriter& w) { w.boolean(false); }) ==
                  (r3 ? "#f\r\n" : ":0\r\n"));
            CHECK(written(p,
                          [](ReplyWriter& w) {
                              w.big_number("1234567999999999999999999999999999999");
                          }) == (r3 ? "(1234567999999999999999999999999999999\r\n"
                                    : "$37\r\n1234567999999999999999999999999999999\r\n"));
            // DEBUG PROTOCOL verbatim of redis-server 7.0.15.
            CHECK(written(p, [](ReplyWriter& w) { w.verbatim("This is a verbatim\nstring"); }) ==
                  (r3 ? "=29\r\ntxt:This is a verbatim\nstring\r\n"
                      : "$25\r\nThis is a verbatim\nstring\r\n"));
            CHECK(written(p, [](ReplyWriter& w) { w.verbatim("# x", "markdown"); }) ==
                  (r3 ? "=7\r\nmar:# x\r\n" : "$3\r\n# x\r\n"));
            CHECK(written(p, [](ReplyWriter& w) { w.verbatim("x", "md"); }) ==
                  (r3 ? "=5\r\nmd :x\r\n" : "$1\r\nx\r\n"));
        }
    }

    TEST_CASE("writer: errors keep one line") {
        std::string out;
        ReplyWriter w(out);
        w.error("ERR unknown command 'FOO\r\nBAR', with args beginning with: 'x' ");
        CHECK(out == "-ERR unknown command 'FOO  BAR', with args beginning with: 'x' \r\n");
        out.clear();
        w.error("WRONGTYPE Operation against a key holding the wrong kind of value");
        CHECK(out == "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        out.clear();
        w.error_trimmed("\r\nERR a\nb\r\n\n");
        CHECK(out == "-ERR a b\r\n");
        out.clear();
        w.set_protocol(Protocol::resp3);
        w.error("ERR x");
        CHECK(out == "-ERR x\r\n");
    }

    TEST_CASE("writer: doubles as Redis 7.0 writes them") {
        struct Case {
            double d;
            std::string_view text;
        };
        // Each text was read from redis-server 7.0.15 (ZSCORE in RESP2 and RESP3).
        const Case cases[] = {
            {1.5, "1.5"},
            {0.1, "0.10000000000000001"},
            {3.0, "3"},
            {1e20, "1e+20"},
            {1e-5, "1.0000000000000001e-05"},
            {123456789012345678.0, "1.2345678901234568e+17"},
            {0.0, "0"},
            {-0.0, "-0"},
            {-2.5, "-2.5"},
            {std::numeric_limits<double>::infinity(), "inf"},
            {-std::numeric_limits<double>::infinity(), "-inf"},
            {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
            {std::numeric_limits<double>::denorm_min(), "4.9406564584124654e-324"},
        };
        for (const Case& c : cases) {
            CAPTURE(c.text);
            CHECK(ReplyWriter::format_double(c.d) == c.text);
            std::string out;
            ReplyWriter w(out, Protocol::resp2);
            w.double_reply(c.d);
            CHECK(out ==
                  "$" + std::to_string(c.text.size()) + "\r\n" + std::string(c.text) + "\r\n");
            out.clear();
            w.set_protocol(Protocol::resp3);
            w.double_reply(c.d);
            CHECK(out == "," + std::string(c.text) + "\r\n");
            out.clear();
            w.bulk_double(c.d);  // a bulk in both protocols
            CHECK(out ==
                  "$" + std::to_string(c.text.size()) + "\r\n" + std::string(c.text) + "\r\n");
        }
        CHECK(ReplyWriter::format_double(std::nan("")) == printf_17g(std::nan("")));
    }

    TEST_CASE("writer: format_double equals printf's %.17g for any double") {
        std::mt19937_64 rng(20240607);
        for (int i = 0; i < 20000; ++i) {
            std::uint64_t bits = rng();
            double d;
            std::memcpy(&d, &bits, sizeof d);
            if (std::isinf(d)) continue;
            CAPTURE(bits);
            REQUIRE(ReplyWriter::format_double(d) == printf_17g(d));
        }
        std::uniform_real_distribution<double> uni(-1e6, 1e6);
        for (int i = 0; i < 5000; ++i) {
            const double d = uni(rng);
            REQUIRE(ReplyWriter::format_double(d) == printf_17g(d));
            const double r = std::round(d);
            REQUIRE(ReplyWriter::format_double(r) == printf_17g(r));
        }
    }

    TEST_CASE("writer: long doubles as INCRBYFLOAT writes them (ld2string LD_STR_HUMAN)") {
        // Each result was read from redis-server 7.0.15 (INCRBYFLOAT / HINCRBYFLOAT).
        CHECK(ReplyWriter::format_long_double_human(10.5L + 0.1L) == "10.6");
        CHECK(ReplyWriter::format_long_double_human(10.6L + 1e20L) == "100000000000000000008");
        CHECK(ReplyWriter::format_long_double_human(-0.0L + -0.0L) == "0");
        CHECK(ReplyWriter::format_long_double_human(3.0e3L) == "3000");
        CHECK(ReplyWriter::format_long_double_human(1.0L + 1e-20L) == "1");
        CHECK(ReplyWriter::format_long_double_human(0.0L + 2.50L) == "2.5");
        CHECK(ReplyWriter::format_long_double_human(-1.25L) == "-1.25");
        CHECK(ReplyWriter::format_long_double_human(1e-17L) == "0.00000000000000001");
        CHECK(ReplyWriter::format_long_double_human(0.25L) == "0.25");
        CHECK(ReplyWriter::format_long_double_human(std::numeric_limits<long double>::infinity()) ==
              "inf");
        CHECK(ReplyWriter::format_long_double_human(
                  -std::numeric_limits<long double>::infinity()) == "-inf");
        const std::string huge =
            ReplyWriter::format_long_double_human(std::numeric_limits<long double>::max());
        CHECK(huge.size() == 4933);  // every digit of 1.19e4932, no fraction
        CHECK(huge.substr(0, 5) == "11897");

        std::string out;
        ReplyWriter w(out, Protocol::resp3);
        w.bulk_long_double(5001.0L);
        CHECK(out == "$4\r\n5001\r\n");  // a bulk in RESP3 too, as INCRBYFLOAT replies
        out.clear();
        w.human_long_double(1.5L);
        CHECK(out == ",1.5\r\n");
        out.clear();
        w.set_protocol(Protocol::resp2);
        w.human_long_double(1.5L);
        CHECK(out == "$3\r\n1.5\r\n");
    }

    TEST_CASE("writer: aggregates in RESP2 and RESP3") {
        const auto all = [](ReplyWriter& w) {
            w.array(2);
            w.map(3);
            w.set(4);
            w.push(3);
            w.aggregate(Aggregate::array, 0);
        };
        CHECK(written(Protocol::resp2, all) == "*2\r\n*6\r\n*4\r\n*3\r\n*0\r\n");
        CHECK(written(Protocol::resp3, all) == "*2\r\n%3\r\n~4\r\n>3\r\n*0\r\n");
        CHECK(written(Protocol::resp3, [](ReplyWriter& w) { w.attribute(1); }) == "|1\r\n");
    }

    TEST_CASE("writer: deferred lengths, nested and ended in any order") {
        std::string out;
        ReplyWriter w(out, Protocol::resp2);
        const auto outer = w.begin_deferred();
        const auto inner = w.begin_deferred();  // at the same offset: inside `outer`
        w.bulk("a");
        w.bulk("b");
        w.end_deferred(inner, 1, Aggregate::map);
        w.integer(1);
        CHECK(w.open_deferred() == 1);
        w.end_deferred(outer, 2, Aggregate::array);
        CHECK(w.open_deferred() == 0);
        CHECK(out == "*2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n:1\r\n");

        out.clear();
        w.set_protocol(Protocol::resp3);
        w.simple("x");  // before: untouched
        const auto a = w.begin_deferred();
        w.integer(1);
        const auto b = w.begin_deferred();
        w.integer(2);
        w.integer(3);
        w.end_deferred(a, 2, Aggregate::set);  // the outer one first
        w.end_deferred(b, 2, Aggregate::push);
        CHECK(out == "+x\r\n~2\r\n:1\r\n>2\r\n:2\r\n:3\r\n");

        out.clear();
        const auto m = w.begin_deferred();
        const auto n = w.begin_deferred();  // same offset, the outer one ended first
        w.null();
        w.end_deferred(m, 1, Aggregate::map);
        w.end_deferred(n, 1, Aggregate::array);
        w.null();
        CHECK(out == "%1\r\n*1\r\n_\r\n_\r\n");
        CHECK(parse_one(out).type == FrameType::map);
    }

    // ========================================================================= ReplyParser

    TEST_CASE("reply parser: every frame type") {
        Frame f = parse_one("+OK\r\n");
        CHECK(f.type == FrameType::simple_string);
        CHECK(f.str == "OK");
        f = parse_one("-ERR unknown command\r\n");
        CHECK(f.type == FrameType::error);
        CHECK(f.str == "ERR unknown command");
        f = parse_one(":-9223372036854775808\r\n");
        CHECK(f.type == FrameType::integer);
        CHECK(f.integer == LLONG_MIN);
        f = parse_one("$5\r\na\r\nb\0\r\n"sv);
        CHECK(f.type == FrameType::bulk_string);
        CHECK(f.str == "a\r\nb\0"sv);
        CHECK(parse_one("$0\r\n\r\n").str.empty());
        CHECK(parse_one("$-1\r\n").type == FrameType::null_bulk);
        CHECK(parse_one("*-1\r\n").type == FrameType::null_array);
        CHECK(parse_one("_\r\n").type == FrameType::null);
        CHECK(parse_one("_\r\n").is_null());
        f = parse_one(",3.141\r\n");
        CHECK(f.type == FrameType::double_number);
        CHECK(f.number == 3.141);
        CHECK(f.str == "3.141");
        CHECK(std::isinf(parse_one(",-inf\r\n").number));
        CHECK(std::isnan(parse_one(",nan\r\n").number));
        CHECK(parse_one(",1e+20\r\n").number == 1e20);
        CHECK(parse_one(",1e999\r\n").number == std::numeric_limits<double>::infinity());
        CHECK(parse_one(",-1e-999\r\n").number == 0.0);
        CHECK(parse_one(",4.9406564584124654e-324\r\n").number ==
              std::numeric_limits<double>::denorm_min());
        CHECK(parse_one("#t\r\n").boolean);
        CHECK_FALSE(parse_one("#f\r\n").boolean);
        f = parse_one("(-1234567999999999999999999999999999999\r\n");
        CHECK(f.type == FrameType::big_number);
        CHECK(f.str == "-1234567999999999999999999999999999999");
        f = parse_one("!21\r\nSYNTAX invalid syntax\r\n");
        CHECK(f.type == FrameType::blob_error);
        CHECK(f.str == "SYNTAX invalid syntax");
        f = parse_one("=15\r\ntxt:Some string\r\n");
        CHECK(f.type == FrameType::verbatim);
        CHECK(f.format == "txt");
        CHECK(f.str == "Some string");
        f = parse_one("*3\r\n:1\r\n*0\r\n$1\r\nx\r\n");
        CHECK(f.type == FrameType::array);
        REQUIRE(f.elements.size() == 3);
        CHECK(f.elements[1].type == FrameType::array);
        CHECK(f.elements[1].elements.empty());
        CHECK(f.elements[2].str == "x");
        // DEBUG PROTOCOL map and set of redis-server 7.0.15 (RESP3).
        f = parse_one("%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
        CHECK(f.type == FrameType::map);
        REQUIRE(f.elements.size() == 6);
        CHECK(f.elements[3].boolean);
        f = parse_one("~3\r\n:0\r\n:1\r\n:2\r\n");
        CHECK(f.type == FrameType::set);
        CHECK(f.elements.size() == 3);
        f = parse_one(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
        CHECK(f.type == FrameType::push);
        CHECK(f.elements[2].str == "hi");
        CHECK(f.is_aggregate());
    }

    TEST_CASE("reply parser: attributes attach to the frame that follows them") {
        // DEBUG PROTOCOL attrib of redis-server 7.0.15 (RESP3).
        const std::string bytes =
            "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
            "$39\r\nSome real reply following the attribute\r\n";
        const Frame f = parse_one(bytes);
        CHECK(f.type == FrameType::bulk_string);
        CHECK(f.str == "Some real reply following the attribute");
        REQUIRE(f.attributes.size() == 2);
        CHECK(f.attributes[0].str == "key-popularity");
        CHECK(f.attributes[1].elements.size() == 2);
        CHECK(cachet::resp::serialize(f) == bytes);

        // Inside an aggregate, and two attributes in a row (merged, in order).
        const Frame g =
            parse_one("*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n|1\r\n+c\r\n+d\r\n|1\r\n+e\r\n+f\r\n:2\r\n");
        REQUIRE(g.elements.size() == 2);
        CHECK(g.elements[0].attributes.size() == 2);
        REQUIRE(g.elements[1].attributes.size() == 4);
        CHECK(g.elements[1].attributes[0].str == "c");
        CHECK(g.elements[1].attributes[3].str == "f");
        CHECK(g.attributes.empty());
        // An attribute before an aggregate belongs to the aggregate.
        const Frame h = parse_one("|1\r\n+k\r\n+v\r\n*1\r\n:1\r\n");
        CHECK(h.attributes.size() == 2);
        CHECK(h.elements[0].attributes.empty());
    }

    TEST_CASE("reply parser: incremental, at every split point and byte at a time") {
        std::string stream;
        ReplyWriter w(stream, Protocol::resp3);
        w.map(2);
        w.bulk("a\r\nb");
        w.array(3);
        w.integer(-1);
        w.double_reply(0.1);
        w.set(1);
        w.verbatim("text");
        w.simple("k");
        w.push(2);
        w.null();
        w.boolean(true);
        w.big_number("12345678901234567890");
        w.error("ERR x");
        w.attribute(0);  // an empty attribute: parsed and ignored
        w.set_protocol(Protocol::resp2);
        w.null();
        w.null_array();
        w.bulk("");
        const std::vector<Frame> whole = parse_replies(stream, {});
        REQUIRE(whole.size() == 6);
        CHECK(whole[0].type == FrameType::map);
        REQUIRE(whole[0].elements.size() == 4);
        CHECK(whole[0].elements[1].elements[2].elements[0].str == "text");
        CHECK(whole[0].elements[3].elements[1].boolean);
        CHECK(whole[1].type == FrameType::big_number);
        CHECK(whole[2].type == FrameType::error);
        CHECK(whole[3].type == FrameType::null_bulk);
        CHECK(whole[4].type == FrameType::null_array);
        CHECK(whole[5].type == FrameType::bulk_string);
        for (std::size_t i = 0; i <= stream.size(); ++i) {
            CAPTURE(i);
            REQUIRE(parse_replies(stream, {i}) == whole);
        }
        std::vector<std::size_t> cuts;
        for (std::size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
        CHECK(parse_replies(stream, cuts) == whole);

        // Without erasing: the caller passes the growing buffer from the reply's start.
        ReplyParser p;
        std::string buf;
        std::size_t start = 0;
        std::size_t n = 0;
        for (char c : stream) {
            buf.push_back(c);
            const ParseResult r = p.parse(std::string_view(buf).substr(start));
            REQUIRE(r.status != ParseStatus::error);
            if (r.status == ParseStatus::complete) {
                CHECK(p.frame() == whole[n++]);
                start += r.consumed;
            } else {
                CHECK(r.consumed == 0);
            }
        }
        CHECK(n == whole.size());
        CHECK(start == stream.size());
    }

    TEST_CASE("reply parser: round-trips the writer's output in both protocols") {
        const auto script = [](ReplyWriter& w) {
            w.simple("OK");
            w.error("ERR bad\nthing");
            w.integer(LLONG_MAX);
            w.bulk(std::string("\0\r\n", 3));
            w.bulk_integer(12);
            w.null();
            w.null_array();
            w.double_reply(0.1);
            w.double_reply(-std::numeric_limits<double>::infinity());
            w.bulk_double(3.0);
            w.bulk_long_double(10.6L);
            w.human_long_double(2.5L);
            w.boolean(false);
            w.verbatim("hello", "mkd");
            w.big_number("-99999999999999999999");
            w.map(1);
            w.bulk("k");
            w.set(2);
            w.integer(1);
            w.integer(2);
            w.push(1);
            w.simple("msg");
            const auto d = w.begin_deferred();
            for (int i = 0; i < 3; ++i) w.integer(i);
            w.end_deferred(d, 3, Aggregate::array);
        };
        for (Protocol p : {Protocol::resp2, Protocol::resp3}) {
            CAPTURE(static_cast<int>(p));
            const std::string bytes = written(p, script);
            const std::vector<Frame> frames = parse_replies(bytes, {});
            REQUIRE(frames.size() == 18);
            std::string again;
            for (const Frame& f : frames) cachet::resp::serialize(f, again);
            CHECK(again == bytes);  // serialize is the parser's inverse on the writer's output

            const bool r3 = p == Protocol::resp3;
            CHECK(frames[0].str == "OK");
            CHECK(frames[1].str == "ERR bad thing");
            CHECK(frames[2].integer == LLONG_MAX);
            CHECK(frames[3].str == std::string("\0\r\n", 3));
            CHECK(frames[4].str == "12");
            CHECK(frames[5].type == (r3 ? FrameType::null : FrameType::null_bulk));
            CHECK(frames[6].type == (r3 ? FrameType::null : FrameType::null_array));
            CHECK(frames[7].type == (r3 ? FrameType::double_number : FrameType::bulk_string));
            CHECK(frames[7].str == "0.10000000000000001");
            if (r3) CHECK(frames[7].number == 0.1);
            CHECK(frames[8].str == "-inf");
            CHECK(frames[9].type == FrameType::bulk_string);
            CHECK(frames[9].str == "3");
            CHECK(frames[10].str == "10.6");
            CHECK(frames[11].str == "2.5");
            CHECK(frames[12].type == (r3 ? FrameType::boolean : FrameType::integer));
            CHECK(frames[13].type == (r3 ? FrameType::verbatim : FrameType::bulk_string));
            CHECK(frames[13].str == "hello");
            CHECK(frames[13].format == (r3 ? "mkd" : ""));
            CHECK(frames[14].type == (r3 ? FrameType::big_number : FrameType::bulk_string));
            CHECK(frames[15].type == (r3 ? FrameType::map : FrameType::array));
            REQUIRE(frames[15].elements.size() == 2);
            CHECK(frames[15].elements[1].type == (r3 ? FrameType::set : FrameType::array));
            CHECK(frames[16].type == (r3 ? FrameType::push : FrameType::array));
            CHECK(frames[17].type == FrameType::array);
            REQUIRE(frames[17].elements.size() == 3);
            CHECK(frames[17].elements[2].integer == 2);
        }
    }

    TEST_CASE("reply parser: malformed replies are errors") {
        CHECK(reply_error("?\r\n") == "Protocol error: unexpected type byte '?'");
        CHECK(reply_error("$x\r\n") == "Protocol error: invalid bulk length");
        CHECK(reply_error("$-2\r\n") == "Protocol error: invalid bulk length");
        CHECK(reply_error("$?\r\n") ==
              "Protocol error: invalid bulk length");  // streamed: unsupported
        CHECK(reply_error("!-1\r\n") == "Protocol error: invalid bulk length");
        CHECK(reply_error("$3\r\nabcd\r\n") == "Protocol error: bulk payload not followed by CRLF");
        CHECK(reply_error("=3\r\ntxt\r\n") ==
              "Protocol error: verbatim string without a format prefix");
        CHECK(reply_error("=5\r\ntxt-x\r\n") ==
              "Protocol error: verbatim string without a format prefix");
        CHECK(reply_error("*x\r\n") == "Protocol error: invalid aggregate length");
        CHECK(reply_error("%-1\r\n") == "Protocol error: invalid aggregate length");
        CHECK(reply_error("*?\r\n") == "Protocol error: invalid aggregate length");
        CHECK(reply_error(":12a\r\n") == "Protocol error: invalid integer");
        CHECK(reply_error(":\r\n") == "Protocol error: invalid integer");
        CHECK(reply_error(":99999999999999999999\r\n") == "Protocol error: invalid integer");
        CHECK(reply_error(",1.5x\r\n") == "Protocol error: invalid double");
        CHECK(reply_error(",\r\n") == "Protocol error: invalid double");
        CHECK(reply_error("#x\r\n") == "Protocol error: invalid boolean");
        CHECK(reply_error("_x\r\n") == "Protocol error: invalid null");
        CHECK(reply_error("(12x\r\n") == "Protocol error: invalid big number");
        CHECK(reply_error("+a\nb\r\n") == "Protocol error: LF inside a simple string");
        CHECK(reply_error("+OK\rx") == "Protocol error: CR not followed by LF");
        // Incomplete is not an error.
        CHECK(reply_error("*2\r\n:1\r\n") == "");
        CHECK(reply_error("$10\r\nabc") == "");

        // Nesting is limited.
        std::string deep;
        for (int i = 0; i < 64; ++i) deep += "*1\r\n";
        deep += ":1\r\n";
        CHECK(reply_error(deep) == "");
        CHECK(reply_error("*1\r\n" + deep) == "Protocol error: nesting too deep");
        CHECK(reply_error("*1\r\n*1\r\n:1\r\n", ReplyParserLimits{.max_depth = 1}) ==
              "Protocol error: nesting too deep");
        CHECK(reply_error("$6\r\nabcdef\r\n", ReplyParserLimits{.max_bulk_len = 5}) ==
              "Protocol error: invalid bulk length");

        ReplyParser p;
        CHECK(p.parse("$x\r\n").status == ParseStatus::error);
        CHECK(p.parse("+OK\r\n").status == ParseStatus::error);  // sticky
        p.reset();
        CHECK(p.parse("+OK\r\n") == ParseResult{ParseStatus::complete, 5});
    }
}

}  // namespace resp_codec_test
