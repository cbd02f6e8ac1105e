// Cache-aside in front of a real database: a product catalogue in SQLite, queried with a
// deliberately slow query, fronted by cachet::CacheAside. The workshop demo: the first request
// for a product is slow (from the database), the next ones are fast (from the cache), and after
// the TTL it is slow again. Unknown products are cached as "not found" for a shorter TTL, so
// they do not reach the database on every request either.
//
// The slowness is simulated: the query calls sleep_ms(25), an SQL function this program
// registers (evaluated once per query, found or not), standing in for a remote database or a
// missing index. Latencies are real (steady
// clock); the cache's TTLs run on a ManualClock so the demo skips a minute without waiting.
//
// Then the workshop's "Redis as a database" part: secondary indexes kept beside the cache, a
// SetStore per category (SADD category:books 42) and one ZSetStore by price (ZADD
// products:by-price 1600 42), answering "books between $10 and $20, cheapest first" and "the
// three cheapest games" without touching the database.
#include <cachet/cache_aside.hpp>
#include <cachet/set_store.hpp>
#include <cachet/sorted_set.hpp>

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct Product {
    std::string name;
    std::string category;
    long long price_cents = 0;
};

/// A minimal RAII wrapper over the SQLite C API: one connection, one prepared query.
class Catalogue {
public:
    Catalogue() {
        if (sqlite3_open(":memory:", &m_db) != SQLITE_OK) fail("open");
        sqlite3_create_function(m_db, "sleep_ms", 1, SQLITE_UTF8, nullptr, &sleep_ms, nullptr,
                                nullptr);
        exec(
            "CREATE TABLE products(id INTEGER PRIMARY KEY, name TEXT, category TEXT, "
            "price_cents INTEGER)");
        exec(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
            "INSERT INTO products SELECT i, 'product ' || i, "
            "CASE i % 3 WHEN 0 THEN 'books' WHEN 1 THEN 'games' ELSE 'tools' END, "
            "100 + (i * 37) % 5000 FROM n");
        if (sqlite3_prepare_v2(m_db,
                               "SELECT name, category, price_cents FROM products "
                               "WHERE id = ?1 + sleep_ms(25)",  // sleep_ms returns 0
                               -1, &m_query, nullptr) != SQLITE_OK)
            fail("prepare");
    }
    Catalogue(const Catalogue&) = delete;
    Catalogue& operator=(const Catalogue&) = delete;
    ~Catalogue() {
        sqlite3_finalize(m_query);
        sqlite3_close(m_db);
    }

    /// The slow query. Not thread-safe (one prepared statement); the cache calls it for one key
    /// at a time here anyway.
    std::optional<Product> find(long long id) {
        sqlite3_reset(m_query);
        sqlite3_bind_int64(m_query, 1, id);
        const int rc = sqlite3_step(m_query);
        if (rc == SQLITE_DONE) return std::nullopt;  // "not found": cached for negative_ttl
        if (rc != SQLITE_ROW) fail("step");
        ++queries;
        return Product{reinterpret_cast<const char*>(sqlite3_column_text(m_query, 0)),
                       reinterpret_cast<const char*>(sqlite3_column_text(m_query, 1)),
                       sqlite3_column_int64(m_query, 2)};
    }
    int queries = 0;

    /// Every product, fast (no sleep): what an index loader reads once at start-up.
    template <class F>
    void for_each(F&& f) {
        sqlite3_stmt* all = nullptr;
        if (sqlite3_prepare_v2(m_db, "SELECT id, category, price_cents FROM products", -1, &all,
                               nullptr) != SQLITE_OK)
            fail("prepare");
        while (sqlite3_step(all) == SQLITE_ROW)
            f(sqlite3_column_int64(all, 0), reinterpret_cast<const char*>(sqlite3_column_text(all, 1)),
              sqlite3_column_int64(all, 2));
        sqlite3_finalize(all);
    }

private:
    static void sleep_ms(sqlite3_context* ctx, int, sqlite3_value** argv) {
        std::this_thread::sleep_for(std::chrono::milliseconds(sqlite3_value_int64(argv[0])));
        sqlite3_result_int(ctx, 0);
    }
    void exec(const char* sql) {
        if (sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
    }
    [[noreturn]] void fail(const char* what) {
        throw std::runtime_error(std::string("sqlite: ") + what + ": " + sqlite3_errmsg(m_db));
    }

    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_query = nullptr;
};

}  // namespace

