#!/usr/bin/python3
"""Differential tester: cachet-server against a real redis-server, reply for reply.

Sends the same random command sequence to cachet-server and to redis-server (7.0) over one
connection each and compares every reply byte for byte (RESP2, RESP3 or both). Standard library
only. On the first divergence it prints the seed, the step, the command as a redis-cli line, both
replies and the commands before it, and exits 1.

    diff_redis.py --cachet build/examples/resp_server/cachet-server            # random seed
    diff_redis.py --cachet BIN --seed 42 --ops 5000 --protocol both --family strings,keys
    diff_redis.py --cachet-port 7000 --redis-port 6379       # servers you started yourself

Where a reply is unordered by nature (KEYS, SMEMBERS, HGETALL, CONFIG GET of a pattern, ...) the
elements are compared as a multiset of their exact bytes; SCAN/HSCAN/SSCAN/ZSCAN are iterated to
the end on both servers and the sets of elements compared (cursors differ legitimately); TTL,
EXPIRETIME and PEXPIRETIME of keys given a relative expiry may differ by the time between the two
servers' executions (1 s, 1 s, 1000 ms tolerated; -1 and -2 must match exactly). Everything else
is compared byte for byte.

Exit status: 0 no divergence, 1 divergence, 2 usage or start-up error, 77 redis-server is not
installed (CTest's SKIP_RETURN_CODE).
"""

import argparse
import atexit
import collections
import ctypes
import fnmatch
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
REPLY_TIMEOUT = 15.0  # seconds for one reply (blocking commands only ever use tiny timeouts)


# ==================================================================================================
# RESP: requests and a reader returning the raw bytes of one complete reply
# ==================================================================================================

def to_bytes(x):
    if isinstance(x, bytes):
        return x
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    return str(x).encode()


def encode_command(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def cli_arg(a):
    """One argument as redis-cli would accept it on its command line (quoted when needed)."""
    if a and all(0x21 <= c < 0x7F and c not in b"\"'\\" for c in a):
        return a.decode()
    out = ['"']
    for c in a:
        ch = chr(c)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif 0x20 <= c < 0x7F:
            out.append(ch)
        else:
            out.append("\\x%02x" % c)
    out.append('"')
    return "".join(out)


def cli_line(args):
    return " ".join(cli_arg(a) for a in args)


class Node:
    """A parsed reply: its type byte, its raw bytes, its scalar value, its children."""
    __slots__ = ("t", "raw", "value", "children")

    def __init__(self, t, raw, value=None, children=None):
        self.t, self.raw, self.value, self.children = t, raw, value, children

    def is_error(self):
        return self.t in (b"-", b"!")


class ProtocolError(Exception):
    pass


class ConnectionLost(Exception):
    pass


class ReplyTimeout(Exception):
    pass


class Conn:
    """One client connection with a reply reader (RESP2 and RESP3, attributes included)."""

    def __init__(self, name, port, host="127.0.0.1"):
        self.name, self.port, self.host = name, port, host
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.settimeout(REPLY_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.lifted = []  # pushes found inside a reply, handed out before it

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, args):
        try:
            self.sock.sendall(encode_command(args))
        except OSError as e:
            raise ConnectionLost("%s: send failed: %s" % (self.name, e))

    def _fill(self):
        try:
            chunk = self.sock.recv(1 << 16)
        except socket.timeout:
            raise ReplyTimeout("%s: no complete reply within %g s (have %r)" %
                               (self.name, REPLY_TIMEOUT, bytes(self.buf[:200])))
        except OSError as e:
            raise ConnectionLost("%s: %s" % (self.name, e))
        if not chunk:
            raise ConnectionLost("%s closed the connection (have %r)" % (self.name, bytes(self.buf[:200])))
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = bytes(self.buf[self.pos:self.pos + n])
        if self.buf[self.pos + n:self.pos + n + 2] != b"\r\n":
            raise ProtocolError("%s: bulk of %d bytes not followed by CRLF" % (self.name, n))
        self.pos += n + 2
        return data

    def _parse(self):
        start = self.pos
        line = self._line()
        if not line:
            raise ProtocolError("%s: empty reply line" % self.name)
        t = line[:1]
        rest = line[1:]
        if t in (b"+", b"-", b":", b",", b"#", b"(", b"_"):
            return Node(t, bytes(self.buf[start:self.pos]), rest)
        try:
            n = int(rest)
        except ValueError:
            raise ProtocolError("%s: bad length line %r" % (self.name, line))
        if t in (b"$", b"!", b"="):
            value = None if n < 0 else self._exact(n)
            return Node(t, bytes(self.buf[start:self.pos]), value)
        if t in (b"*", b"~", b">", b"%", b"|"):
            if n < 0:
                return Node(t, bytes(self.buf[start:self.pos]))
            header = bytes(self.buf[start:self.pos])
            count = n * 2 if t in (b"%", b"|") else n
            children = []
            while len(children) < count:
                child = self._parse()
                if child.t == b">" and t != b">":
                    # A push inside another reply (Redis 7.0 writes a keyspace event it raises
                    # while building a reply, e.g. BZPOPMIN's, in the middle of it): it is out of
                    # band, so it is lifted out and delivered before the reply.
                    self.lifted.append(child)
                    continue
                children.append(child)
            if t == b"|":  # an attribute precedes the reply it annotates
                node = self._parse()
                return Node(node.t, bytes(self.buf[start:self.pos]), node.value, node.children)
            return Node(t, header + b"".join(c.raw for c in children), None, children)
        raise ProtocolError("%s: unknown reply type %r" % (self.name, line[:40]))

    def read(self):
        """Reads exactly one complete reply (a push found inside a reply comes out first)."""
        if self.lifted:
            return self.lifted.pop(0)
        node = self._parse()
        del self.buf[:self.pos]
        self.pos = 0
        if self.lifted:
            self.lifted.append(node)
            return self.lifted.pop(0)
        return node

    def pending(self, wait=0.05):
        """Bytes the server sent beyond the replies read so far (waits `wait` seconds)."""
        extra = bytes(self.buf[self.pos:])
        self.sock.settimeout(wait)
        try:
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    break
                extra += chunk
        except (socket.timeout, BlockingIOError):
            pass
        except OSError:
            pass
        finally:
            self.sock.settimeout(REPLY_TIMEOUT)
        return extra


# ==================================================================================================
# Servers
# ==================================================================================================

_procs = []
try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover
    _libc = None


def _die_with_parent():
    if _libc is not None:
        _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed with us (e.g. a CTest timeout)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_connectable(port, proc, what, log_path, deadline_s=30):
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            die("%s exited with status %s before listening\n%s" % (what, proc.returncode, tail(log_path)))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    die("%s is not accepting connections after %d s\n%s" % (what, deadline_s, tail(log_path)))


def tail(path, n=80):
    try:
        with open(path, errors="replace") as f:
            lines = f.readlines()
        return "--- %s (last %d lines) ---\n%s--- end ---" % (path, n, "".join(lines[-n:]))
    except OSError:
        return ""


class Managed:
    def __init__(self, name, proc, port, log_path, tmpdir):
        self.name, self.proc, self.port, self.log_path, self.tmpdir = name, proc, port, log_path, tmpdir

    def alive(self):
        return self.proc is None or self.proc.poll() is None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)


def start_redis(binary):
    tmpdir = tempfile.mkdtemp(prefix="diff-redis-")
    log_path = os.path.join(tmpdir, "redis.log")
    for _attempt in range(5):
        port = free_port()
        cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--daemonize", "no", "--dir", tmpdir, "--logfile", log_path]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                preexec_fn=_die_with_parent)
        m = Managed("redis-server", proc, port, log_path, tmpdir)
        _procs.append(m)
        deadline = time.time() + 30
        while time.time() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return m
            except OSError:
                time.sleep(0.02)
        if proc.poll() is None:
            die("redis-server did not start listening in 30 s\n" + tail(log_path))
        _procs.remove(m)  # most likely the port was taken meanwhile: try another
    die("redis-server failed to start\n" + tail(log_path))


def start_cachet(binary):
    tmpdir = tempfile.mkdtemp(prefix="diff-cachet-")
    log_path = os.path.join(tmpdir, "cachet.log")
    port_file = os.path.join(tmpdir, "port")
    log = open(log_path, "w")
    cmd = [binary, "--port", "0", "--bind", "127.0.0.1", "--port-file", port_file]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    log.close()
    m = Managed("cachet-server", proc, None, log_path, tmpdir)
    _procs.append(m)
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            die("cachet-server exited with status %s before listening\n%s" % (proc.returncode, tail(log_path)))
        try:
            with open(port_file) as f:
                text = f.read().strip()
            if text:
                m.port = int(text)
                break
        except OSError:
            pass
        time.sleep(0.02)
    else:
        die("cachet-server did not write its port file in 30 s\n" + tail(log_path))
    wait_connectable(m.port, proc, "cachet-server", log_path)
    return m


@atexit.register
def _cleanup():
    for m in list(_procs):
        try:
            m.stop()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def die(msg, status=2):
    print("diff_redis: " + msg, file=sys.stderr, flush=True)
    sys.exit(status)


# ==================================================================================================
# Random arguments
# ==================================================================================================

SHARED_KEYS = [b"k%d" % i for i in range(8)]
TYPE_KEYS = {
    "string": [b"str:a", b"str:b"],
    "list": [b"list:a", b"list:b"],
    "hash": [b"hash:a", b"hash:b"],
    "set": [b"set:a", b"set:b"],
    "zset": [b"zset:a", b"zset:b"],
}
ALL_TYPE_KEYS = [k for ks in TYPE_KEYS.values() for k in ks]
# Sorted sets whose members all have score 0, for the lex-range commands (see Gen.lex_key).
LEX_KEYS = [b"zlex:a", b"zlex:b"]
ODD_KEYS = [b"", b"k\r\n0", b"\x00\xff", b"key with spaces", b"k[1]", b"k]", b"k-", b"k\\", b"K0", b"k*"]

INTS = [b"0", b"1", b"-1", b"2", b"3", b"10", b"-10", b"100", b"12345", b"-99999",
        b"9223372036854775807", b"-9223372036854775808", b"9223372036854775806", b"-9223372036854775807",
        b"9223372036854775808", b"-9223372036854775809", b"18446744073709551616", b"4294967296",
        b"+1", b"01", b"-0", b" 1", b"1 ", b"1.0", b"1e3", b"0x1f", b"abc", b""]
FLOATS = [b"0", b"1", b"-1", b"1.5", b"-1.5", b"0.1", b"-0.0", b"3.0e2", b"1e-10", b"1e308",
          b"1.7976931348623157e308", b"1e400", b"-1e400", b"inf", b"-inf", b"+inf", b"Infinity",
          b"-infinity", b"nan", b"NaN", b".5", b"5.", b"-.5", b"1e", b"e1", b"1.5.5", b"0x10",
          b" 1.5", b"1.5 ", b"123456789012345678901234567890", b"5e-324", b"2.2250738585072014e-308",
          b"0.30000000000000004", b"10.5", b"-5", b"abc", b"", b"1,5", b"3.14159265358979323846"]
WORDS = [b"a", b"b", b"c", b"foo", b"bar", b"hello world", b"", b"x\r\ny", b"\r\n", b"\x00", b"$3\r\nfoo\r\n",
         b"*1\r\n", b"-ERR x", b"\xff\xfe", b"caf\xc3\xa9", b"1", b"-1", b"10", b"3.5", b"k0", b"abc"]
MEMBERS = [b"a", b"b", b"c", b"d", b"e", b"m1", b"m2", b"1", b"2", b"10", b"-1", b"3.5", b"", b"x\r\ny",
           b"\x00\xff", b"A", b"aa", b"ab", b"b\x00"]
FIELDS = [b"f1", b"f2", b"f3", b"a", b"b", b"", b"f\r\n", b"\x00", b"1", b"10"]
COUNTS = [b"0", b"1", b"2", b"3", b"5", b"10", b"-1", b"-2", b"-100", b"100", b"2147483648",
          b"9223372036854775807", b"-9223372036854775808", b"abc", b"1.5", b""]
INDEXES = [b"0", b"1", b"2", b"3", b"-1", b"-2", b"-3", b"5", b"10", b"100", b"-100", b"2147483647",
           b"-2147483648", b"9223372036854775807", b"-9223372036854775808", b"x", b"1.0"]
SCORE_BOUNDS = [b"-inf", b"+inf", b"inf", b"-inf", b"(1", b"1", b"2", b"(2", b"0", b"-1", b"(-1", b"2.5",
                b"(2.5", b"10", b"(-inf", b"(+inf", b"abc", b"(abc", b"(", b"", b"1e400", b"nan", b"(nan",
                b"3.5", b"-0"]
LEX_BOUNDS = [b"-", b"+", b"[a", b"(a", b"[b", b"(b", b"[c", b"(m1", b"[", b"(", b"a", b"[\xff", b"(1",
              b"[10", b"+", b"-", b"", b"[aa"]
CHANNELS = [b"ch1", b"ch2", b"news.a", b"news.b", b"x\r\ny", b""]
PATTERNS = [b"news.*", b"ch?", b"nomatch*", b"x*"]
KEY_PATTERNS = [b"*", b"k*", b"k?", b"?0", b"k[0-3]", b"k[^1]", b"*:*", b"str:*", b"[a-z]*", b"*1*", b"",
                b"\\*", b"k\\", b"k[", b"h*", b"*a", b"[k]?", b"\x00*", b"nomatch", b"k[^", b"k[0-", b"[]k]*",
                b"[!a]*", b"*\\", b"k[\\]]", b"[z-a]*", b"k?*", b"**k*", b"k[1-3", b"k\\[1\\]", b"K*", b"k[*]",
                b"[k-k]*", b"k[a-]", b"?", b"??", b"*[0-9]", b"k[\\", b"k[-]"]
