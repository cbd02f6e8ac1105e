#ifndef CACHET_RESP_COMMANDS_CLUSTER_HPP
#define CACHET_RESP_COMMANDS_CLUSTER_HPP

/// CLUSTER and the cluster connection commands (READONLY, READWRITE, ASKING). With cluster
/// mode off (the default) they answer as a Redis without cluster support does. With a static
/// topology (cluster.hpp) they describe it as Redis 7.0 does: INFO, MYID, SLOTS, SHARDS,
/// NODES, REPLICAS/SLAVES, KEYSLOT, COUNTKEYSINSLOT, GETKEYSINSLOT, HELP; the subcommands that
/// change a topology (ADDSLOTS, MEET, SETSLOT, FAILOVER, ...) are refused, since it is static.

#include <cachet/resp/cluster.hpp>
#include <cachet/resp/engine.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

inline constexpr std::string_view err_cluster_disabled = "ERR This instance has cluster support disabled";

/// One node as CLUSTER SLOTS lists it: ip, port, id, and an empty map of extra endpoints.
inline void cluster_slots_node(ReplyWriter& out, const ClusterNode& n) {
    out.array(4);
    out.bulk(n.ip);
    out.integer(n.port);
    out.bulk(n.id);
    out.map(0);
}

/// One node as CLUSTER SHARDS lists it.
inline void cluster_shards_node(ReplyWriter& out, const ClusterNode& n, long long offset) {
    out.map(7);
    out.bulk("id");
    out.bulk(n.id);
    out.bulk("port");
    out.integer(n.port);
    out.bulk("ip");
    out.bulk(n.ip);
    out.bulk("endpoint");
    out.bulk(n.ip);
    out.bulk("role");
    out.bulk(n.replica ? "replica" : "master");
    out.bulk("replication-offset");
    out.integer(n.myself ? offset : 0);
    out.bulk("health");
    out.bulk("online");
}

