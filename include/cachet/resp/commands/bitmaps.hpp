#ifndef CACHET_RESP_COMMANDS_BITMAPS_HPP
#define CACHET_RESP_COMMANDS_BITMAPS_HPP

/// Bitmap commands (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP over string
/// values, bit 0 being the most significant bit of the first byte. Replies, error texts and
/// the order of the checks as redis-server 7.0.15's:
///   - a bit offset must be an integer in [0, 8 x proto-max-bulk-len), checked before the key
///     ("bit offset is not an integer or out of range"); SETBIT's value must be 0 or 1;
///   - SETBIT creates or zero-pads the string as far as the bit, makes it raw (OBJECT
///     ENCODING), keeps its TTL, and announces "setbit" only when the string changed;
///   - BITCOUNT looks the key up before it parses its range (a missing key is 0 whatever the
///     arguments); BITPOS parses the bit first; both take start/end as byte or, with BIT, as
///     bit offsets, negative from the end; BITPOS of 0 without an end sees the string padded
///     with zeros on the right;
///   - BITOP AND/OR/XOR/NOT dest key...: missing sources are empty strings, shorter ones are
///     zero-padded; the result replaces dest (raw, no TTL, event "set"), an empty one deletes
///     it; the reply is its length.
///   - BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
///     [OVERFLOW WRAP|SAT|FAIL] ...: types i1..i64 and u1..u63, offsets in bits or, as
///     #n, in units of the type's width; every operation is parsed and checked before any
///     runs; the writes grow the string (zero-padded) as far as the farthest one reaches, then
///     run in order, each under the OVERFLOW mode in force where it appears (WRAP by default;
///     FAIL replies null and writes nothing); SET replies the old value, INCRBY the new one.
///     "setbit" is announced (and the key touched for WATCH and fed to replicas) only if the
///     string grew or some SET / INCRBY changed a field's value, as Redis 7.0. BITFIELD_RO
///     takes GETs only; a BITFIELD of GETs only is a read (a missing key reads as zeros).
/// Complexity: SETBIT, GETBIT O(1) (O(offset) when SETBIT grows the string); BITCOUNT,
/// BITPOS O(N) over the range; BITOP O(N) over the longest source; BITFIELD O(1) per
/// operation (plus growing the string). BITOP runs with every other command held off (the
/// transaction gate), as Redis runs it: its keys are read and written at one instant.

#include <cachet/resp/commands/strings.hpp>
#include <cachet/resp/engine.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {
namespace bits {

inline constexpr std::string_view bad_offset = "ERR bit offset is not an integer or out of range";

/// A bit offset argument (getBitOffsetFromArgument): an integer with its byte below
/// proto-max-bulk-len; else replies the error and returns nullopt.
template <Clock C>
std::optional<std::uint64_t> offset(Ctx<C>& c, std::string_view arg) {
    const auto v = to_ll(arg);
    if (!v || *v < 0 || static_cast<std::uint64_t>(*v >> 3) >= max_string(c)) {
        c.out.error(bad_offset);
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(*v);
}

/// Set bits in `s`.
inline long long popcount(std::string_view s) noexcept {
    long long n = 0;
    for (const char ch : s) n += std::popcount(static_cast<unsigned char>(ch));
    return n;
}

/// redisBitpos: the position of the first bit equal to `bit` in `s`, from the most
/// significant bit of its first byte; none: -1 for a 1, the bit just past the end for a 0.
inline long long first_bit(std::string_view s, bool bit) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto byte = static_cast<unsigned char>(bit ? s[i] : ~s[i]);
        if (byte != 0) return static_cast<long long>(i) * 8 + std::countl_zero(byte);
    }
    return bit ? -1 : static_cast<long long>(s.size()) * 8;
}

