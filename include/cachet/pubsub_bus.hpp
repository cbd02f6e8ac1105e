#ifndef CACHET_PUBSUB_BUS_HPP
#define CACHET_PUBSUB_BUS_HPP

/// `PubSubBus<Msg>`: in-process publish/subscribe between threads with Redis's semantics
/// (SUBSCRIBE, PSUBSCRIBE with Redis glob patterns, PUBLISH returning the receiver count,
/// PUBSUB CHANNELS / NUMSUB / NUMPAT), RAII `Subscription` handles and bounded inboxes.
///
/// Structure. The subscriber table is an immutable snapshot (`std::shared_ptr<const Table>`),
/// replaced copy-on-write under a writer mutex when a subscription is added or removed; a
/// publisher copies the snapshot pointer (one short spin-locked section and a reference-count
/// increment) and then delivers without holding any lock, so handlers may publish, subscribe
/// and unsubscribe freely. The table holds a hash map channel -> subscriptions, and the
/// pattern subscriptions bucketed by the first byte of their literal prefix (the bytes before
/// the first glob metacharacter; patterns starting with one go to a catch-all bucket).
/// Matching patterns: the list of pattern subscriptions that match a channel name is cached
/// per channel in the pattern table (8 lock-striped shards of at most 1,024 names each; a full
/// shard is cleared). The cache lives in the snapshot, so any pattern (un)subscription, which
/// makes a new snapshot, invalidates it. On a cache miss only the patterns in the channel's
/// first-byte bucket and the catch-all bucket are examined, and each is glob-matched only if
/// the channel starts with its literal prefix. So a publish costs O(1) expected plus O(M)
/// deliveries (M = receivers) on a hit, and O(P' * L) on a miss (P' = candidate patterns,
/// L = channel length).
///
/// Unsubscribing follows Redis's ae.c: the subscription is marked dead at once (an atomic
/// flag every delivery checks after announcing itself in an in-flight counter) and reaped from
/// the table afterwards; `unsubscribe()` then waits until no call of its handler is running
/// on another thread, so once it returns no handler call is running or will start. Called
/// from inside its own handler it does not wait for that call (the caller's own), and returns.
/// A handle and its bus share the bus's control block, so a handle may outlive the bus.
///
/// Delivery modes, per subscription:
///   - inline: the handler runs on the publisher's thread, receiving `const Msg&`;
///   - inbox: the message is moved (or copied) into a bounded lock-free queue (Vyukov's
///     bounded MPMC ring: one CAS per push and per pop, no lock on the fast path) that the
///     subscriber drains with `pop()`, `pop_for()`, `try_pop()` or `run(stop_token)`. A
///     consumer with nothing to do sleeps on a condition variable that publishers signal only
///     when someone sleeps. When the inbox is full, `Overflow` decides: block the publisher
///     (up to `block_timeout`, then drop), drop the oldest, drop the newest, or close the
///     subscription (Redis's client-output-buffer-limit). Drops are counted (`dropped()`).
///
/// Ordering: messages published on one channel by one thread reach each subscription in
/// publish order (per channel, per publisher FIFO). Nothing is promised across subscriptions
/// or across publishers.
///
/// Large messages: a publish hands inline handlers a `const Msg&` (no copy), copies the message
/// into every receiving inbox but the last, and moves it into the last one. To fan out a large
/// payload without copies, publish a shared immutable payload: `PubSubBus<SharedMessage<T>>`
/// (`std::shared_ptr<const T>`), where each inbox copy is a reference-count increment.
/// Inbox subscriptions require a copy-constructible `Msg`; inline ones only a movable one.
///
/// Errors: an exception thrown by a handler is caught, counted (`handler_errors()`), and
/// passed to the error hook (`set_error_handler`); delivery to the others continues.
///
/// Thread-safety: every member function of the bus and of `Subscription` is thread-safe (a
/// `Subscription` object itself, like any object, must not be moved or destroyed while another
/// thread uses it). Known limit: two handlers running on two threads that each unsubscribe the
/// other wait for each other forever (as two threads joining each other would).

#include <cachet/detail/config.hpp>
#include <cachet/detail/glob.hpp>
#include <cachet/mutex.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN

/// A shared immutable payload: publish one of these to fan a large message out to many
/// subscribers without copying it (`PubSubBus<SharedMessage<Order>>`).
template <class T>
using SharedMessage = std::shared_ptr<const T>;

/// What a full inbox does with a new message.
enum class Overflow : unsigned char {
    block,        ///< the publisher waits for room, up to `block_timeout`; then the message is
                  ///< dropped (counted) and not delivered
    drop_oldest,  ///< the oldest queued message is discarded (counted); the new one is delivered
    drop_newest,  ///< the new message is discarded (counted) and not delivered
    close,        ///< the subscription is closed (the message counted as dropped): no further
                  ///< deliveries; what is queued can still be popped, then pops return nothing
};

/// Options of an inbox subscription.
struct InboxOptions {
    std::size_t capacity = 1024;  ///< at most this many queued messages (>= 1)
    Overflow overflow = Overflow::block;
    std::chrono::nanoseconds block_timeout = std::chrono::milliseconds(100);  ///< for `block`
};

