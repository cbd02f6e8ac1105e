#ifndef CACHET_RESP_LUA_LIBS_HPP
#define CACHET_RESP_LUA_LIBS_HPP

/// The Lua libraries Redis gives scripts beyond Lua's own, written for cachet's scripting
/// (scripting.hpp) to behave as Redis 7.0.15's copies do, checked against it:
///
/// - `cjson` (Redis bundles lua-cjson 2.1.0): `cjson.encode(v)`, `cjson.decode(s)`,
///   `cjson.null`, `cjson.new()` and the configuration functions (`encode_max_depth`,
///   `decode_max_depth`, `encode_number_precision`, `encode_sparse_array`,
///   `encode_invalid_numbers`, `decode_invalid_numbers`, `encode_keep_buffer`), with its
///   output (numbers as "%.14g", '/' escaped, empty tables as `{}`, arrays with holes padded
///   with null unless excessively sparse, object keys in Lua's table order) and its error texts.
/// - `bit` (LuaBitOp 1.0.2): `tobit`, `tohex`, `bnot`, `band`, `bor`, `bxor`, `lshift`,
///   `rshift`, `arshift`, `rol`, `ror`, `bswap`, on 32-bit integers.
/// - `cmsgpack` (lua-cmsgpack 0.4.0): `pack(...)`, `unpack(s)`, `unpack_one(s [, offset])`,
///   `unpack_limit(s, limit [, offset])`: integers in the smallest encoding, floats as 32 bits
///   when exact, tables with keys 1..n as arrays and others as maps, nesting past 16 as nil;
///   the bin and ext types are refused ("Bad data format in input."), as Redis's copy does.
/// - `struct` (Roberto Ierusalimschy's struct 1.4 with Redis's fixes): `pack(fmt, ...)`,
///   `unpack(fmt, s [, pos])`, `size(fmt)`; formats `<` `>` `![n]` `x` `b/B` `h/H` `l/L` `T`
///   `i/I[n]` (n up to 32) `f` `d` `s` `c[n]`.
///
/// Errors are raised with luaL_error / luaL_argerror, so scripts see Redis's messages with the
/// script position prefix ("user_script:1: Cannot serialise ...").

#include <cachet/detail/config.hpp>

#include <lua.hpp>
#include <strings.h>  // strncasecmp

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string>

CACHET_NAMESPACE_BEGIN
namespace resp::lua_libs {

/// Pushes a new table holding `functions` (a module's table).
template <std::size_t N>
void push_module(lua_State* L, const luaL_Reg (&functions)[N]) {
    lua_createtable(L, 0, static_cast<int>(N));
    for (const auto& f : functions) {
        lua_pushcfunction(L, f.func);
        lua_setfield(L, -2, f.name);
    }
}

// ---------------------------------------------------------------------------------- cjson

namespace cjson {

/// One cjson instance's settings (each function of the instance has it as upvalue 1).
struct Config {
    int sparse_convert = 0, sparse_ratio = 2, sparse_safe = 10;
    int encode_max_depth = 1000, decode_max_depth = 1000;
    int encode_invalid_numbers = 0;  ///< 0 off (error), 1 on (nan, inf), 2 null
    int decode_invalid_numbers = 1;
    int keep_buffer = 1;
    int precision = 14;
};

inline Config& config(lua_State* L) {
    return *static_cast<Config*>(lua_touserdata(L, lua_upvalueindex(1)));
}

/// json_arg_init: at most `n` arguments, padded with nils to `n`.
inline Config& args(lua_State* L, int n) {
    luaL_argcheck(L, lua_gettop(L) <= n, n + 1, "found too many arguments");
    while (lua_gettop(L) < n) lua_pushnil(L);
    return config(L);
}

inline void integer_option(lua_State* L, int at, int& setting, int min, int max) {
    if (!lua_isnil(L, at)) {
        const auto v = static_cast<int>(luaL_checkinteger(L, at));
        char msg[64];
        std::snprintf(msg, sizeof msg, "expected integer between %d and %d", min, max);
        luaL_argcheck(L, min <= v && v <= max, 1, msg);
        setting = v;
    }
    lua_pushinteger(L, setting);
}

/// json_enum_option: a boolean (true = `bool_true`) or one of `options`; answers the setting.
inline void enum_option(lua_State* L, int at, int& setting, const char* const* options, int bool_true) {
    static const char* const bool_options[] = {"off", "on", nullptr};
    if (!options) {
        options = bool_options;
        bool_true = 1;
    }
    if (!lua_isnil(L, at)) {
        if (bool_true && lua_isboolean(L, at)) setting = lua_toboolean(L, at) * bool_true;
        else setting = luaL_checkoption(L, at, nullptr, options);
    }
    if (bool_true && (setting == 0 || setting == bool_true)) lua_pushboolean(L, setting);
    else lua_pushstring(L, options[setting]);
}

inline int cfg_encode_sparse_array(lua_State* L) {
    Config& c = args(L, 3);
    enum_option(L, 1, c.sparse_convert, nullptr, 1);
    integer_option(L, 2, c.sparse_ratio, 0, INT_MAX);
    integer_option(L, 3, c.sparse_safe, 0, INT_MAX);
    return 3;
}
inline int cfg_encode_max_depth(lua_State* L) {
    integer_option(L, 1, args(L, 1).encode_max_depth, 1, INT_MAX);
    return 1;
}
inline int cfg_decode_max_depth(lua_State* L) {
    integer_option(L, 1, args(L, 1).decode_max_depth, 1, INT_MAX);
    return 1;
}
inline int cfg_encode_number_precision(lua_State* L) {
    integer_option(L, 1, args(L, 1).precision, 1, 14);
    return 1;
}
inline int cfg_encode_keep_buffer(lua_State* L) {
    enum_option(L, 1, args(L, 1).keep_buffer, nullptr, 1);
    return 1;
}
inline int cfg_encode_invalid_numbers(lua_State* L) {
    static const char* const options[] = {"off", "on", "null", nullptr};
    enum_option(L, 1, args(L, 1).encode_invalid_numbers, options, 1);
    return 1;
}
inline int cfg_decode_invalid_numbers(lua_State* L) {
    enum_option(L, 1, args(L, 1).decode_invalid_numbers, nullptr, 1);
    return 1;
}

// -- encoding

[[noreturn]] inline void encode_error(lua_State* L, int at, const char* reason) {
    luaL_error(L, "Cannot serialise %s: %s", lua_typename(L, lua_type(L, at)), reason);
    std::abort();  // luaL_error does not return
}

inline void append_string(lua_State* L, std::string& out, int at) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, at, &len);
    out += '"';
    for (std::size_t i = 0; i < len; ++i) {
        const auto ch = static_cast<unsigned char>(s[i]);
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '/': out += "\\/"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default:
                if (ch < 0x20 || ch == 0x7f) {
                    char esc[8];
                    std::snprintf(esc, sizeof esc, "\\u%04x", ch);
                    out += esc;
                } else {
                    out += static_cast<char>(ch);
                }
        }
    }
    out += '"';
}

