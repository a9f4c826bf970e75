// The step between parsing and evaluation: propagates menu/if/choice dependencies into every
// entry and property, builds select/imply reverse dependencies, creates the implicit submenus,
// flattens 'if' blocks, checks properties, and rejects dependency loops.
#pragma once

#include "kconfig/diagnostics.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

// Throws KconfigError when the tree has a recursive dependency (after printing conf's report
// to diag).
void finalize_tree(Tree& tree, Diagnostics& diag);

}  // namespace rk::kconfig
