#ifndef CACHET_RESP_COMMANDS_SETS_HPP
#define CACHET_RESP_COMMANDS_SETS_HPP

/// Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE,
/// SINTER, SINTERCARD, SUNION, SDIFF, SINTERSTORE, SUNIONSTORE, SDIFFSTORE, SSCAN. Replies,
/// error texts and the order of Redis's checks as Redis 7.0.15's (t_set.c), in RESP2 and
/// RESP3: SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count are sets ('~') in RESP3,
/// SRANDMEMBER with a count an array; SMISMEMBER answers integers in both.
///
/// SINTER, SUNION, SDIFF, SINTERCARD and the *STORE forms check the type of every source key
/// (WRONGTYPE even after a missing one), as Redis 7 does; a *STORE destination is replaced
/// whatever it held, loses its TTL, and is deleted by an empty result.
///
/// Encodings: the Database follows the encoding Redis 7.0 would give each set (`SetEncoding`:
/// an intset while all members are integers and at most set-max-intset-entries, then a
/// hashtable for good), because it shows: SSCAN returns an intset whole with cursor 0, a
/// hashtable by cursor steps. Replies list an all-integer collection of at most
/// set-max-intset-entries members in ascending order, as Redis does wherever such a reply
/// comes from an intset (SMEMBERS and SINTER of intsets, SUNION, SDIFF, the whole-set SPOP and
/// SRANDMEMBER, which build one); other members come in cachet's dict order (Redis's hashtable
/// order is its own). Difference from Redis: a negative SRANDMEMBER count whose reply would
/// exceed proto-max-bulk-len bytes answers "ERR out of memory" (see collections.hpp). COMMAND INFO SINTERCARD lacks Redis's
/// numkeys key specification (the command table has no way to express it).

#include <cachet/resp/commands/collections.hpp>
#include <cachet/resp/engine.hpp>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

/// argv[from, to) as keys or members.
template <Clock C>
std::vector<std::string> args_from(Ctx<C>& c, std::size_t from, std::size_t to) {
    return std::vector<std::string>(c.argv.begin() + static_cast<std::ptrdiff_t>(from),
                                    c.argv.begin() + static_cast<std::ptrdiff_t>(to));
}

/// Puts `members` in the order Redis lists them when they would fill an intset (all integers,
/// at most `intset_entries`): ascending. Leaves any other collection as it is. O(N log N).
template <class T, class Get>
void intset_order(std::vector<T>& members, long long intset_entries, Get&& get) {
    if (members.size() < 2 || static_cast<long long>(members.size()) > intset_entries) return;
    std::vector<std::pair<long long, std::size_t>> keyed(members.size());
    for (std::size_t i = 0; i < members.size(); ++i) {
        keyed[i].second = i;
        if (!cachet::detail::string2ll(get(members[i]), keyed[i].first)) return;
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<T> sorted;
    sorted.reserve(members.size());
    for (const auto& k : keyed) sorted.push_back(std::move(members[k.second]));
    members = std::move(sorted);
}

/// Writes `members` as a set reply ('~' in RESP3), in Redis's order (see `intset_order`).
template <Clock C>
void write_member_set(Ctx<C>& c, std::vector<std::string> members) {
    intset_order(members, c.engine.database().set_intset_entries(),
                 [](const std::string& m) -> std::string_view { return m; });
    c.out.set(members.size());
    for (const auto& m : members) c.out.bulk(m);
}

template <Clock C>
void sadd(Ctx<C>& c) {
    const auto added = c.db().sets().add(c.key(1), c.argv.subspan(2));
    c.out.integer(static_cast<long long>(added));
}

template <Clock C>
void srem(Ctx<C>& c) {
    const auto members = args_from(c, 2, c.argc());
    c.out.integer(static_cast<long long>(c.db().sets().remove(c.key(1), members)));
}

template <Clock C>
void smembers(Ctx<C>& c) {
    const long long intset_entries = c.engine.database().set_intset_entries();
    const bool found = c.db().sets().visit(c.key(1), [&](const RedisSet& s) {
        c.out.set(s.size());
        if (static_cast<long long>(s.size()) > intset_entries) {  // never an intset
            s.for_each([&](const std::string& m) { c.out.bulk(m); });
            return;
        }
        std::vector<const std::string*> members;
        members.reserve(s.size());
        s.for_each([&](const std::string& m) { members.push_back(&m); });
        intset_order(members, intset_entries,
                     [](const std::string* m) -> std::string_view { return *m; });
        for (const std::string* m : members) c.out.bulk(*m);
    });
    if (!found) c.out.set(0);
}

template <Clock C>
void sismember(Ctx<C>& c) {
    bool has = false;
    c.db().sets().visit(c.key(1), [&](const RedisSet& s) { has = s.contains(c.arg(2)); });
    c.out.integer(has ? 1 : 0);
}

template <Clock C>
void smismember(Ctx<C>& c) {
    const std::size_t n = c.argc() - 2;
    const bool found = c.db().sets().visit(c.key(1), [&](const RedisSet& s) {
        c.out.array(n);
        for (std::size_t i = 2; i < c.argc(); ++i) c.out.integer(s.contains(c.arg(i)) ? 1 : 0);
    });
    if (!found) {
        c.out.array(n);
        for (std::size_t i = 0; i < n; ++i) c.out.integer(0);
    }
}

template <Clock C>
void scard(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.db().sets().cardinality(c.key(1))));
}

