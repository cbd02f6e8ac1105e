// The data types' RESP commands on the steady clock, for cachet-server (see engine_instance.cpp).
#include <cachet/resp/instantiate.hpp>

CACHET_RESP_INSTANTIATE_COMMANDS(cachet::SteadyClock)
