#ifndef CACHET_RESP_COMMANDS_LISTS_HPP
#define CACHET_RESP_COMMANDS_LISTS_HPP

/// List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP (with count), LLEN, LRANGE, LINDEX,
/// LSET, LINSERT, LREM, LTRIM, LPOS (RANK, COUNT, MAXLEN), LMOVE, RPOPLPUSH, LMPOP, and the
/// blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP. Replies, error texts and the order of
/// Redis's checks as Redis 7.0.15's (t_list.c), in RESP2 and RESP3.
///
/// Blocking. A blocking command checks its keys in order under all their shard locks at once
/// (`write_many`, so the check is atomic as in single-threaded Redis): a key of another type
/// replies WRONGTYPE, the first non-empty list is popped from at once; if every key is empty
/// the command registers a `BlockedList` consumer on each of them (detail/wait_registry.hpp)
/// before the locks are released and the handler returns after `Session::block`, so the I/O
/// thread is never blocked. A later push to one of the keys, from any connection or from the
/// embedding program's `db.db(i).lists()`, serves the consumers first registered first
/// served under that key's lock (`take` pops); once its locks are released the producer calls
/// `finish`, which completes a BLMOVE into its destination, formats the reply in the client's
/// protocol and posts it to the session's outbox (the session collects it with
/// `collect_async`). A deadline passing (`Session::on_tick`) cancels the consumer and replies
/// Redis's timeout reply, a null array (BLMOVE and BRPOPLPUSH too); inside MULTI/EXEC nothing
/// blocks and the command replies as its timeout would (a null for BLMOVE/BRPOPLPUSH there).
///
/// Differences from Redis. Blocked clients are served in the order they registered; commands
/// that arrive at the same moment on connections of different I/O threads register in either
/// order. A BLMOVE served while its destination holds another type pops the element, fails
/// to push it and puts it back at the end it came from (Redis never pops it), so a push to
/// the source in between can leave it in another position.
///
/// Keyspace events of a push that serves blocked clients, as Redis's: the producer's push,
/// then each served client's (a BLMOVE's push into its destination, then) pop, published by
/// `finish`, then "del" if the served clients emptied a key the push had created
/// (`emptied_new_key`).

#include <cachet/list_store.hpp>
#include <cachet/resp/commands/blocking.hpp>
#include <cachet/resp/engine.hpp>

#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace listcmd {

inline constexpr std::string_view err_not_positive = "ERR value is out of range, must be positive";

/// LEFT / RIGHT (any case), as getListPositionFromObjectOrReply.
[[nodiscard]] inline std::optional<ListEnd> parse_end(std::string_view s) noexcept {
    if (iequals(s, "left")) return ListEnd::front;
    if (iequals(s, "right")) return ListEnd::back;
    return std::nullopt;
}

[[nodiscard]] constexpr const char* pop_event(ListEnd e) noexcept {
    return e == ListEnd::front ? "lpop" : "rpop";
}
[[nodiscard]] constexpr const char* push_event(ListEnd e) noexcept {
    return e == ListEnd::front ? "lpush" : "rpush";
}

inline std::string pop_end(RedisList& l, ListEnd e) {
    return e == ListEnd::front ? std::move(*l.pop_front()) : std::move(*l.pop_back());
}
inline void push_end(RedisList& l, ListEnd e, std::string v) {
    if (e == ListEnd::front) l.push_front(std::move(v));
    else l.push_back(std::move(v));
}

using blocking::deadline_in;
using blocking::parse_timeout_ms;
using blocking::with_refs;

