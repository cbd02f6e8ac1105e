// The one instantiation of the RESP engine and sessions over a ManualClock that every RESP test
// file links against (see support/resp_session.hpp), with a check that it is usable. The data
// types' commands are compiled in resp_instantiation_commands_test.cpp, on the other core.
#include "support/resp_session.hpp"

#include <cachet/resp/instantiate.hpp>

#include <doctest/doctest.h>

CACHET_RESP_INSTANTIATE_ENGINE(cachet::ManualClock)

TEST_SUITE("resp_engine") {
    TEST_CASE("the shared engine instantiation answers commands") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(test::call(*s, {"PING"}) == "+PONG\r\n");
        CHECK(srv.engine.commands().size() > 150);
    }
}