inline void append_number(lua_State* L, const Config& c, std::string& out, int at) {
    const double n = lua_tonumber(L, at);
    if (std::isinf(n) || std::isnan(n)) {
        if (c.encode_invalid_numbers == 0) encode_error(L, at, "must not be NaN or Inf");
        if (c.encode_invalid_numbers == 2) {
            out += "null";
            return;
        }
        if (std::isnan(n)) {  // "on": "nan" (never "-nan"), and inf / -inf as printf writes them
            out += "nan";
            return;
        }
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g", c.precision, n);
    out += buf;
}

/// lua_array_length: the array length of the table on top (its largest key), or -1 if it is
/// to be an object (a key that is not an integer >= 1, or excessively sparse and converted).
inline int array_length(lua_State* L, const Config& c) {
    double max = 0;
    int items = 0;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        double k;
        if (lua_type(L, -2) == LUA_TNUMBER && (k = lua_tonumber(L, -2)) != 0 && std::floor(k) == k && k >= 1) {
            max = std::max(max, k);
            ++items;
            lua_pop(L, 1);
            continue;
        }
        lua_pop(L, 2);
        return -1;
    }
    if (c.sparse_ratio > 0 && max > static_cast<double>(items) * c.sparse_ratio && max > c.sparse_safe) {
        if (!c.sparse_convert) encode_error(L, -1, "excessively sparse array");
        return -1;
    }
    return static_cast<int>(max);
}

inline void append_value(lua_State* L, const Config& c, int depth, std::string& out);

inline void append_table(lua_State* L, const Config& c, int depth, std::string& out) {
    ++depth;
    if (depth > c.encode_max_depth || !lua_checkstack(L, 3))
        luaL_error(L, "Cannot serialise, excessive nesting (%d)", depth);
    const int len = array_length(L, c);
    if (len > 0) {
        out += '[';
        for (int i = 1; i <= len; ++i) {
            if (i > 1) out += ',';
            lua_rawgeti(L, -1, i);
            append_value(L, c, depth, out);
            lua_pop(L, 1);
        }
        out += ']';
        return;
    }
    out += '{';
    bool comma = false;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        if (comma) out += ',';
        comma = true;
        const int kt = lua_type(L, -2);
        if (kt == LUA_TNUMBER) {
            out += '"';
            append_number(L, c, out, -2);
            out += "\":";
        } else if (kt == LUA_TSTRING) {
            append_string(L, out, -2);
            out += ':';
        } else {
            encode_error(L, -2, "table key must be a number or string");
        }
        append_value(L, c, depth, out);
        lua_pop(L, 1);
    }
    out += '}';
}

inline void append_value(lua_State* L, const Config& c, int depth, std::string& out) {
    switch (lua_type(L, -1)) {
        case LUA_TSTRING: append_string(L, out, -1); break;
        case LUA_TNUMBER: append_number(L, c, out, -1); break;
        case LUA_TBOOLEAN: out += lua_toboolean(L, -1) ? "true" : "false"; break;
        case LUA_TTABLE: append_table(L, c, depth, out); break;
        case LUA_TNIL: out += "null"; break;
        case LUA_TLIGHTUSERDATA:
            if (lua_touserdata(L, -1) == nullptr) {
                out += "null";
                break;
            }
            [[fallthrough]];
        default: encode_error(L, -1, "type not supported");
    }
}

