#!/usr/bin/env python3
"""(c) requirepass: every command but AUTH/HELLO/QUIT gets NOAUTH and does nothing; AUTH with
a wrong password gets WRONGPASS; AUTH and AUTH default <pw> succeed; HELLO 3 AUTH default <pw>
authenticates and switches to RESP3; redis-cli -a and redis-py with a password work; CONFIG
SET requirepass changes the password for new connections. Expected bytes are redis-server
7.0.15's."""

import re

import harness
from harness import check, command, expect_eq, recv_exactly, recv_until_closed

PASSWORD = "se cret"  # a space: quoting on the command line and in AUTH
NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"


def exchange(sock, raw, want, what):
    sock.sendall(raw)
    expect_eq(recv_exactly(sock, len(want)), want, what)


def main():
    harness.require_tool("redis-cli")
    srv = harness.Server(harness.binary_from_argv(), "--requirepass", PASSWORD)

    s = srv.connect()
    exchange(s, command("GET", "k"), NOAUTH, "GET before AUTH")
    exchange(s, command("SET", "k", "v"), NOAUTH, "SET before AUTH")
    exchange(s, b"PING\r\n", NOAUTH, "inline PING before AUTH")
    exchange(s, command("AUTH", "wrong"), WRONGPASS, "AUTH with a wrong password")
    exchange(s, command("AUTH", "default", "wrong"), WRONGPASS, "AUTH default with a wrong password")
    # Redis 7.0.15 goes on "..., otherwise the HELLO AUTH <user> <pass> option can be used to
    # authenticate the client and select the RESP protocol version at the same time"; the
    # wording of the rest is the command layer's business, checked by its own tests.
    s.sendall(command("HELLO"))
    line = b""
    while not line.endswith(b"\r\n"):
        chunk = s.recv(4096)
        check(chunk, "connection closed after HELLO")
        line += chunk
    check(line.startswith(b"-NOAUTH HELLO must be called with the client already authenticated, "),
          "HELLO before AUTH: %r" % line)
    exchange(s, command("HELLO", "3", "AUTH", "default", "wrong"), WRONGPASS, "HELLO 3 AUTH wrong")
    exchange(s, command("AUTH", PASSWORD) + command("GET", "k"), b"+OK\r\n$-1\r\n",
             "AUTH, then GET (the SET before AUTH did nothing)")
    exchange(s, command("SET", "k", "v") + command("GET", "k"), b"+OK\r\n$1\r\nv\r\n", "after AUTH")
    s.close()

    # Unauthenticated clients may not send big requests (Redis's limits before AUTH).
    s = srv.connect()
    s.sendall(b"*1000\r\n")
    expect_eq(recv_until_closed(s), b"-ERR Protocol error: unauthenticated multibulk length\r\n",
              "a big multibulk before AUTH")
    s.close()

    # AUTH default <pw>, and QUIT allowed before AUTH.
    s = srv.connect()
    exchange(s, command("AUTH", "default", PASSWORD), b"+OK\r\n", "AUTH default <pw>")
    s.close()
    s = srv.connect()
    exchange(s, command("QUIT"), b"+OK\r\n", "QUIT before AUTH")
    expect_eq(recv_until_closed(s), b"", "connection after QUIT")
    s.close()

    # HELLO 3 AUTH default <pw>: a RESP3 map, then RESP3 replies.
    s = srv.connect()
    s.sendall(command("HELLO", "3", "AUTH", "default", PASSWORD))
    head = recv_exactly(s, 3)
    expect_eq(head, b"%7\r", "HELLO 3 replies with a 7-entry RESP3 map")
    rest = b""
    while b"$7\r\nmodules\r\n*0\r\n" not in rest:
        chunk = s.recv(4096)
        check(chunk, "connection closed during HELLO")
        rest += chunk
    check(re.search(rb"\$5\r\nproto\r\n:3\r\n", rest), "HELLO map proto 3: %r" % rest)
    check(b"$6\r\nserver\r\n$5\r\nredis\r\n" in rest, "HELLO map server: %r" % rest)
    exchange(s, command("GET", "nokey"), b"_\r\n", "RESP3 null after HELLO 3")
    exchange(s, command("CONFIG", "GET", "maxclients"), b"%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n",
             "RESP3 map from CONFIG GET")
    s.close()

    # redis-cli -a and --user/--pass.
    expect_eq(srv.cli("GET", "k", extra=["--no-auth-warning", "-a", PASSWORD]), "v\n", "redis-cli -a")
    expect_eq(srv.cli("GET", "k", extra=["--no-auth-warning", "--user", "default", "--pass", PASSWORD]),
              "v\n", "redis-cli --user default --pass")
    out = srv.cli("GET", "k")
    check(out.startswith("NOAUTH Authentication required."), "redis-cli without -a: %r" % out)

    try:
        import redis  # noqa: PLC0415 - optional: only this part needs it
    except ImportError:
        redis = None
    if redis is not None:
        r = redis.Redis(host="127.0.0.1", port=srv.port, password=PASSWORD)
        expect_eq(r.get("k"), b"v", "redis-py with a password")
        try:
            redis.Redis(host="127.0.0.1", port=srv.port, password="nope").get("k")
            harness.fail("redis-py with a wrong password succeeded")
        except (redis.AuthenticationError, redis.ResponseError) as e:  # redis-py 4.3: ResponseError
            check("WRONGPASS" in str(e) or "invalid" in str(e), "wrong password error: %s" % e)
        try:
            redis.Redis(host="127.0.0.1", port=srv.port).get("k")
            harness.fail("redis-py without a password succeeded")
        except (redis.AuthenticationError, redis.ResponseError) as e:
            check("Authentication required" in str(e), "no password error: %s" % e)
        # CONFIG SET requirepass: the new password applies to new connections.
        r.config_set("requirepass", "other")
        expect_eq(redis.Redis(host="127.0.0.1", port=srv.port, password="other").get("k"), b"v",
                  "the password set by CONFIG SET")
        r.config_set("requirepass", "")
        expect_eq(redis.Redis(host="127.0.0.1", port=srv.port).get("k"), b"v",
                  "no password after CONFIG SET requirepass ''")
        r.close()
    srv.kill()
    print("ok")


if __name__ == "__main__":
    main()
