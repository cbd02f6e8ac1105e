#ifndef CACHET_KEY_STRING_HPP
#define CACHET_KEY_STRING_HPP

/// `KeyString`: an immutable byte string for keys, 32 bytes like `std::string`, that keeps up to
/// 31 bytes inline (libstdc++'s `std::string` keeps 15).
///
/// Why: the Database's keys are what a lookup compares, under the shard lock, after the index
/// bucket and the entry: a key longer than 15 bytes in a `std::string` sits in a heap block of
/// its own, one more dependent cache miss per lookup and 32 more bytes per key (malloc's smallest
/// chunk). Keys of 16 to 31 bytes are the common case (`user:1234:session`,
/// `key:000000012345` as redis-benchmark writes them); inline, they cost neither.
///
/// Layout: 32 bytes. Inline: the bytes, then at offset 31 the count of unused bytes (31 - size),
/// so a 31-byte key fills the buffer exactly. On the heap (over 31 bytes): pointer and size, and
/// 0xFF at offset 31. A key never changes after construction (the keyspace's keys are const), so
/// there is no capacity and no append. Not NUL-terminated: use `view()` or the implicit
/// conversion to `std::string_view`.
///
/// Thread-safety: as `std::string` (const use from several threads is safe).

#include <cachet/detail/config.hpp>

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <string_view>
#include <utility>

CACHET_NAMESPACE_BEGIN

class KeyString {
public:
    /// The longest key kept inline.
    static constexpr std::size_t inline_capacity = 31;

    KeyString() noexcept { set_inline_size(0); }
    /// Copies `s`. Allocates only when `s` is longer than `inline_capacity`.
    explicit KeyString(std::string_view s) { assign(s); }
    explicit KeyString(const std::string& s) : KeyString(std::string_view(s)) {}
    explicit KeyString(const char* s) : KeyString(std::string_view(s)) {}
    KeyString(const KeyString& o) { assign(o.view()); }
    KeyString(KeyString&& o) noexcept {
        std::memcpy(m_raw, o.m_raw, sizeof m_raw);
        o.set_inline_size(0);
    }
    KeyString& operator=(const KeyString& o) {
        if (this != &o) {
            KeyString copy(o);
            swap(copy);
        }
        return *this;
    }
    KeyString& operator=(KeyString&& o) noexcept {
        if (this != &o) {
            release();
            std::memcpy(m_raw, o.m_raw, sizeof m_raw);
            o.set_inline_size(0);
        }
        return *this;
    }
    ~KeyString() { release(); }

    void swap(KeyString& o) noexcept {
        unsigned char t[sizeof m_raw];
        std::memcpy(t, m_raw, sizeof m_raw);
        std::memcpy(m_raw, o.m_raw, sizeof m_raw);
        std::memcpy(o.m_raw, t, sizeof m_raw);
    }
    friend void swap(KeyString& a, KeyString& b) noexcept { a.swap(b); }

    [[nodiscard]] bool is_inline() const noexcept { return m_raw[tag_at] != heap_tag; }
    [[nodiscard]] std::size_t size() const noexcept {
        if (is_inline()) return inline_capacity - m_raw[tag_at];
        std::size_t n;
        std::memcpy(&n, m_raw + sizeof(char*), sizeof n);
        return n;
    }
    [[nodiscard]] std::size_t length() const noexcept { return size(); }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    [[nodiscard]] const char* data() const noexcept {
        if (is_inline()) return reinterpret_cast<const char*>(m_raw);
        const char* p;
        std::memcpy(&p, m_raw, sizeof p);
        return p;
    }
    [[nodiscard]] std::string_view view() const noexcept { return {data(), size()}; }
    operator std::string_view() const noexcept { return view(); }  // NOLINT: implicit, as std::string
    [[nodiscard]] std::string str() const { return std::string(view()); }
    [[nodiscard]] const char* begin() const noexcept { return data(); }
    [[nodiscard]] const char* end() const noexcept { return data() + size(); }
    [[nodiscard]] char operator[](std::size_t i) const noexcept { return data()[i]; }
    /// Heap bytes owned beyond the object itself (0 when inline).
    [[nodiscard]] std::size_t heap_bytes() const noexcept { return is_inline() ? 0 : size(); }

    friend bool operator==(const KeyString& a, const KeyString& b) noexcept {
        return a.view() == b.view();
    }
    friend bool operator==(const KeyString& a, std::string_view b) noexcept { return a.view() == b; }
    friend std::strong_ordering operator<=>(const KeyString& a, const KeyString& b) noexcept {
        return a.view() <=> b.view();
    }
    friend std::strong_ordering operator<=>(const KeyString& a, std::string_view b) noexcept {
        return a.view() <=> b;
    }

private:
    static constexpr std::size_t tag_at = 31;
    static constexpr unsigned char heap_tag = 0xFF;

    void set_inline_size(std::size_t n) noexcept {
        m_raw[tag_at] = static_cast<unsigned char>(inline_capacity - n);
    }
    void assign(std::string_view s) {
        if (s.size() <= inline_capacity) {
            if (!s.empty()) std::memcpy(m_raw, s.data(), s.size());
            set_inline_size(s.size());
            return;
        }
        char* p = static_cast<char*>(::operator new(s.size()));
        std::memcpy(p, s.data(), s.size());
        const std::size_t n = s.size();
        std::memcpy(m_raw, &p, sizeof p);
        std::memcpy(m_raw + sizeof p, &n, sizeof n);
        m_raw[tag_at] = heap_tag;
    }
    void release() noexcept {
        if (is_inline()) return;
        char* p;
        std::memcpy(&p, m_raw, sizeof p);
        ::operator delete(p);
    }

    alignas(8) unsigned char m_raw[32];
};

static_assert(sizeof(KeyString) == 32);

CACHET_NAMESPACE_END

template <>
struct std::hash<cachet::KeyString> {
    std::size_t operator()(const cachet::KeyString& k) const noexcept {
        return std::hash<std::string_view>{}(k.view());
    }
};

#endif