/// cjson.encode(value): its JSON text.
inline int encode(lua_State* L) {
    const Config& c = config(L);
    luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
    std::string out;
    append_value(L, c, 0, out);
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

// -- decoding

enum Token { obj_begin, obj_end, arr_begin, arr_end, string, number, boolean, null, colon, comma, end, error };
inline constexpr const char* token_names[] = {"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END",
                                              "T_STRING",    "T_NUMBER",  "T_BOOLEAN",   "T_NULL",
                                              "T_COLON",     "T_COMMA",   "T_END",       "T_ERROR"};

/// The parser over a NUL-terminated Lua string (a NUL ends the text, as lua-cjson reads it).
struct Parser {
    Parser(lua_State* state, const Config& config, const char* text) : L(state), c(config), data(text), ptr(text) {}

    lua_State* L;
    const Config& c;
    const char* data;
    const char* ptr;
    int depth = 0;
    Token type = end;
    int index = 0;
    const char* error_text = nullptr;  ///< for `error`
    double num = 0;
    bool boolean_value = false;
    std::string str;

    void fail(const char* what) {
        type = error;
        index = static_cast<int>(ptr - data);
        error_text = what;
    }
    [[noreturn]] void expected(const char* what) {
        luaL_error(L, "Expected %s but found %s at character %d", what, type == error ? error_text : token_names[type],
                   index + 1);
        std::abort();
    }
    static int hex4(const char* p) {
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const char ch = p[i];
            int d;
            if (ch >= '0' && ch <= '9') d = ch - '0';
            else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f') d = (ch | 0x20) - 'a' + 10;
            else return -1;
            v = v << 4 | d;
        }
        return v;
    }
    /// A \u escape at `ptr` (with a surrogate pair's second half): appended as UTF-8.
    bool unicode_escape() {
        int cp = hex4(ptr + 2);
        std::size_t len = 6;
        if (cp < 0) return false;
        if ((cp & 0xF800) == 0xD800) {
            if (cp & 0x400) return false;  // a low surrogate first
            if (ptr[6] != '\\' || ptr[7] != 'u') return false;
            int low = hex4(ptr + 8);
            if (low < 0 || (low & 0xFC00) != 0xDC00) return false;
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        if (cp < 0x80) {
            str += static_cast<char>(cp);
        } else if (cp < 0x800) {
            str += static_cast<char>(0xC0 | (cp >> 6));
            str += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            str += static_cast<char>(0xE0 | (cp >> 12));
            str += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            str += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            str += static_cast<char>(0xF0 | (cp >> 18));
            str += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            str += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            str += static_cast<char>(0x80 | (cp & 0x3F));
        }
        ptr += len;
        return true;
    }
    void next_string() {
        ++ptr;  // the opening quote
        str.clear();
        while (*ptr != '"') {
            char ch = *ptr;
            if (!ch) return fail("unexpected end of string");
            if (ch == '\\') {
                switch (ptr[1]) {
                    case '"': ch = '"'; break;
                    case '\\': ch = '\\'; break;
                    case '/': ch = '/'; break;
                    case 'b': ch = '\b'; break;
                    case 't': ch = '\t'; break;
                    case 'n': ch = '\n'; break;
                    case 'f': ch = '\f'; break;
                    case 'r': ch = '\r'; break;
                    case 'u':
                        if (unicode_escape()) continue;
                        return fail("invalid unicode escape code");
                    default: return fail("invalid escape code");
                }
                ++ptr;
            }
            str += ch;
            ++ptr;
        }
        ++ptr;
        type = string;
    }
    /// json_is_invalid_number: text strtod reads that JSON does not allow (+1, 0x1f, 01,
    /// inf, nan).
    bool invalid_number() const {
        const char* p = ptr;
        if (*p == '+') return true;
        if (*p == '-') ++p;
        if (*p == '0') {
            const char ch2 = p[1];
            return (ch2 | 0x20) == 'x' || (ch2 >= '0' && ch2 <= '9');
        }
        if (*p <= '9') return false;
        return strncasecmp(p, "inf", 3) == 0 || strncasecmp(p, "nan", 3) == 0;
    }
    void next_number() {
        char* endp = nullptr;
        num = std::strtod(ptr, &endp);
        if (endp == ptr) return fail("invalid number");
        ptr = endp;
        type = number;
    }
    void next() {
        while (*ptr == ' ' || *ptr == '\t' || *ptr == '\n' || *ptr == '\r') ++ptr;
        index = static_cast<int>(ptr - data);
        const char ch = *ptr;
        switch (ch) {
            case '\0': type = end; return;
            case '{': type = obj_begin; ++ptr; return;
            case '}': type = obj_end; ++ptr; return;
            case '[': type = arr_begin; ++ptr; return;
            case ']': type = arr_end; ++ptr; return;
            case ',': type = comma; ++ptr; return;
            case ':': type = colon; ++ptr; return;
            case '"': return next_string();
            default: break;
        }
        const bool maybe = ch == 'f' || ch == 'i' || ch == 'I' || ch == 'n' || ch == 'N' || ch == 't' ||
                           ch == '+' || ch == '-' || (ch >= '0' && ch <= '9');
        if (!maybe) return fail("invalid token");
        if (ch == '-' || (ch >= '0' && ch <= '9')) {
            if (!c.decode_invalid_numbers && invalid_number()) return fail("invalid number");
            return next_number();
        }
        if (std::strncmp(ptr, "true", 4) == 0) {
            type = boolean, boolean_value = true, ptr += 4;
        } else if (std::strncmp(ptr, "false", 5) == 0) {
            type = boolean, boolean_value = false, ptr += 5;
        } else if (std::strncmp(ptr, "null", 4) == 0) {
            type = null, ptr += 4;
        } else if (c.decode_invalid_numbers && invalid_number()) {
            next_number();
        } else {
            fail("invalid token");
        }
    }
    void descend(int slots) {
        ++depth;
        if (depth > c.decode_max_depth || !lua_checkstack(L, slots))
            luaL_error(L, "Found too many nested data structures (%d) at character %d", depth, index + 1);
    }
    void object() {
        descend(3);
        lua_newtable(L);
        next();
        if (type == obj_end) return void(--depth);
        for (;;) {
            if (type != string) expected("object key string");
            lua_pushlstring(L, str.data(), str.size());
            next();
            if (type != colon) expected("colon");
            next();
            value();
            lua_rawset(L, -3);
            next();
            if (type == obj_end) return void(--depth);
            if (type != comma) expected("comma or object end");
            next();
        }
    }
    void array() {
        descend(2);
        lua_newtable(L);
        next();
        if (type == arr_end) return void(--depth);
        for (int i = 1;; ++i) {
            value();
            lua_rawseti(L, -2, i);
            next();
            if (type == arr_end) return void(--depth);
            if (type != comma) expected("comma or array end");
            next();
        }
    }
    void value() {
        switch (type) {
            case string: lua_pushlstring(L, str.data(), str.size()); break;
            case number: lua_pushnumber(L, num); break;
            case boolean: lua_pushboolean(L, boolean_value); break;
            case obj_begin: object(); break;
            case arr_begin: array(); break;
            case null: lua_pushlightuserdata(L, nullptr); break;
            default: expected("value");
        }
    }
};

/// cjson.decode(text): the Lua value of the JSON text (null as cjson.null).
inline int decode(lua_State* L) {
    const Config& c = config(L);
    luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
    std::size_t len = 0;
    const char* text = luaL_checklstring(L, 1, &len);
    if (len >= 2 && (!text[0] || !text[1])) luaL_error(L, "JSON parser does not support UTF-16 or UTF-32");
    Parser p(L, c, text);
    p.next();
    p.value();
    p.next();
    if (p.type != end) p.expected("the end");
    return 1;
}

inline int open(lua_State* L);

/// cjson.new(): another cjson module with its own settings.
inline int make_new(lua_State* L) {
    lua_settop(L, 0);
    return open(L);
}

/// Pushes a new cjson module table.
inline int open(lua_State* L) {
    static const luaL_Reg functions[] = {{"encode", encode},
                                         {"decode", decode},
                                         {"encode_sparse_array", cfg_encode_sparse_array},
                                         {"encode_max_depth", cfg_encode_max_depth},
                                         {"decode_max_depth", cfg_decode_max_depth},
                                         {"encode_number_precision", cfg_encode_number_precision},
                                         {"encode_keep_buffer", cfg_encode_keep_buffer},
                                         {"encode_invalid_numbers", cfg_encode_invalid_numbers},
                                         {"decode_invalid_numbers", cfg_decode_invalid_numbers},
                                         {"new", make_new}};
    lua_newtable(L);
    new (lua_newuserdata(L, sizeof(Config))) Config{};  // trivially destructible: no __gc
    for (const auto& f : functions) {
        lua_pushvalue(L, -1);
        lua_pushcclosure(L, f.func, 1);
        lua_setfield(L, -3, f.name);
    }
    lua_pop(L, 1);
    lua_pushlightuserdata(L, nullptr);
    lua_setfield(L, -2, "null");
    lua_pushliteral(L, "cjson");
    lua_setfield(L, -2, "_NAME");
    lua_pushliteral(L, "2.1.0");
    lua_setfield(L, -2, "_VERSION");
    return 1;
}

}  // namespace cjson

