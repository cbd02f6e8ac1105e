#ifndef CACHET_RESP_COMMANDS_SORT_HPP
#define CACHET_RESP_COMMANDS_SORT_HPP

/// SORT and SORT_RO (Redis's sort.c): the elements of a list, set or sorted set sorted as
/// numbers (or, with ALPHA, as strings), optionally by the values of other keys (BY pattern:
/// `weight_*`, or a hash field `weight_*->field`, `*` standing for the element), cut by LIMIT
/// offset count, mapped through other keys (GET pattern, `#` for the element itself), and
/// replied or (SORT ... STORE destination) stored as a list. The idiom of sets and hashes used
/// as indexes: `SORT user_ids BY user:*->age GET user:*->name`. Replies, error texts and the
/// order of the checks as redis-server 7.0.15's:
///   - the options are parsed first (syntax errors, LIMIT's integers, in cluster mode the
///     refusal of BY and GET patterns), then the key's type is checked (WRONGTYPE); a missing
///     key sorts as an empty list;
///   - a BY pattern without '*' (`BY nosort`) skips sorting: a list or a sorted set keeps its
///     order (reversed by DESC, LIMIT counted in it), a set its own, except with STORE, where
///     a set is sorted as strings anyway (so that a replica stores the same list);
///   - a number is what strtod reads from the whole string, else the reply is "One or more
///     scores can't be converted into double"; equal numbers order by the elements' bytes; an
///     element whose BY key is missing (or not a string, or a hash without the field) weighs 0,
///     or sorts first with ALPHA;
///   - ALPHA compares bytes up to the first NUL (strcoll in the C locale), all bytes with STORE;
///   - GET of a missing key, or of a key of another type, is nil (an empty string in STORE);
///   - STORE replaces the destination whatever it held, without a TTL, announced as
///     "sortstore"; an empty result deletes it; the reply is the stored list's length;
///   - a sorted set held as a listpack is a skiplist from then on (OBJECT ENCODING), as Redis
///     converts it for SORT and SORT_RO.
/// SORT runs with every other command held off (the transaction gate taken exclusively), as
/// Redis runs it: the keys BY and GET read are only known while it runs. Complexity: O(N + M
/// log M) for N elements and M sorted, plus a key lookup per element for BY and per returned
/// element and GET. Elements whose ALPHA BY values are equal keep their order in the key
/// (Redis's qsort does so), or with LIMIT end up as Redis's partial quicksort leaves them
/// (detail/partial_quicksort.hpp). Differences from Redis: the order of a set's members (BY
/// nosort, or the order ties keep) is cachet's (Redis's hashtable order is its own).