namespace detail {

/// Bounded multi-producer multi-consumer ring (D. Vyukov's bounded MPMC queue): each cell has
/// a sequence number saying whose turn it is; push and pop each claim a position with one CAS.
/// Any capacity >= 1 (a power of two uses a mask, others a modulo). Lock-free, not wait-free.
/// Sequence numbers are doubled (free for position p: 2p; full: 2p + 1) so that a ring of
/// capacity 1 can tell "full for p" from "free for p + 1", which the original cannot.
template <class T>
class MpmcRing {
public:
    explicit MpmcRing(std::size_t capacity)
        : m_capacity(capacity),
          m_mask(std::has_single_bit(capacity) ? capacity - 1 : 0),
          m_cells(new Cell[capacity]) {
        for (std::size_t i = 0; i < capacity; ++i) m_cells[i].seq.store(2 * i, std::memory_order_relaxed);
    }
    MpmcRing(const MpmcRing&) = delete;
    MpmcRing& operator=(const MpmcRing&) = delete;
    ~MpmcRing() {
        while (try_pop()) {
        }
    }

    /// Moves `value` in if there is room (on failure `value` is untouched). O(1), lock-free.
    bool try_push(T& value) {
        std::size_t pos = m_tail.load(std::memory_order_relaxed);
        Cell* cell;
        for (;;) {
            cell = &m_cells[index(pos)];
            const std::size_t seq = cell->seq.load(std::memory_order_acquire);
            const auto diff = static_cast<std::ptrdiff_t>(seq - 2 * pos);
            if (diff == 0) {
                if (m_tail.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
            } else if (diff < 0) {
                return false;  // full
            } else {
                pos = m_tail.load(std::memory_order_relaxed);
            }
        }
        // If the move throws, the cell is still marked as free for `pos` and the claimed
        // position is lost, which would wedge the ring; so we require nothrow moves (checked
        // by the bus's static_assert on inbox use).
        ::new (static_cast<void*>(cell->storage)) T(std::move(value));
        cell->seq.store(2 * pos + 1, std::memory_order_release);
        return true;
    }

    /// Pops the oldest element, if any. O(1), lock-free.
    std::optional<T> try_pop() {
        std::size_t pos = m_head.load(std::memory_order_relaxed);
        Cell* cell;
        for (;;) {
            cell = &m_cells[index(pos)];
            const std::size_t seq = cell->seq.load(std::memory_order_acquire);
            const auto diff = static_cast<std::ptrdiff_t>(seq - (2 * pos + 1));
            if (diff == 0) {
                if (m_head.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
            } else if (diff < 0) {
                return std::nullopt;  // empty
            } else {
                pos = m_head.load(std::memory_order_relaxed);
            }
        }
        T* p = std::launder(reinterpret_cast<T*>(cell->storage));
        std::optional<T> out(std::move(*p));
        p->~T();
        cell->seq.store(2 * (pos + m_capacity), std::memory_order_release);
        return out;
    }

    /// Approximate number of elements (exact when no push or pop is in progress).
    [[nodiscard]] std::size_t size_approx() const noexcept {
        const std::size_t t = m_tail.load(std::memory_order_acquire);
        const std::size_t h = m_head.load(std::memory_order_acquire);
        return t > h ? t - h : 0;
    }
    [[nodiscard]] std::size_t capacity() const noexcept { return m_capacity; }

private:
    struct Cell {
        std::atomic<std::size_t> seq{0};
        alignas(T) unsigned char storage[sizeof(T)];
    };
    [[nodiscard]] std::size_t index(std::size_t pos) const noexcept {
        return m_mask != 0 || m_capacity == 1 ? (pos & m_mask) : pos % m_capacity;
    }

    const std::size_t m_capacity;
    const std::size_t m_mask;  ///< capacity - 1 when capacity is a power of two, else 0
    std::unique_ptr<Cell[]> m_cells;
    alignas(cache_line) std::atomic<std::size_t> m_tail{0};  ///< next position to push
    alignas(cache_line) std::atomic<std::size_t> m_head{0};  ///< next position to pop
    char m_pad[cache_line - sizeof(std::atomic<std::size_t>)] = {};
};

/// One frame per handler call running on this thread, so that `unsubscribe()` called from a
/// handler knows how many calls of that subscription are its own callers (and need no wait).
struct DeliveryFrame {
    const void* sub;
    DeliveryFrame* prev;
};
inline thread_local DeliveryFrame* tl_delivery = nullptr;

struct TransparentStringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

}  // namespace detail

/// Satisfied by handlers callable as `f(const Msg&)` or `f(std::string_view channel, const Msg&)`.
template <class F, class Msg>
concept PubSubHandler = std::is_invocable_v<F&, const Msg&> ||
                        std::is_invocable_v<F&, std::string_view, const Msg&>;

template <class Msg>
class PubSubBus {
    static_assert(std::is_move_constructible_v<Msg>, "PubSubBus<Msg>: Msg must be movable");

public:
    using message_type = Msg;
    using size_type = std::size_t;
    /// Called with the exception a handler threw and the channel it was delivering.
    using error_handler = std::function<void(std::exception_ptr, std::string_view channel)>;

