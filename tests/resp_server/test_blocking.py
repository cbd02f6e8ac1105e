#!/usr/bin/env python3
"""Blocking commands over the network: BLPOP times out through the event loop's timer; a push
from another connection (another I/O thread) serves it through the session's outbox and the
waker; the commands pipelined behind a blocked one wait for it; a blocked client that
disconnects, or is killed, leaves the server healthy; SHUTDOWN with a blocked client exits 0.

Skipped (exit 77) while cachet-server does not implement BLPOP. Expected bytes are
redis-server 7.0.15's; `python3 test_blocking.py --port PORT` runs the checks that need no
server log against an already running server (e.g. a real Redis)."""

import sys
import time

import harness
from harness import check, command, expect_eq, recv_exactly, recv_until_closed

NIL_ARRAY = b"*-1\r\n"


def served(key, value):
    return b"*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key.encode(), len(value), value.encode())


def checks(srv):
    admin = srv.connect(timeout=20)
    admin.sendall(command("DEL", "q1", "q2", "q3"))
    recv_exactly(admin, 4)

    # Timeout: BLPOP with 0.5 s answers a null array after about that long.
    a = srv.connect(timeout=20)
    start = time.time()
    a.sendall(command("BLPOP", "q1", "0.5"))
    expect_eq(recv_exactly(a, len(NIL_ARRAY)), NIL_ARRAY, "BLPOP timeout reply")
    elapsed = time.time() - start
    check(0.4 <= elapsed < 5, "BLPOP 0.5 returned after %.2f s" % elapsed)

    # Served by a push from another connection (round-robin: another I/O thread).
    b = srv.connect(timeout=20)
    a.sendall(command("BLPOP", "q1", "q2", "10") + command("PING"))  # PING waits behind BLPOP
    time.sleep(0.2)
    a.settimeout(0.3)
    try:
        early = a.recv(100)
        harness.fail("a blocked client got a reply before any push: %r" % early)
    except OSError:
        pass
    a.settimeout(20)
    b.sendall(command("RPUSH", "q2", "job1", "job2"))
    expect_eq(recv_exactly(b, 4), b":2\r\n", "RPUSH reply")
    want = served("q2", "job1") + b"+PONG\r\n"
    expect_eq(recv_exactly(a, len(want)), want, "BLPOP served by RPUSH, then the pipelined PING")
    b.sendall(command("LRANGE", "q2", "0", "-1"))
    want = b"*1\r\n$4\r\njob2\r\n"
    expect_eq(recv_exactly(b, len(want)), want, "the element left after BLPOP took one")

    # Many blocked clients, served in FIFO order by one push each.
    waiters = [srv.connect(timeout=20) for _ in range(6)]
    for w in waiters:
        w.sendall(command("BLPOP", "q3", "10"))
        time.sleep(0.05)  # the order in which they block
    for i in range(6):
        b.sendall(command("LPUSH", "q3", "v%d" % i))
        recv_exactly(b, 4)
        expect_eq(recv_exactly(waiters[i], len(served("q3", "v%d" % i))), served("q3", "v%d" % i),
                  "waiter %d served in FIFO order" % i)
    for w in waiters:
        w.close()

    # A blocked client that disconnects: the next push is not lost.
    c = srv.connect(timeout=20)
    c.sendall(command("BLPOP", "q1", "10"))
    time.sleep(0.1)
    c.close()
    time.sleep(0.1)
    b.sendall(command("LPUSH", "q1", "kept") + command("LLEN", "q1"))
    expect_eq(recv_exactly(b, 8), b":1\r\n:1\r\n", "push after the blocked client left")

    # CLIENT KILL of a blocked client.
    d = srv.connect(timeout=20)
    d.sendall(command("CLIENT", "ID"))
    line = b""
    while not line.endswith(b"\r\n"):
        line += d.recv(1)
    d_id = line[1:-2].decode()
    d.sendall(command("BLPOP", "nothing", "10"))
    time.sleep(0.1)
    admin.sendall(command("CLIENT", "KILL", "ID", d_id))
    expect_eq(recv_exactly(admin, 4), b":1\r\n", "CLIENT KILL ID of a blocked client")
    expect_eq(recv_until_closed(d), b"", "the killed blocked client's connection")
    d.close()
    return admin, a, b


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--port":
        class Existing(harness.Server):
            def __init__(self, port):  # noqa: D401 - an already running server
                self.port = port
        checks(Existing(int(sys.argv[2])))
        print("ok on port", sys.argv[2])
        return
    srv = harness.Server(harness.binary_from_argv(), "--io-threads", "2")
    probe = srv.connect()
    probe.sendall(command("BLPOP", "probe", "0.01"))
    reply = probe.recv(200)
    if b"unknown command" in reply:
        print("SKIP: cachet-server has no BLPOP yet (%r)" % reply)
        srv.kill()
        sys.exit(harness.SKIP)
    probe.close()
    admin, a, b = checks(srv)
    # SHUTDOWN while a client is blocked: the server exits 0 and closes it.
    a.sendall(command("BLPOP", "never", "0"))
    time.sleep(0.1)
    admin.sendall(command("SHUTDOWN"))
    expect_eq(srv.wait(), 0, "exit status of SHUTDOWN with a blocked client")
    expect_eq(recv_until_closed(a), b"", "the blocked client after SHUTDOWN")
    srv.kill()
    print("ok")


if __name__ == "__main__":
    main()
