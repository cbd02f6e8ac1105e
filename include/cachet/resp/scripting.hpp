#ifndef CACHET_RESP_SCRIPTING_HPP
#define CACHET_RESP_SCRIPTING_HPP

/// Lua scripting for the RESP command layer, as Redis 7.0's: EVAL, EVALSHA, EVAL_RO,
/// EVALSHA_RO and SCRIPT (LOAD, EXISTS, FLUSH, KILL, HELP).
///
/// Optional, and the one part of cachet that needs a library: Lua 5.1 (Debian's
/// liblua5.1-0-dev). Not included by engine.hpp; a program that wants scripting includes this
/// header, links Lua (preferably `lua5.1-c++`, the build whose errors are C++ exceptions, so
/// that an error raised in a script unwinds C++ frames properly) and calls
/// `enable_scripting(engine)` once before serving. cachet-server does when built with Lua.
///
/// What a script sees is Redis's: KEYS and ARGV; `redis.call` and `redis.pcall` (a failing
/// command raises, or returns, an `{err=...}` table), `redis.error_reply`,
/// `redis.status_reply`, `redis.sha1hex`, `redis.setresp` (replies of RESP3 in the script's
/// types), `redis.log`, `redis.set_repl`, `redis.replicate_commands`, the LOG_ and REPL_
/// constants, REDIS_VERSION; the base, table, string, math and debug libraries (not os, io,
/// dofile, loadfile), and Redis's cjson, bit, cmsgpack and struct (lua_libs.hpp); globals are read-only (reading a missing one or assigning one is an
/// error). Redis's type conversions both ways, in RESP2 and RESP3, its error texts (the
/// failing command's error followed by " script: <sha>, on @user_script:<line>."), the `#!lua
/// flags=no-writes` shebang. Time stands still for the script's keys: what has not expired
/// when it starts does not expire before it ends (`BasicDatabase::freeze_time`). Not provided:
/// SCRIPT DEBUG and FUNCTION.
///
/// Atomicity and threads: a script runs with the transaction gate held exclusively (as EXEC),
/// so no other command from any connection or thread interleaves with it; one Lua state serves
/// every script, always under the gate. Other connections wait for a running script; once it
/// has run for busy-reply-threshold ms (5000) they get Redis's `-BUSY` error instead, and
/// SCRIPT KILL stops a script that has not written yet (SHUTDOWN stops any). Past that
/// threshold the script's hook calls `Engine::busy_pump` every 10 ms, with which a network
/// adapter serves the other connections of the script's own thread (cachet-server does; as
/// Redis's processEventsWhileBlocked). Replicas receive a script's writes wrapped in
/// MULTI/EXEC (Redis 7's effects replication), never the EVAL itself.
///
/// Costs: EVAL hashes its body (SHA-1, O(length)) and compiles it the first time; each
/// redis.call runs the command as the connection would and converts its reply (O(reply)).

#include <cachet/resp/engine.hpp>
#include <cachet/resp/lua_libs.hpp>
#include <cachet/resp/reply_parser.hpp>

#include <lua.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace detail {

/// SHA-1 of `data` as 40 lower-case hex digits (Redis's script names). O(|data|).
[[nodiscard]] inline std::string sha1_hex(std::string_view data) {
    std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const auto rol = [](std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
    const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
    std::string tail(data.substr(data.size() - data.size() % 64));
    tail.push_back('\x80');
    while (tail.size() % 64 != 56) tail.push_back('\0');
    for (int i = 7; i >= 0; --i) tail.push_back(static_cast<char>((bits >> (i * 8)) & 0xff));
    const auto block = [&](const char* p) {
        std::uint32_t w[80];
        for (int i = 0; i < 16; ++i)
            w[i] = static_cast<std::uint32_t>(static_cast<unsigned char>(p[4 * i])) << 24 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(p[4 * i + 1])) << 16 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(p[4 * i + 2])) << 8 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(p[4 * i + 3]));
        for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; ++i) {
            std::uint32_t f, k;
            if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999u;
            else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1u;
            else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDCu;
            else f = b ^ c ^ d, k = 0xCA62C1D6u;
            const std::uint32_t t = rol(a, 5) + f + e + k + w[i];
            e = d, d = c, c = rol(b, 30), b = a, a = t;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
    };
    for (std::size_t off = 0; off + 64 <= data.size(); off += 64) block(data.data() + off);
    for (std::size_t off = 0; off < tail.size(); off += 64) block(tail.data() + off);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::uint32_t v : h)
        for (int s = 28; s >= 0; s -= 4) out.push_back(hex[(v >> s) & 0xf]);
    return out;
}

}  // namespace detail

namespace resp {

/// The Lua side of an Engine: one Lua state, the scripts by SHA-1, the running script's
/// context. Used only with the transaction gate held exclusively (see the file comment).
template <Clock C>
class Scripting {
public:
    explicit Scripting(Engine<C>& engine) : m_engine(engine) {
        open();
        note_memory();
    }
    ~Scripting() {
        if (m_lua) lua_close(m_lua);
    }
    Scripting(const Scripting&) = delete;
    Scripting& operator=(const Scripting&) = delete;

