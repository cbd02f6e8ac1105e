#ifndef CACHET_SORTED_SET_HPP
#define CACHET_SORTED_SET_HPP

/// `SortedSet<Member, Score>`: Redis's sorted set (zset) as a C++ container, and
/// `ZSetStore<K, Member>`: one sorted set per key on the keyspace core.
///
/// Structure. Every member is one heap node, found through two structures: an order index,
/// `detail::RankTree` (detail/rank_tree.hpp), a B+tree of (score, node) entries whose inner nodes
/// count the entries under each child, so a member's rank and the member at a rank are found in
/// one O(log N) descent; and a chained hash index member -> node (`detail::ChainedIndex`,
/// Redis's dict), threaded through the same nodes, for O(1) score lookups, Redis's cursor scan
/// (ZSCAN) and fair random members (ZRANDMEMBER). The nodes are also linked in order, which is
/// what iterators and range walks follow. Redis orders its members with a skiplist (t_zset.c);
/// at 1M members a skiplist search follows ~27 links, each a cache miss, where the tree reads 4
/// or 5 nodes of 32 entries, each searched by bisecting contiguous scores (a member is read
/// only on a score tie). Dragonfly replaced Redis's skiplist with a B+tree for the same reason.
/// A member costs its node (the member, the score, the two order links, the chain link and
/// hash: 72 bytes with a std::string member), its entry in a tree leaf (16 bytes, leaves 50-100%
/// full), and its share of the index's bucket array (8 to 16 bytes); bench/sorted_set_bench.cpp
/// measures it against std::set + std::unordered_map.
///
/// Order: by score, then by member with `Compare` (for `std::string`, byte order, which is what
/// Redis's memcmp gives). Ranks are 0-based. Scores are never NaN.
///
/// Complexity (N = size(), M = elements returned or removed): add, remove, increment, rank,
/// score-range and lex-range starts, count, lex_count, nth: O(log N); score, contains, random
/// member: O(1) expected; ranges O(log N + M) (an offset is skipped in O(log N), not O(offset)
/// as in Redis); pops and range removals O(M log N); copy O(N).
/// Thread-safety: `SortedSet` is not thread-safe (a `std::` container); `ZSetStore` is.

#include <cachet/detail/config.hpp>
#include <cachet/detail/keyed_store.hpp>
#include <cachet/detail/rank_tree.hpp>
#include <cachet/detail/wait_registry.hpp>
#include <cachet/hash_table.hpp>
#include <cachet/keyspace.hpp>
#include <cachet/result.hpp>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN

// ------------------------------------------------------------------------------ vocabulary