// ---------------------------------------------------------------------------------- bit

namespace bit {

/// LuaBitOp's argument conversion: the number rounded and taken modulo 2^32 (by adding
/// 2^52 + 2^51 and keeping the low word of the double).
inline std::uint32_t arg(lua_State* L, int at) {
    const double d = luaL_checknumber(L, at) + 6755399441055744.0;
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return static_cast<std::uint32_t>(bits);
}
inline int ret(lua_State* L, std::uint32_t b) {
    lua_pushnumber(L, static_cast<lua_Number>(static_cast<std::int32_t>(b)));
    return 1;
}

inline int tobit(lua_State* L) { return ret(L, arg(L, 1)); }
inline int bnot(lua_State* L) { return ret(L, ~arg(L, 1)); }
template <class Op>
int fold(lua_State* L, Op op) {
    std::uint32_t b = arg(L, 1);
    for (int i = lua_gettop(L); i > 1; --i) b = op(b, arg(L, i));
    return ret(L, b);
}
inline int band(lua_State* L) { return fold(L, [](std::uint32_t a, std::uint32_t b) { return a & b; }); }
inline int bor(lua_State* L) { return fold(L, [](std::uint32_t a, std::uint32_t b) { return a | b; }); }
inline int bxor(lua_State* L) { return fold(L, [](std::uint32_t a, std::uint32_t b) { return a ^ b; }); }
inline int lshift(lua_State* L) {
    const std::uint32_t b = arg(L, 1), n = arg(L, 2) & 31;
    return ret(L, b << n);
}
inline int rshift(lua_State* L) {
    const std::uint32_t b = arg(L, 1), n = arg(L, 2) & 31;
    return ret(L, b >> n);
}
inline int arshift(lua_State* L) {
    const std::uint32_t b = arg(L, 1), n = arg(L, 2) & 31;
    return ret(L, static_cast<std::uint32_t>(static_cast<std::int32_t>(b) >> n));
}
inline int rol(lua_State* L) {
    const std::uint32_t b = arg(L, 1), n = arg(L, 2) & 31;
    return ret(L, n ? (b << n) | (b >> (32 - n)) : b);
}
inline int ror(lua_State* L) {
    const std::uint32_t b = arg(L, 1), n = arg(L, 2) & 31;
    return ret(L, n ? (b >> n) | (b << (32 - n)) : b);
}
inline int bswap(lua_State* L) {
    const std::uint32_t b = arg(L, 1);
    return ret(L, (b >> 24) | ((b >> 8) & 0xff00u) | ((b & 0xff00u) << 8) | (b << 24));
}
/// bit.tohex(x [, n]): |n| hex digits (default 8, at most 8), upper case for negative n.
inline int tohex(lua_State* L) {
    std::uint32_t b = arg(L, 1);
    int n = lua_isnone(L, 2) ? 8 : static_cast<int>(static_cast<std::int32_t>(arg(L, 2)));
    const char* digits = "0123456789abcdef";
    if (n < 0) {
        n = -n;
        digits = "0123456789ABCDEF";
    }
    if (n > 8) n = 8;
    char buf[8];
    for (int i = n; --i >= 0;) {
        buf[i] = digits[b & 15];
        b >>= 4;
    }
    lua_pushlstring(L, buf, static_cast<std::size_t>(n));
    return 1;
}

/// Pushes the bit module table.
inline int open(lua_State* L) {
    static const luaL_Reg functions[] = {{"tobit", tobit},   {"bnot", bnot},     {"band", band},   {"bor", bor},
                                         {"bxor", bxor},     {"lshift", lshift}, {"rshift", rshift},
                                         {"arshift", arshift}, {"rol", rol},     {"ror", ror},     {"bswap", bswap},
                                         {"tohex", tohex}};
    push_module(L, functions);
    return 1;
}

}  // namespace bit


