#!/usr/bin/env python3
"""(g) Graceful shutdown: SHUTDOWN (redis-cli, and pipelined after other commands over a raw
socket) and SIGTERM / SIGINT make cachet-server exit 0 with its port closed; the replies of
commands executed before the shutdown reach their clients (a big one included); other
connections are closed."""

import signal
import time

import harness
from harness import check, command, expect_eq, recv_exactly, recv_until_closed


def wait_port_closed(srv):
    deadline = time.time() + 10
    while srv.port_open():
        check(time.time() < deadline, "port %d still accepts connections after exit" % srv.port)
        time.sleep(0.05)


def shutdown_command(binary):
    srv = harness.Server(binary, "--io-threads", "2")
    bystander = srv.connect()
    bystander.sendall(command("PING"))
    expect_eq(recv_exactly(bystander, 7), b"+PONG\r\n", "bystander PING")
    out = srv.cli("SHUTDOWN", check_rc=False)
    check("ERR" not in out, "redis-cli SHUTDOWN printed %r" % out)
    expect_eq(srv.wait(), 0, "exit status after SHUTDOWN")
    wait_port_closed(srv)
    expect_eq(recv_until_closed(bystander), b"", "the other connection is closed")
    log = srv.log_text()
    check("User requested shutdown" in log and "bye bye" in log, "shutdown log lines:\n" + log)
    srv.kill()


def shutdown_pipelined(binary):
    """SET, a big GET, then SHUTDOWN in one write: both replies arrive, then EOF (Redis does
    not reply to SHUTDOWN itself). SHUTDOWN NOSAVE is accepted too."""
    srv = harness.Server(binary, "--io-threads", "2")
    s = srv.connect(timeout=20)
    big = b"b" * (8 << 20)
    s.sendall(command("SET", "big", big))
    expect_eq(recv_exactly(s, 5), b"+OK\r\n", "SET big")
    other = srv.connect(timeout=20)
    other.sendall(command("SET", "k", "v") + command("GET", "big") + command("SHUTDOWN", "NOSAVE"))
    time.sleep(0.5)  # the 8 MB reply cannot fit in the socket buffers: it is in flight
    got = recv_until_closed(other)
    want = b"+OK\r\n$%d\r\n" % len(big) + big + b"\r\n"
    check(got == want, "replies in flight before SHUTDOWN: got %d bytes, want %d" % (len(got), len(want)))
    expect_eq(srv.wait(), 0, "exit status after a pipelined SHUTDOWN")
    wait_port_closed(srv)
    expect_eq(recv_until_closed(s), b"", "the first connection is closed")
    srv.kill()


def shutdown_signal(binary, sig):
    srv = harness.Server(binary, "--io-threads", "3")
    clients = [srv.connect() for _ in range(10)]
    for c in clients:
        c.sendall(command("PING"))
        expect_eq(recv_exactly(c, 7), b"+PONG\r\n", "PING before the signal")
    srv.proc.send_signal(sig)
    expect_eq(srv.wait(), 0, "exit status after %s" % signal.Signals(sig).name)
    wait_port_closed(srv)
    for c in clients:
        expect_eq(recv_until_closed(c), b"", "a client after %s" % signal.Signals(sig).name)
    log = srv.log_text()
    check("Received %s scheduling shutdown" % signal.Signals(sig).name in log, "signal log line:\n" + log)
    srv.kill()


def shutdown_while_idle(binary):
    """SIGTERM right after start-up, with no client ever connected."""
    srv = harness.Server(binary)
    srv.proc.send_signal(signal.SIGTERM)
    expect_eq(srv.wait(), 0, "exit status of an idle server after SIGTERM")
    wait_port_closed(srv)
    srv.kill()


def main():
    harness.require_tool("redis-cli")
    binary = harness.binary_from_argv()
    shutdown_command(binary)
    shutdown_pipelined(binary)
    shutdown_signal(binary, signal.SIGTERM)
    shutdown_signal(binary, signal.SIGINT)
    shutdown_while_idle(binary)
    print("ok")


if __name__ == "__main__":
    main()
