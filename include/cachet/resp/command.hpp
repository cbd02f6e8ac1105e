#ifndef CACHET_RESP_COMMAND_HPP
#define CACHET_RESP_COMMAND_HPP

/// The pieces of the RESP command layer that every command family uses: the handler context
/// `Ctx`, the command table entry `CommandSpec`, Redis's shared error texts, argument parsing,
/// and the configuration and limit types. See engine.hpp for the layer itself.

#include <cachet/clock.hpp>
#include <cachet/database.hpp>
#include <cachet/detail/config.hpp>
#include <cachet/detail/glob.hpp>
#include <cachet/detail/redis_number.hpp>
#include <cachet/pubsub_bus.hpp>
#include <cachet/resp/config_table.hpp>
#include <cachet/resp/protocol.hpp>
#include <cachet/resp/reply_writer.hpp>
#include <cachet/resp/request_parser.hpp>

#include <algorithm>
#include <climits>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace detail {
/// Redis's memtoull: a decimal number of bytes with an optional unit (b, k, kb, m, mb, g, gb;
/// any case; k/m/g are powers of 1000, kb/mb/gb of 1024). nullopt if malformed or too large.
[[nodiscard]] inline std::optional<long long> parse_memory(std::string_view s) noexcept {
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits == 0) return std::nullopt;
    std::string unit;
    for (char c : s.substr(digits)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    unsigned long long mul = 1;
    if (unit.empty() || unit == "b") mul = 1;
    else if (unit == "k") mul = 1000;
    else if (unit == "kb") mul = 1024;
    else if (unit == "m") mul = 1000 * 1000;
    else if (unit == "mb") mul = 1024 * 1024;
    else if (unit == "g") mul = 1000ULL * 1000 * 1000;
    else if (unit == "gb") mul = 1024ULL * 1024 * 1024;
    else return std::nullopt;
    unsigned long long v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        if (v > (~0ULL - 9) / 10) return std::nullopt;
        v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    if (v > static_cast<unsigned long long>(LLONG_MAX) / mul) return std::nullopt;
    return static_cast<long long>(v * mul);
}
}  // namespace detail

namespace resp {

template <Clock C>
class Engine;
template <Clock C>
class Session;

/// Redis's command flags, as COMMAND INFO reports them.
enum CommandFlag : std::uint32_t {
    cmd_write = 1u << 0,
    cmd_readonly = 1u << 1,
    cmd_denyoom = 1u << 2,
    cmd_admin = 1u << 3,
    cmd_pubsub = 1u << 4,
    cmd_noscript = 1u << 5,
    cmd_blocking = 1u << 6,
    cmd_loading = 1u << 7,
    cmd_stale = 1u << 8,
    cmd_skip_monitor = 1u << 9,
    cmd_fast = 1u << 10,
    cmd_no_auth = 1u << 11,
    cmd_no_multi = 1u << 12,  ///< refused inside MULTI (Redis's CMD_NO_MULTI)
    cmd_allow_busy = 1u << 13,
    cmd_skip_slowlog = 1u << 16,
    cmd_redact = 1u << 17,     ///< not a Redis flag: MONITOR and SLOWLOG hide its arguments (AUTH, HELLO)
    cmd_protected = 1u << 18,  ///< Redis's CMD_PROTECTED: DEBUG, refused while enable-debug-command is no
    cmd_takes_gate = 1u << 19,      ///< not a Redis flag: takes the transaction gate exclusively (EXEC, SWAPDB, SYNC)
    cmd_may_replicate = 1u << 20,   ///< Redis's may-replicate: fed to replicas though not a write (PUBLISH)
    cmd_movablekeys = 1u << 21,     ///< Redis's movablekeys: set by `add_command` (see `has_movable_keys`)
    cmd_no_async_loading = 1u << 22,  ///< Redis's no-async-loading (SAVE, SYNC, REPLICAOF)
    cmd_no_mandatory_keys = 1u << 23,  ///< Redis's no-mandatory-keys (EVAL: its keys may be none)
    /// Not a Redis flag: the key positions name channels (the key spec's not_key flag:
    /// SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH); cluster mode routes by them, COMMAND GETKEYS and
    /// the key-based bookkeeping do not take them for keys.
    cmd_channel_keys = 1u << 24,
    /// Not a Redis flag: fed to replicas as may-replicate commands are, though COMMAND INFO
    /// does not say so (SPUBLISH, which Redis propagates by hand outside a cluster).
    cmd_replicated = 1u << 25,
};

/// What a command handler sees.
template <Clock C>
struct Ctx {
    Engine<C>& engine;
    Session<C>& session;
    std::span<const std::string_view> argv;  ///< argv[0] is the command name as sent
    ReplyWriter& out;
    bool in_exec = false;  ///< running inside EXEC: blocking commands do not block

