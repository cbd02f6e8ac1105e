// The README's first example: a KvStore with TTLs that expire, counters, and a removal
// listener. Time comes from a ManualClock so the run is instant and its output exact; a real
// program uses the default steady clock and never touches a clock at all.
#include <cachet/cachet.hpp>

#include <cstdio>
#include <string>

using namespace std::chrono_literals;

int main() {
    cachet::ManualClock clock;
    cachet::KvStore<std::string, std::string, std::hash<std::string>,
                    std::equal_to<std::string>, cachet::ManualClock>
        kv({.max_entries = 10'000,
            .removal_listener =
                [](const std::string& key, const std::string& value, cachet::RemovalCause why) {
                    std::printf("  removed %-12s = %-8s (%s)\n", key.c_str(), value.c_str(),
                                std::string(cachet::to_string(why)).c_str());
                }},
           clock);

    kv.put("session:42", "alice", 30min);  // a session with an idle timeout
    kv.put("config:mode", "fast");         // no TTL
    std::printf("session:42 -> %s, ttl %lld s\n", kv.get("session:42").value_or("?").c_str(),
                static_cast<long long>(kv.ttl("session:42").remaining.count() / 1000));

    cachet::KvStore<std::string, long long> counters;  // counters: atomic read-modify-write
    for (int i = 0; i < 3; ++i) (void)counters.increment("page:home");
    std::printf("page:home views = %lld\n", counters.get("page:home").value_or(0));

    clock.advance(29min);
    std::printf("after 29 min: session:42 %s\n", kv.contains("session:42") ? "alive" : "gone");
    clock.advance(1min);
    std::printf("after 30 min: session:42 %s\n", kv.contains("session:42") ? "alive" : "gone");

    kv.put("config:mode", "safe");  // overwrite: the listener sees the old value
    kv.erase("config:mode");
    const auto st = kv.stats();
    std::printf("hits %llu, misses %llu, expirations %llu, size %zu\n",
                static_cast<unsigned long long>(st.hits),
                static_cast<unsigned long long>(st.misses),
                static_cast<unsigned long long>(st.expirations), kv.size());
}
