#ifndef CACHET_RESP_COMMANDS_SERVER_HPP
#define CACHET_RESP_COMMANDS_SERVER_HPP

/// Server commands: COMMAND (COUNT, INFO, DOCS, LIST, GETKEYS), INFO, CONFIG (see config.hpp),
/// DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, SHUTDOWN.

#include <cachet/resp/command_docs.hpp>
#include <cachet/resp/engine.hpp>
#include <cachet/version.hpp>

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

/// A byte count as Redis's bytesToHuman prints it in INFO: "512B", "1.50K", "4.69M", ...
[[nodiscard]] inline std::string bytes_to_human(std::uint64_t n) {
    if (n < 1024) return std::to_string(n) + "B";
    static const char units[] = {'K', 'M', 'G', 'T', 'P'};
    double d = static_cast<double>(n) / 1024;
    std::size_t u = 0;
    while (u + 1 < sizeof units && d >= 1024) {
        d /= 1024;
        ++u;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f%c", d, units[u]);
    return buf;
}

template <Clock C>
void config_get(Ctx<C>& c);
template <Clock C>
void config_set(Ctx<C>& c);
template <Clock C>
void config_resetstat(Ctx<C>& c);
template <Clock C>
void config_rewrite(Ctx<C>& c);
template <Clock C>
void config_help(Ctx<C>& c);

/// The command flags COMMAND INFO names, in the order Redis 7.0 lists them.
inline constexpr std::pair<std::uint32_t, const char*> flag_names[] = {
    {cmd_write, "write"},         {cmd_readonly, "readonly"},   {cmd_denyoom, "denyoom"},
    {cmd_admin, "admin"},         {cmd_pubsub, "pubsub"},       {cmd_noscript, "noscript"},
    {cmd_blocking, "blocking"},   {cmd_loading, "loading"},     {cmd_stale, "stale"},
    {cmd_skip_monitor, "skip_monitor"}, {cmd_skip_slowlog, "skip_slowlog"}, {cmd_fast, "fast"},
    {cmd_no_auth, "no_auth"},     {cmd_no_mandatory_keys, "no_mandatory_keys"},
    {cmd_no_async_loading, "no_async_loading"},
    {cmd_no_multi, "no_multi"},   {cmd_movablekeys, "movablekeys"}, {cmd_allow_busy, "allow_busy"}};

/// Redis's documentation of command `fullname` (lower case; "client|list" for a subcommand),
/// or nullptr if Redis 7.0 has no such command. O(log n).
[[nodiscard]] inline const detail::CommandDocEntry* redis_docs(std::string_view fullname) noexcept {
    const auto* end = std::end(detail::redis_command_docs);
    const auto* it = std::lower_bound(std::begin(detail::redis_command_docs), end, fullname,
                                      [](const auto& e, std::string_view n) { return e.name < n; });
    return it != end && it->name == fullname ? it : nullptr;
}

inline std::string_view replay_resp3_items(ReplyWriter& out, std::string_view bytes,
                                           std::size_t count);

/// Writes the RESP3 value at the front of `bytes` through `out` (which flattens maps and sets
/// in RESP2, as Redis's writer does) and returns the bytes after it. For the generated tables
/// of command_docs.hpp only: their bytes are Redis's replies, so they are not validated
/// (simple strings, bulk strings, integers, arrays, sets and maps).
inline std::string_view replay_resp3(ReplyWriter& out, std::string_view bytes) {
    const std::size_t eol = bytes.find("\r\n");
    const char kind = bytes[0];
    const std::string_view line = bytes.substr(1, eol - 1);
    bytes.remove_prefix(eol + 2);
    long long n = 0;
    if (kind != '+') std::from_chars(line.data(), line.data() + line.size(), n);
    const auto count = static_cast<std::size_t>(n);
    switch (kind) {
        case '+': out.simple(line); return bytes;
        case ':': out.integer(n); return bytes;
        case '$': out.bulk(bytes.substr(0, count)); return bytes.substr(count + 2);
        case '*': out.array(count); break;
        case '~': out.set(count); break;
        default: assert(kind == '%'); out.map(count); return replay_resp3_items(out, bytes, 2 * count);
    }
    return replay_resp3_items(out, bytes, count);
}
/// `replay_resp3` of `count` values in a row.
inline std::string_view replay_resp3_items(ReplyWriter& out, std::string_view bytes, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) bytes = replay_resp3(out, bytes);
    return bytes;
}

/// One COMMAND INFO entry, as Redis 7.0 writes it.
template <Clock C>
void write_command_info(ReplyWriter& out, const CommandSpec<C>& s, const std::string& fullname) {
    out.array(10);
    out.bulk(fullname);
    out.integer(s.arity);
    std::vector<std::string_view> flags;
    for (const auto& [bit, name] : flag_names)
        if (s.flags & bit) flags.push_back(name);
    out.set(flags.size());
    for (auto f : flags) out.simple(f);
    out.integer(s.first_key);
    out.integer(s.last_key);
    out.integer(s.step);
    out.set(s.acl.size());
    for (const auto& a : s.acl) out.simple("@" + a);
    if (const auto* docs = redis_docs(fullname)) {  // Redis's tips and key specifications
        replay_resp3(out, docs->tips);
        replay_resp3(out, docs->key_specs);
    } else {
        out.set(0);
        if (s.first_key > 0) {
            out.set(1);
            out.map(3);
            out.bulk("flags");
            const bool write = s.flags & cmd_write;
            if (s.flags & cmd_channel_keys) {
                out.set(1);
                out.simple("not_key");
            } else {
                out.set(2);
                out.simple(write ? "RW" : "RO");
                out.simple(write ? "update" : "access");
            }
            out.bulk("begin_search");
            out.map(2);
            out.bulk("type");
            out.bulk("index");
            out.bulk("spec");
            out.map(1);
            out.bulk("index");
            out.integer(s.first_key);
            out.bulk("find_keys");
            out.map(2);
            out.bulk("type");
            out.bulk("range");
            out.bulk("spec");
            out.map(3);
            out.bulk("lastkey");
            out.integer(s.last_key < 0 ? s.last_key : s.last_key - s.first_key);
            out.bulk("keystep");
            out.integer(s.step);
            out.bulk("limit");
            out.integer(0);
        } else {
            out.set(0);
        }
    }
    // Redis 7.0 writes no subcommands as an empty set, else an array (addReplyCommandSubCommands)
    if (s.subcommands.empty()) out.set(0);
    else out.array(s.subcommands.size());
    for (const auto& [name, sub] : s.subcommands) write_command_info<C>(out, sub, fullname + "|" + name);
}