/// ZADD's options. Combine with `|`. Redis rejects some combinations before adding anything
/// (`zadd_flags_error` gives its error text); `SortedSet::add` does not, and then behaves as
/// Redis's zsetAdd would: `nx | xx` never adds nor updates anything; `gt | lt` never updates
/// (but adds new members); `nx | gt` and `nx | lt` act as `nx`.
enum class ZAddFlags : std::uint8_t {
    none = 0,
    nx = 1,    ///< only add new members, never update existing ones
    xx = 2,    ///< only update existing members, never add
    gt = 4,    ///< update only if the new score is greater than the current one
    lt = 8,    ///< update only if the new score is less than the current one
    ch = 16,   ///< count changed members (score updated) as well as added ones
    incr = 32, ///< add the score to the current one (ZINCRBY); reply with the new score
};
[[nodiscard]] constexpr ZAddFlags operator|(ZAddFlags a, ZAddFlags b) noexcept {
    return static_cast<ZAddFlags>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
[[nodiscard]] constexpr ZAddFlags operator&(ZAddFlags a, ZAddFlags b) noexcept {
    return static_cast<ZAddFlags>(static_cast<std::uint8_t>(a) & static_cast<std::uint8_t>(b));
}
constexpr ZAddFlags& operator|=(ZAddFlags& a, ZAddFlags b) noexcept { return a = a | b; }
/// True if `flags` contains every bit of `f`.
[[nodiscard]] constexpr bool has(ZAddFlags flags, ZAddFlags f) noexcept {
    return (flags & f) == f && f != ZAddFlags::none;
}

/// Redis's checks of a ZADD option set with `pairs` score-member pairs, in Redis's order:
/// returns Redis's error text for the first rule broken, or an empty view if the set is valid.
/// (The RESP layer replies `ERR <text>`; `SortedSet::add` itself accepts every combination.)
[[nodiscard]] constexpr std::string_view zadd_flags_error(ZAddFlags f, std::size_t pairs) noexcept {
    const bool nx = has(f, ZAddFlags::nx), xx = has(f, ZAddFlags::xx);
    const bool gt = has(f, ZAddFlags::gt), lt = has(f, ZAddFlags::lt);
    if (nx && xx) return "XX and NX options at the same time are not compatible";
    if ((gt && nx) || (lt && nx) || (gt && lt))
        return "GT, LT, and/or NX options at the same time are not compatible";
    if (has(f, ZAddFlags::incr) && pairs > 1)
        return "INCR option supports a single increment-element pair";
    return {};
}

/// What ZADD replies.
template <class Score = double>
struct ZAddReply {
    /// Without `incr`: members added, plus members whose score changed when `ch` is set (ZADD's
    /// integer reply). With `incr`: 1 if the member was added (or changed, with `ch`), else 0.
    std::size_t count = 0;
    /// With `incr`: the member's new score, or empty when NX / XX / GT / LT prevented the
    /// increment (ZADD replies nil). Without `incr`: empty.
    std::optional<Score> score;
    friend bool operator==(const ZAddReply&, const ZAddReply&) = default;
};

/// How ZUNIONSTORE / ZINTERSTORE combine the (weighted) scores of a member found in several sets.
enum class ZAggregate : std::uint8_t { sum, min, max };

/// Which end a pop takes from.
enum class ZEnd : std::uint8_t { min, max };

/// Redis's error texts, for the RESP layer.
inline constexpr std::string_view score_range_error = "min or max is not a float";
inline constexpr std::string_view lex_range_error = "min or max not valid string range item";
inline constexpr std::string_view nan_score_error = "resulting score is not a number (NaN)";

namespace detail {
template <class Score>
[[nodiscard]] constexpr bool score_is_nan(Score s) noexcept {
    if constexpr (std::is_floating_point_v<Score>) return s != s;
    else return false;
}
template <class Score>
[[nodiscard]] constexpr Score score_plus_infinity() noexcept {
    if constexpr (std::numeric_limits<Score>::has_infinity) return std::numeric_limits<Score>::infinity();
    else return std::numeric_limits<Score>::max();
}
template <class Score>
[[nodiscard]] constexpr Score score_minus_infinity() noexcept {
    if constexpr (std::numeric_limits<Score>::has_infinity) return -std::numeric_limits<Score>::infinity();
    else return std::numeric_limits<Score>::lowest();
}
}  // namespace detail

/// One end of a score range: `value`, included unless `exclusive` (Redis's "(1.5").
template <class Score = double>
struct ScoreBound {
    Score value{};
    bool exclusive = false;
    friend bool operator==(const ScoreBound&, const ScoreBound&) = default;
};

/// A score range [min, max], each end inclusive or exclusive (Redis's zrangespec). -inf / +inf
/// are the infinities (for a Score without them, its lowest / greatest value).
template <class Score = double>
struct ScoreRange {
    ScoreBound<Score> min{detail::score_minus_infinity<Score>(), false};
    ScoreBound<Score> max{detail::score_plus_infinity<Score>(), false};

    /// [-inf, +inf]: every score.
    [[nodiscard]] static constexpr ScoreRange all() noexcept { return {}; }
    /// [lo, hi], both ends included.
    [[nodiscard]] static constexpr ScoreRange closed(Score lo, Score hi) noexcept {
        return {{lo, false}, {hi, false}};
    }
    /// True if `s` is at or past `min` (Redis's zslValueGteMin).
    [[nodiscard]] constexpr bool above_min(Score s) const noexcept {
        return min.exclusive ? s > min.value : s >= min.value;
    }
    /// True if `s` is at or before `max` (Redis's zslValueLteMax).
    [[nodiscard]] constexpr bool below_max(Score s) const noexcept {
        return max.exclusive ? s < max.value : s <= max.value;
    }
    [[nodiscard]] constexpr bool contains(Score s) const noexcept { return above_min(s) && below_max(s); }
    /// True if no score can be in the range (min > max, or min == max with an exclusive end).
    [[nodiscard]] constexpr bool empty() const noexcept {
        return min.value > max.value ||
               (min.value == max.value && (min.exclusive || max.exclusive));
    }
    friend bool operator==(const ScoreRange&, const ScoreRange&) = default;
};

/// One end of a lexicographic range (Redis's "[abc", "(abc", "-", "+").
template <class Member = std::string>
struct LexBound {
    enum class Kind : std::uint8_t {
        inclusive,       ///< "[value"
        exclusive,       ///< "(value"
        minus_infinity,  ///< "-": before every member
        plus_infinity,   ///< "+": after every member
    };
    Kind kind = Kind::minus_infinity;
    Member value{};  ///< meaningful for inclusive / exclusive

    [[nodiscard]] static LexBound inclusive(Member v) { return {Kind::inclusive, std::move(v)}; }
    [[nodiscard]] static LexBound exclusive(Member v) { return {Kind::exclusive, std::move(v)}; }
    [[nodiscard]] static LexBound minus_infinity() { return {Kind::minus_infinity, Member{}}; }
    [[nodiscard]] static LexBound plus_infinity() { return {Kind::plus_infinity, Member{}}; }
    friend bool operator==(const LexBound&, const LexBound&) = default;
};

/// A lexicographic range of members (Redis's zlexrangespec), compared with the set's `Compare`.
/// Only meaningful when every member has the same score, as in Redis: with different scores the
/// result is what Redis's skiplist walk gives, and unspecified.
template <class Member = std::string>
struct LexRange {
    LexBound<Member> min = LexBound<Member>::minus_infinity();
    LexBound<Member> max = LexBound<Member>::plus_infinity();

    /// ["-", "+"]: every member.
    [[nodiscard]] static LexRange all() { return {}; }
    /// True if `m` is at or past `min` (Redis's zslLexValueGteMin).
    template <class Compare = std::less<Member>>
    [[nodiscard]] bool above_min(const Member& m, Compare comp = {}) const {
        using K = typename LexBound<Member>::Kind;
        switch (min.kind) {
            case K::minus_infinity: return true;
            case K::plus_infinity: return false;
            case K::inclusive: return !comp(m, min.value);
            case K::exclusive: return comp(min.value, m);
        }
        return false;
    }
    /// True if `m` is at or before `max` (Redis's zslLexValueLteMax).
    template <class Compare = std::less<Member>>
    [[nodiscard]] bool below_max(const Member& m, Compare comp = {}) const {
        using K = typename LexBound<Member>::Kind;
        switch (max.kind) {
            case K::plus_infinity: return true;
            case K::minus_infinity: return false;
            case K::inclusive: return !comp(max.value, m);
            case K::exclusive: return comp(m, max.value);
        }
        return false;
    }
    /// True if no member can be in the range (Redis's first test in zslIsInLexRange: min after
    /// max, or equal with an exclusive end; "-" and "+" count as exclusive).
    template <class Compare = std::less<Member>>
    [[nodiscard]] bool empty(Compare comp = {}) const {
        const int c = compare_bounds(min, max, comp);
        const bool ex = min.kind != LexBound<Member>::Kind::inclusive ||
                        max.kind != LexBound<Member>::Kind::inclusive;
        return c > 0 || (c == 0 && ex);
    }
    friend bool operator==(const LexRange&, const LexRange&) = default;

private:
    // Redis's sdscmplex: "-" before everything, "+" after everything, else the members.
    template <class Compare>
    static int compare_bounds(const LexBound<Member>& a, const LexBound<Member>& b, Compare& comp) {
        using K = typename LexBound<Member>::Kind;
        auto rank = [](K k) { return k == K::minus_infinity ? 0 : k == K::plus_infinity ? 2 : 1; };
        const int ra = rank(a.kind), rb = rank(b.kind);
        if (ra != rb || ra != 1) return ra < rb ? -1 : ra > rb ? 1 : 0;
        if (comp(a.value, b.value)) return -1;
        if (comp(b.value, a.value)) return 1;
        return 0;
    }
};

/// Parses one end of a score range in Redis's textual form: "1.5" (inclusive), "(1.5"
/// (exclusive), "-inf", "+inf", "inf" (and anything else C's strtod accepts in the "C" locale:
/// "1e3", "0x10", leading blanks; the empty string is 0, as in Redis). Returns nullopt for text
/// strtod does not consume entirely, and for NaN (Redis's zslParseRange). O(length); allocates
/// a NUL-terminated copy when the text does not fit in 63 bytes.
[[nodiscard]] inline std::optional<ScoreBound<double>> parse_score_bound(std::string_view text) {
    ScoreBound<double> b;
    if (!text.empty() && text.front() == '(') {
        b.exclusive = true;
        text.remove_prefix(1);
    }
    char small[64];
    std::string big;
    const char* s;
    if (text.size() < sizeof small) {
        std::copy(text.begin(), text.end(), small);
        small[text.size()] = '\0';
        s = small;
    } else {
        big.assign(text);
        s = big.c_str();
    }
    char* end = nullptr;
    b.value = std::strtod(s, &end);
    // Redis checks the byte strtod stopped at: text with an embedded NUL is cut there too.
    if (*end != '\0' || std::isnan(b.value)) return std::nullopt;
    return b;
}

/// Parses a score range from its two ends (ZRANGEBYSCORE min max; ZREVRANGEBYSCORE passes them
/// in the other order, so the caller swaps). Errc::invalid_argument if either end is invalid;
/// Redis's reply is then `score_range_error`.
[[nodiscard]] inline Result<ScoreRange<double>> parse_score_range(std::string_view min,
                                                                  std::string_view max) {
    auto lo = parse_score_bound(min);
    auto hi = parse_score_bound(max);
    if (!lo || !hi) return Errc::invalid_argument;
    return ScoreRange<double>{*lo, *hi};
}

/// Parses one end of a lexicographic range: "[abc", "(abc", exactly "-" or exactly "+"
/// (Redis's zslParseLexRangeItem). Returns nullopt for anything else. O(length); allocates.
[[nodiscard]] inline std::optional<LexBound<std::string>> parse_lex_bound(std::string_view text) {
    using B = LexBound<std::string>;
    if (text.empty()) return std::nullopt;
    switch (text.front()) {
        case '+':
            if (text.size() != 1) return std::nullopt;
            return B::plus_infinity();
        case '-':
            if (text.size() != 1) return std::nullopt;
            return B::minus_infinity();
        case '(': return B::exclusive(std::string(text.substr(1)));
        case '[': return B::inclusive(std::string(text.substr(1)));
        default: return std::nullopt;
    }
}

/// Parses a lexicographic range from its two ends. Errc::invalid_argument if either is
/// invalid; Redis's reply is then `lex_range_error`.
[[nodiscard]] inline Result<LexRange<std::string>> parse_lex_range(std::string_view min,
                                                                   std::string_view max) {
    auto lo = parse_lex_bound(min);
    auto hi = parse_lex_bound(max);
    if (!lo || !hi) return Errc::invalid_argument;
    return LexRange<std::string>{std::move(*lo), std::move(*hi)};
}

namespace detail {

/// What ZADD does to one member (Redis's zsetAdd, after its NaN check of the input).
enum class ZAddAction : std::uint8_t {
    none,       ///< not performed: NX / XX / GT / LT prevented it
    insert,     ///< the member is new: insert it with `score`
    update,     ///< the member's score becomes `score` (a different value)
    unchanged,  ///< performed, but `score` equals the current score
    nan,        ///< INCR gave NaN (inf + -inf): an error, nothing changes
};

/// Decides ZADD's action for a member whose current score is `*current` (nullptr: absent), with
/// the given score and flags; on return `score` holds the score the member would end with
/// (with INCR, the sum). One function, so `SortedSet::add` and a store's dry run agree.
template <class Score>
[[nodiscard]] constexpr ZAddAction zadd_decide(const Score* current, Score& score,
                                               ZAddFlags flags) noexcept {
    if (!current) return has(flags, ZAddFlags::xx) ? ZAddAction::none : ZAddAction::insert;
    if (has(flags, ZAddFlags::nx)) return ZAddAction::none;
    if (has(flags, ZAddFlags::incr)) {
        score = *current + score;
        if (score_is_nan(score)) return ZAddAction::nan;
    }
    if ((has(flags, ZAddFlags::lt) && !(score < *current)) ||
        (has(flags, ZAddFlags::gt) && !(score > *current)))
        return ZAddAction::none;
    return score == *current ? ZAddAction::unchanged : ZAddAction::update;
}

struct ZSetOps;  // the aggregate operations (union_of, ...), friends of SortedSet

}  // namespace detail

// ------------------------------------------------------------------------------- SortedSet

/// Redis's sorted set: unique members, each with a score, ordered by (score, member).
///
/// `Hash` and `KeyEqual` index the members (transparent ones enable lookups by, e.g.,
/// `std::string_view`); `Compare` orders members of equal score. All three are stateless
/// (default-constructed where used) and must not throw. `Score` is a totally ordered arithmetic
/// type (double by default, as in Redis; NaN is rejected).
///
/// Iterators are bidirectional, yield `const std::pair<Member, Score>&` in ascending order, and
/// stay valid until their element is removed or its score changes (as for a std::map). Nothing
/// else is invalidated by an insertion or removal.
///
/// Exception guarantees: every mutating call has the strong guarantee (only allocation and
/// `Member`'s copy can throw, and they happen before anything is linked).
/// Not thread-safe: synchronize externally (ZSetStore does, under the key's shard lock).
template <class Member, class Score = double, class Hash = std::hash<Member>,
          class KeyEqual = std::equal_to<Member>, class Compare = std::less<Member>>
class SortedSet {
    struct Node;
    /// Types a member can be looked up by: Member, or anything a transparent Hash and KeyEqual accept.
    template <class Q>
    static constexpr bool lookup_key =
        std::is_same_v<Q, Member> || detail::is_transparent_v<Hash, KeyEqual>;

public:
    using member_type = Member;
    using score_type = Score;
    using value_type = std::pair<Member, Score>;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using hasher = Hash;
    using key_equal = KeyEqual;
    using member_compare = Compare;
    using reference = const value_type&;
    using const_reference = const value_type&;
    using score_range = ScoreRange<Score>;
    using lex_range = LexRange<Member>;

    /// A bidirectional iterator over (member, score) pairs in ascending order.
    class const_iterator {
    public:
        using iterator_category = std::bidirectional_iterator_tag;
        using value_type = SortedSet::value_type;
        using difference_type = std::ptrdiff_t;
        using pointer = const value_type*;
        using reference = const value_type&;

        const_iterator() noexcept = default;
        reference operator*() const noexcept { return m_node->value; }
        pointer operator->() const noexcept { return &m_node->value; }
        const_iterator& operator++() noexcept {
            m_node = m_node->next;
            return *this;
        }
        const_iterator operator++(int) noexcept {
            const_iterator old = *this;
            ++*this;
            return old;
        }
        /// From end(), goes to the last element.
        const_iterator& operator--() noexcept {
            m_node = m_node ? m_node->prev : m_set->m_last;
            return *this;
        }
        const_iterator operator--(int) noexcept {
            const_iterator old = *this;
            --*this;
            return old;
        }
        friend bool operator==(const const_iterator& a, const const_iterator& b) noexcept {
            return a.m_node == b.m_node;
        }

    private:
        friend class SortedSet;
        const_iterator(const Node* n, const SortedSet* s) noexcept : m_node(n), m_set(s) {}
        const Node* m_node = nullptr;
        const SortedSet* m_set = nullptr;
    };
    using iterator = const_iterator;
    using const_reverse_iterator = std::reverse_iterator<const_iterator>;
    using reverse_iterator = const_reverse_iterator;

    // ------------------------------------------------------------------ construction

    /// An empty set. Allocates nothing.
    SortedSet() noexcept = default;
    /// The set of `init`'s pairs (a later pair for the same member overwrites its score).
    /// Throws std::invalid_argument for a NaN score.
    SortedSet(std::initializer_list<value_type> init) {
        for (const auto& [m, s] : init) add(m, s);
    }
    /// A deep copy. O(N); allocates N nodes.
    SortedSet(const SortedSet& o) : SortedSet() {
        m_tag = o.m_tag;
        if (o.empty()) return;
        std::vector<Node*> nodes;
        nodes.reserve(o.size());
        for (const Node* s = o.first(); s; s = s->next) {
            Node* n = new_node(s->value.first, s->value.second);
            adopt(n, s->chain_hash);
            nodes.push_back(n);
        }
        link_sorted(nodes);
    }
    SortedSet(SortedSet&& o) noexcept { steal(o); }
    SortedSet& operator=(const SortedSet& o) {
        if (this != &o) {
            SortedSet copy(o);
            swap(copy);
        }
        return *this;
    }
    SortedSet& operator=(SortedSet&& o) noexcept {
        if (this != &o) {
            destroy();
            steal(o);
        }
        return *this;
    }
    ~SortedSet() { destroy(); }

    void swap(SortedSet& o) noexcept {
        m_tree.swap(o.m_tree);
        std::swap(m_first, o.m_first);
        std::swap(m_last, o.m_last);
        std::swap(m_tag, o.m_tag);
        std::swap(m_index, o.m_index);
    }
    friend void swap(SortedSet& a, SortedSet& b) noexcept { a.swap(b); }

    // ------------------------------------------------------------------ size, iteration

    [[nodiscard]] size_type size() const noexcept { return m_tree.size(); }
    [[nodiscard]] bool empty() const noexcept { return m_tree.empty(); }
    /// Removes every member (and resets the tag). O(N). Invalidates every iterator.
    void clear() noexcept {
        destroy();
        m_tag = 0;
    }

    /// One byte carried with the set (copied, moved and swapped with it; 0 when new, reset by
    /// `clear`), which the set itself never reads nor compares. The RESP layer records there
    /// which encoding Redis would give the set (listpack or skiplist: Redis never converts a
    /// set back to a listpack, and some replies differ between the two). O(1), no-throw.
    [[nodiscard]] std::uint8_t tag() const noexcept { return m_tag; }
    void set_tag(std::uint8_t t) noexcept { m_tag = t; }

    [[nodiscard]] const_iterator begin() const noexcept { return {first(), this}; }
    [[nodiscard]] const_iterator end() const noexcept { return {nullptr, this}; }
    [[nodiscard]] const_iterator cbegin() const noexcept { return begin(); }
    [[nodiscard]] const_iterator cend() const noexcept { return end(); }
    [[nodiscard]] const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
    [[nodiscard]] const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }

    /// Same members with the same scores. O(N) expected.
    friend bool operator==(const SortedSet& a, const SortedSet& b) {
        if (a.size() != b.size()) return false;
        for (const Node *x = a.first(), *y = b.first(); x; x = x->next, y = y->next)
            if (!(x->value.second == y->value.second) || !KeyEqual{}(x->value.first, y->value.first))
                return false;
        return true;
    }

    // ------------------------------------------------------------------ single members

    /// Adds `member` with `score`, or moves it to `score` if present (ZADD key score member).
    /// Returns true if the member was new. Throws std::invalid_argument if `score` is NaN.
    /// Complexity: O(log N). Allocates one node when the member is new. Strong guarantee.
    template <class M>
        requires std::constructible_from<Member, M&&>
    bool add(M&& member, Score score) {
        if (detail::score_is_nan(score))
            throw std::invalid_argument("cachet::SortedSet::add: score is NaN");
        auto r = add(std::forward<M>(member), score, ZAddFlags::none);
        return r.has_value() && (*r).count == 1;
    }
    bool add(const Member& member, Score score) { return add<const Member&>(member, score); }

    /// ZADD with options (Redis's zsetAdd): adds `member` with `score`, or updates it, as
    /// `flags` allow, and returns what ZADD replies (see `ZAddReply`). Errors, with nothing
    /// changed: Errc::invalid_argument if `score` is NaN; Errc::overflow if `incr` makes the
    /// score NaN (+inf + -inf; Redis's reply is `nan_score_error`). Every flag combination is
    /// accepted (see `ZAddFlags`; `zadd_flags_error` is Redis's syntax check).
    /// Complexity: O(log N). Allocates one node when the member is new. Strong guarantee.
    template <class M>
        requires std::constructible_from<Member, M&&>
    Result<ZAddReply<Score>> add(M&& member, Score score, ZAddFlags flags) {
        if (detail::score_is_nan(score)) return Errc::invalid_argument;
        if constexpr (!lookup_key<std::remove_cvref_t<M>>) {
            return add(Member(std::forward<M>(member)), score, flags);
        } else {
            const std::size_t h = m_index.hash(member);
            Node* n = m_index.find(member, h);
            Score target = score;
            const auto action = detail::zadd_decide(n ? &n->value.second : nullptr, target, flags);
            ZAddReply<Score> reply;
            switch (action) {
                case detail::ZAddAction::nan: return Errc::overflow;
                case detail::ZAddAction::none: return reply;
                case detail::ZAddAction::insert:
                    insert_new(std::forward<M>(member), target, h);
                    reply.count = 1;
                    break;
                case detail::ZAddAction::update:
                    move_node(n, target);
                    reply.count = has(flags, ZAddFlags::ch) ? 1 : 0;
                    break;
                case detail::ZAddAction::unchanged: break;
            }
            if (has(flags, ZAddFlags::incr)) reply.score = target;
            return reply;
        }
    }
    Result<ZAddReply<Score>> add(const Member& member, Score score, ZAddFlags flags) {
        return add<const Member&>(member, score, flags);
    }

    /// Adds `delta` to `member`'s score, adding the member with score `delta` if absent
    /// (ZINCRBY). Returns the new score. Errors, with nothing changed: Errc::invalid_argument if
    /// `delta` is NaN; Errc::overflow if the sum is NaN (Redis: `nan_score_error`).
    /// Complexity: O(log N). Allocates one node when the member is new. Strong guarantee.
    template <class M>
        requires std::constructible_from<Member, M&&>
    Result<Score> increment(M&& member, Score delta) {
        auto r = add(std::forward<M>(member), delta, ZAddFlags::incr);
        if (!r.has_value()) return r.error();
        return *(*r).score;
    }
    Result<Score> increment(const Member& member, Score delta) {
        return increment<const Member&>(member, delta);
    }

    /// Removes `member` (ZREM). Returns true if it was present. O(log N). Frees its node.
    /// Invalidates iterators to it only. No-throw.
    bool remove(const Member& member) noexcept { return remove<Member>(member); }
    template <class Q>
        requires lookup_key<Q>
    bool remove(const Q& member) noexcept {
        Node* n = m_index.find(member);
        if (!n) return false;
        drop_node(n);
        return true;
    }

    /// The member's score (ZSCORE), or nullopt. O(1) expected.
    [[nodiscard]] std::optional<Score> score(const Member& member) const { return score<Member>(member); }
    template <class Q>
        requires lookup_key<Q>
    [[nodiscard]] std::optional<Score> score(const Q& member) const {
        const Node* n = m_index.find(member);
        return n ? std::optional<Score>(n->value.second) : std::nullopt;
    }
    [[nodiscard]] bool contains(const Member& member) const { return contains<Member>(member); }
    template <class Q>
        requires lookup_key<Q>
    [[nodiscard]] bool contains(const Q& member) const {
        return m_index.find(member) != nullptr;
    }
    /// An iterator to the member, or end(). O(1) expected.
    [[nodiscard]] const_iterator find(const Member& member) const { return find<Member>(member); }
    template <class Q>
        requires lookup_key<Q>
    [[nodiscard]] const_iterator find(const Q& member) const {
        return {m_index.find(member), this};
    }

    /// The member's 0-based rank in ascending order (ZRANK), or nullopt. O(log N).
    [[nodiscard]] std::optional<size_type> rank(const Member& member) const { return rank<Member>(member); }
    template <class Q>
        requires lookup_key<Q>
    [[nodiscard]] std::optional<size_type> rank(const Q& member) const {
        const Node* n = m_index.find(member);
        if (!n) return std::nullopt;
        return rank_of(n) - 1;
    }
    /// The member's 0-based rank in descending order (ZREVRANK), or nullopt. O(log N).
    [[nodiscard]] std::optional<size_type> reverse_rank(const Member& member) const {
        return reverse_rank<Member>(member);
    }
    template <class Q>
        requires lookup_key<Q>
    [[nodiscard]] std::optional<size_type> reverse_rank(const Q& member) const {
        const Node* n = m_index.find(member);
        if (!n) return std::nullopt;
        return size() - rank_of(n);
    }
    /// The element at 0-based rank `r` in ascending order, or end() if `r >= size()`. O(log N).
    [[nodiscard]] const_iterator nth(size_type r) const {
        if (r >= size()) return end();
        return {node_at_rank(r + 1), this};
    }

    // ------------------------------------------------------------------ ranges

    /// Calls `f(const value_type&)` for the elements of ranks [start, stop], both inclusive,
    /// with Redis's index rules (ZRANGE start stop): a negative index counts from the end (-1 is
    /// the last), indexes are clamped to the set, and start > stop or start >= size() is an
    /// empty range. `reverse` ranks from the maximum instead (ZRANGE ... REV, ZREVRANGE) and
    /// visits in descending order. Returns the number visited. O(log N + M). `f` must not
    /// change the set.
    template <class F>
    size_type visit_range_by_rank(long long start, long long stop, bool reverse, F&& f) const {
        const auto [first_rank, n] = clamp_ranks(start, stop);
        if (n == 0) return 0;
        const Node* x;
        if (reverse) x = first_rank == 1 ? m_last : node_at_rank(size() - first_rank + 1);
        else x = first_rank == 1 ? first() : node_at_rank(first_rank);
        for (size_type i = 0; i < n; ++i) {
            f(std::as_const(x->value));
            x = reverse ? x->prev : x->next;
        }
        return n;
    }
    /// The elements of `visit_range_by_rank`, copied. Allocates.
    [[nodiscard]] std::vector<value_type> range_by_rank(long long start, long long stop,
                                                        bool reverse = false) const {
        std::vector<value_type> out;
        out.reserve(clamp_ranks(start, stop).second);
        visit_range_by_rank(start, stop, reverse, [&](const value_type& v) { out.push_back(v); });
        return out;
    }

    /// Calls `f(const value_type&)` for the elements whose score is in `range`, in ascending
    /// order, or descending with `reverse` (ZRANGEBYSCORE / ZREVRANGEBYSCORE: `range` is
    /// always (min, max); the RESP layer swaps ZREVRANGEBYSCORE's arguments), skipping the
    /// first `offset` and visiting at most `count` (LIMIT offset count; count < 0: all; offset
    /// < 0: nothing, as in Redis). Returns the number visited. O(log N + M): the offset is
    /// skipped through the ranks. `f` must not change the set.
    template <class F>
    size_type visit_range_by_score(const score_range& range, long long offset, long long count,
                                   bool reverse, F&& f) const {
        return visit_range(range, offset, count, reverse, f);
    }
    [[nodiscard]] std::vector<value_type> range_by_score(const score_range& range,
                                                         long long offset = 0, long long count = -1,
                                                         bool reverse = false) const {
        std::vector<value_type> out;
        visit_range_by_score(range, offset, count, reverse,
                             [&](const value_type& v) { out.push_back(v); });
        return out;
    }

    /// As `visit_range_by_score`, for the members in the lexicographic `range`
    /// (ZRANGEBYLEX / ZREVRANGEBYLEX; meaningful when all scores are equal).
    template <class F>
    size_type visit_range_by_lex(const lex_range& range, long long offset, long long count,
                                 bool reverse, F&& f) const {
        return visit_range(range, offset, count, reverse, f);
    }
    [[nodiscard]] std::vector<value_type> range_by_lex(const lex_range& range, long long offset = 0,
                                                       long long count = -1,
                                                       bool reverse = false) const {
        std::vector<value_type> out;
        visit_range_by_lex(range, offset, count, reverse,
                           [&](const value_type& v) { out.push_back(v); });
        return out;
    }

    /// Number of elements with a score in `range` (ZCOUNT). O(log N), through the ranks of the
    /// first and last element in range.
    [[nodiscard]] size_type count(const score_range& range) const { return count_in(range); }
    /// Number of members in the lexicographic `range` (ZLEXCOUNT). O(log N).
    [[nodiscard]] size_type lex_count(const lex_range& range) const { return count_in(range); }

    // ------------------------------------------------------------------ pops and range removal

    /// Removes and returns the element with the lowest (score, member) (ZPOPMIN), or nullopt.
    /// O(log N). No-throw (Member's move is assumed not to throw).
    std::optional<value_type> pop_min() {
        if (empty()) return std::nullopt;
        return take_first();
    }
    /// Removes and returns the element with the highest (score, member) (ZPOPMAX). O(log N).
    std::optional<value_type> pop_max() {
        if (empty()) return std::nullopt;
        return take_last();
    }
    /// Removes and returns up to `count` lowest elements, in ascending order (ZPOPMIN count).
    /// O(M log N). Allocates the vector first (strong guarantee).
    std::vector<value_type> pop_min(size_type count) {
        std::vector<value_type> out;
        out.reserve(std::min(count, size()));
        while (out.size() < count && !empty()) out.push_back(take_first());
        return out;
    }
    /// Removes and returns up to `count` highest elements, in descending order (ZPOPMAX
    /// count). O(M log N). Allocates the vector first (strong guarantee).
    std::vector<value_type> pop_max(size_type count) {
        std::vector<value_type> out;
        out.reserve(std::min(count, size()));
        while (out.size() < count && !empty()) out.push_back(take_last());
        return out;
    }

    /// Removes the elements of ranks [start, stop] (ZREMRANGEBYRANK; index rules as
    /// `range_by_rank`). Returns how many. O(M log N), each removal a tree descent along the same
    /// path (Redis: O(log N + M)). No-throw.
    size_type remove_range_by_rank(long long start, long long stop) noexcept {
        const auto [first_rank, n] = clamp_ranks(start, stop);
        if (n == 0) return 0;
        return remove_run(node_at_rank(first_rank), n, [](const Node*) { return true; });
    }
    /// Removes the elements with a score in `range` (ZREMRANGEBYSCORE). Returns how many.
    /// O(M log N). No-throw.
    size_type remove_range_by_score(const score_range& range) noexcept { return remove_in(range); }
    /// Removes the members in the lexicographic `range` (ZREMRANGEBYLEX). Returns how many.
    /// O(M log N). No-throw.
    size_type remove_range_by_lex(const lex_range& range) noexcept { return remove_in(range); }

    // ------------------------------------------------------------------ random, scan

    /// A random element (ZRANDMEMBER key), or end() if empty: a random bucket of the index,
    /// then a random node of its chain (Redis's dictGetFairRandomKey). `rng()` returns uniform
    /// 64-bit values. O(1) expected.
    template <class Rng>
    [[nodiscard]] const_iterator random_member(Rng&& rng) const {
        return {m_index.random(rng), this};
    }
    [[nodiscard]] const_iterator random_member() const { return random_member(detail::random_u64); }

    /// ZRANDMEMBER key count: `count` > 0 gives min(count, size()) distinct elements, in random
    /// order; `count` < 0 gives -count elements, each drawn independently (repeats possible);
    /// 0 gives none. Redis's strategies: everything when count >= size(); otherwise a partial
    /// shuffle of all elements when count * 3 > size(), else random draws until `count`
    /// distinct. O(N) or O(count) expected. Allocates. The caller bounds |count| (Redis
    /// rejects |count| > LONG_MAX / 2).
    template <class Rng>
    [[nodiscard]] std::vector<value_type> random_members(long long count, Rng&& rng) const {
        std::vector<value_type> out;
        if (count == 0 || empty()) return out;
        if (count < 0) {
            const auto n = static_cast<std::size_t>(0ull - static_cast<unsigned long long>(count));
            out.reserve(n);
            for (std::size_t i = 0; i < n; ++i) out.push_back(m_index.random(rng)->value);
            return out;
        }
        const auto want = static_cast<size_type>(count);
        if (want * 3 > size()) {
            std::vector<const Node*> all;
            all.reserve(size());
            for (const Node* x = first(); x; x = x->next) all.push_back(x);
            const size_type n = std::min(want, size());
            for (size_type i = 0; i < n; ++i)  // partial Fisher-Yates
                std::swap(all[i], all[i + static_cast<size_type>(rng() % (size() - i))]);
            out.reserve(n);
            for (size_type i = 0; i < n; ++i) out.push_back(all[i]->value);
            return out;
        }
        std::unordered_set<const Node*> picked;
        picked.reserve(want);
        out.reserve(want);
        while (out.size() < want) {
            const Node* x = m_index.random(rng);
            if (picked.insert(x).second) out.push_back(x->value);
        }
        return out;
    }
    [[nodiscard]] std::vector<value_type> random_members(long long count) const {
        return random_members(count, detail::random_u64);
    }

    /// One step of ZSCAN: calls `f(const value_type&)` for the elements of one bucket of the
    /// index and returns the next cursor (0: done; start with 0). Redis's guarantee: an element
    /// present for the whole scan is visited at least once, whatever is added or removed
    /// between calls. O(1) expected per call. `f` must not change the set.
    template <class F>
    std::uint64_t scan(std::uint64_t cursor, F&& f) const {
        return m_index.scan(cursor, [&](const Node* n) { f(std::as_const(n->value)); });
    }

    // ------------------------------------------------------------------ checking

    /// Checks every structural invariant: the list strictly ascending by (score, member) with no
    /// NaN, its back links and ends; the tree's own invariants (fill, counts, first entries) and
    /// its entries the list's nodes, in the same order, with their scores; the index holding
    /// exactly the list's nodes. O(N). For tests.
    [[nodiscard]] bool check_invariants() const {
        if (!m_index.check_invariants() || m_index.size() != size() || !m_tree.check_invariants())
            return false;
        const Node* prev = nullptr;
        std::size_t n = 0;
        for (const Node* x = m_first; x; x = x->next) {
            if (++n > size()) return false;  // a cycle, or a wrong size
            if (detail::score_is_nan(x->value.second)) return false;
            if (x->prev != prev) return false;
            if (prev && !less(prev, x->value.second, x->value.first)) return false;
            if (m_index.find(x->value.first, x->chain_hash) != x) return false;
            prev = x;
        }
        if (n != size() || m_last != prev) return false;
        const Node* x = m_first;
        bool same = true;
        m_tree.for_each([&](Score s, const Node* t) {
            same = same && x && t == x && s == x->value.second;
            if (x) x = x->next;
        });
        return same && !x;
    }

private:
    friend struct detail::ZSetOps;

    // A member is one heap node: the member and its score, its neighbours in order (the list
    // iterators walk), and the index's chain link and cached hash. The order index (`m_tree`)
    // holds (score, node) entries; comparing an entry reads its node only on a score tie.
    struct Node {
        template <class M>
        Node(M&& m, Score s) : value(std::forward<M>(m), s) {}
        value_type value;
        Node* prev = nullptr;        ///< the previous node in order; nullptr for the first
        Node* next = nullptr;        ///< the next node in order; nullptr for the last
        Node* chain_next = nullptr;  ///< the index's chain (ChainedIndex)
        std::size_t chain_hash = 0;  ///< the index's cached hash of the member
    };
    struct NodeMember {
        const Member& operator()(const Node& n) const noexcept { return n.value.first; }
    };
    using Index = detail::ChainedIndex<Node, NodeMember, Hash, KeyEqual>;
    using Tree = detail::RankTree<Node, Score>;

    // ---- allocation

    template <class M>
    static Node* new_node(M&& member, Score score) {
        return new Node(std::forward<M>(member), score);
    }
    static void free_node(Node* n) noexcept { delete n; }

    void destroy() noexcept {
        m_index.for_each([](Node* n) { free_node(n); });
        m_index.reset();
        m_tree.clear();
        m_first = nullptr;
        m_last = nullptr;
    }
    void steal(SortedSet& o) noexcept {
        m_tree = std::move(o.m_tree);
        m_first = std::exchange(o.m_first, nullptr);
        m_last = std::exchange(o.m_last, nullptr);
        m_tag = std::exchange(o.m_tag, std::uint8_t{0});
        m_index = std::move(o.m_index);
    }
    /// Links `n` into the index with hash `h`; frees it if that throws.
    void adopt(Node* n, std::size_t h) {
        try {
            m_index.insert(n, h);
        } catch (...) {
            free_node(n);
            throw;
        }
    }

    // ---- order

    /// True if node `n` sorts before (s, m).
    static bool less(const Node* n, Score s, const Member& m) noexcept {
        return n->value.second < s || (n->value.second == s && Compare{}(n->value.first, m));
    }
    /// True if (s, m) sorts before node `n`.
    static bool less(Score s, const Member& m, const Node* n) noexcept {
        return s < n->value.second || (s == n->value.second && Compare{}(m, n->value.first));
    }
    /// The tree's predicate "the entry (t, n) sorts before (s, m)".
    static auto before(Score s, const Member& m) noexcept {
        return [s, &m](Score t, const Node* n) { return t < s || (t == s && Compare{}(n->value.first, m)); };
    }
    /// The tree's predicate "the entry (t, n) sorts before the linked node `x`, or is it".
    static auto up_to(const Node* x) noexcept {
        return [x, s = x->value.second](Score t, const Node* n) {
            return t < s || (t == s && (n == x || Compare{}(n->value.first, x->value.first)));
        };
    }

    [[nodiscard]] Node* first() const noexcept { return m_first; }

    /// Puts the unlinked `x` into the list, next to the entries the tree placed it beside.
    void link_list(Node* x, typename Tree::Neighbours nb) noexcept {
        Node* prev = nullptr;
        Node* next = nullptr;
        if (nb.before) {
            prev = nb.before;
            next = prev->next;
        } else if (nb.after) {
            next = nb.after;
            prev = next->prev;
        }
        x->prev = prev;
        x->next = next;
        (prev ? prev->next : m_first) = x;
        (next ? next->prev : m_last) = x;
    }
    void unlink_list(Node* x) noexcept {
        (x->prev ? x->prev->next : m_first) = x->next;
        (x->next ? x->next->prev : m_last) = x->prev;
    }

    /// Unlinks `x` from the order (tree and list), the index, and frees it. No-throw.
    void drop_node(Node* x) noexcept {
        m_tree.erase(up_to(x));
        unlink_list(x);
        m_index.unlink(x);
        free_node(x);
    }

    /// Creates and links a new member. Strong guarantee: the node, the index insert and the
    /// tree's nodes are allocated before the order changes.
    template <class M>
    void insert_new(M&& member, Score score, std::size_t h) {
        Node* n = new_node(std::forward<M>(member), score);
        adopt(n, h);
        try {
            link_list(n, m_tree.insert(score, n, before(score, n->value.first)));
        } catch (...) {
            m_index.unlink(n);
            free_node(n);
            throw;
        }
    }

    /// Gives `x` a new score (a different value): in place if its neighbours allow (Redis's
    /// zslUpdateScore), else it enters the tree at its new place before its old entry leaves
    /// (so an allocation failure changes nothing). The node and the index are untouched.
    void move_node(Node* x, Score s) {
        const Member& m = x->value.first;
        if ((!x->prev || less(x->prev, s, m)) && (!x->next || less(s, m, x->next))) {
            m_tree.rescore(up_to(x), s);
            x->value.second = s;
            return;
        }
        const auto nb = m_tree.insert(s, x, before(s, m));
        m_tree.erase(up_to(x));  // the entry with the old score
        x->value.second = s;
        unlink_list(x);
        link_list(x, nb);
    }

    value_type take(Node* x) noexcept {
        m_tree.erase(up_to(x));
        unlink_list(x);
        m_index.unlink(x);
        value_type v = std::move(x->value);
        free_node(x);
        return v;
    }
    value_type take_first() noexcept { return take(m_first); }
    value_type take_last() noexcept { return take(m_last); }

    /// 1-based rank of a linked node. O(log N).
    std::size_t rank_of(const Node* x) const noexcept { return m_tree.lower_bound(up_to(x)).first; }
    /// The node of 1-based rank `r`. Precondition: 1 <= r <= size(). O(log N).
    Node* node_at_rank(std::size_t r) const noexcept { return m_tree.at(r - 1); }

    /// Redis's rank sanitizing (ZRANGE, ZREMRANGEBYRANK): the 1-based first rank and the count.
    std::pair<std::size_t, std::size_t> clamp_ranks(long long start, long long stop) const noexcept {
        const auto len = static_cast<long long>(size());
        if (start < 0) start += len;
        if (stop < 0) stop += len;
        if (start < 0) start = 0;
        if (start > stop || start >= len) return {0, 0};
        if (stop >= len) stop = len - 1;
        return {static_cast<std::size_t>(start) + 1, static_cast<std::size_t>(stop - start) + 1};
    }

    // ---- score and lex ranges, one code path: how each kind of range tests an entry (t, n) of
    // the tree; a score range reads the entry's cached score only, never its node.

    static bool range_empty(const score_range& r) noexcept { return r.empty(); }
    static bool range_empty(const lex_range& r) { return r.empty(Compare{}); }
    static bool above_min(const score_range& r, Score t, const Node*) noexcept { return r.above_min(t); }
    static bool above_min(const lex_range& r, Score, const Node* n) { return r.above_min(n->value.first, Compare{}); }
    static bool below_max(const score_range& r, Score t, const Node*) noexcept { return r.below_max(t); }
    static bool below_max(const lex_range& r, Score, const Node* n) { return r.below_max(n->value.first, Compare{}); }
    template <class Range>
    static bool above_min(const Range& r, const Node* n) { return above_min(r, n->value.second, n); }
    template <class Range>
    static bool below_max(const Range& r, const Node* n) { return below_max(r, n->value.second, n); }

    /// The first node at or past `range`'s min (whatever its relation to the max) with its
    /// 1-based rank; nullptr past the end.
    template <class Range>
    std::pair<std::size_t, Node*> first_above_min(const Range& range) const {
        const auto [pos, x] = m_tree.lower_bound([&](Score t, const Node* n) { return !above_min(range, t, n); });
        return {pos + 1, x};
    }
    /// False when no node can be in `range`: it is empty, or the set lies outside it (the first
    /// test of zslFirstInRange / zslFirstInLexRange and their "last" twins).
    template <class Range>
    bool may_hold(const Range& range) const {
        return !range_empty(range) && !empty() && above_min(range, m_last) && below_max(range, m_first);
    }
    /// The first node in `range` and its rank (zslFirstInRange, zslFirstInLexRange), or nullptr.
    template <class Range>
    const Node* first_in(const Range& range, std::size_t& rank) const {
        if (!may_hold(range)) return nullptr;
        const auto [r, x] = first_above_min(range);
        rank = r;
        return x && below_max(range, x) ? x : nullptr;
    }
    /// The last node in `range` and its rank (zslLastInRange, zslLastInLexRange), or nullptr.
    template <class Range>
    const Node* last_in(const Range& range, std::size_t& rank) const {
        if (!may_hold(range)) return nullptr;
        const auto [pos, after] =
            m_tree.lower_bound([&](Score t, const Node* n) { return below_max(range, t, n); });
        rank = pos;
        if (pos == 0) return nullptr;
        const Node* x = after ? after->prev : m_last;
        return above_min(range, x) ? x : nullptr;
    }
    template <class Range>
    std::size_t count_in(const Range& range) const {
        std::size_t lo = 0, hi = 0;
        if (!first_in(range, lo) || !last_in(range, hi)) return 0;
        return hi - lo + 1;
    }

    /// ZRANGEBYSCORE / ZRANGEBYLEX and their REV forms: find the start and its rank, skip
    /// `offset` through the ranks, then visit while the node is within the far bound (all Redis
    /// checks while walking), at most `count` (count < 0: no limit).
    template <class Range, class F>
    std::size_t visit_range(const Range& range, long long offset, long long count, bool reverse, F& f) const {
        if (offset < 0 || count == 0) return 0;
        std::size_t r = 0;
        const Node* x = reverse ? last_in(range, r) : first_in(range, r);
        if (!x) return 0;
        if (offset > 0) {
            const auto off = static_cast<std::size_t>(offset);
            if (reverse) {
                if (off >= r) return 0;
                x = node_at_rank(r - off);
            } else {
                if (off > size() - r) return 0;
                x = node_at_rank(r + off);
            }
        }
        std::size_t n = 0;
        while (x && (count < 0 || n < static_cast<std::size_t>(count))) {
            if (reverse ? !above_min(range, x) : !below_max(range, x)) break;
            f(std::as_const(x->value));
            ++n;
            x = reverse ? x->prev : x->next;
        }
        return n;
    }

    /// ZREMRANGEBYSCORE / ZREMRANGEBYLEX.
    template <class Range>
    std::size_t remove_in(const Range& range) noexcept {
        if (empty()) return 0;
        return remove_run(first_above_min(range).second, size(),
                          [&](const Node* x) { return below_max(range, x); });
    }

    /// Removes nodes from `x` on, in order, while `in_range(node)` holds, at most `limit`.
    template <class InRange>
    std::size_t remove_run(Node* x, std::size_t limit, InRange&& in_range) noexcept {
        std::size_t removed = 0;
        while (x && removed < limit && in_range(x)) {
            Node* next = x->next;
            drop_node(x);
            ++removed;
            x = next;
        }
        return removed;
    }

    /// Links `nodes`, already in the index and in ascending order, into the empty set: O(N), no
    /// comparisons. Strong guarantee (the tree's nodes are allocated first).
    void link_sorted(const std::vector<Node*>& nodes) {
        std::size_t i = 0;
        m_tree.assign(nodes.size(), [&] { return nodes[i++]; }, [](const Node* n) { return n->value.second; });
        Node* prev = nullptr;
        for (Node* n : nodes) {
            n->prev = prev;
            n->next = nullptr;
            (prev ? prev->next : m_first) = n;
            prev = n;
        }
        m_last = prev;
    }

    Tree m_tree;              ///< the order: (score, node) entries, with counts for ranks
    Node* m_first = nullptr;  ///< the lowest node, or nullptr
    Node* m_last = nullptr;   ///< the highest node, or nullptr
    std::uint8_t m_tag = 0;   ///< see `tag()`
    Index m_index;            ///< member -> node, threaded through the same nodes
};

