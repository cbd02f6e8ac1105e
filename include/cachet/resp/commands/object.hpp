#ifndef CACHET_RESP_COMMANDS_OBJECT_HPP
#define CACHET_RESP_COMMANDS_OBJECT_HPP

/// OBJECT ENCODING, REFCOUNT, FREQ, IDLETIME, HELP. ENCODING names the encoding Redis 7.0 would
/// use for the value, as the Database and the sorted-set commands follow it (a list is always a
/// quicklist in 7.0); REFCOUNT reports Redis's shared integers. FREQ and IDLETIME answer
/// from each key's access record (the database keeps an LFU counter under an LFU policy and
/// the last access's time otherwise, as Redis does), with Redis's errors where Redis has one. Included at the end of
/// zsets.hpp: it reads the sorted sets' encodings.

#include <cachet/resp/commands/zsets.hpp>
#include <cachet/resp/engine.hpp>

#include <climits>
#include <string>
#include <string_view>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

/// The encoding OBJECT ENCODING names for a string value, as Redis's tryObjectEncoding picks
/// it when the string is stored: "int" for a canonical 64-bit integer, "embstr" up to 44
/// bytes, "raw" beyond. A string APPEND or SETRANGE changed is "raw" whatever its content
/// (`Value::string_raw`), and INCRBYFLOAT's result is never "int" (`Value::string_text`).
/// Precondition: `v.type() == ValueType::string`.
[[nodiscard]] inline std::string_view string_encoding(const Value& v) noexcept {
    if (v.string_raw()) return "raw";
    const std::string_view s = *v.string_if();
    long long n;
    if (!v.string_text() && s.size() <= 20 && cachet::detail::string2ll(s, n)) return "int";
    return s.size() <= 44 ? "embstr" : "raw";
}

/// OBJECT ENCODING key: the encoding Redis 7.0 would use for the value (see the Database's
/// HashEncoding / SetEncoding and the sorted sets' ZEncoding; a list is always a quicklist in
/// 7.0), or a null reply for a missing key.
template <Clock C>
void object_encoding(Ctx<C>& c) {
    const zsetcmd::ListpackLimits zlim = zsetcmd::listpack_limits(c);
    const auto& database = c.engine.database();
    const std::string_view enc = c.db().peek(c.arg(2), [&](const Value* v) -> std::string_view {
        if (!v) return {};
        switch (v->type()) {
            case ValueType::string: return string_encoding(*v);
            case ValueType::list: return "quicklist";
            case ValueType::hash:
                return database.listpack_hash(*v->get_if<RedisHash>()) ? "listpack" : "hashtable";
            case ValueType::set:
                return database.intset_set(*v->get_if<RedisSet>()) ? "intset" : "hashtable";
            case ValueType::zset:
                return zsetcmd::listpack_encoded(*v->get_if<RedisZSet>(), zlim) ? "listpack" : "skiplist";
        }
        return {};
    });
    c.db().count_lookup(c.arg(2), !enc.empty(), false);  // Redis's LOOKUP_NONOTIFY
    if (enc.empty()) c.out.null();
    else c.out.bulk(enc);
}

/// OBJECT REFCOUNT key: as Redis, 2147483647 (INT_MAX) for a value Redis would hold as one of
/// its shared integers (an int-encoded string in [0, 10000), unless maxmemory is set with an
/// LRU or LFU policy), else 1; a null reply for a missing key.
template <Clock C>
void object_refcount(Ctx<C>& c) {
    const std::string policy = c.engine.config_value("maxmemory-policy");
    const bool shared_ints = c.engine.database().maxmemory() == 0 ||
                             (policy.find("lru") == std::string::npos &&
                              policy.find("lfu") == std::string::npos);
    const int refs = c.db().peek(c.arg(2), [&](const Value* v) {
        if (!v) return 0;
        if (!shared_ints || v->type() != ValueType::string || v->string_unshared()) return 1;
        const std::string_view s = *v->string_if();
        long long n;  // an "int" encoding (see string_encoding) in the shared range
        return s.size() <= 20 && cachet::detail::string2ll(s, n) && n >= 0 && n < 10000 ? INT_MAX
                                                                                       : 1;
    });
    c.db().count_lookup(c.arg(2), refs != 0, false);  // Redis's LOOKUP_NONOTIFY
    if (refs == 0) c.out.null();
    else c.out.integer(refs);
}

/// OBJECT FREQ key: a null reply for a missing key; otherwise Redis's error unless an LFU
/// maxmemory-policy is selected, and with one the key's logarithmic access counter (Redis's
/// LFU counter: 5 for a new key, decayed by lfu-decay-time). OBJECT IDLETIME: null for a
/// missing key; Redis's error under an LFU policy; otherwise the seconds since the key was
/// last read or written. Neither is an access (Redis's LOOKUP_NOTOUCH).
template <Clock C, bool Freq>
void object_freq_idle(Ctx<C>& c) {
    // A missing key is a null reply before the policy is looked at, as in Redis.
    const bool found = c.db().peek(c.arg(2), [](const Value* v) { return v != nullptr; });
    c.db().count_lookup(c.arg(2), found, false);  // Redis's LOOKUP_NONOTIFY
    if (!found) return c.out.null();
    const bool lfu = lfu_policy(c.engine.database().maxmemory_policy());
    if (Freq && !lfu) {
        c.out.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                    "Please note that when switching between policies at runtime LRU and LFU "
                    "data will take some time to adjust.");
    } else if (!Freq && lfu) {
        c.out.error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please "
                    "note that when switching between policies at runtime LRU and LFU data "
                    "will take some time to adjust.");
    } else {
        std::optional<std::uint64_t> n;
        if constexpr (Freq) n = c.db().access_frequency(c.arg(2));
        else n = c.db().idle_seconds(c.arg(2));
        if (!n) return c.out.null();  // deleted meanwhile by another client
        c.out.integer(static_cast<long long>(*n));
    }
}

template <Clock C>
void object_help(Ctx<C>& c) {
    static const char* lines[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help."};
    help_reply(c.out, lines);
}

}  // namespace cmd

template <Clock C>
void register_object_commands(CommandTable<C>& t) {
    using namespace cmd;
    auto& object = add_command<C>(t, "object", -2, 0, 0, 0, 0, nullptr, "generic", "A container for object introspection commands", "2.2.3", {"slow"});
    const std::vector<std::string> ko = {"keyspace", "read", "slow"};
    add_command<C>(object.subcommands, "encoding", 3, cmd_readonly, 2, 2, 1, &object_encoding<C>, "generic", "Inspect the internal encoding of a Redis object", "2.2.3", ko);
    add_command<C>(object.subcommands, "freq", 3, cmd_readonly, 2, 2, 1, &object_freq_idle<C, true>, "generic", "Get the logarithmic access frequency counter of a Redis object", "4.0.0", ko);
    add_command<C>(object.subcommands, "idletime", 3, cmd_readonly, 2, 2, 1, &object_freq_idle<C, false>, "generic", "Get the time since a Redis object was last accessed", "2.2.3", ko);
    add_command<C>(object.subcommands, "refcount", 3, cmd_readonly, 2, 2, 1, &object_refcount<C>, "generic", "Get the number of references to the value of the key", "2.2.3", ko);
    add_command<C>(object.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &object_help<C>, "generic", "Show helpful text about the different subcommands", "6.2.0", {"keyspace", "slow"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_OBJECT_HPP
