// CLIENT TRACKING (server-assisted client-side caching) in-process: the invalidation messages'
// bytes, where they go (the client itself in RESP3, its redirection in RESP2 pub/sub), when
// (a client's own changes after its reply, after EXEC's), the modes (default, BCAST with
// prefixes, OPTIN / OPTOUT with CLIENT CACHING, NOLOOP) and the errors, as redis-server 7.0.15
// answered the same sequences; and invalidations under concurrent writers.
#include "support/resp_session.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace resp_tracking_test {

using namespace std::chrono_literals;
using test::async;
using test::call;

namespace {

/// A RESP3 invalidation of `keys` (none: the null of a flush).
std::string inval(std::initializer_list<std::string_view> keys = {}) {
    std::string out = ">2\r\n$10\r\ninvalidate\r\n";
    if (keys.size() == 0) return out + "_\r\n";
    out += "*" + std::to_string(keys.size()) + "\r\n";
    for (auto k : keys) out += "$" + std::to_string(k.size()) + "\r\n" + std::string(k) + "\r\n";
    return out;
}

/// A RESP2 redirected invalidation of `key` (empty: the null of a flush).
std::string message(std::string_view key) {
    std::string out = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";
    if (key.empty()) return out + "$-1\r\n";
    return out + "*1\r\n$" + std::to_string(key.size()) + "\r\n" + std::string(key) + "\r\n";
}

}  // namespace

