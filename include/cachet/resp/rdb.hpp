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
#include <cachet/detail/redis_number.hpp>
#include <cachet/timer_wheel.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>
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
inline constexpr std::uint8_t op_idle = 248, op_freq = 249, op_aux = 250, op_resizedb = 251,
                              op_expiretime_ms = 252, op_selectdb = 254, op_eof = 255;

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
            case ValueType::string: string(*v.string_if()); return;
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
    /// A key-value pair, preceded by its expiry time if it has one, then its idle time in
    /// seconds and its LFU counter when given (Redis writes the one its maxmemory-policy keeps).
    void entry(std::string_view key, const Value& v, std::optional<long long> expire_unix_ms,
               std::optional<std::uint64_t> idle_s = std::nullopt,
               std::optional<std::uint8_t> freq = std::nullopt) {
        if (expire_unix_ms) expire_ms(*expire_unix_ms);
        if (idle_s) {
            byte(op_idle);
            length(*idle_s);
        }
        if (freq) {
            byte(op_freq);
            byte(*freq);
        }
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
/// As Redis's, each key carries its idle time under an LRU maxmemory-policy and its LFU
/// counter under an LFU one (so a restart or a replica keeps them), neither otherwise.
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
    const MaxmemoryPolicy policy = db.maxmemory_policy();
    const bool save_lru = lru_policy(policy) && db.access_tracking() == AccessTracking::last_access;
    const bool save_lfu = lfu_policy(policy) && db.access_tracking() == AccessTracking::frequency;
    for (std::size_t i = 0; i < db.databases(); ++i) {
        auto& d = db.db(i);
        if (d.size() == 0) continue;
        w.select_db(i, d.size(), d.keys_with_ttl());
        d.for_each([&](std::string_view key, const Value& v, std::uint64_t deadline, AccessSnapshot a) {
            w.entry(key, v,
                    deadline == no_deadline ? std::nullopt
                                            : std::optional<long long>(db.unix_from_deadline(deadline)),
                    save_lru ? std::optional<std::uint64_t>(a.idle_ms / 1000) : std::nullopt,
                    save_lfu ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(a.frequency))
                             : std::nullopt);
        });
    }
    w.finish();
    return out;
}

// ---------------------------------------------------------------------- reading

/// A malformed or unsupported RDB input; `what()` says which.
class RdbError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr int max_version = 11;  ///< Redis 7.2's; what RESTORE and a load accept
inline constexpr std::uint8_t op_function2 = 245, op_module_aux = 247, op_expiretime = 253;

/// Reads RDB elements: Redis's length and string encodings (integers, LZF), and every value
/// type Redis 7.2 writes but modules and streams (RdbError "unsupported"): the plain types
/// and the compact ones (ziplist, intset, listpack, quicklist), converted to cachet's
/// containers. Bounds-checked: a truncated or inconsistent input is an RdbError, never a read
/// past its end.
class Reader {
public:
    explicit Reader(std::string_view data) noexcept : m_d(data) {}

    [[nodiscard]] std::size_t pos() const noexcept { return m_pos; }
    [[nodiscard]] bool at_end() const noexcept { return m_pos >= m_d.size(); }

