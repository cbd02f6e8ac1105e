#ifndef CACHET_RESP_COMMANDS_HYPERLOGLOG_HPP
#define CACHET_RESP_COMMANDS_HYPERLOGLOG_HPP

/// PFADD, PFCOUNT, PFMERGE: Redis's HyperLogLog in a string value (detail/hyperloglog.hpp):
/// the same hash, registers and estimator, so the counts are Redis's. Differences: cachet writes
/// the dense encoding only (Redis starts sparse, so GET and STRLEN of a small one differ) and
/// PFCOUNT never writes its result back into the header's cache (it reads a valid one).

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
}  // namespace hll_detail

/// PFADD key [element ...]: 1 if a register changed (or the key was created), else 0. A dense
/// value is updated in place, O(1) per element; a sparse one (written by Redis) is read whole
/// and rewritten dense once, only if an element changes it.
template <Clock C>
void pfadd(Ctx<C>& c) {
    using namespace cachet::detail;
    hll_detail::Bad bad = hll_detail::Bad::none;
    const bool changed = c.db().update(c.arg(1), [&](auto& slot) {
        const bool created = !slot.exists();
        if (created) slot.emplace(hll::make_dense());
        std::optional<std::string_view> cur = slot.cvalue().string_if();
        if (!cur) throw WrongTypeError();
        if (!hll::valid(*cur)) {
            bad = hll_detail::Bad::not_hll;
            return false;
        }
        bool updated = false;
        if (static_cast<unsigned char>((*cur)[4]) == hll::enc_dense) {
            std::string* s = nullptr;  // taken (marking the value changed) at the first change
            for (std::size_t i = 2; i < c.argc(); ++i) {
                const auto [index, run] = hll::pattern(c.arg(i));
                if (hll::dense_get(*cur, index) >= run) continue;
                if (!s) {
                    s = &slot.value().mutable_string();
                    cur = *s;  // (a valid HLL is never inline, so the bytes did not move)
                }
                hll::dense_set(*s, index, run);
                updated = true;
            }
            if (updated) hll::invalidate_cache(*s);
        } else {
            auto regs = std::make_unique<hll::Registers>();  // zeroed
            if ((bad = hll_detail::merge_into(*cur, *regs)) != hll_detail::Bad::none) return false;
            for (std::size_t i = 2; i < c.argc(); ++i) {
                const auto [index, run] = hll::pattern(c.arg(i));
                if ((*regs)[index] >= run) continue;
                (*regs)[index] = static_cast<std::uint8_t>(run);
                updated = true;
            }
            if (updated) hll::encode_dense(slot.value().mutable_string(), *regs);
        }
        if (created || updated) slot.name_update("pfadd");
        return created || updated;
    });
    if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
    c.out.integer(changed ? 1 : 0);
}

/// PFCOUNT key [key ...]: the estimated cardinality of the union (0 for missing keys).
template <Clock C>
void pfcount(Ctx<C>& c) {
    using namespace cachet::detail;
    auto regs = std::make_unique<hll::Registers>();  // zeroed
    hll_detail::Bad bad = hll_detail::Bad::none;
    std::optional<std::uint64_t> single;  // one key with a valid cached count
    for (std::size_t i = 1; i < c.argc() && bad == hll_detail::Bad::none; ++i) {
        (void)c.db().read_string(c.arg(i), [&](std::string_view s) {
            // One key: a valid cached count is the answer, as Redis reads it (unchecked).
            if (c.argc() == 2 && hll::valid(s) && (single = hll::cached(s))) return 0;
            bad = hll_detail::merge_into(s, *regs);
            return 0;
        });
    }
    if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
    c.out.integer(static_cast<long long>(single ? *single : hll::count(*regs)));
}

/// PFMERGE destkey [sourcekey ...]: destkey becomes the union of itself and the sources.
template <Clock C>
void pfmerge(Ctx<C>& c) {
    using namespace cachet::detail;
    auto regs = std::make_unique<hll::Registers>();  // zeroed
    hll_detail::Bad bad = hll_detail::Bad::none;
    // Redis reads every key first, the destination included (a lookup each: hits, misses,
    // keymiss events), then writes the destination.
    for (std::size_t i = 1; i < c.argc() && bad == hll_detail::Bad::none; ++i) {
        bool wrong = false;
        const bool found = c.db().peek(c.arg(i), [&](const Value* v) {
            if (!v) return false;
            const auto s = v->string_if();
            if (!s) wrong = true;
            else if (i > 1) bad = hll_detail::merge_into(*s, *regs);  // the destination: below
            return true;
        });
        c.db().count_lookup(c.arg(i), found);
        if (wrong) throw WrongTypeError();
    }
    if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
    c.db().update(c.arg(1), [&](auto& slot) {
        if (slot.exists()) {
            const auto cur = slot.cvalue().string_if();
            if (!cur) throw WrongTypeError();
            if ((bad = hll_detail::merge_into(*cur, *regs)) != hll_detail::Bad::none) return;
            hll::encode_dense(slot.value().mutable_string(), *regs);
        } else {
            std::string s = hll::make_dense();
            hll::encode_dense(s, *regs);
            slot.emplace(std::move(s));
        }
        slot.name_update("pfadd");
    });
    if (bad != hll_detail::Bad::none) return hll_detail::reply_bad(c, bad);
    c.out.simple("OK");
}

}  // namespace cmd

template <Clock C>
void register_hyperloglog_commands(CommandTable<C>& t) {
    using namespace cmd;
    add_command<C>(t, "pfadd", -2, cmd_write | cmd_denyoom | cmd_fast, 1, 1, 1, &pfadd<C>, "hyperloglog", "Adds the specified elements to the specified HyperLogLog.", "2.8.9", {"write", "hyperloglog", "fast"});
    add_command<C>(t, "pfcount", -2, cmd_readonly, 1, -1, 1, &pfcount<C>, "hyperloglog", "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", "2.8.9", {"read", "hyperloglog", "slow"});
    add_command<C>(t, "pfmerge", -2, cmd_write | cmd_denyoom, 1, -1, 1, &pfmerge<C>, "hyperloglog", "Merge N different HyperLogLogs into a single one.", "2.8.9", {"write", "hyperloglog", "slow"});
}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_HYPERLOGLOG_HPP
