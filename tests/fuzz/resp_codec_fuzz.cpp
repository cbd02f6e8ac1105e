// libFuzzer target for the RESP codec (cachet/resp/). Build and run with scripts/fuzz.
//
// Input layout: byte 0 selects the configuration (bit 0: small parser limits, bit 1: the client
// is unauthenticated, bit 2: RESP3 for the writer), byte 1 seeds the split points, the rest is
// the byte stream. For each input:
//   1. RequestParser parses the stream whole, then again in chunks whose sizes come from the
//      seed, the way a server does (append, parse every complete request, drop the consumed
//      prefix). Each call sees only an exact-size heap copy of the unconsumed bytes, so reading
//      past them is an AddressSanitizer error. Checked: consumed <= input, multibulk arguments
//      lie inside the consumed bytes, inline ones inside them or in the parser's arena, and
//      both runs agree on the commands and the error (a "too big" error may differ: where that
//      limit bites depends on the split, in Redis too).
//   2. ReplyParser parses the stream as back-to-back replies, whole and chunked: the frames and
//      the final status must agree, and every frame must survive serialize -> parse unchanged.
//   3. ReplyWriter writes replies chosen by the stream's bytes; ReplyParser must read them back
//      one frame per reply, and serializing those frames must give the writer's bytes again.
// Any failed check aborts (a crash for libFuzzer).

