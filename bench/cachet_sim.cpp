// cachet-sim: replays a cache trace against a real bounded KvStore and reports hit ratios.
//
//   zcat ../shared/traces/oltp.keys.gz | cachet-sim --policy all --capacity 1868,5606
//   cachet-sim --policy lru --capacity 512 --csv ../shared/traces/lirs-loop.keys.gz
//
// Trace format: text, one unsigned 64-bit integer key per line (the format of shared/traces;
// gzip input is read directly when cachet-sim was built with zlib, otherwise pipe it through
// zcat). Each request is a get; a miss is followed by a put (cache-aside). The cache starts
// empty; hit ratio = hits / requests x 100, compulsory misses included (as the reference tables).
//
// Policies: every eviction policy the KvStore offers (`lru`, `tinylfu`), and `opt`: Belady's optimal with
// bypass (on a miss the key is inserted and, if the cache is then over capacity, the resident
// whose next use is farthest away is evicted, possibly the new key itself), the ceiling for any
// policy. `all` runs each. Shards default to what a user of KvStore would get for that bound.

#include <cachet/kv_store.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#if CACHET_SIM_HAVE_ZLIB
#include <zlib.h>
#endif

namespace {

struct Args {
    std::vector<std::string> policies;
    std::vector<std::uint64_t> capacities;
    std::size_t shards = 0;
    bool csv = false;
    std::string trace;  // empty: stdin
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "cachet-sim: %s\n"
                 "usage: cachet-sim --policy lru|tinylfu|opt|all --capacity N[,N...] [--shards S] [--csv] "
                 "[TRACE]\n",
                 why);
    std::exit(2);
}

std::uint64_t parse_u64(std::string_view s, const char* what) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty())
        usage((std::string("not a number for ") + what + ": '" + std::string(s) + "'").c_str());
    return v;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= argc) usage(("missing value after " + std::string(arg)).c_str());
            return argv[++i];
        };
        if (arg == "--policy") {
            const std::string_view p = value();
            if (p == "all") a.policies = {"lru", "tinylfu", "opt"};
            else if (p == "lru" || p == "tinylfu" || p == "opt") a.policies.emplace_back(p);
            else usage(("unknown policy '" + std::string(p) + "'").c_str());
        } else if (arg == "--capacity") {
            std::string_view list = value();
            while (!list.empty()) {
                const auto comma = list.find(',');
                const std::uint64_t c = parse_u64(list.substr(0, comma), "--capacity");
                if (c == 0) usage("capacity must be positive");
                a.capacities.push_back(c);
                list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
            }
        } else if (arg == "--shards") {
            a.shards = parse_u64(value(), "--shards");
        } else if (arg == "--csv") {
            a.csv = true;
        } else if (arg == "-h" || arg == "--help") {
            usage("help");
        } else if (!arg.empty() && arg[0] == '-') {
            usage(("unknown option " + std::string(arg)).c_str());
        } else {
            a.trace = std::string(arg);
        }
    }
    if (a.policies.empty()) usage("--policy is required");
    if (a.capacities.empty()) usage("--capacity is required");
    return a;
}

/// Parses one line into `out`; blank lines are skipped. Throws on anything else.
bool parse_line(std::string_view line, std::uint64_t& out, std::size_t lineno) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) return false;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), out);
    if (ec != std::errc{} || p != line.data() + line.size())
        throw std::runtime_error("line " + std::to_string(lineno) + ": not an unsigned integer: '" +
                                 std::string(line) + "'");
    return true;
}

std::vector<std::uint64_t> read_trace(const std::string& path) {
    std::vector<std::uint64_t> keys;
    std::size_t lineno = 0;
    std::uint64_t k = 0;
    if (path.empty()) {
        std::ios::sync_with_stdio(false);
        std::string line;
        while (std::getline(std::cin, line))
            if (parse_line(line, k, ++lineno)) keys.push_back(k);
        return keys;
    }
#if CACHET_SIM_HAVE_ZLIB
    gzFile f = gzopen(path.c_str(), "rb");  // also reads uncompressed files
    if (!f) throw std::runtime_error("cannot open " + path);
    char buf[256];
    while (gzgets(f, buf, sizeof buf)) {
        std::string_view line(buf, std::strlen(buf));
        if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
        if (parse_line(line, k, ++lineno)) keys.push_back(k);
    }
    gzclose(f);
#else
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open " + path);
    char buf[256];
    while (std::fgets(buf, sizeof buf, f)) {
        std::string_view line(buf, std::strlen(buf));
        if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
        if (parse_line(line, k, ++lineno)) keys.push_back(k);
    }
    std::fclose(f);
#endif
    return keys;
}

