#include <cachet/detail/node_pool.hpp>
#include <cachet/database.hpp>
#include <cachet/keyspace.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace node_pool_test {

namespace {
struct Node72 {  // the size of a KvStore<uint64_t, uint64_t> entry
    std::uint64_t words[9];
};
using Pool = cachet::detail::NodePool<Node72>;
using Arena = cachet::detail::NodeArena<Node72>;
using Page = cachet::detail::NodePage<Node72>;

struct Throwing {
    explicit Throwing(bool fail) {
        if (fail) throw std::runtime_error("constructor failed");
    }
    std::uint64_t payload[4]{};
};
}  // namespace

TEST_SUITE("node_pool") {
    TEST_CASE("pages hold whole nodes, aligned, each naming its pool") {
        static_assert(Page::bytes == 4096);
        static_assert(Page::nodes == (4096 - 64) / 72);
        static_assert(cachet::detail::NodePage<std::string>::bytes == 4096);
        struct Big {
            char bytes[1000];
        };
        static_assert(cachet::detail::NodePage<Big>::bytes == 16384);  // holds 16 nodes
        static_assert(cachet::detail::NodePage<Big>::nodes == 16);

        Arena arena;
        Pool a, b;
        a.bind(&arena);
        b.bind(&arena);
        std::set<void*> seen;
        for (std::size_t i = 0; i < 3 * Page::nodes; ++i) {
            void* p = a.allocate();
            void* q = b.allocate();
            CHECK(seen.insert(p).second);
            CHECK(seen.insert(q).second);
            CHECK(reinterpret_cast<std::uintptr_t>(p) % alignof(Node72) == 0);
            CHECK(Page::owner(Page::page_of(p)) == &a);
            CHECK(Page::owner(Page::page_of(q)) == &b);
            // The node lies inside its page, after the header.
            const auto off = reinterpret_cast<std::uintptr_t>(p) -
                             reinterpret_cast<std::uintptr_t>(Page::page_of(p));
            CHECK(off >= Page::header);
            CHECK(off + sizeof(Node72) <= Page::bytes);
        }
        for (void* p : seen) Pool::deallocate(p);
    }

    TEST_CASE("freed nodes are reused before the arena grows, wherever they were freed") {
        Arena arena;
        Pool pool;
        pool.bind(&arena);
        std::vector<void*> nodes;
        for (int i = 0; i < 5000; ++i) nodes.push_back(pool.allocate());
        const std::size_t reserved = arena.reserved_bytes();
        CHECK(reserved >= 5000 * sizeof(Node72));
        // Regions grow from 64 KiB, doubling: 5000 nodes of 72 bytes need 64+128+256 KiB.
        CHECK(reserved == (64 + 128 + 256) * 1024);

        // Another thread frees them all (as a removal batch does after the lock is released).
        std::thread([&] {
            for (void* p : nodes) Pool::deallocate(p);
        }).join();
        std::set<void*> before(nodes.begin(), nodes.end());
        for (int i = 0; i < 5000; ++i) CHECK(before.count(pool.allocate()) == 1);
        CHECK(arena.reserved_bytes() == reserved);
        for (void* p : before) Pool::deallocate(p);
    }

    TEST_CASE("a node given back under the lock is handed out next") {
        Arena arena;
        Pool pool;
        pool.bind(&arena);
        void* p = pool.allocate();
        pool.give_back_local(p);
        CHECK(pool.allocate() == p);
        Pool::deallocate(p);
    }

    TEST_CASE("a constructor that throws gives the memory back") {
        cachet::detail::NodeArena<Throwing> arena;
        cachet::detail::NodePool<Throwing> pool;
        pool.bind(&arena);
        CHECK_THROWS_AS((void)pool.create(true), std::runtime_error);
        Throwing* t = pool.create(false);
        Throwing* u = pool.create(false);
        CHECK(t != u);
        cachet::detail::NodePool<Throwing>::destroy(u);
        cachet::detail::NodePool<Throwing>::destroy(t);
        // Exactly one page was carved: the failed node's memory was the first reused.
        CHECK(arena.reserved_bytes() == 64 * 1024);
    }

    TEST_CASE("threads freeing into one pool while its owner allocates lose no node") {
        Arena arena;
        Pool pool;
        pool.bind(&arena);
        constexpr int rounds = 20000;
        std::vector<void*> handed(rounds);
        std::mutex owner;  // stands for the shard lock
        for (int i = 0; i < rounds; ++i) {
            std::lock_guard lock(owner);
            handed[static_cast<std::size_t>(i)] = pool.allocate();
        }
        std::thread freer([&] {
            for (void* p : handed) Pool::deallocate(p);
        });
        std::set<void*> got;
        for (int i = 0; i < rounds; ++i) {
            std::lock_guard lock(owner);
            got.insert(pool.allocate());
        }
        freer.join();
        CHECK(got.size() == rounds);  // every allocation distinct
        // Everything freed comes back: as many allocations again reuse old nodes only.
        const std::size_t reserved = arena.reserved_bytes();
        for (void* p : got) Pool::deallocate(p);
        for (int i = 0; i < rounds; ++i) (void)pool.allocate();
        CHECK(arena.reserved_bytes() == reserved);
    }

    TEST_CASE("a bounded store that churns through its bound keeps its node memory flat") {
        // Evictions free nodes outside the shard lock; later inserts reuse them. With and
        // without huge-page advice (the same pages either way).
        for (bool huge : {true, false}) {
            cachet::Keyspace<std::uint64_t, std::uint64_t> ks(
                {.shards = 4, .max_entries = 1000, .huge_pages = huge});
            std::size_t after_fill = 0;
            for (std::uint64_t i = 0; i < 200'000; ++i) {
                ks.access(i, [&](auto& slot) { slot.emplace(i * 3); });
                if (i == 10'000) after_fill = ks.node_memory();
            }
            CHECK(ks.size() <= 1000);
            CHECK(after_fill > 0);
            CHECK(ks.node_memory() == after_fill);
            std::size_t found = 0;
            for (std::uint64_t i = 200'000 - 100; i < 200'000; ++i) {
                ks.access(i, [&](auto& slot) {
                    if (!slot.exists()) return;
                    ++found;
                    CHECK(slot.cvalue() == i * 3);
                });
            }
            CHECK(found > 0);
        }
    }

    TEST_CASE("nodes are pooled when key and value own no heap memory, or when specialised") {
        static_assert(cachet::node_pooling<std::uint64_t, double>::value);
        static_assert(!cachet::node_pooling<std::string, std::uint64_t>::value);
        static_assert(cachet::node_pooling<cachet::KeyString, cachet::Value>::value);  // Database
        cachet::Keyspace<std::uint64_t, std::uint64_t> pooled({.shards = 2});
        cachet::Keyspace<std::uint64_t, std::string> plain({.shards = 2});
        for (std::uint64_t i = 0; i < 100; ++i) {
            pooled.access(i, [&](auto& slot) { slot.emplace(i); });
            plain.access(i, [&](auto& slot) { slot.emplace(std::to_string(i)); });
        }
        CHECK(pooled.node_memory() == 64 * 1024);  // one first region
        CHECK(plain.node_memory() == 0);            // nodes from operator new
        CHECK(plain.size() == 100);
    }
}

}  // namespace node_pool_test