#include <cachet/resp/reply_parser.hpp>
#include <cachet/resp/reply_writer.hpp>
#include <cachet/resp/request_parser.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace cachet::resp;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "resp_codec_fuzz: check failed: %s\n", what);
    std::abort();
}
#define FUZZ_CHECK(cond)          \
    do {                          \
        if (!(cond)) fail(#cond); \
    } while (0)

/// An exact-size heap copy of some bytes: reading one past its end is an ASan error.
struct ExactCopy {
    std::unique_ptr<char[]> data;
    std::size_t size;
    explicit ExactCopy(std::string_view s)
        : data(new char[s.empty() ? 1 : s.size()]), size(s.size()) {
        if (!s.empty()) std::memcpy(data.get(), s.data(), s.size());
    }
    [[nodiscard]] std::string_view view() const { return {data.get(), size}; }
};

/// Chunk sizes derived from the seed: a small xorshift generator, chunks of 1 to 2^k bytes.
class Splitter {
public:
    explicit Splitter(std::uint8_t seed)
        : m_state(0x9E3779B97F4A7C15ULL ^ seed), m_shift(seed & 7) {}
    std::size_t next() {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 7;
        m_state ^= m_state << 17;
        return 1 + static_cast<std::size_t>(m_state % (std::uint64_t{1} << m_shift));
    }

private:
    std::uint64_t m_state;
    unsigned m_shift;
};

bool inside(std::string_view outer, std::string_view part) {
    return part.data() >= outer.data() && part.data() + part.size() <= outer.data() + outer.size();
}
bool disjoint(std::string_view a, std::string_view b) {
    return a.data() + a.size() <= b.data() || b.data() + b.size() <= a.data();
}
bool too_big(std::string_view error) { return error.find("too big") != std::string_view::npos; }

struct RequestOutcome {
    std::vector<std::vector<std::string>> commands;
    std::string error;
};

RequestParser make_request_parser(std::uint8_t flags) {
    ParserLimits limits;
    if (flags & 1) {
        limits.max_bulk_len = 8;
        limits.max_multibulk_len = 6;
        limits.max_inline_len = 24;
        limits.unauthenticated_max_bulk_len = 4;
        limits.unauthenticated_max_multibulk_len = 3;
    }
    RequestParser p(limits);
    p.set_authenticated((flags & 2) == 0);
    return p;
}

/// Parses every complete request in `buf` (dropping what was consumed). Returns false on error.
bool drain_requests(RequestParser& p, std::string& buf, RequestOutcome& out) {
    for (;;) {
        const ExactCopy copy(buf);
        const std::string_view in = copy.view();
        const ParseResult r = p.parse(in);
        FUZZ_CHECK(r.consumed <= in.size());
        if (r.status == ParseStatus::complete) {
            FUZZ_CHECK(r.consumed > 0);
            FUZZ_CHECK(!p.args().empty());
            const std::string_view request = in.substr(0, r.consumed);
            std::vector<std::string> command;
            for (std::string_view a : p.args()) {
                if (p.request_type() == RequestType::multibulk)
                    FUZZ_CHECK(inside(request, a));
                else
                    FUZZ_CHECK(inside(request, a) || disjoint(in, a));
                command.emplace_back(a);  // reads every byte of the view
            }
            out.commands.push_back(std::move(command));
        } else if (r.status == ParseStatus::error) {
            FUZZ_CHECK(!p.error_message().empty());
            FUZZ_CHECK(p.parse(in).status == ParseStatus::error);  // sticky
            out.error.assign(p.error_message());
            return false;
        } else {
            FUZZ_CHECK(p.args().empty());
            const std::size_t needed = p.bytes_needed();
            FUZZ_CHECK(needed == 0 || needed > in.size() - r.consumed);
        }
        buf.erase(0, r.consumed);
        if (r.status == ParseStatus::need_more) return true;
    }
}

void fuzz_requests(std::string_view stream, std::uint8_t flags, std::uint8_t seed) {
    RequestOutcome whole;
    {
        RequestParser p = make_request_parser(flags);
        std::string buf(stream);
        drain_requests(p, buf, whole);
    }
    RequestOutcome chunked;
    {
        RequestParser p = make_request_parser(flags);
        Splitter split(seed);
        std::string buf;
        for (std::size_t pos = 0; pos < stream.size();) {
            const std::size_t n = std::min(split.next(), stream.size() - pos);
            buf.append(stream.substr(pos, n));
            pos += n;
            if (!drain_requests(p, buf, chunked)) break;
        }
    }
    if (!too_big(whole.error) && !too_big(chunked.error)) {
        FUZZ_CHECK(whole.error == chunked.error);
        FUZZ_CHECK(whole.commands == chunked.commands);
        return;
    }
    // Only the "too big" limits depend on how the bytes arrive (in Redis too); the commands
    // before the first such error must agree.
    const std::size_t common = std::min(whole.commands.size(), chunked.commands.size());
    for (std::size_t i = 0; i < common; ++i) FUZZ_CHECK(whole.commands[i] == chunked.commands[i]);
}

struct ReplyOutcome {
    std::vector<Frame> frames;
    ParseStatus end = ParseStatus::need_more;
    std::string error;
};

/// Parses every complete reply in `buf` (dropping what was consumed). Returns false on error.
bool drain_replies(ReplyParser& p, std::string& buf, ReplyOutcome& out) {
    for (;;) {
        const ExactCopy copy(buf);
        const ParseResult r = p.parse(copy.view());
        FUZZ_CHECK(r.consumed <= copy.size);
        out.end = r.status;
        if (r.status == ParseStatus::error) {
            out.error.assign(p.error_message());
            return false;
        }
        if (r.status == ParseStatus::need_more) {
            FUZZ_CHECK(r.consumed == 0);
            return true;
        }
        FUZZ_CHECK(r.consumed > 0);
        out.frames.push_back(p.take_frame());
        buf.erase(0, r.consumed);
    }
}

void check_round_trip(const Frame& f) {
    const std::string bytes = serialize(f);
    const ExactCopy copy(bytes);
    ReplyParser p;
    const ParseResult r = p.parse(copy.view());
    FUZZ_CHECK(r.status == ParseStatus::complete);
    FUZZ_CHECK(r.consumed == bytes.size());
    FUZZ_CHECK(p.frame() == f);
}

void fuzz_replies(std::string_view stream, std::uint8_t seed) {
    ReplyOutcome whole;
    {
        ReplyParser p;
        std::string buf(stream);
        drain_replies(p, buf, whole);
    }
    ReplyOutcome chunked;
    {
        ReplyParser p;
        Splitter split(seed);
        std::string buf;
        for (std::size_t pos = 0; pos < stream.size();) {
            const std::size_t n = std::min(split.next(), stream.size() - pos);
            buf.append(stream.substr(pos, n));
            pos += n;
            if (!drain_replies(p, buf, chunked)) break;
        }
    }
    // Without data, the chunked run never calls parse; the whole run ends in need_more too.
    FUZZ_CHECK(whole.frames == chunked.frames);
    FUZZ_CHECK(whole.end == chunked.end || stream.empty());
    FUZZ_CHECK(whole.error == chunked.error);
    for (const Frame& f : whole.frames) check_round_trip(f);
}

/// Writes one reply per op chosen by the stream's bytes, then reads them back.
void fuzz_writer(std::string_view stream, bool resp3) {
    std::string out;
    ReplyWriter w(out, resp3 ? Protocol::resp3 : Protocol::resp2);
    std::size_t replies = 0;
    std::size_t i = 0;
    const auto byte = [&]() -> std::uint8_t {
        return i < stream.size() ? static_cast<std::uint8_t>(stream[i++]) : 0;
    };
    const auto text = [&]() -> std::string_view {
        const std::size_t n =
            std::min<std::size_t>(byte() % 16, stream.size() - std::min(i, stream.size()));
        const std::string_view s = stream.substr(std::min(i, stream.size()), n);
        i += n;
        return s;
    };
    const auto number = [&]() -> long long {
        std::uint64_t v = 0;
        for (int k = 0; k < 8; ++k) v = (v << 8) | byte();
        return static_cast<long long>(v);
    };
    while (i < stream.size() && replies < 64) {
        switch (byte() % 14) {
            case 0: {
                std::string s(text());
                for (char& c : s)
                    if (c == '\r' || c == '\n') c = ' ';
                w.simple(s);
                break;
            }
            case 1: w.error(text()); break;
            case 2: w.integer(number()); break;
            case 3: w.bulk(text()); break;
            case 4: w.null(); break;
            case 5: w.null_array(); break;
            case 6: {
                const auto bits = static_cast<std::uint64_t>(number());
                double d;
                std::memcpy(&d, &bits, sizeof d);
                if (byte() & 1)
                    w.double_reply(d);
                else
                    w.bulk_double(d);
                break;
            }
            case 7: w.boolean(byte() & 1); break;
            case 8: w.verbatim(text(), text()); break;
            case 9: w.big_number(std::to_string(number())); break;
            case 10: w.bulk_long_double(static_cast<long double>(number()) / 1024.0L); break;
            case 11: {
                const std::size_t n = byte() % 4;
                w.map(n);
                for (std::size_t k = 0; k < 2 * n; ++k) w.bulk_integer(number());
                break;
            }
            case 12: {
                const Aggregate kinds[] = {Aggregate::array, Aggregate::set, Aggregate::push};
                const Aggregate kind = kinds[byte() % 3];
                const auto h = w.begin_deferred();
                const std::size_t n = byte() % 4;
                for (std::size_t k = 0; k < n; ++k) w.bulk(text());
                w.end_deferred(h, n, kind);
                break;
            }
            case 13: w.human_long_double(static_cast<long double>(number()) / 3.0L); break;
        }
        ++replies;
    }
    FUZZ_CHECK(w.open_deferred() == 0);
    const ExactCopy copy(out);
    ReplyParser p;
    std::size_t pos = 0;
    std::string again;
    std::size_t frames = 0;
    while (pos < copy.size) {
        const ParseResult r = p.parse(copy.view().substr(pos));
        if (r.status != ParseStatus::complete) {
            std::fprintf(stderr, "writer output not parsed: %s\n",
                         std::string(p.error_message()).c_str());
            fail("writer output parses");
        }
        serialize(p.frame(), again);
        pos += r.consumed;
        ++frames;
    }
    FUZZ_CHECK(frames == replies);
    FUZZ_CHECK(again == out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t flags = data[0];
    const std::uint8_t seed = data[1];
    const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);
    fuzz_requests(stream, flags, seed);
    fuzz_replies(stream, seed);
    fuzz_writer(stream, (flags & 4) != 0);
    return 0;
}