template <Clock C>
void spop(Ctx<C>& c) {
    // Replicas get what was popped, as Redis propagates SPOP: SREM of those members.
    const bool replicating = c.engine.replication().active();
    auto propagate = [&](const auto& members) {
        if (!replicating) return;
        std::vector<std::string> argv{"SREM", c.key(1)};
        for (const auto& m : members) argv.emplace_back(m);
        c.session.propagate_as(argv.size() > 2 ? std::move(argv) : std::vector<std::string>{});
    };
    if (c.argc() == 2) {
        auto m = c.db().sets().pop(c.key(1));
        propagate(m ? std::vector<std::string>{*m} : std::vector<std::string>{});
        if (m) c.out.bulk(*m);
        else c.out.null();
        return;
    }
    if (c.argc() > 3) {
        c.out.error(errors::syntax);
        return;
    }
    auto count = to_ll(c.arg(2));
    if (!count || *count < 0) {  // getPositiveLongFromObjectOrReply: one text for both
        c.out.error(errors::not_positive);
        return;
    }
    auto popped = c.db().sets().pop(c.key(1), static_cast<std::size_t>(*count));
    propagate(popped);
    write_member_set(c, std::move(popped));
}

template <Clock C>
void srandmember(Ctx<C>& c) {
    auto& sets = c.db().sets();
    if (c.argc() == 2) {
        if (auto m = sets.random_member(c.key(1))) c.out.bulk(*m);
        else c.out.null();
        return;
    }
    if (c.argc() > 3) {
        c.out.error(errors::syntax);
        return;
    }
    auto count = parse_random_count(c, c.arg(2));
    if (!count) return;
    if (*count >= 0) {  // distinct members, at most the set's size; an array even in RESP3
        auto members = sets.random_members(c.key(1), *count);
        // The whole set (a count of at least its size) comes as Redis builds it: a union.
        if (members.size() < static_cast<std::size_t>(*count) ||
            (members.size() > 1 && members.size() == sets.cardinality(c.key(1))))
            intset_order(members, c.engine.database().set_intset_entries(),
                         [](const std::string& m) -> std::string_view { return m; });
        c.out.array(members.size());
        for (const auto& m : members) c.out.bulk(m);
        return;
    }
    const unsigned long long n = 0ULL - static_cast<unsigned long long>(*count);
    const auto limit = static_cast<std::size_t>(c.engine.limits().max_bulk_len);
    bool fits = true;
    const bool found = sets.visit(c.key(1), [&](const RedisSet& s) {
        if (s.empty()) {
            c.out.array(0);
            return;
        }
        fits = write_repeated(
            c, n, limit, [&] { c.out.array(static_cast<std::size_t>(n)); },
            [&] { c.out.bulk(*s.random()); });
    });
    if (!found) c.out.array(0);
    else if (!fits) c.out.error("ERR out of memory");
}

