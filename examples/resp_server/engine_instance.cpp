// The one instantiation of the RESP command layer on the steady clock that cachet-server and
// its tests link (see engine_instance.hpp).
#include "engine_instance.hpp"

template class cachet::resp::Engine<cachet::SteadyClock>;
template class cachet::resp::Session<cachet::SteadyClock>;