/// A client blocked on list keys: BLPOP/BRPOP (one element), BLMPOP (up to `count`), BLMOVE /
/// BRPOPLPUSH (one element moved into `dst`). Registered in the database's list wait
/// registry and owned by the session (see the file comment and blocking.hpp).
template <Clock C>
class BlockedList final
    : public blocking::BlockedClient<C, RedisList, typename RedisDb<C>::list_registry> {
    using Base = blocking::BlockedClient<C, RedisList, typename RedisDb<C>::list_registry>;

public:
    enum class Kind : std::uint8_t { pop, mpop, move };

    BlockedList(Session<C>& session, RedisDb<C>& db, Kind kind, ListEnd from, ListEnd to,
                std::size_t count, std::string dst)
        : Base(session, db.list_waiters()), m_db(db), m_kind(kind), m_from(from), m_to(to),
          m_count(count), m_dst(std::move(dst)) {}

    /// Under the producer's locks: pops what this client wants. Never throws (an allocation
    /// failure becomes an error reply).
    void take(const std::string& key, RedisList& l) noexcept override {
        try {
            m_key = key;  // first: if this throws, nothing was popped
            if (m_kind == Kind::mpop)
                m_many = m_from == ListEnd::front ? l.pop_front(m_count) : l.pop_back(m_count);
            else
                m_one.emplace(pop_end(l, m_from));
            // A BLMOVE from a list into itself (a rotation) puts the element back at once,
            // under the same lock, so the clients served after it see it there (Redis serves
            // them one by one, each move complete before the next).
            if (m_kind == Kind::move && m_dst == key) {
                push_end(l, m_to, *m_one);
                m_rotated = true;
            }
        } catch (...) {
            this->m_failed = true;
        }
    }

    /// Redis replies to a timed-out list client with a null array (BLMOVE and BRPOPLPUSH too).
    void timeout_reply(ReplyWriter& w) override { w.null_array(); }

private:
    void write_reply(ReplyWriter& w) override {
        auto& database = this->m_session.engine().database();
        const int db_index = m_db.index();
        // The producer's write may have created and emptied the key in one access: WATCH must
        // see the key modified by the pop too (Redis's signalModifiedKey), so touch it here
        // (not in `take`: touch_all takes shard locks under the watch lock, so the watch lock
        // is never taken under a shard lock).
        database.touch(db_index, m_key);
        switch (m_kind) {
            case Kind::pop:
                this->announce_pop(db_index, m_key, pop_event(m_from));
                this->replicate_pop(db_index, {m_from == ListEnd::front ? "LPOP" : "RPOP", m_key});
                w.array(2);
                w.bulk(m_key);
                w.bulk(*m_one);
                return;
            case Kind::mpop:
                this->announce_pop(db_index, m_key, pop_event(m_from));
                this->replicate_pop(db_index, {m_from == ListEnd::front ? "LPOP" : "RPOP", m_key,
                                               std::to_string(m_many.size())});
                w.array(2);
                w.bulk(m_key);
                w.array(m_many.size());
                for (const auto& v : m_many) w.bulk(v);
                return;
            case Kind::move:
                if (m_rotated) {  // pushed back by `take`: its push event, then the pop's
                    database.notify(db_index, push_event(m_to), m_key);
                    this->announce_pop(db_index, m_key, pop_event(m_from), true);
                    this->replicate_pop(db_index, {"LMOVE", m_key, m_dst, m_from == ListEnd::front ? "LEFT" : "RIGHT",
                                                   m_to == ListEnd::front ? "LEFT" : "RIGHT"});
                    w.bulk(*m_one);
                    return;
                }
                try {
                    auto& lists = m_db.lists();
                    if (m_to == ListEnd::front) lists.push_front(m_dst, std::string(*m_one));
                    else lists.push_back(m_dst, std::string(*m_one));
                } catch (const WrongTypeError&) {
                    // Redis leaves the element in the source and replies WRONGTYPE: put it
                    // back at the end it came from.
                    try {
                        auto& lists = m_db.lists();
                        if (m_from == ListEnd::front) lists.push_front(m_key, std::move(*m_one));
                        else lists.push_back(m_key, std::move(*m_one));
                    } catch (...) {  // the source changed type meanwhile: nowhere to go
                    }
                    w.error(errors::wrongtype);
                    return;
                }
                // Moved into the key it came from: the key exists again, no "del".
                this->announce_pop(db_index, m_key, pop_event(m_from), m_key == m_dst);
                this->replicate_pop(db_index, {"LMOVE", m_key, m_dst, m_from == ListEnd::front ? "LEFT" : "RIGHT",
                                               m_to == ListEnd::front ? "LEFT" : "RIGHT"});
                w.bulk(*m_one);
                return;
        }
    }

    RedisDb<C>& m_db;
    Kind m_kind;
    ListEnd m_from;
    ListEnd m_to;
    std::size_t m_count;
    std::string m_dst;
    // Written by `take` (producer, under its locks), read by `finish` (same producer thread).
    std::string m_key;
    std::optional<std::string> m_one;
    std::vector<std::string> m_many;
    bool m_rotated = false;  ///< a move into the key it came from, done by `take`
};