// ------------------------------------------------------------------------------ aggregates

namespace detail {

/// ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE / ZINTERCARD over SortedSets (zunionInterDiffGenericCommand).
struct ZSetOps {
    template <class Set>
    using Score = typename Set::score_type;

    template <class Set>
    struct Source {
        const Set* set;
        Score<Set> weight;
    };

    /// Redis's zunionInterAggregate.
    template <class S>
    static void aggregate(S& target, S value, ZAggregate how) noexcept {
        switch (how) {
            case ZAggregate::sum:
                target = target + value;
                // inf + -inf: Redis keeps the convention that the sum is 0.
                if (score_is_nan(target)) target = S{};
                break;
            case ZAggregate::min: target = value < target ? value : target; break;
            case ZAggregate::max: target = value > target ? value : target; break;
        }
    }

    /// The sources with their weights, sorted by cardinality (smallest first; stable, as
    /// glibc's qsort is), absent sets as empty.
    template <class Set>
    static std::vector<Source<Set>> sources(std::span<const Set* const> sets,
                                            std::span<const Score<Set>> weights) {
        if (!weights.empty() && weights.size() != sets.size())
            throw std::invalid_argument("cachet: one weight per sorted set is needed");
        std::vector<Source<Set>> src;
        src.reserve(sets.size());
        for (std::size_t i = 0; i < sets.size(); ++i)
            src.push_back({sets[i], weights.empty() ? Score<Set>(1) : weights[i]});
        std::stable_sort(src.begin(), src.end(), [](const Source<Set>& a, const Source<Set>& b) {
            return size_of(a.set) < size_of(b.set);
        });
        return src;
    }
    template <class Set>
    static std::size_t size_of(const Set* s) noexcept {
        return s ? s->size() : 0;
    }
    template <class S>
    static S weighted(S weight, S score) noexcept {
        S v = weight * score;
        if (score_is_nan(v)) v = S{};  // 0 * inf: Redis takes 0
        return v;
    }