/// A start/end range of BITCOUNT/BITPOS, resolved against a string of `len` bytes: byte
/// offsets, and for a BIT range the masks of the bits outside it in the first and last byte.
struct Range {
    long long start = 0, end = -1;
    unsigned char first_mask = 0, last_mask = 0;
};
inline Range resolve(long long start, long long end, bool in_bits, long long len) noexcept {
    const long long total = in_bits ? len * 8 : len;
    if (start < 0) start += total;
    if (end < 0) end += total;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
    Range r{start, end, 0, 0};
    if (in_bits && start <= end) {
        r.first_mask = static_cast<unsigned char>(~((1u << (8 - (start & 7))) - 1) & 0xFF);
        r.last_mask = static_cast<unsigned char>((1u << (7 - (end & 7))) - 1);
        r.start = start >> 3;
        r.end = end >> 3;
    }
    return r;
}

/// BYTE or BIT (any case); nullopt for anything else.
inline std::optional<bool> unit(std::string_view a) noexcept {
    if (iequals(a, "bit")) return true;
    if (iequals(a, "byte")) return false;
    return std::nullopt;
}

/// What BITCOUNT and BITPOS reply: a number or an error text.
struct Reply {
    long long value = 0;
    std::string_view error;
};

}  // namespace bits

namespace bits {

/// One BITFIELD operation, parsed.
struct FieldOp {
    enum class Kind { get, set, incrby } kind;
    enum class Overflow { wrap, sat, fail } overflow;
    bool sign;
    unsigned width;  // 1..64 (signed), 1..63 (unsigned)
    std::uint64_t offset;
    long long value = 0;  // SET's value, INCRBY's increment
};

/// The `width`-bit unsigned field at bit `offset` of `s`, most significant bit first; bytes
/// past the end read as zeros (Redis's getUnsignedBitfield over a zero-padded copy).
inline std::uint64_t get_field(std::string_view s, std::uint64_t offset, unsigned width) noexcept {
    std::uint64_t v = 0;
    for (unsigned j = 0; j < width; ++j, ++offset) {
        const std::uint64_t byte = offset >> 3;
        const unsigned bit = 7 - static_cast<unsigned>(offset & 7);
        const unsigned b = byte < s.size() ? static_cast<unsigned char>(s[byte]) : 0u;
        v = (v << 1) | ((b >> bit) & 1u);
    }
    return v;
}
/// Sign-extends a `width`-bit field.
inline std::int64_t as_signed(std::uint64_t v, unsigned width) noexcept {
    if (width < 64 && (v & (std::uint64_t{1} << (width - 1)))) v |= ~std::uint64_t{0} << width;
    return static_cast<std::int64_t>(v);
}
/// Stores the low `width` bits of `v` at bit `offset` of `s`, which is long enough.
inline void set_field(std::string& s, std::uint64_t offset, unsigned width, std::uint64_t v) noexcept {
    for (unsigned j = 0; j < width; ++j, ++offset) {
        const bool bit = (v >> (width - 1 - j)) & 1u;
        auto& byte = reinterpret_cast<unsigned char&>(s[offset >> 3]);
        const unsigned mask = 1u << (7 - (offset & 7));
        byte = static_cast<unsigned char>(bit ? (byte | mask) : (byte & ~mask));
    }
}

/// Redis's checkUnsignedBitfieldOverflow: whether `value + incr` leaves [0, 2^width - 1];
/// if so, `limit` becomes the wrapped or saturated result (as `overflow` says).
inline bool unsigned_overflow(std::uint64_t value, std::int64_t incr, unsigned width,
                              FieldOp::Overflow overflow, std::uint64_t& limit) noexcept {
    const std::uint64_t max = width == 64 ? UINT64_MAX : (std::uint64_t{1} << width) - 1;
    const auto maxincr = static_cast<std::int64_t>(max - value);
    const auto minincr = static_cast<std::int64_t>(std::uint64_t{0} - value);
    bool high = false;
    if (value > max || (incr > 0 && incr > maxincr)) high = true;
    else if (!(incr < 0 && incr < minincr)) return false;
    if (overflow == FieldOp::Overflow::wrap)
        limit = (value + static_cast<std::uint64_t>(incr)) & ~(~std::uint64_t{0} << width);
    else if (overflow == FieldOp::Overflow::sat)
        limit = high ? max : 0;
    return true;
}

/// Redis's checkSignedBitfieldOverflow, in wrapping arithmetic where Redis's C would overflow.
inline bool signed_overflow(std::int64_t value, std::int64_t incr, unsigned width,
                            FieldOp::Overflow overflow, std::int64_t& limit) noexcept {
    const std::int64_t max = width == 64 ? INT64_MAX : (std::int64_t{1} << (width - 1)) - 1;
    const std::int64_t min = -max - 1;
    const auto maxincr = static_cast<std::int64_t>(static_cast<std::uint64_t>(max) -
                                                   static_cast<std::uint64_t>(value));
    const auto minincr = static_cast<std::int64_t>(static_cast<std::uint64_t>(min) -
                                                   static_cast<std::uint64_t>(value));
    bool high = false;
    if (value > max || (width != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr))
        high = true;
    else if (!(value < min || (width != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr)))
        return false;
    if (overflow == FieldOp::Overflow::wrap) {
        std::uint64_t sum = static_cast<std::uint64_t>(value) + static_cast<std::uint64_t>(incr);
        if (width < 64) {
            const std::uint64_t mask = ~std::uint64_t{0} << width;
            sum = (sum & (std::uint64_t{1} << (width - 1))) ? (sum | mask) : (sum & ~mask);
        }
        limit = static_cast<std::int64_t>(sum);
    } else if (overflow == FieldOp::Overflow::sat) {
        limit = high ? max : min;
    }
    return true;
}

/// Runs one SET or INCRBY on `s` (long enough); the reply, or nullopt for an overflow under
/// FAIL (nothing written).
inline std::optional<long long> write_field(std::string& s, const FieldOp& op) {
    if (op.sign) {
        const std::int64_t old = as_signed(get_field(s, op.offset, op.width), op.width);
        std::int64_t wrapped = 0, next;
        bool over;
        if (op.kind == FieldOp::Kind::incrby) {
            over = signed_overflow(old, op.value, op.width, op.overflow, wrapped);
            next = over ? wrapped
                        : static_cast<std::int64_t>(static_cast<std::uint64_t>(old) +
                                                    static_cast<std::uint64_t>(op.value));
        } else {
            over = signed_overflow(op.value, 0, op.width, op.overflow, wrapped);
            next = over ? wrapped : op.value;
        }
        if (over && op.overflow == FieldOp::Overflow::fail) return std::nullopt;
        set_field(s, op.offset, op.width, static_cast<std::uint64_t>(next));
        return op.kind == FieldOp::Kind::incrby ? next : old;
    }
    const std::uint64_t old = get_field(s, op.offset, op.width);
    std::uint64_t wrapped = 0, next;
    bool over;
    if (op.kind == FieldOp::Kind::incrby) {
        over = unsigned_overflow(old, op.value, op.width, op.overflow, wrapped);
        next = over ? wrapped : old + static_cast<std::uint64_t>(op.value);
    } else {
        const auto v = static_cast<std::uint64_t>(op.value);
        over = unsigned_overflow(v, 0, op.width, op.overflow, wrapped);
        next = over ? wrapped : v;
    }
    if (over && op.overflow == FieldOp::Overflow::fail) return std::nullopt;
    set_field(s, op.offset, op.width, next);
    return static_cast<long long>(op.kind == FieldOp::Kind::incrby ? next : old);
}

/// Parses BITFIELD's operations (bitfieldGeneric's loop, its checks in its order); replies
/// the first error and returns nullopt.
template <Clock C>
std::optional<std::vector<FieldOp>> parse_fields(Ctx<C>& c) {
    std::vector<FieldOp> ops;
    auto overflow = FieldOp::Overflow::wrap;
    // Redis compares these as C strings: up to a NUL byte.
    const auto until_nul = [](std::string_view a) { return a.substr(0, a.find('\0')); };
    for (std::size_t j = 2; j < c.argc(); ++j) {
        const std::size_t rest = c.argc() - j - 1;
        const std::string_view sub = until_nul(c.arg(j));
        FieldOp op{};
        if (iequals(sub, "get") && rest >= 2) {
            op.kind = FieldOp::Kind::get;
        } else if (iequals(sub, "set") && rest >= 3) {
            op.kind = FieldOp::Kind::set;
        } else if (iequals(sub, "incrby") && rest >= 3) {
            op.kind = FieldOp::Kind::incrby;
        } else if (iequals(sub, "overflow") && rest >= 1) {
            const std::string_view mode = until_nul(c.arg(++j));
            if (iequals(mode, "wrap")) overflow = FieldOp::Overflow::wrap;
            else if (iequals(mode, "sat")) overflow = FieldOp::Overflow::sat;
            else if (iequals(mode, "fail")) overflow = FieldOp::Overflow::fail;
            else {
                c.out.error("ERR Invalid OVERFLOW type specified");
                return std::nullopt;
            }
            continue;
        } else {
            c.out.error(errors::syntax);
            return std::nullopt;
        }
        // The type: i1..i64 or u1..u63 (getBitfieldTypeFromArgument).
        const std::string_view type = until_nul(c.arg(j + 1));
        const auto width = type.empty() ? std::nullopt : to_ll(type.substr(1));
        op.sign = !type.empty() && type[0] == 'i';  // lower case only, as Redis
        const bool unsign = !type.empty() && type[0] == 'u';
        if ((!op.sign && !unsign) || !width || *width < 1 || *width > (op.sign ? 64 : 63)) {
            c.out.error("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is "
                        "not supported but i64 is.");
            return std::nullopt;
        }
        op.width = static_cast<unsigned>(*width);
        // The offset: bits, or #n in units of the width (getBitOffsetFromArgument).
        std::string_view at = c.arg(j + 2);
        const bool units = !at.empty() && at[0] == '#';
        const auto n = to_ll(units ? at.substr(1) : at);
        long long off = 0;
        if (n) off = units ? static_cast<long long>(static_cast<unsigned long long>(*n) * op.width) : *n;
        if (!n || off < 0 || static_cast<std::uint64_t>(off >> 3) >= max_string(c)) {
            c.out.error(bad_offset);
            return std::nullopt;
        }
        op.offset = static_cast<std::uint64_t>(off);
        if (op.kind != FieldOp::Kind::get) {
            const auto v = to_ll(c.arg(j + 3));
            if (!v) {
                c.out.error(errors::not_integer);
                return std::nullopt;
            }
            op.value = *v;
        }
        op.overflow = overflow;
        ops.push_back(op);
        j += op.kind == FieldOp::Kind::get ? 2 : 3;
    }
    return ops;
}

}  // namespace bits

