// The probe registry: protocol names, run order and time budgets.
#pragma once

#include <string>
#include <vector>

#include "runner.hpp"

namespace rk::probe {

struct ProbeDef {
  const char* name;
  ProbeFn fn;
  int budget_ms;
};

// In run order. cgroup1 runs before cgroup2 so the v1 controllers are still free.
const std::vector<ProbeDef>& probe_registry();
std::vector<std::string> probe_names();

}  // namespace rk::probe
