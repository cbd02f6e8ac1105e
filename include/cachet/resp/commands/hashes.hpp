#ifndef CACHET_RESP_COMMANDS_HASHES_HPP
#define CACHET_RESP_COMMANDS_HASHES_HPP

/// Hash commands: HSET, HSETNX, HGET, HMGET, HMSET, HGETALL, HDEL, HEXISTS, HLEN, HKEYS, HVALS,
/// HINCRBY, HINCRBYFLOAT, HSTRLEN, HRANDFIELD, HSCAN. Replies, error texts and the order of
/// Redis's checks as Redis 7.0.15's (t_hash.c), in RESP2 and RESP3: HGETALL is a map in RESP3,
/// HRANDFIELD ... WITHVALUES an array of [field, value] pairs.
///
/// Reads run on the container under its shard lock (`visit`) and write the reply there, so
/// nothing is copied. A key of another type throws `WrongTypeError` before anything is written
/// (the dispatcher replies WRONGTYPE).
///
/// Encodings: the Database follows the encoding Redis would give each hash (`HashEncoding`: a
/// listpack until a write exceeds hash-max-listpack-entries / -value, then a hashtable for
/// good), because it shows: fields come in insertion order (a listpack's; Redis's hashtable
/// order is its own), and HSCAN returns a listpack hash whole with cursor 0, a hashtable one
/// by cursor steps (cachet's cursors, not Redis's). Difference from Redis: a negative
/// HRANDFIELD count whose reply would exceed proto-max-bulk-len bytes answers "ERR out of
/// memory" instead of growing the output buffer without bound.

#include <cachet/resp/commands/collections.hpp>
#include <cachet/resp/engine.hpp>

#include <climits>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

/// HSET / HMSET (which replies OK).
template <Clock C, bool Hmset>
void hset(Ctx<C>& c) {
    if (c.argc() % 2 == 1) {
        c.out.error(std::string("ERR wrong number of arguments for '") +
                    (Hmset ? "hmset" : "hset") + "' command");
        return;
    }
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    pairs.reserve(c.argc() / 2 - 1);
    for (std::size_t i = 2; i + 1 < c.argc(); i += 2) pairs.emplace_back(c.arg(i), c.arg(i + 1));
    const std::size_t added = c.db().hashes().set(c.key(1), pairs);
    if (Hmset) c.out.simple("OK");
    else c.out.integer(static_cast<long long>(added));
}

template <Clock C>
void hsetnx(Ctx<C>& c) {
    const bool set = c.db().hashes().set_if_absent(c.key(1), c.key(2), c.key(3));
    c.out.integer(set ? 1 : 0);
}

template <Clock C>
void hget(Ctx<C>& c) {
    bool written = false;
    c.db().hashes().visit(c.key(1), [&](const RedisHash& h) {
        if (const std::string* v = h.find(c.arg(2))) {
            c.out.bulk(*v);
            written = true;
        }
    });
    if (!written) c.out.null();
}

template <Clock C>
void hmget(Ctx<C>& c) {
    const std::size_t n = c.argc() - 2;
    const bool found = c.db().hashes().visit(c.key(1), [&](const RedisHash& h) {
        c.out.array(n);
        for (std::size_t i = 2; i < c.argc(); ++i) {
            if (const std::string* v = h.find(c.arg(i))) c.out.bulk(*v);
            else c.out.null();
        }
    });
    if (!found) {
        c.out.array(n);
        for (std::size_t i = 0; i < n; ++i) c.out.null();
    }
}

/// HGETALL (a map in RESP3), HKEYS, HVALS.
template <Clock C, bool Fields, bool Values>
void hgetall(Ctx<C>& c) {
    const Aggregate kind = Fields && Values ? Aggregate::map : Aggregate::array;
    const bool found = c.db().hashes().visit(c.key(1), [&](const RedisHash& h) {
        c.out.aggregate(kind, h.size());
        h.for_each([&](const std::string& f, const std::string& v) {
            if (Fields) c.out.bulk(f);
            if (Values) c.out.bulk(v);
        });
    });
    if (!found) c.out.aggregate(kind, 0);
}

template <Clock C>
void hdel(Ctx<C>& c) {
    std::vector<std::string> fields(c.argv.begin() + 2, c.argv.end());
    c.out.integer(static_cast<long long>(c.db().hashes().remove(c.key(1), fields)));
}

