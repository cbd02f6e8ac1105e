#include <cachet/pubsub_bus.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace pubsub_bus_test {

using namespace std::chrono_literals;
using cachet::InboxOptions;
using cachet::Overflow;

using Bus = cachet::PubSubBus<std::string>;
using Sub = Bus::Subscription;

static_assert(!std::is_copy_constructible_v<Sub>);
static_assert(!std::is_copy_assignable_v<Sub>);
static_assert(std::is_nothrow_move_constructible_v<Sub>);
static_assert(std::is_nothrow_move_assignable_v<Sub>);
static_assert(std::is_nothrow_destructible_v<Sub>);
static_assert(!std::is_copy_constructible_v<Bus>);

TEST_SUITE("pubsub_bus") {
    TEST_CASE("the STYLE.md example: RAII unsubscribe") {
        Bus bus;
        std::vector<std::string> got;
        {
            auto sub = bus.subscribe("news", [&](std::string_view msg) { got.emplace_back(msg); });
            CHECK(bus.publish("news", "hello") == 1);
        }
        CHECK(bus.publish("news", "again") == 0);
        CHECK(got == std::vector<std::string>{"hello"});
    }

    TEST_CASE("publish counts channel and pattern receivers as Redis does") {
        Bus bus;
        int a = 0, b = 0, p = 0;
        auto s1 = bus.subscribe("orders.eu", [&](const std::string&) { ++a; });
        auto s2 = bus.subscribe("orders.eu", [&](const std::string&) { ++b; });
        std::vector<std::string> pattern_channels;
        auto s3 = bus.psubscribe("orders.*", [&](std::string_view ch, const std::string&) {
            pattern_channels.emplace_back(ch);
            ++p;
        });
        auto s4 = bus.psubscribe("orders.*", [&](const std::string&) { ++p; });  // same pattern twice
        auto s5 = bus.psubscribe("users.*", [&](const std::string&) { FAIL("no match"); });
        CHECK(bus.publish("orders.eu", "x") == 4);
        CHECK(bus.publish("orders.us", "y") == 2);
        CHECK(bus.publish("nobody", "z") == 0);
        CHECK(a == 1);
        CHECK(b == 1);
        CHECK(p == 4);
        CHECK(pattern_channels == std::vector<std::string>{"orders.eu", "orders.us"});
    }

    TEST_CASE("patterns use Redis glob rules") {
        Bus bus;
        std::vector<std::string> seen;
        auto s1 = bus.psubscribe("h?llo", [&](std::string_view ch, const std::string&) { seen.emplace_back(ch); });
        auto s2 = bus.psubscribe("[^x]-[a-c]", [&](std::string_view ch, const std::string&) { seen.emplace_back(ch); });
        auto s3 = bus.psubscribe("lit\\*", [&](std::string_view ch, const std::string&) { seen.emplace_back(ch); });
        auto s4 = bus.psubscribe("*", [&](std::string_view, const std::string&) {});
        CHECK(bus.publish("hello", "") == 2);
        CHECK(bus.publish("hllo", "") == 1);
        CHECK(bus.publish("y-b", "") == 2);
        CHECK(bus.publish("x-b", "") == 1);
        CHECK(bus.publish("lit*", "") == 2);
        CHECK(bus.publish("litx", "") == 1);
        CHECK(bus.publish("", "") == 0);  // Redis: "*" does not match the empty channel
        CHECK(seen == std::vector<std::string>{"hello", "y-b", "lit*"});
        // The match cache is dropped when the pattern table changes.
        auto s5 = bus.psubscribe("hel*", [&](std::string_view, const std::string&) {});
        CHECK(bus.publish("hello", "") == 3);
        s5.unsubscribe();
        CHECK(bus.publish("hello", "") == 2);
    }

    TEST_CASE("many patterns, few matching: prefix buckets and the per-channel cache") {
        Bus bus;
        std::vector<Sub> subs;
        int hits = 0;
        for (int i = 0; i < 300; ++i)
            subs.push_back(bus.psubscribe("svc" + std::to_string(i) + ".*", [&](const std::string&) { ++hits; }));
        subs.push_back(bus.psubscribe("*.errors", [&](const std::string&) { ++hits; }));
        subs.push_back(bus.psubscribe("?vc7.*", [&](const std::string&) { ++hits; }));
        for (int round = 0; round < 3; ++round) {
            CHECK(bus.publish("svc7.errors", "") == 3);
            CHECK(bus.publish("svc250.load", "") == 1);
            CHECK(bus.publish("other", "") == 0);
        }
        CHECK(hits == 12);
        CHECK(bus.numpat() == 302);
    }

    TEST_CASE("messages from one publisher arrive in order, inline and through an inbox") {
        Bus bus;
        std::vector<std::string> inline_got;
        auto s1 = bus.subscribe("c", [&](const std::string& m) { inline_got.push_back(m); });
        auto s2 = bus.subscribe("c", InboxOptions{.capacity = 100});
        auto s3 = bus.psubscribe("c*", InboxOptions{.capacity = 100});
        std::vector<std::string> want;
        for (int i = 0; i < 50; ++i) {
            want.push_back(std::to_string(i));
            CHECK(bus.publish("c", std::to_string(i)) == 3);
        }
        CHECK(inline_got == want);
        CHECK(s2.size_approx() == 50);
        for (const auto& w : want) {
            auto e2 = s2.try_pop();
            auto e3 = s3.pop();
            REQUIRE(e2);
            REQUIRE(e3);
            CHECK(e2->message == w);
            CHECK(e3->message == w);
            CHECK(e3->channel == "c");
        }
        CHECK_FALSE(s2.try_pop());
        CHECK_FALSE(s3.pop_for(1ms));
    }

    TEST_CASE("overflow: drop_newest keeps the first messages and counts the rest") {
        Bus bus;
        auto s = bus.subscribe("c", InboxOptions{.capacity = 3, .overflow = Overflow::drop_newest});
        std::size_t delivered = 0;
        for (int i = 0; i < 10; ++i) delivered += bus.publish("c", std::to_string(i));
        CHECK(delivered == 3);
        CHECK(s.dropped() == 7);
        CHECK(s.try_pop()->message == "0");
        CHECK(s.try_pop()->message == "1");
        CHECK(s.try_pop()->message == "2");
        CHECK_FALSE(s.try_pop());
        CHECK(s.active());
    }

    TEST_CASE("overflow: drop_oldest keeps the last messages and counts the rest") {
        Bus bus;
        auto s = bus.subscribe("c", InboxOptions{.capacity = 3, .overflow = Overflow::drop_oldest});
        std::size_t delivered = 0;
        for (int i = 0; i < 10; ++i) delivered += bus.publish("c", std::to_string(i));
        CHECK(delivered == 10);  // each new message was delivered; old ones were dropped
        CHECK(s.dropped() == 7);
        CHECK(s.try_pop()->message == "7");
        CHECK(s.try_pop()->message == "8");
        CHECK(s.try_pop()->message == "9");
        CHECK_FALSE(s.try_pop());
    }

    TEST_CASE("overflow: close ends the subscription; queued messages can still be popped") {
        Bus bus;
        auto s = bus.subscribe("c", InboxOptions{.capacity = 2, .overflow = Overflow::close});
        CHECK(bus.publish("c", "a") == 1);
        CHECK(bus.publish("c", "b") == 1);
        CHECK(bus.numsub("c") == 1);
        CHECK(bus.publish("c", "c") == 0);  // full: closed, this one dropped
        CHECK(s.closed());
        CHECK_FALSE(s.active());
        CHECK(s.dropped() == 1);
        CHECK(bus.numsub("c") == 0);  // reaped from the table
        CHECK(bus.publish("c", "d") == 0);
        CHECK(s.dropped() == 1);  // no longer subscribed, so nothing more is counted
        CHECK(s.pop()->message == "a");
        CHECK(s.pop()->message == "b");
        CHECK_FALSE(s.pop());  // closed and drained: does not block
    }

    TEST_CASE("overflow: block waits for room, then times out and drops") {
        Bus bus;
        auto s = bus.subscribe("c", InboxOptions{.capacity = 2, .overflow = Overflow::block,
                                                 .block_timeout = 20ms});
        CHECK(bus.publish("c", "a") == 1);
        CHECK(bus.publish("c", "b") == 1);
        CHECK(bus.publish("c", "c") == 0);  // nobody pops: times out
        CHECK(s.dropped() == 1);

        SUBCASE("a consumer makes room") {
            auto s2 = bus.subscribe("d", InboxOptions{.capacity = 1, .block_timeout = 10s});
            std::atomic<int> popped{0};
            std::thread consumer([&] {
                for (int i = 0; i < 100; ++i) {
                    auto e = s2.pop();
                    REQUIRE(e);
                    CHECK(e->message == std::to_string(i));
                    popped.fetch_add(1);
                }
            });
            std::size_t delivered = 0;
            for (int i = 0; i < 100; ++i) delivered += bus.publish("d", std::to_string(i));
            consumer.join();
            CHECK(delivered == 100);
            CHECK(popped.load() == 100);
            CHECK(s2.dropped() == 0);
        }
        SUBCASE("unsubscribing releases a blocked publisher") {
            auto s3 = bus.subscribe("e", InboxOptions{.capacity = 1, .block_timeout = 60s});
            CHECK(bus.publish("e", "1") == 1);
            std::thread t([&] {
                std::this_thread::sleep_for(20ms);
                s3.unsubscribe();
            });
            CHECK(bus.publish("e", "2") == 0);  // returns when s3 goes away, not after 60 s
            t.join();
        }
    }

    TEST_CASE("pop_for times out; pop wakes for a message from another thread") {
        Bus bus;
        auto s = bus.subscribe("c", InboxOptions{});
        const auto t0 = std::chrono::steady_clock::now();
        CHECK_FALSE(s.pop_for(15ms));
        CHECK(std::chrono::steady_clock::now() - t0 >= 15ms);
        std::thread t([&] {
            std::this_thread::sleep_for(10ms);
            CHECK(bus.publish("c", "late") == 1);
        });
        auto e = s.pop();
        t.join();
        REQUIRE(e);
        CHECK(e->message == "late");
    }

    TEST_CASE("run(stop_token) dispatches on the subscriber's thread until stopped") {
        Bus bus;
        std::vector<std::string> got;
        std::thread::id handler_thread;
        auto s = bus.subscribe("c", InboxOptions{}, [&](std::string_view ch, const std::string& m) {
            CHECK(ch == "c");
            handler_thread = std::this_thread::get_id();
            got.push_back(m);
        });
        std::size_t ran = 0;
        std::jthread consumer([&](std::stop_token st) { ran = s.run(st); });
        const auto consumer_id = consumer.get_id();
        for (int i = 0; i < 20; ++i) CHECK(bus.publish("c", std::to_string(i)) == 1);
        while (s.size_approx() != 0) std::this_thread::sleep_for(1ms);
        std::this_thread::sleep_for(5ms);
        consumer.request_stop();
        consumer.join();
        CHECK(ran == 20);
        CHECK(got.size() == 20);
        CHECK(handler_thread == consumer_id);
        CHECK(got.back() == "19");

        auto pop_only = bus.subscribe("d", InboxOptions{});
        CHECK_THROWS_AS(pop_only.run(), std::logic_error);
        auto inline_sub = bus.subscribe("d", [](const std::string&) {});
        CHECK_THROWS_AS(inline_sub.try_pop(), std::logic_error);
    }

    TEST_CASE("a handler unsubscribes itself: no deadlock, no further calls") {
        Bus bus;
        int calls = 0;
        Sub self;
        self = bus.subscribe("c", [&](const std::string&) {
            ++calls;
            self.unsubscribe();  // returns at once: the running call is the caller's own
            CHECK_FALSE(self);
        });
        CHECK(bus.publish("c", "1") == 1);
        CHECK(bus.publish("c", "2") == 0);
        CHECK(calls == 1);
        CHECK(bus.numsub("c") == 0);
    }

    TEST_CASE("a handler unsubscribes another one that comes later in the same publish") {
        Bus bus;
        int first = 0, second = 0;
        Sub b;
        auto a = bus.subscribe("c", [&](const std::string&) {
            ++first;
            b.unsubscribe();
        });
        b = bus.subscribe("c", [&](const std::string&) { ++second; });
        CHECK(bus.publish("c", "x") == 1);  // b is marked dead before its turn: skipped
        CHECK(first == 1);
        CHECK(second == 0);
        CHECK(bus.numsub("c") == 1);
    }

    TEST_CASE("a handler publishes and subscribes: nested delivery, no deadlock") {
        Bus bus;
        std::vector<std::string> log;
        std::vector<Sub> late;
        auto relay = bus.subscribe("in", [&](const std::string& m) {
            log.push_back("in:" + m);
            CHECK(bus.publish("out", m + "!") == 1);
            if (late.empty())
                late.push_back(bus.subscribe("in", [&](const std::string& x) { log.push_back("late:" + x); }));
        });
        auto sink = bus.subscribe("out", [&](const std::string& m) { log.push_back("out:" + m); });
        CHECK(bus.publish("in", "a") == 1);  // the new subscription sees only later publishes
        CHECK(bus.publish("in", "b") == 2);
        CHECK(log == std::vector<std::string>{"in:a", "out:a!", "in:b", "out:b!", "late:b"});
    }

    TEST_CASE("a throwing handler does not stop delivery to others and reaches the error hook") {
        Bus bus;
        std::vector<std::string> errors;
        bus.set_error_handler([&](std::exception_ptr e, std::string_view ch) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                errors.push_back(std::string(ch) + ": " + ex.what());
            }
        });
        int before = 0, after = 0;
        auto s1 = bus.subscribe("c", [&](const std::string&) { ++before; });
        auto s2 = bus.subscribe("c", [&](const std::string&) -> void { throw std::runtime_error("boom"); });
        auto s3 = bus.psubscribe("*", [&](const std::string&) { ++after; });
        CHECK(bus.publish("c", "x") == 3);
        CHECK(before == 1);
        CHECK(after == 1);
        CHECK(bus.handler_errors() == 1);
        CHECK(errors == std::vector<std::string>{"c: boom"});

        bus.set_error_handler([](std::exception_ptr, std::string_view) { throw 42; });  // ignored
        CHECK(bus.publish("c", "y") == 3);
        CHECK(bus.handler_errors() == 2);
    }

    TEST_CASE("introspection: CHANNELS, NUMSUB, NUMPAT") {
        Bus bus;
        auto a = bus.subscribe("news.tech", [](const std::string&) {});
        auto b = bus.subscribe("news.tech", InboxOptions{});
        auto c = bus.subscribe("news.art", [](const std::string&) {});
        auto d = bus.subscribe("weather", [](const std::string&) {});
        auto p1 = bus.psubscribe("news.*", [](const std::string&) {});
        auto p2 = bus.psubscribe("news.*", [](const std::string&) {});
        auto p3 = bus.psubscribe("w*", [](const std::string&) {});
        CHECK(bus.channels() == std::vector<std::string>{"news.art", "news.tech", "weather"});
        CHECK(bus.channels("news.*") == std::vector<std::string>{"news.art", "news.tech"});
        CHECK(bus.numsub("news.tech") == 2);
        CHECK(bus.numsub("weather") == 1);
        CHECK(bus.numsub("nothing") == 0);
        CHECK(bus.numpat() == 2);  // distinct patterns, as Redis 7 counts
        CHECK(bus.pattern_subscriptions() == 3);
        a.unsubscribe();
        b.unsubscribe();
        p1 = {};
        CHECK(bus.channels() == std::vector<std::string>{"news.art", "weather"});
        CHECK(bus.numpat() == 2);
        CHECK(bus.pattern_subscriptions() == 2);
    }

    TEST_CASE("handles outlive the bus") {
        Sub inline_sub, inbox_sub;
        std::atomic<int> consumed{0};
        std::thread waiter;
        {
            Bus bus;
            inline_sub = bus.subscribe("c", [](const std::string&) {});
            inbox_sub = bus.subscribe("c", InboxOptions{});
            auto blocked = bus.subscribe("d", InboxOptions{});
            CHECK(bus.publish("c", "queued") == 2);
            waiter = std::thread([b = std::move(blocked), &consumed]() mutable {
                while (b.pop()) consumed.fetch_add(1);  // woken and ended by the bus's death
            });
            std::this_thread::sleep_for(5ms);
        }
        waiter.join();
        CHECK(consumed.load() == 0);
        CHECK_FALSE(inline_sub.active());
        CHECK(inbox_sub.closed());
        CHECK(inbox_sub.pop()->message == "queued");  // what was queued can still be popped
        CHECK_FALSE(inbox_sub.pop());
        inline_sub.unsubscribe();  // safe: the control block is shared
        inbox_sub = {};
        CHECK_FALSE(inline_sub);
    }

    TEST_CASE("move-only messages inline; shared payloads for fan-out without copies") {
        cachet::PubSubBus<std::unique_ptr<int>> unique_bus;
        int seen = 0;
        auto s = unique_bus.subscribe("c", [&](const std::unique_ptr<int>& p) { seen = *p; });
        CHECK(unique_bus.publish("c", std::make_unique<int>(7)) == 1);
        CHECK(seen == 7);
        CHECK_THROWS_AS((void)unique_bus.subscribe("c", InboxOptions{}), std::logic_error);

        struct Big {
            std::vector<int> data;
        };
        cachet::PubSubBus<cachet::SharedMessage<Big>> shared_bus;
        auto i1 = shared_bus.subscribe("c", InboxOptions{});
        auto i2 = shared_bus.psubscribe("*", InboxOptions{});
        auto payload = std::make_shared<const Big>(Big{std::vector<int>(1000, 1)});
        const Big* raw = payload.get();
        CHECK(shared_bus.publish("c", std::move(payload)) == 2);
        CHECK(i1.try_pop()->message.get() == raw);  // the same object, not a copy
        CHECK(i2.try_pop()->message.get() == raw);
    }

    TEST_CASE("invalid inbox options are rejected") {
        Bus bus;
        CHECK_THROWS_AS((void)bus.subscribe("c", InboxOptions{.capacity = 0}), std::invalid_argument);
        CHECK_THROWS_AS((void)bus.subscribe("c", InboxOptions{.block_timeout = -1ms}), std::invalid_argument);
        CHECK(bus.numsub("c") == 0);
    }

    TEST_CASE("unsubscribe during a concurrent publish: after it returns, no call runs or starts") {
        Bus bus;
        std::atomic<bool> stop{false};
        std::atomic<long> published{0};
        std::thread publisher([&] {
            while (!stop.load()) {
                (void)bus.publish("c", "m");
                published.fetch_add(1);
            }
        });
        for (int round = 0; round < 200; ++round) {
            auto state = std::make_shared<std::atomic<int>>(0);  // 0 live, 1 unsubscribed
            std::atomic<int> running{0};
            auto s = bus.subscribe("c", [state, &running](const std::string&) {
                running.fetch_add(1);
                CHECK(state->load() == 0);  // never called after unsubscribe() returned
                std::this_thread::yield();
                running.fetch_sub(1);
            });
            const long start = published.load();
            while (published.load() < start + 2) std::this_thread::yield();
            s.unsubscribe();
            CHECK(running.load() == 0);
            state->store(1);
        }
        stop.store(true);
        publisher.join();
    }
}