    [[nodiscard]] RedisDb<C>& db() noexcept;
    [[nodiscard]] std::size_t argc() const noexcept { return argv.size(); }
    [[nodiscard]] std::string_view arg(std::size_t i) const noexcept { return argv[i]; }
    /// argv[i] as a std::string (keys of the container views).
    [[nodiscard]] std::string key(std::size_t i) const { return std::string(argv[i]); }
};

/// One command of the table.
template <Clock C>
struct CommandSpec {
    std::string name;  ///< lower case
    int arity = 0;     ///< Redis's: n exact, -n at least n (the name counts)
    std::uint32_t flags = 0;
    int first_key = 0, last_key = 0, step = 0;  ///< key positions (last -1: to the end)
    void (*handler)(Ctx<C>&) = nullptr;
    std::string group;    ///< COMMAND DOCS group ("string", "list", ...)
    std::string summary;  ///< COMMAND DOCS summary
    std::string since = "1.0.0";
    std::vector<std::string> acl;  ///< ACL categories without '@'
    /// Container commands (CONFIG, CLIENT, ...): subcommand specs by lower-case name.
    std::map<std::string, CommandSpec> subcommands;
    /// Dense index over the engine's commands and subcommands (INFO commandstats' counters);
    /// `stat_name` is Redis's name there ("get", "config|get").
    std::size_t id = 0;
    std::string stat_name;

