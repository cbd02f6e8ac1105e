#ifndef CACHET_RESP_COMMANDS_REPLICATION_HPP
#define CACHET_RESP_COMMANDS_REPLICATION_HPP

/// Replication, master side (see replication.hpp), and RDB snapshots (rdb.hpp): SYNC, PSYNC and
/// REPLCONF as a Redis replica (or `redis-cli --replica` / `--rdb`) sends them; SAVE and
/// BGSAVE, which write the RDB file `dir`/`dbfilename`; DUMP and RESTORE, one key's RDB payload.

#include <cachet/resp/engine.hpp>
#include <cachet/resp/rdb.hpp>

#include <cstdio>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include <unistd.h>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

/// The peer's IP address from "ip:port" (IPv6 addresses keep their colons).
[[nodiscard]] inline std::string peer_ip(std::string_view addr) {
    const std::size_t colon = addr.rfind(':');
    return std::string(colon == std::string_view::npos ? addr : addr.substr(0, colon));
}

/// The address a replica reported (REPLCONF ip-address), else its connection's.
template <Clock C>
std::string replica_ip(Ctx<C>& c) {
    const auto& hs = c.session.replica_handshake();
    return hs.ip.empty() ? peer_ip(c.session.info().addr) : hs.ip;
}

/// Sends `c`'s client a snapshot and makes it a replica from the snapshot's instant on (not
/// for `REPLCONF rdb-only 1`: then the connection closes after the snapshot, as Redis does).
/// `psync`: with PSYNC's "+FULLRESYNC <replid> <offset>" line first.
template <Clock C>
void full_sync(Ctx<C>& c, bool psync) {
    auto& repl = c.engine.replication();
    auto& database = c.engine.database();
    auto& hs = c.session.replica_handshake();
    const std::string ip = replica_ip(c);
    const auto backlog = cachet::detail::parse_memory(c.engine.config_value("repl-backlog-size"));
    std::string rdb;
    long long offset = 0;
    database.exclusive([&] {  // one instant: no command runs until the replica is attached
        rdb = rdb::snapshot(database);
        offset = hs.rdb_only ? repl.offset()
                             : repl.attach(c.session, ip, hs.listening_port,
                                           static_cast<std::size_t>(backlog.value_or(1 << 20)));
    });
    std::string& out = c.session.output();
    if (psync) out += "+FULLRESYNC " + repl.replid() + " " + std::to_string(offset) + "\r\n";
    out += "$" + std::to_string(rdb.size()) + "\r\n";
    out += rdb;  // no CRLF after the payload
    if (hs.rdb_only) c.session.close_after_reply();
    else c.session.become_replica();
}

/// SYNC: the old protocol (and `redis-cli --rdb` / `--replica`): the snapshot, then the stream.
template <Clock C>
void sync(Ctx<C>& c) {
    if (c.session.is_replica()) return;  // Redis ignores SYNC from a replica
    full_sync(c, false);
}

/// PSYNC replid offset: continues from the backlog when it holds the stream from `offset`
/// (+CONTINUE), else a full sync (+FULLRESYNC, the snapshot, the stream).
template <Clock C>
void psync(Ctx<C>& c) {
    if (c.session.is_replica()) return;
    auto& repl = c.engine.replication();
    auto& hs = c.session.replica_handshake();
    if (!hs.rdb_only) {
        if (auto offset = to_ll(c.arg(2))) {
            if (auto tail = repl.try_continue(c.session, c.arg(1), *offset, replica_ip(c),
                                              hs.listening_port)) {
                std::string& out = c.session.output();
                out += "+CONTINUE " + repl.replid() + "\r\n";
                out += *tail;
                c.session.become_replica();
                c.session.set_replica_online();  // no snapshot to exempt
                return;
            }
        }
    }
    full_sync(c, true);
}