int main() {
    Catalogue db;
    cachet::ManualClock clock;
    cachet::CacheAside<long long, Product, std::hash<long long>, std::equal_to<long long>,
                       cachet::ManualClock>
        products(
            {.ttl = 60s, .negative_ttl = 10s, .max_entries = 10'000},
            [&](long long id) { return db.find(id); }, clock);

    double db_us = 0, cache_us = 0;
    int db_requests = 0, cache_requests = 0;
    auto request = [&](long long id) {
        const auto loads_before = products.stats().loads();
        const auto t0 = std::chrono::steady_clock::now();
        const std::optional<Product> p = products.get(id);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        const bool from_db = products.stats().loads() != loads_before;
        (from_db ? db_us : cache_us) += ms * 1000;
        ++(from_db ? db_requests : cache_requests);
        const auto ttl = products.ttl(id);
        std::printf(
            "  GET product %-5lld %9.1f us  from %-8s  %-28s ttl %2lld s\n", id, ms * 1000,
            from_db ? "database" : "cache",
            p ? (p->name + " (" + p->category + ", $" + std::to_string(p->price_cents / 100) + ")")
                    .c_str()
              : "not found",
            static_cast<long long>(ttl.remaining.count() / 1000));
    };

    std::printf("t = 0 s\n");
    request(42);  // miss: the slow query
    request(42);  // hit
    request(42);
    request(7);
    request(99999);  // unknown: one query, then cached as "not found" for 10 s
    request(99999);

    clock.advance(30s);
    std::printf("t = 30 s\n");
    request(42);  // still cached, 30 s left
    request(7);

    clock.advance(31s);
    std::printf("t = 61 s (product 42 and 7 have expired)\n");
    request(42);  // slow again
    request(42);

    const auto st = products.stats();
    std::printf("hits %llu, misses %llu, hit ratio %.2f; %llu database queries (%d found)\n",
                static_cast<unsigned long long>(st.hits),
                static_cast<unsigned long long>(st.misses), st.hit_ratio(),
                static_cast<unsigned long long>(st.loads()), db.queries);
    std::printf("mean latency: database %.1f us, cache %.1f us\n", db_us / db_requests,
                cache_us / cache_requests);

    // Redis as a database: secondary indexes, loaded once, then queried in memory.
    cachet::SetStore<std::string, long long> by_category;    // category:<name> -> ids
    cachet::ZSetStore<std::string, long long> by_price;      // products:by-price, score = cents
    db.for_each([&](long long id, const std::string& category, long long cents) {
        by_category.add("category:" + category, id);
        by_price.add("products:by-price", id, static_cast<double>(cents));
    });
    std::printf("indexes: %zu books, %zu games, %zu tools; %zu prices\n",
                by_category.cardinality("category:books"), by_category.cardinality("category:games"),
                by_category.cardinality("category:tools"), by_price.cardinality("products:by-price"));

    // ZRANGEBYSCORE products:by-price 1000 2000, filtered by SISMEMBER category:books.
    const auto between = by_price.range_by_score("products:by-price", {{1000, false}, {2000, false}});
    std::vector<long long> books;
    for (const auto& [id, cents] : between)
        if (by_category.contains("category:books", id)) books.push_back(id);
    std::printf("books between $10 and $20: %zu, cheapest: ", books.size());
    for (std::size_t i = 0; i < books.size() && i < 3; ++i)
        std::printf("%s#%lld ($%.2f)", i ? ", " : "", books[i], *by_price.score("products:by-price", books[i]) / 100);
    std::printf("\n");

    // The three cheapest games: walk the price index in order, keep the games.
    std::printf("cheapest games:");
    int shown = 0;
    for (const auto& [id, cents] : by_price.range_by_rank("products:by-price", 0, -1)) {
        if (!by_category.contains("category:games", id)) continue;
        std::printf(" #%lld ($%.2f)", id, cents / 100);
        if (++shown == 3) break;
    }
    std::printf("\n");
    const bool indexes_ok = by_category.cardinality("category:books") == 333 &&
                            by_price.cardinality("products:by-price") == 1000 && !books.empty();
    return st.loads() == 4 && st.hits == 6 && indexes_ok ? 0 : 1;
}
