#ifndef CACHET_RESP_COMMANDS_KEYS_HPP
#define CACHET_RESP_COMMANDS_KEYS_HPP

/// Generic key commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RENAME, RENAMENX, RANDOMKEY,
/// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX/XX/GT/LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME,
/// PERSIST, COPY, MOVE, TOUCH, and DEBUG answered with a clear error (OBJECT: object.hpp).

#include <cachet/resp/commands/strings.hpp>
#include <cachet/resp/engine.hpp>

#include <cctype>
#include <charconv>
#include <climits>
#include <optional>
#include <string>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

template <Clock C>
void del(Ctx<C>& c) {
    long long n = 0;
    for (std::size_t i = 1; i < c.argc(); ++i) n += c.db().del(c.arg(i)) ? 1 : 0;
    c.out.integer(n);
}

template <Clock C>
void exists(Ctx<C>& c) {
    long long n = 0;
    for (std::size_t i = 1; i < c.argc(); ++i) n += c.db().read_exists(c.arg(i)) ? 1 : 0;
    c.out.integer(n);
}

template <Clock C>
void type(Ctx<C>& c) {
    auto t = c.db().type(c.arg(1));
    c.db().count_lookup(c.arg(1), t.has_value());
    c.out.simple(t ? to_string(*t) : std::string_view("none"));
}

template <Clock C>
void keys(Ctx<C>& c) {
    auto ks = c.db().keys(c.arg(1));
    c.out.array(ks.size());
    for (const auto& k : ks) c.out.bulk(k);
}

/// An option keyword as Redis's strcasecmp() sees it: up to the first NUL byte. (Not strings.hpp's
/// c_str: this file may be compiled before that one's body, see engine.hpp's includes.)
[[nodiscard]] inline std::string_view until_nul(std::string_view s) noexcept { return s.substr(0, s.find('\0')); }