EXPIRE_REL_S = [b"100", b"1000", b"5000", b"86400", b"1000000", b"100000000", b"0", b"-1", b"-100",
                b"9223372036854775807", b"9223372036854776", b"9223372036854775", b"-9223372036854775808",
                b"1.5", b"abc", b""]
EXPIRE_REL_MS = [b"100000", b"1000000", b"5000000", b"86400000", b"100000000000", b"0", b"-1", b"-100",
                 b"9223372036854775807", b"9223372036854775806", b"1.5", b"abc"]
EXPIRE_ABS_S = [b"4102444800", b"4000000000", b"2000000000", b"1893456000", b"4102444801", b"3000000000",
                b"1", b"1000000000", b"0", b"-1", b"-100", b"9223372036854775807", b"9223372036854775",
                b"9223372036854776", b"abc", b"1.5"]
EXPIRE_ABS_MS = [b"4102444800000", b"4000000000123", b"2000000000999", b"1893456000500", b"3000000000001",
                 b"1", b"1000000000000", b"0", b"-1", b"9223372036854775807", b"9223372036854775806", b"abc"]
TIMEOUTS = [b"0.01", b"0.01", b"0.02", b"0.01", b".01", b"1e-2", b"-1", b"-0.5", b"abc", b"0.01x", b""]
DBS = [b"0", b"1", b"2", b"15", b"0", b"1", b"16", b"-1", b"abc", b"1.5", b"2147483648"]


class Gen:
    """Random-argument helpers for one step of one family."""

    def __init__(self, rng, proto):
        self.r = rng
        self.proto = proto
        self.family = None

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def randint(self, a, b):
        return self.r.randint(a, b)

    def shuffled(self, items):
        items = list(items)
        self.r.shuffle(items)
        return items

    def key(self, kind=None):
        x = self.r.random()
        if x < 0.5:
            return self.pick(SHARED_KEYS)
        if x < 0.88 and kind in TYPE_KEYS:
            return self.pick(TYPE_KEYS[kind])
        if x < 0.96:
            return self.pick(ALL_TYPE_KEYS)
        return self.pick(ODD_KEYS)

    def lex_key(self):
        """A key for the lex-range commands: mostly a sorted set whose members all have score 0
        (ZADD zlex:* only ever adds with score 0), since Redis leaves lex ranges over mixed
        scores unspecified; sometimes a key nothing writes (a missing key)."""
        if self.chance(0.9):
            return self.pick(LEX_KEYS)
        return b"zlex:none"

    def keys(self, kind=None, lo=1, hi=4):
        return [self.key(kind) for _ in range(self.randint(lo, hi))]

    def binary(self, lo=0, hi=16):
        return bytes(self.r.randrange(256) for _ in range(self.randint(lo, hi)))

    def value(self):
        x = self.r.random()
        if x < 0.35:
            return self.pick(WORDS)
        if x < 0.55:
            return self.pick(INTS)
        if x < 0.70:
            return self.pick(FLOATS)
        if x < 0.90:
            return self.binary()
        if x < 0.97:
            return b"v" * self.pick([40, 44, 45, 64, 100, 255, 1000])
        return bytes(self.r.randrange(256) for _ in range(self.pick([3000, 70000])))

    def integer(self):
        if self.chance(0.7):
            return b"%d" % self.randint(-20, 20)
        return self.pick(INTS)

    def float_(self):
        x = self.r.random()
        if x < 0.4:
            return self.pick(FLOATS)
        if x < 0.7:
            return b"%d" % self.randint(-10, 10)
        if x < 0.9:
            return repr(self.r.uniform(-100, 100)).encode()
        return b"%.3f" % self.r.uniform(-5, 5)

    def score(self):
        x = self.r.random()
        if x < 0.5:
            return b"%d" % self.randint(-3, 5)
        if x < 0.65:
            return self.pick([b"inf", b"-inf", b"+inf", b"1.5", b"2.5", b"-0.5", b"0.1", b"1e300", b"-0"])
        if x < 0.8:
            return repr(self.r.uniform(-10, 10)).encode()
        return self.pick(FLOATS)

    def count(self):
        if self.chance(0.6):
            return b"%d" % self.randint(0, 6)
        return self.pick(COUNTS)

    def index(self):
        if self.chance(0.65):
            return b"%d" % self.randint(-8, 8)
        return self.pick(INDEXES)

    def member(self):
        if self.chance(0.9):
            return self.pick(MEMBERS)
        return self.value()

    def field(self):
        if self.chance(0.9):
            return self.pick(FIELDS)
        return self.value()

    def db(self):
        return self.pick(DBS)

    def timeout(self):
        return self.pick(TIMEOUTS)


# ==================================================================================================
# Steps: what one generator asks the runner to do
# ==================================================================================================

class Call:
    """One command; `nreplies` replies are read from each server and compared with `mode`."""

    def __init__(self, args, mode="exact", nreplies=1, sentinel=False):
        self.args = [to_bytes(a) for a in args]
        self.mode = mode
        self.nreplies = nreplies
        # sentinel: the number of replies is not known in advance (keyspace notifications pushed
        # to a RESP3 subscriber): a PING with a unique message follows, and every reply before
        # its answer belongs to this command (compared as a sequence).
        self.sentinel = sentinel


class Scan:
    """SCAN-family iteration: `args` with the cursor at `cursor_at`, run to cursor 0 on each server;
    the elements (`pairs`: field/value pairs) compared as sets."""

    def __init__(self, args, cursor_at, pairs=False, first=b"0"):
        self.args = [to_bytes(a) for a in args]
        self.cursor_at = cursor_at
        self.pairs = pairs
        self.first = first  # how the first cursor 0 is spelled ("0", "+0", "", "-0", "00")


class Cmd:
    """A generator table entry. `gen(g)` returns a list of arguments (one command compared with
    `mode`), or a list of Call/Scan steps (`composite`). `arity` is Redis's (negative: at least)."""

    def __init__(self, name, family, arity, gen, mode="exact", weight=1.0, composite=False, tx=True):
        self.name, self.family, self.arity, self.gen = name, family, arity, gen
        self.mode, self.weight, self.composite = mode, weight, composite
        self.tx = tx and not composite and mode == "exact"  # may be queued inside MULTI


TABLE = []


def cmd(name, family, arity, mode="exact", weight=1.0, composite=False, tx=True):
    def deco(fn):
        TABLE.append(Cmd(name, family, arity, fn, mode, weight, composite, tx))
        return fn
    return deco


# ---------------------------------------------------------------------------------------- strings
S = "strings"


@cmd("GET", S, 2)
def _get(g):
    return [b"GET", g.key("string")]


@cmd("SET", S, -3, weight=3)
def _set(g):
    a = [b"SET", g.key("string"), g.value()]
    choices = []
    if g.chance(0.5):
        e = g.pick([b"EX", b"PX", b"EXAT", b"PXAT", b"KEEPTTL"])
        if e == b"EX":
            choices.append([e, g.pick(EXPIRE_REL_S)])
        elif e == b"PX":
            choices.append([e, g.pick(EXPIRE_REL_MS)])
        elif e == b"EXAT":
            choices.append([e, g.pick([x for x in EXPIRE_ABS_S if x not in PAST_S])])
        elif e == b"PXAT":
            choices.append([e, g.pick([x for x in EXPIRE_ABS_MS if x not in PAST_MS])])
        else:
            choices.append([e])
    if g.chance(0.4):
        choices.append([g.pick([b"NX", b"XX"])])
    if g.chance(0.3):
        choices.append([b"GET"])
    if g.chance(0.08):  # conflicting or unknown options
        choices.append(g.pick([[b"NX", b"XX"], [b"EX", b"10", b"PX", b"10000"], [b"KEEPTTL", b"EX", b"100"],
                               [b"FOO"], [b"EX"], [b"GET", b"GET"], [b"nx"], [b"ex", b"100"], [b"PXAT"]]))
    for c in g.shuffled(choices):
        a += c
    return a


# A past EXAT/PXAT: Redis 7.0 stores the key, already expired, and only deletes it when it is
# next looked up (or by its active expiry, some time later), while DBSIZE (and SCAN TYPE none)
# count it meanwhile: the key is looked up at once so that the state is the same on both servers.
PAST_S = [b"1", b"1000000000"]
PAST_MS = [b"1", b"1000000000000"]


@cmd("SET past", S, -5, composite=True, weight=0.3)
def _set_past(g):
    k = g.key("string")
    x = g.pick([[b"EXAT", g.pick(PAST_S)], [b"PXAT", g.pick(PAST_MS)]])
    return [Call([b"SET", k, g.value()] + x + g.pick([[], [b"GET"], [b"XX"], [b"NX", b"GET"]])),
            Call([b"EXISTS", k])]


@cmd("SETEX", S, 4)
def _setex(g):
    return [b"SETEX", g.key("string"), g.pick(EXPIRE_REL_S), g.value()]


@cmd("PSETEX", S, 4)
def _psetex(g):
    return [b"PSETEX", g.key("string"), g.pick(EXPIRE_REL_MS), g.value()]


@cmd("SETNX", S, 3)
def _setnx(g):
    return [b"SETNX", g.key("string"), g.value()]


@cmd("GETSET", S, 3)
def _getset(g):
    return [b"GETSET", g.key("string"), g.value()]


@cmd("GETDEL", S, 2)
def _getdel(g):
    return [b"GETDEL", g.key("string")]


@cmd("GETEX", S, -2)
def _getex(g):
    a = [b"GETEX", g.key("string")]
    x = g.r.random()
    if x < 0.2:
        a += [b"EX", g.pick(EXPIRE_REL_S)]
    elif x < 0.35:
        a += [b"PX", g.pick(EXPIRE_REL_MS)]
    elif x < 0.5:
        a += [b"EXAT", g.pick(EXPIRE_ABS_S)]
    elif x < 0.6:
        a += [b"PXAT", g.pick(EXPIRE_ABS_MS)]
    elif x < 0.7:
        a += [b"PERSIST"]
    elif x < 0.78:
        a += g.pick([[b"PERSIST", b"EX", b"10"], [b"EX", b"10", b"PX", b"100"], [b"FOO"], [b"EX"],
                     [b"KEEPTTL"], [b"persist"], [b"ex", b"100"], [b"EX", b"100", b"EX", b"200"]])
    return a


@cmd("MGET", S, -2)
def _mget(g):
    return [b"MGET"] + g.keys("string", 1, 5)


@cmd("MSET", S, -3)
def _mset(g):
    a = [b"MSET"]
    for _ in range(g.randint(1, 3)):
        a += [g.key("string"), g.value()]
    if g.chance(0.05):
        a.pop()
    return a


@cmd("MSETNX", S, -3)
def _msetnx(g):
    a = [b"MSETNX"]
    for _ in range(g.randint(1, 3)):
        a += [g.key("string"), g.value()]
    if g.chance(0.05):
        a.pop()
    return a


@cmd("INCR", S, 2)
def _incr(g):
    return [b"INCR", g.key("string")]


@cmd("DECR", S, 2)
def _decr(g):
    return [b"DECR", g.key("string")]


@cmd("INCRBY", S, 3)
def _incrby(g):
    return [b"INCRBY", g.key("string"), g.integer()]


@cmd("DECRBY", S, 3)
def _decrby(g):
    return [b"DECRBY", g.key("string"), g.integer()]


@cmd("INCRBYFLOAT", S, 3)
def _incrbyfloat(g):
    return [b"INCRBYFLOAT", g.key("string"), g.float_()]


def _bit_offset(g):
    if g.chance(0.8):
        return b"%d" % g.randint(0, 70)
    return g.pick([b"-1", b"x", b"4294967296", b"1.5", b"", b"200", b"9999"])


def _bit_range(g, n):
    """Up to `n` of start, end and BYTE|BIT (maybe misspelt)."""
    out = []
    if n >= 1:
        out.append(g.index())
    if n >= 2:
        out.append(g.index())
    if n >= 3:
        out.append(g.pick([b"BIT", b"byte", b"BYTE", b"bit", b"FOO"]))
    return out


@cmd("SETBIT", S, 4)
def _setbit(g):
    return [b"SETBIT", g.key("string"), _bit_offset(g), g.pick([b"1", b"0", b"1", b"0", b"2", b"-1", b"x"])]


@cmd("GETBIT", S, 3)
def _getbit(g):
    return [b"GETBIT", g.key("string"), _bit_offset(g)]


@cmd("BITCOUNT", S, -2)
def _bitcount(g):
    return [b"BITCOUNT", g.key("string")] + _bit_range(g, g.pick([0, 2, 2, 3, 1, 4]))


@cmd("BITPOS", S, -3)
def _bitpos(g):
    extra = _bit_range(g, g.pick([0, 1, 2, 3, 3]))
    if g.chance(0.03):
        extra.append(b"x")
    return [b"BITPOS", g.key("string"), g.pick([b"0", b"1", b"0", b"1", b"2", b"x"])] + extra