// ---------------------------------------------------------------------------------- cmsgpack

namespace cmsgpack {

inline constexpr int max_nesting = 16;  ///< deeper tables are packed as nil

inline void put_be(std::string& out, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xffu);
}
inline void put_head(std::string& out, unsigned char code, std::uint64_t v, int bytes) {
    out += static_cast<char>(code);
    put_be(out, v, bytes);
}

inline void pack_int(std::string& out, std::int64_t n) {
    if (n >= 0) {
        const auto u = static_cast<std::uint64_t>(n);
        if (u <= 127) out += static_cast<char>(u);
        else if (u <= 0xff) put_head(out, 0xcc, u, 1);
        else if (u <= 0xffff) put_head(out, 0xcd, u, 2);
        else if (u <= 0xffffffffu) put_head(out, 0xce, u, 4);
        else put_head(out, 0xcf, u, 8);
    } else {
        const auto u = static_cast<std::uint64_t>(n);
        if (n >= -32) out += static_cast<char>(u & 0xffu);
        else if (n >= -128) put_head(out, 0xd0, u & 0xffu, 1);
        else if (n >= -32768) put_head(out, 0xd1, u & 0xffffu, 2);
        else if (n >= -2147483648LL) put_head(out, 0xd2, u & 0xffffffffu, 4);
        else put_head(out, 0xd3, u, 8);
    }
}

inline void pack_number(std::string& out, double n) {
    // An integral value in int64's range is an integer; anything else a float (32 bits when
    // that is exact, as Redis's lua-cmsgpack 0.4.0 packs).
    if (!std::isinf(n) && n >= -9223372036854775808.0 && n < 9223372036854775808.0 &&
        static_cast<double>(static_cast<std::int64_t>(n)) == n)
        return pack_int(out, static_cast<std::int64_t>(n));
    const auto f = static_cast<float>(n);
    if (static_cast<double>(f) == n) {
        std::uint32_t bits;
        std::memcpy(&bits, &f, 4);
        put_head(out, 0xca, bits, 4);
    } else {
        std::uint64_t bits;
        std::memcpy(&bits, &n, 8);
        put_head(out, 0xcb, bits, 8);
    }
}

inline void pack_string(std::string& out, const char* s, std::size_t len) {
    if (len < 32) out += static_cast<char>(0xa0 | len);
    else if (len <= 0xff) put_head(out, 0xd9, len, 1);
    else if (len <= 0xffff) put_head(out, 0xda, len, 2);
    else put_head(out, 0xdb, len, 4);
    out.append(s, len);
}

/// Whether the table on top has exactly the keys 1..n.
inline bool is_array(lua_State* L) {
    const int top = lua_gettop(L);
    double count = 0, max = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        double n;
        if (lua_type(L, -1) != LUA_TNUMBER || (n = lua_tonumber(L, -1)) <= 0 || n > INT_MAX ||
            n != static_cast<double>(static_cast<int>(n))) {
            lua_settop(L, top);
            return false;
        }
        max = std::max(max, n);
        ++count;
    }
    lua_settop(L, top);
    return max == count;
}

/// Packs the value on top of the stack and pops it.
inline void pack_value(lua_State* L, std::string& out, int level) {
    int t = lua_type(L, -1);
    if (t == LUA_TTABLE && level == max_nesting) t = LUA_TNIL;
    luaL_checkstack(L, 3, "in function mp_encode_lua_type");
    switch (t) {
        case LUA_TSTRING: {
            std::size_t len = 0;
            const char* s = lua_tolstring(L, -1, &len);
            pack_string(out, s, len);
            break;
        }
        case LUA_TBOOLEAN: out += static_cast<char>(lua_toboolean(L, -1) ? 0xc3 : 0xc2); break;
        case LUA_TNUMBER: pack_number(out, lua_tonumber(L, -1)); break;
        case LUA_TTABLE:
            if (is_array(L)) {
                const std::size_t len = lua_objlen(L, -1);
                if (len <= 15) out += static_cast<char>(0x90 | len);
                else if (len <= 0xffff) put_head(out, 0xdc, len, 2);
                else put_head(out, 0xdd, len, 4);
                for (std::size_t j = 1; j <= len; ++j) {
                    lua_pushnumber(L, static_cast<lua_Number>(j));
                    lua_gettable(L, -2);
                    pack_value(L, out, level + 1);
                }
            } else {
                std::size_t len = 0;
                lua_pushnil(L);
                while (lua_next(L, -2)) {
                    lua_pop(L, 1);
                    ++len;
                }
                if (len <= 15) out += static_cast<char>(0x80 | len);
                else if (len <= 0xffff) put_head(out, 0xde, len, 2);
                else put_head(out, 0xdf, len, 4);
                lua_pushnil(L);
                while (lua_next(L, -2)) {
                    lua_pushvalue(L, -2);
                    pack_value(L, out, level + 1);  // the key
                    pack_value(L, out, level + 1);  // the value
                }
            }
            break;
        default: out += static_cast<char>(0xc0); break;  // nil, and what msgpack cannot hold
    }
    lua_pop(L, 1);
}