    /// Room for one more node (geometric growth, before the node exists, so a failed
    /// allocation leaks nothing).
    template <class Node>
    static void grow(std::vector<Node*>& nodes) {
        if (nodes.size() == nodes.capacity()) nodes.reserve(std::max<std::size_t>(16, nodes.capacity() * 2));
    }

    /// Sorts the result's nodes (already in its index, with their final scores) and links them.
    template <class Set, class Node>
    static void finish(Set& out, std::vector<Node*>& nodes, bool sorted) {
        if (!sorted) {
            std::sort(nodes.begin(), nodes.end(), [](const Node* a, const Node* b) {
                return Set::less(a, b->value.second, b->value.first);
            });
        }
        out.link_sorted(nodes);
    }

    template <class Set>
    static Set set_union(std::span<const Set* const> sets, std::span<const Score<Set>> weights,
                         ZAggregate how) {
        using Node = typename Set::Node;
        const auto src = sources(sets, weights);
        Set out;
        std::vector<Node*> nodes;
        for (const auto& s : src) {
            if (!s.set) continue;
            for (const Node* x = s.set->first(); x; x = x->next) {
                const auto v = weighted(s.weight, x->value.second);
                // The hash is the same function of the member in every set of this type.
                if (Node* n = out.m_index.find(x->value.first, x->chain_hash)) {
                    aggregate(n->value.second, v, how);
                    continue;
                }
                grow(nodes);
                Node* n = Set::new_node(x->value.first, v);
                out.adopt(n, x->chain_hash);
                nodes.push_back(n);
            }
        }
        finish(out, nodes, false);
        return out;
    }

