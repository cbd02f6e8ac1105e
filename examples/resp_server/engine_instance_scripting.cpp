// Lua scripting (EVAL, SCRIPT) for cachet-server's engine, compiled only when Lua 5.1 is found
// (the cachet_lua target defines CACHET_HAVE_LUA for cachet-server and its tests).
#include "engine_instance.hpp"

#include <cachet/resp/scripting.hpp>

void enable_server_scripting(cachet::resp::Engine<cachet::SteadyClock>& engine) {
    cachet::resp::enable_scripting(engine);
}
