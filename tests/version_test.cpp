#include <cachet/version.hpp>

#include <doctest/doctest.h>

#include <string>

#ifndef CACHET_EXPECTED_VERSION
#error "tests/CMakeLists.txt passes CACHET_EXPECTED_VERSION (the CMake project version)"
#endif

#define CACHET_TEST_STR2(x) #x
#define CACHET_TEST_STR(x) CACHET_TEST_STR2(x)

TEST_SUITE("version") {
    TEST_CASE("version.hpp agrees with the CMake project version") {
        const std::string header = CACHET_TEST_STR(CACHET_VERSION_MAJOR) "." CACHET_TEST_STR(
            CACHET_VERSION_MINOR) "." CACHET_TEST_STR(CACHET_VERSION_PATCH);
        CHECK(header == std::string(CACHET_EXPECTED_VERSION));
    }

    TEST_CASE("the ABI namespace is named after major and minor") {
        const std::string expected =
            "v" CACHET_TEST_STR(CACHET_VERSION_MAJOR) "_" CACHET_TEST_STR(CACHET_VERSION_MINOR);
        CHECK(std::string(CACHET_TEST_STR(CACHET_ABI_NAMESPACE)) == expected);
    }
}