    /// A message taken from an inbox: the channel it was published on, and the message.
    struct Envelope {
        std::string channel;
        Msg message;
    };

private:
    using Handler = std::function<void(std::string_view, const Msg&)>;
    enum class InboxState : unsigned char { open, closed, unsubscribed };

    struct Inbox {
        explicit Inbox(const InboxOptions& o) : options(o), ring(o.capacity) {}
        InboxOptions options;
        detail::MpmcRing<Envelope> ring;
        std::atomic<InboxState> state{InboxState::open};
        std::atomic<std::size_t> dropped{0};
        // Set by a consumer (publisher) about to sleep, under `m`; the first publisher
        // (consumer) to see it clears it and wakes the sleepers, so a burst of pushes to a
        // sleeping consumer pays for one wake-up, not one per message.
        std::atomic<bool> consumer_asleep{false};
        std::atomic<bool> producer_asleep{false};
        std::mutex m;
        std::condition_variable cv_items;  ///< consumers sleep here
        std::condition_variable cv_space;  ///< blocked publishers sleep here

        void wake_all() {
            std::lock_guard<std::mutex> g(m);
            cv_items.notify_all();
            cv_space.notify_all();
        }
        void after_push() {
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (consumer_asleep.load(std::memory_order_relaxed) && consumer_asleep.exchange(false)) {
                std::lock_guard<std::mutex> g(m);
                cv_items.notify_all();
            }
        }
        /// After a successful pop: wakes blocked publishers once the ring is at most half full
        /// (hysteresis: a woken publisher has room for a burst, not one message per wake-up).
        /// The flag is first read without a fence, so a pop pays no fence while nobody is
        /// blocked; a stale read is caught by `after_empty()`, which a consumer always runs
        /// (with a fence) before it idles, so a blocked publisher is never left asleep beside a
        /// drained ring. A consumer that stops popping lets blocked publishers time out.
        void after_pop() {
            if (!producer_asleep.load(std::memory_order_relaxed)) return;
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (ring.size_approx() <= ring.capacity() / 2 && producer_asleep.exchange(false)) {
                std::lock_guard<std::mutex> g(m);
                cv_space.notify_all();
            }
        }
        /// After a pop found the ring empty (see `after_pop`).
        void after_empty() {
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (producer_asleep.load(std::memory_order_relaxed) && producer_asleep.exchange(false)) {
                std::lock_guard<std::mutex> g(m);
                cv_space.notify_all();
            }
        }
    };

    struct Sub {
        Sub(std::string n, bool pat, Handler h, const InboxOptions* io)
            : name(std::move(n)), pattern(pat), handler(std::move(h)) {
            if (io != nullptr) inbox = std::make_unique<Inbox>(*io);
        }
        const std::string name;
        const bool pattern;
        const Handler handler;  ///< empty for a pop-only inbox
        std::unique_ptr<Inbox> inbox;  ///< null for inline delivery
        std::atomic<bool> alive{true};
        std::atomic<std::uint32_t> in_flight{0};  ///< handler calls announced or running
        std::atomic<std::uint32_t> waiters{0};    ///< unsubscribers waiting for in_flight
        std::mutex m;
        std::condition_variable cv;
    };
    using SubPtr = std::shared_ptr<Sub>;
    using SubList = std::vector<SubPtr>;

    struct PatternEntry {
        std::string_view prefix;  ///< into sub->name
        SubPtr sub;
    };
    static constexpr std::size_t catch_all = 256;
    static constexpr std::size_t cache_shards = 8;
    static constexpr std::size_t cache_shard_limit = 1024;

    struct CacheShard {
        SpinMutex m;
        std::unordered_map<std::string, std::shared_ptr<const SubList>,
                           detail::TransparentStringHash, std::equal_to<>>
            map;
    };

    struct PatternTable {
        std::array<std::vector<PatternEntry>, 257> buckets;  ///< by first prefix byte; 256: none
        std::size_t count = 0;
        mutable std::array<CacheShard, cache_shards> cache;

        PatternTable() = default;
        PatternTable(const PatternTable& o) : buckets(o.buckets), count(o.count) {}  // no cache

        static std::size_t bucket_of(std::string_view prefix) noexcept {
            return prefix.empty() ? catch_all : static_cast<unsigned char>(prefix[0]);
        }

        /// The pattern subscriptions whose pattern matches `channel` (cached).
        std::shared_ptr<const SubList> matching(std::string_view channel) const {
            const std::size_t h = detail::TransparentStringHash{}(channel);
            CacheShard& shard = cache[(h >> 7) % cache_shards];
            {
                std::lock_guard<SpinMutex> g(shard.m);
                if (auto it = shard.map.find(channel); it != shard.map.end()) return it->second;
            }
            auto found = std::make_shared<SubList>();
            auto scan = [&](const std::vector<PatternEntry>& bucket) {
                for (const auto& e : bucket)
                    if (channel.starts_with(e.prefix) && detail::glob_match(e.sub->name, channel))
                        found->push_back(e.sub);
            };
            if (!channel.empty()) scan(buckets[static_cast<unsigned char>(channel[0])]);
            scan(buckets[catch_all]);
            std::shared_ptr<const SubList> result = std::move(found);
            std::lock_guard<SpinMutex> g(shard.m);
            if (shard.map.size() >= cache_shard_limit) shard.map.clear();
            shard.map.try_emplace(std::string(channel), result);
            return result;
        }
    };

