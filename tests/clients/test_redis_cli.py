#!/usr/bin/env python3
"""redis-cli scripts per data type, compared exactly with what a real redis-server 7.0.15 prints.

For a type T (strings, lists, hashes, sets, zsets), tests/clients/cli/ holds:

  T.redis            one command per line, fed to `redis-cli -h 127.0.0.1 -p PORT` on stdin
                     (one session); redis-cli has no comments: every line is a command
  T.raw.out          its exact output (stdin is not a terminal: raw replies)
  T.noraw.out        its exact output with --no-raw ((integer) 1, (nil), 1) "a", (error) ...)
  T.unordered.redis  (optional) commands whose reply order Redis leaves unspecified (SMEMBERS,
                     HGETALL, ...): each runs in its own redis-cli call and its output lines are
                     sorted; T.unordered.out holds "> command" followed by the sorted lines

The server is flushed before each of the three runs. The expected files are generated from a
real redis-server and committed:

    test_redis_cli.py --redis --type T --update      # regenerate T's expected files
    test_redis_cli.py /path/to/cachet-server --type T

Skipped (exit 77) when redis-cli is missing (Debian: apt-get install redis-tools).
"""

import difflib
import os
import shutil
import subprocess
import sys

import clients_harness
from clients_harness import SKIP, fail

CLI_DIR = os.path.join(clients_harness.HERE, "cli")
TYPES = ["strings", "lists", "hashes", "sets", "zsets"]


def redis_cli(port, stdin, *extra):
    cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)] + list(extra)
    r = subprocess.run(cmd, input=stdin, capture_output=True, timeout=60)
    if r.returncode != 0:
        fail("%s exited %d: %r %r" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def flush(port):
    out = redis_cli(port, b"FLUSHALL\n")
    if out != b"OK\n":
        fail("FLUSHALL answered %r" % out)


def unordered_output(port, commands):
    out = b""
    for line in commands.splitlines():
        if not line.strip():
            continue
        lines = redis_cli(port, line + b"\n").splitlines()
        out += b"> " + line + b"\n" + b"".join(sorted(x + b"\n" for x in lines))
    return out


def compare(what, got, path, update):
    if update:
        with open(path, "wb") as f:
            f.write(got)
        print("wrote %s (%d lines)" % (os.path.relpath(path), got.count(b"\n")))
        return True
    with open(path, "rb") as f:
        want = f.read()
    if got == want:
        print("ok   %s: %d lines identical to %s" % (what, got.count(b"\n"),
                                                     os.path.basename(path)))
        return True
    diff = difflib.unified_diff(want.decode("utf-8", "backslashreplace").splitlines(),
                                got.decode("utf-8", "backslashreplace").splitlines(),
                                "expected (redis-server 7.0.15): " + os.path.basename(path),
                                "got", lineterm="", n=2)
    print("FAIL %s: output differs from %s\n%s" % (what, os.path.basename(path), "\n".join(diff)),
          file=sys.stderr)
    return False


def main():
    p = clients_harness.arg_parser(__doc__.splitlines()[0])
    p.add_argument("--type", required=True, choices=TYPES)
    p.add_argument("--update", action="store_true",
                   help="write the expected files (only with --redis: a real redis-server)")
    args = p.parse_args()
    if args.update and not args.redis:
        print("--update generates the expected output from a real Redis: add --redis",
              file=sys.stderr)
        return 2
    if shutil.which("redis-cli") is None:
        print("SKIP: redis-cli is not installed (Debian: apt-get install redis-tools)")
        return SKIP

    base = os.path.join(CLI_DIR, args.type)
    with open(base + ".redis", "rb") as f:
        script = f.read()
    unordered = None
    if os.path.exists(base + ".unordered.redis"):
        with open(base + ".unordered.redis", "rb") as f:
            unordered = f.read()

    server = clients_harness.start_server(args)
    ok = True
    flush(server.port)
    ok &= compare("%s (raw)" % args.type, redis_cli(server.port, script), base + ".raw.out",
                  args.update)
    flush(server.port)
    ok &= compare("%s (--no-raw)" % args.type, redis_cli(server.port, script, "--no-raw"),
                  base + ".noraw.out", args.update)
    if unordered is not None:
        flush(server.port)
        ok &= compare("%s (unordered replies, sorted)" % args.type,
                      unordered_output(server.port, unordered), base + ".unordered.out",
                      args.update)
    server.kill()
    if not ok:
        print("FAIL: redis-cli %s against %s" % (args.type, server.name), file=sys.stderr)
        return 1
    print("PASS: redis-cli %s against %s" % (args.type, server.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