def _bitfield_ops(g, read_only):
    """BITFIELD operations: GET/SET/INCRBY of i1..i64/u1..u63 at small bit or #n offsets, OVERFLOW
    modes, and now and then a bad type, offset, value or sub-command."""
    ops = []
    for _ in range(g.randint(0, 4)):
        kind = g.pick([b"GET", b"GET", b"get"] if read_only and g.chance(0.9) else
                      [b"GET", b"SET", b"INCRBY", b"incrby", b"OVERFLOW"])
        if kind == b"OVERFLOW":
            ops += [kind, g.pick([b"WRAP", b"SAT", b"FAIL", b"sat", b"fail", b"FOO"])]
            continue
        width = g.pick([1, 2, 7, 8, 15, 16, 31, 32, 63, 64])
        typ = g.pick([b"i%d" % width, b"u%d" % min(width, 63), b"u%d" % width, b"i8", b"u8"])
        if g.chance(0.03):
            typ = g.pick([b"U8", b"I8", b"i0", b"u64", b"i65", b"x8", b""])
        off = b"#%d" % g.randint(0, 6) if g.chance(0.3) else b"%d" % g.randint(0, 90)
        if g.chance(0.03):
            off = g.pick([b"-1", b"x", b"#-1", b"#x", b"4294967296"])
        ops += [kind, typ, off]
        if kind.upper() != b"GET":
            ops.append(g.pick([b"%d" % g.randint(-300, 300), b"1", b"-1", b"0", b"9223372036854775807",
                               b"-9223372036854775808", b"%d" % g.randint(-2**63, 2**63 - 1), b"x"]))
    if g.chance(0.03):
        ops.append(g.pick([b"GET", b"FOO", b"SET"]))
    return ops


@cmd("BITFIELD", S, -2)
def _bitfield(g):
    return [b"BITFIELD", g.key("string")] + _bitfield_ops(g, False)


@cmd("BITFIELD_RO", S, -2, weight=0.5)
def _bitfield_ro(g):
    return [b"BITFIELD_RO", g.key("string")] + _bitfield_ops(g, True)


@cmd("BITOP", S, -4, weight=0.5)
def _bitop(g):
    op = g.pick([b"AND", b"OR", b"XOR", b"NOT", b"not", b"and", b"FOO"])
    n = 1 if op.lower() == b"not" and g.chance(0.9) else g.randint(1, 3)
    return [b"BITOP", op, g.key("string")] + [g.key("string") for _ in range(n)]


@cmd("APPEND", S, 3)
def _append(g):
    return [b"APPEND", g.key("string"), g.value()]


@cmd("STRLEN", S, 2)
def _strlen(g):
    return [b"STRLEN", g.key("string")]


@cmd("GETRANGE", S, 4)
def _getrange(g):
    return [g.pick([b"GETRANGE", b"GETRANGE", b"SUBSTR"]), g.key("string"), g.index(), g.index()]


@cmd("LCS", S, -3)
def _lcs(g):
    a = [b"LCS", g.key("string"), g.key("string")]
    for _ in range(g.randint(0, 3)):
        a += g.pick([[b"LEN"], [b"IDX"], [b"WITHMATCHLEN"], [b"MINMATCHLEN", b"%d" % g.randint(-2, 4)],
                     [b"MINMATCHLEN", b"x"], [b"BOGUS"]])
    return a


@cmd("SETRANGE", S, 4)
def _setrange(g):
    x = g.r.random()
    if x < 0.8:
        off = b"%d" % g.randint(0, 40)
    elif x < 0.9:
        off = g.pick([b"-1", b"abc", b"1.5", b"-9223372036854775808"])
    else:  # beyond proto-max-bulk-len (512 MB): an error, never a huge allocation
        return [b"SETRANGE", g.key("string"), g.pick([b"536870912", b"536870913", b"9223372036854775807",
                                                       b"4611686018427387904"]), g.pick([b"x", b"abc", b""])]
    return [b"SETRANGE", g.key("string"), off, g.value()]


# ------------------------------------------------------------------------------ hyperloglog
# PF* write mostly to hll:* keys, which no other command picks, so that they grow from sparse
# to dense; GET of one compares the exact bytes (encoding, registers and cached count).
HLL_KEYS = [b"hll:a", b"hll:b", b"hll:c"]


def _hll_key(g):
    return g.pick(HLL_KEYS)


def _any_hll_key(g):
    return _hll_key(g) if g.chance(0.7) else g.key("string")


@cmd("GET", S, 2, weight=0.5)
def _get_hll(g):
    return [b"GET", _hll_key(g)]


@cmd("PFDEBUG", S, 3, weight=0.3)
def _pfdebug(g):
    return [b"PFDEBUG", g.pick([b"ENCODING", b"DECODE", b"TODENSE", b"decode", b"FOO"]), _any_hll_key(g)]


@cmd("PFADD", S, -2)
def _pfadd(g):
    n = g.pick([0, 1, 2, 5, 5, 40, 300])  # a few hundred at once: past hll-sparse-max-bytes
    return [b"PFADD", _hll_key(g)] + [g.value() if i < 5 else b"e%d" % g.randint(0, 1 << 30) for i in range(n)]


@cmd("PFCOUNT", S, -2)
def _pfcount(g):
    return [b"PFCOUNT"] + [_any_hll_key(g) for _ in range(g.randint(1, 3))]


@cmd("PFMERGE", S, -2)
def _pfmerge(g):
    return [b"PFMERGE", _hll_key(g)] + [_any_hll_key(g) for _ in range(g.randint(0, 3))]


# ------------------------------------------------------------------------------------------- keys
K = "keys"


@cmd("DEL", K, -2)
def _del(g):
    return [b"DEL"] + g.keys(None, 1, 4)


@cmd("UNLINK", K, -2)
def _unlink(g):
    return [b"UNLINK"] + g.keys(None, 1, 3)


@cmd("EXISTS", K, -2)
def _exists(g):
    return [b"EXISTS"] + g.keys(None, 1, 5)


@cmd("TOUCH", K, -2, weight=0.3)
def _touch(g):
    return [b"TOUCH"] + g.keys(None, 1, 3)


@cmd("TYPE", K, 2, weight=1.5)
def _type(g):
    return [b"TYPE", g.key()]


@cmd("OBJECT ENCODING", K, 3)
def _object_encoding(g):
    """The encoding Redis 7.0 would use: int/embstr/raw (raw after APPEND or SETRANGE), the
    listpack-to-hashtable and intset conversions, listpack/skiplist sorted sets."""
    return [b"OBJECT", g.pick([b"ENCODING", b"encoding"]), g.key()]


@cmd("OBJECT REFCOUNT", K, 3, weight=0.3, tx=False)
def _object_refcount(g):
    # Not in MULTI: Redis's value of a key an earlier command of the same transaction wrote from
    # its arguments (SET, APPEND, ...) is still shared with that queued command's argv, so it
    # reports 2 until EXEC ends; cachet reports 1 (or Redis's shared-integer figure) throughout.
    return [b"OBJECT", b"REFCOUNT", g.key()]


@cmd("RENAME", K, 3)
def _rename(g):
    return [b"RENAME", g.key(), g.key()]


@cmd("RENAMENX", K, 3)
def _renamenx(g):
    return [b"RENAMENX", g.key(), g.key()]


def _expire_opts(g):
    if g.chance(0.5):
        return []
    if g.chance(0.85):
        return [g.pick([b"NX", b"XX", b"GT", b"LT", b"nx", b"gt"])]
    return g.pick([[b"NX", b"XX"], [b"GT", b"LT"], [b"NX", b"GT"], [b"XX", b"GT"], [b"XX", b"LT"],
                   [b"FOO"], [b"GT", b"GT"], [b"NX", b"NX"], [b"LT", b"XX"], [b"x\r\n"], [b"\r\nGT"],
                   [b"N\x00X"], [b"NX\x00"]])


def _relative_expire(g, values):
    """A relative TTL and its options. With GT or LT the TTL is made unlike any other (a random
    offset): a relative deadline equal to the key's current one compares equal or not
    depending on whether a millisecond passed between the two commands, on each server."""
    opts = _expire_opts(g)
    ttl = g.pick(values)
    if any(o.upper() in (b"GT", b"LT") for o in opts) and ttl.isdigit():
        ttl = b"%d" % (int(ttl) + g.randint(1, 999999) * 7)
    return [ttl] + opts


@cmd("EXPIRE", K, -3)
def _expire(g):
    return [b"EXPIRE", g.key()] + _relative_expire(g, EXPIRE_REL_S)


@cmd("PEXPIRE", K, -3)
def _pexpire(g):
    return [b"PEXPIRE", g.key()] + _relative_expire(g, EXPIRE_REL_MS)


@cmd("EXPIREAT", K, -3, weight=1.5)
def _expireat(g):
    return [b"EXPIREAT", g.key(), g.pick(EXPIRE_ABS_S)] + _expire_opts(g)


@cmd("PEXPIREAT", K, -3, weight=1.5)
def _pexpireat(g):
    return [b"PEXPIREAT", g.key(), g.pick(EXPIRE_ABS_MS)] + _expire_opts(g)


@cmd("TTL", K, 2, mode="approx")
def _ttl(g):
    return [b"TTL", g.key()]


@cmd("EXPIRETIME", K, 2, mode="approx")
def _expiretime(g):
    return [b"EXPIRETIME", g.key()]


@cmd("PEXPIRETIME", K, 2, mode="approx")
def _pexpiretime(g):
    return [b"PEXPIRETIME", g.key()]


@cmd("PERSIST", K, 2)
def _persist(g):
    return [b"PERSIST", g.key()]


@cmd("COPY", K, -3)
def _copy(g):
    a = [b"COPY", g.key(), g.key()]
    o = []
    if g.chance(0.4):
        o.append([b"DB", g.db()])
    if g.chance(0.4):
        o.append([b"REPLACE"])
    if g.chance(0.05):
        o.append(g.pick([[b"FOO"], [b"DB"], [b"replace"], [b"db", b"1"]]))
    for x in g.shuffled(o):
        a += x
    return a


@cmd("MOVE", K, 3)
def _move(g):
    return [b"MOVE", g.key(), g.db()]


@cmd("SELECT", K, 2, weight=0.5)
def _select(g):
    if g.chance(0.6):
        return [b"SELECT", b"0"]
    return [b"SELECT", g.db()]


@cmd("DBSIZE", K, 1)
def _dbsize(g):
    return [b"DBSIZE"]


@cmd("KEYS", K, 2, mode="unordered")
def _keys(g):
    return [b"KEYS", g.pick(KEY_PATTERNS)]


@cmd("SCAN", K, -2, composite=True)
def _scan(g):
    a = [b"SCAN", b"0"]
    o = []
    if g.chance(0.4):
        o.append([b"MATCH", g.pick(KEY_PATTERNS)])
    if g.chance(0.4):
        o.append([b"COUNT", g.pick([b"1", b"2", b"3", b"10", b"100"])])
    if g.chance(0.3):
        o.append([b"TYPE", g.pick([b"string", b"list", b"hash", b"set", b"zset", b"STRING", b"none", b"foo"])])
    for x in g.shuffled(o):
        a += x
    if g.chance(0.06):  # errors: one reply, compared exactly
        bad = g.pick([[b"SCAN", b"abc"], [b"SCAN", b" 1"], [b"SCAN", b"1x"], [b"SCAN", b"0", b"COUNT", b"0"],
                      [b"SCAN", b"0", b"COUNT", b"-1"], [b"SCAN", b"0", b"COUNT", b"x"], [b"SCAN", b"0", b"MATCH"],
                      [b"SCAN", b"0", b"FOO", b"1"], [b"SCAN", b"18446744073709551616"],
                      [b"SCAN", b"0", b"NOVALUES"]])
        return [Call(bad)]
    if g.chance(0.03):  # a valid cursor that is not 0: what it returns depends on the hash table
        return [Call([b"SCAN", g.pick([b"-1", b"18446744073709551615", b"1", b"+7", b"-18446744073709551615"])],
                     mode="noerror")]
    return [Scan(a, 1, first=g.pick([b"0"] * 8 + [b"+0", b"", b"-0", b"00"]))]


# ----------------------------------------------------------------------------------------- server
V = "server"

CONFIG_VALUES = {
    # (hz below 10 only in "CONFIG SET hz low": Redis's blocking timeouts are checked hz times a second)
    b"hz": [b"10", b"100", b"500", b"501", b"1000", b"-1", b"abc", b"", b"10.5", b" 10", b"2147483648", b"+100"],
    b"maxmemory-samples": [b"1", b"5", b"10", b"64", b"0", b"65", b"-1", b"abc"],
    b"list-max-listpack-size": [b"-2", b"-1", b"-5", b"-6", b"0", b"1", b"128", b"2147483648", b"abc"],
    b"list-max-ziplist-size": [b"-2", b"8"],
    b"hash-max-listpack-entries": [b"0", b"1", b"2", b"128", b"512", b"-1", b"abc"],
    b"hash-max-ziplist-entries": [b"128", b"3"],
    b"set-max-intset-entries": [b"0", b"2", b"512", b"-1"],
    b"zset-max-listpack-value": [b"0", b"64", b"1000", b"-1", b"x"],
    b"lazyfree-lazy-user-del": [b"yes", b"no", b"YES", b"maybe", b""],
    b"slowlog-max-len": [b"128", b"0", b"-1", b"abc"],
    b"latency-monitor-threshold": [b"0", b"100", b"-1"],
    b"maxmemory-eviction-tenacity": [b"10", b"0", b"100", b"101"],
    b"active-expire-effort": [b"1", b"10", b"11", b"0"],
    b"list-compress-depth": [b"0", b"1", b"-1"],
}
# Redis 7.0's defaults, set again at the start of every pass (servers may be reused); but hz 100
# (not 10), so that blocking commands time out within 10 ms rather than 100.
CONFIG_DEFAULTS = [b"hz", b"100", b"maxmemory-samples", b"5", b"list-max-listpack-size", b"-2",
                   b"hash-max-listpack-entries", b"512", b"hash-max-listpack-value", b"64",
                   b"set-max-intset-entries", b"512", b"zset-max-listpack-entries", b"128",
                   b"zset-max-listpack-value", b"64", b"lazyfree-lazy-user-del", b"no", b"slowlog-max-len", b"128",
                   b"latency-monitor-threshold", b"0", b"maxmemory-eviction-tenacity", b"10",
                   b"active-expire-effort", b"1", b"list-compress-depth", b"0", b"notify-keyspace-events", b""]
