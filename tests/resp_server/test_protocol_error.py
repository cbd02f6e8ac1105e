#!/usr/bin/env python3
"""(e) Malformed input over a raw socket gets Redis's protocol error and the connection is
closed, after the replies of the commands before it, while other connections keep working:
a bad bulk length, a bulk length over proto-max-bulk-len (the default 512 MB and a configured
one), a bad multibulk count, unbalanced quotes inline, a too long inline line; and a client
whose unparsed input exceeds client-query-buffer-limit is closed without a reply. Expected
bytes are redis-server 7.0.15's."""

import socket
import time

import harness
from harness import check, command, expect_eq, recv_exactly


def reply_then_close(srv, raw, what, timeout=10):
    """Sends `raw` on a new connection; returns everything received until the server closes."""
    s = srv.connect(timeout=timeout)
    try:
        s.sendall(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass  # closed while we were still sending: what was received still counts
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass  # closed with our unread bytes pending: the kernel sends RST
    except socket.timeout:
        harness.fail("%s: the connection was not closed (received %r)" % (what, data[:200]))
    s.close()
    return data


def main():
    binary = harness.binary_from_argv()
    srv = harness.Server(binary, "--io-threads", "2")
    keeper = srv.connect()  # a connection that must be unaffected by all of this

    def keeper_ok(what):
        keeper.sendall(command("INCR", "keeper"))
        line = b""
        while not line.endswith(b"\r\n"):
            chunk = keeper.recv(64)
            check(chunk, "the other connection was closed after: " + what)
            line += chunk
        check(line[:1] == b":", "the other connection got %r after: %s" % (line, what))

    cases = [
        (b"*1\r\n$x\r\n", b"-ERR Protocol error: invalid bulk length\r\n", "a non-numeric bulk length"),
        (b"*1\r\n$-5\r\n", b"-ERR Protocol error: invalid bulk length\r\n", "a negative bulk length"),
        (b"*1\r\n$600000000\r\n", b"-ERR Protocol error: invalid bulk length\r\n",
         "a bulk length over the default proto-max-bulk-len (512 MB)"),
        (b"*x\r\n", b"-ERR Protocol error: invalid multibulk length\r\n", "a bad multibulk count"),
        (b"*1\r\nPING\r\n", b"-ERR Protocol error: expected '$', got 'P'\r\n", "a missing '$'"),
        (b'SET a "b\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n", "unbalanced quotes inline"),
        (b"x" * 70000, b"-ERR Protocol error: too big inline request\r\n", "an inline line over 64 KiB"),
        # The commands before the bad one run and their replies are written first.
        (command("SET", "before", "1") + command("PING") + b"*1\r\n$x\r\n" + command("SET", "after", "1"),
         b"+OK\r\n+PONG\r\n-ERR Protocol error: invalid bulk length\r\n", "a bad frame inside a pipeline"),
    ]
    for raw, want, what in cases:
        expect_eq(reply_then_close(srv, raw, what), want, what)
        keeper_ok(what)
    keeper.sendall(command("EXISTS", "before", "after"))
    expect_eq(recv_exactly(keeper, 4), b":1\r\n", "only the command before the protocol error ran")

    # A bad frame split across writes, byte by byte.
    s = srv.connect()
    for b in b"*1\r\n$x\r\n":
        try:
            s.sendall(bytes([b]))
        except OSError:
            break
        time.sleep(0.002)
    want = b"-ERR Protocol error: invalid bulk length\r\n"
    expect_eq(recv_exactly(s, len(want)), want, "a bad bulk length sent byte by byte")
    expect_eq(s.recv(10), b"", "connection after the byte-by-byte protocol error")
    s.close()

    # proto-max-bulk-len set with CONFIG SET: 1 MB; a 2 MB bulk is refused, a 1 MB one accepted.
    keeper.sendall(command("CONFIG", "SET", "proto-max-bulk-len", "1mb"))
    expect_eq(recv_exactly(keeper, 5), b"+OK\r\n", "CONFIG SET proto-max-bulk-len 1mb")
    expect_eq(reply_then_close(srv, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n", "2 MB bulk"),
              b"-ERR Protocol error: invalid bulk length\r\n", "a bulk over proto-max-bulk-len 1mb")
    s = srv.connect()
    value = b"v" * 1000000
    s.sendall(command("SET", "onemb", value) + command("STRLEN", "onemb"))
    expect_eq(recv_exactly(s, 15), b"+OK\r\n:1000000\r\n", "a 1 MB bulk under proto-max-bulk-len 1mb")
    s.close()
    keeper_ok("proto-max-bulk-len")

    # client-query-buffer-limit 1mb (its minimum): a 10 MB bulk in progress is closed without a
    # reply once more than 1 MB of it is buffered.
    keeper.sendall(command("CONFIG", "SET", "proto-max-bulk-len", "100mb") +
                   command("CONFIG", "SET", "client-query-buffer-limit", "1mb"))
    expect_eq(recv_exactly(keeper, 10), b"+OK\r\n+OK\r\n", "CONFIG SET client-query-buffer-limit 1mb")
    raw = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10000000\r\n" + b"x" * 3000000
    expect_eq(reply_then_close(srv, raw, "query buffer limit"), b"", "closed without a reply")
    check("max query buffer length" in srv.log_text(), "no log line for the query buffer limit")
    keeper_ok("query buffer limit")
    # Under the limit, big requests pass: 900 KB values, pipelined.
    s = srv.connect()
    value = b"q" * 900000
    s.sendall(command("SET", "q", value) + command("GET", "q"))
    want = b"+OK\r\n$900000\r\n" + value + b"\r\n"
    expect_eq(recv_exactly(s, len(want)), want, "a 900 KB value under the 1 MB query buffer limit")
    s.close()
    keeper_ok("the end")
    keeper.close()
    srv.kill()

    # --proto-max-bulk-len on the command line, with a unit.
    srv = harness.Server(binary, "--proto-max-bulk-len", "2mb")
    expect_eq(reply_then_close(srv, b"*1\r\n$3000000\r\n", "3 MB bulk"),
              b"-ERR Protocol error: invalid bulk length\r\n", "a bulk over --proto-max-bulk-len 2mb")
    expect_eq(srv.cli("CONFIG", "GET", "proto-max-bulk-len"), "proto-max-bulk-len\n2097152\n",
              "CONFIG GET proto-max-bulk-len")
    srv.kill()
    print("ok")


if __name__ == "__main__":
    main()