/// Replays the trace against a real bounded KvStore. Returns hits.
std::uint64_t run_store(const std::vector<std::uint64_t>& trace, cachet::Eviction policy,
                        std::uint64_t capacity, std::size_t shards, std::size_t& shards_used) {
    cachet::KvStore<std::uint64_t, std::uint8_t> kv(
        {.shards = shards, .max_entries = capacity, .eviction = policy});
    shards_used = kv.shard_count();
    std::uint64_t hits = 0;
    for (const std::uint64_t k : trace) {
        if (kv.get(k)) ++hits;  // a hit is an access for the policy
        else kv.put(k, 1);
    }
    return hits;
}

/// Belady's optimal with bypass. O(R log C), R requests, C capacity.
std::uint64_t run_opt(const std::vector<std::uint64_t>& trace, std::uint64_t capacity) {
    constexpr std::size_t never = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> next(trace.size());
    {
        std::unordered_map<std::uint64_t, std::size_t> seen;
        seen.reserve(trace.size() / 4);
        for (std::size_t i = trace.size(); i-- > 0;) {
            auto [it, fresh] = seen.try_emplace(trace[i], never);
            next[i] = it->second;
            it->second = i;
        }
    }
    std::unordered_map<std::uint64_t, std::size_t> resident;  // key -> its next use
    std::set<std::pair<std::size_t, std::uint64_t>> by_next;     // (next use, key)
    std::uint64_t hits = 0;
    for (std::size_t i = 0; i < trace.size(); ++i) {
        const std::uint64_t k = trace[i];
        auto it = resident.find(k);
        if (it != resident.end()) {
            ++hits;
            by_next.erase({it->second, k});
            it->second = next[i];
            by_next.insert({next[i], k});
            continue;
        }
        resident.emplace(k, next[i]);
        by_next.insert({next[i], k});
        if (resident.size() > capacity) {
            auto far = std::prev(by_next.end());
            resident.erase(far->second);
            by_next.erase(far);
        }
    }
    return hits;
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    std::vector<std::uint64_t> trace;
    try {
        trace = read_trace(args.trace);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cachet-sim: %s\n", e.what());
        return 1;
    }
    if (args.csv) std::printf("policy,capacity,requests,hits,hit_ratio\n");
    else
        std::printf("%-8s %10s %10s %10s %9s %7s\n", "policy", "capacity", "requests", "hits",
                    "hit %", "shards");
    for (const std::string& policy : args.policies) {
        for (const std::uint64_t cap : args.capacities) {
            std::uint64_t hits = 0;
            std::size_t shards_used = 0;
            try {
                if (policy == "opt") hits = run_opt(trace, cap);
                else
                    hits = run_store(trace,
                                     policy == "lru" ? cachet::Eviction::lru
                                                     : cachet::Eviction::tinylfu,
                                     cap, args.shards, shards_used);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "cachet-sim: %s at capacity %llu: %s\n", policy.c_str(),
                             static_cast<unsigned long long>(cap), e.what());
                return 1;
            }
            const double ratio =
                trace.empty() ? 0.0 : 100.0 * static_cast<double>(hits) / static_cast<double>(trace.size());
            if (args.csv)
                std::printf("%s,%llu,%zu,%llu,%.2f\n", policy.c_str(),
                            static_cast<unsigned long long>(cap), trace.size(),
                            static_cast<unsigned long long>(hits), ratio);
            else
                std::printf("%-8s %10llu %10zu %10llu %9.2f %7s\n", policy.c_str(),
                            static_cast<unsigned long long>(cap), trace.size(),
                            static_cast<unsigned long long>(hits), ratio,
                            shards_used ? std::to_string(shards_used).c_str() : "-");
        }
    }
    return 0;
}
