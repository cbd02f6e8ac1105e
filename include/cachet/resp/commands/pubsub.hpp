#ifndef CACHET_RESP_COMMANDS_PUBSUB_HPP
#define CACHET_RESP_COMMANDS_PUBSUB_HPP

/// Pub/sub through the Database's PubSubBus: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
/// PUBLISH, PUBSUB CHANNELS / NUMSUB / NUMPAT, and sharded pub/sub (SSUBSCRIBE, SUNSUBSCRIBE,
/// SPUBLISH, PUBSUB SHARDCHANNELS / SHARDNUMSUB) on the Database's shard bus. A RESP2 subscriber is restricted to the
/// subscriber-mode commands; a RESP3 one gets its messages as push frames and may run any
/// command. Messages published by the embedding program on the same bus reach RESP clients too.

#include <cachet/resp/engine.hpp>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

/// The confirmation Redis sends for each (un)subscribed name: [kind, name, count], the count
/// of channels and patterns, or for shard channels of shard channels.
template <Clock C>
void subscription_reply(Ctx<C>& c, std::string_view kind, std::optional<std::string_view> name,
                        SubscriptionKind what) {
    c.out.push(3);
    c.out.bulk(kind);
    if (name) c.out.bulk(*name);
    else c.out.null();
    c.out.integer(static_cast<long long>(what == SubscriptionKind::shard_channel
                                             ? c.session.shard_channel_count()
                                             : c.session.subscriptions()));
}

/// The reply kinds of (un)subscribing, by SubscriptionKind.
inline constexpr std::string_view subscribe_kinds[] = {"subscribe", "psubscribe", "ssubscribe"};
inline constexpr std::string_view unsubscribe_kinds[] = {"unsubscribe", "punsubscribe", "sunsubscribe"};

/// SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE. SSUBSCRIBE is refused inside a transaction, as Redis's
/// (a client there expects one reply per command).
template <Clock C, SubscriptionKind Kind>
void subscribe(Ctx<C>& c) {
    if (Kind == SubscriptionKind::shard_channel && c.in_exec) {
        c.out.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
        return;
    }
    for (std::size_t i = 1; i < c.argc(); ++i) {
        c.session.subscribe(c.arg(i), Kind);
        subscription_reply(c, subscribe_kinds[static_cast<int>(Kind)], c.arg(i), Kind);
    }
}

/// UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE (no names: all of them).
template <Clock C, SubscriptionKind Kind>
void unsubscribe(Ctx<C>& c) {
    const std::string_view kind = unsubscribe_kinds[static_cast<int>(Kind)];
    if (c.argc() == 1) {
        const auto names = c.session.subscribed(Kind);
        if (names.empty()) subscription_reply(c, kind, std::nullopt, Kind);
        for (const auto& n : names) {
            c.session.unsubscribe(n, Kind);
            subscription_reply(c, kind, std::string_view(n), Kind);
        }
        return;
    }
    for (std::size_t i = 1; i < c.argc(); ++i) {
        c.session.unsubscribe(c.arg(i), Kind);
        subscription_reply(c, kind, c.arg(i), Kind);
    }
}

/// The bus of channels, or with `Shard` of shard channels.
template <bool Shard, Clock C>
PubSubBus<std::string>& bus_of(Ctx<C>& c) {
    auto& db = c.engine.database();
    return Shard ? db.shard_bus() : db.bus();
}

/// PUBLISH / SPUBLISH.
template <Clock C, bool Shard>
void publish(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(bus_of<Shard>(c).publish(c.arg(1), std::string(c.arg(2)))));
}

/// PUBSUB CHANNELS / SHARDCHANNELS take at most one pattern; more is Redis's subcommand error.
template <Clock C>
bool pubsub_at_most_one_pattern(Ctx<C>& c) {
    if (c.argc() <= 3) return true;
    subcommand_syntax_error(c, "PUBSUB");
    return false;
}

/// PUBSUB CHANNELS / SHARDCHANNELS.
template <Clock C, bool Shard>
void pubsub_channels(Ctx<C>& c) {
    if (!pubsub_at_most_one_pattern(c)) return;
    const auto ch = bus_of<Shard>(c).channels(c.argc() == 3 ? c.arg(2) : std::string_view());
    c.out.array(ch.size());
    for (const auto& n : ch) c.out.bulk(n);
}

