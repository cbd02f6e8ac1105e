#!/usr/bin/env bash
# Installs the npm packages of the Node.js client tests (tests/clients/node: redis@4, redis@5
# as `redis5`, and ioredis@5) exactly as tests/clients/node/package-lock.json pins them, with
# `npm ci`, when node_modules is missing or stale (the lock file or the Node.js major version
# changed since the last install). scripts/test runs it before ctest; ctest's
# clients.node_redis, clients.node_redis_csc and clients.ioredis are skipped while the
# packages are not installed.
#
#   tests/clients/install.sh            install if needed
#   tests/clients/install.sh --force    reinstall
#
# Exits 0 with a note when node or npm is not installed (Debian: apt-get install nodejs npm):
# the Node.js tests are then skipped. Exits 1 when `npm ci` fails (e.g. no registry access).
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/node"
force=0
case "${1:-}" in
    --force) force=1 ;;
    "") ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
esac

node=$(command -v node || command -v nodejs || true)
if [[ -z $node ]] || ! command -v npm >/dev/null 2>&1; then
    echo "note: node and npm are not both installed: the Node.js client tests (clients.node_redis," \
        "clients.node_redis_csc, clients.ioredis) will be skipped (Debian: apt-get install nodejs npm)"
    exit 0
fi

stamp="$dir/node_modules/.cachet-install-stamp"
want="node $("$node" -p 'process.versions.node.split(".")[0]') lock $(sha256sum <"$dir/package-lock.json" | cut -d' ' -f1)"
if ((!force)) && [[ -f $stamp && "$(cat "$stamp")" == "$want" ]]; then
    echo "tests/clients/node: npm packages up to date ($want)"
    exit 0
fi

echo "tests/clients/node: npm ci (node $("$node" --version), npm $(npm --version))"
if ! (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts); then
    echo "error: npm ci failed in $dir: clients.node_redis, clients.node_redis_csc and clients.ioredis will be skipped" >&2
    exit 1
fi
echo "$want" >"$stamp"
echo "tests/clients/node: installed $(cd "$dir" && npm ls --depth=0 2>/dev/null | tail -n +2 | grep . | sed 's/^[^[:alnum:]@]*//' | paste -sd ' ')"
