#ifndef CACHET_RESP_COMMANDS_PUBSUB_HPP
#define CACHET_RESP_COMMANDS_PUBSUB_HPP

/// Pub/sub through the Database's PubSubBus: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
/// PUBLISH, PUBSUB CHANNELS / NUMSUB / NUMPAT. A RESP2 subscriber is restricted to the
/// subscriber-mode commands; a RESP3 one gets its messages as push frames and may run any
/// command. Messages published by the embedding program on the same bus reach RESP clients too.

#include <cachet/resp/engine.hpp>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

/// The confirmation Redis sends for each (un)subscribed name: [kind, name, count].
template <Clock C>
void subscription_reply(Ctx<C>& c, std::string_view kind, std::optional<std::string_view> name) {
    c.out.push(3);
    c.out.bulk(kind);
    if (name) c.out.bulk(*name);
    else c.out.null();
    c.out.integer(static_cast<long long>(c.session.subscriptions()));
}

/// SUBSCRIBE / PSUBSCRIBE.
template <Clock C, bool Pattern>
void subscribe(Ctx<C>& c) {
    for (std::size_t i = 1; i < c.argc(); ++i) {
        c.session.subscribe(c.arg(i), Pattern);
        subscription_reply(c, Pattern ? "psubscribe" : "subscribe", c.arg(i));
    }
}

/// UNSUBSCRIBE / PUNSUBSCRIBE (no names: all of them).
template <Clock C, bool Pattern>
void unsubscribe(Ctx<C>& c) {
    const char* kind = Pattern ? "punsubscribe" : "unsubscribe";
    if (c.argc() == 1) {
        const auto names = c.session.subscribed(Pattern);
        if (names.empty()) subscription_reply(c, kind, std::nullopt);
        for (const auto& n : names) {
            c.session.unsubscribe(n, Pattern);
            subscription_reply(c, kind, std::string_view(n));
        }
        return;
    }
    for (std::size_t i = 1; i < c.argc(); ++i) {
        c.session.unsubscribe(c.arg(i), Pattern);
        subscription_reply(c, kind, c.arg(i));
    }
}

template <Clock C>
void publish(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(
        c.engine.database().bus().publish(c.arg(1), std::string(c.arg(2)))));
}

/// PUBSUB CHANNELS / SHARDCHANNELS take at most one pattern; more is Redis's subcommand error.
template <Clock C>
bool pubsub_at_most_one_pattern(Ctx<C>& c) {
    if (c.argc() <= 3) return true;
    c.out.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(c.arg(1).substr(0, 128)) +
                "'. Try PUBSUB HELP.");
    return false;
}

template <Clock C>
void pubsub_channels(Ctx<C>& c) {
    if (!pubsub_at_most_one_pattern(c)) return;
    const auto ch = c.engine.database().bus().channels(c.argc() == 3 ? c.arg(2) : std::string_view());
    c.out.array(ch.size());
    for (const auto& n : ch) c.out.bulk(n);
}

template <Clock C>
void pubsub_numsub(Ctx<C>& c) {
    c.out.array((c.argc() - 2) * 2);
    for (std::size_t i = 2; i < c.argc(); ++i) {
        c.out.bulk(c.arg(i));
        c.out.integer(static_cast<long long>(c.engine.database().bus().numsub(c.arg(i))));
    }
}

template <Clock C>
void pubsub_numpat(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.engine.database().bus().numpat()));
}

template <Clock C>
void pubsub_empty(Ctx<C>& c) {  // sharded pub/sub: no shard channels in a standalone server
    if (iequals(c.arg(1), "shardnumsub")) {
        c.out.array((c.argc() - 2) * 2);
        for (std::size_t i = 2; i < c.argc(); ++i) {
            c.out.bulk(c.arg(i));
            c.out.integer(0);
        }
    } else if (pubsub_at_most_one_pattern(c)) {
        c.out.array(0);
    }
}

template <Clock C>
void pubsub_help(Ctx<C>& c) {
    static const char* lines[] = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help."};
    help_reply(c.out, lines);
}

}  // namespace cmd

template <Clock C>
void register_pubsub_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::uint32_t ps = cmd_pubsub | cmd_noscript | cmd_loading | cmd_stale;
    add_command<C>(t, "subscribe", -2, ps, 0, 0, 0, &subscribe<C, false>, "pubsub", "Listen for messages published to the given channels", "2.0.0", {"pubsub", "slow"});
    add_command<C>(t, "psubscribe", -2, ps, 0, 0, 0, &subscribe<C, true>, "pubsub", "Listen for messages published to channels matching the given patterns", "2.0.0", {"pubsub", "slow"});
    add_command<C>(t, "unsubscribe", -1, ps, 0, 0, 0, &unsubscribe<C, false>, "pubsub", "Stop listening for messages posted to the given channels", "2.0.0", {"pubsub", "slow"});
    add_command<C>(t, "punsubscribe", -1, ps, 0, 0, 0, &unsubscribe<C, true>, "pubsub", "Stop listening for messages posted to channels matching the given patterns", "2.0.0", {"pubsub", "slow"});
    add_command<C>(t, "publish", 3, cmd_pubsub | cmd_loading | cmd_stale | cmd_fast | cmd_may_replicate, 0, 0, 0, &publish<C>, "pubsub", "Post a message to a channel", "2.0.0", {"pubsub", "fast"});
    auto& pubsub = add_command<C>(t, "pubsub", -2, 0, 0, 0, 0, nullptr, "pubsub", "A container for Pub/Sub commands", "2.8.0", {"slow"});
    const std::uint32_t pf = cmd_pubsub | cmd_loading | cmd_stale;
    add_command<C>(pubsub.subcommands, "channels", -2, pf, 0, 0, 0, &pubsub_channels<C>, "pubsub", "List active channels", "2.8.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "numsub", -2, pf, 0, 0, 0, &pubsub_numsub<C>, "pubsub", "Get the count of subscribers for channels", "2.8.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "numpat", 2, pf, 0, 0, 0, &pubsub_numpat<C>, "pubsub", "Get the count of unique patterns pattern subscriptions", "2.8.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "shardchannels", -2, pf, 0, 0, 0, &pubsub_empty<C>, "pubsub", "List active shard channels", "7.0.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "shardnumsub", -2, pf, 0, 0, 0, &pubsub_empty<C>, "pubsub", "Get the count of subscribers for shard channels", "7.0.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &pubsub_help<C>, "pubsub", "Show helpful text about the different subcommands", "6.2.0", {"slow"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_PUBSUB_HPP