    /// Compiles `body` and caches it under its SHA-1 (written to `sha`). Returns the error
    /// text ("ERR Error compiling script ...") or empty.
    std::string load(std::string_view body, std::string& sha) {
        sha = cachet::detail::sha1_hex(body);
        if (m_scripts.contains(sha)) return {};
        Script script;
        std::string_view code = body;
        if (body.starts_with("#!")) {  // Redis 7's shebang: "#!lua [flags=f1,f2]"
            const std::size_t eol = body.find('\n');
            const std::string_view line = body.substr(0, eol);
            if (auto err = parse_shebang(line, script); !err.empty()) return err;
            code = eol == std::string_view::npos ? std::string_view() : body.substr(eol);
        }
        lua_State* L = m_lua;
        if (luaL_loadbuffer(L, code.data(), code.size(), "@user_script") != 0) {
            std::string err = "ERR Error compiling script (new function): ";
            err += to_string(L, -1);
            lua_pop(L, 1);
            return err;
        }
        lua_rawgeti(L, LUA_REGISTRYINDEX, m_scripts_ref);
        lua_insert(L, -2);
        lua_setfield(L, -2, sha.c_str());
        lua_pop(L, 1);
        m_scripts.emplace(sha, script);
        auto& stats = m_engine.script_run();
        stats.cached_scripts.store(m_scripts.size(), std::memory_order_relaxed);
        stats.script_bytes.fetch_add(body.size(), std::memory_order_relaxed);
        note_memory();
        return {};
    }

    [[nodiscard]] bool exists(std::string_view sha) const { return m_scripts.contains(lower(sha)); }

    /// SCRIPT FLUSH: forgets every script and starts a fresh Lua state (as Redis does).
    void flush() {
        lua_close(m_lua);
        m_lua = nullptr;
        m_scripts.clear();
        open();
        auto& stats = m_engine.script_run();
        stats.cached_scripts.store(0, std::memory_order_relaxed);
        stats.script_bytes.store(0, std::memory_order_relaxed);
        note_memory();
    }

    /// EVAL / EVALSHA (`by_sha`), read-only for the _RO forms; argv as the command's, its
    /// number of keys checked. Writes the reply to `c.out`.
    void eval(Ctx<C>& c, bool by_sha, bool read_only, std::size_t numkeys) {
        std::string sha;
        if (by_sha) {
            sha = c.arg(1).size() == 40 ? lower(c.arg(1)) : std::string();
            if (!m_scripts.contains(sha)) {
                c.out.error("NOSCRIPT No matching script. Please use EVAL.");
                return;
            }
        } else if (auto err = load(c.arg(1), sha); !err.empty()) {
            c.out.error(err);
            return;
        }
        const Script& script = m_scripts.at(sha);
        lua_State* L = m_lua;
        lua_settop(L, 0);
        lua_rawgeti(L, LUA_REGISTRYINDEX, m_globals_ref);
        set_array(L, "KEYS", c.argv.subspan(3, numkeys));
        set_array(L, "ARGV", c.argv.subspan(3 + numkeys));
        lua_getfield(L, -1, "__redis__err__handler");
        lua_replace(L, 1);
        lua_rawgeti(L, LUA_REGISTRYINDEX, m_scripts_ref);
        lua_getfield(L, -1, sha.c_str());
        lua_replace(L, 2);
        lua_settop(L, 2);  // the handler, the script

        auto& run = m_engine.script_run();
        m_session = &c.session;
        m_resp = Protocol::resp2;
        m_read_only = read_only || script.no_writes;
        m_pushes.clear();
        run.kill.store(false, std::memory_order_relaxed);
        run.wrote.store(false, std::memory_order_relaxed);
        long long threshold = 5000;
        (void)cachet::detail::string2ll(m_engine.config_value("busy-reply-threshold"), threshold);
        run.threshold_ms.store(threshold, std::memory_order_relaxed);
        run.started_ms.store(steady_ms(), std::memory_order_relaxed);
        run.session.store(&c.session, std::memory_order_relaxed);
        m_next_pump_ms = 0;
        run.running.store(true, std::memory_order_release);
        // Undone however the run ends (an exception included): other clients would get BUSY
        // for ever. A SELECT in the script does not change the caller's database.
        struct Running {
            Scripting& self;
            Session<C>& session;
            std::size_t db;
            ~Running() {
                lua_sethook(self.m_lua, nullptr, 0, 0);
                self.m_engine.script_run().running.store(false, std::memory_order_release);
                session.select(db);
                self.m_session = nullptr;
            }
        } running{*this, c.session, c.session.db_index()};
        auto& repl = m_engine.replication();
        if (!c.in_exec) repl.begin_transaction();  // its writes reach replicas as MULTI ... EXEC
        // Keys do not expire while the script runs (Redis evaluates expiry at its start time)
        const auto frozen = m_engine.database().freeze_time();
        lua_sethook(L, &Scripting::hook, LUA_MASKCOUNT, 100000);
        const int status = lua_pcall(L, 0, 1, -2);
        lua_sethook(L, nullptr, 0, 0);
        if (!c.in_exec) repl.end_transaction();

        c.session.output() += m_pushes;  // what its commands pushed to this connection
        m_pushes.clear();
        if (status != 0) error_reply(L, c.out, sha);
        else reply_from_lua(L, c.out, 0);
        lua_settop(L, 0);
        lua_gc(L, LUA_GCSTEP, 1);
        note_memory();
        c.session.propagate_as({});  // the script's own writes were fed, not the EVAL
    }

private:
    struct Script {
        bool no_writes = false;  ///< "#!lua flags=no-writes"
    };

    /// INFO's used_memory_lua: the Lua state's heap.
    void note_memory() noexcept {
        const auto bytes = static_cast<std::uint64_t>(lua_gc(m_lua, LUA_GCCOUNT, 0)) * 1024 +
                           static_cast<std::uint64_t>(lua_gc(m_lua, LUA_GCCOUNTB, 0));
        m_engine.script_run().lua_bytes.store(bytes, std::memory_order_relaxed);
    }

    static std::string to_string(lua_State* L, int idx) {
        std::size_t n = 0;
        const char* s = lua_tolstring(L, idx, &n);
        return s ? std::string(s, n) : std::string();
    }