/// BITFIELD / BITFIELD_RO (`ReadOnly`) key [operation ...]: see the file comment.
template <Clock C, bool ReadOnly>
void bitfield(Ctx<C>& c) {
    using bits::FieldOp;
    const auto ops = bits::parse_fields(c);
    if (!ops) return;
    std::uint64_t farthest = 0;  // the last bit a write reaches
    bool writes = false;
    for (const FieldOp& op : *ops) {
        if (op.kind == FieldOp::Kind::get) continue;
        writes = true;
        farthest = std::max(farthest, op.offset + op.width - 1);
    }
    std::vector<std::optional<long long>> out;
    out.reserve(ops->size());
    auto get = [](std::string_view s, const FieldOp& op) -> long long {
        const std::uint64_t v = bits::get_field(s, op.offset, op.width);
        return op.sign ? bits::as_signed(v, op.width) : static_cast<long long>(v);
    };
    if (!writes) {  // a read: a missing key reads as zeros
        const auto got = c.db().read_string(c.arg(1), [&](std::string_view s) {
            for (const FieldOp& op : *ops) out.emplace_back(get(s, op));
            return true;
        });
        if (!got)
            for (const FieldOp& op : *ops) out.emplace_back(get({}, op));
        c.session.propagate_as({});  // nothing changed: nothing for replicas
    } else if (ReadOnly) {
        c.out.error("ERR BITFIELD_RO only supports the GET subcommand");
        return;
    } else {
        const std::size_t need = static_cast<std::size_t>(farthest >> 3) + 1;
        bool changed = false;
        c.db().update(c.arg(1), [&](auto& slot) {
            bool dirty = false;  // created or grown (Redis's lookupStringForBitCommand)
            if (!slot.exists()) {
                slot.emplace(std::string());
                dirty = true;
            } else if (!slot.cvalue().string_if()) {
                throw WrongTypeError();
            }
            std::string& s = slot.value_quiet().mutable_string();
            if (s.size() < need) {
                s.resize(need, '\0');
                dirty = true;
            }
            for (const FieldOp& op : *ops) {
                if (op.kind == FieldOp::Kind::get) {
                    out.emplace_back(get(s, op));
                    continue;
                }
                const std::uint64_t before = bits::get_field(s, op.offset, op.width);
                out.push_back(bits::write_field(s, op));
                // A write that OVERFLOW FAIL refused changes nothing, even in a key just
                // created or grown (bitops.c: `if (dirty || oldval != newval) changes++` only
                // for the writes it makes).
                changed = changed || (out.back() && (dirty || bits::get_field(s, op.offset, op.width) != before));
            }
            if (changed) slot.name_update("setbit");
            else if (slot.created()) slot.announce_creation_only();  // zero-filled, "new" only
            else if (dirty) (void)slot.value_unannounced();           // grown, unannounced
        });
        if (!changed) c.session.propagate_as({});  // nothing changed: nothing for replicas
    }
    c.out.array(out.size());
    for (const auto& v : out) {
        if (v) c.out.integer(*v);
        else c.out.null();
    }
}