template <Clock C>
void hexists(Ctx<C>& c) {
    bool has = false;
    c.db().hashes().visit(c.key(1), [&](const RedisHash& h) { has = h.contains(c.arg(2)); });
    c.out.integer(has ? 1 : 0);
}

template <Clock C>
void hlen(Ctx<C>& c) {
    c.out.integer(static_cast<long long>(c.db().hashes().length(c.key(1))));
}

template <Clock C>
void hstrlen(Ctx<C>& c) {
    std::size_t len = 0;
    c.db().hashes().visit(c.key(1), [&](const RedisHash& h) {
        if (const std::string* v = h.find(c.arg(2))) len = v->size();
    });
    c.out.integer(static_cast<long long>(len));
}

template <Clock C>
void hincrby(Ctx<C>& c) {
    auto delta = to_ll(c.arg(3));
    if (!delta) {
        c.out.error(errors::not_integer);
        return;
    }
    auto r = c.db().hashes().increment(c.key(1), c.key(2), *delta);
    if (r) c.out.integer(*r);
    else if (r.error() == Errc::overflow) c.out.error(errors::overflow);
    else c.out.error("ERR hash value is not an integer");
}

template <Clock C>
void hincrbyfloat(Ctx<C>& c) {
    auto delta = to_ld(c.arg(3));
    if (!delta) {
        c.out.error(errors::not_float);
        return;
    }
    if (!std::isfinite(*delta)) {  // before the key's type, as Redis
        c.out.error("ERR value is NaN or Infinity");
        return;
    }
    auto r = c.db().hashes().increment_float(c.key(1), c.key(2), *delta);
    if (r) c.out.bulk(*r);
    else if (r.error() == Errc::overflow) c.out.error("ERR increment would produce NaN or Infinity");
    else c.out.error("ERR hash value is not a float");
}

template <Clock C>
void hrandfield(Ctx<C>& c) {
    auto& hashes = c.db().hashes();
    if (c.argc() == 2) {
        if (auto f = hashes.random_field(c.key(1))) c.out.bulk(*f);
        else c.out.null();
        return;
    }
    auto count = parse_random_count(c, c.arg(2));
    if (!count) return;
    if (c.argc() > 4 || (c.argc() == 4 && !iequals(c.arg(3), "withvalues"))) {
        c.out.error(errors::syntax);
        return;
    }
    const bool withvalues = c.argc() == 4;
    if (withvalues && (*count < -LLONG_MAX / 2 || *count > LLONG_MAX / 2)) {
        c.out.error("ERR value is out of range");
        return;
    }
    // RESP2 flattens the pairs; RESP3 nests each [field, value].
    const bool nested = withvalues && c.out.resp3();
    const std::size_t per = withvalues && !nested ? 2 : 1;
    if (*count >= 0) {  // distinct fields, at most the hash's size
        if (withvalues) {
            const auto entries = hashes.random_entries(c.key(1), *count);
            c.out.array(entries.size() * per);
            for (const auto& [f, v] : entries) {
                if (nested) c.out.array(2);
                c.out.bulk(f);
                c.out.bulk(v);
            }
        } else {
            const auto fields = hashes.random_fields(c.key(1), *count);
            c.out.array(fields.size());
            for (const auto& f : fields) c.out.bulk(f);
        }
        return;
    }
    // A negative count: |count| picks that may repeat, written as they are drawn.
    const unsigned long long n = 0ULL - static_cast<unsigned long long>(*count);
    const auto limit = static_cast<std::size_t>(c.engine.limits().max_bulk_len);
    bool fits = true;
    const bool found = hashes.visit(c.key(1), [&](const RedisHash& h) {
        if (h.empty()) {
            c.out.array(0);
            return;
        }
        fits = write_repeated(
            c, n, limit, [&] { c.out.array(static_cast<std::size_t>(n * per)); },
            [&] {
                const auto [f, v] = h.random();
                if (nested) c.out.array(2);
                c.out.bulk(*f);
                if (withvalues) c.out.bulk(*v);
            });
    });
    if (!found) c.out.array(0);
    else if (!fits) c.out.error("ERR out of memory");
}