/// PUBSUB NUMSUB / SHARDNUMSUB.
template <Clock C, bool Shard>
void pubsub_numsub(Ctx<C>& c) {
    auto& bus = bus_of<Shard>(c);
    c.out.array((c.argc() - 2) * 2);
    for (std::size_t i = 2; i < c.argc(); ++i) {
        c.out.bulk(c.arg(i));
        c.out.integer(static_cast<long long>(bus.numsub(c.arg(i))));
    }
}

template <Clock C>
void pubsub_numpat(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.engine.database().bus().numpat()));
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
    using K = SubscriptionKind;
    add_command<C>(t, "subscribe", -2, ps, 0, 0, 0, &subscribe<C, K::channel>, "pubsub", "Listen for messages published to the given channels", "2.0.0", {"pubsub", "slow"});
    add_command<C>(t, "psubscribe", -2, ps, 0, 0, 0, &subscribe<C, K::pattern>, "pubsub", "Listen for messages published to channels matching the given patterns", "2.0.0", {"pubsub", "slow"});
    add_command<C>(t, "unsubscribe", -1, ps, 0, 0, 0, &unsubscribe<C, K::channel>, "pubsub", "Stop listening for messages posted to the given channels", "2.0.0", {"pubsub", "slow"});
    add_command<C>(t, "punsubscribe", -1, ps, 0, 0, 0, &unsubscribe<C, K::pattern>, "pubsub", "Stop listening for messages posted to channels matching the given patterns", "2.0.0", {"pubsub", "slow"});
    add_command<C>(t, "publish", 3, cmd_pubsub | cmd_loading | cmd_stale | cmd_fast | cmd_may_replicate, 0, 0, 0, &publish<C, false>, "pubsub", "Post a message to a channel", "2.0.0", {"pubsub", "fast"});
    // Sharded pub/sub: the channels stand where keys would (cluster mode routes them by slot),
    // though they are not keys (COMMAND GETKEYS has none; the key spec says not_key).
    add_command<C>(t, "ssubscribe", -2, ps | cmd_channel_keys, 1, -1, 1, &subscribe<C, K::shard_channel>, "pubsub", "Listen for messages published to the given shard channels", "7.0.0", {"pubsub", "slow"});
    add_command<C>(t, "sunsubscribe", -1, ps | cmd_channel_keys, 1, -1, 1, &unsubscribe<C, K::shard_channel>, "pubsub", "Stop listening for messages posted to the given shard channels", "7.0.0", {"pubsub", "slow"});
    // Fed to replicas as PUBLISH is (Redis's spublishCommand forces propagation outside a
    // cluster), though COMMAND INFO does not flag it may_replicate.
    add_command<C>(t, "spublish", 3, cmd_pubsub | cmd_loading | cmd_stale | cmd_fast | cmd_channel_keys | cmd_replicated, 1, 1, 1, &publish<C, true>, "pubsub", "Post a message to a shard channel", "7.0.0", {"pubsub", "fast"});
    auto& pubsub = add_command<C>(t, "pubsub", -2, 0, 0, 0, 0, nullptr, "pubsub", "A container for Pub/Sub commands", "2.8.0", {"slow"});
    const std::uint32_t pf = cmd_pubsub | cmd_loading | cmd_stale;
    add_command<C>(pubsub.subcommands, "channels", -2, pf, 0, 0, 0, &pubsub_channels<C, false>, "pubsub", "List active channels", "2.8.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "numsub", -2, pf, 0, 0, 0, &pubsub_numsub<C, false>, "pubsub", "Get the count of subscribers for channels", "2.8.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "numpat", 2, pf, 0, 0, 0, &pubsub_numpat<C>, "pubsub", "Get the count of unique patterns pattern subscriptions", "2.8.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "shardchannels", -2, pf, 0, 0, 0, &pubsub_channels<C, true>, "pubsub", "List active shard channels", "7.0.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "shardnumsub", -2, pf, 0, 0, 0, &pubsub_numsub<C, true>, "pubsub", "Get the count of subscribers for shard channels", "7.0.0", {"pubsub", "slow"});
    add_command<C>(pubsub.subcommands, "help", 2, cmd_loading | cmd_stale, 0, 0, 0, &pubsub_help<C>, "pubsub", "Show helpful text about the different subcommands", "6.2.0", {"slow"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_PUBSUB_HPP
