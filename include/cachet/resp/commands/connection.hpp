#ifndef CACHET_RESP_COMMANDS_CONNECTION_HPP
#define CACHET_RESP_COMMANDS_CONNECTION_HPP

/// Connection commands: PING, ECHO, HELLO, AUTH, QUIT, SELECT, RESET, CLIENT (ID, SETNAME,
/// GETNAME, LIST, INFO, KILL, UNBLOCK, PAUSE, UNPAUSE, TRACKING, CACHING, TRACKINGINFO,
/// GETREDIR, REPLY, NO-EVICT, SETINFO, HELP), ACL (CAT, USERS, WHOAMI, HELP). Replies and
/// error texts as Redis 7.0's.

#include <cachet/resp/engine.hpp>

#include <chrono>
#include <climits>
#include <string>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

template <Clock C>
void ping(Ctx<C>& c) {
    if (c.argc() > 2) {
        c.out.error("ERR wrong number of arguments for 'ping' command");
        return;
    }
    if (c.session.in_pubsub_context()) {  // RESP2 subscriber: a multibulk ["pong", msg]
        c.out.array(2);
        c.out.bulk("pong");
        c.out.bulk(c.argc() == 2 ? c.arg(1) : std::string_view());
        return;
    }
    if (c.argc() == 2) c.out.bulk(c.arg(1));
    else c.out.simple("PONG");
}

template <Clock C>
void echo(Ctx<C>& c) {
    c.out.bulk(c.arg(1));
}

/// Checks a password against requirepass (the "default" user only).
template <Clock C>
bool check_password(Ctx<C>& c, std::string_view user, std::string_view pass) {
    const std::string want = c.engine.requirepass();
    if (user != "default") return false;
    return want.empty() ? true : pass == want;
}

template <Clock C>
void auth(Ctx<C>& c) {
    if (c.argc() > 3) {
        c.out.error(errors::syntax);
        return;
    }
    if (c.argc() == 2 && !c.engine.auth_required()) {
        c.out.error(
            "ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
        return;
    }
    const std::string_view user = c.argc() == 3 ? c.arg(1) : std::string_view("default");
    const std::string_view pass = c.argc() == 3 ? c.arg(2) : c.arg(1);
    if (!check_password(c, user, pass)) {
        c.out.error("WRONGPASS invalid username-password pair or user is disabled.");
        return;
    }
    c.session.set_authenticated(true);
    c.out.simple("OK");
}

template <Clock C>
void hello(Ctx<C>& c) {
    long long ver = 0;
    std::size_t i = 1;
    if (c.argc() >= 2) {
        auto v = to_ll(c.arg(1));
        if (!v) {
            c.out.error("ERR Protocol version is not an integer or out of range");
            return;
        }
        ver = *v;
        i = 2;
        if (ver < 2 || ver > 3) {
            c.out.error("NOPROTO unsupported protocol version");
            return;
        }
    }
    std::optional<std::string_view> setname;
    for (; i < c.argc(); ++i) {
        const std::size_t more = c.argc() - i - 1;
        if (iequals(c.arg(i), "auth") && more >= 2) {
            if (!check_password(c, c.arg(i + 1), c.arg(i + 2))) {
                c.out.error("WRONGPASS invalid username-password pair or user is disabled.");
                return;
            }
            c.session.set_authenticated(true);
            i += 2;
        } else if (iequals(c.arg(i), "setname") && more >= 1) {
            setname = c.arg(i + 1);
            ++i;
        } else {
            c.out.error("ERR Syntax error in HELLO option '" + std::string(c.arg(i)) + "'");
            return;
        }
    }
    if (c.engine.auth_required() && !c.session.authenticated()) {
        c.out.error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
            "select the RESP protocol version at the same time");
        return;
    }
    if (setname) {
        for (char ch : *setname)
            if (ch < '!' || ch > '~') {
                c.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
                return;
            }
        c.session.set_name(std::string(*setname));
    }
    if (ver) c.session.set_protocol(ver == 3 ? Protocol::resp3 : Protocol::resp2);
    c.out.map(7);
    c.out.bulk("server");
    c.out.bulk("redis");
    c.out.bulk("version");
    c.out.bulk("7.0.15");
    c.out.bulk("proto");
    c.out.integer(c.session.protocol() == Protocol::resp3 ? 3 : 2);
    c.out.bulk("id");
    c.out.integer(static_cast<long long>(c.session.id()));
    c.out.bulk("mode");
    c.out.bulk(c.engine.cluster() ? "cluster" : "standalone");
    c.out.bulk("role");
    c.out.bulk("master");
    c.out.bulk("modules");
    c.out.array(0);
}