/// One COMMAND DOCS entry: Redis 7.0's documentation of the command (summary, since, group,
/// complexity, doc flags, history, arguments), or for a command Redis does not have, cachet's
/// summary, since and group; then the subcommands cachet has.
template <Clock C>
void write_command_docs(ReplyWriter& out, const CommandSpec<C>& s, const std::string& fullname) {
    const bool subs = !s.subcommands.empty();
    if (const auto* docs = redis_docs(fullname)) {
        out.map(docs->doc_fields + (subs ? 1 : 0));
        replay_resp3_items(out, docs->docs, 2 * std::size_t{docs->doc_fields});
    } else {
        out.map(subs ? 4 : 3);
        out.bulk("summary");
        out.bulk(s.summary);
        out.bulk("since");
        out.bulk(s.since);
        out.bulk("group");
        out.bulk(s.group);
    }
    if (subs) {
        out.bulk("subcommands");
        out.map(s.subcommands.size());
        for (const auto& [name, sub] : s.subcommands) {
            const std::string full = fullname + "|" + name;
            out.bulk(full);
            write_command_docs<C>(out, sub, full);
        }
    }
}

template <Clock C>
void command(Ctx<C>& c) {
    const auto& t = c.engine.commands();
    c.out.array(t.size());
    for (const auto& [name, spec] : t) write_command_info<C>(c.out, spec, name);
}

template <Clock C>
void command_count(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.engine.commands().size()));
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern], as Redis 7.0:
/// every command and subcommand ("config|get"), or those of an ACL category, or those whose
/// full name matches a glob pattern (case-insensitive); no command comes from a module.
template <Clock C>
void command_list(Ctx<C>& c) {
    std::function<bool(const CommandSpec<C>&, const std::string&)> keep =
        [](const CommandSpec<C>&, const std::string&) { return true; };
    if (c.argc() != 2) {
        if (c.argc() != 5 || !iequals(c.arg(2), "filterby")) {
            c.out.error(errors::syntax);
            return;
        }
        const std::string what = lower(c.arg(3));
        const std::string arg(c.arg(4));
        if (what == "module") {
            keep = [](const CommandSpec<C>&, const std::string&) { return false; };
        } else if (what == "aclcat") {
            const std::string cat = lower(arg);
            keep = [cat](const CommandSpec<C>& s, const std::string&) {
                return std::find(s.acl.begin(), s.acl.end(), cat) != s.acl.end();
            };
        } else if (what == "pattern") {
            keep = [arg](const CommandSpec<C>&, const std::string& full) {
                return cachet::detail::glob_match(arg, full, true);
            };
        } else {
            c.out.error(errors::syntax);
            return;
        }
    }
    std::vector<std::string> names;
    for (const auto& [name, spec] : c.engine.commands()) {
        if (keep(spec, name)) names.push_back(name);
        for (const auto& [sub, sspec] : spec.subcommands) {
            std::string full = name + '|' + sub;
            if (keep(sspec, full)) names.push_back(std::move(full));
        }
    }
    c.out.array(names.size());
    for (const auto& n : names) c.out.bulk(n);
}

template <Clock C>
void command_info(Ctx<C>& c) {
    const auto& t = c.engine.commands();
    if (c.argc() == 2) {
        command(c);
        return;
    }
    c.out.array(c.argc() - 2);
    for (std::size_t i = 2; i < c.argc(); ++i) {
        const std::string n = lower(c.arg(i));
        if (const auto* spec = find_command_spec(t, n)) write_command_info<C>(c.out, *spec, n);
        else c.out.null();  // addReplyNull: $-1 in RESP2
    }
}

/// COMMAND DOCS [name ...]: every command's documentation, or those named (a subcommand as
/// "client|list"); unknown names are left out, as Redis does.
template <Clock C>
void command_docs(Ctx<C>& c) {
    const auto& t = c.engine.commands();
    std::vector<std::pair<std::string, const CommandSpec<C>*>> specs;
    if (c.argc() == 2) {
        for (const auto& [name, spec] : t) specs.emplace_back(name, &spec);
    } else {
        for (std::size_t i = 2; i < c.argc(); ++i) {
            std::string n = lower(c.arg(i));
            if (const auto* spec = find_command_spec(t, n)) specs.emplace_back(std::move(n), spec);
        }
    }
    c.out.map(specs.size());
    for (const auto& [name, spec] : specs) {
        c.out.bulk(name);
        write_command_docs<C>(c.out, *spec, name);
    }
}

/// COMMAND GETKEYS command arg...: the key arguments, as Redis 7.0 finds them: the fixed
/// positions of the command (or of its subcommand: OBJECT ENCODING key), then, for the
/// commands whose keys are counted by an argument (ZUNIONSTORE dst numkeys key..., LMPOP
/// numkeys key..., BLMPOP timeout numkeys key...), that many keys after the count; a count
/// below 1 or beyond the arguments is Redis's "Invalid arguments" error.
template <Clock C>
void command_getkeys(Ctx<C>& c) {
    const CommandSpec<C>* spec = c.engine.find(c.arg(2));
    if (!spec) {
        c.out.error("ERR Invalid command specified");
        return;
    }
    const std::size_t argc = c.argc() - 2;
    if (!spec->subcommands.empty() && argc >= 2) {
        if (auto it = spec->subcommands.find(lower(c.arg(3))); it != spec->subcommands.end())
            spec = &it->second;
    }
    if (!spec->arity_ok(argc)) {
        c.out.error("ERR Invalid number of arguments specified for command");
        return;
    }
    if ((spec->first_key <= 0 && !has_counted_keys(spec->name)) || (spec->flags & cmd_channel_keys)) {
        c.out.error("ERR The command has no key arguments");
        return;
    }
    const auto keys = command_keys(*spec, c.argv.subspan(2));
    if (!keys) {
        c.out.error("ERR Invalid arguments specified for command");
        return;
    }
    c.out.array(keys->size());
    for (auto k : *keys) c.out.bulk(k);
}

