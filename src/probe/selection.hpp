// Choosing probes from rk.probes= (pure).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rk::probe {

struct Selection {
  std::vector<size_t> indices;       // into the registry, in registry order
  std::vector<std::string> unknown;  // requested names matching no probe
};

// `spec` is the value of rk.probes= (nullopt: every probe). Items are comma-separated probe
// names; an item ending in '*' matches every name with that prefix ("ns-*"); "all" matches
// every probe.
Selection select_probes(const std::vector<std::string>& names,
                        const std::optional<std::string>& spec);

}  // namespace rk::probe