template <Clock C>
void quit(Ctx<C>& c) {
    c.out.simple("OK");
    c.session.close_after_reply();
}

template <Clock C>
void select(Ctx<C>& c) {
    auto n = to_ll(c.arg(1));
    if (!n) {
        c.out.error(errors::not_integer);
        return;
    }
    if (*n < INT_MIN || *n > INT_MAX) {  // Redis reads the number as an int
        c.out.error("ERR value is out of range, value must between -2147483648 and 2147483647");
        return;
    }
    if (c.engine.cluster() && *n != 0) {
        c.out.error("ERR SELECT is not allowed in cluster mode");
        return;
    }
    if (*n < 0 || static_cast<unsigned long long>(*n) >= c.engine.database().databases()) {
        c.out.error(errors::db_range);
        return;
    }
    c.session.select(static_cast<std::size_t>(*n));
    c.out.simple("OK");
}

template <Clock C>
void reset(Ctx<C>& c) {
    Session<C>& s = c.session;
    if (s.in_multi()) s.discard_multi();
    s.unwatch_all();
    for (auto kind : {SubscriptionKind::channel, SubscriptionKind::pattern, SubscriptionKind::shard_channel})
        for (const auto& name : s.subscribed(kind)) s.unsubscribe(name, kind);
    s.disable_tracking();
    s.select(0);
    s.set_protocol(Protocol::resp2);
    s.set_name({});
    if (c.engine.auth_required()) s.set_authenticated(false);
    c.out.simple("RESET");
}

// ---------------------------------------------------------------------- CLIENT

/// One CLIENT LIST / CLIENT INFO line for `s` (Redis's field set; memory fields approximate).
/// Redis's client class (getClientType), as CLIENT LIST / KILL TYPE name it: "replica",
/// "pubsub" or "normal" ("master" is nobody's: cachet-server follows no master).
template <Clock C>
std::string_view client_type(Session<C>& s) {
    if (s.is_replica()) return "replica";
    return s.subscriber() ? "pubsub" : "normal";
}
/// A TYPE argument as `client_type` names it ("slave" is "replica"), or empty if unknown.
[[nodiscard]] inline std::string client_type_arg(std::string_view arg) {
    std::string t = lower(arg);
    if (t == "slave") t = "replica";
    return t == "normal" || t == "pubsub" || t == "replica" || t == "master" ? t : std::string();
}