    std::uint8_t byte() {
        need(1);
        return static_cast<std::uint8_t>(m_d[m_pos++]);
    }
    std::string_view take(std::size_t n) {
        need(n);
        const std::string_view v = m_d.substr(m_pos, n);
        m_pos += n;
        return v;
    }
    std::uint64_t le(int bytes) {
        const std::string_view b = take(static_cast<std::size_t>(bytes));
        std::uint64_t v = 0;
        for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[static_cast<std::size_t>(i)]);
        return v;
    }
    /// A length; `special` is set (and the 6-bit encoding type returned) for an encoded string.
    std::uint64_t length(bool* special = nullptr) {
        const std::uint8_t b = byte();
        if (special) *special = false;
        switch (b >> 6) {
            case 0: return b & 0x3f;
            case 1: return (static_cast<std::uint64_t>(b & 0x3f) << 8) | byte();
            case 2: {
                if (b == 0x80 || b == 0x81) {
                    const int n = b == 0x80 ? 4 : 8;
                    std::uint64_t v = 0;
                    for (int i = 0; i < n; ++i) v = (v << 8) | byte();
                    return v;
                }
                throw RdbError("unknown length encoding");
            }
            default:
                if (!special) throw RdbError("an encoded string where a length was expected");
                *special = true;
                return b & 0x3f;
        }
    }
    std::string string() {
        bool special = false;
        const std::uint64_t n = length(&special);
        if (!special) return std::string(take(checked(n)));
        switch (n) {
            case 0: return std::to_string(static_cast<std::int8_t>(byte()));
            case 1: return std::to_string(static_cast<std::int16_t>(le(2)));
            case 2: return std::to_string(static_cast<std::int32_t>(le(4)));
            case 3: {  // LZF
                const std::uint64_t clen = length(), len = length();
                // LZF expands at most ~132x (264 bytes from a 2-byte reference): a larger
                // claim is corrupt, and is refused before allocating for it.
                if (len > checked(clen) * 133 + 64) throw RdbError("corrupt LZF lengths");
                return lzf_decompress(take(static_cast<std::size_t>(clen)), static_cast<std::size_t>(len));
            }
            default: throw RdbError("unknown string encoding");
        }
    }
    double binary_double() {
        const std::uint64_t bits = le(8);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }
    /// RDB_TYPE_ZSET's score: a length byte, then text (253 NaN, 254 +inf, 255 -inf).
    double string_double() {
        const std::uint8_t n = byte();
        if (n == 253) return std::numeric_limits<double>::quiet_NaN();
        if (n == 254) return std::numeric_limits<double>::infinity();
        if (n == 255) return -std::numeric_limits<double>::infinity();
        return parse_double(take(n));
    }

    /// The value of RDB type `type`.
    Value value(std::uint8_t type) {
        switch (type) {
            case type_string: return Value(string());
            case type_list: {
                RedisList l;
                for (std::uint64_t n = count(); n > 0; --n) l.push_back(string());
                return non_empty(Value(std::move(l)));
            }
            case type_set: {
                RedisSet set;
                for (std::uint64_t n = count(); n > 0; --n) set.insert(string());
                return non_empty(Value(std::move(set)));
            }
            case type_zset:
            case type_zset_2: {
                RedisZSet z;
                for (std::uint64_t n = count(); n > 0; --n) {
                    std::string m = string();
                    const double score = type == type_zset ? string_double() : binary_double();
                    if (std::isnan(score)) throw RdbError("a NaN score");
                    z.add(std::move(m), score);
                }
                return non_empty(Value(std::move(z)));
            }
            case type_hash: {
                RedisHash h;
                for (std::uint64_t n = count(); n > 0; --n) {
                    std::string f = string();
                    h.insert_or_assign(std::move(f), string());
                }
                return non_empty(Value(std::move(h)));
            }
            case 10:  // RDB_TYPE_LIST_ZIPLIST
            case 14:  // RDB_TYPE_LIST_QUICKLIST (of ziplists)
            case 18: {  // RDB_TYPE_LIST_QUICKLIST_2 (of listpacks, or plain nodes)
                RedisList l;
                const std::uint64_t nodes = type == 10 ? 1 : count();
                for (std::uint64_t i = 0; i < nodes; ++i) {
                    const std::uint64_t container = type == 18 ? length() : 2;
                    const std::string blob = string();
                    if (container == 1) {  // QUICKLIST_NODE_CONTAINER_PLAIN: one large element
                        l.push_back(blob);
                    } else if (type == 18) {
                        for (auto& e : listpack_entries(blob)) l.push_back(std::move(e));
                    } else {
                        for (auto& e : ziplist_entries(blob)) l.push_back(std::move(e));
                    }
                }
                return non_empty(Value(std::move(l)));
            }
            case 11: {  // RDB_TYPE_SET_INTSET
                RedisSet set;
                for (auto& e : intset_entries(string())) set.insert(std::move(e));
                return non_empty(Value(std::move(set)));
            }
            case 20: {  // RDB_TYPE_SET_LISTPACK (7.2)
                RedisSet set;
                for (auto& e : listpack_entries(string())) set.insert(std::move(e));
                return non_empty(Value(std::move(set)));
            }
            case 12:    // RDB_TYPE_ZSET_ZIPLIST
            case 17: {  // RDB_TYPE_ZSET_LISTPACK
                const std::string blob = string();
                auto items = type == 12 ? ziplist_entries(blob) : listpack_entries(blob);
                if (items.size() % 2) throw RdbError("a sorted set with an odd number of entries");
                RedisZSet z;
                for (std::size_t i = 0; i < items.size(); i += 2) {
                    const double score = parse_double(items[i + 1]);
                    if (std::isnan(score)) throw RdbError("a NaN score");
                    z.add(std::move(items[i]), score);
                }
                return non_empty(Value(std::move(z)));
            }
            case 13:    // RDB_TYPE_HASH_ZIPLIST
            case 16: {  // RDB_TYPE_HASH_LISTPACK
                const std::string blob = string();
                auto items = type == 13 ? ziplist_entries(blob) : listpack_entries(blob);
                if (items.size() % 2) throw RdbError("a hash with an odd number of entries");
                RedisHash h;
                for (std::size_t i = 0; i < items.size(); i += 2)
                    h.insert_or_assign(std::move(items[i]), std::move(items[i + 1]));
                return non_empty(Value(std::move(h)));
            }
            case 6:
            case 7: throw RdbError("unsupported value type: module");
            case 15:
            case 19:
            case 21: throw RdbError("unsupported value type: stream");
            default: throw RdbError("unknown value type " + std::to_string(type));
        }
    }

    // The compact encodings, each inside one string.

    /// A listpack's entries, as strings (integers in decimal).
    static std::vector<std::string> listpack_entries(std::string_view lp) {
        Reader r(lp);
        const std::uint64_t total = r.le(4);
        (void)r.le(2);  // the element count (65535: unknown)
        if (total != lp.size()) throw RdbError("a listpack's size does not match");
        std::vector<std::string> out;
        for (;;) {
            const std::size_t start = r.pos();
            const std::uint8_t b = r.byte();
            if (b == 0xff) break;
            if ((b & 0x80) == 0) {
                out.push_back(std::to_string(b & 0x7f));
            } else if ((b & 0xc0) == 0x80) {
                out.emplace_back(r.take(b & 0x3f));
            } else if ((b & 0xe0) == 0xc0) {
                std::int64_t v = ((b & 0x1f) << 8) | r.byte();
                if (v >= 1 << 12) v -= 1 << 13;
                out.push_back(std::to_string(v));
            } else if ((b & 0xf0) == 0xe0) {
                out.emplace_back(r.take(static_cast<std::size_t>(((b & 0x0f) << 8) | r.byte())));
            } else if (b == 0xf0) {
                out.emplace_back(r.take(r.checked(r.le(4))));
            } else if (b >= 0xf1 && b <= 0xf4) {
                const int bytes = b == 0xf1 ? 2 : b == 0xf2 ? 3 : b == 0xf3 ? 4 : 8;
                std::uint64_t u = r.le(bytes);
                if (bytes < 8 && (u >> (8 * bytes - 1))) u |= ~std::uint64_t{0} << (8 * bytes);  // sign
                out.push_back(std::to_string(static_cast<std::int64_t>(u)));
            } else {
                throw RdbError("unknown listpack entry encoding");
            }
            const std::size_t l = r.pos() - start;  // the back-length that follows
            r.take(l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5);  // lpEncodeBacklen
        }
        return out;
    }
    /// A ziplist's entries (Redis before 7.0).
    static std::vector<std::string> ziplist_entries(std::string_view zl) {
        Reader r(zl);
        if (r.le(4) != zl.size()) throw RdbError("a ziplist's size does not match");
        (void)r.le(4);
        (void)r.le(2);
        std::vector<std::string> out;
        for (;;) {
            std::uint8_t b = r.byte();
            if (b == 0xff) break;
            if (b == 0xfe) (void)r.le(4);  // the previous entry's length: 1 or 5 bytes
            b = r.byte();
            switch (b >> 6) {
                case 0: out.emplace_back(r.take(b & 0x3f)); continue;
                case 1: out.emplace_back(r.take(static_cast<std::size_t>(((b & 0x3f) << 8) | r.byte()))); continue;
                case 2: {
                    std::uint64_t n = 0;
                    for (int i = 0; i < 4; ++i) n = (n << 8) | r.byte();
                    out.emplace_back(r.take(r.checked(n)));
                    continue;
                }
                default: break;
            }
            std::int64_t v = 0;
            if (b == 0xc0) v = static_cast<std::int16_t>(r.le(2));
            else if (b == 0xd0) v = static_cast<std::int32_t>(r.le(4));
            else if (b == 0xe0) v = static_cast<std::int64_t>(r.le(8));
            else if (b == 0xf0) {
                std::uint64_t u = r.le(3);
                if (u & 0x800000) u |= ~std::uint64_t{0xffffff};
                v = static_cast<std::int64_t>(u);
            } else if (b == 0xfe) v = static_cast<std::int8_t>(r.byte());
            else if (b >= 0xf1 && b <= 0xfd) v = (b & 0x0f) - 1;
            else throw RdbError("unknown ziplist entry encoding");
            out.push_back(std::to_string(v));
        }
        return out;
    }
    /// An intset's members.
    static std::vector<std::string> intset_entries(std::string_view is) {
        Reader r(is);
        const std::uint64_t width = r.le(4), n = r.le(4);
        if (width != 2 && width != 4 && width != 8) throw RdbError("unknown intset encoding");
        if (n * width != is.size() - 8) throw RdbError("an intset's size does not match");
        std::vector<std::string> out;
        for (std::uint64_t i = 0; i < n; ++i) {
            const std::uint64_t u = r.le(static_cast<int>(width));
            const std::int64_t v = width == 2 ? static_cast<std::int16_t>(u)
                                 : width == 4 ? static_cast<std::int32_t>(u)
                                              : static_cast<std::int64_t>(u);
            out.push_back(std::to_string(v));
        }
        return out;
    }
    /// LZF (liblzf's lzf_decompress, as Redis uses it).
    static std::string lzf_decompress(std::string_view in, std::size_t out_len) {
        std::string out;
        out.reserve(out_len);
        std::size_t i = 0;
        while (i < in.size()) {
            const unsigned ctrl = static_cast<unsigned char>(in[i++]);
            if (ctrl < 32) {  // a literal run of ctrl + 1 bytes
                const std::size_t n = ctrl + 1;
                if (i + n > in.size() || out.size() + n > out_len) throw RdbError("corrupt LZF data");
                out.append(in.substr(i, n));
                i += n;
            } else {  // a back reference
                std::size_t n = ctrl >> 5;
                if (n == 7) {
                    if (i >= in.size()) throw RdbError("corrupt LZF data");
                    n += static_cast<unsigned char>(in[i++]);
                }
                if (i >= in.size()) throw RdbError("corrupt LZF data");
                const std::size_t back = ((ctrl & 0x1f) << 8) + static_cast<unsigned char>(in[i++]) + 1;
                n += 2;
                if (back > out.size() || out.size() + n > out_len) throw RdbError("corrupt LZF data");
                for (std::size_t k = 0; k < n; ++k) out += out[out.size() - back];
            }
        }
        if (out.size() != out_len) throw RdbError("corrupt LZF data");
        return out;
    }