/// The list family's check-and-register (blocking::check_or_register over the lists).
template <Clock C, class F>
bool check_or_register(Ctx<C>& c, std::unique_ptr<BlockedList<C>>& w,
                       std::span<const std::string> lock_keys, F&& f) {
    return blocking::check_or_register(c.db().lists().backend(), w, lock_keys, std::forward<F>(f));
}

// ------------------------------------------------------------------ pushes

template <Clock C, ListEnd End, bool OnlyIfExists>
void push(Ctx<C>& c) {
    auto& lists = c.db().lists();
    const std::string key = c.key(1);
    const auto values = c.argv.subspan(2);
    std::size_t n;
    if constexpr (End == ListEnd::front)
        n = OnlyIfExists ? lists.push_front_range_if_exists(key, values)
                         : lists.push_front_range(key, values);
    else
        n = OnlyIfExists ? lists.push_back_range_if_exists(key, values)
                         : lists.push_back_range(key, values);
    c.out.integer(static_cast<long long>(n));
}

// ------------------------------------------------------------------ pops

template <Clock C, ListEnd End>
void pop(Ctx<C>& c) {
    if (c.argc() > 3) {
        c.out.error(std::string("ERR wrong number of arguments for '") +
                    (End == ListEnd::front ? "lpop" : "rpop") + "' command");
        return;
    }
    auto& lists = c.db().lists();
    const std::string key = c.key(1);
    if (c.argc() == 3) {
        const auto n = to_ll(c.arg(2));
        if (!n || *n < 0) {
            c.out.error(err_not_positive);
            return;
        }
        const auto count = static_cast<std::size_t>(*n);
        auto got = End == ListEnd::front ? lists.pop_front(key, count) : lists.pop_back(key, count);
        if (!got) {
            c.out.null_array();
            return;
        }
        c.out.array(got->size());
        for (const auto& v : *got) c.out.bulk(v);
        return;
    }
    auto got = End == ListEnd::front ? lists.pop_front(key) : lists.pop_back(key);
    if (got) c.out.bulk(*got);
    else c.out.null();
}

// ------------------------------------------------------------------ reads

template <Clock C>
void llen(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.db().lists().length(c.key(1))));
}

template <Clock C>
void lrange(Ctx<C>& c) {
    const auto start = to_ll(c.arg(2)), stop = to_ll(c.arg(3));
    if (!start || !stop) {
        c.out.error(errors::not_integer);
        return;
    }
    // The reply is written under the shard lock: no copy of the elements.
    c.db().lists().backend().read(c.key(1), [&](const RedisList* l) {
        if (!l) {
            c.out.array(0);
            return;
        }
        const auto r = l->resolve_range(*start, *stop);
        c.out.array(r.count);
        for (std::size_t i = 0; i < r.count; ++i) c.out.bulk((*l)[r.first + i]);
    });
}

template <Clock C>
void lindex(Ctx<C>& c) {
    // Redis looks the key up (and checks its type) before it parses the index.
    c.db().lists().backend().read(c.key(1), [&](const RedisList* l) {
        if (!l) {
            c.out.null();
            return;
        }
        const auto i = to_ll(c.arg(2));
        if (!i) {
            c.out.error(errors::not_integer);
            return;
        }
        if (const std::string* v = l->index(*i)) c.out.bulk(*v);
        else c.out.null();
    });
}

/// LPOS's options.
struct LposOptions {
    long long rank = 1;
    long long count = -1;  ///< -1: no COUNT (reply with one position or nil); 0: all
    long long maxlen = 0;  ///< 0: no limit
};

