#!/usr/bin/env bash
# cachet-server against redis-server on this machine, in one run: redis-benchmark throughput and
# latency for each workload, unpipelined and pipelined, alternating the two servers over several
# rounds (medians reported); then resident memory per key for small string keys.
#
#   bench/resp_vs_redis.sh [options]
#     --cachet PATH        cachet-server binary (default: the newest build/*/examples/resp_server/)
#     --redis PATH         redis-server binary (default: redis-server on PATH)
#     --io-threads N       cachet-server's I/O threads (default: the number of cores)
#     --rounds N           rounds per measurement, medians reported (default 3)
#     --clients N          redis-benchmark -c (default 50)
#     --requests N         -n for unpipelined runs (default 100000); pipelined runs use 8x
#     --pipeline N         -P of the pipelined runs (default 16)
#     --keyspace N         -r: random keys in [0, N) (default 100000; 0: one key for all, as
#                          redis-benchmark does without -r)
#     --workloads LIST     comma-separated (default set,get,incr,lpush,lpop,rpop,sadd,spop,hset,
#                          zadd,zrange100,blpop,publish). zrange100: ZRANGE of 100 members of a
#                          200-member sorted set; blpop: a BLPOP handoff, producers (RPUSH) and
#                          consumers (BLPOP) running at once, the consumers' rate reported
#     --memory-keys N      keys for the memory measurement (default 1000000; 0: skip it)
#     --no-throughput      only the memory measurement
#     --nice N             run the servers and redis-benchmark at this niceness (e.g. -10, as
#                          root, to stand out from other load on a shared machine; default 0)
#     --bench-threads N    redis-benchmark --threads (default: 1, its single-threaded default).
#                          A single-threaded redis-benchmark saturates near 50k requests/s here,
#                          below what either server can do; with --threads its rps figure moves in
#                          steps of 250 ms of run time, so the default --requests becomes 400000
#
# Both servers listen on 127.0.0.1 only, on free ports, with --save '' --appendonly no, and are
# killed on exit. A workload is skipped when cachet-server rejects its command (probed first
# with redis-cli). The memory figure is (VmRSS after loading - VmRSS of the empty server) /
# DBSIZE, with keys "key:%012d" and 3-byte values (redis-benchmark's defaults), loaded through
# redis-cli --pipe into fresh servers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cachet_bin="" redis_bin="" io_threads="" rounds=3 clients=50 requests="" pipeline=16
keyspace=100000 workloads="set,get,incr,lpush,lpop,rpop,sadd,spop,hset,zadd,zrange100,blpop,publish"
memory_keys=1000000
throughput=1 nice_level=0 bench_threads=1
while (($#)); do
    case "$1" in
        --cachet) cachet_bin="$2"; shift ;;
        --redis) redis_bin="$2"; shift ;;
        --io-threads) io_threads="$2"; shift ;;
        --rounds) rounds="$2"; shift ;;
        --clients) clients="$2"; shift ;;
        --requests) requests="$2"; shift ;;
        --pipeline) pipeline="$2"; shift ;;
        --keyspace) keyspace="$2"; shift ;;
        --workloads) workloads="$2"; shift ;;
        --memory-keys) memory_keys="$2"; shift ;;
        --no-throughput) throughput=0 ;;
        --nice) nice_level="$2"; shift ;;
        --bench-threads) bench_threads="$2"; shift ;;
        -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [[ -z $cachet_bin ]]; then
    cachet_bin=$(ls -t build/*/examples/resp_server/cachet-server 2>/dev/null | head -n1 || true)
fi
[[ -x $cachet_bin ]] || { echo "cachet-server not found: build it or pass --cachet PATH" >&2; exit 1; }
redis_bin=${redis_bin:-$(command -v redis-server || true)}
[[ -x $redis_bin ]] || { echo "redis-server not found (Debian: apt-get install redis-server)" >&2; exit 1; }
for tool in redis-benchmark redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "$tool not found (Debian: redis-tools, python3)" >&2; exit 1; }
done
io_threads=${io_threads:-$(nproc)}
if [[ -z $requests ]]; then
    requests=100000
    ((bench_threads > 1)) && requests=400000
fi

work=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_ping() {  # port
    local i
    for i in $(seq 1 200); do
        [[ $(redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null) == PONG ]] && return 0
        sleep 0.05
    done
    echo "server on port $1 did not answer PING" >&2
    return 1
}

# start_server NAME -> sets $started_port and $started_pid
start_server() {
    local name="$1" port
    port=$(free_port)
    if [[ $name == cachet ]]; then
        nice -n "$nice_level" "$cachet_bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --io-threads "$io_threads" >"$work/$name.$port.log" 2>&1 &
    else
        nice -n "$nice_level" "$redis_bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            >"$work/$name.$port.log" 2>&1 &
    fi
    started_pid=$!
    pids+=("$started_pid")
    started_port=$port
    wait_ping "$port"
}

stop_server() {  # port pid
    redis-cli -h 127.0.0.1 -p "$1" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    wait "$2" 2>/dev/null || true
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "# cachet-server vs redis-server, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# machine: $(nproc) cores, ${cpu_model:-unknown CPU}; kernel $(uname -r)"
echo "# cachet-server: $cachet_bin (--io-threads $io_threads)"
echo "# redis-server:  $("$redis_bin" --version | head -n1)"
echo "# redis-benchmark -c $clients -r $keyspace --threads $bench_threads, -n $requests (unpipelined) / $((requests * 8)) (-P $pipeline), $rounds rounds, servers alternating; nice $nice_level"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------------------ throughput
if ((throughput)); then
    start_server cachet
    cachet_port=$started_port cachet_pid=$started_pid
    start_server redis
    redis_port=$started_port redis_pid=$started_pid

    # Probe: skip the workloads cachet-server does not implement (yet).
    IFS=, read -r -a wanted <<<"$workloads"
    run=()
    for w in "${wanted[@]}"; do
        case "$w" in
            set) probe=(SET __probe__ x) ;;
            get) probe=(GET __probe__) ;;
            incr) probe=(INCR __probe_n__) ;;
            lpush | rpush) probe=(LPUSH __probe_l__ x) ;;
            lpop | rpop) probe=(LPOP __probe_l__) ;;
            blpop) probe=(BLPOP __probe_l__ 0.001) ;;
            sadd) probe=(SADD __probe_s__ x) ;;
            spop) probe=(SPOP __probe_s__) ;;
            zrange100) probe=(ZRANGE __probe_z__ 0 99) ;;
            hset) probe=(HSET __probe_h__ f x) ;;
            zadd) probe=(ZADD __probe_z__ 1 x) ;;
            publish) probe=(PUBLISH __probe__ x) ;;
            *) echo "unknown workload: $w" >&2; exit 2 ;;
        esac
        out=$(redis-cli -h 127.0.0.1 -p "$cachet_port" "${probe[@]}" 2>&1 || true)
        if [[ $out == ERR* || $out == *"unknown command"* ]]; then
            echo "# skipped $w: cachet-server answers ${probe[0]} with: $out"
        else
            run+=("$w")
        fi
    done
    redis-cli -h 127.0.0.1 -p "$cachet_port" FLUSHALL >/dev/null
    # ZRANGE of 100 reads a 200-member sorted set, the same on both servers.
    zfill=(ZADD bench:zset)
    for i in $(seq 1 200); do zfill+=("$i" "member:$i"); done
    redis-cli -h 127.0.0.1 -p "$cachet_port" "${zfill[@]}" >/dev/null
    redis-cli -h 127.0.0.1 -p "$redis_port" "${zfill[@]}" >/dev/null

    results="$work/results.csv"
    : >"$results"
    cpu_ticks() { awk '{ print $14, $15 }' "/proc/$1/stat"; }  # utime, stime (clock ticks)
    bench_one() {  # server port pid workload pipeline round
        local server="$1" port="$2" pid="$3" w="$4" p="$5" r="$6" n="$requests" line u0 s0 u1 s1
        read -r u0 s0 < <(cpu_ticks "$pid")
        ((p > 1)) && n=$((requests * 8))
        local -a args=(-h 127.0.0.1 -p "$port" -c "$clients" -n "$n" -P "$p" --csv)
        ((bench_threads > 1)) && args+=(--threads "$bench_threads")
        ((keyspace > 0)) && args+=(-r "$keyspace")
        if [[ $w == publish ]]; then
            line=$(nice -n "$nice_level" redis-benchmark "${args[@]}" publish channel:__rand_int__ message 2>/dev/null | tail -n1)
        elif [[ $w == zrange100 ]]; then
            line=$(nice -n "$nice_level" redis-benchmark "${args[@]}" zrange bench:zset 0 99 2>/dev/null | tail -n1)
        elif [[ $w == blpop ]]; then
            # Producers and consumers at once on one queue; 10% more pushes than pops so no
            # consumer waits forever at the end. The consumers' rate is the handoff rate.
            local -a prod=(-h 127.0.0.1 -p "$port" -c "$clients" -n $((n + n / 10)) -P "$p" --csv)
            ((bench_threads > 1)) && prod+=(--threads "$bench_threads")
            nice -n "$nice_level" redis-benchmark "${prod[@]}" rpush bench:queue job >/dev/null 2>&1 &
            local producer=$!
            line=$(nice -n "$nice_level" redis-benchmark "${args[@]}" blpop bench:queue 1 2>/dev/null | tail -n1)
            wait "$producer" 2>/dev/null || true
            redis-cli -h 127.0.0.1 -p "$port" DEL bench:queue >/dev/null
        else
            line=$(nice -n "$nice_level" redis-benchmark "${args[@]}" -t "$w" 2>/dev/null | tail -n1)
        fi
        read -r u1 s1 < <(cpu_ticks "$pid")
        # "SET","87719.30","0.522","0.096","0.511","0.711","0.887","2.199"
        # test, rps, avg, min, p50, p95, p99, max (ms); then the server's CPU ns per request
        # (user + system), and its system (kernel) part alone
        local cpu_ns=$(((u1 + s1 - u0 - s0) * 1000000000 / clk_tck / n))
        local sys_ns=$(((s1 - s0) * 1000000000 / clk_tck / n))
        echo "$server,$w,$p,$r,$(echo "$line" | tr -d '"' | cut -d, -f2,5,7),$cpu_ns,$sys_ns" \
            >>"$results"
    }
    clk_tck=$(getconf CLK_TCK)
    for ((r = 1; r <= rounds; r++)); do
        for w in "${run[@]}"; do
            for p in 1 "$pipeline"; do
                if (((r + ${#w}) % 2)); then
                    bench_one cachet "$cachet_port" "$cachet_pid" "$w" "$p" "$r"
                    bench_one redis "$redis_port" "$redis_pid" "$w" "$p" "$r"
                else
                    bench_one redis "$redis_port" "$redis_pid" "$w" "$p" "$r"
                    bench_one cachet "$cachet_port" "$cachet_pid" "$w" "$p" "$r"
                fi
            done
        done
        echo "# round $r of $rounds done" >&2
    done
    stop_server "$cachet_port" "$cachet_pid"
    stop_server "$redis_port" "$redis_pid"
    cp "$results" "${RESP_BENCH_RAW:-/dev/null}" 2>/dev/null || true

    python3 - "$results" "$pipeline" <<'EOF'
import csv, statistics, sys
rows = list(csv.reader(open(sys.argv[1])))
pipeline = sys.argv[2]
data = {}
for server, w, p, rnd, rps, p50, p99, cpu, sys_ in rows:
    d = data.setdefault((w, p), {}).setdefault(
        server, {"rps": [], "p50": [], "p99": [], "cpu": [], "sys": []})
    d["rps"].append(float(rps)); d["p50"].append(float(p50)); d["p99"].append(float(p99))
    d["cpu"].append(float(cpu) / 1000)  # ns -> us
    d["sys"].append(float(sys_) / 1000)
order = []
for server, w, p, *_ in rows:
    if (w, p) not in order:
        order.append((w, p))
med = lambda xs: statistics.median(xs)
print()
print("| workload | pipeline | cachet rps | redis rps | ratio | cachet p50/p99 ms | redis p50/p99 ms "
      "| server CPU us/req cachet / redis | of which system |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for w, p in order:
    c, r = data[(w, p)]["cachet"], data[(w, p)]["redis"]
    print("| %s | %s | %.0f | %.0f | %.2fx | %.3f / %.3f | %.3f / %.3f | %.2f / %.2f | %.2f / %.2f |" % (
        w.upper(), "-P " + p if p != "1" else "none", med(c["rps"]), med(r["rps"]),
        med(c["rps"]) / med(r["rps"]), med(c["p50"]), med(c["p99"]), med(r["p50"]), med(r["p99"]),
        med(c["cpu"]), med(r["cpu"]), med(c["sys"]), med(r["sys"])))
print()
print("rps: median of the rounds; p50/p99: medians of each run's percentiles; server CPU: user+system")
print("time the server process used per request (from /proc/PID/stat), less sensitive to other load;")
print("of which system: the kernel's part of it (system calls, wake-ups)")
EOF
fi

# ------------------------------------------------------------------------------ memory
if ((memory_keys > 0)); then
    python3 - "$memory_keys" >"$work/load.resp" <<'EOF'
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
chunk = []
for i in range(n):
    k = b"key:%012d" % i
    chunk.append(b"*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n$3\r\nxxx\r\n" % k)
    if len(chunk) == 10000:
        out.write(b"".join(chunk)); chunk = []
out.write(b"".join(chunk))
EOF
    echo
    echo "| server | empty RSS | loaded RSS | keys | bytes/key |"
    echo "|---|---:|---:|---:|---:|"
    declare -A per_key
    for name in cachet redis; do
        start_server "$name"
        port=$started_port pid=$started_pid
        sleep 0.5
        empty=$(rss_kb "$pid")
        redis-cli -h 127.0.0.1 -p "$port" --pipe <"$work/load.resp" >"$work/pipe.$name.log" 2>&1
        sleep 0.5
        loaded=$(rss_kb "$pid")
        keys=$(redis-cli -h 127.0.0.1 -p "$port" DBSIZE)
        per_key[$name]=$(python3 -c "print('%.1f' % (($loaded - $empty) * 1024 / $keys))")
        printf '| %s | %.1f MiB | %.1f MiB | %d | %s |\n' "$name" "$(echo "$empty / 1024" | bc -l)" \
            "$(echo "$loaded / 1024" | bc -l)" "$keys" "${per_key[$name]}"
        stop_server "$port" "$pid"
    done
    python3 -c "print('\ncachet / redis bytes per key: %.2fx' % (${per_key[cachet]} / ${per_key[redis]}))"
fi