template <Clock C>
void command_help(Ctx<C>& c) {
    static const char* lines[] = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)", "    Return details about all Redis commands.",
        "COUNT", "    Return the total number of commands in this Redis server.",
        "LIST", "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
        "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
        "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
        "HELP", "    Prints this help."};
    help_reply(c.out, lines);
}

/// MEMORY USAGE key [SAMPLES count]: the store's estimate of the bytes the key takes (what
/// maxmemory counts), or a null reply for an absent key. SAMPLES is checked as Redis checks it
/// and otherwise ignored: the estimate never walks a container.
template <Clock C>
void memory_usage(Ctx<C>& c) {
    for (std::size_t j = 3; j < c.argc(); ++j) {
        if (iequals(c.arg(j), "samples") && j + 1 < c.argc()) {
            const auto n = to_ll(c.arg(j + 1));
            if (!n) return c.out.error(errors::not_integer);
            if (*n < 0) return c.out.error(errors::syntax);
            ++j;
        } else {
            return c.out.error(errors::syntax);
        }
    }
    const auto bytes = c.db().memory_usage(c.arg(2));
    if (!bytes) return c.out.null();
    c.out.integer(static_cast<long long>(*bytes));
}

template <Clock C>
void memory_help(Ctx<C>& c) {
    static const char* lines[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR", "    Return memory problems reports.",
        "MALLOC-STATS", "    Return internal statistics report from the memory allocator.",
        "PURGE", "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS", "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP", "    Prints this help."};
    help_reply(c.out, lines);
}