template <Clock C>
void lpos(Ctx<C>& c) {
    LposOptions o;
    for (std::size_t j = 3; j < c.argc(); ++j) {
        const std::string_view opt = c.arg(j);
        const bool more = j + 1 < c.argc();
        if (iequals(opt, "rank") && more) {
            const auto v = to_ll(c.arg(++j));
            if (!v) {
                c.out.error(errors::not_integer);
                return;
            }
            if (*v == 0) {
                c.out.error(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                    "second ... or use negative to start from the end of the list");
                return;
            }
            o.rank = *v;
        } else if (iequals(opt, "count") && more) {
            const auto v = to_ll(c.arg(++j));
            if (!v || *v < 0) {
                c.out.error("ERR COUNT can't be negative");
                return;
            }
            o.count = *v;
        } else if (iequals(opt, "maxlen") && more) {
            const auto v = to_ll(c.arg(++j));
            if (!v || *v < 0) {
                c.out.error("ERR MAXLEN can't be negative");
                return;
            }
            o.maxlen = *v;
        } else {
            c.out.error(errors::syntax);
            return;
        }
    }
    // Redis 7.0 negates RANK -2^63 into itself: every match from the tail then counts, and
    // COUNT's stop test overflows so it never stops early (all matches).
    long long rank = o.rank;
    long long count = o.count;
    if (rank == LLONG_MIN) {
        rank = -1;
        if (count != -1) count = 0;
    }
    const std::string_view value = c.arg(2);
    c.db().lists().backend().read(c.key(1), [&](const RedisList* l) {
        if (!l) {
            if (o.count != -1) c.out.array(0);
            else c.out.null();
            return;
        }
        const auto found = l->position(value, rank, count == -1 ? 1 : static_cast<std::size_t>(count),
                                       static_cast<std::size_t>(o.maxlen));
        if (o.count != -1) {
            c.out.array(found.size());
            for (auto p : found) c.out.integer(static_cast<long long>(p));
        } else if (!found.empty()) {
            c.out.integer(static_cast<long long>(found.front()));
        } else {
            c.out.null();
        }
    });
}

// ------------------------------------------------------------------ in-place changes

template <Clock C>
void lset(Ctx<C>& c) {
    enum class R { ok, no_key, not_integer, out_of_range };
    const R r = c.db().lists().backend().write(c.key(1), [&](auto& ref) {
        const RedisList* seen = ref.peek();  // WRONGTYPE before the index is parsed
        if (!seen) return R::no_key;
        const auto i = to_ll(c.arg(2));
        if (!i) return R::not_integer;
        if (!seen->index(*i)) return R::out_of_range;
        ref.get()->set(*i, std::string(c.arg(3)));
        ref.event("lset");
        return R::ok;
    });
    switch (r) {
        case R::ok: c.out.simple("OK"); break;
        case R::no_key: c.out.error(errors::no_such_key); break;
        case R::not_integer: c.out.error(errors::not_integer); break;
        case R::out_of_range: c.out.error("ERR index out of range"); break;
    }
}

template <Clock C>
void linsert(Ctx<C>& c) {
    ListInsert where;
    if (iequals(c.arg(2), "after")) where = ListInsert::after;
    else if (iequals(c.arg(2), "before")) where = ListInsert::before;
    else {
        c.out.error(errors::syntax);
        return;
    }
    c.out.integer(c.db().lists().insert(c.key(1), where, c.arg(3), std::string(c.arg(4))));
}

template <Clock C>
void lrem(Ctx<C>& c) {
    const auto n = to_ll(c.arg(2));
    if (!n) {
        c.out.error(errors::not_integer);
        return;
    }
    c.out.integer(static_cast<long long>(c.db().lists().remove(c.key(1), *n, c.arg(3))));
}

template <Clock C>
void ltrim(Ctx<C>& c) {
    const auto start = to_ll(c.arg(2)), stop = to_ll(c.arg(3));
    if (!start || !stop) {
        c.out.error(errors::not_integer);
        return;
    }
    c.db().lists().trim(c.key(1), *start, *stop);
    c.out.simple("OK");
}

// ------------------------------------------------------------------ moves

template <Clock C>
void move_reply(Ctx<C>& c, ListEnd from, ListEnd to) {
    auto v = c.db().lists().move(c.key(1), c.key(2), from, to);
    if (v) c.out.bulk(*v);
    else c.out.null();
}

template <Clock C>
void lmove(Ctx<C>& c) {
    const auto from = parse_end(c.arg(3));
    const auto to = from ? parse_end(c.arg(4)) : std::nullopt;
    if (!from || !to) {
        c.out.error(errors::syntax);
        return;
    }
    move_reply(c, *from, *to);
}

template <Clock C>
void rpoplpush(Ctx<C>& c) {
    move_reply(c, ListEnd::back, ListEnd::front);
}

