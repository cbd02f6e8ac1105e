// cachet-server: a standalone Redis-protocol server on cachet (examples/resp_server/server.hpp
// over a cachet::Database). Takes redis-server's command line and redis.conf files:
//
//   cachet-server [/path/to/cachet.conf] [--directive value ...]
//   cachet-server --port 6380 --requirepass secret --maxmemory 100mb --io-threads 2
//   cachet-server --port 0 --port-file /tmp/port   (a free port, written to the file)
//
// Every directive is a Redis configuration parameter (as in redis.conf) and CONFIG GET reports
// it. The ones cachet honours change its behaviour (port, bind, io-threads, requirepass,
// maxclients, maxmemory, maxmemory-policy, proto-max-bulk-len, client-query-buffer-limit,
// client-output-buffer-limit, timeout, tcp-keepalive, tcp-backlog, notify-keyspace-events,
// databases, loglevel, logfile, pidfile, shutdown-timeout); the others (save, appendonly, ...)
// are validated as Redis validates them and stored, so one command line starts either server.
// An unknown directive, or a value Redis would refuse, is a fatal error (exit 1). cachet's own
// addition: `port-file PATH`, written once listening.

#include "engine_instance.hpp"
#include "server.hpp"

#include <cachet/database.hpp>
#include <cachet/resp/engine.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using cachet::resp_server::LogLevel;

constexpr std::string_view redis_version = "7.0.15";

/// One configuration directive and where it came from (for error messages).
struct Directive {
    std::string name;               // lower case
    std::vector<std::string> args;  // may be empty strings (--save '')
    std::string origin;             // "at line 3" / "from the command line, option --port"
    std::string text;               // the line as written
};

/// Redis's sdssplitargs: blanks separate arguments; "double quotes" with \n \r \t \b \a \xHH
/// and \<char> escapes; 'single quotes' with \' only; a closing quote must be followed by a
/// blank or the end. nullopt on unbalanced quotes.
std::optional<std::vector<std::string>> split_args(std::string_view line) {
    std::vector<std::string> out;
    std::size_t i = 0;
    auto blank = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f'; };
    auto hex = [](char ch) -> int {
        if (ch >= '0' && ch <= '9') return ch - '0';
        if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
        return -1;
    };
    for (;;) {
        while (i < line.size() && blank(line[i])) ++i;
        if (i >= line.size()) return out;
        std::string cur;
        bool inq = false, insq = false, done = false;
        while (!done) {
            if (inq) {
                if (i >= line.size()) return std::nullopt;
                if (line[i] == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && hex(line[i + 2]) >= 0 &&
                    hex(line[i + 3]) >= 0) {
                    cur += static_cast<char>(hex(line[i + 2]) * 16 + hex(line[i + 3]));
                    i += 3;
                } else if (line[i] == '\\' && i + 1 < line.size()) {
                    ++i;
                    switch (line[i]) {
                        case 'n': cur += '\n'; break;
                        case 'r': cur += '\r'; break;
                        case 't': cur += '\t'; break;
                        case 'b': cur += '\b'; break;
                        case 'a': cur += '\a'; break;
                        default: cur += line[i]; break;
                    }
                } else if (line[i] == '"') {
                    if (i + 1 < line.size() && !blank(line[i + 1])) return std::nullopt;
                    done = true;
                } else {
                    cur += line[i];
                }
            } else if (insq) {
                if (i >= line.size()) return std::nullopt;
                if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
                    ++i;
                    cur += '\'';
                } else if (line[i] == '\'') {
                    if (i + 1 < line.size() && !blank(line[i + 1])) return std::nullopt;
                    done = true;
                } else {
                    cur += line[i];
                }
            } else {
                if (i >= line.size()) {
                    done = true;
                    break;
                }
                switch (line[i]) {
                    case ' ': case '\n': case '\r': case '\t': case '\0': done = true; break;
                    case '"': inq = true; break;
                    case '\'': insq = true; break;
                    default: cur += line[i]; break;
                }
            }
            if (i < line.size()) ++i;
        }
        out.push_back(std::move(cur));
    }
}

std::string lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& a : v) {
        if (!s.empty()) s += ' ';
        s += a;
    }
    return s;
}