    using ChannelMap = std::unordered_map<std::string, std::shared_ptr<const SubList>,
                                          detail::TransparentStringHash, std::equal_to<>>;
    struct Table {
        std::shared_ptr<const ChannelMap> channels = std::make_shared<const ChannelMap>();
        std::shared_ptr<const PatternTable> patterns = std::make_shared<const PatternTable>();
    };

    /// The control block shared by the bus and its handles.
    struct Core {
        std::mutex write_mutex;  ///< serialises table changes (copy-on-write)
        bool shut_down = false;  ///< guarded by write_mutex
        mutable SpinMutex snap_mutex;
        std::shared_ptr<const Table> table = std::make_shared<const Table>();
        std::mutex error_mutex;
        std::shared_ptr<const error_handler> on_error;
        std::atomic<std::size_t> errors{0};

        std::shared_ptr<const Table> snapshot() const {
            std::lock_guard<SpinMutex> g(snap_mutex);
            return table;
        }
        void install(std::shared_ptr<const Table> t) {
            std::lock_guard<SpinMutex> g(snap_mutex);
            table.swap(t);
            // `t` (the old table) is released after the spin lock, outside it.
        }

        void add(const SubPtr& s) {
            std::lock_guard<std::mutex> g(write_mutex);
            if (shut_down) {  // the bus is gone: the subscription starts closed
                s->alive.store(false);
                if (s->inbox) s->inbox->state.store(InboxState::closed);
                return;
            }
            auto cur = snapshot();
            auto next = std::make_shared<Table>(*cur);
            if (s->pattern) {
                auto pt = std::make_shared<PatternTable>(*cur->patterns);
                const auto prefix = detail::glob_literal_prefix(s->name);
                pt->buckets[PatternTable::bucket_of(prefix)].push_back({prefix, s});
                ++pt->count;
                next->patterns = std::move(pt);
            } else {
                auto cm = std::make_shared<ChannelMap>(*cur->channels);
                auto& slot = (*cm)[s->name];
                auto list = slot ? std::make_shared<SubList>(*slot) : std::make_shared<SubList>();
                list->push_back(s);
                slot = std::move(list);
                next->channels = std::move(cm);
            }
            install(std::move(next));
        }

        /// Reaps `s` from the table (it is already marked dead). O(S) for its channel's list or
        /// O(P) for patterns, plus the copy of the channel map or of the pattern table.
        void remove(Sub* s) {
            std::lock_guard<std::mutex> g(write_mutex);
            auto cur = snapshot();
            auto next = std::make_shared<Table>(*cur);
            if (s->pattern) {
                const auto& bucket =
                    cur->patterns->buckets[PatternTable::bucket_of(detail::glob_literal_prefix(s->name))];
                if (std::none_of(bucket.begin(), bucket.end(),
                                 [&](const PatternEntry& e) { return e.sub.get() == s; }))
                    return;
                auto pt = std::make_shared<PatternTable>(*cur->patterns);
                auto& b = pt->buckets[PatternTable::bucket_of(detail::glob_literal_prefix(s->name))];
                b.erase(std::find_if(b.begin(), b.end(),
                                     [&](const PatternEntry& e) { return e.sub.get() == s; }));
                --pt->count;
                next->patterns = std::move(pt);
            } else {
                auto it = cur->channels->find(s->name);
                if (it == cur->channels->end()) return;
                const SubList& old = *it->second;
                auto pos = std::find_if(old.begin(), old.end(),
                                        [&](const SubPtr& p) { return p.get() == s; });
                if (pos == old.end()) return;
                auto cm = std::make_shared<ChannelMap>(*cur->channels);
                if (old.size() == 1) {
                    cm->erase(s->name);
                } else {
                    auto list = std::make_shared<SubList>(old);
                    list->erase(list->begin() + (pos - old.begin()));
                    (*cm)[s->name] = std::move(list);
                }
                next->channels = std::move(cm);
            }
            install(std::move(next));
        }

        /// The bus is being destroyed: empty the table, close every inbox (queued messages can
        /// still be popped) and mark every subscription dead.
        void shut_down_all() {
            std::shared_ptr<const Table> old;
            {
                std::lock_guard<std::mutex> g(write_mutex);
                shut_down = true;
                old = snapshot();
                install(std::make_shared<const Table>());
            }
            auto close = [](Sub& s) {
                s.alive.store(false);
                if (s.inbox) {
                    auto expected = InboxState::open;
                    s.inbox->state.compare_exchange_strong(expected, InboxState::closed);
                    s.inbox->wake_all();
                }
            };
            for (const auto& [name, list] : *old->channels)
                for (const auto& s : *list) close(*s);
            for (const auto& bucket : old->patterns->buckets)
                for (const auto& e : bucket) close(*e.sub);
        }