/// cmsgpack.pack(v1 [, v2 ...]): the values packed one after another.
inline int pack(lua_State* L) {
    const int n = lua_gettop(L);
    if (n == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
    std::string out;
    for (int i = 1; i <= n; ++i) {
        lua_pushvalue(L, i);
        pack_value(L, out, 0);
    }
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

/// A cursor over the packed bytes; `err`: 1 missing bytes, 2 bad format.
struct Cursor {
    const unsigned char* p;
    std::size_t left;
    int err = 0;

    bool need(std::size_t n) {
        if (left < n) err = 1;
        return left >= n;
    }
    std::uint64_t be(std::size_t at, int bytes) const {
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) v = v << 8 | p[at + static_cast<std::size_t>(i)];
        return v;
    }
    void consume(std::size_t n) {
        p += n;
        left -= n;
    }
};

inline void unpack_value(lua_State* L, Cursor& c);

/// Pushes a table of `len` entries: values at 1..len (an array), or key / value pairs (a map,
/// with Lua's own error for a nil or NaN key, as Redis's copy).
inline void unpack_table(lua_State* L, Cursor& c, std::uint64_t len, bool map) {
    lua_newtable(L);
    for (std::uint64_t i = 1; i <= len; ++i) {
        if (map) unpack_value(L, c);
        else lua_pushnumber(L, static_cast<lua_Number>(i));
        if (c.err) return;
        unpack_value(L, c);
        if (c.err) return;
        lua_settable(L, -3);
    }
}

/// Pushes the next value (nothing, with `c.err` set, if it cannot).
inline void unpack_value(lua_State* L, Cursor& c) {
    if (!c.need(1)) return;
    luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
    const unsigned char b = c.p[0];
    auto sized = [&](int bytes) -> std::optional<std::uint64_t> {
        if (!c.need(1 + static_cast<std::size_t>(bytes))) return std::nullopt;
        return c.be(1, bytes);
    };
    auto string_of = [&](int head, std::uint64_t len) {
        const std::size_t h = 1 + static_cast<std::size_t>(head);
        if (len > c.left || !c.need(h + len)) {
            c.err = 1;
            return;
        }
        lua_pushlstring(L, reinterpret_cast<const char*>(c.p + h), len);
        c.consume(h + len);
    };
    if (b <= 0x7f) {
        lua_pushnumber(L, b);
        c.consume(1);
    } else if (b >= 0xe0) {
        lua_pushnumber(L, static_cast<signed char>(b));
        c.consume(1);
    } else if ((b & 0xe0) == 0xa0) {
        string_of(0, b & 0x1fu);
    } else if ((b & 0xf0) == 0x90) {
        c.consume(1);
        unpack_table(L, c, b & 0x0fu, false);
    } else if ((b & 0xf0) == 0x80) {
        c.consume(1);
        unpack_table(L, c, b & 0x0fu, true);
    } else {
        switch (b) {
            case 0xc0: lua_pushnil(L), c.consume(1); break;
            case 0xc2: lua_pushboolean(L, 0), c.consume(1); break;
            case 0xc3: lua_pushboolean(L, 1), c.consume(1); break;
            case 0xca:
                if (const auto v = sized(4)) {
                    const auto bits = static_cast<std::uint32_t>(*v);
                    float f;
                    std::memcpy(&f, &bits, 4);
                    lua_pushnumber(L, static_cast<lua_Number>(f));
                    c.consume(5);
                }
                break;
            case 0xcb:
                if (const auto v = sized(8)) {
                    double d;
                    std::memcpy(&d, &*v, 8);
                    lua_pushnumber(L, d);
                    c.consume(9);
                }
                break;
            case 0xcc: case 0xcd: case 0xce: case 0xcf: {
                const int bytes = 1 << (b - 0xcc);
                if (const auto v = sized(bytes)) {
                    // 64 bits read as a signed integer, as Redis's copy does
                    const double n = bytes == 8 ? static_cast<double>(static_cast<std::int64_t>(*v))
                                                : static_cast<double>(*v);
                    lua_pushnumber(L, n);
                    c.consume(1 + static_cast<std::size_t>(bytes));
                }
                break;
            }
            case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
                const int bytes = 1 << (b - 0xd0);
                if (const auto v = sized(bytes)) {
                    const int shift = 64 - 8 * bytes;  // sign-extend
                    const auto n = static_cast<std::int64_t>(*v << shift) >> shift;
                    lua_pushnumber(L, static_cast<lua_Number>(n));
                    c.consume(1 + static_cast<std::size_t>(bytes));
                }
                break;
            }
            case 0xd9: case 0xda: case 0xdb: {
                const int bytes = 1 << (b - 0xd9);
                if (const auto v = sized(bytes)) string_of(bytes, *v);
                break;
            }
            case 0xdc: case 0xdd: case 0xde: case 0xdf: {  // array 16 / 32, map 16 / 32
                const int bytes = (b & 1) ? 4 : 2;
                if (const auto v = sized(bytes)) {
                    c.consume(1 + static_cast<std::size_t>(bytes));
                    unpack_table(L, c, *v, b >= 0xde);
                }
                break;
            }
            default: c.err = 2; break;  // bin, ext and the unused 0xc1: not read, as Redis's
        }
    }
}

