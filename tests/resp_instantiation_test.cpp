// The one instantiation of the RESP engine and sessions over a ManualClock that every RESP test
// file links against (see support/resp_session.hpp), with a check that it is usable.
#include "support/resp_session.hpp"

#include <doctest/doctest.h>

template class cachet::resp::Engine<cachet::ManualClock>;
template class cachet::resp::Session<cachet::ManualClock>;

TEST_SUITE("resp_engine") {
    TEST_CASE("the shared engine instantiation answers commands") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(test::call(*s, {"PING"}) == "+PONG\r\n");
        CHECK(srv.engine.commands().size() > 150);
    }
}
