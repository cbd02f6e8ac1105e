#!/usr/bin/env python3
"""(a) Scripted redis-cli sessions against cachet-server, asserting exact replies; pipelining
with redis-cli --pipe and over a raw socket; inline commands over a raw socket; CLIENT
SETNAME/GETNAME/LIST/KILL.

The expected outputs are what redis-cli prints (not a terminal: raw replies, one per line) for
redis-server 7.0.15. To check them against a real Redis, start one and run
`python3 test_cli.py --port PORT` (the tests that need cachet-server's log are skipped).
"""

import re
import subprocess
import sys
import time

import harness
from harness import check, command, expect_eq, recv_exactly, recv_until_closed

# One redis-cli session (one connection): the commands, then the exact output.
SESSION = """\
PING
PING "hello world"
ECHO abc
SET k v EX 100
TTL k
GET k
GET nokey
SET n 10
INCR n
INCRBY n 5
DECR n
MGET k n nokey
EXISTS k n nokey
DEL n nokey
EXISTS n
INCR k
EXPIRE k 50
TTL k
PERSIST k
TTL k
PERSIST k
TTL nokey
SET k2 v2 PX 100000
PTTL nokey
APPEND k2 xyz
GET k2
STRLEN k2
SET k v NX
SET k w XX GET
GETDEL k
GET k
TYPE k2
SELECT 1
DBSIZE
SET only1 x
DBSIZE
GET k2
SELECT 0
GET only1
EXISTS k2
SELECT 16
CONFIG SET maxmemory 100mb
CONFIG GET maxmemory
CONFIG SET maxmemory 0
CONFIG GET maxmemory-policy
CONFIG SET timeout 0
CONFIG SET nosuchparam 1
CONFIG GET port-nope
NOSUCHCOMMAND a b
GET
CLIENT SETNAME cli-session
CLIENT GETNAME
QUIT
"""

EXPECTED = """\
PONG
hello world
abc
OK
100
v

OK
11
16
15
v
15

2
1
0
ERR value is not an integer or out of range

1
50
1
-1
0
-2
OK
-2
5
v2xyz
5

v
w

string
OK
0
OK
1

OK

1
ERR DB index is out of range

OK
maxmemory
104857600
OK
maxmemory-policy
noeviction
OK
ERR Unknown option or number of arguments for CONFIG SET - 'nosuchparam'


ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'a' 'b' 

ERR wrong number of arguments for 'get' command

OK
cli-session
"""


def cli_session(srv):
    out = srv.cli(stdin=SESSION)
    lines_got, lines_want = out.split("\n"), EXPECTED.split("\n")
    for i, (g, w) in enumerate(zip(lines_got, lines_want)):
        if g != w:
            harness.fail("redis-cli session: line %d differs\n  got:  %r\n  want: %r\n--- full output ---\n%s"
                         % (i + 1, g, w, out))
    expect_eq(out, EXPECTED, "redis-cli session output")


def keys_and_scan(srv):
    srv.cli("FLUSHALL")
    for i in range(30):
        srv.cli("SET", "user:%d" % i, str(i))
    srv.cli("SET", "other", "x")
    keys = sorted(srv.cli("KEYS", "user:*").split())
    expect_eq(keys, sorted("user:%d" % i for i in range(30)), "KEYS user:*")
    expect_eq(srv.cli("KEYS", "oth?r"), "other\n", "KEYS oth?r")
    expect_eq(srv.cli("DBSIZE"), "31\n", "DBSIZE")
    # SCAN until the cursor returns to 0: every key exactly once (no key is modified meanwhile).
    seen, cursor, rounds = [], "0", 0
    while True:
        lines = srv.cli("SCAN", cursor, "MATCH", "user:*", "COUNT", "7").split("\n")
        cursor = lines[0]
        seen += [x for x in lines[1:] if x]
        rounds += 1
        if cursor == "0" or rounds > 1000:
            break
    expect_eq(sorted(set(seen)), sorted("user:%d" % i for i in range(30)), "SCAN MATCH user:*")
    check(len(seen) == 30, "SCAN returned a key twice: %r" % seen)
    # --scan is redis-cli's own SCAN loop.
    expect_eq(sorted(srv.cli("--scan", "--pattern", "user:1*").split()),
              sorted(["user:1"] + ["user:1%d" % i for i in range(10)]), "redis-cli --scan")


def info(srv):
    text = srv.cli("INFO")
    for field in ("redis_version:", "tcp_port:%d" % srv.port, "connected_clients:", "keyspace_hits:",
                  "keyspace_misses:", "used_memory:", "# Keyspace"):
        check(field in text, "INFO lacks %r:\n%s" % (field, text))
    srv.cli("SET", "hit", "1")
    before = int(re.search(r"keyspace_hits:(\d+)", srv.cli("INFO", "stats")).group(1))
    srv.cli("GET", "hit")
    after = int(re.search(r"keyspace_hits:(\d+)", srv.cli("INFO", "stats")).group(1))
    expect_eq(after, before + 1, "keyspace_hits after one GET hit")
    check(re.search(r"db0:keys=\d+,expires=\d+", srv.cli("INFO", "keyspace")), "INFO keyspace db0 line")