/// SETBIT key offset value.
template <Clock C>
void setbit(Ctx<C>& c) {
    const auto off = bits::offset(c, c.arg(2));
    if (!off) return;
    const auto on = to_ll(c.arg(3));
    if (!on || (*on & ~1LL) != 0) {
        c.out.error("ERR bit is not an integer or out of range");
        return;
    }
    const std::size_t byte = *off >> 3;
    const unsigned mask = 1u << (7 - (*off & 7));
    bool changed = false;
    const bool was = c.db().update(c.arg(1), [&](auto& slot) {
        bool dirty = false;
        if (!slot.exists()) {
            slot.emplace(std::string());
            dirty = true;
        } else if (!slot.cvalue().string_if()) {
            throw WrongTypeError();
        }
        // Raw from now on, as Redis unshares it, changed or not: a change is marked below.
        std::string& s = slot.value_quiet().mutable_string();
        if (s.size() < byte + 1) {
            s.resize(byte + 1, '\0');
            dirty = true;
        }
        const auto old = static_cast<unsigned char>(s[byte]);
        const bool bit = (old & mask) != 0;
        if (dirty || bit != (*on == 1)) {
            s[byte] = static_cast<char>(*on ? (old | mask) : (old & ~mask));
            slot.name_update("setbit");
            changed = true;
        }
        return bit;
    });
    if (!changed) c.session.propagate_as({});  // nothing for replicas, as Redis's dirty count
    c.out.integer(was ? 1 : 0);
}