        void report(std::string_view channel) noexcept {
            errors.fetch_add(1, std::memory_order_relaxed);
            try {
                std::shared_ptr<const error_handler> h;
                {
                    std::lock_guard<std::mutex> g(error_mutex);
                    h = on_error;
                }
                if (h && *h) (*h)(std::current_exception(), channel);
            } catch (...) {  // an error hook that throws is ignored
            }
        }

        /// Runs `s`'s handler for one message unless `s` is dead. Returns whether it ran.
        bool invoke(Sub& s, std::string_view channel, const Msg& msg) {
            s.in_flight.fetch_add(1, std::memory_order_seq_cst);
            if (!s.alive.load(std::memory_order_seq_cst)) {
                leave(s);
                return false;
            }
            detail::DeliveryFrame frame{&s, detail::tl_delivery};
            detail::tl_delivery = &frame;
            try {
                s.handler(channel, msg);
            } catch (...) {
                report(channel);
            }
            detail::tl_delivery = frame.prev;
            leave(s);
            return true;
        }
        static void leave(Sub& s) {
            s.in_flight.fetch_sub(1, std::memory_order_seq_cst);
            if (s.waiters.load(std::memory_order_seq_cst) > 0) {
                std::lock_guard<std::mutex> g(s.m);
                s.cv.notify_all();
            }
        }

        /// Pushes into `s`'s inbox by its overflow policy. Returns whether it was delivered.
        template <class M>
        bool push(const SubPtr& sp, std::string_view channel, M&& msg) {
            Inbox& box = *sp->inbox;
            if (box.state.load(std::memory_order_acquire) != InboxState::open) return false;
            Envelope env{std::string(channel), Msg(std::forward<M>(msg))};
            if (box.ring.try_push(env)) {
                box.after_push();
                return true;
            }
            switch (box.options.overflow) {
                case Overflow::drop_newest:
                    box.dropped.fetch_add(1, std::memory_order_relaxed);
                    return false;
                case Overflow::drop_oldest:
                    for (;;) {
                        if (box.ring.try_pop()) {
                            box.dropped.fetch_add(1, std::memory_order_relaxed);
                            box.after_pop();
                        }
                        if (box.ring.try_push(env)) {
                            box.after_push();
                            return true;
                        }
                    }
                case Overflow::close: {
                    box.dropped.fetch_add(1, std::memory_order_relaxed);
                    auto expected = InboxState::open;
                    if (box.state.compare_exchange_strong(expected, InboxState::closed)) {
                        sp->alive.store(false);
                        box.wake_all();
                        remove(sp.get());
                    }
                    return false;
                }
                case Overflow::block:
                    break;
            }
            const auto deadline = std::chrono::steady_clock::now() + box.options.block_timeout;
            // Delivered only if still subscribed after the push (an unsubscribe may have
            // drained the ring, making room, concurrently).
            auto pushed = [&] {
                if (!box.ring.try_push(env)) return false;
                box.after_push();
                return true;
            };
            auto still_open = [&] { return box.state.load(std::memory_order_seq_cst) == InboxState::open; };
            for (int i = 0; i < 64; ++i) {  // a consumer that is running frees room quickly
                std::this_thread::yield();
                if (!still_open()) return false;
                if (pushed()) return still_open();
            }
            std::unique_lock<std::mutex> lk(box.m);
            bool ok = false;
            for (;;) {
                box.producer_asleep.store(true, std::memory_order_seq_cst);
                std::atomic_thread_fence(std::memory_order_seq_cst);
                if (box.state.load(std::memory_order_acquire) != InboxState::open) break;
                if (box.ring.try_push(env)) {
                    ok = true;
                    break;
                }
                if (box.cv_space.wait_until(lk, deadline) == std::cv_status::timeout) {
                    ok = box.state.load() == InboxState::open && box.ring.try_push(env);
                    break;
                }
            }
            lk.unlock();
            if (ok) {
                box.after_push();
                return still_open();
            }
            if (still_open()) box.dropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
    };

public:
    /// A subscription's handle: move-only; destroying it unsubscribes (see `unsubscribe`).
    class [[nodiscard]] Subscription {
    public:
        Subscription() noexcept = default;
        Subscription(Subscription&& o) noexcept = default;
        Subscription& operator=(Subscription&& o) noexcept {
            if (this != &o) {
                unsubscribe();
                m_sub = std::move(o.m_sub);
                m_core = std::move(o.m_core);
            }
            return *this;
        }
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;
        ~Subscription() { unsubscribe(); }

