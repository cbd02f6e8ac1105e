#ifndef CACHET_DETAIL_HYPERLOGLOG_HPP
#define CACHET_DETAIL_HYPERLOGLOG_HPP

/// Redis's HyperLogLog (hyperloglog.c), as the bytes of a string value: the "HYLL" header,
/// 16,384 six-bit registers, MurmurHash64A with Redis's seed, and Otmar Ertl's estimator
/// ("New cardinality estimation algorithms for HyperLogLog sketches", 2017) that Redis 5+
/// uses, so PFCOUNT gives Redis's count for the same elements. Both of Redis's encodings are
/// read and written as Redis writes them: a new HyperLogLog is sparse (18 bytes), updated in
/// place by Redis's algorithm (split the run that holds the register, then merge equal
/// neighbours), and promoted to dense (12,304 bytes) when a register exceeds 32 or the sparse
/// form would exceed `hll-sparse-max-bytes` (3,000), so the bytes equal Redis's for the same
/// operations.
///
/// Layout (little-endian): "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, the cached
/// cardinality in 8 bytes (the top bit of the last one set: not valid), then the registers:
/// dense, 6 bits each, packed from the least significant bit; sparse, run-length opcodes
/// (ZERO 00xxxxxx: 1-64 zero registers, XZERO 01xxxxxx yyyyyyyy: 1-16,384, VAL 1vvvvvxx: 1-4
/// registers of value 1-32).

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
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
inline constexpr unsigned sparse_val_max_value = 32, sparse_val_max_len = 4;
inline constexpr std::size_t sparse_zero_max_len = 64, sparse_xzero_max_len = 16384;

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

namespace sparse_op {
[[nodiscard]] inline bool is_zero(unsigned char b) noexcept { return (b & 0xc0u) == 0; }
[[nodiscard]] inline bool is_xzero(unsigned char b) noexcept { return (b & 0xc0u) == 0x40u; }
[[nodiscard]] inline bool is_val(unsigned char b) noexcept { return (b & 0x80u) != 0; }
[[nodiscard]] inline std::size_t zero_len(unsigned char b) noexcept { return (b & 0x3fu) + 1u; }
[[nodiscard]] inline std::size_t xzero_len(unsigned char b0, unsigned char b1) noexcept {
    return ((static_cast<std::size_t>(b0 & 0x3fu) << 8) | b1) + 1u;
}
[[nodiscard]] inline unsigned val_value(unsigned char b) noexcept { return ((b >> 2) & 0x1fu) + 1u; }
[[nodiscard]] inline std::size_t val_len(unsigned char b) noexcept { return (b & 0x3u) + 1u; }
[[nodiscard]] inline char val(unsigned value, std::size_t len) noexcept {
    return static_cast<char>(0x80u | ((value - 1) << 2) | static_cast<unsigned>(len - 1));
}
/// Appends the ZERO or XZERO opcode for `len` zero registers (XZERO above 64).
inline void append_zeros(std::string& out, std::size_t len) {
    if (len > sparse_zero_max_len) {
        out += static_cast<char>(0x40u | ((len - 1) >> 8));
        out += static_cast<char>((len - 1) & 0xffu);
    } else {
        out += static_cast<char>(len - 1);
    }
}
}  // namespace sparse_op

/// Walks the opcodes of sparse `s`: `f(kind, run, value)` for each, kind 'z' (ZERO), 'Z'
/// (XZERO) or 'v' (VAL, with its value; 0 for the others), until `f` returns false. An XZERO
/// cut short by the end is reported with a zero second byte (what Redis reads there, its NUL)
/// and ends the walk. True if every opcode was whole and `f` never stopped it. O(size of `s`).
template <class F>
bool walk_sparse(std::string_view s, F&& f) {
    using namespace sparse_op;
    for (std::size_t at = header_size; at < s.size();) {
        const auto b = static_cast<unsigned char>(s[at]);
        if (is_zero(b)) {
            if (!f('z', zero_len(b), 0u)) return false;
            ++at;
        } else if (is_xzero(b)) {
            const bool whole = at + 1 < s.size();
            if (!f('Z', xzero_len(b, whole ? static_cast<unsigned char>(s[at + 1]) : 0), 0u) || !whole) return false;
            at += 2;
        } else {
            if (!f('v', val_len(b), val_value(b))) return false;
            ++at;
        }
    }
    return true;
}

