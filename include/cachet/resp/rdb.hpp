#ifndef CACHET_RESP_RDB_HPP
#define CACHET_RESP_RDB_HPP

/// Redis's RDB format, written: what SAVE and BGSAVE store, what a replica loads when it
/// synchronises (SYNC/PSYNC) and what `redis-cli --rdb` fetches, so that a real redis-server
/// loads cachet's data, and DUMP's payload. cachet writes RDB version 9 with the plain
/// encodings every Redis since 4.0 loads (and converts to its compact ones on load): strings as
/// length-prefixed bytes, lists as RDB_TYPE_LIST, sets as RDB_TYPE_SET, hashes as
/// RDB_TYPE_HASH, sorted sets as RDB_TYPE_ZSET_2 (binary doubles); expiry times in ms; the
/// checksum is Redis's CRC-64 (Jones polynomial, reflected, as redis/src/crc64.c).
///
/// Format reference: https://rdb.fnordig.de/file_format.html and Redis's rdb.h / rdb.c.

#include <cachet/database.hpp>
#include <cachet/detail/config.hpp>
#include <cachet/timer_wheel.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace rdb {

inline constexpr int version = 9;  ///< written in the header and in DUMP payloads

// Value types and opcodes (rdb.h).
inline constexpr std::uint8_t type_string = 0, type_list = 1, type_set = 2, type_zset = 3,
                              type_hash = 4, type_zset_2 = 5;
inline constexpr std::uint8_t op_aux = 250, op_resizedb = 251, op_expiretime_ms = 252,
                              op_selectdb = 254, op_eof = 255;

namespace detail {
/// The byte-at-a-time table of CRC-64/Jones, reflected (polynomial 0xad93d23594c935a9).
constexpr std::array<std::uint64_t, 256> crc64_table() {
    constexpr std::uint64_t reflected_poly = 0x95ac9329ac4bc9b5ULL;
    std::array<std::uint64_t, 256> t{};
    for (std::uint64_t i = 0; i < 256; ++i) {
        std::uint64_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ reflected_poly : c >> 1;
        t[i] = c;
    }
    return t;
}
inline constexpr std::array<std::uint64_t, 256> crc64_lookup = crc64_table();
}  // namespace detail

/// Redis's crc64(crc, data): crc64(0, "123456789") == 0xe9c6d914c4b8d9ca. O(n).
[[nodiscard]] inline std::uint64_t crc64(std::uint64_t crc, std::string_view data) noexcept {
    for (unsigned char b : data) crc = detail::crc64_lookup[(crc ^ b) & 0xff] ^ (crc >> 8);
    return crc;
}

/// Appends RDB elements to a string.
class Writer {
public:
    explicit Writer(std::string& out) noexcept : m_out(out) {}