/// The process's resident set size in bytes (Linux /proc; 0 elsewhere).
[[nodiscard]] inline std::uint64_t resident_bytes() {
    long pages = 0, size = 0;
    std::ifstream statm("/proc/self/statm");
    statm >> size >> pages;
    return pages > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

/// The memory accounting MEMORY STATS and INFO memory report: used_memory is the sum of the
/// keys' estimates (MEMORY USAGE), all of it counted as dataset except the estimated per-key
/// overhead (the entry and its index bucket, 96 bytes, as RedisDb::key_memory counts it; 8 more
/// for a key with a TTL); the allocator figures are the libc ones Redis reports without
/// jemalloc (allocated = active = used, resident = RSS).
struct MemoryFigures {
    std::uint64_t used = 0, peak = 0, rss = 0, overhead = 0, keys = 0;
    /// Per database with keys: (index, (main overhead, expires overhead)).
    std::vector<std::pair<std::size_t, std::pair<std::uint64_t, std::uint64_t>>> dbs;

    [[nodiscard]] std::uint64_t dataset() const noexcept { return used - overhead; }
    [[nodiscard]] static double ratio(std::uint64_t a, std::uint64_t b) noexcept {
        return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
    }
};
template <Clock C>
[[nodiscard]] MemoryFigures memory_figures(Engine<C>& e) {
    auto& database = e.database();
    MemoryFigures m;
    m.used = database.used_memory();
    m.peak = e.note_memory();
    m.rss = resident_bytes();
    constexpr std::uint64_t entry_overhead = 96;
    for (std::size_t i = 0; i < database.databases(); ++i) {
        const std::uint64_t n = database.db(i).size();
        if (n == 0) continue;
        const std::uint64_t main = n * entry_overhead, expires = database.db(i).keys_with_ttl() * 8;
        m.dbs.push_back({i, {main, expires}});
        m.keys += n;
        m.overhead += main + expires;
    }
    m.overhead = std::min(m.overhead, m.used);
    return m;
}

/// MEMORY STATS: Redis's fields, from `memory_figures`.
template <Clock C>
void memory_stats(Ctx<C>& c) {
    const MemoryFigures m = memory_figures(c.engine);
    const std::uint64_t used = m.used, peak = m.peak, rss = m.rss, overhead = m.overhead, keys = m.keys;
    const auto& dbs = m.dbs;
    const auto ratio = &MemoryFigures::ratio;
    c.out.map(27 + dbs.size());
    auto num = [&](const char* k, std::uint64_t v) {
        c.out.bulk(k);
        c.out.integer(static_cast<long long>(v));
    };
    auto dbl = [&](const char* k, double v) {
        c.out.bulk(k);
        c.out.double_reply(v);
    };
    num("peak.allocated", peak);
    num("total.allocated", used);
    num("startup.allocated", 0);
    num("replication.backlog", 0);
    num("clients.slaves", 0);
    num("clients.normal", 0);
    num("cluster.links", 0);
    num("aof.buffer", 0);
    num("lua.caches", 0);
    num("functions.caches", 0);
    for (const auto& [i, o] : dbs) {
        c.out.bulk("db." + std::to_string(i));
        c.out.map(3);
        num("overhead.hashtable.main", o.first);
        num("overhead.hashtable.expires", o.second);
        num("overhead.hashtable.slot-to-keys", 0);
    }
    num("overhead.total", overhead);
    num("keys.count", keys);
    num("keys.bytes-per-key", keys ? used / keys : 0);
    num("dataset.bytes", used - overhead);
    dbl("dataset.percentage", 100.0 * ratio(used - overhead, used));
    dbl("peak.percentage", 100.0 * ratio(used, peak));
    num("allocator.allocated", used);
    num("allocator.active", used);
    num("allocator.resident", rss);
    dbl("allocator-fragmentation.ratio", 1.0);
    num("allocator-fragmentation.bytes", 0);
    dbl("allocator-rss.ratio", ratio(rss, used));
    num("allocator-rss.bytes", rss > used ? rss - used : 0);
    dbl("rss-overhead.ratio", 1.0);
    num("rss-overhead.bytes", 0);
    dbl("fragmentation", ratio(rss, used));
    num("fragmentation.bytes", rss > used ? rss - used : 0);
}

/// MEMORY DOCTOR: Redis's report texts for a nearly empty instance, for a memory peak well
/// above the current use, and for nothing to report.
template <Clock C>
void memory_doctor(Ctx<C>& c) {
    const std::uint64_t used = c.engine.database().used_memory();
    const std::uint64_t peak = c.engine.note_memory();
    std::string report;
    if (used < 5 * 1024 * 1024) {
        report = "Hi Sam, this instance is empty or is using very little memory, my issues detector "
                 "can't be used in these conditions. Please, leave for your mission on Earth and fill "
                 "it with some data. The new Sam and I will be back to our programming as soon as I "
                 "finished rebooting.\n";
    } else if (static_cast<double>(peak) / static_cast<double>(used) > 1.5) {
        report = "Sam, I detected a few issues in this Redis instance memory implants:\n\n"
                 " * Peak memory: In the past this instance used more than 150% the memory that is "
                 "currently using. The allocator is normally not able to release memory after a "
                 "peak, so you can expect to see a big fragmentation ratio, however this is actually "
                 "harmless and is only due to the memory peak, and if the Redis instance Resident Set "
                 "Size (RSS) is currently bigger than expected, the memory will be used as soon as "
                 "you fill the Redis instance with more data. If the memory peak was only occasional "
                 "and you want to try to reclaim memory, please try the MEMORY PURGE command, "
                 "otherwise the only other option is to shutdown and restart the instance.\n\n"
                 "I'm here to keep you safe, Sam. I want to help you.\n";
    } else {
        report = "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
                 "occurs on this base.\n";
    }
    c.out.verbatim(report);
}

template <Clock C>
void memory_malloc_stats(Ctx<C>& c) {
    c.out.verbatim("Stats not supported for the current allocator");
}

/// MODULE LIST (none: cachet-server loads no modules) and HELP; LOAD, LOADEX and UNLOAD
/// answer as a Redis with enable-module-command no (its default), or that cachet-server loads
/// no modules.
template <Clock C>
void module_list(Ctx<C>& c) {
    c.out.array(0);
}
template <Clock C>
void module_load(Ctx<C>& c) {
    if (c.engine.config_value("enable-module-command") == "no")
        c.out.error("ERR MODULE command not allowed. If the enable-module-command option is set to "
                    "\"local\", you can run it from a local connection, otherwise you need to set "
                    "this option in the configuration file, and then restart the server.");
    else
        c.out.error("ERR cachet-server does not load modules");
}
template <Clock C>
void module_help(Ctx<C>& c) {
    static const char* lines[] = {
        "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LIST", "    Return a list of loaded modules.",
        "LOAD <path> [<arg> ...]", "    Load a module library from <path>, passing to it any optional arguments.",
        "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
        "    Load a module library from <path>, while passing it module configurations and optional arguments.",
        "UNLOAD <name>", "    Unload a module.",
        "HELP", "    Prints this help."};
    help_reply(c.out, lines);
}

/// INFO's sections, in the order Redis prints them, and which of them "default" names.
inline constexpr std::pair<std::string_view, bool> info_sections[] = {
    {"server", true},        {"clients", true},     {"memory", true},       {"persistence", true},
    {"stats", true},         {"replication", true}, {"cpu", true},          {"modules", true},
    {"commandstats", false}, {"errorstats", true},  {"latencystats", false}, {"cluster", true},
    {"keyspace", true}};

/// The text INFO replies with, for the sections `requested` names (none: "default"; "all" and
/// "everything": every section), always in Redis's order, each once. Figures cachet does not
/// keep (forks, AOF, defragmentation, the allocator's own) are reported as a
/// Redis without them reports them (0, -1, "ok"); the Latencystats section stays empty (no
/// per-command latency histograms).
template <Clock C>
std::string info_text(Engine<C>& e, std::span<const std::string_view> requested) {
    using namespace std::chrono;
    std::set<std::string_view> chosen;
    std::vector<std::string> names;
    for (std::string_view r : requested) names.push_back(lower(r));
    if (names.empty()) names.emplace_back("default");
    for (const std::string& n : names)
        for (const auto& [name, in_default] : info_sections)
            if (n == name || n == "all" || n == "everything" || (n == "default" && in_default)) chosen.insert(name);
    auto want = [&](std::string_view name) { return chosen.contains(name); };
    auto& db = e.database();
    std::string out;
    auto line = [&](std::string_view k, const std::string& v) {
        out += k;
        out += ':';
        out += v;
        out += "\r\n";
    };
    auto header = [&](std::string_view name) {
        if (!out.empty()) out += "\r\n";
        out += "# ";
        out += name;
        out += "\r\n";
    };
    auto fixed = [](double v, const char* format = "%.2f") {
        char buf[64];
        std::snprintf(buf, sizeof buf, format, v);
        return std::string(buf);
    };
    auto seconds_text = [&](const ::timeval& t) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%ld.%06ld", static_cast<long>(t.tv_sec), static_cast<long>(t.tv_usec));
        return std::string(buf);
    };
    const auto now = steady_clock::now();
    const auto uptime = duration_cast<seconds>(now - e.started()).count();
    if (want("server")) {
        header("Server");
        line("redis_version", "7.0.15");
        line("redis_git_sha1", "00000000");
        line("redis_git_dirty", "0");
        line("redis_build_id", "0");
        line("cachet_version", std::to_string(CACHET_VERSION_MAJOR) + "." + std::to_string(CACHET_VERSION_MINOR) + "." + std::to_string(CACHET_VERSION_PATCH));
        line("redis_mode", e.cluster() ? "cluster" : "standalone");
        utsname u{};
        line("os", ::uname(&u) == 0 ? std::string(u.sysname) + " " + u.release + " " + u.machine : std::string("Linux"));
        line("arch_bits", std::to_string(sizeof(void*) * 8));
        line("monotonic_clock", "POSIX clock_gettime");
        line("multiplexing_api", "epoll");
        line("atomicvar_api", "c11-builtin");
#if defined(__GNUC__)
        line("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." + std::to_string(__GNUC_PATCHLEVEL__));
#else
        line("gcc_version", "0.0.0");
#endif
        line("process_id", std::to_string(::getpid()));
        line("process_supervised", "no");
        line("run_id", e.run_id());
        line("tcp_port", e.config_value("port"));
        const auto unix_us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
        line("server_time_usec", std::to_string(unix_us));
        line("uptime_in_seconds", std::to_string(uptime));
        line("uptime_in_days", std::to_string(uptime / 86400));
        line("hz", e.config_value("hz"));
        line("configured_hz", e.config_value("hz"));
        line("lru_clock", std::to_string((unix_us / 1000000) & ((1 << 24) - 1)));  // LRU_CLOCK_RESOLUTION 1000 ms
        std::error_code ec;
        const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
        line("executable", ec ? std::string() : exe.string());
        line("config_file", e.config_file());
        line("io_threads_active", "1");
    }
    if (want("clients")) {
        header("Clients");
        line("connected_clients", std::to_string(e.client_count()));
        line("cluster_connections", "0");
        line("maxclients", std::to_string(e.options().maxclients));
        line("client_recent_max_input_buffer", "0");
        line("client_recent_max_output_buffer", "0");
        line("blocked_clients", std::to_string(e.blocked_clients()));
        line("tracking_clients", std::to_string(e.tracking().clients()));
        line("clients_in_timeout_table", "0");
    }
    if (want("memory")) {
        header("Memory");
        const MemoryFigures m = memory_figures(e);
        const std::uint64_t used = m.used, rss = m.rss, peak = m.peak;
        line("used_memory", std::to_string(used));
        line("used_memory_human", bytes_to_human(used));
        line("used_memory_rss", std::to_string(rss));
        line("used_memory_rss_human", bytes_to_human(rss));
        line("used_memory_peak", std::to_string(peak));
        line("used_memory_peak_human", bytes_to_human(peak));
        line("used_memory_peak_perc", fixed(peak ? 100.0 * MemoryFigures::ratio(used, peak) : 100.0) + "%");
        line("used_memory_overhead", std::to_string(m.overhead));
        line("used_memory_startup", "0");
        line("used_memory_dataset", std::to_string(m.dataset()));
        line("used_memory_dataset_perc", fixed(100.0 * MemoryFigures::ratio(m.dataset(), used)) + "%");
        line("allocator_allocated", std::to_string(used));
        line("allocator_active", std::to_string(used));
        line("allocator_resident", std::to_string(rss));
        const long long phys = static_cast<long long>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
        line("total_system_memory", std::to_string(phys));
        line("total_system_memory_human", bytes_to_human(static_cast<std::uint64_t>(phys)));
        const auto& scripts = e.script_run();  // Lua (scripting.hpp): zeros without it
        const std::uint64_t lua = scripts.lua_bytes.load(std::memory_order_relaxed);
        const std::uint64_t bodies = scripts.script_bytes.load(std::memory_order_relaxed);
        line("used_memory_lua", std::to_string(lua));
        line("used_memory_vm_eval", std::to_string(lua));
        line("used_memory_lua_human", bytes_to_human(lua));
        line("used_memory_scripts_eval", std::to_string(bodies));
        line("number_of_cached_scripts", std::to_string(scripts.cached_scripts.load(std::memory_order_relaxed)));
        line("number_of_functions", "0");
        line("number_of_libraries", "0");
        line("used_memory_vm_functions", "0");
        line("used_memory_vm_total", std::to_string(lua));
        line("used_memory_vm_total_human", bytes_to_human(lua));
        line("used_memory_functions", "0");
        line("used_memory_scripts", std::to_string(bodies));
        line("used_memory_scripts_human", bytes_to_human(bodies));
        line("maxmemory", std::to_string(db.maxmemory()));
        line("maxmemory_human", bytes_to_human(db.maxmemory()));
        line("maxmemory_policy", e.config_value("maxmemory-policy"));
        line("allocator_frag_ratio", "1.00");
        line("allocator_frag_bytes", "0");
        line("allocator_rss_ratio", fixed(MemoryFigures::ratio(rss, used)));
        line("allocator_rss_bytes", std::to_string(rss > used ? rss - used : 0));
        line("rss_overhead_ratio", "1.00");
        line("rss_overhead_bytes", "0");
        line("mem_fragmentation_ratio", fixed(MemoryFigures::ratio(rss, used)));
        line("mem_fragmentation_bytes", std::to_string(static_cast<long long>(rss) - static_cast<long long>(used)));
        line("mem_not_counted_for_evict", "0");
        const auto backlog = e.replication().backlog();
        line("mem_replication_backlog", std::to_string(backlog.active ? backlog.size : 0));
        line("mem_total_replication_buffers", std::to_string(backlog.active ? backlog.size : 0));
        line("mem_clients_slaves", "0");
        line("mem_clients_normal", "0");
        line("mem_cluster_links", "0");
        line("mem_aof_buffer", "0");
        line("mem_allocator", "libc");
        line("active_defrag_running", "0");
        line("lazyfree_pending_objects", "0");
        line("lazyfreed_objects", "0");
    }
    if (want("persistence")) {
        header("Persistence");
        line("loading", "0");
        line("async_loading", "0");
        line("current_cow_peak", "0");
        line("current_cow_size", "0");
        line("current_cow_size_age", "0");
        line("current_fork_perc", "0.00");
        line("current_save_keys_processed", "0");
        line("current_save_keys_total", "0");
        line("rdb_changes_since_last_save", "0");
        line("rdb_bgsave_in_progress", "0");
        line("rdb_last_save_time", std::to_string(e.last_save()));
        line("rdb_last_bgsave_status", e.last_save_ok() ? "ok" : "err");
        line("rdb_last_bgsave_time_sec", std::to_string(e.last_save_seconds()));
        line("rdb_current_bgsave_time_sec", "-1");
        line("rdb_saves", std::to_string(e.saves()));
        line("rdb_last_cow_size", "0");
        line("rdb_last_load_keys_expired", "0");
        line("rdb_last_load_keys_loaded", "0");
        line("aof_enabled", "0");
        line("aof_rewrite_in_progress", "0");
        line("aof_rewrite_scheduled", "0");
        line("aof_last_rewrite_time_sec", "-1");
        line("aof_current_rewrite_time_sec", "-1");
        line("aof_last_bgrewrite_status", "ok");
        line("aof_rewrites", "0");
        line("aof_rewrites_consecutive_failures", "0");
        line("aof_last_write_status", "ok");
        line("aof_last_cow_size", "0");
        line("module_fork_in_progress", "0");
        line("module_fork_last_cow_size", "0");
    }
    if (want("stats")) {
        header("Stats");
        const StoreStats st = db.stats();
        const auto [in_rate, out_rate] = e.net_bytes_per_sec();
        line("total_connections_received", std::to_string(e.connections_received()));
        line("total_commands_processed", std::to_string(e.commands_processed()));
        line("instantaneous_ops_per_sec", std::to_string(e.ops_per_sec()));
        line("total_net_input_bytes", std::to_string(e.net_input_bytes()));
        line("total_net_output_bytes", std::to_string(e.net_output_bytes()));
        line("total_net_repl_input_bytes", "0");
        line("total_net_repl_output_bytes", "0");
        line("instantaneous_input_kbps", fixed(static_cast<double>(in_rate) / 1024));
        line("instantaneous_output_kbps", fixed(static_cast<double>(out_rate) / 1024));
        line("instantaneous_input_repl_kbps", "0.00");
        line("instantaneous_output_repl_kbps", "0.00");
        line("rejected_connections", std::to_string(e.rejected_connections()));
        line("sync_full", "0");
        line("sync_partial_ok", "0");
        line("sync_partial_err", "0");
        line("expired_keys", std::to_string(st.expirations));
        line("expired_stale_perc", "0.00");
        line("expired_time_cap_reached_count", "0");
        line("expire_cycle_cpu_milliseconds", "0");
        line("evicted_keys", std::to_string(st.evictions));
        line("evicted_clients", "0");
        line("total_eviction_exceeded_time", "0");
        line("current_eviction_exceeded_time", "0");
        line("keyspace_hits", std::to_string(st.hits));
        line("keyspace_misses", std::to_string(st.misses));
        line("pubsub_channels", std::to_string(db.bus().channels().size()));
        line("pubsub_patterns", std::to_string(db.bus().numpat()));
        line("pubsubshard_channels", std::to_string(db.shard_bus().channels().size()));
        line("latest_fork_usec", "0");
        line("total_forks", "0");
        line("migrate_cached_sockets", "0");
        line("slave_expires_tracked_keys", "0");
        line("active_defrag_hits", "0");
        line("active_defrag_misses", "0");
        line("active_defrag_key_hits", "0");
        line("active_defrag_key_misses", "0");
        line("total_active_defrag_time", "0");
        line("current_active_defrag_time", "0");
        const auto tracked = e.tracking().totals();
        line("tracking_total_keys", std::to_string(tracked.keys));
        line("tracking_total_items", std::to_string(tracked.items));
        line("tracking_total_prefixes", std::to_string(tracked.prefixes));
        line("unexpected_error_replies", "0");
        line("total_error_replies", std::to_string(e.total_error_replies()));
        line("dump_payload_sanitizations", "0");
        line("total_reads_processed", "0");
        line("total_writes_processed", "0");
        line("io_threaded_reads_processed", "0");
        line("io_threaded_writes_processed", "0");
        line("reply_buffer_shrinks", "0");
        line("reply_buffer_expands", "0");
    }
    if (want("replication")) {
        header("Replication");
        auto& repl = e.replication();
        const auto replicas = repl.replicas();
        line("role", "master");
        line("connected_slaves", std::to_string(replicas.size()));
        for (std::size_t i = 0; i < replicas.size(); ++i) {
            const auto& r = replicas[i];
            line("slave" + std::to_string(i), "ip=" + r.ip + ",port=" + std::to_string(r.port) +
                                                  ",state=online,offset=" + std::to_string(r.ack_offset) +
                                                  ",lag=" + std::to_string(r.lag_seconds));
        }
        const auto backlog = repl.backlog();
        const long long offset = repl.offset();
        line("master_failover_state", "no-failover");
        line("master_replid", repl.replid());
        line("master_replid2", "0000000000000000000000000000000000000000");
        line("master_repl_offset", std::to_string(offset));
        line("second_repl_offset", "-1");
        line("repl_backlog_active", backlog.active ? "1" : "0");
        line("repl_backlog_size", std::to_string(backlog.size));
        line("repl_backlog_first_byte_offset", std::to_string(backlog.active ? backlog.first_byte : 0));
        line("repl_backlog_histlen", std::to_string(backlog.active ? backlog.histlen : 0));
    }
    if (want("cpu")) {
        header("CPU");
        rusage self{}, children{};
        ::getrusage(RUSAGE_SELF, &self);
        ::getrusage(RUSAGE_CHILDREN, &children);
        line("used_cpu_sys", seconds_text(self.ru_stime));
        line("used_cpu_user", seconds_text(self.ru_utime));
        line("used_cpu_sys_children", seconds_text(children.ru_stime));
        line("used_cpu_user_children", seconds_text(children.ru_utime));
#if defined(RUSAGE_THREAD)
        rusage thread{};  // the thread answering (cachet-server has no single main thread)
        ::getrusage(RUSAGE_THREAD, &thread);
        line("used_cpu_sys_main_thread", seconds_text(thread.ru_stime));
        line("used_cpu_user_main_thread", seconds_text(thread.ru_utime));
#endif
    }
    if (want("modules")) header("Modules");
    if (want("commandstats")) {
        header("Commandstats");
        for (const auto& st : e.command_stats()) {
            char buf[160];
            std::snprintf(buf, sizeof buf, "calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,failed_calls=%llu",
                          static_cast<unsigned long long>(st.calls), static_cast<unsigned long long>(st.usec),
                          st.calls ? static_cast<double>(st.usec) / static_cast<double>(st.calls) : 0.0,
                          static_cast<unsigned long long>(st.rejected), static_cast<unsigned long long>(st.failed));
            line("cmdstat_" + st.name, buf);
        }
    }
    if (want("errorstats")) {
        header("Errorstats");
        for (const auto& [code, n] : e.error_stats()) line("errorstat_" + code, "count=" + std::to_string(n));
    }
    if (want("latencystats")) {
        header("Latencystats");
        const auto percentiles = e.latency_percentiles();
        for (const auto& l : e.command_latencies()) {
            std::string v;
            for (std::size_t j = 0; j < percentiles.size(); ++j) {
                char p[64], value[64];
                std::snprintf(p, sizeof p, "%f", percentiles[j]);  // trimmed as trimDoubleString
                std::string ps = p;
                if (ps.find('.') != std::string::npos) {
                    while (ps.back() == '0') ps.pop_back();
                    if (ps.back() == '.') ps.pop_back();
                }
                std::snprintf(value, sizeof value, "%.3f",
                              static_cast<double>(hdr::value_at_percentile(l.counts, l.calls, percentiles[j])) / 1000.0);
                if (j) v += ',';
                v += 'p' + ps + '=' + value;
            }
            line("latency_percentiles_usec_" + l.name, v);
        }
    }
    if (want("cluster")) {
        header("Cluster");
        line("cluster_enabled", e.cluster() ? "1" : "0");
    }
    if (want("keyspace")) {
        header("Keyspace");
        for (std::size_t i = 0; i < db.databases(); ++i) {
            const std::size_t keys = db.db(i).size();
            if (keys == 0) continue;
            line("db" + std::to_string(i),
                 "keys=" + std::to_string(keys) + ",expires=" +
                     std::to_string(db.db(i).keys_with_ttl()) +
                     ",avg_ttl=" + std::to_string(db.db(i).average_ttl_ms()));
        }
    }
    return out;
}

