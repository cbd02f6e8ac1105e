#ifndef CACHET_RESP_COMMANDS_ADMIN_HPP
#define CACHET_RESP_COMMANDS_ADMIN_HPP

/// Looking inside a running server, as with Redis: MONITOR (every command, as it runs),
/// SLOWLOG (commands over slowlog-log-slower-than), LATENCY (the latency monitor's "command"
/// and "fast-command" events over latency-monitor-threshold); the replication commands of a
/// master: ROLE (its offset and replicas), WAIT (replicas that acknowledged the client's last
/// write), REPLICAOF / SLAVEOF NO ONE (CLUSTER is in cluster.hpp). cachet-server is a master
/// that Redis replicas follow (replication.hpp); REPLICAOF host port is refused with an
/// explicit error.

#include <cachet/resp/commands/blocking.hpp>
#include <cachet/resp/engine.hpp>

#include <climits>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

template <Clock C>
void monitor(Ctx<C>& c) {
    // A second MONITOR on a monitoring connection is ignored, without a reply (as Redis).
    if (c.session.start_monitor()) c.out.simple("OK");
}

// ---------------------------------------------------------------------- SLOWLOG

template <Clock C>
void slowlog_get(Ctx<C>& c) {
    long long count = 10;
    if (c.argc() == 3) {
        auto n = to_ll(c.arg(2));
        if (!n || *n < -1) {
            c.out.error("ERR count should be greater than or equal to -1");
            return;
        }
        count = *n;
    }
    const auto entries = c.engine.slowlog(count);
    c.out.array(entries.size());
    for (const auto& e : entries) {
        c.out.array(6);
        c.out.integer(e.id);
        c.out.integer(e.time);
        c.out.integer(e.duration_us);
        c.out.array(e.args.size());
        for (const auto& a : e.args) c.out.bulk(a);
        c.out.bulk(e.addr);
        c.out.bulk(e.name);
    }
}

template <Clock C>
void slowlog_len(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.engine.slowlog_len()));
}

template <Clock C>
void slowlog_reset(Ctx<C>& c) {
    c.engine.slowlog_reset();
    c.out.simple("OK");
}

template <Clock C>
void slowlog_help(Ctx<C>& c) {
    static const char* const lines[] = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help."};
    help_reply(c.out, lines);
}

// ---------------------------------------------------------------------- LATENCY

template <Clock C>
void latency_latest(Ctx<C>& c) {
    const auto events = c.engine.latency_events();
    c.out.array(events.size());
    for (const auto& [name, e] : events) {
        c.out.array(4);
        c.out.bulk(name);
        c.out.integer(e.samples.empty() ? 0 : e.samples.back().time);
        c.out.integer(e.samples.empty() ? 0 : e.samples.back().ms);
        c.out.integer(e.max_ms);
    }
}

template <Clock C>
void latency_history(Ctx<C>& c) {
    const auto events = c.engine.latency_events();
    auto it = events.find(c.arg(2));
    if (it == events.end()) {
        c.out.array(0);
        return;
    }
    c.out.array(it->second.samples.size());
    for (const auto& s : it->second.samples) {
        c.out.array(2);
        c.out.integer(s.time);
        c.out.integer(s.ms);
    }
}

template <Clock C>
void latency_reset(Ctx<C>& c) {
    std::vector<std::string_view> names;
    for (std::size_t i = 2; i < c.argc(); ++i) names.push_back(c.arg(i));
    c.out.integer(static_cast<long long>(c.engine.latency_reset(names)));
}