        /// Stops delivery. Once it returns, no call of this subscription's handler is running
        /// (other than the caller's own, when called from inside the handler) and none will
        /// start; messages still queued in an inbox are discarded and pops return nothing.
        /// Blocks while the handler runs on other threads. Idempotent; the handle becomes empty.
        /// Complexity: O(S) (S = subscriptions on this channel, or P = pattern subscriptions)
        /// to reap it from the table. Never throws (if reaping cannot allocate, the dead entry
        /// stays in the table and is skipped by every publish). Thread-safe.
        void unsubscribe() noexcept {
            if (!m_sub) return;
            Sub& s = *m_sub;
            s.alive.store(false, std::memory_order_seq_cst);
            if (s.inbox) {
                s.inbox->state.store(InboxState::unsubscribed, std::memory_order_seq_cst);
                s.inbox->wake_all();
            }
            try {
                m_core->remove(&s);
            } catch (...) {  // bad_alloc: left for skipping, see above
            }
            std::uint32_t own = 0;
            for (auto* f = detail::tl_delivery; f != nullptr; f = f->prev)
                if (f->sub == &s) ++own;
            if (s.in_flight.load(std::memory_order_seq_cst) > own) {
                s.waiters.fetch_add(1, std::memory_order_seq_cst);
                {
                    std::unique_lock<std::mutex> lk(s.m);
                    s.cv.wait(lk, [&] { return s.in_flight.load(std::memory_order_seq_cst) <= own; });
                }
                s.waiters.fetch_sub(1, std::memory_order_seq_cst);
            }
            if (s.inbox && own == 0) {
                while (s.inbox->ring.try_pop()) {
                }
            }
            m_sub.reset();
            m_core.reset();
        }

        /// True while subscribed: not unsubscribed, not closed by its overflow policy, and the
        /// bus still exists. O(1), noexcept, thread-safe.
        [[nodiscard]] bool active() const noexcept { return m_sub && m_sub->alive.load(); }
        [[nodiscard]] explicit operator bool() const noexcept { return m_sub != nullptr; }
        /// The channel or pattern subscribed to ("" for an empty handle).
        [[nodiscard]] std::string_view name() const noexcept {
            return m_sub ? std::string_view(m_sub->name) : std::string_view{};
        }
        [[nodiscard]] bool is_pattern() const noexcept { return m_sub && m_sub->pattern; }
        [[nodiscard]] bool has_inbox() const noexcept { return m_sub && m_sub->inbox; }
        /// Messages dropped by the inbox's overflow policy (0 for inline). O(1), thread-safe.
        [[nodiscard]] std::size_t dropped() const noexcept {
            return has_inbox() ? m_sub->inbox->dropped.load(std::memory_order_relaxed) : 0;
        }
        /// True if the inbox was closed by `Overflow::close` or because the bus was destroyed.
        [[nodiscard]] bool closed() const noexcept {
            return has_inbox() && m_sub->inbox->state.load() != InboxState::open;
        }
        /// Queued messages, approximately (exact when nobody pushes or pops). O(1).
        [[nodiscard]] std::size_t size_approx() const noexcept {
            return has_inbox() ? m_sub->inbox->ring.size_approx() : 0;
        }

        /// Takes the oldest queued message if there is one. O(1), lock-free, no allocation
        /// besides the moved-out message. Throws std::logic_error on a handle without inbox.
        /// Thread-safe (several consumers may pop; each message goes to one of them).
        std::optional<Envelope> try_pop() {
            Inbox& box = inbox();
            if (box.state.load(std::memory_order_acquire) == InboxState::unsubscribed) return std::nullopt;
            auto e = box.ring.try_pop();
            if (e) {
                box.after_pop();
            } else {
                box.after_empty();
            }
            return e;
        }
        /// Waits for the next message. Returns nothing once the subscription is unsubscribed,
        /// or closed (overflow policy, bus destroyed) and drained. Throws std::logic_error on a
        /// handle without inbox. Thread-safe.
        std::optional<Envelope> pop() { return wait_pop(inbox(), nullptr, nullptr); }
        /// Like `pop()`, but gives up after `timeout` (steady clock).
        template <class Rep, class Period>
        std::optional<Envelope> pop_for(std::chrono::duration<Rep, Period> timeout) {
            const auto deadline = std::chrono::steady_clock::now() +
                                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
            return wait_pop(inbox(), &deadline, nullptr);
        }
        /// Dispatcher loop: pops messages and calls the handler given at subscription, on this
        /// thread, until `stop` is requested or the subscription ends (unsubscribed, or closed
        /// and drained). Handler exceptions go to the bus's error hook. Returns the number of
        /// messages dispatched. Throws std::logic_error without an inbox or a handler.
        std::size_t run(std::stop_token stop = {}) {
            (void)inbox();
            if (!m_sub->handler) throw std::logic_error("cachet::PubSubBus: run() needs a handler");
            // Local owners: the handler may unsubscribe (reset) this very handle.
            const SubPtr sub = m_sub;
            const std::shared_ptr<Core> core = m_core;
            std::size_t n = 0;
            while (auto e = wait_pop(*sub->inbox, nullptr, &stop)) {
                if (core->invoke(*sub, e->channel, e->message)) ++n;
            }
            return n;
        }

    private:
        friend class PubSubBus;
        Subscription(SubPtr s, std::shared_ptr<Core> c) noexcept
            : m_sub(std::move(s)), m_core(std::move(c)) {}

        Inbox& inbox() const {
            if (!has_inbox()) throw std::logic_error("cachet::PubSubBus: subscription has no inbox");
            return *m_sub->inbox;
        }

