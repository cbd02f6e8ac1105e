#ifndef CACHET_RESP_COMMANDS_HYPERLOGLOG_HPP
#define CACHET_RESP_COMMANDS_HYPERLOGLOG_HPP

/// PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST: Redis's HyperLogLog in a string value
/// (detail/hyperloglog.hpp): the same hash, registers, estimator and encodings, so the counts
/// and the bytes are Redis's. A HyperLogLog starts sparse (18 bytes) and turns dense (12,304)
/// when a register passes 32 or the sparse form would pass `hll-sparse-max-bytes`. A
/// one-key PFCOUNT stores the count it computed in the header, as Redis: that is a change of
/// the value's bytes, so it touches WATCH and reaches replicas (no keyspace event).

#include <cachet/detail/hyperloglog.hpp>
#include <cachet/resp/engine.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace cmd {

inline constexpr std::string_view err_not_hll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
inline constexpr std::string_view err_corrupt_hll = "INVALIDOBJ Corrupted HLL object detected";

namespace hll_detail {
/// Why a value could not be read as a HyperLogLog (WRONGTYPE of another type is thrown).
enum class Bad : unsigned char { none, not_hll, corrupt };

/// Merges string `s` into `regs` (register-wise max).
inline Bad merge_into(std::string_view s, cachet::detail::hll::Registers& regs) {
    if (!cachet::detail::hll::valid(s)) return Bad::not_hll;
    auto mine = std::make_unique<cachet::detail::hll::Registers>();
    if (!cachet::detail::hll::decode(s, *mine)) return Bad::corrupt;
    for (std::size_t i = 0; i < regs.size(); ++i) regs[i] = std::max(regs[i], (*mine)[i]);
    return Bad::none;
}

template <Clock C>
void reply_bad(Ctx<C>& c, Bad b) {
    c.out.error(b == Bad::not_hll ? err_not_hll : err_corrupt_hll);
}
/// The value of `slot` as a HyperLogLog for changing in place (unshared as raw, as Redis's
/// dbUnshareStringValue, which is no write): nullptr, with `bad` set, if it is a string that
/// is not one; WrongTypeError for another type.
template <class Slot>
std::string* writable(Slot& slot, Bad& bad) {
    const auto cur = slot.cvalue().string_if();
    if (!cur) throw WrongTypeError();
    if (!cachet::detail::hll::valid(*cur)) {
        bad = Bad::not_hll;
        return nullptr;
    }
    return &slot.value_quiet().mutable_string();
}
/// Creates `slot` as an empty sparse HyperLogLog (raw, as Redis's createHLLObject).
template <class Slot>
std::string& create(Slot& slot) {
    slot.emplace(cachet::detail::hll::make_sparse());
    return slot.value_quiet().mutable_string();
}
}  // namespace hll_detail

/// PFADD key [element ...]: 1 if a register changed (or the key was created), else 0. A dense
/// value is updated in place, O(1) per element; a sparse one in O(its size) per element.
template <Clock C>
void pfadd(Ctx<C>& c) {
    using namespace cachet::detail;
    hll_detail::Bad bad = hll_detail::Bad::none;
    const std::size_t max_bytes = c.engine.hll_sparse_max_bytes();
    const bool changed = c.db().update(c.arg(1), [&](auto& slot) {
        const bool created = !slot.exists();
        std::string* s = created ? &hll_detail::create(slot) : hll_detail::writable(slot, bad);
        if (!s) return false;
        bool updated = created;
        for (std::size_t i = 2; i < c.argc(); ++i) {
            const auto [index, run] = hll::pattern(c.arg(i));
            const int r = hll::set(*s, index, run, max_bytes);
            if (r < 0) {
                bad = hll_detail::Bad::corrupt;
                break;  // what the elements before changed stays, unannounced (as Redis)
            }
            updated = updated || r > 0;
        }
        if (updated) hll::invalidate_cache(*s);  // a new one's too, as Redis's
        if (updated && bad == hll_detail::Bad::none) slot.name_update("pfadd");
        else if (updated) (void)slot.value_unannounced();  // changed: re-weighed, not announced
        return updated && bad == hll_detail::Bad::none;
    });
    if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
    c.out.integer(changed ? 1 : 0);
}