template <Clock C>
void hscan(Ctx<C>& c) {
    auto cursor = parse_element_cursor(c.arg(2));
    if (!cursor) {
        c.out.error("ERR invalid cursor");
        return;
    }
    const auto& database = c.engine.database();
    const bool found = c.db().hashes().visit(c.key(1), [&](const RedisHash& h) {
        // As Redis: the options are parsed once the key is known to be a hash.
        ElementScanOptions o;
        if (!parse_element_scan_options(c, o)) return;
        std::vector<std::pair<const std::string*, const std::string*>> hits;
        const bool small = database.listpack_hash(h);
        std::uint64_t next = 0;
        auto take = [&](const std::string& f, const std::string& v) {
            if (scan_matches(o, f)) hits.emplace_back(&f, &v);
        };
        if (small) h.for_each(take);  // a listpack in Redis: whole, cursor 0
        else next = scan_steps(h, *cursor, o.count, take);
        c.out.array(2);
        c.out.bulk_integer(static_cast<long long>(next));  // addReplyBulkLongLong, as Redis
        c.out.array(hits.size() * 2);
        for (const auto& [f, v] : hits) {
            c.out.bulk(*f);
            c.out.bulk(*v);
        }
    });
    if (!found) {
        c.out.array(2);
        c.out.bulk("0");
        c.out.array(0);
    }
}

}  // namespace cmd

template <Clock C>
void register_hash_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::uint32_t w = cmd_write | cmd_denyoom | cmd_fast;
    const std::vector<std::string> wf = {"write", "hash", "fast"}, rf = {"read", "hash", "fast"},
                                   rs = {"read", "hash", "slow"};
    add_command<C>(t, "hset", -4, w, 1, 1, 1, &hset<C, false>, "hash", "Set the string value of a hash field", "2.0.0", wf);
    add_command<C>(t, "hsetnx", 4, w, 1, 1, 1, &hsetnx<C>, "hash", "Set the value of a hash field, only if the field does not exist", "2.0.0", wf);
    add_command<C>(t, "hget", 3, cmd_readonly | cmd_fast, 1, 1, 1, &hget<C>, "hash", "Get the value of a hash field", "2.0.0", rf);
    add_command<C>(t, "hmget", -3, cmd_readonly | cmd_fast, 1, 1, 1, &hmget<C>, "hash", "Get the values of all the given hash fields", "2.0.0", rf);
    add_command<C>(t, "hmset", -4, w, 1, 1, 1, &hset<C, true>, "hash", "Set multiple hash fields to multiple values", "2.0.0", wf);
    add_command<C>(t, "hgetall", 2, cmd_readonly, 1, 1, 1, &hgetall<C, true, true>, "hash", "Get all the fields and values in a hash", "2.0.0", rs);
    add_command<C>(t, "hdel", -3, cmd_write | cmd_fast, 1, 1, 1, &hdel<C>, "hash", "Delete one or more hash fields", "2.0.0", wf);
    add_command<C>(t, "hexists", 3, cmd_readonly | cmd_fast, 1, 1, 1, &hexists<C>, "hash", "Determine if a hash field exists", "2.0.0", rf);
    add_command<C>(t, "hlen", 2, cmd_readonly | cmd_fast, 1, 1, 1, &hlen<C>, "hash", "Get the number of fields in a hash", "2.0.0", rf);
    add_command<C>(t, "hkeys", 2, cmd_readonly, 1, 1, 1, &hgetall<C, true, false>, "hash", "Get all the fields in a hash", "2.0.0", rs);
    add_command<C>(t, "hvals", 2, cmd_readonly, 1, 1, 1, &hgetall<C, false, true>, "hash", "Get all the values in a hash", "2.0.0", rs);
    add_command<C>(t, "hincrby", 4, w, 1, 1, 1, &hincrby<C>, "hash", "Increment the integer value of a hash field by the given number", "2.0.0", wf);
    add_command<C>(t, "hincrbyfloat", 4, w, 1, 1, 1, &hincrbyfloat<C>, "hash", "Increment the float value of a hash field by the given amount", "2.6.0", wf);
    add_command<C>(t, "hstrlen", 3, cmd_readonly | cmd_fast, 1, 1, 1, &hstrlen<C>, "hash", "Get the length of the value of a hash field", "3.2.0", rf);
    add_command<C>(t, "hrandfield", -2, cmd_readonly, 1, 1, 1, &hrandfield<C>, "hash", "Get one or multiple random fields from a hash", "6.2.0", rs);
    add_command<C>(t, "hscan", -3, cmd_readonly, 1, 1, 1, &hscan<C>, "hash", "Incrementally iterate hash fields and associated values", "2.8.0", rs);
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_HASHES_HPP