/// mp_unpack_full: up to `limit` values from byte `offset` (both 0: all, with no offset
/// returned); otherwise the next offset (-1 at the end) first, then the values.
inline int unpack_full(lua_State* L, int limit, int offset) {
    std::size_t len = 0;
    const char* s = luaL_checklstring(L, 1, &len);
    const bool all = limit == 0 && offset == 0;
    if (offset < 0 || limit < 0)
        return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", offset, static_cast<int>(len));
    if (static_cast<std::size_t>(offset) > len)
        return luaL_error(L, "Start offset %d greater than input length %d.", offset, static_cast<int>(len));
    if (all) limit = INT_MAX;
    Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<std::size_t>(offset)};
    int count = 0;
    for (; c.left > 0 && count < limit; ++count) {
        unpack_value(L, c);
        if (c.err == 1) return luaL_error(L, "Missing bytes in input.");
        if (c.err == 2) return luaL_error(L, "Bad data format in input.");
    }
    if (!all) {
        luaL_checkstack(L, 1, "in function mp_unpack_full");
        lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
        lua_insert(L, 2);
        ++count;
    }
    return count;
}

inline int unpack(lua_State* L) { return unpack_full(L, 0, 0); }
inline int unpack_one(lua_State* L) {
    const auto offset = static_cast<int>(luaL_optinteger(L, 2, 0));
    lua_pop(L, lua_gettop(L) - 1);
    return unpack_full(L, 1, offset);
}
inline int unpack_limit(lua_State* L) {
    const auto limit = static_cast<int>(luaL_checkinteger(L, 2));
    const auto offset = static_cast<int>(luaL_optinteger(L, 3, 0));
    lua_pop(L, lua_gettop(L) - 1);
    return unpack_full(L, limit, offset);
}

/// Pushes the cmsgpack module table.
inline int open(lua_State* L) {
    static const luaL_Reg functions[] = {
        {"pack", pack}, {"unpack", unpack}, {"unpack_one", unpack_one}, {"unpack_limit", unpack_limit}};
    push_module(L, functions);
    const char* const fields[][2] = {{"_NAME", "cmsgpack"},
                                     {"_VERSION", "lua-cmsgpack 0.4.0"},
                                     {"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"},
                                     {"_DESCRIPTION", "MessagePack C implementation for Lua"}};
    for (const auto& f : fields) {
        lua_pushstring(L, f[1]);
        lua_setfield(L, -2, f[0]);
    }
    return 1;
}

}  // namespace cmsgpack

// ---------------------------------------------------------------------------------- struct

