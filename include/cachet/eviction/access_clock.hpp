#ifndef CACHET_EVICTION_ACCESS_CLOCK_HPP
#define CACHET_EVICTION_ACCESS_CLOCK_HPP

/// Per-entry access records, for reporting: when an entry was last used (Redis's OBJECT
/// IDLETIME) or a logarithmic counter of how often (Redis's OBJECT FREQ under an LFU policy).
/// Both live in one 32-bit word of the entry's `PolicyHook`, in what was its padding, so they
/// cost no memory; they are kept only when the store turns them on
/// (`Keyspace::set_access_tracking`), and they do not steer eviction (the store's policy does).
///
/// The word holds, as in Redis's 24-bit `lru` field (with more room):
///  - `AccessTracking::last_access`: the second of the store's clock the entry was last
///    accessed at (modulo 2^32: idle times up to 136 years are exact).
///  - `AccessTracking::frequency`: the minute of the last access (16 bits, as Redis's
///    `LFUGetTimeInMinutes`) and an 8-bit logarithmic counter, which a new entry starts at 5
///    and an access raises with probability 1 / ((counter - 5) * log_factor + 1), and which
///    loses 1 per `decay_minutes` minutes without access (Redis's `LFULogIncr` and
///    `LFUDecrAndReturn`, with `lfu-log-factor` and `lfu-decay-time`).
///
/// Switching modes reinterprets the words already stored (as Redis does when the policy
/// changes: "LRU and LFU data will take some time to adjust"). Threads: readers holding a
/// shard's shared lock may record accesses to one entry at once; the word is a relaxed atomic
/// and a concurrent counter step may be lost (the counter is an estimate either way).

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>

CACHET_NAMESPACE_BEGIN

/// What a store records of each entry's accesses (see access_clock.hpp).
enum class AccessTracking : std::uint8_t {
    none,         ///< nothing (the default of the typed stores)
    last_access,  ///< the time of the last access: idle time
    frequency,    ///< a decaying logarithmic access counter, as Redis's LFU
};

/// An entry's access record as read at one instant (`Keyspace::for_each`): the time since its
/// last access in ms, in whole seconds (meaningful under `AccessTracking::last_access`), and its
/// LFU counter decayed to that instant (under `AccessTracking::frequency`).
struct AccessSnapshot {
    std::uint64_t idle_ms = 0;
    unsigned frequency = 0;
};

namespace detail {

/// The mode and its parameters, shared by a store's shards; every field is a relaxed atomic,
/// so it can change while the store is in use.
class AccessClock {
public:
    static constexpr unsigned initial_count = 5;  ///< Redis's LFU_INIT_VAL

    [[nodiscard]] AccessTracking mode() const noexcept {
        return m_mode.load(std::memory_order_relaxed);
    }
    void set(AccessTracking mode, unsigned log_factor, unsigned decay_minutes) noexcept {
        m_log_factor.store(log_factor, std::memory_order_relaxed);
        m_decay.store(decay_minutes, std::memory_order_relaxed);
        m_mode.store(mode, std::memory_order_relaxed);
    }

    /// The word of an entry created at `now_ms` (mode not `none`).
    [[nodiscard]] std::uint32_t fresh(std::uint64_t now_ms) const noexcept {
        if (mode() == AccessTracking::frequency) return (minutes(now_ms) << 8) | initial_count;
        return seconds(now_ms);
    }
    /// Records an access at `now_ms` in `word` (mode not `none`). Stores only when the word
    /// changes: in `last_access` mode at most once a second per entry, so hits on a hot entry
    /// do not keep writing its cache line.
    void touch(std::atomic<std::uint32_t>& word, std::uint64_t now_ms) const noexcept {
        const std::uint32_t old = word.load(std::memory_order_relaxed);
        std::uint32_t next;
        if (mode() == AccessTracking::frequency) {
            next = (minutes(now_ms) << 8) | log_increment(decayed(old, now_ms));
        } else {
            next = seconds(now_ms);
        }
        if (next != old) word.store(next, std::memory_order_relaxed);
    }

    /// Milliseconds since the access `word` records, in whole seconds (`last_access` mode).
    [[nodiscard]] static std::uint64_t idle_ms(std::uint32_t word, std::uint64_t now_ms) noexcept {
        return std::uint64_t{static_cast<std::uint32_t>(seconds(now_ms) - word)} * 1000;
    }
    /// The counter `word` holds, less its decay up to `now_ms` (`frequency` mode).
    [[nodiscard]] unsigned count(std::uint32_t word, std::uint64_t now_ms) const noexcept {
        return decayed(word, now_ms);
    }
    /// Both readings of `word` at `now_ms`.
    [[nodiscard]] AccessSnapshot snapshot(std::uint32_t word, std::uint64_t now_ms) const noexcept {
        return {idle_ms(word, now_ms), count(word, now_ms)};
    }
    /// The word of an entry last accessed `idle_s` seconds before `now_ms` (`last_access`),
    /// or, in `frequency` mode, of one whose counter is `count` (at most 255) now.
    [[nodiscard]] static std::uint32_t with_idle(std::uint64_t idle_s, std::uint64_t now_ms) noexcept {
        idle_s = std::min<std::uint64_t>(idle_s, std::numeric_limits<std::uint32_t>::max());
        return seconds(now_ms) - static_cast<std::uint32_t>(idle_s);
    }
    [[nodiscard]] static std::uint32_t with_count(unsigned count, std::uint64_t now_ms) noexcept {
        return (minutes(now_ms) << 8) | std::min(count, 255u);
    }

private:
    static std::uint32_t seconds(std::uint64_t ms) noexcept {
        return static_cast<std::uint32_t>(ms / 1000);
    }
    static std::uint32_t minutes(std::uint64_t ms) noexcept {
        return static_cast<std::uint32_t>((ms / 60000) & 0xffff);
    }
    /// Redis's LFUDecrAndReturn: the counter less one per `decay` minutes since the word's
    /// minute (a 16-bit clock: an older minute is taken as wrapped).
    unsigned decayed(std::uint32_t word, std::uint64_t now_ms) const noexcept {
        const unsigned counter = word & 0xff;
        const unsigned decay = m_decay.load(std::memory_order_relaxed);
        if (decay == 0) return counter;
        const std::uint32_t then = word >> 8 & 0xffff, now = minutes(now_ms);
        const std::uint32_t elapsed = now >= then ? now - then : 65535 - then + now;
        const std::uint32_t periods = elapsed / decay;
        return periods >= counter ? 0 : counter - periods;
    }
    /// Redis's LFULogIncr: one more with probability 1 / ((counter - 5) * log_factor + 1).
    unsigned log_increment(unsigned counter) const noexcept {
        if (counter >= 255) return 255;
        const double base = counter > initial_count ? counter - initial_count : 0;
        const double p = 1.0 / (base * m_log_factor.load(std::memory_order_relaxed) + 1);
        return uniform() < p ? counter + 1 : counter;
    }
    /// A uniform double in [0, 1) from a per-thread generator (splitmix64).
    static double uniform() noexcept {
        thread_local std::uint64_t state = 0x9e3779b97f4a7c15ull ^
                                           reinterpret_cast<std::uintptr_t>(&state);
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        return static_cast<double>(z >> 11) * 0x1.0p-53;
    }

    std::atomic<AccessTracking> m_mode{AccessTracking::none};
    std::atomic<unsigned> m_log_factor{10};
    std::atomic<unsigned> m_decay{1};
};

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_EVICTION_ACCESS_CLOCK_HPP
