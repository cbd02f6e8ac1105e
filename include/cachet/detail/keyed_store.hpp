#ifndef CACHET_DETAIL_KEYED_STORE_HPP
#define CACHET_DETAIL_KEYED_STORE_HPP

/// What every keyed container (ListStore, ZSetStore, HashStore, SetStore) shares: the backend
/// that holds its containers on the keyspace core, the `ContainerRef` its operations work
/// through, and `KeyedStore`, the base class with the per-key operations that do not depend on
/// the container (erase, expire, persist, ttl, size, stats, ...).
///
/// A backend maps a key to a container under the key's shard lock. `OwnedBackend` is a
/// `Keyspace` whose values are the containers themselves (the default for every store); the
/// RESP `Database` supplies another whose values are a variant of Redis's types, where finding
/// a value of another type throws (WRONGTYPE), so the same container code serves both.
///
/// Redis's rules that live here, once: a write that leaves a container empty deletes its key;
/// an operation that finds no key sees an empty container; a container stored into a
/// destination (`replace`) overwrites any value and takes a fresh TTL (none by default).

#include <cachet/detail/config.hpp>
#include <cachet/detail/wait_registry.hpp>
#include <cachet/keyspace.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

CACHET_NAMESPACE_BEGIN
namespace detail {

/// How an `OwnedBackend` finds its container in a value: the value is the container.
template <class Container, class Hash, class KeyEqual>
struct IdentityTraits {
    using container_type = Container;
    using value_type = Container;
    using hasher = Hash;          ///< of the keys (for the wait registry)
    using key_equal = KeyEqual;
    static Container* as(Container& v) noexcept { return &v; }
    static Container* try_as(Container& v) noexcept { return &v; }
    static const Container* try_as(const Container& v) noexcept { return &v; }
    [[noreturn]] static void wrong_type() { std::terminate(); }  // never: one type only
    static const Container* as(const Container& v) noexcept { return &v; }
    static Container make(Container&& c) { return std::move(c); }
    static bool is_empty(const Container& v) noexcept { return v.empty(); }
};

/// One key's container inside a backend write: what container operations use. Valid only in
/// the callback that received it (the shard lock is held).
template <class Slot, class Traits, class K>
class ContainerRef {
public:
    using container_type = typename Traits::container_type;
    using consumer_type = BlockedConsumer<K, container_type>;

    using registry_type = WaitRegistry<K, container_type, typename Traits::hasher,
                                       typename Traits::key_equal>;

    ContainerRef(Slot& slot, const K& key, registry_type* waiters,
                 std::vector<consumer_type*>& served) noexcept
        : m_slot(slot), m_key(key), m_waiters(waiters), m_served(served) {}
    ContainerRef(const ContainerRef&) = delete;
    ContainerRef& operator=(const ContainerRef&) = delete;

    [[nodiscard]] const K& key() const noexcept { return m_key; }
    /// True if the key holds a live value (in a Database: of any type).
    [[nodiscard]] bool exists() const noexcept { return m_slot.exists(); }

    /// The container, for changing; nullptr if the key is absent. A Database backend throws
    /// its wrong-type error if the key holds another type.
    [[nodiscard]] container_type* get() {
        if (!m_slot.exists()) return nullptr;
        return Traits::as(m_slot.value());
    }
    /// The container, for reading only (not reported as a change); nullptr if absent.
    [[nodiscard]] const container_type* peek() const {
        if (!m_slot.exists()) return nullptr;
        return Traits::as(m_slot.cvalue());
    }
    /// `peek()`, counted as a lookup for reading: a hit, or a miss that the keyspace's miss
    /// listener hears of (Redis's lookupKeyRead in the multi-key reads: SUNION, ZUNIONSTORE,
    /// ...). Counted before the type is checked, as in Redis.
    [[nodiscard]] const container_type* read() {
        m_slot.count_lookup();
        return peek();
    }
    /// The container, created empty if the key is absent (a new key gets the store's default
    /// TTL; an existing one keeps its TTL).
    container_type& create() {
        if (container_type* c = get()) return *c;
        return *Traits::as(m_slot.emplace(Traits::make(container_type{})));
    }
    /// Stores `c` as the key's value whatever it held before (Redis's *STORE destinations:
    /// the old value, of any type, is replaced) with a fresh TTL. If `c` is empty the key is
    /// deleted when the callback returns.
    container_type& replace(container_type c) {
        container_type& out = *Traits::as(m_slot.emplace(Traits::make(std::move(c))));
        m_slot.reset_ttl();
        return out;
    }
    /// Deletes the key.
    void erase() noexcept { m_slot.erase(); }
    /// A *STORE command's destination (SINTERSTORE, ZUNIONSTORE, ZRANGESTORE, ...): stores
    /// `c` as with `replace` and names the change `event`, or, if `c` is empty, deletes the key
    /// (announced as a deletion only, as Redis does). Returns `c`'s size.
    std::size_t store(container_type c, std::string_view event) {
        const std::size_t n = c.size();
        if (n == 0) {
            if (exists()) erase();
            return 0;
        }
        replace(std::move(c));
        this->event(event);
        return n;
    }

