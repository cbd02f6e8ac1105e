// libFuzzer target for the RESP command layer: arbitrary bytes (in arbitrary pieces) fed to
// sessions over one Database, as a network adapter would. Any input must leave the process,
// the database and the other session working: no crash, no sanitizer report, and a second
// session still answers PING. Time runs on a manual clock the input advances.
#include <cachet/resp/engine.hpp>
#include <cachet/resp/instantiate.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdlib.h>
#include <string>
#include <string_view>
#include <unistd.h>

// Instantiated in tests/support/resp_engine_instance*.cpp, which the unit tests share.
CACHET_RESP_EXTERN_ENGINE(cachet::ManualClock)

namespace {

using Db = cachet::BasicDatabase<cachet::ManualClock>;
using Engine = cachet::resp::Engine<cachet::ManualClock>;
using Session = cachet::resp::Session<cachet::ManualClock>;

struct World {
    cachet::ManualClock clock;
    Db db{cachet::DatabaseOptions{.databases = 4, .shards = 2}, clock};
    Engine engine{db};
    World() {
        // SAVE and BGSAVE write dir/dbfilename: a directory of the run's own.
        char dir[] = "/tmp/cachet-fuzz-XXXXXX";
        if (::mkdtemp(dir) == nullptr) std::abort();
        cachet::resp::ConfigParam p;
        p.value = dir;
        engine.define_param("dir", p);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World* world = new World;  // one server for the whole run, like a real one
    Session s(world->engine);
    std::string buffer;
    std::size_t pos = 0;
    while (pos < size && !s.closing()) {
        // The first byte of each piece chooses its length (1..64), so splits are explored.
        const std::size_t len = std::min<std::size_t>(size - pos, 1 + data[pos] % 64);
        buffer.append(reinterpret_cast<const char*>(data + pos), len);
        pos += len;
        buffer.erase(0, s.process(buffer));
        if (buffer.size() > (1u << 20)) break;  // the server's query buffer limit
        s.output().clear();
        (void)s.collect_async();
        world->clock.advance(std::chrono::milliseconds(data[pos - 1] % 8));
        if (s.blocked()) s.on_tick(std::chrono::steady_clock::now() + std::chrono::hours(1));
    }
    s.close();
    // Another client is unaffected.
    Session other(world->engine);
    other.process("*1\r\n$4\r\nPING\r\n");
    if (other.output() != "+PONG\r\n") std::abort();
    if (world->db.db(0).size() > 100000) world->db.flush_all();
    return 0;
}
