// Lua scripting (resp/scripting.hpp): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against
// replies recorded from redis-server 7.0.15 (tests/support/record_replies.py), atomicity,
// replication of a script's effects, BUSY and SCRIPT KILL. Built only with Lua 5.1
// (CACHET_HAVE_LUA, set by the top-level CMakeLists.txt when liblua5.1-0-dev is installed).
#ifdef CACHET_HAVE_LUA

#include "support/resp_session.hpp"

#include <cachet/resp/scripting.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace resp_scripting_test {

using test::call;
using test::encode;

namespace {

void enable(test::Engine& e) { cachet::resp::enable_scripting(e); }

struct ScriptServer : test::Server {
    ScriptServer() { enable(engine); }
};

/// Replies of redis-server 7.0.15 (RESP2, and RESP3 where it differs), recorded in one run from
/// an empty database. Not here: the cjson, bit, cmsgpack and struct libraries (below), and `error({})`, which crashes redis-server 7.0.15
/// (SIGSEGV).
const std::vector<test::Row>& scripting_recorded() {
    static const std::vector<test::Row> rows = {
            {{"SET", "s", "abc"}, "+OK\r\n", ""},
            {{"EVAL", "return 1", "0"}, ":1\r\n", ""},
            {{"EVAL", "return 1.9", "0"}, ":1\r\n", ""},
            {{"EVAL", "return -1.9", "0"}, ":-1\r\n", ""},
            {{"EVAL", "return 'x'", "0"}, "$1\r\nx\r\n", ""},
            {{"EVAL", "return true", "0"}, ":1\r\n", ""},
            {{"EVAL", "return false", "0"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "return nil", "0"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "return {1,2,'a',{3,'b'},nil,5}", "0"}, "*4\r\n:1\r\n:2\r\n$1\r\na\r\n*2\r\n:3\r\n$1\r\nb\r\n", ""},
            {{"EVAL", "return {1,false,3}", "0"}, "*3\r\n:1\r\n$-1\r\n:3\r\n", "*3\r\n:1\r\n_\r\n:3\r\n"},
            {{"EVAL", "return {ok='fine'}", "0"}, "+fine\r\n", ""},
            {{"EVAL", "return {err='bad thing'}", "0"}, "-bad thing\r\n", ""},
            {{"EVAL", "return {err='MYERR bad thing'}", "0"}, "-MYERR bad thing\r\n", ""},
            {{"EVAL", "return redis.error_reply('ouch')", "0"}, "-ERR ouch\r\n", ""},
            {{"EVAL", "return redis.error_reply('-X ouch')", "0"}, "-X ouch\r\n", ""},
            {{"EVAL", "return redis.status_reply('YO')", "0"}, "+YO\r\n", ""},
            {{"EVAL", "return redis.call('incr','s')", "1", "s"}, "-ERR value is not an integer or out of range script: c243b9f46db13ba8f69da41b45a77708832babed, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.pcall('incr','s')", "1", "s"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"EVAL", "return redis.call('nosuch')", "0"}, "-ERR Unknown Redis command called from script script: 206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.pcall('nosuch')", "0"}, "-ERR Unknown Redis command called from script\r\n", ""},
            {{"EVAL", "return redis.call('get')", "0"}, "-ERR Wrong number of args calling Redis command from script script: f187dee77f607f7cff00bbabc9df38507582c78d, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('multi')", "0"}, "-ERR This Redis command is not allowed from script script: c329a1a294be6bf95b44144f7502610661ae925a, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('get', KEYS[1])", "1", "s"}, "$3\r\nabc\r\n", ""},
            {{"EVAL", "return redis.call('get', KEYS[1])", "1", "nokey"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "return {KEYS[1],ARGV[1],ARGV[2]}", "1", "k", "a", "b"}, "*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\nb\r\n", ""},
            {{"EVAL", "return #KEYS + #ARGV", "2", "k"}, "-ERR Number of keys can't be greater than number of args\r\n", ""},
            {{"EVAL", "return 1", "-1"}, "-ERR Number of keys can't be negative\r\n", ""},
            {{"EVAL", "return 1", "x"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"EVAL", "return 1", "3", "a"}, "-ERR Number of keys can't be greater than number of args\r\n", ""},
            {{"EVAL", "return +", "0"}, "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'\r\n", ""},
            {{"EVAL", "error('boom')", "0"}, "-ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1.\r\n", ""},
            {{"EVAL", "error({err='CUSTOM boom'})", "0"}, "-CUSTOM boom script: 04d39340f134fecca222bb279e1aa1d64359c655, on @user_script:1.\r\n", ""},
            {{"EVAL", "local t = redis.call('hgetall','nokey'); return type(t)", "0"}, "$5\r\ntable\r\n", ""},
            {{"EVAL", "return redis.call('set','x','y')", "0"}, "+OK\r\n", ""},
            {{"EVAL", "return redis.call('ping')", "0"}, "+PONG\r\n", ""},
            {{"EVAL", "return redis.sha1hex('')", "0"}, "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n", ""},
            {{"EVAL", "return redis.sha1hex('abc')", "0"}, "$40\r\na9993e364706816aba3e25717850c26c9cd0d89d\r\n", ""},
            {{"EVAL", "return tostring(3.0)", "0"}, "$1\r\n3\r\n", ""},
            {{"EVAL", "return 2^53", "0"}, ":9007199254740992\r\n", ""},
            {{"EVAL", "return 1e30", "0"}, ":-9223372036854775808\r\n", ""},
            {{"EVAL", "return 0/0", "0"}, ":-9223372036854775808\r\n", ""},
            {{"EVAL", "return redis.call('hset','h','a','1')", "0"}, ":1\r\n", ""},
            {{"EVAL", "return redis.call('hgetall','h')", "0"}, "*2\r\n$1\r\na\r\n$1\r\n1\r\n", ""},
            {{"EVAL", "redis.setresp(3); return redis.call('hgetall','h')", "0"}, "*2\r\n$1\r\na\r\n$1\r\n1\r\n", "%1\r\n$1\r\na\r\n$1\r\n1\r\n"},
            {{"EVAL", "redis.setresp(3); local m = redis.call('hgetall','h'); return type(m['map'])", "0"}, "$5\r\ntable\r\n", ""},
            {{"EVAL", "redis.setresp(3); return {double=3.5}", "0"}, "$3\r\n3.5\r\n", ",3.5\r\n"},
            {{"EVAL", "return {double=3.5}", "0"}, "$3\r\n3.5\r\n", ",3.5\r\n"},
            {{"EVAL", "redis.setresp(3); return true", "0"}, ":1\r\n", "#t\r\n"},
            {{"EVAL", "redis.setresp(3); return false", "0"}, ":0\r\n", "#f\r\n"},
            {{"EVAL", "return {map={a=1}}", "0"}, "*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n$1\r\na\r\n:1\r\n"},
            {{"EVAL", "return {set={a=true}}", "0"}, "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n"},
            {{"EVAL", "redis.setresp(4)", "0"}, "-ERR RESP version must be 2 or 3. script: 68e72e4d8a428b9f599dce492315f2455a425a82, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('zadd','z','1.5','m')", "0"}, ":1\r\n", ""},
            {{"EVAL", "redis.setresp(3); return redis.call('zscore','z','m')", "0"}, "$3\r\n1.5\r\n", ",1.5\r\n"},
            {{"EVAL", "redis.setresp(3); local v = redis.call('zscore','z','m'); return type(v)", "0"}, "$5\r\ntable\r\n", ""},
            {{"EVAL", "redis.setresp(3); local v = redis.call('get','nokey'); return type(v)", "0"}, "$3\r\nnil\r\n", ""},
            {{"EVAL", "local v = redis.call('get','nokey'); return type(v)", "0"}, "$7\r\nboolean\r\n", ""},
            {{"EVAL", "return redis.call('blpop','nolist',0)", "0"}, "-ERR This Redis command is not allowed from script script: abca6f0af300bbde50e15c9226201a7d087652cf, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('subscribe','c')", "0"}, "-ERR This Redis command is not allowed from script script: 7f02cffe90778c7abbcc0c8698c70a4ab5da2c45, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('eval','return 1',0)", "0"}, "-ERR This Redis command is not allowed from script script: 595931feb16e9cba240a2e4c6a852627761118e3, on @user_script:1.\r\n", ""},
            {{"EVAL_RO", "return redis.call('set','x','1')", "0"}, "-ERR Write commands are not allowed from read-only scripts. script: 8b2ae6dd76cda7fc3e27f97431ae27d7b08a221d, on @user_script:1.\r\n", ""},
            {{"EVAL_RO", "return redis.call('get','x')", "0"}, "$1\r\ny\r\n", ""},
            {{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}, ":1\r\n", ""},
            {{"EVALSHA", "abc", "0"}, "-NOSCRIPT No matching script. Please use EVAL.\r\n", ""},
            {{"SCRIPT", "LOAD", "return 1"}, "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n", ""},
            {{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}, ":1\r\n", ""},
            {{"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"}, ":1\r\n", ""},
            {{"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "abc"}, "*2\r\n:1\r\n:0\r\n", ""},
            {{"SCRIPT", "FLUSH"}, "+OK\r\n", ""},
            {{"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"}, "*1\r\n:0\r\n", ""},
            {{"SCRIPT", "FLUSH", "ASYNC"}, "+OK\r\n", ""},
            {{"SCRIPT", "FLUSH", "BAD"}, "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n", ""},
            {{"SCRIPT", "KILL"}, "-NOTBUSY No scripts in execution right now.\r\n", ""},
            {{"SCRIPT", "HELP"}, "*17\r\n+SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+DEBUG (YES|SYNC|NO)\r\n+    Set the debug mode for subsequent scripts executed.\r\n+EXISTS <sha1> [<sha1> ...]\r\n+    Return information about the existence of the scripts in the script cache.\r\n+FLUSH [ASYNC|SYNC]\r\n+    Flush the Lua scripts cache. Very dangerous on replicas.\r\n+    When called without the optional mode argument, the behavior is determined by the\r\n+    lazyfree-lazy-user-flush configuration directive. Valid modes are:\r\n+    * ASYNC: Asynchronously flush the scripts cache.\r\n+    * SYNC: Synchronously flush the scripts cache.\r\n+KILL\r\n+    Kill the currently executing Lua script.\r\n+LOAD <script>\r\n+    Load a script into the scripts cache without executing it.\r\n+HELP\r\n+    Prints this help.\r\n", ""},
            {{"SCRIPT", "LOAD", "return +"}, "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'\r\n", ""},
            {{"EVAL", "return x", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.\r\n", ""},
            {{"EVAL", "x = 1", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: 34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.\r\n", ""},
            {{"EVAL", "local a = {} ; a[1]=1; a[3]=3; return a", "0"}, "*1\r\n:1\r\n", ""},
            {{"EVAL", "return redis.LOG_WARNING", "0"}, ":3\r\n", ""},
            {{"EVAL", "redis.log(redis.LOG_WARNING, 'hi'); return 1", "0"}, ":1\r\n", ""},
            {{"EVAL", "return type(redis.REDIS_VERSION)", "0"}, "$6\r\nstring\r\n", ""},
            {{"EVAL", "return redis.REDIS_VERSION_NUM", "0"}, ":458767\r\n", ""},
            {{"EVAL", "return redis.call()", "0"}, "-ERR Please specify at least one argument for this redis lib call script: 0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call(1)", "0"}, "-ERR Unknown Redis command called from script script: 9bdfc0557e68d76a6a10c85f455de0f93ee495a7, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('get', {})", "0"}, "-ERR Lua redis lib command arguments must be strings or integers script: 4368e88f98d93af9caf358186e5fbf273374ee91, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('set','n', 3.7)", "0"}, "+OK\r\n", ""},
            {{"EVAL", "return redis.call('get','n')", "0"}, "$18\r\n3.7000000000000002\r\n", ""},
            {{"EVAL", "return redis.call('set','n', 10)", "0"}, "+OK\r\n", ""},
            {{"EVAL", "return redis.call('get','n')", "0"}, "$2\r\n10\r\n", ""},
            {{"EVAL", "return redis.pcall('set')", "0"}, "-ERR Wrong number of args calling Redis command from script\r\n", ""},
            {{"EVAL", "local r = redis.pcall('incr','s'); return type(r)", "0"}, "$5\r\ntable\r\n", ""},
            {{"EVAL", "local r = redis.pcall('incr','s'); return r['err']", "0"}, "$43\r\nERR value is not an integer or out of range\r\n", ""},
            {{"EVAL", "return redis.call('incr','s')", "0"}, "-ERR value is not an integer or out of range script: c243b9f46db13ba8f69da41b45a77708832babed, on @user_script:1.\r\n", ""},
            {{"EVAL", "return loadstring('return 1')()", "0"}, ":1\r\n", ""},
            {{"EVAL", "return dofile('/etc/passwd')", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'dofile' script: 08c011fe391ccf0f929e4157315420760f61e767, on @user_script:1.\r\n", ""},
            {{"EVAL", "return os.time()", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: 13dea82ee9da896aebcd10f5e36f4a1eeb839b48, on @user_script:1.\r\n", ""},
            {{"EVAL", "return math.random()", "0"}, ":0\r\n", ""},
            {{"EVAL", "return tonumber('12')", "0"}, ":12\r\n", ""},
            {{"EVAL", "return redis.setresp", "0"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "return redis.call('select','1')", "0"}, "+OK\r\n", ""},
            {{"EVAL", "return redis.call('dbsize')", "0"}, ":5\r\n", ""},
            {{"EVAL", "redis.call('select','1'); return redis.call('dbsize')", "0"}, ":0\r\n", ""},
            {{"EVAL", "return redis.call('shutdown')", "0"}, "-ERR This Redis command is not allowed from script script: efed7e6fbac55a79c47e5a9e6bd695e63e9dcada, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('client','id') > 0", "0"}, "-ERR This Redis command is not allowed from script script: 0ed97abaa0175777888b166c12d72c69d1dba4e1, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('object','encoding','s')", "0"}, "$6\r\nembstr\r\n", ""},
            {{"EVAL", "return {1,{ok='a'},{err='b'}}", "0"}, "*3\r\n:1\r\n+a\r\n-b\r\n", ""},
            {{"EVAL", "return {1, redis.call('hget','h','nope'), 2}", "0"}, "*3\r\n:1\r\n$-1\r\n:2\r\n", "*3\r\n:1\r\n_\r\n:2\r\n"},
            {{"EVAL", "redis.setresp(3); return {1, redis.call('hget','h','nope'), 2}", "0"}, "*1\r\n:1\r\n", ""},
            {{"EVAL", "return redis.breakpoint()", "0"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "return redis.debug('x')", "0"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "return redis.replicate_commands()", "0"}, ":1\r\n", ""},
            {{"EVAL", "redis.set_repl(redis.REPL_ALL); return 1", "0"}, ":1\r\n", ""},
            {{"EVAL", "return redis.REPL_ALL", "0"}, ":3\r\n", ""},
            {{"EVAL", "return redis.set_repl(99)", "0"}, "-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. script: fae934173b6296d6836d5d5f52e192640f8897d9, on @user_script:1.\r\n", ""},
            {{"EVAL", "#!lua flags=no-writes\nreturn redis.call('set','a','1')", "0"}, "-ERR Write commands are not allowed from read-only scripts. script: 71c6978aa8dbb43cfeb7536150d4b9326e6031a2, on @user_script:2.\r\n", ""},
            {{"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','a')", "0"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "#!lua\nreturn 5", "0"}, ":5\r\n", ""},
            {{"EVAL", "#!lua flags=bogus\nreturn 5", "0"}, "-ERR Unexpected flag in script shebang: bogus\r\n", ""},
            {{"EVAL", "#!python\nreturn 5", "0"}, "-ERR Unexpected engine in script shebang: #!python\r\n", ""},
            {{"EVAL", "#!lua name=x\nreturn 5", "0"}, "-ERR Unknown lua shebang option: name=x\r\n", ""},
            {{"EVAL", "#!lua\nerror('x')", "0"}, "-ERR user_script:2: x script: f0363b84b71234131413165ce8dee0dbb5f9ce96, on @user_script:2.\r\n", ""},
            {{"EVAL", "return type(print)", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'print' script: 296aa29e565df267b5e30e498f3872c9f9e8e8cc, on @user_script:1.\r\n", ""},
            {{"EVAL", "return type(debug)", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'debug' script: 21bcbd6f0f3639ee18732cb6907e65a4859b9625, on @user_script:1.\r\n", ""},
            {{"EVAL", "return type(loadstring)", "0"}, "$8\r\nfunction\r\n", ""},
            {{"EVAL", "return type(setfenv)", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'setfenv' script: ceaddaad3558d2f10cbb8082ea10e1b63f3ac0ea, on @user_script:1.\r\n", ""},
            {{"EVAL", "return type(require)", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'require' script: a10ff9bcfafac54cee41502b0e65e31ab05862c3, on @user_script:1.\r\n", ""},
            {{"EVAL", "return type(unpack)", "0"}, "$8\r\nfunction\r\n", ""},
            {{"EVAL", "return type(math.random)", "0"}, "$8\r\nfunction\r\n", ""},
            {{"EVAL", "redis = 1", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: 00cca49a9d18094f532f6d5cd3ecec29fc0fafd9, on @user_script:1.\r\n", ""},
            {{"EVAL", "KEYS = 1", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: 8726473c55e0c4527ed3b82564a764667277b20e, on @user_script:1.\r\n", ""},
            {{"EVAL", "string.len = 1", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: e40c44eb0c17d918173deebd7ee29410ecfb9c5c, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {1,2,{3,{4,{5}}}}", "0"}, "*3\r\n:1\r\n:2\r\n*2\r\n:3\r\n*2\r\n:4\r\n*1\r\n:5\r\n", ""},
            {{"EVAL", "return redis.call('set', 'k', 'v', 'EX', 100)", "0"}, "+OK\r\n", ""},
            {{"EVAL", "return redis.call('ttl', 'k')", "0"}, ":100\r\n", ""},
            {{"EVAL", "return redis.call('lpush', 'l', 'a', 'b')", "0"}, ":2\r\n", ""},
            {{"EVAL", "return redis.call('lrange', 'l', 0, -1)", "0"}, "*2\r\n$1\r\nb\r\n$1\r\na\r\n", ""},
            {{"EVAL", "return redis.call('get', 'l')", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value script: e471b73f1ef44774987ab00bdf51f21fd9f7974a, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.pcall('get', 'l')", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"EVAL", "local r = redis.pcall('get', 'l'); return r", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"EVAL", "return redis.call('zadd', 'z', 1, 'a', 2.5, 'b')", "0"}, ":2\r\n", ""},
            {{"EVAL", "return redis.call('zrange', 'z', 0, -1, 'withscores')", "0"}, "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nm\r\n$3\r\n1.5\r\n$1\r\nb\r\n$3\r\n2.5\r\n", ""},
            {{"EVAL", "redis.setresp(3); return redis.call('zrange', 'z', 0, -1, 'withscores')", "0"}, "*3\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nm\r\n$3\r\n1.5\r\n*2\r\n$1\r\nb\r\n$3\r\n2.5\r\n", "*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nm\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"},
            {{"EVAL", "redis.setresp(3); return redis.call('smembers', 'nos')", "0"}, "*0\r\n", "~0\r\n"},
            {{"EVAL", "redis.setresp(3); return redis.call('sadd', 's1', 'x')", "0"}, ":1\r\n", ""},
            {{"EVAL", "redis.setresp(3); return redis.call('smembers', 's1')", "0"}, "*1\r\n$1\r\nx\r\n", "~1\r\n$1\r\nx\r\n"},
            {{"EVAL", "redis.setresp(3); return redis.call('exists', 's1')", "0"}, ":1\r\n", ""},
            {{"EVAL", "redis.setresp(3); return redis.call('info', 'nosuchsection')", "0"}, "$0\r\n\r\n", "=4\r\ntxt:\r\n"},
            {{"EVAL", "return redis.call('hset', 'h', 'f', 'v')", "0"}, ":1\r\n", ""},
            {{"EVAL", "redis.setresp(3); local r = redis.call('hgetall', 'h'); return r.map.f", "0"}, "$1\r\nv\r\n", ""},
            {{"EVAL", "return {big_number='123'}", "0"}, "$3\r\n123\r\n", "(123\r\n"},
            {{"EVAL", "redis.setresp(3); return {big_number='123'}", "0"}, "$3\r\n123\r\n", "(123\r\n"},
            {{"EVAL", "return {verbatim_string={format='txt', string='hi'}}", "0"}, "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"},
            {{"EVAL", "return {ok='a\r\nb'}", "0"}, "-ERR Error compiling script (new function): user_script:1: unfinished string near ''a'\r\n", ""},
            {{"EVAL", "return {err='a\r\nb'}", "0"}, "-ERR Error compiling script (new function): user_script:1: unfinished string near ''a'\r\n", ""},
            {{"EVAL", "return redis.call('type', 'h')", "0"}, "+hash\r\n", ""},
            {{"EVAL", "return redis.call('incrbyfloat', 'f', '1.5')", "0"}, "$3\r\n1.5\r\n", ""},
            {{"EVAL", "return redis.call('expire', 'nokey', 10)", "0"}, ":0\r\n", ""},
            {{"EVAL", "return redis.call('del', 'a', 'b', 'c')", "0"}, ":0\r\n", ""},
            {{"EVAL", "return redis.call('exists', KEYS[1], KEYS[2])", "2", "h", "z"}, ":2\r\n", ""},
            {{"EVAL", "return redis.call('echo', 'x')", "0"}, "$1\r\nx\r\n", ""},
            {{"EVAL", "return redis.call('time')[1] ~= nil", "0"}, ":1\r\n", ""},
            {{"EVAL", "return redis.call('flushall')", "0"}, "+OK\r\n", ""},
            {{"EVAL", "return redis.call('dbsize')", "0"}, ":0\r\n", ""},
            {{"EVALSHA_RO", "abc", "0"}, "-NOSCRIPT No matching script. Please use EVAL.\r\n", ""},
            {{"EVAL_RO", "return 1", "0"}, ":1\r\n", ""},
            {{"SCRIPT", "EXISTS"}, "-ERR wrong number of arguments for 'script|exists' command\r\n", ""},
            {{"SCRIPT", "LOAD"}, "-ERR wrong number of arguments for 'script|load' command\r\n", ""},
            {{"SCRIPT", "DEBUG", "NO"}, "+OK\r\n", ""},
            {{"SCRIPT", "FOO"}, "-ERR unknown subcommand 'FOO'. Try SCRIPT HELP.\r\n", ""},
            {{"EVAL"}, "-ERR wrong number of arguments for 'eval' command\r\n", ""},
            {{"EVAL", "return 1"}, "-ERR wrong number of arguments for 'eval' command\r\n", ""},
            {{"COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", ""},
            {{"COMMAND", "GETKEYS", "EVAL", "return 1", "0"}, "*0\r\n", ""},
            {{"MULTI"}, "+OK\r\n", ""},
            {{"EVAL", "return redis.call('incr','ctr')", "0"}, "+QUEUED\r\n", ""},
            {{"EVAL", "return redis.call('incr','ctr')", "0"}, "+QUEUED\r\n", ""},
            {{"EXEC"}, "*2\r\n:1\r\n:2\r\n", ""},
            {{"EVAL", "return redis.call('watch','x')", "0"}, "-ERR This Redis command is not allowed from script script: 9a1a35c05e04d2ab477f9ffcb999995832000a6d, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('exec')", "0"}, "-ERR This Redis command is not allowed from script script: cfd06730c41ba24d30327b6d49d1ebf96a001298, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('script','load','return 1')", "0"}, "-ERR This Redis command is not allowed from script script: e884fdd1089d33f7e88d638d04f7355ac44786c2, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('script','exists','abc')", "0"}, "-ERR This Redis command is not allowed from script script: 10074d911f495c468d264a1c749351949092c85d, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('config','get','maxmemory')", "0"}, "-ERR This Redis command is not allowed from script script: ce45eb79367d493e5dbe55446ef14fbdf6f8cfae, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('publish','ch','m')", "0"}, ":0\r\n", ""},
            {{"EVAL", "return redis.call('debug','sleep','0')", "0"}, "-ERR This Redis command is not allowed from script script: 3ab121bfba97ea652249c19f202e9d69a51d0cbf, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('object','freq','ctr')", "0"}, "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust. script: 50a03100f3c166c31659a7ab3c87cad131a69037, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('randomkey')", "0"}, "$3\r\nctr\r\n", ""},
            {{"EVAL", "return redis.call('keys','*')", "0"}, "*1\r\n$3\r\nctr\r\n", ""},
            {{"EVAL", "return redis.call('select', '99')", "0"}, "-ERR DB index is out of range script: 8e38ba0bb2cd62f4775e64404798c5229b0e189b, on @user_script:1.\r\n", ""},
            {{"EVAL", "return 3.99", "0"}, ":3\r\n", ""},
            {{"EVAL", "return -0.5", "0"}, ":0\r\n", ""},
            {{"EVAL", "return {1.5, 2.5}", "0"}, "*2\r\n:1\r\n:2\r\n", ""},
            {{"EVAL", "return {'a', nil, 'b'}", "0"}, "*1\r\n$1\r\na\r\n", ""},
            {{"EVAL", std::string("return 'a\000b'", 12), "0"}, std::string("$3\r\na\000b\r\n", 9), ""},
            {{"EVAL", "return redis.sha1hex()", "0"}, "-ERR wrong number of arguments script: 3c7ce947ae74a835cc575b6ee87fb27503cb7ba4, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.status_reply()", "0"}, "-ERR wrong number or type of arguments\r\n", ""},
            {{"EVAL", "return redis.error_reply(1)", "0"}, "-ERR wrong number or type of arguments\r\n", ""},
            {{"EVAL", "return redis.error_reply('')", "0"}, "-ERR \r\n", ""},
            {{"EVAL", "return redis.error_reply('WRONG')", "0"}, "-ERR WRONG\r\n", ""},
            {{"EVAL", "return redis.call('set','big','1'):upper()", "0"}, "-ERR user_script:1: attempt to call method 'upper' (a nil value) script: 1259b17315dd398b2d4556aa7f41f04f6e87b2ff, on @user_script:1.\r\n", ""},
            {{"EVAL", "return pcall(redis.call, 'nosuch')", "0"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "local ok, e = pcall(redis.call, 'nosuch'); return e", "0"}, "$44\r\nERR Unknown Redis command called from script\r\n", ""},
            {{"EVAL", "local ok, e = pcall(redis.call, 'nosuch'); return e.err", "0"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "local ok, e = pcall(error, 'x'); return e", "0"}, "$1\r\nx\r\n", ""},
            {{"EVAL", "return tostring(redis.call('get','nope'))", "0"}, "$5\r\nfalse\r\n", ""},
            {{"EVAL", "error()", "0"}, "-ERR nil script: aca90d914519fdb9825352bdc0befb59f7c8510f, on @user_script:1.\r\n", ""},
            {{"EVAL", "error(nil)", "0"}, "-ERR nil script: c402aa49952c86c38f35fb311d54977d08f3bf01, on @user_script:1.\r\n", ""},
            {{"EVAL", "error(12)", "0"}, "-ERR user_script:1: 12 script: 531d78cb0a3022f46aa8fcca247caa61d303b321, on @user_script:1.\r\n", ""},
            {{"EVAL", "local a = nil; return a.b", "0"}, "-ERR user_script:1: attempt to index local 'a' (a nil value) script: a4f98b90454ae717765b45eb6f71312d37f994c6, on @user_script:1.\r\n", ""},
            {{"EVAL", "\n\nreturn redis.call('nosuch')", "0"}, "-ERR Unknown Redis command called from script script: e2c9a1c42e13c6bc0335a2cc58b080e4afe38123, on @user_script:3.\r\n", ""},
            {{"EVAL", "return unpack({1,2})", "0"}, ":1\r\n", ""},
            // The sandbox holds against rawset and setmetatable (a change would outlive the
            // script), and math.random is Redis's rand48 (recorded after the rows above).
            {{"EVAL", "rawset(redis,'call',function() return 'hijacked' end) return 1", "0"}, "-ERR Attempt to modify a readonly table script: ea54cd2be5308af56c0e892f6b17909ba8196dcb, on @user_script:1.\r\n", ""},
            {{"EVAL", "return redis.call('ping')", "0"}, "+PONG\r\n", ""},
            {{"EVAL", "rawset(_G,'x',1) return 1", "0"}, "-ERR Attempt to modify a readonly table script: 370407d93b0e11a2c9fdd10662499a6b5ac61d6f, on @user_script:1.\r\n", ""},
            {{"EVAL", "rawset(string,'len',nil) return 1", "0"}, "-ERR Attempt to modify a readonly table script: fbb9087da7ab4104f07e4481fb506d49271917be, on @user_script:1.\r\n", ""},
            {{"EVAL", "getmetatable('').__index = nil return 1", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: 25ae685d43b673ffb5e7b16d3f30d827aa2e3cee, on @user_script:1.\r\n", ""},
            {{"EVAL", "rawset(getmetatable(''),'__index',nil) return 1", "0"}, "-ERR Attempt to modify a readonly table script: 217172ee8ae9e4684b894b7851988f25d521ef49, on @user_script:1.\r\n", ""},
            {{"EVAL", "return ('x'):rep(3)", "0"}, "$3\r\nxxx\r\n", ""},
            {{"EVAL", "setmetatable(_G, {}) return 1", "0"}, "-ERR Attempt to modify a readonly table script: 5f0f0983dd824028873dda8001975d9f921d1a87, on @user_script:1.\r\n", ""},
            {{"EVAL", "return type(getmetatable(_G))", "0"}, "$5\r\ntable\r\n", ""},
            {{"EVAL", "return type(getmetatable(''))", "0"}, "$5\r\ntable\r\n", ""},
            {{"EVAL", "return type(getfenv)", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'getfenv' script: d2c7282719af3bf866eec648f4592730ecb3a75f, on @user_script:1.\r\n", ""},
            {{"EVAL", "return type(newproxy)", "0"}, "-ERR user_script:1: Script attempted to access nonexistent global variable 'newproxy' script: 2db8cbf73e97a4b7d8d1a7ce472bf57302f0f369, on @user_script:1.\r\n", ""},
            {{"EVAL", "return type(load)", "0"}, "$8\r\nfunction\r\n", ""},
            {{"EVAL", "local t = {} rawset(t, 'a', 1) return t.a", "0"}, ":1\r\n", ""},
            {{"EVAL", "local t = setmetatable({}, {__index = function() return 7 end}) return t.x", "0"}, ":7\r\n", ""},
            {{"EVAL", "math.randomseed(1); return {math.random(100), math.random(100), math.random(1,6), tostring(math.random())}", "0"}, "*4\r\n:5\r\n:46\r\n:6\r\n$16\r\n0.33598602997884\r\n", ""},
            {{"EVAL", "math.randomseed(-5); return {math.random(1000000), math.random(-3, 3)}", "0"}, "*2\r\n:816817\r\n:-2\r\n", ""},
            {{"EVAL", "return math.random(0)", "0"}, "-ERR user_script:1: bad argument #1 to 'random' (interval is empty) script: 008bcb60f86ee36d26c67b641b46674578d9cba0, on @user_script:1.\r\n", ""},
            {{"EVAL", "return math.random(3, 1)", "0"}, "-ERR user_script:1: bad argument #2 to 'random' (interval is empty) script: e7eba8cfa2634198f693e80c6baa2d58a99a9060, on @user_script:1.\r\n", ""},
            {{"EVAL", "return math.random(1, 2, 3)", "0"}, "-ERR user_script:1: wrong number of arguments script: 07d2fd85ff1e5c39f9bd7d9163eddb0db34f2a7a, on @user_script:1.\r\n", ""},
            {{"EVAL", "return math.randomseed('x')", "0"}, "-ERR user_script:1: bad argument #1 to 'randomseed' (number expected, got string) script: 48813fd2d83e52b9dc5313a694b47b4bb806187f, on @user_script:1.\r\n", ""},
    };
    return rows;
}

/// The cjson, bit, cmsgpack and struct libraries (lua_libs.hpp): replies of redis-server 7.0.15
/// to 188 scripts encoding and decoding JSON (output, padding and sparse arrays, escapes, \u and
/// surrogate pairs, numbers, depth limits, every parse error with its position, the
/// configuration functions and cjson.new), doing 32-bit bit operations, and packing and
/// unpacking MessagePack (every integer and float width, strings, arrays and maps, nesting,
/// the unpack_one / unpack_limit offsets, the errors) and binary structures (every format
/// option, alignment, endianness, c0 and s, sizes, the errors), recorded in one run.
const std::vector<test::Row>& libraries_recorded() {
    static const std::vector<test::Row> rows = {
            {{"EVAL", "return cjson.encode({1,2,3,'a',{x=1}})", "0"}, "$19\r\n[1,2,3,\"a\",{\"x\":1}]\r\n", ""},
            {{"EVAL", "return cjson.encode({})", "0"}, "$2\r\n{}\r\n", ""},
            {{"EVAL", "return cjson.encode({[1]=1,[3]=3})", "0"}, "$10\r\n[1,null,3]\r\n", ""},
            {{"EVAL", "return cjson.encode({[1]=1,[20]=3})", "0"}, "-ERR user_script:1: Cannot serialise table: excessively sparse array script: 599049a94af36a079b8c19b2e9635d7951cda076, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode({[1]=1,[10]=3})", "0"}, "$45\r\n[1,null,null,null,null,null,null,null,null,3]\r\n", ""},
            {{"EVAL", "return cjson.encode(1/3)", "0"}, "$16\r\n0.33333333333333\r\n", ""},
            {{"EVAL", "return cjson.encode(1e300)", "0"}, "$6\r\n1e+300\r\n", ""},
            {{"EVAL", "return cjson.encode(0/0)", "0"}, "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf script: d3f8d4e745d6587b04e9dd216e0d4631f0a306d9, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode(1/0)", "0"}, "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf script: 08ffdaa5e7f117332da21c3b5222c2ede9492c60, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode('a/b\"\\n\011\001W\200\r\010\014')", "0"}, "-ERR Error compiling script (new function): user_script:1: unfinished string near ''a/b\" \011\001W\200'\r\n", ""},
            {{"EVAL", "return cjson.encode(cjson.null)", "0"}, "$4\r\nnull\r\n", ""},
            {{"EVAL", "return cjson.encode(nil)", "0"}, "$4\r\nnull\r\n", ""},
            {{"EVAL", "return cjson.encode({a=1, b={c=true, d=false}})", "0"}, "$32\r\n{\"a\":1,\"b\":{\"c\":true,\"d\":false}}\r\n", ""},
            {{"EVAL", "return cjson.encode({[true]=1})", "0"}, "-ERR user_script:1: Cannot serialise boolean: table key must be a number or string script: 376a640005c8509c694166527ca834359bf69aa8, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode(-0)", "0"}, "$2\r\n-0\r\n", ""},
            {{"EVAL", "return cjson.encode(12345678901234567)", "0"}, "$19\r\n1.2345678901235e+16\r\n", ""},
            {{"EVAL", "return cjson.encode(1.5, 2)", "0"}, "-ERR user_script:1: bad argument #1 to 'encode' (expected 1 argument) script: ff3fd37c7e62b6ce9142ff87a5fd06fa22b098d8, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode()", "0"}, "-ERR user_script:1: bad argument #1 to 'encode' (expected 1 argument) script: fc593ea31f478c7ed65c77495cc63edeb9153530, on @user_script:1.\r\n", ""},
            {{"EVAL", "local t = {} t[1] = t return cjson.encode(t)", "0"}, "-ERR user_script:1: Cannot serialise, excessive nesting (1001) script: 576653f0096d47f87063058b9abe9085cdcd4f41, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode({[1.5]=1})", "0"}, "$9\r\n{\"1.5\":1}\r\n", ""},
            {{"EVAL", "return cjson.encode({[-1]=1})", "0"}, "$8\r\n{\"-1\":1}\r\n", ""},
            {{"EVAL", "return cjson.encode({[0]=1})", "0"}, "$7\r\n{\"0\":1}\r\n", ""},
            {{"EVAL", "return cjson.encode(redis.call)", "0"}, "-ERR user_script:1: Cannot serialise function: type not supported script: 803b18de276feb2354b12add12ed7375abaa84cc, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode({f=redis.call})", "0"}, "-ERR user_script:1: Cannot serialise function: type not supported script: 5f70d9ab03c9c6f564505130db89ae3e0ac01afa, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode({1, 2, nil, 4})", "0"}, "$12\r\n[1,2,null,4]\r\n", ""},
            {{"EVAL", "return cjson.encode({name='x', tags={'a','b'}, n=3, ok=true})", "0"}, "$45\r\n{\"ok\":true,\"n\":3,\"name\":\"x\",\"tags\":[\"a\",\"b\"]}\r\n", ""},
            {{"EVAL", "return cjson.encode({b=2, a=1, c=3, d=4, e=5})", "0"}, "$31\r\n{\"a\":1,\"c\":3,\"b\":2,\"e\":5,\"d\":4}\r\n", ""},
            {{"EVAL", "return cjson.encode(KEYS)", "2", "k1", "k2"}, "$11\r\n[\"k1\",\"k2\"]\r\n", ""},
            {{"EVAL", "return cjson.encode(ARGV)", "0", "a\"b", "c"}, "$12\r\n[\"a\\\"b\",\"c\"]\r\n", ""},
            {{"EVAL", "return cjson.decode('[1,2,\"x\",{\"a\":[true,false]}]')[4].a[1]", "0"}, ":1\r\n", ""},
            {{"EVAL", "return cjson.decode('[1,2,3]')", "0"}, "*3\r\n:1\r\n:2\r\n:3\r\n", ""},
            {{"EVAL", "return cjson.decode('{\"a\":null}').a == cjson.null", "0"}, ":1\r\n", ""},
            {{"EVAL", "return cjson.decode('[1,null,3]')", "0"}, "*3\r\n:1\r\n$-1\r\n:3\r\n", "*3\r\n:1\r\n_\r\n:3\r\n"},
            {{"EVAL", "return cjson.decode('x')", "0"}, "-ERR user_script:1: Expected value but found invalid token at character 1 script: 5f58dd5cefb3eb0313af3534f36be4b83e79ae80, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('[1,')", "0"}, "-ERR user_script:1: Expected value but found T_END at character 4 script: ad8248c68c719abd59f0dd09dea378bb946e7d3f, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('{1:2}')", "0"}, "-ERR user_script:1: Expected object key string but found T_NUMBER at character 2 script: b7dfc51e0d5bf164c246fe708a2e33743e899be6, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('{\"a\" 2}')", "0"}, "-ERR user_script:1: Expected colon but found T_NUMBER at character 6 script: 53f0a907a457a723a04a12b158e74d644432a6dc, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('[1 2]')", "0"}, "-ERR user_script:1: Expected comma or array end but found T_NUMBER at character 4 script: cae89247ef27d42d411c61ae44ff3af6ab258d99, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('{\"a\":1 \"b\"}')", "0"}, "-ERR user_script:1: Expected comma or object end but found T_STRING at character 8 script: ed604cfa816fcbf85760ca2c8a390a51415cd1aa, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('[1] x')", "0"}, "-ERR user_script:1: Expected the end but found invalid token at character 5 script: 90488ed3df43636c96be19291b12cbc738913942, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('\"\\u00e9\\n\\t\\/\\\\\\\"\"')", "0"}, "$9\r\nu00e9\n\011/\"\r\n", ""},
            {{"EVAL", "return cjson.decode('\"\\q\"')", "0"}, "$1\r\nq\r\n", ""},
            {{"EVAL", "return cjson.decode('0x10')", "0"}, ":16\r\n", ""},
            {{"EVAL", "return tostring(cjson.decode('1e400'))", "0"}, "$3\r\ninf\r\n", ""},
            {{"EVAL", "return tostring(cjson.decode('-Infinity'))", "0"}, "$4\r\n-inf\r\n", ""},
            {{"EVAL", "return tostring(cjson.decode('nan'))", "0"}, "$3\r\nnan\r\n", ""},
            {{"EVAL", "return cjson.decode('01')", "0"}, ":1\r\n", ""},
            {{"EVAL", "return cjson.decode('+5')", "0"}, ":5\r\n", ""},
            {{"EVAL", "return cjson.decode('')", "0"}, "-ERR user_script:1: Expected value but found T_END at character 1 script: 7ff8cf86abed928f4d61a01dcc9713f0117b180a, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('  ')", "0"}, "-ERR user_script:1: Expected value but found T_END at character 3 script: ad90e2cff32ebb0824378d300466719d14e6d1da, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('\"abc')", "0"}, "-ERR user_script:1: Expected value but found unexpected end of string at character 5 script: 30d67c6fb8e066eef4796bfcc59cee500c381744, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode(string.rep('[', 1001))", "0"}, "-ERR user_script:1: Found too many nested data structures (1001) at character 1001 script: 2ddae80deeddb6a86c3c4e3c22b92b4350e40b1f, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000)) ~= nil", "0"}, ":1\r\n", ""},
            {{"EVAL", "return cjson.decode(string.rep('{\"a\":', 1001))", "0"}, "-ERR user_script:1: Found too many nested data structures (1001) at character 5001 script: 349df8abb2c72e1b878fb4a2d55ce3ebc738e515, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode(12)", "0"}, ":12\r\n", ""},
            {{"EVAL", "return cjson.decode()", "0"}, "-ERR user_script:1: bad argument #1 to 'decode' (expected 1 argument) script: 5378278d59343caf5c3375a655dfea5e69ab8a74, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode({})", "0"}, "-ERR user_script:1: bad argument #1 to 'decode' (string expected, got table) script: 10c706d54b3ae7d2bcc169d647405abd961145fa, on @user_script:1.\r\n", ""},
            {{"EVAL", "return type(cjson.null)", "0"}, "$8\r\nuserdata\r\n", ""},
            {{"EVAL", "return cjson.decode('-')", "0"}, "-ERR user_script:1: Expected value but found invalid number at character 1 script: a968c762a4638482bd9ef50dcecdc4504214d87d, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('\"\\ud83d\\ude00\"')", "0"}, "$10\r\nud83dude00\r\n", ""},
            {{"EVAL", "return cjson.decode('\"\\ud83d\"')", "0"}, "$5\r\nud83d\r\n", ""},
            {{"EVAL", "return cjson.decode('\"\\ude00\\ud83d\"')", "0"}, "$10\r\nude00ud83d\r\n", ""},
            {{"EVAL", "return cjson.decode('\"\\u12g4\"')", "0"}, "$5\r\nu12g4\r\n", ""},
            {{"EVAL", "return cjson.decode('\"\\u0000x\"')", "0"}, "$6\r\nu0000x\r\n", ""},
            {{"EVAL", "return cjson.decode('[1,2,]')", "0"}, "-ERR user_script:1: Expected value but found T_ARR_END at character 6 script: 5e998f1076d76e7e5dc88c7525ea826761ed427d, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('{}')", "0"}, "*0\r\n", ""},
            {{"EVAL", "return cjson.decode(' true ')", "0"}, ":1\r\n", ""},
            {{"EVAL", "return cjson.decode('tru')", "0"}, "-ERR user_script:1: Expected value but found invalid token at character 1 script: b0ae6f0426d6ff93bdff3364f547baa19aa4171b, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('nul')", "0"}, "-ERR user_script:1: Expected value but found invalid token at character 1 script: 5586fdf8c512d9c8a68678c91a0de23617e84e25, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('falsey')", "0"}, "-ERR user_script:1: Expected the end but found invalid token at character 6 script: 48ec69a5b158c9c2d3955a918ce2c314652ec95f, on @user_script:1.\r\n", ""},
            {{"EVAL", "return tostring(cjson.decode('1.5e3'))", "0"}, "$4\r\n1500\r\n", ""},
            {{"EVAL", "return cjson.decode('{\"a\":1,}')", "0"}, "-ERR user_script:1: Expected object key string but found T_OBJ_END at character 8 script: 7e3659dd873275ff5047e436b0cc31cc91d160e4, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('{\"a\":1,\"b\":[1,{\"c\":\"d\"}]}').b[2].c", "0"}, "$1\r\nd\r\n", ""},
            {{"EVAL", std::string("return cjson.decode('\"a\000b\"')", 28), "0"}, "-ERR user_script:1: Expected value but found unexpected end of string at character 3 script: 4db1897a9b36220203fcedbdec43a22b1e49427b, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.decode('[\"\001\"]')", "0"}, "*1\r\n$1\r\n\001\r\n", ""},
            {{"EVAL", "return cjson.decode(cjson.encode({x={1,2,{y='z'}}})).x[3].y", "0"}, "$1\r\nz\r\n", ""},
            {{"EVAL", "return cjson._NAME .. ' ' .. cjson._VERSION", "0"}, "$11\r\ncjson 2.1.0\r\n", ""},
            {{"EVAL", "return {cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision()}", "0"}, "*3\r\n:1000\r\n:1000\r\n:14\r\n", ""},
            {{"EVAL", "return {cjson.encode_sparse_array()}", "0"}, "*3\r\n$-1\r\n:2\r\n:10\r\n", "*3\r\n_\r\n:2\r\n:10\r\n"},
            {{"EVAL", "return tostring(cjson.encode_invalid_numbers()) .. ' ' .. tostring(cjson.decode_invalid_numbers()) .. ' ' .. tostring(cjson.encode_keep_buffer())", "0"}, "$15\r\nfalse true true\r\n", ""},
            {{"EVAL", "return cjson.encode_number_precision(15)", "0"}, "-ERR user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14) script: bbd9450de606b026b51b67e7b961ff09397ea6dd, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode_max_depth(0)", "0"}, "-ERR user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647) script: f40da52b0819d675b8802812b1c4504462426d31, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode_max_depth(1, 2)", "0"}, "-ERR user_script:1: bad argument #2 to 'encode_max_depth' (found too many arguments) script: ebf9f090ab5ddd4b21a6e44e9f074da030afcaf9, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cjson.encode_invalid_numbers('maybe')", "0"}, "-ERR user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option 'maybe') script: cc274de9dcb4191ad96cc35d6cd9de848bc40414, on @user_script:1.\r\n", ""},
            {{"EVAL", "local j = cjson.new() j.encode_number_precision(3) j.encode_invalid_numbers('null') j.encode_sparse_array(true) return {j.encode({1/3, 1/0, 0/0}), j.encode({[1]=1,[20]=2}), cjson.encode(1/3)}", "0"}, "*3\r\n$17\r\n[0.333,null,null]\r\n$14\r\n{\"1\":1,\"20\":2}\r\n$16\r\n0.33333333333333\r\n", ""},
            {{"EVAL", "local j = cjson.new() j.encode_invalid_numbers(true) return j.encode({1/0, -1/0})", "0"}, "$10\r\n[inf,-inf]\r\n", ""},
            {{"EVAL", "local j = cjson.new() j.encode_max_depth(2) return j.encode({{{}}})", "0"}, "-ERR user_script:1: Cannot serialise, excessive nesting (3) script: bec342663f0e1d2f5e4bbbdd9c8d03591396daab, on @user_script:1.\r\n", ""},
            {{"EVAL", "local j = cjson.new() j.decode_max_depth(2) return j.decode('[[[1]]]')", "0"}, "-ERR user_script:1: Found too many nested data structures (3) at character 3 script: 92b092601e174e846ea26b548dba2cc9546174ec, on @user_script:1.\r\n", ""},
            {{"EVAL", "local j = cjson.new() j.decode_invalid_numbers(false) return j.decode('0x10')", "0"}, "-ERR user_script:1: Expected value but found invalid number at character 1 script: 3063ad1f2733afced547eeb2a93bd73b720a4bcd, on @user_script:1.\r\n", ""},
            {{"EVAL", "local j = cjson.new() j.decode_invalid_numbers(false) return j.decode('[1, inf]')", "0"}, "-ERR user_script:1: Expected value but found invalid token at character 5 script: 15c15c5846e131b68684e40b16ff0ec2c22152eb, on @user_script:1.\r\n", ""},
            {{"EVAL", "cjson.encode = nil", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: ca8772b89bfaafed79b4e978e804ff876bb3abc5, on @user_script:1.\r\n", ""},
            {{"EVAL", "cjson.foo = 1", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: b552bae4cfd8d0b4fee18195e979ea13b12ee0bf, on @user_script:1.\r\n", ""},
            {{"EVAL", "return bit.band(0xff, 0x0f, 0x3)", "0"}, ":3\r\n", ""},
            {{"EVAL", "return {bit.tobit(0xffffffff), bit.tobit(2^32 + 5), bit.tobit(-1), bit.tobit(1.5), bit.tobit(2.5)}", "0"}, "*5\r\n:-1\r\n:5\r\n:-1\r\n:2\r\n:2\r\n", ""},
            {{"EVAL", "return {bit.bor(1, 2, 4), bit.bxor(5, 3), bit.bnot(0), bit.lshift(1, 31), bit.lshift(1, 33)}", "0"}, "*5\r\n:7\r\n:6\r\n:-1\r\n:-2147483648\r\n:2\r\n", ""},
            {{"EVAL", "return {bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.bswap(0x12345678)}", "0"}, "*5\r\n:15\r\n:-16\r\n:878082066\r\n:2014458966\r\n:2018915346\r\n", ""},
            {{"EVAL", "return {bit.tohex(255), bit.tohex(-1, -4), bit.tohex(0x1234, 2), bit.tohex(1, 12), bit.tohex(65535, -10)}", "0"}, "*5\r\n$8\r\n000000ff\r\n$4\r\nFFFF\r\n$2\r\n34\r\n$8\r\n00000001\r\n$8\r\n0000FFFF\r\n", ""},
            {{"EVAL", "return bit.band('7', 3)", "0"}, ":3\r\n", ""},
            {{"EVAL", "return bit.band()", "0"}, "-ERR user_script:1: bad argument #1 to 'band' (number expected, got no value) script: 5cf53f885283a4f44a8fe7ad7e7fccaed4113e62, on @user_script:1.\r\n", ""},
            {{"EVAL", "return bit.band('x', 1)", "0"}, "-ERR user_script:1: bad argument #1 to 'band' (number expected, got string) script: 94c9497223f260db7d1d1285d16b009077bb5ce4, on @user_script:1.\r\n", ""},
            {{"EVAL", "return bit.bor(1, {})", "0"}, "-ERR user_script:1: bad argument #2 to 'bor' (number expected, got table) script: 7340156a959cd187c2d0bbbe30e001b97eacfa96, on @user_script:1.\r\n", ""},
            {{"EVAL", "bit.band = nil", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: f46a7ee79fce18f1afbcd50f2912644bcf6def30, on @user_script:1.\r\n", ""},
            {{"EVAL", "return type(bit.tobit)", "0"}, "$8\r\nfunction\r\n", ""},
            {{"EVAL", "return cmsgpack._NAME .. '|' .. cmsgpack._VERSION .. '|' .. cmsgpack._COPYRIGHT .. '|' .. cmsgpack._DESCRIPTION", "0"}, "$105\r\ncmsgpack|lua-cmsgpack 0.4.0|Copyright (C) 2012, Salvatore Sanfilippo|MessagePack C implementation for Lua\r\n", ""},
            {{"EVAL", "return cmsgpack.pack()", "0"}, "-ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.) script: 6bc235afa55de88253e203cc5fe5844792e25209, on @user_script:1.\r\n", ""},
            {{"EVAL", "local s = cmsgpack.pack(1, -1, 127, 128, -32, -33, 255, 256, 65535, 65536, 2^32, -2^31-1, -129, -32769, 1.5, 0.1, 'abc', string.rep('x', 40), true, false, nil) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t)", "0"}, "$220\r\n01ff7fcc80e0d0dfccffcd0100cdffffce00010000cf0000000100000000d3ffffffff7fffffffd1ff7fd2ffff7fffca3fc00000cb3fb999999999999aa3616263d92878787878787878787878787878787878787878787878787878787878787878787878787878787878c3c2c0\r\n", ""},
            {{"EVAL", "local s = cmsgpack.pack({1,2,3}, {a=1}, {}, {[1]=1,[3]=3}, {[0]=1}, 0/0, 1/0, -1/0, -0.0, 2^63, -2^63, 2^64, {1, nil, 3}, {n=1, [1]=2}, {[1.5]=1}) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t)", "0"}, "$148\r\n9301020381a16101908201010303810001cbfff8000000000000ca7f800000caff80000000ca5f000000d38000000000000000ca5f8000008201010303820102a16e0181ca3fc0000001\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1,2}, {x='y'}))}", "0"}, "*4\r\n:1\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n*0\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(string.char(0xc1))", "0"}, "-ERR user_script:1: Bad data format in input. script: 2ac58dacf1d7b948cadb05031e34b96c0a0332a3, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(string.char(0x92, 1))", "0"}, "-ERR user_script:1: Missing bytes in input. script: 921b3185bbd857603091bb32950df6671113c391, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(string.char(0x81, 0xc0, 1))", "0"}, "-ERR table index is nil script: 42c1be7e22c37cab41e4a64d862c08f9a363e23e, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack(string.char(0xc4, 2, 65, 66))}", "0"}, "-ERR user_script:1: Bad data format in input. script: 2fff5b31f4881cc44fd794532530d288962f2cce, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack(string.char(0xdc, 0, 2, 1, 2, 0xde, 0, 1, 0xa1, 65, 0xc3, 0xdd, 0,0,0,1, 5, 0xdf, 0,0,0,0))}", "0"}, "*4\r\n*2\r\n:1\r\n:2\r\n*0\r\n*1\r\n:5\r\n*0\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(string.char(0xcf, 0xff,0xff,0xff,0xff,0xff,0xff,0xff,0xff))", "0"}, ":-1\r\n", ""},
            {{"EVAL", "return tostring(cmsgpack.unpack(string.char(0xd3, 0x80,0,0,0,0,0,0,1)))", "0"}, "$20\r\n-9.2233720368548e+18\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack(string.char(0xd0, 0x80, 0xd1, 0x80, 0, 0xd2, 0x80, 0, 0, 0, 0xe0, 0xff))}", "0"}, "*5\r\n:-128\r\n:-32768\r\n:-2147483648\r\n:-32\r\n:-1\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(string.char(0xd4, 1, 1))", "0"}, "-ERR user_script:1: Bad data format in input. script: 0e87f498f3ba5e96c605864d560afbbe6d067327, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(string.char(0x81, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 1))", "0"}, "-ERR table index is NaN script: 9388e7aea0c0d9fbb253b745ca74aed29204c2fd, on @user_script:1.\r\n", ""},
            {{"EVAL", "local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end local s = cmsgpack.pack(t) local h = {} for i = 1, #s do h[#h+1] = string.format('%02x', s:byte(i)) end return table.concat(h)", "0"}, "$34\r\n91919191919191919191919191919191c0\r\n", ""},
            {{"EVAL", "return cmsgpack.pack(redis.call)", "0"}, "$1\r\n\300\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack_limit('x')", "0"}, "-ERR user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value) script: c0cd6bee44d8fcbbc6522c773966bb3a3885b080, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack_limit('x', -1)", "0"}, "-ERR user_script:1: Invalid request to unpack with offset of 0 and limit of 1. script: 9993f64e81d8e1ef74b9d7494a87b1dad2346877, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_limit(string.char(1,2,3), 0)}", "0"}, "*3\r\n:1\r\n:2\r\n:3\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_limit(string.char(1,2,3), 0, 1)}", "0"}, "*1\r\n:1\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_limit(string.char(1,2,3), 2)}", "0"}, "*3\r\n:2\r\n:1\r\n:2\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_limit(string.char(1,2,3), 2, 2)}", "0"}, "*2\r\n:-1\r\n:3\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_one(string.char(1,2,3))}", "0"}, "*2\r\n:1\r\n:1\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_one(string.char(1,2,3), 1)}", "0"}, "*2\r\n:2\r\n:2\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_one(string.char(1,2,3), 3)}", "0"}, "*1\r\n:-1\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_one(string.char(1,2,3), 10)}", "0"}, "-ERR user_script:1: Start offset 10 greater than input length 3. script: 322e1b1fe542977d44a0c233319e5bc4d3dcdd01, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_one(string.char(1,2,3), -1)}", "0"}, "-ERR user_script:1: Invalid request to unpack with offset of -1 and limit of 3. script: e97941019ae0801916f870b14e75dc1f2fa78ce5, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack_one('', 0)}", "0"}, "*1\r\n:-1\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack('')", "0"}, "$-1\r\n", "_\r\n"},
            {{"EVAL", "return cmsgpack.unpack()", "0"}, "-ERR user_script:1: bad argument #1 to 'unpack' (string expected, got no value) script: 78103c0f3f46e5897cb5d2fad8dfb28bd38e0eeb, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(12)", "0"}, ":49\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack({})", "0"}, "-ERR user_script:1: bad argument #1 to 'unpack' (string expected, got table) script: 1bf8d78c3e2298775df6934cb05254905d2c8ddc, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(string.char(0xa5, 65))", "0"}, "-ERR user_script:1: Missing bytes in input. script: 9b7bddb13bf070d9712e1f4ed05d67a65aa5ce2d, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(string.char(0xd9))", "0"}, "-ERR user_script:1: Missing bytes in input. script: f4c8633419d2e0ccbde274bf6a2ce95aef01927e, on @user_script:1.\r\n", ""},
            {{"EVAL", "return cmsgpack.unpack(string.char(0xd9, 5, 65))", "0"}, "-ERR user_script:1: Missing bytes in input. script: 87cd48b63affc0b5106d2d24b7482450c7986155, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack(string.char(0xd9, 2, 65, 66, 0xda, 0, 1, 67, 0xdb, 0, 0, 0, 1, 68))}", "0"}, "*3\r\n$2\r\nAB\r\n$1\r\nC\r\n$1\r\nD\r\n", ""},
            {{"EVAL", "local a, b, c, d = cmsgpack.unpack(string.char(0xca, 0x3f, 0xc0, 0, 0, 0xc2, 0xc3, 0xc0)) return {tostring(a), tostring(b), tostring(c), tostring(d)}", "0"}, "*4\r\n$3\r\n1.5\r\n$5\r\nfalse\r\n$4\r\ntrue\r\n$3\r\nnil\r\n", ""},
            {{"EVAL", "return {cmsgpack.unpack(string.char(0xcc, 200, 0xcd, 1, 0, 0xce, 0, 1, 0, 0, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0))}", "0"}, "*4\r\n:200\r\n:256\r\n:65536\r\n:4294967296\r\n", ""},
            {{"EVAL", "local t = {} for i = 1, 70 do t[i] = i end local s = cmsgpack.pack(t) return {#s, s:byte(1), s:byte(2), s:byte(3)}", "0"}, "*4\r\n:73\r\n:220\r\n:0\r\n:70\r\n", ""},
            {{"EVAL", "local t = {} for i = 1, 20 do t['k'..i] = i end local s = cmsgpack.pack(t) return {#s, s:byte(1), s:byte(2), s:byte(3), redis.sha1hex(s)}", "0"}, "*5\r\n:94\r\n:222\r\n:0\r\n:20\r\n$40\r\n4360511b638e639f3fc8defe329cddd74afe25e1\r\n", ""},
            {{"EVAL", "return {#cmsgpack.pack(string.rep('x', 300)), #cmsgpack.pack(string.rep('x', 70000))}", "0"}, "*2\r\n:303\r\n:70005\r\n", ""},
            {{"EVAL", "local a, b = cmsgpack.unpack(cmsgpack.pack(string.rep('x', 300), string.rep('y', 70000))) return {#a, #b}", "0"}, "*2\r\n:300\r\n:70000\r\n", ""},
            {{"EVAL", "cmsgpack.pack = nil", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: 5042404704fad295e580fc47e5d8ea1e0f53184c, on @user_script:1.\r\n", ""},
            {{"EVAL", "return #{cmsgpack.unpack(string.rep(string.char(1), 500))}", "0"}, ":500\r\n", ""},
            {{"EVAL", "return cmsgpack.pack(1.5, 'a') == cmsgpack.pack(1.5) .. cmsgpack.pack('a')", "0"}, ":1\r\n", ""},
            {{"EVAL", "local t = cmsgpack.unpack(cmsgpack.pack({name='job', opts={attempts=3, delay=1.25, tags={'a','b'}}, ok=true})) return {t.name, t.opts.attempts, tostring(t.opts.delay), t.opts.tags[2], tostring(t.ok)}", "0"}, "*5\r\n$3\r\njob\r\n:3\r\n$4\r\n1.25\r\n$1\r\nb\r\n$4\r\ntrue\r\n", ""},
            {{"EVAL", "local function hx(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hx(struct.pack('>i4<h!4bI2Bxc3s', 1, -2, 3, 4, 5, 'abc', 'de'))", "0"}, "$36\r\n00000001feff030004000500616263646500\r\n", ""},
            {{"EVAL", "return {struct.unpack('>i4<h', struct.pack('>i4<h', 70000, -5))}", "0"}, "*3\r\n:70000\r\n:-5\r\n:7\r\n", ""},
            {{"EVAL", "return {struct.size('>i4<h!4bI2Bx'), struct.size('!8bd'), struct.size('q'), struct.size('i3i3!2hI5')}", "0"}, "*4\r\n:12\r\n:16\r\n:0\r\n:13\r\n", ""},
            {{"EVAL", "return struct.size('s')", "0"}, "-ERR user_script:1: bad argument #1 to 'size' (option 's' has no fixed size) script: a2a0525826ab7939ccd3f54427a862205642f28f, on @user_script:1.\r\n", ""},
            {{"EVAL", "return struct.size('c0')", "0"}, "-ERR user_script:1: bad argument #1 to 'size' (option 'c0' has no fixed size) script: 18f217e7d560de92703dc71e9797e043b536e0e6, on @user_script:1.\r\n", ""},
            {{"EVAL", "return struct.size('!3i')", "0"}, "-ERR user_script:1: alignment 3 is not a power of 2 script: b1583c7f709f67f1aa7dc010fe0dd75af90e94d5, on @user_script:1.\r\n", ""},
            {{"EVAL", "return struct.size('\077')", "0"}, "-ERR user_script:1: bad argument #1 to 'size' (invalid format option '\077') script: 7bbb71570e714600c71d9cc568bccd7730051b1f, on @user_script:1.\r\n", ""},
            {{"EVAL", "return struct.pack('q', 1)", "0"}, "-ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'q') script: 49599a2466f241bd45a2bd4f631df3a1a1ec9790, on @user_script:1.\r\n", ""},
            {{"EVAL", "local function hx(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return {hx(struct.pack('i3', 1)), hx(struct.pack('>i5', -2)), hx(struct.pack('<I16', 1)), hx(struct.pack('>i16', -1))}", "0"}, "*4\r\n$6\r\n010000\r\n$10\r\nfffffffffe\r\n$32\r\n01000000000000000000000000000000\r\n$32\r\n0000000000000000ffffffffffffffff\r\n", ""},
            {{"EVAL", "return struct.pack('i33', 1)", "0"}, "-ERR user_script:1: integral size 33 is larger than limit of 32 script: 0a76c071d82805e752befa6958961c98c39f358f, on @user_script:1.\r\n", ""},
            {{"EVAL", "return struct.pack('i99999999999999999999', 1)", "0"}, "-ERR user_script:1: integral size overflow script: 6886a3e89de9b6d91ac5a4662c73b1423c608539, on @user_script:1.\r\n", ""},
            {{"EVAL", "local function hx(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return hx(struct.pack('lLT', -1, 2, 3))", "0"}, "$48\r\nffffffffffffffff02000000000000000300000000000000\r\n", ""},
            {{"EVAL", "local function hx(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return {hx(struct.pack('fd', 1.5, 0.1)), hx(struct.pack('>fd', 1.5, 0.1))}", "0"}, "-ERR Error compiling script (new function): user_script:1: 'end' expected near '<eof>'\r\n", ""},
            {{"EVAL", "return {struct.unpack('c0', struct.pack('Bc0', 3, 'xyz'))}", "0"}, "-ERR user_script:1: format 'c0' needs a previous size script: b5ce1a20210d86643e3755e4f1422ba413dfb404, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {struct.unpack('Bc0', struct.pack('Bc0', 3, 'xyz'))}", "0"}, "*2\r\n$3\r\nxyz\r\n:5\r\n", ""},
            {{"EVAL", "return {struct.unpack('c0', 'abc')}", "0"}, "-ERR user_script:1: format 'c0' needs a previous size script: b3fd8e7c8bb6ee20854fafea5b84014791ec5cf5, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {struct.unpack('Bc0', string.char(9) .. 'ab')}", "0"}, "-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: efe91d2ecfe331fa8f096dc929449301d2d3c145, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {struct.unpack('i4', 'ab')}", "0"}, "-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: e832f7c3fc000e6b6fb78216f07a280057a1db3d, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {struct.unpack('s', 'abc')}", "0"}, "-ERR user_script:1: unfinished string in data script: 492b42cd22537e0bb82c111843dde3f2c69bafe9, on @user_script:1.\r\n", ""},
            {{"EVAL", std::string("return {struct.unpack('ss', 'ab\000cd\000')}", 38), "0"}, "*3\r\n$2\r\nab\r\n$2\r\ncd\r\n:7\r\n", ""},
            {{"EVAL", "return {struct.unpack('b', 'abc', 2)}", "0"}, "*2\r\n:98\r\n:3\r\n", ""},
            {{"EVAL", "return {struct.unpack('b', 'abc', 5)}", "0"}, "-ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: cbdd00cc740555196c9857cff9a5f1434cefd466, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {struct.unpack('b', 'abc', 0)}", "0"}, "-ERR user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater) script: 79de5b09e3b045084f761eb72f7ae8f435666337, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {struct.unpack('!4bi4', string.rep('a', 8))}", "0"}, "*3\r\n:97\r\n:1633771873\r\n:9\r\n", ""},
            {{"EVAL", "local a, b, c = struct.unpack('<fd', struct.pack('<fd', 1.5, 0.1)) return {tostring(a), tostring(b), c}", "0"}, "*3\r\n$3\r\n1.5\r\n$3\r\n0.1\r\n:13\r\n", ""},
            {{"EVAL", "local a, b = struct.unpack('>fd', struct.pack('>fd', -2.25, 1e300)) return {tostring(a), tostring(b)}", "0"}, "*2\r\n$5\r\n-2.25\r\n$6\r\n1e+300\r\n", ""},
            {{"EVAL", "return struct.pack('c5', 'ab')", "0"}, "-ERR user_script:1: bad argument #3 to 'pack' (string too short) script: cec53901ab5000b5eccda51f64e59e716bdfd4ba, on @user_script:1.\r\n", ""},
            {{"EVAL", "return struct.pack('!3i4', 1)", "0"}, "-ERR user_script:1: alignment 3 is not a power of 2 script: 9f2a683d1c7f45e5d216c20c66cdb7a05c05ff97, on @user_script:1.\r\n", ""},
            {{"EVAL", "return struct.pack('i4')", "0"}, "-ERR user_script:1: bad argument #2 to 'pack' (number expected, got nil) script: 0e677870cd9bdd9dd159304b2e2438cd2dcb2e54, on @user_script:1.\r\n", ""},
            {{"EVAL", "return struct.pack()", "0"}, "-ERR user_script:1: bad argument #1 to 'pack' (string expected, got no value) script: c9b8aed4f0633591e6252db264bf8b86b82828d5, on @user_script:1.\r\n", ""},
            {{"EVAL", "return struct.pack('i4', 'x')", "0"}, "-ERR user_script:1: bad argument #2 to 'pack' (number expected, got string) script: c4c4ce0b33a28907a0846a454ef2580c5ab950da, on @user_script:1.\r\n", ""},
            {{"EVAL", "return tostring(struct._VERSION)", "0"}, "$3\r\nnil\r\n", ""},
            {{"EVAL", "local function hx(s) local t = {} for i = 1, #s do t[#t+1] = string.format('%02x', s:byte(i)) end return table.concat(t) end return {hx(struct.pack('>I8', 2^63)), hx(struct.pack('>i8', -2^63)), hx(struct.pack('>I8', 2^64)), hx(struct.pack('>i8', -2^64))}", "0"}, "*4\r\n$16\r\n8000000000000000\r\n$16\r\n8000000000000000\r\n$16\r\n0000000000000000\r\n$16\r\n8000000000000000\r\n", ""},
            {{"EVAL", "return {tostring(struct.unpack('>I8', struct.pack('>I8', 2^63))), tostring(struct.unpack('>i16', string.rep(string.char(255), 16))), tostring(struct.unpack('<i3', string.char(255, 255, 128)))}", "0"}, "*3\r\n$19\r\n9.2233720368548e+18\r\n$2\r\n-1\r\n$8\r\n-8323073\r\n", ""},
            {{"EVAL", "return {struct.unpack('<h>H', string.char(255, 255, 255, 254))}", "0"}, "*3\r\n:-1\r\n:65534\r\n:5\r\n", ""},
            {{"EVAL", "return {struct.unpack(' x x b', 'abc')}", "0"}, "*2\r\n:99\r\n:4\r\n", ""},
            {{"EVAL", "struct.pack = nil", "0"}, "-ERR user_script:1: Attempt to modify a readonly table script: 9bdaa291383c17ba0baeb5a45005e3962367fc01, on @user_script:1.\r\n", ""},
            {{"EVAL", "return {struct.unpack('c2c0', 'abcd')}", "0"}, "-ERR user_script:1: format 'c0' needs a previous size script: d4d4090739d30aed07c1447005faa63d14be75fc, on @user_script:1.\r\n", ""},
    };
    return rows;
}