private:
    void need(std::size_t n) const {
        if (n > m_d.size() - m_pos) throw RdbError("unexpected end of data");
    }
    /// A length as a size, refused if more than the input holds (no huge allocation).
    std::size_t checked(std::uint64_t n) const {
        if (n > m_d.size()) throw RdbError("a length larger than the data");
        return static_cast<std::size_t>(n);
    }
    /// An element count, refused if the input cannot hold that many elements.
    std::uint64_t count() {
        const std::uint64_t n = length();
        if (n > m_d.size() - m_pos) throw RdbError("an element count larger than the data");
        return n;
    }
    static double parse_double(std::string_view s) {
        long double v;
        if (!cachet::detail::string2ld(s, v)) {
            if (s == "inf" || s == "+inf") return std::numeric_limits<double>::infinity();
            if (s == "-inf") return -std::numeric_limits<double>::infinity();
            throw RdbError("a malformed score");
        }
        return static_cast<double>(v);
    }
    static Value non_empty(Value v) {
        if (v.empty_container()) throw RdbError("an empty container");
        return v;
    }

    std::string_view m_d;
    std::size_t m_pos = 0;
};

/// A DUMP payload's value, after checking its footer (RDB version, CRC-64): RESTORE's input.
/// Throws RdbError("payload") for a wrong version or checksum, else as Reader::value.
[[nodiscard]] inline Value restore_payload(std::string_view payload) {
    if (payload.size() < 10) throw RdbError("payload");
    const std::size_t body = payload.size() - 10;
    const int ver = static_cast<unsigned char>(payload[body]) | (static_cast<unsigned char>(payload[body + 1]) << 8);
    Reader footer(payload.substr(body + 2));
    const std::uint64_t crc = footer.le(8);
    if (ver > max_version || crc64(0, payload.substr(0, body + 2)) != crc) throw RdbError("payload");
    Reader r(payload.substr(0, body));
    const std::uint8_t type = r.byte();
    Value v = r.value(type);
    if (!r.at_end()) throw RdbError("trailing bytes");
    return v;
}

