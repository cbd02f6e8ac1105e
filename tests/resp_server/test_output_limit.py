#!/usr/bin/env python3
"""(d) client-output-buffer-limit: a pub/sub client that subscribes and never reads is
disconnected once its unsent output reaches the pubsub hard limit (set with CONFIG SET), or
stays over the soft limit longer than soft-seconds, while other clients carry on normally; the
normal class's hard limit closes a client that pipelines big replies and never reads them."""

import socket
import threading
import time

import harness
from harness import check, command, expect_eq, recv_exactly

MESSAGE = b"m" * (64 * 1024)


def slow_subscriber(srv, channel):
    """Subscribes with a tiny receive buffer and reads only the confirmation."""
    s = srv.connect(rcvbuf=4096)
    s.sendall(command("SUBSCRIBE", channel))
    want = b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(channel), channel.encode())
    expect_eq(recv_exactly(s, len(want)), want, "SUBSCRIBE confirmation")
    return s


def closed_by_server(sock, timeout=30):
    """Drains what the server sent before closing; True once EOF (or a reset) arrives."""
    sock.settimeout(timeout)
    try:
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class Bystander(threading.Thread):
    """A normal client doing SET/GET round trips the whole time; records any failure."""

    def __init__(self, srv):
        super().__init__(daemon=True)
        self.sock = srv.connect()
        self.stop = False
        self.error = None
        self.rounds = 0

    def run(self):
        try:
            while not self.stop:
                v = b"%d" % self.rounds
                self.sock.sendall(command("SET", "bystander", v) + command("GET", "bystander"))
                want = b"+OK\r\n$%d\r\n%s\r\n" % (len(v), v)
                got = recv_exactly(self.sock, len(want))
                if got != want:
                    self.error = "bystander got %r, wanted %r" % (got, want)
                    return
                self.rounds += 1
        except OSError as e:
            self.error = "bystander: %s" % e


def publish(pub, channel, payload):
    pub.sendall(command("PUBLISH", channel, payload))
    line = b""
    while not line.endswith(b"\r\n"):
        chunk = pub.recv(64)
        check(chunk, "publisher connection closed")
        line += chunk
    check(line[:1] == b":", "PUBLISH reply %r" % line)
    return int(line[1:-2])


def main():
    srv = harness.Server(harness.binary_from_argv(), "--io-threads", "2")
    admin = srv.connect()
    admin.sendall(command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 128kb 60"))
    expect_eq(recv_exactly(admin, 5), b"+OK\r\n", "CONFIG SET client-output-buffer-limit pubsub")

    bystander = Bystander(srv)
    bystander.start()
    # A healthy subscriber, reading everything, must keep its subscription.
    healthy = srv.connect()
    healthy.sendall(command("SUBSCRIBE", "small"))
    recv_exactly(healthy, len(b"*3\r\n$9\r\nsubscribe\r\n$5\r\nsmall\r\n:1\r\n"))

    # --- hard limit ----------------------------------------------------------------------------
    slow = slow_subscriber(srv, "firehose")
    pub = srv.connect()
    sent = 0
    for sent in range(1, 1001):  # 64 MB at most; the limit (plus socket buffers) is far less
        if publish(pub, "firehose", MESSAGE) == 0:
            break
    else:
        harness.fail("the slow subscriber was never disconnected (1000 x 64 KiB published)")
    check(sent > 2, "disconnected after only %d messages: the limit fired too early" % sent)
    check(closed_by_server(slow), "the slow subscriber's connection is still open")
    slow.close()
    # The others carry on: the healthy subscriber still gets messages, the bystander still runs.
    expect_eq(publish(pub, "small", "hello"), 1, "PUBLISH to the healthy subscriber")
    want = b"*3\r\n$7\r\nmessage\r\n$5\r\nsmall\r\n$5\r\nhello\r\n"
    expect_eq(recv_exactly(healthy, len(want)), want, "the healthy subscriber's message")
    check("output buffer limits" in srv.log_text(), "no log line for the output-limit disconnection")

    # --- soft limit: over 128 KiB for more than 1 s ---------------------------------------------
    admin.sendall(command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 128kb 1"))
    expect_eq(recv_exactly(admin, 5), b"+OK\r\n", "CONFIG SET pubsub soft limit")
    slow = slow_subscriber(srv, "drizzle")
    start = time.time()
    for _ in range(100):  # 6.4 MB fills the socket buffers and goes over the soft limit
        if publish(pub, "drizzle", MESSAGE) == 0:
            break
    gone = False
    while time.time() - start < 20:  # then a trickle: still over the soft limit
        if publish(pub, "drizzle", "tick") == 0:
            gone = True
            break
        time.sleep(0.1)
    check(gone, "the subscriber over the soft limit was not disconnected in 20 s")
    check(closed_by_server(slow), "the soft-limited subscriber's connection is still open")
    slow.close()

    # --- normal class: big pipelined replies never read -----------------------------------------
    admin.sendall(command("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0"))
    expect_eq(recv_exactly(admin, 5), b"+OK\r\n", "CONFIG SET normal hard limit")
    big = b"v" * (100 * 1024)
    admin.sendall(command("SET", "bigvalue", big))
    expect_eq(recv_exactly(admin, 5), b"+OK\r\n", "SET bigvalue")
    greedy = srv.connect(rcvbuf=4096)
    greedy.sendall(command("GET", "bigvalue") * 200)  # 20 MB of replies
    time.sleep(0.5)
    check(closed_by_server(greedy), "the client over the normal hard limit is still open")
    greedy.close()
    admin.sendall(command("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"))
    expect_eq(recv_exactly(admin, 5), b"+OK\r\n", "CONFIG SET normal limit off")

    bystander.stop = True
    bystander.join(10)
    check(bystander.error is None, bystander.error or "")
    check(bystander.rounds > 10, "the bystander made only %d round trips" % bystander.rounds)
    # The admin connection itself (normal class, all replies read) is untouched.
    admin.sendall(command("PING"))
    expect_eq(recv_exactly(admin, 7), b"+PONG\r\n", "admin PING at the end")
    srv.kill()
    print("ok (hard limit after %d messages; bystander made %d round trips)" % (sent, bystander.rounds))


if __name__ == "__main__":
    main()
