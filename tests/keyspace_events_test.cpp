#include "support/test_store.hpp"

#include <cachet/keyspace_events.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using cachet::RemovalCause;

TEST_SUITE("keyspace_events") {
    TEST_CASE("expired, del and evicted reach __keyspace and __keyevent channels; replace does not") {
        cachet::PubSubBus<std::string> bus;
        std::vector<std::string> log;  // "<channel> <message>"
        auto all = bus.psubscribe("__key*@0__:*", [&](std::string_view ch, const std::string& m) {
            log.push_back(std::string(ch) + " " + m);
        });
        auto expiries = bus.subscribe("__keyevent@0__:expired", cachet::InboxOptions{});
        std::vector<std::string> chained;
        cachet::ManualClock clock;
        test::ManualKv<std::string, int> kv(
            {.shards = 1,
             .max_entries = 2,
             .removal_listener = cachet::keyspace_notifier<std::string, int>(
                 bus, {}, {}, [&](const std::string& k, const int&, RemovalCause c) {
                     chained.push_back(k + ":" + std::string(cachet::to_string(c)));
                 })},
            clock);

        CHECK(kv.put("session:1", 1, 30s));
        CHECK_FALSE(kv.put("session:1", 2, 30s));  // replaced: no event (Redis says "set")
        CHECK(log.empty());
        clock.advance(31s);
        kv.run_pending();
        CHECK(log == std::vector<std::string>{"__keyspace@0__:session:1 expired",
                                              "__keyevent@0__:expired session:1"});
        auto e = expiries.try_pop();
        REQUIRE(e);
        CHECK(e->message == "session:1");

        log.clear();
        CHECK(kv.put("a", 1));
        CHECK(kv.erase("a"));
        CHECK(log == std::vector<std::string>{"__keyspace@0__:a del", "__keyevent@0__:del a"});

        log.clear();
        CHECK(kv.put("x", 1));
        CHECK(kv.put("y", 2));
        CHECK(kv.put("z", 3));  // bound of 2: LRU evicts x
        CHECK(log == std::vector<std::string>{"__keyspace@0__:x evicted", "__keyevent@0__:evicted x"});
        CHECK(chained == std::vector<std::string>{"session:1:replaced", "session:1:expired", "a:erased",
                                                  "x:evicted"});
    }

    TEST_CASE("options: only keyevent, another db, integer keys") {
        cachet::PubSubBus<std::string> bus;
        std::vector<std::string> log;
        auto all = bus.psubscribe("*", [&](std::string_view ch, const std::string& m) {
            log.push_back(std::string(ch) + " " + m);
        });
        test::ManualKv<long, int> kv(
            {.removal_listener = cachet::keyspace_notifier<long, int>(bus, {.db = 3, .keyspace = false})});
        CHECK(kv.put(42, 1));
        CHECK(kv.erase(42));
        CHECK(log == std::vector<std::string>{"__keyevent@3__:del 42"});
    }
}

TEST_SUITE("keyspace_events") {
    TEST_CASE("writes publish set, update, expire and persist as Redis names them") {
        cachet::PubSubBus<std::string> bus;
        std::vector<std::string> log;
        auto all = bus.psubscribe("__keyevent@0__:*", [&](std::string_view ch, const std::string& m) {
            log.push_back(std::string(ch.substr(std::string_view("__keyevent@0__:").size())) + " " + m);
        });
        cachet::ManualClock clock;
        test::ManualKv<std::string, long long> kv(
            {.removal_listener = cachet::keyspace_notifier<std::string, long long>(bus),
             .write_listener = cachet::keyspace_write_notifier<std::string, long long>(bus)},
            clock);
        kv.put("k", 1);           // set
        kv.put("k", 2, 10s);      // set (overwrite), expire
        (void)kv.increment("k");  // incrby (an in-place change named as Redis names it)
        kv.persist("k");          // persist
        CHECK_FALSE(kv.persist("k"));  // nothing to remove: no event
        (void)kv.get("k");        // reads publish nothing
        kv.erase("k");            // del
        CHECK(log == std::vector<std::string>{"set k", "set k", "expire k", "incrby k", "persist k",
                                              "del k"});
    }

    TEST_CASE("no write listener, no cost: a store without one records nothing") {
        int calls = 0;
        test::ManualKv<std::string, int> with(
            {.write_listener = [&](const std::string&, cachet::WriteEvent, std::string_view) { ++calls; }});
        with.put("a", 1);
        with.compute("a", [](std::optional<int>& v) { *v += 1; });
        CHECK(calls == 2);
        test::ManualKv<std::string, int> without;
        without.put("a", 1);  // compiles and runs with the listener empty
        CHECK(without.get("a") == 1);
    }
}