/// GETBIT key offset.
template <Clock C>
void getbit(Ctx<C>& c) {
    const auto off = bits::offset(c, c.arg(2));
    if (!off) return;
    const std::size_t byte = *off >> 3;
    const auto bit = c.db().read_string(c.arg(1), [&](std::string_view s) {
        return byte < s.size() && (static_cast<unsigned char>(s[byte]) & (1u << (7 - (*off & 7)))) != 0;
    });
    c.out.integer(bit.value_or(false) ? 1 : 0);
}

/// BITCOUNT key [start end [BYTE | BIT]].
template <Clock C>
void bitcount(Ctx<C>& c) {
    const auto r = c.db().read_string(c.arg(1), [&](std::string_view s) -> bits::Reply {
        const auto len = static_cast<long long>(s.size());
        bits::Range range{0, len - 1, 0, 0};
        if (c.argc() == 4 || c.argc() == 5) {
            const auto start = to_ll(c.arg(2));
            const auto end = start ? to_ll(c.arg(3)) : std::nullopt;
            if (!end) return {0, errors::not_integer};
            if (*start < 0 && *end < 0 && *start > *end) return {0, {}};
            bool in_bits = false;
            if (c.argc() == 5) {
                const auto u = bits::unit(c.arg(4));
                if (!u) return {0, errors::syntax};
                in_bits = *u;
            }
            range = bits::resolve(*start, *end, in_bits, len);
        } else if (c.argc() != 2) {
            return {0, errors::syntax};
        }
        if (range.start > range.end) return {0, {}};
        const auto from = static_cast<std::size_t>(range.start);
        long long n = bits::popcount(s.substr(from, static_cast<std::size_t>(range.end - range.start + 1)));
        n -= std::popcount(static_cast<unsigned char>(s[from] & range.first_mask));
        n -= std::popcount(static_cast<unsigned char>(s[static_cast<std::size_t>(range.end)] & range.last_mask));
        return {n, {}};
    });
    if (!r) c.out.integer(0);
    else if (!r->error.empty()) c.out.error(r->error);
    else c.out.integer(r->value);
}