    /// Names the change for keyspace notifications as Redis does (`"lpush"`, `"zadd"`, ...):
    /// a string literal. Also marks the value changed.
    void event(std::string_view redis_event) noexcept { m_slot.name_update(redis_event); }
    /// A second event of the same operation on this key, announced after `event`'s.
    void also_event(std::string_view redis_event) noexcept { m_slot.also_name(redis_event); }

    /// The keyspace slot, for TTL control (`set_ttl`, `persist`, `deadline_ms`, ...).
    [[nodiscard]] Slot& slot() noexcept { return m_slot; }

    /// Called by the backend after the operation's callback. Consumers blocked on this key
    /// are served (first come first served) while its container has elements, so every write
    /// that leaves elements behind wakes them, after the operation computed its own result
    /// (LPUSH returns the length before the blocked BLPOP takes its element, as in Redis);
    /// they complete after the locks are released. Then Redis's rule: a container left empty
    /// deletes its key.
    void settle() {
        if (!m_slot.exists()) return;
        if (m_waiters && m_waiters->has_waiters()) {
            // A Database key may hold another type: then it serves nobody from here. Look
            // through cvalue(): value() would mark the key changed (a write event, an access)
            // even when nobody waits on this key; only a consumer served changes it.
            if (const container_type* seen = Traits::try_as(m_slot.cvalue());
                seen && !seen->empty()) {
                auto* c = const_cast<container_type*>(seen);  // the slot's own, mutable value
                if (m_waiters->serve(m_key, *c, [](const container_type& x) { return !x.empty(); },
                                     m_served) > 0) {
                    (void)m_slot.value();  // marks it changed
                    if (m_slot.created() && c->empty()) m_served.back()->emptied_new_key();
                }
            }
        }
        if (Traits::is_empty(m_slot.cvalue())) m_slot.erase();
    }

private:
    Slot& m_slot;
    const K& m_key;
    registry_type* m_waiters;
    std::vector<consumer_type*>& m_served;
};

/// The references of `write_many`: `refs[i]` is the container of `keys[i]` (equal keys share
/// one slot, so a change through one is seen through the other).
template <class Ref>
class ContainerRefs {
public:
    [[nodiscard]] std::size_t size() const noexcept { return m_refs.size(); }
    [[nodiscard]] Ref& operator[](std::size_t i) noexcept { return *m_refs[i]; }

    std::vector<std::unique_ptr<Ref>> m_refs;  // filled by the backend
};

/// Calls `finish()` on served consumers when the operation ends, however it ends (a claimed
/// consumer must always be finished, or its thread would wait forever).
template <class Consumer>
struct FinishServed {
    std::vector<Consumer*> served;
    FinishServed() = default;
    FinishServed(const FinishServed&) = delete;
    FinishServed& operator=(const FinishServed&) = delete;
    ~FinishServed() { finish_all(served); }
};

/// Runs `f` and settles every reference afterwards, returning what `f` returned.
template <class F, class Settle>
decltype(auto) run_then_settle(F&& f, Settle&& settle) {
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        f();
        settle();
    } else {
        auto r = f();
        settle();
        return r;
    }
}

