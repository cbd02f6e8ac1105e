#!/usr/bin/env python3
"""(f) maxclients: the connection over the limit gets "-ERR max number of clients reached" and
is closed, counted in INFO's rejected_connections; a slot freed is reusable; CONFIG SET
maxclients applies to the next connections. Also the idle `timeout`: an idle client is closed,
while a subscriber and a client that keeps talking are not."""

import re
import time

import harness
from harness import check, command, expect_eq, recv_exactly, recv_until_closed

MAXCLIENTS_ERR = b"-ERR max number of clients reached\r\n"


def ping(s, what):
    s.sendall(command("PING"))
    expect_eq(recv_exactly(s, 7), b"+PONG\r\n", what)


def info_field(sock, field):
    sock.sendall(command("INFO"))
    head = b""
    while not head.endswith(b"\r\n"):
        head += sock.recv(1)
    n = int(head[1:-2])
    body = recv_exactly(sock, n + 2).decode()
    return int(re.search(r"%s:(\d+)" % field, body).group(1))


def maxclients(binary):
    srv = harness.Server(binary, "--maxclients", "3", "--io-threads", "2")
    clients = [srv.connect() for _ in range(3)]
    for i, c in enumerate(clients):
        ping(c, "client %d of 3" % (i + 1))
    for attempt in range(2):
        extra = srv.connect()
        expect_eq(recv_until_closed(extra), MAXCLIENTS_ERR, "connection 4 of 3 (attempt %d)" % attempt)
        extra.close()
    expect_eq(info_field(clients[0], "rejected_connections"), 2, "INFO rejected_connections")
    expect_eq(info_field(clients[0], "connected_clients"), 3, "INFO connected_clients")
    # Free a slot: the next connection is served (the server may take a moment to see the close).
    clients.pop().close()
    deadline = time.time() + 10
    while True:
        c = srv.connect()
        c.sendall(command("PING"))
        reply = recv_exactly(c, 7)
        if reply == b"+PONG\r\n":
            clients.append(c)
            break
        check(reply == MAXCLIENTS_ERR[:7] and time.time() < deadline, "after a close: %r" % reply)
        c.close()
        time.sleep(0.05)
    # CONFIG SET maxclients raises the limit for new connections.
    clients[0].sendall(command("CONFIG", "SET", "maxclients", "5"))
    expect_eq(recv_exactly(clients[0], 5), b"+OK\r\n", "CONFIG SET maxclients 5")
    for i in range(2):
        c = srv.connect()
        ping(c, "client %d of 5" % (4 + i))
        clients.append(c)
    extra = srv.connect()
    expect_eq(recv_until_closed(extra), MAXCLIENTS_ERR, "connection 6 of 5")
    extra.close()
    for c in clients:
        ping(c, "the admitted clients still work")
        c.close()
    srv.kill()


def idle_timeout(binary):
    srv = harness.Server(binary, "--timeout", "1", "--io-threads", "2")
    idle = srv.connect(timeout=15)
    ping(idle, "idle client before idling")
    subscriber = srv.connect(timeout=15)
    subscriber.sendall(command("SUBSCRIBE", "ch"))
    recv_exactly(subscriber, len(b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"))
    chatty = srv.connect(timeout=15)
    start = time.time()
    closed_after = None
    while time.time() - start < 10:
        ping(chatty, "a client that keeps talking")
        idle.settimeout(0.2)
        try:
            if idle.recv(16) == b"":
                closed_after = time.time() - start
                break
        except OSError:
            pass
    check(closed_after is not None, "the idle client was not closed within 10 s (timeout 1)")
    check(closed_after >= 0.9, "the idle client was closed after only %.2f s" % closed_after)
    # The subscriber was idle just as long and stays.
    subscriber.sendall(command("PING"))
    want = b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    expect_eq(recv_exactly(subscriber, len(want)), want, "the subscriber survives the idle timeout")
    ping(chatty, "the chatty client survives")
    srv.kill()


def main():
    binary = harness.binary_from_argv()
    maxclients(binary)
    idle_timeout(binary)
    print("ok")


if __name__ == "__main__":
    main()
