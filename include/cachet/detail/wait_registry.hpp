#ifndef CACHET_DETAIL_WAIT_REGISTRY_HPP
#define CACHET_DETAIL_WAIT_REGISTRY_HPP

/// Blocked consumers and the registry that hands them elements: the machinery behind Redis's
/// blocking pops (BLPOP, BLMOVE, BZPOPMIN), shared by `ListStore::pop_front_wait`,
/// `ZSetStore::pop_min_wait` and the RESP Database's blocked clients.
///
/// Protocol (why nothing is lost or delivered twice, and why waiters are served in order):
///   - A consumer checks its keys under each key's shard lock; if all are empty it registers
///     on each key, still under that key's shard lock, so a producer for that key either ran
///     before (and the consumer saw the element) or runs after and finds the registration.
///   - A producer that adds elements to a key serves that key's consumers under the same shard
///     lock, first registered first served: it claims each (an atomic state change
///     waiting -> served, which happens once) and lets it `take` what it wants from the
///     container while the lock is held, so no other consumer can get the same element.
///     Once the producer has released its locks it calls `finish` on each consumer it served
///     (which may push into another key, for a move, and wakes the consumer's thread).
///   - A consumer that times out or is cancelled changes waiting -> cancelled; if that fails,
///     a producer got there first and the consumer waits for its `finish` instead.
///   - A consumer unregisters itself from every key before it is destroyed; producers only
///     touch consumers under the registry's stripe locks, so a pointer in the registry is
///     always valid.
/// Lock order: a key's shard lock, then a registry stripe lock; consumers call `take` with
/// both held and `finish` with neither.

#include <cachet/detail/config.hpp>
#include <cachet/detail/hash.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <unordered_map>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace detail {

/// The steady-clock deadline of a blocking wait of `timeout` (BLPOP's and BZPOPMIN's timeout
/// argument): nullopt for zero (no limit, as `BLPOP k 0`) and for a timeout too long for the
/// clock to represent. Throws std::invalid_argument(`negative_message`) for a negative (or NaN)
/// timeout.
template <class Rep, class Period>
std::optional<std::chrono::steady_clock::time_point> wait_deadline(
    std::chrono::duration<Rep, Period> timeout, const char* negative_message) {
    if (!(timeout >= timeout.zero())) throw std::invalid_argument(negative_message);
    if (timeout == timeout.zero()) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    // A deadline past what the clock can represent (with a wide margin) is no limit.
    const std::chrono::duration<double> room = std::chrono::steady_clock::time_point::max() - now;
    if (std::chrono::duration<double>(timeout) >= room * 0.5) return std::nullopt;
    return now + std::chrono::ceil<std::chrono::steady_clock::duration>(timeout);
}

/// One consumer blocked on one or more keys. Served at most once.
template <class K, class Container>
class BlockedConsumer {
public:
    enum class State : std::uint8_t { waiting, served, cancelled };

    BlockedConsumer() = default;
    BlockedConsumer(const BlockedConsumer&) = delete;
    BlockedConsumer& operator=(const BlockedConsumer&) = delete;
    virtual ~BlockedConsumer() = default;

    /// Called by the producer that claimed this consumer, under `key`'s shard lock, with `c`
    /// not empty: move what the consumer wants out of `c`. Must not block or call into a
    /// store; should not throw (if it does, the consumer stays claimed with nothing taken).
    virtual void take(const K& key, Container& c) = 0;
    /// Called by that producer after it released its locks: complete the operation (a move
    /// pushes into its destination) and wake the consumer. Called exactly once per claim.
    virtual void finish() = 0;
    /// Called by that producer, right after `take`, when this consumer took the last elements
    /// of a key the producer's own operation had created (a push whose elements all went to
    /// blocked consumers): the key is gone, and no removal of it is reported by the store.
    /// Redis announces its deletion after the consumers' pops; the RESP layer does it here.
    virtual void emptied_new_key() noexcept {}

    [[nodiscard]] State state() const noexcept { return m_state.load(std::memory_order_acquire); }
    /// waiting -> served. True for the one caller that wins. Lock-free.
    bool try_claim() noexcept { return transition(State::served); }
    /// waiting -> cancelled. False if a producer claimed it first. Lock-free.
    bool try_cancel() noexcept { return transition(State::cancelled); }

    /// The keys this consumer is registered on (maintained by `WaitRegistry`).
    [[nodiscard]] const std::vector<K>& keys() const noexcept { return m_keys; }

private:
    template <class, class, class, class>
    friend class WaitRegistry;
    bool transition(State to) noexcept {
        State expected = State::waiting;
        return m_state.compare_exchange_strong(expected, to, std::memory_order_acq_rel);
    }
    std::atomic<State> m_state{State::waiting};
    std::vector<K> m_keys;
};

/// A consumer that is a blocked thread: `wait` sleeps until a producer finishes serving it, the
/// deadline passes, or `stop` is requested. Derived classes implement `take` and may override
/// `complete` (runs in `finish`, before the thread is woken; e.g. the push half of a move).
template <class K, class Container>
class ThreadConsumer : public BlockedConsumer<K, Container> {
public:
    using Base = BlockedConsumer<K, Container>;

    void finish() final {
        complete();
        // Notify under the lock: once `m_done` is visible the consumer may return (a timed-out
        // wait rechecks it) and destroy this object, so nothing may touch it after the unlock.
        std::lock_guard lock(m_mutex);
        m_done = true;
        m_cv.notify_all();
    }