/// The registers of valid `s` (either encoding); false if a sparse one is corrupt (a run past
/// the last register, an opcode cut short, or fewer than 16,384 registers).
[[nodiscard]] inline bool decode(std::string_view s, Registers& out) noexcept {
    if (static_cast<unsigned char>(s[4]) == enc_dense) {
        for (std::size_t i = 0; i < registers; ++i) out[i] = static_cast<std::uint8_t>(dense_get(s, i));
        return true;
    }
    out.fill(0);
    std::size_t idx = 0;
    const bool whole = walk_sparse(s, [&](char kind, std::size_t run, unsigned value) {
        if (kind != 'v') {
            idx += run;
            return true;
        }
        if (idx + run > registers) return false;
        for (std::size_t k = 0; k < run; ++k) out[idx++] = static_cast<std::uint8_t>(value);
        return true;
    });
    return whole && idx == registers;
}

/// Sets every dense register of `s` (a dense value's size) from `regs`.
inline void fill_dense(std::string& s, const Registers& regs) noexcept {
    for (std::size_t i = 0; i < registers; ++i) dense_set(s, i, regs[i]);
}

/// Writes `regs` into `s` as a dense HyperLogLog, with its cached cardinality marked stale.
inline void encode_dense(std::string& s, const Registers& regs) {
    if (s.size() != dense_size || s.substr(0, 4) != "HYLL") s = make_dense();
    s[4] = static_cast<char>(enc_dense);
    fill_dense(s, regs);
    invalidate_cache(s);
}

/// Stores `n` as the cached cardinality (valid).
inline void store_cache(std::string& s, std::uint64_t n) noexcept {
    for (std::size_t i = 0; i < 8; ++i) s[8 + i] = static_cast<char>((n >> (8 * i)) & 0xffu);
}

/// The cached cardinality, if valid.
[[nodiscard]] inline std::optional<std::uint64_t> cached(std::string_view s) noexcept {
    if (static_cast<unsigned char>(s[15]) & 0x80u) return std::nullopt;
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[8 + static_cast<std::size_t>(i)]);
    return v;
}

// ------------------------------------------------------------------ sparse encoding


/// An empty sparse HyperLogLog, as Redis creates one (createHLLObject): the header with a
/// valid cached count of 0 and one XZERO opcode for all 16,384 registers. 18 bytes.
[[nodiscard]] inline std::string make_sparse() {
    std::string s(header_size, '\0');
    std::memcpy(s.data(), "HYLL", 4);
    s[4] = static_cast<char>(enc_sparse);
    for (std::size_t left = registers; left;) {
        const std::size_t n = std::min(left, sparse_xzero_max_len);
        sparse_op::append_zeros(s, n);
        left -= n;
    }
    return s;
}

/// Turns valid sparse `s` into the dense encoding, keeping the header's magic and cached count
/// (hllSparseToDense); a dense `s` is left alone. False if the sparse form is corrupt (then `s`
/// is unchanged). O(registers).
[[nodiscard]] inline bool to_dense(std::string& s) {
    if (static_cast<unsigned char>(s[4]) == enc_dense) return true;
    auto regs = std::make_unique<Registers>();
    if (!decode(s, *regs)) return false;
    std::string dense(dense_size, '\0');
    std::memcpy(dense.data(), s.data(), header_size);
    dense[4] = static_cast<char>(enc_dense);
    fill_dense(dense, *regs);
    s = std::move(dense);
    return true;
}

