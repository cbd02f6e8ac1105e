#ifndef CACHET_RESULT_HPP
#define CACHET_RESULT_HPP

/// `Result<T>`: a value or an `Errc`, for operations that can fail for more than one reason
/// (an arithmetic overflow, a value too heavy for the cache). It offers the subset of
/// `std::expected` that cachet needs (`has_value`, `value`, `error`, `operator*`), so a later move
/// to `std::expected` is mechanical. Absence alone is reported with `std::optional` instead.

#include <cachet/detail/config.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

CACHET_NAMESPACE_BEGIN

/// Why an operation declined. Every value has a message from `to_string(Errc)`.
enum class Errc : unsigned char {
    overflow = 1,   ///< integer arithmetic would overflow, or a float would become inf/NaN
    not_found,      ///< the operation needs an existing key
    too_heavy,      ///< the value's weight exceeds what the cache can ever hold
    invalid_argument,
};

[[nodiscard]] constexpr std::string_view to_string(Errc e) noexcept {
    switch (e) {
        case Errc::overflow: return "increment or decrement would overflow";
        case Errc::not_found: return "no such key";
        case Errc::too_heavy: return "entry is heavier than the cache's maximum weight";
        case Errc::invalid_argument: return "invalid argument";
    }
    return "unknown error";
}

/// Thrown by `Result<T>::value()` when it holds an error.
class BadResultAccess : public std::logic_error {
public:
    explicit BadResultAccess(Errc e)
        : std::logic_error("cachet: bad Result access: " + std::string(to_string(e))), m_errc(e) {}
    [[nodiscard]] Errc error() const noexcept { return m_errc; }

private:
    Errc m_errc;
};

/// Either a `T` or an `Errc`.
template <class T>
class [[nodiscard]] Result {
public:
    using value_type = T;

    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Result(Errc e) : m_v(std::in_place_index<1>, e) {}                 // NOLINT

    [[nodiscard]] bool has_value() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    /// The value; throws `BadResultAccess` if this holds an error.
    [[nodiscard]] T& value() & { check(); return std::get<0>(m_v); }
    [[nodiscard]] const T& value() const& { check(); return std::get<0>(m_v); }
    [[nodiscard]] T&& value() && { check(); return std::get<0>(std::move(m_v)); }
    /// Precondition: `has_value()`.
    [[nodiscard]] T& operator*() noexcept { return *std::get_if<0>(&m_v); }
    [[nodiscard]] const T& operator*() const noexcept { return *std::get_if<0>(&m_v); }
    /// Precondition: `!has_value()`.
    [[nodiscard]] Errc error() const noexcept { return *std::get_if<1>(&m_v); }
    template <class U>
    [[nodiscard]] T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(m_v) : static_cast<T>(std::forward<U>(fallback));
    }

    friend bool operator==(const Result& a, const Result& b) = default;

private:
    void check() const {
        if (!has_value()) throw BadResultAccess(error());
    }
    std::variant<T, Errc> m_v;
};

CACHET_NAMESPACE_END

#endif  // CACHET_RESULT_HPP