    /// Blocks until served (true) or until `deadline` passes or `stop` is requested (false,
    /// cancelled). If the cancellation loses the race against a producer, waits for that
    /// producer's `finish` and returns true. `deadline` empty: no time limit.
    bool wait(std::optional<std::chrono::steady_clock::time_point> deadline,
              std::stop_token stop = {}) {
        std::unique_lock lock(m_mutex);
        auto done = [&] { return m_done; };
        if (deadline) m_cv.wait_until(lock, stop, *deadline, done);
        else m_cv.wait(lock, stop, done);
        if (m_done) return true;
        if (this->try_cancel()) return false;
        m_cv.wait(lock, done);  // claimed meanwhile: finish() is on its way (ignores `stop`)
        return true;
    }

protected:
    /// Runs in `finish`, on the producer's thread, before the consumer wakes up.
    virtual void complete() {}

private:
    std::mutex m_mutex;
    std::condition_variable_any m_cv;
    bool m_done = false;
};

/// The blocked consumers of one store, by key: a FIFO queue per key, in 64 stripes with a
/// mutex each. Producers pay one atomic load when nobody waits anywhere.
template <class K, class Container, class Hash, class KeyEqual>
class WaitRegistry {
public:
    using Consumer = BlockedConsumer<K, Container>;

    WaitRegistry() = default;
    WaitRegistry(const WaitRegistry&) = delete;
    WaitRegistry& operator=(const WaitRegistry&) = delete;

    /// True if some consumer may be registered on some key (exact under the key's shard lock
    /// for that key's registrations). One atomic load.
    [[nodiscard]] bool has_waiters() const noexcept {
        return m_registered.load(std::memory_order_acquire) != 0;
    }

    /// Registers `c` at the back of `key`'s queue. Call under `key`'s shard lock, after
    /// finding it empty. O(1) expected; allocates.
    void add(const K& key, Consumer* c) {
        c->m_keys.push_back(key);
        Stripe& s = stripe(key);
        std::lock_guard lock(s.mutex);
        s.queues[key].push_back(c);
        m_registered.fetch_add(1, std::memory_order_acq_rel);
    }

    /// Removes `c` from every key it was added to. Call before destroying `c`, holding no
    /// shard lock (or any: stripe locks are taken last). O(sum of those queues' lengths).
    void remove(Consumer* c) {
        for (const K& key : c->m_keys) {
            Stripe& s = stripe(key);
            std::lock_guard lock(s.mutex);
            auto it = s.queues.find(key);
            if (it == s.queues.end()) continue;
            auto& q = it->second;
            auto pos = std::find(q.begin(), q.end(), c);
            if (pos == q.end()) continue;
            q.erase(pos);
            m_registered.fetch_sub(1, std::memory_order_acq_rel);
            if (q.empty()) s.queues.erase(it);
        }
        c->m_keys.clear();
    }

    /// Serves `key`'s consumers from `c`, first registered first, while `has_more(c)` holds:
    /// each is claimed, `take`s its share, and is appended to `served`; the caller calls
    /// `finish()` on each after releasing its locks. Consumers already served or cancelled
    /// (through another key) are dropped from the queue. Call under `key`'s shard lock.
    /// Returns how many were served. O(consumers looked at) expected.
    template <class HasMore>
    std::size_t serve(const K& key, Container& c, HasMore&& has_more,
                      std::vector<Consumer*>& served) {
        if (!has_waiters()) return 0;
        Stripe& s = stripe(key);
        std::lock_guard lock(s.mutex);
        auto it = s.queues.find(key);
        if (it == s.queues.end()) return 0;
        auto& q = it->second;
        std::size_t n = 0;
        while (!q.empty() && has_more(std::as_const(c))) {
            Consumer* front = q.front();
            q.pop_front();
            m_registered.fetch_sub(1, std::memory_order_acq_rel);
            // The consumer's key list still names this key; remove() then finds nothing here.
            if (!front->try_claim()) continue;
            front->take(key, c);
            served.push_back(front);
            ++n;
        }
        if (q.empty()) s.queues.erase(it);
        return n;
    }

    /// Every key some consumer is queued on (served or cancelled ones not yet dropped
    /// included). O(stripes + keys).
    [[nodiscard]] std::vector<K> waiting_keys() const {
        std::vector<K> out;
        if (!has_waiters()) return out;
        for (const Stripe& s : m_stripes) {
            std::lock_guard lock(s.mutex);
            for (const auto& [key, q] : s.queues)
                if (!q.empty()) out.push_back(key);
        }
        return out;
    }

    /// Number of consumers queued on `key` (served or cancelled ones not yet dropped
    /// included). For tests and introspection. O(1) expected.
    [[nodiscard]] std::size_t queued(const K& key) const {
        const Stripe& s = stripe(key);
        std::lock_guard lock(s.mutex);
        auto it = s.queues.find(key);
        return it == s.queues.end() ? 0 : it->second.size();
    }

private:
    struct alignas(cache_line) Stripe {
        mutable std::mutex mutex;
        std::unordered_map<K, std::deque<Consumer*>, Hash, KeyEqual> queues;
    };
    static constexpr std::size_t stripes = 64;

    Stripe& stripe(const K& key) const {
        return m_stripes[mix64(static_cast<std::uint64_t>(Hash{}(key))) & (stripes - 1)];
    }

    mutable std::array<Stripe, stripes> m_stripes;
    std::atomic<std::size_t> m_registered{0};
};

/// Calls `finish()` on every consumer in `served` (after the producer released its locks).
template <class Consumer>
void finish_all(std::vector<Consumer*>& served) {
    for (Consumer* c : served) c->finish();
    served.clear();
}

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_WAIT_REGISTRY_HPP