    [[nodiscard]] bool arity_ok(std::size_t argc) const noexcept {
        const auto n = static_cast<long long>(argc);
        return arity >= 0 ? n == arity : n >= -arity;
    }
};

/// True for the commands whose keys follow a count argument (ZUNIONSTORE dst numkeys key...,
/// LMPOP numkeys key..., BLMPOP timeout numkeys key...): Redis's movable keys.
[[nodiscard]] inline const std::pair<std::size_t, std::size_t>* counted_keys(std::string_view name) {
    // {count's position, first key's position}
    static const std::map<std::string_view, std::pair<std::size_t, std::size_t>> counted = {
        {"zunionstore", {2, 3}}, {"zinterstore", {2, 3}}, {"zdiffstore", {2, 3}},
        {"zunion", {1, 2}},      {"zinter", {1, 2}},      {"zdiff", {1, 2}},
        {"zintercard", {1, 2}},  {"sintercard", {1, 2}},  {"lmpop", {1, 2}},
        {"zmpop", {1, 2}},       {"blmpop", {2, 3}},      {"bzmpop", {2, 3}},
        {"eval", {2, 3}},        {"evalsha", {2, 3}},     {"eval_ro", {2, 3}},
        {"evalsha_ro", {2, 3}}};
    auto it = counted.find(name);
    return it == counted.end() ? nullptr : &it->second;
}
[[nodiscard]] inline bool has_counted_keys(std::string_view name) { return counted_keys(name) != nullptr; }

[[nodiscard]] inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// Redis's movablekeys: the commands whose keys are found by parsing their arguments (the
/// counted ones, and SORT/SORT_RO, GEORADIUS and GEORADIUSBYMEMBER, whose STORE may stand
/// anywhere). `add_command` sets the flag.
[[nodiscard]] inline bool has_movable_keys(std::string_view name) {
    return has_counted_keys(name) || name == "sort" || name == "sort_ro" || name == "georadius" ||
           name == "georadiusbymember";
}

/// The key arguments of a command (`argv[0]` its name; `spec` its own, a subcommand's for a
/// container), as Redis 7.0's COMMAND GETKEYS finds them: the fixed positions, then for the
/// commands whose keys are counted that many keys after the count. nullopt if the count is
/// below 1 or beyond the arguments. Used by COMMAND GETKEYS and cluster routing.
template <class Spec>
[[nodiscard]] std::optional<std::vector<std::string_view>> command_keys(const Spec& spec,
                                                                      std::span<const std::string_view> argv) {
    std::vector<std::string_view> keys;
    const std::size_t argc = argv.size();
    const long long last = spec.last_key < 0 ? static_cast<long long>(argc) + spec.last_key : spec.last_key;
    if (spec.first_key > 0)
        for (long long i = spec.first_key; i <= last && i < static_cast<long long>(argc); i += spec.step)
            keys.push_back(argv[static_cast<std::size_t>(i)]);
    if (const auto* movable = counted_keys(spec.name)) {
        const auto [at, from] = *movable;
        long long n = 0;
        // EVAL's scripts may take no keys; the other commands' counts start at 1.
        const long long least = spec.name.starts_with("eval") ? 0 : 1;
        if (at >= argc || !cachet::detail::string2ll(argv[at], n) || n < least ||
            n > static_cast<long long>(argc - from))
            return std::nullopt;
        for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) keys.push_back(argv[from + i]);
    }
    if (spec.name == "sort") {  // Redis's sortGetKeys: the last STORE's destination
        std::optional<std::string_view> store;
        for (std::size_t i = 2; i < argc; ++i) {
            if (iequals(argv[i], "limit")) i += 2;
            else if (iequals(argv[i], "get") || iequals(argv[i], "by")) i += 1;
            else if (iequals(argv[i], "store") && i + 1 < argc) store = argv[i + 1];
        }
        if (store) keys.push_back(*store);
    }
    if (spec.name == "georadius" || spec.name == "georadiusbymember") {
        // Redis 7.0's key specifications: the key after the first STORE, then the key after
        // the first STOREDIST, searched for among the options.
        const std::size_t from = spec.name == "georadius" ? 6 : 5;
        for (std::string_view word : {std::string_view("store"), std::string_view("storedist")})
            for (std::size_t i = from; i < argc; ++i)
                if (iequals(argv[i], word)) {
                    if (i + 1 < argc) keys.push_back(argv[i + 1]);
                    break;
                }
    }
    return keys;
}

/// The steady clock in milliseconds (a running script's start and the BUSY checks).
[[nodiscard]] inline long long steady_ms() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// The command or subcommand ("client|list") named `n` (lower case) in `t`, or nullptr.
template <class Table>
[[nodiscard]] auto find_command_spec(const Table& t, const std::string& n) ->
    const typename Table::mapped_type* {
    const auto bar = n.find('|');
    auto it = t.find(n.substr(0, bar));
    if (it == t.end()) return nullptr;
    if (bar == std::string::npos) return &it->second;
    auto sub = it->second.subcommands.find(n.substr(bar + 1));
    return sub == it->second.subcommands.end() ? nullptr : &sub->second;
}

/// Lower-cases ASCII letters.
[[nodiscard]] inline std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
[[nodiscard]] inline std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// Adds command `name` to `table` (a helper for the registration functions).
template <Clock C, class Table>
CommandSpec<C>& add_command(Table& table, std::string name, int arity, std::uint32_t flags,
                            int first_key, int last_key, int step, void (*handler)(Ctx<C>&),
                            std::string group, std::string summary, std::string since = "1.0.0",
                            std::vector<std::string> acl = {}) {
    CommandSpec<C> spec;
    spec.name = name;
    spec.arity = arity;
    spec.flags = flags | (has_movable_keys(name) ? std::uint32_t{cmd_movablekeys} : 0u);
    spec.first_key = first_key;
    spec.last_key = last_key;
    spec.step = step;
    spec.handler = handler;
    spec.group = std::move(group);
    spec.summary = std::move(summary);
    spec.since = std::move(since);
    spec.acl = std::move(acl);
    return table[std::move(name)] = std::move(spec);
}