/// BITPOS key bit [start [end [BYTE | BIT]]].
template <Clock C>
void bitpos(Ctx<C>& c) {
    const auto b = to_ll(c.arg(2));
    if (!b) {
        c.out.error(errors::not_integer);
        return;
    }
    if (*b != 0 && *b != 1) {
        c.out.error("ERR The bit argument must be 1 or 0.");
        return;
    }
    const bool bit = *b == 1;
    const auto r = c.db().read_string(c.arg(1), [&](std::string_view s) -> bits::Reply {
        const auto len = static_cast<long long>(s.size());
        bits::Range range{0, len - 1, 0, 0};
        bool end_given = false;
        if (c.argc() >= 4 && c.argc() <= 6) {
            const auto start = to_ll(c.arg(3));
            if (!start) return {0, errors::not_integer};
            bool in_bits = false;
            if (c.argc() == 6) {
                const auto u = bits::unit(c.arg(5));
                if (!u) return {0, errors::syntax};
                in_bits = *u;
            }
            long long end = in_bits ? len * 8 + 7 : len - 1;
            if (c.argc() >= 5) {
                const auto e = to_ll(c.arg(4));
                if (!e) return {0, errors::not_integer};
                end = *e;
                end_given = true;
            }
            range = bits::resolve(*start, end, in_bits, len);
        } else if (c.argc() != 3) {
            return {0, errors::syntax};
        }
        if (range.start > range.end) return {-1, {}};
        // The range's bytes, with the bits outside a BIT range forced to the opposite of `bit`.
        std::string bytes(s.substr(static_cast<std::size_t>(range.start),
                                   static_cast<std::size_t>(range.end - range.start + 1)));
        const auto force = [&](char& ch, unsigned char outside) {
            if (outside == 0) return;
            const auto v = static_cast<unsigned char>(ch);
            ch = static_cast<char>(bit ? (v & ~outside) : (v | outside));
        };
        force(bytes.front(), range.first_mask);
        force(bytes.back(), range.last_mask);
        long long pos = bits::first_bit(bytes, bit);
        // With an explicit end, a 0 is not found past it (no padding to the right).
        if (end_given && !bit && pos == static_cast<long long>(bytes.size()) * 8) return {-1, {}};
        if (pos != -1) pos += range.start * 8;
        return {pos, {}};
    });
    if (!r) c.out.integer(bit ? -1 : 0);  // a missing key is an endless run of zeros
    else if (!r->error.empty()) c.out.error(r->error);
    else c.out.integer(r->value);
}

