#!/usr/bin/env python3
"""cachet-server's command line and redis.conf-style files: the settings reach CONFIG GET and
take effect; redis-server's own flags (--save '' --appendonly no) are accepted; an unknown
directive, a bad value or unbalanced quotes stop the server with a clear error and exit 1."""

import os
import subprocess
import tempfile

import harness
from harness import check, command, expect_eq, recv_exactly


def config_get(srv, name):
    out = srv.cli("CONFIG", "GET", name).split("\n")
    check(len(out) >= 2 and out[0] == name, "CONFIG GET %s: %r" % (name, out))
    return out[1]


def command_line(binary):
    workdir = tempfile.mkdtemp(prefix="cachet-dir-")
    srv = harness.Server(binary, "--dir", workdir, "--save", "", "--appendonly", "no", "--maxmemory", "100mb",
                         "--maxmemory-policy", "allkeys-lru", "--maxclients", "123", "--timeout", "300",
                         "--client-query-buffer-limit", "2mb", "--io-threads", "2", "--databases", "4",
                         "--client-output-buffer-limit", "pubsub 1mb 512kb 10", "--loglevel", "verbose",
                         "--save", "900 1")
    expect_eq(config_get(srv, "maxmemory"), "104857600", "maxmemory 100mb")
    expect_eq(config_get(srv, "maxmemory-policy"), "allkeys-lru", "maxmemory-policy")
    expect_eq(config_get(srv, "maxclients"), "123", "maxclients")
    expect_eq(config_get(srv, "timeout"), "300", "timeout")
    expect_eq(config_get(srv, "client-query-buffer-limit"), "2097152", "client-query-buffer-limit")
    expect_eq(config_get(srv, "appendonly"), "no", "appendonly")
    expect_eq(config_get(srv, "save"), "900 1", "save '' then save 900 1")
    expect_eq(config_get(srv, "io-threads"), "2", "io-threads")
    expect_eq(config_get(srv, "databases"), "4", "databases")
    expect_eq(config_get(srv, "port"), str(srv.port), "port: the one picked for --port 0")
    expect_eq(config_get(srv, "bind"), "127.0.0.1", "bind")
    expect_eq(config_get(srv, "dir"), os.path.realpath(workdir), "dir: the working directory, absolute")
    check("config_file:" in [l.strip() for l in srv.cli("INFO", "server").splitlines()],
          "INFO config_file empty without a file")
    expect_eq(config_get(srv, "client-output-buffer-limit"),
              "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 10", "client-output-buffer-limit")
    expect_eq(srv.cli("SELECT", "3"), "OK\n", "SELECT 3 with 4 databases")
    expect_eq(srv.cli("SELECT", "4"), "ERR DB index is out of range\n\n", "SELECT 4 with 4 databases")
    check("tcp_port:%d" % srv.port in srv.cli("INFO", "server"), "INFO tcp_port")
    check("Accepted 127.0.0.1:" in srv.log_text(), "--loglevel verbose logs accepted connections")
    srv.kill()


CONF = """\
# cachet-server test configuration, redis.conf style
   # an indented comment
requirepass "pass word"
maxmemory 64mb
MaxMemory-Policy allkeys-lfu
save ""
appendonly no
notify-keyspace-events "KEA"
proto-max-bulk-len '1048576'
include {include}
"""

INCLUDED = """\
maxclients 77
hz 20
"""


def config_file(binary):
    d = tempfile.mkdtemp(prefix="cachet-conf-")
    inc = os.path.join(d, "included.conf")
    with open(inc, "w") as f:
        f.write(INCLUDED)
    conf = os.path.join(d, "cachet.conf")
    with open(conf, "w") as f:
        f.write(CONF.format(include=inc))
    # Options after the file override it, as with redis-server.
    srv = harness.Server(binary, "--maxclients", "88", config_file=conf)
    auth = ["--no-auth-warning", "-a", "pass word"]
    expect_eq(srv.cli("PING", extra=auth), "PONG\n", "requirepass from the file")
    for name, want in (("maxmemory", "67108864"), ("maxmemory-policy", "allkeys-lfu"), ("save", ""),
                       ("notify-keyspace-events", "AKE"), ("proto-max-bulk-len", "1048576"),
                       ("maxclients", "88"), ("hz", "20")):
        out = srv.cli("CONFIG", "GET", name, extra=auth).split("\n")
        expect_eq(out[:2], [name, want], "CONFIG GET %s from the file" % name)
    check("config_file:%s" % conf in srv.cli("INFO", "server", extra=auth), "INFO config_file: the file, absolute")
    s = srv.connect()
    s.sendall(command("AUTH", "pass word") + b"*1\r\n$2000000\r\n")
    expect_eq(recv_exactly(s, 47), b"+OK\r\n-ERR Protocol error: invalid bulk length\r\n",
              "proto-max-bulk-len from the file applies")
    srv.kill()