CONFIG_GET = [b"*max-*-entries[", b"h[z]", b"[hz]z", b"maxmemory-samples\\", b"HASH-MAX-*", b"hz", b"maxmemory-samples", b"list-max-listpack-size", b"list-max-ziplist-size",
              b"hash-max-*", b"*max-*-entries", b"maxmemory-s*", b"zset-max-*", b"set-max-intset-entries",
              b"lazyfree-lazy-user-del", b"slowlog-max-len", b"HZ", b"nosuchparam", b"*nosuch*",
              b"latency-monitor-threshold", b"maxmemory-eviction-tenacity", b"active-expire-effort",
              b"list-compress-depth", b"hash-max-ziplist-entries", b"h?"]


@cmd("CONFIG SET", V, -4, weight=1.5)
def _config_set(g):
    a = [b"CONFIG", g.pick([b"SET", b"set"])]
    for _ in range(1 if g.chance(0.8) else g.randint(2, 3)):
        p = g.pick(list(CONFIG_VALUES))
        a += [p, g.pick(CONFIG_VALUES[p])]
    # No parameter name whose text before a NUL byte names a parameter ("hz\x00x"): Redis 7.0
    # hashes the whole name but compares it as a C string, so whether it finds "hz" depends on
    # its random hash seed (seed 5169 once found "Daemonize\x00x" to be daemonize).
    if g.chance(0.06):
        a += g.pick([[b"nosuchparam", b"1"], [b"daemonize", b"yes"], [b"hz"], [b"hz", b"10", b"HZ", b"20"],
                     [b"no\x00such", b"1"], [b"dir", b"/tmp"], [b"DBFILENAME", b"x.rdb"],
                     [b"HZ", b"1\x002"]])
    return a


@cmd("CONFIG SET hz low", V, 4, composite=True, weight=0.1)
def _config_hz_low(g):
    return [Call([b"CONFIG", b"SET", b"hz", g.pick([b"0", b"1", b"5"])]), Call([b"CONFIG", b"GET", b"hz"]),
            Call([b"CONFIG", b"SET", b"hz", b"100"])]


@cmd("CONFIG GET", V, -3, mode="pairs", weight=1.5)
def _config_get(g):
    return [b"CONFIG", g.pick([b"GET", b"get"])] + [g.pick(CONFIG_GET) for _ in range(g.randint(1, 3))]


@cmd("CONFIG misc", V, -2, weight=0.3)
def _config_misc(g):
    return g.pick([[b"CONFIG", b"RESETSTAT"], [b"CONFIG", b"FOO"], [b"CONFIG", b"GET"], [b"CONFIG", b"SET", b"hz"],
                   [b"CONFIG", b"F\x00OO"], [b"CONFIG", b"GET", b"no\x00such"],
                   [b"CONFIG", b"RESETSTAT", b"x"], [b"CONFIG"]])


@cmd("PING", V, -1)
def _ping(g):
    return g.pick([[b"PING"], [b"PING", g.value()], [b"ping"]])


@cmd("ECHO", V, 2)
def _echo(g):
    return [b"ECHO", g.value()]


@cmd("FLUSHDB", V, -1, weight=0.15)
def _flushdb(g):
    return [b"FLUSHDB"] + g.pick([[], [], [b"ASYNC"], [b"SYNC"], [b"sync"], [b"FOO"]])


@cmd("FLUSHALL", V, -1, weight=0.05)
def _flushall(g):
    return [b"FLUSHALL"] + g.pick([[], [b"ASYNC"], [b"SYNC"], [b"FOO"]])


@cmd("unknown", V, -1, weight=0.3)
def _unknown(g):
    return g.pick([[b"NOSUCHCOMMAND"], [b"nosuch", b"a", b"b"], [b"FOO", g.value()], [b"GETT", b"k0"],
                   [b"GE\x00T", b"k0"], [b"FOO", b"a\x00b", b"c"],
                   [b"x" * 200, b"y" * 200], [b"CONFIGX", b"GET", b"hz"]])


@cmd("AUTH", V, -2, weight=0.2)
def _auth(g):
    return g.pick([[b"AUTH", b"x"], [b"AUTH", b"default", b"x"], [b"AUTH", b"default", b""], [b"AUTH", b"a", b"b", b"c"],
                   [b"AUTH", b"nouser", b"x"], [b"AUTH", b""]])


@cmd("HELP", V, 2, weight=0.1)
def _help(g):
    # (COMMAND HELP and CLIENT HELP list only the subcommands cachet-server has: not compared.)
    return g.pick([[b"CONFIG", b"HELP"], [b"PUBSUB", b"HELP"], [b"config", b"help"]])


@cmd("RANDOMKEY", K, 1, mode="shape", weight=0.2, tx=False)
def _randomkey(g):
    return [b"RANDOMKEY"]


@cmd("HELLO bad", V, -1, weight=0.2, tx=False)
def _hello_bad(g):
    return g.pick([[b"HELLO", b"4"], [b"HELLO", b"1"], [b"HELLO", b"abc"], [b"HELLO", b"-1"],
                   [b"HELLO", b"3", b"FOO"], [b"HELLO", b"3", b"AUTH", b"default"]])


# ----------------------------------------------------------------------------------- transactions
T = "transactions"


def _plain_tx_entries(g):
    return [c for c in g.enabled if c.tx and c.family != T]


def _random_plain(g, pool):
    c = pick_weighted(g.r, pool)
    return list(c.gen(g)), c


@cmd("MULTI/EXEC", T, -1, composite=True, weight=2.5)
def _multi(g):
    pool = _plain_tx_entries(g)
    steps = []
    if g.chance(0.35):  # WATCH first, perhaps touching a watched key on this connection
        wk = g.keys(None, 1, 3)
        steps.append(Call([b"WATCH"] + wk))
        if g.chance(0.5) and pool:
            args, _c = _random_plain(g, pool)
            steps.append(Call(args))
        if g.chance(0.15):
            steps.append(Call([b"UNWATCH"]))
    steps.append(Call([b"MULTI"]))
    for _ in range(g.randint(0, 5)):
        x = g.r.random()
        if x < 0.07:
            steps.append(Call(wrong_arity(g, pick_weighted(g.r, pool)) if pool else [b"GET"]))
        elif x < 0.10:
            steps.append(Call(g.pick([[b"NOSUCH", b"x"], [b"MULTI"], [b"WATCH", b"k0"], [b"SELECT", b"1"],
                                      [b"SELECT", b"0"], [b"UNWATCH"], [b"PING"], [b"ECHO", b"x"]])))
        elif pool:
            args, _c = _random_plain(g, pool)
            steps.append(Call(args))
    steps.append(Call(g.pick([[b"EXEC"], [b"EXEC"], [b"EXEC"], [b"DISCARD"], [b"exec"]])))
    if g.chance(0.1):
        steps.append(Call(g.pick([[b"EXEC"], [b"DISCARD"], [b"EXEC", b"x"]])))
    return steps


@cmd("WATCH", T, -2, weight=0.5, tx=False)
def _watch(g):
    return [b"WATCH"] + g.keys(None, 1, 3)


@cmd("UNWATCH", T, 1, weight=0.3, tx=False)
def _unwatch(g):
    return [b"UNWATCH"]


@cmd("EXEC/DISCARD alone", T, 1, weight=0.2, tx=False)
def _exec_alone(g):
    return g.pick([[b"EXEC"], [b"DISCARD"]])


# ----------------------------------------------------------------------------------------- pubsub
P = "pubsub"


@cmd("PUBLISH", P, 3)
def _publish(g):
    return [b"PUBLISH", g.pick(CHANNELS), g.value()]


@cmd("PUBSUB", P, -2)
def _pubsub(g):
    x = g.r.random()
    if x < 0.35:
        return [b"PUBSUB", b"NUMSUB"] + [g.pick(CHANNELS) for _ in range(g.randint(0, 3))]
    if x < 0.55:
        return [b"PUBSUB", b"NUMPAT"]
    if x < 0.85:
        return [b"PUBSUB", b"CHANNELS"] + g.pick([[], [g.pick(PATTERNS)], [b"*"]])
    return g.pick([[b"PUBSUB", b"FOO"], [b"PUBSUB", b"NUMPAT", b"x"], [b"PUBSUB", b"CHANNELS", b"a", b"b"],
                   [b"PUBSUB", b"FO\x00O"], [b"PUBSUB", b"x" * 200],
                   [b"PUBSUB"], [b"pubsub", b"numsub", b"ch1"]])


def _publish_replies(channels, patterns, ch):
    n = 1 + (1 if ch in channels else 0)
    n += sum(1 for p in patterns if fnmatch.fnmatchcase(ch, p))
    return n


@cmd("SUBSCRIBE round", P, -2, composite=True, weight=0.6)
def _subscribe_round(g):
    """SUBSCRIBE/PSUBSCRIBE on the one connection, a few commands in subscribed mode (RESP2: only
    the pub/sub commands and PING; RESP3: anything, PUBLISH to ourselves included), then every
    subscription dropped again (by name, so the order of the replies is defined)."""
    steps = []
    chans, pats = [], []
    sub = list(dict.fromkeys(g.pick(CHANNELS) for _ in range(g.randint(1, 3))))
    steps.append(Call([b"SUBSCRIBE"] + sub, nreplies=len(sub)))
    chans += [c for c in sub if c not in chans]
    if g.chance(0.6):
        ps = list(dict.fromkeys(g.pick(PATTERNS) for _ in range(g.randint(1, 2))))
        steps.append(Call([b"PSUBSCRIBE"] + ps, nreplies=len(ps)))
        pats += [p for p in ps if p not in pats]
    for _ in range(g.randint(0, 4)):
        x = g.r.random()
        if x < 0.25:
            steps.append(Call(g.pick([[b"PING"], [b"PING", b"hi"], [b"PING", b""]])))
        elif x < 0.5:
            ch = g.pick(CHANNELS)
            if g.proto == 3:
                steps.append(Call([b"PUBLISH", ch, g.value()], mode="unordered_multi",
                                  nreplies=_publish_replies(chans, pats, ch)))
            else:
                steps.append(Call([b"PUBLISH", ch, b"m"]))
        elif x < 0.65:
            more = [g.pick(CHANNELS)]
            steps.append(Call([b"SUBSCRIBE"] + more, nreplies=1))
            chans += [c for c in more if c not in chans]
        elif x < 0.75:
            some = [g.pick(CHANNELS)]
            steps.append(Call([b"UNSUBSCRIBE"] + some, nreplies=1))
            chans = [c for c in chans if c not in some]
        elif x < 0.85:
            steps.append(Call(g.pick([[b"PUBSUB", b"NUMSUB", b"ch1", b"news.a"], [b"PUBSUB", b"NUMPAT"]])))
        else:
            steps.append(Call(g.pick([[b"GET", b"k0"], [b"DBSIZE"], [b"ECHO", b"x"], [b"SET", b"k1", b"v"],
                                      [b"EXEC"], [b"DISCARD"], [b"UNWATCH"], [b"PING", b"a", b"b"]])))
    # Drop everything: by name, or without arguments when at most one is left (defined order).
    if len(chans) <= 1:
        steps.append(Call([b"UNSUBSCRIBE"], nreplies=1))
    else:
        steps.append(Call([b"UNSUBSCRIBE"] + sorted(chans), nreplies=len(chans)))
    if len(pats) <= 1:
        steps.append(Call([b"PUNSUBSCRIBE"], nreplies=1))
    else:
        steps.append(Call([b"PUNSUBSCRIBE"] + sorted(pats), nreplies=len(pats)))
    steps.append(Call([b"PING"]))
    return steps


# notify-keyspace-events values. The 'n' (new key) and 'm' (key miss) classes are not in 'A':
# they are named (--notify-flags chooses another list, e.g. --notify-flags KEAnm,Enm).
NOTIFY_FLAGS = [b"KEA", b"AKE", b"KA", b"EA", b"K$", b"Eg", b"E$g", b"Kgx", b"KEA", b"El", b"Ez", b"Eh", b"Es",
                b"", b"Kd", b"Q", b"Ag$lshzxeKEtd", b"gE", b"K", b"E", b"KEAnm", b"En", b"Em", b"KEm$"]