    static std::string parse_shebang(std::string_view line, Script& script) {
        std::vector<std::string_view> parts;
        for (std::size_t i = 2; i < line.size();) {
            const std::size_t sp = line.find(' ', i);
            const std::string_view part = line.substr(i, sp == std::string_view::npos ? sp : sp - i);
            if (!part.empty()) parts.push_back(part);
            if (sp == std::string_view::npos) break;
            i = sp + 1;
        }
        if (parts.empty() || parts[0] != "lua")
            return "ERR Unexpected engine in script shebang: " + std::string(line);
        for (std::size_t i = 1; i < parts.size(); ++i) {
            if (!parts[i].starts_with("flags=")) return "ERR Unknown lua shebang option: " + std::string(parts[i]);
            std::string_view flags = parts[i].substr(6);
            while (!flags.empty()) {
                const std::size_t comma = flags.find(',');
                const std::string_view f = flags.substr(0, comma);
                if (f == "no-writes") script.no_writes = true;
                else if (f != "allow-oom" && f != "allow-stale" && f != "no-cluster" &&
                         f != "allow-cross-slot-keys")
                    return "ERR Unexpected flag in script shebang: " + std::string(f);
                flags = comma == std::string_view::npos ? std::string_view() : flags.substr(comma + 1);
            }
        }
        return {};
    }

    /// table[name] = items (the table on top of the stack; raw: the globals are read-only).
    static void set_array(lua_State* L, const char* name, std::span<const std::string_view> items) {
        lua_pushstring(L, name);
        lua_createtable(L, static_cast<int>(items.size()), 0);
        for (std::size_t i = 0; i < items.size(); ++i) {
            lua_pushlstring(L, items[i].data(), items[i].size());
            lua_rawseti(L, -2, static_cast<int>(i + 1));
        }
        lua_rawset(L, -3);
    }

    // ------------------------------------------------------------------ the Lua state

    void open() {
        m_lua = luaL_newstate();
        lua_State* L = m_lua;
        static const luaL_Reg libs[] = {{"", luaopen_base},
                                        {LUA_TABLIBNAME, luaopen_table},
                                        {LUA_STRLIBNAME, luaopen_string},
                                        {LUA_MATHLIBNAME, luaopen_math},
                                        {LUA_DBLIBNAME, luaopen_debug}};
        for (const auto& lib : libs) {
            lua_pushcfunction(L, lib.func);
            lua_pushstring(L, lib.name);
            lua_call(L, 1, 0);
        }
        lua_libs::cjson::open(L);
        lua_setglobal(L, "cjson");
        lua_libs::bit::open(L);
        lua_setglobal(L, "bit");
        lua_libs::cmsgpack::open(L);
        lua_setglobal(L, "cmsgpack");
        lua_libs::structlib::open(L);
        lua_setglobal(L, "struct");
        for (const char* name : {"dofile", "loadfile"}) {
            lua_pushnil(L);
            lua_setglobal(L, name);
        }
        lua_pushlightuserdata(L, this);
        lua_setfield(L, LUA_REGISTRYINDEX, "cachet.scripting");

        lua_newtable(L);  // redis.*
        const auto fn = [&](const char* name, lua_CFunction f) {
            lua_pushlightuserdata(L, this);
            lua_pushcclosure(L, f, 1);
            lua_setfield(L, -2, name);
        };
        fn("call", &Scripting::lua_call_command);
        fn("pcall", &Scripting::lua_pcall_command);
        fn("setresp", &Scripting::lua_setresp);
        fn("log", &Scripting::lua_log);
        fn("sha1hex", &Scripting::lua_sha1hex);
        fn("error_reply", &Scripting::lua_error_reply);
        fn("status_reply", &Scripting::lua_status_reply);
        fn("set_repl", &Scripting::lua_set_repl);
        fn("replicate_commands", &Scripting::lua_true);
        fn("breakpoint", &Scripting::lua_false);
        fn("debug", &Scripting::lua_nothing);
        const auto num = [&](const char* name, int v) {
            lua_pushinteger(L, v);
            lua_setfield(L, -2, name);
        };
        num("LOG_DEBUG", 0), num("LOG_VERBOSE", 1), num("LOG_NOTICE", 2), num("LOG_WARNING", 3);
        num("REPL_NONE", 0), num("REPL_AOF", 1), num("REPL_SLAVE", 2), num("REPL_REPLICA", 2), num("REPL_ALL", 3);
        num("REDIS_VERSION_NUM", 0x07000f);
        lua_pushstring(L, "7.0.15");
        lua_setfield(L, -2, "REDIS_VERSION");
        lua_setglobal(L, "redis");

        // math.random and math.randomseed on Redis's rand48 generator (one sequence for the
        // whole server, as Redis's), so seeded scripts draw the numbers they draw on Redis.
        lua_getglobal(L, "math");
        fn("random", &Scripting::lua_math_random);
        fn("randomseed", &Scripting::lua_math_randomseed);
        lua_pop(L, 1);

        // Redis's pcall and error handler (it adds where the error happened), Redis's allowed
        // globals only, and read-only globals and libraries (Redis patches Lua for that; here
        // the tables are empty proxies whose reads fall through and whose writes fail).
        lua_pushcfunction(L, &Scripting::lua_pcall_compat);
        lua_setglobal(L, "pcall");
        static constexpr const char* prelude = R"lua(
local dbg = debug
function __redis__err__handler(err)
  local level = 2
  local i = dbg.getinfo(level, 'nSl')
  while i and (i.what == 'C' or i.source == '=cachet') do
    level = level + 1
    i = dbg.getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end
local G = _G
local allowed = {}
for _, n in ipairs({'xpcall', 'tostring', 'setmetatable', 'next', 'assert',
    'tonumber', 'rawequal', 'collectgarbage', 'getmetatable', 'rawset', 'pcall', 'coroutine',
    'type', '_G', 'select', 'unpack', 'gcinfo', 'pairs', 'loadstring', 'load', 'ipairs', 'error',
    '_VERSION', 'rawget', 'string', 'math', 'table', 'redis', 'cjson', 'bit', 'cmsgpack', 'struct',
    '__redis__err__handler'}) do
  allowed[n] = true
end
local names = {}
for n in pairs(G) do names[#names + 1] = n end
for _, n in ipairs(names) do
  if not allowed[n] then G[n] = nil end
end
local setmetatable, getmetatable, rawset, error, tostring =
  setmetatable, getmetatable, rawset, error, tostring
-- Redis's Lua marks tables read-only in the VM, so that rawset and setmetatable fail on them
-- too; here the read-only tables are proxies, listed in `readonly_tables`, and rawset and
-- setmetatable are wrapped to refuse them with Redis's error.
local readonly_tables = setmetatable({}, {__mode = 'k'})
local function readonly() error('Attempt to modify a readonly table', 2) end
local function protect(t)
  local p = setmetatable({}, {__index = t, __newindex = readonly, __metatable = false})
  readonly_tables[p] = true
  return p
end
for _, n in ipairs({'string', 'math', 'table', 'coroutine', 'redis', 'cjson', 'bit', 'cmsgpack', 'struct'}) do
  G[n] = protect(G[n])
end
-- getmetatable('') answers a read-only view of the strings' metatable (the real one stays
-- out of reach, so no script can take the methods away from every later script's strings).
getmetatable('').__metatable = protect({__index = G.string})
G.rawset = function(t, k, v)
  if readonly_tables[t] then error('Attempt to modify a readonly table', 0) end
  return rawset(t, k, v)
end
G.setmetatable = function(t, mt)
  if readonly_tables[t] then error('Attempt to modify a readonly table', 0) end
  return setmetatable(t, mt)
end
-- The globals move to a hidden table H; the globals table itself stays empty, so that every
-- assignment to a global fails, and reads fall through to H, where a missing name fails.
local H = {}
for n, v in pairs(G) do H[n] = v end
for n in pairs(H) do G[n] = nil end
H._G = G
local function nonexistent(_, n)
  error("Script attempted to access nonexistent global variable '" .. tostring(n) .. "'", 2)
end
setmetatable(H, {__index = nonexistent, __metatable = false})
-- getmetatable(_G) is a table, as Redis's (read-only, with the __index that fails).
setmetatable(G, {__index = H, __newindex = readonly, __metatable = protect({__index = nonexistent})})
readonly_tables[G] = true
return H
)lua";
        if (luaL_loadbuffer(L, prelude, std::char_traits<char>::length(prelude), "=cachet") != 0 ||
            lua_pcall(L, 0, 1, 0) != 0) {
            lua_close(L);
            m_lua = nullptr;
            throw std::runtime_error("cachet: the Lua prelude failed");
        }
        m_globals_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_newtable(L);  // the compiled scripts, by SHA-1
        m_scripts_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }

    /// Raises `msg` as Redis's library functions do: without luaL_error's position prefix.
    static int raise_error(lua_State* L, const char* msg) {
        lua_pushstring(L, msg);
        return lua_error(L);
    }

    static Scripting& self(lua_State* L) {
        return *static_cast<Scripting*>(lua_touserdata(L, lua_upvalueindex(1)));
    }

    /// The count hook: ends the script once SCRIPT KILL (or SHUTDOWN) asked; from then on it
    /// fires on every line, so a pcall in the script cannot swallow the error for long.
    static void hook(lua_State* L, lua_Debug*) {
        lua_getfield(L, LUA_REGISTRYINDEX, "cachet.scripting");
        auto* s = static_cast<Scripting*>(lua_touserdata(L, -1));
        lua_pop(L, 1);
        if (!s) return;
        auto& run = s->m_engine.script_run();
        if (!run.kill.load(std::memory_order_acquire)) {
            // Past busy-reply-threshold, every 10 ms: the adapter serves this thread's other
            // clients (BUSY replies, SCRIPT KILL), as Redis does from its script hook.
            const long long now = steady_ms();
            if (now - run.started_ms.load(std::memory_order_relaxed) <
                    run.threshold_ms.load(std::memory_order_relaxed) ||
                now < s->m_next_pump_ms)
                return;
            s->m_next_pump_ms = now + 10;
            s->m_engine.busy_pump(run.session.load(std::memory_order_relaxed));
            if (!run.kill.load(std::memory_order_acquire)) return;
        }
        lua_sethook(L, &Scripting::hook, LUA_MASKLINE, 0);
        lua_pushstring(L, "Script killed by user with SCRIPT KILL...");
        lua_error(L);
    }

    // ------------------------------------------------------------------ redis.*

    /// Redis's luaPushErrorBuff: an {err="CODE message"} table from "-CODE message" (the code
    /// taken up to the first space) or from a plain message (code ERR).
    static void push_error_table(lua_State* L, std::string_view e) {
        std::string code = "ERR";
        std::string_view msg = e;
        if (!e.empty() && e.front() == '-') {
            const std::size_t sp = e.find(' ');
            if (sp == std::string_view::npos) {
                msg = e.substr(1);
            } else {
                code.assign(e.substr(1, sp - 1));
                msg = e.substr(sp + 1);
            }
        }
        while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.remove_prefix(1);
        while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.remove_suffix(1);
        const std::string text = code + " " + std::string(msg);
        lua_newtable(L);
        lua_pushstring(L, "err");
        lua_pushlstring(L, text.data(), text.size());
        lua_settable(L, -3);
    }

