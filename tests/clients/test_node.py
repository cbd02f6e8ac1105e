#!/usr/bin/env python3
"""Runs one Node.js client script (tests/clients/node/*.js: node-redis v4, node-redis v5's
client-side caching, or ioredis v5) against
a server started on a free loopback port, and kills the server afterwards.

    test_node.py /path/to/cachet-server --script node_redis.js
    test_node.py --redis --script ioredis.js          # against a real redis-server

The script gets the port as its argument and exits 0 only when every assertion held. Skipped
(exit 77) when node is not installed or the npm packages are not (tests/clients/install.sh
installs them from tests/clients/node/package-lock.json).
"""

import os
import shutil
import subprocess
import sys

import clients_harness
from clients_harness import SKIP, fail

NODE_DIR = os.path.join(clients_harness.HERE, "node")
PACKAGES = {"node_redis.js": "redis", "node_redis_csc.js": "redis5", "ioredis.js": "ioredis"}


def main():
    p = clients_harness.arg_parser(__doc__.splitlines()[0])
    p.add_argument("--script", required=True, choices=sorted(PACKAGES))
    p.add_argument("--timeout", type=float, default=150, help="seconds before the script is killed")
    args = p.parse_args()

    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        print("SKIP: node is not installed (Debian: apt-get install nodejs npm; then "
              "tests/clients/install.sh)")
        return SKIP
    package = PACKAGES[args.script]
    if not os.path.isfile(os.path.join(NODE_DIR, "node_modules", package, "package.json")):
        print("SKIP: the npm package '%s' is not installed in %s: run tests/clients/install.sh"
              % (package, NODE_DIR))
        return SKIP

    server = clients_harness.start_server(args)
    cmd = [node, os.path.join(NODE_DIR, args.script), str(server.port)]
    try:
        r = subprocess.run(cmd, cwd=NODE_DIR, timeout=args.timeout,
                           preexec_fn=clients_harness.harness._die_with_parent)
    except subprocess.TimeoutExpired:
        fail("%s did not finish within %g s" % (args.script, args.timeout))
    if r.returncode != 0:
        fail("%s against %s exited %d" % (args.script, server.name, r.returncode))
    server.kill()  # also fails the test on a sanitizer report in cachet-server's log
    print("PASS: %s against %s" % (args.script, server.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
