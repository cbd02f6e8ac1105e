"""Shared start-up for the real-client tests (tests/clients): a server on a free loopback port.

Every test script takes the same arguments:

    test_x.py /path/to/cachet-server [options]     # the server under test (what CTest runs)
    test_x.py --redis [/path/to/redis-server] ...   # a real redis-server 7.0 instead

so each script can be developed and checked against a real Redis and then run against
cachet-server. cachet-server is started by tests/resp_server/harness.py (--port 0 --port-file,
127.0.0.1 only); redis-server on a free port found by binding port 0, with --save '' and
--appendonly no, in a temporary directory. Both are always killed: at exit, on a failure, and
(PR_SET_PDEATHSIG) when the test driver itself is killed, e.g. by CTest's timeout.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "resp_server"))

import harness  # noqa: E402  (tests/resp_server/harness.py)
from harness import SKIP, check, expect_eq, fail  # noqa: E402,F401  (re-exported)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A real redis-server on 127.0.0.1 and a free port (same interface as harness.Server)."""

    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="cachet-clients-redis-")
        self.log_path = os.path.join(self.dir, "redis.log")
        self.log = open(self.log_path, "w")
        harness._servers.append(self)
        for _attempt in range(5):  # the free port can be taken before redis-server binds it
            self.port = _free_port()
            self.cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--dir", self.dir, "--logfile", "",
                        "--daemonize", "no"]
            self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                         preexec_fn=harness._die_with_parent)
            deadline = time.time() + 20
            while time.time() < deadline and self.proc.poll() is None:
                if _ping(self.port):
                    return
                time.sleep(0.02)
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        fail("redis-server did not start (%s)" % " ".join(self.cmd))

    def dump_log(self):
        if self.log.closed:
            return
        self.log.flush()
        with open(self.log_path) as f:
            print("--- redis-server log ---\n%s--- end of log ---" % f.read(), file=sys.stderr)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self in harness._servers:
            harness._servers.remove(self)


def arg_parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("server", nargs="?", help="the cachet-server binary (or, with --redis, a "
                   "redis-server binary; default: redis-server on PATH)")
    p.add_argument("--redis", action="store_true",
                   help="run against a real redis-server instead of cachet-server")
    return p


def start_server(args):
    """Starts the server the arguments name; returns an object with .port, .kill(), .name."""
    if args.redis:
        binary = args.server or shutil.which("redis-server")
        if not binary or not shutil.which(binary):
            print("SKIP: redis-server is not installed (Debian: apt-get install redis-server)")
            sys.exit(SKIP)
        server = RedisServer(binary)
        server.name = "redis-server"
    else:
        if not args.server or not os.access(args.server, os.X_OK):
            print("usage: %s /path/to/cachet-server | --redis [redis-server]" % sys.argv[0],
                  file=sys.stderr)
            sys.exit(2)
        server = harness.Server(args.server)
        server.name = "cachet-server"
    print("%s listening on 127.0.0.1:%d" % (server.name, server.port), flush=True)
    return server