template <Clock C>
std::string client_line(Session<C>& s) {
    using namespace std::chrono;
    const auto now = steady_clock::now();
    const auto age = duration_cast<seconds>(now - s.info().created).count();
    const auto idle = duration_cast<seconds>(now - s.last_interaction()).count();
    std::string flags;
    if (s.is_replica()) flags += 'S';
    if (s.subscriber()) flags += 'P';
    if (s.in_multi()) flags += 'x';
    if (s.blocked()) flags += 'b';
    if (const std::uint8_t t = s.tracking_flags(); t & trk_on) {
        flags += 't';
        if (t & trk_broken) flags += 'R';
        if (t & trk_bcast) flags += 'B';
    }
    if (s.closing()) flags += 'c';
    if (s.no_evict()) flags += 'e';
    if (flags.empty()) flags = "N";
    std::string l;
    l += "id=" + std::to_string(s.id());
    l += " addr=" + s.info().addr;
    l += " laddr=" + s.info().laddr;
    l += " fd=" + std::to_string(s.info().fd);
    l += " name=" + s.name();
    l += " age=" + std::to_string(age);
    l += " idle=" + std::to_string(idle);
    l += " flags=" + flags;
    l += " db=" + std::to_string(s.db_index());
    l += " sub=" + std::to_string(s.channel_count());
    l += " psub=" + std::to_string(s.pattern_count());
    l += " ssub=" + std::to_string(s.shard_channel_count());
    l += " multi=" + std::to_string(s.multi_queued());
    l += " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0";
    l += " obl=0 oll=0 omem=" + std::to_string(s.outbox().size());
    l += " tot-mem=0 events=r";
    l += " cmd=" + std::string(s.last_command());
    l += " user=default redir=" +
         (s.tracking() ? std::to_string(s.tracking_redirect()) : std::string("-1"));
    l += " resp=" + std::to_string(s.protocol() == Protocol::resp3 ? 3 : 2);
    return l;
}

template <Clock C>
void client_id(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.session.id()));
}

