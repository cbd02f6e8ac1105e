// The list commands over RESP: exact reply bytes for every command in RESP2 and RESP3 (the
// table below was recorded from redis-server 7.0.15), and the blocking commands (BLPOP, BRPOP,
// BLMOVE, BRPOPLPUSH, BLMPOP): served by other sessions and by the embedding program's
// threads, FIFO per key, timeouts, close while blocked, MULTI, and a stress test in which every
// element pushed is popped exactly once.
#include "support/resp_session.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace resp_list_test {

using namespace std::chrono_literals;
using test::call;
using test::callv;
using test::replay;
using test::Row;

namespace {

// Recorded from redis-server 7.0.15 (one connection per protocol, from an empty database).
const std::vector<Row>& recorded() {
    static const std::vector<Row> rows = {
            {{"SET", "s", "x"}, "+OK\r\n", ""},
            {{"LPUSH", "l", "a", "b", "c"}, ":3\r\n", ""},
            {{"RPUSH", "l", "d", "e"}, ":5\r\n", ""},
            {{"LPUSH", "s", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"RPUSH", "s", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LPUSHX", "nokey", "a"}, ":0\r\n", ""},
            {{"RPUSHX", "nokey", "a", "b"}, ":0\r\n", ""},
            {{"EXISTS", "nokey"}, ":0\r\n", ""},
            {{"LPUSHX", "l", "x", "y"}, ":7\r\n", ""},
            {{"RPUSHX", "l", "z"}, ":8\r\n", ""},
            {{"RPUSHX", "s", "z"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LPUSHX", "s", "z"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LLEN", "l"}, ":8\r\n", ""},
            {{"LLEN", "nokey"}, ":0\r\n", ""},
            {{"LLEN", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LRANGE", "l", "0", "-1"}, "*8\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nz\r\n", ""},
            {{"LRANGE", "l", "-100", "100"}, "*8\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nz\r\n", ""},
            {{"LRANGE", "l", "5", "2"}, "*0\r\n", ""},
            {{"LRANGE", "l", "-2", "-1"}, "*2\r\n$1\r\ne\r\n$1\r\nz\r\n", ""},
            {{"LRANGE", "l", "1", "1"}, "*1\r\n$1\r\nx\r\n", ""},
            {{"LRANGE", "l", "9", "100"}, "*0\r\n", ""},
            {{"LRANGE", "l", "9223372036854775807", "-9223372036854775808"}, "*0\r\n", ""},
            {{"LRANGE", "l", "-9223372036854775808", "9223372036854775807"}, "*8\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nz\r\n", ""},
            {{"LRANGE", "l", "x", "1"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LRANGE", "l", "1", "x"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LRANGE", "l", "1.5", "2"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LRANGE", "nokey", "0", "-1"}, "*0\r\n", ""},
            {{"LRANGE", "s", "0", "-1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LRANGE", "s", "x", "1"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LRANGE", "nokey", "x", "1"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LINDEX", "l", "0"}, "$1\r\ny\r\n", ""},
            {{"LINDEX", "l", "-1"}, "$1\r\nz\r\n", ""},
            {{"LINDEX", "l", "9"}, "$-1\r\n", "_\r\n"},
            {{"LINDEX", "l", "-10"}, "$-1\r\n", "_\r\n"},
            {{"LINDEX", "l", "100"}, "$-1\r\n", "_\r\n"},
            {{"LINDEX", "l", "-100"}, "$-1\r\n", "_\r\n"},
            {{"LINDEX", "l", "x"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LINDEX", "nokey", "x"}, "$-1\r\n", "_\r\n"},
            {{"LINDEX", "nokey", "0"}, "$-1\r\n", "_\r\n"},
            {{"LINDEX", "s", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LINDEX", "s", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LSET", "l", "0", "A"}, "+OK\r\n", ""},
            {{"LSET", "l", "-1", "Z"}, "+OK\r\n", ""},
            {{"LSET", "l", "9", "Q"}, "-ERR index out of range\r\n", ""},
            {{"LSET", "l", "-10", "Q"}, "-ERR index out of range\r\n", ""},
            {{"LSET", "l", "x", "Q"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LSET", "nokey", "x", "Q"}, "-ERR no such key\r\n", ""},
            {{"LSET", "nokey", "0", "Q"}, "-ERR no such key\r\n", ""},
            {{"LSET", "s", "x", "Q"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LSET", "s", "0", "Q"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LRANGE", "l", "0", "-1"}, "*8\r\n$1\r\nA\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nZ\r\n", ""},
            {{"LINSERT", "l", "BEFORE", "A", "pre"}, ":9\r\n", ""},
            {{"LINSERT", "l", "after", "Z", "post"}, ":10\r\n", ""},
            {{"LINSERT", "l", "AFTER", "nothere", "v"}, ":-1\r\n", ""},
            {{"LINSERT", "l", "middle", "A", "v"}, "-ERR syntax error\r\n", ""},
            {{"LINSERT", "nokey", "BEFORE", "A", "v"}, ":0\r\n", ""},
            {{"LINSERT", "s", "BEFORE", "A", "v"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LINSERT", "s", "foo", "A", "v"}, "-ERR syntax error\r\n", ""},
            {{"LRANGE", "l", "0", "-1"}, "*10\r\n$3\r\npre\r\n$1\r\nA\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nZ\r\n$4\r\npost\r\n", ""},
            {{"LPOP", "l"}, "$3\r\npre\r\n", ""},
            {{"RPOP", "l"}, "$4\r\npost\r\n", ""},
            {{"LPOP", "l", "2"}, "*2\r\n$1\r\nA\r\n$1\r\nx\r\n", ""},
            {{"RPOP", "l", "2"}, "*2\r\n$1\r\nZ\r\n$1\r\ne\r\n", ""},
            {{"LPOP", "l", "0"}, "*0\r\n", ""},
            {{"LPOP", "l", "-1"}, "-ERR value is out of range, must be positive\r\n", ""},
            {{"LPOP", "l", "x"}, "-ERR value is out of range, must be positive\r\n", ""},
            {{"LPOP", "nokey"}, "$-1\r\n", "_\r\n"},
            {{"LPOP", "nokey", "0"}, "*-1\r\n", "_\r\n"},
            {{"LPOP", "nokey", "2"}, "*-1\r\n", "_\r\n"},
            {{"LPOP", "nokey", "-1"}, "-ERR value is out of range, must be positive\r\n", ""},
            {{"RPOP", "nokey"}, "$-1\r\n", "_\r\n"},
            {{"RPOP", "nokey", "1"}, "*-1\r\n", "_\r\n"},
            {{"LPOP", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LPOP", "s", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LPOP", "s", "-1"}, "-ERR value is out of range, must be positive\r\n", ""},
            {{"RPOP", "s", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"RPOP", "l", "100"}, "*4\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", ""},
            {{"EXISTS", "l"}, ":0\r\n", ""},
            {{"RPUSH", "one", "only"}, ":1\r\n", ""},
            {{"LPOP", "one", "5"}, "*1\r\n$4\r\nonly\r\n", ""},
            {{"EXISTS", "one"}, ":0\r\n", ""},
            {{"RPUSH", "one", "only"}, ":1\r\n", ""},
            {{"RPOP", "one"}, "$4\r\nonly\r\n", ""},
            {{"EXISTS", "one"}, ":0\r\n", ""},
            {{"RPUSH", "r", "a", "b", "a", "c", "a", "b", "a"}, ":7\r\n", ""},
            {{"LREM", "r", "2", "a"}, ":2\r\n", ""},
            {{"LRANGE", "r", "0", "-1"}, "*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n", ""},
            {{"LREM", "r", "-1", "a"}, ":1\r\n", ""},
            {{"LRANGE", "r", "0", "-1"}, "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n", ""},
            {{"LREM", "r", "0", "b"}, ":2\r\n", ""},
            {{"LRANGE", "r", "0", "-1"}, "*2\r\n$1\r\nc\r\n$1\r\na\r\n", ""},
            {{"LREM", "r", "1", "zz"}, ":0\r\n", ""},
            {{"LREM", "r", "x", "a"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LREM", "nokey", "1", "a"}, ":0\r\n", ""},
            {{"LREM", "s", "1", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LREM", "s", "x", "a"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LREM", "r", "0", "a"}, ":1\r\n", ""},
            {{"LREM", "r", "0", "c"}, ":1\r\n", ""},
            {{"EXISTS", "r"}, ":0\r\n", ""},
            {{"RPUSH", "t", "1", "2", "3", "4", "5", "6"}, ":6\r\n", ""},
            {{"LTRIM", "t", "1", "-2"}, "+OK\r\n", ""},
            {{"LRANGE", "t", "0", "-1"}, "*4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", ""},
            {{"LTRIM", "t", "0", "100"}, "+OK\r\n", ""},
            {{"LRANGE", "t", "0", "-1"}, "*4\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", ""},
            {{"LTRIM", "t", "-1000", "-3"}, "+OK\r\n", ""},
            {{"LRANGE", "t", "0", "-1"}, "*2\r\n$1\r\n2\r\n$1\r\n3\r\n", ""},
            {{"LTRIM", "t", "10", "20"}, "+OK\r\n", ""},
            {{"EXISTS", "t"}, ":0\r\n", ""},
            {{"LTRIM", "nokey", "0", "1"}, "+OK\r\n", ""},
            {{"LTRIM", "s", "0", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LTRIM", "s", "x", "1"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LTRIM", "nokey", "x", "1"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"RPUSH", "t2", "a", "b"}, ":2\r\n", ""},
            {{"LTRIM", "t2", "1", "0"}, "+OK\r\n", ""},
            {{"EXISTS", "t2"}, ":0\r\n", ""},
            {{"RPUSH", "p", "a", "b", "c", "a", "b", "c", "a", "b", "c"}, ":9\r\n", ""},
            {{"LPOS", "p", "a"}, ":0\r\n", ""},
            {{"LPOS", "p", "c"}, ":2\r\n", ""},
            {{"LPOS", "p", "z"}, "$-1\r\n", "_\r\n"},
            {{"LPOS", "p", "a", "RANK", "2"}, ":3\r\n", ""},
            {{"LPOS", "p", "a", "RANK", "-1"}, ":6\r\n", ""},
            {{"LPOS", "p", "a", "RANK", "-2"}, ":3\r\n", ""},
            {{"LPOS", "p", "a", "RANK", "10"}, "$-1\r\n", "_\r\n"},
            {{"LPOS", "p", "a", "RANK", "0"}, "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n", ""},
            {{"LPOS", "p", "a", "RANK", "x"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"LPOS", "p", "a", "RANK", "-9223372036854775808"}, ":6\r\n", ""},
            {{"LPOS", "p", "a", "RANK", "-9223372036854775808", "COUNT", "2"}, "*3\r\n:6\r\n:3\r\n:0\r\n", ""},
            {{"LPOS", "p", "a", "RANK", "-9223372036854775808", "MAXLEN", "1"}, "$-1\r\n", "_\r\n"},
            {{"LPOS", "p", "a", "RANK", "9223372036854775807"}, "$-1\r\n", "_\r\n"},
            {{"LPOS", "p", "a", "COUNT", "0"}, "*3\r\n:0\r\n:3\r\n:6\r\n", ""},
            {{"LPOS", "p", "a", "COUNT", "2"}, "*2\r\n:0\r\n:3\r\n", ""},
            {{"LPOS", "p", "a", "COUNT", "2", "RANK", "-1"}, "*2\r\n:6\r\n:3\r\n", ""},
            {{"LPOS", "p", "a", "COUNT", "2", "RANK", "3"}, "*1\r\n:6\r\n", ""},
            {{"LPOS", "p", "a", "COUNT", "-1"}, "-ERR COUNT can't be negative\r\n", ""},
            {{"LPOS", "p", "a", "COUNT", "x"}, "-ERR COUNT can't be negative\r\n", ""},
            {{"LPOS", "p", "a", "MAXLEN", "3"}, ":0\r\n", ""},
            {{"LPOS", "p", "a", "MAXLEN", "3", "COUNT", "0"}, "*1\r\n:0\r\n", ""},
            {{"LPOS", "p", "c", "MAXLEN", "2"}, "$-1\r\n", "_\r\n"},
            {{"LPOS", "p", "a", "MAXLEN", "-1"}, "-ERR MAXLEN can't be negative\r\n", ""},
            {{"LPOS", "p", "a", "MAXLEN", "x"}, "-ERR MAXLEN can't be negative\r\n", ""},
            {{"LPOS", "p", "a", "MAXLEN", "0", "COUNT", "0"}, "*3\r\n:0\r\n:3\r\n:6\r\n", ""},
            {{"LPOS", "p", "a", "FOO"}, "-ERR syntax error\r\n", ""},
            {{"LPOS", "p", "a", "RANK"}, "-ERR syntax error\r\n", ""},
            {{"LPOS", "p", "a", "COUNT"}, "-ERR syntax error\r\n", ""},
            {{"LPOS", "p", "z", "COUNT", "1"}, "*0\r\n", ""},
            {{"LPOS", "nokey", "a"}, "$-1\r\n", "_\r\n"},
            {{"LPOS", "nokey", "a", "COUNT", "1"}, "*0\r\n", ""},
            {{"LPOS", "s", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LPOS", "s", "a", "COUNT", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LPOS", "s", "a", "RANK", "0"}, "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n", ""},
            {{"LPOS", "nokey", "a", "RANK", "0"}, "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n", ""},
            {{"LPOS", "p", "a", "RANK", "1", "RANK", "-1"}, ":6\r\n", ""},
            {{"LPOS", "p", "a", "COUNT", "1", "COUNT", "0"}, "*3\r\n:0\r\n:3\r\n:6\r\n", ""},
            {{"LPOS", "p", "c", "RANK", "-1", "MAXLEN", "2", "COUNT", "0"}, "*1\r\n:8\r\n", ""},
            {{"LPOS", "p", "a", "RANK", "2", "COUNT", "0", "MAXLEN", "5"}, "*1\r\n:3\r\n", ""},
            {{"LPOS", "p", "a", "rank", "-2", "count", "2", "maxlen", "9"}, "*2\r\n:3\r\n:0\r\n", ""},
            {{"RPUSH", "m", "a", "b", "c"}, ":3\r\n", ""},
            {{"LMOVE", "m", "m2", "LEFT", "RIGHT"}, "$1\r\na\r\n", ""},
            {{"LMOVE", "m", "m2", "right", "left"}, "$1\r\nc\r\n", ""},
            {{"LMOVE", "m", "m", "LEFT", "RIGHT"}, "$1\r\nb\r\n", ""},
            {{"LRANGE", "m", "0", "-1"}, "*1\r\n$1\r\nb\r\n", ""},
            {{"LMOVE", "m", "m", "RIGHT", "LEFT"}, "$1\r\nb\r\n", ""},
            {{"LRANGE", "m", "0", "-1"}, "*1\r\n$1\r\nb\r\n", ""},
            {{"LMOVE", "m", "s", "LEFT", "RIGHT"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LMOVE", "s", "m", "LEFT", "RIGHT"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LMOVE", "nokey", "s", "LEFT", "RIGHT"}, "$-1\r\n", "_\r\n"},
            {{"LMOVE", "nokey", "m", "LEFT", "RIGHT"}, "$-1\r\n", "_\r\n"},
            {{"LMOVE", "m", "m2", "UP", "LEFT"}, "-ERR syntax error\r\n", ""},
            {{"LMOVE", "m", "m2", "LEFT", "UP"}, "-ERR syntax error\r\n", ""},
            {{"LMOVE", "nokey", "m2", "UP", "LEFT"}, "-ERR syntax error\r\n", ""},
            {{"LRANGE", "m", "0", "-1"}, "*1\r\n$1\r\nb\r\n", ""},
            {{"LMOVE", "m", "m2", "LEFT", "RIGHT"}, "$1\r\nb\r\n", ""},
            {{"LMOVE", "m", "m2", "LEFT", "RIGHT"}, "$-1\r\n", "_\r\n"},
            {{"EXISTS", "m"}, ":0\r\n", ""},
            {{"LRANGE", "m2", "0", "-1"}, "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n", ""},
            {{"RPOPLPUSH", "m2", "m3"}, "$1\r\nb\r\n", ""},
            {{"RPOPLPUSH", "nokey", "m3"}, "$-1\r\n", "_\r\n"},
            {{"RPOPLPUSH", "m2", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"RPOPLPUSH", "s", "m3"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"RPOPLPUSH", "nokey", "s"}, "$-1\r\n", "_\r\n"},
            {{"RPOPLPUSH", "m2", "m2"}, "$1\r\na\r\n", ""},
            {{"LRANGE", "m2", "0", "-1"}, "*2\r\n$1\r\na\r\n$1\r\nc\r\n", ""},
            {{"LRANGE", "m3", "0", "-1"}, "*1\r\n$1\r\nb\r\n", ""},
            {{"RPUSH", "x1", "1", "2", "3", "4", "5"}, ":5\r\n", ""},
            {{"LMPOP", "2", "nokey", "x1", "LEFT"}, "*2\r\n$2\r\nx1\r\n*1\r\n$1\r\n1\r\n", ""},
            {{"LMPOP", "2", "nokey", "x1", "RIGHT", "COUNT", "2"}, "*2\r\n$2\r\nx1\r\n*2\r\n$1\r\n5\r\n$1\r\n4\r\n", ""},
            {{"LMPOP", "1", "x1", "LEFT", "COUNT", "10"}, "*2\r\n$2\r\nx1\r\n*2\r\n$1\r\n2\r\n$1\r\n3\r\n", ""},
            {{"LMPOP", "1", "x1", "LEFT", "COUNT", "10"}, "*-1\r\n", "_\r\n"},
            {{"EXISTS", "x1"}, ":0\r\n", ""},
            {{"LMPOP", "2", "nokey", "s", "LEFT"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LMPOP", "0", "x1", "LEFT"}, "-ERR numkeys should be greater than 0\r\n", ""},
            {{"LMPOP", "-5", "x1", "LEFT"}, "-ERR numkeys should be greater than 0\r\n", ""},
            {{"LMPOP", "x", "x1", "LEFT"}, "-ERR numkeys should be greater than 0\r\n", ""},
            {{"LMPOP", "3", "x1", "LEFT"}, "-ERR syntax error\r\n", ""},
            {{"LMPOP", "9223372036854775807", "x1", "LEFT"}, "-ERR syntax error\r\n", ""},
            {{"LMPOP", "1", "x1", "LEFT", "COUNT", "0"}, "-ERR count should be greater than 0\r\n", ""},
            {{"LMPOP", "1", "x1", "LEFT", "COUNT", "-1"}, "-ERR count should be greater than 0\r\n", ""},
            {{"LMPOP", "1", "x1", "LEFT", "COUNT", "x"}, "-ERR count should be greater than 0\r\n", ""},
            {{"LMPOP", "1", "x1", "LEFT", "COUNT"}, "-ERR syntax error\r\n", ""},
            {{"LMPOP", "1", "x1", "MID"}, "-ERR syntax error\r\n", ""},
            {{"LMPOP", "1", "x1", "left", "count", "1", "count", "1"}, "-ERR syntax error\r\n", ""},
            {{"RPUSH", "x1", "1"}, ":1\r\n", ""},
            {{"LMPOP", "2", "x1", "s", "LEFT"}, "*2\r\n$2\r\nx1\r\n*1\r\n$1\r\n1\r\n", ""},
            {{"LMPOP", "2", "s", "x1", "LEFT"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LMPOP", "2", "x1", "x1", "right"}, "*-1\r\n", "_\r\n"},
            {{"LPUSH"}, "-ERR wrong number of arguments for 'lpush' command\r\n", ""},
            {{"LPUSH", "k"}, "-ERR wrong number of arguments for 'lpush' command\r\n", ""},
            {{"RPUSHX", "k"}, "-ERR wrong number of arguments for 'rpushx' command\r\n", ""},
            {{"LPOP"}, "-ERR wrong number of arguments for 'lpop' command\r\n", ""},
            {{"LPOP", "l", "1", "2"}, "-ERR wrong number of arguments for 'lpop' command\r\n", ""},
            {{"RPOP", "l", "1", "2"}, "-ERR wrong number of arguments for 'rpop' command\r\n", ""},
            {{"LLEN"}, "-ERR wrong number of arguments for 'llen' command\r\n", ""},
            {{"LLEN", "a", "b"}, "-ERR wrong number of arguments for 'llen' command\r\n", ""},
            {{"LRANGE", "k", "0"}, "-ERR wrong number of arguments for 'lrange' command\r\n", ""},
            {{"LINDEX", "k"}, "-ERR wrong number of arguments for 'lindex' command\r\n", ""},
            {{"LSET", "k", "0"}, "-ERR wrong number of arguments for 'lset' command\r\n", ""},
            {{"LINSERT", "k", "BEFORE", "a"}, "-ERR wrong number of arguments for 'linsert' command\r\n", ""},
            {{"LREM", "k", "0"}, "-ERR wrong number of arguments for 'lrem' command\r\n", ""},
            {{"LTRIM", "k", "0"}, "-ERR wrong number of arguments for 'ltrim' command\r\n", ""},
            {{"LPOS", "k"}, "-ERR wrong number of arguments for 'lpos' command\r\n", ""},
            {{"LMOVE", "a", "b", "LEFT"}, "-ERR wrong number of arguments for 'lmove' command\r\n", ""},
            {{"RPOPLPUSH", "a"}, "-ERR wrong number of arguments for 'rpoplpush' command\r\n", ""},
            {{"LMPOP", "1", "k"}, "-ERR wrong number of arguments for 'lmpop' command\r\n", ""},
            {{"BLPOP", "k"}, "-ERR wrong number of arguments for 'blpop' command\r\n", ""},
            {{"BRPOP", "k"}, "-ERR wrong number of arguments for 'brpop' command\r\n", ""},
            {{"BLMOVE", "a", "b", "LEFT", "RIGHT"}, "-ERR wrong number of arguments for 'blmove' command\r\n", ""},
            {{"BRPOPLPUSH", "a", "b"}, "-ERR wrong number of arguments for 'brpoplpush' command\r\n", ""},
            {{"BLMPOP", "0", "1", "k"}, "-ERR wrong number of arguments for 'blmpop' command\r\n", ""},
            {{"SET", "s", "x"}, "+OK\r\n", ""},
            {{"RPUSH", "bl", "a", "b", "c", "d", "e", "f", "g", "h"}, ":8\r\n", ""},
            {{"BLPOP", "bl", "s", "0"}, "*2\r\n$2\r\nbl\r\n$1\r\na\r\n", ""},
            {{"BRPOP", "nokey", "bl", "0"}, "*2\r\n$2\r\nbl\r\n$1\r\nh\r\n", ""},
            {{"BLPOP", "nokey", "s", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"BLPOP", "s", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"BLPOP", "bl", "bl", "0"}, "*2\r\n$2\r\nbl\r\n$1\r\nb\r\n", ""},
            {{"BLPOP", "k", "-1"}, "-ERR timeout is negative\r\n", ""},
            {{"BLPOP", "k", "-0.002"}, "-ERR timeout is negative\r\n", ""},
            {{"BLPOP", "k", "abc"}, "-ERR timeout is not a float or out of range\r\n", ""},
            {{"BLPOP", "k", "inf"}, "-ERR timeout is negative\r\n", ""},
            {{"BLPOP", "k", "-inf"}, "-ERR timeout is negative\r\n", ""},
            {{"BLPOP", "k", "nan"}, "-ERR timeout is not a float or out of range\r\n", ""},
            {{"BLPOP", "k", "1e300"}, "-ERR timeout is negative\r\n", ""},
            {{"BLPOP", "k", "92233720368547758"}, "-ERR timeout is negative\r\n", ""},
            {{"BLPOP", "k", " 1"}, "-ERR timeout is not a float or out of range\r\n", ""},
            {{"BLMOVE", "bl", "s", "LEFT", "RIGHT", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"BLMOVE", "s", "bl", "LEFT", "RIGHT", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"BLMOVE", "bl", "s", "UP", "RIGHT", "0"}, "-ERR syntax error\r\n", ""},
            {{"BLMOVE", "bl", "s", "LEFT", "RIGHT", "-1"}, "-ERR timeout is negative\r\n", ""},
            {{"BLMOVE", "bl", "bl2", "RIGHT", "LEFT", "0"}, "$1\r\ng\r\n", ""},
            {{"BRPOPLPUSH", "bl", "bl2", "0"}, "$1\r\nf\r\n", ""},
            {{"BRPOPLPUSH", "bl", "bl2", "x"}, "-ERR timeout is not a float or out of range\r\n", ""},
            {{"BRPOPLPUSH", "s", "bl2", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"LRANGE", "bl2", "0", "-1"}, "*2\r\n$1\r\nf\r\n$1\r\ng\r\n", ""},
            {{"BLMPOP", "0", "1", "bl", "LEFT"}, "*2\r\n$2\r\nbl\r\n*1\r\n$1\r\nc\r\n", ""},
            {{"BLMPOP", "0", "2", "nokey", "bl", "RIGHT", "COUNT", "2"}, "*2\r\n$2\r\nbl\r\n*2\r\n$1\r\ne\r\n$1\r\nd\r\n", ""},
            {{"BLMPOP", "0", "2", "s", "bl", "RIGHT", "COUNT", "3"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"BLMPOP", "0", "2", "bl", "s", "RIGHT", "COUNT", "3"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"BLMPOP", "x", "2", "bl", "s", "RIGHT", "COUNT", "3"}, "-ERR timeout is not a float or out of range\r\n", ""},
            {{"BLMPOP", "0", "0", "bl", "RIGHT"}, "-ERR numkeys should be greater than 0\r\n", ""},
            {{"BLMPOP", "0", "x", "bl", "RIGHT"}, "-ERR numkeys should be greater than 0\r\n", ""},
            {{"BLMPOP", "0", "3", "bl", "RIGHT"}, "-ERR syntax error\r\n", ""},
            {{"BLMPOP", "0", "1", "bl", "MIDDLE"}, "-ERR syntax error\r\n", ""},
            {{"BLMPOP", "0", "1", "bl", "LEFT", "COUNT", "0"}, "-ERR count should be greater than 0\r\n", ""},
            {{"BLMPOP", "-1", "1", "bl", "LEFT", "COUNT", "0"}, "-ERR count should be greater than 0\r\n", ""},
            {{"BLMPOP", "-1", "1", "bl", "LEFT"}, "-ERR timeout is negative\r\n", ""},
            {{"BLMPOP", "0", "9223372036854775807", "bl", "LEFT"}, "-ERR syntax error\r\n", ""},
            {{"BLMPOP", "0", "1", "bl", "LEFT", "FOO"}, "-ERR syntax error\r\n", ""},
            {{"RPUSH", "bl", "y", "z"}, ":2\r\n", ""},
            {{"BLMPOP", "0", "1", "bl", "LEFT", "COUNT", "100"}, "*2\r\n$2\r\nbl\r\n*2\r\n$1\r\ny\r\n$1\r\nz\r\n", ""},
            {{"EXISTS", "bl"}, ":0\r\n", ""},
    };
    return rows;
}

// SORT and SORT_RO over lists, sets and sorted sets, recorded from redis-server 7.0.15 (the
// same way): numbers and ALPHA, LIMIT at every edge, BY nosort, BY keys and hash fields (with
// missing weights, which keep their order), GET (#, keys, hash fields, missing), STORE (over a
// string with a TTL, an empty result deleting it), the errors in Redis's order, a sorted set
// converted to a skiplist by SORT_RO, and SORT and BITOP inside MULTI/EXEC. The strtod
// overflow (1e400) comes last: Redis checks errno == ERANGE without clearing errno first, so
// after it every numeric SORT of that server process fails until some other call resets errno.
const std::vector<Row>& sort_recorded() {
    static const std::vector<Row> rows = {
            {{"RPUSH", "l", "3", "1", "2", "10", "-5", "1.5"}, ":6\r\n", ""},
            {{"SORT", "l"}, "*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n", ""},
            {{"SORT", "l", "DESC"}, "*6\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$3\r\n1.5\r\n$1\r\n1\r\n$2\r\n-5\r\n", ""},
            {{"SORT", "l", "LIMIT", "1", "2"}, "*2\r\n$1\r\n1\r\n$3\r\n1.5\r\n", ""},
            {{"SORT", "l", "LIMIT", "-5", "2"}, "*2\r\n$2\r\n-5\r\n$1\r\n1\r\n", ""},
            {{"SORT", "l", "LIMIT", "2", "-1"}, "*4\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n", ""},
            {{"SORT", "l", "LIMIT", "100", "2"}, "*0\r\n", ""},
            {{"SORT", "l", "limit", "0", "0"}, "*0\r\n", ""},
            {{"SORT", "l", "ALPHA"}, "*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n", ""},
            {{"SORT", "l", "alpha", "desc", "LIMIT", "0", "3"}, "*3\r\n$1\r\n3\r\n$1\r\n2\r\n$2\r\n10\r\n", ""},
            {{"SORT", "l", "BY", "nosort"}, "*6\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n$2\r\n-5\r\n$3\r\n1.5\r\n", ""},
            {{"SORT", "l", "BY", "nosort", "DESC"}, "*6\r\n$3\r\n1.5\r\n$2\r\n-5\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n", ""},
            {{"SORT", "l", "BY", "nosort", "LIMIT", "1", "2"}, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", ""},
            {{"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"}, "*2\r\n$2\r\n-5\r\n$2\r\n10\r\n", ""},
            {{"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "10", "2"}, "*0\r\n", ""},
            {{"MSET", "w_3", "30", "w_1", "10", "w_2", "20", "w_10", "5", "w_-5", "50"}, "+OK\r\n", ""},
            {{"SORT", "l", "BY", "w_*"}, "*6\r\n$3\r\n1.5\r\n$2\r\n10\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n-5\r\n", ""},
            {{"SORT", "l", "BY", "w_*", "DESC"}, "*6\r\n$2\r\n-5\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n$2\r\n10\r\n$3\r\n1.5\r\n", ""},
            {{"SORT", "l", "BY", "w_*", "LIMIT", "0", "3"}, "*3\r\n$3\r\n1.5\r\n$2\r\n10\r\n$1\r\n1\r\n", ""},
            {{"SORT", "l", "BY", "w_*", "ALPHA"}, "*6\r\n$3\r\n1.5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n$2\r\n-5\r\n", ""},
            {{"HSET", "h_1", "name", "one", "age", "40"}, ":2\r\n", ""},
            {{"HSET", "h_2", "name", "two", "age", "30"}, ":2\r\n", ""},
            {{"HSET", "h_3", "name", "three"}, ":1\r\n", ""},
            {{"SORT", "l", "BY", "h_*->age", "GET", "h_*->name", "GET", "#", "GET", "w_*"}, "*18\r\n$-1\r\n$2\r\n-5\r\n$2\r\n50\r\n$-1\r\n$3\r\n1.5\r\n$-1\r\n$-1\r\n$2\r\n10\r\n$1\r\n5\r\n$5\r\nthree\r\n$1\r\n3\r\n$2\r\n30\r\n$3\r\ntwo\r\n$1\r\n2\r\n$2\r\n20\r\n$3\r\none\r\n$1\r\n1\r\n$2\r\n10\r\n", "*18\r\n_\r\n$2\r\n-5\r\n$2\r\n50\r\n_\r\n$3\r\n1.5\r\n_\r\n_\r\n$2\r\n10\r\n$1\r\n5\r\n$5\r\nthree\r\n$1\r\n3\r\n$2\r\n30\r\n$3\r\ntwo\r\n$1\r\n2\r\n$2\r\n20\r\n$3\r\none\r\n$1\r\n1\r\n$2\r\n10\r\n"},
            {{"SORT", "l", "BY", "nosort", "GET", "#", "GET", "h_*->name"}, "*12\r\n$1\r\n3\r\n$5\r\nthree\r\n$1\r\n1\r\n$3\r\none\r\n$1\r\n2\r\n$3\r\ntwo\r\n$2\r\n10\r\n$-1\r\n$2\r\n-5\r\n$-1\r\n$3\r\n1.5\r\n$-1\r\n", "*12\r\n$1\r\n3\r\n$5\r\nthree\r\n$1\r\n1\r\n$3\r\none\r\n$1\r\n2\r\n$3\r\ntwo\r\n$2\r\n10\r\n_\r\n$2\r\n-5\r\n_\r\n$3\r\n1.5\r\n_\r\n"},
            {{"SORT", "l", "BY", "h_*->name", "ALPHA"}, "*6\r\n$2\r\n10\r\n$2\r\n-5\r\n$3\r\n1.5\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n2\r\n", ""},
            {{"SORT", "l", "BY", "h_*->name", "ALPHA", "DESC"}, "*6\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n$2\r\n10\r\n$2\r\n-5\r\n$3\r\n1.5\r\n", ""},
            {{"SORT", "l", "GET", "nothing"}, "*6\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n", "*6\r\n_\r\n_\r\n_\r\n_\r\n_\r\n_\r\n"},
            {{"SORT", "l", "GET", "h_*->"}, "*6\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n", "*6\r\n_\r\n_\r\n_\r\n_\r\n_\r\n_\r\n"},
            {{"SORT", "l", "GET", "w_*->missing", "GET", "#"}, "*12\r\n$-1\r\n$2\r\n-5\r\n$-1\r\n$1\r\n1\r\n$-1\r\n$3\r\n1.5\r\n$-1\r\n$1\r\n2\r\n$-1\r\n$1\r\n3\r\n$-1\r\n$2\r\n10\r\n", "*12\r\n_\r\n$2\r\n-5\r\n_\r\n$1\r\n1\r\n_\r\n$3\r\n1.5\r\n_\r\n$1\r\n2\r\n_\r\n$1\r\n3\r\n_\r\n$2\r\n10\r\n"},
            {{"SORT", "l", "BY", "nosort", "BY", "w_*"}, "*6\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n$2\r\n-5\r\n$3\r\n1.5\r\n", ""},
            {{"SORT", "nokey"}, "*0\r\n", ""},
            {{"SORT", "nokey", "STORE", "dst"}, ":0\r\n", ""},
            {{"EXISTS", "dst"}, ":0\r\n", ""},
            {{"SET", "s", "str"}, "+OK\r\n", ""},
            {{"SORT", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"SORT", "s", "LIMIT", "x", "1"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"SORT", "s", "LIMIT", "1", "y"}, "-ERR value is not an integer or out of range\r\n", ""},
            {{"SORT", "l", "LIMIT", "1"}, "-ERR syntax error\r\n", ""},
            {{"SORT", "l", "FOO"}, "-ERR syntax error\r\n", ""},
            {{"SORT", "l", "BY"}, "-ERR syntax error\r\n", ""},
            {{"SORT", "l", "STORE"}, "-ERR syntax error\r\n", ""},
            {{"SORT_RO", "l", "STORE", "dst"}, "-ERR syntax error\r\n", ""},
            {{"SORT_RO", "l", "DESC", "LIMIT", "0", "2"}, "*2\r\n$2\r\n10\r\n$1\r\n3\r\n", ""},
            {{"SORT_RO", "s"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"RPUSH", "bad", "1", "x", "2"}, ":3\r\n", ""},
            {{"SORT", "bad"}, "-ERR One or more scores can't be converted into double\r\n", ""},
            {{"SORT", "bad", "ALPHA"}, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\nx\r\n", ""},
            {{"SORT", "bad", "BY", "nosort"}, "*3\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n2\r\n", ""},
            {{"SORT", "bad", "STORE", "dst"}, "-ERR One or more scores can't be converted into double\r\n", ""},
            {{"EXISTS", "dst"}, ":0\r\n", ""},
            {{"SORT", "l", "STORE", "dst"}, ":6\r\n", ""},
            {{"LRANGE", "dst", "0", "-1"}, "*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n", ""},
            {{"TYPE", "dst"}, "+list\r\n", ""},
            {{"SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->name", "STORE", "dst"}, ":12\r\n", ""},
            {{"LRANGE", "dst", "0", "-1"}, "*12\r\n$3\r\n1.5\r\n$0\r\n\r\n$2\r\n10\r\n$0\r\n\r\n$1\r\n1\r\n$3\r\none\r\n$1\r\n2\r\n$3\r\ntwo\r\n$1\r\n3\r\n$5\r\nthree\r\n$2\r\n-5\r\n$0\r\n\r\n", ""},
            {{"SET", "dst", "string"}, "+OK\r\n", ""},
            {{"EXPIRE", "dst", "1000"}, ":1\r\n", ""},
            {{"SORT", "l", "BY", "nosort", "STORE", "dst"}, ":6\r\n", ""},
            {{"LRANGE", "dst", "0", "-1"}, "*6\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n$2\r\n-5\r\n$3\r\n1.5\r\n", ""},
            {{"TTL", "dst"}, ":-1\r\n", ""},
            {{"SORT", "nokey", "STORE", "dst"}, ":0\r\n", ""},
            {{"EXISTS", "dst"}, ":0\r\n", ""},
            {{"SADD", "st", "5", "3", "9", "1"}, ":4\r\n", ""},
            {{"SORT", "st"}, "*4\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n", ""},
            {{"SORT", "st", "DESC", "LIMIT", "1", "2"}, "*2\r\n$1\r\n5\r\n$1\r\n3\r\n", ""},
            {{"SORT", "st", "BY", "nosort", "STORE", "dst2"}, ":4\r\n", ""},
            {{"LRANGE", "dst2", "0", "-1"}, "*4\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n", ""},
            {{"SADD", "st2", "b", "a", "c"}, ":3\r\n", ""},
            {{"SORT", "st2", "ALPHA"}, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", ""},
            {{"SORT", "st2"}, "-ERR One or more scores can't be converted into double\r\n", ""},
            {{"ZADD", "z", "3", "c", "1", "a", "2", "b", "10", "d"}, ":4\r\n", ""},
            {{"SORT", "z", "ALPHA"}, "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", ""},
            {{"SORT", "z", "ALPHA", "DESC"}, "*4\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", ""},
            {{"SORT", "z", "BY", "nosort"}, "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", ""},
            {{"SORT", "z", "BY", "nosort", "DESC"}, "*4\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", ""},
            {{"SORT", "z", "BY", "nosort", "LIMIT", "1", "2"}, "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", ""},
            {{"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"}, "*2\r\n$1\r\nc\r\n$1\r\nb\r\n", ""},
            {{"SORT", "z", "BY", "nosort", "LIMIT", "5", "2"}, "*0\r\n", ""},
            {{"SORT", "z"}, "-ERR One or more scores can't be converted into double\r\n", ""},
            {{"RPUSH", "g", " 7", "0x10", "inf", "-inf", "", "3e2"}, ":6\r\n", ""},
            {{"SORT", "g"}, "*6\r\n$4\r\n-inf\r\n$0\r\n\r\n$2\r\n 7\r\n$4\r\n0x10\r\n$3\r\n3e2\r\n$3\r\ninf\r\n", ""},
            {{"SORT", "g", "DESC"}, "*6\r\n$3\r\ninf\r\n$3\r\n3e2\r\n$4\r\n0x10\r\n$2\r\n 7\r\n$0\r\n\r\n$4\r\n-inf\r\n", ""},
            {{"RPUSH", "t", "2", "02", "2.0", "1", "10"}, ":5\r\n", ""},
            {{"SORT", "t"}, "*5\r\n$1\r\n1\r\n$2\r\n02\r\n$1\r\n2\r\n$3\r\n2.0\r\n$2\r\n10\r\n", ""},
            {{"SORT", "t", "DESC"}, "*5\r\n$2\r\n10\r\n$3\r\n2.0\r\n$1\r\n2\r\n$2\r\n02\r\n$1\r\n1\r\n", ""},
            {{"SORT", "t", "ALPHA"}, "*5\r\n$2\r\n02\r\n$1\r\n1\r\n$2\r\n10\r\n$1\r\n2\r\n$3\r\n2.0\r\n", ""},
            {{"SORT", "l", "BY", "w_*", "LIMIT", "1", "1", "GET", "#"}, "*1\r\n$2\r\n10\r\n", ""},
            {{"SORT", "l", "ALPHA", "STORE", "dst3"}, ":6\r\n", ""},
            {{"LRANGE", "dst3", "0", "-1"}, "*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n", ""},
            {{"SORT", "l", "GET", "#", "GET", "#"}, "*12\r\n$2\r\n-5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n1\r\n$3\r\n1.5\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n3\r\n$2\r\n10\r\n$2\r\n10\r\n", ""},
            {{"RPUSH", "n", "3", "", "1"}, ":3\r\n", ""},
            {{"SORT", "n"}, "*3\r\n$0\r\n\r\n$1\r\n1\r\n$1\r\n3\r\n", ""},
            {{"SORT", "n", "GET", "#", "STORE", "dst4"}, ":3\r\n", ""},
            {{"LRANGE", "dst4", "0", "-1"}, "*3\r\n$0\r\n\r\n$1\r\n1\r\n$1\r\n3\r\n", ""},
            {{"HSET", "hh", "f", "v"}, ":1\r\n", ""},
            {{"SORT", "hh"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""},
            {{"ZADD", "zz", "1", "a", "2", "b"}, ":2\r\n", ""},
            {{"OBJECT", "ENCODING", "zz"}, "$8\r\nlistpack\r\n", ""},
            {{"SORT_RO", "zz", "ALPHA"}, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", ""},
            {{"OBJECT", "ENCODING", "zz"}, "$8\r\nskiplist\r\n", ""},
            {{"RPUSH", "ml", "3", "1", "2"}, ":3\r\n", ""},
            {{"SET", "ma", "\017"}, "+OK\r\n", ""},
            {{"MULTI"}, "+OK\r\n", ""},
            {{"SORT", "ml"}, "+QUEUED\r\n", ""},
            {{"SORT", "ml", "DESC", "STORE", "md"}, "+QUEUED\r\n", ""},
            {{"BITOP", "NOT", "mn", "ma"}, "+QUEUED\r\n", ""},
            {{"GET", "mn"}, "+QUEUED\r\n", ""},
            {{"SORT_RO", "md", "ALPHA"}, "+QUEUED\r\n", ""},
            {{"EXEC"}, "*5\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n:3\r\n:1\r\n$1\r\n\360\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", ""},
            {{"LRANGE", "md", "0", "-1"}, "*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n", ""},
            {{"RPUSH", "f", "1e400"}, ":1\r\n", ""},
            {{"SORT", "f"}, "-ERR One or more scores can't be converted into double\r\n", ""},
    };
    return rows;
}

}  // namespace

TEST_SUITE("resp_lists") {
    TEST_CASE("every list command, byte for byte as redis-server 7.0.15, in RESP2 and RESP3") {
        replay(recorded());
    }

    TEST_CASE("SORT and SORT_RO, byte for byte as redis-server 7.0.15, in RESP2 and RESP3") {
        replay(sort_recorded());
    }

    TEST_CASE("the command table: arity, flags, key positions, ACL categories, docs") {
        test::Server srv;
        using namespace cachet::resp;
        struct Want {
            const char* name;
            int arity;
            std::uint32_t flags;
            int first, last, step;
            const char* since;
        };
        const std::uint32_t w = cmd_write, d = cmd_denyoom, f = cmd_fast, r = cmd_readonly,
                            b = cmd_blocking | cmd_noscript;
        const Want table[] = {
            {"lpush", -3, w | d | f, 1, 1, 1, "1.0.0"},       {"rpush", -3, w | d | f, 1, 1, 1, "1.0.0"},
            {"lpushx", -3, w | d | f, 1, 1, 1, "2.2.0"},      {"rpushx", -3, w | d | f, 1, 1, 1, "2.2.0"},
            {"lpop", -2, w | f, 1, 1, 1, "1.0.0"},            {"rpop", -2, w | f, 1, 1, 1, "1.0.0"},
            {"llen", 2, r | f, 1, 1, 1, "1.0.0"},             {"lrange", 4, r, 1, 1, 1, "1.0.0"},
            {"lindex", 3, r, 1, 1, 1, "1.0.0"},               {"lset", 4, w | d, 1, 1, 1, "1.0.0"},
            {"linsert", 5, w | d, 1, 1, 1, "2.2.0"},          {"lrem", 4, w, 1, 1, 1, "1.0.0"},
            {"ltrim", 4, w, 1, 1, 1, "1.0.0"},                {"lpos", -3, r, 1, 1, 1, "6.0.6"},
            {"lmove", 5, w | d, 1, 2, 1, "6.2.0"},            {"rpoplpush", 3, w | d, 1, 2, 1, "1.2.0"},
            {"lmpop", -4, w | cmd_movablekeys, 0, 0, 0, "7.0.0"},               {"blpop", -3, w | b, 1, -2, 1, "2.0.0"},
            {"brpop", -3, w | b, 1, -2, 1, "2.0.0"},          {"blmove", 6, w | d | b, 1, 2, 1, "6.2.0"},
            {"brpoplpush", 4, w | d | b, 1, 2, 1, "2.2.0"},   {"blmpop", -5, w | cmd_blocking | cmd_movablekeys, 0, 0, 0, "7.0.0"},
        };
        for (const Want& x : table) {
            INFO(x.name);
            const auto* spec = srv.engine.find(x.name);
            REQUIRE(spec != nullptr);
            CHECK(spec->arity == x.arity);
            CHECK(spec->flags == x.flags);
            CHECK(spec->first_key == x.first);
            CHECK(spec->last_key == x.last);
            CHECK(spec->step == x.step);
            CHECK(spec->since == x.since);
            CHECK(spec->group == "list");
            const bool blocking = (x.flags & cmd_blocking) != 0;
            const std::string speed = (x.flags & cmd_fast) ? "fast" : "slow";
            std::vector<std::string> acl = {(x.flags & cmd_write) ? "write" : "read", "list", speed};
            if (blocking) acl.push_back("blocking");
            CHECK(spec->acl == acl);
        }
        CHECK(srv.engine.find("blmove")->summary ==
              "Pop an element from a list, push it to another list and return it; or block until "
              "one is available");
        auto s = srv.connect();
        CHECK(call(*s, {"COMMAND", "INFO", "blpop"})
                  .starts_with("*1\r\n*10\r\n$5\r\nblpop\r\n:-3\r\n*3\r\n+write\r\n+noscript\r\n+blocking\r\n"
                               ":1\r\n:-2\r\n:1\r\n*4\r\n+@write\r\n+@list\r\n+@slow\r\n+@blocking\r\n"));
    }

    TEST_CASE("an emptied list is deleted; LMOVE onto its own key rotates; TTL survives changes") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"RPUSH", "k", "a", "b", "c"}) == ":3\r\n");
        CHECK(call(*s, {"LMOVE", "k", "k", "LEFT", "RIGHT"}) == "$1\r\na\r\n");
        CHECK(call(*s, {"LRANGE", "k", "0", "-1"}) == "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n");
        CHECK(call(*s, {"RPOPLPUSH", "k", "k"}) == "$1\r\na\r\n");
        CHECK(call(*s, {"LRANGE", "k", "0", "-1"}) == "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
        CHECK(call(*s, {"EXPIRE", "k", "100"}) == ":1\r\n");
        CHECK(call(*s, {"LPUSH", "k", "z"}) == ":4\r\n");
        CHECK(call(*s, {"TTL", "k"}) == ":100\r\n");
        CHECK(call(*s, {"TYPE", "k"}) == "+list\r\n");
        CHECK(call(*s, {"LREM", "k", "0", "z"}) == ":1\r\n");
        CHECK(call(*s, {"LTRIM", "k", "1", "1"}) == "+OK\r\n");
        CHECK(call(*s, {"LRANGE", "k", "0", "-1"}) == "*1\r\n$1\r\nb\r\n");
        CHECK(call(*s, {"LSET", "k", "-1", "B"}) == "+OK\r\n");
        CHECK(call(*s, {"LINDEX", "k", "-1"}) == "$1\r\nB\r\n");
        CHECK(call(*s, {"RPOP", "k"}) == "$1\r\nB\r\n");
        CHECK(call(*s, {"EXISTS", "k"}) == ":0\r\n");
        CHECK(call(*s, {"TYPE", "k"}) == "+none\r\n");
        CHECK(call(*s, {"RPUSH", "k", "a", "b"}) == ":2\r\n");
        CHECK(call(*s, {"TTL", "k"}) == ":-1\r\n");  // a new key: no TTL
        CHECK(call(*s, {"LMPOP", "1", "k", "RIGHT", "COUNT", "5"}) == "*2\r\n$1\r\nk\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n");
        CHECK(call(*s, {"DBSIZE"}) == ":0\r\n");
        // Binary-safe elements.
        const std::string bin("a\0b\r\n", 5);
        CHECK(callv(*s, {"RPUSH", "b", bin, ""}) == ":2\r\n");
        CHECK(call(*s, {"LRANGE", "b", "0", "-1"}) == std::string("*2\r\n$5\r\na\0b\r\n\r\n$0\r\n\r\n", 21));
        CHECK(callv(*s, {"LPOS", "b", bin}) == ":0\r\n");
        CHECK(callv(*s, {"LPOS", "b", ""}) == ":1\r\n");
    }

    TEST_CASE("the program's ListStore view and the RESP commands share the lists") {
        test::Server srv;
        auto s = srv.connect();
        auto& lists = srv.db.db(0).lists();
        lists.push_back("jobs", "a");
        lists.push_back("jobs", "b");
        CHECK(call(*s, {"LRANGE", "jobs", "0", "-1"}) == "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
        CHECK(call(*s, {"RPUSH", "jobs", "c"}) == ":3\r\n");
        CHECK(lists.pop_front("jobs") == std::optional<std::string>("a"));
        CHECK(call(*s, {"SELECT", "1"}) == "+OK\r\n");
        CHECK(call(*s, {"LLEN", "jobs"}) == ":0\r\n");
        CHECK(call(*s, {"RPUSH", "jobs", "x"}) == ":1\r\n");
        CHECK(srv.db.db(1).lists().length("jobs") == 1);
        CHECK(lists.length("jobs") == 2);
    }

    // ---------------------------------------------------------------- blocking

    TEST_CASE("BLPOP blocks without blocking the caller and is served by another session's push") {
        test::Server srv;
        auto consumer = srv.connect();
        auto producer = srv.connect();
        std::atomic<int> wakes{0};
        consumer->set_waker([&] { wakes.fetch_add(1); });
        // The blocked command stops the pipeline: PING waits behind it.
        const std::string in = test::encode({"BLPOP", "q", "0"}) + test::encode({"PING"});
        const std::size_t used = consumer->process(in);
        CHECK(used == test::encode({"BLPOP", "q", "0"}).size());
        CHECK(consumer->output().empty());
        CHECK(consumer->blocked());
        CHECK_FALSE(consumer->block_deadline().has_value());  // 0: no limit
        CHECK(srv.db.db(0).list_waiters().queued("q") == 1);
        CHECK_FALSE(consumer->collect_async());
        CHECK_FALSE(consumer->on_tick(std::chrono::steady_clock::now() + 24h));
        // LPUSH replies with the length before the blocked client took its element (Redis).
        CHECK(call(*producer, {"LPUSH", "q", "job"}) == ":1\r\n");
        CHECK(wakes.load() == 1);
        CHECK(consumer->collect_async());
        CHECK(consumer->output() == "*2\r\n$1\r\nq\r\n$3\r\njob\r\n");
        consumer->output().clear();
        CHECK_FALSE(consumer->blocked());
        CHECK(call(*producer, {"EXISTS", "q"}) == ":0\r\n");  // emptied: deleted
        CHECK(srv.db.db(0).list_waiters().queued("q") == 0);
        // The rest of the input runs now.
        consumer->process(std::string_view(in).substr(used));
        CHECK(consumer->output() == "+PONG\r\n");
    }

    TEST_CASE("a blocked client is woken by the embedding program pushing from its own thread") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"HELLO", "3"}).starts_with("%7"));
        CHECK(call(*s, {"BRPOP", "a", "b", "5"}).empty());
        CHECK(s->blocked());
        CHECK(s->block_deadline().has_value());
        std::thread program([&] {
            CHECK(srv.db.db(0).lists().push_back("b", std::string("from-program")) == 1);
        });
        program.join();
        CHECK(s->collect_async());
        CHECK(s->output() == "*2\r\n$1\r\nb\r\n$12\r\nfrom-program\r\n");
        CHECK(srv.db.db(0).lists().length("b") == 0);
        // Other databases are other keyspaces.
        s->output().clear();
        CHECK(call(*s, {"BLPOP", "c", "0"}).empty());
        srv.db.db(1).lists().push_back("c", "elsewhere");
        CHECK_FALSE(s->collect_async());
        srv.db.db(0).lists().push_back("c", "here");
        CHECK(s->collect_async());
        CHECK(s->output() == "*2\r\n$1\r\nc\r\n$4\r\nhere\r\n");
    }

    TEST_CASE("blocked clients are served first come first served, one element each") {
        test::Server srv;
        std::vector<std::unique_ptr<test::Session>> clients;
        for (int i = 0; i < 3; ++i) {
            clients.push_back(srv.connect());
            CHECK(call(*clients.back(), {"BLPOP", "q", "0"}).empty());
        }
        auto producer = srv.connect();
        CHECK(srv.db.db(0).list_waiters().queued("q") == 3);
        // One push of two elements serves the first two; the third keeps waiting.
        CHECK(call(*producer, {"RPUSH", "q", "e1", "e2"}) == ":2\r\n");
        CHECK(clients[0]->collect_async());
        CHECK(clients[1]->collect_async());
        CHECK_FALSE(clients[2]->collect_async());
        CHECK(clients[0]->output() == "*2\r\n$1\r\nq\r\n$2\r\ne1\r\n");
        CHECK(clients[1]->output() == "*2\r\n$1\r\nq\r\n$2\r\ne2\r\n");
        CHECK(call(*producer, {"LPUSH", "q", "e3", "e4"}) == ":2\r\n");
        CHECK(clients[2]->collect_async());
        CHECK(clients[2]->output() == "*2\r\n$1\r\nq\r\n$2\r\ne4\r\n");
        CHECK(call(*producer, {"LRANGE", "q", "0", "-1"}) == "*1\r\n$2\r\ne3\r\n");
    }

    TEST_CASE("a client blocked on several keys is served by the first key pushed") {
        test::Server srv;
        auto a = srv.connect();
        auto b = srv.connect();
        auto p = srv.connect();
        CHECK(call(*a, {"BLPOP", "k1", "k2", "k1", "0"}).empty());
        CHECK(call(*b, {"BLPOP", "k2", "0"}).empty());
        CHECK(call(*p, {"LPUSH", "k2", "a", "b", "c"}) == ":3\r\n");
        CHECK(a->collect_async());
        CHECK(b->collect_async());
        CHECK(a->output() == "*2\r\n$2\r\nk2\r\n$1\r\nc\r\n");
        CHECK(b->output() == "*2\r\n$2\r\nk2\r\n$1\r\nb\r\n");
        CHECK(call(*p, {"LRANGE", "k2", "0", "-1"}) == "*1\r\n$1\r\na\r\n");
        // `a` left the queue of k1 too: a push there serves nobody.
        CHECK(call(*p, {"RPUSH", "k1", "x"}) == ":1\r\n");
        CHECK(call(*p, {"LLEN", "k1"}) == ":1\r\n");
        CHECK(srv.db.db(0).list_waiters().queued("k1") == 0);
    }

    TEST_CASE("BLMPOP served with a count; RESP3 shapes") {
        test::Server srv;
        auto a = srv.connect();
        auto p = srv.connect();
        call(*a, {"HELLO", "3"});
        CHECK(call(*a, {"BLMPOP", "0", "2", "k3", "k4", "RIGHT", "COUNT", "2"}).empty());
        CHECK(call(*p, {"RPUSH", "k4", "1", "2", "3"}) == ":3\r\n");
        CHECK(a->collect_async());
        CHECK(a->output() == "*2\r\n$2\r\nk4\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n");
        CHECK(call(*p, {"LRANGE", "k4", "0", "-1"}) == "*1\r\n$1\r\n1\r\n");
        a->output().clear();
        CHECK(call(*a, {"BLMPOP", "0", "1", "k5", "LEFT", "COUNT", "10"}).empty());
        CHECK(call(*p, {"RPUSH", "k5", "x", "y"}) == ":2\r\n");
        CHECK(a->collect_async());
        CHECK(a->output() == "*2\r\n$2\r\nk5\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
        CHECK(call(*p, {"EXISTS", "k5"}) == ":0\r\n");
    }

    TEST_CASE("BLMOVE and BRPOPLPUSH complete into the destination") {
        test::Server srv;
        auto a = srv.connect();
        auto p = srv.connect();
        CHECK(call(*a, {"BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"}).empty());
        CHECK(call(*p, {"RPUSH", "dst", "old"}) == ":1\r\n");
        CHECK(call(*p, {"RPUSH", "src", "1", "2"}) == ":2\r\n");
        CHECK(a->collect_async());
        CHECK(a->output() == "$1\r\n2\r\n");
        CHECK(call(*p, {"LRANGE", "src", "0", "-1"}) == "*1\r\n$1\r\n1\r\n");
        CHECK(call(*p, {"LRANGE", "dst", "0", "-1"}) == "*2\r\n$1\r\n2\r\n$3\r\nold\r\n");
        // Onto its own key: the list rotates.
        a->output().clear();
        CHECK(call(*a, {"BRPOPLPUSH", "r", "r", "0"}).empty());
        CHECK(call(*p, {"RPUSH", "r", "1", "2", "3"}) == ":3\r\n");
        CHECK(a->collect_async());
        CHECK(a->output() == "$1\r\n3\r\n");
        CHECK(call(*p, {"LRANGE", "r", "0", "-1"}) == "*3\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n");
        {
            // A rotation is complete before the next client blocked on the key is served
            // (redis-server 7.0.15: B gets [c a b] and the key is gone), so replicas, which
            // replay RPUSH, LMOVE, LPOP in that order, end where the master does.
            auto b2 = srv.connect();
            a->output().clear();
            CHECK(call(*a, {"BLMOVE", "q", "q", "RIGHT", "LEFT", "0"}).empty());
            CHECK(call(*b2, {"BLMPOP", "0", "1", "q", "LEFT", "COUNT", "5"}).empty());
            CHECK(call(*p, {"RPUSH", "q", "a", "b", "c"}) == ":3\r\n");
            CHECK(a->collect_async());
            CHECK(b2->collect_async());
            CHECK(a->output() == "$1\r\nc\r\n");
            CHECK(b2->output() == "*2\r\n$1\r\nq\r\n*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n");
            CHECK(call(*p, {"EXISTS", "q"}) == ":0\r\n");
        }
        // A move feeds a client blocked on the destination.
        auto b = srv.connect();
        a->output().clear();
        CHECK(call(*a, {"BLMOVE", "s1", "s2", "LEFT", "RIGHT", "0"}).empty());
        CHECK(call(*b, {"BLPOP", "s2", "0"}).empty());
        srv.db.db(0).lists().push_back("s1", "chained");
        CHECK(a->collect_async());
        CHECK(b->collect_async());
        CHECK(a->output() == "$7\r\nchained\r\n");
        CHECK(b->output() == "*2\r\n$2\r\ns2\r\n$7\r\nchained\r\n");
        CHECK(call(*p, {"DBSIZE"}) == ":3\r\n");  // src, dst and r: s2 was emptied by the BLPOP
    }

    TEST_CASE("BLMOVE blocks whatever the destination holds; served, a wrong type is WRONGTYPE") {
        test::Server srv;
        auto a = srv.connect();
        auto p = srv.connect();
        CHECK(call(*p, {"SET", "d", "str"}) == "+OK\r\n");
        // Redis checks the destination only when the source has elements.
        CHECK(call(*a, {"BLMOVE", "src", "d", "LEFT", "RIGHT", "0"}).empty());
        CHECK(a->blocked());
        CHECK(call(*p, {"RPUSH", "src", "x", "y"}) == ":2\r\n");
        CHECK(a->collect_async());
        CHECK(a->output() == "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        // The element went back where it came from.
        CHECK(call(*p, {"LRANGE", "src", "0", "-1"}) == "*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
        CHECK(call(*p, {"GET", "d"}) == "$3\r\nstr\r\n");
        // With the source present the destination's type is checked at once.
        a->output().clear();
        CHECK(call(*a, {"BLMOVE", "src", "d", "LEFT", "RIGHT", "0"}) ==
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        CHECK_FALSE(a->blocked());
        // A wrong type among the keys of BLPOP, before any list with elements: at once.
        CHECK(call(*a, {"BLPOP", "nokey", "d", "src", "0"}) ==
              "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        CHECK(call(*a, {"BLPOP", "src", "d", "0"}) == "*2\r\n$3\r\nsrc\r\n$1\r\nx\r\n");
        CHECK_FALSE(a->blocked());
        // A key that becomes a string while a client waits serves nobody.
        CHECK(call(*a, {"BLPOP", "w", "0"}).empty());
        CHECK(call(*p, {"SET", "w", "v"}) == "+OK\r\n");
        CHECK_FALSE(a->collect_async());
        CHECK(call(*p, {"DEL", "w"}) == ":1\r\n");
        CHECK(call(*p, {"RPUSH", "w", "now"}) == ":1\r\n");
        CHECK(a->collect_async());
        CHECK(a->output() == "*2\r\n$1\r\nw\r\n$3\r\nnow\r\n");
    }

    TEST_CASE("timeouts: on_tick past the deadline replies a null array, in both protocols") {
        test::Server srv;
        auto s = srv.connect();
        auto p = srv.connect();
        const auto before = std::chrono::steady_clock::now();
        CHECK(call(*s, {"BLPOP", "q", "1.5"}).empty());
        REQUIRE(s->block_deadline().has_value());
        const auto deadline = *s->block_deadline();
        CHECK(deadline >= before + 1500ms);
        CHECK(deadline <= std::chrono::steady_clock::now() + 1500ms);
        CHECK_FALSE(s->on_tick(deadline - 1ms));
        CHECK(s->blocked());
        CHECK(s->on_tick(deadline));
        CHECK_FALSE(s->blocked());
        CHECK(s->output() == "*-1\r\n");
        s->output().clear();
        CHECK(srv.db.db(0).list_waiters().queued("q") == 0);
        CHECK(call(*p, {"RPUSH", "q", "kept"}) == ":1\r\n");  // nobody takes it
        CHECK(call(*p, {"LLEN", "q"}) == ":1\r\n");
        // BLMOVE and BRPOPLPUSH time out with a null array too (Redis 7.0); 0.0001 s is 1 ms.
        for (const char* proto : {"2", "3"}) {
            call(*s, {"HELLO", proto});
            const std::string nil = proto[0] == '2' ? "*-1\r\n" : "_\r\n";
            for (auto args : {std::vector<std::string>{"BLMOVE", "none", "x", "LEFT", "LEFT", "0.0001"},
                              std::vector<std::string>{"BRPOPLPUSH", "none", "x", "0.01"},
                              std::vector<std::string>{"BLMPOP", "0.01", "1", "none", "LEFT"},
                              std::vector<std::string>{"BRPOP", "none", "0.01"}}) {
                CHECK(callv(*s, args).empty());
                REQUIRE(s->block_deadline().has_value());
                CHECK(s->on_tick(*s->block_deadline() + 1ms));
                CHECK(s->output() == nil);
                s->output().clear();
            }
        }
        // A timeout of less than a millisecond rounds up to one; -0.0001 rounds to 0: forever.
        call(*s, {"HELLO", "2"});
        CHECK(call(*s, {"BLPOP", "none", "0.000001"}).empty());
        CHECK(s->block_deadline().has_value());
        CHECK(s->on_tick(std::chrono::steady_clock::now() + 2ms));
        s->output().clear();
        CHECK(call(*s, {"BLPOP", "none", "-0.0001"}).empty());
        CHECK_FALSE(s->block_deadline().has_value());
        s->close();
        CHECK(srv.db.db(0).list_waiters().queued("none") == 0);
    }

    TEST_CASE("the reply of a client served while its deadline passes is the element, once") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"BLPOP", "q", "1"}).empty());
        srv.db.db(0).lists().push_back("q", "v");
        // Served before the tick: the timeout loses, the reply waits in the outbox.
        CHECK_FALSE(s->on_tick(std::chrono::steady_clock::now() + 1h));
        CHECK(s->blocked());
        CHECK(s->collect_async());
        CHECK(s->output() == "*2\r\n$1\r\nq\r\n$1\r\nv\r\n");
    }

    TEST_CASE("a blocked session closed, before or while another pushes, leaks and loses nothing") {
        test::Server srv;
        auto p = srv.connect();
        {
            auto s = srv.connect();
            CHECK(call(*s, {"BLPOP", "q", "k", "0"}).empty());
            s->close();
            CHECK_FALSE(s->blocked());
            CHECK(srv.db.db(0).list_waiters().queued("q") == 0);
            CHECK(srv.db.db(0).list_waiters().queued("k") == 0);
        }
        CHECK(call(*p, {"RPUSH", "q", "a"}) == ":1\r\n");
        CHECK(call(*p, {"LLEN", "q"}) == ":1\r\n");
        CHECK(call(*p, {"DEL", "q"}) == ":1\r\n");
        // Racing: the push and the close run at once; the element is either left in the list or
        // was taken by the closing client (whose reply is dropped with it), never both.
        for (int i = 0; i < 200; ++i) {
            auto s = srv.connect();
            const bool move = i % 2 == 1;
            if (move) CHECK(call(*s, {"BLMOVE", "q", "d", "LEFT", "RIGHT", "0"}).empty());
            else CHECK(call(*s, {"BLPOP", "q", "0"}).empty());
            std::thread pusher([&] { srv.db.db(0).lists().push_back("q", "x"); });
            s->close();
            pusher.join();
            const auto left = srv.db.db(0).lists().length("q");
            const auto moved = srv.db.db(0).lists().length("d");
            CHECK(left + moved <= 1);
            if (move) CHECK(left + moved == 1);
            srv.db.db(0).lists().erase("q");
            srv.db.db(0).lists().erase("d");
        }
        CHECK(srv.db.db(0).list_waiters().queued("q") == 0);
    }

    TEST_CASE("inside MULTI/EXEC blocking commands reply at once, as their timeout would") {
        for (const bool resp3 : {false, true}) {
            test::Server srv;
            auto s = srv.connect();
            if (resp3) call(*s, {"HELLO", "3"});
            const std::string nil_array = resp3 ? "_\r\n" : "*-1\r\n";
            const std::string nil = resp3 ? "_\r\n" : "$-1\r\n";
            call(*s, {"SET", "s", "x"});
            CHECK(call(*s, {"MULTI"}) == "+OK\r\n");
            for (auto args : {std::vector<std::string>{"BLPOP", "nokey", "0"},
                              std::vector<std::string>{"BRPOP", "nokey", "1"},
                              std::vector<std::string>{"BLMOVE", "nokey", "d", "LEFT", "RIGHT", "0"},
                              std::vector<std::string>{"BRPOPLPUSH", "nokey", "d", "0"},
                              std::vector<std::string>{"BLMPOP", "0", "1", "nokey", "LEFT"},
                              std::vector<std::string>{"BLPOP", "s", "0"},
                              std::vector<std::string>{"BLMOVE", "nokey", "s", "LEFT", "RIGHT", "0"},
                              std::vector<std::string>{"RPUSH", "l", "a"},
                              std::vector<std::string>{"BLMOVE", "l", "s", "LEFT", "RIGHT", "0"},
                              std::vector<std::string>{"BLPOP", "nokey", "-1"},
                              std::vector<std::string>{"BLPOP", "nokey", "l", "0"}})
                CHECK(callv(*s, args) == "+QUEUED\r\n");
            const std::string wrongtype =
                "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
            CHECK(call(*s, {"EXEC"}) == "*11\r\n" + nil_array + nil_array + nil + nil + nil_array +
                                            wrongtype + nil + ":1\r\n" + wrongtype +
                                            "-ERR timeout is negative\r\n" +
                                            "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
            CHECK_FALSE(s->blocked());
        }
    }

    TEST_CASE("a push inside EXEC serves blocked clients once EXEC is done") {
        test::Server srv;
        auto a = srv.connect();
        auto p = srv.connect();
        CHECK(call(*a, {"BLMOVE", "q", "d", "LEFT", "LEFT", "0"}).empty());
        call(*p, {"MULTI"});
        call(*p, {"RPUSH", "q", "1", "2"});
        call(*p, {"LLEN", "q"});
        CHECK(call(*p, {"EXEC"}) == "*2\r\n:2\r\n:2\r\n");  // Redis 7.0.15's reply
        CHECK(a->collect_async());
        CHECK(a->output() == "$1\r\n1\r\n");
        CHECK(call(*p, {"LRANGE", "d", "0", "-1"}) == "*1\r\n$1\r\n1\r\n");
    }

    TEST_CASE("a push that serves a blocked client modifies the key for WATCH; pops are announced") {
        test::Server srv;
        auto w = srv.connect();
        auto b = srv.connect();
        auto p = srv.connect();
        auto sub = srv.connect();
        CHECK(call(*w, {"WATCH", "q"}) == "+OK\r\n");
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());
        CHECK(call(*p, {"LPUSH", "q", "x"}) == ":1\r\n");
        CHECK(b->collect_async());
        CHECK(test::async(*b) == "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
        CHECK(call(*p, {"EXISTS", "q"}) == ":0\r\n");
        call(*w, {"MULTI"});
        call(*w, {"PING"});
        CHECK(call(*w, {"EXEC"}) == "*-1\r\n");
        // The served client's pop is a keyspace event (see lists.hpp).
        call(*p, {"CONFIG", "SET", "notify-keyspace-events", "Kl"});
        call(*sub, {"SUBSCRIBE", "__keyspace@0__:q", "__keyspace@0__:d"});
        CHECK(call(*b, {"BLMOVE", "q", "d", "RIGHT", "LEFT", "0"}).empty());
        CHECK(call(*p, {"RPUSH", "q", "y"}) == ":1\r\n");
        CHECK(b->collect_async());
        const std::string got = test::async(*sub);
        CHECK(got.find("$16\r\n__keyspace@0__:d\r\n$5\r\nlpush\r\n") != std::string::npos);
        CHECK(got.find("$16\r\n__keyspace@0__:q\r\n$4\r\nrpop\r\n") != std::string::npos);
        CHECK(got.find("lpush") < got.find("rpop"));  // Redis's order: the push, then the pop
    }

    TEST_CASE("clients blocked on keys a transaction fills are served after its EXEC") {
        // As Redis (handleClientsBlockedOnKeys after the command): the transaction sees its own
        // pushes; the blocked client gets what is left once EXEC has replied. Checked against
        // redis-server 7.0.15.
        test::Server srv;
        auto b = srv.connect();
        auto a = srv.connect();
        auto exec = [&](std::initializer_list<std::initializer_list<std::string_view>> cmds) {
            call(*a, {"MULTI"});
            for (auto cmd : cmds) call(*a, cmd);
            return call(*a, {"EXEC"});
        };
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());
        CHECK(exec({{"RPUSH", "q", "a"}, {"LPOP", "q"}}) == "*2\r\n:1\r\n$1\r\na\r\n");
        CHECK_FALSE(b->collect_async());  // still blocked: nothing was left
        CHECK(exec({{"RPUSH", "q", "x", "y"}, {"LLEN", "q"}}) == "*2\r\n:2\r\n:2\r\n");
        CHECK(b->collect_async());
        CHECK(test::async(*b) == "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
        CHECK(call(*a, {"LRANGE", "q", "0", "-1"}) == "*1\r\n$1\r\ny\r\n");
        // A move into the key, and sorted sets likewise.
        call(*a, {"DEL", "q"});
        call(*a, {"RPUSH", "src", "m"});
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());
        CHECK(exec({{"LMOVE", "src", "q", "LEFT", "LEFT"}, {"LLEN", "q"}}) == "*2\r\n$1\r\nm\r\n:1\r\n");
        CHECK(b->collect_async());
        CHECK(test::async(*b) == "*2\r\n$1\r\nq\r\n$1\r\nm\r\n");
        CHECK(call(*b, {"BZPOPMIN", "zq", "0"}).empty());
        CHECK(exec({{"ZADD", "zq", "1", "a"}, {"ZCARD", "zq"}}) == "*2\r\n:1\r\n:1\r\n");
        CHECK(b->collect_async());
        CHECK(test::async(*b) == "*3\r\n$2\r\nzq\r\n$1\r\na\r\n$1\r\n1\r\n");
    }

    TEST_CASE("a push taken whole by blocked clients: Redis's push, pops, then del") {
        test::Server srv;
        auto b = srv.connect();
        auto p = srv.connect();
        test::KeyspaceWatch watch(srv);
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());
        CHECK(call(*p, {"RPUSH", "q", "x"}) == ":1\r\n");
        CHECK(b->collect_async());
        CHECK(test::async(*b) == "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
        CHECK(watch.events() == "q rpush,q lpop,q del,");
        // Into another key: the destination's push before the source's pop and del.
        CHECK(call(*b, {"BLMOVE", "q", "d", "RIGHT", "LEFT", "0"}).empty());
        CHECK(call(*p, {"RPUSH", "q", "y"}) == ":1\r\n");
        CHECK(b->collect_async());
        CHECK(test::async(*b) == "$1\r\ny\r\n");
        CHECK(watch.events() == "q rpush,d lpush,q rpop,q del,");
        // Into the key it came from: it exists again, no del.
        CHECK(call(*b, {"BLMOVE", "e", "e", "LEFT", "RIGHT", "0"}).empty());
        CHECK(call(*p, {"RPUSH", "e", "z"}) == ":1\r\n");
        CHECK(b->collect_async());
        CHECK(test::async(*b) == "$1\r\nz\r\n");
        CHECK(watch.events() == "e rpush,e rpush,e lpop,");
        // Not taken whole: no del.
        CHECK(call(*b, {"BLPOP", "f", "0"}).empty());
        CHECK(call(*p, {"RPUSH", "f", "1", "2"}) == ":2\r\n");
        CHECK(b->collect_async());
        CHECK(test::async(*b) == "*2\r\n$1\r\nf\r\n$1\r\n1\r\n");
        CHECK(watch.events() == "f rpush,f lpop,");
    }

    TEST_CASE("stress: producer threads and looping BLPOP sessions; every element popped once") {
        test::Server srv;
        constexpr int producers = 4, per_producer = 1500, consumers = 3;
        constexpr int total = producers * per_producer;
        const std::vector<std::string> queues = {"q0", "q1", "q2"};
        std::atomic<int> popped{0};
        std::vector<std::vector<std::string>> got(consumers);
        std::vector<std::thread> threads;
        for (int c = 0; c < consumers; ++c) {
            threads.emplace_back([&, c] {
                auto s = srv.connect();
                std::atomic<bool> woken{false};
                s->set_waker([&] { woken.store(true, std::memory_order_release); });
                const std::string cmd = c % 2 == 0 ? test::encode({"BLPOP", "q0", "q1", "q2", "0.01"})
                                                   : test::encode({"BRPOP", "q2", "q1", "q0", "0.01"});
                while (popped.load() < total) {
                    std::string reply;
                    s->process(cmd);
                    while (s->blocked()) {
                        if (woken.exchange(false, std::memory_order_acq_rel)) s->collect_async();
                        else if (!s->on_tick(std::chrono::steady_clock::now())) std::this_thread::yield();
                    }
                    reply = std::move(s->output());
                    s->output().clear();
                    if (reply == "*-1\r\n") continue;
                    // *2 $<n> key $<n> value
                    std::size_t pos = 0;
                    std::vector<std::string> lines;
                    while (pos < reply.size()) {
                        const auto e = reply.find("\r\n", pos);
                        lines.push_back(reply.substr(pos, e - pos));
                        pos = e + 2;
                    }
                    REQUIRE(lines.size() == 5);
                    CHECK(lines[0] == "*2");
                    got[static_cast<std::size_t>(c)].push_back(lines[4]);
                    popped.fetch_add(1);
                }
                s->close();
            });
        }
        for (int p = 0; p < producers; ++p) {
            threads.emplace_back([&, p] {
                auto& lists = srv.db.db(0).lists();
                for (int i = 0; i < per_producer; ++i) {
                    const std::string& q = queues[static_cast<std::size_t>(i + p) % queues.size()];
                    lists.push_back(q, "p" + std::to_string(p) + "-" + std::to_string(i));
                    if (i % 64 == 0) std::this_thread::yield();
                }
            });
        }
        for (auto& t : threads) t.join();
        std::vector<std::string> all;
        for (auto& g : got) all.insert(all.end(), g.begin(), g.end());
        CHECK(all.size() == static_cast<std::size_t>(total));
        std::sort(all.begin(), all.end());
        CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // none twice
        std::vector<std::string> want;
        for (int p = 0; p < producers; ++p)
            for (int i = 0; i < per_producer; ++i)
                want.push_back("p" + std::to_string(p) + "-" + std::to_string(i));
        std::sort(want.begin(), want.end());
        CHECK(all == want);
        for (const auto& q : queues) {
            CHECK(srv.db.db(0).lists().length(q) == 0);
            CHECK(srv.db.db(0).list_waiters().queued(q) == 0);
        }
        CHECK(srv.engine.database().db(0).size() == 0);
    }
}

}  // namespace resp_list_test