// ------------------------------------------------------------------ multi-key pops

/// LMPOP / BLMPOP arguments from `numkeys_idx`: numkeys, keys, LEFT|RIGHT, [COUNT n].
struct MpopArgs {
    std::vector<std::string> keys;
    ListEnd end = ListEnd::front;
    std::size_t count = 1;
};

/// As lmpopGenericCommand's parsing; writes the error and returns nullopt.
template <Clock C>
std::optional<MpopArgs> parse_mpop(Ctx<C>& c, std::size_t numkeys_idx) {
    const auto numkeys = to_ll(c.arg(numkeys_idx));
    if (!numkeys || *numkeys < 1) {
        c.out.error("ERR numkeys should be greater than 0");
        return std::nullopt;
    }
    // where_idx = numkeys_idx + numkeys + 1 must be an argument (without overflowing).
    if (static_cast<unsigned long long>(*numkeys) >= c.argc() - numkeys_idx - 1) {
        c.out.error(errors::syntax);
        return std::nullopt;
    }
    const std::size_t where_idx = numkeys_idx + static_cast<std::size_t>(*numkeys) + 1;
    const auto end = parse_end(c.arg(where_idx));
    if (!end) {
        c.out.error(errors::syntax);
        return std::nullopt;
    }
    MpopArgs a;
    a.end = *end;
    bool has_count = false;
    for (std::size_t j = where_idx + 1; j < c.argc(); ++j) {
        if (!has_count && iequals(c.arg(j), "count") && j + 1 < c.argc()) {
            const auto n = to_ll(c.arg(++j));
            if (!n || *n < 1) {
                c.out.error("ERR count should be greater than 0");
                return std::nullopt;
            }
            a.count = static_cast<std::size_t>(*n);
            has_count = true;
        } else {
            c.out.error(errors::syntax);
            return std::nullopt;
        }
    }
    a.keys.reserve(static_cast<std::size_t>(*numkeys));
    for (std::size_t i = numkeys_idx + 1; i < where_idx; ++i) a.keys.emplace_back(c.arg(i));
    return a;
}

/// The reply of LMPOP / BLMPOP: [key, [elements...]].
inline void write_key_and_elements(ReplyWriter& out, std::string_view key,
                                   const std::vector<std::string>& items) {
    out.array(2);
    out.bulk(key);
    out.array(items.size());
    for (const auto& v : items) out.bulk(v);
}

template <Clock C>
void lmpop(Ctx<C>& c) {
    auto a = parse_mpop(c, 1);
    if (!a) return;
    auto got = c.db().lists().pop(std::span<const std::string>(a->keys), a->end, a->count);
    if (!got) c.out.null_array();
    else write_key_and_elements(c.out, got->first, got->second);
}

// ------------------------------------------------------------------ blocking commands

/// BLPOP / BRPOP (count 0: one element, replied [key, element]) and BLMPOP (count >= 1:
/// replied [key, [elements]]): pops from the first non-empty key, or blocks on all of them.
template <Clock C>
void blocking_pop(Ctx<C>& c, std::vector<std::string> keys, ListEnd end, std::size_t count,
                  long long timeout_ms) {
    using Blocked = BlockedList<C>;
    const bool may_block = !c.in_exec;  // inside EXEC: reply as a timeout would
    std::unique_ptr<Blocked> w;
    std::string got_key;
    std::vector<std::string> got;
    const std::span<const std::string> ks(keys);
    const bool done = check_or_register(c, w, ks, [&](auto& refs) {
        for (std::size_t i = 0; i < ks.size(); ++i) {
            const RedisList* l = refs[i].peek();  // WRONGTYPE, in key order
            if (!l || l->empty()) continue;
            RedisList& list = *refs[i].get();
            if (count == 0) got.push_back(pop_end(list, end));
            else got = end == ListEnd::front ? list.pop_front(count) : list.pop_back(count);
            refs[i].event(pop_event(end));
            got_key = ks[i];
            return true;
        }
        if (!may_block) return false;
        w = std::make_unique<Blocked>(c.session, c.db(),
                                      count == 0 ? Blocked::Kind::pop : Blocked::Kind::mpop, end,
                                      end, count, std::string());
        w->register_on(ks);
        return false;
    });
    if (done) {
        if (count == 0) {
            c.out.array(2);
            c.out.bulk(got_key);
            c.out.bulk(got.front());
        } else {
            write_key_and_elements(c.out, got_key, got);
        }
        return;
    }
    if (!w) {
        c.out.null_array();
        return;
    }
    c.session.block(std::move(w), deadline_in(timeout_ms));
}

