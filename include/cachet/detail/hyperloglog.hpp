#ifndef CACHET_DETAIL_HYPERLOGLOG_HPP
#define CACHET_DETAIL_HYPERLOGLOG_HPP

/// Redis's HyperLogLog (hyperloglog.c), as the bytes of a string value: the "HYLL" header,
/// 16,384 six-bit registers, MurmurHash64A with Redis's seed, and Otmar Ertl's estimator
/// ("New cardinality estimation algorithms for HyperLogLog sketches", 2017) that Redis 5+
/// uses, so PFCOUNT gives Redis's count for the same elements. Both of Redis's encodings are
/// read (a value copied from Redis with GET/SET works); cachet writes the dense one only, so
/// the bytes of a small HyperLogLog differ from Redis's sparse ones (STRLEN: 12,304).
///
/// Layout (little-endian): "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, the cached
/// cardinality in 8 bytes (the top bit of the last one set: not valid), then the registers:
/// dense, 6 bits each, packed from the least significant bit; sparse, run-length opcodes
/// (ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx).

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

CACHET_NAMESPACE_BEGIN
namespace detail::hll {

inline constexpr int p = 14;                            ///< index bits
inline constexpr std::size_t registers = std::size_t{1} << p;
inline constexpr int q = 64 - p;                        ///< bits of the hash counted
inline constexpr int bits = 6;
inline constexpr unsigned register_max = (1u << bits) - 1;
inline constexpr std::size_t header_size = 16;
inline constexpr std::size_t dense_size = header_size + (registers * bits + 7) / 8;  // 12304
inline constexpr unsigned char enc_dense = 0, enc_sparse = 1;

using Registers = std::array<std::uint8_t, registers>;

/// Austin Appleby's MurmurHash64A as Redis has it (little-endian reads).
[[nodiscard]] inline std::uint64_t murmur64a(std::string_view key, std::uint64_t seed) noexcept {
    constexpr std::uint64_t m = 0xc6a4a7935bd1e995ULL;
    constexpr int r = 47;
    const std::size_t len = key.size();
    std::uint64_t h = seed ^ (static_cast<std::uint64_t>(len) * m);
    const auto* data = reinterpret_cast<const unsigned char*>(key.data());
    const unsigned char* end = data + (len - (len & 7));
    for (; data != end; data += 8) {
        std::uint64_t k = 0;
        for (int i = 7; i >= 0; --i) k = (k << 8) | data[i];
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    switch (len & 7) {
        case 7: h ^= static_cast<std::uint64_t>(data[6]) << 48; [[fallthrough]];
        case 6: h ^= static_cast<std::uint64_t>(data[5]) << 40; [[fallthrough]];
        case 5: h ^= static_cast<std::uint64_t>(data[4]) << 32; [[fallthrough]];
        case 4: h ^= static_cast<std::uint64_t>(data[3]) << 24; [[fallthrough]];
        case 3: h ^= static_cast<std::uint64_t>(data[2]) << 16; [[fallthrough]];
        case 2: h ^= static_cast<std::uint64_t>(data[1]) << 8; [[fallthrough]];
        case 1:
            h ^= static_cast<std::uint64_t>(data[0]);
            h *= m;
            break;
        default: break;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

/// The register an element goes to and the length of its run of zeros plus one (hllPatLen).
[[nodiscard]] inline std::pair<std::size_t, unsigned> pattern(std::string_view element) noexcept {
    std::uint64_t hash = murmur64a(element, 0xadc83b19ULL);
    const auto index = static_cast<std::size_t>(hash & (registers - 1));
    hash >>= p;
    hash |= std::uint64_t{1} << q;  // the loop stops, and the count is at most q + 1
    unsigned count = 1;
    for (std::uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) ++count;
    return {index, count};
}

/// Whether `s` passes Redis's isHLLObjectOrReply: long enough, the magic, a known encoding,
/// and the exact size for a dense one.
[[nodiscard]] inline bool valid(std::string_view s) noexcept {
    if (s.size() < header_size || s.substr(0, 4) != "HYLL") return false;
    const auto enc = static_cast<unsigned char>(s[4]);
    if (enc > enc_sparse) return false;
    return enc != enc_dense || s.size() == dense_size;
}

/// An empty dense HyperLogLog (cached cardinality 0, valid).
[[nodiscard]] inline std::string make_dense() {
    std::string s(dense_size, '\0');
    std::memcpy(s.data(), "HYLL", 4);
    s[4] = static_cast<char>(enc_dense);
    return s;
}

/// Register `i` of dense `s` (HLL_DENSE_GET_REGISTER). O(1).
[[nodiscard]] inline unsigned dense_get(std::string_view s, std::size_t i) noexcept {
    const auto* r = reinterpret_cast<const unsigned char*>(s.data()) + header_size;
    const std::size_t bit = i * bits, byte = bit / 8, fb = bit & 7;
    unsigned v = static_cast<unsigned>(r[byte]) >> fb;
    if (fb > 8 - bits) v |= static_cast<unsigned>(r[byte + 1]) << (8 - fb);
    return v & register_max;
}
/// Sets register `i` of dense `s` to `v` (HLL_DENSE_SET_REGISTER). O(1).
inline void dense_set(std::string& s, std::size_t i, unsigned v) noexcept {
    auto* r = reinterpret_cast<unsigned char*>(s.data()) + header_size;
    const std::size_t bit = i * bits, byte = bit / 8, fb = bit & 7;
    r[byte] = static_cast<unsigned char>((r[byte] & ~(register_max << fb)) | (v << fb));
    if (fb > 8 - bits)
        r[byte + 1] = static_cast<unsigned char>((r[byte + 1] & ~(register_max >> (8 - fb))) | (v >> (8 - fb)));
}
/// Marks the cached cardinality stale (after a register changed).
inline void invalidate_cache(std::string& s) noexcept {
    s[15] = static_cast<char>(static_cast<unsigned char>(s[15]) | 0x80u);
}

/// The registers of valid `s` (either encoding); false if a sparse one is corrupt.
[[nodiscard]] inline bool decode(std::string_view s, Registers& out) noexcept {
    const auto* r = reinterpret_cast<const unsigned char*>(s.data()) + header_size;
    if (static_cast<unsigned char>(s[4]) == enc_dense) {
        for (std::size_t i = 0; i < registers; ++i) out[i] = static_cast<std::uint8_t>(dense_get(s, i));
        return true;
    }
    out.fill(0);
    const unsigned char* end = reinterpret_cast<const unsigned char*>(s.data()) + s.size();
    std::size_t idx = 0;
    while (r < end) {
        if ((*r & 0xc0) == 0) {  // ZERO
            idx += (*r & 0x3fu) + 1;
            ++r;
        } else if ((*r & 0xc0) == 0x40) {  // XZERO
            if (r + 1 >= end) return false;
            idx += ((static_cast<std::size_t>(*r & 0x3f) << 8) | r[1]) + 1;
            r += 2;
        } else {  // VAL
            const std::size_t run = (*r & 0x3u) + 1;
            const auto val = static_cast<std::uint8_t>(((*r >> 2) & 0x1f) + 1);
            if (idx + run > registers) return false;
            for (std::size_t k = 0; k < run; ++k, ++idx) out[idx] = std::max(out[idx], val);
            ++r;
        }
    }
    return idx == registers;
}

/// Writes `regs` into `s` as a dense HyperLogLog, with its cached cardinality marked stale.
inline void encode_dense(std::string& s, const Registers& regs) {
    if (s.size() != dense_size || s.substr(0, 4) != "HYLL") s = make_dense();
    s[4] = static_cast<char>(enc_dense);
    for (std::size_t i = 0; i < registers; ++i) dense_set(s, i, regs[i]);
    invalidate_cache(s);
}

/// The cached cardinality, if valid.
[[nodiscard]] inline std::optional<std::uint64_t> cached(std::string_view s) noexcept {
    if (static_cast<unsigned char>(s[15]) & 0x80u) return std::nullopt;
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[8 + static_cast<std::size_t>(i)]);
    return v;
}

inline double tau(double x) noexcept {
    if (x == 0.0 || x == 1.0) return 0.0;
    double y = 1.0, z = 1 - x, z_prev;
    do {
        x = std::sqrt(x);
        z_prev = z;
        y *= 0.5;
        z -= std::pow(1 - x, 2) * y;
    } while (z_prev != z);
    return z / 3;
}
inline double sigma(double x) noexcept {
    if (x == 1.0) return INFINITY;
    double y = 1, z = x, z_prev;
    do {
        x *= x;
        z_prev = z;
        z += x * y;
        y += y;
    } while (z_prev != z);
    return z;
}

/// The estimated cardinality of `regs` (hllCount).
[[nodiscard]] inline std::uint64_t count(const Registers& regs) noexcept {
    constexpr double m = static_cast<double>(registers);
    constexpr double alpha_inf = 0.721347520444481703680;  // 1 / (2 ln 2)
    std::array<int, 64> histo{};
    for (std::uint8_t v : regs) ++histo[v];
    double z = m * tau((m - histo[q + 1]) / m);
    for (int j = q; j >= 1; --j) {
        z += histo[static_cast<std::size_t>(j)];
        z *= 0.5;
    }
    z += m * sigma(histo[0] / m);
    return static_cast<std::uint64_t>(std::llroundl(alpha_inf * m * m / z));
}

}  // namespace detail::hll
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_HYPERLOGLOG_HPP
