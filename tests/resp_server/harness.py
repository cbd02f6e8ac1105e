"""Shared helpers for cachet-server's end-to-end tests.

Each test script is run by CTest as `python3 test_x.py /path/to/cachet-server`. A `Server`
starts cachet-server on a free loopback port (--port 0 --bind 127.0.0.1 --port-file) and is
always killed: at exit, on an exception, and (through PR_SET_PDEATHSIG) when the test driver
itself dies, e.g. killed by CTest's timeout.
"""

import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77  # CTest's SKIP_RETURN_CODE for these tests
SANITIZER_MARKERS = ("WARNING: ThreadSanitizer", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:")

_servers = []
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    for s in _servers:
        s.dump_log()
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def expect_eq(got, want, what=""):
    if got != want:
        fail("%s\n  got:  %r\n  want: %r" % (what or "mismatch", got, want))


def require_tool(name):
    if shutil.which(name) is None:
        print("SKIP: %s is not installed (Debian: apt-get install redis-tools)" % name)
        sys.exit(SKIP)


def binary_from_argv():
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        print("usage: %s /path/to/cachet-server" % sys.argv[0], file=sys.stderr)
        sys.exit(2)
    return sys.argv[1]


class Server:
    """cachet-server on 127.0.0.1 and a free port, with extra command-line `args`."""

    def __init__(self, binary, *args, config_file=None, expect_exit=False):
        self.dir = tempfile.mkdtemp(prefix="cachet-server-test-")
        self.port_file = os.path.join(self.dir, "port")
        self.log_path = os.path.join(self.dir, "server.log")
        cmd = [binary]
        if config_file:
            cmd.append(config_file)
        cmd += ["--port", "0", "--bind", "127.0.0.1", "--port-file", self.port_file]
        cmd += list(args)
        self.cmd = cmd
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=_die_with_parent)
        _servers.append(self)
        self.port = None
        if expect_exit:
            return
        deadline = time.time() + 30
        while time.time() < deadline:
            if os.path.exists(self.port_file):
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            if self.proc.poll() is not None:
                fail("cachet-server exited with %s before listening" % self.proc.returncode)
            time.sleep(0.02)
        else:
            fail("cachet-server did not write its port file in 30 s")
        check(self.port > 0, "bad port %r" % self.port)

    def dump_log(self):
        if self.log.closed:
            return
        try:
            self.log.flush()
            with open(self.log_path) as f:
                text = f.read()
            print("--- cachet-server log (%s) ---\n%s--- end of log ---" % (" ".join(self.cmd), text),
                  file=sys.stderr)
        except OSError:
            pass

    def log_text(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def wait(self, timeout=20):
        """Waits for the server to exit; returns its exit status (fails on timeout)."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            fail("cachet-server did not exit within %d s" % timeout)

    def kill(self):
        """Stops the server (SIGKILL if still running), then fails the test if a sanitizer
        reported anything in its log (the tests also run on ASan/UBSan and TSan builds)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.log.closed:
            text = self.log_text()
            for marker in SANITIZER_MARKERS:
                if marker in text:
                    self.log.close()
                    _servers.remove(self)
                    print("FAIL: sanitizer report in the cachet-server log:\n" + text, file=sys.stderr)
                    shutil.rmtree(self.dir, ignore_errors=True)
                    sys.exit(1)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self in _servers:
            _servers.remove(self)

    # -- clients ------------------------------------------------------------------------------

    def cli(self, *args, stdin=None, check_rc=True, extra=()):
        """Runs redis-cli against the server; returns its stdout (text)."""
        cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port)] + list(extra) + list(args)
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
        if check_rc and r.returncode != 0:
            fail("%s exited %d: %s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
        return r.stdout

    def connect(self, timeout=10, rcvbuf=None):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(timeout)
        s.connect(("127.0.0.1", self.port))
        return s

    def port_open(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
            return True
        except OSError:
            return False


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def recv_until_closed(sock, limit=1 << 30):
    """Reads until EOF; returns the bytes. Fails on timeout (the connection stayed open)."""
    data = b""
    try:
        while len(data) < limit:
            chunk = sock.recv(1 << 16)
            if not chunk:
                return data
            data += chunk
    except socket.timeout:
        fail("connection was not closed; received %r" % data[:200])
    except ConnectionResetError:
        return data
    return data


def request(sock, raw, want_len):
    sock.sendall(raw)
    return recv_exactly(sock, want_len)


def command(*args):
    """One command in RESP (what client libraries send)."""
    out = b"*%d\r\n" % len(args)
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


@atexit.register
def _cleanup():
    for s in _servers:
        try:
            s.kill()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def _on_term(signum, frame):
    _cleanup()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_term)


# -- helpers for the tests that also start redis-server ---------------------------------------

def free_ports(n=1):
    """`n` distinct free loopback ports (free when asked: a test binds them soon after)."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def keyspace(client, dbs=range(16)):
    """Every key of the databases `dbs` through a redis-py client with decode_responses:
    (db, key) -> (type, value, has_ttl), values in a comparable form."""
    out = {}
    for db in dbs:
        client.execute_command("SELECT", db)
        for key in client.keys("*"):
            t = client.type(key)
            if t == "string":
                v = client.get(key)
            elif t == "list":
                v = client.lrange(key, 0, -1)
            elif t == "set":
                v = sorted(client.smembers(key))
            elif t == "hash":
                v = sorted(client.hgetall(key).items())
            elif t == "zset":
                v = client.zrange(key, 0, -1, withscores=True)
            else:
                v = None
            out[(db, key)] = (t, v, client.pttl(key) > 0)
    client.execute_command("SELECT", 0)
    return out