/// PFCOUNT key [key ...]: the estimated cardinality of the union (0 for missing keys). One key:
/// its cached count if valid, else the count computed and stored in its header (Redis's
/// cache: a change, see the file comment).
template <Clock C>
void pfcount(Ctx<C>& c) {
    using namespace cachet::detail;
    hll_detail::Bad bad = hll_detail::Bad::none;
    if (c.argc() > 2) {
        auto regs = std::make_unique<hll::Registers>();  // zeroed
        for (std::size_t i = 1; i < c.argc() && bad == hll_detail::Bad::none; ++i)
            (void)c.db().read_string(c.arg(i), [&](std::string_view s) { return (bad = hll_detail::merge_into(s, *regs)), 0; });
        if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
        return c.out.integer(static_cast<long long>(hll::count(*regs)));
    }
    bool stored = false;
    const std::uint64_t card = c.db().update(c.arg(1), [&](auto& slot) -> std::uint64_t {
        slot.count_lookup();
        if (!slot.exists()) return 0;
        std::string* s = hll_detail::writable(slot, bad);
        if (!s) return 0;
        if (const auto cached = hll::cached(*s)) return *cached;
        auto regs = std::make_unique<hll::Registers>();
        if (!hll::decode(*s, *regs)) {
            bad = hll_detail::Bad::corrupt;
            return 0;
        }
        const std::uint64_t n = hll::count(*regs);
        hll::store_cache(*s, n);
        stored = true;
        return n;
    });
    if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
    if (stored) {
        c.engine.database().touch(static_cast<int>(c.session.db_index()), c.arg(1));
        c.session.propagate_as({std::string(c.arg(0)), std::string(c.arg(1))});
    }
    c.out.integer(static_cast<long long>(card));
}

/// PFMERGE destkey [sourcekey ...]: destkey becomes the union of itself and the sources; dense
/// if any of them is, else sparse (until a register makes it dense).
template <Clock C>
void pfmerge(Ctx<C>& c) {
    using namespace cachet::detail;
    auto regs = std::make_unique<hll::Registers>();  // zeroed
    hll_detail::Bad bad = hll_detail::Bad::none;
    bool use_dense = false;
    // Redis reads every key first, the destination included (a lookup each: hits, misses,
    // keymiss events, accesses), then writes the destination.
    for (std::size_t i = 1; i < c.argc() && bad == hll_detail::Bad::none; ++i) {
        bool wrong = false;
        c.db().lookup(c.arg(i), [&](const Value* v) {
            if (!v) return;
            const auto s = v->string_if();
            if (!s) {
                wrong = true;
            } else if ((bad = hll_detail::merge_into(*s, *regs)) == hll_detail::Bad::none) {
                use_dense = use_dense || static_cast<unsigned char>((*s)[4]) == hll::enc_dense;
            }
        });
        if (wrong) throw WrongTypeError();
    }
    if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
    const std::size_t max_bytes = c.engine.hll_sparse_max_bytes();
    c.db().update(c.arg(1), [&](auto& slot) {
        std::string* s = slot.exists() ? hll_detail::writable(slot, bad) : &hll_detail::create(slot);
        if (!s) return;  // (changed since it was read)
        if (use_dense && !hll::to_dense(*s)) {
            bad = hll_detail::Bad::corrupt;
            return;
        }
        for (std::size_t j = 0; j < regs->size(); ++j)
            if ((*regs)[j] != 0) (void)hll::set(*s, j, (*regs)[j], max_bytes);
        hll::invalidate_cache(*s);
        slot.name_update("pfadd");
    });
    if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
    c.out.simple("OK");
}