template <Clock C>
void info(Ctx<C>& c) {
    c.out.verbatim(info_text(c.engine, c.argv.subspan(1)));
}

/// SWAPDB index1 index2 (see BasicDatabase::swap_databases).
template <Clock C>
void swapdb(Ctx<C>& c) {
    if (c.engine.cluster()) {
        c.out.error("ERR SWAPDB is not allowed in cluster mode");
        return;
    }
    auto& database = c.engine.database();
    long long ids[2];
    for (int i = 0; i < 2; ++i) {
        auto v = to_ll(c.arg(static_cast<std::size_t>(i) + 1));
        if (!v || *v < INT_MIN || *v > INT_MAX) {
            c.out.error(i == 0 ? "ERR invalid first DB index" : "ERR invalid second DB index");
            return;
        }
        ids[i] = *v;
    }
    const auto n = static_cast<long long>(database.databases());
    if (ids[0] < 0 || ids[0] >= n || ids[1] < 0 || ids[1] >= n) {
        c.out.error(errors::db_range);
        return;
    }
    database.swap_databases(static_cast<std::size_t>(ids[0]), static_cast<std::size_t>(ids[1]));
    c.out.simple("OK");
}

template <Clock C>
void dbsize(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.db().size()));
}

/// FLUSHDB / FLUSHALL [ASYNC|SYNC].
template <Clock C, bool All>
void flush(Ctx<C>& c) {
    const std::string_view opt = c.argc() == 2 ? c.arg(1).substr(0, c.arg(1).find('\0')) : std::string_view();
    if (c.argc() > 2 || (c.argc() == 2 && !iequals(opt, "async") && !iequals(opt, "sync"))) {  // strcasecmp
        c.out.error(errors::syntax);
        return;
    }
    const auto untracked = c.engine.tracking_flush();  // one null invalidation, not one per key
    if (All) c.engine.database().flush_all();
    else c.db().flush();
    c.out.simple("OK");
}

