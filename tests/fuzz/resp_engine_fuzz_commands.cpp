// The command layer over a ManualClock for resp_engine_fuzz: the data types' commands.
#include <cachet/resp/instantiate.hpp>

CACHET_RESP_INSTANTIATE_COMMANDS(cachet::ManualClock)