/// The operations of a backend over a `Keyspace` (`Core`) whose values hold containers as
/// `Traits` describes, with the registry of consumers blocked on its keys. Refers to both; the
/// owner keeps them alive. `Key` is the key type of the backend's calls: the core's, or one the
/// core's keys compare and hash with (the Database's views take `std::string` keys over a core
/// of `KeyString`s).
template <class Core, class Traits, class Key = typename Core::key_type>
class KeyspaceBackend {
public:
    using core_type = Core;
    using traits_type = Traits;
    using key_type = Key;
    using container_type = typename Traits::container_type;
    using hasher = typename Core::hasher;
    using key_equal = typename Core::key_equal;
    using clock_type = typename Core::clock_type;
    using registry_type = WaitRegistry<key_type, container_type, hasher, key_equal>;
    using consumer_type = BlockedConsumer<key_type, container_type>;
    template <class Slot>
    using ref_type = ContainerRef<Slot, Traits, key_type>;

    KeyspaceBackend(Core& core, registry_type& waiters) noexcept
        : m_core_ptr(&core), m_waiters_ptr(&waiters) {}

    [[nodiscard]] Core& core() noexcept { return *m_core_ptr; }
    [[nodiscard]] const Core& core() const noexcept { return *m_core_ptr; }
    [[nodiscard]] registry_type& waiters() noexcept { return *m_waiters_ptr; }

    /// `f(const Container*)` under `key`'s shard lock (nullptr if the key is absent, then
    /// without the lock). Counts a hit or a miss; a hit is an access for the eviction policy.
    /// A key of another type (a Database's) throws the traits' wrong-type error, after the
    /// lock is released.
    template <class F>
    auto read(const key_type& key, F&& f) {
        using R = std::invoke_result_t<F&, const container_type*>;
        bool wrong = false;
        if constexpr (std::is_void_v<R>) {
            const bool hit = core().read(key, [&](const auto&, const auto& v) {
                if (const container_type* c = Traits::try_as(v)) f(c);
                else wrong = true;
            });
            if (wrong) Traits::wrong_type();
            if (!hit) f(static_cast<const container_type*>(nullptr));
        } else {
            std::optional<R> r;
            const bool hit = core().read(key, [&](const auto&, const auto& v) {
                if (const container_type* c = Traits::try_as(v)) r.emplace(f(c));
                else wrong = true;
            });
            if (wrong) Traits::wrong_type();
            if (!hit) return f(static_cast<const container_type*>(nullptr));
            return std::move(*r);
        }
    }

    /// `f(Ref&)` under `key`'s shard lock; afterwards blocked consumers are served from what it
    /// left (completing after the lock is released; unless `serve` is false: then the caller
    /// serves them later) and a container left empty deletes its key (see
    /// `ContainerRef::settle`).
    template <class F>
    auto write(const key_type& key, F&& f, bool serve = true) {
        FinishServed<consumer_type> fin;
        return core().access(key, [&](auto& slot) {
            ref_type<std::remove_reference_t<decltype(slot)>> ref(
                slot, key, serve ? m_waiters_ptr : nullptr, fin.served);
            return run_then_settle([&]() -> decltype(auto) { return f(ref); },
                                   [&] { ref.settle(); });
        });
    }

    /// `f(Refs&)` with the shards of all `keys` locked at once (see `Keyspace::access_many`);
    /// every reference is settled afterwards (`serve` as for `write`).
    template <class F>
    auto write_many(std::span<const key_type> keys, F&& f, bool serve = true) {
        FinishServed<consumer_type> fin;
        return core().access_many(keys, [&](auto& slots) {
            using Slot = std::remove_reference_t<decltype(slots[0])>;
            ContainerRefs<ref_type<Slot>> refs;
            refs.m_refs.reserve(keys.size());
            for (std::size_t i = 0; i < keys.size(); ++i)
                refs.m_refs.emplace_back(new ref_type<Slot>(
                    slots[i], keys[i], serve ? m_waiters_ptr : nullptr, fin.served));
            return run_then_settle([&]() -> decltype(auto) { return f(refs); }, [&] {
                for (auto& r : refs.m_refs) r->settle();
            });
        });
    }

private:
    Core* m_core_ptr;
    registry_type* m_waiters_ptr;
};

/// The members an `OwnedBackend` owns, in a base so they are built before the
/// `KeyspaceBackend` that points at them.
template <class Core, class Registry>
struct OwnedParts {
    template <class O, class C>
    OwnedParts(O&& options, C&& clock)
        : m_owned_core(std::forward<O>(options), std::forward<C>(clock)) {}
    Core m_owned_core;
    Registry m_owned_waiters;
};