@cmd("keyspace notifications", P, -1, composite=True, weight=0.5)
def _notifications(g):
    """RESP3 only: this very connection subscribes to the keyspace channels and runs commands;
    the events pushed to it come before each reply (compared as a sequence, via a PING sentinel).
    In RESP2 a subscriber cannot run commands: an ordinary PUBLISH instead."""
    if g.proto != 3:
        return [Call([b"PUBLISH", g.pick(CHANNELS), b"m"])]
    pool = [c for c in g.enabled if c.tx and c.family not in (T, P)]
    flags = g.pick(NOTIFY_FLAGS)
    steps = [Call([b"CONFIG", b"SET", b"notify-keyspace-events", flags])]
    pat = g.pick([b"__key*__:*", b"__keyspace@*__:*", b"__keyevent@*__:*", b"__key*@0__:*"])
    steps.append(Call([b"PSUBSCRIBE", pat]))
    for _ in range(g.randint(1, 6)):
        if pool:
            args, _c = _random_plain(g, pool)
            steps.append(Call(args, mode="pushes", sentinel=True))
    steps.append(Call([b"PUNSUBSCRIBE", pat]))
    steps.append(Call([b"CONFIG", b"SET", b"notify-keyspace-events", b""]))
    steps.append(Call([b"CONFIG", b"GET", b"notify-keyspace-events"]))
    return steps


# ------------------------------------------------------------------------------------------ lists
L = "lists"


@cmd("LPUSH", L, -3, weight=2)
def _lpush(g):
    return [b"LPUSH", g.key("list")] + [g.member() for _ in range(g.randint(1, 4))]


@cmd("RPUSH", L, -3, weight=2)
def _rpush(g):
    return [b"RPUSH", g.key("list")] + [g.member() for _ in range(g.randint(1, 4))]


@cmd("LPUSHX", L, -3)
def _lpushx(g):
    return [b"LPUSHX", g.key("list")] + [g.member() for _ in range(g.randint(1, 2))]


@cmd("RPUSHX", L, -3)
def _rpushx(g):
    return [b"RPUSHX", g.key("list")] + [g.member() for _ in range(g.randint(1, 2))]


@cmd("LPOP", L, -2)
def _lpop(g):
    return [g.pick([b"LPOP", b"RPOP"]), g.key("list")] + ([g.count()] if g.chance(0.5) else [])


@cmd("LLEN", L, 2)
def _llen(g):
    return [b"LLEN", g.key("list")]


@cmd("LRANGE", L, 4, weight=2)
def _lrange(g):
    return [b"LRANGE", g.key("list"), g.index(), g.index()]


@cmd("LINDEX", L, 3)
def _lindex(g):
    return [b"LINDEX", g.key("list"), g.index()]


@cmd("LSET", L, 4)
def _lset(g):
    return [b"LSET", g.key("list"), g.index(), g.member()]


@cmd("LINSERT", L, 5)
def _linsert(g):
    return [b"LINSERT", g.key("list"), g.pick([b"BEFORE", b"AFTER", b"before", b"MIDDLE"]), g.member(), g.member()]


@cmd("LREM", L, 4)
def _lrem(g):
    return [b"LREM", g.key("list"), g.index(), g.member()]


@cmd("LTRIM", L, 4)
def _ltrim(g):
    return [b"LTRIM", g.key("list"), g.index(), g.index()]


def _sort_options(g, store):
    """SORT's options, always with ALPHA: Redis checks strtod's errno without clearing it, so
    after one overflowing number (1e400 is among the values) its numeric SORTs fail until errno
    changes; numeric sorting is checked against recorded replies in tests/resp_list_test.cpp.
    Without STORE, BY nosort is never combined with LIMIT: a set is then read in its own order
    (Redis's is its hash table's), so which members a LIMIT keeps is not comparable."""
    o = [[b"ALPHA"]]
    nosort = g.chance(0.3)
    if nosort:
        o.append([b"BY", b"nosort"])
    if g.chance(0.4) and (store or not nosort):
        o.append([b"LIMIT", g.index(), g.index()])
    for _ in range(g.randint(0, 2)):
        o.append([b"GET", g.pick([b"#", b"str:*", b"k*", b"hash:*->f1", b"nothing", b"*->"])])
    if g.chance(0.5):
        o.append([g.pick([b"ASC", b"DESC", b"desc"])])
    if store:
        o.append([b"STORE", g.key("list")])
    if g.chance(0.03):
        o.append(g.pick([[b"FOO"], [b"LIMIT", b"1"], [b"BY"]]))
    return [x for part in g.shuffled(o) for x in part]


@cmd("SORT", L, -2, weight=0.5)
def _sort_store(g):
    # STORE compares all bytes: a total order, so the stored list is exact.
    return [b"SORT", g.key("list")] + _sort_options(g, True)


@cmd("SORT_RO", L, -2, mode="unordered", weight=0.5)
def _sort_read(g):
    # Replied ALPHA compares up to a NUL byte (strcoll), so members such as "b" and "b\x00" tie
    # and a set's ties come in its own order: compared as a multiset.
    return [g.pick([b"SORT", b"SORT_RO"]), g.key("list")] + _sort_options(g, False)


@cmd("LPOS", L, -3)
def _lpos(g):
    a = [b"LPOS", g.key("list"), g.member()]
    o = []
    if g.chance(0.4):
        o.append([b"RANK", g.pick([b"1", b"2", b"-1", b"-2", b"0", b"3", b"-9223372036854775808", b"x"])])
    if g.chance(0.4):
        o.append([b"COUNT", g.pick([b"0", b"1", b"2", b"5", b"-1", b"x"])])
    if g.chance(0.3):
        o.append([b"MAXLEN", g.pick([b"0", b"1", b"2", b"10", b"-1", b"x"])])
    if g.chance(0.04):
        o.append(g.pick([[b"FOO"], [b"RANK"]]))
    for x in g.shuffled(o):
        a += x
    return a


DIRS = [b"LEFT", b"RIGHT", b"left", b"RIGHT", b"LEFT", b"UP"]


@cmd("LMOVE", L, 5)
def _lmove(g):
    return [b"LMOVE", g.key("list"), g.key("list"), g.pick(DIRS), g.pick(DIRS)]


@cmd("RPOPLPUSH", L, 3)
def _rpoplpush(g):
    return [b"RPOPLPUSH", g.key("list"), g.key("list")]


def _numkeys(g, keys):
    if g.chance(0.92):
        return b"%d" % len(keys)
    return g.pick([b"0", b"-1", b"%d" % (len(keys) + 1), b"x", b"%d" % max(0, len(keys) - 1)])


@cmd("LMPOP", L, -4)
def _lmpop(g):
    ks = g.keys("list", 1, 3)
    a = [b"LMPOP", _numkeys(g, ks)] + ks + [g.pick(DIRS)]
    if g.chance(0.5):
        a += [b"COUNT", g.count()]
    return a


@cmd("BLPOP", L, -3)
def _blpop(g):
    return [g.pick([b"BLPOP", b"BRPOP"])] + g.keys("list", 1, 3) + [g.timeout()]


@cmd("BLMOVE", L, 6, weight=0.5)
def _blmove(g):
    return [b"BLMOVE", g.key("list"), g.key("list"), g.pick(DIRS), g.pick(DIRS), g.timeout()]


@cmd("BRPOPLPUSH", L, 4, weight=0.5)
def _brpoplpush(g):
    return [b"BRPOPLPUSH", g.key("list"), g.key("list"), g.timeout()]


@cmd("BLMPOP", L, -5, weight=0.5)
def _blmpop(g):
    ks = g.keys("list", 1, 3)
    a = [b"BLMPOP", g.timeout(), _numkeys(g, ks)] + ks + [g.pick(DIRS)]
    if g.chance(0.5):
        a += [b"COUNT", g.count()]
    return a


# ----------------------------------------------------------------------------------------- hashes
H = "hashes"


@cmd("HSET", H, -4, weight=2)
def _hset(g):
    a = [g.pick([b"HSET", b"HSET", b"HMSET"]), g.key("hash")]
    for _ in range(g.randint(1, 3)):
        a += [g.field(), g.value()]
    if g.chance(0.04):
        a.pop()
    return a


@cmd("HSETNX", H, 4)
def _hsetnx(g):
    return [b"HSETNX", g.key("hash"), g.field(), g.value()]


@cmd("HGET", H, 3)
def _hget(g):
    return [b"HGET", g.key("hash"), g.field()]


@cmd("HMGET", H, -3)
def _hmget(g):
    return [b"HMGET", g.key("hash")] + [g.field() for _ in range(g.randint(1, 4))]


@cmd("HGETALL", H, 2, mode="pairs")
def _hgetall(g):
    return [b"HGETALL", g.key("hash")]


@cmd("HKEYS", H, 2, mode="unordered")
def _hkeys(g):
    return [g.pick([b"HKEYS", b"HVALS"]), g.key("hash")]


@cmd("HDEL", H, -3)
def _hdel(g):
    return [b"HDEL", g.key("hash")] + [g.field() for _ in range(g.randint(1, 3))]


@cmd("HEXISTS", H, 3)
def _hexists(g):
    return [b"HEXISTS", g.key("hash"), g.field()]


@cmd("HLEN", H, 2)
def _hlen(g):
    return [b"HLEN", g.key("hash")]


@cmd("HINCRBY", H, 4)
def _hincrby(g):
    return [b"HINCRBY", g.key("hash"), g.field(), g.integer()]


@cmd("HINCRBYFLOAT", H, 4)
def _hincrbyfloat(g):
    return [b"HINCRBYFLOAT", g.key("hash"), g.field(), g.float_()]


@cmd("HSTRLEN", H, 3)
def _hstrlen(g):
    return [b"HSTRLEN", g.key("hash"), g.field()]


def _scan_opts(g):
    o = []
    if g.chance(0.4):
        o.append([b"MATCH", g.pick([b"*", b"f*", b"a", b"?", b"[ab]*", b"*1*", b""])])
    if g.chance(0.4):
        o.append([b"COUNT", g.pick([b"1", b"2", b"10", b"100"])])
    out = []
    for x in g.shuffled(o):
        out += x
    return out


def _xscan(g, name, kind, pairs):
    if g.chance(0.06):
        return [Call(g.pick([[name, g.key(kind), b"abc"], [name, g.key(kind), b"0", b"COUNT", b"0"],
                             [name, g.key(kind), b"0", b"FOO", b"1"], [name, g.key(kind), b"0", b"TYPE", b"set"],
                             [name, g.key(kind), b"0", b"MATCH"]]))]
    return [Scan([name, g.key(kind), b"0"] + _scan_opts(g), 2, pairs=pairs,
                 first=g.pick([b"0"] * 8 + [b"+0", b"", b"00"]))]


@cmd("HSCAN", H, -3, composite=True, weight=0.7)
def _hscan(g):
    return _xscan(g, b"HSCAN", "hash", True)


# ------------------------------------------------------------------------------------------- sets
E = "sets"


@cmd("SADD", E, -3, weight=2.5)
def _sadd(g):
    return [b"SADD", g.key("set")] + [g.member() for _ in range(g.randint(1, 4))]


@cmd("SREM", E, -3)
def _srem(g):
    return [b"SREM", g.key("set")] + [g.member() for _ in range(g.randint(1, 3))]


@cmd("SMEMBERS", E, 2, mode="unordered")
def _smembers(g):
    return [b"SMEMBERS", g.key("set")]


@cmd("SISMEMBER", E, 3)
def _sismember(g):
    return [b"SISMEMBER", g.key("set"), g.member()]


@cmd("SMISMEMBER", E, -3)
def _smismember(g):
    return [b"SMISMEMBER", g.key("set")] + [g.member() for _ in range(g.randint(1, 4))]


@cmd("SCARD", E, 2)
def _scard(g):
    return [b"SCARD", g.key("set")]


@cmd("SMOVE", E, 4)
def _smove(g):
    return [b"SMOVE", g.key("set"), g.key("set"), g.member()]


@cmd("SINTER", E, -2, mode="unordered", weight=1.5)
def _sinter(g):
    return [g.pick([b"SINTER", b"SUNION", b"SDIFF"])] + g.keys("set", 1, 3)


@cmd("SINTERCARD", E, -3)
def _sintercard(g):
    ks = g.keys("set", 1, 3)
    a = [b"SINTERCARD", _numkeys(g, ks)] + ks
    if g.chance(0.4):
        a += [b"LIMIT", g.pick([b"0", b"1", b"2", b"-1", b"x", b"100"])]
    return a


@cmd("SINTERSTORE", E, -3, weight=1.5)
def _sinterstore(g):
    return [g.pick([b"SINTERSTORE", b"SUNIONSTORE", b"SDIFFSTORE"]), g.key("set")] + g.keys("set", 1, 3)


@cmd("SSCAN", E, -3, composite=True, weight=0.7)
def _sscan(g):
    return _xscan(g, b"SSCAN", "set", False)


@cmd("SPOP one", E, -2, weight=0.2)
def _spop_one(g):
    """Random by nature: only on a key holding at most one member (always the same answer)."""
    return [g.pick([b"SPOP", b"SRANDMEMBER"]), b"set:one"] + g.pick([[], [b"1"], [b"5"], [b"-2"], [b"0"]])


@cmd("SADD one", E, -3, weight=0.2)
def _sadd_one(g):
    return [b"SADD", b"set:one", b"a"]