/// Raises register `index` of valid sparse `s` to `count` if it is lower (hllSparseSet): the
/// opcode covering it is split (a run of zeros into ZERO/XZERO - VAL - ZERO/XZERO, a VAL run
/// into up to three VALs), then equal VAL neighbours within five opcodes of it are merged. `s`
/// is promoted to dense first when `count` exceeds 32 or the split would make it longer than
/// `max_bytes`. 1 if the register changed (the cached count is then marked stale), 0 if not,
/// -1 if `s` is corrupt. O(size of `s`).
[[nodiscard]] inline int sparse_set(std::string& s, std::size_t index, unsigned count, std::size_t max_bytes) {
    using namespace sparse_op;
    const auto at = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto promote = [&]() -> int {
        if (!to_dense(s)) return -1;
        dense_set(s, index, count);  // count is above every sparse register
        invalidate_cache(s);
        return 1;
    };
    if (count > sparse_val_max_value) return promote();

    // Step 1: find the opcode covering the register.
    std::size_t at_op = header_size, end = s.size(), first = 0, span = 0;
    std::optional<std::size_t> prev;
    while (at_op < end) {
        std::size_t oplen = 1;
        if (is_zero(at(at_op))) {
            span = zero_len(at(at_op));
        } else if (is_val(at(at_op))) {
            span = val_len(at(at_op));
        } else {
            if (at_op + 1 >= end) return -1;
            span = xzero_len(at(at_op), at(at_op + 1));
            oplen = 2;
        }
        if (index <= first + span - 1) break;
        prev = at_op;
        at_op += oplen;
        first += span;
    }
    if (span == 0 || at_op >= end) return -1;

    const unsigned char code = at(at_op);
    bool done = false;
    if (is_val(code)) {
        if (val_value(code) >= count) return 0;  // nothing to raise
        if (val_len(code) == 1) {
            s[at_op] = val(count, 1);
            done = true;
        }
    } else if (is_zero(code) && zero_len(code) == 1) {
        s[at_op] = val(count, 1);
        done = true;
    }
    if (!done) {
        // Step 2: the general case, the opcode split in up to three.
        const std::size_t last = first + span - 1;
        std::string seq;
        if (!is_val(code)) {
            if (index != first) append_zeros(seq, index - first);
            seq += val(count, 1);
            if (index != last) append_zeros(seq, last - index);
        } else {
            const unsigned cur = val_value(code);
            if (index != first) seq += val(cur, index - first);
            seq += val(count, 1);
            if (index != last) seq += val(cur, last - index);
        }
        const std::size_t oldlen = is_xzero(code) ? 2 : 1;
        if (seq.size() > oldlen && s.size() + (seq.size() - oldlen) > max_bytes) return promote();
        s.replace(at_op, oldlen, seq);
        end = s.size();
    }

    // Step 3: merge adjacent VAL opcodes of one value, from the opcode before the change.
    std::size_t mp = prev.value_or(header_size);
    for (int scan = 5; mp < end && scan-- > 0;) {
        if (is_xzero(at(mp))) {
            mp += 2;
            continue;
        }
        if (is_zero(at(mp))) {
            ++mp;
            continue;
        }
        if (mp + 1 < end && is_val(at(mp + 1)) && val_value(at(mp)) == val_value(at(mp + 1))) {
            const std::size_t len = val_len(at(mp)) + val_len(at(mp + 1));
            if (len <= sparse_val_max_len) {
                s[mp + 1] = val(val_value(at(mp)), len);
                s.erase(mp, 1);
                --end;
                continue;  // try the merged run with its right neighbour too
            }
        }
        ++mp;
    }
    invalidate_cache(s);
    return 1;
}

