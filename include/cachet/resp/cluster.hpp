#ifndef CACHET_RESP_CLUSTER_HPP
#define CACHET_RESP_CLUSTER_HPP

/// Redis Cluster's client side of the protocol over a static topology: which node serves each
/// of the 16384 hash slots, so that cluster clients (redis-cli -c, redis-py's RedisCluster,
/// ioredis's Cluster, node-redis's createCluster) shard keys over several cachet-servers.
///
/// A key's slot is CRC16 (XMODEM) of the key, or of its hash tag (the part between the first
/// '{' and the next '}', if not empty), modulo 16384, as Redis computes it. A node answers a
/// command on keys of another node's slot with -MOVED <slot> <ip>:<port>, and keys of several
/// slots with -CROSSSLOT; CLUSTER SLOTS / SHARDS / NODES / INFO describe the topology as Redis
/// does. The topology is read from a file in Redis's nodes.conf format (one line per node:
/// `<id> <ip>:<port>[@<cport>] <flags> <master-id or -> <ping> <pong> <epoch> <link-state>
/// <slot or first-last> ...`; "vars" lines are ignored), the same file for every node: a node
/// is the line flagged "myself", or else the one with its own address. Nothing is gossiped:
/// slots do not move, and there is no failover (see README.md).

#include <cachet/detail/config.hpp>
#include <cachet/resp/replication.hpp>  // random_run_id

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {

inline constexpr int cluster_slots = 16384;

/// CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0), as Redis's crc16.c.
[[nodiscard]] constexpr std::uint16_t crc16(std::string_view s) noexcept {
    std::uint16_t crc = 0;
    for (unsigned char c : s) {
        crc = static_cast<std::uint16_t>(crc ^ (c << 8));
        for (int i = 0; i < 8; ++i)
            crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

/// Redis's keyHashSlot: the slot of `key`, honouring a non-empty {hash tag}.
[[nodiscard]] constexpr int key_hash_slot(std::string_view key) noexcept {
    const std::size_t open = key.find('{');
    if (open != std::string_view::npos) {
        const std::size_t close = key.find('}', open + 1);
        if (close != std::string_view::npos && close != open + 1)
            key = key.substr(open + 1, close - open - 1);
    }
    return crc16(key) & (cluster_slots - 1);
}

/// One node of the topology.
struct ClusterNode {
    std::string id;  ///< 40 hex characters
    std::string ip;
    int port = 0;
    int bus_port = 0;
    bool myself = false;
    bool replica = false;
    std::string master_id;                        ///< for a replica
    long long epoch = 0;
    std::vector<std::pair<int, int>> ranges;      ///< slots served, first-last inclusive
};

/// The static cluster topology (immutable once built; shared by every thread).
class ClusterTopology {
public:
    /// A one-node cluster serving every slot (cluster-enabled without a topology file).
    static ClusterTopology single(std::string ip, int port) {
        ClusterTopology t;
        ClusterNode n;
        n.id = random_run_id();
        n.ip = std::move(ip);
        n.port = port;
        n.bus_port = port + 10000 <= 65535 ? port + 10000 : 0;
        n.myself = true;
        n.ranges.emplace_back(0, cluster_slots - 1);
        t.m_nodes.push_back(std::move(n));
        t.index();
        return t;
    }

    /// Parses a nodes.conf-format `text`; this node is the line flagged "myself", or else the
    /// one at `my_ip`:`my_port` (any IP if `my_ip` is empty or 0.0.0.0). Returns the error
    /// text on failure.
    static std::optional<ClusterTopology> parse(std::string_view text, std::string_view my_ip, int my_port,
                                                std::string& error) {
        ClusterTopology t;
        std::istringstream in{std::string(text)};
        std::string line;
        int lineno = 0;
        auto fail = [&](const std::string& why) {
            error = "line " + std::to_string(lineno) + ": " + why;
            return std::nullopt;
        };
        while (std::getline(in, line)) {
            ++lineno;
            std::istringstream words(line);
            std::vector<std::string> w;
            for (std::string x; words >> x;) w.push_back(x);
            if (w.empty() || w[0].starts_with("#") || w[0] == "vars") continue;
            if (w.size() < 8) return fail("expected <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link-state> <slots>...");
            ClusterNode n;
            n.id = w[0];
            if (n.id.size() != 40 || !std::all_of(n.id.begin(), n.id.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                }))
                return fail("a node id is 40 lower-case hex characters: " + n.id);
            std::string addr = w[1];
            if (const auto comma = addr.find(','); comma != std::string::npos) addr.resize(comma);  // ,hostname
            std::string bus;
            if (const auto at = addr.find('@'); at != std::string::npos) {
                bus = addr.substr(at + 1);
                addr.resize(at);
            }
            const auto colon = addr.rfind(':');
            if (colon == std::string::npos) return fail("address without a port: " + w[1]);
            n.ip = addr.substr(0, colon);
            if (!to_int(addr.substr(colon + 1), 1, 65535, n.port)) return fail("bad port in " + w[1]);
            if (bus.empty()) n.bus_port = n.port + 10000 <= 65535 ? n.port + 10000 : 0;
            else if (!to_int(bus, 0, 65535, n.bus_port)) return fail("bad bus port in " + w[1]);
            for (std::size_t pos = 0; pos <= w[2].size();) {
                const std::size_t end = std::min(w[2].find(',', pos), w[2].size());
                const std::string flag = w[2].substr(pos, end - pos);
                if (flag == "myself") n.myself = true;
                else if (flag == "slave" || flag == "replica") n.replica = true;
                pos = end + 1;
            }
            if (n.replica) n.master_id = w[3];
            long long epoch = 0;
            try {
                epoch = std::stoll(w[6]);
            } catch (...) {
                return fail("bad config epoch: " + w[6]);
            }
            n.epoch = epoch;
            for (std::size_t i = 8; i < w.size(); ++i) {
                if (w[i].starts_with("[")) continue;  // a slot being migrated or imported
                int first = 0, last = 0;
                const auto dash = w[i].find('-');
                if (!to_int(w[i].substr(0, dash), 0, cluster_slots - 1, first) ||
                    !to_int(dash == std::string::npos ? w[i] : w[i].substr(dash + 1), 0, cluster_slots - 1, last) ||
                    last < first)
                    return fail("bad slot range: " + w[i]);
                n.ranges.emplace_back(first, last);
            }
            t.m_nodes.push_back(std::move(n));
        }
        if (t.m_nodes.empty()) return fail("no nodes");
        auto mine = std::find_if(t.m_nodes.begin(), t.m_nodes.end(), [](const ClusterNode& n) { return n.myself; });
        if (mine == t.m_nodes.end()) {
            const bool any_ip = my_ip.empty() || my_ip == "0.0.0.0" || my_ip == "*";
            mine = std::find_if(t.m_nodes.begin(), t.m_nodes.end(), [&](const ClusterNode& n) {
                return n.port == my_port && (any_ip || n.ip == my_ip);
            });
            if (mine == t.m_nodes.end())
                return fail("no node is flagged myself or at this server's address (port " + std::to_string(my_port) + ")");
            mine->myself = true;
        }
        for (const auto& n : t.m_nodes)
            if (&n != &*mine && n.myself) return fail("two nodes flagged myself");
        for (std::size_t i = 0; i < t.m_nodes.size(); ++i)
            for (std::size_t j = i + 1; j < t.m_nodes.size(); ++j)
                if (t.m_nodes[i].id == t.m_nodes[j].id) return fail("duplicate node id " + t.m_nodes[i].id);
        if (const std::string e = t.index(); !e.empty()) {
            error = e;
            return std::nullopt;
        }
        return t;
    }

    [[nodiscard]] const std::vector<ClusterNode>& nodes() const noexcept { return m_nodes; }
    [[nodiscard]] const ClusterNode& myself() const noexcept { return m_nodes[m_myself]; }
    /// The node serving `slot`, or nullptr if none does.
    [[nodiscard]] const ClusterNode* owner(int slot) const noexcept {
        const int i = m_owner[static_cast<std::size_t>(slot)];
        return i < 0 ? nullptr : &m_nodes[static_cast<std::size_t>(i)];
    }
    [[nodiscard]] bool serves(int slot) const noexcept {
        return m_owner[static_cast<std::size_t>(slot)] == static_cast<int>(m_myself);
    }
    /// Every slot has a node (cluster_state:ok; else commands on keys get CLUSTERDOWN).
    [[nodiscard]] bool complete() const noexcept { return m_assigned == cluster_slots; }
    [[nodiscard]] int assigned() const noexcept { return m_assigned; }
    /// Masters serving at least one slot (cluster_size).
    [[nodiscard]] int size() const noexcept {
        int n = 0;
        for (const auto& node : m_nodes) n += !node.replica && !node.ranges.empty();
        return n;
    }
    [[nodiscard]] long long current_epoch() const noexcept {
        long long e = 0;
        for (const auto& n : m_nodes) e = std::max(e, n.epoch);
        return e;
    }
    /// The replicas of the master `id`, in file order.
    [[nodiscard]] std::vector<const ClusterNode*> replicas_of(std::string_view id) const {
        std::vector<const ClusterNode*> out;
        for (const auto& n : m_nodes)
            if (n.replica && n.master_id == id) out.push_back(&n);
        return out;
    }

    /// CLUSTER NODES: one line per node, as Redis writes them.
    [[nodiscard]] std::string nodes_text() const {
        std::string out;
        for (const auto& n : m_nodes) {
            out += n.id + ' ' + n.ip + ':' + std::to_string(n.port) + '@' + std::to_string(n.bus_port) + ' ';
            out += n.myself ? "myself," : "";
            out += n.replica ? "slave " + (n.master_id.empty() ? std::string("-") : n.master_id) : std::string("master -");
            out += " 0 0 " + std::to_string(n.epoch) + " connected";
            for (const auto& [a, b] : n.ranges) out += a == b ? ' ' + std::to_string(a) : ' ' + std::to_string(a) + '-' + std::to_string(b);
            out += '\n';
        }
        return out;
    }

private:
    static bool to_int(const std::string& s, int lo, int hi, int& out) {
        if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        out = std::stoi(s);
        return out >= lo && out <= hi;
    }
    /// Builds the slot map; returns an error if two nodes claim a slot.
    std::string index() {
        m_owner.fill(-1);
        m_assigned = 0;
        for (std::size_t i = 0; i < m_nodes.size(); ++i) {
            if (m_nodes[i].myself) m_myself = i;
            if (m_nodes[i].replica) continue;
            for (const auto& [a, b] : m_nodes[i].ranges)
                for (int s = a; s <= b; ++s) {
                    auto& o = m_owner[static_cast<std::size_t>(s)];
                    if (o >= 0) return "slot " + std::to_string(s) + " is served by two nodes";
                    o = static_cast<int>(i);
                    ++m_assigned;
                }
        }
        return {};
    }

    std::vector<ClusterNode> m_nodes;
    std::size_t m_myself = 0;
    std::array<int, cluster_slots> m_owner{};
    int m_assigned = 0;
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_CLUSTER_HPP
