#ifndef CACHET_TESTS_SUPPORT_TEST_STORE_HPP
#define CACHET_TESTS_SUPPORT_TEST_STORE_HPP

// Shared helpers for store tests: ManualClock-driven store aliases and a removal recorder.

#include <cachet/kv_store.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace test {

using namespace std::chrono_literals;

/// A transparent string hash, so stores can be probed with std::string_view.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

template <class K, class V, class Mutex = std::mutex>
using ManualKv =
    cachet::KvStore<K, V,
                    std::conditional_t<std::is_same_v<K, std::string>, StringHash, std::hash<K>>,
                    std::equal_to<>, cachet::ManualClock, Mutex>;

/// Records every removal notification (thread-safe).
template <class K, class V>
struct Recorder {
    struct Event {
        K key;
        V value;
        cachet::RemovalCause cause;
        friend bool operator==(const Event&, const Event&) = default;
    };
    mutable std::mutex mu;
    std::vector<Event> events;

    auto listener() {
        return [this](const K& k, const V& v, cachet::RemovalCause c) {
            std::lock_guard lock(mu);
            events.push_back({k, v, c});
        };
    }
    std::vector<Event> take() {
        std::lock_guard lock(mu);
        return std::exchange(events, {});
    }
    std::size_t count(cachet::RemovalCause c) const {
        std::lock_guard lock(mu);
        std::size_t n = 0;
        for (auto& e : events) n += e.cause == c;
        return n;
    }
};

}  // namespace test

#endif
