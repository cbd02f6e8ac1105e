#include <cachet/result.hpp>

#include <doctest/doctest.h>

#include <string>

namespace result_test {

TEST_SUITE("result") {
    TEST_CASE("Result holds a value or an error, and says which") {
        cachet::Result<int> ok = 5;
        CHECK(ok.has_value());
        CHECK(static_cast<bool>(ok));
        CHECK(*ok == 5);
        CHECK(ok.value() == 5);
        cachet::Result<int> bad = cachet::Errc::overflow;
        CHECK_FALSE(bad.has_value());
        CHECK(bad.error() == cachet::Errc::overflow);
        CHECK(bad.value_or(7) == 7);
        try {
            (void)bad.value();
            FAIL("value() on an error must throw");
        } catch (const cachet::BadResultAccess& e) {
            CHECK(e.error() == cachet::Errc::overflow);
            CHECK(std::string(e.what()).find("overflow") != std::string::npos);
        }
        CHECK(cachet::to_string(cachet::Errc::too_heavy).find("heavier") != std::string::npos);
    }
}

}  // namespace result_test
