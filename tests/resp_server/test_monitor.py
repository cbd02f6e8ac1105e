#!/usr/bin/env python3
"""Looking inside with redis-cli, as with Redis: `redis-cli monitor` prints every command other
clients run (two I/O threads: the monitor and the client on different threads or not), with
Redis's quoting and AUTH redacted; `redis-cli slowlog get` shows commands over the threshold;
`redis-cli --stat`'s INFO fields are there. Line formats are redis-server 7.0.15's."""

import re
import subprocess
import time

import harness
from harness import check, expect_eq

LINE = re.compile(r'^\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)$')


def cli(port, *args, stdin=None):
    r = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port)] + list(args),
                       input=stdin, capture_output=True, timeout=30)
    check(r.returncode == 0, "redis-cli %r exited %d: %r" % (args, r.returncode, r.stderr))
    return r.stdout.decode()


def main():
    harness.require_tool("redis-cli")
    srv = harness.Server(harness.binary_from_argv(), "--io-threads", "2")
    mon = subprocess.Popen(["redis-cli", "-h", "127.0.0.1", "-p", str(srv.port), "monitor"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        expect_eq(mon.stdout.readline(), b"OK\n", "MONITOR's reply")
        cli(srv.port, stdin=b'SET "a b" "x\\ty"\nAUTH secret\nSELECT 2\nRPUSH q 1 2\n'
                            b'CONFIG GET maxmemory\nMULTI\nINCR n\nEXEC\n')
        want = [('0', '"SET" "a b" "x\\ty"'), ('0', '"AUTH" "(redacted)"'), ('2', '"SELECT" "2"'),
                ('2', '"RPUSH" "q" "1" "2"'), ('2', '"MULTI"'), ('2', '"INCR" "n"'),
                ('2', '"EXEC"')]
        got = []
        deadline = time.time() + 20
        while len(got) < len(want) and time.time() < deadline:
            line = mon.stdout.readline().decode().rstrip("\n")
            m = LINE.match(line)
            check(m, "not a MONITOR line: %r" % line)
            if m.group(2).startswith('"COMMAND"'):  # redis-cli's own hints query
                continue
            got.append((m.group(1), m.group(2)))
        expect_eq(got, want, "what redis-cli monitor printed")
    finally:
        mon.kill()
        mon.wait()
    # The server carries on without its monitor.
    expect_eq(cli(srv.port, "PING"), "PONG\n", "PING after the monitor left")

    expect_eq(cli(srv.port, "CONFIG", "SET", "slowlog-log-slower-than", "0"), "OK\n", "CONFIG SET")
    cli(srv.port, "SET", "slow", "value")
    out = cli(srv.port, "SLOWLOG", "GET", "2").split("\n")
    # id, time, duration, then the arguments, the client's address and name.
    check("SET" in out and "slow" in out and "value" in out, "SLOWLOG GET: %r" % out)
    check(int(cli(srv.port, "SLOWLOG", "LEN")) >= 2, "SLOWLOG LEN")
    expect_eq(cli(srv.port, "SLOWLOG", "RESET"), "OK\n", "SLOWLOG RESET")

    # The fields redis-cli --stat and monitoring tools read.
    info = cli(srv.port, "INFO", "everything")
    for field in ("used_memory:", "connected_clients:", "blocked_clients:", "total_commands_processed:",
                  "total_connections_received:", "cmdstat_set:calls=", "errorstat_", "cluster_enabled:0"):
        check(field in info, "INFO everything lacks %s" % field)
    print("ok: MONITOR, SLOWLOG and INFO through redis-cli")


if __name__ == "__main__":
    main()
