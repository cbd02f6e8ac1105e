// Redis's data types as typed, thread-safe containers on the one keyspace core: a job queue
// (ListStore, with a blocking pop between threads), per-user records (HashStore), tag indexes
// (SetStore) and a price index (ZSetStore). Every key gets TTLs, eviction, stats and
// notifications from the core; every operation on a key is atomic. The README quotes this file.
#include <cachet/hash_store.hpp>
#include <cachet/list_store.hpp>
#include <cachet/set_store.hpp>
#include <cachet/sorted_set.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

using namespace std::chrono_literals;

int main() {
    // Lists: a job queue. The worker blocks in BLPOP until a job arrives (or 1 s passes).
    cachet::ListStore<std::string, std::string> lists;
    std::jthread worker([&](std::stop_token stop) {
        while (auto job = lists.pop_front_wait("jobs", 1s, stop))  // {key, value}, FIFO
            std::printf("worker got %s from %s\n", job->second.c_str(), job->first.c_str());
    });
    lists.push_back("jobs", {"resize:1", "resize:2"});           // RPUSH jobs ... -> 2
    lists.push_back("log", {"a", "b", "c", "d"});
    auto last_two = lists.range("log", -2, -1);                  // LRANGE log -2 -1: c d
    lists.trim("log", 0, 1);                                     // LTRIM log 0 1
    std::printf("log tail: %s %s; log now %zu long\n", last_two[0].c_str(), last_two[1].c_str(),
                lists.length("log"));

    // Hashes: one record per user, fields updated atomically.
    cachet::HashStore<std::string, std::string, std::string> users;
    users.set("user:42", {{"name", "Ada"}, {"plan", "pro"}});    // HSET user:42 name Ada plan pro
    auto visits = users.increment("user:42", "visits", 1);       // HINCRBY: Result<long long> 1
    users.expire("user:42", 30min);                              // the whole record expires
    std::printf("user:42 %s, %lld visit(s)\n", users.get("user:42", "name")->c_str(), *visits);

    // Sets: indexes by tag.
    cachet::SetStore<std::string, int> tags;
    tags.add("tag:books", {1, 2, 3});                            // SADD tag:books 1 2 3
    tags.add("tag:sale", {2, 3, 4});
    auto both = tags.intersection({"tag:books", "tag:sale"});    // SINTER: {2, 3}
    std::printf("books on sale: %zu\n", both.size());

    // Sorted sets: an index by price, ranges in O(log n + m).
    cachet::ZSetStore<std::string, std::string> prices;
    prices.add("by-price", {{"pen", 1.5}, {"book", 12}, {"lamp", 30}});  // ZADD
    auto cheap = prices.range_by_score("by-price", {{0, false}, {15, false}});  // [0, 15]
    auto rank = prices.rank("by-price", "lamp");                 // ZRANK: 2
    std::printf("%zu items up to $15; lamp is #%zu\n", cheap.size(), *rank + 1);

    std::this_thread::sleep_for(50ms);  // let the worker print before the queue shuts down
    worker.request_stop();              // its pop_front_wait returns at once
    return both.size() == 2 && *rank == 2 && lists.length("log") == 2 ? 0 : 1;
}
