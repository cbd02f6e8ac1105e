#ifndef CACHET_RESP_LATENCY_HISTOGRAM_HPP
#define CACHET_RESP_LATENCY_HISTOGRAM_HPP

/// Per-command latency histograms for LATENCY HISTOGRAM and INFO latencystats, as Redis 7 keeps
/// them: an HDR histogram (Gil Tene's HdrHistogram, the C port Redis vendors) of each command's
/// run time in nanoseconds, from 1 ns to 1 s with 2 significant digits. The layout and the
/// arithmetic are hdr_histogram's for those parameters (256 sub-buckets, of which the upper 128
/// repeat per power of two; 23 buckets; 3,072 counters), so the figures reported, bucket bounds
/// and percentiles alike, are the values Redis reports for the same recorded durations:
///   - LATENCY HISTOGRAM's `histogram_usec` (Redis's `hdr_iter_log_init(.., 1024, 2)`): for each
///     power of two L from 1,024 ns, `highest_equivalent(L) / 1000` in microseconds and the
///     number of durations up to it, for each L where that number grew;
///   - INFO latencystats' percentiles (`hdr_value_at_percentile`): the highest equivalent value
///     of the duration at that rank, in microseconds with three decimals.
/// Redis records whole microseconds (`duration * 1000`), clamped to [1 ns, 1 s]; so does
/// `record_ns`.
///
/// `LatencyCounts` is one thread's histogram of one command: only its thread writes it (a plain
/// load and store per count, like the commandstats counters), readers sum the threads'.

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace resp {
namespace hdr {

inline constexpr std::int64_t lowest_trackable = 1;            ///< ns (Redis: LATENCY_HISTOGRAM_MIN_VALUE)
inline constexpr std::int64_t highest_trackable = 1000000000;  ///< ns (LATENCY_HISTOGRAM_MAX_VALUE)
inline constexpr int sub_bucket_half_count_magnitude = 7;     ///< 2 significant digits: 200 -> 2^8
inline constexpr std::int64_t sub_bucket_count = std::int64_t{1} << (sub_bucket_half_count_magnitude + 1);
inline constexpr std::int64_t sub_bucket_half_count = sub_bucket_count / 2;
inline constexpr std::int64_t sub_bucket_mask = sub_bucket_count - 1;  ///< unit magnitude 0
inline constexpr int bucket_count = 23;  ///< 256 << 22 = 2^30 > 10^9
inline constexpr std::size_t counts_len = static_cast<std::size_t>((bucket_count + 1) * sub_bucket_half_count);

[[nodiscard]] constexpr int bucket_index(std::int64_t v) noexcept {
    return 64 - std::countl_zero(static_cast<std::uint64_t>(v | sub_bucket_mask)) -
           (sub_bucket_half_count_magnitude + 1);
}
[[nodiscard]] constexpr std::int64_t sub_bucket_index(std::int64_t v, int bucket) noexcept {
    return v >> bucket;
}
/// The counter that `v` (in [0, highest_trackable]) is counted in.
[[nodiscard]] constexpr std::size_t index_of(std::int64_t v) noexcept {
    const int b = bucket_index(v);
    return static_cast<std::size_t>(((std::int64_t{b} + 1) << sub_bucket_half_count_magnitude) +
                                    (sub_bucket_index(v, b) - sub_bucket_half_count));
}
/// The lowest value counted in counter `i` (hdr_value_at_index).
[[nodiscard]] constexpr std::int64_t value_at_index(std::size_t i) noexcept {
    int b = static_cast<int>(i >> sub_bucket_half_count_magnitude) - 1;
    std::int64_t sub = static_cast<std::int64_t>(i & (sub_bucket_half_count - 1)) + sub_bucket_half_count;
    if (b < 0) {
        sub -= sub_bucket_half_count;
        b = 0;
    }
    return sub << b;
}
[[nodiscard]] constexpr std::int64_t lowest_equivalent(std::int64_t v) noexcept {
    const int b = bucket_index(v);
    return sub_bucket_index(v, b) << b;
}
[[nodiscard]] constexpr std::int64_t highest_equivalent(std::int64_t v) noexcept {
    const int b = bucket_index(v);
    const std::int64_t sub = sub_bucket_index(v, b);
    const int adjusted = sub >= sub_bucket_count ? b + 1 : b;
    return (sub << b) + (std::int64_t{1} << adjusted) - 1;
}
static_assert(highest_equivalent(6000) == 6015 && highest_equivalent(32768) == 33023);
static_assert(index_of(highest_trackable) < counts_len && value_at_index(index_of(6000)) == 5984);

/// Redis's LATENCY HISTOGRAM buckets of `counts` (summed over threads; `total` their sum):
/// (bucket bound in us, durations up to it) for each power of two from 1,024 ns where the
/// count grew, the last holding `total`.
[[nodiscard]] inline std::vector<std::pair<std::int64_t, std::uint64_t>> log_buckets(
    const std::vector<std::uint64_t>& counts, std::uint64_t total) {
    std::vector<std::pair<std::int64_t, std::uint64_t>> out;
    std::uint64_t cumulative = 0, previous = 0;
    std::size_t i = 0;
    for (std::int64_t level = 1024; total != 0 && previous < total; level *= 2) {
        const std::int64_t lowest = lowest_equivalent(level);
        for (; i < counts.size() && value_at_index(i) <= lowest; ++i) cumulative += counts[i];
        if (cumulative > previous) out.emplace_back(highest_equivalent(level) / 1000, cumulative);
        previous = cumulative;
        if (i >= counts.size()) break;
    }
    return out;
}

/// hdr_value_at_percentile: the highest value equivalent to the one at rank `percentile`
/// (0 to 100) of `total` recorded values, in ns.
[[nodiscard]] inline std::int64_t value_at_percentile(const std::vector<std::uint64_t>& counts,
                                                      std::uint64_t total, double percentile) {
    const double p = std::min(percentile, 100.0);
    const auto wanted = std::max<std::int64_t>(
        1, static_cast<std::int64_t>((p / 100.0) * static_cast<double>(total) + 0.5));
    std::int64_t running = 0, value = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        running += static_cast<std::int64_t>(counts[i]);
        if (running >= wanted) {
            value = value_at_index(i);
            break;
        }
    }
    return percentile == 0.0 ? lowest_equivalent(value) : highest_equivalent(value);
}

}  // namespace hdr

/// One thread's latency histogram of one command (see the file comment).
struct LatencyCounts {
    std::atomic<std::uint64_t> counts[hdr::counts_len] = {};
    std::atomic<std::uint64_t> total{0};

    /// Records a run of `ns` nanoseconds as Redis does: whole microseconds, clamped to
    /// [1 ns, 1 s]. Only the owning thread calls it.
    void record_ns(std::uint64_t ns) noexcept {
        auto v = static_cast<std::int64_t>(ns / 1000 * 1000);
        v = std::clamp(v, hdr::lowest_trackable, hdr::highest_trackable);
        auto& c = counts[hdr::index_of(v)];
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        total.store(total.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    /// Adds this histogram's counts to `sum` (sized `hdr::counts_len`); returns its total.
    std::uint64_t add_to(std::vector<std::uint64_t>& sum) const noexcept {
        for (std::size_t i = 0; i < hdr::counts_len; ++i) sum[i] += counts[i].load(std::memory_order_relaxed);
        return total.load(std::memory_order_relaxed);
    }
};

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_LATENCY_HISTOGRAM_HPP
