// User sessions with an idle timeout: each request slides the session's expiry forward, logout
// deletes it, and a session left alone expires by itself. A KvStore with TTLs is the whole
// implementation (Redis: SET session:<id> ... EX 900, EXPIRE on each request, DEL on logout).
// A ManualClock makes the 40 minutes below pass instantly; a real program uses the default
// steady clock.
#include <cachet/kv_store.hpp>

#include <chrono>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

namespace {

struct Session {
    std::string user;
    int requests = 0;
};

using Sessions = cachet::KvStore<std::string, Session, std::hash<std::string>,
                                 std::equal_to<std::string>, cachet::ManualClock>;

constexpr auto idle_timeout = 15min;

/// Serves one request: the session must exist; its idle timer starts again. The check, the
/// counter and the new TTL are one atomic step under the key's shard lock.
bool handle_request(Sessions& sessions, const std::string& token) {
    return sessions.update(token, [](auto& slot) {
        if (!slot.exists()) return false;
        ++slot.value().requests;
        slot.set_ttl(idle_timeout);
        return true;
    });
}

}  // namespace

int main() {
    cachet::ManualClock clock;
    auto minutes = [&] {
        return std::chrono::duration_cast<std::chrono::minutes>(clock.now().time_since_epoch())
            .count();
    };
    Sessions sessions(
        {.max_entries = 100'000,  // bounded: the oldest sessions go first
         .removal_listener =
             [&](const std::string& token, const Session& s, cachet::RemovalCause why) {
                 std::printf(
                     "[t=%2lld min]   session %s of %s ended: %s after %d "
                     "requests\n",
                     static_cast<long long>(minutes()), token.c_str(), s.user.c_str(),
                     cachet::to_string(why).data(), s.requests);
             }},
        clock);
    auto request = [&](const char* token) {
        const bool ok = handle_request(sessions, token);
        std::printf("[t=%2lld min] request with %s: %s\n", static_cast<long long>(minutes()), token,
                    ok ? "ok, idle timer reset to 15 min" : "401, please log in");
    };

    // Login: a new session with the idle timeout.
    sessions.put("tok-alice", Session{"alice"}, idle_timeout);
    sessions.put("tok-bob", Session{"bob"}, idle_timeout);
    std::printf("[t= 0 min] alice and bob log in (idle timeout 15 min)\n");

    clock.advance(10min);
    request("tok-alice");  // alice keeps working: her session slides to t = 25
    clock.advance(10min);  // t = 20: bob has been idle for 20 minutes
    request("tok-bob");
    request("tok-alice");  // alice's session slides to t = 35

    clock.advance(5min);
    std::printf("[t=%2lld min] alice's session has %lld s left\n",
                static_cast<long long>(minutes()),
                static_cast<long long>(sessions.ttl("tok-alice").remaining.count() / 1000));
    sessions.erase("tok-alice");  // logout
    std::printf("[t=%2lld min] alice logged out\n", static_cast<long long>(minutes()));
    request("tok-alice");

    const auto st = sessions.stats();
    std::printf("sessions open: %zu, expired: %llu, logged out: %llu\n", sessions.size(),
                static_cast<unsigned long long>(st.expirations),
                static_cast<unsigned long long>(st.erasures));
    return sessions.empty() && st.expirations == 1 && st.erasures == 1 ? 0 : 1;
}
