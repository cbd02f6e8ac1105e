// The data types' RESP commands over a ManualClock, compiled apart from the engine
// (resp_engine_instance.cpp) so that two cores share the work (see cachet/resp/instantiate.hpp).
#include <cachet/resp/instantiate.hpp>

CACHET_RESP_INSTANTIATE_COMMANDS(cachet::ManualClock)