/// Parses a SCAN cursor as Redis 7.0's parseScanCursorOrReply does, with strtoul(): no leading
/// space; an optional sign (a negative cursor wraps modulo 2^64); an empty string is cursor 0;
/// the text ends at a NUL byte (a C string); more than 64 bits is invalid.
inline std::optional<std::uint64_t> parse_cursor(std::string_view s) noexcept {
    if (const auto nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
    if (s.empty()) return 0;
    if (std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
    bool negative = false;
    std::string_view digits = s;
    if (digits[0] == '+' || digits[0] == '-') {
        negative = digits[0] == '-';
        digits.remove_prefix(1);
    }
    std::uint64_t v = 0;
    if (digits.empty() || digits[0] < '0' || digits[0] > '9') return std::nullopt;  // no number
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
    return negative ? 0 - v : v;
}

/// The options of SCAN / HSCAN / SSCAN / ZSCAN from argv[first]: MATCH, COUNT (and TYPE when
/// `allow_type`). Writes the error and returns false on a bad option.
struct ScanOptions {
    std::string_view pattern;  ///< empty: all
    std::size_t count = 10;
    std::optional<ValueType> type;
    bool unknown_type = false;  ///< TYPE named no type: nothing matches
    bool empty_pattern = false;  ///< MATCH "": only an empty name matches (as in Redis)
};
template <Clock C>
bool parse_scan_options(Ctx<C>& c, std::size_t first, ScanOptions& o, bool allow_type) {
    for (std::size_t i = first; i < c.argc(); i += 2) {
        if (i + 1 >= c.argc()) {
            c.out.error(errors::syntax);
            return false;
        }
        const std::string_view opt = until_nul(c.arg(i)), val = c.arg(i + 1);
        if (iequals(opt, "count")) {
            auto n = to_ll(val);
            if (!n) {
                c.out.error(errors::not_integer);
                return false;
            }
            if (*n < 1) {
                c.out.error(errors::syntax);
                return false;
            }
            o.count = static_cast<std::size_t>(*n);
        } else if (iequals(opt, "match")) {
            o.pattern = val == "*" ? std::string_view() : val;
            o.empty_pattern = val.empty();
        } else if (iequals(opt, "type") && allow_type) {
            const std::string t = lower(until_nul(val));
            if (t == "string") o.type = ValueType::string;
            else if (t == "list") o.type = ValueType::list;
            else if (t == "hash") o.type = ValueType::hash;
            else if (t == "set") o.type = ValueType::set;
            else if (t == "zset") o.type = ValueType::zset;
            else o.unknown_type = true;
        } else {
            c.out.error(errors::syntax);
            return false;
        }
    }
    return true;
}

template <Clock C>
void scan(Ctx<C>& c) {
    auto cursor = parse_cursor(c.arg(1));
    if (!cursor) {
        c.out.error("ERR invalid cursor");
        return;
    }
    ScanOptions o;
    if (!parse_scan_options(c, 2, o, true)) return;
    std::vector<std::string> found;
    const std::uint64_t next = c.db().scan(*cursor, o.count, o.pattern, o.type, [&](std::string_view k) {
        if (!o.unknown_type && (!o.empty_pattern || k.empty())) found.emplace_back(k);
    });
    c.out.array(2);
    c.out.bulk(std::to_string(next));
    c.out.array(found.size());
    for (const auto& k : found) c.out.bulk(k);
}

template <Clock C, bool NX>
void rename(Ctx<C>& c) {
    auto r = c.db().rename(c.key(1), c.key(2), NX);
    if (!r) c.out.error(errors::no_such_key);
    else if (NX) c.out.integer(*r ? 1 : 0);
    else c.out.simple("OK");
}

template <Clock C>
void randomkey(Ctx<C>& c) {
    if (auto k = c.db().random_key()) c.out.bulk(*k);
    else c.out.null();
}

/// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT.
template <Clock C, bool Seconds, bool Absolute>
void expire(Ctx<C>& c) {
    using Cond = typename RedisDb<C>::ExpireCond;
    Cond cond = Cond::always;
    bool nx = false, xx = false, gt = false, lt = false;
    for (std::size_t i = 3; i < c.argc(); ++i) {
        const std::string_view o = until_nul(c.arg(i));
        if (iequals(o, "nx")) nx = true;
        else if (iequals(o, "xx")) xx = true;
        else if (iequals(o, "gt")) gt = true;
        else if (iequals(o, "lt")) lt = true;
        else {
            c.out.error_trimmed("ERR Unsupported option " + std::string(o));
            return;
        }
    }
    if (nx && (xx || gt || lt)) {
        c.out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
        return;
    }
    if (gt && lt) {
        c.out.error("ERR GT and LT options at the same time are not compatible");
        return;
    }
    if (nx) cond = Cond::nx;
    else if (gt) cond = Cond::gt;
    else if (lt) cond = Cond::lt;
    else if (xx) cond = Cond::xx;
    auto v = to_ll(c.arg(2));
    if (!v) {
        c.out.error(errors::not_integer);
        return;
    }
    const char* name = Absolute ? (Seconds ? "expireat" : "pexpireat") : (Seconds ? "expire" : "pexpire");
    auto unix_ms_value = expire_unix_ms(*v, Seconds, Absolute, c.engine.database().unix_ms());
    if (!unix_ms_value) {
        c.out.error("ERR invalid expire time in '" + std::string(name) + "' command");
        return;
    }
    c.out.integer(c.db().expire_at(c.arg(1), store_deadline(c, *unix_ms_value), cond, xx && (gt || lt)) ? 1 : 0);
}

/// TTL / PTTL.
template <Clock C, bool Seconds>
void ttl(Ctx<C>& c) {
    const long long ms = c.db().pttl(c.arg(1));
    c.db().count_lookup(c.arg(1), ms != -2);
    if (ms < 0) c.out.integer(ms);
    else c.out.integer(Seconds ? (ms + 500) / 1000 : ms);
}

/// EXPIRETIME / PEXPIRETIME.
template <Clock C, bool Seconds>
void expiretime(Ctx<C>& c) {
    auto d = c.db().deadline(c.arg(1));
    c.db().count_lookup(c.arg(1), d.has_value());
    if (!d) c.out.integer(-2);
    else if (*d == no_deadline) c.out.integer(-1);
    else {
        const long long unix_ms_value = c.engine.database().unix_from_deadline(*d);
        // Seconds rounded to the nearest, as Redis's (ms + 500) / 1000 (no overflow near 2^63).
        const auto rounded = [](long long ms) {
            return ms < 0 ? (ms + 500) / 1000
                          : static_cast<long long>((static_cast<unsigned long long>(ms) + 500) / 1000);
        };
        c.out.integer(Seconds ? rounded(unix_ms_value) : unix_ms_value);
    }
}

template <Clock C>
void persist(Ctx<C>& c) {
    c.out.integer(c.db().persist(c.arg(1)) ? 1 : 0);
}

template <Clock C>
void touch(Ctx<C>& c) {
    long long n = 0;
    for (std::size_t i = 1; i < c.argc(); ++i) n += c.db().touch(c.arg(i)) ? 1 : 0;
    c.out.integer(n);
}

/// Parses a database number as SELECT / COPY DB / MOVE do; writes the error.
template <Clock C>
std::optional<std::size_t> parse_db(Ctx<C>& c, std::string_view s) {
    auto n = to_ll(s);
    if (!n) {
        c.out.error(errors::not_integer);
        return std::nullopt;
    }
    if (*n < INT_MIN || *n > INT_MAX) {  // Redis reads the number as an int
        c.out.error("ERR value is out of range, value must between -2147483648 and 2147483647");
        return std::nullopt;
    }
    if (*n < 0 || static_cast<unsigned long long>(*n) >= c.engine.database().databases()) {
        c.out.error(errors::db_range);
        return std::nullopt;
    }
    return static_cast<std::size_t>(*n);
}

template <Clock C>
void copy(Ctx<C>& c) {
    std::size_t dst_db = c.session.db_index();
    bool replace = false;
    for (std::size_t i = 3; i < c.argc(); ++i) {
        if (iequals(until_nul(c.arg(i)), "replace")) {
            replace = true;
        } else if (iequals(until_nul(c.arg(i)), "db") && i + 1 < c.argc()) {
            auto d = parse_db(c, c.arg(++i));
            if (!d) return;
            dst_db = *d;
        } else {
            c.out.error(errors::syntax);
            return;
        }
    }
    if (c.engine.cluster() && dst_db != c.session.db_index()) {
        c.out.error("ERR Copying to another database is not allowed in cluster mode");
        return;
    }
    if (dst_db == c.session.db_index() && c.arg(1) == c.arg(2)) {
        c.out.error("ERR source and destination objects are the same");
        return;
    }
    auto& to = c.engine.database().db(dst_db);
    c.out.integer(c.db().copy(c.key(1), to, c.key(2), replace) ? 1 : 0);
}

template <Clock C>
void move(Ctx<C>& c) {
    if (c.engine.cluster()) {
        c.out.error("ERR MOVE is not allowed in cluster mode");
        return;
    }
    auto d = parse_db(c, c.arg(2));
    if (!d) return;
    if (*d == c.session.db_index()) {
        c.out.error("ERR source and destination objects are the same");
        return;
    }
    c.out.integer(c.db().move(c.key(1), c.engine.database().db(*d)) ? 1 : 0);
}

template <Clock C>
void unsupported(Ctx<C>& c) {
    c.out.error("ERR '" + lower(c.arg(0)) + "' is not supported by cachet-server");
}

}  // namespace cmd

template <Clock C>
void register_key_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::vector<std::string> kw = {"keyspace", "write", "slow"}, kwf = {"keyspace", "write", "fast"},
                                   kr = {"keyspace", "read", "fast"};
    add_command<C>(t, "del", -2, cmd_write, 1, -1, 1, &del<C>, "generic", "Delete a key", "1.0.0", kw);
    add_command<C>(t, "unlink", -2, cmd_write | cmd_fast, 1, -1, 1, &del<C>, "generic", "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", "4.0.0", kwf);
    add_command<C>(t, "exists", -2, cmd_readonly | cmd_fast, 1, -1, 1, &exists<C>, "generic", "Determine if a key exists", "1.0.0", kr);
    add_command<C>(t, "touch", -2, cmd_readonly | cmd_fast, 1, -1, 1, &touch<C>, "generic", "Alters the last access time of a key(s). Returns the number of existing keys specified.", "3.2.1", kr);
    add_command<C>(t, "type", 2, cmd_readonly | cmd_fast, 1, 1, 1, &type<C>, "generic", "Determine the type stored at key", "1.0.0", kr);
    add_command<C>(t, "keys", 2, cmd_readonly, 0, 0, 0, &keys<C>, "generic", "Find all keys matching the given pattern", "1.0.0", {"keyspace", "read", "slow", "dangerous"});
    add_command<C>(t, "scan", -2, cmd_readonly, 0, 0, 0, &scan<C>, "generic", "Incrementally iterate the keys space", "2.8.0", {"keyspace", "read", "slow"});
    add_command<C>(t, "rename", 3, cmd_write, 1, 2, 1, &rename<C, false>, "generic", "Rename a key", "1.0.0", kw);
    add_command<C>(t, "renamenx", 3, cmd_write | cmd_fast, 1, 2, 1, &rename<C, true>, "generic", "Rename a key, only if the new key does not exist", "1.0.0", kwf);
    add_command<C>(t, "randomkey", 1, cmd_readonly, 0, 0, 0, &randomkey<C>, "generic", "Return a random key from the keyspace", "1.0.0", {"keyspace", "read", "slow"});
    add_command<C>(t, "expire", -3, cmd_write | cmd_fast, 1, 1, 1, &expire<C, true, false>, "generic", "Set a key's time to live in seconds", "1.0.0", kwf);
    add_command<C>(t, "pexpire", -3, cmd_write | cmd_fast, 1, 1, 1, &expire<C, false, false>, "generic", "Set a key's time to live in milliseconds", "2.6.0", kwf);
    add_command<C>(t, "expireat", -3, cmd_write | cmd_fast, 1, 1, 1, &expire<C, true, true>, "generic", "Set the expiration for a key as a UNIX timestamp", "1.2.0", kwf);
    add_command<C>(t, "pexpireat", -3, cmd_write | cmd_fast, 1, 1, 1, &expire<C, false, true>, "generic", "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "2.6.0", kwf);
    add_command<C>(t, "ttl", 2, cmd_readonly | cmd_fast, 1, 1, 1, &ttl<C, true>, "generic", "Get the time to live for a key in seconds", "1.0.0", kr);
    add_command<C>(t, "pttl", 2, cmd_readonly | cmd_fast, 1, 1, 1, &ttl<C, false>, "generic", "Get the time to live for a key in milliseconds", "2.6.0", kr);
    add_command<C>(t, "expiretime", 2, cmd_readonly | cmd_fast, 1, 1, 1, &expiretime<C, true>, "generic", "Get the expiration Unix timestamp for a key", "7.0.0", kr);
    add_command<C>(t, "pexpiretime", 2, cmd_readonly | cmd_fast, 1, 1, 1, &expiretime<C, false>, "generic", "Get the expiration Unix timestamp for a key in milliseconds", "7.0.0", kr);
    add_command<C>(t, "persist", 2, cmd_write | cmd_fast, 1, 1, 1, &persist<C>, "generic", "Remove the expiration from a key", "2.2.0", kwf);
    add_command<C>(t, "copy", -3, cmd_write | cmd_denyoom, 1, 2, 1, &copy<C>, "generic", "Copy a key", "6.2.0", kw);
    add_command<C>(t, "move", 3, cmd_write | cmd_fast, 1, 1, 1, &move<C>, "generic", "Move a key to another database", "1.0.0", kwf);
    add_command<C>(t, "debug", -2, cmd_admin | cmd_noscript | cmd_loading | cmd_stale | cmd_protected, 0, 0, 0, &unsupported<C>, "server", "Not supported by cachet-server", "1.0.0", {"admin", "slow", "dangerous"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_KEYS_HPP