/// BITOP AND | OR | XOR | NOT destkey key [key ...].
template <Clock C>
void bitop(Ctx<C>& c) {
    enum class Op { band, bor, bxor, bnot };
    Op op;
    const std::string_view name = c.arg(1);
    if (iequals(name, "and")) op = Op::band;
    else if (iequals(name, "or")) op = Op::bor;
    else if (iequals(name, "xor")) op = Op::bxor;
    else if (iequals(name, "not")) op = Op::bnot;
    else return c.out.error(errors::syntax);
    if (op == Op::bnot && c.argc() != 4) return c.out.error("ERR BITOP NOT must be called with a single source key.");
    auto run = [&] {
        std::vector<std::string> src;
        for (std::size_t j = 3; j < c.argc(); ++j) {  // WRONGTYPE before anything changes
            auto s = c.db().get(c.arg(j));
            src.push_back(s ? std::move(*s) : std::string());
        }
        std::size_t maxlen = 0;
        for (const auto& s : src) maxlen = std::max(maxlen, s.size());
        std::string res(maxlen, '\0');
        for (std::size_t i = 0; i < maxlen; ++i) {
            const auto at = [&](std::size_t k) {
                return i < src[k].size() ? static_cast<unsigned char>(src[k][i]) : 0u;
            };
            unsigned out = at(0);
            if (op == Op::bnot) out = ~out;
            for (std::size_t k = 1; k < src.size(); ++k) {
                if (op == Op::band) out &= at(k);
                else if (op == Op::bor) out |= at(k);
                else out ^= at(k);
            }
            res[i] = static_cast<char>(out & 0xFF);
        }
        if (maxlen) {
            // As SET (any old value replaced, no TTL, event "set"), but raw, as Redis creates it.
            cachet::detail::ThreadFlag silent_persist(cachet::detail::t_silent_persist);
            c.db().update(c.arg(2), [&](auto& slot) {
                slot.emplace(std::move(res));
                (void)slot.value().mutable_string();
                slot.name_update("set");
                slot.persist();
            });
        } else {
            (void)c.db().del(c.arg(2));
        }
        c.out.integer(static_cast<long long>(maxlen));
    };
    c.engine.database().exclusive(run);
}

}  // namespace cmd

template <Clock C>
void register_bitmap_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::vector<std::string> rf = {"read", "bitmap", "fast"}, rs = {"read", "bitmap", "slow"},
                                   ws = {"write", "bitmap", "slow"};
    add_command<C>(t, "setbit", 4, cmd_write | cmd_denyoom, 1, 1, 1, &setbit<C>, "bitmap",
                   "Sets or clears the bit at offset in the string value stored at key", "2.2.0", ws);
    add_command<C>(t, "getbit", 3, cmd_readonly | cmd_fast, 1, 1, 1, &getbit<C>, "bitmap",
                   "Returns the bit value at offset in the string value stored at key", "2.2.0", rf);
    add_command<C>(t, "bitcount", -2, cmd_readonly, 1, 1, 1, &bitcount<C>, "bitmap", "Count set bits in a string",
                   "2.6.0", rs);
    add_command<C>(t, "bitpos", -3, cmd_readonly, 1, 1, 1, &bitpos<C>, "bitmap",
                   "Find first bit set or clear in a string", "2.8.7", rs);
    add_command<C>(t, "bitfield", -2, cmd_write | cmd_denyoom, 1, 1, 1, &bitfield<C, false>, "bitmap",
                   "Perform arbitrary bitfield integer operations on strings", "3.2.0", ws);
    add_command<C>(t, "bitfield_ro", -2, cmd_readonly | cmd_fast, 1, 1, 1, &bitfield<C, true>, "bitmap",
                   "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
                   "6.0.0", rf);
    add_command<C>(t, "bitop", -4, cmd_write | cmd_denyoom | cmd_takes_gate, 2, -1, 1, &bitop<C>, "bitmap",
                   "Perform bitwise operations between strings", "2.6.0", ws);
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_BITMAPS_HPP