        static std::optional<Envelope> wait_pop(Inbox& box,
                                                const std::chrono::steady_clock::time_point* deadline,
                                                const std::stop_token* stop) {
            for (int i = 0; i < 256; ++i) {
                if (box.state.load(std::memory_order_acquire) == InboxState::unsubscribed)
                    return std::nullopt;
                if (auto e = box.ring.try_pop()) {
                    box.after_pop();
                    return e;
                }
                box.after_empty();
                if (box.state.load(std::memory_order_acquire) == InboxState::closed) return std::nullopt;
                if (stop != nullptr && stop->stop_requested()) return std::nullopt;
                if (i >= 64) std::this_thread::yield();
                else CACHET_DETAIL_PAUSE();
            }
            // Slow path: sleep until a publisher, an unsubscribe or a stop request wakes us.
            std::optional<std::stop_callback<std::function<void()>>> on_stop;
            if (stop != nullptr && stop->stop_possible())
                on_stop.emplace(*stop, std::function<void()>([&box] { box.wake_all(); }));
            std::optional<Envelope> out;
            {
                std::unique_lock<std::mutex> lk(box.m);
                for (;;) {
                    box.consumer_asleep.store(true, std::memory_order_seq_cst);
                    std::atomic_thread_fence(std::memory_order_seq_cst);
                    const auto st = box.state.load(std::memory_order_acquire);
                    if (st == InboxState::unsubscribed) break;
                    if ((out = box.ring.try_pop())) break;
                    if (st == InboxState::closed) break;
                    if (stop != nullptr && stop->stop_requested()) break;
                    if (deadline == nullptr) {
                        box.cv_items.wait(lk);
                    } else if (box.cv_items.wait_until(lk, *deadline) == std::cv_status::timeout) {
                        if (box.state.load() != InboxState::unsubscribed) out = box.ring.try_pop();
                        break;
                    }
                }
            }
            if (out) box.after_pop();
            return out;
        }

        SubPtr m_sub;
        std::shared_ptr<Core> m_core;
    };

    /// An empty bus. Allocates its control block.
    PubSubBus() : m_core(std::make_shared<Core>()) {}
    PubSubBus(const PubSubBus&) = delete;
    PubSubBus& operator=(const PubSubBus&) = delete;
    /// Closes every subscription: inline handlers are no longer called, inboxes are closed
    /// (queued messages can still be popped; then pops return nothing). Handles stay valid.
    /// Must not run concurrently with another call on this bus (as for any object).
    ~PubSubBus() { m_core->shut_down_all(); }

    /// Subscribes `handler` to `channel`, delivered inline on the publisher's thread.
    /// `handler` is called as `f(const Msg&)` or `f(std::string_view channel, const Msg&)`,
    /// possibly from several publishing threads at once.
    /// Complexity: O(C + S) (C = channels, S = subscribers of this channel): the channel map
    /// is copied. Allocates. Strong exception guarantee. Thread-safe; may be called from a
    /// handler.
    template <PubSubHandler<Msg> F>
    Subscription subscribe(std::string channel, F handler) {
        return add(std::move(channel), false, wrap(std::move(handler)), nullptr);
    }
    /// Subscribes an inbox to `channel`; the subscriber drains it with `pop()` & co.
    Subscription subscribe(std::string channel, InboxOptions inbox) {
        return add(std::move(channel), false, Handler{}, &inbox);
    }
    /// Subscribes an inbox to `channel`; `Subscription::run()` dispatches it to `handler`.
    template <PubSubHandler<Msg> F>
    Subscription subscribe(std::string channel, InboxOptions inbox, F handler) {
        return add(std::move(channel), false, wrap(std::move(handler)), &inbox);
    }
    /// Like `subscribe`, for every channel matching the Redis glob `pattern` (see
    /// detail/glob.hpp for the rules). Complexity: O(P) (P = pattern subscriptions): the
    /// pattern table is copied, which also drops its match cache.
    template <PubSubHandler<Msg> F>
    Subscription psubscribe(std::string pattern, F handler) {
        return add(std::move(pattern), true, wrap(std::move(handler)), nullptr);
    }
    Subscription psubscribe(std::string pattern, InboxOptions inbox) {
        return add(std::move(pattern), true, Handler{}, &inbox);
    }
    template <PubSubHandler<Msg> F>
    Subscription psubscribe(std::string pattern, InboxOptions inbox, F handler) {
        return add(std::move(pattern), true, wrap(std::move(handler)), &inbox);
    }