    /// Visits each member of the intersection with its aggregated score, in the order of the
    /// smallest set; stops when `f` returns false.
    template <class Set, class F>
    static void for_each_common(std::span<const Set* const> sets, std::span<const Score<Set>> weights,
                                ZAggregate how, F&& f) {
        using Node = typename Set::Node;
        if (sets.empty()) return;
        const auto src = sources(sets, weights);
        if (size_of(src[0].set) == 0) return;  // an empty (or absent) input: empty result
        for (const Node* x = src[0].set->first(); x; x = x->next) {
            auto score = weighted(src[0].weight, x->value.second);
            std::size_t j = 1;
            for (; j < src.size(); ++j) {
                const Node* y = src[j].set == src[0].set
                                    ? x
                                    : src[j].set->m_index.find(x->value.first, x->chain_hash);
                if (!y) break;
                // Redis does not zero a NaN here (0 * inf): SUM then turns it into 0, MIN and
                // MAX ignore it.
                aggregate(score, y->value.second * src[j].weight, how);
            }
            if (j == src.size() && !f(x, score)) return;
        }
    }

    template <class Set>
    static Set set_intersection(std::span<const Set* const> sets,
                                std::span<const Score<Set>> weights, ZAggregate how) {
        using Node = typename Set::Node;
        Set out;
        std::vector<Node*> nodes;
        for_each_common(sets, weights, how, [&](const Node* x, Score<Set> score) {
            grow(nodes);
            Node* n = Set::new_node(x->value.first, score);
            out.adopt(n, x->chain_hash);
            nodes.push_back(n);
            return true;
        });
        finish(out, nodes, false);
        return out;
    }

    template <class Set>
    static std::size_t intersection_size(std::span<const Set* const> sets, std::size_t limit) {
        std::size_t n = 0;
        for_each_common(sets, std::span<const Score<Set>>{}, ZAggregate::sum,
                        [&](const auto*, Score<Set>) { return ++n != limit; });
        return n;
    }

    template <class Set>
    static Set set_difference(std::span<const Set* const> sets) {
        using Node = typename Set::Node;
        Set out;
        if (sets.empty() || size_of(sets[0]) == 0) return out;
        std::vector<Node*> nodes;
        for (const Node* x = sets[0]->first(); x; x = x->next) {
            bool found = false;
            for (std::size_t j = 1; j < sets.size() && !found; ++j)
                found = sets[j] && (sets[j] == sets[0] ||
                                    sets[j]->m_index.find(x->value.first, x->chain_hash));
            if (found) continue;
            grow(nodes);
            Node* n = Set::new_node(x->value.first, x->value.second);
            out.adopt(n, x->chain_hash);
            nodes.push_back(n);
        }
        finish(out, nodes, true);  // the first set's order is the result's
        return out;
    }
};

}  // namespace detail

/// ZUNIONSTORE's result: every member of any of `sets`, with the aggregate (`how`) of its
/// weighted scores (score * weights[i]; no weights: all 1). nullptr is an absent key (an empty
/// set). Redis's rules: a weighted score that is NaN (0 * inf) counts as 0, and a SUM that is
/// NaN (inf + -inf) is 0. Sets are combined smallest first, as Redis does (it matters only for
/// floating-point rounding). Throws std::invalid_argument if `weights` is neither empty nor one
/// per set. Complexity: O(T + K log K), T = total input size, K = result size. Allocates.
template <class M, class S, class H, class E, class C>
[[nodiscard]] SortedSet<M, S, H, E, C> union_of(std::span<const SortedSet<M, S, H, E, C>* const> sets,
                                               std::span<const S> weights = {},
                                               ZAggregate how = ZAggregate::sum) {
    return detail::ZSetOps::set_union(sets, weights, how);
}
template <class M, class S, class H, class E, class C>
[[nodiscard]] SortedSet<M, S, H, E, C> union_of(std::initializer_list<const SortedSet<M, S, H, E, C>*> sets,
                                               std::span<const S> weights = {},
                                               ZAggregate how = ZAggregate::sum) {
    return detail::ZSetOps::set_union(std::span(sets.begin(), sets.size()), weights, how);
}

