// The step between parsing and evaluation: propagates menu/if/choice dependencies into every
// entry and property, builds select/imply reverse dependencies, creates the implicit submenus,
// flattens 'if' blocks, checks properties, and rejects dependency loops.
#pragma once

#include <cstddef>

#include "kconfig/diagnostics.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

// Throws KconfigError when the tree has a recursive dependency (after printing conf's report
// to diag), or when building conf's simplified dependencies would take more than
// `simplify_work` steps (ParseLimits::simplify_work).
void finalize_tree(Tree& tree, Diagnostics& diag, size_t simplify_work = size_t{200} << 20);

}  // namespace rk::kconfig
