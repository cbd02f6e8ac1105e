#include <cachet/timer_wheel.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

namespace timer_wheel_test {

namespace {

struct Timer : cachet::TimerHook {
    int id = 0;
    std::uint64_t fired_at = 0;
};

using Wheel = cachet::TimerWheel<Timer>;

std::vector<int> advance_ids(Wheel& w, std::uint64_t now) {
    std::vector<int> ids;
    w.advance(now, [&](Timer* t) {
        t->fired_at = now;
        ids.push_back(t->id);
    });
    return ids;
}

}  // namespace

TEST_SUITE("timer_wheel") {
    TEST_CASE("a timer fires at its deadline, never before") {
        Wheel w(1000);
        Timer t;
        t.id = 1;
        w.schedule(&t, 1005);
        CHECK(w.size() == 1);
        CHECK(w.next_deadline() == 1005);
        CHECK(advance_ids(w, 1004).empty());
        CHECK(advance_ids(w, 1005) == std::vector<int>{1});
        CHECK_FALSE(t.timer_scheduled());
        CHECK(w.empty());
        CHECK(w.next_deadline() == cachet::no_deadline);
    }

    TEST_CASE("cancel and reschedule are O(1) and take effect") {
        Wheel w(0);
        Timer a, b;
        a.id = 1;
        b.id = 2;
        w.schedule(&a, 100);
        w.schedule(&b, 200);
        w.cancel(&a);
        CHECK_FALSE(a.timer_scheduled());
        w.cancel(&a);  // second cancel is a no-op
        CHECK(w.size() == 1);
        w.schedule(&b, 50);  // reschedule earlier
        CHECK(w.next_deadline() == 50);
        CHECK(advance_ids(w, 60) == std::vector<int>{2});
        CHECK(advance_ids(w, 1000).empty());
        CHECK(w.check_invariants());
    }

    TEST_CASE("a deadline in the past fires on the next advance") {
        Wheel w(500);
        Timer t;
        t.id = 7;
        w.schedule(&t, 10);
        CHECK(w.check_invariants());
        CHECK(advance_ids(w, 500) == std::vector<int>{7});
    }

    TEST_CASE("timers due in one advance come back in deadline order") {
        Wheel w(0);
        std::vector<Timer> ts(200);
        std::mt19937_64 rng(3);
        for (int i = 0; i < 200; ++i) {
            ts[static_cast<std::size_t>(i)].id = i;
            w.schedule(&ts[static_cast<std::size_t>(i)], 1 + rng() % 100000);
        }
        std::vector<std::uint64_t> deadlines;
        w.advance(200000, [&](Timer* t) { deadlines.push_back(t->deadline); });
        CHECK(deadlines.size() == 200);
        CHECK(std::is_sorted(deadlines.begin(), deadlines.end()));
    }

    TEST_CASE("spans from 1 ms to beyond 2^32 ms, including the overflow bucket") {
        Wheel w(0);
        const std::uint64_t deadlines[] = {1, 63, 64, 65, 4095, 4096, 1ull << 20, 1ull << 32,
                                           (1ull << 32) + 12345, Wheel::span - 1, Wheel::span,
                                           Wheel::span * 3 + 17};
        std::vector<Timer> ts(std::size(deadlines));
        for (std::size_t i = 0; i < ts.size(); ++i) {
            ts[i].id = static_cast<int>(i);
            w.schedule(&ts[i], deadlines[i]);
        }
        CHECK(w.check_invariants());
        for (std::size_t i = 0; i < ts.size(); ++i) {
            CHECK(w.next_deadline() == deadlines[i]);
            // one ms before: nothing; at the deadline: exactly this timer
            CHECK(advance_ids(w, deadlines[i] - 1).empty());
            CHECK(advance_ids(w, deadlines[i]) == std::vector<int>{static_cast<int>(i)});
            CHECK(ts[i].fired_at == deadlines[i]);
            CHECK(w.check_invariants());
        }
    }

    TEST_CASE("a budget bounds the work and the sweep resumes") {
        Wheel w(0);
        std::vector<Timer> ts(1000);
        for (std::size_t i = 0; i < ts.size(); ++i) {
            ts[i].id = static_cast<int>(i);
            w.schedule(&ts[i], 10 + i % 50);
        }
        std::size_t fired = 0;
        std::size_t calls = 0;
        while (w.advance(100, 16, [&](Timer*) { ++fired; }) == 0) {
            ++calls;
            CHECK(w.check_invariants());
        }
        CHECK(fired == 1000);
        CHECK(calls >= 1000 / 16 - 1);
        CHECK(w.empty());
    }

    TEST_CASE("cancel while a sweep is interrupted") {
        Wheel w(0);
        std::vector<Timer> ts(100);
        for (std::size_t i = 0; i < ts.size(); ++i) w.schedule(&ts[i], 5000);  // level 2
        std::size_t fired = 0;
        CHECK(w.advance(6000, 10, [&](Timer*) { ++fired; }) == 0);
        for (auto& t : ts) w.cancel(&t);
        CHECK(w.check_invariants());
        w.advance(6000, [&](Timer*) { ++fired; });
        CHECK(w.empty());
        CHECK(fired <= 10);
    }

    TEST_CASE("a crowded bucket's lanes: cascade with a small budget, cancels and reschedules "
              "between the steps") {
        // 2,000 timers in one level-2 bucket (deadlines 4096..8191 ms ahead) spread over the
        // bucket's lanes; the sweep that cascades them runs 5 timers per call, and between calls
        // timers are cancelled or moved, including ones taken from the bucket but not yet
        // looked at.
        Wheel w(0);
        std::vector<Timer> ts(2000);
        std::mt19937_64 rng(17);
        std::map<int, std::uint64_t> model;
        for (std::size_t i = 0; i < ts.size(); ++i) {
            ts[i].id = static_cast<int>(i);
            const std::uint64_t d = 4096 + rng() % 4096;
            w.schedule(&ts[i], d);
            model[ts[i].id] = d;
        }
        CHECK(w.check_invariants());
        std::uint64_t now = 0;
        while (!model.empty()) {
            now += 1 + rng() % 97;
            std::uint64_t last = 0;
            while (w.advance(now, 5, [&](Timer* t) {
                CHECK(t->deadline <= now);
                CHECK(t->deadline >= last);
                last = t->deadline;
                REQUIRE(model.count(t->id) == 1);
                CHECK(model[t->id] == t->deadline);
                model.erase(t->id);
            }) == 0) {
                last = 0;
                auto& t = ts[rng() % ts.size()];
                if (rng() % 2) {
                    w.cancel(&t);
                    model.erase(t.id);
                } else {
                    const std::uint64_t d = now + 1 + rng() % 5000;
                    w.schedule(&t, d);
                    model[t.id] = d;
                }
                REQUIRE(w.check_invariants());
                REQUIRE(w.size() == model.size());
            }
            for (auto& [id, d] : model) REQUIRE(d > now);  // nothing due was left behind
        }
        CHECK(w.empty());
    }

    TEST_CASE("postpone keeps a timer in place, fires it at its new deadline, never before") {
        Wheel w(0);
        Timer a, b, c;
        a.id = 1;
        b.id = 2;
        c.id = 3;
        w.schedule(&a, 100);
        w.schedule(&b, 100);
        w.postpone(&a, 5000);  // later: stays in the 100 ms bucket for now
        w.postpone(&c, 300);   // not scheduled: scheduled
        w.postpone(&b, 50);    // earlier: rescheduled
        CHECK(w.size() == 3);
        CHECK(w.check_invariants());
        CHECK(w.next_deadline() == 50);
        CHECK(advance_ids(w, 50) == std::vector<int>{2});
        CHECK(advance_ids(w, 100).empty());  // a's old deadline: re-placed, not fired
        CHECK(w.check_invariants());
        CHECK(w.next_deadline() == 300);
        CHECK(advance_ids(w, 300) == std::vector<int>{3});
        w.postpone(&a, 70'000);  // again, now from a lower bucket
        CHECK(advance_ids(w, 69'999).empty());
        CHECK(w.check_invariants());
        CHECK(advance_ids(w, 70'000) == std::vector<int>{1});
        CHECK(a.fired_at == 70'000);
        CHECK(w.empty());
    }

    TEST_CASE("a timer postponed after it became due waits for its new deadline") {
        Wheel w(0);
        Timer t;
        t.id = 7;
        w.schedule(&t, 10);
        // Due, but no advance yet: it waits in the ready list or its bucket.
        w.postpone(&t, 20);
        CHECK(advance_ids(w, 15).empty());
        CHECK(advance_ids(w, 20) == std::vector<int>{7});
        // Due and found, but not handed back: the callback threw on an earlier timer.
        Timer first;
        first.id = 8;
        w.schedule(&first, 25);
        w.schedule(&t, 30);
        CHECK_THROWS_AS(w.advance(40, [](Timer*) { throw std::runtime_error("callback"); }),
                        std::runtime_error);
        CHECK(w.size() == 1);
        w.postpone(&t, 50);
        CHECK(advance_ids(w, 45).empty());
        CHECK(w.check_invariants());
        CHECK(advance_ids(w, 50) == std::vector<int>{7});
    }

    TEST_CASE("randomized against a std::multimap model") {
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            CAPTURE(seed);
            std::mt19937_64 rng(seed);
            std::uint64_t now = rng() % 1000000;
            Wheel w(now);
            std::vector<Timer> ts(300);
            std::map<int, std::uint64_t> model;  // id -> deadline
            for (std::size_t i = 0; i < ts.size(); ++i) ts[i].id = static_cast<int>(i);
            for (int step = 0; step < 3000; ++step) {
                const auto op = rng() % 12;
                auto& t = ts[rng() % ts.size()];
                static constexpr std::uint64_t scales[] = {10, 100, 5000, 300000, 1ull << 34,
                                                           1ull << 38};
                if (op < 4) {
                    const std::uint64_t d = now + rng() % scales[rng() % 6];
                    w.schedule(&t, d);
                    model[t.id] = d;
                } else if (op < 6) {
                    // Mostly later than the timer's deadline (kept in place), sometimes earlier
                    // (rescheduled), sometimes on a timer that is not scheduled.
                    const std::uint64_t base =
                        model.count(t.id) && rng() % 4 != 0 ? model[t.id] : now;
                    const std::uint64_t d = base + rng() % scales[rng() % 6];
                    w.postpone(&t, d);
                    model[t.id] = d;
                } else if (op < 7) {
                    w.cancel(&t);
                    model.erase(t.id);
                } else {
                    static constexpr std::uint64_t jumps[] = {1, 7, 64, 1000, 70000, 1ull << 31,
                                                              1ull << 37};
                    now += rng() % jumps[rng() % 7];
                    const std::size_t budget = rng() % 2 ? 8 : SIZE_MAX;
                    std::set<int> fired;
                    std::uint64_t last = 0;
                    w.advance(now, budget, [&](Timer* x) {
                        CHECK(x->deadline <= now);  // never early
                        CHECK(x->deadline >= last);  // deadline order
                        last = x->deadline;
                        fired.insert(x->id);
                    });
                    for (int id : fired) {
                        REQUIRE(model.count(id) == 1);
                        model.erase(id);
                    }
                    if (budget == SIZE_MAX) {
                        // nothing due may remain after an unbounded advance
                        for (auto& [id, d] : model) CHECK(d > now);
                    }
                }
                REQUIRE(w.size() == model.size());
                std::uint64_t expect_next = cachet::no_deadline;
                for (auto& [id, d] : model) expect_next = std::min(expect_next, d);
                REQUIRE(w.next_deadline() == expect_next);
                if (step % 100 == 0) REQUIRE(w.check_invariants());
            }
        }
    }
}

}  // namespace timer_wheel_test