@cmd("HRANDFIELD one", H, -2, weight=0.2)
def _hrandfield_one(g):
    """Random by nature: only on a hash of at most one field."""
    if g.chance(0.3):
        return [b"HSET", b"hash:one", b"f", g.pick([b"v", b"w"])]
    return [b"HRANDFIELD", b"hash:one"] + g.pick([[], [b"1"], [b"3"], [b"-2"], [b"0"], [b"-3", b"WITHVALUES"],
                                                  [b"1", b"WITHVALUES"], [b"x"], [b"1", b"FOO"]])



# ------------------------------------------------------------------------------------ sorted sets
Z = "zsets"


@cmd("ZADD", Z, -4, weight=3)
def _zadd(g):
    a = [b"ZADD", g.key("zset")]
    flags = []
    if g.chance(0.3):
        flags.append(g.pick([b"NX", b"XX"]))
    if g.chance(0.25):
        flags.append(g.pick([b"GT", b"LT"]))
    if g.chance(0.3):
        flags.append(b"CH")
    if g.chance(0.15):
        flags.append(b"INCR")
    if g.chance(0.05):
        flags += g.pick([[b"NX", b"XX"], [b"GT", b"LT"], [b"NX", b"GT"], [b"nx"], [b"ch"]])
    a += g.shuffled(flags)
    n = 1 if (b"INCR" in flags and g.chance(0.85)) else g.randint(1, 4)
    for _ in range(n):
        a += [g.score(), g.member()]
    if g.chance(0.04):
        a.pop()
    return a


@cmd("ZADD", Z, -4, weight=1.5)
def _zadd_lex(g):
    """Members with score 0 into the lex-range keys."""
    a = [b"ZADD", g.pick(LEX_KEYS)]
    for _ in range(g.randint(1, 4)):
        a += [b"0", g.member()]
    return a


@cmd("ZINCRBY", Z, 4)
def _zincrby(g):
    return [b"ZINCRBY", g.key("zset"), g.score(), g.member()]


@cmd("ZSCORE", Z, 3)
def _zscore(g):
    return [b"ZSCORE", g.key("zset"), g.member()]


@cmd("ZMSCORE", Z, -3)
def _zmscore(g):
    return [b"ZMSCORE", g.key("zset")] + [g.member() for _ in range(g.randint(1, 4))]


@cmd("ZRANK", Z, 3)
def _zrank(g):
    return [g.pick([b"ZRANK", b"ZREVRANK"]), g.key("zset"), g.member()]


def _limit(g):
    return [b"LIMIT", g.pick([b"0", b"1", b"2", b"-1", b"x"]), g.pick([b"1", b"2", b"-1", b"0", b"10", b"x"])]


@cmd("ZRANGE", Z, -4, weight=3)
def _zrange(g):
    mode = g.pick([b"", b"BYSCORE", b"BYLEX"])
    if mode == b"BYSCORE" or (mode == b"" and g.chance(0.05)):
        lo, hi = g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)
    elif mode == b"BYLEX":
        lo, hi = g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)
    else:
        lo, hi = g.index(), g.index()
    a = [b"ZRANGE", g.lex_key() if mode == b"BYLEX" else g.key("zset"), lo, hi]
    o = []
    if mode:
        o.append([mode])
    if g.chance(0.35):
        o.append([b"REV"])
    if g.chance(0.3 if mode else 0.05):
        o.append(_limit(g))
    if g.chance(0.4 if mode != b"BYLEX" else 0.05):
        o.append([b"WITHSCORES"])
    if g.chance(0.03):
        o.append(g.pick([[b"FOO"], [b"BYSCORE", b"BYLEX"], [b"LIMIT", b"1"]]))
    for x in g.shuffled(o):
        a += x
    return a


@cmd("ZRANGESTORE", Z, -5)
def _zrangestore(g):
    mode = g.pick([b"", b"BYSCORE", b"BYLEX"])
    if mode == b"BYSCORE":
        lo, hi = g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)
    elif mode == b"BYLEX":
        lo, hi = g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)
    else:
        lo, hi = g.index(), g.index()
    a = [b"ZRANGESTORE", g.key("zset"), g.lex_key() if mode == b"BYLEX" else g.key("zset"), lo, hi]
    if mode:
        a.append(mode)
    if g.chance(0.3):
        a.append(b"REV")
    if mode and g.chance(0.3):
        a += _limit(g)
    if g.chance(0.03):
        a.append(b"WITHSCORES")
    return a


@cmd("ZRANGEBYSCORE", Z, -4, weight=2)
def _zrangebyscore(g):
    a = [g.pick([b"ZRANGEBYSCORE", b"ZREVRANGEBYSCORE"]), g.key("zset"), g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)]
    o = []
    if g.chance(0.4):
        o.append([b"WITHSCORES"])
    if g.chance(0.3):
        o.append(_limit(g))
    if g.chance(0.03):
        o.append([b"FOO"])
    for x in g.shuffled(o):
        a += x
    return a


@cmd("ZRANGEBYLEX", Z, -4, weight=1.5)
def _zrangebylex(g):
    a = [g.pick([b"ZRANGEBYLEX", b"ZREVRANGEBYLEX"]), g.lex_key(), g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)]
    if g.chance(0.3):
        a += _limit(g)
    if g.chance(0.03):
        a.append(b"WITHSCORES")
    return a


@cmd("ZREVRANGE", Z, -4)
def _zrevrange(g):
    a = [b"ZREVRANGE", g.key("zset"), g.index(), g.index()]
    if g.chance(0.4):
        a.append(b"WITHSCORES")
    return a


@cmd("ZCARD", Z, 2)
def _zcard(g):
    return [b"ZCARD", g.key("zset")]


@cmd("ZCOUNT", Z, 4)
def _zcount(g):
    return [b"ZCOUNT", g.key("zset"), g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)]


@cmd("ZLEXCOUNT", Z, 4)
def _zlexcount(g):
    return [b"ZLEXCOUNT", g.lex_key(), g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)]


@cmd("ZREM", Z, -3)
def _zrem(g):
    return [b"ZREM", g.key("zset")] + [g.member() for _ in range(g.randint(1, 3))]


@cmd("ZREMRANGEBYRANK", Z, 4, weight=0.5)
def _zremrangebyrank(g):
    return [b"ZREMRANGEBYRANK", g.key("zset"), g.index(), g.index()]


@cmd("ZREMRANGEBYSCORE", Z, 4, weight=0.5)
def _zremrangebyscore(g):
    return [b"ZREMRANGEBYSCORE", g.key("zset"), g.pick(SCORE_BOUNDS), g.pick(SCORE_BOUNDS)]


@cmd("ZREMRANGEBYLEX", Z, 4, weight=0.5)
def _zremrangebylex(g):
    return [b"ZREMRANGEBYLEX", g.lex_key(), g.pick(LEX_BOUNDS), g.pick(LEX_BOUNDS)]


@cmd("ZPOPMIN", Z, -2)
def _zpopmin(g):
    return [g.pick([b"ZPOPMIN", b"ZPOPMAX"]), g.key("zset")] + ([g.count()] if g.chance(0.5) else [])


@cmd("BZPOPMIN", Z, -3, weight=0.6)
def _bzpopmin(g):
    return [g.pick([b"BZPOPMIN", b"BZPOPMAX"])] + g.keys("zset", 1, 3) + [g.timeout()]


def _weights_aggregate(g, n, withscores):
    o = []
    if g.chance(0.4):
        m = n if g.chance(0.9) else g.pick([max(0, n - 1), n + 1])
        o.append([b"WEIGHTS"] + [g.pick([b"1", b"2", b"0", b"-1", b"0.5", b"inf", b"-inf", b"x", b"3"])
                                 for _ in range(m)])
    if g.chance(0.4):
        o.append([b"AGGREGATE", g.pick([b"SUM", b"MIN", b"MAX", b"sum", b"AVG"])])
    if withscores and g.chance(0.5):
        o.append([b"WITHSCORES"])
    out = []
    for x in g.shuffled(o):
        out += x
    return out


def _zsrc_keys(g):
    return [g.key("zset") if g.chance(0.8) else g.key("set") for _ in range(g.randint(1, 3))]


@cmd("ZUNIONSTORE", Z, -4, weight=1.5)
def _zunionstore(g):
    ks = _zsrc_keys(g)
    return [g.pick([b"ZUNIONSTORE", b"ZINTERSTORE"]), g.key("zset"), _numkeys(g, ks)] + ks + \
        _weights_aggregate(g, len(ks), False)


@cmd("ZUNION", Z, -3, weight=1.5)
def _zunion(g):
    ks = _zsrc_keys(g)
    return [g.pick([b"ZUNION", b"ZINTER"]), _numkeys(g, ks)] + ks + _weights_aggregate(g, len(ks), True)


@cmd("ZDIFF", Z, -3)
def _zdiff(g):
    ks = _zsrc_keys(g)
    a = [b"ZDIFF", _numkeys(g, ks)] + ks
    if g.chance(0.5):
        a.append(b"WITHSCORES")
    return a


@cmd("ZSCAN", Z, -3, composite=True, weight=0.7)
def _zscan(g):
    return _xscan(g, b"ZSCAN", "zset", True)


@cmd("ZRANDMEMBER one", Z, -2, weight=0.2)
def _zrandmember_one(g):
    """Random by nature: only on a sorted set of at most one member."""
    if g.chance(0.3):
        return [b"ZADD", b"zset:one", g.pick([b"1", b"2.5", b"-inf"]), b"m"]
    return [b"ZRANDMEMBER", b"zset:one"] + g.pick([[], [b"1"], [b"3"], [b"-2"], [b"0"], [b"-3", b"WITHSCORES"],
                                                   [b"1", b"WITHSCORES"], [b"x"], [b"1", b"FOO"]])


G = "geo"
GEO_KEYS = [b"geo:a", b"geo:b"]
GEO_CENTRES = [(13.36, 38.11), (2.35, 48.86), (-74.0, 40.7), (139.7, 35.7), (0.0, 0.0),
               (179.5, 84.5), (-179.5, -84.0), (-0.1, -0.1), (100.0, -60.0)]


def _geo_key(g):
    """Mostly the geo indexes; sometimes any sorted set (arbitrary scores decode too) or key."""
    if g.chance(0.8):
        return g.pick(GEO_KEYS)
    return g.key("zset")


def _lonlat(g):
    x = g.r.random()
    if x < 0.04:
        return [g.pick([b"181", b"-180.5", b"x", b"", b"inf", b"1e400"]),
                g.pick([b"0", b"86", b"-85.06", b"y", b"90"])]
    if x < 0.08:
        return [g.pick([b"180", b"-180", b"0", b"-0"]),
                g.pick([b"85.05112878", b"-85.05112878", b"0", b"85.05112877"])]
    cx, cy = g.pick(GEO_CENTRES)
    spread = g.pick([0.01, 0.5, 3.0])
    lon = max(-180.0, min(180.0, cx + g.r.uniform(-spread, spread)))
    lat = max(-85.0511, min(85.0511, cy + g.r.uniform(-spread, spread)))
    return [(b"%.6f" % lon), (b"%.6f" % lat)]


def _geo_unit(g):
    if g.chance(0.03):
        return g.pick([b"yd", b"", b"meters"])
    return g.pick([b"m", b"km", b"km", b"KM", b"mi", b"ft", b"Mi"])


def _geo_distance(g):
    if g.chance(0.04):
        return g.pick([b"-1", b"x", b"", b"nan"])
    return g.pick([b"0", b"1", b"10", b"50", b"100", b"250", b"500", b"1000", b"3000", b"20000",
                   b"0.5", b"1e3", b"12345.678"])


def _geo_options(g, store, search_store=False):
    return [x for part in _geo_option_parts(g, store, search_store) for x in part]


def _geo_option_parts(g, store, search_store=False):
    o = []
    for w in (b"WITHDIST", b"WITHHASH", b"WITHCOORD"):
        if g.chance(0.3 if not store else 0.05):
            o.append([w])
    if g.chance(0.5):
        o.append([g.pick([b"ASC", b"DESC", b"asc"])])
    if g.chance(0.35):
        o.append([b"COUNT", g.pick([b"1", b"2", b"3", b"5", b"0", b"-1", b"x", b"100"])])
        if g.chance(0.3):
            o.append([b"ANY"])
    elif g.chance(0.03):
        o.append([b"ANY"])
    if store and g.chance(0.6):
        o.append([g.pick([b"STORE", b"STOREDIST"]), g.pick([b"geo:dst", b"geo:b", b"k1", b"str:a"])])
    if search_store and g.chance(0.4):
        o.append([b"STOREDIST"])
    g.r.shuffle(o)
    return o


@cmd("GEOADD", G, -5, weight=5)
def _geoadd(g):
    a = [b"GEOADD", _geo_key(g) if g.chance(0.9) else g.key()]
    flags = []
    if g.chance(0.2):
        flags.append(g.pick([b"NX", b"XX"]))
    if g.chance(0.2):
        flags.append(b"CH")
    if g.chance(0.03):
        flags += g.pick([[b"NX", b"XX"], [b"GT"], [b"ch", b"ch"]])
    a += g.shuffled(flags)
    for _ in range(g.randint(1, 4)):
        a += _lonlat(g) + [g.member()]
    if g.chance(0.03):
        a.pop()
    return a


@cmd("GEOPOS", G, -2)
def _geopos(g):
    return [b"GEOPOS", _geo_key(g)] + [g.member() for _ in range(g.randint(0, 4))]


@cmd("GEOHASH", G, -2)
def _geohash(g):
    return [b"GEOHASH", _geo_key(g)] + [g.member() for _ in range(g.randint(0, 4))]


