// CLIENT PAUSE and CLIENT UNPAUSE: which commands a pause holds back, in WRITE and ALL mode,
// and how held commands run again when the pause is lifted or its time is up. Expectations
// recorded from redis-server 7.0.15 (a raw-socket probe, one connection per client).
#include "support/resp_session.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace resp_pause_test {

using namespace std::chrono_literals;
using test::async;
using test::call;

TEST_SUITE("resp_pause") {
    TEST_CASE("CLIENT PAUSE checks its mode, then its timeout, as Redis") {
        test::Server srv;
        auto a = srv.connect();
        CHECK(call(*a, {"CLIENT", "PAUSE"}) == "-ERR wrong number of arguments for 'client|pause' command\r\n");
        CHECK(call(*a, {"CLIENT", "PAUSE", "x"}) == "-ERR timeout is not an integer or out of range\r\n");
        CHECK(call(*a, {"CLIENT", "PAUSE", "1.5"}) == "-ERR timeout is not an integer or out of range\r\n");
        CHECK(call(*a, {"CLIENT", "PAUSE", "-1"}) == "-ERR timeout is negative\r\n");
        CHECK(call(*a, {"CLIENT", "PAUSE", "100", "READ"}) == "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
        CHECK(call(*a, {"CLIENT", "PAUSE", "x", "READ"}) == "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
        CHECK(call(*a, {"CLIENT", "PAUSE", "100", "WRITE", "x"}) ==
              "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n");
        CHECK(call(*a, {"CLIENT", "UNPAUSE", "x"}) == "-ERR wrong number of arguments for 'client|unpause' command\r\n");
        // A zero timeout pauses nothing: it has ended by the next command.
        CHECK(call(*a, {"CLIENT", "PAUSE", "0"}) == "+OK\r\n");
        CHECK(call(*a, {"SET", "k", "1"}) == "+OK\r\n");
        // Errors found before the pause check are answered at once, even in ALL mode.
        CHECK(call(*a, {"CLIENT", "PAUSE", "100000", "ALL"}) == "+OK\r\n");
        auto b = srv.connect();
        CHECK(call(*b, {"NOPE"}) == "-ERR unknown command 'NOPE', with args beginning with: \r\n");
        CHECK(call(*b, {"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
        CHECK(call(*b, {"GET", "k"}).empty());
        CHECK(b->blocked());
        srv.engine.unpause_clients();
        CHECK(async(*b) == "$1\r\n1\r\n");
    }

    TEST_CASE("WRITE mode holds writes and may-replicate commands, the pausing client's too") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        auto c = srv.connect();
        auto d = srv.connect();
        auto e = srv.connect();
        CHECK(call(*b, {"SET", "k", "0"}) == "+OK\r\n");
        const std::string b_id = test::client_id(*b), c_id = test::client_id(*c), d_id = test::client_id(*d), e_id = test::client_id(*e);
        CHECK(call(*a, {"CLIENT", "PAUSE", "100000", "WRITE"}) == "+OK\r\n");
        CHECK(call(*b, {"GET", "k"}) == "$1\r\n0\r\n");
        CHECK(call(*b, {"SET", "k", "1"}).empty());
        CHECK(b->blocked());
        CHECK(b->postponed());
        CHECK(call(*a, {"SET", "k", "2"}).empty());
        CHECK(call(*c, {"PING"}) == "+PONG\r\n");
        CHECK(call(*c, {"PUBLISH", "ch", "x"}).empty());
        auto f = srv.connect();
        CHECK(call(*f, {"PFCOUNT", "h"}).empty());  // may-replicate in Redis
        auto g = srv.connect();
        CHECK(call(*g, {"SPUBLISH", "ch", "x"}).empty());
        auto h = srv.connect();
        CHECK(call(*h, {"CONFIG", "SET", "maxmemory", "0"}) == "+OK\r\n");
        CHECK(call(*h, {"CLIENT", "SETNAME", "h"}) == "+OK\r\n");
        CHECK(call(*h, {"SELECT", "1"}) == "+OK\r\n");
        CHECK(call(*h, {"EXPIRE", "k", "1"}).empty());
        // Reads queue and run inside MULTI; queueing a write is held.
        CHECK(call(*d, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*d, {"GET", "k"}) == "+QUEUED\r\n");
        CHECK(call(*d, {"EXEC"}) == "*1\r\n$1\r\n0\r\n");
        CHECK(call(*d, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*d, {"SET", "k", "3"}).empty());
        // Held clients are blocked clients for INFO and CLIENT LIST (flag b, the held command).
        CHECK(test::info_field(*e, "blocked_clients") == "7");
        const std::string list = call(*e, {"CLIENT", "LIST"});
        const auto line_of = [&](const std::string& id) {
            const auto at = list.find("id=" + id + " ");
            REQUIRE(at != std::string::npos);
            return list.substr(at, list.find('\n', at) - at);
        };
        CHECK(line_of(b_id).find(" flags=b db=0 ") != std::string::npos);
        CHECK(line_of(b_id).find(" cmd=set ") != std::string::npos);
        CHECK(line_of(d_id).find(" flags=xb ") != std::string::npos);  // in MULTI, held
        CHECK(line_of(c_id).find(" cmd=publish ") != std::string::npos);
        CHECK(line_of(e_id).find(" flags=N ") != std::string::npos);
        // CLIENT UNBLOCK does not release a held client (Redis 7.2+; 7.0 crashes).
        CHECK(call(*e, {"CLIENT", "UNBLOCK", c_id}) == ":0\r\n");
        CHECK(c->blocked());
        CHECK(async(*c).empty());

        CHECK(call(*e, {"CLIENT", "UNPAUSE"}) == "+OK\r\n");
        CHECK(async(*b) == "+OK\r\n");
        CHECK(async(*a) == "+OK\r\n");
        CHECK(async(*c) == ":0\r\n");
        CHECK(async(*f) == ":0\r\n");
        CHECK(async(*g) == ":0\r\n");
        CHECK(async(*h) == ":0\r\n");
        CHECK(async(*d) == "+QUEUED\r\n");
        CHECK(call(*d, {"EXEC"}) == "*1\r\n+OK\r\n");
        CHECK(test::info_field(*e, "blocked_clients") == "0");
        CHECK(call(*e, {"GET", "k"}) == "$1\r\n3\r\n");
    }

    TEST_CASE("an EXEC whose transaction writes is held; one that only reads runs") {
        test::Server srv;
        auto a = srv.connect();
        auto c = srv.connect();
        CHECK(call(*c, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*c, {"SET", "m", "1"}) == "+QUEUED\r\n");
        CHECK(call(*a, {"CLIENT", "PAUSE", "100000", "WRITE"}) == "+OK\r\n");
        CHECK(call(*c, {"EXEC"}).empty());
        CHECK(call(*a, {"EXISTS", "m"}) == ":0\r\n");
        CHECK(call(*a, {"CLIENT", "UNPAUSE"}) == "+OK\r\n");
        CHECK(async(*c) == "*1\r\n+OK\r\n");
        CHECK(call(*a, {"EXISTS", "m"}) == ":1\r\n");
    }

    TEST_CASE("ALL mode holds every command; the pause only grows; its end releases by time") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        CHECK(call(*a, {"CLIENT", "PAUSE", "100000", "WRITE"}) == "+OK\r\n");
        // Shorter but stricter: ALL until the longer end.
        CHECK(call(*a, {"CLIENT", "PAUSE", "10", "ALL"}) == "+OK\r\n");
        CHECK(call(*b, {"PING"}).empty());
        CHECK(call(*a, {"CLIENT", "UNPAUSE"}).empty());  // held too: nothing escapes ALL
        REQUIRE(b->block_deadline());
        const auto end = *b->block_deadline();
        CHECK(end > std::chrono::steady_clock::now() + 90s);
        CHECK_FALSE(b->on_tick(end - 1ms));
        CHECK(b->on_tick(end));  // the pause's time is up: PING runs
        CHECK(b->output() == "+PONG\r\n");
        b->output().clear();
        CHECK_FALSE(b->blocked());
        CHECK(a->blocked());  // released by the engine's unpause, collected with its outbox
        CHECK(async(*a) == "+OK\r\n");
        CHECK(call(*b, {"SET", "k", "v"}) == "+OK\r\n");
    }

    TEST_CASE("a held command whose pause was made longer is held again until the new end") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        CHECK(call(*a, {"CLIENT", "PAUSE", "100000", "WRITE"}) == "+OK\r\n");
        CHECK(call(*b, {"INCR", "n"}).empty());
        const auto first = *b->block_deadline();
        CHECK(call(*a, {"CLIENT", "PAUSE", "200000", "WRITE"}) == "+OK\r\n");
        CHECK(b->on_tick(first));  // ran again, and was held again
        CHECK(b->output().empty());
        CHECK(b->blocked());
        REQUIRE(b->block_deadline());
        CHECK(*b->block_deadline() > first);
        CHECK(call(*a, {"CLIENT", "UNPAUSE"}) == "+OK\r\n");
        CHECK(async(*b) == ":1\r\n");
    }

    TEST_CASE("a held client that disconnects leaves the pause; the rest of a pipeline waits") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        auto c = srv.connect();
        CHECK(call(*a, {"CLIENT", "PAUSE", "100000", "WRITE"}) == "+OK\r\n");
        CHECK(call(*b, {"SET", "gone", "1"}).empty());
        b->close();
        b.reset();
        // A pipeline stops at the held command; its input after it is not consumed.
        const std::string first = test::encode({"INCR", "n"});
        const std::string pipeline = first + test::encode({"GET", "n"});
        CHECK(c->process(pipeline) == first.size());
        CHECK(c->output().empty());
        CHECK(call(*a, {"CLIENT", "UNPAUSE"}) == "+OK\r\n");
        CHECK(async(*c) == ":1\r\n");
        CHECK(c->process(std::string_view(pipeline).substr(first.size())) == pipeline.size() - first.size());
        CHECK(c->output() == "$1\r\n1\r\n");
        CHECK(call(*a, {"EXISTS", "gone"}) == ":0\r\n");
    }

    TEST_CASE("keys do not expire while paused: they read as missing, DBSIZE counts them") {
        test::Server srv;
        auto a = srv.connect();
        auto c = srv.connect();
        CHECK(call(*a, {"SET", "e", "1", "PX", "50"}) == "+OK\r\n");
        CHECK(call(*a, {"SET", "k", "v"}) == "+OK\r\n");
        CHECK(call(*a, {"CLIENT", "PAUSE", "100000", "WRITE"}) == "+OK\r\n");
        srv.clock.advance(100ms);
        srv.db.run_pending();  // the background expiry cycle: held too
        CHECK(call(*c, {"GET", "e"}) == "$-1\r\n");
        CHECK(call(*c, {"EXISTS", "e"}) == ":0\r\n");
        CHECK(call(*c, {"PTTL", "e"}) == ":-2\r\n");
        CHECK(call(*c, {"TYPE", "e"}) == "+none\r\n");
        CHECK(call(*c, {"DBSIZE"}) == ":2\r\n");
        CHECK(call(*c, {"KEYS", "*"}) == "*1\r\n$1\r\nk\r\n");
        CHECK(call(*c, {"CLIENT", "UNPAUSE"}) == "+OK\r\n");
        srv.db.run_pending();
        CHECK(call(*c, {"DBSIZE"}) == ":1\r\n");
    }

    TEST_CASE("nothing is evicted while paused; eviction resumes with the unpause") {
        test::Server srv;
        auto a = srv.connect();
        auto c = srv.connect();
        CHECK(call(*a, {"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}) == "+OK\r\n");
        const std::string big(20000, 'x');
        for (int i = 0; i < 100; ++i) CHECK(call(*a, {"SET", "k" + std::to_string(i), big}) == "+OK\r\n");
        CHECK(call(*a, {"CLIENT", "PAUSE", "100000", "WRITE"}) == "+OK\r\n");
        CHECK(call(*c, {"CONFIG", "SET", "maxmemory", "1mb"}) == "+OK\r\n");
        // Queueing in MULTI makes room first (Redis: performEvictions, a no-op while paused).
        CHECK(call(*c, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*c, {"STRLEN", "k0"}) == "+QUEUED\r\n");
        CHECK(call(*c, {"EXEC"}) == "*1\r\n:20000\r\n");
        CHECK(call(*c, {"DBSIZE"}) == ":100\r\n");
        CHECK(call(*c, {"CLIENT", "UNPAUSE"}) == "+OK\r\n");
        CHECK(call(*a, {"SET", "after", "1"}) == "+OK\r\n");
        const std::string n = call(*c, {"DBSIZE"});
        CHECK(std::stoi(n.substr(1)) < 100);
    }

    TEST_CASE("concurrent: writers on other threads are held and all run once released") {
        // Run under ThreadSanitizer in CI.
        test::Server srv;
        auto admin = srv.connect();
        CHECK(call(*admin, {"CLIENT", "PAUSE", "100000", "WRITE"}) == "+OK\r\n");
        constexpr int threads = 4, each = 50;
        std::atomic<int> held{0};
        std::atomic<bool> released{false};
        std::vector<std::thread> writers;
        std::atomic<int> failures{0};
        for (int t = 0; t < threads; ++t)
            writers.emplace_back([&] {
                auto s = srv.connect();
                for (int i = 0; i < each; ++i) {
                    std::string got = call(*s, {"INCR", "n"});
                    if (got.empty()) {
                        held.fetch_add(1);
                        while (got.empty()) {
                            std::this_thread::yield();
                            got = async(*s);
                        }
                    }
                    if (got.front() != ':') failures.fetch_add(1);
                }
                (void)released.load();
            });
        while (held.load() < threads) std::this_thread::yield();
        CHECK(call(*admin, {"GET", "n"}) == "$-1\r\n");  // nothing ran while paused
        CHECK(call(*admin, {"CLIENT", "UNPAUSE"}) == "+OK\r\n");
        released = true;
        for (auto& w : writers) w.join();
        CHECK(failures.load() == 0);
        CHECK(call(*admin, {"GET", "n"}) == "$3\r\n" + std::to_string(threads * each) + "\r\n");
    }
}

}  // namespace resp_pause_test