    /// Publishes `msg` on `channel`: calls the inline handlers of the channel's subscribers
    /// and of the matching pattern subscriptions (a `const Msg&`; in table order), then pushes
    /// into their inboxes (copied, moved into the last). Returns the number of subscriptions
    /// that received it, counted as Redis does (one per subscription, channel and pattern
    /// alike); an inbox that dropped the message (drop_newest, close, block timeout) is not
    /// counted, one that dropped its oldest is. Handler exceptions go to the error hook.
    /// Complexity: O(1) expected + O(M) deliveries (M = receivers) when the channel's pattern
    /// matches are cached, else + O(P' * L) (see the file comment). Allocates a channel
    /// string per inbox delivery beyond the small-string size; may block under
    /// `Overflow::block`. Basic exception guarantee: if copying `Msg` or an allocation throws,
    /// the exception propagates and the deliveries already made stand. Thread-safe; may be
    /// called from a handler.
    size_type publish(std::string_view channel, Msg msg) {
        const auto table = m_core->snapshot();
        std::shared_ptr<const SubList> pats;
        if (table->patterns->count != 0) pats = table->patterns->matching(channel);
        const SubList* subs = nullptr;
        if (auto it = table->channels->find(channel); it != table->channels->end())
            subs = it->second.get();

        size_type delivered = 0, inboxes = 0;
        auto inline_pass = [&](Sub& s) {
            if (s.inbox) {
                ++inboxes;
            } else if (m_core->invoke(s, channel, msg)) {
                ++delivered;
            }
        };
        if (subs != nullptr)
            for (const auto& s : *subs) inline_pass(*s);
        if (pats)
            for (const auto& s : *pats) inline_pass(*s);
        if (inboxes == 0) return delivered;

        auto inbox_pass = [&](const SubPtr& sp) {
            if (!sp->inbox) return;
            if (--inboxes == 0) {
                if (m_core->push(sp, channel, std::move(msg))) ++delivered;
            } else if constexpr (std::is_copy_constructible_v<Msg>) {
                if (m_core->push(sp, channel, static_cast<const Msg&>(msg))) ++delivered;
            }
        };
        if (subs != nullptr)
            for (const auto& s : *subs) inbox_pass(s);
        if (pats)
            for (const auto& s : *pats) inbox_pass(s);
        return delivered;
    }

    /// Sets the hook called with exceptions thrown by handlers (and the channel); an empty
    /// function removes it. The hook runs on the thread whose delivery failed; an exception it
    /// throws is ignored. Thread-safe.
    void set_error_handler(error_handler hook) {
        auto p = std::make_shared<const error_handler>(std::move(hook));
        std::lock_guard<std::mutex> g(m_core->error_mutex);
        m_core->on_error = std::move(p);
    }
    /// Number of handler exceptions caught so far. O(1), thread-safe.
    [[nodiscard]] size_type handler_errors() const noexcept { return m_core->errors.load(); }

    /// PUBSUB CHANNELS [pattern]: the channels with at least one (channel) subscription,
    /// sorted; only those matching `pattern` if it is not empty. O(C log C + C * L). Thread-safe.
    [[nodiscard]] std::vector<std::string> channels(std::string_view pattern = {}) const {
        const auto table = m_core->snapshot();
        std::vector<std::string> out;
        for (const auto& [name, list] : *table->channels)
            if (pattern.empty() || detail::glob_match(pattern, name)) out.push_back(name);
        std::sort(out.begin(), out.end());
        return out;
    }
    /// PUBSUB NUMSUB channel: the number of channel subscriptions to `channel` (patterns not
    /// counted). O(1) expected. Thread-safe.
    [[nodiscard]] size_type numsub(std::string_view channel) const {
        const auto table = m_core->snapshot();
        auto it = table->channels->find(channel);
        return it == table->channels->end() ? 0 : it->second->size();
    }
    /// PUBSUB NUMPAT: the number of distinct patterns subscribed to (as Redis 7 counts).
    /// O(P log P). Thread-safe.
    [[nodiscard]] size_type numpat() const {
        const auto table = m_core->snapshot();
        std::set<std::string_view> distinct;
        for (const auto& bucket : table->patterns->buckets)
            for (const auto& e : bucket) distinct.insert(e.sub->name);
        return distinct.size();
    }
    /// The number of pattern subscriptions (each handle counts). O(1). Thread-safe.
    [[nodiscard]] size_type pattern_subscriptions() const { return m_core->snapshot()->patterns->count; }

private:
    template <class F>
    static Handler wrap(F handler) {
        if constexpr (std::is_invocable_v<F&, std::string_view, const Msg&>) {
            return Handler(std::move(handler));
        } else {
            return Handler([h = std::move(handler)](std::string_view, const Msg& m) mutable { h(m); });
        }
    }

    Subscription add(std::string name, bool pattern, Handler handler, const InboxOptions* inbox) {
        if (inbox != nullptr) {
            if constexpr (!std::is_copy_constructible_v<Msg>) {
                throw std::logic_error(
                    "cachet::PubSubBus: inbox subscriptions need a copyable Msg "
                    "(publish a SharedMessage<T> instead)");
            }
            if constexpr (!std::is_nothrow_move_constructible_v<Msg>) {
                throw std::logic_error(
                    "cachet::PubSubBus: inbox subscriptions need a nothrow-movable Msg");
            }
            if (inbox->capacity == 0)
                throw std::invalid_argument("cachet::PubSubBus: inbox capacity must be >= 1");
            if (inbox->block_timeout < std::chrono::nanoseconds::zero())
                throw std::invalid_argument("cachet::PubSubBus: negative block_timeout");
        }
        auto s = std::make_shared<Sub>(std::move(name), pattern, std::move(handler), inbox);
        m_core->add(s);
        return Subscription(std::move(s), m_core);
    }

    std::shared_ptr<Core> m_core;
};

CACHET_NAMESPACE_END

#endif  // CACHET_PUBSUB_BUS_HPP
