#ifndef CACHET_RESP_COMMANDS_CONFIG_HPP
#define CACHET_RESP_COMMANDS_CONFIG_HPP

/// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over every parameter Redis 7.0 has
/// (config_table.hpp). The parameters cachet honours change its behaviour when set: maxmemory,
/// maxmemory-policy, requirepass, maxclients, proto-max-bulk-len, client-query-buffer-limit,
/// client-output-buffer-limit, notify-keyspace-events, timeout. The others are validated as
/// Redis validates them, stored, and reported back, because tools and test harnesses set them.

#include <cachet/resp/engine.hpp>

#include <algorithm>
#include <climits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace config_detail {

/// Splits on spaces.
inline std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        while (pos < s.size() && s[pos] == ' ') ++pos;
        const std::size_t end = std::min(s.find(' ', pos), s.size());
        if (end > pos) out.push_back(s.substr(pos, end - pos));
        pos = end;
    }
    return out;
}

/// client-output-buffer-limit: "<class> <hard> <soft> <soft seconds>" repeated, merged into
/// the current value (Redis keeps the classes not named).
/// The notify-keyspace-events value this thread validated last: its normalized string and
/// the flags it set (which the string does not always show: "KEAn" reads back "AKE").
struct NotifyValidated {
    std::string normalized;
    unsigned flags = 0;
};
inline NotifyValidated& notify_validated() {
    thread_local NotifyValidated v;  // initialised on each thread's first call
    return v;
}

inline std::string validate_output_limits(std::string_view v, std::string& normalized,
                                          const std::string& current) {
    const auto w = words(v);
    if (w.empty() || w.size() % 4 != 0)
        return "Wrong number of arguments in buffer limit configuration.";
    long long vals[3][3];
    {
        const auto cur = words(current);
        for (std::size_t i = 0; i + 3 < cur.size(); i += 4) {
            const int cls = cur[i] == "normal" ? 0 : cur[i] == "pubsub" ? 2 : 1;
            for (int k = 0; k < 3; ++k)
                vals[cls][k] = cachet::detail::parse_memory(cur[i + 1 + static_cast<std::size_t>(k)]).value_or(0);
        }
    }
    for (std::size_t i = 0; i < w.size(); i += 4) {
        const std::string cls = lower(w[i]);
        int c;
        if (cls == "normal") c = 0;
        else if (cls == "slave" || cls == "replica") c = 1;
        else if (cls == "pubsub") c = 2;
        else return "Invalid client class specified in buffer limit configuration.";
        auto hard = cachet::detail::parse_memory(w[i + 1]), soft = cachet::detail::parse_memory(w[i + 2]);
        long long secs;
        if (!hard || !soft || !cachet::detail::string2ll(w[i + 3], secs) || secs < 0)
            return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        vals[c][0] = *hard;
        vals[c][1] = *soft;
        vals[c][2] = secs;
    }
    normalized.clear();
    const char* names[3] = {"normal", "slave", "pubsub"};
    for (int c = 0; c < 3; ++c) {
        if (c) normalized += ' ';
        normalized += std::string(names[c]) + ' ' + std::to_string(vals[c][0]) + ' ' +
                      std::to_string(vals[c][1]) + ' ' + std::to_string(vals[c][2]);
    }
    return {};
}

/// Redis 7.0's configuration aliases: (name, old name), one value under two parameters.
inline constexpr std::pair<std::string_view, std::string_view> aliases[] = {
    {"hash-max-listpack-entries", "hash-max-ziplist-entries"},
    {"hash-max-listpack-value", "hash-max-ziplist-value"},
    {"list-max-listpack-size", "list-max-ziplist-size"},
    {"zset-max-listpack-entries", "zset-max-ziplist-entries"},
    {"zset-max-listpack-value", "zset-max-ziplist-value"},
    {"busy-reply-threshold", "lua-time-limit"},
    {"cluster-replica-no-failover", "cluster-slave-no-failover"},
    {"cluster-replica-validity-factor", "cluster-slave-validity-factor"},
    {"min-replicas-max-lag", "min-slaves-max-lag"},
    {"min-replicas-to-write", "min-slaves-to-write"},
    {"repl-ping-replica-period", "repl-ping-slave-period"},
    {"replica-announce-ip", "slave-announce-ip"},
    {"replica-announce-port", "slave-announce-port"},
    {"replica-ignore-maxmemory", "slave-ignore-maxmemory"},
    {"replica-lazy-flush", "slave-lazy-flush"},
    {"replica-priority", "slave-priority"},
    {"replica-read-only", "slave-read-only"},
    {"replica-serve-stale-data", "slave-serve-stale-data"},
};

}  // namespace config_detail

