#ifndef CACHET_EXAMPLES_RESP_SERVER_ENGINE_INSTANCE_HPP
#define CACHET_EXAMPLES_RESP_SERVER_ENGINE_INSTANCE_HPP

// cachet-server and its embedded test share one instantiation of the command layer on the
// steady clock (engine_instance.cpp, the cachet_resp_engine library), instead of compiling
// every command in each of them.
#include <cachet/resp/instantiate.hpp>

CACHET_RESP_EXTERN_ENGINE(cachet::SteadyClock)

#ifdef CACHET_HAVE_LUA
/// EVAL, EVALSHA and SCRIPT on `engine` (engine_instance_scripting.cpp; needs Lua 5.1).
void enable_server_scripting(cachet::resp::Engine<cachet::SteadyClock>& engine);
#endif

#endif  // CACHET_EXAMPLES_RESP_SERVER_ENGINE_INSTANCE_HPP
