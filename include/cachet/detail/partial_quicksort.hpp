#ifndef CACHET_DETAIL_PARTIAL_QUICKSORT_HPP
#define CACHET_DETAIL_PARTIAL_QUICKSORT_HPP

/// The partial quicksort Redis uses when only a window of a sorted result is wanted (GEOSEARCH
/// ... COUNT, SORT ... LIMIT): Bentley and McIlroy's quicksort ("Engineering a Sort Function",
/// Software: Practice and Experience, 1993: ninther pivot above 40 elements, median of three
/// above 7, insertion sort below 7, three-way partitioning that gathers the pivot's equals at
/// both ends and swaps them into the middle), which recurses only into the partitions that
/// overlap the wanted window. Positions [lo, hi] end up holding what a full sort puts there;
/// the rest is partly sorted. It is not stable: elements that compare equal end up in the
/// order this exact sequence of swaps leaves them, which is what a client of Redis sees, so a
/// reply that depends on it (two members at the same distance, two SORT weights that are
/// equal) is Redis's only if the algorithm is followed step by step, as here.

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <cstddef>
#include <utility>

CACHET_NAMESPACE_BEGIN
namespace detail {

namespace pqs {

/// The median of a[i], a[j], a[k] by `cmp` (a three-way comparison), as the algorithm picks it.
template <class T, class Cmp>
std::size_t median3(T* a, std::size_t i, std::size_t j, std::size_t k, Cmp& cmp) {
    if (cmp(a[i], a[j]) < 0) {
        if (cmp(a[j], a[k]) < 0) return j;
        return cmp(a[i], a[k]) < 0 ? k : i;
    }
    if (cmp(a[j], a[k]) > 0) return j;
    return cmp(a[i], a[k]) < 0 ? i : k;
}

/// Swaps the `n` elements from a[i] with those from a[j], pairwise in order.
template <class T>
void swap_blocks(T* a, std::size_t i, std::size_t j, std::size_t n) {
    for (std::size_t x = 0; x < n; ++x) std::swap(a[i + x], a[j + x]);
}

/// Sorts a[0, n) as far as the window [lo, hi] (indices from `base`) needs.
template <class T, class Cmp>
void sort(T* base, T* a, std::size_t n, Cmp& cmp, std::size_t lo, std::size_t hi) {
    // Does a[0, k) share a position with the window?
    auto wanted = [&](const T* part, std::size_t k) {
        const auto start = static_cast<std::size_t>(part - base);
        return !(hi < start || lo >= start + k);
    };
    for (;;) {
        if (n < 7) {  // insertion sort
            for (std::size_t m = 1; m < n; ++m)
                for (std::size_t l = m; l > 0 && cmp(a[l - 1], a[l]) > 0; --l) std::swap(a[l], a[l - 1]);
            return;
        }
        std::size_t pm = n / 2;
        if (n > 7) {
            std::size_t pl = 0, pn = n - 1;
            if (n > 40) {  // the ninther: medians of three spread samples
                const std::size_t d = n / 8;
                pl = median3(a, pl, pl + d, pl + 2 * d, cmp);
                pm = median3(a, pm - d, pm, pm + d, cmp);
                pn = median3(a, pn - 2 * d, pn - d, pn, cmp);
            }
            pm = median3(a, pl, pm, pn, cmp);
        }
        std::swap(a[0], a[pm]);  // the pivot, at a[0]
        // Invariant: a[1, pa) == pivot, a[pa, pb) < pivot, a(pc, pd] > pivot, a(pd, n) == pivot.
        std::size_t pa = 1, pb = 1, pc = n - 1, pd = n - 1;
        for (;;) {
            int r;
            while (pb <= pc && (r = cmp(a[pb], a[0])) <= 0) {
                if (r == 0) std::swap(a[pa++], a[pb]);
                ++pb;
            }
            while (pb <= pc && (r = cmp(a[pc], a[0])) >= 0) {
                if (r == 0) std::swap(a[pc], a[pd--]);
                --pc;
            }
            if (pb > pc) break;
            std::swap(a[pb++], a[pc--]);
        }
        // The equals from both ends into the middle.
        std::size_t r = std::min(pa, pb - pa);
        swap_blocks(a, 0, pb - r, r);
        r = std::min(pd - pc, n - pd - 1);
        swap_blocks(a, pb, n - r, r);
        if ((r = pb - pa) > 1 && wanted(a, r)) sort(base, a, r, cmp, lo, hi);  // the smaller ones
        if ((r = pd - pc) > 1) {  // the larger ones, iterating
            a += n - r;
            n = r;
            if (wanted(a, n)) continue;
        }
        return;
    }
}

}  // namespace pqs

/// Sorts `v` (random access, contiguous) by the three-way comparison `cmp(a, b)` (< 0, 0,
/// > 0) so that positions [lo, hi] hold what a full sort would put there, exactly as Redis's
/// pqsort does (see above). Precondition: lo <= hi < v.size().
template <class Vec, class Cmp>
void partial_quicksort(Vec& v, Cmp cmp, std::size_t lo, std::size_t hi) {
    if (v.empty()) return;
    pqs::sort(v.data(), v.data(), v.size(), cmp, lo, hi);
}

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_PARTIAL_QUICKSORT_HPP
