#ifndef CACHET_RESP_COMMANDS_ZSETS_HPP
#define CACHET_RESP_COMMANDS_ZSETS_HPP

/// The zset commands (filled in by the RESP part-2 work).

#include <cachet/resp/engine.hpp>

CACHET_NAMESPACE_BEGIN
namespace resp {

template <Clock C>
void register_zset_commands(CommandTable<C>&) {}

}  // namespace resp
CACHET_NAMESPACE_END

#endif  // CACHET_RESP_COMMANDS_ZSETS_HPP
