#ifndef CACHET_RESP_COMMANDS_TRANSACTIONS_HPP
#define CACHET_RESP_COMMANDS_TRANSACTIONS_HPP

/// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH, with Redis's semantics: commands are
/// queued (+QUEUED) and run atomically by EXEC (no other command from any connection or thread
/// interleaves); a queuing error (unknown command, wrong arity, ...) makes EXEC fail with
/// EXECABORT; a WATCHed key changed by anyone (another connection, the embedding program,
/// expiry) makes EXEC return a null array.

#include <cachet/resp/engine.hpp>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

template <Clock C>
void multi(Ctx<C>& c) {
    if (c.session.in_multi()) {
        c.out.error("ERR MULTI calls can not be nested");
        return;
    }
    c.session.begin_multi();
    c.out.simple("OK");
}

template <Clock C>
void exec(Ctx<C>& c) {
    if (!c.session.in_multi()) {
        c.out.error("ERR EXEC without MULTI");
        return;
    }
    if (c.session.multi_error()) {
        c.session.discard_multi();
        c.out.error("EXECABORT Transaction discarded because of previous errors.");
        return;
    }
    c.session.exec_queued(c.out);
}

template <Clock C>
void discard(Ctx<C>& c) {
    if (!c.session.in_multi()) {
        c.out.error("ERR DISCARD without MULTI");
        return;
    }
    c.session.discard_multi();
    c.out.simple("OK");
}

template <Clock C>
void watch(Ctx<C>& c) {
    if (c.session.in_multi()) {
        c.out.error("ERR WATCH inside MULTI is not allowed");
        return;
    }
    for (std::size_t i = 1; i < c.argc(); ++i) c.session.watch(c.arg(i));
    c.out.simple("OK");
}

template <Clock C>
void unwatch(Ctx<C>& c) {
    c.session.unwatch_all();
    c.out.simple("OK");
}

}  // namespace cmd

template <Clock C>
void register_transaction_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::uint32_t tf = cmd_noscript | cmd_loading | cmd_stale | cmd_fast | cmd_allow_busy;
    add_command<C>(t, "multi", 1, tf, 0, 0, 0, &multi<C>, "transactions", "Mark the start of a transaction block", "1.2.0", {"fast", "transaction"});
    add_command<C>(t, "exec", 1, cmd_noscript | cmd_loading | cmd_stale | cmd_skip_slowlog | cmd_takes_gate, 0, 0, 0, &exec<C>, "transactions", "Execute all commands issued after MULTI", "1.2.0", {"slow", "transaction"});
    add_command<C>(t, "discard", 1, tf, 0, 0, 0, &discard<C>, "transactions", "Discard all commands issued after MULTI", "2.0.0", {"fast", "transaction"});
    add_command<C>(t, "watch", -2, tf, 1, -1, 1, &watch<C>, "transactions", "Watch the given keys to determine execution of the MULTI/EXEC block", "2.2.0", {"fast", "transaction"});
    add_command<C>(t, "unwatch", 1, tf, 0, 0, 0, &unwatch<C>, "transactions", "Forget about all watched keys", "2.2.0", {"fast", "transaction"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_TRANSACTIONS_HPP