/// LATENCY DOCTOR: Redis's report for a disabled monitor and for no events word for word;
/// with events, each event's summary line as Redis writes it, without Redis's advice section.
template <Clock C>
void latency_doctor(Ctx<C>& c) {
    const auto events = c.engine.latency_events();
    std::string report;
    if (events.empty() && c.engine.latency_threshold() == 0) {
        report = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
                 "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" "
                 "in order to enable it. If we weren't in a deep space mission I'd suggest to take "
                 "a look at https://redis.io/topics/latency-monitor.\n";
    } else if (events.empty()) {
        report = "Dave, no latency spike was observed during the lifetime of this Redis instance, "
                 "not in the slightest bit. I honestly think you ought to sit down calmly, take a "
                 "stress pill, and think things over.\n";
    } else {
        const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count();
        report = "Dave, I have observed latency spikes in this Redis instance. You don't mind "
                 "talking about it, do you Dave?\n\n";
        int n = 0;
        for (const auto& [name, e] : events) {
            if (e.samples.empty()) continue;
            double sum = 0;
            long long oldest = now;
            for (const auto& s : e.samples) {
                sum += static_cast<double>(s.ms);
                oldest = std::min(oldest, s.time);
            }
            const double avg = sum / static_cast<double>(e.samples.size());
            double mad = 0;
            for (const auto& s : e.samples) mad += std::fabs(static_cast<double>(s.ms) - avg);
            mad /= static_cast<double>(e.samples.size());
            char line[512];
            std::snprintf(line, sizeof line,
                          "%d. %s: %zu latency spikes (average %lums, mean deviation %lums, period "
                          "%.2f sec). Worst all time event %lums.\n",
                          ++n, name.c_str(), e.samples.size(), static_cast<unsigned long>(avg),
                          static_cast<unsigned long>(mad),
                          static_cast<double>(now - oldest) / static_cast<double>(e.samples.size()),
                          static_cast<unsigned long>(e.max_ms));
            report += line;
        }
        report += "\nWhile there are latency events logged, I'm not able to suggest any easy fix. "
                  "Please use the Redis community to get some help, providing this report in "
                  "your help request.\n";
    }
    c.out.verbatim(report);
}

template <Clock C>
void latency_graph(Ctx<C>& c) {
    const auto events = c.engine.latency_events();
    if (auto it = events.find(c.arg(2)); it == events.end() || it->second.samples.empty()) {
        c.out.error_trimmed("ERR No samples available for event '" + std::string(c.arg(2)) + "'");
        return;
    }
    c.out.error("ERR LATENCY GRAPH is not supported by cachet-server: use LATENCY HISTORY");
}

/// LATENCY HISTOGRAM [command ...]: Redis 7's map of command name -> {calls, histogram_usec},
/// the histogram as cumulative counts at power-of-two bounds (resp/latency_histogram.hpp). A
/// container named lists its subcommands; unknown names and commands never called are left
/// out; with no names, every command called, by name (Redis: its table's order).
template <Clock C>
void latency_histogram(Ctx<C>& c) {
    std::vector<std::size_t> ids;
    for (std::size_t i = 2; i < c.argc(); ++i) {
        const auto* spec = find_command_spec(c.engine.commands(), lower(c.arg(i)));
        if (!spec) continue;
        ids.push_back(spec->id);
        for (const auto& [name, sub] : spec->subcommands) ids.push_back(sub.id);
    }
    if (c.argc() > 2 && ids.empty()) {
        c.out.map(0);
        return;
    }
    const auto latencies = c.engine.command_latencies(ids);
    c.out.map(latencies.size());
    for (const auto& l : latencies) {
        c.out.bulk(l.name);
        c.out.map(2);
        c.out.bulk("calls");
        c.out.integer(static_cast<long long>(l.calls));
        c.out.bulk("histogram_usec");
        const auto buckets = hdr::log_buckets(l.counts, l.calls);
        c.out.map(buckets.size());
        for (const auto& [usec, count] : buckets) {
            c.out.integer(usec);
            c.out.integer(static_cast<long long>(count));
        }
    }
}

template <Clock C>
void latency_help(Ctx<C>& c) {
    static const char* const lines[] = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help."};
    help_reply(c.out, lines);
}

// ---------------------------------------------------------------------- replication, cluster

