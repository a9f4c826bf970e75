// The step between parsing and evaluation: propagates menu/if/choice dependencies into every
// entry and property, builds select/imply reverse dependencies, creates the implicit submenus,
// flattens 'if' blocks, checks properties, and rejects dependency loops.
#pragma once

#include <cstddef>

#include "kconfig/diagnostics.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

// The longest chain of entries nested under the symbol they depend on, and of symbols whose
// values need each other, that a tree may have: beyond it finalize_tree throws KconfigError
// naming the file:line and the limit (the walks over such chains recurse, and a 60000-long
// chain would exhaust the stack).
inline constexpr size_t kMaxDependencyChain = 10000;

// Throws KconfigError when the tree has a recursive dependency (after printing conf's report
// to diag), or when building conf's simplified dependencies would take more than
// `simplify_work` steps (ParseLimits::simplify_work).
void finalize_tree(Tree& tree, Diagnostics& diag, size_t simplify_work = size_t{200} << 20);

}  // namespace rk::kconfig
