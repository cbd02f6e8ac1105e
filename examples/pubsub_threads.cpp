// PubSubBus between threads: producer threads publish order events on channels named
// "orders.<region>.<event>"; one subscriber per pattern drains its own inbox on its own thread;
// an inline pattern subscriber keeps a running total on the publishers' threads. At the end,
// every subscriber's count is checked against what was published: nothing is lost. Then a
// KvStore of shopping carts publishes keyspace notifications, and a subscriber thread logs the
// carts whose TTL ran out.
//
// Messages are `cachet::SharedMessage<Order>` (std::shared_ptr<const Order>), so a message that
// matches several subscriptions is shared, not copied per subscriber.

#include <cachet/keyspace_events.hpp>
#include <cachet/kv_store.hpp>
#include <cachet/pubsub_bus.hpp>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Order {
    int producer;
    int id;
    std::string region;
    std::string event;
    long cents;
};

using Bus = cachet::PubSubBus<cachet::SharedMessage<Order>>;

std::mutex print_mutex;  // keeps trace lines whole

}  // namespace

int main() {
    auto bus = std::make_unique<Bus>();  // a unique_ptr only so that main can close it early
    bus->set_error_handler([](std::exception_ptr, std::string_view channel) {
        std::printf("handler failed on %.*s\n", static_cast<int>(channel.size()), channel.data());
    });

    const std::vector<std::string> regions = {"eu", "us", "apac"};
    const std::vector<std::string> events = {"created", "paid", "shipped"};
    constexpr int producers = 3;
    constexpr int orders_per_producer = 400;  // each order: created, paid, shipped

    // One subscriber per pattern, each with its own inbox (blocking the publisher briefly when
    // full, so nothing is dropped) and its own consumer thread.
    struct Consumer {
        std::string pattern;
        Bus::Subscription sub;
        long received = 0;
        long cents = 0;
    };
    std::vector<Consumer> consumers;
    for (const char* pattern : {"orders.*.created", "orders.eu.*", "orders.*.shipped", "orders.[ua]*.paid"})
        consumers.push_back({pattern,
                             bus->psubscribe(pattern, cachet::InboxOptions{.capacity = 256,
                                                                          .overflow = cachet::Overflow::block,
                                                                          .block_timeout = std::chrono::seconds(10)}),
                             0, 0});

    // An inline subscriber: runs on the producers' threads.
    std::atomic<long> all_events{0};
    auto audit = bus->psubscribe("orders.*", [&](const cachet::SharedMessage<Order>&) { all_events.fetch_add(1); });

    std::vector<std::thread> consumer_threads;
    for (auto& c : consumers) {
        consumer_threads.emplace_back([&c] {
            int traced = 0;
            while (auto e = c.sub.pop()) {  // ends when the bus closes the inbox and it is drained
                ++c.received;
                c.cents += e->message->cents;
                if (traced < 2) {
                    ++traced;
                    std::lock_guard<std::mutex> g(print_mutex);
                    std::printf("  [%-18s] %-22s order %d-%d, %ld.%02ld EUR\n", c.pattern.c_str(), e->channel.c_str(),
                                e->message->producer, e->message->id, e->message->cents / 100,
                                e->message->cents % 100);
                }
            }
        });
    }

    // Producers: each publishes its orders' three events in order.
    std::map<std::string, long> published;  // per channel, filled after the threads join
    std::vector<std::map<std::string, long>> per_producer(producers);
    std::vector<std::thread> producer_threads;
    for (int p = 0; p < producers; ++p) {
        producer_threads.emplace_back([&, p] {
            for (int i = 0; i < orders_per_producer; ++i) {
                const std::string& region = regions[static_cast<std::size_t>(i + p) % regions.size()];
                for (const auto& event : events) {
                    auto order = std::make_shared<const Order>(Order{p, i, region, event, 1000 + 37L * i});
                    const std::string channel = "orders." + region + "." + event;
                    if (bus->publish(channel, std::move(order)) == 0) std::printf("nobody received %s\n", channel.c_str());
                    ++per_producer[static_cast<std::size_t>(p)][channel];
                }
            }
        });
    }
    for (auto& t : producer_threads) t.join();
    for (const auto& m : per_producer)
        for (const auto& [channel, n] : m) published[channel] += n;

    std::printf("PUBSUB NUMPAT = %zu\n", bus->numpat());

    // What each pattern should have received, from the per-channel publish counts.
    std::vector<long> expected(consumers.size(), 0);
    for (std::size_t i = 0; i < consumers.size(); ++i)
        for (const auto& [channel, n] : published)
            if (cachet::detail::glob_match(consumers[i].pattern, channel))  // (detail: for this check only)
                expected[i] += n;

    // Close every inbox: each consumer drains what is queued, then its pop() returns nothing.
    // (Destroying the bus closes them; the handles stay valid and report their counts.)
    bus.reset();
    for (auto& t : consumer_threads) t.join();

    bool ok = true;
    long total = 0;
    for (const auto& [channel, n] : published) total += n;
    std::printf("published %ld events on %zu channels; audit subscriber saw %ld\n", total, published.size(),
                all_events.load());
    ok = ok && all_events.load() == total;
    for (std::size_t i = 0; i < consumers.size(); ++i) {
        const auto& c = consumers[i];
        const bool good = c.received == expected[i] && c.sub.dropped() == 0;
        ok = ok && good;
        std::printf("  %-18s received %5ld of %5ld, dropped %zu  %s\n", c.pattern.c_str(), c.received, expected[i],
                    c.sub.dropped(), good ? "ok" : "LOST MESSAGES");
    }

    // Keyspace notifications: a KvStore publishes its removals on a bus (here: TTL expiries,
    // on "__keyevent@0__:expired"); a logger thread drains its inbox. A manual clock makes the
    // minutes pass at once.
    long expired_logged = 0;
    {
        auto notifications = std::make_unique<cachet::PubSubBus<std::string>>();
        auto expired = notifications->subscribe("__keyevent@0__:expired", cachet::InboxOptions{});
        std::thread logger([&] {
            while (auto e = expired.pop()) {
                ++expired_logged;
                std::lock_guard<std::mutex> g(print_mutex);
                std::printf("  [%s] %s\n", e->channel.c_str(), e->message.c_str());
            }
        });
        {
            cachet::ManualClock clock;
            cachet::KvStore<std::string, int, std::hash<std::string>, std::equal_to<std::string>,
                            cachet::ManualClock>
                carts({.removal_listener = cachet::keyspace_notifier<std::string, int>(*notifications)}, clock);
            for (int i = 0; i < 4; ++i) carts.put("cart:" + std::to_string(i), i, std::chrono::minutes(5 * (i + 1)));
            clock.advance(std::chrono::minutes(12));
            carts.run_pending();  // cart:0 (5 min) and cart:1 (10 min) expire
            std::lock_guard<std::mutex> g(print_mutex);
            std::printf("after 12 min: %zu carts left\n", carts.size());
        }  // the store goes first: its listener refers to the bus
        notifications.reset();  // closes the inbox: the logger drains it and stops
        logger.join();
    }
    std::printf("expiry notifications logged: %ld of 2\n", expired_logged);
    ok = ok && expired_logged == 2;

    std::printf(ok ? "nothing lost\n" : "MISMATCH\n");
    return ok ? 0 : 1;
}
