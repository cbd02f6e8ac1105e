#ifndef CACHET_CACHET_HPP
#define CACHET_CACHET_HPP

/// The umbrella header: every public cachet component. It never includes the optional RESP
/// protocol layer (`cachet/resp/`).

#include <cachet/cache_aside.hpp>
#include <cachet/clock.hpp>
#include <cachet/database.hpp>
#include <cachet/eviction/access_clock.hpp>
#include <cachet/eviction/lru.hpp>
#include <cachet/eviction/policy.hpp>
#include <cachet/eviction/tinylfu.hpp>
#include <cachet/geo.hpp>
#include <cachet/hash_store.hpp>
#include <cachet/hash_table.hpp>
#include <cachet/keyspace.hpp>
#include <cachet/keyspace_events.hpp>
#include <cachet/kv_store.hpp>
#include <cachet/list_store.hpp>
#include <cachet/pubsub_bus.hpp>
#include <cachet/result.hpp>
#include <cachet/set_store.hpp>
#include <cachet/sorted_set.hpp>
#include <cachet/timer_wheel.hpp>
#include <cachet/version.hpp>

#endif  // CACHET_CACHET_HPP
