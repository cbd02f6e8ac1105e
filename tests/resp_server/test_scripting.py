#!/usr/bin/env python3
"""Lua scripts that run away, over real sockets and redis-cli: while a script runs past
busy-reply-threshold, every other client (on its I/O thread too, and new connections) gets
BUSY, SCRIPT KILL from a fresh redis-cli stops it, and the server serves on; a script that
wrote is UNKILLABLE, and SHUTDOWN NOSAVE stops it and the server. With one I/O thread and two.
Skipped (exit 77) if cachet-server was built without Lua."""

import sys
import time

import harness
from harness import check, command, expect_eq

BUSY = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
LOOP = "while true do end"
LOOP_SHA = "694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7"
KILLED = ("-ERR Script killed by user with SCRIPT KILL... script: %s, on @user_script:1.\r\n" %
          LOOP_SHA).encode()


def recv_line(sock):
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        check(chunk, "connection closed while waiting for a reply (got %r)" % data)
        data += chunk
    return data


def runaway(binary, io_threads):
    srv = harness.Server(binary, "--io-threads", str(io_threads))
    if srv.cli("COMMAND", "INFO", "EVAL").strip() == "":
        srv.kill()
        print("SKIP: this cachet-server has no EVAL (built without Lua)")
        sys.exit(77)
    expect_eq(srv.cli("CONFIG", "SET", "busy-reply-threshold", "100").strip(), "OK", "threshold")
    bystander = srv.connect()  # connected before the script: on one of the I/O threads
    s = srv.connect(timeout=30)
    s.sendall(command("EVAL", LOOP, "0"))
    time.sleep(0.3)
    bystander.sendall(command("GET", "x"))
    expect_eq(recv_line(bystander), ("-%s\r\n" % BUSY).encode(), "a connected client gets BUSY")
    for _ in range(2):  # new connections: accepted and answered while the script runs
        expect_eq(srv.cli("GET", "x").strip(), BUSY, "redis-cli GET while busy")
    expect_eq(srv.cli("SCRIPT", "KILL").strip(), "OK", "SCRIPT KILL from a new connection")
    expect_eq(recv_line(s), KILLED, "the script's client gets the kill error")
    expect_eq(srv.cli("SET", "after", "1").strip(), "OK", "serving again")
    bystander.sendall(command("PING"))
    expect_eq(recv_line(bystander), b"+PONG\r\n", "the bystander again")

    s.sendall(command("EVAL", "redis.call('SET', 'w', '1') " + LOOP, "0"))
    time.sleep(0.3)
    check(srv.cli("SCRIPT", "KILL").startswith("UNKILLABLE"), "a script that wrote is unkillable")
    deadline = time.time() + 20
    while srv.proc.poll() is None:  # the first SHUTDOWN may only stop the script (see README)
        check(time.time() < deadline, "SHUTDOWN NOSAVE never stopped the server")
        srv.cli("SHUTDOWN", "NOSAVE", check_rc=False)
        time.sleep(0.2)
    expect_eq(srv.wait(), 0, "exit status after SHUTDOWN NOSAVE")
    srv.kill()


def main():
    harness.require_tool("redis-cli")
    binary = harness.binary_from_argv()
    runaway(binary, 1)
    runaway(binary, 2)
    print("ok")


if __name__ == "__main__":
    main()