/// ROLE: a master, its stream offset, and each replica's address and acknowledged offset.
template <Clock C>
void role(Ctx<C>& c) {
    auto& repl = c.engine.replication();
    const auto replicas = repl.replicas();
    c.out.array(3);
    c.out.bulk("master");
    c.out.integer(repl.offset());
    c.out.array(replicas.size());
    for (const auto& r : replicas) {
        c.out.array(3);
        c.out.bulk(r.ip);
        c.out.bulk(std::to_string(r.port));
        c.out.bulk(std::to_string(r.ack_offset));
    }
}

/// WAIT's blocked state: ends when enough replicas acknowledged the client's last write (the
/// reply posted from the acknowledging replica's thread) or at the timeout, with the count.
template <Clock C>
class WaitForReplicas final : public BlockedCommand {
public:
    WaitForReplicas(Session<C>& s, long long target) : m_session(s), m_target(target) {}
    /// Registers with the feed; false if enough replicas already acknowledged.
    bool start(long long needed) {
        m_id = m_session.engine().replication().wait_for(m_target, needed, [this] {
            std::string reply;
            ReplyWriter(reply, m_session.protocol()).integer(m_session.engine().replication().acked(m_target));
            m_session.outbox().post(reply, /*unblock=*/true);
            m_finished.store(true, std::memory_order_release);
        });
        return m_id != 0;
    }
    bool cancel() override {
        m_cancelled = m_session.engine().replication().cancel_wait(m_id);
        return m_cancelled;
    }
    [[nodiscard]] bool finished() const override { return m_finished.load(std::memory_order_acquire); }
    /// Once served, waits for the acknowledging thread's `done` to return: it touches this.
    void unregister() override {
        if (!m_cancelled && !m_session.engine().replication().cancel_wait(m_id))
            while (!finished()) std::this_thread::yield();
    }
    void timeout_reply(ReplyWriter& w) override { w.integer(m_session.engine().replication().acked(m_target)); }

private:
    Session<C>& m_session;
    long long m_target;
    std::uint64_t m_id = 0;
    bool m_cancelled = false;  ///< removed by the owner before any acknowledgement served it
    std::atomic<bool> m_finished{false};
};

/// WAIT numreplicas timeout: the number of replicas that acknowledged this client's last
/// write, at once if that is enough (or inside MULTI), else once enough have (after asking
/// them with REPLCONF GETACK) or after `timeout` ms (0: no limit), as Redis.
template <Clock C>
void wait(Ctx<C>& c) {
    auto n = to_ll(c.arg(1));
    if (!n || *n < LONG_MIN || *n > LONG_MAX) {
        c.out.error(errors::not_integer);
        return;
    }
    const auto t = timeout_ms_arg(c, 2);
    if (!t) return;
    auto& repl = c.engine.replication();
    const long long target = c.session.write_offset();
    const long long acked = repl.acked(target);
    if (acked >= *n || c.in_exec || c.session.in_multi()) {
        c.out.integer(acked);
        return;
    }
    auto w = std::make_unique<WaitForReplicas<C>>(c.session, target);
    if (!w->start(*n)) {  // acknowledged meanwhile
        c.out.integer(repl.acked(target));
        return;
    }
    c.session.block(std::move(w), blocking::deadline_in(*t));
}

/// REPLICAOF / SLAVEOF: NO ONE (already a master) is accepted; following a master is not
/// something cachet-server does (it is a master that Redis replicas follow: replication.hpp).
template <Clock C>
void replicaof(Ctx<C>& c) {
    if (iequals(c.arg(1), "no") && iequals(c.arg(2), "one")) {
        c.out.simple("OK");
        return;
    }
    c.out.error("ERR cachet-server does not replicate: only REPLICAOF NO ONE is supported");
}

}  // namespace cmd