@cmd("GEODIST", G, -4)
def _geodist(g):
    a = [b"GEODIST", _geo_key(g), g.member(), g.member()]
    if g.chance(0.5):
        a.append(_geo_unit(g))
    if g.chance(0.03):
        a.append(b"extra")
    return a


@cmd("GEORADIUS", G, -6, weight=2)
def _georadius(g):
    name = g.pick([b"GEORADIUS", b"GEORADIUS_RO"])
    return [name, _geo_key(g)] + _lonlat(g) + [_geo_distance(g), _geo_unit(g)] + \
        _geo_options(g, name == b"GEORADIUS")


@cmd("GEORADIUSBYMEMBER", G, -5, weight=2)
def _georadiusbymember(g):
    name = g.pick([b"GEORADIUSBYMEMBER", b"GEORADIUSBYMEMBER_RO"])
    return [name, _geo_key(g), g.member(), _geo_distance(g), _geo_unit(g)] + \
        _geo_options(g, name == b"GEORADIUSBYMEMBER")


def _geosearch_from_by(g):
    parts = []
    if g.chance(0.5):
        parts.append([b"FROMMEMBER", g.member()])
    else:
        parts.append([b"FROMLONLAT"] + _lonlat(g))
    if g.chance(0.03):
        parts.append(g.pick([[b"FROMMEMBER", g.member()], [b"FROMLONLAT"] + _lonlat(g)]))
    if g.chance(0.5):
        parts.append([b"BYRADIUS", _geo_distance(g), _geo_unit(g)])
    else:
        parts.append([b"BYBOX", _geo_distance(g), _geo_distance(g), _geo_unit(g)])
    if g.chance(0.03):
        parts.append([b"BYRADIUS", b"10", b"km"])
    if g.chance(0.03):
        parts.pop(g.randint(0, len(parts) - 1))
    return parts


@cmd("GEOSEARCH", G, -7, weight=3)
def _geosearch(g):
    parts = _geosearch_from_by(g) + _geo_option_parts(g, False)
    g.r.shuffle(parts)
    return [b"GEOSEARCH", _geo_key(g)] + [x for p in parts for x in p]


@cmd("GEOSEARCHSTORE", G, -8, weight=2)
def _geosearchstore(g):
    parts = _geosearch_from_by(g) + _geo_option_parts(g, False, True)
    g.r.shuffle(parts)
    dst = g.pick([b"geo:dst", b"geo:b", b"k2", b"str:a"])
    return [b"GEOSEARCHSTORE", dst, _geo_key(g)] + [x for p in parts for x in p]


@cmd("ZRANGE", G, -4)
def _geo_zrange(g):
    """What the *STORE commands wrote."""
    return [b"ZRANGE", g.pick([b"geo:dst", b"geo:b", b"k1", b"k2"]), b"0", b"-1", b"WITHSCORES"]


FAMILIES = [S, K, V, T, P, L, H, E, Z, G]
ISSUE7_FAMILIES = [S, K, V, T, P]


# ==================================================================================================
# The runner
# ==================================================================================================

def pick_weighted(r, entries):
    total = sum(c.weight for c in entries)
    x = r.random() * total
    for c in entries:
        x -= c.weight
        if x <= 0:
            return c
    return entries[-1]


def wrong_arity(g, c):
    """The command `c` with a wrong number of arguments (Redis answers before anything else)."""
    args = list(c.gen(g)) if not c.composite else [to_bytes(c.name.split()[0])]
    name_len = 2 if c.name in ("CONFIG SET", "CONFIG GET") else 1
    if c.arity > 0:
        choices = [n for n in range(name_len, c.arity + 3) if n != c.arity]
    else:
        choices = list(range(name_len, -c.arity))
    if not choices:
        return args
    n = g.pick(choices)
    while len(args) < n:
        args.append(g.value())
    return args[:n]


def sort_key(node):
    return node.raw


STRICT_PUSH_ORDER = False  # --strict-push-order


def compare(mode, a, b):
    """True when replies a (cachet) and b (redis), parsed Nodes or lists of them, agree."""
    if mode == "pushes":
        # Keyspace events pushed to this very connection: Redis 7.0 writes them before the
        # command's reply; the order of the pushes, and that of the replies, must match.
        if STRICT_PUSH_ORDER:
            return [x.raw for x in a] == [x.raw for x in b]
        return [x.raw for x in a if x.t == b">"] == [x.raw for x in b if x.t == b">"] and \
            [x.raw for x in a if x.t != b">"] == [x.raw for x in b if x.t != b">"]
    if mode == "unordered_multi":
        a = a if isinstance(a, list) else [a]
        b = b if isinstance(b, list) else [b]
        return sorted(x.raw for x in a) == sorted(x.raw for x in b)
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)):
            return False
        return len(a) == len(b) and all(compare(mode, x, y) for x, y in zip(a, b))
    if a.raw == b.raw:
        return True
    if mode == "unordered":
        if a.children is None or b.children is None or a.t != b.t or len(a.children) != len(b.children):
            return False
        return sorted(x.raw for x in a.children) == sorted(x.raw for x in b.children)
    if mode == "pairs":
        if a.children is None or b.children is None or a.t != b.t or len(a.children) != len(b.children):
            return False
        pa = sorted((a.children[i].raw, a.children[i + 1].raw) for i in range(0, len(a.children) - 1, 2))
        pb = sorted((b.children[i].raw, b.children[i + 1].raw) for i in range(0, len(b.children) - 1, 2))
        return pa == pb
    if mode == "shape":  # random by nature: the same kind of reply (both null, both a bulk, ...)
        return a.t == b.t and (a.value is None) == (b.value is None) and not a.is_error()
    if mode == "noerror":  # the same error, or no error on either side
        return not a.is_error() and not b.is_error() and a.t == b.t
    if mode == "approx":
        if a.t != b":" or b.t != b":":
            return False
        x, y = int(a.value), int(b.value)
        if x < 0 or y < 0:
            return False
        if x in ABSOLUTE_TIMES or y in ABSOLUTE_TIMES:  # set by EXPIREAT/PXAT/...: exact
            return False
        tol = 1000 if max(x, y) > 10 ** 11 else 1  # PEXPIRETIME is in ms
        return abs(x - y) <= tol
    return False