template <Clock C, ListEnd End>
void bpop(Ctx<C>& c) {
    const auto timeout = parse_timeout_ms(c.out, c.arg(c.argc() - 1));
    if (!timeout) return;
    std::vector<std::string> keys;
    keys.reserve(c.argc() - 2);
    for (std::size_t i = 1; i + 1 < c.argc(); ++i) keys.emplace_back(c.arg(i));
    blocking_pop(c, std::move(keys), End, 0, *timeout);
}

template <Clock C>
void blmpop(Ctx<C>& c) {
    auto a = parse_mpop(c, 2);
    if (!a) return;
    const auto timeout = parse_timeout_ms(c.out, c.arg(1));
    if (!timeout) return;
    blocking_pop(c, std::move(a->keys), a->end, a->count, *timeout);
}

/// BLMOVE / BRPOPLPUSH: as LMOVE if the source holds a list; else blocks on the source (the
/// destination's type is not checked until then, as in Redis).
template <Clock C>
void blocking_move(Ctx<C>& c, ListEnd from, ListEnd to, long long timeout_ms) {
    using Blocked = BlockedList<C>;
    const bool may_block = !c.in_exec;
    std::unique_ptr<Blocked> w;
    std::optional<std::string> got;
    const std::string keys[2] = {c.key(1), c.key(2)};
    // Locked destination first: events go out key by key, and Redis sends the destination's
    // push before the source's pop.
    const std::string locked[2] = {keys[1], keys[0]};
    const bool done = check_or_register(c, w, std::span<const std::string>(locked, 2), [&](auto& refs) {
        auto& src = refs[1];
        auto& dst = refs[0];
        const RedisList* s = src.peek();  // WRONGTYPE on the source first
        if (s && !s->empty()) {
            (void)dst.peek();  // then on the destination, before anything changes
            std::string v = pop_end(*src.get(), from);
            src.event(pop_event(from));
            push_end(dst.create(), to, v);  // the source itself when the keys are equal
            dst.event(push_event(to));
            if (&src.slot() == &dst.slot()) dst.also_event(pop_event(from));  // push, then pop
            got.emplace(std::move(v));
            return true;
        }
        if (!may_block) return false;
        w = std::make_unique<Blocked>(c.session, c.db(), Blocked::Kind::move, from, to, 1, keys[1]);
        w->register_on(std::span<const std::string>(keys, 1));
        return false;
    });
    if (done) {
        c.out.bulk(*got);
        return;
    }
    if (!w) {
        c.out.null();  // Redis's addReplyNull for a BLMOVE that may not block
        return;
    }
    c.session.block(std::move(w), deadline_in(timeout_ms));
}

template <Clock C>
void blmove(Ctx<C>& c) {
    const auto from = parse_end(c.arg(3));
    const auto to = from ? parse_end(c.arg(4)) : std::nullopt;
    if (!from || !to) {
        c.out.error(errors::syntax);
        return;
    }
    const auto timeout = parse_timeout_ms(c.out, c.arg(5));
    if (!timeout) return;
    blocking_move(c, *from, *to, *timeout);
}

template <Clock C>
void brpoplpush(Ctx<C>& c) {
    const auto timeout = parse_timeout_ms(c.out, c.arg(3));
    if (!timeout) return;
    blocking_move(c, ListEnd::back, ListEnd::front, *timeout);
}

}  // namespace listcmd