/// The default backend: a `Keyspace` whose values are `Container`s, plus the registry of
/// consumers blocked on its keys, both owned.
template <class K, class Container, class Hash, class KeyEqual, class C, class Mutex>
class OwnedBackend
    : private OwnedParts<Keyspace<K, Container, Hash, KeyEqual, C, Mutex>,
                         WaitRegistry<K, Container, Hash, KeyEqual>>,
      public KeyspaceBackend<Keyspace<K, Container, Hash, KeyEqual, C, Mutex>,
                             IdentityTraits<Container, Hash, KeyEqual>> {
    using Parts = OwnedParts<Keyspace<K, Container, Hash, KeyEqual, C, Mutex>,
                             WaitRegistry<K, Container, Hash, KeyEqual>>;
    using Ops = KeyspaceBackend<Keyspace<K, Container, Hash, KeyEqual, C, Mutex>,
                                IdentityTraits<Container, Hash, KeyEqual>>;

public:
    using mutex_type = Mutex;
    using options_type = StoreOptions<K, Container>;

    explicit OwnedBackend(options_type options = {}, C clock = C{})
        : Parts(std::move(options), std::move(clock)),
          Ops(this->m_owned_core, this->m_owned_waiters) {}
    OwnedBackend(const OwnedBackend&) = delete;
    OwnedBackend& operator=(const OwnedBackend&) = delete;
};

/// One `ContainerRef` as the `refs[i]` of `write_many`.
template <class Ref>
struct OneRef {
    Ref& ref;
    Ref& operator[](std::size_t) noexcept { return ref; }
};

/// `f(refs)` with `refs[i]` the container of `keys[i]` in `backend` (a KeyspaceBackend or
/// OwnedBackend), all locked at once: a plain `write` for one key, `write_many` for several.
/// What the blocking pops of every container and the RESP layer use to check several keys
/// and register a waiter atomically.
template <class Backend, class Key, class F>
auto with_refs(Backend& backend, std::span<const Key> keys, F&& f) {
    if (keys.size() == 1) {
        return backend.write(keys[0], [&](auto& ref) {
            OneRef<std::remove_reference_t<decltype(ref)>> one{ref};
            return f(one);
        });
    }
    return backend.write_many(keys, [&](auto& refs) { return f(refs); });
}

/// The per-key operations every keyed container has, whatever its container: they act on the
/// key, not on what it holds. `Backend` provides `core()` (a Keyspace).
/// Thread-safety: every member function is thread-safe; each takes one shard lock (except the
/// whole-store ones, which take each shard's lock in turn).
template <class Backend>
class KeyedStore {
public:
    using backend_type = Backend;
    using key_type = typename Backend::key_type;
    using container_type = typename Backend::container_type;
    using hasher = typename Backend::hasher;
    using key_equal = typename Backend::key_equal;
    using clock_type = typename Backend::clock_type;
    using size_type = std::size_t;

    /// A store whose backend is built from `options` and `clock` (an `OwnedBackend`).
    template <class B = Backend>
    explicit KeyedStore(typename B::options_type options = {}, clock_type clock = clock_type{})
        : m_backend(std::move(options), std::move(clock)) {}
    /// A store over a backend built from `args` (e.g. a view of a Database).
    template <class... A>
    explicit KeyedStore(std::in_place_t, A&&... args) : m_backend(std::forward<A>(args)...) {}
    KeyedStore(const KeyedStore&) = delete;
    KeyedStore& operator=(const KeyedStore&) = delete;

    /// True if `key` holds a live value. A peek (no hit or miss). O(1) expected.
    [[nodiscard]] bool contains(const key_type& key) { return core().contains(key); }
    /// Deletes `key` (DEL). Returns true if it existed. O(1) expected plus freeing its
    /// container (O(its size)).
    bool erase(const key_type& key) { return core().erase(key); }