    /// Redis's length encoding: 6 bits, 14 bits, or a marker and 32 / 64 bits big-endian.
    void length(std::uint64_t n) {
        if (n < (1u << 6)) {
            m_out += static_cast<char>(n);
        } else if (n < (1u << 14)) {
            m_out += static_cast<char>(((n >> 8) & 0x3f) | 0x40);
            m_out += static_cast<char>(n & 0xff);
        } else if (n <= 0xffffffffULL) {
            m_out += static_cast<char>(0x80);
            for (int s = 24; s >= 0; s -= 8) m_out += static_cast<char>((n >> s) & 0xff);
        } else {
            m_out += static_cast<char>(0x81);
            for (int s = 56; s >= 0; s -= 8) m_out += static_cast<char>((n >> s) & 0xff);
        }
    }
    void string(std::string_view s) {
        length(s.size());
        m_out.append(s);
    }
    void byte(std::uint8_t b) { m_out += static_cast<char>(b); }
    void u64_le(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) m_out += static_cast<char>((v >> (8 * i)) & 0xff);
    }
    void binary_double(double d) {
        std::uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        u64_le(bits);
    }

    void header() { m_out += "REDIS000" + std::to_string(version); }
    void aux(std::string_view key, std::string_view value) {
        byte(op_aux);
        string(key);
        string(value);
    }
    void select_db(std::uint64_t db, std::uint64_t keys, std::uint64_t expires) {
        byte(op_selectdb);
        length(db);
        byte(op_resizedb);
        length(keys);
        length(expires);
    }
    void expire_ms(long long unix_ms) {
        byte(op_expiretime_ms);
        u64_le(static_cast<std::uint64_t>(unix_ms));
    }

    /// The type byte of `v` as this writer encodes it.
    [[nodiscard]] static std::uint8_t type_of(const Value& v) noexcept {
        switch (v.type()) {
            case ValueType::string: return type_string;
            case ValueType::list: return type_list;
            case ValueType::set: return type_set;
            case ValueType::hash: return type_hash;
            case ValueType::zset: return type_zset_2;
        }
        return type_string;
    }
    /// The value's body (without its type byte).
    void value(const Value& v) {
        switch (v.type()) {
            case ValueType::string: string(*v.get_if<std::string>()); return;
            case ValueType::list: {
                const RedisList& l = *v.get_if<RedisList>();
                length(l.size());
                for (const auto& e : l) string(e);
                return;
            }
            case ValueType::set: {
                const RedisSet& s = *v.get_if<RedisSet>();
                length(s.size());
                s.for_each([&](const std::string& m) { string(m); });
                return;
            }
            case ValueType::hash: {
                const RedisHash& h = *v.get_if<RedisHash>();
                length(h.size());
                h.for_each([&](const std::string& f, const std::string& val) {
                    string(f);
                    string(val);
                });
                return;
            }
            case ValueType::zset: {
                const RedisZSet& z = *v.get_if<RedisZSet>();
                length(z.size());
                for (const auto& [member, score] : z) {
                    string(member);
                    binary_double(score);
                }
                return;
            }
        }
    }
    /// A key-value pair, preceded by its expiry time if it has one.
    void entry(std::string_view key, const Value& v, std::optional<long long> expire_unix_ms) {
        if (expire_unix_ms) expire_ms(*expire_unix_ms);
        byte(type_of(v));
        string(key);
        value(v);
    }
    /// The end marker and the checksum of everything before it (appended at `start` on).
    void finish(std::size_t start = 0) {
        byte(op_eof);
        u64_le(crc64(0, std::string_view(m_out).substr(start)));
    }

private:
    std::string& m_out;
};

/// The whole database as an RDB file. Each database is read shard by shard; call it under
/// `db.exclusive` for one instant across all of them. `aux`: extra aux fields (name, value).
template <Clock C>
[[nodiscard]] std::string snapshot(BasicDatabase<C>& db,
                                   std::initializer_list<std::pair<std::string_view, std::string>> aux = {}) {
    std::string out;
    Writer w(out);
    w.header();
    w.aux("redis-ver", "7.0.15");
    w.aux("redis-bits", std::to_string(sizeof(void*) * 8));
    w.aux("ctime", std::to_string(db.unix_ms() / 1000));
    w.aux("used-mem", std::to_string(db.used_memory()));
    for (const auto& [k, v] : aux) w.aux(k, v);
    w.aux("aof-base", "0");
    for (std::size_t i = 0; i < db.databases(); ++i) {
        auto& d = db.db(i);
        if (d.size() == 0) continue;
        w.select_db(i, d.size(), d.keys_with_ttl());
        d.for_each([&](std::string_view key, const Value& v, std::uint64_t deadline) {
            w.entry(key, v,
                    deadline == no_deadline ? std::nullopt
                                            : std::optional<long long>(db.unix_from_deadline(deadline)));
        });
    }
    w.finish();
    return out;
}

/// DUMP's payload for `v`: the type byte and the value as in an RDB file, then the RDB
/// version (2 bytes, little-endian) and the CRC-64 of all that (8 bytes, little-endian).
[[nodiscard]] inline std::string dump_payload(const Value& v) {
    std::string out;
    Writer w(out);
    w.byte(Writer::type_of(v));
    w.value(v);
    w.byte(version & 0xff);
    w.byte((version >> 8) & 0xff);
    w.u64_le(crc64(0, out));
    return out;
}

}  // namespace rdb
}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_RDB_HPP
