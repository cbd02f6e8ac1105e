// The resp_server::Server class mounted in-process over a program's own Database (the use the
// DESIGN page names "a debug/ops port on a live process"): the program and a RESP client see
// each other's writes, a program-side publish reaches a RESP subscriber on another I/O thread,
// stop() from the program ends run(), and SHUTDOWN from a client does too.

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "engine_instance.hpp"
#include "../../examples/resp_server/server.hpp"

#include <cachet/database.hpp>
#include <cachet/resp/engine.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace {

/// A blocking client socket to 127.0.0.1:port with a receive timeout.
class Client {
public:
    explicit Client(int port) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(m_fd >= 0);
        timeval tv{10, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client() { ::close(m_fd); }

    void send(std::string_view s) { REQUIRE(::send(m_fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size())); }
    /// Reads exactly `n` bytes (fewer if the connection closes or times out).
    std::string recv(std::size_t n) {
        std::string out;
        char buf[4096];
        while (out.size() < n) {
            const ssize_t r = ::recv(m_fd, buf, std::min(sizeof buf, n - out.size()), 0);
            if (r <= 0) break;
            out.append(buf, static_cast<std::size_t>(r));
        }
        return out;
    }
    std::string exchange(std::string_view request, std::size_t reply_len) {
        send(request);
        return recv(reply_len);
    }
    bool closed_by_peer() {
        char c;
        return ::recv(m_fd, &c, 1, 0) == 0;
    }

private:
    int m_fd = -1;
};

std::string cmd(std::initializer_list<std::string_view> args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (auto a : args) out += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
    return out;
}

}  // namespace

TEST_SUITE("resp_server") {
TEST_CASE("a program mounts the server over its own Database and stops it") {
    cachet::Database db;
    cachet::resp::Engine engine(db);
    // As in server.hpp's file comment (designated initializers compile warning-free).
    cachet::resp_server::Server server(
        engine, {.port = 0, .io_threads = 2, .verbosity = cachet::resp_server::LogLevel::warning});
    server.start();
    REQUIRE(server.port() > 0);
    CHECK(server.io_threads() == 2);

    Client a(server.port());
    CHECK(a.exchange(cmd({"SET", "from-client", "1"}), 5) == "+OK\r\n");
    CHECK(db.db(0).get("from-client") == std::optional<std::string>("1"));  // the program sees it
    db.db(0).set("from-program", "2");
    CHECK(a.exchange(cmd({"GET", "from-program"}), 7) == "$1\r\n2\r\n");  // the client sees it

    // Two more connections: round-robin puts b and a on different I/O threads.
    Client b(server.port());
    const std::string confirm = "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n";
    CHECK(b.exchange(cmd({"SUBSCRIBE", "news"}), confirm.size()) == confirm);
    CHECK(db.bus().publish("news", "from the program") == 1);
    const std::string message = "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$16\r\nfrom the program\r\n";
    CHECK(b.recv(message.size()) == message);
    CHECK(a.exchange(cmd({"PUBLISH", "news", "from a"}), 4) == ":1\r\n");
    const std::string message2 = "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$6\r\nfrom a\r\n";
    CHECK(b.recv(message2.size()) == message2);

    const auto stats = server.stats();
    CHECK(stats.accepted == 2);
    server.stop();
    server.wait();
    CHECK(a.closed_by_peer());
    CHECK(b.closed_by_peer());
    CHECK(engine.client_count() == 0);  // every session closed
    CHECK(db.db(0).get("from-client") == std::optional<std::string>("1"));  // the data stays
}

TEST_CASE("SHUTDOWN from a client ends run() on the calling thread") {
    cachet::Database db;
    cachet::resp::Engine engine(db);
    cachet::resp_server::ServerOptions options;
    options.port = 0;
    options.io_threads = 1;
    options.active_expire = false;
    options.verbosity = cachet::resp_server::LogLevel::warning;
    cachet::resp_server::Server server(engine, options);
    server.listen();
    std::thread client([port = server.port()] {
        Client c(port);
        CHECK(c.exchange(cmd({"PING"}), 7) == "+PONG\r\n");
        c.send(cmd({"SHUTDOWN"}));
        CHECK(c.closed_by_peer());
    });
    server.run();  // returns once SHUTDOWN stopped it
    client.join();
    CHECK(engine.client_count() == 0);
    // Without a running server, SHUTDOWN is refused (the hook was removed).
    cachet::resp::Session session(engine);
    session.process(cmd({"SHUTDOWN"}));
    CHECK(session.output() == "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
}
}