[[noreturn]] void fatal_config(const Directive& d, std::string_view why) {
    std::fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (cachet-server, Redis %.*s protocol) ***\n",
                 static_cast<int>(redis_version.size()), redis_version.data());
    std::fprintf(stderr, "Reading the configuration %s\n>>> '%s'\n%.*s\n", d.origin.c_str(), d.text.c_str(),
                 static_cast<int>(why.size()), why.data());
    std::exit(1);
}

[[noreturn]] void fatal(std::string_view why) {
    std::fprintf(stderr, "cachet-server: %.*s\n", static_cast<int>(why.size()), why.data());
    std::exit(1);
}

/// Reads a redis.conf-style file (and the files it `include`s) into `out`.
void read_config_file(const std::string& path, std::vector<Directive>& out, int depth = 0) {
    if (depth > 16) fatal("include nesting too deep at " + path);
    std::ifstream in(path);
    if (!in) fatal("Fatal error, can't open config file '" + path + "': " + std::strerror(errno));
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        const auto first = line.find_first_not_of(" \t\r\n");
        if (first == std::string::npos || line[first] == '#') continue;
        Directive d;
        d.origin = "file " + path + ", at line " + std::to_string(lineno);
        d.text = line.substr(first);
        while (!d.text.empty() && (d.text.back() == '\r' || d.text.back() == ' ' || d.text.back() == '\t'))
            d.text.pop_back();
        auto args = split_args(d.text);
        if (!args) fatal_config(d, "Unbalanced quotes in configuration line");
        if (args->empty()) continue;
        d.name = lower((*args)[0]);
        d.args.assign(args->begin() + 1, args->end());
        if (d.name == "include") {
            if (d.args.size() != 1) fatal_config(d, "Bad directive or wrong number of arguments");
            read_config_file(d.args[0], out, depth + 1);
            continue;
        }
        out.push_back(std::move(d));
    }
}

void usage(std::FILE* to) {
    std::fprintf(to,
                 "Usage: cachet-server [/path/to/cachet.conf] [options] [-]\n"
                 "       cachet-server -v or --version\n"
                 "       cachet-server -h or --help\n"
                 "\n"
                 "Options are redis.conf directives written --name value, e.g.\n"
                 "  --port 6379              TCP port (0: a free one, see --port-file)\n"
                 "  --bind 127.0.0.1 ::1     addresses to listen on (default 127.0.0.1 only)\n"
                 "  --io-threads N           event-loop threads (default: the number of cores)\n"
                 "  --requirepass PASSWORD   require AUTH\n"
                 "  --maxclients N           --timeout SECONDS (idle clients)\n"
                 "  --maxmemory 100mb        --maxmemory-policy allkeys-lru\n"
                 "  --proto-max-bulk-len 512mb  --client-query-buffer-limit 1gb\n"
                 "  --client-output-buffer-limit 'pubsub 32mb 8mb 60'\n"
                 "  --databases 16           --loglevel notice  --logfile PATH  --pidfile PATH\n"
                 "  --port-file PATH         write the bound port to PATH once listening\n"
                 "  --save '' --appendonly no   accepted (validated and stored) like every other\n"
                 "                           Redis parameter, so redis-server's command line works\n"
                 "\n"
                 "Examples:\n"
                 "  cachet-server --port 7777\n"
                 "  cachet-server /etc/cachet/cachet.conf --loglevel verbose\n"
                 "  cachet-server --port 0 --port-file /tmp/cachet.port --save '' --appendonly no\n");
}

/// Writes `text` to `path` atomically (a temporary file renamed over it), so a reader polling
/// for the file never sees it half-written.
bool write_file_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) return false;
        out << text;
        out.flush();
        if (!out) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

cachet::resp_server::Server<>* g_server = nullptr;
std::atomic<int> g_signals{0};

/// Async-signal-safe: a write(2) of a fixed message and Server::stop().
extern "C" void on_signal(int sig) {
    auto say = [](const char* s) {
        [[maybe_unused]] const ssize_t r = ::write(2, s, std::strlen(s));
    };
    if (g_signals.fetch_add(1) > 0) {
        say("You insist... exiting now.\n");
        ::_exit(1);
    }
    say(sig == SIGINT ? "Received SIGINT scheduling shutdown...\n" : "Received SIGTERM scheduling shutdown...\n");
    if (g_server) g_server->stop();
}

