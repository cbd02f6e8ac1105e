#ifndef CACHET_DETAIL_HASH_HPP
#define CACHET_DETAIL_HASH_HPP

/// Hash post-processing. `std::hash` of an integer is the identity in libstdc++, which would put
/// keys that differ only in high bits into one shard and one probe run; every hash is therefore
/// run through a 64-bit finaliser (Murmur3's fmix64, ~1 ns) before its bits are split into a
/// shard index (the top bits) and a table position (the low 32 bits).

#include <cachet/detail/config.hpp>

#include <cstdint>
#include <type_traits>

CACHET_NAMESPACE_BEGIN
namespace detail {

[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/// True if `H` and `E` declare `is_transparent`, enabling lookup by any type they accept
/// (e.g. `std::string_view` for `std::string` keys) without building a key.
template <class H, class E>
inline constexpr bool is_transparent_v =
    requires { typename H::is_transparent; } && requires { typename E::is_transparent; };

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_HASH_HPP
