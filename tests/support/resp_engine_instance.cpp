// The one instantiation of the RESP engine and sessions over a ManualClock in a build tree:
// every RESP test file links against it (see resp_session.hpp), and so do the fuzzers when the
// tree builds them (tests/fuzz). The data types' commands are compiled in
// resp_engine_instance_commands.cpp, on the other core (see cachet/resp/instantiate.hpp).
#include <cachet/resp/instantiate.hpp>

CACHET_RESP_INSTANTIATE_ENGINE(cachet::ManualClock)
