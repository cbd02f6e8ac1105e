// MONITOR, SLOWLOG, LATENCY, ROLE, WAIT, CLUSTER, REPLICAOF and SWAPDB through the command
// layer (expected replies checked against redis-server 7.0.15).

#include "support/resp_session.hpp"

#include <doctest/doctest.h>

#include <cachet/resp/latency_histogram.hpp>

#include <chrono>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

namespace resp_admin_test {

using namespace std::chrono_literals;
using test::call;

namespace {

/// The lines of a MONITOR stream with the timestamp replaced by "T".
std::vector<std::string> monitor_lines(const std::string& got) {
    std::vector<std::string> out;
    static const std::regex stamp(R"(^\+\d+\.\d{6} )");
    for (std::size_t at = 0; at < got.size();) {
        const std::size_t eol = got.find("\r\n", at);
        REQUIRE(eol != std::string::npos);
        const std::string line = got.substr(at, eol - at);
        CHECK(std::regex_search(line, stamp));
        out.push_back("T " + std::regex_replace(line, stamp, ""));
        at = eol + 2;
    }
    return out;
}

/// COMMAND DOCS and COMMAND INFO of redis-server 7.0.15 (RESP2, and RESP3 where it differs),
/// recorded with tests/support/record_replies.py: arguments, complexity, history, doc flags
/// (GEORADIUS's "deprecated"), tips and key specifications (ZUNIONSTORE's keynum spec, SORT's
/// incomplete one). Commands with subcommands are left out: Redis lists those in its hash
/// table's order, which changes from one start to the next.
const std::vector<test::Row>& command_docs_recorded() {
    static const std::vector<test::Row> rows = {
            {{"COMMAND", "DOCS", "get"}, "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n", "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n"},
            {{"COMMAND", "DOCS", "set"}, "*2\r\n$3\r\nset\r\n*12\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n*4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\nAdded the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\nAdded the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\nAdded the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\nAllowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n*10\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n*6\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n*10\r\n$4\r\nname\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n*8\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\nname\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nPX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n*8\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n*8\r\n$4\r\nname\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nKEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n", "%1\r\n$3\r\nset\r\n%6\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n~4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\nAdded the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\nAdded the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\nAdded the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\nAllowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n%5\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%5\r\n$4\r\nname\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n%4\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nPX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\nname\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nKEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n"},
            {{"COMMAND", "DOCS", "georadius"}, "*2\r\n$9\r\ngeoradius\r\n*18\r\n$7\r\nsummary\r\n$114\r\nQuery a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point\r\n$5\r\nsince\r\n$5\r\n3.2.0\r\n$5\r\ngroup\r\n$3\r\ngeo\r\n$10\r\ncomplexity\r\n$168\r\nO(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.\r\n$9\r\ndoc_flags\r\n*1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n$11\r\nreplaced_by\r\n$61\r\n`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument\r\n$7\r\nhistory\r\n*2\r\n*2\r\n$5\r\n6.2.0\r\n$35\r\nAdded the `ANY` option for `COUNT`.\r\n*2\r\n$5\r\n7.0.0\r\n$39\r\nAdded support for uppercase unit names.\r\n$9\r\narguments\r\n*12\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$9\r\nlongitude\r\n$4\r\ntype\r\n$6\r\ndouble\r\n*4\r\n$4\r\nname\r\n$8\r\nlatitude\r\n$4\r\ntype\r\n$6\r\ndouble\r\n*4\r\n$4\r\nname\r\n$6\r\nradius\r\n$4\r\ntype\r\n$6\r\ndouble\r\n*6\r\n$4\r\nname\r\n$4\r\nunit\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*4\r\n*6\r\n$4\r\nname\r\n$1\r\nm\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$1\r\nM\r\n*6\r\n$4\r\nname\r\n$2\r\nkm\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nKM\r\n*6\r\n$4\r\nname\r\n$2\r\nft\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nFT\r\n*6\r\n$4\r\nname\r\n$2\r\nmi\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nMI\r\n*8\r\n$4\r\nname\r\n$9\r\nwithcoord\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$9\r\nWITHCOORD\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$8\r\nwithdist\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$8\r\nWITHDIST\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$8\r\nwithhash\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$8\r\nWITHHASH\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$5\r\nCOUNT\r\n*10\r\n$4\r\nname\r\n$3\r\nany\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nANY\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$5\r\norder\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nasc\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nASC\r\n*6\r\n$4\r\nname\r\n$4\r\ndesc\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nDESC\r\n*10\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:1\r\n$5\r\ntoken\r\n$5\r\nSTORE\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*10\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:2\r\n$5\r\ntoken\r\n$9\r\nSTOREDIST\r\n$5\r\nflags\r\n*1\r\n+optional\r\n", "%1\r\n$9\r\ngeoradius\r\n%9\r\n$7\r\nsummary\r\n$114\r\nQuery a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point\r\n$5\r\nsince\r\n$5\r\n3.2.0\r\n$5\r\ngroup\r\n$3\r\ngeo\r\n$10\r\ncomplexity\r\n$168\r\nO(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.\r\n$9\r\ndoc_flags\r\n~1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n$11\r\nreplaced_by\r\n$61\r\n`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument\r\n$7\r\nhistory\r\n~2\r\n*2\r\n$5\r\n6.2.0\r\n$35\r\nAdded the `ANY` option for `COUNT`.\r\n*2\r\n$5\r\n7.0.0\r\n$39\r\nAdded support for uppercase unit names.\r\n$9\r\narguments\r\n*12\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$9\r\nlongitude\r\n$4\r\ntype\r\n$6\r\ndouble\r\n%2\r\n$4\r\nname\r\n$8\r\nlatitude\r\n$4\r\ntype\r\n$6\r\ndouble\r\n%2\r\n$4\r\nname\r\n$6\r\nradius\r\n$4\r\ntype\r\n$6\r\ndouble\r\n%3\r\n$4\r\nname\r\n$4\r\nunit\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*4\r\n%3\r\n$4\r\nname\r\n$1\r\nm\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$1\r\nM\r\n%3\r\n$4\r\nname\r\n$2\r\nkm\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nKM\r\n%3\r\n$4\r\nname\r\n$2\r\nft\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nFT\r\n%3\r\n$4\r\nname\r\n$2\r\nmi\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nMI\r\n%4\r\n$4\r\nname\r\n$9\r\nwithcoord\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$9\r\nWITHCOORD\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$8\r\nwithdist\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$8\r\nWITHDIST\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$8\r\nwithhash\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$8\r\nWITHHASH\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$5\r\nCOUNT\r\n%5\r\n$4\r\nname\r\n$3\r\nany\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nANY\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$5\r\norder\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$3\r\nasc\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nASC\r\n%3\r\n$4\r\nname\r\n$4\r\ndesc\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nDESC\r\n%5\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:1\r\n$5\r\ntoken\r\n$5\r\nSTORE\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%5\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:2\r\n$5\r\ntoken\r\n$9\r\nSTOREDIST\r\n$5\r\nflags\r\n~1\r\n+optional\r\n"},
            {{"COMMAND", "DOCS", "zadd"}, "*2\r\n$4\r\nzadd\r\n*12\r\n$7\r\nsummary\r\n$81\r\nAdd one or more members to a sorted set, or update its score if it already exists\r\n$5\r\nsince\r\n$5\r\n1.2.0\r\n$5\r\ngroup\r\n$10\r\nsorted-set\r\n$10\r\ncomplexity\r\n$83\r\nO(log(N)) for each item added, where N is the number of elements in the sorted set.\r\n$7\r\nhistory\r\n*3\r\n*2\r\n$5\r\n2.4.0\r\n$26\r\nAccepts multiple elements.\r\n*2\r\n$5\r\n3.0.2\r\n$46\r\nAdded the `XX`, `NX`, `CH` and `INCR` options.\r\n*2\r\n$5\r\n6.2.0\r\n$32\r\nAdded the `GT` and `LT` options.\r\n$9\r\narguments\r\n*6\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*10\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n*6\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n*10\r\n$4\r\nname\r\n$10\r\ncomparison\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\ngt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nGT\r\n*6\r\n$4\r\nname\r\n$2\r\nlt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nLT\r\n*10\r\n$4\r\nname\r\n$6\r\nchange\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nCH\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*10\r\n$4\r\nname\r\n$9\r\nincrement\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nINCR\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$12\r\nscore_member\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n*1\r\n+multiple\r\n$9\r\narguments\r\n*2\r\n*4\r\n$4\r\nname\r\n$5\r\nscore\r\n$4\r\ntype\r\n$6\r\ndouble\r\n*4\r\n$4\r\nname\r\n$6\r\nmember\r\n$4\r\ntype\r\n$6\r\nstring\r\n", "%1\r\n$4\r\nzadd\r\n%6\r\n$7\r\nsummary\r\n$81\r\nAdd one or more members to a sorted set, or update its score if it already exists\r\n$5\r\nsince\r\n$5\r\n1.2.0\r\n$5\r\ngroup\r\n$10\r\nsorted-set\r\n$10\r\ncomplexity\r\n$83\r\nO(log(N)) for each item added, where N is the number of elements in the sorted set.\r\n$7\r\nhistory\r\n~3\r\n*2\r\n$5\r\n2.4.0\r\n$26\r\nAccepts multiple elements.\r\n*2\r\n$5\r\n3.0.2\r\n$46\r\nAdded the `XX`, `NX`, `CH` and `INCR` options.\r\n*2\r\n$5\r\n6.2.0\r\n$32\r\nAdded the `GT` and `LT` options.\r\n$9\r\narguments\r\n*6\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%5\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%5\r\n$4\r\nname\r\n$10\r\ncomparison\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\ngt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nGT\r\n%3\r\n$4\r\nname\r\n$2\r\nlt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nLT\r\n%5\r\n$4\r\nname\r\n$6\r\nchange\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nCH\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%5\r\n$4\r\nname\r\n$9\r\nincrement\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nINCR\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$12\r\nscore_member\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n~1\r\n+multiple\r\n$9\r\narguments\r\n*2\r\n%2\r\n$4\r\nname\r\n$5\r\nscore\r\n$4\r\ntype\r\n$6\r\ndouble\r\n%2\r\n$4\r\nname\r\n$6\r\nmember\r\n$4\r\ntype\r\n$6\r\nstring\r\n"},
            {{"COMMAND", "DOCS", "client|list"}, "*2\r\n$11\r\nclient|list\r\n*12\r\n$7\r\nsummary\r\n$34\r\nGet the list of client connections\r\n$5\r\nsince\r\n$5\r\n2.4.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$48\r\nO(N) where N is the number of client connections\r\n$7\r\nhistory\r\n*6\r\n*2\r\n$6\r\n2.8.12\r\n$31\r\nAdded unique client `id` field.\r\n*2\r\n$5\r\n5.0.0\r\n$29\r\nAdded optional `TYPE` filter.\r\n*2\r\n$5\r\n6.0.0\r\n$19\r\nAdded `user` field.\r\n*2\r\n$5\r\n6.2.0\r\n$85\r\nAdded `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.\r\n*2\r\n$5\r\n7.0.0\r\n$50\r\nAdded `resp`, `multi-mem`, `rbs` and `rbp` fields.\r\n*2\r\n$5\r\n7.0.3\r\n$19\r\nAdded `ssub` field.\r\n$9\r\narguments\r\n*2\r\n*12\r\n$4\r\nname\r\n$28\r\nnormal_master_replica_pubsub\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\ntoken\r\n$4\r\nTYPE\r\n$5\r\nsince\r\n$5\r\n5.0.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*4\r\n*6\r\n$4\r\nname\r\n$6\r\nnormal\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\nNORMAL\r\n*6\r\n$4\r\nname\r\n$6\r\nmaster\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\nMASTER\r\n*6\r\n$4\r\nname\r\n$7\r\nreplica\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nREPLICA\r\n*6\r\n$4\r\nname\r\n$6\r\npubsub\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\nPUBSUB\r\n*12\r\n$4\r\nname\r\n$2\r\nid\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\ntoken\r\n$2\r\nID\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$9\r\nclient-id\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\nflags\r\n*1\r\n+multiple\r\n", "%1\r\n$11\r\nclient|list\r\n%6\r\n$7\r\nsummary\r\n$34\r\nGet the list of client connections\r\n$5\r\nsince\r\n$5\r\n2.4.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$48\r\nO(N) where N is the number of client connections\r\n$7\r\nhistory\r\n~6\r\n*2\r\n$6\r\n2.8.12\r\n$31\r\nAdded unique client `id` field.\r\n*2\r\n$5\r\n5.0.0\r\n$29\r\nAdded optional `TYPE` filter.\r\n*2\r\n$5\r\n6.0.0\r\n$19\r\nAdded `user` field.\r\n*2\r\n$5\r\n6.2.0\r\n$85\r\nAdded `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.\r\n*2\r\n$5\r\n7.0.0\r\n$50\r\nAdded `resp`, `multi-mem`, `rbs` and `rbp` fields.\r\n*2\r\n$5\r\n7.0.3\r\n$19\r\nAdded `ssub` field.\r\n$9\r\narguments\r\n*2\r\n%6\r\n$4\r\nname\r\n$28\r\nnormal_master_replica_pubsub\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\ntoken\r\n$4\r\nTYPE\r\n$5\r\nsince\r\n$5\r\n5.0.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*4\r\n%3\r\n$4\r\nname\r\n$6\r\nnormal\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\nNORMAL\r\n%3\r\n$4\r\nname\r\n$6\r\nmaster\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\nMASTER\r\n%3\r\n$4\r\nname\r\n$7\r\nreplica\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nREPLICA\r\n%3\r\n$4\r\nname\r\n$6\r\npubsub\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\nPUBSUB\r\n%6\r\n$4\r\nname\r\n$2\r\nid\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\ntoken\r\n$2\r\nID\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$9\r\nclient-id\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\nflags\r\n~1\r\n+multiple\r\n"},
            {{"COMMAND", "DOCS", "config|get"}, "*2\r\n$10\r\nconfig|get\r\n*12\r\n$7\r\nsummary\r\n$42\r\nGet the values of configuration parameters\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$62\r\nO(N) when N is the number of configuration parameters provided\r\n$7\r\nhistory\r\n*1\r\n*2\r\n$5\r\n7.0.0\r\n$65\r\nAdded the ability to pass multiple pattern parameters in one call\r\n$9\r\narguments\r\n*1\r\n*8\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n*1\r\n+multiple\r\n$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\ntype\r\n$6\r\nstring\r\n", "%1\r\n$10\r\nconfig|get\r\n%6\r\n$7\r\nsummary\r\n$42\r\nGet the values of configuration parameters\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$62\r\nO(N) when N is the number of configuration parameters provided\r\n$7\r\nhistory\r\n~1\r\n*2\r\n$5\r\n7.0.0\r\n$65\r\nAdded the ability to pass multiple pattern parameters in one call\r\n$9\r\narguments\r\n*1\r\n%4\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n~1\r\n+multiple\r\n$9\r\narguments\r\n*1\r\n%2\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\ntype\r\n$6\r\nstring\r\n"},
            {{"COMMAND", "DOCS", "sintercard"}, "*2\r\n$10\r\nsintercard\r\n*10\r\n$7\r\nsummary\r\n$64\r\nIntersect multiple sets and return the cardinality of the result\r\n$5\r\nsince\r\n$5\r\n7.0.0\r\n$5\r\ngroup\r\n$3\r\nset\r\n$10\r\ncomplexity\r\n$93\r\nO(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.\r\n$9\r\narguments\r\n*3\r\n*4\r\n$4\r\nname\r\n$7\r\nnumkeys\r\n$4\r\ntype\r\n$7\r\ninteger\r\n*8\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$5\r\nflags\r\n*1\r\n+multiple\r\n*8\r\n$4\r\nname\r\n$5\r\nlimit\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$5\r\nLIMIT\r\n$5\r\nflags\r\n*1\r\n+optional\r\n", "%1\r\n$10\r\nsintercard\r\n%5\r\n$7\r\nsummary\r\n$64\r\nIntersect multiple sets and return the cardinality of the result\r\n$5\r\nsince\r\n$5\r\n7.0.0\r\n$5\r\ngroup\r\n$3\r\nset\r\n$10\r\ncomplexity\r\n$93\r\nO(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.\r\n$9\r\narguments\r\n*3\r\n%2\r\n$4\r\nname\r\n$7\r\nnumkeys\r\n$4\r\ntype\r\n$7\r\ninteger\r\n%4\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$5\r\nflags\r\n~1\r\n+multiple\r\n%4\r\n$4\r\nname\r\n$5\r\nlimit\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$5\r\nLIMIT\r\n$5\r\nflags\r\n~1\r\n+optional\r\n"},
            {{"COMMAND", "DOCS", "hstrlen"}, "*2\r\n$7\r\nhstrlen\r\n*10\r\n$7\r\nsummary\r\n$43\r\nGet the length of the value of a hash field\r\n$5\r\nsince\r\n$5\r\n3.2.0\r\n$5\r\ngroup\r\n$4\r\nhash\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$5\r\nfield\r\n$4\r\ntype\r\n$6\r\nstring\r\n", "%1\r\n$7\r\nhstrlen\r\n%5\r\n$7\r\nsummary\r\n$43\r\nGet the length of the value of a hash field\r\n$5\r\nsince\r\n$5\r\n3.2.0\r\n$5\r\ngroup\r\n$4\r\nhash\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$5\r\nfield\r\n$4\r\ntype\r\n$6\r\nstring\r\n"},
            {{"COMMAND", "DOCS", "nosuch", "get"}, "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n", "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n"},
            {{"COMMAND", "INFO", "set"}, "*1\r\n*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@string\r\n+@slow\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n", "*1\r\n*10\r\n$3\r\nset\r\n:-3\r\n~2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@write\r\n+@string\r\n+@slow\r\n~0\r\n~1\r\n%4\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n~4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"},
            {{"COMMAND", "INFO", "georadius"}, "*1\r\n*10\r\n$9\r\ngeoradius\r\n:-6\r\n*3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@geo\r\n+@slow\r\n*0\r\n*3\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$5\r\nSTORE\r\n$9\r\nstartfrom\r\n:6\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$9\r\nSTOREDIST\r\n$9\r\nstartfrom\r\n:6\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n", "*1\r\n*10\r\n$9\r\ngeoradius\r\n:-6\r\n~3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@write\r\n+@geo\r\n+@slow\r\n~0\r\n~3\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n%3\r\n$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n%2\r\n$7\r\nkeyword\r\n$5\r\nSTORE\r\n$9\r\nstartfrom\r\n:6\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n%3\r\n$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n%2\r\n$7\r\nkeyword\r\n$9\r\nSTOREDIST\r\n$9\r\nstartfrom\r\n:6\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"},
            {{"COMMAND", "INFO", "zunionstore"}, "*1\r\n*10\r\n$11\r\nzunionstore\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@sortedset\r\n+@slow\r\n*0\r\n*2\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n", "*1\r\n*10\r\n$11\r\nzunionstore\r\n:-4\r\n~3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@write\r\n+@sortedset\r\n+@slow\r\n~0\r\n~2\r\n%3\r\n$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n%3\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n~0\r\n"},
            {{"COMMAND", "INFO", "sort"}, "*1\r\n*10\r\n$4\r\nsort\r\n:-2\r\n*3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n*6\r\n+@write\r\n+@set\r\n+@sortedset\r\n+@list\r\n+@slow\r\n+@dangerous\r\n*0\r\n*3\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*8\r\n$5\r\nnotes\r\n$120\r\nFor the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n*0\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n*0\r\n*8\r\n$5\r\nnotes\r\n$116\r\nFor the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n*0\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n*0\r\n*0\r\n", "*1\r\n*10\r\n$4\r\nsort\r\n:-2\r\n~3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n:1\r\n:1\r\n:1\r\n~6\r\n+@write\r\n+@set\r\n+@sortedset\r\n+@list\r\n+@slow\r\n+@dangerous\r\n~0\r\n~3\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n%4\r\n$5\r\nnotes\r\n$120\r\nFor the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n%0\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n%0\r\n%4\r\n$5\r\nnotes\r\n$116\r\nFor the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array\r\n$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n%0\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n$4\r\nspec\r\n%0\r\n~0\r\n"},
            {{"COMMAND", "INFO", "lmove"}, "*1\r\n*10\r\n$5\r\nlmove\r\n:5\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:2\r\n:1\r\n*3\r\n+@write\r\n+@list\r\n+@slow\r\n*0\r\n*2\r\n*6\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RW\r\n+insert\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n", "*1\r\n*10\r\n$5\r\nlmove\r\n:5\r\n~2\r\n+write\r\n+denyoom\r\n:1\r\n:2\r\n:1\r\n~3\r\n+@write\r\n+@list\r\n+@slow\r\n~0\r\n~2\r\n%3\r\n$5\r\nflags\r\n~3\r\n+RW\r\n+access\r\n+delete\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RW\r\n+insert\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"},
            {{"COMMAND", "INFO", "spublish"}, "*1\r\n*10\r\n$8\r\nspublish\r\n:3\r\n*4\r\n+pubsub\r\n+loading\r\n+stale\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*2\r\n+@pubsub\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+not_key\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n", "*1\r\n*10\r\n$8\r\nspublish\r\n:3\r\n~4\r\n+pubsub\r\n+loading\r\n+stale\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~2\r\n+@pubsub\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~1\r\n+not_key\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"},
            {{"COMMAND", "INFO", "object|encoding"}, "*1\r\n*10\r\n$15\r\nobject|encoding\r\n:3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n", "*1\r\n*10\r\n$15\r\nobject|encoding\r\n:3\r\n~1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n~3\r\n+@keyspace\r\n+@read\r\n+@slow\r\n~1\r\n$23\r\nnondeterministic_output\r\n~1\r\n%3\r\n$5\r\nflags\r\n~1\r\n+RO\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"},
    };
    return rows;
}

}  // namespace

TEST_SUITE("resp_admin") {
    TEST_CASE("COMMAND DOCS and COMMAND INFO: Redis 7.0.15's bytes (recorded)") {
        test::replay(command_docs_recorded());
    }

    TEST_CASE("COMMAND DOCS documents every command Redis 7.0 has, with its arguments") {
        // What redis-cli builds its hints and `HELP command` from: each command's complexity
        // and, for all but the argument-less ones, its arguments.
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"HELLO", "3"});
        std::size_t with_args = 0, documented = 0;
        for (const auto& entry : srv.engine.commands()) {
            const std::string& name = entry.first;  // not a structured binding: CAPTURE's lambda
            if (name == "client" || !entry.second.subcommands.empty()) continue;  // containers
            CAPTURE(name);
            const std::string docs = call(*s, {"COMMAND", "DOCS", name});
            REQUIRE(docs.starts_with("%1\r\n"));
            // Redis documents no complexity for a few (MONITOR, SYNC, PSYNC)
            if (docs.find("$10\r\ncomplexity\r\n") == std::string::npos) continue;
            ++documented;
            if (docs.find("$9\r\narguments\r\n") != std::string::npos) ++with_args;
        }
        CHECK(documented >= 190);  // 199 here, 203 with scripting
        CHECK(with_args >= 170);
        // Subcommands by their full name, as Redis answers them; unknown names are left out.
        CHECK(call(*s, {"COMMAND", "DOCS", "config|get", "nosuch", "client|nosuch"})
                  .starts_with("%1\r\n$10\r\nconfig|get\r\n%6\r\n$7\r\nsummary\r\n"));
        const std::string client = call(*s, {"COMMAND", "DOCS", "client"});
        CHECK(client.find("$11\r\nclient|list\r\n%6\r\n$7\r\nsummary\r\n") != std::string::npos);
    }

    TEST_CASE("MONITOR streams each command as it ran, quoted as Redis quotes it") {
        test::Server srv;
        auto m = srv.connect();
        auto s = srv.connect();
        CHECK(call(*m, {"MONITOR"}) == "+OK\r\n");
        CHECK(call(*m, {"MONITOR"}).empty());  // already monitoring: no reply
        CHECK(call(*s, {"SET", "a b", "x\ty\x01\"\\"}) == "+OK\r\n");
        CHECK(call(*s, {"AUTH", "secret"}).starts_with("-ERR"));  // ran (and failed): shown
        CHECK(call(*s, {"HELLO", "2", "AUTH", "default", "pw"}).starts_with("*"));  // nopass: accepted
        CHECK(call(*s, {"CONFIG", "GET", "maxmemory"}).starts_with("*2"));  // admin: hidden
        CHECK(call(*s, {"GET"}).starts_with("-ERR wrong number"));           // rejected: hidden
        CHECK(call(*s, {"SELECT", "3"}) == "+OK\r\n");
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*s, {"INCR", "n"}) == "+QUEUED\r\n");  // shown when EXEC runs it
        CHECK(call(*s, {"EXEC"}) == "*1\r\n:1\r\n");
        const auto lines = monitor_lines(test::async(*m));
        CHECK(lines ==
              std::vector<std::string>{
                  R"m(T [0 ] "SET" "a b" "x\ty\x01\"\\")m",
                  R"m(T [0 ] "AUTH" "(redacted)")m",
                  R"m(T [0 ] "HELLO" "2" "AUTH" "(redacted)" "(redacted)")m",
                  R"m(T [3 ] "SELECT" "3")m",
                  R"m(T [3 ] "MULTI")m",
                  R"m(T [3 ] "INCR" "n")m",
                  R"m(T [3 ] "EXEC")m",
              });
        // A closed monitor is forgotten; the others carry on.
        m->close();
        m.reset();
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");
        CHECK(srv.engine.has_monitors() == false);
    }

    TEST_CASE("SLOWLOG records commands over the threshold, newest first, as Redis shortens them") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"SLOWLOG", "GET"}) == "*0\r\n");  // nothing takes 10 ms here
        CHECK(call(*s, {"CONFIG", "SET", "slowlog-log-slower-than", "0"}) == "+OK\r\n");
        CHECK(call(*s, {"CLIENT", "SETNAME", "bob"}) == "+OK\r\n");
        const std::string big(200, 'v');
        CHECK(call(*s, {"SET", "k", big}) == "+OK\r\n");
        CHECK(call(*s, {"AUTH", "pw"}).starts_with("-ERR"));
        std::vector<std::string_view> many = {"RPUSH", "l"};
        std::vector<std::string> items;
        for (int i = 0; i < 38; ++i) items.push_back(std::to_string(i));
        for (const auto& v : items) many.push_back(v);
        std::string req = "*40\r\n";
        for (auto a : many) req += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
        CHECK(test::raw(*s, req) == ":38\r\n");
        const std::string got = call(*s, {"SLOWLOG", "GET", "3"});
        // Newest first: RPUSH (32 arguments kept, the last saying how many more), AUTH
        // (redacted), SET (the value cut at 128 bytes).
        CHECK(got.starts_with("*3\r\n*6\r\n:4\r\n:"));
        CHECK(got.find("$3\r\nbob\r\n") != std::string::npos);  // the client's name
        CHECK(got.find("$22\r\n... (9 more arguments)\r\n") != std::string::npos);
        CHECK(got.find("*2\r\n$4\r\nAUTH\r\n$10\r\n(redacted)\r\n") != std::string::npos);
        CHECK(got.find("$147\r\n" + std::string(128, 'v') + "... (72 more bytes)\r\n") != std::string::npos);
        CHECK(call(*s, {"SLOWLOG", "LEN"}) == ":6\r\n");  // CONFIG SET, SETNAME, SET, AUTH, RPUSH, GET
        CHECK(call(*s, {"SLOWLOG", "GET", "-2"}) == "-ERR count should be greater than or equal to -1\r\n");
        CHECK(call(*s, {"SLOWLOG", "GET", "x"}) == "-ERR count should be greater than or equal to -1\r\n");
        CHECK(call(*s, {"SLOWLOG", "GET", "0"}) == "*0\r\n");
        // EXEC is not logged itself, the commands it ran are.
        CHECK(call(*s, {"SLOWLOG", "RESET"}) == "+OK\r\n");
        call(*s, {"MULTI"});
        call(*s, {"PING"});
        call(*s, {"EXEC"});
        const std::string tx = call(*s, {"SLOWLOG", "GET", "-1"});
        CHECK(tx.find("EXEC") == std::string::npos);
        CHECK(tx.find("$4\r\nPING\r\n") != std::string::npos);
        CHECK(tx.find("$5\r\nMULTI\r\n") != std::string::npos);
        // slowlog-max-len trims; a negative threshold turns it off.
        CHECK(call(*s, {"CONFIG", "SET", "slowlog-max-len", "2"}) == "+OK\r\n");
        CHECK(call(*s, {"SLOWLOG", "LEN"}) == ":2\r\n");
        CHECK(call(*s, {"CONFIG", "SET", "slowlog-log-slower-than", "-1"}) == "+OK\r\n");
        CHECK(call(*s, {"SLOWLOG", "RESET"}) == "+OK\r\n");
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");
        CHECK(call(*s, {"SLOWLOG", "LEN"}) == ":0\r\n");
        CHECK(call(*s, {"SLOWLOG", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n");
    }

    TEST_CASE("LATENCY: off by default, then the worst sample per second of each event") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"LATENCY", "LATEST"}) == "*0\r\n");
        CHECK(call(*s, {"LATENCY", "DOCTOR"}).find("I'm sorry, Dave, I can't do that.") != std::string::npos);
        CHECK(call(*s, {"LATENCY", "GRAPH", "command"}) ==
              "-ERR No samples available for event 'command'\r\n");
        srv.engine.latency_consider("command", 50);  // the monitor is off: ignored
        CHECK(call(*s, {"LATENCY", "LATEST"}) == "*0\r\n");
        CHECK(call(*s, {"CONFIG", "SET", "latency-monitor-threshold", "10"}) == "+OK\r\n");
        CHECK(call(*s, {"LATENCY", "DOCTOR"}).find("no latency spike was observed") != std::string::npos);
        srv.engine.latency_consider("command", 5);  // under the threshold
        srv.engine.latency_consider("command", 30);
        srv.engine.latency_consider("command", 20);  // same second: the worst stays
        const std::string latest = call(*s, {"LATENCY", "LATEST"});
        CHECK(latest.starts_with("*1\r\n*4\r\n$7\r\ncommand\r\n:"));
        CHECK(latest.ends_with("\r\n:30\r\n:30\r\n"));
        CHECK(call(*s, {"LATENCY", "HISTORY", "command"}).ends_with(":30\r\n"));
        CHECK(call(*s, {"LATENCY", "HISTORY", "nosuch"}) == "*0\r\n");
        CHECK(call(*s, {"LATENCY", "GRAPH", "command"}).starts_with("-ERR LATENCY GRAPH is not supported"));
        CHECK(call(*s, {"LATENCY", "DOCTOR"}).find("1. command: 1 latency spikes (average 30ms") != std::string::npos);
        CHECK(call(*s, {"LATENCY", "RESET", "nosuch"}) == ":0\r\n");
        CHECK(call(*s, {"LATENCY", "RESET"}) == ":1\r\n");
        CHECK(call(*s, {"LATENCY", "LATEST"}) == "*0\r\n");
    }

    TEST_CASE("latency histogram arithmetic: hdr_histogram's buckets, bounds and percentiles") {
        using namespace cachet::resp::hdr;
        // Bounds redis-server 7.0.15 reported for durations recorded here (LATENCY HISTOGRAM:
        // 8, 16, 33, 66 us) and the percentile of one 6 us call (INFO latencystats: 6.015).
        CHECK(highest_equivalent(8192) / 1000 == 8);
        CHECK(highest_equivalent(16384) / 1000 == 16);
        CHECK(highest_equivalent(32768) / 1000 == 33);
        CHECK(highest_equivalent(65536) / 1000 == 66);
        CHECK(highest_equivalent(1024) / 1000 == 1);
        CHECK(lowest_equivalent(6000) == 5984);
        // Every value's counter holds it: lowest <= v <= highest, and counters are in order.
        for (std::int64_t v : {1LL, 255LL, 256LL, 511LL, 6000LL, 999999LL, 1000000000LL}) {
            const auto i = index_of(v);
            REQUIRE(i < counts_len);
            CHECK(value_at_index(i) == lowest_equivalent(v));
            CHECK(lowest_equivalent(v) <= v);
            CHECK(v <= highest_equivalent(v));
            if (i > 0) CHECK(value_at_index(i - 1) < value_at_index(i));
        }
        cachet::resp::LatencyCounts h;
        for (int i = 0; i < 90; ++i) h.record_ns(3'400);      // 3 us (whole microseconds)
        for (int i = 0; i < 9; ++i) h.record_ns(40'000);      // 40 us
        h.record_ns(2'000'000'000);                            // clamped to 1 s
        h.record_ns(200);                                      // 0 us: recorded as 1 ns
        std::vector<std::uint64_t> counts(counts_len);
        const std::uint64_t total = h.add_to(counts);
        REQUIRE(total == 101);
        CHECK(value_at_percentile(counts, total, 50) == highest_equivalent(3000));
        CHECK(value_at_percentile(counts, total, 99) == highest_equivalent(40000));
        CHECK(value_at_percentile(counts, total, 100) == highest_equivalent(1'000'000'000));
        CHECK(value_at_percentile(counts, total, 0) == lowest_equivalent(1));
        const auto buckets = log_buckets(counts, total);
        // 1 ns in the first bucket (1 us), the 3 us calls by 4 us, 40 us by 66 us, 1 s in the
        // last; buckets where nothing was added (2 us, 8 us, ...) are left out.
        using Bucket = std::pair<std::int64_t, std::uint64_t>;
        REQUIRE(buckets.size() == 4);
        CHECK(buckets[0] == Bucket{1, 1});
        CHECK(buckets[1] == Bucket{4, 91});
        CHECK(buckets[2] == Bucket{66, 100});
        CHECK(buckets[3] == Bucket{highest_equivalent(std::int64_t{1} << 30) / 1000, 101});
    }

    TEST_CASE("LATENCY HISTOGRAM and INFO latencystats: per command, latency-tracking, RESETSTAT") {
        test::Server srv;
        auto s = srv.connect();
        for (int i = 0; i < 5; ++i) CHECK(call(*s, {"SET", "k", "v"}) == "+OK\r\n");
        CHECK(call(*s, {"GET", "k"}) == "$1\r\nv\r\n");
        CHECK(call(*s, {"CONFIG", "GET", "maxmemory"}).starts_with("*2\r\n"));
        // {calls, histogram_usec: {bound: cumulative count}}, the last count being calls.
        const std::regex set_entry(
            R"(^\*2\r\n\$3\r\nset\r\n\*4\r\n\$5\r\ncalls\r\n:5\r\n\$14\r\nhistogram_usec\r\n\*(\d+)\r\n((:\d+\r\n)+)$)");
        const std::string set = call(*s, {"LATENCY", "HISTOGRAM", "SET", "nosuch"});
        std::smatch m;
        REQUIRE(std::regex_match(set, m, set_entry));
        CHECK(set.ends_with(":5\r\n"));
        // A container lists its subcommands that ran; a subcommand by its full name.
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "config"}).starts_with("*2\r\n$10\r\nconfig|get\r\n*4\r\n$5\r\ncalls\r\n:1\r\n"));
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "config|get"}).starts_with("*2\r\n$10\r\nconfig|get\r\n"));
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "config|set", "nosuch"}) == "*0\r\n");
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "nosuch"}) == "*0\r\n");
        // All: by name, each once.
        const std::string all = call(*s, {"LATENCY", "HISTOGRAM"});
        CHECK(all.find("$10\r\nconfig|get\r\n") < all.find("$3\r\nget\r\n"));
        CHECK(all.find("$3\r\nget\r\n") < all.find("$17\r\nlatency|histogram\r\n"));
        CHECK(all.find("$17\r\nlatency|histogram\r\n") < all.find("$3\r\nset\r\n"));
        // RESP3: maps.
        CHECK(call(*s, {"HELLO", "3"}).starts_with("%7\r\n"));
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "get"}).starts_with("%1\r\n$3\r\nget\r\n%2\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n%"));
        CHECK(call(*s, {"HELLO", "2"}).starts_with("*14\r\n"));
        // INFO latencystats: the configured percentiles of each command, in microseconds.
        const std::string info = call(*s, {"INFO", "latencystats"});
        CHECK(std::regex_search(info, std::regex(R"(\r\nlatency_percentiles_usec_set:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n)")));
        CHECK(std::regex_search(info, std::regex(R"(\r\nlatency_percentiles_usec_config\|get:p50=)")));
        CHECK(call(*s, {"CONFIG", "SET", "latency-tracking-info-percentiles", "0 99.99"}) == "+OK\r\n");
        CHECK(std::regex_search(call(*s, {"INFO", "latencystats"}),
                                std::regex(R"(\r\nlatency_percentiles_usec_get:p0=\d+\.\d{3},p99\.99=\d+\.\d{3}\r\n)")));
        CHECK(call(*s, {"CONFIG", "SET", "latency-tracking-info-percentiles", "101"}).starts_with("-ERR"));
        // latency-tracking no: calls are counted (commandstats) but not timed here.
        CHECK(call(*s, {"CONFIG", "SET", "latency-tracking", "no"}) == "+OK\r\n");
        CHECK(call(*s, {"GET", "k"}) == "$1\r\nv\r\n");
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "get"}).starts_with("*2\r\n$3\r\nget\r\n*4\r\n$5\r\ncalls\r\n:1\r\n"));
        CHECK(call(*s, {"CONFIG", "SET", "latency-tracking", "yes"}) == "+OK\r\n");
        CHECK(call(*s, {"GET", "k"}) == "$1\r\nv\r\n");
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "get"}).starts_with("*2\r\n$3\r\nget\r\n*4\r\n$5\r\ncalls\r\n:2\r\n"));
        // CONFIG RESETSTAT forgets them all (but for its own call, timed after it ran).
        CHECK(call(*s, {"CONFIG", "RESETSTAT"}) == "+OK\r\n");
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "get", "set"}) == "*0\r\n");
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "config|resetstat"}).starts_with("*2\r\n$16\r\nconfig|resetstat\r\n*4\r\n$5\r\ncalls\r\n:1\r\n"));
        CHECK(call(*s, {"GET", "k"}) == "$1\r\nv\r\n");
        CHECK(call(*s, {"LATENCY", "HISTOGRAM", "get"}).starts_with("*2\r\n$3\r\nget\r\n*4\r\n$5\r\ncalls\r\n:1\r\n"));
        CHECK(call(*s, {"INFO", "latencystats"}).find("latency_percentiles_usec_set:") == std::string::npos);
    }

    TEST_CASE("ROLE, WAIT, REPLICAOF and the cluster commands of a standalone master") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"ROLE"}) == "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
        CHECK(call(*s, {"WAIT", "0", "0"}) == ":0\r\n");
        CHECK(call(*s, {"WAIT", "x", "0"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"WAIT", "1", "-1"}) == "-ERR timeout is negative\r\n");
        CHECK(call(*s, {"WAIT", "1", "x"}) == "-ERR timeout is not an integer or out of range\r\n");
        // Asking for a replica it does not have: blocks until the timeout, then 0.
        const auto before = std::chrono::steady_clock::now();
        CHECK(call(*s, {"WAIT", "1", "200"}).empty());
        REQUIRE(s->block_deadline().has_value());
        CHECK(*s->block_deadline() >= before + 200ms);
        CHECK_FALSE(s->on_tick(before));
        CHECK(s->on_tick(*s->block_deadline()));
        CHECK(s->output() == ":0\r\n");
        s->output().clear();
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");  // never blocks in a transaction
        CHECK(call(*s, {"WAIT", "1", "0"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"EXEC"}) == "*1\r\n:0\r\n");
        CHECK(call(*s, {"REPLICAOF", "NO", "ONE"}) == "+OK\r\n");
        CHECK(call(*s, {"SLAVEOF", "no", "one"}) == "+OK\r\n");
        CHECK(call(*s, {"REPLICAOF", "127.0.0.1", "6379"}).starts_with("-ERR cachet-server does not replicate"));
        for (auto cmd : {std::vector<std::string_view>{"CLUSTER", "INFO"}, {"READONLY"}, {"READWRITE"}, {"ASKING"}}) {
            std::string req = "*" + std::to_string(cmd.size()) + "\r\n";
            for (auto a : cmd) req += "$" + std::to_string(a.size()) + "\r\n" + std::string(a) + "\r\n";
            CHECK(test::raw(*s, req) == "-ERR This instance has cluster support disabled\r\n");
        }
        CHECK(call(*s, {"CLUSTER"}) == "-ERR wrong number of arguments for 'cluster' command\r\n");
    }

    TEST_CASE("SWAPDB exchanges the data; clients, blocked pops and WATCHes keep the number") {
        test::Server srv;
        auto s = srv.connect();
        auto blocked = srv.connect();
        auto watcher = srv.connect();
        CHECK(call(*s, {"SET", "a", "1"}) == "+OK\r\n");
        CHECK(call(*s, {"SELECT", "1"}) == "+OK\r\n");
        CHECK(call(*s, {"SET", "b", "2", "EX", "1000"}) == "+OK\r\n");
        CHECK(call(*s, {"RPUSH", "q", "job"}) == ":1\r\n");
        // db 0: a client blocked on q, and a WATCH on b (absent in db 0, present in db 1).
        CHECK(call(*blocked, {"BLPOP", "q", "0"}).empty());
        CHECK(call(*watcher, {"WATCH", "b"}) == "+OK\r\n");
        CHECK(call(*s, {"SWAPDB", "0", "1"}) == "+OK\r\n");
        // The blocked client is served from the list that is now db 0's.
        CHECK(test::async(*blocked) == "*2\r\n$1\r\nq\r\n$3\r\njob\r\n");
        CHECK(call(*s, {"GET", "a"}) == "$1\r\n1\r\n");  // s is still on db 1: a is there now
        CHECK(call(*s, {"DBSIZE"}) == ":1\r\n");
        CHECK(call(*s, {"SELECT", "0"}) == "+OK\r\n");
        CHECK(call(*s, {"GET", "b"}) == "$1\r\n2\r\n");
        CHECK(call(*s, {"TTL", "b"}) == ":1000\r\n");  // the TTL came along
        CHECK(call(*s, {"EXISTS", "q"}) == ":0\r\n");  // popped by the blocked client
        CHECK(call(*watcher, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*watcher, {"GET", "b"}) == "+QUEUED\r\n");
        CHECK(call(*watcher, {"EXEC"}) == "*-1\r\n");  // b's database changed under the WATCH
        // The in-process API sees the swap too, by number.
        CHECK(srv.db.db(0).get("b") == "2");
        CHECK(srv.db.db(1).get("a") == "1");
        CHECK(call(*s, {"SWAPDB", "0", "16"}) == "-ERR DB index is out of range\r\n");
        CHECK(call(*s, {"SWAPDB", "x", "1"}) == "-ERR invalid first DB index\r\n");
        CHECK(call(*s, {"SWAPDB", "1", "y"}) == "-ERR invalid second DB index\r\n");
        // Inside a transaction.
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*s, {"SWAPDB", "0", "1"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"GET", "a"}) == "+QUEUED\r\n");
        CHECK(call(*s, {"EXEC"}) == "*2\r\n+OK\r\n$1\r\n1\r\n");
    }

    TEST_CASE("CLIENT REPLY OFF / SKIP / ON and CLIENT NO-EVICT, as redis-server 7.0.15") {
        test::Server srv;
        auto s = srv.connect();
        auto o = srv.connect();
        CHECK(call(*s, {"CLIENT", "REPLY", "SKIP"}).empty());
        CHECK(call(*s, {"SET", "a", "1"}).empty());  // skipped, but done
        CHECK(call(*s, {"GET", "a"}) == "$1\r\n1\r\n");
        // SKIP skipped by a SKIP skips the command after it too.
        CHECK(call(*s, {"CLIENT", "REPLY", "SKIP"}).empty());
        CHECK(call(*s, {"CLIENT", "REPLY", "SKIP"}).empty());
        CHECK(call(*s, {"PING"}).empty());
        CHECK(call(*s, {"PING"}) == "+PONG\r\n");
        CHECK(call(*s, {"CLIENT", "REPLY", "OFF"}).empty());
        CHECK(call(*s, {"INCR", "a"}).empty());
        CHECK(call(*s, {"NOSUCH"}).empty());  // errors too
        CHECK(call(*s, {"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
        CHECK(call(*s, {"GET", "a"}) == "$1\r\n2\r\n");
        CHECK(call(*s, {"CLIENT", "REPLY", "maybe"}) == "-ERR syntax error\r\n");
        // Subscriptions and their messages still reach a client whose replies are off.
        CHECK(call(*s, {"CLIENT", "REPLY", "OFF"}).empty());
        CHECK(call(*s, {"SUBSCRIBE", "ch"}) == "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
        CHECK(call(*o, {"PUBLISH", "ch", "m"}) == ":1\r\n");
        CHECK(test::async(*s) == "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n");
        // Inside EXEC, OFF takes effect after the transaction's header is out (Redis's quirk).
        auto t = srv.connect();
        call(*t, {"MULTI"});
        CHECK(call(*t, {"CLIENT", "REPLY", "OFF"}) == "+QUEUED\r\n");
        CHECK(call(*t, {"EXEC"}) == "*1\r\n");
        CHECK(call(*t, {"PING"}).empty());
        CHECK(call(*t, {"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
        // NO-EVICT: flag 'e' in CLIENT INFO / LIST.
        CHECK(call(*o, {"CLIENT", "NO-EVICT", "on"}) == "+OK\r\n");
        CHECK(call(*o, {"CLIENT", "INFO"}).find(" flags=e ") != std::string::npos);
        CHECK(call(*o, {"CLIENT", "NO-EVICT", "maybe"}) == "-ERR syntax error\r\n");
        CHECK(call(*o, {"CLIENT", "NO-EVICT", "OFF"}) == "+OK\r\n");
        CHECK(call(*o, {"CLIENT", "INFO"}).find(" flags=N ") != std::string::npos);
    }

    TEST_CASE("a blocking command is counted when it blocks, timed and logged when it is served") {
        // As redis-server 7.0.15 (updateStatsOnUnblock): INFO commandstats counts the call when
        // the command blocks; its latency histogram and SLOWLOG entry come when a push serves
        // it, with its whole run time, and never for a timeout (or CLIENT UNBLOCK).
        test::Server srv;
        auto admin = srv.connect();
        auto b = srv.connect();
        CHECK(call(*admin, {"CONFIG", "SET", "slowlog-log-slower-than", "0"}) == "+OK\r\n");
        CHECK(call(*admin, {"SLOWLOG", "RESET"}) == "+OK\r\n");
        const std::regex stat(R"(\r\ncmdstat_blpop:calls=(\d+),usec=(\d+),)");
        auto blpop_stat = [&] {
            std::smatch m;
            const std::string info = call(*admin, {"INFO", "commandstats"});
            REQUIRE(std::regex_search(info, m, stat));
            return std::pair{std::stoll(m[1].str()), std::stoll(m[2].str())};
        };
        auto logged_blpops = [&] {
            const std::string log = call(*admin, {"SLOWLOG", "GET", "100"});
            std::size_t n = 0;
            for (std::size_t at = 0; (at = log.find("$5\r\nBLPOP\r\n", at)) != std::string::npos; ++at) ++n;
            return n;
        };
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());
        const auto [calls_blocked, usec_blocked] = blpop_stat();
        CHECK(calls_blocked == 1);
        CHECK(call(*admin, {"LATENCY", "HISTOGRAM", "blpop"}) == "*0\r\n");
        CHECK(logged_blpops() == 0);
        CHECK(call(*admin, {"RPUSH", "q", "job"}) == ":1\r\n");
        CHECK(test::async(*b) == "*2\r\n$1\r\nq\r\n$3\r\njob\r\n");
        const auto [calls_served, usec_served] = blpop_stat();
        CHECK(calls_served == 1);  // not counted twice
        CHECK(usec_served >= usec_blocked);
        CHECK(call(*admin, {"LATENCY", "HISTOGRAM", "blpop"}).starts_with("*2\r\n$5\r\nblpop\r\n*4\r\n$5\r\ncalls\r\n:1\r\n"));
        CHECK(logged_blpops() == 1);
        CHECK(call(*admin, {"SLOWLOG", "GET", "100"}).find("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n") !=
              std::string::npos);
        // Ended without data: counted when it blocked, nothing more.
        CHECK(call(*b, {"BLPOP", "r", "0"}).empty());
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", std::to_string(b->id()), "TIMEOUT"}) == ":1\r\n");
        CHECK(test::async(*b) == "*-1\r\n");
        CHECK(blpop_stat().first == 2);
        CHECK(call(*admin, {"LATENCY", "HISTOGRAM", "blpop"}).starts_with("*2\r\n$5\r\nblpop\r\n*4\r\n$5\r\ncalls\r\n:1\r\n"));
        CHECK(logged_blpops() == 1);
        // A command that did not block is timed and logged at once, as any other.
        CHECK(call(*b, {"RPUSH", "r", "x"}) == ":1\r\n");
        CHECK(call(*b, {"BLPOP", "r", "0"}) == "*2\r\n$1\r\nr\r\n$1\r\nx\r\n");
        CHECK(blpop_stat().first == 3);
        CHECK(call(*admin, {"LATENCY", "HISTOGRAM", "blpop"}).starts_with("*2\r\n$5\r\nblpop\r\n*4\r\n$5\r\ncalls\r\n:2\r\n"));
        CHECK(logged_blpops() == 2);
        // Served with an error (BLMOVE into a key that became a string meanwhile): a failed
        // call, counted when served (redis-server 7.0.15: failed_calls=1, the element stays).
        CHECK(call(*b, {"BLMOVE", "src", "dst", "LEFT", "LEFT", "0"}).empty());
        CHECK(call(*admin, {"SET", "dst", "str"}) == "+OK\r\n");
        CHECK(call(*admin, {"RPUSH", "src", "x"}) == ":1\r\n");
        CHECK(test::async(*b) == "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        CHECK(call(*admin, {"LLEN", "src"}) == ":1\r\n");
        CHECK(std::regex_search(call(*admin, {"INFO", "commandstats"}),
                                std::regex(R"(\r\ncmdstat_blmove:calls=1,usec=\d+,usec_per_call=[0-9.]+,rejected_calls=0,failed_calls=1\r\n)")));
    }

    TEST_CASE("CLIENT UNBLOCK ends another client's blocking command as a timeout or an error") {
        test::Server srv;
        auto admin = srv.connect();
        auto b = srv.connect();
        const std::string id = std::to_string(b->id());
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", id}) == ":0\r\n");  // not blocked
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", id, "FOO"}) ==
              "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", "x"}) == "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", id, "ERROR"}) == ":1\r\n");
        CHECK(test::async(*b) == "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
        CHECK_FALSE(b->blocked());
        CHECK(srv.db.db(0).list_waiters().queued("q") == 0);
        CHECK(call(*b, {"BLPOP", "q", "0"}).empty());
        CHECK(call(*admin, {"CLIENT", "UNBLOCK", id, "TIMEOUT"}) == ":1\r\n");
        CHECK(test::async(*b) == "*-1\r\n");
        CHECK(call(*admin, {"RPUSH", "q", "x"}) == ":1\r\n");  // nobody waits any more
        CHECK(call(*admin, {"LLEN", "q"}) == ":1\r\n");
        // Served before the request is acted on: the served reply wins, no second reply.
        CHECK(call(*b, {"BLPOP", "r", "0"}).empty());
        CHECK(call(*admin, {"RPUSH", "r", "job"}) == ":1\r\n");
        (void)b->request_unblock(false);
        CHECK(test::async(*b) == "*2\r\n$1\r\nr\r\n$3\r\njob\r\n");
        CHECK(test::async(*b).empty());
        // CLIENT LIST ID: IDs that cannot exist match nothing; a non-number is an error.
        CHECK(call(*admin, {"CLIENT", "LIST", "ID", "0"}) == "$0\r\n\r\n");
        CHECK(call(*admin, {"CLIENT", "LIST", "ID", "x"}) == "-ERR Invalid client ID\r\n");
        CHECK(call(*admin, {"CLIENT", "KILL", "MAXAGE", "5"}) == "-ERR syntax error\r\n");  // 7.4's
        CHECK(call(*admin, {"CLIENT", "GETREDIR"}) == ":-1\r\n");
        CHECK(call(*admin, {"CLIENT", "TRACKINGINFO"}) ==
              "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n");
    }

    TEST_CASE("ACL WHOAMI, USERS and CAT of the one user, default") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"ACL", "WHOAMI"}) == "$7\r\ndefault\r\n");
        CHECK(call(*s, {"ACL", "USERS"}) == "*1\r\n$7\r\ndefault\r\n");
        CHECK(call(*s, {"ACL", "CAT"}).starts_with("*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n"));
        CHECK(call(*s, {"ACL", "CAT", "nosuch"}) == "-ERR Unknown category 'nosuch'\r\n");
        const std::string str = call(*s, {"ACL", "CAT", "string"});
        CHECK(str.find("$3\r\nlcs\r\n") != std::string::npos);
        CHECK(str.find("$4\r\nlpop\r\n") == std::string::npos);
        const std::string conn = call(*s, {"ACL", "CAT", "connection"});
        CHECK(conn.find("$11\r\nclient|kill\r\n") != std::string::npos);  // subcommands
        CHECK(conn.find("$6\r\nclient\r\n") == std::string::npos);        // not the container
        CHECK(call(*s, {"ACL", "LIST"}) == "-ERR unknown subcommand 'LIST'. Try ACL HELP.\r\n");
    }

    TEST_CASE("LCS: the string, its length, and the match ranges as Redis 7.0 finds them") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"MSET", "key1", "ohmytext", "key2", "mynewtext"}) == "+OK\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2"}) == "$6\r\nmytext\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "LEN"}) == ":6\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "IDX"}) ==
              "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
              "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}) ==
              "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
              "$3\r\nlen\r\n:6\r\n");
        CHECK(call(*s, {"LCS", "key1", "nokey"}) == "$0\r\n\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "LEN", "IDX"}) ==
              "-ERR If you want both the length and indexes, please just use IDX.\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "MINMATCHLEN"}) == "-ERR syntax error\r\n");
        CHECK(call(*s, {"LCS", "key1", "key2", "MINMATCHLEN", "x"}) ==
              "-ERR value is not an integer or out of range\r\n");
        CHECK(call(*s, {"RPUSH", "l", "x"}) == ":1\r\n");
        CHECK(call(*s, {"LCS", "key1", "l"}) == "-ERR The specified keys must contain string values\r\n");
        // The table would exceed proto-max-bulk-len: refused, nothing allocated.
        CHECK(call(*s, {"CONFIG", "SET", "proto-max-bulk-len", "1mb"}) == "+OK\r\n");
        CHECK(call(*s, {"SET", "big", std::string(1000, 'a')}) == "+OK\r\n");
        CHECK(call(*s, {"LCS", "big", "big", "LEN"}) ==
              "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n");
        call(*s, {"HELLO", "3"});
        CHECK(call(*s, {"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"}) ==
              "%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n");
    }

    TEST_CASE("MEMORY STATS, DOCTOR, PURGE, MALLOC-STATS and MODULE as a libc Redis answers") {
        test::Server srv;
        auto s = srv.connect();
        CHECK(call(*s, {"MEMORY", "DOCTOR"}).find("Hi Sam, this instance is empty") != std::string::npos);
        CHECK(call(*s, {"MEMORY", "PURGE"}) == "+OK\r\n");
        CHECK(call(*s, {"MEMORY", "MALLOC-STATS"}) == "$45\r\nStats not supported for the current allocator\r\n");
        CHECK(call(*s, {"SET", "k", "v"}) == "+OK\r\n");
        CHECK(call(*s, {"SELECT", "2"}) == "+OK\r\n");
        CHECK(call(*s, {"SET", "k2", "v", "EX", "100"}) == "+OK\r\n");
        const std::string stats = call(*s, {"MEMORY", "STATS"});
        CHECK(stats.starts_with("*58\r\n$14\r\npeak.allocated\r\n:"));  // 27 fields + 2 databases
        CHECK(test::one_frame(stats));
        CHECK(stats.find("$4\r\ndb.0\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:96\r\n") != std::string::npos);
        CHECK(stats.find("$4\r\ndb.2\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:96\r\n$26\r\noverhead.hashtable.expires\r\n:8\r\n") != std::string::npos);
        CHECK(stats.find("$10\r\nkeys.count\r\n:2\r\n") != std::string::npos);
        CHECK(stats.find("$13\r\nfragmentation\r\n") != std::string::npos);
        call(*s, {"HELLO", "3"});
        CHECK(call(*s, {"MEMORY", "STATS"}).starts_with("%29\r\n"));
        CHECK(test::one_frame(call(*s, {"MEMORY", "STATS"})));
        CHECK(call(*s, {"MODULE", "LIST"}) == "*0\r\n");
        CHECK(call(*s, {"MODULE", "LOAD", "/x.so"}).starts_with("-ERR MODULE command not allowed."));
        CHECK(call(*s, {"CONFIG", "SET", "enable-module-command", "yes"}).starts_with("-ERR"));  // immutable
    }

    TEST_CASE("introspection replies are each one whole frame, in RESP2 and RESP3") {
        // An aggregate whose header miscounts its elements desynchronises the client for good.
        test::Server srv;
        auto s = srv.connect();
        call(*s, {"SET", "k", "v", "EX", "100"});
        call(*s, {"RPUSH", "l", "a"});
        call(*s, {"ZADD", "z", "1", "m"});
        call(*s, {"HSET", "h", "f", "v"});
        call(*s, {"SADD", "s", "m"});
        call(*s, {"CONFIG", "SET", "slowlog-log-slower-than", "0"});
        const std::vector<std::vector<std::string>> commands = {
            {"INFO"}, {"INFO", "everything"}, {"MEMORY", "STATS"}, {"MEMORY", "DOCTOR"},
            {"MEMORY", "USAGE", "k"}, {"MEMORY", "HELP"}, {"CLIENT", "LIST"}, {"CLIENT", "INFO"},
            {"CLIENT", "HELP"}, {"COMMAND"}, {"COMMAND", "INFO", "get", "georadius", "spublish"},
            {"COMMAND", "DOCS", "set", "client"}, {"COMMAND", "LIST"}, {"COMMAND", "COUNT"},
            {"CONFIG", "GET", "*"}, {"SLOWLOG", "GET", "5"}, {"SLOWLOG", "LEN"}, {"LATENCY", "LATEST"},
            {"LATENCY", "DOCTOR"}, {"OBJECT", "HELP"}, {"OBJECT", "ENCODING", "z"}, {"HELLO"},
            {"ROLE"}, {"TIME"}, {"DBSIZE"}, {"LASTSAVE"}, {"PUBSUB", "HELP"}, {"XINFO", "HELP"},
            {"SCAN", "0", "COUNT", "100"}, {"DUMP", "k"}, {"TYPE", "h"}, {"ACL", "WHOAMI"},
            {"ACL", "CAT"}, {"CLUSTER", "INFO"}, {"MODULE", "LIST"}, {"LOLWUT"}};
        for (const char* proto : {"2", "3"}) {
            call(*s, {"HELLO", proto});
            for (const auto& cmd : commands) {
                CAPTURE(proto);
                CAPTURE(cmd[0]);
                CHECK(test::one_frame(test::callv(*s, cmd)));
            }
        }
    }

    TEST_CASE("DEBUG is refused as Redis refuses it by default, at queue time inside MULTI") {
        test::Server srv;
        auto s = srv.connect();
        const std::string refused =
            "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
            "you can run it from a local connection, otherwise you need to set this option in the "
            "configuration file, and then restart the server.\r\n";
        CHECK(call(*s, {"DEBUG", "SLEEP", "0"}) == refused);
        CHECK(call(*s, {"MULTI"}) == "+OK\r\n");
        CHECK(call(*s, {"DEBUG", "SLEEP", "0"}) == refused);  // not queued
        CHECK(call(*s, {"EXEC"}).starts_with("-EXECABORT Transaction discarded because of previous errors."));
    }
}

}  // namespace resp_admin_test