template <Clock C>
void register_config_params(Engine<C>& e) {
    const EngineOptions o = e.options();
    auto& db = e.database();
    for (const ParamDef& d : config_params) {
        ConfigParam p;
        p.value = std::string(d.default_value);
        p.kind = d.kind;
        p.min = d.min;
        p.max = d.max;
        p.choices = std::string(d.choices);
        e.define_param(std::string(d.name), std::move(p));
    }
    // The parameters cachet honours: their value now, and what setting them does.
    auto honour = [&](std::string name, std::string value, std::function<void(const std::string&)> apply,
                      std::function<std::string(std::string_view, std::string&)> validate = {}) {
        ConfigParam p;
        for (const ParamDef& d : config_params)
            if (d.name == name) {
                p.kind = d.kind;
                p.min = d.min;
                p.max = d.max;
                p.choices = std::string(d.choices);
            }
        p.value = std::move(value);
        p.apply = std::move(apply);
        if (validate) {
            p.kind = ParamKind::special;
            p.validate = std::move(validate);
        }
        e.define_param(std::move(name), std::move(p));
    };
    honour("maxmemory", std::to_string(o.maxmemory), [&db](const std::string& v) {
        db.set_maxmemory(static_cast<std::uint64_t>(std::stoull(v)));
    });
    honour("maxmemory-policy", o.maxmemory_policy, [&db, &e](const std::string& v) {
        const auto samples = std::stoull(e.config_value("maxmemory-samples"));
        db.set_maxmemory_policy(parse_maxmemory_policy(v).value_or(MaxmemoryPolicy::noeviction), samples);
    });
    // Redis's LFU counter (OBJECT FREQ) under an LFU policy: its growth and its decay.
    auto lfu_parameter = [&e, &db](const char* name) {
        return [&e, &db, name](const std::string& v) {
            const bool factor = std::string_view(name) == "lfu-log-factor";
            const auto other = std::stoull(e.config_value(factor ? "lfu-decay-time" : "lfu-log-factor"));
            const auto mine = std::stoull(v);
            db.set_lfu_parameters(static_cast<unsigned>(factor ? mine : other),
                                  static_cast<unsigned>(factor ? other : mine));
        };
    };
    honour("tracking-table-max-keys", "1000000", [&e](const std::string& v) {
        e.set_tracking_max_keys(static_cast<std::size_t>(std::stoull(v)));
    });
    honour("maxmemory-samples", "5", [&db](const std::string& v) {
        db.set_maxmemory_policy(db.maxmemory_policy(), std::stoull(v));
    });
    honour("lfu-log-factor", "10", lfu_parameter("lfu-log-factor"));
    honour("lfu-decay-time", "1", lfu_parameter("lfu-decay-time"));
    honour("requirepass", o.requirepass, [&e](const std::string& v) { e.set_requirepass(v); });
    honour("maxclients", std::to_string(o.maxclients), [&e](const std::string& v) {
        e.update_options([&](EngineOptions& opt) { opt.maxclients = std::stoull(v); });
    });
    honour("proto-max-bulk-len", std::to_string(o.limits.max_bulk_len), [&e](const std::string& v) {
        ParserLimits l = e.limits();
        l.max_bulk_len = std::stoll(v);
        e.set_limits(l);
    });
    honour("client-query-buffer-limit", std::to_string(o.limits.query_buffer_limit), [&e](const std::string& v) {
        ParserLimits l = e.limits();
        l.query_buffer_limit = std::stoull(v);
        e.set_limits(l);
    });
    honour("timeout", std::to_string(o.timeout), [&e](const std::string& v) {
        e.update_options([&](EngineOptions& opt) { opt.timeout = std::stoull(v); });
    });
    // The value stored (and reported) is Redis's normalized string, which leaves out 'n'
    // after 'A' ("KEAn" reads back "AKE"); the flags applied are those the value set, which
    // the validator (run just before, on the same thread) keeps aside.
    honour("notify-keyspace-events", notify_flags_string(db.notify_flags()),
           [&db](const std::string& v) {
               const auto& last = config_detail::notify_validated();
               db.set_notify_flags(v == last.normalized ? last.flags : *parse_notify_flags(v));
           },
           [](std::string_view v, std::string& normalized) -> std::string {
               auto f = parse_notify_flags(v);
               if (!f) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
               normalized = notify_flags_string(*f);
               config_detail::notify_validated() = {normalized, *f};
               return {};
           });
    honour("client-output-buffer-limit",
           "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
           [&e](const std::string& v) {
               const auto w = config_detail::words(v);
               for (std::size_t i = 0; i + 3 < w.size(); i += 4) {
                   const int cls = w[i] == "normal" ? 0 : w[i] == "pubsub" ? 2 : 1;
                   e.set_output_limit(cls, OutputLimit{std::stoull(std::string(w[i + 1])),
                                                       std::stoull(std::string(w[i + 2])),
                                                       std::stoull(std::string(w[i + 3]))});
               }
           },
           [](std::string_view v, std::string& normalized) {
               const std::string current = normalized;  // the current value on entry
               return config_detail::validate_output_limits(v, normalized, current);
           });
    // hz: an integer in [0, INT_MAX] that Redis then clamps to [1, 500] (updateHZ), and reports
    // clamped.
    honour("hz", "10", {}, [](std::string_view v, std::string& normalized) -> std::string {
        long long n;
        if (!cachet::detail::string2ll(v, n)) return "argument couldn't be parsed into an integer";
        if (n < 0 || n > INT_MAX) return "argument must be between 0 and 2147483647 inclusive";
        normalized = std::to_string(std::clamp(n, 1LL, 500LL));
        return {};
    });
    honour("slowlog-log-slower-than", "10000",
           [&e](const std::string& v) { e.set_slowlog_threshold(std::stoll(v)); });
    honour("slowlog-max-len", "128", [&e](const std::string& v) { e.set_slowlog_max_len(std::stoll(v)); });
    honour("latency-monitor-threshold", "0",
           [&e](const std::string& v) { e.set_latency_threshold(std::stoll(v)); });
    honour("hll-sparse-max-bytes", "3000",
           [&e](const std::string& v) { e.set_hll_sparse_max_bytes(static_cast<std::size_t>(std::stoull(v))); });
    honour("zset-max-listpack-entries", "128",
           [&e](const std::string& v) { e.set_zset_listpack_entries(std::stoll(v)); });
    honour("zset-max-listpack-value", "64",
           [&e](const std::string& v) { e.set_zset_listpack_value(std::stoll(v)); });
    // The Database follows Redis's hash and set encodings by these (see HashEncoding).
    honour("hash-max-listpack-entries", "512", [&db](const std::string& v) {
        db.set_hash_listpack_limits(std::stoll(v), db.hash_listpack_limits().second);
    });
    honour("hash-max-listpack-value", "64", [&db](const std::string& v) {
        db.set_hash_listpack_limits(db.hash_listpack_limits().first, std::stoll(v));
    });
    honour("set-max-intset-entries", "512",
           [&db](const std::string& v) { db.set_set_intset_entries(std::stoll(v)); });
    honour("port", std::to_string(o.port), {});
    honour("bind", o.bind, {});
    honour("io-threads", std::to_string(o.io_threads), {});
    // Redis-side specials that take free-form values: validated as Redis does, stored.
    honour("save", "3600 1 300 100 60 10000", {}, [](std::string_view v, std::string& normalized) -> std::string {
        const auto w = config_detail::words(v);
        if (w.size() % 2 != 0) return "Invalid save parameters";
        for (auto x : w) {
            long long n;
            if (!cachet::detail::string2ll(x, n) || n < 0) return "Invalid save parameters";
        }
        normalized.clear();
        for (auto x : w) {
            if (!normalized.empty()) normalized += ' ';
            normalized += std::string(x);
        }
        return {};
    });
    honour("oom-score-adj-values", "0 200 800", {}, [](std::string_view v, std::string& normalized) -> std::string {
        const auto w = config_detail::words(v);
        if (w.size() != 3) return "wrong number of arguments";
        normalized = std::string(w[0]) + ' ' + std::string(w[1]) + ' ' + std::string(w[2]);
        return {};
    });
    honour("latency-tracking", "yes", [&e](const std::string& v) { e.set_latency_tracking(v == "yes"); });
    honour("latency-tracking-info-percentiles", "50 99 99.9", [&e](const std::string& v) {
        std::vector<double> p;
        for (auto w : config_detail::words(v)) {
            long double d = 0;
            (void)cachet::detail::string2ld(w, d);  // validated below before it is applied
            p.push_back(static_cast<double>(d));
        }
        e.set_latency_percentiles(std::move(p));
    }, [](std::string_view v, std::string& normalized) -> std::string {
        for (auto w : config_detail::words(v)) {
            long double d;
            if (!cachet::detail::string2ld(w, d) || d < 0 || d > 100) return "Invalid latency-tracking-info-percentiles parameters";
        }
        normalized = std::string(v);
        return {};
    });
    honour("maxmemory-clients", "0", {}, [](std::string_view v, std::string& normalized) -> std::string {
        if (!v.empty() && v.back() == '%') {
            long long n;
            if (!cachet::detail::string2ll(v.substr(0, v.size() - 1), n) || n < 0 || n > 100)
                return "argument must be a memory or percent value";
            normalized = std::string(v);
            return {};
        }
        auto m = cachet::detail::parse_memory(v);
        if (!m) return "argument must be a memory or percent value";
        normalized = std::to_string(*m);
        return {};
    });
    honour("cluster-announce-hostname", "", {}, [](std::string_view v, std::string& normalized) -> std::string {
        for (char ch : v)
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.'))
                return "Hostnames may only contain alphanumeric characters, hyphens or dots";
        normalized = std::string(v);
        return {};
    });
}