template <Clock C>
void cluster_subcommand(Ctx<C>& c, const ClusterTopology& t, const std::string& sub) {
    auto arity = [&](std::size_t n, bool at_least = false) {
        if (at_least ? c.argc() >= n : c.argc() == n) return true;
        c.out.error("ERR wrong number of arguments for 'cluster|" + sub + "' command");
        return false;
    };
    if (sub == "info") {
        if (!arity(2)) return;
        std::string s;
        auto line = [&](std::string_view k, long long v) {
            s += k;
            s += ':';
            s += std::to_string(v);
            s += "\r\n";
        };
        s += t.complete() ? "cluster_state:ok\r\n" : "cluster_state:fail\r\n";
        line("cluster_slots_assigned", t.assigned());
        line("cluster_slots_ok", t.assigned());
        line("cluster_slots_pfail", 0);
        line("cluster_slots_fail", 0);
        line("cluster_known_nodes", static_cast<long long>(t.nodes().size()));
        line("cluster_size", t.size());
        line("cluster_current_epoch", t.current_epoch());
        line("cluster_my_epoch", t.myself().epoch);
        line("cluster_stats_messages_sent", 0);
        line("cluster_stats_messages_received", 0);
        line("total_cluster_links_buffer_limit_exceeded", 0);
        c.out.bulk(s);
    } else if (sub == "myid") {
        if (arity(2)) c.out.bulk(t.myself().id);
    } else if (sub == "nodes") {
        if (arity(2)) c.out.verbatim(t.nodes_text());
    } else if (sub == "slots") {
        if (!arity(2)) return;
        std::size_t ranges = 0;
        for (const auto& n : t.nodes())
            if (!n.replica) ranges += n.ranges.size();
        c.out.array(ranges);
        for (const auto& n : t.nodes()) {
            if (n.replica) continue;
            const auto replicas = t.replicas_of(n.id);
            for (const auto& [a, b] : n.ranges) {
                c.out.array(3 + replicas.size());
                c.out.integer(a);
                c.out.integer(b);
                cluster_slots_node(c.out, n);
                for (const ClusterNode* r : replicas) cluster_slots_node(c.out, *r);
            }
        }
    } else if (sub == "shards") {
        if (!arity(2)) return;
        std::size_t shards = 0;
        for (const auto& n : t.nodes()) shards += !n.replica;
        const long long offset = c.engine.replication().offset();
        c.out.array(shards);
        for (const auto& n : t.nodes()) {
            if (n.replica) continue;
            const auto replicas = t.replicas_of(n.id);
            c.out.map(2);
            c.out.bulk("slots");
            c.out.array(2 * n.ranges.size());
            for (const auto& [a, b] : n.ranges) {
                c.out.integer(a);
                c.out.integer(b);
            }
            c.out.bulk("nodes");
            c.out.array(1 + replicas.size());
            cluster_shards_node(c.out, n, offset);
            for (const ClusterNode* r : replicas) cluster_shards_node(c.out, *r, offset);
        }
    } else if (sub == "replicas" || sub == "slaves") {
        if (!arity(3)) return;
        const auto it = std::find_if(t.nodes().begin(), t.nodes().end(),
                                     [&](const ClusterNode& n) { return n.id == c.arg(2); });
        if (it == t.nodes().end()) {
            c.out.error("ERR Unknown node " + std::string(c.arg(2)));
            return;
        }
        if (it->replica) {
            c.out.error("ERR The specified node is not a master");
            return;
        }
        const auto replicas = t.replicas_of(it->id);
        c.out.array(replicas.size());
        const std::string text = t.nodes_text();  // each replica's CLUSTER NODES line
        for (const ClusterNode* r : replicas) {
            const std::size_t at = text.find(r->id + ' ');
            c.out.bulk(text.substr(at, text.find('\n', at) - at));
        }
    } else if (sub == "keyslot") {
        if (arity(3)) c.out.integer(key_hash_slot(c.arg(2)));
    } else if (sub == "countkeysinslot" || sub == "getkeysinslot") {
        const bool get = sub == "getkeysinslot";
        if (!arity(get ? 4 : 3)) return;
        const auto slot = to_ll(c.arg(2));
        const auto count = get ? to_ll(c.arg(3)) : std::optional<long long>(0);
        if (!slot || !count) {
            c.out.error(errors::not_integer);
            return;
        }
        if (*slot < 0 || *slot >= cluster_slots || *count < 0) {
            c.out.error(get ? "ERR Invalid slot or number of keys" : "ERR Invalid slot");
            return;
        }
        std::vector<std::string> keys;  // O(keys of database 0): cachet keeps no per-slot index
        for (auto& k : c.engine.database().db(0).keys("*")) {
            if (key_hash_slot(k) != *slot) continue;
            if (get && static_cast<long long>(keys.size()) >= *count) break;
            keys.push_back(std::move(k));
        }
        if (!get) {
            c.out.integer(static_cast<long long>(keys.size()));
            return;
        }
        c.out.array(keys.size());
        for (const auto& k : keys) c.out.bulk(k);
    } else if (sub == "help") {
        static const char* const lines[] = {
            "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "COUNTKEYSINSLOT <slot>",
            "    Return the number of keys in <slot>.",
            "GETKEYSINSLOT <slot> <count>",
            "    Return key names stored by current node in a slot.",
            "INFO",
            "    Return information about the cluster.",
            "KEYSLOT <key>",
            "    Return the hash slot for <key>.",
            "MYID",
            "    Return the node id.",
            "NODES",
            "    Return cluster configuration seen by node. Output format:",
            "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
            "REPLICAS <node-id>",
            "    Return <node-id> replicas.",
            "SLOTS",
            "    Return information about slots range mappings. Each range is made of:",
            "    start, end, master and replicas IP addresses, ports and ids",
            "SHARDS",
            "    Return information about slot range mappings and the nodes associated with them.",
            "HELP",
            "    Prints this help.",
            "(cachet-server's topology is static, from cluster-config-file: the subcommands that",
            "change it, such as ADDSLOTS, MEET, SETSLOT and FAILOVER, are not supported.)"};
        help_reply(c.out, lines);
    } else {
        static const char* const changing[] = {
            "addslots", "addslotsrange", "bumpepoch", "count-failure-reports", "delslots", "delslotsrange",
            "failover", "forget", "flushslots", "meet", "replicate", "reset", "set-config-epoch",
            "setslot", "saveconfig", "links"};
        for (const char* ch : changing)
            if (sub == ch) {
                c.out.error("ERR CLUSTER " + upper(sub) +
                            " is not supported: cachet-server's cluster topology is static (cluster-config-file)");
                return;
            }
        c.out.error("ERR unknown subcommand '" + std::string(c.arg(1).substr(0, 128)) + "'. Try CLUSTER HELP.");
    }
}

/// CLUSTER <subcommand> ...
template <Clock C>
void cluster(Ctx<C>& c) {
    const ClusterTopology* t = c.engine.cluster();
    if (!t) {
        c.out.error(err_cluster_disabled);
        return;
    }
    cluster_subcommand(c, *t, lower(c.arg(1)));
}

/// READONLY, READWRITE, ASKING: +OK in cluster mode (reads are served by masters only, and
/// slots never migrate, so they change nothing), else Redis's "cluster support disabled".
template <Clock C>
void cluster_connection(Ctx<C>& c) {
    if (c.engine.cluster()) c.out.simple("OK");
    else c.out.error(err_cluster_disabled);
}

}  // namespace cmd

template <Clock C>
void register_cluster_commands(CommandTable<C>& t) {
    using namespace cmd;
    add_command<C>(t, "cluster", -2, 0, 0, 0, 0, &cluster<C>, "cluster", "A container for cluster commands", "3.0.0", {"slow"});
    add_command<C>(t, "readonly", 1, cmd_loading | cmd_stale | cmd_fast, 0, 0, 0, &cluster_connection<C>, "cluster", "Enables read queries for a connection to a cluster replica node", "3.0.0", {"fast", "connection"});
    add_command<C>(t, "readwrite", 1, cmd_loading | cmd_stale | cmd_fast, 0, 0, 0, &cluster_connection<C>, "cluster", "Disables read queries for a connection to a cluster replica node", "3.0.0", {"fast", "connection"});
    add_command<C>(t, "asking", 1, cmd_fast, 0, 0, 0, &cluster_connection<C>, "cluster", "Sent by cluster clients after an -ASK redirect", "3.0.0", {"fast", "connection"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_CLUSTER_HPP
