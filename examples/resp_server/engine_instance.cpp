// The one instantiation of the RESP command layer on the steady clock that cachet-server and
// its tests link (see engine_instance.hpp); the data types' commands are in
// engine_instance_commands.cpp, so that two cores share the work.
#include "engine_instance.hpp"

#include <cachet/resp/instantiate.hpp>

CACHET_RESP_INSTANTIATE_ENGINE(cachet::SteadyClock)
