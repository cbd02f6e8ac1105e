#ifndef CACHET_DETAIL_CONFIG_HPP
#define CACHET_DETAIL_CONFIG_HPP

// Every cachet macro lives here (and the version macros in version.hpp).
#include <cachet/version.hpp>

#include <cstddef>

#if defined(__GNUC__) || defined(__clang__)
#define CACHET_LIKELY(x) __builtin_expect(!!(x), 1)
#define CACHET_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CACHET_NOINLINE __attribute__((noinline))
#define CACHET_PREFETCH(p) __builtin_prefetch(p)
#else
#define CACHET_LIKELY(x) (x)
#define CACHET_UNLIKELY(x) (x)
#define CACHET_NOINLINE
#define CACHET_PREFETCH(p) ((void)(p))
#endif

CACHET_NAMESPACE_BEGIN
namespace detail {
/// Size of a cache line, used to keep per-shard state from sharing lines across threads.
inline constexpr std::size_t cache_line = 64;
}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_CONFIG_HPP
