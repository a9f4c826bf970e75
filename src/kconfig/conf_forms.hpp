// conf's simplified copies of the dependencies (the conf_* fields of tree.hpp). Finalize
// records the steps that would build them eagerly, in its order, and builds at once only the
// entries menu nesting needs; the rest are built on first use (Tree::ensure_conf_forms), in the
// same order, with the same results.
#pragma once

#include <cstddef>
#include <string>

#include "kconfig/expr.hpp"
#include "kconfig/tree.hpp"

namespace rk::kconfig {

class ConfForms {
 public:
  // An entry's conf_dep and its properties' conf_visible (its conf_parent's first when needed).
  // `at` is set to the entry being built, for the error when the work limit is reached.
  static void build_entry(ExprSimplifier& x, Menu* entry, const Menu*& at);
  // Every recorded step, in finalize's order; a work limit reached is kept as Tree's error.
  static void build_all(Tree& t);
  static void record(Tree& t, Menu* m, Tree::ConfStep::Kind kind);
  static void set_work_limit(Tree& t, size_t limit);
};

// "file:line: error: dependencies too complex to simplify" for the entry `m`.
std::string too_complex_at(const Menu* m);

}  // namespace rk::kconfig