def _absolute_times():
    out = set()
    for v in EXPIRE_ABS_S:
        try:
            n = int(v)
        except ValueError:
            continue
        if n > 10 ** 9:
            out.update((n, n * 1000))
    for v in EXPIRE_ABS_MS:
        try:
            n = int(v)
        except ValueError:
            continue
        if n > 10 ** 12:
            out.update((n, n // 1000))
    return out


# The Unix times the generators set with EXPIREAT, PEXPIREAT, SET/GETEX EXAT/PXAT (in s and ms):
# a TTL, EXPIRETIME or PEXPIRETIME reply equal to one of them must match exactly.
ABSOLUTE_TIMES = _absolute_times()


class Divergence(Exception):
    def __init__(self, call_args, what, cachet_reply, redis_reply, detail=""):
        super().__init__(what)
        self.call_args, self.what = call_args, what
        self.cachet_reply, self.redis_reply, self.detail = cachet_reply, redis_reply, detail


def show(r):
    if isinstance(r, list):
        return "[" + ", ".join(show(x) for x in r) + "]"
    if isinstance(r, Node):
        return repr(r.raw) if len(r.raw) <= 600 else repr(r.raw[:600]) + "... (%d bytes)" % len(r.raw)
    return repr(r)


class Runner:
    def __init__(self, opts, cachet, redis):
        self.opts, self.cachet, self.redis = opts, cachet, redis
        self.conns = None
        self.history = collections.deque(maxlen=21)  # the divergent command and the 20 before it
        self.ops = collections.Counter()
        self.cmd_ops = collections.Counter()
        self.divergences = []
        self.ignored = collections.Counter()
        self.sentinels = 0

    # -- connections -----------------------------------------------------------------------------
    def connect(self, proto):
        if self.conns:
            for c in self.conns:
                c.close()
        self.conns = (Conn("cachet-server", self.cachet.port, self.opts.host),
                      Conn("redis-server", self.redis.port, self.opts.host))
        if proto == 3:
            for c in self.conns:
                c.send([b"HELLO", b"3"])
                r = c.read()
                if r.is_error() or r.t != b"%":
                    die("%s: HELLO 3 failed: %r" % (c.name, r.raw), 1)

    def both(self, args, nreplies=1, sentinel=False):
        """Sends args to both servers and reads nreplies from each (or, with `sentinel`, every
        reply before the answer to a PING that follows): (cachet, redis)."""
        out = []
        marker = None
        if sentinel:
            self.sentinels += 1
            marker = b"sentinel-%d" % self.sentinels
        for c in self.conns:
            c.send(args)
        for c in self.conns:
            try:
                if marker:
                    # The command's reply first (and any push before it); only then the PING,
                    # so that a server that writes a connection's own pushes after its replies
                    # is not blamed for pushes that follow the next command's reply.
                    got = []
                    while True:
                        r = c.read()
                        got.append(r)
                        if r.t != b">":
                            break
                    c.send([b"PING", marker])
                    while True:
                        r = c.read()
                        if r.t == b"$" and r.value == marker:
                            break
                        got.append(r)
                        if len(got) > 1000:
                            raise ProtocolError("%s: no answer to the sentinel PING" % c.name)
                    out.append(got)
                elif nreplies == 1:
                    out.append(c.read())
                else:
                    out.append([c.read() for _ in range(nreplies)])
            except (ConnectionLost, ReplyTimeout, ProtocolError) as e:
                out.append(e)
        return out

    def check_server_alive(self):
        for m in (self.cachet, self.redis):
            if not m.alive():
                return "%s died (status %s)\n%s" % (m.name, m.proc.returncode, tail(m.log_path))
        return ""

    # -- one step ------------------------------------------------------------------------------
    def run_call(self, call):
        self.history.append(cli_line(call.args))
        rc, rr = self.both(call.args, call.nreplies, call.sentinel)
        if self.opts.verbose:
            print("  %s\n    cachet: %s\n    redis:  %s" % (cli_line(call.args)[:300], show(rc)[:300], show(rr)[:300]))
        if isinstance(rr, Exception):
            raise Divergence(call.args, "redis-server failed: %s" % rr, rc, rr)
        if isinstance(rc, Exception):
            raise Divergence(call.args, "cachet-server failed: %s" % rc, rc, rr, self.check_server_alive())
        if not compare(call.mode, rc, rr):
            raise Divergence(call.args, "replies differ (comparison: %s)" % call.mode, rc, rr)

    def scan_all(self, conn, scan):
        """Iterates a SCAN-family command to the end on one connection: (error Node or None, set)."""
        args = list(scan.args)
        elems = set()
        cursor = scan.first
        for _ in range(100000):
            args[scan.cursor_at] = cursor
            conn.send(args)
            r = conn.read()
            if r.is_error() or r.children is None or len(r.children) != 2:
                return r, None
            cur, items = r.children
            if items.children is None:
                return r, None
            vals = [x.raw for x in items.children]
            if scan.pairs:
                elems.update(zip(vals[0::2], vals[1::2]))
            else:
                elems.update(vals)
            cursor = cur.value
            if cursor == b"0":
                return None, elems
        return Node(b"?", b"cursor never returned to 0"), None

    def run_scan(self, scan):
        self.history.append(cli_line(scan.args) + "   (iterated to cursor 0)")
        res = []
        for c in self.conns:
            try:
                res.append(self.scan_all(c, scan))
            except (ConnectionLost, ReplyTimeout, ProtocolError) as e:
                res.append((e, None))
        (ec, sc), (er, sr) = res
        if self.opts.verbose:
            print("  %s (scan)\n    cachet: %s\n    redis:  %s" %
                  (cli_line(scan.args)[:300], show(ec) if ec else sorted(sc)[:20], show(er) if er else sorted(sr)[:20]))
        if isinstance(er, Exception):
            raise Divergence(scan.args, "redis-server failed: %s" % er, ec, er)
        if isinstance(ec, Exception):
            raise Divergence(scan.args, "cachet-server failed: %s" % ec, ec, er, self.check_server_alive())
        if (ec is None) != (er is None):
            raise Divergence(scan.args, "one server answered with an error or an odd reply",
                             ec if ec else sorted(sc), er if er else sorted(sr))
        if ec is not None:
            if ec.raw != er.raw:
                raise Divergence(scan.args, "replies differ", ec, er)
            return
        if sc != sr:
            raise Divergence(scan.args, "the sets of elements differ",
                             "only in cachet: %r" % sorted(sc - sr), "only in redis: %r" % sorted(sr - sc))

    def fresh_start(self, proto):
        """New connections (HELLO 3 for RESP3), empty databases, default configuration."""
        self.connect(proto)
        self.history.clear()
        self.run_call(Call([b"FLUSHALL"]))
        if V in self.opts.families:
            self.run_call(Call([b"CONFIG", b"SET"] + CONFIG_DEFAULTS))

    # -- a pass ----------------------------------------------------------------------------------
    def run_pass(self, seed, proto, enabled):
        rng = random.Random("%s/%d" % (seed, proto) if self.opts.independent_protocols else seed)
        g = Gen(rng, proto)
        g.enabled = enabled
        self.fresh_start(proto)
        step = 0
        while step < self.opts.ops:
            step += 1
            c = pick_weighted(rng, enabled)
            g.family = c.family
            if not c.composite and rng.random() < self.opts.wrong_arity:
                steps = [Call(wrong_arity(g, c))]
            elif rng.random() < 0.3 and not c.composite and c.name.isupper() and " " not in c.name:
                args = list(c.gen(g))
                args[0] = mixed_case(rng, args[0])  # command names are case-insensitive
                steps = [Call(args, c.mode)]
            else:
                out = c.gen(g)
                steps = out if c.composite else [Call(out, c.mode)]
            if self.opts.scripts and not c.composite and rng.random() < self.opts.scripts:
                steps = [in_script(rng, x) if isinstance(x, Call) and x.nreplies == 1 else x for x in steps]
            self.ops[(proto, c.family)] += 1
            self.cmd_ops[c.name] += 1
            try:
                for s in steps:
                    if isinstance(s, Scan):
                        self.run_scan(s)
                    else:
                        self.run_call(s)
            except Divergence as d:
                line = cli_line(d.call_args)
                if any(rx.search(line) for rx in self.opts.ignore_rx):
                    self.ignored[c.name] += 1
                    if self.opts.verbose:
                        print("  (ignored divergence: %s)" % line[:200])
                else:
                    self.report(seed, proto, step, c, d)
                    if not self.opts.keep_going:
                        return False
                self.fresh_start(proto)  # resynchronise
        # Nothing may be left over: both connections must be quiet and answer the same.
        self.run_call(Call([b"PING"]))
        for conn in self.conns:
            extra = conn.pending()
            if extra:
                d = Divergence([b"(end of pass)"], "%s sent unexpected extra bytes" % conn.name,
                               Node(b"?", extra), Node(b"?", b""))
                self.report(seed, proto, step, None, d)
                return False
        return True

    def report(self, seed, proto, step, c, d):
        self.divergences.append((c.name if c else "?", d, seed, proto, step))
        out = sys.stdout
        print("\n" + "=" * 100, file=out)
        print("DIVERGENCE  seed=%s  protocol=RESP%d  step=%d  family=%s  (%s)" %
              (seed, proto, step, c.family if c else "?", d.what), file=out)
        line = cli_line(d.call_args)
        print("  command: %s" % (line if len(line) <= 600 else line[:600] + " ... (%d bytes)" % len(line)), file=out)
        print("  cachet-server: %s" % show(d.cachet_reply), file=out)
        print("  redis-server:  %s" % show(d.redis_reply), file=out)
        if d.detail:
            print(d.detail, file=out)
        print("  the %d commands before it, oldest first, then the divergent one:" % (len(self.history) - 1),
              file=out)
        for line in self.history:
            print("    " + (line if len(line) < 400 else line[:400] + " ..."), file=out)
        print("  reproduce: %s" % reproduce_line(seed, proto, step), file=out)
        print("=" * 100, file=out, flush=True)


def reproduce_line(seed, proto, step):
    """This run's command line for one seed and protocol, up to `step`."""
    keep, skip = [], {"--seed", "--ops", "--protocol", "--keep-going"}
    argv = sys.argv[1:]
    i = 0
    while i < len(argv):
        a = argv[i]
        name = a.split("=", 1)[0]
        if name in skip:
            i += 1 if ("=" in a or name == "--keep-going") else 2
            continue
        keep.append(a)
        i += 1
    quote = lambda x: x if x and all(ch.isalnum() or ch in "-_./=,:" for ch in x) else "'%s'" % x.replace("'", "'\\''")
    return " ".join([sys.executable, sys.argv[0]] + [quote(x) for x in keep] +
                    ["--seed", str(seed), "--protocol", str(proto), "--ops", str(step)])


def mixed_case(rng, name):
    return bytes((ch ^ 0x20) if (0x41 <= ch <= 0x5A or 0x61 <= ch <= 0x7A) and rng.random() < 0.5 else ch
                 for ch in name)


def in_script(rng, call):
    """`call` run by a Lua script instead (EVAL with the command as ARGV): redis.call or
    redis.pcall, in RESP2 or, a third of the time, RESP3 (redis.setresp(3)), so that both
    servers convert the reply to Lua and back."""
    body = b"return redis." + rng.choice([b"call", b"pcall"]) + b"(unpack(ARGV))"
    # Not for replies compared unordered: in RESP3 a null inside an array becomes a Lua nil,
    # which ends the array there, so what is left depends on the order (SORT's ties).
    if rng.random() < 0.3 and call.mode != "unordered":
        body = b"redis.setresp(3); " + body
    return Call([b"EVAL", body, b"0"] + call.args, call.mode, call.nreplies, call.sentinel)


def has_scripting(port, host):
    conn = Conn("cachet-server", port, host)
    try:
        conn.send([b"COMMAND", b"INFO", b"EVAL"])
        r = conn.read()
        return not r.is_error() and r.children is not None and r.children[0].children is not None
    finally:
        conn.close()


def probe_unimplemented(port, host, names):
    """Command names cachet-server answers with 'unknown command' (probed on a throw-away
    connection with no arguments: every such command then fails its arity check, or is harmless)."""
    missing = set()
    conn = Conn("cachet-server", port, host)
    try:
        for name in sorted(names):
            conn.send([name])
            r = conn.read()
            if r.is_error() and r.value.startswith(b"ERR unknown command"):
                missing.add(name)
    finally:
        conn.close()
    return missing


# Entries whose generated command names say nothing of what they test (they embed others).
NO_PROBE = {"unknown", "SUBSCRIBE round", "MULTI/EXEC", "keyspace notifications"}


def command_names(c, g):
    """The command names an entry can send (generated a few times)."""
    names = set()
    for _ in range(30):
        out = c.gen(g)
        for s in (out if c.composite else [Call(out)]):
            names.add(s.args[0].upper())
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cachet", metavar="BIN", help="cachet-server binary to start")
    ap.add_argument("--redis", metavar="BIN", default="redis-server",
                    help="redis-server binary to start (default: redis-server on PATH)")
    ap.add_argument("--cachet-port", type=int, help="connect to a running cachet-server instead")
    ap.add_argument("--redis-port", type=int, help="connect to a running redis-server instead")
    ap.add_argument("--host", default="127.0.0.1", help="host of --cachet-port/--redis-port")
    ap.add_argument("--seed", action="append",
                    help="seed (repeatable; 'random' picks one; default: one random seed)")
    ap.add_argument("--ops", type=int, default=2000, help="random steps per seed and protocol (default 2000)")
    ap.add_argument("--protocol", choices=["2", "3", "both"], default="both")
    ap.add_argument("--family", default="all",
                    help="comma-separated families: %s; 'all' (default), or 'issue7' (%s)" %
                         (",".join(FAMILIES), ",".join(ISSUE7_FAMILIES)))
    ap.add_argument("--skip-unimplemented", action="store_true",
                    help="leave out the commands cachet-server answers with 'unknown command' (listed)")
    ap.add_argument("--wrong-arity", type=float, default=0.03, help="share of steps with a wrong arity")
    ap.add_argument("--scripts", type=float, default=0.0,
                    help="share of steps run inside a Lua script (EVAL \"return redis.call(unpack(ARGV))\" "
                         "0 CMD ...); off when cachet-server has no EVAL")
    ap.add_argument("--keep-going", action="store_true",
                    help="after a divergence: report it, reconnect, FLUSHALL, carry on (exit 1 at the end)")
    ap.add_argument("--ignore", metavar="REGEX", action="append", default=[],
                    help="a divergence whose command line matches REGEX is counted but not a failure "
                         "(then reconnect and FLUSHALL, as --keep-going); repeatable")
    ap.add_argument("--notify-flags", metavar="LIST",
                    help="comma-separated notify-keyspace-events values to draw from instead of "
                         "the default ones")
    ap.add_argument("--strict-push-order", action="store_true",
                    help="keyspace events pushed to the connection that caused them must come in "
                         "the same order relative to the command's reply as Redis's (Redis 7.0 "
                         "varies by command: SET, INCR, DEL push first; RPUSH, HSET, EXPIRE reply "
                         "first; cachet-server always pushes first, so this mode reports those; "
                         "default: compared apart from the reply)")
    ap.add_argument("--independent-protocols", action="store_true",
                    help="a different command sequence for RESP2 and RESP3 (default: the same one)")
    ap.add_argument("--verbose", "-v", action="store_true")
    opts = ap.parse_args()

    fams = []
    for f in opts.family.split(","):
        f = f.strip()
        if f == "all":
            fams += FAMILIES
        elif f == "issue7":
            fams += ISSUE7_FAMILIES
        elif f == "issue8":
            fams += [x for x in FAMILIES if x not in ISSUE7_FAMILIES]
        elif f in FAMILIES:
            fams.append(f)
        elif f:
            die("unknown family %r (families: %s)" % (f, ", ".join(FAMILIES)))
    opts.families = list(dict.fromkeys(fams))
    global STRICT_PUSH_ORDER
    STRICT_PUSH_ORDER = opts.strict_push_order
    if opts.notify_flags is not None:
        NOTIFY_FLAGS[:] = [f.encode() for f in opts.notify_flags.split(",")]
    import re
    opts.ignore_rx = [re.compile(x, re.I) for x in opts.ignore]
    seeds = []
    for s in opts.seed or ["random"]:
        seeds.append(random.SystemRandom().randrange(1 << 32) if s == "random" else int(s))
    protos = [2, 3] if opts.protocol == "both" else [int(opts.protocol)]

    # Servers.
    if opts.redis_port:
        redis = Managed("redis-server", None, opts.redis_port, "", None)
    else:
        rbin = shutil.which(opts.redis)
        if rbin is None:
            print("SKIP: redis-server (%s) is not installed; Debian: apt-get install redis-server" % opts.redis)
            sys.exit(SKIP)
        redis = start_redis(rbin)
    if opts.cachet_port:
        cachet = Managed("cachet-server", None, opts.cachet_port, "", None)
    elif opts.cachet:
        if not os.access(opts.cachet, os.X_OK):
            die("cachet-server binary %r is not executable" % opts.cachet)
        cachet = start_cachet(opts.cachet)
    else:
        die("give --cachet BIN or --cachet-port PORT")

    if opts.scripts and not has_scripting(cachet.port, opts.host):
        print("cachet-server has no EVAL (built without Lua): --scripts ignored")
        opts.scripts = 0.0
    enabled = [c for c in TABLE if c.family in opts.families]
    if opts.skip_unimplemented:
        g = Gen(random.Random(0), 2)
        g.enabled = enabled
        names = set()
        for c in enabled:
            if c.family != T and c.name not in NO_PROBE:
                names |= command_names(c, g)
        missing = probe_unimplemented(cachet.port, opts.host, names)
        if missing:
            print("skipping commands cachet-server does not implement yet: %s" %
                  " ".join(sorted(x.decode() for x in missing)))
            kept = []
            for c in enabled:
                if c.family != T and c.name not in NO_PROBE and \
                        command_names(c, g) & missing:
                    continue
                kept.append(c)
            enabled = kept
    if not enabled:
        die("no command left to test")

    print("diff_redis: seeds %s, %d ops per seed and protocol, protocols %s, families %s" %
          (" ".join(map(str, seeds)), opts.ops, "/".join("RESP%d" % p for p in protos), ",".join(opts.families)))
    print("  cachet-server on port %s, redis-server on port %s" % (cachet.port, redis.port), flush=True)
    runner = Runner(opts, cachet, redis)
    ok = True
    t0 = time.time()
    for seed in seeds:
        for proto in protos:
            t1 = time.time()
            passed = runner.run_pass(seed, proto, enabled)
            print("seed %s RESP%d: %s (%.1f s)" % (seed, proto, "ok" if passed else "DIVERGED", time.time() - t1),
                  flush=True)
            ok = ok and passed
            if not passed and not opts.keep_going:
                break
        if not ok and not opts.keep_going:
            break
    print("\nsteps per family:")
    for f in opts.families:
        per = ["RESP%d %d" % (p, runner.ops[(p, f)]) for p in protos]
        print("  %-13s %s" % (f, ", ".join(per)))
    if opts.verbose:
        print("steps per command: " + ", ".join("%s %d" % kv for kv in sorted(runner.cmd_ops.items())))
    if runner.ignored:
        print("ignored divergences (--ignore): " + ", ".join("%s x%d" % kv for kv in runner.ignored.most_common()))
    if runner.divergences:
        by = collections.Counter(d[0] for d in runner.divergences)
        print("%d divergence(s): %s" % (len(runner.divergences), ", ".join("%s x%d" % kv for kv in by.most_common())))
        if opts.keep_going or runner.ignored:  # one line per distinct (command, replies) shape
            seen = collections.OrderedDict()
            for name, d, seed, proto, step in runner.divergences:
                k = (d.call_args[0].upper(), show(d.cachet_reply)[:70], show(d.redis_reply)[:70])
                if k not in seen:
                    seen[k] = [0, "seed %s RESP%d step %d: %s" % (seed, proto, step, cli_line(d.call_args)[:120])]
                seen[k][0] += 1
            print("distinct divergences:")
            for (cmdname, rc, rr), (n, example) in seen.items():
                print("  x%-3d %s\n        cachet %s\n        redis  %s" % (n, example, rc, rr))
        print("FAILED (seeds: %s) in %.1f s" % (" ".join(map(str, seeds)), time.time() - t0))
        return 1
    print("PASSED: no divergence (seeds: %s) in %.1f s" % (" ".join(map(str, seeds)), time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