template <Clock C>
void register_admin_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::uint32_t adm = cmd_admin | cmd_noscript | cmd_loading | cmd_stale;
    add_command<C>(t, "monitor", 1, adm, 0, 0, 0, &monitor<C>, "server", "Listen for all requests received by the server in real time", "1.0.0", {"admin", "slow", "dangerous"});
    auto& slowlog = add_command<C>(t, "slowlog", -2, 0, 0, 0, 0, nullptr, "server", "A container for slow log commands", "2.2.12", {"slow"});
    const std::vector<std::string> sl = {"admin", "slow", "dangerous"};
    add_command<C>(slowlog.subcommands, "get", -2, cmd_admin | cmd_loading | cmd_stale, 0, 0, 0, &slowlog_get<C>, "server", "Get the slow log's entries", "2.2.12", sl);
    add_command<C>(slowlog.subcommands, "len", 2, cmd_admin | cmd_loading | cmd_stale, 0, 0, 0, &slowlog_len<C>, "server", "Get the slow log's length", "2.2.12", sl);
    add_command<C>(slowlog.subcommands, "reset", 2, cmd_admin | cmd_loading | cmd_stale, 0, 0, 0, &slowlog_reset<C>, "server", "Clear all entries from the slow log", "2.2.12", sl);
    add_command<C>(slowlog.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &slowlog_help<C>, "server", "Show helpful text about the different subcommands", "6.2.0", {"slow"});
    auto& latency = add_command<C>(t, "latency", -2, 0, 0, 0, 0, nullptr, "server", "A container for latency diagnostics commands", "2.8.13", {"slow"});
    add_command<C>(latency.subcommands, "latest", 2, adm, 0, 0, 0, &latency_latest<C>, "server", "Return the latest latency samples for all events", "2.8.13", sl);
    add_command<C>(latency.subcommands, "history", 3, adm, 0, 0, 0, &latency_history<C>, "server", "Return timestamp-latency samples for an event", "2.8.13", sl);
    add_command<C>(latency.subcommands, "reset", -2, adm, 0, 0, 0, &latency_reset<C>, "server", "Reset latency data for one or more events", "2.8.13", sl);
    add_command<C>(latency.subcommands, "doctor", 2, adm, 0, 0, 0, &latency_doctor<C>, "server", "Return a human readable latency analysis report", "2.8.13", sl);
    add_command<C>(latency.subcommands, "graph", 3, adm, 0, 0, 0, &latency_graph<C>, "server", "Return a latency graph for the event", "2.8.13", sl);
    add_command<C>(latency.subcommands, "histogram", -2, adm, 0, 0, 0, &latency_histogram<C>, "server", "Return the cumulative distribution of latencies of a subset of commands or all.", "7.0.0", sl);
    add_command<C>(latency.subcommands, "help", 2, cmd_stale | cmd_loading, 0, 0, 0, &latency_help<C>, "server", "Show helpful text about the different subcommands", "2.8.13", {"slow"});
    add_command<C>(t, "role", 1, cmd_noscript | cmd_loading | cmd_stale | cmd_fast, 0, 0, 0, &role<C>, "server", "Return the role of the instance in the context of replication", "2.8.12", {"admin", "fast", "dangerous"});
    add_command<C>(t, "wait", 3, cmd_noscript, 0, 0, 0, &wait<C>, "generic", "Wait for the synchronous replication of all the write commands sent in the context of the current connection", "3.0.0", {"slow", "connection"});
    add_command<C>(t, "replicaof", 3, cmd_admin | cmd_noscript | cmd_stale | cmd_no_async_loading | cmd_no_multi, 0, 0, 0, &replicaof<C>, "server", "Make the server a replica of another instance, or promote it as master.", "5.0.0", sl);
    add_command<C>(t, "slaveof", 3, cmd_admin | cmd_noscript | cmd_stale | cmd_no_async_loading | cmd_no_multi, 0, 0, 0, &replicaof<C>, "server", "Make the server a replica of another instance, or promote it as master.", "1.0.0", sl);
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_ADMIN_HPP