#include <cachet/detail/partial_quicksort.hpp>
#include <cachet/resp/commands/collections.hpp>
#include <cachet/resp/commands/sets.hpp>
#include <cachet/resp/commands/zsets.hpp>
#include <cachet/resp/engine.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {
namespace sorting {

/// Redis's lookupKeyByPattern: the value `pattern` names for `element` (`#`: the element;
/// `prefix*suffix`: that string key; `prefix*suffix->field`: that hash field), or nullopt when
/// there is none (no '*' in the pattern, no such key, or a key of another type). As in Redis,
/// '*' and "->" are searched for only up to a NUL byte in the pattern. A counted lookup.
template <Clock C>
std::optional<std::string> lookup(RedisDb<C>& db, std::string_view pattern, std::string_view element) {
    if (pattern == "#") return std::string(element);
    const std::string_view searched = pattern.substr(0, pattern.find('\0'));
    const std::size_t star = searched.find('*');
    if (star == std::string_view::npos) return std::nullopt;
    const std::size_t arrow = searched.find("->", star + 1);
    const bool hash_field = arrow != std::string_view::npos && arrow + 2 < searched.size();
    const std::size_t field_len = hash_field ? pattern.size() - arrow - 2 : 0;
    const std::size_t suffix_len = pattern.size() - star - 1 - (hash_field ? field_len + 2 : 0);
    std::string key;
    key.reserve(star + element.size() + suffix_len);
    key.append(pattern.substr(0, star)).append(element).append(pattern.substr(star + 1, suffix_len));
    std::optional<std::string> out;
    db.keyspace().read(std::string_view(key), [&](const auto&, const Value& v) {
        if (hash_field) {
            if (const RedisHash* h = v.get_if<RedisHash>())
                if (const std::string* s = h->find(pattern.substr(arrow + 2))) out = *s;
        } else if (const auto s = v.string_if()) {
            out = std::string(*s);
        }
    });
    return out;
}

/// Byte order, then length (Redis's compareStringObjects).
[[nodiscard]] inline int compare_bytes(std::string_view a, std::string_view b) noexcept {
    const int c = a.compare(b);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}
/// strcmp: up to the first NUL (strcoll in the C locale).
[[nodiscard]] inline int compare_c(const std::string& a, const std::string& b) noexcept {
    const int c = std::strcmp(a.c_str(), b.c_str());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/// One element of the sorting vector (Redis's redisSortObject).
struct Item {
    explicit Item(std::string e) : element(std::move(e)) {}
    std::string element;
    double score = 0;               ///< numeric sort: the weight
    std::optional<std::string> by;  ///< ALPHA with BY: the weight (nullopt: none)
};

/// SORT's options, as parsed.
struct Options {
    bool desc = false, alpha = false, dontsort = false;
    long long limit_start = 0, limit_count = -1;
    std::optional<std::string_view> by, store;
    std::vector<std::string_view> gets;
};

/// Parses argv[2...] as sortCommandGeneric does; writes the error and returns nullopt.
template <Clock C>
std::optional<Options> parse(Ctx<C>& c, bool readonly) {
    Options o;
    const bool cluster = c.engine.cluster() != nullptr;
    for (std::size_t j = 2; j < c.argc(); ++j) {
        const std::size_t left = c.argc() - j - 1;
        const std::string_view a = c.arg(j);
        if (iequals(a, "asc")) {
            o.desc = false;
        } else if (iequals(a, "desc")) {
            o.desc = true;
        } else if (iequals(a, "alpha")) {
            o.alpha = true;
        } else if (iequals(a, "limit") && left >= 2) {
            const auto start = to_ll(c.arg(j + 1));
            const auto count = start ? to_ll(c.arg(j + 2)) : std::nullopt;
            if (!count) {
                c.out.error(errors::not_integer);
                return std::nullopt;
            }
            o.limit_start = *start;
            o.limit_count = *count;
            j += 2;
        } else if (!readonly && iequals(a, "store") && left >= 1) {
            o.store = c.arg(++j);
        } else if (iequals(a, "by") && left >= 1) {
            o.by = c.arg(++j);
            // A BY pattern without '*' names no key: nothing to sort by (sticky, as in Redis).
            if (o.by->substr(0, o.by->find('\0')).find('*') == std::string_view::npos) {
                o.dontsort = true;
            } else if (cluster) {
                c.out.error("ERR BY option of SORT denied in Cluster mode.");
                return std::nullopt;
            }
        } else if (iequals(a, "get") && left >= 1) {
            if (cluster) {
                c.out.error("ERR GET option of SORT denied in Cluster mode.");
                return std::nullopt;
            }
            o.gets.push_back(c.arg(++j));
        } else {
            c.out.error(errors::syntax);
            return std::nullopt;
        }
    }
    return o;
}

/// The elements of the value at `key` in the order SORT starts from (a list's, a sorted set's
/// by score, a set's as SMEMBERS lists it), or nullopt after replying WRONGTYPE. A counted
/// lookup; a missing key has none.
template <Clock C>
std::optional<std::vector<std::string>> elements(Ctx<C>& c, ValueType& type) {
    std::vector<std::string> out;
    bool wrong = false;
    type = ValueType::list;  // a missing key sorts as an empty list
    c.db().keyspace().read(c.arg(1), [&](const auto&, const Value& v) {
        type = v.type();
        if (const RedisList* l = v.get_if<RedisList>()) {
            out.reserve(l->size());
            for (std::size_t i = 0; i < l->size(); ++i) out.push_back((*l)[i]);
        } else if (const RedisSet* s = v.get_if<RedisSet>()) {
            out.reserve(s->size());
            s->for_each([&](const std::string& m) { out.push_back(m); });
            intset_order(out, c.engine.database().set_intset_entries(),
                         [](const std::string& m) -> std::string_view { return m; });
        } else if (const RedisZSet* z = v.get_if<RedisZSet>()) {
            out.reserve(z->size());
            for (const auto& [member, score] : *z) out.push_back(member);
        } else {
            wrong = true;
        }
    });
    if (wrong) {
        c.out.error(errors::wrongtype);
        return std::nullopt;
    }
    return out;
}

/// Runs SORT / SORT_RO with the options parsed (the caller holds every other command off).
template <Clock C>
void run(Ctx<C>& c, Options o) {
    ValueType type{};
    auto all = elements(c, type);
    if (!all) return;
    if (type == ValueType::zset) {  // Redis converts a listpack sorted set for SORT, for good
        c.db().update(c.arg(1), [](auto& slot) {
            if (!slot.exists()) return;
            if (RedisZSet* z = slot.value_quiet().template get_if<RedisZSet>())  // not a write
                zsetcmd::set_encoding(*z, zsetcmd::ZEncoding::skiplist);
        });
    }
    if (o.dontsort && type == ValueType::set && o.store) {  // a replica must store the same list
        o.dontsort = false;
        o.alpha = true;
        o.by.reset();
    }
    // LIMIT, clamped to the elements as Redis 7 does (no overflow).
    const auto n = static_cast<long long>(all->size());
    long long start = std::min(std::max(o.limit_start, 0LL), n);
    const long long count = std::min(std::max(o.limit_count, -1LL), n);
    long long end = count < 0 ? n - 1 : start + count - 1;
    if (start >= n) {
        start = n - 1;
        end = n - 2;
    }
    if (end >= n) end = n - 1;

    std::vector<Item> items;
    if (o.dontsort && type != ValueType::set) {
        // A list or sorted set keeps its order: just the range, from the far end with DESC.
        for (long long i = 0; i < end - start + 1; ++i)
            items.emplace_back(std::move((*all)[static_cast<std::size_t>(o.desc ? n - 1 - start - i : start + i)]));
        end -= start;
        start = 0;
    } else {
        items.reserve(all->size());
        for (auto& e : *all) items.emplace_back(std::move(e));
    }

    RedisDb<C>& db = c.db();
    bool not_double = false;
    if (!o.dontsort) {
        for (Item& it : items) {
            std::optional<std::string> weight;
            if (o.by) {
                weight = lookup(db, *o.by, it.element);
                if (!weight) continue;  // weighs 0, or sorts first with ALPHA
            }
            if (o.alpha) {
                if (o.by) it.by = std::move(weight);
                continue;
            }
            const std::string& w = o.by ? *weight : it.element;
            char* parsed_end = nullptr;
            errno = 0;
            it.score = std::strtod(w.c_str(), &parsed_end);
            if (*parsed_end != '\0' || errno == ERANGE || std::isnan(it.score)) not_double = true;
        }
        if (!not_double) {
            const bool by = o.by.has_value(), store = o.store.has_value();
            auto compare = [&](const Item& a, const Item& b) {
                if (!o.alpha) {
                    if (a.score != b.score) return a.score > b.score ? 1 : -1;
                    return compare_bytes(a.element, b.element);
                }
                if (by) {
                    if (!a.by || !b.by) return a.by == b.by ? 0 : !a.by ? -1 : 1;
                    return store ? compare_bytes(*a.by, *b.by) : compare_c(*a.by, *b.by);
                }
                return store ? compare_bytes(a.element, b.element) : compare_c(a.element, b.element);
            };
            auto ordered = [&](const Item& a, const Item& b) {
                const int r = compare(a, b);
                return o.desc ? -r : r;
            };
            // Redis sorts only as far as LIMIT needs with BY (its partial quicksort, which
            // orders equal weights its own way), else all (glibc's qsort: stable).
            if (by && (start != 0 || end != static_cast<long long>(items.size()) - 1))
                cachet::detail::partial_quicksort(items, ordered, static_cast<std::size_t>(start),
                                                  static_cast<std::size_t>(end));
            else
                std::stable_sort(items.begin(), items.end(),
                                 [&](const Item& a, const Item& b) { return ordered(a, b) < 0; });
        }
    }
    if (not_double) {
        c.out.error("ERR One or more scores can't be converted into double");
        return;
    }

    const auto picked = static_cast<std::size_t>(end - start + 1);
    const std::size_t output = o.gets.empty() ? picked : o.gets.size() * picked;
    if (!o.store) {
        c.session.propagate_as({});  // nothing changed: not fed to replicas
        c.out.array(output);
        for (long long j = start; j <= end; ++j) {
            const std::string& e = items[static_cast<std::size_t>(j)].element;
            if (o.gets.empty()) c.out.bulk(e);
            for (std::string_view g : o.gets) {
                if (auto v = lookup(db, g, e)) c.out.bulk(*v);
                else c.out.null();
            }
        }
        return;
    }
    RedisList result;
    for (long long j = start; j <= end; ++j) {
        std::string& e = items[static_cast<std::size_t>(j)].element;
        if (o.gets.empty()) result.push_back(std::move(e));
        for (std::string_view g : o.gets) result.push_back(lookup(db, g, e).value_or(std::string()));
    }
    db.lists().backend().write(std::string(*o.store),
                               [&](auto& ref) { return ref.store(std::move(result), "sortstore"); });
    c.out.integer(static_cast<long long>(output));
}

}  // namespace sorting

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]
/// [STORE destination], and SORT_RO (the same without STORE).
template <Clock C, bool ReadOnly>
void sort(Ctx<C>& c) {
    auto options = sorting::parse(c, ReadOnly);
    if (!options) return;
    c.engine.database().exclusive([&] { sorting::run(c, std::move(*options)); });
}

}  // namespace cmd

template <Clock C>
void register_sort_commands(CommandTable<C>& t) {
    using namespace cmd;
    const std::vector<std::string> acl = {"set", "sortedset", "list", "slow", "dangerous"};
    std::vector<std::string> w = {"write"}, r = {"read"};
    w.insert(w.end(), acl.begin(), acl.end());
    r.insert(r.end(), acl.begin(), acl.end());
    add_command<C>(t, "sort", -2, cmd_write | cmd_denyoom | cmd_takes_gate, 1, 1, 1,
                   &sort<C, false>, "generic", "Sort the elements in a list, set or sorted set", "1.0.0", w);
    add_command<C>(t, "sort_ro", -2, cmd_readonly | cmd_takes_gate, 1, 1, 1, &sort<C, true>,
                   "generic", "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
                   "7.0.0", r);
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_SORT_HPP
