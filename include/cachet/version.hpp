#ifndef CACHET_VERSION_HPP
#define CACHET_VERSION_HPP

// The one version of cachet; CMake's project(VERSION) must agree (tests/version_test.cpp checks).
#define CACHET_VERSION_MAJOR 0
#define CACHET_VERSION_MINOR 1
#define CACHET_VERSION_PATCH 0

#define CACHET_DETAIL_CAT2(a, b, c) v##a##_##b
#define CACHET_DETAIL_CAT(a, b, c) CACHET_DETAIL_CAT2(a, b, c)
/// The inline ABI namespace (`v0_1`): two minor versions in one program fail to link instead of
/// silently breaking the ODR.
#define CACHET_ABI_NAMESPACE \
    CACHET_DETAIL_CAT(CACHET_VERSION_MAJOR, CACHET_VERSION_MINOR, CACHET_VERSION_PATCH)

#define CACHET_NAMESPACE_BEGIN \
    namespace cachet {         \
    inline namespace CACHET_ABI_NAMESPACE {
#define CACHET_NAMESPACE_END \
    }                        \
    }

#endif  // CACHET_VERSION_HPP