/// ZINTERSTORE's result: the members present in every one of `sets` (nullptr: absent, so the
/// result is empty), with the aggregate of their weighted scores. Redis's rules: the smallest
/// set's weighted score is 0 if NaN; the other sets' weighted scores are aggregated as they
/// are, so with SUM a NaN (0 * inf, or inf + -inf) gives 0 and MIN / MAX ignore it. Throws
/// std::invalid_argument as `union_of`. Complexity: O(N * S + K log K), N = the smallest
/// set's size, S = number of sets. Allocates.
template <class M, class S, class H, class E, class C>
[[nodiscard]] SortedSet<M, S, H, E, C> intersection_of(
    std::span<const SortedSet<M, S, H, E, C>* const> sets, std::span<const S> weights = {},
    ZAggregate how = ZAggregate::sum) {
    return detail::ZSetOps::set_intersection(sets, weights, how);
}
template <class M, class S, class H, class E, class C>
[[nodiscard]] SortedSet<M, S, H, E, C> intersection_of(
    std::initializer_list<const SortedSet<M, S, H, E, C>*> sets, std::span<const S> weights = {},
    ZAggregate how = ZAggregate::sum) {
    return detail::ZSetOps::set_intersection(std::span(sets.begin(), sets.size()), weights, how);
}

/// ZINTERCARD: the size of the intersection, counting up to `limit` (0: no limit).
/// O(N * S) at most. Allocates O(S).
template <class M, class S, class H, class E, class C>
[[nodiscard]] std::size_t intersection_size(std::span<const SortedSet<M, S, H, E, C>* const> sets,
                                            std::size_t limit = 0) {
    return detail::ZSetOps::intersection_size(sets, limit);
}
template <class M, class S, class H, class E, class C>
[[nodiscard]] std::size_t intersection_size(std::initializer_list<const SortedSet<M, S, H, E, C>*> sets,
                                            std::size_t limit = 0) {
    return detail::ZSetOps::intersection_size(std::span(sets.begin(), sets.size()), limit);
}

/// ZDIFFSTORE's result: the members of the first set that are in none of the others, with the
/// first set's scores. nullptr: an absent key. Complexity: O(N * S + K), N = the first set's
/// size. Allocates.
template <class M, class S, class H, class E, class C>
[[nodiscard]] SortedSet<M, S, H, E, C> difference_of(std::span<const SortedSet<M, S, H, E, C>* const> sets) {
    return detail::ZSetOps::set_difference(sets);
}
template <class M, class S, class H, class E, class C>
[[nodiscard]] SortedSet<M, S, H, E, C> difference_of(
    std::initializer_list<const SortedSet<M, S, H, E, C>*> sets) {
    return detail::ZSetOps::set_difference(std::span(sets.begin(), sets.size()));
}

// ------------------------------------------------------------------------------ ZSetStore

/// A sorted set per key on the keyspace core (Redis's Z* commands). `Backend` provides `read`,
/// `write`, `write_many`, `waiters()` and `core()` as `detail::OwnedBackend` does; its
/// container is a `SortedSet`. Every operation is one backend call: one shard lock for a
/// single key, all the keys' shard locks (taken in order) for a multi-key one, so each is
/// atomic. TTL, eviction, stats and notifications come from the core, and Redis's key rules
/// from the backend: an absent key reads as an empty set; a write that leaves a set empty
/// deletes its key; writes into an existing key keep its TTL; the *STORE destinations replace
/// whatever the key held (of any type, in a Database) and lose its TTL. A Database backend
/// throws its wrong-type error from any operation on a key of another type; nothing changes
/// then (all checks come before the first change).
///
/// Changes are named for keyspace notifications as Redis names them (zadd, zincr, zrem,
/// zremrangebyrank, zremrangebyscore, zremrangebylex, zpopmin, zpopmax, zunionstore,
/// zinterstore, zdiffstore, zrangestore); an operation that changes nothing reports nothing.
/// A write that empties its key is announced under its name, then the key's removal (cause
/// `erased`, which keyspace notifications publish as "del"), as Redis sends "zpopmin", "del".
///
/// Blocking pops (`pop_min_wait`, ...) follow detail/wait_registry.hpp: a consumer that finds
/// every key empty registers on them under their shard locks, and the backend serves it, first
/// registered first, inside the write of the producer that gives one of them elements.
///
/// Complexity: as the SortedSet operation, plus O(1) expected for the key; multi-key
/// operations add O(k log k) for k keys. Thread-safety: every member function is thread-safe.
template <class Backend>
class BasicZSetStore : public detail::KeyedStore<Backend> {
    using Base = detail::KeyedStore<Backend>;

public:
    using typename Base::key_type;
    using typename Base::size_type;
    using zset_type = typename Backend::container_type;
    using member_type = typename zset_type::member_type;
    using score_type = typename zset_type::score_type;
    using value_type = typename zset_type::value_type;
    using score_range = ScoreRange<score_type>;
    using lex_range = LexRange<member_type>;

    using Base::Base;

    // ------------------------------------------------------------------ ZADD, ZINCRBY, ZREM

    /// ZADD key [flags] score member ...: adds or updates each pair in turn (see
    /// `SortedSet::add`), creating the key if needed (unless nothing is added). Returns ZADD's
    /// reply summed over the pairs. Errors, with nothing changed: Errc::invalid_argument if a
    /// score is NaN; Errc::overflow if `incr` gives NaN. Flag combinations are not checked
    /// (`zadd_flags_error`). O(P log N) for P pairs. Event: "zadd" ("zincr" with incr), only if
    /// a member was added or its score changed.
    Result<ZAddReply<score_type>> add(const key_type& key, std::span<const value_type> items,
                                      ZAddFlags flags) {
        for (const auto& it : items)
            if (detail::score_is_nan(it.second)) return Errc::invalid_argument;
        return this->m_backend.write(key, [&](auto& ref) -> Result<ZAddReply<score_type>> {
            // Dry run on the unchanged set: until some pair changes it, each pair's effect is
            // independent of the others, so a write that changes nothing is never reported.
            ZAddReply<score_type> reply;
            const zset_type* cz = ref.peek();
            bool changes = false;
            for (const auto& [m, s] : items) {
                std::optional<score_type> cur = cz ? cz->score(m) : std::nullopt;
                score_type target = s;
                const auto act = detail::zadd_decide(cur ? &*cur : nullptr, target, flags);
                if (act == detail::ZAddAction::nan) return Errc::overflow;
                if (act == detail::ZAddAction::insert || act == detail::ZAddAction::update) {
                    changes = true;
                    break;
                }
                if (has(flags, ZAddFlags::incr))
                    reply.score = act == detail::ZAddAction::unchanged ? std::optional(target) : std::nullopt;
            }
            if (!changes) return reply;
            zset_type& z = ref.create();
            reply = {};
            for (const auto& [m, s] : items) {
                auto r = z.add(m, s, flags);
                if (!r.has_value()) return r.error();  // unreachable: checked above
                reply.count += (*r).count;
                reply.score = (*r).score;
            }
            ref.event(has(flags, ZAddFlags::incr) ? "zincr" : "zadd");
            return reply;
        });
    }
    Result<ZAddReply<score_type>> add(const key_type& key, std::initializer_list<value_type> items,
                                      ZAddFlags flags) {
        return add(key, std::span<const value_type>(items.begin(), items.size()), flags);
    }
    /// ZADD key score member ... without options: returns how many members were new. Throws
    /// std::invalid_argument (nothing added) if a score is NaN. O(P log N). Event "zadd" if
    /// anything changed.
    size_type add(const key_type& key, std::span<const value_type> items) {
        auto r = add(key, items, ZAddFlags::none);
        if (!r.has_value()) throw std::invalid_argument("cachet::ZSetStore::add: score is NaN");
        return (*r).count;
    }
    size_type add(const key_type& key, std::initializer_list<value_type> items) {
        return add(key, std::span<const value_type>(items.begin(), items.size()));
    }
    /// ZADD key score member: adds `member` or moves it to `score`. Returns true if it was new.
    /// Throws std::invalid_argument if `score` is NaN. O(log N). Event "zadd" if anything changed.
    bool add(const key_type& key, member_type member, score_type score) {
        if (detail::score_is_nan(score))
            throw std::invalid_argument("cachet::ZSetStore::add: score is NaN");
        return this->m_backend.write(key, [&](auto& ref) {
            if (const zset_type* cz = ref.peek()) {
                if (auto cur = cz->score(member); cur && *cur == score) return false;
            }
            const bool added = ref.create().add(std::move(member), score);
            ref.event("zadd");
            return added;
        });
    }

    /// ZINCRBY key delta member: returns the new score. Errors as `SortedSet::increment`, with
    /// nothing changed. O(log N). Event "zincr" if the score changed.
    Result<score_type> increment(const key_type& key, member_type member, score_type delta) {
        if (detail::score_is_nan(delta)) return Errc::invalid_argument;
        return this->m_backend.write(key, [&](auto& ref) -> Result<score_type> {
            const zset_type* cz = ref.peek();
            std::optional<score_type> cur = cz ? cz->score(member) : std::nullopt;
            score_type target = delta;
            const auto act = detail::zadd_decide(cur ? &*cur : nullptr, target, ZAddFlags::incr);
            if (act == detail::ZAddAction::nan) return Errc::overflow;
            if (act == detail::ZAddAction::unchanged) return target;
            auto r = ref.create().increment(std::move(member), delta);
            ref.event("zincr");
            return r;
        });
    }

    /// ZREM key member ...: returns how many were present. O(P log N). Event "zrem" if any.
    size_type remove(const key_type& key, std::span<const member_type> members) {
        return this->m_backend.write(key, [&](auto& ref) -> size_type {
            const zset_type* cz = ref.peek();
            if (!cz || std::none_of(members.begin(), members.end(),
                                    [&](const member_type& m) { return cz->contains(m); }))
                return 0;
            zset_type& z = *ref.get();
            size_type n = 0;
            for (const auto& m : members) n += z.remove(m) ? 1 : 0;
            ref.event("zrem");
            return n;
        });
    }
    size_type remove(const key_type& key, std::initializer_list<member_type> members) {
        return remove(key, std::span<const member_type>(members.begin(), members.size()));
    }
    bool remove(const key_type& key, const member_type& member) {
        return remove(key, std::span<const member_type>(&member, 1)) == 1;
    }

    // ------------------------------------------------------------------ reads