/// PFDEBUG <GETREG|DECODE|ENCODING|TODENSE> key: Redis's HyperLogLog debugging subcommands
/// (arity 3 exactly, as Redis's table has it).
/// GETREG (the 16,384 registers; a sparse value is made dense first) and TODENSE (1 if it
/// converted) change the encoding, which replicas follow; as Redis, that is neither a keyspace
/// event nor a touch of WATCH.
template <Clock C>
void pfdebug(Ctx<C>& c) {
    using namespace cachet::detail;
    const std::string_view sub = c.arg(1);
    hll_detail::Bad bad = hll_detail::Bad::none;
    std::optional<std::string> error;
    bool converted = false;
    auto regs = std::make_unique<hll::Registers>();
    std::string text;
    c.db().update(c.arg(2), [&](auto& slot) {
        if (!slot.exists()) {
            error = "ERR The specified key does not exist";
            return;
        }
        std::string* s = hll_detail::writable(slot, bad);
        if (!s) return;
        const bool sparse = static_cast<unsigned char>((*s)[4]) == hll::enc_sparse;
        if (iequals(sub, "getreg") || iequals(sub, "todense")) {
            if (sparse) {
                if (!hll::to_dense(*s)) {
                    bad = hll_detail::Bad::corrupt;
                    return;
                }
                converted = true;
                (void)slot.value_unannounced();  // re-weighed; Redis: dirty (replicated), no event
            }
            if (iequals(sub, "getreg")) (void)hll::decode(*s, *regs);
        } else if (iequals(sub, "decode")) {
            if (!sparse) error = "ERR HLL encoding is not sparse";
            else text = hll::describe_sparse(*s);
        } else if (iequals(sub, "encoding")) {
            text = sparse ? "sparse" : "dense";
        } else {
            error = "ERR Unknown PFDEBUG subcommand '" + std::string(sub) + "'";
        }
    });
    if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
    if (error) return c.out.error(*error);
    if (!converted) c.session.propagate_as({});  // nothing changed: nothing for replicas
    if (iequals(sub, "getreg")) {
        c.out.array(regs->size());
        for (std::uint8_t r : *regs) c.out.integer(r);
    } else if (iequals(sub, "todense")) {
        c.out.integer(converted ? 1 : 0);
    } else if (iequals(sub, "decode")) {
        c.out.bulk(text);
    } else {
        c.out.simple(text);
    }
}

/// PFSELFTEST: Redis's self-test of the HyperLogLog implementation: every register of the
/// dense packing round-trips random values; a dense and a sparse sketch fed the same 10 million
/// elements agree at every power of ten, stay sparse while small, and stay within six standard
/// errors of the true count. OK, or the TESTFAILED error naming what failed. Slow (seconds).
template <Clock C>
void pfselftest(Ctx<C>& c) {
    const std::string failed = cachet::detail::hll::self_test(c.engine.hll_sparse_max_bytes());
    if (failed.empty()) c.out.simple("OK");
    else c.out.error(failed);
}

}  // namespace cmd

template <Clock C>
void register_hyperloglog_commands(CommandTable<C>& t) {
    using namespace cmd;
    add_command<C>(t, "pfadd", -2, cmd_write | cmd_denyoom | cmd_fast, 1, 1, 1, &pfadd<C>, "hyperloglog", "Adds the specified elements to the specified HyperLogLog.", "2.8.9", {"write", "hyperloglog", "fast"});
    add_command<C>(t, "pfcount", -2, cmd_readonly, 1, -1, 1, &pfcount<C>, "hyperloglog", "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", "2.8.9", {"read", "hyperloglog", "slow"});
    add_command<C>(t, "pfmerge", -2, cmd_write | cmd_denyoom, 1, -1, 1, &pfmerge<C>, "hyperloglog", "Merge N different HyperLogLogs into a single one.", "2.8.9", {"write", "hyperloglog", "slow"});
    add_command<C>(t, "pfdebug", 3, cmd_write | cmd_denyoom | cmd_admin, 2, 2, 1, &pfdebug<C>, "hyperloglog", "Internal commands for debugging HyperLogLog values", "2.8.9", {"write", "hyperloglog", "admin", "slow", "dangerous"});
    add_command<C>(t, "pfselftest", 1, cmd_admin, 0, 0, 0, &pfselftest<C>, "hyperloglog", "An internal command for testing HyperLogLog values", "2.8.9", {"hyperloglog", "admin", "slow", "dangerous"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_HYPERLOGLOG_HPP
