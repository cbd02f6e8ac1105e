#ifndef CACHET_RESP_INSTANTIATE_HPP
#define CACHET_RESP_INSTANTIATE_HPP

/// Compiling the RESP command layer for one clock in two translation units instead of one, so
/// that two cores share the work (the whole layer is one large template instantiation). A
/// program that instantiates `Engine<C>` once (with `extern template` elsewhere) splits it so:
///
/// ```cpp
/// // engine.cpp
/// #include <cachet/resp/instantiate.hpp>
/// CACHET_RESP_INSTANTIATE_ENGINE(cachet::SteadyClock)     // Engine, Session, half the commands
/// // engine_commands.cpp
/// #include <cachet/resp/instantiate.hpp>
/// CACHET_RESP_INSTANTIATE_COMMANDS(cachet::SteadyClock)   // the other half: the data types
/// ```
///
/// Each macro is used once per clock, at namespace scope, in a different file of one program.

#include <cachet/resp/engine.hpp>

/// The command families the second file compiles (the container and string commands).
#define CACHET_RESP_DETAIL_DATA_FAMILIES(X, C) \
    X(list, C)                                 \
    X(zset, C)                                 \
    X(set, C)                                  \
    X(hash, C)                                 \
    X(string, C)                               \
    X(hyperloglog, C)                          \
    X(sort, C)                                 \
    X(bitmap, C)

#define CACHET_RESP_DETAIL_EXTERN_FAMILY(name, C) \
    extern template void cachet::resp::register_##name##_commands<C>(cachet::resp::CommandTable<C>&);
#define CACHET_RESP_DETAIL_FAMILY(name, C) \
    template void cachet::resp::register_##name##_commands<C>(cachet::resp::CommandTable<C>&);

/// Declares Engine<C> and Session<C> instantiated elsewhere (by CACHET_RESP_INSTANTIATE_ENGINE,
/// or a plain `template class`), for every other file of the program that uses them.
#define CACHET_RESP_EXTERN_ENGINE(C)                \
    extern template class cachet::resp::Engine<C>;  \
    extern template class cachet::resp::Session<C>;

/// Engine<C> and Session<C> with every command family but the data types'.
#define CACHET_RESP_INSTANTIATE_ENGINE(C)                                   \
    CACHET_RESP_DETAIL_DATA_FAMILIES(CACHET_RESP_DETAIL_EXTERN_FAMILY, C)   \
    template class cachet::resp::Engine<C>;                                 \
    template class cachet::resp::Session<C>;

/// The data types' command families (lists, sorted sets, sets, hashes, strings, HyperLogLog).
#define CACHET_RESP_INSTANTIATE_COMMANDS(C) \
    CACHET_RESP_EXTERN_ENGINE(C)            \
    CACHET_RESP_DETAIL_DATA_FAMILIES(CACHET_RESP_DETAIL_FAMILY, C)

#endif  // CACHET_RESP_INSTANTIATE_HPP