def fatal(binary, args, expect_text=""):
    """cachet-server `args` must exit 1 at start-up with `expect_text` on stderr."""
    r = subprocess.run([binary] + args + ["--port", "0", "--bind", "127.0.0.1"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 1, "%s: exit status %d (want 1)\n%s" % (args, r.returncode, r.stderr))
    check(expect_text in r.stderr, "%s: stderr lacks %r:\n%s" % (args, expect_text, r.stderr))


def errors(binary):
    fatal(binary, ["--no-such-directive", "1"], expect_text="Bad directive or wrong number of arguments")
    fatal(binary, ["--dir", "/nonexistent/cachet-dir"], expect_text="Can't chdir to '/nonexistent/cachet-dir'")
    fatal(binary, ["--maxmemory", "lots"], expect_text="argument must be a memory value")
    fatal(binary, ["--maxclients", "0"], expect_text="argument must be between 1 and 4294967295 inclusive")
    fatal(binary, ["--appendonly", "maybe"], expect_text="argument must be 'yes' or 'no'")
    fatal(binary, ["--maxmemory-policy", "sometimes"], expect_text="argument(s) must be one of the following")
    fatal(binary, ["--port", "70000"], expect_text="argument must be between 0 and 65535 inclusive")
    fatal(binary, ["stray-argument"], expect_text="can't open config file")
    d = tempfile.mkdtemp(prefix="cachet-conf-")
    bad = os.path.join(d, "bad.conf")
    with open(bad, "w") as f:
        f.write("port 0\n\n# comment\nmaxmemory 1mb\nfrobnicate yes\n")
    r = subprocess.run([binary, bad], capture_output=True, text=True, timeout=30)
    check(r.returncode == 1, "unknown directive in a file: exit %d" % r.returncode)
    check("at line 5" in r.stderr and "frobnicate yes" in r.stderr and "Bad directive" in r.stderr,
          "unknown directive in a file: stderr:\n" + r.stderr)
    # What cachet lacks (daemonize yes, a unix socket, replication) stops it, unless a later
    # setting (the command line after the file) turns it off, as redis-server applies them.
    with open(bad, "w") as f:
        f.write("daemonize yes\nunixsocket /tmp/x.sock\nreplicaof 127.0.0.1 6379\n")
    fatal(binary, [bad], expect_text="daemonize yes is not supported")
    fatal(binary, [bad, "--daemonize", "no"], expect_text="replication is not supported")
    fatal(binary, [bad, "--daemonize", "no", "--replicaof", "no", "one"],
          expect_text="unix sockets are not supported")
    srv = harness.Server(binary, "--daemonize", "no", "--unixsocket", "", "--replicaof", "no", "one",
                         config_file=bad)
    expect_eq(srv.cli("PING"), "PONG\n", "daemonize yes in the file, no on the command line")
    srv.kill()
    with open(bad, "w") as f:
        f.write('requirepass "unterminated\n')
    r = subprocess.run([binary, bad], capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and "Unbalanced quotes" in r.stderr, "unbalanced quotes: " + r.stderr)
    # A port in use: a readable error and exit 1.
    srv = harness.Server(binary)
    r = subprocess.run([binary, "--port", str(srv.port), "--bind", "127.0.0.1"], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 1 and "Address already in use" in r.stderr, "port in use: %s" % r.stderr)
    srv.kill()
    r = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and "cachet-server v=" in r.stdout, "--version: " + r.stdout)
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and "--port-file" in r.stdout, "--help: " + r.stdout)


def main():
    harness.require_tool("redis-cli")
    binary = harness.binary_from_argv()
    command_line(binary)
    config_file(binary)
    errors(binary)
    print("ok")


if __name__ == "__main__":
    main()