TEST_SUITE("resp_tracking") {
    TEST_CASE("default mode: a key read is invalidated once, after the reply of the client's own change") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        call(*a, {"HELLO", "3"});
        CHECK(call(*a, {"CLIENT", "TRACKING", "on"}) == "+OK\r\n");
        CHECK(call(*a, {"GET", "k"}) == "_\r\n");
        CHECK(call(*a, {"MGET", "k", "k2"}) == "*2\r\n_\r\n_\r\n");
        CHECK(call(*a, {"SET", "k", "1"}) == "+OK\r\n" + inval({"k"}));
        CHECK(call(*b, {"SET", "k", "2"}) == "+OK\r\n");
        CHECK(async(*a).empty());  // k was forgotten at its first invalidation
        CHECK(call(*b, {"SET", "k2", "1"}) == "+OK\r\n");
        CHECK(async(*a) == inval({"k2"}));
        CHECK(call(*b, {"INCR", "unread"}) == ":1\r\n");
        CHECK(async(*a).empty());

        // Inside MULTI: the read counts, the invalidation follows EXEC's whole reply.
        CHECK(call(*a, {"EXISTS", "k3"}) == ":0\r\n");
        CHECK(call(*a, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*a, {"SET", "k3", "x"}) == "+QUEUED\r\n");
        CHECK(call(*a, {"GET", "k3"}) == "+QUEUED\r\n");
        CHECK(call(*a, {"EXEC"}) == "*2\r\n+OK\r\n$1\r\nx\r\n" + inval({"k3"}));
        CHECK(call(*b, {"SET", "k3", "y"}) == "+OK\r\n");
        CHECK(async(*a) == inval({"k3"}));

        // A wrong type is still a read of the key; a delete invalidates.
        CHECK(call(*b, {"LPUSH", "l", "1"}) == ":1\r\n");
        CHECK(call(*a, {"GET", "l"}).starts_with("-WRONGTYPE"));
        CHECK(call(*b, {"DEL", "l"}) == ":1\r\n");
        CHECK(async(*a) == inval({"l"}));

        // Expiry: the deletion of an expired key on another client's access invalidates it.
        CHECK(call(*a, {"GET", "e"}) == "_\r\n");
        CHECK(call(*b, {"SET", "e", "1", "PX", "10"}) == "+OK\r\n");
        CHECK(async(*a) == inval({"e"}));
        CHECK(call(*a, {"GET", "e"}) == "$1\r\n1\r\n");
        srv.clock.advance(20ms);
        CHECK(call(*b, {"GET", "e"}) == "$-1\r\n");
        CHECK(async(*a) == inval({"e"}));

        // The program's own writes through the Database invalidate too.
        CHECK(call(*a, {"GET", "p"}) == "_\r\n");
        srv.db.db(0).set("p", "program");
        CHECK(async(*a) == inval({"p"}));

        // A flush: one null invalidation for every tracking client (after the flusher's reply).
        CHECK(call(*a, {"GET", "k"}) == "$1\r\n2\r\n");
        CHECK(call(*a, {"FLUSHALL"}) == "+OK\r\n" + inval());
        CHECK(call(*a, {"GET", "k"}) == "_\r\n");
        CHECK(call(*b, {"FLUSHDB"}) == "+OK\r\n");
        CHECK(async(*a) == inval());
        CHECK(call(*b, {"SET", "k", "3"}) == "+OK\r\n");
        CHECK(async(*a).empty());  // the flush forgot k

        CHECK(call(*a, {"CLIENT", "TRACKINGINFO"}) ==
              "%3\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
        CHECK(call(*a, {"CLIENT", "GETREDIR"}) == ":0\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "off"}) == "+OK\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKINGINFO"}) ==
              "%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n");
        CHECK(call(*a, {"CLIENT", "GETREDIR"}) == ":-1\r\n");
        CHECK(call(*a, {"GET", "k"}) == "$1\r\n3\r\n");
        CHECK(call(*b, {"SET", "k", "4"}) == "+OK\r\n");
        CHECK(async(*a).empty());
    }

    TEST_CASE("several clients reading a key each hear of its change") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        for (auto* s : {a.get(), b.get()}) {
            call(*s, {"HELLO", "3"});
            CHECK(call(*s, {"CLIENT", "TRACKING", "on"}) == "+OK\r\n");
        }
        CHECK(call(*a, {"GET", "mk"}) == "_\r\n");
        CHECK(call(*b, {"GET", "mk"}) == "_\r\n");
        CHECK(call(*b, {"GET", "other"}) == "_\r\n");
        CHECK(test::info_field(*a, "tracking_clients") == "2");
        CHECK(test::info_field(*a, "tracking_total_keys") == "2");
        CHECK(test::info_field(*a, "tracking_total_items") == "3");
        CHECK(call(*a, {"SET", "mk", "1"}) == "+OK\r\n" + inval({"mk"}));
        CHECK(async(*b) == inval({"mk"}));
        CHECK(test::info_field(*a, "tracking_total_keys") == "1");
        b->close();
        CHECK(test::info_field(*a, "tracking_clients") == "1");
        CHECK(call(*a, {"RESET"}) == "+RESET\r\n");
        CHECK(test::info_field(*a, "tracking_clients") == "0");
        CHECK(call(*a, {"CLIENT", "TRACKINGINFO"}) ==
              "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n");
    }

    TEST_CASE("RESP2 redirection: invalidations as __redis__:invalidate messages; a broken redirection") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        auto r = srv.connect();
        const std::string rid = test::client_id(*r);
        CHECK(call(*r, {"SUBSCRIBE", "__redis__:invalidate"}) ==
              "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n");
        CHECK(call(*b, {"CLIENT", "TRACKING", "on", "REDIRECT", rid}) == "+OK\r\n");
        CHECK(call(*b, {"CLIENT", "GETREDIR"}) == ":" + rid + "\r\n");
        CHECK(call(*b, {"GET", "x"}) == "$-1\r\n");
        CHECK(call(*a, {"SET", "x", "1"}) == "+OK\r\n");
        CHECK(async(*r) == message("x"));
        CHECK(async(*b).empty());
        CHECK(call(*b, {"FLUSHDB"}) == "+OK\r\n");
        CHECK(async(*r) == message(""));
        CHECK(call(*b, {"CLIENT", "TRACKINGINFO"}) == "*6\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$8\r\nredirect\r\n:" +
                                                          rid + "\r\n$8\r\nprefixes\r\n*0\r\n");
        const std::string bid = test::client_id(*b);
        std::string line = call(*b, {"CLIENT", "LIST", "ID", bid});
        CHECK(line.find(" flags=t ") != std::string::npos);
        CHECK(line.find(" redir=" + rid + " ") != std::string::npos);

        r->close();
        CHECK(call(*b, {"GET", "x"}) == "$-1\r\n");  // flushed
        CHECK(call(*a, {"SET", "x", "2"}) == "+OK\r\n");
        CHECK(async(*b).empty());  // RESP2: nowhere to say it
        CHECK(call(*b, {"CLIENT", "TRACKINGINFO"}) ==
              "*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:" + rid +
                  "\r\n$8\r\nprefixes\r\n*0\r\n");
        line = call(*b, {"CLIENT", "LIST", "ID", bid});
        CHECK(line.find(" flags=tR ") != std::string::npos);
        // In RESP3 the client is told its redirection is broken.
        call(*b, {"HELLO", "3"});
        CHECK(call(*b, {"GET", "x"}) == "$1\r\n2\r\n");
        CHECK(call(*a, {"SET", "x", "3"}) == "+OK\r\n");
        CHECK(async(*b) == ">2\r\n$21\r\ntracking-redir-broken\r\n:" + rid + "\r\n");

        // A RESP2 client without redirection hears nothing.
        auto c = srv.connect();
        CHECK(call(*c, {"CLIENT", "TRACKING", "on"}) == "+OK\r\n");
        CHECK(call(*c, {"GET", "q"}) == "$-1\r\n");
        CHECK(call(*a, {"SET", "q", "1"}) == "+OK\r\n");
        CHECK(async(*c).empty());
    }

    TEST_CASE("BCAST: every change of a key under a followed prefix; NOLOOP; overlapping prefixes refused") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        call(*a, {"HELLO", "3"});
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "obj:"}) == "+OK\r\n");
        CHECK(call(*b, {"SET", "user:1", "x"}) == "+OK\r\n");
        CHECK(async(*a) == inval({"user:1"}));
        CHECK(call(*b, {"MSET", "obj:1", "a", "user:2", "b", "zzz", "c"}) == "+OK\r\n");
        CHECK(async(*a) == inval({"obj:1"}) + inval({"user:2"}));
        CHECK(call(*a, {"SET", "user:3", "x"}) == "+OK\r\n" + inval({"user:3"}));
        CHECK(call(*a, {"GET", "zzz"}) == "$1\r\nc\r\n");  // BCAST remembers no reads
        CHECK(call(*b, {"SET", "zzz", "d"}) == "+OK\r\n");
        CHECK(async(*a).empty());
        CHECK(call(*a, {"CLIENT", "TRACKINGINFO"}) ==
              "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n"
              "$4\r\nobj:\r\n$5\r\nuser:\r\n");
        CHECK(call(*a, {"CLIENT", "INFO"}).find(" flags=tB ") != std::string::npos);
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "u"}) ==
              "-ERR Prefix 'u' overlaps with an existing prefix 'user:'. Prefixes for a single client must not "
              "overlap.\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "abc"}) ==
              "-ERR Prefix 'ab' overlaps with another provided prefix 'abc'. Prefixes for a single client must not "
              "overlap.\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on"}) ==
              "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
              "re-enabling it with a different mode.\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "BCAST", "NOLOOP", "PREFIX", "n:"}) == "+OK\r\n");
        CHECK(call(*a, {"SET", "n:1", "1"}) == "+OK\r\n");
        CHECK(call(*b, {"SET", "n:2", "2"}) == "+OK\r\n");
        CHECK(async(*a) == inval({"n:2"}));
        CHECK(call(*a, {"CLIENT", "TRACKINGINFO"}) ==
              "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\nbcast\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n$8\r\n"
              "prefixes\r\n*3\r\n$2\r\nn:\r\n$4\r\nobj:\r\n$5\r\nuser:\r\n");
        CHECK(test::info_field(*b, "tracking_total_prefixes") == "3");
        CHECK(call(*a, {"CLIENT", "TRACKING", "off"}) == "+OK\r\n");
        CHECK(test::info_field(*b, "tracking_total_prefixes") == "0");
        CHECK(call(*b, {"SET", "user:1", "y"}) == "+OK\r\n");
        CHECK(async(*a).empty());

        // BCAST without a prefix follows every key; a flush is one null, not one per key.
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "BCAST"}) == "+OK\r\n");
        CHECK(call(*b, {"SET", "anything", "1"}) == "+OK\r\n");
        CHECK(async(*a) == inval({"anything"}));
        CHECK(call(*b, {"FLUSHALL"}) == "+OK\r\n");
        CHECK(async(*a) == inval());
    }

    TEST_CASE("OPTIN and OPTOUT with CLIENT CACHING; the option errors in Redis's order") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        call(*a, {"HELLO", "3"});
        CHECK(call(*a, {"CLIENT", "CACHING", "yes"}) ==
              "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode "
              "enabled\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "OPTIN"}) == "+OK\r\n");
        CHECK(call(*a, {"GET", "o1"}) == "_\r\n");
        CHECK(call(*b, {"SET", "o1", "1"}) == "+OK\r\n");
        CHECK(async(*a).empty());  // not opted in
        CHECK(call(*a, {"CLIENT", "CACHING", "yes"}) == "+OK\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKINGINFO"}) ==
              "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\n"
              "prefixes\r\n*0\r\n");
        CHECK(call(*a, {"GET", "o1"}) == "$1\r\n1\r\n");
        CHECK(call(*a, {"GET", "o2"}) == "_\r\n");  // CACHING lasted one command
        CHECK(call(*b, {"MSET", "o1", "2", "o2", "2"}) == "+OK\r\n");
        CHECK(async(*a) == inval({"o1"}));
        CHECK(call(*a, {"CLIENT", "CACHING", "no"}) ==
              "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n");
        CHECK(call(*a, {"CLIENT", "CACHING", "maybe"}) == "-ERR syntax error\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "OPTOUT"}) ==
              "-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
              "re-enabling it with a different mode.\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"}) ==
              "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "OPTIN", "BCAST"}).starts_with("-ERR You can't switch BCAST"));
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "PREFIX", "x"}) ==
              "-ERR PREFIX option requires BCAST mode to be enabled\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "REDIRECT", "99999"}) ==
              "-ERR The client ID you want redirect to does not exist\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "REDIRECT", "abc"}) ==
              "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "maybe"}) == "-ERR syntax error\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "off", "FOO"}) == "-ERR syntax error\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "REDIRECT"}) == "-ERR syntax error\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING"}) == "-ERR wrong number of arguments for 'client|tracking' command\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "off"}) == "+OK\r\n");
        CHECK(call(*b, {"CLIENT", "TRACKING", "on", "OPTIN", "BCAST"}) ==
              "-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n");

        // OPTOUT: every read counts unless CLIENT CACHING no preceded it; with NOLOOP, a
        // client's own change is not reported to it (and the key is forgotten all the same).
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "OPTOUT", "NOLOOP"}) == "+OK\r\n");
        CHECK(call(*a, {"GET", "p1"}) == "_\r\n");
        CHECK(call(*a, {"CLIENT", "CACHING", "no"}) == "+OK\r\n");
        CHECK(call(*a, {"GET", "p2"}) == "_\r\n");
        CHECK(call(*b, {"MSET", "p1", "1", "p2", "2"}) == "+OK\r\n");
        CHECK(async(*a) == inval({"p1"}));
        CHECK(call(*a, {"GET", "p3"}) == "_\r\n");
        CHECK(call(*a, {"SET", "p3", "1"}) == "+OK\r\n");
        CHECK(call(*b, {"SET", "p3", "2"}) == "+OK\r\n");
        CHECK(async(*a).empty());
        CHECK(call(*a, {"CLIENT", "CACHING", "yes"}) ==
              "-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n");
        const std::string b_id = test::client_id(*b);
        CHECK(call(*a, {"CLIENT", "TRACKING", "on", "REDIRECT", b_id, "REDIRECT", b_id}) ==
              "-ERR A client can only redirect to a single other client\r\n");
    }

    TEST_CASE("tracking-table-max-keys: over the bound the oldest keys are dropped and invalidated") {
        test::Server srv;
        auto a = srv.connect();
        call(*a, {"HELLO", "3"});
        CHECK(call(*a, {"CONFIG", "SET", "tracking-table-max-keys", "2"}) == "+OK\r\n");
        CHECK(call(*a, {"CLIENT", "TRACKING", "on"}) == "+OK\r\n");
        CHECK(call(*a, {"GET", "k1"}) == "_\r\n");
        CHECK(call(*a, {"GET", "k2"}) == "_\r\n");
        CHECK(call(*a, {"GET", "k3"}) == "_\r\n" + inval({"k1"}));
        CHECK(test::info_field(*a, "tracking_total_keys") == "2");
    }

    TEST_CASE("a change made on another thread while a read runs is announced after its reply") {
        // TEST.READ key: a read-only command that lets another connection, on another thread,
        // SET the key in the middle of it, then reads the key. The key is remembered before
        // the read (so the change is announced), and the announcement follows the reply (so
        // the client does not cache the value after hearing it changed).
        static test::Session* writer = nullptr;
        test::Server srv;
        srv.engine.add_commands([](cachet::resp::CommandTable<cachet::ManualClock>& t) {
            cachet::resp::add_command<cachet::ManualClock>(
                t, "test.read", 2, cachet::resp::cmd_readonly, 1, 1, 1,
                [](cachet::resp::Ctx<cachet::ManualClock>& c) {
                    const std::string key(c.arg(1));
                    std::thread([&] { (void)call(*writer, {"SET", key, "new"}); }).join();
                    c.out.bulk(*c.engine.database().db(0).get(key));
                },
                "string", "Reads a key another thread sets meanwhile");
        });
        auto a = srv.connect();
        auto b = srv.connect();
        writer = b.get();
        call(*a, {"HELLO", "3"});
        CHECK(call(*a, {"CLIENT", "TRACKING", "on"}) == "+OK\r\n");
        CHECK(call(*b, {"SET", "k", "old"}) == "+OK\r\n");
        CHECK(call(*a, {"TEST.READ", "k"}) == "$3\r\nnew\r\n" + inval({"k"}));
        CHECK(async(*a).empty());
        writer = nullptr;
    }

    TEST_CASE("concurrent writers: each tracked key is invalidated exactly once per read") {
        // Run under ThreadSanitizer in CI: writers on two threads change keys a tracking client
        // reads on a third.
        test::Server srv;
        auto reader = srv.connect();
        call(*reader, {"HELLO", "3"});
        CHECK(call(*reader, {"CLIENT", "TRACKING", "on"}) == "+OK\r\n");
        constexpr int keys = 64;
        std::atomic<bool> stop{false};
        std::atomic<long> writes{0};
        std::vector<std::thread> writers;
        for (int t = 0; t < 2; ++t)
            writers.emplace_back([&, t] {
                auto w = srv.connect();
                for (int i = 0; !stop.load(); ++i) {
                    const std::string k = "k" + std::to_string((i * 7 + t) % keys);
                    (void)call(*w, {"SET", k, std::to_string(i)});
                    writes.fetch_add(1);
                }
            });
        while (writes.load() < 100) std::this_thread::yield();
        std::size_t pushes = 0;
        std::vector<long> reads(keys, 0), invalidated(keys, 0);
        const std::string_view head = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$";
        auto count = [&](const std::string& got) {
            for (auto at = got.find(head); at != std::string::npos; at = got.find(head, at + 1)) {
                ++pushes;
                const std::size_t key_at = got.find("\r\n", at + head.size()) + 2;
                const int k = std::stoi(got.substr(key_at + 1, got.find("\r\n", key_at) - key_at - 1));
                REQUIRE(k >= 0);
                REQUIRE(k < keys);
                ++invalidated[static_cast<std::size_t>(k)];
            }
        };
        // Until the writers have run alongside for a while (however the threads are scheduled).
        for (int round = 0; round < 200 || (pushes < 10 && round < 1000000); ++round) {
            // What other threads posted comes before a reply, or with the outbox's collection.
            for (int i = 0; i < keys; i += 5) {
                count(call(*reader, {"GET", "k" + std::to_string(i)}));
                ++reads[static_cast<std::size_t>(i)];
            }
            count(async(*reader));
        }
        stop = true;
        for (auto& w : writers) w.join();
        count(async(*reader));
        CHECK(pushes >= 10);
        // A key is invalidated at most once per read of it, and never if the reader never read it.
        for (int i = 0; i < keys; ++i) {
            CAPTURE(i);
            CHECK(invalidated[static_cast<std::size_t>(i)] <= reads[static_cast<std::size_t>(i)]);
        }
        // Quiet now: read every key, change each once; one invalidation per key.
        for (int i = 0; i < keys; ++i) (void)call(*reader, {"GET", "k" + std::to_string(i)});
        auto w = srv.connect();
        for (int i = 0; i < keys; ++i) CHECK(call(*w, {"SET", "k" + std::to_string(i), "last"}) == "+OK\r\n");
        std::string expected;
        for (int i = 0; i < keys; ++i) expected += inval({"k" + std::to_string(i)});
        CHECK(async(*reader) == expected);
    }
}

}  // namespace resp_tracking_test