/// REPLCONF <option> <value> ...: listening-port, ip-address, capa, rdb-only (+OK); ACK
/// <offset> [FACK <offset>] from a replica (no reply); GETACK (for a replica: none here).
template <Clock C>
void replconf(Ctx<C>& c) {
    if (c.argc() % 2 == 0) {
        c.out.error(errors::syntax);
        return;
    }
    auto& hs = c.session.replica_handshake();
    for (std::size_t i = 1; i + 1 < c.argc(); i += 2) {
        const std::string opt = lower(c.arg(i));
        if (opt == "listening-port") {
            auto port = to_ll(c.arg(i + 1));
            if (!port || *port < LONG_MIN || *port > LONG_MAX) {
                c.out.error(errors::not_integer);
                return;
            }
            hs.listening_port = static_cast<int>(*port);
        } else if (opt == "ip-address") {
            hs.ip = std::string(c.arg(i + 1));
        } else if (opt == "capa") {
            // eof, psync2: cachet sends snapshots with a length and understands PSYNC anyway
        } else if (opt == "ack") {
            if (!c.session.is_replica()) return;
            c.session.set_replica_online();
            if (auto off = to_ll(c.arg(i + 1))) c.engine.replication().acknowledge(c.session, *off);
            return;  // no reply
        } else if (opt == "getack") {
            return;  // only a replica answers it
        } else if (opt == "rdb-only") {
            auto v = to_ll(c.arg(i + 1));
            if (!v || (*v != 0 && *v != 1)) {
                c.out.error(errors::syntax);
                return;
            }
            hs.rdb_only = *v == 1;
        } else {
            c.out.error("ERR Unrecognized REPLCONF option: " + std::string(c.arg(i)));
            return;
        }
    }
    c.out.simple("OK");
}

/// Writes the snapshot to `dir`/`dbfilename` through a temporary file renamed into place (a
/// reader never sees half a file). Returns false on an I/O error.
template <Clock C>
bool save_rdb(Engine<C>& engine) {
    const auto t0 = std::chrono::steady_clock::now();
    auto took = [&] {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0).count();
    };
    auto& database = engine.database();
    std::string rdb;
    database.exclusive([&] { rdb = rdb::snapshot(database); });  // inside EXEC too (BGSAVE)
    std::string dir = engine.config_value("dir");
    if (!dir.empty() && dir.back() != '/') dir += '/';
    const std::string path = dir + engine.config_value("dbfilename");
    const std::string tmp = dir + "temp-" + std::to_string(::getpid()) + ".rdb";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f.write(rdb.data(), static_cast<std::streamsize>(rdb.size()));
        f.flush();
        if (!f) {
            std::remove(tmp.c_str());
            engine.note_save(false, took());
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        engine.note_save(false, took());
        return false;
    }
    engine.note_save(true, took(),
                     std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                         .count());
    return true;
}

/// SAVE: the snapshot, written before the reply.
template <Clock C>
void save(Ctx<C>& c) {
    if (save_rdb(c.engine)) c.out.simple("OK");
    else c.out.error("ERR");
}

/// BGSAVE [SCHEDULE]: as SAVE (cachet does not fork: the snapshot is taken at one instant and
/// written before the reply), answered as Redis answers a background save it started.
template <Clock C>
void bgsave(Ctx<C>& c) {
    if (c.argc() == 2 && !iequals(c.arg(1), "schedule")) {
        c.out.error(errors::syntax);
        return;
    }
    if (c.argc() > 2) {
        c.out.error(errors::syntax);
        return;
    }
    if (save_rdb(c.engine)) c.out.simple("Background saving started");
    else c.out.error("ERR Background save failed: see the server log");
}

/// DUMP key: the value in RDB format with the RDB version and a CRC-64, as RESTORE (here or
/// in Redis) reads it; null if the key does not exist.
template <Clock C>
void dump(Ctx<C>& c) {
    std::optional<std::string> payload;
    c.db().lookup(c.arg(1), [&](const Value* v) {  // an access, as Redis's lookupKeyRead
        if (v) payload = rdb::dump_payload(*v);
    });
    if (payload) c.out.bulk(*payload);
    else c.out.null();
}

/// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]: the key from a DUMP
/// payload (cachet's or Redis's: every value type but streams and modules), with Redis's checks
/// in Redis's order. IDLETIME sets the key's idle time and FREQ its LFU counter, each only
/// under the matching maxmemory-policy (LFU: FREQ; any other: IDLETIME), as in Redis.
template <Clock C>
void restore(Ctx<C>& c) {
    bool replace = false, absttl = false;
    std::optional<long long> idle;
    std::optional<unsigned> freq;
    for (std::size_t j = 4; j < c.argc(); ++j) {
        const bool more = j + 1 < c.argc();
        if (iequals(c.arg(j), "replace")) {
            replace = true;
        } else if (iequals(c.arg(j), "absttl")) {
            absttl = true;
        } else if (iequals(c.arg(j), "idletime") && more && !freq) {
            auto v = to_ll(c.arg(++j));
            if (!v) return c.out.error(errors::not_integer);
            if (*v < 0) return c.out.error("ERR Invalid IDLETIME value, must be >= 0");
            idle = *v;
        } else if (iequals(c.arg(j), "freq") && more && !idle) {
            auto v = to_ll(c.arg(++j));
            if (!v) return c.out.error(errors::not_integer);
            if (*v < 0 || *v > 255) return c.out.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
            freq = static_cast<unsigned>(*v);
        } else {
            return c.out.error(errors::syntax);
        }
    }
    const std::string key = c.key(1);
    auto& db = c.db();
    if (!replace && db.exists(key)) return c.out.error("BUSYKEY Target key name already exists.");
    auto ttl = to_ll(c.arg(2));
    if (!ttl) return c.out.error(errors::not_integer);
    if (*ttl < 0) return c.out.error("ERR Invalid TTL value, must be >= 0");
    Value v;
    try {
        v = rdb::restore_payload(c.arg(3));
    } catch (const rdb::RdbError& e) {
        if (std::string_view(e.what()) == "payload")
            return c.out.error("ERR DUMP payload version or checksum are wrong");
        return c.out.error("ERR Bad data format");
    }
    auto& database = c.engine.database();
    long long when = *ttl;
    if (when != 0 && !absttl) when += database.unix_ms();
    if (when != 0 && when <= database.unix_ms()) {  // already expired: only the old key goes
        if (replace && db.del(key)) c.session.propagate_as({"DEL", key});
        else c.session.propagate_as({});
        c.out.simple("OK");
        return;
    }
    // The early check answers as Redis does before parsing; this one is atomic with the write
    // (another client may have created the key meanwhile).
    if (!db.restore(key, std::move(v), when ? database.deadline_from_unix_ms(when) : no_deadline, replace,
                    idle, freq))
        return c.out.error("BUSYKEY Target key name already exists.");
    if (when != 0 && !absttl) {  // replicas get the absolute time, as Redis propagates it
        std::vector<std::string> argv(c.argv.begin(), c.argv.end());
        argv[2] = std::to_string(when);
        argv.emplace_back("ABSTTL");
        c.session.propagate_as(std::move(argv));
    }
    c.out.simple("OK");
}

}  // namespace cmd