template <Clock C>
void smove(Ctx<C>& c) {
    c.out.integer(c.db().sets().move(c.key(1), c.key(2), c.key(3)) ? 1 : 0);
}

/// SINTER / SUNION / SDIFF (SMEMBERS is its own command, with the same reply).
enum class SetOp { inter, unite, diff };

template <Clock C, SetOp Op>
void setop(Ctx<C>& c) {
    const auto keys = args_from(c, 1, c.argc());
    auto& sets = c.db().sets();
    const std::span<const std::string> k(keys);
    if constexpr (Op == SetOp::inter) write_member_set(c, sets.intersection(k));
    else if constexpr (Op == SetOp::unite) write_member_set(c, sets.union_of(k));
    else write_member_set(c, sets.difference(k));
}

template <Clock C, SetOp Op>
void setop_store(Ctx<C>& c) {
    const auto keys = args_from(c, 2, c.argc());
    auto& sets = c.db().sets();
    const std::span<const std::string> k(keys);
    std::size_t n = 0;
    if constexpr (Op == SetOp::inter) n = sets.store_intersection(c.key(1), k);
    else if constexpr (Op == SetOp::unite) n = sets.store_union(c.key(1), k);
    else n = sets.store_difference(c.key(1), k);
    c.out.integer(static_cast<long long>(n));
}

template <Clock C>
void sintercard(Ctx<C>& c) {
    auto numkeys = to_ll(c.arg(1));
    if (!numkeys || *numkeys < 1) {
        c.out.error("ERR numkeys should be greater than 0");
        return;
    }
    if (*numkeys > static_cast<long long>(c.argc()) - 2) {
        c.out.error("ERR Number of keys can't be greater than number of args");
        return;
    }
    const auto first_opt = 2 + static_cast<std::size_t>(*numkeys);
    long long limit = 0;
    for (std::size_t i = first_opt; i < c.argc(); ++i) {
        if (iequals(c.arg(i), "limit") && i + 1 < c.argc()) {
            auto l = to_ll(c.arg(++i));
            if (!l || *l < 0) {
                c.out.error("ERR LIMIT can't be negative");
                return;
            }
            limit = *l;
        } else {
            c.out.error(errors::syntax);
            return;
        }
    }
    const auto keys = args_from(c, 2, first_opt);
    const auto n = c.db().sets().intersection_size(std::span<const std::string>(keys),
                                                   static_cast<std::size_t>(limit));
    c.out.integer(static_cast<long long>(n));
}

template <Clock C>
void sscan(Ctx<C>& c) {
    auto cursor = parse_element_cursor(c.arg(2));
    if (!cursor) {
        c.out.error("ERR invalid cursor");
        return;
    }
    const auto& database = c.engine.database();
    const bool found = c.db().sets().visit(c.key(1), [&](const RedisSet& s) {
        ElementScanOptions o;
        if (!parse_element_scan_options(c, o)) return;
        std::vector<const std::string*> hits;
        std::uint64_t next = 0;
        auto take = [&](const std::string& m) {
            if (scan_matches(o, m)) hits.push_back(&m);
        };
        if (database.intset_set(s)) {  // an intset in Redis: whole, ascending, cursor 0
            s.for_each(take);
            intset_order(hits, LLONG_MAX, [](const std::string* m) -> std::string_view { return *m; });
        } else {
            next = scan_steps(s, *cursor, o.count, take);
        }
        c.out.array(2);
        c.out.bulk_integer(static_cast<long long>(next));
        c.out.array(hits.size());
        for (const std::string* m : hits) c.out.bulk(*m);
    });
    if (!found) {
        c.out.array(2);
        c.out.bulk("0");
        c.out.array(0);
    }
}

}  // namespace cmd