def client_commands(srv):
    victim = srv.connect()
    victim.sendall(command("CLIENT", "SETNAME", "victim") + command("CLIENT", "ID"))
    reply = b""
    while reply.count(b"\r\n") < 2:
        chunk = victim.recv(1024)
        check(chunk, "victim connection closed early")
        reply += chunk
    m = re.match(rb"\+OK\r\n:(\d+)\r\n$", reply)
    check(m, "CLIENT SETNAME/ID reply %r" % reply)
    victim_id = m.group(1).decode()
    listing = srv.cli("CLIENT", "LIST")
    line = [x for x in listing.split("\n") if " name=victim " in x]
    check(len(line) == 1, "CLIENT LIST has no victim line:\n" + listing)
    check(line[0].startswith("id=%s addr=127.0.0.1:" % victim_id), "CLIENT LIST line: " + line[0])
    check(" laddr=127.0.0.1:%d " % srv.port in line[0], "CLIENT LIST laddr: " + line[0])
    expect_eq(srv.cli("CLIENT", "KILL", "ID", victim_id), "1\n", "CLIENT KILL ID")
    expect_eq(recv_until_closed(victim), b"", "the killed client's connection")
    victim.close()
    check(" name=victim " not in srv.cli("CLIENT", "LIST"), "killed client still listed")
    expect_eq(srv.cli("CLIENT", "KILL", "ID", victim_id), "0\n", "CLIENT KILL ID of a gone client")
    # Old form: CLIENT KILL addr:port.
    other = srv.connect()
    other.sendall(command("CLIENT", "SETNAME", "other"))
    expect_eq(recv_exactly(other, 5), b"+OK\r\n", "CLIENT SETNAME other")
    addr = re.search(r"addr=(\S+) [^\n]* name=other ", srv.cli("CLIENT", "LIST")).group(1)
    expect_eq(srv.cli("CLIENT", "KILL", addr), "OK\n", "CLIENT KILL addr")
    expect_eq(recv_until_closed(other), b"", "the connection killed by address")
    other.close()


def pipelining(srv):
    srv.cli("FLUSHDB")
    n = 20000
    proto = b"".join(command("SET", "pipe:%d" % i, "value-%d" % i) for i in range(n))
    r = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(srv.port), "--pipe"], input=proto,
                       capture_output=True, timeout=60)
    out = r.stdout.decode()
    check(r.returncode == 0, "redis-cli --pipe failed: " + out + r.stderr.decode())
    check("errors: 0, replies: %d" % n in out, "redis-cli --pipe summary: " + out)
    expect_eq(srv.cli("DBSIZE"), "%d\n" % n, "DBSIZE after --pipe")
    expect_eq(srv.cli("GET", "pipe:12345"), "value-12345\n", "a piped key")

    # Raw socket: several commands in one write; all replies arrive, in order, together.
    s = srv.connect()
    batch = command("SET", "a", "1") + command("INCR", "a") + command("GET", "a") + command("PING") + \
        command("DEL", "a") + command("GET", "a")
    want = b"+OK\r\n:2\r\n$1\r\n2\r\n+PONG\r\n:1\r\n$-1\r\n"
    exchange(s, batch, want, "pipelined batch")
    # The same batch split at every byte boundary in two writes.
    for cut in range(0, len(batch), 7):
        s.sendall(batch[:cut])
        time.sleep(0.001)
        s.sendall(batch[cut:])
        expect_eq(recv_exactly(s, len(want)), want, "pipelined batch split at %d" % cut)
    # A big pipeline: 5000 GETs of a 1 KiB value, sent in one go (replies > the socket buffer).
    value = b"x" * 1024
    s.sendall(command("SET", "big", value))
    expect_eq(recv_exactly(s, 5), b"+OK\r\n", "SET big")
    s.sendall(command("GET", "big") * 5000)
    one = b"$1024\r\n" + value + b"\r\n"
    got = recv_exactly(s, len(one) * 5000)
    check(got == one * 5000, "5000 pipelined GET replies (%d bytes received)" % len(got))
    s.close()


def exchange(sock, raw, want, what):
    """Sends `raw`; expects exactly the bytes `want` back."""
    sock.sendall(raw)
    expect_eq(recv_exactly(sock, len(want)), want, what)


def inline_commands(srv):
    s = srv.connect()
    exchange(s, b"PING\r\n", b"+PONG\r\n", "inline PING")
    exchange(s, b"SET inline:key 'hello world'\r\n", b"+OK\r\n", "inline SET with quotes")
    exchange(s, b"GET inline:key\n", b"$11\r\nhello world\r\n", "inline GET, bare \\n")
    exchange(s, b'ECHO "a\\tb\\x41"\r\n', b"$4\r\na\tbA\r\n", "inline ECHO with escapes")
    exchange(s, b"\r\n\r\nPING\r\n", b"+PONG\r\n", "blank inline lines are skipped")
    exchange(s, b"PING\r\n" + command("ECHO", "x") + b"EXISTS inline:key\r\n",
             b"+PONG\r\n$1\r\nx\r\n:1\r\n", "inline and multibulk mixed in one write")
    s.close()
    # telnet-style: a line typed in pieces.
    s = srv.connect()
    for piece in (b"SE", b"T t 1", b"\r", b"\n"):
        s.sendall(piece)
        time.sleep(0.01)
    expect_eq(recv_exactly(s, 5), b"+OK\r\n", "inline command sent in pieces")
    s.close()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--port":  # check the expectations on a real Redis
        class Existing(harness.Server):
            def __init__(self, port):  # noqa: D401 - no process: an already running server
                self.port = port
        srv = Existing(int(sys.argv[2]))
        cli_session(srv)
        print("redis-cli session output matches on port", srv.port)
        return
    harness.require_tool("redis-cli")
    srv = harness.Server(harness.binary_from_argv(), "--io-threads", "2")
    cli_session(srv)
    keys_and_scan(srv)
    info(srv)
    client_commands(srv)
    pipelining(srv)
    inline_commands(srv)
    # The server is still healthy after all of the above.
    expect_eq(srv.cli("PING"), "PONG\n", "final PING")
    srv.kill()
    print("ok")


if __name__ == "__main__":
    main()
