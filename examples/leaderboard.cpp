// A game leaderboard on a sorted set, as the workshops build it with Redis's ZADD / ZINCRBY /
// ZREVRANGE / ZREVRANK: several threads record scores concurrently, readers ask for the top
// players and a player's rank at any time, and a weekly board expires by itself. Each call is
// atomic on its key; rank and top-N cost O(log N) (a B+tree that counts its entries), not a sort.
#include <cachet/sorted_set.hpp>

#include <chrono>
#include <cstdio>
#include <limits>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

int main() {
    // Key: the board ("weekly", "all-time"); members: player names; scores: points (double).
    cachet::ZSetStore<std::string, std::string> boards;

    // Four game servers report wins concurrently: ZINCRBY all-time <points> <player>.
    const std::vector<std::string> players = {"ada", "brian", "chen", "dana", "emil", "fay"};
    std::vector<std::thread> servers;
    for (int s = 0; s < 4; ++s) {
        servers.emplace_back([&, s] {
            for (int round = 0; round < 1000; ++round) {
                const std::string& p = players[static_cast<std::size_t>(round * 7 + s * 3) % players.size()];
                const double points = 1 + (round + s) % 10;
                (void)boards.increment("all-time", p, points);
                (void)boards.increment("weekly", p, points);
            }
        });
    }
    for (auto& t : servers) t.join();
    boards.expire("weekly", 7 * 24h);  // the weekly board resets itself

    // ZREVRANGE all-time 0 2 WITHSCORES: the top three.
    std::printf("top 3 (all-time):\n");
    for (const auto& [player, score] : boards.range_by_rank("all-time", 0, 2, /*reverse=*/true))
        std::printf("  %-6s %6.0f\n", player.c_str(), score);

    // ZREVRANK / ZSCORE: where does one player stand?
    const auto rank = boards.reverse_rank("all-time", "dana");
    const auto score = boards.score("all-time", "dana");
    std::printf("dana: rank %zu of %zu, %.0f points\n", rank ? *rank + 1 : 0,
                boards.cardinality("all-time"), score.value_or(0));

    // ZCOUNT all-time 2000 +inf: how many players have at least 2000 points?
    const auto strong = boards.count(
        "all-time", cachet::ScoreRange<double>{{2000, false}, {std::numeric_limits<double>::infinity(), false}});
    std::printf("players with >= 2000 points: %zu\n", strong);

    // Totals prove no increment was lost: 4 servers x 1000 rounds.
    double total = 0;
    for (const auto& [player, s] : boards.range_by_rank("all-time", 0, -1)) total += s;
    double expected = 0;
    for (int s = 0; s < 4; ++s)
        for (int round = 0; round < 1000; ++round) expected += 1 + (round + s) % 10;
    std::printf("sum of scores %.0f (expected %.0f); weekly board expires in %lld h\n", total,
                expected,
                static_cast<long long>(std::chrono::ceil<std::chrono::hours>(
                                           boards.ttl("weekly").remaining)
                                           .count()));
    return total == expected ? 0 : 1;
}