    /// Redis 7's global `pcall`: an error raised as an {err=...} table (redis.call's) is
    /// returned as its message string, as Redis 6 returned it.
    static int lua_pcall_compat(lua_State* L) {
        const int argc = lua_gettop(L);
        lua_pushboolean(L, 1);
        lua_insert(L, 1);
        if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
            lua_remove(L, 1);
            if (lua_istable(L, -1)) {
                lua_getfield(L, -1, "err");
                if (lua_isstring(L, -1)) lua_replace(L, -2);
                else lua_pop(L, 1);
            }
            lua_pushboolean(L, 0);
            lua_insert(L, 1);
        }
        return lua_gettop(L);
    }

    static int lua_call_command(lua_State* L) { return self(L).command(L, true) ? lua_error(L) : 1; }
    static int lua_pcall_command(lua_State* L) { return self(L).command(L, false) ? lua_error(L) : 1; }

    /// redis.call / redis.pcall: runs the command and pushes its reply converted to Lua, or an
    /// error table; returns true if that table is to be raised (redis.call).
    bool command(lua_State* L, bool raise) {
        const int argc = lua_gettop(L);
        const auto fail = [&](std::string_view err) {
            push_error_table(L, err);
            return raise;
        };
        if (argc == 0) return fail("Please specify at least one argument for this redis lib call");
        std::vector<std::string> args;
        args.reserve(static_cast<std::size_t>(argc));
        for (int i = 1; i <= argc; ++i) {
            const int t = lua_type(L, i);
            if (t == LUA_TNUMBER) {
                char buf[64];
                const int n = std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(lua_tonumber(L, i)));
                args.emplace_back(buf, static_cast<std::size_t>(n));
            } else if (t == LUA_TSTRING) {
                args.push_back(to_string(L, i));
            } else {
                return fail("Lua redis lib command arguments must be strings or integers");
            }
        }
        const std::vector<std::string_view> argv(args.begin(), args.end());
        const CommandSpec<C>* spec = m_engine.find(argv[0]);
        if (spec && !spec->subcommands.empty() && argv.size() >= 2) {
            auto it = spec->subcommands.find(lower(argv[1]));
            spec = it == spec->subcommands.end() ? nullptr : &it->second;
        }
        if (!spec) return fail("Unknown Redis command called from script");
        if (!spec->arity_ok(argv.size()) || !spec->handler)
            return fail("Wrong number of args calling Redis command from script");
        if (spec->flags & cmd_noscript) return fail("This Redis command is not allowed from script");
        if (spec->flags & cmd_write) {
            if (m_read_only) return fail("Write commands are not allowed from read-only scripts.");
            if ((spec->flags & cmd_denyoom) && !m_engine.database().make_room())
                return fail("-" + std::string(errors::oom));
            m_engine.script_run().wrote.store(true, std::memory_order_relaxed);
        }
        std::string reply;
        try {
            reply = m_session->call_for_script(argv, m_resp);
        } catch (const std::exception& e) {
            return fail(std::string("ERR ") + e.what());
        }
        // The reply, after any pushes it caused to this connection (kept for before EVAL's).
        ReplyParser parser;
        std::string_view rest = reply;
        for (;;) {
            const ParseResult r = parser.parse(rest);
            if (r.status != ParseStatus::complete) return fail("ERR the command's reply could not be read");
            const Frame& f = parser.frame();
            if (f.type == FrameType::push) {
                m_pushes.append(rest.substr(0, r.consumed));
                rest.remove_prefix(r.consumed);
                continue;
            }
            if (f.type == FrameType::error || f.type == FrameType::blob_error) return fail("-" + f.str);
            push_frame(L, f);
            return false;
        }
    }

    /// Redis's redisProtocolToLuaType: a reply as Lua values.
    static void push_frame(lua_State* L, const Frame& f) {
        if (!lua_checkstack(L, 4)) {
            lua_pushboolean(L, 0);
            return;
        }
        const auto field = [&](const char* name, auto push_value) {
            lua_newtable(L);
            lua_pushstring(L, name);
            push_value();
            lua_settable(L, -3);
        };
        switch (f.type) {
            case FrameType::integer: lua_pushnumber(L, static_cast<lua_Number>(f.integer)); break;
            case FrameType::bulk_string: lua_pushlstring(L, f.str.data(), f.str.size()); break;
            case FrameType::null_bulk:
            case FrameType::null_array: lua_pushboolean(L, 0); break;
            case FrameType::null: lua_pushnil(L); break;
            case FrameType::boolean: lua_pushboolean(L, f.boolean ? 1 : 0); break;
            case FrameType::simple_string:
                field("ok", [&] { lua_pushlstring(L, f.str.data(), f.str.size()); });
                break;
            case FrameType::error:
            case FrameType::blob_error:
                field("err", [&] { lua_pushlstring(L, f.str.data(), f.str.size()); });
                break;
            case FrameType::double_number: field("double", [&] { lua_pushnumber(L, f.number); }); break;
            case FrameType::big_number:
                field("big_number", [&] { lua_pushlstring(L, f.str.data(), f.str.size()); });
                break;
            case FrameType::verbatim:
                field("verbatim_string", [&] {
                    lua_newtable(L);
                    lua_pushlstring(L, f.format.data(), f.format.size());
                    lua_setfield(L, -2, "format");
                    lua_pushlstring(L, f.str.data(), f.str.size());
                    lua_setfield(L, -2, "string");
                });
                break;
            case FrameType::map:
                field("map", [&] {
                    lua_newtable(L);
                    for (std::size_t i = 0; i + 1 < f.elements.size(); i += 2) {
                        push_frame(L, f.elements[i]);
                        push_frame(L, f.elements[i + 1]);
                        lua_settable(L, -3);
                    }
                });
                break;
            case FrameType::set:
                field("set", [&] {
                    lua_newtable(L);
                    for (const Frame& e : f.elements) {
                        push_frame(L, e);
                        lua_pushboolean(L, 1);
                        lua_settable(L, -3);
                    }
                });
                break;
            case FrameType::array:
            case FrameType::push:
                lua_createtable(L, static_cast<int>(f.elements.size()), 0);
                for (std::size_t i = 0; i < f.elements.size(); ++i) {
                    push_frame(L, f.elements[i]);
                    lua_rawseti(L, -2, static_cast<int>(i + 1));
                }
                break;
        }
    }

    static int lua_setresp(lua_State* L) {
        if (lua_gettop(L) != 1) return raise_error(L, "redis.setresp() requires one argument.");
        const lua_Integer v = lua_tointeger(L, 1);
        if (v != 2 && v != 3) return raise_error(L, "RESP version must be 2 or 3.");
        self(L).m_resp = v == 3 ? Protocol::resp3 : Protocol::resp2;
        return 0;
    }
    static int lua_log(lua_State* L) {
        if (lua_gettop(L) < 2) return raise_error(L, "redis.log() requires two arguments or more.");
        if (!lua_isnumber(L, 1)) return raise_error(L, "First argument must be a number (log level).");
        const lua_Integer level = lua_tointeger(L, 1);
        if (level < 0 || level > 3) return raise_error(L, "Invalid debug level.");
        return 0;  // cachet has no server log to write to: accepted and dropped
    }
    static int lua_sha1hex(lua_State* L) {
        if (lua_gettop(L) != 1) return raise_error(L, "wrong number of arguments");
        std::size_t n = 0;
        const char* s = lua_tolstring(L, 1, &n);
        const std::string hex = cachet::detail::sha1_hex(std::string_view(s ? s : "", s ? n : 0));
        lua_pushlstring(L, hex.data(), hex.size());
        return 1;
    }
    /// The argument check of redis.error_reply and redis.status_reply: one string, else (true
    /// returned) an error table is pushed as the result.
    static bool bad_single_string(lua_State* L) {
        if (lua_gettop(L) == 1 && lua_type(L, -1) == LUA_TSTRING) return false;
        push_error_table(L, "wrong number or type of arguments");
        return true;
    }
    static int lua_error_reply(lua_State* L) {
        if (bad_single_string(L)) return 1;
        std::string e = to_string(L, 1);
        if (e.empty() || e.front() != '-') e.insert(e.begin(), '-');
        push_error_table(L, e);
        return 1;
    }
    static int lua_status_reply(lua_State* L) {
        if (bad_single_string(L)) return 1;
        lua_newtable(L);
        lua_pushstring(L, "ok");
        lua_pushvalue(L, 1);
        lua_settable(L, -3);
        return 1;
    }
    static int lua_set_repl(lua_State* L) {
        if (lua_gettop(L) != 1) return raise_error(L, "redis.set_repl() requires one argument.");
        const lua_Integer v = lua_tointeger(L, 1);
        if (v < 0 || v > 3)
            return raise_error(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
        return 0;  // cachet always replicates a script's writes (REPL_ALL)
    }
    /// Redis's redisLrand48: the 48-bit linear congruential generator of drand48, whose
    /// top 31 bits are the draw.
    std::int32_t rand48() noexcept {
        m_rand48 = (0x5DEECE66Dull * m_rand48 + 0xB) & ((std::uint64_t{1} << 48) - 1);
        return static_cast<std::int32_t>(m_rand48 >> 17);
    }
    /// Redis's redis_math_random: Lua's math.random on rand48.
    static int lua_math_random(lua_State* L) {
        constexpr std::int32_t max = std::numeric_limits<std::int32_t>::max();
        const lua_Number r = static_cast<lua_Number>(self(L).rand48() % max) / static_cast<lua_Number>(max);
        switch (lua_gettop(L)) {
            case 0: lua_pushnumber(L, r); break;
            case 1: {
                const int u = luaL_checkint(L, 1);
                luaL_argcheck(L, 1 <= u, 1, "interval is empty");
                lua_pushnumber(L, std::floor(r * u) + 1);
                break;
            }
            case 2: {
                const int l = luaL_checkint(L, 1);
                const int u = luaL_checkint(L, 2);
                luaL_argcheck(L, l <= u, 2, "interval is empty");
                lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
                break;
            }
            default: return luaL_error(L, "wrong number of arguments");
        }
        return 1;
    }
    /// Redis's redis_math_randomseed (redisSrand48).
    static int lua_math_randomseed(lua_State* L) {
        const auto seed = static_cast<std::uint32_t>(luaL_checkint(L, 1));
        self(L).m_rand48 = (std::uint64_t{seed} << 16) | 0x330E;
        return 0;
    }

    static int lua_true(lua_State* L) {
        lua_pushboolean(L, 1);
        return 1;
    }
    static int lua_false(lua_State* L) {
        lua_pushboolean(L, 0);
        return 1;
    }
    static int lua_nothing(lua_State*) { return 0; }

    // ------------------------------------------------------------------ replies

    /// A failed script: Redis's "<error> script: <sha>, on <source>:<line>.".
    static void error_reply(lua_State* L, ReplyWriter& out, const std::string& sha) {
        if (!lua_istable(L, -1)) {
            out.error("ERR Error running script " + sha + ", " + to_string(L, -1).substr(0, 100));
            return;
        }
        lua_getfield(L, -1, "err");
        std::string msg = to_string(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, -1, "source");
        const std::string source = to_string(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, -1, "line");
        const bool has_line = lua_isnumber(L, -1) != 0;
        const long long line = has_line ? static_cast<long long>(lua_tointeger(L, -1)) : 0;
        lua_pop(L, 1);
        if (!msg.empty() && msg.front() == '-') msg.erase(msg.begin());
        if (msg.empty()) msg = "ERR unknown error";  // error({}): redis-server 7.0.15 crashes
        if (has_line && !source.empty())
            msg += " script: " + sha + ", on " + source + ":" + std::to_string(line) + ".";
        out.error(msg);
    }

    /// Redis's luaReplyToRedisReply: the value on top of the stack as the reply.
    void reply_from_lua(lua_State* L, ReplyWriter& out, int depth) {
        if (!lua_checkstack(L, 4) || depth > 1000) {
            out.error("ERR reached lua stack limit");
            return;
        }
        switch (lua_type(L, -1)) {
            case LUA_TSTRING: {
                std::size_t n = 0;
                const char* s = lua_tolstring(L, -1, &n);
                out.bulk(std::string_view(s, n));
                return;
            }
            case LUA_TBOOLEAN:
                if (m_resp == Protocol::resp2) {
                    if (lua_toboolean(L, -1)) out.integer(1);
                    else out.null();
                } else {
                    out.boolean(lua_toboolean(L, -1) != 0);
                }
                return;
            case LUA_TNUMBER: {
                const double d = lua_tonumber(L, -1);
                // (long long) of a NaN or an out-of-range double, as x86 converts it in Redis.
                const bool fits = d >= -9223372036854775808.0 && d < 9223372036854775808.0;
                out.integer(fits ? static_cast<long long>(d) : std::numeric_limits<long long>::min());
                return;
            }
            case LUA_TTABLE: break;
            default: out.null(); return;
        }
        const auto field_type = [&](const char* name) {  // pushes t[name]; returns its type
            lua_pushstring(L, name);
            lua_rawget(L, -2);
            return lua_type(L, -1);
        };
        const auto one_line = [](std::string s) {
            for (char& ch : s)
                if (ch == '\r' || ch == '\n') ch = ' ';
            return s;
        };
        if (field_type("err") == LUA_TSTRING) {
            std::string e = to_string(L, -1);
            lua_pop(L, 1);
            out.error(e);
            return;
        }
        lua_pop(L, 1);
        if (field_type("ok") == LUA_TSTRING) {
            out.simple(one_line(to_string(L, -1)));
            lua_pop(L, 1);
            return;
        }
        lua_pop(L, 1);
        if (field_type("double") == LUA_TNUMBER) {
            out.double_reply(static_cast<double>(lua_tonumber(L, -1)));
            lua_pop(L, 1);
            return;
        }
        lua_pop(L, 1);
        if (field_type("big_number") == LUA_TSTRING) {
            out.big_number(one_line(to_string(L, -1)));
            lua_pop(L, 1);
            return;
        }
        lua_pop(L, 1);
        if (field_type("verbatim_string") == LUA_TTABLE) {
            lua_getfield(L, -1, "format");
            const bool has_format = lua_type(L, -1) == LUA_TSTRING;
            const std::string format = to_string(L, -1);
            lua_getfield(L, -2, "string");
            const bool has_string = lua_type(L, -1) == LUA_TSTRING;
            const std::string text = to_string(L, -1);
            lua_pop(L, 3);
            if (has_format && has_string) {
                out.verbatim(text, format.substr(0, 3));
                return;
            }
        } else {
            lua_pop(L, 1);
        }
        for (const bool is_map : {true, false}) {
            if (field_type(is_map ? "map" : "set") == LUA_TTABLE) {
                std::size_t n = 0;
                lua_pushnil(L);
                while (lua_next(L, -2) != 0) {
                    ++n;
                    lua_pop(L, 1);
                }
                if (is_map) out.map(n);
                else out.set(n);
                lua_pushnil(L);
                while (lua_next(L, -2) != 0) {  // key at -2, value at -1
                    lua_pushvalue(L, -2);
                    reply_from_lua(L, out, depth + 1);  // the key
                    lua_pop(L, 1);
                    if (is_map) reply_from_lua(L, out, depth + 1);
                    lua_pop(L, 1);
                }
                lua_pop(L, 1);
                return;
            }
            lua_pop(L, 1);
        }
        std::size_t n = 0;  // an array: up to the first nil
        for (;; ++n) {
            lua_rawgeti(L, -1, static_cast<int>(n + 1));
            const bool end = lua_isnil(L, -1);
            lua_pop(L, 1);
            if (end) break;
        }
        out.array(n);
        for (std::size_t i = 0; i < n; ++i) {
            lua_rawgeti(L, -1, static_cast<int>(i + 1));
            reply_from_lua(L, out, depth + 1);
            lua_pop(L, 1);
        }
    }

    Engine<C>& m_engine;
    lua_State* m_lua = nullptr;
    int m_globals_ref = LUA_NOREF;  ///< the globals' hidden table (KEYS, ARGV, redis, ...)
    std::uint64_t m_rand48 = 0x1234ABCD330Eull;  ///< math.random's state (rand48's initial)
    int m_scripts_ref = LUA_NOREF;  ///< SHA-1 -> compiled function
    std::unordered_map<std::string, Script> m_scripts;
    // The running script's context.
    Session<C>* m_session = nullptr;
    Protocol m_resp = Protocol::resp2;  ///< redis.setresp
    bool m_read_only = false;
    std::string m_pushes;
    long long m_next_pump_ms = 0;       ///< when the hook may call Engine::busy_pump again
};

