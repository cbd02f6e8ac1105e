#!/usr/bin/env python3
"""What one client-side-caching client costs every writer of cachet-server.

Starts cachet-server on 127.0.0.1, then, in rounds, runs the same redis-benchmark SET load
(-P 16, 50 clients, 2 benchmark threads, 100,000 random keys, 2,000,000 requests) three ways, interleaved:
  none     no client tracks (the baseline);
  default  one RESP3 client has CLIENT TRACKING on and has read 1,000 keys of another
           namespace, so every SET looks its key up in the tracking table and finds nothing;
  bcast    one RESP3 client follows the prefix "other:" (BCAST), so every SET checks the prefix.
Prints each run, then the median requests/s per way and its ratio to `none`.

Usage: bench/tracking_overhead.py [--server build/release/examples/resp_server/cachet-server]
                                  [--port 7399] [--io-threads 2] [--rounds 3] [--requests N]
"""
import argparse
import socket
import statistics
import subprocess
import sys
import time


def encode(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def drain(sock, wait=0.02):
    time.sleep(wait)
    sock.settimeout(0.05)
    try:
        while sock.recv(1 << 16):
            pass
    except socket.timeout:
        pass


def tracking_client(port, mode):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(encode("HELLO", "3"))
    drain(s)
    if mode == "bcast":
        s.sendall(encode("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "other:"))
    else:
        s.sendall(encode("CLIENT", "TRACKING", "on"))
        s.sendall(b"".join(encode("GET", "other:%d" % i) for i in range(1000)))
    drain(s, 0.1)
    return s


def run(port, mode, requests):
    client = tracking_client(port, mode) if mode != "none" else None
    out = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", "set",
                          "-n", str(requests), "-r", "100000", "-P", "16", "-c", "50",
                          "--threads", "2", "-q"], capture_output=True, text=True, check=True).stdout
    if client:
        client.close()
    line = [l for l in out.replace("\r", "\n").splitlines() if "requests per second" in l][-1]
    return float(line.split(":")[1].split()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="build/release/examples/resp_server/cachet-server")
    ap.add_argument("--port", type=int, default=7399)
    ap.add_argument("--io-threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=2000000)
    a = ap.parse_args()
    server = subprocess.Popen([a.server, "--port", str(a.port), "--bind", "127.0.0.1",
                               "--io-threads", str(a.io_threads)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", a.port)).close()
                break
            except OSError:
                time.sleep(0.1)
        results = {"none": [], "default": [], "bcast": []}
        for r in range(a.rounds):
            for mode in results:
                rps = run(a.port, mode, a.requests)
                results[mode].append(rps)
                print(f"round {r + 1} {mode:8s} {rps:12.0f} requests/s", flush=True)
        base = statistics.median(results["none"])
        print("\nmedian requests/s and ratio to no tracking client:")
        for mode, values in results.items():
            m = statistics.median(values)
            print(f"  {mode:8s} {m:12.0f}  {m / base:5.2f}x")
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