template <Clock C>
void time(Ctx<C>& c) {
    using namespace std::chrono;
    const auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
    c.out.array(2);
    c.out.bulk(std::to_string(us / 1000000));
    c.out.bulk(std::to_string(us % 1000000));
}

/// LASTSAVE: Unix seconds of the last successful SAVE or BGSAVE (the server's start before
/// one, as Redis).
template <Clock C>
void lastsave(Ctx<C>& c) {
    c.out.integer(c.engine.last_save());
}

template <Clock C>
bool save_rdb(Engine<C>& engine);  // replication.hpp

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: the options are parsed and combined as Redis
/// 7.0 does (ABORT with another option, or NOSAVE with SAVE, is a syntax error). SAVE writes
/// the RDB file first, as SAVE does (a failure refuses the shutdown, unless FORCE); without
/// it nothing is saved (cachet-server acts on no save points); NOW changes nothing (no
/// replica lag to wait for), and there is never a shutdown in progress to abort.
template <Clock C>
void shutdown(Ctx<C>& c) {
    bool abort = false, save = false, nosave = false, other = false, force = false;
    for (std::size_t i = 1; i < c.argc(); ++i) {
        const std::string a = lower(c.arg(i));
        if (a == "nosave") nosave = true;
        else if (a == "save") save = true;
        else if (a == "now") other = true;
        else if (a == "force") other = force = true;
        else if (a == "abort") abort = true;
        else {
            c.out.error(errors::syntax);
            return;
        }
    }
    if ((abort && (save || nosave || other)) || (save && nosave)) {
        c.out.error(errors::syntax);
        return;
    }
    if (abort) {
        c.out.error("ERR No shutdown in progress.");
        return;
    }
    if (save && !save_rdb(c.engine) && !force) {
        c.out.error("ERR Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    if (!c.engine.request_shutdown()) {
        c.out.error("ERR Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    c.session.close_after_reply();  // Redis closes the connection without a reply
}

}  // namespace cmd

template <Clock C>
void register_server_commands(CommandTable<C>& t) {
    using namespace cmd;
    auto& command = add_command<C>(t, "command", -1, cmd_loading | cmd_stale, 0, 0, 0, &cmd::command<C>, "server", "Get array of Redis command details", "2.8.13", {"slow", "connection"});
    const std::uint32_t cf = cmd_loading | cmd_stale;
    add_command<C>(command.subcommands, "count", 2, cf, 0, 0, 0, &command_count<C>, "server", "Get total number of Redis commands", "2.8.13", {"slow", "connection"});
    add_command<C>(command.subcommands, "list", -2, cf, 0, 0, 0, &command_list<C>, "server", "Get an array of Redis command names", "7.0.0", {"slow", "connection"});
    add_command<C>(command.subcommands, "info", -2, cf, 0, 0, 0, &command_info<C>, "server", "Get array of specific Redis command details, or all when no argument is given.", "2.8.13", {"slow", "connection"});
    add_command<C>(command.subcommands, "docs", -2, cf, 0, 0, 0, &command_docs<C>, "server", "Get array of specific Redis command documentation", "7.0.0", {"slow", "connection"});
    add_command<C>(command.subcommands, "getkeys", -4, cf, 0, 0, 0, &command_getkeys<C>, "server", "Extract keys given a full Redis command", "2.8.13", {"slow", "connection"});
    add_command<C>(command.subcommands, "help", 2, cf, 0, 0, 0, &command_help<C>, "server", "Show helpful text about the different subcommands", "5.0.0", {"slow", "connection"});
    add_command<C>(t, "info", -1, cmd_loading | cmd_stale, 0, 0, 0, &info<C>, "server", "Get information and statistics about the server", "1.0.0", {"slow", "dangerous"});
    add_command<C>(t, "swapdb", 3, cmd_write | cmd_fast | cmd_takes_gate, 0, 0, 0, &swapdb<C>, "server", "Swaps two Redis databases", "4.0.0", {"keyspace", "write", "fast", "dangerous"});
    add_command<C>(t, "dbsize", 1, cmd_readonly | cmd_fast, 0, 0, 0, &dbsize<C>, "server", "Return the number of keys in the selected database", "1.0.0", {"keyspace", "read", "fast"});
    add_command<C>(t, "flushdb", -1, cmd_write, 0, 0, 0, &flush<C, false>, "server", "Remove all keys from the current database", "1.0.0", {"keyspace", "write", "slow", "dangerous"});
    add_command<C>(t, "flushall", -1, cmd_write, 0, 0, 0, &flush<C, true>, "server", "Remove all keys from all databases", "1.0.0", {"keyspace", "write", "slow", "dangerous"});
    add_command<C>(t, "time", 1, cmd_loading | cmd_stale | cmd_fast, 0, 0, 0, &cmd::time<C>, "server", "Return the current server time", "2.6.0", {"fast"});
    add_command<C>(t, "lastsave", 1, cmd_loading | cmd_stale | cmd_fast, 0, 0, 0, &lastsave<C>, "server", "Get the UNIX time stamp of the last successful save to disk", "1.0.0", {"admin", "fast", "dangerous"});
    add_command<C>(t, "shutdown", -1, cmd_admin | cmd_noscript | cmd_loading | cmd_stale | cmd_no_multi | cmd_allow_busy | cmd_takes_gate, 0, 0, 0, &shutdown<C>, "server", "Synchronously save the dataset to disk and then shut down the server", "1.0.0", {"admin", "slow", "dangerous"});
    auto& memory = add_command<C>(t, "memory", -2, 0, 0, 0, 0, nullptr, "server", "A container for memory diagnostics commands", "4.0.0", {"slow"});
    add_command<C>(memory.subcommands, "usage", -3, cmd_readonly, 2, 2, 1, &memory_usage<C>, "server", "Estimate the memory usage of a key", "4.0.0", {"read", "slow"});
    add_command<C>(memory.subcommands, "stats", 2, 0, 0, 0, 0, &memory_stats<C>, "server", "Show memory usage details", "4.0.0", {"slow"});
    add_command<C>(memory.subcommands, "doctor", 2, 0, 0, 0, 0, &memory_doctor<C>, "server", "Outputs memory problems report", "4.0.0", {"slow"});
    add_command<C>(memory.subcommands, "purge", 2, 0, 0, 0, 0, &ok_reply<C>, "server", "Ask the allocator to release memory", "4.0.0", {"slow"});
    add_command<C>(memory.subcommands, "malloc-stats", 2, 0, 0, 0, 0, &memory_malloc_stats<C>, "server", "Show allocator internal stats", "4.0.0", {"slow"});
    auto& module = add_command<C>(t, "module", -2, 0, 0, 0, 0, nullptr, "server", "A container for module commands", "4.0.0", {"slow"});
    const std::uint32_t mod = cmd_admin | cmd_noscript;
    add_command<C>(module.subcommands, "list", 2, mod, 0, 0, 0, &module_list<C>, "server", "List all modules loaded by the server", "4.0.0", {"admin", "slow", "dangerous"});
    add_command<C>(module.subcommands, "load", -3, mod | cmd_no_async_loading, 0, 0, 0, &module_load<C>, "server", "Load a module", "4.0.0", {"admin", "slow", "dangerous"});
    add_command<C>(module.subcommands, "loadex", -3, mod | cmd_no_async_loading, 0, 0, 0, &module_load<C>, "server", "Load a module with extended parameters", "7.0.0", {"admin", "slow", "dangerous"});
    add_command<C>(module.subcommands, "unload", 3, mod | cmd_no_async_loading, 0, 0, 0, &module_load<C>, "server", "Unload a module", "4.0.0", {"admin", "slow", "dangerous"});
    add_command<C>(module.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &module_help<C>, "server", "Show helpful text about the different subcommands", "5.0.0", {"slow"});
    add_command<C>(memory.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &memory_help<C>, "server", "Show helpful text about the different subcommands", "4.0.0", {"slow"});
    auto& config = add_command<C>(t, "config", -2, 0, 0, 0, 0, nullptr, "server", "A container for server configuration commands", "2.0.0", {"slow"});
    const std::uint32_t adm = cmd_admin | cmd_noscript | cmd_loading | cmd_stale;
    add_command<C>(config.subcommands, "get", -3, adm, 0, 0, 0, &config_get<C>, "server", "Get the values of configuration parameters", "2.0.0", {"admin", "slow", "dangerous"});
    add_command<C>(config.subcommands, "set", -4, adm, 0, 0, 0, &config_set<C>, "server", "Set configuration parameters to the given values", "2.0.0", {"admin", "slow", "dangerous"});
    add_command<C>(config.subcommands, "resetstat", 2, adm, 0, 0, 0, &config_resetstat<C>, "server", "Reset the stats returned by INFO", "2.0.0", {"admin", "slow", "dangerous"});
    add_command<C>(config.subcommands, "rewrite", 2, adm, 0, 0, 0, &config_rewrite<C>, "server", "Rewrite the configuration file with the in memory configuration", "2.8.0", {"admin", "slow", "dangerous"});
    add_command<C>(config.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &config_help<C>, "server", "Show helpful text about the different subcommands", "5.0.0", {"slow"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_SERVER_HPP
