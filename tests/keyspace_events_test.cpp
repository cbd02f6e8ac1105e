#include "support/test_store.hpp"

#include <cachet/keyspace_events.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace keyspace_events_test {

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
        CHECK(calls == 3);  // created, set, update
        test::ManualKv<std::string, int> without;
        without.put("a", 1);  // compiles and runs with the listener empty
        CHECK(without.get("a") == 1);
    }
}

TEST_SUITE("keyspace_events") {
    TEST_CASE("a created key is announced as `created` (\"new\") before its write; an overwrite is not") {
        std::vector<std::string> log;  // "<event enum> <name> <key>"
        cachet::ManualClock clock;
        test::ManualKv<std::string, int> kv(
            {.write_listener = [&](const std::string& k, cachet::WriteEvent e, std::string_view name) {
                log.push_back(std::to_string(static_cast<int>(e)) + " " + std::string(name) + " " + k);
            }},
            clock);
        const auto created = std::to_string(static_cast<int>(cachet::WriteEvent::created));
        const auto set = std::to_string(static_cast<int>(cachet::WriteEvent::set));
        const auto expire = std::to_string(static_cast<int>(cachet::WriteEvent::expire));
        kv.put("a", 1, 10s);  // created, set, expire
        kv.put("a", 2);       // an overwrite: set (and persist)
        CHECK_FALSE(kv.put_if_absent("a", 3));  // nothing written: nothing announced
        REQUIRE(log.size() >= 4);
        CHECK(log[0] == created + " new a");
        CHECK(log[1] == set + " set a");
        CHECK(log[2] == expire + " expire a");
        CHECK(log[3] == set + " set a");
        CHECK(std::count_if(log.begin(), log.end(), [](const std::string& s) {
                  return s.find(" new ") != std::string::npos;
              }) == 1);
        CHECK(cachet::to_string(cachet::WriteEvent::created) == "new");
    }

    TEST_CASE("keyspace_write_notifier publishes `new` only with new_keys") {
        cachet::PubSubBus<std::string> bus;
        std::vector<std::string> log;
        auto all = bus.psubscribe("__keyevent@0__:*", [&](std::string_view ch, const std::string& m) {
            log.push_back(std::string(ch.substr(std::string_view("__keyevent@0__:").size())) + " " + m);
        });
        test::ManualKv<std::string, int> quiet(
            {.write_listener = cachet::keyspace_write_notifier<std::string, int>(bus)});
        quiet.put("q", 1);
        CHECK(log == std::vector<std::string>{"set q"});
        log.clear();
        test::ManualKv<std::string, int> loud(
            {.write_listener = cachet::keyspace_write_notifier<std::string, int>(bus, {.new_keys = true})});
        loud.put("n", 1);
        loud.put("n", 2);
        CHECK(log == std::vector<std::string>{"new n", "set n", "set n"});
    }

    TEST_CASE("the miss listener hears reads that find nothing, counted lookups, and nothing else") {
        std::vector<std::string> missed;
        cachet::ManualClock clock;
        test::ManualKv<std::string, int> kv(
            {.miss_listener = [&](const std::string& k) { missed.push_back(k); }}, clock);
        kv.put("here", 1);
        kv.put("brief", 1, 5s);
        CHECK(kv.get("here") == 1);  // a hit: not heard
        CHECK_FALSE(kv.get("absent"));
        CHECK_FALSE(kv.contains("peeked"));  // a peek: not a lookup
        clock.advance(6s);
        CHECK_FALSE(kv.get("brief"));  // expired: a miss
        CHECK(missed == std::vector<std::string>{"absent", "brief"});
        CHECK(kv.stats().misses == 2);
        CHECK(kv.stats().hits == 1);

        // Lookups made by other means count as the caller says.
        kv.core().count_lookup(std::string("counted"), false);
        kv.core().count_lookup(std::string("here"), true);
        kv.core().count_lookup(std::string("silent"), false, /*announce=*/false);
        CHECK(missed == std::vector<std::string>{"absent", "brief", "counted"});
        CHECK(kv.stats().misses == 4);
        CHECK(kv.stats().hits == 2);

        // Switched off, the listener hears nothing; the statistics still count.
        kv.core().set_miss_events(false);
        CHECK_FALSE(kv.get("absent"));
        CHECK(missed.size() == 3);
        CHECK(kv.stats().misses == 5);
    }

    TEST_CASE("a write that reads first announces its miss before its write events") {
        std::vector<std::string> log;
        test::ManualKv<std::string, int> kv(
            {.write_listener = [&](const std::string& k, cachet::WriteEvent, std::string_view name) {
                 log.push_back(std::string(name) + " " + k);
             },
             .miss_listener = [&](const std::string& k) { log.push_back("keymiss " + k); }});
        auto get_and_set = [&](const std::string& key, int v) {  // Redis's SET key v GET
            return kv.update(key, [&](auto& slot) -> std::optional<int> {
                slot.count_lookup();
                std::optional<int> old;
                if (slot.exists()) old = slot.value();
                slot.emplace(v);
                return old;
            });
        };
        CHECK_FALSE(get_and_set("k", 1));
        CHECK(get_and_set("k", 2) == 1);
        CHECK(log == std::vector<std::string>{"keymiss k", "new k", "set k", "set k"});
        CHECK(kv.stats().misses == 1);
        CHECK(kv.stats().hits == 1);
    }

    TEST_CASE("a miss counted before the callback throws is still announced") {
        std::vector<std::string> missed;
        test::ManualKv<std::string, int> kv(
            {.miss_listener = [&](const std::string& k) { missed.push_back(k); }});
        CHECK_THROWS_AS(kv.update(std::string("k"),
                                  [](auto& slot) {
                                      slot.count_lookup();
                                      throw std::runtime_error("after the lookup");
                                  }),
                        std::runtime_error);
        CHECK(missed == std::vector<std::string>{"k"});
        CHECK(kv.stats().misses == 1);
        CHECK_FALSE(kv.contains("k"));
    }

    TEST_CASE("keyspace_miss_notifier publishes keymiss") {
        cachet::PubSubBus<std::string> bus;
        std::vector<std::string> log;
        auto all = bus.psubscribe("*", [&](std::string_view ch, const std::string& m) {
            log.push_back(std::string(ch) + " " + m);
        });
        test::ManualKv<std::string, int> kv(
            {.miss_listener = cachet::keyspace_miss_notifier<std::string, int>(bus, {.db = 2})});
        kv.put("k", 1);
        (void)kv.get("k");
        (void)kv.get("nope");
        CHECK(log == std::vector<std::string>{"__keyspace@2__:nope keymiss", "__keyevent@2__:keymiss nope"});
    }
}

}  // namespace keyspace_events_test