    /// ZCARD: the number of members (0 for an absent key). O(1).
    [[nodiscard]] size_type cardinality(const key_type& key) {
        return read(key, [](const zset_type* z) { return z ? z->size() : size_type{0}; });
    }
    /// ZSCORE. O(1) expected.
    [[nodiscard]] std::optional<score_type> score(const key_type& key, const member_type& member) {
        return read(key, [&](const zset_type* z) { return z ? z->score(member) : std::nullopt; });
    }
    /// ZMSCORE: one optional score per member. O(P).
    [[nodiscard]] std::vector<std::optional<score_type>> scores(const key_type& key,
                                                                std::span<const member_type> members) {
        return read(key, [&](const zset_type* z) {
            std::vector<std::optional<score_type>> out;
            out.reserve(members.size());
            for (const auto& m : members) out.push_back(z ? z->score(m) : std::nullopt);
            return out;
        });
    }
    /// ZRANK / ZREVRANK (0-based). O(log N).
    [[nodiscard]] std::optional<size_type> rank(const key_type& key, const member_type& member) {
        return read(key, [&](const zset_type* z) { return z ? z->rank(member) : std::nullopt; });
    }
    [[nodiscard]] std::optional<size_type> reverse_rank(const key_type& key, const member_type& member) {
        return read(key, [&](const zset_type* z) { return z ? z->reverse_rank(member) : std::nullopt; });
    }
    /// ZCOUNT / ZLEXCOUNT. O(log N).
    [[nodiscard]] size_type count(const key_type& key, const score_range& range) {
        return read(key, [&](const zset_type* z) { return z ? z->count(range) : size_type{0}; });
    }
    [[nodiscard]] size_type lex_count(const key_type& key, const lex_range& range) {
        return read(key, [&](const zset_type* z) { return z ? z->lex_count(range) : size_type{0}; });
    }
    /// ZRANGE key start stop [REV]. O(log N + M). Allocates.
    [[nodiscard]] std::vector<value_type> range_by_rank(const key_type& key, long long start,
                                                        long long stop, bool reverse = false) {
        return read(key, [&](const zset_type* z) {
            return z ? z->range_by_rank(start, stop, reverse) : std::vector<value_type>{};
        });
    }
    /// ZRANGEBYSCORE / ZREVRANGEBYSCORE (see `SortedSet::visit_range_by_score`). O(log N + M).
    [[nodiscard]] std::vector<value_type> range_by_score(const key_type& key, const score_range& range,
                                                         long long offset = 0, long long count = -1,
                                                         bool reverse = false) {
        return read(key, [&](const zset_type* z) {
            return z ? z->range_by_score(range, offset, count, reverse) : std::vector<value_type>{};
        });
    }
    /// ZRANGEBYLEX / ZREVRANGEBYLEX. O(log N + M).
    [[nodiscard]] std::vector<value_type> range_by_lex(const key_type& key, const lex_range& range,
                                                       long long offset = 0, long long count = -1,
                                                       bool reverse = false) {
        return read(key, [&](const zset_type* z) {
            return z ? z->range_by_lex(range, offset, count, reverse) : std::vector<value_type>{};
        });
    }
    /// ZRANDMEMBER key count (see `SortedSet::random_members`). Allocates.
    [[nodiscard]] std::vector<value_type> random_members(const key_type& key, long long count) {
        return read(key, [&](const zset_type* z) {
            return z ? z->random_members(count) : std::vector<value_type>{};
        });
    }
    /// ZRANDMEMBER key. O(1) expected.
    [[nodiscard]] std::optional<value_type> random_member(const key_type& key) {
        return read(key, [&](const zset_type* z) -> std::optional<value_type> {
            if (!z || z->empty()) return std::nullopt;
            return *z->random_member();
        });
    }
    /// ZSCAN key cursor [COUNT count]: Redis's loop, one bucket at a time until `count`
    /// elements are collected, the scan ends, or count * 10 buckets were looked at. Returns
    /// the next cursor (0: done) and the elements. MATCH is the caller's filter.
    [[nodiscard]] std::pair<std::uint64_t, std::vector<value_type>> scan(const key_type& key,
                                                                         std::uint64_t cursor,
                                                                         size_type count = 10) {
        return read(key, [&](const zset_type* z) {
            std::pair<std::uint64_t, std::vector<value_type>> out{0, {}};
            if (!z) return out;
            std::size_t budget = std::max<size_type>(count, 1) * 10;
            do {
                cursor = z->scan(cursor, [&](const value_type& v) { out.second.push_back(v); });
            } while (cursor && --budget && out.second.size() < count);
            out.first = cursor;
            return out;
        });
    }
    /// A copy of the key's set, or nullopt. O(N). Allocates.
    [[nodiscard]] std::optional<zset_type> get(const key_type& key) {
        return read(key, [](const zset_type* z) { return z ? std::optional<zset_type>(*z) : std::nullopt; });
    }
    /// `f(const zset_type*)` (nullptr: absent) under the key's shard lock, returning what `f`
    /// returns: for reading without copying (e.g. writing a reply). `f` must not call into
    /// the store or keep the pointer.
    template <class F>
    decltype(auto) visit(const key_type& key, F&& f) {
        return read(key, std::forward<F>(f));
    }

    // ------------------------------------------------------------------ pops, range removal

    /// ZPOPMIN key [count]: up to `count` lowest elements, ascending. O(M). Event "zpopmin".
    std::vector<value_type> pop_min(const key_type& key, size_type count = 1) {
        return pop_one_key(key, ZEnd::min, count);
    }
    /// ZPOPMAX key [count]: up to `count` highest elements, descending. O(M log N). Event "zpopmax".
    std::vector<value_type> pop_max(const key_type& key, size_type count = 1) {
        return pop_one_key(key, ZEnd::max, count);
    }
    /// ZMPOP numkeys key ... MIN|MAX [COUNT count]: pops up to `count` elements from the first
    /// of `keys` that holds a set, and returns that key with them; nullopt if none does.
    /// Throws std::invalid_argument if `count` is 0 (Redis: "count should be greater than 0").
    std::optional<std::pair<key_type, std::vector<value_type>>> pop(std::span<const key_type> keys,
                                                                    ZEnd end, size_type count = 1) {
        if (count == 0) throw std::invalid_argument("cachet::ZSetStore::pop: count should be greater than 0");
        if (keys.empty()) return std::nullopt;
        return this->with_refs(keys, [&](auto& refs) -> std::optional<std::pair<key_type, std::vector<value_type>>> {
            for (std::size_t i = 0; i < keys.size(); ++i) {
                if (!refs[i].exists()) continue;
                zset_type* z = refs[i].get();
                auto got = end == ZEnd::min ? z->pop_min(count) : z->pop_max(count);
                refs[i].event(pop_event(end));
                return std::pair<key_type, std::vector<value_type>>(keys[i], std::move(got));
            }
            return std::nullopt;
        });
    }

    /// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX: returns how many were removed.
    /// O(log N + M). Events "zremrangebyrank" / "zremrangebyscore" / "zremrangebylex" if any.
    size_type remove_range_by_rank(const key_type& key, long long start, long long stop) {
        return remove_range(key, "zremrangebyrank",
                            [&](const zset_type& z) { return rank_range_size(z.size(), start, stop) != 0; },
                            [&](zset_type& z) { return z.remove_range_by_rank(start, stop); });
    }
    size_type remove_range_by_score(const key_type& key, const score_range& range) {
        return remove_range(key, "zremrangebyscore",
                            [&](const zset_type& z) { return z.count(range) != 0; },
                            [&](zset_type& z) { return z.remove_range_by_score(range); });
    }
    size_type remove_range_by_lex(const key_type& key, const lex_range& range) {
        return remove_range(key, "zremrangebylex",
                            [&](const zset_type& z) { return z.lex_count(range) != 0; },
                            [&](zset_type& z) { return z.remove_range_by_lex(range); });
    }

    // ------------------------------------------------------------------ several keys

    /// ZUNIONSTORE dst numkeys key ... [WEIGHTS ...] [AGGREGATE ...]: stores `union_of` the
    /// keys' sets in `dst` (replacing whatever it held; no TTL) and returns its size; an empty
    /// result deletes `dst`. `dst` may be one of `keys`. Throws std::invalid_argument for a
    /// weight count other than 0 or keys.size(). Event "zunionstore".
    size_type union_store(const key_type& dst, std::span<const key_type> keys,
                          std::span<const score_type> weights = {}, ZAggregate how = ZAggregate::sum) {
        return store_result(dst, keys, "zunionstore", [&](std::span<const zset_type* const> sets) {
            return union_of(sets, weights, how);
        });
    }
    /// ZINTERSTORE: as `union_store`, with `intersection_of`. Event "zinterstore".
    size_type inter_store(const key_type& dst, std::span<const key_type> keys,
                          std::span<const score_type> weights = {}, ZAggregate how = ZAggregate::sum) {
        return store_result(dst, keys, "zinterstore", [&](std::span<const zset_type* const> sets) {
            return intersection_of(sets, weights, how);
        });
    }
    /// ZDIFFSTORE: as `union_store`, with `difference_of`. Event "zdiffstore".
    size_type diff_store(const key_type& dst, std::span<const key_type> keys) {
        return store_result(dst, keys, "zdiffstore", [&](std::span<const zset_type* const> sets) {
            return difference_of(sets);
        });
    }
    /// ZUNION / ZINTER / ZDIFF: the result without storing it. Allocates.
    [[nodiscard]] zset_type union_of_keys(std::span<const key_type> keys,
                                          std::span<const score_type> weights = {},
                                          ZAggregate how = ZAggregate::sum) {
        return combine(keys, [&](std::span<const zset_type* const> sets) { return union_of(sets, weights, how); });
    }
    [[nodiscard]] zset_type inter_of_keys(std::span<const key_type> keys,
                                          std::span<const score_type> weights = {},
                                          ZAggregate how = ZAggregate::sum) {
        return combine(keys, [&](std::span<const zset_type* const> sets) {
            return intersection_of(sets, weights, how);
        });
    }
    [[nodiscard]] zset_type diff_of_keys(std::span<const key_type> keys) {
        return combine(keys, [&](std::span<const zset_type* const> sets) { return difference_of(sets); });
    }
    /// ZINTERCARD numkeys key ... [LIMIT limit] (0: no limit).
    [[nodiscard]] size_type inter_card(std::span<const key_type> keys, size_type limit = 0) {
        return combine(keys, [&](std::span<const zset_type* const> sets) {
            return intersection_size(sets, limit);
        });
    }

    /// ZRANGESTORE dst src start stop [REV]: stores the rank range of `src` in `dst`
    /// (replacing it; no TTL) and returns its size; an empty range deletes `dst`. Event
    /// "zrangestore".
    size_type range_store_by_rank(const key_type& dst, const key_type& src, long long start,
                                  long long stop, bool reverse = false) {
        return range_store(dst, src, [&](const zset_type& z, auto&& f) {
            z.visit_range_by_rank(start, stop, reverse, f);
        });
    }
    /// ZRANGESTORE dst src min max BYSCORE [REV] [LIMIT offset count].
    size_type range_store_by_score(const key_type& dst, const key_type& src, const score_range& range,
                                   long long offset = 0, long long count = -1, bool reverse = false) {
        return range_store(dst, src, [&](const zset_type& z, auto&& f) {
            z.visit_range_by_score(range, offset, count, reverse, f);
        });
    }
    /// ZRANGESTORE dst src min max BYLEX [REV] [LIMIT offset count].
    size_type range_store_by_lex(const key_type& dst, const key_type& src, const lex_range& range,
                                 long long offset = 0, long long count = -1, bool reverse = false) {
        return range_store(dst, src, [&](const zset_type& z, auto&& f) {
            z.visit_range_by_lex(range, offset, count, reverse, f);
        });
    }

    // ------------------------------------------------------------------ blocking pops