template <Clock C>
void register_set_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::vector<std::string> wf = {"write", "set", "fast"}, ws = {"write", "set", "slow"},
                                   rf = {"read", "set", "fast"}, rs = {"read", "set", "slow"};
    const std::uint32_t ro = cmd_readonly;
    add_command<C>(t, "sadd", -3, cmd_write | cmd_denyoom | cmd_fast, 1, 1, 1, &sadd<C>, "set", "Add one or more members to a set", "1.0.0", wf);
    add_command<C>(t, "srem", -3, cmd_write | cmd_fast, 1, 1, 1, &srem<C>, "set", "Remove one or more members from a set", "1.0.0", wf);
    add_command<C>(t, "smembers", 2, ro, 1, 1, 1, &smembers<C>, "set", "Get all the members in a set", "1.0.0", rs);
    add_command<C>(t, "sismember", 3, ro | cmd_fast, 1, 1, 1, &sismember<C>, "set", "Determine if a given value is a member of a set", "1.0.0", rf);
    add_command<C>(t, "smismember", -3, ro | cmd_fast, 1, 1, 1, &smismember<C>, "set", "Returns the membership associated with the given elements for a set", "6.2.0", rf);
    add_command<C>(t, "scard", 2, ro | cmd_fast, 1, 1, 1, &scard<C>, "set", "Get the number of members in a set", "1.0.0", rf);
    add_command<C>(t, "spop", -2, cmd_write | cmd_fast, 1, 1, 1, &spop<C>, "set", "Remove and return one or multiple random members from a set", "1.0.0", wf);
    add_command<C>(t, "srandmember", -2, ro, 1, 1, 1, &srandmember<C>, "set", "Get one or multiple random members from a set", "1.0.0", rs);
    add_command<C>(t, "smove", 4, cmd_write | cmd_fast, 1, 2, 1, &smove<C>, "set", "Move a member from one set to another", "1.0.0", wf);
    add_command<C>(t, "sinter", -2, ro, 1, -1, 1, &setop<C, SetOp::inter>, "set", "Intersect multiple sets", "1.0.0", rs);
    add_command<C>(t, "sintercard", -3, ro, 0, 0, 0, &sintercard<C>, "set", "Intersect multiple sets and return the cardinality of the result", "7.0.0", rs);
    add_command<C>(t, "sunion", -2, ro, 1, -1, 1, &setop<C, SetOp::unite>, "set", "Add multiple sets", "1.0.0", rs);
    add_command<C>(t, "sdiff", -2, ro, 1, -1, 1, &setop<C, SetOp::diff>, "set", "Subtract multiple sets", "1.0.0", rs);
    add_command<C>(t, "sinterstore", -3, cmd_write | cmd_denyoom, 1, -1, 1, &setop_store<C, SetOp::inter>, "set", "Intersect multiple sets and store the resulting set in a key", "1.0.0", ws);
    add_command<C>(t, "sunionstore", -3, cmd_write | cmd_denyoom, 1, -1, 1, &setop_store<C, SetOp::unite>, "set", "Add multiple sets and store the resulting set in a key", "1.0.0", ws);
    add_command<C>(t, "sdiffstore", -3, cmd_write | cmd_denyoom, 1, -1, 1, &setop_store<C, SetOp::diff>, "set", "Subtract multiple sets and store the resulting set in a key", "1.0.0", ws);
    add_command<C>(t, "sscan", -3, ro, 1, 1, 1, &sscan<C>, "set", "Incrementally iterate Set elements", "2.8.0", rs);
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_SETS_HPP