    /// Gives `key` a TTL of `ttl` from now (EXPIRE), rounded up to whole milliseconds; zero or
    /// less deletes it (reported as `expired`). Returns false if the key is absent. O(1).
    template <class Rep, class Period>
    bool expire(const key_type& key, std::chrono::duration<Rep, Period> ttl) {
        return core().access(key, [&](auto& slot) {
            if (!slot.exists()) return false;
            slot.set_ttl(ttl);
            return true;
        });
    }
    /// Removes `key`'s TTL (PERSIST). Returns true if it had one. O(1).
    bool persist(const key_type& key) {
        return core().access(key, [&](auto& slot) {
            if (!slot.exists() || slot.deadline_ms() == no_deadline) return false;
            slot.persist();
            return true;
        });
    }
    /// `key`'s remaining time to live (TTL/PTTL). A peek. O(1).
    [[nodiscard]] KeyTtl ttl(const key_type& key) {
        const auto left = core().remaining_ms(key);
        if (!left) return {};
        if (*left == no_deadline) return {KeyTtl::State::persistent, {}};
        return {KeyTtl::State::expiring,
                std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(*left))};
    }

    /// Number of keys (expired ones not yet reclaimed included). Lock-free, O(shards).
    [[nodiscard]] std::size_t size() const noexcept { return core().size(); }
    [[nodiscard]] bool empty() const noexcept { return core().empty(); }
    /// Deletes every key, each reported as `erased`. O(total size), one shard at a time.
    void clear() { core().clear(); }
    /// A copy of every live key (one shard at a time). O(size()); allocates.
    [[nodiscard]] std::vector<key_type> keys() const {
        std::vector<key_type> out;
        out.reserve(size());
        core().for_each([&](const auto& k, const auto&) { out.emplace_back(k); });
        return out;
    }

    [[nodiscard]] StoreStats stats() const noexcept { return core().stats(); }
    void reset_stats() noexcept { core().reset_stats(); }
    /// Reclaims every expired key now; returns how many.
    std::size_t run_pending() { return core().run_pending(); }
    void start_janitor(std::chrono::milliseconds interval = std::chrono::milliseconds(100)) {
        core().start_janitor(interval);
    }
    void stop_janitor() { core().stop_janitor(); }
    /// Changes the bound on the number of keys and evicts down to it (bounded stores only).
    void set_max_entries(std::uint64_t n) { core().set_max_entries(n); }
    void set_max_weight(std::uint64_t w) { core().set_max_weight(w); }

    [[nodiscard]] const clock_type& clock() const noexcept { return core().clock(); }
    [[nodiscard]] auto& core() noexcept { return m_backend.core(); }
    [[nodiscard]] const auto& core() const noexcept { return m_backend.core(); }
    [[nodiscard]] Backend& backend() noexcept { return m_backend; }
    [[nodiscard]] bool check_invariants() const { return core().check_invariants(); }

protected:
    /// Erases `element` from `key`'s container (HDEL, SREM of one). Returns true if it was
    /// there; the last element's removal deletes the key. Announces `event` when removed.
    template <class E>
    bool erase_element(const key_type& key, const E& element, const char* event) {
        return m_backend.write(key, [&](auto& ref) {
            const container_type* c = ref.peek();
            if (!c || !c->contains(element)) return false;
            ref.get()->erase(element);
            ref.event(event);
            return true;
        });
    }
    /// Erases each of `elements` (a range); returns how many were there (one named twice counts
    /// once). The container is only opened for writing once an element is found, so naming
    /// only absent elements changes nothing. Announces `event` if anything was removed.
    template <class E, class R>
    std::size_t erase_elements(const key_type& key, R&& elements, const char* event) {
        return m_backend.write(key, [&](auto& ref) {
            const container_type* c = ref.peek();
            if (!c) return std::size_t{0};
            container_type* w = nullptr;
            std::size_t removed = 0;
            for (const E& e : elements) {
                if (!w) {
                    if (!c->contains(e)) continue;
                    w = ref.get();
                }
                removed += w->erase(e) ? 1 : 0;
            }
            if (removed) ref.event(event);
            return removed;
        });
    }

    /// `f(refs)` with `refs[i]` the container of `keys[i]`, all locked (`detail::with_refs`).
    template <class F>
    auto with_refs(std::span<const key_type> keys, F&& f) {
        return detail::with_refs(m_backend, keys, std::forward<F>(f));
    }

    Backend m_backend;
};

}  // namespace detail
CACHET_NAMESPACE_END

#endif  // CACHET_DETAIL_KEYED_STORE_HPP
