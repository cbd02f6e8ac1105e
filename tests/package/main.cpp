// Consumer of cachet through find_package() (tests/package) and add_subdirectory() (tests/subdir).
#include <cachet/cachet.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#define CACHET_CONSUMER_STR2(x) #x
#define CACHET_CONSUMER_STR(x) CACHET_CONSUMER_STR2(x)

int main() {
    using namespace std::chrono_literals;
    const char* version = CACHET_CONSUMER_STR(CACHET_VERSION_MAJOR) "." CACHET_CONSUMER_STR(
        CACHET_VERSION_MINOR) "." CACHET_CONSUMER_STR(CACHET_VERSION_PATCH);
    std::printf("cachet %s\n", version);
#ifdef CACHET_EXPECTED_VERSION
    if (std::strcmp(version, CACHET_EXPECTED_VERSION) != 0) {
        std::printf("version.hpp says %s, the CMake package says %s\n", version,
                    CACHET_EXPECTED_VERSION);
        return 1;
    }
#endif

    cachet::ManualClock clock;
    const cachet::ManualClock view = clock;  // copies share one time
    clock.advance(1500ms);
    const cachet::Result<std::uint64_t> ms = cachet::detail::ms_since_epoch(view);
    if (!ms.has_value() || *ms != 1500) {
        std::printf("unexpected clock reading\n");
        return 1;
    }
    std::printf("ManualClock advanced to %llu ms\n", static_cast<unsigned long long>(*ms));

    // A KvStore with a TTL on the manual clock: present, then expired.
    cachet::KvStore<std::string, int, std::hash<std::string>, std::equal_to<std::string>,
                    cachet::ManualClock>
        kv({}, clock);
    kv.put("k", 7, 2s);
    if (kv.get("k") != 7) return 1;
    clock.advance(2s);
    if (kv.contains("k")) return 1;
    std::printf("KvStore TTL expired as expected\n");
    return 0;
}