namespace cmd {

template <Clock C>
Scripting<C>& scripting(Ctx<C>& c) {
    return *static_cast<Scripting<C>*>(c.engine.extension());
}

template <Clock C>
void eval_generic(Ctx<C>& c, bool by_sha, bool read_only) {
    long long numkeys = 0;
    if (!cachet::detail::string2ll(c.arg(2), numkeys)) {
        c.out.error(errors::not_integer);
        return;
    }
    if (numkeys > static_cast<long long>(c.argc()) - 3) {
        c.out.error("ERR Number of keys can't be greater than number of args");
        return;
    }
    if (numkeys < 0) {
        c.out.error("ERR Number of keys can't be negative");
        return;
    }
    c.engine.database().exclusive(
        [&] { scripting(c).eval(c, by_sha, read_only, static_cast<std::size_t>(numkeys)); });
}
template <Clock C>
void eval(Ctx<C>& c) { eval_generic(c, false, false); }
template <Clock C>
void evalsha(Ctx<C>& c) { eval_generic(c, true, false); }
template <Clock C>
void eval_ro(Ctx<C>& c) { eval_generic(c, false, true); }
template <Clock C>
void evalsha_ro(Ctx<C>& c) { eval_generic(c, true, true); }

template <Clock C>
void script_load(Ctx<C>& c) {
    c.engine.database().exclusive([&] {
        std::string sha;
        if (auto err = scripting(c).load(c.arg(2), sha); !err.empty()) c.out.error(err);
        else c.out.bulk(sha);
    });
}

template <Clock C>
void script_exists(Ctx<C>& c) {
    c.engine.database().exclusive([&] {
        c.out.array(c.argc() - 2);
        for (std::size_t i = 2; i < c.argc(); ++i) c.out.integer(scripting(c).exists(c.arg(i)) ? 1 : 0);
    });
}

template <Clock C>
void script_flush(Ctx<C>& c) {
    if (c.argc() > 3 || (c.argc() == 3 && !iequals(c.arg(2), "sync") && !iequals(c.arg(2), "async"))) {
        c.out.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    c.engine.database().exclusive([&] { scripting(c).flush(); });
    c.out.simple("OK");
}

template <Clock C>
void script_kill(Ctx<C>& c) {
    auto& run = c.engine.script_run();
    if (!run.running.load(std::memory_order_acquire)) {
        c.out.error("NOTBUSY No scripts in execution right now.");
    } else if (run.wrote.load(std::memory_order_relaxed)) {
        c.out.error("UNKILLABLE Sorry the script already executed write commands against the "
                    "dataset. You can either wait the script termination or kill the server in a "
                    "hard way using the SHUTDOWN NOSAVE command.");
    } else {
        run.kill.store(true, std::memory_order_release);
        c.out.simple("OK");
    }
}

template <Clock C>
void script_debug(Ctx<C>& c) {
    if (iequals(c.arg(2), "no")) c.out.simple("OK");
    else if (iequals(c.arg(2), "yes") || iequals(c.arg(2), "sync"))
        c.out.error("ERR cachet-server does not implement the Lua debugger (SCRIPT DEBUG)");
    else c.out.error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
}

template <Clock C>
void script_help(Ctx<C>& c) {
    static const char* const lines[] = {
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help."};
    help_reply(c.out, lines);
}

}  // namespace cmd

template <Clock C>
void register_scripting_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::uint32_t ef = cmd_noscript | cmd_stale | cmd_skip_monitor | cmd_no_mandatory_keys | cmd_takes_gate;
    const std::vector<std::string> acl = {"slow", "scripting"};
    add_command<C>(t, "eval", -3, ef, 0, 0, 0, &eval<C>, "scripting", "Execute a Lua script server side", "2.6.0", acl);
    add_command<C>(t, "evalsha", -3, ef, 0, 0, 0, &evalsha<C>, "scripting", "Execute a Lua script server side", "2.6.0", acl);
    add_command<C>(t, "eval_ro", -3, ef | cmd_readonly, 0, 0, 0, &eval_ro<C>, "scripting", "Execute a read-only Lua script server side", "7.0.0", acl);
    add_command<C>(t, "evalsha_ro", -3, ef | cmd_readonly, 0, 0, 0, &evalsha_ro<C>, "scripting", "Execute a read-only Lua script server side", "7.0.0", acl);
    // The container takes the gate's order (cmd_takes_gate): LOAD, EXISTS and FLUSH touch the
    // Lua state under the gate; KILL runs without it while a script is running.
    auto& script = add_command<C>(t, "script", -2, cmd_takes_gate, 0, 0, 0, nullptr, "scripting", "A container for Lua scripts management commands", "2.6.0", {"slow"});
    add_command<C>(script.subcommands, "debug", 3, cmd_noscript, 0, 0, 0, &script_debug<C>, "scripting", "Set the debug mode for executed scripts", "3.2.0", acl);
    add_command<C>(script.subcommands, "exists", -3, cmd_noscript, 0, 0, 0, &script_exists<C>, "scripting", "Check existence of scripts in the script cache", "2.6.0", acl);
    add_command<C>(script.subcommands, "flush", -2, cmd_noscript, 0, 0, 0, &script_flush<C>, "scripting", "Remove all the scripts from the script cache", "2.6.0", acl);
    add_command<C>(script.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &script_help<C>, "scripting", "Show helpful text about the different subcommands", "5.0.0", acl);
    add_command<C>(script.subcommands, "kill", 2, cmd_noscript | cmd_allow_busy, 0, 0, 0, &script_kill<C>, "scripting", "Kill the script currently in execution", "2.6.0", acl);
    add_command<C>(script.subcommands, "load", 3, cmd_noscript | cmd_stale, 0, 0, 0, &script_load<C>, "scripting", "Load a script into the scripts cache, without executing it", "2.6.0", acl);
}

/// Turns scripting on for `engine`: registers EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT,
/// and gives the engine its Lua state. Call once, before serving.
template <Clock C>
void enable_scripting(Engine<C>& engine) {
    engine.set_extension(std::make_shared<Scripting<C>>(engine));
    engine.add_commands(&register_scripting_commands<C>);
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_SCRIPTING_HPP