/// Raises register `index` of valid `s` (either encoding) to `count` if it is lower: 1 if it
/// changed, 0 if not, -1 if a sparse `s` is corrupt. A sparse `s` may become dense (see
/// `sparse_set`).
[[nodiscard]] inline int set(std::string& s, std::size_t index, unsigned count, std::size_t sparse_max_bytes) {
    if (static_cast<unsigned char>(s[4]) == enc_sparse) return sparse_set(s, index, count, sparse_max_bytes);
    if (dense_get(s, index) >= count) return 0;
    dense_set(s, index, count);
    invalidate_cache(s);
    return 1;
}

/// Redis's PFDEBUG DECODE text of sparse `s`: "z:<n>", "Z:<n>" and "v:<value>,<n>" for each
/// opcode, space-separated.
[[nodiscard]] inline std::string describe_sparse(std::string_view s) {
    std::string out;
    (void)walk_sparse(s, [&out](char kind, std::size_t run, unsigned value) {
        if (!out.empty()) out += ' ';
        out += kind;
        out += ':';
        if (kind == 'v') out += std::to_string(value) + ",";
        out += std::to_string(run);
        return true;
    });
    return out;
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

/// Redis's PFSELFTEST: "" if it passes, else the TESTFAILED error text. (1) 1,000 rounds of
/// random values in every dense register read back unchanged; (2) 10 million distinct
/// elements added to a dense and a sparse sketch: at each power of ten the two counts agree,
/// the sparse one is still sparse while the count is below `sparse_max_bytes` / 2, and the
/// error is within six standard errors (1 at 10). O(seconds).
[[nodiscard]] inline std::string self_test(std::size_t sparse_max_bytes) {
    std::mt19937_64 rng(std::random_device{}());
    std::string dense = make_dense();
    auto expect = std::make_unique<Registers>();
    for (int round = 0; round < 1000; ++round) {
        for (std::size_t i = 0; i < registers; ++i) {
            (*expect)[i] = static_cast<std::uint8_t>(rng() & register_max);
            dense_set(dense, i, (*expect)[i]);
        }
        for (std::size_t i = 0; i < registers; ++i) {
            const unsigned got = dense_get(dense, i);
            if (got != (*expect)[i])
                return "TESTFAILED Register " + std::to_string(i) + " should be " +
                       std::to_string((*expect)[i]) + " but is " + std::to_string(got);
        }
    }
    dense = make_dense();
    std::string sparse = make_sparse();
    auto count_of = [&expect](const std::string& s) {
        (void)decode(s, *expect);
        return count(*expect);
    };
    const double relerr = 1.04 / std::sqrt(static_cast<double>(registers));
    const std::uint64_t seed = rng();
    std::uint64_t checkpoint = 1;
    for (std::uint64_t j = 1; j <= 10'000'000; ++j) {
        const std::uint64_t ele = j ^ seed;
        char bytes[8];
        std::memcpy(bytes, &ele, 8);
        const auto [index, run] = pattern(std::string_view(bytes, 8));
        (void)set(dense, index, run, sparse_max_bytes);
        if (set(sparse, index, run, sparse_max_bytes) < 0) return "TESTFAILED sparse encoding corrupted";
        if (j != checkpoint) continue;
        if (j < sparse_max_bytes / 2 && static_cast<unsigned char>(sparse[4]) != enc_sparse)
            return "TESTFAILED sparse encoding not used";
        const std::uint64_t n = count_of(dense);
        if (n != count_of(sparse)) return "TESTFAILED dense/sparse disagree";
        const auto abserr = static_cast<std::uint64_t>(std::llabs(static_cast<long long>(checkpoint) - static_cast<long long>(n)));
        const auto maxerr = j == 10 ? std::uint64_t{1} : static_cast<std::uint64_t>(std::ceil(relerr * 6 * static_cast<double>(checkpoint)));
        if (abserr > maxerr)
            return "TESTFAILED Too big error. card:" + std::to_string(checkpoint) + " abserr:" + std::to_string(abserr);
        checkpoint *= 10;
    }
    return {};
}

}  // namespace detail::hll
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_HYPERLOGLOG_HPP