/// Waits until a script runs on another thread.
void wait_for_script(test::Engine& e) {
    while (!e.script_run().running.load(std::memory_order_acquire)) std::this_thread::yield();
}

}  // namespace

TEST_SUITE("resp_scripting") {
    TEST_CASE("EVAL, EVALSHA and SCRIPT reply as redis-server 7.0.15 does, in RESP2 and RESP3") {
        test::replay(scripting_recorded(), &enable);
    }

    TEST_CASE("the cjson, bit, cmsgpack and struct libraries answer as redis-server 7.0.15's, in RESP2 and RESP3") {
        test::replay(libraries_recorded(), &enable);
    }

    TEST_CASE("cjson.decode and cmsgpack.unpack of random bytes: a value or an error, never a crash") {
        ScriptServer srv;
        auto s = srv.connect();
        std::mt19937 rng(11);
        const char* const json_tokens[] = {"{", "}", "[", "]", ",", ":", "\"a\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"",
                                           "\"\\ud83d\"", "\"\\q\"", "1", "-2.5e3", "true", "null", "nan", "0x1f",
                                           "\"x", "\\", "1e999", "-", " "};
        const unsigned char pack_bytes[] = {0x90, 0x91, 0x92, 0x81, 0x82, 0xa1, 0xa3, 0xc0, 0xc2, 0xca, 0xcb, 0xcc,
                                            0xcd, 0xd0, 0xd9, 0xda, 0xdc, 0xde, 0xdf, 0xcf, 0xd3, 0x01, 0x00};
        int values = 0, errors = 0;
        for (int i = 0; i < 2000; ++i) {
            std::string input;
            const bool json = i % 2 == 0;
            for (int n = static_cast<int>(rng() % 12); n > 0; --n) {
                if (json) input += json_tokens[rng() % std::size(json_tokens)];
                else input += static_cast<char>(rng() % 3 ? pack_bytes[rng() % std::size(pack_bytes)] : rng() % 256);
            }
            const std::string reply = test::callv(
                *s, {"EVAL", json ? "return {pcall(cjson.decode, ARGV[1])}" : "return {pcall(cmsgpack.unpack, ARGV[1])}", "0", input});
            REQUIRE(test::one_frame(reply));
            // {false, message} arrives as [nil, message]; {true, values...} as [1, ...].
            const std::string_view first = std::string_view(reply).substr(reply.find("\r\n") + 2);
            if (reply.starts_with("*2\r\n") && first.starts_with("$-1\r\n$")) ++errors;
            else if (first.starts_with(":1\r\n")) ++values;
            else FAIL("neither a value nor an error: " << reply);
        }
        CHECK(values > 100);  // both outcomes are exercised
        CHECK(errors > 100);
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");
    }

    TEST_CASE("a script sees its keys as at its start: none expires while it runs") {
        // redis-server 7.0.15, with a busy loop of 60 ms for the clock's move: EXISTS 1,
        // PTTL 0, GET "v" inside the script; the key gone after it.
        ScriptServer srv;
        test::add_clock_advance(srv.engine);
        auto s = srv.connect();
        CHECK(call(*s, {"SET", "old", "v", "PX", "10"}) == "+OK\r\n");
        CHECK(call(*s, {"EVAL",
                        "redis.call('SET', KEYS[1], 'v', 'PX', 10) redis.call('TEST.ADVANCE', 60) "
                        "return {redis.call('EXISTS', KEYS[1]), redis.call('PTTL', KEYS[1]), "
                        "redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}",
                        "2", "k", "old"}) == "*4\r\n:1\r\n:0\r\n$1\r\nv\r\n$1\r\nv\r\n");
        CHECK(call(*s, {"EXISTS", "k", "old"}) == ":0\r\n");
    }

    TEST_CASE("without enable_scripting the commands are unknown; with it COMMAND lists them") {
        test::Server plain;
        auto p = plain.connect();
        CHECK(call(*p, {"EVAL", "return 1", "0"}).starts_with("-ERR unknown command 'EVAL'"));
        ScriptServer srv;
        auto s = srv.connect();
        // As redis-server 7.0.15 answers (recorded), with its keynum key specification.
        CHECK(call(*s, {"COMMAND", "INFO", "EVAL_RO"}) ==
              "*1\r\n*10\r\n$7\r\neval_ro\r\n:-3\r\n*6\r\n+readonly\r\n+noscript\r\n"
              "+stale\r\n+skip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n"
              "*2\r\n+@slow\r\n+@scripting\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$78\r\nWe cannot "
              "tell how the keys will be used so we assume the worst, RO and ACCESS\r\n$5\r\nflags\r\n"
              "*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n"
              "$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n"
              "$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n"
              ":1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n");
        CHECK(call(*s, {"SCRIPT", "DEBUG", "NO"}) == "+OK\r\n");
        CHECK(call(*s, {"SCRIPT", "DEBUG", "YES"}) ==
              "-ERR cachet-server does not implement the Lua debugger (SCRIPT DEBUG)\r\n");
        CHECK(call(*s, {"SCRIPT", "DEBUG", "MAYBE"}) == "-ERR Use SCRIPT DEBUG YES/SYNC/NO\r\n");
        CHECK(call(*s, {"COMMAND", "GETKEYS", "EVALSHA", "x", "2", "a", "b", "c"}) ==
              "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    }

    TEST_CASE("INFO memory counts the cached scripts and the Lua state's memory") {
        const auto field = [](const std::string& info, const std::string& name) {
            const std::size_t at = info.find("\r\n" + name + ":");
            REQUIRE(at != std::string::npos);
            const std::size_t from = at + name.size() + 3;
            return std::stoull(info.substr(from, info.find("\r\n", from) - from));
        };
        test::Server plain;
        auto p = plain.connect();
        CHECK(field(call(*p, {"INFO", "memory"}), "number_of_cached_scripts") == 0);
        CHECK(field(call(*p, {"INFO", "memory"}), "used_memory_lua") == 0);
        ScriptServer srv;
        auto s = srv.connect();
        CHECK(field(call(*s, {"INFO", "memory"}), "used_memory_lua") > 10000);  // a fresh Lua state
        CHECK(call(*s, {"SCRIPT", "LOAD", "return 1"}).starts_with("$40\r\n"));
        CHECK(call(*s, {"EVAL", "return 2", "0"}) == ":2\r\n");
        CHECK(call(*s, {"EVAL", "return 2", "0"}) == ":2\r\n");  // cached once
        std::string info = call(*s, {"INFO", "memory"});
        CHECK(field(info, "number_of_cached_scripts") == 2);
        CHECK(field(info, "used_memory_scripts_eval") == 16);  // the two bodies' bytes
        CHECK(call(*s, {"SCRIPT", "FLUSH"}) == "+OK\r\n");
        info = call(*s, {"INFO", "memory"});
        CHECK(field(info, "number_of_cached_scripts") == 0);
        CHECK(field(info, "used_memory_scripts") == 0);
    }

    TEST_CASE("MONITOR shows a script before the commands it calls, which are the lua client's") {
        // As redis-server 7.0.15: the EVAL (even one that fails: NOSCRIPT) is shown before it
        // runs; what it calls is shown from "lua" in the script's database; SLOWLOG has them
        // as "?:0" with no name.
        ScriptServer srv;
        auto m = srv.connect();
        auto s = srv.connect();
        call(*s, {"CONFIG", "SET", "slowlog-log-slower-than", "0"});
        call(*s, {"CLIENT", "SETNAME", "app"});
        CHECK(call(*m, {"MONITOR"}) == "+OK\r\n");
        CHECK(call(*s, {"EVAL", "redis.call('set','x','1') return redis.pcall('get','x')", "0"}) == "$1\r\n1\r\n");
        CHECK(call(*s, {"EVALSHA", std::string(40, '0'), "0"}).starts_with("-NOSCRIPT"));
        std::vector<std::string> lines;
        const std::string got = test::async(*m);
        for (std::size_t at = 0; at < got.size();) {
            const std::size_t eol = got.find("\r\n", at);
            REQUIRE(eol != std::string::npos);
            const std::string line = got.substr(at, eol - at);
            lines.push_back(line.substr(line.find(' ') + 1));  // without the timestamp
            at = eol + 2;
        }
        REQUIRE(lines.size() == 4);
        CHECK(lines[0] == "[0 ] \"EVAL\" \"redis.call('set','x','1') return redis.pcall('get','x')\" \"0\"");
        CHECK(lines[1] == "[0 lua] \"set\" \"x\" \"1\"");
        CHECK(lines[2] == "[0 lua] \"get\" \"x\"");
        CHECK(lines[3] == "[0 ] \"EVALSHA\" \"" + std::string(40, '0') + "\" \"0\"");
        const std::string slow = call(*s, {"SLOWLOG", "GET", "10"});
        CHECK(slow.find("$3\r\nget\r\n$1\r\nx\r\n$3\r\n?:0\r\n$0\r\n\r\n") != std::string::npos);
    }

    TEST_CASE("a script's writes reach replicas wrapped in MULTI/EXEC, never the EVAL itself") {
        ScriptServer srv;
        auto r = srv.connect();
        CHECK(call(*r, {"REPLCONF", "capa", "psync2"}) == "+OK\r\n");
        REQUIRE(call(*r, {"PSYNC", "?", "-1"}).starts_with("+FULLRESYNC "));
        auto c = srv.connect();
        CHECK(call(*c, {"EVAL", "redis.call('set', KEYS[1], ARGV[1]); return redis.call('incr', 'n')",
                        "1", "k", "v"}) == ":1\r\n");
        CHECK(call(*c, {"EVAL", "return redis.call('get', 'k')", "0"}) == "$1\r\nv\r\n");  // a read
        CHECK(call(*c, {"EVAL", "return redis.pcall('incr', 'k')", "0"}).starts_with("-ERR value"));
        CHECK(call(*c, {"EVAL", "redis.call('select', '2'); return redis.call('del', 'x', 'k')", "0"}) ==
              ":0\r\n");  // in database 2; the caller stays in database 0
        CHECK(call(*c, {"SET", "after", "1"}) == "+OK\r\n");
        CHECK(test::async(*r) == encode({"SELECT", "0"}) + encode({"MULTI"}) + encode({"set", "k", "v"}) +
                                     encode({"incr", "n"}) + encode({"EXEC"}) + encode({"SELECT", "2"}) +
                                     encode({"MULTI"}) + encode({"del", "x", "k"}) + encode({"EXEC"}) +
                                     encode({"SELECT", "0"}) + encode({"SET", "after", "1"}));
    }

    TEST_CASE("a script is one transaction: WATCH sees its writes, MULTI queues it, events precede its reply") {
        ScriptServer srv;
        auto w = srv.connect();
        auto c = srv.connect();
        CHECK(call(*w, {"WATCH", "k"}) == "+OK\r\n");
        CHECK(call(*c, {"EVAL", "return redis.call('set', 'k', '1')", "0"}) == "+OK\r\n");
        CHECK(call(*w, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*w, {"EVAL", "return redis.call('incr', 'k')", "0"}) == "+QUEUED\r\n");
        CHECK(call(*w, {"EXEC"}) == "*-1\r\n");  // k changed by the script: aborted
        CHECK(call(*w, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*w, {"EVAL", "return redis.call('incr', 'k')", "0"}) == "+QUEUED\r\n");
        CHECK(call(*w, {"EVAL", "return {redis.call('incr', 'k'), redis.call('get', 'k')}", "0"}) ==
              "+QUEUED\r\n");
        CHECK(call(*w, {"EXEC"}) == "*2\r\n:2\r\n*2\r\n:3\r\n$1\r\n3\r\n");
        // Keyspace events a script causes reach its own RESP3 connection before its reply.
        CHECK(call(*c, {"HELLO", "3"}).starts_with("%"));
        CHECK(call(*c, {"CONFIG", "SET", "notify-keyspace-events", "KA"}) == "+OK\r\n");
        CHECK(call(*c, {"SUBSCRIBE", "__keyspace@0__:k"}).starts_with(">3\r\n"));
        CHECK(call(*c, {"EVAL", "redis.call('set', 'k', 'x'); return 7", "0"}) ==
              ">3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n:7\r\n");
    }

    TEST_CASE("bad scripts get errors and leave the server serving") {
        ScriptServer srv;
        auto c = srv.connect();
        // A table that contains itself: nested arrays down to Lua's stack limit, then an error.
        const std::string deep = call(*c, {"EVAL", "local t = {}; t[1] = t; return t", "0"});
        CHECK(deep.starts_with("*1\r\n*1\r\n*1\r\n"));
        CHECK(deep.ends_with("-ERR reached lua stack limit\r\n"));
        CHECK(call(*c, {"EVAL", "error({})", "0"}) ==  // redis-server 7.0.15 crashes here
              "-ERR unknown error script: 367bf7fe449ba40e54d99d9086aa3c2164008136, on @user_script:1.\r\n");
        CHECK(call(*c, {"EVAL", "return redis.call('eval', 'return 1', '0')", "0"}).starts_with(
            "-ERR This Redis command is not allowed from script"));
        CHECK(call(*c, {"EVAL", "local s = string.rep('x', 1000000); return #s", "0"}) == ":1000000\r\n");
        CHECK(call(*c, {"EVAL", "return loadstring('redis = nil')()", "0"}).starts_with(
            "-ERR [string \"redis = nil\"]:1: Attempt to modify a readonly table"));
        CHECK(call(*c, {"EVAL", "return redis.call('ping')", "0"}) == "+PONG\r\n");
        CHECK(call(*c, {"PING"}) == "+PONG\r\n");
    }

    TEST_CASE("a long script: others get BUSY after busy-reply-threshold; SCRIPT KILL stops it unless it wrote") {
        ScriptServer srv;
        auto a = srv.connect();
        auto b = srv.connect();
        CHECK(call(*b, {"CONFIG", "SET", "busy-reply-threshold", "0"}) == "+OK\r\n");
        CHECK(call(*b, {"SCRIPT", "KILL"}) == "-NOTBUSY No scripts in execution right now.\r\n");
        std::string reply;
        std::thread runner([&] { reply = call(*a, {"EVAL", "while true do end", "0"}); });
        wait_for_script(srv.engine);
        CHECK(call(*b, {"GET", "x"}) ==
              "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n");
        CHECK(call(*b, {"SCRIPT", "KILL"}) == "+OK\r\n");
        runner.join();
        CHECK(reply == "-ERR Script killed by user with SCRIPT KILL... script: 694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.\r\n");
        CHECK(call(*b, {"GET", "x"}) == "$-1\r\n");

        // One that wrote cannot be killed; SHUTDOWN stops it (here without a server to stop).
        std::thread writer([&] {
            reply = call(*a, {"EVAL", "redis.call('set', 'w', '1'); while true do end", "0"});
        });
        wait_for_script(srv.engine);
        while (!srv.engine.script_run().wrote.load(std::memory_order_relaxed)) std::this_thread::yield();
        CHECK(call(*b, {"SCRIPT", "KILL"}).starts_with("-UNKILLABLE Sorry the script already executed write"));
        // Only SHUTDOWN NOSAVE may stop a script that wrote; other SHUTDOWNs are BUSY and leave
        // it running (Redis's shutdownCommand). The transaction commands, AUTH and HELLO run
        // (CMD_ALLOW_BUSY); a command queued meanwhile is BUSY and EXEC discards the transaction.
        const std::string busy = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
        CHECK(call(*b, {"SHUTDOWN"}) == busy);
        CHECK(call(*b, {"SHUTDOWN", "SAVE", "NOSAVE"}) == busy);
        CHECK(srv.engine.script_run().running.load());
        CHECK(call(*b, {"HELLO", "2"}).starts_with("*14\r\n"));
        CHECK(call(*b, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*b, {"SET", "m", "1"}) == busy);
        CHECK(call(*b, {"EXEC"}) == "-EXECABORT Transaction discarded because of: " + busy.substr(1));
        CHECK(call(*b, {"SET", "m", "1"}) == busy);  // no transaction left open
        CHECK(call(*b, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*b, {"DISCARD"}) == "+OK\r\n");
        CHECK(call(*b, {"UNWATCH"}) == "+OK\r\n");
        CHECK(call(*b, {"SHUTDOWN", "NOSAVE"}) == "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
        writer.join();
        CHECK(reply == "-ERR Script killed by user with SCRIPT KILL... script: 1115497a1d853f602b6dd35183b567060b627fd8, on @user_script:1.\r\n");
        CHECK(call(*b, {"GET", "w"}) == "$1\r\n1\r\n");  // what it wrote stays, as in Redis
    }
}

}  // namespace resp_scripting_test
#endif  // CACHET_HAVE_LUA