namespace {
struct Seq {
    int publisher;
    int seq;
};
}  // namespace

TEST_SUITE("pubsub_bus") {
    TEST_CASE("stress: publishers, churning subscribers, exact per-subscriber accounting") {
        cachet::PubSubBus<Seq> bus;
        constexpr int publishers = 2;
        constexpr int per_publisher = 20'000;
        constexpr int channels = 4;

        // Subscribers alive for the whole publishing phase must see every message, in order
        // per publisher.
        struct Tally {
            std::vector<int> next = std::vector<int>(publishers, 0);
            long count = 0;
            bool ordered = true;
            void see(const Seq& m) {
                if (m.seq < next[static_cast<std::size_t>(m.publisher)]) ordered = false;
                next[static_cast<std::size_t>(m.publisher)] = m.seq + 1;
                ++count;
            }
        };
        std::mutex tally_mutex;  // inline handlers run on both publisher threads
        Tally all_inline;
        auto stable_inline = bus.psubscribe("ch.*", [&](const Seq& m) {
            std::lock_guard<std::mutex> g(tally_mutex);
            all_inline.see(m);
        });
        // Per-channel inline subscribers: each sees exactly its channel's share.
        std::vector<std::atomic<long>> per_channel(channels);
        std::vector<cachet::PubSubBus<Seq>::Subscription> channel_subs;
        for (int c = 0; c < channels; ++c)
            channel_subs.push_back(bus.subscribe("ch." + std::to_string(c),
                                                 [&per_channel, c](const Seq&) { per_channel[static_cast<std::size_t>(c)].fetch_add(1); }));
        // An inbox subscriber drained by its own thread; blocking policy: nothing dropped.
        auto stable_inbox = bus.psubscribe("ch.*", InboxOptions{.capacity = 256, .overflow = Overflow::block,
                                                              .block_timeout = 60s});
        Tally inbox_tally;
        std::thread inbox_consumer([&] {
            while (auto e = stable_inbox.pop()) {
                inbox_tally.see(e->message);
                if (inbox_tally.count == long{publishers} * per_publisher) break;
            }
        });

        // Churners: subscribe and unsubscribe in a loop, checking no call after unsubscribe
        // and per-publisher order while subscribed.
        std::atomic<bool> publishing{true};
        std::atomic<long> churn_rounds{0};
        std::atomic<bool> churn_ok{true};
        auto churn = [&](bool pattern) {
            while (publishing.load()) {
                auto dead = std::make_shared<std::atomic<bool>>(false);
                auto tally = std::make_shared<Tally>();
                auto tm = std::make_shared<std::mutex>();
                auto handler = [dead, tally, tm, &churn_ok](const Seq& m) {
                    if (dead->load()) churn_ok.store(false);
                    std::lock_guard<std::mutex> g(*tm);
                    tally->see(m);
                };
                {
                    auto s = pattern ? bus.psubscribe("ch.*", handler) : bus.subscribe("ch.1", handler);
                    std::this_thread::yield();
                }  // destroyed: unsubscribed
                dead->store(true);
                std::lock_guard<std::mutex> g(*tm);
                if (!tally->ordered) churn_ok.store(false);
                churn_rounds.fetch_add(1);
            }
        };
        std::thread churner1(churn, true), churner2(churn, false);

        std::vector<std::thread> pubs;
        std::atomic<long> counted{0};
        for (int p = 0; p < publishers; ++p) {
            pubs.emplace_back([&, p] {
                long n = 0;
                for (int i = 0; i < per_publisher; ++i)
                    n += static_cast<long>(bus.publish("ch." + std::to_string(i % channels), Seq{p, i}));
                counted.fetch_add(n);
            });
        }
        for (auto& t : pubs) t.join();
        publishing.store(false);
        churner1.join();
        churner2.join();
        inbox_consumer.join();

        const long total = long{publishers} * per_publisher;
        CHECK(all_inline.count == total);
        CHECK(all_inline.ordered);
        CHECK(inbox_tally.count == total);
        CHECK(inbox_tally.ordered);
        CHECK(stable_inbox.dropped() == 0);
        for (int c = 0; c < channels; ++c) CHECK(per_channel[static_cast<std::size_t>(c)].load() == total / channels);
        CHECK(churn_ok.load());
        CHECK(churn_rounds.load() > 0);
        // Each message reached the 3 stable subscriptions plus some churners.
        CHECK(counted.load() >= 3 * total);
        MESSAGE("churn rounds: " << churn_rounds.load());
    }
}

}  // namespace pubsub_bus_test
