#ifndef CACHET_TESTS_SUPPORT_RESP_SESSION_HPP
#define CACHET_TESTS_SUPPORT_RESP_SESSION_HPP

// Drives the RESP command layer in-process: a Database on a ManualClock, an Engine, and
// sessions that take commands as argument lists and return the exact reply bytes.

#include <cachet/resp/engine.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// The engine and sessions over a ManualClock are instantiated once, in
// resp_instantiation_test.cpp, instead of in every RESP test file (each would otherwise compile
// every command of the engine again).
extern template class cachet::resp::Engine<cachet::ManualClock>;
extern template class cachet::resp::Session<cachet::ManualClock>;

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

}  // namespace test

#endif  // CACHET_TESTS_SUPPORT_RESP_SESSION_HPP
