#ifndef CACHET_TESTS_SUPPORT_RESP_SESSION_HPP
#define CACHET_TESTS_SUPPORT_RESP_SESSION_HPP

// Drives the RESP command layer in-process: a Database on a ManualClock, an Engine, and
// sessions that take commands as argument lists and return the exact reply bytes.

#include <cachet/resp/engine.hpp>
#include <cachet/resp/instantiate.hpp>
#include <cachet/resp/reply_parser.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// The engine and sessions over a ManualClock are instantiated once, in
// resp_engine_instance.cpp and resp_engine_instance_commands.cpp beside this file, instead of in
// every RESP test file (each would otherwise compile every command of the engine again).
CACHET_RESP_EXTERN_ENGINE(cachet::ManualClock)

namespace test {

using Db = cachet::BasicDatabase<cachet::ManualClock>;
using Engine = cachet::resp::Engine<cachet::ManualClock>;
using Session = cachet::resp::Session<cachet::ManualClock>;

/// The multibulk encoding of `args`.
inline std::string encode(std::initializer_list<std::string_view> args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (auto a : args) {
        out += "$" + std::to_string(a.size()) + "\r\n";
        out += a;
        out += "\r\n";
    }
    return out;
}

/// A server in a box: database, engine, and a way to open client sessions.
struct Server {
    cachet::ManualClock clock;
    Db db;
    Engine engine;

    explicit Server(cachet::resp::EngineOptions options = {})
        : db(cachet::DatabaseOptions{.databases = 16, .shards = 4}, clock), engine(db, std::move(options)) {}

    std::unique_ptr<Session> connect() { return std::make_unique<Session>(engine); }
};

/// Adds the test-only command `TEST.ADVANCE ms` to `engine`: moves the database's ManualClock
/// forward, so a test can let time pass in the middle of a script or a transaction.
inline void add_clock_advance(Engine& engine) {
    engine.add_commands([](cachet::resp::CommandTable<cachet::ManualClock>& t) {
        cachet::resp::add_command<cachet::ManualClock>(
            t, "test.advance", 2, 0, 0, 0, 0,
            [](cachet::resp::Ctx<cachet::ManualClock>& c) {
                cachet::ManualClock clock = c.engine.database().db(0).keyspace().clock();
                clock.advance(std::chrono::milliseconds(std::stoll(std::string(c.arg(1)))));
                c.out.simple("OK");
            },
            "server", "Moves the test's clock forward");
    });
}

/// Sends one command and returns its reply (and clears the session's output).
inline std::string call(Session& s, std::initializer_list<std::string_view> args) {
    const std::string in = encode(args);
    const std::size_t used = s.process(in);
    (void)used;
    std::string out = std::move(s.output());
    s.output().clear();
    return out;
}

/// Sends raw bytes; returns the replies.
inline std::string raw(Session& s, std::string_view bytes) {
    s.process(bytes);
    std::string out = std::move(s.output());
    s.output().clear();
    return out;
}

/// Collects what other threads posted to `s` (pub/sub messages, served blocking commands).
inline std::string async(Session& s) {
    s.collect_async();
    std::string out = std::move(s.output());
    s.output().clear();
    return out;
}

/// The connection's CLIENT ID, as digits.
inline std::string client_id(Session& s) {
    const std::string r = call(s, {"CLIENT", "ID"});
    return r.substr(1, r.size() - 3);
}

/// The value of `field` in INFO everything's reply (the test fails if it is missing).
inline std::string info_field(Session& s, const std::string& field) {
    const std::string info = call(s, {"INFO", "everything"});
    const auto at = info.find(field + ":");
    REQUIRE(at != std::string::npos);
    return info.substr(at + field.size() + 1, info.find("\r\n", at) - at - field.size() - 1);
}

/// Whether `bytes` is exactly one well-formed reply (no element missing, none left over).
inline bool one_frame(std::string_view bytes) {
    cachet::resp::ReplyParser p;
    const auto r = p.parse(bytes);
    return r.status == cachet::resp::ParseStatus::complete && r.consumed == bytes.size();
}

/// Sends one command given as a vector (and clears the session's output); returns its reply.
inline std::string callv(Session& s, const std::vector<std::string>& args) {
    std::string in = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args) in += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    s.process(in);
    std::string out = std::move(s.output());
    s.output().clear();
    return out;
}

/// A command and the reply bytes a real redis-server gave it.
struct Row {
    std::vector<std::string> args;
    std::string resp2;
    std::string resp3;  ///< empty: as resp2
};

/// Replays `rows` (recorded from redis-server, one connection per protocol, from an empty
/// database) on a fresh server in RESP2 and in RESP3, checking every reply's bytes.
/// `setup` runs on each fresh server before its first connection (e.g. enabling scripting).
inline void replay(const std::vector<Row>& rows, void (*setup)(Engine&) = nullptr) {
    for (const bool resp3 : {false, true}) {
        Server srv;
        if (setup) setup(srv.engine);
        auto s = srv.connect();
        if (resp3) call(*s, {"HELLO", "3"});
        for (const Row& row : rows) {
            const std::string& want = resp3 && !row.resp3.empty() ? row.resp3 : row.resp2;
            std::string line;
            for (const auto& a : row.args) line += a + ' ';
            INFO(line, (resp3 ? "(RESP3)" : "(RESP2)"));
            CHECK(callv(*s, row.args) == want);
        }
        CHECK_FALSE(s->blocked());
    }
}

/// A session subscribed to every keyspace event of database 0 (it turns them all on:
/// notify-keyspace-events KEA). `events()` returns what it received since the last call, one
/// "key event," per message, in order.
struct KeyspaceWatch {
    std::unique_ptr<Session> sub;

    explicit KeyspaceWatch(Server& srv) : sub(srv.connect()) {
        call(*sub, {"CONFIG", "SET", "notify-keyspace-events", "KEA"});
        call(*sub, {"PSUBSCRIBE", "__keyspace@0__:*"});
    }

    std::string events() {
        const std::string got = async(*sub);
        std::string out;
        const auto bulk = [&](std::size_t& at) {  // the bulk string at `at`; moves past it
            const std::size_t eol = got.find("\r\n", at);
            const std::size_t len = std::stoul(got.substr(at + 1, eol - at - 1));
            std::string v = got.substr(eol + 2, len);
            at = eol + 2 + len + 2;
            return v;
        };
        for (std::size_t at = got.find("pmessage\r\n"); at != std::string::npos;
             at = got.find("pmessage\r\n", at)) {
            at += 10;
            bulk(at);  // the pattern
            const std::string channel = bulk(at);
            out += channel.substr(std::string_view("__keyspace@0__:").size()) + " " + bulk(at) + ",";
        }
        return out;
    }
};

}  // namespace test

#endif  // CACHET_TESTS_SUPPORT_RESP_SESSION_HPP