template <Clock C>
void register_list_commands(CommandTable<C>& t) {
    using namespace listcmd;
    constexpr ListEnd L = ListEnd::front, R = ListEnd::back;
    const std::uint32_t w = cmd_write | cmd_denyoom, wf = cmd_write | cmd_denyoom | cmd_fast,
                        blk = cmd_write | cmd_noscript | cmd_blocking;
    const std::vector<std::string> acl_wf = {"write", "list", "fast"},
                                   acl_ws = {"write", "list", "slow"},
                                   acl_rf = {"read", "list", "fast"},
                                   acl_rs = {"read", "list", "slow"},
                                   acl_wb = {"write", "list", "slow", "blocking"};
    add_command<C>(t, "lpush", -3, wf, 1, 1, 1, &push<C, L, false>, "list", "Prepend one or multiple elements to a list", "1.0.0", acl_wf);
    add_command<C>(t, "rpush", -3, wf, 1, 1, 1, &push<C, R, false>, "list", "Append one or multiple elements to a list", "1.0.0", acl_wf);
    add_command<C>(t, "lpushx", -3, wf, 1, 1, 1, &push<C, L, true>, "list", "Prepend an element to a list, only if the list exists", "2.2.0", acl_wf);
    add_command<C>(t, "rpushx", -3, wf, 1, 1, 1, &push<C, R, true>, "list", "Append an element to a list, only if the list exists", "2.2.0", acl_wf);
    add_command<C>(t, "lpop", -2, cmd_write | cmd_fast, 1, 1, 1, &pop<C, L>, "list", "Remove and get the first elements in a list", "1.0.0", acl_wf);
    add_command<C>(t, "rpop", -2, cmd_write | cmd_fast, 1, 1, 1, &pop<C, R>, "list", "Remove and get the last elements in a list", "1.0.0", acl_wf);
    add_command<C>(t, "llen", 2, cmd_readonly | cmd_fast, 1, 1, 1, &llen<C>, "list", "Get the length of a list", "1.0.0", acl_rf);
    add_command<C>(t, "lrange", 4, cmd_readonly, 1, 1, 1, &lrange<C>, "list", "Get a range of elements from a list", "1.0.0", acl_rs);
    add_command<C>(t, "lindex", 3, cmd_readonly, 1, 1, 1, &lindex<C>, "list", "Get an element from a list by its index", "1.0.0", acl_rs);
    add_command<C>(t, "lset", 4, w, 1, 1, 1, &lset<C>, "list", "Set the value of an element in a list by its index", "1.0.0", acl_ws);
    add_command<C>(t, "linsert", 5, w, 1, 1, 1, &linsert<C>, "list", "Insert an element before or after another element in a list", "2.2.0", acl_ws);
    add_command<C>(t, "lrem", 4, cmd_write, 1, 1, 1, &lrem<C>, "list", "Remove elements from a list", "1.0.0", acl_ws);
    add_command<C>(t, "ltrim", 4, cmd_write, 1, 1, 1, &ltrim<C>, "list", "Trim a list to the specified range", "1.0.0", acl_ws);
    add_command<C>(t, "lpos", -3, cmd_readonly, 1, 1, 1, &lpos<C>, "list", "Return the index of matching elements on a list", "6.0.6", acl_rs);
    add_command<C>(t, "lmove", 5, w, 1, 2, 1, &lmove<C>, "list", "Pop an element from a list, push it to another list and return it", "6.2.0", acl_ws);
    add_command<C>(t, "rpoplpush", 3, w, 1, 2, 1, &rpoplpush<C>, "list", "Remove the last element in a list, prepend it to another list and return it", "1.2.0", acl_ws);
    add_command<C>(t, "lmpop", -4, cmd_write, 0, 0, 0, &lmpop<C>, "list", "Pop elements from a list", "7.0.0", acl_ws);
    add_command<C>(t, "blpop", -3, blk, 1, -2, 1, &bpop<C, L>, "list", "Remove and get the first element in a list, or block until one is available", "2.0.0", acl_wb);
    add_command<C>(t, "brpop", -3, blk, 1, -2, 1, &bpop<C, R>, "list", "Remove and get the last element in a list, or block until one is available", "2.0.0", acl_wb);
    add_command<C>(t, "blmove", 6, blk | cmd_denyoom, 1, 2, 1, &blmove<C>, "list", "Pop an element from a list, push it to another list and return it; or block until one is available", "6.2.0", acl_wb);
    add_command<C>(t, "brpoplpush", 4, blk | cmd_denyoom, 1, 2, 1, &brpoplpush<C>, "list", "Pop an element from a list, push it to another list and return it; or block until one is available", "2.2.0", acl_wb);
    add_command<C>(t, "blmpop", -5, cmd_write | cmd_blocking, 0, 0, 0, &blmpop<C>, "list", "Pop elements from a list, or block until one is available", "7.0.0", acl_wb);
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_LISTS_HPP