/// What replicas get for a command that set a relative expiry, as Redis 7 propagates it: the
/// key's absolute expiry time, so a replica's TTL ends when the master's does. EXPIRE,
/// PEXPIRE and EXPIREAT become PEXPIREAT (DEL if the key is gone: a time in the past deleted
/// it); SET with EX/PX/EXAT and SETEX/PSETEX become SET ... PXAT; GETEX becomes PEXPIREAT or
/// PERSIST (nothing without an option). nullopt: feed the command as sent. Runs on the
/// command's thread right after it, under the feed's order mutex.
template <Clock C>
std::optional<std::vector<std::string>> absolute_expiry(Engine<C>& engine, std::size_t db,
                                                         std::span<const std::string_view> argv,
                                                         std::string_view name) {
    const bool expire = name == "expire" || name == "pexpire" || name == "expireat";
    const bool setex = name == "setex" || name == "psetex";
    if (!expire && !setex && name != "set" && name != "getex") return std::nullopt;
    if (argv.size() < 2) return std::nullopt;
    auto& database = engine.database();
    const std::string key(argv[1]);
    const auto d = database.db(db).deadline(key);
    const auto at = [&] { return std::to_string(database.unix_from_deadline(*d)); };
    const bool timed = d && *d != no_deadline;
    if (expire) {
        if (!d) return std::vector<std::string>{"DEL", key};
        if (!timed) return std::vector<std::string>{};  // the condition failed: nothing changed
        std::vector<std::string> out{"PEXPIREAT", key, at()};
        for (std::size_t i = 3; i < argv.size(); ++i) out.emplace_back(argv[i]);
        return out;
    }
    if (setex) {
        if (!timed || argv.size() != 4) return std::nullopt;
        return std::vector<std::string>{"SET", key, std::string(argv[3]), "PXAT", at()};
    }
    if (name == "set") {
        std::vector<std::string> out;
        bool relative = false;
        for (std::size_t i = 0; i < argv.size(); ++i) {
            if (i >= 3 && i + 1 < argv.size() &&
                (iequals(argv[i], "ex") || iequals(argv[i], "px") || iequals(argv[i], "exat"))) {
                relative = true;
                out.emplace_back("PXAT");
                out.push_back(timed ? at() : std::string(argv[i + 1]));
                ++i;
            } else {
                out.emplace_back(argv[i]);
            }
        }
        if (!relative || !timed) return std::nullopt;
        return out;
    }
    // GETEX key [EX s | PX ms | EXAT ts | PXAT ts | PERSIST]
    if (argv.size() == 2) return std::vector<std::string>{};  // a read
    if (iequals(argv[2], "persist")) return std::vector<std::string>{"PERSIST", key};
    if (!d) return std::vector<std::string>{"DEL", key};
    if (!timed) return std::nullopt;
    return std::vector<std::string>{"PEXPIREAT", key, at()};
}

template <Clock C>
void register_replication_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::uint32_t repl = cmd_admin | cmd_noscript | cmd_no_async_loading | cmd_no_multi | cmd_takes_gate;
    const std::vector<std::string> sl = {"admin", "slow", "dangerous"};
    add_command<C>(t, "sync", 1, repl, 0, 0, 0, &sync<C>, "server", "Internal command used for replication", "1.0.0", sl);
    add_command<C>(t, "psync", -3, repl, 0, 0, 0, &psync<C>, "server", "Internal command used for replication", "2.8.0", sl);
    add_command<C>(t, "replconf", -1, cmd_admin | cmd_noscript | cmd_loading | cmd_stale | cmd_allow_busy, 0, 0, 0, &replconf<C>, "server", "An internal command for configuring the replication stream", "3.0.0", sl);
    add_command<C>(t, "save", 1, cmd_admin | cmd_noscript | cmd_no_async_loading | cmd_no_multi | cmd_takes_gate, 0, 0, 0, &save<C>, "server", "Synchronously save the dataset to disk", "1.0.0", sl);
    add_command<C>(t, "bgsave", -1, cmd_admin | cmd_noscript | cmd_no_async_loading | cmd_takes_gate, 0, 0, 0, &bgsave<C>, "server", "Asynchronously save the dataset to disk", "1.0.0", sl);
    add_command<C>(t, "dump", 2, cmd_readonly, 1, 1, 1, &dump<C>, "generic", "Return a serialized version of the value stored at the specified key.", "2.6.0", {"keyspace", "read", "slow"});
    add_command<C>(t, "restore", -4, cmd_write | cmd_denyoom, 1, 1, 1, &restore<C>, "generic", "Create a key using the provided serialized value, previously obtained using DUMP.", "2.6.0", {"keyspace", "write", "slow", "dangerous"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_REPLICATION_HPP