    /// BZPOPMIN key ... timeout: pops the lowest element of the first of `keys` that holds a
    /// set, or, if none does, blocks until an add gives one of them elements, `timeout` passes
    /// (zero: no limit, as BZPOPMIN 0) or `stop` is requested. Returns (key, member, score), or
    /// nullopt on timeout or cancellation. Consumers blocked on a key are served in the order
    /// they blocked, and each element goes to exactly one of them. Throws
    /// std::invalid_argument for a negative timeout or no keys. O(k log k) for k keys to check
    /// and register; the wait is timed against std::chrono::steady_clock (not the store's
    /// clock). A pop served by a producer is not announced as a separate "zpopmin" event.
    template <class Rep, class Period>
    std::optional<std::tuple<key_type, member_type, score_type>> pop_min_wait(
        std::span<const key_type> keys, std::chrono::duration<Rep, Period> timeout,
        std::stop_token stop = {}) {
        return pop_one_wait(keys, ZEnd::min, deadline_after(timeout), std::move(stop));
    }
    template <class Rep, class Period>
    std::optional<std::tuple<key_type, member_type, score_type>> pop_min_wait(
        std::initializer_list<key_type> keys, std::chrono::duration<Rep, Period> timeout,
        std::stop_token stop = {}) {
        return pop_one_wait(std::span<const key_type>(keys.begin(), keys.size()), ZEnd::min,
                            deadline_after(timeout), std::move(stop));
    }
    template <class Rep, class Period>
    std::optional<std::tuple<key_type, member_type, score_type>> pop_min_wait(
        const key_type& key, std::chrono::duration<Rep, Period> timeout, std::stop_token stop = {}) {
        return pop_one_wait(std::span<const key_type>(&key, 1), ZEnd::min, deadline_after(timeout),
                            std::move(stop));
    }
    /// BZPOPMAX: as `pop_min_wait`, popping the highest element.
    template <class Rep, class Period>
    std::optional<std::tuple<key_type, member_type, score_type>> pop_max_wait(
        std::span<const key_type> keys, std::chrono::duration<Rep, Period> timeout,
        std::stop_token stop = {}) {
        return pop_one_wait(keys, ZEnd::max, deadline_after(timeout), std::move(stop));
    }
    template <class Rep, class Period>
    std::optional<std::tuple<key_type, member_type, score_type>> pop_max_wait(
        std::initializer_list<key_type> keys, std::chrono::duration<Rep, Period> timeout,
        std::stop_token stop = {}) {
        return pop_one_wait(std::span<const key_type>(keys.begin(), keys.size()), ZEnd::max,
                            deadline_after(timeout), std::move(stop));
    }
    template <class Rep, class Period>
    std::optional<std::tuple<key_type, member_type, score_type>> pop_max_wait(
        const key_type& key, std::chrono::duration<Rep, Period> timeout, std::stop_token stop = {}) {
        return pop_one_wait(std::span<const key_type>(&key, 1), ZEnd::max, deadline_after(timeout),
                            std::move(stop));
    }
    /// BZMPOP timeout numkeys key ... MIN|MAX [COUNT count]: as `pop` (ZMPOP), blocking as
    /// `pop_min_wait` does when no key holds a set. Throws std::invalid_argument for count 0, a
    /// negative timeout or no keys.
    template <class Rep, class Period>
    std::optional<std::pair<key_type, std::vector<value_type>>> pop_wait(
        std::span<const key_type> keys, ZEnd end, size_type count,
        std::chrono::duration<Rep, Period> timeout, std::stop_token stop = {}) {
        if (count == 0) throw std::invalid_argument("cachet::ZSetStore::pop_wait: count should be greater than 0");
        check_keys(keys);
        const auto deadline = deadline_after(timeout);
        PopWaiter w(keys, end, count);
        const bool got = block(w, keys, deadline, std::move(stop), [&](auto& refs) {
            for (std::size_t i = 0; i < keys.size(); ++i) {
                if (!refs[i].exists()) continue;
                zset_type* z = refs[i].get();
                w.m_many = end == ZEnd::min ? z->pop_min(count) : z->pop_max(count);
                w.m_key_index = i;
                refs[i].event(pop_event(end));
                return true;
            }
            return false;
        });
        if (!got) return std::nullopt;
        if (w.m_error) std::rethrow_exception(w.m_error);
        return std::pair<key_type, std::vector<value_type>>(keys[w.m_key_index], std::move(w.m_many));
    }

private:
    using consumer_base = detail::ThreadConsumer<key_type, zset_type>;

    template <class F>
    decltype(auto) read(const key_type& key, F&& f) {
        return this->m_backend.read(key, std::forward<F>(f));
    }

    /// Redis's rank sanitizing: how many ranks [start, stop] covers in a set of `len`.
    static size_type rank_range_size(size_type len, long long start, long long stop) noexcept {
        const auto n = static_cast<long long>(len);
        if (start < 0) start += n;
        if (stop < 0) stop += n;
        if (start < 0) start = 0;
        if (start > stop || start >= n) return 0;
        if (stop >= n) stop = n - 1;
        return static_cast<size_type>(stop - start) + 1;
    }

    static constexpr const char* pop_event(ZEnd end) noexcept {
        return end == ZEnd::min ? "zpopmin" : "zpopmax";
    }

    std::vector<value_type> pop_one_key(const key_type& key, ZEnd end, size_type count) {
        if (count == 0) return {};
        return this->m_backend.write(key, [&](auto& ref) -> std::vector<value_type> {
            zset_type* z = ref.get();
            if (!z) return {};
            auto out = end == ZEnd::min ? z->pop_min(count) : z->pop_max(count);
            ref.event(pop_event(end));
            return out;
        });
    }

    template <class Any, class Remove>
    size_type remove_range(const key_type& key, std::string_view event, Any&& any, Remove&& remove) {
        return this->m_backend.write(key, [&](auto& ref) -> size_type {
            const zset_type* cz = ref.peek();
            if (!cz || !any(*cz)) return 0;
            const size_type n = remove(*ref.get());
            ref.event(event);
            return n;
        });
    }

    /// Computes `op(sets)` over the sources (nullptr for absent keys) with all keys locked.
    template <class Op>
    auto combine(std::span<const key_type> keys, Op&& op) {
        if (keys.empty()) return op(std::span<const zset_type* const>{});
        return this->with_refs(keys, [&](auto& refs) {
            std::vector<const zset_type*> sets(keys.size());
            for (std::size_t i = 0; i < keys.size(); ++i) sets[i] = refs[i].read();
            return op(std::span<const zset_type* const>(sets));
        });
    }

    /// dst = op(sets of keys), with dst and keys locked together.
    template <class Op>
    size_type store_result(const key_type& dst, std::span<const key_type> keys, std::string_view event,
                           Op&& op) {
        std::vector<key_type> all;
        all.reserve(keys.size() + 1);
        all.push_back(dst);
        all.insert(all.end(), keys.begin(), keys.end());
        return this->m_backend.write_many(std::span<const key_type>(all), [&](auto& refs) -> size_type {
            std::vector<const zset_type*> sets(keys.size());
            for (std::size_t i = 0; i < keys.size(); ++i) sets[i] = refs[i + 1].read();
            zset_type result = op(std::span<const zset_type* const>(sets));
            return refs[0].store(std::move(result), event);
        });
    }

    template <class Visit>
    size_type range_store(const key_type& dst, const key_type& src, Visit&& visit_range) {
        const key_type both[2] = {dst, src};
        return this->m_backend.write_many(std::span<const key_type>(both), [&](auto& refs) -> size_type {
            zset_type result;
            if (const zset_type* z = refs[1].read()) {
                // In range order, so each add lands at the end of the list or near it.
                visit_range(*z, [&](const value_type& v) { result.add(v.first, v.second); });
            }
            return refs[0].store(std::move(result), "zrangestore");
        });
    }

    static void check_keys(std::span<const key_type> keys) {
        if (keys.empty()) throw std::invalid_argument("cachet::ZSetStore: no keys to wait on");
    }
    template <class Rep, class Period>
    static std::optional<std::chrono::steady_clock::time_point> deadline_after(
        std::chrono::duration<Rep, Period> timeout) {
        return detail::wait_deadline(timeout, "cachet::ZSetStore: timeout is negative");
    }

    /// A thread blocked in a pop: `take` pops under the producer's lock.
    class PopWaiter final : public consumer_base {
    public:
        PopWaiter(std::span<const key_type> keys, ZEnd end, size_type count) noexcept
            : m_keys(keys), m_end(end), m_count(count) {}

        void take(const key_type& key, zset_type& z) noexcept override {
            try {
                const typename Backend::key_equal eq{};
                for (std::size_t i = 0; i < m_keys.size(); ++i) {
                    if (eq(m_keys[i], key)) {
                        m_key_index = i;
                        break;
                    }
                }
                if (m_count == 0) m_one = m_end == ZEnd::min ? z.pop_min() : z.pop_max();
                else m_many = m_end == ZEnd::min ? z.pop_min(m_count) : z.pop_max(m_count);
            } catch (...) {
                // The vector could not be allocated: the error reaches the waiting thread
                // (take must not throw into the producer's write); nothing was popped.
                m_error = std::current_exception();
            }
        }

        std::span<const key_type> m_keys;
        ZEnd m_end;
        size_type m_count;  ///< 0: one element into m_one
        std::size_t m_key_index = 0;
        std::optional<value_type> m_one;
        std::vector<value_type> m_many;
        std::exception_ptr m_error;
    };

    std::optional<std::tuple<key_type, member_type, score_type>> pop_one_wait(
        std::span<const key_type> keys, ZEnd end,
        std::optional<std::chrono::steady_clock::time_point> deadline, std::stop_token stop) {
        check_keys(keys);
        PopWaiter w(keys, end, 0);
        const bool got = block(w, keys, deadline, std::move(stop), [&](auto& refs) {
            for (std::size_t i = 0; i < keys.size(); ++i) {
                if (!refs[i].exists()) continue;
                zset_type* z = refs[i].get();  // a Database throws its wrong-type error here
                w.m_one = end == ZEnd::min ? z->pop_min() : z->pop_max();
                w.m_key_index = i;
                refs[i].event(pop_event(end));
                return true;
            }
            return false;
        });
        if (!got) return std::nullopt;
        if (w.m_error) std::rethrow_exception(w.m_error);
        if (!w.m_one) return std::nullopt;
        return std::tuple<key_type, member_type, score_type>(
            keys[w.m_key_index], std::move(w.m_one->first), w.m_one->second);
    }

    /// The blocking protocol (detail/wait_registry.hpp), as Redis checks BZPOPMIN's keys: under
    /// all the keys' shard locks, `try_now(refs)` pops from the first key that holds a set;
    /// if none does, the consumer registers on each distinct key before the locks are released,
    /// so a producer either ran before (and `try_now` saw its elements) or finds the
    /// registration. Then waits until served, the deadline passes or `stop` is requested.
    /// Returns true if `w` got something. The consumer is unregistered (and, if claimed,
    /// finished) before this returns or throws.
    template <class TryNow>
    bool block(PopWaiter& w, std::span<const key_type> keys,
               std::optional<std::chrono::steady_clock::time_point> deadline, std::stop_token stop,
               TryNow&& try_now) {
        auto& registry = this->m_backend.waiters();
        bool served = false;
        try {
            const bool at_once = this->with_refs(keys, [&](auto& refs) {
                if (try_now(refs)) return true;
                const typename Backend::key_equal eq{};
                for (std::size_t i = 0; i < keys.size(); ++i) {
                    bool seen = false;
                    for (std::size_t j = 0; j < i && !seen; ++j) seen = eq(keys[j], keys[i]);
                    if (!seen) registry.add(keys[i], &w);
                }
                return false;
            });
            if (at_once) return true;
            served = w.wait(deadline, std::move(stop));
        } catch (...) {
            // try_now threw (a wrong type) before registering, or registration failed part-way
            // (allocation): cancel, or, if a producer claimed the consumer meanwhile through a
            // key it did register on, wait for its finish and keep what it got.
            served = w.wait(std::chrono::steady_clock::now());
            registry.remove(&w);
            if (served) return true;
            throw;
        }
        registry.remove(&w);
        return served;
    }
};

/// The options of a `ZSetStore<K, Member>`.
template <class K, class Member>
using ZSetOptions = StoreOptions<K, SortedSet<Member>>;

/// `ZSetStore<K, Member>`: a `SortedSet<Member>` (double scores) per key on a `Keyspace`.
///
/// ```cpp
/// cachet::ZSetStore<std::string, std::string> boards;
/// boards.add("game:1", "alice", 310);
/// boards.add("game:1", "bob", 270);
/// auto top = boards.range_by_rank("game:1", 0, 9, /*reverse=*/true);   // the top 10
/// auto r = boards.reverse_rank("game:1", "bob");                         // 1 (0-based)
/// ```
template <class K, class Member, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>,
          Clock C = SteadyClock, class Mutex = SpinMutex>
using ZSetStore = BasicZSetStore<detail::OwnedBackend<K, SortedSet<Member>, Hash, KeyEqual, C, Mutex>>;

CACHET_NAMESPACE_END

#endif  // CACHET_SORTED_SET_HPP