template <Clock C>
void client_setname(Ctx<C>& c) {
    for (char ch : c.arg(2))
        if (ch < '!' || ch > '~') {
            c.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
    c.session.set_name(std::string(c.arg(2)));
    c.out.simple("OK");
}

template <Clock C>
void client_getname(Ctx<C>& c) {
    if (c.session.name().empty()) c.out.null();
    else c.out.bulk(c.session.name());
}

template <Clock C>
void client_info(Ctx<C>& c) {
    c.out.verbatim(client_line(c.session) + "\n");
}

template <Clock C>
void client_list(Ctx<C>& c) {
    std::string type;  // empty: any client
    std::vector<std::uint64_t> ids;
    bool by_id = false;  // ID given: only those (an ID <= 0 matches nothing, as in Redis)
    for (std::size_t i = 2; i < c.argc(); ++i) {
        if (iequals(c.arg(i), "type") && i + 1 < c.argc()) {
            type = client_type_arg(c.arg(i + 1));
            if (type.empty()) {
                c.out.error("ERR Unknown client type '" + std::string(c.arg(i + 1)) + "'");
                return;
            }
            ++i;
        } else if (iequals(c.arg(i), "id") && i + 1 < c.argc()) {
            by_id = true;
            for (++i; i < c.argc(); ++i) {
                auto v = to_ll(c.arg(i));
                if (!v) {
                    c.out.error("ERR Invalid client ID");
                    return;
                }
                if (*v > 0) ids.push_back(static_cast<std::uint64_t>(*v));
            }
        } else {
            c.out.error(errors::syntax);
            return;
        }
    }
    std::string text;
    c.engine.for_each_client([&](Session<C>& s) {
        if (!type.empty() && client_type(s) != type) return;
        if ((by_id || !ids.empty()) && std::find(ids.begin(), ids.end(), s.id()) == ids.end()) return;
        text += client_line(s);
        text += '\n';
    });
    c.out.verbatim(text);
}

template <Clock C>
void client_kill(Ctx<C>& c) {
    if (c.argc() == 3) {  // old form: CLIENT KILL addr:port
        bool found = false;
        c.engine.for_each_client([&](Session<C>& s) {
            if (!found && s.info().addr == c.arg(2)) {
                s.kill();
                found = true;
            }
        });
        if (found) c.out.simple("OK");
        else c.out.error("ERR No such client");
        return;
    }
    std::optional<std::uint64_t> id;
    std::optional<std::string> addr, laddr, type;
    bool skipme = true;
    for (std::size_t i = 2; i < c.argc(); i += 2) {
        if (i + 1 >= c.argc()) {
            c.out.error(errors::syntax);
            return;
        }
        const std::string_view opt = c.arg(i), val = c.arg(i + 1);
        if (iequals(opt, "id")) {
            auto v = to_ll(val);
            if (!v || *v <= 0) {
                c.out.error("ERR client-id should be greater than 0");
                return;
            }
            id = static_cast<std::uint64_t>(*v);
        } else if (iequals(opt, "addr")) {
            addr = std::string(val);
        } else if (iequals(opt, "laddr")) {
            laddr = std::string(val);
        } else if (iequals(opt, "type")) {
            type = client_type_arg(val);
            if (type->empty()) {
                c.out.error("ERR Unknown client type '" + std::string(val) + "'");
                return;
            }
        } else if (iequals(opt, "skipme")) {
            if (iequals(val, "yes")) skipme = true;
            else if (iequals(val, "no")) skipme = false;
            else {
                c.out.error(errors::syntax);
                return;
            }
        } else if (iequals(opt, "user")) {
            if (val != "default") {
                c.out.error("ERR No such user '" + std::string(val) + "'");
                return;
            }
        } else {  // (MAXAGE is Redis 7.4's: a syntax error in 7.0)
            c.out.error(errors::syntax);
            return;
        }
    }
    long long killed = 0;
    c.engine.for_each_client([&](Session<C>& s) {
        if (id && s.id() != *id) return;
        if (addr && s.info().addr != *addr) return;
        if (laddr && s.info().laddr != *laddr) return;
        if (type && client_type(s) != *type) return;
        if (skipme && &s == &c.session) return;
        s.kill();
        ++killed;
    });
    c.out.integer(killed);
}

template <Clock C>
void client_help(Ctx<C>& c) {
    static const char* lines[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help."};
    help_reply(c.out, lines);
}

/// CLIENT PAUSE timeout [WRITE|ALL]: for `timeout` ms, hold back every client's commands
/// (ALL, the default) or those that write or may replicate (WRITE); see
/// Engine::pause_clients. The mode is checked before the timeout, as in Redis.
template <Clock C>
void client_pause(Ctx<C>& c) {
    std::uint8_t type = pause_all;
    if (c.argc() > 4) {
        subcommand_syntax_error(c, "CLIENT");
        return;
    }
    if (c.argc() == 4) {
        if (iequals(c.arg(3), "write")) {
            type = pause_write;
        } else if (!iequals(c.arg(3), "all")) {
            c.out.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    const auto ms = timeout_ms_arg(c, 2);
    if (!ms) return;
    // A timeout past the clock's range pauses until CLIENT UNPAUSE (Redis 7.0's sum
    // overflows instead, and the pause ends at once).
    const auto now = std::chrono::steady_clock::now();
    const auto room = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::time_point::max() - now);
    c.engine.pause_clients(type, *ms >= room.count() ? std::chrono::steady_clock::time_point::max()
                                                     : now + std::chrono::milliseconds(*ms));
    c.out.simple("OK");
}

/// CLIENT UNPAUSE: ends the pause; the held commands run.
template <Clock C>
void client_unpause(Ctx<C>& c) {
    c.engine.unpause_clients();
    c.out.simple("OK");
}

/// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if that client was blocked (its command then ends as
/// on timeout, or with -UNBLOCKED), else 0.
template <Clock C>
void client_unblock(Ctx<C>& c) {
    bool error = false;
    if (c.argc() == 4) {
        if (iequals(c.arg(3), "error")) error = true;
        else if (!iequals(c.arg(3), "timeout")) {
            c.out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    auto id = to_ll(c.arg(2));
    if (!id) {
        c.out.error(errors::not_integer);
        return;
    }
    bool done = false;
    if (*id > 0) c.engine.with_client(static_cast<std::uint64_t>(*id), [&](Session<C>& s) { done = s.request_unblock(error); });
    c.out.integer(done ? 1 : 0);
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p]... [OPTIN] [OPTOUT] [NOLOOP]:
/// server-assisted client-side caching, with Redis 7.0's checks in its order (the options
/// first, then ON / OFF; a mode cannot be switched without turning tracking off; BCAST
/// prefixes of one client must not overlap). See Engine::tracking_invalidate.
template <Clock C>
void client_tracking(Ctx<C>& c) {
    std::uint64_t redirect = 0;
    std::uint8_t options = 0;
    std::vector<std::string_view> prefixes;
    for (std::size_t j = 3; j < c.argc(); ++j) {
        const bool more = j + 1 < c.argc();
        const std::string_view opt = c.arg(j);
        if (iequals(opt, "redirect") && more) {
            ++j;
            if (redirect != 0) {
                c.out.error("ERR A client can only redirect to a single other client");
                return;
            }
            const auto id = to_ll(c.arg(j));
            if (!id) {
                c.out.error(errors::not_integer);
                return;
            }
            if (*id <= 0 || !c.engine.with_client(static_cast<std::uint64_t>(*id), [](Session<C>&) {})) {
                c.out.error("ERR The client ID you want redirect to does not exist");
                return;
            }
            redirect = static_cast<std::uint64_t>(*id);
        } else if (iequals(opt, "bcast")) {
            options |= trk_bcast;
        } else if (iequals(opt, "optin")) {
            options |= trk_optin;
        } else if (iequals(opt, "optout")) {
            options |= trk_optout;
        } else if (iequals(opt, "noloop")) {
            options |= trk_noloop;
        } else if (iequals(opt, "prefix") && more) {
            prefixes.push_back(c.arg(++j));
        } else {
            c.out.error(errors::syntax);
            return;
        }
    }
    Session<C>& s = c.session;
    if (iequals(c.arg(2), "off")) {
        s.disable_tracking();
        c.out.simple("OK");
        return;
    }
    if (!iequals(c.arg(2), "on")) {
        c.out.error(errors::syntax);
        return;
    }
    const std::uint8_t cur = s.tracking_flags();
    if (!(options & trk_bcast) && !prefixes.empty()) {
        c.out.error("ERR PREFIX option requires BCAST mode to be enabled");
        return;
    }
    if ((cur & trk_on) && ((cur & trk_bcast) != 0) != ((options & trk_bcast) != 0)) {
        c.out.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
                    "and then re-enabling it with a different mode.");
        return;
    }
    if ((options & trk_bcast) && (options & (trk_optin | trk_optout))) {
        c.out.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
        return;
    }
    if ((options & trk_optin) && (options & trk_optout)) {
        c.out.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
        return;
    }
    if (((options & trk_optin) && (cur & trk_optout)) || ((options & trk_optout) && (cur & trk_optin))) {
        c.out.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
                    "and then re-enabling it with a different mode.");
        return;
    }
    // Redis's stringCheckPrefix: two prefixes overlap when one starts the other (%s: up to a NUL).
    const auto overlap = [](std::string_view a, std::string_view b) {
        const std::size_t n = std::min(a.size(), b.size());
        return a.substr(0, n) == b.substr(0, n);
    };
    const auto c_str = [](std::string_view v) { return std::string(v.substr(0, v.find('\0'))); };
    if (options & trk_bcast) {
        for (std::size_t i = 0; i < prefixes.size(); ++i) {
            for (const auto& have : s.tracking_prefixes())
                if (overlap(have, prefixes[i])) {
                    c.out.error("ERR Prefix '" + c_str(prefixes[i]) + "' overlaps with an existing prefix '" +
                                c_str(have) + "'. Prefixes for a single client must not overlap.");
                    return;
                }
            for (std::size_t j = i + 1; j < prefixes.size(); ++j)
                if (overlap(prefixes[i], prefixes[j])) {
                    c.out.error("ERR Prefix '" + c_str(prefixes[i]) + "' overlaps with another provided prefix '" +
                                c_str(prefixes[j]) + "'. Prefixes for a single client must not overlap.");
                    return;
                }
        }
    }
    s.enable_tracking(redirect, options, prefixes);
    c.out.simple("OK");
}

/// CLIENT CACHING YES|NO: in OPTIN mode, track the next command's keys; in OPTOUT mode, don't.
template <Clock C>
void client_caching(Ctx<C>& c) {
    Session<C>& s = c.session;
    const std::uint8_t f = s.tracking_flags();
    if (!(f & trk_on)) {
        c.out.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN "
                    "or OPTOUT mode enabled");
        return;
    }
    if (iequals(c.arg(2), "yes")) {
        if (!(f & trk_optin)) {
            c.out.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
            return;
        }
    } else if (iequals(c.arg(2), "no")) {
        if (!(f & trk_optout)) {
            c.out.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
            return;
        }
    } else {
        c.out.error(errors::syntax);
        return;
    }
    s.set_tracking_caching();
    c.out.simple("OK");
}

/// CLIENT TRACKINGINFO: the flags (a set in RESP3), the redirection (-1: tracking off, 0: none)
/// and the BCAST prefixes.
template <Clock C>
void client_trackinginfo(Ctx<C>& c) {
    Session<C>& s = c.session;
    const std::uint8_t f = s.tracking_flags();
    std::vector<std::string_view> flags{f & trk_on ? "on" : "off"};
    if (f & trk_bcast) flags.push_back("bcast");
    if (f & trk_optin) {
        flags.push_back("optin");
        if (f & trk_caching) flags.push_back("caching-yes");
    }
    if (f & trk_optout) {
        flags.push_back("optout");
        if (f & trk_caching) flags.push_back("caching-no");
    }
    if (f & trk_noloop) flags.push_back("noloop");
    if (f & trk_broken) flags.push_back("broken_redirect");
    c.out.map(3);
    c.out.bulk("flags");
    c.out.set(flags.size());
    for (auto v : flags) c.out.bulk(v);
    c.out.bulk("redirect");
    c.out.integer(f & trk_on ? static_cast<long long>(s.tracking_redirect()) : -1);
    c.out.bulk("prefixes");
    c.out.array(s.tracking_prefixes().size());
    for (const auto& p : s.tracking_prefixes()) c.out.bulk(p);
}

/// CLIENT REPLY ON | OFF | SKIP (see Session::set_reply_mode).
template <Clock C>
void client_reply(Ctx<C>& c) {
    const std::string_view mode = c.arg(2);
    if (!iequals(mode, "on") && !iequals(mode, "off") && !iequals(mode, "skip")) {
        c.out.error(errors::syntax);
        return;
    }
    c.session.set_reply_mode(mode);
    if (iequals(mode, "on")) c.out.simple("OK");
}

/// CLIENT NO-EVICT ON | OFF.
template <Clock C>
void client_no_evict(Ctx<C>& c) {
    const std::string_view mode = c.arg(2);
    if (!iequals(mode, "on") && !iequals(mode, "off")) {
        c.out.error(errors::syntax);
        return;
    }
    c.session.set_no_evict(iequals(mode, "on"));
    c.out.simple("OK");
}

template <Clock C>
void client_getredir(Ctx<C>& c) {
    c.out.integer(c.session.tracking() ? static_cast<long long>(c.session.tracking_redirect()) : -1);
}

// ---------------------------------------------------------------------- ACL

/// Redis 7.0's ACL categories, in ACL CAT's order.
inline const char* const acl_categories[] = {
    "keyspace", "read",   "write",  "set",       "sortedset", "list",       "hash",
    "string",   "bitmap", "hyperloglog", "geo",  "stream",    "pubsub",     "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};

/// ACL CAT [category]: the categories, or the commands (and subcommands, as parent|sub) in one.
template <Clock C>
void acl_cat(Ctx<C>& c) {
    if (c.argc() == 2) {
        c.out.array(std::size(acl_categories));
        for (const char* cat : acl_categories) c.out.bulk(cat);
        return;
    }
    const std::string cat = lower(c.arg(2));
    if (std::find_if(std::begin(acl_categories), std::end(acl_categories),
                     [&](const char* k) { return cat == k; }) == std::end(acl_categories)) {
        c.out.error_trimmed("ERR Unknown category '" + std::string(c.arg(2)) + "'");
        return;
    }
    auto in = [&](const CommandSpec<C>& s) {
        return std::find(s.acl.begin(), s.acl.end(), cat) != s.acl.end();
    };
    std::vector<std::string> names;
    for (const auto& [name, spec] : c.engine.commands()) {
        if (spec.handler && in(spec)) names.push_back(name);
        for (const auto& [sub_name, sub] : spec.subcommands)
            if (in(sub)) names.push_back(name + "|" + sub_name);
    }
    c.out.array(names.size());
    for (const auto& n : names) c.out.bulk(n);
}

/// ACL WHOAMI / ACL USERS: cachet has one user, "default" (requirepass is its password).
template <Clock C>
void acl_whoami(Ctx<C>& c) {
    c.out.bulk("default");
}
template <Clock C>
void acl_users(Ctx<C>& c) {
    c.out.array(1);
    c.out.bulk("default");
}
template <Clock C>
void acl_help(Ctx<C>& c) {
    static const char* const lines[] = {
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help."};
    help_reply(c.out, lines);
}


}  // namespace cmd

template <Clock C>
void register_connection_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::uint32_t conn = cmd_noscript | cmd_loading | cmd_stale | cmd_fast;
    add_command<C>(t, "ping", -1, cmd_fast, 0, 0, 0, &ping<C>, "connection", "Ping the server", "1.0.0", {"fast", "connection"});
    add_command<C>(t, "echo", 2, cmd_loading | cmd_stale | cmd_fast, 0, 0, 0, &echo<C>, "connection", "Echo the given string", "1.0.0", {"fast", "connection"});
    add_command<C>(t, "auth", -2, conn | cmd_no_auth | cmd_allow_busy, 0, 0, 0, &auth<C>, "connection", "Authenticate to the server", "1.0.0", {"fast", "connection"});
    add_command<C>(t, "hello", -1, conn | cmd_no_auth | cmd_allow_busy, 0, 0, 0, &hello<C>, "connection", "Handshake with Redis", "6.0.0", {"fast", "connection"});
    add_command<C>(t, "quit", -1, conn | cmd_no_auth | cmd_allow_busy, 0, 0, 0, &quit<C>, "connection", "Close the connection", "1.0.0", {"fast", "connection"});
    add_command<C>(t, "select", 2, cmd_loading | cmd_stale | cmd_fast, 0, 0, 0, &select<C>, "connection", "Change the selected database for the current connection", "1.0.0", {"fast", "connection"});
    add_command<C>(t, "reset", 1, conn | cmd_no_auth | cmd_allow_busy, 0, 0, 0, &reset<C>, "connection", "Reset the connection", "6.2.0", {"fast", "connection"});
    auto& client = add_command<C>(t, "client", -2, 0, 0, 0, 0, nullptr, "connection", "A container for client connection commands", "2.4.0", {"slow"});
    const std::uint32_t sub = cmd_noscript | cmd_loading | cmd_stale;
    add_command<C>(client.subcommands, "id", 2, sub, 0, 0, 0, &client_id<C>, "connection", "Returns the client ID for the current connection", "5.0.0", {"slow", "connection"});
    add_command<C>(client.subcommands, "setname", 3, sub, 0, 0, 0, &client_setname<C>, "connection", "Set the current connection name", "2.6.9", {"slow", "connection"});
    add_command<C>(client.subcommands, "getname", 2, sub, 0, 0, 0, &client_getname<C>, "connection", "Get the current connection name", "2.6.9", {"slow", "connection"});
    add_command<C>(client.subcommands, "info", 2, sub, 0, 0, 0, &client_info<C>, "connection", "Returns information about the current client connection.", "6.2.0", {"slow", "connection"});
    add_command<C>(client.subcommands, "list", -2, sub | cmd_admin, 0, 0, 0, &client_list<C>, "connection", "Get the list of client connections", "2.4.0", {"admin", "slow", "dangerous", "connection"});
    add_command<C>(client.subcommands, "kill", -3, sub | cmd_admin, 0, 0, 0, &client_kill<C>, "connection", "Kill the connection of a client", "2.4.0", {"admin", "slow", "dangerous", "connection"});
    add_command<C>(client.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &client_help<C>, "connection", "Show helpful text about the different subcommands", "5.0.0", {"slow", "connection"});
    add_command<C>(client.subcommands, "unblock", -3, sub | cmd_admin, 0, 0, 0, &client_unblock<C>, "connection", "Unblock a client blocked in a blocking command from a different connection", "5.0.0", {"admin", "slow", "dangerous", "connection"});
    add_command<C>(client.subcommands, "pause", -3, sub | cmd_admin, 0, 0, 0, &client_pause<C>, "connection", "Stop processing commands from clients for some time", "2.9.50", {"admin", "slow", "dangerous", "connection"});
    add_command<C>(client.subcommands, "unpause", 2, sub | cmd_admin, 0, 0, 0, &client_unpause<C>, "connection", "Resume processing of clients that were paused", "6.2.0", {"admin", "slow", "dangerous", "connection"});
    add_command<C>(client.subcommands, "trackinginfo", 2, sub, 0, 0, 0, &client_trackinginfo<C>, "connection", "Return information about server assisted client side caching for the current connection", "6.2.0", {"slow", "connection"});
    add_command<C>(client.subcommands, "tracking", -3, sub, 0, 0, 0, &client_tracking<C>, "connection", "Enable or disable server assisted client side caching support", "6.0.0", {"slow", "connection"});
    add_command<C>(client.subcommands, "caching", 3, sub, 0, 0, 0, &client_caching<C>, "connection", "Instruct the server about tracking or not keys in the next request", "6.0.0", {"slow", "connection"});
    add_command<C>(client.subcommands, "getredir", 2, sub, 0, 0, 0, &client_getredir<C>, "connection", "Get tracking notifications redirection client ID if any", "6.0.0", {"slow", "connection"});
    auto& acl = add_command<C>(t, "acl", -2, 0, 0, 0, 0, nullptr, "server", "A container for Access List Control commands", "6.0.0", {"slow"});
    add_command<C>(acl.subcommands, "cat", -2, cmd_noscript | cmd_loading | cmd_stale, 0, 0, 0, &acl_cat<C>, "server", "List the ACL categories or the commands inside a category", "6.0.0", {"slow"});
    add_command<C>(acl.subcommands, "users", 2, cmd_admin | cmd_noscript | cmd_loading | cmd_stale, 0, 0, 0, &acl_users<C>, "server", "List the username of all the configured ACL rules", "6.0.0", {"admin", "slow", "dangerous"});
    add_command<C>(acl.subcommands, "whoami", 2, cmd_noscript | cmd_loading | cmd_stale, 0, 0, 0, &acl_whoami<C>, "server", "Return the name of the user associated to the current connection", "6.0.0", {"slow"});
    add_command<C>(acl.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &acl_help<C>, "server", "Show helpful text about the different subcommands", "6.0.0", {"slow"});
    add_command<C>(client.subcommands, "reply", 3, sub, 0, 0, 0, &client_reply<C>, "connection", "Instruct the server whether to reply to commands", "3.2.0", {"slow", "connection"});
    add_command<C>(client.subcommands, "no-evict", 3, sub | cmd_admin, 0, 0, 0, &client_no_evict<C>, "connection", "Set client eviction mode for the current connection", "7.0.0", {"admin", "slow", "dangerous", "connection"});
    add_command<C>(client.subcommands, "setinfo", 4, sub, 0, 0, 0, &ok_reply<C>, "connection", "Set client or connection specific info", "7.2.0", {"slow", "connection"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_CONNECTION_HPP