std::optional<LogLevel> parse_level(std::string_view v) {
    const std::string l = lower(std::string(v));
    if (l == "debug") return LogLevel::debug;
    if (l == "verbose") return LogLevel::verbose;
    if (l == "notice") return LogLevel::notice;
    if (l == "warning") return LogLevel::warning;
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<Directive> directives;
    std::string config_file;  // absolute, or empty without one
    // ----------------------------------------------------------------- the command line
    int j = 1;
    if (argc >= 2) {
        const std::string_view a = argv[1];
        if (a == "-v" || a == "--version") {
            std::printf("cachet-server v=%d.%d.%d (Redis %.*s protocol) bits=%d\n", CACHET_VERSION_MAJOR,
                        CACHET_VERSION_MINOR, CACHET_VERSION_PATCH, static_cast<int>(redis_version.size()),
                        redis_version.data(), static_cast<int>(sizeof(void*) * 8));
            return 0;
        }
        if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        }
        if (a.substr(0, 2) != "--" && a != "-") {
            read_config_file(std::string(a), directives);
            std::error_code ec;  // INFO's config_file is absolute, as Redis's
            const auto path = std::filesystem::absolute(std::string(a), ec);
            config_file = ec ? std::string(a) : path.string();
            j = 2;
        }
    }
    for (; j < argc; ++j) {
        const std::string_view a = argv[j];
        if (a == "-") {  // config from stdin, as redis-server
            std::string all, line;
            int lineno = 0;
            while (std::getline(std::cin, line)) {
                ++lineno;
                const auto first = line.find_first_not_of(" \t\r\n");
                if (first == std::string::npos || line[first] == '#') continue;
                Directive d;
                d.origin = "from stdin, at line " + std::to_string(lineno);
                d.text = line.substr(first);
                auto args = split_args(d.text);
                if (!args) fatal_config(d, "Unbalanced quotes in configuration line");
                if (args->empty()) continue;
                d.name = lower((*args)[0]);
                d.args.assign(args->begin() + 1, args->end());
                directives.push_back(std::move(d));
            }
            continue;
        }
        if (a.size() < 3 || a.substr(0, 2) != "--") {
            Directive d;
            d.origin = "from the command line";
            d.text = std::string(a);
            fatal_config(d, "Invalid argument: options are --name value (the config file, if any, comes first)");
        }
        Directive d;
        d.name = lower(std::string(a.substr(2)));
        d.origin = "from the command line, option --" + d.name;
        while (j + 1 < argc && std::string_view(argv[j + 1]).substr(0, 2) != "--") d.args.emplace_back(argv[++j]);
        d.text = d.name;
        for (const auto& x : d.args) d.text += " \"" + x + '"';
        directives.push_back(std::move(d));
    }

    // ----------------------------------------------------------------- first pass: settings
    cachet::resp::EngineOptions eo;
    cachet::DatabaseOptions dbo;
    cachet::resp_server::ServerOptions so;
    std::string port_file, pidfile, logfile;
    std::optional<std::string> save;  // several save lines add up, as in redis.conf
    std::vector<Directive> params;    // applied through CONFIG SET once the engine exists
    std::optional<Directive> daemonize, replicaof, unixsocket;  // set to what cachet lacks
    auto one_arg = [](const Directive& d) -> const std::string& {
        if (d.args.size() != 1) fatal_config(d, "wrong number of arguments");
        return d.args[0];
    };
    auto integer = [&](const Directive& d, long long lo, long long hi) {
        long long v = 0;
        const std::string& s = one_arg(d);
        if (!cachet::detail::string2ll(s, v)) fatal_config(d, "argument couldn't be parsed into an integer");
        if (v < lo || v > hi)
            fatal_config(d, "argument must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " inclusive");
        return v;
    };
    auto memory = [&](const Directive& d) {
        auto m = cachet::detail::parse_memory(one_arg(d));
        if (!m) fatal_config(d, "argument must be a memory value");
        return *m;
    };
    for (const Directive& d : directives) {
        const std::string& n = d.name;
        if (n == "port") {
            so.port = eo.port = static_cast<int>(integer(d, 0, 65535));
        } else if (n == "bind") {
            if (d.args.empty()) fatal_config(d, "wrong number of arguments");
            so.bind = d.args;
            eo.bind = join(d.args);
            params.push_back(d);
        } else if (n == "io-threads") {
            so.io_threads = static_cast<unsigned>(integer(d, 1, 128));
            eo.io_threads = static_cast<int>(so.io_threads);
        } else if (n == "port-file") {
            port_file = one_arg(d);
        } else if (n == "pidfile") {
            pidfile = one_arg(d);
        } else if (n == "logfile") {
            logfile = one_arg(d);
        } else if (n == "loglevel") {
            auto l = parse_level(one_arg(d));
            if (!l) fatal_config(d, "argument(s) must be one of the following: debug, verbose, notice, warning");
            so.verbosity = *l;
            params.push_back(d);
        } else if (n == "databases") {
            dbo.databases = static_cast<std::size_t>(integer(d, 1, 1 << 20));
        } else if (n == "tcp-backlog") {
            so.backlog = static_cast<int>(integer(d, 0, 65535));
        } else if (n == "tcp-keepalive") {
            so.tcp_keepalive = static_cast<int>(integer(d, 0, 2147483647));
            params.push_back(d);
        } else if (n == "shutdown-timeout") {
            so.shutdown_timeout = std::chrono::seconds(integer(d, 0, 2147483647));
            params.push_back(d);
        } else if (n == "daemonize") {
            // The last setting wins (a command-line option overrides the file), so these are
            // judged after the loop.
            daemonize = lower(one_arg(d)) == "yes" ? std::optional<Directive>(d) : std::nullopt;
        } else if (n == "replicaof" || n == "slaveof") {
            const bool none = d.args.size() == 2 && lower(d.args[0]) == "no" && lower(d.args[1]) == "one";
            replicaof = none ? std::nullopt : std::optional<Directive>(d);
        } else if (n == "unixsocket") {
            unixsocket = one_arg(d).empty() ? std::nullopt : std::optional<Directive>(d);
        } else if (n == "save") {
            save = save && !save->empty() && !join(d.args).empty() ? *save + ' ' + join(d.args) : join(d.args);
        } else {  // a CONFIG parameter (unknown ones fail in CONFIG SET below)
            if (n == "requirepass") eo.requirepass = one_arg(d);
            else if (n == "maxclients") eo.maxclients = static_cast<std::size_t>(integer(d, 1, 4294967295LL));
            else if (n == "maxmemory") eo.maxmemory = static_cast<std::uint64_t>(memory(d));
            else if (n == "maxmemory-policy") eo.maxmemory_policy = lower(one_arg(d));
            else if (n == "proto-max-bulk-len") eo.limits.max_bulk_len = memory(d);
            else if (n == "client-query-buffer-limit") eo.limits.query_buffer_limit = static_cast<std::size_t>(memory(d));
            else if (n == "notify-keyspace-events") eo.notify_keyspace_events = one_arg(d);
            else if (n == "timeout") eo.timeout = static_cast<std::uint64_t>(integer(d, 0, 2147483647));
            params.push_back(d);
        }
    }
    if (daemonize) fatal_config(*daemonize, "daemonize yes is not supported: run cachet-server under a supervisor");
    if (replicaof) fatal_config(*replicaof, "replication is not supported by cachet-server");
    if (unixsocket) fatal_config(*unixsocket, "unix sockets are not supported by cachet-server");

    // ----------------------------------------------------------------- logging
    int logfd = 2;
    if (!logfile.empty()) {
        logfd = ::open(logfile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (logfd < 0) fatal("Can't open the log file " + logfile + ": " + std::strerror(errno));
        so.log = [logfd](LogLevel l, std::string_view text) { cachet::resp_server::write_log_line(logfd, l, text); };
    }
    auto log = [&](LogLevel l, const std::string& text) {
        if (l >= so.verbosity) cachet::resp_server::write_log_line(logfd, l, text);
    };
    log(LogLevel::notice, "oO0OoO0OoO0Oo cachet-server is starting oO0OoO0OoO0Oo");
    log(LogLevel::notice, "cachet version=" + std::to_string(CACHET_VERSION_MAJOR) + '.' +
                              std::to_string(CACHET_VERSION_MINOR) + '.' + std::to_string(CACHET_VERSION_PATCH) +
                              ", Redis " + std::string(redis_version) + " protocol, bits=" +
                              std::to_string(sizeof(void*) * 8) + ", pid=" + std::to_string(::getpid()) +
                              ", just started");
    log(LogLevel::notice, directives.empty() ? "Configuration loaded (defaults)" : "Configuration loaded");

    if (so.io_threads == 0) so.io_threads = std::max(1u, std::thread::hardware_concurrency());
    eo.io_threads = static_cast<int>(so.io_threads);

    // File descriptors: maxclients plus a few, as Redis raises RLIMIT_NOFILE.
    {
        rlimit rl{};
        const rlim_t want = static_cast<rlim_t>(eo.maxclients) + 32 + 2 * so.io_threads;
        if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
            rlimit up = rl;
            up.rlim_cur = std::min(want, rl.rlim_max);
            ::setrlimit(RLIMIT_NOFILE, &up);
            ::getrlimit(RLIMIT_NOFILE, &rl);
            if (rl.rlim_cur < want)
                log(LogLevel::warning, "You requested maxclients of " + std::to_string(eo.maxclients) +
                                           " requiring at least " + std::to_string(want) +
                                           " max file descriptors; the limit is " + std::to_string(rl.rlim_cur) +
                                           ": raise it with ulimit -n");
        }
    }

    // ----------------------------------------------------------------- the engine
    std::optional<cachet::Database> db_storage;
    try {
        db_storage.emplace(dbo);
    } catch (const std::exception& e) {
        fatal(e.what());
    }
    cachet::Database& db = *db_storage;
    cachet::resp::Engine engine(db, eo);
    engine.set_config_file(config_file);
#ifdef CACHET_HAVE_LUA
    enable_server_scripting(engine);
#endif
    auto set_param = [&](const Directive& d, const std::string& name, const std::string& value) {
        const std::pair<std::string_view, std::string_view> kv{name, value};
        const std::string err = engine.config_set(std::span(&kv, 1));
        if (err.empty()) return;
        // Parameters Redis reads only at start-up (CONFIG SET refuses them): store the value.
        if (err.find("can't set immutable config") != std::string::npos ||
            err.find("can't set protected config") != std::string::npos) {
            for (const auto& p : cachet::resp::config_params)
                if (p.name == name) {
                    cachet::resp::ConfigParam cp;
                    cp.value = value;
                    cp.kind = p.kind;
                    engine.define_param(name, std::move(cp));
                }
            return;
        }
        if (err.rfind("Unknown option", 0) == 0) fatal_config(d, "Bad directive or wrong number of arguments");
        const auto dash = err.find(" - ");
        fatal_config(d, dash == std::string::npos ? err : err.substr(dash + 3));
    };
    for (const Directive& d : params) set_param(d, d.name, join(d.args));
    if (save) {
        Directive d{"save", {}, "save directive", "save \"" + *save + '"'};
        set_param(d, "save", *save);
    }
    auto define_immutable = [&](const std::string& name, const std::string& value) {
        for (const auto& p : cachet::resp::config_params)
            if (p.name == name) {
                cachet::resp::ConfigParam cp;
                cp.value = value;
                cp.kind = p.kind;
                engine.define_param(name, std::move(cp));
            }
    };
    define_immutable("io-threads", std::to_string(so.io_threads));
    define_immutable("databases", std::to_string(dbo.databases));
    define_immutable("tcp-backlog", std::to_string(so.backlog));
    if (!logfile.empty()) define_immutable("logfile", logfile);
    if (!pidfile.empty()) define_immutable("pidfile", pidfile);

    // dir: the working directory from now on, as Redis's (relative paths such as dbfilename and
    // cluster-config-file are in it), and CONFIG GET dir reports it absolute.
    {
        const std::string dir = engine.config_value("dir");
        std::error_code ec;
        if (!dir.empty()) std::filesystem::current_path(dir, ec);
        if (ec) {
            log(LogLevel::warning, "Can't chdir to '" + dir + "': " + ec.message());
            return 1;
        }
        if (const auto cwd = std::filesystem::current_path(ec); !ec) define_immutable("dir", cwd.string());
    }

    // ----------------------------------------------------------------- the data
    // dir/dbfilename, if it exists: an RDB file from SAVE, or from Redis (as redis-server loads
    // it at start). A file that cannot be loaded stops the start, as in Redis.
    {
        std::string dir = engine.config_value("dir");
        if (!dir.empty() && !dir.ends_with("/")) dir += '/';
        const std::string path = dir + engine.config_value("dbfilename");
        std::ifstream in(path, std::ios::binary);
        if (in) {
            std::stringstream bytes;
            bytes << in.rdbuf();
            const auto t0 = std::chrono::steady_clock::now();
            try {
                const std::size_t keys = cachet::resp::rdb::load(db, bytes.str());
                char secs[32];
                std::snprintf(secs, sizeof secs, "%.3f", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
                log(LogLevel::notice, "DB loaded from disk (" + path + "): " + std::to_string(keys) + " keys in " + secs + " seconds");
            } catch (const std::exception& e) {
                log(LogLevel::warning, "Can't load the RDB file " + path + ": " + e.what() + ". Aborting now.");
                return 1;
            }
        }
    }

    // ----------------------------------------------------------------- the server
    std::optional<cachet::resp_server::Server<>> server;
    try {
        server.emplace(engine, so);
        server->listen();
    } catch (const std::exception& e) {
        log(LogLevel::warning, std::string("Warning: ") + e.what());
        log(LogLevel::warning, "Failed listening on port " + std::to_string(so.port) + " (TCP), aborting.");
        return 1;
    }
    {
        Directive d{"port", {}, "bound port", "port"};
        set_param(d, "port", std::to_string(server->port()));
    }
    // Cluster mode: the static topology in cluster-config-file (relative to dir), or, without
    // that file, a one-node cluster serving every slot.
    const bool cluster = lower(engine.config_value("cluster-enabled")) == "yes";
    if (cluster) {
        std::string path = engine.config_value("cluster-config-file");
        if (const std::string dir = engine.config_value("dir"); !dir.empty() && !path.starts_with("/"))
            path = dir + (dir.ends_with("/") ? "" : "/") + path;
        std::ifstream in(path);
        const std::string my_ip = so.bind.empty() ? std::string("127.0.0.1") : so.bind.front();
        if (!in) {
            engine.enable_cluster(cachet::resp::ClusterTopology::single(my_ip, server->port()));
            log(LogLevel::notice, "No cluster configuration found (" + path + "): a one-node cluster serving all 16384 slots");
        } else {
            std::stringstream text;
            text << in.rdbuf();
            std::string error;
            auto topo = cachet::resp::ClusterTopology::parse(text.str(), my_ip, server->port(), error);
            if (!topo) {
                log(LogLevel::warning, "Unrecoverable error in the cluster configuration file " + path + ": " + error);
                return 1;
            }
            log(LogLevel::notice, "Cluster configuration loaded from " + path + ": " + std::to_string(topo->nodes().size()) +
                                      " nodes, this one " + topo->myself().id +
                                      (topo->complete() ? "" : " (some slots have no node: the cluster is down)"));
            engine.enable_cluster(std::move(*topo));
        }
    }
    log(LogLevel::notice, std::string("Running mode=") + (cluster ? "cluster" : "standalone") + ", port=" +
                              std::to_string(server->port()) + ".");
    log(LogLevel::notice, "Server initialized");
    if (!pidfile.empty() && !write_file_atomically(pidfile, std::to_string(::getpid()) + '\n'))
        log(LogLevel::warning, "Failed to write PID file " + pidfile + ": " + std::strerror(errno));

    g_server = &*server;
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    // Written after the handlers are in place: a test that reads the port may signal at once.
    if (!port_file.empty() && !write_file_atomically(port_file, std::to_string(server->port()) + '\n')) {
        log(LogLevel::warning, "Failed to write the port file " + port_file + ": " + std::strerror(errno));
        return 1;
    }

    try {
        server->run();
    } catch (const std::exception& e) {
        log(LogLevel::warning, std::string("Fatal: ") + e.what());
        return 1;
    }
    g_server = nullptr;
    server.reset();
    if (!pidfile.empty()) std::remove(pidfile.c_str());
    log(LogLevel::warning, "cachet-server is now ready to exit, bye bye...");
    return 0;
}