/// Loads an RDB file's keys into `db` (each database's keys replacing any of the same name;
/// keys whose expiry time has passed are skipped, as a Redis master does). Returns the number
/// of keys loaded. Throws RdbError naming the problem and its offset.
template <Clock C>
std::size_t load(BasicDatabase<C>& db, std::string_view file) {
    Reader r(file);
    try {
        const std::string_view magic = r.take(9);
        int ver = 0;
        if (!magic.starts_with("REDIS") || !std::all_of(magic.begin() + 5, magic.end(), [](char ch) {
                return ch >= '0' && ch <= '9';
            }))
            throw RdbError("not an RDB file");
        ver = std::stoi(std::string(magic.substr(5)));
        if (ver < 1 || ver > max_version) throw RdbError("RDB version " + std::to_string(ver) + " is not supported");
        std::size_t dbi = 0, loaded = 0;
        std::optional<long long> expire, idle;  // the next key's records
        std::optional<unsigned> freq;
        const long long now = db.unix_ms();
        for (;;) {
            const std::uint8_t op = r.byte();
            if (op == op_eof) {
                if (ver >= 5) {  // the CRC-64 of all before it (0: written without one)
                    const std::size_t at = r.pos();
                    const std::uint64_t crc = r.le(8);
                    if (crc != 0 && crc != crc64(0, file.substr(0, at))) throw RdbError("wrong checksum");
                }
                return loaded;
            }
            switch (op) {
                case op_selectdb:
                    dbi = static_cast<std::size_t>(r.length());
                    if (dbi >= db.databases())
                        throw RdbError("database " + std::to_string(dbi) + " is out of range (databases " +
                                       std::to_string(db.databases()) + ")");
                    continue;
                case op_resizedb: (void)r.length(); (void)r.length(); continue;
                case op_aux: (void)r.string(); (void)r.string(); continue;
                case op_expiretime_ms: expire = static_cast<long long>(r.le(8)); continue;
                case op_expiretime: expire = static_cast<long long>(r.le(4)) * 1000; continue;
                case op_idle: idle = static_cast<long long>(
                                  std::min<std::uint64_t>(r.length(), std::numeric_limits<long long>::max())); continue;
                case op_freq: freq = r.byte(); continue;
                case op_function2: (void)r.string(); continue;  // a function library: no scripting here
                case op_module_aux: throw RdbError("unsupported: module data");
                default: break;
            }
            std::string key = r.string();
            Value v = r.value(op);
            const std::optional<long long> when = std::exchange(expire, std::nullopt);
            const std::optional<long long> idle_s = std::exchange(idle, std::nullopt);
            const std::optional<unsigned> count = std::exchange(freq, std::nullopt);
            if (when && *when <= now) continue;
            db.db(dbi).restore(key, std::move(v), when ? db.deadline_from_unix_ms(*when) : no_deadline, true,
                               idle_s, count);
            ++loaded;
        }
    } catch (const RdbError& e) {
        throw RdbError(std::string(e.what()) + " (at byte " + std::to_string(r.pos()) + ")");
    }
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
