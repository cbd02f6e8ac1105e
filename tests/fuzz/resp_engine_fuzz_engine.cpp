// The command layer over a ManualClock for resp_engine_fuzz: the engine and half the commands.
#include <cachet/resp/instantiate.hpp>

CACHET_RESP_INSTANTIATE_ENGINE(cachet::ManualClock)