/// Redis's error texts used across commands.
namespace errors {
inline constexpr std::string_view syntax = "ERR syntax error";
inline constexpr std::string_view not_integer = "ERR value is not an integer or out of range";
inline constexpr std::string_view not_float = "ERR value is not a valid float";
inline constexpr std::string_view overflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view wrongtype =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view noauth = "NOAUTH Authentication required.";
inline constexpr std::string_view oom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view no_such_key = "ERR no such key";
inline constexpr std::string_view db_range = "ERR DB index is out of range";
inline constexpr std::string_view not_positive = "ERR value is out of range, must be positive";
}  // namespace errors

/// Writes a HELP subcommand's reply: `lines` as an array of simple strings.
template <class Out, std::size_t N>
void help_reply(Out& out, const char* const (&lines)[N]) {
    out.array(N);
    for (const char* l : lines) out.simple(l);
}

/// A command that only answers OK (CLIENT SETINFO, MEMORY PURGE).
template <Clock C>
void ok_reply(Ctx<C>& c) {
    c.out.simple("OK");
}

/// Parses argv as Redis's getLongLongFromObject does.
[[nodiscard]] inline std::optional<long long> to_ll(std::string_view s) noexcept {
    long long v;
    if (!cachet::detail::string2ll(s, v)) return std::nullopt;
    return v;
}
/// Redis's addReplySubcommandSyntaxError: the subcommand `c.arg(1)` of `container` ("CLIENT")
/// was given the wrong arguments.
template <Clock C>
void subcommand_syntax_error(Ctx<C>& c, std::string_view container) {
    c.out.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(c.arg(1).substr(0, 128)) +
                "'. Try " + std::string(container) + " HELP.");
}

/// Argument `i` as a timeout in milliseconds, as Redis's getTimeoutFromObjectOrReply reads
/// one for WAIT and CLIENT PAUSE: an integer, not negative. On error, replies it and returns
/// nullopt.
template <Clock C>
[[nodiscard]] std::optional<long long> timeout_ms_arg(Ctx<C>& c, std::size_t i) {
    const auto ms = to_ll(c.arg(i));
    if (!ms) {
        c.out.error("ERR timeout is not an integer or out of range");
        return std::nullopt;
    }
    if (*ms < 0) {
        c.out.error("ERR timeout is negative");
        return std::nullopt;
    }
    return ms;
}
/// Parses argv as Redis's getLongDoubleFromObject does.
[[nodiscard]] inline std::optional<long double> to_ld(std::string_view s) noexcept {
    long double v;
    if (!cachet::detail::string2ld(s, v)) return std::nullopt;
    return v;
}

/// A configuration parameter: its value as CONFIG GET reports it, how CONFIG SET validates a
/// new one, and what applying it changes (for the parameters cachet honours).
struct ConfigParam {
    std::string value;
    ParamKind kind = ParamKind::string;
    long long min = 0, max = 0;
    std::string choices;  ///< enumeration and flags kinds: ", "-separated
    /// Validates `v` for the special kind; returns the error text or empty, and the value to
    /// store in `normalized` (which holds the current value on entry). Called with the
    /// engine's configuration lock held: it must not call back into the engine.
    std::function<std::string(std::string_view v, std::string& normalized)> validate;
    /// Applies an accepted value (null: stored only, as Redis reports it back).
    std::function<void(const std::string&)> apply;
};

/// The Engine's options (from cachet-server's flags or a redis.conf file, then CONFIG SET).
struct EngineOptions {
    std::string requirepass;
    std::size_t maxclients = 10000;
    ParserLimits limits{};
    std::uint64_t maxmemory = 0;
    std::string maxmemory_policy = "noeviction";
    std::string notify_keyspace_events;
    int port = 6379;
    std::string bind = "127.0.0.1";
    int io_threads = 0;
    std::uint64_t timeout = 0;  ///< idle client timeout in seconds (0: never)
};

/// Per-client output buffer limits (client-output-buffer-limit) for one class.
struct OutputLimit {
    std::uint64_t hard = 0;          ///< bytes; 0: none
    std::uint64_t soft = 0;          ///< bytes; 0: none
    std::uint64_t soft_seconds = 0;  ///< how long over `soft` is tolerated
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMAND_HPP