namespace cmd {

/// CONFIG GET, as Redis 7.0: a name without glob characters ([*?) is looked up directly and
/// reported as typed; a pattern reports the matching parameters' own names; a parameter matched
/// twice (in any case) is reported once, by its first match.
template <Clock C>
void config_get(Ctx<C>& c) {
    std::map<std::string, std::pair<std::string, std::string>> found;  // lower-case name -> (shown, value)
    for (std::size_t i = 2; i < c.argc(); ++i) {
        const std::string_view arg = c.arg(i);
        if (arg.find_first_of("[*?") == std::string_view::npos) {
            if (arg.find('\\') != std::string_view::npos) continue;  // no parameter has one
            for (auto& [k, v] : c.engine.config_get(arg))
                if (iequals(k, arg)) found.try_emplace(k, std::string(arg), v);
            continue;
        }
        for (auto& [k, v] : c.engine.config_get(arg)) found.try_emplace(k, k, v);
    }
    c.out.map(found.size());
    for (const auto& [k, shown_value] : found) {
        c.out.bulk(shown_value.first);
        c.out.bulk(shown_value.second);
    }
}

/// CONFIG SET, with Redis 7.0's order of checks: an odd argument count is a syntax error; then
/// every name is looked up (the first unknown, immutable, protected or repeated one is reported
/// with the name as typed); only then are the values validated, in order, and an invalid one
/// reported with the parameter's own (lower-case) name.
template <Clock C>
void config_set(Ctx<C>& c) {
    if (c.argc() < 4) {
        c.out.error("ERR wrong number of arguments for 'config|set' command");
        return;
    }
    if (c.argc() % 2 != 0) {
        c.out.error(errors::syntax);
        return;
    }
    std::vector<std::string> names;
    for (std::size_t i = 2; i + 1 < c.argc(); i += 2) {
        const std::string_view typed = c.arg(i);
        const std::string_view shown = typed.substr(0, typed.find('\0'));  // as Redis's %s prints it
        const std::string n = lower(typed);
        const ParamDef* def = nullptr;
        for (const ParamDef& d : config_params)
            if (d.name == n) def = &d;
        auto fail = [&](std::string_view why) {
            c.out.error("ERR CONFIG SET failed (possibly related to argument '" + std::string(shown) + "') - " +
                        std::string(why));
        };
        if (!def) {
            c.out.error("ERR Unknown option or number of arguments for CONFIG SET - '" + std::string(shown) + "'");
            return;
        }
        if (def->kind == ParamKind::immutable) return fail("can't set immutable config");
        if (n == "dir" || n == "dbfilename") return fail("can't set protected config");
        if (std::find(names.begin(), names.end(), n) != names.end()) return fail("duplicate parameter");
        names.push_back(n);
    }
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    for (std::size_t i = 2, k = 0; i + 1 < c.argc(); i += 2, ++k) pairs.emplace_back(names[k], c.arg(i + 1));
    const std::string err = c.engine.config_set(pairs);
    if (!err.empty()) {
        c.out.error("ERR " + err);
        return;
    }
    // Redis 7.0's old names (hash-max-ziplist-entries, slave-priority, lua-time-limit, ...) are
    // parameters of their own over the same value: set the partner too; the later one wins.
    std::map<std::string_view, std::pair<std::string_view, std::string>> shared;  // new name -> (old, value)
    for (const std::string& n : names)
        for (const auto& [now, old] : config_detail::aliases)
            if (n == now || n == old) shared[now] = {old, c.engine.config_value(n)};
    for (const auto& [now, old_value] : shared) {
        const std::pair<std::string_view, std::string_view> both[] = {{now, old_value.second},
                                                                      {old_value.first, old_value.second}};
        (void)c.engine.config_set(both);
    }
    c.out.simple("OK");
}

template <Clock C>
void config_resetstat(Ctx<C>& c) {
    c.engine.reset_stats();
    c.out.simple("OK");
}

template <Clock C>
void config_rewrite(Ctx<C>& c) {
    c.out.error("ERR The server is running without a config file");
}

template <Clock C>
void config_help(Ctx<C>& c) {
    static const char* lines[] = {
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help."};
    help_reply(c.out, lines);
}

}  // namespace cmd
}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_CONFIG_HPP
