#include <cachet/mutex.hpp>

#include <doctest/doctest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace mutex_test {

TEST_SUITE("mutex") {
    TEST_CASE("SpinMutex excludes: unsynchronised increments under it are never lost") {
        cachet::SpinMutex m;
        long counter = 0;  // plain, not atomic: TSan reports any race
        std::vector<std::jthread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 20000; ++i) {
                    std::lock_guard lock(m);
                    ++counter;
                }
            });
        threads.clear();
        CHECK(counter == 80000);
    }

    TEST_CASE("SpinMutex try_lock fails while held and succeeds after unlock") {
        cachet::SpinMutex m;
        CHECK(m.try_lock());
        CHECK_FALSE(m.try_lock());
        m.unlock();
        CHECK(m.try_lock());
        m.unlock();
    }

    TEST_CASE("NullMutex is a Lockable that never blocks") {
        cachet::NullMutex m;
        std::lock_guard a(m);
        CHECK(m.try_lock());
    }
}

}  // namespace mutex_test