namespace structlib {

inline constexpr int max_int_size = 32;
inline constexpr int max_align = 8;  ///< struct.c's MAXALIGN on x86-64

struct Header {
    bool big = false;  ///< little-endian by default (the machine's order)
    int align = 1;
};

inline int getnum(lua_State* L, const char*& fmt, int df) {
    if (!std::isdigit(static_cast<unsigned char>(*fmt))) return df;
    int a = 0;
    do {
        if (a > INT_MAX / 10 || a * 10 > INT_MAX - (*fmt - '0')) luaL_error(L, "integral size overflow");
        a = a * 10 + (*fmt++ - '0');
    } while (std::isdigit(static_cast<unsigned char>(*fmt)));
    return a;
}

inline std::size_t optsize(lua_State* L, char opt, const char*& fmt) {
    switch (opt) {
        case 'B': case 'b': return 1;
        case 'H': case 'h': return 2;
        case 'L': case 'l': case 'T': return 8;
        case 'f': return 4;
        case 'd': return 8;
        case 'x': return 1;
        case 'c': return static_cast<std::size_t>(getnum(L, fmt, 1));
        case 'i': case 'I': {
            const int sz = getnum(L, fmt, 4);
            if (sz > max_int_size) luaL_error(L, "integral size %d is larger than limit of %d", sz, max_int_size);
            return static_cast<std::size_t>(sz);
        }
        default: return 0;
    }
}

inline std::size_t gettoalign(std::size_t len, const Header& h, int opt, std::size_t size) {
    if (size == 0 || opt == 'c') return 0;
    if (size > static_cast<std::size_t>(h.align)) size = static_cast<std::size_t>(h.align);
    return (size - (len & (size - 1))) & (size - 1);
}

inline void control(lua_State* L, int opt, const char*& fmt, Header& h) {
    switch (opt) {
        case ' ': return;
        case '>': h.big = true; return;
        case '<': h.big = false; return;
        case '!': {
            const int a = getnum(L, fmt, max_align);
            if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
            h.align = a;
            return;
        }
        default: {
            const char* msg = lua_pushfstring(L, "invalid format option '%c'", opt);
            luaL_argerror(L, 1, msg);
        }
    }
}

/// `n` converted to size_t as C's conversion does on x86-64 where C leaves it undefined: a
/// fraction drops; -1 or less, NaN, and 2^63 up to 2^64 are huge (`huge`); 2^64 or more is 0.
inline std::size_t to_size(double n, std::size_t huge) {
    if (std::isnan(n) || n <= -1) return huge;
    if (n >= 18446744073709551616.0) return 0;
    if (n >= 9223372036854775808.0) return huge;
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

/// The number as struct.c converts it for packing (x86-64's conversions where C's is undefined:
/// a value past the 64-bit range packs as 0 or as the lowest int64).
inline std::uint64_t to_bits(double n) {
    if (n < 0) return n >= -9223372036854775808.0 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(n))
                                                   : std::uint64_t{1} << 63;
    if (n < 18446744073709551616.0) return static_cast<std::uint64_t>(n);
    return 0;
}

inline void put_bytes(std::string& out, std::uint64_t value, std::size_t size, bool big) {
    std::string buf(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
        buf[big ? size - 1 - i : i] = static_cast<char>(value & 0xffu);
        value >>= 8;
    }
    out += buf;
}

/// Floats are copied in the machine's (little-endian) order and reversed for big-endian.
template <class F>
void put_float(std::string& out, F f, bool big) {
    char b[sizeof(F)];
    std::memcpy(b, &f, sizeof(F));
    if (big) std::reverse(b, b + sizeof(F));
    out.append(b, sizeof(F));
}

/// struct.pack(fmt, v1, ...).
inline int pack(lua_State* L) {
    const char* fmt = luaL_checkstring(L, 1);
    Header h;
    int arg = 2;
    std::size_t total = 0;
    std::string out;
    lua_pushnil(L);  // struct.c's mark after the arguments: a missing one is "got nil"
    while (*fmt != '\0') {
        const int opt = *fmt++;
        std::size_t size = optsize(L, static_cast<char>(opt), fmt);
        const std::size_t pad = gettoalign(total, h, opt, size);
        total += pad;
        out.append(pad, '\0');
        switch (opt) {
            case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
                put_bytes(out, to_bits(luaL_checknumber(L, arg++)), size, h.big);
                break;
            case 'x': out += '\0'; break;
            case 'f': put_float(out, static_cast<float>(luaL_checknumber(L, arg++)), h.big); break;
            case 'd': put_float(out, static_cast<double>(luaL_checknumber(L, arg++)), h.big); break;
            case 'c': case 's': {
                std::size_t l = 0;
                const char* str = luaL_checklstring(L, arg++, &l);
                if (size == 0) size = l;
                luaL_argcheck(L, l >= size, arg, "string too short");  // (struct.c names the next argument)
                out.append(str, size);
                if (opt == 's') {
                    out += '\0';
                    ++size;
                }
                break;
            }
            default: control(L, opt, fmt, h);
        }
        total += size;
    }
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

/// A float stored in the machine's (little-endian) order, or reversed if `big`.
template <class F>
F get_float(const char* at, bool big) {
    char b[sizeof(F)];
    std::memcpy(b, at, sizeof(F));
    if (big) std::reverse(b, b + sizeof(F));
    F f;
    std::memcpy(&f, b, sizeof(F));
    return f;
}

inline lua_Number get_integer(const char* buf, bool big, bool is_signed, std::size_t size) {
    std::uint64_t l = 0;
    for (std::size_t k = 0; k < size; ++k) {
        const std::size_t i = big ? k : size - 1 - k;
        l = (l << 8) | static_cast<unsigned char>(buf[i]);
    }
    if (!is_signed) return static_cast<lua_Number>(l);
    const std::uint64_t mask = ~std::uint64_t{0} << ((size * 8 - 1) & 63);  // x86's shift count
    if (l & mask) l |= mask;
    return static_cast<lua_Number>(static_cast<std::int64_t>(l));
}

/// struct.unpack(fmt, data [, pos]): the values, then the position after them.
inline int unpack(lua_State* L) {
    const char* fmt = luaL_checkstring(L, 1);
    std::size_t ld = 0;
    const char* data = luaL_checklstring(L, 2, &ld);
    const auto start = luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, start > 0, 3, "offset must be 1 or greater");
    std::size_t pos = static_cast<std::size_t>(start) - 1;
    int n = 0;
    Header h;
    while (*fmt) {
        const int opt = *fmt++;
        std::size_t size = optsize(L, static_cast<char>(opt), fmt);
        pos += gettoalign(pos, h, opt, size);
        luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
        luaL_checkstack(L, 2, "too many results");
        switch (opt) {
            case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
                lua_pushnumber(L, get_integer(data + pos, h.big, std::islower(opt) != 0, size));
                ++n;
                break;
            case 'x': break;
            case 'f':
                lua_pushnumber(L, static_cast<lua_Number>(get_float<float>(data + pos, h.big)));
                ++n;
                break;
            case 'd':
                lua_pushnumber(L, get_float<double>(data + pos, h.big));
                ++n;
                break;
            case 'c':
                if (size == 0) {
                    if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
                    const lua_Number want = lua_tonumber(L, -1);
                    size = to_size(want, ld + 1);
                    lua_pop(L, 1);
                    --n;
                    luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
                }
                lua_pushlstring(L, data + pos, size);
                ++n;
                break;
            case 's': {
                const void* e = std::memchr(data + pos, '\0', ld - pos);
                if (!e) luaL_error(L, "unfinished string in data");
                size = static_cast<std::size_t>(static_cast<const char*>(e) - (data + pos)) + 1;
                lua_pushlstring(L, data + pos, size - 1);
                ++n;
                break;
            }
            default: control(L, opt, fmt, h);
        }
        pos += size;
    }
    lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
    return n + 1;
}

/// struct.size(fmt): the bytes a format packs into (formats of fixed size only).
inline int size(lua_State* L) {
    const char* fmt = luaL_checkstring(L, 1);
    Header h;
    std::size_t pos = 0;
    while (*fmt) {
        const int opt = *fmt++;
        const std::size_t sz = optsize(L, static_cast<char>(opt), fmt);
        pos += gettoalign(pos, h, opt, sz);
        if (opt == 's') luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && sz == 0) luaL_argerror(L, 1, "option 'c0' has no fixed size");
        if (!std::isalnum(opt)) control(L, opt, fmt, h);
        pos += sz;
    }
    lua_pushinteger(L, static_cast<lua_Integer>(pos));
    return 1;
}

/// Pushes the struct module table.
inline int open(lua_State* L) {
    static const luaL_Reg functions[] = {{"pack", pack}, {"unpack", unpack}, {"size", size}};
    push_module(L, functions);
    return 1;
}

}  // namespace structlib

}  // namespace resp::lua_libs
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_LUA_LIBS_HPP
